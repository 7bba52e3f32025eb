/*
 * fuzz_note.c - note_read on arbitrary bytes.  What it accepts must be
 * what the spec allows and must write back byte for byte: the text, a
 * blank line, and each signature line rebuilt from its parsed name, key ID
 * and signature (strict base64 has one encoding per byte string).  The
 * verifier then runs against a fixed key of each type, and a signature of
 * the accepted text by the fuzz key must read back and verify.
 */
#include "fuzz.h"
#include "tlog/note.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct note n, n2;
	static struct note_key keys[2];
	static int init;
	struct note_seen seen[2];
	struct keys *k = fuzz_keys();
	struct buf b;
	size_t i, whole = 1;

	if (!init) {
		if (note_key_make(&keys[0], "example.com/foo", NOTE_TYPE_ED25519,
		                  keys_sign_pk(k)) != PL_OK ||
		    note_key_make(&keys[1], "example.org/test-witness", NOTE_TYPE_COSIG,
		                  keys_sign_pk(k)) != PL_OK)
			abort();
		init = 1;
	}
	if (note_read(&n, (const char *)data, size) != PL_OK)
		return 0;
	/* The text is a prefix of the input, a valid note text, followed by the blank line. */
	if (n.text != (const char *)data || n.text_len >= size ||
	    !note_text_ok(n.text, n.text_len) || data[n.text_len] != '\n' || n.n_sigs == 0 ||
	    n.n_sigs > NOTE_SIGS_MAX)
		abort();
	/* Rebuild the note when every signature was kept whole. */
	buf_init(&b, NOTE_MAX);
	if (buf_add(&b, n.text, n.text_len) != PL_OK || buf_add_u8(&b, '\n') != PL_OK)
		abort();
	for (i = 0; i < n.n_sigs && whole; i++) {
		const struct note_sig *s = &n.sigs[i];

		if (s->name_len > NOTE_NAME_MAX || s->len == 0) {
			whole = 0;
			break;
		}
		if (strlen(s->name) != s->name_len ||
		    note_sig_line(&b, s->name, s->key_id, s->sig, s->len) != PL_OK)
			abort();
	}
	if (whole && (b.len != size || memcmp(b.data, data, size) != 0))
		abort();
	(void)note_verify(&n, keys, 2, seen);
	/* The fuzz key's own signature of this text reads back and verifies. */
	b.len = 0;
	if (n.text_len + 512 <= NOTE_MAX &&
	    (buf_add(&b, n.text, n.text_len) != PL_OK || buf_add_u8(&b, '\n') != PL_OK ||
	     note_sign(&b, n.text, n.text_len, keys[0].name, k) != PL_OK ||
	     note_read(&n2, (const char *)b.data, b.len) != PL_OK || n2.n_sigs != 1 ||
	     n2.text_len != n.text_len || note_verify(&n2, keys, 2, seen) != PL_OK ||
	     !seen[0].verified || seen[1].verified))
		abort();
	buf_reset(&b);
	return 0;
}
