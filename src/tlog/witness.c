/*
 * witness.c - tlog-witness add-checkpoint (tlog-witness.md), the checks in
 * the order the spec lists them.
 */
#include <stdio.h>
#include <string.h>

#include "../crypto/cr.h"
#include "../wire/codec.h"
#include "cosig.h"
#include "witness.h"

void
witness_reply_init(struct witness_reply *r)
{
	r->status = 0;
	r->content_type = "text/plain; charset=utf-8";
	buf_init(&r->body, WITNESS_REPLY_MAX);
}

void
witness_reply_reset(struct witness_reply *r)
{
	buf_reset(&r->body);
}

/* Set a refusal: status and a one-line reason. */
static enum pl_err
refuse(struct witness_reply *r, int status, const char *why)
{
	r->status = status;
	r->body.len = 0;
	return buf_addf(&r->body, "%s\n", why);
}

struct request {
	uint64_t old;
	size_t n_proof;
	uint8_t proof[WITNESS_PROOF_MAX][HASH_LEN];
	const char *note; /* the signed checkpoint */
	size_t note_len;
};

/* SPEC: tlog-witness request body: old size line, proof lines, empty line, checkpoint */
static int
parse_request(struct request *rq, const char *p, size_t n)
{
	const char *end = p + n, *nl;
	size_t len;

	memset(rq, 0, sizeof(*rq));
	if ((nl = memchr(p, '\n', n)) == NULL || nl - p < 5 || memcmp(p, "old ", 4) != 0 ||
	    !codec_dec_parse(p + 4, (size_t)(nl - p) - 4, &rq->old))
		return 0;
	p = nl + 1;
	for (;;) {
		if (p >= end || (nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return 0;
		len = (size_t)(nl - p);
		if (len == 0)
			break;
		if (rq->n_proof == WITNESS_PROOF_MAX ||
		    cr_b64_decode(rq->proof[rq->n_proof], HASH_LEN, &len, p, len) != PL_OK ||
		    len != HASH_LEN)
			return 0;
		rq->n_proof++;
		p = nl + 1;
	}
	rq->note = nl + 1;
	rq->note_len = (size_t)(end - rq->note);
	return rq->note_len > 0;
}

/* Keep both signed checkpoints as evidence, the first time a contradiction is seen. */
static void
keep_evidence(struct witness_log *u, const struct request *rq, enum witness_fork kind)
{
	if (u->fork != WITNESS_FORK_NONE &&
	    !(kind == WITNESS_FORK_PROVEN && u->fork == WITNESS_FORK_SUSPECTED))
		return;
	u->fork = kind;
	memcpy(u->fork_note, rq->note, rq->note_len);
	u->fork_note_len = rq->note_len;
}

enum pl_err
witness_add_checkpoint(struct witness_reply *reply, struct witness_log *updated, size_t *which,
                       const struct witness_log *logs, size_t n_logs, const char *req,
                       size_t req_len, const char *witness_name, const struct keys *witness_key,
                       uint64_t now)
{
	static _Thread_local struct request rq;
	static _Thread_local struct note note;
	struct checkpoint cp;
	size_t i;

	*which = SIZE_MAX;
	reply->content_type = "text/plain; charset=utf-8";
	if (req_len > WITNESS_REQUEST_MAX)
		return refuse(reply, 400, "request too large");
	if (!parse_request(&rq, req, req_len))
		return refuse(reply, 400,
		              "malformed request: want an old size line, proof lines, "
		              "an empty line and a checkpoint");
	if (rq.note_len > WITNESS_NOTE_MAX)
		return refuse(reply, 400, "checkpoint too large");
	if (note_read(&note, rq.note, rq.note_len) != PL_OK ||
	    checkpoint_parse(&cp, note.text, note.text_len) != PL_OK)
		return refuse(reply, 400, "malformed checkpoint");
	/* SPEC: tlog-witness "If the checkpoint origin is unknown ... 404 Not Found" */
	for (i = 0; i < n_logs; i++)
		if (strcmp(logs[i].key.name, cp.origin) == 0)
			break;
	if (i == n_logs)
		return refuse(reply, 404, "unknown log");
	/* SPEC: tlog-witness "If none of the signatures verify against a trusted public key ... 403" */
	if (note_verify(&note, &logs[i].key, 1, NULL) != PL_OK)
		return refuse(reply, 403, "checkpoint not signed by the log's key");
	/* SPEC: tlog-witness "The old size MUST be equal to or lower than the checkpoint size" */
	if (rq.old > cp.size)
		return refuse(reply, 400, "old size is larger than the checkpoint size");
	/* SPEC: tlog-witness "old size matches the size of the latest checkpoint ... 409" */
	if (rq.old != logs[i].size) {
		reply->status = 409;
		reply->content_type = "text/x.tlog.size";
		reply->body.len = 0;
		return buf_addf(&reply->body, "%llu\n", (unsigned long long)logs[i].size);
	}
	memcpy(updated, &logs[i], sizeof(*updated));
	if (rq.old == 0) {
		/* SPEC: tlog-witness "The proof MUST be empty if the old size is zero" */
		if (rq.n_proof != 0)
			return refuse(reply, 400, "a proof from size 0 must be empty");
	} else if (rq.old == cp.size) {
		/* SPEC: tlog-witness "If the old size matches the checkpoint size ... root hashes ... identical ... 409" */
		if (rq.n_proof != 0 || memcmp(cp.root, logs[i].root, HASH_LEN) != 0) {
			if (memcmp(cp.root, logs[i].root, HASH_LEN) != 0) {
				keep_evidence(updated, &rq, WITNESS_FORK_PROVEN);
				*which = i;
			}
			reply->status = 409;
			reply->body.len = 0;
			return buf_addf(&reply->body, "%s\n",
			                rq.n_proof != 0 ? "no proof for equal sizes"
			                                : "same size, different root: fork");
		}
	} else if (merkle_verify_consistency(rq.old, cp.size, (const uint8_t(*)[HASH_LEN])rq.proof,
	                                     rq.n_proof, logs[i].root, cp.root) != PL_OK) {
		/* SPEC: tlog-witness "If the Merkle Consistency Proof doesn't verify ... 422" */
		keep_evidence(updated, &rq, WITNESS_FORK_SUSPECTED);
		*which = i;
		return refuse(reply, 422, "consistency proof does not verify");
	}
	/* SPEC: tlog-witness "MUST update its record of the latest cosigned checkpoint" */
	updated->size = cp.size;
	memcpy(updated->root, cp.root, HASH_LEN);
	memcpy(updated->note, rq.note, rq.note_len);
	updated->note_len = rq.note_len;
	reply->status = 200;
	reply->body.len = 0;
	PL_TRY(cosig_sign(&reply->body, note.text, note.text_len, witness_name, witness_key, now));
	*which = i;
	return PL_OK;
}
