/* fuzz_note.c - note_read, and note_verify against a fixed key of each type. */
#include "fuzz.h"
#include "tlog/note.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct note n;
	struct note_key keys[2];
	struct note_seen seen[2];
	struct keys *k = fuzz_keys();

	if (note_read(&n, (const char *)data, size) != PL_OK)
		return 0;
	if (note_key_make(&keys[0], "example.com/foo", NOTE_TYPE_ED25519, keys_sign_pk(k)) !=
	            PL_OK ||
	    note_key_make(&keys[1], "example.org/test-witness", NOTE_TYPE_COSIG, keys_sign_pk(k)) !=
	            PL_OK)
		abort();
	(void)note_verify(&n, keys, 2, seen);
	return 0;
}
