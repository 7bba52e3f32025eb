/*
 * api_peer.c - the peer API (docs/node.md#peer-api, docs/api.md#peer-api).
 *
 * POST /peer/v1/envelopes takes a batch of envelopes (api_peer.h) and
 * hands it to node_receive, which judges each envelope on its own
 * signature: the HTTP request itself carries no credentials.  The answer
 * is JSON with the receipts of what was accepted and, if something was
 * refused, why, with the status node_refusal_http gives.
 *
 * GET /peer/v1/envelopes?channel=C&from=N[&sender=S][&limit=L] gives a
 * member what S (default: this node) sent on C from seq N on, as far as
 * this node holds it, as a batch.  The member proves who it is with
 * the Parley-Auth header (peer_auth.h), checked against its pinned key.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "../common/alloc.h"
#include "../common/log.h"
#include "../common/rd.h"
#include "../core/peer_auth.h"
#include "../crypto/cr.h"
#include "../wire/rcpt.h"
#include "api_peer.h"
#include "http.h"

/* The largest GET answer: a full batch of the largest envelopes. */
#define API_FETCH_MAX ((size_t)NODE_BATCH_MAX * (4 + ENV_ENCODED_MAX))

enum pl_err
api_peer_parse_batch(const uint8_t *p, size_t n, struct api_batch *out)
{
	char field[40];
	struct rd rd;

	out->count = 0;
	out->bad_index = 0;
	rd_init(&rd, "peer batch", p, n);
	if (n == 0)
		return rd_fail(&rd, PL_E_PROTO, 0, "empty (1 to %d envelopes expected)",
		               NODE_BATCH_MAX);
	while (rd.left > 0) {
		size_t at = rd.off;
		uint32_t len;

		out->bad_index = out->count;
		if (out->count == NODE_BATCH_MAX)
			return rd_fail(&rd, PL_E_PROTO, at, "more than %d envelopes",
			               NODE_BATCH_MAX);
		(void)snprintf(field, sizeof(field), "length of envelope %zu", out->count);
		PL_TRY(rd_u32be(&rd, field, &len));
		if (len == 0)
			return rd_fail(&rd, PL_E_PROTO, at, "envelope %zu: length 0", out->count);
		if (len > ENV_ENCODED_MAX)
			return rd_fail(&rd, PL_E_TOOBIG, at,
			               "envelope %zu: length %" PRIu32 " > %d", out->count, len,
			               (int)ENV_ENCODED_MAX);
		(void)snprintf(field, sizeof(field), "envelope %zu", out->count);
		PL_TRY(rd_ptr(&rd, field, len, &out->envs[out->count]));
		out->lens[out->count] = len;
		out->count++;
	}
	out->bad_index = 0;
	return PL_OK;
}

enum pl_err
api_peer_parse_query(const char *query, struct api_fetch *out)
{
	char key[API_QKEY_MAX + 1], val[API_QVAL_MAX + 1];
	int got_channel = 0, got_from = 0, got_sender = 0, got_limit = 0, k;
	uint64_t limit;

	memset(out, 0, sizeof(*out));
	out->limit = NODE_BATCH_MAX;
	while ((k = api_query_next(&query, key, val)) == 1) {
		if (strcmp(key, "channel") == 0) {
			if (got_channel++)
				return pl_errf(PL_E_ARG, "query: channel given twice");
			if (strlen(val) > CODEC_ID_MAX || codec_id_check("channel", val) != PL_OK)
				return pl_errf(PL_E_ARG, "query: channel: not a channel id");
			memcpy(out->channel, val, strlen(val) + 1);
		} else if (strcmp(key, "from") == 0) {
			if (got_from++)
				return pl_errf(PL_E_ARG, "query: from given twice");
			if (!codec_dec_parse(val, strlen(val), &out->from) || out->from == 0)
				return pl_errf(PL_E_ARG, "query: from: not a seq (1, 2, ...)");
		} else if (strcmp(key, "sender") == 0) {
			if (got_sender++)
				return pl_errf(PL_E_ARG, "query: sender given twice");
			if (strlen(val) > CODEC_ID_MAX || codec_id_check("sender", val) != PL_OK)
				return pl_errf(PL_E_ARG, "query: sender: not a party id");
			memcpy(out->sender, val, strlen(val) + 1);
		} else if (strcmp(key, "limit") == 0) {
			if (got_limit++)
				return pl_errf(PL_E_ARG, "query: limit given twice");
			if (!codec_dec_parse(val, strlen(val), &limit) || limit == 0 ||
			    limit > NODE_BATCH_MAX)
				return pl_errf(PL_E_ARG, "query: limit: not a number from 1 to %d",
				               NODE_BATCH_MAX);
			out->limit = (size_t)limit;
		} else {
			return pl_errf(PL_E_ARG,
			               "query: unknown parameter %s (channel, sender, from, limit)",
			               key);
		}
	}
	if (k < 0)
		return PL_E_ARG;
	if (!got_channel)
		return pl_errf(PL_E_ARG, "query: channel missing");
	if (!got_from)
		return pl_errf(PL_E_ARG, "query: from missing");
	return PL_OK;
}

/* The sender of a batch's first envelope, for the access log only; "" if it does not read. */
static void
peek_sender(const uint8_t *p, size_t n, char out[static CODEC_ID_MAX + 1])
{
	char channel[CODEC_ID_MAX + 1];
	uint8_t version;
	struct rd rd;

	out[0] = '\0';
	rd_init(&rd, "envelope", p, n);
	if (codec_label_read(&rd, ENV_LABEL) != PL_OK || rd_u8(&rd, "version", &version) != PL_OK ||
	    codec_id_read(&rd, "channel", channel) != PL_OK ||
	    codec_id_read(&rd, "sender", out) != PL_OK)
		out[0] = '\0';
}

/* The answer of a POST: { "accepted", "receipts", "error"? }. */
static void
peer_answer(struct api_req *r, unsigned status, size_t accepted, const struct buf *rc,
            const char *code, const char *msg, size_t index, int with_seq, uint64_t seq)
{
	char b64[CR_B64_LEN(RCPT_ENCODED_MAX)];
	json_t *j, *arr, *err;
	size_t i;

	if ((j = json_object()) == NULL || (arr = json_array()) == NULL) {
		json_decref(j);
		api_reply_json(r, 500, NULL);
		return;
	}
	if (json_object_set_new(j, "accepted", json_integer((json_int_t)accepted)) != 0 ||
	    json_object_set_new(j, "receipts", arr) != 0)
		goto nomem;
	for (i = 0; i < accepted; i++) {
		cr_b64_encode(b64, sizeof(b64), rc[i].data, rc[i].len);
		if (json_array_append_new(arr, json_string(b64)) != 0)
			goto nomem;
	}
	if (code != NULL) {
		err = json_pack("{s:s,s:s,s:I}", "code", code, "message", msg, "index",
		                (json_int_t)index);
		if (err == NULL || json_object_set_new(j, "error", err) != 0)
			goto nomem;
		if (with_seq &&
		    json_object_set_new(err, "expected_seq", json_integer((json_int_t)seq)) != 0)
			goto nomem;
	}
	api_reply_json(r, status, j);
	return;
nomem:
	json_decref(j);
	api_reply_json(r, 500, NULL);
}

void
api_peer_post(struct api_req *r)
{
	struct api_batch *b = NULL;
	struct buf *rc = NULL;
	struct node_verdict v;
	char sender[CODEC_ID_MAX + 1];
	size_t accepted = 0, i;
	enum pl_err err;

	if ((b = pl_calloc(1, sizeof(*b))) == NULL) {
		api_reply_json(r, 500, NULL);
		return;
	}
	pl_err_clear();
	if ((err = api_peer_parse_batch(r->body.data, r->body.len, b)) != PL_OK) {
		peer_answer(r, err == PL_E_TOOBIG ? 413 : 400, 0, NULL,
		            err == PL_E_TOOBIG ? "too-big" : "malformed", pl_err_msg(),
		            b->bad_index, 0, 0);
		goto out;
	}
	peek_sender(b->envs[0], b->lens[0], sender);
	if (sender[0] != '\0')
		(void)snprintf(r->who, sizeof(r->who), "party %s", sender);
	if ((rc = pl_calloc(b->count, sizeof(*rc))) == NULL) {
		api_reply_json(r, 500, NULL);
		goto out;
	}
	for (i = 0; i < b->count; i++)
		buf_init(&rc[i], RCPT_ENCODED_MAX);
	memset(&v, 0, sizeof(v));
	pl_err_clear();
	err = node_receive(r->node, b->envs, b->lens, b->count, rc, &accepted, &v);
	if (err != PL_OK) {
		log_warnx("api: peer batch from %s: %s: %s", sender[0] != '\0' ? sender : "?",
		          pl_err_name(err), pl_err_msg());
		peer_answer(r, 500, 0, NULL, "internal", "internal error", 0, 0, 0);
		goto out;
	}
	if (accepted > b->count) {
		log_warnx("api: node_receive accepted %zu of %zu", accepted, b->count);
		accepted = b->count;
	}
	if (v.why == NODE_ACCEPTED) {
		peer_answer(r, 200, accepted, rc, NULL, NULL, 0, 0, 0);
	} else {
		const char *name = node_refusal_name(v.why);
		int with_seq =
		        v.why == NODE_GAP || v.why == NODE_BAD_CHAIN || v.why == NODE_CONFLICT;
		char msg[PL_ERR_MSG_MAX + 64];

		/* The node's reason, or, when it left none, what the verdict says. */
		if (v.why == NODE_INTERNAL) {
			log_warnx("api: peer batch from %s: envelope %zu: %s",
			          sender[0] != '\0' ? sender : "?", v.index, pl_err_msg());
			(void)snprintf(msg, sizeof(msg), "internal error");
		} else if (*pl_err_msg() != '\0') {
			(void)snprintf(msg, sizeof(msg), "%s", pl_err_msg());
		} else if (with_seq) {
			(void)snprintf(msg, sizeof(msg), "envelope %zu: %s, expected seq %" PRIu64,
			               v.index, name, v.expected_seq);
		} else {
			(void)snprintf(msg, sizeof(msg), "envelope %zu: %s", v.index, name);
		}
		peer_answer(r, (unsigned)node_refusal_http(v.why), accepted, rc, name, msg, v.index,
		            with_seq, v.expected_seq);
	}
out:
	if (rc != NULL) {
		for (i = 0; i < b->count; i++)
			buf_reset(&rc[i]);
		pl_free(rc);
	}
	pl_free(b);
}

void
api_peer_get(struct api_req *r)
{
	char party[CODEC_ID_MAX + 1];
	uint8_t sig[SIG_LEN];
	struct party *p = NULL;
	struct api_fetch q;
	struct buf out;
	const char *hdr;
	uint64_t t;
	size_t count = 0;
	int found = 0;
	enum pl_err err;

	buf_init(&out, API_FETCH_MAX);
	hdr = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, PEER_AUTH_HEADER);
	if (hdr == NULL) {
		api_reply_error(r, 401, "unauthorized",
		                "%s header missing: \"<party> <time_ms> <signature>\"",
		                PEER_AUTH_HEADER);
		goto out;
	}
	if (peer_auth_parse(hdr, party, &t, sig) != PL_OK) {
		api_reply_error(r, 401, "unauthorized", "%s", pl_err_msg());
		goto out;
	}
	if ((p = pl_calloc(1, sizeof(*p))) == NULL) {
		api_reply_json(r, 500, NULL);
		goto out;
	}
	if ((err = node_peer_get(r->node, party, p, &found)) != PL_OK) {
		api_reply_pl(r, err);
		goto out;
	}
	if (!found) {
		api_reply_error(r, 401, "unknown-sender", "%s: party %s is not pinned here",
		                PEER_AUTH_HEADER, party);
		goto out;
	}
	if (peer_auth_verify(p->sign_pk, r->target, t, sig, api_now_ms()) != PL_OK) {
		api_reply_error(r, 401, "unauthorized", "%s", pl_err_msg());
		goto out;
	}
	(void)snprintf(r->who, sizeof(r->who), "party %s", party);
	if (api_peer_parse_query(r->query, &q) != PL_OK) {
		api_reply_error(r, 400, "malformed", "%s", pl_err_msg());
		goto out;
	}
	pl_err_clear();
	err = node_fetch(r->node, party, q.channel, q.sender[0] != '\0' ? q.sender : NULL, q.from,
	                 q.limit, &out, &count);
	if (err == PL_E_ARG || err == PL_E_PERM) {
		api_reply_error(r, 403, "not-member", "%s",
		                *pl_err_msg() != '\0' ? pl_err_msg()
		                                      : "not a member of the channel");
		goto out;
	}
	if (err == PL_E_NOTFOUND) {
		api_reply_error(r, 404, "no-channel", "%s",
		                *pl_err_msg() != '\0' ? pl_err_msg() : "no such channel here");
		goto out;
	}
	if (err != PL_OK) {
		api_reply_pl(r, err);
		goto out;
	}
	api_reply_bytes(r, 200, "application/octet-stream", out.data, out.len);
out:
	pl_free(p);
	buf_reset(&out);
}
