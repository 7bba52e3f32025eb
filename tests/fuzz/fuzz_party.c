/* fuzz_party.c - party_read and identity_verify, also as a successor of itself. */
#include "core/identity.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct party a, b;
	uint8_t id[HASH_LEN];

	(void)fuzz_keys();
	if (party_read(&a, data, size) != PL_OK)
		return 0;
	hash_sha256(id, data, size);
	(void)identity_verify(&b, data, size, NULL, NULL);
	(void)identity_verify(&b, data, size, &a, id);
	(void)identity_fingerprint_match(&a, "0000-0000-0000-0000-0000-0000-0000-0000");
	return 0;
}
