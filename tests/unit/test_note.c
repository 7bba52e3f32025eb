/*
 * test_note.c - C2SP signed-note, tlog-checkpoint and tlog-cosignature
 * against the vectors in tests/vectors/signed-note (published by others and
 * generated from fixed seeds), then every way a note can be malformed.
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
#include "tlog/checkpoint.h"
#include "tlog/cosig.h"
#include "tlog/note.h"

#define PUB "tests/vectors/signed-note/published-vectors.json"
#define GEN "tests/vectors/signed-note/generated-vectors.json"

static json_t *pub, *gen;

static int
setup(void **state)
{
	json_error_t e;

	(void)state;
	if (cr_init() != PL_OK)
		return -1;
	pub = json_load_file(PUB, JSON_REJECT_DUPLICATES, &e);
	gen = json_load_file(GEN, JSON_REJECT_DUPLICATES, &e);
	return pub != NULL && gen != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	json_decref(pub);
	json_decref(gen);
	return 0;
}

static const char *
str(json_t *o, const char *path1, const char *path2)
{
	json_t *v = json_object_get(o, path1);

	if (path2 != NULL)
		v = json_object_get(v, path2);
	assert_true(json_is_string(v));
	return json_string_value(v);
}

static struct keys *
keys_from_seed(const uint8_t seed[32])
{
	uint8_t secret[KEYS_SECRET_LEN] = { 0 };

	memcpy(secret, seed, 32);
	secret[32] = 1; /* the X25519 half is unused here */
	return keys_from_secret(secret);
}

static void
test_c2sp_example(void **state)
{
	const char *sn = str(pub, "c2sp_signed_note_example", "signed_note");
	struct note_key k;
	struct note_seen seen;
	struct note *n = malloc(sizeof(*n));
	struct buf b;

	(void)state;
	assert_int_equal(note_key_parse(&k, str(pub, "c2sp_signed_note_example", "vkey")), PL_OK);
	assert_string_equal(k.name, "example.com/foo");
	assert_int_equal(k.id, 0x530d903a);
	buf_init(&b, 256);
	assert_int_equal(note_key_fmt(&b, &k), PL_OK);
	assert_int_equal(buf_add_u8(&b, 0), PL_OK);
	assert_string_equal((char *)b.data, str(pub, "c2sp_signed_note_example", "vkey"));
	buf_reset(&b);
	assert_int_equal(note_read(n, sn, strlen(sn)), PL_OK);
	assert_int_equal(n->text_len, strlen("This is an example message.\n"));
	assert_int_equal(note_verify(n, &k, 1, &seen), PL_OK);
	assert_true(seen.verified);
	free(n);
}

/* Go x/mod's private key format: PRIVATE+KEY+name+id+base64(0x01 || seed). */
static struct keys *
go_skey(const char *s)
{
	const char *b64 = s;
	uint8_t raw[64];
	size_t n;
	int i;

	/* The fifth field; the base64 itself may contain '+'. */
	for (i = 0; i < 4; i++)
		b64 = strchr(b64, '+') + 1;

	assert_int_equal(cr_b64_decode(raw, sizeof(raw), &n, b64, strlen(b64)), PL_OK);
	assert_int_equal(n, 33);
	assert_int_equal(raw[0], 1);
	return keys_from_seed(raw + 1);
}

static void
test_go_vectors(void **state)
{
	json_t *v = json_object_get(pub, "go_sumdb_note_peterneumann");
	json_t *two = json_object_get(pub, "go_sumdb_note_two_signers");
	const char *text = str(v, "note_text", NULL), *sn = str(v, "signed_note", NULL);
	struct keys *k = go_skey(str(v, "skey", NULL));
	struct note *n = malloc(sizeof(*n));
	struct note_key keys[2];
	struct note_seen seen[2];
	struct buf b;

	(void)state;
	assert_int_equal(note_key_parse(&keys[0], str(v, "vkey", NULL)), PL_OK);
	assert_memory_equal(keys[0].pk, keys_sign_pk(k), SIG_PK_LEN);
	/* Signing reproduces the published note byte for byte. */
	buf_init(&b, 4096);
	assert_int_equal(buf_add_str(&b, text), PL_OK);
	assert_int_equal(buf_add_u8(&b, '\n'), PL_OK);
	assert_int_equal(note_sign(&b, text, strlen(text), "PeterNeumann", k), PL_OK);
	assert_int_equal(b.len, strlen(sn));
	assert_memory_equal(b.data, sn, b.len);
	buf_reset(&b);

	sn = str(two, "signed_note", NULL);
	assert_int_equal(note_key_parse(&keys[1], json_string_value(json_array_get(
	                                                  json_object_get(two, "vkeys"), 1))),
	                 PL_OK);
	assert_int_equal(note_read(n, sn, strlen(sn)), PL_OK);
	assert_int_equal(n->n_sigs, 2);
	assert_int_equal(note_verify(n, keys, 2, seen), PL_OK);
	assert_true(seen[0].verified && seen[1].verified);
	/* With one known key the other signature is ignored. */
	assert_int_equal(note_verify(n, keys, 1, seen), PL_OK);
	assert_true(seen[0].verified);
	/* With no known key the note is rejected. */
	assert_int_equal(note_verify(n, keys, 0, NULL), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "no signature from a known key"));
	keys_free(k);
	free(n);
}

static void
test_cosignature_example_layout(void **state)
{
	json_t *v = json_object_get(pub, "c2sp_cosignature_example_parse_only");
	const char *sn = str(v, "signed_note", NULL);
	struct note *n = malloc(sizeof(*n));
	struct checkpoint c;
	struct buf msg;

	(void)state;
	assert_int_equal(note_read(n, sn, strlen(sn)), PL_OK);
	assert_int_equal(n->n_sigs, 2);
	assert_int_equal(n->sigs[0].key_id, 0x033de0ae);
	assert_int_equal(4 + n->sigs[0].len, 68);
	assert_int_equal(n->sigs[1].key_id, 0x8d66cf3f);
	assert_int_equal(4 + n->sigs[1].len, 76);
	assert_int_equal(checkpoint_parse(&c, n->text, n->text_len), PL_OK);
	assert_string_equal(c.origin, "example.com/behind-the-sofa");
	assert_true(c.size == 20852163);
	buf_init(&msg, 4096);
	assert_int_equal(cosig_message(&msg, 1679315147, n->text, n->text_len), PL_OK);
	assert_int_equal(msg.len, strlen(str(v, "witness_cosignature", "signed_message")));
	assert_memory_equal(msg.data, str(v, "witness_cosignature", "signed_message"), msg.len);
	buf_reset(&msg);
	free(n);
}

static struct keys *
gen_key(const char *who, struct note_key *k, uint8_t type)
{
	uint8_t seed[32];
	struct keys *keys;
	struct buf b;

	assert_int_equal(cr_unhex(seed, 32, str(gen, who, "seed_hex")), PL_OK);
	keys = keys_from_seed(seed);
	assert_int_equal(note_key_make(k, str(gen, who, "name"), type, keys_sign_pk(keys)), PL_OK);
	buf_init(&b, 256);
	assert_int_equal(note_key_fmt(&b, k), PL_OK);
	assert_int_equal(buf_add_u8(&b, 0), PL_OK);
	assert_string_equal((char *)b.data, str(gen, who, "vkey"));
	buf_reset(&b);
	return keys;
}

static void
test_generated_checkpoints(void **state)
{
	struct note_key logk, witk;
	struct keys *log = gen_key("log", &logk, NOTE_TYPE_ED25519);
	struct keys *wit = gen_key("witness", &witk, NOTE_TYPE_COSIG);
	json_t *cps = json_object_get(gen, "checkpoints");
	struct note *n = malloc(sizeof(*n));
	size_t i;

	(void)state;
	assert_int_equal(logk.id, 0x6b773ebb);
	assert_int_equal(witk.id, 0x12652081);
	for (i = 0; i < json_array_size(cps); i++) {
		json_t *v = json_array_get(cps, i);
		const char *text = str(v, "note_text", NULL),
		           *signed_note = str(v, "signed_note", NULL);
		struct checkpoint c;
		struct note_seen seen[2];
		struct buf b, msg;

		buf_init(&b, 4096);
		buf_init(&msg, 4096);
		assert_int_equal(checkpoint_parse(&c, text, strlen(text)), PL_OK);
		assert_true(c.size ==
		            (uint64_t)json_integer_value(json_object_get(v, "tree_size")));
		/* The log's signature and the witness's cosignature, byte for byte. */
		assert_int_equal(checkpoint_sign(&b, &c, log), PL_OK);
		assert_int_equal(cosig_sign(&b, text, strlen(text), witk.name, wit,
		                            (uint64_t)json_integer_value(
		                                    json_object_get(v, "cosignature_timestamp"))),
		                 PL_OK);
		assert_int_equal(b.len, strlen(signed_note));
		assert_memory_equal(b.data, signed_note, b.len);
		assert_int_equal(cosig_message(&msg,
		                               (uint64_t)json_integer_value(
		                                       json_object_get(v, "cosignature_timestamp")),
		                               text, strlen(text)),
		                 PL_OK);
		assert_memory_equal(msg.data, str(v, "cosignature_signed_message", NULL), msg.len);
		/* And the published note verifies with both keys. */
		assert_int_equal(checkpoint_open(&c, n, signed_note, strlen(signed_note), &logk,
		                                 &witk, 1, seen),
		                 PL_OK);
		assert_true(seen[0].verified && seen[1].verified);
		assert_true(seen[1].timestamp == 1700000000 + c.size);
		/* A cosignature key cannot stand for the log's key. */
		assert_int_equal(checkpoint_open(&c, n, signed_note, strlen(signed_note), &witk,
		                                 NULL, 0, NULL),
		                 PL_E_ARG);
		buf_reset(&b);
		buf_reset(&msg);
	}
	keys_free(log);
	keys_free(wit);
	free(n);
}

/* ---- Malformed notes. ---- */

static const char *
good_note(void)
{
	return str(pub, "c2sp_signed_note_example", "signed_note");
}

static void
expect_read_n(const char *s, size_t n, enum pl_err err, const char *msg)
{
	static struct note note;

	pl_err_clear();
	if (note_read(&note, s, n) != err)
		fail_msg("'%.*s': want %s, got '%s'", (int)n, s, pl_err_name(err), pl_err_msg());
	if (msg != NULL && strstr(pl_err_msg(), msg) == NULL)
		fail_msg("want '%s' in '%s'", msg, pl_err_msg());
}

static void
expect_read(const char *s, enum pl_err err, const char *msg)
{
	expect_read_n(s, strlen(s), err, msg);
}

static void
test_malformed_notes(void **state)
{
	const char *g = good_note();
	char b[512];
	size_t n = strlen(g), i;
	static char big[NOTE_MAX + 2];

	(void)state;
	expect_read(g, PL_OK, NULL);
	/* Every proper prefix is refused: no final newline, or no signature yet. */
	for (i = 0; i < n; i++) {
		static struct note note;

		assert_int_not_equal(note_read(&note, g, i), PL_OK);
	}
	expect_read("text\n— example.com/foo AAAA\n", PL_E_PROTO, "no blank line");
	expect_read("text\n\n", PL_E_PROTO, "no signature lines");
	expect_read("text\n\n- example.com/foo Uw2QOkn8\n", PL_E_PROTO, "em dash");
	expect_read("text\n\n— example.com/foo\n", PL_E_PROTO, "has no signature");
	expect_read("text\n\n— example.com/foo Uw2QOk!8\n", PL_E_PROTO, "base64");
	expect_read("text\n\n— example.com/foo Uw2QOkn\n", PL_E_PROTO, "base64");
	expect_read("text\n\n— example.com/foo Uw2Q\n", PL_E_PROTO, "key id and a signature");
	expect_read("text\n\n—  Uw2QOkn8\n", PL_E_PROTO, "key name");
	expect_read("te\rxt\n\n— a Uw2QOkn8\n", PL_E_PROTO, "control");
	expect_read("te\txt\n\n— a Uw2QOkn8\n", PL_E_PROTO, "control");
	expect_read("te\xffxt\n\n— a Uw2QOkn8\n", PL_E_PROTO, "UTF-8");
	(void)snprintf(b, sizeof(b), "%s\n", g); /* a blank line after the signatures */
	expect_read(b, PL_E_PROTO, "no signature lines");
	memset(big, 'a', sizeof(big) - 1);
	expect_read_n(big, sizeof(big) - 1, PL_E_TOOBIG, "> 65536");
}

static void
test_verification_failures(void **state)
{
	const char *g = good_note();
	struct note_key k, other;
	static struct note n;
	char b[1024];
	uint8_t pk[32];
	size_t len = strlen(g), pos;

	(void)state;
	assert_int_equal(note_key_parse(&k, str(pub, "c2sp_signed_note_example", "vkey")), PL_OK);
	/* A flipped signature byte: the known key's signature fails, the whole note is refused. */
	memcpy(b, g, len + 1);
	pos = len - 10;
	b[pos] = b[pos] == 'A' ? 'B' : 'A';
	assert_int_equal(note_read(&n, b, len), PL_OK);
	assert_int_equal(note_verify(&n, &k, 1, NULL), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "does not verify"));
	/* A changed text. */
	memcpy(b, g, len + 1);
	b[0] = 't';
	assert_int_equal(note_read(&n, b, len), PL_OK);
	assert_int_equal(note_verify(&n, &k, 1, NULL), PL_E_CRYPTO);
	/* Same name, other key (so another id): ignored, hence no known signature. */
	memset(pk, 7, sizeof(pk));
	assert_int_equal(note_key_make(&other, "example.com/foo", NOTE_TYPE_ED25519, pk), PL_OK);
	assert_int_equal(note_read(&n, g, len), PL_OK);
	assert_int_equal(note_verify(&n, &other, 1, NULL), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "no signature from a known key"));
	/* An unknown extra signature and a duplicate are both harmless. */
	(void)snprintf(b, sizeof(b), "%s— unknown.example/x AAAAAAAAAAAA\n%s", g,
	               strstr(g, "\n\n") + 2);
	assert_int_equal(note_read(&n, b, strlen(b)), PL_OK);
	assert_int_equal(n.n_sigs, 3);
	assert_int_equal(note_verify(&n, &k, 1, NULL), PL_OK);
}

static void
test_keys_and_names(void **state)
{
	struct note_key k;
	uint8_t pk[32] = { 1 };

	(void)state;
	assert_int_equal(note_key_make(&k, "a+b", NOTE_TYPE_ED25519, pk), PL_E_ARG);
	assert_int_equal(note_key_make(&k, "a b", NOTE_TYPE_ED25519, pk), PL_E_ARG);
	assert_int_equal(note_key_make(&k,
	                               "a\xc2\xa0"
	                               "b",
	                               NOTE_TYPE_ED25519, pk),
	                 PL_E_ARG);
	assert_int_equal(note_key_make(&k, "", NOTE_TYPE_ED25519, pk), PL_E_ARG);
	assert_int_equal(note_key_make(&k, "ok", 0x02, pk), PL_E_ARG);
	assert_int_equal(note_key_make(&k, "ok", NOTE_TYPE_COSIG, pk), PL_OK);
	/* vkeys whose id does not match, or of other types, are refused. */
	assert_int_equal(
	        note_key_parse(
	                &k,
	                "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
	        PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "does not match"));
	assert_int_equal(
	        note_key_parse(
	                &k,
	                "example.com/foo+530d903a+AukyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
	        PL_E_PROTO);
	assert_int_equal(note_key_parse(&k, "example.com/foo+530d903a"), PL_E_PROTO);
	assert_int_equal(note_key_parse(&k, "example.com/foo+53+AekyeRrm"), PL_E_PROTO);
}

static void
test_cosig_limits(void **state)
{
	struct buf b;
	uint64_t ts;
	uint8_t sig[COSIG_LEN] = { 0 }, pk[32] = { 0 };

	(void)state;
	buf_init(&b, 256);
	assert_int_equal(cosig_message(&b, (uint64_t)INT64_MAX + 1, "x\n", 2), PL_E_ARG);
	assert_int_equal(cosig_verify(&ts, sig, COSIG_LEN - 1, pk, "x\n", 2), PL_E_CRYPTO);
	sig[0] = 0x80; /* timestamp 2^63 */
	assert_int_equal(cosig_verify(&ts, sig, COSIG_LEN, pk, "x\n", 2), PL_E_ARG);
	buf_reset(&b);
}

static void
expect_cp(const char *text, enum pl_err err, const char *msg)
{
	struct checkpoint c;

	if (checkpoint_parse(&c, text, strlen(text)) != err)
		fail_msg("'%s': want %s, got '%s'", text, pl_err_name(err), pl_err_msg());
	if (msg != NULL && strstr(pl_err_msg(), msg) == NULL)
		fail_msg("want '%s' in '%s'", msg, pl_err_msg());
}

#define ROOT "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="

static void
test_checkpoint_text(void **state)
{
	struct checkpoint c;
	struct buf b;

	(void)state;
	expect_cp("o\n0\n" ROOT "\n", PL_OK, NULL);
	expect_cp("o\n18446744073709551615\n" ROOT "\next one\next two\n", PL_OK, NULL);
	expect_cp("o\n18446744073709551616\n" ROOT "\n", PL_E_PROTO, "64-bit");
	expect_cp("o\n08\n" ROOT "\n", PL_E_PROTO, "leading zeros");
	expect_cp("o\n8a\n" ROOT "\n", PL_E_PROTO, "64-bit");
	expect_cp("o\n\n" ROOT "\n", PL_E_PROTO, "size");
	expect_cp("\n8\n" ROOT "\n", PL_E_PROTO, "origin");
	expect_cp("o\n8\nXcnaeacG\n", PL_E_PROTO, "32 bytes");
	expect_cp("o\n8\n", PL_E_PROTO, "missing root hash");
	expect_cp("o\n8\n" ROOT "\n\n", PL_E_PROTO, "empty extension");
	expect_cp("o\n8\n" ROOT, PL_E_PROTO, "missing root hash");
	expect_cp("o\n8\n" ROOT "\na\nb\nc\nd\ne\nf\ng\nh\ni\n", PL_E_TOOBIG, "extension");
	/* Regression (fuzz_checkpoint): a NUL in the origin was accepted and then lost. */
	assert_int_equal(checkpoint_parse(&c, "o\0x\n8\n" ROOT "\n", 7 + 44), PL_E_PROTO);
	assert_int_equal(checkpoint_parse(&c, "o\tx\n8\n" ROOT "\n", 7 + 44), PL_E_PROTO);
	/* Formatting is the inverse of parsing. */
	assert_int_equal(checkpoint_parse(&c, "log.example\n8\n" ROOT "\nx\n",
	                                  strlen("log.example\n8\n" ROOT "\nx\n")),
	                 PL_OK);
	buf_init(&b, 256);
	assert_int_equal(checkpoint_fmt(&b, &c), PL_OK);
	assert_int_equal(b.len, strlen("log.example\n8\n" ROOT "\nx\n"));
	assert_memory_equal(b.data, "log.example\n8\n" ROOT "\nx\n", b.len);
	buf_reset(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_c2sp_example),
		cmocka_unit_test(test_go_vectors),
		cmocka_unit_test(test_cosignature_example_layout),
		cmocka_unit_test(test_generated_checkpoints),
		cmocka_unit_test(test_malformed_notes),
		cmocka_unit_test(test_verification_failures),
		cmocka_unit_test(test_keys_and_names),
		cmocka_unit_test(test_cosig_limits),
		cmocka_unit_test(test_checkpoint_text),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
