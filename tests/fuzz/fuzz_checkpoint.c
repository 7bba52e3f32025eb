/*
 * fuzz_checkpoint.c - checkpoint_parse on raw note text.  What parses must
 * format back to the same bytes, and, signed by the fuzz key under its
 * origin (when the origin can be a key name), must open to the same
 * checkpoint.
 */
#include "fuzz.h"
#include "tlog/checkpoint.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct note n;
	struct checkpoint c, c2;
	struct note_key key;
	struct buf b;
	struct keys *k = fuzz_keys();
	size_t i;

	if (checkpoint_parse(&c, (const char *)data, size) != PL_OK)
		return 0;
	if (c.origin[0] == '\0' || c.n_ext > CHECKPOINT_EXT_MAX)
		abort();
	buf_init(&b, NOTE_MAX * 2);
	if (checkpoint_fmt(&b, &c) != PL_OK || b.len != size || memcmp(b.data, data, size) != 0)
		abort();
	if (size + 512 <= NOTE_MAX && note_name_ok(c.origin, strlen(c.origin))) {
		b.len = 0;
		if (note_key_make(&key, c.origin, NOTE_TYPE_ED25519, keys_sign_pk(k)) != PL_OK ||
		    checkpoint_sign(&b, &c, k) != PL_OK ||
		    checkpoint_open(&c2, &n, (const char *)b.data, b.len, &key, NULL, 0, NULL) !=
		            PL_OK ||
		    strcmp(c.origin, c2.origin) != 0 || c.size != c2.size ||
		    memcmp(c.root, c2.root, HASH_LEN) != 0 || c.n_ext != c2.n_ext)
			abort();
		for (i = 0; i < c.n_ext; i++)
			if (c.ext_len[i] != c2.ext_len[i] ||
			    memcmp(c.ext[i], c2.ext[i], c.ext_len[i]) != 0)
				abort();
	}
	buf_reset(&b);
	return 0;
}
