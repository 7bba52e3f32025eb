/*
 * party.c - read and write party records.
 */
#include <ctype.h>
#include <string.h>

#include "party.h"

static const uint8_t zero_hash[HASH_LEN];

/* host: a bracketed IPv6 literal, or letters, digits, dots and dashes; then an optional :port. */
static int
authority_ok(const char *a, size_t n)
{
	size_t i = 0, port_at;
	unsigned long port = 0;

	if (n > 0 && a[0] == '[') {
		for (i = 1; i < n && a[i] != ']'; i++)
			if (!(isxdigit((unsigned char)a[i]) || a[i] == ':' || a[i] == '.'))
				return 0;
		if (i == n || i == 1)
			return 0;
		i++;
	} else {
		for (; i < n && a[i] != ':'; i++)
			if (!(isalnum((unsigned char)a[i]) || a[i] == '.' || a[i] == '-'))
				return 0;
		if (i == 0)
			return 0;
	}
	if (i == n)
		return 1;
	if (a[i] != ':')
		return 0;
	port_at = ++i;
	for (; i < n; i++) {
		if (!isdigit((unsigned char)a[i]) || i - port_at >= 5)
			return 0;
		port = port * 10 + (unsigned long)(a[i] - '0');
	}
	return i > port_at && port >= 1 && port <= 65535;
}

int
party_url_ok(const char *url)
{
	size_t n = strlen(url), i, start, end;

	if (n > PARTY_URL_MAX)
		return 0;
	if (strncmp(url, "https://", 8) == 0)
		start = 8;
	else if (strncmp(url, "http://", 7) == 0)
		start = 7;
	else
		return 0;
	for (i = 0; i < n; i++)
		if (url[i] <= 0x20 || url[i] >= 0x7f || url[i] == '#')
			return 0;
	/* No user or password in a record: the authority is host[:port] only. */
	end = start + strcspn(url + start, "/?");
	return authority_ok(url + start, end - start);
}

int
party_languages_ok(const char *s)
{
	size_t tag = 0;

	if (*s == '\0')
		return 1; /* no languages given */
	for (;; s++) {
		char c = *s;

		if (c == ',' || c == '\0') {
			if (tag < 2 || tag > 35)
				return 0;
			if (c == '\0')
				return 1;
			tag = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		           (c >= '0' && c <= '9') || c == '-') {
			tag++;
		} else {
			return 0;
		}
	}
}

static const char *
party_rule_prev(uint32_t revision, const uint8_t prev[static HASH_LEN])
{
	int zero = memcmp(prev, zero_hash, HASH_LEN) == 0;

	if (revision == 0)
		return "revision 0 (revisions start at 1)";
	if (revision == 1 && !zero)
		return "prev must be all zero in revision 1";
	if (revision > 1 && zero)
		return "prev is all zero but revision > 1";
	return NULL;
}

enum pl_err
party_read(struct party *out, const uint8_t *p, size_t n)
{
	struct rd rd;
	size_t off, i;
	uint8_t u8;
	const char *why;

	memset(out, 0, sizeof(*out));
	rd_init(&rd, "party record", p, n);
	if (n > PARTY_ENCODED_MAX)
		return rd_fail(&rd, PL_E_TOOBIG, 0, "%zu bytes > %zu", n,
		               (size_t)PARTY_ENCODED_MAX);
	PL_TRY(codec_label_read(&rd, PARTY_LABEL));
	off = rd.off;
	PL_TRY(rd_u8(&rd, "version", &out->version));
	if (out->version != PARTY_VERSION)
		return rd_fail(&rd, PL_E_PROTO, off, "unknown version %u (want %d)", out->version,
		               PARTY_VERSION);
	PL_TRY(codec_id_read(&rd, "id", out->id));
	PL_TRY(rd_u32be(&rd, "revision", &out->revision));
	PL_TRY(rd_u64be(&rd, "time_ms", &out->time_ms));
	PL_TRY(rd_bytes(&rd, "sign_pk", out->sign_pk, SIG_PK_LEN));
	PL_TRY(rd_bytes(&rd, "box_pk", out->box_pk, BOX_PK_LEN));

	off = rd.off;
	PL_TRY(rd_u8(&rd, "n_endpoints", &u8));
	if (u8 > PARTY_ENDPOINTS_MAX)
		return rd_fail(&rd, PL_E_TOOBIG, off, "n_endpoints %u > %d", u8,
		               PARTY_ENDPOINTS_MAX);
	out->n_endpoints = u8;
	for (i = 0; i < out->n_endpoints; i++) {
		off = rd.off;
		PL_TRY(codec_str16_read(&rd, "endpoint", PARTY_URL_MAX, out->endpoints[i],
		                        sizeof(out->endpoints[i])));
		if (!party_url_ok(out->endpoints[i]))
			return rd_fail(&rd, PL_E_PROTO, off, "endpoint %zu is not an http(s) URL",
			               i);
	}

	off = rd.off;
	PL_TRY(rd_u8(&rd, "n_contacts", &u8));
	if (u8 > PARTY_CONTACTS_MAX)
		return rd_fail(&rd, PL_E_TOOBIG, off, "n_contacts %u > %d", u8, PARTY_CONTACTS_MAX);
	out->n_contacts = u8;
	for (i = 0; i < out->n_contacts; i++) {
		struct party_contact *c = &out->contacts[i];

		PL_TRY(codec_id_read(&rd, "contact role", c->role));
		PL_TRY(codec_str16_read(&rd, "contact name", PARTY_NAME_MAX, c->name,
		                        sizeof(c->name)));
		off = rd.off;
		PL_TRY(codec_str8_read(&rd, "contact languages", c->languages,
		                       sizeof(c->languages)));
		if (!party_languages_ok(c->languages))
			return rd_fail(&rd, PL_E_PROTO, off,
			               "contact languages is not a list of language tags");
		PL_TRY(codec_str8_read(&rd, "contact hours", c->hours, sizeof(c->hours)));
		PL_TRY(codec_str16_read(&rd, "contact reach", PARTY_REACH_MAX, c->reach,
		                        sizeof(c->reach)));
	}
	off = rd.off;
	PL_TRY(rd_bytes(&rd, "prev", out->prev, HASH_LEN));
	if ((why = party_rule_prev(out->revision, out->prev)) != NULL)
		return rd_fail(&rd, PL_E_PROTO, off, "%s", why);
	out->signed_len = rd.off;
	PL_TRY(rd_bytes(&rd, "sig", out->sig, SIG_LEN));
	if (out->revision > 1)
		PL_TRY(rd_bytes(&rd, "prev_sig", out->prev_sig, SIG_LEN));
	return rd_end(&rd);
}

static enum pl_err
short_write(struct buf *b, const char *what, const char *s)
{
	if (strlen(s) > PARTY_SHORT_MAX)
		return pl_errf(PL_E_ARG, "party record: %s longer than %d bytes", what,
		               PARTY_SHORT_MAX);
	return codec_str8_write(b, s);
}

static enum pl_err
long_write(struct buf *b, const char *what, const char *s, size_t max)
{
	if (strlen(s) > max)
		return pl_errf(PL_E_ARG, "party record: %s longer than %zu bytes", what, max);
	return codec_str16_write(b, s);
}

enum pl_err
party_write_signed_part(struct buf *b, const struct party *r)
{
	const char *why;
	size_t i;

	if (r->version != PARTY_VERSION)
		return pl_errf(PL_E_ARG, "party record: version %u", r->version);
	PL_TRY(codec_id_check("party id", r->id));
	if ((why = party_rule_prev(r->revision, r->prev)) != NULL)
		return pl_errf(PL_E_ARG, "party record: %s", why);
	if (r->n_endpoints > PARTY_ENDPOINTS_MAX || r->n_contacts > PARTY_CONTACTS_MAX)
		return pl_errf(PL_E_ARG, "party record: more than %d endpoints or %d contacts",
		               PARTY_ENDPOINTS_MAX, PARTY_CONTACTS_MAX);
	PL_TRY(codec_label_write(b, PARTY_LABEL));
	PL_TRY(buf_add_u8(b, r->version));
	PL_TRY(codec_id_write(b, r->id));
	PL_TRY(buf_add_u32be(b, r->revision));
	PL_TRY(buf_add_u64be(b, r->time_ms));
	PL_TRY(buf_add(b, r->sign_pk, SIG_PK_LEN));
	PL_TRY(buf_add(b, r->box_pk, BOX_PK_LEN));
	PL_TRY(buf_add_u8(b, (uint8_t)r->n_endpoints));
	for (i = 0; i < r->n_endpoints; i++) {
		if (!party_url_ok(r->endpoints[i]))
			return pl_errf(PL_E_ARG,
			               "party record: endpoint '%.64s' is not an http(s) URL",
			               r->endpoints[i]);
		PL_TRY(long_write(b, "endpoint", r->endpoints[i], PARTY_URL_MAX));
	}
	PL_TRY(buf_add_u8(b, (uint8_t)r->n_contacts));
	for (i = 0; i < r->n_contacts; i++) {
		const struct party_contact *c = &r->contacts[i];

		PL_TRY(codec_id_check("contact role", c->role));
		if (!party_languages_ok(c->languages))
			return pl_errf(PL_E_ARG,
			               "party record: languages '%.64s' is not a list like 'en,ru'",
			               c->languages);
		PL_TRY(codec_id_write(b, c->role));
		PL_TRY(long_write(b, "contact name", c->name, PARTY_NAME_MAX));
		PL_TRY(short_write(b, "contact languages", c->languages));
		PL_TRY(short_write(b, "contact hours", c->hours));
		PL_TRY(long_write(b, "contact reach", c->reach, PARTY_REACH_MAX));
	}
	return buf_add(b, r->prev, HASH_LEN);
}
