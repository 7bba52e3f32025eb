/*
 * rd.c - bounds-checked reads.  Every read checks left before touching p;
 * nothing here allocates.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rd.h"

void
rd_init(struct rd *rd, const char *what, const void *p, size_t len)
{
	rd->p = p;
	rd->left = len;
	rd->off = 0;
	rd->what = what;
}

enum pl_err
rd_fail(const struct rd *rd, enum pl_err err, size_t off, const char *fmt, ...)
{
	/* Short enough that "<what>: ... at offset N" always fits: the position is never cut. */
	char msg[PL_ERR_MSG_MAX - 64];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pl_errf(err, "%.24s: %s at offset %zu", rd->what, msg, off);
}

static enum pl_err
rd_need(const struct rd *rd, const char *field, size_t n)
{
	if (rd->left < n)
		return rd_fail(rd, PL_E_TRUNC, rd->off,
		               "truncated reading %s (need %zu bytes, %zu left)", field, n,
		               rd->left);
	return PL_OK;
}

enum pl_err
rd_ptr(struct rd *rd, const char *field, size_t n, const uint8_t **out)
{
	PL_TRY(rd_need(rd, field, n));
	*out = rd->p;
	if (n == 0)
		return PL_OK; /* p may be NULL for empty input: no arithmetic on it */
	rd->p += n;
	rd->left -= n;
	rd->off += n;
	return PL_OK;
}

enum pl_err
rd_bytes(struct rd *rd, const char *field, void *dst, size_t n)
{
	const uint8_t *p;

	PL_TRY(rd_ptr(rd, field, n, &p));
	if (n > 0)
		memcpy(dst, p, n);
	return PL_OK;
}

enum pl_err
rd_u8(struct rd *rd, const char *field, uint8_t *out)
{
	const uint8_t *p;

	PL_TRY(rd_ptr(rd, field, 1, &p));
	*out = p[0];
	return PL_OK;
}

enum pl_err
rd_u16be(struct rd *rd, const char *field, uint16_t *out)
{
	const uint8_t *p;

	PL_TRY(rd_ptr(rd, field, 2, &p));
	*out = (uint16_t)((unsigned)p[0] << 8 | p[1]);
	return PL_OK;
}

enum pl_err
rd_u32be(struct rd *rd, const char *field, uint32_t *out)
{
	const uint8_t *p;

	PL_TRY(rd_ptr(rd, field, 4, &p));
	*out = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return PL_OK;
}

enum pl_err
rd_u64be(struct rd *rd, const char *field, uint64_t *out)
{
	const uint8_t *p;
	uint64_t v = 0;
	int i;

	PL_TRY(rd_ptr(rd, field, 8, &p));
	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	*out = v;
	return PL_OK;
}

enum pl_err
rd_view(struct rd *rd, const char *field, size_t n, struct rd *sub)
{
	size_t off = rd->off;
	const uint8_t *p;

	PL_TRY(rd_ptr(rd, field, n, &p));
	sub->p = p;
	sub->left = n;
	sub->off = off;
	sub->what = rd->what;
	return PL_OK;
}

enum pl_err
rd_end(const struct rd *rd)
{
	if (rd->left != 0)
		return rd_fail(rd, PL_E_PROTO, rd->off, "%zu trailing bytes", rd->left);
	return PL_OK;
}
