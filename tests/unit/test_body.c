/*
 * test_body.c - JSON bodies: canonical round trip, and every refusal names
 * its field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "wire/body.h"

#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static const char good[] =
        "{\"attachments\":[{\"name\":\"ioc.csv\",\"sha256\":\"" SHA "\",\"size\":12,"
        "\"type\":\"text/csv\"}],\"authoritative\":\"en\",\"data\":{\"a\":[1,true,null]},"
        "\"format\":\"rfa\",\"texts\":{\"en\":\"Line one\\nline\\ttwo\",\"ru\":\"Привет\"},"
        "\"version\":2}";

static void
expect(const char *json, enum pl_err err, const char *msg)
{
	struct body b;

	pl_err_clear();
	if (body_read(&b, (const uint8_t *)json, strlen(json)) != err)
		fail_msg("%s: want %s, got '%s'", json, pl_err_name(err), pl_err_msg());
	if (msg != NULL && strstr(pl_err_msg(), msg) == NULL)
		fail_msg("%s: want '%s' in '%s'", json, msg, pl_err_msg());
	body_free(&b);
}

static void
test_round_trip_is_canonical(void **state)
{
	struct body b;
	struct buf out;

	(void)state;
	assert_int_equal(body_read(&b, (const uint8_t *)good, strlen(good)), PL_OK);
	assert_string_equal(b.format, "rfa");
	assert_int_equal(b.version, 2);
	assert_int_equal(b.n_texts, 2);
	assert_string_equal(b.authoritative, "en");
	assert_int_equal(b.n_attachments, 1);
	assert_true(b.attachments[0].size == 12);
	assert_string_equal(b.attachments[0].type, "text/csv");
	assert_int_equal(b.attachments[0].sha256[0], 0x9f);
	buf_init(&out, 4096);
	assert_int_equal(body_write(&out, &b), PL_OK);
	/* The input was already canonical: sorted keys, compact. */
	assert_int_equal(out.len, strlen(good));
	assert_memory_equal(out.data, good, out.len);
	body_free(&b);
	buf_reset(&out);
}

static void
test_minimal_body(void **state)
{
	(void)state;
	expect("{\"format\":\"ping\",\"version\":1,\"data\":{}}", PL_OK, NULL);
	expect(" {\"data\":{},\"version\":65535,\"format\":\"p\"} ", PL_OK, NULL);
}

static void
test_refusals_name_the_field(void **state)
{
	char json[4096];
	size_t i, o;

	(void)state;
	expect("{\"format\":\"p\",\"version\":1,\"data\":{},\"data\":{}}", PL_E_PROTO, "duplicate");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{},\"extra\":1}", PL_E_PROTO, "extra");
	expect("{\"version\":1,\"data\":{}}", PL_E_PROTO, "format");
	expect("{\"format\":\"p\",\"data\":{}}", PL_E_PROTO, "version");
	expect("{\"format\":\"p\",\"version\":1}", PL_E_PROTO, "data");
	expect("{\"format\":\"P Q\",\"version\":1,\"data\":{}}", PL_E_PROTO, "body: format");
	expect("{\"format\":\"p\",\"version\":0,\"data\":{}}", PL_E_PROTO, "version: 0 not in");
	expect("{\"format\":\"p\",\"version\":65536,\"data\":{}}", PL_E_PROTO, "version: 65536");
	expect("{\"format\":\"p\",\"version\":\"1\",\"data\":{}}", PL_E_PROTO, NULL);
	expect("{\"format\":\"p\",\"version\":1,\"data\":[]}", PL_E_PROTO, "data: not an object");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{},\"texts\":[]}", PL_E_PROTO,
	       "texts: not an object");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{},\"texts\":{\"e_n\":\"x\"},"
	       "\"authoritative\":\"e_n\"}",
	       PL_E_PROTO, "is not a language tag");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{},\"texts\":{\"en\":1},"
	       "\"authoritative\":\"en\"}",
	       PL_E_PROTO, "texts: en: not a string");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{},\"texts\":{\"en\":\"a\\u0007b\"},"
	       "\"authoritative\":\"en\"}",
	       PL_E_PROTO, "texts: en: control characters");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{},\"texts\":{\"en\":\"x\"}}", PL_E_PROTO,
	       "authoritative: missing");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{},\"texts\":{\"en\":\"x\"},"
	       "\"authoritative\":\"fr\"}",
	       PL_E_PROTO, "authoritative: 'fr' is not one of the texts");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{},\"attachments\":{}}", PL_E_PROTO,
	       "attachments: not an array");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{},\"attachments\":[{\"sha256\":\"" SHA
	       "\",\"size\":1,\"type\":\"a/b\",\"x\":1}]}",
	       PL_E_PROTO, "attachments: [0]");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{},\"attachments\":[{\"sha256\":\"abc\","
	       "\"size\":1,\"type\":\"a/b\"}]}",
	       PL_E_PROTO, "[0].sha256: not 64 hex digits");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{},\"attachments\":[{\"sha256\":\"" SHA
	       "\",\"size\":-1,\"type\":\"a/b\"}]}",
	       PL_E_PROTO, "[0].size: negative");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{},\"attachments\":[{\"sha256\":\"" SHA
	       "\",\"size\":1,\"type\":\"pdf\"}]}",
	       PL_E_PROTO, "[0].type: not a media type");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{},\"attachments\":[{\"sha256\":\"" SHA
	       "\",\"size\":1,\"type\":\"a/b\",\"name\":\"../etc/passwd\"}]}",
	       PL_E_PROTO, "[0].name");
	expect("{\"format\":\"p\",", PL_E_PROTO, "JSON error at byte");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{}} x", PL_E_PROTO, "JSON error");
	expect("{\"format\":\"p\\u0000\",\"version\":1,\"data\":{}}", PL_E_PROTO, "JSON error");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{\"a\":\"\xff\"}}", PL_E_PROTO,
	       "JSON error");
	expect("[]", PL_E_PROTO, NULL);

	/* 16 texts are fine, 17 are too many. */
	for (int n = 16; n <= 17; n++) {
		o = (size_t)snprintf(json, sizeof(json),
		                     "{\"format\":\"p\",\"version\":1,\"data\":{},\"texts\":{");
		for (i = 0; i < (size_t)n; i++)
			o += (size_t)snprintf(json + o, sizeof(json) - o, "%s\"l%c\":\"x\"",
			                      i ? "," : "", (char)('a' + i));
		(void)snprintf(json + o, sizeof(json) - o, "},\"authoritative\":\"la\"}");
		expect(json, n == 16 ? PL_OK : PL_E_TOOBIG, n == 16 ? NULL : "17 languages > 16");
	}
	for (int n = 32; n <= 33; n++) {
		o = (size_t)snprintf(
		        json, sizeof(json),
		        "{\"format\":\"p\",\"version\":1,\"data\":{},\"attachments\":[");
		for (i = 0; i < (size_t)n; i++)
			o += (size_t)snprintf(json + o, sizeof(json) - o,
			                      "%s{\"sha256\":\"" SHA
			                      "\",\"size\":1,\"type\":\"a/b\"}",
			                      i ? "," : "");
		(void)snprintf(json + o, sizeof(json) - o, "]}");
		expect(json, n == 32 ? PL_OK : PL_E_TOOBIG,
		       n == 32 ? NULL : "attachments: 33 > 32");
	}
}

static void
test_write_refuses_what_read_would(void **state)
{
	struct body b;
	struct buf out;

	(void)state;
	memset(&b, 0, sizeof(b));
	buf_init(&out, 4096);
	assert_int_equal(body_write(&out, &b), PL_E_ARG); /* no data */
	(void)snprintf(b.format, sizeof(b.format), "p");
	b.version = 1;
	b.data = json_object();
	b.n_texts = 1;
	(void)snprintf(b.texts[0].lang, sizeof(b.texts[0].lang), "en");
	b.texts[0].text = "x";
	(void)snprintf(b.authoritative, sizeof(b.authoritative), "fr");
	assert_int_equal(body_write(&out, &b), PL_E_PROTO);
	assert_int_equal(out.len, 0);
	(void)snprintf(b.authoritative, sizeof(b.authoritative), "en");
	assert_int_equal(body_write(&out, &b), PL_OK);
	b.version = 0;
	out.len = 0;
	assert_int_equal(body_write(&out, &b), PL_E_PROTO);
	assert_int_equal(out.len, 0);
	json_decref(b.data);
	buf_reset(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_is_canonical),
		cmocka_unit_test(test_minimal_body),
		cmocka_unit_test(test_refusals_name_the_field),
		cmocka_unit_test(test_write_refuses_what_read_would),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
