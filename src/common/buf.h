/*
 * buf.h - owned, growable byte buffers with a hard cap.
 *
 * A buf never grows past max: an append that would exceed it fails with
 * PL_E_TOOBIG and leaves the buffer as it was.  A buffer marked secret is
 * wiped before its storage is released or moved.
 *
 * Pointer lifetime: a pointer into data lasts until the next append, which
 * may move the storage.
 */
#ifndef PL_BUF_H
#define PL_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct buf {
	uint8_t *data;
	size_t len, cap, max;
	unsigned secret : 1; /* wipe on grow and on free */
};

/* Empty buffer that may grow to max bytes; owns nothing until the first append. */
void buf_init(struct buf *b, size_t max);
void buf_init_secret(struct buf *b, size_t max);

/* Release the storage (wiped first if secret) and leave an empty buffer. */
void buf_reset(struct buf *b);

/* Make room for n more bytes. */
PL_MUST_USE enum pl_err buf_reserve(struct buf *b, size_t n);

PL_MUST_USE enum pl_err buf_add(struct buf *b, const void *p, size_t n);
PL_MUST_USE enum pl_err buf_add_zero(struct buf *b, size_t n);
PL_MUST_USE enum pl_err buf_add_u8(struct buf *b, uint8_t v);
PL_MUST_USE enum pl_err buf_add_u16be(struct buf *b, uint16_t v);
PL_MUST_USE enum pl_err buf_add_u32be(struct buf *b, uint32_t v);
PL_MUST_USE enum pl_err buf_add_u64be(struct buf *b, uint64_t v);
/* Append a NUL-terminated string without its NUL. */
PL_MUST_USE enum pl_err buf_add_str(struct buf *b, const char *s);
PL_MUST_USE enum pl_err buf_addf(struct buf *b, const char *fmt, ...) PL_PRINTF(2, 3);

/* Store v big-endian at p (for patching lengths written earlier). */
void buf_put_u32be(uint8_t *p, uint32_t v);

#endif
