/*
 * keyfile.h - the key file's encoding (docs/protocol.md#key-file): a party's
 * public record and its two secret keys, the secrets encrypted under a
 * passphrase.
 *
 * offset size  field
 *   0     16   label "parley-keyfile\0\0"
 *  16      1   version (1)
 *  17      1   kdf            0 none (secret in clear), 1 Argon2id
 *  18      8   ops            Argon2id passes (0 when kdf is 0)
 *  26      8   mem            Argon2id memory in bytes (0 when kdf is 0)
 *  34     16   salt           (zero when kdf is 0)
 *  50     24   nonce          XChaCha20-Poly1305 (zero when kdf is 0)
 *  74      4   record_len     1..PARTY_ENCODED_MAX
 *  78    n     record         the party record, signed
 *        64/80 secret         Ed25519 seed || X25519 secret key; with kdf 1
 *                             encrypted, the 78 + n header bytes as
 *                             associated data, plus a 16-byte tag
 */
#ifndef PL_KEYFILE_H
#define PL_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../crypto/keys.h"

#define KEYFILE_LABEL   "parley-keyfile\0\0"
#define KEYFILE_VERSION 1

struct keyfile {
	uint8_t version;
	struct keys_kdf_params kdf;
	uint8_t nonce[AEAD_NONCE_LEN];
	const uint8_t *record; /* borrowed */
	uint32_t record_len;
	const uint8_t *secret; /* borrowed */
	size_t secret_len;
	size_t header_len; /* bytes before secret: the associated data */
};

/* Parse a whole key file from [p, p+n).  out borrows from p. */
PL_MUST_USE enum pl_err keyfile_read(struct keyfile *out, const uint8_t *p, size_t n);
/* Append the header (everything before the secret). */
PL_MUST_USE enum pl_err keyfile_write_header(struct buf *b, const struct keyfile *kf);

#endif
