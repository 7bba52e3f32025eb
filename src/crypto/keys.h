/*
 * keys.h - a party's secret keys: the Ed25519 key that signs everything the
 * party says and the X25519 key that opens the body keys sealed to it.
 *
 * The secret halves live only in a struct keys allocated here, in guarded
 * locked memory that is wiped on free.  Callers ask keys to sign bytes or to
 * open a sealed body key; they never see the secret bytes.  This is the
 * boundary along which a separate keys process can later be split off.
 *
 * At rest the two secrets (the Ed25519 seed and the X25519 secret key, 64
 * bytes) are encrypted with XChaCha20-Poly1305 under a key derived from a
 * passphrase with Argon2id; the file's public header is the AEAD's
 * associated data, so it cannot be altered unnoticed.
 */
#ifndef PL_KEYS_H
#define PL_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "box.h"
#include "sig.h"

#define KEYS_SECRET_LEN  (SIG_SEED_LEN + BOX_SK_LEN) /* what a key file protects */
#define KEYS_SALT_LEN    16
#define KEYS_WRAPPED_LEN (KEYS_SECRET_LEN + AEAD_TAG_LEN)

/* Passphrase-hashing strengths (libsodium's Argon2id presets). */
enum keys_kdf {
	KEYS_KDF_NONE = 0,     /* stored in clear: only when asked explicitly */
	KEYS_KDF_ARGON2ID = 1, /* Argon2id v1.3 */
};

struct keys_kdf_params {
	enum keys_kdf alg;
	uint64_t ops; /* Argon2id passes */
	uint64_t mem; /* bytes */
	uint8_t salt[KEYS_SALT_LEN];
};

/* Limits accepted when reading a key file, so a hostile file cannot demand hours or terabytes. */
#define KEYS_OPS_MAX 16
#define KEYS_MEM_MAX (4ULL << 30)

struct keys; /* opaque */

/* New random keys.  Caller frees with keys_free(). NULL when secure memory is exhausted. */
struct keys *keys_new(void);
/* Keys from fixed secrets (seed || X25519 secret), for vectors and for unlocking files. */
struct keys *keys_from_secret(const uint8_t secret[static KEYS_SECRET_LEN]);
void keys_free(struct keys *k);

const uint8_t *keys_sign_pk(const struct keys *k); /* SIG_PK_LEN bytes */
const uint8_t *keys_box_pk(const struct keys *k);  /* BOX_PK_LEN bytes */

void keys_sign(const struct keys *k, uint8_t sig[static SIG_LEN], const void *msg, size_t n);
/* PL_E_CRYPTO (no detail) if the key was not sealed to this party. */
PL_MUST_USE enum pl_err keys_open(const struct keys *k, uint8_t key[static AEAD_KEY_LEN],
                                  const uint8_t sealed[static BOX_SEALED_KEY_LEN]);

/* Parameters for a strength name: "interactive", "moderate" (default), "sensitive". */
PL_MUST_USE enum pl_err keys_kdf_choose(struct keys_kdf_params *p, const char *strength);
/* Check parameters read from a file against the limits above. */
PL_MUST_USE enum pl_err keys_kdf_check(const struct keys_kdf_params *p);

/*
 * Encrypt the secrets for storage.  out receives KEYS_WRAPPED_LEN bytes
 * (or KEYS_SECRET_LEN with KEYS_KDF_NONE); ad is the file header.
 */
PL_MUST_USE enum pl_err keys_wrap(const struct keys *k, const struct keys_kdf_params *p,
                                  const char *passphrase,
                                  const uint8_t nonce[static AEAD_NONCE_LEN], const uint8_t *ad,
                                  size_t ad_len, uint8_t *out, size_t out_len);
/* The reverse; PL_E_CRYPTO with a message on a wrong passphrase or altered file. */
PL_MUST_USE enum pl_err keys_unwrap(struct keys **out, const struct keys_kdf_params *p,
                                    const char *passphrase,
                                    const uint8_t nonce[static AEAD_NONCE_LEN], const uint8_t *ad,
                                    size_t ad_len, const uint8_t *in, size_t in_len);

#endif
