/*
 * cosig.c - timestamped witness cosignatures (tlog-cosignature.md at tag
 * tlog-cosignature/v1.0.1, the Ed25519 signed message).
 *
 * The message is built in a buffer for each signature: Ed25519 needs it in
 * one piece, and a checkpoint is small.
 */
#include <string.h>

#include "cosig.h"
#include "note.h"

/* Header, time line with up to 19 digits, and a note's text. */
#define COSIG_MSG_MAX (NOTE_MAX + 64)

enum pl_err
cosig_message(struct buf *out, uint64_t timestamp, const char *text, size_t text_len)
{
	size_t start = out->len;
	enum pl_err err;

	if (timestamp > (uint64_t)COSIG_TIME_MAX)
		return pl_errf(PL_E_ARG, "cosignature: timestamp %llu beyond 2^63 - 1",
		               (unsigned long long)timestamp);
	/* SPEC: tlog-cosignature "The header line MUST be the fixed string cosignature/v1" */
	/* SPEC: tlog-cosignature "The timestamp line MUST consist of the string time, a single space (0x20), and ... ASCII decimal with no leading zeroes" */
	/* SPEC: tlog-cosignature "followed by the whole note body of the cosigned checkpoint (including the final newline ...)" */
	if ((err = buf_addf(out, "cosignature/v1\ntime %llu\n", (unsigned long long)timestamp)) ==
	            PL_OK &&
	    (err = buf_add(out, text, text_len)) != PL_OK)
		out->len = start;
	return err;
}

enum pl_err
cosig_sign(struct buf *out, const char *text, size_t text_len, const char *name,
           const struct keys *k, uint64_t timestamp)
{
	uint8_t raw[COSIG_LEN];
	struct buf msg;
	enum pl_err err;
	int i;

	if (!note_text_ok(text, text_len))
		return pl_errf(PL_E_ARG, "cosignature: text is not a note text");
	buf_init(&msg, COSIG_MSG_MAX);
	if ((err = cosig_message(&msg, timestamp, text, text_len)) == PL_OK) {
		/* SPEC: tlog-cosignature timestamped_signature: u64 timestamp (big-endian), then the signature */
		for (i = 0; i < 8; i++)
			raw[i] = (uint8_t)(timestamp >> (56 - 8 * i));
		keys_sign(k, raw + 8, msg.data, msg.len);
		/* SPEC: tlog-cosignature "SHA-256(<name> || \n || 0x04 || 32-byte Ed25519 cosigner public key)[:4]" */
		err = note_sig_line(out, name, note_key_id(name, NOTE_TYPE_COSIG, keys_sign_pk(k)),
		                    raw, sizeof(raw));
	}
	buf_reset(&msg);
	return err;
}

enum pl_err
cosig_verify(uint64_t *timestamp, const uint8_t *sig, size_t sig_len,
             const uint8_t pk[static SIG_PK_LEN], const char *text, size_t text_len)
{
	struct buf msg;
	enum pl_err err;
	uint64_t ts = 0;
	int i;

	*timestamp = 0;
	if (sig_len != COSIG_LEN)
		return pl_errf(PL_E_PROTO, "cosignature: %zu bytes, want %d", sig_len, COSIG_LEN);
	for (i = 0; i < 8; i++)
		ts = ts << 8 | sig[i];
	/* SPEC: tlog-cosignature timestamp "MUST NOT exceed 2^63 - 1" */
	if (ts > (uint64_t)COSIG_TIME_MAX)
		return pl_errf(PL_E_PROTO, "cosignature: timestamp %llu beyond 2^63 - 1",
		               (unsigned long long)ts);
	buf_init(&msg, COSIG_MSG_MAX);
	if ((err = cosig_message(&msg, ts, text, text_len)) == PL_OK &&
	    (err = sig_verify(sig + 8, pk, msg.data, msg.len)) != PL_OK)
		err = pl_errf(PL_E_CRYPTO, "cosignature: Ed25519 signature does not verify");
	if (err == PL_OK)
		*timestamp = ts;
	buf_reset(&msg);
	return err;
}
