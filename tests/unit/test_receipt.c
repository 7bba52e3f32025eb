/*
 * test_receipt.c - receipts: every truncation, every flipped bit, trailing
 * bytes, unknown versions, the wrong envelope or key, and the round trip.
 *
 * Layout (docs/protocol.md#receipt): label 0, version 16, env_id 17,
 * receiver 49 (length, then the id), stored_ms, sig.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/alloc.h"
#include "core/receipt.h"
#include "crypto/cr.h"

#define OFF_VERSION  16
#define OFF_ENV_ID   17
#define OFF_RECEIVER 49

static struct keys *rk, *other;
static uint8_t env_id[HASH_LEN];
static struct buf enc; /* for env_id from "ru-nrrc" at 1767225600250 */

static int
group_setup(void **state)
{
	size_t i;

	(void)state;
	if (cr_init() != PL_OK)
		return -1;
	rk = keys_new();
	other = keys_new();
	if (rk == NULL || other == NULL)
		return -1;
	for (i = 0; i < HASH_LEN; i++)
		env_id[i] = (uint8_t)(0xa0 + i);
	buf_init(&enc, RCPT_ENCODED_MAX);
	return receipt_sign(&enc, env_id, "ru-nrrc", 1767225600250ULL, rk) == PL_OK ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	keys_free(rk);
	keys_free(other);
	buf_reset(&enc);
	return 0;
}

static void
expect_msg(const char *want)
{
	if (strstr(pl_err_msg(), want) == NULL)
		fail_msg("want '%s' in '%s'", want, pl_err_msg());
}

static enum pl_err
verify(const uint8_t *p, size_t n)
{
	struct rcpt r;

	return receipt_verify(&r, p, n, env_id, keys_sign_pk(rk));
}

/* ---- refusals ---- */

static void
test_truncation_at_every_offset(void **state)
{
	struct rcpt r;
	size_t n;

	(void)state;
	for (n = 0; n < enc.len; n++) {
		enum pl_err err;

		pl_err_clear();
		err = rcpt_read(&r, enc.data, n);
		if (err != PL_E_TRUNC && err != PL_E_PROTO)
			fail_msg("cut at %zu: %s", n, pl_err_name(err));
		expect_msg("receipt: ");
		expect_msg("at offset");
		err = verify(enc.data, n);
		if (err != PL_E_TRUNC && err != PL_E_PROTO)
			fail_msg("cut at %zu: verify says %s", n, pl_err_name(err));
	}
	assert_int_equal(rcpt_read(&r, enc.data, enc.len - 1), PL_E_TRUNC);
	expect_msg("receipt: truncated reading sig (need 64 bytes, 63 left) at offset");
	assert_int_equal(rcpt_read(&r, enc.data, OFF_RECEIVER + 3), PL_E_TRUNC);
	expect_msg("truncated reading receiver");
}

static void
test_trailing_bytes(void **state)
{
	uint8_t b[RCPT_ENCODED_MAX + 64];
	char want[64];
	struct rcpt r;

	(void)state;
	memcpy(b, enc.data, enc.len);
	memset(b + enc.len, 0, sizeof(b) - enc.len);
	assert_int_equal(rcpt_read(&r, b, enc.len + 1), PL_E_PROTO);
	(void)snprintf(want, sizeof(want), "receipt: 1 trailing bytes at offset %zu", enc.len);
	expect_msg(want);
	assert_int_equal(verify(b, enc.len + 1), PL_E_PROTO);
	/* A second signature appended is not part of the receipt either. */
	memcpy(b + enc.len, enc.data + enc.len - SIG_LEN, SIG_LEN);
	assert_int_equal(rcpt_read(&r, b, enc.len + SIG_LEN), PL_E_PROTO);
	expect_msg("64 trailing bytes");
	/* Two receipts back to back are not one. */
	assert_int_equal(verify(b, enc.len + SIG_LEN), PL_E_PROTO);
}

static void
test_unknown_version_and_label(void **state)
{
	static const uint8_t versions[] = { 0, 2, 9, 255 };
	uint8_t b[RCPT_ENCODED_MAX];
	char want[64];
	struct rcpt r;
	size_t i;

	(void)state;
	memcpy(b, enc.data, enc.len);
	for (i = 0; i < sizeof(versions); i++) {
		b[OFF_VERSION] = versions[i];
		assert_int_equal(rcpt_read(&r, b, enc.len), PL_E_PROTO);
		(void)snprintf(want, sizeof(want), "unknown version %u (want 1) at offset 16",
		               versions[i]);
		expect_msg(want);
		assert_int_equal(verify(b, enc.len), PL_E_PROTO);
	}
	b[OFF_VERSION] = RCPT_VERSION;
	memcpy(b, "parley-party\0\0\0\0", 16);
	assert_int_equal(rcpt_read(&r, b, enc.len), PL_E_PROTO);
	expect_msg("receipt: label does not say receipt at offset 0");
}

static void
test_bad_receiver_id(void **state)
{
	uint8_t b[RCPT_ENCODED_MAX];
	struct rcpt r;

	(void)state;
	memcpy(b, enc.data, enc.len);
	b[OFF_RECEIVER + 1] = 'R';
	assert_int_equal(rcpt_read(&r, b, enc.len), PL_E_PROTO);
	expect_msg("receiver has a character outside a-z 0-9 . - at offset 50");
	b[OFF_RECEIVER + 1] = 'r';
	b[OFF_RECEIVER] = 0;
	assert_int_equal(rcpt_read(&r, b, enc.len), PL_E_PROTO);
	expect_msg("receiver length 0 not in 1..63 at offset 49");
	b[OFF_RECEIVER] = 64;
	assert_int_equal(rcpt_read(&r, b, enc.len), PL_E_PROTO);
	expect_msg("receiver length 64");
}

static void
test_wrong_envelope(void **state)
{
	uint8_t other_id[HASH_LEN];
	struct rcpt r;
	size_t i;

	(void)state;
	for (i = 0; i < HASH_LEN; i++) {
		memcpy(other_id, env_id, HASH_LEN);
		other_id[i] ^= 0x01;
		assert_int_equal(receipt_verify(&r, enc.data, enc.len, other_id, keys_sign_pk(rk)),
		                 PL_E_PROTO);
	}
	expect_msg("receipt: from 'ru-nrrc' is for another envelope");
	memset(other_id, 0, HASH_LEN);
	assert_int_equal(receipt_verify(&r, enc.data, enc.len, other_id, keys_sign_pk(rk)),
	                 PL_E_PROTO);
}

static void
test_wrong_key(void **state)
{
	uint8_t pk[SIG_PK_LEN];
	struct rcpt r;
	struct buf b;

	(void)state;
	assert_int_equal(receipt_verify(&r, enc.data, enc.len, env_id, keys_sign_pk(other)),
	                 PL_E_CRYPTO);
	expect_msg("receipt: bad signature from 'ru-nrrc'");
	memcpy(pk, keys_sign_pk(rk), SIG_PK_LEN);
	pk[0] ^= 1;
	assert_int_equal(receipt_verify(&r, enc.data, enc.len, env_id, pk), PL_E_CRYPTO);
	memset(pk, 0, SIG_PK_LEN);
	assert_int_equal(receipt_verify(&r, enc.data, enc.len, env_id, pk), PL_E_CRYPTO);
	/* Signed by another key: refused under the receiver's key, accepted under its own. */
	buf_init(&b, RCPT_ENCODED_MAX);
	assert_int_equal(receipt_sign(&b, env_id, "ru-nrrc", 1767225600250ULL, other), PL_OK);
	assert_int_equal(receipt_verify(&r, b.data, b.len, env_id, keys_sign_pk(rk)), PL_E_CRYPTO);
	assert_int_equal(receipt_verify(&r, b.data, b.len, env_id, keys_sign_pk(other)), PL_OK);
	buf_reset(&b);
}

/* Every bit of the receipt: refused, and for which reason depends on where. */
static void
test_every_bit_flip(void **state)
{
	uint8_t b[RCPT_ENCODED_MAX];
	size_t i, sig = enc.len - SIG_LEN;
	struct rcpt r;
	int bit;

	(void)state;
	memcpy(b, enc.data, enc.len);
	for (i = 0; i < enc.len; i++) {
		for (bit = 0; bit < 8; bit++) {
			enum pl_err err;

			b[i] ^= (uint8_t)(1u << bit);
			err = verify(b, enc.len);
			if (err == PL_OK)
				fail_msg("byte %zu bit %d: accepted", i, bit);
			/* env_id and signature changes parse fine; only the checks catch them. */
			if (i >= OFF_ENV_ID && i < OFF_ENV_ID + HASH_LEN)
				assert_int_equal(err, PL_E_PROTO);
			if (i >= sig) {
				assert_int_equal(err, PL_E_CRYPTO);
				assert_int_equal(rcpt_read(&r, b, enc.len), PL_OK);
			}
			/* stored_ms is covered by the signature alone. */
			if (i >= sig - 8 && i < sig)
				assert_int_equal(err, PL_E_CRYPTO);
			b[i] ^= (uint8_t)(1u << bit);
		}
	}
	assert_int_equal(verify(b, enc.len), PL_OK);
}

static void
test_sign_refusals(void **state)
{
	char id64[65];
	struct buf b;

	(void)state;
	memset(id64, 'a', 64);
	id64[64] = '\0';
	buf_init(&b, RCPT_ENCODED_MAX);
	assert_int_equal(buf_add_str(&b, "keep"), PL_OK);
	assert_int_equal(receipt_sign(&b, env_id, "RU", 1, rk), PL_E_ARG);
	expect_msg("receiver 'RU' is not an id");
	assert_int_equal(receipt_sign(&b, env_id, "", 1, rk), PL_E_ARG);
	assert_int_equal(receipt_sign(&b, env_id, "-ru", 1, rk), PL_E_ARG);
	assert_int_equal(receipt_sign(&b, env_id, id64, 1, rk), PL_E_ARG);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "keep", 4);
	buf_reset(&b);
	/* No room for the signature: nothing is left behind. */
	buf_init(&b, 16 + 1 + 32 + 1 + 7 + 8 + SIG_LEN - 1);
	assert_int_equal(receipt_sign(&b, env_id, "ru-nrrc", 1, rk), PL_E_TOOBIG);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
}

static void
test_sign_allocation_failures(void **state)
{
	unsigned long n;
	enum pl_err err;
	struct buf b;

	(void)state;
	for (n = 1;; n++) {
		buf_init(&b, 4096);
		assert_int_equal(buf_add_zero(&b, 60), PL_OK); /* the next append must grow */
		(void)pl_alloc_fail_at(n);
		err = receipt_sign(&b, env_id, "ru-nrrc", 1767225600250ULL, rk);
		(void)pl_alloc_fail_at(0);
		if (err == PL_OK)
			break;
		assert_int_equal(err, PL_E_NOMEM);
		assert_int_equal(b.len, 60);
		buf_reset(&b);
		assert_true(n < 16);
	}
	assert_true(n > 1);
	assert_int_equal(b.len, 60 + enc.len);
	assert_memory_equal(b.data + 60, enc.data, enc.len);
	buf_reset(&b);
}

/* ---- round trips ---- */

static void
test_round_trip(void **state)
{
	uint8_t expect[16 + 1 + HASH_LEN + 1 + 7 + 8];
	struct rcpt r;

	(void)state;
	assert_int_equal(enc.len, 16 + 1 + 32 + 8 + 8 + 64);
	assert_int_equal(receipt_verify(&r, enc.data, enc.len, env_id, keys_sign_pk(rk)), PL_OK);
	assert_int_equal(r.version, RCPT_VERSION);
	assert_string_equal(r.receiver, "ru-nrrc");
	assert_true(r.stored_ms == 1767225600250ULL);
	assert_memory_equal(r.env_id, env_id, HASH_LEN);
	assert_int_equal(r.signed_len, enc.len - SIG_LEN);
	assert_memory_equal(r.sig, enc.data + r.signed_len, SIG_LEN);
	/* The signed part, byte for byte as docs/protocol.md#receipt lays it out. */
	memcpy(expect, "parley-receipt\0\0", 16);
	expect[16] = 1;
	memcpy(expect + 17, env_id, HASH_LEN);
	expect[49] = 7;
	memcpy(expect + 50, "ru-nrrc", 7);
	buf_put_u32be(expect + 57, (uint32_t)(1767225600250ULL >> 32));
	buf_put_u32be(expect + 61, (uint32_t)1767225600250ULL);
	assert_int_equal(r.signed_len, sizeof(expect));
	assert_memory_equal(enc.data, expect, sizeof(expect));
	assert_int_equal(sig_verify(r.sig, keys_sign_pk(rk), expect, sizeof(expect)), PL_OK);
}

static void
test_round_trip_extremes(void **state)
{
	char id63[64];
	struct rcpt r;
	struct buf b;

	(void)state;
	memset(id63, '9', 63);
	id63[63] = '\0';
	buf_init(&b, RCPT_ENCODED_MAX);
	assert_int_equal(receipt_sign(&b, env_id, id63, UINT64_MAX, rk), PL_OK);
	assert_int_equal(b.len, RCPT_ENCODED_MAX);
	assert_int_equal(receipt_verify(&r, b.data, b.len, env_id, keys_sign_pk(rk)), PL_OK);
	assert_string_equal(r.receiver, id63);
	assert_true(r.stored_ms == UINT64_MAX);
	b.len = 0;
	assert_int_equal(receipt_sign(&b, env_id, "x", 0, rk), PL_OK);
	assert_int_equal(b.len, 16 + 1 + 32 + 2 + 8 + 64);
	assert_int_equal(receipt_verify(&r, b.data, b.len, env_id, keys_sign_pk(rk)), PL_OK);
	assert_true(r.stored_ms == 0);
	/* Deterministic: the same receipt signs to the same bytes. */
	b.len = 0;
	assert_int_equal(receipt_sign(&b, env_id, "ru-nrrc", 1767225600250ULL, rk), PL_OK);
	assert_int_equal(b.len, enc.len);
	assert_memory_equal(b.data, enc.data, enc.len);
	buf_reset(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncation_at_every_offset),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_unknown_version_and_label),
		cmocka_unit_test(test_bad_receiver_id),
		cmocka_unit_test(test_wrong_envelope),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_every_bit_flip),
		cmocka_unit_test(test_sign_refusals),
		cmocka_unit_test(test_sign_allocation_failures),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_extremes),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
