/*
 * file.h - whole-file reads with a cap, and durable atomic writes.
 */
#ifndef PL_FILE_H
#define PL_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/* Append the file's contents to b; PL_E_TOOBIG (naming the file) past b->max. */
PL_MUST_USE enum pl_err file_read(struct buf *b, const char *path);

/*
 * Like file_read, but first refuse a file that is not a regular file or that
 * its group or others can read or write ("chmod 600 FILE").
 */
PL_MUST_USE enum pl_err file_read_private(struct buf *b, const char *path);

/*
 * Write data to path durably: a temporary file beside it with the given
 * mode, fsync, rename, fsync of the directory.  With excl, refuse to replace
 * an existing file.
 */
PL_MUST_USE enum pl_err file_write(const char *path, const void *data, size_t n, mode_t mode,
                                   int excl);

#endif
