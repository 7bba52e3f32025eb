/*
 * test_body.c - JSON bodies: every refusal names its field, the writer is
 * canonical (keys sorted, compact) and reproduces what it read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/alloc.h"
#include "crypto/cr.h"
#include "wire/body.h"

#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
/* The common start of a minimal body, for refusals further in. */
#define HEAD "{\"format\":\"p\",\"version\":1,\"data\":{}"
#define ATT(extra)                                                                                 \
	HEAD ",\"attachments\":[{\"sha256\":\"" SHA "\",\"size\":1,\"type\":\"a/b\"" extra "}]}"
#define TEXTS(texts, auth) HEAD ",\"texts\":{" texts "},\"authoritative\":" auth "}"

static const char good[] =
        "{\"attachments\":[{\"name\":\"ioc.csv\",\"sha256\":\"" SHA "\",\"size\":12,"
        "\"type\":\"text/csv\"},{\"sha256\":\"" SHA "\",\"size\":0,\"type\":\"application/pdf\"}"
        "],\"authoritative\":\"en\",\"data\":{\"a\":[1,true,null],\"b\":{\"c\":\"d\"}},"
        "\"format\":\"rfa\",\"texts\":{\"en\":\"Line one\\nline\\ttwo\",\"ru\":\"Привет\"},"
        "\"version\":2}";

static int
group_setup(void **state)
{
	(void)state;
	return cr_init() == PL_OK ? 0 : -1;
}

static void
expect_n(const char *json, size_t n, enum pl_err err, const char *msg)
{
	struct body b;
	enum pl_err got;

	pl_err_clear();
	got = body_read(&b, (const uint8_t *)json, n);
	if (got != err)
		fail_msg("%s: want %s, got %s: '%s'", json, pl_err_name(err), pl_err_name(got),
		         pl_err_msg());
	if (msg != NULL && strstr(pl_err_msg(), msg) == NULL)
		fail_msg("%s: want '%s' in '%s'", json, msg, pl_err_msg());
	if (err != PL_OK && strncmp(pl_err_msg(), "body: ", 6) != 0)
		fail_msg("%s: message '%s' does not start with 'body: '", json, pl_err_msg());
	body_free(&b);
}

static void
expect(const char *json, enum pl_err err, const char *msg)
{
	expect_n(json, strlen(json), err, msg);
}

/* ---- refusals ---- */

static void
test_invalid_json(void **state)
{
	(void)state;
	expect("{\"format\":\"p\",", PL_E_PROTO, "JSON error at byte");
	expect("", PL_E_PROTO, "JSON error at byte 0");
	expect("{", PL_E_PROTO, "byte");
	expect("{'format':'p'}", PL_E_PROTO, "byte");
	expect(HEAD ",}", PL_E_PROTO, "byte");
	expect("{\"format\":\"p\",\"version\":01,\"data\":{}}", PL_E_PROTO, "byte");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{},}", PL_E_PROTO, "byte");
	/* Trailing garbage after a complete body. */
	expect(HEAD "} x", PL_E_PROTO, "JSON error at byte");
	expect(HEAD "}{}", PL_E_PROTO, "JSON error");
	expect(HEAD "}}", PL_E_PROTO, "JSON error");
	/* NUL, escaped or raw. */
	expect("{\"format\":\"p\\u0000\",\"version\":1,\"data\":{}}", PL_E_PROTO, "JSON error");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{\"a\":\"x\\u0000y\"}}", PL_E_PROTO,
	       "JSON error");
	expect_n(HEAD "}\0", sizeof(HEAD "}"), PL_E_PROTO, "JSON error");
	expect_n("{\"format\":\"p\0\",\"version\":1,\"data\":{}}",
	         sizeof("{\"format\":\"p\0\",\"version\":1,\"data\":{}}") - 1, PL_E_PROTO,
	         "JSON error");
	/* Invalid UTF-8: a stray byte, an overlong form, a surrogate (raw and escaped). */
	expect("{\"format\":\"p\",\"version\":1,\"data\":{\"a\":\"\xff\"}}", PL_E_PROTO,
	       "JSON error at byte");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{\"a\":\"\xc0\xaf\"}}", PL_E_PROTO,
	       "JSON error");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{\"a\":\"\xed\xa0\x80\"}}", PL_E_PROTO,
	       "JSON error");
	expect("{\"format\":\"p\",\"version\":1,\"data\":{\"a\":\"\\ud800\"}}", PL_E_PROTO,
	       "JSON error");
	expect("{\"format\":\"p\xe9\",\"version\":1,\"data\":{}}", PL_E_PROTO, "JSON error");
	/* Not an object at the top. */
	expect("[]", PL_E_PROTO, NULL);
	expect("\"body\"", PL_E_PROTO, NULL);
	expect("null", PL_E_PROTO, NULL);
}

static void
test_duplicate_and_unknown_keys(void **state)
{
	(void)state;
	expect("{\"format\":\"p\",\"version\":1,\"data\":{},\"data\":{}}", PL_E_PROTO, "duplicate");
	expect("{\"format\":\"p\",\"format\":\"q\",\"version\":1,\"data\":{}}", PL_E_PROTO,
	       "format");
	/* Duplicates are refused at every depth, also inside data. */
	expect("{\"format\":\"p\",\"version\":1,\"data\":{\"a\":1,\"a\":2}}", PL_E_PROTO,
	       "duplicate");
	expect(TEXTS("\"en\":\"x\",\"en\":\"y\"", "\"en\""), PL_E_PROTO, "duplicate");
	expect(ATT(",\"size\":2"), PL_E_PROTO, "duplicate");
	/* Unknown members, at the top and in an attachment. */
	expect(HEAD ",\"extra\":1}", PL_E_PROTO, "body: unknown member 'extra'");
	expect(HEAD ",\"Format\":\"p\"}", PL_E_PROTO, "body: unknown member 'Format'");
	expect(ATT(",\"x\":1"), PL_E_PROTO, "body: attachments: [0]: unknown member 'x'");
	expect(ATT(",\"url\":\"http://x\""), PL_E_PROTO, "[0]: unknown member 'url'");
}

static void
test_missing_and_mistyped(void **state)
{
	(void)state;
	expect("{\"version\":1,\"data\":{}}", PL_E_PROTO, "body: format: missing");
	expect("{\"format\":\"p\",\"data\":{}}", PL_E_PROTO, "body: version: missing");
	expect("{\"format\":\"p\",\"version\":1}", PL_E_PROTO, "body: data: missing");
	expect("{}", PL_E_PROTO, "missing");
	/* Wrong types name the member. */
	expect("{\"format\":1,\"version\":1,\"data\":{}}", PL_E_PROTO,
	       "body: format: not a string");
	expect("{\"format\":[\"p\"],\"version\":1,\"data\":{}}", PL_E_PROTO,
	       "body: format: not a string");
	expect("{\"format\":\"p\",\"version\":\"1\",\"data\":{}}", PL_E_PROTO,
	       "body: version: not an integer");
	expect("{\"format\":\"p\",\"version\":1.0,\"data\":{}}", PL_E_PROTO,
	       "body: version: not an integer");
	expect("{\"format\":\"p\",\"version\":true,\"data\":{}}", PL_E_PROTO,
	       "body: version: not an integer");
	expect("{\"format\":\"p\",\"version\":null,\"data\":{}}", PL_E_PROTO,
	       "body: version: not an integer");
	/* The format is an id. */
	expect("{\"format\":\"P Q\",\"version\":1,\"data\":{}}", PL_E_PROTO,
	       "body: format: 'P Q' is not a format id");
	expect("{\"format\":\"\",\"version\":1,\"data\":{}}", PL_E_PROTO, "body: format");
	expect("{\"format\":\"RFA\",\"version\":1,\"data\":{}}", PL_E_PROTO, "body: format");
	expect("{\"format\":\"-rfa\",\"version\":1,\"data\":{}}", PL_E_PROTO, "body: format");
	expect("{\"format\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
	       "\"version\":1,\"data\":{}}",
	       PL_E_PROTO, "body: format"); /* 64 */
	/* The version range. */
	expect("{\"format\":\"p\",\"version\":0,\"data\":{}}", PL_E_PROTO,
	       "body: version: 0 not in 1..65535");
	expect("{\"format\":\"p\",\"version\":65536,\"data\":{}}", PL_E_PROTO,
	       "body: version: 65536 not in 1..65535");
	expect("{\"format\":\"p\",\"version\":-1,\"data\":{}}", PL_E_PROTO, "body: version: -1");
	expect("{\"format\":\"p\",\"version\":4294967297,\"data\":{}}", PL_E_PROTO,
	       "body: version");
	expect("{\"format\":\"p\",\"version\":99999999999999999999,\"data\":{}}", PL_E_PROTO, NULL);
	/* data must be an object. */
	expect("{\"format\":\"p\",\"version\":1,\"data\":[]}", PL_E_PROTO,
	       "body: data: not an object");
	expect("{\"format\":\"p\",\"version\":1,\"data\":\"x\"}", PL_E_PROTO, "body: data");
	expect("{\"format\":\"p\",\"version\":1,\"data\":1}", PL_E_PROTO, "body: data");
	expect("{\"format\":\"p\",\"version\":1,\"data\":null}", PL_E_PROTO, "body: data");
}

static void
test_texts_refused(void **state)
{
	(void)state;
	expect(HEAD ",\"texts\":[]}", PL_E_PROTO, "body: texts: not an object");
	expect(HEAD ",\"texts\":\"en\"}", PL_E_PROTO, "body: texts: not an object");
	expect(HEAD ",\"texts\":null}", PL_E_PROTO, "body: texts");
	/* Language tags. */
	expect(TEXTS("\"e_n\":\"x\"", "\"e_n\""), PL_E_PROTO,
	       "body: texts: 'e_n' is not a language tag");
	expect(TEXTS("\"e\":\"x\"", "\"e\""), PL_E_PROTO, "'e' is not a language tag");
	expect(TEXTS("\"\":\"x\"", "\"\""), PL_E_PROTO, "is not a language tag");
	expect(TEXTS("\"en US\":\"x\"", "\"en US\""), PL_E_PROTO, "is not a language tag");
	expect(TEXTS("\"ру\":\"x\"", "\"ру\""), PL_E_PROTO, "is not a language tag");
	expect(TEXTS("\"abcdefghijabcdefghijabcdefghijabcdef\":\"x\"",
	             "\"abcdefghijabcdefghijabcdefghijabcdef\""),
	       PL_E_PROTO, "is not a language tag"); /* 36 */
	/* Text values. */
	expect(TEXTS("\"en\":1", "\"en\""), PL_E_PROTO, "body: texts: en: not a string");
	expect(TEXTS("\"en\":null", "\"en\""), PL_E_PROTO, "texts: en: not a string");
	expect(TEXTS("\"en\":{}", "\"en\""), PL_E_PROTO, "texts: en: not a string");
	expect(TEXTS("\"en\":\"a\\u0007b\"", "\"en\""), PL_E_PROTO,
	       "body: texts: en: control characters");
	expect(TEXTS("\"en\":\"a\\rb\"", "\"en\""), PL_E_PROTO, "texts: en: control characters");
	expect(TEXTS("\"en\":\"a\\u001bb\"", "\"en\""), PL_E_PROTO, "texts: en: control");
	expect(TEXTS("\"en\":\"a\\u007fb\"", "\"en\""), PL_E_PROTO, "texts: en: control");
	expect(TEXTS("\"en\":\"a\\u0085b\"", "\"en\""), PL_E_PROTO, "texts: en: control");
	expect(TEXTS("\"en\":\"ok\",\"ru\":\"a\\fb\"", "\"en\""), PL_E_PROTO, "texts: ru: control");
}

static void
test_authoritative_refused(void **state)
{
	(void)state;
	expect(HEAD ",\"texts\":{\"en\":\"x\"}}", PL_E_PROTO,
	       "body: authoritative: missing (required when there are texts)");
	expect(TEXTS("\"en\":\"x\"", "\"fr\""), PL_E_PROTO,
	       "body: authoritative: 'fr' is not one of the texts");
	expect(TEXTS("\"en\":\"x\"", "\"EN\""), PL_E_PROTO, "'EN' is not one of the texts");
	expect(TEXTS("\"en\":\"x\"", "\"\""), PL_E_PROTO, "body: authoritative");
	expect(TEXTS("\"en\":\"x\"", "1"), PL_E_PROTO, "body: authoritative: not a string");
	expect(TEXTS("\"en\":\"x\"", "[\"en\"]"), PL_E_PROTO, "body: authoritative: not a string");
	/* Without texts there is nothing to be authoritative. */
	expect(HEAD ",\"authoritative\":\"en\"}", PL_E_PROTO, "body: authoritative");
	expect(HEAD ",\"texts\":{},\"authoritative\":\"en\"}", PL_E_PROTO, "body: authoritative");
}

static void
test_attachments_refused(void **state)
{
	(void)state;
	expect(HEAD ",\"attachments\":{}}", PL_E_PROTO, "body: attachments: not an array");
	expect(HEAD ",\"attachments\":\"x\"}", PL_E_PROTO, "body: attachments: not an array");
	expect(HEAD ",\"attachments\":[1]}", PL_E_PROTO,
	       "body: attachments: [0]: not a JSON object");
	expect(ATT("},{\"sha256\":\"" SHA "\",\"size\":2,\"type\":\"a/b\",\"q\":0"), PL_E_PROTO,
	       "body: attachments: [1]: unknown member 'q'");
	expect(HEAD ",\"attachments\":[{\"size\":1,\"type\":\"a/b\"}]}", PL_E_PROTO,
	       "body: attachments: [0]: sha256: missing");
	expect(HEAD ",\"attachments\":[{\"sha256\":\"" SHA "\",\"type\":\"a/b\"}]}", PL_E_PROTO,
	       "body: attachments: [0]: size: missing");
	expect(HEAD ",\"attachments\":[{\"sha256\":\"" SHA "\",\"size\":1}]}", PL_E_PROTO,
	       "body: attachments: [0]: type: missing");
	/* sha256: 63 and 65 digits, a non-hex digit, not a string. */
	expect(HEAD ",\"attachments\":[{\"sha256\":\"" SHA "\",\"size\":1,\"type\":\"a/b\"},"
	            "{\"sha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0"
	            "\",\"size\":1,\"type\":\"a/b\"}]}",
	       PL_E_PROTO, "body: attachments: [1].sha256: not 64 hex digits");
	expect(HEAD ",\"attachments\":[{\"sha256\":\"" SHA "0\",\"size\":1,\"type\":\"a/b\"}]}",
	       PL_E_PROTO, "[0].sha256: not 64 hex digits");
	expect(HEAD ",\"attachments\":[{\"sha256\":\"g86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822"
	            "cd15d6c15b0f00a08\",\"size\":1,\"type\":\"a/b\"}]}",
	       PL_E_PROTO, "[0].sha256: not 64 hex digits");
	expect(HEAD
	       ",\"attachments\":[{\"sha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822"
	       "cd15d6c15b0f00a0 \",\"size\":1,\"type\":\"a/b\"}]}",
	       PL_E_PROTO, "[0].sha256: not 64 hex digits");
	expect(HEAD ",\"attachments\":[{\"sha256\":\"\",\"size\":1,\"type\":\"a/b\"}]}", PL_E_PROTO,
	       "[0].sha256");
	expect(HEAD ",\"attachments\":[{\"sha256\":1,\"size\":1,\"type\":\"a/b\"}]}", PL_E_PROTO,
	       "body: attachments: [0]: sha256: not a string");
	/* size */
	expect(HEAD ",\"attachments\":[{\"sha256\":\"" SHA "\",\"size\":-1,\"type\":\"a/b\"}]}",
	       PL_E_PROTO, "body: attachments: [0].size: negative");
	expect(HEAD ",\"attachments\":[{\"sha256\":\"" SHA "\",\"size\":\"1\",\"type\":\"a/b\"}]}",
	       PL_E_PROTO, "body: attachments: [0]: size: not an integer");
	expect(HEAD ",\"attachments\":[{\"sha256\":\"" SHA "\",\"size\":1.5,\"type\":\"a/b\"}]}",
	       PL_E_PROTO, "body: attachments: [0]: size: not an integer");
	expect(HEAD ",\"attachments\":[{\"sha256\":\"" SHA "\",\"size\":1,\"type\":1}]}",
	       PL_E_PROTO, "body: attachments: [0]: type: not a string");
	/* type */
	expect(ATT("") /* control: this one is fine */, PL_OK, NULL);
	expect(HEAD ",\"attachments\":[{\"sha256\":\"" SHA "\",\"size\":1,\"type\":\"pdf\"}]}",
	       PL_E_PROTO, "body: attachments: [0].type: not a media type");
	expect(HEAD ",\"attachments\":[{\"sha256\":\"" SHA "\",\"size\":1,\"type\":\"a/\"}]}",
	       PL_E_PROTO, "[0].type");
	expect(HEAD ",\"attachments\":[{\"sha256\":\"" SHA "\",\"size\":1,\"type\":\"/b\"}]}",
	       PL_E_PROTO, "[0].type");
	expect(HEAD ",\"attachments\":[{\"sha256\":\"" SHA "\",\"size\":1,\"type\":\"a/b/c\"}]}",
	       PL_E_PROTO, "[0].type");
	expect(HEAD ",\"attachments\":[{\"sha256\":\"" SHA
	            "\",\"size\":1,\"type\":\"text/plain; charset=utf-8\"}]}",
	       PL_E_PROTO, "[0].type");
	expect(HEAD ",\"attachments\":[{\"sha256\":\"" SHA "\",\"size\":1,\"type\":\"\"}]}",
	       PL_E_PROTO, "[0].type");
	/* name: a path, control characters, too long. */
	expect(ATT(",\"name\":\"../etc/passwd\""), PL_E_PROTO, "body: attachments: [0].name");
	expect(ATT(",\"name\":\"/x\""), PL_E_PROTO, "[0].name");
	expect(ATT(",\"name\":\"a/b\""), PL_E_PROTO, "[0].name");
	expect(ATT(",\"name\":\"a\\nb\""), PL_E_PROTO, "[0].name");
	expect(ATT(",\"name\":\"a\\tb\""), PL_E_PROTO, "[0].name");
	expect(ATT(",\"name\":\"a\\u0085b\""), PL_E_PROTO, "[0].name");
	expect(ATT(",\"name\":1"), PL_E_PROTO, "body: attachments: [0]: name: not a string");
}

static void
test_name_and_type_lengths(void **state)
{
	char json[1024], name[300], type[200];

	(void)state;
	memset(name, 'n', sizeof(name));
	name[255] = '\0';
	(void)snprintf(json, sizeof(json), ATT(",\"name\":\"%s\""), name);
	expect(json, PL_OK, NULL);
	name[255] = 'n';
	name[256] = '\0';
	(void)snprintf(json, sizeof(json), ATT(",\"name\":\"%s\""), name);
	expect(json, PL_E_PROTO, "[0].name: longer than 255");

	memset(type, 't', sizeof(type));
	type[60] = '/';
	type[127] = '\0';
	(void)snprintf(json, sizeof(json),
	               HEAD ",\"attachments\":[{\"sha256\":\"" SHA
	                    "\",\"size\":1,\"type\":\"%s\"}]}",
	               type);
	expect(json, PL_OK, NULL);
	type[127] = 't';
	type[128] = '\0';
	(void)snprintf(json, sizeof(json),
	               HEAD ",\"attachments\":[{\"sha256\":\"" SHA
	                    "\",\"size\":1,\"type\":\"%s\"}]}",
	               type);
	expect(json, PL_E_PROTO, "[0].type");
}

/* A body with n texts (n <= 26 * 26) and the first as authoritative. */
static void
texts_json(char *json, size_t cap, int n)
{
	size_t o;
	int i;

	o = (size_t)snprintf(json, cap, HEAD ",\"texts\":{");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(json + o, cap - o, "%s\"%c%c\":\"x\"", i ? "," : "",
		                      'a' + i / 26, 'a' + i % 26);
	(void)snprintf(json + o, cap - o, "},\"authoritative\":\"aa\"}");
}

static void
attachments_json(char *json, size_t cap, int n)
{
	size_t o;
	int i;

	o = (size_t)snprintf(json, cap, HEAD ",\"attachments\":[");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(json + o, cap - o,
		                      "%s{\"sha256\":\"" SHA "\",\"size\":%d,\"type\":\"a/b\"}",
		                      i ? "," : "", i);
	(void)snprintf(json + o, cap - o, "]}");
}

static void
test_too_many(void **state)
{
	char json[16384];

	(void)state;
	texts_json(json, sizeof(json), BODY_TEXTS_MAX + 1);
	expect(json, PL_E_TOOBIG, "body: texts: 17 languages > 16");
	texts_json(json, sizeof(json), 100);
	expect(json, PL_E_TOOBIG, "100 languages > 16");
	attachments_json(json, sizeof(json), BODY_ATTACHMENTS_MAX + 1);
	expect(json, PL_E_TOOBIG, "body: attachments: 33 > 32");
	attachments_json(json, sizeof(json), 100);
	expect(json, PL_E_TOOBIG, "attachments: 100 > 32");
}

/* ---- what is accepted ---- */

static void
test_limits_accepted(void **state)
{
	char json[8192];
	struct body b;

	(void)state;
	texts_json(json, sizeof(json), BODY_TEXTS_MAX);
	assert_int_equal(body_read(&b, (const uint8_t *)json, strlen(json)), PL_OK);
	assert_int_equal(b.n_texts, BODY_TEXTS_MAX);
	assert_string_equal(b.texts[15].lang, "ap");
	body_free(&b);
	attachments_json(json, sizeof(json), BODY_ATTACHMENTS_MAX);
	assert_int_equal(body_read(&b, (const uint8_t *)json, strlen(json)), PL_OK);
	assert_int_equal(b.n_attachments, BODY_ATTACHMENTS_MAX);
	assert_true(b.attachments[31].size == 31);
	body_free(&b);
	expect("{\"format\":\"p\",\"version\":1,\"data\":{}}", PL_OK, NULL);
	expect(" {\"data\":{},\"version\":65535,\"format\":\"p\"} ", PL_OK, NULL);
	expect("{\"format\":\"p\",\"version\":1,\"data\":{},\"texts\":{}}", PL_OK, NULL);
	expect(HEAD ",\"attachments\":[]}", PL_OK, NULL);
	expect(TEXTS("\"abcdefghijabcdefghijabcdefghijabcde\":\"x\"",
	             "\"abcdefghijabcdefghijabcdefghijabcde\""),
	       PL_OK, NULL); /* a 35-character tag */
	expect(TEXTS("\"en-GB\":\"\"", "\"en-GB\""), PL_OK, NULL);
	expect(ATT(",\"name\":\"\""), PL_OK, NULL);
	expect(ATT(",\"name\":\"..\""), PL_OK, NULL); /* the spec forbids only '/' */
	expect(HEAD ",\"attachments\":[{\"sha256\":\"" SHA "\",\"size\":9007199254740993,"
	            "\"type\":\"application/vnd.ms-excel+xml\"}]}",
	       PL_OK, NULL);
	expect("{\"format\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
	       "\"version\":1,\"data\":{}}",
	       PL_OK, NULL); /* 63 */
}

static void
test_read_fields(void **state)
{
	struct body b;

	(void)state;
	assert_int_equal(body_read(&b, (const uint8_t *)good, strlen(good)), PL_OK);
	assert_non_null(b.root);
	assert_string_equal(b.format, "rfa");
	assert_int_equal(b.version, 2);
	assert_true(json_is_object(b.data));
	assert_int_equal(json_object_size(b.data), 2);
	assert_int_equal(b.n_texts, 2);
	assert_string_equal(b.texts[0].lang, "en");
	assert_string_equal(b.texts[0].text, "Line one\nline\ttwo");
	assert_string_equal(b.texts[1].lang, "ru");
	assert_string_equal(b.texts[1].text, "Привет");
	assert_string_equal(b.authoritative, "en");
	assert_int_equal(b.n_attachments, 2);
	assert_true(b.attachments[0].size == 12);
	assert_string_equal(b.attachments[0].type, "text/csv");
	assert_string_equal(b.attachments[0].name, "ioc.csv");
	assert_int_equal(b.attachments[0].sha256[0], 0x9f);
	assert_int_equal(b.attachments[0].sha256[31], 0x08);
	assert_true(b.attachments[1].size == 0);
	assert_string_equal(b.attachments[1].name, "");
	body_free(&b);
	assert_null(b.root);
}

/* ---- canonical writing ---- */

static void
write_of(struct buf *out, const char *json)
{
	struct body b;

	if (body_read(&b, (const uint8_t *)json, strlen(json)) != PL_OK)
		fail_msg("%s: %s", json, pl_err_msg());
	assert_int_equal(body_write(out, &b), PL_OK);
	body_free(&b);
}

static void
test_round_trip_is_canonical(void **state)
{
	struct buf out, again;

	(void)state;
	buf_init(&out, 4096);
	buf_init(&again, 4096);
	/* Canonical input comes back byte for byte. */
	write_of(&out, good);
	assert_int_equal(out.len, strlen(good));
	assert_memory_equal(out.data, good, out.len);

	/* Pretty, unsorted input comes back sorted and compact, and then stays put. */
	out.len = 0;
	write_of(&out, "{ \"version\" : 2,\n \"texts\": {\"ru\": \"Привет\", \"en\": "
	               "\"Line one\\nline\\u0009two\"},\n \"format\": \"rfa\", \"authoritative\": "
	               "\"en\",\n \"data\": {\"b\": {\"c\": \"d\"}, \"a\": [1, true, null]},\n"
	               " \"attachments\": [{\"type\": \"text/csv\", \"size\": 12, \"sha256\": "
	               "\"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08\", "
	               "\"name\": \"ioc.csv\"}, {\"sha256\": \"" SHA "\", \"size\": 0, "
	               "\"type\": \"application/pdf\", \"name\": \"\"}]}\n");
	if (out.len != strlen(good) || memcmp(out.data, good, out.len) != 0)
		fail_msg("not canonical: %.*s", (int)out.len, (const char *)out.data);
	{
		char canon[4096];

		assert_true(out.len < sizeof(canon));
		memcpy(canon, out.data, out.len);
		canon[out.len] = '\0';
		write_of(&again, canon);
	}
	assert_int_equal(again.len, out.len);
	assert_memory_equal(again.data, out.data, out.len);
	buf_reset(&out);
	buf_reset(&again);
}

static void
test_write_appends(void **state)
{
	static const char min[] = "{\"data\":{},\"format\":\"p\",\"version\":1}";
	struct buf out;

	(void)state;
	buf_init(&out, 4096);
	assert_int_equal(buf_add_str(&out, "prefix"), PL_OK);
	write_of(&out, " {\"version\":1,\"format\":\"p\",\"data\":{}} ");
	assert_int_equal(out.len, 6 + strlen(min));
	assert_memory_equal(out.data, "prefix", 6);
	assert_memory_equal(out.data + 6, min, strlen(min));
	buf_reset(&out);
}

static void
hand_body(struct body *b)
{
	memset(b, 0, sizeof(*b));
	(void)snprintf(b->format, sizeof(b->format), "p");
	b->version = 1;
	b->data = json_object();
	b->n_texts = 1;
	(void)snprintf(b->texts[0].lang, sizeof(b->texts[0].lang), "en");
	b->texts[0].text = "x";
	(void)snprintf(b->authoritative, sizeof(b->authoritative), "en");
}

/* body_write of hand_body(). */
static const char hand_json[] =
        "{\"authoritative\":\"en\",\"data\":{},\"format\":\"p\",\"texts\":{\"en\":\"x\"},"
        "\"version\":1}";

/* Refill a hand-made body, releasing the data of the previous one. */
static void
rehand(struct body *b)
{
	json_decref(b->data);
	hand_body(b);
}

static void
expect_write(const struct body *b, enum pl_err want)
{
	struct buf out;
	enum pl_err err;

	buf_init(&out, 4096);
	assert_int_equal(buf_add_str(&out, "keep"), PL_OK);
	err = body_write(&out, b);
	if (err != want)
		fail_msg("want %s, got %s (%s): %.*s", pl_err_name(want), pl_err_name(err),
		         pl_err_msg(), (int)out.len, (const char *)out.data);
	if (want != PL_OK) {
		assert_int_equal(out.len, 4);
		assert_memory_equal(out.data, "keep", 4);
	}
	buf_reset(&out);
}

/* Refused with any error, and nothing appended. */
static void
expect_write_refused(const struct body *b)
{
	struct buf out;
	enum pl_err err;

	buf_init(&out, 4096);
	assert_int_equal(buf_add_str(&out, "keep"), PL_OK);
	err = body_write(&out, b);
	if (err == PL_OK)
		fail_msg("written: %.*s", (int)out.len, (const char *)out.data);
	assert_int_equal(out.len, 4);
	buf_reset(&out);
}

static void
test_write_refuses_what_read_would(void **state)
{
	struct body b;

	(void)state;
	memset(&b, 0, sizeof(b));
	expect_write(&b, PL_E_ARG); /* no data */
	rehand(&b);
	expect_write(&b, PL_OK);
	(void)snprintf(b.authoritative, sizeof(b.authoritative), "fr");
	expect_write(&b, PL_E_PROTO);
	b.authoritative[0] = '\0';
	expect_write(&b, PL_E_PROTO);
	rehand(&b);
	b.version = 0;
	expect_write(&b, PL_E_PROTO);
	b.version = BODY_VERSION_MAX + 1;
	expect_write(&b, PL_E_PROTO);
	rehand(&b);
	(void)snprintf(b.format, sizeof(b.format), "P");
	expect_write(&b, PL_E_PROTO);
	b.format[0] = '\0';
	expect_write(&b, PL_E_PROTO);
	rehand(&b);
	b.texts[0].text = "bell\a";
	expect_write(&b, PL_E_PROTO);
	b.texts[0].text = "\xff";
	expect_write(&b, PL_E_ARG);
	b.texts[0].text = NULL;
	expect_write(&b, PL_E_ARG);
	b.texts[0].text = "ok";
	(void)snprintf(b.texts[0].lang, sizeof(b.texts[0].lang), "e");
	expect_write(&b, PL_E_PROTO);
	rehand(&b);
	b.n_texts = BODY_TEXTS_MAX + 1;
	expect_write(&b, PL_E_ARG);
	rehand(&b);
	b.n_attachments = 1;
	(void)snprintf(b.attachments[0].type, sizeof(b.attachments[0].type), "text/plain");
	expect_write(&b, PL_OK);
	(void)snprintf(b.attachments[0].name, sizeof(b.attachments[0].name), "a/b");
	expect_write(&b, PL_E_PROTO);
	(void)snprintf(b.attachments[0].name, sizeof(b.attachments[0].name), "a\x01");
	expect_write(&b, PL_E_PROTO);
	b.attachments[0].name[0] = '\0';
	(void)snprintf(b.attachments[0].type, sizeof(b.attachments[0].type), "plain");
	expect_write(&b, PL_E_PROTO);
	(void)snprintf(b.attachments[0].type, sizeof(b.attachments[0].type), "text/plain");
	b.attachments[0].size = (uint64_t)INT64_MAX + 1; /* negative as a JSON integer */
	expect_write(&b, PL_E_PROTO);
	b.attachments[0].size = 0;
	b.n_attachments = BODY_ATTACHMENTS_MAX + 1;
	expect_write(&b, PL_E_ARG);
	/* data must be an object. */
	rehand(&b);
	json_decref(b.data);
	b.data = json_array();
	expect_write(&b, PL_E_PROTO);
	json_decref(b.data);
}

static void
test_write_too_small(void **state)
{
	struct body b;
	struct buf out;

	(void)state;
	hand_body(&b);
	buf_init(&out, 20);
	assert_int_equal(buf_add_str(&out, "keep"), PL_OK);
	assert_int_equal(body_write(&out, &b), PL_E_TOOBIG);
	assert_int_equal(out.len, 4);
	assert_memory_equal(out.data, "keep", 4);
	buf_reset(&out);
	json_decref(b.data);
}

static void
test_write_allocation_failures(void **state)
{
	unsigned long n;
	enum pl_err err;
	struct body b;
	struct buf out;

	(void)state;
	hand_body(&b);
	for (n = 1;; n++) {
		buf_init(&out, 4096);
		(void)pl_alloc_fail_at(n);
		err = body_write(&out, &b);
		(void)pl_alloc_fail_at(0);
		if (err == PL_OK)
			break;
		assert_int_equal(err, PL_E_NOMEM);
		assert_int_equal(out.len, 0);
		buf_reset(&out);
		assert_true(n < 16);
	}
	assert_true(n > 1);
	assert_int_equal(out.len, strlen(hand_json));
	assert_memory_equal(out.data, hand_json, out.len);
	buf_reset(&out);
	json_decref(b.data);
}

/*
 * Regression (fixed): body_write drops a text when two have the same language: the
 * second silently replaces the first in the JSON object and PL_OK is
 * returned, so the writer emits something other than it was given.
 */
static void
test_write_refuses_duplicate_languages(void **state)
{
	struct body b;

	(void)state;
	hand_body(&b);
	b.n_texts = 2;
	(void)snprintf(b.texts[1].lang, sizeof(b.texts[1].lang), "en");
	b.texts[1].text = "another text";
	expect_write_refused(&b);
	json_decref(b.data);
}

/*
 * Regression (fixed): body_write drops an authoritative language when there are no
 * texts, where body_read refuses exactly that body.
 */
static void
test_write_refuses_authoritative_without_texts(void **state)
{
	struct body b;

	(void)state;
	hand_body(&b);
	b.n_texts = 0;
	expect_write_refused(&b);
	json_decref(b.data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_json),
		cmocka_unit_test(test_duplicate_and_unknown_keys),
		cmocka_unit_test(test_missing_and_mistyped),
		cmocka_unit_test(test_texts_refused),
		cmocka_unit_test(test_authoritative_refused),
		cmocka_unit_test(test_attachments_refused),
		cmocka_unit_test(test_name_and_type_lengths),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_write_refuses_what_read_would),
		cmocka_unit_test(test_write_too_small),
		cmocka_unit_test(test_write_allocation_failures),
		cmocka_unit_test(test_limits_accepted),
		cmocka_unit_test(test_read_fields),
		cmocka_unit_test(test_round_trip_is_canonical),
		cmocka_unit_test(test_write_appends),
		cmocka_unit_test(test_write_refuses_duplicate_languages),
		cmocka_unit_test(test_write_refuses_authoritative_without_texts),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
