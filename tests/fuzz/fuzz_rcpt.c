/* fuzz_rcpt.c - rcpt_read and receipt_verify. */
#include "core/receipt.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keys *k = fuzz_keys();
	uint8_t id[HASH_LEN] = { 0 };
	struct rcpt r;

	if (rcpt_read(&r, data, size) == PL_OK)
		memcpy(id, r.env_id, HASH_LEN);
	(void)receipt_verify(&r, data, size, id, keys_sign_pk(k));
	return 0;
}
