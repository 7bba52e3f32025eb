/*
 * identity.h - a party's identity: its signed record, its fingerprint, and
 * key rotation (docs/protocol.md#party-record).
 *
 * Trust in a peer starts from its fingerprint, exchanged out of band; every
 * later revision of its record must be signed both by its own key and by the
 * key of the revision before it.
 */
#ifndef PL_IDENTITY_H
#define PL_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../crypto/keys.h"
#include "../wire/party.h"

/* "ab12-cd34-..." (PARTY_FP_STR_LEN characters and a NUL). */
void identity_fingerprint(char out[static PARTY_FP_STR_LEN + 1], const char *id,
                          const uint8_t sign_pk[static SIG_PK_LEN]);

/*
 * Compare a fingerprint typed by a person with the record's: case, spaces,
 * dashes and colons are ignored.  1 if they match.
 */
int identity_fingerprint_match(const struct party *r, const char *typed);

/*
 * Sign r (whose sign_pk and box_pk must be k's) and append the encoding to
 * out.  A revision > 1 also needs prev_k, the keys of the previous revision.
 */
PL_MUST_USE enum pl_err identity_sign(struct buf *out, const struct party *r, const struct keys *k,
                                      const struct keys *prev_k);

/*
 * Parse a record and check its self-signature.  When prev is given (the
 * parsed previous revision, with prev_id its id), also check that the record
 * continues it: same party, next revision, prev matching, and prev_sig made
 * by prev's key.
 */
PL_MUST_USE enum pl_err identity_verify(struct party *out, const uint8_t *p, size_t n,
                                        const struct party *prev, const uint8_t prev_id[HASH_LEN]);

#endif
