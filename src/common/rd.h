/*
 * rd.h - a read cursor over borrowed bytes: the only code that indexes raw
 * input.
 *
 * Every read names the field it reads, so a failure says what and where:
 * "envelope: truncated reading body_len (need 4 bytes, 1 left) at offset 42".
 * Offsets count from the start of the outermost input, also in sub-cursors
 * made with rd_view(), so nested structures report positions a user can
 * find in the file.  A failed read leaves the cursor unchanged.
 */
#ifndef PL_RD_H
#define PL_RD_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct rd {
	const uint8_t *p;
	size_t left;
	size_t off;       /* offset of p in the outermost input */
	const char *what; /* name of the structure being read, for messages */
};

/* Cursor over len bytes at p; what names the structure ("envelope"). */
void rd_init(struct rd *rd, const char *what, const void *p, size_t len);

PL_MUST_USE enum pl_err rd_u8(struct rd *rd, const char *field, uint8_t *out);
PL_MUST_USE enum pl_err rd_u16be(struct rd *rd, const char *field, uint16_t *out);
PL_MUST_USE enum pl_err rd_u32be(struct rd *rd, const char *field, uint32_t *out);
PL_MUST_USE enum pl_err rd_u64be(struct rd *rd, const char *field, uint64_t *out);
/* Copy n bytes into dst. */
PL_MUST_USE enum pl_err rd_bytes(struct rd *rd, const char *field, void *dst, size_t n);
/* Borrow the next n bytes as *out (no copy); *out points into the input. */
PL_MUST_USE enum pl_err rd_ptr(struct rd *rd, const char *field, size_t n, const uint8_t **out);
/* A sub-cursor over the next n bytes, which the parent skips. */
PL_MUST_USE enum pl_err rd_view(struct rd *rd, const char *field, size_t n, struct rd *sub);
/* PL_E_PROTO if any bytes remain. */
PL_MUST_USE enum pl_err rd_end(const struct rd *rd);

/*
 * Report err for the field that started at offset off:
 * "<what>: <message> at offset <off>".
 */
enum pl_err rd_fail(const struct rd *rd, enum pl_err err, size_t off, const char *fmt, ...)
        PL_PRINTF(4, 5);

#endif
