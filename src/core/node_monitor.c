/*
 * node_monitor.c - reading the other members' published transcripts
 * (docs/node.md#audit): a sender that gives two members two different
 * envelopes under one seq is caught when one of them reads the other's
 * transcript.
 *
 * For each party whose log this node witnesses, the monitor (sync/monitor.c)
 * fetches the entries from where it stopped up to the latest checkpoint
 * we cosigned, and hands them here.  Each entry is hashed onto a Merkle
 * frontier kept in store_meta ("monitor/<party>": 8-byte size, then the
 * frontier's hashes), so that when the reading reaches the checkpoint its
 * root must come out: a log cannot hide an entry from its readers.  An
 * entry naming an envelope on one of our channels, by another sender, that
 * we do not hold with that id becomes a `heard` row.  Rows whose envelope
 * has arrived with the same id are dropped; those with another id are
 * conflicts: the monitor fetches that party's copy, and if its sender
 * signed it, both envelopes become the evidence of an equivocation alert,
 * exactly as when the second one arrives here directly.  Rows still
 * waiting name envelopes a member got and we did not.
 */
#include <stdio.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/log.h"
#include "../common/rd.h"
#include "../tlog/merkle.h"
#include "envelope.h"
#include "node_int.h"

#define META_PREFIX  "monitor/"
#define META_KEY_MAX (sizeof(META_PREFIX) + CODEC_ID_MAX)
#define FRONTIER_MAX (8 + 64 * HASH_LEN)

static void
meta_key(char out[META_KEY_MAX], const char *party)
{
	(void)snprintf(out, META_KEY_MAX, "%s%s", META_PREFIX, party);
}

static enum pl_err
frontier_load(struct store *st, const char *party, struct merkle_frontier *f)
{
	char key[META_KEY_MAX];
	struct buf b;
	enum pl_err err;
	int found = 0;

	memset(f, 0, sizeof(*f));
	meta_key(key, party);
	buf_init(&b, FRONTIER_MAX);
	err = st->ops->meta_get(st, key, &b, &found);
	if (err == PL_OK && found) {
		struct rd rd;
		size_t i;

		rd_init(&rd, key, b.data, b.len);
		err = rd_u64be(&rd, "size", &f->size);
		for (i = 0; err == PL_OK && i < merkle_frontier_len(f); i++)
			err = rd_bytes(&rd, "hash", f->h[i], HASH_LEN);
		if (err == PL_OK)
			err = rd_end(&rd);
		if (err != PL_OK)
			err = pl_errf(PL_E_STORE, "store: %s: %s: corrupt", key, pl_err_msg());
	}
	buf_reset(&b);
	return err;
}

static enum pl_err
frontier_save(struct store *st, const char *party, const struct merkle_frontier *f)
{
	uint8_t b[FRONTIER_MAX];
	char key[META_KEY_MAX];
	size_t i, n = merkle_frontier_len(f);

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(f->size >> (56 - 8 * i));
	for (i = 0; i < n; i++)
		memcpy(b + 8 + i * HASH_LEN, f->h[i], HASH_LEN);
	meta_key(key, party);
	return st->ops->meta_put(st, key, b, 8 + n * HASH_LEN);
}

/* The state we witnessed of party's log; *ok 0 if none, or if it forked. */
static enum pl_err
witnessed_of(struct store *st, const char *party, struct witness_log *w, int *ok)
{
	char origin[ENTRY_LOG_NAME_MAX + 1];
	int found = 0;

	*ok = 0;
	(void)snprintf(origin, sizeof(origin), "%s%s", ENTRY_LOG_PREFIX, party);
	PL_TRY(st->ops->wit_get(st, origin, w, &found));
	*ok = found && w->fork == WITNESS_FORK_NONE && w->size > 0;
	return PL_OK;
}

enum pl_err
node_monitor_next(struct node *n, const char *party, uint64_t *from, uint64_t *to,
                  uint8_t root[HASH_LEN])
{
	struct merkle_frontier f;
	struct witness_log *w;
	struct store *st;
	enum pl_err err;
	int ok = 0;

	*from = *to = 0;
	if (n->witness_only || strcmp(party, n->self.id) == 0)
		return PL_OK;
	if ((w = pl_calloc(1, sizeof(*w))) == NULL)
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	if ((err = node_reader_get(n, &st)) == PL_OK) {
		if ((err = witnessed_of(st, party, w, &ok)) == PL_OK && ok &&
		    (err = frontier_load(st, party, &f)) == PL_OK) {
			*from = f.size;
			*to = w->size;
			memcpy(root, w->root, HASH_LEN);
		}
		node_reader_put(n, st);
	}
	pl_free(w);
	return err;
}

struct mon_job {
	struct node *n;
	const char *party;
	uint64_t from, to;
	const uint8_t *root;
	const uint8_t *p;
	size_t len;
	uint64_t *read;
	int mismatch;
};

/* An entry of party's log about an envelope on one of our channels: keep what we lack. */
static enum pl_err
heard_entry(struct mon_job *j, struct store *st, const struct entry *e, uint64_t index)
{
	struct store_heard h;
	struct store_chan chan;
	struct store_env ours;
	int found = 0;

	if ((e->type != ENTRY_SENT && e->type != ENTRY_RECEIVED) ||
	    strcmp(e->sender, j->n->self.id) == 0)
		return PL_OK;
	PL_TRY(st->ops->chan_get(st, e->channel, &chan, &found));
	if (!found)
		return PL_OK;
	PL_TRY(st->ops->env_by_seq(st, e->channel, e->sender, e->seq, &ours, NULL, &found));
	if (found && memcmp(ours.id, e->env_id, HASH_LEN) == 0)
		return PL_OK;
	memset(&h, 0, sizeof(h));
	(void)snprintf(h.channel, sizeof(h.channel), "%s", e->channel);
	(void)snprintf(h.sender, sizeof(h.sender), "%s", e->sender);
	(void)snprintf(h.party, sizeof(h.party), "%s", j->party);
	h.seq = e->seq;
	memcpy(h.id, e->env_id, HASH_LEN);
	h.index = index;
	h.heard_ms = node_now(j->n);
	return st->ops->heard_put(st, &h);
}

static enum pl_err
mon_job(struct store *st, void *ctx)
{
	struct mon_job *j = ctx;
	struct merkle_frontier f;
	struct witness_log *w = NULL;
	uint8_t leaf[HASH_LEN], got[HASH_LEN];
	struct entry e;
	struct rd rd;
	enum pl_err err = PL_OK;
	int ok = 0;

	*j->read = 0;
	j->mismatch = 0;
	PL_TRY(frontier_load(st, j->party, &f));
	if (f.size != j->from)
		return pl_errf(PL_E_STATE, "monitor: %s: read up to %llu, not %llu", j->party,
		               (unsigned long long)f.size, (unsigned long long)j->from);
	if ((w = pl_calloc(1, sizeof(*w))) == NULL)
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	if ((err = witnessed_of(st, j->party, w, &ok)) != PL_OK)
		goto out;
	if (!ok || w->size < j->to) {
		err = pl_errf(PL_E_STATE, "monitor: %s: no cosigned checkpoint of size %llu",
		              j->party, (unsigned long long)j->to);
		goto out;
	}
	rd_init(&rd, "entries", j->p, j->len);
	while (err == PL_OK && rd.left > 0) {
		const uint8_t *ep;
		size_t elen;

		if (f.size == j->to) {
			err = rd_fail(&rd, PL_E_PROTO, rd.off,
			              "more entries than the checkpoint's %llu",
			              (unsigned long long)j->to);
			break;
		}
		if ((err = entry_bundle_next(&rd, &ep, &elen)) != PL_OK)
			break;
		if (entry_read(&e, ep, elen) != PL_OK) {
			err = pl_errf(PL_E_PROTO, "entry %llu: %s", (unsigned long long)f.size,
			              pl_err_msg());
			break;
		}
		merkle_leaf_hash(leaf, ep, elen);
		if ((err = heard_entry(j, st, &e, f.size)) != PL_OK ||
		    (err = merkle_frontier_push(&f, leaf)) != PL_OK)
			break;
		(*j->read)++;
	}
	if (err == PL_E_PROTO || err == PL_E_TRUNC) {
		err = pl_errf(PL_E_PROTO, "monitor: %s's transcript: %s", j->party, pl_err_msg());
		goto out;
	}
	if (err != PL_OK)
		goto out;
	if (f.size == j->to) {
		merkle_frontier_root(&f, got);
		if (memcmp(got, j->root, HASH_LEN) != 0) {
			/* What we were served is not what was signed: read it all again. */
			j->mismatch = 1;
			memset(&f, 0, sizeof(f));
		}
	}
	err = frontier_save(st, j->party, &f);
out:
	pl_free(w);
	return err;
}

enum pl_err
node_monitor_entries(struct node *n, const char *party, uint64_t from, uint64_t to,
                     const uint8_t root[HASH_LEN], const uint8_t *p, size_t len, uint64_t *read)
{
	struct mon_job j = { n, party, from, to, root, p, len, read, 0 };
	enum pl_err err;

	if ((err = commit_run(n->commit, mon_job, &j)) != PL_OK) {
		*read = 0; /* rolled back: nothing was taken */
		return err;
	}
	if (j.mismatch)
		return pl_errf(PL_E_CRYPTO,
		               "monitor: the entries %s served up to %llu do not lead to the root "
		               "of its checkpoint; reading its transcript again",
		               party, (unsigned long long)to);
	return PL_OK;
}

struct conflicts_job {
	struct store_heard *out, *same;
	size_t max, n, n_same;
	uint64_t waiting;
};

static int
decided_row(void *ctx, const struct store_heard *h, const uint8_t ours[HASH_LEN])
{
	struct conflicts_job *j = ctx;

	if (memcmp(h->id, ours, HASH_LEN) == 0)
		j->same[j->n_same++] = *h;
	else if (j->n < j->max)
		j->out[j->n++] = *h;
	return 0;
}

#define DECIDED_MAX 256

static enum pl_err
conflicts_job(struct store *st, void *ctx)
{
	struct conflicts_job *j = ctx;
	size_t i;

	j->n = j->n_same = 0;
	PL_TRY(st->ops->heard_decided(st, DECIDED_MAX, decided_row, j));
	/* Deleted after the listing: a SELECT is not changed under its own feet. */
	for (i = 0; i < j->n_same; i++)
		PL_TRY(st->ops->heard_del(st, &j->same[i]));
	return st->ops->heard_count(st, &j->waiting);
}

enum pl_err
node_monitor_conflicts(struct node *n, struct store_heard *out, size_t max, size_t *count,
                       uint64_t *waiting)
{
	struct conflicts_job j = { out, NULL, max, 0, 0, 0 };
	enum pl_err err;

	*count = 0;
	if ((j.same = pl_calloc(DECIDED_MAX, sizeof(*j.same))) == NULL)
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	err = commit_run(n->commit, conflicts_job, &j);
	pl_free(j.same);
	if (err == PL_OK) {
		*count = j.n;
		if (waiting != NULL)
			*waiting = j.waiting - j.n;
	}
	return err;
}

struct evidence_job {
	struct node *n;
	const struct store_heard *h;
	const struct env *e;
	const uint8_t *p;
	size_t len;
};

static enum pl_err
evidence_job(struct store *st, void *ctx)
{
	struct evidence_job *j = ctx;

	PL_TRY(node_equivocation(j->n, st, j->e, j->h->id, j->p, j->len));
	return st->ops->heard_del(st, j->h);
}

enum pl_err
node_monitor_evidence(struct node *n, const struct store_heard *h, const uint8_t *p, size_t len)
{
	struct evidence_job j = { n, h, NULL, p, len };
	struct party sender;
	struct store *st;
	uint8_t id[HASH_LEN];
	struct env *e;
	enum pl_err err;
	int found = 0;

	if ((e = pl_calloc(1, sizeof(*e))) == NULL)
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	j.e = e;
	if (len > ENV_ENCODED_MAX || env_read(e, p, len) != PL_OK) {
		err = pl_errf(PL_E_PROTO, "%s's copy of %s/%s seq %llu: not an envelope: %s",
		              h->party, h->channel, h->sender, (unsigned long long)h->seq,
		              pl_err_msg());
		goto out;
	}
	envelope_id(id, p, len);
	if (memcmp(id, h->id, HASH_LEN) != 0 || strcmp(e->channel, h->channel) != 0 ||
	    strcmp(e->sender, h->sender) != 0 || e->seq != h->seq) {
		err = pl_errf(
		        PL_E_PROTO,
		        "%s's copy of %s/%s seq %llu is not the envelope its transcript names",
		        h->party, h->channel, h->sender, (unsigned long long)h->seq);
		goto out;
	}
	if ((err = node_reader_get(n, &st)) != PL_OK)
		goto out;
	err = node_party(st, h->sender, &sender, &found);
	node_reader_put(n, st);
	if (err == PL_OK && !found)
		err = pl_errf(PL_E_NOTFOUND, "%s is not pinned here", h->sender);
	if (err != PL_OK)
		goto out;
	if (envelope_verify(e, sender.sign_pk) != PL_OK) {
		err = pl_errf(PL_E_CRYPTO,
		              "%s's copy of %s/%s seq %llu is not signed by %s: not evidence",
		              h->party, h->channel, h->sender, (unsigned long long)h->seq,
		              h->sender);
		goto out;
	}
	log_info("monitor: %s's transcript has another envelope of %s/%s seq %llu than ours",
	         h->party, h->channel, h->sender, (unsigned long long)h->seq);
	err = commit_run(n->commit, evidence_job, &j);
out:
	pl_free(e);
	return err;
}

struct missing_ctx {
	struct node_missing *out;
	size_t max, n;
};

static int
waiting_row(void *ctx, const struct store_heard *h)
{
	struct missing_ctx *c = ctx;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->out[i].channel, h->channel) == 0 &&
		    strcmp(c->out[i].sender, h->sender) == 0)
			return 0;
	if (c->n == c->max)
		return 1;
	memset(&c->out[c->n], 0, sizeof(c->out[0]));
	(void)snprintf(c->out[c->n].channel, sizeof(c->out[0].channel), "%s", h->channel);
	(void)snprintf(c->out[c->n].sender, sizeof(c->out[0].sender), "%s", h->sender);
	(void)snprintf(c->out[c->n].party, sizeof(c->out[0].party), "%s", h->party);
	c->n++;
	return 0;
}

enum pl_err
node_monitor_missing(struct node *n, uint64_t grace_ms, struct node_missing *out, size_t max,
                     size_t *count)
{
	struct missing_ctx c = { out, max, 0 };
	struct store_env last;
	struct store *st;
	enum pl_err err;
	uint64_t now = node_now(n);
	size_t i;
	int found;

	*count = 0;
	PL_TRY(node_reader_get(n, &st));
	err = st->ops->heard_waiting(st, now > grace_ms ? now - grace_ms : 0, DECIDED_MAX,
	                             waiting_row, &c);
	for (i = 0; err == PL_OK && i < c.n; i++) {
		found = 0;
		err = st->ops->env_last(st, out[i].channel, out[i].sender, &last, &found);
		out[i].from = found ? last.seq + 1 : 1;
	}
	node_reader_put(n, st);
	if (err == PL_OK)
		*count = c.n;
	return err;
}
