/*
 * api_officer.c - the officer API (docs/node.md#officer-api,
 * docs/api.md): strict readers of each request (api_officer.h) and the
 * handlers that call node.h with what they read.
 *
 * http.c has already checked the token and the route's roles when a
 * handler runs; node.h checks the roles again for every action.  Errors
 * from node.h keep its message and map by api_reply_pl (PL_E_NOTFOUND
 * 404, PL_E_PERM 403, PL_E_ARG 400, PL_E_STATE 409), except a taken
 * officer name (PL_E_ARG from node_officer_add), which is 409.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../common/alloc.h"
#include "../common/log.h"
#include "../core/identity.h"
#include "../crypto/cr.h"
#include "../crypto/pw.h"
#include "../wire/body.h"
#include "../core/bundle.h"
#include "api_officer.h"
#include "http.h"

/* ---- Strict readers ------------------------------------------------------ */

enum m_type { M_STR, M_INT, M_OBJ, M_ARR, M_BOOL, M_STR_OR_ARR };

struct member {
	const char *key;
	enum m_type type;
	int required;
};

static const char *
m_type_name(enum m_type t)
{
	switch (t) {
	case M_STR:
		return "a string";
	case M_INT:
		return "an integer";
	case M_OBJ:
		return "an object";
	case M_ARR:
		return "an array";
	case M_BOOL:
		return "true or false";
	default:
		return "a string or an array of strings";
	}
}

static int
m_type_ok(const json_t *v, enum m_type t)
{
	switch (t) {
	case M_STR:
		return json_is_string(v);
	case M_INT:
		return json_is_integer(v);
	case M_OBJ:
		return json_is_object(v);
	case M_ARR:
		return json_is_array(v);
	case M_BOOL:
		return json_is_boolean(v);
	default:
		return json_is_string(v) || json_is_array(v);
	}
}

/* Every member known, of its type, the required ones present. */
static enum pl_err
check_members(const json_t *j, const struct member *m, size_t n, const char *what)
{
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_object(j))
		return pl_errf(PL_E_ARG, "%s: the body is not a JSON object", what);
	for (i = 0; i < n; i++) {
		v = json_object_get(j, m[i].key);
		if (v == NULL && m[i].required)
			return pl_errf(PL_E_ARG, "%s: %s: missing", what, m[i].key);
		if (v != NULL && !m_type_ok(v, m[i].type))
			return pl_errf(PL_E_ARG, "%s: %s: not %s", what, m[i].key,
			               m_type_name(m[i].type));
	}
	/* json_object_foreach wants a non-const object; it only reads it. */
	json_object_foreach((json_t *)(uintptr_t)j, key, v)
	{
		for (i = 0; i < n; i++)
			if (strcmp(key, m[i].key) == 0)
				break;
		if (i == n) {
			int printable = codec_id_check("member", key) == PL_OK;

			return pl_errf(PL_E_ARG, "%s: unknown member%s%.40s%s", what,
			               printable ? " '" : "", printable ? key : "",
			               printable ? "'" : "");
		}
	}
	return PL_OK;
}

#define CHECK(j, members, what)                                                                    \
	check_members((j), (members), sizeof(members) / sizeof((members)[0]), (what))

static const char *
str_of(const json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

/* A string of 1..max bytes of one-line text. */
static enum pl_err
text_check(const char *s, size_t max, const char *what, const char *field)
{
	size_t n = strlen(s);

	if (n == 0)
		return pl_errf(PL_E_ARG, "%s: %s: empty", what, field);
	if (n > max)
		return pl_errf(PL_E_ARG, "%s: %s: longer than %zu bytes", what, field, max);
	if (!codec_text_ok((const uint8_t *)s, n, 0))
		return pl_errf(PL_E_ARG, "%s: %s: control characters", what, field);
	return PL_OK;
}

static enum pl_err
id_check(const char *s, const char *what, const char *field)
{
	if (strlen(s) > CODEC_ID_MAX || codec_id_check(field, s) != PL_OK)
		return pl_errf(PL_E_ARG,
		               "%s: %s: not an id (1..%d of a-z 0-9 . -, starting with a letter "
		               "or digit)",
		               what, field, CODEC_ID_MAX);
	return PL_OK;
}

enum pl_err
api_parse_json(const uint8_t *p, size_t n, int empty_ok, json_t **out)
{
	json_error_t jerr;

	*out = NULL;
	if (n == 0) {
		if (empty_ok)
			return PL_OK;
		return pl_errf(PL_E_ARG, "request body: empty (a JSON object expected)");
	}
	*out = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &jerr);
	if (*out == NULL)
		return pl_errf(PL_E_ARG, "request body: JSON error at byte %d (line %d): %.80s",
		               jerr.position, jerr.line, jerr.text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return pl_errf(PL_E_ARG, "request body: not a JSON object");
	}
	return PL_OK;
}

enum pl_err
api_parse_empty(const json_t *j, const char *what)
{
	if (j == NULL)
		return PL_OK;
	if (!json_is_object(j))
		return pl_errf(PL_E_ARG, "%s: the body is not a JSON object", what);
	if (json_object_size(j) != 0)
		return pl_errf(PL_E_ARG, "%s: takes no members (send {} or nothing)", what);
	return PL_OK;
}

enum pl_err
api_parse_login(const json_t *j, struct api_login *out)
{
	static const struct member m[] = {
		{ "name", M_STR, 1 },
		{ "password", M_STR, 1 },
	};

	memset(out, 0, sizeof(*out));
	PL_TRY(CHECK(j, m, "login"));
	out->name = str_of(j, "name");
	out->password = str_of(j, "password");
	PL_TRY(text_check(out->name, STORE_NAME_MAX, "login", "name"));
	if (*out->password == '\0')
		return pl_errf(PL_E_ARG, "login: password: empty");
	if (strlen(out->password) > API_PASSWORD_MAX)
		return pl_errf(PL_E_ARG, "login: password: longer than %d bytes", API_PASSWORD_MAX);
	return PL_OK;
}

enum pl_err
api_parse_token(const json_t *j, const char **label)
{
	static const struct member m[] = {
		{ "label", M_STR, 1 },
	};

	*label = NULL;
	PL_TRY(CHECK(j, m, "token"));
	PL_TRY(text_check(str_of(j, "label"), API_LABEL_MAX, "token", "label"));
	*label = str_of(j, "label");
	return PL_OK;
}

enum pl_err
api_parse_pin(const json_t *j, struct api_pin *out)
{
	static const struct member m[] = {
		{ "record", M_STR, 1 },
		{ "fingerprint", M_STR, 1 },
	};
	const char *rec;
	size_t n;

	out->rec_len = 0;
	out->fingerprint = NULL;
	PL_TRY(CHECK(j, m, "pin"));
	rec = str_of(j, "record");
	n = json_string_length(json_object_get(j, "record"));
	if (n == 0)
		return pl_errf(PL_E_ARG, "pin: record: empty");
	if (n > CR_B64_LEN(PARTY_ENCODED_MAX) - 1)
		return pl_errf(PL_E_ARG, "pin: record: longer than a party record can be");
	if (cr_b64_decode(out->rec, sizeof(out->rec), &out->rec_len, rec, n) != PL_OK)
		return pl_errf(PL_E_ARG, "pin: record: not standard base64 (RFC 4648, padded)");
	PL_TRY(text_check(str_of(j, "fingerprint"), API_FP_MAX, "pin", "fingerprint"));
	out->fingerprint = str_of(j, "fingerprint");
	return PL_OK;
}

enum pl_err
api_parse_channel(const json_t *j, struct api_channel *out)
{
	static const struct member m[] = {
		{ "name", M_STR, 1 },
		{ "members", M_ARR, 1 },
		{ "charter", M_OBJ, 0 },
	};
	const json_t *members;
	size_t i, k;

	memset(out, 0, sizeof(*out));
	PL_TRY(CHECK(j, m, "channel"));
	out->name = str_of(j, "name");
	PL_TRY(id_check(out->name, "channel", "name"));
	members = json_object_get(j, "members");
	if (json_array_size(members) == 0)
		return pl_errf(PL_E_ARG,
		               "channel: members: empty (list every member, us included)");
	if (json_array_size(members) > ENV_RECIPIENTS_MAX)
		return pl_errf(PL_E_ARG, "channel: members: more than %d", ENV_RECIPIENTS_MAX);
	for (i = 0; i < json_array_size(members); i++) {
		const json_t *v = json_array_get(members, i);
		char field[32];

		(void)snprintf(field, sizeof(field), "members[%zu]", i);
		if (!json_is_string(v))
			return pl_errf(PL_E_ARG, "channel: %s: not a string", field);
		PL_TRY(id_check(json_string_value(v), "channel", field));
		for (k = 0; k < out->n_members; k++)
			if (strcmp(out->members[k], json_string_value(v)) == 0)
				return pl_errf(PL_E_ARG, "channel: %s: the same as members[%zu]",
				               field, k);
		out->members[out->n_members++] = json_string_value(v);
	}
	out->charter = json_object_get(j, "charter");
	return PL_OK;
}

/* A time in ms: an integer 0..2^53 (what every JSON reader holds exactly). */
static enum pl_err
time_of(const json_t *j, const char *key, uint64_t *out)
{
	const json_t *v = json_object_get(j, key);

	*out = 0;
	if (v == NULL)
		return PL_OK;
	if (json_integer_value(v) < 0 || json_integer_value(v) > (json_int_t)1 << 53)
		return pl_errf(PL_E_ARG, "export: %s: not ms since 1970 (0..2^53)", key);
	*out = (uint64_t)json_integer_value(v);
	return PL_OK;
}

enum pl_err
api_parse_export(const json_t *j, struct api_export *out)
{
	static const struct member m[] = {
		{ "channel", M_STR, 1 },
		{ "from", M_INT, 0 },
		{ "to", M_INT, 0 },
		{ "disclose", M_ARR, 0 },
	};
	const json_t *d;
	size_t i, k;

	memset(&out->x, 0, sizeof(out->x));
	PL_TRY(CHECK(j, m, "export"));
	out->x.channel = str_of(j, "channel");
	PL_TRY(id_check(out->x.channel, "export", "channel"));
	PL_TRY(time_of(j, "from", &out->x.from_ms));
	PL_TRY(time_of(j, "to", &out->x.to_ms));
	if (out->x.to_ms != 0 && out->x.to_ms < out->x.from_ms)
		return pl_errf(PL_E_ARG, "export: to: before from");
	d = json_object_get(j, "disclose");
	if (json_array_size(d) > API_DISCLOSE_MAX)
		return pl_errf(PL_E_ARG, "export: disclose: more than %d", API_DISCLOSE_MAX);
	for (i = 0; i < json_array_size(d); i++) {
		const char *s = json_string_value(json_array_get(d, i));

		if (s == NULL || api_parse_id(s, out->disclose[i]) != PL_OK)
			return pl_errf(PL_E_ARG, "export: disclose[%zu]: not an envelope id", i);
		for (k = 0; k < i; k++)
			if (memcmp(out->disclose[k], out->disclose[i], HASH_LEN) == 0)
				return pl_errf(PL_E_ARG, "export: disclose[%zu]: the same as [%zu]",
				               i, k);
	}
	out->x.n_disclose = json_array_size(d);
	out->x.disclose = (const uint8_t(*)[HASH_LEN])out->disclose;
	return PL_OK;
}

enum pl_err
api_parse_id(const char *s, uint8_t id[static HASH_LEN])
{
	size_t i;

	if (strlen(s) != 2 * HASH_LEN)
		return pl_errf(PL_E_ARG, "envelope id: not %d lowercase hex digits", 2 * HASH_LEN);
	for (i = 0; i < 2 * HASH_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return pl_errf(PL_E_ARG, "envelope id: not %d lowercase hex digits",
			               2 * HASH_LEN);
	if (cr_unhex(id, HASH_LEN, s) != PL_OK)
		return pl_errf(PL_E_ARG, "envelope id: not %d lowercase hex digits", 2 * HASH_LEN);
	return PL_OK;
}

enum pl_err
api_parse_send(const json_t *j, struct api_send *out)
{
	static const struct member m[] = {
		{ "channel", M_STR, 1 },       { "format", M_STR, 1 }, { "precedence", M_STR, 0 },
		{ "version", M_INT, 0 },       { "data", M_OBJ, 0 },   { "texts", M_OBJ, 0 },
		{ "authoritative", M_STR, 0 }, { "refs", M_ARR, 0 },   { "tlp", M_STR, 0 },
		{ "exercise", M_BOOL, 0 },
	};
	const json_t *v, *refs;
	const char *lang;
	size_t i, k;

	memset(out, 0, sizeof(*out));
	PL_TRY(CHECK(j, m, "send"));
	out->s.channel = str_of(j, "channel");
	PL_TRY(id_check(out->s.channel, "send", "channel"));
	out->s.format = str_of(j, "format");
	PL_TRY(id_check(out->s.format, "send", "format"));

	out->s.prec = ENV_PREC_ROUTINE;
	if ((v = json_object_get(j, "precedence")) != NULL &&
	    env_prec_parse(json_string_value(v), &out->s.prec) != PL_OK)
		return pl_errf(PL_E_ARG,
		               "send: precedence: not FLASH, IMMEDIATE, PRIORITY or ROUTINE");
	out->s.tlp = ENV_TLP_AMBER;
	if ((v = json_object_get(j, "tlp")) != NULL &&
	    env_tlp_parse(json_string_value(v), &out->s.tlp) != PL_OK)
		return pl_errf(PL_E_ARG, "send: tlp: not clear, green, amber, amber+strict or red");
	out->s.version = 1;
	if ((v = json_object_get(j, "version")) != NULL) {
		json_int_t ver = json_integer_value(v);

		if (ver < 1 || ver > BODY_VERSION_MAX)
			return pl_errf(PL_E_ARG, "send: version: not 1..%d", BODY_VERSION_MAX);
		out->s.version = (uint32_t)ver;
	}
	out->s.flags = json_is_true(json_object_get(j, "exercise")) ? ENV_FLAG_EXERCISE : 0;
	out->s.data = json_object_get(j, "data");
	if ((v = json_object_get(j, "texts")) != NULL) {
		json_t *t;

		/* json_object_foreach wants a non-const object; it only reads it. */
		json_object_foreach((json_t *)(uintptr_t)v, lang, t)
		{
			if (!json_is_string(t))
				return pl_errf(PL_E_ARG,
				               "send: texts: a text that is not a string");
		}
		out->s.texts = v;
	}
	out->s.authoritative = str_of(j, "authoritative");
	if (out->s.authoritative != NULL && out->s.texts == NULL)
		return pl_errf(PL_E_ARG, "send: authoritative: given without texts");
	if (out->s.texts != NULL && json_object_size(out->s.texts) > 0 &&
	    out->s.authoritative == NULL)
		return pl_errf(PL_E_ARG,
		               "send: authoritative: missing (which text is authoritative?)");
	if (out->s.authoritative != NULL &&
	    json_object_get(out->s.texts, out->s.authoritative) == NULL)
		return pl_errf(PL_E_ARG, "send: authoritative: not a language of texts");
	if ((refs = json_object_get(j, "refs")) != NULL) {
		if (json_array_size(refs) > ENV_REFS_MAX)
			return pl_errf(PL_E_ARG, "send: refs: more than %d", ENV_REFS_MAX);
		for (i = 0; i < json_array_size(refs); i++) {
			v = json_array_get(refs, i);
			if (!json_is_string(v) ||
			    api_parse_id(json_string_value(v), out->refs[i]) != PL_OK)
				return pl_errf(
				        PL_E_ARG,
				        "send: refs[%zu]: not an envelope id (64 lowercase hex "
				        "digits)",
				        i);
			for (k = 0; k < i; k++)
				if (memcmp(out->refs[k], out->refs[i], HASH_LEN) == 0)
					return pl_errf(PL_E_ARG,
					               "send: refs[%zu]: the same as refs[%zu]", i,
					               k);
		}
		out->s.n_refs = json_array_size(refs);
		out->s.refs = out->s.n_refs > 0 ? (const uint8_t(*)[HASH_LEN])out->refs : NULL;
	}
	return PL_OK;
}

static enum pl_err
role_one(const char *s, unsigned *roles, const char *field)
{
	unsigned r = 0;

	if (*s == '\0' || strchr(s, ',') != NULL || node_roles_parse(s, &r) != PL_OK || r == 0)
		return pl_errf(PL_E_ARG, "officer: %s: not duty, approver, auditor or admin",
		               field);
	*roles |= r;
	return PL_OK;
}

enum pl_err
api_parse_officer(const json_t *j, struct api_officer_new *out)
{
	static const struct member m[] = {
		{ "name", M_STR, 1 },
		{ "password", M_STR, 1 },
		{ "roles", M_STR_OR_ARR, 1 },
	};
	const json_t *roles;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	PL_TRY(CHECK(j, m, "officer"));
	out->name = str_of(j, "name");
	n = strlen(out->name);
	if (n == 0 || n > STORE_NAME_MAX)
		return pl_errf(PL_E_ARG, "officer: name: not 1..%d characters", STORE_NAME_MAX);
	for (i = 0; i < n; i++) {
		char c = out->name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return pl_errf(PL_E_ARG, "officer: name: only a-z, 0-9, '-', '_' and '.'");
	}
	out->password = str_of(j, "password");
	n = strlen(out->password);
	if (n < PW_MIN || n > PW_MAX)
		return pl_errf(PL_E_ARG, "officer: password: not %d..%d bytes", PW_MIN, PW_MAX);
	roles = json_object_get(j, "roles");
	if (json_is_string(roles)) {
		const char *s = json_string_value(roles);
		char one[16];

		if (*s == '\0')
			return pl_errf(PL_E_ARG, "officer: roles: empty (at least one role)");
		while (*s != '\0') {
			size_t k = strcspn(s, ",");

			if (k == 0 || k >= sizeof(one))
				return pl_errf(
				        PL_E_ARG,
				        "officer: roles: not duty, approver, auditor or admin");
			memcpy(one, s, k);
			one[k] = '\0';
			PL_TRY(role_one(one, &out->roles, "roles"));
			s += k;
			if (*s == ',' && *++s == '\0')
				return pl_errf(PL_E_ARG, "officer: roles: ends with ','");
		}
		return PL_OK;
	}
	if (json_array_size(roles) == 0)
		return pl_errf(PL_E_ARG, "officer: roles: empty (at least one role)");
	for (i = 0; i < json_array_size(roles); i++) {
		const json_t *v = json_array_get(roles, i);
		char field[32];

		(void)snprintf(field, sizeof(field), "roles[%zu]", i);
		if (!json_is_string(v))
			return pl_errf(PL_E_ARG, "officer: %s: not a string", field);
		PL_TRY(role_one(json_string_value(v), &out->roles, field));
	}
	return PL_OK;
}

static enum pl_err
flag01(const char *val, int *out, const char *key)
{
	if (strcmp(val, "0") == 0)
		*out = 0;
	else if (strcmp(val, "1") == 0)
		*out = 1;
	else
		return pl_errf(PL_E_ARG, "query: %s: not 0 or 1", key);
	return PL_OK;
}

enum pl_err
api_parse_list(const char *query, struct api_list *out)
{
	char key[API_QKEY_MAX + 1], val[API_QVAL_MAX + 1];
	unsigned seen = 0;
	uint64_t limit;
	int k;

	memset(out, 0, sizeof(*out));
	while ((k = api_query_next(&query, key, val)) == 1) {
		unsigned bit;

		if (strcmp(key, "channel") == 0)
			bit = 1;
		else if (strcmp(key, "inbox") == 0)
			bit = 2;
		else if (strcmp(key, "unacked") == 0)
			bit = 4;
		else if (strcmp(key, "limit") == 0)
			bit = 8;
		else
			return pl_errf(PL_E_ARG,
			               "query: unknown parameter (channel, inbox, unacked, limit)");
		if ((seen & bit) != 0)
			return pl_errf(PL_E_ARG, "query: %s given twice", key);
		seen |= bit;
		switch (bit) {
		case 1:
			if (strlen(val) > CODEC_ID_MAX || codec_id_check("channel", val) != PL_OK)
				return pl_errf(PL_E_ARG, "query: channel: not a channel id");
			memcpy(out->channel, val, strlen(val) + 1);
			out->f.channel = out->channel;
			break;
		case 2:
			PL_TRY(flag01(val, &out->f.inbox, key));
			break;
		case 4:
			PL_TRY(flag01(val, &out->f.unacked, key));
			break;
		default:
			if (!codec_dec_parse(val, strlen(val), &limit) || limit == 0 ||
			    limit > API_LIST_MAX)
				return pl_errf(PL_E_ARG, "query: limit: not 1..%d", API_LIST_MAX);
			out->f.limit = (size_t)limit;
			break;
		}
	}
	return k < 0 ? PL_E_ARG : PL_OK;
}

/* ---- Handlers -------------------------------------------------------------- */

/* Load the body as a JSON object, or answer 400 and return 0. */
static int
load_body(struct api_req *r, json_t **j, int empty_ok)
{
	if (api_parse_json(r->body.data, r->body.len, empty_ok, j) != PL_OK) {
		api_reply_error(r, 400, "bad-request", "%s", pl_err_msg());
		return 0;
	}
	return 1;
}

/* An id as lowercase hex in a JSON string. */
static json_t *
hex_id(const uint8_t id[static HASH_LEN])
{
	char hex[2 * HASH_LEN + 1];

	cr_hex(hex, id, HASH_LEN);
	return json_string(hex);
}

/* RFC 3339 UTC with milliseconds, as node.h writes its times. */
static json_t *
time_str(uint64_t ms)
{
	char s[32], out[40];
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return json_null();
	(void)snprintf(out, sizeof(out), "%s.%03uZ", s, (unsigned)(ms % 1000));
	return json_string(out);
}

static json_t *
roles_json(unsigned roles)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ STORE_ROLE_DUTY, "duty" },
		{ STORE_ROLE_APPROVER, "approver" },
		{ STORE_ROLE_AUDITOR, "auditor" },
		{ STORE_ROLE_ADMIN, "admin" },
	};
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if ((roles & names[i].bit) != 0 &&
		    json_array_append_new(a, json_string(names[i].name)) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

void
api_officer_login(struct api_req *r)
{
	char token[NODE_TOKEN_STR_MAX + 1];
	struct node_officer who;
	struct api_login in;
	uint64_t expires = 0;
	json_t *j = NULL;
	enum pl_err err;

	if (!load_body(r, &j, 0))
		return;
	if (api_parse_login(j, &in) != PL_OK) {
		api_reply_error(r, 400, "bad-request", "%s", pl_err_msg());
		goto out;
	}
	pl_err_clear();
	err = node_login(r->node, in.name, in.password, token, &expires, &who);
	if (err == PL_E_PERM || err == PL_E_ARG || err == PL_E_NOTFOUND) {
		/* One answer whether the name or the password was wrong. */
		api_reply_error(r, 401, "unauthorized", "bad name or password");
		goto out;
	}
	if (err != PL_OK) {
		api_reply_pl(r, err);
		goto out;
	}
	(void)snprintf(r->who, sizeof(r->who), "officer %s", who.name);
	api_reply_json(r, 200,
	               json_pack("{s:s,s:o,s:s,s:o}", "token", token, "expires", time_str(expires),
	                         "name", who.name, "roles", roles_json(who.roles)));
	cr_wipe(token, sizeof(token));
out:
	json_decref(j);
}

void
api_officer_logout(struct api_req *r)
{
	json_t *j = NULL;
	enum pl_err err;

	if (!load_body(r, &j, 1))
		return;
	if (api_parse_empty(j, "logout") != PL_OK) {
		api_reply_error(r, 400, "bad-request", "%s", pl_err_msg());
		goto out;
	}
	if ((err = node_logout(r->node, r->token)) != PL_OK) {
		api_reply_pl(r, err);
		goto out;
	}
	api_reply_empty(r, 204);
out:
	json_decref(j);
}

void
api_officer_tokens(struct api_req *r)
{
	char token[NODE_TOKEN_STR_MAX + 1];
	const char *label;
	json_t *j = NULL;
	enum pl_err err;

	if (!load_body(r, &j, 0))
		return;
	if (api_parse_token(j, &label) != PL_OK) {
		api_reply_error(r, 400, "bad-request", "%s", pl_err_msg());
		goto out;
	}
	if ((err = node_token_new(r->node, &r->officer, label, token)) != PL_OK) {
		api_reply_pl(r, err);
		goto out;
	}
	api_reply_json(r, 201, json_pack("{s:s,s:s}", "token", token, "label", label));
	cr_wipe(token, sizeof(token));
out:
	json_decref(j);
}

/* GET handlers whose answer is node.h's JSON as it is. */
static void
reply_node_json(struct api_req *r, enum pl_err err, json_t *j)
{
	if (err != PL_OK) {
		json_decref(j);
		api_reply_pl(r, err);
		return;
	}
	api_reply_json(r, 200, j);
}

void
api_officer_status(struct api_req *r)
{
	json_t *j = NULL;
	enum pl_err err = node_status(r->node, &j);

	reply_node_json(r, err, j);
}

void
api_officer_export(struct api_req *r)
{
	struct api_export *e = pl_calloc(1, sizeof(*e));
	struct node_export_stats stats;
	struct buf out;
	json_t *j = NULL;
	enum pl_err err;

	buf_init_secret(&out, BUNDLE_MAX);
	if (e == NULL) {
		api_reply_json(r, 500, NULL);
	} else if (!load_body(r, &j, 0)) {
		/* answered */
	} else if ((err = api_parse_export(j, e)) != PL_OK) {
		api_reply_error(r, 400, "bad-request", "%s", pl_err_msg());
	} else if ((err = node_export(r->node, &r->officer, &e->x, &out, &stats)) != PL_OK) {
		api_reply_pl(r, err);
	} else {
		api_reply_bytes(r, 200, "application/octet-stream", out.data, out.len);
	}
	json_decref(j);
	buf_reset(&out);
	pl_free(e);
}

void
api_officer_alerts(struct api_req *r)
{
	json_t *j = NULL;
	enum pl_err err = node_alerts(r->node, 100, &j);

	reply_node_json(r, err, j);
}

void
api_officer_peers_get(struct api_req *r)
{
	json_t *j = NULL;
	enum pl_err err = node_peer_list(r->node, &j);

	reply_node_json(r, err, j);
}

void
api_officer_channels_get(struct api_req *r)
{
	json_t *j = NULL;
	enum pl_err err = node_channel_list(r->node, &j);

	reply_node_json(r, err, j);
}

void
api_officer_peers_post(struct api_req *r)
{
	char fp[PARTY_FP_STR_LEN + 1];
	struct api_pin *in = NULL;
	struct party *p = NULL;
	json_t *j = NULL;
	enum pl_err err;

	if (!load_body(r, &j, 0))
		return;
	if ((in = pl_calloc(1, sizeof(*in))) == NULL || (p = pl_calloc(1, sizeof(*p))) == NULL) {
		api_reply_json(r, 500, NULL);
		goto out;
	}
	if (api_parse_pin(j, in) != PL_OK) {
		api_reply_error(r, 400, "bad-request", "%s", pl_err_msg());
		goto out;
	}
	pl_err_clear();
	err = node_peer_add(r->node, &r->officer, in->rec, in->rec_len, in->fingerprint, p);
	if (err == PL_E_CRYPTO) {
		/* A record whose signatures do not verify is the request's fault. */
		api_reply_error(r, 400, "bad-request", "%s",
		                *pl_err_msg() != '\0' ? pl_err_msg()
		                                      : "pin: record: a signature does not verify");
		goto out;
	}
	if (err != PL_OK) {
		api_reply_pl(r, err);
		goto out;
	}
	identity_fingerprint(fp, p->id, p->sign_pk);
	api_reply_json(r, 201,
	               json_pack("{s:s,s:I,s:s}", "id", p->id, "revision", (json_int_t)p->revision,
	                         "fingerprint", fp));
out:
	pl_free(in);
	pl_free(p);
	json_decref(j);
}

void
api_officer_channels_post(struct api_req *r)
{
	uint8_t id[HASH_LEN];
	struct api_channel in;
	json_t *j = NULL;
	enum pl_err err;

	if (!load_body(r, &j, 0))
		return;
	if (api_parse_channel(j, &in) != PL_OK) {
		api_reply_error(r, 400, "bad-request", "%s", pl_err_msg());
		goto out;
	}
	err = node_channel_create(r->node, &r->officer, in.name, in.members, in.n_members,
	                          in.charter, id);
	if (err != PL_OK) {
		api_reply_pl(r, err);
		goto out;
	}
	api_reply_json(r, 201, json_pack("{s:s,s:o}", "name", in.name, "id", hex_id(id)));
out:
	json_decref(j);
}

void
api_officer_channel_accept(struct api_req *r)
{
	uint8_t id[HASH_LEN];
	json_t *j = NULL;
	enum pl_err err;

	if (strlen(r->arg) > CODEC_ID_MAX || codec_id_check("channel", r->arg) != PL_OK) {
		api_reply_error(r, 404, "not-found", "no such channel (not a channel id)");
		return;
	}
	if (!load_body(r, &j, 1))
		return;
	if (api_parse_empty(j, "accept") != PL_OK) {
		api_reply_error(r, 400, "bad-request", "%s", pl_err_msg());
		goto out;
	}
	if ((err = node_channel_accept(r->node, &r->officer, r->arg, id)) != PL_OK) {
		api_reply_pl(r, err);
		goto out;
	}
	api_reply_json(r, 201, json_pack("{s:s,s:o}", "name", r->arg, "id", hex_id(id)));
out:
	json_decref(j);
}

void
api_officer_envelopes_post(struct api_req *r)
{
	uint8_t id[HASH_LEN];
	struct api_send in;
	json_t *j = NULL;
	enum pl_err err;

	if (!load_body(r, &j, 0))
		return;
	if (api_parse_send(j, &in) != PL_OK) {
		api_reply_error(r, 400, "bad-request", "%s", pl_err_msg());
		goto out;
	}
	if ((err = node_send(r->node, &r->officer, &in.s, id)) != PL_OK) {
		api_reply_pl(r, err);
		goto out;
	}
	api_reply_json(r, 201, json_pack("{s:o}", "id", hex_id(id)));
out:
	json_decref(j);
}

void
api_officer_envelopes_get(struct api_req *r)
{
	struct api_list q;
	json_t *j = NULL;
	enum pl_err err;

	if (api_parse_list(r->query, &q) != PL_OK) {
		api_reply_error(r, 400, "bad-request", "%s", pl_err_msg());
		return;
	}
	err = node_list(r->node, &r->officer, &q.f, &j);
	reply_node_json(r, err, j);
}

void
api_officer_envelope_get(struct api_req *r)
{
	uint8_t id[HASH_LEN];
	json_t *j = NULL;
	enum pl_err err;

	if (api_parse_id(r->arg, id) != PL_OK) {
		api_reply_error(r, 404, "not-found", "%s", pl_err_msg());
		return;
	}
	err = node_show(r->node, &r->officer, id, &j);
	reply_node_json(r, err, j);
}

void
api_officer_envelope_ack(struct api_req *r)
{
	uint8_t id[HASH_LEN], ack[HASH_LEN];
	json_t *j = NULL;
	enum pl_err err;

	if (api_parse_id(r->arg, id) != PL_OK) {
		api_reply_error(r, 404, "not-found", "%s", pl_err_msg());
		return;
	}
	if (!load_body(r, &j, 1))
		return;
	if (api_parse_empty(j, "ack") != PL_OK) {
		api_reply_error(r, 400, "bad-request", "%s", pl_err_msg());
		goto out;
	}
	if ((err = node_ack(r->node, &r->officer, id, ack)) != PL_OK) {
		api_reply_pl(r, err);
		goto out;
	}
	api_reply_json(r, 201,
	               json_pack("{s:o,s:o}", "id", hex_id(ack), "acknowledged", hex_id(id)));
out:
	json_decref(j);
}

void
api_officer_officers_post(struct api_req *r)
{
	struct api_officer_new in;
	json_t *j = NULL;
	enum pl_err err;

	if (!load_body(r, &j, 0))
		return;
	if (api_parse_officer(j, &in) != PL_OK) {
		api_reply_error(r, 400, "bad-request", "%s", pl_err_msg());
		goto out;
	}
	pl_err_clear();
	err = node_officer_add(r->node, in.name, in.password, in.roles);
	if (err == PL_E_ARG) {
		/*
		 * The reader checked the name, password and roles as node_officer_add
		 * does: what it can still refuse is a name that is taken.
		 */
		api_reply_error(r, 409, "conflict", "%s",
		                *pl_err_msg() != '\0' ? pl_err_msg() : "officer: name taken");
		goto out;
	}
	if (err != PL_OK) {
		api_reply_pl(r, err);
		goto out;
	}
	api_reply_json(r, 201,
	               json_pack("{s:s,s:o}", "name", in.name, "roles", roles_json(in.roles)));
out:
	json_decref(j);
}
