/*
 * codec.h - field encodings shared by every parley wire format
 * (docs/protocol.md#common-fields).
 *
 *   label   16 bytes   ASCII name of the structure, NUL-padded; the first
 *                      bytes of every encoding, so that no signature over one
 *                      structure can be taken for a signature over another
 *   id      1 + n      n in 1..63, [a-z0-9] then [a-z0-9.-]: party, channel
 *                      and format ids, short enough to read aloud and print
 *   str8    1 + n      UTF-8 text, no control characters, n <= 255
 *   str16   2 + n      the same, n <= the caller's limit (<= 65535)
 */
#ifndef PL_CODEC_H
#define PL_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../common/rd.h"

#define CODEC_LABEL_LEN 16
/* 63: a DNS label's limit, ample for "us-nrrc" or "osce-cbm.2026". */
#define CODEC_ID_MAX 63

/*
 * Parse [p, p+n) as an unsigned decimal without leading zeros ("0" alone is
 * allowed) that fits in 64 bits, as the C2SP text formats write sizes.
 * Returns 1 on success.
 */
int codec_dec_parse(const char *p, size_t n, uint64_t *out);

/* Check s as an id; PL_E_ARG naming what ("party id") when it is not one. */
PL_MUST_USE enum pl_err codec_id_check(const char *what, const char *s);
/* Check n bytes as UTF-8 text without control characters (tab and newline allowed if multiline). */
int codec_text_ok(const uint8_t *p, size_t n, int multiline);

/* What codec_utf8_ok lets through besides printable text. */
#define CODEC_ALLOW_NL  0x01u /* U+000A */
#define CODEC_ALLOW_TAB 0x02u /* U+0009 */
#define CODEC_ALLOW_C1  0x04u /* U+007F..U+009F, which signed notes allow */
/* Valid UTF-8 (RFC 3629) with no C0 control characters beyond those allowed. */
int codec_utf8_ok(const uint8_t *p, size_t n, unsigned allow);

PL_MUST_USE enum pl_err codec_label_write(struct buf *b, const char label[static CODEC_LABEL_LEN]);
PL_MUST_USE enum pl_err codec_label_read(struct rd *rd, const char label[static CODEC_LABEL_LEN]);
PL_MUST_USE enum pl_err codec_id_write(struct buf *b, const char *id);
/* out has CODEC_ID_MAX + 1 bytes and receives a NUL-terminated id. */
PL_MUST_USE enum pl_err codec_id_read(struct rd *rd, const char *field,
                                      char out[static CODEC_ID_MAX + 1]);
PL_MUST_USE enum pl_err codec_str8_write(struct buf *b, const char *s);
PL_MUST_USE enum pl_err codec_str16_write(struct buf *b, const char *s);
/* Read text into out (cap bytes incl. NUL); max is the field's limit, checked before copying. */
PL_MUST_USE enum pl_err codec_str8_read(struct rd *rd, const char *field, char *out, size_t cap);
PL_MUST_USE enum pl_err codec_str16_read(struct rd *rd, const char *field, size_t max, char *out,
                                         size_t cap);

#endif
