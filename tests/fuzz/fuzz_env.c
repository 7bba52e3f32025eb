/* fuzz_env.c - env_read, and for what parses: verify, open, decrypt. */
#include "core/envelope.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct env e;
	struct keys *k = fuzz_keys();
	uint8_t key[AEAD_KEY_LEN] = { 0 };
	struct buf plain;

	if (env_read(&e, data, size) != PL_OK)
		return 0;
	(void)envelope_verify(&e, keys_sign_pk(k));
	buf_init_secret(&plain, ENV_PLAIN_MAX);
	(void)envelope_open(&plain, &e, "us-nrrc", k);
	plain.len = 0;
	(void)envelope_decrypt(&plain, &e, key);
	buf_reset(&plain);
	return 0;
}
