/*
 * fuzz_tile_path.c - tile_path_parse on raw bytes.  What parses must be in
 * range and format back to the same bytes (one spelling per path).
 */
#include "fuzz.h"
#include "tlog/tile.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tile_path t;
	struct buf b;

	(void)fuzz_keys();
	if (tile_path_parse(&t, (const char *)data, size) != PL_OK)
		return 0;
	if (t.level > TILE_LEVEL_MAX || t.width == 0 || t.width > TILE_WIDTH)
		abort();
	buf_init(&b, 256);
	if (tile_path_fmt(&b, &t) != PL_OK || b.len != size || memcmp(b.data, data, size) != 0)
		abort();
	buf_reset(&b);
	return 0;
}
