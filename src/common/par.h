/*
 * par.h - run independent steps of one batch on several cores.
 *
 * For CPU-bound work over the items of a batch (checking the signatures
 * of the envelopes in one delivery, or of their receipts) when the node
 * has cores to spare: the calling thread takes one share and up to
 * threads - 1 short-lived helper threads take the others.  The items must
 * not depend on each other, and fn must be safe to call from any thread
 * (no store connection, no pl_err message: one set on a helper is lost).
 */
#ifndef PL_PAR_H
#define PL_PAR_H

#include <stddef.h>

/* Items below this many per thread are not worth a thread's start. */
#define PAR_MIN_PER_THREAD 8

/*
 * Call fn(ctx, i) once for every i in [0, n), spread over at most threads
 * threads (0: one per online core), each with at least PAR_MIN_PER_THREAD
 * items.  Returns when every call has returned.  A helper that cannot be
 * started leaves its share to the calling thread, so every item is done.
 */
void par_for(size_t n, unsigned threads, void (*fn)(void *ctx, size_t i), void *ctx);

#endif
