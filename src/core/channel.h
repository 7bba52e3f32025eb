/*
 * channel.h - a channel's charter: who is a member and the rules they all
 * sign (docs/node.md#channels-and-charters).
 *
 * The charter's data is a JSON object:
 *   { "title": "...", "formats": ["rfa", ...],
 *     "deadlines": { "FLASH": { "receipt_s": 60, "ack_s": 600 }, ... },
 *     "two_person": false }
 * Every key is optional on input; the node fills in the defaults and signs
 * the complete object, so every member holds the same rules.
 */
#ifndef PL_CHANNEL_H
#define PL_CHANNEL_H

#include <stddef.h>

#include <jansson.h>

#include "../common/buf.h"
#include "../wire/codec.h"

#define CHANNEL_TITLE_MAX    200
#define CHANNEL_FORMATS_MAX  32
#define CHANNEL_DEADLINE_MAX 31536000 /* a year, in seconds */

/*
 * Check in (NULL: {}) and return in *out a new object with every default
 * filled in.  On failure err holds the field path and the rule broken
 * ("deadlines.FLASH.ack_s: want an integer 1..31536000") and PL_E_ARG is
 * returned.
 */
PL_MUST_USE enum pl_err channel_charter_complete(const json_t *in, json_t **out, char *err,
                                                 size_t errlen);

/* The canonical text of a charter (keys sorted, compact), bounded by out->max. */
PL_MUST_USE enum pl_err channel_charter_dump(const json_t *charter, struct buf *out);

/*
 * Check a member list sorted ascending: valid ids, no duplicates, 2 to
 * ENV_RECIPIENTS_MAX of them, self among them.
 */
PL_MUST_USE enum pl_err channel_members_ok(const char (*members)[CODEC_ID_MAX + 1], size_t n,
                                           const char *self);

#endif
