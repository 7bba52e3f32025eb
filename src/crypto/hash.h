/*
 * hash.h - SHA-256 (FIPS 180-4, through libsodium).
 */
#ifndef PL_HASH_H
#define PL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_LEN 32

struct hash_ctx {
	/* Opaque; large enough for libsodium's crypto_hash_sha256_state. */
	_Alignas(16) uint8_t opaque[128];
};

void hash_sha256(uint8_t out[static HASH_LEN], const void *p, size_t n);
void hash_init(struct hash_ctx *ctx);
void hash_update(struct hash_ctx *ctx, const void *p, size_t n);
void hash_final(struct hash_ctx *ctx, uint8_t out[static HASH_LEN]);

#endif
