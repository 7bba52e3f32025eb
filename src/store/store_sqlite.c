/*
 * store_sqlite.c - the node's store in SQLite (store.h): the embedded
 * default.
 *
 * One connection per struct store, WAL with synchronous=FULL, so that a
 * COMMIT returns with the data on disk.  The schema is versioned in
 * store_meta('schema_version'); migrations run in order, in one
 * transaction, on open.  The transcript's tables belong to logstore.c,
 * attached to the same connection, so that an envelope and its transcript
 * entry commit together.
 *
 * Every value read back is checked against the struct it goes into (blob
 * lengths exact, texts bounded); a row that does not fit is reported as
 * PL_E_STORE naming the table and key, never cut.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "../common/alloc.h"
#include "logstore.h"
#include "store.h"

#define SCHEMA_VERSION 5

static const char *const migrations[SCHEMA_VERSION] = {
	/* 1: the first schema */
	"CREATE TABLE party(id TEXT NOT NULL, revision INTEGER NOT NULL, record BLOB NOT NULL,"
	" pinned_ms INTEGER NOT NULL, PRIMARY KEY(id, revision));"
	"CREATE TABLE officer(name TEXT PRIMARY KEY, pwhash TEXT NOT NULL,"
	" roles INTEGER NOT NULL, created_ms INTEGER NOT NULL);"
	"CREATE TABLE token(hash BLOB PRIMARY KEY, officer TEXT NOT NULL REFERENCES officer(name),"
	" kind INTEGER NOT NULL, label TEXT NOT NULL, expires_ms INTEGER NOT NULL);"
	"CREATE TABLE channel(name TEXT PRIMARY KEY, state INTEGER NOT NULL,"
	" charter_id BLOB NOT NULL, creator TEXT NOT NULL, members TEXT NOT NULL,"
	" charter TEXT NOT NULL, created_ms INTEGER NOT NULL);"
	"CREATE TABLE envelope(id BLOB PRIMARY KEY, channel TEXT NOT NULL, sender TEXT NOT NULL,"
	" seq INTEGER NOT NULL, prev BLOB NOT NULL, kind INTEGER NOT NULL, prec INTEGER NOT NULL,"
	" flags INTEGER NOT NULL, tlp INTEGER NOT NULL, time_ms INTEGER NOT NULL,"
	" stored_ms INTEGER NOT NULL, dir INTEGER NOT NULL, log_index INTEGER NOT NULL,"
	" raw BLOB NOT NULL, UNIQUE(channel, sender, seq));"
	"CREATE TABLE delivery(env_id BLOB NOT NULL REFERENCES envelope(id), peer TEXT NOT NULL,"
	" channel TEXT NOT NULL, seq INTEGER NOT NULL, prec INTEGER NOT NULL,"
	" done INTEGER NOT NULL DEFAULT 0, done_ms INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY(env_id, peer));"
	"CREATE INDEX delivery_pending ON delivery(peer, done, channel, seq);"
	"CREATE TABLE receipt(env_id BLOB NOT NULL, receiver TEXT NOT NULL,"
	" stored_ms INTEGER NOT NULL, raw BLOB NOT NULL, PRIMARY KEY(env_id, receiver));"
	"CREATE TABLE ack(env_id BLOB NOT NULL, party TEXT NOT NULL, officer TEXT NOT NULL,"
	" ack_id BLOB NOT NULL, time_ms INTEGER NOT NULL, PRIMARY KEY(env_id, party, ack_id));",
	/* 2: the most urgent pending delivery in O(log n) */
	"CREATE INDEX delivery_urgent ON delivery(peer, done, prec, seq);",
	/* 3: witnessing, cosignatures of our checkpoints, alerts */
	"CREATE TABLE witnessed(origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL,"
	" note TEXT NOT NULL, fork INTEGER NOT NULL, fork_note TEXT NOT NULL);"
	"CREATE TABLE cosig(witness TEXT NOT NULL, size INTEGER NOT NULL, line TEXT NOT NULL,"
	" PRIMARY KEY(witness, size));"
	"CREATE INDEX cosig_size ON cosig(size);"
	"CREATE TABLE alert(id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, kind TEXT NOT NULL,"
	" party TEXT NOT NULL, detail TEXT NOT NULL, evidence BLOB NOT NULL,"
	" UNIQUE(kind, party, detail));"
	"CREATE INDEX alert_party ON alert(party);",
	/* 4: what members' transcripts say of envelopes we have not got (node_monitor.c) */
	"CREATE TABLE heard(channel TEXT NOT NULL, sender TEXT NOT NULL, seq INTEGER NOT NULL,"
	" party TEXT NOT NULL, id BLOB NOT NULL, idx INTEGER NOT NULL, heard_ms INTEGER NOT NULL,"
	" PRIMARY KEY(channel, sender, seq, party)) WITHOUT ROWID;",
	/*
	 * 5: deliveries and receipts keyed in the order they are written, so
	 * that a group of them lands on a few pages instead of one page of a
	 * random-keyed index each.  Deliveries are only for envelopes this node
	 * sent, so (channel, seq, peer) is unique; pending ones are found
	 * through partial indexes that lose their entries once delivered.  A
	 * receipt whose envelope is not stored stops the migration (LEFT JOIN
	 * into NOT NULL columns) rather than being dropped.
	 */
	"CREATE TABLE delivery_v5(channel TEXT NOT NULL, seq INTEGER NOT NULL, peer TEXT NOT NULL,"
	" env_id BLOB NOT NULL REFERENCES envelope(id), prec INTEGER NOT NULL,"
	" done INTEGER NOT NULL DEFAULT 0, done_ms INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY(channel, seq, peer)) WITHOUT ROWID;"
	"INSERT INTO delivery_v5(channel, seq, peer, env_id, prec, done, done_ms)"
	" SELECT channel, seq, peer, env_id, prec, done, done_ms FROM delivery;"
	"DROP TABLE delivery;"
	"ALTER TABLE delivery_v5 RENAME TO delivery;"
	"CREATE INDEX delivery_pending ON delivery(peer, channel, seq) WHERE done = 0;"
	"CREATE INDEX delivery_urgent ON delivery(peer, prec, seq) WHERE done = 0;"
	"CREATE TABLE receipt_v5(channel TEXT NOT NULL, sender TEXT NOT NULL, seq INTEGER NOT NULL,"
	" receiver TEXT NOT NULL, env_id BLOB NOT NULL, stored_ms INTEGER NOT NULL,"
	" raw BLOB NOT NULL, PRIMARY KEY(channel, sender, seq, receiver)) WITHOUT ROWID;"
	"INSERT INTO receipt_v5(channel, sender, seq, receiver, env_id, stored_ms, raw)"
	" SELECT e.channel, e.sender, e.seq, r.receiver, r.env_id, r.stored_ms, r.raw"
	" FROM receipt r LEFT JOIN envelope e ON e.id = r.env_id;"
	"DROP TABLE receipt;"
	"ALTER TABLE receipt_v5 RENAME TO receipt;",
};

enum stmt {
	S_META_GET,
	S_META_PUT,
	S_PARTY_PUT,
	S_PARTY_GET,
	S_PARTY_LIST,
	S_OFFICER_PUT,
	S_OFFICER_GET,
	S_OFFICER_LIST,
	S_TOKEN_PUT,
	S_TOKEN_GET,
	S_TOKEN_DEL,
	S_CHAN_PUT,
	S_CHAN_GET,
	S_CHAN_LIST,
	S_ENV_PUT,
	S_ENV_GET,
	S_ENV_BY_SEQ,
	S_ENV_LAST,
	S_DLV_PUT,
	S_DLV_DONE,
	S_DLV_RESET,
	S_DLV_PEERS,
	S_DLV_HEADS,
	S_DLV_URGENT,
	S_DLV_PENDING,
	S_DLV_LIST,
	S_RCPT_PUT,
	S_RCPT_GET,
	S_RCPT_LIST,
	S_ACK_PUT,
	S_ACK_LIST,
	S_WIT_GET,
	S_WIT_PUT,
	S_WIT_LIST,
	S_COSIG_PUT,
	S_COSIG_LIST,
	S_COSIG_LAST,
	S_ALERT_PUT,
	S_ALERT_LIST,
	S_ALERT_ABOUT,
	S_HEARD_PUT,
	S_HEARD_DECIDED,
	S_HEARD_DEL,
	S_HEARD_COUNT,
	S_HEARD_WAITING,
	S_COUNT
};

#define ENV_COLS                                                                                   \
	"id, channel, sender, seq, prev, kind, prec, flags, tlp, time_ms, stored_ms, dir, log_index"

static const char *const sql[S_COUNT] = {
	[S_META_GET] = "SELECT value FROM store_meta WHERE key = ?1",
	[S_META_PUT] = "INSERT OR REPLACE INTO store_meta(key, value) VALUES(?1, ?2)",
	[S_PARTY_PUT] = "INSERT INTO party(id, revision, record, pinned_ms) VALUES(?1, ?2, ?3, ?4)",
	[S_PARTY_GET] = "SELECT record, revision FROM party WHERE id = ?1"
	                " ORDER BY revision DESC LIMIT 1",
	[S_PARTY_LIST] = "SELECT p.record, p.pinned_ms, p.id FROM party p WHERE p.revision ="
	                 " (SELECT MAX(revision) FROM party q WHERE q.id = p.id) ORDER BY p.id",
	[S_OFFICER_PUT] = "INSERT OR REPLACE INTO officer(name, pwhash, roles, created_ms)"
	                  " VALUES(?1, ?2, ?3, ?4)",
	[S_OFFICER_GET] = "SELECT name, pwhash, roles, created_ms FROM officer WHERE name = ?1",
	[S_OFFICER_LIST] = "SELECT name, pwhash, roles, created_ms FROM officer ORDER BY name",
	[S_TOKEN_PUT] = "INSERT INTO token(hash, officer, kind, label, expires_ms)"
	                " VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_TOKEN_GET] = "SELECT o.name, o.pwhash, o.roles, o.created_ms, t.expires_ms"
	                " FROM token t JOIN officer o ON o.name = t.officer WHERE t.hash = ?1",
	[S_TOKEN_DEL] = "DELETE FROM token WHERE hash = ?1",
	[S_CHAN_PUT] = "INSERT OR REPLACE INTO channel(name, state, charter_id, creator, members,"
	               " charter, created_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_CHAN_GET] = "SELECT name, state, charter_id, creator, members, charter, created_ms"
	               " FROM channel WHERE name = ?1",
	[S_CHAN_LIST] = "SELECT name, state, charter_id, creator, members, charter, created_ms"
	                " FROM channel ORDER BY name",
	[S_ENV_PUT] = "INSERT INTO envelope(" ENV_COLS ", raw)"
	              " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	[S_ENV_GET] = "SELECT " ENV_COLS ", raw FROM envelope WHERE id = ?1",
	[S_ENV_BY_SEQ] = "SELECT " ENV_COLS ", raw FROM envelope"
	                 " WHERE channel = ?1 AND sender = ?2 AND seq = ?3",
	[S_ENV_LAST] = "SELECT " ENV_COLS " FROM envelope WHERE channel = ?1 AND sender = ?2"
	               " ORDER BY seq DESC LIMIT 1",
	[S_DLV_PUT] =
	        "INSERT INTO delivery(env_id, peer, channel, seq, prec) VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_DLV_DONE] = "UPDATE delivery SET done = 1, done_ms = ?3 WHERE (channel, seq) ="
	               " (SELECT channel, seq FROM envelope WHERE id = ?1) AND peer = ?2"
	               " AND env_id = ?1",
	[S_DLV_RESET] = "UPDATE delivery SET done = 0, done_ms = 0"
	                " WHERE peer = ?1 AND channel = ?2 AND seq >= ?3",
	[S_DLV_PEERS] = "SELECT DISTINCT peer FROM delivery WHERE done = 0 ORDER BY peer",
	[S_DLV_HEADS] = "SELECT channel, MIN(seq), MIN(prec), COUNT(*) FROM delivery"
	                " WHERE peer = ?1 AND done = 0 GROUP BY channel ORDER BY channel",
	[S_DLV_URGENT] = "SELECT channel FROM delivery WHERE peer = ?1 AND done = 0"
	                 " AND prec <= ?2 AND channel NOT IN (?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
	                 " ORDER BY prec, seq LIMIT 1",
	[S_DLV_PENDING] =
	        "SELECT env_id, peer, channel, seq, prec, done, done_ms FROM delivery"
	        " INDEXED BY delivery_pending WHERE peer = ?1 AND channel = ?2 AND done = 0 ORDER BY seq LIMIT ?3",
	[S_DLV_LIST] = "SELECT d.env_id, d.peer, d.channel, d.seq, d.prec, d.done, d.done_ms"
	               " FROM envelope e JOIN delivery d ON d.channel = e.channel AND d.seq = e.seq"
	               " WHERE e.id = ?1 AND d.env_id = ?1 ORDER BY d.peer",
	[S_RCPT_PUT] = "INSERT INTO receipt(channel, sender, seq, receiver, env_id, stored_ms, raw)"
	               " SELECT channel, sender, seq, ?2, id, ?3, ?4 FROM envelope WHERE id = ?1",
	[S_RCPT_GET] = "SELECT r.raw FROM envelope e JOIN receipt r ON r.channel = e.channel"
	               " AND r.sender = e.sender AND r.seq = e.seq"
	               " WHERE e.id = ?1 AND r.receiver = ?2",
	[S_RCPT_LIST] = "SELECT r.receiver, r.stored_ms, r.raw FROM envelope e JOIN receipt r"
	                " ON r.channel = e.channel AND r.sender = e.sender AND r.seq = e.seq"
	                " WHERE e.id = ?1 ORDER BY r.receiver",
	[S_ACK_PUT] = "INSERT OR IGNORE INTO ack(env_id, party, officer, ack_id, time_ms)"
	              " VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_ACK_LIST] = "SELECT env_id, party, officer, ack_id, time_ms FROM ack WHERE env_id = ?1"
	               " ORDER BY time_ms, party",
	[S_WIT_GET] = "SELECT origin, size, root, note, fork, fork_note FROM witnessed"
	              " WHERE origin = ?1",
	[S_WIT_PUT] = "INSERT OR REPLACE INTO witnessed(origin, size, root, note, fork, fork_note)"
	              " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[S_WIT_LIST] = "SELECT origin, size, root, note, fork, fork_note FROM witnessed"
	               " ORDER BY origin",
	[S_COSIG_PUT] = "INSERT OR REPLACE INTO cosig(witness, size, line) VALUES(?1, ?2, ?3)",
	[S_COSIG_LIST] = "SELECT witness, line FROM cosig WHERE size = ?1 ORDER BY witness",
	[S_COSIG_LAST] = "SELECT COALESCE(MAX(size), 0) FROM cosig WHERE witness = ?1",
	[S_ALERT_PUT] = "INSERT OR IGNORE INTO alert(time_ms, kind, party, detail, evidence)"
	                " VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_ALERT_LIST] = "SELECT id, time_ms, kind, party, detail, evidence FROM alert"
	                 " ORDER BY id DESC LIMIT ?1",
	[S_ALERT_ABOUT] = "SELECT EXISTS(SELECT 1 FROM alert WHERE party = ?1)",
	[S_HEARD_PUT] =
	        "INSERT OR IGNORE INTO heard(channel, sender, seq, party, id, idx, heard_ms)"
	        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_HEARD_DECIDED] =
	        "SELECT h.channel, h.sender, h.seq, h.party, h.id, h.idx, h.heard_ms, e.id"
	        " FROM heard h JOIN envelope e"
	        " ON e.channel = h.channel AND e.sender = h.sender AND e.seq = h.seq"
	        " LIMIT ?1",
	[S_HEARD_DEL] = "DELETE FROM heard WHERE channel = ?1 AND sender = ?2 AND seq = ?3"
	                " AND party = ?4",
	[S_HEARD_COUNT] = "SELECT COUNT(*) FROM heard",
	[S_HEARD_WAITING] = "SELECT h.channel, h.sender, h.seq, h.party, h.id, h.idx, h.heard_ms"
	                    " FROM heard h WHERE h.heard_ms <= ?1 AND NOT EXISTS(SELECT 1"
	                    " FROM envelope e WHERE e.channel = h.channel AND e.sender = h.sender"
	                    " AND e.seq = h.seq) ORDER BY h.channel, h.sender, h.seq LIMIT ?2",
};

struct sq {
	struct store base;
	sqlite3 *db;
	struct logstore *log;
	sqlite3_stmt *st[S_COUNT];
};

static enum pl_err
db_err(struct sq *s, const char *what)
{
	return pl_errf(PL_E_STORE, "store: %s: %s", what, sqlite3_errmsg(s->db));
}

static enum pl_err
exec(struct sq *s, const char *q)
{
	if (sqlite3_exec(s->db, q, NULL, NULL, NULL) != SQLITE_OK)
		return db_err(s, q);
	return PL_OK;
}

/* A cached statement, reset and unbound. */
static sqlite3_stmt *
stmt(struct sq *s, enum stmt which)
{
	sqlite3_stmt *st = s->st[which];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

/* Step a statement that returns no rows. */
static enum pl_err
done(struct sq *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT)
		return pl_errf(PL_E_STATE, "store: %s: already stored (%s)", what,
		               sqlite3_errmsg(s->db));
	if (rc != SQLITE_DONE)
		return db_err(s, what);
	return PL_OK;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *t)
{
	sqlite3_bind_text(st, i, t, -1, SQLITE_STATIC);
}

static void
bind_blob(sqlite3_stmt *st, int i, const void *p, size_t n)
{
	sqlite3_bind_blob(st, i, p, (int)n, SQLITE_STATIC);
}

static void
bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
	sqlite3_bind_int64(st, i, (sqlite3_int64)v);
}

/* Copy a text column into out[cap]; PL_E_STORE if NULL or too long. */
static enum pl_err
col_text(sqlite3_stmt *st, int i, char *out, size_t cap, const char *table, const char *col)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n = (size_t)sqlite3_column_bytes(st, i);

	if (t == NULL || n >= cap || strlen((const char *)t) != n)
		return pl_errf(PL_E_STORE,
		               "store: %s.%s: %zu bytes, more than %zu, or not text: corrupt",
		               table, col, n, cap - 1);
	memcpy(out, t, n + 1);
	return PL_OK;
}

/* Copy a blob column of exactly n bytes. */
static enum pl_err
col_blob(sqlite3_stmt *st, int i, uint8_t *out, size_t n, const char *table, const char *col)
{
	const void *p = sqlite3_column_blob(st, i);

	if ((size_t)sqlite3_column_bytes(st, i) != n || (p == NULL && n > 0))
		return pl_errf(PL_E_STORE, "store: %s.%s: %d bytes, want %zu: corrupt", table, col,
		               sqlite3_column_bytes(st, i), n);
	memcpy(out, p, n);
	return PL_OK;
}

/* Append a blob column to out (which bounds it). */
static enum pl_err
col_buf(sqlite3_stmt *st, int i, struct buf *out, const char *table, const char *col)
{
	const void *p = sqlite3_column_blob(st, i);
	size_t n = (size_t)sqlite3_column_bytes(st, i);

	if (out == NULL)
		return PL_OK;
	out->len = 0;
	if (n > out->max)
		return pl_errf(PL_E_STORE, "store: %s.%s: %zu bytes > %zu: corrupt", table, col, n,
		               out->max);
	return n == 0 ? PL_OK : buf_add(out, p, n);
}

static uint64_t
col_u64(sqlite3_stmt *st, int i)
{
	return (uint64_t)sqlite3_column_int64(st, i);
}

/* ---- transactions ------------------------------------------------------------- */

static void
sq_close(struct store *base)
{
	struct sq *s = (struct sq *)base;
	int i;

	logstore_close(s->log);
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	pl_free(s);
}

static enum pl_err
sq_begin(struct store *base)
{
	return exec((struct sq *)base, "BEGIN IMMEDIATE");
}

static enum pl_err
sq_commit(struct store *base)
{
	return exec((struct sq *)base, "COMMIT");
}

static void
reload_log(struct sq *s)
{
	if (logstore_reload(s->log) != PL_OK)
		(void)pl_errf(PL_E_STORE, "store: transcript state lost after a rollback");
}

static void
sq_rollback(struct store *base)
{
	struct sq *s = (struct sq *)base;

	(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	reload_log(s);
}

static enum pl_err
sq_savepoint(struct store *base)
{
	return exec((struct sq *)base, "SAVEPOINT job");
}

static enum pl_err
sq_release(struct store *base)
{
	return exec((struct sq *)base, "RELEASE job");
}

static void
sq_rollback_to(struct store *base)
{
	struct sq *s = (struct sq *)base;

	(void)sqlite3_exec(s->db, "ROLLBACK TO job; RELEASE job", NULL, NULL, NULL);
	reload_log(s);
}

/* ---- meta ------------------------------------------------------------------------- */

static enum pl_err
sq_meta_get(struct store *base, const char *key, struct buf *val, int *found)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_META_GET);
	enum pl_err err = PL_OK;
	int rc;

	*found = 0;
	bind_text(st, 1, key);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*found = 1;
		err = col_buf(st, 0, val, "store_meta", key);
	} else if (rc != SQLITE_DONE) {
		err = db_err(s, "read store_meta");
	}
	sqlite3_reset(st);
	return err;
}

static enum pl_err
sq_meta_put(struct store *base, const char *key, const void *val, size_t n)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_META_PUT);

	bind_text(st, 1, key);
	bind_blob(st, 2, n ? val : "", n);
	return done(s, st, "write store_meta");
}

/* ---- parties --------------------------------------------------------------------- */

static enum pl_err
sq_party_put(struct store *base, const struct party *p, const uint8_t *rec, size_t n,
             uint64_t pinned_ms)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_PARTY_PUT);

	bind_text(st, 1, p->id);
	sqlite3_bind_int64(st, 2, p->revision);
	bind_blob(st, 3, rec, n);
	bind_u64(st, 4, pinned_ms);
	return done(s, st, "write party");
}

/* Parse a stored record; a record that no longer parses is corruption. */
static enum pl_err
party_row(sqlite3_stmt *st, int col, struct party *out, struct buf *rec, const char *id)
{
	const uint8_t *p = sqlite3_column_blob(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col);
	struct party tmp;

	if (p == NULL || party_read(out != NULL ? out : &tmp, p, n) != PL_OK)
		return pl_errf(PL_E_STORE,
		               "store: party '%s': stored record does not parse: corrupt", id);
	if (rec != NULL) {
		rec->len = 0;
		if (n > rec->max)
			return pl_errf(PL_E_STORE, "store: party '%s': record too long", id);
		return buf_add(rec, p, n);
	}
	return PL_OK;
}

static enum pl_err
sq_party_get(struct store *base, const char *id, struct party *out, struct buf *rec, int *found)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_PARTY_GET);
	enum pl_err err = PL_OK;
	int rc;

	*found = 0;
	bind_text(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*found = 1;
		err = party_row(st, 0, out, rec, id);
		if (err == PL_OK && out != NULL &&
		    (strcmp(out->id, id) != 0 ||
		     out->revision != (uint32_t)sqlite3_column_int64(st, 1)))
			err = pl_errf(PL_E_STORE,
			              "store: party '%s': row and record disagree: corrupt", id);
	} else if (rc != SQLITE_DONE) {
		err = db_err(s, "read party");
	}
	sqlite3_reset(st);
	return err;
}

static enum pl_err
sq_party_list(struct store *base, int (*fn)(void *ctx, const struct party *p, uint64_t pinned_ms),
              void *ctx)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_PARTY_LIST);
	struct party p;
	enum pl_err err = PL_OK;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((err = party_row(st, 0, &p, NULL, (const char *)sqlite3_column_text(st, 2))) !=
		    PL_OK)
			break;
		if (fn(ctx, &p, col_u64(st, 1)))
			break;
	}
	if (err == PL_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = db_err(s, "list parties");
	sqlite3_reset(st);
	return err;
}

/* ---- officers and tokens ----------------------------------------------------------- */

static enum pl_err
sq_officer_put(struct store *base, const struct store_officer *o)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_OFFICER_PUT);

	bind_text(st, 1, o->name);
	bind_text(st, 2, o->pwhash);
	sqlite3_bind_int64(st, 3, o->roles);
	bind_u64(st, 4, o->created_ms);
	return done(s, st, "write officer");
}

static enum pl_err
officer_row(sqlite3_stmt *st, struct store_officer *o)
{
	memset(o, 0, sizeof(*o));
	PL_TRY(col_text(st, 0, o->name, sizeof(o->name), "officer", "name"));
	PL_TRY(col_text(st, 1, o->pwhash, sizeof(o->pwhash), "officer", "pwhash"));
	o->roles = (unsigned)sqlite3_column_int64(st, 2);
	o->created_ms = col_u64(st, 3);
	return PL_OK;
}

static enum pl_err
sq_officer_get(struct store *base, const char *name, struct store_officer *out, int *found)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_OFFICER_GET);
	enum pl_err err = PL_OK;
	int rc;

	*found = 0;
	bind_text(st, 1, name);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*found = 1;
		err = officer_row(st, out);
	} else if (rc != SQLITE_DONE) {
		err = db_err(s, "read officer");
	}
	sqlite3_reset(st);
	return err;
}

static enum pl_err
sq_officer_list(struct store *base, int (*fn)(void *ctx, const struct store_officer *o), void *ctx)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_OFFICER_LIST);
	struct store_officer o;
	enum pl_err err = PL_OK;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((err = officer_row(st, &o)) != PL_OK || fn(ctx, &o))
			break;
	if (err == PL_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = db_err(s, "list officers");
	sqlite3_reset(st);
	return err;
}

static enum pl_err
sq_token_put(struct store *base, const uint8_t hash[HASH_LEN], const char *officer, uint8_t kind,
             const char *label, uint64_t expires_ms)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_TOKEN_PUT);

	bind_blob(st, 1, hash, HASH_LEN);
	bind_text(st, 2, officer);
	sqlite3_bind_int(st, 3, kind);
	bind_text(st, 4, label);
	bind_u64(st, 5, expires_ms);
	return done(s, st, "write token");
}

static enum pl_err
sq_token_get(struct store *base, const uint8_t hash[HASH_LEN], struct store_officer *out,
             uint64_t *expires_ms, int *found)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_TOKEN_GET);
	enum pl_err err = PL_OK;
	int rc;

	*found = 0;
	bind_blob(st, 1, hash, HASH_LEN);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*found = 1;
		err = officer_row(st, out);
		*expires_ms = col_u64(st, 4);
	} else if (rc != SQLITE_DONE) {
		err = db_err(s, "read token");
	}
	sqlite3_reset(st);
	return err;
}

static enum pl_err
sq_token_del(struct store *base, const uint8_t hash[HASH_LEN])
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_TOKEN_DEL);

	bind_blob(st, 1, hash, HASH_LEN);
	return done(s, st, "delete token");
}

/* ---- channels --------------------------------------------------------------------- */

static enum pl_err
sq_chan_put(struct store *base, const struct store_chan *c)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_CHAN_PUT);
	char members[ENV_RECIPIENTS_MAX * (CODEC_ID_MAX + 1) + 1];
	size_t i, off = 0;

	members[0] = '\0';
	for (i = 0; i < c->n_members; i++)
		off += (size_t)snprintf(members + off, sizeof(members) - off, "%s%s", i ? "," : "",
		                        c->members[i]);
	bind_text(st, 1, c->name);
	sqlite3_bind_int(st, 2, c->state);
	bind_blob(st, 3, c->charter_id, HASH_LEN);
	bind_text(st, 4, c->creator);
	bind_text(st, 5, members);
	bind_text(st, 6, c->charter);
	bind_u64(st, 7, c->created_ms);
	return done(s, st, "write channel");
}

static enum pl_err
chan_row(sqlite3_stmt *st, struct store_chan *c)
{
	char members[ENV_RECIPIENTS_MAX * (CODEC_ID_MAX + 1) + 1];
	const char *p;

	memset(c, 0, sizeof(*c));
	PL_TRY(col_text(st, 0, c->name, sizeof(c->name), "channel", "name"));
	c->state = (uint8_t)sqlite3_column_int(st, 1);
	PL_TRY(col_blob(st, 2, c->charter_id, HASH_LEN, "channel", "charter_id"));
	PL_TRY(col_text(st, 3, c->creator, sizeof(c->creator), "channel", "creator"));
	PL_TRY(col_text(st, 4, members, sizeof(members), "channel", "members"));
	PL_TRY(col_text(st, 5, c->charter, sizeof(c->charter), "channel", "charter"));
	c->created_ms = col_u64(st, 6);
	for (p = members; *p != '\0' && c->n_members < ENV_RECIPIENTS_MAX;) {
		size_t n = strcspn(p, ",");

		if (n == 0 || n > CODEC_ID_MAX)
			break;
		memcpy(c->members[c->n_members], p, n);
		c->members[c->n_members++][n] = '\0';
		p += n;
		if (*p == ',')
			p++;
	}
	if (*p != '\0' || c->n_members == 0 || c->state < STORE_CHAN_PROPOSED ||
	    c->state > STORE_CHAN_SUSPENDED)
		return pl_errf(PL_E_STORE,
		               "store: channel '%s': members or state unreadable: corrupt",
		               c->name);
	return PL_OK;
}

static enum pl_err
sq_chan_get(struct store *base, const char *name, struct store_chan *out, int *found)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_CHAN_GET);
	struct store_chan tmp;
	enum pl_err err = PL_OK;
	int rc;

	*found = 0;
	bind_text(st, 1, name);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*found = 1;
		err = chan_row(st, out != NULL ? out : &tmp);
	} else if (rc != SQLITE_DONE) {
		err = db_err(s, "read channel");
	}
	sqlite3_reset(st);
	return err;
}

static enum pl_err
sq_chan_list(struct store *base, int (*fn)(void *ctx, const struct store_chan *c), void *ctx)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_CHAN_LIST);
	struct store_chan c;
	enum pl_err err = PL_OK;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((err = chan_row(st, &c)) != PL_OK || fn(ctx, &c))
			break;
	if (err == PL_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = db_err(s, "list channels");
	sqlite3_reset(st);
	return err;
}

/* ---- envelopes ----------------------------------------------------------------------- */

static enum pl_err
sq_env_put(struct store *base, const struct store_env *e, const uint8_t *raw, size_t n)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_ENV_PUT);

	bind_blob(st, 1, e->id, HASH_LEN);
	bind_text(st, 2, e->channel);
	bind_text(st, 3, e->sender);
	bind_u64(st, 4, e->seq);
	bind_blob(st, 5, e->prev, HASH_LEN);
	sqlite3_bind_int(st, 6, e->kind);
	sqlite3_bind_int(st, 7, e->prec);
	sqlite3_bind_int(st, 8, e->flags);
	sqlite3_bind_int(st, 9, e->tlp);
	bind_u64(st, 10, e->time_ms);
	bind_u64(st, 11, e->stored_ms);
	sqlite3_bind_int(st, 12, e->dir);
	bind_u64(st, 13, e->log_index);
	bind_blob(st, 14, raw, n);
	return done(s, st, "write envelope");
}

static enum pl_err
env_row(sqlite3_stmt *st, struct store_env *e)
{
	memset(e, 0, sizeof(*e));
	PL_TRY(col_blob(st, 0, e->id, HASH_LEN, "envelope", "id"));
	PL_TRY(col_text(st, 1, e->channel, sizeof(e->channel), "envelope", "channel"));
	PL_TRY(col_text(st, 2, e->sender, sizeof(e->sender), "envelope", "sender"));
	e->seq = col_u64(st, 3);
	PL_TRY(col_blob(st, 4, e->prev, HASH_LEN, "envelope", "prev"));
	e->kind = (uint8_t)sqlite3_column_int(st, 5);
	e->prec = (uint8_t)sqlite3_column_int(st, 6);
	e->flags = (uint8_t)sqlite3_column_int(st, 7);
	e->tlp = (uint8_t)sqlite3_column_int(st, 8);
	e->time_ms = col_u64(st, 9);
	e->stored_ms = col_u64(st, 10);
	e->dir = (uint8_t)sqlite3_column_int(st, 11);
	e->log_index = col_u64(st, 12);
	return PL_OK;
}

/* One envelope row (and its bytes when raw is given) from a statement already bound. */
static enum pl_err
env_one(struct sq *s, sqlite3_stmt *st, struct store_env *out, struct buf *raw, int *found)
{
	struct store_env tmp;
	enum pl_err err = PL_OK;
	int rc;

	*found = 0;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*found = 1;
		err = env_row(st, out != NULL ? out : &tmp);
		if (err == PL_OK && raw != NULL && sqlite3_column_count(st) > 13)
			err = col_buf(st, 13, raw, "envelope", "raw");
	} else if (rc != SQLITE_DONE) {
		err = db_err(s, "read envelope");
	}
	sqlite3_reset(st);
	return err;
}

static enum pl_err
sq_env_get(struct store *base, const uint8_t id[HASH_LEN], struct store_env *out, struct buf *raw,
           int *found)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_ENV_GET);

	bind_blob(st, 1, id, HASH_LEN);
	return env_one(s, st, out, raw, found);
}

static enum pl_err
sq_env_by_seq(struct store *base, const char *channel, const char *sender, uint64_t seq,
              struct store_env *out, struct buf *raw, int *found)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_ENV_BY_SEQ);

	bind_text(st, 1, channel);
	bind_text(st, 2, sender);
	bind_u64(st, 3, seq);
	return env_one(s, st, out, raw, found);
}

static enum pl_err
sq_env_last(struct store *base, const char *channel, const char *sender, struct store_env *out,
            int *found)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_ENV_LAST);

	bind_text(st, 1, channel);
	bind_text(st, 2, sender);
	return env_one(s, st, out, NULL, found);
}

/* env_list builds its query from the filter; it is not cached. */
static enum pl_err
sq_env_list(struct store *base, const struct store_env_filter *f,
            int (*fn)(void *ctx, const struct store_env *e), void *ctx)
{
	struct sq *s = (struct sq *)base;
	char q[1024];
	size_t off;
	sqlite3_stmt *st;
	struct store_env e;
	enum pl_err err = PL_OK;
	int rc;

	off = (size_t)snprintf(q, sizeof(q), "SELECT " ENV_COLS " FROM envelope WHERE 1");
	if (f->channel != NULL)
		off += (size_t)snprintf(q + off, sizeof(q) - off, " AND channel = ?1");
	if (f->sender != NULL)
		off += (size_t)snprintf(q + off, sizeof(q) - off, " AND sender = ?2");
	if (f->dir != 0)
		off += (size_t)snprintf(q + off, sizeof(q) - off, " AND dir = ?3");
	if (f->kind != 0)
		off += (size_t)snprintf(q + off, sizeof(q) - off, " AND kind = ?4");
	if (f->from_seq != 0)
		off += (size_t)snprintf(q + off, sizeof(q) - off, " AND seq >= ?5");
	if (f->unacked)
		off += (size_t)snprintf(
		        q + off, sizeof(q) - off,
		        " AND dir = %d AND kind = %d AND NOT EXISTS (SELECT 1 FROM ack WHERE"
		        " ack.env_id = envelope.id AND ack.party = CAST((SELECT value FROM store_meta"
		        " WHERE key = 'self') AS TEXT))",
		        STORE_IN, ENV_KIND_MESSAGE);
	off += (size_t)snprintf(q + off, sizeof(q) - off, " ORDER BY %s",
	                        f->sender != NULL && f->channel != NULL
	                                ? "seq"
	                                : (f->newest_first ? "rowid DESC" : "rowid"));
	if (f->limit != 0)
		(void)snprintf(q + off, sizeof(q) - off, " LIMIT %zu", f->limit);
	if (sqlite3_prepare_v2(s->db, q, -1, &st, NULL) != SQLITE_OK)
		return db_err(s, "list envelopes");
	if (f->channel != NULL)
		bind_text(st, 1, f->channel);
	if (f->sender != NULL)
		bind_text(st, 2, f->sender);
	if (f->dir != 0)
		sqlite3_bind_int(st, 3, f->dir);
	if (f->kind != 0)
		sqlite3_bind_int(st, 4, f->kind);
	if (f->from_seq != 0)
		bind_u64(st, 5, f->from_seq);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((err = env_row(st, &e)) != PL_OK || fn(ctx, &e))
			break;
	if (err == PL_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = db_err(s, "list envelopes");
	sqlite3_finalize(st);
	return err;
}

/* ---- deliveries ---------------------------------------------------------------------- */

static enum pl_err
sq_dlv_put(struct store *base, const struct store_dlv *d)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_DLV_PUT);

	bind_blob(st, 1, d->env_id, HASH_LEN);
	bind_text(st, 2, d->peer);
	bind_text(st, 3, d->channel);
	bind_u64(st, 4, d->seq);
	sqlite3_bind_int(st, 5, d->prec);
	return done(s, st, "write delivery");
}

static enum pl_err
sq_dlv_done(struct store *base, const uint8_t env_id[HASH_LEN], const char *peer, uint64_t done_ms)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_DLV_DONE);

	bind_blob(st, 1, env_id, HASH_LEN);
	bind_text(st, 2, peer);
	bind_u64(st, 3, done_ms);
	return done(s, st, "mark delivery done");
}

static enum pl_err
sq_dlv_reset(struct store *base, const char *peer, const char *channel, uint64_t from_seq)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_DLV_RESET);

	bind_text(st, 1, peer);
	bind_text(st, 2, channel);
	bind_u64(st, 3, from_seq);
	return done(s, st, "reset deliveries");
}

static enum pl_err
sq_dlv_peers(struct store *base, int (*fn)(void *ctx, const char *peer), void *ctx)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_DLV_PEERS);
	char peer[CODEC_ID_MAX + 1];
	enum pl_err err = PL_OK;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((err = col_text(st, 0, peer, sizeof(peer), "delivery", "peer")) != PL_OK ||
		    fn(ctx, peer))
			break;
	if (err == PL_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = db_err(s, "list peers with deliveries");
	sqlite3_reset(st);
	return err;
}

static enum pl_err
sq_dlv_heads(struct store *base, const char *peer,
             int (*fn)(void *ctx, const struct store_dlv_head *h), void *ctx)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_DLV_HEADS);
	struct store_dlv_head h;
	enum pl_err err = PL_OK;
	int rc;

	bind_text(st, 1, peer);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&h, 0, sizeof(h));
		if ((err = col_text(st, 0, h.channel, sizeof(h.channel), "delivery", "channel")) !=
		    PL_OK)
			break;
		h.min_seq = col_u64(st, 1);
		h.min_prec = (uint8_t)sqlite3_column_int(st, 2);
		h.pending = col_u64(st, 3);
		if (fn(ctx, &h))
			break;
	}
	if (err == PL_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = db_err(s, "list delivery heads");
	sqlite3_reset(st);
	return err;
}

static enum pl_err
sq_dlv_urgent(struct store *base, const char *peer, uint8_t max_prec, const struct store_skip *skip,
              char channel[CODEC_ID_MAX + 1], int *found)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_DLV_URGENT);
	enum pl_err err = PL_OK;
	size_t i;
	int rc;

	*found = 0;
	if (skip != NULL && skip->n > STORE_SKIP_MAX)
		return pl_errf(PL_E_ARG, "store: %zu channels to skip, at most %d", skip->n,
		               STORE_SKIP_MAX);
	bind_text(st, 1, peer);
	sqlite3_bind_int(st, 2, max_prec);
	/* Unused slots hold "", which no channel is named (a NULL would match nothing). */
	for (i = 0; i < STORE_SKIP_MAX; i++)
		bind_text(st, 3 + (int)i, skip != NULL && i < skip->n ? skip->channel[i] : "");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*found = 1;
		err = col_text(st, 0, channel, CODEC_ID_MAX + 1, "delivery", "channel");
	} else if (rc != SQLITE_DONE) {
		err = db_err(s, "read the most urgent delivery");
	}
	sqlite3_reset(st);
	return err;
}

static enum pl_err
dlv_rows(struct sq *s, sqlite3_stmt *st, int (*fn)(void *ctx, const struct store_dlv *d), void *ctx)
{
	struct store_dlv d;
	enum pl_err err = PL_OK;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&d, 0, sizeof(d));
		if ((err = col_blob(st, 0, d.env_id, HASH_LEN, "delivery", "env_id")) != PL_OK ||
		    (err = col_text(st, 1, d.peer, sizeof(d.peer), "delivery", "peer")) != PL_OK ||
		    (err = col_text(st, 2, d.channel, sizeof(d.channel), "delivery", "channel")) !=
		            PL_OK)
			break;
		d.seq = col_u64(st, 3);
		d.prec = (uint8_t)sqlite3_column_int(st, 4);
		d.done = sqlite3_column_int(st, 5);
		d.done_ms = col_u64(st, 6);
		if (fn(ctx, &d))
			break;
	}
	if (err == PL_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = db_err(s, "list deliveries");
	sqlite3_reset(st);
	return err;
}

static enum pl_err
sq_dlv_pending(struct store *base, const char *peer, const char *channel, size_t limit,
               int (*fn)(void *ctx, const struct store_dlv *d), void *ctx)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_DLV_PENDING);

	bind_text(st, 1, peer);
	bind_text(st, 2, channel);
	sqlite3_bind_int64(st, 3, limit ? (sqlite3_int64)limit : -1);
	return dlv_rows(s, st, fn, ctx);
}

static enum pl_err
sq_dlv_list(struct store *base, const uint8_t env_id[HASH_LEN],
            int (*fn)(void *ctx, const struct store_dlv *d), void *ctx)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_DLV_LIST);

	bind_blob(st, 1, env_id, HASH_LEN);
	return dlv_rows(s, st, fn, ctx);
}

/* ---- receipts and acknowledgements --------------------------------------------------- */

static enum pl_err
sq_rcpt_put(struct store *base, const uint8_t env_id[HASH_LEN], const char *receiver,
            uint64_t stored_ms, const uint8_t *raw, size_t n)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_RCPT_PUT);

	bind_blob(st, 1, env_id, HASH_LEN);
	bind_text(st, 2, receiver);
	bind_u64(st, 3, stored_ms);
	bind_blob(st, 4, raw, n);
	PL_TRY(done(s, st, "write receipt"));
	if (sqlite3_changes(s->db) == 0)
		return pl_errf(PL_E_STATE, "store: receipt from %s for an envelope not stored",
		               receiver);
	return PL_OK;
}

static enum pl_err
sq_rcpt_get(struct store *base, const uint8_t env_id[HASH_LEN], const char *receiver,
            struct buf *raw, int *found)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_RCPT_GET);
	enum pl_err err = PL_OK;
	int rc;

	*found = 0;
	bind_blob(st, 1, env_id, HASH_LEN);
	bind_text(st, 2, receiver);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*found = 1;
		err = col_buf(st, 0, raw, "receipt", "raw");
	} else if (rc != SQLITE_DONE) {
		err = db_err(s, "read receipt");
	}
	sqlite3_reset(st);
	return err;
}

static enum pl_err
sq_rcpt_list(struct store *base, const uint8_t env_id[HASH_LEN],
             int (*fn)(void *ctx, const char *receiver, uint64_t stored_ms, const uint8_t *raw,
                       size_t n),
             void *ctx)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_RCPT_LIST);
	char who[CODEC_ID_MAX + 1];
	enum pl_err err = PL_OK;
	int rc;

	bind_blob(st, 1, env_id, HASH_LEN);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((err = col_text(st, 0, who, sizeof(who), "receipt", "receiver")) != PL_OK ||
		    fn(ctx, who, col_u64(st, 1), sqlite3_column_blob(st, 2),
		       (size_t)sqlite3_column_bytes(st, 2)))
			break;
	if (err == PL_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = db_err(s, "list receipts");
	sqlite3_reset(st);
	return err;
}

static enum pl_err
sq_ack_put(struct store *base, const struct store_ack *a)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_ACK_PUT);

	bind_blob(st, 1, a->env_id, HASH_LEN);
	bind_text(st, 2, a->party);
	bind_text(st, 3, a->officer);
	bind_blob(st, 4, a->ack_id, HASH_LEN);
	bind_u64(st, 5, a->time_ms);
	return done(s, st, "write acknowledgement");
}

static enum pl_err
sq_ack_list(struct store *base, const uint8_t env_id[HASH_LEN],
            int (*fn)(void *ctx, const struct store_ack *a), void *ctx)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_ACK_LIST);
	struct store_ack a;
	enum pl_err err = PL_OK;
	int rc;

	bind_blob(st, 1, env_id, HASH_LEN);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&a, 0, sizeof(a));
		if ((err = col_blob(st, 0, a.env_id, HASH_LEN, "ack", "env_id")) != PL_OK ||
		    (err = col_text(st, 1, a.party, sizeof(a.party), "ack", "party")) != PL_OK ||
		    (err = col_text(st, 2, a.officer, sizeof(a.officer), "ack", "officer")) !=
		            PL_OK ||
		    (err = col_blob(st, 3, a.ack_id, HASH_LEN, "ack", "ack_id")) != PL_OK)
			break;
		a.time_ms = col_u64(st, 4);
		if (fn(ctx, &a))
			break;
	}
	if (err == PL_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = db_err(s, "list acknowledgements");
	sqlite3_reset(st);
	return err;
}

/* ---- the transcript -------------------------------------------------------------------- */

static enum pl_err
sq_log_append(struct store *base, const uint8_t *const *entries, const size_t *lens, size_t n,
              uint64_t *first)
{
	return logstore_append(((struct sq *)base)->log, entries, lens, n, first);
}

static enum pl_err
sq_log_size(struct store *base, uint64_t *size)
{
	struct sq *s = (struct sq *)base;

	/* Another connection may have appended since we loaded: read it again. */
	if (sqlite3_get_autocommit(s->db))
		PL_TRY(logstore_reload(s->log));
	return logstore_size(s->log, size);
}

static enum pl_err
sq_log_entry(struct store *base, uint64_t index, struct buf *out)
{
	return logstore_entry(((struct sq *)base)->log, index, out);
}

static enum pl_err
sq_log_root(struct store *base, uint64_t size, uint8_t root[HASH_LEN])
{
	return logstore_root(((struct sq *)base)->log, size, root);
}

static enum pl_err
sq_log_inclusion(struct store *base, uint64_t index, uint64_t size, uint8_t proof[][HASH_LEN],
                 size_t *n)
{
	return logstore_inclusion(((struct sq *)base)->log, index, size, proof, n);
}

static enum pl_err
sq_log_consistency(struct store *base, uint64_t old, uint64_t size, uint8_t proof[][HASH_LEN],
                   size_t *n)
{
	return logstore_consistency(((struct sq *)base)->log, old, size, proof, n);
}

static enum pl_err
sq_log_checkpoint_put(struct store *base, const char *note, size_t n,
                      const struct note_key *log_key)
{
	return logstore_checkpoint_put(((struct sq *)base)->log, note, n, log_key);
}

static enum pl_err
sq_log_checkpoint_last(struct store *base, uint64_t *size, struct buf *out)
{
	return logstore_checkpoint_last(((struct sq *)base)->log, size, out);
}

static enum pl_err
sq_log_check(struct store *base, const struct note_key *log_key)
{
	return logstore_check(((struct sq *)base)->log, log_key);
}

static enum pl_err
sq_log_hashes(struct store *base, unsigned level, uint64_t start, size_t count, uint64_t size,
              struct buf *out)
{
	return logstore_hashes(((struct sq *)base)->log, level, start, count, size, out);
}

static enum pl_err
sq_log_entries(struct store *base, uint64_t start, size_t count, struct buf *out)
{
	return logstore_entries(((struct sq *)base)->log, start, count, out);
}

/* ---- witnessing, cosignatures, alerts ----------------------------------------------- */

/* Copy a text column of at most cap bytes into out (not NUL-terminated); *n its length. */
static enum pl_err
col_note(sqlite3_stmt *st, int i, char *out, size_t cap, size_t *n, const char *col)
{
	const void *p = sqlite3_column_blob(st, i);

	*n = (size_t)sqlite3_column_bytes(st, i);
	if (*n > cap)
		return pl_errf(PL_E_STORE, "store: witnessed.%s: %zu bytes > %zu: corrupt", col, *n,
		               cap);
	if (*n > 0)
		memcpy(out, p, *n);
	return PL_OK;
}

static enum pl_err
wit_row(sqlite3_stmt *st, struct witness_log *w)
{
	int64_t fork = sqlite3_column_int64(st, 4);

	PL_TRY(col_text(st, 0, w->key.name, sizeof(w->key.name), "witnessed", "origin"));
	w->size = col_u64(st, 1);
	PL_TRY(col_blob(st, 2, w->root, HASH_LEN, "witnessed", "root"));
	PL_TRY(col_note(st, 3, w->note, sizeof(w->note), &w->note_len, "note"));
	if (fork < WITNESS_FORK_NONE || fork > WITNESS_FORK_PROVEN)
		return pl_errf(PL_E_STORE, "store: witnessed %s: fork %lld: corrupt", w->key.name,
		               (long long)fork);
	w->fork = (enum witness_fork)fork;
	return col_note(st, 5, w->fork_note, sizeof(w->fork_note), &w->fork_note_len, "fork_note");
}

static enum pl_err
sq_wit_get(struct store *base, const char *origin, struct witness_log *out, int *found)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_WIT_GET);
	struct note_key key = out->key;
	enum pl_err err = PL_OK;
	int rc;

	*found = 0;
	bind_text(st, 1, origin);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*found = 1;
		err = wit_row(st, out);
		out->key = key;
	} else if (rc != SQLITE_DONE) {
		err = db_err(s, "read witnessed log");
	}
	sqlite3_reset(st);
	return err;
}

static enum pl_err
sq_wit_put(struct store *base, const struct witness_log *w)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_WIT_PUT);

	bind_text(st, 1, w->key.name);
	bind_u64(st, 2, w->size);
	bind_blob(st, 3, w->root, HASH_LEN);
	sqlite3_bind_text(st, 4, w->note, (int)w->note_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, w->fork);
	sqlite3_bind_text(st, 6, w->fork_note, (int)w->fork_note_len, SQLITE_STATIC);
	return done(s, st, "write witnessed log");
}

static enum pl_err
sq_wit_list(struct store *base, int (*fn)(void *ctx, const struct witness_log *w), void *ctx)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_WIT_LIST);
	struct witness_log *w = pl_calloc(1, sizeof(*w));
	enum pl_err err = PL_OK;
	int rc;

	if (w == NULL)
		return pl_errf(PL_E_NOMEM, "store: out of memory");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((err = wit_row(st, w)) != PL_OK || fn(ctx, w) != 0)
			break;
	if (err == PL_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = db_err(s, "list witnessed logs");
	sqlite3_reset(st);
	pl_free(w);
	return err;
}

static enum pl_err
sq_cosig_put(struct store *base, uint64_t size, const char *witness, const char *line, size_t n)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_COSIG_PUT);

	bind_text(st, 1, witness);
	bind_u64(st, 2, size);
	sqlite3_bind_text(st, 3, line, (int)n, SQLITE_STATIC);
	return done(s, st, "write cosignature");
}

static enum pl_err
sq_cosig_list(struct store *base, uint64_t size,
              int (*fn)(void *ctx, const char *witness, const char *line, size_t n), void *ctx)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_COSIG_LIST);
	char witness[STORE_NAME_MAX + 1];
	enum pl_err err = PL_OK;
	int rc;

	bind_u64(st, 1, size);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((err = col_text(st, 0, witness, sizeof(witness), "cosig", "witness")) != PL_OK)
			break;
		if (fn(ctx, witness, (const char *)sqlite3_column_text(st, 1),
		       (size_t)sqlite3_column_bytes(st, 1)) != 0)
			break;
	}
	if (err == PL_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = db_err(s, "list cosignatures");
	sqlite3_reset(st);
	return err;
}

/* A query of one row and one integer column, bound already: its value into *out. */
static enum pl_err
one_u64(struct sq *s, sqlite3_stmt *st, const char *what, uint64_t *out)
{
	enum pl_err err = PL_OK;

	*out = 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = col_u64(st, 0);
	else
		err = db_err(s, what);
	sqlite3_reset(st);
	return err;
}

static enum pl_err
sq_cosig_last(struct store *base, const char *witness, uint64_t *size)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_COSIG_LAST);

	bind_text(st, 1, witness);
	return one_u64(s, st, "read cosignatures", size);
}

static enum pl_err
sq_alert_put(struct store *base, struct store_alert *a)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_ALERT_PUT);

	if (a->evidence_len > STORE_EVIDENCE_MAX)
		return pl_errf(PL_E_ARG, "store: alert evidence of %zu bytes, more than %d",
		               a->evidence_len, STORE_EVIDENCE_MAX);
	bind_u64(st, 1, a->time_ms);
	bind_text(st, 2, a->kind);
	bind_text(st, 3, a->party);
	bind_text(st, 4, a->detail);
	bind_blob(st, 5, a->evidence != NULL ? a->evidence : (const uint8_t *)"", a->evidence_len);
	PL_TRY(done(s, st, "write alert"));
	a->id = sqlite3_changes(s->db) > 0 ? (uint64_t)sqlite3_last_insert_rowid(s->db) : 0;
	return PL_OK;
}

static enum pl_err
sq_alert_list(struct store *base, size_t limit, int (*fn)(void *ctx, const struct store_alert *a),
              void *ctx)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_ALERT_LIST);
	struct store_alert a;
	enum pl_err err = PL_OK;
	int rc;

	bind_u64(st, 1, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&a, 0, sizeof(a));
		a.id = col_u64(st, 0);
		a.time_ms = col_u64(st, 1);
		if ((err = col_text(st, 2, a.kind, sizeof(a.kind), "alert", "kind")) != PL_OK ||
		    (err = col_text(st, 3, a.party, sizeof(a.party), "alert", "party")) != PL_OK ||
		    (err = col_text(st, 4, a.detail, sizeof(a.detail), "alert", "detail")) != PL_OK)
			break;
		a.evidence = sqlite3_column_blob(st, 5);
		a.evidence_len = (size_t)sqlite3_column_bytes(st, 5);
		if (fn(ctx, &a) != 0)
			break;
	}
	if (err == PL_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = db_err(s, "list alerts");
	sqlite3_reset(st);
	return err;
}

static enum pl_err
sq_alert_about(struct store *base, const char *party, int *any)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_ALERT_ABOUT);
	uint64_t n = 0;
	enum pl_err err;

	bind_text(st, 1, party);
	err = one_u64(s, st, "read alerts", &n);
	*any = n != 0;
	return err;
}

static enum pl_err
sq_heard_put(struct store *base, const struct store_heard *h)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_HEARD_PUT);

	bind_text(st, 1, h->channel);
	bind_text(st, 2, h->sender);
	bind_u64(st, 3, h->seq);
	bind_text(st, 4, h->party);
	bind_blob(st, 5, h->id, HASH_LEN);
	bind_u64(st, 6, h->index);
	bind_u64(st, 7, h->heard_ms);
	return done(s, st, "write heard");
}

/* Columns 0..6 of a heard row. */
static enum pl_err
heard_row(sqlite3_stmt *st, struct store_heard *h)
{
	memset(h, 0, sizeof(*h));
	PL_TRY(col_text(st, 0, h->channel, sizeof(h->channel), "heard", "channel"));
	PL_TRY(col_text(st, 1, h->sender, sizeof(h->sender), "heard", "sender"));
	PL_TRY(col_text(st, 3, h->party, sizeof(h->party), "heard", "party"));
	PL_TRY(col_blob(st, 4, h->id, HASH_LEN, "heard", "id"));
	h->seq = col_u64(st, 2);
	h->index = col_u64(st, 5);
	h->heard_ms = col_u64(st, 6);
	return PL_OK;
}

static enum pl_err
sq_heard_waiting(struct store *base, uint64_t before_ms, size_t limit,
                 int (*fn)(void *ctx, const struct store_heard *h), void *ctx)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_HEARD_WAITING);
	struct store_heard h;
	enum pl_err err = PL_OK;
	int rc;

	bind_u64(st, 1, before_ms);
	bind_u64(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((err = heard_row(st, &h)) != PL_OK || fn(ctx, &h) != 0)
			break;
	}
	if (err == PL_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = db_err(s, "list heard");
	sqlite3_reset(st);
	return err;
}

static enum pl_err
sq_heard_decided(struct store *base, size_t limit,
                 int (*fn)(void *ctx, const struct store_heard *h, const uint8_t ours[HASH_LEN]),
                 void *ctx)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_HEARD_DECIDED);
	struct store_heard h;
	uint8_t ours[HASH_LEN];
	enum pl_err err = PL_OK;
	int rc;

	bind_u64(st, 1, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((err = heard_row(st, &h)) != PL_OK ||
		    (err = col_blob(st, 7, ours, HASH_LEN, "envelope", "id")) != PL_OK)
			break;
		if (fn(ctx, &h, ours) != 0)
			break;
	}
	if (err == PL_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = db_err(s, "list heard");
	sqlite3_reset(st);
	return err;
}

static enum pl_err
sq_heard_del(struct store *base, const struct store_heard *h)
{
	struct sq *s = (struct sq *)base;
	sqlite3_stmt *st = stmt(s, S_HEARD_DEL);

	bind_text(st, 1, h->channel);
	bind_text(st, 2, h->sender);
	bind_u64(st, 3, h->seq);
	bind_text(st, 4, h->party);
	return done(s, st, "delete heard");
}

static enum pl_err
sq_heard_count(struct store *base, uint64_t *n)
{
	struct sq *s = (struct sq *)base;

	return one_u64(s, stmt(s, S_HEARD_COUNT), "count heard", n);
}

static const struct store_ops sqlite_ops = {
	.close = sq_close,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.savepoint = sq_savepoint,
	.release = sq_release,
	.rollback_to = sq_rollback_to,
	.meta_get = sq_meta_get,
	.meta_put = sq_meta_put,
	.party_put = sq_party_put,
	.party_get = sq_party_get,
	.party_list = sq_party_list,
	.officer_put = sq_officer_put,
	.officer_get = sq_officer_get,
	.officer_list = sq_officer_list,
	.token_put = sq_token_put,
	.token_get = sq_token_get,
	.token_del = sq_token_del,
	.chan_put = sq_chan_put,
	.chan_get = sq_chan_get,
	.chan_list = sq_chan_list,
	.env_put = sq_env_put,
	.env_get = sq_env_get,
	.env_by_seq = sq_env_by_seq,
	.env_last = sq_env_last,
	.env_list = sq_env_list,
	.dlv_put = sq_dlv_put,
	.dlv_done = sq_dlv_done,
	.dlv_reset = sq_dlv_reset,
	.dlv_peers = sq_dlv_peers,
	.dlv_heads = sq_dlv_heads,
	.dlv_urgent = sq_dlv_urgent,
	.dlv_pending = sq_dlv_pending,
	.dlv_list = sq_dlv_list,
	.rcpt_put = sq_rcpt_put,
	.rcpt_get = sq_rcpt_get,
	.rcpt_list = sq_rcpt_list,
	.ack_put = sq_ack_put,
	.ack_list = sq_ack_list,
	.log_append = sq_log_append,
	.log_size = sq_log_size,
	.log_entry = sq_log_entry,
	.log_root = sq_log_root,
	.log_inclusion = sq_log_inclusion,
	.log_consistency = sq_log_consistency,
	.log_checkpoint_put = sq_log_checkpoint_put,
	.log_checkpoint_last = sq_log_checkpoint_last,
	.log_check = sq_log_check,
	.log_hashes = sq_log_hashes,
	.log_entries = sq_log_entries,
	.wit_get = sq_wit_get,
	.wit_put = sq_wit_put,
	.wit_list = sq_wit_list,
	.cosig_put = sq_cosig_put,
	.cosig_list = sq_cosig_list,
	.cosig_last = sq_cosig_last,
	.alert_put = sq_alert_put,
	.alert_list = sq_alert_list,
	.alert_about = sq_alert_about,
	.heard_put = sq_heard_put,
	.heard_decided = sq_heard_decided,
	.heard_del = sq_heard_del,
	.heard_count = sq_heard_count,
	.heard_waiting = sq_heard_waiting,
};

/* Bring the schema to SCHEMA_VERSION, in one transaction. */
static enum pl_err
migrate(struct sq *s)
{
	sqlite3_stmt *st;
	enum pl_err err;
	int have = 0, v, rc;

	PL_TRY(exec(s, "BEGIN IMMEDIATE"));
	err = exec(s, "CREATE TABLE IF NOT EXISTS store_meta(key TEXT PRIMARY KEY, value)");
	if (err == PL_OK &&
	    sqlite3_prepare_v2(s->db, "SELECT value FROM store_meta WHERE key = 'schema_version'",
	                       -1, &st, NULL) == SQLITE_OK) {
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			have = sqlite3_column_int(st, 0);
		else if (rc != SQLITE_DONE)
			err = db_err(s, "read schema version");
		sqlite3_finalize(st);
	} else if (err == PL_OK) {
		err = db_err(s, "read schema version");
	}
	if (err == PL_OK && (have < 0 || have > SCHEMA_VERSION))
		err = pl_errf(PL_E_STORE,
		              "store: schema version %d is newer than this parleyd knows (%d); "
		              "run a newer version",
		              have, SCHEMA_VERSION);
	for (v = have; err == PL_OK && v < SCHEMA_VERSION; v++)
		if (sqlite3_exec(s->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK)
			err = pl_errf(PL_E_STORE,
			              "store: migrating to schema version %d failed, the store is "
			              "left at version %d: %s",
			              v + 1, have, sqlite3_errmsg(s->db));
	if (err == PL_OK && have < SCHEMA_VERSION) {
		char q[96];

		(void)snprintf(q, sizeof(q),
		               "INSERT OR REPLACE INTO store_meta(key, value) "
		               "VALUES('schema_version', %d)",
		               SCHEMA_VERSION);
		err = exec(s, q);
	}
	if (err == PL_OK)
		return exec(s, "COMMIT");
	(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

enum pl_err
store_open(struct store **out, const char *url)
{
	const char *path = url;
	struct sq *s;
	enum pl_err err;
	int i;

	*out = NULL;
	if (strncmp(url, "sqlite:", 7) == 0)
		path = url + 7;
	else if (strstr(url, "://") != NULL)
		return pl_errf(PL_E_ARG,
		               "store '%.60s': not built with PostgreSQL support yet; use "
		               "sqlite:PATH",
		               url);
	if (*path == '\0')
		return pl_errf(PL_E_ARG, "store: empty path");
	if ((s = pl_calloc(1, sizeof(*s))) == NULL)
		return pl_errf(PL_E_NOMEM, "store: out of memory");
	s->base.ops = &sqlite_ops;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		err = pl_errf(PL_E_STORE, "store: %s: %s", path,
		              s->db != NULL ? sqlite3_errmsg(s->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 10000);
	if ((err = exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                   "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY")) != PL_OK ||
	    (err = migrate(s)) != PL_OK || (err = logstore_attach(&s->log, s->db)) != PL_OK)
		goto fail;
	for (i = 0; i < S_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
		                       NULL) != SQLITE_OK) {
			err = db_err(s, sql[i]);
			goto fail;
		}
	*out = &s->base;
	return PL_OK;
fail:
	sq_close(&s->base);
	return err;
}
