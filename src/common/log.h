/*
 * log.h - OpenBSD-style logging: stderr in the foreground, syslog as a
 * daemon.  Log the peer, channel, sequence and error name; never a payload,
 * a body or a key.
 */
#ifndef PL_LOG_H
#define PL_LOG_H

#include "err.h"

/* to_stderr: 1 in the foreground; verbose: 0 quiet, 1 info, 2 debug. */
void log_init(const char *progname, int to_stderr, int verbose);

void log_warn(const char *fmt, ...) PL_PRINTF(1, 2); /* appends strerror(errno) */
void log_warnx(const char *fmt, ...) PL_PRINTF(1, 2);
void log_info(const char *fmt, ...) PL_PRINTF(1, 2);
void log_debug(const char *fmt, ...) PL_PRINTF(1, 2);
_Noreturn void fatal(const char *fmt, ...) PL_PRINTF(1, 2); /* appends strerror(errno) */
_Noreturn void fatalx(const char *fmt, ...) PL_PRINTF(1, 2);

#endif
