/*
 * peer_auth.h - the Parley-Auth header of GET /peer/v1/envelopes
 * (docs/node.md#peer-api): a member proves which party asks for what.
 *
 *   Parley-Auth: <party> <time_ms> <base64 Ed25519 signature>
 *
 * The signature is the asking party's, under the key its pinned record
 * holds, over
 *
 *   "parley-peer-get\0" || path-and-query || "\0" || decimal time_ms
 *
 * where path-and-query is the request target exactly as sent on the
 * request line ("/peer/v1/envelopes?channel=cyber&from=5") and time_ms the
 * asker's clock, ms since 1970-01-01 UTC, written without leading zeros.
 * The server refuses a time more than PEER_AUTH_SKEW_MS away from its own
 * clock.  The label keeps the signature from being taken for any other
 * parley signature (every other signed structure starts with its own
 * label).
 *
 * The server (api_peer.c) and the client (sync) both build the signed
 * bytes here, so that they agree byte for byte.
 */
#ifndef PL_PEER_AUTH_H
#define PL_PEER_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../crypto/cr.h"
#include "../crypto/keys.h"
#include "../crypto/sig.h"
#include "../wire/codec.h"

#define PEER_AUTH_HEADER "Parley-Auth"
/* 16 bytes with its NUL, like every other label. */
#define PEER_AUTH_LABEL     "parley-peer-get"
#define PEER_AUTH_LABEL_LEN 16
/* Clocks of two nodes agree within minutes (NTP); a replay is only good that long. */
#define PEER_AUTH_SKEW_MS (5ull * 60 * 1000)
/* A request target of ours is under 200 bytes; anything longer is not one. */
#define PEER_AUTH_PATH_MAX 1024
/* "<party> <time_ms> <base64 signature>": 63 + 1 + 20 + 1 + 88. */
#define PEER_AUTH_VALUE_MAX (CODEC_ID_MAX + 1 + 20 + 1 + CR_B64_LEN(SIG_LEN) - 1)

/*
 * Append the signed bytes to b.  PL_E_ARG if path_and_query does not start
 * with '/', holds a byte outside printable ASCII (0x21..0x7e), or is longer
 * than PEER_AUTH_PATH_MAX.
 */
PL_MUST_USE enum pl_err peer_auth_input(struct buf *b, const char *path_and_query,
                                        uint64_t time_ms);

/* Write the header's value for a signature made over peer_auth_input's bytes. */
PL_MUST_USE enum pl_err peer_auth_fmt(char out[static PEER_AUTH_VALUE_MAX + 1], const char *party,
                                      uint64_t time_ms, const uint8_t sig[static SIG_LEN]);

/* Sign path_and_query at time_ms with k and write the header's value. */
PL_MUST_USE enum pl_err peer_auth_sign(char out[static PEER_AUTH_VALUE_MAX + 1],
                                       const struct keys *k, const char *party,
                                       const char *path_and_query, uint64_t time_ms);

/*
 * Read a header's value: exactly three fields separated by one space, a
 * party id, a decimal time without leading zeros, and a standard base64
 * signature of SIG_LEN bytes.  PL_E_PROTO naming the field otherwise.
 * Checks no signature: look up the party's key, then peer_auth_verify.
 */
PL_MUST_USE enum pl_err peer_auth_parse(const char *value, char party[static CODEC_ID_MAX + 1],
                                        uint64_t *time_ms, uint8_t sig[static SIG_LEN]);

/*
 * Check a parsed header: time_ms within PEER_AUTH_SKEW_MS of now_ms
 * (PL_E_STATE, saying by how much), then the signature under pk over
 * path_and_query (PL_E_CRYPTO).
 */
PL_MUST_USE enum pl_err peer_auth_verify(const uint8_t pk[static SIG_PK_LEN],
                                         const char *path_and_query, uint64_t time_ms,
                                         const uint8_t sig[static SIG_LEN], uint64_t now_ms);

#endif
