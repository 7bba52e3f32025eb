/*
 * fuzz_checkpoint.c - checkpoint_parse on raw text; what parses must format
 * back to the same bytes.
 */
#include "fuzz.h"
#include "tlog/checkpoint.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checkpoint c;
	struct buf b;

	(void)fuzz_keys();
	if (checkpoint_parse(&c, (const char *)data, size) != PL_OK)
		return 0;
	buf_init(&b, NOTE_MAX * 2);
	if (checkpoint_fmt(&b, &c) == PL_OK && (b.len != size || memcmp(b.data, data, size) != 0))
		abort();
	buf_reset(&b);
	return 0;
}
