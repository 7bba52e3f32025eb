/*
 * cr.h - libsodium start-up, randomness, secret memory and constant-time
 * comparison.  Together with hash.h, sig.h, box.h and keys.h this directory
 * is the only code that calls libsodium.
 */
#ifndef PL_CR_H
#define PL_CR_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

/* Initialise libsodium once; safe to call again.  PL_E_STATE if it cannot start. */
PL_MUST_USE enum pl_err cr_init(void);

/*
 * Replace the system random source with a deterministic stream derived from
 * seed, for test vectors only.  Must be called before cr_init().
 */
void cr_rng_deterministic(const uint8_t seed[static 32]);

void cr_random(void *p, size_t n);

/* Constant-time equality of two secrets of n bytes: 1 if equal. */
int cr_eq(const void *a, const void *b, size_t n);

/* Wipe memory the compiler may not optimise away. */
void cr_wipe(void *p, size_t n);

/*
 * Guarded, locked (mlock, where the system allows) memory for secrets;
 * excluded from core dumps.  Free with cr_secret_free(), which wipes it.
 */
void *cr_secret_new(size_t n);
void cr_secret_free(void *p);

/* Encode n bytes as lowercase hex into out (2n+1 bytes, NUL-terminated). */
void cr_hex(char *out, const uint8_t *p, size_t n);

/* Decode exactly n bytes of hex from s; PL_E_PROTO unless s is 2n hex digits. */
PL_MUST_USE enum pl_err cr_unhex(uint8_t *out, size_t n, const char *s);

/*
 * Standard base64 with padding (RFC 4648 section 4), libsodium's strict
 * decoder: bad characters, bad padding and non-zero trailing bits are
 * refused.  cr_b64_encode writes a NUL-terminated string; out_cap must be at
 * least CR_B64_LEN(n).  cr_b64_decode decodes exactly n characters into at
 * most cap bytes and sets *out_len; PL_E_PROTO on any fault.
 */
#define CR_B64_LEN(n) ((((n) + 2) / 3) * 4 + 1)
void cr_b64_encode(char *out, size_t out_cap, const uint8_t *p, size_t n);
PL_MUST_USE enum pl_err cr_b64_decode(uint8_t *out, size_t cap, size_t *out_len, const char *s,
                                      size_t n);

#endif
