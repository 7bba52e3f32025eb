/*
 * test_file.c - capped reads, private reads that refuse open permissions
 * and non-regular files, and durable writes with an exact mode.  Every test
 * works in its own mkdtemp directory under /tmp, removed at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/alloc.h"
#include "common/file.h"
#include "crypto/cr.h"

static char dir[64];

static int
group_setup(void **state)
{
	(void)state;
	if (cr_init() != PL_OK)
		return -1;
	(void)snprintf(dir, sizeof(dir), "/tmp/parley-test-file-XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	if (strncmp(dir, "/tmp/parley-test-file-", 22) != 0)
		return -1;
	(void)snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
path(char *out, size_t n, const char *name)
{
	(void)snprintf(out, n, "%s/%s", dir, name);
}

static void
expect_msg(const char *want)
{
	if (strstr(pl_err_msg(), want) == NULL)
		fail_msg("want '%s' in '%s'", want, pl_err_msg());
}

static mode_t
mode_of(const char *p)
{
	struct stat st;

	assert_int_equal(lstat(p, &st), 0);
	return st.st_mode & 07777;
}

/* Write n bytes of a known pattern to name (with file_write, checked). */
static void
make(char *p, size_t cap, const char *name, size_t n, mode_t mode)
{
	static uint8_t data[300000];
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + i / 251);
	assert_true(n <= sizeof(data));
	path(p, cap, name);
	(void)unlink(p);
	assert_int_equal(file_write(p, data, n, mode, 1), PL_OK);
	assert_int_equal(chmod(p, mode), 0);
}

/* No "<name>.tmp.<pid>" left behind in the test directory. */
static void
expect_no_temp_files(void)
{
	struct dirent *e;
	DIR *d;

	assert_non_null(d = opendir(dir));
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".tmp.") != NULL) {
			(void)closedir(d);
			fail_msg("temporary file left behind: %s", e->d_name);
		}
	(void)closedir(d);
}

/* ---- read refusals ---- */

static void
test_read_missing_file(void **state)
{
	char p[128];
	struct buf b;

	(void)state;
	path(p, sizeof(p), "missing");
	buf_init(&b, 100);
	assert_int_equal(buf_add_str(&b, "keep"), PL_OK);
	assert_int_equal(file_read(&b, p), PL_E_IO);
	expect_msg(p);
	expect_msg(strerror(ENOENT));
	assert_int_equal(file_read_private(&b, p), PL_E_IO);
	expect_msg(p);
	path(p, sizeof(p), "no-such-dir/key");
	assert_int_equal(file_read(&b, p), PL_E_IO);
	expect_msg(p);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "keep", 4);
	buf_reset(&b);
}

static void
test_read_not_regular(void **state)
{
	char p[128];
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	path(p, sizeof(p), "subdir");
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(file_read(&b, p), PL_E_IO);
	expect_msg(p);
	expect_msg("not a regular file");
	assert_int_equal(file_read_private(&b, p), PL_E_IO);
	expect_msg("not a regular file");
	assert_int_equal(file_read(&b, "/dev/null"), PL_E_IO);
	expect_msg("/dev/null: not a regular file");
	assert_int_equal(file_read_private(&b, "/dev/zero"), PL_E_IO);
	expect_msg("not a regular file");
	assert_int_equal(b.len, 0);
	buf_reset(&b);
}

static void
test_read_private_refuses_open_modes(void **state)
{
	static const mode_t open_modes[] = { 0644, 0640, 0604, 0660, 0606, 0620, 0602,
		                             0610, 0601, 0666, 0777, 0670, 0607 };
	static const mode_t closed_modes[] = { 0600, 0400, 0700, 0200 };
	char p[128], want[200];
	struct buf b;
	size_t i;

	(void)state;
	make(p, sizeof(p), "key", 10, 0600);
	buf_init(&b, 100);
	for (i = 0; i < sizeof(open_modes) / sizeof(open_modes[0]); i++) {
		assert_int_equal(chmod(p, open_modes[i]), 0);
		pl_err_clear();
		if (file_read_private(&b, p) != PL_E_IO)
			fail_msg("mode %03o accepted", (unsigned)open_modes[i]);
		(void)snprintf(want, sizeof(want), "%s: mode %03o lets others read or write it", p,
		               (unsigned)open_modes[i]);
		expect_msg(want);
		(void)snprintf(want, sizeof(want), "run: chmod 600 %s", p);
		expect_msg(want);
		assert_int_equal(b.len, 0);
		/* Plain reads do not care. */
		assert_int_equal(file_read(&b, p), PL_OK);
		assert_int_equal(b.len, 10);
		b.len = 0;
	}
	for (i = 0; i < sizeof(closed_modes) / sizeof(closed_modes[0]); i++) {
		assert_int_equal(chmod(p, closed_modes[i]), 0);
		if (geteuid() != 0 && !(closed_modes[i] & 0400))
			continue; /* unreadable to a non-root owner */
		if (file_read_private(&b, p) != PL_OK)
			fail_msg("mode %03o refused: %s", (unsigned)closed_modes[i], pl_err_msg());
		assert_int_equal(b.len, 10);
		b.len = 0;
	}
	assert_int_equal(chmod(p, 0600), 0);
	buf_reset(&b);
}

static void
test_read_cap(void **state)
{
	char p[128], want[200];
	struct buf b;

	(void)state;
	make(p, sizeof(p), "big", 1000, 0600);
	buf_init(&b, 100);
	assert_int_equal(file_read(&b, p), PL_E_TOOBIG);
	(void)snprintf(want, sizeof(want), "%s: larger than 100 bytes", p);
	expect_msg(want);
	assert_int_equal(b.len, 0);
	assert_int_equal(file_read_private(&b, p), PL_E_TOOBIG);
	buf_reset(&b);

	/* The cap counts what the buffer already holds. */
	make(p, sizeof(p), "ninety-one", 91, 0600);
	buf_init(&b, 100);
	assert_int_equal(buf_add_str(&b, "0123456789"), PL_OK);
	assert_int_equal(file_read(&b, p), PL_E_TOOBIG);
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.data, "0123456789", 10);
	make(p, sizeof(p), "ninety", 90, 0600);
	assert_int_equal(file_read(&b, p), PL_OK);
	assert_int_equal(b.len, 100);
	assert_memory_equal(b.data, "0123456789", 10);
	/* A full buffer still takes an empty file. */
	make(p, sizeof(p), "empty", 0, 0600);
	assert_int_equal(file_read(&b, p), PL_OK);
	assert_int_equal(b.len, 100);
	buf_reset(&b);
}

static void
test_read_large_file(void **state)
{
	char p[128];
	struct buf b;
	size_t i;

	(void)state;
	/* Several read() chunks, exactly at the cap and one byte over it. */
	make(p, sizeof(p), "large", 200001, 0600);
	buf_init(&b, 200001);
	assert_int_equal(file_read(&b, p), PL_OK);
	assert_int_equal(b.len, 200001);
	for (i = 0; i < b.len; i++)
		if (b.data[i] != (uint8_t)(i * 7 + i / 251))
			fail_msg("byte %zu differs", i);
	buf_reset(&b);
	buf_init(&b, 200000);
	assert_int_equal(file_read(&b, p), PL_E_TOOBIG);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
	/* An empty file reads as nothing. */
	make(p, sizeof(p), "empty", 0, 0600);
	buf_init(&b, 10);
	assert_int_equal(file_read_private(&b, p), PL_OK);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
}

static void
test_read_allocation_failures(void **state)
{
	unsigned long n;
	enum pl_err err;
	char p[128];
	struct buf b;

	(void)state;
	make(p, sizeof(p), "alloc", 5000, 0600);
	for (n = 1;; n++) {
		buf_init(&b, 10000);
		(void)pl_alloc_fail_at(n);
		err = file_read_private(&b, p);
		(void)pl_alloc_fail_at(0);
		if (err == PL_OK)
			break;
		assert_int_equal(err, PL_E_NOMEM);
		assert_int_equal(b.len, 0);
		buf_reset(&b);
		assert_true(n < 16);
	}
	assert_true(n > 1);
	assert_int_equal(b.len, 5000);
	buf_reset(&b);
}

/*
 * Regression (fixed): file_read and file_read_private block forever on a FIFO with no
 * writer: open() waits for a writer before fstat() can refuse the file as
 * not regular.  Run in a child so the suite cannot hang.
 */
static void
test_read_fifo_refused_without_blocking(void **state)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int status, i;
	char p[128];
	pid_t pid, got = 0;

	(void)state;
	path(p, sizeof(p), "fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct buf b;

		buf_init(&b, 100);
		_exit(file_read_private(&b, p) == PL_E_IO ? 0 : 1);
	}
	for (i = 0; i < 300 && got == 0; i++) {
		got = waitpid(pid, &status, WNOHANG);
		if (got == 0)
			(void)nanosleep(&ts, NULL);
	}
	if (got == 0) {
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, &status, 0);
		(void)unlink(p);
		fail_msg("file_read_private(%s) still blocked after 3 s", p);
	}
	(void)unlink(p);
	assert_int_equal(got, pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- writes ---- */

static void
test_write_mode_under_any_umask(void **state)
{
	static const mode_t masks[] = { 0, 022, 077, 0777 };
	struct stat st;
	char p[128];
	size_t i;
	int rc;

	(void)state;
	path(p, sizeof(p), "mode");
	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		mode_t old = umask(masks[i]);
		enum pl_err err;

		(void)unlink(p);
		err = file_write(p, "secret", 6, 0600, 1);
		rc = stat(p, &st);
		(void)umask(old);
		if (err != PL_OK)
			fail_msg("umask %03o: %s", (unsigned)masks[i], pl_err_msg());
		assert_int_equal(rc, 0);
		assert_true(S_ISREG(st.st_mode));
		if ((st.st_mode & 07777) != 0600)
			fail_msg("umask %03o: mode %03o", (unsigned)masks[i],
			         (unsigned)(st.st_mode & 07777));
		assert_int_equal(st.st_size, 6);
	}
	/* Replacing (no excl) under umask 0 also gives exactly the mode asked for. */
	{
		mode_t old = umask(0);
		enum pl_err err = file_write(p, "other", 5, 0600, 0);

		(void)umask(old);
		assert_int_equal(err, PL_OK);
		assert_int_equal(mode_of(p), 0600);
	}
	expect_no_temp_files();
}

static void
test_write_excl_refuses(void **state)
{
	char p[128], link_path[128], target[128];
	struct buf b;

	(void)state;
	path(p, sizeof(p), "excl");
	(void)unlink(p);
	assert_int_equal(file_write(p, "first", 5, 0600, 1), PL_OK);
	assert_int_equal(file_write(p, "second", 6, 0600, 1), PL_E_IO);
	expect_msg(p);
	expect_msg("already exists; refusing to overwrite");
	buf_init(&b, 100);
	assert_int_equal(file_read_private(&b, p), PL_OK);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "first", 5);
	buf_reset(&b);

	/* A dangling symlink counts as existing: nothing is written through it. */
	path(link_path, sizeof(link_path), "dangling");
	path(target, sizeof(target), "target");
	(void)unlink(target);
	assert_int_equal(symlink(target, link_path), 0);
	assert_int_equal(file_write(link_path, "x", 1, 0600, 1), PL_E_IO);
	expect_msg("already exists");
	assert_int_equal(access(target, F_OK), -1);
	/* So does a directory. */
	path(p, sizeof(p), "a-dir");
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(file_write(p, "x", 1, 0600, 1), PL_E_IO);
	expect_no_temp_files();
}

static void
test_write_errors(void **state)
{
	char p[PATH_MAX + 64];
	size_t n;

	(void)state;
	path(p, sizeof(p), "no-such-dir/key");
	assert_int_equal(file_write(p, "x", 1, 0600, 0), PL_E_IO);
	expect_msg("no-such-dir/key");
	assert_int_equal(file_write(p, "x", 1, 0600, 1), PL_E_IO);
	/* Replacing a directory fails, and the temporary file is cleaned up. */
	path(p, sizeof(p), "dir-target");
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(file_write(p, "x", 1, 0600, 0), PL_E_IO);
	expect_msg(p);
	expect_no_temp_files();
	/* A path too long for its temporary name. */
	n = (size_t)snprintf(p, sizeof(p), "%s/", dir);
	memset(p + n, 'a', PATH_MAX - n);
	p[PATH_MAX - 4] = '\0';
	assert_int_equal(file_write(p, "x", 1, 0600, 0), PL_E_IO);
	/* (The message names the path first; PL_ERR_MSG_MAX cuts off the rest.) */
	expect_msg("/tmp/parley-test-file-");
	assert_int_equal(access(p, F_OK), -1);
}

/*
 * Stale temporary files (a crashed writer, a reused pid) do not block a
 * write, and messages name the file the caller asked for, not a temp name.
 */
static void
test_write_ignores_stale_temp_files(void **state)
{
	char p[128], stale[160];
	struct buf b;
	int fd;

	(void)state;
	path(p, sizeof(p), "stale-target");
	(void)unlink(p);
	(void)snprintf(stale, sizeof(stale), "%s.tmp.%ld", p, (long)getpid());
	assert_true((fd = open(stale, O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 0);
	(void)close(fd);
	assert_int_equal(file_write(p, "fresh", 5, 0600, 1), PL_OK);
	buf_init(&b, 100);
	assert_int_equal(file_read_private(&b, p), PL_OK);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "fresh", 5);
	buf_reset(&b);
	assert_int_equal(unlink(stale), 0);
	expect_no_temp_files();
	/* A failing write names the target. */
	path(p, sizeof(p), "dir-target-2");
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(file_write(p, "x", 1, 0600, 0), PL_E_IO);
	expect_msg(p);
	if (strstr(pl_err_msg(), ".tmp.") != NULL)
		fail_msg("message names the temporary file: %s", pl_err_msg());
	expect_no_temp_files();
}

/* A private file must be ours: a key file planted by another user is refused. */
static void
test_read_private_refuses_other_owner(void **state)
{
	char p[128];
	struct buf b;

	(void)state;
	if (geteuid() != 0)
		skip(); /* only root can give a file away */
	make(p, sizeof(p), "not-ours", 10, 0600);
	assert_int_equal(chown(p, 65534, 65534), 0);
	buf_init(&b, 100);
	assert_int_equal(file_read_private(&b, p), PL_E_IO);
	expect_msg("owned by uid 65534");
	assert_int_equal(b.len, 0);
	/* A plain read does not care who owns it. */
	assert_int_equal(file_read(&b, p), PL_OK);
	assert_int_equal(b.len, 10);
	buf_reset(&b);
}

static void
test_write_then_read(void **state)
{
	static const char text[] = "line one\nline two\n";
	char p[128];
	struct buf b;

	(void)state;
	path(p, sizeof(p), "rt");
	(void)unlink(p);
	assert_int_equal(file_write(p, text, sizeof(text) - 1, 0600, 1), PL_OK);
	buf_init(&b, 4096);
	assert_int_equal(buf_add_str(&b, ">"), PL_OK);
	assert_int_equal(file_read_private(&b, p), PL_OK);
	assert_int_equal(b.len, 1 + sizeof(text) - 1);
	assert_memory_equal(b.data + 1, text, sizeof(text) - 1);
	/* Without excl the file is replaced whole, also by a shorter one. */
	assert_int_equal(file_write(p, "new", 3, 0600, 0), PL_OK);
	b.len = 0;
	assert_int_equal(file_read(&b, p), PL_OK);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "new", 3);
	/* A 0644 file replaced with mode 0600 is private afterwards. */
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(file_write(p, "priv", 4, 0600, 0), PL_OK);
	assert_int_equal(mode_of(p), 0600);
	/* An empty write makes an empty file. */
	assert_int_equal(file_write(p, "", 0, 0600, 0), PL_OK);
	b.len = 0;
	assert_int_equal(file_read(&b, p), PL_OK);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
	expect_no_temp_files();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_missing_file),
		cmocka_unit_test(test_read_not_regular),
		cmocka_unit_test(test_read_private_refuses_open_modes),
		cmocka_unit_test(test_read_cap),
		cmocka_unit_test(test_read_allocation_failures),
		cmocka_unit_test(test_write_excl_refuses),
		cmocka_unit_test(test_write_errors),
		cmocka_unit_test(test_write_ignores_stale_temp_files),
		cmocka_unit_test(test_read_private_refuses_other_owner),
		cmocka_unit_test(test_write_mode_under_any_umask),
		cmocka_unit_test(test_read_large_file),
		cmocka_unit_test(test_write_then_read),
		cmocka_unit_test(test_read_fifo_refused_without_blocking),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
