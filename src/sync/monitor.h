/*
 * monitor.h - reading the other members' published transcripts
 * (docs/node.md#audit, core/node_monitor.c): one thread that, every
 * interval, fetches from each pinned party the entries of its transcript
 * up to the latest checkpoint this node cosigned for it (C2SP entry
 * bundles from GET /log/tile/entries/...), and hands them to the node.
 * Where a member's transcript names another envelope than ours under a
 * sender's seq, it fetches that member's copy (GET /peer/v1/envelopes
 * with sender= and limit=1, signed with Parley-Auth): signed by the
 * sender, the two are the evidence of an equivocation alert.  Envelopes a
 * member's transcript named a while ago and that never reached us (their
 * sender down, or skipping us) are fetched from that member the same way
 * and go through node_receive like any delivery.
 */
#ifndef PL_MONITOR_H
#define PL_MONITOR_H

#include "../core/node.h"

struct monitor_conf {
	unsigned interval_ms;                    /* between rounds; 0: 500 */
	unsigned timeout_s;                      /* per request; 0: 10 */
	int plain_ok;                            /* may fetch from http:// endpoints */
	const char *ca_file;                     /* CA bundle for https; NULL: the system's */
	unsigned backoff_min_ms, backoff_max_ms; /* per party that fails; 0: 1000, 60000 */
	unsigned fetch_after_ms; /* an envelope named this long ago, not here: fetch it; 0: 5000 */
};

struct monitor;

PL_MUST_USE enum pl_err monitor_start(struct monitor **out, const struct monitor_conf *c,
                                      struct node *n);
void monitor_stop(struct monitor *m);

#endif
