/*
 * checkpoint.h - C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint@v1.0.0):
 * the signed head of a log, as the text of a signed note (note.h).
 *
 *   line  content                                   limit here
 *   1     origin: non-empty, unique log identity    CHECKPOINT_ORIGIN_MAX bytes
 *   2     tree size: ASCII decimal, no leading 0    fits in 64 bits
 *   3     root hash: standard base64 of 32 bytes    exactly 44 characters
 *   4...  extension lines: non-empty, opaque        CHECKPOINT_EXT_MAX lines
 *
 * Every line ends in a newline.  The log signs the text with Ed25519 under
 * a key named like the origin; witnesses cosign it (cosig.h).
 */
#ifndef PL_CHECKPOINT_H
#define PL_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../crypto/hash.h"
#include "note.h"

/* Origins are schema-less URLs, and the log's key is named after it: a key name's limit. */
#define CHECKPOINT_ORIGIN_MAX NOTE_NAME_MAX
/* Extension lines are NOT RECOMMENDED by the spec; we read a few and write what we are given. */
#define CHECKPOINT_EXT_MAX 8

struct checkpoint {
	char origin[CHECKPOINT_ORIGIN_MAX + 1];
	uint64_t size;
	uint8_t root[HASH_LEN];
	size_t n_ext;
	const char *ext[CHECKPOINT_EXT_MAX]; /* borrowed from the text, not NUL-terminated */
	size_t ext_len[CHECKPOINT_EXT_MAX];
};

/*
 * Parse a checkpoint's note text [text, text+n), which ends with a newline.
 * out borrows the extension lines from text.  PL_E_PROTO for any fault,
 * PL_E_TOOBIG past CHECKPOINT_EXT_MAX extension lines.
 */
PL_MUST_USE enum pl_err checkpoint_parse(struct checkpoint *out, const char *text, size_t n);
/* Append the note text of c; PL_E_ARG (out unchanged) if it would not parse back to c. */
PL_MUST_USE enum pl_err checkpoint_fmt(struct buf *out, const struct checkpoint *c);

/*
 * Append a whole signed checkpoint: the text, a blank line, and the log's
 * Ed25519 signature with key name origin.  Nothing is appended on failure.
 */
PL_MUST_USE enum pl_err checkpoint_sign(struct buf *out, const struct checkpoint *c,
                                        const struct keys *log_key);

/*
 * Read and verify a signed checkpoint [p, p+n): the log's key must have
 * signed it; witness keys (n_witnesses <= NOTE_SIGS_MAX, may be 0) are
 * checked when their cosignatures are present, and a present one that
 * fails refuses the checkpoint.  seen (may be NULL) has 1 + n_witnesses
 * entries: the log first.  note receives the parsed note, which borrows p;
 * out borrows from p through it.
 */
PL_MUST_USE enum pl_err checkpoint_open(struct checkpoint *out, struct note *note, const char *p,
                                        size_t n, const struct note_key *log_key,
                                        const struct note_key *witnesses, size_t n_witnesses,
                                        struct note_seen *seen);

#endif
