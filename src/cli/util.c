/*
 * util.c - helpers shared by the subcommands: errors, passphrases, time.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../common/file.h"
#include "../core/identity.h"
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

	(void)fprintf(stderr, "parley: %s: ", cmd);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fprintf(stderr, "\n(see 'parley %s --help')\n", cmd);
	return EXIT_USAGE;
}

int
cli_bad_option(const char *cmd, int ch, char **argv)
{
	const char *opt = optind > 0 ? argv[optind - 1] : "?";

	if (ch == ':')
		return cli_usage(cmd, "option '%.64s' needs an argument", opt);
	if (optopt != 0 && optopt != ':')
		return cli_usage(cmd, "unknown option '-%c'", optopt);
	return cli_usage(cmd, "unknown option '%.64s'", opt);
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
	if (i > CLI_PASS_MAX) {
		buf_reset(b);
		return pl_errf(PL_E_TOOBIG, "--passphrase-file: first line longer than %d bytes",
		               CLI_PASS_MAX);
	}
	return buf_add_u8(b, 0);
}

/* Signals that would otherwise end the program with the terminal left silent. */
static const int tty_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define N_TTY_SIGNALS (sizeof(tty_signals) / sizeof(tty_signals[0]))
static volatile sig_atomic_t tty_caught;

static void
tty_catch(int sig)
{
	tty_caught = sig;
}

/*
 * Read one line from the terminal fd with echo off.  A signal while waiting
 * restores the terminal, then is delivered again (OpenBSD readpassphrase).
 */
static enum pl_err
tty_read(struct buf *out, int fd, const char *prompt)
{
	struct sigaction sa, saved[N_TTY_SIGNALS];
	struct termios old, quiet;
	size_t i;
	char c = 0;
	ssize_t r;
	enum pl_err err = PL_OK;

	if (tcgetattr(fd, &old) != 0)
		return pl_errf(PL_E_IO, "cannot set up the terminal: %s", strerror(errno));
	if (write(fd, prompt, strlen(prompt)) < 0)
		return pl_errf(PL_E_IO, "cannot write to the terminal: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tty_catch;
	(void)sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: read() must return EINTR */
	tty_caught = 0;
	for (i = 0; i < N_TTY_SIGNALS; i++)
		(void)sigaction(tty_signals[i], &sa, &saved[i]);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	(void)tcsetattr(fd, TCSAFLUSH, &quiet);
	while (tty_caught == 0) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = pl_errf(PL_E_IO, "cannot read the terminal: %s", strerror(errno));
			break;
		}
		if (r == 0 || c == '\n' || c == '\r')
			break;
		if (out->len >= CLI_PASS_MAX) {
			err = pl_errf(PL_E_TOOBIG, "longer than %d bytes", CLI_PASS_MAX);
			break;
		}
		if ((err = buf_add_u8(out, (uint8_t)c)) != PL_OK)
			break;
	}
	cr_wipe(&c, sizeof(c));
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0) {
		/* only cosmetic: the next output starts on the prompt's line */
	}
	for (i = 0; i < N_TTY_SIGNALS; i++)
		(void)sigaction(tty_signals[i], &saved[i], NULL);
	if (tty_caught != 0) {
		buf_reset(out);
		(void)raise(tty_caught);
		return pl_errf(PL_E_ARG, "interrupted");
	}
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
	size_t n;
	int fd;

	buf_reset(out);
	buf_init_secret(out, CLI_PASS_MAX + 1);
	if (file != NULL) {
		if (file_read(out, file) != PL_OK)
			return pl_errf(PL_E_IO, "--passphrase-file %s", pl_err_msg());
		return first_line(out);
	}
	if (env != NULL) {
		if ((n = strlen(env)) > CLI_PASS_MAX)
			return pl_errf(PL_E_TOOBIG, "PARLEY_PASSPHRASE is longer than %d bytes",
			               CLI_PASS_MAX);
		return buf_add(out, env, n + 1);
	}
	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return pl_errf(PL_E_ARG,
		               "no terminal to ask on (%s); use --passphrase-file FILE "
		               "or set PARLEY_PASSPHRASE",
		               strerror(errno));
	err = tty_read(out, fd, "passphrase: ");
	if (err == PL_OK && confirm) {
		buf_init_secret(&again, CLI_PASS_MAX + 1);
		err = tty_read(&again, fd, "passphrase again: ");
		if (err == PL_OK &&
		    (again.len != out->len || !cr_eq(again.data, out->data, out->len)))
			err = pl_errf(PL_E_ARG, "the two entries differ");
		buf_reset(&again);
	}
	(void)close(fd);
	if (err != PL_OK)
		buf_reset(out);
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

void
cli_party_print(const struct party *r, int encrypted)
{
	char fp[PARTY_FP_STR_LEN + 1], t[40], spk[2 * SIG_PK_LEN + 1], bpk[2 * BOX_PK_LEN + 1];
	const struct party_contact *c;
	size_t i;

	identity_fingerprint(fp, r->id, r->sign_pk);
	cli_time_fmt(t, sizeof(t), r->time_ms);
	cr_hex(spk, r->sign_pk, SIG_PK_LEN);
	cr_hex(bpk, r->box_pk, BOX_PK_LEN);
	(void)printf("party        %s\n", r->id);
	(void)printf("revision     %lu (%s)\n", (unsigned long)r->revision, t);
	(void)printf("signing key  ed25519 %s\n", spk);
	(void)printf("receive key  x25519 %s\n", bpk);
	for (i = 0; i < r->n_endpoints; i++)
		(void)printf("endpoint     %s%s\n", r->endpoints[i], i == 0 ? " (primary)" : "");
	for (i = 0; i < r->n_contacts; i++) {
		c = &r->contacts[i];
		(void)printf("contact      %s: %s [%s] %s; %s\n", c->role, c->name, c->languages,
		             c->hours, c->reach);
	}
	(void)printf("secret keys  %s\n",
	             encrypted ? "locked with a passphrase (Argon2id)" : "NOT encrypted");
	(void)printf("fingerprint  %s\n", fp);
}
