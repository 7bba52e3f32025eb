/*
 * sig.c - Ed25519 wrappers.
 */
#include <sodium.h>

#include "sig.h"

_Static_assert(SIG_PK_LEN == crypto_sign_PUBLICKEYBYTES, "pk size");
_Static_assert(SIG_SK_LEN == crypto_sign_SECRETKEYBYTES, "sk size");
_Static_assert(SIG_SEED_LEN == crypto_sign_SEEDBYTES, "seed size");
_Static_assert(SIG_LEN == crypto_sign_BYTES, "sig size");

void
sig_keypair_seed(uint8_t pk[static SIG_PK_LEN], uint8_t sk[static SIG_SK_LEN],
                 const uint8_t seed[static SIG_SEED_LEN])
{
	(void)crypto_sign_seed_keypair(pk, sk, seed);
}

void
sig_sign(uint8_t sig[static SIG_LEN], const uint8_t sk[static SIG_SK_LEN], const void *msg,
         size_t n)
{
	(void)crypto_sign_detached(sig, NULL, msg, n, sk);
}

enum pl_err
sig_verify(const uint8_t sig[static SIG_LEN], const uint8_t pk[static SIG_PK_LEN], const void *msg,
           size_t n)
{
	if (crypto_sign_verify_detached(sig, msg, n, pk) != 0)
		return PL_E_CRYPTO;
	return PL_OK;
}
