/*
 * pw.c - password hashing and tokens (pw.h), with libsodium.
 */
#include <string.h>

#include <sodium.h>

#include "cr.h"
#include "pw.h"

static unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
static size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;

enum pl_err
pw_set_strength(const char *name)
{
	if (strcmp(name, "interactive") == 0) {
		ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	} else if (strcmp(name, "moderate") == 0) {
		ops = crypto_pwhash_OPSLIMIT_MODERATE;
		mem = crypto_pwhash_MEMLIMIT_MODERATE;
	} else {
		return pl_errf(PL_E_ARG, "password strength '%.32s': want interactive or moderate",
		               name);
	}
	return PL_OK;
}

enum pl_err
pw_hash(char *out, size_t cap, const char *password)
{
	size_t n = strlen(password);

	if (cap < crypto_pwhash_STRBYTES || PW_HASH_MAX < crypto_pwhash_STRBYTES)
		return pl_errf(PL_E_STATE, "password: hash buffer of %zu bytes", cap);
	if (n < PW_MIN || n > PW_MAX)
		return pl_errf(PL_E_ARG, "password: want %d to %d bytes, not %zu", PW_MIN, PW_MAX,
		               n);
	if (crypto_pwhash_str(out, password, n, ops, mem) != 0)
		return pl_errf(PL_E_NOMEM, "password: Argon2id could not get %zu bytes", mem);
	return PL_OK;
}

enum pl_err
pw_verify(const char *hash, const char *password)
{
	size_t n = strlen(password);

	if (n > PW_MAX || strnlen(hash, PW_HASH_MAX) == PW_HASH_MAX ||
	    crypto_pwhash_str_verify(hash, password, n) != 0)
		return pl_errf(PL_E_CRYPTO, "password: does not match");
	return PL_OK;
}

void
pw_token_new(char *out, size_t cap)
{
	uint8_t raw[32];

	randombytes_buf(raw, sizeof(raw));
	if (cap >= PW_TOKEN_STR_LEN + 1)
		sodium_bin2base64(out, cap, raw, sizeof(raw),
		                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	else if (cap > 0)
		out[0] = '\0';
	sodium_memzero(raw, sizeof(raw));
}

void
pw_token_hash(uint8_t out[static HASH_LEN], const char *token)
{
	hash_sha256(out, token, strlen(token));
}
