/*
 * rcpt.c - read and write receipts.
 */
#include <string.h>

#include "rcpt.h"

enum pl_err
rcpt_read(struct rcpt *out, const uint8_t *p, size_t n)
{
	struct rd rd;
	size_t off;

	memset(out, 0, sizeof(*out));
	rd_init(&rd, "receipt", p, n);
	PL_TRY(codec_label_read(&rd, RCPT_LABEL));
	off = rd.off;
	PL_TRY(rd_u8(&rd, "version", &out->version));
	if (out->version != RCPT_VERSION)
		return rd_fail(&rd, PL_E_PROTO, off, "unknown version %u (want %d)", out->version,
		               RCPT_VERSION);
	PL_TRY(rd_bytes(&rd, "env_id", out->env_id, HASH_LEN));
	PL_TRY(codec_id_read(&rd, "receiver", out->receiver));
	PL_TRY(rd_u64be(&rd, "stored_ms", &out->stored_ms));
	out->signed_len = rd.off;
	PL_TRY(rd_bytes(&rd, "sig", out->sig, SIG_LEN));
	return rd_end(&rd);
}

enum pl_err
rcpt_write_signed_part(struct buf *b, const struct rcpt *r)
{
	if (r->version != RCPT_VERSION)
		return pl_errf(PL_E_ARG, "receipt: version %u", r->version);
	PL_TRY(codec_label_write(b, RCPT_LABEL));
	PL_TRY(buf_add_u8(b, r->version));
	PL_TRY(buf_add(b, r->env_id, HASH_LEN));
	PL_TRY(codec_id_write(b, r->receiver));
	return buf_add_u64be(b, r->stored_ms);
}
