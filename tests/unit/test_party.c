/*
 * test_party.c - party records: every truncation, every flipped bit, every
 * count and length at its limit and one past it, key rotation and its
 * forgeries, fingerprints, and allocation failures while signing.
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

/* Offsets in the fixture's records (id "us-nrrc", 7 bytes). */
#define OFF_VERSION  16
#define OFF_REVISION (16 + 1 + 1 + 7)
#define OFF_N_END    (OFF_REVISION + 4 + 8 + 32 + 32)

struct fixture {
	struct keys *k, *k2, *k3;
	struct party rec, rec2; /* revision 1 by k; revision 2 by k2, rotated from k */
	struct buf enc, enc2;
	uint8_t id[HASH_LEN], id2[HASH_LEN];
};

static struct fixture fx;

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
group_setup(void **state)
{
	if (cr_init() != PL_OK)
		return -1;
	fx.k = keys_new();
	fx.k2 = keys_new();
	fx.k3 = keys_new();
	if (fx.k == NULL || fx.k2 == NULL || fx.k3 == NULL)
		return -1;
	fill(&fx.rec, fx.k, 1, NULL);
	buf_init(&fx.enc, PARTY_ENCODED_MAX);
	if (identity_sign(&fx.enc, &fx.rec, fx.k, NULL) != PL_OK)
		return -1;
	hash_sha256(fx.id, fx.enc.data, fx.enc.len);
	fill(&fx.rec2, fx.k2, 2, fx.id);
	buf_init(&fx.enc2, PARTY_ENCODED_MAX);
	if (identity_sign(&fx.enc2, &fx.rec2, fx.k2, fx.k) != PL_OK)
		return -1;
	hash_sha256(fx.id2, fx.enc2.data, fx.enc2.len);
	*state = &fx;
	return 0;
}

static int
group_teardown(void **state)
{
	struct fixture *f = *state;

	keys_free(f->k);
	keys_free(f->k2);
	keys_free(f->k3);
	buf_reset(&f->enc);
	buf_reset(&f->enc2);
	return 0;
}

static void
expect_msg(const char *want)
{
	if (strstr(pl_err_msg(), want) == NULL)
		fail_msg("want '%s' in '%s'", want, pl_err_msg());
}

/* A private, writable copy of an encoding, with room to grow. */
static void
copy(struct buf *b, const struct buf *from)
{
	buf_init(b, 2 * PARTY_ENCODED_MAX);
	assert_int_equal(buf_add(b, from->data, from->len), PL_OK);
}

static void
put_u32(uint8_t *p, uint32_t v)
{
	buf_put_u32be(p, v);
}

/* ---- truncation, trailing bytes, version, label ---- */

static void
test_truncation_at_every_offset(void **state)
{
	struct fixture *f = *state;
	const struct buf *encs[2] = { &f->enc, &f->enc2 };
	static struct party r;
	size_t i, n;

	for (i = 0; i < 2; i++) {
		for (n = 0; n < encs[i]->len; n++) {
			enum pl_err err;

			pl_err_clear();
			err = party_read(&r, encs[i]->data, n);
			if (err != PL_E_TRUNC && err != PL_E_PROTO)
				fail_msg("record %zu cut at %zu: %s", i, n, pl_err_name(err));
			expect_msg("party record: ");
			expect_msg("at offset");
			pl_err_clear();
			err = identity_verify(&r, encs[i]->data, n, NULL, NULL);
			if (err != PL_E_TRUNC && err != PL_E_PROTO)
				fail_msg("record %zu cut at %zu: verify says %s", i, n,
				         pl_err_name(err));
			expect_msg("at offset");
		}
	}
	/* A revision 2 record without its prev_sig looks complete but is not. */
	assert_int_equal(party_read(&r, f->enc2.data, f->enc2.len - SIG_LEN), PL_E_TRUNC);
	expect_msg("truncated reading prev_sig");
	assert_int_equal(party_read(&r, f->enc.data, f->enc.len - SIG_LEN), PL_E_TRUNC);
	expect_msg("truncated reading sig");
}

static void
test_trailing_bytes(void **state)
{
	struct fixture *f = *state;
	static struct party r;
	char want[64];
	struct buf b;

	copy(&b, &f->enc);
	assert_int_equal(buf_add_u8(&b, 0), PL_OK);
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_PROTO);
	(void)snprintf(want, sizeof(want), "1 trailing bytes at offset %zu", f->enc.len);
	expect_msg(want);
	assert_int_not_equal(identity_verify(&r, b.data, b.len, NULL, NULL), PL_OK);
	/* A prev_sig on a revision 1 record is not part of it. */
	b.len = f->enc.len;
	assert_int_equal(buf_add(&b, f->enc2.data + f->enc2.len - SIG_LEN, SIG_LEN), PL_OK);
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_PROTO);
	expect_msg("64 trailing bytes");
	buf_reset(&b);

	copy(&b, &f->enc2);
	assert_int_equal(buf_add_u8(&b, 0), PL_OK);
	assert_int_equal(identity_verify(&r, b.data, b.len, &f->rec, f->id), PL_E_PROTO);
	expect_msg("trailing");
	/* Past the largest record possible: refused before parsing. */
	assert_int_equal(buf_add_zero(&b, PARTY_ENCODED_MAX + 1 - b.len), PL_OK);
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_TOOBIG);
	(void)snprintf(want, sizeof(want), "%zu bytes > %zu at offset 0", b.len,
	               (size_t)PARTY_ENCODED_MAX);
	expect_msg(want);
	b.len--;
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_PROTO); /* trailing, not too big */
	buf_reset(&b);
}

static void
test_unknown_version_and_label(void **state)
{
	struct fixture *f = *state;
	static const uint8_t versions[] = { 0, 2, 9, 255 };
	static struct party r;
	char want[64];
	struct buf b;
	size_t i;

	copy(&b, &f->enc);
	for (i = 0; i < sizeof(versions); i++) {
		b.data[OFF_VERSION] = versions[i];
		assert_int_equal(party_read(&r, b.data, b.len), PL_E_PROTO);
		(void)snprintf(want, sizeof(want), "unknown version %u (want 1) at offset 16",
		               versions[i]);
		expect_msg(want);
	}
	b.data[OFF_VERSION] = PARTY_VERSION;
	assert_int_equal(party_read(&r, b.data, b.len), PL_OK);
	/* Another structure's label, and a label differing only in its padding. */
	memcpy(b.data, "parley-receipt\0\0", 16);
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_PROTO);
	expect_msg("party record: label does not say party record at offset 0");
	memcpy(b.data, PARTY_LABEL, 16);
	b.data[15] = 1;
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_PROTO);
	buf_reset(&b);
}

/* Revision and prev must agree: revision 1 iff prev is zero, never revision 0. */
static void
test_revision_and_prev_rules(void **state)
{
	struct fixture *f = *state;
	static struct party r;
	struct buf b;

	copy(&b, &f->enc);
	put_u32(b.data + OFF_REVISION, 0);
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_PROTO);
	expect_msg("revision 0 (revisions start at 1)");
	put_u32(b.data + OFF_REVISION, 1);
	b.data[f->enc.len - SIG_LEN - 1] = 1; /* last byte of prev */
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_PROTO);
	expect_msg("prev must be all zero in revision 1");
	buf_reset(&b);

	/* Revision 2 with a zero prev (and a prev_sig so the length is right). */
	copy(&b, &f->enc2);
	memset(b.data + f->enc2.len - 2 * SIG_LEN - HASH_LEN, 0, HASH_LEN);
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_PROTO);
	expect_msg("prev is all zero but revision > 1");
	buf_reset(&b);

	/* Revision 1 patched to 2 lacks the prev_sig it then needs. */
	copy(&b, &f->enc);
	put_u32(b.data + OFF_REVISION, 2);
	assert_int_not_equal(party_read(&r, b.data, b.len), PL_OK);
	buf_reset(&b);
}

/* ---- limits, on records built by hand ---- */

struct shape {
	size_t id_len, n_end, url_len, n_con, role_len, name_len, lang_len, hours_len, reach_len;
};

static const struct shape plain = { 7, 1, 20, 1, 4, 4, 5, 4, 10 };

static void
add_run(struct buf *b, char c, size_t n)
{
	while (n-- > 0)
		assert_int_equal(buf_add_u8(b, (uint8_t)c), PL_OK);
}

/* A language list of exactly n bytes: one tag, or two joined by a comma. */
static void
add_languages(struct buf *b, size_t n)
{
	if (n <= 35) {
		add_run(b, 'e', n);
		return;
	}
	add_run(b, 'a', n - 33);
	add_run(b, ',', 1);
	add_run(b, 'b', 32);
}

/* The record s describes, with zero keys and a zero signature (party_read checks no signature). */
static void
build(struct buf *b, const struct shape *s)
{
	size_t i;

	b->len = 0;
	assert_int_equal(buf_add(b, PARTY_LABEL, 16), PL_OK);
	assert_int_equal(buf_add_u8(b, PARTY_VERSION), PL_OK);
	assert_int_equal(buf_add_u8(b, (uint8_t)s->id_len), PL_OK);
	add_run(b, 'p', s->id_len);
	assert_int_equal(buf_add_u32be(b, 1), PL_OK);
	assert_int_equal(buf_add_u64be(b, 0), PL_OK);
	assert_int_equal(buf_add_zero(b, SIG_PK_LEN + BOX_PK_LEN), PL_OK);
	assert_int_equal(buf_add_u8(b, (uint8_t)s->n_end), PL_OK);
	for (i = 0; i < s->n_end; i++) {
		assert_true(s->url_len > 8);
		assert_int_equal(buf_add_u16be(b, (uint16_t)s->url_len), PL_OK);
		assert_int_equal(buf_add_str(b, "https://"), PL_OK);
		add_run(b, 'u', s->url_len - 8);
	}
	assert_int_equal(buf_add_u8(b, (uint8_t)s->n_con), PL_OK);
	for (i = 0; i < s->n_con; i++) {
		assert_int_equal(buf_add_u8(b, (uint8_t)s->role_len), PL_OK);
		add_run(b, 'd', s->role_len);
		assert_int_equal(buf_add_u16be(b, (uint16_t)s->name_len), PL_OK);
		add_run(b, 'n', s->name_len);
		assert_int_equal(buf_add_u8(b, (uint8_t)s->lang_len), PL_OK);
		add_languages(b, s->lang_len);
		assert_int_equal(buf_add_u8(b, (uint8_t)s->hours_len), PL_OK);
		add_run(b, 'h', s->hours_len);
		assert_int_equal(buf_add_u16be(b, (uint16_t)s->reach_len), PL_OK);
		add_run(b, 'r', s->reach_len);
	}
	assert_int_equal(buf_add_zero(b, HASH_LEN + SIG_LEN), PL_OK);
}

static void
expect_shape(const struct shape *s, enum pl_err want, const char *msg)
{
	static struct party r;
	enum pl_err err;
	struct buf b;

	buf_init(&b, 4 * PARTY_ENCODED_MAX);
	build(&b, s);
	pl_err_clear();
	if ((err = party_read(&r, b.data, b.len)) != want)
		fail_msg("id %zu end %zu url %zu con %zu role %zu name %zu lang %zu hours %zu "
		         "reach %zu: want %s, got %s: %s",
		         s->id_len, s->n_end, s->url_len, s->n_con, s->role_len, s->name_len,
		         s->lang_len, s->hours_len, s->reach_len, pl_err_name(want),
		         pl_err_name(err), pl_err_msg());
	if (msg != NULL)
		expect_msg(msg);
	if (want == PL_OK) {
		assert_int_equal(strlen(r.id), s->id_len);
		assert_int_equal(r.n_endpoints, s->n_end);
		assert_int_equal(r.n_contacts, s->n_con);
		if (s->n_end > 0)
			assert_int_equal(strlen(r.endpoints[s->n_end - 1]), s->url_len);
		if (s->n_con > 0) {
			const struct party_contact *c = &r.contacts[s->n_con - 1];

			assert_int_equal(strlen(c->role), s->role_len);
			assert_int_equal(strlen(c->name), s->name_len);
			assert_int_equal(strlen(c->languages), s->lang_len);
			assert_int_equal(strlen(c->hours), s->hours_len);
			assert_int_equal(strlen(c->reach), s->reach_len);
		}
	}
	buf_reset(&b);
}

static void
test_limits_one_past(void **state)
{
	struct shape s;

	(void)state;
	s = plain, s.n_end = PARTY_ENDPOINTS_MAX + 1;
	expect_shape(&s, PL_E_TOOBIG, "n_endpoints 9 > 8");
	s = plain, s.n_end = 255;
	expect_shape(&s, PL_E_TOOBIG, "n_endpoints 255 > 8");
	s = plain, s.url_len = PARTY_URL_MAX + 1;
	expect_shape(&s, PL_E_TOOBIG, "endpoint length 513 > 512");
	s = plain, s.n_con = PARTY_CONTACTS_MAX + 1;
	expect_shape(&s, PL_E_TOOBIG, "n_contacts 17 > 16");
	s = plain, s.name_len = PARTY_NAME_MAX + 1;
	expect_shape(&s, PL_E_TOOBIG, "contact name length 257 > 256");
	s = plain, s.reach_len = PARTY_REACH_MAX + 1;
	expect_shape(&s, PL_E_TOOBIG, "contact reach length 257 > 256");
	s = plain, s.lang_len = PARTY_SHORT_MAX + 1;
	expect_shape(&s, PL_E_TOOBIG, "contact languages length 64 > 63");
	s = plain, s.hours_len = PARTY_SHORT_MAX + 1;
	expect_shape(&s, PL_E_TOOBIG, "contact hours length 64 > 63");
	s = plain, s.id_len = CODEC_ID_MAX + 1;
	expect_shape(&s, PL_E_PROTO, "id length 64 not in 1..63 at offset 17");
	s = plain, s.id_len = 0;
	expect_shape(&s, PL_E_PROTO, "id length 0 not in 1..63");
	s = plain, s.role_len = CODEC_ID_MAX + 1;
	expect_shape(&s, PL_E_PROTO, "contact role length 64 not in 1..63");
	s = plain, s.role_len = 0;
	expect_shape(&s, PL_E_PROTO, "contact role length 0 not in 1..63");
}

static void
test_limits_at_max(void **state)
{
	struct shape s;

	(void)state;
	expect_shape(&plain, PL_OK, NULL);
	s = plain, s.n_end = 0, s.n_con = 0;
	expect_shape(&s, PL_OK, NULL);
	s = plain, s.n_end = PARTY_ENDPOINTS_MAX;
	expect_shape(&s, PL_OK, NULL);
	s = plain, s.url_len = PARTY_URL_MAX;
	expect_shape(&s, PL_OK, NULL);
	s = plain, s.n_con = PARTY_CONTACTS_MAX;
	expect_shape(&s, PL_OK, NULL);
	s = plain, s.name_len = PARTY_NAME_MAX;
	expect_shape(&s, PL_OK, NULL);
	s = plain, s.reach_len = PARTY_REACH_MAX;
	expect_shape(&s, PL_OK, NULL);
	s = plain, s.lang_len = PARTY_SHORT_MAX;
	expect_shape(&s, PL_OK, NULL);
	s = plain, s.hours_len = PARTY_SHORT_MAX;
	expect_shape(&s, PL_OK, NULL);
	s = plain, s.id_len = CODEC_ID_MAX;
	expect_shape(&s, PL_OK, NULL);
	s = plain, s.role_len = CODEC_ID_MAX;
	expect_shape(&s, PL_OK, NULL);
	/* Everything at once: the largest record there is, PARTY_ENCODED_MAX minus prev_sig. */
	s = (struct shape){ CODEC_ID_MAX,       PARTY_ENDPOINTS_MAX, PARTY_URL_MAX,
		            PARTY_CONTACTS_MAX, CODEC_ID_MAX,        PARTY_NAME_MAX,
		            PARTY_SHORT_MAX,    PARTY_SHORT_MAX,     PARTY_REACH_MAX };
	expect_shape(&s, PL_OK, NULL);
	{
		struct buf b;

		buf_init(&b, 2 * PARTY_ENCODED_MAX);
		build(&b, &s);
		assert_int_equal(b.len, PARTY_ENCODED_MAX - SIG_LEN);
		buf_reset(&b);
	}
}

/* The counts of a real record, patched one past their limits, with the offset named. */
static void
test_counts_patched(void **state)
{
	struct fixture *f = *state;
	static struct party r;
	size_t off_ncon;
	char want[64];
	struct buf b;

	copy(&b, &f->enc);
	assert_int_equal(b.data[OFF_N_END], 2);
	b.data[OFF_N_END] = PARTY_ENDPOINTS_MAX + 1;
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_TOOBIG);
	(void)snprintf(want, sizeof(want), "n_endpoints 9 > 8 at offset %d", OFF_N_END);
	expect_msg(want);
	b.data[OFF_N_END] = 2;
	off_ncon =
	        OFF_N_END + 1 + 2 + strlen(f->rec.endpoints[0]) + 2 + strlen(f->rec.endpoints[1]);
	assert_int_equal(b.data[off_ncon], 1);
	b.data[off_ncon] = PARTY_CONTACTS_MAX + 1;
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_TOOBIG);
	(void)snprintf(want, sizeof(want), "n_contacts 17 > 16 at offset %zu", off_ncon);
	expect_msg(want);
	/* The first endpoint's length, patched to 513. */
	b.data[off_ncon] = 1;
	b.data[OFF_N_END + 1] = 0x02;
	b.data[OFF_N_END + 2] = 0x01;
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_TOOBIG);
	(void)snprintf(want, sizeof(want), "endpoint length 513 > 512 at offset %d", OFF_N_END + 1);
	expect_msg(want);
	buf_reset(&b);
}

/* Fields that fit their lengths but break their rules. */
static void
test_bad_fields(void **state)
{
	struct fixture *f = *state;
	static struct party r;
	struct buf b;
	size_t url0 = OFF_N_END + 3; /* first byte of "https://nrrc..." */
	size_t con;

	copy(&b, &f->enc);
	memcpy(b.data + url0, "ftp://", 6);
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_PROTO);
	expect_msg("endpoint 0 is not an http(s) URL");
	memcpy(b.data + url0, "https:", 6);
	b.data[url0 + 10] = ' ';
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_PROTO);
	expect_msg("endpoint 0 is not an http(s) URL");
	b.data[url0 + 10] = f->rec.endpoints[0][10];
	assert_int_equal(party_read(&r, b.data, b.len), PL_OK);

	con = OFF_N_END + 1 + 2 + strlen(f->rec.endpoints[0]) + 2 + strlen(f->rec.endpoints[1]) + 1;
	/* role "duty" -> "Duty" */
	b.data[con + 1] = 'D';
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_PROTO);
	expect_msg("contact role has a character outside");
	b.data[con + 1] = 'd';
	/* name: a control character inside "Дежурный" */
	b.data[con + 5 + 2 + 1] = '\n';
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_PROTO);
	expect_msg("contact name is not UTF-8 text");
	b.data[con + 5 + 2 + 1] = (uint8_t)f->rec.contacts[0].name[1];
	/* languages "en,ru" -> "en;ru" */
	b.data[con + 5 + 2 + 16 + 1 + 2] = ';';
	assert_int_equal(party_read(&r, b.data, b.len), PL_E_PROTO);
	expect_msg("contact languages is not a list of language tags");
	b.data[con + 5 + 2 + 16 + 1 + 2] = ',';
	assert_int_equal(party_read(&r, b.data, b.len), PL_OK);
	buf_reset(&b);
}

/* ---- signatures ---- */

/* Every bit of the signed part: a parse error or a bad signature, never success. */
static void
test_every_bit_flip_in_signed_part(void **state)
{
	struct fixture *f = *state;
	static struct party r;
	size_t i, n_crypto = 0, n_parse = 0;
	struct buf b;
	int bit;

	copy(&b, &f->enc);
	for (i = 0; i < f->enc.len - SIG_LEN; i++) {
		for (bit = 0; bit < 8; bit++) {
			enum pl_err err;

			b.data[i] ^= (uint8_t)(1u << bit);
			err = identity_verify(&r, b.data, b.len, NULL, NULL);
			b.data[i] ^= (uint8_t)(1u << bit);
			if (err == PL_E_CRYPTO)
				n_crypto++;
			else if (err == PL_E_PROTO || err == PL_E_TRUNC || err == PL_E_TOOBIG)
				n_parse++;
			else
				fail_msg("byte %zu bit %d: %s", i, bit, pl_err_name(err));
		}
	}
	/* Both kinds of refusal happened: the loop reached past the parser. */
	assert_true(n_crypto > 0);
	assert_true(n_parse > 0);
	assert_int_equal(identity_verify(&r, b.data, b.len, NULL, NULL), PL_OK);
	buf_reset(&b);

	/* The rotated record, checked as a successor: also no flip survives. */
	copy(&b, &f->enc2);
	for (i = 0; i < f->enc2.len - 2 * SIG_LEN; i++) {
		b.data[i] ^= 0x01;
		assert_int_not_equal(identity_verify(&r, b.data, b.len, &f->rec, f->id), PL_OK);
		b.data[i] ^= 0x01;
		b.data[i] ^= 0x80;
		assert_int_not_equal(identity_verify(&r, b.data, b.len, &f->rec, f->id), PL_OK);
		b.data[i] ^= 0x80;
	}
	assert_int_equal(identity_verify(&r, b.data, b.len, &f->rec, f->id), PL_OK);
	buf_reset(&b);
}

static void
test_signature_bit_flips(void **state)
{
	struct fixture *f = *state;
	static struct party r;
	size_t i, sig = f->enc.len - SIG_LEN;
	struct buf b;
	int bit;

	copy(&b, &f->enc);
	for (i = sig; i < f->enc.len; i++)
		for (bit = 0; bit < 8; bit++) {
			b.data[i] ^= (uint8_t)(1u << bit);
			/* Syntax is intact; only the signature check can catch it. */
			assert_int_equal(party_read(&r, b.data, b.len), PL_OK);
			assert_int_equal(identity_verify(&r, b.data, b.len, NULL, NULL),
			                 PL_E_CRYPTO);
			b.data[i] ^= (uint8_t)(1u << bit);
		}
	expect_msg("party record: bad self-signature on 'us-nrrc' revision 1");
	buf_reset(&b);

	/* The rotated record: sig and prev_sig are each checked. */
	copy(&b, &f->enc2);
	sig = f->enc2.len - 2 * SIG_LEN;
	for (i = sig; i < f->enc2.len; i++)
		for (bit = 0; bit < 8; bit++) {
			b.data[i] ^= (uint8_t)(1u << bit);
			assert_int_equal(identity_verify(&r, b.data, b.len, &f->rec, f->id),
			                 PL_E_CRYPTO);
			if (i >= sig + SIG_LEN)
				expect_msg("is not signed by the previous key");
			else
				expect_msg("bad self-signature");
			b.data[i] ^= (uint8_t)(1u << bit);
		}
	/* A zero signature is no signature. */
	memset(b.data + sig, 0, SIG_LEN);
	assert_int_equal(identity_verify(&r, b.data, b.len, NULL, NULL), PL_E_CRYPTO);
	buf_reset(&b);
}

/* ---- round trip ---- */

static void
test_round_trip(void **state)
{
	struct fixture *f = *state;
	static struct party r;
	struct buf sp;

	assert_int_equal(identity_verify(&r, f->enc.data, f->enc.len, NULL, NULL), PL_OK);
	assert_int_equal(r.version, PARTY_VERSION);
	assert_string_equal(r.id, "us-nrrc");
	assert_int_equal(r.revision, 1);
	assert_true(r.time_ms == 1767225600001ULL);
	assert_memory_equal(r.sign_pk, keys_sign_pk(f->k), SIG_PK_LEN);
	assert_memory_equal(r.box_pk, keys_box_pk(f->k), BOX_PK_LEN);
	assert_int_equal(r.n_endpoints, 2);
	assert_string_equal(r.endpoints[0], "https://nrrc.example/parley");
	assert_string_equal(r.endpoints[1], "http://10.0.0.1:8443/p");
	assert_int_equal(r.n_contacts, 1);
	assert_string_equal(r.contacts[0].role, "duty");
	assert_string_equal(r.contacts[0].name, "Дежурный");
	assert_string_equal(r.contacts[0].languages, "en,ru");
	assert_string_equal(r.contacts[0].hours, "24/7");
	assert_string_equal(r.contacts[0].reach, "+1 202 555 0100");
	assert_memory_equal(r.prev, (uint8_t[HASH_LEN]){ 0 }, HASH_LEN);
	assert_int_equal(r.signed_len + SIG_LEN, f->enc.len);
	assert_memory_equal(r.sig, f->enc.data + r.signed_len, SIG_LEN);
	assert_int_equal(r.signed_len, OFF_N_END + 1 + 2 + 27 + 2 + 22 + 1 + 5 + 2 + 16 + 1 + 5 +
	                                       1 + 4 + 2 + 15 + HASH_LEN);
	/* The signed part re-encodes to the same bytes, and the signature is over exactly them. */
	buf_init(&sp, PARTY_ENCODED_MAX);
	assert_int_equal(party_write_signed_part(&sp, &r), PL_OK);
	assert_int_equal(sp.len, r.signed_len);
	assert_memory_equal(sp.data, f->enc.data, sp.len);
	assert_int_equal(sig_verify(r.sig, keys_sign_pk(f->k), sp.data, sp.len), PL_OK);
	buf_reset(&sp);
	/* Signing is deterministic (Ed25519): the same record gives the same bytes. */
	buf_init(&sp, PARTY_ENCODED_MAX);
	assert_int_equal(identity_sign(&sp, &f->rec, f->k, NULL), PL_OK);
	assert_int_equal(sp.len, f->enc.len);
	assert_memory_equal(sp.data, f->enc.data, sp.len);
	buf_reset(&sp);
}

/* A record with no endpoints and no contacts, and one with every field at its maximum. */
static void
test_round_trip_extremes(void **state)
{
	struct fixture *f = *state;
	static struct party r, out;
	struct buf b;
	size_t i;

	fill(&r, f->k, 1, NULL);
	r.n_endpoints = 0;
	r.n_contacts = 0;
	r.time_ms = UINT64_MAX;
	buf_init(&b, PARTY_ENCODED_MAX);
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_OK);
	assert_int_equal(identity_verify(&out, b.data, b.len, NULL, NULL), PL_OK);
	assert_int_equal(out.n_endpoints, 0);
	assert_int_equal(out.n_contacts, 0);
	assert_true(out.time_ms == UINT64_MAX);

	memset(r.id, 'x', CODEC_ID_MAX);
	r.id[CODEC_ID_MAX] = '\0';
	r.revision = 1;
	r.n_endpoints = PARTY_ENDPOINTS_MAX;
	for (i = 0; i < PARTY_ENDPOINTS_MAX; i++) {
		memset(r.endpoints[i], 'e', PARTY_URL_MAX);
		memcpy(r.endpoints[i], "https://", 8);
		r.endpoints[i][PARTY_URL_MAX] = '\0';
	}
	r.n_contacts = PARTY_CONTACTS_MAX;
	for (i = 0; i < PARTY_CONTACTS_MAX; i++) {
		struct party_contact *c = &r.contacts[i];

		memset(c->role, 'r', CODEC_ID_MAX);
		c->role[CODEC_ID_MAX] = '\0';
		memset(c->name, 'n', PARTY_NAME_MAX);
		c->name[PARTY_NAME_MAX] = '\0';
		memset(c->languages, 'l', PARTY_SHORT_MAX);
		c->languages[30] = ',';
		c->languages[PARTY_SHORT_MAX] = '\0';
		memset(c->hours, 'h', PARTY_SHORT_MAX);
		c->hours[PARTY_SHORT_MAX] = '\0';
		memset(c->reach, 'c', PARTY_REACH_MAX);
		c->reach[PARTY_REACH_MAX] = '\0';
	}
	b.len = 0;
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_OK);
	assert_int_equal(b.len, PARTY_ENCODED_MAX - SIG_LEN);
	assert_int_equal(identity_verify(&out, b.data, b.len, NULL, NULL), PL_OK);
	assert_string_equal(out.endpoints[7], r.endpoints[7]);
	assert_string_equal(out.contacts[15].reach, r.contacts[15].reach);
	assert_string_equal(out.contacts[15].languages, r.contacts[15].languages);
	buf_reset(&b);
}

/* ---- signing refusals ---- */

static void
test_sign_refusals(void **state)
{
	struct fixture *f = *state;
	static struct party r;
	struct buf b;

	buf_init(&b, PARTY_ENCODED_MAX);
	assert_int_equal(buf_add_str(&b, "keep"), PL_OK);

	/* Keys that are not the record's: both keys, or only the box key. */
	fill(&r, f->k, 1, NULL);
	assert_int_equal(identity_sign(&b, &r, f->k2, NULL), PL_E_ARG);
	expect_msg("keys do not match the record's");
	memcpy(r.box_pk, keys_box_pk(f->k2), BOX_PK_LEN);
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);
	expect_msg("do not match");
	fill(&r, f->k, 1, NULL);
	memcpy(r.sign_pk, keys_sign_pk(f->k2), SIG_PK_LEN);
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);

	/* A later revision without the previous key. */
	fill(&r, f->k2, 2, f->id);
	assert_int_equal(identity_sign(&b, &r, f->k2, NULL), PL_E_ARG);
	expect_msg("revision 2 needs the previous key");

	/* Broken fields the reader would refuse. */
	fill(&r, f->k, 1, f->id);
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);
	expect_msg("prev must be all zero");
	fill(&r, f->k, 0, NULL);
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);
	fill(&r, f->k, 2, NULL);
	assert_int_equal(identity_sign(&b, &r, f->k, f->k), PL_E_ARG);
	fill(&r, f->k, 1, NULL);
	r.version = 2;
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);
	fill(&r, f->k, 1, NULL);
	(void)snprintf(r.endpoints[0], PARTY_URL_MAX, "ftp://x");
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);
	expect_msg("not an http(s) URL");
	fill(&r, f->k, 1, NULL);
	(void)snprintf(r.endpoints[1], PARTY_URL_MAX, "https://");
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);
	fill(&r, f->k, 1, NULL);
	(void)snprintf(r.contacts[0].languages, sizeof(r.contacts[0].languages), "en;ru");
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);
	fill(&r, f->k, 1, NULL);
	(void)snprintf(r.contacts[0].role, sizeof(r.contacts[0].role), "Duty");
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);
	fill(&r, f->k, 1, NULL);
	r.contacts[0].name[1] = '\n';
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);
	fill(&r, f->k, 1, NULL);
	(void)snprintf(r.id, sizeof(r.id), "US");
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);
	fill(&r, f->k, 1, NULL);
	r.n_endpoints = PARTY_ENDPOINTS_MAX + 1;
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);
	fill(&r, f->k, 1, NULL);
	r.n_contacts = PARTY_CONTACTS_MAX + 1;
	assert_int_equal(identity_sign(&b, &r, f->k, NULL), PL_E_ARG);

	/* No refusal left anything behind. */
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "keep", 4);
	buf_reset(&b);
}

/* ---- rotation ---- */

static void
sign_into(struct buf *b, const struct party *r, const struct keys *k, const struct keys *prev_k)
{
	b->len = 0;
	assert_int_equal(identity_sign(b, r, k, prev_k), PL_OK);
}

static void
test_rotation_refusals(void **state)
{
	struct fixture *f = *state;
	static struct party r2, out;
	uint8_t other_id[HASH_LEN];
	struct buf b;
	size_t n;

	buf_init(&b, PARTY_ENCODED_MAX);

	/* prev_sig by a third key instead of the previous one. */
	sign_into(&b, &f->rec2, f->k2, f->k3);
	assert_int_equal(identity_verify(&out, b.data, b.len, &f->rec, f->id), PL_E_CRYPTO);
	expect_msg("'us-nrrc' revision 2 is not signed by the previous key");
	/* prev_sig by the new key itself (no old key at all). */
	sign_into(&b, &f->rec2, f->k2, f->k2);
	assert_int_equal(identity_verify(&out, b.data, b.len, &f->rec, f->id), PL_E_CRYPTO);
	/* prev_sig copied from sig. */
	n = b.len;
	memcpy(b.data + n - SIG_LEN, b.data + n - 2 * SIG_LEN, SIG_LEN);
	assert_int_equal(identity_verify(&out, b.data, b.len, &f->rec, f->id), PL_E_CRYPTO);
	/* prev_sig by the old key, but sig by the old key too: the new key never signed. */
	memcpy(b.data + n - 2 * SIG_LEN, f->enc2.data + n - SIG_LEN, SIG_LEN);
	memcpy(b.data + n - SIG_LEN, f->enc2.data + n - SIG_LEN, SIG_LEN);
	assert_int_equal(identity_verify(&out, b.data, b.len, &f->rec, f->id), PL_E_CRYPTO);
	expect_msg("bad self-signature");

	/* Wrong revision numbers. */
	fill(&r2, f->k2, 3, f->id);
	sign_into(&b, &r2, f->k2, f->k);
	assert_int_equal(identity_verify(&out, b.data, b.len, &f->rec, f->id), PL_E_PROTO);
	expect_msg("'us-nrrc' revision 3 does not follow 1");
	/* Revision 1 again (a fresh first record) cannot follow revision 1. */
	assert_int_equal(identity_verify(&out, f->enc.data, f->enc.len, &f->rec, f->id),
	                 PL_E_PROTO);
	expect_msg("does not follow");
	/* Revision 1 cannot follow revision 2 (a rollback). */
	assert_int_equal(identity_verify(&out, f->enc.data, f->enc.len, &f->rec2, f->id2),
	                 PL_E_PROTO);

	/* The record names another previous record. */
	memcpy(other_id, f->id, HASH_LEN);
	other_id[HASH_LEN - 1] ^= 1;
	fill(&r2, f->k2, 2, other_id);
	sign_into(&b, &r2, f->k2, f->k);
	assert_int_equal(identity_verify(&out, b.data, b.len, &f->rec, f->id), PL_E_PROTO);
	expect_msg("'us-nrrc' revision 2 names another previous record");
	/* The genuine successor, checked against an id that is not the previous record's. */
	assert_int_equal(identity_verify(&out, f->enc2.data, f->enc2.len, &f->rec, other_id),
	                 PL_E_PROTO);

	/* Another party's id. */
	fill(&r2, f->k2, 2, f->id);
	(void)snprintf(r2.id, sizeof(r2.id), "ru-nrrc");
	sign_into(&b, &r2, f->k2, f->k);
	assert_int_equal(identity_verify(&out, b.data, b.len, &f->rec, f->id), PL_E_PROTO);
	expect_msg("'ru-nrrc' cannot follow a record of 'us-nrrc'");
	/* A prefix of the id is another id too. */
	(void)snprintf(r2.id, sizeof(r2.id), "us-nrr");
	sign_into(&b, &r2, f->k2, f->k);
	assert_int_equal(identity_verify(&out, b.data, b.len, &f->rec, f->id), PL_E_PROTO);
	buf_reset(&b);
}

static void
test_rotation_accepts(void **state)
{
	struct fixture *f = *state;
	static struct party p2, r3, out;
	uint8_t id3[HASH_LEN];
	struct buf b;

	assert_int_equal(identity_verify(&p2, f->enc2.data, f->enc2.len, &f->rec, f->id), PL_OK);
	assert_int_equal(p2.revision, 2);
	assert_memory_equal(p2.sign_pk, keys_sign_pk(f->k2), SIG_PK_LEN);
	assert_memory_equal(p2.prev, f->id, HASH_LEN);
	assert_int_equal(p2.signed_len + 2 * SIG_LEN, f->enc2.len);
	/* Read alone, the rotated record is still self-signed. */
	assert_int_equal(identity_verify(&out, f->enc2.data, f->enc2.len, NULL, NULL), PL_OK);

	/* A third revision continues the second, not the first. */
	buf_init(&b, PARTY_ENCODED_MAX);
	fill(&r3, f->k3, 3, f->id2);
	sign_into(&b, &r3, f->k3, f->k2);
	hash_sha256(id3, b.data, b.len);
	assert_int_equal(identity_verify(&out, b.data, b.len, &p2, f->id2), PL_OK);
	assert_int_equal(out.revision, 3);
	assert_int_not_equal(identity_verify(&out, b.data, b.len, &f->rec, f->id), PL_OK);
	/* A change that keeps the key is signed twice by that key. */
	fill(&r3, f->k2, 3, f->id2);
	r3.n_endpoints = 1;
	sign_into(&b, &r3, f->k2, f->k2);
	assert_int_equal(identity_verify(&out, b.data, b.len, &p2, f->id2), PL_OK);
	assert_int_equal(out.n_endpoints, 1);
	buf_reset(&b);
}

/* ---- fingerprints ---- */

static void
test_fingerprint_format(void **state)
{
	struct fixture *f = *state;
	char fp[PARTY_FP_STR_LEN + 1], other[PARTY_FP_STR_LEN + 1], hex[33];
	uint8_t in[16 + 1 + 7 + SIG_PK_LEN], h[HASH_LEN];
	size_t i;

	memset(fp, 0x55, sizeof(fp));
	identity_fingerprint(fp, f->rec.id, f->rec.sign_pk);
	assert_int_equal(PARTY_FP_STR_LEN, 39);
	assert_int_equal(strlen(fp), 39);
	for (i = 0; i < 39; i++) {
		if (i % 5 == 4) {
			if (fp[i] != '-')
				fail_msg("'%s': no '-' at %zu", fp, i);
		} else if (strchr("0123456789abcdef", fp[i]) == NULL || fp[i] == '\0') {
			fail_msg("'%s': not lowercase hex at %zu", fp, i);
		}
	}
	/* The formula of docs/protocol.md#fingerprint, computed here independently. */
	memset(in, 0, sizeof(in));
	memcpy(in, "parley-fp", 9);
	in[16] = 7;
	memcpy(in + 17, "us-nrrc", 7);
	memcpy(in + 24, f->rec.sign_pk, SIG_PK_LEN);
	hash_sha256(h, in, sizeof(in));
	cr_hex(hex, h, 16);
	for (i = 0; i < 32; i++)
		assert_int_equal(fp[i + i / 4], hex[i]);
	/* Deterministic; bound to both the id and the key. */
	identity_fingerprint(other, f->rec.id, f->rec.sign_pk);
	assert_string_equal(other, fp);
	identity_fingerprint(other, "ru-nrrc", f->rec.sign_pk);
	assert_string_not_equal(other, fp);
	identity_fingerprint(other, f->rec.id, keys_sign_pk(f->k2));
	assert_string_not_equal(other, fp);
}

static void
test_fingerprint_match(void **state)
{
	struct fixture *f = *state;
	char fp[PARTY_FP_STR_LEN + 1], typed[128], other[PARTY_FP_STR_LEN + 1];
	size_t i, o;

	identity_fingerprint(fp, f->rec.id, f->rec.sign_pk);
	identity_fingerprint(other, f->rec2.id, f->rec2.sign_pk);

	/* Refusals: each single changed digit, wrong lengths, another key, non-hex. */
	for (i = 0; i < 39; i++) {
		if (fp[i] == '-')
			continue;
		memcpy(typed, fp, sizeof(fp));
		typed[i] = typed[i] == 'f' ? '0' : (char)(typed[i] == '9' ? 'a' : typed[i] + 1);
		if (identity_fingerprint_match(&f->rec, typed))
			fail_msg("'%s' matched '%s'", typed, fp);
	}
	memcpy(typed, fp, sizeof(fp));
	typed[38] = '\0';
	assert_false(identity_fingerprint_match(&f->rec, typed)); /* one digit short */
	(void)snprintf(typed, sizeof(typed), "%s0", fp);
	assert_false(identity_fingerprint_match(&f->rec, typed)); /* one digit extra */
	(void)snprintf(typed, sizeof(typed), "0%s", fp);
	assert_false(identity_fingerprint_match(&f->rec, typed));
	(void)snprintf(typed, sizeof(typed), "%s%s", fp, fp);
	assert_false(identity_fingerprint_match(&f->rec, typed));
	assert_false(identity_fingerprint_match(&f->rec, ""));
	assert_false(identity_fingerprint_match(&f->rec, "1234"));
	assert_false(identity_fingerprint_match(&f->rec, "- - : :"));
	assert_false(identity_fingerprint_match(&f->rec, other));
	memcpy(typed, fp, sizeof(fp));
	typed[0] = 'g';
	assert_false(identity_fingerprint_match(&f->rec, typed));
	memcpy(typed, fp, sizeof(fp));
	typed[4] = '0'; /* a digit where a dash was: 33 digits */
	assert_false(identity_fingerprint_match(&f->rec, typed));

	/* Accepted: as shown, upper case, colons, spaces, no separators at all. */
	assert_true(identity_fingerprint_match(&f->rec, fp));
	for (i = 0; fp[i] != '\0'; i++)
		typed[i] = fp[i] == '-' ? ':' : (char)(fp[i] >= 'a' ? fp[i] - 32 : fp[i]);
	typed[i] = '\0';
	assert_true(identity_fingerprint_match(&f->rec, typed));
	for (i = 0; fp[i] != '\0'; i++)
		typed[i] = fp[i] == '-' ? ' ' : fp[i];
	assert_true(identity_fingerprint_match(&f->rec, typed));
	for (i = 0, o = 0; fp[i] != '\0'; i++)
		if (fp[i] != '-')
			typed[o++] = fp[i];
	typed[o] = '\0';
	assert_int_equal(o, 32);
	assert_true(identity_fingerprint_match(&f->rec, typed));
	/* Pairs separated by colons, with spaces around: "AB:12 : ..." */
	for (i = 0, o = 0; fp[i] != '\0'; i++) {
		if (fp[i] == '-')
			continue;
		typed[o++] = fp[i];
		if (o % 3 == 2)
			typed[o++] = ':';
	}
	typed[o] = '\0';
	(void)snprintf(typed + o, sizeof(typed) - o, "  ");
	assert_true(identity_fingerprint_match(&f->rec, typed));
	assert_true(identity_fingerprint_match(&f->rec2, other));
}

/* ---- allocation failures ---- */

static void
test_sign_allocation_failures(void **state)
{
	struct fixture *f = *state;
	unsigned long n, failures = 0;
	int prefixed;
	enum pl_err err;
	struct buf b;

	for (prefixed = 0; prefixed < 2; prefixed++) {
		for (n = 1;; n++) {
			buf_init(&b, PARTY_ENCODED_MAX + 8);
			if (prefixed)
				assert_int_equal(buf_add_str(&b, "prefix"), PL_OK);
			(void)pl_alloc_fail_at(n);
			err = identity_sign(&b, &f->rec2, f->k2, f->k);
			(void)pl_alloc_fail_at(0);
			if (err == PL_OK) {
				assert_int_equal(b.len, (prefixed ? 6 : 0) + f->enc2.len);
				assert_memory_equal(b.data + (prefixed ? 6 : 0), f->enc2.data,
				                    f->enc2.len);
				buf_reset(&b);
				break;
			}
			assert_int_equal(err, PL_E_NOMEM);
			assert_int_equal(b.len, prefixed ? 6 : 0);
			if (prefixed)
				assert_memory_equal(b.data, "prefix", 6);
			buf_reset(&b);
			failures++;
			assert_true(n < 64);
		}
		/* At least one allocation was failed on each pass. */
		assert_true(n > 1);
	}
	assert_true(failures >= 2);
}

/*
 * Regression (fixed): identity_sign reserves room for two signatures even for revision 1,
 * so a buffer whose cap is exactly the record's size is refused.
 */
static void
test_sign_into_exact_buffer(void **state)
{
	struct fixture *f = *state;
	struct buf b;

	buf_init(&b, f->enc.len);
	assert_int_equal(identity_sign(&b, &f->rec, f->k, NULL), PL_OK);
	assert_int_equal(b.len, f->enc.len);
	buf_reset(&b);
	/* One byte less is rightly too small. */
	buf_init(&b, f->enc.len - 1);
	assert_int_equal(identity_sign(&b, &f->rec, f->k, NULL), PL_E_TOOBIG);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
}

/* Endpoint URLs: host[:port] only, no user info, no fragment, ports in range. */
static void
test_url_rules(void **state)
{
	static const char *const good[] = {
		"https://nrrc.example",      "https://nrrc.example/parley", "http://127.0.0.1:7401",
		"http://[::1]:7401/",        "https://a-b.c:65535/p?q=1",   "https://x:1",
		"http://[2001:db8::1]/path",
	};
	static const char *const bad[] = {
		"http://@@@",
		"https://user:pw@nrrc.example/",
		"https://",
		"https:///path",
		"https://host:",
		"https://host:0",
		"https://host:65536",
		"https://host:123456",
		"https://host:80x",
		"https://[::1",
		"https://[]/",
		"https://[zz::1]/",
		"https://host/a#frag",
		"https://ho st/",
		"https://h_st/",
		"ftp://host/",
		"https://host:-1/",
		"http://:80/",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!party_url_ok(good[i]))
			fail_msg("refused a good URL: %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (party_url_ok(bad[i]))
			fail_msg("accepted a bad URL: %s", bad[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_rules),
		cmocka_unit_test(test_truncation_at_every_offset),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_unknown_version_and_label),
		cmocka_unit_test(test_revision_and_prev_rules),
		cmocka_unit_test(test_limits_one_past),
		cmocka_unit_test(test_counts_patched),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_every_bit_flip_in_signed_part),
		cmocka_unit_test(test_signature_bit_flips),
		cmocka_unit_test(test_sign_refusals),
		cmocka_unit_test(test_rotation_refusals),
		cmocka_unit_test(test_limits_at_max),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_extremes),
		cmocka_unit_test(test_rotation_accepts),
		cmocka_unit_test(test_fingerprint_format),
		cmocka_unit_test(test_fingerprint_match),
		cmocka_unit_test(test_sign_allocation_failures),
		cmocka_unit_test(test_sign_into_exact_buffer),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
