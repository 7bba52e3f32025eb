/*
 * body.h - the envelope body after decryption (docs/protocol.md#body): a
 * JSON object
 *
 *   { "format": "rfa", "version": 1, "data": { ... },
 *     "texts": { "en": "...", "ru": "..." }, "authoritative": "en",
 *     "attachments": [ { "sha256": "<hex>", "size": 1234,
 *                        "type": "application/pdf", "name": "x.pdf" } ] }
 *
 * read strictly: duplicate keys, unknown keys and wrong types are refused,
 * with the path of the offending field.  What "data" must hold is the
 * format registry's business, not this module's.
 */
#ifndef PL_BODY_H
#define PL_BODY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../common/buf.h"
#include "../crypto/hash.h"
#include "codec.h"

/* Languages of one text: the six UN languages and a margin. */
#define BODY_TEXTS_MAX 16
#define BODY_LANG_MAX  35 /* BCP 47 recommends supporting tags of 35 characters */
/* Attachments travel separately, by hash; a body names at most this many. */
#define BODY_ATTACHMENTS_MAX 32
#define BODY_TYPE_MAX        127 /* RFC 6838: type and subtype 127 characters each at most */
#define BODY_NAME_MAX        255
#define BODY_VERSION_MAX     65535

struct body_text {
	char lang[BODY_LANG_MAX + 1];
	const char *text; /* owned by the body's JSON tree */
};

struct body_attachment {
	uint8_t sha256[HASH_LEN];
	uint64_t size;
	char type[BODY_TYPE_MAX + 1];
	char name[BODY_NAME_MAX + 1]; /* may be empty */
};

struct body {
	json_t *root; /* owns the strings below; NULL in a body built by hand */
	char format[CODEC_ID_MAX + 1];
	uint32_t version;
	json_t *data; /* a JSON object */
	size_t n_texts;
	struct body_text texts[BODY_TEXTS_MAX];
	char authoritative[BODY_LANG_MAX + 1]; /* empty iff n_texts == 0 */
	size_t n_attachments;
	struct body_attachment attachments[BODY_ATTACHMENTS_MAX];
};

/* Parse a body from [p, p+n).  Free with body_free(), also after a failure. */
PL_MUST_USE enum pl_err body_read(struct body *out, const uint8_t *p, size_t n);
void body_free(struct body *b);

/*
 * Append the canonical JSON of b (compact, keys sorted) to out; checks the
 * same rules as body_read.
 */
PL_MUST_USE enum pl_err body_write(struct buf *out, const struct body *b);

/* Check one language tag ([A-Za-z0-9-], 2..BODY_LANG_MAX). */
int body_lang_ok(const char *s);

#endif
