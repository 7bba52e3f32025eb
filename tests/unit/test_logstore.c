/*
 * test_logstore.c - the transcript in SQLite: roots and proofs equal the
 * in-memory tree's at every size, state survives reopening, checkpoints are
 * checked on the way in and on open, and tampering is found and located.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "crypto/cr.h"
#include "store/logstore.h"
#include "tlog/checkpoint.h"

#define N 300

static char path[64];
static uint8_t leaf_hash[N][HASH_LEN];
static struct keys *logk;
static struct note_key logkey;

static void
entry(char *buf, size_t cap, size_t *len, uint64_t i)
{
	*len = (size_t)snprintf(buf, cap, "entry %llu", (unsigned long long)i);
}

static int
setup(void **state)
{
	uint8_t secret[KEYS_SECRET_LEN] = { 9 };
	char e[32];
	size_t len, i;
	int fd;

	(void)state;
	if (cr_init() != PL_OK)
		return -1;
	(void)snprintf(path, sizeof(path), "/tmp/parley-logstore-XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	(void)close(fd);
	(void)unlink(path);
	for (i = 0; i < N; i++) {
		entry(e, sizeof(e), &len, i);
		merkle_leaf_hash(leaf_hash[i], e, len);
	}
	logk = keys_from_secret(secret);
	return note_key_make(&logkey, "parley.test/us-nrrc", NOTE_TYPE_ED25519,
	                     keys_sign_pk(logk)) == PL_OK
	               ? 0
	               : -1;
}

static void
remove_log(void)
{
	char p[80];

	(void)unlink(path);
	(void)snprintf(p, sizeof(p), "%s-wal", path);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", path);
	(void)unlink(p);
}

static int
teardown(void **state)
{
	(void)state;
	keys_free(logk);
	remove_log();
	return 0;
}

/* Append entries [from, to) in batches of batch. */
static void
append_range(struct logstore *ls, uint64_t from, uint64_t to, size_t batch)
{
	static char bufs[64][32];
	const uint8_t *ptrs[64];
	size_t lens[64], k;
	uint64_t i = from, first;

	while (i < to) {
		for (k = 0; k < batch && i + k < to; k++) {
			entry(bufs[k], sizeof(bufs[k]), &lens[k], i + k);
			ptrs[k] = (const uint8_t *)bufs[k];
		}
		assert_int_equal(logstore_append(ls, ptrs, lens, k, &first), PL_OK);
		assert_true(first == i);
		i += k;
	}
}

static void
test_roots_and_proofs(void **state)
{
	struct logstore *ls;
	struct merkle_source mem_src;
	struct merkle_mem mem = { (const uint8_t(*)[HASH_LEN])leaf_hash, 0 };
	uint8_t a[HASH_LEN], b[HASH_LEN], p1[MERKLE_PROOF_MAX + 1][HASH_LEN],
	        p2[MERKLE_PROOF_MAX + 1][HASH_LEN];
	size_t n1, n2;
	uint64_t size, s, m;

	(void)state;
	assert_int_equal(logstore_open(&ls, path), PL_OK);
	append_range(ls, 0, 100, 7);
	logstore_close(ls);
	/* Reopened, it goes on where it stopped. */
	assert_int_equal(logstore_open(&ls, path), PL_OK);
	assert_int_equal(logstore_size(ls, &size), PL_OK);
	assert_true(size == 100);
	append_range(ls, 100, N, 64);
	merkle_mem_source(&mem_src, &mem);
	mem.n = N;
	for (s = 1; s <= N; s++) {
		assert_int_equal(logstore_root(ls, s, a), PL_OK);
		assert_int_equal(merkle_root(b, &mem_src, s), PL_OK);
		assert_memory_equal(a, b, HASH_LEN);
	}
	for (s = 1; s <= N; s += 37) {
		for (m = 0; m < s; m += 13) {
			assert_int_equal(logstore_inclusion(ls, m, s, p1, &n1), PL_OK);
			assert_int_equal(merkle_inclusion_proof(p2, &n2, &mem_src, m, s), PL_OK);
			assert_int_equal(n1, n2);
			assert_memory_equal(p1, p2, n1 * HASH_LEN);
		}
		assert_int_equal(logstore_consistency(ls, s, N, p1, &n1), PL_OK);
		assert_int_equal(merkle_consistency_proof(p2, &n2, &mem_src, s, N), PL_OK);
		assert_int_equal(n1, n2);
		assert_memory_equal(p1, p2, n1 * HASH_LEN);
	}
	/* Past the end is an error, not a guess. */
	assert_int_equal(logstore_root(ls, N + 1, a), PL_E_STATE);
	assert_int_equal(logstore_inclusion(ls, 0, N + 1, p1, &n1), PL_E_STATE);
	{
		struct buf e;

		buf_init(&e, 64);
		assert_int_equal(logstore_entry(ls, 42, &e), PL_OK);
		assert_memory_equal(e.data, "entry 42", 8);
		e.len = 0;
		assert_int_equal(logstore_entry(ls, N, &e), PL_E_ARG);
		buf_reset(&e);
	}
	logstore_close(ls);
}

static void
sign_checkpoint(struct buf *out, uint64_t size, const uint8_t root[HASH_LEN])
{
	struct checkpoint c;

	memset(&c, 0, sizeof(c));
	(void)snprintf(c.origin, sizeof(c.origin), "%s", logkey.name);
	c.size = size;
	memcpy(c.root, root, HASH_LEN);
	out->len = 0;
	assert_int_equal(checkpoint_sign(out, &c, logk), PL_OK);
}

static void
test_checkpoints(void **state)
{
	struct logstore *ls;
	struct merkle_source src;
	uint8_t root[HASH_LEN], wrong[HASH_LEN] = { 1 };
	struct buf b, last;
	uint64_t size;

	(void)state;
	buf_init(&b, NOTE_MAX);
	buf_init(&last, NOTE_MAX);
	assert_int_equal(logstore_open(&ls, path), PL_OK);
	assert_int_equal(logstore_check(ls, &logkey), PL_OK); /* nothing to check yet */
	logstore_source(ls, &src);
	assert_int_equal(merkle_root(root, &src, 250), PL_OK);
	sign_checkpoint(&b, 250, root);
	assert_int_equal(logstore_checkpoint_put(ls, (char *)b.data, b.len, &logkey), PL_OK);
	/* A checkpoint that is not the log's tree is refused. */
	sign_checkpoint(&b, 250, wrong);
	assert_int_equal(logstore_checkpoint_put(ls, (char *)b.data, b.len, &logkey), PL_E_ARG);
	sign_checkpoint(&b, N + 5, root);
	assert_int_equal(logstore_checkpoint_put(ls, (char *)b.data, b.len, &logkey), PL_E_ARG);
	assert_int_equal(logstore_checkpoint_last(ls, &size, &last), PL_OK);
	assert_true(size == 250);
	assert_int_equal(logstore_check(ls, &logkey), PL_OK);
	logstore_close(ls);
	buf_reset(&b);
	buf_reset(&last);
}

static void
corrupt(const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

#define ALTERED "x'0101010101010101010101010101010101010101010101010101010101010101'"

/*
 * Overwrite node(level, idx) where logstore.c keeps it: slot 128 - 2w +
 * (idx mod w) of tile (level / 6, idx / w), w = 2^(6 - level mod 6), rowid
 * (tile level << 58) | tile index.  value is 32 bytes of SQL.
 */
static void
corrupt_node(unsigned level, unsigned long long idx, const char *value)
{
	unsigned w = 1U << (6 - level % 6), slot = 128 - 2 * w + (unsigned)(idx % w);
	unsigned long long id = ((unsigned long long)(level / 6) << 58) | (idx / w);
	char sql[512];

	(void)snprintf(sql, sizeof(sql),
	               "UPDATE tile SET hashes = CAST(substr(hashes, 1, %u) || %s || "
	               "substr(hashes, %u) AS BLOB) WHERE id = %llu",
	               slot * 32, value, slot * 32 + 33, id);
	corrupt(sql);
}

static void
test_tampering_is_found(void **state)
{
	struct logstore *ls;

	(void)state;
	/*
	 * 250 = 128 + 64 + 32 + 16 + 8 + 2: node (3, 30), entries 240..247, is
	 * one of the subtrees that make up the signed root, so the O(log n)
	 * check on open sees it.
	 */
	corrupt_node(3, 30, ALTERED);
	assert_int_equal(logstore_open(&ls, path), PL_OK);
	assert_int_equal(logstore_check(ls, &logkey), PL_E_STORE);
	assert_non_null(strstr(pl_err_msg(), "do not give the signed root"));
	assert_int_equal(logstore_verify_all(ls, NULL, NULL), PL_E_STORE);
	assert_non_null(strstr(pl_err_msg(), "level 3 index 30 (entries 240..247) is altered"));
	logstore_close(ls);

	/* A node inside a subtree (entries 40..47) needs the full check, which finds it first. */
	corrupt_node(3, 5, ALTERED);
	assert_int_equal(logstore_open(&ls, path), PL_OK);
	assert_int_equal(logstore_verify_all(ls, NULL, NULL), PL_E_STORE);
	assert_non_null(strstr(pl_err_msg(), "level 3 index 5 (entries 40..47) is altered"));
	logstore_close(ls);

	/* A hash wiped out is missing, not a hash of zeros. */
	corrupt_node(3, 30, "zeroblob(32)");
	assert_int_equal(logstore_open(&ls, path), PL_OK);
	assert_int_equal(logstore_check(ls, &logkey), PL_E_STORE);
	assert_non_null(strstr(pl_err_msg(), "no hash at level 3 index 30"));
	logstore_close(ls);
}

static void
test_entry_tampering(void **state)
{
	struct logstore *ls;

	(void)state;
	(void)unlink(path);
	assert_int_equal(logstore_open(&ls, path), PL_OK);
	append_range(ls, 0, 20, 20);
	assert_int_equal(logstore_verify_all(ls, NULL, NULL), PL_OK);
	logstore_close(ls);
	corrupt("UPDATE leaf SET data = 'entry 99' WHERE idx = 7");
	assert_int_equal(logstore_open(&ls, path), PL_OK);
	assert_int_equal(logstore_verify_all(ls, NULL, NULL), PL_E_STORE);
	assert_non_null(strstr(pl_err_msg(), "entry 7 does not match"));
	logstore_close(ls);
	/* The tile of entries 0..19 is on the right edge, read on open. */
	corrupt("UPDATE tile SET hashes = x'00' WHERE id = 0");
	assert_int_equal(logstore_open(&ls, path), PL_E_STORE);
	assert_non_null(strstr(pl_err_msg(), "its tile (0, 0) is 1 bytes, not 4032: corrupt"));
}

/* The upper levels are loaded on open: a missing row there is found at once. */
static void
test_upper_levels(void **state)
{
	struct logstore *ls;
	uint8_t a[HASH_LEN], b[HASH_LEN];
	uint64_t size;

	(void)state;
	(void)unlink(path);
	assert_int_equal(logstore_open(&ls, path), PL_OK);
	append_range(ls, 0, 5000, 64);
	assert_int_equal(logstore_root(ls, 5000, a), PL_OK);
	logstore_close(ls);
	assert_int_equal(logstore_open(&ls, path), PL_OK);
	assert_int_equal(logstore_size(ls, &size), PL_OK);
	assert_true(size == 5000);
	assert_int_equal(logstore_root(ls, 5000, b), PL_OK);
	assert_memory_equal(a, b, HASH_LEN);
	assert_int_equal(logstore_verify_all(ls, NULL, NULL), PL_OK);
	logstore_close(ls);
	/* Tile (2, 0): levels 12 to 17 over entries 0..2^18-1. */
	corrupt("DELETE FROM tile WHERE id = 2 << 58");
	assert_int_equal(logstore_open(&ls, path), PL_E_STORE);
	assert_non_null(strstr(pl_err_msg(), "no hash at level 12 index 0 (tile 2, 0 is missing)"));
}

/*
 * Attached to a caller's connection: an append inside a transaction that
 * rolls back leaves nothing behind once reloaded; a committed one is seen
 * by a fresh open with the same root.
 */
static void
test_attached(void **state)
{
	struct merkle_source src, mem_src;
	struct merkle_mem mem = { (const uint8_t(*)[HASH_LEN])leaf_hash, 40 };
	struct logstore *ls, *again;
	uint8_t want[HASH_LEN], got[HASH_LEN];
	uint64_t size;
	char apath[80];
	sqlite3 *db;

	(void)state;
	(void)snprintf(apath, sizeof(apath), "%s-attached", path);
	assert_int_equal(sqlite3_open(apath, &db), SQLITE_OK);
	assert_int_equal(logstore_attach(&ls, db), PL_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	append_range(ls, 0, 40, 7);
	assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(logstore_reload(ls), PL_OK);
	assert_int_equal(logstore_size(ls, &size), PL_OK);
	assert_true(size == 0);

	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	append_range(ls, 0, 40, 7);
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	logstore_source(ls, &src);
	assert_int_equal(merkle_root(want, &src, 40), PL_OK);
	logstore_close(ls);
	/* The connection is still the caller's to use and close. */
	assert_int_equal(sqlite3_exec(db, "SELECT 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	assert_int_equal(logstore_open(&again, apath), PL_OK);
	assert_int_equal(logstore_size(again, &size), PL_OK);
	assert_true(size == 40);
	logstore_source(again, &src);
	assert_int_equal(merkle_root(got, &src, 40), PL_OK);
	assert_memory_equal(got, want, HASH_LEN);
	merkle_mem_source(&mem_src, &mem);
	assert_int_equal(merkle_root(got, &mem_src, 40), PL_OK);
	assert_memory_equal(got, want, HASH_LEN);
	logstore_close(again);
	(void)unlink(apath);
	(void)snprintf(apath, sizeof(apath), "%s-attached-wal", path);
	(void)unlink(apath);
	(void)snprintf(apath, sizeof(apath), "%s-attached-shm", path);
	(void)unlink(apath);
}

/* The first n entries' leaf hashes, for logs longer than N. */
static uint8_t (*leaves(uint64_t n))[HASH_LEN]
{
	uint8_t(*h)[HASH_LEN] = calloc((size_t)n, HASH_LEN);
	char e[32];
	size_t len;
	uint64_t i;

	assert_non_null(h);
	for (i = 0; i < n; i++) {
		entry(e, sizeof(e), &len, i);
		merkle_leaf_hash(h[i], e, len);
	}
	return h;
}

/* Roots and proofs of ls at size equal the in-memory tree's. */
static void
assert_same_tree(struct logstore *ls, const uint8_t (*h)[HASH_LEN], uint64_t size)
{
	struct merkle_mem mem = { h, size };
	struct merkle_source mem_src;
	uint8_t a[HASH_LEN], b[HASH_LEN], p1[MERKLE_PROOF_MAX + 1][HASH_LEN],
	        p2[MERKLE_PROOF_MAX + 1][HASH_LEN];
	size_t n1, n2;
	uint64_t m;

	merkle_mem_source(&mem_src, &mem);
	assert_int_equal(logstore_root(ls, size, a), PL_OK);
	assert_int_equal(merkle_root(b, &mem_src, size), PL_OK);
	assert_memory_equal(a, b, HASH_LEN);
	for (m = 1; m < size; m += size / 7 + 1) {
		assert_int_equal(logstore_inclusion(ls, m, size, p1, &n1), PL_OK);
		assert_int_equal(merkle_inclusion_proof(p2, &n2, &mem_src, m, size), PL_OK);
		assert_int_equal(n1, n2);
		assert_memory_equal(p1, p2, n1 * HASH_LEN);
		assert_int_equal(logstore_consistency(ls, m, size, p1, &n1), PL_OK);
		assert_int_equal(merkle_consistency_proof(p2, &n2, &mem_src, m, size), PL_OK);
		assert_int_equal(n1, n2);
		assert_memory_equal(p1, p2, n1 * HASH_LEN);
	}
}

/*
 * A second connection on the same log sees what the first appended, with
 * no explicit reload; a rolled-back append past the in-memory upper levels
 * (subtrees of 1024 entries and more) leaves none of its hashes behind.
 */
static void
test_two_connections(void **state)
{
	uint8_t(*h)[HASH_LEN] = leaves(5000);
	struct logstore *w, *r, *a;
	static char other[64][32];
	const uint8_t *ptrs[64];
	size_t lens[64], k;
	uint64_t size, first, i;
	sqlite3 *db;

	(void)state;
	(void)unlink(path);
	assert_int_equal(logstore_open(&w, path), PL_OK);
	append_range(w, 0, 3000, 64);
	assert_int_equal(logstore_open(&r, path), PL_OK);
	append_range(w, 3000, 4000, 64);
	assert_same_tree(r, (const uint8_t(*)[HASH_LEN])h, 4000);
	logstore_close(w);
	logstore_close(r);

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(logstore_attach(&a, db), PL_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	for (i = 4000; i < 4900; i += k) {
		for (k = 0; k < 64; k++) {
			lens[k] = (size_t)snprintf(other[k], sizeof(other[k]), "rolled back %llu",
			                           (unsigned long long)(i + k));
			ptrs[k] = (const uint8_t *)other[k];
		}
		assert_int_equal(logstore_append(a, ptrs, lens, k, &first), PL_OK);
	}
	assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(logstore_reload(a), PL_OK);
	assert_int_equal(logstore_size(a, &size), PL_OK);
	assert_true(size == 4000);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	append_range(a, 4000, 5000, 64);
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	assert_same_tree(a, (const uint8_t(*)[HASH_LEN])h, 5000);
	assert_same_tree(a, (const uint8_t(*)[HASH_LEN])h, 4096);
	logstore_close(a);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	free(h);
}

static int
count_rows(const char *sql)
{
	sqlite3_stmt *st;
	sqlite3 *db;
	int n = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return n;
}

/*
 * A schema 1 log (one row per node) is migrated on open: the tiles are
 * recomputed from the entries, and the old rows go.  Entries with a gap
 * are refused and the log is left as it was.
 */
static void
test_migration(void **state)
{
	static const char v1[] =
	        "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	        "CREATE TABLE leaf(idx INTEGER PRIMARY KEY, data BLOB NOT NULL);"
	        "CREATE TABLE node(level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,"
	        " PRIMARY KEY(level, idx)) WITHOUT ROWID;"
	        "CREATE TABLE checkpoint(size INTEGER PRIMARY KEY, note TEXT NOT NULL);"
	        "INSERT INTO meta VALUES('schema_version', 1);"
	        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 4999)"
	        " INSERT INTO leaf SELECT i, CAST('entry ' || i AS BLOB) FROM n;"
	        "INSERT INTO node VALUES(0, 0, zeroblob(32));";
	uint8_t(*h)[HASH_LEN] = leaves(5000);
	struct logstore *ls;
	uint64_t size;

	(void)state;
	remove_log();
	corrupt(v1);
	corrupt("DELETE FROM leaf WHERE idx = 4321");
	assert_int_equal(logstore_open(&ls, path), PL_E_STORE);
	assert_non_null(strstr(pl_err_msg(), "entry 4321 is missing"));
	assert_int_equal(count_rows("SELECT value FROM meta WHERE key = 'schema_version'"), 1);
	assert_int_equal(count_rows("SELECT count(*) FROM node"), 1);
	assert_int_equal(count_rows("SELECT count(*) FROM tile"), 0);

	corrupt("INSERT INTO leaf VALUES(4321, CAST('entry 4321' AS BLOB))");
	assert_int_equal(logstore_open(&ls, path), PL_OK);
	assert_int_equal(logstore_size(ls, &size), PL_OK);
	assert_true(size == 5000);
	assert_same_tree(ls, (const uint8_t(*)[HASH_LEN])h, 5000);
	assert_int_equal(logstore_verify_all(ls, NULL, NULL), PL_OK);
	logstore_close(ls);
	assert_int_equal(count_rows("SELECT value FROM meta WHERE key = 'schema_version'"), 2);
	assert_int_equal(count_rows("SELECT count(*) FROM sqlite_master WHERE name = 'node'"), 0);
	free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roots_and_proofs),   cmocka_unit_test(test_checkpoints),
		cmocka_unit_test(test_tampering_is_found), cmocka_unit_test(test_entry_tampering),
		cmocka_unit_test(test_upper_levels),       cmocka_unit_test(test_attached),
		cmocka_unit_test(test_two_connections),    cmocka_unit_test(test_migration),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
