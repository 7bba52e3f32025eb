/*
 * fuzz_officer_json.c - the officer API's readers (api_officer.h).  The
 * first byte picks the reader, the rest is the request body (or, for the
 * list query and the id, the text).  What a reader accepts must keep its
 * rules: ids are ids, counts within their limits, roles known, refs
 * distinct; and every refusal carries a message.
 */
#include "api/api_officer.h"
#include "api/http.h"
#include "fuzz.h"

static void
check_send(const struct api_send *s)
{
	size_t i, k;

	if (codec_id_check("channel", s->s.channel) != PL_OK ||
	    codec_id_check("format", s->s.format) != PL_OK || s->s.prec > ENV_PREC_ROUTINE ||
	    s->s.tlp > ENV_TLP_RED || s->s.version < 1 || s->s.version > 65535 ||
	    s->s.n_refs > ENV_REFS_MAX || (s->s.flags & ~ENV_FLAGS_KNOWN) != 0)
		abort();
	if (s->s.authoritative != NULL &&
	    (s->s.texts == NULL || json_object_get(s->s.texts, s->s.authoritative) == NULL))
		abort();
	if (s->s.texts != NULL && json_object_size(s->s.texts) > 0 && s->s.authoritative == NULL)
		abort();
	for (i = 0; i < s->s.n_refs; i++)
		for (k = 0; k < i; k++)
			if (memcmp(s->s.refs[i], s->s.refs[k], HASH_LEN) == 0)
				abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct api_send send;
	static struct api_pin pin;
	static struct api_export exp;
	struct api_login login;
	struct api_channel chan;
	struct api_officer_new off;
	struct api_list list;
	const char *label;
	uint8_t id[HASH_LEN];
	char text[4096];
	json_t *j = NULL;
	enum pl_err err = PL_OK;
	size_t i, n;

	(void)fuzz_keys();
	if (size == 0 || size > 65536)
		return 0;
	pl_err_clear();
	if (data[0] >= 8) {
		n = size - 1 < sizeof(text) - 1 ? size - 1 : sizeof(text) - 1;
		memcpy(text, data + 1, n);
		text[n] = '\0';
		if ((data[0] & 1) == 0) {
			if ((err = api_parse_list(text, &list)) == PL_OK &&
			    ((list.f.channel != NULL && list.f.channel != list.channel) ||
			     list.f.limit > API_LIST_MAX))
				abort();
		} else {
			err = api_parse_id(text, id);
		}
		if (err != PL_OK && *pl_err_msg() == '\0')
			abort();
		return 0;
	}
	if (api_parse_json(data + 1, size - 1, 1, &j) != PL_OK) {
		if (j != NULL || *pl_err_msg() == '\0')
			abort();
		return 0;
	}
	switch (data[0]) {
	case 0:
		if ((err = api_parse_login(j, &login)) == PL_OK &&
		    (*login.name == '\0' || *login.password == '\0'))
			abort();
		break;
	case 1:
		if ((err = api_parse_token(j, &label)) == PL_OK && strlen(label) > API_LABEL_MAX)
			abort();
		break;
	case 2:
		if ((err = api_parse_pin(j, &pin)) == PL_OK &&
		    (pin.rec_len == 0 || pin.rec_len > PARTY_ENCODED_MAX))
			abort();
		break;
	case 3:
		if ((err = api_parse_channel(j, &chan)) == PL_OK) {
			if (chan.n_members == 0 || chan.n_members > ENV_RECIPIENTS_MAX ||
			    codec_id_check("name", chan.name) != PL_OK)
				abort();
			for (i = 0; i < chan.n_members; i++)
				if (codec_id_check("member", chan.members[i]) != PL_OK)
					abort();
		}
		break;
	case 4:
		if ((err = api_parse_send(j, &send)) == PL_OK)
			check_send(&send);
		break;
	case 5:
		if ((err = api_parse_officer(j, &off)) == PL_OK &&
		    (off.roles == 0 || (off.roles & ~0x0fu) != 0))
			abort();
		break;
	case 6:
		if ((err = api_parse_export(j, &exp)) == PL_OK) {
			if (codec_id_check("channel", exp.x.channel) != PL_OK ||
			    exp.x.n_disclose > API_DISCLOSE_MAX ||
			    (exp.x.to_ms != 0 && exp.x.to_ms < exp.x.from_ms))
				abort();
			for (i = 0; i < exp.x.n_disclose; i++)
				for (n = 0; n < i; n++)
					if (memcmp(exp.x.disclose[i], exp.x.disclose[n],
					           HASH_LEN) == 0)
						abort();
		}
		break;
	default:
		err = api_parse_empty(j, "fuzz");
		break;
	}
	if (err != PL_OK && (err != PL_E_ARG || *pl_err_msg() == '\0'))
		abort();
	json_decref(j);
	return 0;
}
