/*
 * note.h - C2SP signed-note v1: text signed by one or more keys.
 *
 *   <text, ending in a newline>
 *   <blank line>
 *   — <key name> base64(4-byte key ID || signature)
 *   ...
 *
 * Supported signature types: 0x01 Ed25519 over the text, and 0x04
 * timestamped Ed25519 cosignatures (C2SP tlog-cosignature v1, see cosig.h).
 * Signatures from unknown keys are kept but ignored, as the spec requires.
 */
#ifndef PL_NOTE_H
#define PL_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../crypto/keys.h"

/* A checkpoint with 32 cosignatures is under 4 KiB; 64 KiB leaves room and bounds work. */
#define NOTE_MAX 65536
/* The spec requires accepting at least 16 signatures; witnesses quorums are smaller. */
#define NOTE_SIGS_MAX 32
/* Key names: URL-like identifiers ("example.org/log"). */
#define NOTE_NAME_MAX 255
/* Decoded signature bytes we keep: key ID + timestamp + Ed25519 (76); longer ones are ignored. */
#define NOTE_SIG_BYTES_MAX 128

#define NOTE_TYPE_ED25519 0x01
#define NOTE_TYPE_COSIG   0x04

struct note_sig {
	char name[NOTE_NAME_MAX + 1];
	uint32_t key_id;
	size_t len; /* decoded bytes after the key ID; 0 if too long to be one of ours */
	uint8_t sig[NOTE_SIG_BYTES_MAX];
};

struct note {
	const char *text; /* borrowed; includes the final newline */
	size_t text_len;
	size_t n_sigs;
	struct note_sig sigs[NOTE_SIGS_MAX];
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
	int verified;       /* a signature by this key verified */
	uint64_t timestamp; /* for cosignatures: the signed time */
};

/* Parse a signed note from [p, p+n).  out borrows from p. */
PL_MUST_USE enum pl_err note_read(struct note *out, const char *p, size_t n);

/* SHA-256(name || 0x0A || type || pk)[:4], big-endian. */
uint32_t note_key_id(const char *name, uint8_t type, const uint8_t pk[static SIG_PK_LEN]);
/* Build a key from its parts (computing the id); PL_E_ARG on a bad name. */
PL_MUST_USE enum pl_err note_key_make(struct note_key *k, const char *name, uint8_t type,
                                      const uint8_t pk[static SIG_PK_LEN]);
/* Parse a verifier key string; the id must match the key. */
PL_MUST_USE enum pl_err note_key_parse(struct note_key *k, const char *s);
/* Append the verifier key string of k. */
PL_MUST_USE enum pl_err note_key_fmt(struct buf *out, const struct note_key *k);

/*
 * Check the note's signatures against keys[0..n_keys).  A signature whose
 * name and id match a key must verify, or the note is refused; signatures
 * from other keys are ignored; at least one must verify.  seen (n_keys
 * entries, may be NULL) reports which keys signed.
 */
PL_MUST_USE enum pl_err note_verify(const struct note *note, const struct note_key *keys,
                                    size_t n_keys, struct note_seen *seen);

/* Append "— name base64(id || sig)\n" for an Ed25519 (type 0x01) signature of text. */
PL_MUST_USE enum pl_err note_sign(struct buf *out, const char *text, size_t text_len,
                                  const char *name, const struct keys *k);

/* Append a signature line made of name, key id and raw signature bytes. */
PL_MUST_USE enum pl_err note_sig_line(struct buf *out, const char *name, uint32_t key_id,
                                      const uint8_t *sig, size_t sig_len);

/* Check a key name: non-empty, <= NOTE_NAME_MAX, UTF-8, no '+' and no Unicode spaces. */
int note_name_ok(const char *s, size_t n);

#endif
