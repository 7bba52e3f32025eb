/*
 * flood.c - send many envelopes through a node's officer API, for the
 * multi-process tests and the end-to-end benchmark.
 *
 *   flood --node URL --token-file FILE --channel NAME --count N
 *         [--threads T] [--precedence P] [--ids FILE] [--patience S]
 *
 * Each thread POSTs /api/v1/envelopes on one kept-alive connection.  A send
 * the node answered 201 is accepted: its id is written to --ids (one hex id
 * per line).  A send whose connection failed (the node was killed) has an
 * unknown outcome and is not counted; the thread waits and sends the next
 * one, for up to --patience seconds of failures in a row.  Prints
 * "accepted N unknown N refused N seconds S" at the end; exits 1 if any send
 * was refused by the node (4xx/5xx), or if patience ran out.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

struct shared {
	const char *url, *channel, *prec;
	char auth[256];
	unsigned long count, next;
	unsigned long accepted, unknown, refused;
	unsigned patience_s;
	int gave_up;
	FILE *ids;
	pthread_mutex_t mu;
};

struct reply {
	char data[4096];
	size_t len;
};

static size_t
collect(char *p, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;
	size_t take = size * n;

	if (take > sizeof(r->data) - 1 - r->len)
		take = sizeof(r->data) - 1 - r->len;
	memcpy(r->data + r->len, p, take);
	r->len += take;
	r->data[r->len] = '\0';
	return size * n;
}

static double
now_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
worker(void *arg)
{
	struct shared *s = arg;
	struct curl_slist *hdr = NULL;
	char url[512], body[512];
	double failing_since = 0;
	CURL *c = curl_easy_init();

	if (c == NULL)
		return NULL;
	(void)snprintf(url, sizeof(url), "%s/api/v1/envelopes", s->url);
	hdr = curl_slist_append(hdr, s->auth);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	for (;;) {
		struct reply r = { .len = 0 };
		unsigned long i;
		long status = 0;
		CURLcode rc;

		pthread_mutex_lock(&s->mu);
		if (s->next >= s->count || s->gave_up) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		i = s->next++;
		pthread_mutex_unlock(&s->mu);
		(void)snprintf(
		        body, sizeof(body),
		        "{\"channel\":\"%s\",\"precedence\":\"%s\",\"format\":\"ping\","
		        "\"version\":1,\"data\":{\"n\":%lu},\"texts\":{\"en\":\"flood %lu\"},"
		        "\"authoritative\":\"en\",\"exercise\":true}",
		        s->channel, s->prec, i, i);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
		rc = curl_easy_perform(c);
		if (rc == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		pthread_mutex_lock(&s->mu);
		if (rc != CURLE_OK || status == 503) {
			/* No answer: the node may have stored it or not. */
			s->unknown++;
			if (failing_since == 0)
				failing_since = now_s();
			else if (now_s() - failing_since > s->patience_s) {
				fprintf(stderr, "flood: %s: no answer for %u s: %s\n", url,
				        s->patience_s, curl_easy_strerror(rc));
				s->gave_up = 1;
			}
			pthread_mutex_unlock(&s->mu);
			(void)usleep(100 * 1000);
			continue;
		}
		failing_since = 0;
		if (status == 201) {
			json_t *j = json_loadb(r.data, r.len, 0, NULL);
			const char *id = json_string_value(json_object_get(j, "id"));

			if (id != NULL) {
				s->accepted++;
				fprintf(s->ids, "%s\n", id);
			} else {
				s->refused++;
				fprintf(stderr, "flood: 201 without an id: %s\n", r.data);
			}
			json_decref(j);
		} else {
			s->refused++;
			fprintf(stderr, "flood: send %lu: HTTP %ld: %s\n", i, status, r.data);
		}
		pthread_mutex_unlock(&s->mu);
	}
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	return NULL;
}

static int
usage(void)
{
	fprintf(stderr,
	        "usage: flood --node URL --token-file FILE --channel NAME --count N\n"
	        "             [--threads T] [--precedence P] [--ids FILE] [--patience S]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "node", required_argument, NULL, 'n' },
		{ "token-file", required_argument, NULL, 't' },
		{ "channel", required_argument, NULL, 'c' },
		{ "count", required_argument, NULL, 'N' },
		{ "threads", required_argument, NULL, 'T' },
		{ "precedence", required_argument, NULL, 'p' },
		{ "ids", required_argument, NULL, 'i' },
		{ "patience", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct shared s = { .prec = "ROUTINE", .patience_s = 60 };
	const char *token_file = NULL, *ids = NULL;
	pthread_t th[64];
	unsigned threads = 1, k;
	char token[128];
	double t0;
	FILE *f;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			s.url = optarg;
			break;
		case 't':
			token_file = optarg;
			break;
		case 'c':
			s.channel = optarg;
			break;
		case 'N':
			s.count = strtoul(optarg, NULL, 10);
			break;
		case 'T':
			threads = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			s.prec = optarg;
			break;
		case 'i':
			ids = optarg;
			break;
		case 'P':
			s.patience_s = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			return usage();
		}
	}
	if (s.url == NULL || token_file == NULL || s.channel == NULL || s.count == 0 ||
	    threads == 0 || threads > 64)
		return usage();
	if ((f = fopen(token_file, "r")) == NULL || fgets(token, sizeof(token), f) == NULL) {
		fprintf(stderr, "flood: %s: %s\n", token_file, strerror(errno));
		return 2;
	}
	(void)fclose(f);
	token[strcspn(token, "\r\n")] = '\0';
	(void)snprintf(s.auth, sizeof(s.auth), "Authorization: Bearer %s", token);
	if ((s.ids = fopen(ids != NULL ? ids : "/dev/null", "a")) == NULL) {
		fprintf(stderr, "flood: %s: %s\n", ids, strerror(errno));
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	pthread_mutex_init(&s.mu, NULL);
	t0 = now_s();
	for (k = 0; k < threads; k++)
		pthread_create(&th[k], NULL, worker, &s);
	for (k = 0; k < threads; k++)
		pthread_join(th[k], NULL);
	printf("accepted %lu unknown %lu refused %lu seconds %.3f\n", s.accepted, s.unknown,
	       s.refused, now_s() - t0);
	(void)fclose(s.ids);
	curl_global_cleanup();
	return s.refused > 0 || s.gave_up ? 1 : 0;
}
