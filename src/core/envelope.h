/*
 * envelope.h - build, seal and sign envelopes; verify and open them
 * (docs/protocol.md#envelope).
 *
 * Sending:   envelope_seal() draws a fresh body key and nonce, seals the key
 *            to every recipient, encrypts the body with the header as
 *            associated data, and signs the whole encoding.
 * Receiving: env_read() (wire/env.h) parses, envelope_verify() checks the
 *            sender's signature, envelope_open() decrypts for one recipient.
 *            Nothing may act on an envelope before envelope_verify() passed.
 */
#ifndef PL_ENVELOPE_H
#define PL_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../crypto/keys.h"
#include "../wire/env.h"

struct envelope_to {
	const char *party;
	const uint8_t *box_pk; /* BOX_PK_LEN bytes */
};

struct envelope_draft {
	const char *channel;
	const char *sender;
	uint64_t seq;
	const uint8_t *prev; /* HASH_LEN bytes; NULL for seq 1 */
	uint8_t kind, prec, flags, tlp;
	uint64_t time_ms;
	size_t n_refs;
	const uint8_t (*refs)[HASH_LEN];
	size_t n_to; /* recipients in any order, the sender among them if it is to read its own */
	const struct envelope_to *to;
	const uint8_t *plain; /* body plaintext, at most ENV_PLAIN_MAX bytes */
	size_t plain_len;
};

/* The id of an encoded envelope: SHA-256 of its bytes. */
void envelope_id(uint8_t id[static HASH_LEN], const uint8_t *p, size_t n);

/*
 * Seal and sign d with the sender's keys; append the encoding to out and
 * return its id.  out is unchanged on failure.
 */
PL_MUST_USE enum pl_err envelope_seal(struct buf *out, uint8_t id[static HASH_LEN],
                                      const struct envelope_draft *d, const struct keys *k);

/*
 * Sealing in two steps, for a sender that must seal envelopes in order
 * (each names the id of the one before) but wants most of the work done
 * in parallel: envelope_seal_keys() draws the body key and nonce and seals
 * the key to every recipient (the costly part, which needs no seq and no
 * prev); envelope_seal_with() then writes the header, encrypts and signs
 * as envelope_seal() does.  The keys serve one envelope: envelope_seal_with
 * wipes them whatever happens and refuses keys already used, so a body key
 * and nonce never encrypt twice.  envelope_keys_wipe() discards unused ones.
 */
struct envelope_keys {
	int ready;
	size_t n;
	uint8_t key[AEAD_KEY_LEN]; /* secret */
	uint8_t nonce[AEAD_NONCE_LEN];
	struct {
		char party[CODEC_ID_MAX + 1];
		uint8_t sealed[BOX_SEALED_KEY_LEN];
	} to[ENV_RECIPIENTS_MAX]; /* sorted by party */
};

PL_MUST_USE enum pl_err envelope_seal_keys(struct envelope_keys *sk, const struct envelope_to *to,
                                           size_t n_to);
/* As envelope_seal, with keys sealed beforehand for exactly d->to (any order). */
PL_MUST_USE enum pl_err envelope_seal_with(struct buf *out, uint8_t id[static HASH_LEN],
                                           const struct envelope_draft *d, struct envelope_keys *sk,
                                           const struct keys *k);
void envelope_keys_wipe(struct envelope_keys *sk);

/* Check the signature of an envelope read by env_read() against the sender's key. */
PL_MUST_USE enum pl_err envelope_verify(const struct env *e, const uint8_t pk[static SIG_PK_LEN]);

/*
 * Decrypt the body of a verified envelope for recipient me into plain
 * (which should be a secret buf).  PL_E_STATE if me is not a recipient,
 * PL_E_CRYPTO if the sealed key or the body does not open.
 */
PL_MUST_USE enum pl_err envelope_open(struct buf *plain, const struct env *e, const char *me,
                                      const struct keys *k);

/* Recover the body key only (for disclosure to a third party). */
PL_MUST_USE enum pl_err envelope_body_key(uint8_t key[static AEAD_KEY_LEN], const struct env *e,
                                          const char *me, const struct keys *k);
/* Decrypt with a known body key (a disclosed one). */
PL_MUST_USE enum pl_err envelope_decrypt(struct buf *plain, const struct env *e,
                                         const uint8_t key[static AEAD_KEY_LEN]);

#endif
