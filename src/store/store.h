/*
 * store.h - everything a node keeps, behind one table of functions.
 *
 * store_sqlite.c is the embedded default; a PostgreSQL backend fills the
 * same table.  All SQL of the node lives behind this interface: the layers
 * above speak in typed structs (docs/node.md#store).
 *
 * Writes run inside a transaction, store_begin .. store_commit, and
 * store_commit returns only when the data is on disk (SQLite: WAL with
 * synchronous=FULL).  The group committer (commit.h) runs the writes of
 * many callers in one transaction, each in a savepoint, so that one fsync
 * covers them all and a failing caller undoes only its own writes.
 *
 * Lookups that find nothing return PL_OK with *found = 0.  Their output
 * pointers other than found (the struct, the raw bytes) may be NULL when
 * the caller does not want that part.  Listing
 * functions call fn once per row, in the stated order; fn returning
 * non-zero stops the listing early (still PL_OK).  Every text
 * field is bounded by the struct it is read into; a stored value that does
 * not fit or does not parse is reported as PL_E_STORE naming the row, never
 * cut.  A struct store is one connection: one thread at a time.
 */
#ifndef PL_STORE_H
#define PL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../crypto/hash.h"
#include "../tlog/merkle.h"
#include "../tlog/note.h"
#include "../tlog/witness.h"
#include "../wire/codec.h"
#include "../wire/env.h"
#include "../wire/party.h"

#define STORE_NAME_MAX    63   /* officer names */
#define STORE_PWHASH_MAX  127  /* an Argon2id string (crypto_pwhash_STRBYTES) */
#define STORE_CHARTER_MAX 8192 /* the charter's JSON data, as signed */

struct store;

enum store_dir {
	STORE_OUT = 1, /* this node sent it */
	STORE_IN = 2,  /* this node received it */
};

enum store_chan_state {
	STORE_CHAN_PROPOSED = 1, /* charter known, not every member has signed */
	STORE_CHAN_ACTIVE = 2,
	STORE_CHAN_SUSPENDED = 3,
};

/* Officer roles, a bit set. */
#define STORE_ROLE_DUTY     0x01u
#define STORE_ROLE_APPROVER 0x02u
#define STORE_ROLE_AUDITOR  0x04u
#define STORE_ROLE_ADMIN    0x08u

enum store_token_kind {
	STORE_TOKEN_SESSION = 1, /* from a login; expires */
	STORE_TOKEN_API = 2,     /* for the CLI and scripts; until revoked */
};

/* An envelope's index row; the bytes are kept beside it. */
struct store_env {
	uint8_t id[HASH_LEN];
	char channel[CODEC_ID_MAX + 1];
	char sender[CODEC_ID_MAX + 1];
	uint64_t seq;
	uint8_t prev[HASH_LEN];
	uint8_t kind, prec, flags, tlp;
	uint64_t time_ms;   /* the sender's clock */
	uint64_t stored_ms; /* this node's clock when it was stored */
	uint8_t dir;        /* enum store_dir */
	uint64_t log_index; /* index of its transcript entry */
};

struct store_env_filter {
	const char *channel; /* NULL: every channel */
	const char *sender;  /* NULL: every sender */
	uint8_t dir;         /* 0: both directions */
	uint8_t kind;        /* 0: every kind */
	uint64_t from_seq;   /* with channel and sender: seq >= from_seq */
	int unacked;         /* only STORE_IN messages no officer here acknowledged */
	size_t limit;        /* 0: no limit */
	int newest_first;    /* else oldest first (stored order) */
};

struct store_chan {
	char name[CODEC_ID_MAX + 1];
	uint8_t state; /* enum store_chan_state */
	uint8_t charter_id[HASH_LEN];
	char creator[CODEC_ID_MAX + 1];
	size_t n_members; /* ascending, as in the envelope's recipients */
	char members[ENV_RECIPIENTS_MAX][CODEC_ID_MAX + 1];
	char charter[STORE_CHARTER_MAX + 1]; /* JSON text of the charter's data */
	uint64_t created_ms;
};

struct store_officer {
	char name[STORE_NAME_MAX + 1];
	char pwhash[STORE_PWHASH_MAX + 1];
	unsigned roles;
	uint64_t created_ms;
};

/* A recipient's delivery state for one envelope this node sent. */
struct store_dlv {
	uint8_t env_id[HASH_LEN];
	char peer[CODEC_ID_MAX + 1];
	char channel[CODEC_ID_MAX + 1];
	uint64_t seq;
	uint8_t prec;
	int done;         /* its receipt is stored */
	uint64_t done_ms; /* when */
};

/* The most urgent pending work for one peer on one channel. */
/* Channels a delivery pick leaves out (a peer refused them for now). */
#define STORE_SKIP_MAX 8
struct store_skip {
	size_t n;
	char channel[STORE_SKIP_MAX][CODEC_ID_MAX + 1];
};

struct store_dlv_head {
	char channel[CODEC_ID_MAX + 1];
	uint64_t min_seq; /* lowest pending seq: what must go first */
	uint8_t min_prec; /* most urgent precedence pending on the channel */
	uint64_t pending;
};

struct store_ack {
	uint8_t env_id[HASH_LEN];     /* what was acknowledged */
	char party[CODEC_ID_MAX + 1]; /* whose officer */
	char officer[STORE_NAME_MAX + 1];
	uint8_t ack_id[HASH_LEN]; /* the ACK envelope */
	uint64_t time_ms;
};

/* Alerts: evidence that a party forked its transcript or equivocated (docs/node.md#audit). */
#define STORE_ALERT_KIND_MAX   31
#define STORE_ALERT_DETAIL_MAX 511
/* Two envelopes with their 4-byte lengths (equivocation) or two checkpoints (fork). */
#define STORE_EVIDENCE_MAX (2 * (4 + ENV_ENCODED_MAX))

struct store_alert {
	uint64_t
	        id; /* given by alert_put; 0 if the same alert (kind, party, detail) was kept before */
	uint64_t time_ms;
	char kind[STORE_ALERT_KIND_MAX + 1]; /* "fork", "fork-suspected", "equivocation", ... */
	char party[CODEC_ID_MAX + 1];        /* whom it is about */
	char detail[STORE_ALERT_DETAIL_MAX + 1];
	const uint8_t *evidence; /* borrowed: the signed objects that prove it */
	size_t evidence_len;
};

/*
 * What a member's published transcript says about an envelope on one of
 * our channels that this node has not got, or got with another id
 * (core/node_monitor.c).  One row per channel, sender, seq and the party
 * whose transcript said it.
 */
struct store_heard {
	char channel[CODEC_ID_MAX + 1];
	char sender[CODEC_ID_MAX + 1];
	uint64_t seq;
	char party[CODEC_ID_MAX + 1]; /* whose transcript */
	uint8_t id[HASH_LEN];
	uint64_t index;    /* of the entry in that transcript */
	uint64_t heard_ms; /* when this node read it */
};

struct store_ops {
	void (*close)(struct store *st);

	enum pl_err (*begin)(struct store *st);
	enum pl_err (*commit)(struct store *st);
	void (*rollback)(struct store *st);
	/* One level of savepoint inside begin..commit (the committer's per-caller undo). */
	enum pl_err (*savepoint)(struct store *st);
	enum pl_err (*release)(struct store *st);
	/* Both rollbacks also restore the transcript's in-memory size and hashes. */
	void (*rollback_to)(struct store *st);

	enum pl_err (*meta_get)(struct store *st, const char *key, struct buf *val, int *found);
	enum pl_err (*meta_put)(struct store *st, const char *key, const void *val, size_t n);

	/* Parties: every revision kept; get returns the latest (rec, if not NULL, its record). */
	enum pl_err (*party_put)(struct store *st, const struct party *p, const uint8_t *rec,
	                         size_t n, uint64_t pinned_ms);
	enum pl_err (*party_get)(struct store *st, const char *id, struct party *out,
	                         struct buf *rec, int *found);
	enum pl_err (*party_list)(struct store *st,
	                          int (*fn)(void *ctx, const struct party *p, uint64_t pinned_ms),
	                          void *ctx);

	enum pl_err (*officer_put)(struct store *st, const struct store_officer *o);
	enum pl_err (*officer_get)(struct store *st, const char *name, struct store_officer *out,
	                           int *found);
	enum pl_err (*officer_list)(struct store *st,
	                            int (*fn)(void *ctx, const struct store_officer *o), void *ctx);

	/* Tokens are kept as SHA-256 of the token, never the token. */
	enum pl_err (*token_put)(struct store *st, const uint8_t hash[HASH_LEN],
	                         const char *officer, uint8_t kind, const char *label,
	                         uint64_t expires_ms);
	enum pl_err (*token_get)(struct store *st, const uint8_t hash[HASH_LEN],
	                         struct store_officer *out, uint64_t *expires_ms, int *found);
	enum pl_err (*token_del)(struct store *st, const uint8_t hash[HASH_LEN]);

	/* Channels: put inserts or replaces by name. */
	enum pl_err (*chan_put)(struct store *st, const struct store_chan *c);
	enum pl_err (*chan_get)(struct store *st, const char *name, struct store_chan *out,
	                        int *found);
	enum pl_err (*chan_list)(struct store *st, int (*fn)(void *ctx, const struct store_chan *c),
	                         void *ctx);

	/*
	 * Envelopes.  env_put refuses (PL_E_STATE) an id, or a (channel,
	 * sender, seq), that is already stored.
	 */
	enum pl_err (*env_put)(struct store *st, const struct store_env *e, const uint8_t *raw,
	                       size_t n);
	enum pl_err (*env_get)(struct store *st, const uint8_t id[HASH_LEN], struct store_env *out,
	                       struct buf *raw, int *found);
	enum pl_err (*env_by_seq)(struct store *st, const char *channel, const char *sender,
	                          uint64_t seq, struct store_env *out, struct buf *raw, int *found);
	/* The sender's last envelope on the channel; *found 0 if none. */
	enum pl_err (*env_last)(struct store *st, const char *channel, const char *sender,
	                        struct store_env *out, int *found);
	enum pl_err (*env_list)(struct store *st, const struct store_env_filter *f,
	                        int (*fn)(void *ctx, const struct store_env *e), void *ctx);

	/* Deliveries of what this node sent, one row per recipient. */
	enum pl_err (*dlv_put)(struct store *st, const struct store_dlv *d);
	enum pl_err (*dlv_done)(struct store *st, const uint8_t env_id[HASH_LEN], const char *peer,
	                        uint64_t done_ms);
	/* Mark pending again every delivery to peer on channel from seq on. */
	enum pl_err (*dlv_reset)(struct store *st, const char *peer, const char *channel,
	                         uint64_t from_seq);
	/* Peers with pending deliveries. */
	enum pl_err (*dlv_peers)(struct store *st, int (*fn)(void *ctx, const char *peer),
	                         void *ctx);
	/* Per channel, the pending deliveries to peer: lowest seq, most urgent precedence. */
	enum pl_err (*dlv_heads)(struct store *st, const char *peer,
	                         int (*fn)(void *ctx, const struct store_dlv_head *h), void *ctx);
	/*
	 * The channel of the most urgent pending delivery to peer (lowest
	 * precedence value, then lowest seq) among those of precedence
	 * max_prec or more urgent, leaving out the channels in skip (NULL:
	 * none); *found 0 if none.  O(log n) plus the pending deliveries of
	 * skipped channels passed over: delivery picks its next batch with it
	 * on every round.
	 */
	enum pl_err (*dlv_urgent)(struct store *st, const char *peer, uint8_t max_prec,
	                          const struct store_skip *skip, char channel[CODEC_ID_MAX + 1],
	                          int *found);
	/* Pending deliveries to peer on channel, ascending seq, at most limit. */
	enum pl_err (*dlv_pending)(struct store *st, const char *peer, const char *channel,
	                           size_t limit, int (*fn)(void *ctx, const struct store_dlv *d),
	                           void *ctx);
	/* Every recipient's state for one envelope. */
	enum pl_err (*dlv_list)(struct store *st, const uint8_t env_id[HASH_LEN],
	                        int (*fn)(void *ctx, const struct store_dlv *d), void *ctx);

	/* Receipts: this node's for what it received, peers' for what it sent. */
	enum pl_err (*rcpt_put)(struct store *st, const uint8_t env_id[HASH_LEN],
	                        const char *receiver, uint64_t stored_ms, const uint8_t *raw,
	                        size_t n);
	enum pl_err (*rcpt_get)(struct store *st, const uint8_t env_id[HASH_LEN],
	                        const char *receiver, struct buf *raw, int *found);
	enum pl_err (*rcpt_list)(struct store *st, const uint8_t env_id[HASH_LEN],
	                         int (*fn)(void *ctx, const char *receiver, uint64_t stored_ms,
	                                   const uint8_t *raw, size_t n),
	                         void *ctx);

	/* Acknowledgements (from ACK envelopes, ours and peers'). */
	enum pl_err (*ack_put)(struct store *st, const struct store_ack *a);
	enum pl_err (*ack_list)(struct store *st, const uint8_t env_id[HASH_LEN],
	                        int (*fn)(void *ctx, const struct store_ack *a), void *ctx);

	/* The transcript (logstore.h semantics, inside the open transaction). */
	enum pl_err (*log_append)(struct store *st, const uint8_t *const *entries,
	                          const size_t *lens, size_t n, uint64_t *first);
	enum pl_err (*log_size)(struct store *st, uint64_t *size);
	enum pl_err (*log_entry)(struct store *st, uint64_t index, struct buf *out);
	enum pl_err (*log_root)(struct store *st, uint64_t size, uint8_t root[HASH_LEN]);
	enum pl_err (*log_inclusion)(struct store *st, uint64_t index, uint64_t size,
	                             uint8_t proof[][HASH_LEN], size_t *n);
	enum pl_err (*log_consistency)(struct store *st, uint64_t old, uint64_t size,
	                               uint8_t proof[][HASH_LEN], size_t *n);
	enum pl_err (*log_checkpoint_put)(struct store *st, const char *note, size_t n,
	                                  const struct note_key *log_key);
	enum pl_err (*log_checkpoint_last)(struct store *st, uint64_t *size, struct buf *out);
	/* logstore_check: the stored log against its latest checkpoint, signed by log_key. */
	enum pl_err (*log_check)(struct store *st, const struct note_key *log_key);
	/* C2SP tlog-tiles: hashes of a tile and entry bundles (logstore.h semantics). */
	enum pl_err (*log_hashes)(struct store *st, unsigned level, uint64_t start, size_t count,
	                          uint64_t size, struct buf *out);
	enum pl_err (*log_entries)(struct store *st, uint64_t start, size_t count, struct buf *out);

	/* As a witness: per log origin, the latest checkpoint cosigned and any fork (not the key). */
	enum pl_err (*wit_get)(struct store *st, const char *origin, struct witness_log *out,
	                       int *found);
	enum pl_err (*wit_put)(struct store *st, const struct witness_log *w);
	/* Every log witnessed (its record, without the key), by origin. */
	enum pl_err (*wit_list)(struct store *st, int (*fn)(void *ctx, const struct witness_log *w),
	                        void *ctx);

	/* Cosignature lines that witnesses gave our checkpoint of size. */
	enum pl_err (*cosig_put)(struct store *st, uint64_t size, const char *witness,
	                         const char *line, size_t n);
	enum pl_err (*cosig_list)(struct store *st, uint64_t size,
	                          int (*fn)(void *ctx, const char *witness, const char *line,
	                                    size_t n),
	                          void *ctx);
	/* The largest size witness cosigned; 0 if none. */
	enum pl_err (*cosig_last)(struct store *st, const char *witness, uint64_t *size);

	/*
	 * Alerts, newest first in the listing; the same one twice is kept once.
	 * Evidence over STORE_EVIDENCE_MAX bytes is refused (PL_E_ARG).
	 */
	enum pl_err (*alert_put)(struct store *st, struct store_alert *a);
	enum pl_err (*alert_list)(struct store *st, size_t limit,
	                          int (*fn)(void *ctx, const struct store_alert *a), void *ctx);
	/* *any 1 if some alert is about party. */
	enum pl_err (*alert_about)(struct store *st, const char *party, int *any);

	/* Kept once per channel, sender, seq and party (the first one said). */
	enum pl_err (*heard_put)(struct store *st, const struct store_heard *h);
	/*
	 * At most limit rows for which this node now holds an envelope with
	 * the same channel, sender and seq, each with that envelope's id.
	 */
	enum pl_err (*heard_decided)(struct store *st, size_t limit,
	                             int (*fn)(void *ctx, const struct store_heard *h,
	                                       const uint8_t ours[HASH_LEN]),
	                             void *ctx);
	enum pl_err (*heard_del)(struct store *st, const struct store_heard *h);
	/* Rows still waiting for an envelope this node has not got (or decided, not dropped yet). */
	enum pl_err (*heard_count)(struct store *st, uint64_t *n);
	/*
	 * At most limit rows read at or before before_ms that name an envelope
	 * this node has not got, by channel, sender and seq.
	 */
	enum pl_err (*heard_waiting)(struct store *st, uint64_t before_ms, size_t limit,
	                             int (*fn)(void *ctx, const struct store_heard *h), void *ctx);
};

struct store {
	const struct store_ops *ops;
};

/*
 * Open the store named by url: "sqlite:PATH" or a plain path (SQLite).
 * Creates it if missing and migrates an older schema; refuses a newer one.
 */
PL_MUST_USE enum pl_err store_open(struct store **out, const char *url);

static inline void
store_close(struct store *st)
{
	if (st != NULL)
		st->ops->close(st);
}

#endif
