/*
 * keyfile.c - read and write key files.
 */
#include <string.h>

#include "codec.h"
#include "keyfile.h"
#include "party.h"

static int
all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	while (n-- > 0)
		acc |= *p++;
	return acc == 0;
}

enum pl_err
keyfile_read(struct keyfile *out, const uint8_t *p, size_t n)
{
	struct rd rd;
	size_t off, want;
	uint8_t alg;

	memset(out, 0, sizeof(*out));
	rd_init(&rd, "key file", p, n);
	PL_TRY(codec_label_read(&rd, KEYFILE_LABEL));
	off = rd.off;
	PL_TRY(rd_u8(&rd, "version", &out->version));
	if (out->version != KEYFILE_VERSION)
		return rd_fail(&rd, PL_E_PROTO, off, "unknown version %u (want %d)", out->version,
		               KEYFILE_VERSION);
	off = rd.off;
	PL_TRY(rd_u8(&rd, "kdf", &alg));
	if (alg != KEYS_KDF_NONE && alg != KEYS_KDF_ARGON2ID)
		return rd_fail(&rd, PL_E_PROTO, off, "unknown kdf %u", alg);
	out->kdf.alg = (enum keys_kdf)alg;
	off = rd.off;
	PL_TRY(rd_u64be(&rd, "ops", &out->kdf.ops));
	PL_TRY(rd_u64be(&rd, "mem", &out->kdf.mem));
	PL_TRY(rd_bytes(&rd, "salt", out->kdf.salt, sizeof(out->kdf.salt)));
	PL_TRY(rd_bytes(&rd, "nonce", out->nonce, sizeof(out->nonce)));
	if (alg == KEYS_KDF_NONE) {
		if (out->kdf.ops != 0 || out->kdf.mem != 0 ||
		    !all_zero(out->kdf.salt, sizeof(out->kdf.salt)) ||
		    !all_zero(out->nonce, sizeof(out->nonce)))
			return rd_fail(&rd, PL_E_PROTO, off,
			               "kdf parameters must be zero when kdf is none");
	} else if (keys_kdf_check(&out->kdf) != PL_OK) {
		return rd_fail(&rd, PL_E_PROTO, off, "%s", pl_err_msg());
	}
	off = rd.off;
	PL_TRY(rd_u32be(&rd, "record_len", &out->record_len));
	if (out->record_len < 1 || out->record_len > PARTY_ENCODED_MAX)
		return rd_fail(&rd, PL_E_TOOBIG, off, "record_len %u not in 1..%d", out->record_len,
		               PARTY_ENCODED_MAX);
	PL_TRY(rd_ptr(&rd, "record", out->record_len, &out->record));
	out->header_len = rd.off;
	want = alg == KEYS_KDF_NONE ? KEYS_SECRET_LEN : KEYS_WRAPPED_LEN;
	off = rd.off;
	if (rd.left != want)
		return rd_fail(&rd, rd.left < want ? PL_E_TRUNC : PL_E_PROTO, off,
		               "secret is %zu bytes, want %zu", rd.left, want);
	out->secret_len = want;
	PL_TRY(rd_ptr(&rd, "secret", want, &out->secret));
	return rd_end(&rd);
}

enum pl_err
keyfile_write_header(struct buf *b, const struct keyfile *kf)
{
	if (kf->record_len < 1 || kf->record_len > PARTY_ENCODED_MAX)
		return pl_errf(PL_E_ARG, "key file: record of %u bytes", kf->record_len);
	PL_TRY(codec_label_write(b, KEYFILE_LABEL));
	PL_TRY(buf_add_u8(b, KEYFILE_VERSION));
	PL_TRY(buf_add_u8(b, (uint8_t)kf->kdf.alg));
	PL_TRY(buf_add_u64be(b, kf->kdf.ops));
	PL_TRY(buf_add_u64be(b, kf->kdf.mem));
	PL_TRY(buf_add(b, kf->kdf.salt, sizeof(kf->kdf.salt)));
	PL_TRY(buf_add(b, kf->nonce, sizeof(kf->nonce)));
	PL_TRY(buf_add_u32be(b, kf->record_len));
	return buf_add(b, kf->record, kf->record_len);
}
