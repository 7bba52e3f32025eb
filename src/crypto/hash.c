/*
 * hash.c - SHA-256 wrappers.
 */
#include <sodium.h>

#include "hash.h"

_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(((struct hash_ctx *)0)->opaque),
               "hash_ctx too small for crypto_hash_sha256_state");

void
hash_sha256(uint8_t out[static HASH_LEN], const void *p, size_t n)
{
	(void)crypto_hash_sha256(out, p, n);
}

void
hash_init(struct hash_ctx *ctx)
{
	(void)crypto_hash_sha256_init((crypto_hash_sha256_state *)(void *)ctx->opaque);
}

void
hash_update(struct hash_ctx *ctx, const void *p, size_t n)
{
	(void)crypto_hash_sha256_update((crypto_hash_sha256_state *)(void *)ctx->opaque, p, n);
}

void
hash_final(struct hash_ctx *ctx, uint8_t out[static HASH_LEN])
{
	(void)crypto_hash_sha256_final((crypto_hash_sha256_state *)(void *)ctx->opaque, out);
	sodium_memzero(ctx, sizeof(*ctx));
}
