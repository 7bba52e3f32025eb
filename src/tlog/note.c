/*
 * note.c - C2SP signed-note v1 (signed-note.md at tag signed-note/v1.0.0).
 *
 * Parse, then verify: note_read splits text and signature lines and checks
 * the syntax; note_verify checks signatures against the caller's keys.
 */
#include <stdio.h>
#include <string.h>

#include "../crypto/cr.h"
#include "../crypto/hash.h"
#include "../wire/codec.h"
#include "cosig.h"
#include "note.h"

/* U+2014 EM DASH, then a space. */
static const char sig_prefix[] = "\xe2\x80\x94 ";
#define SIG_PREFIX_LEN 4

/* Unicode White_Space characters outside ASCII, as UTF-8. */
static const char *const uspaces[] = {
	"\xc2\x85",     "\xc2\xa0",     "\xe1\x9a\x80", "\xe2\x80\x80", "\xe2\x80\x81",
	"\xe2\x80\x82", "\xe2\x80\x83", "\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86",
	"\xe2\x80\x87", "\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a", "\xe2\x80\xa8",
	"\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80",
};

int
note_name_ok(const char *s, size_t n)
{
	size_t i, k;

	/* SPEC: signed-note "Key names MUST be non-empty and MUST NOT contain any Unicode spaces or plus" */
	if (n == 0 || n > NOTE_NAME_MAX || !codec_utf8_ok((const uint8_t *)s, n, 0))
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == ' ' || s[i] == '+')
			return 0;
		for (k = 0; k < sizeof(uspaces) / sizeof(uspaces[0]); k++) {
			size_t l = strlen(uspaces[k]);

			if (n - i >= l && memcmp(s + i, uspaces[k], l) == 0)
				return 0;
		}
	}
	return 1;
}

uint32_t
note_key_id(const char *name, uint8_t type, const uint8_t pk[static SIG_PK_LEN])
{
	struct hash_ctx c;
	uint8_t h[HASH_LEN];

	/* SPEC: signed-note key ID = SHA-256(key name || 0x0A || signature type || public key)[:4] */
	hash_init(&c);
	hash_update(&c, name, strlen(name));
	hash_update(&c, "\n", 1);
	hash_update(&c, &type, 1);
	hash_update(&c, pk, SIG_PK_LEN);
	hash_final(&c, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

enum pl_err
note_key_make(struct note_key *k, const char *name, uint8_t type,
              const uint8_t pk[static SIG_PK_LEN])
{
	if (!note_name_ok(name, strlen(name)))
		return pl_errf(PL_E_ARG,
		               "note: key name '%.64s' is empty, too long, or has a "
		               "space or '+'",
		               name);
	if (type != NOTE_TYPE_ED25519 && type != NOTE_TYPE_COSIG)
		return pl_errf(PL_E_ARG, "note: unsupported signature type 0x%02x", type);
	memcpy(k->name, name, strlen(name) + 1);
	k->type = type;
	memcpy(k->pk, pk, SIG_PK_LEN);
	k->id = note_key_id(name, type, pk);
	return PL_OK;
}

enum pl_err
note_key_parse(struct note_key *k, const char *s)
{
	const char *plus1 = strchr(s, '+'), *plus2;
	uint8_t raw[1 + SIG_PK_LEN + 8];
	char name[NOTE_NAME_MAX + 1], hex[9];
	size_t n, rawlen;
	uint32_t id;

	if (plus1 == NULL || (plus2 = strchr(plus1 + 1, '+')) == NULL)
		return pl_errf(PL_E_PROTO, "vkey: want name+keyid+key, got '%.80s'", s);
	n = (size_t)(plus1 - s);
	if (!note_name_ok(s, n))
		return pl_errf(PL_E_PROTO, "vkey: bad key name in '%.80s'", s);
	memcpy(name, s, n);
	name[n] = '\0';
	if (plus2 - plus1 - 1 != 8)
		return pl_errf(PL_E_PROTO, "vkey: key id of '%s' is not 8 hex digits", name);
	memcpy(hex, plus1 + 1, 8);
	hex[8] = '\0';
	{
		uint8_t idb[4];

		if (cr_unhex(idb, 4, hex) != PL_OK)
			return pl_errf(PL_E_PROTO, "vkey: key id of '%s' is not hex", name);
		id = (uint32_t)idb[0] << 24 | (uint32_t)idb[1] << 16 | (uint32_t)idb[2] << 8 |
		     idb[3];
	}
	if (cr_b64_decode(raw, sizeof(raw), &rawlen, plus2 + 1, strlen(plus2 + 1)) != PL_OK)
		return pl_errf(PL_E_PROTO, "vkey: key of '%s' is not base64", name);
	if (rawlen != 1 + SIG_PK_LEN || (raw[0] != NOTE_TYPE_ED25519 && raw[0] != NOTE_TYPE_COSIG))
		return pl_errf(PL_E_PROTO,
		               "vkey: key of '%s' is not an Ed25519 (0x01) or cosignature (0x04) "
		               "key",
		               name);
	PL_TRY(note_key_make(k, name, raw[0], raw + 1));
	if (k->id != id)
		return pl_errf(PL_E_PROTO, "vkey: key id %s of '%s' does not match its key (%08x)",
		               hex, name, k->id);
	return PL_OK;
}

enum pl_err
note_key_fmt(struct buf *out, const struct note_key *k)
{
	uint8_t raw[1 + SIG_PK_LEN];
	char b64[CR_B64_LEN(sizeof(raw))];

	raw[0] = k->type;
	memcpy(raw + 1, k->pk, SIG_PK_LEN);
	cr_b64_encode(b64, sizeof(b64), raw, sizeof(raw));
	return buf_addf(out, "%s+%08x+%s", k->name, k->id, b64);
}

/* Parse one signature line [p, p+n) without its newline. */
static enum pl_err
note_read_sig(struct note_sig *s, const char *p, size_t n, size_t off)
{
	uint8_t raw[4 + NOTE_SIG_BYTES_MAX];
	const char *sp;
	size_t name_len, rawlen;

	if (n < SIG_PREFIX_LEN || memcmp(p, sig_prefix, SIG_PREFIX_LEN) != 0)
		return pl_errf(PL_E_PROTO,
		               "note: signature line at byte %zu does not start with "
		               "an em dash and a space",
		               off);
	p += SIG_PREFIX_LEN;
	n -= SIG_PREFIX_LEN;
	if ((sp = memchr(p, ' ', n)) == NULL)
		return pl_errf(PL_E_PROTO, "note: signature line at byte %zu has no signature",
		               off);
	name_len = (size_t)(sp - p);
	if (!note_name_ok(p, name_len))
		return pl_errf(PL_E_PROTO, "note: bad key name in the signature line at byte %zu",
		               off);
	memcpy(s->name, p, name_len);
	s->name[name_len] = '\0';
	p = sp + 1;
	n -= name_len + 1;
	/* A signature longer than ours (a post-quantum one) is decoded only to check its form. */
	if (n > CR_B64_LEN(sizeof(raw)) - 1) {
		uint8_t big[8192]; /* post-quantum signatures are under 5 kB */

		if (cr_b64_decode(big, sizeof(big), &rawlen, p, n) != PL_OK || rawlen < 5)
			return pl_errf(PL_E_PROTO, "note: bad signature at byte %zu", off);
		s->key_id = (uint32_t)big[0] << 24 | (uint32_t)big[1] << 16 |
		            (uint32_t)big[2] << 8 | big[3];
		s->len = 0;
		return PL_OK;
	}
	if (cr_b64_decode(raw, sizeof(raw), &rawlen, p, n) != PL_OK || rawlen < 5)
		return pl_errf(PL_E_PROTO,
		               "note: signature at byte %zu is not base64 of a key id "
		               "and a signature",
		               off);
	s->key_id =
	        (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3];
	s->len = rawlen - 4;
	memcpy(s->sig, raw + 4, s->len);
	return PL_OK;
}

enum pl_err
note_read(struct note *out, const char *p, size_t n)
{
	size_t i, start, sep = 0;
	int found = 0;

	memset(out, 0, sizeof(*out));
	if (n > NOTE_MAX)
		return pl_errf(PL_E_TOOBIG, "note: %zu bytes > %d", n, NOTE_MAX);
	/* SPEC: signed-note "MUST be valid UTF-8 and MUST NOT contain any ASCII control characters ... other than newline" */
	if (!codec_utf8_ok((const uint8_t *)p, n, CODEC_ALLOW_NL | CODEC_ALLOW_C1))
		return pl_errf(PL_E_PROTO, "note: not UTF-8, or has control characters");
	if (n == 0 || p[n - 1] != '\n')
		return pl_errf(PL_E_PROTO, "note: does not end with a newline");
	/* SPEC: signed-note "the text is separated from the signatures by the last empty line" */
	for (i = n - 1; i > 0; i--) {
		if (p[i] == '\n' && p[i - 1] == '\n') {
			sep = i;
			found = 1;
			break;
		}
	}
	if (!found || sep < 1)
		return pl_errf(PL_E_PROTO, "note: no blank line before the signatures");
	out->text = p;
	out->text_len = sep; /* through the newline that ends the text */
	if (sep + 1 >= n)
		return pl_errf(PL_E_PROTO, "note: no signature lines");
	for (start = sep + 1; start < n;) {
		const char *nl = memchr(p + start, '\n', n - start);
		size_t len = (size_t)(nl - (p + start));

		if (out->n_sigs == NOTE_SIGS_MAX)
			return pl_errf(PL_E_TOOBIG, "note: more than %d signatures", NOTE_SIGS_MAX);
		PL_TRY(note_read_sig(&out->sigs[out->n_sigs], p + start, len, start));
		out->n_sigs++;
		start += len + 1;
	}
	return PL_OK;
}

enum pl_err
note_verify(const struct note *note, const struct note_key *keys, size_t n_keys,
            struct note_seen *seen)
{
	size_t i, k, good = 0;

	if (seen != NULL)
		memset(seen, 0, n_keys * sizeof(*seen));
	for (i = 0; i < note->n_sigs; i++) {
		const struct note_sig *s = &note->sigs[i];

		for (k = 0; k < n_keys; k++) {
			const struct note_key *key = &keys[k];
			uint64_t ts = 0;
			enum pl_err err;

			/* SPEC: signed-note "Verifiers MUST ignore signatures from unknown keys" */
			if (key->id != s->key_id || strcmp(key->name, s->name) != 0)
				continue;
			/* SPEC: signed-note "If the key name and ID match a known key, verifiers MUST verify" */
			if (key->type == NOTE_TYPE_ED25519)
				err = s->len == SIG_LEN ? sig_verify(s->sig, key->pk, note->text,
				                                     note->text_len)
				                        : PL_E_CRYPTO;
			else
				err = cosig_verify(&ts, s->sig, s->len, key->pk, note->text,
				                   note->text_len);
			if (err != PL_OK)
				return pl_errf(PL_E_CRYPTO,
				               "note: signature by '%s' (key %08x) does not verify",
				               s->name, s->key_id);
			if (seen != NULL) {
				seen[k].verified = 1;
				seen[k].timestamp = ts;
			}
			good++;
		}
	}
	if (good == 0)
		return pl_errf(PL_E_CRYPTO, "note: no signature from a known key");
	return PL_OK;
}

enum pl_err
note_sig_line(struct buf *out, const char *name, uint32_t key_id, const uint8_t *sig,
              size_t sig_len)
{
	uint8_t raw[4 + NOTE_SIG_BYTES_MAX];
	char b64[CR_B64_LEN(sizeof(raw))];

	if (sig_len > NOTE_SIG_BYTES_MAX || !note_name_ok(name, strlen(name)))
		return pl_errf(PL_E_ARG, "note: bad key name or signature");
	raw[0] = (uint8_t)(key_id >> 24);
	raw[1] = (uint8_t)(key_id >> 16);
	raw[2] = (uint8_t)(key_id >> 8);
	raw[3] = (uint8_t)key_id;
	memcpy(raw + 4, sig, sig_len);
	cr_b64_encode(b64, sizeof(b64), raw, 4 + sig_len);
	return buf_addf(out, "%s%s %s\n", sig_prefix, name, b64);
}

enum pl_err
note_sign(struct buf *out, const char *text, size_t text_len, const char *name,
          const struct keys *k)
{
	uint8_t sig[SIG_LEN];

	if (text_len == 0 || text[text_len - 1] != '\n')
		return pl_errf(PL_E_ARG, "note: text must end with a newline");
	keys_sign(k, sig, text, text_len);
	return note_sig_line(out, name, note_key_id(name, NOTE_TYPE_ED25519, keys_sign_pk(k)), sig,
	                     SIG_LEN);
}
