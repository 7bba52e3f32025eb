/*
 * fuzz_entry.c - entry_read, and entry_write of whatever it accepts gives
 * the same bytes; the same input read as an entry bundle (entry_bundle_next)
 * never reads outside it.
 */
#include "fuzz.h"
#include "wire/entry.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p;
	struct entry e;
	struct buf b;
	struct rd rd;
	size_t n;

	(void)fuzz_keys; /* shared set-up this target does not need */

	rd_init(&rd, "bundle", data, size);
	while (rd.left > 0 && entry_bundle_next(&rd, &p, &n) == PL_OK)
		if (p < data || p + n > data + size)
			abort();

	if (entry_read(&e, data, size) != PL_OK)
		return 0;
	buf_init(&b, ENTRY_ENCODED_MAX);
	if (entry_write(&b, &e) != PL_OK || b.len != size || memcmp(b.data, data, size) != 0)
		abort();
	buf_reset(&b);
	return 0;
}
