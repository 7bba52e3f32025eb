/*
 * witness.h - the witness side of C2SP tlog-witness add-checkpoint, as a
 * pure function: the request body and the witness's records in; the HTTP
 * status, the response body and the one updated record out.  The caller
 * must persist the updated record atomically (check-and-store under one
 * lock or transaction) before sending the response, as the spec requires;
 * the function itself changes nothing, so a refused request leaves the
 * state exactly as it was.
 *
 * A witness keeps, per log, only the latest checkpoint it cosigned.  When a
 * validly signed checkpoint contradicts it, both signed checkpoints are kept
 * as evidence: proven when the sizes are equal and the roots differ,
 * suspected when a consistency proof between them fails to verify (only the
 * log can produce the proof that would clear it).
 */
#ifndef PL_WITNESS_H
#define PL_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../crypto/keys.h"
#include "checkpoint.h"
#include "merkle.h"
#include "note.h"

/* A signed checkpoint with a few dozen cosignatures fits easily. */
#define WITNESS_NOTE_MAX 8192
/* SPEC: tlog-witness "The client MUST NOT send more than 63 consistency proof lines" */
#define WITNESS_PROOF_MAX   63
#define WITNESS_REQUEST_MAX (32 + WITNESS_PROOF_MAX * 45 + 1 + WITNESS_NOTE_MAX)

enum witness_fork {
	WITNESS_FORK_NONE = 0,
	WITNESS_FORK_SUSPECTED = 1, /* a consistency proof between the two failed */
	WITNESS_FORK_PROVEN = 2,    /* same size, different roots, both signed by the log */
};

struct witness_log {
	struct note_key key; /* the log's Ed25519 key; key.name is the origin */
	uint64_t size;       /* latest cosigned size; 0 if never */
	uint8_t root[HASH_LEN];
	size_t note_len; /* the latest cosigned checkpoint, as the log signed it */
	char note[WITNESS_NOTE_MAX];
	enum witness_fork fork; /* first contradiction seen, with both checkpoints */
	size_t fork_note_len;
	char fork_note[WITNESS_NOTE_MAX];
};

struct witness_reply {
	int status;               /* 200, 400, 403, 404, 409, 422 */
	const char *content_type; /* "text/x.tlog.size" for 409 with a size, else text/plain */
	struct buf body;          /* cosignature lines on 200; a size or a reason otherwise */
};

/* Body buffers hold a size line or a few cosignature lines. */
#define WITNESS_REPLY_MAX 1024

void witness_reply_init(struct witness_reply *r);
void witness_reply_reset(struct witness_reply *r);

/*
 * Handle one add-checkpoint request.  logs[0..n_logs) are the witness's
 * records.  On return, if *which < n_logs, *updated is the new record for
 * logs[*which] and must be stored before the reply is sent; otherwise
 * nothing is to be stored.  Returns PL_OK whenever reply->status is set
 * (even for a refusal); another code only for an internal failure (then
 * answer 500 and store nothing).
 */
PL_MUST_USE enum pl_err witness_add_checkpoint(struct witness_reply *reply,
                                               struct witness_log *updated, size_t *which,
                                               const struct witness_log *logs, size_t n_logs,
                                               const char *req, size_t req_len,
                                               const char *witness_name,
                                               const struct keys *witness_key, uint64_t now);

#endif
