/*
 * body.c - read and write envelope bodies with jansson.
 *
 * Reading: the input is already capped by the envelope (ENV_PLAIN_MAX);
 * jansson rejects duplicate keys (JSON_REJECT_DUPLICATES), NUL characters
 * and invalid UTF-8, and we then walk the tree ourselves so that each refusal
 * names its field.
 */
#include <string.h>

#include "body.h"
#include "../crypto/cr.h"

#define BODY_ERR(path, ...) pl_errf(PL_E_PROTO, "body: " path ": " __VA_ARGS__)

int
body_lang_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 2 || n > BODY_LANG_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return 0;
	}
	return 1;
}

/* A media type: "type/subtype", each [A-Za-z0-9!#$&^_.+-], as RFC 6838 section 4.2 allows. */
static int
media_type_ok(const char *s)
{
	size_t n = strlen(s), i, slash = 0;

	if (n < 3 || n > BODY_TYPE_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '/') {
			if (slash || i == 0 || i == n - 1)
				return 0;
			slash = 1;
		} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		             (c >= '0' && c <= '9') || strchr("!#$&^_.+-", c) != NULL)) {
			return 0;
		}
	}
	return slash;
}

/* One member of a JSON object: its name, type, and whether it must be there. */
struct member {
	const char *key;
	json_type type;
	int required;
};

static const char *
type_name(json_type t)
{
	switch (t) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	default:
		return "a JSON value";
	}
}

/*
 * Check obj's members against the table: required ones present, each of
 * its type, no others.  where prefixes messages ("body", "body:
 * attachments: [2]").
 */
static enum pl_err
check_members(json_t *obj, const struct member *m, size_t n, const char *where)
{
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_object(obj))
		return pl_errf(PL_E_PROTO, "%s: not a JSON object", where);
	for (i = 0; i < n; i++) {
		v = json_object_get(obj, m[i].key);
		if (v == NULL && m[i].required)
			return pl_errf(PL_E_PROTO, "%s: %s: missing", where, m[i].key);
		if (v != NULL && json_typeof(v) != m[i].type)
			return pl_errf(PL_E_PROTO, "%s: %s: not %s", where, m[i].key,
			               type_name(m[i].type));
	}
	json_object_foreach(obj, key, v)
	{
		for (i = 0; i < n; i++)
			if (strcmp(key, m[i].key) == 0)
				break;
		if (i == n)
			return pl_errf(PL_E_PROTO, "%s: unknown member '%.40s'", where, key);
	}
	return PL_OK;
}

static enum pl_err
body_read_texts(struct body *out, json_t *texts)
{
	const char *lang;
	json_t *v;

	if (!json_is_object(texts))
		return BODY_ERR("texts", "not an object of language: text");
	if (json_object_size(texts) > BODY_TEXTS_MAX)
		return pl_errf(PL_E_TOOBIG, "body: texts: %zu languages > %d",
		               json_object_size(texts), BODY_TEXTS_MAX);
	json_object_foreach(texts, lang, v)
	{
		struct body_text *t = &out->texts[out->n_texts];

		if (!body_lang_ok(lang))
			return BODY_ERR("texts", "'%.40s' is not a language tag", lang);
		if (!json_is_string(v))
			return BODY_ERR("texts", "%s: not a string", lang);
		if (!codec_text_ok((const uint8_t *)json_string_value(v), json_string_length(v), 1))
			return BODY_ERR("texts", "%s: control characters", lang);
		memcpy(t->lang, lang, strlen(lang) + 1);
		t->text = json_string_value(v);
		out->n_texts++;
	}
	return PL_OK;
}

static enum pl_err
body_read_attachment(struct body_attachment *a, size_t i, json_t *v)
{
	const char *hex = NULL, *type = NULL, *name = "";
	json_int_t size = -1;

	static const struct member members[] = {
		{ "sha256", JSON_STRING, 1 },
		{ "size", JSON_INTEGER, 1 },
		{ "type", JSON_STRING, 1 },
		{ "name", JSON_STRING, 0 },
	};
	char where[48];

	(void)snprintf(where, sizeof(where), "body: attachments: [%zu]", i);
	PL_TRY(check_members(v, members, sizeof(members) / sizeof(members[0]), where));
	hex = json_string_value(json_object_get(v, "sha256"));
	size = json_integer_value(json_object_get(v, "size"));
	type = json_string_value(json_object_get(v, "type"));
	if (json_object_get(v, "name") != NULL)
		name = json_string_value(json_object_get(v, "name"));
	if (strlen(hex) != 2 * HASH_LEN || cr_unhex(a->sha256, HASH_LEN, hex) != PL_OK)
		return BODY_ERR("attachments", "[%zu].sha256: not 64 hex digits", i);
	if (size < 0)
		return BODY_ERR("attachments", "[%zu].size: negative", i);
	a->size = (uint64_t)size;
	if (!media_type_ok(type))
		return BODY_ERR("attachments", "[%zu].type: not a media type like text/plain", i);
	memcpy(a->type, type, strlen(type) + 1);
	if (strlen(name) > BODY_NAME_MAX ||
	    !codec_text_ok((const uint8_t *)name, strlen(name), 0) || strchr(name, '/') != NULL)
		return BODY_ERR("attachments",
		                "[%zu].name: longer than %d, a path, or control "
		                "characters",
		                i, BODY_NAME_MAX);
	memcpy(a->name, name, strlen(name) + 1);
	return PL_OK;
}

enum pl_err
body_read(struct body *out, const uint8_t *p, size_t n)
{
	json_t *texts = NULL, *atts = NULL;
	const char *format = NULL, *auth = NULL;
	json_int_t version = 0;
	json_error_t jerr;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->root = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &jerr);
	if (out->root == NULL)
		return pl_errf(PL_E_PROTO, "body: JSON error at byte %d (line %d): %s",
		               jerr.position, jerr.line, jerr.text);
	{
		static const struct member members[] = {
			{ "format", JSON_STRING, 1 },        { "version", JSON_INTEGER, 1 },
			{ "data", JSON_OBJECT, 1 },          { "texts", JSON_OBJECT, 0 },
			{ "authoritative", JSON_STRING, 0 }, { "attachments", JSON_ARRAY, 0 },
		};

		PL_TRY(check_members(out->root, members, sizeof(members) / sizeof(members[0]),
		                     "body"));
	}
	format = json_string_value(json_object_get(out->root, "format"));
	version = json_integer_value(json_object_get(out->root, "version"));
	out->data = json_object_get(out->root, "data");
	texts = json_object_get(out->root, "texts");
	atts = json_object_get(out->root, "attachments");
	if (json_object_get(out->root, "authoritative") != NULL)
		auth = json_string_value(json_object_get(out->root, "authoritative"));
	if (codec_id_check("format", format) != PL_OK)
		return BODY_ERR("format", "'%.64s' is not a format id", format);
	memcpy(out->format, format, strlen(format) + 1);
	if (version < 1 || version > BODY_VERSION_MAX)
		return BODY_ERR("version", "%lld not in 1..%d", (long long)version,
		                BODY_VERSION_MAX);
	out->version = (uint32_t)version;
	if (!json_is_object(out->data))
		return BODY_ERR("data", "not an object");
	if (texts != NULL)
		PL_TRY(body_read_texts(out, texts));
	if (auth != NULL) {
		for (i = 0; i < out->n_texts; i++)
			if (strcmp(out->texts[i].lang, auth) == 0)
				break;
		if (i == out->n_texts)
			return BODY_ERR("authoritative", "'%.40s' is not one of the texts", auth);
		memcpy(out->authoritative, auth, strlen(auth) + 1);
	} else if (out->n_texts > 0) {
		return BODY_ERR("authoritative", "missing (required when there are texts)");
	}
	if (atts != NULL) {
		if (!json_is_array(atts))
			return BODY_ERR("attachments", "not an array");
		if (json_array_size(atts) > BODY_ATTACHMENTS_MAX)
			return pl_errf(PL_E_TOOBIG, "body: attachments: %zu > %d",
			               json_array_size(atts), BODY_ATTACHMENTS_MAX);
		for (i = 0; i < json_array_size(atts); i++)
			PL_TRY(body_read_attachment(&out->attachments[i], i,
			                            json_array_get(atts, i)));
		out->n_attachments = json_array_size(atts);
	}
	return PL_OK;
}

void
body_free(struct body *b)
{
	json_decref(b->root);
	memset(b, 0, sizeof(*b));
}

/* Build the JSON tree of b; caller decrefs.  NULL with the error set. */
static json_t *
body_tree(const struct body *b)
{
	json_t *root, *texts = NULL, *atts = NULL;
	char hex[2 * HASH_LEN + 1];
	size_t i;

	root = json_pack("{s:s, s:I, s:O}", "format", b->format, "version", (json_int_t)b->version,
	                 "data", b->data);
	if (root == NULL)
		return NULL;
	if (b->n_texts > 0) {
		if ((texts = json_object()) == NULL || json_object_set_new(root, "texts", texts))
			goto fail;
		for (i = 0; i < b->n_texts; i++)
			if (json_object_set_new(texts, b->texts[i].lang,
			                        json_string(b->texts[i].text)) != 0)
				goto fail;
		if (json_object_set_new(root, "authoritative", json_string(b->authoritative)))
			goto fail;
	}
	if (b->n_attachments > 0) {
		if ((atts = json_array()) == NULL || json_object_set_new(root, "attachments", atts))
			goto fail;
		for (i = 0; i < b->n_attachments; i++) {
			const struct body_attachment *a = &b->attachments[i];
			json_t *o;

			cr_hex(hex, a->sha256, HASH_LEN);
			o = json_pack("{s:s, s:I, s:s}", "sha256", hex, "size", (json_int_t)a->size,
			              "type", a->type);
			if (o == NULL || json_array_append_new(atts, o) != 0)
				goto fail;
			if (a->name[0] != '\0' &&
			    json_object_set_new(o, "name", json_string(a->name)) != 0)
				goto fail;
		}
	}
	return root;
fail:
	json_decref(root);
	return NULL;
}

enum pl_err
body_write(struct buf *out, const struct body *b)
{
	struct body check;
	json_t *root;
	size_t n, start = out->len;
	enum pl_err err;

	size_t i, k;

	if (b->data == NULL || b->n_texts > BODY_TEXTS_MAX ||
	    b->n_attachments > BODY_ATTACHMENTS_MAX)
		return pl_errf(PL_E_ARG, "body: missing data, or too many texts or attachments");
	/* A JSON object keeps one value per key: a repeated language would silently lose a text. */
	for (i = 0; i < b->n_texts; i++)
		for (k = 0; k < i; k++)
			if (strcmp(b->texts[i].lang, b->texts[k].lang) == 0)
				return pl_errf(PL_E_ARG, "body: texts: language '%s' given twice",
				               b->texts[i].lang);
	if (b->n_texts == 0 && b->authoritative[0] != '\0')
		return pl_errf(PL_E_ARG, "body: authoritative '%.40s' names no text",
		               b->authoritative);
	if ((root = body_tree(b)) == NULL)
		return pl_errf(PL_E_ARG, "body: cannot encode (text not UTF-8?)");
	n = json_dumpb(root, NULL, 0, JSON_COMPACT | JSON_SORT_KEYS);
	if ((err = buf_reserve(out, n)) == PL_OK) {
		out->len += json_dumpb(root, (char *)out->data + out->len, n,
		                       JSON_COMPACT | JSON_SORT_KEYS);
		/* What we write must be what a reader accepts: read it back. */
		err = body_read(&check, out->data + start, out->len - start);
		body_free(&check);
		if (err != PL_OK)
			out->len = start;
	}
	json_decref(root);
	return err;
}
