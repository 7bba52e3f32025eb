/*
 * box.h - body encryption: XChaCha20-Poly1305 (IETF construction) with a
 * fresh key per body, and that key sealed to each recipient's X25519 key
 * with libsodium's sealed box (X25519 with an ephemeral key,
 * XSalsa20-Poly1305).
 */
#ifndef PL_BOX_H
#define PL_BOX_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

#define BOX_PK_LEN         32
#define BOX_SK_LEN         32
#define BOX_SEAL_OVERHEAD  48 /* ephemeral public key + Poly1305 tag */
#define AEAD_KEY_LEN       32
#define AEAD_NONCE_LEN     24
#define AEAD_TAG_LEN       16
#define BOX_SEALED_KEY_LEN (AEAD_KEY_LEN + BOX_SEAL_OVERHEAD)

/* New X25519 key pair from the system random source. */
void box_keypair(uint8_t pk[static BOX_PK_LEN], uint8_t sk[static BOX_SK_LEN]);
/* The X25519 public key of sk. */
void box_public(uint8_t pk[static BOX_PK_LEN], const uint8_t sk[static BOX_SK_LEN]);

/* Seal a body key to a recipient. */
PL_MUST_USE enum pl_err box_seal_key(uint8_t out[static BOX_SEALED_KEY_LEN],
                                     const uint8_t key[static AEAD_KEY_LEN],
                                     const uint8_t pk[static BOX_PK_LEN]);
/* Open a sealed body key; PL_E_CRYPTO (no detail) if it was not sealed to this key pair. */
PL_MUST_USE enum pl_err box_open_key(uint8_t key[static AEAD_KEY_LEN],
                                     const uint8_t in[static BOX_SEALED_KEY_LEN],
                                     const uint8_t pk[static BOX_PK_LEN],
                                     const uint8_t sk[static BOX_SK_LEN]);

/* out receives n + AEAD_TAG_LEN bytes. */
void aead_encrypt(uint8_t *out, const uint8_t *in, size_t n, const uint8_t *ad, size_t ad_len,
                  const uint8_t nonce[static AEAD_NONCE_LEN],
                  const uint8_t key[static AEAD_KEY_LEN]);
/* n counts the tag; out receives n - AEAD_TAG_LEN bytes.  PL_E_CRYPTO (no detail) on a bad tag. */
PL_MUST_USE enum pl_err aead_decrypt(uint8_t *out, const uint8_t *in, size_t n, const uint8_t *ad,
                                     size_t ad_len, const uint8_t nonce[static AEAD_NONCE_LEN],
                                     const uint8_t key[static AEAD_KEY_LEN]);

#endif
