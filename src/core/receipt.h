/*
 * receipt.h - signed receipts: "envelope H was verified and on our disk at
 * time T" (docs/protocol.md#receipt).  Non-repudiation of receipt; an
 * officer's acknowledgement is a separate envelope.
 */
#ifndef PL_RECEIPT_H
#define PL_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../crypto/keys.h"
#include "../wire/rcpt.h"

/* Append a receipt for env_id, signed by the receiver's keys. */
PL_MUST_USE enum pl_err receipt_sign(struct buf *out, const uint8_t env_id[static HASH_LEN],
                                     const char *receiver, uint64_t stored_ms,
                                     const struct keys *k);

/*
 * Parse a receipt and check it is the receiver's signature over env_id.
 * out receives the parsed receipt.
 */
PL_MUST_USE enum pl_err receipt_verify(struct rcpt *out, const uint8_t *p, size_t n,
                                       const uint8_t env_id[static HASH_LEN],
                                       const uint8_t receiver_pk[static SIG_PK_LEN]);

#endif
