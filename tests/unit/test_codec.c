/*
 * test_codec.c - the shared field codecs: ids, UTF-8 text, str8/str16 and
 * labels.  Refusals come first; the UTF-8 checker is also compared,
 * exhaustively over short inputs, with a second implementation written
 * straight from RFC 3629's ABNF.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/cr.h"
#include "wire/codec.h"

static int
group_setup(void **state)
{
	(void)state;
	return cr_init() == PL_OK ? 0 : -1;
}

static int
text_ok(const char *s, int multiline)
{
	return codec_text_ok((const uint8_t *)s, strlen(s), multiline);
}

static void
expect_msg(const char *want)
{
	if (strstr(pl_err_msg(), want) == NULL)
		fail_msg("want '%s' in '%s'", want, pl_err_msg());
}

/* ---- ids ---- */

static void
test_id_check_refusals(void **state)
{
	static const char *bad[] = {
		"",        "US",   "uS",      "us-NRRC",  "-us",        ".us",  "u s",  "u_s",
		"us/nrrc", "us:1", "us@nrrc", "\xc3\xa9", "us\xc3\xa9", "a\tb", "a\nb", " us",
		"us ",     "\x7f", "a+b",     "a,b",      "a*",         "\xff",
	};
	char id64[65];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pl_err_clear();
		if (codec_id_check("party id", bad[i]) != PL_E_ARG)
			fail_msg("'%s' accepted as an id", bad[i]);
		expect_msg("party id '");
		expect_msg("is not an id");
	}
	assert_int_equal(codec_id_check("party id", ""), PL_E_ARG);
	expect_msg("party id '' is not an id (1..63");
	assert_int_equal(codec_id_check("format", "US"), PL_E_ARG);
	expect_msg("format 'US' is not an id");

	memset(id64, 'a', 64);
	id64[64] = '\0';
	assert_int_equal(codec_id_check("x", id64), PL_E_ARG); /* 64: one too many */
	id64[63] = '\0';
	assert_int_equal(codec_id_check("x", id64), PL_OK); /* 63: the limit */
}

static void
test_id_check_accepts(void **state)
{
	static const char *good[] = {
		"0", "a", "us-nrrc", "osce-cbm.2026", "a-", "a.", "9.9-9", "a--b", "a..b",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (codec_id_check("x", good[i]) != PL_OK)
			fail_msg("'%s' refused: %s", good[i], pl_err_msg());
}

/* Every byte value, first and later: only [a-z0-9] may start, [a-z0-9.-] may follow. */
static void
test_id_every_byte(void **state)
{
	char out[CODEC_ID_MAX + 1];
	uint8_t in[3];
	struct rd rd;
	unsigned c;

	(void)state;
	for (c = 0; c < 256; c++) {
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		int later = alnum || c == '-' || c == '.';

		in[0] = 1;
		in[1] = (uint8_t)c;
		rd_init(&rd, "t", in, 2);
		if ((codec_id_read(&rd, "id", out) == PL_OK) != alnum)
			fail_msg("first byte 0x%02x: wrong verdict", c);
		in[0] = 2;
		in[1] = 'a';
		in[2] = (uint8_t)c;
		rd_init(&rd, "t", in, 3);
		if ((codec_id_read(&rd, "id", out) == PL_OK) != later)
			fail_msg("second byte 0x%02x: wrong verdict", c);
		if (later)
			assert_int_equal(out[1], (char)c);
	}
}

static void
test_id_read_refusals(void **state)
{
	const uint8_t upper[] = { 3, 'a', 'B', 'c' }, zero[] = { 0, 'a' }, big[] = { 64 },
	              nul[] = { 3, 'a', 0, 'b' }, trunc[] = { 4, 'a', 'b', 'c' };
	char out[CODEC_ID_MAX + 1];
	struct rd rd;

	(void)state;
	rd_init(&rd, "t", upper, sizeof(upper));
	assert_int_equal(codec_id_read(&rd, "id", out), PL_E_PROTO);
	expect_msg("t: id has a character outside a-z 0-9 . - at offset 1");
	rd_init(&rd, "t", nul, sizeof(nul));
	assert_int_equal(codec_id_read(&rd, "id", out), PL_E_PROTO);
	rd_init(&rd, "t", zero, sizeof(zero));
	assert_int_equal(codec_id_read(&rd, "id", out), PL_E_PROTO);
	expect_msg("id length 0 not in 1..63 at offset 0");
	/* The length is refused before any of the 64 bytes are looked for. */
	rd_init(&rd, "t", big, sizeof(big));
	assert_int_equal(codec_id_read(&rd, "sender", out), PL_E_PROTO);
	expect_msg("sender length 64 not in 1..63 at offset 0");
	rd_init(&rd, "t", trunc, sizeof(trunc));
	assert_int_equal(codec_id_read(&rd, "id", out), PL_E_TRUNC);
	expect_msg("at offset 1");
	rd_init(&rd, "t", NULL, 0);
	assert_int_equal(codec_id_read(&rd, "id", out), PL_E_TRUNC);
}

static void
test_id_round_trip(void **state)
{
	char id63[64], id64[65], out[CODEC_ID_MAX + 1];
	struct buf b;
	struct rd rd;

	(void)state;
	memset(id63, 'z', 63);
	id63[0] = '7';
	id63[62] = '.';
	id63[63] = '\0';
	memset(id64, 'a', 64);
	id64[64] = '\0';
	buf_init(&b, 1024);
	assert_int_equal(codec_id_write(&b, "us-nrrc"), PL_OK);
	assert_int_equal(codec_id_write(&b, id63), PL_OK);
	assert_int_equal(b.len, 1 + 7 + 1 + 63);
	assert_int_equal(b.data[0], 7);
	assert_int_equal(b.data[8], 63);
	/* Refusals append nothing. */
	assert_int_equal(codec_id_write(&b, id64), PL_E_ARG);
	assert_int_equal(codec_id_write(&b, ""), PL_E_ARG);
	assert_int_equal(codec_id_write(&b, "Us"), PL_E_ARG);
	assert_int_equal(codec_id_write(&b, "-us"), PL_E_ARG);
	assert_int_equal(b.len, 1 + 7 + 1 + 63);
	rd_init(&rd, "t", b.data, b.len);
	assert_int_equal(codec_id_read(&rd, "a", out), PL_OK);
	assert_string_equal(out, "us-nrrc");
	assert_int_equal(codec_id_read(&rd, "b", out), PL_OK);
	assert_string_equal(out, id63);
	assert_int_equal(rd_end(&rd), PL_OK);
	buf_reset(&b);
}

/* ---- UTF-8 text ---- */

static void
test_utf8_refusals(void **state)
{
	static const struct {
		const char *s;
		const char *why;
	} bad[] = {
		{ "\xc0\xaf", "overlong '/' (2 bytes)" },
		{ "\xc0\x80", "overlong NUL" },
		{ "\xc1\xbf", "overlong U+007F" },
		{ "\xe0\x80\xaf", "overlong '/' (3 bytes)" },
		{ "\xe0\x9f\xbf", "overlong U+07FF" },
		{ "\xf0\x80\x80\xaf", "overlong '/' (4 bytes)" },
		{ "\xf0\x8f\xbf\xbf", "overlong U+FFFF" },
		{ "\xed\xa0\x80", "surrogate U+D800" },
		{ "\xed\xbf\xbf", "surrogate U+DFFF" },
		{ "\xed\xa0\xbd\xed\xb8\x80", "CESU-8 surrogate pair" },
		{ "\xf4\x90\x80\x80", "U+110000" },
		{ "\xf5\x80\x80\x80", "lead byte F5" },
		{ "\xf7\xbf\xbf\xbf", "U+1FFFFF" },
		{ "\xf8\x88\x80\x80\x80", "5-byte form" },
		{ "\xfc\x84\x80\x80\x80\x80", "6-byte form" },
		{ "\xfe", "FE" },
		{ "\xff", "FF" },
		{ "\x80", "lone continuation" },
		{ "\xbf", "lone continuation" },
		{ "a\x80"
		  "b",
		  "continuation after ASCII" },
		{ "\xc3", "truncated 2-byte" },
		{ "\xe4\xb8", "truncated 3-byte" },
		{ "\xe4", "truncated 3-byte" },
		{ "\xf0\x9f\x98", "truncated 4-byte" },
		{ "\xf0\x9f", "truncated 4-byte" },
		{ "\xf0", "truncated 4-byte" },
		{ "\xe4\xb8"
		  "A",
		  "ASCII inside a sequence" },
		{ "\xc3\xc3\xa9", "lead inside a sequence" },
		{ "a\x01", "C0 SOH" },
		{ "\x1b[31m", "C0 ESC" },
		{ "a\rb", "CR" },
		{ "a\x7f", "DEL" },
		{ "\xc2\x80", "C1 U+0080" },
		{ "\xc2\x85", "C1 NEL" },
		{ "\xc2\x9b", "C1 CSI" },
		{ "\xc2\x9f", "C1 U+009F" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (text_ok(bad[i].s, 0))
			fail_msg("accepted: %s", bad[i].why);
		if (text_ok(bad[i].s, 1))
			fail_msg("accepted as multiline: %s", bad[i].why);
	}
	/* An embedded NUL is a control character too, also in multiline text. */
	assert_false(codec_text_ok((const uint8_t *)"a\0b", 3, 0));
	assert_false(codec_text_ok((const uint8_t *)"a\0b", 3, 1));
	/* A valid string cut inside a character. */
	assert_false(codec_text_ok((const uint8_t *)"a\xd0\x96", 2, 0));
}

static void
test_utf8_controls(void **state)
{
	uint8_t c[2];
	unsigned v;

	(void)state;
	for (v = 0; v < 0x20; v++) {
		c[0] = (uint8_t)v;
		assert_false(codec_text_ok(c, 1, 0));
		if (v == '\n' || v == '\t')
			assert_true(codec_text_ok(c, 1, 1));
		else if (codec_text_ok(c, 1, 1))
			fail_msg("multiline accepted control 0x%02x", v);
	}
	for (v = 0x80; v <= 0x9f; v++) {
		c[0] = 0xc2;
		c[1] = (uint8_t)v;
		assert_false(codec_text_ok(c, 2, 0));
		assert_false(codec_text_ok(c, 2, 1));
		/* Signed notes may carry C1 and DEL; codec_utf8_ok lets them through on request. */
		assert_true(codec_utf8_ok(c, 2, CODEC_ALLOW_C1));
	}
	assert_true(codec_utf8_ok((const uint8_t *)"\x7f", 1, CODEC_ALLOW_C1));
	assert_false(codec_utf8_ok((const uint8_t *)"\n", 1, CODEC_ALLOW_TAB));
	assert_false(codec_utf8_ok((const uint8_t *)"\t", 1, CODEC_ALLOW_NL));
	assert_true(codec_utf8_ok((const uint8_t *)"\n", 1, CODEC_ALLOW_NL));
	assert_true(codec_utf8_ok((const uint8_t *)"\t", 1, CODEC_ALLOW_TAB));
	assert_true(text_ok("line one\nline\ttwo\n", 1));
	assert_false(text_ok("line one\nline\ttwo\n", 0));
	assert_false(text_ok("tab\there", 0));
}

static void
test_utf8_accepts(void **state)
{
	static const char *good[] = {
		"",
		"plain ASCII ~!@#$%^&*()",
		"\xc2\xa0",         /* U+00A0, first after C1 */
		"\xdf\xbf",         /* U+07FF */
		"\xe0\xa0\x80",     /* U+0800 */
		"\xed\x9f\xbf",     /* U+D7FF, just below the surrogates */
		"\xee\x80\x80",     /* U+E000, just above */
		"\xef\xbf\xbd",     /* U+FFFD */
		"\xef\xbf\xbf",     /* U+FFFF */
		"\xf0\x90\x80\x80", /* U+10000 */
		"\xf4\x8f\xbf\xbf", /* U+10FFFF, the last */
		"Привет, 世界, 😀, مرحبا, Ελληνικά",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!text_ok(good[i], 0) || !text_ok(good[i], 1))
			fail_msg("refused good text %zu", i);
	/* Only n bytes are looked at. */
	assert_true(codec_text_ok((const uint8_t *)"ab\x01", 2, 0));
	assert_true(codec_text_ok((const uint8_t *)"\xd0\x96\xff", 2, 0));
	assert_true(codec_text_ok(NULL, 0, 0));
}

/* RFC 3629 section 4, range by range: the length of the sequence at p, 0 if none. */
static int
tail(const uint8_t *p, size_t n, size_t i, uint8_t lo, uint8_t hi)
{
	return i < n && p[i] >= lo && p[i] <= hi;
}

static size_t
ref_seq(const uint8_t *p, size_t n)
{
	uint8_t a = p[0];

	if (a < 0x80)
		return 1;
	if (a >= 0xc2 && a <= 0xdf)
		return tail(p, n, 1, 0x80, 0xbf) ? 2 : 0;
	if (a == 0xe0)
		return tail(p, n, 1, 0xa0, 0xbf) && tail(p, n, 2, 0x80, 0xbf) ? 3 : 0;
	if ((a >= 0xe1 && a <= 0xec) || a == 0xee || a == 0xef)
		return tail(p, n, 1, 0x80, 0xbf) && tail(p, n, 2, 0x80, 0xbf) ? 3 : 0;
	if (a == 0xed)
		return tail(p, n, 1, 0x80, 0x9f) && tail(p, n, 2, 0x80, 0xbf) ? 3 : 0;
	if (a == 0xf0)
		return tail(p, n, 1, 0x90, 0xbf) && tail(p, n, 2, 0x80, 0xbf) &&
		                       tail(p, n, 3, 0x80, 0xbf)
		               ? 4
		               : 0;
	if (a >= 0xf1 && a <= 0xf3)
		return tail(p, n, 1, 0x80, 0xbf) && tail(p, n, 2, 0x80, 0xbf) &&
		                       tail(p, n, 3, 0x80, 0xbf)
		               ? 4
		               : 0;
	if (a == 0xf4)
		return tail(p, n, 1, 0x80, 0x8f) && tail(p, n, 2, 0x80, 0xbf) &&
		                       tail(p, n, 3, 0x80, 0xbf)
		               ? 4
		               : 0;
	return 0;
}

static int
ref_ok(const uint8_t *p, size_t n, unsigned allow)
{
	size_t i = 0, l;

	while (i < n) {
		uint8_t c = p[i];

		if ((l = ref_seq(p + i, n - i)) == 0)
			return 0;
		if (c == '\n' && !(allow & CODEC_ALLOW_NL))
			return 0;
		if (c == '\t' && !(allow & CODEC_ALLOW_TAB))
			return 0;
		if (c < 0x20 && c != '\n' && c != '\t')
			return 0;
		if (c == 0x7f && !(allow & CODEC_ALLOW_C1))
			return 0;
		if (c == 0xc2 && p[i + 1] <= 0x9f && !(allow & CODEC_ALLOW_C1))
			return 0;
		i += l;
	}
	return 1;
}

static void
compare(const uint8_t *p, size_t n, unsigned allow)
{
	if (codec_utf8_ok(p, n, allow) != ref_ok(p, n, allow))
		fail_msg("allow %u, %zu bytes %02x %02x %02x %02x: codec says %d", allow, n, p[0],
		         n > 1 ? p[1] : 0, n > 2 ? p[2] : 0, n > 3 ? p[3] : 0,
		         codec_utf8_ok(p, n, allow));
}

static void
test_utf8_exhaustive(void **state)
{
	static const unsigned allows[] = { 0, CODEC_ALLOW_NL | CODEC_ALLOW_TAB, CODEC_ALLOW_C1 };
	static const uint8_t edge[] = { 0x00, 0x0a, 0x41, 0x7f, 0x80, 0x8f,
		                        0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff };
	uint8_t p[4];
	unsigned a, b, c, d;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(allows) / sizeof(allows[0]); k++) {
		for (a = 0; a < 256; a++) {
			p[0] = (uint8_t)a;
			compare(p, 1, allows[k]);
			for (b = 0; b < 256; b++) {
				p[1] = (uint8_t)b;
				compare(p, 2, allows[k]);
			}
		}
	}
	/* Every three-byte input. */
	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++)
			for (c = 0; c < 256; c++) {
				p[0] = (uint8_t)a, p[1] = (uint8_t)b, p[2] = (uint8_t)c;
				compare(p, 3, 0);
			}
	/* Four-byte leads with every second byte and the boundary values after it. */
	for (a = 0xf0; a < 0x100; a++)
		for (b = 0; b < 256; b++)
			for (c = 0; c < sizeof(edge); c++)
				for (d = 0; d < sizeof(edge); d++) {
					p[0] = (uint8_t)a, p[1] = (uint8_t)b;
					p[2] = edge[c], p[3] = edge[d];
					compare(p, 4, 0);
				}
}

/* ---- str8 / str16 ---- */

static void
test_str_write_refusals(void **state)
{
	static char s256[257], s65536[65537];
	struct buf b;

	(void)state;
	memset(s256, 'x', 256);
	memset(s65536, 'x', 65536);
	buf_init(&b, 200000);
	assert_int_equal(buf_add_str(&b, "pre"), PL_OK);
	assert_int_equal(codec_str8_write(&b, s256), PL_E_ARG);
	expect_msg("too long (> 255)");
	assert_int_equal(codec_str16_write(&b, s65536), PL_E_ARG);
	expect_msg("too long (> 65535)");
	assert_int_equal(codec_str8_write(&b, "a\x01"), PL_E_ARG);
	assert_int_equal(codec_str8_write(&b, "two\nlines"), PL_E_ARG);
	assert_int_equal(codec_str16_write(&b, "a\tb"), PL_E_ARG);
	assert_int_equal(codec_str16_write(&b, "\xc0\xaf"), PL_E_ARG);
	assert_int_equal(codec_str16_write(&b, "\xed\xa0\x80"), PL_E_ARG);
	assert_int_equal(codec_str16_write(&b, "\xc2\x85"), PL_E_ARG);
	/* Nothing was appended by any refusal. */
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "pre", 3);
	/* A buffer too small for the text fails cleanly as well. */
	buf_reset(&b);
	buf_init(&b, 4);
	assert_int_equal(codec_str8_write(&b, "abcd"), PL_E_TOOBIG);
	assert_true(b.len <= 1);
	buf_reset(&b);
}

static void
test_str_read_refusals(void **state)
{
	const uint8_t bad_utf8[] = { 2, 0xc0, 0xaf }, ctrl[] = { 3, 'a', '\n', 'b' },
	              trunc8[] = { 5, 'a', 'b' }, trunc16[] = { 0, 5, 'a' },
	              huge[] = { 0xff, 0xff }, nolen[] = { 0 },
	              s10[] = { 10, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j' },
	              w10[] = { 0, 10, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j' };
	char out[600];
	struct rd rd;

	(void)state;
	rd_init(&rd, "note", bad_utf8, sizeof(bad_utf8));
	assert_int_equal(codec_str8_read(&rd, "name", out, sizeof(out)), PL_E_PROTO);
	expect_msg("note: name is not UTF-8 text without control characters at offset 0");
	rd_init(&rd, "note", ctrl, sizeof(ctrl));
	assert_int_equal(codec_str8_read(&rd, "name", out, sizeof(out)), PL_E_PROTO);
	rd_init(&rd, "note", trunc8, sizeof(trunc8));
	assert_int_equal(codec_str8_read(&rd, "name", out, sizeof(out)), PL_E_TRUNC);
	expect_msg("at offset 1");
	rd_init(&rd, "note", trunc16, sizeof(trunc16));
	assert_int_equal(codec_str16_read(&rd, "url", 512, out, sizeof(out)), PL_E_TRUNC);
	expect_msg("at offset 2");
	rd_init(&rd, "note", nolen, sizeof(nolen));
	assert_int_equal(codec_str16_read(&rd, "url", 512, out, sizeof(out)), PL_E_TRUNC);
	/* The limit is checked before the bytes are looked for: TOOBIG, not TRUNC. */
	rd_init(&rd, "note", huge, sizeof(huge));
	assert_int_equal(codec_str16_read(&rd, "url", 512, out, sizeof(out)), PL_E_TOOBIG);
	expect_msg("note: url length 65535 > 512 at offset 0");
	/* Limit and destination size both bound the length. */
	rd_init(&rd, "note", w10, sizeof(w10));
	assert_int_equal(codec_str16_read(&rd, "x", 9, out, sizeof(out)), PL_E_TOOBIG);
	expect_msg("x length 10 > 9 at offset 0");
	rd_init(&rd, "note", w10, sizeof(w10));
	assert_int_equal(codec_str16_read(&rd, "x", 10, out, 10), PL_E_TOOBIG);
	rd_init(&rd, "note", w10, sizeof(w10));
	assert_int_equal(codec_str16_read(&rd, "x", 10, out, 11), PL_OK);
	assert_string_equal(out, "abcdefghij");
	rd_init(&rd, "note", s10, sizeof(s10));
	assert_int_equal(codec_str8_read(&rd, "x", out, 10), PL_E_TOOBIG);
	expect_msg("x length 10 > 9 at offset 0");
	/* A failed read does not write past what it was given. */
	memset(out, 0x55, sizeof(out));
	rd_init(&rd, "note", s10, sizeof(s10));
	assert_int_equal(codec_str8_read(&rd, "x", out, 5), PL_E_TOOBIG);
	assert_int_equal((uint8_t)out[5], 0x55);
	rd_init(&rd, "note", s10, sizeof(s10));
	assert_int_equal(codec_str8_read(&rd, "x", out, 11), PL_OK);
	assert_string_equal(out, "abcdefghij");
}

static void
test_str8_round_trip(void **state)
{
	char s255[256], euro[256], out[300];
	struct buf b;
	struct rd rd;
	size_t i;

	(void)state;
	memset(s255, 'x', 255);
	s255[255] = '\0';
	for (i = 0; i < 85; i++)
		memcpy(euro + 3 * i, "\xe2\x82\xac", 3); /* 85 x U+20AC = 255 bytes */
	euro[255] = '\0';
	buf_init(&b, 4096);
	assert_int_equal(codec_str8_write(&b, ""), PL_OK);
	assert_int_equal(codec_str8_write(&b, s255), PL_OK);
	assert_int_equal(codec_str8_write(&b, euro), PL_OK);
	assert_int_equal(codec_str8_write(&b, "24/7"), PL_OK);
	assert_int_equal(b.len, 1 + 256 + 256 + 5);
	assert_int_equal(b.data[0], 0);
	assert_int_equal(b.data[1], 255);
	rd_init(&rd, "t", b.data, b.len);
	assert_int_equal(codec_str8_read(&rd, "a", out, sizeof(out)), PL_OK);
	assert_string_equal(out, "");
	assert_int_equal(codec_str8_read(&rd, "b", out, sizeof(out)), PL_OK);
	assert_string_equal(out, s255);
	assert_int_equal(codec_str8_read(&rd, "c", out, sizeof(out)), PL_OK);
	assert_string_equal(out, euro);
	assert_int_equal(codec_str8_read(&rd, "d", out, 5), PL_OK);
	assert_string_equal(out, "24/7");
	assert_int_equal(rd_end(&rd), PL_OK);
	buf_reset(&b);
}

static void
test_str16_round_trip(void **state)
{
	static char s65535[65536], out[65536];
	struct buf b;
	struct rd rd;

	(void)state;
	memset(s65535, 'y', 65535);
	s65535[65534] = 'z';
	buf_init(&b, 70000);
	assert_int_equal(codec_str16_write(&b, "Дежурный"), PL_OK);
	assert_int_equal(codec_str16_write(&b, s65535), PL_OK);
	assert_int_equal(b.len, 2 + 16 + 2 + 65535);
	assert_int_equal(b.data[0], 0);
	assert_int_equal(b.data[1], 16);
	assert_int_equal(b.data[18], 0xff);
	assert_int_equal(b.data[19], 0xff);
	rd_init(&rd, "t", b.data, b.len);
	assert_int_equal(codec_str16_read(&rd, "name", 16, out, 17), PL_OK);
	assert_string_equal(out, "Дежурный");
	assert_int_equal(codec_str16_read(&rd, "big", 65535, out, sizeof(out)), PL_OK);
	assert_int_equal(strlen(out), 65535);
	assert_int_equal(out[65534], 'z');
	assert_int_equal(rd_end(&rd), PL_OK);
	/* One byte under the limit is refused. */
	rd_init(&rd, "t", b.data, b.len);
	assert_int_equal(codec_str16_read(&rd, "name", 15, out, sizeof(out)), PL_E_TOOBIG);
	expect_msg("name length 16 > 15");
	buf_reset(&b);
}

/* ---- decimals ---- */

static void
test_dec_parse(void **state)
{
	static const char *bad[] = {
		"",
		"00",
		"01",
		"-1",
		"+1",
		" 1",
		"1 ",
		"1a",
		"0x10",
		"1.0",
		"18446744073709551616",
		"99999999999999999999",
		"100000000000000000000",
		"000000000000000000001",
	};
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (codec_dec_parse(bad[i], strlen(bad[i]), &v))
			fail_msg("'%s' accepted as a decimal", bad[i]);
	assert_true(codec_dec_parse("0", 1, &v));
	assert_true(v == 0);
	assert_true(codec_dec_parse("1234567", 7, &v));
	assert_true(v == 1234567);
	assert_true(codec_dec_parse("18446744073709551615", 20, &v));
	assert_true(v == UINT64_MAX);
	assert_true(codec_dec_parse("18446744073709551610", 20, &v));
	assert_true(v == UINT64_MAX - 5);
	/* Only n bytes are read: the rest of the line is not part of the number. */
	assert_true(codec_dec_parse("42\n", 2, &v));
	assert_true(v == 42);
	assert_false(codec_dec_parse("42\n", 3, &v));
}

/* ---- labels ---- */

static void
test_label(void **state)
{
	const char other[16] = "parley-receipt", near[16] = "parley-envelope\x01";
	const char want[16] = "parley-envelope";
	struct buf b;
	struct rd rd;

	(void)state;
	rd_init(&rd, "envelope", other, 16);
	assert_int_equal(codec_label_read(&rd, want), PL_E_PROTO);
	expect_msg("envelope: label does not say envelope at offset 0");
	/* The padding is part of the label. */
	rd_init(&rd, "envelope", near, 16);
	assert_int_equal(codec_label_read(&rd, want), PL_E_PROTO);
	rd_init(&rd, "envelope", want, 15);
	assert_int_equal(codec_label_read(&rd, want), PL_E_TRUNC);
	expect_msg("truncated reading label");

	buf_init(&b, 64);
	assert_int_equal(codec_label_write(&b, want), PL_OK);
	assert_int_equal(b.len, CODEC_LABEL_LEN);
	assert_memory_equal(b.data, "parley-envelope\0", 16);
	rd_init(&rd, "envelope", b.data, b.len);
	assert_int_equal(codec_label_read(&rd, want), PL_OK);
	assert_int_equal(rd.off, 16);
	assert_int_equal(rd_end(&rd), PL_OK);
	buf_reset(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_check_refusals),
		cmocka_unit_test(test_id_read_refusals),
		cmocka_unit_test(test_id_every_byte),
		cmocka_unit_test(test_id_check_accepts),
		cmocka_unit_test(test_id_round_trip),
		cmocka_unit_test(test_utf8_refusals),
		cmocka_unit_test(test_utf8_controls),
		cmocka_unit_test(test_utf8_accepts),
		cmocka_unit_test(test_utf8_exhaustive),
		cmocka_unit_test(test_str_write_refusals),
		cmocka_unit_test(test_str_read_refusals),
		cmocka_unit_test(test_str8_round_trip),
		cmocka_unit_test(test_str16_round_trip),
		cmocka_unit_test(test_dec_parse),
		cmocka_unit_test(test_label),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
