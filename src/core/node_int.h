/*
 * node_int.h - what the files of the node module share (node.c: the node
 * itself, its officers and peers; node_env.c: channels and envelopes).
 * Not for other modules.
 */
#ifndef PL_NODE_INT_H
#define PL_NODE_INT_H

#include <pthread.h>

#include "../crypto/pw.h"
#include "../store/commit.h"
#include "../wire/entry.h"
#include "node.h"

#define NODE_READERS_MAX 16

struct node {
	struct committer *commit;
	struct keys *keys;
	struct party self;
	uint8_t *self_rec;
	size_t self_len;
	char *store_url;
	char origin[ENTRY_LOG_NAME_MAX + 1];
	int witness_only;
	char dummy_hash[PW_HASH_MAX]; /* verified for unknown names, so they cost the same */
	uint64_t (*clock_ms)(void);
	void (*notify)(void *ctx, const char *peer, int urgent);
	void *notify_ctx;

	/* Our chain of envelopes per channel, for sealing off the writer (node_env.c). */
	pthread_mutex_t chains_mu;
	struct chain *chains;

	/* Read connections, lent to one thread at a time. */
	pthread_mutex_t mu;
	pthread_cond_t freed;
	struct store *idle[NODE_READERS_MAX];
	size_t n_idle, n_open;
};

uint64_t node_now(const struct node *n);

/*
 * On st: the latest checkpoint of our transcript, and with cosigs every
 * cosignature line gathered for it (node_log.c).  PL_E_NOTFOUND if none.
 */
PL_MUST_USE enum pl_err node_latest_checkpoint(struct store *st, struct buf *out, uint64_t *size,
                                               int cosigs);

/*
 * On the writer: e (id, encoded [p, p+len), signature checked) has a seq
 * its sender already used on the channel for another envelope stored
 * here; both are kept as the evidence of an equivocation alert
 * (node_env.c).  Nothing happens if the stored one is e itself.
 */
PL_MUST_USE enum pl_err node_equivocation(struct node *n, struct store *st, const struct env *e,
                                          const uint8_t id[HASH_LEN], const uint8_t *p, size_t len);

/* Free the chains kept by node_env.c (on close, with no sender left). */
void node_chains_free(struct node *n);

/* Borrow a read connection (opened on first need); give it back with node_reader_put. */
PL_MUST_USE enum pl_err node_reader_get(struct node *n, struct store **st);
void node_reader_put(struct node *n, struct store *st);

/* The latest pinned record of id, or PL_E_ARG "unknown party" when required and missing. */
PL_MUST_USE enum pl_err node_party(struct store *st, const char *id, struct party *out, int *found);

/* "2026-11-23T04:05:06.789Z" */
void node_time_str(char out[32], uint64_t ms);

/* Role check: PL_E_ARG "officer X lacks role Y" (the API maps it to 403). */
PL_MUST_USE enum pl_err node_need_role(const struct node_officer *by, unsigned role);

#endif
