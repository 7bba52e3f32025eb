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

/* FIPS 180-2 appendix B.2 (two blocks), and streaming in every split. */
static void
test_sha256_two_blocks_and_splits(void **state)
{
	static const char msg[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t want[HASH_LEN], got[HASH_LEN];
	uint8_t big[1000], one[HASH_LEN];
	struct hash_ctx ctx;
	size_t i, j, step;

	(void)state;
	unhex(want, HASH_LEN, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	hash_sha256(got, msg, strlen(msg));
	assert_memory_equal(got, want, HASH_LEN);
	for (i = 0; i <= strlen(msg); i++) {
		hash_init(&ctx);
		hash_update(&ctx, msg, i);
		hash_update(&ctx, msg + i, strlen(msg) - i);
		hash_final(&ctx, got);
		assert_memory_equal(got, want, HASH_LEN);
	}
	/* Odd chunk sizes across many 64-byte block boundaries. */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	hash_sha256(one, big, sizeof(big));
	for (step = 1; step < 130; step += 11) {
		hash_init(&ctx);
		for (j = 0; j < sizeof(big); j += step)
			hash_update(&ctx, big + j, j + step > sizeof(big) ? sizeof(big) - j : step);
		hash_final(&ctx, got);
		assert_memory_equal(got, one, HASH_LEN);
	}
	/* A one-byte change changes the digest. */
	big[500] ^= 1;
	hash_sha256(got, big, sizeof(big));
	assert_memory_not_equal(got, one, HASH_LEN);
}

/* RFC 8032 section 7.1, TEST 2 (one-byte message 0x72). */
static void
test_ed25519_rfc8032_test2(void **state)
{
	uint8_t seed[32], pk[SIG_PK_LEN], sk[SIG_SK_LEN], want_pk[32], want_sig[SIG_LEN];
	uint8_t sig[SIG_LEN];
	const uint8_t msg[1] = { 0x72 };

	(void)state;
	unhex(seed, 32, "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
	unhex(want_pk, 32, "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
	unhex(want_sig, SIG_LEN,
	      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e"
	      "458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
	sig_keypair_seed(pk, sk, seed);
	assert_memory_equal(pk, want_pk, 32);
	sig_sign(sig, sk, msg, sizeof(msg));
	assert_memory_equal(sig, want_sig, SIG_LEN);
	assert_int_equal(sig_verify(sig, pk, msg, sizeof(msg)), PL_OK);
	/* TEST 1's empty message under TEST 2's signature. */
	assert_int_equal(sig_verify(sig, pk, "", 0), PL_E_CRYPTO);
	cr_wipe(sk, sizeof(sk));
}

/* Every single-bit change of signature, key or message is rejected. */
static void
test_ed25519_every_bit_flip(void **state)
{
	uint8_t seed[32], pk[SIG_PK_LEN], sk[SIG_SK_LEN], sig[SIG_LEN];
	uint8_t msg[3] = { 'a', 'b', 'c' };
	size_t i;

	(void)state;
	unhex(seed, 32, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
	sig_keypair_seed(pk, sk, seed);
	sig_sign(sig, sk, msg, sizeof(msg));
	assert_int_equal(sig_verify(sig, pk, msg, sizeof(msg)), PL_OK);
	for (i = 0; i < 8 * SIG_LEN; i++) {
		sig[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(sig_verify(sig, pk, msg, sizeof(msg)), PL_E_CRYPTO);
		sig[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	for (i = 0; i < 8 * SIG_PK_LEN; i++) {
		pk[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(sig_verify(sig, pk, msg, sizeof(msg)), PL_E_CRYPTO);
		pk[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	for (i = 0; i < 8 * sizeof(msg); i++) {
		msg[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(sig_verify(sig, pk, msg, sizeof(msg)), PL_E_CRYPTO);
		msg[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	assert_int_equal(sig_verify(sig, pk, msg, sizeof(msg)), PL_OK);
	cr_wipe(sk, sizeof(sk));
}

static void
test_sealed_key_tampering(void **state)
{
	uint8_t pk[BOX_PK_LEN], sk[BOX_SK_LEN], pk2[BOX_PK_LEN], sk2[BOX_SK_LEN];
	uint8_t key[AEAD_KEY_LEN], out[AEAD_KEY_LEN], sealed[BOX_SEALED_KEY_LEN];
	uint8_t again[BOX_SEALED_KEY_LEN];
	size_t i;

	(void)state;
	box_keypair(pk, sk);
	box_keypair(pk2, sk2);
	cr_random(key, sizeof(key));
	assert_int_equal(box_seal_key(sealed, key, pk), PL_OK);
	/* Sealing is randomised: the same key sealed twice differs. */
	assert_int_equal(box_seal_key(again, key, pk), PL_OK);
	assert_memory_not_equal(sealed, again, sizeof(sealed));
	/* The right secret key with another public key fails (the nonce binds pk). */
	assert_int_equal(box_open_key(out, sealed, pk2, sk), PL_E_CRYPTO);
	/* A flip anywhere (ephemeral key, ciphertext, tag) is rejected. */
	for (i = 0; i < sizeof(sealed); i++) {
		sealed[i] ^= 0x01;
		assert_int_equal(box_open_key(out, sealed, pk, sk), PL_E_CRYPTO);
		sealed[i] ^= 0x01;
	}
	memset(out, 0, sizeof(out));
	assert_int_equal(box_open_key(out, sealed, pk, sk), PL_OK);
	assert_memory_equal(out, key, sizeof(key));
}

static void
test_aead_every_byte_and_key(void **state)
{
	uint8_t key[AEAD_KEY_LEN], key2[AEAD_KEY_LEN], nonce[AEAD_NONCE_LEN];
	uint8_t ct[32 + AEAD_TAG_LEN], pt[32], msg[32];
	uint8_t ad[7] = "env-hdr";
	size_t i;

	(void)state;
	cr_random(key, sizeof(key));
	cr_random(key2, sizeof(key2));
	cr_random(nonce, sizeof(nonce));
	cr_random(msg, sizeof(msg));
	aead_encrypt(ct, msg, sizeof(msg), ad, sizeof(ad), nonce, key);
	/* The ciphertext is not the plaintext. */
	assert_memory_not_equal(ct, msg, sizeof(msg));
	for (i = 0; i < sizeof(ct); i++) {
		ct[i] ^= 0x80;
		assert_int_equal(aead_decrypt(pt, ct, sizeof(ct), ad, sizeof(ad), nonce, key),
		                 PL_E_CRYPTO);
		ct[i] ^= 0x80;
	}
	for (i = 0; i < sizeof(ad); i++) {
		ad[i] ^= 0x01;
		assert_int_equal(aead_decrypt(pt, ct, sizeof(ct), ad, sizeof(ad), nonce, key),
		                 PL_E_CRYPTO);
		ad[i] ^= 0x01;
	}
	assert_int_equal(aead_decrypt(pt, ct, sizeof(ct), ad, sizeof(ad), nonce, key2),
	                 PL_E_CRYPTO);
	assert_int_equal(aead_decrypt(pt, ct, sizeof(ct), NULL, 0, nonce, key), PL_E_CRYPTO);
	assert_int_equal(aead_decrypt(pt, ct, sizeof(ct), ad, sizeof(ad), nonce, key), PL_OK);
	assert_memory_equal(pt, msg, sizeof(msg));

	/* An empty message is just a tag, and still authenticated. */
	aead_encrypt(ct, NULL, 0, ad, sizeof(ad), nonce, key);
	assert_int_equal(aead_decrypt(pt, ct, AEAD_TAG_LEN, ad, sizeof(ad), nonce, key), PL_OK);
	ct[0] ^= 1;
	assert_int_equal(aead_decrypt(pt, ct, AEAD_TAG_LEN, ad, sizeof(ad), nonce, key),
	                 PL_E_CRYPTO);
}

/* keys_from_secret puts the Ed25519 seed first: RFC 8032 TEST 1 through keys. */
static void
test_keys_layout_matches_rfc8032(void **state)
{
	uint8_t secret[KEYS_SECRET_LEN], want_pk[SIG_PK_LEN], want_sig[SIG_LEN], sig[SIG_LEN];
	uint8_t box_pk[BOX_PK_LEN], plain[KEYS_SECRET_LEN], nonce[AEAD_NONCE_LEN] = { 0 };
	struct keys_kdf_params clear = { .alg = KEYS_KDF_NONE };
	struct keys *k, *back = (struct keys *)1;

	(void)state;
	unhex(secret, SIG_SEED_LEN,
	      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
	memset(secret + SIG_SEED_LEN, 0x55, BOX_SK_LEN);
	unhex(want_pk, SIG_PK_LEN,
	      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
	unhex(want_sig, SIG_LEN,
	      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33b"
	      "acc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
	assert_non_null(k = keys_from_secret(secret));
	assert_memory_equal(keys_sign_pk(k), want_pk, SIG_PK_LEN);
	keys_sign(k, sig, "", 0);
	assert_memory_equal(sig, want_sig, SIG_LEN);
	box_public(box_pk, secret + SIG_SEED_LEN);
	assert_memory_equal(keys_box_pk(k), box_pk, BOX_PK_LEN);
	/* KEYS_KDF_NONE stores exactly seed || X25519 secret. */
	assert_int_equal(keys_wrap(k, &clear, NULL, nonce, NULL, 0, plain, sizeof(plain)), PL_OK);
	assert_memory_equal(plain, secret, KEYS_SECRET_LEN);
	assert_int_equal(keys_wrap(k, &clear, NULL, nonce, NULL, 0, plain, sizeof(plain) - 1),
	                 PL_E_STATE);
	assert_int_equal(keys_unwrap(&back, &clear, NULL, nonce, NULL, 0, plain, sizeof(plain) - 1),
	                 PL_E_PROTO);
	assert_null(back);
	keys_free(k);
	cr_wipe(plain, sizeof(plain));
	cr_wipe(secret, sizeof(secret));
}

/* Every input of the key file's encryption is bound: a change to any fails. */
static void
test_unwrap_rejects_any_change(void **state)
{
	struct keys_kdf_params p, q;
	uint8_t nonce[AEAD_NONCE_LEN], wrapped[KEYS_WRAPPED_LEN];
	uint8_t ad[] = "parley key file v1";
	struct keys *k = keys_new(), *back = (struct keys *)1;
	size_t i;

	(void)state;
	assert_non_null(k);
	assert_int_equal(keys_kdf_choose(&p, "interactive"), PL_OK);
	cr_random(nonce, sizeof(nonce));
	assert_int_equal(
	        keys_wrap(k, &p, "correct horse", nonce, ad, sizeof(ad), wrapped, sizeof(wrapped)),
	        PL_OK);
	/* An altered header byte (not just a shorter header). */
	ad[3] ^= 0x20;
	assert_int_equal(keys_unwrap(&back, &p, "correct horse", nonce, ad, sizeof(ad), wrapped,
	                             sizeof(wrapped)),
	                 PL_E_CRYPTO);
	assert_null(back);
	ad[3] ^= 0x20;
	/* One flipped byte of the wrapped secret, at the start, middle and tag. */
	for (i = 0; i < sizeof(wrapped); i += 31) {
		wrapped[i] ^= 0x04;
		assert_int_equal(keys_unwrap(&back, &p, "correct horse", nonce, ad, sizeof(ad),
		                             wrapped, sizeof(wrapped)),
		                 PL_E_CRYPTO);
		wrapped[i] ^= 0x04;
	}
	nonce[0] ^= 1;
	assert_int_equal(keys_unwrap(&back, &p, "correct horse", nonce, ad, sizeof(ad), wrapped,
	                             sizeof(wrapped)),
	                 PL_E_CRYPTO);
	nonce[0] ^= 1;
	/* Another salt or another cost derives another key. */
	q = p;
	q.salt[0] ^= 1;
	assert_int_equal(keys_unwrap(&back, &q, "correct horse", nonce, ad, sizeof(ad), wrapped,
	                             sizeof(wrapped)),
	                 PL_E_CRYPTO);
	q = p;
	q.ops++;
	assert_int_equal(keys_unwrap(&back, &q, "correct horse", nonce, ad, sizeof(ad), wrapped,
	                             sizeof(wrapped)),
	                 PL_E_CRYPTO);
	/* A passphrase that is a prefix of the right one. */
	assert_int_equal(keys_unwrap(&back, &p, "correct hors", nonce, ad, sizeof(ad), wrapped,
	                             sizeof(wrapped)),
	                 PL_E_CRYPTO);
	/* Hostile parameters are refused before any work, on wrap and unwrap. */
	q = p;
	q.mem = KEYS_MEM_MAX + 1;
	assert_int_equal(keys_unwrap(&back, &q, "correct horse", nonce, ad, sizeof(ad), wrapped,
	                             sizeof(wrapped)),
	                 PL_E_PROTO);
	assert_int_equal(keys_wrap(k, &q, "x", nonce, ad, sizeof(ad), wrapped, sizeof(wrapped)),
	                 PL_E_PROTO);
	assert_null(back);
	/* And the untouched file still opens. */
	assert_int_equal(keys_unwrap(&back, &p, "correct horse", nonce, ad, sizeof(ad), wrapped,
	                             sizeof(wrapped)),
	                 PL_OK);
	assert_memory_equal(keys_sign_pk(back), keys_sign_pk(k), SIG_PK_LEN);
	keys_free(back);
	keys_free(k);
}

static void
test_kdf_choose_and_bounds(void **state)
{
	static const char *const names[] = { "interactive", "moderate", "sensitive" };
	struct keys_kdf_params p, q;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(keys_kdf_choose(&p, names[i]), PL_OK);
		assert_int_equal(p.alg, KEYS_KDF_ARGON2ID);
		assert_int_equal(keys_kdf_check(&p), PL_OK);
	}
	/* Stronger presets cost more. */
	assert_int_equal(keys_kdf_choose(&p, "interactive"), PL_OK);
	assert_int_equal(keys_kdf_choose(&q, "sensitive"), PL_OK);
	assert_true(q.mem > p.mem && q.ops > p.ops);
	/* A fresh salt each time. */
	assert_int_equal(keys_kdf_choose(&q, "interactive"), PL_OK);
	assert_memory_not_equal(p.salt, q.salt, KEYS_SALT_LEN);
	/* Names are exact. */
	assert_int_equal(keys_kdf_choose(&p, "Interactive"), PL_E_ARG);
	assert_int_equal(keys_kdf_choose(&p, ""), PL_E_ARG);
	assert_int_equal(keys_kdf_choose(&p, "moderate "), PL_E_ARG);
	assert_int_equal(keys_kdf_choose(&p, "inter"), PL_E_ARG);
	assert_int_equal(keys_kdf_choose(&p, "interactivex"), PL_E_ARG);
	assert_int_equal(keys_kdf_choose(&p, "sensitive\n"), PL_E_ARG);
	assert_non_null(strstr(pl_err_msg(), "unknown kdf strength"));

	/* The limits themselves are accepted, one past them is not. */
	assert_int_equal(keys_kdf_choose(&p, "interactive"), PL_OK);
	p.ops = KEYS_OPS_MAX;
	assert_int_equal(keys_kdf_check(&p), PL_OK);
	p.ops = 1; /* crypto_pwhash_argon2id_OPSLIMIT_MIN */
	assert_int_equal(keys_kdf_check(&p), PL_OK);
	p.mem = KEYS_MEM_MAX;
	assert_int_equal(keys_kdf_check(&p), PL_OK);
	p.mem = 8192; /* crypto_pwhash_argon2id_MEMLIMIT_MIN */
	assert_int_equal(keys_kdf_check(&p), PL_OK);
	p.mem = 8191;
	assert_int_equal(keys_kdf_check(&p), PL_E_PROTO);
	p.mem = UINT64_MAX;
	assert_int_equal(keys_kdf_check(&p), PL_E_PROTO);
	p.mem = 8192;
	p.ops = UINT64_MAX;
	assert_int_equal(keys_kdf_check(&p), PL_E_PROTO);
	/* KEYS_KDF_NONE has no costs to check. */
	p.alg = KEYS_KDF_NONE;
	assert_int_equal(keys_kdf_check(&p), PL_OK);
	p.alg = (enum keys_kdf)2;
	p.ops = 3;
	assert_int_equal(keys_kdf_check(&p), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "unknown kdf 2"));
}

static void
test_hex_edges(void **state)
{
	uint8_t b[3] = { 0xaa, 0xbb, 0xcc }, all[256];
	char s[2 * 256 + 1];
	size_t i;

	(void)state;
	/* Zero bytes: only the empty string. */
	assert_int_equal(cr_unhex(b, 0, ""), PL_OK);
	assert_int_equal(cr_unhex(b, 0, "00"), PL_E_PROTO);
	assert_int_equal(b[0], 0xaa);
	/* Signs, spaces and prefixes are not hex. */
	assert_int_equal(cr_unhex(b, 3, "0x0102"), PL_E_PROTO);
	assert_int_equal(cr_unhex(b, 3, " 01020"), PL_E_PROTO);
	assert_int_equal(cr_unhex(b, 3, "+1+2+3"), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "expected 6 hex digits"));
	/* Every byte value survives a round trip. */
	for (i = 0; i < sizeof(all); i++)
		all[i] = (uint8_t)i;
	cr_hex(s, all, sizeof(all));
	assert_int_equal(strlen(s), 512);
	assert_memory_equal(s, "000102", 6);
	assert_string_equal(s + 506, "fdfeff");
	memset(all, 0, sizeof(all));
	assert_int_equal(cr_unhex(all, sizeof(all), s), PL_OK);
	for (i = 0; i < sizeof(all); i++)
		assert_int_equal(all[i], i);
	/* cr_eq: length 0 is equal; a difference in the last byte counts. */
	assert_true(cr_eq("a", "b", 0));
	assert_true(cr_eq("abcdefgh", "abcdefgh", 8));
	assert_false(cr_eq("abcdefgh", "abcdefgi", 8));
	assert_false(cr_eq("abcdefgh", "Abcdefgh", 8));
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
		cmocka_unit_test(test_sha256_two_blocks_and_splits),
		cmocka_unit_test(test_ed25519_rfc8032_test2),
		cmocka_unit_test(test_ed25519_every_bit_flip),
		cmocka_unit_test(test_sealed_key_tampering),
		cmocka_unit_test(test_aead_every_byte_and_key),
		cmocka_unit_test(test_keys_layout_matches_rfc8032),
		cmocka_unit_test(test_unwrap_rejects_any_change),
		cmocka_unit_test(test_kdf_choose_and_bounds),
		cmocka_unit_test(test_hex_edges),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
