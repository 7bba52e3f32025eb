/*
 * party.h - the party record's encoding (docs/protocol.md#party-record): who
 * a participant is, the keys it signs and receives with, where to reach its
 * node and its people.  Self-signed; every revision after the first is also
 * signed by the key of the revision before it, so a key rotation is proven
 * by the key it replaces.
 *
 * offset size  field
 *   0     16   label "parley-party\0\0\0\0"
 *  16      1   version (1)
 *  17  1+1..63 party id
 *          4   revision       1 for the first record, +1 per change
 *          8   time_ms        when this revision was made
 *         32   sign_pk        Ed25519
 *         32   box_pk         X25519
 *          1   n_endpoints    0..PARTY_ENDPOINTS_MAX; each a str16 URL,
 *                             primary first
 *          1   n_contacts     0..PARTY_CONTACTS_MAX; each: role (id),
 *                             name (str16), languages (str8), hours (str8),
 *                             reach (str16)
 *         32   prev           id of the previous revision; zero iff revision 1
 *         64   sig            Ed25519 by sign_pk over every byte before it
 *        (64)  prev_sig       only when revision > 1: Ed25519 by the previous
 *                             revision's sign_pk over the same bytes as sig
 *
 * The id of a record is SHA-256 of all of its bytes.
 */
#ifndef PL_PARTY_H
#define PL_PARTY_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../crypto/box.h"
#include "../crypto/hash.h"
#include "../crypto/sig.h"
#include "codec.h"

#define PARTY_LABEL   "parley-party\0\0\0\0"
#define PARTY_VERSION 1
/* Primary and alternate routes (the NRRCs keep satellite and cable paths); 8 is generous. */
#define PARTY_ENDPOINTS_MAX 8
#define PARTY_URL_MAX       512
/* Duty desks and officers per role and language. */
#define PARTY_CONTACTS_MAX 16
#define PARTY_NAME_MAX     256
#define PARTY_REACH_MAX    256
#define PARTY_SHORT_MAX    63 /* languages, hours */
#define PARTY_ENCODED_MAX                                                                          \
	(16 + 1 + 1 + CODEC_ID_MAX + 4 + 8 + 32 + 32 + 1 +                                         \
	 PARTY_ENDPOINTS_MAX * (2 + PARTY_URL_MAX) + 1 +                                           \
	 PARTY_CONTACTS_MAX * (1 + CODEC_ID_MAX + 2 + PARTY_NAME_MAX + 1 + PARTY_SHORT_MAX + 1 +   \
	                       PARTY_SHORT_MAX + 2 + PARTY_REACH_MAX) +                            \
	 32 + 2 * SIG_LEN)

/* Fingerprint: the first 16 bytes of SHA-256("parley-fp\0..." || id || sign_pk), in hex. */
#define PARTY_FP_LEN     16
#define PARTY_FP_STR_LEN (PARTY_FP_LEN * 2 + PARTY_FP_LEN / 2 - 1) /* "ab12-cd34-..." */

struct party_contact {
	char role[CODEC_ID_MAX + 1];         /* duty, approver, auditor, admin, ... */
	char name[PARTY_NAME_MAX + 1];       /* a desk or a person */
	char languages[PARTY_SHORT_MAX + 1]; /* BCP 47 tags, comma-separated: "en,ru" */
	char hours[PARTY_SHORT_MAX + 1];     /* "24/7", "Mon-Fri 08-18 UTC" */
	char reach[PARTY_REACH_MAX + 1];     /* phone, e-mail, radio call sign */
};

struct party {
	uint8_t version;
	char id[CODEC_ID_MAX + 1];
	uint32_t revision;
	uint64_t time_ms;
	uint8_t sign_pk[SIG_PK_LEN];
	uint8_t box_pk[BOX_PK_LEN];
	size_t n_endpoints;
	char endpoints[PARTY_ENDPOINTS_MAX][PARTY_URL_MAX + 1];
	size_t n_contacts;
	struct party_contact contacts[PARTY_CONTACTS_MAX];
	uint8_t prev[HASH_LEN];
	uint8_t sig[SIG_LEN];
	uint8_t prev_sig[SIG_LEN]; /* meaningful iff revision > 1 */
	size_t signed_len;         /* bytes before sig */
};

/* Parse exactly one record from [p, p+n); syntax only, not the signatures. */
PL_MUST_USE enum pl_err party_read(struct party *out, const uint8_t *p, size_t n);
/* Append every byte before sig; checks the same rules as party_read. */
PL_MUST_USE enum pl_err party_write_signed_part(struct buf *b, const struct party *r);
/*
 * Check an endpoint URL: http:// or https://, then host (name, IPv4, or
 * [IPv6]) and an optional port 1..65535, then an optional path or query;
 * printable ASCII, no user info, no fragment, <= PARTY_URL_MAX.
 */
int party_url_ok(const char *url);
/* Check a languages list: comma-separated tags of [A-Za-z0-9-], each 2..35. */
int party_languages_ok(const char *s);

#endif
