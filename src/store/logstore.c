/*
 * logstore.c - the Merkle log in SQLite.  The only SQL of the log.
 *
 * Tables (schema version 1):
 *   meta(key PRIMARY KEY, value)            schema_version
 *   leaf(idx PRIMARY KEY, data BLOB)        entries, 0-based
 *   node(level, idx, hash BLOB)             hash of the complete subtree over
 *                                           leaves [idx << level, (idx+1) << level)
 *   checkpoint(size PRIMARY KEY, note TEXT) signed checkpoints
 *
 * The right edge of the tree (one pending left sibling per level, at most
 * 64) is kept in memory and rebuilt from node on open, so an append reads
 * nothing from disk.
 *
 * The upper levels (subtrees of 2^CACHE_LEVEL leaves and more, 1/512 of the
 * rows: 640 KiB for 10^7 entries) are also kept in memory, loaded on open
 * and extended after each committed append, so that a proof asks SQLite
 * only for its CACHE_LEVEL lowest hashes; each query costs microseconds.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "../common/alloc.h"
#include "../common/log.h"
#include "../tlog/checkpoint.h"
#include "logstore.h"

#define SCHEMA_VERSION 1
#define CACHE_LEVEL    10

struct logstore {
	sqlite3 *db;
	int borrowed; /* db belongs to the caller (logstore_attach), who runs the transactions */
	uint64_t size;
	uint8_t edge[64]
	            [HASH_LEN]; /* edge[l]: node(l, (size >> l) - 1) when bit l of size is set */
	sqlite3_stmt *get_node, *put_node, *put_leaf, *get_leaf;
	uint8_t (*cache[64])[HASH_LEN]; /* cache[l][i] = node(l, i) for l >= CACHE_LEVEL */
	uint64_t cache_n[64], cache_cap[64];
	int no_cache; /* set if the upper levels could not be kept: every read goes to SQLite */
};

static const char schema_sql[] =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=FULL;"
        "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS leaf(idx INTEGER PRIMARY KEY, data BLOB NOT NULL);"
        "CREATE TABLE IF NOT EXISTS node(level INTEGER NOT NULL, idx INTEGER NOT NULL,"
        " hash BLOB NOT NULL, PRIMARY KEY(level, idx)) WITHOUT ROWID;"
        "CREATE TABLE IF NOT EXISTS checkpoint(size INTEGER PRIMARY KEY, note TEXT NOT NULL);"
        "INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', 1);";
static const char get_node_sql[] = "SELECT hash FROM node WHERE level = ?1 AND idx = ?2";
static const char put_node_sql[] = "INSERT INTO node(level, idx, hash) VALUES(?1, ?2, ?3)";
static const char put_leaf_sql[] = "INSERT INTO leaf(idx, data) VALUES(?1, ?2)";
static const char get_leaf_sql[] = "SELECT data FROM leaf WHERE idx = ?1";
static const char version_sql[] = "SELECT value FROM meta WHERE key = 'schema_version'";
static const char count_sql[] = "SELECT COALESCE(MAX(idx) + 1, 0) FROM leaf";
static const char put_cp_sql[] = "INSERT OR REPLACE INTO checkpoint(size, note) VALUES(?1, ?2)";
static const char last_cp_sql[] = "SELECT size, note FROM checkpoint ORDER BY size DESC LIMIT 1";
static const char all_leaves_sql[] = "SELECT idx, data FROM leaf ORDER BY idx";
static const char upper_sql[] =
        "SELECT level, idx, hash FROM node WHERE level >= ?1 AND idx < (?2 >> level)"
        " ORDER BY level, idx";

static enum pl_err
db_err(struct logstore *ls, const char *what)
{
	return pl_errf(PL_E_STORE, "log store: %s: %s", what, sqlite3_errmsg(ls->db));
}

static enum pl_err
exec(struct logstore *ls, const char *sql)
{
	if (sqlite3_exec(ls->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_err(ls, sql);
	return PL_OK;
}

/* Read node(level, idx) into out; PL_E_STORE if missing or not 32 bytes. */
static enum pl_err
node_get(struct logstore *ls, unsigned level, uint64_t idx, uint8_t out[HASH_LEN])
{
	sqlite3_stmt *st = ls->get_node;
	enum pl_err err = PL_OK;
	int rc;

	sqlite3_bind_int(st, 1, (int)level);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)idx);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != HASH_LEN)
			err = pl_errf(PL_E_STORE,
			              "log store: hash at level %u index %llu is %d "
			              "bytes, not 32: corrupt",
			              level, (unsigned long long)idx, sqlite3_column_bytes(st, 0));
		else
			memcpy(out, sqlite3_column_blob(st, 0), HASH_LEN);
	} else if (rc == SQLITE_DONE) {
		err = pl_errf(PL_E_STORE,
		              "log store: no hash at level %u index %llu: corrupt or "
		              "truncated",
		              level, (unsigned long long)idx);
	} else {
		err = db_err(ls, "read node");
	}
	sqlite3_reset(st);
	return err;
}

static enum pl_err
node_put(struct logstore *ls, unsigned level, uint64_t idx, const uint8_t h[HASH_LEN])
{
	sqlite3_stmt *st = ls->put_node;
	int rc;

	sqlite3_bind_int(st, 1, (int)level);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)idx);
	sqlite3_bind_blob(st, 3, h, HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PL_OK : db_err(ls, "write node");
}

static enum pl_err
source_get(void *ctx, uint64_t index, uint64_t size, uint8_t out[HASH_LEN])
{
	struct logstore *ls = ctx;
	unsigned level = 0;

	while (((uint64_t)1 << level) < size)
		level++;
	if (((uint64_t)1 << level) != size || index % size != 0 || index + size > ls->size)
		return pl_errf(PL_E_STATE, "log store: no subtree [%llu, +%llu) in %llu entries",
		               (unsigned long long)index, (unsigned long long)size,
		               (unsigned long long)ls->size);
	if (level >= CACHE_LEVEL && (index >> level) < ls->cache_n[level]) {
		memcpy(out, ls->cache[level][index >> level], HASH_LEN);
		return PL_OK;
	}
	return node_get(ls, level, index >> level, out);
}

/* Append node(level, idx) to the in-memory upper levels; idx must be the next one. */
static enum pl_err
cache_push(struct logstore *ls, unsigned level, uint64_t idx, const uint8_t h[HASH_LEN])
{
	if (idx != ls->cache_n[level])
		return pl_errf(PL_E_STORE,
		               "log store: hash at level %u index %llu is missing: "
		               "corrupt or truncated",
		               level, (unsigned long long)ls->cache_n[level]);
	if (ls->cache_n[level] == ls->cache_cap[level]) {
		uint64_t cap = ls->cache_cap[level] ? 2 * ls->cache_cap[level] : 64;
		void *p = pl_realloc(ls->cache[level], (size_t)cap * HASH_LEN);

		if (p == NULL)
			return pl_errf(PL_E_NOMEM, "log store: out of memory for the upper levels");
		ls->cache[level] = p;
		ls->cache_cap[level] = cap;
	}
	memcpy(ls->cache[level][ls->cache_n[level]++], h, HASH_LEN);
	return PL_OK;
}

/* Bring the upper levels up to the current size, from disk. */
static enum pl_err
cache_fill(struct logstore *ls)
{
	uint8_t h[HASH_LEN];
	unsigned l;

	if (ls->no_cache)
		return PL_OK;
	for (l = CACHE_LEVEL; l < 64; l++)
		while (ls->cache_n[l] < (ls->size >> l)) {
			PL_TRY(node_get(ls, l, ls->cache_n[l], h));
			PL_TRY(cache_push(ls, l, ls->cache_n[l], h));
		}
	return PL_OK;
}

/* Load the upper levels on open with one query. */
static enum pl_err
cache_load(struct logstore *ls)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = PL_OK;
	int rc;

	if (sqlite3_prepare_v2(ls->db, upper_sql, -1, &st, NULL) != SQLITE_OK)
		return db_err(ls, "prepare");
	sqlite3_bind_int(st, 1, CACHE_LEVEL);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)ls->size);
	while (err == PL_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		unsigned level = (unsigned)sqlite3_column_int(st, 0);
		uint64_t idx = (uint64_t)sqlite3_column_int64(st, 1);

		if (level >= 64 || sqlite3_column_bytes(st, 2) != HASH_LEN)
			err = pl_errf(PL_E_STORE,
			              "log store: hash at level %u index %llu is "
			              "malformed: corrupt",
			              level, (unsigned long long)idx);
		else
			err = cache_push(ls, level, idx, sqlite3_column_blob(st, 2));
	}
	if (err == PL_OK && rc != SQLITE_DONE)
		err = db_err(ls, "read upper levels");
	sqlite3_finalize(st);
	/* A level whose rows stop short of the size is missing some. */
	return err == PL_OK ? cache_fill(ls) : err;
}

void
logstore_source(struct logstore *ls, struct merkle_source *src)
{
	src->get = source_get;
	src->ctx = ls;
}

static enum pl_err
prepare(struct logstore *ls, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(ls->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_err(ls, "prepare");
	return PL_OK;
}

/* Size from the leaves, and the right edge from the nodes. */
static enum pl_err
load(struct logstore *ls)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = PL_OK;
	unsigned l;

	if ((err = prepare(ls, version_sql, &st)) != PL_OK)
		return err;
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != SCHEMA_VERSION)
		err = pl_errf(PL_E_STORE, "log store: unknown schema version %d (want %d)",
		              sqlite3_column_int(st, 0), SCHEMA_VERSION);
	sqlite3_finalize(st);
	if (err != PL_OK || (err = prepare(ls, count_sql, &st)) != PL_OK)
		return err;
	if (sqlite3_step(st) != SQLITE_ROW)
		err = db_err(ls, "count entries");
	else
		ls->size = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	for (l = 0; err == PL_OK && l < 64; l++)
		if ((ls->size >> l) & 1)
			err = node_get(ls, l, (ls->size >> l) - 1, ls->edge[l]);
	return err == PL_OK ? cache_load(ls) : err;
}

/* Schema, statements and the in-memory state, on ls->db. */
static enum pl_err
setup(struct logstore *ls)
{
	enum pl_err err;

	if ((err = exec(ls, schema_sql)) != PL_OK ||
	    (err = prepare(ls, get_node_sql, &ls->get_node)) != PL_OK ||
	    (err = prepare(ls, put_node_sql, &ls->put_node)) != PL_OK ||
	    (err = prepare(ls, put_leaf_sql, &ls->put_leaf)) != PL_OK ||
	    (err = prepare(ls, get_leaf_sql, &ls->get_leaf)) != PL_OK)
		return err;
	return load(ls);
}

enum pl_err
logstore_open(struct logstore **out, const char *path)
{
	struct logstore *ls;
	enum pl_err err;

	*out = NULL;
	if ((ls = pl_calloc(1, sizeof(*ls))) == NULL)
		return pl_errf(PL_E_NOMEM, "log store: out of memory");
	if (sqlite3_open_v2(path, &ls->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		err = pl_errf(PL_E_STORE, "log store: %s: %s", path,
		              ls->db ? sqlite3_errmsg(ls->db) : "cannot open");
		logstore_close(ls);
		return err;
	}
	sqlite3_busy_timeout(ls->db, 5000);
	if ((err = setup(ls)) != PL_OK) {
		logstore_close(ls);
		return err;
	}
	*out = ls;
	return PL_OK;
}

enum pl_err
logstore_attach(struct logstore **out, struct sqlite3 *db)
{
	struct logstore *ls;
	enum pl_err err;

	*out = NULL;
	if ((ls = pl_calloc(1, sizeof(*ls))) == NULL)
		return pl_errf(PL_E_NOMEM, "log store: out of memory");
	ls->db = db;
	ls->borrowed = 1;
	if ((err = setup(ls)) != PL_OK) {
		logstore_close(ls);
		return err;
	}
	*out = ls;
	return PL_OK;
}

/* Forget the in-memory state (size, right edge, upper levels). */
static void
forget(struct logstore *ls)
{
	unsigned l;

	for (l = 0; l < 64; l++) {
		pl_free(ls->cache[l]);
		ls->cache[l] = NULL;
		ls->cache_n[l] = ls->cache_cap[l] = 0;
	}
	ls->no_cache = 0;
	ls->size = 0;
	memset(ls->edge, 0, sizeof(ls->edge));
}

enum pl_err
logstore_reload(struct logstore *ls)
{
	forget(ls);
	return load(ls);
}

void
logstore_close(struct logstore *ls)
{
	if (ls == NULL)
		return;
	sqlite3_finalize(ls->get_node);
	sqlite3_finalize(ls->put_node);
	sqlite3_finalize(ls->put_leaf);
	sqlite3_finalize(ls->get_leaf);
	if (!ls->borrowed)
		sqlite3_close(ls->db);
	forget(ls);
	pl_free(ls);
}

enum pl_err
logstore_size(struct logstore *ls, uint64_t *size)
{
	*size = ls->size;
	return PL_OK;
}

/* Add one entry inside the open transaction, updating size and edge in tmp copies. */
static enum pl_err
append_one(struct logstore *ls, uint64_t *size, uint8_t edge[64][HASH_LEN], const uint8_t *p,
           size_t n)
{
	uint8_t h[HASH_LEN];
	uint64_t idx = *size;
	unsigned l = 0;
	int rc;

	if (n > LOGSTORE_ENTRY_MAX)
		return pl_errf(PL_E_TOOBIG, "log store: entry of %zu bytes > %d", n,
		               LOGSTORE_ENTRY_MAX);
	sqlite3_bind_int64(ls->put_leaf, 1, (sqlite3_int64)idx);
	sqlite3_bind_blob(ls->put_leaf, 2, p, (int)n, SQLITE_STATIC);
	rc = sqlite3_step(ls->put_leaf);
	sqlite3_reset(ls->put_leaf);
	if (rc != SQLITE_DONE)
		return db_err(ls, "write entry");
	merkle_leaf_hash(h, p, n);
	PL_TRY(node_put(ls, 0, idx, h));
	/* SPEC: RFC9162 2.1.1: each completed pair of subtrees makes their parent. */
	while ((idx >> l) & 1) {
		merkle_node_hash(h, edge[l], h);
		l++;
		PL_TRY(node_put(ls, l, idx >> l, h));
	}
	memcpy(edge[l], h, HASH_LEN);
	*size = idx + 1;
	return PL_OK;
}

enum pl_err
logstore_append(struct logstore *ls, const uint8_t *const *entries, const size_t *lens, size_t n,
                uint64_t *first)
{
	uint8_t(*edge)[HASH_LEN];
	uint64_t size = ls->size;
	enum pl_err err;
	size_t i;

	*first = ls->size;
	if ((edge = pl_malloc(sizeof(ls->edge))) == NULL)
		return pl_errf(PL_E_NOMEM, "log store: out of memory");
	memcpy(edge, ls->edge, sizeof(ls->edge));
	/* An attached log appends inside the caller's transaction, in a savepoint. */
	if ((err = exec(ls, ls->borrowed ? "SAVEPOINT logstore_append" : "BEGIN IMMEDIATE")) !=
	    PL_OK)
		goto out;
	for (i = 0; i < n && err == PL_OK; i++)
		err = append_one(ls, &size, edge, entries[i], lens[i]);
	if (err == PL_OK)
		err = exec(ls, ls->borrowed ? "RELEASE logstore_append" : "COMMIT");
	if (err != PL_OK) {
		(void)sqlite3_exec(ls->db,
		                   ls->borrowed
		                           ? "ROLLBACK TO logstore_append; RELEASE logstore_append"
		                           : "ROLLBACK",
		                   NULL, NULL, NULL);
		goto out;
	}
	/* Only a committed append moves the in-memory state. */
	ls->size = size;
	memcpy(ls->edge, edge, sizeof(ls->edge));
	/*
	 * The entries are committed: report success whatever happens to the
	 * in-memory copy, or a caller's retry would append them twice.  If the
	 * upper levels cannot be extended, drop them and read from SQLite.
	 */
	if (cache_fill(ls) != PL_OK) {
		unsigned l;

		log_warnx("log store: upper levels not kept in memory (%s); reading from disk",
		          pl_err_msg());
		for (l = 0; l < 64; l++) {
			pl_free(ls->cache[l]);
			ls->cache[l] = NULL;
			ls->cache_n[l] = ls->cache_cap[l] = 0;
		}
		ls->no_cache = 1;
	}
out:
	pl_free(edge);
	return err;
}

enum pl_err
logstore_entry(struct logstore *ls, uint64_t index, struct buf *out)
{
	sqlite3_stmt *st = ls->get_leaf;
	enum pl_err err;
	int rc;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)index);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		err = buf_add(out, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	else if (rc == SQLITE_DONE)
		err = pl_errf(PL_E_ARG, "log store: no entry %llu (size %llu)",
		              (unsigned long long)index, (unsigned long long)ls->size);
	else
		err = db_err(ls, "read entry");
	sqlite3_reset(st);
	return err;
}

enum pl_err
logstore_checkpoint_put(struct logstore *ls, const char *note, size_t n,
                        const struct note_key *log_key)
{
	static _Thread_local struct note nt;
	struct merkle_source src;
	struct checkpoint cp;
	uint8_t root[HASH_LEN];
	sqlite3_stmt *st = NULL;
	int rc;

	/* Nothing unverified enters the store. */
	PL_TRY(checkpoint_open(&cp, &nt, note, n, log_key, NULL, 0, NULL));
	if (cp.size > ls->size)
		return pl_errf(PL_E_ARG, "log store: checkpoint of size %llu beyond the log's %llu",
		               (unsigned long long)cp.size, (unsigned long long)ls->size);
	logstore_source(ls, &src);
	PL_TRY(merkle_root(root, &src, cp.size));
	if (memcmp(root, cp.root, HASH_LEN) != 0)
		return pl_errf(PL_E_ARG,
		               "log store: checkpoint root differs from the log's at "
		               "size %llu",
		               (unsigned long long)cp.size);
	PL_TRY(prepare(ls, put_cp_sql, &st));
	sqlite3_bind_int64(st, 1, (sqlite3_int64)cp.size);
	sqlite3_bind_text(st, 2, note, (int)n, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? PL_OK : db_err(ls, "write checkpoint");
}

enum pl_err
logstore_checkpoint_last(struct logstore *ls, uint64_t *size, struct buf *out)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = PL_OK;
	int rc;

	*size = 0;
	PL_TRY(prepare(ls, last_cp_sql, &st));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*size = (uint64_t)sqlite3_column_int64(st, 0);
		err = buf_add(out, sqlite3_column_text(st, 1), (size_t)sqlite3_column_bytes(st, 1));
	} else if (rc != SQLITE_DONE) {
		err = db_err(ls, "read checkpoint");
	}
	sqlite3_finalize(st);
	return err;
}

enum pl_err
logstore_check(struct logstore *ls, const struct note_key *log_key)
{
	static _Thread_local struct note nt;
	struct merkle_source src;
	struct checkpoint cp;
	uint8_t root[HASH_LEN];
	uint64_t size;
	struct buf b;
	enum pl_err err;

	buf_init(&b, NOTE_MAX);
	if ((err = logstore_checkpoint_last(ls, &size, &b)) != PL_OK || b.len == 0)
		goto out;
	if (checkpoint_open(&cp, &nt, (const char *)b.data, b.len, log_key, NULL, 0, NULL) !=
	    PL_OK) {
		err = pl_errf(PL_E_STORE, "log store: stored checkpoint %llu: %s",
		              (unsigned long long)size, pl_err_msg());
		goto out;
	}
	if (cp.size != size || cp.size > ls->size) {
		err = pl_errf(PL_E_STORE,
		              "log store: checkpoint of size %llu but %llu entries "
		              "stored: truncated or altered",
		              (unsigned long long)cp.size, (unsigned long long)ls->size);
		goto out;
	}
	logstore_source(ls, &src);
	if ((err = merkle_root(root, &src, cp.size)) != PL_OK)
		goto out;
	if (memcmp(root, cp.root, HASH_LEN) != 0)
		err = pl_errf(PL_E_STORE,
		              "log store: stored hashes at size %llu do not give the "
		              "signed root: altered (run 'parley log verify' to locate)",
		              (unsigned long long)cp.size);
out:
	buf_reset(&b);
	return err;
}

enum pl_err
logstore_verify_all(struct logstore *ls, void (*progress)(uint64_t, uint64_t, void *), void *ctx)
{
	uint8_t edge[64][HASH_LEN], h[HASH_LEN], stored[HASH_LEN];
	sqlite3_stmt *st = NULL;
	enum pl_err err = PL_OK;
	uint64_t idx = 0;
	int rc;

	PL_TRY(prepare(ls, all_leaves_sql, &st));
	while (err == PL_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		unsigned l = 0;

		if ((uint64_t)sqlite3_column_int64(st, 0) != idx) {
			err = pl_errf(PL_E_STORE, "log store: entry %llu is missing",
			              (unsigned long long)idx);
			break;
		}
		merkle_leaf_hash(h, sqlite3_column_blob(st, 1),
		                 (size_t)sqlite3_column_bytes(st, 1));
		if ((err = node_get(ls, 0, idx, stored)) != PL_OK)
			break;
		if (memcmp(h, stored, HASH_LEN) != 0) {
			err = pl_errf(PL_E_STORE,
			              "log store: entry %llu does not match its stored "
			              "leaf hash: the entry or the hash was altered",
			              (unsigned long long)idx);
			break;
		}
		while ((idx >> l) & 1) {
			merkle_node_hash(h, edge[l], h);
			l++;
			if ((err = node_get(ls, l, idx >> l, stored)) != PL_OK)
				break;
			if (memcmp(h, stored, HASH_LEN) != 0) {
				err = pl_errf(PL_E_STORE,
				              "log store: hash at level %u index %llu "
				              "(entries %llu..%llu) is altered",
				              l, (unsigned long long)(idx >> l),
				              (unsigned long long)((idx >> l) << l),
				              (unsigned long long)(((idx >> l) + 1) << l) - 1);
				break;
			}
		}
		memcpy(edge[l], h, HASH_LEN);
		idx++;
		if (progress != NULL && idx % 65536 == 0)
			progress(idx, ls->size, ctx);
	}
	if (err == PL_OK && rc != SQLITE_DONE)
		err = db_err(ls, "read entries");
	sqlite3_finalize(st);
	if (err == PL_OK && progress != NULL)
		progress(idx, ls->size, ctx);
	return err;
}
