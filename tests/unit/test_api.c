/*
 * test_api.c - the HTTP service (src/api/) on a real libmicrohttpd server
 * on 127.0.0.1, port chosen by the system, driven with libcurl: refusals
 * first (bad configuration, 404/405, 401/403, 413 declared and streamed,
 * 415, 400 naming the field or the offset), then what works, over plain
 * HTTP and over TLS with a throwaway certificate made by openssl.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <pthread.h>
#include <curl/curl.h>

#include "api/api.h"
#include "api/api_peer.h"
#include "api/http.h"
#include "core/peer_auth.h"
#include "common/alloc.h"
#include "common/log.h"
#include "core/identity.h"
#include "core/node.h"
#include "crypto/cr.h"
#include "wire/rcpt.h"

#define MAX_BODY 4096

struct peer {
	struct node *node;
	struct keys *keys; /* a copy of the node's keys, for signing as this party */
	struct buf rec;
	char id[CODEC_ID_MAX + 1];
	char fp[PARTY_FP_STR_LEN + 1];
};

static char dir[64];
static struct peer pa, pb;
static struct api *api;
static char base[64];
static char tok_duty[NODE_TOKEN_STR_MAX + 1], tok_admin[NODE_TOKEN_STR_MAX + 1],
        tok_audit[NODE_TOKEN_STR_MAX + 1];

/* ---- Fixtures -------------------------------------------------------------- */

/* A fixture step failed: say which and why. */
#define BAIL()                                                                                     \
	do {                                                                                       \
		fprintf(stderr, "test_api: setup line %d: %s\n", __LINE__, pl_err_msg());          \
		return -1;                                                                         \
	} while (0)

static int
peer_make(struct peer *p, const char *id)
{
	uint8_t secret[KEYS_SECRET_LEN];
	struct node_conf c;
	static struct party r;
	char store[128];

	memset(p, 0, sizeof(*p));
	(void)snprintf(p->id, sizeof(p->id), "%s", id);
	cr_random(secret, sizeof(secret));
	if ((p->keys = keys_from_secret(secret)) == NULL)
		BAIL();
	memset(&r, 0, sizeof(r));
	r.version = PARTY_VERSION;
	(void)snprintf(r.id, sizeof(r.id), "%s", id);
	r.revision = 1;
	r.time_ms = 1767225600000ull;
	memcpy(r.sign_pk, keys_sign_pk(p->keys), SIG_PK_LEN);
	memcpy(r.box_pk, keys_box_pk(p->keys), BOX_PK_LEN);
	r.n_endpoints = 1;
	(void)snprintf(r.endpoints[0], PARTY_URL_MAX, "http://127.0.0.1:9/");
	buf_init(&p->rec, PARTY_ENCODED_MAX);
	if (identity_sign(&p->rec, &r, p->keys, NULL) != PL_OK)
		BAIL();
	identity_fingerprint(p->fp, id, r.sign_pk);
	memset(&c, 0, sizeof(c));
	(void)snprintf(store, sizeof(store), "sqlite:%s/%s.db", dir, id);
	c.store = store;
	c.keys = keys_from_secret(secret);
	cr_wipe(secret, sizeof(secret));
	c.record = p->rec.data;
	c.record_len = p->rec.len;
	if (c.keys == NULL || node_open(&p->node, &c) != PL_OK) {
		fprintf(stderr, "node_open %s: %s\n", id, pl_err_msg());
		BAIL();
	}
	return 0;
}

static void
peer_free(struct peer *p)
{
	node_close(p->node);
	keys_free(p->keys);
	buf_reset(&p->rec);
}

static int
login(struct node *n, const char *name, const char *pw, char tok[NODE_TOKEN_STR_MAX + 1])
{
	struct node_officer who;
	uint64_t exp;

	return node_login(n, name, pw, tok, &exp, &who) == PL_OK ? 0 : -1;
}

static int
group_setup(void **state)
{
	struct api_conf c;
	struct node_officer root;

	(void)state;
	log_init("test_api", 1, 0);
	if (cr_init() != PL_OK || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		BAIL();
	(void)snprintf(dir, sizeof(dir), "/tmp/test_api.XXXXXX");
	if (mkdtemp(dir) == NULL)
		BAIL();
	if (peer_make(&pa, "us-nrrc") != 0 || peer_make(&pb, "ru-nrrc") != 0)
		BAIL();
	if (node_officer_add(pa.node, "alice", "alice pw", STORE_ROLE_DUTY) != PL_OK ||
	    node_officer_add(pa.node, "root", "root password", STORE_ROLE_ADMIN) != PL_OK ||
	    node_officer_add(pa.node, "eve", "eve password", STORE_ROLE_AUDITOR) != PL_OK)
		BAIL();
	if (login(pa.node, "alice", "alice pw", tok_duty) != 0 ||
	    login(pa.node, "root", "root password", tok_admin) != 0 ||
	    login(pa.node, "eve", "eve password", tok_audit) != 0)
		BAIL();
	/* A pins B, so that B may fetch from A. */
	(void)snprintf(root.name, sizeof(root.name), "root");
	root.roles = STORE_ROLE_ADMIN;
	{
		struct party got;

		if (node_peer_add(pa.node, &root, pb.rec.data, pb.rec.len, pb.fp, &got) != PL_OK)
			BAIL();
	}
	memset(&c, 0, sizeof(c));
	c.listen = "127.0.0.1:0";
	c.plain_ok = 1;
	c.max_body = MAX_BODY;
	c.threads = 2;
	c.max_conns = 16;
	c.timeout_s = 5;
	if (api_start(&api, &c, pa.node) != PL_OK) {
		fprintf(stderr, "api_start: %s\n", pl_err_msg());
		BAIL();
	}
	(void)snprintf(base, sizeof(base), "http://127.0.0.1:%u", api_port(api));
	return 0;
}

static int
group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	api_stop(api);
	peer_free(&pa);
	peer_free(&pb);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return -1;
	curl_global_cleanup();
	return 0;
}

/* ---- An HTTP client --------------------------------------------------------- */

struct res {
	long status;
	char hdrs[8192];
	size_t hdrs_len;
	char body[1 << 16];
	size_t len;
	json_t *j;           /* the body, if it is JSON */
	curl_off_t uploaded; /* bytes of the request body curl sent */
};

struct src {
	const uint8_t *p;
	size_t n, off;
};

static size_t
on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct res *r = ctx;
	size_t take = size * n;

	if (take > sizeof(r->body) - 1 - r->len)
		take = sizeof(r->body) - 1 - r->len;
	memcpy(r->body + r->len, p, take);
	r->len += take;
	r->body[r->len] = '\0';
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct res *r = ctx;
	size_t take = size * n;

	if (take > sizeof(r->hdrs) - 1 - r->hdrs_len)
		take = sizeof(r->hdrs) - 1 - r->hdrs_len;
	memcpy(r->hdrs + r->hdrs_len, p, take);
	r->hdrs_len += take;
	r->hdrs[r->hdrs_len] = '\0';
	return size * n;
}

static size_t
on_read(char *p, size_t size, size_t n, void *ctx)
{
	struct src *s = ctx;
	size_t take = size * n;

	/* Small pieces, so that the server sees the body arrive in parts. */
	if (take > 512)
		take = 512;
	if (take > s->n - s->off)
		take = s->n - s->off;
	memcpy(p, s->p + s->off, take);
	s->off += take;
	return take;
}

/* The value of a response header, or NULL (a copy in a static buffer). */
static const char *
header(const struct res *r, const char *name)
{
	static char v[512];
	const char *h = r->hdrs;
	size_t nl = strlen(name);

	while ((h = strchr(h, '\n')) != NULL) {
		h++;
		if (strncasecmp(h, name, nl) == 0 && h[nl] == ':') {
			size_t k = strcspn(h + nl + 1, "\r\n");
			const char *s = h + nl + 1;

			while (*s == ' ')
				s++, k--;
			(void)snprintf(v, sizeof(v), "%.*s", (int)k, s);
			return v;
		}
	}
	return NULL;
}

/* PLAIN: Content-Length; CHUNKED: no length; EXPECT: "Expect: 100-continue", body sent only if asked. */
enum { PLAIN = 0, CHUNKED = 1, EXPECT = 2 };

/*
 * One request.  hdrs: NULL-terminated extra headers.  body NULL: none.
 * Returns the status (0 if the connection failed).
 */
static long
req(struct res *r, const char *method, const char *url, const char *const *hdrs, const void *body,
    size_t n, int mode, const char *cainfo)
{
	struct curl_slist *h = NULL;
	struct src s = { body, n, 0 };
	CURL *c = curl_easy_init();
	char full[API_TARGET_MAX + 128];
	size_t i;

	assert_non_null(c);
	memset(r, 0, sizeof(*r));
	(void)snprintf(full, sizeof(full), "%s%s", strncmp(url, "http", 4) == 0 ? "" : base, url);
	curl_easy_setopt(c, CURLOPT_URL, full);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	if (cainfo != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, cainfo);
	for (i = 0; hdrs != NULL && hdrs[i] != NULL; i++)
		h = curl_slist_append(h, hdrs[i]);
	/* No "Expect: 100-continue" round trip unless a test asks for it. */
	h = curl_slist_append(h, mode == EXPECT ? "Expect: 100-continue" : "Expect:");
	/* Wait for "100 Continue" as long as it takes: no answer means no body. */
	curl_easy_setopt(c, CURLOPT_EXPECT_100_TIMEOUT_MS, 20000L);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		if (mode == CHUNKED) {
			curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(c, CURLOPT_READDATA, &s);
			h = curl_slist_append(h, "Transfer-Encoding: chunked");
		} else {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
		}
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(c, CURLINFO_SIZE_UPLOAD_T, &r->uploaded);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	if (r->len > 0)
		r->j = json_loadb(r->body, r->len, 0, NULL);
	return r->status;
}

static void
res_free(struct res *r)
{
	json_decref(r->j);
	r->j = NULL;
}

/* The reply is the JSON error { "error": { "code": code, "message": ...want... } }. */
static void
expect_error(struct res *r, long status, const char *code, const char *want)
{
	const char *c, *m;

	if (r->status != status)
		fail_msg("status %ld, want %ld: %s", r->status, status, r->body);
	if (r->j == NULL)
		fail_msg("not JSON: %s", r->body);
	c = json_string_value(json_object_get(json_object_get(r->j, "error"), "code"));
	m = json_string_value(json_object_get(json_object_get(r->j, "error"), "message"));
	if (c == NULL || strcmp(c, code) != 0)
		fail_msg("code %s, want %s: %s", c != NULL ? c : "(none)", code, r->body);
	if (want != NULL && (m == NULL || strstr(m, want) == NULL))
		fail_msg("message lacks \"%s\": %s", want, r->body);
	assert_string_equal(header(r, "Content-Type"), "application/json");
	assert_string_equal(header(r, "Cache-Control"), "no-store");
	assert_string_equal(header(r, "X-Content-Type-Options"), "nosniff");
	res_free(r);
}

static const char *const *
bearer(const char *tok)
{
	static char auth[128];
	static const char *h[3];

	(void)snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	h[0] = auth;
	h[1] = "Content-Type: application/json";
	h[2] = NULL;
	return h;
}

static long
post_json(struct res *r, const char *url, const char *tok, const char *json)
{
	return req(r, "POST", url, tok != NULL ? bearer(tok) : bearer(""), json, strlen(json),
	           PLAIN, NULL);
}

/* ---- Pure helpers ----------------------------------------------------------- */

static void
test_listen_parse(void **state)
{
	static const char *const bad[] = {
		"",
		"127.0.0.1",
		"localhost:80",
		"127.0.0.1:",
		"127.0.0.1:65536",
		"127.0.0.1:-1",
		"127.0.0.1:08",
		"1.2.3:80",
		"[::1:80",
		"::1:80",
		"[]:80",
		"[::1]x:80",
		":80",
		"[127.0.0.1]:80",
		"127.0.0.1:80 ",
	};
	struct sockaddr_storage ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pl_err_clear();
		if (api_listen_parse(bad[i], &ss, &len) != PL_E_ARG)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_true(strncmp(pl_err_msg(), "listen: ", 8) == 0);
	}
	assert_int_equal(api_listen_parse("127.0.0.1:7400", &ss, &len), PL_OK);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(a4->sin_port), 7400);
	assert_int_equal(len, sizeof(*a4));
	assert_int_equal(api_listen_parse("0.0.0.0:0", &ss, &len), PL_OK);
	assert_int_equal(ntohs(a4->sin_port), 0);
	assert_int_equal(api_listen_parse("[::1]:65535", &ss, &len), PL_OK);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(ntohs(a6->sin6_port), 65535);
	assert_int_equal(len, sizeof(*a6));
	assert_int_equal(api_listen_parse("[2001:db8::7]:443", &ss, &len), PL_OK);
}

static void
test_route_match(void **state)
{
	char arg[API_ARG_MAX + 1], longseg[API_ARG_MAX + 40];

#define M(pat, path) api_route_match((pat), (path), strlen(path), arg)
	(void)state;
	assert_true(M("/api/v1/status", "/api/v1/status"));
	assert_false(M("/api/v1/status", "/api/v1/status/"));
	assert_false(M("/api/v1/status", "/api/v1/statu"));
	assert_false(M("/api/v1/status", "/api/v1/statusx"));
	assert_true(M("/api/v1/envelopes/*", "/api/v1/envelopes/abc"));
	assert_string_equal(arg, "abc");
	assert_false(M("/api/v1/envelopes/*", "/api/v1/envelopes/"));
	assert_false(M("/api/v1/envelopes/*", "/api/v1/envelopes/a/b"));
	assert_false(M("/api/v1/envelopes/*", "/api/v1/envelopes"));
	assert_true(M("/api/v1/envelopes/*/ack", "/api/v1/envelopes/ff/ack"));
	assert_string_equal(arg, "ff");
	assert_false(M("/api/v1/envelopes/*/ack", "/api/v1/envelopes//ack"));
	assert_false(M("/api/v1/envelopes/*/ack", "/api/v1/envelopes/ff/ack/"));
	memset(longseg, 0, sizeof(longseg));
	(void)snprintf(longseg, sizeof(longseg), "/api/v1/envelopes/");
	memset(longseg + strlen(longseg), 'a', API_ARG_MAX);
	assert_true(M("/api/v1/envelopes/*", longseg));
	longseg[strlen(longseg)] = 'a';
	assert_false(M("/api/v1/envelopes/*", longseg));
	/* A final ** takes the rest of the path, one segment or more, never none. */
	assert_true(M("/log/tile/**", "/log/tile/0/x001/234.p/7"));
	assert_string_equal(arg, "0/x001/234.p/7");
	assert_true(M("/log/tile/**", "/log/tile/0"));
	assert_false(M("/log/tile/**", "/log/tile/"));
	assert_false(M("/log/tile/**", "/log/tiles/0/000"));
	/* Only path_len bytes count: the query is not part of the path. */
	assert_true(api_route_match("/a", "/a?x=1", 2, arg));
#undef M
}

static void
test_query_next(void **state)
{
	static const char *const bad[] = {
		"a",
		"=1",
		"a=",
		"a=1&",
		"a=1&&b=2",
		"a=%41",
		"a=1 2",
		"a=\xc3\xa9",
		"a=b=c",
		"&a=1",
		"abcdefghijklmnopq=1",
	};
	char k[API_QKEY_MAX + 1], v[API_QVAL_MAX + 1], longv[API_QVAL_MAX + 8];
	const char *q;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		q = bad[i];
		while ((rc = api_query_next(&q, k, v)) == 1)
			;
		if (rc != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	q = "";
	assert_int_equal(api_query_next(&q, k, v), 0);
	q = "channel=cyber&from=12";
	assert_int_equal(api_query_next(&q, k, v), 1);
	assert_string_equal(k, "channel");
	assert_string_equal(v, "cyber");
	assert_int_equal(api_query_next(&q, k, v), 1);
	assert_string_equal(k, "from");
	assert_string_equal(v, "12");
	assert_int_equal(api_query_next(&q, k, v), 0);
	(void)snprintf(longv, sizeof(longv), "a=");
	memset(longv + 2, 'x', API_QVAL_MAX);
	longv[2 + API_QVAL_MAX] = '\0';
	q = longv;
	assert_int_equal(api_query_next(&q, k, v), 1);
	(void)snprintf(longv, sizeof(longv), "a=");
	memset(longv + 2, 'x', API_QVAL_MAX + 1);
	longv[3 + API_QVAL_MAX] = '\0';
	q = longv;
	assert_int_equal(api_query_next(&q, k, v), -1);
}

/* ---- Configuration refused ------------------------------------------------- */

static void
test_start_refuses(void **state)
{
	struct api_conf c;
	struct api *a = (struct api *)1;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.listen = "127.0.0.1:0";
	assert_int_equal(api_start(&a, &c, pa.node), PL_E_ARG);
	assert_null(a);
	assert_non_null(strstr(pl_err_msg(), "refusing plain HTTP"));
	c.tls_cert = "/nonexistent/cert.pem";
	assert_int_equal(api_start(&a, &c, pa.node), PL_E_ARG);
	assert_non_null(strstr(pl_err_msg(), "tls-key is missing"));
	c.tls_cert = NULL;
	c.tls_key = "/nonexistent/key.pem";
	c.plain_ok = 1;
	assert_int_equal(api_start(&a, &c, pa.node), PL_E_ARG);
	assert_non_null(strstr(pl_err_msg(), "tls-cert is missing"));
	c.tls_cert = "/nonexistent/cert.pem";
	assert_int_not_equal(api_start(&a, &c, pa.node), PL_OK);
	assert_non_null(strstr(pl_err_msg(), "/nonexistent/cert.pem"));
	c.tls_cert = c.tls_key = NULL;
	c.listen = "localhost:0";
	assert_int_equal(api_start(&a, &c, pa.node), PL_E_ARG);
	c.listen = "127.0.0.1:0";
	c.threads = 8;
	c.max_conns = 4;
	assert_int_equal(api_start(&a, &c, pa.node), PL_E_ARG);
	assert_non_null(strstr(pl_err_msg(), "max-connections 4 < threads 8"));
	c.threads = c.max_conns = 0;
	c.console_dir = "/nonexistent";
	assert_int_equal(api_start(&a, &c, pa.node), PL_E_ARG);
	c.console_dir = NULL;
	/* The port the running server holds. */
	(void)snprintf(base + 40, 24, "127.0.0.1:%u", api_port(api));
	c.listen = base + 40;
	assert_int_equal(api_start(&a, &c, pa.node), PL_E_IO);
	base[40] = '\0';
	assert_null(a);
	api_stop(NULL);
}

/* ---- Routing and the security headers ------------------------------------ */

static void
test_not_found(void **state)
{
	struct res r;

	(void)state;
	req(&r, "GET", "/nope", NULL, NULL, 0, PLAIN, NULL);
	expect_error(&r, 404, "not-found", "no such resource");
	req(&r, "GET", "/api/v1/envelopes/a/b/c", NULL, NULL, 0, PLAIN, NULL);
	expect_error(&r, 404, "not-found", NULL);
	req(&r, "GET", "/api/v2/status", NULL, NULL, 0, PLAIN, NULL);
	expect_error(&r, 404, "not-found", NULL);
	/* No console configured: / is not found either. */
	req(&r, "GET", "/", NULL, NULL, 0, PLAIN, NULL);
	expect_error(&r, 404, "not-found", NULL);
	req(&r, "POST", "/api/v1/status", bearer(tok_duty), "{}", 2, PLAIN, NULL);
	assert_string_equal(header(&r, "Allow"), "GET");
	expect_error(&r, 405, "method-not-allowed", "allowed: GET");
	req(&r, "DELETE", "/api/v1/envelopes", bearer(tok_duty), NULL, 0, PLAIN, NULL);
	assert_string_equal(header(&r, "Allow"), "GET, POST");
	expect_error(&r, 405, "method-not-allowed", NULL);
	req(&r, "GET", "/api/v1/login", NULL, NULL, 0, PLAIN, NULL);
	expect_error(&r, 405, "method-not-allowed", "allowed: POST");
	req(&r, "PUT", "/peer/v1/envelopes", NULL, NULL, 0, PLAIN, NULL);
	expect_error(&r, 405, "method-not-allowed", NULL);
}

static void
test_target_too_long(void **state)
{
	char url[API_TARGET_MAX + 64];
	struct res r;

	(void)state;
	(void)snprintf(url, sizeof(url), "/api/v1/envelopes?channel=");
	memset(url + strlen(url), 'a', API_TARGET_MAX);
	url[API_TARGET_MAX + 1] = '\0';
	req(&r, "GET", url, bearer(tok_duty), NULL, 0, PLAIN, NULL);
	expect_error(&r, 414, "uri-too-long", NULL);
}

/* ---- Officer authentication ------------------------------------------------ */

static void
test_auth_refused(void **state)
{
	static const char *const no_scheme[] = { "Authorization: Basic YTpi", NULL };
	static const char *const bad_chars[] = { "Authorization: Bearer a+b/c=", NULL };
	static const char *const empty[] = { "Authorization: Bearer ", NULL };
	struct res r;

	(void)state;
	req(&r, "GET", "/api/v1/status", NULL, NULL, 0, PLAIN, NULL);
	assert_non_null(header(&r, "WWW-Authenticate"));
	assert_string_equal(header(&r, "WWW-Authenticate"), "Bearer realm=\"parley\"");
	expect_error(&r, 401, "unauthorized", "no token");
	req(&r, "GET", "/api/v1/status", no_scheme, NULL, 0, PLAIN, NULL);
	expect_error(&r, 401, "unauthorized", "not \"Bearer <token>\"");
	req(&r, "GET", "/api/v1/status", bad_chars, NULL, 0, PLAIN, NULL);
	expect_error(&r, 401, "unauthorized", "base64url");
	req(&r, "GET", "/api/v1/status", empty, NULL, 0, PLAIN, NULL);
	expect_error(&r, 401, "unauthorized", NULL);
	req(&r, "GET", "/api/v1/status", bearer("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
	    NULL, 0, PLAIN, NULL);
	expect_error(&r, 401, "unauthorized", "unknown or expired token");

	/* Roles: an auditor reads but does not send; admin and duty are distinct. */
	post_json(&r, "/api/v1/envelopes", tok_audit,
	          "{\"channel\":\"cyber\",\"format\":\"ping\"}");
	expect_error(&r, 403, "forbidden", "needs the role duty");
	post_json(&r, "/api/v1/envelopes", tok_admin,
	          "{\"channel\":\"cyber\",\"format\":\"ping\"}");
	expect_error(&r, 403, "forbidden", "needs the role duty");
	post_json(&r, "/api/v1/officers", tok_duty,
	          "{\"name\":\"x\",\"password\":\"p\",\"roles\":\"duty\"}");
	expect_error(&r, 403, "forbidden", "needs the role admin");
	post_json(&r, "/api/v1/peers", tok_duty, "{}");
	expect_error(&r, 403, "forbidden", "needs the role admin");
	post_json(&r, "/api/v1/channels/cyber/accept", tok_audit, "{}");
	expect_error(&r, 403, "forbidden", NULL);
	/* Auth comes before the body is judged: a bad body without a token is 401. */
	post_json(&r, "/api/v1/envelopes", "", "{nonsense");
	expect_error(&r, 401, "unauthorized", NULL);
	/*
	 * And before the body is taken in: asked whether to send it ("Expect:
	 * 100-continue"), the server answers at once and the body never goes.
	 */
	req(&r, "POST", "/api/v1/envelopes", bearer(tok_audit), "{\"channel\":\"x\"}", 15, EXPECT,
	    NULL);
	assert_true(r.uploaded == 0);
	expect_error(&r, 403, "forbidden", NULL);
	req(&r, "POST", "/api/v1/envelopes", bearer("nope"), "{\"channel\":\"x\"}", 15, EXPECT,
	    NULL);
	assert_true(r.uploaded == 0);
	expect_error(&r, 401, "unauthorized", NULL);
	/* While an officer who may gets asked for the body, and it is judged. */
	req(&r, "POST", "/api/v1/envelopes", bearer(tok_duty), "{\"channel\":\"x\"}", 15, EXPECT,
	    NULL);
	assert_true(r.uploaded == 15);
	expect_error(&r, 400, "bad-request", "send: format: missing");
	/* But the auditor may read. */
	assert_int_equal(req(&r, "GET", "/api/v1/status", bearer(tok_audit), NULL, 0, PLAIN, NULL),
	                 200);
	res_free(&r);
}

static void
test_login_logout(void **state)
{
	char tok[NODE_TOKEN_STR_MAX + 1], tok2[NODE_TOKEN_STR_MAX + 1];
	struct res r;

	(void)state;
	post_json(&r, "/api/v1/login", NULL, "{\"name\":\"alice\",\"password\":\"wrong\"}");
	expect_error(&r, 401, "unauthorized", "bad name or password");
	post_json(&r, "/api/v1/login", NULL, "{\"name\":\"nobody\",\"password\":\"alice pw\"}");
	expect_error(&r, 401, "unauthorized", "bad name or password");
	post_json(&r, "/api/v1/login", NULL, "{\"name\":\"alice\"}");
	expect_error(&r, 400, "bad-request", "login: password: missing");
	post_json(&r, "/api/v1/login", NULL, "{\"name\":\"alice\",\"password\":\"x\",\"otp\":1}");
	expect_error(&r, 400, "bad-request", "login: unknown member 'otp'");
	post_json(&r, "/api/v1/login", NULL, "{\"name\":1,\"password\":\"x\"}");
	expect_error(&r, 400, "bad-request", "login: name: not a string");

	assert_int_equal(post_json(&r, "/api/v1/login", NULL,
	                           "{\"name\":\"alice\",\"password\":\"alice pw\"}"),
	                 200);
	assert_string_equal(header(&r, "Cache-Control"), "no-store");
	assert_non_null(json_string_value(json_object_get(r.j, "token")));
	(void)snprintf(tok, sizeof(tok), "%s", json_string_value(json_object_get(r.j, "token")));
	assert_string_equal(json_string_value(json_object_get(r.j, "name")), "alice");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r.j, "roles"), 0)),
	                    "duty");
	assert_true(json_is_string(json_object_get(r.j, "expires")));
	{
		const char *e = json_string_value(json_object_get(r.j, "expires"));

		/* RFC 3339 UTC with milliseconds: 2026-01-01T10:00:00.250Z */
		assert_int_equal(strlen(e), 24);
		assert_true(e[4] == '-' && e[10] == 'T' && e[19] == '.' && e[23] == 'Z');
	}
	res_free(&r);

	/* A token for a script, then logout ends the session but not the API token. */
	post_json(&r, "/api/v1/tokens", tok, "{}");
	expect_error(&r, 400, "bad-request", "token: label: missing");
	post_json(&r, "/api/v1/tokens", tok, "{\"label\":\"\"}");
	expect_error(&r, 400, "bad-request", "token: label: empty");
	post_json(&r, "/api/v1/tokens", tok, "{\"label\":\"a\\nb\"}");
	expect_error(&r, 400, "bad-request", "control characters");
	assert_int_equal(post_json(&r, "/api/v1/tokens", tok, "{\"label\":\"cli on desk-2\"}"),
	                 201);
	(void)snprintf(tok2, sizeof(tok2), "%s", json_string_value(json_object_get(r.j, "token")));
	assert_string_equal(json_string_value(json_object_get(r.j, "label")), "cli on desk-2");
	res_free(&r);
	post_json(&r, "/api/v1/logout", tok, "{\"all\":true}");
	expect_error(&r, 400, "bad-request", "logout: takes no members");
	assert_int_equal(req(&r, "POST", "/api/v1/logout", bearer(tok), NULL, 0, PLAIN, NULL), 204);
	assert_int_equal(r.len, 0);
	req(&r, "GET", "/api/v1/status", bearer(tok), NULL, 0, PLAIN, NULL);
	expect_error(&r, 401, "unauthorized", NULL);
	assert_int_equal(req(&r, "GET", "/api/v1/status", bearer(tok2), NULL, 0, PLAIN, NULL), 200);
	res_free(&r);
}

/* ---- Bodies: size, type, JSON ------------------------------------------------ */

static void
test_too_big(void **state)
{
	static uint8_t big[MAX_BODY * 4];
	static const char *const octets[] = { "Content-Type: application/octet-stream", NULL };
	struct res r;

	(void)state;
	memset(big, ' ', sizeof(big));
	/* Declared: refused before the body is read. */
	req(&r, "POST", "/peer/v1/envelopes", octets, big, MAX_BODY + 1, PLAIN, NULL);
	expect_error(&r, 413, "too-big", "body of 4097 bytes > 4096");
	req(&r, "POST", "/peer/v1/envelopes", octets, big, sizeof(big), EXPECT, NULL);
	assert_true(r.uploaded == 0);
	expect_error(&r, 413, "too-big", "body of 16384 bytes > 4096");
	req(&r, "POST", "/api/v1/envelopes", bearer(tok_duty), big, sizeof(big), PLAIN, NULL);
	expect_error(&r, 413, "too-big", NULL);
	/* Even before authentication. */
	req(&r, "POST", "/api/v1/login", bearer(""), big, sizeof(big), PLAIN, NULL);
	expect_error(&r, 413, "too-big", NULL);
	/* Streamed (chunked, no length): refused when it passes the cap. */
	req(&r, "POST", "/peer/v1/envelopes", octets, big, sizeof(big), CHUNKED, NULL);
	expect_error(&r, 413, "too-big", "body longer than 4096 bytes");
	req(&r, "POST", "/api/v1/envelopes", bearer(tok_duty), big, MAX_BODY + 1, CHUNKED, NULL);
	expect_error(&r, 413, "too-big", NULL);
	/* Exactly the cap is read and judged: here, as JSON that it is not. */
	req(&r, "POST", "/api/v1/envelopes", bearer(tok_duty), big, MAX_BODY, PLAIN, NULL);
	expect_error(&r, 400, "bad-request", "JSON error");
	req(&r, "POST", "/api/v1/envelopes", bearer(tok_duty), big, MAX_BODY, CHUNKED, NULL);
	expect_error(&r, 400, "bad-request", "JSON error");
	/* Streamed far past the cap: dropped as it comes, then the connection is closed. */
	{
		static uint8_t huge[3u << 20];

		memset(huge, '{', sizeof(huge));
		assert_int_equal(req(&r, "POST", "/peer/v1/envelopes", octets, huge, sizeof(huge),
		                     CHUNKED, NULL),
		                 0);
		res_free(&r);
	}
	/* The server still answers after all that. */
	assert_int_equal(req(&r, "GET", "/api/v1/status", bearer(tok_duty), NULL, 0, PLAIN, NULL),
	                 200);
	res_free(&r);
}

static void
test_content_type(void **state)
{
	static const char *const form[] = { "Authorization: Bearer x",
		                            "Content-Type: application/x-www-form-urlencoded",
		                            NULL };
	static const char *const json[] = { "Content-Type: application/json", NULL };
	static const char *const json_cs[] = { "Content-Type: Application/JSON; charset=utf-8",
		                               NULL };
	char hdr[128];
	const char *h[3] = { hdr, "Content-Type: text/plain", NULL };
	struct res r;

	(void)state;
	req(&r, "POST", "/api/v1/login", form, "{}", 2, PLAIN, NULL);
	expect_error(&r, 415, "unsupported-media-type", "application/json");
	req(&r, "POST", "/peer/v1/envelopes", json, "\0\0\0\1x", 5, PLAIN, NULL);
	expect_error(&r, 415, "unsupported-media-type", "application/octet-stream");
	req(&r, "POST", "/peer/v1/envelopes", NULL, "\0\0\0\1x", 5, PLAIN, NULL);
	expect_error(&r, 415, "unsupported-media-type", NULL);
	(void)snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", tok_duty);
	req(&r, "POST", "/api/v1/envelopes", h, "{}", 2, CHUNKED, NULL);
	expect_error(&r, 415, "unsupported-media-type", NULL);
	/* Parameters and case do not matter. */
	req(&r, "POST", "/api/v1/login", json_cs, "{\"name\":\"alice\",\"password\":\"no\"}", 32,
	    PLAIN, NULL);
	expect_error(&r, 401, "unauthorized", NULL);
}

static void
test_bad_json(void **state)
{
	static const struct {
		const char *body, *want;
	} cases[] = {
		{ "", "request body: empty" },
		{ "{", "JSON error at byte" },
		{ "[]", "not a JSON object" },
		{ "\"x\"", "JSON error" },
		{ "{\"channel\":\"cyber\",\"channel\":\"cyber\",\"format\":\"ping\"}",
		  "JSON error" },
		{ "{\"format\":\"ping\"}", "send: channel: missing" },
		{ "{\"channel\":\"cyber\"}", "send: format: missing" },
		{ "{\"channel\":\"cyber\",\"format\":\"ping\",\"foo\":1}",
		  "send: unknown member 'foo'" },
		{ "{\"channel\":\"cyber\",\"format\":\"ping\",\"Foo Bar\":1}",
		  "send: unknown member" },
		{ "{\"channel\":7,\"format\":\"ping\"}", "send: channel: not a string" },
		{ "{\"channel\":\"Cyber!\",\"format\":\"ping\"}", "send: channel: not an id" },
		{ "{\"channel\":\"cyber\",\"format\":\"ping\",\"precedence\":\"URGENT\"}",
		  "send: precedence: not FLASH" },
		{ "{\"channel\":\"cyber\",\"format\":\"ping\",\"precedence\":0}",
		  "send: precedence: not a string" },
		{ "{\"channel\":\"cyber\",\"format\":\"ping\",\"tlp\":\"white\"}",
		  "send: tlp: not clear" },
		{ "{\"channel\":\"cyber\",\"format\":\"ping\",\"version\":0}",
		  "send: version: not 1.." },
		{ "{\"channel\":\"cyber\",\"format\":\"ping\",\"version\":1.5}",
		  "send: version: not an integer" },
		{ "{\"channel\":\"cyber\",\"format\":\"ping\",\"data\":[]}",
		  "send: data: not an object" },
		{ "{\"channel\":\"cyber\",\"format\":\"ping\",\"exercise\":1}",
		  "send: exercise: not true or false" },
		{ "{\"channel\":\"cyber\",\"format\":\"ping\",\"texts\":{\"en\":1},\"authoritative\":\"en\"}",
		  "send: texts: a text that is not a string" },
		{ "{\"channel\":\"cyber\",\"format\":\"ping\",\"texts\":{\"en\":\"x\"}}",
		  "send: authoritative: missing" },
		{ "{\"channel\":\"cyber\",\"format\":\"ping\",\"texts\":{\"en\":\"x\"},\"authoritative\":"
		  "\"ru\"}",
		  "send: authoritative: not a language of texts" },
		{ "{\"channel\":\"cyber\",\"format\":\"ping\",\"refs\":[\"AA\"]}",
		  "send: refs[0]: not an envelope id" },
		{ "{\"channel\":\"cyber\",\"format\":\"ping\",\"refs\":\"x\"}",
		  "send: refs: not an array" },
	};
	struct res r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		req(&r, "POST", "/api/v1/envelopes", bearer(tok_duty), cases[i].body,
		    strlen(cases[i].body), PLAIN, NULL);
		expect_error(&r, 400, "bad-request", cases[i].want);
	}
}

/* ---- Peer API --------------------------------------------------------------- */

static void
test_peer_framing(void **state)
{
	static const char *const octets[] = { "Content-Type: application/octet-stream", NULL };
	uint8_t b[64];
	struct res r;
	json_t *e;

	(void)state;
	/* A length past the end: 400 naming the envelope and the offset. */
	memcpy(b, "\0\0\0\5hello\0\0\0\x09xy", 15);
	assert_int_equal(req(&r, "POST", "/peer/v1/envelopes", octets, b, 15, PLAIN, NULL), 400);
	assert_int_equal(json_integer_value(json_object_get(r.j, "accepted")), 0);
	assert_int_equal(json_array_size(json_object_get(r.j, "receipts")), 0);
	e = json_object_get(r.j, "error");
	assert_string_equal(json_string_value(json_object_get(e, "code")), "malformed");
	assert_int_equal(json_integer_value(json_object_get(e, "index")), 1);
	assert_non_null(strstr(json_string_value(json_object_get(e, "message")),
	                       "truncated reading envelope 1 (need 9 bytes, 2 left) at offset 13"));
	res_free(&r);
	/* A zero length, a cut length field. */
	assert_int_equal(req(&r, "POST", "/peer/v1/envelopes", octets, "\0\0\0\0", 4, PLAIN, NULL),
	                 400);
	assert_non_null(strstr(r.body, "envelope 0: length 0 at offset 0"));
	res_free(&r);
	assert_int_equal(req(&r, "POST", "/peer/v1/envelopes", octets, "\0\0", 2, PLAIN, NULL),
	                 400);
	assert_non_null(strstr(r.body, "truncated reading length of envelope 0"));
	res_free(&r);
	/* A length over the largest envelope: 413 too-big. */
	assert_int_equal(
	        req(&r, "POST", "/peer/v1/envelopes", octets, "\0\x10\0\0x", 5, PLAIN, NULL), 413);
	assert_non_null(strstr(r.body, "\"too-big\""));
	res_free(&r);
	/* Empty. */
	assert_int_equal(req(&r, "POST", "/peer/v1/envelopes", octets, "", 0, PLAIN, NULL), 400);
	assert_non_null(strstr(r.body, "peer batch: empty"));
	res_free(&r);
}

static void
test_peer_get_auth(void **state)
{
	const char *path = "/peer/v1/envelopes?channel=cyber&from=1";
	char v[PEER_AUTH_VALUE_MAX + 1], hdr[PEER_AUTH_VALUE_MAX + 32];
	const char *h[2] = { hdr, NULL };
	struct keys *stranger = keys_new();
	struct res r;

	(void)state;
	assert_non_null(stranger);
	req(&r, "GET", path, NULL, NULL, 0, PLAIN, NULL);
	expect_error(&r, 401, "unauthorized", "Parley-Auth header missing");
	(void)snprintf(hdr, sizeof(hdr), "Parley-Auth: ru-nrrc 1 AAAA");
	req(&r, "GET", path, h, NULL, 0, PLAIN, NULL);
	expect_error(&r, 401, "unauthorized", "signature: not 64 bytes of base64");
	/* Not pinned here. */
	assert_int_equal(peer_auth_sign(v, stranger, "xx-cert", path, api_now_ms()), PL_OK);
	(void)snprintf(hdr, sizeof(hdr), "Parley-Auth: %s", v);
	req(&r, "GET", path, h, NULL, 0, PLAIN, NULL);
	expect_error(&r, 401, "unknown-sender", "xx-cert is not pinned");
	/* Pinned, but signed by another key. */
	assert_int_equal(peer_auth_sign(v, stranger, "ru-nrrc", path, api_now_ms()), PL_OK);
	(void)snprintf(hdr, sizeof(hdr), "Parley-Auth: %s", v);
	req(&r, "GET", path, h, NULL, 0, PLAIN, NULL);
	expect_error(&r, 401, "unauthorized", "signature does not verify");
	/* The right key, but for another request target. */
	assert_int_equal(peer_auth_sign(v, pb.keys, "ru-nrrc",
	                                "/peer/v1/envelopes?channel=cyber&from=2", api_now_ms()),
	                 PL_OK);
	(void)snprintf(hdr, sizeof(hdr), "Parley-Auth: %s", v);
	req(&r, "GET", path, h, NULL, 0, PLAIN, NULL);
	expect_error(&r, 401, "unauthorized", "signature does not verify");
	/* The right key, six minutes old. */
	assert_int_equal(peer_auth_sign(v, pb.keys, "ru-nrrc", path, api_now_ms() - 6 * 60 * 1000),
	                 PL_OK);
	(void)snprintf(hdr, sizeof(hdr), "Parley-Auth: %s", v);
	req(&r, "GET", path, h, NULL, 0, PLAIN, NULL);
	expect_error(&r, 401, "unauthorized", "behind this node's clock");
	/* Signed, but the query is wrong: 400 naming it. */
	assert_int_equal(peer_auth_sign(v, pb.keys, "ru-nrrc", "/peer/v1/envelopes?channel=cyber",
	                                api_now_ms()),
	                 PL_OK);
	(void)snprintf(hdr, sizeof(hdr), "Parley-Auth: %s", v);
	req(&r, "GET", "/peer/v1/envelopes?channel=cyber", h, NULL, 0, PLAIN, NULL);
	expect_error(&r, 400, "malformed", "query: from missing");
	assert_int_equal(peer_auth_sign(v, pb.keys, "ru-nrrc",
	                                "/peer/v1/envelopes?channel=cyber&from=1&x=2",
	                                api_now_ms()),
	                 PL_OK);
	(void)snprintf(hdr, sizeof(hdr), "Parley-Auth: %s", v);
	req(&r, "GET", "/peer/v1/envelopes?channel=cyber&from=1&x=2", h, NULL, 0, PLAIN, NULL);
	expect_error(&r, 400, "malformed", "query: unknown parameter x");
	/* Not a member of that channel. */
	assert_int_equal(peer_auth_sign(v, pb.keys, "ru-nrrc",
	                                "/peer/v1/envelopes?channel=other&from=1", api_now_ms()),
	                 PL_OK);
	(void)snprintf(hdr, sizeof(hdr), "Parley-Auth: %s", v);
	req(&r, "GET", "/peer/v1/envelopes?channel=other&from=1", h, NULL, 0, PLAIN, NULL);
	expect_error(&r, 404, "no-channel", NULL);
	keys_free(stranger);
}

/* ---- TLS ----------------------------------------------------------------------- */

static void
test_tls(void **state)
{
	char cmd[512], cert[128], key[128], url[128];
	struct api_conf c;
	struct api *t = NULL;
	struct res r;

	(void)state;
	(void)snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	(void)snprintf(key, sizeof(key), "%s/key.pem", dir);
	(void)snprintf(cmd, sizeof(cmd),
	               "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
	               "-nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
	               "-keyout '%s' -out '%s' 2>/dev/null",
	               key, cert);
	assert_int_equal(system(cmd), 0);
	memset(&c, 0, sizeof(c));
	c.listen = "127.0.0.1:0";
	c.tls_cert = cert;
	c.tls_key = key;
	c.max_body = MAX_BODY;
	/* A key that others may read is refused. */
	assert_int_equal(chmod(key, 0644), 0);
	assert_int_not_equal(api_start(&t, &c, pa.node), PL_OK);
	assert_non_null(strstr(pl_err_msg(), "key.pem"));
	assert_int_equal(chmod(key, 0600), 0);
	/* A certificate that is not PEM: the server does not start. */
	c.tls_cert = key;
	c.tls_key = key;
	assert_int_equal(api_start(&t, &c, pa.node), PL_E_IO);
	c.tls_cert = cert;
	assert_int_equal(api_start(&t, &c, pa.node), PL_OK);

	(void)snprintf(url, sizeof(url), "https://127.0.0.1:%u/api/v1/status", api_port(t));
	assert_int_equal(req(&r, "GET", url, bearer(tok_duty), NULL, 0, PLAIN, cert), 200);
	assert_string_equal(header(&r, "Strict-Transport-Security"), "max-age=31536000");
	assert_string_equal(json_string_value(json_object_get(r.j, "party")), "us-nrrc");
	res_free(&r);
	req(&r, "GET", url, NULL, NULL, 0, PLAIN, cert);
	expect_error(&r, 401, "unauthorized", NULL);
	(void)snprintf(url, sizeof(url), "https://127.0.0.1:%u/api/v1/login", api_port(t));
	assert_int_equal(req(&r, "POST", url, bearer(""),
	                     "{\"name\":\"alice\",\"password\":\"alice pw\"}", 38, PLAIN, cert),
	                 200);
	res_free(&r);
	/* Not trusted without the certificate; plain HTTP gets no answer. */
	assert_int_equal(req(&r, "GET", url, NULL, NULL, 0, PLAIN, "/dev/null"), 0);
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/status", api_port(t));
	assert_true(req(&r, "GET", url, NULL, NULL, 0, PLAIN, NULL) != 200);
	res_free(&r);
	api_stop(t);
}

/* ---- Console files ------------------------------------------------------------ */

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static void
test_static(void **state)
{
	char cdir[128], path[192], url[128];
	struct api_conf c;
	struct api *t = NULL;
	struct res r;
	static const char *const bad[] = {
		"/../test_api.c", "/%2e%2e/x", "/.hidden", "/sub/../index.html", "//index.html",
		"/sub//x.js",     "/link.txt", "/sub",     "/missing.html",      "/a%20b",
	};
	size_t i;

	(void)state;
	(void)snprintf(cdir, sizeof(cdir), "%s/console", dir);
	assert_int_equal(mkdir(cdir, 0755), 0);
	(void)snprintf(path, sizeof(path), "%s/index.html", cdir);
	write_file(path, "<!doctype html><title>parley</title>");
	(void)snprintf(path, sizeof(path), "%s/.hidden", cdir);
	write_file(path, "secret");
	(void)snprintf(path, sizeof(path), "%s/sub", cdir);
	assert_int_equal(mkdir(path, 0755), 0);
	(void)snprintf(path, sizeof(path), "%s/sub/app.js", cdir);
	write_file(path, "console.log(1)");
	(void)snprintf(path, sizeof(path), "%s/link.txt", cdir);
	assert_int_equal(symlink("/etc/passwd", path), 0);

	memset(&c, 0, sizeof(c));
	c.listen = "127.0.0.1:0";
	c.plain_ok = 1;
	c.console_dir = cdir;
	assert_int_equal(api_start(&t, &c, pa.node), PL_OK);
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/", api_port(t));
	assert_int_equal(req(&r, "GET", url, NULL, NULL, 0, PLAIN, NULL), 200);
	assert_string_equal(r.body, "<!doctype html><title>parley</title>");
	assert_string_equal(header(&r, "Content-Type"), "text/html; charset=utf-8");
	assert_string_equal(header(&r, "X-Content-Type-Options"), "nosniff");
	assert_non_null(header(&r, "Content-Security-Policy"));
	res_free(&r);
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/sub/app.js", api_port(t));
	assert_int_equal(req(&r, "GET", url, NULL, NULL, 0, PLAIN, NULL), 200);
	assert_string_equal(header(&r, "Content-Type"), "text/javascript; charset=utf-8");
	res_free(&r);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", api_port(t), bad[i]);
		req(&r, "GET", url, NULL, NULL, 0, PLAIN, NULL);
		if (r.status != 404 && r.status != 400)
			fail_msg("%s: status %ld", bad[i], r.status);
		assert_null(strstr(r.body, "secret"));
		assert_null(strstr(r.body, "root:"));
		res_free(&r);
	}
	/* Read-only, and the API is still the API. */
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/index.html", api_port(t));
	assert_int_equal(req(&r, "POST", url, NULL, "x", 1, PLAIN, NULL), 404);
	res_free(&r);
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/nothing", api_port(t));
	req(&r, "GET", url, NULL, NULL, 0, PLAIN, NULL);
	expect_error(&r, 404, "not-found", NULL);
	api_stop(t);
}

/* ---- Two real nodes talking through their servers ------------------------------ */

/* POST a batch to a server; answer as req() does. */
static long
post_batch(struct res *r, unsigned port, const uint8_t *p, size_t n)
{
	static const char *const octets[] = { "Content-Type: application/octet-stream", NULL };
	char url[128];

	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/peer/v1/envelopes", port);
	return req(r, "POST", url, octets, p, n, PLAIN, NULL);
}

/* The receipts of a peer's answer, decoded into count bufs. */
static struct buf *
receipts_of(const struct res *r, size_t *count)
{
	json_t *a = json_object_get(r->j, "receipts");
	struct buf *rc;
	size_t i;

	*count = json_array_size(a);
	rc = pl_calloc(*count + 1, sizeof(*rc));
	assert_non_null(rc);
	for (i = 0; i < *count; i++) {
		const char *s = json_string_value(json_array_get(a, i));
		uint8_t raw[RCPT_ENCODED_MAX];
		size_t got;

		assert_non_null(s);
		assert_int_equal(cr_b64_decode(raw, sizeof(raw), &got, s, strlen(s)), PL_OK);
		buf_init(&rc[i], RCPT_ENCODED_MAX);
		assert_int_equal(buf_add(&rc[i], raw, got), PL_OK);
	}
	return rc;
}

static void
receipts_free(struct buf *rc, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		buf_reset(&rc[i]);
	pl_free(rc);
}

/*
 * What sync does, by hand: from's next batch for peer to, POSTed to to's
 * server, and the receipts fed back.  Returns how many envelopes went.
 */
static size_t
deliver(struct peer *from, const char *to, unsigned port)
{
	static struct node_batch b;
	struct buf *rc;
	struct res r;
	size_t n;

	memset(&b, 0, sizeof(b));
	assert_int_equal(
	        node_next_batch(from->node, to, ENV_PREC_ROUTINE, NULL, NODE_BATCH_MAX, &b), PL_OK);
	if (b.n == 0) {
		buf_reset(&b.raw);
		return 0;
	}
	if (post_batch(&r, port, b.raw.data, b.raw.len) != 200)
		fail_msg("deliver %s -> %s: %ld %s", from->id, to, r.status, r.body);
	assert_int_equal(json_integer_value(json_object_get(r.j, "accepted")), b.n);
	assert_null(json_object_get(r.j, "error"));
	rc = receipts_of(&r, &n);
	assert_int_equal(n, b.n);
	if (node_receipts_in(from->node, &b, rc, n) != PL_OK)
		fail_msg("node_receipts_in: %s", pl_err_msg());
	receipts_free(rc, n);
	res_free(&r);
	n = b.n;
	buf_reset(&b.raw);
	return n;
}

static void
test_peer_round_trip(void **state)
{
	char url[160], body[PARTY_ENCODED_MAX * 2], tok_b[NODE_TOKEN_STR_MAX + 1], id[65],
	        v[PEER_AUTH_VALUE_MAX + 1], hdr[PEER_AUTH_VALUE_MAX + 32], path[96];
	const char *h[2] = { hdr, NULL };
	static char b64[CR_B64_LEN(PARTY_ENCODED_MAX)];
	static struct node_batch b;
	struct api_batch got;
	struct api_conf c;
	struct api *api_b = NULL;
	unsigned port_a = api_port(api), port_b;
	struct res r, again;

	(void)state;
	assert_int_equal(
	        node_officer_add(pb.node, "boris", "boris pw", STORE_ROLE_DUTY | STORE_ROLE_ADMIN),
	        PL_OK);
	memset(&c, 0, sizeof(c));
	c.listen = "127.0.0.1:0";
	c.plain_ok = 1;
	c.max_body = 1 << 20;
	assert_int_equal(api_start(&api_b, &c, pb.node), PL_OK);
	port_b = api_port(api_b);

	/* B's officer logs in and pins A through B's API. */
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/login", port_b);
	assert_int_equal(post_json(&r, url, NULL, "{\"name\":\"boris\",\"password\":\"boris pw\"}"),
	                 200);
	(void)snprintf(tok_b, sizeof(tok_b), "%s",
	               json_string_value(json_object_get(r.j, "token")));
	res_free(&r);
	cr_b64_encode(b64, sizeof(b64), pa.rec.data, pa.rec.len);
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/peers", port_b);
	(void)snprintf(body, sizeof(body), "{\"record\":\"%s\",\"fingerprint\":\"%s\"}", b64,
	               "0000-0000-0000-0000-0000-0000-0000-0000");
	post_json(&r, url, tok_b, body);
	expect_error(&r, 400, "bad-request", NULL);
	(void)snprintf(body, sizeof(body), "{\"record\":\"%s\",\"fingerprint\":\"%s\"}", b64,
	               pa.fp);
	if (post_json(&r, url, tok_b, body) != 201)
		fail_msg("pin: %ld %s", r.status, r.body);
	assert_string_equal(json_string_value(json_object_get(r.j, "id")), "us-nrrc");
	assert_string_equal(json_string_value(json_object_get(r.j, "fingerprint")), pa.fp);
	res_free(&r);

	/* A proposes the channel; the charter goes to B; B accepts; the accept goes to A. */
	if (post_json(&r, "/api/v1/channels", tok_duty,
	              "{\"name\":\"cyber\",\"members\":[\"us-nrrc\",\"ru-nrrc\"]}") != 201)
		fail_msg("channel: %ld %s", r.status, r.body);
	assert_string_equal(json_string_value(json_object_get(r.j, "name")), "cyber");
	assert_int_equal(strlen(json_string_value(json_object_get(r.j, "id"))), 64);
	res_free(&r);
	/* Not active yet: a message is refused as a conflict of state. */
	post_json(&r, "/api/v1/envelopes", tok_duty, "{\"channel\":\"cyber\",\"format\":\"ping\"}");
	expect_error(&r, 409, "conflict", NULL);
	assert_int_equal(deliver(&pa, "ru-nrrc", port_b), 1);
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/channels/nope/accept", port_b);
	post_json(&r, url, tok_b, "{}");
	expect_error(&r, 404, "not-found", NULL);
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/channels/cyber/accept",
	               port_b);
	if (post_json(&r, url, tok_b, "{}") != 201)
		fail_msg("accept: %ld %s", r.status, r.body);
	res_free(&r);
	assert_int_equal(deliver(&pb, "us-nrrc", port_a), 1);

	/* A sends; the message reaches B, and its receipt comes back to A. */
	if (post_json(&r, "/api/v1/envelopes", tok_duty,
	              "{\"channel\":\"cyber\",\"precedence\":\"FLASH\",\"format\":\"ping\","
	              "\"texts\":{\"en\":\"ping 1\"},\"authoritative\":\"en\"}") != 201)
		fail_msg("send: %ld %s", r.status, r.body);
	(void)snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(r.j, "id")));
	res_free(&r);
	memset(&b, 0, sizeof(b));
	assert_int_equal(
	        node_next_batch(pa.node, "ru-nrrc", ENV_PREC_ROUTINE, NULL, NODE_BATCH_MAX, &b),
	        PL_OK);
	assert_int_equal(b.n, 1);
	assert_int_equal(post_batch(&r, port_b, b.raw.data, b.raw.len), 200);
	/* The same batch again: a duplicate, answered with the same receipt. */
	assert_int_equal(post_batch(&again, port_b, b.raw.data, b.raw.len), 200);
	assert_true(
	        json_equal(json_object_get(r.j, "receipts"), json_object_get(again.j, "receipts")));
	res_free(&again);
	{
		size_t n;
		struct buf *rc = receipts_of(&r, &n);

		assert_int_equal(n, 1);
		/* A receipt altered by one bit is refused by A, and nothing is stored. */
		rc[0].data[rc[0].len - 1] ^= 1;
		assert_int_not_equal(node_receipts_in(pa.node, &b, rc, n), PL_OK);
		rc[0].data[rc[0].len - 1] ^= 1;
		assert_int_equal(node_receipts_in(pa.node, &b, rc, n), PL_OK);
		receipts_free(rc, n);
	}
	res_free(&r);
	buf_reset(&b.raw);
	assert_int_equal(deliver(&pa, "ru-nrrc", port_b), 0);

	/* B's officer sees it in the inbox, reads it, acknowledges it once. */
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/envelopes?inbox=1&unacked=1",
	               port_b);
	assert_int_equal(req(&r, "GET", url, bearer(tok_b), NULL, 0, PLAIN, NULL), 200);
	assert_true(json_is_array(r.j));
	assert_int_equal(json_array_size(r.j), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.j, 0), "id")), id);
	res_free(&r);
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/envelopes/%s", port_b, id);
	assert_int_equal(req(&r, "GET", url, bearer(tok_b), NULL, 0, PLAIN, NULL), 200);
	assert_non_null(strstr(r.body, "ping 1"));
	res_free(&r);
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/envelopes/%.63s0", port_b, id);
	if (id[63] == '0')
		url[strlen(url) - 1] = '1';
	req(&r, "GET", url, bearer(tok_b), NULL, 0, PLAIN, NULL);
	expect_error(&r, 404, "not-found", NULL);
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/envelopes/%s/ack", port_b, id);
	if (post_json(&r, url, tok_b, "{}") != 201)
		fail_msg("ack: %ld %s", r.status, r.body);
	assert_string_equal(json_string_value(json_object_get(r.j, "acknowledged")), id);
	res_free(&r);
	post_json(&r, url, tok_b, "{}");
	expect_error(&r, 409, "conflict", NULL);
	assert_int_equal(deliver(&pb, "us-nrrc", port_a), 1);
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/envelopes?inbox=1&unacked=1",
	               port_b);
	assert_int_equal(req(&r, "GET", url, bearer(tok_b), NULL, 0, PLAIN, NULL), 200);
	assert_int_equal(json_array_size(r.j), 0);
	res_free(&r);

	/* B fetches again what A sent on cyber, signing as ru-nrrc. */
	(void)snprintf(path, sizeof(path), "/peer/v1/envelopes?channel=cyber&from=1");
	assert_int_equal(peer_auth_sign(v, pb.keys, "ru-nrrc", path, api_now_ms()), PL_OK);
	(void)snprintf(hdr, sizeof(hdr), "Parley-Auth: %s", v);
	assert_int_equal(req(&r, "GET", path, h, NULL, 0, PLAIN, NULL), 200);
	assert_string_equal(header(&r, "Content-Type"), "application/octet-stream");
	assert_int_equal(api_peer_parse_batch((const uint8_t *)r.body, r.len, &got), PL_OK);
	assert_int_equal(got.count, 2); /* the charter and the message */
	res_free(&r);

	/* A gap: A sends two more, B gets only the second and says where to resume. */
	assert_int_equal(post_json(&r, "/api/v1/envelopes", tok_duty,
	                           "{\"channel\":\"cyber\",\"format\":\"ping\"}"),
	                 201);
	res_free(&r);
	assert_int_equal(post_json(&r, "/api/v1/envelopes", tok_duty,
	                           "{\"channel\":\"cyber\",\"format\":\"ping\"}"),
	                 201);
	res_free(&r);
	memset(&b, 0, sizeof(b));
	assert_int_equal(
	        node_next_batch(pa.node, "ru-nrrc", ENV_PREC_ROUTINE, NULL, NODE_BATCH_MAX, &b),
	        PL_OK);
	assert_int_equal(b.n, 2);
	assert_int_equal(api_peer_parse_batch(b.raw.data, b.raw.len, &got), PL_OK);
	assert_int_equal(post_batch(&r, port_b, got.envs[1] - 4, got.lens[1] + 4), 409);
	{
		json_t *e = json_object_get(r.j, "error");

		assert_string_equal(json_string_value(json_object_get(e, "code")), "gap");
		assert_non_null(
		        strstr(json_string_value(json_object_get(e, "message")), "expected"));
		assert_int_equal(json_integer_value(json_object_get(e, "index")), 0);
		assert_int_equal(json_integer_value(json_object_get(e, "expected_seq")), 3);
		assert_int_equal(json_integer_value(json_object_get(r.j, "accepted")), 0);
	}
	res_free(&r);
	buf_reset(&b.raw);
	assert_int_equal(deliver(&pa, "ru-nrrc", port_b), 2);

	/* A channel needs two members at least: the node's refusal comes back as 400. */
	post_json(&r, "/api/v1/channels", tok_duty,
	          "{\"name\":\"solo\",\"members\":[\"us-nrrc\"]}");
	expect_error(&r, 400, "bad-request", "members");
	/* Naming an existing channel again is a conflict. */
	post_json(&r, "/api/v1/channels", tok_duty,
	          "{\"name\":\"cyber\",\"members\":[\"us-nrrc\",\"ru-nrrc\"]}");
	expect_error(&r, 409, "conflict", "already exists");
	/* A third party, pinned at A, on a channel without B: B may not fetch it. */
	{
		struct peer pc;

		assert_int_equal(peer_make(&pc, "xx-cert"), 0);
		cr_b64_encode(b64, sizeof(b64), pc.rec.data, pc.rec.len);
		(void)snprintf(body, sizeof(body), "{\"record\":\"%s\",\"fingerprint\":\"%s\"}",
		               b64, pc.fp);
		post_json(&r, "/api/v1/peers", tok_duty, body);
		expect_error(&r, 403, "forbidden", "needs the role admin");
		assert_int_equal(post_json(&r, "/api/v1/peers", tok_admin, body), 201);
		res_free(&r);
		assert_int_equal(
		        post_json(&r, "/api/v1/channels", tok_duty,
		                  "{\"name\":\"pair\",\"members\":[\"us-nrrc\",\"xx-cert\"]}"),
		        201);
		res_free(&r);
		(void)snprintf(path, sizeof(path), "/peer/v1/envelopes?channel=pair&from=1");
		assert_int_equal(peer_auth_sign(v, pb.keys, "ru-nrrc", path, api_now_ms()), PL_OK);
		(void)snprintf(hdr, sizeof(hdr), "Parley-Auth: %s", v);
		req(&r, "GET", path, h, NULL, 0, PLAIN, NULL);
		expect_error(&r, 403, "not-member", NULL);
		/* C is a member: it may. */
		assert_int_equal(peer_auth_sign(v, pc.keys, "xx-cert", path, api_now_ms()), PL_OK);
		(void)snprintf(hdr, sizeof(hdr), "Parley-Auth: %s", v);
		assert_int_equal(req(&r, "GET", path, h, NULL, 0, PLAIN, NULL), 200);
		assert_int_equal(api_peer_parse_batch((const uint8_t *)r.body, r.len, &got), PL_OK);
		assert_int_equal(got.count, 1);
		res_free(&r);
		peer_free(&pc);
	}
	api_stop(api_b);
}

/* ---- Stopping ------------------------------------------------------------------ */

struct slow {
	const char *body;
	size_t n, off;
	int calls;
};

/* Half the body, a pause long enough for api_stop to begin, then the rest. */
static size_t
slow_read(char *p, size_t size, size_t n, void *ctx)
{
	struct slow *s = ctx;
	size_t take = s->off == 0 ? s->n / 2 : s->n - s->off;

	(void)size;
	(void)n;
	if (s->off > 0 && s->calls++ == 0)
		(void)usleep(500 * 1000);
	memcpy(p, s->body + s->off, take);
	s->off += take;
	return take;
}

struct slow_req {
	unsigned port;
	long status;
	char body[256];
};

static void *
slow_client(void *arg)
{
	struct slow_req *sr = arg;
	static const char json[] = "{\"name\":\"alice\",\"password\":\"wrong\"}";
	struct slow s = { json, sizeof(json) - 1, 0, 0 };
	struct curl_slist *h = NULL;
	struct res *r = pl_calloc(1, sizeof(*r));
	CURL *c = curl_easy_init();
	char url[128];

	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/login", sr->port);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(sizeof(json) - 1));
	curl_easy_setopt(c, CURLOPT_READFUNCTION, slow_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &s);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &sr->status);
	(void)snprintf(sr->body, sizeof(sr->body), "%.200s", r->body);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	pl_free(r);
	return NULL;
}

static void
test_stop_finishes_requests(void **state)
{
	struct api_conf c;
	struct api *t = NULL;
	struct slow_req sr;
	pthread_t th;

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(&sr, 0, sizeof(sr));
	c.listen = "127.0.0.1:0";
	c.plain_ok = 1;
	c.timeout_s = 10;
	assert_int_equal(api_start(&t, &c, pa.node), PL_OK);
	sr.port = api_port(t);
	assert_int_equal(pthread_create(&th, NULL, slow_client, &sr), 0);
	(void)usleep(200 * 1000);
	/* The request is half in: stopping waits for it to be answered. */
	api_stop(t);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(sr.status, 401);
	assert_non_null(strstr(sr.body, "bad name or password"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_parse),
		cmocka_unit_test(test_route_match),
		cmocka_unit_test(test_query_next),
		cmocka_unit_test(test_start_refuses),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_target_too_long),
		cmocka_unit_test(test_auth_refused),
		cmocka_unit_test(test_login_logout),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_peer_framing),
		cmocka_unit_test(test_peer_get_auth),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_stop_finishes_requests),
		cmocka_unit_test(test_peer_round_trip),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
