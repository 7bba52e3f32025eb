/*
 * cosig.h - C2SP tlog-cosignature v1 (c2sp.org/tlog-cosignature), the
 * Ed25519 type: a witness's timestamped signature (note signature type
 * 0x04) of a checkpoint.
 *
 * Signed message, all lines ending in a newline:
 *
 *   cosignature/v1
 *   time <POSIX seconds, ASCII decimal without leading zeros>
 *   <the whole note text of the checkpoint: origin, size, root, extensions>
 *
 * Signature bytes after the key ID:
 *
 *   offset  size  meaning
 *   0       8     timestamp, big-endian, <= 2^63 - 1
 *   8       64    Ed25519 signature of the message above
 *
 * Key ID: SHA-256(name || 0x0A || 0x04 || 32-byte public key)[:4]
 * (note_key_id with NOTE_TYPE_COSIG).
 */
#ifndef PL_COSIG_H
#define PL_COSIG_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../crypto/keys.h"

#define COSIG_LEN (8 + SIG_LEN)
/* SPEC: tlog-cosignature "It MUST NOT exceed 2^63 - 1" */
#define COSIG_TIME_MAX INT64_MAX

/* Append the signed message for text at timestamp; PL_E_ARG past COSIG_TIME_MAX. */
PL_MUST_USE enum pl_err cosig_message(struct buf *out, uint64_t timestamp, const char *text,
                                      size_t text_len);

/*
 * Append a cosignature line by the witness key name/k over the checkpoint
 * note text at timestamp.  The caller must have verified the checkpoint
 * (the log's signature, consistency with what it cosigned before): the
 * line states that it did.  PL_E_ARG for a bad name, text or timestamp.
 */
PL_MUST_USE enum pl_err cosig_sign(struct buf *out, const char *text, size_t text_len,
                                   const char *name, const struct keys *k, uint64_t timestamp);

/*
 * Check cosignature bytes (timestamp || signature, sig_len bytes) by pk over
 * text; *timestamp receives the signed time on success, 0 otherwise.
 * PL_E_PROTO if sig_len is not COSIG_LEN or the time exceeds
 * COSIG_TIME_MAX, PL_E_CRYPTO if the signature does not verify.
 */
PL_MUST_USE enum pl_err cosig_verify(uint64_t *timestamp, const uint8_t *sig, size_t sig_len,
                                     const uint8_t pk[static SIG_PK_LEN], const char *text,
                                     size_t text_len);

#endif
