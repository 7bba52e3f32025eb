/*
 * file.c - file reads and durable writes.
 *
 * A write that returns PL_OK is on disk: the data and the directory entry
 * have been fsync()ed.  A crash at any point leaves either the old file or
 * the new one, never a mix (rename is atomic), and at worst a stray
 * "<path>.tmp.XXXXXX" beside it, which no later write trips over (each
 * write makes a fresh name with mkstemp).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

static enum pl_err
file_read_fd(struct buf *b, int fd, const char *path)
{
	size_t start = b->len;
	ssize_t r;

	for (;;) {
		if (b->len == b->max) {
			char c;

			if (read(fd, &c, 1) == 0)
				return PL_OK;
			b->len = start;
			return pl_errf(PL_E_TOOBIG, "%s: larger than %zu bytes", path, b->max);
		}
		if (buf_reserve(b, b->max - b->len < 65536 ? b->max - b->len : 65536) != PL_OK) {
			b->len = start;
			return PL_E_NOMEM;
		}
		r = read(fd, b->data + b->len, b->cap - b->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			b->len = start;
			return pl_errf(PL_E_IO, "%s: read: %s", path, strerror(errno));
		}
		if (r == 0)
			return PL_OK;
		b->len += (size_t)r;
	}
}

static enum pl_err
file_read_checked(struct buf *b, const char *path, int private)
{
	struct stat st;
	enum pl_err err;
	int fd;

	/* O_NONBLOCK: a FIFO must be refused below, not wait for a writer here. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return pl_errf(PL_E_IO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		err = pl_errf(PL_E_IO, "%s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		err = pl_errf(PL_E_IO, "%s: not a regular file", path);
	} else if (private && st.st_uid != geteuid()) {
		err = pl_errf(PL_E_IO, "%s: owned by uid %lu, not by this user (uid %lu)", path,
		              (unsigned long)st.st_uid, (unsigned long)geteuid());
	} else if (private && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		err = pl_errf(PL_E_IO,
		              "%s: mode %03o lets others read or write it; run: chmod 600 %s", path,
		              (unsigned)(st.st_mode & 0777), path);
	} else {
		err = file_read_fd(b, fd, path);
	}
	(void)close(fd);
	return err;
}

enum pl_err
file_read(struct buf *b, const char *path)
{
	return file_read_checked(b, path, 0);
}

enum pl_err
file_read_private(struct buf *b, const char *path)
{
	return file_read_checked(b, path, 1);
}

static enum pl_err
file_sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, rc;

	if (slash == NULL)
		(void)snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		(void)snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) >= sizeof(dir))
		return pl_errf(PL_E_IO, "%s: path too long", path);
	else
		(void)snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return pl_errf(PL_E_IO, "%s: %s", dir, strerror(errno));
	rc = fsync(fd);
	(void)close(fd);
	if (rc != 0)
		return pl_errf(PL_E_IO, "%s: fsync: %s", dir, strerror(errno));
	return PL_OK;
}

enum pl_err
file_write(const char *path, const void *data, size_t n, mode_t mode, int excl)
{
	char tmp[PATH_MAX];
	const unsigned char *p = data;
	enum pl_err err = PL_OK;
	struct stat st;
	int fd;

	if (excl && lstat(path, &st) == 0)
		return pl_errf(PL_E_IO, "%s: already exists; refusing to overwrite", path);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= sizeof(tmp))
		return pl_errf(PL_E_IO, "%s: path too long", path);
	/* mkstemp: a fresh name, created 0600 with O_EXCL; a stale one cannot block us. */
	if ((fd = mkstemp(tmp)) < 0)
		return pl_errf(PL_E_IO, "%s: cannot create a file beside it: %s", path,
		               strerror(errno));
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (fchmod(fd, mode) != 0)
		err = pl_errf(PL_E_IO, "%s: chmod: %s", path, strerror(errno));
	while (err == PL_OK && n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			err = pl_errf(PL_E_IO, "%s: write: %s", path, strerror(errno));
		else
			p += w, n -= (size_t)w;
	}
	if (err == PL_OK && fsync(fd) != 0)
		err = pl_errf(PL_E_IO, "%s: fsync: %s", path, strerror(errno));
	if (close(fd) != 0 && err == PL_OK)
		err = pl_errf(PL_E_IO, "%s: close: %s", path, strerror(errno));
	/* With excl, link() refuses to replace a file that appeared meanwhile. */
	if (err == PL_OK && excl && link(tmp, path) != 0)
		err = pl_errf(PL_E_IO, "%s: %s", path, strerror(errno));
	else if (err == PL_OK && !excl && rename(tmp, path) != 0)
		err = pl_errf(PL_E_IO, "%s: rename: %s", path, strerror(errno));
	(void)unlink(tmp);
	if (err == PL_OK)
		err = file_sync_dir(path);
	return err;
}
