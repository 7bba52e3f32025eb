/*
 * env.h - the envelope's canonical encoding (docs/protocol.md#envelope).
 *
 * offset size  field
 *   0     16   label "parley-envelope\0"
 *  16      1   version (1)
 *  17  1+1..63 channel id
 *      1+1..63 sender party id
 *          8   seq            per sender and channel, from 1, no gaps
 *         32   prev           id of the sender's previous envelope on the
 *                             channel; all zero iff seq == 1
 *          1   kind           enum env_kind
 *          1   precedence     enum env_prec (0 FLASH .. 3 ROUTINE)
 *          1   flags          bit 0: exercise; other bits must be 0
 *          1   tlp            enum env_tlp
 *          8   time_ms        sender's clock, ms since 1970-01-01 UTC
 *          1   n_refs         0..ENV_REFS_MAX, then 32-byte envelope ids
 *          1   n_recipients   1..ENV_RECIPIENTS_MAX, strictly ascending
 *                             ids, each: id, 80-byte sealed body key
 *         24   nonce          XChaCha20-Poly1305 nonce of the body
 *          4   body_len       ENV_BODY_MIN..ENV_BODY_MAX
 *   body_len   body           ciphertext and tag; the associated data is
 *                             every byte before it
 *         64   sig            Ed25519 by the sender over every byte before it
 *
 * The id of an envelope is SHA-256 of all of its bytes.  All integers are
 * big-endian.  There is exactly one encoding of each envelope: no optional
 * fields, no padding, lengths exact, sets in a fixed order.
 */
#ifndef PL_ENV_H
#define PL_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../common/rd.h"
#include "../crypto/box.h"
#include "../crypto/hash.h"
#include "../crypto/sig.h"
#include "codec.h"

#define ENV_LABEL   "parley-envelope\0"
#define ENV_VERSION 1
/* A message cites the few it answers or corrects; a case's history is reached through them. */
#define ENV_REFS_MAX 16
/* The largest standing body of the kind: the OSCE has 57 participating states. */
#define ENV_RECIPIENTS_MAX 64
/* Bodies carry structured data and texts; documents travel as attachments by hash. */
#define ENV_BODY_MAX  65536
#define ENV_BODY_MIN  AEAD_TAG_LEN
#define ENV_PLAIN_MAX (ENV_BODY_MAX - AEAD_TAG_LEN)
/* Largest possible encoding: the fixed part, the ids, the recipients and the body. */
#define ENV_ENCODED_MAX                                                                            \
	(16 + 1 + 2 * (1 + CODEC_ID_MAX) + 8 + 32 + 4 + 8 + 1 + ENV_REFS_MAX * 32 + 1 +            \
	 ENV_RECIPIENTS_MAX * (1 + CODEC_ID_MAX + BOX_SEALED_KEY_LEN) + 24 + 4 + ENV_BODY_MAX +    \
	 64)

enum env_kind {
	ENV_KIND_MESSAGE = 1,        /* a communication with a formatted body */
	ENV_KIND_ACK = 2,            /* an officer read the envelope(s) in refs */
	ENV_KIND_CHARTER = 3,        /* proposes a channel charter */
	ENV_KIND_CHARTER_ACCEPT = 4, /* a member signs the charter in refs */
	ENV_KIND_SUSPEND = 5,        /* a member suspends the channel */
	ENV_KIND_RESUME = 6,         /* a member resumes it */
};
#define ENV_KIND_MAX ENV_KIND_RESUME

enum env_prec {
	ENV_PREC_FLASH = 0,
	ENV_PREC_IMMEDIATE = 1,
	ENV_PREC_PRIORITY = 2,
	ENV_PREC_ROUTINE = 3,
};

/* Traffic Light Protocol 2.0 (FIRST). */
enum env_tlp {
	ENV_TLP_CLEAR = 0,
	ENV_TLP_GREEN = 1,
	ENV_TLP_AMBER = 2,
	ENV_TLP_AMBER_STRICT = 3,
	ENV_TLP_RED = 4,
};

#define ENV_FLAG_EXERCISE 0x01u
#define ENV_FLAGS_KNOWN   ENV_FLAG_EXERCISE

struct env_recipient {
	char party[CODEC_ID_MAX + 1];
	uint8_t sealed_key[BOX_SEALED_KEY_LEN];
};

struct env {
	uint8_t version;
	char channel[CODEC_ID_MAX + 1];
	char sender[CODEC_ID_MAX + 1];
	uint64_t seq;
	uint8_t prev[HASH_LEN];
	uint8_t kind, prec, flags, tlp;
	uint64_t time_ms;
	size_t n_refs;
	uint8_t refs[ENV_REFS_MAX][HASH_LEN];
	size_t n_recipients;
	struct env_recipient recipients[ENV_RECIPIENTS_MAX];
	uint8_t nonce[AEAD_NONCE_LEN];
	const uint8_t *body; /* borrowed from the input (read) or the caller (write) */
	uint32_t body_len;
	uint8_t sig[SIG_LEN];
	/* Set by env_read: the whole encoding, borrowed from the input. */
	const uint8_t *raw;
	size_t raw_len;
	size_t ad_len; /* bytes before the body: the body's associated data */
};

/*
 * Parse one envelope that fills [p, p+n) exactly.  Checks every field's
 * syntax and limits, not the signature.  out borrows from p.
 */
PL_MUST_USE enum pl_err env_read(struct env *out, const uint8_t *p, size_t n);

/*
 * Append the header (everything before body) to b; checks the same rules as
 * env_read.  env_write_header + body + sig is the whole encoding.
 */
PL_MUST_USE enum pl_err env_write_header(struct buf *b, const struct env *e);

/* Names for humans and JSON ("FLASH", "amber+strict", "message"); NULL if unknown. */
const char *env_prec_name(unsigned prec);
const char *env_tlp_name(unsigned tlp);
const char *env_kind_name(unsigned kind);
/* Reverse lookups; PL_E_ARG if the name is unknown (case-insensitive). */
PL_MUST_USE enum pl_err env_prec_parse(const char *s, uint8_t *out);
PL_MUST_USE enum pl_err env_tlp_parse(const char *s, uint8_t *out);
PL_MUST_USE enum pl_err env_kind_parse(const char *s, uint8_t *out);

#endif
