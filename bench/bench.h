/*
 * bench.h - what every benchmark program shares: a monotonic clock and
 * "stop here if an operation failed" (a benchmark fails only then).
 */
#ifndef PL_BENCH_H
#define PL_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/err.h"

/* Seconds on the monotonic clock. */
static inline double
now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		perror("bench: clock_gettime");
		exit(1);
	}
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Exit 1 naming what failed, unless err is PL_OK. */
static inline void
must(enum pl_err err, const char *what)
{
	if (err != PL_OK) {
		(void)fprintf(stderr, "bench: %s failed: %s %s\n", what, pl_err_name(err),
		              pl_err_msg());
		exit(1);
	}
}

#endif
