/*
 * api.h - the node's HTTP service (docs/node.md#peer-api,
 * docs/node.md#officer-api, docs/api.md): libmicrohttpd with a thread
 * pool, serving
 *
 *   /peer/v1/...   envelopes from and to peers (api_peer.c)
 *   /log/...       the transcript as C2SP tlog-tiles (api_log.c)
 *   /witness/v1/.. C2SP tlog-witness add-checkpoint, and what we cosigned (api_log.c)
 *   /api/v1/...    officers' JSON API (api_officer.c)
 *   /...           the console's static files, when console_dir is set
 *
 * Every request body is capped at max_body (413 beyond it, as soon as the
 * declared length or the bytes received pass it); connections, their
 * memory and their idle time are capped too.  Every reply is JSON except
 * envelope batches, the published log, witness answers and console files;
 * only the published log may be cached.
 *
 * The service holds no keys and no store: every action goes through
 * node.h, which is thread-safe.
 */
#ifndef PL_API_H
#define PL_API_H

#include <stddef.h>

#include "../common/err.h"
#include "../core/node.h"

struct api_conf {
	const char *listen;             /* "HOST:PORT", IPv4 or [IPv6]; port 0 picks a free one */
	const char *tls_cert, *tls_key; /* PEM paths; both NULL: plain HTTP */
	int plain_ok;                   /* plain HTTP allowed (loopback demos and tests only) */
	size_t max_body;                /* bytes per request body; 0: 4 MiB */
	unsigned max_conns;             /* 0: 256 */
	unsigned timeout_s;             /* idle seconds per connection; 0: 30 */
	unsigned threads;               /* worker threads; 0: 4 */
	const char *console_dir;        /* static files, or NULL */
	unsigned witness_rate;          /* add-checkpoint requests per second per client; 0: 50 */
};

struct api;

/*
 * Start serving node n (which must outlive the service).  PL_E_ARG naming
 * the setting for a bad conf (plain HTTP without plain_ok, one of
 * tls_cert and tls_key without the other, a listen address that is not
 * HOST:PORT); PL_E_IO if the address cannot be bound or a file read.
 */
PL_MUST_USE enum pl_err api_start(struct api **out, const struct api_conf *c, struct node *n);

/* The port the service listens on (the one chosen for port 0). */
unsigned api_port(const struct api *a);

/*
 * Stop accepting connections, let the requests in flight finish (waiting
 * at most the conf's timeout), close every connection and free a.  NULL is
 * a no-op.
 */
void api_stop(struct api *a);

#endif
