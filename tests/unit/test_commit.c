/*
 * test_commit.c - group commit over a real SQLite file (WAL,
 * synchronous=FULL): many threads' writes all land, share fsyncs, a failing
 * job is undone alone and gets its own message, a failed commit fails the
 * whole group, stopping runs what is queued and refuses the rest,
 * announced jobs hold a group only while they are missing, a write in
 * parts lands as one (a failed part undone alone), and an urgent job
 * overtakes the queue and the group in progress.
 *
 * The store here is a minimal one over a single table, so that the test
 * checks the committer alone; the node's own store has its tests.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/commit.h"

struct tstore {
	struct store base;
	sqlite3 *db;
	int fail_commit; /* make the next COMMIT fail */
};

static char path[64];

static enum pl_err
x(struct tstore *t, const char *sql)
{
	if (sqlite3_exec(t->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return pl_errf(PL_E_STORE, "%s: %s", sql, sqlite3_errmsg(t->db));
	return PL_OK;
}

static void
t_close(struct store *st)
{
	struct tstore *t = (struct tstore *)st;

	sqlite3_close(t->db);
	free(t);
}

static enum pl_err
t_begin(struct store *st)
{
	return x((struct tstore *)st, "BEGIN IMMEDIATE");
}

static enum pl_err
t_commit(struct store *st)
{
	struct tstore *t = (struct tstore *)st;

	if (t->fail_commit) {
		t->fail_commit = 0;
		return pl_errf(PL_E_STORE, "disk full (test)");
	}
	return x(t, "COMMIT");
}

static void
t_rollback(struct store *st)
{
	(void)x((struct tstore *)st, "ROLLBACK");
}

static enum pl_err
t_savepoint(struct store *st)
{
	return x((struct tstore *)st, "SAVEPOINT job");
}

static enum pl_err
t_release(struct store *st)
{
	return x((struct tstore *)st, "RELEASE job");
}

static void
t_rollback_to(struct store *st)
{
	(void)x((struct tstore *)st, "ROLLBACK TO job; RELEASE job");
}

static const struct store_ops tops = {
	.close = t_close,
	.begin = t_begin,
	.commit = t_commit,
	.rollback = t_rollback,
	.savepoint = t_savepoint,
	.release = t_release,
	.rollback_to = t_rollback_to,
};

static struct tstore *
topen(void)
{
	struct tstore *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->base.ops = &tops;
	assert_int_equal(sqlite3_open(path, &t->db), SQLITE_OK);
	sqlite3_busy_timeout(t->db, 5000);
	assert_int_equal(x(t, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                      "CREATE TABLE IF NOT EXISTS t(k INTEGER PRIMARY KEY, v TEXT)"),
	                 PL_OK);
	return t;
}

static long
count_rows(const char *where)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char sql[128];
	long n;

	(void)snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM t %s", where);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* A job: insert key k; k < 0 inserts then fails (its row must vanish). */
struct ins {
	long k;
};

static enum pl_err
ins_job(struct store *st, void *ctx)
{
	struct tstore *t = (struct tstore *)st;
	struct ins *in = ctx;
	char sql[96];

	(void)snprintf(sql, sizeof(sql), "INSERT INTO t(k, v) VALUES(%ld, 'x')",
	               in->k < 0 ? -in->k : in->k);
	PL_TRY(x(t, sql));
	if (in->k < 0)
		return pl_errf(PL_E_ARG, "job %ld refused on purpose", -in->k);
	return PL_OK;
}

static int
setup(void **state)
{
	(void)state;
	(void)snprintf(path, sizeof(path), "/tmp/parley-commit-%ld.db", (long)getpid());
	return 0;
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
teardown(void **state)
{
	(void)state;
	wipe();
	return 0;
}

#define THREADS 8
#define PER     150

struct worker {
	struct committer *c;
	int t;
	int fails; /* jobs that reported an error */
	int bad;   /* jobs whose error or message was wrong */
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = 0; i < PER; i++) {
		long k = (long)w->t * 100000 + i + 1;
		/* Every 10th job of odd threads fails after writing. */
		struct ins in = { (w->t & 1) && i % 10 == 0 ? -k : k };
		enum pl_err err = commit_run(w->c, ins_job, &in);
		char want[64];

		if (in.k < 0) {
			(void)snprintf(want, sizeof(want), "job %ld refused on purpose", k);
			w->fails++;
			if (err != PL_E_ARG || strstr(pl_err_msg(), want) == NULL)
				w->bad++;
		} else if (err != PL_OK) {
			w->bad++;
		}
	}
	return NULL;
}

/* Eight threads at once: every good row lands, failed ones do not, fsyncs are shared. */
static void
test_many_threads(void **state)
{
	struct worker w[THREADS];
	pthread_t th[THREADS];
	unsigned long long groups, jobs;
	struct committer *c;
	int i, fails = 0;

	(void)state;
	wipe();
	assert_int_equal(commit_start(&c, &topen()->base, 0), PL_OK);
	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .c = c, .t = i };
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].bad, 0);
		fails += w[i].fails;
	}
	commit_stats(c, &groups, &jobs);
	commit_stop(c);
	assert_true(jobs == THREADS * PER);
	assert_int_equal(fails, 4 * (PER / 10));
	assert_int_equal(count_rows(""), THREADS * PER - fails);
	/* With 8 writers waiting on the disk, groups hold several jobs each. */
	print_message("# %llu jobs in %llu groups\n", jobs, groups);
	assert_true(groups * 2 <= jobs);
}

/* A failing job is undone alone; the others in its group commit. */
static void
test_failure_is_private(void **state)
{
	struct committer *c;
	struct ins good = { 7 }, bad = { -8 };

	(void)state;
	wipe();
	assert_int_equal(commit_start(&c, &topen()->base, 0), PL_OK);
	assert_int_equal(commit_run(c, ins_job, &bad), PL_E_ARG);
	assert_non_null(strstr(pl_err_msg(), "job 8 refused on purpose"));
	assert_int_equal(commit_run(c, ins_job, &good), PL_OK);
	/* A duplicate key fails in SQLite itself: reported, nothing else lost. */
	assert_int_equal(commit_run(c, ins_job, &good), PL_E_STORE);
	assert_non_null(strstr(pl_err_msg(), "UNIQUE"));
	commit_stop(c);
	assert_int_equal(count_rows(""), 1);
	assert_int_equal(count_rows("WHERE k = 7"), 1);
}

/* A commit that fails fails every job of its group, and nothing is stored. */
static void
test_commit_failure(void **state)
{
	struct tstore *t;
	struct committer *c;
	struct ins a = { 1 }, b = { 2 };

	(void)state;
	wipe();
	t = topen();
	assert_int_equal(commit_start(&c, &t->base, 0), PL_OK);
	t->fail_commit = 1;
	assert_int_equal(commit_run(c, ins_job, &a), PL_E_STORE);
	assert_non_null(strstr(pl_err_msg(), "commit failed: disk full (test)"));
	assert_int_equal(commit_run(c, ins_job, &b), PL_OK);
	commit_stop(c);
	assert_int_equal(count_rows("WHERE k = 1"), 0);
	assert_int_equal(count_rows("WHERE k = 2"), 1);
}

struct late {
	struct committer *c;
	enum pl_err err;
};

static void *
late_caller(void *arg)
{
	struct late *l = arg;
	struct ins in = { 99 };

	l->err = commit_run(l->c, ins_job, &in);
	return NULL;
}

/* Jobs from several callers around a stop: all queued ones run before the store closes. */
static void
test_stop(void **state)
{
	struct committer *c;
	struct late l;
	pthread_t th;
	struct ins in = { 5 };

	(void)state;
	wipe();
	assert_int_equal(commit_start(&c, &topen()->base, 2), PL_OK);
	l.c = c;
	assert_int_equal(pthread_create(&th, NULL, late_caller, &l), 0);
	assert_int_equal(commit_run(c, ins_job, &in), PL_OK);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(l.err, PL_OK);
	commit_stop(c);
	assert_int_equal(count_rows(""), 2);
}

/* A caller in a thread: one job, announced or not; done says when it returned. */
struct caller {
	struct committer *c;
	long k;
	int announced;
	atomic_int done;
	enum pl_err err;
};

static void *
call(void *arg)
{
	struct caller *cl = arg;
	struct ins in = { cl->k };

	cl->err = commit_run_then(cl->c, ins_job, &in, NULL, NULL, cl->announced);
	atomic_store(&cl->done, 1);
	return NULL;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Announced jobs: the writer holds a group for the ones still missing, a
 * cancelled announcement lets it go at once, and nothing is held when
 * nothing is announced.  The hold is 10 s here, so that every "held" below
 * is certain and every "not held" is a wait far shorter than the hold.
 */
static void
test_expect(void **state)
{
	unsigned long long g0, g1, j;
	struct committer *c;
	struct caller a, b;
	pthread_t ta, tb;
	double t0;

	(void)state;
	wipe();
	assert_int_equal(commit_start(&c, &topen()->base, 0), PL_OK);
	commit_set_hold(c, 10u * 1000 * 1000);

	/* Nothing announced: a job commits at once. */
	t0 = mono();
	a = (struct caller){ .c = c, .k = 1 };
	call(&a);
	assert_int_equal(a.err, PL_OK);
	assert_true(mono() - t0 < 5);

	/* One announced: an unannounced job waits for it, and both share a group. */
	commit_stats(c, &g0, &j);
	commit_expect(c);
	a = (struct caller){ .c = c, .k = 2 };
	assert_int_equal(pthread_create(&ta, NULL, call, &a), 0);
	usleep(100 * 1000);
	assert_false(atomic_load(&a.done));
	b = (struct caller){ .c = c, .k = 3, .announced = 1 };
	t0 = mono();
	call(&b);
	assert_int_equal(pthread_join(ta, NULL), 0);
	assert_true(mono() - t0 < 5);
	assert_int_equal(a.err, PL_OK);
	assert_int_equal(b.err, PL_OK);
	commit_stats(c, &g1, &j);
	assert_true(g1 - g0 == 1);

	/* Announced, then given up: the held job goes at once. */
	commit_expect(c);
	a = (struct caller){ .c = c, .k = 4 };
	assert_int_equal(pthread_create(&tb, NULL, call, &a), 0);
	usleep(100 * 1000);
	assert_false(atomic_load(&a.done));
	t0 = mono();
	commit_expect_cancel(c);
	assert_int_equal(pthread_join(tb, NULL), 0);
	assert_true(mono() - t0 < 5);
	assert_int_equal(a.err, PL_OK);

	commit_stop(c);
	assert_int_equal(count_rows(""), 4);
}

/*
 * A write in parts, as the node queues a batch: part k inserts base + k,
 * or fails after inserting if k is fail_part; a later part sees the
 * failure in ctx and does nothing.  A part whose bit is set in gates
 * waits, once entered, until the test opens its gate, so that the test
 * can queue jobs behind it.
 */
struct parts {
	long base;
	int fail_part;
	unsigned gates;
	int failed;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int entered[4], open[4];
};

/* The order jobs ran in, as keys, recorded on the writer's thread. */
static long ran[64];
static size_t n_ran;

static enum pl_err
part_job(struct store *st, void *ctx, unsigned part)
{
	struct parts *p = ctx;
	struct ins in = { p->base + (long)part };

	if (p->failed)
		return PL_OK;
	if (part < 4 && (p->gates & (1u << part)) != 0) {
		pthread_mutex_lock(&p->mu);
		p->entered[part] = 1;
		pthread_cond_broadcast(&p->cv);
		while (!p->open[part])
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
	}
	ran[n_ran++] = in.k;
	if ((int)part == p->fail_part) {
		p->failed = 1;
		in.k = -in.k;
	}
	return ins_job(st, &in);
}

static void
parts_init(struct parts *p, long base, int fail_part, unsigned gates)
{
	memset(p, 0, sizeof(*p));
	p->base = base;
	p->fail_part = fail_part;
	p->gates = gates;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
}

static void
parts_wait_entered(struct parts *p, int part)
{
	pthread_mutex_lock(&p->mu);
	while (!p->entered[part])
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

static void
parts_open(struct parts *p, int part)
{
	pthread_mutex_lock(&p->mu);
	p->open[part] = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* Parts all land as one write; a failed part is undone alone, the first failure is the answer. */
static void
test_parts(void **state)
{
	unsigned long long g0, w0, g1, w1;
	struct committer *c;
	struct parts p;
	unsigned done = 99;

	(void)state;
	wipe();
	n_ran = 0;
	assert_int_equal(commit_start(&c, &topen()->base, 0), PL_OK);
	commit_stats(c, &g0, &w0);
	parts_init(&p, 100, -1, 0);
	assert_int_equal(commit_run_parts(c, part_job, &p, 4, 0, &done), PL_OK);
	assert_int_equal(done, 4);
	commit_stats(c, &g1, &w1);
	assert_int_equal(count_rows("WHERE k BETWEEN 100 AND 103"), 4);
	assert_true(w1 - w0 == 1); /* one write, however many parts */
	assert_true(g1 - g0 == 1); /* and, alone, one fsync */

	/* Part 2 of 4 fails: parts 0 and 1 stay, 2 is undone, 3 does nothing. */
	parts_init(&p, 200, 2, 0);
	assert_int_equal(commit_run_parts(c, part_job, &p, 4, 0, &done), PL_E_ARG);
	assert_non_null(strstr(pl_err_msg(), "job 202 refused on purpose"));
	assert_int_equal(done, 2);
	assert_int_equal(count_rows("WHERE k BETWEEN 200 AND 203"), 2);
	assert_int_equal(count_rows("WHERE k IN (200, 201)"), 2);

	assert_int_equal(commit_run_parts(c, part_job, &p, 0, 0, &done), PL_E_ARG);
	assert_int_equal(done, 0);
	assert_int_equal(commit_run_parts(c, part_job, &p, COMMIT_PARTS_MAX + 1, 0, NULL),
	                 PL_E_ARG);
	commit_stop(c);
}

struct urgent_caller {
	struct committer *c;
	struct parts p;
	unsigned n_parts;
	int urgent;
	atomic_int done;
	enum pl_err err;
};

static void *
parts_call(void *arg)
{
	struct urgent_caller *u = arg;

	u->err = commit_run_parts(u->c, part_job, &u->p, u->n_parts, u->urgent, NULL);
	atomic_store(&u->done, 1);
	return NULL;
}

/*
 * An urgent job overtakes: while part 0 of a 4-part write runs, a plain job
 * and then an urgent one are queued.  The urgent one runs right after part
 * 0, and is on disk, with part 0, before the other parts have run; the
 * plain job, queued earlier, runs last.
 */
static void
test_urgent(void **state)
{
	struct urgent_caller big, plain, urgent;
	pthread_t tb, tp, tu;
	struct committer *c;
	long want[] = { 300, 500, 301, 302, 303, 400 };
	double t0;

	(void)state;
	wipe();
	n_ran = 0;
	assert_int_equal(commit_start(&c, &topen()->base, 0), PL_OK);
	/* Parts 0 and 1 wait for the test: 1 until the urgent job has returned. */
	big = (struct urgent_caller){ .c = c, .n_parts = 4 };
	parts_init(&big.p, 300, -1, 3);
	plain = (struct urgent_caller){ .c = c, .n_parts = 1 };
	parts_init(&plain.p, 400, -1, 0);
	urgent = (struct urgent_caller){ .c = c, .n_parts = 1, .urgent = 1 };
	parts_init(&urgent.p, 500, -1, 0);

	assert_int_equal(pthread_create(&tb, NULL, parts_call, &big), 0);
	parts_wait_entered(&big.p, 0);
	assert_int_equal(pthread_create(&tp, NULL, parts_call, &plain), 0);
	usleep(100 * 1000); /* the plain job in line first */
	assert_int_equal(pthread_create(&tu, NULL, parts_call, &urgent), 0);
	usleep(100 * 1000);
	assert_false(atomic_load(&urgent.done));
	parts_open(&big.p, 0);
	t0 = mono();
	while (!atomic_load(&urgent.done) && mono() - t0 < 10)
		usleep(1000);
	assert_true(atomic_load(&urgent.done));
	assert_int_equal(urgent.err, PL_OK);
	/* On disk: part 0 and the urgent job; not part 1 (waiting), nor the plain job. */
	assert_int_equal(count_rows("WHERE k IN (300, 500)"), 2);
	assert_int_equal(count_rows("WHERE k IN (301, 302, 303, 400)"), 0);
	assert_false(atomic_load(&plain.done));
	assert_false(atomic_load(&big.done));

	parts_wait_entered(&big.p, 1);
	parts_open(&big.p, 1);
	assert_int_equal(pthread_join(tb, NULL), 0);
	assert_int_equal(pthread_join(tp, NULL), 0);
	assert_int_equal(pthread_join(tu, NULL), 0);
	assert_int_equal(big.err, PL_OK);
	assert_int_equal(plain.err, PL_OK);
	commit_stop(c);
	assert_int_equal(n_ran, sizeof(want) / sizeof(want[0]));
	assert_memory_equal(ran, want, sizeof(want));
	assert_int_equal(count_rows(""), 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_threads),   cmocka_unit_test(test_failure_is_private),
		cmocka_unit_test(test_commit_failure), cmocka_unit_test(test_stop),
		cmocka_unit_test(test_expect),         cmocka_unit_test(test_parts),
		cmocka_unit_test(test_urgent),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
