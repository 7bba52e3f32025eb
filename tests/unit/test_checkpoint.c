/*
 * test_checkpoint.c - C2SP tlog-checkpoint and tlog-cosignature v1: the
 * generated checkpoints of sizes 4 and 8, their log signatures and witness
 * cosignatures reproduced byte for byte from the seeds, the checkpoint in
 * the generated add-checkpoint request, the published cosignature example
 * (layout only: no key was published); then every way a checkpoint text or
 * a cosignature can be wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "crypto/cr.h"
#include "crypto/hash.h"
#include "crypto/sig.h"
#include "tlog/checkpoint.h"
#include "tlog/cosig.h"
#include "tlog/note.h"
#include "wire/codec.h"

#define PUB "tests/vectors/signed-note/published-vectors.json"
#define GEN "tests/vectors/signed-note/generated-vectors.json"

/* The root of the 8-leaf reference tree, in base64. */
#define ROOT "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="

static json_t *pub, *gen;
static struct note note;

/* One generated party: its seed, key pair, keys and note key. */
struct party {
	uint8_t seed[SIG_SEED_LEN], pk[SIG_PK_LEN], sk[SIG_SK_LEN];
	struct keys *keys;
	struct note_key nk;
};
static struct party log_p, wit_p;

static const char *
str(json_t *o, const char *k1, const char *k2)
{
	json_t *v = json_object_get(o, k1);

	if (k2 != NULL)
		v = json_object_get(v, k2);
	assert_true(json_is_string(v));
	return json_string_value(v);
}

static int
party_load(struct party *p, const char *who, uint8_t type)
{
	json_t *o = json_object_get(gen, who);
	uint8_t secret[KEYS_SECRET_LEN] = { 0 };
	const char *seed_hex = json_string_value(json_object_get(o, "seed_hex"));

	if (seed_hex == NULL || cr_unhex(p->seed, SIG_SEED_LEN, seed_hex) != PL_OK)
		return -1;
	sig_keypair_seed(p->pk, p->sk, p->seed);
	memcpy(secret, p->seed, SIG_SEED_LEN);
	secret[SIG_SEED_LEN] = 1; /* the X25519 half is unused here */
	if ((p->keys = keys_from_secret(secret)) == NULL)
		return -1;
	return note_key_make(&p->nk, json_string_value(json_object_get(o, "name")), type, p->pk) ==
	                       PL_OK
	               ? 0
	               : -1;
}

static int
setup(void **state)
{
	json_error_t e;

	(void)state;
	if (cr_init() != PL_OK)
		return -1;
	pub = json_load_file(PUB, JSON_REJECT_DUPLICATES, &e);
	gen = json_load_file(GEN, JSON_REJECT_DUPLICATES, &e);
	if (pub == NULL || gen == NULL)
		return -1;
	if (party_load(&log_p, "log", NOTE_TYPE_ED25519) != 0 ||
	    party_load(&wit_p, "witness", NOTE_TYPE_COSIG) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	keys_free(log_p.keys);
	keys_free(wit_p.keys);
	cr_wipe(log_p.sk, sizeof(log_p.sk));
	cr_wipe(wit_p.sk, sizeof(wit_p.sk));
	json_decref(pub);
	json_decref(gen);
	return 0;
}

static json_t *
cp_vec(size_t i)
{
	json_t *v = json_array_get(json_object_get(gen, "checkpoints"), i);

	assert_non_null(v);
	return v;
}

static uint64_t
u64(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	assert_true(json_is_integer(v));
	return (uint64_t)json_integer_value(v);
}

static void
expect_buf(const struct buf *b, const char *want)
{
	if (b->len != strlen(want) || memcmp(b->data, want, b->len) != 0)
		fail_msg("got '%.*s'\nwant '%s'", (int)b->len, (const char *)b->data, want);
}

/* ---- Generated vectors. ---- */

static void
test_generated_keys(void **state)
{
	const struct party *ps[2] = { &log_p, &wit_p };
	const char *who[2] = { "log", "witness" };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		json_t *o = json_object_get(gen, who[i]);
		const char *label = str(o, "seed_label", NULL);
		uint8_t h[HASH_LEN], pk[SIG_PK_LEN], id[4];
		struct note_key parsed;
		struct buf b;

		/* Seed = SHA-256(label); the public key and ID follow from it. */
		hash_sha256(h, label, strlen(label));
		assert_memory_equal(ps[i]->seed, h, HASH_LEN);
		assert_int_equal(cr_unhex(pk, SIG_PK_LEN, str(o, "public_key_hex", NULL)), PL_OK);
		assert_memory_equal(ps[i]->pk, pk, SIG_PK_LEN);
		assert_memory_equal(keys_sign_pk(ps[i]->keys), pk, SIG_PK_LEN);
		assert_int_equal(cr_unhex(id, 4, str(o, "key_id_hex", NULL)), PL_OK);
		assert_int_equal(ps[i]->nk.id, (uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 |
		                                       (uint32_t)id[2] << 8 | id[3]);
		buf_init(&b, 256);
		assert_int_equal(note_key_fmt(&b, &ps[i]->nk), PL_OK);
		expect_buf(&b, str(o, "vkey", NULL));
		buf_reset(&b);
		assert_int_equal(note_key_parse(&parsed, str(o, "vkey", NULL)), PL_OK);
		assert_string_equal(parsed.name, ps[i]->nk.name);
		assert_int_equal(parsed.id, ps[i]->nk.id);
		assert_int_equal(parsed.type, ps[i]->nk.type);
		assert_memory_equal(parsed.pk, ps[i]->nk.pk, SIG_PK_LEN);
	}
	assert_int_equal(log_p.nk.id, 0x6b773ebb);
	assert_int_equal(wit_p.nk.id, 0x12652081);
	assert_int_equal(wit_p.nk.type, NOTE_TYPE_COSIG);
	/* The witness key with type 0x01 would have another ID. */
	assert_int_not_equal(note_key_id(wit_p.nk.name, NOTE_TYPE_ED25519, wit_p.pk), wit_p.nk.id);
}

static void
test_generated_checkpoints(void **state)
{
	json_t *roots =
	        json_object_get(json_object_get(gen, "reference_tree"), "roots_hex_by_size");
	size_t i;

	(void)state;
	assert_int_equal(json_array_size(json_object_get(gen, "checkpoints")), 2);
	for (i = 0; i < 2; i++) {
		json_t *v = cp_vec(i);
		const char *text = str(v, "note_text", NULL), *sn = str(v, "signed_note", NULL);
		const char *log_line = str(v, "log_signature_line", NULL);
		const char *cos_line = str(v, "cosignature_line", NULL);
		const char *msg_want = str(v, "cosignature_signed_message", NULL);
		uint64_t size = u64(v, "tree_size"), ts = u64(v, "cosignature_timestamp");
		uint8_t root[HASH_LEN], raw[COSIG_LEN];
		char key[24], line[512];
		struct checkpoint c;
		struct note_seen seen[2];
		struct buf b;
		int k;

		assert_true(size == (i == 0 ? 4 : 8));
		assert_true(ts == 1700000000 + size);
		buf_init(&b, 4096);
		/* The text: parsed, the root of the reference tree, formatted back. */
		assert_int_equal(checkpoint_parse(&c, text, strlen(text)), PL_OK);
		assert_string_equal(c.origin, "example.org/test-log");
		assert_true(c.size == size);
		assert_int_equal(c.n_ext, 0);
		(void)snprintf(key, sizeof(key), "%llu", (unsigned long long)size);
		assert_int_equal(cr_unhex(root, HASH_LEN, str(roots, key, NULL)), PL_OK);
		assert_memory_equal(c.root, root, HASH_LEN);
		assert_int_equal(checkpoint_fmt(&b, &c), PL_OK);
		expect_buf(&b, text);

		/* The log's signature line, from the raw seed and through struct keys. */
		b.len = 0;
		sig_sign(raw, log_p.sk, text, strlen(text));
		assert_int_equal(note_sig_line(&b, log_p.nk.name, log_p.nk.id, raw, SIG_LEN),
		                 PL_OK);
		(void)snprintf(line, sizeof(line), "%s\n", log_line);
		expect_buf(&b, line);
		b.len = 0;
		assert_int_equal(checkpoint_sign(&b, &c, log_p.keys), PL_OK);
		(void)snprintf(line, sizeof(line), "%s\n%s\n", text, log_line);
		expect_buf(&b, line);

		/* The cosignature: its message, then its line both ways. */
		b.len = 0;
		assert_int_equal(cosig_message(&b, ts, text, strlen(text)), PL_OK);
		expect_buf(&b, msg_want);
		for (k = 0; k < 8; k++)
			raw[k] = (uint8_t)(ts >> (56 - 8 * k));
		sig_sign(raw + 8, wit_p.sk, msg_want, strlen(msg_want));
		b.len = 0;
		assert_int_equal(note_sig_line(&b, wit_p.nk.name, wit_p.nk.id, raw, COSIG_LEN),
		                 PL_OK);
		(void)snprintf(line, sizeof(line), "%s\n", cos_line);
		expect_buf(&b, line);
		b.len = 0;
		assert_int_equal(cosig_sign(&b, text, strlen(text), wit_p.nk.name, wit_p.keys, ts),
		                 PL_OK);
		expect_buf(&b, line);

		/* The whole signed note is the text, a blank line, and the two lines. */
		b.len = 0;
		assert_int_equal(checkpoint_sign(&b, &c, log_p.keys), PL_OK);
		assert_int_equal(cosig_sign(&b, text, strlen(text), wit_p.nk.name, wit_p.keys, ts),
		                 PL_OK);
		expect_buf(&b, sn);

		/* Opened with the log and the witness: both seen, with the cosigned time. */
		memset(seen, 0xff, sizeof(seen));
		assert_int_equal(
		        checkpoint_open(&c, &note, sn, strlen(sn), &log_p.nk, &wit_p.nk, 1, seen),
		        PL_OK);
		assert_true(c.size == size);
		assert_true(seen[0].verified && seen[0].timestamp == 0);
		assert_true(seen[1].verified && seen[1].timestamp == ts);
		assert_int_equal(note.n_sigs, 2);
		assert_int_equal(note.sigs[1].len, COSIG_LEN);
		assert_memory_equal(note.sigs[1].sig, raw, COSIG_LEN);
		/* With the log alone the cosignature is ignored. */
		assert_int_equal(
		        checkpoint_open(&c, &note, sn, strlen(sn), &log_p.nk, NULL, 0, seen),
		        PL_OK);
		assert_true(seen[0].verified);
		/* A cosignature key cannot stand for the log's key. */
		assert_int_equal(
		        checkpoint_open(&c, &note, sn, strlen(sn), &wit_p.nk, NULL, 0, NULL),
		        PL_E_ARG);
		/* The witness alone: the log's signature is missing. */
		{
			struct note_key wit_as_log;

			assert_int_equal(note_key_make(&wit_as_log, wit_p.nk.name,
			                               NOTE_TYPE_ED25519, wit_p.pk),
			                 PL_OK);
			assert_int_equal(checkpoint_open(&c, &note, sn, strlen(sn), &wit_as_log,
			                                 &wit_p.nk, 1, seen),
			                 PL_E_CRYPTO);
			assert_non_null(strstr(pl_err_msg(), "not signed by the log key"));
		}
		buf_reset(&b);
	}
}

/* The checkpoint inside the generated tlog-witness add-checkpoint request body. */
static void
test_add_checkpoint_body(void **state)
{
	const char *body = str(gen, "add_checkpoint_request_body", NULL);
	json_t *proof = json_object_get(
	        json_object_get(json_object_get(gen, "reference_tree"), "consistency_proofs"),
	        "4/8");
	const char *split = strstr(body, "\n\n"), *cp = split + 2, *nl;
	uint8_t h[HASH_LEN], want[HASH_LEN];
	struct checkpoint c;
	struct note_seen seen[2];
	uint64_t old;
	char expect[512];
	size_t len;

	(void)state;
	/* "old <size>\n", one proof line per hash, a blank line, then the signed checkpoint. */
	assert_non_null(split);
	assert_int_equal(strncmp(body, "old ", 4), 0);
	nl = strchr(body, '\n');
	assert_true(codec_dec_parse(body + 4, (size_t)(nl - body) - 4, &old));
	assert_true(old == 4);
	assert_int_equal(json_array_size(proof), 1);
	assert_int_equal(cr_b64_decode(h, sizeof(h), &len, nl + 1, (size_t)(split - nl - 1)),
	                 PL_OK);
	assert_int_equal(len, HASH_LEN);
	assert_int_equal(cr_unhex(want, HASH_LEN, json_string_value(json_array_get(proof, 0))),
	                 PL_OK);
	assert_memory_equal(h, want, HASH_LEN);
	/* The checkpoint is the size-8 one, signed by the log only. */
	(void)snprintf(expect, sizeof(expect), "%s\n%s\n", str(cp_vec(1), "note_text", NULL),
	               str(cp_vec(1), "log_signature_line", NULL));
	assert_string_equal(cp, expect);
	assert_int_equal(checkpoint_open(&c, &note, cp, strlen(cp), &log_p.nk, &wit_p.nk, 1, seen),
	                 PL_OK);
	assert_true(c.size == 8);
	assert_true(seen[0].verified && !seen[1].verified);
	assert_int_equal(note.n_sigs, 1);
}

/* The published cosignature example: no key was published, so layout only. */
static void
test_cosignature_example(void **state)
{
	json_t *v = json_object_get(pub, "c2sp_cosignature_example_parse_only");
	const char *sn = str(v, "signed_note", NULL);
	const char *want_msg = str(v, "witness_cosignature", "signed_message");
	struct checkpoint c;
	struct note_key guess;
	struct buf msg;
	uint64_t ts = 0;
	int i;

	(void)state;
	assert_int_equal(note_read(&note, sn, strlen(sn)), PL_OK);
	assert_int_equal(note.n_sigs, 2);
	assert_string_equal(note.sigs[0].name, "example.com/behind-the-sofa");
	assert_int_equal(note.sigs[0].key_id, 0x033de0ae);
	assert_int_equal(4 + note.sigs[0].len, 68);
	assert_string_equal(note.sigs[1].name, "witness.example.com/w1");
	assert_int_equal(note.sigs[1].key_id, 0x8d66cf3f);
	assert_int_equal(4 + note.sigs[1].len, 76);
	for (i = 0; i < 8; i++)
		ts = ts << 8 | note.sigs[1].sig[i];
	assert_true(ts == u64(json_object_get(v, "witness_cosignature"), "timestamp"));
	assert_true(ts == 1679315147);
	assert_int_equal(checkpoint_parse(&c, note.text, note.text_len), PL_OK);
	assert_string_equal(c.origin, "example.com/behind-the-sofa");
	assert_true(c.size == 20852163);
	buf_init(&msg, 4096);
	assert_int_equal(cosig_message(&msg, ts, note.text, note.text_len), PL_OK);
	expect_buf(&msg, want_msg);
	buf_reset(&msg);
	/* A key we hold under the witness's name has another ID: its line is ignored. */
	assert_int_equal(note_key_make(&guess, "witness.example.com/w1", NOTE_TYPE_COSIG, wit_p.pk),
	                 PL_OK);
	assert_int_not_equal(guess.id, 0x8d66cf3f);
	assert_int_equal(note_verify(&note, &guess, 1, NULL), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "no signature from a known key"));
}

/* ---- Checkpoint text. ---- */

static void
expect_cp_n(const char *text, size_t n, enum pl_err err, const char *msg)
{
	struct checkpoint c;

	pl_err_clear();
	if (checkpoint_parse(&c, text, n) != err)
		fail_msg("'%.*s': want %s, got '%s'", (int)n, text, pl_err_name(err), pl_err_msg());
	if (msg != NULL && strstr(pl_err_msg(), msg) == NULL)
		fail_msg("want '%s' in '%s'", msg, pl_err_msg());
}

static void
expect_cp(const char *text, enum pl_err err, const char *msg)
{
	expect_cp_n(text, strlen(text), err, msg);
}

static void
test_checkpoint_parse(void **state)
{
	static char origin[CHECKPOINT_ORIGIN_MAX + 64];
	const char *t8 = str(cp_vec(1), "note_text", NULL);
	struct checkpoint c;
	size_t i;

	(void)state;
	expect_cp("o\n0\n" ROOT "\n", PL_OK, NULL);
	expect_cp("o\n18446744073709551615\n" ROOT "\next one\next two\n", PL_OK, NULL);
	assert_int_equal(
	        checkpoint_parse(&c, "o\n18446744073709551615\n" ROOT "\na b\n\xc2\x80\n",
	                         strlen("o\n18446744073709551615\n" ROOT "\na b\n\xc2\x80\n")),
	        PL_OK);
	assert_true(c.size == UINT64_MAX);
	assert_int_equal(c.n_ext, 2);
	assert_int_equal(c.ext_len[0], 3);
	assert_memory_equal(c.ext[0], "a b", 3);
	/* Origins: any non-empty text line; spaces and '+' are only NOT RECOMMENDED. */
	expect_cp("a log+x\n8\n" ROOT "\n", PL_OK, NULL);
	expect_cp("\n8\n" ROOT "\n", PL_E_PROTO, "origin of 0 bytes");
	memset(origin, 'o', CHECKPOINT_ORIGIN_MAX);
	(void)snprintf(origin + CHECKPOINT_ORIGIN_MAX, 64, "\n8\n%s\n", ROOT);
	expect_cp(origin, PL_OK, NULL);
	memset(origin, 'o', CHECKPOINT_ORIGIN_MAX + 1);
	(void)snprintf(origin + CHECKPOINT_ORIGIN_MAX + 1, 63, "\n8\n%s\n", ROOT);
	expect_cp(origin, PL_E_PROTO, "origin of 256 bytes");
	/* Sizes: decimal without leading zeros, within 64 bits. */
	expect_cp("o\n18446744073709551616\n" ROOT "\n", PL_E_PROTO, "64-bit");
	expect_cp("o\n99999999999999999999\n" ROOT "\n", PL_E_PROTO, "64-bit");
	expect_cp("o\n08\n" ROOT "\n", PL_E_PROTO, "leading zeros");
	expect_cp("o\n00\n" ROOT "\n", PL_E_PROTO, "leading zeros");
	expect_cp("o\n8a\n" ROOT "\n", PL_E_PROTO, "64-bit");
	expect_cp("o\n-1\n" ROOT "\n", PL_E_PROTO, "tree size");
	expect_cp("o\n+8\n" ROOT "\n", PL_E_PROTO, "tree size");
	expect_cp("o\n 8\n" ROOT "\n", PL_E_PROTO, "tree size");
	expect_cp("o\n8 \n" ROOT "\n", PL_E_PROTO, "tree size");
	expect_cp("o\n0x8\n" ROOT "\n", PL_E_PROTO, "tree size");
	expect_cp("o\n\xd9\xa8\n" ROOT "\n", PL_E_PROTO, "tree size"); /* Arabic-Indic eight */
	expect_cp("o\n\n" ROOT "\n", PL_E_PROTO, "tree size");
	/* Root hashes: standard base64 of exactly 32 bytes. */
	expect_cp("o\n8\nXcnaeacG\n", PL_E_PROTO, "32 bytes");
	expect_cp("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQw==\n", PL_E_PROTO, "32 bytes");
	expect_cp("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyhh\n", PL_E_PROTO, "32 bytes");
	expect_cp("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg\n", PL_E_PROTO, "32 bytes");
	expect_cp("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz-Nw7_RgQyg=\n", PL_E_PROTO, "32 bytes");
	expect_cp("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=\n", PL_E_PROTO, "32 bytes");
	expect_cp("o\n8\n" ROOT " \n", PL_E_PROTO, "32 bytes");
	expect_cp("o\n8\n\n", PL_E_PROTO, "32 bytes");
	/* Lines: each ends in a newline; extensions are non-empty; no control characters. */
	expect_cp("o\n8\n", PL_E_PROTO, "no root hash line");
	expect_cp("o\n8\n" ROOT, PL_E_PROTO, "no root hash line");
	expect_cp("o\n8\n" ROOT "\next", PL_E_PROTO, "no extension line");
	expect_cp("o\n8\n" ROOT "\n\n", PL_E_PROTO, "extension line 1 is empty");
	expect_cp("o\n8\n" ROOT "\na\n\nb\n", PL_E_PROTO, "extension line 2 is empty");
	expect_cp("o\r\n8\n" ROOT "\n", PL_E_PROTO, "control");
	expect_cp("o\n8\r\n" ROOT "\n", PL_E_PROTO, "control");
	expect_cp("o\n8\n" ROOT "\r\n", PL_E_PROTO, "control");
	expect_cp("o\n8\n" ROOT "\n\t\n", PL_E_PROTO, "control");
	expect_cp("o\xff\n8\n" ROOT "\n", PL_E_PROTO, "UTF-8");
	expect_cp_n("o\0x\n8\n" ROOT "\n", 7 + 44, PL_E_PROTO, "control");
	expect_cp_n("", 0, PL_E_PROTO, "no origin line");
	/* Up to CHECKPOINT_EXT_MAX extension lines. */
	expect_cp("o\n8\n" ROOT "\na\nb\nc\nd\ne\nf\ng\nh\n", PL_OK, NULL);
	expect_cp("o\n8\n" ROOT "\na\nb\nc\nd\ne\nf\ng\nh\ni\n", PL_E_TOOBIG, "more than 8");
	/* Every proper prefix of a generated text is refused. */
	for (i = 0; i < strlen(t8); i++)
		assert_int_equal(checkpoint_parse(&c, t8, i), PL_E_PROTO);
	expect_cp(t8, PL_OK, NULL);
}

static void
test_checkpoint_fmt(void **state)
{
	const char *t = "log.example\n8\n" ROOT "\nx\n";
	struct checkpoint c, back;
	struct buf b;

	(void)state;
	assert_int_equal(checkpoint_parse(&c, t, strlen(t)), PL_OK);
	buf_init(&b, 256);
	assert_int_equal(checkpoint_fmt(&b, &c), PL_OK);
	expect_buf(&b, t);
	/* Size 0 and 2^64 - 1 round-trip. */
	c.size = 0;
	b.len = 0;
	assert_int_equal(checkpoint_fmt(&b, &c), PL_OK);
	assert_int_equal(checkpoint_parse(&back, (const char *)b.data, b.len), PL_OK);
	assert_true(back.size == 0);
	c.size = UINT64_MAX;
	b.len = 0;
	assert_int_equal(checkpoint_fmt(&b, &c), PL_OK);
	assert_int_equal(checkpoint_parse(&back, (const char *)b.data, b.len), PL_OK);
	assert_true(back.size == UINT64_MAX);
	assert_memory_equal(back.root, c.root, HASH_LEN);
	/* What would not parse back is refused, and nothing is appended. */
	b.len = 0;
	(void)snprintf(c.origin, sizeof(c.origin), "%s", "");
	assert_int_equal(checkpoint_fmt(&b, &c), PL_E_ARG);
	(void)snprintf(c.origin, sizeof(c.origin), "%s", "a\nb");
	assert_int_equal(checkpoint_fmt(&b, &c), PL_E_ARG);
	(void)snprintf(c.origin, sizeof(c.origin), "%s", "a\rb");
	assert_int_equal(checkpoint_fmt(&b, &c), PL_E_ARG);
	(void)snprintf(c.origin, sizeof(c.origin), "%s", "log.example");
	c.ext[0] = "";
	c.ext_len[0] = 0;
	assert_int_equal(checkpoint_fmt(&b, &c), PL_E_ARG);
	c.ext[0] = "a\nb";
	c.ext_len[0] = 3;
	assert_int_equal(checkpoint_fmt(&b, &c), PL_E_ARG);
	c.ext[0] = "a\xff";
	c.ext_len[0] = 2;
	assert_int_equal(checkpoint_fmt(&b, &c), PL_E_ARG);
	c.ext[0] = "ok";
	c.n_ext = CHECKPOINT_EXT_MAX + 1;
	assert_int_equal(checkpoint_fmt(&b, &c), PL_E_ARG);
	assert_int_equal(b.len, 0);
	/* A buffer too small for the whole text takes none of it. */
	c.n_ext = 1;
	buf_reset(&b);
	buf_init(&b, 60);
	assert_int_equal(checkpoint_fmt(&b, &c), PL_E_TOOBIG);
	assert_int_equal(b.len, 0);
	assert_int_equal(checkpoint_sign(&b, &c, log_p.keys), PL_E_TOOBIG);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
}

static void
test_checkpoint_open_failures(void **state)
{
	json_t *v = cp_vec(1);
	const char *sn = str(v, "signed_note", NULL), *text = str(v, "note_text", NULL);
	static char b[1024];
	size_t n = strlen(sn), i;
	struct checkpoint c;
	struct note_seen seen[2];
	struct buf sb;
	const char *cos = strstr(sn, "— example.org/test-witness ");

	(void)state;
	/* Any byte of the text changed: unreadable, or refused by the log's signature. */
	for (i = 0; i < strlen(text); i++) {
		memcpy(b, sn, n + 1);
		b[i] ^= 0x01;
		assert_int_not_equal(checkpoint_open(&c, &note, b, n, &log_p.nk, NULL, 0, NULL),
		                     PL_OK);
	}
	/* A changed cosignature refuses the checkpoint when the witness is known, not otherwise. */
	assert_int_equal(note_read(&note, sn, n), PL_OK);
	buf_init(&sb, 1024);
	assert_int_equal(buf_add(&sb, sn, (size_t)(cos - sn)), PL_OK);
	note.sigs[1].sig[20] ^= 0x01;
	assert_int_equal(
	        note_sig_line(&sb, wit_p.nk.name, wit_p.nk.id, note.sigs[1].sig, note.sigs[1].len),
	        PL_OK);
	memcpy(b, sb.data, sb.len);
	buf_reset(&sb);
	assert_int_equal(checkpoint_open(&c, &note, b, n, &log_p.nk, NULL, 0, NULL), PL_OK);
	assert_int_equal(checkpoint_open(&c, &note, b, n, &log_p.nk, &wit_p.nk, 1, seen),
	                 PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "example.org/test-witness"));
	/* Another log's key under the same name: refused. */
	{
		struct note_key other;

		assert_int_equal(note_key_make(&other, log_p.nk.name, NOTE_TYPE_ED25519, wit_p.pk),
		                 PL_OK);
		assert_int_equal(checkpoint_open(&c, &note, sn, n, &other, NULL, 0, NULL),
		                 PL_E_CRYPTO);
	}
	/* A note signed by the log whose text is not a checkpoint. */
	buf_init(&sb, 1024);
	assert_int_equal(buf_add_str(&sb, "example.org/test-log\n8\nnot a hash\n\n"), PL_OK);
	assert_int_equal(note_sign(&sb, "example.org/test-log\n8\nnot a hash\n",
	                           strlen("example.org/test-log\n8\nnot a hash\n"),
	                           "example.org/test-log", log_p.keys),
	                 PL_OK);
	assert_int_equal(
	        checkpoint_open(&c, &note, (const char *)sb.data, sb.len, &log_p.nk, NULL, 0, NULL),
	        PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "root hash"));
	buf_reset(&sb);
	/* Too many witness keys for the verifier. */
	assert_int_equal(
	        checkpoint_open(&c, &note, sn, n, &log_p.nk, &wit_p.nk, NOTE_SIGS_MAX + 1, NULL),
	        PL_E_ARG);
}

/* ---- Cosignatures. ---- */

static void
test_cosig_limits(void **state)
{
	const char *text = str(cp_vec(0), "note_text", NULL);
	uint8_t raw[COSIG_LEN + 1];
	struct note_seen seen[2];
	struct note_key keys[2];
	struct buf b;
	uint64_t ts;
	size_t bit;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(cosig_message(&b, 0, "x\n", 2), PL_OK);
	expect_buf(&b, "cosignature/v1\ntime 0\nx\n");
	b.len = 0;
	assert_int_equal(cosig_message(&b, (uint64_t)INT64_MAX, "x\n", 2), PL_OK);
	expect_buf(&b, "cosignature/v1\ntime 9223372036854775807\nx\n");
	b.len = 0;
	assert_int_equal(cosig_message(&b, (uint64_t)INT64_MAX + 1, "x\n", 2), PL_E_ARG);
	assert_int_equal(cosig_sign(&b, text, strlen(text), wit_p.nk.name, wit_p.keys,
	                            (uint64_t)INT64_MAX + 1),
	                 PL_E_ARG);
	assert_int_equal(cosig_sign(&b, "x", 1, wit_p.nk.name, wit_p.keys, 1), PL_E_ARG);
	assert_int_equal(cosig_sign(&b, "x\r\n", 3, wit_p.nk.name, wit_p.keys, 1), PL_E_ARG);
	assert_int_equal(cosig_sign(&b, text, strlen(text), "bad name", wit_p.keys, 1), PL_E_ARG);
	assert_int_equal(b.len, 0);

	/* A cosignature at the largest time verifies and reports it. */
	for (bit = 0; bit < 8; bit++)
		raw[bit] = bit == 0 ? 0x7f : 0xff;
	b.len = 0;
	assert_int_equal(cosig_message(&b, (uint64_t)INT64_MAX, text, strlen(text)), PL_OK);
	sig_sign(raw + 8, wit_p.sk, b.data, b.len);
	assert_int_equal(cosig_verify(&ts, raw, COSIG_LEN, wit_p.pk, text, strlen(text)), PL_OK);
	assert_true(ts == (uint64_t)INT64_MAX);
	/* Wrong lengths, and a time past 2^63 - 1 even with a matching signature. */
	assert_int_equal(cosig_verify(&ts, raw, COSIG_LEN - 1, wit_p.pk, text, strlen(text)),
	                 PL_E_PROTO);
	assert_true(ts == 0);
	assert_int_equal(cosig_verify(&ts, raw, COSIG_LEN + 1, wit_p.pk, text, strlen(text)),
	                 PL_E_PROTO);
	assert_int_equal(cosig_verify(&ts, raw, 0, wit_p.pk, text, strlen(text)), PL_E_PROTO);
	raw[0] = 0x80;
	assert_int_equal(cosig_verify(&ts, raw, COSIG_LEN, wit_p.pk, text, strlen(text)),
	                 PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "2^63"));
	raw[0] = 0x7f;
	/* Every bit of the timestamp and the signature is covered. */
	for (bit = 0; bit < 8 * COSIG_LEN; bit++) {
		raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (cosig_verify(&ts, raw, COSIG_LEN, wit_p.pk, text, strlen(text)) == PL_OK)
			fail_msg("cosignature bit %zu flipped: verified", bit);
		assert_true(ts == 0);
		raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* Another text, and the same text as a plain Ed25519 note signature. */
	assert_int_equal(cosig_verify(&ts, raw, COSIG_LEN, wit_p.pk, "x\n", 2), PL_E_CRYPTO);
	assert_int_equal(cosig_verify(&ts, raw, COSIG_LEN, log_p.pk, text, strlen(text)),
	                 PL_E_CRYPTO);

	/*
	 * Type confusion: a plain Ed25519 signature of the text by the witness
	 * key, labelled with its cosignature ID, is no cosignature; a
	 * cosignature labelled with the Ed25519 ID of the same key is no
	 * Ed25519 note signature.
	 */
	b.len = 0;
	assert_int_equal(buf_add_str(&b, text), PL_OK);
	assert_int_equal(buf_add_u8(&b, '\n'), PL_OK);
	sig_sign(raw, wit_p.sk, text, strlen(text));
	assert_int_equal(note_sig_line(&b, wit_p.nk.name, wit_p.nk.id, raw, SIG_LEN), PL_OK);
	assert_int_equal(note_read(&note, (const char *)b.data, b.len), PL_OK);
	assert_int_equal(note_verify(&note, &wit_p.nk, 1, NULL), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "64 bytes, want 72"));
	assert_int_equal(note_key_make(&keys[1], wit_p.nk.name, NOTE_TYPE_ED25519, wit_p.pk),
	                 PL_OK);
	keys[0] = wit_p.nk;
	b.len = 0;
	assert_int_equal(buf_add_str(&b, text), PL_OK);
	assert_int_equal(buf_add_u8(&b, '\n'), PL_OK);
	assert_int_equal(cosig_sign(&b, text, strlen(text), wit_p.nk.name, wit_p.keys, 5), PL_OK);
	assert_int_equal(note_read(&note, (const char *)b.data, b.len), PL_OK);
	assert_int_equal(note_verify(&note, keys, 2, seen), PL_OK);
	assert_true(seen[0].verified && seen[0].timestamp == 5 && !seen[1].verified);
	note.sigs[0].key_id = keys[1].id;
	assert_int_equal(note_verify(&note, &keys[1], 1, NULL), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "72 bytes, want 64"));
	buf_reset(&b);
}

/* Two cosignatures by one witness: both must verify; the later time is reported. */
static void
test_cosig_twice(void **state)
{
	const char *text = str(cp_vec(1), "note_text", NULL);
	struct note_key keys[2] = { log_p.nk, wit_p.nk };
	struct note_seen seen[2];
	struct checkpoint c;
	struct buf b;

	(void)state;
	assert_int_equal(checkpoint_parse(&c, text, strlen(text)), PL_OK);
	buf_init(&b, 4096);
	assert_int_equal(checkpoint_sign(&b, &c, log_p.keys), PL_OK);
	assert_int_equal(cosig_sign(&b, text, strlen(text), wit_p.nk.name, wit_p.keys, 20), PL_OK);
	assert_int_equal(cosig_sign(&b, text, strlen(text), wit_p.nk.name, wit_p.keys, 10), PL_OK);
	assert_int_equal(note_read(&note, (const char *)b.data, b.len), PL_OK);
	assert_int_equal(note.n_sigs, 3);
	assert_int_equal(note_verify(&note, keys, 2, seen), PL_OK);
	assert_true(seen[1].verified && seen[1].timestamp == 20);
	/* The second one's time changed: refused although the first is good. */
	note.sigs[2].sig[7] ^= 1;
	assert_int_equal(note_verify(&note, keys, 2, seen), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "signature 3 by 'example.org/test-witness'"));
	buf_reset(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_keys),
		cmocka_unit_test(test_generated_checkpoints),
		cmocka_unit_test(test_add_checkpoint_body),
		cmocka_unit_test(test_cosignature_example),
		cmocka_unit_test(test_checkpoint_parse),
		cmocka_unit_test(test_checkpoint_fmt),
		cmocka_unit_test(test_checkpoint_open_failures),
		cmocka_unit_test(test_cosig_limits),
		cmocka_unit_test(test_cosig_twice),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
