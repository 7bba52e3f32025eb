/*
 * err.h - the one error type of parley, and where its details live.
 *
 * Every fallible function returns enum pl_err and is marked PL_MUST_USE.
 * Functions that detect an error describe it once with pl_errf(): what was
 * wrong and where ("envelope: body_len 70000 > 65536 at offset 42").  The
 * text is kept per thread until the next pl_errf() and read with
 * pl_err_msg(); callers that only propagate an error leave it alone.
 */
#ifndef PL_ERR_H
#define PL_ERR_H

#include <stddef.h>

#define PL_MUST_USE     __attribute__((warn_unused_result))
#define PL_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Static helpers that unit tests must reach (curl's UNITTEST). */
#ifdef PL_UNIT_TEST
#define PL_STATIC
#else
#define PL_STATIC static
#endif

enum pl_err {
	PL_OK = 0,
	PL_E_NOMEM,    /* allocation failed */
	PL_E_TRUNC,    /* input ended early */
	PL_E_TOOBIG,   /* input exceeds a declared limit */
	PL_E_PROTO,    /* malformed input */
	PL_E_CRYPTO,   /* signature, MAC or decryption failed */
	PL_E_IO,       /* errno is meaningful */
	PL_E_STORE,    /* backend error; details logged */
	PL_E_STATE,    /* misuse or broken invariant */
	PL_E_ARG,      /* bad argument from a user (command line, API call) */
	PL_E_PERM,     /* the user may not do this (role) */
	PL_E_NOTFOUND, /* what the user named does not exist */
};

/* Longest detail message kept; longer ones are cut, never overflowed. */
#define PL_ERR_MSG_MAX 256

/* Short name of an error code: "PL_E_PROTO" -> "malformed". Never NULL. */
const char *pl_err_name(enum pl_err err);

/*
 * Record the detail of an error and return err, so that detectors can write
 * "return pl_errf(PL_E_PROTO, "...", ...);".  Builds with PL_DEBUG append
 * the file:line of the call.
 */
#define pl_errf(err, ...) pl_errf_at(__FILE__, __LINE__, (err), __VA_ARGS__)
enum pl_err pl_errf_at(const char *file, int line, enum pl_err err, const char *fmt, ...)
        PL_PRINTF(4, 5);

/* The detail of the last error recorded on this thread, or "" if none. */
const char *pl_err_msg(void);

/* Forget the last detail (tests use it to check a message was set). */
void pl_err_clear(void);

/* Propagate an error (only in functions that own nothing). */
#define PL_TRY(expr)                                                                               \
	do {                                                                                       \
		enum pl_err pl_try_err_ = (expr);                                                  \
		if (pl_try_err_ != PL_OK)                                                          \
			return pl_try_err_;                                                        \
	} while (0)

/* Reject when cond is false (only in functions that own nothing). */
#define PL_ENSURE(cond, ...)                                                                       \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return pl_errf(__VA_ARGS__);                                               \
	} while (0)

/* A can't-happen condition: aborts in debug builds, reports PL_E_STATE otherwise. */
#ifdef NDEBUG
#define PL_NEVER(x) (x)
#else
#include <assert.h>
#define PL_NEVER(x) ((x) ? (assert(!#x), 1) : 0)
#endif

#endif
