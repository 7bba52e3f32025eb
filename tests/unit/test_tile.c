/*
 * test_tile.c - C2SP tlog-tiles paths: the spec's example, round trips,
 * and every malformed spelling refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tlog/tile.h"

static void
parse_ok(const char *s, int entries, unsigned level, uint64_t index, unsigned width)
{
	struct tile_path t;
	struct buf b;

	assert_int_equal(tile_path_parse(&t, s, strlen(s)), PL_OK);
	assert_int_equal(t.entries, entries);
	assert_int_equal(t.level, level);
	assert_true(t.index == index);
	assert_int_equal(t.width, width);
	buf_init(&b, 128);
	assert_int_equal(tile_path_fmt(&b, &t), PL_OK);
	assert_int_equal(b.len, strlen(s));
	assert_memory_equal(b.data, s, b.len);
	buf_reset(&b);
}

static void
test_paths(void **state)
{
	(void)state;
	parse_ok("0/000", 0, 0, 0, 256);
	parse_ok("0/x001/x234/067", 0, 0, 1234067, 256);
	parse_ok("1/999.p/1", 0, 1, 999, 1);
	parse_ok("63/x001/000", 0, 63, 1000, 256);
	parse_ok("entries/000.p/5", 1, 0, 0, 5);
	parse_ok("entries/x018/x446/x744/x073/x709/x551/615", 1, 0, UINT64_MAX, 256);
}

static void
test_round_trip(void **state)
{
	uint64_t v = 1;
	int i;

	(void)state;
	for (i = 0; i < 64; i++, v = v * 3 + 7) {
		struct tile_path t = { 0, (unsigned)(i % 64), v, (unsigned)(i * 37 % 256) + 1 }, u;
		struct buf b;

		buf_init(&b, 128);
		assert_int_equal(tile_path_fmt(&b, &t), PL_OK);
		assert_int_equal(tile_path_parse(&u, (const char *)b.data, b.len), PL_OK);
		assert_true(u.index == t.index && u.level == t.level && u.width == t.width);
		buf_reset(&b);
	}
}

static void
test_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"0",
		"0/",
		"0/1",
		"0/01",
		"0/0000",
		"00/000",
		"64/000",
		"-1/000",
		"0/x000/001",
		"0/x01/001",
		"0/x001/01",
		"0/x001",
		"0/000/",
		"0/000.p/",
		"0/000.p/0",
		"0/000.p/256",
		"0/000.p/05",
		"0/000.q/5",
		"0/000.p/5/",
		"entry/000",
		"entries/",
		"0/x018/x446/x744/x073/x709/x551/616",
		"0/x999/x999/x999/x999/x999/x999/x999/000",
		"0/x001/x001/x001/x001/x001/x001/x001/x001/x001/x001/x001/x001/x001/001",
	};
	struct tile_path t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (tile_path_parse(&t, bad[i], strlen(bad[i])) != PL_E_ARG)
			fail_msg("accepted '%s'", bad[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
