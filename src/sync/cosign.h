/*
 * cosign.h - getting this node's transcript cosigned (docs/node.md#audit):
 * one thread that, whenever the transcript has grown, signs a checkpoint
 * and sends it with a consistency proof to every pinned party (peers and
 * neutral witnesses alike) as a C2SP tlog-witness add-checkpoint request,
 * then keeps the cosignatures they answer with.  A witness that holds a
 * larger size than ours, or that cannot verify our proof, raises an
 * alert: our own transcript lost or changed entries it had seen.
 */
#ifndef PL_COSIGN_H
#define PL_COSIGN_H

#include "../core/node.h"

struct cosign_conf {
	unsigned interval_ms;                    /* how often the transcript is looked at; 0: 250 */
	unsigned timeout_s;                      /* per request; 0: 10 */
	int plain_ok;                            /* may send to http:// endpoints */
	const char *ca_file;                     /* CA bundle for https; NULL: the system's */
	unsigned backoff_min_ms, backoff_max_ms; /* per witness that fails; 0: 1000, 60000 */
};

struct cosign;

PL_MUST_USE enum pl_err cosign_start(struct cosign **out, const struct cosign_conf *c,
                                     struct node *n);
/* Look at the transcript now (after an append), not at the next tick. */
void cosign_kick(struct cosign *cs);
void cosign_stop(struct cosign *cs);

#endif
