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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
