/*
 * fuzz_peer_batch.c - the peer API's untrusted text and bytes:
 * api_peer_parse_batch on the whole input, and on a NUL-terminated copy
 * the GET query (api_peer_parse_query) and the Parley-Auth header
 * (peer_auth_parse).  What is accepted must keep the rules the readers
 * promise: the envelopes tile the input exactly, 1..NODE_BATCH_MAX of them,
 * each 1..ENV_ENCODED_MAX bytes; a query's channel is an id and its seq
 * >= 1; a header's value reads back to the same text.
 */
#include "api/api_peer.h"
#include "core/peer_auth.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct api_batch b;
	char text[PEER_AUTH_VALUE_MAX + 64];
	size_t i, off = 0, n;

	(void)fuzz_keys();
	if (api_peer_parse_batch(data, size, &b) == PL_OK) {
		if (b.count == 0 || b.count > NODE_BATCH_MAX)
			abort();
		for (i = 0; i < b.count; i++) {
			if (b.lens[i] == 0 || b.lens[i] > ENV_ENCODED_MAX ||
			    b.envs[i] != data + off + 4)
				abort();
			off += 4 + b.lens[i];
		}
		if (off != size)
			abort();
	}

	n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	{
		struct api_fetch f;

		if (api_peer_parse_query(text, &f) == PL_OK &&
		    (f.from == 0 || codec_id_check("channel", f.channel) != PL_OK || f.limit == 0 ||
		     f.limit > NODE_BATCH_MAX ||
		     (f.sender[0] != '\0' && codec_id_check("sender", f.sender) != PL_OK)))
			abort();
	}
	{
		char party[CODEC_ID_MAX + 1], again[PEER_AUTH_VALUE_MAX + 1];
		uint8_t sig[SIG_LEN];
		uint64_t t;

		if (peer_auth_parse(text, party, &t, sig) == PL_OK) {
			if (peer_auth_fmt(again, party, t, sig) != PL_OK ||
			    strcmp(again, text) != 0)
				abort();
		}
	}
	return 0;
}
