/*
 * monitor.c - reading the other members' transcripts (monitor.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../common/alloc.h"
#include "../api/api_peer.h"
#include "../common/log.h"
#include "../crypto/cr.h"
#include "../tlog/tile.h"
#include "../wire/entry.h"
#include "monitor.h"
#include "sync.h"

#define PARTIES_MAX 256
/* Entry bundles read from one party per round: 4096 entries. */
#define TILES_PER_ROUND 16
#define BUNDLE_MAX      ((size_t)TILE_WIDTH * (2 + ENTRY_ENCODED_MAX))
/* Conflicts looked into, and (channel, sender) pairs fetched, per round. */
#define CONFLICTS_MAX 16

struct watched {
	char id[CODEC_ID_MAX + 1];
	uint64_t retry_ms;
	unsigned attempt;
	CURL *curl;
};

struct monitor {
	struct monitor_conf c;
	struct node *n;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stopping;
	size_t n_parties;
	struct watched *parties[PARTIES_MAX];
	struct buf answer;
};

static struct watched *
watched_for(struct monitor *m, const char *id)
{
	struct watched *w;
	size_t i;

	for (i = 0; i < m->n_parties; i++)
		if (strcmp(m->parties[i]->id, id) == 0)
			return m->parties[i];
	if (m->n_parties == PARTIES_MAX || (w = pl_calloc(1, sizeof(*w))) == NULL)
		return NULL;
	(void)snprintf(w->id, sizeof(w->id), "%s", id);
	if ((w->curl = sync_curl_new(m->c.timeout_s, m->c.plain_ok, m->c.ca_file)) == NULL) {
		pl_free(w);
		return NULL;
	}
	m->parties[m->n_parties++] = w;
	return w;
}

/* GET path from w's endpoints into m->answer, with a Parley-Auth header if auth.  The status. */
static long
get(struct monitor *m, struct watched *w, const char *path, int auth)
{
	char value[PEER_AUTH_VALUE_MAX + 1], line[sizeof(PEER_AUTH_HEADER) + 2 + sizeof(value)];
	struct curl_slist *hdr = NULL;
	struct party p;
	long status;
	int found = 0;

	if (node_peer_get(m->n, w->id, &p, &found) != PL_OK || !found)
		return 0;
	if (auth) {
		if (node_peer_auth(m->n, path, value) != PL_OK) {
			log_warnx("monitor: %s", pl_err_msg());
			return 0;
		}
		(void)snprintf(line, sizeof(line), "%s: %s", PEER_AUTH_HEADER, value);
		if ((hdr = curl_slist_append(NULL, line)) == NULL)
			return 0;
	}
	status = sync_call(w->curl, &p, m->c.plain_ok, path, hdr, NULL, &m->answer, NULL);
	curl_slist_free_all(hdr);
	return status;
}

/* Entries of w's transcript up to what we cosigned of it.  0 done, -1 failed. */
static int
read_log(struct monitor *m, struct watched *w)
{
	uint8_t root[HASH_LEN];
	uint64_t from, to, read;
	unsigned tiles;

	if (node_monitor_next(m->n, w->id, &from, &to, root) != PL_OK) {
		log_warnx("monitor: %s: %s", w->id, pl_err_msg());
		return -1;
	}
	for (tiles = 0; from < to && tiles < TILES_PER_ROUND && !m->stopping; tiles++) {
		struct tile_path t = { 1, 0, from / TILE_WIDTH, 0 };
		char path[sizeof("/log/tile/") + TILE_PATH_MAX];
		const uint8_t *ep;
		struct buf tp;
		struct rd rd;
		uint64_t skip;
		size_t elen;
		long status;

		t.width = (unsigned)(to - t.index * TILE_WIDTH < TILE_WIDTH
		                             ? to - t.index * TILE_WIDTH
		                             : TILE_WIDTH);
		buf_init(&tp, TILE_PATH_MAX);
		if (tile_path_fmt(&tp, &t) != PL_OK) {
			buf_reset(&tp);
			return -1;
		}
		(void)snprintf(path, sizeof(path), "/log/tile/%.*s", (int)tp.len,
		               (const char *)tp.data);
		buf_reset(&tp);
		if ((status = get(m, w, path, 0)) != 200) {
			if (status != 0)
				log_info("monitor: %s: %s answered %ld", w->id, path, status);
			return -1;
		}
		/* A bundle starts at its tile's first entry: skip those read before. */
		rd_init(&rd, path, m->answer.data, m->answer.len);
		for (skip = from - t.index * TILE_WIDTH; skip > 0; skip--)
			if (entry_bundle_next(&rd, &ep, &elen) != PL_OK) {
				log_warnx("monitor: %s: %s", w->id, pl_err_msg());
				return -1;
			}
		if (node_monitor_entries(m->n, w->id, from, to, root, rd.p, rd.left, &read) !=
		    PL_OK) {
			log_warnx("%s", pl_err_msg());
			return -1;
		}
		if (read == 0)
			return -1;
		from += read;
	}
	return 0;
}

/*
 * What sender sent on channel from seq from on, as w holds it, at most
 * limit: a batch in b, borrowed from m->answer.  0, or -1 (logged).
 */
static int
fetch_batch(struct monitor *m, struct watched *w, const char *channel, const char *sender,
            uint64_t from, unsigned limit, struct api_batch *b)
{
	char path[SYNC_PATH_MAX];
	long status;

	b->count = 0;
	(void)snprintf(path, sizeof(path),
	               "/peer/v1/envelopes?channel=%s&sender=%s&from=%llu&limit=%u", channel,
	               sender, (unsigned long long)from, limit);
	if ((status = get(m, w, path, 1)) != 200) {
		log_info("monitor: %s: %s answered %ld", w->id, path, status);
		return -1;
	}
	if (m->answer.len == 0)
		return 0; /* it has none from there either */
	if (api_peer_parse_batch(m->answer.data, m->answer.len, b) != PL_OK) {
		log_warnx("monitor: %s: %s: %s", w->id, path, pl_err_msg());
		return -1;
	}
	return 0;
}

/* Conflicts between our envelopes and members' transcripts: fetch their copy as evidence. */
static void
look_into_conflicts(struct monitor *m)
{
	struct store_heard *h;
	struct api_batch *b;
	uint64_t waiting = 0;
	size_t i, count = 0;

	if ((h = pl_calloc(CONFLICTS_MAX, sizeof(*h))) == NULL)
		return;
	b = pl_calloc(1, sizeof(*b));
	if (node_monitor_conflicts(m->n, h, CONFLICTS_MAX, &count, &waiting) != PL_OK) {
		log_warnx("monitor: %s", pl_err_msg());
		count = 0;
	}
	for (i = 0; b != NULL && i < count && !m->stopping; i++) {
		struct watched *w = watched_for(m, h[i].party);

		if (w == NULL || w->retry_ms > sync_now_ms() ||
		    fetch_batch(m, w, h[i].channel, h[i].sender, h[i].seq, 1, b) != 0)
			continue;
		if (b->count != 1)
			log_warnx("monitor: %s has no copy of %s/%s seq %llu", w->id, h[i].channel,
			          h[i].sender, (unsigned long long)h[i].seq);
		else if (node_monitor_evidence(m->n, &h[i], b->envs[0], b->lens[0]) != PL_OK)
			log_warnx("monitor: %s", pl_err_msg());
	}
	pl_free(b);
	pl_free(h);
}

/* Envelopes members' transcripts named a while ago that never came: ask those members. */
static void
fetch_missing(struct monitor *m)
{
	struct node_missing *ms;
	struct api_batch *b;
	struct buf rc[NODE_BATCH_MAX];
	size_t i, k, count = 0, accepted;

	ms = pl_calloc(CONFLICTS_MAX, sizeof(*ms));
	b = pl_calloc(1, sizeof(*b));
	if (ms == NULL || b == NULL) {
		log_warnx("monitor: out of memory");
		count = 0;
	} else if (node_monitor_missing(m->n, m->c.fetch_after_ms, ms, CONFLICTS_MAX, &count) !=
	           PL_OK) {
		log_warnx("monitor: %s", pl_err_msg());
		count = 0;
	}
	for (i = 0; i < count && !m->stopping; i++) {
		struct watched *w = watched_for(m, ms[i].party);
		struct node_verdict v;

		if (w == NULL || w->retry_ms > sync_now_ms() ||
		    fetch_batch(m, w, ms[i].channel, ms[i].sender, ms[i].from, NODE_BATCH_MAX, b) !=
		            0 ||
		    b->count == 0)
			continue;
		for (k = 0; k < b->count; k++)
			buf_init(&rc[k], RCPT_ENCODED_MAX);
		accepted = 0;
		if (node_receive(m->n, b->envs, b->lens, b->count, rc, &accepted, &v) != PL_OK)
			log_warnx("monitor: %s", pl_err_msg());
		else
			log_info(
			        "monitor: %zu envelope(s) of %s/%s from seq %llu, fetched from %s: "
			        "%zu accepted%s%s",
			        b->count, ms[i].channel, ms[i].sender,
			        (unsigned long long)ms[i].from, w->id, accepted,
			        accepted < b->count ? ", then " : "",
			        accepted < b->count ? node_refusal_name(v.why) : "");
		for (k = 0; k < b->count; k++)
			buf_reset(&rc[k]);
	}
	pl_free(ms);
	pl_free(b);
}

static int
each_party(void *ctx, const char *id)
{
	struct monitor *m = ctx;
	struct watched *w = watched_for(m, id);
	uint64_t now = sync_now_ms();
	uint32_t rnd;

	if (w == NULL || m->stopping)
		return m->stopping;
	if (w->retry_ms > now)
		return 0;
	if (read_log(m, w) == 0) {
		w->attempt = 0;
		w->retry_ms = 0;
		return 0;
	}
	cr_random(&rnd, sizeof(rnd));
	w->attempt++;
	w->retry_ms =
	        now + sync_backoff_ms(w->attempt, m->c.backoff_min_ms, m->c.backoff_max_ms, rnd);
	return 0;
}

static void *
work(void *arg)
{
	struct monitor *m = arg;

	for (;;) {
		struct timespec ts;
		uint64_t at = sync_now_ms() + m->c.interval_ms;

		pthread_mutex_lock(&m->mu);
		ts.tv_sec = (time_t)(at / 1000);
		ts.tv_nsec = (long)(at % 1000) * 1000000L;
		while (!m->stopping && pthread_cond_timedwait(&m->cv, &m->mu, &ts) != ETIMEDOUT)
			;
		if (m->stopping) {
			pthread_mutex_unlock(&m->mu);
			break;
		}
		pthread_mutex_unlock(&m->mu);
		if (node_cosigners(m->n, each_party, m) != PL_OK)
			log_warnx("monitor: %s", pl_err_msg());
		look_into_conflicts(m);
		fetch_missing(m);
	}
	return NULL;
}

enum pl_err
monitor_start(struct monitor **out, const struct monitor_conf *c, struct node *n)
{
	struct monitor *m;

	*out = NULL;
	if ((m = pl_calloc(1, sizeof(*m))) == NULL)
		return pl_errf(PL_E_NOMEM, "monitor: out of memory");
	m->c = *c;
	m->c.interval_ms = c->interval_ms ? c->interval_ms : 500;
	m->c.timeout_s = c->timeout_s ? c->timeout_s : 10;
	m->c.fetch_after_ms = c->fetch_after_ms ? c->fetch_after_ms : 5000;
	m->c.backoff_min_ms = c->backoff_min_ms ? c->backoff_min_ms : 1000;
	m->c.backoff_max_ms = c->backoff_max_ms ? c->backoff_max_ms : 60000;
	if (m->c.backoff_max_ms < m->c.backoff_min_ms)
		m->c.backoff_max_ms = m->c.backoff_min_ms;
	m->n = n;
	buf_init(&m->answer, BUNDLE_MAX > 4 + ENV_ENCODED_MAX ? BUNDLE_MAX : 4 + ENV_ENCODED_MAX);
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->cv, NULL);
	sync_curl_init();
	if (pthread_create(&m->thread, NULL, work, m) != 0) {
		pthread_cond_destroy(&m->cv);
		pthread_mutex_destroy(&m->mu);
		pl_free(m);
		return pl_errf(PL_E_NOMEM, "monitor: cannot start a thread");
	}
	*out = m;
	return PL_OK;
}

void
monitor_stop(struct monitor *m)
{
	size_t i;

	if (m == NULL)
		return;
	pthread_mutex_lock(&m->mu);
	m->stopping = 1;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
	(void)pthread_join(m->thread, NULL);
	for (i = 0; i < m->n_parties; i++) {
		curl_easy_cleanup(m->parties[i]->curl);
		pl_free(m->parties[i]);
	}
	buf_reset(&m->answer);
	pthread_cond_destroy(&m->cv);
	pthread_mutex_destroy(&m->mu);
	pl_free(m);
}
