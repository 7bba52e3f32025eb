/*
 * envelope.c - sealing and opening envelopes.
 *
 * The body key lives on the stack for the duration of one call and is wiped
 * on every path.  The encoding is built in one pass into a buffer reserved
 * to its exact final size, so sealing costs the cryptography plus one copy
 * of the header.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../crypto/cr.h"
#include "envelope.h"

void
envelope_id(uint8_t id[static HASH_LEN], const uint8_t *p, size_t n)
{
	hash_sha256(id, p, n);
}

static int
to_cmp(const void *a, const void *b)
{
	const struct envelope_to *x = *(const struct envelope_to *const *)a;
	const struct envelope_to *y = *(const struct envelope_to *const *)b;

	return strcmp(x->party, y->party);
}

/* Fill the header fields of e from d, recipients sorted, sealed keys not yet set. */
static enum pl_err
envelope_header(struct env *e, const struct envelope_draft *d,
                const struct envelope_to *sorted[static ENV_RECIPIENTS_MAX])
{
	size_t i;

	if (d->n_to < 1 || d->n_to > ENV_RECIPIENTS_MAX)
		return pl_errf(PL_E_ARG, "envelope: %zu recipients not in 1..%d", d->n_to,
		               ENV_RECIPIENTS_MAX);
	if (d->n_refs > ENV_REFS_MAX)
		return pl_errf(PL_E_ARG, "envelope: %zu refs > %d", d->n_refs, ENV_REFS_MAX);
	if (d->plain_len > ENV_PLAIN_MAX)
		return pl_errf(PL_E_TOOBIG, "envelope: body of %zu bytes > %d", d->plain_len,
		               ENV_PLAIN_MAX);
	PL_TRY(codec_id_check("channel", d->channel));
	PL_TRY(codec_id_check("sender", d->sender));
	for (i = 0; i < d->n_to; i++) {
		PL_TRY(codec_id_check("recipient", d->to[i].party));
		sorted[i] = &d->to[i];
	}
	qsort(sorted, d->n_to, sizeof(sorted[0]), to_cmp);
	for (i = 1; i < d->n_to; i++)
		if (strcmp(sorted[i - 1]->party, sorted[i]->party) == 0)
			return pl_errf(PL_E_ARG, "envelope: recipient '%s' named twice",
			               sorted[i]->party);

	memset(e, 0, sizeof(*e));
	e->version = ENV_VERSION;
	memcpy(e->channel, d->channel, strlen(d->channel) + 1);
	memcpy(e->sender, d->sender, strlen(d->sender) + 1);
	e->seq = d->seq;
	if (d->prev != NULL)
		memcpy(e->prev, d->prev, HASH_LEN);
	e->kind = d->kind;
	e->prec = d->prec;
	e->flags = d->flags;
	e->tlp = d->tlp;
	e->time_ms = d->time_ms;
	e->n_refs = d->n_refs;
	if (d->n_refs > 0)
		memcpy(e->refs, d->refs, d->n_refs * HASH_LEN);
	e->n_recipients = d->n_to;
	for (i = 0; i < d->n_to; i++)
		memcpy(e->recipients[i].party, sorted[i]->party, strlen(sorted[i]->party) + 1);
	e->body_len = (uint32_t)(d->plain_len + AEAD_TAG_LEN);
	return PL_OK;
}

enum pl_err
envelope_seal(struct buf *out, uint8_t id[static HASH_LEN], const struct envelope_draft *d,
              const struct keys *k)
{
	const struct envelope_to *sorted[ENV_RECIPIENTS_MAX];
	uint8_t key[AEAD_KEY_LEN];
	struct env *e;
	size_t start = out->len, hdr;
	enum pl_err err;
	size_t i;

	/* struct env is ~10 KiB: keep it off small thread stacks. */
	if ((e = pl_malloc(sizeof(*e))) == NULL)
		return pl_errf(PL_E_NOMEM, "envelope: out of memory");
	if ((err = envelope_header(e, d, sorted)) != PL_OK)
		goto out;
	cr_random(key, sizeof(key));
	cr_random(e->nonce, sizeof(e->nonce));
	for (i = 0; i < e->n_recipients; i++)
		if ((err = box_seal_key(e->recipients[i].sealed_key, key, sorted[i]->box_pk)) !=
		    PL_OK)
			goto out;
	if ((err = env_write_header(out, e)) != PL_OK)
		goto out;
	hdr = out->len - start;
	if ((err = buf_reserve(out, e->body_len + SIG_LEN)) != PL_OK)
		goto out;
	aead_encrypt(out->data + out->len, d->plain, d->plain_len, out->data + start, hdr, e->nonce,
	             key);
	out->len += e->body_len;
	keys_sign(k, out->data + out->len, out->data + start, out->len - start);
	out->len += SIG_LEN;
	envelope_id(id, out->data + start, out->len - start);
out:
	if (err != PL_OK)
		out->len = start;
	cr_wipe(key, sizeof(key));
	pl_free(e);
	return err;
}

enum pl_err
envelope_verify(const struct env *e, const uint8_t pk[static SIG_PK_LEN])
{
	if (e->raw == NULL || e->raw_len < SIG_LEN)
		return pl_errf(PL_E_STATE, "envelope: verify needs an envelope from env_read");
	if (sig_verify(e->sig, pk, e->raw, e->raw_len - SIG_LEN) != PL_OK)
		return pl_errf(PL_E_CRYPTO,
		               "envelope: bad signature from '%s' on channel '%s' seq %llu",
		               e->sender, e->channel, (unsigned long long)e->seq);
	return PL_OK;
}

enum pl_err
envelope_body_key(uint8_t key[static AEAD_KEY_LEN], const struct env *e, const char *me,
                  const struct keys *k)
{
	size_t i;

	for (i = 0; i < e->n_recipients; i++) {
		if (strcmp(e->recipients[i].party, me) != 0)
			continue;
		if (keys_open(k, key, e->recipients[i].sealed_key) != PL_OK)
			return pl_errf(PL_E_CRYPTO,
			               "envelope: body key for '%s' does not open with our key "
			               "(seq %llu from '%s')",
			               me, (unsigned long long)e->seq, e->sender);
		return PL_OK;
	}
	return pl_errf(PL_E_STATE, "envelope: '%s' is not a recipient of seq %llu from '%s'", me,
	               (unsigned long long)e->seq, e->sender);
}

enum pl_err
envelope_decrypt(struct buf *plain, const struct env *e, const uint8_t key[static AEAD_KEY_LEN])
{
	size_t n = e->body_len - AEAD_TAG_LEN;

	if (e->raw == NULL)
		return pl_errf(PL_E_STATE, "envelope: decrypt needs an envelope from env_read");
	/* At least one byte, so that an empty body still has somewhere to point. */
	PL_TRY(buf_reserve(plain, n > 0 ? n : 1));
	if (aead_decrypt(plain->data + plain->len, e->body, e->body_len, e->raw, e->ad_len,
	                 e->nonce, key) != PL_OK)
		return pl_errf(PL_E_CRYPTO,
		               "envelope: body of seq %llu from '%s' fails "
		               "authentication",
		               (unsigned long long)e->seq, e->sender);
	plain->len += n;
	return PL_OK;
}

enum pl_err
envelope_open(struct buf *plain, const struct env *e, const char *me, const struct keys *k)
{
	uint8_t key[AEAD_KEY_LEN];
	enum pl_err err;

	if ((err = envelope_body_key(key, e, me, k)) == PL_OK)
		err = envelope_decrypt(plain, e, key);
	cr_wipe(key, sizeof(key));
	return err;
}
