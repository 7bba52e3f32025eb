/*
 * http.h - inside the HTTP service: one request as the handlers see it,
 * the routing table's rows, and the one writer of every reply (http.c).
 *
 * A request is judged in this order, each step answering for itself:
 * request target length (414), route (404, 405), Content-Type (415),
 * declared Content-Length (413), the officer's token (401) and roles (403)
 * - all of these before any of the body is read - then the body as it
 * streams in (413 when it ends: see http.c), and then the route's
 * handler, which must answer exactly once through an api_reply_* function.
 *
 * Handlers run on libmicrohttpd's worker threads and may block in node.h
 * calls; the request's memory is theirs until they answer.
 */
#ifndef PL_HTTP_H
#define PL_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <jansson.h>

#include "../common/buf.h"
#include "../core/node.h"
#include "api.h"

/* Our request targets are under 200 bytes; 2 KiB leaves room and caps the copy. */
#define API_TARGET_MAX 2048
/*
 * A path segment a route takes as its argument: an envelope id (64) or a
 * channel (63); or, for a pattern ending in "**", the rest of the path (a
 * tile path, TILE_PATH_MAX).
 */
#define API_ARG_MAX 64
/* "officer NAME" or "party ID", for the access log. */
#define API_WHO_MAX (8 + STORE_NAME_MAX)

/* Route flags. */
#define API_R_OFFICER 0x01u /* needs "Authorization: Bearer <token>" */
#define API_R_JSON    0x02u /* a body, if any, is application/json */
#define API_R_OCTETS  0x04u /* the body is application/octet-stream */
#define API_R_SECRET  0x08u /* the body holds a password: wiped when freed */

struct api_req;
struct MHD_Connection;

struct api_route {
	const char *method; /* "GET", "POST" */
	const char *
	        pattern; /* "/api/v1/envelopes/ * /ack" without spaces: '*' takes one segment, a final "**" the rest */
	void (*fn)(struct api_req *r);
	unsigned flags; /* API_R_* */
	unsigned roles; /* STORE_ROLE_* the officer must hold (every one of them); 0: any */
};

struct api_req {
	struct api *api;
	struct node *node;
	struct MHD_Connection *conn;
	const char *method;
	/* The request target as sent, path then "?query" (what Parley-Auth signs). */
	char target[API_TARGET_MAX + 1];
	size_t path_len;   /* bytes of target before '?' */
	const char *query; /* after '?', or "" */
	const struct api_route *route;
	char arg[API_ARG_MAX + 1]; /* the segment the route's '*' matched */
	struct buf body;
	/* Set for API_R_OFFICER routes once the token checked out. */
	struct node_officer officer;
	char token[NODE_TOKEN_STR_MAX + 1];
	char who[API_WHO_MAX + 1]; /* for the access log; "-" if nobody known */
	unsigned status;           /* what was answered; 0: nothing yet */
	size_t dropped;            /* bytes dropped after the body passed max_body */
	unsigned started : 1, replied : 1, too_long : 1, over : 1;
};

/*
 * The one writer of replies.  Each queues the answer on r's connection
 * with the security headers (no caching, no sniffing, no framing), at
 * most once per request.
 */
/* JSON with Content-Type application/json; takes j (NULL answers 500). */
void api_reply_json(struct api_req *r, unsigned status, json_t *j);
/* { "error": { "code": code, "message": ... } }. */
void api_reply_error(struct api_req *r, unsigned status, const char *code, const char *fmt, ...)
        PL_PRINTF(4, 5);
/* Bytes of the given type (copied). */
void api_reply_bytes(struct api_req *r, unsigned status, const char *ctype, const void *p,
                     size_t n);
/* Bytes with Cache-Control: cache (published, cacheable data; also CORS-readable). */
void api_reply_cached(struct api_req *r, unsigned status, const char *ctype, const void *p,
                      size_t n, const char *cache);
/* No body (204). */
void api_reply_empty(struct api_req *r, unsigned status);
/*
 * An error from node.h or a parser, with pl_err_msg() as its message:
 * PL_E_ARG, PL_E_PROTO, PL_E_TRUNC 400, PL_E_PERM 403, PL_E_NOTFOUND 404,
 * PL_E_STATE 409, PL_E_TOOBIG 413; anything else 500 with a generic
 * message, the detail logged.
 */
void api_reply_pl(struct api_req *r, enum pl_err err);

/* The server's clock, ms since 1970-01-01 UTC. */
uint64_t api_now_ms(void);

/*
 * Parse "HOST:PORT": an IPv4 address or an IPv6 address in brackets, and a
 * decimal port 0..65535.  PL_E_ARG saying what is wrong.
 */
PL_MUST_USE enum pl_err api_listen_parse(const char *s, struct sockaddr_storage *ss,
                                         socklen_t *len);

/*
 * Match a request path against a route pattern: '*' takes exactly one
 * non-empty segment of at most API_ARG_MAX bytes, copied to arg.  1 if it
 * matches.
 */
int api_route_match(const char *pattern, const char *path, size_t path_len,
                    char arg[static API_ARG_MAX + 1]);

/* Query parameters: names and values of ours are short ids and numbers. */
#define API_QKEY_MAX 16
#define API_QVAL_MAX 64

/*
 * The next "key=value" of a query ("channel=cyber&from=5"), advancing *q.
 * 1 with key and val set; 0 at the end; -1, with PL_E_ARG's message set,
 * when a pair is malformed: no '=', an empty key or value, one longer
 * than its buffer, or a byte outside [A-Za-z0-9._-].  Nothing is
 * percent-decoded: no value of ours needs it.
 */
int api_query_next(const char **q, char key[static API_QKEY_MAX + 1],
                   char val[static API_QVAL_MAX + 1]);

/*
 * Take a token from the client address's bucket (api_conf.witness_rate per
 * second, bursts of twice that): 0 if it has none left, answer 429 then.
 */
int api_rate_take(struct api_req *r);

/* Handlers (api_peer.c, api_officer.c, api_log.c). */
void api_log_checkpoint(struct api_req *r);
void api_log_tile(struct api_req *r);
void api_log_proof(struct api_req *r);
void api_witness_add(struct api_req *r);
void api_witness_logs(struct api_req *r);
void api_officer_alerts(struct api_req *r);
void api_officer_export(struct api_req *r);
void api_peer_post(struct api_req *r);
void api_peer_get(struct api_req *r);
void api_officer_login(struct api_req *r);
void api_officer_logout(struct api_req *r);
void api_officer_tokens(struct api_req *r);
void api_officer_status(struct api_req *r);
void api_officer_peers_get(struct api_req *r);
void api_officer_peers_post(struct api_req *r);
void api_officer_channels_get(struct api_req *r);
void api_officer_channels_post(struct api_req *r);
void api_officer_channel_accept(struct api_req *r);
void api_officer_envelopes_get(struct api_req *r);
void api_officer_envelopes_post(struct api_req *r);
void api_officer_envelope_get(struct api_req *r);
void api_officer_envelope_ack(struct api_req *r);
void api_officer_officers_post(struct api_req *r);

#endif
