/*
 * sig.h - Ed25519 signatures (RFC 8032, through libsodium).
 *
 * Verification is libsodium's, which rejects non-canonical encodings of S
 * and small-order public keys, so a valid signature cannot be altered into
 * another valid one.
 */
#ifndef PL_SIG_H
#define PL_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

#define SIG_PK_LEN   32
#define SIG_SK_LEN   64 /* libsodium's seed || public key form */
#define SIG_SEED_LEN 32
#define SIG_LEN      64

/* Derive a key pair from a 32-byte seed. */
void sig_keypair_seed(uint8_t pk[static SIG_PK_LEN], uint8_t sk[static SIG_SK_LEN],
                      const uint8_t seed[static SIG_SEED_LEN]);
void sig_sign(uint8_t sig[static SIG_LEN], const uint8_t sk[static SIG_SK_LEN], const void *msg,
              size_t n);
/* PL_E_CRYPTO (with no detail set) if the signature does not verify. */
PL_MUST_USE enum pl_err sig_verify(const uint8_t sig[static SIG_LEN],
                                   const uint8_t pk[static SIG_PK_LEN], const void *msg, size_t n);

#endif
