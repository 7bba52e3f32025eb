/*
 * keyring.h - a party's key file: its public record and its secret keys,
 * locked under a passphrase (docs/protocol.md#key-file).
 *
 * These functions work on bytes; reading and writing the file itself
 * (mode 0600, refused when others can read it) is common/file.h's job.
 */
#ifndef PL_KEYRING_H
#define PL_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../crypto/keys.h"
#include "../wire/party.h"

/*
 * Append a key file holding k and its signed record.  passphrase NULL means
 * "store the secret in clear" (only on explicit request); otherwise strength
 * names the Argon2id preset ("interactive", "moderate", "sensitive").
 */
PL_MUST_USE enum pl_err keyring_lock(struct buf *out, const struct keys *k, const uint8_t *record,
                                     size_t record_len, const char *passphrase,
                                     const char *strength);

/*
 * Read the public part: the record, with its self-signature checked.  No
 * passphrase needed.  *encrypted tells whether the secret is locked.
 */
PL_MUST_USE enum pl_err keyring_peek(struct party *rec, int *encrypted, const uint8_t *p, size_t n);

/*
 * Unlock the secret keys.  The passphrase is ignored for a file stored in
 * clear.  The keys must match the record's public keys.  Caller frees *k
 * with keys_free().
 */
PL_MUST_USE enum pl_err keyring_unlock(struct keys **k, struct party *rec, const uint8_t *p,
                                       size_t n, const char *passphrase);

#endif
