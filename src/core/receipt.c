/*
 * receipt.c - making and checking receipts.
 */
#include <string.h>

#include "../crypto/cr.h"
#include "receipt.h"

enum pl_err
receipt_sign(struct buf *out, const uint8_t env_id[static HASH_LEN], const char *receiver,
             uint64_t stored_ms, const struct keys *k)
{
	struct rcpt r;
	size_t start = out->len;
	enum pl_err err;

	memset(&r, 0, sizeof(r));
	r.version = RCPT_VERSION;
	memcpy(r.env_id, env_id, HASH_LEN);
	if ((err = codec_id_check("receiver", receiver)) != PL_OK)
		return err;
	memcpy(r.receiver, receiver, strlen(receiver) + 1);
	r.stored_ms = stored_ms;
	if ((err = rcpt_write_signed_part(out, &r)) == PL_OK &&
	    (err = buf_reserve(out, SIG_LEN)) == PL_OK) {
		keys_sign(k, out->data + out->len, out->data + start, out->len - start);
		out->len += SIG_LEN;
		return PL_OK;
	}
	out->len = start;
	return err;
}

enum pl_err
receipt_verify(struct rcpt *out, const uint8_t *p, size_t n, const uint8_t env_id[static HASH_LEN],
               const uint8_t receiver_pk[static SIG_PK_LEN])
{
	PL_TRY(rcpt_read(out, p, n));
	if (memcmp(out->env_id, env_id, HASH_LEN) != 0)
		return pl_errf(PL_E_PROTO, "receipt: from '%s' is for another envelope",
		               out->receiver);
	if (sig_verify(out->sig, receiver_pk, p, out->signed_len) != PL_OK)
		return pl_errf(PL_E_CRYPTO, "receipt: bad signature from '%s'", out->receiver);
	return PL_OK;
}
