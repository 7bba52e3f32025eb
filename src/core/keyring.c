/*
 * keyring.c - key files: lock, peek, unlock.
 */
#include <string.h>

#include "../crypto/cr.h"
#include "../wire/keyfile.h"
#include "identity.h"
#include "keyring.h"

enum pl_err
keyring_lock(struct buf *out, const struct keys *k, const uint8_t *record, size_t record_len,
             const char *passphrase, const char *strength)
{
	struct keyfile kf;
	struct party rec;
	size_t start = out->len, hdr, slen;
	enum pl_err err;

	memset(&kf, 0, sizeof(kf));
	kf.kdf.alg = KEYS_KDF_NONE;
	if (passphrase != NULL) {
		if (*passphrase == '\0')
			return pl_errf(PL_E_ARG, "key: empty passphrase (a key stored in clear is "
			                         "asked for with no passphrase at all)");
		PL_TRY(keys_kdf_choose(&kf.kdf, strength));
		cr_random(kf.nonce, sizeof(kf.nonce));
	}
	if (record_len > PARTY_ENCODED_MAX)
		return pl_errf(PL_E_ARG, "key: record of %zu bytes", record_len);
	/* A key file whose record names other keys could never be unlocked. */
	if (party_read(&rec, record, record_len) != PL_OK)
		return pl_errf(PL_E_ARG, "key: the record given is malformed: %s", pl_err_msg());
	if (memcmp(rec.sign_pk, keys_sign_pk(k), SIG_PK_LEN) != 0 ||
	    memcmp(rec.box_pk, keys_box_pk(k), BOX_PK_LEN) != 0)
		return pl_errf(PL_E_ARG,
		               "key: the record of '%s' holds other public keys than "
		               "the secret key given",
		               rec.id);
	kf.record = record;
	kf.record_len = (uint32_t)record_len;
	slen = passphrase != NULL ? KEYS_WRAPPED_LEN : KEYS_SECRET_LEN;
	if ((err = keyfile_write_header(out, &kf)) != PL_OK)
		goto fail;
	hdr = out->len - start;
	if ((err = buf_reserve(out, slen)) != PL_OK)
		goto fail;
	if ((err = keys_wrap(k, &kf.kdf, passphrase, kf.nonce, out->data + start, hdr,
	                     out->data + out->len, slen)) != PL_OK)
		goto fail;
	out->len += slen;
	return PL_OK;
fail:
	out->len = start;
	return err;
}

static enum pl_err
keyring_read(struct keyfile *kf, struct party *rec, const uint8_t *p, size_t n)
{
	PL_TRY(keyfile_read(kf, p, n));
	return identity_verify(rec, kf->record, kf->record_len, NULL, NULL);
}

enum pl_err
keyring_peek(struct party *rec, int *encrypted, const uint8_t *p, size_t n)
{
	struct keyfile kf;

	PL_TRY(keyring_read(&kf, rec, p, n));
	*encrypted = kf.kdf.alg != KEYS_KDF_NONE;
	return PL_OK;
}

enum pl_err
keyring_unlock(struct keys **k, struct party *rec, const uint8_t *p, size_t n,
               const char *passphrase)
{
	struct keyfile kf;

	*k = NULL;
	PL_TRY(keyring_read(&kf, rec, p, n));
	if (kf.kdf.alg != KEYS_KDF_NONE && passphrase == NULL)
		return pl_errf(PL_E_ARG, "key: this key file needs a passphrase");
	PL_TRY(keys_unwrap(k, &kf.kdf, passphrase, kf.nonce, p, kf.header_len, kf.secret,
	                   kf.secret_len));
	if (memcmp(keys_sign_pk(*k), rec->sign_pk, SIG_PK_LEN) != 0 ||
	    memcmp(keys_box_pk(*k), rec->box_pk, BOX_PK_LEN) != 0) {
		keys_free(*k);
		*k = NULL;
		return pl_errf(PL_E_CRYPTO, "key: secret keys do not match the record of '%s'",
		               rec->id);
	}
	return PL_OK;
}
