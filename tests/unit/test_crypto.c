/*
 * test_crypto.c - the libsodium wrappers against published vectors, and
 * the key custody module: signing, opening, and key files' encryption.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/box.h"
#include "crypto/cr.h"
#include "crypto/hash.h"
#include "crypto/keys.h"
#include "crypto/sig.h"

static int
setup(void **state)
{
	(void)state;
	return cr_init() == PL_OK ? 0 : -1;
}

static void
unhex(uint8_t *out, size_t n, const char *s)
{
	assert_int_equal(cr_unhex(out, n, s), PL_OK);
}

static void
test_hex_and_eq(void **state)
{
	uint8_t b[4], c[4] = { 0xde, 0xad, 0xbe, 0xef };
	char s[9];

	(void)state;
	unhex(b, 4, "DEADbeef");
	assert_true(cr_eq(b, c, 4));
	c[3] ^= 1;
	assert_false(cr_eq(b, c, 4));
	cr_hex(s, b, 4);
	assert_string_equal(s, "deadbeef");
	assert_int_equal(cr_unhex(b, 4, "deadbee"), PL_E_PROTO);
	assert_int_equal(cr_unhex(b, 4, "deadbeef00"), PL_E_PROTO);
	assert_int_equal(cr_unhex(b, 4, "deadbeeg"), PL_E_PROTO);
	assert_int_equal(cr_unhex(b, 4, "dead:eef"), PL_E_PROTO);
}

/* FIPS 180-2 appendix B.1. */
static void
test_sha256(void **state)
{
	uint8_t want[HASH_LEN], got[HASH_LEN], streamed[HASH_LEN];
	struct hash_ctx ctx;

	(void)state;
	unhex(want, HASH_LEN, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hash_sha256(got, "abc", 3);
	assert_memory_equal(got, want, HASH_LEN);
	hash_init(&ctx);
	hash_update(&ctx, "a", 1);
	hash_update(&ctx, "bc", 2);
	hash_final(&ctx, streamed);
	assert_memory_equal(streamed, want, HASH_LEN);
	unhex(want, HASH_LEN, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hash_sha256(got, "", 0);
	assert_memory_equal(got, want, HASH_LEN);
}

/* RFC 8032 section 7.1, TEST 1. */
static void
test_ed25519_rfc8032(void **state)
{
	uint8_t seed[32], pk[SIG_PK_LEN], sk[SIG_SK_LEN], want_pk[32], want_sig[SIG_LEN];
	uint8_t sig[SIG_LEN];

	(void)state;
	unhex(seed, 32, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
	unhex(want_pk, 32, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
	unhex(want_sig, SIG_LEN,
	      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33b"
	      "acc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
	sig_keypair_seed(pk, sk, seed);
	assert_memory_equal(pk, want_pk, 32);
	sig_sign(sig, sk, "", 0);
	assert_memory_equal(sig, want_sig, SIG_LEN);
	assert_int_equal(sig_verify(sig, pk, "", 0), PL_OK);
	sig[0] ^= 1;
	assert_int_equal(sig_verify(sig, pk, "", 0), PL_E_CRYPTO);
	sig[0] ^= 1;
	sig[63] ^= 0x80;
	assert_int_equal(sig_verify(sig, pk, "", 0), PL_E_CRYPTO);
	sig[63] ^= 0x80;
	assert_int_equal(sig_verify(sig, pk, "x", 1), PL_E_CRYPTO);
	pk[5] ^= 1;
	assert_int_equal(sig_verify(sig, pk, "", 0), PL_E_CRYPTO);
	cr_wipe(sk, sizeof(sk));
}

static void
test_sealed_key(void **state)
{
	uint8_t pk[BOX_PK_LEN], sk[BOX_SK_LEN], pk2[BOX_PK_LEN], sk2[BOX_SK_LEN],
	        derived[BOX_PK_LEN];
	uint8_t key[AEAD_KEY_LEN], out[AEAD_KEY_LEN], sealed[BOX_SEALED_KEY_LEN];

	(void)state;
	box_keypair(pk, sk);
	box_keypair(pk2, sk2);
	box_public(derived, sk);
	assert_memory_equal(derived, pk, BOX_PK_LEN);
	cr_random(key, sizeof(key));
	assert_int_equal(box_seal_key(sealed, key, pk), PL_OK);
	assert_int_equal(box_open_key(out, sealed, pk, sk), PL_OK);
	assert_memory_equal(out, key, sizeof(key));
	assert_int_equal(box_open_key(out, sealed, pk2, sk2), PL_E_CRYPTO);
	sealed[40] ^= 1;
	assert_int_equal(box_open_key(out, sealed, pk, sk), PL_E_CRYPTO);
}

static void
test_aead(void **state)
{
	uint8_t key[AEAD_KEY_LEN], nonce[AEAD_NONCE_LEN], ct[5 + AEAD_TAG_LEN], pt[5];
	const uint8_t ad[] = "header";

	(void)state;
	cr_random(key, sizeof(key));
	cr_random(nonce, sizeof(nonce));
	aead_encrypt(ct, (const uint8_t *)"hello", 5, ad, sizeof(ad), nonce, key);
	assert_int_equal(aead_decrypt(pt, ct, sizeof(ct), ad, sizeof(ad), nonce, key), PL_OK);
	assert_memory_equal(pt, "hello", 5);
	assert_int_equal(aead_decrypt(pt, ct, sizeof(ct), ad, sizeof(ad) - 1, nonce, key),
	                 PL_E_CRYPTO);
	ct[sizeof(ct) - 1] ^= 1;
	assert_int_equal(aead_decrypt(pt, ct, sizeof(ct), ad, sizeof(ad), nonce, key), PL_E_CRYPTO);
	ct[sizeof(ct) - 1] ^= 1;
	nonce[0] ^= 1;
	assert_int_equal(aead_decrypt(pt, ct, sizeof(ct), ad, sizeof(ad), nonce, key), PL_E_CRYPTO);
	nonce[0] ^= 1;
	assert_int_equal(aead_decrypt(pt, ct, AEAD_TAG_LEN - 1, ad, sizeof(ad), nonce, key),
	                 PL_E_CRYPTO);
}

static void
test_base64(void **state)
{
	uint8_t out[8];
	char enc[CR_B64_LEN(5)];
	size_t n;

	(void)state;
	cr_b64_encode(enc, sizeof(enc), (const uint8_t *)"hello", 5);
	assert_string_equal(enc, "aGVsbG8=");
	assert_int_equal(cr_b64_decode(out, sizeof(out), &n, enc, strlen(enc)), PL_OK);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "hello", 5);
	assert_int_equal(cr_b64_decode(out, sizeof(out), &n, "aGVsbG8", 7), PL_E_PROTO);
	assert_int_equal(cr_b64_decode(out, sizeof(out), &n, "aGVsbG9=", 8), PL_E_PROTO);
	assert_int_equal(cr_b64_decode(out, sizeof(out), &n, "aGVs bG8=", 9), PL_E_PROTO);
	assert_int_equal(cr_b64_decode(out, 4, &n, "aGVsbG8=", 8), PL_E_PROTO);
	/* Regression: libsodium 1.0.18 alone accepts 0xc1 as a digit. */
	assert_int_equal(cr_b64_decode(out, sizeof(out), &n, "aGVs\xc1G8=", 8), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "0xc1"));
	assert_int_equal(n, 0);
}

static void
test_keys_sign_and_open(void **state)
{
	struct keys *a = keys_new(), *b = keys_new();
	uint8_t sig[SIG_LEN], key[AEAD_KEY_LEN], out[AEAD_KEY_LEN], sealed[BOX_SEALED_KEY_LEN];

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_memory_not_equal(keys_sign_pk(a), keys_sign_pk(b), SIG_PK_LEN);
	keys_sign(a, sig, "msg", 3);
	assert_int_equal(sig_verify(sig, keys_sign_pk(a), "msg", 3), PL_OK);
	assert_int_equal(sig_verify(sig, keys_sign_pk(b), "msg", 3), PL_E_CRYPTO);
	cr_random(key, sizeof(key));
	assert_int_equal(box_seal_key(sealed, key, keys_box_pk(b)), PL_OK);
	assert_int_equal(keys_open(b, out, sealed), PL_OK);
	assert_memory_equal(out, key, sizeof(key));
	assert_int_equal(keys_open(a, out, sealed), PL_E_CRYPTO);
	keys_free(a);
	keys_free(b);
	keys_free(NULL);
}

static void
test_keys_from_secret_is_deterministic(void **state)
{
	uint8_t secret[KEYS_SECRET_LEN];
	struct keys *a, *b;

	(void)state;
	memset(secret, 7, sizeof(secret));
	a = keys_from_secret(secret);
	b = keys_from_secret(secret);
	assert_memory_equal(keys_sign_pk(a), keys_sign_pk(b), SIG_PK_LEN);
	assert_memory_equal(keys_box_pk(a), keys_box_pk(b), BOX_PK_LEN);
	keys_free(a);
	keys_free(b);
}

static void
test_wrap_unwrap(void **state)
{
	struct keys_kdf_params p, clear = { .alg = KEYS_KDF_NONE };
	uint8_t nonce[AEAD_NONCE_LEN], wrapped[KEYS_WRAPPED_LEN], plain[KEYS_SECRET_LEN];
	const uint8_t ad[] = "file header";
	struct keys *k = keys_new(), *back = NULL;

	(void)state;
	assert_int_equal(keys_kdf_choose(&p, "interactive"), PL_OK);
	cr_random(nonce, sizeof(nonce));
	assert_int_equal(keys_wrap(k, &p, "pw", nonce, ad, sizeof(ad), wrapped, sizeof(wrapped)),
	                 PL_OK);
	assert_int_equal(
	        keys_unwrap(&back, &p, "pw", nonce, ad, sizeof(ad), wrapped, sizeof(wrapped)),
	        PL_OK);
	assert_memory_equal(keys_sign_pk(back), keys_sign_pk(k), SIG_PK_LEN);
	assert_memory_equal(keys_box_pk(back), keys_box_pk(k), BOX_PK_LEN);
	keys_free(back);
	assert_int_equal(
	        keys_unwrap(&back, &p, "pW", nonce, ad, sizeof(ad), wrapped, sizeof(wrapped)),
	        PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "wrong passphrase"));
	assert_null(back);
	assert_int_equal(
	        keys_unwrap(&back, &p, "pw", nonce, ad, sizeof(ad) - 1, wrapped, sizeof(wrapped)),
	        PL_E_CRYPTO);
	assert_int_equal(
	        keys_unwrap(&back, &p, "pw", nonce, ad, sizeof(ad), wrapped, sizeof(wrapped) - 1),
	        PL_E_PROTO);
	assert_int_equal(keys_wrap(k, &p, "pw", nonce, ad, sizeof(ad), wrapped, KEYS_SECRET_LEN),
	                 PL_E_STATE);

	assert_int_equal(keys_wrap(k, &clear, NULL, nonce, NULL, 0, plain, sizeof(plain)), PL_OK);
	assert_int_equal(keys_unwrap(&back, &clear, NULL, nonce, NULL, 0, plain, sizeof(plain)),
	                 PL_OK);
	assert_memory_equal(keys_sign_pk(back), keys_sign_pk(k), SIG_PK_LEN);
	keys_free(back);
	cr_wipe(plain, sizeof(plain));
	keys_free(k);
}

static void
test_kdf_limits(void **state)
{
	struct keys_kdf_params p;

	(void)state;
	assert_int_equal(keys_kdf_choose(&p, "fast"), PL_E_ARG);
	assert_int_equal(keys_kdf_choose(&p, "moderate"), PL_OK);
	assert_int_equal(keys_kdf_check(&p), PL_OK);
	p.ops = KEYS_OPS_MAX + 1;
	assert_int_equal(keys_kdf_check(&p), PL_E_PROTO);
	p.ops = 0;
	assert_int_equal(keys_kdf_check(&p), PL_E_PROTO);
	p.ops = 3;
	p.mem = KEYS_MEM_MAX + 1;
	assert_int_equal(keys_kdf_check(&p), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "memory"));
	p.mem = 1024;
	assert_int_equal(keys_kdf_check(&p), PL_E_PROTO);
	p.mem = 1 << 26;
	p.alg = (enum keys_kdf)7;
	assert_int_equal(keys_kdf_check(&p), PL_E_PROTO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_and_eq),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_ed25519_rfc8032),
		cmocka_unit_test(test_sealed_key),
		cmocka_unit_test(test_aead),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_keys_sign_and_open),
		cmocka_unit_test(test_keys_from_secret_is_deterministic),
		cmocka_unit_test(test_wrap_unwrap),
		cmocka_unit_test(test_kdf_limits),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
