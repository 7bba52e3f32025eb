/*
 * test_pw.c - officers' passwords and tokens: a hash verifies its password
 * and no other; lengths outside 8..1024 are refused; a malformed or
 * unterminated hash is a mismatch, not a crash; tokens are fresh, 43
 * base64url characters, and stored as SHA-256.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/cr.h"
#include "crypto/pw.h"

static int
setup(void **state)
{
	(void)state;
	return cr_init() == PL_OK ? 0 : -1;
}

static void
test_hash_and_verify(void **state)
{
	char h[PW_HASH_MAX], h2[PW_HASH_MAX], small[16], longpw[PW_MAX + 2];

	(void)state;
	assert_int_equal(pw_hash(h, sizeof(h), "correct horse"), PL_OK);
	assert_non_null(strstr(h, "$argon2id$"));
	assert_int_equal(pw_verify(h, "correct horse"), PL_OK);
	assert_int_equal(pw_verify(h, "correct horsf"), PL_E_CRYPTO);
	assert_int_equal(pw_verify(h, ""), PL_E_CRYPTO);
	/* Salted: the same password hashes differently each time. */
	assert_int_equal(pw_hash(h2, sizeof(h2), "correct horse"), PL_OK);
	assert_string_not_equal(h, h2);
	/* Lengths. */
	assert_int_equal(pw_hash(h, sizeof(h), "1234567"), PL_E_ARG);
	assert_int_equal(pw_hash(h, sizeof(h), "12345678"), PL_OK);
	memset(longpw, 'a', PW_MAX + 1);
	longpw[PW_MAX + 1] = '\0';
	assert_int_equal(pw_hash(h, sizeof(h), longpw), PL_E_ARG);
	longpw[PW_MAX] = '\0';
	assert_int_equal(pw_hash(h, sizeof(h), longpw), PL_OK);
	assert_int_equal(pw_hash(small, sizeof(small), "correct horse"), PL_E_STATE);
	/* Malformed stored hashes do not match anything. */
	assert_int_equal(pw_verify("$argon2id$v=19$garbage", "correct horse"), PL_E_CRYPTO);
	memset(h, 'x', sizeof(h)); /* no terminating NUL within PW_HASH_MAX */
	assert_int_equal(pw_verify(h, "correct horse"), PL_E_CRYPTO);
	assert_int_equal(pw_set_strength("quick"), PL_E_ARG);
	assert_int_equal(pw_set_strength("interactive"), PL_OK);
}

static void
test_tokens(void **state)
{
	char a[PW_TOKEN_STR_LEN + 1], b[PW_TOKEN_STR_LEN + 1], tiny[8];
	uint8_t ha[HASH_LEN], hb[HASH_LEN], again[HASH_LEN];
	size_t i;

	(void)state;
	pw_token_new(a, sizeof(a));
	pw_token_new(b, sizeof(b));
	assert_int_equal(strlen(a), PW_TOKEN_STR_LEN);
	assert_string_not_equal(a, b);
	for (i = 0; a[i] != '\0'; i++)
		assert_non_null(strchr(
		        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", a[i]));
	pw_token_hash(ha, a);
	pw_token_hash(hb, b);
	pw_token_hash(again, a);
	assert_memory_equal(ha, again, HASH_LEN);
	assert_memory_not_equal(ha, hb, HASH_LEN);
	/* Too small a buffer gets an empty string, never a cut token. */
	pw_token_new(tiny, sizeof(tiny));
	assert_string_equal(tiny, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_and_verify),
		cmocka_unit_test(test_tokens),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
