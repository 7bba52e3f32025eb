/*
 * tile.h - the paths of C2SP tlog-tiles (c2sp.org/tlog-tiles), under a
 * log's prefix:
 *
 *   tile/<L>/<N>[.p/<W>]        hashes: level L (0..63), index N, width W
 *   tile/entries/<N>[.p/<W>]    entry bundle N
 *
 * N is written in groups of three digits, zero-padded, all but the last
 * prefixed with 'x' (1234067 is x001/x234/067); W (1..255) marks a partial
 * tile, a full one (256) has no ".p/W".  A tile at level L holds the hashes
 * of subtrees of 2^(8L) leaves, index N * 256 onwards.  The parser accepts
 * exactly one spelling of each path: no leading zeros, no empty group.
 */
#ifndef PL_TILE_H
#define PL_TILE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../common/err.h"

#define TILE_WIDTH     256
#define TILE_LEVEL_MAX 63
/* "entries/" and 7 groups of "xNNN/" with ".p/255": under 64 bytes. */
#define TILE_PATH_MAX 64

struct tile_path {
	int entries;    /* an entry bundle, not hashes */
	unsigned level; /* hashes: 0..TILE_LEVEL_MAX */
	uint64_t index;
	unsigned width; /* 1..TILE_WIDTH */
};

/* Parse the path after "tile/" ([p, p+n)); PL_E_ARG saying what is wrong. */
PL_MUST_USE enum pl_err tile_path_parse(struct tile_path *out, const char *p, size_t n);
/* Append the path after "tile/" of t. */
PL_MUST_USE enum pl_err tile_path_fmt(struct buf *out, const struct tile_path *t);

#endif
