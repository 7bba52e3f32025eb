/*
 * node.h - one party's node: its keys, its store, and every action on them
 * (docs/node.md).  The service layer (api, sync) and the programs call
 * these; nothing above this header touches the store or the keys.
 *
 * Thread-safe.  Every write goes through the group committer
 * (store/commit.h): many callers' writes share one transaction and one
 * fsync, and a call that reports PL_OK has its data on disk.  Reads use a
 * separate connection per calling thread and see committed data only.
 *
 * Errors: PL_E_ARG for a caller's bad request (not a member, bad
 * value), PL_E_NOTFOUND for an unknown channel, envelope or party,
 * PL_E_PERM for a missing role, with the detail in pl_err_msg(); PL_E_STATE for an
 * action not allowed now (channel not active); PL_E_CRYPTO for a bad
 * signature; PL_E_STORE when the disk failed.  Peer traffic is judged by
 * node_receive, which says why it refused in a struct node_verdict.
 */
#ifndef PL_NODE_H
#define PL_NODE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../common/buf.h"
#include "../crypto/keys.h"
#include "peer_auth.h"
#include "../store/store.h"
#include "../wire/env.h"
#include "../wire/party.h"

/* Envelopes per peer POST and per fetch answer. */
#define NODE_BATCH_MAX 256
/* A session token lasts this long after login. */
#define NODE_SESSION_MS (12ull * 3600 * 1000)
/* Tokens: 32 random bytes, base64url without padding. */
#define NODE_TOKEN_STR_MAX 64

struct node;

struct node_conf {
	const char *store;     /* "sqlite:/var/lib/parley/node.db" or a path */
	struct keys *keys;     /* taken over: node_close frees it, also on failure */
	const uint8_t *record; /* our signed party record (copied) */
	size_t record_len;
	uint64_t (*clock_ms)(void); /* NULL: the system clock (tests set their own) */
	int witness_only;           /* a neutral witness: refuses every channel and envelope */
};

/*
 * Open the store (creating it on first use), check it belongs to this
 * party, check the transcript against its last checkpoint, and start the
 * committer.  Refuses a store made for another party or another key.
 */
PL_MUST_USE enum pl_err node_open(struct node **out, const struct node_conf *c);
/* Finish the writes in flight, stop the committer, close everything. */
void node_close(struct node *n);

const struct party *node_self(const struct node *n);

/*
 * fn(ctx, peer, urgent) is called after a commit that queued deliveries to
 * peer, so that sync wakes its worker for that peer; urgent when the
 * envelope is FLASH or IMMEDIATE.  From the thread that made the change,
 * once it is on disk.  Set it before any traffic.
 */
void node_set_notify(struct node *n, void (*fn)(void *ctx, const char *peer, int urgent),
                     void *ctx);

/* ---- Peers talking to us ------------------------------------------------ */

enum node_refusal {
	NODE_ACCEPTED = 0,
	NODE_MALFORMED,      /* 400: not an envelope, or framing wrong */
	NODE_TOO_BIG,        /* 413 */
	NODE_UNKNOWN_SENDER, /* 403: no pinned record for the sender */
	NODE_BAD_SIGNATURE,  /* 403 */
	NODE_NOT_MEMBER,     /* 403: sender or this node not a member, or recipients != members */
	NODE_NO_CHANNEL,     /* 404: no charter for the channel */
	NODE_INACTIVE,       /* 409: charter not signed by every member yet, or suspended */
	NODE_GAP,            /* 409: seq beyond the next expected; expected_seq says which */
	NODE_BAD_CHAIN,      /* 409: prev is not the id of the sender's previous envelope */
	NODE_CONFLICT,       /* 409: another envelope already has this seq (equivocation) */
	NODE_BAD_BODY,       /* 422: a charter or acknowledgement that does not open or parse */
	NODE_INTERNAL,       /* 500: our store failed; the sender retries */
};

struct node_verdict {
	enum node_refusal why;
	uint64_t expected_seq; /* NODE_GAP, NODE_BAD_CHAIN, NODE_CONFLICT */
	size_t index;          /* which envelope of the batch */
};

/* HTTP status and a stable short name ("gap", "bad-signature") for a refusal. */
int node_refusal_http(enum node_refusal r);
const char *node_refusal_name(enum node_refusal r);

/*
 * A peer POSTed count envelopes.  They are judged in order, each after the
 * ones before it are applied, and the first refusal stops the batch:
 * verified, checked (sender pinned, signature, channel, membership,
 * sequence and chain), stored, appended to the transcript and receipted in
 * one commit.  receipts[i] receives the receipt of envelope i for every i <
 * *accepted; a duplicate (same id already stored) counts as accepted and
 * gets the receipt it got the first time.  v says why the rest was
 * refused.  Returns PL_OK whenever the batch was judged, even if refused.
 * A failure of the store after some envelopes were stored (a batch is
 * written in parts) is NODE_INTERNAL at the first envelope not stored,
 * with PL_OK and the receipts of those before; if nothing was stored, the
 * store's error.
 */
PL_MUST_USE enum pl_err node_receive(struct node *n, const uint8_t *const *envs, const size_t *lens,
                                     size_t count, struct buf *receipts, size_t *accepted,
                                     struct node_verdict *v);

/*
 * A member asks for what sender (NULL: this node) sent on channel from seq
 * on, as far as this node holds it: what it missed, or the copy another
 * member got.  Appends to out, for at most max envelopes, a 4-byte
 * big-endian length and the envelope.  PL_E_PERM if requester is not a
 * member of the channel, PL_E_NOTFOUND if there is no such channel here.
 */
PL_MUST_USE enum pl_err node_fetch(struct node *n, const char *requester, const char *channel,
                                   const char *sender, uint64_t from_seq, size_t max,
                                   struct buf *out, size_t *count);

/* A pinned peer's latest record; *found 0 if not pinned. */
PL_MUST_USE enum pl_err node_peer_get(struct node *n, const char *id, struct party *out,
                                      int *found);

/* ---- Delivery (sync) ---------------------------------------------------- */

struct node_batch {
	char peer[CODEC_ID_MAX + 1];
	char channel[CODEC_ID_MAX + 1];
	uint8_t prec; /* most urgent precedence in the batch */
	size_t n;
	uint8_t ids[NODE_BATCH_MAX][HASH_LEN];
	struct buf raw; /* n times: 4-byte big-endian length, envelope */
};

/* Peers with pending deliveries. */
PL_MUST_USE enum pl_err node_pending_peers(struct node *n, int (*fn)(void *ctx, const char *peer),
                                           void *ctx);

/* Writes and groups (fsyncs) committed since the node opened. */
void node_commit_stats(struct node *n, unsigned long long *groups, unsigned long long *jobs);

/*
 * The next batch for peer: pending envelopes of the channel that holds
 * the most urgent pending one (FLASH first) of precedence max_prec or
 * more urgent, from that channel's lowest pending seq on, in order, at
 * most max (<= NODE_BATCH_MAX).  A channel's order cannot be overtaken
 * (each envelope names the one before it), so urgency lifts the whole
 * channel.  Channels in skip (NULL: none) are left out: the peer refused
 * them for now.  b->n 0 if nothing is pending.  Free b->raw with buf_free.
 */
PL_MUST_USE enum pl_err node_next_batch(struct node *n, const char *peer, uint8_t max_prec,
                                        const struct store_skip *skip, size_t max,
                                        struct node_batch *b);

/*
 * The peer answered with receipts for the first count envelopes of b:
 * each is verified against the peer's key and that envelope's id, stored,
 * appended to the transcript, and the delivery marked done.  One bad
 * receipt refuses all (PL_E_CRYPTO naming it) and stores nothing.
 */
PL_MUST_USE enum pl_err node_receipts_in(struct node *n, const struct node_batch *b,
                                         const struct buf *receipts, size_t count);

/* The peer says it expects seq on channel: deliver again from there. */
PL_MUST_USE enum pl_err node_redeliver(struct node *n, const char *peer, const char *channel,
                                       uint64_t seq);

/* ---- Officers ------------------------------------------------------------ */

struct node_officer {
	char name[STORE_NAME_MAX + 1];
	unsigned roles; /* STORE_ROLE_* */
};

/* Parse "duty,approver" into STORE_ROLE_* bits; PL_E_ARG names an unknown role. */
PL_MUST_USE enum pl_err node_roles_parse(const char *s, unsigned *roles);

/*
 * Add an officer (password hashed with Argon2id).  PL_E_ARG for a bad name
 * (a-z 0-9 . _ -, 1..63) or password (8..1024 bytes), or a taken name.
 */
PL_MUST_USE enum pl_err node_officer_add(struct node *n, const char *name, const char *password,
                                         unsigned roles);
/* Log in: a session token.  PL_E_PERM "bad name or password" either way. */
PL_MUST_USE enum pl_err node_login(struct node *n, const char *name, const char *password,
                                   char token[NODE_TOKEN_STR_MAX + 1], uint64_t *expires_ms,
                                   struct node_officer *who);
/* A token for the CLI and scripts, for who, until revoked. */
PL_MUST_USE enum pl_err node_token_new(struct node *n, const struct node_officer *who,
                                       const char *label, char token[NODE_TOKEN_STR_MAX + 1]);
/* Who holds token; PL_E_PERM if unknown, revoked or expired. */
PL_MUST_USE enum pl_err node_auth(struct node *n, const char *token, struct node_officer *who);
PL_MUST_USE enum pl_err node_logout(struct node *n, const char *token);

/* ---- Officer actions (roles are checked here, not by the caller) --------- */

/* Pin a peer's record, or accept a rotation signed by the pinned key (admin). */
PL_MUST_USE enum pl_err node_peer_add(struct node *n, const struct node_officer *by,
                                      const uint8_t *rec, size_t len, const char *fingerprint,
                                      struct party *out);
/* [{ "id", "revision", "fingerprint", "endpoints": [], "pinned": ms, "self": bool }] */
PL_MUST_USE enum pl_err node_peer_list(struct node *n, json_t **out);

/*
 * Propose a channel: a CHARTER envelope (seq 1 from us) to members (which
 * must include us and be pinned).  charter: the charter's data object, or
 * NULL for the defaults (docs/node.md#charter).  Active once every member
 * has signed.
 */
PL_MUST_USE enum pl_err node_channel_create(struct node *n, const struct node_officer *by,
                                            const char *name, const char *const *members,
                                            size_t n_members, const json_t *charter,
                                            uint8_t id[HASH_LEN]);
/* Sign a proposed charter: a CHARTER_ACCEPT envelope referencing it. */
PL_MUST_USE enum pl_err node_channel_accept(struct node *n, const struct node_officer *by,
                                            const char *name, uint8_t id[HASH_LEN]);
/* [{ "name", "state", "creator", "members": [], "accepted": [], "charter": {} }] */
PL_MUST_USE enum pl_err node_channel_list(struct node *n, json_t **out);

struct node_send {
	const char *channel;
	uint8_t prec, tlp, flags; /* ENV_PREC_*, ENV_TLP_*, ENV_FLAG_EXERCISE */
	const char *format;       /* "rfa", "response", "ping", ... */
	uint32_t version;
	const json_t *data;  /* object; NULL: {} */
	const json_t *texts; /* object language -> text; NULL: none */
	const char *authoritative;
	size_t n_refs;
	const uint8_t (*refs)[HASH_LEN];
};

/* Seal, sign, store, append to the transcript and queue to every member. */
PL_MUST_USE enum pl_err node_send(struct node *n, const struct node_officer *by,
                                  const struct node_send *s, uint8_t id[HASH_LEN]);

/*
 * Acknowledge a received envelope: an ACK envelope on its channel
 * referencing it, its body naming the officer.  PL_E_STATE if already
 * acknowledged here.
 */
PL_MUST_USE enum pl_err node_ack(struct node *n, const struct node_officer *by,
                                 const uint8_t env_id[HASH_LEN], uint8_t ack_id[HASH_LEN]);

struct node_list_filter {
	const char *channel; /* NULL: all */
	int inbox;           /* only received MESSAGEs */
	int unacked;         /* only those not acknowledged here */
	size_t limit;        /* 0: 100 */
};
/*
 * Envelope summaries, newest first: [{ "id", "channel", "sender", "seq",
 * "kind", "precedence", "tlp", "exercise", "time", "stored", "direction",
 * "deliveries": [{ "peer", "receipt": ms|null }], "acks": [{ "party",
 * "officer", "time" }] }].  Times are RFC 3339 UTC strings.
 */
PL_MUST_USE enum pl_err node_list(struct node *n, const struct node_officer *by,
                                  const struct node_list_filter *f, json_t **out);
/* One envelope: the summary plus "refs", "prev", "body" (decrypted) and "receipts". */
PL_MUST_USE enum pl_err node_show(struct node *n, const struct node_officer *by,
                                  const uint8_t id[HASH_LEN], json_t **out);
/*
 * { "party", "fingerprint", "witness_only", "transcript": { "size", "root" },
 * "channels": n, "pending": [{ "peer", "envelopes" }], "inbox_unacked": n,
 * "alerts": the newest 20, as node_alerts }
 */
PL_MUST_USE enum pl_err node_status(struct node *n, json_t **out);

/* ---- The transcript, published and witnessed (docs/node.md#audit) -------- */

/* Our transcript's verifier key: name ENTRY_LOG_PREFIX + our id, our identity key. */
void node_log_key(const struct node *n, struct note_key *out);

/* The stored transcript against its latest checkpoint (node_open does it). */
PL_MUST_USE enum pl_err node_log_check(struct node *n);

/*
 * Sign and store a checkpoint of the transcript if it grew since the
 * latest one (*made 1 then; made may be NULL); *size: the latest
 * checkpoint's size after the call, 0 if the transcript is empty.
 */
PL_MUST_USE enum pl_err node_checkpoint(struct node *n, uint64_t *size, int *made);

/* The latest checkpoint with every cosignature gathered for it (a signed note). PL_E_NOTFOUND if none. */
PL_MUST_USE enum pl_err node_checkpoint_get(struct node *n, struct buf *out, uint64_t *size);

/*
 * C2SP tlog-tiles under the latest checkpoint: the width (1..256) hashes of
 * tile level/index, and entry bundle index (2-byte length, entry; width
 * entries).  PL_E_NOTFOUND beyond the latest checkpoint, PL_E_ARG for a tile
 * that cannot exist.
 */
PL_MUST_USE enum pl_err node_log_tile(struct node *n, unsigned level, uint64_t index,
                                      unsigned width, struct buf *out);
PL_MUST_USE enum pl_err node_log_entries(struct node *n, uint64_t index, unsigned width,
                                         struct buf *out);

/*
 * A C2SP tlog-proof@v1 that the transcript entry of envelope env_id (sent
 * or received here: "received" holds our signed receipt) is in our log,
 * under the latest checkpoint with its cosignatures; the entry is the
 * proof's extra data.  This is how a sender proves "you received it".
 * PL_E_NOTFOUND for an envelope not here, PL_E_STATE if no checkpoint
 * covers it yet.
 */
PL_MUST_USE enum pl_err node_entry_proof(struct node *n, const uint8_t env_id[HASH_LEN],
                                         struct buf *out);

struct node_export {
	const char *channel;
	uint64_t from_ms, to_ms; /* the senders' times; 0: no bound */
	size_t n_disclose;
	const uint8_t (*disclose)[HASH_LEN]; /* envelopes whose body keys go in */
};

struct node_export_stats {
	size_t envelopes, proven, disclosed;
};

/*
 * A bundle (core/bundle.h) of channel x->channel (duty or auditor): every
 * member's party record; the channel's envelopes whose sender's time is in
 * [from, to], each sender's chain filled between its first and last; every
 * receipt held for them; our transcript's latest checkpoint with its
 * cosignatures and, for each envelope it covers, the inclusion proof of
 * its entry; the body keys of the envelopes in x->disclose (each must be
 * in the export, PL_E_ARG otherwise).  out should be a secret buf when
 * disclosing.
 */
PL_MUST_USE enum pl_err node_export(struct node *n, const struct node_officer *by,
                                    const struct node_export *x, struct buf *out,
                                    struct node_export_stats *stats);

/* Every party we ask to cosign our checkpoints: every pinned party but us. */
PL_MUST_USE enum pl_err node_cosigners(struct node *n, int (*fn)(void *ctx, const char *id),
                                       void *ctx);

/* node_witness_request's *old: the largest size the witness has cosigned, as we stored it. */
#define NODE_OLD_STORED UINT64_MAX

/*
 * The C2SP add-checkpoint request for witness: "old N", the consistency
 * proof from N to the latest checkpoint, a blank line, the checkpoint.  *old
 * is N (NODE_OLD_STORED: what the witness last cosigned for us, else the
 * size it said it holds); *size the checkpoint's.  PL_E_NOTFOUND without a
 * checkpoint; PL_E_STATE if the witness holds a larger size than ours (our
 * transcript lost entries it saw).
 */
PL_MUST_USE enum pl_err node_witness_request(struct node *n, const char *witness, uint64_t *old,
                                             struct buf *out, uint64_t *size);

/*
 * witness answered 200 for our checkpoint of size: every cosignature line
 * of its key (ENTRY_WITNESS_PREFIX + id, its pinned identity key) is
 * verified over that checkpoint and stored.  PL_E_CRYPTO if none verifies.
 */
PL_MUST_USE enum pl_err node_cosigned(struct node *n, const char *witness, uint64_t size,
                                      const char *body, size_t len);

/*
 * As a witness of every pinned party's transcript: a C2SP add-checkpoint
 * request.  The reply is set and the new state stored before return; a
 * contradiction between two checkpoints signed by a log is kept as
 * evidence and raised as an alert.  PL_OK whenever reply->status is set.
 */
PL_MUST_USE enum pl_err node_add_checkpoint(struct node *n, const char *req, size_t len,
                                            struct witness_reply *reply);

/* [{ "origin", "size", "checkpoint", "fork": none|suspected|proven, "fork_checkpoint" }] */
PL_MUST_USE enum pl_err node_witnessed(struct node *n, json_t **out);

/* ---- Reading the members' transcripts (node_monitor.c) ---------------- */

/*
 * Where our reading of party's transcript stands: *from entries read, *to
 * the size of its latest checkpoint we cosigned, root that checkpoint's
 * root.  Nothing to read (*to <= *from) for ourselves, a party whose log
 * we never cosigned or saw fork, or on a witness-only node.
 */
PL_MUST_USE enum pl_err node_monitor_next(struct node *n, const char *party, uint64_t *from,
                                          uint64_t *to, uint8_t root[HASH_LEN]);
/*
 * The entries of party's transcript from index from on, as a C2SP entry
 * bundle holds them (each a 2-byte big-endian length and the entry), at
 * most up to to, with to and root from node_monitor_next.  Each entry
 * about an envelope on one of our channels, by another sender, that this
 * node does not hold with that id, is kept as a heard row.  *read entries
 * were taken.  Reaching to, the entries must give root: PL_E_CRYPTO if
 * not, and the reading starts again from 0.  PL_E_PROTO for an entry
 * that does not parse or one too many, with nothing kept.
 */
PL_MUST_USE enum pl_err node_monitor_entries(struct node *n, const char *party, uint64_t from,
                                             uint64_t to, const uint8_t root[HASH_LEN],
                                             const uint8_t *p, size_t len, uint64_t *read);
/*
 * Heard rows that contradict an envelope this node holds (same channel,
 * sender and seq, another id), at most max into out; those that agree are
 * dropped.  *waiting: rows left that name an envelope not here yet.
 */
PL_MUST_USE enum pl_err node_monitor_conflicts(struct node *n, struct store_heard *out, size_t max,
                                               size_t *count, uint64_t *waiting);
/*
 * h->party's copy of the envelope its transcript names: if it is that
 * envelope and its sender signed it, it and ours become the evidence of
 * an equivocation alert, and h is done.  PL_E_PROTO if it is not the
 * envelope named, PL_E_CRYPTO if the sender did not sign it.
 */
PL_MUST_USE enum pl_err node_monitor_evidence(struct node *n, const struct store_heard *h,
                                              const uint8_t *p, size_t len);

/* Envelopes to fetch from a member: what sender sent on channel, from seq from on. */
struct node_missing {
	char channel[CODEC_ID_MAX + 1];
	char sender[CODEC_ID_MAX + 1];
	char party[CODEC_ID_MAX + 1]; /* whose transcript named them */
	uint64_t from;                /* our next expected seq of that sender */
};
/*
 * Envelopes that a member's transcript named at least grace_ms ago and
 * that have not reached this node (their sender is down, or skipped us):
 * per channel and sender, at most max, the member to ask and the seq to
 * ask from.  What it answers goes through node_receive like any delivery.
 */
PL_MUST_USE enum pl_err node_monitor_missing(struct node *n, uint64_t grace_ms,
                                             struct node_missing *out, size_t max, size_t *count);

/* The Parley-Auth header's value for a GET of path_and_query by this node, now. */
PL_MUST_USE enum pl_err node_peer_auth(struct node *n, const char *path_and_query,
                                       char out[static PEER_AUTH_VALUE_MAX + 1]);

/* Keep and log an alert about party (kind: "fork", "rollback", "equivocation", ...). */
PL_MUST_USE enum pl_err node_alert(struct node *n, const char *kind, const char *party,
                                   const char *detail, const uint8_t *evidence,
                                   size_t evidence_len);
/* The newest alerts: [{ "id", "time", "kind", "party", "detail", "evidence_bytes" }] */
PL_MUST_USE enum pl_err node_alerts(struct node *n, size_t limit, json_t **out);

#endif
