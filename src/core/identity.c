/*
 * identity.c - party records: signing, checking, fingerprints.
 */
#include <ctype.h>
#include <string.h>

#include "../crypto/cr.h"
#include "../crypto/hash.h"
#include "identity.h"

static const char fp_label[CODEC_LABEL_LEN] = "parley-fp";

static void
identity_fp_raw(uint8_t fp[static PARTY_FP_LEN], const char *id,
                const uint8_t sign_pk[static SIG_PK_LEN])
{
	uint8_t h[HASH_LEN];
	struct hash_ctx ctx;
	uint8_t n = (uint8_t)strlen(id);

	hash_init(&ctx);
	hash_update(&ctx, fp_label, sizeof(fp_label));
	hash_update(&ctx, &n, 1);
	hash_update(&ctx, id, n);
	hash_update(&ctx, sign_pk, SIG_PK_LEN);
	hash_final(&ctx, h);
	memcpy(fp, h, PARTY_FP_LEN);
}

void
identity_fingerprint(char out[static PARTY_FP_STR_LEN + 1], const char *id,
                     const uint8_t sign_pk[static SIG_PK_LEN])
{
	uint8_t fp[PARTY_FP_LEN];
	char hex[2 * PARTY_FP_LEN + 1];
	size_t i, o = 0;

	identity_fp_raw(fp, id, sign_pk);
	cr_hex(hex, fp, sizeof(fp));
	for (i = 0; i < 2 * PARTY_FP_LEN; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = '-';
		out[o++] = hex[i];
	}
	out[o] = '\0';
}

int
identity_fingerprint_match(const struct party *r, const char *typed)
{
	char want[PARTY_FP_STR_LEN + 1], got[2 * PARTY_FP_LEN + 1];
	size_t i, n = 0;

	identity_fingerprint(want, r->id, r->sign_pk);
	for (; *typed != '\0'; typed++) {
		if (strchr(" -:", *typed) != NULL)
			continue;
		if (n == 2 * PARTY_FP_LEN)
			return 0;
		got[n++] = (char)tolower((unsigned char)*typed);
	}
	if (n != 2 * PARTY_FP_LEN)
		return 0;
	for (i = 0, n = 0; want[i] != '\0'; i++)
		if (want[i] != '-' && want[i] != got[n++])
			return 0;
	return 1;
}

enum pl_err
identity_sign(struct buf *out, const struct party *r, const struct keys *k,
              const struct keys *prev_k)
{
	size_t start = out->len, n;
	enum pl_err err;

	if (memcmp(r->sign_pk, keys_sign_pk(k), SIG_PK_LEN) != 0 ||
	    memcmp(r->box_pk, keys_box_pk(k), BOX_PK_LEN) != 0)
		return pl_errf(PL_E_ARG, "party record: keys do not match the record's");
	if (r->revision > 1 && prev_k == NULL)
		return pl_errf(PL_E_ARG, "party record: revision %u needs the previous key",
		               r->revision);
	if ((err = party_write_signed_part(out, r)) != PL_OK)
		goto fail;
	n = out->len - start;
	if ((err = buf_reserve(out, (r->revision > 1 ? 2 : 1) * SIG_LEN)) != PL_OK)
		goto fail;
	keys_sign(k, out->data + out->len, out->data + start, n);
	out->len += SIG_LEN;
	if (r->revision > 1) {
		keys_sign(prev_k, out->data + out->len, out->data + start, n);
		out->len += SIG_LEN;
	}
	return PL_OK;
fail:
	out->len = start;
	return err;
}

enum pl_err
identity_verify(struct party *out, const uint8_t *p, size_t n, const struct party *prev,
                const uint8_t prev_id[HASH_LEN])
{
	PL_TRY(party_read(out, p, n));
	if (sig_verify(out->sig, out->sign_pk, p, out->signed_len) != PL_OK)
		return pl_errf(PL_E_CRYPTO, "party record: bad self-signature on '%s' revision %u",
		               out->id, out->revision);
	if (prev == NULL)
		return PL_OK;
	if (strcmp(prev->id, out->id) != 0)
		return pl_errf(PL_E_PROTO, "party record: '%s' cannot follow a record of '%s'",
		               out->id, prev->id);
	if (out->revision != prev->revision + 1)
		return pl_errf(PL_E_PROTO, "party record: '%s' revision %u does not follow %u",
		               out->id, out->revision, prev->revision);
	if (memcmp(out->prev, prev_id, HASH_LEN) != 0)
		return pl_errf(PL_E_PROTO,
		               "party record: '%s' revision %u names another previous record",
		               out->id, out->revision);
	if (sig_verify(out->prev_sig, prev->sign_pk, p, out->signed_len) != PL_OK)
		return pl_errf(PL_E_CRYPTO,
		               "party record: '%s' revision %u is not signed by the previous key",
		               out->id, out->revision);
	return PL_OK;
}
