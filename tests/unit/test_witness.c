/*
 * test_witness.c - tlog-witness add-checkpoint: the generated request
 * vector, every status the spec defines, fork evidence, and that a refused
 * request leaves the witness's records untouched.
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
#include "tlog/cosig.h"
#include "tlog/witness.h"

#define GEN "tests/vectors/signed-note/generated-vectors.json"

static json_t *gen;
static struct keys *log_k, *wit_k;
static struct witness_log *logs, *before, *upd;
static struct witness_reply reply;

static const char *
cp_field(size_t i, const char *k)
{
	return json_string_value(
	        json_object_get(json_array_get(json_object_get(gen, "checkpoints"), i), k));
}

static struct keys *
seed_keys(const char *who)
{
	uint8_t secret[KEYS_SECRET_LEN] = { 0 };

	assert_int_equal(
	        cr_unhex(secret, 32,
	                 json_string_value(json_object_get(json_object_get(gen, who), "seed_hex"))),
	        PL_OK);
	return keys_from_secret(secret);
}

/* logs[0]: example.org/test-log having cosigned its size-4 checkpoint. */
static void
reset_state(void)
{
	const char *n4 = cp_field(0, "signed_note");
	struct checkpoint c;
	struct note *note = malloc(sizeof(*note));

	memset(logs, 0, 2 * sizeof(*logs));
	assert_int_equal(note_key_make(&logs[0].key, "example.org/test-log", NOTE_TYPE_ED25519,
	                               keys_sign_pk(log_k)),
	                 PL_OK);
	assert_int_equal(note_read(note, n4, strlen(n4)), PL_OK);
	assert_int_equal(checkpoint_parse(&c, note->text, note->text_len), PL_OK);
	logs[0].size = 4;
	memcpy(logs[0].root, c.root, HASH_LEN);
	memcpy(logs[0].note, n4, strlen(n4));
	logs[0].note_len = strlen(n4);
	assert_int_equal(note_key_make(&logs[1].key, "example.org/other-log", NOTE_TYPE_ED25519,
	                               keys_sign_pk(wit_k)),
	                 PL_OK);
	memcpy(before, logs, 2 * sizeof(*logs));
	free(note);
}

static int
setup(void **state)
{
	json_error_t e;

	(void)state;
	if (cr_init() != PL_OK || (gen = json_load_file(GEN, 0, &e)) == NULL)
		return -1;
	log_k = seed_keys("log");
	wit_k = seed_keys("witness");
	logs = calloc(2, sizeof(*logs));
	before = calloc(2, sizeof(*before));
	upd = calloc(1, sizeof(*upd));
	witness_reply_init(&reply);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	keys_free(log_k);
	keys_free(wit_k);
	free(logs);
	free(before);
	free(upd);
	witness_reply_reset(&reply);
	json_decref(gen);
	return 0;
}

static size_t
call(const char *req, size_t n, uint64_t now)
{
	size_t which = 12345;

	assert_int_equal(witness_add_checkpoint(&reply, upd, &which, logs, 2, req, n,
	                                        "example.org/test-witness", wit_k, now),
	                 PL_OK);
	/* The function never writes the caller's records. */
	assert_memory_equal(logs, before, 2 * sizeof(*logs));
	return which;
}

static void
test_vector_request(void **state)
{
	const char *req = json_string_value(json_object_get(gen, "add_checkpoint_request_body"));
	const char *line = cp_field(1, "cosignature_line");
	size_t which;

	(void)state;
	reset_state();
	which = call(req, strlen(req), 1700000008);
	assert_int_equal(reply.status, 200);
	assert_int_equal(which, 0);
	/* The cosignature is the published one, byte for byte. */
	assert_int_equal(reply.body.len, strlen(line) + 1);
	assert_memory_equal(reply.body.data, line, strlen(line));
	assert_true(upd->size == 8);
	assert_int_equal(upd->fork, WITNESS_FORK_NONE);
	assert_int_equal(upd->note_len, strlen(strstr(req, "\n\nexample.org") + 2));

	/* Once stored, the same request is out of date: 409 with the stored size. */
	memcpy(&logs[0], upd, sizeof(*upd));
	memcpy(before, logs, 2 * sizeof(*logs));
	which = call(req, strlen(req), 1700000009);
	assert_int_equal(reply.status, 409);
	assert_string_equal(reply.content_type, "text/x.tlog.size");
	assert_int_equal(reply.body.len, 2);
	assert_memory_equal(reply.body.data, "8\n", 2);
	assert_int_equal(which, SIZE_MAX);
}

/* Build "old N\n<proof lines>\n<signed checkpoint>" for a checkpoint signed by k. */
static void
make_req(struct buf *b, uint64_t old, const char *proof_lines, uint64_t size,
         const uint8_t root[32], const char *origin, const struct keys *k)
{
	struct checkpoint c;

	memset(&c, 0, sizeof(c));
	(void)snprintf(c.origin, sizeof(c.origin), "%s", origin);
	c.size = size;
	memcpy(c.root, root, HASH_LEN);
	b->len = 0;
	assert_int_equal(buf_addf(b, "old %llu\n%s\n", (unsigned long long)old, proof_lines),
	                 PL_OK);
	assert_int_equal(checkpoint_sign(b, &c, k), PL_OK);
}

static void
test_refusals(void **state)
{
	const char *req = json_string_value(json_object_get(gen, "add_checkpoint_request_body"));
	uint8_t root8[HASH_LEN], other[HASH_LEN];
	char bad[2048];
	struct buf b;
	size_t which, n = strlen(req);
	struct checkpoint c;
	static struct note note;
	const char *n8 = cp_field(1, "signed_note");

	(void)state;
	reset_state();
	assert_int_equal(note_read(&note, n8, strlen(n8)), PL_OK);
	assert_int_equal(checkpoint_parse(&c, note.text, note.text_len), PL_OK);
	memcpy(root8, c.root, HASH_LEN);
	memset(other, 0x42, sizeof(other));
	buf_init(&b, 4096);

	/* Malformed bodies: 400. */
	which = call("old 4\n", 6, 1);
	assert_int_equal(reply.status, 400);
	which = call("old 04\n\nx\n", 10, 1);
	assert_int_equal(reply.status, 400);
	memcpy(bad, req, n + 1);
	bad[8] = '!'; /* a proof line that is not base64 */
	which = call(bad, n, 1);
	assert_int_equal(reply.status, 400);
	assert_int_equal(which, SIZE_MAX);

	/* Unknown origin: 404. */
	make_req(&b, 4, "", 8, root8, "example.org/nobody", log_k);
	which = call((char *)b.data, b.len, 1);
	assert_int_equal(reply.status, 404);

	/* Signed by someone else: 403. */
	make_req(&b, 4, "", 8, root8, "example.org/test-log", wit_k);
	which = call((char *)b.data, b.len, 1);
	assert_int_equal(reply.status, 403);

	/* old > size: 400. */
	make_req(&b, 9, "", 8, root8, "example.org/test-log", log_k);
	which = call((char *)b.data, b.len, 1);
	assert_int_equal(reply.status, 400);

	/* A wrong proof from the right old size: 422, and both checkpoints kept as evidence. */
	make_req(&b, 4, "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=\n", 8, other,
	         "example.org/test-log", log_k);
	which = call((char *)b.data, b.len, 1);
	assert_int_equal(reply.status, 422);
	assert_int_equal(which, 0);
	assert_int_equal(upd->fork, WITNESS_FORK_SUSPECTED);
	assert_true(upd->size == 4);
	/* The kept evidence is the new signed checkpoint, after the request's blank line. */
	assert_int_equal(
	        upd->fork_note_len,
	        b.len - (size_t)(strstr((char *)b.data, "\n\nexample") + 2 - (char *)b.data));
	assert_int_equal(upd->note_len, logs[0].note_len);

	/* Same size, different root, both signed by the log: a proven fork, 409. */
	make_req(&b, 4, "", 4, other, "example.org/test-log", log_k);
	which = call((char *)b.data, b.len, 1);
	assert_int_equal(reply.status, 409);
	assert_int_equal(which, 0);
	assert_int_equal(upd->fork, WITNESS_FORK_PROVEN);
	assert_true(upd->size == 4);

	/* A proof from size 0 must be empty. */
	make_req(&b, 0, "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=\n", 8, root8,
	         "example.org/test-log", log_k);
	logs[0].size = 0;
	memcpy(before, logs, 2 * sizeof(*logs));
	which = call((char *)b.data, b.len, 1);
	assert_int_equal(reply.status, 400);
	/* And a first checkpoint with old 0 is accepted and cosigned. */
	make_req(&b, 0, "", 8, root8, "example.org/test-log", log_k);
	which = call((char *)b.data, b.len, 1700000008);
	assert_int_equal(reply.status, 200);
	assert_true(upd->size == 8);
	buf_reset(&b);
}

static void
test_cosignature_verifies(void **state)
{
	const char *req = json_string_value(json_object_get(gen, "add_checkpoint_request_body"));
	const char *n8 = cp_field(1, "signed_note");
	struct note_key keys[2];
	struct note_seen seen[2];
	static struct note note;
	struct buf b;

	(void)state;
	reset_state();
	(void)call(req, strlen(req), 1800000000);
	assert_int_equal(reply.status, 200);
	/* As the spec suggests: append the response to the checkpoint and verify as a note. */
	buf_init(&b, 4096);
	assert_int_equal(buf_add_str(&b, n8), PL_OK);
	assert_int_equal(buf_add(&b, reply.body.data, reply.body.len), PL_OK);
	keys[0] = logs[0].key;
	assert_int_equal(note_key_make(&keys[1], "example.org/test-witness", NOTE_TYPE_COSIG,
	                               keys_sign_pk(wit_k)),
	                 PL_OK);
	assert_int_equal(note_read(&note, (char *)b.data, b.len), PL_OK);
	assert_int_equal(note_verify(&note, keys, 2, seen), PL_OK);
	assert_true(seen[1].verified);
	assert_true(seen[1].timestamp == 1800000000);
	buf_reset(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_request),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_cosignature_verifies),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
