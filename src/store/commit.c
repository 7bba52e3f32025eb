/*
 * commit.c - group commit (commit.h).
 *
 * Callers put a job on a queue and sleep on their own condition variable.
 * The writer thread takes the whole queue (up to max_group jobs), runs them
 * in one transaction, each in a savepoint, commits, and only then wakes the
 * callers of that group.  While the writer waits for the disk, new jobs pile
 * up and form the next group: the busier the node, the more jobs per fsync.
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

struct job {
	commit_fn fn;
	void *ctx;
	enum pl_err err;
	char msg[PL_ERR_MSG_MAX];
	int done;
	pthread_cond_t cv;
	struct job *next;
};

struct committer {
	struct store *st;
	unsigned max_group;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work; /* the writer waits here for jobs */
	struct job *head, *tail;
	unsigned queued;   /* jobs on the queue */
	unsigned expected; /* jobs announced and not queued yet */
	unsigned hold_us;  /* the longest wait for them */
	int stopping;
	unsigned long long groups, jobs;
};

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
			err = j->fn(st, j->ctx);
			if (err == PL_OK)
				err = st->ops->release(st);
			else
				st->ops->rollback_to(st);
		}
		j->err = err;
		if (err != PL_OK)
			(void)snprintf(j->msg, sizeof(j->msg), "%s", pl_err_msg());
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

	if (c->expected == 0 || c->queued >= c->max_group)
		return;
	(void)clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += c->hold_us / 1000000;
	until.tv_nsec += (long)(c->hold_us % 1000000) * 1000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (c->expected > 0 && c->queued < c->max_group && !c->stopping)
		if (pthread_cond_timedwait(&c->work, &c->mu, &until) == ETIMEDOUT)
			break;
}

static void *
writer(void *arg)
{
	struct committer *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		struct job *group, *last, *j, *next;
		unsigned n = 1;

		while (c->head == NULL && !c->stopping)
			pthread_cond_wait(&c->work, &c->mu);
		if (c->head == NULL)
			break; /* stopping, and nothing left */
		hold(c);
		group = last = c->head;
		while (last->next != NULL && n < c->max_group)
			last = last->next, n++;
		c->head = last->next;
		c->queued -= n;
		if (c->head == NULL)
			c->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&c->mu);

		run_group(c, group);

		pthread_mutex_lock(&c->mu);
		c->groups++;
		c->jobs += n;
		for (j = group; j != NULL; j = next) {
			next = j->next; /* j belongs to its caller once done is set */
			j->done = 1;
			pthread_cond_signal(&j->cv);
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

enum pl_err
commit_run_then(struct committer *c, commit_fn fn, void *ctx, void (*queued)(void *arg), void *arg,
                int announced)
{
	struct job j;

	memset(&j, 0, sizeof(j));
	j.fn = fn;
	j.ctx = ctx;
	pthread_cond_init(&j.cv, NULL);
	pthread_mutex_lock(&c->mu);
	if (announced && c->expected > 0)
		c->expected--;
	if (c->stopping) {
		pthread_mutex_unlock(&c->mu);
		pthread_cond_destroy(&j.cv);
		if (queued != NULL)
			queued(arg);
		return pl_errf(PL_E_STATE, "commit: the store is shutting down");
	}
	if (c->tail != NULL)
		c->tail->next = &j;
	else
		c->head = &j;
	c->tail = &j;
	c->queued++;
	pthread_cond_signal(&c->work);
	if (queued != NULL)
		queued(arg);
	while (!j.done)
		pthread_cond_wait(&j.cv, &c->mu);
	pthread_mutex_unlock(&c->mu);
	pthread_cond_destroy(&j.cv);
	/* The job's message was recorded on the writer's thread: bring it here. */
	if (j.err != PL_OK)
		return pl_errf(j.err, "%s", j.msg);
	return PL_OK;
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
