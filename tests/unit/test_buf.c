/*
 * test_buf.c - bounded buffers: growth, the cap, formatting, secrets, and
 * allocation failure leaving the buffer as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/alloc.h"
#include "common/buf.h"

static void
test_grows_and_keeps_contents(void **state)
{
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 100000);
	for (i = 0; i < 10000; i++)
		assert_int_equal(buf_add_u8(&b, (uint8_t)i), PL_OK);
	assert_int_equal(b.len, 10000);
	assert_true(b.cap >= b.len && b.cap <= b.max);
	for (i = 0; i < 10000; i++)
		assert_int_equal(b.data[i], (uint8_t)i);
	buf_reset(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void
test_cap_is_enforced(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_add(&b, "0123456789", 10), PL_OK);
	assert_int_equal(buf_add_u8(&b, 'x'), PL_E_TOOBIG);
	assert_non_null(strstr(pl_err_msg(), "limit 10"));
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.data, "0123456789", 10);
	b.len = 8;
	assert_int_equal(buf_add_u32be(&b, 1), PL_E_TOOBIG);
	assert_int_equal(b.len, 8);
	assert_int_equal(buf_add_u16be(&b, 1), PL_OK);
	assert_int_equal(b.len, 10);
	/* Room for half of a u64 is not room for it: nothing is half-written. */
	b.len = 4;
	assert_int_equal(buf_add_u64be(&b, 0x1122334455667788ULL), PL_E_TOOBIG);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "0123", 4);
	b.len = 8;
	/* A huge request cannot wrap around the check. */
	assert_int_equal(buf_reserve(&b, SIZE_MAX), PL_E_TOOBIG);
	assert_int_equal(buf_reserve(&b, SIZE_MAX - 4), PL_E_TOOBIG);
	assert_int_equal(b.len, 8);
	buf_reset(&b);
}

static void
test_big_endian_appends(void **state)
{
	const uint8_t want[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		                 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
	uint8_t p[4];
	struct buf b;

	(void)state;
	buf_init(&b, 64);
	assert_int_equal(buf_add_u8(&b, 0x01), PL_OK);
	assert_int_equal(buf_add_u16be(&b, 0x0203), PL_OK);
	assert_int_equal(buf_add_u32be(&b, 0x04050607), PL_OK);
	assert_int_equal(buf_add_u64be(&b, 0x08090a0b0c0d0e0fULL), PL_OK);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	buf_put_u32be(p, 0xdeadbeef);
	assert_int_equal(p[0], 0xde);
	assert_int_equal(p[3], 0xef);
	assert_int_equal(buf_add_zero(&b, 3), PL_OK);
	assert_int_equal(b.data[b.len - 1], 0);
	buf_reset(&b);
}

static void
test_addf(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 32);
	assert_int_equal(buf_addf(&b, "%s=%d", "seq", 42), PL_OK);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.data, "seq=42", 6);
	assert_int_equal(buf_add_str(&b, "!"), PL_OK);
	assert_int_equal(b.len, 7);
	assert_int_equal(buf_addf(&b, "%040d", 1), PL_E_TOOBIG);
	assert_int_equal(b.len, 7);
	buf_reset(&b);
}

static void
test_secret_buffer(void **state)
{
	struct buf b;
	size_t i;

	(void)state;
	buf_init_secret(&b, 1 << 16);
	assert_true(b.secret);
	/* Growth through several reallocations keeps the contents. */
	for (i = 0; i < 5000; i++)
		assert_int_equal(buf_add_u8(&b, 0x5a), PL_OK);
	for (i = 0; i < 5000; i++)
		assert_int_equal(b.data[i], 0x5a);
	buf_reset(&b);
	assert_null(b.data);
	assert_true(b.secret);
}

static void
test_allocation_failure_leaves_buffer(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(buf_add(&b, "abc", 3), PL_OK);
	(void)pl_alloc_fail_at(1);
	assert_int_equal(buf_reserve(&b, 4096), PL_E_NOMEM);
	(void)pl_alloc_fail_at(0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "abc", 3);
	assert_int_equal(buf_reserve(&b, 4096), PL_OK);
	buf_reset(&b);
}

static void
test_cap_never_exceeds_max(void **state)
{
	struct buf b;
	size_t i;

	(void)state;
	/* Doubling from 64 would overshoot 100: the last step stops at max. */
	buf_init(&b, 100);
	for (i = 0; i < 100; i++)
		assert_int_equal(buf_add_u8(&b, (uint8_t)i), PL_OK);
	assert_int_equal(b.len, 100);
	assert_int_equal(b.cap, 100);
	assert_int_equal(buf_add_u8(&b, 0), PL_E_TOOBIG);
	assert_int_equal(b.len, 100);
	assert_int_equal(b.data[99], 99);
	buf_reset(&b);

	/* A limit below the first step (64) is honoured too. */
	buf_init(&b, 5);
	assert_int_equal(buf_add(&b, "hello", 5), PL_OK);
	assert_int_equal(b.cap, 5);
	buf_reset(&b);
}

static void
test_reserve_allocates_only_when_needed(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 20);
	(void)pl_alloc_fail_at(0);
	/* Nothing is owned until the first append, and empty appends allocate nothing. */
	assert_int_equal(buf_reserve(&b, 0), PL_OK);
	assert_int_equal(buf_add(&b, NULL, 0), PL_OK);
	assert_int_equal(buf_add_zero(&b, 0), PL_OK);
	assert_null(b.data);
	assert_int_equal(pl_alloc_fail_at(0), 0);
	/* One allocation for the first reserve, none for appends that fit. */
	assert_int_equal(buf_reserve(&b, 1000), PL_OK);
	assert_int_equal(pl_alloc_fail_at(0), 1);
	assert_true(b.cap >= 1000);
	assert_int_equal(buf_add_zero(&b, 1000), PL_OK);
	assert_int_equal(buf_reserve(&b, b.cap - b.len), PL_OK);
	assert_int_equal(pl_alloc_fail_at(0), 0);
	buf_reset(&b);
}

static void
test_reset_keeps_limit_and_kind(void **state)
{
	struct buf b;

	(void)state;
	buf_init_secret(&b, 16);
	assert_int_equal(buf_add(&b, "0123456789abcdef", 16), PL_OK);
	buf_reset(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.max, 16);
	assert_true(b.secret);
	/* Reusable after a reset, with the same limit. */
	assert_int_equal(buf_add(&b, "0123456789abcdef", 16), PL_OK);
	assert_int_equal(buf_add_u8(&b, 0), PL_E_TOOBIG);
	buf_reset(&b);
	/* A second reset, and a reset of a buffer that never allocated, are harmless. */
	buf_reset(&b);
	buf_init(&b, 8);
	buf_reset(&b);
	assert_null(b.data);
}

static void
test_addf_edges(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 64);
	/* An empty result appends nothing. */
	assert_int_equal(buf_addf(&b, "%s", ""), PL_OK);
	assert_int_equal(b.len, 0);
	/* The text and its NUL must fit under max: 1 + 63 + 1 > 64, 1 + 62 + 1 = 64. */
	assert_int_equal(buf_addf(&b, "%s", "x"), PL_OK);
	assert_int_equal(buf_addf(&b, "%063d", 7), PL_E_TOOBIG);
	assert_int_equal(b.len, 1);
	assert_int_equal(buf_addf(&b, "%062d", 7), PL_OK);
	assert_int_equal(b.len, 63);
	assert_int_equal(b.data[0], 'x');
	assert_int_equal(b.data[62], '7');
	assert_int_equal(b.data[61], '0');
	buf_reset(&b);

	/*
	 * buf_addf needs one byte past the text for vsnprintf's NUL
	 * (docs/internals/buf.md), so formatted text cannot fill a buffer to
	 * exactly max; buf_add can.
	 */
	buf_init(&b, 6);
	assert_int_equal(buf_addf(&b, "seq=%d", 42), PL_E_TOOBIG);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_add_str(&b, "seq=42"), PL_OK);
	buf_reset(&b);
}

static void
test_allocation_failure_on_first_append(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 20);
	(void)pl_alloc_fail_at(1);
	assert_int_equal(buf_add(&b, "abc", 3), PL_E_NOMEM);
	(void)pl_alloc_fail_at(0);
	assert_non_null(strstr(pl_err_msg(), "cannot allocate"));
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(buf_add(&b, "abc", 3), PL_OK);
	assert_memory_equal(b.data, "abc", 3);
	buf_reset(&b);
}

static void
test_allocation_failure_in_addf_and_secret_growth(void **state)
{
	uint8_t *before;
	struct buf b;
	size_t cap;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(buf_add(&b, "abc", 3), PL_OK);
	before = b.data;
	cap = b.cap;
	(void)pl_alloc_fail_at(1);
	assert_int_equal(buf_addf(&b, "%0200d", 1), PL_E_NOMEM);
	(void)pl_alloc_fail_at(0);
	assert_ptr_equal(b.data, before);
	assert_int_equal(b.cap, cap);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "abc", 3);
	buf_reset(&b);

	buf_init_secret(&b, 1 << 20);
	assert_int_equal(buf_add_zero(&b, 64), PL_OK);
	b.data[0] = 0x42;
	(void)pl_alloc_fail_at(1);
	assert_int_equal(buf_add_u8(&b, 1), PL_E_NOMEM);
	(void)pl_alloc_fail_at(0);
	assert_int_equal(b.len, 64);
	assert_int_equal(b.data[0], 0x42);
	assert_true(b.secret);
	buf_reset(&b);
}

/*
 * Torture (curl -t): fail the first, second, ... allocation of a run of
 * appends until a run completes with no injected failure.  Each failure
 * must be PL_E_NOMEM with the buffer still valid, and buf_reset() must
 * free everything (checked by LeakSanitizer in make asan).
 */
static void
test_torture_appends(void **state)
{
	unsigned long n, ran;
	struct buf b;
	enum pl_err err;
	size_t i, len;
	int failed;

	(void)state;
	for (n = 1;; n++) {
		buf_init(&b, 1 << 16);
		(void)pl_alloc_fail_at(n);
		failed = 0;
		for (i = 0; i < 300 && !failed; i++) {
			len = b.len;
			err = (i % 3 == 0)   ? buf_addf(&b, "%zu,", i)
			      : (i % 3 == 1) ? buf_add_u64be(&b, i)
			                     : buf_add_zero(&b, 17);
			if (err != PL_OK) {
				assert_int_equal(err, PL_E_NOMEM);
				assert_int_equal(b.len, len);
				assert_true(b.cap >= b.len);
				failed = 1;
			}
		}
		ran = pl_alloc_fail_at(0);
		buf_reset(&b);
		if (!failed) {
			/* n is past the last allocation: every one of them was failed once. */
			assert_true(ran < n);
			break;
		}
		assert_int_equal(ran, n);
	}
	assert_true(n > 3);
}

/*
 * Growth doubles the capacity, so n appends cost O(log n) allocations, not
 * O(n): byte by byte to 10000 takes 64, 128, ..., 8192 and then the cap.
 */
static void
test_growth_is_geometric(void **state)
{
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 10000);
	(void)pl_alloc_fail_at(0);
	for (i = 0; i < 10000; i++)
		assert_int_equal(buf_add_u8(&b, (uint8_t)(i * 7)), PL_OK);
	assert_int_equal(pl_alloc_fail_at(0), 9);
	assert_int_equal(b.cap, 10000);
	for (i = 0; i < 10000; i++)
		assert_int_equal(b.data[i], (uint8_t)(i * 7));
	buf_reset(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows_and_keeps_contents),
		cmocka_unit_test(test_cap_is_enforced),
		cmocka_unit_test(test_big_endian_appends),
		cmocka_unit_test(test_addf),
		cmocka_unit_test(test_secret_buffer),
		cmocka_unit_test(test_allocation_failure_leaves_buffer),
		cmocka_unit_test(test_cap_never_exceeds_max),
		cmocka_unit_test(test_reserve_allocates_only_when_needed),
		cmocka_unit_test(test_reset_keeps_limit_and_kind),
		cmocka_unit_test(test_addf_edges),
		cmocka_unit_test(test_allocation_failure_on_first_append),
		cmocka_unit_test(test_allocation_failure_in_addf_and_secret_growth),
		cmocka_unit_test(test_torture_appends),
		cmocka_unit_test(test_growth_is_geometric),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
