/*
 * box.c - sealed body keys and body AEAD.
 */
#include <sodium.h>

#include "box.h"

_Static_assert(BOX_PK_LEN == crypto_box_PUBLICKEYBYTES, "box pk");
_Static_assert(BOX_SK_LEN == crypto_box_SECRETKEYBYTES, "box sk");
_Static_assert(BOX_SEAL_OVERHEAD == crypto_box_SEALBYTES, "seal overhead");
_Static_assert(AEAD_KEY_LEN == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "aead key");
_Static_assert(AEAD_NONCE_LEN == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "aead nonce");
_Static_assert(AEAD_TAG_LEN == crypto_aead_xchacha20poly1305_ietf_ABYTES, "aead tag");

void
box_keypair(uint8_t pk[static BOX_PK_LEN], uint8_t sk[static BOX_SK_LEN])
{
	(void)crypto_box_keypair(pk, sk);
}

void
box_public(uint8_t pk[static BOX_PK_LEN], const uint8_t sk[static BOX_SK_LEN])
{
	(void)crypto_scalarmult_base(pk, sk);
}

enum pl_err
box_seal_key(uint8_t out[static BOX_SEALED_KEY_LEN], const uint8_t key[static AEAD_KEY_LEN],
             const uint8_t pk[static BOX_PK_LEN])
{
	if (crypto_box_seal(out, key, AEAD_KEY_LEN, pk) != 0)
		return pl_errf(PL_E_CRYPTO, "crypto: cannot seal to this X25519 key");
	return PL_OK;
}

enum pl_err
box_open_key(uint8_t key[static AEAD_KEY_LEN], const uint8_t in[static BOX_SEALED_KEY_LEN],
             const uint8_t pk[static BOX_PK_LEN], const uint8_t sk[static BOX_SK_LEN])
{
	if (crypto_box_seal_open(key, in, BOX_SEALED_KEY_LEN, pk, sk) != 0)
		return PL_E_CRYPTO;
	return PL_OK;
}

void
aead_encrypt(uint8_t *out, const uint8_t *in, size_t n, const uint8_t *ad, size_t ad_len,
             const uint8_t nonce[static AEAD_NONCE_LEN], const uint8_t key[static AEAD_KEY_LEN])
{
	(void)crypto_aead_xchacha20poly1305_ietf_encrypt(out, NULL, in, n, ad, ad_len, NULL, nonce,
	                                                 key);
}

enum pl_err
aead_decrypt(uint8_t *out, const uint8_t *in, size_t n, const uint8_t *ad, size_t ad_len,
             const uint8_t nonce[static AEAD_NONCE_LEN], const uint8_t key[static AEAD_KEY_LEN])
{
	if (n < AEAD_TAG_LEN || crypto_aead_xchacha20poly1305_ietf_decrypt(
	                                out, NULL, NULL, in, n, ad, ad_len, nonce, key) != 0)
		return PL_E_CRYPTO;
	return PL_OK;
}
