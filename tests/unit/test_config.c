/*
 * test_config.c - parleyd's configuration: defaults, every key, and every
 * refusal naming file, line and key; the backoff of delivery retries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parleyd/config.h"
#include "sync/sync.h"

static const char base[] = "party us-nrrc\nkeys /k\nstore sqlite:/s.db\nplain-http yes\n";

static void
expect_msg(const char *want)
{
	if (strstr(pl_err_msg(), want) == NULL)
		fail_msg("want '%s' in '%s'", want, pl_err_msg());
}

static enum pl_err
parse_with(struct config *c, const char *extra)
{
	char text[4096];

	(void)snprintf(text, sizeof(text), "%s%s", base, extra);
	return config_parse(c, text, strlen(text), "t.conf");
}

static void
test_defaults_and_keys(void **state)
{
	struct config c;

	(void)state;
	assert_int_equal(parse_with(&c, ""), PL_OK);
	assert_string_equal(c.party, "us-nrrc");
	assert_string_equal(c.listen, "127.0.0.1:7400");
	assert_int_equal(c.max_body, 4u << 20);
	assert_int_equal(c.threads, 4);
	assert_int_equal(c.log_level, 2);
	assert_int_equal(c.plain_http, 1);
	assert_int_equal(parse_with(&c, "  # comment\n\nlisten [::1]:7401   # trailing\n"
	                                "max-body 1024\nthreads 8\nlog-level debug\n"
	                                "timeout 5\nmax-connections 10\ntls-ca /ca.pem\n"
	                                "passphrase-file /p\nconsole /www\n"),
	                 PL_OK);
	assert_string_equal(c.listen, "[::1]:7401");
	assert_int_equal(c.max_body, 1024);
	assert_int_equal(c.threads, 8);
	assert_int_equal(c.log_level, 3);
	assert_int_equal(c.timeout_s, 5);
	assert_string_equal(c.tls_ca, "/ca.pem");
	assert_string_equal(c.passphrase_file, "/p");
}

static void
test_refusals(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "colour blue\n", "t.conf:5: unknown key 'colour'" },
		{ "party ru-nrrc\n", "t.conf:5: key 'party' given twice (first on line 1)" },
		{ "listen 127.0.0.1\n", "t.conf:5: key 'listen': want HOST:PORT" },
		{ "listen 127.0.0.1:70000\n", "key 'listen'" },
		{ "max-body 12\n", "t.conf:5: key 'max-body': want a number 1024.." },
		{ "threads lots\n", "key 'threads': want a number" },
		{ "threads 0\n", "key 'threads'" },
		{ "max-connections 1e3\n", "key 'max-connections'" },
		{ "log-level loud\n", "key 'log-level'" },
		{ "tls-cert /c\n", "tls-cert and tls-key go together" },
		{ "console\n", "key 'console': empty value" },
	};
	struct config c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_with(&c, bad[i].text) != PL_E_ARG)
			fail_msg("accepted: %s", bad[i].text);
		expect_msg(bad[i].msg);
	}
	assert_int_equal(config_parse(&c, "keys /k\nstore s\n", 16, "t.conf"), PL_E_ARG);
	expect_msg("key 'party' is required");
	assert_int_equal(config_parse(&c, "party Bad!\n", 11, "t.conf"), PL_E_ARG);
	expect_msg("t.conf:1: key 'party'");
	assert_int_equal(config_parse(&c, "party a\0b\n", 10, "t.conf"), PL_E_ARG);
	expect_msg("NUL");
	assert_int_equal(config_parse(&c, "party \xff\n", 8, "t.conf"), PL_E_ARG);
	expect_msg("not UTF-8");
	assert_int_equal(
	        config_parse(&c, "party a\nkeys k\nstore s\nplain-http maybe\n", 40, "t.conf"),
	        PL_E_ARG);
	expect_msg("t.conf:4: key 'plain-http': want yes or no");
	/* Plain HTTP only when asked for. */
	assert_int_equal(config_parse(&c, "party a\nkeys k\nstore s\n", 23, "t.conf"), PL_E_ARG);
	expect_msg("plain-http yes");
	{
		char line[CONFIG_LINE_MAX + 16];

		memset(line, 'a', sizeof(line) - 1);
		line[sizeof(line) - 1] = '\0';
		assert_int_equal(parse_with(&c, line), PL_E_ARG);
		expect_msg("longer than 2048 bytes");
	}
}

static void
test_backoff(void **state)
{
	unsigned a;

	(void)state;
	/* Full jitter between min and a doubling cap, never above max. */
	assert_int_equal(sync_backoff_ms(1, 250, 60000, 0), 250);
	assert_int_equal(sync_backoff_ms(1, 250, 60000, 0xffffffffu), 250);
	assert_int_equal(sync_backoff_ms(3, 250, 60000, 750), 1000);
	assert_int_equal(sync_backoff_ms(3, 250, 60000, 751), 250);
	for (a = 1; a < 40; a++)
		assert_true(sync_backoff_ms(a, 250, 60000, 0xfffffffu) <= 60000);
	assert_int_equal(sync_backoff_ms(30, 250, 60000, 59750), 60000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_keys),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_backoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
