/*
 * test_channel.c - charters: defaults filled in; every key, type and range
 * checked with the field's path in the message; canonical text; member
 * lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/channel.h"

static void
test_defaults(void **state)
{
	char err[200];
	json_t *out;
	struct buf b;

	(void)state;
	assert_int_equal(channel_charter_complete(NULL, &out, err, sizeof(err)), PL_OK);
	assert_int_equal(
	        json_integer_value(json_object_get(
	                json_object_get(json_object_get(out, "deadlines"), "FLASH"), "ack_s")),
	        600);
	assert_true(json_is_false(json_object_get(out, "two_person")));
	buf_init(&b, 4096);
	assert_int_equal(channel_charter_dump(out, &b), PL_OK);
	/* Canonical: keys sorted, no spaces. */
	assert_true(b.len > 50);
	assert_memory_equal(b.data, "{\"deadlines\":{\"FLASH\":{\"ack_s\":600,\"receipt_s\":60}",
	                    50);
	buf_reset(&b);
	/* Too small for it: refused, not cut. */
	buf_init(&b, 40);
	assert_int_equal(channel_charter_dump(out, &b), PL_E_TOOBIG);
	assert_int_equal(b.len, 0);
	json_decref(out);
}

static void
test_refusals(void **state)
{
	static const struct {
		const char *json, *msg;
	} bad[] = {
		{ "{\"colour\":1}", "colour: unknown key" },
		{ "{\"title\":5}", "title: want a string" },
		{ "{\"formats\":[]}", "formats: want an array of 1..32" },
		{ "{\"formats\":[\"Bad Name\"]}", "formats[0]: want a format name" },
		{ "{\"formats\":[\"rfa\",\"rfa\"]}", "formats[1]: 'rfa' listed twice" },
		{ "{\"deadlines\":{\"URGENT\":{}}}", "deadlines.URGENT: unknown precedence" },
		{ "{\"deadlines\":{\"FLASH\":{\"ack_s\":0}}}",
		  "deadlines.FLASH.ack_s: want an integer 1..31536000" },
		{ "{\"deadlines\":{\"FLASH\":{\"receipt_s\":31536001}}}",
		  "deadlines.FLASH.receipt_s" },
		{ "{\"deadlines\":{\"ROUTINE\":{\"receipt_s\":100,\"ack_s\":50}}}",
		  "deadlines.ROUTINE: receipt_s 100 is later than ack_s 50" },
		{ "{\"deadlines\":{\"FLASH\":{\"nag_s\":5}}}",
		  "deadlines.FLASH.nag_s: unknown key" },
		{ "{\"two_person\":\"yes\"}", "two_person: want true or false" },
		{ "[1]", "charter: want an object" },
	};
	char err[200];
	json_t *in, *out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in = json_loads(bad[i].json, 0, NULL);
		assert_non_null(in);
		err[0] = '\0';
		if (channel_charter_complete(in, &out, err, sizeof(err)) != PL_E_ARG)
			fail_msg("accepted %s", bad[i].json);
		if (strstr(err, bad[i].msg) == NULL)
			fail_msg("%s: want '%s' in '%s'", bad[i].json, bad[i].msg, err);
		assert_null(out);
		json_decref(in);
	}
	in = json_loads("{\"title\":\"Cyber\",\"formats\":[\"rfa\"],\"two_person\":true,"
	                "\"deadlines\":{\"FLASH\":{\"receipt_s\":30}}}",
	                0, NULL);
	assert_int_equal(channel_charter_complete(in, &out, err, sizeof(err)), PL_OK);
	assert_string_equal(json_string_value(json_object_get(out, "title")), "Cyber");
	assert_int_equal(
	        json_integer_value(json_object_get(
	                json_object_get(json_object_get(out, "deadlines"), "FLASH"), "receipt_s")),
	        30);
	json_decref(in);
	json_decref(out);
}

static void
test_members(void **state)
{
	char m[3][CODEC_ID_MAX + 1] = { "cn-cert", "ru-nrrc", "us-nrrc" };

	(void)state;
	assert_int_equal(channel_members_ok((const char(*)[CODEC_ID_MAX + 1]) m, 3, "us-nrrc"),
	                 PL_OK);
	assert_int_equal(channel_members_ok((const char(*)[CODEC_ID_MAX + 1]) m, 3, "de-bsi"),
	                 PL_E_ARG);
	assert_int_equal(channel_members_ok((const char(*)[CODEC_ID_MAX + 1]) m, 1, "cn-cert"),
	                 PL_E_ARG);
	memcpy(m[1], "cn-cert", 8);
	assert_int_equal(channel_members_ok((const char(*)[CODEC_ID_MAX + 1]) m, 3, "us-nrrc"),
	                 PL_E_ARG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
