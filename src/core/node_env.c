/*
 * node_env.c - channels and envelopes: create and accept charters, send,
 * receive, deliver, take receipts, acknowledge, and list (node.h,
 * docs/node.md).
 *
 * Everything that depends on stored state runs inside one committer job,
 * on the writer's connection, so that two sends never take the same
 * sequence number and a receipt is signed only for what that same commit
 * stores.
 */
#include <stdio.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/log.h"
#include "../common/par.h"
#include "../crypto/cr.h"
#include "../store/logstore.h"
#include "../wire/body.h"
#include "../wire/entry.h"
#include "channel.h"
#include "envelope.h"
#include "identity.h"
#include "node_int.h"
#include "receipt.h"

static const uint8_t zero_id[HASH_LEN];

/* ---- small helpers ---------------------------------------------------------- */

static int
is_member(const struct store_chan *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->n_members; i++)
		if (strcmp(c->members[i], id) == 0)
			return 1;
	return 0;
}

static void
short_id(char out[13], const uint8_t id[HASH_LEN])
{
	char hex[2 * HASH_LEN + 1];

	cr_hex(hex, id, HASH_LEN);
	(void)snprintf(out, 13, "%.12s", hex);
}

/* Append one entry to the transcript, inside the open transaction. */
static enum pl_err
log_entry(struct store *st, const struct entry *en, uint64_t *index)
{
	struct buf b;
	const uint8_t *p;
	enum pl_err err;

	buf_init(&b, LOGSTORE_ENTRY_MAX);
	if ((err = entry_write(&b, en)) == PL_OK) {
		p = b.data;
		err = st->ops->log_append(st, &p, &b.len, 1, index);
	}
	buf_reset(&b);
	return err;
}

static void
entry_from_env(struct entry *en, uint8_t type, const uint8_t id[HASH_LEN], const struct env *e)
{
	memset(en, 0, sizeof(*en));
	en->type = type;
	memcpy(en->env_id, id, HASH_LEN);
	(void)snprintf(en->channel, sizeof(en->channel), "%s", e->channel);
	(void)snprintf(en->sender, sizeof(en->sender), "%s", e->sender);
	en->seq = e->seq;
	memcpy(en->prev, e->prev, HASH_LEN);
}

static void
row_from_env(struct store_env *row, const uint8_t id[HASH_LEN], const struct env *e, uint8_t dir,
             uint64_t stored_ms)
{
	memset(row, 0, sizeof(*row));
	memcpy(row->id, id, HASH_LEN);
	(void)snprintf(row->channel, sizeof(row->channel), "%s", e->channel);
	(void)snprintf(row->sender, sizeof(row->sender), "%s", e->sender);
	row->seq = e->seq;
	memcpy(row->prev, e->prev, HASH_LEN);
	row->kind = e->kind;
	row->prec = e->prec;
	row->flags = e->flags;
	row->tlp = e->tlp;
	row->time_ms = e->time_ms;
	row->stored_ms = stored_ms;
	row->dir = dir;
}

/* Build the canonical JSON body of format/version/data/texts. */
static enum pl_err
make_body(struct buf *out, const char *format, uint32_t version, const json_t *data,
          const json_t *texts, const char *authoritative)
{
	struct body b;
	const char *lang;
	json_t *v, *empty = NULL;
	enum pl_err err;

	memset(&b, 0, sizeof(b));
	PL_TRY(codec_id_check("format", format));
	(void)snprintf(b.format, sizeof(b.format), "%s", format);
	b.version = version;
	if (data == NULL)
		data = empty = json_object();
	if (!json_is_object(data)) {
		json_decref(empty);
		return pl_errf(PL_E_ARG, "data: want an object");
	}
	b.data = (json_t *)(uintptr_t)data;
	if (texts != NULL) {
		if (!json_is_object(texts)) {
			json_decref(empty);
			return pl_errf(PL_E_ARG, "texts: want an object of language: text");
		}
		json_object_foreach((json_t *)(uintptr_t)texts, lang, v)
		{
			if (b.n_texts == BODY_TEXTS_MAX || !json_is_string(v) ||
			    strlen(lang) > BODY_LANG_MAX) {
				json_decref(empty);
				return pl_errf(PL_E_ARG,
				               "texts.%.40s: want a string, at most %d languages",
				               lang, BODY_TEXTS_MAX);
			}
			(void)snprintf(b.texts[b.n_texts].lang, sizeof(b.texts[0].lang), "%s",
			               lang);
			b.texts[b.n_texts++].text = json_string_value(v);
		}
		if (authoritative == NULL && b.n_texts == 1)
			authoritative = b.texts[0].lang;
	}
	if (authoritative != NULL)
		(void)snprintf(b.authoritative, sizeof(b.authoritative), "%s", authoritative);
	err = body_write(out, &b);
	json_decref(empty);
	return err;
}

/* Open an envelope we received (we are a recipient) and parse its body. */
static enum pl_err
open_body(struct node *n, const struct env *e, struct body *b)
{
	struct buf plain;
	enum pl_err err;

	memset(b, 0, sizeof(*b));
	buf_init_secret(&plain, ENV_PLAIN_MAX);
	err = envelope_open(&plain, e, n->self.id, n->keys);
	if (err == PL_OK)
		err = body_read(b, plain.data, plain.len);
	buf_reset(&plain);
	return err;
}

/* A witness-only node holds no channel content. */
static enum pl_err
content_ok(const struct node *n)
{
	if (n->witness_only)
		return pl_errf(PL_E_STATE, "this node is a witness only: it holds no channels");
	return PL_OK;
}

/* ---- sending (inside a job) -------------------------------------------------- */

static void chain_forget(struct node *n, const char *channel);

struct outgoing {
	const char *channel;
	uint8_t kind, prec, tlp, flags;
	size_t n_refs;
	const uint8_t (*refs)[HASH_LEN];
	const uint8_t *plain;
	size_t plain_len;
	/* members to seal to; NULL: the channel's */
	size_t n_members;
	const char (*members)[CODEC_ID_MAX + 1];
	/* out */
	uint8_t id[HASH_LEN];
	size_t n_notify;
	char notify[ENV_RECIPIENTS_MAX][CODEC_ID_MAX + 1];
};

/* Inside the job: a sealed envelope of ours (raw, read into e) into the transcript and the store, queued for every other member. */
static enum pl_err
store_sent(struct node *n, struct store *st, struct outgoing *o, const struct env *e,
           const struct buf *raw)
{
	struct store_env row;
	struct entry en;
	enum pl_err err;
	uint64_t index;
	size_t i;

	entry_from_env(&en, ENTRY_SENT, o->id, e);
	PL_TRY(log_entry(st, &en, &index));
	row_from_env(&row, o->id, e, STORE_OUT, e->time_ms);
	row.log_index = index;
	PL_TRY(st->ops->env_put(st, &row, raw->data, raw->len));
	o->n_notify = 0;
	for (i = 0, err = PL_OK; i < o->n_members && err == PL_OK; i++) {
		struct store_dlv dl;

		if (strcmp(o->members[i], n->self.id) == 0)
			continue;
		memset(&dl, 0, sizeof(dl));
		memcpy(dl.env_id, o->id, HASH_LEN);
		(void)snprintf(dl.peer, sizeof(dl.peer), "%s", o->members[i]);
		(void)snprintf(dl.channel, sizeof(dl.channel), "%s", o->channel);
		dl.seq = e->seq;
		dl.prec = e->prec;
		err = st->ops->dlv_put(st, &dl);
		(void)snprintf(o->notify[o->n_notify++], CODEC_ID_MAX + 1, "%s", o->members[i]);
	}
	return err;
}

static enum pl_err
send_in_job(struct node *n, struct store *st, struct outgoing *o)
{
	struct envelope_to to[ENV_RECIPIENTS_MAX];
	struct party *keys = NULL;
	struct envelope_draft d;
	struct store_env last;
	struct env e;
	struct buf raw;
	enum pl_err err = PL_OK;
	size_t i;
	int found = 0;

	if ((keys = pl_calloc(o->n_members, sizeof(*keys))) == NULL)
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	for (i = 0; i < o->n_members && err == PL_OK; i++) {
		err = node_party(st, o->members[i], &keys[i], NULL);
		to[i].party = o->members[i];
		to[i].box_pk = keys[i].box_pk;
	}
	if (err == PL_OK)
		err = st->ops->env_last(st, o->channel, n->self.id, &last, &found);
	if (err != PL_OK) {
		pl_free(keys);
		return err;
	}
	memset(&d, 0, sizeof(d));
	d.channel = o->channel;
	d.sender = n->self.id;
	d.seq = found ? last.seq + 1 : 1;
	d.prev = found ? last.id : NULL;
	d.kind = o->kind;
	d.prec = o->prec;
	d.flags = o->flags;
	d.tlp = o->tlp;
	d.time_ms = node_now(n);
	d.n_refs = o->n_refs;
	d.refs = o->refs;
	d.n_to = o->n_members;
	d.to = to;
	d.plain = o->plain;
	d.plain_len = o->plain_len;
	buf_init(&raw, ENV_ENCODED_MAX);
	if ((err = envelope_seal(&raw, o->id, &d, n->keys)) == PL_OK &&
	    (err = env_read(&e, raw.data, raw.len)) == PL_OK)
		err = store_sent(n, st, o, &e, &raw);
	buf_reset(&raw);
	pl_free(keys);
	return err;
}

static void
notify_all(struct node *n, const struct outgoing *o)
{
	size_t i;

	if (n->notify == NULL)
		return;
	for (i = 0; i < o->n_notify; i++)
		n->notify(n->notify_ctx, o->notify[i], o->prec <= ENV_PREC_IMMEDIATE);
}

/* Active once every member's first envelope (charter or accept) is here. */
static enum pl_err
maybe_activate(struct store *st, struct store_chan *c)
{
	struct store_env row;
	size_t i;
	int found;

	if (c->state != STORE_CHAN_PROPOSED)
		return PL_OK;
	for (i = 0; i < c->n_members; i++) {
		PL_TRY(st->ops->env_by_seq(st, c->name, c->members[i], 1, &row, NULL, &found));
		if (!found)
			return PL_OK;
	}
	c->state = STORE_CHAN_ACTIVE;
	log_info("channel %s: active, signed by all %zu members", c->name, c->n_members);
	return st->ops->chan_put(st, c);
}

/* ---- channels ------------------------------------------------------------------ */

struct create_job {
	struct node *n;
	struct store_chan chan;
	struct buf plain;
	struct outgoing o;
};

static enum pl_err
create_job(struct store *st, void *ctx)
{
	struct create_job *j = ctx;
	struct store_chan have;
	int found;

	PL_TRY(st->ops->chan_get(st, j->chan.name, &have, &found));
	if (found)
		return pl_errf(PL_E_STATE, "channel '%s' already exists", j->chan.name);
	PL_TRY(send_in_job(j->n, st, &j->o));
	memcpy(j->chan.charter_id, j->o.id, HASH_LEN);
	return st->ops->chan_put(st, &j->chan);
}

static int
id_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

enum pl_err
node_channel_create(struct node *n, const struct node_officer *by, const char *name,
                    const char *const *members, size_t n_members, const json_t *charter,
                    uint8_t id[HASH_LEN])
{
	struct create_job *j;
	struct buf data;
	json_t *full = NULL;
	char errbuf[200];
	enum pl_err err;
	size_t i;

	PL_TRY(node_need_role(by, STORE_ROLE_DUTY));
	PL_TRY(content_ok(n));
	PL_TRY(codec_id_check("channel", name));
	if (n_members < 2 || n_members > ENV_RECIPIENTS_MAX)
		return pl_errf(PL_E_ARG, "members: want 2..%d parties, us included",
		               ENV_RECIPIENTS_MAX);
	if ((j = pl_calloc(1, sizeof(*j))) == NULL)
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	j->n = n;
	(void)snprintf(j->chan.name, sizeof(j->chan.name), "%s", name);
	for (i = 0; i < n_members; i++) {
		if ((err = codec_id_check("member", members[i])) != PL_OK)
			goto out;
		(void)snprintf(j->chan.members[i], CODEC_ID_MAX + 1, "%s", members[i]);
	}
	j->chan.n_members = n_members;
	qsort(j->chan.members, n_members, sizeof(j->chan.members[0]), id_cmp);
	if ((err = channel_members_ok(j->chan.members, n_members, n->self.id)) != PL_OK)
		goto out;
	if (channel_charter_complete(charter, &full, errbuf, sizeof(errbuf)) != PL_OK) {
		err = pl_errf(PL_E_ARG, "charter: %s", errbuf);
		goto out;
	}
	buf_init(&data, STORE_CHARTER_MAX);
	err = channel_charter_dump(full, &data);
	if (err == PL_OK) {
		memcpy(j->chan.charter, data.data, data.len);
		j->chan.charter[data.len] = '\0';
	}
	buf_reset(&data);
	buf_init(&j->plain, ENV_PLAIN_MAX);
	if (err != PL_OK || (err = make_body(&j->plain, "charter", 1, full, NULL, NULL)) != PL_OK)
		goto out;
	j->chan.state = STORE_CHAN_PROPOSED;
	(void)snprintf(j->chan.creator, sizeof(j->chan.creator), "%s", n->self.id);
	j->chan.created_ms = node_now(n);
	j->o.channel = j->chan.name;
	j->o.kind = ENV_KIND_CHARTER;
	j->o.prec = ENV_PREC_PRIORITY;
	j->o.plain = j->plain.data;
	j->o.plain_len = j->plain.len;
	j->o.n_members = j->chan.n_members;
	j->o.members = (const char(*)[CODEC_ID_MAX + 1]) j->chan.members;
	err = commit_run(n->commit, create_job, j);
	chain_forget(n, j->o.channel); /* sealed in the job */
	if (err != PL_OK)
		goto out;
	memcpy(id, j->o.id, HASH_LEN);
	log_info("channel %s: charter proposed to %zu members", name, n_members);
	notify_all(n, &j->o);
out:
	json_decref(full);
	buf_reset(&j->plain);
	pl_free(j);
	return err;
}

struct accept_job {
	struct node *n;
	const char *name;
	struct store_chan chan;
	struct buf plain;
	struct outgoing o;
};

static enum pl_err
accept_job(struct store *st, void *ctx)
{
	struct accept_job *j = ctx;
	struct store_env mine;
	int found;

	PL_TRY(st->ops->chan_get(st, j->name, &j->chan, &found));
	if (!found)
		return pl_errf(PL_E_NOTFOUND, "no channel '%s' here", j->name);
	if (!is_member(&j->chan, j->n->self.id))
		return pl_errf(PL_E_ARG, "channel '%s': we are not a member", j->name);
	PL_TRY(st->ops->env_by_seq(st, j->name, j->n->self.id, 1, &mine, NULL, &found));
	if (found)
		return pl_errf(PL_E_STATE, "channel '%s': already signed here", j->name);
	j->o.channel = j->chan.name;
	j->o.refs = (const uint8_t(*)[HASH_LEN])j->chan.charter_id;
	j->o.n_members = j->chan.n_members;
	j->o.members = (const char(*)[CODEC_ID_MAX + 1]) j->chan.members;
	PL_TRY(send_in_job(j->n, st, &j->o));
	return maybe_activate(st, &j->chan);
}

enum pl_err
node_channel_accept(struct node *n, const struct node_officer *by, const char *name,
                    uint8_t id[HASH_LEN])
{
	struct accept_job *j;
	enum pl_err err;

	PL_TRY(node_need_role(by, STORE_ROLE_DUTY));
	PL_TRY(content_ok(n));
	if ((j = pl_calloc(1, sizeof(*j))) == NULL)
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	j->n = n;
	j->name = name;
	buf_init(&j->plain, ENV_PLAIN_MAX);
	if ((err = make_body(&j->plain, "charter-accept", 1, NULL, NULL, NULL)) != PL_OK)
		goto out;
	j->o.kind = ENV_KIND_CHARTER_ACCEPT;
	j->o.prec = ENV_PREC_PRIORITY;
	j->o.n_refs = 1;
	j->o.plain = j->plain.data;
	j->o.plain_len = j->plain.len;
	err = commit_run(n->commit, accept_job, j);
	chain_forget(n, name); /* sealed in the job */
	if (err != PL_OK)
		goto out;
	memcpy(id, j->o.id, HASH_LEN);
	log_info("channel %s: charter signed", name);
	notify_all(n, &j->o);
out:
	buf_reset(&j->plain);
	pl_free(j);
	return err;
}

/* ---- sending ---------------------------------------------------------------------- */

struct send_job {
	struct node *n;
	struct store_chan chan;
	struct buf plain;
	struct outgoing o;
};

/* The channel, if we may send on it now. */
static enum pl_err
sendable(struct store *st, struct node *n, const char *channel, struct store_chan *chan)
{
	int found;

	PL_TRY(st->ops->chan_get(st, channel, chan, &found));
	if (!found)
		return pl_errf(PL_E_NOTFOUND, "no channel '%s' here", channel);
	if (!is_member(chan, n->self.id))
		return pl_errf(PL_E_ARG, "channel '%s': we are not a member", channel);
	if (chan->state != STORE_CHAN_ACTIVE)
		return pl_errf(PL_E_STATE, "channel '%s' is not active (%s)", channel,
		               chan->state == STORE_CHAN_PROPOSED ? "not every member has "
		                                                    "signed its charter yet"
		                                                  : "suspended");
	return PL_OK;
}

/*
 * Sealing a message is most of the cost of sending, and it needs the seq
 * and the id of our last envelope on the channel.  They are kept here per
 * channel as the writer will see them once every job queued so far has
 * run, so a sender seals on its own thread, holding only its channel's
 * chain, and queues its job before the next sender on that channel may
 * seal.  The job checks the chain, the members and their keys again and
 * refuses a stale seal (the sender seals again); any failure forgets the
 * chain, which is then read again from the store through the writer.
 */
struct chain {
	struct chain *next;
	char channel[CODEC_ID_MAX + 1];
	pthread_mutex_t mu;
	const char *n_self;
	int valid, have_prev;
	uint64_t next_seq;
	uint8_t prev[HASH_LEN];
};

static struct chain *
chain_for(struct node *n, const char *channel)
{
	struct chain *c;

	pthread_mutex_lock(&n->chains_mu);
	for (c = n->chains; c != NULL && strcmp(c->channel, channel) != 0; c = c->next)
		;
	if (c == NULL && (c = pl_calloc(1, sizeof(*c))) != NULL) {
		(void)snprintf(c->channel, sizeof(c->channel), "%s", channel);
		pthread_mutex_init(&c->mu, NULL);
		c->next = n->chains;
		n->chains = c;
	}
	pthread_mutex_unlock(&n->chains_mu);
	return c;
}

/* After a job that sealed on the writer (or failed to store a seal): read the chain again. */
static void
chain_forget(struct node *n, const char *channel)
{
	struct chain *c = channel != NULL ? chain_for(n, channel) : NULL;

	if (c != NULL) {
		pthread_mutex_lock(&c->mu);
		c->valid = 0;
		pthread_mutex_unlock(&c->mu);
	}
}

void
node_chains_free(struct node *n)
{
	struct chain *c, *next;

	for (c = n->chains; c != NULL; c = next) {
		next = c->next;
		pthread_mutex_destroy(&c->mu);
		pl_free(c);
	}
	n->chains = NULL;
}

/* On the writer: our last envelope on c's channel, every job before this one done. */
static enum pl_err
chain_job(struct store *st, void *ctx)
{
	struct chain *c = ctx;
	struct store_env last;
	int found;

	PL_TRY(st->ops->env_last(st, c->channel, c->n_self, &last, &found));
	c->next_seq = found ? last.seq + 1 : 1;
	c->have_prev = found;
	if (found)
		memcpy(c->prev, last.id, HASH_LEN);
	return PL_OK;
}

struct sealed {
	struct node *n;
	struct chain *chain;
	struct outgoing *o;
	struct store_chan chan;
	uint8_t box_pk[ENV_RECIPIENTS_MAX][BOX_PK_LEN];
	uint64_t seq;
	int have_prev, stale;
	uint8_t prev[HASH_LEN];
	struct envelope_keys keys;
	struct buf raw;
	struct env e;
};

/* Called by the committer once our job is in line: the next sender may seal. */
static void
chain_advance(void *arg)
{
	struct sealed *s = arg;

	s->chain->next_seq = s->seq + 1;
	s->chain->have_prev = 1;
	memcpy(s->chain->prev, s->o->id, HASH_LEN);
	pthread_mutex_unlock(&s->chain->mu);
}

/* The job: what was sealed still fits the store, then store it as send_in_job would. */
static enum pl_err
sealed_job(struct store *st, void *ctx)
{
	struct sealed *s = ctx;
	struct store_chan now;
	struct store_env last;
	struct party p;
	size_t i;
	int found;

	PL_TRY(sendable(st, s->n, s->o->channel, &now));
	s->stale = now.n_members != s->chan.n_members;
	for (i = 0; !s->stale && i < now.n_members; i++)
		s->stale = strcmp(now.members[i], s->chan.members[i]) != 0 ||
		           node_party(st, now.members[i], &p, NULL) != PL_OK ||
		           memcmp(p.box_pk, s->box_pk[i], BOX_PK_LEN) != 0;
	if (!s->stale) {
		PL_TRY(st->ops->env_last(st, s->o->channel, s->n->self.id, &last, &found));
		s->stale = found ? last.seq + 1 != s->seq || !s->have_prev ||
		                           memcmp(last.id, s->prev, HASH_LEN) != 0
		                 : s->seq != 1;
	}
	if (s->stale)
		return pl_errf(PL_E_STATE, "channel '%s': changed while sealing", s->o->channel);
	return store_sent(s->n, st, s->o, &s->e, &s->raw);
}

/* Seal s->o on this thread and store it through the writer. */
static enum pl_err
seal_and_send(struct node *n, struct sealed *s)
{
	struct envelope_to to[ENV_RECIPIENTS_MAX];
	struct envelope_draft d;
	struct store *rd;
	struct party p;
	enum pl_err err;
	size_t i;

	PL_TRY(node_reader_get(n, &rd));
	err = sendable(rd, n, s->o->channel, &s->chan);
	for (i = 0; err == PL_OK && i < s->chan.n_members; i++) {
		if ((err = node_party(rd, s->chan.members[i], &p, NULL)) != PL_OK)
			break;
		memcpy(s->box_pk[i], p.box_pk, BOX_PK_LEN);
		to[i].party = s->chan.members[i];
		to[i].box_pk = s->box_pk[i];
	}
	node_reader_put(n, rd);
	PL_TRY(err);
	s->o->n_members = s->chan.n_members;
	s->o->members = (const char(*)[CODEC_ID_MAX + 1]) s->chan.members;

	/*
	 * The body key sealed to every member before taking the chain: only
	 * the header, the body's encryption and the signature wait for the
	 * previous sender on this channel.  The writer is told a job is coming.
	 */
	commit_expect(n->commit);
	if ((err = envelope_seal_keys(&s->keys, to, s->chan.n_members)) != PL_OK) {
		commit_expect_cancel(n->commit);
		return err;
	}
	pthread_mutex_lock(&s->chain->mu);
	if (!s->chain->valid) {
		/*
		 * Our announced job cannot come before this read: the writer
		 * must not hold the read's group waiting for it.
		 */
		commit_expect_cancel(n->commit);
		s->chain->n_self = n->self.id;
		err = commit_run(n->commit, chain_job, s->chain);
		commit_expect(n->commit);
		if (err != PL_OK) {
			pthread_mutex_unlock(&s->chain->mu);
			envelope_keys_wipe(&s->keys);
			commit_expect_cancel(n->commit);
			return err;
		}
		s->chain->valid = 1;
	}
	s->seq = s->chain->next_seq;
	s->have_prev = s->chain->have_prev;
	memcpy(s->prev, s->chain->prev, HASH_LEN);
	memset(&d, 0, sizeof(d));
	d.channel = s->o->channel;
	d.sender = n->self.id;
	d.seq = s->seq;
	d.prev = s->have_prev ? s->prev : NULL;
	d.kind = s->o->kind;
	d.prec = s->o->prec;
	d.flags = s->o->flags;
	d.tlp = s->o->tlp;
	d.time_ms = node_now(n);
	d.n_refs = s->o->n_refs;
	d.refs = s->o->refs;
	d.n_to = s->chan.n_members;
	d.to = to;
	d.plain = s->o->plain;
	d.plain_len = s->o->plain_len;
	s->raw.len = 0;
	if ((err = envelope_seal_with(&s->raw, s->o->id, &d, &s->keys, n->keys)) != PL_OK ||
	    (err = env_read(&s->e, s->raw.data, s->raw.len)) != PL_OK) {
		pthread_mutex_unlock(&s->chain->mu);
		commit_expect_cancel(n->commit);
		return err;
	}
	s->stale = 0;
	err = commit_run_then(n->commit, sealed_job, s, chain_advance, s, 1);
	if (err != PL_OK)
		chain_forget(n, s->o->channel);
	return err;
}

/* A message: sealed off the writer's thread (above); sealed again if the channel moved meanwhile. */
static enum pl_err
send_message(struct node *n, struct send_job *j, uint8_t id[HASH_LEN])
{
	struct sealed *s;
	enum pl_err err;
	int attempt, stale;

	/* About 20 KiB (a parsed envelope and the sealed keys): off the caller's stack. */
	if ((s = pl_calloc(1, sizeof(*s))) == NULL)
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	s->n = n;
	s->o = &j->o;
	j->o.plain = j->plain.data;
	j->o.plain_len = j->plain.len;
	if ((s->chain = chain_for(n, j->o.channel)) == NULL) {
		pl_free(s);
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	}
	buf_init(&s->raw, ENV_ENCODED_MAX);
	for (attempt = 0; attempt < 4; attempt++)
		if ((err = seal_and_send(n, s)) != PL_OK || !s->stale)
			break;
	buf_reset(&s->raw);
	stale = s->stale;
	pl_free(s);
	if (err != PL_OK && !stale)
		return err;
	if (err != PL_OK)
		return pl_errf(PL_E_STATE, "channel '%s' kept changing while sealing; try again",
		               j->o.channel);
	memcpy(id, j->o.id, HASH_LEN);
	notify_all(n, &j->o);
	return PL_OK;
}

enum pl_err
node_send(struct node *n, const struct node_officer *by, const struct node_send *s,
          uint8_t id[HASH_LEN])
{
	struct send_job *j;
	enum pl_err err;
	char sid[13];

	PL_TRY(node_need_role(by, STORE_ROLE_DUTY));
	PL_TRY(content_ok(n));
	PL_TRY(codec_id_check("channel", s->channel));
	if (s->prec > ENV_PREC_ROUTINE || s->tlp > ENV_TLP_RED ||
	    (s->flags & ~ENV_FLAGS_KNOWN) != 0)
		return pl_errf(PL_E_ARG, "send: precedence, tlp or flags out of range");
	if (s->n_refs > ENV_REFS_MAX)
		return pl_errf(PL_E_ARG, "refs: at most %d", ENV_REFS_MAX);
	if ((j = pl_calloc(1, sizeof(*j))) == NULL)
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	buf_init(&j->plain, ENV_PLAIN_MAX);
	err = make_body(&j->plain, s->format, s->version, s->data, s->texts, s->authoritative);
	if (err == PL_OK) {
		j->o.channel = s->channel;
		j->o.kind = ENV_KIND_MESSAGE;
		j->o.prec = s->prec;
		j->o.tlp = s->tlp;
		j->o.flags = s->flags;
		j->o.n_refs = s->n_refs;
		j->o.refs = s->refs;
		err = send_message(n, j, id);
	}
	if (err == PL_OK) {
		short_id(sid, id);
		log_info("channel %s: sent %s (%s) by %s", s->channel, sid, env_prec_name(s->prec),
		         by != NULL ? by->name : "node");
	}
	buf_reset(&j->plain);
	pl_free(j);
	return err;
}

/* ---- receiving -------------------------------------------------------------------- */

/*
 * The crypto of receiving, done before the job on the caller's thread so
 * that the writer only judges and stores: the sender's signature checked
 * with the key pinned then, and our receipt signed in advance (used only
 * if the envelope is accepted).
 */
struct recv_pre {
	int keyed;    /* pk holds the pinned sender's key */
	int verified; /* the signature checked out with pk, and id is the envelope's */
	int urgent;   /* FLASH or IMMEDIATE */
	uint8_t pk[SIG_PK_LEN];
	uint8_t id[HASH_LEN];
	uint64_t now;
	struct buf receipt;
};

/*
 * A batch is written in parts of NODE_PART envelopes (commit_run_parts),
 * so that an urgent batch waits for at most one part of a large one.
 */
#define NODE_PART 16

struct recv_job {
	struct node *n;
	const uint8_t *const *envs;
	const size_t *lens;
	size_t count;
	struct recv_pre *pre;
	struct buf *receipts;
	int urgent;  /* the batch holds a FLASH or IMMEDIATE envelope, signed */
	int stopped; /* an envelope was refused or a part failed: the later parts do nothing */
	size_t accepted;
	struct node_verdict v;
	char msg[PL_ERR_MSG_MAX]; /* why, recorded on the writer's thread */
};

/* Record why an envelope is refused, with the detail in pl_err_msg(). */
#define REFUSE(j, reason, ...) ((j)->v.why = (reason), (void)pl_errf(PL_E_PROTO, __VA_ARGS__))

/*
 * e (id, raw [p, p+len), its signature verified) takes a seq the sender
 * already used on the channel for another envelope: both, signed by the
 * sender, are kept as the evidence of an alert.
 */
enum pl_err
node_equivocation(struct node *n, struct store *st, const struct env *e, const uint8_t id[HASH_LEN],
                  const uint8_t *p, size_t len)
{
	struct store_alert a;
	struct store_env other;
	struct buf raw, ev;
	char detail[STORE_ALERT_DETAIL_MAX + 1], s1[13], s2[13];
	enum pl_err err;
	int found = 0;

	buf_init(&raw, ENV_ENCODED_MAX);
	buf_init(&ev, 2 * (4 + ENV_ENCODED_MAX));
	err = st->ops->env_by_seq(st, e->channel, e->sender, e->seq, &other, &raw, &found);
	if (err != PL_OK || !found || memcmp(other.id, id, HASH_LEN) == 0)
		goto out;
	short_id(s1, other.id);
	short_id(s2, id);
	(void)snprintf(detail, sizeof(detail),
	               "channel %s seq %llu: two envelopes signed by %s (%s... and %s...)",
	               e->channel, (unsigned long long)e->seq, e->sender, s1, s2);
	if ((err = buf_add_u32be(&ev, (uint32_t)raw.len)) != PL_OK ||
	    (err = buf_add(&ev, raw.data, raw.len)) != PL_OK ||
	    (err = buf_add_u32be(&ev, (uint32_t)len)) != PL_OK ||
	    (err = buf_add(&ev, p, len)) != PL_OK)
		goto out;
	memset(&a, 0, sizeof(a));
	a.time_ms = node_now(n);
	(void)snprintf(a.kind, sizeof(a.kind), "equivocation");
	(void)snprintf(a.party, sizeof(a.party), "%s", e->sender);
	(void)snprintf(a.detail, sizeof(a.detail), "%s", detail);
	a.evidence = ev.data;
	a.evidence_len = ev.len;
	if ((err = st->ops->alert_put(st, &a)) == PL_OK && a.id != 0)
		log_warnx("ALERT equivocation: %s: %s", e->sender, detail);
out:
	buf_reset(&raw);
	buf_reset(&ev);
	return err;
}

/*
 * Judge and store one envelope.  PL_OK with j->v.why set when refused
 * (nothing of it written, but an equivocation's alert); an error only when
 * the store failed.
 */
static enum pl_err
receive_one(struct recv_job *j, struct store *st, const uint8_t *p, size_t len,
            const struct recv_pre *pre, struct buf *receipt)
{
	struct node *n = j->n;
	struct store_chan chan;
	struct store_env last, row;
	struct party sender;
	struct entry en;
	struct env e;
	uint8_t id[HASH_LEN];
	uint64_t now, index;
	struct body b;
	size_t i;
	int found;

	memset(&b, 0, sizeof(b));
	if (len > ENV_ENCODED_MAX) {
		REFUSE(j, NODE_TOO_BIG, "envelope of %zu bytes > %d", len, (int)ENV_ENCODED_MAX);
		return PL_OK;
	}
	if (env_read(&e, p, len) != PL_OK) {
		j->v.why = NODE_MALFORMED;
		return PL_OK;
	}
	if (pre->verified)
		memcpy(id, pre->id, HASH_LEN);
	else
		envelope_id(id, p, len);
	/* A duplicate gets the receipt it got the first time. */
	PL_TRY(st->ops->rcpt_get(st, id, n->self.id, receipt, &found));
	if (found)
		return PL_OK;
	if (strcmp(e.sender, n->self.id) == 0) {
		REFUSE(j, NODE_NOT_MEMBER, "sender '%s' is this node", e.sender);
		return PL_OK;
	}
	PL_TRY(node_party(st, e.sender, &sender, &found));
	if (!found) {
		REFUSE(j, NODE_UNKNOWN_SENDER, "sender '%s' is not pinned here", e.sender);
		return PL_OK;
	}
	if (!(pre->verified && memcmp(pre->pk, sender.sign_pk, SIG_PK_LEN) == 0) &&
	    envelope_verify(&e, sender.sign_pk) != PL_OK) {
		j->v.why = NODE_BAD_SIGNATURE;
		return PL_OK;
	}
	PL_TRY(st->ops->chan_get(st, e.channel, &chan, &found));
	if (!found) {
		if (e.kind != ENV_KIND_CHARTER || e.seq != 1) {
			REFUSE(j, NODE_NO_CHANNEL, "no channel '%s' here", e.channel);
			return PL_OK;
		}
		/* A new charter: its recipients are the proposed members. */
		memset(&chan, 0, sizeof(chan));
		(void)snprintf(chan.name, sizeof(chan.name), "%s", e.channel);
		for (i = 0; i < e.n_recipients; i++)
			(void)snprintf(chan.members[i], CODEC_ID_MAX + 1, "%s",
			               e.recipients[i].party);
		chan.n_members = e.n_recipients;
		if (!is_member(&chan, n->self.id) || !is_member(&chan, e.sender)) {
			REFUSE(j, NODE_NOT_MEMBER,
			       "charter of '%s' does not name us and its sender", e.channel);
			return PL_OK;
		}
		if (open_body(n, &e, &b) != PL_OK || strcmp(b.format, "charter") != 0) {
			body_free(&b);
			REFUSE(j, NODE_BAD_BODY,
			       "charter of '%s' does not open or is not a charter", e.channel);
			return PL_OK;
		}
		{
			char errbuf[200];
			json_t *full = NULL;
			struct buf data;
			enum pl_err err;

			if (channel_charter_complete(b.data, &full, errbuf, sizeof(errbuf)) !=
			    PL_OK) {
				body_free(&b);
				REFUSE(j, NODE_BAD_BODY, "charter: %s", errbuf);
				return PL_OK;
			}
			buf_init(&data, STORE_CHARTER_MAX);
			err = channel_charter_dump(full, &data);
			if (err == PL_OK) {
				memcpy(chan.charter, data.data, data.len);
				chan.charter[data.len] = '\0';
			}
			buf_reset(&data);
			json_decref(full);
			body_free(&b);
			if (err != PL_OK) {
				REFUSE(j, NODE_BAD_BODY, "charter of '%s' too large", e.channel);
				return PL_OK;
			}
		}
		chan.state = STORE_CHAN_PROPOSED;
		memcpy(chan.charter_id, id, HASH_LEN);
		(void)snprintf(chan.creator, sizeof(chan.creator), "%s", e.sender);
		chan.created_ms = node_now(n);
	} else {
		if (!is_member(&chan, e.sender)) {
			REFUSE(j, NODE_NOT_MEMBER, "sender '%s' is not a member of the channel",
			       e.sender);
			return PL_OK;
		}
		if (e.n_recipients != chan.n_members) {
			REFUSE(j, NODE_NOT_MEMBER, "recipients of '%s' are not its members",
			       e.channel);
			return PL_OK;
		}
		for (i = 0; i < e.n_recipients; i++)
			if (strcmp(e.recipients[i].party, chan.members[i]) != 0) {
				REFUSE(j, NODE_NOT_MEMBER, "recipients of '%s' are not its members",
				       e.channel);
				return PL_OK;
			}
		if (e.kind == ENV_KIND_CHARTER ||
		    (e.kind == ENV_KIND_CHARTER_ACCEPT &&
		     (e.seq != 1 || e.n_refs != 1 ||
		      memcmp(e.refs[0], chan.charter_id, HASH_LEN) != 0))) {
			REFUSE(j, NODE_BAD_BODY,
			       "a charter or accept on '%s' that does not fit its charter",
			       e.channel);
			return PL_OK;
		}
		if (e.kind != ENV_KIND_CHARTER_ACCEPT && chan.state != STORE_CHAN_ACTIVE) {
			REFUSE(j, NODE_INACTIVE, "channel '%s' is not active here yet", e.channel);
			return PL_OK;
		}
	}
	/* Sequence and chain. */
	PL_TRY(st->ops->env_last(st, e.channel, e.sender, &last, &found));
	j->v.expected_seq = found ? last.seq + 1 : 1;
	if (e.seq < j->v.expected_seq) {
		PL_TRY(node_equivocation(n, st, &e, id, p, len));
		REFUSE(j, NODE_CONFLICT, "%s/%s: another envelope already has seq %llu", e.channel,
		       e.sender, (unsigned long long)e.seq);
		log_warnx("channel %s: %s sent a second envelope with seq %llu", e.channel,
		          e.sender, (unsigned long long)e.seq);
		return PL_OK;
	}
	if (e.seq > j->v.expected_seq) {
		REFUSE(j, NODE_GAP, "%s/%s: seq %llu, expected %llu", e.channel, e.sender,
		       (unsigned long long)e.seq, (unsigned long long)j->v.expected_seq);
		return PL_OK;
	}
	if (memcmp(e.prev, found ? last.id : zero_id, HASH_LEN) != 0) {
		REFUSE(j, NODE_BAD_CHAIN, "%s/%s: prev is not the id of seq %llu", e.channel,
		       e.sender, (unsigned long long)(j->v.expected_seq - 1));
		return PL_OK;
	}
	if (e.kind == ENV_KIND_ACK) {
		struct store_ack a;
		const char *officer;

		if (e.n_refs != 1 || open_body(n, &e, &b) != PL_OK ||
		    strcmp(b.format, "ack") != 0 ||
		    (officer = json_string_value(json_object_get(b.data, "officer"))) == NULL ||
		    strlen(officer) > STORE_NAME_MAX) {
			body_free(&b);
			REFUSE(j, NODE_BAD_BODY,
			       "acknowledgement on '%s' without one ref and an officer", e.channel);
			return PL_OK;
		}
		memset(&a, 0, sizeof(a));
		memcpy(a.env_id, e.refs[0], HASH_LEN);
		(void)snprintf(a.party, sizeof(a.party), "%s", e.sender);
		(void)snprintf(a.officer, sizeof(a.officer), "%s", officer);
		memcpy(a.ack_id, id, HASH_LEN);
		a.time_ms = e.time_ms;
		body_free(&b);
		PL_TRY(st->ops->ack_put(st, &a));
	}
	/* Store, receipt, transcript: one commit. */
	if (pre->receipt.len > 0) {
		now = pre->now;
		PL_TRY(buf_add(receipt, pre->receipt.data, pre->receipt.len));
	} else {
		now = node_now(n);
		PL_TRY(receipt_sign(receipt, id, n->self.id, now, n->keys));
	}
	entry_from_env(&en, ENTRY_RECEIVED, id, &e);
	en.receipt = receipt->data;
	en.receipt_len = receipt->len;
	PL_TRY(log_entry(st, &en, &index));
	row_from_env(&row, id, &e, STORE_IN, now);
	row.log_index = index;
	PL_TRY(st->ops->env_put(st, &row, p, len));
	PL_TRY(st->ops->rcpt_put(st, id, n->self.id, now, receipt->data, receipt->len));
	if (e.kind == ENV_KIND_CHARTER) {
		PL_TRY(st->ops->chan_put(st, &chan));
		log_info("channel %s: charter proposed by %s", e.channel, e.sender);
	}
	if (e.kind == ENV_KIND_CHARTER_ACCEPT)
		PL_TRY(maybe_activate(st, &chan));
	return PL_OK;
}

/* The CPU-bound part of one envelope's preparation; any thread (par.h). */
static void
recv_prepare_one(void *ctx, size_t i)
{
	struct recv_job *j = ctx;
	struct recv_pre *pre = &j->pre[i];
	struct env e;

	if (!pre->keyed || env_read(&e, j->envs[i], j->lens[i]) != PL_OK ||
	    envelope_verify(&e, pre->pk) != PL_OK)
		return;
	pre->verified = 1;
	envelope_id(pre->id, j->envs[i], j->lens[i]);
	pre->now = node_now(j->n);
	if (receipt_sign(&pre->receipt, pre->id, j->n->self.id, pre->now, j->n->keys) != PL_OK)
		pre->receipt.len = 0;
}

/*
 * Best effort: whatever fails here is judged again, with the reason, in
 * the job.  The senders' keys are looked up here (a store connection is
 * one thread's), the signatures checked and the receipts signed on every
 * core.  Each envelope is parsed in both passes: the parse is a few
 * microseconds against the signature check's sixty, and the first pass
 * keeps no 10 KiB struct env per envelope.
 */
static void
recv_prepare(struct node *n, struct recv_job *j)
{
	struct party sender;
	struct store *rd;
	struct env e;
	char last[CODEC_ID_MAX + 1] = "";
	size_t i;
	int found = 0;

	if (node_reader_get(n, &rd) != PL_OK)
		return;
	for (i = 0; i < j->count; i++) {
		struct recv_pre *pre = &j->pre[i];

		if (j->lens[i] > ENV_ENCODED_MAX || env_read(&e, j->envs[i], j->lens[i]) != PL_OK)
			continue;
		/* A batch comes from one sender: one lookup, usually. */
		if (strcmp(e.sender, last) != 0) {
			last[0] = '\0';
			if (node_party(rd, e.sender, &sender, &found) != PL_OK || !found)
				continue;
			(void)snprintf(last, sizeof(last), "%s", e.sender);
		}
		pre->keyed = 1;
		pre->urgent = e.prec <= ENV_PREC_IMMEDIATE;
		memcpy(pre->pk, sender.sign_pk, SIG_PK_LEN);
	}
	node_reader_put(n, rd);
	par_for(j->count, 0, recv_prepare_one, j);
	/* Urgent if a signed envelope says so: a forged one buys no place in the queue. */
	for (i = 0; i < j->count; i++)
		if (j->pre[i].verified && j->pre[i].urgent)
			j->urgent = 1;
}

/* Envelopes [part * NODE_PART, ...) of the batch, in order, until the first refused. */
static enum pl_err
recv_part(struct store *st, void *ctx, unsigned part)
{
	struct recv_job *j = ctx;
	size_t i, end = (size_t)(part + 1) * NODE_PART;
	enum pl_err err;

	for (i = (size_t)part * NODE_PART; i < end && i < j->count && !j->stopped; i++) {
		j->receipts[i].len = 0;
		j->v.expected_seq = 0;
		err = receive_one(j, st, j->envs[i], j->lens[i], &j->pre[i], &j->receipts[i]);
		if (err != PL_OK) {
			j->stopped = 1;
			return err;
		}
		if (j->v.why != NODE_ACCEPTED) {
			j->v.index = i;
			(void)snprintf(j->msg, sizeof(j->msg), "%s", pl_err_msg());
			j->stopped = 1;
			return PL_OK;
		}
		j->accepted++;
	}
	return PL_OK;
}

enum pl_err
node_receive(struct node *n, const uint8_t *const *envs, const size_t *lens, size_t count,
             struct buf *receipts, size_t *accepted, struct node_verdict *v)
{
	struct recv_job j = { .n = n,
		              .envs = envs,
		              .lens = lens,
		              .count = count,
		              .receipts = receipts,
		              .v = { NODE_ACCEPTED, 0, 0 } };
	enum pl_err err;
	unsigned done = 0;
	size_t i;

	*accepted = 0;
	memset(v, 0, sizeof(*v));
	if (n->witness_only) {
		v->why = NODE_NOT_MEMBER;
		(void)content_ok(n);
		log_info("refused a batch: %s", pl_err_msg());
		return PL_OK;
	}
	if (count == 0 || count > NODE_BATCH_MAX)
		return pl_errf(PL_E_ARG, "batch of %zu envelopes (want 1..%d)", count,
		               NODE_BATCH_MAX);
	if ((j.pre = pl_calloc(count, sizeof(*j.pre))) == NULL)
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	for (i = 0; i < count; i++)
		buf_init(&j.pre[i].receipt, RCPT_ENCODED_MAX);
	recv_prepare(n, &j);
	err = commit_run_parts(n->commit, recv_part, &j,
	                       (unsigned)((count + NODE_PART - 1) / NODE_PART), j.urgent, &done);
	for (i = 0; i < count; i++)
		buf_reset(&j.pre[i].receipt);
	pl_free(j.pre);
	if (err != PL_OK) {
		/*
		 * A part failed (the disk, say): the parts before it are stored,
		 * and their receipts go back with the failure, so that the sender
		 * resends only the rest.
		 */
		size_t stored = (size_t)done * NODE_PART;

		if (stored > j.accepted)
			stored = j.accepted;
		v->why = NODE_INTERNAL;
		v->index = stored;
		if (stored == 0)
			return err;
		*accepted = stored;
		log_warnx("stored %zu envelopes of a batch of %zu, then: %s", stored, count,
		          pl_err_msg());
		return PL_OK;
	}
	*accepted = j.accepted;
	*v = j.v;
	if (v->why != NODE_ACCEPTED) {
		/* The reason was recorded on the writer's thread: bring it to the caller's. */
		(void)pl_errf(PL_E_PROTO, "%s", j.msg);
		log_info("refused envelope %zu of a batch: %s: %s", v->index,
		         node_refusal_name(v->why), j.msg);
	}
	return PL_OK;
}

int
node_refusal_http(enum node_refusal r)
{
	switch (r) {
	case NODE_ACCEPTED:
		return 200;
	case NODE_MALFORMED:
		return 400;
	case NODE_TOO_BIG:
		return 413;
	case NODE_UNKNOWN_SENDER:
	case NODE_BAD_SIGNATURE:
	case NODE_NOT_MEMBER:
		return 403;
	case NODE_NO_CHANNEL:
		return 404;
	case NODE_INACTIVE:
	case NODE_GAP:
	case NODE_BAD_CHAIN:
	case NODE_CONFLICT:
		return 409;
	case NODE_BAD_BODY:
		return 422;
	case NODE_INTERNAL:
		return 500;
	}
	return 500;
}

const char *
node_refusal_name(enum node_refusal r)
{
	switch (r) {
	case NODE_ACCEPTED:
		return "accepted";
	case NODE_MALFORMED:
		return "malformed";
	case NODE_TOO_BIG:
		return "too-big";
	case NODE_UNKNOWN_SENDER:
		return "unknown-sender";
	case NODE_BAD_SIGNATURE:
		return "bad-signature";
	case NODE_NOT_MEMBER:
		return "not-member";
	case NODE_NO_CHANNEL:
		return "no-channel";
	case NODE_INACTIVE:
		return "inactive";
	case NODE_GAP:
		return "gap";
	case NODE_BAD_CHAIN:
		return "bad-chain";
	case NODE_CONFLICT:
		return "conflict";
	case NODE_BAD_BODY:
		return "bad-body";
	case NODE_INTERNAL:
		return "internal";
	}
	return "internal";
}

/* ---- what a member missed ------------------------------------------------------- */

struct fetch_ctx {
	struct store *st;
	struct buf *out;
	size_t count;
	enum pl_err err;
};

static int
fetch_row(void *ctx, const struct store_env *row)
{
	struct fetch_ctx *f = ctx;
	struct buf raw;
	int found = 0;

	buf_init(&raw, ENV_ENCODED_MAX);
	f->err = f->st->ops->env_get(f->st, row->id, NULL, &raw, &found);
	if (f->err == PL_OK && found &&
	    (f->err = buf_add_u32be(f->out, (uint32_t)raw.len)) == PL_OK &&
	    (f->err = buf_add(f->out, raw.data, raw.len)) == PL_OK)
		f->count++;
	buf_reset(&raw);
	return f->err != PL_OK;
}

enum pl_err
node_fetch(struct node *n, const char *requester, const char *channel, const char *sender,
           uint64_t from_seq, size_t max, struct buf *out, size_t *count)
{
	struct store_env_filter f = { 0 };
	struct fetch_ctx fc = { NULL, out, 0, PL_OK };
	struct store_chan chan;
	enum pl_err err;
	int found = 0;

	*count = 0;
	PL_TRY(node_reader_get(n, &fc.st));
	err = fc.st->ops->chan_get(fc.st, channel, &chan, &found);
	if (err == PL_OK && !found)
		err = pl_errf(PL_E_NOTFOUND, "no channel '%s' here", channel);
	if (err == PL_OK && !is_member(&chan, requester))
		err = pl_errf(PL_E_PERM, "'%s' is not a member of channel '%s'", requester,
		              channel);
	if (err == PL_OK) {
		f.channel = channel;
		f.sender = sender != NULL ? sender : n->self.id;
		f.from_seq = from_seq;
		f.limit = max == 0 || max > NODE_BATCH_MAX ? NODE_BATCH_MAX : max;
		err = fc.st->ops->env_list(fc.st, &f, fetch_row, &fc);
		if (err == PL_OK)
			err = fc.err;
	}
	node_reader_put(n, fc.st);
	*count = fc.count;
	return err;
}

/* ---- delivery ------------------------------------------------------------------------ */

enum pl_err
node_pending_peers(struct node *n, int (*fn)(void *ctx, const char *peer), void *ctx)
{
	struct store *st;
	enum pl_err err;

	PL_TRY(node_reader_get(n, &st));
	err = st->ops->dlv_peers(st, fn, ctx);
	node_reader_put(n, st);
	return err;
}

struct batch_ctx {
	struct store *st;
	struct node_batch *b;
	size_t max;
	enum pl_err err;
};

static int
batch_row(void *ctx, const struct store_dlv *d)
{
	struct batch_ctx *c = ctx;
	struct node_batch *b = c->b;
	struct buf raw;
	int found = 0;

	if (b->n == c->max)
		return 1;
	buf_init(&raw, ENV_ENCODED_MAX);
	c->err = c->st->ops->env_get(c->st, d->env_id, NULL, &raw, &found);
	if (c->err == PL_OK && !found)
		c->err = pl_errf(PL_E_STORE, "delivery of an envelope that is not stored");
	if (c->err == PL_OK && (c->err = buf_add_u32be(&b->raw, (uint32_t)raw.len)) == PL_OK &&
	    (c->err = buf_add(&b->raw, raw.data, raw.len)) == PL_OK) {
		memcpy(b->ids[b->n++], d->env_id, HASH_LEN);
		if (d->prec < b->prec)
			b->prec = d->prec;
	}
	buf_reset(&raw);
	return c->err != PL_OK;
}

enum pl_err
node_next_batch(struct node *n, const char *peer, uint8_t max_prec, const struct store_skip *skip,
                size_t max, struct node_batch *b)
{
	struct batch_ctx c;
	enum pl_err err;
	int found = 0;

	b->n = 0;
	b->prec = ENV_PREC_ROUTINE;
	(void)snprintf(b->peer, sizeof(b->peer), "%s", peer);
	b->channel[0] = '\0';
	buf_init(&b->raw, (size_t)NODE_BATCH_MAX * (4 + ENV_ENCODED_MAX));
	c.b = b;
	c.max = max == 0 || max > NODE_BATCH_MAX ? NODE_BATCH_MAX : max;
	c.err = PL_OK;
	PL_TRY(node_reader_get(n, &c.st));
	/* The channel holding the most urgent envelope goes first, in its own order. */
	err = c.st->ops->dlv_urgent(c.st, peer, max_prec, skip, b->channel, &found);
	if (err == PL_OK && found) {
		err = c.st->ops->dlv_pending(c.st, peer, b->channel, c.max, batch_row, &c);
		if (err == PL_OK)
			err = c.err;
	}
	node_reader_put(n, c.st);
	if (err != PL_OK) {
		buf_reset(&b->raw);
		b->n = 0;
	}
	return err;
}

struct rcpts_job {
	struct node *n;
	const struct node_batch *b;
	const struct buf *receipts;
	size_t count;
	uint8_t verified_with[SIG_PK_LEN]; /* the peer's key the receipts were checked with */
	int failed;                        /* a part failed: the later parts do nothing */
};

struct rcpts_check {
	const struct rcpts_job *j;
	const uint8_t *pk;
	unsigned char *bad; /* per receipt: 1 if it does not verify */
};

static void
verify_receipt_one(void *ctx, size_t i)
{
	struct rcpts_check *c = ctx;
	struct rcpt r;

	c->bad[i] = receipt_verify(&r, c->j->receipts[i].data, c->j->receipts[i].len,
	                           c->j->b->ids[i], c->pk) != PL_OK ||
	            strcmp(r.receiver, c->j->b->peer) != 0;
}

/*
 * Every receipt is the peer's signature over our envelope, or an error
 * naming the first that is not.  Checked on every core; the first bad one
 * is checked again here for its reason (a helper thread's message is lost).
 */
static enum pl_err
verify_receipts(const struct rcpts_job *j, const uint8_t pk[SIG_PK_LEN])
{
	unsigned char bad[NODE_BATCH_MAX];
	struct rcpts_check c = { j, pk, bad };
	struct rcpt r;
	size_t i;

	if (j->count > NODE_BATCH_MAX)
		return pl_errf(PL_E_ARG, "%zu receipts for a batch of at most %d", j->count,
		               NODE_BATCH_MAX);
	par_for(j->count, 0, verify_receipt_one, &c);
	for (i = 0; i < j->count; i++) {
		if (!bad[i])
			continue;
		if (receipt_verify(&r, j->receipts[i].data, j->receipts[i].len, j->b->ids[i], pk) ==
		    PL_OK)
			(void)pl_errf(PL_E_CRYPTO, "receiver '%s', not '%s'", r.receiver,
			              j->b->peer);
		return pl_errf(PL_E_CRYPTO, "receipt %zu from '%s' does not verify: %s", i,
		               j->b->peer, pl_err_msg());
	}
	return PL_OK;
}

/* Receipts [part * NODE_PART, ...) of the batch, in order; nothing after a failed part. */
static enum pl_err
rcpts_part(struct store *st, void *ctx, unsigned part)
{
	struct rcpts_job *j = ctx;
	struct party peer;
	struct rcpt r;
	struct entry en;
	struct buf have;
	uint64_t index;
	enum pl_err err = PL_OK;
	size_t i, end = (size_t)(part + 1) * NODE_PART;
	int found = 0;

	if (j->failed)
		return PL_OK;
	/*
	 * Every receipt of the part checks out, or none is stored.  They were
	 * checked before the job, off the writer's thread; again only if the
	 * peer's key changed in between.  failed stays set unless the part
	 * gets through.
	 */
	j->failed = 1;
	PL_TRY(node_party(st, j->b->peer, &peer, NULL));
	if (memcmp(peer.sign_pk, j->verified_with, SIG_PK_LEN) != 0) {
		PL_TRY(verify_receipts(j, peer.sign_pk));
		memcpy(j->verified_with, peer.sign_pk, SIG_PK_LEN);
	}
	buf_init(&have, RCPT_ENCODED_MAX);
	for (i = (size_t)part * NODE_PART; i < end && i < j->count && err == PL_OK; i++) {
		have.len = 0;
		err = st->ops->rcpt_get(st, j->b->ids[i], j->b->peer, &have, &found);
		if (err != PL_OK || found)
			continue; /* an answer we already had */
		if ((err = rcpt_read(&r, j->receipts[i].data, j->receipts[i].len)) != PL_OK)
			break;
		memset(&en, 0, sizeof(en));
		en.type = ENTRY_RECEIPT;
		en.receipt = j->receipts[i].data;
		en.receipt_len = j->receipts[i].len;
		if ((err = log_entry(st, &en, &index)) == PL_OK &&
		    (err = st->ops->rcpt_put(st, j->b->ids[i], j->b->peer, r.stored_ms,
		                             j->receipts[i].data, j->receipts[i].len)) == PL_OK)
			err = st->ops->dlv_done(st, j->b->ids[i], j->b->peer, node_now(j->n));
	}
	buf_reset(&have);
	if (err == PL_OK)
		j->failed = 0;
	return err;
}

enum pl_err
node_receipts_in(struct node *n, const struct node_batch *b, const struct buf *receipts,
                 size_t count)
{
	struct rcpts_job j = { .n = n, .b = b, .receipts = receipts, .count = count };
	struct party peer;
	struct store *rd;
	enum pl_err err;

	if (count > b->n)
		return pl_errf(PL_E_ARG, "%zu receipts for a batch of %zu", count, b->n);
	if (count == 0)
		return PL_OK;
	PL_TRY(node_reader_get(n, &rd));
	err = node_party(rd, b->peer, &peer, NULL);
	node_reader_put(n, rd);
	PL_TRY(err);
	PL_TRY(verify_receipts(&j, peer.sign_pk));
	memcpy(j.verified_with, peer.sign_pk, SIG_PK_LEN);
	/* An urgent batch's receipts go ahead of the bulk lane's (commit.h). */
	return commit_run_parts(n->commit, rcpts_part, &j,
	                        (unsigned)((count + NODE_PART - 1) / NODE_PART),
	                        b->prec <= ENV_PREC_IMMEDIATE, NULL);
}

struct redeliver_job {
	const char *peer, *channel;
	uint64_t seq;
};

static enum pl_err
redeliver_job(struct store *st, void *ctx)
{
	struct redeliver_job *j = ctx;

	return st->ops->dlv_reset(st, j->peer, j->channel, j->seq);
}

enum pl_err
node_redeliver(struct node *n, const char *peer, const char *channel, uint64_t seq)
{
	struct redeliver_job j = { peer, channel, seq };

	PL_TRY(commit_run(n->commit, redeliver_job, &j));
	log_warnx("channel %s: %s expects seq %llu; delivering again from there", channel, peer,
	          (unsigned long long)seq);
	return PL_OK;
}

/* ---- acknowledging --------------------------------------------------------------------- */

struct ack_job {
	struct node *n;
	const struct node_officer *by;
	uint8_t env_id[HASH_LEN];
	struct store_chan chan;
	struct buf plain;
	struct outgoing o;
	int already;
};

static int
ack_row(void *ctx, const struct store_ack *a)
{
	struct ack_job *j = ctx;

	if (strcmp(a->party, j->n->self.id) == 0)
		j->already = 1;
	return j->already;
}

static enum pl_err
ack_job(struct store *st, void *ctx)
{
	struct ack_job *j = ctx;
	struct store_env row;
	struct store_ack a;
	int found = 0;

	PL_TRY(st->ops->env_get(st, j->env_id, &row, NULL, &found));
	if (!found)
		return pl_errf(PL_E_NOTFOUND, "no such envelope here");
	if (row.dir != STORE_IN || row.kind != ENV_KIND_MESSAGE)
		return pl_errf(PL_E_ARG, "only a message received here can be acknowledged");
	PL_TRY(st->ops->ack_list(st, j->env_id, ack_row, j));
	if (j->already)
		return pl_errf(PL_E_STATE, "already acknowledged here");
	PL_TRY(st->ops->chan_get(st, row.channel, &j->chan, &found));
	if (!found || j->chan.state != STORE_CHAN_ACTIVE)
		return pl_errf(PL_E_STATE, "channel '%s' is not active", row.channel);
	j->o.channel = j->chan.name;
	j->o.n_members = j->chan.n_members;
	j->o.members = (const char(*)[CODEC_ID_MAX + 1]) j->chan.members;
	PL_TRY(send_in_job(j->n, st, &j->o));
	memset(&a, 0, sizeof(a));
	memcpy(a.env_id, j->env_id, HASH_LEN);
	(void)snprintf(a.party, sizeof(a.party), "%s", j->n->self.id);
	(void)snprintf(a.officer, sizeof(a.officer), "%s", j->by != NULL ? j->by->name : "node");
	memcpy(a.ack_id, j->o.id, HASH_LEN);
	a.time_ms = node_now(j->n);
	return st->ops->ack_put(st, &a);
}

enum pl_err
node_ack(struct node *n, const struct node_officer *by, const uint8_t env_id[HASH_LEN],
         uint8_t ack_id[HASH_LEN])
{
	struct ack_job *j;
	json_t *data;
	enum pl_err err;
	char sid[13];

	PL_TRY(node_need_role(by, STORE_ROLE_DUTY));
	PL_TRY(content_ok(n));
	if ((j = pl_calloc(1, sizeof(*j))) == NULL)
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	j->n = n;
	j->by = by;
	memcpy(j->env_id, env_id, HASH_LEN);
	data = json_pack("{ss}", "officer", by != NULL ? by->name : "node");
	buf_init(&j->plain, ENV_PLAIN_MAX);
	err = data == NULL ? pl_errf(PL_E_NOMEM, "node: out of memory")
	                   : make_body(&j->plain, "ack", 1, data, NULL, NULL);
	json_decref(data);
	if (err == PL_OK) {
		j->o.kind = ENV_KIND_ACK;
		j->o.prec = ENV_PREC_IMMEDIATE;
		j->o.n_refs = 1;
		j->o.refs = (const uint8_t(*)[HASH_LEN])j->env_id;
		j->o.plain = j->plain.data;
		j->o.plain_len = j->plain.len;
		err = commit_run(n->commit, ack_job, j);
		chain_forget(n, j->o.channel); /* sealed in the job, if it found the channel */
	}
	if (err == PL_OK) {
		memcpy(ack_id, j->o.id, HASH_LEN);
		short_id(sid, env_id);
		log_info("channel %s: %s acknowledged by %s", j->chan.name, sid,
		         by != NULL ? by->name : "node");
		notify_all(n, &j->o);
	}
	buf_reset(&j->plain);
	pl_free(j);
	return err;
}
