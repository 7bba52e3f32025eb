/*
 * proof.h - C2SP tlog-proof@v1: an offline-verifiable proof that an entry is
 * in a log, under a checkpoint the log signed and witnesses cosigned.
 *
 *   c2sp.org/tlog-proof@v1
 *   [extra <base64>]
 *   index <decimal>
 *   <inclusion proof hashes, base64, one per line>
 *   <empty line>
 *   <signed checkpoint>
 *
 * A policy names whom to trust: the log's key and a quorum of k out of n
 * witness keys.  Policy files are line-oriented:
 *
 *   log <vkey>
 *   witness <vkey>        (repeatable, cosignature keys, type 0x04)
 *   quorum <k>            (default: 0 without witnesses, else all of them)
 *   # comments and blank lines are ignored
 */
#ifndef PL_PROOF_H
#define PL_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "checkpoint.h"
#include "merkle.h"
#include "note.h"

#define PROOF_HEADER "c2sp.org/tlog-proof@v1"
/* Extra data is opaque and unauthenticated; a few KiB is plenty. */
#define PROOF_EXTRA_MAX 4096
#define PROOF_MAX       (64 + CR_B64_EXTRA + MERKLE_PROOF_MAX * 45 + NOTE_MAX)
#define CR_B64_EXTRA    (PROOF_EXTRA_MAX / 3 * 4 + 16)
/* Witnesses a policy may name; the note format bounds what can be checked at once. */
#define POLICY_WITNESSES_MAX (NOTE_SIGS_MAX - 1)

struct tlog_proof {
	size_t extra_len;
	uint8_t extra[PROOF_EXTRA_MAX];
	uint64_t index;
	size_t n_hashes;
	uint8_t hashes[MERKLE_PROOF_MAX][HASH_LEN];
	const char *checkpoint; /* borrowed: the signed checkpoint note */
	size_t checkpoint_len;
};

struct policy {
	int has_log;
	struct note_key log;
	size_t n_witnesses;
	struct note_key witnesses[POLICY_WITNESSES_MAX];
	size_t quorum;
	int quorum_set;
};

/* What a successful check established. */
struct proof_result {
	struct checkpoint cp;
	size_t n_cosigned;                               /* witnesses whose cosignature verified */
	struct note_seen seen[1 + POLICY_WITNESSES_MAX]; /* [0] the log, then the witnesses */
};

PL_MUST_USE enum pl_err proof_read(struct tlog_proof *out, const char *p, size_t n);
/* Append a proof: extra may be NULL; checkpoint is the signed note. */
PL_MUST_USE enum pl_err proof_write(struct buf *out, const uint8_t *extra, size_t extra_len,
                                    uint64_t index, const uint8_t (*hashes)[HASH_LEN],
                                    size_t n_hashes, const char *checkpoint, size_t checkpoint_len);

/* Start an empty policy; add lines with policy_line, then policy_finish. */
void policy_init(struct policy *pol);
/* One line of a policy file (without its newline); lineno for messages. */
PL_MUST_USE enum pl_err policy_line(struct policy *pol, const char *line, size_t lineno);
/* Check the policy is complete: a log key, and a quorum no larger than the witnesses. */
PL_MUST_USE enum pl_err policy_finish(struct policy *pol);

/*
 * Verify a signed checkpoint against the policy: signed by the log, and
 * cosigned by at least quorum witnesses.
 */
PL_MUST_USE enum pl_err policy_check_checkpoint(struct proof_result *res, const struct policy *pol,
                                                const char *note, size_t note_len);

/*
 * Verify a proof for an entry whose RFC 9162 leaf hash is leaf_hash: the
 * checkpoint as above, then the inclusion proof against its root and size.
 */
PL_MUST_USE enum pl_err proof_verify(struct proof_result *res, const struct tlog_proof *pr,
                                     const struct policy *pol,
                                     const uint8_t leaf_hash[static HASH_LEN]);

#endif
