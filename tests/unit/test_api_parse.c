/*
 * test_api_parse.c - the pure readers of the API, without a server: the
 * peer batch framing (every cut, every limit and one past it), the peer
 * and list queries, and every officer request body (unknown members,
 * wrong types and bad values refused, naming the field and never quoting
 * the value).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/api_officer.h"
#include "api/api_peer.h"
#include "core/node.h"
#include "crypto/cr.h"

static void
expect_msg(const char *want)
{
	if (strstr(pl_err_msg(), want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", pl_err_msg(), want);
}

/* ---- Peer batch --------------------------------------------------------------- */

/* count envelopes of the given lengths, each filled with its index. */
static size_t
batch(uint8_t *out, size_t cap, size_t count, size_t len)
{
	size_t i, off = 0;

	for (i = 0; i < count; i++) {
		assert_true(off + 4 + len <= cap);
		buf_put_u32be(out + off, (uint32_t)len);
		memset(out + off + 4, (int)(i & 0xff), len);
		off += 4 + len;
	}
	return off;
}

static void
test_batch_cuts(void **state)
{
	static uint8_t b[3 * (4 + 10)];
	struct api_batch out;
	size_t n = batch(b, sizeof(b), 3, 10), cut;

	(void)state;
	assert_int_equal(api_peer_parse_batch(b, n, &out), PL_OK);
	assert_int_equal(out.count, 3);
	assert_ptr_equal(out.envs[0], b + 4);
	assert_ptr_equal(out.envs[2], b + 2 * 14 + 4);
	assert_int_equal(out.lens[1], 10);
	/* Every shorter input is refused, naming the envelope and the offset. */
	for (cut = 0; cut < n; cut++) {
		enum pl_err err;

		pl_err_clear();
		err = api_peer_parse_batch(b, cut, &out);
		if (cut % 14 == 0) {
			/* A whole number of envelopes: fine, except none at all. */
			if (cut == 0) {
				assert_int_equal(err, PL_E_PROTO);
				expect_msg(
				        "peer batch: empty (1 to 256 envelopes expected) at offset 0");
			} else {
				assert_int_equal(err, PL_OK);
				assert_int_equal(out.count, cut / 14);
			}
			continue;
		}
		assert_int_equal(err, PL_E_TRUNC);
		assert_int_equal(out.bad_index, cut / 14);
		expect_msg("peer batch: truncated reading ");
		if (cut % 14 < 4)
			expect_msg("length of envelope");
		expect_msg("at offset");
	}
	/* Trailing bytes are a cut envelope. */
	assert_int_equal(api_peer_parse_batch(b, n, &out), PL_OK);
}

static void
test_batch_limits(void **state)
{
	static uint8_t b[(NODE_BATCH_MAX + 1) * 5 + 4 + ENV_ENCODED_MAX + 1];
	struct api_batch out;
	size_t n;

	(void)state;
	/* 256 envelopes: fine; 257: refused at the 257th's offset. */
	n = batch(b, sizeof(b), NODE_BATCH_MAX, 1);
	assert_int_equal(api_peer_parse_batch(b, n, &out), PL_OK);
	assert_int_equal(out.count, NODE_BATCH_MAX);
	n = batch(b, sizeof(b), NODE_BATCH_MAX + 1, 1);
	assert_int_equal(api_peer_parse_batch(b, n, &out), PL_E_PROTO);
	expect_msg("more than 256 envelopes at offset 1280");
	assert_int_equal(out.bad_index, NODE_BATCH_MAX);
	/* A zero length, in first and in later place. */
	memset(b, 0, 4);
	assert_int_equal(api_peer_parse_batch(b, 4, &out), PL_E_PROTO);
	expect_msg("envelope 0: length 0 at offset 0");
	n = batch(b, sizeof(b), 2, 1);
	memset(b + 5, 0, 4);
	assert_int_equal(api_peer_parse_batch(b, n - 1, &out), PL_E_PROTO);
	expect_msg("envelope 1: length 0 at offset 5");
	assert_int_equal(out.bad_index, 1);
	/* The largest envelope fits; one byte more is too big, before reading past. */
	n = batch(b, sizeof(b), 1, ENV_ENCODED_MAX);
	assert_int_equal(api_peer_parse_batch(b, n, &out), PL_OK);
	buf_put_u32be(b, ENV_ENCODED_MAX + 1);
	assert_int_equal(api_peer_parse_batch(b, n + 1, &out), PL_E_TOOBIG);
	expect_msg("envelope 0: length");
	buf_put_u32be(b, 0xffffffffu);
	assert_int_equal(api_peer_parse_batch(b, 8, &out), PL_E_TOOBIG);
	expect_msg("length 4294967295 >");
}

static void
test_peer_query(void **state)
{
	static const struct {
		const char *q, *want;
	} bad[] = {
		{ "", "channel missing" },
		{ "channel=cyber", "from missing" },
		{ "from=1", "channel missing" },
		{ "channel=cyber&from=0", "from: not a seq" },
		{ "channel=cyber&from=01", "from: not a seq" },
		{ "channel=cyber&from=-1", "from: not a seq" },
		{ "channel=cyber&from=18446744073709551616", "from: not a seq" },
		{ "channel=Cyber&from=1", "channel: not a channel id" },
		{ "channel=-x&from=1", "channel: not a channel id" },
		{ "channel=cyber&from=1&channel=cyber", "channel given twice" },
		{ "channel=cyber&from=1&from=2", "from given twice" },
		{ "channel=cyber&from=1&max=2", "unknown parameter max" },
		{ "channel=cyber&from=1&limit=0", "limit: not a number from 1" },
		{ "channel=cyber&from=1&limit=257", "limit: not a number from 1" },
		{ "channel=cyber&from=1&limit=1&limit=1", "limit given twice" },
		{ "channel=cyber&from=1&sender=US", "sender: not a party id" },
		{ "channel=cyber&from=1&sender=a&sender=a", "sender given twice" },
		{ "channel=cyber&from=1&", "ends with '&'" },
		{ "channel=cy%62er&from=1", "a character outside" },
	};
	struct api_fetch f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pl_err_clear();
		if (api_peer_parse_query(bad[i].q, &f) != PL_E_ARG)
			fail_msg("accepted \"%s\"", bad[i].q);
		expect_msg(bad[i].want);
	}
	assert_int_equal(
	        api_peer_parse_query("from=18446744073709551615&channel=osce-cbm.2026", &f), PL_OK);
	assert_string_equal(f.channel, "osce-cbm.2026");
	assert_true(f.from == UINT64_MAX);
	assert_string_equal(f.sender, "");
	assert_int_equal(f.limit, NODE_BATCH_MAX);
	assert_int_equal(api_peer_parse_query("channel=cyber&sender=us-nrrc&from=3&limit=1", &f),
	                 PL_OK);
	assert_string_equal(f.sender, "us-nrrc");
	assert_int_equal(f.from, 3);
	assert_int_equal(f.limit, 1);
}

/* ---- Officer bodies -------------------------------------------------------- */

static json_t *
J(const char *text)
{
	json_t *j = NULL;

	if (api_parse_json((const uint8_t *)text, strlen(text), 0, &j) != PL_OK)
		fail_msg("test JSON refused: %s: %s", text, pl_err_msg());
	return j;
}

static void
test_json_load(void **state)
{
	static const char *const bad[] = {
		"{",
		"[]",
		"1",
		"\"x\"",
		"null",
		"{\"a\":1,\"a\":2}",
		"{\"a\":\"\\u0000\"}",
		"{} {}",
		"{\"a\":1,}",
		"\xff",
	};
	json_t *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pl_err_clear();
		if (api_parse_json((const uint8_t *)bad[i], strlen(bad[i]), 1, &j) != PL_E_ARG)
			fail_msg("accepted %s", bad[i]);
		assert_null(j);
		expect_msg("request body: ");
	}
	assert_int_equal(api_parse_json((const uint8_t *)"{\"a\":1,\"a\":2}", 13, 0, &j), PL_E_ARG);
	expect_msg("JSON error at byte");
	assert_int_equal(api_parse_json(NULL, 0, 0, &j), PL_E_ARG);
	expect_msg("request body: empty");
	assert_int_equal(api_parse_json(NULL, 0, 1, &j), PL_OK);
	assert_null(j);
	assert_int_equal(api_parse_empty(NULL, "ack"), PL_OK);
	j = J("{}");
	assert_int_equal(api_parse_empty(j, "ack"), PL_OK);
	json_decref(j);
	j = J("{\"x\":1}");
	assert_int_equal(api_parse_empty(j, "ack"), PL_E_ARG);
	expect_msg("ack: takes no members");
	json_decref(j);
}

static void
test_login_token(void **state)
{
	static const struct {
		const char *body, *want;
	} bad[] = {
		{ "{}", "login: name: missing" },
		{ "{\"name\":\"a\"}", "login: password: missing" },
		{ "{\"name\":\"a\",\"password\":\"b\",\"x\":0}", "login: unknown member 'x'" },
		{ "{\"name\":[],\"password\":\"b\"}", "login: name: not a string" },
		{ "{\"name\":\"a\",\"password\":null}", "login: password: not a string" },
		{ "{\"name\":\"\",\"password\":\"b\"}", "login: name: empty" },
		{ "{\"name\":\"a\\tb\",\"password\":\"b\"}", "login: name: control characters" },
		{ "{\"name\":\"a\",\"password\":\"\"}", "login: password: empty" },
	};
	char big[API_PASSWORD_MAX + 64];
	struct api_login in;
	const char *label;
	json_t *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = J(bad[i].body);
		pl_err_clear();
		assert_int_equal(api_parse_login(j, &in), PL_E_ARG);
		expect_msg(bad[i].want);
		json_decref(j);
	}
	(void)snprintf(big, sizeof(big), "{\"name\":\"a\",\"password\":\"");
	i = strlen(big);
	memset(big + i, 'p', API_PASSWORD_MAX + 1);
	memcpy(big + i + API_PASSWORD_MAX + 1, "\"}", 3);
	j = J(big);
	assert_int_equal(api_parse_login(j, &in), PL_E_ARG);
	expect_msg("password: longer than 1024 bytes");
	json_decref(j);
	j = J("{\"password\":\"a b c\",\"name\":\"Алиса\"}");
	assert_int_equal(api_parse_login(j, &in), PL_OK);
	assert_string_equal(in.name, "Алиса");
	assert_string_equal(in.password, "a b c");
	json_decref(j);

	j = J("{\"label\":\"x\",\"expires\":1}");
	assert_int_equal(api_parse_token(j, &label), PL_E_ARG);
	expect_msg("token: unknown member 'expires'");
	json_decref(j);
	j = J("{\"label\":\"0123456789012345678901234567890123456789012345678901234567890123\"}");
	assert_int_equal(api_parse_token(j, &label), PL_E_ARG);
	expect_msg("token: label: longer than 63 bytes");
	json_decref(j);
	j = J("{\"label\":\"cli\"}");
	assert_int_equal(api_parse_token(j, &label), PL_OK);
	assert_string_equal(label, "cli");
	json_decref(j);
}

static void
test_pin(void **state)
{
	static struct api_pin in;
	char text[256];
	json_t *j;

	(void)state;
	j = J("{\"record\":\"AAAA\"}");
	assert_int_equal(api_parse_pin(j, &in), PL_E_ARG);
	expect_msg("pin: fingerprint: missing");
	json_decref(j);
	j = J("{\"record\":\"AA=A\",\"fingerprint\":\"ab\"}");
	assert_int_equal(api_parse_pin(j, &in), PL_E_ARG);
	expect_msg("pin: record: not standard base64");
	json_decref(j);
	j = J("{\"record\":\"a-_b\",\"fingerprint\":\"ab\"}");
	assert_int_equal(api_parse_pin(j, &in), PL_E_ARG);
	json_decref(j);
	j = J("{\"record\":\"\",\"fingerprint\":\"ab\"}");
	assert_int_equal(api_parse_pin(j, &in), PL_E_ARG);
	expect_msg("pin: record: empty");
	json_decref(j);
	j = J("{\"record\":1,\"fingerprint\":\"ab\"}");
	assert_int_equal(api_parse_pin(j, &in), PL_E_ARG);
	expect_msg("pin: record: not a string");
	json_decref(j);
	(void)snprintf(text, sizeof(text),
	               "{\"record\":\"aGVsbG8=\",\"fingerprint\":\"ab12-cd34\"}");
	j = J(text);
	assert_int_equal(api_parse_pin(j, &in), PL_OK);
	assert_int_equal(in.rec_len, 5);
	assert_memory_equal(in.rec, "hello", 5);
	assert_string_equal(in.fingerprint, "ab12-cd34");
	json_decref(j);
}

static void
test_channel(void **state)
{
	static const struct {
		const char *body, *want;
	} bad[] = {
		{ "{\"members\":[\"a\"]}", "channel: name: missing" },
		{ "{\"name\":\"c\"}", "channel: members: missing" },
		{ "{\"name\":\"c\",\"members\":[]}", "channel: members: empty" },
		{ "{\"name\":\"c\",\"members\":\"a,b\"}", "channel: members: not an array" },
		{ "{\"name\":\"c\",\"members\":[\"a\",1]}", "channel: members[1]: not a string" },
		{ "{\"name\":\"c\",\"members\":[\"a\",\"B\"]}", "channel: members[1]: not an id" },
		{ "{\"name\":\"c\",\"members\":[\"a\",\"b\",\"a\"]}",
		  "channel: members[2]: the same as members[0]" },
		{ "{\"name\":\"C D\",\"members\":[\"a\"]}", "channel: name: not an id" },
		{ "{\"name\":\"c\",\"members\":[\"a\"],\"charter\":[]}",
		  "channel: charter: not an object" },
		{ "{\"name\":\"c\",\"members\":[\"a\"],\"title\":\"x\"}",
		  "channel: unknown member 'title'" },
	};
	struct api_channel in;
	char text[64 * 8 + 64];
	json_t *j;
	size_t i, off;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = J(bad[i].body);
		pl_err_clear();
		assert_int_equal(api_parse_channel(j, &in), PL_E_ARG);
		expect_msg(bad[i].want);
		json_decref(j);
	}
	/* 64 members fit, 65 do not. */
	off = (size_t)snprintf(text, sizeof(text), "{\"name\":\"c\",\"members\":[");
	for (i = 0; i < ENV_RECIPIENTS_MAX + 1; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s\"p%zu\"", i ? "," : "",
		                        i);
	(void)snprintf(text + off, sizeof(text) - off, "]}");
	j = J(text);
	assert_int_equal(api_parse_channel(j, &in), PL_E_ARG);
	expect_msg("members: more than 64");
	json_decref(j);
	j = J("{\"name\":\"cyber\",\"members\":[\"us-nrrc\",\"ru-nrrc\"],\"charter\":{\"title\":\"T\"}}");
	assert_int_equal(api_parse_channel(j, &in), PL_OK);
	assert_string_equal(in.name, "cyber");
	assert_int_equal(in.n_members, 2);
	assert_string_equal(in.members[1], "ru-nrrc");
	assert_string_equal(json_string_value(json_object_get(in.charter, "title")), "T");
	json_decref(j);
	j = J("{\"name\":\"cyber\",\"members\":[\"us-nrrc\"]}");
	assert_int_equal(api_parse_channel(j, &in), PL_OK);
	assert_null(in.charter);
	json_decref(j);
}

static void
test_send(void **state)
{
	static struct api_send in;
	char text[2048];
	size_t i, off;
	json_t *j;

	(void)state;
	/* The defaults. */
	j = J("{\"channel\":\"cyber\",\"format\":\"ping\"}");
	assert_int_equal(api_parse_send(j, &in), PL_OK);
	assert_string_equal(in.s.channel, "cyber");
	assert_string_equal(in.s.format, "ping");
	assert_int_equal(in.s.prec, ENV_PREC_ROUTINE);
	assert_int_equal(in.s.tlp, ENV_TLP_AMBER);
	assert_int_equal(in.s.version, 1);
	assert_int_equal(in.s.flags, 0);
	assert_null(in.s.data);
	assert_null(in.s.texts);
	assert_null(in.s.authoritative);
	assert_int_equal(in.s.n_refs, 0);
	assert_null(in.s.refs);
	json_decref(j);
	/* Everything given. */
	j = J("{\"channel\":\"cyber\",\"format\":\"rfa\",\"precedence\":\"flash\",\"version\":65535,"
	      "\"data\":{\"n\":1},\"texts\":{\"en\":\"Help\",\"ru\":\"Помощь\"},\"authoritative\":"
	      "\"ru\",\"refs\":[\"00000000000000000000000000000000000000000000000000000000000000ff\","
	      "\"aa00000000000000000000000000000000000000000000000000000000000000\"],\"tlp\":"
	      "\"AMBER+STRICT\",\"exercise\":true}");
	assert_int_equal(api_parse_send(j, &in), PL_OK);
	assert_int_equal(in.s.prec, ENV_PREC_FLASH);
	assert_int_equal(in.s.tlp, ENV_TLP_AMBER_STRICT);
	assert_int_equal(in.s.version, 65535);
	assert_int_equal(in.s.flags, ENV_FLAG_EXERCISE);
	assert_int_equal(json_integer_value(json_object_get(in.s.data, "n")), 1);
	assert_int_equal(json_object_size(in.s.texts), 2);
	assert_string_equal(in.s.authoritative, "ru");
	assert_int_equal(in.s.n_refs, 2);
	assert_int_equal(in.s.refs[0][31], 0xff);
	assert_int_equal(in.s.refs[1][0], 0xaa);
	json_decref(j);
	/* Bad values, one at a time. */
	{
		static const struct {
			const char *extra, *want;
		} bad[] = {
			{ "\"version\":65536", "version: not 1..65535" },
			{ "\"version\":-1", "version: not 1.." },
			{ "\"version\":\"1\"", "version: not an integer" },
			{ "\"exercise\":\"yes\"", "exercise: not true or false" },
			{ "\"exercise\":null", "exercise: not true or false" },
			{ "\"tlp\":\"amber strict\"", "tlp: not clear, green, amber" },
			{ "\"precedence\":\"\"", "precedence: not FLASH" },
			{ "\"texts\":[]", "texts: not an object" },
			{ "\"texts\":{\"en\":null},\"authoritative\":\"en\"",
			  "texts: a text that is" },
			{ "\"authoritative\":\"en\"", "authoritative: given without texts" },
			{ "\"refs\":[1]", "refs[0]: not an envelope id" },
			{ "\"refs\":[\"00000000000000000000000000000000000000000000000000000000000000FF\"]",
			  "refs[0]: not an envelope id" },
			{ "\"refs\":[\"000000000000000000000000000000000000000000000000000000000000000\"]",
			  "refs[0]: not an envelope id" },
			{ "\"refs\":[\"00000000000000000000000000000000000000000000000000000000000000ff\","
			  "\"00000000000000000000000000000000000000000000000000000000000000ff\"]",
			  "refs[1]: the same as refs[0]" },
			{ "\"format\":\"\"", "format: not an id" },
		};

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			(void)snprintf(text, sizeof(text),
			               "{\"channel\":\"cyber\",\"format\":\"ping\",%s}",
			               bad[i].extra);
			if (strstr(bad[i].extra, "\"format\"") != NULL)
				(void)snprintf(text, sizeof(text), "{\"channel\":\"cyber\",%s}",
				               bad[i].extra);
			j = J(text);
			pl_err_clear();
			if (api_parse_send(j, &in) != PL_E_ARG)
				fail_msg("accepted %s", text);
			expect_msg(bad[i].want);
			expect_msg("send: ");
			json_decref(j);
		}
	}
	/* 16 refs fit, 17 do not. */
	off = (size_t)snprintf(text, sizeof(text),
	                       "{\"channel\":\"c\",\"format\":\"f\",\"refs\":[");
	for (i = 0; i <= ENV_REFS_MAX; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s\"%064zx\"",
		                        i ? "," : "", i);
	(void)snprintf(text + off, sizeof(text) - off, "]}");
	j = J(text);
	assert_int_equal(api_parse_send(j, &in), PL_E_ARG);
	expect_msg("refs: more than 16");
	json_decref(j);
	memcpy(strrchr(text, ','), "]}", 3);
	j = J(text);
	assert_int_equal(api_parse_send(j, &in), PL_OK);
	assert_int_equal(in.s.n_refs, ENV_REFS_MAX);
	assert_int_equal(in.s.refs[15][31], 15);
	json_decref(j);
}

static void
test_officer(void **state)
{
	static const struct {
		const char *body, *want;
	} bad[] = {
		{ "{\"name\":\"bob\",\"password\":\"pass word\"}", "officer: roles: missing" },
		{ "{\"name\":\"bob\",\"password\":\"pass word\",\"roles\":1}",
		  "officer: roles: not a string or an array of strings" },
		{ "{\"name\":\"bob\",\"password\":\"pass word\",\"roles\":\"\"}",
		  "officer: roles: empty" },
		{ "{\"name\":\"bob\",\"password\":\"pass word\",\"roles\":[]}",
		  "officer: roles: empty" },
		{ "{\"name\":\"bob\",\"password\":\"pass word\",\"roles\":\"duty,\"}",
		  "ends with ','" },
		{ "{\"name\":\"bob\",\"password\":\"pass word\",\"roles\":\",duty\"}",
		  "roles: not duty" },
		{ "{\"name\":\"bob\",\"password\":\"pass word\",\"roles\":\"duty,,admin\"}",
		  "roles: not duty" },
		{ "{\"name\":\"bob\",\"password\":\"pass word\",\"roles\":\"king\"}",
		  "roles: not duty" },
		{ "{\"name\":\"bob\",\"password\":\"pass word\",\"roles\":[\"duty\",\"king\"]}",
		  "roles[1]: not duty" },
		{ "{\"name\":\"bob\",\"password\":\"pass word\",\"roles\":[\"duty,admin\"]}",
		  "roles[0]: not duty" },
		{ "{\"name\":\"bob\",\"password\":\"pass word\",\"roles\":[true]}",
		  "roles[0]: not a string" },
		{ "{\"name\":\"b b\",\"password\":\"pass word\",\"roles\":\"duty\"}",
		  "officer: name: only a-z" },
		{ "{\"name\":\"bob\",\"password\":\"\",\"roles\":\"duty\"}",
		  "officer: password: not 8..1024 bytes" },
		{ "{\"name\":\"bob\",\"password\":\"pass word\",\"roles\":\"duty\",\"admin\":true}",
		  "officer: unknown member 'admin'" },
	};
	static const char *const more[] = {
		"{\"name\":\"Bob\",\"password\":\"pass word\",\"roles\":\"duty\"}",
		"{\"name\":\"\",\"password\":\"pass word\",\"roles\":\"duty\"}",
		"{\"name\":\"bob\",\"password\":\"1234567\",\"roles\":\"duty\"}",
	};
	struct api_officer_new in;
	json_t *j;
	size_t i;

	for (i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
		j = J(more[i]);
		assert_int_equal(api_parse_officer(j, &in), PL_E_ARG);
		json_decref(j);
	}
	j = J("{\"name\":\"b.o_b-1\",\"password\":\"12345678\",\"roles\":\"duty\"}");
	assert_int_equal(api_parse_officer(j, &in), PL_OK);
	json_decref(j);

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = J(bad[i].body);
		pl_err_clear();
		if (api_parse_officer(j, &in) != PL_E_ARG)
			fail_msg("accepted %s", bad[i].body);
		expect_msg(bad[i].want);
		json_decref(j);
	}
	j = J("{\"name\":\"bob\",\"password\":\"pass word\",\"roles\":\"duty,admin\"}");
	assert_int_equal(api_parse_officer(j, &in), PL_OK);
	assert_int_equal(in.roles, STORE_ROLE_DUTY | STORE_ROLE_ADMIN);
	json_decref(j);
	j = J("{\"name\":\"bob\",\"password\":\"pass word\",\"roles\":[\"auditor\",\"approver\"]}");
	assert_int_equal(api_parse_officer(j, &in), PL_OK);
	assert_int_equal(in.roles, STORE_ROLE_AUDITOR | STORE_ROLE_APPROVER);
	assert_string_equal(in.name, "bob");
	assert_string_equal(in.password, "pass word");
	json_decref(j);
}

static void
test_list_and_id(void **state)
{
	static const struct {
		const char *q, *want;
	} bad[] = {
		{ "inbox=2", "inbox: not 0 or 1" },
		{ "unacked=yes", "unacked: not 0 or 1" },
		{ "limit=0", "limit: not 1..1000" },
		{ "limit=1001", "limit: not 1..1000" },
		{ "limit=01", "limit: not 1..1000" },
		{ "channel=A", "channel: not a channel id" },
		{ "inbox=1&inbox=1", "inbox given twice" },
		{ "sender=us-nrrc", "unknown parameter" },
		{ "inbox", "without '='" },
	};
	uint8_t id[HASH_LEN];
	struct api_list l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pl_err_clear();
		if (api_parse_list(bad[i].q, &l) != PL_E_ARG)
			fail_msg("accepted %s", bad[i].q);
		expect_msg(bad[i].want);
	}
	assert_int_equal(api_parse_list("", &l), PL_OK);
	assert_null(l.f.channel);
	assert_int_equal(l.f.limit, 0);
	assert_int_equal(api_parse_list("limit=1000&unacked=1&channel=cyber&inbox=0", &l), PL_OK);
	assert_string_equal(l.f.channel, "cyber");
	assert_ptr_equal(l.f.channel, l.channel);
	assert_int_equal(l.f.limit, 1000);
	assert_int_equal(l.f.unacked, 1);
	assert_int_equal(l.f.inbox, 0);

	assert_int_equal(api_parse_id("", id), PL_E_ARG);
	assert_int_equal(
	        api_parse_id("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeF",
	                     id),
	        PL_E_ARG);
	assert_int_equal(
	        api_parse_id("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefa",
	                     id),
	        PL_E_ARG);
	assert_int_equal(
	        api_parse_id("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
	                     id),
	        PL_E_ARG);
	expect_msg("envelope id: not 64 lowercase hex digits");
	assert_int_equal(
	        api_parse_id("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	                     id),
	        PL_OK);
	assert_int_equal(id[0], 0x01);
	assert_int_equal(id[31], 0xef);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_cuts),  cmocka_unit_test(test_batch_limits),
		cmocka_unit_test(test_peer_query),  cmocka_unit_test(test_json_load),
		cmocka_unit_test(test_login_token), cmocka_unit_test(test_pin),
		cmocka_unit_test(test_channel),     cmocka_unit_test(test_send),
		cmocka_unit_test(test_officer),     cmocka_unit_test(test_list_and_id),
	};

	if (cr_init() != PL_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
