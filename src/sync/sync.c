/*
 * sync.c - delivery to peers (sync.h).
 *
 * Two lanes per peer, each a thread with its own connection.  The bulk
 * lane serves everything, most urgent channel first, in batches of up to
 * batch_max; the urgent lane serves only channels holding a FLASH or
 * IMMEDIATE envelope, in batches of at most URGENT_BATCH, so that such an
 * envelope never waits for a large batch in flight on another channel.
 * A channel is in flight on one lane at a time: a lane that picks the
 * channel the other has in flight waits for it to finish, since the
 * channel's order could not be overtaken anyway (docs/node.md#delivery).
 *
 * A channel the peer refuses (not a member, a bad signature: nothing a
 * retry soon would change) is held by the lane for backoff_max_ms while
 * the lane goes on with the peer's other channels; only a failure of the
 * peer itself (unreachable, a malformed answer, bad receipts) holds the
 * whole lane.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "../common/alloc.h"
#include "../common/log.h"
#include "../crypto/cr.h"
#include "../wire/rcpt.h"
#include "hold.h"
#include "sync.h"

#define PEERS_MAX    256
#define URGENT_BATCH 32
#define ANSWER_MAX   (NODE_BATCH_MAX * (CR_B64_LEN(RCPT_ENCODED_MAX) + 8) + 4096)

enum lane { BULK, URGENT };

struct worker {
	struct sync *s;
	char peer[CODEC_ID_MAX + 1];
	enum lane lane;
	struct worker *other; /* the peer's other lane */
	pthread_t thread;
	int kicked, urgent;
	pthread_cond_t cv;
	CURL *curl;
	unsigned attempt;
	char busy[CODEC_ID_MAX +
	          1];     /* the channel in flight on this lane ("": none); under s->mu */
	int blocked;      /* waiting for the other lane to finish busy; under s->mu */
	int quit;         /* this lane alone must stop (its pair could not start); under s->mu */
	struct hold held; /* channels the peer refused (sync_now_ms); this lane's own */
};

struct sync {
	struct sync_conf c;
	struct node *n;
	pthread_mutex_t mu;
	int stopping;
	size_t n_workers;
	struct worker
	        *workers[2 * PEERS_MAX]; /* by pairs: a peer's bulk lane, then its urgent one */
};

unsigned
sync_backoff_ms(unsigned attempt, unsigned min_ms, unsigned max_ms, uint32_t rnd)
{
	unsigned long long cap = min_ms;
	unsigned i;

	for (i = 1; i < attempt && cap < max_ms; i++)
		cap *= 2;
	if (cap > max_ms)
		cap = max_ms;
	/* Full jitter: anywhere in [min, cap], so peers retrying together spread out. */
	return min_ms + (unsigned)(cap > min_ms ? rnd % (cap - min_ms + 1) : 0);
}

uint64_t
sync_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
deadline(struct timespec *ts, unsigned ms)
{
	(void)clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

struct answer {
	struct buf b;
};

/* HOLD: the whole lane waits; REFUSED: the batch's channel waits, the lane goes on. */
enum outcome { DONE, AGAIN, BACKOFF, HOLD, REFUSED, BLOCKED };

/* Read the peer's JSON answer: store receipts, act on the error. */
static enum outcome
handle_answer(struct worker *w, struct node_batch *b, long status, struct answer *a)
{
	struct buf receipts[NODE_BATCH_MAX];
	json_t *j, *arr, *err;
	const char *code = NULL;
	size_t accepted, i;
	enum pl_err e = PL_OK;
	enum outcome out;

	j = json_loadb((const char *)a->b.data, a->b.len, JSON_REJECT_DUPLICATES, NULL);
	arr = json_object_get(j, "receipts");
	err = json_object_get(j, "error");
	if (j == NULL || !json_is_array(arr) || !json_is_integer(json_object_get(j, "accepted"))) {
		log_warnx("sync: %s: HTTP %ld without a parley answer", w->peer, status);
		json_decref(j);
		return BACKOFF;
	}
	accepted = (size_t)json_integer_value(json_object_get(j, "accepted"));
	if (accepted > b->n || json_array_size(arr) != accepted) {
		log_warnx("sync: %s: answer claims %zu accepted of %zu", w->peer, accepted, b->n);
		json_decref(j);
		return HOLD;
	}
	for (i = 0; i < accepted; i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		size_t len = 0;

		buf_init(&receipts[i], RCPT_ENCODED_MAX);
		if (e == PL_OK &&
		    (s == NULL || buf_reserve(&receipts[i], RCPT_ENCODED_MAX) != PL_OK ||
		     cr_b64_decode(receipts[i].data, RCPT_ENCODED_MAX, &len, s, strlen(s)) !=
		             PL_OK))
			e = pl_errf(PL_E_PROTO, "receipt %zu is not base64", i);
		receipts[i].len = len;
	}
	if (e == PL_OK)
		e = node_receipts_in(w->s->n, b, receipts, accepted);
	for (i = 0; i < accepted; i++)
		buf_reset(&receipts[i]);
	if (e != PL_OK) {
		log_warnx("sync: %s: channel %s: receipts refused: %s", w->peer, b->channel,
		          pl_err_msg());
		json_decref(j);
		return HOLD;
	}
	if (err == NULL) {
		json_decref(j);
		return status == 200 ? DONE : BACKOFF;
	}
	code = json_string_value(json_object_get(err, "code"));
	if (code == NULL)
		code = "?";
	if ((strcmp(code, "gap") == 0 || strcmp(code, "bad-chain") == 0) &&
	    json_is_integer(json_object_get(err, "expected_seq"))) {
		uint64_t seq = (uint64_t)json_integer_value(json_object_get(err, "expected_seq"));

		out = node_redeliver(w->s->n, w->peer, b->channel, seq) == PL_OK ? AGAIN : BACKOFF;
	} else if (strcmp(code, "no-channel") == 0 || strcmp(code, "inactive") == 0 ||
	           strcmp(code, "internal") == 0) {
		log_info("sync: %s: channel %s: %s; retrying later", w->peer, b->channel, code);
		out = BACKOFF;
	} else {
		log_warnx("sync: %s: channel %s: refused (%s): %s", w->peer, b->channel, code,
		          json_string_value(json_object_get(err, "message")));
		out = REFUSED;
	}
	json_decref(j);
	return out;
}

static enum outcome deliver_batch(struct worker *w, struct node_batch *b);

/* The next batch of this lane, unless the other lane has its channel in flight. */
static enum outcome
deliver_once(struct worker *w)
{
	struct node_batch b;
	enum outcome out;

	hold_prune(&w->held, sync_now_ms());
	if (node_next_batch(
	            w->s->n, w->peer, w->lane == URGENT ? ENV_PREC_IMMEDIATE : ENV_PREC_ROUTINE,
	            &w->held.skip,
	            w->lane == URGENT && w->s->c.batch_max > URGENT_BATCH ? URGENT_BATCH
	                                                                  : w->s->c.batch_max,
	            &b) != PL_OK) {
		log_warnx("sync: %s: %s", w->peer, pl_err_msg());
		return BACKOFF;
	}
	if (b.n == 0) {
		buf_reset(&b.raw);
		return DONE;
	}
	pthread_mutex_lock(&w->s->mu);
	if (strcmp(w->other->busy, b.channel) == 0) {
		w->blocked = 1; /* the other lane kicks us when it is done with the channel */
		pthread_mutex_unlock(&w->s->mu);
		buf_reset(&b.raw);
		return BLOCKED;
	}
	(void)snprintf(w->busy, sizeof(w->busy), "%s", b.channel);
	pthread_mutex_unlock(&w->s->mu);
	out = deliver_batch(w, &b);
	pthread_mutex_lock(&w->s->mu);
	w->busy[0] = '\0';
	if (w->other->blocked) {
		w->other->blocked = 0;
		w->other->kicked = 1;
		pthread_cond_signal(&w->other->cv);
	}
	pthread_mutex_unlock(&w->s->mu);
	if (out == REFUSED) {
		if (hold_add(&w->held, b.channel, sync_now_ms() + w->s->c.backoff_max_ms)) {
			log_info("sync: %s: channel %s held for %u s; the other channels go on",
			         w->peer, b.channel, w->s->c.backoff_max_ms / 1000);
			out = DONE;
		} else {
			out = HOLD; /* too many refused at once: the whole lane waits */
		}
	}
	buf_reset(&b.raw);
	return out == DONE ? AGAIN : out; /* after a batch, look for more */
}

/* POST b to the first of the peer's endpoints that answers, and act on the answer. */
static enum outcome
deliver_batch(struct worker *w, struct node_batch *b)
{
	struct curl_slist *hdr;
	struct answer a;
	struct party p;
	enum outcome out = BACKOFF;
	long status;
	int found = 0;

	if (node_peer_get(w->s->n, w->peer, &p, &found) != PL_OK || !found || p.n_endpoints == 0) {
		log_warnx("sync: %s: no endpoint to deliver to", w->peer);
		return HOLD;
	}
	hdr = curl_slist_append(NULL, "Content-Type: application/octet-stream");
	buf_init(&a.b, ANSWER_MAX);
	status = sync_call(w->curl, &p, w->s->c.plain_ok, "/peer/v1/envelopes", hdr, &b->raw, &a.b,
	                   NULL);
	curl_slist_free_all(hdr);
	if (status != 0) {
		out = handle_answer(w, b, status, &a);
		if (out == DONE)
			log_debug("sync: %s: channel %s: %zu delivered", w->peer, b->channel, b->n);
	}
	buf_reset(&a.b);
	return out;
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct sync *s = w->s;
	unsigned wait_ms = 0;

	for (;;) {
		enum outcome out;

		pthread_mutex_lock(&s->mu);
		if (wait_ms > 0) {
			struct timespec ts;

			/*
			 * Backing off from a failing peer: new work waits for the timer,
			 * or every send would retry a dead endpoint at once, so the wait
			 * grows only with time spent failing.  FLASH and IMMEDIATE
			 * envelopes are the exception: they are rare, and each is tried
			 * at once.
			 */
			deadline(&ts, wait_ms);
			while (!s->stopping && !w->quit && !w->urgent &&
			       pthread_cond_timedwait(&w->cv, &s->mu, &ts) != ETIMEDOUT)
				;
		} else if (w->held.skip.n > 0) {
			uint64_t now = sync_now_ms(), next = hold_next(&w->held);
			struct timespec ts;

			/* New work, or the end of the first hold. */
			deadline(&ts, next > now ? (unsigned)(next - now) : 1);
			while (!w->kicked && !s->stopping && !w->quit &&
			       pthread_cond_timedwait(&w->cv, &s->mu, &ts) != ETIMEDOUT)
				;
		} else {
			while (!w->kicked && !s->stopping && !w->quit)
				pthread_cond_wait(&w->cv, &s->mu);
		}
		if (s->stopping || w->quit) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		w->kicked = w->urgent = 0;
		pthread_mutex_unlock(&s->mu);
		/* Deliver until the queue is empty or the peer fails. */
		do
			out = deliver_once(w);
		while (out == AGAIN && !s->stopping && !w->quit);
		if (out == DONE || out == BLOCKED) {
			if (out == DONE)
				w->attempt = 0;
			wait_ms = 0;
		} else {
			uint32_t rnd;

			cr_random(&rnd, sizeof(rnd));
			w->attempt++;
			wait_ms = out == HOLD ? s->c.backoff_max_ms
			                      : sync_backoff_ms(w->attempt, s->c.backoff_min_ms,
			                                        s->c.backoff_max_ms, rnd);
		}
	}
	return NULL;
}

/* Under s->mu: a lane's thread and connection (w->s, peer, lane, other set); 0 if it cannot start. */
static int
lane_start(struct worker *w)
{
	pthread_cond_init(&w->cv, NULL);
	if ((w->curl = sync_curl_new(w->s->c.timeout_s, w->s->c.plain_ok, w->s->c.ca_file)) ==
	    NULL) {
		pthread_cond_destroy(&w->cv);
		return 0;
	}
	w->kicked = 1;
	if (pthread_create(&w->thread, NULL, work, w) != 0) {
		curl_easy_cleanup(w->curl);
		pthread_cond_destroy(&w->cv);
		return 0;
	}
	return 1;
}

/* Under s->mu: the bulk lane of peer (its urgent lane is ->other), both started if new. */
static struct worker *
worker_for(struct sync *s, const char *peer)
{
	struct worker *w;
	size_t i;

	for (i = 0; i < s->n_workers; i += 2)
		if (strcmp(s->workers[i]->peer, peer) == 0)
			return s->workers[i];
	if (s->n_workers == 2 * PEERS_MAX || (w = pl_calloc(2, sizeof(*w))) == NULL) {
		log_warnx("sync: no worker for %s (at most %d peers)", peer, PEERS_MAX);
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		w[i].s = s;
		(void)snprintf(w[i].peer, sizeof(w[i].peer), "%s", peer);
		w[i].lane = i == 0 ? BULK : URGENT;
		w[i].other = &w[1 - i];
	}
	if (!lane_start(&w[0])) {
		pl_free(w);
		return NULL;
	}
	if (!lane_start(&w[1])) {
		/* No pair, no peer: stop the bulk lane alone (not the other peers' lanes). */
		w[0].quit = 1;
		pthread_cond_signal(&w[0].cv);
		pthread_mutex_unlock(&s->mu);
		(void)pthread_join(w[0].thread, NULL);
		pthread_mutex_lock(&s->mu);
		curl_easy_cleanup(w[0].curl);
		pthread_cond_destroy(&w[0].cv);
		pl_free(w);
		log_warnx("sync: no worker for %s: cannot start its urgent lane", peer);
		return NULL;
	}
	s->workers[s->n_workers++] = &w[0];
	s->workers[s->n_workers++] = &w[1];
	return w;
}

void
sync_kick(struct sync *s, const char *peer, int urgent)
{
	struct worker *w;

	pthread_mutex_lock(&s->mu);
	if (!s->stopping && (w = worker_for(s, peer)) != NULL) {
		w->kicked = 1;
		w->urgent |= urgent;
		pthread_cond_signal(&w->cv);
		if (urgent) {
			w->other->kicked = w->other->urgent = 1;
			pthread_cond_signal(&w->other->cv);
		}
	}
	pthread_mutex_unlock(&s->mu);
}

static void
curl_init_once(void)
{
	(void)curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Appends what a transfer receives to the struct buf given as CURLOPT_WRITEDATA. */
static size_t
to_buf(char *p, size_t size, size_t nmemb, void *ctx)
{
	return buf_add(ctx, p, size * nmemb) == PL_OK ? size * nmemb : 0;
}

long
sync_call(CURL *c, const struct party *p, int plain_ok, const char *path, struct curl_slist *hdr,
          const struct buf *body, struct buf *answer, char ctype[64])
{
	size_t i;

	if (ctype != NULL)
		ctype[0] = '\0';
	for (i = 0; i < p->n_endpoints; i++) {
		char url[PARTY_URL_MAX + SYNC_PATH_MAX + 1];
		size_t ulen = strlen(p->endpoints[i]);
		long status = 0;
		char *ct = NULL;
		CURLcode rc;

		if (strncmp(p->endpoints[i], "http://", 7) == 0 && !plain_ok) {
			log_warnx(
			        "sync: %s: endpoint %s is plain http; set plain-http yes to allow it",
			        p->id, p->endpoints[i]);
			continue;
		}
		while (ulen > 0 && p->endpoints[i][ulen - 1] == '/')
			ulen--;
		if (strlen(path) > SYNC_PATH_MAX)
			return 0;
		(void)snprintf(url, sizeof(url), "%.*s%s", (int)ulen, p->endpoints[i], path);
		answer->len = 0;
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
		if (body != NULL) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
		} else {
			curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		}
		curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
		rc = curl_easy_perform(c);
		if (rc == CURLE_OK) {
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
			if (ctype != NULL &&
			    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
			    ct != NULL)
				(void)snprintf(ctype, 64, "%s", ct);
			return status;
		}
		log_info("sync: %s: %s: %s", p->id, url, curl_easy_strerror(rc));
	}
	return 0;
}

CURL *
sync_curl_new(unsigned timeout_s, int plain_ok, const char *ca_file)
{
	CURL *c = curl_easy_init();

	if (c == NULL)
		return NULL;
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_buf);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, plain_ok ? "http,https" : "https");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
	return c;
}

void
sync_curl_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	(void)pthread_once(&once, curl_init_once);
}

static int
kick_pending(void *ctx, const char *peer)
{
	sync_kick(ctx, peer, 0);
	return 0;
}

enum pl_err
sync_start(struct sync **out, const struct sync_conf *c, struct node *n)
{
	struct sync *s;
	enum pl_err err;

	*out = NULL;
	sync_curl_init();
	if ((s = pl_calloc(1, sizeof(*s))) == NULL)
		return pl_errf(PL_E_NOMEM, "sync: out of memory");
	s->c = *c;
	s->c.timeout_s = c->timeout_s ? c->timeout_s : 30;
	s->c.batch_max = c->batch_max && c->batch_max <= NODE_BATCH_MAX ? c->batch_max : 128;
	s->c.backoff_min_ms = c->backoff_min_ms ? c->backoff_min_ms : 250;
	s->c.backoff_max_ms = c->backoff_max_ms ? c->backoff_max_ms : 60000;
	if (s->c.backoff_max_ms < s->c.backoff_min_ms)
		s->c.backoff_max_ms = s->c.backoff_min_ms;
	s->n = n;
	pthread_mutex_init(&s->mu, NULL);
	if ((err = node_pending_peers(n, kick_pending, s)) != PL_OK) {
		sync_stop(s);
		return err;
	}
	*out = s;
	return PL_OK;
}

void
sync_stop(struct sync *s)
{
	size_t i;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	for (i = 0; i < s->n_workers; i++)
		pthread_cond_signal(&s->workers[i]->cv);
	pthread_mutex_unlock(&s->mu);
	for (i = 0; i < s->n_workers; i++) {
		struct worker *w = s->workers[i];

		(void)pthread_join(w->thread, NULL);
		curl_easy_cleanup(w->curl);
		pthread_cond_destroy(&w->cv);
	}
	for (i = 0; i < s->n_workers; i += 2)
		pl_free(s->workers[i]); /* the pair was one allocation */
	pthread_mutex_destroy(&s->mu);
	pl_free(s);
}
