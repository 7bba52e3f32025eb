/*
 * cli.h - the parley command: one table of subcommands (main.c), one file
 * per subcommand (cmd_<name>.c), shared helpers (util.c).
 *
 * Exit codes: 0 success, 1 failure (the message says what and where),
 * 2 usage error.
 */
#ifndef PL_CLI_H
#define PL_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../wire/party.h"

#define CLI_VERSION "0.1.0"
#define EXIT_USAGE  2

int cmd_keygen_main(int argc, char **argv);
int cmd_key_main(int argc, char **argv);
int cmd_verify_main(int argc, char **argv);
int cmd_log_main(int argc, char **argv);
int cmd_init_main(int argc, char **argv);
int cmd_login_main(int argc, char **argv);
int cmd_status_main(int argc, char **argv);
int cmd_peer_main(int argc, char **argv);
int cmd_channel_main(int argc, char **argv);
int cmd_send_main(int argc, char **argv);
int cmd_inbox_main(int argc, char **argv);
int cmd_show_main(int argc, char **argv);
int cmd_ack_main(int argc, char **argv);
int cmd_export_main(int argc, char **argv);

/* "parley: <fmt>" on stderr; returns 1 so callers can "return cli_fail(...)". */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Report a library error: "parley: <what>: <pl_err_msg() or the error's name>"; returns 1. */
int cli_fail_err(const char *what, enum pl_err err);
/* Usage error: "parley: <cmd>: <message>" and a hint on stderr; returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * After getopt_long returned '?' or ':' (optstrings start with ':' and
 * opterr is 0): "unknown option '--x'" or "option '--x' needs an argument";
 * returns EXIT_USAGE.
 */
int cli_bad_option(const char *cmd, int ch, char **argv);

/*
 * Get a passphrase: from file (its first line) if given, else the
 * PARLEY_PASSPHRASE environment variable, else /dev/tty without echo (asked
 * twice when confirm is set).  out is a secret buffer; caller resets it.
 */
PL_MUST_USE enum pl_err cli_passphrase(struct buf *out, const char *file, int confirm);

/* Print a party record as "parley key show" does, and its fingerprint. */
void cli_party_print(const struct party *r, int encrypted);

/* Milliseconds since the epoch, UTC. */
uint64_t cli_now_ms(void);
/* ISO 8601 UTC, e.g. "2026-01-01T00:00:00.000Z"; out has >= 32 bytes. */
void cli_time_fmt(char *out, size_t n, uint64_t ms);

#endif
