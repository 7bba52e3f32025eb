/*
 * node_view.c - what officers read: envelope lists, one envelope with its
 * body, and the node's status, as JSON (node.h).
 */
#include <stdio.h>
#include <string.h>

#include "../common/alloc.h"
#include "../crypto/cr.h"
#include "../wire/body.h"
#include "../wire/rcpt.h"
#include "envelope.h"
#include "identity.h"
#include "node_int.h"

static json_t *
hex_id(const uint8_t id[HASH_LEN])
{
	char hex[2 * HASH_LEN + 1];

	cr_hex(hex, id, HASH_LEN);
	return json_string(hex);
}

static json_t *
time_json(uint64_t ms)
{
	char t[32];

	node_time_str(t, ms);
	return json_string(t);
}

struct dlv_ctx {
	json_t *arr;
};

static int
dlv_row(void *ctx, const struct store_dlv *d)
{
	struct dlv_ctx *c = ctx;

	return json_array_append_new(c->arr,
	                             json_pack("{ss so}", "peer", d->peer, "receipt",
	                                       d->done ? time_json(d->done_ms) : json_null())) != 0;
}

static int
ack_row(void *ctx, const struct store_ack *a)
{
	struct dlv_ctx *c = ctx;

	return json_array_append_new(c->arr,
	                             json_pack("{ss ss so so}", "party", a->party, "officer",
	                                       a->officer, "time", time_json(a->time_ms), "ack",
	                                       hex_id(a->ack_id))) != 0;
}

/* The summary of one envelope, with its deliveries and acknowledgements. */
static json_t *
summary(struct store *st, const struct store_env *e, enum pl_err *err)
{
	struct dlv_ctx d = { json_array() }, a = { json_array() };
	const char *tlp = env_tlp_name(e->tlp), *kind = env_kind_name(e->kind),
	           *prec = env_prec_name(e->prec);
	json_t *o;
	int flagged = 0;

	if ((*err = st->ops->dlv_list(st, e->id, dlv_row, &d)) == PL_OK &&
	    (*err = st->ops->ack_list(st, e->id, ack_row, &a)) == PL_OK)
		*err = st->ops->alert_about(st, e->sender, &flagged);
	o = json_pack("{so ss ss sI ss ss ss sb so so ss so so sb}", "id", hex_id(e->id), "channel",
	              e->channel, "sender", e->sender, "seq", (json_int_t)e->seq, "kind",
	              kind ? kind : "?", "precedence", prec ? prec : "?", "tlp", tlp ? tlp : "?",
	              "exercise", (e->flags & ENV_FLAG_EXERCISE) != 0, "time",
	              time_json(e->time_ms), "stored", time_json(e->stored_ms), "direction",
	              e->dir == STORE_OUT ? "sent" : "received", "deliveries", d.arr, "acks", a.arr,
	              "flagged", flagged);
	if (o == NULL && *err == PL_OK)
		*err = pl_errf(PL_E_NOMEM, "node: out of memory");
	return o;
}

struct list_ctx {
	struct store *st;
	json_t *arr;
	enum pl_err err;
};

static int
list_row(void *ctx, const struct store_env *e)
{
	struct list_ctx *c = ctx;
	json_t *o = summary(c->st, e, &c->err);

	if (o == NULL || c->err != PL_OK) {
		json_decref(o);
		return 1;
	}
	return json_array_append_new(c->arr, o) != 0;
}

enum pl_err
node_list(struct node *n, const struct node_officer *by, const struct node_list_filter *f,
          json_t **out)
{
	struct store_env_filter sf = { 0 };
	struct list_ctx c = { NULL, json_array(), PL_OK };
	enum pl_err err;

	(void)by; /* every role may read */
	*out = NULL;
	sf.channel = f->channel;
	if (f->inbox) {
		sf.dir = STORE_IN;
		sf.kind = ENV_KIND_MESSAGE;
	}
	sf.unacked = f->unacked;
	sf.limit = f->limit == 0 ? 100 : f->limit > 10000 ? 10000 : f->limit;
	sf.newest_first = 1;
	if ((err = node_reader_get(n, &c.st)) != PL_OK) {
		json_decref(c.arr);
		return err;
	}
	err = c.st->ops->env_list(c.st, &sf, list_row, &c);
	node_reader_put(n, c.st);
	if (err == PL_OK)
		err = c.err;
	if (err != PL_OK) {
		json_decref(c.arr);
		return err;
	}
	*out = c.arr;
	return PL_OK;
}

static int
rcpt_row(void *ctx, const char *receiver, uint64_t stored_ms, const uint8_t *raw, size_t len)
{
	struct dlv_ctx *c = ctx;
	char b64[CR_B64_LEN(RCPT_ENCODED_MAX)];

	if (len > RCPT_ENCODED_MAX)
		return 1;
	cr_b64_encode(b64, sizeof(b64), raw, len);
	return json_array_append_new(c->arr, json_pack("{ss so ss}", "receiver", receiver, "time",
	                                               time_json(stored_ms), "receipt", b64)) != 0;
}

/* The decrypted body as JSON, or {"error": why} when it does not open. */
static json_t *
body_json(struct node *n, const struct env *e)
{
	struct buf plain;
	json_t *j = NULL;
	enum pl_err err;

	buf_init_secret(&plain, ENV_PLAIN_MAX);
	err = envelope_open(&plain, e, n->self.id, n->keys);
	if (err == PL_OK)
		j = json_loadb((const char *)plain.data, plain.len, JSON_REJECT_DUPLICATES, NULL);
	buf_reset(&plain);
	if (j == NULL)
		j = json_pack("{ss}", "error", err != PL_OK ? pl_err_msg() : "body is not JSON");
	return j;
}

enum pl_err
node_show(struct node *n, const struct node_officer *by, const uint8_t id[HASH_LEN], json_t **out)
{
	struct dlv_ctx r = { json_array() };
	struct store_env row;
	json_t *o = NULL, *refs;
	struct store *st;
	struct buf raw;
	struct env e;
	enum pl_err err;
	size_t i;
	int found = 0;

	(void)by;
	*out = NULL;
	buf_init(&raw, ENV_ENCODED_MAX);
	if ((err = node_reader_get(n, &st)) != PL_OK)
		goto out;
	err = st->ops->env_get(st, id, &row, &raw, &found);
	if (err == PL_OK && !found)
		err = pl_errf(PL_E_NOTFOUND, "no such envelope here");
	if (err == PL_OK && (err = env_read(&e, raw.data, raw.len)) != PL_OK)
		err = pl_errf(PL_E_STORE, "stored envelope does not parse: %s", pl_err_msg());
	if (err == PL_OK)
		o = summary(st, &row, &err);
	if (err == PL_OK)
		err = st->ops->rcpt_list(st, id, rcpt_row, &r);
	node_reader_put(n, st);
	if (err != PL_OK)
		goto out;
	refs = json_array();
	for (i = 0; i < e.n_refs; i++)
		json_array_append_new(refs, hex_id(e.refs[i]));
	json_object_set_new(o, "refs", refs);
	json_object_set_new(o, "prev", row.seq > 1 ? hex_id(row.prev) : json_null());
	json_object_set_new(o, "receipts", r.arr);
	r.arr = NULL;
	json_object_set_new(o, "body", body_json(n, &e));
	*out = o;
	o = NULL;
out:
	json_decref(o);
	json_decref(r.arr);
	buf_reset(&raw);
	return err;
}

struct status_ctx {
	struct store *st;
	json_t *pending;
	size_t channels;
	enum pl_err err;
};

static int
count_chan(void *ctx, const struct store_chan *c)
{
	(void)c;
	((struct status_ctx *)ctx)->channels++;
	return 0;
}

static int
count_head(void *ctx, const struct store_dlv_head *h)
{
	*(uint64_t *)ctx += h->pending;
	return 0;
}

static int
peer_pending(void *ctx, const char *peer)
{
	struct status_ctx *c = ctx;
	uint64_t total = 0;

	if ((c->err = c->st->ops->dlv_heads(c->st, peer, count_head, &total)) != PL_OK)
		return 1;
	return json_array_append_new(c->pending, json_pack("{ss sI}", "peer", peer, "envelopes",
	                                                   (json_int_t)total)) != 0;
}

struct log_job {
	uint64_t size;
	uint8_t root[HASH_LEN];
};

/* The writer's connection knows the transcript's current size; readers may lag. */
static enum pl_err
log_job(struct store *st, void *ctx)
{
	struct log_job *j = ctx;

	PL_TRY(st->ops->log_size(st, &j->size));
	return st->ops->log_root(st, j->size, j->root);
}

static int
count_env(void *ctx, const struct store_env *e)
{
	(void)e;
	(*(size_t *)ctx)++;
	return 0;
}

void
node_commit_stats(struct node *n, unsigned long long *groups, unsigned long long *jobs)
{
	commit_stats(n->commit, groups, jobs);
}

enum pl_err
node_status(struct node *n, json_t **out)
{
	struct status_ctx c = { NULL, json_array(), 0, PL_OK };
	struct store_env_filter f = { 0 };
	struct log_job lj;
	char fp[PARTY_FP_STR_LEN + 1];
	size_t unacked = 0;
	uint64_t missing = 0;
	enum pl_err err;
	json_t *o, *alerts = NULL;

	*out = NULL;
	if ((err = commit_run(n->commit, log_job, &lj)) != PL_OK ||
	    (err = node_reader_get(n, &c.st)) != PL_OK) {
		json_decref(c.pending);
		return err;
	}
	f.dir = STORE_IN;
	f.kind = ENV_KIND_MESSAGE;
	f.unacked = 1;
	err = c.st->ops->chan_list(c.st, count_chan, &c);
	if (err == PL_OK && (err = c.st->ops->dlv_peers(c.st, peer_pending, &c)) == PL_OK)
		err = c.err;
	if (err == PL_OK)
		err = c.st->ops->env_list(c.st, &f, count_env, &unacked);
	if (err == PL_OK)
		err = c.st->ops->heard_count(c.st, &missing);
	node_reader_put(n, c.st);
	if (err != PL_OK) {
		json_decref(c.pending);
		return err;
	}
	if ((err = node_alerts(n, 20, &alerts)) != PL_OK) {
		json_decref(c.pending);
		return err;
	}
	identity_fingerprint(fp, n->self.id, n->self.sign_pk);
	o = json_pack("{ss ss sb s{sI so} sI so sI sI so}", "party", n->self.id, "fingerprint", fp,
	              "witness_only", n->witness_only, "transcript", "size", (json_int_t)lj.size,
	              "root", hex_id(lj.root), "channels", (json_int_t)c.channels, "pending",
	              c.pending, "inbox_unacked", (json_int_t)unacked, "missing",
	              (json_int_t)missing, "alerts", alerts);
	if (o == NULL)
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	*out = o;
	return PL_OK;
}

struct chan_ctx {
	struct store *st;
	json_t *arr;
	enum pl_err err;
};

static int
chan_row(void *ctx, const struct store_chan *c)
{
	static const char *const states[] = { "?", "proposed", "active", "suspended" };
	struct chan_ctx *cc = ctx;
	struct store_env first;
	json_t *members = json_array(), *signed_by = json_array(), *charter, *o;
	size_t i;
	int found;

	for (i = 0; i < c->n_members; i++) {
		json_array_append_new(members, json_string(c->members[i]));
		/* A member has signed once its first envelope (charter or accept) is here. */
		if ((cc->err = cc->st->ops->env_by_seq(cc->st, c->name, c->members[i], 1, &first,
		                                       NULL, &found)) != PL_OK)
			break;
		if (found)
			json_array_append_new(signed_by, json_string(c->members[i]));
	}
	charter = json_loads(c->charter, JSON_REJECT_DUPLICATES, NULL);
	o = json_pack("{ss ss ss so so so so so}", "name", c->name, "state",
	              states[c->state <= 3 ? c->state : 0], "creator", c->creator, "members",
	              members, "accepted", signed_by, "charter",
	              charter != NULL ? charter : json_object(), "charter_id",
	              hex_id(c->charter_id), "created", time_json(c->created_ms));
	if (o == NULL || cc->err != PL_OK) {
		json_decref(o);
		return 1;
	}
	return json_array_append_new(cc->arr, o) != 0;
}

enum pl_err
node_channel_list(struct node *n, json_t **out)
{
	struct chan_ctx c = { NULL, json_array(), PL_OK };
	enum pl_err err;

	*out = NULL;
	if ((err = node_reader_get(n, &c.st)) != PL_OK) {
		json_decref(c.arr);
		return err;
	}
	err = c.st->ops->chan_list(c.st, chan_row, &c);
	node_reader_put(n, c.st);
	if (err == PL_OK)
		err = c.err;
	if (err != PL_OK) {
		json_decref(c.arr);
		return err;
	}
	*out = c.arr;
	return PL_OK;
}
