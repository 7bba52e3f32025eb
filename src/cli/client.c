/*
 * client.c - the officer API from the command line (client.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "../common/buf.h"
#include "../common/file.h"
#include "cli.h"
#include "client.h"

#define ANSWER_MAX (16u << 20)

int
cli_node_option(struct cli_node *n, int ch, const char *arg)
{
	switch (ch) {
	case 0x100:
		n->url = arg;
		return 1;
	case 0x101:
		n->token_file = arg;
		return 1;
	case 0x102:
		n->ca_file = arg;
		return 1;
	case 0x103:
		n->json = 1;
		return 1;
	}
	return 0;
}

int
cli_node_getopt(struct cli_node *n, int argc, char **argv, const char *cmd, const char *usage,
                const struct option *extra, size_t n_extra, int *ch)
{
	struct option opts[32] = { CLI_NODE_OPTIONS, { "help", no_argument, NULL, 'h' } };
	size_t i;

	for (i = 0; i < n_extra && 5 + i < 31; i++)
		opts[5 + i] = extra[i];
	for (;;) {
		*ch = getopt_long(argc, argv, ":h", opts, NULL);
		if (*ch == -1)
			return -1;
		if (cli_node_option(n, *ch, optarg))
			continue;
		if (*ch == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		if (*ch == '?' || *ch == ':')
			return cli_bad_option(cmd, *ch, argv);
		return -2; /* one of the command's own */
	}
}

static enum pl_err
resolve(struct cli_node *n)
{
	struct buf b;
	enum pl_err err;
	size_t len;

	if (n->url == NULL)
		n->url = getenv("PARLEY_NODE");
	if (n->url == NULL)
		return pl_errf(PL_E_ARG, "which node? give --node URL or set PARLEY_NODE");
	if (strncmp(n->url, "http://", 7) != 0 && strncmp(n->url, "https://", 8) != 0)
		return pl_errf(PL_E_ARG, "--node '%.80s': want an http:// or https:// URL", n->url);
	if (n->token[0] != '\0')
		return PL_OK;
	if (n->token_file == NULL)
		n->token_file = getenv("PARLEY_TOKEN_FILE");
	if (n->token_file == NULL)
		return PL_OK; /* login needs none */
	buf_init(&b, sizeof(n->token));
	err = file_read_private(&b, n->token_file);
	if (err == PL_OK) {
		len = strcspn((const char *)b.data, "\r\n");
		if (len > b.len)
			len = b.len;
		if (len == 0 || len >= sizeof(n->token))
			err = pl_errf(PL_E_ARG, "%s: no token on its first line", n->token_file);
		else {
			memcpy(n->token, b.data, len);
			n->token[len] = '\0';
		}
	}
	buf_reset(&b);
	return err;
}

static size_t
collect(char *p, size_t size, size_t nmemb, void *ctx)
{
	return buf_add(ctx, p, size * nmemb) == PL_OK ? size * nmemb : 0;
}

/* One request; ans receives the answer's body, *status its HTTP status. */
static enum pl_err
request(struct cli_node *n, const char *method, const char *path, json_t *body, struct buf *ans,
        long *status)
{
	struct curl_slist *hdr = NULL;
	char url[1024], auth[160], *text = NULL;
	enum pl_err err = PL_OK;
	CURLcode rc;
	CURL *c;

	*status = 0;
	PL_TRY(resolve(n));
	if ((size_t)snprintf(url, sizeof(url), "%s%s", n->url, path) >= sizeof(url))
		return pl_errf(PL_E_ARG, "URL too long");
	if ((c = curl_easy_init()) == NULL)
		return pl_errf(PL_E_NOMEM, "curl: cannot start");
	if (n->token[0] != '\0') {
		(void)snprintf(auth, sizeof(auth), "Authorization: Bearer %s", n->token);
		hdr = curl_slist_append(hdr, auth);
	}
	if (body != NULL) {
		text = json_dumps(body, JSON_COMPACT);
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, text != NULL ? text : "{}");
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	}
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, ans);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (n->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, n->ca_file);
	if ((rc = curl_easy_perform(c)) != CURLE_OK)
		err = pl_errf(PL_E_IO, "node %s: %s", n->url, curl_easy_strerror(rc));
	else
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	free(text);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	return err;
}

/* A non-2xx answer as an error naming the node, the status and the API's error. */
static enum pl_err
refused(const struct cli_node *n, long status, const struct buf *ans)
{
	json_t *j = ans->len > 0 ? json_loadb((const char *)ans->data, ans->len, 0, NULL) : NULL;
	json_t *e = json_object_get(j, "error");
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	enum pl_err err = pl_errf(PL_E_ARG, "node %s: HTTP %ld %s: %s", n->url, status,
	                          code != NULL ? code : "", msg != NULL ? msg : "(no detail)");

	json_decref(j);
	return err;
}

enum pl_err
cli_call(struct cli_node *n, const char *method, const char *path, json_t *body, json_t **out)
{
	struct buf ans;
	json_t *j = NULL;
	enum pl_err err;
	long status = 0;

	*out = NULL;
	buf_init(&ans, ANSWER_MAX);
	if ((err = request(n, method, path, body, &ans, &status)) != PL_OK)
		goto out;
	if (status < 200 || status > 299) {
		err = refused(n, status, &ans);
		goto out;
	}
	if (ans.len > 0 && (j = json_loadb((const char *)ans.data, ans.len, 0, NULL)) == NULL) {
		err = pl_errf(PL_E_PROTO, "node %s: answer is not JSON", n->url);
		goto out;
	}
	*out = j;
out:
	buf_reset(&ans);
	return err;
}

enum pl_err
cli_call_raw(struct cli_node *n, const char *method, const char *path, json_t *body,
             struct buf *out)
{
	enum pl_err err;
	long status = 0;

	out->len = 0;
	PL_TRY(request(n, method, path, body, out, &status));
	if (status < 200 || status > 299) {
		err = refused(n, status, out);
		out->len = 0;
		return err;
	}
	return PL_OK;
}

void
cli_print_json(const json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_ENCODE_ANY);

	if (s != NULL) {
		puts(s);
		free(s);
	}
}
