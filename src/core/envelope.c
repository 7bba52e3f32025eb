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

enum pl_err
envelope_seal_keys(struct envelope_keys *sk, const struct envelope_to *to, size_t n_to)
{
	const struct envelope_to *sorted[ENV_RECIPIENTS_MAX];
	enum pl_err err = PL_OK;
	size_t i;

	sk->ready = 0;
	if (n_to < 1 || n_to > ENV_RECIPIENTS_MAX)
		return pl_errf(PL_E_ARG, "envelope: %zu recipients not in 1..%d", n_to,
		               ENV_RECIPIENTS_MAX);
	for (i = 0; i < n_to; i++) {
		PL_TRY(codec_id_check("recipient", to[i].party));
		sorted[i] = &to[i];
	}
	qsort(sorted, n_to, sizeof(sorted[0]), to_cmp);
	for (i = 1; i < n_to; i++)
		if (strcmp(sorted[i - 1]->party, sorted[i]->party) == 0)
			return pl_errf(PL_E_ARG, "envelope: recipient '%s' named twice",
			               sorted[i]->party);
	cr_random(sk->key, sizeof(sk->key));
	cr_random(sk->nonce, sizeof(sk->nonce));
	for (i = 0; i < n_to && err == PL_OK; i++) {
		memcpy(sk->to[i].party, sorted[i]->party, strlen(sorted[i]->party) + 1);
		err = box_seal_key(sk->to[i].sealed, sk->key, sorted[i]->box_pk);
	}
	if (err != PL_OK) {
		envelope_keys_wipe(sk);
		return err;
	}
	sk->n = n_to;
	sk->ready = 1;
	return PL_OK;
}

void
envelope_keys_wipe(struct envelope_keys *sk)
{
	cr_wipe(sk->key, sizeof(sk->key));
	sk->ready = 0;
}

/* Fill the header fields of e from d and the sealed keys in sk (recipients sorted). */
static enum pl_err
envelope_header(struct env *e, const struct envelope_draft *d, const struct envelope_keys *sk)
{
	size_t i, k;

	if (d->n_refs > ENV_REFS_MAX)
		return pl_errf(PL_E_ARG, "envelope: %zu refs > %d", d->n_refs, ENV_REFS_MAX);
	if (d->plain_len > ENV_PLAIN_MAX)
		return pl_errf(PL_E_TOOBIG, "envelope: body of %zu bytes > %d", d->plain_len,
		               ENV_PLAIN_MAX);
	PL_TRY(codec_id_check("channel", d->channel));
	PL_TRY(codec_id_check("sender", d->sender));
	/* sk's recipients are sorted and distinct: d must name exactly them. */
	if (d->n_to != sk->n)
		return pl_errf(PL_E_ARG, "envelope: %zu recipients, keys sealed for %zu", d->n_to,
		               sk->n);
	for (i = 0; i < d->n_to; i++) {
		for (k = 0; k < sk->n && strcmp(sk->to[k].party, d->to[i].party) != 0; k++)
			;
		if (k == sk->n)
			return pl_errf(PL_E_ARG, "envelope: no key sealed for recipient '%.64s'",
			               d->to[i].party);
	}

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
	e->n_recipients = sk->n;
	for (i = 0; i < sk->n; i++) {
		memcpy(e->recipients[i].party, sk->to[i].party, strlen(sk->to[i].party) + 1);
		memcpy(e->recipients[i].sealed_key, sk->to[i].sealed, BOX_SEALED_KEY_LEN);
	}
	memcpy(e->nonce, sk->nonce, AEAD_NONCE_LEN);
	e->body_len = (uint32_t)(d->plain_len + AEAD_TAG_LEN);
	return PL_OK;
}

enum pl_err
envelope_seal_with(struct buf *out, uint8_t id[static HASH_LEN], const struct envelope_draft *d,
                   struct envelope_keys *sk, const struct keys *k)
{
	struct env *e;
	size_t start = out->len, hdr;
	enum pl_err err;

	if (!sk->ready)
		return pl_errf(PL_E_STATE, "envelope: sealed keys already used or not made");
	/* struct env is ~10 KiB: keep it off small thread stacks. */
	if ((e = pl_malloc(sizeof(*e))) == NULL) {
		envelope_keys_wipe(sk);
		return pl_errf(PL_E_NOMEM, "envelope: out of memory");
	}
	if ((err = envelope_header(e, d, sk)) != PL_OK || (err = env_write_header(out, e)) != PL_OK)
		goto out;
	hdr = out->len - start;
	if ((err = buf_reserve(out, e->body_len + SIG_LEN)) != PL_OK)
		goto out;
	aead_encrypt(out->data + out->len, d->plain, d->plain_len, out->data + start, hdr, e->nonce,
	             sk->key);
	out->len += e->body_len;
	keys_sign(k, out->data + out->len, out->data + start, out->len - start);
	out->len += SIG_LEN;
	envelope_id(id, out->data + start, out->len - start);
out:
	if (err != PL_OK)
		out->len = start;
	/* One body key and nonce, one envelope, whatever happened. */
	envelope_keys_wipe(sk);
	pl_free(e);
	return err;
}

enum pl_err
envelope_seal(struct buf *out, uint8_t id[static HASH_LEN], const struct envelope_draft *d,
              const struct keys *k)
{
	struct envelope_keys *sk;
	enum pl_err err;

	if ((sk = pl_malloc(sizeof(*sk))) == NULL)
		return pl_errf(PL_E_NOMEM, "envelope: out of memory");
	if ((err = envelope_seal_keys(sk, d->to, d->n_to)) == PL_OK)
		err = envelope_seal_with(out, id, d, sk, k);
	pl_free(sk);
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
