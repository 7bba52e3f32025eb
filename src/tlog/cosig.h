/*
 * cosig.h - C2SP tlog-cosignature v1: timestamped Ed25519 cosignatures
 * (signature type 0x04) of a checkpoint.
 *
 * Signed message: "cosignature/v1\n" "time <seconds>\n" followed by the
 * checkpoint's note text.  Signature bytes: 8-byte big-endian timestamp ||
 * 64-byte Ed25519 signature.
 */
#ifndef PL_COSIG_H
#define PL_COSIG_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../crypto/keys.h"

#define COSIG_LEN (8 + SIG_LEN)
/* SPEC: tlog-cosignature "timestamp ... MUST NOT exceed 2^63 - 1" */
#define COSIG_TIME_MAX INT64_MAX

/* Append the signed message for text at timestamp. */
PL_MUST_USE enum pl_err cosig_message(struct buf *out, uint64_t timestamp, const char *text,
                                      size_t text_len);

/* Append a cosignature line by the witness key name/k over the checkpoint text. */
PL_MUST_USE enum pl_err cosig_sign(struct buf *out, const char *text, size_t text_len,
                                   const char *name, const struct keys *k, uint64_t timestamp);

/* Check cosignature bytes (timestamp || signature); *timestamp receives the signed time. */
PL_MUST_USE enum pl_err cosig_verify(uint64_t *timestamp, const uint8_t *sig, size_t sig_len,
                                     const uint8_t pk[static SIG_PK_LEN], const char *text,
                                     size_t text_len);

#endif
