/*
 * bundle.h - an offline-verifiable export of a channel or a time range
 * (docs/protocol.md#bundle): party records, envelopes, receipts,
 * disclosed body keys, transcript checkpoints with their cosignatures, and
 * the inclusion and consistency proofs that tie them together.  A third
 * party checks a bundle with nothing but the bundle and, optionally, a
 * policy that pins the parties' fingerprints and names trusted witnesses.
 *
 * offset size  field
 *   0     16   label "parley-bundle\0\0\0"
 *  16      1   version (1)
 *  17          records, each: type (1) | length (4, big-endian) | bytes
 *
 * type  record       bytes
 *   1   PARTY        a signed party record (wire/party.h)
 *   2   ENVELOPE     an envelope (wire/env.h)
 *   3   RECEIPT      a receipt (wire/rcpt.h)
 *   4   DISCLOSURE   envelope id (32) | body key (32)
 *   5   CHECKPOINT   a signed checkpoint note of the log "parley.transcript/P"
 *   6   INCLUSION    party id | size (8) | index (8) | entry_len (2) | entry |
 *                    n_hashes (1) | n_hashes x 32
 *   7   CONSISTENCY  party id | old size (8) | new size (8) | n_hashes (1) |
 *                    n_hashes x 32
 * 255   END          n_records (4): how many records come before it
 *
 * Records are in strictly ascending order of (type, bytes), so a set of
 * records has exactly one encoding and no record appears twice; the last
 * record is END and nothing follows it.
 *
 * Reading is pure: bundle_read parses and checks every length and every
 * record's syntax into typed tables that borrow from the input, and fails
 * at the first malformed record, naming it ("bundle: record 17 (envelope)
 * at offset 5312: ...").  bundle_verify then checks every signature, chain,
 * receipt, disclosure, checkpoint and proof, collects every failure rather
 * than stopping at the first, and fills a report of what is proven.
 *
 * Secrets: DISCLOSURE records hold body keys.  A bundle's bytes should be
 * kept in a secret buf (buf_init_secret); the writer keeps its records in
 * one, and the verifier copies a key to the stack only for the one
 * decryption and wipes it.
 */
#ifndef PL_BUNDLE_H
#define PL_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../tlog/checkpoint.h"
#include "../tlog/merkle.h"
#include "../tlog/proof.h"
#include "../wire/body.h"
#include "../wire/entry.h"
#include "../wire/env.h"
#include "../wire/party.h"
#include "../wire/rcpt.h"

#define BUNDLE_LABEL   "parley-bundle\0\0\0"
#define BUNDLE_VERSION 1
#define BUNDLE_HDR_LEN (CODEC_LABEL_LEN + 1)
#define BUNDLE_REC_HDR 5 /* type and length */

/*
 * Limits (docs/protocol.md#bundle says why).  A bundle is read whole into
 * memory, so the total is capped at 1 GiB: 100,000 envelopes of 1 KiB with
 * two receipts each and their proofs take about 300 MiB.  The record count
 * caps the verifier's tables (a few hundred bytes per record).  The largest
 * record is a checkpoint note (NOTE_MAX); each type has its own limit.
 */
#define BUNDLE_MAX         (1UL << 30)
#define BUNDLE_RECORDS_MAX (1UL << 21)
#define BUNDLE_RECORD_MAX  NOTE_MAX
/* A channel has at most ENV_RECIPIENTS_MAX members; witnesses and margin on top. */
#define BUNDLE_PARTIES_MAX 256
/*
 * A bundle needs a few checkpoints per transcript.  Each may ask for up to
 * NOTE_SIGS_MAX signature checks, so their number bounds the work a
 * hostile bundle can demand: 65,536 x 33 checks is about two minutes.
 */
#define BUNDLE_CHECKPOINTS_MAX 65536
#define BUNDLE_INCL_HASHES_MAX (MERKLE_PROOF_MAX - 1) /* 64 levels */
#define BUNDLE_CONS_HASHES_MAX MERKLE_PROOF_MAX
#define BUNDLE_INCL_MAX                                                                            \
	(1 + CODEC_ID_MAX + 8 + 8 + 2 + ENTRY_ENCODED_MAX + 1 + BUNDLE_INCL_HASHES_MAX * HASH_LEN)
#define BUNDLE_CONS_MAX       (1 + CODEC_ID_MAX + 8 + 8 + 1 + BUNDLE_CONS_HASHES_MAX * HASH_LEN)
#define BUNDLE_DISCLOSURE_LEN (HASH_LEN + AEAD_KEY_LEN)

enum bundle_type {
	BUNDLE_PARTY = 1,
	BUNDLE_ENVELOPE = 2,
	BUNDLE_RECEIPT = 3,
	BUNDLE_DISCLOSURE = 4,
	BUNDLE_CHECKPOINT = 5,
	BUNDLE_INCLUSION = 6,
	BUNDLE_CONSISTENCY = 7,
	BUNDLE_END = 255,
};

/* "party", "envelope", ...; "unknown" for other values. */
const char *bundle_type_name(unsigned type);

/* Index value meaning "none" in the tables and the report. */
#define BUNDLE_NONE ((size_t)-1)

/* Where a record is: its number (from 0) and the offset of its type byte. */
struct bundle_where {
	size_t rec;
	size_t off;
};

struct bundle_party {
	struct bundle_where at;
	const uint8_t *raw; /* the record, borrowed from the input */
	size_t raw_len;
	struct party p;
};

struct bundle_env {
	struct bundle_where at;
	const uint8_t *raw; /* the envelope, borrowed from the input */
	size_t raw_len;
	uint8_t id[HASH_LEN];
	char channel[CODEC_ID_MAX + 1];
	char sender[CODEC_ID_MAX + 1];
	uint64_t seq;
	uint8_t prev[HASH_LEN];
	uint8_t kind, prec, flags, tlp;
	uint64_t time_ms;
	size_t first_ref, n_refs;      /* into bundle.refs */
	size_t first_to, n_recipients; /* into bundle.to */
};

struct bundle_rcpt {
	struct bundle_where at;
	const uint8_t *raw;
	size_t raw_len;
	struct rcpt r;
};

struct bundle_disclosure {
	struct bundle_where at;
	uint8_t env_id[HASH_LEN];
	const uint8_t *key; /* AEAD_KEY_LEN bytes in the input: a secret */
};

struct bundle_checkpoint {
	struct bundle_where at;
	const char *note; /* the signed note, borrowed */
	size_t note_len;
	char party[CODEC_ID_MAX + 1]; /* the log is "parley.transcript/<party>" */
	uint64_t size;
	uint8_t root[HASH_LEN];
};

struct bundle_inclusion {
	struct bundle_where at;
	char party[CODEC_ID_MAX + 1];
	uint64_t size, index;
	const uint8_t *entry; /* the leaf, borrowed */
	size_t entry_len;
	struct entry e; /* parsed entry; its receipt borrows from the input */
	size_t n_hashes;
	const uint8_t (*hashes)[HASH_LEN]; /* borrowed */
};

struct bundle_consistency {
	struct bundle_where at;
	char party[CODEC_ID_MAX + 1];
	uint64_t old_size, new_size;
	size_t n_hashes;
	const uint8_t (*hashes)[HASH_LEN]; /* borrowed */
};

/* A parsed bundle: tables per record type, each in the bundle's order. */
struct bundle_idx;

struct bundle {
	size_t len, n_records; /* bytes and records (END included) */
	size_t n_parties, n_envs, n_rcpts, n_discs, n_cps, n_incls, n_cons;
	struct bundle_party *parties;
	struct bundle_env *envs;
	struct bundle_rcpt *rcpts;
	struct bundle_disclosure *discs;
	struct bundle_checkpoint *cps;
	struct bundle_inclusion *incls;
	struct bundle_consistency *cons;
	/* Envelopes' refs and recipients, in one table each. */
	size_t n_refs, n_to;
	uint8_t (*refs)[HASH_LEN];
	char (*to)[CODEC_ID_MAX + 1];
	struct bundle_idx *env_idx; /* envelopes by id (bundle_env_find) */
};

/*
 * Parse a bundle that fills [p, p+n) exactly.  Checks every length, limit,
 * the order of records and the syntax of each record; no signature.  out
 * borrows from p, which must outlive it.  Reset out with bundle_reset(),
 * also after a failure.
 */
PL_MUST_USE enum pl_err bundle_read(struct bundle *out, const uint8_t *p, size_t n);
void bundle_reset(struct bundle *b);

/* The envelope with this id, or BUNDLE_NONE. */
size_t bundle_env_find(const struct bundle *b, const uint8_t id[static HASH_LEN]);
/* The party record of this id, or BUNDLE_NONE. */
size_t bundle_party_find(const struct bundle *b, const char *id);

/* ------------------------------------------------------------------ */
/* Writing. */

struct bundle_wrec {
	uint8_t type;
	size_t off, len; /* of the record's bytes in the writer's data */
};

struct bundle_writer {
	struct buf data; /* records' bytes (secret: disclosures hold keys) */
	struct bundle_wrec *recs;
	size_t n_recs, cap_recs;
};

void bundle_writer_init(struct bundle_writer *w);
/* Free everything (the data is wiped). */
void bundle_writer_reset(struct bundle_writer *w);

/*
 * Add one record.  Each is checked as the reader would check it (syntax and
 * limits, not signatures) and copied; PL_E_TOOBIG past a limit, PL_E_ARG
 * if it would not read back.  The writer is unchanged on failure.
 */
PL_MUST_USE enum pl_err bundle_writer_add_party(struct bundle_writer *w, const uint8_t *p,
                                                size_t n);
PL_MUST_USE enum pl_err bundle_writer_add_envelope(struct bundle_writer *w, const uint8_t *p,
                                                   size_t n);
PL_MUST_USE enum pl_err bundle_writer_add_receipt(struct bundle_writer *w, const uint8_t *p,
                                                  size_t n);
PL_MUST_USE enum pl_err bundle_writer_add_disclosure(struct bundle_writer *w,
                                                     const uint8_t env_id[static HASH_LEN],
                                                     const uint8_t key[static AEAD_KEY_LEN]);
PL_MUST_USE enum pl_err bundle_writer_add_checkpoint(struct bundle_writer *w, const char *note,
                                                     size_t n);
PL_MUST_USE enum pl_err bundle_writer_add_inclusion(struct bundle_writer *w, const char *party,
                                                    uint64_t size, uint64_t index,
                                                    const uint8_t *entry, size_t entry_len,
                                                    const uint8_t (*hashes)[HASH_LEN],
                                                    size_t n_hashes);
PL_MUST_USE enum pl_err bundle_writer_add_consistency(struct bundle_writer *w, const char *party,
                                                      uint64_t old_size, uint64_t new_size,
                                                      const uint8_t (*hashes)[HASH_LEN],
                                                      size_t n_hashes);

/*
 * Append the bundle (header, records in canonical order, END) to out, which
 * should be a secret buf if disclosures were added.  PL_E_ARG if a record
 * was added twice, PL_E_TOOBIG past BUNDLE_MAX or out->max; out is
 * unchanged on failure.  The writer may be finished again or reset.
 */
PL_MUST_USE enum pl_err bundle_writer_finish(struct bundle_writer *w, struct buf *out);

/* ------------------------------------------------------------------ */
/* Trust policy: the tlog policy lines (proof.h) plus party pins. */

/* Longest fingerprint as typed in a policy (separators allowed). */
#define BUNDLE_FP_TYPED_MAX 80

struct bundle_pin {
	char id[CODEC_ID_MAX + 1];
	char fp[BUNDLE_FP_TYPED_MAX + 1];
};

/*
 * Lines:
 *   party ID FINGERPRINT   pins a party's signing key (docs/protocol.md#fingerprint)
 *   witness VKEY           a trusted witness's cosignature key (proof.h)
 *   quorum K               witnesses that must cosign each checkpoint
 *   log VKEY               a single log's key (for tlog-proofs; in a bundle,
 *                          checked against the party whose transcript it names)
 */
struct bundle_policy {
	struct policy tlog;
	size_t n_pins;
	struct bundle_pin pins[BUNDLE_PARTIES_MAX];
};

void bundle_policy_init(struct bundle_policy *pol);
/* One line (without its newline); lineno for messages. */
PL_MUST_USE enum pl_err bundle_policy_line(struct bundle_policy *pol, const char *line,
                                           size_t lineno);
/* Default quorum (all witnesses), and quorum <= witnesses.  No log key is needed. */
PL_MUST_USE enum pl_err bundle_policy_finish(struct bundle_policy *pol);

/* ------------------------------------------------------------------ */
/* Verification and its report. */

enum bundle_pin_state {
	BUNDLE_UNPINNED = 0, /* not named by the policy: trusted from the bundle only */
	BUNDLE_PINNED = 1,   /* the policy's fingerprint matches */
	BUNDLE_MISMATCH = 2, /* the policy names the party with another fingerprint (a failure) */
};

struct bundle_party_report {
	int ok; /* self-signature verified */
	enum bundle_pin_state pin;
	char fp[PARTY_FP_STR_LEN + 1];
};

struct bundle_env_report {
	int ok;                     /* signed by the sender, and in its chain */
	size_t first_rcpt, n_rcpts; /* receipts for it: bundle.rcpts[first..] */
	size_t first_ack, n_acks;   /* acknowledgements: report.acks[first..] */
	size_t sent_proof;          /* inclusion of its "sent" entry, or BUNDLE_NONE */
	size_t disclosure;          /* bundle.discs index, or BUNDLE_NONE */
};

struct bundle_rcpt_report {
	int ok;                /* signed by the receiver, a recipient of an envelope here */
	size_t env;            /* bundle.envs index, or BUNDLE_NONE */
	size_t received_proof; /* "received" entry in the receiver's log, or BUNDLE_NONE */
	size_t receipt_proof;  /* "receipt" entry in the sender's log, or BUNDLE_NONE */
};

/* An ACK envelope and one envelope it acknowledges. */
struct bundle_ack {
	size_t ack, acked; /* bundle.envs indices */
};

/* A cosignature that verified. */
struct bundle_cosigner {
	char name[NOTE_NAME_MAX + 1];
	uint64_t timestamp; /* seconds */
	int trusted;        /* a policy witness (counts for the quorum) */
};

struct bundle_cp_report {
	int ok;                             /* signed by its log, cosigned by a quorum, no fork */
	size_t n_cosigned;                  /* policy witnesses that cosigned */
	size_t first_cosigner, n_cosigners; /* report.cosigners[first..] */
};

struct bundle_incl_report {
	int ok;
	size_t cp; /* the checkpoint it is under, or BUNDLE_NONE */
};

struct bundle_disc_report {
	int ok;
	struct buf plain; /* the body, when it decrypted (secret buf) */
};

#define BUNDLE_MSG_MAX 384
/* Failures kept with their text; all are counted. */
#define BUNDLE_FAILURES_MAX 1000

struct bundle_failure {
	size_t rec; /* record number, or BUNDLE_NONE for the bundle as a whole */
	char msg[BUNDLE_MSG_MAX];
};

struct bundle_report {
	int has_policy;
	size_t n_discs;                      /* entries of discs, whose plain buffers are owned */
	size_t n_unpinned;                   /* parties trusted from the bundle only */
	size_t quorum, n_witnesses;          /* of the policy */
	struct bundle_party_report *parties; /* one per bundle.parties, and so on */
	struct bundle_env_report *envs;
	struct bundle_rcpt_report *rcpts;
	struct bundle_disc_report *discs;
	struct bundle_cp_report *cps;
	struct bundle_incl_report *incls;
	int *cons_ok;
	size_t n_acks;
	struct bundle_ack *acks;
	size_t n_cosigners;
	struct bundle_cosigner *cosigners;
	size_t n_failures; /* every failure */
	size_t n_kept;     /* failures[0..n_kept) */
	struct bundle_failure *failures;
	size_t n_sigs; /* Ed25519 signatures checked */
};

/*
 * Check everything in b (docs/protocol.md#bundle lists the rules) under pol
 * (NULL: no policy, every party unpinned).  rep is filled in full either
 * way.  PL_OK if nothing failed (rep->n_unpinned may still be non-zero:
 * the caller must say so); PL_E_CRYPTO if anything failed, with the first
 * failure as the error detail and all of them in rep; PL_E_NOMEM.  Reset
 * rep with bundle_report_reset().
 */
PL_MUST_USE enum pl_err bundle_verify(const struct bundle *b, const struct bundle_policy *pol,
                                      struct bundle_report *rep);
void bundle_report_reset(struct bundle_report *rep);

#endif
