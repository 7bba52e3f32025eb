/*
 * fuzz_proof.c - proof_read, and policy_line on each line of the input;
 * what parses is verified against a fixed policy.
 */
#include "fuzz.h"
#include "tlog/proof.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tlog_proof pr;
	static struct proof_result res;
	static struct policy pol;
	uint8_t leaf[HASH_LEN] = { 0 };
	char line[256];
	size_t i, o = 0, n = 0;

	(void)fuzz_keys();
	policy_init(&pol);
	for (i = 0; i < size; i++) {
		if (data[i] == '\n' || o == sizeof(line) - 1) {
			line[o] = '\0';
			(void)policy_line(&pol, line, ++n);
			o = 0;
		} else {
			line[o++] = data[i] ? (char)data[i] : ' ';
		}
	}
	(void)policy_finish(&pol);
	if (proof_read(&pr, (const char *)data, size) == PL_OK && pol.has_log)
		(void)proof_verify(&res, &pr, &pol, leaf);
	return 0;
}
