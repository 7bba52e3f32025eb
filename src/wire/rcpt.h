/*
 * rcpt.h - the receipt's encoding (docs/protocol.md#receipt): signed by the
 * receiving node the moment an envelope is verified and durably stored.
 *
 * offset size  field
 *   0     16   label "parley-receipt\0\0"
 *  16      1   version (1)
 *  17     32   envelope id
 *  49  1+1..63 receiver party id
 *          8   stored_ms      receiver's clock when the envelope was on disk
 *         64   sig            Ed25519 by the receiver over every byte before it
 *
 * The id of a receipt is SHA-256 of all of its bytes.
 */
#ifndef PL_RCPT_H
#define PL_RCPT_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../crypto/hash.h"
#include "../crypto/sig.h"
#include "codec.h"

#define RCPT_LABEL       "parley-receipt\0\0"
#define RCPT_VERSION     1
#define RCPT_ENCODED_MAX (16 + 1 + HASH_LEN + 1 + CODEC_ID_MAX + 8 + SIG_LEN)

struct rcpt {
	uint8_t version;
	uint8_t env_id[HASH_LEN];
	char receiver[CODEC_ID_MAX + 1];
	uint64_t stored_ms;
	uint8_t sig[SIG_LEN];
	size_t signed_len; /* bytes before sig (set by rcpt_read and rcpt_write_signed_part) */
};

/* Parse exactly one receipt from [p, p+n); syntax only, not the signature. */
PL_MUST_USE enum pl_err rcpt_read(struct rcpt *out, const uint8_t *p, size_t n);
/* Append every byte before the signature. */
PL_MUST_USE enum pl_err rcpt_write_signed_part(struct buf *b, const struct rcpt *r);

#endif
