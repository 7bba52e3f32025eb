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

/* Longest proof: one hash per level of a tree of 2^64 - 1 leaves (two for consistency's first). */
#define MERKLE_PROOF_MAX 64

struct merkle_source {
	/* Hash of the perfect subtree over leaves [index, index + size). */
	enum pl_err (*get)(void *ctx, uint64_t index, uint64_t size, uint8_t out[HASH_LEN]);
	void *ctx;
};

/* SHA-256(0x00 || leaf). */
void merkle_leaf_hash(uint8_t out[static HASH_LEN], const void *leaf, size_t n);
/* SHA-256(0x01 || left || right). */
void merkle_node_hash(uint8_t out[static HASH_LEN], const uint8_t left[static HASH_LEN],
                      const uint8_t right[static HASH_LEN]);

/* Root of a tree of size leaves (SHA-256("") for size 0). */
PL_MUST_USE enum pl_err merkle_root(uint8_t out[static HASH_LEN], const struct merkle_source *src,
                                    uint64_t size);

/*
 * Inclusion proof of leaf index in a tree of size leaves; writes *n hashes
 * into proof (room for MERKLE_PROOF_MAX).  PL_E_ARG if index >= size.
 */
PL_MUST_USE enum pl_err merkle_inclusion_proof(uint8_t proof[][HASH_LEN], size_t *n,
                                               const struct merkle_source *src, uint64_t index,
                                               uint64_t size);

/*
 * Consistency proof from size1 to size2 (0 < size1 <= size2); *n hashes,
 * none when size1 == size2.
 */
PL_MUST_USE enum pl_err merkle_consistency_proof(uint8_t proof[][HASH_LEN], size_t *n,
                                                 const struct merkle_source *src, uint64_t size1,
                                                 uint64_t size2);

/* RFC 9162 2.1.3.2.  PL_E_CRYPTO if the proof does not lead to root. */
PL_MUST_USE enum pl_err merkle_verify_inclusion(const uint8_t leaf_hash[static HASH_LEN],
                                                uint64_t index, uint64_t size,
                                                const uint8_t proof[][HASH_LEN], size_t n,
                                                const uint8_t root[static HASH_LEN]);

/* RFC 9162 2.1.4.2.  PL_E_CRYPTO if the proof does not link root1 to root2. */
PL_MUST_USE enum pl_err merkle_verify_consistency(uint64_t size1, uint64_t size2,
                                                  const uint8_t proof[][HASH_LEN], size_t n,
                                                  const uint8_t root1[static HASH_LEN],
                                                  const uint8_t root2[static HASH_LEN]);

/*
 * A source over leaf hashes held in memory (tests, small trees, bundles):
 * each get() hashes the subtree, O(size).
 */
struct merkle_mem {
	const uint8_t (*leaves)[HASH_LEN];
	uint64_t n;
};
void merkle_mem_source(struct merkle_source *src, struct merkle_mem *mem);

#endif
