/*
 * test_peer_auth.c - the Parley-Auth header (src/core/peer_auth.h): the
 * signed bytes exactly as docs/node.md gives them, strict reading of the
 * header, the clock window at its edges, and signatures that must not
 * verify (another key, another target, another time).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/peer_auth.h"
#include "crypto/cr.h"

#define PATH "/peer/v1/envelopes?channel=cyber&from=5"
#define T0   1767225600250ull

static struct keys *k, *other;

static int
group_setup(void **state)
{
	(void)state;
	if (cr_init() != PL_OK)
		return -1;
	k = keys_new();
	other = keys_new();
	return k != NULL && other != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	keys_free(k);
	keys_free(other);
	return 0;
}

static void
expect_msg(const char *want)
{
	if (strstr(pl_err_msg(), want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", pl_err_msg(), want);
}

static void
test_input_refuses_bad_targets(void **state)
{
	struct buf b;
	char longp[PEER_AUTH_PATH_MAX + 2];

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(peer_auth_input(&b, "", T0), PL_E_ARG);
	expect_msg("does not start with '/'");
	assert_int_equal(peer_auth_input(&b, "peer/v1/envelopes", T0), PL_E_ARG);
	assert_int_equal(peer_auth_input(&b, "/peer/v1/envelopes?channel=a b", T0), PL_E_ARG);
	expect_msg("byte 0x20 at offset 28");
	assert_int_equal(peer_auth_input(&b, "/peer/\x7f", T0), PL_E_ARG);
	assert_int_equal(peer_auth_input(&b, "/peer/\xc3\xa9", T0), PL_E_ARG);
	assert_int_equal(peer_auth_input(&b, "/peer/\t", T0), PL_E_ARG);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	assert_int_equal(peer_auth_input(&b, longp, T0), PL_E_ARG);
	expect_msg("1025 bytes > 1024");
	assert_int_equal(b.len, 0);
	/* Exactly the limit is fine. */
	longp[PEER_AUTH_PATH_MAX] = '\0';
	assert_int_equal(peer_auth_input(&b, longp, T0), PL_OK);
	assert_int_equal(b.len, 16 + PEER_AUTH_PATH_MAX + 1 + 13);
	buf_reset(&b);
}

static void
test_input_bytes(void **state)
{
	static const char want[] = "parley-peer-get\0" PATH "\0"
	                           "1767225600250";
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(peer_auth_input(&b, PATH, T0), PL_OK);
	assert_int_equal(b.len, sizeof(want) - 1);
	assert_memory_equal(b.data, want, sizeof(want) - 1);
	/* Time 0 is "0", and the buffer is appended to, not replaced. */
	assert_int_equal(peer_auth_input(&b, "/", 0), PL_OK);
	assert_int_equal(b.len, sizeof(want) - 1 + 16 + 1 + 1 + 1);
	assert_memory_equal(b.data + sizeof(want) - 1,
	                    "parley-peer-get\0/\0"
	                    "0",
	                    19);
	buf_reset(&b);
	/* A full buffer is refused and left as it was. */
	buf_init(&b, 20);
	assert_int_equal(buf_add(&b, "xy", 2), PL_OK);
	assert_int_equal(peer_auth_input(&b, PATH, T0), PL_E_TOOBIG);
	assert_int_equal(b.len, 2);
	buf_reset(&b);
}

static void
test_sign_parse_verify(void **state)
{
	char v[PEER_AUTH_VALUE_MAX + 1], party[CODEC_ID_MAX + 1];
	uint8_t sig[SIG_LEN], want[SIG_LEN];
	uint64_t t;
	struct buf b;

	(void)state;
	assert_int_equal(peer_auth_sign(v, k, "us-nrrc", PATH, T0), PL_OK);
	assert_true(strncmp(v, "us-nrrc 1767225600250 ", 22) == 0);
	assert_int_equal(strlen(v), 22 + 88);
	assert_int_equal(peer_auth_parse(v, party, &t, sig), PL_OK);
	assert_string_equal(party, "us-nrrc");
	assert_true(t == T0);
	/* The signature is Ed25519 over exactly peer_auth_input's bytes. */
	buf_init(&b, 4096);
	assert_int_equal(peer_auth_input(&b, PATH, T0), PL_OK);
	keys_sign(k, want, b.data, b.len);
	buf_reset(&b);
	assert_memory_equal(sig, want, SIG_LEN);
	assert_int_equal(peer_auth_verify(keys_sign_pk(k), PATH, t, sig, T0), PL_OK);

	/* Another key, target, time or bit of the signature: refused. */
	assert_int_equal(peer_auth_verify(keys_sign_pk(other), PATH, t, sig, T0), PL_E_CRYPTO);
	expect_msg("signature does not verify");
	assert_int_equal(peer_auth_verify(keys_sign_pk(k), PATH "0", t, sig, T0), PL_E_CRYPTO);
	assert_int_equal(peer_auth_verify(keys_sign_pk(k),
	                                  "/peer/v1/envelopes?channel=cyber&from=6", t, sig, T0),
	                 PL_E_CRYPTO);
	assert_int_equal(peer_auth_verify(keys_sign_pk(k), PATH, t + 1, sig, T0), PL_E_CRYPTO);
	sig[10] ^= 0x01;
	assert_int_equal(peer_auth_verify(keys_sign_pk(k), PATH, t, sig, T0), PL_E_CRYPTO);
	sig[10] ^= 0x01;
	/* A target that could not have been signed is refused as an argument. */
	assert_int_equal(peer_auth_verify(keys_sign_pk(k), "x", t, sig, T0), PL_E_ARG);
	/* Signing refuses a bad party or target. */
	assert_int_equal(peer_auth_sign(v, k, "US NRRC", PATH, T0), PL_E_ARG);
	assert_int_equal(peer_auth_sign(v, k, "us-nrrc", "nope", T0), PL_E_ARG);
}

static void
test_clock_window(void **state)
{
	char v[PEER_AUTH_VALUE_MAX + 1], party[CODEC_ID_MAX + 1];
	uint8_t sig[SIG_LEN];
	uint64_t t;

	(void)state;
	assert_int_equal(peer_auth_sign(v, k, "us-nrrc", PATH, T0), PL_OK);
	assert_int_equal(peer_auth_parse(v, party, &t, sig), PL_OK);
	/* Five minutes either way is in; one ms more is out, before any signature check. */
	assert_int_equal(peer_auth_verify(keys_sign_pk(k), PATH, t, sig, T0 + PEER_AUTH_SKEW_MS),
	                 PL_OK);
	assert_int_equal(peer_auth_verify(keys_sign_pk(k), PATH, t, sig, T0 - PEER_AUTH_SKEW_MS),
	                 PL_OK);
	assert_int_equal(
	        peer_auth_verify(keys_sign_pk(k), PATH, t, sig, T0 + PEER_AUTH_SKEW_MS + 1),
	        PL_E_STATE);
	expect_msg("300 s behind this node's clock");
	assert_int_equal(
	        peer_auth_verify(keys_sign_pk(k), PATH, t, sig, T0 - PEER_AUTH_SKEW_MS - 1),
	        PL_E_STATE);
	expect_msg("ahead of");
	assert_int_equal(peer_auth_verify(keys_sign_pk(other), PATH, t, sig, 0), PL_E_STATE);
	assert_int_equal(peer_auth_verify(keys_sign_pk(k), PATH, t, sig, UINT64_MAX), PL_E_STATE);
}

static void
test_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"",
		"us-nrrc",
		"us-nrrc 1767225600250",
		"us-nrrc 1767225600250 ",
		" us-nrrc 1767225600250 AAAA",
		"us-nrrc  1767225600250 AAAA",
		"us-nrrc 1767225600250 AAAA extra",
	};
	char v[PEER_AUTH_VALUE_MAX + 1], w[PEER_AUTH_VALUE_MAX + 40], party[CODEC_ID_MAX + 1];
	uint8_t sig[SIG_LEN];
	const char *s;
	uint64_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pl_err_clear();
		if (peer_auth_parse(bad[i], party, &t, sig) != PL_E_PROTO)
			fail_msg("accepted \"%s\"", bad[i]);
		expect_msg("Parley-Auth");
	}
	assert_int_equal(peer_auth_sign(v, k, "us-nrrc", PATH, T0), PL_OK);
	s = strrchr(v, ' ') + 1;

	(void)snprintf(w, sizeof(w), "US-NRRC 1767225600250 %s", s);
	assert_int_equal(peer_auth_parse(w, party, &t, sig), PL_E_PROTO);
	expect_msg("party: not a party id");
	(void)snprintf(w, sizeof(w), "-us 1767225600250 %s", s);
	assert_int_equal(peer_auth_parse(w, party, &t, sig), PL_E_PROTO);
	(void)snprintf(w, sizeof(w), "%s",
	               "a234567890123456789012345678901234567890123456789012345678901234 1 ");
	assert_int_equal(peer_auth_parse(w, party, &t, sig), PL_E_PROTO);

	(void)snprintf(w, sizeof(w), "us-nrrc 01767225600250 %s", s);
	assert_int_equal(peer_auth_parse(w, party, &t, sig), PL_E_PROTO);
	expect_msg("time_ms: not a decimal number");
	(void)snprintf(w, sizeof(w), "us-nrrc -1 %s", s);
	assert_int_equal(peer_auth_parse(w, party, &t, sig), PL_E_PROTO);
	(void)snprintf(w, sizeof(w), "us-nrrc 18446744073709551616 %s", s);
	assert_int_equal(peer_auth_parse(w, party, &t, sig), PL_E_PROTO);
	(void)snprintf(w, sizeof(w), "us-nrrc 18446744073709551615 %s", s);
	assert_int_equal(peer_auth_parse(w, party, &t, sig), PL_OK);
	assert_true(t == UINT64_MAX);

	/* The signature: one character short or long, a bad digit, urlsafe alphabet. */
	(void)snprintf(w, sizeof(w), "us-nrrc 1 %.87s", s);
	assert_int_equal(peer_auth_parse(w, party, &t, sig), PL_E_PROTO);
	expect_msg("signature: not 64 bytes of base64");
	(void)snprintf(w, sizeof(w), "us-nrrc 1 %sA", s);
	assert_int_equal(peer_auth_parse(w, party, &t, sig), PL_E_PROTO);
	(void)snprintf(w, sizeof(w), "us-nrrc 1 %s", s);
	w[12] = '*';
	assert_int_equal(peer_auth_parse(w, party, &t, sig), PL_E_PROTO);
	(void)snprintf(w, sizeof(w), "us-nrrc 1 %s", s);
	w[12] = '-';
	assert_int_equal(peer_auth_parse(w, party, &t, sig), PL_E_PROTO);
	/* Non-zero trailing bits: all-zero signature "AA...AA==" with its last digit 'B'. */
	memset(sig, 0, sizeof(sig));
	assert_int_equal(peer_auth_fmt(w, "us-nrrc", 1, sig), PL_OK);
	assert_int_equal(peer_auth_parse(w, party, &t, sig), PL_OK);
	assert_int_equal(w[strlen(w) - 3], 'A');
	w[strlen(w) - 3] = 'B';
	assert_int_equal(peer_auth_parse(w, party, &t, sig), PL_E_PROTO);
	w[strlen(w) - 3] = 'Q'; /* 01 0000: two data bits, four zero trailing bits */
	assert_int_equal(peer_auth_parse(w, party, &t, sig), PL_OK);
	assert_int_equal(sig[SIG_LEN - 1], 0x01);
	/* Too long a value is refused before anything else. */
	memset(w, 'a', sizeof(w) - 1);
	w[sizeof(w) - 1] = '\0';
	assert_int_equal(peer_auth_parse(w, party, &t, sig), PL_E_PROTO);
	expect_msg("longer than");
}

static void
test_fmt(void **state)
{
	char v[PEER_AUTH_VALUE_MAX + 1];
	char id[CODEC_ID_MAX + 1];
	uint8_t sig[SIG_LEN];

	(void)state;
	memset(sig, 0xff, sizeof(sig));
	memset(id, 'z', CODEC_ID_MAX);
	id[CODEC_ID_MAX] = '\0';
	/* The longest value fits exactly. */
	assert_int_equal(peer_auth_fmt(v, id, UINT64_MAX, sig), PL_OK);
	assert_int_equal(strlen(v), PEER_AUTH_VALUE_MAX);
	assert_int_equal(peer_auth_fmt(v, "", 1, sig), PL_E_ARG);
	assert_int_equal(peer_auth_fmt(v, "a b", 1, sig), PL_E_ARG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_input_refuses_bad_targets),
		cmocka_unit_test(test_input_bytes),
		cmocka_unit_test(test_sign_parse_verify),
		cmocka_unit_test(test_clock_window),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_fmt),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
