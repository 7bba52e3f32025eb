/*
 * note.c - C2SP signed-note v1 (signed-note.md at tag signed-note/v1.0.0).
 *
 * Parse, then verify: note_read splits the text from the signature lines
 * and checks the syntax of both; note_verify checks the signatures of the
 * caller's keys.  Nothing here allocates except the cosignature message
 * (cosig.c); the note's text stays borrowed from the caller's bytes.
 *
 * Limits (note.h says why): NOTE_MAX bytes, NOTE_SIGS_MAX signature lines.
 * Within them, every line that the spec allows is accepted, including the
 * ones we cannot use (longer names or signatures than a key of ours could
 * have), because the spec requires ignoring unknown signatures rather than
 * refusing the note.
 */
#include <string.h>

#include "../crypto/cr.h"
#include "../crypto/hash.h"
#include "../wire/codec.h"
#include "cosig.h"
#include "note.h"

/* U+2014 EM DASH, then a space. */
static const char sig_prefix[] = "\xe2\x80\x94 ";
#define SIG_PREFIX_LEN 4

/* Unicode White_Space characters outside ASCII (as Go's unicode.IsSpace), in UTF-8. */
static const char *const uspaces[] = {
	"\xc2\x85",     "\xc2\xa0",     "\xe1\x9a\x80", "\xe2\x80\x80", "\xe2\x80\x81",
	"\xe2\x80\x82", "\xe2\x80\x83", "\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86",
	"\xe2\x80\x87", "\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a", "\xe2\x80\xa8",
	"\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80",
};

static uint32_t
be32(const uint8_t p[4])
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * A key name as the spec defines it, with no length limit: non-empty,
 * UTF-8 without C0 controls (which no note may hold), no Unicode space and
 * no '+'.  DEL and C1 controls other than U+0085 are allowed, as in notes.
 */
static int
name_syntax_ok(const char *s, size_t n)
{
	size_t i, k;

	/* SPEC: signed-note "Key names MUST be non-empty and MUST NOT contain any Unicode spaces or plus" */
	if (n == 0 || !codec_utf8_ok((const uint8_t *)s, n, CODEC_ALLOW_C1))
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == ' ' || s[i] == '+')
			return 0;
		/* UTF-8 lead bytes never occur inside a character, so a match here is a real one. */
		for (k = 0; k < sizeof(uspaces) / sizeof(uspaces[0]); k++) {
			size_t l = strlen(uspaces[k]);

			if (n - i >= l && memcmp(s + i, uspaces[k], l) == 0)
				return 0;
		}
	}
	return 1;
}

int
note_name_ok(const char *s, size_t n)
{
	return n <= NOTE_NAME_MAX && name_syntax_ok(s, n);
}

int
note_text_ok(const char *p, size_t n)
{
	/* SPEC: signed-note "a text ending in newline (U+000A)" */
	/* SPEC: signed-note "MUST be valid UTF-8 and MUST NOT contain any ASCII control characters ... other than newline" */
	return n > 0 && p[n - 1] == '\n' &&
	       codec_utf8_ok((const uint8_t *)p, n, CODEC_ALLOW_NL | CODEC_ALLOW_C1);
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
	return be32(h);
}

enum pl_err
note_key_make(struct note_key *k, const char *name, uint8_t type,
              const uint8_t pk[static SIG_PK_LEN])
{
	size_t n = strlen(name);

	if (!note_name_ok(name, n))
		return pl_errf(PL_E_ARG,
		               "note: key name '%.64s' is empty, longer than %d bytes, not UTF-8, "
		               "or has a control character, a space or '+'",
		               name, NOTE_NAME_MAX);
	if (type != NOTE_TYPE_ED25519 && type != NOTE_TYPE_COSIG)
		return pl_errf(PL_E_ARG, "note: unsupported signature type 0x%02x", type);
	memcpy(k->name, name, n + 1);
	k->type = type;
	memcpy(k->pk, pk, SIG_PK_LEN);
	k->id = note_key_id(name, type, pk);
	return PL_OK;
}

enum pl_err
note_key_parse(struct note_key *k, const char *s)
{
	const char *plus1 = strchr(s, '+'), *plus2, *b64;
	uint8_t raw[1 + SIG_PK_LEN + 3], idb[4];
	char name[NOTE_NAME_MAX + 1], hex[9];
	size_t n, rawlen;
	uint32_t id;

	/* name '+' 8 hex digits '+' base64(type || key); the base64 may hold '+', the name may not. */
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
	if (cr_unhex(idb, 4, hex) != PL_OK)
		return pl_errf(PL_E_PROTO, "vkey: key id '%s' of '%s' is not hex", hex, name);
	id = be32(idb);
	b64 = plus2 + 1;
	if (cr_b64_decode(raw, sizeof(raw), &rawlen, b64, strlen(b64)) != PL_OK)
		return pl_errf(PL_E_PROTO, "vkey: key of '%s' is not standard base64", name);
	if (rawlen != 1 + SIG_PK_LEN || (raw[0] != NOTE_TYPE_ED25519 && raw[0] != NOTE_TYPE_COSIG))
		return pl_errf(PL_E_PROTO,
		               "vkey: key of '%s' is not an Ed25519 (0x01) or cosignature (0x04) "
		               "key (%zu bytes, type 0x%02x)",
		               name, rawlen, rawlen > 0 ? raw[0] : 0);
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

/*
 * Decode standard base64 [s, s+n) of any length without a buffer that
 * large: the first head_cap decoded bytes land in head, and *total receives
 * the decoded length.  The input is taken in chunks of whole 4-character
 * groups; padding may only end the last one.
 */
#define B64_CHUNK 1024 /* characters, a multiple of 4 */
static enum pl_err
b64_decode_head(uint8_t *head, size_t head_cap, size_t *total, const char *s, size_t n)
{
	uint8_t chunk[B64_CHUNK / 4 * 3];
	size_t off, got, c, keep;

	*total = 0;
	for (off = 0; off < n; off += c) {
		c = n - off < B64_CHUNK ? n - off : B64_CHUNK;
		if (off + c < n && memchr(s + off, '=', c) != NULL)
			return pl_errf(PL_E_PROTO, "base64: padding before the end");
		PL_TRY(cr_b64_decode(chunk, sizeof(chunk), &got, s + off, c));
		if (*total < head_cap) {
			keep = head_cap - *total < got ? head_cap - *total : got;
			memcpy(head + *total, chunk, keep);
		}
		*total += got;
	}
	return PL_OK;
}

/* Parse one signature line [p, p+n), without its newline, that starts at offset off. */
static enum pl_err
note_read_sig(struct note_sig *s, const char *p, size_t n, size_t off)
{
	uint8_t raw[4 + NOTE_SIG_BYTES_MAX];
	const char *sp;
	size_t name_len, total;

	/* SPEC: signed-note signature line: em dash (U+2014), space, key name, space, base64, newline */
	if (n < SIG_PREFIX_LEN || memcmp(p, sig_prefix, SIG_PREFIX_LEN) != 0)
		return pl_errf(PL_E_PROTO,
		               "note: signature line at offset %zu does not start with an em dash "
		               "and a space",
		               off);
	p += SIG_PREFIX_LEN;
	n -= SIG_PREFIX_LEN;
	if ((sp = memchr(p, ' ', n)) == NULL)
		return pl_errf(PL_E_PROTO, "note: signature line at offset %zu has no signature",
		               off);
	name_len = (size_t)(sp - p);
	if (!name_syntax_ok(p, name_len))
		return pl_errf(PL_E_PROTO,
		               "note: key name of the signature line at offset %zu is empty or has "
		               "a space or '+'",
		               off);
	s->name_len = name_len;
	if (name_len <= NOTE_NAME_MAX) {
		memcpy(s->name, p, name_len);
		s->name[name_len] = '\0';
	} else {
		s->name[0] = '\0'; /* no key of ours has such a name: an unknown signature */
	}
	p = sp + 1;
	n -= name_len + 1;
	/* SPEC: signed-note "Signatures are the base64 encoding of 4+n bytes" (n >= 1, as Go) */
	if (b64_decode_head(raw, sizeof(raw), &total, p, n) != PL_OK || total < 5)
		return pl_errf(PL_E_PROTO,
		               "note: signature at offset %zu is not standard base64 of a key id "
		               "and a signature",
		               off);
	/* SPEC: signed-note "The first four bytes ... are the uint32 key ID stored in big-endian order" */
	s->key_id = be32(raw);
	if (total - 4 <= NOTE_SIG_BYTES_MAX) {
		s->len = total - 4;
		memcpy(s->sig, raw + 4, s->len);
	} else {
		s->len = 0; /* longer than any signature type we verify */
	}
	return PL_OK;
}

enum pl_err
note_read(struct note *out, const char *p, size_t n)
{
	size_t i, start, sep = 0;

	memset(out, 0, sizeof(*out));
	if (n > NOTE_MAX)
		return pl_errf(PL_E_TOOBIG, "note: %zu bytes > %d", n, NOTE_MAX);
	if (n == 0 || p[n - 1] != '\n')
		return pl_errf(PL_E_PROTO, "note: does not end with a newline");
	/* SPEC: signed-note "MUST be valid UTF-8 and MUST NOT contain any ASCII control characters ... other than newline" */
	if (!codec_utf8_ok((const uint8_t *)p, n, CODEC_ALLOW_NL | CODEC_ALLOW_C1))
		return pl_errf(PL_E_PROTO,
		               "note: not UTF-8, or has a control character other than newline");
	/* SPEC: signed-note "the text is separated from the signatures by the last empty line" */
	for (i = n - 1; i > 0 && sep == 0; i--)
		if (p[i] == '\n' && p[i - 1] == '\n')
			sep = i;
	if (sep == 0)
		return pl_errf(PL_E_PROTO, "note: no blank line before the signatures");
	/* SPEC: signed-note "The note text includes the final newline but not the separating blank line" */
	out->text = p;
	out->text_len = sep;
	/* SPEC: signed-note "followed by one or more signature lines" */
	if (sep + 1 == n)
		return pl_errf(PL_E_PROTO, "note: no signature lines after the blank line");
	/* Every line ends in a newline (p[n - 1] is one) and none is empty (sep was the last). */
	for (start = sep + 1; start < n;) {
		const char *nl = memchr(p + start, '\n', n - start);
		size_t len = (size_t)(nl - (p + start));

		/* SPEC: signed-note "Verifiers SHOULD apply a maximum limit to the number of signatures" */
		if (out->n_sigs == NOTE_SIGS_MAX)
			return pl_errf(PL_E_TOOBIG, "note: more than %d signatures (offset %zu)",
			               NOTE_SIGS_MAX, start);
		PL_TRY(note_read_sig(&out->sigs[out->n_sigs], p + start, len, start));
		out->n_sigs++;
		start += len + 1;
	}
	return PL_OK;
}

/* Check one signature s that matched key by name and ID; *ts receives a cosignature's time. */
static enum pl_err
note_check_sig(const struct note *note, const struct note_sig *s, const struct note_key *key,
               uint64_t *ts)
{
	*ts = 0;
	if (key->type == NOTE_TYPE_ED25519) {
		/* SPEC: signed-note "Ed25519 signatures are generated according to RFC 8032 over the note text" */
		if (s->len != SIG_LEN)
			return pl_errf(PL_E_CRYPTO, "note: Ed25519 signature of %zu bytes, want %d",
			               s->len, SIG_LEN);
		return sig_verify(s->sig, key->pk, note->text, note->text_len);
	}
	if (key->type == NOTE_TYPE_COSIG)
		return cosig_verify(ts, s->sig, s->len, key->pk, note->text, note->text_len);
	return pl_errf(PL_E_STATE, "note: key '%s' has unsupported type 0x%02x", key->name,
	               key->type);
}

enum pl_err
note_verify(const struct note *note, const struct note_key *keys, size_t n_keys,
            struct note_seen *seen)
{
	size_t i, k, good = 0;
	enum pl_err err;

	if (seen != NULL && n_keys > 0)
		memset(seen, 0, n_keys * sizeof(*seen));
	for (i = 0; i < note->n_sigs; i++) {
		const struct note_sig *s = &note->sigs[i];

		for (k = 0; k < n_keys; k++) {
			const struct note_key *key = &keys[k];
			uint64_t ts;

			/* SPEC: signed-note "Verifiers MUST ignore signatures from unknown keys, even if they share a name or ID (but not both)" */
			if (s->name_len > NOTE_NAME_MAX || key->id != s->key_id ||
			    strcmp(key->name, s->name) != 0)
				continue;
			/*
			 * SPEC: signed-note "If the key name and ID match a known key, verifiers MUST verify the signature"
			 * SPEC: signed-note "If a signature from a known key fails to verify, clients SHOULD reject the whole note"
			 * Every matching line is checked, repeated ones too.
			 */
			pl_err_clear();
			if ((err = note_check_sig(note, s, key, &ts)) != PL_OK) {
				const char *why = pl_err_msg();

				if (seen != NULL)
					memset(seen, 0, n_keys * sizeof(*seen));
				/* Out of memory says nothing about the signature: keep that code. */
				if (err == PL_E_NOMEM)
					return pl_errf(err, "note: signature %zu by '%s': %s",
					               i + 1, s->name, why);
				return pl_errf(
				        PL_E_CRYPTO,
				        "note: signature %zu by '%s' (key %08x) does not verify%s%s",
				        i + 1, s->name, s->key_id, *why != '\0' ? ": " : "", why);
			}
			if (seen != NULL) {
				seen[k].verified = 1;
				if (ts > seen[k].timestamp)
					seen[k].timestamp = ts;
			}
			good++;
		}
	}
	/* SPEC: signed-note "If no signature from a known key verifies successfully, clients MUST reject the note" */
	if (good == 0)
		return pl_errf(PL_E_CRYPTO,
		               "note: no signature from a known key (%zu signatures, "
		               "%zu keys)",
		               note->n_sigs, n_keys);
	return PL_OK;
}

enum pl_err
note_sig_line(struct buf *out, const char *name, uint32_t key_id, const uint8_t *sig,
              size_t sig_len)
{
	uint8_t raw[4 + NOTE_SIG_BYTES_MAX];
	char b64[CR_B64_LEN(sizeof(raw))];

	if (!note_name_ok(name, strlen(name)))
		return pl_errf(PL_E_ARG, "note: bad key name '%.64s'", name);
	if (sig_len == 0 || sig_len > NOTE_SIG_BYTES_MAX)
		return pl_errf(PL_E_ARG, "note: signature of %zu bytes, want 1..%d", sig_len,
		               NOTE_SIG_BYTES_MAX);
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

	if (!note_text_ok(text, text_len))
		return pl_errf(PL_E_ARG, "note: text to sign is not UTF-8 without control "
		                         "characters ending in a newline");
	keys_sign(k, sig, text, text_len);
	return note_sig_line(out, name, note_key_id(name, NOTE_TYPE_ED25519, keys_sign_pk(k)), sig,
	                     SIG_LEN);
}
