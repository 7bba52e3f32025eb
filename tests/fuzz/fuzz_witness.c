/*
 * fuzz_witness.c - witness_add_checkpoint on arbitrary request bodies,
 * against one known log whose key is the fuzz key; the records passed in
 * must never change.
 */
#include "fuzz.h"
#include "tlog/witness.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct witness_log logs[1], copy[1], upd;
	static struct witness_reply reply;
	static int init;
	struct keys *k = fuzz_keys();
	size_t which;

	if (!init) {
		if (note_key_make(&logs[0].key, "example.org/test-log", NOTE_TYPE_ED25519,
		                  keys_sign_pk(k)) != PL_OK)
			abort();
		logs[0].size = 4;
		witness_reply_init(&reply);
		init = 1;
	}
	memcpy(copy, logs, sizeof(logs));
	if (witness_add_checkpoint(&reply, &upd, &which, logs, 1, (const char *)data, size,
	                           "example.org/w", k, 1) != PL_OK &&
	    reply.status == 0)
		return 0;
	if (memcmp(copy, logs, sizeof(logs)) != 0)
		abort();
	return 0;
}
