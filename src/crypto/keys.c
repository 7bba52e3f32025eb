/*
 * keys.c - secret key custody.
 *
 * struct keys is one sodium_malloc() block: guard pages around it, mlock()ed
 * where the system allows, and wiped by sodium_free().  Temporary copies of
 * secrets (the derived file key, the 64-byte secret) are wiped before return
 * on every path.
 */
#include <string.h>

#include <sodium.h>

#include "cr.h"
#include "keys.h"

struct keys {
	uint8_t sign_sk[SIG_SK_LEN];
	uint8_t box_sk[BOX_SK_LEN];
	uint8_t sign_pk[SIG_PK_LEN];
	uint8_t box_pk[BOX_PK_LEN];
};

struct keys *
keys_from_secret(const uint8_t secret[static KEYS_SECRET_LEN])
{
	struct keys *k;

	if ((k = cr_secret_new(sizeof(*k))) == NULL)
		return NULL;
	sig_keypair_seed(k->sign_pk, k->sign_sk, secret);
	memcpy(k->box_sk, secret + SIG_SEED_LEN, BOX_SK_LEN);
	box_public(k->box_pk, k->box_sk);
	return k;
}

struct keys *
keys_new(void)
{
	uint8_t secret[KEYS_SECRET_LEN];
	struct keys *k;

	cr_random(secret, sizeof(secret));
	k = keys_from_secret(secret);
	cr_wipe(secret, sizeof(secret));
	return k;
}

void
keys_free(struct keys *k)
{
	if (k != NULL)
		cr_secret_free(k);
}

const uint8_t *
keys_sign_pk(const struct keys *k)
{
	return k->sign_pk;
}

const uint8_t *
keys_box_pk(const struct keys *k)
{
	return k->box_pk;
}

void
keys_sign(const struct keys *k, uint8_t sig[static SIG_LEN], const void *msg, size_t n)
{
	sig_sign(sig, k->sign_sk, msg, n);
}

enum pl_err
keys_open(const struct keys *k, uint8_t key[static AEAD_KEY_LEN],
          const uint8_t sealed[static BOX_SEALED_KEY_LEN])
{
	return box_open_key(key, sealed, k->box_pk, k->box_sk);
}

enum pl_err
keys_kdf_choose(struct keys_kdf_params *p, const char *strength)
{
	memset(p, 0, sizeof(*p));
	p->alg = KEYS_KDF_ARGON2ID;
	if (strcmp(strength, "interactive") == 0) {
		p->ops = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
		p->mem = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
	} else if (strcmp(strength, "moderate") == 0) {
		p->ops = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
		p->mem = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
	} else if (strcmp(strength, "sensitive") == 0) {
		p->ops = crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE;
		p->mem = crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE;
	} else {
		return pl_errf(
		        PL_E_ARG,
		        "key: unknown kdf strength '%.32s' (interactive, moderate, sensitive)",
		        strength);
	}
	cr_random(p->salt, sizeof(p->salt));
	return PL_OK;
}

enum pl_err
keys_kdf_check(const struct keys_kdf_params *p)
{
	if (p->alg == KEYS_KDF_NONE)
		return PL_OK;
	if (p->alg != KEYS_KDF_ARGON2ID)
		return pl_errf(PL_E_PROTO, "key: unknown kdf %d", (int)p->alg);
	if (p->ops < crypto_pwhash_argon2id_OPSLIMIT_MIN || p->ops > KEYS_OPS_MAX)
		return pl_errf(PL_E_PROTO, "key: argon2id ops %llu outside %llu..%d",
		               (unsigned long long)p->ops,
		               (unsigned long long)crypto_pwhash_argon2id_OPSLIMIT_MIN,
		               KEYS_OPS_MAX);
	if (p->mem < crypto_pwhash_argon2id_MEMLIMIT_MIN || p->mem > KEYS_MEM_MAX)
		return pl_errf(PL_E_PROTO, "key: argon2id memory %llu outside %llu..%llu",
		               (unsigned long long)p->mem,
		               (unsigned long long)crypto_pwhash_argon2id_MEMLIMIT_MIN,
		               (unsigned long long)KEYS_MEM_MAX);
	return PL_OK;
}

/* Derive the 32-byte file key from the passphrase. */
static enum pl_err
keys_derive(uint8_t fk[static AEAD_KEY_LEN], const struct keys_kdf_params *p,
            const char *passphrase)
{
	PL_TRY(keys_kdf_check(p));
	if (crypto_pwhash(fk, AEAD_KEY_LEN, passphrase, strlen(passphrase), p->salt, p->ops,
	                  (size_t)p->mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return pl_errf(PL_E_NOMEM, "key: argon2id could not get %llu bytes of memory",
		               (unsigned long long)p->mem);
	return PL_OK;
}

enum pl_err
keys_wrap(const struct keys *k, const struct keys_kdf_params *p, const char *passphrase,
          const uint8_t nonce[static AEAD_NONCE_LEN], const uint8_t *ad, size_t ad_len,
          uint8_t *out, size_t out_len)
{
	uint8_t secret[KEYS_SECRET_LEN];
	uint8_t fk[AEAD_KEY_LEN];
	enum pl_err err;

	/* libsodium's secret key is seed || pk: the seed is its first half. */
	memcpy(secret, k->sign_sk, SIG_SEED_LEN);
	memcpy(secret + SIG_SEED_LEN, k->box_sk, BOX_SK_LEN);
	if (p->alg == KEYS_KDF_NONE) {
		err = out_len == KEYS_SECRET_LEN ? PL_OK
		                                 : pl_errf(PL_E_STATE, "key: wrong output size");
		if (err == PL_OK)
			memcpy(out, secret, KEYS_SECRET_LEN);
		goto out;
	}
	if (out_len != KEYS_WRAPPED_LEN) {
		err = pl_errf(PL_E_STATE, "key: wrong output size");
		goto out;
	}
	if ((err = keys_derive(fk, p, passphrase)) != PL_OK)
		goto out;
	aead_encrypt(out, secret, sizeof(secret), ad, ad_len, nonce, fk);
out:
	cr_wipe(fk, sizeof(fk));
	cr_wipe(secret, sizeof(secret));
	return err;
}

enum pl_err
keys_unwrap(struct keys **out, const struct keys_kdf_params *p, const char *passphrase,
            const uint8_t nonce[static AEAD_NONCE_LEN], const uint8_t *ad, size_t ad_len,
            const uint8_t *in, size_t in_len)
{
	uint8_t secret[KEYS_SECRET_LEN];
	uint8_t fk[AEAD_KEY_LEN];
	enum pl_err err;

	*out = NULL;
	if (p->alg == KEYS_KDF_NONE) {
		if (in_len != KEYS_SECRET_LEN) {
			err = pl_errf(PL_E_PROTO, "key: secret is %zu bytes, want %d", in_len,
			              KEYS_SECRET_LEN);
			goto out;
		}
		memcpy(secret, in, KEYS_SECRET_LEN);
	} else {
		if (in_len != KEYS_WRAPPED_LEN) {
			err = pl_errf(PL_E_PROTO, "key: wrapped secret is %zu bytes, want %d",
			              in_len, KEYS_WRAPPED_LEN);
			goto out;
		}
		if ((err = keys_derive(fk, p, passphrase)) != PL_OK)
			goto out;
		if (aead_decrypt(secret, in, in_len, ad, ad_len, nonce, fk) != PL_OK) {
			err = pl_errf(PL_E_CRYPTO,
			              "key: wrong passphrase, or the key file was altered");
			goto out;
		}
	}
	if ((*out = keys_from_secret(secret)) == NULL)
		err = pl_errf(PL_E_NOMEM, "key: no secure memory for keys");
	else
		err = PL_OK;
out:
	cr_wipe(fk, sizeof(fk));
	cr_wipe(secret, sizeof(secret));
	return err;
}
