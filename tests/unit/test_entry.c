/*
 * test_entry.c - transcript entries: each type round-trips byte for byte;
 * every truncation, trailing byte, bad label, version or type, seq 0, a
 * prev that breaks the seq rule, and a receipt that does not parse or is
 * for another envelope are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/receipt.h"
#include "crypto/cr.h"
#include "wire/entry.h"

static struct buf rcpt;
static uint8_t env_id[HASH_LEN];

static int
setup(void **state)
{
	uint8_t secret[KEYS_SECRET_LEN] = { 7 };
	struct keys *k;

	(void)state;
	if (cr_init() != PL_OK)
		return -1;
	memset(env_id, 0xab, HASH_LEN);
	k = keys_from_secret(secret);
	buf_init(&rcpt, RCPT_ENCODED_MAX);
	if (receipt_sign(&rcpt, env_id, "ru-nrrc", 1767225600250ULL, k) != PL_OK)
		return -1;
	keys_free(k);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	buf_reset(&rcpt);
	return 0;
}

static void
fill(struct entry *e, uint8_t type, uint64_t seq)
{
	memset(e, 0, sizeof(*e));
	e->type = type;
	memcpy(e->env_id, env_id, HASH_LEN);
	(void)snprintf(e->channel, sizeof(e->channel), "cyber");
	(void)snprintf(e->sender, sizeof(e->sender), "us-nrrc");
	e->seq = seq;
	if (seq > 1)
		memset(e->prev, 0x11, HASH_LEN);
	if (type != ENTRY_SENT) {
		e->receipt = rcpt.data;
		e->receipt_len = rcpt.len;
	}
}

static void
test_round_trip_and_cuts(void **state)
{
	static const uint8_t types[] = { ENTRY_SENT, ENTRY_RECEIVED, ENTRY_RECEIPT };
	struct entry e, back;
	struct buf b, again;
	size_t i, cut;

	(void)state;
	for (i = 0; i < 3; i++) {
		fill(&e, types[i], 1 + i);
		buf_init(&b, ENTRY_ENCODED_MAX);
		buf_init(&again, ENTRY_ENCODED_MAX);
		assert_int_equal(entry_write(&b, &e), PL_OK);
		assert_int_equal(entry_read(&back, b.data, b.len), PL_OK);
		assert_int_equal(back.type, types[i]);
		assert_int_equal(entry_write(&again, &back), PL_OK);
		assert_int_equal(again.len, b.len);
		assert_memory_equal(again.data, b.data, b.len);
		for (cut = 0; cut < b.len; cut++)
			if (entry_read(&back, b.data, cut) == PL_OK)
				fail_msg("type %u: accepted a cut at %zu of %zu", types[i], cut,
				         b.len);
		assert_int_equal(buf_add_u8(&b, 0), PL_OK);
		assert_int_not_equal(entry_read(&back, b.data, b.len), PL_OK);
		b.len--;
		b.data[0] ^= 1; /* label */
		assert_int_equal(entry_read(&back, b.data, b.len), PL_E_PROTO);
		b.data[0] ^= 1;
		b.data[16] = 2; /* version */
		assert_int_equal(entry_read(&back, b.data, b.len), PL_E_PROTO);
		b.data[16] = 1;
		b.data[17] = 4; /* type */
		assert_int_equal(entry_read(&back, b.data, b.len), PL_E_PROTO);
		buf_reset(&b);
		buf_reset(&again);
	}
}

static void
test_rules(void **state)
{
	struct entry e;
	struct buf b;
	uint8_t bad[RCPT_ENCODED_MAX];

	(void)state;
	buf_init(&b, ENTRY_ENCODED_MAX);
	fill(&e, ENTRY_SENT, 0);
	assert_int_equal(entry_write(&b, &e), PL_E_ARG);
	fill(&e, ENTRY_SENT, 1);
	memset(e.prev, 1, HASH_LEN);
	assert_int_equal(entry_write(&b, &e), PL_E_ARG);
	fill(&e, ENTRY_SENT, 2);
	memset(e.prev, 0, HASH_LEN);
	assert_int_equal(entry_write(&b, &e), PL_E_ARG);
	fill(&e, ENTRY_RECEIVED, 1);
	e.env_id[0] ^= 1;
	assert_int_equal(entry_write(&b, &e), PL_E_ARG);
	fill(&e, ENTRY_RECEIPT, 1);
	memcpy(bad, rcpt.data, rcpt.len);
	bad[0] ^= 1;
	e.receipt = bad;
	assert_int_equal(entry_write(&b, &e), PL_E_ARG);
	fill(&e, 9, 1);
	assert_int_equal(entry_write(&b, &e), PL_E_ARG);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
}

/* An entry bundle: 2-byte lengths; each entry read back in place; a cut one refused where it is cut. */
static void
test_bundle(void **state)
{
	struct buf one, b;
	struct entry e;
	struct rd rd;
	const uint8_t *p;
	size_t n, i;

	(void)state;
	buf_init(&one, ENTRY_ENCODED_MAX);
	buf_init(&b, 4 * (2 + ENTRY_ENCODED_MAX));
	fill(&e, ENTRY_RECEIVED, 7);
	assert_int_equal(entry_write(&one, &e), PL_OK);
	for (i = 0; i < 3; i++) {
		assert_int_equal(buf_add_u16be(&b, (uint16_t)one.len), PL_OK);
		assert_int_equal(buf_add(&b, one.data, one.len), PL_OK);
	}
	rd_init(&rd, "bundle", b.data, b.len);
	for (i = 0; i < 3; i++) {
		assert_int_equal(entry_bundle_next(&rd, &p, &n), PL_OK);
		assert_ptr_equal(p, b.data + i * (2 + one.len) + 2);
		assert_int_equal(n, one.len);
		assert_int_equal(entry_read(&e, p, n), PL_OK);
		assert_int_equal(e.seq, 7);
	}
	assert_int_equal(rd.left, 0);
	rd_init(&rd, "bundle", b.data, b.len - 1);
	assert_int_equal(entry_bundle_next(&rd, &p, &n), PL_OK);
	assert_int_equal(entry_bundle_next(&rd, &p, &n), PL_OK);
	pl_err_clear();
	assert_int_equal(entry_bundle_next(&rd, &p, &n), PL_E_TRUNC);
	assert_non_null(strstr(pl_err_msg(), "entry"));
	rd_init(&rd, "bundle", b.data, 1);
	assert_int_equal(entry_bundle_next(&rd, &p, &n), PL_E_TRUNC);
	buf_reset(&one);
	buf_reset(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_cuts),
		cmocka_unit_test(test_bundle),
		cmocka_unit_test(test_rules),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
