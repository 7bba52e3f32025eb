/*
 * test_api_node_double.h - TEST DOUBLE of node.h, for test_api*.c only,
 * until the real node (src/core/node.c) is on main; then this file goes
 * and the tests run against the real node.
 *
 * It does just enough, in memory and without a store, for the HTTP layer's
 * tests: officers, logins and tokens; pinned records; a batch whose first
 * envelope starts with 'X' refused as a gap (expected 5); everything else
 * accepted, with receipts "receipt <i>".
 */
#ifndef TEST_API_NODE_DOUBLE_H
#define TEST_API_NODE_DOUBLE_H

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "core/identity.h"
#include "core/node.h"
#include "crypto/cr.h"

struct node {
	pthread_mutex_t mu;
	struct keys *keys;
	struct party self;
	struct {
		char name[STORE_NAME_MAX + 1];
		char pw[128];
		unsigned roles;
	} off[16];
	size_t n_off;
	struct {
		char tok[NODE_TOKEN_STR_MAX + 1];
		size_t off;
	} tok[64];
	size_t n_tok;
	struct party peers[8];
	size_t n_peers;
};

enum pl_err
node_open(struct node **out, const struct node_conf *c)
{
	struct node *n = pl_calloc(1, sizeof(*n));

	*out = NULL;
	if (n == NULL) {
		keys_free(c->keys);
		return PL_E_NOMEM;
	}
	if (party_read(&n->self, c->record, c->record_len) != PL_OK) {
		keys_free(c->keys);
		pl_free(n);
		return PL_E_ARG;
	}
	n->keys = c->keys;
	pthread_mutex_init(&n->mu, NULL);
	*out = n;
	return PL_OK;
}

void
node_close(struct node *n)
{
	if (n == NULL)
		return;
	keys_free(n->keys);
	pthread_mutex_destroy(&n->mu);
	pl_free(n);
}

const struct party *
node_self(const struct node *n)
{
	return &n->self;
}

int
node_refusal_http(enum node_refusal r)
{
	static const int st[] = { 200, 400, 413, 403, 403, 403, 404, 409, 409, 409, 409, 422, 500 };

	return (size_t)r < sizeof(st) / sizeof(st[0]) ? st[r] : 500;
}

const char *
node_refusal_name(enum node_refusal r)
{
	static const char *const nm[] = { "accepted",       "malformed",     "too-big",
		                          "unknown-sender", "bad-signature", "not-member",
		                          "no-channel",     "inactive",      "gap",
		                          "bad-chain",      "conflict",      "bad-body",
		                          "internal" };

	return (size_t)r < sizeof(nm) / sizeof(nm[0]) ? nm[r] : "internal";
}

enum pl_err
node_receive(struct node *n, const uint8_t *const *envs, const size_t *lens, size_t count,
             struct buf *receipts, size_t *accepted, struct node_verdict *v)
{
	size_t i;

	(void)n;
	(void)lens;
	*accepted = 0;
	memset(v, 0, sizeof(*v));
	for (i = 0; i < count; i++) {
		if (envs[i][0] == 'X') {
			v->why = NODE_GAP;
			v->expected_seq = 5;
			v->index = i;
			(void)pl_errf(PL_E_ARG, "cyber/us-nrrc: seq 7, expected 5");
			return PL_OK;
		}
		if (buf_addf(&receipts[i], "receipt %zu", i) != PL_OK)
			return PL_E_NOMEM;
		(*accepted)++;
	}
	return PL_OK;
}

enum pl_err
node_fetch(struct node *n, const char *requester, const char *channel, uint64_t from_seq,
           size_t max, struct buf *out, size_t *count)
{
	size_t i;
	int member = 0;

	(void)max;
	for (i = 0; i < n->n_peers; i++)
		member |= strcmp(n->peers[i].id, requester) == 0;
	if (strcmp(channel, "cyber") != 0)
		return pl_errf(PL_E_NOTFOUND, "no channel %s", channel);
	if (!member)
		return pl_errf(PL_E_ARG, "%s is not a member of %s", requester, channel);
	*count = 1;
	if (buf_add_u32be(out, 5) != PL_OK || buf_addf(out, "s%04" PRIu64, from_seq) != PL_OK)
		return PL_E_NOMEM;
	return PL_OK;
}

enum pl_err
node_peer_get(struct node *n, const char *id, struct party *out, int *found)
{
	size_t i;

	*found = 0;
	pthread_mutex_lock(&n->mu);
	for (i = 0; i < n->n_peers; i++)
		if (strcmp(n->peers[i].id, id) == 0) {
			*out = n->peers[i];
			*found = 1;
		}
	pthread_mutex_unlock(&n->mu);
	return PL_OK;
}

enum pl_err
node_roles_parse(const char *s, unsigned *roles)
{
	static const char *const names[] = { "duty", "approver", "auditor", "admin" };
	size_t i;

	*roles = 0;
	while (*s != '\0') {
		size_t k = strcspn(s, ",");

		for (i = 0; i < 4; i++)
			if (strlen(names[i]) == k && strncmp(s, names[i], k) == 0)
				break;
		if (i == 4)
			return pl_errf(PL_E_ARG, "unknown role");
		*roles |= 1u << i;
		s += k;
		if (*s == ',')
			s++;
	}
	return PL_OK;
}

enum pl_err
node_officer_add(struct node *n, const char *name, const char *password, unsigned roles)
{
	size_t i;
	enum pl_err err = PL_OK;

	pthread_mutex_lock(&n->mu);
	for (i = 0; i < n->n_off; i++)
		if (strcmp(n->off[i].name, name) == 0)
			err = pl_errf(PL_E_ARG, "officer %s exists", name);
	if (err == PL_OK && n->n_off < 16) {
		(void)snprintf(n->off[n->n_off].name, sizeof(n->off[0].name), "%s", name);
		(void)snprintf(n->off[n->n_off].pw, sizeof(n->off[0].pw), "%s", password);
		n->off[n->n_off++].roles = roles;
	}
	pthread_mutex_unlock(&n->mu);
	return err;
}

static void
double_token(struct node *n, size_t off, char token[NODE_TOKEN_STR_MAX + 1])
{
	uint8_t r[16];

	cr_random(r, sizeof(r));
	cr_hex(token, r, sizeof(r));
	(void)snprintf(n->tok[n->n_tok].tok, sizeof(n->tok[0].tok), "%s", token);
	n->tok[n->n_tok++].off = off;
}

enum pl_err
node_login(struct node *n, const char *name, const char *password,
           char token[NODE_TOKEN_STR_MAX + 1], uint64_t *expires_ms, struct node_officer *who)
{
	size_t i;
	enum pl_err err = pl_errf(PL_E_ARG, "bad name or password");

	pthread_mutex_lock(&n->mu);
	for (i = 0; i < n->n_off; i++)
		if (strcmp(n->off[i].name, name) == 0 && strcmp(n->off[i].pw, password) == 0) {
			double_token(n, i, token);
			*expires_ms = 1767225600000ull + NODE_SESSION_MS;
			(void)snprintf(who->name, sizeof(who->name), "%s", name);
			who->roles = n->off[i].roles;
			err = PL_OK;
		}
	pthread_mutex_unlock(&n->mu);
	return err;
}

enum pl_err
node_token_new(struct node *n, const struct node_officer *who, const char *label,
               char token[NODE_TOKEN_STR_MAX + 1])
{
	size_t i;

	(void)label;
	pthread_mutex_lock(&n->mu);
	for (i = 0; i < n->n_off; i++)
		if (strcmp(n->off[i].name, who->name) == 0)
			double_token(n, i, token);
	pthread_mutex_unlock(&n->mu);
	return PL_OK;
}

enum pl_err
node_auth(struct node *n, const char *token, struct node_officer *who)
{
	size_t i;
	enum pl_err err = pl_errf(PL_E_ARG, "unknown token");

	pthread_mutex_lock(&n->mu);
	for (i = 0; i < n->n_tok; i++)
		if (strcmp(n->tok[i].tok, token) == 0) {
			(void)snprintf(who->name, sizeof(who->name), "%s",
			               n->off[n->tok[i].off].name);
			who->roles = n->off[n->tok[i].off].roles;
			err = PL_OK;
		}
	pthread_mutex_unlock(&n->mu);
	return err;
}

enum pl_err
node_logout(struct node *n, const char *token)
{
	size_t i;

	pthread_mutex_lock(&n->mu);
	for (i = 0; i < n->n_tok; i++)
		if (strcmp(n->tok[i].tok, token) == 0)
			n->tok[i].tok[0] = '\0';
	pthread_mutex_unlock(&n->mu);
	return PL_OK;
}

enum pl_err
node_peer_add(struct node *n, const struct node_officer *by, const uint8_t *rec, size_t len,
              const char *fingerprint, struct party *out)
{
	if ((by->roles & STORE_ROLE_ADMIN) == 0)
		return pl_errf(PL_E_PERM, "needs admin");
	if (identity_verify(out, rec, len, NULL, NULL) != PL_OK)
		return PL_E_CRYPTO;
	if (!identity_fingerprint_match(out, fingerprint))
		return pl_errf(PL_E_ARG, "fingerprint does not match");
	pthread_mutex_lock(&n->mu);
	if (n->n_peers < 8)
		n->peers[n->n_peers++] = *out;
	pthread_mutex_unlock(&n->mu);
	return PL_OK;
}

enum pl_err
node_peer_list(struct node *n, json_t **out)
{
	(void)n;
	*out = json_pack("[{s:s}]", "id", "double");
	return *out != NULL ? PL_OK : PL_E_NOMEM;
}

enum pl_err
node_channel_create(struct node *n, const struct node_officer *by, const char *name,
                    const char *const *members, size_t n_members, const json_t *charter,
                    uint8_t id[HASH_LEN])
{
	(void)n;
	(void)by;
	(void)members;
	(void)n_members;
	(void)charter;
	hash_sha256(id, name, strlen(name));
	return PL_OK;
}

enum pl_err
node_channel_accept(struct node *n, const struct node_officer *by, const char *name,
                    uint8_t id[HASH_LEN])
{
	(void)n;
	(void)by;
	if (strcmp(name, "cyber") != 0)
		return pl_errf(PL_E_NOTFOUND, "no channel %s", name);
	hash_sha256(id, name, strlen(name));
	return PL_OK;
}

enum pl_err
node_channel_list(struct node *n, json_t **out)
{
	(void)n;
	*out = json_array();
	return PL_OK;
}

enum pl_err
node_send(struct node *n, const struct node_officer *by, const struct node_send *s,
          uint8_t id[HASH_LEN])
{
	(void)n;
	(void)by;
	if (strcmp(s->channel, "cyber") != 0)
		return pl_errf(PL_E_ARG, "no channel %s", s->channel);
	hash_sha256(id, s->format, strlen(s->format));
	return PL_OK;
}

enum pl_err
node_ack(struct node *n, const struct node_officer *by, const uint8_t env_id[HASH_LEN],
         uint8_t ack_id[HASH_LEN])
{
	(void)n;
	(void)by;
	if (env_id[0] != 0xaa)
		return pl_errf(PL_E_NOTFOUND, "no such envelope");
	memset(ack_id, 0xbb, HASH_LEN);
	return PL_OK;
}

enum pl_err
node_list(struct node *n, const struct node_officer *by, const struct node_list_filter *f,
          json_t **out)
{
	(void)n;
	(void)by;
	*out = json_pack("[{s:s?,s:b,s:b,s:I}]", "channel", f->channel, "inbox", f->inbox,
	                 "unacked", f->unacked, "limit", (json_int_t)f->limit);
	return PL_OK;
}

enum pl_err
node_show(struct node *n, const struct node_officer *by, const uint8_t id[HASH_LEN], json_t **out)
{
	(void)n;
	(void)by;
	if (id[0] != 0xaa)
		return pl_errf(PL_E_NOTFOUND, "no such envelope");
	*out = json_pack("{s:s}", "kind", "message");
	return PL_OK;
}

enum pl_err
node_status(struct node *n, json_t **out)
{
	*out = json_pack("{s:s}", "party", n->self.id);
	return PL_OK;
}

/* Delivery is not doubled: the round-trip test needs the real node and skips itself. */
enum pl_err
node_next_batch(struct node *n, const char *peer, size_t max, struct node_batch *b)
{
	(void)n;
	(void)peer;
	(void)max;
	(void)b;
	return pl_errf(PL_E_STATE, "test double: no delivery");
}

enum pl_err
node_receipts_in(struct node *n, const struct node_batch *b, const struct buf *receipts,
                 size_t count)
{
	(void)n;
	(void)b;
	(void)receipts;
	(void)count;
	return pl_errf(PL_E_STATE, "test double: no delivery");
}

#endif
