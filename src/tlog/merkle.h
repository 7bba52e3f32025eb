/*
 * merkle.h - RFC 9162 Merkle tree hashing and proofs: pure computation, no
 * I/O, no allocation.
 *
 * Trees are read through a subtree source: a callback that returns the hash
 * of the perfect subtree over leaves [index, index + size), size a power of
 * two and index a multiple of size.  A store that keeps those hashes (as
 * RFC 9162 logs and C2SP tlog-tiles do) answers each call from one row, so
 * roots and proofs for any size read O(log n) stored hashes and never the
 * leaves.
 *
 * Sizes and indices are 64-bit throughout: trees beyond 2^32 leaves work.
 */
#ifndef PL_MERKLE_H
#define PL_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "../crypto/hash.h"

/*
 * Longest proof, and the room a caller gives the proof generators.  A tree
 * of up to 2^64 - 1 leaves has at most 64 levels, so an inclusion proof has
 * at most 64 hashes; a consistency proof can have one more, the old tree's
 * last subtree when the walk ends on a leaf after a right turn
 * (2^63 + 1 -> 2^64 - 1 needs 65).
 */
#define MERKLE_PROOF_MAX 65

struct merkle_source {
	/* Hash of the perfect subtree over leaves [index, index + size). */
	enum pl_err (*get)(void *ctx, uint64_t index, uint64_t size, uint8_t out[HASH_LEN]);
	void *ctx;
};

/* SHA-256(0x00 || leaf). */
void merkle_leaf_hash(uint8_t out[static HASH_LEN], const void *leaf, size_t n);
/* SHA-256(0x01 || left || right).  out may be left or right. */
void merkle_node_hash(uint8_t out[static HASH_LEN], const uint8_t left[static HASH_LEN],
                      const uint8_t right[static HASH_LEN]);

/*
 * Root of the tree over n leaf hashes held in memory, computed left to right
 * with a stack of at most 64 hashes (SHA-256("") for n == 0).  PL_E_ARG if
 * leaves is NULL with n > 0 or n does not fit in memory.
 */
PL_MUST_USE enum pl_err merkle_root_from_leaves(uint8_t out[static HASH_LEN],
                                                const uint8_t (*leaves)[HASH_LEN], uint64_t n);

/*
 * The right edge of a tree grown leaf by leaf: the hashes of its perfect
 * subtrees, one per 1 bit of size, largest first.  It is all a reader
 * needs to keep of a log it follows to check, leaf by leaf, that what it
 * was served leads to a signed root.  Start from a zeroed struct.
 */
struct merkle_frontier {
	uint64_t size;
	uint8_t h[64][HASH_LEN];
};

/* Append a leaf hash; PL_E_ARG if the tree is full (2^64 - 1 leaves). */
PL_MUST_USE enum pl_err merkle_frontier_push(struct merkle_frontier *f,
                                             const uint8_t leaf_hash[static HASH_LEN]);
/* Root of the tree so far (SHA-256("") for size 0). */
void merkle_frontier_root(const struct merkle_frontier *f, uint8_t out[static HASH_LEN]);
/* Number of hashes in f->h: the 1 bits of f->size. */
size_t merkle_frontier_len(const struct merkle_frontier *f);

/* Root of a tree of size leaves (SHA-256("") for size 0), from at most 64 reads. */
PL_MUST_USE enum pl_err merkle_root(uint8_t out[static HASH_LEN], const struct merkle_source *src,
                                    uint64_t size);

/*
 * Inclusion proof of leaf index in a tree of size leaves; writes *n hashes
 * into proof, which the caller owns and sizes MERKLE_PROOF_MAX.  PL_E_ARG if
 * index >= size.  On any error *n is 0 and proof is untouched.
 */
PL_MUST_USE enum pl_err merkle_inclusion_proof(uint8_t proof[][HASH_LEN], size_t *n,
                                               const struct merkle_source *src, uint64_t index,
                                               uint64_t size);

/*
 * Consistency proof from size1 to size2 (0 < size1 <= size2); *n hashes into
 * the caller's proof[MERKLE_PROOF_MAX], none when size1 == size2.  PL_E_ARG
 * for other sizes.  On any error *n is 0 and proof is untouched.
 */
PL_MUST_USE enum pl_err merkle_consistency_proof(uint8_t proof[][HASH_LEN], size_t *n,
                                                 const struct merkle_source *src, uint64_t size1,
                                                 uint64_t size2);

/*
 * RFC 9162 2.1.3.2.  PL_E_PROTO if index >= size; PL_E_CRYPTO if the proof
 * has the wrong number of hashes or does not lead to root.
 */
PL_MUST_USE enum pl_err merkle_verify_inclusion(const uint8_t leaf_hash[static HASH_LEN],
                                                uint64_t index, uint64_t size,
                                                const uint8_t proof[][HASH_LEN], size_t n,
                                                const uint8_t root[static HASH_LEN]);

/*
 * Many inclusion proofs under one tree (size, root), checked as
 * merkle_verify_inclusion checks each, with the same answers, but faster
 * when they share a path: the steps of the last proof that verified are
 * kept, and a proof that reaches one of its nodes with the same hash and
 * carries the same hashes from there on is done without hashing the rest.
 * Any difference falls back to the full walk.  About 5 KiB; init first.
 */
struct merkle_incl_cache {
	uint64_t size;
	uint8_t root[HASH_LEN];
	size_t n;                         /* steps of the last proof that verified; 0: none */
	unsigned shift[MERKLE_PROOF_MAX]; /* after step i: the node's level */
	uint64_t fn[MERKLE_PROOF_MAX];    /* its index at that level */
	uint8_t r[MERKLE_PROOF_MAX][HASH_LEN];
	uint8_t proof[MERKLE_PROOF_MAX][HASH_LEN];
};

void merkle_incl_cache_init(struct merkle_incl_cache *c, uint64_t size,
                            const uint8_t root[static HASH_LEN]);
/* merkle_verify_inclusion under c's size and root. */
PL_MUST_USE enum pl_err merkle_verify_inclusion_cached(struct merkle_incl_cache *c,
                                                       const uint8_t leaf_hash[static HASH_LEN],
                                                       uint64_t index,
                                                       const uint8_t proof[][HASH_LEN], size_t n);

/*
 * RFC 9162 2.1.4.2.  PL_E_PROTO unless 0 < size1 <= size2 (a proof from the
 * empty tree proves nothing); PL_E_CRYPTO if the proof has the wrong number
 * of hashes or does not link root1 to root2.  Equal sizes need no hashes and
 * equal roots.
 */
PL_MUST_USE enum pl_err merkle_verify_consistency(uint64_t size1, uint64_t size2,
                                                  const uint8_t proof[][HASH_LEN], size_t n,
                                                  const uint8_t root1[static HASH_LEN],
                                                  const uint8_t root2[static HASH_LEN]);

/*
 * A source over leaf hashes held in memory (tests, small trees, bundles):
 * each get() hashes the subtree, O(size).  src borrows mem, which borrows
 * leaves; both must outlive src's use.
 */
struct merkle_mem {
	const uint8_t (*leaves)[HASH_LEN];
	uint64_t n;
};
void merkle_mem_source(struct merkle_source *src, struct merkle_mem *mem);

#endif
