/*
 * merkle.c - RFC 9162 section 2.1, with proofs built from perfect subtrees.
 *
 * Why O(log n) reads: in PATH and SUBPROOF (RFC 9162 2.1.3.1, 2.1.4.1) the
 * sibling taken when descending to the right is always a perfect subtree
 * (one read), and once the walk descends to the left every later subtree is
 * perfect too; so at most two siblings are imperfect, and an imperfect
 * subtree's hash is assembled from at most 64 perfect ones.
 */
#include <stdint.h>
#include <string.h>

#include "merkle.h"

void
merkle_leaf_hash(uint8_t out[static HASH_LEN], const void *leaf, size_t n)
{
	static const uint8_t prefix = 0x00; /* SPEC: RFC9162 2.1.1 leaf prefix */
	struct hash_ctx c;

	hash_init(&c);
	hash_update(&c, &prefix, 1);
	hash_update(&c, leaf, n);
	hash_final(&c, out);
}

void
merkle_node_hash(uint8_t out[static HASH_LEN], const uint8_t left[static HASH_LEN],
                 const uint8_t right[static HASH_LEN])
{
	static const uint8_t prefix = 0x01; /* SPEC: RFC9162 2.1.1 node prefix */
	struct hash_ctx c;

	hash_init(&c);
	hash_update(&c, &prefix, 1);
	hash_update(&c, left, HASH_LEN);
	hash_update(&c, right, HASH_LEN);
	hash_final(&c, out);
}

/* Largest power of two strictly less than n (n >= 2): RFC 9162's k. */
static uint64_t
split(uint64_t n)
{
	uint64_t k = 1;

	while (k < n - k)
		k <<= 1;
	return k;
}

static int
is_pow2(uint64_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

size_t
merkle_frontier_len(const struct merkle_frontier *f)
{
	size_t n = 0;
	uint64_t s;

	for (s = f->size; s != 0; s &= s - 1)
		n++;
	return n;
}

enum pl_err
merkle_frontier_push(struct merkle_frontier *f, const uint8_t leaf_hash[static HASH_LEN])
{
	size_t top = merkle_frontier_len(f);
	uint8_t h[HASH_LEN];
	uint64_t j;

	if (f->size == UINT64_MAX)
		return pl_errf(PL_E_ARG, "merkle: a tree of 2^64 - 1 leaves is full");
	memcpy(h, leaf_hash, HASH_LEN);
	/* The new leaf completes one perfect subtree per trailing 1 bit of size. */
	for (j = f->size; j & 1; j >>= 1)
		merkle_node_hash(h, f->h[--top], h);
	memcpy(f->h[top], h, HASH_LEN);
	f->size++;
	return PL_OK;
}

void
merkle_frontier_root(const struct merkle_frontier *f, uint8_t out[static HASH_LEN])
{
	size_t top = merkle_frontier_len(f);

	if (top == 0) {
		hash_sha256(out, "", 0); /* SPEC: RFC9162 2.1.1 MTH({}) = SHA-256() */
		return;
	}
	/* SPEC: RFC9162 2.1.1 MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n])), folded from the right. */
	memcpy(out, f->h[top - 1], HASH_LEN);
	while (top-- > 1)
		merkle_node_hash(out, f->h[top - 1], out);
}

enum pl_err
merkle_root_from_leaves(uint8_t out[static HASH_LEN], const uint8_t (*leaves)[HASH_LEN], uint64_t n)
{
	struct merkle_frontier f;
	uint64_t i;

	if (n > 0 && (leaves == NULL || n > SIZE_MAX / HASH_LEN))
		return pl_errf(PL_E_ARG, "merkle: no array of %llu leaf hashes",
		               (unsigned long long)n);
	f.size = 0;
	for (i = 0; i < n; i++)
		PL_TRY(merkle_frontier_push(&f, leaves[i]));
	merkle_frontier_root(&f, out);
	return PL_OK;
}

/*
 * Hash of the (possibly imperfect) subtree over [start, start + n): its
 * perfect parts from left to right, folded from the right.  start is
 * aligned to the largest part, as every subtree in RFC 9162's recursion is.
 */
static enum pl_err
range_hash(uint8_t out[static HASH_LEN], const struct merkle_source *src, uint64_t start,
           uint64_t n)
{
	uint8_t parts[64][HASH_LEN];
	size_t np = 0;
	uint64_t at = start, bit;

	if (n == 0)
		return pl_errf(PL_E_STATE, "merkle: empty subtree");
	for (bit = (uint64_t)1 << 63; bit != 0; bit >>= 1) {
		if (n & bit) {
			PL_TRY(src->get(src->ctx, at, bit, parts[np]));
			np++;
			at += bit;
		}
	}
	memcpy(out, parts[np - 1], HASH_LEN);
	while (np-- > 1)
		merkle_node_hash(out, parts[np - 1], out);
	return PL_OK;
}

enum pl_err
merkle_root(uint8_t out[static HASH_LEN], const struct merkle_source *src, uint64_t size)
{
	if (size == 0) {
		hash_sha256(out, "", 0); /* SPEC: RFC9162 2.1.1 MTH({}) = SHA-256() */
		return PL_OK;
	}
	return range_hash(out, src, 0, size);
}

enum pl_err
merkle_inclusion_proof(uint8_t proof[][HASH_LEN], size_t *n, const struct merkle_source *src,
                       uint64_t index, uint64_t size)
{
	uint8_t tmp[MERKLE_PROOF_MAX][HASH_LEN];
	uint64_t start = 0, len = size, m = index, k;
	size_t depth = 0, i;

	*n = 0;
	if (index >= size)
		return pl_errf(PL_E_ARG, "merkle: leaf %llu is not in a tree of %llu",
		               (unsigned long long)index, (unsigned long long)size);
	/* SPEC: RFC9162 2.1.3.1 PATH(m, D[n]), walked from the root; siblings collected top-down. */
	while (len > 1) {
		k = split(len);
		if (m < k) {
			PL_TRY(range_hash(tmp[depth], src, start + k, len - k));
			len = k;
		} else {
			PL_TRY(src->get(src->ctx, start, k, tmp[depth]));
			start += k;
			m -= k;
			len -= k;
		}
		depth++;
	}
	/* The proof lists siblings from the leaf upwards. */
	for (i = 0; i < depth; i++)
		memcpy(proof[i], tmp[depth - 1 - i], HASH_LEN);
	*n = depth;
	return PL_OK;
}

enum pl_err
merkle_consistency_proof(uint8_t proof[][HASH_LEN], size_t *n, const struct merkle_source *src,
                         uint64_t size1, uint64_t size2)
{
	/* At most one hash per level (64) plus the final one: MERKLE_PROOF_MAX. */
	uint8_t tmp[MERKLE_PROOF_MAX][HASH_LEN];
	uint64_t start = 0, len = size2, m = size1, k;
	size_t depth = 0, i;
	int b = 1;

	*n = 0;
	if (size1 == 0 || size1 > size2)
		return pl_errf(PL_E_ARG, "merkle: no consistency proof from %llu to %llu",
		               (unsigned long long)size1, (unsigned long long)size2);
	if (size1 == size2)
		return PL_OK;
	/* SPEC: RFC9162 2.1.4.1 SUBPROOF(m, D[n], b), walked from the root. */
	for (;;) {
		if (m == len) {
			if (!b)
				PL_TRY(range_hash(tmp[depth++], src, start, len));
			break;
		}
		k = split(len);
		if (m <= k) {
			PL_TRY(range_hash(tmp[depth++], src, start + k, len - k));
			len = k;
		} else {
			PL_TRY(src->get(src->ctx, start, k, tmp[depth++]));
			start += k;
			m -= k;
			len -= k;
			b = 0;
		}
	}
	for (i = 0; i < depth; i++)
		memcpy(proof[i], tmp[depth - 1 - i], HASH_LEN);
	*n = depth;
	return PL_OK;
}

void
merkle_incl_cache_init(struct merkle_incl_cache *c, uint64_t size,
                       const uint8_t root[static HASH_LEN])
{
	c->size = size;
	memcpy(c->root, root, HASH_LEN);
	c->n = 0;
}

/*
 * Step i of the cached proof that is node (shift, fn), or SIZE_MAX.  Levels
 * only grow along a path, so *k walks forward once per proof.
 */
static size_t
cached_step(const struct merkle_incl_cache *c, size_t *k, unsigned shift, uint64_t fn)
{
	while (*k < c->n && c->shift[*k] < shift)
		(*k)++;
	return *k < c->n && c->shift[*k] == shift && c->fn[*k] == fn ? *k : SIZE_MAX;
}

enum pl_err
merkle_verify_inclusion_cached(struct merkle_incl_cache *c,
                               const uint8_t leaf_hash[static HASH_LEN], uint64_t index,
                               const uint8_t proof[][HASH_LEN], size_t n)
{
	uint8_t r[MERKLE_PROOF_MAX][HASH_LEN], cur[HASH_LEN];
	unsigned shift[MERKLE_PROOF_MAX], sh = 0;
	uint64_t fn = index, sn, fns[MERKLE_PROOF_MAX];
	size_t i, j, k = 0;
	int use_cache = c->n > 0;

	/* SPEC: RFC9162 2.1.3.2 step 1; each step's node is kept for the cache */
	if (index >= c->size)
		return pl_errf(PL_E_PROTO, "inclusion proof: index %llu >= tree size %llu",
		               (unsigned long long)index, (unsigned long long)c->size);
	if (n > MERKLE_PROOF_MAX)
		return pl_errf(PL_E_CRYPTO, "inclusion proof: %zu hashes, too many", n);
	sn = c->size - 1;
	memcpy(cur, leaf_hash, HASH_LEN);
	for (i = 0; i < n; i++) {
		/* SPEC: RFC9162 2.1.3.2 step 3 */
		if (sn == 0)
			return pl_errf(PL_E_CRYPTO, "inclusion proof: %zu hashes, too many", n);
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(cur, proof[i], cur);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
				sh++;
			}
		} else {
			merkle_node_hash(cur, cur, proof[i]);
		}
		fn >>= 1;
		sn >>= 1;
		sh++;
		memcpy(r[i], cur, HASH_LEN);
		shift[i] = sh;
		fns[i] = fn;
		if (!use_cache || (j = cached_step(c, &k, sh, fn)) == SIZE_MAX)
			continue;
		/* The node a verified proof went through: the same hash and the same way up? */
		if (memcmp(cur, c->r[j], HASH_LEN) != 0 || n - i != c->n - j ||
		    (n - i - 1 > 0 &&
		     memcmp(proof[i + 1], c->proof[j + 1], (n - i - 1) * HASH_LEN) != 0)) {
			use_cache = 0; /* something differs: the full walk decides */
			continue;
		}
		/* Done; the cache keeps our path up to here and the shared one above. */
		memmove(c->shift + i + 1, c->shift + j + 1, (n - i - 1) * sizeof(c->shift[0]));
		memmove(c->fn + i + 1, c->fn + j + 1, (n - i - 1) * sizeof(c->fn[0]));
		memmove(c->r[i + 1], c->r[j + 1], (n - i - 1) * HASH_LEN);
		memcpy(c->shift, shift, (i + 1) * sizeof(shift[0]));
		memcpy(c->fn, fns, (i + 1) * sizeof(fns[0]));
		memcpy(c->r, r, (i + 1) * HASH_LEN);
		memcpy(c->proof, proof, n * HASH_LEN);
		c->n = n;
		return PL_OK;
	}
	/* SPEC: RFC9162 2.1.3.2 step 4 */
	if (sn != 0)
		return pl_errf(PL_E_CRYPTO, "inclusion proof: %zu hashes, too few", n);
	if (memcmp(cur, c->root, HASH_LEN) != 0)
		return pl_errf(PL_E_CRYPTO, "inclusion proof: leaf %llu does not lead to the root",
		               (unsigned long long)index);
	memcpy(c->shift, shift, n * sizeof(shift[0]));
	memcpy(c->fn, fns, n * sizeof(fns[0]));
	memcpy(c->r, r, n * HASH_LEN);
	memcpy(c->proof, proof, n * HASH_LEN);
	c->n = n;
	return PL_OK;
}

enum pl_err
merkle_verify_inclusion(const uint8_t leaf_hash[static HASH_LEN], uint64_t index, uint64_t size,
                        const uint8_t proof[][HASH_LEN], size_t n,
                        const uint8_t root[static HASH_LEN])
{
	struct merkle_incl_cache c; /* empty: the full walk */

	merkle_incl_cache_init(&c, size, root);
	return merkle_verify_inclusion_cached(&c, leaf_hash, index, proof, n);
}

enum pl_err
merkle_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t proof[][HASH_LEN], size_t n,
                          const uint8_t root1[static HASH_LEN],
                          const uint8_t root2[static HASH_LEN])
{
	uint8_t fr[HASH_LEN], sr[HASH_LEN];
	uint64_t fn, sn;
	size_t i = 0;

	/* A proof from the empty tree proves nothing (testdata: always an error). */
	if (size1 == 0 || size1 > size2)
		return pl_errf(PL_E_PROTO, "consistency proof: sizes %llu -> %llu",
		               (unsigned long long)size1, (unsigned long long)size2);
	if (size1 == size2) {
		if (n != 0)
			return pl_errf(PL_E_CRYPTO,
			               "consistency proof: %zu hashes for equal sizes %llu, want 0",
			               n, (unsigned long long)size1);
		if (memcmp(root1, root2, HASH_LEN) != 0)
			return pl_errf(PL_E_CRYPTO,
			               "consistency proof: different roots for one size %llu",
			               (unsigned long long)size1);
		return PL_OK;
	}
	/* SPEC: RFC9162 2.1.4.2 step 1 */
	if (n == 0)
		return pl_errf(PL_E_CRYPTO, "consistency proof: empty");
	fn = size1 - 1;
	sn = size2 - 1;
	/* SPEC: RFC9162 2.1.4.2 step 2: a power-of-two first tree is its own first node. */
	if (is_pow2(size1)) {
		memcpy(fr, root1, HASH_LEN);
	} else {
		memcpy(fr, proof[0], HASH_LEN);
		i = 1;
	}
	memcpy(sr, fr, HASH_LEN);
	/* SPEC: RFC9162 2.1.4.2 step 4 */
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	/* SPEC: RFC9162 2.1.4.2 step 6 */
	for (; i < n; i++) {
		if (sn == 0)
			return pl_errf(PL_E_CRYPTO, "consistency proof: %zu hashes, too many", n);
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(fr, proof[i], fr);
			merkle_node_hash(sr, proof[i], sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(sr, sr, proof[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	/* SPEC: RFC9162 2.1.4.2 step 7 */
	if (sn != 0)
		return pl_errf(PL_E_CRYPTO, "consistency proof: %zu hashes, too few", n);
	if (memcmp(fr, root1, HASH_LEN) != 0)
		return pl_errf(PL_E_CRYPTO, "consistency proof: does not lead to the old root");
	if (memcmp(sr, root2, HASH_LEN) != 0)
		return pl_errf(PL_E_CRYPTO, "consistency proof: does not lead to the new root");
	return PL_OK;
}

static enum pl_err
mem_get(void *ctx, uint64_t index, uint64_t size, uint8_t out[HASH_LEN])
{
	const struct merkle_mem *m = ctx;

	if (size == 0 || index > m->n || size > m->n - index || !is_pow2(size) || index % size != 0)
		return pl_errf(PL_E_STATE, "merkle: no subtree [%llu, +%llu) in %llu leaves",
		               (unsigned long long)index, (unsigned long long)size,
		               (unsigned long long)m->n);
	return merkle_root_from_leaves(out, m->leaves + index, size);
}

void
merkle_mem_source(struct merkle_source *src, struct merkle_mem *mem)
{
	src->get = mem_get;
	src->ctx = mem;
}
