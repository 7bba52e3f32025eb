/*
 * par.c - run independent steps of one batch on several cores (par.h).
 *
 * Helpers are started per call rather than kept in a pool: a batch worth
 * spreading costs milliseconds of signature checks, against tens of
 * microseconds to start a thread, and nothing has to be stopped or torn
 * down when the node closes.
 */
#include <pthread.h>
#include <unistd.h>

#include "par.h"

#define PAR_THREADS_MAX 16

struct share {
	void (*fn)(void *ctx, size_t i);
	void *ctx;
	size_t from, to;
};

static void
run_share(const struct share *s)
{
	size_t i;

	for (i = s->from; i < s->to; i++)
		s->fn(s->ctx, i);
}

static void *
helper(void *arg)
{
	run_share(arg);
	return NULL;
}

void
par_for(size_t n, unsigned threads, void (*fn)(void *ctx, size_t i), void *ctx)
{
	struct share sh[PAR_THREADS_MAX];
	pthread_t th[PAR_THREADS_MAX];
	int started[PAR_THREADS_MAX];
	size_t k, t;

	if (threads == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);

		threads = cores > 0 ? (unsigned)cores : 1;
	}
	if (threads > PAR_THREADS_MAX)
		threads = PAR_THREADS_MAX;
	t = n / PAR_MIN_PER_THREAD;
	if (t > threads)
		t = threads;
	if (t <= 1) {
		struct share all = { fn, ctx, 0, n };

		run_share(&all);
		return;
	}
	for (k = 0; k < t; k++) {
		sh[k] = (struct share){ fn, ctx, n * k / t, n * (k + 1) / t };
		started[k] = 0;
	}
	/* Share 0 is the caller's; a helper that fails to start is run here too. */
	for (k = 1; k < t; k++)
		started[k] = pthread_create(&th[k], NULL, helper, &sh[k]) == 0;
	run_share(&sh[0]);
	for (k = 1; k < t; k++)
		if (!started[k])
			run_share(&sh[k]);
	for (k = 1; k < t; k++)
		if (started[k])
			(void)pthread_join(th[k], NULL);
}
