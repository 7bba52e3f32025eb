/*
 * logstore.c - the Merkle log in SQLite.  The only SQL of the log.
 *
 * Tables (schema version 2):
 *   meta(key PRIMARY KEY, value)            schema_version
 *   leaf(idx PRIMARY KEY, data BLOB)        entries, 0-based
 *   tile(id PRIMARY KEY, hashes BLOB)       the hash of every complete subtree,
 *                                           grouped in tiles (below)
 *   checkpoint(size PRIMARY KEY, note TEXT) signed checkpoints
 *
 * Tiles.  node(l, i) is the hash of the complete subtree over entries
 * [i << l, (i + 1) << l).  Tile (t, j) holds the nodes of levels 6t to
 * 6t + 5 under the 64 nodes j*64 .. j*64 + 63 of level 6t: 64 + 32 + 16 + 8
 * + 4 + 2 = 126 hashes, level by level, in one 4032-byte row with rowid
 * (t << 58) | j (it fits one 4 KiB page).  A proof's siblings below level
 * 12 come from two tiles, so from two rows, however long the log; slots
 * not filled yet are zero.  (Schema version 1 kept one row per node, ten
 * random reads per proof; it is migrated on open by recomputing the tree
 * from the entries, which the signed checkpoint then checks.)
 *
 * In memory: the right edge of the tree (one pending left sibling per
 * level), the newest tile of each tile level as committed, the last other
 * tile read, and the levels from CACHE_LEVEL up (1/2048 of the nodes: 150
 * KiB for 10^7 entries).  An append reads nothing from disk; a proof reads
 * at most two rows.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "../common/alloc.h"
#include "../common/log.h"
#include "../tlog/checkpoint.h"
#include "logstore.h"

#define SCHEMA_VERSION 2
#define TILE_H         6
#define TILE_SLOTS     126 /* 2^(TILE_H+1) - 2 */
#define TILE_BYTES     (TILE_SLOTS * HASH_LEN)
#define TILE_LEVELS    11 /* ceil(64 / TILE_H) */
#define CACHE_LEVEL    (2 * TILE_H)

struct tile {
	int have, dirty;
	uint64_t j;
	uint8_t h[TILE_SLOTS][HASH_LEN];
};

struct logstore {
	sqlite3 *db;
	int borrowed; /* db belongs to the caller (logstore_attach), who runs the transactions */
	uint64_t size;
	uint8_t edge[64]
	            [HASH_LEN]; /* edge[l]: node(l, (size >> l) - 1) when bit l of size is set */
	struct tile newest[TILE_LEVELS]; /* the tile holding the last node of level 6t */
	struct tile work[TILE_LEVELS];   /* newest, while an append is in progress */
	unsigned touched;                /* bit t: work[t] changed by the append in progress */
	struct tile read[TILE_LEVELS];   /* the last complete tile read from disk */
	sqlite3_stmt *get_tile, *put_tile, *put_leaf, *get_leaf;
	uint8_t (*cache[64])[HASH_LEN]; /* cache[l][i] = node(l, i) for l >= CACHE_LEVEL */
	uint64_t cache_n[64], cache_cap[64];
	int no_cache; /* set if the upper levels could not be kept: every read goes to SQLite */
};

static const char schema_sql[] =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=FULL;"
        "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS leaf(idx INTEGER PRIMARY KEY, data BLOB NOT NULL);"
        "CREATE TABLE IF NOT EXISTS tile(id INTEGER PRIMARY KEY, hashes BLOB NOT NULL);"
        "CREATE TABLE IF NOT EXISTS checkpoint(size INTEGER PRIMARY KEY, note TEXT NOT NULL);"
        "INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', 2);";
static const char get_tile_sql[] = "SELECT hashes FROM tile WHERE id = ?1";
static const char put_tile_sql[] = "INSERT OR REPLACE INTO tile(id, hashes) VALUES(?1, ?2)";
static const char put_leaf_sql[] = "INSERT INTO leaf(idx, data) VALUES(?1, ?2)";
static const char get_leaf_sql[] = "SELECT data FROM leaf WHERE idx = ?1";
static const char version_sql[] = "SELECT value FROM meta WHERE key = 'schema_version'";
static const char count_sql[] = "SELECT COALESCE(MAX(idx) + 1, 0) FROM leaf";
static const char put_cp_sql[] = "INSERT OR REPLACE INTO checkpoint(size, note) VALUES(?1, ?2)";
static const char last_cp_sql[] = "SELECT size, note FROM checkpoint ORDER BY size DESC LIMIT 1";
static const char all_leaves_sql[] = "SELECT idx, data FROM leaf ORDER BY idx";
static const char migrate_1_sql[] = "DROP TABLE IF EXISTS node;"
                                    "UPDATE meta SET value = 2 WHERE key = 'schema_version'";

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

/* Where node(level, idx) lives: tile level *t, tile index *j, and the slot returned. */
static unsigned
tile_of(unsigned level, uint64_t idx, unsigned *t, uint64_t *j)
{
	unsigned r = level % TILE_H, width = 1U << (TILE_H - r);

	*t = level / TILE_H;
	*j = idx >> (TILE_H - r);
	/* Levels 0..r-1 of the tile come first: 64 + 32 + ... = 128 - 2 * width. */
	return (2U << TILE_H) - 2 * width + (unsigned)(idx & (width - 1));
}

static sqlite3_int64
tile_id(unsigned t, uint64_t j)
{
	return (sqlite3_int64)(((uint64_t)t << 58) | j);
}

/* Read tile (t, j) from disk into *tl; PL_E_STORE naming node(level, idx) if absent or malformed. */
static enum pl_err
tile_read(struct logstore *ls, unsigned t, uint64_t j, struct tile *tl, unsigned level,
          uint64_t idx)
{
	sqlite3_stmt *st = ls->get_tile;
	enum pl_err err = PL_OK;
	int rc;

	sqlite3_bind_int64(st, 1, tile_id(t, j));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != TILE_BYTES) {
			err = pl_errf(PL_E_STORE,
			              "log store: hash at level %u index %llu: its tile (%u, %llu) "
			              "is %d bytes, not %d: corrupt",
			              level, (unsigned long long)idx, t, (unsigned long long)j,
			              sqlite3_column_bytes(st, 0), TILE_BYTES);
		} else {
			memcpy(tl->h, sqlite3_column_blob(st, 0), TILE_BYTES);
			tl->j = j;
			tl->have = 1;
			tl->dirty = 0;
		}
	} else if (rc == SQLITE_DONE) {
		err = pl_errf(PL_E_STORE,
		              "log store: no hash at level %u index %llu (tile %u, %llu is "
		              "missing): corrupt or truncated",
		              level, (unsigned long long)idx, t, (unsigned long long)j);
	} else {
		err = db_err(ls, "read tile");
	}
	sqlite3_reset(st);
	return err;
}

/* Read node(level, idx) into out; PL_E_STORE if missing or malformed. */
static enum pl_err
node_get(struct logstore *ls, unsigned level, uint64_t idx, uint8_t out[HASH_LEN])
{
	static const uint8_t zero[HASH_LEN];
	uint64_t j;
	unsigned t, slot = tile_of(level, idx, &t, &j);
	const struct tile *tl = &ls->newest[t];

	if (!tl->have || tl->j != j) {
		tl = &ls->read[t];
		if (!tl->have || tl->j != j)
			PL_TRY(tile_read(ls, t, j, &ls->read[t], level, idx));
	}
	/* Every node asked for is below the size, so its slot is filled. */
	if (memcmp(tl->h[slot], zero, HASH_LEN) == 0)
		return pl_errf(PL_E_STORE,
		               "log store: no hash at level %u index %llu: corrupt or truncated",
		               level, (unsigned long long)idx);
	memcpy(out, tl->h[slot], HASH_LEN);
	return PL_OK;
}

static enum pl_err
tile_write(struct logstore *ls, unsigned t, struct tile *tl)
{
	sqlite3_stmt *st = ls->put_tile;
	int rc;

	sqlite3_bind_int64(st, 1, tile_id(t, tl->j));
	sqlite3_bind_blob(st, 2, tl->h, TILE_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_err(ls, "write tile");
	tl->dirty = 0;
	return PL_OK;
}

/* Put node(level, idx) into the working tiles; a tile left behind is complete and written. */
static enum pl_err
node_put(struct logstore *ls, unsigned level, uint64_t idx, const uint8_t h[HASH_LEN])
{
	uint64_t j;
	unsigned t, slot = tile_of(level, idx, &t, &j);
	struct tile *tl = &ls->work[t];

	ls->touched |= 1U << t;
	if (!tl->have || tl->j != j) {
		if (tl->have && tl->dirty)
			PL_TRY(tile_write(ls, t, tl));
		memset(tl->h, 0, sizeof(tl->h));
		tl->j = j;
		tl->have = 1;
	}
	memcpy(tl->h[slot], h, HASH_LEN);
	tl->dirty = 1;
	return PL_OK;
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

/* Bring the upper levels up to the current size, from the tiles (one read per 64 nodes). */
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

/*
 * Catch up with size entries on disk: the newest tile of each tile level,
 * the right edge and the upper levels.  Tiles read before are dropped, in
 * case they came from a transaction that rolled back.
 */
static enum pl_err
load_edge(struct logstore *ls, uint64_t size)
{
	unsigned t, l;

	for (t = 0; t < TILE_LEVELS; t++) {
		ls->newest[t].have = ls->read[t].have = 0;
		if ((size >> (TILE_H * t)) > 0) {
			uint64_t last = (size >> (TILE_H * t)) - 1;

			PL_TRY(tile_read(ls, t, last >> TILE_H, &ls->newest[t], TILE_H * t, last));
		}
	}
	for (l = 0; l < 64; l++) {
		if (ls->cache_n[l] > (size >> l))
			ls->cache_n[l] = size >> l;
		if ((size >> l) & 1)
			PL_TRY(node_get(ls, l, (size >> l) - 1, ls->edge[l]));
	}
	ls->size = size;
	return cache_fill(ls);
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

static enum pl_err
count(struct logstore *ls, uint64_t *size)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = PL_OK;

	PL_TRY(prepare(ls, count_sql, &st));
	if (sqlite3_step(st) != SQLITE_ROW)
		err = db_err(ls, "count entries");
	else
		*size = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return err;
}

static enum pl_err append_one(struct logstore *ls, uint64_t *size, uint8_t edge[64][HASH_LEN],
                              const uint8_t *p, size_t n, int store_entry);
static enum pl_err flush_work(struct logstore *ls);

/* Schema version 1 to 2: the tiles, recomputed from the entries in one savepoint. */
static enum pl_err
migrate_1(struct logstore *ls)
{
	uint8_t(*edge)[HASH_LEN] = pl_malloc(sizeof(ls->edge));
	sqlite3_stmt *st = NULL;
	enum pl_err err;
	uint64_t size = 0;
	int rc = SQLITE_DONE;

	log_info("log store: migrating schema 1 to 2 (hashes grouped in tiles)");
	if (edge == NULL)
		return pl_errf(PL_E_NOMEM, "log store: out of memory");
	if ((err = exec(ls, "SAVEPOINT logstore_migrate")) != PL_OK) {
		pl_free(edge);
		return err;
	}
	if ((err = prepare(ls, all_leaves_sql, &st)) == PL_OK) {
		while (err == PL_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
			if ((uint64_t)sqlite3_column_int64(st, 0) != size)
				err = pl_errf(PL_E_STORE, "log store: entry %llu is missing",
				              (unsigned long long)size);
			else
				err = append_one(ls, &size, edge, sqlite3_column_blob(st, 1),
				                 (size_t)sqlite3_column_bytes(st, 1), 0);
		if (err == PL_OK && rc != SQLITE_DONE)
			err = db_err(ls, "read entries");
		sqlite3_finalize(st);
	}
	if (err == PL_OK && (err = flush_work(ls)) == PL_OK &&
	    (err = exec(ls, migrate_1_sql)) == PL_OK)
		err = exec(ls, "RELEASE logstore_migrate");
	if (err != PL_OK)
		(void)sqlite3_exec(ls->db, "ROLLBACK TO logstore_migrate; RELEASE logstore_migrate",
		                   NULL, NULL, NULL);
	memset(ls->work, 0, sizeof(ls->work));
	pl_free(edge);
	return err;
}

/* Schema version, then size from the leaves and the rest from the tiles. */
static enum pl_err
load(struct logstore *ls)
{
	sqlite3_stmt *st = NULL;
	enum pl_err err = PL_OK;
	uint64_t size = 0;
	int version = 0;

	PL_TRY(prepare(ls, version_sql, &st));
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version == 1)
		PL_TRY(migrate_1(ls));
	else if (version != SCHEMA_VERSION)
		return pl_errf(PL_E_STORE, "log store: unknown schema version %d (want %d)",
		               version, SCHEMA_VERSION);
	PL_TRY(count(ls, &size));
	if ((err = load_edge(ls, size)) == PL_OK)
		memcpy(ls->work, ls->newest, sizeof(ls->work));
	ls->touched = 0;
	return err;
}

/* Schema, statements and the in-memory state, on ls->db. */
static enum pl_err
setup(struct logstore *ls)
{
	enum pl_err err;

	if ((err = exec(ls, schema_sql)) != PL_OK ||
	    (err = prepare(ls, get_tile_sql, &ls->get_tile)) != PL_OK ||
	    (err = prepare(ls, put_tile_sql, &ls->put_tile)) != PL_OK ||
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

/*
 * Bring the in-memory state up to what the database holds now: another
 * connection may have appended since, or the caller rolled back an append.
 * A stored hash below the stored size never changes, so the upper levels
 * already held stay valid up to the new size: one query when nothing
 * changed, a few rows when it did.
 */
enum pl_err
logstore_reload(struct logstore *ls)
{
	uint64_t size = 0;
	enum pl_err err;

	PL_TRY(count(ls, &size));
	if (size == ls->size)
		return PL_OK;
	if ((err = load_edge(ls, size)) == PL_OK)
		memcpy(ls->work, ls->newest, sizeof(ls->work));
	ls->touched = 0;
	return err;
}

/*
 * Reads that must see one state of the log run in a read transaction of
 * their own when the caller has none open: a consistent snapshot, and one
 * lock for the whole proof instead of one per stored hash.
 */
static enum pl_err
snapshot_begin(struct logstore *ls, int *own)
{
	enum pl_err err;

	*own = sqlite3_get_autocommit(ls->db);
	if (!*own)
		return PL_OK;
	PL_TRY(exec(ls, "BEGIN"));
	if ((err = logstore_reload(ls)) != PL_OK)
		(void)sqlite3_exec(ls->db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

static enum pl_err
snapshot_end(struct logstore *ls, int own, enum pl_err err)
{
	if (own)
		(void)sqlite3_exec(ls->db, "COMMIT", NULL, NULL, NULL);
	return err;
}

enum pl_err
logstore_root(struct logstore *ls, uint64_t size, uint8_t root[HASH_LEN])
{
	struct merkle_source src;
	int own;

	PL_TRY(snapshot_begin(ls, &own));
	logstore_source(ls, &src);
	return snapshot_end(ls, own, merkle_root(root, &src, size));
}

enum pl_err
logstore_inclusion(struct logstore *ls, uint64_t index, uint64_t size, uint8_t proof[][HASH_LEN],
                   size_t *n)
{
	struct merkle_source src;
	int own;

	*n = 0;
	PL_TRY(snapshot_begin(ls, &own));
	logstore_source(ls, &src);
	return snapshot_end(ls, own, merkle_inclusion_proof(proof, n, &src, index, size));
}

enum pl_err
logstore_consistency(struct logstore *ls, uint64_t old, uint64_t size, uint8_t proof[][HASH_LEN],
                     size_t *n)
{
	struct merkle_source src;
	int own;

	*n = 0;
	PL_TRY(snapshot_begin(ls, &own));
	logstore_source(ls, &src);
	return snapshot_end(ls, own, merkle_consistency_proof(proof, n, &src, old, size));
}

enum pl_err
logstore_hashes(struct logstore *ls, unsigned level, uint64_t start, size_t count, uint64_t size,
                struct buf *out)
{
	struct merkle_source src;
	uint8_t h[HASH_LEN];
	enum pl_err err = PL_OK;
	size_t i;
	int own;

	if (level >= 64 || count > (size >> level) || start > (size >> level) - count)
		return pl_errf(PL_E_ARG,
		               "log store: no %zu complete hashes at level %u from %llu "
		               "in %llu entries",
		               count, level, (unsigned long long)start, (unsigned long long)size);
	PL_TRY(snapshot_begin(ls, &own));
	if (size > ls->size)
		err = pl_errf(PL_E_ARG, "log store: size %llu beyond the log's %llu",
		              (unsigned long long)size, (unsigned long long)ls->size);
	logstore_source(ls, &src);
	for (i = 0; i < count && err == PL_OK; i++)
		if ((err = src.get(src.ctx, (start + i) << level, (uint64_t)1 << level, h)) ==
		    PL_OK)
			err = buf_add(out, h, HASH_LEN);
	return snapshot_end(ls, own, err);
}

enum pl_err
logstore_entries(struct logstore *ls, uint64_t start, size_t count, struct buf *out)
{
	enum pl_err err = PL_OK;
	size_t i;
	int own;

	PL_TRY(snapshot_begin(ls, &own));
	if (count > ls->size || start > ls->size - count)
		err = pl_errf(PL_E_ARG, "log store: no entries [%llu, +%zu) in %llu",
		              (unsigned long long)start, count, (unsigned long long)ls->size);
	for (i = 0; i < count && err == PL_OK; i++) {
		size_t at = out->len;
		uint8_t len[2] = { 0, 0 };

		if ((err = buf_add(out, len, 2)) != PL_OK ||
		    (err = logstore_entry(ls, start + i, out)) != PL_OK)
			break;
		if (out->len - at - 2 > 0xffff) {
			err = pl_errf(PL_E_ARG, "log store: entry %llu is over 65535 bytes",
			              (unsigned long long)(start + i));
			break;
		}
		out->data[at] = (uint8_t)((out->len - at - 2) >> 8);
		out->data[at + 1] = (uint8_t)(out->len - at - 2);
	}
	return snapshot_end(ls, own, err);
}

void
logstore_close(struct logstore *ls)
{
	if (ls == NULL)
		return;
	sqlite3_finalize(ls->get_tile);
	sqlite3_finalize(ls->put_tile);
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

/*
 * Add one entry inside the open transaction (its row too if store_entry),
 * updating size and edge in the caller's copies and the working tiles.
 */
static enum pl_err
append_one(struct logstore *ls, uint64_t *size, uint8_t edge[64][HASH_LEN], const uint8_t *p,
           size_t n, int store_entry)
{
	uint8_t h[HASH_LEN];
	uint64_t idx = *size;
	unsigned l = 0;
	int rc;

	if (n > LOGSTORE_ENTRY_MAX)
		return pl_errf(PL_E_TOOBIG, "log store: entry of %zu bytes > %d", n,
		               LOGSTORE_ENTRY_MAX);
	if (store_entry) {
		sqlite3_bind_int64(ls->put_leaf, 1, (sqlite3_int64)idx);
		sqlite3_bind_blob(ls->put_leaf, 2, p, (int)n, SQLITE_STATIC);
		rc = sqlite3_step(ls->put_leaf);
		sqlite3_reset(ls->put_leaf);
		if (rc != SQLITE_DONE)
			return db_err(ls, "write entry");
	}
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

/* The tiles of the levels in mask, from src to dst. */
static void
tiles_copy(struct tile dst[TILE_LEVELS], const struct tile src[TILE_LEVELS], unsigned mask)
{
	unsigned t;

	for (t = 0; t < TILE_LEVELS; t++)
		if (mask & (1U << t))
			dst[t] = src[t];
}

/* Write the working tiles that changed. */
static enum pl_err
flush_work(struct logstore *ls)
{
	unsigned t;

	for (t = 0; t < TILE_LEVELS; t++)
		if (ls->work[t].have && ls->work[t].dirty)
			PL_TRY(tile_write(ls, t, &ls->work[t]));
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
		err = append_one(ls, &size, edge, entries[i], lens[i], 1);
	if (err == PL_OK && (err = flush_work(ls)) == PL_OK)
		err = exec(ls, ls->borrowed ? "RELEASE logstore_append" : "COMMIT");
	if (err != PL_OK) {
		tiles_copy(ls->work, ls->newest, ls->touched);
		ls->touched = 0;
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
	tiles_copy(ls->newest, ls->work, ls->touched); /* 4 KiB a level, not all 11 */
	ls->touched = 0;
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
