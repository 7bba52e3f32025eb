/*
 * api_officer.h - the pure parts of the officer API (docs/api.md): each
 * request's JSON body and query read strictly into a typed struct, apart
 * from the HTTP server so that they can be tested and fuzzed alone.
 *
 * Strict means: the body is one JSON object (duplicate keys refused when
 * it is loaded); a member we do not know, a member of the wrong type, a
 * missing required member, or a value outside its rule is refused with
 * PL_E_ARG and a message naming the request and the member ("send:
 * precedence: not FLASH, IMMEDIATE, PRIORITY or ROUTINE").  Messages name
 * fields, never quote values.
 *
 * The structs borrow strings and objects from the JSON tree they were read
 * from: keep the tree until they are used.
 */
#ifndef PL_API_OFFICER_H
#define PL_API_OFFICER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../common/buf.h"
#include "../core/node.h"

/* Argon2id takes any length; 1 KiB bounds what one login makes the node hash. */
#define API_PASSWORD_MAX 1024
/* A token's label names a machine or a script ("cli on desk-2"). */
#define API_LABEL_MAX 63
/* Envelopes per list request: a console page, or a script's sweep. */
#define API_LIST_MAX 1000
/* A fingerprint as typed: 39 characters, with room for spaces or colons. */
#define API_FP_MAX 128

/* POST /api/v1/login: { "name", "password" }. */
struct api_login {
	const char *name, *password;
};
PL_MUST_USE enum pl_err api_parse_login(const json_t *j, struct api_login *out);

/* POST /api/v1/tokens: { "label" }. */
PL_MUST_USE enum pl_err api_parse_token(const json_t *j, const char **label);

/* POST /api/v1/peers: { "record": base64, "fingerprint" }. */
struct api_pin {
	uint8_t rec[PARTY_ENCODED_MAX];
	size_t rec_len;
	const char *fingerprint;
};
PL_MUST_USE enum pl_err api_parse_pin(const json_t *j, struct api_pin *out);

/* POST /api/v1/channels: { "name", "members": [ids], "charter"?: {...} }. */
struct api_channel {
	const char *name;
	size_t n_members;
	const char *members[ENV_RECIPIENTS_MAX];
	const json_t *charter; /* NULL: the defaults */
};
PL_MUST_USE enum pl_err api_parse_channel(const json_t *j, struct api_channel *out);

/*
 * POST /api/v1/envelopes: { "channel", "format", "precedence"?, "version"?,
 * "data"?, "texts"?, "authoritative"?, "refs"?, "tlp"?, "exercise"? }.
 * Defaults: precedence ROUTINE, version 1, data {}, no texts, no refs,
 * tlp amber, exercise false.
 */
struct api_send {
	struct node_send s;
	uint8_t refs[ENV_REFS_MAX][HASH_LEN];
};
PL_MUST_USE enum pl_err api_parse_send(const json_t *j, struct api_send *out);

/*
 * POST /api/v1/officers: { "name", "password", "roles": "duty,admin" or
 * ["duty", "admin"] }.  The name is 1..STORE_NAME_MAX of a-z 0-9 - _ .,
 * the password PW_MIN..PW_MAX bytes, as node_officer_add wants them.
 */
struct api_officer_new {
	const char *name, *password;
	unsigned roles; /* STORE_ROLE_*, at least one */
};
PL_MUST_USE enum pl_err api_parse_officer(const json_t *j, struct api_officer_new *out);

/* A body that must say nothing: absent (j NULL) or {}. what names the request. */
PL_MUST_USE enum pl_err api_parse_empty(const json_t *j, const char *what);

/* GET /api/v1/envelopes?channel=&inbox=0|1&unacked=0|1&limit=1..API_LIST_MAX. */
struct api_list {
	char channel[CODEC_ID_MAX + 1];
	struct node_list_filter f; /* f.channel points into channel, or NULL */
};
PL_MUST_USE enum pl_err api_parse_list(const char *query, struct api_list *out);

/*
 * POST /api/v1/export: { "channel", "from"?, "to"?: ms since 1970 (the
 * senders' clocks), "disclose"?: [envelope ids, distinct, at most
 * API_DISCLOSE_MAX] }.
 */
#define API_DISCLOSE_MAX 1024
struct api_export {
	struct node_export x;
	uint8_t disclose[API_DISCLOSE_MAX][HASH_LEN];
};
PL_MUST_USE enum pl_err api_parse_export(const json_t *j, struct api_export *out);

/* An envelope id: exactly 64 lowercase hex digits. */
PL_MUST_USE enum pl_err api_parse_id(const char *s, uint8_t id[static HASH_LEN]);

/*
 * Load a request body as one JSON object, duplicate keys refused.  An
 * empty body gives *out NULL when empty_ok, else an error.  PL_E_ARG with
 * jansson's position and reason.
 */
PL_MUST_USE enum pl_err api_parse_json(const uint8_t *p, size_t n, int empty_ok, json_t **out);

#endif
