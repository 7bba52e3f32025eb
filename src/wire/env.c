/*
 * env.c - read and write the envelope encoding (docs/protocol.md#envelope).
 *
 * The reader and the writer apply the same rules, each through the helpers
 * below, so that nothing the writer produces is refused by a reader and
 * nothing a reader accepts could not have been written.
 */
#include <string.h>
#include <strings.h>

#include "env.h"

static const uint8_t zero_hash[HASH_LEN];

static const char *const prec_names[] = { "FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE" };
static const char *const tlp_names[] = { "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED" };
static const char *const kind_names[] = { NULL,      "message", "ack", "charter", "charter-accept",
	                                  "suspend", "resume" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *
env_prec_name(unsigned prec)
{
	return prec < NELEM(prec_names) ? prec_names[prec] : NULL;
}

const char *
env_tlp_name(unsigned tlp)
{
	return tlp < NELEM(tlp_names) ? tlp_names[tlp] : NULL;
}

const char *
env_kind_name(unsigned kind)
{
	return kind < NELEM(kind_names) ? kind_names[kind] : NULL;
}

static enum pl_err
name_parse(const char *what, const char *const *names, size_t n, const char *s, uint8_t *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (names[i] != NULL && strcasecmp(names[i], s) == 0) {
			*out = (uint8_t)i;
			return PL_OK;
		}
	}
	return pl_errf(PL_E_ARG, "unknown %s '%.32s'", what, s);
}

enum pl_err
env_prec_parse(const char *s, uint8_t *out)
{
	return name_parse("precedence", prec_names, NELEM(prec_names), s, out);
}

enum pl_err
env_tlp_parse(const char *s, uint8_t *out)
{
	/* TLP 2.0 writes "TLP:AMBER"; accept the prefix. */
	if (strncasecmp(s, "TLP:", 4) == 0)
		s += 4;
	return name_parse("TLP marking", tlp_names, NELEM(tlp_names), s, out);
}

enum pl_err
env_kind_parse(const char *s, uint8_t *out)
{
	return name_parse("kind", kind_names, NELEM(kind_names), s, out);
}

/*
 * The rules on single fields, shared by reader and writer.  Each returns a
 * short description of the breach, or NULL.
 */
static const char *
env_rule_seq_prev(uint64_t seq, const uint8_t prev[static HASH_LEN])
{
	int prev_zero = memcmp(prev, zero_hash, HASH_LEN) == 0;

	if (seq == 0)
		return "seq 0 (sequences start at 1)";
	if (seq == 1 && !prev_zero)
		return "prev must be all zero when seq is 1";
	if (seq > 1 && prev_zero)
		return "prev is all zero but seq > 1";
	return NULL;
}

static int
env_ref_dup(const uint8_t refs[][HASH_LEN], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(refs[i], refs[n], HASH_LEN) == 0)
			return 1;
	return 0;
}

enum pl_err
env_read(struct env *out, const uint8_t *p, size_t n)
{
	struct rd rd;
	size_t off, i;
	uint8_t u8;
	const char *why;

	memset(out, 0, sizeof(*out));
	rd_init(&rd, "envelope", p, n);
	if (n > ENV_ENCODED_MAX)
		return rd_fail(&rd, PL_E_TOOBIG, 0, "%zu bytes > %zu", n, (size_t)ENV_ENCODED_MAX);
	PL_TRY(codec_label_read(&rd, ENV_LABEL));
	off = rd.off;
	PL_TRY(rd_u8(&rd, "version", &out->version));
	if (out->version != ENV_VERSION)
		return rd_fail(&rd, PL_E_PROTO, off, "unknown version %u (want %d)", out->version,
		               ENV_VERSION);
	PL_TRY(codec_id_read(&rd, "channel", out->channel));
	PL_TRY(codec_id_read(&rd, "sender", out->sender));
	off = rd.off;
	PL_TRY(rd_u64be(&rd, "seq", &out->seq));
	PL_TRY(rd_bytes(&rd, "prev", out->prev, HASH_LEN));
	if ((why = env_rule_seq_prev(out->seq, out->prev)) != NULL)
		return rd_fail(&rd, PL_E_PROTO, off, "%s", why);
	off = rd.off;
	PL_TRY(rd_u8(&rd, "kind", &out->kind));
	if (env_kind_name(out->kind) == NULL)
		return rd_fail(&rd, PL_E_PROTO, off, "unknown kind %u", out->kind);
	off = rd.off;
	PL_TRY(rd_u8(&rd, "precedence", &out->prec));
	if (env_prec_name(out->prec) == NULL)
		return rd_fail(&rd, PL_E_PROTO, off, "unknown precedence %u", out->prec);
	off = rd.off;
	PL_TRY(rd_u8(&rd, "flags", &out->flags));
	if (out->flags & ~ENV_FLAGS_KNOWN)
		return rd_fail(&rd, PL_E_PROTO, off, "unknown flags 0x%02x", out->flags);
	off = rd.off;
	PL_TRY(rd_u8(&rd, "tlp", &out->tlp));
	if (env_tlp_name(out->tlp) == NULL)
		return rd_fail(&rd, PL_E_PROTO, off, "unknown tlp %u", out->tlp);
	PL_TRY(rd_u64be(&rd, "time_ms", &out->time_ms));

	off = rd.off;
	PL_TRY(rd_u8(&rd, "n_refs", &u8));
	if (u8 > ENV_REFS_MAX)
		return rd_fail(&rd, PL_E_TOOBIG, off, "n_refs %u > %d", u8, ENV_REFS_MAX);
	out->n_refs = u8;
	for (i = 0; i < out->n_refs; i++) {
		off = rd.off;
		PL_TRY(rd_bytes(&rd, "ref", out->refs[i], HASH_LEN));
		if (env_ref_dup(out->refs, i))
			return rd_fail(&rd, PL_E_PROTO, off, "ref %zu repeats an earlier ref", i);
	}

	off = rd.off;
	PL_TRY(rd_u8(&rd, "n_recipients", &u8));
	if (u8 < 1 || u8 > ENV_RECIPIENTS_MAX)
		return rd_fail(&rd, u8 ? PL_E_TOOBIG : PL_E_PROTO, off,
		               "n_recipients %u not in 1..%d", u8, ENV_RECIPIENTS_MAX);
	out->n_recipients = u8;
	for (i = 0; i < out->n_recipients; i++) {
		struct env_recipient *r = &out->recipients[i];

		off = rd.off;
		PL_TRY(codec_id_read(&rd, "recipient", r->party));
		if (i > 0 && strcmp(out->recipients[i - 1].party, r->party) >= 0)
			return rd_fail(&rd, PL_E_PROTO, off,
			               "recipient '%s' out of order or repeated (ids must ascend)",
			               r->party);
		PL_TRY(rd_bytes(&rd, "sealed_key", r->sealed_key, BOX_SEALED_KEY_LEN));
	}
	PL_TRY(rd_bytes(&rd, "nonce", out->nonce, AEAD_NONCE_LEN));
	off = rd.off;
	PL_TRY(rd_u32be(&rd, "body_len", &out->body_len));
	if (out->body_len > ENV_BODY_MAX)
		return rd_fail(&rd, PL_E_TOOBIG, off, "body_len %u > %d", out->body_len,
		               ENV_BODY_MAX);
	if (out->body_len < ENV_BODY_MIN)
		return rd_fail(&rd, PL_E_PROTO, off, "body_len %u < %d (the AEAD tag)",
		               out->body_len, ENV_BODY_MIN);
	out->ad_len = rd.off;
	PL_TRY(rd_ptr(&rd, "body", out->body_len, &out->body));
	PL_TRY(rd_bytes(&rd, "sig", out->sig, SIG_LEN));
	PL_TRY(rd_end(&rd));
	out->raw = p;
	out->raw_len = n;
	return PL_OK;
}

enum pl_err
env_write_header(struct buf *b, const struct env *e)
{
	const char *why;
	size_t i;

	if (e->version != ENV_VERSION)
		return pl_errf(PL_E_ARG, "envelope: version %u", e->version);
	if ((why = env_rule_seq_prev(e->seq, e->prev)) != NULL)
		return pl_errf(PL_E_ARG, "envelope: %s", why);
	if (env_kind_name(e->kind) == NULL || env_prec_name(e->prec) == NULL ||
	    env_tlp_name(e->tlp) == NULL || (e->flags & ~ENV_FLAGS_KNOWN))
		return pl_errf(PL_E_ARG,
		               "envelope: kind %u, precedence %u, tlp %u or flags 0x%x "
		               "out of range",
		               e->kind, e->prec, e->tlp, e->flags);
	if (e->n_refs > ENV_REFS_MAX)
		return pl_errf(PL_E_ARG, "envelope: %zu refs > %d", e->n_refs, ENV_REFS_MAX);
	for (i = 0; i < e->n_refs; i++)
		if (env_ref_dup(e->refs, i))
			return pl_errf(PL_E_ARG, "envelope: ref %zu repeats an earlier ref", i);
	if (e->n_recipients < 1 || e->n_recipients > ENV_RECIPIENTS_MAX)
		return pl_errf(PL_E_ARG, "envelope: %zu recipients not in 1..%d", e->n_recipients,
		               ENV_RECIPIENTS_MAX);
	for (i = 1; i < e->n_recipients; i++)
		if (strcmp(e->recipients[i - 1].party, e->recipients[i].party) >= 0)
			return pl_errf(PL_E_ARG, "envelope: recipients not in ascending order");
	if (e->body_len < ENV_BODY_MIN || e->body_len > ENV_BODY_MAX)
		return pl_errf(PL_E_TOOBIG, "envelope: body_len %u not in %d..%d", e->body_len,
		               ENV_BODY_MIN, ENV_BODY_MAX);

	PL_TRY(codec_label_write(b, ENV_LABEL));
	PL_TRY(buf_add_u8(b, e->version));
	PL_TRY(codec_id_write(b, e->channel));
	PL_TRY(codec_id_write(b, e->sender));
	PL_TRY(buf_add_u64be(b, e->seq));
	PL_TRY(buf_add(b, e->prev, HASH_LEN));
	PL_TRY(buf_add_u8(b, e->kind));
	PL_TRY(buf_add_u8(b, e->prec));
	PL_TRY(buf_add_u8(b, e->flags));
	PL_TRY(buf_add_u8(b, e->tlp));
	PL_TRY(buf_add_u64be(b, e->time_ms));
	PL_TRY(buf_add_u8(b, (uint8_t)e->n_refs));
	for (i = 0; i < e->n_refs; i++)
		PL_TRY(buf_add(b, e->refs[i], HASH_LEN));
	PL_TRY(buf_add_u8(b, (uint8_t)e->n_recipients));
	for (i = 0; i < e->n_recipients; i++) {
		PL_TRY(codec_id_write(b, e->recipients[i].party));
		PL_TRY(buf_add(b, e->recipients[i].sealed_key, BOX_SEALED_KEY_LEN));
	}
	PL_TRY(buf_add(b, e->nonce, AEAD_NONCE_LEN));
	return buf_add_u32be(b, e->body_len);
}
