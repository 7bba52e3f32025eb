/*
 * fuzz.h - shared set-up for the libFuzzer targets: libsodium once, and
 * fixed keys so that targets can drive the verify and open paths too.
 */
#ifndef PL_FUZZ_H
#define PL_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cr.h"
#include "crypto/hash.h"
#include "crypto/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keys of the vector party "us-nrrc" (tests/vectors), made once. */
static struct keys *
fuzz_keys(void)
{
	static struct keys *k;
	uint8_t secret[KEYS_SECRET_LEN];

	if (k == NULL) {
		if (cr_init() != PL_OK)
			abort();
		hash_sha256(secret, "parley vector key us-nrrc", 25);
		hash_sha256(secret + 32, "parley vector box us-nrrc", 25);
		if ((k = keys_from_secret(secret)) == NULL)
			abort();
	}
	return k;
}

#endif
