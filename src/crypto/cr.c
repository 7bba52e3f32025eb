/*
 * cr.c - libsodium start-up and memory helpers.
 *
 * The deterministic generator (tests only) is libsodium's own
 * randombytes_buf_deterministic (ChaCha20) keyed by the test seed and a
 * running counter; it is never installed unless a test asks for it.
 */
#include <string.h>

#include <sodium.h>

#include "cr.h"

static uint8_t rng_seed[randombytes_SEEDBYTES];
static uint64_t rng_counter;

static const char *
rng_name(void)
{
	return "parley-test-deterministic";
}

static uint32_t
rng_random(void)
{
	uint32_t v;

	randombytes_buf(&v, sizeof(v));
	return v;
}

static void
rng_buf(void *const buf, const size_t size)
{
	uint8_t seed[randombytes_SEEDBYTES];
	crypto_hash_sha256_state st;
	uint8_t ctr[8];
	int i;

	/* Each call draws from a fresh stream: SHA-256(seed || counter). */
	for (i = 0; i < 8; i++)
		ctr[i] = (uint8_t)(rng_counter >> (56 - 8 * i));
	rng_counter++;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, rng_seed, sizeof(rng_seed));
	crypto_hash_sha256_update(&st, ctr, sizeof(ctr));
	crypto_hash_sha256_final(&st, seed);
	randombytes_buf_deterministic(buf, size, seed);
	sodium_memzero(seed, sizeof(seed));
}

static struct randombytes_implementation rng_impl = {
	.implementation_name = rng_name,
	.random = rng_random,
	.stir = NULL,
	.uniform = NULL,
	.buf = rng_buf,
	.close = NULL,
};

void
cr_rng_deterministic(const uint8_t seed[static 32])
{
	memcpy(rng_seed, seed, sizeof(rng_seed));
	rng_counter = 0;
	(void)randombytes_set_implementation(&rng_impl);
}

enum pl_err
cr_init(void)
{
	if (sodium_init() < 0)
		return pl_errf(PL_E_STATE, "crypto: libsodium failed to initialise");
	return PL_OK;
}

void
cr_random(void *p, size_t n)
{
	randombytes_buf(p, n);
}

int
cr_eq(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

void
cr_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

void *
cr_secret_new(size_t n)
{
	return sodium_malloc(n);
}

void
cr_secret_free(void *p)
{
	sodium_free(p);
}

void
cr_hex(char *out, const uint8_t *p, size_t n)
{
	(void)sodium_bin2hex(out, 2 * n + 1, p, n);
}

enum pl_err
cr_unhex(uint8_t *out, size_t n, const char *s)
{
	size_t got = 0;
	const char *end = NULL;

	if (strlen(s) != 2 * n || sodium_hex2bin(out, n, s, 2 * n, NULL, &got, &end) != 0 ||
	    got != n)
		return pl_errf(PL_E_PROTO, "hex: expected %zu hex digits", 2 * n);
	return PL_OK;
}

void
cr_b64_encode(char *out, size_t out_cap, const uint8_t *p, size_t n)
{
	(void)sodium_bin2base64(out, out_cap, p, n, sodium_base64_VARIANT_ORIGINAL);
}

enum pl_err
cr_b64_decode(uint8_t *out, size_t cap, size_t *out_len, const char *s, size_t n)
{
	const char *end = NULL;
	size_t i;

	*out_len = 0;
	/*
	 * libsodium 1.0.18 maps some bytes >= 0x80 to base64 digits (found by
	 * fuzz_checkpoint; tests/fuzz/regressions/checkpoint/): check the
	 * alphabet first.
	 */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/' || c == '='))
			return pl_errf(PL_E_PROTO, "base64: byte 0x%02x at %zu is not base64", c,
			               i);
	}
	if (sodium_base642bin(out, cap, s, n, NULL, out_len, &end,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != s + n) {
		*out_len = 0;
		return pl_errf(PL_E_PROTO,
		               "base64: not canonical standard base64, or longer than "
		               "%zu bytes",
		               cap);
	}
	return PL_OK;
}
