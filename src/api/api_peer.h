/*
 * api_peer.h - the pure parts of the peer API (docs/node.md#peer-api),
 * apart from the HTTP server so that they can be tested and fuzzed alone.
 *
 * The body of POST /peer/v1/envelopes, and the answer of GET, is a batch:
 *
 *   offset size  field
 *     0     4    len       envelope length, big-endian, 1..ENV_ENCODED_MAX
 *     4    len   envelope  docs/protocol.md#envelope
 *   ... repeated, 1..NODE_BATCH_MAX times, nothing after the last
 *
 * The query of GET /peer/v1/envelopes is "channel=C&from=N" (either order,
 * each once): C a channel id, N a decimal seq >= 1.
 */
#ifndef PL_API_PEER_H
#define PL_API_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "../core/node.h"

struct api_batch {
	size_t count;
	const uint8_t *envs[NODE_BATCH_MAX]; /* borrowed from the input */
	size_t lens[NODE_BATCH_MAX];
	size_t bad_index; /* after a failure: the envelope whose framing failed */
};

/*
 * Split [p, p+n) into envelopes; looks into none of them.  PL_E_PROTO or
 * PL_E_TRUNC for broken framing (empty, a zero length, a length past the
 * end, more than NODE_BATCH_MAX), PL_E_TOOBIG for a length over
 * ENV_ENCODED_MAX; each message says "peer batch: ... at offset N".
 */
PL_MUST_USE enum pl_err api_peer_parse_batch(const uint8_t *p, size_t n, struct api_batch *out);

struct api_fetch {
	char channel[CODEC_ID_MAX + 1];
	char sender[CODEC_ID_MAX + 1]; /* "" if not given: the node's own */
	uint64_t from;
	size_t limit; /* 1..NODE_BATCH_MAX; NODE_BATCH_MAX if not given */
};

/* Read the GET query; PL_E_ARG naming the parameter that is wrong, missing or unknown. */
PL_MUST_USE enum pl_err api_peer_parse_query(const char *query, struct api_fetch *out);

#endif
