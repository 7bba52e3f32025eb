/*
 * entry.c - read and write transcript entries (entry.h).
 */
#include <string.h>

#include "entry.h"

static const uint8_t zero_hash[HASH_LEN];

/* The rules entry_read and entry_write share; NULL if e is fine. */
static const char *
entry_rule(const struct entry *e)
{
	struct rcpt r;
	int prev_zero = memcmp(e->prev, zero_hash, HASH_LEN) == 0;

	if (e->type < ENTRY_SENT || e->type > ENTRY_RECEIPT)
		return "unknown type";
	if (e->type != ENTRY_RECEIPT) {
		if (e->seq == 0)
			return "seq 0 (sequences start at 1)";
		if (e->seq == 1 && !prev_zero)
			return "prev must be all zero when seq is 1";
		if (e->seq > 1 && prev_zero)
			return "prev is all zero but seq > 1";
	}
	if (e->type != ENTRY_SENT && rcpt_read(&r, e->receipt, e->receipt_len) != PL_OK)
		return "receipt does not parse";
	if (e->type == ENTRY_RECEIVED && memcmp(r.env_id, e->env_id, HASH_LEN) != 0)
		return "receipt is for another envelope";
	return NULL;
}

enum pl_err
entry_read(struct entry *out, const uint8_t *p, size_t n)
{
	const char *why;
	struct rd rd;
	uint16_t len;
	size_t off;

	memset(out, 0, sizeof(*out));
	rd_init(&rd, "entry", p, n);
	PL_TRY(codec_label_read(&rd, ENTRY_LABEL));
	off = rd.off;
	PL_TRY(rd_u8(&rd, "version", &out->version));
	if (out->version != ENTRY_VERSION)
		return rd_fail(&rd, PL_E_PROTO, off, "unknown version %u (want %d)", out->version,
		               ENTRY_VERSION);
	off = rd.off;
	PL_TRY(rd_u8(&rd, "type", &out->type));
	if (out->type < ENTRY_SENT || out->type > ENTRY_RECEIPT)
		return rd_fail(&rd, PL_E_PROTO, off, "unknown type %u", out->type);
	if (out->type != ENTRY_RECEIPT) {
		PL_TRY(rd_bytes(&rd, "env_id", out->env_id, HASH_LEN));
		PL_TRY(codec_id_read(&rd, "channel", out->channel));
		PL_TRY(codec_id_read(&rd, "sender", out->sender));
		PL_TRY(rd_u64be(&rd, "seq", &out->seq));
		PL_TRY(rd_bytes(&rd, "prev", out->prev, HASH_LEN));
	}
	off = rd.off;
	if (out->type != ENTRY_SENT) {
		PL_TRY(rd_u16be(&rd, "receipt_len", &len));
		if (len > RCPT_ENCODED_MAX)
			return rd_fail(&rd, PL_E_TOOBIG, off, "receipt_len %u > %d", len,
			               RCPT_ENCODED_MAX);
		PL_TRY(rd_ptr(&rd, "receipt", len, &out->receipt));
		out->receipt_len = len;
	}
	PL_TRY(rd_end(&rd));
	if ((why = entry_rule(out)) != NULL)
		return rd_fail(&rd, PL_E_PROTO, off, "%s", why);
	return PL_OK;
}

enum pl_err
entry_write(struct buf *b, const struct entry *e)
{
	const char *why = entry_rule(e);
	size_t start = b->len;
	enum pl_err err;

	if (why != NULL)
		return pl_errf(PL_E_ARG, "entry: %s", why);
	if (e->receipt_len > RCPT_ENCODED_MAX)
		return pl_errf(PL_E_ARG, "entry: receipt of %zu bytes", e->receipt_len);
	if ((err = codec_label_write(b, ENTRY_LABEL)) != PL_OK ||
	    (err = buf_add_u8(b, ENTRY_VERSION)) != PL_OK ||
	    (err = buf_add_u8(b, e->type)) != PL_OK)
		goto fail;
	if (e->type != ENTRY_RECEIPT && ((err = buf_add(b, e->env_id, HASH_LEN)) != PL_OK ||
	                                 (err = codec_id_write(b, e->channel)) != PL_OK ||
	                                 (err = codec_id_write(b, e->sender)) != PL_OK ||
	                                 (err = buf_add_u64be(b, e->seq)) != PL_OK ||
	                                 (err = buf_add(b, e->prev, HASH_LEN)) != PL_OK))
		goto fail;
	if (e->type != ENTRY_SENT && ((err = buf_add_u16be(b, (uint16_t)e->receipt_len)) != PL_OK ||
	                              (err = buf_add(b, e->receipt, e->receipt_len)) != PL_OK))
		goto fail;
	return PL_OK;
fail:
	b->len = start;
	return err;
}

enum pl_err
entry_bundle_next(struct rd *rd, const uint8_t **p, size_t *n)
{
	uint16_t len;

	PL_TRY(rd_u16be(rd, "entry length", &len));
	PL_TRY(rd_ptr(rd, "entry", len, p));
	*n = len;
	return PL_OK;
}
