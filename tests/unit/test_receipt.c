/*
 * test_receipt.c - receipts: signing, checking, and every damaged byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/receipt.h"
#include "crypto/cr.h"

static struct keys *rk, *other;
static uint8_t env_id[HASH_LEN];
static struct buf enc;

static int
setup(void **state)
{
	(void)state;
	if (cr_init() != PL_OK)
		return -1;
	rk = keys_new();
	other = keys_new();
	memset(env_id, 0xab, sizeof(env_id));
	buf_init(&enc, RCPT_ENCODED_MAX);
	return receipt_sign(&enc, env_id, "ru-nrrc", 1767225600250ULL, rk) == PL_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	keys_free(rk);
	keys_free(other);
	buf_reset(&enc);
	return 0;
}

static void
test_round_trip(void **state)
{
	struct rcpt r;

	(void)state;
	assert_int_equal(enc.len, 16 + 1 + 32 + 8 + 8 + 64);
	assert_int_equal(receipt_verify(&r, enc.data, enc.len, env_id, keys_sign_pk(rk)), PL_OK);
	assert_string_equal(r.receiver, "ru-nrrc");
	assert_true(r.stored_ms == 1767225600250ULL);
	assert_memory_equal(r.env_id, env_id, HASH_LEN);
}

static void
test_wrong_envelope_or_key(void **state)
{
	uint8_t other_id[HASH_LEN];
	struct rcpt r;

	(void)state;
	memcpy(other_id, env_id, HASH_LEN);
	other_id[31] ^= 1;
	assert_int_equal(receipt_verify(&r, enc.data, enc.len, other_id, keys_sign_pk(rk)),
	                 PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "another envelope"));
	assert_int_equal(receipt_verify(&r, enc.data, enc.len, env_id, keys_sign_pk(other)),
	                 PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "bad signature from 'ru-nrrc'"));
}

static void
test_every_bit_flip_and_truncation(void **state)
{
	uint8_t b[RCPT_ENCODED_MAX + 1];
	struct rcpt r;
	size_t i;
	int bit;

	(void)state;
	memcpy(b, enc.data, enc.len);
	for (i = 0; i < enc.len; i++) {
		for (bit = 0; bit < 8; bit++) {
			b[i] ^= (uint8_t)(1u << bit);
			assert_int_not_equal(
			        receipt_verify(&r, b, enc.len, env_id, keys_sign_pk(rk)), PL_OK);
			b[i] ^= (uint8_t)(1u << bit);
		}
	}
	for (i = 0; i < enc.len; i++) {
		enum pl_err err = rcpt_read(&r, b, i);

		assert_true(err == PL_E_TRUNC || err == PL_E_PROTO);
		assert_non_null(strstr(pl_err_msg(), "at offset"));
	}
	b[enc.len] = 0;
	assert_int_equal(rcpt_read(&r, b, enc.len + 1), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "1 trailing bytes"));
	b[16] = 2;
	assert_int_equal(rcpt_read(&r, b, enc.len), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "unknown version 2"));
}

static void
test_sign_refuses_bad_receiver(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, RCPT_ENCODED_MAX);
	assert_int_equal(receipt_sign(&b, env_id, "RU", 1, rk), PL_E_ARG);
	assert_int_equal(receipt_sign(&b, env_id, "", 1, rk), PL_E_ARG);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_wrong_envelope_or_key),
		cmocka_unit_test(test_every_bit_flip_and_truncation),
		cmocka_unit_test(test_sign_refuses_bad_receiver),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
