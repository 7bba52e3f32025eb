/*
 * test_envelope.c - envelopes: seal, read, verify, open, and every way a
 * hostile or damaged envelope must be refused.
 *
 * Limits are probed with a hand-written encoder (raw_env) that shares no
 * code with wire/env.c, so a field at its limit and one past it can be
 * written even where env_write_header would refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/alloc.h"
#include "core/envelope.h"
#include "crypto/cr.h"

struct fixture {
	struct keys *us, *ru, *other;
	struct buf enc; /* a valid envelope from us to us and ru */
	uint8_t id[HASH_LEN];
};

static const char plain_text[] = "{\"data\":{},\"format\":\"ping\",\"version\":1}";

static int
seal_to(struct fixture *f, struct buf *out, uint8_t id[HASH_LEN], size_t plain_len,
        const uint8_t *plain)
{
	struct envelope_to to[2] = { { "us-nrrc", keys_box_pk(f->us) },
		                     { "ru-nrrc", keys_box_pk(f->ru) } };
	uint8_t refs[1][HASH_LEN] = { { 7 } };
	uint8_t prev[HASH_LEN] = { 1, 2, 3 };
	struct envelope_draft d = {
		.channel = "cyber",
		.sender = "us-nrrc",
		.seq = 2,
		.prev = prev,
		.kind = ENV_KIND_MESSAGE,
		.prec = ENV_PREC_FLASH,
		.flags = ENV_FLAG_EXERCISE,
		.tlp = ENV_TLP_AMBER,
		.time_ms = 1767225600123ULL,
		.n_refs = 1,
		.refs = (const uint8_t(*)[HASH_LEN])refs,
		.n_to = 2,
		.to = to,
		.plain = plain,
		.plain_len = plain_len,
	};

	return envelope_seal(out, id, &d, f->us);
}

static int
setup(void **state)
{
	static struct fixture f;

	if (cr_init() != PL_OK)
		return -1;
	memset(&f, 0, sizeof(f));
	f.us = keys_new();
	f.ru = keys_new();
	f.other = keys_new();
	buf_init(&f.enc, ENV_ENCODED_MAX);
	if (seal_to(&f, &f.enc, f.id, strlen(plain_text), (const uint8_t *)plain_text) != PL_OK)
		return -1;
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	keys_free(f->us);
	keys_free(f->ru);
	keys_free(f->other);
	buf_reset(&f->enc);
	return 0;
}

static void
test_round_trip(void **state)
{
	struct fixture *f = *state;
	uint8_t id[HASH_LEN];
	struct buf plain;
	struct env e;

	assert_int_equal(env_read(&e, f->enc.data, f->enc.len), PL_OK);
	assert_string_equal(e.channel, "cyber");
	assert_string_equal(e.sender, "us-nrrc");
	assert_true(e.seq == 2);
	assert_int_equal(e.prev[2], 3);
	assert_int_equal(e.kind, ENV_KIND_MESSAGE);
	assert_int_equal(e.prec, ENV_PREC_FLASH);
	assert_int_equal(e.flags, ENV_FLAG_EXERCISE);
	assert_int_equal(e.tlp, ENV_TLP_AMBER);
	assert_true(e.time_ms == 1767225600123ULL);
	assert_int_equal(e.n_refs, 1);
	assert_int_equal(e.refs[0][0], 7);
	/* Recipients come out sorted whatever order they went in. */
	assert_int_equal(e.n_recipients, 2);
	assert_string_equal(e.recipients[0].party, "ru-nrrc");
	assert_string_equal(e.recipients[1].party, "us-nrrc");
	assert_int_equal(e.body_len, strlen(plain_text) + AEAD_TAG_LEN);
	assert_int_equal(e.ad_len + e.body_len + SIG_LEN, f->enc.len);
	envelope_id(id, f->enc.data, f->enc.len);
	assert_memory_equal(id, f->id, HASH_LEN);

	assert_int_equal(envelope_verify(&e, keys_sign_pk(f->us)), PL_OK);
	buf_init_secret(&plain, ENV_PLAIN_MAX);
	assert_int_equal(envelope_open(&plain, &e, "ru-nrrc", f->ru), PL_OK);
	assert_int_equal(plain.len, strlen(plain_text));
	assert_memory_equal(plain.data, plain_text, plain.len);
	plain.len = 0;
	assert_int_equal(envelope_open(&plain, &e, "us-nrrc", f->us), PL_OK);
	assert_memory_equal(plain.data, plain_text, plain.len);
	buf_reset(&plain);
}

static void
test_seal_is_randomised(void **state)
{
	struct fixture *f = *state;
	uint8_t id[HASH_LEN];
	struct buf b;

	/* A fresh body key and nonce each time: the same draft never gives the same bytes. */
	buf_init(&b, ENV_ENCODED_MAX);
	assert_int_equal(seal_to(f, &b, id, strlen(plain_text), (const uint8_t *)plain_text),
	                 PL_OK);
	assert_int_equal(b.len, f->enc.len);
	assert_memory_not_equal(id, f->id, HASH_LEN);
	buf_reset(&b);
}

static void
test_truncation_at_every_offset(void **state)
{
	struct fixture *f = *state;
	struct env e;
	size_t n;

	for (n = 0; n < f->enc.len; n++) {
		enum pl_err err;

		pl_err_clear();
		err = env_read(&e, f->enc.data, n);
		assert_true(err == PL_E_TRUNC || err == PL_E_PROTO);
		assert_non_null(strstr(pl_err_msg(), "envelope: "));
		assert_non_null(strstr(pl_err_msg(), "at offset"));
	}
}

static void
test_trailing_bytes(void **state)
{
	struct fixture *f = *state;
	struct buf b;
	struct env e;

	buf_init(&b, ENV_ENCODED_MAX + 1);
	assert_int_equal(buf_add(&b, f->enc.data, f->enc.len), PL_OK);
	assert_int_equal(buf_add_u8(&b, 0), PL_OK);
	assert_int_equal(env_read(&e, b.data, b.len), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "1 trailing bytes"));
	buf_reset(&b);
}

static void
test_unknown_version_and_label(void **state)
{
	struct fixture *f = *state;
	struct buf b;
	struct env e;

	buf_init(&b, ENV_ENCODED_MAX);
	assert_int_equal(buf_add(&b, f->enc.data, f->enc.len), PL_OK);
	b.data[16] = 2;
	assert_int_equal(env_read(&e, b.data, b.len), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "unknown version 2"));
	assert_non_null(strstr(pl_err_msg(), "at offset 16"));
	b.data[16] = 1;
	b.data[0] = 'P';
	assert_int_equal(env_read(&e, b.data, b.len), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "label"));
	buf_reset(&b);
}

/* One flipped bit anywhere: refused by the parser or by the signature. */
static void
test_every_bit_flip_refused(void **state)
{
	struct fixture *f = *state;
	struct buf b;
	struct env e;
	size_t i;
	int bit;

	buf_init(&b, ENV_ENCODED_MAX);
	assert_int_equal(buf_add(&b, f->enc.data, f->enc.len), PL_OK);
	for (i = 0; i < b.len; i++) {
		for (bit = 0; bit < 8; bit += 3) {
			b.data[i] ^= (uint8_t)(1u << bit);
			if (env_read(&e, b.data, b.len) == PL_OK)
				assert_int_equal(envelope_verify(&e, keys_sign_pk(f->us)),
				                 PL_E_CRYPTO);
			b.data[i] ^= (uint8_t)(1u << bit);
		}
	}
	assert_int_equal(env_read(&e, b.data, b.len), PL_OK);
	assert_int_equal(envelope_verify(&e, keys_sign_pk(f->us)), PL_OK);
	buf_reset(&b);
}

static void
test_wrong_signer(void **state)
{
	struct fixture *f = *state;
	struct env e;

	assert_int_equal(env_read(&e, f->enc.data, f->enc.len), PL_OK);
	assert_int_equal(envelope_verify(&e, keys_sign_pk(f->ru)), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "bad signature from 'us-nrrc'"));
}

/* Re-sign after tampering, as a malicious sender could: the AEAD still catches it. */
static void
resign(struct buf *b, const struct keys *k)
{
	keys_sign(k, b->data + b->len - SIG_LEN, b->data, b->len - SIG_LEN);
}

static void
test_ciphertext_and_ad_bound(void **state)
{
	struct fixture *f = *state;
	struct buf b, plain;
	struct env e;
	size_t at[3];
	int i;

	assert_int_equal(env_read(&e, f->enc.data, f->enc.len), PL_OK);
	at[0] = e.ad_len + 3;              /* ciphertext */
	at[1] = e.ad_len + e.body_len - 1; /* tag */
	at[2] = e.ad_len - 5;              /* body_len's neighbour: the nonce, in the AD */
	buf_init(&b, ENV_ENCODED_MAX);
	buf_init_secret(&plain, ENV_PLAIN_MAX);
	for (i = 0; i < 3; i++) {
		b.len = 0;
		assert_int_equal(buf_add(&b, f->enc.data, f->enc.len), PL_OK);
		b.data[at[i]] ^= 0x01;
		resign(&b, f->us);
		assert_int_equal(env_read(&e, b.data, b.len), PL_OK);
		assert_int_equal(envelope_verify(&e, keys_sign_pk(f->us)), PL_OK);
		plain.len = 0;
		assert_int_equal(envelope_open(&plain, &e, "ru-nrrc", f->ru), PL_E_CRYPTO);
		assert_non_null(strstr(pl_err_msg(), "fails authentication"));
		assert_int_equal(plain.len, 0);
	}
	/* A header field outside the sealed keys, re-signed: the AD binding refuses it. */
	b.len = 0;
	assert_int_equal(buf_add(&b, f->enc.data, f->enc.len), PL_OK);
	b.data[16 + 1 + 6 + 8 + 1 + 8 + 32 + 4] ^= 0x01; /* time_ms, low bits */
	resign(&b, f->us);
	assert_int_equal(env_read(&e, b.data, b.len), PL_OK);
	assert_true(e.time_ms != 1767225600123ULL);
	assert_int_equal(envelope_open(&plain, &e, "ru-nrrc", f->ru), PL_E_CRYPTO);
	buf_reset(&b);
	buf_reset(&plain);
}

static void
test_wrong_recipient(void **state)
{
	struct fixture *f = *state;
	uint8_t key[AEAD_KEY_LEN];
	struct buf plain;
	struct env e;

	buf_init_secret(&plain, ENV_PLAIN_MAX);
	assert_int_equal(env_read(&e, f->enc.data, f->enc.len), PL_OK);
	assert_int_equal(envelope_open(&plain, &e, "osce-witness", f->other), PL_E_STATE);
	assert_non_null(strstr(pl_err_msg(), "'osce-witness' is not a recipient"));
	/* Claiming another recipient's slot with the wrong keys. */
	assert_int_equal(envelope_open(&plain, &e, "ru-nrrc", f->other), PL_E_CRYPTO);
	assert_int_equal(envelope_open(&plain, &e, "ru-nrrc", f->us), PL_E_CRYPTO);
	assert_int_equal(plain.len, 0);
	/* The disclosed body key opens it for a third party. */
	assert_int_equal(envelope_body_key(key, &e, "ru-nrrc", f->ru), PL_OK);
	assert_int_equal(envelope_decrypt(&plain, &e, key), PL_OK);
	assert_memory_equal(plain.data, plain_text, plain.len);
	key[0] ^= 1;
	plain.len = 0;
	assert_int_equal(envelope_decrypt(&plain, &e, key), PL_E_CRYPTO);
	buf_reset(&plain);
}

/* ---- Limits, through an independent encoder. ---- */

struct raw {
	size_t channel_len, sender_len;
	uint64_t seq;
	uint8_t prev0;
	uint8_t kind, prec, flags, tlp;
	unsigned n_refs;
	int dup_ref;
	unsigned n_rcpt;
	int rcpt_order; /* 0 ascending, 1 repeated, 2 descending */
	uint32_t body_len_field;
	size_t body_len;
};

static void
raw_id(struct buf *b, const char *prefix, size_t n, unsigned salt)
{
	char s[300];
	size_t i;

	assert_true(n < sizeof(s));
	for (i = 0; i < n; i++)
		s[i] = (char)('a' + (i + salt) % 26);
	if (prefix != NULL && n >= strlen(prefix))
		memcpy(s, prefix, strlen(prefix));
	assert_int_equal(buf_add_u8(b, (uint8_t)n), PL_OK);
	assert_int_equal(buf_add(b, s, n), PL_OK);
}

static void
raw_env(struct buf *b, const struct raw *r)
{
	char id[8];
	unsigned i;

	b->len = 0;
	assert_int_equal(buf_add(b, ENV_LABEL, 16), PL_OK);
	assert_int_equal(buf_add_u8(b, 1), PL_OK);
	raw_id(b, NULL, r->channel_len, 0);
	raw_id(b, NULL, r->sender_len, 1);
	assert_int_equal(buf_add_u64be(b, r->seq), PL_OK);
	assert_int_equal(buf_add_u8(b, r->prev0), PL_OK);
	assert_int_equal(buf_add_zero(b, 31), PL_OK);
	assert_int_equal(buf_add_u8(b, r->kind), PL_OK);
	assert_int_equal(buf_add_u8(b, r->prec), PL_OK);
	assert_int_equal(buf_add_u8(b, r->flags), PL_OK);
	assert_int_equal(buf_add_u8(b, r->tlp), PL_OK);
	assert_int_equal(buf_add_u64be(b, 1), PL_OK);
	assert_int_equal(buf_add_u8(b, (uint8_t)r->n_refs), PL_OK);
	for (i = 0; i < r->n_refs; i++) {
		uint8_t ref[HASH_LEN] = { 0 };

		ref[0] = (uint8_t)(r->dup_ref && i == r->n_refs - 1 ? 0 : i);
		ref[1] = 0x5a;
		assert_int_equal(buf_add(b, ref, HASH_LEN), PL_OK);
	}
	assert_int_equal(buf_add_u8(b, (uint8_t)r->n_rcpt), PL_OK);
	for (i = 0; i < r->n_rcpt; i++) {
		unsigned k = r->rcpt_order == 2 ? r->n_rcpt - i : i;

		if (r->rcpt_order == 1 && i == r->n_rcpt - 1)
			k = i - 1;
		(void)snprintf(id, sizeof(id), "p%03u", k);
		assert_int_equal(buf_add_u8(b, 4), PL_OK);
		assert_int_equal(buf_add(b, id, 4), PL_OK);
		assert_int_equal(buf_add_zero(b, BOX_SEALED_KEY_LEN), PL_OK);
	}
	assert_int_equal(buf_add_zero(b, AEAD_NONCE_LEN), PL_OK);
	assert_int_equal(buf_add_u32be(b, r->body_len_field), PL_OK);
	assert_int_equal(buf_add_zero(b, r->body_len), PL_OK);
	assert_int_equal(buf_add_zero(b, SIG_LEN), PL_OK);
}

static const struct raw raw_ok = {
	.channel_len = 5,
	.sender_len = 7,
	.seq = 2,
	.prev0 = 9,
	.kind = ENV_KIND_MESSAGE,
	.prec = ENV_PREC_ROUTINE,
	.tlp = ENV_TLP_CLEAR,
	.n_refs = 1,
	.n_rcpt = 2,
	.body_len_field = 100,
	.body_len = 100,
};

/* Parse r; expect err and, when err != PL_OK, a message containing want. */
static void
raw_expect(const struct raw *r, enum pl_err err, const char *want)
{
	struct buf b;
	struct env *e = pl_malloc(sizeof(*e));

	assert_non_null(e);
	buf_init(&b, 2 * ENV_ENCODED_MAX);
	raw_env(&b, r);
	pl_err_clear();
	if (env_read(e, b.data, b.len) != err)
		fail_msg("want %s for '%s', got: %s", pl_err_name(err), want, pl_err_msg());
	if (want != NULL && strstr(pl_err_msg(), want) == NULL)
		fail_msg("want '%s' in '%s'", want, pl_err_msg());
	buf_reset(&b);
	pl_free(e);
}

static void
test_limits(void **state)
{
	struct raw r;

	(void)state;
	raw_expect(&raw_ok, PL_OK, NULL);

	r = raw_ok, r.channel_len = CODEC_ID_MAX;
	raw_expect(&r, PL_OK, NULL);
	r.channel_len = CODEC_ID_MAX + 1;
	raw_expect(&r, PL_E_PROTO, "channel length 64 not in 1..63 at offset 17");
	r.channel_len = 0;
	raw_expect(&r, PL_E_PROTO, "channel length 0");
	r = raw_ok, r.sender_len = CODEC_ID_MAX;
	raw_expect(&r, PL_OK, NULL);
	r.sender_len = CODEC_ID_MAX + 1;
	raw_expect(&r, PL_E_PROTO, "sender length 64 not in 1..63 at offset 23");

	r = raw_ok, r.n_refs = ENV_REFS_MAX;
	raw_expect(&r, PL_OK, NULL);
	r.n_refs = ENV_REFS_MAX + 1;
	raw_expect(&r, PL_E_TOOBIG, "n_refs 17 > 16");
	r = raw_ok, r.n_refs = 3, r.dup_ref = 1;
	raw_expect(&r, PL_E_PROTO, "ref 2 repeats");

	r = raw_ok, r.n_rcpt = ENV_RECIPIENTS_MAX;
	raw_expect(&r, PL_OK, NULL);
	r.n_rcpt = ENV_RECIPIENTS_MAX + 1;
	raw_expect(&r, PL_E_TOOBIG, "n_recipients 65 not in 1..64");
	r.n_rcpt = 0;
	raw_expect(&r, PL_E_PROTO, "n_recipients 0");
	r = raw_ok, r.n_rcpt = 3, r.rcpt_order = 1;
	raw_expect(&r, PL_E_PROTO, "out of order or repeated");
	r.rcpt_order = 2;
	raw_expect(&r, PL_E_PROTO, "out of order or repeated");

	r = raw_ok, r.body_len_field = ENV_BODY_MAX, r.body_len = ENV_BODY_MAX;
	raw_expect(&r, PL_OK, NULL);
	r.body_len_field = ENV_BODY_MAX + 1, r.body_len = ENV_BODY_MAX + 1;
	raw_expect(&r, PL_E_TOOBIG, "body_len 65537 > 65536 at offset 311");
	r.body_len_field = 70000, r.body_len = 0;
	raw_expect(&r, PL_E_TOOBIG, "body_len 70000 > 65536");
	r.body_len_field = ENV_BODY_MIN - 1, r.body_len = ENV_BODY_MIN - 1;
	raw_expect(&r, PL_E_PROTO, "body_len 15 < 16");
	r.body_len_field = 200, r.body_len = 100;
	raw_expect(&r, PL_E_TRUNC, "truncated reading body");

	r = raw_ok, r.seq = 0;
	raw_expect(&r, PL_E_PROTO, "seq 0");
	r.seq = 1;
	raw_expect(&r, PL_E_PROTO, "prev must be all zero when seq is 1");
	r.prev0 = 0;
	raw_expect(&r, PL_OK, NULL);
	r.seq = 5;
	raw_expect(&r, PL_E_PROTO, "prev is all zero but seq > 1");

	r = raw_ok, r.kind = ENV_KIND_MAX + 1;
	raw_expect(&r, PL_E_PROTO, "unknown kind 7");
	r.kind = 0;
	raw_expect(&r, PL_E_PROTO, "unknown kind 0");
	r = raw_ok, r.prec = 4;
	raw_expect(&r, PL_E_PROTO, "unknown precedence 4");
	r = raw_ok, r.tlp = 5;
	raw_expect(&r, PL_E_PROTO, "unknown tlp 5");
	r = raw_ok, r.flags = 0x02;
	raw_expect(&r, PL_E_PROTO, "unknown flags 0x02");
}

static void
test_seal_refuses_bad_drafts(void **state)
{
	struct fixture *f = *state;
	struct envelope_to to[ENV_RECIPIENTS_MAX + 1];
	char names[ENV_RECIPIENTS_MAX + 1][8];
	uint8_t id[HASH_LEN];
	static uint8_t big[ENV_PLAIN_MAX + 1];
	struct envelope_draft d;
	struct buf b;
	size_t i;

	for (i = 0; i <= ENV_RECIPIENTS_MAX; i++) {
		(void)snprintf(names[i], sizeof(names[i]), "p%03zu", i);
		to[i].party = names[i];
		to[i].box_pk = keys_box_pk(f->ru);
	}
	memset(&d, 0, sizeof(d));
	d.channel = "cyber";
	d.sender = "us-nrrc";
	d.seq = 1;
	d.kind = ENV_KIND_MESSAGE;
	d.to = to;
	d.plain = big;
	buf_init(&b, ENV_ENCODED_MAX);

	d.n_to = ENV_RECIPIENTS_MAX;
	d.plain_len = ENV_PLAIN_MAX;
	assert_int_equal(envelope_seal(&b, id, &d, f->us), PL_OK);
	assert_true(b.len <= ENV_ENCODED_MAX);
	b.len = 0;
	d.n_to = ENV_RECIPIENTS_MAX + 1;
	assert_int_equal(envelope_seal(&b, id, &d, f->us), PL_E_ARG);
	d.n_to = 0;
	assert_int_equal(envelope_seal(&b, id, &d, f->us), PL_E_ARG);
	d.n_to = 2;
	d.plain_len = ENV_PLAIN_MAX + 1;
	assert_int_equal(envelope_seal(&b, id, &d, f->us), PL_E_TOOBIG);
	d.plain_len = 10;
	to[1].party = names[0];
	assert_int_equal(envelope_seal(&b, id, &d, f->us), PL_E_ARG);
	assert_non_null(strstr(pl_err_msg(), "named twice"));
	to[1].party = names[1];
	d.channel = "Cyber";
	assert_int_equal(envelope_seal(&b, id, &d, f->us), PL_E_ARG);
	d.channel = "cyber";
	d.seq = 0;
	assert_int_equal(envelope_seal(&b, id, &d, f->us), PL_E_ARG);
	d.seq = 1;
	d.prec = 9;
	assert_int_equal(envelope_seal(&b, id, &d, f->us), PL_E_ARG);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
}

/* Every allocation failure during sealing ends in PL_E_NOMEM and leaves out untouched. */
static void
test_seal_allocation_failures(void **state)
{
	struct fixture *f = *state;
	uint8_t id[HASH_LEN];
	unsigned long n;
	enum pl_err err;
	struct buf b;

	for (n = 1;; n++) {
		buf_init(&b, ENV_ENCODED_MAX);
		(void)pl_alloc_fail_at(n);
		err = seal_to(f, &b, id, strlen(plain_text), (const uint8_t *)plain_text);
		(void)pl_alloc_fail_at(0);
		if (err == PL_OK) {
			buf_reset(&b);
			break;
		}
		assert_int_equal(err, PL_E_NOMEM);
		assert_int_equal(b.len, 0);
		buf_reset(&b);
		assert_true(n < 100);
	}
	assert_true(n > 1);
}

/*
 * Sealing in two steps: keys sealed first, for the recipients in any
 * order, give an envelope that verifies and opens like a one-step seal;
 * used keys are wiped and refused a second time (a body key and nonce
 * never encrypt twice); keys sealed for other recipients are refused.
 */
static void
test_seal_in_two_steps(void **state)
{
	struct fixture *f = *state;
	struct envelope_to to[2] = { { "ru-nrrc", keys_box_pk(f->ru) },
		                     { "us-nrrc", keys_box_pk(f->us) } };
	struct envelope_to them[2] = { { "ru-nrrc", keys_box_pk(f->ru) },
		                       { "cn-cert", keys_box_pk(f->other) } };
	static const uint8_t zero[AEAD_KEY_LEN];
	struct envelope_draft d = {
		.channel = "cyber",
		.sender = "us-nrrc",
		.seq = 1,
		.kind = ENV_KIND_MESSAGE,
		.prec = ENV_PREC_ROUTINE,
		.n_to = 2,
		.to = to,
		.plain = (const uint8_t *)plain_text,
		.plain_len = strlen(plain_text),
	};
	struct envelope_keys *sk = calloc(1, sizeof(*sk));
	uint8_t id[HASH_LEN], id2[HASH_LEN];
	struct buf out, plain;
	struct env e;

	assert_non_null(sk);
	buf_init(&out, ENV_ENCODED_MAX);
	buf_init_secret(&plain, ENV_PLAIN_MAX);
	/* Sealed for us-nrrc, ru-nrrc in the other order than d names them. */
	assert_int_equal(envelope_seal_keys(sk, (const struct envelope_to[]){ to[1], to[0] }, 2),
	                 PL_OK);
	assert_int_equal(envelope_seal_with(&out, id, &d, sk, f->us), PL_OK);
	assert_memory_equal(sk->key, zero, AEAD_KEY_LEN);
	assert_int_equal(env_read(&e, out.data, out.len), PL_OK);
	assert_int_equal(envelope_verify(&e, keys_sign_pk(f->us)), PL_OK);
	assert_int_equal(envelope_open(&plain, &e, "ru-nrrc", f->ru), PL_OK);
	assert_memory_equal(plain.data, plain_text, strlen(plain_text));
	/* Used: refused, and out is left as it was. */
	assert_int_equal(envelope_seal_with(&out, id2, &d, sk, f->us), PL_E_STATE);
	assert_int_equal(env_read(&e, out.data, out.len), PL_OK);
	/* Sealed for ru-nrrc and cn-cert, not us-nrrc: refused, the keys wiped. */
	out.len = 0;
	assert_int_equal(envelope_seal_keys(sk, them, 2), PL_OK);
	assert_int_equal(envelope_seal_with(&out, id, &d, sk, f->us), PL_E_ARG);
	assert_int_equal(out.len, 0);
	assert_false(sk->ready);
	assert_memory_equal(sk->key, zero, AEAD_KEY_LEN);
	/* Fewer recipients than sealed for: refused. */
	assert_int_equal(envelope_seal_keys(sk, to, 2), PL_OK);
	d.n_to = 1;
	assert_int_equal(envelope_seal_with(&out, id, &d, sk, f->us), PL_E_ARG);
	/* Keys for a recipient named twice are never made. */
	assert_int_equal(envelope_seal_keys(sk, (const struct envelope_to[]){ to[0], to[0] }, 2),
	                 PL_E_ARG);
	envelope_keys_wipe(sk);
	free(sk);
	buf_reset(&out);
	buf_reset(&plain);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_seal_is_randomised),
		cmocka_unit_test(test_truncation_at_every_offset),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_unknown_version_and_label),
		cmocka_unit_test(test_every_bit_flip_refused),
		cmocka_unit_test(test_wrong_signer),
		cmocka_unit_test(test_ciphertext_and_ad_bound),
		cmocka_unit_test(test_wrong_recipient),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_seal_refuses_bad_drafts),
		cmocka_unit_test(test_seal_allocation_failures),
		cmocka_unit_test(test_seal_in_two_steps),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
