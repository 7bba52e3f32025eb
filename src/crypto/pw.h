/*
 * pw.h - officers' passwords and session tokens.
 *
 * Passwords are hashed with Argon2id (libsodium's crypto_pwhash_str: salt
 * and parameters inside the string), tokens are 32 random bytes in
 * base64url, and the node keeps only SHA-256 of a token, so a stolen
 * store yields neither.
 */
#ifndef PL_PW_H
#define PL_PW_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "hash.h"

#define PW_HASH_MAX      128 /* crypto_pwhash_STRBYTES, with its NUL */
#define PW_MIN           8
#define PW_MAX           1024
#define PW_TOKEN_STR_LEN 43 /* 32 bytes in base64url without padding */

/*
 * Hash password into out (cap >= PW_HASH_MAX).  PL_E_ARG if the password is
 * shorter than PW_MIN or longer than PW_MAX bytes.  The Argon2id cost is
 * libsodium's "interactive" preset, or "moderate" when PARLEY_PW_STRENGTH
 * says so at start-up (pw_set_strength).
 */
PL_MUST_USE enum pl_err pw_hash(char *out, size_t cap, const char *password);

/* PL_OK if password matches hash; PL_E_CRYPTO otherwise (also for a malformed hash). */
PL_MUST_USE enum pl_err pw_verify(const char *hash, const char *password);

/* "interactive" (default) or "moderate"; PL_E_ARG for anything else. */
PL_MUST_USE enum pl_err pw_set_strength(const char *name);

/* A fresh token: PW_TOKEN_STR_LEN characters and a NUL (cap >= PW_TOKEN_STR_LEN + 1). */
void pw_token_new(char *out, size_t cap);

/* What the store keeps of a token. */
void pw_token_hash(uint8_t out[static HASH_LEN], const char *token);

#endif
