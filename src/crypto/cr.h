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

#endif
