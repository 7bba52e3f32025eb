/*
 * test_rd.c - the read cursor: bounds, offsets in messages, no movement on
 * failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/rd.h"

static void
test_reads_big_endian(void **state)
{
	const uint8_t in[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	struct rd rd;
	uint8_t a;
	uint16_t b;
	uint32_t c;
	uint64_t d;

	(void)state;
	rd_init(&rd, "t", in, sizeof(in));
	assert_int_equal(rd_u8(&rd, "a", &a), PL_OK);
	assert_int_equal(rd_u16be(&rd, "b", &b), PL_OK);
	assert_int_equal(rd_u32be(&rd, "c", &c), PL_OK);
	assert_int_equal(rd_u64be(&rd, "d", &d), PL_OK);
	assert_int_equal(a, 1);
	assert_int_equal(b, 0x0203);
	assert_int_equal(c, 0x04050607);
	assert_true(d == 0x08090a0b0c0d0e0fULL);
	assert_int_equal(rd_end(&rd), PL_OK);
}

static void
test_truncation_names_field_and_offset(void **state)
{
	const uint8_t in[] = { 1, 2, 3 };
	struct rd rd;
	uint8_t a;
	uint32_t c;

	(void)state;
	rd_init(&rd, "envelope", in, sizeof(in));
	assert_int_equal(rd_u8(&rd, "version", &a), PL_OK);
	assert_int_equal(rd_u32be(&rd, "body_len", &c), PL_E_TRUNC);
	assert_non_null(strstr(pl_err_msg(), "envelope: truncated reading body_len"));
	assert_non_null(strstr(pl_err_msg(), "at offset 1"));
	/* The failed read did not move the cursor. */
	assert_int_equal(rd.off, 1);
	assert_int_equal(rd.left, 2);
}

static void
test_view_keeps_outer_offsets(void **state)
{
	const uint8_t in[] = { 0, 0, 0, 0xaa, 0xbb, 9 };
	struct rd rd, sub;
	uint8_t x;
	uint32_t y;

	(void)state;
	rd_init(&rd, "outer", in, sizeof(in));
	assert_int_equal(rd_bytes(&rd, "skip", (uint8_t[3]){ 0 }, 3), PL_OK);
	assert_int_equal(rd_view(&rd, "inner", 2, &sub), PL_OK);
	assert_int_equal(sub.off, 3);
	assert_int_equal(rd_u8(&sub, "x", &x), PL_OK);
	assert_int_equal(x, 0xaa);
	assert_int_equal(rd_u32be(&sub, "y", &y), PL_E_TRUNC);
	assert_non_null(strstr(pl_err_msg(), "at offset 4"));
	assert_int_equal(rd_end(&sub), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "1 trailing bytes at offset 4"));
	assert_int_equal(rd_u8(&rd, "last", &x), PL_OK);
	assert_int_equal(x, 9);
	assert_int_equal(rd_end(&rd), PL_OK);
}

static void
test_view_past_end_fails(void **state)
{
	const uint8_t in[] = { 1, 2 };
	struct rd rd, sub;

	(void)state;
	rd_init(&rd, "t", in, sizeof(in));
	assert_int_equal(rd_view(&rd, "big", 3, &sub), PL_E_TRUNC);
	assert_int_equal(rd_view(&rd, "ok", 2, &sub), PL_OK);
	assert_int_equal(rd_end(&rd), PL_OK);
}

static void
test_empty_input(void **state)
{
	struct rd rd;
	uint8_t a;

	(void)state;
	rd_init(&rd, "t", NULL, 0);
	assert_int_equal(rd_end(&rd), PL_OK);
	assert_int_equal(rd_u8(&rd, "a", &a), PL_E_TRUNC);
	assert_int_equal(rd_bytes(&rd, "none", &a, 0), PL_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_big_endian),
		cmocka_unit_test(test_truncation_names_field_and_offset),
		cmocka_unit_test(test_view_keeps_outer_offsets),
		cmocka_unit_test(test_view_past_end_fails),
		cmocka_unit_test(test_empty_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
