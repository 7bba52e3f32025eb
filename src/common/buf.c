/*
 * buf.c - bounded growable buffers.
 *
 * Growth doubles the capacity (capped at max) so appends are amortised
 * O(1).  Secret buffers never use realloc: the old storage is copied, wiped
 * and freed so no key material is left behind in freed memory.  Debug builds
 * (PL_DEBUG) poison storage that an append moved away from, so a stale
 * pointer shows up under ASan or as garbage rather than as silent success.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"

void
buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void
buf_init_secret(struct buf *b, size_t max)
{
	buf_init(b, max);
	b->secret = 1;
}

void
buf_reset(struct buf *b)
{
	if (b->data != NULL && b->secret)
		explicit_bzero(b->data, b->cap);
	pl_free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

enum pl_err
buf_reserve(struct buf *b, size_t n)
{
	size_t want, cap;
	uint8_t *p;

	if (n > b->max || b->len > b->max - n)
		return pl_errf(PL_E_TOOBIG, "buffer: %zu + %zu bytes > limit %zu", b->len, n,
		               b->max);
	want = b->len + n;
	if (want <= b->cap)
		return PL_OK;
	cap = b->cap < 64 ? 64 : b->cap;
	while (cap < want)
		cap = cap > b->max / 2 ? b->max : cap * 2;
	if (cap > b->max)
		cap = b->max;
	if ((p = pl_malloc(cap)) == NULL)
		return pl_errf(PL_E_NOMEM, "buffer: cannot allocate %zu bytes", cap);
	if (b->len > 0)
		memcpy(p, b->data, b->len);
	if (b->data != NULL) {
		if (b->secret)
			explicit_bzero(b->data, b->cap);
#ifdef PL_DEBUG
		else
			memset(b->data, 0xa5, b->cap);
#endif
		pl_free(b->data);
	}
	b->data = p;
	b->cap = cap;
	return PL_OK;
}

enum pl_err
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return PL_OK;
	PL_TRY(buf_reserve(b, n));
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return PL_OK;
}

enum pl_err
buf_add_zero(struct buf *b, size_t n)
{
	if (n == 0)
		return PL_OK;
	PL_TRY(buf_reserve(b, n));
	memset(b->data + b->len, 0, n);
	b->len += n;
	return PL_OK;
}

enum pl_err
buf_add_u8(struct buf *b, uint8_t v)
{
	return buf_add(b, &v, 1);
}

enum pl_err
buf_add_u16be(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return buf_add(b, x, sizeof(x));
}

void
buf_put_u32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

enum pl_err
buf_add_u32be(struct buf *b, uint32_t v)
{
	uint8_t x[4];

	buf_put_u32be(x, v);
	return buf_add(b, x, sizeof(x));
}

enum pl_err
buf_add_u64be(struct buf *b, uint64_t v)
{
	uint8_t x[8];

	/* One append, so a failure leaves nothing half-written. */
	buf_put_u32be(x, (uint32_t)(v >> 32));
	buf_put_u32be(x + 4, (uint32_t)v);
	return buf_add(b, x, sizeof(x));
}

enum pl_err
buf_add_str(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

enum pl_err
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return pl_errf(PL_E_STATE, "buffer: bad format");
	/* One more byte for vsnprintf's NUL, which is then not counted. */
	PL_TRY(buf_reserve(b, (size_t)n + 1));
	va_start(ap, fmt);
	(void)vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return PL_OK;
}
