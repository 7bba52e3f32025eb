/*
 * test_keyring.c - key files: every truncation, every damaged header byte,
 * hostile KDF parameters, swapped and spliced records, wrong passphrases,
 * and the round trips that must work.
 *
 * Layout (docs/protocol.md#key-file): label 0, version 16, kdf 17, ops 18,
 * mem 26, salt 34, nonce 50, record_len 74, record 78, then the secret.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/alloc.h"
#include "core/identity.h"
#include "core/keyring.h"
#include "crypto/cr.h"
#include "wire/keyfile.h"

#define OFF_VERSION 16
#define OFF_KDF     17
#define OFF_OPS     18
#define OFF_MEM     26
#define OFF_SALT    34
#define OFF_NONCE   50
#define OFF_RECLEN  74
#define OFF_RECORD  78

static struct keys *k, *k2;
static struct buf rec, rec2, locked, clear;

static void
make_record(struct buf *out, const struct keys *keys, const char *id, uint64_t time_ms)
{
	static struct party r;

	memset(&r, 0, sizeof(r));
	r.version = PARTY_VERSION;
	(void)snprintf(r.id, sizeof(r.id), "%s", id);
	r.revision = 1;
	r.time_ms = time_ms;
	memcpy(r.sign_pk, keys_sign_pk(keys), SIG_PK_LEN);
	memcpy(r.box_pk, keys_box_pk(keys), BOX_PK_LEN);
	r.n_endpoints = 1;
	(void)snprintf(r.endpoints[0], sizeof(r.endpoints[0]), "https://%s.example/", id);
	out->len = 0;
	assert_int_equal(identity_sign(out, &r, keys, NULL), PL_OK);
}

static int
group_setup(void **state)
{
	(void)state;
	if (cr_init() != PL_OK)
		return -1;
	k = keys_new();
	k2 = keys_new();
	if (k == NULL || k2 == NULL)
		return -1;
	buf_init(&rec, PARTY_ENCODED_MAX);
	buf_init(&rec2, PARTY_ENCODED_MAX);
	buf_init(&locked, 4096);
	buf_init(&clear, 4096);
	make_record(&rec, k, "us-nrrc", 1);
	make_record(&rec2, k2, "ru-nrrc", 1);
	if (keyring_lock(&locked, k, rec.data, rec.len, "pw", "interactive") != PL_OK ||
	    keyring_lock(&clear, k, rec.data, rec.len, NULL, NULL) != PL_OK)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
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
expect_msg(const char *want)
{
	if (strstr(pl_err_msg(), want) == NULL)
		fail_msg("want '%s' in '%s'", want, pl_err_msg());
}

static void
put_u64(uint8_t *p, uint64_t v)
{
	buf_put_u32be(p, (uint32_t)(v >> 32));
	buf_put_u32be(p + 4, (uint32_t)v);
}

/* A writable copy. */
static void
copy(struct buf *b, const struct buf *from)
{
	buf_init(b, 8192);
	assert_int_equal(buf_add(b, from->data, from->len), PL_OK);
}

static void
expect_read(const struct buf *b, enum pl_err want, const char *msg)
{
	struct keyfile kf;
	enum pl_err err;

	pl_err_clear();
	err = keyfile_read(&kf, b->data, b->len);
	if (err != want)
		fail_msg("want %s, got %s: %s", pl_err_name(want), pl_err_name(err), pl_err_msg());
	if (msg != NULL)
		expect_msg(msg);
}

/* ---- truncation and trailing bytes ---- */

static void
test_truncation_at_every_offset(void **state)
{
	const struct buf *files[2] = { &locked, &clear };
	static struct party r;
	struct keyfile kf;
	struct keys *got;
	size_t f, i;
	int enc;

	(void)state;
	for (f = 0; f < 2; f++) {
		for (i = 0; i < files[f]->len; i++) {
			enum pl_err err;

			pl_err_clear();
			err = keyfile_read(&kf, files[f]->data, i);
			if (err != PL_E_TRUNC && err != PL_E_PROTO)
				fail_msg("file %zu cut at %zu: %s", f, i, pl_err_name(err));
			expect_msg("key file: ");
			expect_msg("at offset");
			assert_int_not_equal(keyring_peek(&r, &enc, files[f]->data, i), PL_OK);
			got = (struct keys *)&got;
			assert_int_not_equal(keyring_unlock(&got, &r, files[f]->data, i, "pw"),
			                     PL_OK);
			assert_null(got);
		}
	}
	/* The secret, one byte short: named as such. */
	assert_int_equal(keyfile_read(&kf, clear.data, clear.len - 1), PL_E_TRUNC);
	expect_msg("secret is 63 bytes, want 64");
	assert_int_equal(keyfile_read(&kf, locked.data, locked.len - 1), PL_E_TRUNC);
	expect_msg("secret is 79 bytes, want 80");
}

static void
test_trailing_bytes(void **state)
{
	char want[80];
	struct buf b;

	(void)state;
	copy(&b, &locked);
	assert_int_equal(buf_add_u8(&b, 0), PL_OK);
	(void)snprintf(want, sizeof(want), "secret is 81 bytes, want 80 at offset %zu",
	               OFF_RECORD + rec.len);
	expect_read(&b, PL_E_PROTO, want);
	buf_reset(&b);
	copy(&b, &clear);
	assert_int_equal(buf_add_zero(&b, 16), PL_OK);
	expect_read(&b, PL_E_PROTO, "secret is 80 bytes, want 64");
	buf_reset(&b);
}

/* ---- header fields ---- */

static void
test_header_fields_refused(void **state)
{
	struct buf b;

	(void)state;
	copy(&b, &clear);
	b.data[0] = 'P';
	expect_read(&b, PL_E_PROTO, "key file: label does not say key file at offset 0");
	b.data[0] = 'p';
	b.data[OFF_VERSION] = 2;
	expect_read(&b, PL_E_PROTO, "unknown version 2 (want 1) at offset 16");
	b.data[OFF_VERSION] = 0;
	expect_read(&b, PL_E_PROTO, "unknown version 0");
	b.data[OFF_VERSION] = 1;
	b.data[OFF_KDF] = 2;
	expect_read(&b, PL_E_PROTO, "unknown kdf 2 at offset 17");
	b.data[OFF_KDF] = 255;
	expect_read(&b, PL_E_PROTO, "unknown kdf 255");
	/* A clear file claiming Argon2id: its zero parameters are out of range. */
	b.data[OFF_KDF] = KEYS_KDF_ARGON2ID;
	expect_read(&b, PL_E_PROTO, "ops 0 outside 1..16");
	expect_msg("at offset 18");
	b.data[OFF_KDF] = KEYS_KDF_NONE;
	expect_read(&b, PL_OK, NULL);

	/* record_len: zero, past the largest record, past the end, one short. */
	buf_put_u32be(b.data + OFF_RECLEN, 0);
	expect_read(&b, PL_E_TOOBIG, "record_len 0 not in 1..");
	expect_msg("at offset 74");
	buf_put_u32be(b.data + OFF_RECLEN, PARTY_ENCODED_MAX + 1);
	expect_read(&b, PL_E_TOOBIG, "record_len");
	buf_put_u32be(b.data + OFF_RECLEN, UINT32_MAX);
	expect_read(&b, PL_E_TOOBIG, "record_len 4294967295");
	buf_put_u32be(b.data + OFF_RECLEN, (uint32_t)(clear.len - OFF_RECORD + 1));
	expect_read(&b, PL_E_TRUNC, "truncated reading record");
	buf_put_u32be(b.data + OFF_RECLEN, (uint32_t)rec.len - 1);
	expect_read(&b, PL_E_PROTO, "secret is 65 bytes, want 64");
	buf_put_u32be(b.data + OFF_RECLEN, (uint32_t)rec.len + 1);
	expect_read(&b, PL_E_TRUNC, "secret is 63 bytes, want 64");
	buf_reset(&b);

	/* A locked file claiming to be clear: its parameters are not zero. */
	copy(&b, &locked);
	b.data[OFF_KDF] = KEYS_KDF_NONE;
	expect_read(&b, PL_E_PROTO, "kdf parameters must be zero when kdf is none at offset 18");
	buf_reset(&b);
}

static void
test_hostile_kdf_parameters(void **state)
{
	static const struct {
		size_t off;
		uint64_t v;
		enum pl_err want;
		const char *msg;
	} cases[] = {
		{ OFF_OPS, 0, PL_E_PROTO, "ops 0 outside 1..16" },
		{ OFF_OPS, 17, PL_E_PROTO, "ops 17 outside 1..16" },
		{ OFF_OPS, 1000000, PL_E_PROTO, "ops 1000000" },
		{ OFF_OPS, UINT64_MAX, PL_E_PROTO, "ops 18446744073709551615" },
		{ OFF_OPS, 1, PL_OK, NULL },
		{ OFF_OPS, 16, PL_OK, NULL },
		{ OFF_MEM, 0, PL_E_PROTO, "memory 0 outside" },
		{ OFF_MEM, 8191, PL_E_PROTO, "memory 8191 outside 8192..4294967296" },
		{ OFF_MEM, (4ULL << 30) + 1, PL_E_PROTO, "memory 4294967297 outside" },
		{ OFF_MEM, 1ULL << 40, PL_E_PROTO, "memory 1099511627776" },
		{ OFF_MEM, UINT64_MAX, PL_E_PROTO, "memory 18446744073709551615" },
		{ OFF_MEM, 8192, PL_OK, NULL },
		{ OFF_MEM, 4ULL << 30, PL_OK, NULL },
	};
	static struct party r;
	struct keys *got;
	struct buf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		copy(&b, &locked);
		put_u64(b.data + cases[i].off, cases[i].v);
		expect_read(&b, cases[i].want, cases[i].msg);
		if (cases[i].want != PL_OK) {
			/* Debug builds put file:line between the detail and the offset. */
			expect_msg("key file: key: argon2id ");
			expect_msg("at offset 18");
			/* Refused before any passphrase hashing is attempted. */
			assert_int_equal(keyring_unlock(&got, &r, b.data, b.len, "pw"),
			                 cases[i].want);
			assert_null(got);
		}
		buf_reset(&b);
	}
}

static void
test_clear_file_with_parameters(void **state)
{
	static const size_t offs[] = { OFF_OPS + 7,   OFF_MEM,   OFF_MEM + 7,   OFF_SALT,
		                       OFF_SALT + 15, OFF_NONCE, OFF_NONCE + 23 };
	static struct party r;
	struct keys *got;
	struct buf b;
	size_t i;
	int enc;

	(void)state;
	copy(&b, &clear);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		b.data[offs[i]] = 1;
		expect_read(&b, PL_E_PROTO, "kdf parameters must be zero when kdf is none");
		assert_int_equal(keyring_peek(&r, &enc, b.data, b.len), PL_E_PROTO);
		assert_int_equal(keyring_unlock(&got, &r, b.data, b.len, NULL), PL_E_PROTO);
		b.data[offs[i]] = 0;
	}
	expect_read(&b, PL_OK, NULL);
	buf_reset(&b);
}

/* ---- damaged bytes ---- */

/* Every header byte of a clear file, two bits each: caught, no secret needed. */
static void
test_clear_file_every_header_byte(void **state)
{
	static struct party r;
	struct keys *got;
	struct buf b;
	size_t i;
	int enc, bit;

	(void)state;
	copy(&b, &clear);
	for (i = 0; i < OFF_RECORD + rec.len; i++)
		for (bit = 0; bit < 8; bit += 7) {
			b.data[i] ^= (uint8_t)(1u << bit);
			if (keyring_peek(&r, &enc, b.data, b.len) == PL_OK)
				fail_msg("byte %zu bit %d: peek accepted", i, bit);
			got = NULL;
			if (keyring_unlock(&got, &r, b.data, b.len, NULL) == PL_OK)
				fail_msg("byte %zu bit %d: unlock accepted", i, bit);
			assert_null(got);
			b.data[i] ^= (uint8_t)(1u << bit);
		}
	assert_int_equal(keyring_peek(&r, &enc, b.data, b.len), PL_OK);
	buf_reset(&b);
}

/*
 * Every header byte of a locked file: the header is the AEAD's associated
 * data, so even a change the parser accepts (salt, nonce, a KDF parameter
 * still in range) makes the unlock fail.  Bit 0 only: flipping high bits of
 * mem would ask Argon2id for gigabytes, which is allowed but slow.
 */
static void
test_locked_file_every_header_byte(void **state)
{
	static struct party r;
	size_t i, n_crypto = 0, n_parse = 0, hdr = OFF_RECORD + rec.len;
	struct keys *got;
	struct buf b;

	(void)state;
	copy(&b, &locked);
	for (i = 0; i < hdr; i++) {
		enum pl_err err;

		b.data[i] ^= 1;
		got = NULL;
		err = keyring_unlock(&got, &r, b.data, b.len, "pw");
		b.data[i] ^= 1;
		assert_null(got);
		if (err == PL_E_CRYPTO)
			n_crypto++;
		else if (err == PL_E_PROTO || err == PL_E_TRUNC || err == PL_E_TOOBIG)
			n_parse++;
		else
			fail_msg("byte %zu: %s (%s)", i, pl_err_name(err), pl_err_msg());
	}
	/* Salt and nonce alone are 40 bytes that only the AEAD can catch. */
	assert_true(n_crypto >= KEYS_SALT_LEN + AEAD_NONCE_LEN);
	assert_true(n_parse > 0);
	/* The ciphertext and its tag. */
	{
		static const size_t at[] = { 0, 1, 31, 32, 63, 64, 79 };

		for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
			b.data[hdr + at[i]] ^= 0x20;
			assert_int_equal(keyring_unlock(&got, &r, b.data, b.len, "pw"),
			                 PL_E_CRYPTO);
			expect_msg("wrong passphrase, or the key file was altered");
			assert_null(got);
			b.data[hdr + at[i]] ^= 0x20;
		}
	}
	assert_int_equal(keyring_unlock(&got, &r, b.data, b.len, "pw"), PL_OK);
	keys_free(got);
	buf_reset(&b);
}

/* A damaged secret in a clear file yields other keys, which the record then refuses. */
static void
test_clear_file_damaged_secret(void **state)
{
	static struct party r;
	struct keys *got;
	struct buf b;
	size_t hdr = OFF_RECORD + rec.len;

	(void)state;
	copy(&b, &clear);
	b.data[hdr] ^= 1; /* Ed25519 seed */
	assert_int_equal(keyring_unlock(&got, &r, b.data, b.len, NULL), PL_E_CRYPTO);
	expect_msg("secret keys do not match the record of 'us-nrrc'");
	assert_null(got);
	b.data[hdr] ^= 1;
	b.data[hdr + SIG_SEED_LEN + 5] ^= 1; /* X25519 secret */
	assert_int_equal(keyring_unlock(&got, &r, b.data, b.len, NULL), PL_E_CRYPTO);
	assert_null(got);
	buf_reset(&b);
}

/* The record inside a clear file, badly signed: peek refuses it. */
static void
test_record_signature_checked(void **state)
{
	static struct party r;
	struct keys *got;
	struct buf b;
	int enc = -1;

	(void)state;
	copy(&b, &clear);
	b.data[OFF_RECORD + rec.len - 1] ^= 1; /* last byte of the record's signature */
	assert_int_equal(keyring_peek(&r, &enc, b.data, b.len), PL_E_CRYPTO);
	expect_msg("bad self-signature");
	assert_int_equal(enc, -1);
	assert_int_equal(keyring_unlock(&got, &r, b.data, b.len, NULL), PL_E_CRYPTO);
	assert_null(got);
	buf_reset(&b);
}

/* ---- wrong keys, wrong passphrases ---- */

static void
test_wrong_passphrase(void **state)
{
	static const char *wrong[] = { "Pw", "pw ", " pw", "p", "pww", "PW", "\xc3\xa9" };
	static struct party r;
	struct keys *got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		got = (struct keys *)&got;
		pl_err_clear();
		assert_int_equal(keyring_unlock(&got, &r, locked.data, locked.len, wrong[i]),
		                 PL_E_CRYPTO);
		expect_msg("wrong passphrase");
		assert_null(got);
	}
	got = (struct keys *)&got;
	assert_int_equal(keyring_unlock(&got, &r, locked.data, locked.len, ""), PL_E_CRYPTO);
	assert_null(got);
	assert_int_equal(keyring_unlock(&got, &r, locked.data, locked.len, NULL), PL_E_ARG);
	expect_msg("needs a passphrase");
	assert_null(got);
}

/*
 * The secrets of one party under another's record: keyring_lock refuses to
 * write such a file, and a file spliced together that way is refused on
 * unlock.
 */
static void
test_swapped_record(void **state)
{
	static struct party r;
	struct keys *got;
	struct buf b;
	int enc;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(buf_add_str(&b, "keep"), PL_OK);
	assert_int_equal(keyring_lock(&b, k, rec2.data, rec2.len, NULL, NULL), PL_E_ARG);
	expect_msg("the record of 'ru-nrrc' holds other public keys");
	assert_int_equal(keyring_lock(&b, k, rec2.data, rec2.len, "pw", "interactive"), PL_E_ARG);
	assert_int_equal(b.len, 4);
	/* Splice: a clear file of us-nrrc with ru-nrrc's record in its place. */
	b.len = 0;
	assert_int_equal(keyring_lock(&b, k, rec.data, rec.len, NULL, NULL), PL_OK);
	assert_int_equal(rec2.len, rec.len);
	memcpy(b.data + OFF_RECORD, rec2.data, rec2.len);
	/* The public part alone is fine: the record is validly signed. */
	assert_int_equal(keyring_peek(&r, &enc, b.data, b.len), PL_OK);
	assert_string_equal(r.id, "ru-nrrc");
	got = (struct keys *)&got;
	assert_int_equal(keyring_unlock(&got, &r, b.data, b.len, NULL), PL_E_CRYPTO);
	expect_msg("secret keys do not match the record of 'ru-nrrc'");
	assert_null(got);
	buf_reset(&b);
}

/*
 * Another validly signed record of the same keys and length, spliced into a
 * locked file: the record checks out, but the header no longer matches the
 * associated data the secret was sealed with.
 */
static void
test_spliced_record(void **state)
{
	static struct party r;
	struct keys *got;
	struct buf other, b;
	int enc;

	(void)state;
	buf_init(&other, PARTY_ENCODED_MAX);
	make_record(&other, k, "us-nrrc", 2);
	assert_int_equal(other.len, rec.len);
	assert_memory_not_equal(other.data, rec.data, rec.len);
	copy(&b, &locked);
	memcpy(b.data + OFF_RECORD, other.data, other.len);
	assert_int_equal(keyring_peek(&r, &enc, b.data, b.len), PL_OK);
	assert_true(r.time_ms == 2);
	got = (struct keys *)&got;
	assert_int_equal(keyring_unlock(&got, &r, b.data, b.len, "pw"), PL_E_CRYPTO);
	assert_null(got);
	buf_reset(&b);
	buf_reset(&other);
}

/* ---- locking ---- */

static void
test_lock_refusals(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(buf_add_str(&b, "keep"), PL_OK);
	assert_int_equal(keyring_lock(&b, k, rec.data, rec.len, "", "interactive"), PL_E_ARG);
	expect_msg("empty passphrase");
	assert_int_equal(keyring_lock(&b, k, rec.data, rec.len, "pw", "quick"), PL_E_ARG);
	expect_msg("unknown kdf strength 'quick'");
	assert_int_equal(keyring_lock(&b, k, rec.data, rec.len, "pw", ""), PL_E_ARG);
	assert_int_equal(keyring_lock(&b, k, rec.data, 0, NULL, NULL), PL_E_ARG);
	assert_int_equal(keyring_lock(&b, k, rec.data, PARTY_ENCODED_MAX + 1, NULL, NULL),
	                 PL_E_ARG);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "keep", 4);
	buf_reset(&b);
	/* No room for the file: nothing appended. */
	buf_init(&b, OFF_RECORD + rec.len + KEYS_SECRET_LEN - 1);
	assert_int_equal(keyring_lock(&b, k, rec.data, rec.len, NULL, NULL), PL_E_TOOBIG);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
	buf_init(&b, OFF_RECORD + rec.len + KEYS_SECRET_LEN);
	assert_int_equal(keyring_lock(&b, k, rec.data, rec.len, NULL, NULL), PL_OK);
	assert_int_equal(b.len, clear.len);
	buf_reset(&b);
}

static void
test_lock_allocation_failures(void **state)
{
	const char *pass[2] = { NULL, "pw" };
	unsigned long n;
	enum pl_err err;
	struct buf b;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		for (n = 1;; n++) {
			buf_init(&b, 4096);
			assert_int_equal(buf_add_str(&b, "prefix"), PL_OK);
			(void)pl_alloc_fail_at(n);
			err = keyring_lock(&b, k, rec.data, rec.len, pass[i], "interactive");
			(void)pl_alloc_fail_at(0);
			if (err == PL_OK)
				break;
			assert_int_equal(err, PL_E_NOMEM);
			assert_int_equal(b.len, 6);
			assert_memory_equal(b.data, "prefix", 6);
			buf_reset(&b);
			assert_true(n < 32);
		}
		assert_true(n > 1);
		assert_int_equal(b.len, 6 + (i == 0 ? clear.len : locked.len));
		buf_reset(&b);
	}
}

/* ---- round trips ---- */

static void
check_keys(const struct keys *got)
{
	uint8_t sig[SIG_LEN], key[AEAD_KEY_LEN], opened[AEAD_KEY_LEN];
	uint8_t sealed[BOX_SEALED_KEY_LEN];

	assert_non_null(got);
	assert_memory_equal(keys_sign_pk(got), keys_sign_pk(k), SIG_PK_LEN);
	assert_memory_equal(keys_box_pk(got), keys_box_pk(k), BOX_PK_LEN);
	/* The secret halves work: a signature verifies, a sealed key opens. */
	keys_sign(got, sig, "hello", 5);
	assert_int_equal(sig_verify(sig, keys_sign_pk(k), "hello", 5), PL_OK);
	cr_random(key, sizeof(key));
	assert_int_equal(box_seal_key(sealed, key, keys_box_pk(k)), PL_OK);
	assert_int_equal(keys_open(got, opened, sealed), PL_OK);
	assert_memory_equal(opened, key, sizeof(key));
}

static void
test_locked_round_trip(void **state)
{
	static struct party r;
	struct keyfile kf;
	struct keys *got = NULL;
	int enc = -1;

	(void)state;
	assert_int_equal(keyring_peek(&r, &enc, locked.data, locked.len), PL_OK);
	assert_int_equal(enc, 1);
	assert_string_equal(r.id, "us-nrrc");
	assert_memory_equal(r.sign_pk, keys_sign_pk(k), SIG_PK_LEN);
	assert_int_equal(keyring_unlock(&got, &r, locked.data, locked.len, "pw"), PL_OK);
	check_keys(got);
	keys_free(got);

	/* The layout: interactive parameters, random salt and nonce, the record verbatim. */
	assert_int_equal(keyfile_read(&kf, locked.data, locked.len), PL_OK);
	assert_int_equal(kf.kdf.alg, KEYS_KDF_ARGON2ID);
	assert_true(kf.kdf.ops == 2);
	assert_true(kf.kdf.mem == 64ULL << 20);
	assert_memory_not_equal(kf.kdf.salt, (uint8_t[KEYS_SALT_LEN]){ 0 }, KEYS_SALT_LEN);
	assert_memory_not_equal(kf.nonce, (uint8_t[AEAD_NONCE_LEN]){ 0 }, AEAD_NONCE_LEN);
	assert_int_equal(kf.record_len, rec.len);
	assert_memory_equal(kf.record, rec.data, rec.len);
	assert_int_equal(kf.header_len, OFF_RECORD + rec.len);
	assert_int_equal(kf.secret_len, KEYS_WRAPPED_LEN);
	assert_int_equal(locked.len, OFF_RECORD + rec.len + KEYS_WRAPPED_LEN);
	assert_memory_equal(locked.data, KEYFILE_LABEL, 16);
}

static void
test_each_lock_is_fresh(void **state)
{
	struct keyfile a, b;
	struct buf again;

	(void)state;
	buf_init(&again, 4096);
	assert_int_equal(keyring_lock(&again, k, rec.data, rec.len, "pw", "interactive"), PL_OK);
	assert_int_equal(again.len, locked.len);
	assert_int_equal(keyfile_read(&a, locked.data, locked.len), PL_OK);
	assert_int_equal(keyfile_read(&b, again.data, again.len), PL_OK);
	assert_memory_not_equal(a.kdf.salt, b.kdf.salt, KEYS_SALT_LEN);
	assert_memory_not_equal(a.nonce, b.nonce, AEAD_NONCE_LEN);
	assert_memory_not_equal(a.secret, b.secret, KEYS_WRAPPED_LEN);
	buf_reset(&again);
}

static void
test_clear_round_trip(void **state)
{
	static struct party r;
	struct keyfile kf;
	struct keys *got = NULL, *from;
	int enc = -1;

	(void)state;
	assert_int_equal(keyring_peek(&r, &enc, clear.data, clear.len), PL_OK);
	assert_int_equal(enc, 0);
	assert_string_equal(r.id, "us-nrrc");
	assert_int_equal(keyring_unlock(&got, &r, clear.data, clear.len, NULL), PL_OK);
	check_keys(got);
	keys_free(got);
	/* A passphrase given for a clear file is ignored. */
	assert_int_equal(keyring_unlock(&got, &r, clear.data, clear.len, "anything"), PL_OK);
	check_keys(got);
	keys_free(got);

	assert_int_equal(keyfile_read(&kf, clear.data, clear.len), PL_OK);
	assert_int_equal(kf.kdf.alg, KEYS_KDF_NONE);
	assert_true(kf.kdf.ops == 0 && kf.kdf.mem == 0);
	assert_int_equal(kf.secret_len, KEYS_SECRET_LEN);
	assert_int_equal(clear.len, OFF_RECORD + rec.len + KEYS_SECRET_LEN);
	/* The clear secret is the seed and the X25519 key, as documented. */
	from = keys_from_secret(kf.secret);
	assert_non_null(from);
	assert_memory_equal(keys_sign_pk(from), keys_sign_pk(k), SIG_PK_LEN);
	assert_memory_equal(keys_box_pk(from), keys_box_pk(k), BOX_PK_LEN);
	keys_free(from);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncation_at_every_offset),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_header_fields_refused),
		cmocka_unit_test(test_hostile_kdf_parameters),
		cmocka_unit_test(test_clear_file_with_parameters),
		cmocka_unit_test(test_clear_file_every_header_byte),
		cmocka_unit_test(test_locked_file_every_header_byte),
		cmocka_unit_test(test_clear_file_damaged_secret),
		cmocka_unit_test(test_record_signature_checked),
		cmocka_unit_test(test_wrong_passphrase),
		cmocka_unit_test(test_swapped_record),
		cmocka_unit_test(test_spliced_record),
		cmocka_unit_test(test_lock_refusals),
		cmocka_unit_test(test_lock_allocation_failures),
		cmocka_unit_test(test_locked_round_trip),
		cmocka_unit_test(test_each_lock_is_fresh),
		cmocka_unit_test(test_clear_round_trip),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
