/*
 * test_merkle.c - RFC 9162 hashing and proofs.
 *
 * Every probe in tests/vectors/rfc6962-merkle (196 files, valid and
 * invalid) runs as its own test; the reference tree of
 * tests/vectors/signed-note/generated-vectors.json checks roots and that our
 * generated proofs equal the published ones byte for byte; synthetic trees
 * of 2^40 + 3 and 2^64 - 1 leaves check 64-bit sizes, the longest proofs
 * and the O(log n) read bound.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "crypto/cr.h"
#include "tlog/merkle.h"

#define VEC_DIR   "tests/vectors/rfc6962-merkle"
#define TREE_VEC  "tests/vectors/signed-note/generated-vectors.json"
#define MAX_CASES 256

/*
 * Strict RFC 4648 section 4 base64 (padding required, no whitespace, pad bits
 * zero); returns the decoded length or -1.  libsodium has one, but only
 * src/crypto may use libsodium.
 */
static long
b64(uint8_t *out, size_t cap, const char *s)
{
	static const char tbl[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), i, o = 0;
	uint32_t acc = 0;
	int pad = 0;

	if (n % 4 != 0)
		return -1;
	for (i = 0; i < n; i++) {
		const char *p = strchr(tbl, s[i]);
		uint32_t v;

		if (s[i] == '=' && i >= n - 2) {
			pad++;
			v = 0;
		} else if (p == NULL || s[i] == '\0' || pad) {
			return -1;
		} else {
			v = (uint32_t)(p - tbl);
		}
		acc = acc << 6 | v;
		if (i % 4 == 3) {
			uint8_t t[3] = { (uint8_t)(acc >> 16), (uint8_t)(acc >> 8), (uint8_t)acc };
			size_t k, take = 3 - (size_t)(i == n - 1 ? pad : 0);

			for (k = 0; k < take; k++) {
				if (o == cap)
					return -1;
				out[o++] = t[k];
			}
			for (; k < 3; k++) {
				if (t[k] != 0)
					return -1; /* RFC 4648 3.5: non-zero pad bits */
			}
			acc = 0;
		}
	}
	return (long)o;
}

/* A 32-byte hash from JSON; 0 if absent, null or not exactly 32 bytes ("must fail"). */
static int
json_hash(uint8_t out[HASH_LEN], json_t *v)
{
	uint8_t tmp[128];

	if (!json_is_string(v))
		return 0;
	return b64(tmp, sizeof(tmp), json_string_value(v)) == HASH_LEN &&
	       (memcpy(out, tmp, HASH_LEN), 1);
}

struct probe {
	char path[512];
	int inclusion;
};

static struct probe probes[MAX_CASES];
static struct CMUnitTest cases[MAX_CASES + 8];
static size_t n_probes;

/*
 * Read the whole probe, take its size and index fields with strtoull (some
 * are 2^64 - 1, beyond jansson's signed integers), blank them in the text,
 * and parse the rest with jansson.
 */
static json_t *
load_probe(const char *path, uint64_t nums[2], const char *k1, const char *k2)
{
	static char text[1 << 16];
	const char *keys[2] = { k1, k2 };
	json_error_t jerr;
	FILE *f = fopen(path, "r");
	size_t len;
	json_t *j;
	int i;

	if (f == NULL)
		fail_msg("%s: cannot open", path);
	len = fread(text, 1, sizeof(text) - 1, f);
	(void)fclose(f);
	text[len] = '\0';
	for (i = 0; i < 2; i++) {
		char *p = strstr(text, keys[i]), *end;

		if (p == NULL || (p = strchr(p, ':')) == NULL)
			fail_msg("%s: no %s", path, keys[i]);
		p++;
		while (*p == ' ')
			p++;
		nums[i] = strtoull(p, &end, 10);
		if (end == p)
			fail_msg("%s: %s is not a number", path, keys[i]);
		*p++ = '0';
		while (p < end)
			*p++ = ' ';
	}
	if ((j = json_loads(text, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		fail_msg("%s: %s", path, jerr.text);
	return j;
}

static void
run_probe(void **state)
{
	const struct probe *p = *state;
	uint8_t root1[HASH_LEN], root2[HASH_LEN], leaf[HASH_LEN];
	uint8_t proof[MERKLE_PROOF_MAX + 2][HASH_LEN];
	uint64_t nums[2];
	json_t *j = p->inclusion ? load_probe(p->path, nums, "\"leafIdx\"", "\"treeSize\"")
	                         : load_probe(p->path, nums, "\"size1\"", "\"size2\""),
	       *pr;
	int well_formed = 1, want_err, got_err;
	size_t n = 0, i;

	want_err = json_is_true(json_object_get(j, "wantErr"));
	/* See tests/vectors/rfc6962-merkle/ORIGIN.md: 12-byte "roots" are refused here. */
	if (strstr(p->path, "sizes-are-equal-one-and-proof-is-empty") != NULL)
		want_err = 1;
	pr = json_object_get(j, "proof");
	if (json_is_array(pr)) {
		if (json_array_size(pr) > MERKLE_PROOF_MAX + 2)
			well_formed = 0;
		for (i = 0; well_formed && i < json_array_size(pr); i++)
			well_formed = json_hash(proof[n++], json_array_get(pr, i));
	} else if (!json_is_null(pr) && pr != NULL) {
		well_formed = 0;
	}
	if (p->inclusion) {
		well_formed = well_formed && json_hash(root1, json_object_get(j, "root")) &&
		              json_hash(leaf, json_object_get(j, "leafHash"));
		got_err = !well_formed ||
		          merkle_verify_inclusion(leaf, nums[0], nums[1], proof, n, root1) != PL_OK;
	} else {
		well_formed = well_formed && json_hash(root1, json_object_get(j, "root1")) &&
		              json_hash(root2, json_object_get(j, "root2"));
		got_err = !well_formed || merkle_verify_consistency(nums[0], nums[1], proof, n,
		                                                    root1, root2) != PL_OK;
	}
	json_decref(j);
	if (got_err != want_err)
		fail_msg("%s: want %s, got %s (%s)", p->path, want_err ? "error" : "success",
		         got_err ? "error" : "success", pl_err_msg());
}

static int
probe_cmp(const void *a, const void *b)
{
	return strcmp(((const struct probe *)a)->path, ((const struct probe *)b)->path);
}

static void
scan(const char *dir, int inclusion)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char sub[512];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		(void)snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
			assert_true(n_probes < MAX_CASES);
			(void)snprintf(probes[n_probes].path, sizeof(probes[n_probes].path), "%s",
			               sub);
			probes[n_probes].inclusion = inclusion;
			n_probes++;
		} else {
			scan(sub, inclusion);
		}
	}
	(void)closedir(d);
}

/* ---- The reference tree. ---- */

static void
hex32(uint8_t out[HASH_LEN], json_t *v)
{
	assert_true(json_is_string(v));
	assert_int_equal(cr_unhex(out, HASH_LEN, json_string_value(v)), PL_OK);
}

static void
test_reference_tree(void **state)
{
	uint8_t leaves[8][HASH_LEN], want[HASH_LEN], got[HASH_LEN], leafbuf[64];
	uint8_t proof[MERKLE_PROOF_MAX][HASH_LEN];
	struct merkle_source src;
	struct merkle_mem mem = { (const uint8_t(*)[HASH_LEN])leaves, 8 };
	json_error_t jerr;
	json_t *j = json_load_file(TREE_VEC, 0, &jerr), *t, *v;
	const char *key;
	size_t i, n;

	(void)state;
	if (j == NULL)
		fail_msg("%s: %s", TREE_VEC, jerr.text);
	t = json_object_get(j, "reference_tree");
	merkle_mem_source(&src, &mem);
	for (i = 0; i < 8; i++) {
		const char *h =
		        json_string_value(json_array_get(json_object_get(t, "leaves_hex"), i));

		n = strlen(h) / 2;
		assert_int_equal(cr_unhex(leafbuf, n, h), PL_OK);
		merkle_leaf_hash(leaves[i], leafbuf, n);
		hex32(want, json_array_get(json_object_get(t, "leaf_hashes_hex"), i));
		assert_memory_equal(leaves[i], want, HASH_LEN);
	}
	json_object_foreach(json_object_get(t, "roots_hex_by_size"), key, v)
	{
		uint64_t size = strtoull(key, NULL, 10);

		hex32(want, v);
		mem.n = size;
		assert_int_equal(merkle_root(got, &src, size), PL_OK);
		assert_memory_equal(got, want, HASH_LEN);
		assert_int_equal(
		        merkle_root_from_leaves(got, (const uint8_t(*)[HASH_LEN])leaves, size),
		        PL_OK);
		assert_memory_equal(got, want, HASH_LEN);
	}
	/* Sizes 0..8; every (m, n) with m < n <= 8; every 0 < m < n <= 8. */
	assert_int_equal(json_object_size(json_object_get(t, "roots_hex_by_size")), 9);
	assert_int_equal(json_object_size(json_object_get(t, "inclusion_proofs")), 36);
	assert_int_equal(json_object_size(json_object_get(t, "consistency_proofs")), 28);
	mem.n = 8;
	json_object_foreach(json_object_get(t, "inclusion_proofs"), key, v)
	{
		uint64_t m = strtoull(key, NULL, 10),
		         size = strtoull(strchr(key, '/') + 1, NULL, 10);
		uint8_t root[HASH_LEN];

		mem.n = size;
		assert_int_equal(merkle_inclusion_proof(proof, &n, &src, m, size), PL_OK);
		assert_int_equal(n, json_array_size(v));
		for (i = 0; i < n; i++) {
			hex32(want, json_array_get(v, i));
			assert_memory_equal(proof[i], want, HASH_LEN);
		}
		assert_int_equal(merkle_root(root, &src, size), PL_OK);
		assert_int_equal(merkle_verify_inclusion(leaves[m], m, size, proof, n, root),
		                 PL_OK);
	}
	json_object_foreach(json_object_get(t, "consistency_proofs"), key, v)
	{
		uint64_t s1 = strtoull(key, NULL, 10),
		         s2 = strtoull(strchr(key, '/') + 1, NULL, 10);
		uint8_t r1[HASH_LEN], r2[HASH_LEN];

		mem.n = s2;
		assert_int_equal(merkle_consistency_proof(proof, &n, &src, s1, s2), PL_OK);
		assert_int_equal(n, json_array_size(v));
		for (i = 0; i < n; i++) {
			hex32(want, json_array_get(v, i));
			assert_memory_equal(proof[i], want, HASH_LEN);
		}
		assert_int_equal(merkle_root(r1, &src, s1), PL_OK);
		assert_int_equal(merkle_root(r2, &src, s2), PL_OK);
		assert_int_equal(merkle_verify_consistency(s1, s2, proof, n, r1, r2), PL_OK);
	}
	json_decref(j);
}

static void
test_empty_tree_and_bad_sizes(void **state)
{
	uint8_t root[HASH_LEN], want[HASH_LEN], proof[MERKLE_PROOF_MAX][HASH_LEN];
	struct merkle_source src;
	struct merkle_mem mem = { NULL, 0 };
	size_t n;

	(void)state;
	merkle_mem_source(&src, &mem);
	assert_int_equal(
	        cr_unhex(want, HASH_LEN,
	                 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
	        PL_OK);
	assert_int_equal(merkle_root(root, &src, 0), PL_OK);
	assert_memory_equal(root, want, HASH_LEN);
	assert_int_equal(merkle_inclusion_proof(proof, &n, &src, 0, 0), PL_E_ARG);
	assert_int_equal(merkle_consistency_proof(proof, &n, &src, 0, 5), PL_E_ARG);
	assert_int_equal(merkle_consistency_proof(proof, &n, &src, 6, 5), PL_E_ARG);
	/* Asking the source for leaves it does not have is an error, not a guess. */
	assert_int_equal(merkle_root(root, &src, 3), PL_E_STATE);
}

/*
 * A synthetic tree of any size: every leaf is the same except a few marked
 * ones, so the hash of a perfect subtree without marked leaves is one of 64
 * precomputed values and any subtree is computed in O(log n).  It is a real
 * RFC 9162 tree: proofs made from it verify like any other.
 */
#define N_MARKS 6
struct synth {
	uint64_t marks[N_MARKS];
	uint8_t uniform[64][HASH_LEN];
	unsigned long reads;
};

static void
mark_leaf(uint8_t out[HASH_LEN], uint64_t index)
{
	uint8_t in[8];
	int i;

	for (i = 0; i < 8; i++)
		in[i] = (uint8_t)(index >> (56 - 8 * i));
	merkle_leaf_hash(out, in, sizeof(in));
}

static enum pl_err
synth_hash(struct synth *s, uint64_t index, uint64_t size, uint8_t out[HASH_LEN])
{
	uint8_t l[HASH_LEN], r[HASH_LEN];
	int i, k = 0, marked = 0;

	for (i = 0; i < N_MARKS; i++)
		marked |= s->marks[i] >= index && s->marks[i] - index < size;
	while (((uint64_t)1 << k) < size)
		k++;
	if (!marked) {
		memcpy(out, s->uniform[k], HASH_LEN);
		return PL_OK;
	}
	if (size == 1) {
		mark_leaf(out, index);
		return PL_OK;
	}
	PL_TRY(synth_hash(s, index, size / 2, l));
	PL_TRY(synth_hash(s, index + size / 2, size / 2, r));
	merkle_node_hash(out, l, r);
	return PL_OK;
}

static void
synth_init(struct synth *s, const uint64_t marks[N_MARKS])
{
	int i;

	memcpy(s->marks, marks, sizeof(s->marks));
	merkle_leaf_hash(s->uniform[0], "x", 1);
	for (i = 1; i < 64; i++)
		merkle_node_hash(s->uniform[i], s->uniform[i - 1], s->uniform[i - 1]);
	s->reads = 0;
}

static enum pl_err
synth_get(void *ctx, uint64_t index, uint64_t size, uint8_t out[HASH_LEN])
{
	struct synth *s = ctx;

	s->reads++;
	if (size == 0 || (size & (size - 1)) != 0 || index % size != 0)
		return pl_errf(PL_E_STATE, "synthetic: unaligned subtree");
	return synth_hash(s, index, size, out);
}

static void
test_large_tree(void **state)
{
	const uint64_t size = ((uint64_t)1 << 40) + 3, old = ((uint64_t)1 << 33) + 12345;
	static struct synth s;
	struct merkle_source src = { synth_get, &s };
	uint8_t root[HASH_LEN], root_old[HASH_LEN], leaf[HASH_LEN];
	uint8_t proof[MERKLE_PROOF_MAX][HASH_LEN];
	const uint64_t targets[3] = { size - 2, ((uint64_t)1 << 39) + 5, 0 };
	const uint64_t marks[N_MARKS] = {
		targets[0], targets[1], targets[2], old - 1, old, size - 1
	};
	size_t n;
	int i;

	(void)state;
	synth_init(&s, marks);

	s.reads = 0;
	assert_int_equal(merkle_root(root, &src, size), PL_OK);
	assert_true(s.reads <= 64);
	assert_int_equal(merkle_root(root_old, &src, old), PL_OK);
	for (i = 0; i < 3; i++) {
		s.reads = 0;
		assert_int_equal(merkle_inclusion_proof(proof, &n, &src, targets[i], size), PL_OK);
		/* O(log n): one read per level, plus one imperfect sibling's parts. */
		assert_true(s.reads <= 2 * 64);
		assert_int_equal(n, i == 0 ? 3 : 41);
		mark_leaf(leaf, targets[i]);
		assert_int_equal(merkle_verify_inclusion(leaf, targets[i], size, proof, n, root),
		                 PL_OK);
		assert_int_equal(
		        merkle_verify_inclusion(leaf, targets[i] ^ 1, size, proof, n, root),
		        PL_E_CRYPTO);
		assert_int_equal(
		        merkle_verify_inclusion(s.uniform[0], targets[i], size, proof, n, root),
		        PL_E_CRYPTO);
	}
	s.reads = 0;
	assert_int_equal(merkle_consistency_proof(proof, &n, &src, old, size), PL_OK);
	assert_true(s.reads <= 3 * 64);
	assert_int_equal(merkle_verify_consistency(old, size, proof, n, root_old, root), PL_OK);
	assert_int_equal(merkle_verify_consistency(old + 1, size, proof, n, root_old, root),
	                 PL_E_CRYPTO);
	/* Sizes past 2^63 are arithmetic, not a crash. */
	assert_int_equal(merkle_verify_inclusion(leaf, UINT64_MAX - 1, UINT64_MAX, proof, n, root),
	                 PL_E_CRYPTO);
}

/*
 * The largest trees a uint64_t can count: an inclusion proof of 64 hashes
 * and a consistency proof of MERKLE_PROOF_MAX (65), both written into
 * exactly MERKLE_PROOF_MAX slots (ASan checks the bound).
 */
static void
test_longest_proofs(void **state)
{
	const uint64_t size = UINT64_MAX, old = ((uint64_t)1 << 63) + 1;
	const uint64_t marks[N_MARKS] = { 0, old - 1, old, size - 2, size - 1, 12345 };
	static struct synth s;
	struct merkle_source src = { synth_get, &s };
	uint8_t root[HASH_LEN], root_old[HASH_LEN], leaf[HASH_LEN];
	uint8_t(*proof)[HASH_LEN] = malloc(MERKLE_PROOF_MAX * HASH_LEN);
	size_t n;

	(void)state;
	assert_non_null(proof);
	synth_init(&s, marks);
	assert_int_equal(merkle_root(root, &src, size), PL_OK);
	assert_int_equal(s.reads, 64);
	assert_int_equal(merkle_root(root_old, &src, old), PL_OK);

	s.reads = 0;
	assert_int_equal(merkle_consistency_proof(proof, &n, &src, old, size), PL_OK);
	assert_int_equal(n, MERKLE_PROOF_MAX);
	assert_true(s.reads <= 3 * 64);
	assert_int_equal(merkle_verify_consistency(old, size, proof, n, root_old, root), PL_OK);
	assert_int_equal(merkle_verify_consistency(old, size, proof, n - 1, root_old, root),
	                 PL_E_CRYPTO);

	s.reads = 0;
	assert_int_equal(merkle_inclusion_proof(proof, &n, &src, size - 2, size), PL_OK);
	assert_int_equal(n, 64);
	assert_true(s.reads <= 2 * 64);
	mark_leaf(leaf, size - 2);
	assert_int_equal(merkle_verify_inclusion(leaf, size - 2, size, proof, n, root), PL_OK);
	assert_int_equal(merkle_verify_inclusion(leaf, size - 3, size, proof, n, root),
	                 PL_E_CRYPTO);
	free(proof);
}

/* merkle_root_from_leaves agrees with merkle_root over a source for every size to 70. */
static void
test_root_from_leaves(void **state)
{
	uint8_t leaves[70][HASH_LEN], a[HASH_LEN], z[HASH_LEN], want[HASH_LEN];
	struct merkle_source src;
	struct merkle_mem mem = { (const uint8_t(*)[HASH_LEN])leaves, 70 };
	uint64_t n;
	uint8_t b;

	(void)state;
	for (n = 0; n < 70; n++) {
		b = (uint8_t)n;
		merkle_leaf_hash(leaves[n], &b, 1);
	}
	merkle_mem_source(&src, &mem);
	for (n = 0; n <= 70; n++) {
		mem.n = n;
		assert_int_equal(merkle_root_from_leaves(a, (const uint8_t(*)[HASH_LEN])leaves, n),
		                 PL_OK);
		assert_int_equal(merkle_root(z, &src, n), PL_OK);
		assert_memory_equal(a, z, HASH_LEN);
	}
	/* The three-leaf tree by hand: HASH(0x01 || HASH(0x01 || l0 || l1) || l2). */
	merkle_node_hash(want, leaves[0], leaves[1]);
	merkle_node_hash(want, want, leaves[2]);
	assert_int_equal(merkle_root_from_leaves(a, (const uint8_t(*)[HASH_LEN])leaves, 3), PL_OK);
	assert_memory_equal(a, want, HASH_LEN);
	pl_err_clear();
	assert_int_equal(merkle_root_from_leaves(a, NULL, 1), PL_E_ARG);
	assert_true(pl_err_msg()[0] != '\0');
}

/* A frontier grown leaf by leaf has, at every size, the root merkle_root reads from subtrees. */
static void
test_frontier(void **state)
{
	uint8_t leaves[300][HASH_LEN], a[HASH_LEN], z[HASH_LEN];
	struct merkle_source src;
	struct merkle_mem mem = { (const uint8_t(*)[HASH_LEN])leaves, 300 };
	struct merkle_frontier f;
	uint64_t n;
	uint8_t b[2];

	(void)state;
	memset(&f, 0, sizeof(f));
	merkle_mem_source(&src, &mem);
	merkle_frontier_root(&f, a);
	assert_int_equal(merkle_root(z, &src, 0), PL_OK);
	assert_memory_equal(a, z, HASH_LEN);
	for (n = 0; n < 300; n++) {
		b[0] = (uint8_t)(n >> 8);
		b[1] = (uint8_t)n;
		merkle_leaf_hash(leaves[n], b, 2);
		assert_int_equal(merkle_frontier_push(&f, leaves[n]), PL_OK);
		assert_int_equal(f.size, n + 1);
		assert_int_equal(merkle_frontier_len(&f), (size_t)__builtin_popcountll(n + 1));
		merkle_frontier_root(&f, a);
		assert_int_equal(merkle_root(z, &src, n + 1), PL_OK);
		assert_memory_equal(a, z, HASH_LEN);
	}
	/* One leaf changed anywhere changes the root. */
	leaves[123][0] ^= 1;
	memset(&f, 0, sizeof(f));
	for (n = 0; n < 300; n++)
		assert_int_equal(merkle_frontier_push(&f, leaves[n]), PL_OK);
	merkle_frontier_root(&f, a);
	assert_memory_not_equal(a, z, HASH_LEN);
	f.size = UINT64_MAX;
	pl_err_clear();
	assert_int_equal(merkle_frontier_push(&f, leaves[0]), PL_E_ARG);
	assert_true(pl_err_msg()[0] != '\0');
}

/* The cached check answers as merkle_verify_inclusion, for good proofs and for every altered one. */
static void
test_inclusion_cached(void **state)
{
	static const uint64_t sizes[] = { 1, 2, 3, 7, 8, 9, 255, 256, 257, 1000 };
	static uint8_t leaves[1000][HASH_LEN];
	static struct merkle_incl_cache c;
	uint8_t proof[MERKLE_PROOF_MAX][HASH_LEN], root[HASH_LEN];
	struct merkle_source src;
	struct merkle_mem mem = { (const uint8_t(*)[HASH_LEN])leaves, 1000 };
	uint64_t i, k, idx, step;
	size_t s, n, h;
	uint8_t b[2];

	(void)state;
	for (i = 0; i < 1000; i++) {
		b[0] = (uint8_t)(i >> 8);
		b[1] = (uint8_t)i;
		merkle_leaf_hash(leaves[i], b, 2);
	}
	merkle_mem_source(&src, &mem);
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint64_t size = sizes[s];

		assert_int_equal(merkle_root(root, &src, size), PL_OK);
		merkle_incl_cache_init(&c, size, root);
		/* In order, then with strides that jump around the tree. */
		for (step = 1; step <= 7; step += 3) {
			for (k = 0; k < size; k++) {
				idx = (k * step * 7919) % size;
				if (step == 1)
					idx = k;
				assert_int_equal(merkle_inclusion_proof(proof, &n, &src, idx, size),
				                 PL_OK);
				assert_int_equal(merkle_verify_inclusion_cached(
				                         &c, leaves[idx], idx,
				                         (const uint8_t(*)[HASH_LEN])proof, n),
				                 PL_OK);
				if (k % 17 != 0)
					continue;
				/* Every hash of the proof altered, the leaf, the index, the length. */
				for (h = 0; h < n; h++) {
					proof[h][h % HASH_LEN] ^= 0x40;
					assert_int_equal(merkle_verify_inclusion_cached(
					                         &c, leaves[idx], idx,
					                         (const uint8_t(*)[HASH_LEN])proof,
					                         n),
					                 PL_E_CRYPTO);
					proof[h][h % HASH_LEN] ^= 0x40;
				}
				assert_int_equal(merkle_verify_inclusion_cached(
				                         &c, leaves[(idx + 1) % 1000], idx,
				                         (const uint8_t(*)[HASH_LEN])proof, n),
				                 PL_E_CRYPTO);
				if (size > 1)
					assert_int_equal(
					        merkle_verify_inclusion_cached(
					                &c, leaves[idx], (idx + 1) % size,
					                (const uint8_t(*)[HASH_LEN])proof, n),
					        merkle_verify_inclusion(
					                leaves[idx], (idx + 1) % size, size,
					                (const uint8_t(*)[HASH_LEN])proof, n,
					                root));
				assert_int_equal(merkle_verify_inclusion_cached(
				                         &c, leaves[idx], size,
				                         (const uint8_t(*)[HASH_LEN])proof, n),
				                 PL_E_PROTO);
				if (n > 0)
					assert_int_equal(merkle_verify_inclusion_cached(
					                         &c, leaves[idx], idx,
					                         (const uint8_t(*)[HASH_LEN])proof,
					                         n - 1),
					                 PL_E_CRYPTO);
				memcpy(proof[n], proof[0], HASH_LEN);
				assert_int_equal(merkle_verify_inclusion_cached(
				                         &c, leaves[idx], idx,
				                         (const uint8_t(*)[HASH_LEN])proof, n + 1),
				                 PL_E_CRYPTO);
			}
		}
	}
}

/* Bad sizes are malformed input (PL_E_PROTO); a proof that fails is PL_E_CRYPTO. */
static void
test_error_codes(void **state)
{
	uint8_t leaves[5][HASH_LEN], r4[HASH_LEN], r5[HASH_LEN];
	uint8_t proof[MERKLE_PROOF_MAX][HASH_LEN];
	struct merkle_source src;
	struct merkle_mem mem = { (const uint8_t(*)[HASH_LEN])leaves, 5 };
	size_t n, i;
	uint8_t b;

	(void)state;
	for (i = 0; i < 5; i++) {
		b = (uint8_t)i;
		merkle_leaf_hash(leaves[i], &b, 1);
	}
	merkle_mem_source(&src, &mem);
	assert_int_equal(merkle_root(r5, &src, 5), PL_OK);
	mem.n = 4;
	assert_int_equal(merkle_root(r4, &src, 4), PL_OK);
	mem.n = 5;
	assert_int_equal(merkle_inclusion_proof(proof, &n, &src, 4, 5), PL_OK);

	pl_err_clear();
	assert_int_equal(merkle_verify_inclusion(leaves[4], 5, 5, proof, n, r5), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "index 5 >= tree size 5"));
	assert_int_equal(merkle_verify_inclusion(leaves[4], 0, 0, proof, n, r5), PL_E_PROTO);
	assert_int_equal(merkle_verify_inclusion(leaves[4], 4, 5, proof, n + 1, r5), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "too many"));
	assert_int_equal(merkle_verify_inclusion(leaves[4], 4, 5, proof, n - 1, r5), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "too few"));

	assert_int_equal(merkle_consistency_proof(proof, &n, &src, 4, 5), PL_OK);
	assert_int_equal(merkle_verify_consistency(4, 5, proof, n, r4, r5), PL_OK);
	assert_int_equal(merkle_verify_consistency(0, 5, proof, n, r4, r5), PL_E_PROTO);
	assert_int_equal(merkle_verify_consistency(0, 0, proof, 0, r4, r4), PL_E_PROTO);
	assert_int_equal(merkle_verify_consistency(6, 5, proof, n, r4, r5), PL_E_PROTO);
	assert_int_equal(merkle_verify_consistency(4, 5, proof, 0, r4, r5), PL_E_CRYPTO);
	/* Equal sizes: empty proof and equal roots, nothing else. */
	assert_int_equal(merkle_verify_consistency(5, 5, proof, 0, r5, r5), PL_OK);
	assert_int_equal(merkle_verify_consistency(5, 5, proof, 1, r5, r5), PL_E_CRYPTO);
	assert_int_equal(merkle_verify_consistency(5, 5, proof, 0, r4, r5), PL_E_CRYPTO);

	/* A failing source's error comes back unchanged, and no proof is written. */
	mem.n = 3;
	n = 99;
	memset(proof, 0xaa, sizeof(proof));
	assert_int_equal(merkle_inclusion_proof(proof, &n, &src, 0, 5), PL_E_STATE);
	assert_int_equal(n, 0);
	assert_int_equal(proof[0][0], 0xaa);
	assert_int_equal(merkle_consistency_proof(proof, &n, &src, 2, 5), PL_E_STATE);
	assert_int_equal(n, 0);
}

static void
test_base64(void **state)
{
	uint8_t out[8];

	(void)state;
	assert_int_equal(b64(out, sizeof(out), ""), 0);
	assert_int_equal(b64(out, sizeof(out), "Zm9vYmFy"), 6);
	assert_memory_equal(out, "foobar", 6);
	assert_int_equal(b64(out, sizeof(out), "Zm8="), 2);
	assert_int_equal(b64(out, sizeof(out), "Zg=="), 1);
	assert_int_equal(b64(out, sizeof(out), "Zh=="), -1); /* pad bits */
	assert_int_equal(b64(out, sizeof(out), "Zm9="), -1); /* pad bits */
	assert_int_equal(b64(out, sizeof(out), "Zg="), -1);
	assert_int_equal(b64(out, sizeof(out), "Zg"), -1);
	assert_int_equal(b64(out, sizeof(out), "Z=g="), -1);
	assert_int_equal(b64(out, sizeof(out), "Zm8=Zm8="), -1);
	assert_int_equal(b64(out, sizeof(out), "Zm9v YmFy"), -1);
	assert_int_equal(b64(out, sizeof(out), "Zm9-"), -1); /* base64url */
	assert_int_equal(b64(out, 5, "Zm9vYmFy"), -1);
}

static void
test_proof_tampering(void **state)
{
	uint8_t leaves[13][HASH_LEN], root[HASH_LEN], r5[HASH_LEN];
	uint8_t proof[MERKLE_PROOF_MAX][HASH_LEN];
	struct merkle_source src;
	struct merkle_mem mem = { (const uint8_t(*)[HASH_LEN])leaves, 13 };
	size_t n, i;
	uint8_t b = 0;

	(void)state;
	for (i = 0; i < 13; i++) {
		b = (uint8_t)i;
		merkle_leaf_hash(leaves[i], &b, 1);
	}
	merkle_mem_source(&src, &mem);
	assert_int_equal(merkle_root(root, &src, 13), PL_OK);
	assert_int_equal(merkle_inclusion_proof(proof, &n, &src, 6, 13), PL_OK);
	assert_int_equal(merkle_verify_inclusion(leaves[6], 6, 13, proof, n, root), PL_OK);
	for (i = 0; i < n; i++) {
		proof[i][i] ^= 1;
		assert_int_equal(merkle_verify_inclusion(leaves[6], 6, 13, proof, n, root),
		                 PL_E_CRYPTO);
		proof[i][i] ^= 1;
	}
	assert_int_equal(merkle_verify_inclusion(leaves[6], 7, 13, proof, n, root), PL_E_CRYPTO);
	/* Size 14 would pass: leaf 6 has the same path in both; the checkpoint binds the size. */
	assert_int_equal(merkle_verify_inclusion(leaves[6], 6, 7, proof, n, root), PL_E_CRYPTO);
	assert_int_equal(merkle_verify_inclusion(leaves[6], 6, 13, proof, n - 1, root),
	                 PL_E_CRYPTO);
	assert_int_equal(merkle_verify_inclusion(leaves[7], 6, 13, proof, n, root), PL_E_CRYPTO);
	mem.n = 5;
	assert_int_equal(merkle_root(r5, &src, 5), PL_OK);
	mem.n = 13;
	assert_int_equal(merkle_consistency_proof(proof, &n, &src, 5, 13), PL_OK);
	assert_int_equal(merkle_verify_consistency(5, 13, proof, n, r5, root), PL_OK);
	for (i = 0; i < n; i++) {
		proof[i][31] ^= 0x80;
		assert_int_equal(merkle_verify_consistency(5, 13, proof, n, r5, root), PL_E_CRYPTO);
		proof[i][31] ^= 0x80;
	}
	assert_int_equal(merkle_verify_consistency(4, 13, proof, n, r5, root), PL_E_CRYPTO);
	assert_int_equal(merkle_verify_consistency(5, 8, proof, n, r5, root), PL_E_CRYPTO);
	assert_int_equal(merkle_verify_consistency(5, 13, proof, n, root, r5), PL_E_CRYPTO);
	/* Every pair of sizes in this tree round-trips. */
	for (uint64_t s1 = 1; s1 <= 13; s1++) {
		for (uint64_t s2 = s1; s2 <= 13; s2++) {
			uint8_t a[HASH_LEN], z[HASH_LEN];

			mem.n = s1;
			assert_int_equal(merkle_root(a, &src, s1), PL_OK);
			mem.n = s2;
			assert_int_equal(merkle_root(z, &src, s2), PL_OK);
			assert_int_equal(merkle_consistency_proof(proof, &n, &src, s1, s2), PL_OK);
			assert_int_equal(merkle_verify_consistency(s1, s2, proof, n, a, z), PL_OK);
			for (uint64_t m = 0; m < s2; m++) {
				assert_int_equal(merkle_inclusion_proof(proof, &n, &src, m, s2),
				                 PL_OK);
				assert_int_equal(
				        merkle_verify_inclusion(leaves[m], m, s2, proof, n, z),
				        PL_OK);
			}
		}
	}
}

static int
group_setup(void **state)
{
	(void)state;
	return cr_init() == PL_OK ? 0 : -1;
}

int
main(void)
{
	size_t i, n = 0;

	scan(VEC_DIR "/inclusion", 1);
	scan(VEC_DIR "/consistency", 0);
	if (n_probes != 196) {
		(void)fprintf(stderr, "test_merkle: found %zu probes in %s, want 196\n", n_probes,
		              VEC_DIR);
		return 1;
	}
	/* readdir order varies between file systems; report in a fixed order. */
	qsort(probes, n_probes, sizeof(probes[0]), probe_cmp);
	for (i = 0; i < n_probes; i++) {
		cases[n] = (struct CMUnitTest)cmocka_unit_test_prestate(run_probe, &probes[i]);
		/* Named by the path under VEC_DIR, e.g. "inclusion/1/modified-proof[0]-bit-@3.json". */
		cases[n].name = probes[i].path + strlen(VEC_DIR) + 1;
		n++;
	}
	cases[n++] = (struct CMUnitTest)cmocka_unit_test(test_reference_tree);
	cases[n++] = (struct CMUnitTest)cmocka_unit_test(test_empty_tree_and_bad_sizes);
	cases[n++] = (struct CMUnitTest)cmocka_unit_test(test_base64);
	cases[n++] = (struct CMUnitTest)cmocka_unit_test(test_root_from_leaves);
	cases[n++] = (struct CMUnitTest)cmocka_unit_test(test_frontier);
	cases[n++] = (struct CMUnitTest)cmocka_unit_test(test_inclusion_cached);
	cases[n++] = (struct CMUnitTest)cmocka_unit_test(test_large_tree);
	cases[n++] = (struct CMUnitTest)cmocka_unit_test(test_longest_proofs);
	cases[n++] = (struct CMUnitTest)cmocka_unit_test(test_error_codes);
	cases[n++] = (struct CMUnitTest)cmocka_unit_test(test_proof_tampering);
	return _cmocka_run_group_tests("merkle", cases, n, group_setup, NULL);
}
