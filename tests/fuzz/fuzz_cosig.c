/*
 * fuzz_cosig.c - cosig_verify over arbitrary signature bytes and text: the
 * first 72 bytes are the cosignature, the rest the checkpoint text.
 */
#include "fuzz.h"
#include "tlog/cosig.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keys *k = fuzz_keys();
	size_t sig_len = size < COSIG_LEN ? size : COSIG_LEN;
	uint64_t ts;

	(void)cosig_verify(&ts, data, sig_len, keys_sign_pk(k), (const char *)data + sig_len,
	                   size - sig_len);
	return 0;
}
