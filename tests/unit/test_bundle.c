/*
 * test_bundle.c - bundles made from real objects, verified, and refused
 * in every way a damaged or dishonest one must be.
 *
 * The fixture is a small but complete exchange on channel "cyber" between
 * us-nrrc and ru-nrrc, witnessed by osce-witness:
 *
 *   U1  us-nrrc seq 1  message FLASH, disclosed (its body key is in the bundle)
 *   U2  us-nrrc seq 2  message
 *   R1  ru-nrrc seq 1  ack of U1
 *   R2  ru-nrrc seq 2  message answering U2
 *   U3  us-nrrc seq 3  ack of R2
 *
 * Every envelope has the other party's receipt.  Both transcripts are built
 * in memory from transcript entries (sent, received, receipt) in the order
 * a node appends them; us-nrrc's log has checkpoints at sizes 4 and 8
 * (with a consistency proof), ru-nrrc's at size 7, all cosigned by the
 * witness.  Every entry has an inclusion proof.
 *
 * Run with "--write DIR" the program writes that bundle, a policy for it
 * and a few damaged bundles to DIR instead of testing, for
 * tests/cli/test_bundle.sh and the fuzz corpus (tests/fuzz/corpus/bundle).
 * The random source is then deterministic, so the files are reproducible.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/alloc.h"
#include "common/file.h"
#include "core/bundle.h"
#include "core/envelope.h"
#include "core/identity.h"
#include "core/receipt.h"
#include "crypto/cr.h"
#include "tlog/cosig.h"

#define T0 1767225600000ULL /* 2026-01-01T00:00:00Z */

enum { US, RU, WIT, N_PARTIES };
enum { U1, U2, U3, R1, R2, N_ENVS };
enum { LOG_US, LOG_RU, N_LOGS };
#define ENT_MAX 16

static const char *const party_ids[N_PARTIES] = { "us-nrrc", "ru-nrrc", "osce-witness" };
/* Senders' clocks, from T0; receipts come 5 s after. */
static const uint64_t times[N_ENVS] = { 0, 120000, 600000, 60000, 300000 };

static const char body_u1[] =
        "{\"authoritative\":\"en\",\"data\":{\"incident\":\"RW-2026-114\"},\"format\":\"rfa\","
        "\"texts\":{\"en\":\"Request for assistance: hospital network\",\"ru\":\"Запрос о "
        "помощи\"},\"version\":1}";
static const char body_plain[] = "{\"data\":{},\"format\":\"note\",\"version\":1}";

struct fx {
	struct keys *k[N_PARTIES], *forger;
	struct buf party[N_PARTIES];
	struct buf env[N_ENVS];
	uint8_t id[N_ENVS][HASH_LEN];
	struct buf rcpt[N_ENVS]; /* by the party that did not send it */
	uint8_t body_key[AEAD_KEY_LEN];
	/* transcripts */
	struct buf ent[N_LOGS][ENT_MAX];
	uint8_t leaf[N_LOGS][ENT_MAX][HASH_LEN];
	size_t n_ent[N_LOGS];
	struct buf cp_us4, cp_us8, cp_ru7;
	struct buf good; /* the whole bundle */
	struct bundle_policy pol;
	char witness_vkey[512];
};

static struct fx fx;

/* ------------------------------------------------------------------ */
/* Building real objects. */

static void
make_party(struct buf *out, const char *id, const struct keys *k)
{
	static struct party r;

	memset(&r, 0, sizeof(r));
	r.version = PARTY_VERSION;
	(void)snprintf(r.id, sizeof(r.id), "%s", id);
	r.revision = 1;
	r.time_ms = T0 - 86400000;
	memcpy(r.sign_pk, keys_sign_pk(k), SIG_PK_LEN);
	memcpy(r.box_pk, keys_box_pk(k), BOX_PK_LEN);
	r.n_endpoints = 1;
	(void)snprintf(r.endpoints[0], PARTY_URL_MAX, "https://%s.example/parley", id);
	buf_init(out, PARTY_ENCODED_MAX);
	assert_int_equal(identity_sign(out, &r, k, NULL), PL_OK);
}

static const char *
env_sender(int i)
{
	return i == R1 || i == R2 ? party_ids[RU] : party_ids[US];
}

static int
env_receiver(int i)
{
	return i == R1 || i == R2 ? US : RU;
}

/* Seal envelope i: seq and prev follow the sender's chain; refs as the scenario says. */
static void
seal(struct fx *f, struct buf *out, uint8_t id[HASH_LEN], int i, const struct keys *signer)
{
	struct envelope_to to[2] = { { party_ids[US], keys_box_pk(f->k[US]) },
		                     { party_ids[RU], keys_box_pk(f->k[RU]) } };
	static const uint64_t seqs[N_ENVS] = { 1, 2, 3, 1, 2 };
	static const int prevs[N_ENVS] = { -1, U1, U2, -1, R1 };
	static const int refs[N_ENVS] = { -1, -1, R2, U1, U2 };
	static const uint8_t kinds[N_ENVS] = { ENV_KIND_MESSAGE, ENV_KIND_MESSAGE, ENV_KIND_ACK,
		                               ENV_KIND_ACK, ENV_KIND_MESSAGE };
	const char *plain = i == U1 ? body_u1 : body_plain;
	struct envelope_draft d = {
		.channel = "cyber",
		.sender = env_sender(i),
		.seq = seqs[i],
		.prev = prevs[i] >= 0 ? f->id[prevs[i]] : NULL,
		.kind = kinds[i],
		.prec = i == U1 ? ENV_PREC_FLASH : ENV_PREC_ROUTINE,
		.tlp = ENV_TLP_AMBER,
		.time_ms = T0 + times[i],
		.n_refs = refs[i] >= 0 ? 1 : 0,
		.refs = refs[i] >= 0 ? (const uint8_t(*)[HASH_LEN])f->id[refs[i]] : NULL,
		.n_to = 2,
		.to = to,
		.plain = (const uint8_t *)plain,
		.plain_len = strlen(plain),
	};

	buf_init(out, ENV_ENCODED_MAX);
	assert_int_equal(envelope_seal(out, id, &d, signer), PL_OK);
}

static void
log_add(struct fx *f, int log, uint8_t type, int env, const struct buf *rcpt)
{
	struct env e;
	struct entry en;
	struct buf *b = &f->ent[log][f->n_ent[log]];

	memset(&en, 0, sizeof(en));
	en.type = type;
	if (type != ENTRY_RECEIPT) {
		assert_int_equal(env_read(&e, f->env[env].data, f->env[env].len), PL_OK);
		memcpy(en.env_id, f->id[env], HASH_LEN);
		memcpy(en.channel, e.channel, sizeof(en.channel));
		memcpy(en.sender, e.sender, sizeof(en.sender));
		en.seq = e.seq;
		memcpy(en.prev, e.prev, HASH_LEN);
	}
	if (rcpt != NULL) {
		en.receipt = rcpt->data;
		en.receipt_len = rcpt->len;
	}
	buf_init(b, ENTRY_ENCODED_MAX);
	assert_int_equal(entry_write(b, &en), PL_OK);
	merkle_leaf_hash(f->leaf[log][f->n_ent[log]], b->data, b->len);
	f->n_ent[log]++;
}

/* A checkpoint of log at size, signed by its party, cosigned by the witness if asked. */
static void
make_cp(struct buf *out, const uint8_t (*leaves)[HASH_LEN], uint64_t size, int party, int cosign)
{
	struct checkpoint c;
	struct buf text;

	memset(&c, 0, sizeof(c));
	(void)snprintf(c.origin, sizeof(c.origin), "%s%s", ENTRY_LOG_PREFIX, party_ids[party]);
	c.size = size;
	assert_int_equal(merkle_root_from_leaves(c.root, leaves, size), PL_OK);
	buf_init(out, NOTE_MAX);
	assert_int_equal(checkpoint_sign(out, &c, fx.k[party]), PL_OK);
	if (!cosign)
		return;
	buf_init(&text, NOTE_MAX);
	assert_int_equal(checkpoint_fmt(&text, &c), PL_OK);
	assert_int_equal(cosig_sign(out, (const char *)text.data, text.len,
	                            ENTRY_WITNESS_PREFIX "osce-witness", fx.k[WIT],
	                            (T0 + 3600000) / 1000),
	                 PL_OK);
	buf_reset(&text);
}

static void
add_incl(struct bundle_writer *w, int log, uint64_t size, uint64_t index)
{
	uint8_t proof[MERKLE_PROOF_MAX][HASH_LEN];
	struct merkle_source src;
	struct merkle_mem mem = { (const uint8_t(*)[HASH_LEN])fx.leaf[log], size };
	size_t n;

	merkle_mem_source(&src, &mem);
	assert_int_equal(merkle_inclusion_proof(proof, &n, &src, index, size), PL_OK);
	assert_int_equal(bundle_writer_add_inclusion(w, party_ids[log == LOG_US ? US : RU], size,
	                                             index, fx.ent[log][index].data,
	                                             fx.ent[log][index].len,
	                                             (const uint8_t(*)[HASH_LEN])proof, n),
	                 PL_OK);
}

static void
add_cons(struct bundle_writer *w, int log, const uint8_t (*leaves)[HASH_LEN], uint64_t n_leaves,
         uint64_t old_size, uint64_t new_size)
{
	uint8_t proof[MERKLE_PROOF_MAX][HASH_LEN];
	struct merkle_source src;
	struct merkle_mem mem = { leaves, n_leaves };
	size_t n;

	merkle_mem_source(&src, &mem);
	assert_int_equal(merkle_consistency_proof(proof, &n, &src, old_size, new_size), PL_OK);
	assert_int_equal(bundle_writer_add_consistency(w, party_ids[log == LOG_US ? US : RU],
	                                               old_size, new_size,
	                                               (const uint8_t(*)[HASH_LEN])proof, n),
	                 PL_OK);
}

/* What a variant of the bundle leaves out. */
struct skip {
	int env;        /* an envelope (and everything about it stays), or -1 */
	int rcpt;       /* a receipt, or -1 */
	int disclosure; /* leave out the disclosure */
	int cps;        /* leave out the checkpoints, consistency and inclusion proofs */
};

static const struct skip no_skip = { -1, -1, 0, 0 };

/* Add the fixture's records, except what skip says; extra may add more. */
static void
fill_writer(struct bundle_writer *w, const struct skip *skip)
{
	size_t i;

	for (i = 0; i < N_PARTIES; i++)
		assert_int_equal(bundle_writer_add_party(w, fx.party[i].data, fx.party[i].len),
		                 PL_OK);
	for (i = 0; i < N_ENVS; i++)
		if ((int)i != skip->env)
			assert_int_equal(
			        bundle_writer_add_envelope(w, fx.env[i].data, fx.env[i].len),
			        PL_OK);
	for (i = 0; i < N_ENVS; i++)
		if ((int)i != skip->rcpt)
			assert_int_equal(
			        bundle_writer_add_receipt(w, fx.rcpt[i].data, fx.rcpt[i].len),
			        PL_OK);
	if (!skip->disclosure)
		assert_int_equal(bundle_writer_add_disclosure(w, fx.id[U1], fx.body_key), PL_OK);
	if (skip->cps)
		return;
	assert_int_equal(
	        bundle_writer_add_checkpoint(w, (const char *)fx.cp_us4.data, fx.cp_us4.len),
	        PL_OK);
	assert_int_equal(
	        bundle_writer_add_checkpoint(w, (const char *)fx.cp_us8.data, fx.cp_us8.len),
	        PL_OK);
	assert_int_equal(
	        bundle_writer_add_checkpoint(w, (const char *)fx.cp_ru7.data, fx.cp_ru7.len),
	        PL_OK);
	add_cons(w, LOG_US, (const uint8_t(*)[HASH_LEN])fx.leaf[LOG_US], 8, 4, 8);
	for (i = 0; i < fx.n_ent[LOG_US]; i++)
		add_incl(w, LOG_US, 8, i);
	for (i = 0; i < fx.n_ent[LOG_RU]; i++)
		add_incl(w, LOG_RU, 7, i);
	add_incl(w, LOG_US, 4, 0);
}

/* fill_writer's records, stopping at the first error (for allocation failures). */
static void
fill_writer_nomem(struct bundle_writer *w, enum pl_err *err)
{
	uint8_t proof[MERKLE_PROOF_MAX][HASH_LEN];
	struct merkle_source src;
	struct merkle_mem mem;
	size_t i, n, l;

	*err = PL_OK;
	for (i = 0; *err == PL_OK && i < N_PARTIES; i++)
		*err = bundle_writer_add_party(w, fx.party[i].data, fx.party[i].len);
	for (i = 0; *err == PL_OK && i < N_ENVS; i++)
		if ((*err = bundle_writer_add_envelope(w, fx.env[i].data, fx.env[i].len)) == PL_OK)
			*err = bundle_writer_add_receipt(w, fx.rcpt[i].data, fx.rcpt[i].len);
	if (*err == PL_OK)
		*err = bundle_writer_add_disclosure(w, fx.id[U1], fx.body_key);
	if (*err == PL_OK)
		*err = bundle_writer_add_checkpoint(w, (const char *)fx.cp_us4.data, fx.cp_us4.len);
	if (*err == PL_OK)
		*err = bundle_writer_add_checkpoint(w, (const char *)fx.cp_us8.data, fx.cp_us8.len);
	if (*err == PL_OK)
		*err = bundle_writer_add_checkpoint(w, (const char *)fx.cp_ru7.data, fx.cp_ru7.len);
	mem.leaves = (const uint8_t(*)[HASH_LEN])fx.leaf[LOG_US];
	mem.n = 8;
	merkle_mem_source(&src, &mem);
	if (*err == PL_OK && (*err = merkle_consistency_proof(proof, &n, &src, 4, 8)) == PL_OK)
		*err = bundle_writer_add_consistency(w, "us-nrrc", 4, 8,
		                                     (const uint8_t(*)[HASH_LEN])proof, n);
	for (l = 0; l < N_LOGS; l++) {
		mem.leaves = (const uint8_t(*)[HASH_LEN])fx.leaf[l];
		mem.n = fx.n_ent[l];
		for (i = 0; *err == PL_OK && i < fx.n_ent[l]; i++)
			if ((*err = merkle_inclusion_proof(proof, &n, &src, i, fx.n_ent[l])) ==
			    PL_OK)
				*err = bundle_writer_add_inclusion(
				        w, party_ids[l == LOG_US ? US : RU], fx.n_ent[l], i,
				        fx.ent[l][i].data, fx.ent[l][i].len,
				        (const uint8_t(*)[HASH_LEN])proof, n);
	}
	mem.leaves = (const uint8_t(*)[HASH_LEN])fx.leaf[LOG_US];
	mem.n = 8;
	if (*err == PL_OK && (*err = merkle_inclusion_proof(proof, &n, &src, 0, 4)) == PL_OK)
		*err = bundle_writer_add_inclusion(w, "us-nrrc", 4, 0, fx.ent[LOG_US][0].data,
		                                   fx.ent[LOG_US][0].len,
		                                   (const uint8_t(*)[HASH_LEN])proof, n);
}

static void policy_add(struct bundle_policy *pol, const char *fmt, ...) PL_PRINTF(2, 3);

static void
policy_add(struct bundle_policy *pol, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (bundle_policy_line(pol, line, 1) != PL_OK)
		fail_msg("policy line '%s': %s", line, pl_err_msg());
}

/* The policy pinning the parties named in pins (a bit per party), the witness, quorum 1. */
static void
make_policy(struct bundle_policy *pol, unsigned pins)
{
	char fp[PARTY_FP_STR_LEN + 1];
	size_t i;

	bundle_policy_init(pol);
	for (i = 0; i < N_PARTIES; i++) {
		if (!(pins & (1u << i)))
			continue;
		identity_fingerprint(fp, party_ids[i], keys_sign_pk(fx.k[i]));
		policy_add(pol, "party %s %s", party_ids[i], fp);
	}
	policy_add(pol, "witness %s", fx.witness_vkey);
	policy_add(pol, "quorum 1");
	assert_int_equal(bundle_policy_finish(pol), PL_OK);
}

static void
build_fixture(void)
{
	struct bundle_writer w;
	struct note_key wk;
	struct buf vk;
	struct env e;
	size_t i;

	for (i = 0; i < N_PARTIES; i++) {
		assert_non_null(fx.k[i] = keys_new());
		make_party(&fx.party[i], party_ids[i], fx.k[i]);
	}
	assert_non_null(fx.forger = keys_new());
	/* In causal order: each envelope's prev and refs exist before it. */
	seal(&fx, &fx.env[U1], fx.id[U1], U1, fx.k[US]);
	seal(&fx, &fx.env[R1], fx.id[R1], R1, fx.k[RU]);
	seal(&fx, &fx.env[U2], fx.id[U2], U2, fx.k[US]);
	seal(&fx, &fx.env[R2], fx.id[R2], R2, fx.k[RU]);
	seal(&fx, &fx.env[U3], fx.id[U3], U3, fx.k[US]);
	for (i = 0; i < N_ENVS; i++) {
		int r = env_receiver((int)i);

		buf_init(&fx.rcpt[i], RCPT_ENCODED_MAX);
		assert_int_equal(receipt_sign(&fx.rcpt[i], fx.id[i], party_ids[r],
		                              T0 + times[i] + 5000 + i, fx.k[r]),
		                 PL_OK);
	}
	assert_int_equal(env_read(&e, fx.env[U1].data, fx.env[U1].len), PL_OK);
	assert_int_equal(envelope_body_key(fx.body_key, &e, "us-nrrc", fx.k[US]), PL_OK);

	/* us-nrrc's transcript */
	log_add(&fx, LOG_US, ENTRY_SENT, U1, NULL);
	log_add(&fx, LOG_US, ENTRY_RECEIPT, -1, &fx.rcpt[U1]);
	log_add(&fx, LOG_US, ENTRY_RECEIVED, R1, &fx.rcpt[R1]);
	log_add(&fx, LOG_US, ENTRY_SENT, U2, NULL);
	log_add(&fx, LOG_US, ENTRY_RECEIPT, -1, &fx.rcpt[U2]);
	log_add(&fx, LOG_US, ENTRY_RECEIVED, R2, &fx.rcpt[R2]);
	log_add(&fx, LOG_US, ENTRY_SENT, U3, NULL);
	log_add(&fx, LOG_US, ENTRY_RECEIPT, -1, &fx.rcpt[U3]);
	/* ru-nrrc's transcript */
	log_add(&fx, LOG_RU, ENTRY_RECEIVED, U1, &fx.rcpt[U1]);
	log_add(&fx, LOG_RU, ENTRY_SENT, R1, NULL);
	log_add(&fx, LOG_RU, ENTRY_RECEIPT, -1, &fx.rcpt[R1]);
	log_add(&fx, LOG_RU, ENTRY_RECEIVED, U2, &fx.rcpt[U2]);
	log_add(&fx, LOG_RU, ENTRY_SENT, R2, NULL);
	log_add(&fx, LOG_RU, ENTRY_RECEIPT, -1, &fx.rcpt[R2]);
	log_add(&fx, LOG_RU, ENTRY_RECEIVED, U3, &fx.rcpt[U3]);
	make_cp(&fx.cp_us4, (const uint8_t(*)[HASH_LEN])fx.leaf[LOG_US], 4, US, 1);
	make_cp(&fx.cp_us8, (const uint8_t(*)[HASH_LEN])fx.leaf[LOG_US], 8, US, 1);
	make_cp(&fx.cp_ru7, (const uint8_t(*)[HASH_LEN])fx.leaf[LOG_RU], 7, RU, 1);

	assert_int_equal(note_key_make(&wk, ENTRY_WITNESS_PREFIX "osce-witness", NOTE_TYPE_COSIG,
	                               keys_sign_pk(fx.k[WIT])),
	                 PL_OK);
	buf_init(&vk, sizeof(fx.witness_vkey) - 1);
	assert_int_equal(note_key_fmt(&vk, &wk), PL_OK);
	memcpy(fx.witness_vkey, vk.data, vk.len);
	fx.witness_vkey[vk.len] = '\0';
	buf_reset(&vk);
	make_policy(&fx.pol, 7);

	bundle_writer_init(&w);
	fill_writer(&w, &no_skip);
	buf_init_secret(&fx.good, BUNDLE_MAX);
	assert_int_equal(bundle_writer_finish(&w, &fx.good), PL_OK);
	bundle_writer_reset(&w);
}

static int
setup(void **state)
{
	(void)state;
	if (cr_init() != PL_OK)
		return -1;
	build_fixture();
	return 0;
}

static int
teardown(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < N_PARTIES; i++) {
		keys_free(fx.k[i]);
		buf_reset(&fx.party[i]);
	}
	keys_free(fx.forger);
	for (i = 0; i < N_ENVS; i++) {
		buf_reset(&fx.env[i]);
		buf_reset(&fx.rcpt[i]);
	}
	for (i = 0; i < N_LOGS; i++)
		for (j = 0; j < fx.n_ent[i]; j++)
			buf_reset(&fx.ent[i][j]);
	buf_reset(&fx.cp_us4);
	buf_reset(&fx.cp_us8);
	buf_reset(&fx.cp_ru7);
	buf_reset(&fx.good);
	cr_wipe(fx.body_key, sizeof(fx.body_key));
	return 0;
}

/* ------------------------------------------------------------------ */
/* Helpers for checking outcomes. */

/* Read and verify [p, p+n) under pol; the result of the whole. */
static enum pl_err
check(const uint8_t *p, size_t n, const struct bundle_policy *pol, struct bundle_report *rep)
{
	struct bundle b;
	enum pl_err err;

	memset(rep, 0, sizeof(*rep));
	if ((err = bundle_read(&b, p, n)) == PL_OK)
		err = bundle_verify(&b, pol, rep);
	bundle_reset(&b);
	return err;
}

/* 1 if a kept failure concerns record rec and contains want (may be NULL). */
static int
has_failure(const struct bundle_report *rep, size_t rec, const char *want)
{
	size_t i;

	for (i = 0; i < rep->n_kept; i++)
		if ((rec == BUNDLE_NONE || rep->failures[i].rec == rec) &&
		    (want == NULL || strstr(rep->failures[i].msg, want) != NULL))
			return 1;
	return 0;
}

static void
dump_failures(const struct bundle_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n_kept; i++)
		print_message("#   %s\n", rep->failures[i].msg);
}

/* The bundle of the writer w, verified under pol: it must fail with want in some failure. */
static void
expect_failure(struct bundle_writer *w, const struct bundle_policy *pol, const char *want)
{
	struct bundle_report rep;
	struct buf out;

	buf_init_secret(&out, BUNDLE_MAX);
	assert_int_equal(bundle_writer_finish(w, &out), PL_OK);
	if (check(out.data, out.len, pol, &rep) != PL_E_CRYPTO ||
	    !has_failure(&rep, BUNDLE_NONE, want)) {
		dump_failures(&rep);
		fail_msg("want a failure with '%s', got: %s", want, pl_err_msg());
	}
	bundle_report_reset(&rep);
	buf_reset(&out);
}

/* Each record's offset and length in a bundle (the framing, read by hand). */
struct span {
	uint8_t type;
	size_t off, len; /* off of the type byte; len of the whole record, header included */
};

static size_t
spans(const struct buf *b, struct span *out, size_t max)
{
	size_t off = BUNDLE_HDR_LEN, n = 0;

	while (off < b->len && n < max) {
		const uint8_t *p = b->data + off;
		size_t len = (size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 | p[4];

		out[n].type = p[0];
		out[n].off = off;
		out[n].len = BUNDLE_REC_HDR + len;
		off += out[n++].len;
	}
	assert_int_equal(off, b->len);
	return n;
}

/* ------------------------------------------------------------------ */
/* The valid bundle. */

static void
test_good_bundle(void **state)
{
	struct bundle b;
	struct bundle_report rep;
	size_t i, u1, u2, u3, r1, r2;
	struct body body;

	(void)state;
	assert_int_equal(bundle_read(&b, fx.good.data, fx.good.len), PL_OK);
	assert_int_equal(b.n_parties, 3);
	assert_int_equal(b.n_envs, 5);
	assert_int_equal(b.n_rcpts, 5);
	assert_int_equal(b.n_discs, 1);
	assert_int_equal(b.n_cps, 3);
	assert_int_equal(b.n_cons, 1);
	assert_int_equal(b.n_incls, 16);
	assert_int_equal(b.n_records, 3 + 5 + 5 + 1 + 3 + 1 + 16 + 1);
	if (bundle_verify(&b, &fx.pol, &rep) != PL_OK) {
		dump_failures(&rep);
		fail_msg("%s", pl_err_msg());
	}
	assert_int_equal(rep.n_failures, 0);
	assert_int_equal(rep.n_unpinned, 0);
	assert_true(rep.has_policy);
	/* 3 parties, 5 envelopes, 5 receipts, 3 checkpoints x (log + witness) */
	assert_int_equal(rep.n_sigs, 3 + 5 + 5 + 3 * 2);
	for (i = 0; i < b.n_parties; i++) {
		assert_true(rep.parties[i].ok);
		assert_int_equal(rep.parties[i].pin, BUNDLE_PINNED);
	}
	u1 = bundle_env_find(&b, fx.id[U1]);
	u2 = bundle_env_find(&b, fx.id[U2]);
	u3 = bundle_env_find(&b, fx.id[U3]);
	r1 = bundle_env_find(&b, fx.id[R1]);
	r2 = bundle_env_find(&b, fx.id[R2]);
	assert_true(u1 != BUNDLE_NONE && u2 != BUNDLE_NONE && u3 != BUNDLE_NONE &&
	            r1 != BUNDLE_NONE && r2 != BUNDLE_NONE);
	/* Canonical order: by channel, then sender ("ru-nrrc" < "us-nrrc"), then seq. */
	assert_int_equal(r1, 0);
	assert_int_equal(r2, 1);
	assert_int_equal(u1, 2);
	assert_int_equal(u2, 3);
	assert_int_equal(u3, 4);
	assert_string_equal(b.envs[u1].sender, "us-nrrc");
	assert_true(b.envs[u1].seq == 1 && b.envs[u3].seq == 3);
	assert_int_equal(b.envs[u1].prec, ENV_PREC_FLASH);
	assert_true(b.envs[u1].time_ms == T0);
	for (i = 0; i < b.n_envs; i++) {
		const struct bundle_env_report *er = &rep.envs[i];
		const struct bundle_rcpt *rc = &b.rcpts[er->first_rcpt];

		assert_true(er->ok);
		assert_int_equal(er->n_rcpts, 1);
		assert_memory_equal(rc->r.env_id, b.envs[i].id, HASH_LEN);
		assert_string_equal(rc->r.receiver, strcmp(b.envs[i].sender, "us-nrrc") == 0
		                                            ? "ru-nrrc"
		                                            : "us-nrrc");
		assert_true(rep.rcpts[er->first_rcpt].ok);
		assert_int_equal(rep.rcpts[er->first_rcpt].env, i);
		/* Sent, received and receipted: each proven in the right transcript. */
		assert_true(er->sent_proof != BUNDLE_NONE);
		assert_string_equal(b.incls[er->sent_proof].party, b.envs[i].sender);
		assert_int_equal(b.incls[er->sent_proof].e.type, ENTRY_SENT);
		assert_true(rep.incls[er->sent_proof].ok);
		assert_true(rep.rcpts[er->first_rcpt].received_proof != BUNDLE_NONE);
		assert_string_equal(b.incls[rep.rcpts[er->first_rcpt].received_proof].party,
		                    rc->r.receiver);
		assert_true(rep.rcpts[er->first_rcpt].receipt_proof != BUNDLE_NONE);
		assert_string_equal(b.incls[rep.rcpts[er->first_rcpt].receipt_proof].party,
		                    b.envs[i].sender);
	}
	/* U1's sent entry is proven twice; the report names the first proof, under size 4. */
	assert_true(b.cps[rep.incls[rep.envs[u1].sent_proof].cp].size == 4);
	/* Acknowledgements: R1 acknowledges U1, U3 acknowledges R2. */
	assert_int_equal(rep.n_acks, 2);
	assert_int_equal(rep.envs[u1].n_acks, 1);
	assert_int_equal(rep.acks[rep.envs[u1].first_ack].ack, r1);
	assert_int_equal(rep.envs[r2].n_acks, 1);
	assert_int_equal(rep.acks[rep.envs[r2].first_ack].ack, u3);
	assert_int_equal(rep.envs[u2].n_acks, 0);
	/* Checkpoints: each cosigned by the policy's witness. */
	for (i = 0; i < b.n_cps; i++) {
		assert_true(rep.cps[i].ok);
		assert_int_equal(rep.cps[i].n_cosigned, 1);
		assert_int_equal(rep.cps[i].n_cosigners, 1);
		assert_string_equal(rep.cosigners[rep.cps[i].first_cosigner].name,
		                    "parley.witness/osce-witness");
		assert_true(rep.cosigners[rep.cps[i].first_cosigner].trusted);
		assert_true(rep.cosigners[rep.cps[i].first_cosigner].timestamp ==
		            (T0 + 3600000) / 1000);
	}
	assert_true(rep.cons_ok[0]);
	/* The disclosure: U1's body, with its texts. */
	assert_int_equal(rep.envs[u1].disclosure, 0);
	assert_int_equal(rep.envs[u2].disclosure, BUNDLE_NONE);
	assert_true(rep.discs[0].ok);
	assert_int_equal(rep.discs[0].plain.len, strlen(body_u1));
	assert_memory_equal(rep.discs[0].plain.data, body_u1, strlen(body_u1));
	assert_int_equal(body_read(&body, rep.discs[0].plain.data, rep.discs[0].plain.len), PL_OK);
	assert_string_equal(body.format, "rfa");
	assert_int_equal(body.n_texts, 2);
	assert_string_equal(body.authoritative, "en");
	body_free(&body);
	bundle_report_reset(&rep);
	bundle_reset(&b);
}

static void
test_no_policy(void **state)
{
	struct bundle_report rep;
	size_t i;

	(void)state;
	/* Internally consistent, but nothing is pinned: every party is reported as such. */
	assert_int_equal(check(fx.good.data, fx.good.len, NULL, &rep), PL_OK);
	assert_false(rep.has_policy);
	assert_int_equal(rep.n_unpinned, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(rep.parties[i].pin, BUNDLE_UNPINNED);
	/* The witness's cosignatures are still checked, with its key from the bundle. */
	for (i = 0; i < 3; i++) {
		assert_int_equal(rep.cps[i].n_cosigned, 0);
		assert_int_equal(rep.cps[i].n_cosigners, 1);
		assert_false(rep.cosigners[rep.cps[i].first_cosigner].trusted);
	}
	bundle_report_reset(&rep);
}

static void
test_pins(void **state)
{
	static struct bundle_policy pol;
	struct bundle_report rep;
	char fp[PARTY_FP_STR_LEN + 1];

	(void)state;
	/* ru-nrrc not pinned: still verifies, reported as trusted from the bundle only. */
	make_policy(&pol, (1u << US) | (1u << WIT));
	assert_int_equal(check(fx.good.data, fx.good.len, &pol, &rep), PL_OK);
	assert_int_equal(rep.n_unpinned, 1);
	/* Party records sort by id length, then id: ru-nrrc, us-nrrc, osce-witness. */
	assert_int_equal(rep.parties[0].pin, BUNDLE_UNPINNED);
	assert_int_equal(rep.parties[1].pin, BUNDLE_PINNED);
	assert_int_equal(rep.parties[2].pin, BUNDLE_PINNED);
	bundle_report_reset(&rep);

	/* us-nrrc pinned with ru-nrrc's fingerprint: a failure naming the party record. */
	make_policy(&pol, (1u << RU) | (1u << WIT));
	identity_fingerprint(fp, "us-nrrc", keys_sign_pk(fx.k[RU]));
	policy_add(&pol, "party us-nrrc %s", fp);
	assert_int_equal(check(fx.good.data, fx.good.len, &pol, &rep), PL_E_CRYPTO);
	assert_true(has_failure(&rep, 1, "party 'us-nrrc': fingerprint"));
	assert_int_equal(rep.parties[1].pin, BUNDLE_MISMATCH);
	/* Its envelopes, receipts and checkpoints lose their anchor too. */
	assert_true(has_failure(&rep, BUNDLE_NONE,
	                        "sender 'us-nrrc' is not the key the policy pins (fingerprint "
	                        "differs)"));
	bundle_report_reset(&rep);

	/* Typed fingerprints ignore case, spaces, dashes and colons. */
	identity_fingerprint(fp, "us-nrrc", keys_sign_pk(fx.k[US]));
	bundle_policy_init(&pol);
	{
		char typed[80];
		size_t i, o = 0;

		for (i = 0; fp[i] != '\0'; i++)
			if (fp[i] != '-') {
				typed[o++] = (char)(fp[i] >= 'a' ? fp[i] - 32 : fp[i]);
				if (o % 3 == 2)
					typed[o++] = ':';
			}
		typed[o] = '\0';
		policy_add(&pol, "party us-nrrc %s", typed);
	}
	assert_int_equal(bundle_policy_finish(&pol), PL_OK);
	assert_int_equal(check(fx.good.data, fx.good.len, &pol, &rep), PL_OK);
	assert_int_equal(rep.parties[1].pin, BUNDLE_PINNED);
	assert_int_equal(rep.n_unpinned, 2);
	bundle_report_reset(&rep);
}

/* ------------------------------------------------------------------ */
/* Every byte matters. */

/* Flip byte off of the good bundle: reading or verifying must fail, naming record rec. */
static void
flip_one(struct buf *b, size_t off, size_t rec, size_t *n_read, size_t *n_verify)
{
	struct bundle_report rep;
	struct bundle bd;
	enum pl_err err;
	char want[32];

	b->data[off] ^= 0x01;
	(void)snprintf(want, sizeof(want), "record %zu ", rec);
	if ((err = bundle_read(&bd, b->data, b->len)) != PL_OK) {
		(*n_read)++;
		if (strstr(pl_err_msg(), want) == NULL)
			fail_msg("flip at %zu (record %zu): read error does not name it: %s", off,
			         rec, pl_err_msg());
	} else {
		(*n_verify)++;
		if (bundle_verify(&bd, &fx.pol, &rep) != PL_E_CRYPTO ||
		    !has_failure(&rep, rec, NULL)) {
			dump_failures(&rep);
			fail_msg("flip at %zu (record %zu): not detected in that record", off, rec);
		}
		bundle_report_reset(&rep);
	}
	bundle_reset(&bd);
	b->data[off] ^= 0x01;
}

static void
test_flip_every_byte(void **state)
{
	struct span sp[64];
	struct buf b;
	size_t n, i, off, n_read = 0, n_verify = 0;

	(void)state;
	buf_init_secret(&b, BUNDLE_MAX);
	assert_int_equal(buf_add(&b, fx.good.data, fx.good.len), PL_OK);
	n = spans(&b, sp, 64);
	assert_int_equal(n, 35);
	for (i = 0; i < n; i++)
		for (off = sp[i].off; off < sp[i].off + sp[i].len; off++)
			flip_one(&b, off, i, &n_read, &n_verify);
	/* Both paths were exercised: some flips break the syntax, some only a signature or proof. */
	assert_true(n_read > 100);
	assert_true(n_verify > 1000);
	/* The header. */
	for (off = 0; off < BUNDLE_HDR_LEN; off++) {
		struct bundle bd;

		b.data[off] ^= 0x01;
		assert_int_equal(bundle_read(&bd, b.data, b.len), PL_E_PROTO);
		assert_non_null(strstr(pl_err_msg(), off < 16 ? "label" : "version"));
		bundle_reset(&bd);
		b.data[off] ^= 0x01;
	}
	buf_reset(&b);
}

/* ------------------------------------------------------------------ */
/* Targeted failures. */

static void
test_wrong_body_key(void **state)
{
	struct bundle_writer w;
	uint8_t key[AEAD_KEY_LEN];

	(void)state;
	memcpy(key, fx.body_key, sizeof(key));
	key[0] ^= 0x80;
	bundle_writer_init(&w);
	fill_writer(&w, &(struct skip){ -1, -1, 1, 0 });
	assert_int_equal(bundle_writer_add_disclosure(&w, fx.id[U1], key), PL_OK);
	expect_failure(&w, &fx.pol, "(disclosure) at offset");
	expect_failure(&w, &fx.pol, "the body key does not decrypt the body of envelope");
	bundle_writer_reset(&w);
	cr_wipe(key, sizeof(key));
}

static void
test_receipt_not_in_bundle(void **state)
{
	struct bundle_writer w;
	uint8_t other[HASH_LEN];
	struct buf r;

	(void)state;
	memset(other, 0xab, sizeof(other));
	buf_init(&r, RCPT_ENCODED_MAX);
	assert_int_equal(receipt_sign(&r, other, "ru-nrrc", T0, fx.k[RU]), PL_OK);
	bundle_writer_init(&w);
	fill_writer(&w, &no_skip);
	assert_int_equal(bundle_writer_add_receipt(&w, r.data, r.len), PL_OK);
	expect_failure(&w, &fx.pol, "(receipt) at offset");
	expect_failure(&w, &fx.pol, "receipt by 'ru-nrrc' for envelope abababab");
	bundle_writer_reset(&w);

	/* A receipt by a party that is not among the envelope's recipients. */
	r.len = 0;
	assert_int_equal(receipt_sign(&r, fx.id[U1], "osce-witness", T0, fx.k[WIT]), PL_OK);
	bundle_writer_init(&w);
	fill_writer(&w, &no_skip);
	assert_int_equal(bundle_writer_add_receipt(&w, r.data, r.len), PL_OK);
	expect_failure(&w, &fx.pol,
	               "receipt by 'osce-witness', who is not a recipient of envelope");
	bundle_writer_reset(&w);

	/* A second, different receipt by the same receiver. */
	r.len = 0;
	assert_int_equal(receipt_sign(&r, fx.id[U1], "ru-nrrc", T0 + 99, fx.k[RU]), PL_OK);
	bundle_writer_init(&w);
	fill_writer(&w, &no_skip);
	assert_int_equal(bundle_writer_add_receipt(&w, r.data, r.len), PL_OK);
	expect_failure(&w, &fx.pol, "a second receipt by 'ru-nrrc' for envelope");
	bundle_writer_reset(&w);

	/* A receipt signed by another key than the receiver's. */
	r.len = 0;
	assert_int_equal(receipt_sign(&r, fx.id[U1], "ru-nrrc", T0 + 98, fx.forger), PL_OK);
	bundle_writer_init(&w);
	fill_writer(&w, &(struct skip){ -1, U1, 0, 1 });
	assert_int_equal(bundle_writer_add_receipt(&w, r.data, r.len), PL_OK);
	expect_failure(&w, &fx.pol, "the signature by 'ru-nrrc' does not verify");
	bundle_writer_reset(&w);
	buf_reset(&r);
}

static void
test_missing_seq(void **state)
{
	struct bundle_writer w;
	char want[128];
	char hex[9];

	(void)state;
	bundle_writer_init(&w);
	fill_writer(&w, &(struct skip){ U2, -1, 0, 0 });
	expect_failure(&w, &fx.pol,
	               "gap in the chain of 'us-nrrc' on channel 'cyber': seq 3 follows seq 1 "
	               "(seq 2 missing)");
	/* What was about U2 cannot be matched either, and says so. */
	cr_hex(hex, fx.id[U2], 4);
	(void)snprintf(want, sizeof(want), "receipt by 'ru-nrrc' for envelope %s, which is not",
	               hex);
	expect_failure(&w, &fx.pol, want);
	bundle_writer_reset(&w);

	/* Without its first envelope a chain may start later: that alone is no failure. */
	bundle_writer_init(&w);
	{
		struct buf out;
		struct bundle_report rep;
		size_t i;

		for (i = 0; i < N_PARTIES; i++)
			assert_int_equal(
			        bundle_writer_add_party(&w, fx.party[i].data, fx.party[i].len),
			        PL_OK);
		assert_int_equal(bundle_writer_add_envelope(&w, fx.env[U2].data, fx.env[U2].len),
		                 PL_OK);
		assert_int_equal(bundle_writer_add_envelope(&w, fx.env[U3].data, fx.env[U3].len),
		                 PL_OK);
		buf_init(&out, BUNDLE_MAX);
		assert_int_equal(bundle_writer_finish(&w, &out), PL_OK);
		if (check(out.data, out.len, &fx.pol, &rep) != PL_OK) {
			dump_failures(&rep);
			fail_msg("%s", pl_err_msg());
		}
		assert_int_equal(rep.envs[0].sent_proof, BUNDLE_NONE); /* nothing proven */
		bundle_report_reset(&rep);
		buf_reset(&out);
	}
	bundle_writer_reset(&w);
}

static void
test_forged_signature(void **state)
{
	struct bundle_writer w;
	uint8_t id[HASH_LEN];
	struct buf env;

	(void)state;
	/* U2 sealed again, identical in every field, but signed by another key. */
	seal(&fx, &env, id, U2, fx.forger);
	bundle_writer_init(&w);
	fill_writer(&w, &(struct skip){ U2, -1, 0, 1 });
	assert_int_equal(bundle_writer_add_envelope(&w, env.data, env.len), PL_OK);
	expect_failure(&w, &fx.pol, "seq 2): the signature by 'us-nrrc' does not verify");
	bundle_writer_reset(&w);
	/* A party record whose self-signature does not verify. */
	{
		struct buf p;

		make_party(&p, "ru-nrrc", fx.forger);
		p.data[p.len - 1] ^= 1;
		bundle_writer_init(&w);
		assert_int_equal(bundle_writer_add_party(&w, p.data, p.len), PL_OK);
		expect_failure(&w, NULL, "party 'ru-nrrc': party record: bad self-signature");
		bundle_writer_reset(&w);
		buf_reset(&p);
	}
	buf_reset(&env);
}

static void
test_quorum(void **state)
{
	struct bundle_writer w;
	struct buf cp;
	static struct bundle_policy pol;
	struct bundle_report rep;
	struct buf out;

	(void)state;
	/* ru-nrrc's checkpoint without the witness's cosignature. */
	make_cp(&cp, (const uint8_t(*)[HASH_LEN])fx.leaf[LOG_RU], 7, RU, 0);
	bundle_writer_init(&w);
	fill_writer(&w, &(struct skip){ -1, -1, 0, 1 });
	assert_int_equal(bundle_writer_add_checkpoint(&w, (const char *)cp.data, cp.len), PL_OK);
	expect_failure(&w, &fx.pol,
	               "checkpoint of parley.transcript/ru-nrrc at size 7: checkpoint: cosigned "
	               "by 0 of 1 witnesses, the policy needs 1");
	/* Quorum 0: the log's signature alone is enough. */
	make_policy(&pol, 7);
	pol.tlog.quorum = 0;
	buf_init(&out, BUNDLE_MAX);
	assert_int_equal(bundle_writer_finish(&w, &out), PL_OK);
	assert_int_equal(check(out.data, out.len, &pol, &rep), PL_OK);
	assert_int_equal(rep.cps[0].n_cosigned, 0);
	bundle_report_reset(&rep);
	buf_reset(&out);
	bundle_writer_reset(&w);
	buf_reset(&cp);

	/*
	 * A second checkpoint of us-nrrc at size 8, same root, without the
	 * cosignature: it fails, but what is proven under size 8 is reported
	 * under the checkpoint that verified.
	 */
	make_cp(&cp, (const uint8_t(*)[HASH_LEN])fx.leaf[LOG_US], 8, US, 0);
	bundle_writer_init(&w);
	fill_writer(&w, &no_skip);
	assert_int_equal(bundle_writer_add_checkpoint(&w, (const char *)cp.data, cp.len), PL_OK);
	buf_init(&out, BUNDLE_MAX);
	assert_int_equal(bundle_writer_finish(&w, &out), PL_OK);
	assert_int_equal(check(out.data, out.len, &fx.pol, &rep), PL_E_CRYPTO);
	assert_int_equal(rep.n_failures, 1);
	assert_true(has_failure(&rep, BUNDLE_NONE, "us-nrrc at size 8: checkpoint: cosigned by 0"));
	{
		size_t u3 = 4; /* canonical order: R1 R2 U1 U2 U3 */
		size_t in = rep.envs[u3].sent_proof;

		assert_true(in != BUNDLE_NONE);
		assert_true(rep.cps[rep.incls[in].cp].ok);
	}
	bundle_report_reset(&rep);
	buf_reset(&out);
	bundle_writer_reset(&w);
	buf_reset(&cp);

	/* Signed by the wrong key: us-nrrc's key over ru-nrrc's log. */
	{
		struct checkpoint c;

		memset(&c, 0, sizeof(c));
		(void)snprintf(c.origin, sizeof(c.origin), ENTRY_LOG_PREFIX "ru-nrrc");
		c.size = 7;
		assert_int_equal(merkle_root_from_leaves(
		                         c.root, (const uint8_t(*)[HASH_LEN])fx.leaf[LOG_RU], 7),
		                 PL_OK);
		buf_init(&cp, NOTE_MAX);
		assert_int_equal(checkpoint_sign(&cp, &c, fx.k[US]), PL_OK);
		bundle_writer_init(&w);
		fill_writer(&w, &(struct skip){ -1, -1, 0, 1 });
		assert_int_equal(bundle_writer_add_checkpoint(&w, (const char *)cp.data, cp.len),
		                 PL_OK);
		expect_failure(&w, &fx.pol, "checkpoint of parley.transcript/ru-nrrc at size 7:");
		bundle_writer_reset(&w);
		buf_reset(&cp);
	}
}

/* A forked us-nrrc log: the same first 4 entries, then others. */
static void
forked_leaves(uint8_t out[ENT_MAX][HASH_LEN])
{
	size_t i;

	memcpy(out, fx.leaf[LOG_US], sizeof(fx.leaf[LOG_US]));
	for (i = 4; i < 8; i++)
		out[i][0] ^= 0x55; /* leaf hashes of other entries */
}

static void
test_fork(void **state)
{
	uint8_t forked[ENT_MAX][HASH_LEN];
	struct bundle_writer w;
	struct buf cp;

	(void)state;
	forked_leaves(forked);
	/* Two checkpoints at size 8 with different roots: a proven fork. */
	make_cp(&cp, (const uint8_t(*)[HASH_LEN])forked, 8, US, 1);
	bundle_writer_init(&w);
	fill_writer(&w, &no_skip);
	assert_int_equal(bundle_writer_add_checkpoint(&w, (const char *)cp.data, cp.len), PL_OK);
	expect_failure(&w, &fx.pol,
	               "fork: parley.transcript/us-nrrc has two checkpoints at size 8 with "
	               "different roots");
	bundle_writer_reset(&w);
	buf_reset(&cp);

	/* A size-6 checkpoint of the fork beside the size-8 one of the real log: no proof links them. */
	make_cp(&cp, (const uint8_t(*)[HASH_LEN])forked, 6, US, 1);
	bundle_writer_init(&w);
	fill_writer(&w, &no_skip);
	assert_int_equal(bundle_writer_add_checkpoint(&w, (const char *)cp.data, cp.len), PL_OK);
	expect_failure(&w, &fx.pol, "no valid consistency proof from size 4");
	/* A consistency proof from the fork's tree does not link the real checkpoints. */
	add_cons(&w, LOG_US, (const uint8_t(*)[HASH_LEN])forked, 8, 6, 8);
	expect_failure(&w, &fx.pol,
	               "parley.transcript/us-nrrc at size 6 (record 16) is not a prefix of its "
	               "checkpoint at size 8");
	bundle_writer_reset(&w);
	buf_reset(&cp);

	/* Two checkpoints with no consistency proof between them. */
	bundle_writer_init(&w);
	fill_writer(&w, &(struct skip){ -1, -1, 0, 1 });
	assert_int_equal(
	        bundle_writer_add_checkpoint(&w, (const char *)fx.cp_us4.data, fx.cp_us4.len),
	        PL_OK);
	assert_int_equal(
	        bundle_writer_add_checkpoint(&w, (const char *)fx.cp_us8.data, fx.cp_us8.len),
	        PL_OK);
	expect_failure(&w, &fx.pol,
	               "parley.transcript/us-nrrc: no valid consistency proof from size 4 (record "
	               "14) to 8 (record 15): a fork cannot be ruled out");
	bundle_writer_reset(&w);
}

static void
test_inclusion_wrong_index(void **state)
{
	uint8_t proof[MERKLE_PROOF_MAX][HASH_LEN];
	struct merkle_source src;
	struct merkle_mem mem = { (const uint8_t(*)[HASH_LEN])fx.leaf[LOG_US], 8 };
	struct bundle_writer w;
	size_t n;

	(void)state;
	merkle_mem_source(&src, &mem);
	assert_int_equal(merkle_inclusion_proof(proof, &n, &src, 3, 8), PL_OK);
	bundle_writer_init(&w);
	fill_writer(&w, &no_skip);
	/* Entry 3's proof, claimed for index 2. */
	assert_int_equal(bundle_writer_add_inclusion(&w, "us-nrrc", 8, 2, fx.ent[LOG_US][3].data,
	                                             fx.ent[LOG_US][3].len,
	                                             (const uint8_t(*)[HASH_LEN])proof, n),
	                 PL_OK);
	expect_failure(&w, &fx.pol, "entry 2 is not in parley.transcript/us-nrrc at size 8");
	bundle_writer_reset(&w);

	/* Under a size the bundle has no checkpoint for. */
	bundle_writer_init(&w);
	fill_writer(&w, &no_skip);
	assert_int_equal(bundle_writer_add_inclusion(&w, "us-nrrc", 9, 3, fx.ent[LOG_US][3].data,
	                                             fx.ent[LOG_US][3].len,
	                                             (const uint8_t(*)[HASH_LEN])proof, n),
	                 PL_OK);
	expect_failure(
	        &w, &fx.pol,
	        "entry 3: the bundle has no checkpoint of parley.transcript/us-nrrc at size 9");
	bundle_writer_reset(&w);
}

/* A log of one entry e, its checkpoint by party, and the inclusion proof of it. */
static void
single_entry_log(struct bundle_writer *w, const struct entry *e, int party)
{
	uint8_t leaf[1][HASH_LEN];
	struct buf eb, cp;

	buf_init(&eb, ENTRY_ENCODED_MAX);
	assert_int_equal(entry_write(&eb, e), PL_OK);
	merkle_leaf_hash(leaf[0], eb.data, eb.len);
	make_cp(&cp, (const uint8_t(*)[HASH_LEN])leaf, 1, party, 1);
	assert_int_equal(bundle_writer_add_checkpoint(w, (const char *)cp.data, cp.len), PL_OK);
	assert_int_equal(
	        bundle_writer_add_inclusion(w, party_ids[party], 1, 0, eb.data, eb.len, NULL, 0),
	        PL_OK);
	buf_reset(&eb);
	buf_reset(&cp);
}

static void
test_entry_mismatch(void **state)
{
	struct bundle_writer w;
	struct entry e;
	struct env env;

	(void)state;
	/* A "sent" entry with U2's id but seq 5. */
	assert_int_equal(env_read(&env, fx.env[U2].data, fx.env[U2].len), PL_OK);
	memset(&e, 0, sizeof(e));
	e.type = ENTRY_SENT;
	memcpy(e.env_id, fx.id[U2], HASH_LEN);
	(void)snprintf(e.channel, sizeof(e.channel), "cyber");
	(void)snprintf(e.sender, sizeof(e.sender), "us-nrrc");
	e.seq = 5;
	memcpy(e.prev, env.prev, HASH_LEN);
	bundle_writer_init(&w);
	fill_writer(&w, &(struct skip){ -1, -1, 0, 1 });
	single_entry_log(&w, &e, US);
	expect_failure(&w, &fx.pol,
	               "sent entry 0 of us-nrrc's log: its seq is not that of envelope");
	bundle_writer_reset(&w);

	/* The right content, but in the receiver's log. */
	e.seq = 2;
	bundle_writer_init(&w);
	fill_writer(&w, &(struct skip){ -1, -1, 0, 1 });
	single_entry_log(&w, &e, RU);
	expect_failure(&w, &fx.pol, "is in the log of 'ru-nrrc', not of its sender");
	bundle_writer_reset(&w);

	/* A "received" entry whose receipt is not the one in the bundle. */
	{
		struct buf r;

		buf_init(&r, RCPT_ENCODED_MAX);
		assert_int_equal(receipt_sign(&r, fx.id[U2], "ru-nrrc", T0 + 1, fx.k[RU]), PL_OK);
		e.type = ENTRY_RECEIVED;
		e.receipt = r.data;
		e.receipt_len = r.len;
		bundle_writer_init(&w);
		fill_writer(&w, &(struct skip){ -1, -1, 0, 1 });
		single_entry_log(&w, &e, RU);
		expect_failure(&w, &fx.pol,
		               "received entry 0 of ru-nrrc's log holds a receipt that is not in "
		               "the bundle");
		bundle_writer_reset(&w);
		buf_reset(&r);
	}
}

static void
test_ack_by_non_recipient(void **state)
{
	struct envelope_to to[1] = { { "osce-witness", NULL } };
	struct envelope_draft d = {
		.channel = "cyber",
		.sender = "osce-witness",
		.seq = 1,
		.kind = ENV_KIND_ACK,
		.prec = ENV_PREC_ROUTINE,
		.time_ms = T0,
		.n_refs = 1,
		.refs = (const uint8_t(*)[HASH_LEN])fx.id[U1],
		.n_to = 1,
		.to = to,
		.plain = (const uint8_t *)body_plain,
		.plain_len = strlen(body_plain),
	};
	struct bundle_writer w;
	uint8_t id[HASH_LEN];
	struct buf env;

	(void)state;
	to[0].box_pk = keys_box_pk(fx.k[WIT]);
	buf_init(&env, ENV_ENCODED_MAX);
	assert_int_equal(envelope_seal(&env, id, &d, fx.k[WIT]), PL_OK);
	bundle_writer_init(&w);
	fill_writer(&w, &(struct skip){ -1, -1, 0, 1 });
	assert_int_equal(bundle_writer_add_envelope(&w, env.data, env.len), PL_OK);
	expect_failure(&w, &fx.pol, "of which 'osce-witness' is not a recipient");
	bundle_writer_reset(&w);
	buf_reset(&env);
}

/* ------------------------------------------------------------------ */
/* Framing: truncation, trailing bytes, lengths, order. */

static void
expect_read(const struct buf *b, enum pl_err want_err, const char *want)
{
	struct bundle bd;
	enum pl_err err = bundle_read(&bd, b->data, b->len);

	bundle_reset(&bd);
	if (err != want_err || strstr(pl_err_msg(), want) == NULL)
		fail_msg("want %s '%s', got %s '%s'", pl_err_name(want_err), want, pl_err_name(err),
		         pl_err_msg());
}

static void
test_truncated(void **state)
{
	struct bundle bd;
	struct span sp[64];
	size_t n, i, cut;
	struct buf b;

	(void)state;
	buf_init_secret(&b, BUNDLE_MAX);
	assert_int_equal(buf_add(&b, fx.good.data, fx.good.len), PL_OK);
	n = spans(&b, sp, 64);
	for (cut = 0; cut < fx.good.len; cut++) {
		pl_err_clear();
		assert_int_not_equal(bundle_read(&bd, fx.good.data, cut), PL_OK);
		assert_true(pl_err_msg()[0] != '\0');
		bundle_reset(&bd);
	}
	/* At a record boundary the missing END record gives it away. */
	for (i = 0; i < n; i++) {
		b.len = sp[i].off;
		expect_read(&b, PL_E_TRUNC, "without an END record (truncated?)");
	}
	/* Mid-record: the record says how long it should be. */
	b.len = sp[4].off + 10;
	expect_read(&b, PL_E_TRUNC, "record 4 (envelope) at offset");
	b.len = sp[4].off + 2;
	expect_read(&b, PL_E_TRUNC, "record 4 at offset");
	buf_reset(&b);
}

static void
test_trailing_and_lengths(void **state)
{
	struct span sp[64];
	uint8_t save[4];
	size_t n, i, max;
	struct buf b;
	char want[80];

	(void)state;
	buf_init_secret(&b, BUNDLE_MAX);
	assert_int_equal(buf_add(&b, fx.good.data, fx.good.len), PL_OK);
	n = spans(&b, sp, 64);
	assert_int_equal(buf_add_u8(&b, 0), PL_OK);
	expect_read(&b, PL_E_PROTO, "1 trailing bytes after the END record");
	b.len--;
	/* Each record's length at its type's limit + 1, and at 2^32 - 1. */
	for (i = 0; i < n; i++) {
		uint8_t t = b.data[sp[i].off];

		memcpy(save, b.data + sp[i].off + 1, 4);
		max = t == BUNDLE_PARTY         ? PARTY_ENCODED_MAX
		      : t == BUNDLE_ENVELOPE    ? ENV_ENCODED_MAX
		      : t == BUNDLE_RECEIPT     ? RCPT_ENCODED_MAX
		      : t == BUNDLE_DISCLOSURE  ? BUNDLE_DISCLOSURE_LEN
		      : t == BUNDLE_CHECKPOINT  ? BUNDLE_RECORD_MAX
		      : t == BUNDLE_INCLUSION   ? BUNDLE_INCL_MAX
		      : t == BUNDLE_CONSISTENCY ? BUNDLE_CONS_MAX
		                                : 4;
		(void)snprintf(want, sizeof(want),
		               "record %zu (%s) at offset %zu: length %zu not in", i,
		               bundle_type_name(t), sp[i].off, max + 1);
		buf_put_u32be(b.data + sp[i].off + 1, (uint32_t)(max + 1));
		expect_read(&b, PL_E_TOOBIG, want);
		buf_put_u32be(b.data + sp[i].off + 1, 0xffffffffu);
		expect_read(&b, PL_E_TOOBIG, "length 4294967295 not in");
		buf_put_u32be(b.data + sp[i].off + 1, 0);
		expect_read(&b, PL_E_PROTO, "length 0 not in");
		memcpy(b.data + sp[i].off + 1, save, 4);
	}
	/* A length within the limit but beyond the end. */
	buf_put_u32be(b.data + sp[n - 2].off + 1, (uint32_t)(sp[n - 2].len + 100));
	expect_read(&b, PL_E_TRUNC, "bytes left (truncated?)");
	memcpy(b.data, fx.good.data, fx.good.len);
	/* The END record's count. */
	b.data[b.len - 1]++;
	expect_read(&b, PL_E_PROTO, "says 35 records but 34 came before it");
	b.data[b.len - 1]--;
	/* An unknown type. */
	b.data[sp[3].off] = 9;
	expect_read(&b, PL_E_PROTO, "record 3 at offset");
	expect_read(&b, PL_E_PROTO, "unknown type 9");
	b.data[sp[3].off] = BUNDLE_ENVELOPE;
	buf_reset(&b);
}

static void
test_order(void **state)
{
	struct span sp[64];
	struct buf b;
	size_t n;

	(void)state;
	buf_init_secret(&b, BUNDLE_MAX);
	n = spans(&fx.good, sp, 64);
	assert_true(n > 5);
	/* Records 3 and 4 (two envelopes) swapped. */
	assert_int_equal(buf_add(&b, fx.good.data, sp[3].off), PL_OK);
	assert_int_equal(buf_add(&b, fx.good.data + sp[4].off, sp[4].len), PL_OK);
	assert_int_equal(buf_add(&b, fx.good.data + sp[3].off, sp[3].len), PL_OK);
	assert_int_equal(buf_add(&b, fx.good.data + sp[5].off, fx.good.len - sp[5].off), PL_OK);
	expect_read(&b, PL_E_PROTO, "record 4 (envelope) at offset");
	expect_read(&b, PL_E_PROTO, "not after record 3 (envelope)");
	/* Record 3 twice (and the END count fixed): the same bytes twice. */
	b.len = 0;
	assert_int_equal(buf_add(&b, fx.good.data, sp[4].off), PL_OK);
	assert_int_equal(buf_add(&b, fx.good.data + sp[3].off, fx.good.len - sp[3].off), PL_OK);
	buf_put_u32be(b.data + b.len - 4, (uint32_t)n);
	expect_read(&b, PL_E_PROTO, "the same bytes as record 3");
	buf_reset(&b);
}

static void
test_writer(void **state)
{
	struct bundle_writer w;
	struct buf out, bad;
	uint8_t hashes[2][HASH_LEN] = { { 0 } };

	(void)state;
	buf_init(&out, BUNDLE_MAX);
	/* The writer orders records: any order of adds gives the same bytes. */
	bundle_writer_init(&w);
	assert_int_equal(bundle_writer_add_disclosure(&w, fx.id[U1], fx.body_key), PL_OK);
	fill_writer(&w, &(struct skip){ -1, -1, 1, 0 });
	assert_int_equal(bundle_writer_finish(&w, &out), PL_OK);
	assert_int_equal(out.len, fx.good.len);
	assert_memory_equal(out.data, fx.good.data, out.len);
	/* A record added twice is refused, and out is unchanged. */
	assert_int_equal(bundle_writer_add_envelope(&w, fx.env[U1].data, fx.env[U1].len), PL_OK);
	assert_int_equal(bundle_writer_finish(&w, &out), PL_E_ARG);
	assert_non_null(strstr(pl_err_msg(), "envelope record was added twice"));
	assert_int_equal(out.len, fx.good.len);
	bundle_writer_reset(&w);

	/* Two records of one party are refused at finish (the reader would refuse them). */
	bundle_writer_init(&w);
	make_party(&bad, "us-nrrc", fx.forger);
	assert_int_equal(bundle_writer_add_party(&w, fx.party[US].data, fx.party[US].len), PL_OK);
	assert_int_equal(bundle_writer_add_party(&w, bad.data, bad.len), PL_OK);
	out.len = 0;
	assert_int_equal(bundle_writer_finish(&w, &out), PL_E_ARG);
	assert_non_null(strstr(pl_err_msg(), "a second record of party 'us-nrrc'"));
	assert_int_equal(out.len, 0);
	bundle_writer_reset(&w);
	buf_reset(&bad);

	/* Malformed or oversize input is refused when added. */
	bundle_writer_init(&w);
	assert_int_equal(bundle_writer_add_envelope(&w, fx.env[U1].data, fx.env[U1].len - 1),
	                 PL_E_ARG);
	assert_non_null(strstr(pl_err_msg(), "the envelope would not read back"));
	assert_int_equal(bundle_writer_add_envelope(&w, fx.env[U1].data, ENV_ENCODED_MAX + 1),
	                 PL_E_TOOBIG);
	assert_int_equal(bundle_writer_add_receipt(&w, fx.env[U1].data, 40), PL_E_ARG);
	assert_int_equal(bundle_writer_add_party(&w, fx.rcpt[U1].data, fx.rcpt[U1].len), PL_E_ARG);
	assert_int_equal(bundle_writer_add_checkpoint(&w, "not a note\n", 11), PL_E_ARG);
	/* A checkpoint of a log that is not a parley transcript. */
	{
		struct checkpoint c;
		struct buf cp;

		memset(&c, 0, sizeof(c));
		(void)snprintf(c.origin, sizeof(c.origin), "example.org/log");
		buf_init(&cp, NOTE_MAX);
		assert_int_equal(checkpoint_sign(&cp, &c, fx.k[US]), PL_OK);
		assert_int_equal(bundle_writer_add_checkpoint(&w, (const char *)cp.data, cp.len),
		                 PL_E_ARG);
		assert_non_null(strstr(pl_err_msg(), "is not a parley transcript"));
		buf_reset(&cp);
	}
	assert_int_equal(bundle_writer_add_inclusion(&w, "us-nrrc", 8, 8, fx.ent[0][0].data,
	                                             fx.ent[0][0].len, NULL, 0),
	                 PL_E_ARG);
	assert_non_null(strstr(pl_err_msg(), "index 8 is not below size 8"));
	assert_int_equal(bundle_writer_add_inclusion(&w, "US", 8, 1, fx.ent[0][0].data,
	                                             fx.ent[0][0].len, NULL, 0),
	                 PL_E_ARG);
	assert_int_equal(bundle_writer_add_inclusion(&w, "us-nrrc", 8, 1, fx.ent[0][0].data,
	                                             fx.ent[0][0].len - 1, NULL, 0),
	                 PL_E_ARG);
	assert_int_equal(bundle_writer_add_inclusion(
	                         &w, "us-nrrc", 8, 1, fx.ent[0][0].data, fx.ent[0][0].len,
	                         (const uint8_t(*)[HASH_LEN])hashes, BUNDLE_INCL_HASHES_MAX + 1),
	                 PL_E_TOOBIG);
	assert_int_equal(bundle_writer_add_consistency(&w, "us-nrrc", 8, 8,
	                                               (const uint8_t(*)[HASH_LEN])hashes, 1),
	                 PL_E_ARG);
	assert_int_equal(bundle_writer_add_consistency(&w, "us-nrrc", 0, 8,
	                                               (const uint8_t(*)[HASH_LEN])hashes, 1),
	                 PL_E_ARG);
	assert_int_equal(bundle_writer_add_consistency(&w, "us-nrrc", 4, 8,
	                                               (const uint8_t(*)[HASH_LEN])hashes, 0),
	                 PL_E_ARG);
	/* Nothing refused was kept: the empty bundle is header + END. */
	out.len = 0;
	assert_int_equal(bundle_writer_finish(&w, &out), PL_OK);
	assert_int_equal(out.len, BUNDLE_HDR_LEN + BUNDLE_REC_HDR + 4);
	bundle_writer_reset(&w);
	buf_reset(&out);
}

static void
test_empty_bundle(void **state)
{
	static const uint8_t empty[] = { 'p', 'a', 'r', 'l', 'e', 'y', '-', 'b', 'u',
		                         'n', 'd', 'l', 'e', 0,   0,   0,   1,   255,
		                         0,   0,   0,   4,   0,   0,   0,   0 };
	struct bundle_report rep;

	(void)state;
	assert_int_equal(check(empty, sizeof(empty), NULL, &rep), PL_OK);
	assert_int_equal(rep.n_failures, 0);
	bundle_report_reset(&rep);
}

static void
test_policy_lines(void **state)
{
	static struct bundle_policy pol;

	(void)state;
	bundle_policy_init(&pol);
	assert_int_equal(bundle_policy_line(&pol, "# comment", 1), PL_OK);
	assert_int_equal(bundle_policy_line(&pol, "party us-nrrc", 2), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "policy line 2: want 'party ID FINGERPRINT'"));
	assert_int_equal(
	        bundle_policy_line(&pol, "party US 1273-9664-a979-2874-e493-1c29-1a88-53c6", 3),
	        PL_E_PROTO);
	assert_int_equal(bundle_policy_line(&pol, "party us-nrrc 1273-9664-a979-2874", 4),
	                 PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "is not 32 hex digits"));
	assert_int_equal(bundle_policy_line(
	                         &pol, "party us-nrrc 1273-9664-a979-2874-e493-1c29-1a88-53cg", 5),
	                 PL_E_PROTO);
	assert_int_equal(bundle_policy_line(
	                         &pol, "party us-nrrc 1273-9664-a979-2874-e493-1c29-1a88-53c6", 6),
	                 PL_OK);
	assert_int_equal(
	        bundle_policy_line(&pol, "  party us-nrrc 1273966 4a979 2874e4931c291a8853c6  ", 7),
	        PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "pinned twice"));
	assert_int_equal(bundle_policy_line(&pol, "frob x", 8), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "policy line 8: unknown key 'frob'"));
	assert_int_equal(bundle_policy_line(&pol, "quorum 1", 9), PL_OK);
	assert_int_equal(bundle_policy_finish(&pol), PL_E_PROTO); /* quorum 1, no witness */
	assert_non_null(strstr(pl_err_msg(), "quorum 1 but only 0 witnesses"));
	bundle_policy_init(&pol);
	assert_int_equal(bundle_policy_finish(&pol), PL_OK); /* an empty policy: no log needed */
	assert_int_equal(pol.tlog.quorum, 0);
}

/* Every allocation of reading, verifying and writing may fail: a clean PL_E_NOMEM, no leak. */
static void
test_allocation_failures(void **state)
{
	struct bundle_report rep;
	struct bundle_writer w;
	unsigned long n;
	enum pl_err err;
	struct buf out;

	(void)state;
	for (n = 1;; n++) {
		(void)pl_alloc_fail_at(n);
		err = check(fx.good.data, fx.good.len, &fx.pol, &rep);
		(void)pl_alloc_fail_at(0);
		bundle_report_reset(&rep);
		if (err == PL_OK)
			break;
		if (err != PL_E_NOMEM)
			fail_msg("allocation %lu failing gave %s: %s", n, pl_err_name(err),
			         pl_err_msg());
		assert_true(n < 1000);
	}
	assert_true(n > 10);
	for (n = 1;; n++) {
		bundle_writer_init(&w);
		buf_init_secret(&out, BUNDLE_MAX);
		(void)pl_alloc_fail_at(n);
		fill_writer_nomem(&w, &err);
		if (err == PL_OK)
			err = bundle_writer_finish(&w, &out);
		(void)pl_alloc_fail_at(0);
		bundle_writer_reset(&w);
		if (err == PL_OK) {
			assert_int_equal(out.len, fx.good.len);
			assert_memory_equal(out.data, fx.good.data, out.len);
			buf_reset(&out);
			break;
		}
		if (err != PL_E_NOMEM)
			fail_msg("allocation %lu failing gave %s: %s", n, pl_err_name(err),
			         pl_err_msg());
		assert_int_equal(out.len, 0);
		buf_reset(&out);
		assert_true(n < 1000);
	}
	assert_true(n > 10);
}

/* ------------------------------------------------------------------ */
/* --write DIR: files for the CLI test and the fuzz corpus. */

static int
write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (file_write(path, p, n, 0644, 0) != PL_OK) {
		(void)fprintf(stderr, "test_bundle: %s: %s\n", path, pl_err_msg());
		return -1;
	}
	return 0;
}

static int
write_files(const char *dir)
{
	static const uint8_t seed[32] = "parley bundle test fixture seed";
	struct bundle_writer w;
	struct buf b, pol;
	char fp[PARTY_FP_STR_LEN + 1];
	size_t i;
	int rc = 0;

	cr_rng_deterministic(seed);
	if (cr_init() != PL_OK)
		return 1;
	build_fixture();
	rc |= write_file(dir, "good.bundle", fx.good.data, fx.good.len);
	buf_init(&pol, 65536);
	if (buf_add_str(&pol, "# parties pinned by fingerprint, one witness\n") != PL_OK)
		return 1;
	for (i = 0; i < N_PARTIES; i++) {
		identity_fingerprint(fp, party_ids[i], keys_sign_pk(fx.k[i]));
		if (buf_addf(&pol, "party %s %s\n", party_ids[i], fp) != PL_OK)
			return 1;
	}
	if (buf_addf(&pol, "witness %s\nquorum 1\n", fx.witness_vkey) != PL_OK)
		return 1;
	rc |= write_file(dir, "policy", pol.data, pol.len);
	/* The same policy with ru-nrrc's fingerprint given for us-nrrc. */
	pol.len = 0;
	identity_fingerprint(fp, party_ids[RU], keys_sign_pk(fx.k[RU]));
	if (buf_addf(&pol, "party us-nrrc %s\nwitness %s\n", fp, fx.witness_vkey) != PL_OK)
		return 1;
	rc |= write_file(dir, "policy-wrong-fp", pol.data, pol.len);
	buf_reset(&pol);

	/* Damaged: U2 missing (a gap in the chain). */
	buf_init_secret(&b, BUNDLE_MAX);
	bundle_writer_init(&w);
	fill_writer(&w, &(struct skip){ U2, -1, 0, 0 });
	if (bundle_writer_finish(&w, &b) != PL_OK)
		return 1;
	rc |= write_file(dir, "gap.bundle", b.data, b.len);
	bundle_writer_reset(&w);
	/* Damaged: one bit of U1's body changed. */
	b.len = 0;
	if (buf_add(&b, fx.good.data, fx.good.len) != PL_OK)
		return 1;
	{
		struct span sp[64];

		(void)spans(&b, sp, 64);
		b.data[sp[5].off + sp[5].len - 100] ^= 0x04;
	}
	rc |= write_file(dir, "altered.bundle", b.data, b.len);
	/* Only parties, envelopes and receipts: no transcripts. */
	b.len = 0;
	bundle_writer_init(&w);
	fill_writer(&w, &(struct skip){ -1, -1, 1, 1 });
	if (bundle_writer_finish(&w, &b) != PL_OK)
		return 1;
	rc |= write_file(dir, "no-proofs.bundle", b.data, b.len);
	bundle_writer_reset(&w);
	buf_reset(&b);
	teardown(NULL);
	return rc != 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_bundle),
		cmocka_unit_test(test_no_policy),
		cmocka_unit_test(test_pins),
		cmocka_unit_test(test_flip_every_byte),
		cmocka_unit_test(test_wrong_body_key),
		cmocka_unit_test(test_receipt_not_in_bundle),
		cmocka_unit_test(test_missing_seq),
		cmocka_unit_test(test_forged_signature),
		cmocka_unit_test(test_quorum),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_inclusion_wrong_index),
		cmocka_unit_test(test_entry_mismatch),
		cmocka_unit_test(test_ack_by_non_recipient),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_trailing_and_lengths),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_empty_bundle),
		cmocka_unit_test(test_policy_lines),
		cmocka_unit_test(test_allocation_failures),
	};

	if (argc == 3 && strcmp(argv[1], "--write") == 0)
		return write_files(argv[2]);
	if (argc != 1) {
		(void)fprintf(stderr, "usage: test_bundle [--write DIR]\n");
		return 2;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
