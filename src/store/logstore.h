/*
 * logstore.h - a node's transcript on disk: an append-only RFC 9162 Merkle
 * log in SQLite, with its signed checkpoints.
 *
 * Every complete subtree's hash is stored, grouped in tiles of six levels
 * (logstore.c), so an append writes O(1) amortised hashes, and a root or
 * proof for any past size reads O(log n) hashes: a proof at most two rows.  Appends of many entries share one transaction
 * and so one fsync (WAL, synchronous=FULL): when logstore_append returns
 * PL_OK the entries are on disk.
 *
 * A struct logstore is one SQLite connection: use it from one thread at a
 * time.  The node's store attaches it to its own connection
 * (logstore_attach) so that an envelope and its transcript entry commit
 * together.
 */
#ifndef PL_LOGSTORE_H
#define PL_LOGSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../tlog/merkle.h"
#include "../tlog/note.h"

/* An entry is an id and what is needed to check it, never a body: small. */
#define LOGSTORE_ENTRY_MAX 65536

struct logstore;

/* Open or create the log at path.  Caller closes with logstore_close. */
PL_MUST_USE enum pl_err logstore_open(struct logstore **out, const char *path);
void logstore_close(struct logstore *ls);

/*
 * Use a connection the caller owns (the node's store keeps the log's tables
 * in its own database).  Appends then run inside the caller's transaction,
 * in a savepoint, and count as durable only when the caller commits.  If the
 * caller rolls back after an append, it must call logstore_reload, or the
 * in-memory size and hashes run ahead of the disk.  logstore_close leaves
 * the connection open.
 */
struct sqlite3;
PL_MUST_USE enum pl_err logstore_attach(struct logstore **out, struct sqlite3 *db);

/*
 * Catch up with the database: size, right edge and upper levels (another
 * connection appended, or the caller rolled back an append).  One query
 * when nothing changed.
 */
PL_MUST_USE enum pl_err logstore_reload(struct logstore *ls);

PL_MUST_USE enum pl_err logstore_size(struct logstore *ls, uint64_t *size);

/*
 * Append n entries in one transaction; *first receives the index of the
 * first.  On failure nothing is appended.
 */
PL_MUST_USE enum pl_err logstore_append(struct logstore *ls, const uint8_t *const *entries,
                                        const size_t *lens, size_t n, uint64_t *first);

/* Copy entry index into out. */
PL_MUST_USE enum pl_err logstore_entry(struct logstore *ls, uint64_t index, struct buf *out);

/*
 * Root at a past size, and inclusion and consistency proofs (merkle.h
 * semantics; proof sized MERKLE_PROOF_MAX).  Each reads one consistent
 * state of the log: inside the caller's transaction if one is open, else
 * in a read transaction of its own, caught up with other connections.
 */
PL_MUST_USE enum pl_err logstore_root(struct logstore *ls, uint64_t size, uint8_t root[HASH_LEN]);
PL_MUST_USE enum pl_err logstore_inclusion(struct logstore *ls, uint64_t index, uint64_t size,
                                           uint8_t proof[][HASH_LEN], size_t *n);
PL_MUST_USE enum pl_err logstore_consistency(struct logstore *ls, uint64_t old, uint64_t size,
                                             uint8_t proof[][HASH_LEN], size_t *n);

/*
 * Append the count hashes at level (subtrees of 2^level leaves) from index
 * start on, as C2SP tlog-tiles serves them: every one must be complete in
 * the tree of size leaves (size <= the log's size), PL_E_ARG otherwise.
 * Reads one consistent state, like the proofs.
 */
PL_MUST_USE enum pl_err logstore_hashes(struct logstore *ls, unsigned level, uint64_t start,
                                        size_t count, uint64_t size, struct buf *out);

/*
 * Append entries [start, start + count), each as a 2-byte big-endian length
 * and its bytes (a C2SP tlog-tiles entry bundle).  PL_E_ARG past the log's
 * size or for an entry over 65535 bytes.
 */
PL_MUST_USE enum pl_err logstore_entries(struct logstore *ls, uint64_t start, size_t count,
                                         struct buf *out);

/* A subtree source over the stored hashes, for the log's own checks and tests. */
void logstore_source(struct logstore *ls, struct merkle_source *src);

/* Store a signed checkpoint (its note bytes) for size, after checking it. */
PL_MUST_USE enum pl_err logstore_checkpoint_put(struct logstore *ls, const char *note, size_t n,
                                                const struct note_key *log_key);
/* The latest stored checkpoint; *size 0 and out empty if none. */
PL_MUST_USE enum pl_err logstore_checkpoint_last(struct logstore *ls, uint64_t *size,
                                                 struct buf *out);

/*
 * On open: the latest checkpoint must be signed by log_key, and the stored
 * tree at its size must have its root.  O(log n): this checks the stored
 * subtrees that make up that root; a hash altered deeper inside one is
 * found by logstore_verify_all, and any proof built on it fails to verify
 * against the signed root.  PL_E_STORE saying what differs.
 */
PL_MUST_USE enum pl_err logstore_check(struct logstore *ls, const struct note_key *log_key);

/*
 * Recompute every stored hash from the entries and compare: PL_E_STORE
 * naming the first corrupted leaf or node (level and index).  O(n); calls
 * progress(done, total, ctx) now and then when given.
 */
PL_MUST_USE enum pl_err
logstore_verify_all(struct logstore *ls, void (*progress)(uint64_t, uint64_t, void *), void *ctx);

#endif
