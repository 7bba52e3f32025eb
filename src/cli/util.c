/*
 * util.c - helpers shared by the subcommands: errors, passphrases, time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../common/file.h"
#include "../crypto/cr.h"
#include "cli.h"

/* Longer passphrases are allowed by Argon2id but nobody types them. */
#define CLI_PASS_MAX 1024

int
cli_fail(const char *fmt, ...)
{
	va_list ap;

	(void)fputs("parley: ", stderr);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
	return 1;
}

int
cli_fail_err(const char *what, enum pl_err err)
{
	const char *msg = pl_err_msg();

	return cli_fail("%s: %s", what, *msg != '\0' ? msg : pl_err_name(err));
}

int
cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	(void)fputs("parley: ", stderr);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fprintf(stderr, "\n(see 'parley %s --help')\n", cmd);
	return EXIT_USAGE;
}

/* Keep the first line of b, without its line ending, NUL-terminated. */
static enum pl_err
first_line(struct buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		if (b->data[i] == '\n' || b->data[i] == '\r' || b->data[i] == '\0')
			break;
	cr_wipe(b->data + i, b->len - i);
	b->len = i;
	return buf_add_u8(b, 0);
}

static enum pl_err
tty_read(struct buf *out, int fd, const char *prompt)
{
	struct termios old, quiet;
	char c;
	ssize_t r;
	enum pl_err err = PL_OK;

	if (write(fd, prompt, strlen(prompt)) < 0)
		return pl_errf(PL_E_IO, "passphrase: cannot write to the terminal");
	if (tcgetattr(fd, &old) != 0)
		return pl_errf(PL_E_IO, "passphrase: cannot set up the terminal: %s",
		               strerror(errno));
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	(void)tcsetattr(fd, TCSAFLUSH, &quiet);
	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n' || c == '\r')
			break;
		if ((err = buf_add_u8(out, (uint8_t)c)) != PL_OK)
			break;
	}
	cr_wipe(&c, sizeof(c));
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0 && err == PL_OK)
		err = pl_errf(PL_E_IO, "passphrase: cannot write to the terminal");
	if (err == PL_OK)
		err = buf_add_u8(out, 0);
	return err;
}

enum pl_err
cli_passphrase(struct buf *out, const char *file, int confirm)
{
	const char *env = getenv("PARLEY_PASSPHRASE");
	struct buf again;
	enum pl_err err;
	int fd;

	buf_reset(out);
	buf_init_secret(out, CLI_PASS_MAX);
	if (file != NULL) {
		PL_TRY(file_read(out, file));
		return first_line(out);
	}
	if (env != NULL)
		return buf_add(out, env, strlen(env) + 1);
	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) < 0)
		return pl_errf(PL_E_ARG, "passphrase: no terminal to ask on; use --passphrase-file "
		                         "FILE or set PARLEY_PASSPHRASE");
	err = tty_read(out, fd, "passphrase: ");
	if (err == PL_OK && confirm) {
		buf_init_secret(&again, CLI_PASS_MAX);
		err = tty_read(&again, fd, "passphrase again: ");
		if (err == PL_OK &&
		    (again.len != out->len || !cr_eq(again.data, out->data, out->len)))
			err = pl_errf(PL_E_ARG, "passphrase: the two entries differ");
		buf_reset(&again);
	}
	(void)close(fd);
	return err;
}

uint64_t
cli_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
cli_time_fmt(char *out, size_t n, uint64_t ms)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	char day[24];

	if (gmtime_r(&s, &tm) == NULL || strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		(void)snprintf(out, n, "(time %llu ms)", (unsigned long long)ms);
	else
		(void)snprintf(out, n, "%s.%03uZ", day, (unsigned)(ms % 1000));
}
