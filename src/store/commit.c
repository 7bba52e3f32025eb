/*
 * commit.c - group commit (commit.h).
 *
 * Callers put their jobs on a queue and sleep on their own condition
 * variable.  The writer thread takes the whole queue (up to max_group
 * jobs), runs them in one transaction, each in a savepoint, commits, and
 * only then wakes the callers of that group.  Urgent jobs are queued ahead
 * of the others and never share a group with them, except that a group
 * being run takes them in after its current job and ends with them.
 * While the writer waits for the disk, new jobs pile up and form the next
 * group: the busier the node, the more jobs per fsync.
 *
 * That alone gives small groups when callers spend longer preparing a job
 * than the writer spends committing one (senders sealing envelopes): each
 * arrives to find the writer idle and pays a whole commit.  Callers that
 * announce their job (commit_expect) let the writer wait for it, briefly
 * and only while such a job is missing, the way PostgreSQL's commit_delay
 * waits only when other transactions are active.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../common/alloc.h"
#include "../common/log.h"
#include "commit.h"

/* The caller of one or more jobs (the parts of a write), waiting for them all. */
struct waiter {
	pthread_cond_t cv;
	unsigned remaining; /* jobs not on disk yet; under c->mu */
};

struct job {
	commit_fn fn;       /* a whole write, or */
	commit_part_fn pfn; /* one part of it */
	void *ctx;
	unsigned part;
	int urgent;
	enum pl_err err;
	char msg[PL_ERR_MSG_MAX];
	struct waiter *w;
	struct job *next;
};

struct committer {
	struct store *st;
	unsigned max_group;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work; /* the writer waits here for jobs */
	struct job *head, *tail;
	struct job *last_urgent; /* urgent jobs are head .. last_urgent (NULL: none) */
	unsigned queued;         /* jobs on the queue */
	unsigned urgent;         /* of which urgent */
	unsigned expected;       /* jobs announced and not queued yet */
	unsigned hold_us;        /* the longest wait for them */
	int stopping;
	unsigned long long groups, jobs;
};

static struct job *
last_of(struct job *j)
{
	while (j->next != NULL)
		j = j->next;
	return j;
}

static unsigned
count_of(const struct job *j)
{
	unsigned n = 0;

	for (; j != NULL; j = j->next)
		n++;
	return n;
}

/* Under c->mu: k linked jobs join the queue, urgent ones behind the urgent ones already there. */
static void
enqueue(struct committer *c, struct job *first, unsigned k, int urgent)
{
	struct job *last = last_of(first);

	if (urgent) {
		struct job *after = c->last_urgent;

		last->next = after != NULL ? after->next : c->head;
		if (after != NULL)
			after->next = first;
		else
			c->head = first;
		c->last_urgent = last;
		c->urgent += k;
	} else {
		if (c->tail != NULL)
			c->tail->next = first;
		else
			c->head = first;
	}
	if (last->next == NULL)
		c->tail = last;
	c->queued += k;
}

/*
 * Under c->mu: the first n jobs of the queue (n >= 1) leave it.  A group
 * never mixes urgent and other jobs: urgent ones are committed as soon as
 * they have run.
 */
static struct job *
dequeue(struct committer *c, unsigned max)
{
	struct job *group = c->head, *last = group;
	unsigned n = 1;

	while (last->next != NULL && n < max && last->next->urgent == group->urgent)
		last = last->next, n++;
	c->head = last->next;
	if (c->head == NULL)
		c->tail = NULL;
	last->next = NULL;
	c->queued -= n;
	if (group->urgent && (c->urgent -= n) == 0)
		c->last_urgent = NULL;
	return group;
}

/* Under c->mu: jobs taken but not run go back to the front of the queue, in their order. */
static void
requeue(struct committer *c, struct job *rest)
{
	struct job *last;

	if (rest == NULL)
		return;
	last = last_of(rest);
	last->next = c->head;
	c->head = rest;
	if (c->tail == NULL)
		c->tail = last;
	c->queued += count_of(rest);
}

/*
 * After job j (not urgent) ran: if urgent jobs are queued, they run next
 * in this transaction, and the group ends with them; the jobs of the group
 * after j go back to the queue for the next one.
 */
static void
let_urgent_in(struct committer *c, struct job *j)
{
	pthread_mutex_lock(&c->mu);
	if (c->urgent > 0) {
		struct job *rest = j->next;

		j->next = dequeue(c, c->urgent);
		requeue(c, rest);
	}
	pthread_mutex_unlock(&c->mu);
}

/* Run one group: every job in a savepoint inside one transaction. */
static void
run_group(struct committer *c, struct job *group)
{
	struct store *st = c->st;
	enum pl_err err;
	struct job *j;

	if ((err = st->ops->begin(st)) != PL_OK) {
		for (j = group; j != NULL; j = j->next) {
			j->err = err;
			(void)snprintf(j->msg, sizeof(j->msg), "%s", pl_err_msg());
		}
		return;
	}
	for (j = group; j != NULL; j = j->next) {
		pl_err_clear();
		if ((err = st->ops->savepoint(st)) == PL_OK) {
			err = j->fn != NULL ? j->fn(st, j->ctx) : j->pfn(st, j->ctx, j->part);
			if (err == PL_OK)
				err = st->ops->release(st);
			else
				st->ops->rollback_to(st);
		}
		j->err = err;
		if (err != PL_OK)
			(void)snprintf(j->msg, sizeof(j->msg), "%s", pl_err_msg());
		if (!j->urgent)
			let_urgent_in(c, j);
	}
	if ((err = st->ops->commit(st)) != PL_OK) {
		char msg[PL_ERR_MSG_MAX];

		(void)snprintf(msg, sizeof(msg), "%s", pl_err_msg());
		st->ops->rollback(st);
		log_warnx("commit: a group of writes failed: %s", msg);
		for (j = group; j != NULL; j = j->next) {
			j->err = PL_E_STORE;
			(void)snprintf(j->msg, sizeof(j->msg), "store: commit failed: %.200s", msg);
		}
	}
}

/* Under c->mu, jobs queued: wait a little for announced jobs to join them. */
static void
hold(struct committer *c)
{
	struct timespec until;

	if (c->expected == 0 || c->queued >= c->max_group || c->urgent > 0)
		return;
	(void)clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += c->hold_us / 1000000;
	until.tv_nsec += (long)(c->hold_us % 1000000) * 1000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (c->expected > 0 && c->queued < c->max_group && c->urgent == 0 && !c->stopping)
		if (pthread_cond_timedwait(&c->work, &c->mu, &until) == ETIMEDOUT)
			break;
}

static void *
writer(void *arg)
{
	struct committer *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		struct job *group, *j, *next;

		while (c->head == NULL && !c->stopping)
			pthread_cond_wait(&c->work, &c->mu);
		if (c->head == NULL)
			break; /* stopping, and nothing left */
		hold(c);
		group = dequeue(c, c->max_group);
		pthread_mutex_unlock(&c->mu);

		run_group(c, group);

		pthread_mutex_lock(&c->mu);
		c->groups++;
		for (j = group; j != NULL; j = next) {
			next = j->next; /* j belongs to its caller once its last job is done */
			if (--j->w->remaining == 0) {
				c->jobs++;
				pthread_cond_signal(&j->w->cv);
			}
		}
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

enum pl_err
commit_start(struct committer **out, struct store *st, unsigned max_group)
{
	pthread_condattr_t ca;
	struct committer *c;

	*out = NULL;
	if ((c = pl_calloc(1, sizeof(*c))) == NULL) {
		store_close(st);
		return pl_errf(PL_E_NOMEM, "commit: out of memory");
	}
	c->st = st;
	c->max_group = max_group ? max_group : 1024;
	c->hold_us = COMMIT_HOLD_US;
	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_init(&ca);
	(void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->work, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&c->thread, NULL, writer, c) != 0) {
		pthread_cond_destroy(&c->work);
		pthread_mutex_destroy(&c->mu);
		store_close(st);
		pl_free(c);
		return pl_errf(PL_E_STATE, "commit: cannot start the writer thread");
	}
	*out = c;
	return PL_OK;
}

/*
 * Queue k jobs (linked, each with its fn and part set) for one caller and
 * wait until all are on disk; the first that failed gives the error.
 */
static enum pl_err
submit(struct committer *c, struct job *jobs, unsigned k, int urgent, void (*queued)(void *arg),
       void *arg, int announced, unsigned *done)
{
	struct waiter w;
	unsigned i;

	pthread_cond_init(&w.cv, NULL);
	w.remaining = k;
	for (i = 0; i < k; i++) {
		jobs[i].urgent = urgent;
		jobs[i].err = PL_OK;
		jobs[i].w = &w;
		jobs[i].next = i + 1 < k ? &jobs[i + 1] : NULL;
	}
	if (done != NULL)
		*done = 0;
	pthread_mutex_lock(&c->mu);
	if (announced && c->expected > 0)
		c->expected--;
	if (c->stopping) {
		pthread_mutex_unlock(&c->mu);
		pthread_cond_destroy(&w.cv);
		if (queued != NULL)
			queued(arg);
		return pl_errf(PL_E_STATE, "commit: the store is shutting down");
	}
	enqueue(c, jobs, k, urgent);
	pthread_cond_signal(&c->work);
	if (queued != NULL)
		queued(arg);
	while (w.remaining > 0)
		pthread_cond_wait(&w.cv, &c->mu);
	pthread_mutex_unlock(&c->mu);
	pthread_cond_destroy(&w.cv);
	/* A job's message was recorded on the writer's thread: bring it here. */
	for (i = 0; i < k && jobs[i].err == PL_OK; i++)
		;
	if (done != NULL)
		*done = i;
	if (i < k)
		return pl_errf(jobs[i].err, "%s", jobs[i].msg);
	return PL_OK;
}

enum pl_err
commit_run_then(struct committer *c, commit_fn fn, void *ctx, void (*queued)(void *arg), void *arg,
                int announced)
{
	struct job j;

	memset(&j, 0, sizeof(j));
	j.fn = fn;
	j.ctx = ctx;
	return submit(c, &j, 1, 0, queued, arg, announced, NULL);
}

enum pl_err
commit_run_parts(struct committer *c, commit_part_fn fn, void *ctx, unsigned parts, int urgent,
                 unsigned *done)
{
	struct job jobs[COMMIT_PARTS_MAX];
	unsigned i;

	if (done != NULL)
		*done = 0;
	if (parts == 0 || parts > COMMIT_PARTS_MAX)
		return pl_errf(PL_E_ARG, "commit: a write in %u parts (want 1..%d)", parts,
		               COMMIT_PARTS_MAX);
	memset(jobs, 0, sizeof(jobs[0]) * parts);
	for (i = 0; i < parts; i++) {
		jobs[i].pfn = fn;
		jobs[i].ctx = ctx;
		jobs[i].part = i;
	}
	return submit(c, jobs, parts, urgent, NULL, NULL, 0, done);
}

enum pl_err
commit_run(struct committer *c, commit_fn fn, void *ctx)
{
	return commit_run_then(c, fn, ctx, NULL, NULL, 0);
}

void
commit_expect(struct committer *c)
{
	pthread_mutex_lock(&c->mu);
	c->expected++;
	pthread_mutex_unlock(&c->mu);
}

void
commit_set_hold(struct committer *c, unsigned us)
{
	pthread_mutex_lock(&c->mu);
	c->hold_us = us;
	pthread_mutex_unlock(&c->mu);
}

void
commit_expect_cancel(struct committer *c)
{
	pthread_mutex_lock(&c->mu);
	if (c->expected > 0 && --c->expected == 0)
		pthread_cond_signal(&c->work); /* a held group need not wait any longer */
	pthread_mutex_unlock(&c->mu);
}

void
commit_stop(struct committer *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	c->stopping = 1;
	pthread_cond_signal(&c->work);
	pthread_mutex_unlock(&c->mu);
	(void)pthread_join(c->thread, NULL);
	store_close(c->st);
	pthread_cond_destroy(&c->work);
	pthread_mutex_destroy(&c->mu);
	pl_free(c);
}

void
commit_stats(struct committer *c, unsigned long long *groups, unsigned long long *jobs)
{
	pthread_mutex_lock(&c->mu);
	*groups = c->groups;
	*jobs = c->jobs;
	pthread_mutex_unlock(&c->mu);
}
