/*
 * bundle.c - write, read and verify bundles (bundle.h,
 * docs/protocol.md#bundle).
 *
 * Reading is one pass over the bytes: each record is framed (type, length
 * within the type's limit and within what is left), checked to come after
 * the one before it, and parsed into its table at once, so that a wrong
 * length is blamed on the record that carries it.  Tables grow as records
 * come; no count in the input is used to size anything (END's count is
 * only compared).  The first fault ends the read, naming the record, its
 * type and its offset.
 *
 * Verification never stops early: every failure is recorded with the
 * record it concerns, and the report says what each record proved.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../crypto/cr.h"
#include "bundle.h"
#include "envelope.h"
#include "identity.h"
#include "receipt.h"

#define LOG_PREFIX_LEN     (sizeof(ENTRY_LOG_PREFIX) - 1)
#define WITNESS_PREFIX_LEN (sizeof(ENTRY_WITNESS_PREFIX) - 1)
#define END_LEN            4

const char *
bundle_type_name(unsigned type)
{
	switch (type) {
	case BUNDLE_PARTY:
		return "party";
	case BUNDLE_ENVELOPE:
		return "envelope";
	case BUNDLE_RECEIPT:
		return "receipt";
	case BUNDLE_DISCLOSURE:
		return "disclosure";
	case BUNDLE_CHECKPOINT:
		return "checkpoint";
	case BUNDLE_INCLUSION:
		return "inclusion";
	case BUNDLE_CONSISTENCY:
		return "consistency";
	case BUNDLE_END:
		return "end";
	}
	return "unknown";
}

/* Largest length of a record of this type; 0 for an unknown type. */
static size_t
type_max(unsigned type)
{
	switch (type) {
	case BUNDLE_PARTY:
		return PARTY_ENCODED_MAX;
	case BUNDLE_ENVELOPE:
		return ENV_ENCODED_MAX;
	case BUNDLE_RECEIPT:
		return RCPT_ENCODED_MAX;
	case BUNDLE_DISCLOSURE:
		return BUNDLE_DISCLOSURE_LEN;
	case BUNDLE_CHECKPOINT:
		return BUNDLE_RECORD_MAX;
	case BUNDLE_INCLUSION:
		return BUNDLE_INCL_MAX;
	case BUNDLE_CONSISTENCY:
		return BUNDLE_CONS_MAX;
	case BUNDLE_END:
		return END_LEN;
	}
	return 0;
}

/* The canonical order of records: by type, then bytes, a prefix first. */
static int
rec_cmp(unsigned ta, const uint8_t *a, size_t na, unsigned tb, const uint8_t *b, size_t nb)
{
	int c;

	if (ta != tb)
		return ta < tb ? -1 : 1;
	c = memcmp(a, b, na < nb ? na : nb);
	if (c != 0)
		return c;
	return na < nb ? -1 : na > nb;
}

/*
 * p grown (doubling) to hold need elements of elsize bytes; NULL on failure,
 * when p is unchanged.  need is bounded by the bundle's limits.
 */
static void *
grow(void *p, size_t *cap, size_t need, size_t elsize)
{
	size_t ncap = *cap == 0 ? 64 : *cap;
	void *np;

	if (need == 0)
		need = 1; /* so that NULL always means failure */
	if (need <= *cap)
		return p;
	while (ncap < need)
		ncap *= 2;
	if ((np = pl_realloc(p, ncap * elsize)) == NULL)
		return NULL;
	*cap = ncap;
	return np;
}

/* ------------------------------------------------------------------ */
/* Record parsers, shared by the reader and the writer. */

/*
 * Proof hashes borrowed from the input as the array type the merkle module
 * takes.  C11 has no cast from const uint8_t * to a pointer to an array of
 * const uint8_t that -Wcast-qual accepts, so go through a union.
 */
static const uint8_t (*hashes_view(const uint8_t *p))[HASH_LEN]
{
	union {
		const uint8_t *p;
		const uint8_t (*a)[HASH_LEN];
	} u;

	u.p = p;
	return u.a;
}

static enum pl_err
cp_parse(struct bundle_checkpoint *out, struct note *nt, const uint8_t *p, size_t n)
{
	struct checkpoint c;

	PL_TRY(note_read(nt, (const char *)p, n));
	PL_TRY(checkpoint_parse(&c, nt->text, nt->text_len));
	if (strncmp(c.origin, ENTRY_LOG_PREFIX, LOG_PREFIX_LEN) != 0)
		return pl_errf(PL_E_PROTO,
		               "checkpoint: origin '%.64s' is not a parley transcript "
		               "(" ENTRY_LOG_PREFIX "<party>)",
		               c.origin);
	if (codec_id_check("party", c.origin + LOG_PREFIX_LEN) != PL_OK)
		return pl_errf(PL_E_PROTO, "checkpoint: origin '%.64s' does not end in a party id",
		               c.origin);
	memcpy(out->party, c.origin + LOG_PREFIX_LEN, strlen(c.origin + LOG_PREFIX_LEN) + 1);
	out->note = (const char *)p;
	out->note_len = n;
	out->size = c.size;
	memcpy(out->root, c.root, HASH_LEN);
	return PL_OK;
}

static enum pl_err
incl_parse(struct bundle_inclusion *out, const uint8_t *p, size_t n)
{
	const uint8_t *h;
	struct rd rd;
	uint16_t elen;
	uint8_t nh;
	size_t off;

	rd_init(&rd, "inclusion", p, n);
	PL_TRY(codec_id_read(&rd, "party", out->party));
	PL_TRY(rd_u64be(&rd, "size", &out->size));
	off = rd.off;
	PL_TRY(rd_u64be(&rd, "index", &out->index));
	if (out->index >= out->size)
		return rd_fail(&rd, PL_E_PROTO, off, "index %llu is not below size %llu",
		               (unsigned long long)out->index, (unsigned long long)out->size);
	off = rd.off;
	PL_TRY(rd_u16be(&rd, "entry_len", &elen));
	if (elen < 1 || elen > ENTRY_ENCODED_MAX)
		return rd_fail(&rd, PL_E_PROTO, off, "entry_len %u not in 1..%d", elen,
		               (int)ENTRY_ENCODED_MAX);
	PL_TRY(rd_ptr(&rd, "entry", elen, &out->entry));
	out->entry_len = elen;
	if (entry_read(&out->e, out->entry, elen) != PL_OK)
		return rd_fail(&rd, PL_E_PROTO, off + 2, "the entry does not read (%s)",
		               pl_err_msg());
	off = rd.off;
	PL_TRY(rd_u8(&rd, "n_hashes", &nh));
	if (nh > BUNDLE_INCL_HASHES_MAX)
		return rd_fail(&rd, PL_E_TOOBIG, off, "n_hashes %u > %d", nh,
		               BUNDLE_INCL_HASHES_MAX);
	PL_TRY(rd_ptr(&rd, "hashes", (size_t)nh * HASH_LEN, &h));
	out->hashes = hashes_view(h);
	out->n_hashes = nh;
	return rd_end(&rd);
}

static enum pl_err
cons_parse(struct bundle_consistency *out, const uint8_t *p, size_t n)
{
	const uint8_t *h;
	struct rd rd;
	uint8_t nh;
	size_t off;

	rd_init(&rd, "consistency", p, n);
	PL_TRY(codec_id_read(&rd, "party", out->party));
	off = rd.off;
	PL_TRY(rd_u64be(&rd, "old_size", &out->old_size));
	PL_TRY(rd_u64be(&rd, "new_size", &out->new_size));
	/* SPEC: RFC9162 2.1.4.2 a proof from the empty tree or between equal sizes proves nothing */
	if (out->old_size == 0 || out->old_size >= out->new_size)
		return rd_fail(&rd, PL_E_PROTO, off, "sizes %llu -> %llu: want 0 < old < new",
		               (unsigned long long)out->old_size,
		               (unsigned long long)out->new_size);
	off = rd.off;
	PL_TRY(rd_u8(&rd, "n_hashes", &nh));
	if (nh < 1 || nh > BUNDLE_CONS_HASHES_MAX)
		return rd_fail(&rd, PL_E_PROTO, off, "n_hashes %u not in 1..%d", nh,
		               BUNDLE_CONS_HASHES_MAX);
	PL_TRY(rd_ptr(&rd, "hashes", (size_t)nh * HASH_LEN, &h));
	out->hashes = hashes_view(h);
	out->n_hashes = nh;
	return rd_end(&rd);
}

/* ------------------------------------------------------------------ */
/* Reading. */

/* The reader's state: tables being filled, their capacities, scratch structures. */
struct rdctx {
	struct bundle *b;
	struct env *env;
	struct note *note;
	size_t cap[256]; /* per record type */
	size_t cap_refs, cap_to;
};

static enum pl_err
read_env(struct rdctx *c, struct bundle_env *be, const uint8_t *p, size_t n)
{
	struct bundle *b = c->b;
	struct env *e = c->env;
	void *np;
	size_t i;

	PL_TRY(env_read(e, p, n));
	be->raw = p;
	be->raw_len = n;
	envelope_id(be->id, p, n);
	memcpy(be->channel, e->channel, sizeof(be->channel));
	memcpy(be->sender, e->sender, sizeof(be->sender));
	be->seq = e->seq;
	memcpy(be->prev, e->prev, HASH_LEN);
	be->kind = e->kind;
	be->prec = e->prec;
	be->flags = e->flags;
	be->tlp = e->tlp;
	be->time_ms = e->time_ms;
	if ((np = grow(b->refs, &c->cap_refs, b->n_refs + e->n_refs, HASH_LEN)) == NULL)
		return pl_errf(PL_E_NOMEM, "bundle: out of memory");
	b->refs = np;
	be->first_ref = b->n_refs;
	be->n_refs = e->n_refs;
	for (i = 0; i < e->n_refs; i++)
		memcpy(b->refs[b->n_refs++], e->refs[i], HASH_LEN);
	if ((np = grow(b->to, &c->cap_to, b->n_to + e->n_recipients, CODEC_ID_MAX + 1)) == NULL)
		return pl_errf(PL_E_NOMEM, "bundle: out of memory");
	b->to = np;
	be->first_to = b->n_to;
	be->n_recipients = e->n_recipients;
	for (i = 0; i < e->n_recipients; i++)
		memcpy(b->to[b->n_to++], e->recipients[i].party, CODEC_ID_MAX + 1);
	return PL_OK;
}

/* Room for one more entry in a table; *tab may move. */
#define ROOM(c, tab, n, t)                                                                         \
	do {                                                                                       \
		void *np_ = grow((tab), &(c)->cap[t], (n) + 1, sizeof(*(tab)));                    \
		if (np_ == NULL)                                                                   \
			return pl_errf(PL_E_NOMEM, "bundle: out of memory");                       \
		(tab) = np_;                                                                       \
	} while (0)

/* Parse a record (type t, bytes [p, p+n)) into its table. */
static enum pl_err
read_rec(struct rdctx *c, struct bundle_where at, unsigned t, const uint8_t *p, size_t n)
{
	struct bundle *b = c->b;

	switch (t) {
	case BUNDLE_PARTY: {
		struct bundle_party *bp;

		if (b->n_parties == BUNDLE_PARTIES_MAX)
			return pl_errf(PL_E_TOOBIG, "more than %d parties", BUNDLE_PARTIES_MAX);
		ROOM(c, b->parties, b->n_parties, t);
		bp = &b->parties[b->n_parties];
		bp->at = at;
		bp->raw = p;
		bp->raw_len = n;
		PL_TRY(party_read(&bp->p, p, n));
		/* Records sort by bytes, so two records of one party are neighbours. */
		if (b->n_parties > 0 && strcmp(bp[-1].p.id, bp->p.id) == 0)
			return pl_errf(PL_E_PROTO,
			               "a second record of party '%s' (record %zu is the first; "
			               "a bundle holds one record per party)",
			               bp->p.id, bp[-1].at.rec);
		b->n_parties++;
		return PL_OK;
	}
	case BUNDLE_ENVELOPE:
		ROOM(c, b->envs, b->n_envs, t);
		b->envs[b->n_envs].at = at;
		PL_TRY(read_env(c, &b->envs[b->n_envs], p, n));
		b->n_envs++;
		return PL_OK;
	case BUNDLE_RECEIPT: {
		struct bundle_rcpt *br;

		ROOM(c, b->rcpts, b->n_rcpts, t);
		br = &b->rcpts[b->n_rcpts];
		br->at = at;
		br->raw = p;
		br->raw_len = n;
		PL_TRY(rcpt_read(&br->r, p, n));
		b->n_rcpts++;
		return PL_OK;
	}
	case BUNDLE_DISCLOSURE: {
		struct bundle_disclosure *d;

		ROOM(c, b->discs, b->n_discs, t);
		d = &b->discs[b->n_discs++];
		d->at = at;
		memcpy(d->env_id, p, HASH_LEN);
		d->key = p + HASH_LEN;
		return PL_OK;
	}
	case BUNDLE_CHECKPOINT:
		if (b->n_cps == BUNDLE_CHECKPOINTS_MAX)
			return pl_errf(PL_E_TOOBIG, "more than %d checkpoints",
			               BUNDLE_CHECKPOINTS_MAX);
		ROOM(c, b->cps, b->n_cps, t);
		b->cps[b->n_cps].at = at;
		PL_TRY(cp_parse(&b->cps[b->n_cps], c->note, p, n));
		b->n_cps++;
		return PL_OK;
	case BUNDLE_INCLUSION:
		ROOM(c, b->incls, b->n_incls, t);
		b->incls[b->n_incls].at = at;
		PL_TRY(incl_parse(&b->incls[b->n_incls], p, n));
		b->n_incls++;
		return PL_OK;
	case BUNDLE_CONSISTENCY:
		ROOM(c, b->cons, b->n_cons, t);
		b->cons[b->n_cons].at = at;
		PL_TRY(cons_parse(&b->cons[b->n_cons], p, n));
		b->n_cons++;
		return PL_OK;
	}
	return pl_errf(PL_E_STATE, "unknown type %u", t);
}
#undef ROOM

/*
 * Frame the record at rd (number i): its type and length within the type's
 * limit and within what is left.  Messages name the record.
 */
static enum pl_err
frame(struct rd *rd, size_t i, uint8_t *type, uint32_t *len, const uint8_t **body)
{
	size_t off = rd->off, max, min;

	if (rd->left < BUNDLE_REC_HDR)
		return pl_errf(PL_E_TRUNC,
		               "bundle: record %zu at offset %zu: truncated header (need %d bytes, "
		               "%zu left)",
		               i, off, BUNDLE_REC_HDR, rd->left);
	PL_TRY(rd_u8(rd, "type", type));
	PL_TRY(rd_u32be(rd, "length", len));
	if ((max = type_max(*type)) == 0)
		return pl_errf(PL_E_PROTO, "bundle: record %zu at offset %zu: unknown type %u", i,
		               off, *type);
	/* Disclosures and END have a fixed length. */
	min = *type == BUNDLE_DISCLOSURE || *type == BUNDLE_END ? max : 1;
	if (*len < min || *len > max)
		return pl_errf(*len > max ? PL_E_TOOBIG : PL_E_PROTO,
		               "bundle: record %zu (%s) at offset %zu: length %lu not in %zu..%zu",
		               i, bundle_type_name(*type), off, (unsigned long)*len, min, max);
	if (*len > rd->left)
		return pl_errf(PL_E_TRUNC,
		               "bundle: record %zu (%s) at offset %zu: length %lu but %zu bytes "
		               "left (truncated?)",
		               i, bundle_type_name(*type), off, (unsigned long)*len, rd->left);
	return rd_ptr(rd, "record", *len, body);
}

static int
idx_cmp(const void *a, const void *b)
{
	return memcmp(a, b, HASH_LEN);
}

/* The index of envelopes by id. */
struct bundle_idx {
	uint8_t id[HASH_LEN];
	size_t i;
};

/* Frame, order and parse every record up to and including END. */
static enum pl_err
read_records(struct rdctx *c, struct rd *rd)
{
	const uint8_t *body, *pbody = NULL;
	uint8_t type, ptype = 0;
	uint32_t len, end_n;
	size_t i, plen = 0;
	enum pl_err err;
	int cmp;

	for (i = 0;; i++) {
		struct bundle_where at = { i, rd->off };

		if (rd->left == 0)
			return pl_errf(
			        PL_E_TRUNC,
			        "bundle: ends at offset %zu after %zu records without an END "
			        "record (truncated?)",
			        at.off, i);
		if (i >= BUNDLE_RECORDS_MAX)
			return pl_errf(PL_E_TOOBIG,
			               "bundle: record %zu at offset %zu: more than %lu records", i,
			               at.off, (unsigned long)BUNDLE_RECORDS_MAX);
		PL_TRY(frame(rd, i, &type, &len, &body));
		if (i > 0 && (cmp = rec_cmp(ptype, pbody, plen, type, body, len)) >= 0)
			return pl_errf(
			        PL_E_PROTO,
			        "bundle: record %zu (%s) at offset %zu: %s record %zu (%s); "
			        "records are in ascending order of type and bytes, each once",
			        i, bundle_type_name(type), at.off,
			        cmp == 0 ? "the same bytes as" : "not after", i - 1,
			        bundle_type_name(ptype));
		if (type == BUNDLE_END) {
			end_n = (uint32_t)body[0] << 24 | (uint32_t)body[1] << 16 |
			        (uint32_t)body[2] << 8 | body[3];
			if (end_n != i)
				return pl_errf(
				        PL_E_PROTO,
				        "bundle: record %zu (end) at offset %zu: says %lu records "
				        "but %zu came before it",
				        i, at.off, (unsigned long)end_n, i);
			if (rd->left != 0)
				return pl_errf(PL_E_PROTO,
				               "bundle: %zu trailing bytes after the END record at "
				               "offset %zu",
				               rd->left, rd->off);
			c->b->n_records = i + 1;
			return PL_OK;
		}
		if ((err = read_rec(c, at, type, body, len)) != PL_OK)
			return pl_errf(err, "bundle: record %zu (%s) at offset %zu: %s", i,
			               bundle_type_name(type), at.off, pl_err_msg());
		ptype = type;
		pbody = body;
		plen = len;
	}
}

enum pl_err
bundle_read(struct bundle *out, const uint8_t *p, size_t n)
{
	struct rdctx c;
	struct rd rd;
	uint8_t version;
	size_t i, off;
	enum pl_err err;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.b = out;
	if (n > BUNDLE_MAX)
		return pl_errf(PL_E_TOOBIG, "bundle: %zu bytes > %lu", n,
		               (unsigned long)BUNDLE_MAX);
	rd_init(&rd, "bundle", p, n);
	PL_TRY(codec_label_read(&rd, BUNDLE_LABEL));
	off = rd.off;
	PL_TRY(rd_u8(&rd, "version", &version));
	if (version != BUNDLE_VERSION)
		return rd_fail(&rd, PL_E_PROTO, off, "unknown version %u (want %d)", version,
		               BUNDLE_VERSION);
	if ((c.env = pl_malloc(sizeof(*c.env))) == NULL ||
	    (c.note = pl_malloc(sizeof(*c.note))) == NULL) {
		err = pl_errf(PL_E_NOMEM, "bundle: out of memory");
		goto out;
	}
	if ((err = read_records(&c, &rd)) != PL_OK)
		goto out;
	out->len = n;
	if (out->n_envs > 0) {
		struct bundle_idx *ix = pl_calloc(out->n_envs, sizeof(*ix));

		if (ix == NULL) {
			err = pl_errf(PL_E_NOMEM, "bundle: out of memory");
			goto out;
		}
		for (i = 0; i < out->n_envs; i++) {
			memcpy(ix[i].id, out->envs[i].id, HASH_LEN);
			ix[i].i = i;
		}
		qsort(ix, out->n_envs, sizeof(*ix), idx_cmp);
		out->env_idx = ix;
	}
out:
	pl_free(c.env);
	pl_free(c.note);
	return err;
}

void
bundle_reset(struct bundle *b)
{
	pl_free(b->parties);
	pl_free(b->envs);
	pl_free(b->rcpts);
	pl_free(b->discs);
	pl_free(b->cps);
	pl_free(b->incls);
	pl_free(b->cons);
	pl_free(b->refs);
	pl_free(b->to);
	pl_free(b->env_idx);
	memset(b, 0, sizeof(*b));
}

size_t
bundle_env_find(const struct bundle *b, const uint8_t id[static HASH_LEN])
{
	const struct bundle_idx *ix = b->env_idx;
	size_t lo = 0, hi = b->n_envs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(id, ix[mid].id, HASH_LEN);

		if (c == 0)
			return ix[mid].i;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return BUNDLE_NONE;
}

size_t
bundle_party_find(const struct bundle *b, const char *id)
{
	size_t lo = 0, hi = b->n_parties, n = strlen(id);

	/* Party records sort by their id's length byte, then its bytes. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, m = strlen(b->parties[mid].p.id);
		int c = n != m ? (n < m ? -1 : 1) : memcmp(id, b->parties[mid].p.id, n);

		if (c == 0)
			return mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return BUNDLE_NONE;
}

/* ------------------------------------------------------------------ */
/* Writing. */

void
bundle_writer_init(struct bundle_writer *w)
{
	memset(w, 0, sizeof(*w));
	buf_init_secret(&w->data, BUNDLE_MAX);
}

void
bundle_writer_reset(struct bundle_writer *w)
{
	buf_reset(&w->data);
	pl_free(w->recs);
	memset(w, 0, sizeof(*w));
}

/* Take the record of type t whose bytes are data[start..] (already appended). */
static enum pl_err
wtake(struct bundle_writer *w, unsigned t, size_t start)
{
	size_t n = w->data.len - start, total;
	enum pl_err err = PL_OK;
	void *np;

	total = BUNDLE_HDR_LEN + w->data.len + BUNDLE_REC_HDR * (w->n_recs + 2) + END_LEN;
	if (n > type_max(t))
		err = pl_errf(PL_E_TOOBIG, "bundle: a %s record of %zu bytes > %zu",
		              bundle_type_name(t), n, type_max(t));
	else if (w->n_recs + 2 > BUNDLE_RECORDS_MAX)
		err = pl_errf(PL_E_TOOBIG, "bundle: more than %lu records",
		              (unsigned long)BUNDLE_RECORDS_MAX);
	else if (total > BUNDLE_MAX)
		err = pl_errf(PL_E_TOOBIG, "bundle: more than %lu bytes",
		              (unsigned long)BUNDLE_MAX);
	else if ((np = grow(w->recs, &w->cap_recs, w->n_recs + 1, sizeof(*w->recs))) == NULL)
		err = pl_errf(PL_E_NOMEM, "bundle: out of memory");
	else
		w->recs = np;
	if (err != PL_OK) {
		cr_wipe(w->data.data + start, n);
		w->data.len = start;
		return err;
	}
	w->recs[w->n_recs].type = (uint8_t)t;
	w->recs[w->n_recs].off = start;
	w->recs[w->n_recs].len = n;
	w->n_recs++;
	return PL_OK;
}

/* Copy n bytes as a record of type t, if check (the reader's test) passes. */
static enum pl_err
wadd(struct bundle_writer *w, unsigned t, const uint8_t *p, size_t n, enum pl_err check)
{
	size_t start = w->data.len;

	if (check != PL_OK)
		return pl_errf(check == PL_E_NOMEM || check == PL_E_TOOBIG ? check : PL_E_ARG,
		               "bundle: the %s would not read back: %s", bundle_type_name(t),
		               pl_err_msg());
	if (n > type_max(t))
		return pl_errf(PL_E_TOOBIG, "bundle: a %s record of %zu bytes > %zu",
		               bundle_type_name(t), n, type_max(t));
	PL_TRY(buf_add(&w->data, p, n));
	return wtake(w, t, start);
}

enum pl_err
bundle_writer_add_party(struct bundle_writer *w, const uint8_t *p, size_t n)
{
	struct party *r = pl_malloc(sizeof(*r));
	enum pl_err err;

	if (r == NULL)
		return pl_errf(PL_E_NOMEM, "bundle: out of memory");
	err = n > PARTY_ENCODED_MAX ? pl_errf(PL_E_TOOBIG, "party record: %zu bytes", n)
	                            : party_read(r, p, n);
	err = wadd(w, BUNDLE_PARTY, p, n, err);
	pl_free(r);
	return err;
}

enum pl_err
bundle_writer_add_envelope(struct bundle_writer *w, const uint8_t *p, size_t n)
{
	struct env *e = pl_malloc(sizeof(*e));
	enum pl_err err;

	if (e == NULL)
		return pl_errf(PL_E_NOMEM, "bundle: out of memory");
	err = n > ENV_ENCODED_MAX ? pl_errf(PL_E_TOOBIG, "envelope: %zu bytes", n)
	                          : env_read(e, p, n);
	err = wadd(w, BUNDLE_ENVELOPE, p, n, err);
	pl_free(e);
	return err;
}

enum pl_err
bundle_writer_add_receipt(struct bundle_writer *w, const uint8_t *p, size_t n)
{
	struct rcpt r;

	return wadd(w, BUNDLE_RECEIPT, p, n, rcpt_read(&r, p, n));
}

enum pl_err
bundle_writer_add_disclosure(struct bundle_writer *w, const uint8_t env_id[static HASH_LEN],
                             const uint8_t key[static AEAD_KEY_LEN])
{
	size_t start = w->data.len;
	enum pl_err err;

	if ((err = buf_add(&w->data, env_id, HASH_LEN)) != PL_OK ||
	    (err = buf_add(&w->data, key, AEAD_KEY_LEN)) != PL_OK) {
		cr_wipe(w->data.data + start, w->data.len - start);
		w->data.len = start;
		return err;
	}
	return wtake(w, BUNDLE_DISCLOSURE, start);
}

enum pl_err
bundle_writer_add_checkpoint(struct bundle_writer *w, const char *note, size_t n)
{
	struct bundle_checkpoint c;
	struct note *nt = pl_malloc(sizeof(*nt));
	enum pl_err err;

	if (nt == NULL)
		return pl_errf(PL_E_NOMEM, "bundle: out of memory");
	err = n > BUNDLE_RECORD_MAX ? pl_errf(PL_E_TOOBIG, "checkpoint: %zu bytes", n)
	                            : cp_parse(&c, nt, (const uint8_t *)note, n);
	err = wadd(w, BUNDLE_CHECKPOINT, (const uint8_t *)note, n, err);
	pl_free(nt);
	return err;
}

/* Undo a record appended at start that the reader would refuse. */
static enum pl_err
wrefuse(struct bundle_writer *w, unsigned t, size_t start, enum pl_err err)
{
	w->data.len = start;
	return pl_errf(err == PL_E_TOOBIG || err == PL_E_NOMEM ? err : PL_E_ARG,
	               "bundle: the %s would not read back: %s", bundle_type_name(t), pl_err_msg());
}

enum pl_err
bundle_writer_add_inclusion(struct bundle_writer *w, const char *party, uint64_t size,
                            uint64_t index, const uint8_t *entry, size_t entry_len,
                            const uint8_t (*hashes)[HASH_LEN], size_t n_hashes)
{
	struct bundle_inclusion in;
	size_t start = w->data.len;
	enum pl_err err;

	if (entry_len > ENTRY_ENCODED_MAX || n_hashes > BUNDLE_INCL_HASHES_MAX)
		return pl_errf(PL_E_TOOBIG,
		               "bundle: inclusion with an entry of %zu bytes (max %d) or %zu "
		               "hashes (max %d)",
		               entry_len, (int)ENTRY_ENCODED_MAX, n_hashes, BUNDLE_INCL_HASHES_MAX);
	if ((err = codec_id_write(&w->data, party)) != PL_OK ||
	    (err = buf_add_u64be(&w->data, size)) != PL_OK ||
	    (err = buf_add_u64be(&w->data, index)) != PL_OK ||
	    (err = buf_add_u16be(&w->data, (uint16_t)entry_len)) != PL_OK ||
	    (err = buf_add(&w->data, entry, entry_len)) != PL_OK ||
	    (err = buf_add_u8(&w->data, (uint8_t)n_hashes)) != PL_OK ||
	    (err = buf_add(&w->data, hashes, n_hashes * HASH_LEN)) != PL_OK ||
	    (err = incl_parse(&in, w->data.data + start, w->data.len - start)) != PL_OK)
		return wrefuse(w, BUNDLE_INCLUSION, start, err);
	return wtake(w, BUNDLE_INCLUSION, start);
}

enum pl_err
bundle_writer_add_consistency(struct bundle_writer *w, const char *party, uint64_t old_size,
                              uint64_t new_size, const uint8_t (*hashes)[HASH_LEN], size_t n_hashes)
{
	struct bundle_consistency co;
	size_t start = w->data.len;
	enum pl_err err;

	if (n_hashes > BUNDLE_CONS_HASHES_MAX)
		return pl_errf(PL_E_TOOBIG, "bundle: consistency proof of %zu hashes > %d",
		               n_hashes, BUNDLE_CONS_HASHES_MAX);
	if ((err = codec_id_write(&w->data, party)) != PL_OK ||
	    (err = buf_add_u64be(&w->data, old_size)) != PL_OK ||
	    (err = buf_add_u64be(&w->data, new_size)) != PL_OK ||
	    (err = buf_add_u8(&w->data, (uint8_t)n_hashes)) != PL_OK ||
	    (err = buf_add(&w->data, hashes, n_hashes * HASH_LEN)) != PL_OK ||
	    (err = cons_parse(&co, w->data.data + start, w->data.len - start)) != PL_OK)
		return wrefuse(w, BUNDLE_CONSISTENCY, start, err);
	return wtake(w, BUNDLE_CONSISTENCY, start);
}

struct wsorted {
	unsigned type;
	const uint8_t *p;
	size_t len;
};

static int
wsorted_cmp(const void *a, const void *b)
{
	const struct wsorted *x = a, *y = b;

	return rec_cmp(x->type, x->p, x->len, y->type, y->p, y->len);
}

enum pl_err
bundle_writer_finish(struct bundle_writer *w, struct buf *out)
{
	struct wsorted *s = NULL;
	struct bundle check;
	size_t start = out->len, total, i;
	enum pl_err err = PL_OK;

	memset(&check, 0, sizeof(check));
	total = BUNDLE_HDR_LEN + w->data.len + BUNDLE_REC_HDR * (w->n_recs + 1) + END_LEN;
	if (total > BUNDLE_MAX)
		return pl_errf(PL_E_TOOBIG, "bundle: %zu bytes > %lu", total,
		               (unsigned long)BUNDLE_MAX);
	if (w->n_recs > 0 && (s = pl_calloc(w->n_recs, sizeof(*s))) == NULL)
		return pl_errf(PL_E_NOMEM, "bundle: out of memory");
	for (i = 0; i < w->n_recs; i++) {
		s[i].type = w->recs[i].type;
		s[i].p = w->data.data + w->recs[i].off;
		s[i].len = w->recs[i].len;
	}
	if (w->n_recs > 1)
		qsort(s, w->n_recs, sizeof(*s), wsorted_cmp);
	for (i = 1; i < w->n_recs; i++)
		if (wsorted_cmp(&s[i - 1], &s[i]) == 0) {
			err = pl_errf(PL_E_ARG, "bundle: a %s record was added twice",
			              bundle_type_name(s[i].type));
			goto out;
		}
	if ((err = buf_reserve(out, total)) != PL_OK ||
	    (err = buf_add(out, BUNDLE_LABEL, CODEC_LABEL_LEN)) != PL_OK ||
	    (err = buf_add_u8(out, BUNDLE_VERSION)) != PL_OK)
		goto out;
	for (i = 0; i < w->n_recs && err == PL_OK; i++)
		if ((err = buf_add_u8(out, (uint8_t)s[i].type)) == PL_OK &&
		    (err = buf_add_u32be(out, (uint32_t)s[i].len)) == PL_OK)
			err = buf_add(out, s[i].p, s[i].len);
	if (err != PL_OK || (err = buf_add_u8(out, BUNDLE_END)) != PL_OK ||
	    (err = buf_add_u32be(out, END_LEN)) != PL_OK ||
	    (err = buf_add_u32be(out, (uint32_t)w->n_recs)) != PL_OK)
		goto out;
	/* Emit nothing a reader would refuse (two records of one party, say). */
	if ((err = bundle_read(&check, out->data + start, out->len - start)) != PL_OK)
		err = pl_errf(err == PL_E_NOMEM ? err : PL_E_ARG, "%s", pl_err_msg());
out:
	bundle_reset(&check);
	if (err != PL_OK && out->len > start) {
		cr_wipe(out->data + start, out->len - start);
		out->len = start;
	}
	pl_free(s);
	return err;
}

/* ------------------------------------------------------------------ */
/* Policy. */

void
bundle_policy_init(struct bundle_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	policy_init(&pol->tlog);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* A typed fingerprint: 32 hex digits, with spaces, dashes and colons anywhere. */
static int
fp_typed_ok(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (strchr(" -:", *s) != NULL)
			continue;
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		      (*s >= 'A' && *s <= 'F')))
			return 0;
		n++;
	}
	return n == 2 * PARTY_FP_LEN;
}

enum pl_err
bundle_policy_line(struct bundle_policy *pol, const char *l, size_t lineno)
{
	struct bundle_pin *pin;
	const char *id, *fp;
	size_t id_len, fp_len, i;

	while (is_space(*l))
		l++;
	if (strncmp(l, "party", 5) != 0 || !is_space(l[5]))
		return policy_line(&pol->tlog, l, lineno);
	for (id = l + 5; is_space(*id); id++)
		;
	for (id_len = 0; id[id_len] != '\0' && !is_space(id[id_len]); id_len++)
		;
	for (fp = id + id_len; is_space(*fp); fp++)
		;
	for (fp_len = strlen(fp); fp_len > 0 && is_space(fp[fp_len - 1]); fp_len--)
		;
	if (pol->n_pins == BUNDLE_PARTIES_MAX)
		return pl_errf(PL_E_PROTO, "policy line %zu: more than %d parties", lineno,
		               BUNDLE_PARTIES_MAX);
	pin = &pol->pins[pol->n_pins];
	if (id_len == 0 || id_len > CODEC_ID_MAX || fp_len == 0 || fp_len > BUNDLE_FP_TYPED_MAX)
		return pl_errf(PL_E_PROTO, "policy line %zu: want 'party ID FINGERPRINT'", lineno);
	memcpy(pin->id, id, id_len);
	pin->id[id_len] = '\0';
	memcpy(pin->fp, fp, fp_len);
	pin->fp[fp_len] = '\0';
	if (codec_id_check("party", pin->id) != PL_OK)
		return pl_errf(PL_E_PROTO, "policy line %zu: %s", lineno, pl_err_msg());
	if (!fp_typed_ok(pin->fp))
		return pl_errf(PL_E_PROTO,
		               "policy line %zu: the fingerprint of '%s' is not 32 hex digits",
		               lineno, pin->id);
	for (i = 0; i < pol->n_pins; i++)
		if (strcmp(pol->pins[i].id, pin->id) == 0)
			return pl_errf(PL_E_PROTO, "policy line %zu: party '%s' pinned twice",
			               lineno, pin->id);
	pol->n_pins++;
	return PL_OK;
}

enum pl_err
bundle_policy_finish(struct bundle_policy *pol)
{
	if (!pol->tlog.quorum_set)
		pol->tlog.quorum = pol->tlog.n_witnesses;
	if (pol->tlog.quorum > pol->tlog.n_witnesses)
		return pl_errf(PL_E_PROTO, "policy: quorum %zu but only %zu witnesses",
		               pol->tlog.quorum, pol->tlog.n_witnesses);
	return PL_OK;
}

/* ------------------------------------------------------------------ */
/* Verification. */

struct cp_idx {
	const struct bundle_checkpoint *c;
	size_t i;
};

struct vctx {
	const struct bundle *b;
	const struct bundle_policy *pol;
	struct bundle_report *rep;
	struct cp_idx *cpi; /* checkpoints by (party, size) */
	struct env *env;
	struct party *party;
	struct note *note;
	struct policy *tpol;
	struct proof_result *res;
	size_t cap_failures, cap_acks, cap_cosigners;
	enum pl_err nomem;
};

static void vfail(struct vctx *v, const struct bundle_where *at, unsigned type, const char *fmt,
                  ...) PL_PRINTF(4, 5);

/* Record a failure of record at (of type) or, with at NULL, of the whole bundle. */
static void
vfail(struct vctx *v, const struct bundle_where *at, unsigned type, const char *fmt, ...)
{
	struct bundle_report *rep = v->rep;
	struct bundle_failure *f;
	char msg[BUNDLE_MSG_MAX - 96]; /* room for the prefix */
	va_list ap;
	void *np;

	rep->n_failures++;
	if (rep->n_kept == BUNDLE_FAILURES_MAX ||
	    (np = grow(rep->failures, &v->cap_failures, rep->n_kept + 1, sizeof(*rep->failures))) ==
	            NULL)
		return; /* counted; its text is lost */
	rep->failures = np;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f = &rep->failures[rep->n_kept++];
	f->rec = at != NULL ? at->rec : BUNDLE_NONE;
	if (at != NULL)
		(void)snprintf(f->msg, sizeof(f->msg), "record %zu (%s) at offset %zu: %s", at->rec,
		               bundle_type_name(type), at->off, msg);
	else
		(void)snprintf(f->msg, sizeof(f->msg), "%s", msg);
}

/* "envelope 3f2a9c1b (cyber, us-nrrc seq 4)" */
static const char *
env_name(char out[static 160], const struct bundle_env *e)
{
	char hex[9];

	cr_hex(hex, e->id, 4);
	(void)snprintf(out, 160, "envelope %s (%s, %s seq %llu)", hex, e->channel, e->sender,
	               (unsigned long long)e->seq);
	return out;
}

static const char *
id8(char out[static 9], const uint8_t *id)
{
	cr_hex(out, id, 4);
	return out;
}

static int
env_has_to(const struct bundle *b, const struct bundle_env *e, const char *party)
{
	size_t i;

	for (i = 0; i < e->n_recipients; i++)
		if (strcmp(b->to[e->first_to + i], party) == 0)
			return 1;
	return 0;
}

/* The party's record if it is in the bundle and verified; else NULL. */
static const struct party *
vparty(const struct vctx *v, const char *id)
{
	size_t i = bundle_party_find(v->b, id);

	if (i == BUNDLE_NONE || !v->rep->parties[i].ok)
		return NULL;
	return &v->b->parties[i].p;
}

/* Why a party's key cannot be used (vparty gave NULL). */
static const char *
vparty_why(const struct vctx *v, const char *id)
{
	size_t i = bundle_party_find(v->b, id);

	if (i == BUNDLE_NONE)
		return "has no party record in the bundle";
	if (v->rep->parties[i].pin == BUNDLE_MISMATCH)
		return "is not the key the policy pins (fingerprint differs)";
	return "has a party record that does not verify";
}

static void
verify_parties(struct vctx *v)
{
	const struct bundle *b = v->b;
	struct bundle_report *rep = v->rep;
	struct party *tmp = v->party;
	size_t i, k;

	for (i = 0; i < b->n_parties; i++) {
		const struct bundle_party *bp = &b->parties[i];
		struct bundle_party_report *pr = &rep->parties[i];

		identity_fingerprint(pr->fp, bp->p.id, bp->p.sign_pk);
		rep->n_sigs++;
		if (identity_verify(tmp, bp->raw, bp->raw_len, NULL, NULL) == PL_OK)
			pr->ok = 1;
		else
			vfail(v, &bp->at, BUNDLE_PARTY, "party '%s': %s", bp->p.id, pl_err_msg());
		pr->pin = BUNDLE_UNPINNED;
		for (k = 0; v->pol != NULL && k < v->pol->n_pins; k++) {
			if (strcmp(v->pol->pins[k].id, bp->p.id) != 0)
				continue;
			if (identity_fingerprint_match(&bp->p, v->pol->pins[k].fp)) {
				pr->pin = BUNDLE_PINNED;
			} else {
				pr->pin = BUNDLE_MISMATCH;
				pr->ok = 0;
				vfail(v, &bp->at, BUNDLE_PARTY,
				      "party '%s': fingerprint %s is not the policy's %s", bp->p.id,
				      pr->fp, v->pol->pins[k].fp);
			}
		}
		if (pr->pin == BUNDLE_UNPINNED)
			rep->n_unpinned++;
		/* A policy's single log key, when it names this party's transcript. */
		if (v->pol != NULL && v->pol->tlog.has_log &&
		    strncmp(v->pol->tlog.log.name, ENTRY_LOG_PREFIX, LOG_PREFIX_LEN) == 0 &&
		    strcmp(v->pol->tlog.log.name + LOG_PREFIX_LEN, bp->p.id) == 0 &&
		    memcmp(v->pol->tlog.log.pk, bp->p.sign_pk, SIG_PK_LEN) != 0) {
			pr->ok = 0;
			vfail(v, &bp->at, BUNDLE_PARTY,
			      "party '%s': its key is not the policy's log key for %s", bp->p.id,
			      v->pol->tlog.log.name);
		}
	}
}

static void
add_ack(struct vctx *v, size_t ack, size_t acked)
{
	struct bundle_report *rep = v->rep;
	void *np;

	if ((np = grow(rep->acks, &v->cap_acks, rep->n_acks + 1, sizeof(*rep->acks))) == NULL) {
		v->nomem = PL_E_NOMEM;
		return;
	}
	rep->acks = np;
	rep->acks[rep->n_acks].ack = ack;
	rep->acks[rep->n_acks].acked = acked;
	rep->n_acks++;
}

static void
verify_envs(struct vctx *v)
{
	const struct bundle *b = v->b;
	struct bundle_report *rep = v->rep;
	struct env *e = v->env;
	char name[160], h1[9], h2[9];
	size_t i, k, j;

	for (i = 0; i < b->n_envs; i++) {
		const struct bundle_env *be = &b->envs[i];
		const struct bundle_env *pe = i > 0 ? &b->envs[i - 1] : NULL;
		const struct party *s = vparty(v, be->sender);
		struct bundle_env_report *er = &rep->envs[i];

		er->ok = 1;
		(void)env_name(name, be);
		if (s == NULL) {
			er->ok = 0;
			vfail(v, &be->at, BUNDLE_ENVELOPE, "%s: sender '%s' %s", name, be->sender,
			      vparty_why(v, be->sender));
		} else {
			/* envelope_verify reads the bytes, the signature and the names. */
			e->raw = be->raw;
			e->raw_len = be->raw_len;
			memcpy(e->sig, be->raw + be->raw_len - SIG_LEN, SIG_LEN);
			memcpy(e->sender, be->sender, sizeof(e->sender));
			memcpy(e->channel, be->channel, sizeof(e->channel));
			e->seq = be->seq;
			rep->n_sigs++;
			if (envelope_verify(e, s->sign_pk) != PL_OK) {
				er->ok = 0;
				vfail(v, &be->at, BUNDLE_ENVELOPE,
				      "%s: the signature by '%s' does not verify", name,
				      be->sender);
			}
		}
		/*
		 * The chain.  Envelopes sort by channel, sender, then seq (the
		 * first fields of the encoding), so each sender's envelopes on a
		 * channel are neighbours, in order.
		 */
		if (pe != NULL && strcmp(pe->channel, be->channel) == 0 &&
		    strcmp(pe->sender, be->sender) == 0) {
			if (be->seq == pe->seq) {
				er->ok = 0;
				vfail(v, &be->at, BUNDLE_ENVELOPE,
				      "%s: a second envelope at seq %llu on channel '%s' from '%s' "
				      "(record %zu is %s): the sender forked its chain",
				      name, (unsigned long long)be->seq, be->channel, be->sender,
				      pe->at.rec, id8(h1, pe->id));
			} else if (be->seq != pe->seq + 1) {
				er->ok = 0;
				vfail(v, &be->at, BUNDLE_ENVELOPE,
				      "%s: gap in the chain of '%s' on channel '%s': seq %llu follows "
				      "seq %llu (seq %llu missing)",
				      name, be->sender, be->channel, (unsigned long long)be->seq,
				      (unsigned long long)pe->seq, (unsigned long long)pe->seq + 1);
			} else if (memcmp(be->prev, pe->id, HASH_LEN) != 0) {
				er->ok = 0;
				vfail(v, &be->at, BUNDLE_ENVELOPE,
				      "%s: broken chain of '%s' on channel '%s': prev %s of seq %llu "
				      "is not the id %s of seq %llu",
				      name, be->sender, be->channel, id8(h1, be->prev),
				      (unsigned long long)be->seq, id8(h2, pe->id),
				      (unsigned long long)pe->seq);
			}
		}
		er->first_rcpt = er->first_ack = 0;
		er->sent_proof = er->disclosure = BUNDLE_NONE;
		if (be->kind != ENV_KIND_ACK)
			continue;
		for (k = 0; k < be->n_refs; k++) {
			if ((j = bundle_env_find(b, b->refs[be->first_ref + k])) == BUNDLE_NONE)
				continue; /* acknowledges an envelope not in this bundle */
			add_ack(v, i, j);
			if (!env_has_to(b, &b->envs[j], be->sender)) {
				er->ok = 0;
				vfail(v, &be->at, BUNDLE_ENVELOPE,
				      "%s: acknowledges envelope %s, of which '%s' is not a "
				      "recipient",
				      name, id8(h1, b->envs[j].id), be->sender);
			}
		}
	}
}

static int
ack_cmp(const void *a, const void *b)
{
	const struct bundle_ack *x = a, *y = b;

	if (x->acked != y->acked)
		return x->acked < y->acked ? -1 : 1;
	return x->ack < y->ack ? -1 : x->ack > y->ack;
}

static void
link_acks(struct vctx *v)
{
	struct bundle_report *rep = v->rep;
	size_t i;

	if (rep->n_acks > 1)
		qsort(rep->acks, rep->n_acks, sizeof(*rep->acks), ack_cmp);
	for (i = 0; i < rep->n_acks; i++) {
		struct bundle_env_report *er = &rep->envs[rep->acks[i].acked];

		if (er->n_acks++ == 0)
			er->first_ack = i;
	}
}

static void
verify_rcpts(struct vctx *v)
{
	const struct bundle *b = v->b;
	struct bundle_report *rep = v->rep;
	char name[160], h[9];
	struct rcpt tmp;
	size_t k, j;

	for (k = 0; k < b->n_rcpts; k++) {
		const struct bundle_rcpt *br = &b->rcpts[k];
		const struct party *r = vparty(v, br->r.receiver);
		struct bundle_rcpt_report *rr = &rep->rcpts[k];

		rr->ok = 1;
		rr->received_proof = rr->receipt_proof = BUNDLE_NONE;
		rr->env = j = bundle_env_find(b, br->r.env_id);
		if (j == BUNDLE_NONE) {
			rr->ok = 0;
			vfail(v, &br->at, BUNDLE_RECEIPT,
			      "receipt by '%s' for envelope %s, which is not in the bundle",
			      br->r.receiver, id8(h, br->r.env_id));
		} else {
			struct bundle_env_report *er = &rep->envs[j];

			(void)env_name(name, &b->envs[j]);
			/* Receipts sort by envelope id, then receiver: neighbours again. */
			if (k > 0 &&
			    memcmp(b->rcpts[k - 1].r.env_id, br->r.env_id, HASH_LEN) == 0 &&
			    strcmp(b->rcpts[k - 1].r.receiver, br->r.receiver) == 0) {
				rr->ok = 0;
				vfail(v, &br->at, BUNDLE_RECEIPT,
				      "a second receipt by '%s' for %s (record %zu is the first)",
				      br->r.receiver, name, b->rcpts[k - 1].at.rec);
			}
			if (!env_has_to(b, &b->envs[j], br->r.receiver)) {
				rr->ok = 0;
				vfail(v, &br->at, BUNDLE_RECEIPT,
				      "receipt by '%s', who is not a recipient of %s",
				      br->r.receiver, name);
			}
			if (er->n_rcpts++ == 0)
				er->first_rcpt = k;
		}
		if (r == NULL) {
			rr->ok = 0;
			vfail(v, &br->at, BUNDLE_RECEIPT, "receipt for %s: receiver '%s' %s",
			      id8(h, br->r.env_id), br->r.receiver, vparty_why(v, br->r.receiver));
			continue;
		}
		rep->n_sigs++;
		if (receipt_verify(&tmp, br->raw, br->raw_len, br->r.env_id, r->sign_pk) != PL_OK) {
			rr->ok = 0;
			vfail(v, &br->at, BUNDLE_RECEIPT,
			      "receipt for %s: the signature by '%s' does not verify",
			      id8(h, br->r.env_id), br->r.receiver);
		}
	}
}

static void
verify_discs(struct vctx *v)
{
	const struct bundle *b = v->b;
	struct bundle_report *rep = v->rep;
	uint8_t key[AEAD_KEY_LEN];
	char name[160], h[9];
	struct body body;
	enum pl_err err;
	size_t d, j;

	for (d = 0; d < b->n_discs; d++) {
		const struct bundle_disclosure *bd = &b->discs[d];
		struct bundle_disc_report *dr = &rep->discs[d];

		if ((j = bundle_env_find(b, bd->env_id)) == BUNDLE_NONE) {
			vfail(v, &bd->at, BUNDLE_DISCLOSURE,
			      "body key for envelope %s, which is not in the bundle",
			      id8(h, bd->env_id));
			continue;
		}
		(void)env_name(name, &b->envs[j]);
		if (d > 0 && memcmp(b->discs[d - 1].env_id, bd->env_id, HASH_LEN) == 0) {
			vfail(v, &bd->at, BUNDLE_DISCLOSURE,
			      "a second body key for %s (record %zu is the first)", name,
			      b->discs[d - 1].at.rec);
			continue;
		}
		rep->envs[j].disclosure = d;
		if (env_read(v->env, b->envs[j].raw, b->envs[j].raw_len) != PL_OK) {
			vfail(v, &bd->at, BUNDLE_DISCLOSURE, "%s: %s", name, pl_err_msg());
			continue;
		}
		memcpy(key, bd->key, AEAD_KEY_LEN);
		err = envelope_decrypt(&dr->plain, v->env, key);
		cr_wipe(key, sizeof(key));
		if (err == PL_E_NOMEM) {
			v->nomem = err;
		} else if (err != PL_OK) {
			vfail(v, &bd->at, BUNDLE_DISCLOSURE,
			      "the body key does not decrypt the body of %s", name);
		} else if (body_read(&body, dr->plain.data, dr->plain.len) != PL_OK) {
			vfail(v, &bd->at, BUNDLE_DISCLOSURE, "the body of %s decrypts but %s", name,
			      pl_err_msg());
			body_free(&body);
		} else {
			dr->ok = 1;
			body_free(&body);
		}
		if (!dr->ok)
			buf_reset(&dr->plain);
	}
}

static int
cp_idx_cmp(const void *a, const void *b)
{
	const struct cp_idx *x = a, *y = b;
	int c = strcmp(x->c->party, y->c->party);

	if (c != 0)
		return c;
	if (x->c->size != y->c->size)
		return x->c->size < y->c->size ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* A checkpoint of party's log at size, or BUNDLE_NONE (call after verify_cps). */
static size_t
cp_find(const struct vctx *v, const char *party, uint64_t size)
{
	size_t lo = 0, hi = v->b->n_cps, first;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bundle_checkpoint *c = v->cpi[mid].c;
		int r = strcmp(party, c->party);

		if (r == 0)
			r = size < c->size ? -1 : size > c->size;
		if (r <= 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	/* Of several checkpoints at one size (equal roots, or a fork is reported), one that verified. */
	for (first = lo; lo < v->b->n_cps && strcmp(v->cpi[lo].c->party, party) == 0 &&
	                 v->cpi[lo].c->size == size;
	     lo++)
		if (v->rep->cps[v->cpi[lo].i].ok)
			return v->cpi[lo].i;
	return first < lo ? v->cpi[first].i : BUNDLE_NONE;
}

static void
add_cosigner(struct vctx *v, const char *name, uint64_t ts, int trusted)
{
	struct bundle_report *rep = v->rep;
	struct bundle_cosigner *c;
	void *np;

	if ((np = grow(rep->cosigners, &v->cap_cosigners, rep->n_cosigners + 1,
	               sizeof(*rep->cosigners))) == NULL) {
		v->nomem = PL_E_NOMEM;
		return;
	}
	rep->cosigners = np;
	c = &rep->cosigners[rep->n_cosigners++];
	(void)snprintf(c->name, sizeof(c->name), "%s", name);
	c->timestamp = ts;
	c->trusted = trusted;
}

/*
 * Cosignatures by parties of the bundle that the policy does not name as
 * witnesses: checked with the party's key under its witness name, reported
 * as untrusted (they do not count for the quorum).
 */
static void
verify_cosigs_from_bundle(struct vctx *v, const struct bundle_checkpoint *c,
                          const struct note_key *log_key, struct bundle_cp_report *cr)
{
	struct note_key keys[NOTE_SIGS_MAX];
	struct note_seen seen[1 + NOTE_SIGS_MAX];
	struct checkpoint cp;
	enum pl_err err;
	size_t i, k, n = 0;

	if (note_read(v->note, c->note, c->note_len) != PL_OK)
		return; /* read once already: cannot happen */
	for (i = 0; i < v->note->n_sigs && n < NOTE_SIGS_MAX; i++) {
		const struct note_sig *s = &v->note->sigs[i];
		const struct party *w;
		struct note_key key;
		int known = 0;

		if (strncmp(s->name, ENTRY_WITNESS_PREFIX, WITNESS_PREFIX_LEN) != 0 ||
		    (w = vparty(v, s->name + WITNESS_PREFIX_LEN)) == NULL ||
		    note_key_make(&key, s->name, NOTE_TYPE_COSIG, w->sign_pk) != PL_OK ||
		    key.id != s->key_id)
			continue;
		for (k = 0; k < v->tpol->n_witnesses; k++)
			known |= strcmp(v->tpol->witnesses[k].name, key.name) == 0 &&
			         v->tpol->witnesses[k].id == key.id;
		for (k = 0; k < n; k++)
			known |= strcmp(keys[k].name, key.name) == 0;
		if (!known)
			keys[n++] = key;
	}
	if (n == 0)
		return;
	v->rep->n_sigs += n;
	if ((err = checkpoint_open(&cp, v->note, c->note, c->note_len, log_key, keys, n, seen)) !=
	    PL_OK) {
		if (err == PL_E_NOMEM) {
			v->nomem = err;
			return;
		}
		cr->ok = 0;
		vfail(v, &c->at, BUNDLE_CHECKPOINT, "checkpoint of %s at size %llu: %s",
		      log_key->name, (unsigned long long)c->size, pl_err_msg());
		return;
	}
	for (k = 0; k < n; k++)
		if (seen[1 + k].verified)
			add_cosigner(v, keys[k].name, seen[1 + k].timestamp, 0);
}

static void
verify_cps(struct vctx *v)
{
	const struct bundle *b = v->b;
	struct bundle_report *rep = v->rep;
	struct proof_result *res = v->res;
	char origin[NOTE_NAME_MAX + 1];
	size_t i, k;

	for (i = 0; i < b->n_cps; i++) {
		const struct bundle_checkpoint *c = &b->cps[i];
		struct bundle_cp_report *cr = &rep->cps[i];
		const struct party *p = vparty(v, c->party);
		enum pl_err err;

		cr->ok = 1;
		cr->first_cosigner = rep->n_cosigners;
		(void)snprintf(origin, sizeof(origin), "%s%s", ENTRY_LOG_PREFIX, c->party);
		if (p == NULL) {
			cr->ok = 0;
			vfail(v, &c->at, BUNDLE_CHECKPOINT,
			      "checkpoint of %s at size %llu: party '%s' %s", origin,
			      (unsigned long long)c->size, c->party, vparty_why(v, c->party));
			continue;
		}
		if (v->pol != NULL)
			*v->tpol = v->pol->tlog;
		else
			policy_init(v->tpol);
		if (note_key_make(&v->tpol->log, origin, NOTE_TYPE_ED25519, p->sign_pk) != PL_OK) {
			cr->ok = 0;
			vfail(v, &c->at, BUNDLE_CHECKPOINT, "%s", pl_err_msg());
			continue;
		}
		v->tpol->has_log = 1;
		rep->n_sigs += 1 + v->tpol->n_witnesses;
		err = policy_check_checkpoint(res, v->tpol, c->note, c->note_len);
		if (err == PL_E_NOMEM) {
			v->nomem = err;
			continue;
		}
		if (err != PL_OK) {
			cr->ok = 0;
			vfail(v, &c->at, BUNDLE_CHECKPOINT, "checkpoint of %s at size %llu: %s",
			      origin, (unsigned long long)c->size, pl_err_msg());
		}
		cr->n_cosigned = res->n_cosigned;
		for (k = 0; k < v->tpol->n_witnesses; k++)
			if (res->seen[1 + k].verified)
				add_cosigner(v, v->tpol->witnesses[k].name,
				             res->seen[1 + k].timestamp, 1);
		if (err == PL_OK)
			verify_cosigs_from_bundle(v, c, &v->tpol->log, cr);
		cr->n_cosigners = rep->n_cosigners - cr->first_cosigner;
	}
}

/* The order of consistency records for one key: party (length, then bytes), old, new. */
static int
cons_key_cmp(const struct bundle_consistency *co, const char *party, size_t party_len,
             uint64_t old_size, uint64_t new_size)
{
	size_t m = strlen(co->party);
	int c = m != party_len ? (m < party_len ? -1 : 1) : memcmp(co->party, party, m);

	if (c != 0)
		return c;
	if (co->old_size != old_size)
		return co->old_size < old_size ? -1 : 1;
	return co->new_size < new_size ? -1 : co->new_size > new_size;
}

/*
 * A verified consistency record linking party's log from old to new sizes,
 * or BUNDLE_NONE.  The records are in canonical order, which sorts them by
 * party id (its length byte first), old size, then new size: a binary
 * search finds the first with the key, and any verified one among its
 * neighbours with the same key will do.
 */
static size_t
cons_find(const struct vctx *v, const char *party, uint64_t old_size, uint64_t new_size)
{
	size_t lo = 0, hi = v->b->n_cons, n = strlen(party);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cons_key_cmp(&v->b->cons[mid], party, n, old_size, new_size) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (;
	     lo < v->b->n_cons && cons_key_cmp(&v->b->cons[lo], party, n, old_size, new_size) == 0;
	     lo++)
		if (v->rep->cons_ok[lo])
			return lo;
	return BUNDLE_NONE;
}

static void
verify_cons(struct vctx *v)
{
	const struct bundle *b = v->b;
	struct bundle_report *rep = v->rep;
	size_t i, o, n;

	for (i = 0; i < b->n_cons; i++) {
		const struct bundle_consistency *co = &b->cons[i];

		o = cp_find(v, co->party, co->old_size);
		n = cp_find(v, co->party, co->new_size);
		if (o == BUNDLE_NONE || n == BUNDLE_NONE) {
			vfail(v, &co->at, BUNDLE_CONSISTENCY,
			      "proof for " ENTRY_LOG_PREFIX "%s from size %llu to %llu, but the "
			      "bundle has no checkpoint of size %llu",
			      co->party, (unsigned long long)co->old_size,
			      (unsigned long long)co->new_size,
			      (unsigned long long)(o == BUNDLE_NONE ? co->old_size : co->new_size));
			continue;
		}
		/* SPEC: RFC9162 2.1.4.2 */
		if (merkle_verify_consistency(co->old_size, co->new_size, co->hashes, co->n_hashes,
		                              b->cps[o].root, b->cps[n].root) != PL_OK) {
			vfail(v, &co->at, BUNDLE_CONSISTENCY,
			      ENTRY_LOG_PREFIX
			      "%s at size %llu (record %zu) is not a prefix of "
			      "its checkpoint at size %llu (record %zu): a fork, or "
			      "a bad proof",
			      co->party, (unsigned long long)co->old_size, b->cps[o].at.rec,
			      (unsigned long long)co->new_size, b->cps[n].at.rec);
			continue;
		}
		rep->cons_ok[i] = 1;
	}
	/* Every two neighbouring checkpoints of one log: equal roots, or linked by a proof. */
	for (i = 1; i < b->n_cps; i++) {
		const struct bundle_checkpoint *p = v->cpi[i - 1].c, *c = v->cpi[i].c;

		if (strcmp(p->party, c->party) != 0)
			continue;
		if (p->size == c->size) {
			if (memcmp(p->root, c->root, HASH_LEN) != 0) {
				rep->cps[v->cpi[i].i].ok = 0;
				vfail(v, &c->at, BUNDLE_CHECKPOINT,
				      "fork: " ENTRY_LOG_PREFIX
				      "%s has two checkpoints at size %llu "
				      "with different roots (records %zu and %zu)",
				      c->party, (unsigned long long)c->size, p->at.rec, c->at.rec);
			}
		} else if (cons_find(v, c->party, p->size, c->size) == BUNDLE_NONE) {
			rep->cps[v->cpi[i].i].ok = 0;
			vfail(v, &c->at, BUNDLE_CHECKPOINT,
			      ENTRY_LOG_PREFIX
			      "%s: no valid consistency proof from size %llu "
			      "(record %zu) to %llu (record %zu): a fork cannot be "
			      "ruled out",
			      c->party, (unsigned long long)p->size, p->at.rec,
			      (unsigned long long)c->size, c->at.rec);
		}
	}
}

/* The receipt in the bundle with exactly these bytes, or BUNDLE_NONE. */
static size_t
rcpt_find(const struct bundle *b, const uint8_t *p, size_t n)
{
	size_t lo = 0, hi = b->n_rcpts;

	/* Receipts are in canonical order, which is rec_cmp's. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bundle_rcpt *r = &b->rcpts[mid];
		int c = rec_cmp(0, p, n, 0, r->raw, r->raw_len);

		if (c == 0)
			return mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return BUNDLE_NONE;
}

/* The first field of an entry that differs from its envelope's, or NULL. */
static const char *
entry_mismatch(const struct entry *e, const struct bundle_env *be)
{
	if (strcmp(e->channel, be->channel) != 0)
		return "channel";
	if (strcmp(e->sender, be->sender) != 0)
		return "sender";
	if (e->seq != be->seq)
		return "seq";
	if (memcmp(e->prev, be->prev, HASH_LEN) != 0)
		return "prev";
	return NULL;
}

/*
 * Keep proof i for something already proven by *cur if there was none, or
 * if *cur's checkpoint failed and i's did not: the report names the best.
 */
static void
keep_proof(const struct bundle_report *rep, size_t *cur, size_t i)
{
	if (*cur == BUNDLE_NONE ||
	    (!rep->cps[rep->incls[*cur].cp].ok && rep->cps[rep->incls[i].cp].ok))
		*cur = i;
}

/* Check what an entry says against the bundle; link the proof into the report. */
static int
verify_entry(struct vctx *v, size_t i)
{
	const struct bundle *b = v->b;
	struct bundle_report *rep = v->rep;
	const struct bundle_inclusion *in = &b->incls[i];
	const struct entry *e = &in->e;
	const char *what = e->type == ENTRY_SENT       ? "sent"
	                   : e->type == ENTRY_RECEIVED ? "received"
	                                               : "receipt";
	const char *field;
	char name[160], h[9];
	size_t j = BUNDLE_NONE, k = BUNDLE_NONE;

	if (e->type != ENTRY_SENT) {
		if ((k = rcpt_find(b, e->receipt, e->receipt_len)) == BUNDLE_NONE) {
			vfail(v, &in->at, BUNDLE_INCLUSION,
			      "%s entry %llu of %s's log holds a receipt that is not in the bundle",
			      what, (unsigned long long)in->index, in->party);
			return 0;
		}
		if (e->type == ENTRY_RECEIPT)
			j = bundle_env_find(b, b->rcpts[k].r.env_id);
	}
	if (e->type != ENTRY_RECEIPT)
		j = bundle_env_find(b, e->env_id);
	if (j == BUNDLE_NONE) {
		vfail(v, &in->at, BUNDLE_INCLUSION,
		      "%s entry %llu of %s's log is about envelope %s, which is not in the bundle",
		      what, (unsigned long long)in->index, in->party,
		      id8(h, e->type == ENTRY_RECEIPT ? b->rcpts[k].r.env_id : e->env_id));
		return 0;
	}
	(void)env_name(name, &b->envs[j]);
	if (e->type != ENTRY_RECEIPT && (field = entry_mismatch(e, &b->envs[j])) != NULL) {
		vfail(v, &in->at, BUNDLE_INCLUSION,
		      "%s entry %llu of %s's log: its %s is not that of %s", what,
		      (unsigned long long)in->index, in->party, field, name);
		return 0;
	}
	switch (e->type) {
	case ENTRY_SENT:
		if (strcmp(in->party, b->envs[j].sender) != 0)
			break;
		keep_proof(rep, &rep->envs[j].sent_proof, i);
		return 1;
	case ENTRY_RECEIVED:
		if (strcmp(in->party, b->rcpts[k].r.receiver) != 0)
			break;
		keep_proof(rep, &rep->rcpts[k].received_proof, i);
		return 1;
	default:
		if (strcmp(in->party, b->envs[j].sender) != 0)
			break;
		keep_proof(rep, &rep->rcpts[k].receipt_proof, i);
		return 1;
	}
	vfail(v, &in->at, BUNDLE_INCLUSION,
	      "%s entry %llu about %s is in the log of '%s', not of its %s", what,
	      (unsigned long long)in->index, name, in->party,
	      e->type == ENTRY_RECEIVED ? "receiver" : "sender");
	return 0;
}

/* Inclusion checks share paths per checkpoint (merkle_incl_cache); this many at once. */
#define INCL_CACHES 8

static void
verify_incls(struct vctx *v)
{
	const struct bundle *b = v->b;
	struct bundle_report *rep = v->rep;
	struct merkle_incl_cache *caches;
	size_t owner[INCL_CACHES];
	uint8_t leaf[HASH_LEN];
	size_t i, c;

	if (b->n_incls == 0)
		return;
	if ((caches = pl_malloc(INCL_CACHES * sizeof(*caches))) == NULL) {
		v->nomem = PL_E_NOMEM;
		return;
	}
	for (i = 0; i < INCL_CACHES; i++)
		owner[i] = BUNDLE_NONE;

	for (i = 0; i < b->n_incls; i++) {
		const struct bundle_inclusion *in = &b->incls[i];
		struct bundle_incl_report *ir = &rep->incls[i];

		ir->cp = c = cp_find(v, in->party, in->size);
		if (c == BUNDLE_NONE) {
			vfail(v, &in->at, BUNDLE_INCLUSION,
			      "entry %llu: the bundle has no checkpoint of " ENTRY_LOG_PREFIX
			      "%s at size %llu",
			      (unsigned long long)in->index, in->party,
			      (unsigned long long)in->size);
			continue;
		}
		/* SPEC: RFC9162 2.1.3.2 the leaf hash of the entry, up the path to the root */
		merkle_leaf_hash(leaf, in->entry, in->entry_len);
		if (owner[c % INCL_CACHES] != c) {
			owner[c % INCL_CACHES] = c;
			merkle_incl_cache_init(&caches[c % INCL_CACHES], in->size, b->cps[c].root);
		}
		if (merkle_verify_inclusion_cached(&caches[c % INCL_CACHES], leaf, in->index,
		                                   in->hashes, in->n_hashes) != PL_OK) {
			vfail(v, &in->at, BUNDLE_INCLUSION,
			      "entry %llu is not in " ENTRY_LOG_PREFIX
			      "%s at size %llu (checkpoint "
			      "record %zu): %s",
			      (unsigned long long)in->index, in->party,
			      (unsigned long long)in->size, b->cps[c].at.rec, pl_err_msg());
			continue;
		}
		ir->ok = verify_entry(v, i);
	}
	pl_free(caches);
}

enum pl_err
bundle_verify(const struct bundle *b, const struct bundle_policy *pol, struct bundle_report *rep)
{
	struct vctx v;
	size_t i;
	enum pl_err err = PL_OK;

	memset(rep, 0, sizeof(*rep));
	memset(&v, 0, sizeof(v));
	v.b = b;
	v.pol = pol;
	v.rep = rep;
	rep->has_policy = pol != NULL;
	if (pol != NULL) {
		rep->quorum = pol->tlog.quorum;
		rep->n_witnesses = pol->tlog.n_witnesses;
	}
#define TABLE(f, n)                                                                                \
	if ((n) > 0 && (rep->f = pl_calloc((n), sizeof(*rep->f))) == NULL)                         \
		goto nomem;
	TABLE(parties, b->n_parties)
	TABLE(envs, b->n_envs)
	TABLE(rcpts, b->n_rcpts)
	TABLE(discs, b->n_discs)
	TABLE(cps, b->n_cps)
	TABLE(incls, b->n_incls)
	TABLE(cons_ok, b->n_cons)
#undef TABLE
	rep->n_discs = b->n_discs;
	if ((v.env = pl_malloc(sizeof(*v.env))) == NULL ||
	    (v.party = pl_malloc(sizeof(*v.party))) == NULL ||
	    (v.note = pl_malloc(sizeof(*v.note))) == NULL ||
	    (v.tpol = pl_malloc(sizeof(*v.tpol))) == NULL ||
	    (v.res = pl_malloc(sizeof(*v.res))) == NULL ||
	    (b->n_cps > 0 && (v.cpi = pl_calloc(b->n_cps, sizeof(*v.cpi))) == NULL))
		goto nomem;
	for (i = 0; i < b->n_cps; i++) {
		v.cpi[i].c = &b->cps[i];
		v.cpi[i].i = i;
	}
	if (b->n_cps > 1)
		qsort(v.cpi, b->n_cps, sizeof(*v.cpi), cp_idx_cmp);
	for (i = 0; i < b->n_discs; i++)
		buf_init_secret(&rep->discs[i].plain, ENV_PLAIN_MAX);

	verify_parties(&v);
	verify_envs(&v);
	link_acks(&v);
	verify_rcpts(&v);
	verify_discs(&v);
	verify_cps(&v);
	verify_cons(&v);
	verify_incls(&v);
	if (v.nomem != PL_OK)
		goto nomem;
	if (rep->n_failures > 0)
		err = pl_errf(PL_E_CRYPTO, "bundle: %zu failures; the first: %s", rep->n_failures,
		              rep->n_kept > 0 ? rep->failures[0].msg : "(not kept)");
	goto out;
nomem:
	err = pl_errf(PL_E_NOMEM, "bundle: out of memory");
out:
	pl_free(v.env);
	pl_free(v.party);
	pl_free(v.note);
	pl_free(v.tpol);
	pl_free(v.res);
	pl_free(v.cpi);
	return err;
}

void
bundle_report_reset(struct bundle_report *rep)
{
	size_t i;

	for (i = 0; rep->discs != NULL && i < rep->n_discs; i++)
		buf_reset(&rep->discs[i].plain);
	pl_free(rep->parties);
	pl_free(rep->envs);
	pl_free(rep->rcpts);
	pl_free(rep->discs);
	pl_free(rep->cps);
	pl_free(rep->incls);
	pl_free(rep->cons_ok);
	pl_free(rep->acks);
	pl_free(rep->cosigners);
	pl_free(rep->failures);
	memset(rep, 0, sizeof(*rep));
}
