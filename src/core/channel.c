/*
 * channel.c - charters (channel.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../wire/env.h"
#include "channel.h"

static const char *const precs[4] = { "FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE" };
static const long long def_receipt[4] = { 60, 300, 3600, 86400 };
static const long long def_ack[4] = { 600, 3600, 86400, 172800 };

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		(void)snprintf(err, errlen, __VA_ARGS__);                                          \
		goto fail;                                                                         \
	} while (0)

static int
seconds_ok(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 1 &&
	       json_integer_value(v) <= CHANNEL_DEADLINE_MAX;
}

enum pl_err
channel_charter_complete(const json_t *in, json_t **out, char *err, size_t errlen)
{
	json_t *c = NULL, *dl, *v, *formats;
	const char *key;
	size_t i, j;

	*out = NULL;
	if (in != NULL && !json_is_object(in)) {
		(void)snprintf(err, errlen, "charter: want an object");
		return PL_E_ARG;
	}
	json_object_foreach((json_t *)(uintptr_t)in, key,
	                    v) if (strcmp(key, "title") != 0 && strcmp(key, "formats") != 0 &&
	                           strcmp(key, "deadlines") != 0 && strcmp(key, "two_person") != 0)
	{
		(void)snprintf(err, errlen,
		               "%.40s: unknown key (title, formats, deadlines, "
		               "two_person)",
		               key);
		return PL_E_ARG;
	}
	c = json_object();
	/* title */
	v = in != NULL ? json_object_get(in, "title") : NULL;
	if (v != NULL &&
	    (!json_is_string(v) || json_string_length(v) > CHANNEL_TITLE_MAX ||
	     !codec_utf8_ok((const uint8_t *)json_string_value(v), json_string_length(v), 0)))
		FAIL("title: want a string of at most %d bytes, no control characters",
		     CHANNEL_TITLE_MAX);
	json_object_set_new(c, "title", json_string(v != NULL ? json_string_value(v) : ""));
	/* formats */
	v = in != NULL ? json_object_get(in, "formats") : NULL;
	if (v == NULL) {
		formats = json_pack("[ssss]", "rfa", "response", "ping", "notification");
	} else {
		if (!json_is_array(v) || json_array_size(v) == 0 ||
		    json_array_size(v) > CHANNEL_FORMATS_MAX)
			FAIL("formats: want an array of 1..%d format names", CHANNEL_FORMATS_MAX);
		for (i = 0; i < json_array_size(v); i++) {
			const char *f = json_string_value(json_array_get(v, i));

			if (f == NULL || codec_id_check("format", f) != PL_OK)
				FAIL("formats[%zu]: want a format name (a-z, 0-9, '-', '.')", i);
			for (j = 0; j < i; j++)
				if (strcmp(f, json_string_value(json_array_get(v, j))) == 0)
					FAIL("formats[%zu]: '%s' listed twice", i, f);
		}
		formats = json_deep_copy(v);
	}
	json_object_set_new(c, "formats", formats);
	/* deadlines */
	v = in != NULL ? json_object_get(in, "deadlines") : NULL;
	if (v != NULL && !json_is_object(v))
		FAIL("deadlines: want an object keyed by precedence");
	json_object_foreach((json_t *)(uintptr_t)v, key, dl)
	{
		for (i = 0; i < 4 && strcmp(key, precs[i]) != 0; i++)
			;
		if (i == 4)
			FAIL("deadlines.%.20s: unknown precedence (FLASH, IMMEDIATE, PRIORITY, "
			     "ROUTINE)",
			     key);
	}
	dl = json_object();
	json_object_set_new(c, "deadlines", dl);
	for (i = 0; i < 4; i++) {
		json_t *p = v != NULL ? json_object_get(v, precs[i]) : NULL, *r, *a;
		long long rs = def_receipt[i], as = def_ack[i];

		if (p != NULL) {
			if (!json_is_object(p))
				FAIL("deadlines.%s: want { receipt_s, ack_s }", precs[i]);
			json_object_foreach(p, key, r) if (strcmp(key, "receipt_s") != 0 &&
			                                   strcmp(key, "ack_s") != 0)
			        FAIL("deadlines.%s.%.20s: unknown key (receipt_s, ack_s)", precs[i],
			             key);
			r = json_object_get(p, "receipt_s");
			a = json_object_get(p, "ack_s");
			if (r != NULL && !seconds_ok(r))
				FAIL("deadlines.%s.receipt_s: want an integer 1..%d", precs[i],
				     CHANNEL_DEADLINE_MAX);
			if (a != NULL && !seconds_ok(a))
				FAIL("deadlines.%s.ack_s: want an integer 1..%d", precs[i],
				     CHANNEL_DEADLINE_MAX);
			if (r != NULL)
				rs = json_integer_value(r);
			if (a != NULL)
				as = json_integer_value(a);
		}
		if (rs > as)
			FAIL("deadlines.%s: receipt_s %lld is later than ack_s %lld", precs[i], rs,
			     as);
		json_object_set_new(
		        dl, precs[i],
		        json_pack("{sIsI}", "receipt_s", (json_int_t)rs, "ack_s", (json_int_t)as));
	}
	/* two_person */
	v = in != NULL ? json_object_get(in, "two_person") : NULL;
	if (v != NULL && !json_is_boolean(v))
		FAIL("two_person: want true or false");
	json_object_set_new(c, "two_person", json_boolean(v != NULL && json_is_true(v)));
	*out = c;
	return PL_OK;
fail:
	json_decref(c);
	return PL_E_ARG;
}

enum pl_err
channel_charter_dump(const json_t *charter, struct buf *out)
{
	char *s = json_dumps(charter, JSON_SORT_KEYS | JSON_COMPACT);
	enum pl_err err;

	if (s == NULL)
		return pl_errf(PL_E_NOMEM, "charter: cannot serialise");
	if (strlen(s) > out->max - out->len)
		err = pl_errf(PL_E_TOOBIG, "charter: %zu bytes > %zu", strlen(s),
		              out->max - out->len);
	else
		err = buf_add(out, s, strlen(s));
	free(s);
	return err;
}

enum pl_err
channel_members_ok(const char (*members)[CODEC_ID_MAX + 1], size_t n, const char *self)
{
	size_t i;
	int have_self = 0;

	if (n < 2 || n > ENV_RECIPIENTS_MAX)
		return pl_errf(PL_E_ARG, "members: want 2..%d parties, %zu given",
		               ENV_RECIPIENTS_MAX, n);
	for (i = 0; i < n; i++) {
		PL_TRY(codec_id_check("member", members[i]));
		if (i > 0 && strcmp(members[i - 1], members[i]) >= 0)
			return pl_errf(PL_E_ARG, "members: '%s' listed twice or out of order",
			               members[i]);
		if (strcmp(members[i], self) == 0)
			have_self = 1;
	}
	if (!have_self)
		return pl_errf(PL_E_ARG, "members: this node ('%s') must be a member", self);
	return PL_OK;
}
