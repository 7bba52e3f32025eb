/*
 * gen_vectors.c - make the protocol test vectors from fixed seeds, or check
 * the committed ones.
 *
 *   gen_vectors DIR           write DIR/<name>.bin and DIR/vectors.json
 *   gen_vectors --check DIR   regenerate in memory; every committed file
 *                             (vectors.json too) must match byte for byte,
 *                             must be accepted by the readers, and must be
 *                             refused with a flipped signature byte (TAP
 *                             output; exit status 1 on any failure)
 *
 * Every random draw (body keys, nonces, sealed-box ephemeral keys, key-file
 * salts) comes from libsodium's deterministic generator keyed with
 * SHA-256("parley test vectors"), so the output never changes unless the
 * encoding does.  docs/protocol.md#test-vectors describes the files.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/file.h"
#include "core/envelope.h"
#include "core/identity.h"
#include "core/keyring.h"
#include "core/receipt.h"
#include "crypto/cr.h"
#include "wire/body.h"
#include "wire/keyfile.h"
#include "wire/rcpt.h"

#define NPARTY   3
#define VEC_MAX  16
#define T0       1767225600000ULL /* 2026-01-01T00:00:00Z */
#define PASSWORD "correct horse battery staple"

struct vec {
	char name[64];
	struct buf bytes;
};

static const char *const ids[NPARTY] = { "us-nrrc", "ru-nrrc", "osce-witness" };
static struct keys *keys[NPARTY];
static uint8_t box_sk[NPARTY][32];
static struct buf plain_body; /* the envelopes' body, as body_write wrote it */
static struct vec vecs[VEC_MAX];
static size_t n_vecs;
static json_t *meta;
static int tap_n, tap_failed;

static void
die(const char *what)
{
	(void)fprintf(stderr, "gen_vectors: %s: %s\n", what, pl_err_msg());
	exit(1);
}

static void tap(int ok, const char *fmt, ...) PL_PRINTF(2, 3);

static void
tap(int ok, const char *fmt, ...)
{
	va_list ap;

	(void)printf("%s %d - ", ok ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	(void)vprintf(fmt, ap);
	va_end(ap);
	(void)printf("\n");
	if (!ok)
		tap_failed = 1;
}

static char *
hexdup(const uint8_t *p, size_t n)
{
	char *s = malloc(2 * n + 1);

	if (s == NULL)
		exit(1);
	cr_hex(s, p, n);
	return s;
}

static void
set_hex(json_t *o, const char *key, const uint8_t *p, size_t n)
{
	char *s = hexdup(p, n);

	(void)json_object_set_new(o, key, json_string(s));
	free(s);
}

/* Record a vector: its bytes, id and length in vectors.json. */
static json_t *
add_vec(const char *name, const struct buf *b)
{
	struct vec *v = &vecs[n_vecs++];
	uint8_t id[HASH_LEN];
	json_t *o = json_object();

	(void)snprintf(v->name, sizeof(v->name), "%s", name);
	buf_init(&v->bytes, b->len);
	if (buf_add(&v->bytes, b->data, b->len) != PL_OK)
		die("vector");
	hash_sha256(id, b->data, b->len);
	set_hex(o, "hex", b->data, b->len);
	set_hex(o, "id", id, HASH_LEN);
	(void)json_object_set_new(o, "length", json_integer((json_int_t)b->len));
	(void)json_object_set_new(meta, name, o);
	return o;
}

static void
derive_secret(uint8_t secret[KEYS_SECRET_LEN], const char *id, const char *suffix)
{
	char label[128];

	(void)snprintf(label, sizeof(label), "parley vector key %s%s", id, suffix);
	hash_sha256(secret, label, strlen(label));
	(void)snprintf(label, sizeof(label), "parley vector box %s%s", id, suffix);
	hash_sha256(secret + 32, label, strlen(label));
}

static void
make_record(struct buf *out, struct party *r, int i, const struct keys *k, uint32_t revision,
            const uint8_t *prev_id, const struct keys *prev_k)
{
	memset(r, 0, sizeof(*r));
	r->version = PARTY_VERSION;
	(void)snprintf(r->id, sizeof(r->id), "%s", ids[i]);
	r->revision = revision;
	r->time_ms = T0 + revision;
	memcpy(r->sign_pk, keys_sign_pk(k), SIG_PK_LEN);
	memcpy(r->box_pk, keys_box_pk(k), BOX_PK_LEN);
	r->n_endpoints = 2;
	(void)snprintf(r->endpoints[0], sizeof(r->endpoints[0]), "https://%s.example/parley",
	               ids[i]);
	(void)snprintf(r->endpoints[1], sizeof(r->endpoints[1]), "https://alt.%s.example/parley",
	               ids[i]);
	r->n_contacts = 1;
	(void)snprintf(r->contacts[0].role, sizeof(r->contacts[0].role), "duty");
	(void)snprintf(r->contacts[0].name, sizeof(r->contacts[0].name), "Duty desk – %s", ids[i]);
	(void)snprintf(r->contacts[0].languages, sizeof(r->contacts[0].languages), "en,ru,fr");
	(void)snprintf(r->contacts[0].hours, sizeof(r->contacts[0].hours), "24/7");
	(void)snprintf(r->contacts[0].reach, sizeof(r->contacts[0].reach), "+41 22 000 00 0%d", i);
	if (prev_id != NULL)
		memcpy(r->prev, prev_id, HASH_LEN);
	out->len = 0;
	if (identity_sign(out, r, k, prev_k) != PL_OK)
		die("identity_sign");
}

static void
make_body(struct buf *out)
{
	struct body b;

	memset(&b, 0, sizeof(b));
	(void)snprintf(b.format, sizeof(b.format), "rfa");
	b.version = 1;
	b.data = json_pack("{s:s, s:[s,s], s:s}", "incident", "RW-2026-114", "systems",
	                   "hospital network", "water utility SCADA", "requested",
	                   "indicators of compromise and takedown of C2 servers");
	b.n_texts = 2;
	(void)snprintf(b.texts[0].lang, sizeof(b.texts[0].lang), "en");
	b.texts[0].text = "Request for assistance: ransomware incident RW-2026-114.\n"
	                  "Please act on the indicators attached.";
	(void)snprintf(b.texts[1].lang, sizeof(b.texts[1].lang), "ru");
	b.texts[1].text = "Запрос о помощи: инцидент с программой-вымогателем RW-2026-114.";
	(void)snprintf(b.authoritative, sizeof(b.authoritative), "en");
	b.n_attachments = 1;
	hash_sha256(b.attachments[0].sha256, "indicators", 10);
	b.attachments[0].size = 10;
	(void)snprintf(b.attachments[0].type, sizeof(b.attachments[0].type), "text/csv");
	(void)snprintf(b.attachments[0].name, sizeof(b.attachments[0].name), "ioc.csv");
	out->len = 0;
	if (body_write(out, &b) != PL_OK)
		die("body_write");
	json_decref(b.data);
}

static void
make_envelope(struct buf *out, uint8_t id[HASH_LEN], uint64_t seq, const uint8_t *prev,
              uint8_t prec, uint8_t flags, const struct buf *body, const char *name)
{
	struct envelope_to to[2] = { { ids[0], keys_box_pk(keys[0]) },
		                     { ids[1], keys_box_pk(keys[1]) } };
	uint8_t refs[1][HASH_LEN];
	struct envelope_draft d = {
		.channel = "cyber",
		.sender = ids[0],
		.seq = seq,
		.prev = prev,
		.kind = ENV_KIND_MESSAGE,
		.prec = prec,
		.flags = flags,
		.tlp = ENV_TLP_AMBER,
		.time_ms = T0 + 60000 * seq,
		.n_refs = prev != NULL ? 1 : 0,
		.refs = (const uint8_t(*)[HASH_LEN])refs,
		.n_to = 2,
		.to = to,
		.plain = body->data,
		.plain_len = body->len,
	};
	uint8_t key[AEAD_KEY_LEN], key0[AEAD_KEY_LEN];
	struct env *e = malloc(sizeof(*e));
	json_t *o, *rcpts;
	size_t i;

	if (e == NULL)
		exit(1);
	if (prev != NULL)
		memcpy(refs[0], prev, HASH_LEN);
	out->len = 0;
	if (envelope_seal(out, id, &d, keys[0]) != PL_OK)
		die("envelope_seal");
	o = add_vec(name, out);
	/* Every recipient must recover the same body key: it is disclosed once. */
	if (env_read(e, out->data, out->len) != PL_OK ||
	    envelope_body_key(key0, e, ids[0], keys[0]) != PL_OK ||
	    envelope_body_key(key, e, ids[1], keys[1]) != PL_OK)
		die("env_read");
	if (memcmp(key0, key, AEAD_KEY_LEN) != 0) {
		(void)fprintf(stderr, "gen_vectors: %s: recipients recover different keys\n", name);
		exit(1);
	}
	rcpts = json_array();
	for (i = 0; i < e->n_recipients; i++)
		(void)json_array_append_new(rcpts, json_string(e->recipients[i].party));
	(void)json_object_set_new(o, "recipients", rcpts);
	(void)json_object_set_new(o, "seq", json_integer((json_int_t)seq));
	(void)json_object_set_new(o, "signer", json_string(ids[0]));
	set_hex(o, "signer_pk", keys_sign_pk(keys[0]), SIG_PK_LEN);
	(void)json_object_set_new(o, "signing_input_length",
	                          json_integer((json_int_t)(out->len - SIG_LEN)));
	(void)json_object_set_new(o, "ad_length", json_integer((json_int_t)e->ad_len));
	set_hex(o, "body_key", key, AEAD_KEY_LEN);
	(void)json_object_set_new(o, "plaintext",
	                          json_stringn((const char *)body->data, body->len));
	cr_wipe(key, sizeof(key));
	cr_wipe(key0, sizeof(key0));
	free(e);
}

/* A key file's layout facts, for checkers that parse it themselves. */
static void
keyfile_meta(json_t *o, const struct buf *b)
{
	struct keyfile kf;

	if (keyfile_read(&kf, b->data, b->len) != PL_OK)
		die("keyfile_read");
	(void)json_object_set_new(o, "record", json_string("party-us-nrrc.bin"));
	(void)json_object_set_new(o, "kdf", json_integer((json_int_t)kf.kdf.alg));
	(void)json_object_set_new(o, "header_length", json_integer((json_int_t)kf.header_len));
	(void)json_object_set_new(o, "secret_length", json_integer((json_int_t)kf.secret_len));
}

static void
generate(void)
{
	uint8_t secret[KEYS_SECRET_LEN], id1[HASH_LEN], id2[HASH_LEN], rec_id[HASH_LEN];
	struct buf b, body;
	struct party *r = malloc(sizeof(*r));
	struct keys *rotated;
	json_t *parties = json_object(), *o;
	char fp[PARTY_FP_STR_LEN + 1];
	int i;

	if (r == NULL)
		exit(1);
	buf_init(&b, ENV_ENCODED_MAX);
	buf_init(&body, ENV_PLAIN_MAX);
	buf_init(&plain_body, ENV_PLAIN_MAX);
	meta = json_object();
	for (i = 0; i < NPARTY; i++) {
		char name[64];

		derive_secret(secret, ids[i], "");
		memcpy(box_sk[i], secret + 32, 32);
		if ((keys[i] = keys_from_secret(secret)) == NULL)
			die("keys");
		make_record(&b, r, i, keys[i], 1, NULL, NULL);
		(void)snprintf(name, sizeof(name), "party-%s.bin", ids[i]);
		o = add_vec(name, &b);
		set_hex(o, "sign_pk", r->sign_pk, SIG_PK_LEN);
		(void)json_object_set_new(o, "signing_input_length",
		                          json_integer((json_int_t)(b.len - SIG_LEN)));
		identity_fingerprint(fp, r->id, r->sign_pk);
		(void)json_object_set_new(o, "fingerprint", json_string(fp));
		o = json_pack("{s:s, s:s}", "record", name, "fingerprint", fp);
		set_hex(o, "sign_pk", keys_sign_pk(keys[i]), SIG_PK_LEN);
		set_hex(o, "box_pk", keys_box_pk(keys[i]), BOX_PK_LEN);
		set_hex(o, "box_sk", box_sk[i], 32);
		(void)json_object_set_new(parties, ids[i], o);
		if (i == 0)
			hash_sha256(rec_id, b.data, b.len);
	}
	/* A rotation of us-nrrc's keys, signed by the new and the old key. */
	derive_secret(secret, ids[0], " rotated");
	if ((rotated = keys_from_secret(secret)) == NULL)
		die("keys");
	make_record(&b, r, 0, rotated, 2, rec_id, keys[0]);
	o = add_vec("party-us-nrrc-rev2.bin", &b);
	set_hex(o, "sign_pk", r->sign_pk, SIG_PK_LEN);
	(void)json_object_set_new(o, "previous", json_string("party-us-nrrc.bin"));
	set_hex(o, "prev_sign_pk", keys_sign_pk(keys[0]), SIG_PK_LEN);
	(void)json_object_set_new(o, "signing_input_length",
	                          json_integer((json_int_t)(b.len - 2 * SIG_LEN)));
	identity_fingerprint(fp, r->id, r->sign_pk);
	(void)json_object_set_new(o, "fingerprint", json_string(fp));
	keys_free(rotated);

	make_body(&plain_body);
	make_envelope(&b, id1, 1, NULL, ENV_PREC_FLASH, ENV_FLAG_EXERCISE, &plain_body,
	              "envelope-1.bin");
	make_envelope(&b, id2, 2, id1, ENV_PREC_ROUTINE, 0, &plain_body, "envelope-2.bin");

	b.len = 0;
	if (receipt_sign(&b, id1, ids[1], T0 + 60000 + 250, keys[1]) != PL_OK)
		die("receipt_sign");
	o = add_vec("receipt-1.bin", &b);
	(void)json_object_set_new(o, "signer", json_string(ids[1]));
	set_hex(o, "signer_pk", keys_sign_pk(keys[1]), SIG_PK_LEN);
	(void)json_object_set_new(o, "envelope", json_string("envelope-1.bin"));
	(void)json_object_set_new(o, "signing_input_length",
	                          json_integer((json_int_t)(b.len - SIG_LEN)));

	make_record(&body, r, 0, keys[0], 1, NULL, NULL);
	b.len = 0;
	if (keyring_lock(&b, keys[0], body.data, body.len, NULL, NULL) != PL_OK)
		die("keyring_lock");
	keyfile_meta(add_vec("keyfile-clear.bin", &b), &b);
	b.len = 0;
	if (keyring_lock(&b, keys[0], body.data, body.len, PASSWORD, "interactive") != PL_OK)
		die("keyring_lock");
	o = add_vec("keyfile-argon2id.bin", &b);
	keyfile_meta(o, &b);
	(void)json_object_set_new(o, "passphrase", json_string(PASSWORD));
	(void)json_object_set_new(o, "strength", json_string("interactive"));

	(void)json_object_set_new(meta, "parties", parties);
	buf_reset(&b);
	buf_reset(&body);
	free(r);
}

/* vectors.json exactly as written. Caller frees. */
static char *
meta_text(void)
{
	char *s = json_dumps(meta, JSON_INDENT(2) | JSON_SORT_KEYS);

	if (s == NULL)
		die("vectors.json");
	return s;
}

/* dir/name into path, or exit: the directory comes from the command line. */
static void
path_join(char *path, size_t n, const char *dir, const char *name)
{
	int w = snprintf(path, n, "%s/%s", dir, name);

	if (w < 0 || (size_t)w >= n) {
		(void)fprintf(stderr, "gen_vectors: path too long: %s\n", dir);
		exit(1);
	}
}

static void
write_all(const char *dir)
{
	char path[4096];
	char *s;
	size_t i;

	for (i = 0; i < n_vecs; i++) {
		path_join(path, sizeof(path), dir, vecs[i].name);
		if (file_write(path, vecs[i].bytes.data, vecs[i].bytes.len, 0644, 0) != PL_OK)
			die(path);
	}
	s = meta_text();
	path_join(path, sizeof(path), dir, "vectors.json");
	if (file_write(path, s, strlen(s), 0644, 0) != PL_OK)
		die(path);
	free(s);
}

static int
read_vec(struct buf *b, const char *dir, const char *name)
{
	char path[4096];

	path_join(path, sizeof(path), dir, name);
	b->len = 0;
	return file_read(b, path) == PL_OK;
}

/* dst = src with the byte at off inverted: a forgery every verifier must refuse. */
static void
flip(struct buf *dst, const struct buf *src, size_t off)
{
	dst->len = 0;
	if (buf_add(dst, src->data, src->len) != PL_OK || off >= dst->len)
		die("flip");
	dst->data[off] ^= 0xff;
}

static void
check_parties(const char *dir, struct buf *b, struct buf *bad)
{
	struct party *r = malloc(sizeof(*r)), *prev = malloc(sizeof(*prev));
	uint8_t prev_id[HASH_LEN];
	struct buf prevb;
	char fp[PARTY_FP_STR_LEN + 1];
	int i, ok;

	if (r == NULL || prev == NULL)
		exit(1);
	buf_init(&prevb, PARTY_ENCODED_MAX);
	for (i = 0; i < NPARTY; i++) {
		char name[64];

		(void)snprintf(name, sizeof(name), "party-%s.bin", ids[i]);
		ok = read_vec(b, dir, name) &&
		     identity_verify(r, b->data, b->len, NULL, NULL) == PL_OK;
		ok = ok && strcmp(r->id, ids[i]) == 0 && r->revision == 1 &&
		     memcmp(r->sign_pk, keys_sign_pk(keys[i]), SIG_PK_LEN) == 0 &&
		     memcmp(r->box_pk, keys_box_pk(keys[i]), BOX_PK_LEN) == 0;
		tap(ok, "%s verifies and holds the party's keys", name);
		identity_fingerprint(fp, ids[i], keys_sign_pk(keys[i]));
		tap(ok && identity_fingerprint_match(r, fp), "%s matches fingerprint %s", name, fp);
		if (ok) {
			flip(bad, b, b->len - SIG_LEN + 7);
			ok = identity_verify(r, bad->data, bad->len, NULL, NULL) != PL_OK;
		}
		tap(ok, "%s with a flipped signature byte is refused", name);
	}

	ok = read_vec(&prevb, dir, "party-us-nrrc.bin") &&
	     identity_verify(prev, prevb.data, prevb.len, NULL, NULL) == PL_OK &&
	     read_vec(b, dir, "party-us-nrrc-rev2.bin");
	if (ok)
		hash_sha256(prev_id, prevb.data, prevb.len);
	ok = ok && identity_verify(r, b->data, b->len, prev, prev_id) == PL_OK &&
	     r->revision == 2 && memcmp(r->prev, prev_id, HASH_LEN) == 0 &&
	     memcmp(r->sign_pk, keys_sign_pk(keys[0]), SIG_PK_LEN) != 0;
	tap(ok, "%s verifies as the rotation of revision 1", "party-us-nrrc-rev2.bin");
	if (ok) {
		/* sig, then prev_sig: each alone must sink the record. */
		flip(bad, b, b->len - 2 * SIG_LEN + 7);
		ok = identity_verify(r, bad->data, bad->len, prev, prev_id) != PL_OK;
		tap(ok, "%s with a flipped signature byte is refused", "party-us-nrrc-rev2.bin");
		flip(bad, b, b->len - SIG_LEN + 7);
		ok = identity_verify(r, bad->data, bad->len, prev, prev_id) != PL_OK;
		tap(ok, "%s with a flipped prev_sig byte is refused", "party-us-nrrc-rev2.bin");
		/* The rotation does not continue some other record. */
		ok = read_vec(&prevb, dir, "party-ru-nrrc.bin") &&
		     identity_verify(prev, prevb.data, prevb.len, NULL, NULL) == PL_OK;
		if (ok)
			hash_sha256(prev_id, prevb.data, prevb.len);
		ok = ok && identity_verify(r, b->data, b->len, prev, prev_id) != PL_OK;
		tap(ok, "%s is refused as the successor of party-ru-nrrc.bin",
		    "party-us-nrrc-rev2.bin");
	} else {
		tap(0, "%s with a flipped signature byte is refused", "party-us-nrrc-rev2.bin");
		tap(0, "%s with a flipped prev_sig byte is refused", "party-us-nrrc-rev2.bin");
		tap(0, "%s is refused as the successor of party-ru-nrrc.bin",
		    "party-us-nrrc-rev2.bin");
	}
	buf_reset(&prevb);
	free(r);
	free(prev);
}

/* Returns through id1 the id of envelope-1 as read from dir. */
static void
check_envelopes(const char *dir, struct buf *b, struct buf *bad, uint8_t id1[HASH_LEN])
{
	struct env *e = malloc(sizeof(*e));
	struct buf plain;
	int i, j, ok;

	if (e == NULL)
		exit(1);
	memset(id1, 0, HASH_LEN);
	buf_init_secret(&plain, ENV_PLAIN_MAX);
	for (i = 1; i <= 2; i++) {
		char name[32];

		(void)snprintf(name, sizeof(name), "envelope-%d.bin", i);
		ok = read_vec(b, dir, name) && env_read(e, b->data, b->len) == PL_OK &&
		     envelope_verify(e, keys_sign_pk(keys[0])) == PL_OK;
		tap(ok, "%s reads and verifies", name);
		if (ok && i == 1)
			envelope_id(id1, b->data, b->len);
		tap(ok && e->seq == (uint64_t)i && e->n_recipients == 2 &&
		            (i == 1 ? e->n_refs == 0 && e->flags == ENV_FLAG_EXERCISE &&
		                              e->prec == ENV_PREC_FLASH
		                    : e->n_refs == 1 && memcmp(e->refs[0], id1, HASH_LEN) == 0 &&
		                              memcmp(e->prev, id1, HASH_LEN) == 0 &&
		                              e->prec == ENV_PREC_ROUTINE),
		    "%s has the expected seq, prev, refs, precedence and flags", name);
		for (j = 0; j < 2; j++) {
			plain.len = 0;
			tap(ok && envelope_open(&plain, e, ids[j], keys[j]) == PL_OK &&
			            plain.len == plain_body.len &&
			            memcmp(plain.data, plain_body.data, plain.len) == 0,
			    "%s opens for %s to the body", name, ids[j]);
		}
		plain.len = 0;
		tap(ok && envelope_open(&plain, e, ids[2], keys[2]) != PL_OK,
		    "%s does not open for %s", name, ids[2]);
		if (ok) {
			flip(bad, b, b->len - SIG_LEN + 7);
			ok = env_read(e, bad->data, bad->len) == PL_OK &&
			     envelope_verify(e, keys_sign_pk(keys[0])) != PL_OK;
			tap(ok, "%s with a flipped signature byte is refused", name);
			/* The last nonce byte (before the 4-byte body_len): still parses. */
			flip(bad, b, e->ad_len - 5);
			ok = env_read(e, bad->data, bad->len) == PL_OK &&
			     envelope_verify(e, keys_sign_pk(keys[0])) != PL_OK;
			tap(ok, "%s with a flipped nonce byte is refused", name);
		} else {
			tap(0, "%s with a flipped signature byte is refused", name);
			tap(0, "%s with a flipped nonce byte is refused", name);
		}
	}
	buf_reset(&plain);
	free(e);
}

static void
check_receipt(const char *dir, struct buf *b, struct buf *bad, const uint8_t id1[HASH_LEN])
{
	struct rcpt rc;
	uint8_t other[HASH_LEN];
	int ok;

	ok = read_vec(b, dir, "receipt-1.bin") &&
	     receipt_verify(&rc, b->data, b->len, id1, keys_sign_pk(keys[1])) == PL_OK &&
	     strcmp(rc.receiver, ids[1]) == 0;
	tap(ok, "%s verifies as %s's receipt for envelope-1", "receipt-1.bin", ids[1]);
	if (ok) {
		flip(bad, b, b->len - SIG_LEN + 7);
		tap(receipt_verify(&rc, bad->data, bad->len, id1, keys_sign_pk(keys[1])) != PL_OK,
		    "%s with a flipped signature byte is refused", "receipt-1.bin");
		memcpy(other, id1, HASH_LEN);
		other[0] ^= 1;
		tap(receipt_verify(&rc, b->data, b->len, other, keys_sign_pk(keys[1])) != PL_OK,
		    "%s is refused for another envelope", "receipt-1.bin");
		tap(receipt_verify(&rc, b->data, b->len, id1, keys_sign_pk(keys[0])) != PL_OK,
		    "%s is refused under another party's key", "receipt-1.bin");
	} else {
		tap(0, "%s with a flipped signature byte is refused", "receipt-1.bin");
		tap(0, "%s is refused for another envelope", "receipt-1.bin");
		tap(0, "%s is refused under another party's key", "receipt-1.bin");
	}
}

/* k must carry us-nrrc's keys: the same public halves. */
static int
same_keys(const struct keys *k)
{
	return k != NULL && memcmp(keys_sign_pk(k), keys_sign_pk(keys[0]), SIG_PK_LEN) == 0 &&
	       memcmp(keys_box_pk(k), keys_box_pk(keys[0]), BOX_PK_LEN) == 0;
}

static void
check_keyfiles(const char *dir, struct buf *b, struct buf *bad)
{
	struct party *r = malloc(sizeof(*r));
	struct keyfile kf;
	struct keys *k = NULL;
	int enc = -1, ok;

	if (r == NULL)
		exit(1);
	ok = read_vec(b, dir, "keyfile-clear.bin") &&
	     keyring_peek(r, &enc, b->data, b->len) == PL_OK && !enc && strcmp(r->id, ids[0]) == 0;
	tap(ok, "%s peeks: us-nrrc's record, secret in clear", "keyfile-clear.bin");
	tap(ok && keyring_unlock(&k, r, b->data, b->len, NULL) == PL_OK && same_keys(k),
	    "%s unlocks to us-nrrc's keys", "keyfile-clear.bin");
	keys_free(k);
	k = NULL;

	enc = -1;
	ok = read_vec(b, dir, "keyfile-argon2id.bin") &&
	     keyring_peek(r, &enc, b->data, b->len) == PL_OK && enc == 1 &&
	     strcmp(r->id, ids[0]) == 0;
	tap(ok, "%s peeks: us-nrrc's record, secret locked", "keyfile-argon2id.bin");
	tap(ok && keyring_unlock(&k, r, b->data, b->len, PASSWORD) == PL_OK && same_keys(k),
	    "%s unlocks with its passphrase to us-nrrc's keys", "keyfile-argon2id.bin");
	keys_free(k);
	k = NULL;
	tap(ok && keyring_unlock(&k, r, b->data, b->len, "correct horse battery stapler") != PL_OK,
	    "%s does not unlock with another passphrase", "keyfile-argon2id.bin");
	keys_free(k);
	k = NULL;
	if (ok && keyfile_read(&kf, b->data, b->len) == PL_OK) {
		/* The record's signature, inside the file: peek must refuse it. */
		flip(bad, b, kf.header_len - SIG_LEN + 7);
		tap(keyring_peek(r, &enc, bad->data, bad->len) != PL_OK,
		    "%s with a flipped record signature byte is refused", "keyfile-argon2id.bin");
		/* A nonce byte: associated data and nonce both, so the tag fails. */
		flip(bad, b, 50);
		tap(keyring_unlock(&k, r, bad->data, bad->len, PASSWORD) != PL_OK,
		    "%s with a flipped nonce byte does not unlock", "keyfile-argon2id.bin");
		keys_free(k);
	} else {
		tap(0, "%s with a flipped record signature byte is refused",
		    "keyfile-argon2id.bin");
		tap(0, "%s with a flipped nonce byte does not unlock", "keyfile-argon2id.bin");
	}
	free(r);
}

/* The committed files must be accepted by the readers, independently of regeneration. */
static void
check_readers(const char *dir)
{
	uint8_t id1[HASH_LEN];
	struct buf b, bad;

	buf_init(&b, ENV_ENCODED_MAX);
	buf_init(&bad, ENV_ENCODED_MAX);
	check_parties(dir, &b, &bad);
	check_envelopes(dir, &b, &bad, id1);
	check_receipt(dir, &b, &bad, id1);
	check_keyfiles(dir, &b, &bad);
	buf_reset(&b);
	buf_reset(&bad);
}

static void
check_all(const char *dir)
{
	struct buf b;
	char *s = meta_text();
	size_t i;

	buf_init(&b, ENV_ENCODED_MAX);
	for (i = 0; i < n_vecs; i++)
		tap(read_vec(&b, dir, vecs[i].name) && b.len == vecs[i].bytes.len &&
		            memcmp(b.data, vecs[i].bytes.data, b.len) == 0,
		    "%s reproduces byte for byte", vecs[i].name);
	tap(read_vec(&b, dir, "vectors.json") && b.len == strlen(s) &&
	            memcmp(b.data, s, b.len) == 0,
	    "%s reproduces byte for byte", "vectors.json");
	free(s);
	buf_reset(&b);
	check_readers(dir);
	(void)printf("1..%d\n", tap_n);
}

int
main(int argc, char **argv)
{
	uint8_t seed[32];
	const char *dir;
	int check = 0;
	size_t i;

	if (argc == 3 && strcmp(argv[1], "--check") == 0) {
		check = 1;
		dir = argv[2];
	} else if (argc == 2 && argv[1][0] != '-') {
		dir = argv[1];
	} else {
		(void)fprintf(stderr, "usage: gen_vectors [--check] DIR\n");
		return 2;
	}
	hash_sha256(seed, "parley test vectors", strlen("parley test vectors"));
	cr_rng_deterministic(seed);
	if (cr_init() != PL_OK)
		die("cr_init");
	generate();
	if (check)
		check_all(dir);
	else
		write_all(dir);
	for (i = 0; i < NPARTY; i++)
		keys_free(keys[i]);
	for (i = 0; i < n_vecs; i++)
		buf_reset(&vecs[i].bytes);
	buf_reset(&plain_body);
	json_decref(meta);
	return tap_failed;
}
