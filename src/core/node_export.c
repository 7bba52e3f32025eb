/*
 * node_export.c - a channel as a bundle (core/bundle.h, docs/node.md#audit):
 * what this node holds of it, with the proofs that tie it to this node's
 * cosigned transcript, and the body keys of the envelopes it is asked to
 * disclose.
 */
#include <stdio.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/log.h"
#include "../crypto/cr.h"
#include "bundle.h"
#include "envelope.h"
#include "node_int.h"

struct rows {
	struct store_env *v;
	size_t n, cap;
	enum pl_err err;
};

static int
add_row(void *ctx, const struct store_env *e)
{
	struct rows *r = ctx;

	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct store_env *more = pl_realloc(r->v, cap * sizeof(*more));

		if (more == NULL) {
			r->err = pl_errf(PL_E_NOMEM, "export: out of memory");
			return 1;
		}
		r->v = more;
		r->cap = cap;
	}
	r->v[r->n++] = *e;
	return 0;
}

/*
 * Which rows go in: every envelope whose sender's time is in [from, to],
 * and, per sender, every seq between its first and last such one, so that
 * each sender's chain in the bundle has no gap.  A channel has at most
 * ENV_RECIPIENTS_MAX senders: two passes over the rows.
 */
static void
select_rows(const struct rows *r, uint64_t from, uint64_t to, unsigned char *keep)
{
	struct span {
		const char *sender;
		uint64_t lo, hi;
	} spans[ENV_RECIPIENTS_MAX];
	size_t n_spans = 0, i, k;

	for (i = 0; i < r->n; i++) {
		const struct store_env *e = &r->v[i];

		for (k = 0; k < n_spans && strcmp(spans[k].sender, e->sender) != 0; k++)
			;
		if (k == n_spans) {
			if (n_spans == ENV_RECIPIENTS_MAX)
				continue; /* not a member: the channel's rows never get here */
			spans[n_spans++] = (struct span){ e->sender, UINT64_MAX, 0 };
		}
		if (e->time_ms >= from && e->time_ms <= to) {
			spans[k].lo = e->seq < spans[k].lo ? e->seq : spans[k].lo;
			spans[k].hi = e->seq > spans[k].hi ? e->seq : spans[k].hi;
		}
	}
	for (i = 0; i < r->n; i++) {
		const struct store_env *e = &r->v[i];

		keep[i] = 0;
		for (k = 0; k < n_spans; k++)
			if (strcmp(spans[k].sender, e->sender) == 0)
				keep[i] = e->seq >= spans[k].lo && e->seq <= spans[k].hi;
	}
}

static int
add_rcpt(void *ctx, const char *receiver, uint64_t stored_ms, const uint8_t *raw, size_t n)
{
	(void)receiver;
	(void)stored_ms;
	return bundle_writer_add_receipt(ctx, raw, n) != PL_OK;
}

/* One envelope: its bytes, its receipts, its entry in our log if a checkpoint covers it. */
static enum pl_err
add_envelope(struct node *n, struct store *st, struct bundle_writer *w, const struct store_env *e,
             uint64_t cp_size, struct buf *raw, size_t *proven)
{
	uint8_t proof[MERKLE_PROOF_MAX][HASH_LEN];
	struct buf entry;
	size_t n_proof = 0;
	enum pl_err err;
	int found = 0;

	raw->len = 0;
	PL_TRY(st->ops->env_get(st, e->id, NULL, raw, &found));
	if (!found)
		return pl_errf(PL_E_STORE, "export: envelope listed but not found");
	PL_TRY(bundle_writer_add_envelope(w, raw->data, raw->len));
	PL_TRY(st->ops->rcpt_list(st, e->id, add_rcpt, w));
	if (e->log_index >= cp_size)
		return PL_OK;
	buf_init(&entry, ENTRY_ENCODED_MAX);
	if ((err = st->ops->log_entry(st, e->log_index, &entry)) == PL_OK &&
	    (err = st->ops->log_inclusion(st, e->log_index, cp_size, proof, &n_proof)) == PL_OK &&
	    (err = bundle_writer_add_inclusion(w, n->self.id, cp_size, e->log_index, entry.data,
	                                       entry.len, (const uint8_t(*)[HASH_LEN])proof,
	                                       n_proof)) == PL_OK)
		(*proven)++;
	buf_reset(&entry);
	return err;
}

/* The body key of an envelope we hold, for a disclosure. */
static enum pl_err
disclose(struct node *n, struct bundle_writer *w, const uint8_t *raw, size_t len,
         const uint8_t id[HASH_LEN])
{
	uint8_t key[AEAD_KEY_LEN];
	struct env e;
	enum pl_err err;

	if ((err = env_read(&e, raw, len)) == PL_OK &&
	    (err = envelope_body_key(key, &e, n->self.id, n->keys)) == PL_OK)
		err = bundle_writer_add_disclosure(w, id, key);
	cr_wipe(key, sizeof(key));
	return err;
}

enum pl_err
node_export(struct node *n, const struct node_officer *by, const struct node_export *x,
            struct buf *out, struct node_export_stats *stats)
{
	struct store_env_filter f = { 0 };
	struct rows r = { NULL, 0, 0, PL_OK };
	struct bundle_writer w;
	struct store_chan chan;
	struct store *st;
	struct buf raw, note;
	unsigned char *keep = NULL;
	uint64_t cp_size = 0;
	enum pl_err err;
	size_t i, k;
	int found = 0;

	PL_TRY(node_need_role(by, STORE_ROLE_DUTY | STORE_ROLE_AUDITOR));
	memset(stats, 0, sizeof(*stats));
	PL_TRY(node_reader_get(n, &st));
	bundle_writer_init(&w);
	buf_init(&raw, ENV_ENCODED_MAX > PARTY_ENCODED_MAX ? ENV_ENCODED_MAX : PARTY_ENCODED_MAX);
	buf_init(&note, 1 << 16);
	if ((err = st->ops->chan_get(st, x->channel, &chan, &found)) != PL_OK)
		goto out;
	if (!found) {
		err = pl_errf(PL_E_NOTFOUND, "no channel '%s' here", x->channel);
		goto out;
	}
	/* The parties: every member's latest record. */
	for (i = 0; i < chan.n_members && err == PL_OK; i++) {
		struct party p;

		raw.len = 0;
		if ((err = st->ops->party_get(st, chan.members[i], &p, &raw, &found)) == PL_OK &&
		    found)
			err = bundle_writer_add_party(&w, raw.data, raw.len);
	}
	/* Our transcript's latest checkpoint, with the cosignatures gathered for it. */
	if (err == PL_OK) {
		err = node_latest_checkpoint(st, &note, &cp_size, 1);
		if (err == PL_OK)
			err = bundle_writer_add_checkpoint(&w, (const char *)note.data, note.len);
		else if (err == PL_E_NOTFOUND)
			err = PL_OK; /* no checkpoint yet: nothing is proven in our transcript */
	}
	f.channel = x->channel;
	if (err == PL_OK && (err = st->ops->env_list(st, &f, add_row, &r)) == PL_OK)
		err = r.err;
	if (err == PL_OK && r.n > 0 && (keep = pl_calloc(r.n, 1)) == NULL)
		err = pl_errf(PL_E_NOMEM, "export: out of memory");
	if (err == PL_OK)
		select_rows(&r, x->from_ms, x->to_ms ? x->to_ms : UINT64_MAX, keep);
	for (i = 0; i < r.n && err == PL_OK; i++) {
		if (!keep[i])
			continue;
		err = add_envelope(n, st, &w, &r.v[i], cp_size, &raw, &stats->proven);
		stats->envelopes++;
		for (k = 0; k < x->n_disclose && err == PL_OK; k++)
			if (memcmp(x->disclose[k], r.v[i].id, HASH_LEN) == 0) {
				err = disclose(n, &w, raw.data, raw.len, r.v[i].id);
				stats->disclosed++;
			}
	}
	if (err == PL_OK && stats->disclosed < x->n_disclose)
		err = pl_errf(PL_E_ARG, "export: %zu envelope(s) to disclose are not in the export",
		              x->n_disclose - stats->disclosed);
	if (err == PL_OK)
		err = bundle_writer_finish(&w, out);
	if (err == PL_OK)
		log_info("channel %s: exported %zu envelopes (%zu under checkpoint %llu), %zu "
		         "disclosed, by %s",
		         x->channel, stats->envelopes, stats->proven, (unsigned long long)cp_size,
		         stats->disclosed, by != NULL ? by->name : "node");
out:
	node_reader_put(n, st);
	bundle_writer_reset(&w);
	buf_reset(&raw);
	buf_reset(&note);
	pl_free(keep);
	pl_free(r.v);
	return err;
}
