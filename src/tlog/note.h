/*
 * note.h - C2SP signed-note v1 (c2sp.org/signed-note@v1.0.0): text signed
 * by one or more keys.
 *
 *   <text: UTF-8, no control characters but newline, ends in a newline>
 *   <blank line: a single newline>
 *   — <key name> base64(4-byte big-endian key ID || signature)\n
 *   ...                                    (one or more signature lines)
 *
 * The em dash is U+2014 (E2 80 94).  The text is everything before the
 * last blank line, including its final newline.
 *
 * Supported signature types: 0x01 Ed25519 over the text, and 0x04
 * timestamped Ed25519 cosignatures (c2sp.org/tlog-cosignature, cosig.h).
 * Parse, then verify: note_read checks the syntax of the whole note and
 * keeps every signature line; note_verify checks the signatures of the
 * caller's keys and ignores the others, as the spec requires.
 * docs/internals/note.md documents every function.
 */
#ifndef PL_NOTE_H
#define PL_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../crypto/keys.h"

/*
 * Largest note read, in bytes.  The spec asks verifiers to accept at least
 * 16 signatures and warns that post-quantum ones approach 5 kB (6.7 kB in
 * base64); NOTE_SIGS_MAX of those with long names is about 230 kB.  1 MiB
 * leaves the text room to spare (a checkpoint is under 200 bytes) while
 * bounding the work a hostile note can ask for: every step of note_read is
 * linear in the size, and NOTE_SIGS_MAX bounds the signature checks.
 */
#define NOTE_MAX (1 << 20)
/* SPEC: signed-note "MUST accept at least up to 16 signatures": twice that, for witness quorums. */
#define NOTE_SIGS_MAX 32
/*
 * Longest key name of a known key (struct note_key).  The spec sets no
 * limit; a signature line with a longer name is kept as an unknown
 * signature (name_len > NOTE_NAME_MAX, name ""), never matched and never
 * an error.  255 bytes hold any DNS name plus a path.
 */
#define NOTE_NAME_MAX 255
/*
 * Signature bytes after the key ID that a struct note_sig stores: enough
 * for the longest type we verify (cosignature, 8 + 64).  Longer ones
 * (post-quantum types) are checked for well-formed base64 and kept with
 * len == 0, which no key we support accepts.
 */
#define NOTE_SIG_BYTES_MAX 128

#define NOTE_TYPE_ED25519 0x01 /* signed-note: Ed25519 over the text */
#define NOTE_TYPE_COSIG   0x04 /* tlog-cosignature v1: timestamped Ed25519 */

struct note_sig {
	char name[NOTE_NAME_MAX + 1]; /* "" when name_len > NOTE_NAME_MAX */
	size_t name_len;              /* length of the name in the note */
	uint32_t key_id;
	size_t len; /* decoded bytes after the key ID; 0 if more than NOTE_SIG_BYTES_MAX */
	uint8_t sig[NOTE_SIG_BYTES_MAX];
};

struct note {
	const char *text; /* borrowed from the input; includes the final newline */
	size_t text_len;
	size_t n_sigs;
	struct note_sig sigs[NOTE_SIGS_MAX]; /* in the order of the note */
};

/* A verifier key: "name+hexid+base64(type || public key)". */
struct note_key {
	char name[NOTE_NAME_MAX + 1];
	uint32_t id;
	uint8_t type; /* NOTE_TYPE_ED25519 or NOTE_TYPE_COSIG */
	uint8_t pk[SIG_PK_LEN];
};

/* What note_verify found for each key it was given. */
struct note_seen {
	int verified;       /* at least one signature by this key, and all of them verified */
	uint64_t timestamp; /* cosignature keys: the latest signed time; else 0 */
};

/*
 * Parse the signed note [p, p+n).  out borrows the text from p, so p must
 * outlive out.  PL_E_TOOBIG beyond NOTE_MAX bytes or NOTE_SIGS_MAX
 * signatures, PL_E_PROTO for any other fault; out is then unusable.
 */
PL_MUST_USE enum pl_err note_read(struct note *out, const char *p, size_t n);

/*
 * Check the note's signatures against keys[0..n_keys).  A signature whose
 * name and key ID both match a key must verify, or the whole note is
 * refused (PL_E_CRYPTO); signatures of other keys are ignored; at least
 * one must verify (PL_E_CRYPTO otherwise).  seen (n_keys entries, may be
 * NULL) reports which keys signed; it is filled on success only.
 */
PL_MUST_USE enum pl_err note_verify(const struct note *note, const struct note_key *keys,
                                    size_t n_keys, struct note_seen *seen);

/* SHA-256(name || 0x0A || type || pk)[:4], big-endian. */
uint32_t note_key_id(const char *name, uint8_t type, const uint8_t pk[static SIG_PK_LEN]);
/* Build a key from its parts, computing the ID; PL_E_ARG on a bad name or type. */
PL_MUST_USE enum pl_err note_key_make(struct note_key *k, const char *name, uint8_t type,
                                      const uint8_t pk[static SIG_PK_LEN]);
/* Parse a verifier key string; PL_E_PROTO unless well formed with an ID that matches the key. */
PL_MUST_USE enum pl_err note_key_parse(struct note_key *k, const char *s);
/* Append the verifier key string of k (no newline, no NUL). */
PL_MUST_USE enum pl_err note_key_fmt(struct buf *out, const struct note_key *k);

/*
 * Append "— name base64(id || sig)\n" for an Ed25519 (type 0x01) signature
 * of text by k.  text must be a valid note text (UTF-8, no control
 * characters but newline, ends in a newline); PL_E_ARG otherwise.  The
 * caller writes the text and the blank line before the signature lines.
 */
PL_MUST_USE enum pl_err note_sign(struct buf *out, const char *text, size_t text_len,
                                  const char *name, const struct keys *k);

/* Append a signature line made of name, key ID and 1..NOTE_SIG_BYTES_MAX signature bytes. */
PL_MUST_USE enum pl_err note_sig_line(struct buf *out, const char *name, uint32_t key_id,
                                      const uint8_t *sig, size_t sig_len);

/* 1 if text [p, p+n) may be the text of a signed note. */
int note_text_ok(const char *p, size_t n);

/* 1 if [s, s+n) is a key name we can hold: 1..NOTE_NAME_MAX bytes, UTF-8, no C0 control, no Unicode space, no '+'. */
int note_name_ok(const char *s, size_t n);

#endif
