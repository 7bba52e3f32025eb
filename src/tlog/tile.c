/*
 * tile.c - C2SP tlog-tiles paths (tile.h).
 */
#include <stdio.h>
#include <string.h>

#include "tile.h"

/* A decimal 1..max (or 0 when zero_ok) without leading zeros, all of [p, p+n). */
static int
small_dec(const char *p, size_t n, unsigned max, int zero_ok, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (n == 0 || n > 3 || (n > 1 && p[0] == '0'))
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	if (v > max || (v == 0 && !zero_ok))
		return 0;
	*out = v;
	return 1;
}

static int
group(const char *p, unsigned *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 3; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		*v = *v * 10 + (unsigned)(p[i] - '0');
	}
	return 1;
}

enum pl_err
tile_path_parse(struct tile_path *out, const char *p, size_t n)
{
	const char *end = p + n, *s = p, *slash;
	unsigned v;
	int groups = 0;

	memset(out, 0, sizeof(*out));
	if (n > TILE_PATH_MAX)
		return pl_errf(PL_E_ARG, "tile path: longer than %d bytes", TILE_PATH_MAX);
	if ((slash = memchr(s, '/', n)) == NULL)
		return pl_errf(PL_E_ARG, "tile path: want <level>/<index> or entries/<index>");
	if ((size_t)(slash - s) == 7 && memcmp(s, "entries", 7) == 0)
		out->entries = 1;
	else if (!small_dec(s, (size_t)(slash - s), TILE_LEVEL_MAX, 1, &out->level))
		return pl_errf(PL_E_ARG, "tile path: level is not 0..%d", TILE_LEVEL_MAX);
	s = slash + 1;
	/* Groups "xNNN/" then the last "NNN". */
	while (end - s >= 5 && s[0] == 'x') {
		if (!group(s + 1, &v) || s[4] != '/')
			return pl_errf(PL_E_ARG, "tile path: index group %d is not xNNN/",
			               groups + 1);
		if (groups == 0 && v == 0)
			return pl_errf(PL_E_ARG, "tile path: index has a leading x000 group");
		if (out->index > (UINT64_MAX - v) / 1000)
			return pl_errf(PL_E_ARG, "tile path: index beyond 64 bits");
		out->index = out->index * 1000 + v;
		groups++;
		s += 5;
	}
	if (end - s < 3 || !group(s, &v))
		return pl_errf(PL_E_ARG, "tile path: index does not end in three digits");
	if (out->index > (UINT64_MAX - v) / 1000)
		return pl_errf(PL_E_ARG, "tile path: index beyond 64 bits");
	out->index = out->index * 1000 + v;
	s += 3;
	out->width = TILE_WIDTH;
	if (s == end)
		return PL_OK;
	if (end - s < 4 || memcmp(s, ".p/", 3) != 0 ||
	    !small_dec(s + 3, (size_t)(end - s - 3), TILE_WIDTH - 1, 0, &out->width))
		return pl_errf(PL_E_ARG, "tile path: after the index, only .p/<width 1..255>");
	return PL_OK;
}

enum pl_err
tile_path_fmt(struct buf *out, const struct tile_path *t)
{
	char digits[24];
	size_t n, i;
	int len;

	if (t->entries)
		PL_TRY(buf_add_str(out, "entries/"));
	else
		PL_TRY(buf_addf(out, "%u/", t->level));
	len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)t->index);
	n = (size_t)len;
	/* Pad to a multiple of three digits, then write the groups. */
	{
		char padded[27];
		size_t pad = (3 - n % 3) % 3;

		memset(padded, '0', pad);
		memcpy(padded + pad, digits, n + 1);
		n += pad;
		for (i = 0; i + 3 < n; i += 3)
			PL_TRY(buf_addf(out, "x%.3s/", padded + i));
		PL_TRY(buf_addf(out, "%.3s", padded + i));
	}
	if (t->width < TILE_WIDTH)
		PL_TRY(buf_addf(out, ".p/%u", t->width));
	return PL_OK;
}
