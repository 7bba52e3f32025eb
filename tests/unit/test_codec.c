/*
 * test_codec.c - the shared field codecs: ids, UTF-8 text, labels.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/codec.h"

static int
text_ok(const char *s, int multiline)
{
	return codec_text_ok((const uint8_t *)s, strlen(s), multiline);
}

static void
test_ids(void **state)
{
	char id64[65];

	(void)state;
	assert_int_equal(codec_id_check("x", "us-nrrc"), PL_OK);
	assert_int_equal(codec_id_check("x", "0"), PL_OK);
	assert_int_equal(codec_id_check("x", "osce-cbm.2026"), PL_OK);
	memset(id64, 'a', 64);
	id64[64] = '\0';
	assert_int_equal(codec_id_check("x", id64), PL_E_ARG);
	id64[63] = '\0';
	assert_int_equal(codec_id_check("x", id64), PL_OK);
	assert_int_equal(codec_id_check("party id", ""), PL_E_ARG);
	assert_non_null(strstr(pl_err_msg(), "party id '' is not an id"));
	assert_int_equal(codec_id_check("x", "US"), PL_E_ARG);
	assert_int_equal(codec_id_check("x", "-us"), PL_E_ARG);
	assert_int_equal(codec_id_check("x", ".us"), PL_E_ARG);
	assert_int_equal(codec_id_check("x", "u s"), PL_E_ARG);
	assert_int_equal(codec_id_check("x", "u_s"), PL_E_ARG);
	assert_int_equal(codec_id_check("x", "us/nrrc"), PL_E_ARG);
	assert_int_equal(codec_id_check("x", "\xc3\xa9"), PL_E_ARG);
}

static void
test_id_read(void **state)
{
	const uint8_t good[] = { 3, 'a', '-', 'b' }, bad[] = { 3, 'a', 'B', 'c' }, zero[] = { 0 },
	              big[] = { 64 };
	char out[CODEC_ID_MAX + 1];
	struct rd rd;

	(void)state;
	rd_init(&rd, "t", good, sizeof(good));
	assert_int_equal(codec_id_read(&rd, "id", out), PL_OK);
	assert_string_equal(out, "a-b");
	rd_init(&rd, "t", bad, sizeof(bad));
	assert_int_equal(codec_id_read(&rd, "id", out), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "at offset 1"));
	rd_init(&rd, "t", zero, sizeof(zero));
	assert_int_equal(codec_id_read(&rd, "id", out), PL_E_PROTO);
	rd_init(&rd, "t", big, sizeof(big));
	assert_int_equal(codec_id_read(&rd, "id", out), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "id length 64 not in 1..63 at offset 0"));
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(text_ok("", 0));
	assert_true(text_ok("plain ASCII", 0));
	assert_true(text_ok("Привет, 世界, 😀", 0));
	assert_true(text_ok("\xf4\x8f\xbf\xbf", 0));  /* U+10FFFF */
	assert_false(text_ok("\xf4\x90\x80\x80", 0)); /* U+110000 */
	assert_false(text_ok("\xc0\xaf", 0));         /* overlong '/' */
	assert_false(text_ok("\xe0\x80\xaf", 0));     /* overlong */
	assert_false(text_ok("\xf0\x80\x80\xaf", 0)); /* overlong */
	assert_false(text_ok("\xed\xa0\x80", 0));     /* surrogate U+D800 */
	assert_false(text_ok("\xe4\xb8", 0));         /* truncated */
	assert_false(text_ok("\x80", 0));             /* lone continuation */
	assert_false(text_ok("\xff", 0));
	assert_false(text_ok("a\x01", 0));
	assert_false(text_ok("a\x7f", 0));
	assert_false(text_ok("\xc2\x85", 0)); /* C1 NEL */
	assert_false(text_ok("a\nb", 0));
	assert_true(text_ok("a\nb\tc", 1));
	assert_false(text_ok("a\rb", 1));
	assert_false(codec_text_ok((const uint8_t *)"a\0b", 3, 1));
}

static void
test_strings(void **state)
{
	char out[300], s255[256], s256[257];
	struct buf b;
	struct rd rd;

	(void)state;
	memset(s255, 'x', 255);
	s255[255] = '\0';
	memset(s256, 'x', 256);
	s256[256] = '\0';
	buf_init(&b, 4096);
	assert_int_equal(codec_str8_write(&b, s255), PL_OK);
	assert_int_equal(codec_str8_write(&b, s256), PL_E_ARG);
	assert_int_equal(codec_str16_write(&b, "Дежурный"), PL_OK);
	assert_int_equal(codec_str16_write(&b, "a\x01"), PL_E_ARG);
	rd_init(&rd, "t", b.data, b.len);
	assert_int_equal(codec_str8_read(&rd, "s", out, sizeof(out)), PL_OK);
	assert_string_equal(out, s255);
	assert_int_equal(codec_str16_read(&rd, "n", 16, out, sizeof(out)), PL_OK);
	assert_string_equal(out, "Дежурный");
	assert_int_equal(rd_end(&rd), PL_OK);
	/* A limit below the declared length, and a too-small destination. */
	rd_init(&rd, "t", b.data, b.len);
	assert_int_equal(codec_str8_read(&rd, "s", out, 100), PL_E_TOOBIG);
	assert_non_null(strstr(pl_err_msg(), "s length 255 > 99"));
	rd_init(&rd, "t", b.data + 256, b.len - 256);
	assert_int_equal(codec_str16_read(&rd, "name", 15, out, sizeof(out)), PL_E_TOOBIG);
	buf_reset(&b);
}

static void
test_label(void **state)
{
	const char other[16] = "parley-receipt";
	struct rd rd;

	(void)state;
	rd_init(&rd, "envelope", "parley-envelope\0", 16);
	assert_int_equal(codec_label_read(&rd, "parley-envelope\0"), PL_OK);
	rd_init(&rd, "envelope", other, 16);
	assert_int_equal(codec_label_read(&rd, "parley-envelope\0"), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "envelope: label does not say envelope at offset 0"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),   cmocka_unit_test(test_id_read),
		cmocka_unit_test(test_utf8),  cmocka_unit_test(test_strings),
		cmocka_unit_test(test_label),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
