/*
 * test_note.c - C2SP signed-note v1: the published vectors (the C2SP
 * example, Go's x/mod/sumdb/note keys and notes) and the generated log key,
 * reproduced byte for byte from their seeds; then every way a note, a
 * signature line or a verifier key can be wrong, each with the error it
 * must give.  Checkpoints and cosignatures are in test_checkpoint.c.
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
#include "tlog/note.h"

#define PUB "tests/vectors/signed-note/published-vectors.json"
#define GEN "tests/vectors/signed-note/generated-vectors.json"

static json_t *pub, *gen;
/* Scratch space for notes under construction (NOTE_MAX plus room to go past it). */
static char nb[NOTE_MAX + 1024];
static struct note note;

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
str(json_t *o, const char *k1, const char *k2)
{
	json_t *v = json_object_get(o, k1);

	if (k2 != NULL)
		v = json_object_get(v, k2);
	assert_true(json_is_string(v));
	return json_string_value(v);
}

/* Keys from an Ed25519 seed (the X25519 half is unused here). */
static struct keys *
keys_from_seed(const uint8_t seed[SIG_SEED_LEN])
{
	uint8_t secret[KEYS_SECRET_LEN] = { 0 };
	struct keys *k;

	memcpy(secret, seed, SIG_SEED_LEN);
	secret[SIG_SEED_LEN] = 1;
	k = keys_from_secret(secret);
	assert_non_null(k);
	return k;
}

/* Go x/mod private key: PRIVATE+KEY+name+id+base64(0x01 || seed). */
static void
go_seed(const char *skey, uint8_t seed[SIG_SEED_LEN])
{
	const char *b64 = skey;
	uint8_t raw[64];
	size_t n;
	int i;

	/* The fifth field; the base64 itself may contain '+'. */
	for (i = 0; i < 4; i++) {
		b64 = strchr(b64, '+');
		assert_non_null(b64);
		b64++;
	}
	assert_int_equal(cr_b64_decode(raw, sizeof(raw), &n, b64, strlen(b64)), PL_OK);
	assert_int_equal(n, 1 + SIG_SEED_LEN);
	assert_int_equal(raw[0], NOTE_TYPE_ED25519);
	memcpy(seed, raw + 1, SIG_SEED_LEN);
}

static void
expect_key_equal(const struct note_key *a, const struct note_key *b)
{
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->type, b->type);
	assert_memory_equal(a->pk, b->pk, SIG_PK_LEN);
}

static void
expect_key_fmt(const struct note_key *k, const char *want)
{
	struct buf b;

	buf_init(&b, 512);
	assert_int_equal(note_key_fmt(&b, k), PL_OK);
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.data, want, b.len);
	buf_reset(&b);
}

static void
expect_read_n(const char *s, size_t n, enum pl_err err, const char *msg)
{
	pl_err_clear();
	if (note_read(&note, s, n) != err)
		fail_msg("'%.*s': want %s, got '%s'", (int)(n < 200 ? n : 200), s, pl_err_name(err),
		         pl_err_msg());
	if (msg != NULL && strstr(pl_err_msg(), msg) == NULL)
		fail_msg("want '%s' in '%s'", msg, pl_err_msg());
}

static void
expect_read(const char *s, enum pl_err err, const char *msg)
{
	expect_read_n(s, strlen(s), err, msg);
}

/* The C2SP example and its key. */
static const char *
ex_note(void)
{
	return str(pub, "c2sp_signed_note_example", "signed_note");
}

static void
ex_key(struct note_key *k)
{
	assert_int_equal(note_key_parse(k, str(pub, "c2sp_signed_note_example", "vkey")), PL_OK);
}

/* nb = text "\n" then the lines, each given without its newline. */
static size_t
build(const char *text, const char *const *lines, size_t n_lines)
{
	size_t len = 0, i;

	len += (size_t)snprintf(nb + len, sizeof(nb) - len, "%s\n", text);
	for (i = 0; i < n_lines; i++)
		len += (size_t)snprintf(nb + len, sizeof(nb) - len, "%s\n", lines[i]);
	assert_true(len < sizeof(nb));
	return len;
}

/* A signature line (without newline) in out, from parts. */
static void
sig_line(char *out, size_t cap, const char *name, uint32_t id, const uint8_t *sig, size_t n)
{
	static uint8_t raw[4 + 8192];
	static char b64[CR_B64_LEN(sizeof(raw))];

	assert_true(n <= sizeof(raw) - 4);
	raw[0] = (uint8_t)(id >> 24);
	raw[1] = (uint8_t)(id >> 16);
	raw[2] = (uint8_t)(id >> 8);
	raw[3] = (uint8_t)id;
	memcpy(raw + 4, sig, n);
	cr_b64_encode(b64, sizeof(b64), raw, 4 + n);
	assert_true((size_t)snprintf(out, cap, "— %s %s", name, b64) < cap);
}

/* ---- Published vectors. ---- */

static void
test_c2sp_example(void **state)
{
	const char *text = str(pub, "c2sp_signed_note_example", "note_text");
	struct note_key k;
	struct note_seen seen;

	(void)state;
	ex_key(&k);
	assert_string_equal(k.name, "example.com/foo");
	assert_int_equal(k.id, 0x530d903a);
	assert_int_equal(k.type, NOTE_TYPE_ED25519);
	assert_int_equal(k.id, note_key_id(k.name, NOTE_TYPE_ED25519, k.pk));
	expect_key_fmt(&k, str(pub, "c2sp_signed_note_example", "vkey"));
	expect_read(ex_note(), PL_OK, NULL);
	assert_int_equal(note.text_len, strlen(text));
	assert_memory_equal(note.text, text, note.text_len);
	assert_ptr_equal(note.text, ex_note()); /* borrowed, not copied */
	assert_int_equal(note.n_sigs, 1);
	assert_string_equal(note.sigs[0].name, "example.com/foo");
	assert_int_equal(note.sigs[0].name_len, 15);
	assert_int_equal(note.sigs[0].key_id, 0x530d903a);
	assert_int_equal(note.sigs[0].len, SIG_LEN);
	memset(&seen, 0xff, sizeof(seen));
	assert_int_equal(note_verify(&note, &k, 1, &seen), PL_OK);
	assert_int_equal(seen.verified, 1);
	assert_true(seen.timestamp == 0);
	assert_int_equal(note_verify(&note, &k, 1, NULL), PL_OK);
}

static void
test_go_sign_reproduces(void **state)
{
	json_t *v = json_object_get(pub, "go_sumdb_note_peterneumann");
	const char *text = str(v, "note_text", NULL), *want = str(v, "signed_note", NULL);
	uint8_t seed[SIG_SEED_LEN], pk[SIG_PK_LEN], sk[SIG_SK_LEN], sig[SIG_LEN];
	struct note_key k;
	struct keys *keys;
	struct buf b;

	(void)state;
	assert_int_equal(note_key_parse(&k, str(v, "vkey", NULL)), PL_OK);
	assert_int_equal(k.id, 0xc74f20a3);
	expect_key_fmt(&k, str(v, "vkey", NULL));
	go_seed(str(v, "skey", NULL), seed);
	/* The raw way: seed -> key pair -> Ed25519 over the text -> signature line. */
	sig_keypair_seed(pk, sk, seed);
	assert_memory_equal(pk, k.pk, SIG_PK_LEN);
	sig_sign(sig, sk, text, strlen(text));
	buf_init(&b, 4096);
	assert_int_equal(buf_add_str(&b, text), PL_OK);
	assert_int_equal(buf_add_u8(&b, '\n'), PL_OK);
	assert_int_equal(note_sig_line(&b, "PeterNeumann", k.id, sig, SIG_LEN), PL_OK);
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.data, want, b.len);
	/* The keys way: note_sign with struct keys gives the same bytes. */
	keys = keys_from_seed(seed);
	b.len = 0;
	assert_int_equal(buf_add_str(&b, text), PL_OK);
	assert_int_equal(buf_add_u8(&b, '\n'), PL_OK);
	assert_int_equal(note_sign(&b, text, strlen(text), "PeterNeumann", keys), PL_OK);
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.data, want, b.len);
	/* And it opens. */
	expect_read(want, PL_OK, NULL);
	assert_int_equal(note_verify(&note, &k, 1, NULL), PL_OK);
	buf_reset(&b);
	keys_free(keys);
	cr_wipe(sk, sizeof(sk));
}

static void
test_go_two_signers(void **state)
{
	json_t *two = json_object_get(pub, "go_sumdb_note_two_signers");
	json_t *vk = json_object_get(two, "vkeys");
	const char *sn = str(two, "signed_note", NULL);
	struct note_key keys[2], rev[2];
	struct note_seen seen[2];

	(void)state;
	assert_int_equal(note_key_parse(&keys[0], json_string_value(json_array_get(vk, 0))), PL_OK);
	assert_int_equal(note_key_parse(&keys[1], json_string_value(json_array_get(vk, 1))), PL_OK);
	expect_key_fmt(&keys[1], json_string_value(json_array_get(vk, 1)));
	assert_int_equal(keys[1].id, 0xaf0cfe78);
	expect_read(sn, PL_OK, NULL);
	assert_int_equal(note.n_sigs, 2);
	assert_string_equal(note.sigs[1].name, "EnochRoot");
	/* Both keys known: both verified. */
	assert_int_equal(note_verify(&note, keys, 2, seen), PL_OK);
	assert_true(seen[0].verified && seen[1].verified);
	/* The order of the keys does not matter. */
	rev[0] = keys[1];
	rev[1] = keys[0];
	assert_int_equal(note_verify(&note, rev, 2, seen), PL_OK);
	assert_true(seen[0].verified && seen[1].verified);
	/* One known key: the other signature is ignored ("1 verified + 1 unverified"). */
	assert_int_equal(note_verify(&note, &keys[0], 1, seen), PL_OK);
	assert_true(seen[0].verified);
	assert_int_equal(note_verify(&note, &keys[1], 1, seen), PL_OK);
	assert_true(seen[0].verified);
	/* No known key: refused. */
	assert_int_equal(note_verify(&note, keys, 0, NULL), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "no signature from a known key"));
}

/* The generated log key and its checkpoint signatures, as plain notes. */
static void
test_generated_log_signatures(void **state)
{
	json_t *log = json_object_get(gen, "log"), *cps = json_object_get(gen, "checkpoints");
	uint8_t seed[SIG_SEED_LEN], label_hash[HASH_LEN], pk[SIG_PK_LEN], sk[SIG_SK_LEN];
	uint8_t want_pk[SIG_PK_LEN], sig[SIG_LEN];
	const char *label = str(log, "seed_label", NULL);
	struct note_key k, parsed;
	struct buf b;
	size_t i;

	(void)state;
	assert_int_equal(cr_unhex(seed, sizeof(seed), str(log, "seed_hex", NULL)), PL_OK);
	hash_sha256(label_hash, label, strlen(label));
	assert_memory_equal(seed, label_hash, HASH_LEN);
	sig_keypair_seed(pk, sk, seed);
	assert_int_equal(cr_unhex(want_pk, sizeof(want_pk), str(log, "public_key_hex", NULL)),
	                 PL_OK);
	assert_memory_equal(pk, want_pk, SIG_PK_LEN);
	assert_int_equal(note_key_make(&k, str(log, "name", NULL), NOTE_TYPE_ED25519, pk), PL_OK);
	assert_int_equal(k.id, 0x6b773ebb);
	expect_key_fmt(&k, str(log, "vkey", NULL));
	assert_int_equal(note_key_parse(&parsed, str(log, "vkey", NULL)), PL_OK);
	expect_key_equal(&parsed, &k);
	assert_true(json_array_size(cps) == 2);
	buf_init(&b, 1024);
	for (i = 0; i < json_array_size(cps); i++) {
		json_t *cp = json_array_get(cps, i);
		const char *text = str(cp, "note_text", NULL);
		const char *line = str(cp, "log_signature_line", NULL);

		/* Byte for byte from the seed. */
		b.len = 0;
		sig_sign(sig, sk, text, strlen(text));
		assert_int_equal(note_sig_line(&b, k.name, k.id, sig, SIG_LEN), PL_OK);
		assert_int_equal(b.len, strlen(line) + 1);
		assert_memory_equal(b.data, line, strlen(line));
		assert_int_equal(b.data[b.len - 1], '\n');
		/* The signed note verifies with the log key alone; the cosignature is ignored. */
		expect_read(str(cp, "signed_note", NULL), PL_OK, NULL);
		assert_int_equal(note.n_sigs, 2);
		assert_int_equal(note_verify(&note, &k, 1, NULL), PL_OK);
	}
	buf_reset(&b);
	cr_wipe(sk, sizeof(sk));
}

/* ---- Malformed notes. ---- */

static void
test_truncated(void **state)
{
	const char *two = str(pub, "go_sumdb_note_two_signers", "signed_note");
	const char *ex = ex_note();
	size_t n, i;

	(void)state;
	/* One signature: every proper prefix is refused as malformed. */
	n = strlen(ex);
	for (i = 0; i < n; i++) {
		pl_err_clear();
		assert_int_equal(note_read(&note, ex, i), PL_E_PROTO);
		assert_true(pl_err_msg()[0] != '\0');
	}
	/*
	 * Two signatures: a prefix that ends just after the first signature
	 * line is a note with one signature; every other one is refused.
	 */
	n = strlen(two);
	for (i = 0; i < n; i++) {
		const char *cut = strstr(two, "\n— EnochRoot");
		int one = i == (size_t)(cut - two) + 1;

		assert_int_equal(note_read(&note, two, i), one ? PL_OK : PL_E_PROTO);
		if (one)
			assert_int_equal(note.n_sigs, 1);
	}
}

static void
test_structure(void **state)
{
	const char *ex = ex_note(), *sigline = strstr(ex, "— ");
	char b[512];

	(void)state;
	expect_read_n("", 0, PL_E_PROTO, "newline");
	expect_read("text\n— example.com/foo Uw2QOkn8\n", PL_E_PROTO, "no blank line");
	/* The example with its blank line removed. */
	(void)snprintf(b, sizeof(b), "This is an example message.\n%s", sigline);
	expect_read(b, PL_E_PROTO, "no blank line");
	/* The example without its final newline. */
	expect_read_n(ex, strlen(ex) - 1, PL_E_PROTO, "newline");
	expect_read("text\n\n", PL_E_PROTO, "no signature lines");
	expect_read("\n\n", PL_E_PROTO, "no signature lines");
	/* A blank line after the signatures makes it the separator: no signatures follow. */
	(void)snprintf(b, sizeof(b), "%s\n", ex);
	expect_read(b, PL_E_PROTO, "no signature lines");
	/* A blank line between two signatures: the second "signature block" holds only one. */
	(void)snprintf(b, sizeof(b), "This is an example message.\n\n%s\n%s", sigline, sigline);
	expect_read(b, PL_OK, NULL);
	assert_int_equal(note.n_sigs, 1);
	assert_int_equal(note.text_len,
	                 strlen("This is an example message.\n\n") + strlen(sigline));
	/* Text with blank lines inside: the last blank line separates. */
	(void)snprintf(b, sizeof(b), "a\n\nb\n\n\n%s", sigline);
	expect_read(b, PL_OK, NULL);
	assert_int_equal(note.text_len, strlen("a\n\nb\n\n"));
	/* The smallest text is a lone newline. */
	(void)snprintf(b, sizeof(b), "\n\n%s", sigline);
	expect_read(b, PL_OK, NULL);
	assert_int_equal(note.text_len, 1);
	/* Not an em dash: hyphen, en dash (U+2013), minus sign (U+2212), em dash without space. */
	expect_read("text\n\n- example.com/foo Uw2QOkn8\n", PL_E_PROTO, "em dash");
	expect_read("text\n\n\xe2\x80\x93 example.com/foo Uw2QOkn8\n", PL_E_PROTO, "em dash");
	expect_read("text\n\n\xe2\x88\x92 example.com/foo Uw2QOkn8\n", PL_E_PROTO, "em dash");
	expect_read("text\n\n—example.com/foo Uw2QOkn8\n", PL_E_PROTO, "em dash");
	expect_read("text\n\n \xe2\x80\x94 example.com/foo Uw2QOkn8\n", PL_E_PROTO, "em dash");
	/* Name and signature. */
	expect_read("text\n\n— example.com/foo\n", PL_E_PROTO, "has no signature");
	expect_read("text\n\n—  Uw2QOkn8\n", PL_E_PROTO, "key name");
	expect_read("text\n\n— a+b Uw2QOkn8\n", PL_E_PROTO, "key name");
	expect_read("text\n\n— a\xc2\xa0"
	            "b Uw2QOkn8\n",
	            PL_E_PROTO, "key name");
	expect_read("text\n\n— a\xe3\x80\x80"
	            "b Uw2QOkn8\n",
	            PL_E_PROTO, "key name");
	expect_read("text\n\n— a\xe2\x80\xa8"
	            "b Uw2QOkn8\n",
	            PL_E_PROTO, "key name");
	expect_read("text\n\n— a\xc2\x85"
	            "b Uw2QOkn8\n",
	            PL_E_PROTO, "key name");
	expect_read("text\n\n— example.com/foo  Uw2QOkn8\n", PL_E_PROTO, "base64");
	expect_read("text\n\n— example.com/foo Uw2QOkn8 \n", PL_E_PROTO, "base64");
	expect_read("text\n\n— example.com/foo \n", PL_E_PROTO, "base64");
	/* A line that is not a signature among signatures. */
	(void)snprintf(b, sizeof(b), "%sextra\n", ex);
	expect_read(b, PL_E_PROTO, "em dash");
}

static void
test_bad_base64(void **state)
{
	(void)state;
	/* 6 bytes: key ID 530d903a and 2 signature bytes; the minimum is 5 bytes. */
	expect_read("text\n\n— n Uw2QOkn8\n", PL_OK, NULL);
	assert_int_equal(note.sigs[0].len, 2);
	expect_read("text\n\n— n Uw2QOkk=\n", PL_OK, NULL);
	assert_int_equal(note.sigs[0].len, 1);
	expect_read("text\n\n— n Uw2QOg==\n", PL_E_PROTO, "key id and a signature");
	expect_read("text\n\n— n Uw2Q\n", PL_E_PROTO, "key id and a signature");
	/* Not the standard alphabet: '!', URL-safe '-' and '_', a non-ASCII letter. */
	expect_read("text\n\n— n Uw2QOk!8\n", PL_E_PROTO, "base64");
	expect_read("text\n\n— n Uw2QOk-8\n", PL_E_PROTO, "base64");
	expect_read("text\n\n— n Uw2QOk_8\n", PL_E_PROTO, "base64");
	expect_read("text\n\n— n Uw2QOk\xc3\x81"
	            "8\n",
	            PL_E_PROTO, "base64");
	/* Padding: missing, extra, in the middle, or alone. */
	expect_read("text\n\n— n Uw2QOkk\n", PL_E_PROTO, "base64");
	expect_read("text\n\n— n Uw2QOkk==\n", PL_E_PROTO, "base64");
	expect_read("text\n\n— n Uw2QOkk=Uw2Q\n", PL_E_PROTO, "base64");
	expect_read("text\n\n— n Uw2QOkn8=\n", PL_E_PROTO, "base64");
	expect_read("text\n\n— n ====\n", PL_E_PROTO, "base64");
	/* Non-canonical: the unused bits of the last character are not zero. */
	expect_read("text\n\n— n Uw2QOkl=\n", PL_E_PROTO, "base64");
	expect_read("text\n\n— n Uw2QOh==\n", PL_E_PROTO, "base64");
	/* Whitespace inside (a space would end the name first; a tab is a control character). */
	expect_read("text\n\n— n Uw2Q Okn8\n", PL_E_PROTO, "base64");
	expect_read("text\n\n— n Uw2Q\tOkn8\n", PL_E_PROTO, "control");
}

/* Long base64 signatures from unknown keys (post-quantum ones reach ~5 kB) are checked and ignored. */
static void
test_long_signatures(void **state)
{
	static char line[16384];
	static uint8_t big[8192];
	const char *ex = ex_note();
	struct note_key k;
	size_t n;

	(void)state;
	ex_key(&k);
	memset(big, 0x5a, sizeof(big));
	/* ML-DSA-44 cosignature size (8 + 2420), and larger than any buffer in note.c. */
	sig_line(line, sizeof(line), "pq.example/w", 0x01020304, big, 8 + 2420);
	n = (size_t)snprintf(nb, sizeof(nb), "%s%s\n", ex, line);
	expect_read_n(nb, n, PL_OK, NULL);
	assert_int_equal(note.n_sigs, 2);
	assert_int_equal(note.sigs[1].key_id, 0x01020304);
	assert_int_equal(note.sigs[1].len, 0);
	assert_int_equal(note_verify(&note, &k, 1, NULL), PL_OK);
	sig_line(line, sizeof(line), "pq.example/w", 0x01020304, big, sizeof(big));
	n = (size_t)snprintf(nb, sizeof(nb), "%s%s\n", ex, line);
	expect_read_n(nb, n, PL_OK, NULL);
	assert_int_equal(note_verify(&note, &k, 1, NULL), PL_OK);
	/* Exactly NOTE_SIG_BYTES_MAX bytes are stored; one more is not. */
	sig_line(line, sizeof(line), "x", 7, big, NOTE_SIG_BYTES_MAX);
	n = (size_t)snprintf(nb, sizeof(nb), "%s%s\n", ex, line);
	expect_read_n(nb, n, PL_OK, NULL);
	assert_int_equal(note.sigs[1].len, NOTE_SIG_BYTES_MAX);
	assert_memory_equal(note.sigs[1].sig, big, NOTE_SIG_BYTES_MAX);
	sig_line(line, sizeof(line), "x", 7, big, NOTE_SIG_BYTES_MAX + 1);
	n = (size_t)snprintf(nb, sizeof(nb), "%s%s\n", ex, line);
	expect_read_n(nb, n, PL_OK, NULL);
	assert_int_equal(note.sigs[1].len, 0);
	/* A long signature that claims to be by the known key must verify: it cannot. */
	sig_line(line, sizeof(line), "example.com/foo", k.id, big, 2420);
	n = (size_t)snprintf(nb, sizeof(nb), "%s%s\n", ex, line);
	expect_read_n(nb, n, PL_OK, NULL);
	assert_int_equal(note_verify(&note, &k, 1, NULL), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "does not verify"));
	/* Padding in the middle of a long signature (between two chunks of the decoder). */
	sig_line(line, sizeof(line), "x", 7, big, 2048);
	line[strlen("— x ") + 1020] = '=';
	line[strlen("— x ") + 1021] = '=';
	line[strlen("— x ") + 1022] = '=';
	line[strlen("— x ") + 1023] = '=';
	n = (size_t)snprintf(nb, sizeof(nb), "%s%s\n", ex, line);
	expect_read_n(nb, n, PL_E_PROTO, "base64");
	sig_line(line, sizeof(line), "x", 7, big, 2048);
	line[strlen("— x ") + 1021] = 'A'; /* zero trailing bits: the first chunk alone is valid */
	line[strlen("— x ") + 1022] = '=';
	line[strlen("— x ") + 1023] = '=';
	n = (size_t)snprintf(nb, sizeof(nb), "%s%s\n", ex, line);
	expect_read_n(nb, n, PL_E_PROTO, "base64");
	/* A bad character deep inside. */
	sig_line(line, sizeof(line), "x", 7, big, 4096);
	line[strlen("— x ") + 3000] = '!';
	n = (size_t)snprintf(nb, sizeof(nb), "%s%s\n", ex, line);
	expect_read_n(nb, n, PL_E_PROTO, "base64");
}

static void
test_non_utf8(void **state)
{
	static const char *const bad[] = {
		"\xff",             /* never valid */
		"\x80",             /* lone continuation byte */
		"\xc0\x80",         /* overlong NUL */
		"\xc1\xbf",         /* overlong '\x7f' */
		"\xe0\x80\xaf",     /* overlong '/' */
		"\xed\xa0\x80",     /* surrogate U+D800 */
		"\xf4\x90\x80\x80", /* beyond U+10FFFF */
		"\xe2\x80",         /* truncated em dash */
		"\xf8\x88\x80\x80\x80",
	};
	const char *sigline = strstr(ex_note(), "— ");
	char b[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* In the text, */
		(void)snprintf(b, sizeof(b), "te%sxt\n\n%s", bad[i], sigline);
		expect_read(b, PL_E_PROTO, "UTF-8");
		/* at the end of the text, */
		(void)snprintf(b, sizeof(b), "text%s\n\n%s", bad[i], sigline);
		expect_read(b, PL_E_PROTO, "UTF-8");
		/* in a key name, */
		(void)snprintf(b, sizeof(b), "text\n\n— a%sb Uw2QOkn8\n", bad[i]);
		expect_read(b, PL_E_PROTO, "UTF-8");
		/* and in the base64. */
		(void)snprintf(b, sizeof(b), "text\n\n— a Uw2Q%sOkn8\n", bad[i]);
		expect_read(b, PL_E_PROTO, "UTF-8");
	}
	/* A broken em dash. */
	expect_read("text\n\n\xe2\x80 a Uw2QOkn8\n", PL_E_PROTO, "UTF-8");
}

static void
test_control_characters(void **state)
{
	const char *ex = ex_note(), *sigline = strstr(ex, "— ");
	struct note_key k;
	char b[512];
	int c;

	(void)state;
	ex_key(&k);
	/* Every C0 control but newline, in the text and in the signature line. */
	for (c = 0; c < 0x20; c++) {
		if (c == '\n')
			continue;
		(void)snprintf(b, sizeof(b), "te_xt\n\n%s", sigline);
		b[2] = (char)c;
		expect_read_n(b, strlen(b + 3) + 3, PL_E_PROTO, "control");
		(void)snprintf(b, sizeof(b), "text\n\n— a_b Uw2QOkn8\n");
		b[strlen("text\n\n— a")] = (char)c;
		expect_read_n(b, strlen(b + 12) + 12, PL_E_PROTO, "control");
	}
	/* CR LF line endings, in the text or in the signature block. */
	expect_read(
	        "This is an example message.\r\n\r\n— example.com/foo "
	        "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Y"
	        "u72IneyaQM=\r\n",
	        PL_E_PROTO, "control");
	(void)snprintf(b, sizeof(b), "%s", ex);
	b[strlen(b) - 1] = '\r';
	(void)snprintf(b + strlen(b), sizeof(b) - strlen(b), "\n");
	expect_read(b, PL_E_PROTO, "control");
	/* DEL and C1 controls are not "below U+0020": read, then refused by the signature only. */
	expect_read("te\x7fxt\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlT"
	            "gK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n",
	            PL_OK, NULL);
	assert_int_equal(note_verify(&note, &k, 1, NULL), PL_E_CRYPTO);
	expect_read("te\xc2\x80xt\n\n— n\x7f\xc2\x9f Uw2QOkn8\n", PL_OK, NULL);
	assert_int_equal(note.sigs[0].name_len, 4);
}

static void
test_size_limits(void **state)
{
	json_t *v = json_object_get(pub, "go_sumdb_note_peterneumann");
	const char *ex = ex_note(), *sigline = strstr(ex, "— ");
	uint8_t seed[SIG_SEED_LEN];
	struct note_key k;
	struct keys *keys;
	struct buf b;
	size_t i, n, text_len;

	(void)state;
	assert_int_equal(note_key_parse(&k, str(v, "vkey", NULL)), PL_OK);
	go_seed(str(v, "skey", NULL), seed);
	keys = keys_from_seed(seed);
	/* A signed note of exactly NOTE_MAX bytes is read and verifies. */
	buf_init(&b, 256);
	assert_int_equal(note_sign(&b, "x\n", 2, "PeterNeumann", keys), PL_OK);
	text_len = NOTE_MAX - 1 - b.len;
	memset(nb, 'a', text_len - 1);
	nb[text_len - 1] = '\n';
	nb[text_len] = '\n';
	b.len = 0;
	assert_int_equal(note_sign(&b, nb, text_len, "PeterNeumann", keys), PL_OK);
	memcpy(nb + text_len + 1, b.data, b.len);
	n = text_len + 1 + b.len;
	assert_int_equal(n, NOTE_MAX);
	expect_read_n(nb, n, PL_OK, NULL);
	assert_int_equal(note.text_len, text_len);
	assert_int_equal(note_verify(&note, &k, 1, NULL), PL_OK);
	/* One byte more is refused before anything else is looked at. */
	memmove(nb + 1, nb, n);
	expect_read_n(nb, n + 1, PL_E_TOOBIG, "1048577 bytes > 1048576");
	memset(nb, 0xff, n + 1);
	expect_read_n(nb, n + 1, PL_E_TOOBIG, "bytes >");
	buf_reset(&b);
	keys_free(keys);

	/* SPEC: signed-note "MUST accept at least up to 16 signatures": 16 and NOTE_SIGS_MAX are read. */
	n = (size_t)snprintf(nb, sizeof(nb), "%s", ex);
	for (i = 1; i < NOTE_SIGS_MAX; i++)
		n += (size_t)snprintf(nb + n, sizeof(nb) - n, "— other%zu.example AAAAAAAA\n", i);
	expect_read_n(nb, n, PL_OK, NULL);
	assert_int_equal(note.n_sigs, NOTE_SIGS_MAX);
	ex_key(&k);
	assert_int_equal(note_verify(&note, &k, 1, NULL), PL_OK);
	n += (size_t)snprintf(nb + n, sizeof(nb) - n, "%s", sigline);
	expect_read_n(nb, n, PL_E_TOOBIG, "more than 32 signatures");
	assert_true(NOTE_SIGS_MAX >= 16);
}

/* ---- Verification. ---- */

static void
test_flipped_bits(void **state)
{
	const char *ex = ex_note();
	uint8_t sig[SIG_LEN];
	struct note_key k;
	char line[256];
	size_t bit, n, i;

	(void)state;
	ex_key(&k);
	expect_read(ex, PL_OK, NULL);
	memcpy(sig, note.sigs[0].sig, SIG_LEN);
	/* Every bit of the signature. */
	for (bit = 0; bit < 8 * SIG_LEN; bit++) {
		const char *lines[1] = { line };

		sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		sig_line(line, sizeof(line), k.name, k.id, sig, SIG_LEN);
		sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		n = build("This is an example message.\n", lines, 1);
		expect_read_n(nb, n, PL_OK, NULL);
		pl_err_clear();
		if (note_verify(&note, &k, 1, NULL) != PL_E_CRYPTO)
			fail_msg("signature bit %zu flipped: verified", bit);
		assert_non_null(strstr(pl_err_msg(), "does not verify"));
	}
	/* Every bit of the key ID: the signature is no longer the known key's, so none is. */
	for (bit = 0; bit < 32; bit++) {
		const char *lines[1] = { line };

		sig_line(line, sizeof(line), k.name, k.id ^ (1u << bit), sig, SIG_LEN);
		n = build("This is an example message.\n", lines, 1);
		expect_read_n(nb, n, PL_OK, NULL);
		assert_int_equal(note_verify(&note, &k, 1, NULL), PL_E_CRYPTO);
		assert_non_null(strstr(pl_err_msg(), "no signature from a known key"));
	}
	/* Every bit of the text: unreadable, or refused by the signature. */
	n = strlen(ex);
	for (i = 0; i < strlen("This is an example message.\n"); i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(nb, ex, n);
			nb[i] ^= (char)(1u << bit);
			if (note_read(&note, nb, n) != PL_OK)
				continue;
			assert_int_equal(note_verify(&note, &k, 1, NULL), PL_E_CRYPTO);
		}
	}
	/* Every bit of the public key. */
	for (bit = 0; bit < 8 * SIG_PK_LEN; bit++) {
		struct note_key bad = k;

		bad.pk[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		expect_read(ex, PL_OK, NULL);
		assert_int_equal(note_verify(&note, &bad, 1, NULL), PL_E_CRYPTO);
	}
}

static void
test_unknown_ignored(void **state)
{
	static char long_name[NOTE_NAME_MAX + 2];
	const char *ex = ex_note();
	char l_name[512], l_id[256], l_other[256], l_long[512], l_ctl[256];
	const char *lines[6];
	struct note_key k, same_name, same_id;
	struct note_seen seen[3];
	uint8_t pk[SIG_PK_LEN], junk[SIG_LEN];
	size_t n;

	(void)state;
	ex_key(&k);
	expect_read(ex, PL_OK, NULL);
	memset(junk, 0x33, sizeof(junk));
	memset(long_name, 'n', NOTE_NAME_MAX + 1);
	/* Same name, other ID; same ID, other name; other name and ID; a name too long to be a key of ours. */
	sig_line(l_name, sizeof(l_name), "example.com/foo", k.id ^ 0x80000000u, junk, SIG_LEN);
	sig_line(l_id, sizeof(l_id), "example.com/bar", k.id, junk, SIG_LEN);
	sig_line(l_other, sizeof(l_other), "other.example", 0x12345678, junk, 3);
	sig_line(l_long, sizeof(l_long), long_name, k.id, junk, SIG_LEN);
	sig_line(l_ctl, sizeof(l_ctl), "ctl\x7f\xc2\x9f", k.id, junk, SIG_LEN);
	lines[0] = l_name;
	lines[1] = l_id;
	lines[2] = strstr(ex, "— ");
	lines[3] = l_other;
	lines[4] = l_long;
	lines[5] = l_ctl;
	n = (size_t)snprintf(nb, sizeof(nb),
	                     "This is an example message.\n\n%s\n%s\n%s%s\n%s\n%s\n", lines[0],
	                     lines[1], lines[2], lines[3], lines[4], lines[5]);
	expect_read_n(nb, n, PL_OK, NULL);
	assert_int_equal(note.n_sigs, 6);
	assert_int_equal(note.sigs[4].name_len, NOTE_NAME_MAX + 1);
	assert_string_equal(note.sigs[4].name, "");
	assert_int_equal(note_verify(&note, &k, 1, seen), PL_OK);
	assert_true(seen[0].verified);
	/* Keys that share only the name or only the ID with a signature do not match it. */
	memset(pk, 9, sizeof(pk));
	assert_int_equal(note_key_make(&same_name, "example.com/foo", NOTE_TYPE_ED25519, pk),
	                 PL_OK);
	same_id = k;
	memcpy(same_id.name, "example.com/baz", 16);
	{
		struct note_key ks[3] = { same_name, k, same_id };

		assert_int_equal(note_verify(&note, ks, 3, seen), PL_OK);
		assert_true(!seen[0].verified && seen[1].verified && !seen[2].verified);
		assert_int_equal(note_verify(&note, ks, 1, seen), PL_E_CRYPTO);
		assert_non_null(strstr(pl_err_msg(), "no signature from a known key"));
	}
	/* A known key of the long name's first 255 bytes does not match the 256-byte name. */
	long_name[NOTE_NAME_MAX] = '\0';
	assert_int_equal(note_key_make(&same_name, long_name, NOTE_TYPE_ED25519, pk), PL_OK);
	same_name.id = k.id;
	assert_int_equal(note_verify(&note, &same_name, 1, NULL), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "no signature from a known key"));
}

static void
test_duplicates(void **state)
{
	const char *ex = ex_note(), *good = strstr(ex, "— ");
	char bad[256], goodl[256];
	struct note_key k;
	struct note_seen seen;
	const char *lines[3];
	size_t n;

	(void)state;
	ex_key(&k);
	(void)snprintf(goodl, sizeof(goodl), "%.*s", (int)(strlen(good) - 1), good);
	expect_read(ex, PL_OK, NULL);
	note.sigs[0].sig[0] ^= 1;
	sig_line(bad, sizeof(bad), k.name, k.id, note.sigs[0].sig, SIG_LEN);
	/* The same valid line twice: both checked, the key counted once. */
	lines[0] = goodl;
	lines[1] = goodl;
	n = build("This is an example message.\n", lines, 2);
	expect_read_n(nb, n, PL_OK, NULL);
	assert_int_equal(note.n_sigs, 2);
	assert_int_equal(note_verify(&note, &k, 1, &seen), PL_OK);
	assert_int_equal(seen.verified, 1);
	/*
	 * A valid line and a bad one by the same key, in either order: every
	 * line of a known key must verify (Go's note.Open checks only the
	 * first line per key; the spec says each MUST be verified).
	 */
	lines[1] = bad;
	n = build("This is an example message.\n", lines, 2);
	expect_read_n(nb, n, PL_OK, NULL);
	seen.verified = 7;
	assert_int_equal(note_verify(&note, &k, 1, &seen), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "signature 2 by 'example.com/foo'"));
	assert_int_equal(seen.verified, 0);
	lines[0] = bad;
	lines[1] = goodl;
	n = build("This is an example message.\n", lines, 2);
	expect_read_n(nb, n, PL_OK, NULL);
	assert_int_equal(note_verify(&note, &k, 1, &seen), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "signature 1 by"));
	/* The same key listed twice: both entries report it. */
	{
		struct note_key ks[2] = { k, k };
		struct note_seen s2[2];

		expect_read(ex, PL_OK, NULL);
		assert_int_equal(note_verify(&note, ks, 2, s2), PL_OK);
		assert_true(s2[0].verified && s2[1].verified);
	}
}

/* A signature of the wrong length for the key's type. */
static void
test_wrong_length(void **state)
{
	const char *ex = ex_note();
	struct note_key k;
	uint8_t sig[SIG_LEN + 1];
	char line[256];
	const char *lines[1] = { line };
	size_t n;

	(void)state;
	ex_key(&k);
	expect_read(ex, PL_OK, NULL);
	memcpy(sig, note.sigs[0].sig, SIG_LEN);
	sig[SIG_LEN] = 0;
	sig_line(line, sizeof(line), k.name, k.id, sig, SIG_LEN + 1);
	n = build("This is an example message.\n", lines, 1);
	expect_read_n(nb, n, PL_OK, NULL);
	assert_int_equal(note_verify(&note, &k, 1, NULL), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "65 bytes"));
	sig_line(line, sizeof(line), k.name, k.id, sig, SIG_LEN - 1);
	n = build("This is an example message.\n", lines, 1);
	expect_read_n(nb, n, PL_OK, NULL);
	assert_int_equal(note_verify(&note, &k, 1, NULL), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "63 bytes"));
}

/* ---- Keys, names, signing. ---- */

static void
test_key_names(void **state)
{
	static char n255[NOTE_NAME_MAX + 2];
	uint8_t pk[SIG_PK_LEN] = { 1 };
	struct note_key k;

	(void)state;
	assert_int_equal(note_key_make(&k, "a+b", NOTE_TYPE_ED25519, pk), PL_E_ARG);
	assert_int_equal(note_key_make(&k, "a b", NOTE_TYPE_ED25519, pk), PL_E_ARG);
	assert_int_equal(note_key_make(&k, "a\tb", NOTE_TYPE_ED25519, pk), PL_E_ARG);
	assert_int_equal(note_key_make(&k, "a\nb", NOTE_TYPE_ED25519, pk), PL_E_ARG);
	assert_int_equal(note_key_make(&k,
	                               "a\xc2\xa0"
	                               "b",
	                               NOTE_TYPE_ED25519, pk),
	                 PL_E_ARG);
	assert_int_equal(note_key_make(&k,
	                               "a\xe1\x9a\x80"
	                               "b",
	                               NOTE_TYPE_ED25519, pk),
	                 PL_E_ARG);
	assert_int_equal(note_key_make(&k,
	                               "a\xe2\x81\x9f"
	                               "b",
	                               NOTE_TYPE_ED25519, pk),
	                 PL_E_ARG);
	assert_int_equal(note_key_make(&k,
	                               "a\xff"
	                               "b",
	                               NOTE_TYPE_ED25519, pk),
	                 PL_E_ARG);
	assert_int_equal(note_key_make(&k, "", NOTE_TYPE_ED25519, pk), PL_E_ARG);
	memset(n255, 'a', NOTE_NAME_MAX + 1);
	assert_int_equal(note_key_make(&k, n255, NOTE_TYPE_ED25519, pk), PL_E_ARG);
	n255[NOTE_NAME_MAX] = '\0';
	assert_int_equal(note_key_make(&k, n255, NOTE_TYPE_ED25519, pk), PL_OK);
	assert_int_equal(strlen(k.name), NOTE_NAME_MAX);
	/* Zero-width space U+200B is not White_Space: a valid name, as in Go. */
	assert_int_equal(note_key_make(&k,
	                               "a\xe2\x80\x8b"
	                               "b",
	                               NOTE_TYPE_ED25519, pk),
	                 PL_OK);
	assert_int_equal(note_key_make(&k, "ok", 0x02, pk), PL_E_ARG);
	assert_int_equal(note_key_make(&k, "ok", 0x05, pk), PL_E_ARG);
	assert_int_equal(note_key_make(&k, "ok", NOTE_TYPE_COSIG, pk), PL_OK);
	/* The type is part of the ID: same name and key, two types, two IDs. */
	assert_int_not_equal(note_key_id("ok", NOTE_TYPE_ED25519, pk),
	                     note_key_id("ok", NOTE_TYPE_COSIG, pk));
	assert_int_equal(k.id, note_key_id("ok", NOTE_TYPE_COSIG, pk));
}

static void
test_vkeys(void **state)
{
	const char *good = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
	struct note_key k, k2;
	char b[256];

	(void)state;
	assert_int_equal(note_key_parse(&k, good), PL_OK);
	/* Upper-case hex is read (as Go does) and written lower-case. */
	assert_int_equal(
	        note_key_parse(
	                &k2,
	                "example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
	        PL_OK);
	expect_key_equal(&k, &k2);
	expect_key_fmt(&k2, good);
	/* An ID that does not match the key. */
	assert_int_equal(
	        note_key_parse(
	                &k,
	                "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
	        PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "does not match"));
	/* Another name for the same key and ID. */
	assert_int_equal(
	        note_key_parse(
	                &k,
	                "example.com/fop+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
	        PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "does not match"));
	/* Types: 0x02 (ECDSA), 0xff; and the type byte 0x04 changes the ID. */
	assert_int_equal(
	        note_key_parse(
	                &k,
	                "example.com/foo+530d903a+AukyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
	        PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "type 0x02"));
	assert_int_equal(
	        note_key_parse(
	                &k,
	                "example.com/foo+530d903a+BOkyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
	        PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "does not match"));
	/* Missing fields, wrong ID lengths, non-hex IDs. */
	assert_int_equal(note_key_parse(&k, ""), PL_E_PROTO);
	assert_int_equal(note_key_parse(&k, "example.com/foo"), PL_E_PROTO);
	assert_int_equal(note_key_parse(&k, "example.com/foo+530d903a"), PL_E_PROTO);
	assert_int_equal(note_key_parse(&k, "example.com/foo+530d903a+"), PL_E_PROTO);
	assert_int_equal(
	        note_key_parse(&k, "+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
	        PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "bad key name"));
	assert_int_equal(
	        note_key_parse(
	                &k, "example.com/foo+530d903+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
	        PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "8 hex digits"));
	assert_int_equal(
	        note_key_parse(
	                &k,
	                "example.com/foo+530d903a0+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
	        PL_E_PROTO);
	assert_int_equal(
	        note_key_parse(
	                &k,
	                "example.com/foo+530d903g+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
	        PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "not hex"));
	assert_int_equal(
	        note_key_parse(
	                &k,
	                "example.com/foo+-530d903+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
	        PL_E_PROTO);
	/* Key bytes: 32 instead of 33, 34, bad base64, trailing newline or space. */
	assert_int_equal(
	        note_key_parse(
	                &k,
	                "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3Q=="),
	        PL_E_PROTO);
	assert_int_equal(
	        note_key_parse(
	                &k,
	                "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2kAA=="),
	        PL_E_PROTO);
	assert_int_equal(
	        note_key_parse(
	                &k, "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2"),
	        PL_E_PROTO);
	(void)snprintf(b, sizeof(b), "%s\n", good);
	assert_int_equal(note_key_parse(&k, b), PL_E_PROTO);
	(void)snprintf(b, sizeof(b), "%s ", good);
	assert_int_equal(note_key_parse(&k, b), PL_E_PROTO);
	(void)snprintf(b, sizeof(b), " %s", good);
	assert_int_equal(note_key_parse(&k, b), PL_E_PROTO);
}

static void
test_sign_refuses(void **state)
{
	json_t *v = json_object_get(pub, "go_sumdb_note_peterneumann");
	uint8_t seed[SIG_SEED_LEN], sig[NOTE_SIG_BYTES_MAX + 1] = { 0 };
	struct keys *keys;
	struct buf b;

	(void)state;
	go_seed(str(v, "skey", NULL), seed);
	keys = keys_from_seed(seed);
	buf_init(&b, 1024);
	assert_int_equal(note_sign(&b, "", 0, "a", keys), PL_E_ARG);
	assert_int_equal(note_sign(&b, "x", 1, "a", keys), PL_E_ARG);
	assert_int_equal(note_sign(&b, "x\r\n", 3, "a", keys), PL_E_ARG);
	assert_int_equal(note_sign(&b, "\xff\n", 2, "a", keys), PL_E_ARG);
	assert_int_equal(note_sign(&b, "x\0y\n", 4, "a", keys), PL_E_ARG);
	assert_int_equal(note_sign(&b, "x\n", 2, "a b", keys), PL_E_ARG);
	assert_int_equal(note_sign(&b, "x\n", 2, "", keys), PL_E_ARG);
	assert_int_equal(note_sig_line(&b, "a", 1, sig, 0), PL_E_ARG);
	assert_int_equal(note_sig_line(&b, "a", 1, sig, NOTE_SIG_BYTES_MAX + 1), PL_E_ARG);
	assert_int_equal(b.len, 0);
	assert_int_equal(note_sig_line(&b, "a", 1, sig, NOTE_SIG_BYTES_MAX), PL_OK);
	/* A buffer too small takes nothing. */
	buf_reset(&b);
	buf_init(&b, 10);
	assert_int_equal(note_sign(&b, "x\n", 2, "a", keys), PL_E_TOOBIG);
	assert_int_equal(b.len, 0);
	/* What note_sign writes reads back as the same signature. */
	buf_reset(&b);
	buf_init(&b, 1024);
	assert_int_equal(buf_add_str(&b, "a\n\n"), PL_OK);
	assert_int_equal(note_sign(&b, "a\n", 2, "n\xc2\x80m", keys), PL_OK);
	expect_read_n((const char *)b.data, b.len, PL_OK, NULL);
	assert_string_equal(note.sigs[0].name, "n\xc2\x80m");
	assert_int_equal(note.sigs[0].key_id,
	                 note_key_id("n\xc2\x80m", NOTE_TYPE_ED25519, keys_sign_pk(keys)));
	buf_reset(&b);
	keys_free(keys);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_c2sp_example),
		cmocka_unit_test(test_go_sign_reproduces),
		cmocka_unit_test(test_go_two_signers),
		cmocka_unit_test(test_generated_log_signatures),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_bad_base64),
		cmocka_unit_test(test_long_signatures),
		cmocka_unit_test(test_non_utf8),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_flipped_bits),
		cmocka_unit_test(test_unknown_ignored),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_wrong_length),
		cmocka_unit_test(test_key_names),
		cmocka_unit_test(test_vkeys),
		cmocka_unit_test(test_sign_refuses),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
