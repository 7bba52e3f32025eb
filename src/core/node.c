/*
 * node.c - the node itself: opening its store, lending read connections,
 * its officers and its pinned peers (node.h).  Channels and envelopes are
 * in node_env.c.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../common/alloc.h"
#include "../common/log.h"
#include "../crypto/cr.h"
#include "../crypto/pw.h"
#include "identity.h"
#include "node_int.h"

static uint64_t
system_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
node_now(const struct node *n)
{
	return n->clock_ms();
}

void
node_time_str(char out[32], uint64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year > 8099) {
		(void)snprintf(out, 32, "invalid");
		return;
	}
	(void)snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ",
	               (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)(tm.tm_mon + 1) % 100u,
	               (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
	               (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u,
	               (unsigned)(ms % 1000));
}

enum pl_err
node_need_role(const struct node_officer *by, unsigned role)
{
	static const char *const names[] = { "duty", "approver", "auditor", "admin" };
	unsigned i;

	if (by == NULL || (by->roles & role) != 0)
		return PL_OK; /* NULL: the node's own process (parley init), not an officer */
	for (i = 0; i < 4 && !(role & (1u << i)); i++)
		;
	return pl_errf(PL_E_PERM, "officer '%s' does not have the %s role", by->name,
	               i < 4 ? names[i] : "needed");
}

enum pl_err
node_reader_get(struct node *n, struct store **st)
{
	enum pl_err err;

	pthread_mutex_lock(&n->mu);
	while (n->n_idle == 0 && n->n_open == NODE_READERS_MAX)
		pthread_cond_wait(&n->freed, &n->mu);
	if (n->n_idle > 0) {
		*st = n->idle[--n->n_idle];
		pthread_mutex_unlock(&n->mu);
		return PL_OK;
	}
	n->n_open++;
	pthread_mutex_unlock(&n->mu);
	if ((err = store_open(st, n->store_url)) != PL_OK) {
		pthread_mutex_lock(&n->mu);
		n->n_open--;
		pthread_cond_signal(&n->freed);
		pthread_mutex_unlock(&n->mu);
	}
	return err;
}

void
node_reader_put(struct node *n, struct store *st)
{
	pthread_mutex_lock(&n->mu);
	n->idle[n->n_idle++] = st;
	pthread_cond_signal(&n->freed);
	pthread_mutex_unlock(&n->mu);
}

enum pl_err
node_party(struct store *st, const char *id, struct party *out, int *found)
{
	int f = 0;

	PL_TRY(st->ops->party_get(st, id, out, NULL, &f));
	if (found != NULL) {
		*found = f;
		return PL_OK;
	}
	if (!f)
		return pl_errf(PL_E_NOTFOUND, "unknown party '%s' (not pinned here)", id);
	return PL_OK;
}

/* ---- open and close ------------------------------------------------------- */

struct open_job {
	struct node *n;
};

/* First use: record who we are; later: refuse a store made for someone else. */
static enum pl_err
open_job(struct store *st, void *ctx)
{
	struct node *n = ((struct open_job *)ctx)->n;
	struct party have;
	struct buf self;
	enum pl_err err;
	int found = 0;

	buf_init(&self, CODEC_ID_MAX + 1);
	err = st->ops->meta_get(st, "self", &self, &found);
	if (err == PL_OK && found &&
	    (self.len != strlen(n->self.id) || memcmp(self.data, n->self.id, self.len) != 0))
		err = pl_errf(PL_E_STATE, "store belongs to party '%.*s', not to '%s'",
		              (int)self.len, (const char *)self.data, n->self.id);
	buf_reset(&self);
	if (err != PL_OK)
		return err;
	if (!found)
		PL_TRY(st->ops->meta_put(st, "self", n->self.id, strlen(n->self.id)));
	PL_TRY(node_party(st, n->self.id, &have, &found));
	if (found && memcmp(have.sign_pk, n->self.sign_pk, SIG_PK_LEN) != 0 &&
	    have.revision >= n->self.revision)
		return pl_errf(PL_E_STATE,
		               "store of '%s' holds revision %u with another key than our key "
		               "file's (revision %u)",
		               n->self.id, have.revision, n->self.revision);
	if (!found || have.revision < n->self.revision)
		PL_TRY(st->ops->party_put(st, &n->self, n->self_rec, n->self_len, node_now(n)));
	return PL_OK;
}

enum pl_err
node_open(struct node **out, const struct node_conf *c)
{
	struct store *st = NULL;
	struct open_job oj;
	struct node *n;
	enum pl_err err;

	*out = NULL;
	if ((n = pl_calloc(1, sizeof(*n))) == NULL) {
		keys_free(c->keys);
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	}
	n->keys = c->keys;
	n->clock_ms = c->clock_ms != NULL ? c->clock_ms : system_ms;
	n->witness_only = c->witness_only;
	pthread_mutex_init(&n->mu, NULL);
	pthread_mutex_init(&n->chains_mu, NULL);
	pthread_cond_init(&n->freed, NULL);
	if ((err = identity_verify(&n->self, c->record, c->record_len, NULL, NULL)) != PL_OK)
		goto fail;
	if (memcmp(n->self.sign_pk, keys_sign_pk(n->keys), SIG_PK_LEN) != 0 ||
	    memcmp(n->self.box_pk, keys_box_pk(n->keys), BOX_PK_LEN) != 0) {
		err = pl_errf(PL_E_ARG, "node: the record of '%s' is not for these keys",
		              n->self.id);
		goto fail;
	}
	if ((n->self_rec = pl_malloc(c->record_len)) == NULL ||
	    (n->store_url = pl_malloc(strlen(c->store) + 1)) == NULL) {
		err = pl_errf(PL_E_NOMEM, "node: out of memory");
		goto fail;
	}
	memcpy(n->self_rec, c->record, c->record_len);
	n->self_len = c->record_len;
	memcpy(n->store_url, c->store, strlen(c->store) + 1);
	(void)snprintf(n->origin, sizeof(n->origin), "%s%s", ENTRY_LOG_PREFIX, n->self.id);
	{
		char pw[PW_TOKEN_STR_LEN + 1];

		pw_token_new(pw, sizeof(pw));
		err = pw_hash(n->dummy_hash, sizeof(n->dummy_hash), pw);
		cr_wipe(pw, sizeof(pw));
		if (err != PL_OK)
			goto fail;
	}
	if ((err = store_open(&st, n->store_url)) != PL_OK)
		goto fail;
	if ((err = commit_start(&n->commit, st, 0)) != PL_OK)
		goto fail; /* commit_start closed st */
	oj.n = n;
	if ((err = commit_run(n->commit, open_job, &oj)) != PL_OK ||
	    (err = node_log_check(n)) != PL_OK)
		goto fail;
	*out = n;
	return PL_OK;
fail:
	node_close(n);
	return err;
}

void
node_close(struct node *n)
{
	if (n == NULL)
		return;
	commit_stop(n->commit);
	while (n->n_idle > 0)
		store_close(n->idle[--n->n_idle]);
	keys_free(n->keys);
	pl_free(n->self_rec);
	pl_free(n->store_url);
	pthread_cond_destroy(&n->freed);
	pthread_mutex_destroy(&n->mu);
	node_chains_free(n);
	pthread_mutex_destroy(&n->chains_mu);
	pl_free(n);
}

const struct party *
node_self(const struct node *n)
{
	return &n->self;
}

void
node_set_notify(struct node *n, void (*fn)(void *ctx, const char *peer, int urgent), void *ctx)
{
	n->notify = fn;
	n->notify_ctx = ctx;
}

/* ---- officers --------------------------------------------------------------- */

enum pl_err
node_roles_parse(const char *s, unsigned *roles)
{
	static const struct {
		const char *name;
		unsigned bit;
	} known[] = {
		{ "duty", STORE_ROLE_DUTY },
		{ "approver", STORE_ROLE_APPROVER },
		{ "auditor", STORE_ROLE_AUDITOR },
		{ "admin", STORE_ROLE_ADMIN },
	};
	size_t i, len;

	*roles = 0;
	while (*s != '\0') {
		len = strcspn(s, ",");
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strlen(known[i].name) == len && memcmp(known[i].name, s, len) == 0)
				break;
		if (i == sizeof(known) / sizeof(known[0]))
			return pl_errf(
			        PL_E_ARG,
			        "roles: unknown role '%.*s' (duty, approver, auditor, admin)",
			        (int)(len > 32 ? 32 : len), s);
		*roles |= known[i].bit;
		s += len;
		if (*s == ',' && *++s == '\0')
			return pl_errf(PL_E_ARG, "roles: empty role after ','");
	}
	if (*roles == 0)
		return pl_errf(PL_E_ARG, "roles: none given");
	return PL_OK;
}

static enum pl_err
name_ok(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > STORE_NAME_MAX)
		return pl_errf(PL_E_ARG, "officer name: want 1..%d characters", STORE_NAME_MAX);
	for (i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '-' || name[i] == '_' || name[i] == '.'))
			return pl_errf(PL_E_ARG,
			               "officer name '%.*s': only a-z, 0-9, '-', '_' and '.' "
			               "(byte %zu)",
			               (int)(len > 63 ? 63 : len), name, i);
	return PL_OK;
}

static enum pl_err
officer_add_job(struct store *st, void *ctx)
{
	struct store_officer *o = ctx, have;
	int found;

	PL_TRY(st->ops->officer_get(st, o->name, &have, &found));
	if (found)
		return pl_errf(PL_E_ARG, "officer '%s' already exists", o->name);
	return st->ops->officer_put(st, o);
}

enum pl_err
node_officer_add(struct node *n, const char *name, const char *password, unsigned roles)
{
	struct store_officer o;
	enum pl_err err;

	PL_TRY(name_ok(name));
	if (roles == 0 || (roles & ~(STORE_ROLE_DUTY | STORE_ROLE_APPROVER | STORE_ROLE_AUDITOR |
	                             STORE_ROLE_ADMIN)) != 0)
		return pl_errf(PL_E_ARG, "officer '%s': no valid role", name);
	memset(&o, 0, sizeof(o));
	(void)snprintf(o.name, sizeof(o.name), "%s", name);
	o.roles = roles;
	o.created_ms = node_now(n);
	PL_TRY(pw_hash(o.pwhash, sizeof(o.pwhash), password));
	err = commit_run(n->commit, officer_add_job, &o);
	cr_wipe(o.pwhash, sizeof(o.pwhash));
	return err;
}

struct token_job {
	uint8_t hash[HASH_LEN];
	const char *officer;
	uint8_t kind;
	const char *label;
	uint64_t expires_ms;
};

static enum pl_err
token_put_job(struct store *st, void *ctx)
{
	struct token_job *t = ctx;

	return st->ops->token_put(st, t->hash, t->officer, t->kind, t->label, t->expires_ms);
}

static enum pl_err
token_new(struct node *n, const char *officer, uint8_t kind, const char *label, uint64_t expires_ms,
          char token[NODE_TOKEN_STR_MAX + 1])
{
	struct token_job t;
	enum pl_err err;

	pw_token_new(token, NODE_TOKEN_STR_MAX + 1);
	pw_token_hash(t.hash, token);
	t.officer = officer;
	t.kind = kind;
	t.label = label != NULL ? label : "";
	t.expires_ms = expires_ms;
	if ((err = commit_run(n->commit, token_put_job, &t)) != PL_OK)
		cr_wipe(token, NODE_TOKEN_STR_MAX + 1);
	return err;
}

enum pl_err
node_login(struct node *n, const char *name, const char *password,
           char token[NODE_TOKEN_STR_MAX + 1], uint64_t *expires_ms, struct node_officer *who)
{
	struct store_officer o;
	struct store *st;
	enum pl_err err;
	int found = 0;

	PL_TRY(node_reader_get(n, &st));
	err = st->ops->officer_get(st, name, &o, &found);
	node_reader_put(n, st);
	if (err != PL_OK)
		return err;
	/* The same answer, and about the same work, whether the name exists or not. */
	if (!found) {
		enum pl_err ignored = pw_verify(n->dummy_hash, password);

		(void)ignored;
		return pl_errf(PL_E_PERM, "login: bad name or password");
	}
	err = pw_verify(o.pwhash, password);
	cr_wipe(o.pwhash, sizeof(o.pwhash));
	if (err != PL_OK)
		return pl_errf(PL_E_PERM, "login: bad name or password");
	*expires_ms = node_now(n) + NODE_SESSION_MS;
	PL_TRY(token_new(n, o.name, STORE_TOKEN_SESSION, "session", *expires_ms, token));
	(void)snprintf(who->name, sizeof(who->name), "%s", o.name);
	who->roles = o.roles;
	log_info("officer %s logged in", o.name);
	return PL_OK;
}

enum pl_err
node_token_new(struct node *n, const struct node_officer *who, const char *label,
               char token[NODE_TOKEN_STR_MAX + 1])
{
	if (label != NULL && strlen(label) > 200)
		return pl_errf(PL_E_ARG, "token label: longer than 200 bytes");
	return token_new(n, who->name, STORE_TOKEN_API, label, 0, token);
}

enum pl_err
node_auth(struct node *n, const char *token, struct node_officer *who)
{
	struct store_officer o;
	uint8_t hash[HASH_LEN];
	uint64_t expires;
	struct store *st;
	enum pl_err err;
	int found = 0;

	if (strlen(token) > NODE_TOKEN_STR_MAX)
		return pl_errf(PL_E_PERM, "token: unknown");
	pw_token_hash(hash, token);
	PL_TRY(node_reader_get(n, &st));
	err = st->ops->token_get(st, hash, &o, &expires, &found);
	node_reader_put(n, st);
	if (err != PL_OK)
		return err;
	cr_wipe(o.pwhash, sizeof(o.pwhash));
	if (!found)
		return pl_errf(PL_E_PERM, "token: unknown or revoked");
	if (expires != 0 && expires <= node_now(n))
		return pl_errf(PL_E_PERM, "token: session expired; log in again");
	(void)snprintf(who->name, sizeof(who->name), "%s", o.name);
	who->roles = o.roles;
	return PL_OK;
}

static enum pl_err
token_del_job(struct store *st, void *ctx)
{
	return st->ops->token_del(st, ctx);
}

enum pl_err
node_logout(struct node *n, const char *token)
{
	uint8_t hash[HASH_LEN];

	pw_token_hash(hash, token);
	return commit_run(n->commit, token_del_job, hash);
}

/* ---- peers ------------------------------------------------------------------ */

enum pl_err
node_peer_get(struct node *n, const char *id, struct party *out, int *found)
{
	struct store *st;
	enum pl_err err;

	PL_TRY(node_reader_get(n, &st));
	err = node_party(st, id, out, found);
	node_reader_put(n, st);
	return err;
}

enum pl_err
node_peer_auth(struct node *n, const char *path_and_query, char out[static PEER_AUTH_VALUE_MAX + 1])
{
	return peer_auth_sign(out, n->keys, n->self.id, path_and_query, node_now(n));
}

struct peer_add_job {
	struct node *n;
	const uint8_t *rec;
	size_t len;
	const char *fingerprint;
	struct party *out;
};

static enum pl_err
peer_add_job(struct store *st, void *ctx)
{
	struct peer_add_job *j = ctx;
	struct party head, pinned;
	uint8_t pinned_id[HASH_LEN];
	struct buf pinned_rec;
	enum pl_err err;
	int found = 0;

	/* Syntax and self-signature first, to learn whose record it is. */
	PL_TRY(identity_verify(&head, j->rec, j->len, NULL, NULL));
	if (strcmp(head.id, j->n->self.id) == 0)
		return pl_errf(PL_E_ARG, "peer '%s' is this node itself", head.id);
	buf_init(&pinned_rec, PARTY_ENCODED_MAX);
	err = st->ops->party_get(st, head.id, &pinned, &pinned_rec, &found);
	if (err == PL_OK && found)
		hash_sha256(pinned_id, pinned_rec.data, pinned_rec.len);
	buf_reset(&pinned_rec);
	if (err != PL_OK)
		return err;
	if (!found) {
		/* First contact: trust starts from the fingerprint given out of band. */
		if (j->fingerprint == NULL || !identity_fingerprint_match(&head, j->fingerprint))
			return pl_errf(PL_E_CRYPTO,
			               "peer '%s': the fingerprint does not match its record's "
			               "key; check it with the party out of band",
			               head.id);
		if (head.revision != 1)
			log_info("peer %s pinned at revision %u", head.id, head.revision);
	} else if (head.revision <= pinned.revision) {
		return pl_errf(PL_E_STATE, "peer '%s': revision %u is not newer than the pinned %u",
		               head.id, head.revision, pinned.revision);
	} else {
		/* A change must continue the pinned record, signed by its key. */
		if (head.revision != pinned.revision + 1)
			return pl_errf(PL_E_ARG,
			               "peer '%s': revision %u does not follow the pinned %u; add "
			               "the revisions in between first",
			               head.id, head.revision, pinned.revision);
		PL_TRY(identity_verify(&head, j->rec, j->len, &pinned, pinned_id));
	}
	PL_TRY(st->ops->party_put(st, &head, j->rec, j->len, node_now(j->n)));
	*j->out = head;
	return PL_OK;
}

enum pl_err
node_peer_add(struct node *n, const struct node_officer *by, const uint8_t *rec, size_t len,
              const char *fingerprint, struct party *out)
{
	struct peer_add_job j = { n, rec, len, fingerprint, out };

	PL_TRY(node_need_role(by, STORE_ROLE_ADMIN));
	PL_TRY(commit_run(n->commit, peer_add_job, &j));
	log_info("peer %s pinned at revision %u", out->id, out->revision);
	return PL_OK;
}

struct peer_rows {
	json_t *arr;
	const char *self;
};

static int
peer_row(void *ctx, const struct party *p, uint64_t pinned_ms)
{
	struct peer_rows *c = ctx;
	char fp[PARTY_FP_STR_LEN + 1], t[32];
	json_t *o = json_object(), *eps = json_array();
	size_t i;

	identity_fingerprint(fp, p->id, p->sign_pk);
	node_time_str(t, pinned_ms);
	for (i = 0; i < p->n_endpoints; i++)
		json_array_append_new(eps, json_string(p->endpoints[i]));
	json_object_set_new(o, "id", json_string(p->id));
	json_object_set_new(o, "revision", json_integer(p->revision));
	json_object_set_new(o, "fingerprint", json_string(fp));
	json_object_set_new(o, "endpoints", eps);
	json_object_set_new(o, "pinned", json_string(t));
	json_object_set_new(o, "self", json_boolean(strcmp(p->id, c->self) == 0));
	return json_array_append_new(c->arr, o) != 0;
}

enum pl_err
node_peer_list(struct node *n, json_t **out)
{
	struct peer_rows c = { json_array(), n->self.id };
	struct store *st;
	enum pl_err err;

	*out = NULL;
	if (c.arr == NULL)
		return pl_errf(PL_E_NOMEM, "node: out of memory");
	if ((err = node_reader_get(n, &st)) != PL_OK) {
		json_decref(c.arr);
		return err;
	}
	err = st->ops->party_list(st, peer_row, &c);
	node_reader_put(n, st);
	if (err != PL_OK) {
		json_decref(c.arr);
		return err;
	}
	*out = c.arr;
	return PL_OK;
}
