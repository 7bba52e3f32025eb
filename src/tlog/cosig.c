/*
 * cosig.c - timestamped witness cosignatures (tlog-cosignature.md, Ed25519).
 */
#include <string.h>

#include "cosig.h"
#include "note.h"

/* A cosigned checkpoint text is small; the note cap bounds the message. */
#define COSIG_MSG_MAX (NOTE_MAX + 64)

enum pl_err
cosig_message(struct buf *out, uint64_t timestamp, const char *text, size_t text_len)
{
	if (timestamp > (uint64_t)COSIG_TIME_MAX)
		return pl_errf(PL_E_ARG, "cosignature: timestamp beyond 2^63 - 1");
	/* SPEC: tlog-cosignature "cosignature/v1" header line, "time" line, then the note body */
	PL_TRY(buf_addf(out, "cosignature/v1\ntime %llu\n", (unsigned long long)timestamp));
	return buf_add(out, text, text_len);
}

enum pl_err
cosig_sign(struct buf *out, const char *text, size_t text_len, const char *name,
           const struct keys *k, uint64_t timestamp)
{
	uint8_t raw[COSIG_LEN];
	struct buf msg;
	enum pl_err err;
	int i;

	buf_init(&msg, COSIG_MSG_MAX);
	if ((err = cosig_message(&msg, timestamp, text, text_len)) == PL_OK) {
		for (i = 0; i < 8; i++)
			raw[i] = (uint8_t)(timestamp >> (56 - 8 * i));
		keys_sign(k, raw + 8, msg.data, msg.len);
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
		return pl_errf(PL_E_CRYPTO, "cosignature: %zu bytes, want %d", sig_len, COSIG_LEN);
	for (i = 0; i < 8; i++)
		ts = ts << 8 | sig[i];
	buf_init(&msg, COSIG_MSG_MAX);
	if ((err = cosig_message(&msg, ts, text, text_len)) == PL_OK &&
	    (err = sig_verify(sig + 8, pk, msg.data, msg.len)) == PL_OK)
		*timestamp = ts;
	buf_reset(&msg);
	return err;
}
