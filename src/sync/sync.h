/*
 * sync.h - delivery of what this node sent to each peer
 * (docs/node.md#delivery): two worker threads per peer (a bulk lane and
 * an urgent lane for channels holding FLASH or IMMEDIATE envelopes),
 * woken by new work or a retry timer, POSTing batches to the peer's
 * endpoints (primary first, then alternates) over libcurl with
 * connections kept alive.
 */
#ifndef PL_SYNC_H
#define PL_SYNC_H

#include <curl/curl.h>

#include "../common/err.h"
#include "../core/node.h"

struct sync_conf {
	unsigned timeout_s;  /* per request; 0: 30 */
	int plain_ok;        /* may send to http:// endpoints */
	const char *ca_file; /* CA bundle for https; NULL: the system's */
	unsigned
	        batch_max; /* envelopes per POST on the bulk lane; 0: 128 (the urgent lane: <= 32) */
	unsigned backoff_min_ms; /* 0: 250 */
	unsigned backoff_max_ms; /* 0: 60000 */
};

struct sync;

/* Start, with a worker for every peer that already has pending work. */
PL_MUST_USE enum pl_err sync_start(struct sync **out, const struct sync_conf *c, struct node *n);

/*
 * New work for peer (node_set_notify's callback); starts its worker if
 * needed.  While the worker backs off from a failing peer, new work waits
 * for the retry timer unless urgent (FLASH, IMMEDIATE): that is tried now.
 */
void sync_kick(struct sync *s, const char *peer, int urgent);

/* Stop every worker (a request in flight finishes or times out) and free s. */
void sync_stop(struct sync *s);

/* libcurl's global setup, once per process (sync and cosign share it). */
void sync_curl_init(void);

/*
 * A libcurl handle as both talk to peers: verified TLS (https only unless
 * plain_ok), the timeouts, and the answer appended to the struct buf given
 * as CURLOPT_WRITEDATA (the transfer fails when the buf is full).
 */
CURL *sync_curl_new(unsigned timeout_s, int plain_ok, const char *ca_file);

/* The longest path sync_call appends to an endpoint. */
#define SYNC_PATH_MAX 512

/*
 * One request to p's endpoints in turn (path appended to each, a trailing
 * '/' dropped; plain http:// ones only with plain_ok), the first that
 * answers wins: a POST of body, or a GET if body is NULL, with the extra
 * headers hdr.  The answer goes to answer (emptied first), its
 * Content-Type to ctype if not NULL.  The HTTP status; 0 if none answered.
 */
long sync_call(CURL *c, const struct party *p, int plain_ok, const char *path,
               struct curl_slist *hdr, const struct buf *body, struct buf *answer, char ctype[64]);

/* The wall clock in ms since 1970 (the threads' timers use CLOCK_REALTIME). */
uint64_t sync_now_ms(void);

/* The delay before retry number attempt (1, 2, ...): full jitter, capped. */
unsigned sync_backoff_ms(unsigned attempt, unsigned min_ms, unsigned max_ms, uint32_t rnd);

#endif
