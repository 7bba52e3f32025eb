/*
 * test_store.c - the SQLite store behind store.h: rows round-trip; a
 * duplicate envelope id or (channel, sender, seq) is refused with nothing
 * changed; deliveries come back most urgent first; receipts are kept per
 * envelope and receiver, and refused for an envelope not stored; the
 * transcript rolls back with its savepoint; a newer schema is refused; an
 * older one is migrated with its rows; a corrupted row is reported naming
 * its table and column, not cut.
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

#include "store/store.h"

static char path[64];

static void
expect_msg(const char *want)
{
	if (strstr(pl_err_msg(), want) == NULL)
		fail_msg("want '%s' in '%s'", want, pl_err_msg());
}

static void
wipe(void)
{
	char p[96];

	(void)unlink(path);
	(void)snprintf(p, sizeof(p), "%s-wal", path);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", path);
	(void)unlink(p);
}

static int
setup(void **state)
{
	(void)state;
	(void)snprintf(path, sizeof(path), "/tmp/parley-store-%ld.db", (long)getpid());
	wipe();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	wipe();
	return 0;
}

static void
env_row(struct store_env *e, uint8_t tag, const char *channel, const char *sender, uint64_t seq)
{
	memset(e, 0, sizeof(*e));
	memset(e->id, tag, HASH_LEN);
	(void)snprintf(e->channel, sizeof(e->channel), "%s", channel);
	(void)snprintf(e->sender, sizeof(e->sender), "%s", sender);
	e->seq = seq;
	if (seq > 1)
		memset(e->prev, tag - 1, HASH_LEN);
	e->kind = ENV_KIND_MESSAGE;
	e->prec = ENV_PREC_ROUTINE;
	e->dir = STORE_OUT;
	e->time_ms = 1000 + seq;
	e->stored_ms = 2000 + seq;
	e->log_index = seq;
}

static int
count_env(void *ctx, const struct store_env *e)
{
	(void)e;
	(*(int *)ctx)++;
	return 0;
}

static void
test_envelopes(void **state)
{
	struct store_env e, got;
	struct store_env_filter f = { 0 };
	struct store *st;
	struct buf raw;
	int found, n = 0;

	(void)state;
	wipe();
	assert_int_equal(store_open(&st, path), PL_OK);
	buf_init(&raw, 4096);
	env_row(&e, 0x11, "cyber", "us-nrrc", 1);
	assert_int_equal(st->ops->env_put(st, &e, (const uint8_t *)"raw-1", 5), PL_OK);
	env_row(&e, 0x12, "cyber", "us-nrrc", 2);
	assert_int_equal(st->ops->env_put(st, &e, (const uint8_t *)"raw-2", 5), PL_OK);
	/* The same id again, and another id with the same seq: refused. */
	assert_int_equal(st->ops->env_put(st, &e, (const uint8_t *)"raw-2", 5), PL_E_STATE);
	expect_msg("already stored");
	env_row(&e, 0x13, "cyber", "us-nrrc", 2);
	assert_int_equal(st->ops->env_put(st, &e, (const uint8_t *)"other", 5), PL_E_STATE);
	assert_int_equal(st->ops->env_list(st, &f, count_env, &n), PL_OK);
	assert_int_equal(n, 2);
	/* Round trip by id, by seq, and the last one. */
	memset(e.id, 0x12, HASH_LEN);
	assert_int_equal(st->ops->env_get(st, e.id, &got, &raw, &found), PL_OK);
	assert_true(found);
	assert_int_equal(raw.len, 5);
	assert_memory_equal(raw.data, "raw-2", 5);
	assert_true(got.seq == 2 && got.stored_ms == 2002 && got.log_index == 2);
	assert_string_equal(got.channel, "cyber");
	assert_int_equal(st->ops->env_by_seq(st, "cyber", "us-nrrc", 1, &got, NULL, &found), PL_OK);
	assert_true(found && got.id[0] == 0x11);
	assert_int_equal(st->ops->env_last(st, "cyber", "us-nrrc", &got, &found), PL_OK);
	assert_true(found && got.seq == 2);
	assert_int_equal(st->ops->env_last(st, "cyber", "ru-nrrc", &got, &found), PL_OK);
	assert_false(found);
	memset(e.id, 0x77, HASH_LEN);
	assert_int_equal(st->ops->env_get(st, e.id, NULL, NULL, &found), PL_OK);
	assert_false(found);
	buf_reset(&raw);
	store_close(st);
}

struct dlv_seen {
	char channel[8][CODEC_ID_MAX + 1];
	uint64_t seq[8];
	int n;
};

static int
dlv_row(void *ctx, const struct store_dlv *d)
{
	struct dlv_seen *s = ctx;

	(void)snprintf(s->channel[s->n], sizeof(s->channel[0]), "%s", d->channel);
	s->seq[s->n++] = d->seq;
	return s->n == 8;
}

static void
test_deliveries(void **state)
{
	static const struct {
		const char *channel;
		uint64_t seq;
		uint8_t prec;
	} rows[] = {
		{ "bulk", 1, ENV_PREC_ROUTINE },   { "bulk", 2, ENV_PREC_ROUTINE },
		{ "hot", 1, ENV_PREC_IMMEDIATE },  { "bulk", 3, ENV_PREC_FLASH },
		{ "quiet", 1, ENV_PREC_PRIORITY },
	};
	struct dlv_seen seen = { 0 };
	struct store_skip skip;
	char channel[CODEC_ID_MAX + 1];
	struct store *st;
	struct store_env e;
	struct store_dlv d;
	size_t i;
	int found;

	(void)state;
	wipe();
	assert_int_equal(store_open(&st, path), PL_OK);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		env_row(&e, (uint8_t)(0x20 + i), rows[i].channel, "us-nrrc", rows[i].seq);
		assert_int_equal(st->ops->env_put(st, &e, (const uint8_t *)"x", 1), PL_OK);
		memset(&d, 0, sizeof(d));
		memcpy(d.env_id, e.id, HASH_LEN);
		(void)snprintf(d.peer, sizeof(d.peer), "ru-nrrc");
		(void)snprintf(d.channel, sizeof(d.channel), "%s", rows[i].channel);
		d.seq = rows[i].seq;
		d.prec = rows[i].prec;
		assert_int_equal(st->ops->dlv_put(st, &d), PL_OK);
	}
	/* The FLASH one lifts its channel, which then goes in its own order. */
	assert_int_equal(
	        st->ops->dlv_urgent(st, "ru-nrrc", ENV_PREC_ROUTINE, NULL, channel, &found), PL_OK);
	assert_true(found);
	assert_string_equal(channel, "bulk");
	assert_int_equal(st->ops->dlv_pending(st, "ru-nrrc", "bulk", 2, dlv_row, &seen), PL_OK);
	assert_int_equal(seen.n, 2);
	assert_true(seen.seq[0] == 1 && seen.seq[1] == 2);
	/* Done for the whole of bulk: hot (IMMEDIATE) is next. */
	for (i = 0; i < 4; i++) {
		if (strcmp(rows[i].channel, "bulk") != 0)
			continue;
		memset(d.env_id, (int)(0x20 + i), HASH_LEN);
		assert_int_equal(st->ops->dlv_done(st, d.env_id, "ru-nrrc", 5), PL_OK);
	}
	assert_int_equal(
	        st->ops->dlv_urgent(st, "ru-nrrc", ENV_PREC_ROUTINE, NULL, channel, &found), PL_OK);
	assert_string_equal(channel, "hot");
	/* The urgent lane asks for IMMEDIATE or more urgent only: hot still; then nothing. */
	assert_int_equal(
	        st->ops->dlv_urgent(st, "ru-nrrc", ENV_PREC_IMMEDIATE, NULL, channel, &found),
	        PL_OK);
	assert_true(found);
	assert_string_equal(channel, "hot");
	memset(d.env_id, 0x22, HASH_LEN);
	assert_int_equal(st->ops->dlv_done(st, d.env_id, "ru-nrrc", 6), PL_OK);
	assert_int_equal(
	        st->ops->dlv_urgent(st, "ru-nrrc", ENV_PREC_IMMEDIATE, NULL, channel, &found),
	        PL_OK);
	assert_false(found);
	assert_int_equal(
	        st->ops->dlv_urgent(st, "ru-nrrc", ENV_PREC_ROUTINE, NULL, channel, &found), PL_OK);
	assert_true(found);
	assert_string_equal(channel, "quiet");
	/* The peer says it lost them: pending again from seq 2. */
	assert_int_equal(st->ops->dlv_reset(st, "ru-nrrc", "bulk", 2), PL_OK);
	seen.n = 0;
	assert_int_equal(st->ops->dlv_pending(st, "ru-nrrc", "bulk", 0, dlv_row, &seen), PL_OK);
	assert_int_equal(seen.n, 2);
	assert_true(seen.seq[0] == 2 && seen.seq[1] == 3);
	assert_int_equal(
	        st->ops->dlv_urgent(st, "cn-cert", ENV_PREC_ROUTINE, NULL, channel, &found), PL_OK);
	assert_false(found);
	/* Channels left out: the next most urgent one, or none. */
	memset(&skip, 0, sizeof(skip));
	skip.n = 1;
	(void)snprintf(skip.channel[0], sizeof(skip.channel[0]), "bulk");
	assert_int_equal(
	        st->ops->dlv_urgent(st, "ru-nrrc", ENV_PREC_ROUTINE, &skip, channel, &found),
	        PL_OK);
	assert_true(found);
	assert_string_equal(channel, "quiet");
	skip.n = 2;
	(void)snprintf(skip.channel[1], sizeof(skip.channel[1]), "quiet");
	assert_int_equal(
	        st->ops->dlv_urgent(st, "ru-nrrc", ENV_PREC_ROUTINE, &skip, channel, &found),
	        PL_OK);
	assert_false(found);
	skip.n = STORE_SKIP_MAX + 1;
	assert_int_equal(
	        st->ops->dlv_urgent(st, "ru-nrrc", ENV_PREC_ROUTINE, &skip, channel, &found),
	        PL_E_ARG);
	store_close(st);
}

struct rcpt_seen {
	int n;
	char who[4][16];
	uint8_t first[4];
};

static int
rcpt_row(void *ctx, const char *receiver, uint64_t stored_ms, const uint8_t *raw, size_t n)
{
	struct rcpt_seen *s = ctx;

	(void)stored_ms;
	(void)snprintf(s->who[s->n], sizeof(s->who[0]), "%s", receiver);
	s->first[s->n++] = n > 0 ? raw[0] : 0;
	return s->n == 4;
}

static void
test_receipts(void **state)
{
	struct rcpt_seen seen = { 0 };
	struct store *st;
	struct store_env e;
	struct buf raw;
	int found;

	(void)state;
	wipe();
	assert_int_equal(store_open(&st, path), PL_OK);
	buf_init(&raw, 4096);
	env_row(&e, 0x31, "cyber", "us-nrrc", 1);
	assert_int_equal(st->ops->env_put(st, &e, (const uint8_t *)"x", 1), PL_OK);
	assert_int_equal(st->ops->rcpt_put(st, e.id, "ru-nrrc", 7, (const uint8_t *)"R1", 2),
	                 PL_OK);
	assert_int_equal(st->ops->rcpt_put(st, e.id, "cn-cert", 8, (const uint8_t *)"C1", 2),
	                 PL_OK);
	/* The same receiver again: refused, the first one kept. */
	assert_int_equal(st->ops->rcpt_put(st, e.id, "ru-nrrc", 9, (const uint8_t *)"R2", 2),
	                 PL_E_STATE);
	expect_msg("already stored");
	assert_int_equal(st->ops->rcpt_get(st, e.id, "ru-nrrc", &raw, &found), PL_OK);
	assert_true(found);
	assert_int_equal(raw.len, 2);
	assert_memory_equal(raw.data, "R1", 2);
	assert_int_equal(st->ops->rcpt_list(st, e.id, rcpt_row, &seen), PL_OK);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.who[0], "cn-cert");
	assert_string_equal(seen.who[1], "ru-nrrc");
	assert_true(seen.first[0] == 'C' && seen.first[1] == 'R');
	/* Another envelope of the same channel has none; one not stored takes none. */
	env_row(&e, 0x32, "cyber", "us-nrrc", 2);
	assert_int_equal(st->ops->env_put(st, &e, (const uint8_t *)"x", 1), PL_OK);
	assert_int_equal(st->ops->rcpt_get(st, e.id, "ru-nrrc", &raw, &found), PL_OK);
	assert_false(found);
	memset(e.id, 0x7e, HASH_LEN);
	assert_int_equal(st->ops->rcpt_put(st, e.id, "ru-nrrc", 7, (const uint8_t *)"R1", 2),
	                 PL_E_STATE);
	expect_msg("not stored");
	assert_int_equal(st->ops->rcpt_get(st, e.id, "ru-nrrc", &raw, &found), PL_OK);
	assert_false(found);
	buf_reset(&raw);
	store_close(st);
}

/* A savepoint rolled back takes its transcript entries with it. */
static void
test_log_savepoint(void **state)
{
	const uint8_t *entries[2] = { (const uint8_t *)"one", (const uint8_t *)"two" };
	size_t lens[2] = { 3, 3 };
	struct store *st;
	uint64_t size, first;

	(void)state;
	wipe();
	assert_int_equal(store_open(&st, path), PL_OK);
	assert_int_equal(st->ops->begin(st), PL_OK);
	assert_int_equal(st->ops->savepoint(st), PL_OK);
	assert_int_equal(st->ops->log_append(st, entries, lens, 2, &first), PL_OK);
	st->ops->rollback_to(st);
	assert_int_equal(st->ops->log_size(st, &size), PL_OK);
	assert_true(size == 0);
	assert_int_equal(st->ops->savepoint(st), PL_OK);
	assert_int_equal(st->ops->log_append(st, entries, lens, 1, &first), PL_OK);
	assert_int_equal(st->ops->release(st), PL_OK);
	assert_int_equal(st->ops->commit(st), PL_OK);
	store_close(st);
	assert_int_equal(store_open(&st, path), PL_OK);
	assert_int_equal(st->ops->log_size(st, &size), PL_OK);
	assert_true(size == 1);
	store_close(st);
}

static void
test_refusals(void **state)
{
	struct store_env e, got;
	struct store *st;
	sqlite3 *db;
	int found;

	(void)state;
	assert_int_equal(store_open(&st, "postgresql://db.example/parley"), PL_E_ARG);
	expect_msg("not built with PostgreSQL support");
	assert_int_equal(store_open(&st, "sqlite:"), PL_E_ARG);
	/* A hash column altered to 5 bytes is reported, naming where. */
	wipe();
	assert_int_equal(store_open(&st, path), PL_OK);
	env_row(&e, 0x31, "cyber", "us-nrrc", 1);
	assert_int_equal(st->ops->env_put(st, &e, (const uint8_t *)"r", 1), PL_OK);
	store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	        sqlite3_exec(db, "UPDATE envelope SET prev = x'0102030405'", NULL, NULL, NULL),
	        SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(&st, path), PL_OK);
	assert_int_equal(st->ops->env_get(st, e.id, &got, NULL, &found), PL_E_STORE);
	expect_msg("envelope.prev: 5 bytes, want 32: corrupt");
	store_close(st);
	/* A schema newer than this code: refused, not touched. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "UPDATE store_meta SET value = 99 WHERE key = "
	                              "'schema_version'",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(&st, path), PL_E_STORE);
	expect_msg("schema version 99 is newer");
}

struct decided {
	int n, same;
	struct store_heard h[4];
};

static int
each_decided(void *ctx, const struct store_heard *h, const uint8_t ours[HASH_LEN])
{
	struct decided *d = ctx;

	assert_true(d->n < 4);
	d->h[d->n++] = *h;
	d->same += memcmp(h->id, ours, HASH_LEN) == 0;
	return 0;
}

/* Heard rows: kept once; decided only once an envelope with that channel, sender and seq is here. */
static void
test_heard(void **state)
{
	struct store_heard h;
	struct store_env e;
	struct decided d;
	struct store *st;
	uint64_t count;

	(void)state;
	wipe();
	assert_int_equal(store_open(&st, path), PL_OK);
	memset(&h, 0, sizeof(h));
	(void)snprintf(h.channel, sizeof(h.channel), "cyber");
	(void)snprintf(h.sender, sizeof(h.sender), "us-nrrc");
	(void)snprintf(h.party, sizeof(h.party), "fr-cert");
	h.seq = 2;
	h.index = 7;
	memset(h.id, 0x22, HASH_LEN);
	assert_int_equal(st->ops->heard_put(st, &h), PL_OK);
	memset(h.id, 0x99, HASH_LEN); /* the same row again: the first is kept */
	assert_int_equal(st->ops->heard_put(st, &h), PL_OK);
	(void)snprintf(h.party, sizeof(h.party), "ru-nrrc");
	assert_int_equal(st->ops->heard_put(st, &h), PL_OK);
	assert_int_equal(st->ops->heard_count(st, &count), PL_OK);
	assert_int_equal(count, 2);
	memset(&d, 0, sizeof(d));
	assert_int_equal(st->ops->heard_decided(st, 10, each_decided, &d), PL_OK);
	assert_int_equal(d.n, 0);
	env_row(&e, 0x22, "cyber", "us-nrrc", 2);
	assert_int_equal(st->ops->env_put(st, &e, (const uint8_t *)"raw-2", 5), PL_OK);
	assert_int_equal(st->ops->heard_decided(st, 10, each_decided, &d), PL_OK);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.same, 1); /* fr-cert's says 0x22, ru-nrrc's 0x99 */
	assert_int_equal(d.h[0].seq, 2);
	assert_int_equal(d.h[0].index, 7);
	memset(&d, 0, sizeof(d));
	assert_int_equal(st->ops->heard_decided(st, 1, each_decided, &d), PL_OK);
	assert_int_equal(d.n, 1);
	assert_int_equal(st->ops->heard_del(st, &d.h[0]), PL_OK);
	assert_int_equal(st->ops->heard_count(st, &count), PL_OK);
	assert_int_equal(count, 1);
	store_close(st);
}

/* The two integers of the one row sql gives on the store's file, read directly. */
static void
two_ints(const char *sql, int *a, int *b)
{
	sqlite3 *db;
	sqlite3_stmt *q;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	*a = sqlite3_column_int(q, 0);
	*b = sqlite3_column_int(q, 1);
	sqlite3_finalize(q);
	sqlite3_close(db);
}

/* A version-1 store (before the delivery index) is migrated on open. */
static void
test_migration(void **state)
{
	struct store *st;
	sqlite3 *db;
	int a, b;

	(void)state;
	wipe();
	assert_int_equal(store_open(&st, path), PL_OK);
	store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	        sqlite3_exec(db,
	                     "DROP INDEX delivery_urgent; DROP TABLE witnessed;"
	                     " DROP TABLE cosig; DROP TABLE alert; DROP TABLE heard;"
	                     " UPDATE store_meta SET value = 1 WHERE key = 'schema_version'",
	                     NULL, NULL, NULL),
	        SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(&st, path), PL_OK);
	store_close(st);
	two_ints("SELECT (SELECT value FROM store_meta WHERE key = 'schema_version'),"
	         " (SELECT COUNT(*) FROM sqlite_master WHERE name IN"
	         " ('delivery_urgent', 'witnessed', 'cosig', 'alert', 'heard'))",
	         &a, &b);
	assert_int_equal(a, 5);
	assert_int_equal(b, 5);
}

static int
dlv_count(void *ctx, const struct store_dlv *d)
{
	int *n = ctx;

	*n += d->done ? 100 : 1;
	return 0;
}

/* The id of the envelope make_v4 stores (tag 0x41), as an SQL literal. */
#define ID41                                                                                       \
	"x'"                                                                                       \
	"4141414141414141414141414141414141414141414141414141414141414141"                         \
	"'"

/*
 * Put the version-4 delivery and receipt tables back, with rows, under a
 * store otherwise current, and say it is version 4.
 */
static void
make_v4(const char *rows)
{
	struct store *st;
	sqlite3 *db;
	char *msg = NULL;
	char q[2048];
	struct store_env e;

	wipe();
	assert_int_equal(store_open(&st, path), PL_OK);
	env_row(&e, 0x41, "cyber", "us-nrrc", 1);
	assert_int_equal(st->ops->env_put(st, &e, (const uint8_t *)"x", 1), PL_OK);
	store_close(st);
	(void)snprintf(q, sizeof(q),
	               "DROP TABLE delivery; DROP TABLE receipt;"
	               "CREATE TABLE delivery(env_id BLOB NOT NULL REFERENCES envelope(id),"
	               " peer TEXT NOT NULL, channel TEXT NOT NULL, seq INTEGER NOT NULL,"
	               " prec INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0,"
	               " done_ms INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(env_id, peer));"
	               "CREATE INDEX delivery_pending ON delivery(peer, done, channel, seq);"
	               "CREATE INDEX delivery_urgent ON delivery(peer, done, prec, seq);"
	               "CREATE TABLE receipt(env_id BLOB NOT NULL, receiver TEXT NOT NULL,"
	               " stored_ms INTEGER NOT NULL, raw BLOB NOT NULL,"
	               " PRIMARY KEY(env_id, receiver));"
	               "%s"
	               "UPDATE store_meta SET value = 4 WHERE key = 'schema_version'",
	               rows);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, q, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("make_v4: %s", msg);
	sqlite3_close(db);
}

/* Version 4 to 5: deliveries and receipts rekeyed, every row kept. */
static void
test_migration_v5(void **state)
{
	struct store *st;
	struct buf raw;
	uint8_t id[HASH_LEN];
	int found, n = 0, a, b;

	(void)state;
	buf_init(&raw, 4096);
	memset(id, 0x41, HASH_LEN); /* ID41 */
	make_v4("INSERT INTO delivery VALUES(" ID41 ", 'ru-nrrc', 'cyber', 1, 4, 1, 9);"
	        "INSERT INTO delivery VALUES(" ID41 ", 'cn-cert', 'cyber', 1, 4, 0, 0);"
	        "INSERT INTO receipt VALUES(" ID41 ", 'ru-nrrc', 9, x'5231');");
	assert_int_equal(store_open(&st, path), PL_OK);
	assert_int_equal(st->ops->rcpt_get(st, id, "ru-nrrc", &raw, &found), PL_OK);
	assert_true(found);
	assert_int_equal(raw.len, 2);
	assert_memory_equal(raw.data, "R1", 2);
	assert_int_equal(st->ops->dlv_list(st, id, dlv_count, &n), PL_OK);
	assert_int_equal(n, 101); /* ru-nrrc done, cn-cert pending */
	store_close(st);

	/* A receipt for an envelope not stored stops the migration: nothing changes. */
	make_v4("INSERT INTO receipt VALUES(zeroblob(32), 'ru-nrrc', 9, x'5231');");
	assert_int_equal(store_open(&st, path), PL_E_STORE);
	expect_msg("schema version 5 failed, the store is left at version 4");
	expect_msg("NOT NULL constraint failed: receipt_v5.channel");
	two_ints("SELECT (SELECT value FROM store_meta WHERE key = 'schema_version'),"
	         " (SELECT COUNT(*) FROM receipt)",
	         &a, &b);
	assert_int_equal(a, 4);
	assert_int_equal(b, 1);
	buf_reset(&raw);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_envelopes),  cmocka_unit_test(test_heard),
		cmocka_unit_test(test_deliveries), cmocka_unit_test(test_log_savepoint),
		cmocka_unit_test(test_refusals),   cmocka_unit_test(test_migration),
		cmocka_unit_test(test_receipts),   cmocka_unit_test(test_migration_v5),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
