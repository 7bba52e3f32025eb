/*
 * http.c - the libmicrohttpd server: limits, TLS, routing, the request's
 * life and the one writer of replies (http.h).
 *
 * A request's memory (struct api_req) is made by the URI callback, which
 * libmicrohttpd calls once per request with the request target as sent,
 * before it decodes anything: that raw target is what routes are matched
 * against and what Parley-Auth signs, so nothing is decoded twice or
 * differently.  It is freed by the completion callback, which also writes
 * the access-log line and counts the request out, so that api_stop knows
 * when the requests in flight are done.
 *
 * Bodies are collected into a struct buf capped at max_body.  A declared
 * Content-Length beyond it is answered 413 before any of the body is read.
 * A body that streams past it (chunked) is let go the moment it does, and
 * what follows is dropped as it arrives: libmicrohttpd 0.9.75 refuses a
 * reply in the middle of a body, so the 413 goes out when the body ends,
 * or the connection is closed if more than API_DRAIN_MAX bytes follow.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "../common/alloc.h"
#include "../common/file.h"
#include "../common/log.h"
#include "../crypto/cr.h"
#include "http.h"

#define API_MAX_BODY_DEFAULT  (4u << 20)
#define API_MAX_CONNS_DEFAULT 256u
#define API_TIMEOUT_DEFAULT   30u
#define API_THREADS_DEFAULT   4u
#define API_THREADS_MAX       256u
/* Headers and the read buffer of one connection: our requests carry a few small headers. */
#define API_CONN_MEMORY (64u << 10)
/* PEM files: a certificate chain of a few certificates, one key. */
#define API_PEM_MAX (256u << 10)
/* Console files: HTML, scripts and styles of a small single-page console. */
#define API_STATIC_MAX (16u << 20)
/*
 * A chunked body that passed max_body is read on and dropped, since
 * libmicrohttpd 0.9.75 cannot answer in the middle of a body; past this
 * many more bytes the connection is closed without an answer.
 */
#define API_DRAIN_MAX (1u << 20)
/* Client addresses tracked by the rate limiter; the least recently seen is replaced. */
#define API_BUCKETS      128
#define API_RATE_DEFAULT 50u
/* TLS 1.2 and 1.3 only; GnuTLS picks the suites. */
#define API_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

struct api {
	struct MHD_Daemon *d;
	struct node *node;
	size_t max_body;
	unsigned timeout_s;
	int tls;
	char *console_dir;
	struct buf cert, key; /* NUL-terminated PEM, kept for the daemon's life */
	unsigned port;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned in_flight; /* requests between the URI callback and completion */
	/* Token buckets per client address for rate-limited routes (api_rate_take), under mu. */
	unsigned rate; /* requests per second; the burst is twice that */
	struct bucket {
		char addr[INET6_ADDRSTRLEN];
		double tokens;
		uint64_t t_ms;
	} buckets[API_BUCKETS];
};

/* ---- Routing ------------------------------------------------------------ */

static const struct api_route routes[] = {
	{ "POST", "/peer/v1/envelopes", api_peer_post, API_R_OCTETS, 0 },
	{ "GET", "/peer/v1/envelopes", api_peer_get, 0, 0 },

	{ "GET", "/log/checkpoint", api_log_checkpoint, 0, 0 },
	{ "GET", "/log/tile/**", api_log_tile, 0, 0 },
	{ "GET", "/log/proof/*", api_log_proof, 0, 0 },
	{ "POST", "/witness/v1/add-checkpoint", api_witness_add, 0, 0 },
	{ "GET", "/witness/v1/logs", api_witness_logs, 0, 0 },

	{ "POST", "/api/v1/login", api_officer_login, API_R_JSON | API_R_SECRET, 0 },
	{ "POST", "/api/v1/logout", api_officer_logout, API_R_OFFICER | API_R_JSON, 0 },
	{ "POST", "/api/v1/tokens", api_officer_tokens, API_R_OFFICER | API_R_JSON, 0 },
	{ "GET", "/api/v1/status", api_officer_status, API_R_OFFICER, 0 },
	{ "GET", "/api/v1/alerts", api_officer_alerts, API_R_OFFICER, 0 },
	{ "POST", "/api/v1/export", api_officer_export, API_R_OFFICER | API_R_JSON, 0 },
	{ "GET", "/api/v1/peers", api_officer_peers_get, API_R_OFFICER, 0 },
	{ "POST", "/api/v1/peers", api_officer_peers_post, API_R_OFFICER | API_R_JSON,
	  STORE_ROLE_ADMIN },
	{ "GET", "/api/v1/channels", api_officer_channels_get, API_R_OFFICER, 0 },
	{ "POST", "/api/v1/channels", api_officer_channels_post, API_R_OFFICER | API_R_JSON,
	  STORE_ROLE_DUTY },
	{ "POST", "/api/v1/channels/*/accept", api_officer_channel_accept,
	  API_R_OFFICER | API_R_JSON, STORE_ROLE_DUTY },
	{ "GET", "/api/v1/envelopes", api_officer_envelopes_get, API_R_OFFICER, 0 },
	{ "POST", "/api/v1/envelopes", api_officer_envelopes_post, API_R_OFFICER | API_R_JSON,
	  STORE_ROLE_DUTY },
	{ "GET", "/api/v1/envelopes/*", api_officer_envelope_get, API_R_OFFICER, 0 },
	{ "POST", "/api/v1/envelopes/*/ack", api_officer_envelope_ack, API_R_OFFICER | API_R_JSON,
	  STORE_ROLE_DUTY },
	{ "POST", "/api/v1/officers", api_officer_officers_post,
	  API_R_OFFICER | API_R_JSON | API_R_SECRET, STORE_ROLE_ADMIN },
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

int
api_route_match(const char *pattern, const char *path, size_t path_len,
                char arg[static API_ARG_MAX + 1])
{
	const char *p = pattern, *s = path, *end = path + path_len;

	arg[0] = '\0';
	while (*p != '\0') {
		if (p[0] == '*' && p[1] == '*') {
			size_t n = (size_t)(end - s);

			/* The rest of the path, one or more segments. */
			if (n == 0 || n > API_ARG_MAX)
				return 0;
			memcpy(arg, s, n);
			arg[n] = '\0';
			return 1;
		}
		if (*p == '*') {
			size_t n = 0;

			while (s + n < end && s[n] != '/')
				n++;
			if (n == 0 || n > API_ARG_MAX)
				return 0;
			memcpy(arg, s, n);
			arg[n] = '\0';
			s += n;
			p++;
			continue;
		}
		if (s == end || *s != *p)
			return 0;
		s++;
		p++;
	}
	return s == end;
}

/* ---- Replies --------------------------------------------------------------- */

static void
add_common_headers(struct api_req *r, struct MHD_Response *resp, int api)
{
	(void)MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	(void)MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	(void)MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (api) {
		(void)MHD_add_response_header(resp, "Cache-Control", "no-store");
		(void)MHD_add_response_header(resp, "Content-Security-Policy",
		                              "default-src 'none'; frame-ancestors 'none'");
	} else {
		(void)MHD_add_response_header(resp, "Cache-Control", "no-cache");
		(void)MHD_add_response_header(resp, "Content-Security-Policy",
		                              "default-src 'self'; frame-ancestors 'none'; "
		                              "base-uri 'none'; form-action 'self'");
	}
	if (r->api->tls)
		(void)MHD_add_response_header(resp, "Strict-Transport-Security",
		                              "max-age=31536000");
}

/* Queue resp (destroyed here) as r's answer; at most one answer per request. */
static void
queue(struct api_req *r, unsigned status, struct MHD_Response *resp)
{
	if (resp == NULL) {
		log_warnx("api: %s %.*s: cannot build a reply", r->method, (int)r->path_len,
		          r->target);
		return;
	}
	if (r->replied) {
		MHD_destroy_response(resp);
		return;
	}
	r->replied = 1;
	r->status = status;
	if (MHD_queue_response(r->conn, status, resp) != MHD_YES)
		log_warnx("api: %s %.*s: libmicrohttpd refused the %u reply", r->method,
		          (int)r->path_len, r->target, status);
	MHD_destroy_response(resp);
}

void
api_reply_cached(struct api_req *r, unsigned status, const char *ctype, const void *p, size_t n,
                 const char *cache)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(
	        n, n > 0 ? (void *)(uintptr_t)p : (void *)(uintptr_t) "", MHD_RESPMEM_MUST_COPY);
	if (resp != NULL) {
		add_common_headers(r, resp, 1);
		(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
		if (cache != NULL) {
			(void)MHD_del_response_header(resp, "Cache-Control", "no-store");
			(void)MHD_add_response_header(resp, "Cache-Control", cache);
			(void)MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
		}
	}
	queue(r, status, resp);
}

void
api_reply_bytes(struct api_req *r, unsigned status, const char *ctype, const void *p, size_t n)
{
	api_reply_cached(r, status, ctype, p, n, NULL);
}

int
api_rate_take(struct api_req *r)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct api *a = r->api;
	char addr[INET6_ADDRSTRLEN] = "?";
	uint64_t now = api_now_ms();
	struct bucket *b = NULL;
	size_t i;
	int ok;

	if (ci != NULL && ci->client_addr != NULL) {
		const struct sockaddr *sa = ci->client_addr;

		if (sa->sa_family == AF_INET)
			(void)inet_ntop(AF_INET,
			                &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
			                addr, sizeof(addr));
		else if (sa->sa_family == AF_INET6)
			(void)inet_ntop(AF_INET6,
			                &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			                addr, sizeof(addr));
	}
	pthread_mutex_lock(&a->mu);
	for (i = 0; i < API_BUCKETS && b == NULL; i++)
		if (strcmp(a->buckets[i].addr, addr) == 0)
			b = &a->buckets[i];
	if (b == NULL) {
		b = &a->buckets[0];
		for (i = 1; i < API_BUCKETS; i++)
			if (a->buckets[i].t_ms < b->t_ms)
				b = &a->buckets[i];
		(void)snprintf(b->addr, sizeof(b->addr), "%s", addr);
		b->tokens = 2.0 * a->rate;
		b->t_ms = now;
	}
	if (now > b->t_ms)
		b->tokens += (double)(now - b->t_ms) * a->rate / 1000.0;
	if (b->tokens > 2.0 * a->rate)
		b->tokens = 2.0 * a->rate;
	b->t_ms = now;
	if ((ok = b->tokens >= 1.0))
		b->tokens -= 1.0;
	pthread_mutex_unlock(&a->mu);
	return ok;
}

/* A JSON response with the API's headers; takes j.  NULL if out of memory. */
static struct MHD_Response *
json_response(struct api_req *r, json_t *j)
{
	struct MHD_Response *resp = NULL;
	char *text = NULL;
	size_t n;

	if (j == NULL)
		return NULL;
	n = json_dumpb(j, NULL, 0, JSON_COMPACT);
	if (n == 0 || (text = pl_malloc(n + 1)) == NULL ||
	    json_dumpb(j, text, n, JSON_COMPACT) != n) {
		pl_free(text);
		json_decref(j);
		return NULL;
	}
	json_decref(j);
	text[n] = '\n';
	resp = MHD_create_response_from_buffer_with_free_callback(n + 1, text, pl_free);
	if (resp == NULL) {
		pl_free(text);
		return NULL;
	}
	add_common_headers(r, resp, 1);
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	return resp;
}

/* The answer when even an error cannot be built: fixed bytes, no allocation of ours. */
static void
reply_nomem(struct api_req *r)
{
	static const char text[] =
	        "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}\n";
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(sizeof(text) - 1, (void *)(uintptr_t)text,
	                                       MHD_RESPMEM_PERSISTENT);
	if (resp != NULL) {
		add_common_headers(r, resp, 1);
		(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		                              "application/json");
	}
	queue(r, 500, resp);
}

void
api_reply_json(struct api_req *r, unsigned status, json_t *j)
{
	struct MHD_Response *resp;

	if (j == NULL) {
		log_warnx("api: %s %.*s: out of memory building the reply", r->method,
		          (int)r->path_len, r->target);
		reply_nomem(r);
		return;
	}
	if ((resp = json_response(r, j)) == NULL) {
		reply_nomem(r);
		return;
	}
	queue(r, status, resp);
}

static void reply_verror(struct api_req *r, unsigned status, const char *hdr, const char *val,
                         const char *code, const char *fmt, va_list ap)
        __attribute__((format(printf, 6, 0)));

/* An error reply, with one extra header when hdr is not NULL (Allow, WWW-Authenticate). */
static void
reply_verror(struct api_req *r, unsigned status, const char *hdr, const char *val, const char *code,
             const char *fmt, va_list ap)
{
	char msg[PL_ERR_MSG_MAX + 64];
	struct MHD_Response *resp;

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	resp = json_response(r, json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg));
	if (resp == NULL) {
		reply_nomem(r);
		return;
	}
	if (hdr != NULL)
		(void)MHD_add_response_header(resp, hdr, val);
	queue(r, status, resp);
}

static void reply_error_hdr(struct api_req *r, unsigned status, const char *hdr, const char *val,
                            const char *code, const char *fmt, ...) PL_PRINTF(6, 7);

static void
reply_error_hdr(struct api_req *r, unsigned status, const char *hdr, const char *val,
                const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_verror(r, status, hdr, val, code, fmt, ap);
	va_end(ap);
}

void
api_reply_error(struct api_req *r, unsigned status, const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_verror(r, status, NULL, NULL, code, fmt, ap);
	va_end(ap);
}

void
api_reply_empty(struct api_req *r, unsigned status)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (resp != NULL)
		add_common_headers(r, resp, 1);
	queue(r, status, resp);
}

void
api_reply_pl(struct api_req *r, enum pl_err err)
{
	const char *msg = pl_err_msg();

	switch (err) {
	case PL_OK:
		api_reply_error(r, 500, "internal", "internal error");
		log_warnx("api: %s %.*s: handler reported success as an error", r->method,
		          (int)r->path_len, r->target);
		return;
	case PL_E_ARG:
	case PL_E_PROTO:
	case PL_E_TRUNC:
		api_reply_error(r, 400, "bad-request", "%s", *msg != '\0' ? msg : "bad request");
		return;
	case PL_E_PERM:
		api_reply_error(r, 403, "forbidden", "%s", *msg != '\0' ? msg : "not allowed");
		return;
	case PL_E_NOTFOUND:
		api_reply_error(r, 404, "not-found", "%s", *msg != '\0' ? msg : "not found");
		return;
	case PL_E_STATE:
		api_reply_error(r, 409, "conflict", "%s", *msg != '\0' ? msg : "not allowed now");
		return;
	case PL_E_TOOBIG:
		api_reply_error(r, 413, "too-big", "%s", *msg != '\0' ? msg : "too big");
		return;
	default:
		log_warnx("api: %s %.*s: %s: %s", r->method, (int)r->path_len, r->target,
		          pl_err_name(err), msg);
		api_reply_error(r, 500, "internal", "internal error");
		return;
	}
}

uint64_t
api_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- Listen address ------------------------------------------------------ */

enum pl_err
api_listen_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *h;
	size_t hn;
	uint64_t port;

	memset(ss, 0, sizeof(*ss));
	if (s == NULL || *s == '\0')
		return pl_errf(PL_E_ARG, "listen: empty (want HOST:PORT)");
	if ((colon = strrchr(s, ':')) == NULL)
		return pl_errf(PL_E_ARG, "listen: no ':PORT' (want HOST:PORT)");
	if (!codec_dec_parse(colon + 1, strlen(colon + 1), &port) || port > 65535)
		return pl_errf(PL_E_ARG, "listen: port is not a number 0..65535");
	h = s;
	hn = (size_t)(colon - s);
	if (hn > 0 && h[0] == '[') {
		if (hn < 2 || h[hn - 1] != ']')
			return pl_errf(PL_E_ARG, "listen: '[' without ']' around the IPv6 address");
		h++;
		hn -= 2;
		if (hn == 0 || hn > INET6_ADDRSTRLEN)
			return pl_errf(PL_E_ARG, "listen: not an IPv6 address");
		memcpy(host, h, hn);
		host[hn] = '\0';
		{
			struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

			if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
				return pl_errf(PL_E_ARG, "listen: not an IPv6 address");
			a6->sin6_family = AF_INET6;
			a6->sin6_port = htons((uint16_t)port);
			*len = sizeof(*a6);
		}
		return PL_OK;
	}
	if (hn == 0 || hn > INET_ADDRSTRLEN)
		return pl_errf(PL_E_ARG, "listen: host is not an IPv4 address (or [IPv6])");
	memcpy(host, h, hn);
	host[hn] = '\0';
	{
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return pl_errf(
			        PL_E_ARG,
			        "listen: host is not an IPv4 address (or [IPv6] in brackets)");
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
	}
	return PL_OK;
}

/* ---- Query strings ------------------------------------------------------ */

static int
query_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

int
api_query_next(const char **q, char key[static API_QKEY_MAX + 1], char val[static API_QVAL_MAX + 1])
{
	const char *s = *q, *eq, *end;
	size_t kn, vn, i;

	if (*s == '\0')
		return 0;
	end = s + strcspn(s, "&");
	eq = memchr(s, '=', (size_t)(end - s));
	if (eq == NULL) {
		(void)pl_errf(PL_E_ARG, "query: a parameter without '='");
		return -1;
	}
	kn = (size_t)(eq - s);
	vn = (size_t)(end - eq - 1);
	if (kn == 0 || kn > API_QKEY_MAX) {
		(void)pl_errf(PL_E_ARG, "query: a parameter name empty or longer than %d",
		              API_QKEY_MAX);
		return -1;
	}
	for (i = 0; i < kn; i++)
		if (!query_char_ok(s[i])) {
			(void)pl_errf(PL_E_ARG, "query: a parameter name outside [A-Za-z0-9._-]");
			return -1;
		}
	memcpy(key, s, kn);
	key[kn] = '\0';
	if (vn == 0 || vn > API_QVAL_MAX) {
		(void)pl_errf(PL_E_ARG, "query: %s: empty or longer than %d", key, API_QVAL_MAX);
		return -1;
	}
	for (i = 0; i < vn; i++)
		if (!query_char_ok(eq[1 + i])) {
			(void)pl_errf(PL_E_ARG, "query: %s: a character outside [A-Za-z0-9._-]",
			              key);
			return -1;
		}
	memcpy(val, eq + 1, vn);
	val[vn] = '\0';
	if (*end == '&') {
		end++;
		if (*end == '\0') {
			(void)pl_errf(PL_E_ARG, "query: ends with '&'");
			return -1;
		}
	}
	*q = end;
	return 1;
}

/* ---- Static console files ----------------------------------------------- */

static const char *
static_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".woff2", "font/woff2" },
	};
	size_t n = strlen(path), i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t e = strlen(types[i].ext);

		if (n > e && strcmp(path + n - e, types[i].ext) == 0)
			return types[i].type;
	}
	return "application/octet-stream";
}

/*
 * A console path is "/" or segments of [A-Za-z0-9._-], none empty, none
 * starting with '.' (no "..", no hidden files); no percent-escapes, so
 * nothing is decoded.  A trailing '/' means its index.html.
 */
static int
static_path_ok(const char *p, size_t n)
{
	size_t i, seg = 0;

	if (n == 0 || p[0] != '/')
		return 0;
	for (i = 1; i < n; i++) {
		char c = p[i];

		if (c == '/') {
			if (seg == 0)
				return 0;
			seg = 0;
			continue;
		}
		if (seg == 0 && c == '.')
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
		seg++;
	}
	return 1;
}

static void
serve_static(struct api_req *r)
{
	char rel[API_TARGET_MAX + 16];
	struct MHD_Response *resp;
	struct stat st;
	int dfd = -1, fd = -1;

	if (!static_path_ok(r->target, r->path_len)) {
		api_reply_error(r, 404, "not-found", "no such page");
		return;
	}
	(void)snprintf(rel, sizeof(rel), "%.*s%s", (int)r->path_len - 1, r->target + 1,
	               r->target[r->path_len - 1] == '/' ? "index.html" : "");
	if ((dfd = open(r->api->console_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		log_warn("api: console directory %s", r->api->console_dir);
		api_reply_error(r, 500, "internal", "internal error");
		return;
	}
	fd = openat(dfd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	(void)close(dfd);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (uint64_t)st.st_size > API_STATIC_MAX) {
		if (fd >= 0)
			(void)close(fd);
		api_reply_error(r, 404, "not-found", "no such page");
		return;
	}
	/* libmicrohttpd closes fd with the response. */
	if ((resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd)) == NULL) {
		(void)close(fd);
		api_reply_error(r, 500, "internal", "internal error");
		return;
	}
	add_common_headers(r, resp, 0);
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, static_type(rel));
	queue(r, 200, resp);
}

/* ---- The request's life ------------------------------------------------- */

static void *
uri_cb(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct api *a = cls;
	struct api_req *r;
	const char *q;
	size_t n = strlen(uri);

	(void)conn;
	if ((r = pl_calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->api = a;
	r->node = a->node;
	buf_init(&r->body, a->max_body);
	(void)memcpy(r->who, "-", 2);
	if (n > API_TARGET_MAX) {
		r->too_long = 1;
		n = 0;
	}
	memcpy(r->target, uri, n);
	r->target[n] = '\0';
	q = strchr(r->target, '?');
	r->path_len = q != NULL ? (size_t)(q - r->target) : n;
	r->query = q != NULL ? q + 1 : "";
	pthread_mutex_lock(&a->mu);
	a->in_flight++;
	pthread_mutex_unlock(&a->mu);
	return r;
}

/* The path for the log: printable ASCII only, cut at 200 bytes. */
static void
log_path(char out[static 204], const struct api_req *r)
{
	size_t i, n = r->path_len < 200 ? r->path_len : 200;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)r->target[i];

		out[i] = c >= 0x21 && c <= 0x7e ? (char)c : '?';
	}
	if (r->path_len > n)
		out[n++] = '~';
	if (n == 0)
		out[n++] = '?';
	out[n] = '\0';
}

static void
completed_cb(void *cls, struct MHD_Connection *conn, void **req_cls,
             enum MHD_RequestTerminationCode toe)
{
	struct api *a = cls;
	struct api_req *r = *req_cls;
	char path[204];

	(void)conn;
	if (r == NULL)
		return;
	*req_cls = NULL;
	log_path(path, r);
	log_info("api: %s %s %u %s%s", r->method != NULL ? r->method : "-", path, r->status, r->who,
	         toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection closed)");
	buf_reset(&r->body);
	cr_wipe(r->token, sizeof(r->token));
	pl_free(r);
	pthread_mutex_lock(&a->mu);
	a->in_flight--;
	if (a->in_flight == 0)
		pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

/* "application/json" or "application/json; charset=utf-8", any case. */
static int
ctype_is(struct MHD_Connection *conn, const char *want)
{
	const char *v =
	        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t n = strlen(want);

	if (v == NULL)
		return 0;
	if (strncasecmp(v, want, n) != 0)
		return 0;
	return v[n] == '\0' || v[n] == ';' || v[n] == ' ';
}

/* Pick the route: 404 if no path matches, 405 (with Allow) if no method does. */
static int
route(struct api_req *r, const char *method)
{
	char allow[64] = "";
	size_t i;
	int path_known = 0;

	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	for (i = 0; i < N_ROUTES; i++) {
		if (!api_route_match(routes[i].pattern, r->target, r->path_len, r->arg))
			continue;
		path_known = 1;
		if (strcmp(routes[i].method, method) == 0) {
			r->route = &routes[i];
			return 1;
		}
		if (strstr(allow, routes[i].method) == NULL) {
			size_t k = strlen(allow);

			(void)snprintf(allow + k, sizeof(allow) - k, "%s%s", k > 0 ? ", " : "",
			               routes[i].method);
		}
	}
	r->arg[0] = '\0';
	if (path_known) {
		reply_error_hdr(r, 405, MHD_HTTP_HEADER_ALLOW, allow, "method-not-allowed",
		                "method not allowed here (allowed: %s)", allow);
		return 0;
	}
	if (r->api->console_dir != NULL && strcmp(method, "GET") == 0 &&
	    strncmp(r->target, "/api/", 5) != 0 && strncmp(r->target, "/peer/", 6) != 0 &&
	    strncmp(r->target, "/log/", 5) != 0 && strncmp(r->target, "/witness/", 9) != 0) {
		serve_static(r);
		return 0;
	}
	api_reply_error(r, 404, "not-found", "no such resource");
	return 0;
}

/* "Authorization: Bearer <token>": who holds it, or answer 401/403. */
static int
authorize(struct api_req *r)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	                                            MHD_HTTP_HEADER_AUTHORIZATION);
	size_t n, i;
	enum pl_err err;

	if (v == NULL) {
		reply_error_hdr(r, 401, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"parley\"",
		                "unauthorized",
		                "no token: send \"Authorization: Bearer <token>\" (POST "
		                "/api/v1/login gives one)");
		return 0;
	}
	if (strncasecmp(v, "Bearer ", 7) != 0 || (n = strlen(v + 7)) == 0 ||
	    n > NODE_TOKEN_STR_MAX) {
		reply_error_hdr(r, 401, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"parley\"",
		                "unauthorized", "Authorization: not \"Bearer <token>\"");
		return 0;
	}
	for (i = 0; i < n; i++) {
		char c = v[7 + i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_')) {
			reply_error_hdr(r, 401, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
			                "Bearer realm=\"parley\"", "unauthorized",
			                "Authorization: the token is not base64url");
			return 0;
		}
	}
	memcpy(r->token, v + 7, n + 1);
	pl_err_clear();
	if ((err = node_auth(r->node, r->token, &r->officer)) != PL_OK) {
		/* node_auth says PL_E_PERM (or PL_E_ARG) for a token it does not honour. */
		if (err == PL_E_PERM || err == PL_E_ARG || err == PL_E_NOTFOUND)
			reply_error_hdr(r, 401, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
			                "Bearer realm=\"parley\"", "unauthorized",
			                "unknown or expired token: log in again");
		else
			api_reply_pl(r, err);
		return 0;
	}
	(void)snprintf(r->who, sizeof(r->who), "officer %s", r->officer.name);
	if ((r->officer.roles & r->route->roles) != r->route->roles) {
		api_reply_error(r, 403, "forbidden", "this needs the role %s",
		                (r->route->roles & STORE_ROLE_ADMIN) != 0 ? "admin" : "duty");
		return 0;
	}
	return 1;
}

/* First call: the headers are in, no body yet. */
static void
begin(struct api_req *r, const char *method)
{
	const char *cl;
	uint64_t declared;

	r->method = method;
	if (r->too_long) {
		api_reply_error(r, 414, "uri-too-long", "request target longer than %d bytes",
		                API_TARGET_MAX);
		return;
	}
	if (!route(r, method))
		return;
	/* Nothing appended yet: the buffer can still become one that is wiped. */
	if ((r->route->flags & API_R_SECRET) != 0)
		r->body.secret = 1;
	if ((r->route->flags & API_R_OCTETS) != 0 &&
	    !ctype_is(r->conn, "application/octet-stream")) {
		api_reply_error(r, 415, "unsupported-media-type",
		                "Content-Type must be application/octet-stream");
		return;
	}
	cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL && codec_dec_parse(cl, strlen(cl), &declared) &&
	    declared > r->api->max_body) {
		api_reply_error(r, 413, "too-big", "body of %" PRIu64 " bytes > %zu", declared,
		                r->api->max_body);
		return;
	}
	if ((r->route->flags & API_R_JSON) != 0 && cl != NULL && strcmp(cl, "0") != 0 &&
	    !ctype_is(r->conn, "application/json")) {
		api_reply_error(r, 415, "unsupported-media-type",
		                "Content-Type must be application/json");
		return;
	}
	/* Who asks, before any of the body is taken in. */
	if ((r->route->flags & API_R_OFFICER) != 0)
		(void)authorize(r);
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
          const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	struct api_req *r = *req_cls;

	(void)cls;
	(void)url;
	(void)version;
	if (r == NULL)
		return MHD_NO; /* the URI callback ran out of memory */
	r->conn = conn;
	if (!r->started) {
		r->started = 1;
		begin(r, method);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (r->replied)
			return MHD_YES; /* answered already: the rest is dropped */
		if (r->over) {
			r->dropped += n;
			return r->dropped <= API_DRAIN_MAX ? MHD_YES : MHD_NO;
		}
		if (buf_add(&r->body, upload_data, n) != PL_OK) {
			r->over = 1;
			r->dropped = n;
			buf_reset(&r->body);
		}
		return MHD_YES;
	}
	if (r->replied)
		return MHD_YES;
	if (r->over) {
		api_reply_error(r, 413, "too-big", "body longer than %zu bytes", r->api->max_body);
		return MHD_YES;
	}
	/* A chunked JSON body has no Content-Length to check the type by. */
	if ((r->route->flags & API_R_JSON) != 0 && r->body.len > 0 &&
	    !ctype_is(conn, "application/json")) {
		api_reply_error(r, 415, "unsupported-media-type",
		                "Content-Type must be application/json");
		return MHD_YES;
	}
	r->route->fn(r);
	if (!r->replied) {
		log_warnx("api: %s %.*s: the handler did not answer", r->method, (int)r->path_len,
		          r->target);
		api_reply_error(r, 500, "internal", "internal error");
	}
	return MHD_YES;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_warnx("api: libmicrohttpd: %s", msg);
}

/* ---- Start and stop ------------------------------------------------------ */

static enum pl_err
read_pem(struct buf *b, const char *path, int secret, const char *what)
{
	enum pl_err err;

	if (secret)
		buf_init_secret(b, API_PEM_MAX);
	else
		buf_init(b, API_PEM_MAX);
	err = secret ? file_read_private(b, path) : file_read(b, path);
	if (err == PL_OK && b->len == 0)
		err = pl_errf(PL_E_ARG, "%s %s: empty", what, path);
	if (err == PL_OK && memchr(b->data, '\0', b->len) != NULL)
		err = pl_errf(PL_E_ARG, "%s %s: not a PEM file (NUL byte)", what, path);
	if (err == PL_OK)
		err = buf_add_u8(b, 0);
	return err;
}

static void
api_free(struct api *a)
{
	if (a == NULL)
		return;
	buf_reset(&a->cert);
	buf_reset(&a->key);
	pl_free(a->console_dir);
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
	pl_free(a);
}

enum pl_err
api_start(struct api **out, const struct api_conf *c, struct node *n)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct api *a = NULL;
	unsigned flags, threads, conns;
	const union MHD_DaemonInfo *info;
	enum pl_err err;

	*out = NULL;
	PL_TRY(api_listen_parse(c->listen, &ss, &sl));
	if ((c->tls_cert == NULL) != (c->tls_key == NULL))
		return pl_errf(PL_E_ARG, "tls-cert and tls-key go together: %s is missing",
		               c->tls_cert == NULL ? "tls-cert" : "tls-key");
	if (c->tls_cert == NULL && !c->plain_ok)
		return pl_errf(PL_E_ARG, "refusing plain HTTP: set tls-cert and tls-key (or "
		                         "plain-http yes for loopback demos and tests)");
	threads = c->threads != 0 ? c->threads : API_THREADS_DEFAULT;
	conns = c->max_conns != 0 ? c->max_conns : API_MAX_CONNS_DEFAULT;
	if (threads > API_THREADS_MAX)
		return pl_errf(PL_E_ARG, "threads: %u > %u", threads, API_THREADS_MAX);
	if (conns < threads)
		return pl_errf(PL_E_ARG, "max-connections %u < threads %u: every thread needs one",
		               conns, threads);
	if (c->console_dir != NULL) {
		struct stat st;

		if (stat(c->console_dir, &st) != 0 || !S_ISDIR(st.st_mode))
			return pl_errf(PL_E_ARG, "console directory %s: not a directory",
			               c->console_dir);
	}
	if ((a = pl_calloc(1, sizeof(*a))) == NULL)
		return pl_errf(PL_E_NOMEM, "api: out of memory");
	a->node = n;
	a->max_body = c->max_body != 0 ? c->max_body : API_MAX_BODY_DEFAULT;
	a->timeout_s = c->timeout_s != 0 ? c->timeout_s : API_TIMEOUT_DEFAULT;
	a->rate = c->witness_rate != 0 ? c->witness_rate : API_RATE_DEFAULT;
	buf_init(&a->cert, API_PEM_MAX);
	buf_init_secret(&a->key, API_PEM_MAX);
	if (pthread_mutex_init(&a->mu, NULL) != 0) {
		pl_free(a);
		return pl_errf(PL_E_NOMEM, "api: cannot make a mutex");
	}
	if (pthread_cond_init(&a->cv, NULL) != 0) {
		pthread_mutex_destroy(&a->mu);
		pl_free(a);
		return pl_errf(PL_E_NOMEM, "api: cannot make a condition variable");
	}
	if (c->console_dir != NULL && (a->console_dir = pl_strdup(c->console_dir)) == NULL) {
		err = pl_errf(PL_E_NOMEM, "api: out of memory");
		goto fail;
	}
	if (c->tls_cert != NULL) {
		if ((err = read_pem(&a->cert, c->tls_cert, 0, "tls-cert")) != PL_OK ||
		    (err = read_pem(&a->key, c->tls_key, 1, "tls-key")) != PL_OK)
			goto fail;
		a->tls = 1;
	}

	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (a->tls)
		flags |= MHD_USE_TLS;
	/* Options that do not apply are ended early by the MHD_OPTION_END in their place. */
	a->d = MHD_start_daemon(
	        flags, 0, NULL, NULL, access_cb, a, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, a,
	        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_URI_LOG_CALLBACK, uri_cb,
	        a, MHD_OPTION_NOTIFY_COMPLETED, completed_cb, a, MHD_OPTION_CONNECTION_LIMIT, conns,
	        MHD_OPTION_CONNECTION_TIMEOUT, a->timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	        (size_t)API_CONN_MEMORY, MHD_OPTION_STRICT_FOR_CLIENT, 1,
	        MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? threads : 0,
	        a->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, (const char *)a->cert.data,
	        MHD_OPTION_HTTPS_MEM_KEY, (const char *)a->key.data, MHD_OPTION_HTTPS_PRIORITIES,
	        API_TLS_PRIORITIES, MHD_OPTION_END);
	if (a->d == NULL) {
		err = pl_errf(PL_E_IO, "cannot serve on %s%s (address in use, or a bad %s?)",
		              c->listen, a->tls ? " with TLS" : "",
		              a->tls ? "certificate or key" : "address");
		goto fail;
	}
	info = MHD_get_daemon_info(a->d, MHD_DAEMON_INFO_BIND_PORT);
	a->port = info != NULL ? info->port : 0;
	log_info("api: serving %s on %s (port %u), %u threads, %u connections, body <= %zu",
	         a->tls ? "HTTPS" : "plain HTTP", c->listen, a->port, threads, conns, a->max_body);
	*out = a;
	return PL_OK;
fail:
	api_free(a);
	return err;
}

unsigned
api_port(const struct api *a)
{
	return a->port;
}

void
api_stop(struct api *a)
{
	struct timespec until;
	MHD_socket fd;

	if (a == NULL)
		return;
	/*
	 * New connections are refused at once (shutdown stops a listening
	 * socket on Linux); the socket itself is closed only after
	 * MHD_stop_daemon, as the manual requires: a worker thread may still
	 * have it in its epoll set, and a number closed now could be reused.
	 */
	fd = MHD_quiesce_daemon(a->d);
	if (fd != MHD_INVALID_SOCKET)
		(void)shutdown(fd, SHUT_RDWR);
	(void)clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)a->timeout_s;
	pthread_mutex_lock(&a->mu);
	while (a->in_flight > 0)
		if (pthread_cond_timedwait(&a->cv, &a->mu, &until) == ETIMEDOUT)
			break;
	if (a->in_flight > 0)
		log_warnx("api: stopping with %u requests unfinished after %u s", a->in_flight,
		          a->timeout_s);
	pthread_mutex_unlock(&a->mu);
	MHD_stop_daemon(a->d);
	if (fd != MHD_INVALID_SOCKET)
		(void)close(fd);
	api_free(a);
}
