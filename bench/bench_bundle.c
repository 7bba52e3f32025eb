/*
 * bench_bundle.c - what verifying a bundle costs on top of its Ed25519
 * signatures.
 *
 * The bundle: N envelopes (BENCH_BUNDLE_N, default 100,000) on one channel
 * between two parties, sent alternately, 1 KiB bodies, both parties
 * recipients; each envelope with the other party's receipt.  Two rows:
 *
 *   signatures        party records, envelopes, receipts;
 *   with transcripts  the same, plus both parties' transcripts: per
 *                     envelope a "sent" and a "receipt" entry in the
 *                     sender's log and a "received" entry in the
 *                     receiver's, every entry with its inclusion proof,
 *                     and one checkpoint per log cosigned by a witness.
 *
 * Timed on the parley side: bundle_read + bundle_verify of the whole
 * bundle under a policy pinning both parties and requiring the witness,
 * as `parley verify` runs them (without reading the file and printing).
 * Baseline, same run: crypto_sign_verify_detached of the same 2N
 * signatures (each envelope's and each receipt's, over the same bytes,
 * with the same keys), collected beforehand.  The ratio is
 *
 *   envelopes/s of bundle verification / envelopes/s of the bare
 *   signature checks of one envelope and its receipt
 *
 * so 1.0 means parsing, ids, chains, lookups and (second row) Merkle
 * proofs cost nothing next to the two signatures every envelope needs.
 * The table also shows envelopes/s against raw verifications/s (at most
 * 0.5 here, since each envelope carries two signatures).  Constant work
 * (party records, checkpoints) is included, and is negligible at this N.
 *
 * ROUNDS rounds of each side alternate (which goes first alternates too)
 * and the median is taken.  Only this baseline calls libsodium directly.
 * A benchmark reports, it does not fail on a missed target: the program
 * exits non-zero only if an operation fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/bundle.h"
#include "core/envelope.h"
#include "core/identity.h"
#include "core/receipt.h"
#include "bench.h"
#include "crypto/cr.h"
#include "tlog/cosig.h"

#define BODY      1024
#define ROUNDS    3
#define TARGET    0.80
#define T0        1767225600000ULL
#define N_DEFAULT 100000

static const char *const ids[3] = { "us-nrrc", "ru-nrrc", "osce-witness" };

/* One signature the baseline checks. */
struct sigcheck {
	const uint8_t *msg;
	size_t len;
	const uint8_t *sig, *pk;
};

struct ctx {
	size_t n;
	struct keys *k[3];
	struct buf party[3];
	struct buf *env, *rcpt;
	struct buf *ent[2]; /* each log's entries */
	size_t n_ent[2];
	uint8_t (*leaf[2])[HASH_LEN];
	struct buf cp[2];
	struct buf sigs_only, full; /* the two bundles */
	struct bundle_policy pol;
	struct sigcheck *checks; /* 2n */
};

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL) {
		(void)fprintf(stderr, "bench: out of memory\n");
		exit(1);
	}
	return p;
}

/*
 * A tree held as all its levels: level[k][j] is the hash of leaves
 * [j 2^k, (j+1) 2^k), so every perfect subtree the proofs ask for is one
 * lookup.
 */
struct levels {
	uint8_t (*lv[64])[HASH_LEN];
	uint64_t n[64];
};

static void
levels_build(struct levels *t, const uint8_t (*leaves)[HASH_LEN], uint64_t n)
{
	int k;
	uint64_t j;

	memset(t, 0, sizeof(*t));
	t->lv[0] = xcalloc(n, HASH_LEN);
	memcpy(t->lv[0], leaves, n * HASH_LEN);
	t->n[0] = n;
	for (k = 1; t->n[k - 1] > 1; k++) {
		t->n[k] = t->n[k - 1] / 2;
		t->lv[k] = xcalloc(t->n[k] > 0 ? t->n[k] : 1, HASH_LEN);
		for (j = 0; j < t->n[k]; j++)
			merkle_node_hash(t->lv[k][j], t->lv[k - 1][2 * j], t->lv[k - 1][2 * j + 1]);
	}
}

static void
levels_free(struct levels *t)
{
	int k;

	for (k = 0; k < 64; k++)
		free(t->lv[k]);
}

static enum pl_err
levels_get(void *ctx, uint64_t index, uint64_t size, uint8_t out[HASH_LEN])
{
	struct levels *t = ctx;
	int k = 0;

	while ((1ULL << k) < size)
		k++;
	if (index / size >= t->n[k])
		return pl_errf(PL_E_STATE, "bench: no subtree %llu+%llu", (unsigned long long)index,
		               (unsigned long long)size);
	memcpy(out, t->lv[k][index / size], HASH_LEN);
	return PL_OK;
}

static void
make_party(struct buf *out, const char *id, const struct keys *k)
{
	static struct party r;

	memset(&r, 0, sizeof(r));
	r.version = PARTY_VERSION;
	(void)snprintf(r.id, sizeof(r.id), "%s", id);
	r.revision = 1;
	r.time_ms = T0;
	memcpy(r.sign_pk, keys_sign_pk(k), SIG_PK_LEN);
	memcpy(r.box_pk, keys_box_pk(k), BOX_PK_LEN);
	buf_init(out, PARTY_ENCODED_MAX);
	must(identity_sign(out, &r, k, NULL), "identity_sign");
}

static void
log_add(struct ctx *c, int log, uint8_t type, const struct env *e, const uint8_t *id,
        const struct buf *rcpt)
{
	struct entry en;
	struct buf *b = &c->ent[log][c->n_ent[log]];

	memset(&en, 0, sizeof(en));
	en.type = type;
	if (type != ENTRY_RECEIPT) {
		memcpy(en.env_id, id, HASH_LEN);
		memcpy(en.channel, e->channel, sizeof(en.channel));
		memcpy(en.sender, e->sender, sizeof(en.sender));
		en.seq = e->seq;
		memcpy(en.prev, e->prev, HASH_LEN);
	}
	if (rcpt != NULL) {
		en.receipt = rcpt->data;
		en.receipt_len = rcpt->len;
	}
	buf_init(b, ENTRY_ENCODED_MAX);
	must(entry_write(b, &en), "entry_write");
	merkle_leaf_hash(c->leaf[log][c->n_ent[log]], b->data, b->len);
	c->n_ent[log]++;
}

static void
setup(struct ctx *c, size_t n)
{
	static struct env e;
	uint8_t plain[BODY], prev[2][HASH_LEN], id[HASH_LEN], proof[MERKLE_PROOF_MAX][HASH_LEN];
	struct envelope_to to[2];
	struct bundle_writer w, ws;
	struct merkle_source src;
	struct levels lv[2];
	struct note_key wk;
	struct buf vk, text;
	char fp[PARTY_FP_STR_LEN + 1], line[512];
	uint64_t seq[2] = { 0, 0 };
	size_t i, m, np;
	int s, l;

	memset(c, 0, sizeof(*c));
	c->n = n;
	for (i = 0; i < 3; i++) {
		if ((c->k[i] = keys_new()) == NULL)
			must(PL_E_NOMEM, "keys_new");
		make_party(&c->party[i], ids[i], c->k[i]);
	}
	c->env = xcalloc(n, sizeof(*c->env));
	c->rcpt = xcalloc(n, sizeof(*c->rcpt));
	for (l = 0; l < 2; l++) {
		c->ent[l] = xcalloc(2 * n, sizeof(*c->ent[l]));
		c->leaf[l] = xcalloc(2 * n, HASH_LEN);
	}
	randombytes_buf(plain, sizeof(plain));
	for (i = 0; i < 2; i++) {
		to[i].party = ids[i];
		to[i].box_pk = keys_box_pk(c->k[i]);
	}
	(void)fprintf(stderr, "bench: sealing %zu envelopes and their receipts...\n", n);
	for (i = 0; i < n; i++) {
		struct envelope_draft d = {
			.channel = "cyber",
			.kind = ENV_KIND_MESSAGE,
			.prec = ENV_PREC_ROUTINE,
			.n_to = 2,
			.to = to,
			.plain = plain,
			.plain_len = BODY,
		};

		s = (int)(i % 2);
		d.sender = ids[s];
		d.seq = ++seq[s];
		d.prev = seq[s] > 1 ? prev[s] : NULL;
		d.time_ms = T0 + i * 1000;
		buf_init(&c->env[i], ENV_ENCODED_MAX);
		must(envelope_seal(&c->env[i], id, &d, c->k[s]), "envelope_seal");
		memcpy(prev[s], id, HASH_LEN);
		buf_init(&c->rcpt[i], RCPT_ENCODED_MAX);
		must(receipt_sign(&c->rcpt[i], id, ids[1 - s], d.time_ms + 500, c->k[1 - s]),
		     "receipt_sign");
		must(env_read(&e, c->env[i].data, c->env[i].len), "env_read");
		log_add(c, s, ENTRY_SENT, &e, id, NULL);
		log_add(c, 1 - s, ENTRY_RECEIVED, &e, id, &c->rcpt[i]);
		log_add(c, s, ENTRY_RECEIPT, NULL, NULL, &c->rcpt[i]);
	}

	/* Checkpoints of both logs at their full size, cosigned by the witness. */
	buf_init(&text, NOTE_MAX);
	for (l = 0; l < 2; l++) {
		struct checkpoint cp;

		levels_build(&lv[l], (const uint8_t(*)[HASH_LEN])c->leaf[l], c->n_ent[l]);
		memset(&cp, 0, sizeof(cp));
		(void)snprintf(cp.origin, sizeof(cp.origin), "%s%s", ENTRY_LOG_PREFIX, ids[l]);
		cp.size = c->n_ent[l];
		must(merkle_root_from_leaves(cp.root, (const uint8_t(*)[HASH_LEN])c->leaf[l],
		                             cp.size),
		     "merkle_root_from_leaves");
		buf_init(&c->cp[l], NOTE_MAX);
		must(checkpoint_sign(&c->cp[l], &cp, c->k[l]), "checkpoint_sign");
		text.len = 0;
		must(checkpoint_fmt(&text, &cp), "checkpoint_fmt");
		must(cosig_sign(&c->cp[l], (const char *)text.data, text.len,
		                ENTRY_WITNESS_PREFIX "osce-witness", c->k[2], T0 / 1000 + 3600),
		     "cosig_sign");
	}
	buf_reset(&text);

	(void)fprintf(stderr, "bench: writing the bundles...\n");
	bundle_writer_init(&w);
	bundle_writer_init(&ws);
	for (i = 0; i < 3; i++) {
		must(bundle_writer_add_party(&w, c->party[i].data, c->party[i].len), "add party");
		must(bundle_writer_add_party(&ws, c->party[i].data, c->party[i].len), "add party");
	}
	for (i = 0; i < n; i++) {
		must(bundle_writer_add_envelope(&w, c->env[i].data, c->env[i].len), "add envelope");
		must(bundle_writer_add_envelope(&ws, c->env[i].data, c->env[i].len),
		     "add envelope");
		must(bundle_writer_add_receipt(&w, c->rcpt[i].data, c->rcpt[i].len), "add receipt");
		must(bundle_writer_add_receipt(&ws, c->rcpt[i].data, c->rcpt[i].len),
		     "add receipt");
	}
	for (l = 0; l < 2; l++) {
		must(bundle_writer_add_checkpoint(&w, (const char *)c->cp[l].data, c->cp[l].len),
		     "add checkpoint");
		src.get = levels_get;
		src.ctx = &lv[l];
		for (m = 0; m < c->n_ent[l]; m++) {
			must(merkle_inclusion_proof(proof, &np, &src, m, c->n_ent[l]),
			     "merkle_inclusion_proof");
			must(bundle_writer_add_inclusion(&w, ids[l], c->n_ent[l], m,
			                                 c->ent[l][m].data, c->ent[l][m].len,
			                                 (const uint8_t(*)[HASH_LEN])proof, np),
			     "add inclusion");
		}
		levels_free(&lv[l]);
	}
	buf_init_secret(&c->full, BUNDLE_MAX);
	buf_init_secret(&c->sigs_only, BUNDLE_MAX);
	must(bundle_writer_finish(&w, &c->full), "bundle_writer_finish");
	must(bundle_writer_finish(&ws, &c->sigs_only), "bundle_writer_finish");
	bundle_writer_reset(&w);
	bundle_writer_reset(&ws);

	/* The policy: both parties pinned, the witness required. */
	bundle_policy_init(&c->pol);
	for (i = 0; i < 2; i++) {
		identity_fingerprint(fp, ids[i], keys_sign_pk(c->k[i]));
		(void)snprintf(line, sizeof(line), "party %s %s", ids[i], fp);
		must(bundle_policy_line(&c->pol, line, i + 1), "bundle_policy_line");
	}
	must(note_key_make(&wk, ENTRY_WITNESS_PREFIX "osce-witness", NOTE_TYPE_COSIG,
	                   keys_sign_pk(c->k[2])),
	     "note_key_make");
	buf_init(&vk, sizeof(line));
	must(buf_add_str(&vk, "witness "), "buf_add_str");
	must(note_key_fmt(&vk, &wk), "note_key_fmt");
	must(buf_add_u8(&vk, 0), "buf_add_u8");
	must(bundle_policy_line(&c->pol, (const char *)vk.data, 3), "bundle_policy_line");
	must(bundle_policy_line(&c->pol, "quorum 1", 4), "bundle_policy_line");
	must(bundle_policy_finish(&c->pol), "bundle_policy_finish");
	buf_reset(&vk);

	/* The baseline's 2n signatures: each envelope's, then its receipt's. */
	c->checks = xcalloc(2 * n, sizeof(*c->checks));
	for (i = 0; i < n; i++) {
		s = (int)(i % 2);
		c->checks[2 * i].msg = c->env[i].data;
		c->checks[2 * i].len = c->env[i].len - SIG_LEN;
		c->checks[2 * i].sig = c->env[i].data + c->env[i].len - SIG_LEN;
		c->checks[2 * i].pk = keys_sign_pk(c->k[s]);
		c->checks[2 * i + 1].msg = c->rcpt[i].data;
		c->checks[2 * i + 1].len = c->rcpt[i].len - SIG_LEN;
		c->checks[2 * i + 1].sig = c->rcpt[i].data + c->rcpt[i].len - SIG_LEN;
		c->checks[2 * i + 1].pk = keys_sign_pk(c->k[1 - s]);
	}
}

/* Seconds to read and verify bundle b; exits unless it verified with every party pinned. */
static double
time_parley(struct ctx *c, const struct buf *b, size_t want_incls)
{
	struct bundle bd;
	struct bundle_report rep;
	double t0 = now(), t;
	enum pl_err err;

	must(bundle_read(&bd, b->data, b->len), "bundle_read");
	err = bundle_verify(&bd, &c->pol, &rep);
	t = now() - t0;
	if (err != PL_OK || rep.n_unpinned != 1 /* the witness party */ || bd.n_envs != c->n ||
	    bd.n_incls != want_incls) {
		(void)fprintf(stderr, "bench: the bundle did not verify as expected: %s\n",
		              rep.n_kept > 0 ? rep.failures[0].msg : pl_err_msg());
		exit(1);
	}
	bundle_report_reset(&rep);
	bundle_reset(&bd);
	return t;
}

static double
time_raw(struct ctx *c)
{
	double t0 = now();
	size_t i;

	for (i = 0; i < 2 * c->n; i++)
		if (crypto_sign_verify_detached(c->checks[i].sig, c->checks[i].msg,
		                                c->checks[i].len, c->checks[i].pk) != 0) {
			(void)fprintf(stderr, "bench: raw verification %zu failed\n", i);
			exit(1);
		}
	return now() - t0;
}

/*
 * Seconds of the RFC 9162 hashing the bundle's inclusion proofs need: each
 * entry's leaf hash and its path to the root (merkle_verify_inclusion),
 * over the records of a bundle read beforehand.
 */
static double
time_merkle(const struct bundle *bd)
{
	uint8_t leaf[HASH_LEN];
	double t0 = now();
	size_t i, c;

	for (i = 0; i < bd->n_incls; i++) {
		const struct bundle_inclusion *in = &bd->incls[i];

		c = strcmp(in->party, bd->cps[0].party) == 0 ? 0 : 1;
		merkle_leaf_hash(leaf, in->entry, in->entry_len);
		must(merkle_verify_inclusion(leaf, in->index, in->size, in->hashes, in->n_hashes,
		                             bd->cps[c].root),
		     "merkle_verify_inclusion");
	}
	return now() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
measure(struct ctx *c, const char *name, const struct buf *b, size_t want_incls, double *merkle)
{
	double a[ROUNDS], r[ROUNDS], m[ROUNDS], ta, tr, env_a, env_r;
	struct bundle bd;
	int i;

	must(bundle_read(&bd, b->data, b->len), "bundle_read");
	for (i = 0; i < ROUNDS; i++) {
		if (i % 2 == 0) {
			a[i] = time_parley(c, b, want_incls);
			r[i] = time_raw(c);
		} else {
			r[i] = time_raw(c);
			a[i] = time_parley(c, b, want_incls);
		}
		m[i] = time_merkle(&bd);
	}
	bundle_reset(&bd);
	qsort(a, ROUNDS, sizeof(a[0]), cmp_double);
	qsort(r, ROUNDS, sizeof(r[0]), cmp_double);
	qsort(m, ROUNDS, sizeof(m[0]), cmp_double);
	ta = a[ROUNDS / 2];
	tr = r[ROUNDS / 2];
	merkle[0] = ta;
	merkle[1] = tr;
	merkle[2] = m[ROUNDS / 2];
	env_a = (double)c->n / ta;
	env_r = (double)c->n / tr;
	(void)printf("%-18s %10.1f %11.0f %11.0f %12.0f %9.3f %7.3f %6.2f  %s\n", name,
	             (double)b->len / (1 << 20), env_a, env_r, 2 * env_r, env_a / (2 * env_r),
	             env_a / env_r, TARGET, env_a / env_r >= TARGET ? "PASS" : "BELOW");
	(void)fflush(stdout);
}

int
main(void)
{
	static struct ctx c;
	const char *ns = getenv("BENCH_BUNDLE_N");
	size_t n = N_DEFAULT;
	double t[3];
	char *end;

	if (ns != NULL) {
		unsigned long v = strtoul(ns, &end, 10);

		if (*ns == '\0' || *end != '\0' || v < 2 || v > 1000000) {
			(void)fprintf(stderr, "bench: BENCH_BUNDLE_N must be 2..1000000\n");
			return 1;
		}
		n = (size_t)v;
	}
	must(cr_init(), "cr_init");
	setup(&c, n);
	(void)printf("bundle verification, %zu envelopes (1 KiB bodies, 2 recipients, 1 receipt "
	             "each): bundle_read + bundle_verify against crypto_sign_verify_detached of "
	             "the same %zu signatures (median of %d interleaved rounds)\n\n",
	             n, 2 * n, ROUNDS);
	(void)printf("%-18s %10s %11s %11s %12s %9s %7s %6s  %s\n", "row", "MiB", "parley env/s",
	             "raw env/s", "raw verify/s", "env/verify", "ratio", "target", "result");
	measure(&c, "signatures", &c.sigs_only, 0, t);
	measure(&c, "with transcripts", &c.full, 3 * n, t);
	(void)printf("\nwith transcripts, against Ed25519 and the RFC 9162 hashing of the %zu "
	             "inclusion proofs (merkle_verify_inclusion, %.1f us per envelope) together: "
	             "ratio %.3f\n",
	             3 * n, t[2] / (double)n * 1e6, (t[1] + t[2]) / t[0]);
	(void)printf("\nratio = parley envelopes/s / envelopes/s of the bare Ed25519 checks of an "
	             "envelope and its receipt (1.0 = no overhead); env/verify = parley "
	             "envelopes/s / raw verifications/s (at most 0.5: two signatures per "
	             "envelope)\n");
	return 0;
}
