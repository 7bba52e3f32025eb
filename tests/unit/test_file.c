/*
 * test_file.c - durable writes and capped, permission-checked reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/file.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	(void)snprintf(dir, sizeof(dir), "/tmp/parley-test-file-XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
path(char *out, size_t n, const char *name)
{
	(void)snprintf(out, n, "%s/%s", dir, name);
}

static void
test_write_mode_and_excl(void **state)
{
	char p[128];
	struct stat st;
	struct buf b;
	mode_t old = umask(0);

	(void)state;
	path(p, sizeof(p), "key");
	assert_int_equal(file_write(p, "secret", 6, 0600, 1), PL_OK);
	(void)umask(old);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(file_write(p, "other", 5, 0600, 1), PL_E_IO);
	assert_non_null(strstr(pl_err_msg(), "already exists"));
	buf_init(&b, 100);
	assert_int_equal(file_read_private(&b, p), PL_OK);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.data, "secret", 6);
	/* Without excl, the file is replaced atomically. */
	assert_int_equal(file_write(p, "new", 3, 0600, 0), PL_OK);
	b.len = 0;
	assert_int_equal(file_read(&b, p), PL_OK);
	assert_int_equal(b.len, 3);
	buf_reset(&b);
}

static void
test_private_read_refuses_open_files(void **state)
{
	char p[128];
	struct buf b;

	(void)state;
	path(p, sizeof(p), "open");
	assert_int_equal(file_write(p, "x", 1, 0644, 1), PL_OK);
	buf_init(&b, 100);
	assert_int_equal(file_read_private(&b, p), PL_E_IO);
	assert_non_null(strstr(pl_err_msg(), "chmod 600"));
	assert_int_equal(b.len, 0);
	assert_int_equal(file_read(&b, p), PL_OK);
	assert_int_equal(chmod(p, 0640), 0);
	b.len = 0;
	assert_int_equal(file_read_private(&b, p), PL_E_IO);
	buf_reset(&b);
}

static void
test_read_errors(void **state)
{
	char p[128], big[1000];
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	path(p, sizeof(p), "missing");
	assert_int_equal(file_read(&b, p), PL_E_IO);
	assert_non_null(strstr(pl_err_msg(), p));
	assert_int_equal(file_read(&b, dir), PL_E_IO);
	assert_non_null(strstr(pl_err_msg(), "not a regular file"));
	memset(big, 'a', sizeof(big));
	path(p, sizeof(p), "big");
	assert_int_equal(file_write(p, big, sizeof(big), 0600, 1), PL_OK);
	assert_int_equal(file_read(&b, p), PL_E_TOOBIG);
	assert_non_null(strstr(pl_err_msg(), "larger than 100 bytes"));
	assert_int_equal(b.len, 0);
	buf_reset(&b);
	/* Exactly at the cap is fine. */
	buf_init(&b, sizeof(big));
	assert_int_equal(file_read(&b, p), PL_OK);
	assert_int_equal(b.len, sizeof(big));
	buf_reset(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_mode_and_excl),
		cmocka_unit_test(test_private_read_refuses_open_files),
		cmocka_unit_test(test_read_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
