/*
 * test_node.c - the node engine with three real nodes in one process, each
 * with its own SQLite store, passing envelopes by calling the engine
 * directly (node_next_batch -> node_receive -> node_receipts_in), the way
 * sync and the peer API do over HTTP: charters become active when every
 * member signed; messages arrive once, in order, with receipts on both
 * sides and entries in both transcripts; duplicates get the same receipt;
 * forged, unknown, non-member, out-of-order and inactive traffic is refused
 * with the right verdict and nothing stored; acknowledgements travel back;
 * FLASH lifts its channel; rotations need the old key; officers need the
 * right password, token and role.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/envelope.h"
#include "core/identity.h"
#include "core/node.h"
#include "crypto/cr.h"
#include "tlog/checkpoint.h"
#include "tlog/merkle.h"
#include "tlog/proof.h"
#include "wire/entry.h"

#define US 0
#define RU 1
#define CN 2

static const char *const ids[3] = { "us-nrrc", "ru-nrrc", "cn-cert" };
static char dir[64];
static struct node *nodes[3];
static struct buf recs[3];
static uint8_t secrets[3][KEYS_SECRET_LEN];
static uint64_t fake_now = 1767225600000ULL;
static struct node_officer duty = { "duty-1", STORE_ROLE_DUTY | STORE_ROLE_ADMIN };

static uint64_t
clock_ms(void)
{
	return fake_now;
}

static void
expect_msg(const char *want)
{
	if (strstr(pl_err_msg(), want) == NULL)
		fail_msg("want '%s' in '%s'", want, pl_err_msg());
}

static void
make_record(struct buf *out, const struct keys *k, const char *id, uint32_t revision,
            const struct keys *prev_k, const struct buf *prev_rec)
{
	static struct party r;

	memset(&r, 0, sizeof(r));
	r.version = PARTY_VERSION;
	(void)snprintf(r.id, sizeof(r.id), "%s", id);
	r.revision = revision;
	r.time_ms = 1767225600000ULL + revision;
	memcpy(r.sign_pk, keys_sign_pk(k), SIG_PK_LEN);
	memcpy(r.box_pk, keys_box_pk(k), BOX_PK_LEN);
	r.n_endpoints = 1;
	(void)snprintf(r.endpoints[0], sizeof(r.endpoints[0]), "http://127.0.0.1:%u",
	               7400 + revision);
	if (prev_rec != NULL)
		hash_sha256(r.prev, prev_rec->data, prev_rec->len);
	out->len = 0;
	assert_int_equal(identity_sign(out, &r, k, prev_k), PL_OK);
}

static void
open_node(int i)
{
	struct node_conf c = { 0 };
	char path[96];

	(void)snprintf(path, sizeof(path), "sqlite:%s/%s.db", dir, ids[i]);
	c.store = path;
	c.keys = keys_from_secret(secrets[i]);
	c.record = recs[i].data;
	c.record_len = recs[i].len;
	c.clock_ms = clock_ms;
	assert_int_equal(node_open(&nodes[i], &c), PL_OK);
}

static void
pin(int at, int who)
{
	char fp[PARTY_FP_STR_LEN + 1];
	struct party p;
	struct keys *k = keys_from_secret(secrets[who]);

	identity_fingerprint(fp, ids[who], keys_sign_pk(k));
	keys_free(k);
	assert_int_equal(node_peer_add(nodes[at], &duty, recs[who].data, recs[who].len, fp, &p),
	                 PL_OK);
	assert_string_equal(p.id, ids[who]);
}

static int
setup(void **state)
{
	int i, j;

	(void)state;
	if (cr_init() != PL_OK)
		return -1;
	(void)snprintf(dir, sizeof(dir), "/tmp/parley-node-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	for (i = 0; i < 3; i++) {
		struct keys *k;

		memset(secrets[i], 0x10 * (i + 1), KEYS_SECRET_LEN);
		k = keys_from_secret(secrets[i]);
		buf_init(&recs[i], PARTY_ENCODED_MAX);
		make_record(&recs[i], k, ids[i], 1, NULL, NULL);
		keys_free(k);
		open_node(i);
	}
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			if (i != j)
				pin(i, j);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		node_close(nodes[i]);
		buf_reset(&recs[i]);
	}
	(void)snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Deliver everything pending from node a to node b; returns envelopes accepted. */
static size_t
deliver(int a, int b, struct node_verdict *last)
{
	struct node_batch batch;
	size_t total = 0;

	memset(last, 0, sizeof(*last));
	for (;;) {
		struct buf receipts[NODE_BATCH_MAX];
		const uint8_t *envs[NODE_BATCH_MAX];
		size_t lens[NODE_BATCH_MAX], off = 0, i, accepted;

		assert_int_equal(
		        node_next_batch(nodes[a], ids[b], ENV_PREC_ROUTINE, NULL, 64, &batch),
		        PL_OK);
		if (batch.n == 0) {
			buf_reset(&batch.raw);
			return total;
		}
		for (i = 0; i < batch.n; i++) {
			lens[i] = ((size_t)batch.raw.data[off] << 24) |
			          ((size_t)batch.raw.data[off + 1] << 16) |
			          ((size_t)batch.raw.data[off + 2] << 8) | batch.raw.data[off + 3];
			envs[i] = batch.raw.data + off + 4;
			off += 4 + lens[i];
			buf_init(&receipts[i], 1024);
		}
		assert_int_equal(off, batch.raw.len);
		assert_int_equal(
		        node_receive(nodes[b], envs, lens, batch.n, receipts, &accepted, last),
		        PL_OK);
		assert_int_equal(node_receipts_in(nodes[a], &batch, receipts, accepted), PL_OK);
		for (i = 0; i < batch.n; i++)
			buf_reset(&receipts[i]);
		buf_reset(&batch.raw);
		total += accepted;
		if (last->why != NODE_ACCEPTED)
			return total;
	}
}

static void
deliver_all(void)
{
	struct node_verdict v;
	int round, a, b;
	size_t moved;

	for (round = 0; round < 4; round++) {
		moved = 0;
		for (a = 0; a < 3; a++)
			for (b = 0; b < 3; b++)
				if (a != b)
					moved += deliver(a, b, &v);
		if (moved == 0)
			return;
	}
}

static json_t *
status(int i)
{
	json_t *s;

	assert_int_equal(node_status(nodes[i], &s), PL_OK);
	return s;
}

static long long
transcript_size(int i)
{
	json_t *s = status(i);
	long long n = json_integer_value(json_object_get(json_object_get(s, "transcript"), "size"));

	json_decref(s);
	return n;
}

static size_t
count_list(int i, const char *channel, int inbox, int unacked)
{
	struct node_list_filter f = { channel, inbox, unacked, 1000 };
	json_t *l;
	size_t n;

	assert_int_equal(node_list(nodes[i], &duty, &f, &l), PL_OK);
	n = json_array_size(l);
	json_decref(l);
	return n;
}

static void
send_text(int from, const char *channel, uint8_t prec, const char *text, uint8_t id[HASH_LEN])
{
	struct node_send s = { 0 };
	json_t *texts = json_pack("{ss}", "en", text);

	s.channel = channel;
	s.prec = prec;
	s.format = "rfa";
	s.version = 1;
	s.texts = texts;
	assert_int_equal(node_send(nodes[from], &duty, &s, id), PL_OK);
	json_decref(texts);
}

/* ---- tests ------------------------------------------------------------------- */

static void
test_charter_becomes_active(void **state)
{
	const char *members[] = { "us-nrrc", "ru-nrrc", "cn-cert" };
	uint8_t id[HASH_LEN], aid[HASH_LEN], mid[HASH_LEN];
	struct node_send s = { 0 };
	json_t *l;

	(void)state;
	assert_int_equal(node_channel_create(nodes[US], &duty, "cyber", members, 3, NULL, id),
	                 PL_OK);
	/* Not active yet: sending is refused, nothing stored. */
	s.channel = "cyber";
	s.format = "rfa";
	s.version = 1;
	assert_int_equal(node_send(nodes[US], &duty, &s, mid), PL_E_STATE);
	expect_msg("not every member has signed");
	deliver_all();
	assert_int_equal(node_channel_accept(nodes[RU], &duty, "cyber", aid), PL_OK);
	assert_int_equal(node_channel_accept(nodes[RU], &duty, "cyber", aid), PL_E_STATE);
	assert_int_equal(node_channel_accept(nodes[CN], &duty, "cyber", aid), PL_OK);
	deliver_all();
	assert_int_equal(node_channel_list(nodes[US], &l), PL_OK);
	assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "state")),
	                    "active");
	json_decref(l);
	assert_int_equal(node_channel_list(nodes[CN], &l), PL_OK);
	assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "state")),
	                    "active");
	json_decref(l);
}

static void
test_message_round_trip(void **state)
{
	uint8_t id[HASH_LEN], ack[HASH_LEN];
	long long us0 = transcript_size(US), ru0 = transcript_size(RU);
	char hex[2 * HASH_LEN + 1];
	json_t *shown, *body;

	(void)state;
	send_text(US, "cyber", ENV_PREC_IMMEDIATE, "Request for assistance: ransomware", id);
	/* One sent entry on our side, before any delivery. */
	assert_int_equal(transcript_size(US), us0 + 1);
	deliver_all();
	assert_int_equal(count_list(RU, "cyber", 1, 1), 1);
	assert_int_equal(count_list(CN, "cyber", 1, 1), 1);
	/* The receiver keeps a received entry, the sender a receipt entry per peer. */
	assert_int_equal(transcript_size(RU), ru0 + 1);
	assert_int_equal(transcript_size(US), us0 + 3);
	assert_int_equal(node_show(nodes[RU], &duty, id, &shown), PL_OK);
	body = json_object_get(shown, "body");
	assert_string_equal(
	        json_string_value(json_object_get(json_object_get(body, "texts"), "en")),
	        "Request for assistance: ransomware");
	assert_int_equal(json_array_size(json_object_get(shown, "receipts")), 1);
	json_decref(shown);
	assert_int_equal(node_show(nodes[US], &duty, id, &shown), PL_OK);
	assert_int_equal(json_array_size(json_object_get(shown, "receipts")), 2);
	cr_hex(hex, id, HASH_LEN);
	assert_string_equal(json_string_value(json_object_get(shown, "id")), hex);
	json_decref(shown);

	/* Acknowledged at RU: an ACK envelope goes back; US sees who and when. */
	assert_int_equal(node_ack(nodes[RU], &duty, id, ack), PL_OK);
	assert_int_equal(node_ack(nodes[RU], &duty, id, ack), PL_E_STATE);
	assert_int_equal(count_list(RU, "cyber", 1, 1), 0);
	deliver_all();
	assert_int_equal(node_show(nodes[US], &duty, id, &shown), PL_OK);
	assert_string_equal(json_string_value(json_object_get(
	                            json_array_get(json_object_get(shown, "acks"), 0), "officer")),
	                    "duty-1");
	json_decref(shown);
}

/* The same batch again: the same receipts, nothing new stored. */
static void
test_duplicates(void **state)
{
	struct buf receipts[NODE_BATCH_MAX], again[1];
	const uint8_t *envs[1];
	struct node_batch batch;
	struct node_verdict v;
	uint8_t id[HASH_LEN];
	size_t lens[1], accepted;
	long long ru0;

	(void)state;
	send_text(US, "cyber", ENV_PREC_ROUTINE, "once", id);
	assert_int_equal(node_next_batch(nodes[US], "ru-nrrc", ENV_PREC_ROUTINE, NULL, 64, &batch),
	                 PL_OK);
	assert_int_equal(batch.n, 1);
	envs[0] = batch.raw.data + 4;
	lens[0] = batch.raw.len - 4;
	buf_init(&receipts[0], 1024);
	buf_init(&again[0], 1024);
	assert_int_equal(node_receive(nodes[RU], envs, lens, 1, receipts, &accepted, &v), PL_OK);
	assert_int_equal(accepted, 1);
	ru0 = transcript_size(RU);
	assert_int_equal(node_receive(nodes[RU], envs, lens, 1, again, &accepted, &v), PL_OK);
	assert_int_equal(accepted, 1);
	assert_int_equal(again[0].len, receipts[0].len);
	assert_memory_equal(again[0].data, receipts[0].data, receipts[0].len);
	assert_int_equal(transcript_size(RU), ru0);
	/* The receipt arrives twice at the sender: stored once. */
	assert_int_equal(node_receipts_in(nodes[US], &batch, receipts, 1), PL_OK);
	ru0 = transcript_size(US);
	assert_int_equal(node_receipts_in(nodes[US], &batch, again, 1), PL_OK);
	assert_int_equal(transcript_size(US), ru0);
	buf_reset(&receipts[0]);
	buf_reset(&again[0]);
	buf_reset(&batch.raw);
	deliver_all();
}

/* Feed one envelope of US's next batch to RU after mangling it. */
static void
expect_refused(void (*mangle)(uint8_t *p, size_t n), enum node_refusal want)
{
	struct buf receipts[1];
	const uint8_t *envs[1];
	struct node_batch batch;
	struct node_verdict v;
	uint8_t *copy;
	size_t lens[1], accepted;
	long long ru0 = transcript_size(RU);

	assert_int_equal(node_next_batch(nodes[US], "ru-nrrc", ENV_PREC_ROUTINE, NULL, 1, &batch),
	                 PL_OK);
	assert_int_equal(batch.n, 1);
	copy = malloc(batch.raw.len);
	memcpy(copy, batch.raw.data + 4, batch.raw.len - 4);
	mangle(copy, batch.raw.len - 4);
	envs[0] = copy;
	lens[0] = batch.raw.len - 4;
	buf_init(&receipts[0], 1024);
	assert_int_equal(node_receive(nodes[RU], envs, lens, 1, receipts, &accepted, &v), PL_OK);
	assert_int_equal(accepted, 0);
	if (v.why != want)
		fail_msg("verdict %s, want %s (%s)", node_refusal_name(v.why),
		         node_refusal_name(want), pl_err_msg());
	assert_int_equal(transcript_size(RU), ru0);
	buf_reset(&receipts[0]);
	buf_reset(&batch.raw);
	free(copy);
}

static void
flip_sig(uint8_t *p, size_t n)
{
	p[n - 1] ^= 1;
}

static void
truncate_last(uint8_t *p, size_t n)
{
	(void)n;
	p[16] = 9; /* unknown version */
}

static void
test_forged_and_malformed(void **state)
{
	uint8_t id[HASH_LEN];
	struct node_verdict v;

	(void)state;
	send_text(US, "cyber", ENV_PREC_ROUTINE, "checked", id);
	expect_refused(flip_sig, NODE_BAD_SIGNATURE);
	expect_refused(truncate_last, NODE_MALFORMED);
	/* The genuine one still goes through afterwards. */
	assert_int_equal(deliver(US, RU, &v), 1);
	assert_int_equal(v.why, NODE_ACCEPTED);
	deliver_all();
}

/* A gap: RU must get seq n before n+1; the verdict names what it expects. */
static void
test_gap(void **state)
{
	struct buf receipts[1];
	const uint8_t *envs[1];
	struct node_batch batch;
	struct node_verdict v;
	uint8_t id1[HASH_LEN], id2[HASH_LEN];
	size_t lens[1], accepted, off;

	(void)state;
	send_text(US, "cyber", ENV_PREC_ROUTINE, "first", id1);
	send_text(US, "cyber", ENV_PREC_ROUTINE, "second", id2);
	assert_int_equal(node_next_batch(nodes[US], "ru-nrrc", ENV_PREC_ROUTINE, NULL, 2, &batch),
	                 PL_OK);
	assert_int_equal(batch.n, 2);
	off = 4 + (((size_t)batch.raw.data[0] << 24) | ((size_t)batch.raw.data[1] << 16) |
	           ((size_t)batch.raw.data[2] << 8) | batch.raw.data[3]);
	envs[0] = batch.raw.data + off + 4;
	lens[0] = batch.raw.len - off - 4;
	buf_init(&receipts[0], 1024);
	assert_int_equal(node_receive(nodes[RU], envs, lens, 1, receipts, &accepted, &v), PL_OK);
	assert_int_equal(accepted, 0);
	assert_int_equal(v.why, NODE_GAP);
	assert_true(v.expected_seq > 0);
	/* The reason reaches the caller's thread, not only the writer's. */
	expect_msg("cyber/us-nrrc: seq ");
	expect_msg(", expected ");
	assert_int_equal(node_refusal_http(v.why), 409);
	buf_reset(&receipts[0]);
	buf_reset(&batch.raw);
	deliver_all();
	assert_int_equal(count_list(RU, "cyber", 1, 0) >= 4, 1);
}

/* A party nobody pinned, and a node that is no member, are refused. */
static void
test_unknown_and_non_member(void **state)
{
	const char *members[] = { "us-nrrc", "ru-nrrc" };
	uint8_t id[HASH_LEN];
	struct node_verdict v;

	(void)state;
	assert_int_equal(node_channel_create(nodes[US], &duty, "bilateral", members, 2, NULL, id),
	                 PL_OK);
	/* Members must be pinned. */
	{
		const char *bad[] = { "us-nrrc", "xx-nobody" };

		assert_int_equal(node_channel_create(nodes[US], &duty, "bad", bad, 2, NULL, id),
		                 PL_E_NOTFOUND);
	}
	assert_int_equal(deliver(US, RU, &v), 1);
	assert_int_equal(node_channel_accept(nodes[RU], &duty, "bilateral", id), PL_OK);
	assert_int_equal(deliver(RU, US, &v), 1);
	/* CN was never sent the charter: nothing pending for it. */
	assert_int_equal(deliver(US, CN, &v), 0);
	assert_int_equal(node_channel_accept(nodes[CN], &duty, "bilateral", id), PL_E_NOTFOUND);
}

/* FLASH on one channel goes before ROUTINE queued on another. */
static void
test_flash_first(void **state)
{
	struct node_batch batch;
	uint8_t id[HASH_LEN];
	int i;

	(void)state;
	for (i = 0; i < 5; i++)
		send_text(US, "cyber", ENV_PREC_ROUTINE, "bulk", id);
	send_text(US, "bilateral", ENV_PREC_FLASH, "flash", id);
	assert_int_equal(node_next_batch(nodes[US], "ru-nrrc", ENV_PREC_ROUTINE, NULL, 64, &batch),
	                 PL_OK);
	assert_string_equal(batch.channel, "bilateral");
	assert_int_equal(batch.prec, ENV_PREC_FLASH);
	assert_int_equal(batch.n, 1);
	buf_reset(&batch.raw);
	deliver_all();
}

/* Rotation: accepted when signed by the pinned key, refused otherwise. */
static void
test_rotation(void **state)
{
	struct keys *old = keys_new(), *new_k = keys_new(), *evil = keys_new();
	char fp[PARTY_FP_STR_LEN + 1];
	struct buf rec1, rec2, forged;
	struct party p;

	(void)state;
	buf_init(&rec1, PARTY_ENCODED_MAX);
	buf_init(&rec2, PARTY_ENCODED_MAX);
	buf_init(&forged, PARTY_ENCODED_MAX);
	make_record(&rec1, old, "de-bsi", 1, NULL, NULL);
	/* A first pin needs the right fingerprint. */
	assert_int_equal(node_peer_add(nodes[US], &duty, rec1.data, rec1.len,
	                               "0000-0000-0000-0000-0000-0000-0000-0000", &p),
	                 PL_E_CRYPTO);
	expect_msg("fingerprint does not match");
	assert_int_equal(node_peer_add(nodes[US], &duty, rec1.data, rec1.len, NULL, &p),
	                 PL_E_CRYPTO);
	identity_fingerprint(fp, "de-bsi", keys_sign_pk(old));
	assert_int_equal(node_peer_add(nodes[US], &duty, rec1.data, rec1.len, fp, &p), PL_OK);
	/* Revision 2 with a new key, vouched for by a key that is not the pinned one. */
	make_record(&forged, new_k, "de-bsi", 2, evil, &rec1);
	assert_int_equal(node_peer_add(nodes[US], &duty, forged.data, forged.len, NULL, &p),
	                 PL_E_CRYPTO);
	make_record(&rec2, new_k, "de-bsi", 2, old, &rec1);
	assert_int_equal(node_peer_add(nodes[US], &duty, rec2.data, rec2.len, NULL, &p), PL_OK);
	assert_int_equal(p.revision, 2);
	/* Not twice, and not backwards. */
	assert_int_equal(node_peer_add(nodes[US], &duty, rec2.data, rec2.len, NULL, &p),
	                 PL_E_STATE);
	assert_int_equal(node_peer_add(nodes[US], &duty, rec1.data, rec1.len, NULL, &p),
	                 PL_E_STATE);
	/* A node does not pin itself. */
	assert_int_equal(node_peer_add(nodes[RU], &duty, recs[RU].data, recs[RU].len, NULL, &p),
	                 PL_E_ARG);
	keys_free(old);
	keys_free(new_k);
	keys_free(evil);
	buf_reset(&rec1);
	buf_reset(&rec2);
	buf_reset(&forged);
}

static void
test_officers(void **state)
{
	char token[NODE_TOKEN_STR_MAX + 1], api[NODE_TOKEN_STR_MAX + 1];
	struct node_officer who, auditor = { "aud", STORE_ROLE_AUDITOR };
	uint64_t expires;
	unsigned roles;
	uint8_t id[HASH_LEN];
	struct node_send s = { 0 };

	(void)state;
	assert_int_equal(node_roles_parse("duty,admin", &roles), PL_OK);
	assert_int_equal(roles, STORE_ROLE_DUTY | STORE_ROLE_ADMIN);
	assert_int_equal(node_roles_parse("duty,king", &roles), PL_E_ARG);
	expect_msg("unknown role 'king'");
	assert_int_equal(node_officer_add(nodes[US], "alice", "correct horse", roles), PL_OK);
	assert_int_equal(node_officer_add(nodes[US], "alice", "another pass", roles), PL_E_ARG);
	assert_int_equal(node_officer_add(nodes[US], "Bad Name", "correct horse", roles), PL_E_ARG);
	assert_int_equal(node_login(nodes[US], "alice", "wrong horse", token, &expires, &who),
	                 PL_E_PERM);
	assert_int_equal(node_login(nodes[US], "nobody", "correct horse", token, &expires, &who),
	                 PL_E_PERM);
	expect_msg("bad name or password");
	assert_int_equal(node_login(nodes[US], "alice", "correct horse", token, &expires, &who),
	                 PL_OK);
	assert_string_equal(who.name, "alice");
	memset(&who, 0, sizeof(who));
	assert_int_equal(node_auth(nodes[US], token, &who), PL_OK);
	assert_string_equal(who.name, "alice");
	assert_int_equal(node_token_new(nodes[US], &who, "cli", api), PL_OK);
	/* Sessions expire; API tokens do not. */
	fake_now += NODE_SESSION_MS + 1;
	assert_int_equal(node_auth(nodes[US], token, &who), PL_E_PERM);
	expect_msg("expired");
	assert_int_equal(node_auth(nodes[US], api, &who), PL_OK);
	assert_int_equal(node_logout(nodes[US], api), PL_OK);
	assert_int_equal(node_auth(nodes[US], api, &who), PL_E_PERM);
	assert_int_equal(node_auth(nodes[US], "not-a-token", &who), PL_E_PERM);
	/* Roles: an auditor reads, but does not send or pin. */
	s.channel = "cyber";
	s.format = "rfa";
	s.version = 1;
	assert_int_equal(node_send(nodes[US], &auditor, &s, id), PL_E_PERM);
	expect_msg("does not have the duty role");
	assert_int_equal(node_peer_add(nodes[US], &auditor, recs[RU].data, recs[RU].len, NULL,
	                               &(struct party){ 0 }),
	                 PL_E_PERM);
}

/* Several threads sending at once get distinct, gapless sequence numbers. */
static void *
sender(void *arg)
{
	uint8_t id[HASH_LEN];
	int i;

	(void)arg;
	for (i = 0; i < 20; i++)
		send_text(US, "cyber", ENV_PREC_ROUTINE, "parallel", id);
	return NULL;
}

static void
test_parallel_sends(void **state)
{
	pthread_t th[4];
	size_t before = count_list(RU, "cyber", 1, 0);
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, sender, NULL), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	deliver_all();
	/* Every one arrived (the receiver refuses gaps and duplicates of a seq). */
	assert_int_equal(count_list(RU, "cyber", 1, 0), before + 80);
}

/* Reopened: the store remembers; a store of another party is refused. */
static void
test_reopen(void **state)
{
	struct node_conf c = { 0 };
	struct node *other;
	char path[96];

	(void)state;
	node_close(nodes[RU]);
	open_node(RU);
	assert_true(transcript_size(RU) > 0);
	(void)snprintf(path, sizeof(path), "sqlite:%s/%s.db", dir, ids[US]);
	c.store = path;
	c.keys = keys_from_secret(secrets[RU]);
	c.record = recs[RU].data;
	c.record_len = recs[RU].len;
	c.clock_ms = clock_ms;
	assert_int_equal(node_open(&other, &c), PL_E_STATE);
	expect_msg("belongs to party 'us-nrrc'");
}

/* One add-checkpoint round: us asks witness w; returns the HTTP status. */
static int
witness_round(int from, int w, uint64_t old, uint64_t *size)
{
	struct witness_reply r;
	struct buf req;
	int status;

	buf_init(&req, 1 << 16);
	witness_reply_init(&r);
	assert_int_equal(node_witness_request(nodes[from], ids[w], &old, &req, size), PL_OK);
	assert_int_equal(node_add_checkpoint(nodes[w], (const char *)req.data, req.len, &r), PL_OK);
	status = r.status;
	if (status == 200)
		assert_int_equal(node_cosigned(nodes[from], ids[w], *size,
		                               (const char *)r.body.data, r.body.len),
		                 PL_OK);
	witness_reply_reset(&r);
	buf_reset(&req);
	return status;
}

static void
witness_vkey(struct note_key *k, int i)
{
	char name[96];
	struct keys *ks = keys_from_secret(secrets[i]);

	(void)snprintf(name, sizeof(name), "%s%s", ENTRY_WITNESS_PREFIX, ids[i]);
	assert_int_equal(note_key_make(k, name, NOTE_TYPE_COSIG, keys_sign_pk(ks)), PL_OK);
	keys_free(ks);
}

/* Checkpoints signed, cosigned by two peers, served as tiles; a forked checkpoint is caught. */
static void
test_checkpoints_witnessed(void **state)
{
	static struct proof_result res;
	static struct policy pol;
	struct witness_reply r;
	struct checkpoint cp;
	struct buf note, tile, entries, req;
	uint64_t size = 0, size2 = 0, old;
	uint8_t id[HASH_LEN], leaf[HASH_LEN];
	json_t *alerts, *wl;
	struct keys *usk;
	uint64_t last;
	unsigned w, i;
	int made = 0;

	(void)state;
	assert_int_equal(node_checkpoint(nodes[US], &size, &made), PL_OK);
	assert_true(made);
	assert_int_equal(size, (uint64_t)transcript_size(US));
	assert_int_equal(node_checkpoint(nodes[US], &size2, &made), PL_OK);
	assert_false(made);
	assert_int_equal(size2, size);

	/* Both peers cosign; the served checkpoint meets a 2-of-2 policy. */
	assert_int_equal(witness_round(US, RU, NODE_OLD_STORED, &size2), 200);
	assert_int_equal(witness_round(US, CN, NODE_OLD_STORED, &size2), 200);
	buf_init(&note, 1 << 16);
	assert_int_equal(node_checkpoint_get(nodes[US], &note, &size2), PL_OK);
	assert_int_equal(size2, size);
	policy_init(&pol);
	pol.has_log = 1;
	node_log_key(nodes[US], &pol.log);
	witness_vkey(&pol.witnesses[0], RU);
	witness_vkey(&pol.witnesses[1], CN);
	pol.n_witnesses = 2;
	pol.quorum = 2;
	pol.quorum_set = 1;
	assert_int_equal(policy_check_checkpoint(&res, &pol, (const char *)note.data, note.len),
	                 PL_OK);
	assert_int_equal(res.n_cosigned, 2);

	/* Tiles: level 0 holds the leaf hashes of the entries; nothing past the checkpoint. */
	buf_init(&tile, 256 * HASH_LEN);
	buf_init(&entries, 1 << 20);
	w = size < 256 ? (unsigned)size : 256;
	assert_int_equal(node_log_tile(nodes[US], 0, 0, w, &tile), PL_OK);
	assert_int_equal(tile.len, w * HASH_LEN);
	assert_int_equal(node_log_entries(nodes[US], 0, w, &entries), PL_OK);
	merkle_leaf_hash(leaf, entries.data + 2, ((size_t)entries.data[0] << 8) | entries.data[1]);
	assert_memory_equal(leaf, tile.data, HASH_LEN);
	tile.len = 0;
	last = size / 256;
	assert_int_equal(node_log_tile(nodes[US], 0, last, (unsigned)(size % 256) + 1, &tile),
	                 PL_E_NOTFOUND);
	if (size >= 256) {
		/* Level 1 hashes are subtrees of 256 leaves: the root of the first full tile. */
		uint8_t(*h)[HASH_LEN] = (uint8_t(*)[HASH_LEN])tile.data;

		tile.len = 0;
		assert_int_equal(node_log_tile(nodes[US], 0, 0, 256, &tile), PL_OK);
		for (w = 256; w > 1; w /= 2)
			for (i = 0; i < w / 2; i++)
				merkle_node_hash(h[i], h[2 * i], h[2 * i + 1]);
		memcpy(leaf, h[0], HASH_LEN);
		tile.len = 0;
		assert_int_equal(node_log_tile(nodes[US], 1, 0, 1, &tile), PL_OK);
		assert_memory_equal(leaf, tile.data, HASH_LEN);
	}
	assert_int_equal(node_log_tile(nodes[US], 1, last + 1, 1, &tile), PL_E_NOTFOUND);
	assert_int_equal(node_log_tile(nodes[US], 0, 0, 257, &tile), PL_E_ARG);

	/* The log grows: the next round carries a consistency proof from what RU cosigned. */
	send_text(US, "cyber", ENV_PREC_ROUTINE, "more", id);
	deliver_all();
	assert_int_equal(node_checkpoint(nodes[US], &size2, &made), PL_OK);
	assert_true(made && size2 > size);
	assert_int_equal(witness_round(US, RU, NODE_OLD_STORED, &size2), 200);
	/* A stale old size is answered 409 with the size RU holds. */
	assert_int_equal(witness_round(US, CN, 0, &size2), 409);
	assert_int_equal(witness_round(US, CN, NODE_OLD_STORED, &size2), 200);
	/* We notice a witness that saw more of our log than we have. */
	old = size2 + 5;
	buf_init(&req, 1 << 16);
	assert_int_equal(node_witness_request(nodes[US], ids[RU], &old, &req, &size), PL_E_STATE);
	expect_msg("has cosigned size");

	/* US signs another history of the same size: RU keeps both and raises an alert. */
	memset(&cp, 0, sizeof(cp));
	(void)snprintf(cp.origin, sizeof(cp.origin), "%s%s", ENTRY_LOG_PREFIX, ids[US]);
	cp.size = size2;
	memset(cp.root, 0xee, HASH_LEN);
	usk = keys_from_secret(secrets[US]);
	req.len = 0;
	assert_int_equal(buf_addf(&req, "old %llu\n\n", (unsigned long long)size2), PL_OK);
	assert_int_equal(checkpoint_sign(&req, &cp, usk), PL_OK);
	keys_free(usk);
	witness_reply_init(&r);
	assert_int_equal(node_add_checkpoint(nodes[RU], (const char *)req.data, req.len, &r),
	                 PL_OK);
	assert_int_equal(r.status, 409);
	witness_reply_reset(&r);
	assert_int_equal(node_alerts(nodes[RU], 10, &alerts), PL_OK);
	assert_int_equal(json_array_size(alerts), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(alerts, 0), "kind")),
	                    "fork");
	assert_string_equal(json_string_value(json_object_get(json_array_get(alerts, 0), "party")),
	                    "us-nrrc");
	json_decref(alerts);
	assert_int_equal(node_witnessed(nodes[RU], &wl), PL_OK);
	assert_int_equal(json_array_size(wl), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(wl, 0), "fork")),
	                    "proven");
	json_decref(wl);

	/* A log nobody pinned here: 404. */
	req.len = 0;
	memset(&cp, 0, sizeof(cp));
	(void)snprintf(cp.origin, sizeof(cp.origin), "%sxx-nobody", ENTRY_LOG_PREFIX);
	cp.size = 1;
	usk = keys_from_secret(secrets[US]);
	assert_int_equal(buf_addf(&req, "old 0\n\n"), PL_OK);
	assert_int_equal(checkpoint_sign(&req, &cp, usk), PL_OK);
	keys_free(usk);
	witness_reply_init(&r);
	assert_int_equal(node_add_checkpoint(nodes[RU], (const char *)req.data, req.len, &r),
	                 PL_OK);
	assert_int_equal(r.status, 404);
	witness_reply_reset(&r);

	/* Reopening checks the stored log against the latest checkpoint. */
	node_close(nodes[US]);
	open_node(US);
	buf_reset(&req);
	buf_reset(&note);
	buf_reset(&tile);
	buf_reset(&entries);
}

/* Hand node `at` the entries of party p's transcript from its reading position; the last status. */
static enum pl_err
monitor_read(int at, int p, int corrupt)
{
	uint8_t root[HASH_LEN];
	uint64_t from, to, read;
	enum pl_err err = PL_OK;
	struct buf b;

	buf_init(&b, 1 << 20);
	assert_int_equal(node_monitor_next(nodes[at], ids[p], &from, &to, root), PL_OK);
	while (from < to && err == PL_OK) {
		uint64_t tile = from / 256, w = to - tile * 256 < 256 ? to - tile * 256 : 256;
		size_t off = 0, k;

		b.len = 0;
		assert_int_equal(node_log_entries(nodes[p], tile, (unsigned)w, &b), PL_OK);
		for (k = 0; k < from - tile * 256; k++)
			off += 2 + ((size_t)b.data[off] << 8 | b.data[off + 1]);
		if (corrupt) /* the last byte: of a receipt's signature, which entries do not check */
			b.data[b.len - 1] ^= 1;
		err = node_monitor_entries(nodes[at], ids[p], from, to, root, b.data + off,
		                           b.len - off, &read);
		from += read;
	}
	buf_reset(&b);
	return err;
}

/*
 * US gives RU one envelope and CN another under the same seq.  Neither sees
 * both, until RU reads CN's transcript: the conflict is found, CN's copy
 * is checked, and both become the evidence of an equivocation alert.
 */
static void
test_split_view(void **state)
{
	struct envelope_to to[3];
	struct envelope_draft d;
	struct store_heard h[4];
	struct node_missing miss[4];
	struct node_verdict v;
	struct party pr, pc;
	struct env *e1 = calloc(1, sizeof(*e1));
	struct buf mine, e2, rcpt, got;
	uint8_t id1[HASH_LEN], id2[HASH_LEN], root[HASH_LEN];
	uint64_t size = 0, waiting = 0, from, to_size, read;
	const uint8_t *p;
	size_t count = 0, len, len1, off = 0, accepted = 0;
	json_t *alerts;
	struct keys *usk;
	enum pl_err err;
	int found = 0, made = 0, i;

	(void)state;
	assert_non_null(e1);
	deliver_all();
	/* E1 reaches RU only. */
	send_text(US, "cyber", ENV_PREC_ROUTINE, "the version RU gets", id1);
	assert_int_equal(deliver(US, RU, &v), 1);
	buf_init(&mine, 1 << 22);
	assert_int_equal(
	        node_fetch(nodes[US], ids[RU], "cyber", NULL, 1, NODE_BATCH_MAX, &mine, &count),
	        PL_OK);
	for (i = 0; (size_t)i < count; i++) {
		len = (size_t)mine.data[off] << 24 | (size_t)mine.data[off + 1] << 16 |
		      (size_t)mine.data[off + 2] << 8 | mine.data[off + 3];
		p = mine.data + off + 4;
		off += 4 + len;
	}
	len1 = len;
	envelope_id(root, p, len);
	assert_memory_equal(root, id1, HASH_LEN);
	assert_int_equal(env_read(e1, p, len), PL_OK);
	/* E2: the same seq and prev, another body, signed by US, given to CN. */
	assert_int_equal(node_peer_get(nodes[US], ids[RU], &pr, &found), PL_OK);
	assert_int_equal(node_peer_get(nodes[US], ids[CN], &pc, &found), PL_OK);
	to[0] = (struct envelope_to){ ids[RU], pr.box_pk };
	to[1] = (struct envelope_to){ ids[CN], pc.box_pk };
	to[2] = (struct envelope_to){ ids[US], node_self(nodes[US])->box_pk };
	memset(&d, 0, sizeof(d));
	d.channel = "cyber";
	d.sender = ids[US];
	d.seq = e1->seq;
	d.prev = e1->prev;
	d.kind = e1->kind;
	d.prec = e1->prec;
	d.time_ms = e1->time_ms;
	d.n_to = 3;
	d.to = to;
	d.plain = (const uint8_t *)"{\"texts\":{\"en\":\"the version CN gets\"}}";
	d.plain_len = strlen((const char *)d.plain);
	usk = keys_from_secret(secrets[US]);
	buf_init(&e2, 1 << 20);
	assert_int_equal(envelope_seal(&e2, id2, &d, usk), PL_OK);
	keys_free(usk);
	buf_init(&rcpt, 4096);
	p = e2.data;
	len = e2.len;
	assert_int_equal(node_receive(nodes[CN], &p, &len, 1, &rcpt, &accepted, &v), PL_OK);
	assert_int_equal(accepted, 1);

	/* CN sends a message that reaches US only: RU will read of it before it arrives. */
	send_text(CN, "cyber", ENV_PREC_ROUTINE, "not yet at RU", id1);
	assert_int_equal(deliver(CN, US, &v), 1);

	/* CN's transcript now names E2; RU cosigns CN's checkpoint, then reads it. */
	assert_int_equal(node_checkpoint(nodes[CN], &size, &made), PL_OK);
	assert_int_equal(witness_round(CN, RU, NODE_OLD_STORED, &size), 200);
	assert_int_equal(node_monitor_next(nodes[RU], ids[CN], &from, &to_size, root), PL_OK);
	assert_int_equal(from, 0);
	assert_int_equal(to_size, size);
	/* Entries that do not lead to the cosigned root are not taken: the reading starts over. */
	err = monitor_read(RU, CN, 1);
	if (err != PL_E_CRYPTO)
		fail_msg("%s", pl_err_msg());
	expect_msg("do not lead to the root");
	assert_int_equal(node_monitor_next(nodes[RU], ids[CN], &from, &to_size, root), PL_OK);
	assert_int_equal(from, 0);
	/* A bundle cut short: refused, nothing taken. */
	assert_int_equal(node_monitor_entries(nodes[RU], ids[CN], 0, to_size, root,
	                                      (const uint8_t *)"\0\310x", 3, &read),
	                 PL_E_PROTO);
	expect_msg("cn-cert's transcript");
	assert_int_equal(read, 0);
	assert_int_equal(node_monitor_next(nodes[RU], ids[CN], &from, &to_size, root), PL_OK);
	assert_int_equal(from, 0);
	assert_int_equal(monitor_read(RU, CN, 0), PL_OK);
	assert_int_equal(node_monitor_next(nodes[RU], ids[CN], &from, &to_size, root), PL_OK);
	assert_int_equal(from, size);

	assert_int_equal(node_monitor_conflicts(nodes[RU], h, 4, &count, &waiting), PL_OK);
	assert_int_equal(count, 1);
	assert_string_equal(h[0].party, ids[CN]);
	assert_string_equal(h[0].sender, ids[US]);
	assert_int_equal(h[0].seq, e1->seq);
	assert_memory_equal(h[0].id, id2, HASH_LEN);
	/* Not evidence: our own copy, or CN's copy with a byte changed. */
	assert_int_equal(node_monitor_evidence(nodes[RU], &h[0], mine.data + off - len1, len1),
	                 PL_E_PROTO);
	e2.data[e2.len - 1] ^= 1;
	assert_int_equal(node_monitor_evidence(nodes[RU], &h[0], e2.data, e2.len), PL_E_PROTO);
	e2.data[e2.len - 1] ^= 1;
	/* CN's copy, as a member of the channel fetches it. */
	buf_init(&got, 1 << 20);
	assert_int_equal(node_fetch(nodes[CN], ids[RU], "cyber", ids[US], e1->seq, 1, &got, &count),
	                 PL_OK);
	assert_int_equal(count, 1);
	assert_int_equal(got.len, 4 + e2.len);
	assert_memory_equal(got.data + 4, e2.data, e2.len);
	assert_int_equal(node_fetch(nodes[CN], "xx-nobody", "cyber", ids[US], 1, 1, &got, &count),
	                 PL_E_PERM);
	assert_int_equal(node_monitor_evidence(nodes[RU], &h[0], got.data + 4, got.len - 4), PL_OK);
	assert_int_equal(node_alerts(nodes[RU], 10, &alerts), PL_OK);
	found = 0;
	for (i = 0; (size_t)i < json_array_size(alerts); i++) {
		json_t *a = json_array_get(alerts, (size_t)i);

		if (strcmp(json_string_value(json_object_get(a, "kind")), "equivocation") == 0 &&
		    strcmp(json_string_value(json_object_get(a, "party")), ids[US]) == 0 &&
		    json_integer_value(json_object_get(a, "evidence_bytes")) ==
		            (json_int_t)(8 + len1 + e2.len))
			found = 1;
	}
	json_decref(alerts);
	assert_true(found);
	assert_int_equal(node_monitor_conflicts(nodes[RU], h, 4, &count, &waiting), PL_OK);
	assert_int_equal(count, 0);
	assert_int_equal(waiting, 1); /* CN's message, not here yet */
	alerts = status(RU);
	assert_int_equal(json_integer_value(json_object_get(alerts, "missing")), 1);
	json_decref(alerts);
	/* Not missing for long yet; then missing: fetched from CN, whose transcript named it. */
	assert_int_equal(node_monitor_missing(nodes[RU], 3600 * 1000, miss, 4, &count), PL_OK);
	assert_int_equal(count, 0);
	assert_int_equal(node_monitor_missing(nodes[RU], 0, miss, 4, &count), PL_OK);
	assert_int_equal(count, 1);
	assert_string_equal(miss[0].channel, "cyber");
	assert_string_equal(miss[0].sender, ids[CN]);
	assert_string_equal(miss[0].party, ids[CN]);
	got.len = 0;
	assert_int_equal(node_fetch(nodes[CN], ids[RU], "cyber", ids[CN], miss[0].from,
	                            NODE_BATCH_MAX, &got, &count),
	                 PL_OK);
	assert_int_equal(count, 1);
	p = got.data + 4;
	len = got.len - 4;
	rcpt.len = 0;
	assert_int_equal(node_receive(nodes[RU], &p, &len, 1, &rcpt, &accepted, &v), PL_OK);
	assert_int_equal(accepted, 1);
	assert_int_equal(node_monitor_missing(nodes[RU], 0, miss, 4, &count), PL_OK);
	assert_int_equal(count, 0);
	/* CN's own delivery later is a duplicate: the same receipt again. */
	assert_int_equal(deliver(CN, RU, &v), 1);
	assert_int_equal(node_monitor_conflicts(nodes[RU], h, 4, &count, &waiting), PL_OK);
	assert_int_equal(count, 0);
	assert_int_equal(waiting, 0);
	buf_reset(&mine);
	buf_reset(&e2);
	buf_reset(&rcpt);
	buf_reset(&got);
	free(e1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_charter_becomes_active),
		cmocka_unit_test(test_message_round_trip),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_forged_and_malformed),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_unknown_and_non_member),
		cmocka_unit_test(test_flash_first),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_officers),
		cmocka_unit_test(test_parallel_sends),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_checkpoints_witnessed),
		cmocka_unit_test(test_split_view),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
