/*
 * peer_auth.c - build, sign, read and check the Parley-Auth header
 * (peer_auth.h, docs/node.md#peer-api).
 *
 * Reading is strict: one space between fields, no leading zeros, no
 * trailing bytes, base64 with padding and zero trailing bits, so that
 * every accepted value has exactly one spelling.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "peer_auth.h"

static enum pl_err
path_check(const char *path_and_query)
{
	size_t n = strlen(path_and_query), i;

	if (n == 0 || path_and_query[0] != '/')
		return pl_errf(PL_E_ARG, "peer auth: request target does not start with '/'");
	if (n > PEER_AUTH_PATH_MAX)
		return pl_errf(PL_E_ARG, "peer auth: request target of %zu bytes > %d", n,
		               PEER_AUTH_PATH_MAX);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)path_and_query[i];

		if (c < 0x21 || c > 0x7e)
			return pl_errf(PL_E_ARG,
			               "peer auth: request target: byte 0x%02x at offset %zu is "
			               "not printable ASCII",
			               c, i);
	}
	return PL_OK;
}

enum pl_err
peer_auth_input(struct buf *b, const char *path_and_query, uint64_t time_ms)
{
	size_t len0 = b->len;
	enum pl_err err;

	PL_TRY(path_check(path_and_query));
	if ((err = buf_add(b, PEER_AUTH_LABEL, PEER_AUTH_LABEL_LEN)) != PL_OK ||
	    (err = buf_add_str(b, path_and_query)) != PL_OK || (err = buf_add_u8(b, 0)) != PL_OK ||
	    (err = buf_addf(b, "%" PRIu64, time_ms)) != PL_OK) {
		b->len = len0;
		return err;
	}
	return PL_OK;
}

enum pl_err
peer_auth_fmt(char out[static PEER_AUTH_VALUE_MAX + 1], const char *party, uint64_t time_ms,
              const uint8_t sig[static SIG_LEN])
{
	char b64[CR_B64_LEN(SIG_LEN)];
	int n;

	PL_TRY(codec_id_check("peer auth: party", party));
	cr_b64_encode(b64, sizeof(b64), sig, SIG_LEN);
	n = snprintf(out, PEER_AUTH_VALUE_MAX + 1, "%s %" PRIu64 " %s", party, time_ms, b64);
	if (n < 0 || (size_t)n > PEER_AUTH_VALUE_MAX)
		return pl_errf(PL_E_STATE, "peer auth: header value does not fit");
	return PL_OK;
}

enum pl_err
peer_auth_sign(char out[static PEER_AUTH_VALUE_MAX + 1], const struct keys *k, const char *party,
               const char *path_and_query, uint64_t time_ms)
{
	uint8_t sig[SIG_LEN];
	struct buf in;
	enum pl_err err;

	buf_init(&in, PEER_AUTH_LABEL_LEN + PEER_AUTH_PATH_MAX + 1 + 20);
	if ((err = peer_auth_input(&in, path_and_query, time_ms)) != PL_OK)
		goto out;
	keys_sign(k, sig, in.data, in.len);
	err = peer_auth_fmt(out, party, time_ms, sig);
out:
	buf_reset(&in);
	return err;
}

enum pl_err
peer_auth_parse(const char *value, char party[static CODEC_ID_MAX + 1], uint64_t *time_ms,
                uint8_t sig[static SIG_LEN])
{
	const char *sp1, *sp2, *t, *s;
	size_t n_party, n_time, n_sig, got;

	if (strlen(value) > PEER_AUTH_VALUE_MAX)
		return pl_errf(PL_E_PROTO, "%s: longer than %d bytes", PEER_AUTH_HEADER,
		               PEER_AUTH_VALUE_MAX);
	if ((sp1 = strchr(value, ' ')) == NULL || (sp2 = strchr(sp1 + 1, ' ')) == NULL ||
	    strchr(sp2 + 1, ' ') != NULL)
		return pl_errf(PL_E_PROTO, "%s: not \"<party> <time_ms> <signature>\"",
		               PEER_AUTH_HEADER);
	n_party = (size_t)(sp1 - value);
	t = sp1 + 1;
	n_time = (size_t)(sp2 - t);
	s = sp2 + 1;
	n_sig = strlen(s);
	if (n_party == 0 || n_party > CODEC_ID_MAX)
		return pl_errf(PL_E_PROTO, "%s: party: not a party id", PEER_AUTH_HEADER);
	memcpy(party, value, n_party);
	party[n_party] = '\0';
	if (codec_id_check("party", party) != PL_OK)
		return pl_errf(PL_E_PROTO, "%s: party: not a party id", PEER_AUTH_HEADER);
	if (!codec_dec_parse(t, n_time, time_ms))
		return pl_errf(PL_E_PROTO, "%s: time_ms: not a decimal number", PEER_AUTH_HEADER);
	if (n_sig != CR_B64_LEN(SIG_LEN) - 1 ||
	    cr_b64_decode(sig, SIG_LEN, &got, s, n_sig) != PL_OK || got != SIG_LEN)
		return pl_errf(PL_E_PROTO, "%s: signature: not %d bytes of base64",
		               PEER_AUTH_HEADER, SIG_LEN);
	return PL_OK;
}

enum pl_err
peer_auth_verify(const uint8_t pk[static SIG_PK_LEN], const char *path_and_query, uint64_t time_ms,
                 const uint8_t sig[static SIG_LEN], uint64_t now_ms)
{
	uint64_t skew = time_ms > now_ms ? time_ms - now_ms : now_ms - time_ms;
	struct buf in;
	enum pl_err err;

	if (skew > PEER_AUTH_SKEW_MS)
		return pl_errf(PL_E_STATE,
		               "%s: time_ms is %" PRIu64 " s %s this node's clock (> %llu s)",
		               PEER_AUTH_HEADER, skew / 1000,
		               time_ms > now_ms ? "ahead of" : "behind", PEER_AUTH_SKEW_MS / 1000);
	buf_init(&in, PEER_AUTH_LABEL_LEN + PEER_AUTH_PATH_MAX + 1 + 20);
	if ((err = peer_auth_input(&in, path_and_query, time_ms)) != PL_OK)
		goto out;
	if (sig_verify(sig, pk, in.data, in.len) != PL_OK)
		err = pl_errf(PL_E_CRYPTO, "%s: signature does not verify", PEER_AUTH_HEADER);
out:
	buf_reset(&in);
	return err;
}
