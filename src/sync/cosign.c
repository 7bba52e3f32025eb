/*
 * cosign.c - checkpoints out, cosignatures in (cosign.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "../common/alloc.h"
#include "../common/log.h"
#include "../crypto/cr.h"
#include "../tlog/witness.h"
#include "cosign.h"
#include "sync.h"

#define TARGETS_MAX 256
/* Rounds are this far apart at least (10 checkpoints a second at most). */
#define COSIGN_GAP_MS 100
/* A witness that says 429 is asked again after this long. */
#define COSIGN_BUSY_MS 250
#define ANSWER_MAX     4096

struct target {
	char id[CODEC_ID_MAX + 1];
	uint64_t cosigned; /* the largest size it cosigned, as far as we know */
	uint64_t retry_ms; /* backing off until then */
	unsigned attempt;
	int alerted;
	CURL *curl;
};

struct cosign {
	struct cosign_conf c;
	struct node *n;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stopping, kicked;
	size_t n_targets;
	struct target *targets[TARGETS_MAX];
};

static struct target *
target_for(struct cosign *cs, const char *id)
{
	struct target *t;
	size_t i;

	for (i = 0; i < cs->n_targets; i++)
		if (strcmp(cs->targets[i]->id, id) == 0)
			return cs->targets[i];
	if (cs->n_targets == TARGETS_MAX || (t = pl_calloc(1, sizeof(*t))) == NULL)
		return NULL;
	(void)snprintf(t->id, sizeof(t->id), "%s", id);
	if ((t->curl = sync_curl_new(cs->c.timeout_s, cs->c.plain_ok, cs->c.ca_file)) == NULL) {
		pl_free(t);
		return NULL;
	}
	t->cosigned = NODE_OLD_STORED;
	cs->targets[cs->n_targets++] = t;
	return t;
}

/* POST req to the party's endpoints in turn; the first answer wins.  0 if none answered. */
static long
post(struct cosign *cs, struct target *t, const struct buf *req, struct buf *answer, char ctype[64])
{
	struct curl_slist *hdr;
	struct party p;
	long status;
	int found = 0;

	ctype[0] = '\0';
	if (node_peer_get(cs->n, t->id, &p, &found) != PL_OK || !found)
		return 0;
	hdr = curl_slist_append(NULL, "Content-Type: text/plain; charset=utf-8");
	status = sync_call(t->curl, &p, cs->c.plain_ok, "/witness/v1/add-checkpoint", hdr, req,
	                   answer, ctype);
	curl_slist_free_all(hdr);
	return status;
}

/* Once per witness and process: our own transcript is not what it saw. */
static void
self_alert(struct cosign *cs, struct target *t, const char *kind, const char *detail)
{
	if (t->alerted)
		return;
	t->alerted = 1;
	if (node_alert(cs->n, kind, node_self(cs->n)->id, detail, NULL, 0) != PL_OK)
		log_warnx("cosign: cannot store an alert: %s", pl_err_msg());
}

/* One witness: our latest checkpoint to it, following its 409 once.  0 done, 1 busy, -1 failed. */
static int
push(struct cosign *cs, struct target *t)
{
	struct buf req, answer;
	uint64_t old = t->cosigned, cp_size = 0;
	char ctype[64];
	int round, ok = 0;
	long status = 0;

	buf_init(&req, WITNESS_REQUEST_MAX);
	buf_init(&answer, ANSWER_MAX);
	for (round = 0; round < 2 && !ok; round++) {
		enum pl_err err = node_witness_request(cs->n, t->id, &old, &req, &cp_size);

		if (err == PL_E_STATE) {
			self_alert(cs, t, "rollback", pl_err_msg());
			break;
		}
		if (err != PL_OK) {
			log_warnx("cosign: %s: %s", t->id, pl_err_msg());
			break;
		}
		if (round == 0 && t->cosigned == NODE_OLD_STORED && old == cp_size) {
			t->cosigned = old; /* cosigned before this process started */
			ok = 1;
			break;
		}
		status = post(cs, t, &req, &answer, ctype);
		if (status == 200) {
			if (node_cosigned(cs->n, t->id, cp_size, (const char *)answer.data,
			                  answer.len) != PL_OK) {
				log_warnx("cosign: %s", pl_err_msg());
				break;
			}
			t->cosigned = cp_size;
			ok = 1;
		} else if (status == 409 && strncmp(ctype, "text/x.tlog.size", 16) == 0) {
			uint64_t have;

			if (answer.len < 2 || answer.data[answer.len - 1] != '\n' ||
			    !codec_dec_parse((const char *)answer.data, answer.len - 1, &have)) {
				log_warnx("cosign: %s: a 409 without a size", t->id);
				break;
			}
			log_info("cosign: %s holds size %" PRIu64 " of our transcript", t->id,
			         have);
			old = have;
		} else if (status == 429) {
			log_debug("cosign: %s is busy (429)", t->id);
			ok = -1;
			break;
		} else {
			if (status == 422) {
				char detail[256];

				(void)snprintf(
				        detail, sizeof(detail),
				        "%s cannot verify that our checkpoint of size %" PRIu64
				        " extends what it cosigned: our transcript changed",
				        t->id, cp_size);
				self_alert(cs, t, "fork", detail);
			}
			if (status != 0)
				log_info("cosign: %s answered %ld: %.*s", t->id, status,
				         (int)(answer.len > 200 ? 200 : answer.len),
				         (const char *)answer.data);
			break;
		}
	}
	buf_reset(&req);
	buf_reset(&answer);
	return ok == 1 ? 0 : ok == -1 ? 1 : -1;
}

struct ids {
	struct cosign *cs;
	uint64_t size;
};

static int
each_target(void *ctx, const char *id)
{
	struct ids *c = ctx;
	struct target *t = target_for(c->cs, id);
	uint64_t now = sync_now_ms();

	if (t == NULL || c->cs->stopping)
		return c->cs->stopping;
	if ((t->cosigned != NODE_OLD_STORED && t->cosigned >= c->size) || t->retry_ms > now)
		return 0;
	switch (push(c->cs, t)) {
	case 0:
		t->attempt = 0;
		t->retry_ms = 0;
		break;
	case 1:
		t->retry_ms = now + COSIGN_BUSY_MS;
		break;
	default: {
		uint32_t rnd;

		cr_random(&rnd, sizeof(rnd));
		t->attempt++;
		t->retry_ms = now + sync_backoff_ms(t->attempt, c->cs->c.backoff_min_ms,
		                                    c->cs->c.backoff_max_ms, rnd);
	}
	}
	return 0;
}

static void *
work(void *arg)
{
	struct cosign *cs = arg;
	uint64_t last = 0;

	for (;;) {
		struct ids c = { cs, 0 };
		struct timespec ts;
		uint64_t at;

		pthread_mutex_lock(&cs->mu);
		/* At most one round per COSIGN_GAP_MS: appends in between share a checkpoint. */
		at = last + COSIGN_GAP_MS;
		ts.tv_sec = (time_t)(at / 1000);
		ts.tv_nsec = (long)(at % 1000) * 1000000L;
		while (!cs->stopping && sync_now_ms() < at &&
		       pthread_cond_timedwait(&cs->cv, &cs->mu, &ts) != ETIMEDOUT)
			;
		at = last + cs->c.interval_ms;
		ts.tv_sec = (time_t)(at / 1000);
		ts.tv_nsec = (long)(at % 1000) * 1000000L;
		while (!cs->stopping && !cs->kicked &&
		       pthread_cond_timedwait(&cs->cv, &cs->mu, &ts) != ETIMEDOUT)
			;
		cs->kicked = 0;
		if (cs->stopping) {
			pthread_mutex_unlock(&cs->mu);
			break;
		}
		pthread_mutex_unlock(&cs->mu);
		last = sync_now_ms();
		if (node_checkpoint(cs->n, &c.size, NULL) != PL_OK) {
			log_warnx("cosign: checkpoint: %s", pl_err_msg());
			continue;
		}
		if (c.size > 0 && node_cosigners(cs->n, each_target, &c) != PL_OK)
			log_warnx("cosign: %s", pl_err_msg());
	}
	return NULL;
}

enum pl_err
cosign_start(struct cosign **out, const struct cosign_conf *c, struct node *n)
{
	struct cosign *cs;

	*out = NULL;
	if ((cs = pl_calloc(1, sizeof(*cs))) == NULL)
		return pl_errf(PL_E_NOMEM, "cosign: out of memory");
	cs->c = *c;
	cs->c.interval_ms = c->interval_ms ? c->interval_ms : 250;
	cs->c.timeout_s = c->timeout_s ? c->timeout_s : 10;
	cs->c.backoff_min_ms = c->backoff_min_ms ? c->backoff_min_ms : 1000;
	cs->c.backoff_max_ms = c->backoff_max_ms ? c->backoff_max_ms : 60000;
	if (cs->c.backoff_max_ms < cs->c.backoff_min_ms)
		cs->c.backoff_max_ms = cs->c.backoff_min_ms;
	cs->n = n;
	pthread_mutex_init(&cs->mu, NULL);
	pthread_cond_init(&cs->cv, NULL);
	sync_curl_init();
	if (pthread_create(&cs->thread, NULL, work, cs) != 0) {
		pthread_cond_destroy(&cs->cv);
		pthread_mutex_destroy(&cs->mu);
		pl_free(cs);
		return pl_errf(PL_E_NOMEM, "cosign: cannot start a thread");
	}
	*out = cs;
	return PL_OK;
}

void
cosign_kick(struct cosign *cs)
{
	pthread_mutex_lock(&cs->mu);
	cs->kicked = 1;
	pthread_cond_signal(&cs->cv);
	pthread_mutex_unlock(&cs->mu);
}

void
cosign_stop(struct cosign *cs)
{
	size_t i;

	if (cs == NULL)
		return;
	pthread_mutex_lock(&cs->mu);
	cs->stopping = 1;
	pthread_cond_signal(&cs->cv);
	pthread_mutex_unlock(&cs->mu);
	(void)pthread_join(cs->thread, NULL);
	for (i = 0; i < cs->n_targets; i++) {
		curl_easy_cleanup(cs->targets[i]->curl);
		pl_free(cs->targets[i]);
	}
	pthread_cond_destroy(&cs->cv);
	pthread_mutex_destroy(&cs->mu);
	pl_free(cs);
}
