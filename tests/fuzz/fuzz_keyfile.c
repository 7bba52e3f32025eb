/*
 * fuzz_keyfile.c - keyfile_read and keyring_peek; keyring_unlock only for
 * files stored in clear (Argon2id would make each run take a second).
 */
#include "core/keyring.h"
#include "fuzz.h"
#include "wire/keyfile.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct party r;
	struct keyfile kf;
	struct keys *k = NULL;
	int enc = 1;

	(void)fuzz_keys();
	if (keyfile_read(&kf, data, size) != PL_OK)
		return 0;
	if (keyring_peek(&r, &enc, data, size) == PL_OK && !enc &&
	    keyring_unlock(&k, &r, data, size, NULL) == PL_OK)
		keys_free(k);
	return 0;
}
