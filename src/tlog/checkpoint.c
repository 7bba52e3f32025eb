/*
 * checkpoint.c - tlog-checkpoint note text (tlog-checkpoint.md at tag
 * tlog-checkpoint/v1.0.0): parse strictly, format exactly, sign and open.
 *
 * checkpoint_fmt refuses what checkpoint_parse would refuse, so formatting
 * then parsing gives back the same struct, and parsing then formatting the
 * same bytes (fuzz_checkpoint checks the second).
 */
#include <string.h>

#include "../crypto/cr.h"
#include "../wire/codec.h"
#include "checkpoint.h"

/* The next line of [*p, end) without its newline; PL_E_PROTO if there is none. */
static enum pl_err
next_line(const char **p, const char *end, const char **line, size_t *len, const char *what)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));

	if (nl == NULL)
		return pl_errf(PL_E_PROTO, "checkpoint: no %s line ending in a newline", what);
	*line = *p;
	*len = (size_t)(nl - *p);
	*p = nl + 1;
	return PL_OK;
}

/* A line of a note text: UTF-8 without control characters (so no newline). */
static int
line_ok(const char *p, size_t n)
{
	return codec_utf8_ok((const uint8_t *)p, n, CODEC_ALLOW_C1);
}

enum pl_err
checkpoint_parse(struct checkpoint *out, const char *text, size_t n)
{
	const char *p = text, *end = text + n, *line = NULL;
	size_t len = 0, root_len;

	memset(out, 0, sizeof(*out));
	/* The text of a signed note: UTF-8, no control characters but newline (note.c). */
	if (!codec_utf8_ok((const uint8_t *)text, n, CODEC_ALLOW_NL | CODEC_ALLOW_C1))
		return pl_errf(PL_E_PROTO,
		               "checkpoint: not UTF-8, or has a control character other than "
		               "newline");
	/* SPEC: tlog-checkpoint "The origin MUST be non-empty" */
	PL_TRY(next_line(&p, end, &line, &len, "origin"));
	if (len == 0 || len > CHECKPOINT_ORIGIN_MAX)
		return pl_errf(PL_E_PROTO, "checkpoint: origin of %zu bytes, want 1..%d", len,
		               CHECKPOINT_ORIGIN_MAX);
	memcpy(out->origin, line, len);
	out->origin[len] = '\0';
	/* SPEC: tlog-checkpoint "ASCII decimal ... with no leading zeroes (unless the tree is empty ... 0)" */
	PL_TRY(next_line(&p, end, &line, &len, "tree size"));
	if (!codec_dec_parse(line, len, &out->size))
		return pl_errf(
		        PL_E_PROTO,
		        "checkpoint: tree size '%.*s' is not a 64-bit decimal without leading zeros",
		        (int)(len < 24 ? len : 24), line);
	/* SPEC: tlog-checkpoint "the base64 encoding of the root of the RFC 6962 Merkle hash tree" */
	PL_TRY(next_line(&p, end, &line, &len, "root hash"));
	if (cr_b64_decode(out->root, sizeof(out->root), &root_len, line, len) != PL_OK ||
	    root_len != HASH_LEN)
		return pl_errf(PL_E_PROTO,
		               "checkpoint: root hash is not standard base64 of 32 bytes (%zu "
		               "characters)",
		               len);
	/* SPEC: tlog-checkpoint "Extension lines, if any, MUST be non-empty" */
	while (p < end) {
		PL_TRY(next_line(&p, end, &line, &len, "extension"));
		if (len == 0)
			return pl_errf(PL_E_PROTO, "checkpoint: extension line %zu is empty",
			               out->n_ext + 1);
		if (out->n_ext == CHECKPOINT_EXT_MAX)
			return pl_errf(PL_E_TOOBIG, "checkpoint: more than %d extension lines",
			               CHECKPOINT_EXT_MAX);
		out->ext[out->n_ext] = line;
		out->ext_len[out->n_ext++] = len;
	}
	return PL_OK;
}

enum pl_err
checkpoint_fmt(struct buf *out, const struct checkpoint *c)
{
	char b64[CR_B64_LEN(HASH_LEN)];
	size_t i, start = out->len, olen = strnlen(c->origin, sizeof(c->origin));
	enum pl_err err;

	if (olen == 0 || olen > CHECKPOINT_ORIGIN_MAX || !line_ok(c->origin, olen))
		return pl_errf(PL_E_ARG, "checkpoint: origin is empty, too long, or has a control "
		                         "character");
	if (c->n_ext > CHECKPOINT_EXT_MAX)
		return pl_errf(PL_E_ARG, "checkpoint: %zu extension lines > %d", c->n_ext,
		               CHECKPOINT_EXT_MAX);
	for (i = 0; i < c->n_ext; i++)
		if (c->ext_len[i] == 0 || !line_ok(c->ext[i], c->ext_len[i]))
			return pl_errf(PL_E_ARG,
			               "checkpoint: extension line %zu is empty or has a control "
			               "character",
			               i + 1);
	cr_b64_encode(b64, sizeof(b64), c->root, HASH_LEN);
	err = buf_addf(out, "%s\n%llu\n%s\n", c->origin, (unsigned long long)c->size, b64);
	for (i = 0; err == PL_OK && i < c->n_ext; i++)
		if ((err = buf_add(out, c->ext[i], c->ext_len[i])) == PL_OK)
			err = buf_add_u8(out, '\n');
	if (err != PL_OK)
		out->len = start;
	return err;
}

enum pl_err
checkpoint_sign(struct buf *out, const struct checkpoint *c, const struct keys *log_key)
{
	size_t start = out->len;
	struct buf text;
	enum pl_err err;

	buf_init(&text, NOTE_MAX);
	if ((err = checkpoint_fmt(&text, c)) == PL_OK &&
	    (err = buf_add(out, text.data, text.len)) == PL_OK &&
	    (err = buf_add_u8(out, '\n')) == PL_OK)
		/* SPEC: tlog-checkpoint "The log's key name in its signature line SHOULD match the origin line" */
		err = note_sign(out, (const char *)text.data, text.len, c->origin, log_key);
	if (err != PL_OK)
		out->len = start;
	buf_reset(&text);
	return err;
}

enum pl_err
checkpoint_open(struct checkpoint *out, struct note *note, const char *p, size_t n,
                const struct note_key *log_key, const struct note_key *witnesses,
                size_t n_witnesses, struct note_seen *seen)
{
	struct note_key keys[1 + NOTE_SIGS_MAX];
	struct note_seen tmp[1 + NOTE_SIGS_MAX];
	size_t i;

	if (log_key->type != NOTE_TYPE_ED25519)
		return pl_errf(PL_E_ARG, "checkpoint: the log key '%s' is not an Ed25519 note key",
		               log_key->name);
	if (n_witnesses > NOTE_SIGS_MAX)
		return pl_errf(PL_E_ARG, "checkpoint: %zu witness keys > %d", n_witnesses,
		               NOTE_SIGS_MAX);
	PL_TRY(note_read(note, p, n));
	PL_TRY(checkpoint_parse(out, note->text, note->text_len));
	keys[0] = *log_key;
	for (i = 0; i < n_witnesses; i++)
		keys[1 + i] = witnesses[i];
	/* SPEC: tlog-checkpoint "clients MUST ignore unknown signatures" (note_verify) */
	PL_TRY(note_verify(note, keys, 1 + n_witnesses, tmp));
	if (!tmp[0].verified)
		return pl_errf(PL_E_CRYPTO, "checkpoint: not signed by the log key '%s'",
		               log_key->name);
	if (seen != NULL)
		memcpy(seen, tmp, (1 + n_witnesses) * sizeof(*seen));
	return PL_OK;
}
