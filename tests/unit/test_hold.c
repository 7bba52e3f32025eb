/*
 * test_hold.c - the channels a delivery lane holds: added, refreshed,
 * released when their time is over and not before, at most
 * STORE_SKIP_MAX of them; names too long for a channel refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sync/hold.h"

static int
held(const struct hold *h, const char *channel)
{
	size_t i;

	for (i = 0; i < h->skip.n; i++)
		if (strcmp(h->skip.channel[i], channel) == 0)
			return 1;
	return 0;
}

static void
test_add_prune(void **state)
{
	struct hold h;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_true(hold_next(&h) == 0);
	assert_int_equal(hold_add(&h, "cyber", 1000), 1);
	assert_int_equal(hold_add(&h, "nuclear", 500), 1);
	assert_int_equal(h.skip.n, 2);
	assert_true(hold_next(&h) == 500);
	/* Again: one entry, the new time. */
	assert_int_equal(hold_add(&h, "nuclear", 1500), 1);
	assert_int_equal(h.skip.n, 2);
	assert_true(hold_next(&h) == 1000);
	hold_prune(&h, 999);
	assert_int_equal(h.skip.n, 2);
	hold_prune(&h, 1000);
	assert_int_equal(h.skip.n, 1);
	assert_false(held(&h, "cyber"));
	assert_true(held(&h, "nuclear"));
	assert_true(hold_next(&h) == 1500);
	hold_prune(&h, 5000);
	assert_int_equal(h.skip.n, 0);
	assert_true(hold_next(&h) == 0);
}

static void
test_full(void **state)
{
	char name[16], big[CODEC_ID_MAX + 2];
	struct hold h;
	int i;

	(void)state;
	memset(&h, 0, sizeof(h));
	for (i = 0; i < STORE_SKIP_MAX; i++) {
		(void)snprintf(name, sizeof(name), "ch-%d", i);
		assert_int_equal(hold_add(&h, name, (uint64_t)(100 + i)), 1);
	}
	assert_int_equal(hold_add(&h, "one-more", 100), 0);
	assert_false(held(&h, "one-more"));
	/* A held one can still be refreshed; one released makes room. */
	assert_int_equal(hold_add(&h, "ch-3", 900), 1);
	hold_prune(&h, 100);
	assert_int_equal(h.skip.n, STORE_SKIP_MAX - 1);
	assert_false(held(&h, "ch-0"));
	assert_int_equal(hold_add(&h, "one-more", 100), 1);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	hold_prune(&h, 10000);
	assert_int_equal(hold_add(&h, big, 100), 0);
	assert_int_equal(h.skip.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_prune),
		cmocka_unit_test(test_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
