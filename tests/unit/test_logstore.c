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

static int
teardown(void **state)
{
	char p[80];

	(void)state;
	keys_free(logk);
	(void)unlink(path);
	(void)snprintf(p, sizeof(p), "%s-wal", path);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", path);
	(void)unlink(p);
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
	struct merkle_source src, mem_src;
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
	logstore_source(ls, &src);
	merkle_mem_source(&mem_src, &mem);
	mem.n = N;
	for (s = 1; s <= N; s++) {
		assert_int_equal(merkle_root(a, &src, s), PL_OK);
		assert_int_equal(merkle_root(b, &mem_src, s), PL_OK);
		assert_memory_equal(a, b, HASH_LEN);
	}
	for (s = 1; s <= N; s += 37) {
		for (m = 0; m < s; m += 13) {
			assert_int_equal(merkle_inclusion_proof(p1, &n1, &src, m, s), PL_OK);
			assert_int_equal(merkle_inclusion_proof(p2, &n2, &mem_src, m, s), PL_OK);
			assert_int_equal(n1, n2);
			assert_memory_equal(p1, p2, n1 * HASH_LEN);
		}
		assert_int_equal(merkle_consistency_proof(p1, &n1, &src, s, N), PL_OK);
		assert_int_equal(merkle_consistency_proof(p2, &n2, &mem_src, s, N), PL_OK);
		assert_int_equal(n1, n2);
		assert_memory_equal(p1, p2, n1 * HASH_LEN);
	}
	/* Past the end is an error, not a guess. */
	assert_int_equal(merkle_root(a, &src, N + 1), PL_E_STATE);
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
	corrupt("UPDATE node SET hash = zeroblob(32) WHERE level = 3 AND idx = 30");
	assert_int_equal(logstore_open(&ls, path), PL_OK);
	assert_int_equal(logstore_check(ls, &logkey), PL_E_STORE);
	assert_non_null(strstr(pl_err_msg(), "do not give the signed root"));
	assert_int_equal(logstore_verify_all(ls, NULL, NULL), PL_E_STORE);
	assert_non_null(strstr(pl_err_msg(), "level 3 index 30 (entries 240..247) is altered"));
	logstore_close(ls);

	/* A node inside a subtree (entries 40..47) needs the full check, which finds it first. */
	corrupt("UPDATE node SET hash = zeroblob(32) WHERE level = 3 AND idx = 5");
	assert_int_equal(logstore_open(&ls, path), PL_OK);
	assert_int_equal(logstore_verify_all(ls, NULL, NULL), PL_E_STORE);
	assert_non_null(strstr(pl_err_msg(), "level 3 index 5 (entries 40..47) is altered"));
	logstore_close(ls);

	corrupt("DELETE FROM node WHERE level = 3 AND idx = 30");
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
	/* 20 = 16 + 4: node (2, 4) is on the right edge, read on open. */
	corrupt("UPDATE node SET hash = x'00' WHERE level = 2 AND idx = 4");
	assert_int_equal(logstore_open(&ls, path), PL_E_STORE);
	assert_non_null(strstr(pl_err_msg(), "is 1 bytes, not 32"));
}

/* The upper levels are loaded on open: a missing row there is found at once. */
static void
test_upper_levels(void **state)
{
	struct logstore *ls;
	struct merkle_source src;
	uint8_t a[HASH_LEN], b[HASH_LEN];
	uint64_t size;

	(void)state;
	(void)unlink(path);
	assert_int_equal(logstore_open(&ls, path), PL_OK);
	append_range(ls, 0, 2500, 64);
	logstore_source(ls, &src);
	assert_int_equal(merkle_root(a, &src, 2500), PL_OK);
	logstore_close(ls);
	assert_int_equal(logstore_open(&ls, path), PL_OK);
	assert_int_equal(logstore_size(ls, &size), PL_OK);
	assert_true(size == 2500);
	logstore_source(ls, &src);
	assert_int_equal(merkle_root(b, &src, 2500), PL_OK);
	assert_memory_equal(a, b, HASH_LEN);
	assert_int_equal(logstore_verify_all(ls, NULL, NULL), PL_OK);
	logstore_close(ls);
	corrupt("DELETE FROM node WHERE level = 10 AND idx = 0");
	assert_int_equal(logstore_open(&ls, path), PL_E_STORE);
	assert_non_null(strstr(pl_err_msg(), "level 10 index 0 is missing"));
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roots_and_proofs),   cmocka_unit_test(test_checkpoints),
		cmocka_unit_test(test_tampering_is_found), cmocka_unit_test(test_entry_tampering),
		cmocka_unit_test(test_upper_levels),       cmocka_unit_test(test_attached),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
