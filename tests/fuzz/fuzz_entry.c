/* fuzz_entry.c - entry_read, and entry_write of whatever it accepts gives the same bytes. */
#include "fuzz.h"
#include "wire/entry.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct entry e;
	struct buf b;

	(void)fuzz_keys; /* shared set-up this target does not need */

	if (entry_read(&e, data, size) != PL_OK)
		return 0;
	buf_init(&b, ENTRY_ENCODED_MAX);
	if (entry_write(&b, &e) != PL_OK || b.len != size || memcmp(b.data, data, size) != 0)
		abort();
	buf_reset(&b);
	return 0;
}
