/*
 * fuzz_body.c - body_read; and what it accepts, body_write must write and
 * body_read must accept again, byte for byte the same the second time.
 */
#include "fuzz.h"
#include "wire/body.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct body b, c;
	struct buf out, again;

	(void)fuzz_keys();
	if (size > 65520)
		return 0;
	if (body_read(&b, data, size) == PL_OK) {
		buf_init(&out, 1 << 20);
		buf_init(&again, 1 << 20);
		if (body_write(&out, &b) != PL_OK)
			abort();
		if (body_read(&c, out.data, out.len) != PL_OK || body_write(&again, &c) != PL_OK)
			abort();
		if (out.len != again.len || memcmp(out.data, again.data, out.len) != 0)
			abort();
		body_free(&c);
		buf_reset(&out);
		buf_reset(&again);
	}
	body_free(&b);
	return 0;
}
