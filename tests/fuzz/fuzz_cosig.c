/*
 * fuzz_cosig.c - cosig_verify over arbitrary signature bytes and text: the
 * first 72 bytes are the cosignature (timestamp || Ed25519), the rest the
 * checkpoint text.  When the rest is a note text, the fuzz key's own
 * cosignature at that timestamp (capped at 2^63 - 1) must verify, report
 * the time, and read back from its note line.
 */
#include "fuzz.h"
#include "tlog/cosig.h"
#include "tlog/note.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct note n;
	struct keys *k = fuzz_keys();
	size_t sig_len = size < COSIG_LEN ? size : COSIG_LEN;
	const char *text = (const char *)data + sig_len;
	size_t text_len = size - sig_len;
	struct note_key key;
	struct note_seen seen;
	struct buf b;
	uint64_t ts = 0, got;
	size_t i;

	if (cosig_verify(&got, data, sig_len, keys_sign_pk(k), text, text_len) != PL_OK && got != 0)
		abort();
	if (sig_len < 8 || text_len + 512 > NOTE_MAX || !note_text_ok(text, text_len))
		return 0;
	for (i = 0; i < 8; i++)
		ts = ts << 8 | data[i];
	ts &= (uint64_t)COSIG_TIME_MAX;
	buf_init(&b, NOTE_MAX + 1024);
	if (note_key_make(&key, "example.org/w", NOTE_TYPE_COSIG, keys_sign_pk(k)) != PL_OK ||
	    buf_add(&b, text, text_len) != PL_OK || buf_add_u8(&b, '\n') != PL_OK ||
	    cosig_sign(&b, text, text_len, key.name, k, ts) != PL_OK ||
	    note_read(&n, (const char *)b.data, b.len) != PL_OK || n.n_sigs != 1 ||
	    n.sigs[0].len != COSIG_LEN || n.sigs[0].key_id != key.id ||
	    cosig_verify(&got, n.sigs[0].sig, COSIG_LEN, keys_sign_pk(k), text, text_len) !=
	            PL_OK ||
	    got != ts || note_verify(&n, &key, 1, &seen) != PL_OK || seen.timestamp != ts)
		abort();
	buf_reset(&b);
	return 0;
}
