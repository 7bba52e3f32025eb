/*
 * codec.c - shared field codecs.  The readers validate as they copy: an id
 * that is not an id, or text that is not UTF-8, never reaches a struct.
 */
#include <string.h>

#include "codec.h"

static int
id_char(unsigned char c, int first)
{
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return 1;
	return !first && (c == '-' || c == '.');
}

static int
id_ok(const uint8_t *p, size_t n)
{
	size_t i;

	if (n < 1 || n > CODEC_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!id_char(p[i], i == 0))
			return 0;
	return 1;
}

int
codec_dec_parse(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && p[0] == '0'))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(unsigned char)p[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = v;
	return 1;
}

enum pl_err
codec_id_check(const char *what, const char *s)
{
	if (!id_ok((const uint8_t *)s, strlen(s)))
		return pl_errf(PL_E_ARG,
		               "%s '%.64s' is not an id (1..%d of a-z 0-9 . -, starting with a "
		               "letter or digit)",
		               what, s, CODEC_ID_MAX);
	return PL_OK;
}

int
codec_text_ok(const uint8_t *p, size_t n, int multiline)
{
	return codec_utf8_ok(p, n, multiline ? CODEC_ALLOW_NL | CODEC_ALLOW_TAB : 0);
}

/* SPEC: RFC 3629 section 4 (UTF-8 syntax): shortest form, no surrogates, <= U+10FFFF. */
int
codec_utf8_ok(const uint8_t *p, size_t n, unsigned allow)
{
	size_t i = 0, k, len;
	uint32_t cp, min;

	while (i < n) {
		unsigned char c = p[i];

		if (c < 0x80) {
			if (c < 0x20 && !((allow & CODEC_ALLOW_NL) && c == '\n') &&
			    !((allow & CODEC_ALLOW_TAB) && c == '\t'))
				return 0;
			if (c == 0x7f && !(allow & CODEC_ALLOW_C1))
				return 0;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2, cp = c & 0x1f, min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3, cp = c & 0x0f, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return 0;
		}
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		/* C1 controls are as unwelcome as C0 ones in a record people read. */
		if (cp >= 0x80 && cp <= 0x9f && !(allow & CODEC_ALLOW_C1))
			return 0;
		i += len;
	}
	return 1;
}

enum pl_err
codec_label_write(struct buf *b, const char label[static CODEC_LABEL_LEN])
{
	return buf_add(b, label, CODEC_LABEL_LEN);
}

enum pl_err
codec_label_read(struct rd *rd, const char label[static CODEC_LABEL_LEN])
{
	const uint8_t *p;
	size_t off = rd->off;

	PL_TRY(rd_ptr(rd, "label", CODEC_LABEL_LEN, &p));
	if (memcmp(p, label, CODEC_LABEL_LEN) != 0)
		return rd_fail(rd, PL_E_PROTO, off, "label does not say %s", rd->what);
	return PL_OK;
}

enum pl_err
codec_id_write(struct buf *b, const char *id)
{
	size_t n = strlen(id);

	if (!id_ok((const uint8_t *)id, n))
		return pl_errf(PL_E_ARG, "'%.64s' is not an id", id);
	PL_TRY(buf_add_u8(b, (uint8_t)n));
	return buf_add(b, id, n);
}

enum pl_err
codec_id_read(struct rd *rd, const char *field, char out[static CODEC_ID_MAX + 1])
{
	size_t off = rd->off;
	const uint8_t *p;
	uint8_t n;

	PL_TRY(rd_u8(rd, field, &n));
	if (n < 1 || n > CODEC_ID_MAX)
		return rd_fail(rd, PL_E_PROTO, off, "%s length %u not in 1..%d", field, n,
		               CODEC_ID_MAX);
	PL_TRY(rd_ptr(rd, field, n, &p));
	if (!id_ok(p, n))
		return rd_fail(rd, PL_E_PROTO, off + 1, "%s has a character outside a-z 0-9 . -",
		               field);
	memcpy(out, p, n);
	out[n] = '\0';
	return PL_OK;
}

static enum pl_err
str_write(struct buf *b, const char *s, size_t max, int wide)
{
	size_t n = strlen(s);

	if (n > max || !codec_text_ok((const uint8_t *)s, n, 0))
		return pl_errf(PL_E_ARG, "text '%.32s' is too long (> %zu) or not UTF-8", s, max);
	PL_TRY(wide ? buf_add_u16be(b, (uint16_t)n) : buf_add_u8(b, (uint8_t)n));
	return buf_add(b, s, n);
}

enum pl_err
codec_str8_write(struct buf *b, const char *s)
{
	return str_write(b, s, 255, 0);
}

enum pl_err
codec_str16_write(struct buf *b, const char *s)
{
	return str_write(b, s, 65535, 1);
}

static enum pl_err
str_read(struct rd *rd, const char *field, size_t n, size_t max, size_t off, char *out, size_t cap)
{
	const uint8_t *p;

	if (n > max || n >= cap)
		return rd_fail(rd, PL_E_TOOBIG, off, "%s length %zu > %zu", field, n,
		               max < cap - 1 ? max : cap - 1);
	PL_TRY(rd_ptr(rd, field, n, &p));
	if (!codec_text_ok(p, n, 0))
		return rd_fail(rd, PL_E_PROTO, off,
		               "%s is not UTF-8 text without control characters", field);
	memcpy(out, p, n);
	out[n] = '\0';
	return PL_OK;
}

enum pl_err
codec_str8_read(struct rd *rd, const char *field, char *out, size_t cap)
{
	size_t off = rd->off;
	uint8_t n;

	PL_TRY(rd_u8(rd, field, &n));
	return str_read(rd, field, n, 255, off, out, cap);
}

enum pl_err
codec_str16_read(struct rd *rd, const char *field, size_t max, char *out, size_t cap)
{
	size_t off = rd->off;
	uint16_t n;

	PL_TRY(rd_u16be(rd, field, &n));
	return str_read(rd, field, n, max, off, out, cap);
}
