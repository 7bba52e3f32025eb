/*
 * entry.h - a transcript entry's encoding (docs/protocol.md#transcript-entry):
 * one leaf of a node's Merkle log.  Ids and what is needed to check them,
 * never a body.
 *
 * offset size  field
 *   0     16   label "parley-entry\0\0\0\0"
 *  16      1   version (1)
 *  17      1   type: 1 sent, 2 received, 3 receipt
 * sent, received:
 *         32   envelope id
 *      1+1..63 channel id
 *      1+1..63 sender party id
 *          8   seq            >= 1
 *         32   prev           all zero iff seq == 1
 * received, receipt:
 *          2   receipt length, then the receipt (rcpt.h): for received,
 *              this node's receipt for the envelope; for receipt, a
 *              peer's receipt for an envelope this node sent
 *
 * All integers big-endian; exactly one encoding per entry.
 */
#ifndef PL_ENTRY_H
#define PL_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../common/rd.h"
#include "../crypto/hash.h"
#include "codec.h"
#include "rcpt.h"

#define ENTRY_LABEL   "parley-entry\0\0\0\0"
#define ENTRY_VERSION 1
#define ENTRY_ENCODED_MAX                                                                          \
	(16 + 1 + 1 + HASH_LEN + 2 * (1 + CODEC_ID_MAX) + 8 + HASH_LEN + 2 + RCPT_ENCODED_MAX)

/*
 * Party P's transcript is the log with origin (and key name)
 * "parley.transcript/P", signed with P's identity key; P cosigns others'
 * checkpoints as the witness "parley.witness/P", with the same key
 * (docs/protocol.md#transparency-log).
 */
#define ENTRY_LOG_PREFIX     "parley.transcript/"
#define ENTRY_WITNESS_PREFIX "parley.witness/"
#define ENTRY_LOG_NAME_MAX   (sizeof(ENTRY_LOG_PREFIX) - 1 + CODEC_ID_MAX)

enum entry_type {
	ENTRY_SENT = 1,
	ENTRY_RECEIVED = 2,
	ENTRY_RECEIPT = 3,
};

struct entry {
	uint8_t version;
	uint8_t type;
	/* sent, received */
	uint8_t env_id[HASH_LEN];
	char channel[CODEC_ID_MAX + 1];
	char sender[CODEC_ID_MAX + 1];
	uint64_t seq;
	uint8_t prev[HASH_LEN];
	/* received, receipt: borrowed from the input (read) or the caller (write) */
	const uint8_t *receipt;
	size_t receipt_len;
};

/* Parse exactly one entry from [p, p+n); the receipt must parse too (not its signature). */
PL_MUST_USE enum pl_err entry_read(struct entry *out, const uint8_t *p, size_t n);

/*
 * The next entry of a C2SP entry bundle (tile/entries/N): a 2-byte
 * big-endian length and that many bytes, borrowed as [*p, *p + *n).
 * PL_E_TRUNC, naming the offset, if the bundle is cut short.
 */
PL_MUST_USE enum pl_err entry_bundle_next(struct rd *rd, const uint8_t **p, size_t *n);

/* Append the encoding of e (version is always ENTRY_VERSION); the same rules as entry_read. */
PL_MUST_USE enum pl_err entry_write(struct buf *b, const struct entry *e);

#endif
