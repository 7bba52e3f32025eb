/*
 * test_proof.c - tlog-proof@v1 and trust policies, on the 8-leaf reference
 * tree of tests/vectors/signed-note/generated-vectors.json and its
 * checkpoint signed by the test log and cosigned by the test witness.
 */
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
#include "tlog/proof.h"

#define GEN "tests/vectors/signed-note/generated-vectors.json"

static json_t *gen;
static uint8_t leaves[8][HASH_LEN];
static struct policy pol;
static const char *cosigned, *logonly_text;

static int
setup(void **state)
{
	json_error_t e;
	json_t *t;
	size_t i;
	char line[512];

	(void)state;
	if (cr_init() != PL_OK || (gen = json_load_file(GEN, 0, &e)) == NULL)
		return -1;
	t = json_object_get(json_object_get(gen, "reference_tree"), "leaf_hashes_hex");
	for (i = 0; i < 8; i++)
		if (cr_unhex(leaves[i], HASH_LEN, json_string_value(json_array_get(t, i))) != PL_OK)
			return -1;
	cosigned = json_string_value(json_object_get(
	        json_array_get(json_object_get(gen, "checkpoints"), 1), "signed_note"));
	logonly_text = json_string_value(json_object_get(
	        json_array_get(json_object_get(gen, "checkpoints"), 1), "note_text"));
	policy_init(&pol);
	(void)snprintf(line, sizeof(line), "log %s",
	               json_string_value(json_object_get(json_object_get(gen, "log"), "vkey")));
	if (policy_line(&pol, line, 1) != PL_OK)
		return -1;
	(void)snprintf(line, sizeof(line), "witness %s",
	               json_string_value(json_object_get(json_object_get(gen, "witness"), "vkey")));
	if (policy_line(&pol, line, 2) != PL_OK || policy_line(&pol, "# one of one", 3) != PL_OK ||
	    policy_line(&pol, "quorum 1", 4) != PL_OK || policy_finish(&pol) != PL_OK)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	json_decref(gen);
	return 0;
}

static void
make_proof(struct buf *out, uint64_t m, const char *note, const uint8_t *extra, size_t extra_len)
{
	uint8_t hashes[MERKLE_PROOF_MAX][HASH_LEN];
	struct merkle_source src;
	struct merkle_mem mem = { (const uint8_t(*)[HASH_LEN])leaves, 8 };
	size_t n;

	merkle_mem_source(&src, &mem);
	assert_int_equal(merkle_inclusion_proof(hashes, &n, &src, m, 8), PL_OK);
	out->len = 0;
	assert_int_equal(proof_write(out, extra, extra_len, m, (const uint8_t(*)[HASH_LEN])hashes,
	                             n, note, strlen(note)),
	                 PL_OK);
}

static void
test_every_leaf(void **state)
{
	static struct tlog_proof pr;
	static struct proof_result res;
	struct buf b;
	uint64_t m;

	(void)state;
	buf_init(&b, 8192);
	for (m = 0; m < 8; m++) {
		make_proof(&b, m, cosigned, m == 3 ? (const uint8_t *)"context" : NULL, 7);
		assert_int_equal(proof_read(&pr, (char *)b.data, b.len), PL_OK);
		assert_true(pr.index == m);
		assert_int_equal(pr.n_hashes, 3);
		assert_int_equal(proof_verify(&res, &pr, &pol, leaves[m]), PL_OK);
		assert_true(res.cp.size == 8);
		assert_int_equal(res.n_cosigned, 1);
		assert_true(res.seen[0].verified);
		/* Another leaf's hash is not proven by this proof. */
		assert_int_equal(proof_verify(&res, &pr, &pol, leaves[(m + 1) % 8]), PL_E_CRYPTO);
		assert_non_null(strstr(pl_err_msg(), "is not in the tree"));
	}
	make_proof(&b, 3, cosigned, (const uint8_t *)"context", 7);
	assert_int_equal(proof_read(&pr, (char *)b.data, b.len), PL_OK);
	assert_int_equal(pr.extra_len, 7);
	assert_memory_equal(pr.extra, "context", 7);
	buf_reset(&b);
}

static void
test_quorum_and_tampering(void **state)
{
	static struct tlog_proof pr;
	static struct proof_result res;
	char note[1024];
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 8192);
	/* Only the log's signature: the policy needs one witness. */
	{
		const char *sig = strstr(cosigned, "\n\n") + 2;
		int sig_len = (int)(strchr(sig, '\n') - sig) + 1;

		(void)snprintf(note, sizeof(note), "%s\n%.*s", logonly_text, sig_len, sig);
	}
	make_proof(&b, 5, note, NULL, 0);
	assert_int_equal(proof_read(&pr, (char *)b.data, b.len), PL_OK);
	assert_int_equal(proof_verify(&res, &pr, &pol, leaves[5]), PL_E_CRYPTO);
	assert_non_null(strstr(pl_err_msg(), "cosigned by 0 of 1 witnesses"));

	/* Every proof hash matters. */
	make_proof(&b, 5, cosigned, NULL, 0);
	assert_int_equal(proof_read(&pr, (char *)b.data, b.len), PL_OK);
	for (i = 0; i < pr.n_hashes; i++) {
		pr.hashes[i][7] ^= 1;
		assert_int_equal(proof_verify(&res, &pr, &pol, leaves[5]), PL_E_CRYPTO);
		pr.hashes[i][7] ^= 1;
	}
	pr.index = 4;
	assert_int_equal(proof_verify(&res, &pr, &pol, leaves[5]), PL_E_CRYPTO);
	/* The checkpoint's bytes are signed: change its size and the log signature fails. */
	{
		char *sz = strstr((char *)b.data, "\n8\n");

		assert_non_null(sz);
		sz[1] = '9';
		assert_int_equal(proof_read(&pr, (char *)b.data, b.len), PL_OK);
		assert_int_equal(proof_verify(&res, &pr, &pol, leaves[5]), PL_E_CRYPTO);
	}
	buf_reset(&b);
}

static void
expect_read(const char *s, const char *msg)
{
	static struct tlog_proof pr;

	if (proof_read(&pr, s, strlen(s)) == PL_OK)
		fail_msg("accepted '%s'", s);
	if (strstr(pl_err_msg(), msg) == NULL)
		fail_msg("want '%s' in '%s'", msg, pl_err_msg());
}

static void
test_malformed(void **state)
{
	(void)state;
	expect_read("c2sp.org/tlog-proof@v2\nindex 1\n\nx\n", "first line");
	expect_read("c2sp.org/tlog-proof@v1\nindex 01\n\nx\n", "bad index");
	expect_read("c2sp.org/tlog-proof@v1\nindex -1\n\nx\n", "bad index");
	expect_read("c2sp.org/tlog-proof@v1\nindex 18446744073709551616\n\nx\n", "bad index");
	expect_read("c2sp.org/tlog-proof@v1\nextra !!\nindex 1\n\nx\n", "extra");
	expect_read("c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\nx\n", "proof hash 0");
	expect_read("c2sp.org/tlog-proof@v1\nindex 1\n", "no empty line");
	expect_read("c2sp.org/tlog-proof@v1\nindex 1\n\n", "no checkpoint");
	expect_read("c2sp.org/tlog-proof@v1", "first line");
}

static void
test_policy_errors(void **state)
{
	struct policy p;
	const char *wit =
	        json_string_value(json_object_get(json_object_get(gen, "witness"), "vkey"));
	const char *log = json_string_value(json_object_get(json_object_get(gen, "log"), "vkey"));
	char line[512];

	(void)state;
	policy_init(&p);
	assert_int_equal(policy_finish(&p), PL_E_PROTO); /* no log */
	assert_int_equal(policy_line(&p, "frobnicate x", 7), PL_E_PROTO);
	assert_non_null(strstr(pl_err_msg(), "policy line 7: unknown key 'frobnicate'"));
	assert_int_equal(policy_line(&p, "log", 1), PL_E_PROTO);
	(void)snprintf(line, sizeof(line), "log %s", wit); /* a cosignature key as the log */
	assert_int_equal(policy_line(&p, line, 2), PL_E_PROTO);
	(void)snprintf(line, sizeof(line), "witness %s", log); /* a log key as a witness */
	assert_int_equal(policy_line(&p, line, 3), PL_E_PROTO);
	(void)snprintf(line, sizeof(line), "log %s", log);
	assert_int_equal(policy_line(&p, line, 4), PL_OK);
	assert_int_equal(policy_line(&p, line, 5), PL_E_PROTO); /* second log */
	assert_int_equal(policy_line(&p, "quorum 1", 6), PL_OK);
	assert_int_equal(policy_line(&p, "quorum 1", 7), PL_E_PROTO);
	assert_int_equal(policy_finish(&p), PL_E_PROTO); /* quorum 1 of 0 */
	assert_non_null(strstr(pl_err_msg(), "quorum 1 but only 0 witnesses"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_leaf),
		cmocka_unit_test(test_quorum_and_tampering),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_policy_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
