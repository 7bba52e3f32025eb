/*
 * node_log.c - the node's transcript as others see it (docs/node.md#audit):
 * signed checkpoints, the C2SP tiles served under /log/, cosignatures
 * gathered from peers and witnesses, this node's own witnessing of other
 * parties' logs (C2SP tlog-witness add-checkpoint), and alerts.
 */
#include <stdio.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/log.h"
#include "../tlog/checkpoint.h"
#include "../crypto/cr.h"
#include "../tlog/cosig.h"
#include "../tlog/proof.h"
#include "node_int.h"

#define CHECKPOINT_NOTE_MAX WITNESS_NOTE_MAX
/* A witness answers with one cosignature line, or a few. */
#define COSIG_ANSWER_MAX 4096

void
node_log_key(const struct node *n, struct note_key *out)
{
	if (note_key_make(out, n->origin, NOTE_TYPE_ED25519, n->self.sign_pk) != PL_OK)
		memset(out, 0, sizeof(*out)); /* unreachable: the origin is a valid key name */
}

/* The key a party cosigns with as a witness (ENTRY_WITNESS_PREFIX + id). */
static enum pl_err
witness_key(const struct party *p, struct note_key *out)
{
	char name[ENTRY_LOG_NAME_MAX + 1];

	(void)snprintf(name, sizeof(name), "%s%s", ENTRY_WITNESS_PREFIX, p->id);
	return note_key_make(out, name, NOTE_TYPE_COSIG, p->sign_pk);
}

/* A party's log key (ENTRY_LOG_PREFIX + id). */
static enum pl_err
log_key_of(const struct party *p, struct note_key *out)
{
	char name[ENTRY_LOG_NAME_MAX + 1];

	(void)snprintf(name, sizeof(name), "%s%s", ENTRY_LOG_PREFIX, p->id);
	return note_key_make(out, name, NOTE_TYPE_ED25519, p->sign_pk);
}

/* ---- checking on open, signing checkpoints --------------------------------------- */

static enum pl_err
check_job(struct store *st, void *ctx)
{
	struct note_key nk;

	node_log_key(ctx, &nk);
	return st->ops->log_check(st, &nk);
}

enum pl_err
node_log_check(struct node *n)
{
	return commit_run(n->commit, check_job, n);
}

struct cp_job {
	struct node *n;
	uint64_t size;
	int made;
};

static enum pl_err
cp_job(struct store *st, void *ctx)
{
	struct cp_job *j = ctx;
	struct checkpoint cp;
	struct note_key nk;
	struct buf note, last;
	uint64_t size;
	enum pl_err err;

	PL_TRY(st->ops->log_size(st, &size));
	buf_init(&last, CHECKPOINT_NOTE_MAX);
	err = st->ops->log_checkpoint_last(st, &j->size, &last);
	buf_reset(&last);
	if (err != PL_OK || size == 0 || size == j->size)
		return err;
	memset(&cp, 0, sizeof(cp));
	(void)snprintf(cp.origin, sizeof(cp.origin), "%s", j->n->origin);
	cp.size = size;
	PL_TRY(st->ops->log_root(st, size, cp.root));
	node_log_key(j->n, &nk);
	buf_init(&note, CHECKPOINT_NOTE_MAX);
	if ((err = checkpoint_sign(&note, &cp, j->n->keys)) == PL_OK &&
	    (err = st->ops->log_checkpoint_put(st, (const char *)note.data, note.len, &nk)) ==
	            PL_OK) {
		j->size = size;
		j->made = 1;
	}
	buf_reset(&note);
	return err;
}

enum pl_err
node_checkpoint(struct node *n, uint64_t *size, int *made)
{
	struct cp_job j = { n, 0, 0 };

	PL_TRY(commit_run(n->commit, cp_job, &j));
	*size = j.size;
	if (made != NULL)
		*made = j.made;
	return PL_OK;
}

/* ---- serving the log -------------------------------------------------------------- */

static int
add_cosig(void *ctx, const char *witness, const char *line, size_t len)
{
	(void)witness;
	return buf_add(ctx, line, len) != PL_OK;
}

enum pl_err
node_latest_checkpoint(struct store *st, struct buf *out, uint64_t *size, int cosigs)
{
	PL_TRY(st->ops->log_checkpoint_last(st, size, out));
	if (*size == 0)
		return pl_errf(PL_E_NOTFOUND, "no checkpoint yet");
	return cosigs ? st->ops->cosig_list(st, *size, add_cosig, out) : PL_OK;
}

enum pl_err
node_checkpoint_get(struct node *n, struct buf *out, uint64_t *size)
{
	struct store *st;
	enum pl_err err;

	PL_TRY(node_reader_get(n, &st));
	err = node_latest_checkpoint(st, out, size, 1);
	node_reader_put(n, st);
	return err;
}

enum pl_err
node_log_tile(struct node *n, unsigned level, uint64_t index, unsigned width, struct buf *out)
{
	struct store *st;
	struct buf note;
	uint64_t size = 0;
	enum pl_err err;

	if (level > 7 || width == 0 || width > 256 || index > (UINT64_MAX >> 8))
		return pl_errf(PL_E_ARG, "no such tile");
	PL_TRY(node_reader_get(n, &st));
	buf_init(&note, CHECKPOINT_NOTE_MAX);
	/* What is published is what a checkpoint covers. */
	if ((err = node_latest_checkpoint(st, &note, &size, 0)) == PL_OK) {
		if (index * 256 + width > (size >> (level * 8)))
			err = pl_errf(PL_E_NOTFOUND, "tile beyond the latest checkpoint");
		else
			err = st->ops->log_hashes(st, level * 8, index * 256, width, size, out);
	}
	buf_reset(&note);
	node_reader_put(n, st);
	return err;
}

enum pl_err
node_log_entries(struct node *n, uint64_t index, unsigned width, struct buf *out)
{
	struct store *st;
	struct buf note;
	uint64_t size = 0;
	enum pl_err err;

	if (width == 0 || width > 256 || index > (UINT64_MAX >> 8))
		return pl_errf(PL_E_ARG, "no such entry bundle");
	PL_TRY(node_reader_get(n, &st));
	buf_init(&note, CHECKPOINT_NOTE_MAX);
	if ((err = node_latest_checkpoint(st, &note, &size, 0)) == PL_OK) {
		if (index * 256 + width > size)
			err = pl_errf(PL_E_NOTFOUND, "entries beyond the latest checkpoint");
		else
			err = st->ops->log_entries(st, index * 256, width, out);
	}
	buf_reset(&note);
	node_reader_put(n, st);
	return err;
}

/* ---- proofs of entries -------------------------------------------------------------- */

enum pl_err
node_entry_proof(struct node *n, const uint8_t env_id[HASH_LEN], struct buf *out)
{
	uint8_t proof[MERKLE_PROOF_MAX][HASH_LEN];
	struct store_env row;
	struct store *st;
	struct buf note, entry;
	uint64_t size = 0;
	size_t n_proof = 0;
	enum pl_err err;
	int found = 0;

	PL_TRY(node_reader_get(n, &st));
	buf_init(&note, CHECKPOINT_NOTE_MAX + COSIG_ANSWER_MAX);
	buf_init(&entry, ENTRY_ENCODED_MAX);
	if ((err = st->ops->env_get(st, env_id, &row, NULL, &found)) != PL_OK)
		goto out;
	if (!found) {
		err = pl_errf(PL_E_NOTFOUND, "no such envelope in this transcript");
		goto out;
	}
	if ((err = node_latest_checkpoint(st, &note, &size, 1)) != PL_OK)
		goto out;
	if (row.log_index >= size) {
		err = pl_errf(PL_E_STATE,
		              "entry %llu is not under a checkpoint yet (size %llu); ask again "
		              "in a moment",
		              (unsigned long long)row.log_index, (unsigned long long)size);
		goto out;
	}
	if ((err = st->ops->log_entry(st, row.log_index, &entry)) == PL_OK &&
	    (err = st->ops->log_inclusion(st, row.log_index, size, proof, &n_proof)) == PL_OK)
		err = proof_write(out, entry.data, entry.len, row.log_index,
		                  (const uint8_t(*)[HASH_LEN])proof, n_proof,
		                  (const char *)note.data, note.len);
out:
	buf_reset(&note);
	buf_reset(&entry);
	node_reader_put(n, st);
	return err;
}

/* ---- asking others to cosign ------------------------------------------------------- */

struct ids {
	const char *self;
	int (*fn)(void *ctx, const char *id);
	void *ctx;
};

static int
other_party(void *ctx, const struct party *p, uint64_t pinned_ms)
{
	struct ids *c = ctx;

	(void)pinned_ms;
	return strcmp(p->id, c->self) != 0 ? c->fn(c->ctx, p->id) : 0;
}

enum pl_err
node_cosigners(struct node *n, int (*fn)(void *ctx, const char *id), void *ctx)
{
	struct ids c = { n->self.id, fn, ctx };
	struct store *st;
	enum pl_err err;

	PL_TRY(node_reader_get(n, &st));
	err = st->ops->party_list(st, other_party, &c);
	node_reader_put(n, st);
	return err;
}

enum pl_err
node_witness_request(struct node *n, const char *witness, uint64_t *old, struct buf *out,
                     uint64_t *size)
{
	uint8_t proof[MERKLE_PROOF_MAX][HASH_LEN];
	struct store *st;
	struct buf note;
	enum pl_err err;
	size_t n_proof = 0, i;

	*size = 0;
	PL_TRY(node_reader_get(n, &st));
	buf_init(&note, CHECKPOINT_NOTE_MAX);
	if ((err = node_latest_checkpoint(st, &note, size, 0)) != PL_OK)
		goto out;
	if (*old == NODE_OLD_STORED && (err = st->ops->cosig_last(st, witness, old)) != PL_OK)
		goto out;
	if (*old > *size) {
		err = pl_errf(PL_E_STATE,
		              "%s has cosigned size %llu of our transcript, which has only %llu "
		              "entries under its latest checkpoint",
		              witness, (unsigned long long)*old, (unsigned long long)*size);
		goto out;
	}
	if (*old > 0 && *old < *size &&
	    (err = st->ops->log_consistency(st, *old, *size, proof, &n_proof)) != PL_OK)
		goto out;
	out->len = 0;
	err = buf_addf(out, "old %llu\n", (unsigned long long)*old);
	for (i = 0; i < n_proof && err == PL_OK; i++) {
		char b64[CR_B64_LEN(HASH_LEN)];

		cr_b64_encode(b64, sizeof(b64), proof[i], HASH_LEN);
		err = buf_addf(out, "%s\n", b64);
	}
	if (err == PL_OK && (err = buf_add(out, "\n", 1)) == PL_OK)
		err = buf_add(out, note.data, note.len);
out:
	buf_reset(&note);
	node_reader_put(n, st);
	return err;
}

struct cosig_job {
	const char *witness;
	uint64_t size;
	const char *line;
	size_t len;
};

static enum pl_err
cosig_job(struct store *st, void *ctx)
{
	struct cosig_job *j = ctx;

	return st->ops->cosig_put(st, j->size, j->witness, j->line, j->len);
}

enum pl_err
node_cosigned(struct node *n, const char *witness, uint64_t size, const char *body, size_t len)
{
	static _Thread_local struct note nt;
	struct note_seen seen;
	struct note_key wk;
	struct party p;
	struct store *st;
	struct buf note, line;
	struct cosig_job j = { witness, size, NULL, 0 };
	enum pl_err err;
	uint64_t have = 0;
	size_t i;

	if (len > COSIG_ANSWER_MAX)
		return pl_errf(PL_E_PROTO, "%s: cosignature answer of %zu bytes", witness, len);
	PL_TRY(node_reader_get(n, &st));
	buf_init(&note, CHECKPOINT_NOTE_MAX + COSIG_ANSWER_MAX);
	buf_init(&line, 1024);
	if ((err = node_party(st, witness, &p, NULL)) == PL_OK &&
	    (err = witness_key(&p, &wk)) == PL_OK &&
	    (err = st->ops->log_checkpoint_last(st, &have, &note)) == PL_OK && have != size)
		err = pl_errf(PL_E_STATE, "%s cosigned size %llu; our latest checkpoint is %llu",
		              witness, (unsigned long long)size, (unsigned long long)have);
	node_reader_put(n, st);
	/* The answer's lines, added to our signed checkpoint, must verify as the witness's. */
	if (err == PL_OK && (err = buf_add(&note, body, len)) == PL_OK &&
	    (err = note_read(&nt, (const char *)note.data, note.len)) == PL_OK &&
	    (err = note_verify(&nt, &wk, 1, &seen)) == PL_OK && !seen.verified)
		err = pl_errf(PL_E_CRYPTO, "%s: no cosignature of ours in the answer", witness);
	if (err != PL_OK) {
		err = pl_errf(err, "%s: cosignature refused: %s", witness, pl_err_msg());
		goto out;
	}
	for (i = 0; i < nt.n_sigs && err == PL_OK; i++) {
		if (nt.sigs[i].key_id != wk.id || strcmp(nt.sigs[i].name, wk.name) != 0)
			continue;
		line.len = 0;
		if ((err = note_sig_line(&line, wk.name, wk.id, nt.sigs[i].sig, nt.sigs[i].len)) !=
		    PL_OK)
			break;
		j.line = (const char *)line.data;
		j.len = line.len;
		err = commit_run(n->commit, cosig_job, &j);
	}
out:
	buf_reset(&note);
	buf_reset(&line);
	return err;
}

/* ---- alerts ------------------------------------------------------------------------ */

struct alert_job {
	struct store_alert a;
};

static enum pl_err
alert_job(struct store *st, void *ctx)
{
	return st->ops->alert_put(st, &((struct alert_job *)ctx)->a);
}

static void
alert_fill(struct store_alert *a, struct node *n, const char *kind, const char *party,
           const char *detail, const uint8_t *evidence, size_t evidence_len)
{
	memset(a, 0, sizeof(*a));
	a->time_ms = node_now(n);
	(void)snprintf(a->kind, sizeof(a->kind), "%s", kind);
	(void)snprintf(a->party, sizeof(a->party), "%s", party);
	(void)snprintf(a->detail, sizeof(a->detail), "%s", detail);
	a->evidence = evidence;
	a->evidence_len = evidence_len;
}

enum pl_err
node_alert(struct node *n, const char *kind, const char *party, const char *detail,
           const uint8_t *evidence, size_t evidence_len)
{
	struct alert_job j;

	alert_fill(&j.a, n, kind, party, detail, evidence, evidence_len);
	log_warnx("ALERT %s: %s: %s", kind, party, detail);
	return commit_run(n->commit, alert_job, &j);
}

static int
alert_row(void *ctx, const struct store_alert *a)
{
	json_t *o = json_pack("{sI sI ss ss ss sI}", "id", (json_int_t)a->id, "time",
	                      (json_int_t)a->time_ms, "kind", a->kind, "party", a->party, "detail",
	                      a->detail, "evidence_bytes", (json_int_t)a->evidence_len);

	return o == NULL || json_array_append_new(ctx, o) != 0;
}

enum pl_err
node_alerts(struct node *n, size_t limit, json_t **out)
{
	struct store *st;
	enum pl_err err;

	if ((*out = json_array()) == NULL)
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	PL_TRY(node_reader_get(n, &st));
	err = st->ops->alert_list(st, limit, alert_row, *out);
	node_reader_put(n, st);
	if (err != PL_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return err;
}

/* ---- witnessing others' logs ------------------------------------------------------- */

struct wit_job {
	struct node *n;
	const char *req;
	size_t len;
	struct witness_reply *reply;
	struct witness_log *logs, updated;
	size_t n_logs, cap;
	struct store *st;
	enum pl_err err;
	struct alert_job alert;
	int alerted;
};

static int
wit_party(void *ctx, const struct party *p, uint64_t pinned_ms)
{
	struct wit_job *j = ctx;
	struct witness_log *w;
	int found = 0;

	(void)pinned_ms;
	if (strcmp(p->id, j->n->self.id) == 0)
		return 0;
	if (j->n_logs == j->cap) {
		size_t cap = j->cap ? 2 * j->cap : 8;
		struct witness_log *more = pl_realloc(j->logs, cap * sizeof(*more));

		if (more == NULL) {
			j->err = pl_errf(PL_E_NOMEM, "node: out of memory");
			return 1;
		}
		j->logs = more;
		j->cap = cap;
	}
	w = &j->logs[j->n_logs];
	memset(w, 0, sizeof(*w));
	if ((j->err = log_key_of(p, &w->key)) != PL_OK ||
	    (j->err = j->st->ops->wit_get(j->st, w->key.name, w, &found)) != PL_OK)
		return 1;
	j->n_logs++;
	return 0;
}

static enum pl_err
wit_job(struct store *st, void *ctx)
{
	static const char *const kinds[] = { "", "fork-suspected", "fork" };
	struct wit_job *j = ctx;
	char name[ENTRY_LOG_NAME_MAX + 1];
	size_t which = SIZE_MAX;
	enum witness_fork before;

	j->st = st;
	j->n_logs = 0;
	j->err = PL_OK;
	PL_TRY(st->ops->party_list(st, wit_party, j));
	PL_TRY(j->err);
	(void)snprintf(name, sizeof(name), "%s%s", ENTRY_WITNESS_PREFIX, j->n->self.id);
	PL_TRY(witness_add_checkpoint(j->reply, &j->updated, &which, j->logs, j->n_logs, j->req,
	                              j->len, name, j->n->keys, node_now(j->n) / 1000));
	if (which >= j->n_logs)
		return PL_OK;
	/* Stored before the answer goes out: the spec's rule, and the committer's. */
	before = j->logs[which].fork;
	PL_TRY(st->ops->wit_put(st, &j->updated));
	if (j->updated.fork != before) {
		struct buf ev;
		char detail[STORE_ALERT_DETAIL_MAX + 1];
		const char *party = j->updated.key.name + strlen(ENTRY_LOG_PREFIX);
		enum pl_err err;

		(void)snprintf(detail, sizeof(detail),
		               "two checkpoints of %s signed by its key contradict each other "
		               "(%s; we cosigned size %llu)",
		               j->updated.key.name,
		               j->updated.fork == WITNESS_FORK_PROVEN ? "same size, other root"
		                                                      : "no consistency proof",
		               (unsigned long long)j->updated.size);
		buf_init(&ev, 2 * WITNESS_NOTE_MAX + 2);
		if ((err = buf_add(&ev, j->updated.note, j->updated.note_len)) == PL_OK &&
		    (err = buf_add(&ev, "\n", 1)) == PL_OK &&
		    (err = buf_add(&ev, j->updated.fork_note, j->updated.fork_note_len)) == PL_OK) {
			alert_fill(&j->alert.a, j->n, kinds[j->updated.fork], party, detail,
			           ev.data, ev.len);
			err = st->ops->alert_put(st, &j->alert.a);
			j->alerted = 1;
		}
		buf_reset(&ev);
		PL_TRY(err);
	}
	return PL_OK;
}

enum pl_err
node_add_checkpoint(struct node *n, const char *req, size_t len, struct witness_reply *reply)
{
	struct wit_job *j = pl_calloc(1, sizeof(*j));
	enum pl_err err;

	if (j == NULL)
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	j->n = n;
	j->req = req;
	j->len = len;
	j->reply = reply;
	err = commit_run(n->commit, wit_job, j);
	if (err == PL_OK && j->alerted)
		log_warnx("ALERT %s: %s: %s", j->alert.a.kind, j->alert.a.party, j->alert.a.detail);
	pl_free(j->logs);
	pl_free(j);
	return err;
}

struct wit_list {
	struct node *n;
	json_t *arr;
	enum pl_err err;
};

static int
wit_row(void *ctx, const struct witness_log *w)
{
	static const char *const forks[] = { "none", "suspected", "proven" };
	struct wit_list *c = ctx;
	json_t *o = json_pack("{ss sI ss% ss ss%}", "origin", w->key.name, "size",
	                      (json_int_t)w->size, "checkpoint", w->note, w->note_len, "fork",
	                      forks[w->fork], "fork_checkpoint", w->fork_note, w->fork_note_len);

	if (o == NULL || json_array_append_new(c->arr, o) != 0) {
		c->err = pl_errf(PL_E_NOMEM, "node: out of memory");
		return 1;
	}
	return 0;
}

enum pl_err
node_witnessed(struct node *n, json_t **out)
{
	struct wit_list c = { n, json_array(), PL_OK };
	struct store *st;
	enum pl_err err;

	*out = NULL;
	if (c.arr == NULL)
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	if ((err = node_reader_get(n, &st)) == PL_OK) {
		err = st->ops->wit_list(st, wit_row, &c);
		node_reader_put(n, st);
	}
	if (err == PL_OK)
		err = c.err;
	if (err != PL_OK) {
		json_decref(c.arr);
		return err;
	}
	*out = c.arr;
	return PL_OK;
}
