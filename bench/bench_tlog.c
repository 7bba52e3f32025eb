/*
 * bench_tlog.c - the transcript log's costs, as ratios to baselines
 * measured in the same run.
 *
 *   append: leaves per second appended to the SQLite log in batches of
 *           1000, against a naive store of the same tree: SHA-256 of every
 *           leaf and node (2n - 1 hashes) plus one bare SQLite insert per
 *           entry and per hash, in the same transactions.
 *           Target: ratio >= 0.5.
 *   proofs: average time of an inclusion and of a consistency proof read
 *           from the stored log at 10^6 and 10^7 leaves.  Target < 100 us.
 *   notes:  signed-note parse + verify against raw Ed25519 verification of
 *           the same text.  Target: ratio >= 0.9.
 *
 * BENCH_TLOG_MAX (default 10000000) caps the largest log; the 10^7 run
 * takes a few minutes and about 2 GB of /tmp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "bench.h"
#include "crypto/cr.h"
#include "store/logstore.h"
#include "tlog/checkpoint.h"

#define BATCH 1000

static void
rm_db(const char *path)
{
	char p[128];

	(void)unlink(path);
	(void)snprintf(p, sizeof(p), "%s-wal", path);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", path);
	(void)unlink(p);
}

/* Grow ls from its size to target; returns seconds. */
static double
grow(struct logstore *ls, uint64_t from, uint64_t target)
{
	static uint8_t data[BATCH][40];
	const uint8_t *ptrs[BATCH];
	size_t lens[BATCH], k;
	uint64_t i = from, first;
	double t0 = now();

	while (i < target) {
		for (k = 0; k < BATCH && i + k < target; k++) {
			lens[k] = (size_t)snprintf((char *)data[k], sizeof(data[k]), "receipt %llu",
			                           (unsigned long long)(i + k));
			ptrs[k] = data[k];
		}
		must(logstore_append(ls, ptrs, lens, k, &first), "append");
		i += k;
	}
	return now() - t0;
}

/* The raw work of growing from `from` to `target` leaves: hashes and inserts, no logic. */
static double
raw_grow(sqlite3 *db, uint64_t from, uint64_t target)
{
	sqlite3_stmt *leaf, *node;
	uint8_t in[65], h[32], data[40];
	uint64_t i = from;
	double t0 = now();
	size_t len;

	if (sqlite3_prepare_v2(db, "INSERT INTO leaf(idx, data) VALUES(?1, ?2)", -1, &leaf, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO node(level, idx, hash) VALUES(?1, ?2, ?3)", -1,
	                       &node, NULL))
		exit(1);
	memset(in, 1, sizeof(in));
	while (i < target) {
		uint64_t end = i + BATCH < target ? i + BATCH : target;

		(void)sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		for (; i < end; i++) {
			unsigned l;

			len = (size_t)snprintf((char *)data, sizeof(data), "receipt %llu",
			                       (unsigned long long)i);
			sqlite3_bind_int64(leaf, 1, (sqlite3_int64)i);
			sqlite3_bind_blob(leaf, 2, data, (int)len, SQLITE_STATIC);
			(void)sqlite3_step(leaf);
			sqlite3_reset(leaf);
			/* One leaf hash and on average one node hash per leaf: 2n - 1 in all. */
			crypto_hash_sha256(h, data, len);
			for (l = 0; l == 0 || ((i >> (l - 1)) & 1); l++) {
				if (l > 0)
					crypto_hash_sha256(h, in, sizeof(in));
				sqlite3_bind_int(node, 1, (int)l);
				sqlite3_bind_int64(node, 2, (sqlite3_int64)(i >> l));
				sqlite3_bind_blob(node, 3, h, 32, SQLITE_STATIC);
				(void)sqlite3_step(node);
				sqlite3_reset(node);
			}
		}
		(void)sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	sqlite3_finalize(leaf);
	sqlite3_finalize(node);
	return now() - t0;
}

static void
bench_proofs(struct logstore *ls, uint64_t size)
{
	uint8_t p[MERKLE_PROOF_MAX + 1][HASH_LEN];
	double t0, incl, cons;
	size_t n;
	int i, reps = 2000;

	t0 = now();
	for (i = 0; i < reps; i++)
		must(logstore_inclusion(ls, randombytes_uniform((uint32_t)size), size, p, &n),
		     "inclusion proof");
	incl = (now() - t0) / reps * 1e6;
	t0 = now();
	for (i = 0; i < reps; i++)
		must(logstore_consistency(ls, 1 + randombytes_uniform((uint32_t)size - 1), size, p,
		                          &n),
		     "consistency proof");
	cons = (now() - t0) / reps * 1e6;
	(void)printf("  proofs at %llu leaves%*s %10.1f us %10.1f us   < 100 us  %s\n",
	             (unsigned long long)size, 10, "", incl, cons,
	             incl < 100 && cons < 100 ? "PASS" : "ABOVE");
}

static void
bench_notes(void)
{
	struct keys *k = keys_new();
	struct checkpoint c;
	struct note_key key;
	static struct note n;
	struct buf b;
	double t0, ours, raw;
	int i, reps = 20000;
	size_t text_len;

	memset(&c, 0, sizeof(c));
	(void)snprintf(c.origin, sizeof(c.origin), "parley.transcript/us-nrrc");
	c.size = 123456789;
	buf_init(&b, 4096);
	must(checkpoint_sign(&b, &c, k), "sign");
	must(note_key_make(&key, c.origin, NOTE_TYPE_ED25519, keys_sign_pk(k)), "key");
	must(note_read(&n, (const char *)b.data, b.len), "read");
	text_len = n.text_len;
	t0 = now();
	for (i = 0; i < reps; i++) {
		must(note_read(&n, (const char *)b.data, b.len), "read");
		must(note_verify(&n, &key, 1, NULL), "verify");
	}
	ours = reps / (now() - t0);
	t0 = now();
	for (i = 0; i < reps; i++)
		if (crypto_sign_verify_detached(n.sigs[0].sig, b.data, text_len, keys_sign_pk(k)))
			exit(1);
	raw = reps / (now() - t0);
	(void)printf("%-36s %10.0f /s %9.0f /s %7.3f   >= 0.90  %s\n", "signed-note verify", ours,
	             raw, ours / raw, ours / raw >= 0.9 ? "PASS" : "BELOW");
	keys_free(k);
	buf_reset(&b);
}

int
main(void)
{
	const char *env = getenv("BENCH_TLOG_MAX");
	uint64_t max = env != NULL ? strtoull(env, NULL, 10) : 10000000, size = 0, target;
	char path[64], rpath[64], label[64];
	struct logstore *ls;
	sqlite3 *raw;
	double mine = 0, base = 0;

	if (cr_init() != PL_OK)
		return 1;
	(void)snprintf(path, sizeof(path), "/tmp/parley-bench-log-%d.db", (int)getpid());
	(void)snprintf(rpath, sizeof(rpath), "/tmp/parley-bench-raw-%d.db", (int)getpid());
	rm_db(path);
	rm_db(rpath);
	must(logstore_open(&ls, path), "open");
	if (sqlite3_open(rpath, &raw) != SQLITE_OK ||
	    sqlite3_exec(
	            raw,
	            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	            "CREATE TABLE leaf(idx INTEGER PRIMARY KEY, data BLOB NOT NULL);"
	            "CREATE TABLE node(level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB "
	            "NOT NULL, PRIMARY KEY(level, idx)) WITHOUT ROWID;",
	            NULL, NULL, NULL) != SQLITE_OK)
		return 1;
	(void)printf("transcript log benchmark (ratios against raw work measured in the same "
	             "run)\n\n");
	(void)printf("%-36s %13s %13s %7s %9s\n", "append, batches of 1000", "parley", "raw",
	             "ratio", "target");
	for (target = 1000; target <= max; target *= 10) {
		/* Alternate the two so that machine noise hits both alike. */
		mine += grow(ls, size, target);
		base += raw_grow(raw, size, target);
		size = target;
		(void)snprintf(label, sizeof(label), "  0 to %llu leaves",
		               (unsigned long long)size);
		(void)printf("%-36s %10.0f /s %10.0f /s %7.3f   >= 0.50  %s\n", label, size / mine,
		             size / base, base / mine, base / mine >= 0.5 ? "PASS" : "BELOW");
		if (size == 1000000 || size == 10000000)
			bench_proofs(ls, size);
		(void)fflush(stdout);
	}
	(void)printf("\n");
	bench_notes();
	logstore_close(ls);
	sqlite3_close(raw);
	rm_db(path);
	rm_db(rpath);
	return 0;
}
