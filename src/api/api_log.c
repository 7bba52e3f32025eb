/*
 * api_log.c - the transcript published (docs/node.md#audit): C2SP
 * tlog-tiles under /log/, and this node as a C2SP tlog-witness under
 * /witness/v1/.  None of it needs a login: checkpoints, hashes and entries
 * hold no body and no key, and add-checkpoint is authenticated by the
 * log's signature on the checkpoint, as the spec has it.
 */
#include <stdio.h>
#include <string.h>

#include "../common/log.h"
#include "../crypto/cr.h"
#include "../tlog/proof.h"
#include "../tlog/tile.h"
#include "http.h"

/* A full tile never changes; a partial one of a given width neither, but a newer may follow. */
#define CACHE_TILE       "public, max-age=31536000, immutable"
#define CACHE_CHECKPOINT "no-cache"

void
api_log_checkpoint(struct api_req *r)
{
	struct buf note;
	uint64_t size = 0;
	enum pl_err err;

	buf_init(&note, 1 << 16);
	if ((err = node_checkpoint_get(r->node, &note, &size)) != PL_OK)
		api_reply_pl(r, err);
	else
		api_reply_cached(r, 200, "text/plain; charset=utf-8", note.data, note.len,
		                 CACHE_CHECKPOINT);
	buf_reset(&note);
}

void
api_log_tile(struct api_req *r)
{
	struct tile_path t;
	struct buf out;
	enum pl_err err;

	if ((err = tile_path_parse(&t, r->arg, strlen(r->arg))) != PL_OK) {
		api_reply_error(r, 404, "not-found", "%s", pl_err_msg());
		return;
	}
	buf_init(&out, (size_t)TILE_WIDTH * 65536);
	err = t.entries ? node_log_entries(r->node, t.index, t.width, &out)
	                : node_log_tile(r->node, t.level, t.index, t.width, &out);
	if (err == PL_E_ARG)
		api_reply_error(r, 404, "not-found", "%s", pl_err_msg());
	else if (err != PL_OK)
		api_reply_pl(r, err);
	else
		api_reply_cached(r, 200, "application/octet-stream", out.data, out.len, CACHE_TILE);
	buf_reset(&out);
}

void
api_log_proof(struct api_req *r)
{
	uint8_t id[HASH_LEN];
	struct buf out;
	enum pl_err err;

	if (strlen(r->arg) != 2 * HASH_LEN || cr_unhex(id, HASH_LEN, r->arg) != PL_OK) {
		api_reply_error(r, 404, "not-found",
		                "want /log/proof/<envelope id, 64 hex digits>");
		return;
	}
	buf_init(&out, PROOF_MAX);
	if ((err = node_entry_proof(r->node, id, &out)) != PL_OK)
		api_reply_pl(r, err);
	else
		api_reply_cached(r, 200, "text/plain; charset=utf-8", out.data, out.len,
		                 "no-cache");
	buf_reset(&out);
}

void
api_witness_add(struct api_req *r)
{
	struct witness_reply rep;
	enum pl_err err;

	if (!api_rate_take(r)) {
		api_reply_bytes(r, 429, "text/plain; charset=utf-8", "too many requests\n", 18);
		return;
	}
	witness_reply_init(&rep);
	if ((err = node_add_checkpoint(r->node, (const char *)r->body.data, r->body.len, &rep)) !=
	    PL_OK) {
		log_warnx("witness: add-checkpoint: %s", pl_err_msg());
		api_reply_bytes(r, 500, "text/plain; charset=utf-8", "internal error\n", 15);
	} else {
		if (rep.status != 200)
			log_info("witness: add-checkpoint answered %d: %.*s", rep.status,
			         (int)(rep.body.len > 0 ? rep.body.len - 1 : 0),
			         (const char *)rep.body.data);
		api_reply_bytes(r, (unsigned)rep.status, rep.content_type, rep.body.data,
		                rep.body.len);
	}
	witness_reply_reset(&rep);
}

void
api_witness_logs(struct api_req *r)
{
	json_t *j = NULL;
	enum pl_err err = node_witnessed(r->node, &j);

	if (err != PL_OK)
		api_reply_pl(r, err);
	else
		api_reply_json(r, 200, j);
}
