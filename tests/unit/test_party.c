/*
 * test_party.c - party records: signing, reading, every malformed byte,
 * limits, key rotation, fingerprints.
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
#include "crypto/cr.h"

struct fixture {
	struct keys *k, *k2, *k3;
	struct party rec;
	struct buf enc; /* rec, signed */
	uint8_t id[HASH_LEN];
};

static void
fill(struct party *r, const struct keys *k, uint32_t revision, const uint8_t *prev)
{
	memset(r, 0, sizeof(*r));
	r->version = PARTY_VERSION;
	(void)snprintf(r->id, sizeof(r->id), "us-nrrc");
	r->revision = revision;
	r->time_ms = 1767225600000ULL + revision;
	memcpy(r->sign_pk, keys_sign_pk(k), SIG_PK_LEN);
	memcpy(r->box_pk, keys_box_pk(k), BOX_PK_LEN);
	r->n_endpoints = 2;
	(void)snprintf(r->endpoints[0], PARTY_URL_MAX, "https://nrrc.example/parley");
	(void)snprintf(r->endpoints[1], PARTY_URL_MAX, "http://10.0.0.1:8443/p");
	r->n_contacts = 1;
	(void)snprintf(r->contacts[0].role, sizeof(r->contacts[0].role), "duty");
	(void)snprintf(r->contacts[0].name, sizeof(r->contacts[0].name), "Дежурный");
	(void)snprintf(r->contacts[0].languages, sizeof(r->contacts[0].languages), "en,ru");
	(void)snprintf(r->contacts[0].hours, sizeof(r->contacts[0].hours), "24/7");
	(void)snprintf(r->contacts[0].reach, sizeof(r->contacts[0].reach), "+1 202 555 0100");
	if (prev != NULL)
		memcpy(r->prev, prev, HASH_LEN);
}

static int
setup(void **state)
{
	static struct fixture f;

	if (cr_init() != PL_OK)
		return -1;
	f.k = keys_new();
	f.k2 = keys_new();
	f.k3 = keys_new();
	fill(&f.rec, f.k, 1, NULL);
	buf_init(&f.enc, PARTY_ENCODED_MAX);
	if (identity_sign(&f.enc, &f.rec, f.k, NULL) != PL_OK)
		return -1;
	hash_sha256(f.id, f.enc.data, f.enc.len);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	keys_free(f->k);
	keys_free(f->k2);
	keys_free(f->k3);
	buf_reset(&f->enc);
	return 0;
}

static void
test_round_trip(void **state)
{
	struct fixture *f = *state;
	static struct party r;

	assert_int_equal(identity_verify(&r, f->enc.data, f->enc.len, NULL, NULL), PL_OK);
	assert_string_equal(r.id, "us-nrrc");
	assert_int_equal(r.revision, 1);
	assert_memory_equal(r.sign_pk, keys_sign_pk(f->k), SIG_PK_LEN);
	assert_memory_equal(r.box_pk, keys_box_pk(f->k), BOX_PK_LEN);
	assert_int_equal(r.n_endpoints, 2);
	assert_string_equal(r.endpoints[1], "http://10.0.0.1:8443/p");
	assert_int_equal(r.n_contacts, 1);
	assert_string_equal(r.contacts[0].name, "Дежурный");
	assert_string_equal(r.contacts[0].languages, "en,ru");
	assert_int_equal(r.signed_len + SIG_LEN, f->enc.len);
}

static void
test_truncation_at_every_offset(void **state)
{
	struct fixture *f = *state;
	static struct party r;
	size_t n;

	for (n = 0; n < f->enc.len; n++) {
		enum pl_err err = party_read(&r, f->enc.data, n);

		assert_true(err == PL_E_TRUNC || err == PL_E_PROTO);
		assert_non_null(strstr(pl_err_msg(), "party record: "));
		assert_non_null(strstr(pl_err_msg(), "at offset"));
	}
}

static void
test_every_bit_flip_refused(void **state)
{
	struct fixture *f = *state;
	static struct party r;
	struct buf b;
	size_t i;

	buf_init(&b, PARTY_ENCODED_MAX + 1);
	assert_int_equal(buf_add(&b, f->enc.data, f->enc.len), PL_OK);
	for (i = 0; i < b.len; i++) {
		b.data[i] ^= 0x04;
		assert_int_not_equal(identity_verify(&r, b.data, b.len, NULL, NULL), PL_OK);
		b.data[i] ^= 0x04;
	}
	assert_int_equal(buf_add_u8(&b, 0), PL_OK);
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "trailing"));
	b.len--;
	b.data[16] = 9;
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "unknown version 9 (want 1) at offset 16"));
	buf_reset(&b);
}

/* Write r's signed part by hand, bypassing the writer's checks, plus a zero signature. */
static void
raw_record(struct buf *b, size_t n_end, size_t url_len, size_t n_con, size_t name_len)
{
	size_t i;

	b->len = 0;
	assert_int_equal(buf_add(b, PARTY_LABEL, 16), PL_OK);
	assert_int_equal(buf_add_u8(b, 1), PL_OK);
	assert_int_equal(buf_add_u8(b, 1), PL_OK);
	assert_int_equal(buf_add_str(b, "x"), PL_OK);
	assert_int_equal(buf_add_u32be(b, 1), PL_OK);
	assert_int_equal(buf_add_u64be(b, 0), PL_OK);
	assert_int_equal(buf_add_zero(b, 64), PL_OK);
	assert_int_equal(buf_add_u8(b, (uint8_t)n_end), PL_OK);
	for (i = 0; i < n_end; i++) {
		size_t k;

		assert_true(url_len >= 8);
		assert_int_equal(buf_add_u16be(b, (uint16_t)url_len), PL_OK);
		assert_int_equal(buf_add_str(b, "https://"), PL_OK);
		for (k = 8; k < url_len; k++)
			assert_int_equal(buf_add_u8(b, 'a'), PL_OK);
	}
	assert_int_equal(buf_add_u8(b, (uint8_t)n_con), PL_OK);
	for (i = 0; i < n_con; i++) {
		size_t k;

		assert_int_equal(buf_add_u8(b, 4), PL_OK);
		assert_int_equal(buf_add_str(b, "duty"), PL_OK);
		assert_int_equal(buf_add_u16be(b, (uint16_t)name_len), PL_OK);
		for (k = 0; k < name_len; k++)
			assert_int_equal(buf_add_u8(b, 'n'), PL_OK);
		assert_int_equal(buf_add_u8(b, 2), PL_OK);
		assert_int_equal(buf_add_str(b, "en"), PL_OK);
		assert_int_equal(buf_add_u8(b, 0), PL_OK);
		assert_int_equal(buf_add_u16be(b, 0), PL_OK);
	}
	assert_int_equal(buf_add_zero(b, 32 + SIG_LEN), PL_OK);
}

static void
expect_raw(size_t n_end, size_t url_len, size_t n_con, size_t name_len, enum pl_err want,
           const char *msg)
{
	static struct party r;
	struct buf b;

	buf_init(&b, 4 * PARTY_ENCODED_MAX);
	raw_record(&b, n_end, url_len, n_con, name_len);
	if (party_read(&r, b.data, b.len) != want)
		fail_msg("n_end %zu url %zu n_con %zu name %zu: %s", n_end, url_len, n_con,
		         name_len, pl_err_msg());
	if (msg != NULL && strstr(pl_err_msg(), msg) == NULL)
		fail_msg("want '%s' in '%s'", msg, pl_err_msg());
	buf_reset(&b);
}

static void
test_limits(void **state)
{
	(void)state;
	expect_raw(1, 20, 1, 4, PL_OK, NULL);
	expect_raw(PARTY_ENDPOINTS_MAX, PARTY_URL_MAX, PARTY_CONTACTS_MAX, PARTY_NAME_MAX, PL_OK,
	           NULL);
	expect_raw(PARTY_ENDPOINTS_MAX + 1, 20, 0, 0, PL_E_TOOBIG, "n_endpoints 9 > 8");
	expect_raw(1, PARTY_URL_MAX + 1, 0, 0, PL_E_TOOBIG, "endpoint length 513 > 512");
	expect_raw(0, 8, PARTY_CONTACTS_MAX + 1, 1, PL_E_TOOBIG, "n_contacts 17 > 16");
	expect_raw(0, 8, 1, PARTY_NAME_MAX + 1, PL_E_TOOBIG, "contact name length 257 > 256");
	/* "https://" alone is not a URL. */
	expect_raw(1, 8, 0, 0, PL_E_PROTO, "not an http(s) URL");
}

static void
test_rotation(void **state)
{
	struct fixture *f = *state;
	static struct party prev, r2, out;
	uint8_t bad_id[HASH_LEN];
	struct buf b;

	assert_int_equal(identity_verify(&prev, f->enc.data, f->enc.len, NULL, NULL), PL_OK);
	buf_init(&b, PARTY_ENCODED_MAX);
	fill(&r2, f->k2, 2, f->id);
	assert_int_equal(identity_sign(&b, &r2, f->k2, NULL), PL_E_ARG); /* old key needed */
	assert_int_equal(identity_sign(&b, &r2, f->k2, f->k), PL_OK);
	assert_int_equal(identity_verify(&out, b.data, b.len, &prev, f->id), PL_OK);
	assert_int_equal(out.revision, 2);
	/* Alone it is still self-signed. */
	assert_int_equal(identity_verify(&out, b.data, b.len, NULL, NULL), PL_OK);

	/* Signed by a third key instead of the previous one. */
	b.len = 0;
	assert_int_equal(identity_sign(&b, &r2, f->k2, f->k3), PL_OK);
	assert_int_equal(identity_verify(&out, b.data, b.len, &prev, f->id), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "not signed by the previous key"));

	/* Wrong previous id. */
	memcpy(bad_id, f->id, HASH_LEN);
	bad_id[0] ^= 1;
	fill(&r2, f->k2, 2, bad_id);
	b.len = 0;
	assert_int_equal(identity_sign(&b, &r2, f->k2, f->k), PL_OK);
	assert_int_equal(identity_verify(&out, b.data, b.len, &prev, f->id), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "another previous record"));

	/* Skipped revision. */
	fill(&r2, f->k2, 3, f->id);
	b.len = 0;
	assert_int_equal(identity_sign(&b, &r2, f->k2, f->k), PL_OK);
	assert_int_equal(identity_verify(&out, b.data, b.len, &prev, f->id), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "does not follow"));

	/* Another party's id. */
	fill(&r2, f->k2, 2, f->id);
	(void)snprintf(r2.id, sizeof(r2.id), "ru-nrrc");
	b.len = 0;
	assert_int_equal(identity_sign(&b, &r2, f->k2, f->k), PL_OK);
	assert_int_equal(identity_verify(&out, b.data, b.len, &prev, f->id), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "cannot follow"));
	buf_reset(&b);
}

static void
test_sign_refuses_bad_records(void **state)
{
	struct fixture *f = *state;
	static struct party r;
	struct buf b;

	buf_init(&b, PARTY_ENCODED_MAX);
	fill(&r, f->k, 1, NULL);
	assert_int_equal(identity_sign(&b, &r, f->k2, NULL), PL_E_ARG);
	assert_non_null(strstr(pl_err_msg(), "do not match"));
	fill(&r, f->k, 1, f->id);
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);
	fill(&r, f->k, 1, NULL);
	(void)snprintf(r.endpoints[0], PARTY_URL_MAX, "ftp://x");
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);
	fill(&r, f->k, 1, NULL);
	(void)snprintf(r.contacts[0].languages, sizeof(r.contacts[0].languages), "en;ru");
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);
	fill(&r, f->k, 1, NULL);
	r.contacts[0].name[1] = '\n';
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);
	fill(&r, f->k, 1, NULL);
	(void)snprintf(r.id, sizeof(r.id), "US");
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
}

static void
test_fingerprint(void **state)
{
	struct fixture *f = *state;
	char fp[PARTY_FP_STR_LEN + 1], typed[80];
	size_t i;

	identity_fingerprint(fp, f->rec.id, f->rec.sign_pk);
	assert_int_equal(strlen(fp), 39);
	for (i = 0; i < 39; i++)
		assert_true(i % 5 == 4 ? fp[i] == '-' : strchr("0123456789abcdef", fp[i]) != NULL);
	assert_true(identity_fingerprint_match(&f->rec, fp));
	for (i = 0; fp[i] != '\0'; i++)
		typed[i] = fp[i] == '-' ? ':' : (char)(fp[i] >= 'a' ? fp[i] - 32 : fp[i]);
	typed[i] = '\0';
	assert_true(identity_fingerprint_match(&f->rec, typed));
	typed[0] = typed[0] == '0' ? '1' : '0';
	assert_false(identity_fingerprint_match(&f->rec, typed));
	assert_false(identity_fingerprint_match(&f->rec, "1234"));
	(void)snprintf(typed, sizeof(typed), "%s0", fp);
	assert_false(identity_fingerprint_match(&f->rec, typed));
	/* The id is bound in: the same key under another name has another fingerprint. */
	{
		char other[PARTY_FP_STR_LEN + 1];

		identity_fingerprint(other, "ru-nrrc", f->rec.sign_pk);
		assert_string_not_equal(other, fp);
	}
}

static void
test_sign_allocation_failures(void **state)
{
	struct fixture *f = *state;
	unsigned long n;
	enum pl_err err;
	struct buf b;

	for (n = 1;; n++) {
		buf_init(&b, PARTY_ENCODED_MAX);
		(void)pl_alloc_fail_at(n);
		err = identity_sign(&b, &f->rec, f->k, NULL);
		(void)pl_alloc_fail_at(0);
		if (err == PL_OK) {
			assert_int_equal(b.len, f->enc.len);
			buf_reset(&b);
			break;
		}
		assert_int_equal(err, PL_E_NOMEM);
		assert_int_equal(b.len, 0);
		buf_reset(&b);
		assert_true(n < 50);
	}
	assert_true(n > 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_truncation_at_every_offset),
		cmocka_unit_test(test_every_bit_flip_refused),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_sign_refuses_bad_records),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_sign_allocation_failures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
