/*
 * err.c - per-thread error detail.
 *
 * The detail buffer is thread-local so that concurrent requests never mix
 * their messages.  Formatting is bounded by PL_ERR_MSG_MAX; a longer message
 * is cut, which only ever loses text, never memory safety.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

static _Thread_local char err_msg[PL_ERR_MSG_MAX];

const char *
pl_err_name(enum pl_err err)
{
	switch (err) {
	case PL_OK:
		return "ok";
	case PL_E_NOMEM:
		return "out of memory";
	case PL_E_TRUNC:
		return "truncated";
	case PL_E_TOOBIG:
		return "too big";
	case PL_E_PROTO:
		return "malformed";
	case PL_E_CRYPTO:
		return "cryptographic check failed";
	case PL_E_IO:
		return "i/o error";
	case PL_E_STORE:
		return "store error";
	case PL_E_STATE:
		return "invalid state";
	case PL_E_ARG:
		return "invalid argument";
	case PL_E_PERM:
		return "not allowed";
	case PL_E_NOTFOUND:
		return "not found";
	}
	return "unknown error";
}

enum pl_err
pl_errf_at(const char *file, int line, enum pl_err err, const char *fmt, ...)
{
	char tmp[PL_ERR_MSG_MAX];
	va_list ap;
	int n;

	/* Format aside first: callers may pass pl_err_msg() itself as an argument. */
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		tmp[0] = '\0';
#ifdef PL_DEBUG
	else if ((size_t)n < sizeof(tmp))
		(void)snprintf(tmp + n, sizeof(tmp) - (size_t)n, " [%s:%d]", file, line);
#else
	(void)file;
	(void)line;
#endif
	memcpy(err_msg, tmp, sizeof(err_msg));
	return err;
}

const char *
pl_err_msg(void)
{
	return err_msg;
}

void
pl_err_clear(void)
{
	err_msg[0] = '\0';
}
