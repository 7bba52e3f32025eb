/*
 * test_par.c - par_for: every item exactly once, whatever the number of
 * items and threads; small batches stay on the calling thread; larger
 * ones are spread over the threads asked for, the caller taking a share.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/par.h"

#define N_MAX 1000

struct seen {
	pthread_mutex_t mu;
	unsigned count[N_MAX];
	pthread_t who[N_MAX];
};

static void
visit(void *ctx, size_t i)
{
	struct seen *s = ctx;

	pthread_mutex_lock(&s->mu);
	s->count[i]++;
	s->who[i] = pthread_self();
	pthread_mutex_unlock(&s->mu);
}

/* How many distinct threads ran items [0, n); whether the caller was one. */
static size_t
threads_used(const struct seen *s, size_t n, int *caller)
{
	pthread_t t[N_MAX];
	size_t k = 0, i, j;

	*caller = 0;
	for (i = 0; i < n; i++) {
		if (pthread_equal(s->who[i], pthread_self()))
			*caller = 1;
		for (j = 0; j < k && !pthread_equal(t[j], s->who[i]); j++)
			;
		if (j == k)
			t[k++] = s->who[i];
	}
	return k;
}

static void
test_every_item_once(void **state)
{
	static const size_t ns[] = { 0, 1, 7, 8, 15, 16, 17, 100, 999, 1000 };
	static const unsigned ts[] = { 0, 1, 2, 3, 16, 100 };
	static struct seen s;
	size_t a, b, i;

	(void)state;
	pthread_mutex_init(&s.mu, NULL);
	for (a = 0; a < sizeof(ns) / sizeof(ns[0]); a++)
		for (b = 0; b < sizeof(ts) / sizeof(ts[0]); b++) {
			memset(s.count, 0, sizeof(s.count));
			par_for(ns[a], ts[b], visit, &s);
			for (i = 0; i < N_MAX; i++)
				if (s.count[i] != (i < ns[a] ? 1u : 0u))
					fail_msg("n %zu, threads %u: item %zu ran %u times", ns[a],
					         ts[b], i, s.count[i]);
		}
	pthread_mutex_destroy(&s.mu);
}

static void
test_spread(void **state)
{
	static struct seen s;
	int caller;

	(void)state;
	pthread_mutex_init(&s.mu, NULL);
	/* Fewer than two threads' worth: all on the caller. */
	par_for(2 * PAR_MIN_PER_THREAD - 1, 4, visit, &s);
	assert_int_equal(threads_used(&s, 2 * PAR_MIN_PER_THREAD - 1, &caller), 1);
	assert_true(caller);
	/* Enough for four: four threads, the caller one of them. */
	par_for(128, 4, visit, &s);
	assert_int_equal(threads_used(&s, 128, &caller), 4);
	assert_true(caller);
	/* One thread asked for: the caller alone. */
	par_for(128, 1, visit, &s);
	assert_int_equal(threads_used(&s, 128, &caller), 1);
	assert_true(caller);
	pthread_mutex_destroy(&s.mu);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_item_once),
		cmocka_unit_test(test_spread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
