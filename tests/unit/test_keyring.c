/*
 * test_keyring.c - key files: lock, peek, unlock, and damaged or hostile
 * files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/identity.h"
#include "core/keyring.h"
#include "crypto/cr.h"
#include "wire/keyfile.h"

static struct keys *k, *k2;
static struct buf rec, rec2, locked, clear;

static void
make_record(struct buf *out, const struct keys *keys, const char *id)
{
	static struct party r;

	memset(&r, 0, sizeof(r));
	r.version = PARTY_VERSION;
	(void)snprintf(r.id, sizeof(r.id), "%s", id);
	r.revision = 1;
	memcpy(r.sign_pk, keys_sign_pk(keys), SIG_PK_LEN);
	memcpy(r.box_pk, keys_box_pk(keys), BOX_PK_LEN);
	assert_int_equal(identity_sign(out, &r, keys, NULL), PL_OK);
}

static int
setup(void **state)
{
	(void)state;
	if (cr_init() != PL_OK)
		return -1;
	k = keys_new();
	k2 = keys_new();
	buf_init(&rec, PARTY_ENCODED_MAX);
	buf_init(&rec2, PARTY_ENCODED_MAX);
	buf_init(&locked, 4096);
	buf_init(&clear, 4096);
	make_record(&rec, k, "us-nrrc");
	make_record(&rec2, k2, "ru-nrrc");
	if (keyring_lock(&locked, k, rec.data, rec.len, "pw", "interactive") != PL_OK ||
	    keyring_lock(&clear, k, rec.data, rec.len, NULL, NULL) != PL_OK)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	keys_free(k);
	keys_free(k2);
	buf_reset(&rec);
	buf_reset(&rec2);
	buf_reset(&locked);
	buf_reset(&clear);
	return 0;
}

static void
test_unlock(void **state)
{
	static struct party r;
	struct keys *got = NULL;
	int enc = -1;

	(void)state;
	assert_int_equal(keyring_peek(&r, &enc, locked.data, locked.len), PL_OK);
	assert_int_equal(enc, 1);
	assert_string_equal(r.id, "us-nrrc");
	assert_int_equal(keyring_unlock(&got, &r, locked.data, locked.len, "pw"), PL_OK);
	assert_memory_equal(keys_sign_pk(got), keys_sign_pk(k), SIG_PK_LEN);
	keys_free(got);
	assert_int_equal(keyring_unlock(&got, &r, locked.data, locked.len, "Pw"), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "wrong passphrase"));
	assert_null(got);
	assert_int_equal(keyring_unlock(&got, &r, locked.data, locked.len, NULL), PL_E_ARG);

	assert_int_equal(keyring_peek(&r, &enc, clear.data, clear.len), PL_OK);
	assert_int_equal(enc, 0);
	assert_int_equal(keyring_unlock(&got, &r, clear.data, clear.len, NULL), PL_OK);
	assert_memory_equal(keys_box_pk(got), keys_box_pk(k), BOX_PK_LEN);
	keys_free(got);
}

static void
test_lock_refuses(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(keyring_lock(&b, k, rec.data, rec.len, "", "interactive"), PL_E_ARG);
	assert_non_null(strstr(pl_err_msg(), "empty passphrase"));
	assert_int_equal(keyring_lock(&b, k, rec.data, rec.len, "pw", "quick"), PL_E_ARG);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
}

static void
test_truncation_and_flips(void **state)
{
	static struct party r;
	struct keyfile kf;
	uint8_t b[4096];
	size_t i;
	int enc;

	(void)state;
	for (i = 0; i < locked.len; i++) {
		enum pl_err err = keyfile_read(&kf, locked.data, i);

		assert_true(err == PL_E_TRUNC || err == PL_E_PROTO);
		assert_non_null(strstr(pl_err_msg(), "at offset"));
	}
	/* Every flipped byte of the public part is caught before any secret is used. */
	memcpy(b, clear.data, clear.len);
	for (i = 0; i < 78 + rec.len; i++) {
		b[i] ^= 0x10;
		assert_int_not_equal(keyring_peek(&r, &enc, b, clear.len), PL_OK);
		b[i] ^= 0x10;
	}
	/* A flipped salt or nonce byte of a locked file: the passphrase no longer opens it. */
	{
		struct keys *got = NULL;

		memcpy(b, locked.data, locked.len);
		b[40] ^= 1; /* salt */
		assert_int_equal(keyring_unlock(&got, &r, b, locked.len, "pw"), PL_E_CRYPTO);
		b[40] ^= 1;
		b[60] ^= 1; /* nonce */
		assert_int_equal(keyring_unlock(&got, &r, b, locked.len, "pw"), PL_E_CRYPTO);
		b[60] ^= 1;
		b[locked.len - 1] ^= 1; /* tag */
		assert_int_equal(keyring_unlock(&got, &r, b, locked.len, "pw"), PL_E_CRYPTO);
		assert_null(got);
	}
}

static void
test_hostile_kdf_parameters(void **state)
{
	struct keyfile kf;
	uint8_t b[4096];

	(void)state;
	memcpy(b, locked.data, locked.len);
	b[18 + 7] = 17; /* ops = 17 */
	assert_int_equal(keyfile_read(&kf, b, locked.len), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "ops 17"));
	assert_non_null(strstr(pl_err_msg(), "at offset 18"));
	memcpy(b, locked.data, locked.len);
	b[26 + 3] = 0x02; /* mem = 2^32 + ... > 4 GiB */
	assert_int_equal(keyfile_read(&kf, b, locked.len), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "memory"));
	memcpy(b, clear.data, clear.len);
	b[34] = 1; /* salt in a clear file */
	assert_int_equal(keyfile_read(&kf, b, clear.len), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "must be zero"));
	memcpy(b, clear.data, clear.len);
	b[17] = 2;
	assert_int_equal(keyfile_read(&kf, b, clear.len), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "unknown kdf 2"));
}

/* The secrets of one party under another's record: refused. */
static void
test_swapped_record(void **state)
{
	static struct party r;
	struct keys *got = NULL;
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(keyring_lock(&b, k, rec2.data, rec2.len, NULL, NULL), PL_OK);
	assert_int_equal(keyring_unlock(&got, &r, b.data, b.len, NULL), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "do not match"));
	assert_null(got);
	buf_reset(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unlock),
		cmocka_unit_test(test_lock_refuses),
		cmocka_unit_test(test_truncation_and_flips),
		cmocka_unit_test(test_hostile_kdf_parameters),
		cmocka_unit_test(test_swapped_record),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
