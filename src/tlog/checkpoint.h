/*
 * checkpoint.h - C2SP tlog-checkpoint: the signed head of a log.
 *
 *   <origin>\n <tree size, decimal>\n <root hash, base64>\n [extension lines\n]
 *
 * The text is the body of a signed note (note.h); the log signs it with
 * Ed25519 and witnesses cosign it (cosig.h).
 */
#ifndef PL_CHECKPOINT_H
#define PL_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../crypto/hash.h"
#include "note.h"

/* Origins are schema-less URLs; a note key name's limit fits them. */
#define CHECKPOINT_ORIGIN_MAX NOTE_NAME_MAX
/* Extension lines are NOT RECOMMENDED by the spec; we accept a few and emit none. */
#define CHECKPOINT_EXT_MAX 8

struct checkpoint {
	char origin[CHECKPOINT_ORIGIN_MAX + 1];
	uint64_t size;
	uint8_t root[HASH_LEN];
	size_t n_ext;
	const char *ext[CHECKPOINT_EXT_MAX]; /* borrowed from the text, not NUL-terminated */
	size_t ext_len[CHECKPOINT_EXT_MAX];
};

/* Parse a checkpoint's note text (which ends with a newline). */
PL_MUST_USE enum pl_err checkpoint_parse(struct checkpoint *out, const char *text, size_t n);
/* Append the note text of c. */
PL_MUST_USE enum pl_err checkpoint_fmt(struct buf *out, const struct checkpoint *c);

/*
 * Append a whole signed checkpoint: the text, a blank line, and the log's
 * Ed25519 signature with key name origin.
 */
PL_MUST_USE enum pl_err checkpoint_sign(struct buf *out, const struct checkpoint *c,
                                        const struct keys *log_key);

/*
 * Read and verify a signed checkpoint: the log's key must have signed it;
 * witness keys (may be none) are checked when their cosignatures are
 * present.  seen has 1 + n_witnesses entries: the log first.
 */
PL_MUST_USE enum pl_err checkpoint_open(struct checkpoint *out, struct note *note, const char *p,
                                        size_t n, const struct note_key *log_key,
                                        const struct note_key *witnesses, size_t n_witnesses,
                                        struct note_seen *seen);

#endif
