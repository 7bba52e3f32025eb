/*
 * proof.c - tlog-proof@v1 (tlog-proof.md) and trust policies.
 */
#include <stdio.h>
#include <string.h>

#include "../crypto/cr.h"
#include "../wire/codec.h"
#include "proof.h"

/* The next line of [*p, end), without its newline. */
static int
line(const char **p, const char *end, const char **l, size_t *len)
{
	const char *nl;

	if (*p >= end || (nl = memchr(*p, '\n', (size_t)(end - *p))) == NULL)
		return 0;
	*l = *p;
	*len = (size_t)(nl - *p);
	*p = nl + 1;
	return 1;
}

enum pl_err
proof_read(struct tlog_proof *out, const char *p, size_t n)
{
	const char *end = p + n, *l = NULL;
	size_t len = 0, got;

	memset(out, 0, offsetof(struct tlog_proof, hashes));
	out->n_hashes = 0;
	out->checkpoint = NULL;
	out->checkpoint_len = 0;
	if (n > PROOF_MAX)
		return pl_errf(PL_E_TOOBIG, "tlog-proof: %zu bytes > %d", n, (int)PROOF_MAX);
	/* SPEC: tlog-proof "The first line MUST be the string c2sp.org/tlog-proof@v1" */
	if (!line(&p, end, &l, &len) || len != strlen(PROOF_HEADER) ||
	    memcmp(l, PROOF_HEADER, len) != 0)
		return pl_errf(PL_E_PROTO, "tlog-proof: first line is not %s", PROOF_HEADER);
	if (!line(&p, end, &l, &len))
		return pl_errf(PL_E_PROTO, "tlog-proof: missing index line");
	/* SPEC: tlog-proof optional "extra" line with base64 data */
	if (len >= 6 && memcmp(l, "extra ", 6) == 0) {
		if (cr_b64_decode(out->extra, sizeof(out->extra), &out->extra_len, l + 6,
		                  len - 6) != PL_OK)
			return pl_errf(PL_E_PROTO,
			               "tlog-proof: extra is not base64 of at most %d "
			               "bytes",
			               PROOF_EXTRA_MAX);
		if (!line(&p, end, &l, &len))
			return pl_errf(PL_E_PROTO, "tlog-proof: missing index line");
	}
	/* SPEC: tlog-proof "index" line, decimal without leading zeroes */
	if (len < 7 || memcmp(l, "index ", 6) != 0 || !codec_dec_parse(l + 6, len - 6, &out->index))
		return pl_errf(PL_E_PROTO, "tlog-proof: bad index line");
	for (;;) {
		if (!line(&p, end, &l, &len))
			return pl_errf(PL_E_PROTO,
			               "tlog-proof: no empty line before the checkpoint");
		if (len == 0)
			break;
		if (out->n_hashes == MERKLE_PROOF_MAX)
			return pl_errf(PL_E_TOOBIG, "tlog-proof: more than %d proof hashes",
			               MERKLE_PROOF_MAX);
		if (cr_b64_decode(out->hashes[out->n_hashes], HASH_LEN, &got, l, len) != PL_OK ||
		    got != HASH_LEN)
			return pl_errf(PL_E_PROTO,
			               "tlog-proof: proof hash %zu is not base64 of 32 "
			               "bytes",
			               out->n_hashes);
		out->n_hashes++;
	}
	if (p >= end)
		return pl_errf(PL_E_PROTO, "tlog-proof: no checkpoint");
	out->checkpoint = p;
	out->checkpoint_len = (size_t)(end - p);
	return PL_OK;
}

enum pl_err
proof_write(struct buf *out, const uint8_t *extra, size_t extra_len, uint64_t index,
            const uint8_t (*hashes)[HASH_LEN], size_t n_hashes, const char *checkpoint,
            size_t checkpoint_len)
{
	char b64[CR_B64_LEN(PROOF_EXTRA_MAX)];
	size_t start = out->len, i;
	enum pl_err err;

	if (extra_len > PROOF_EXTRA_MAX || n_hashes > MERKLE_PROOF_MAX)
		return pl_errf(PL_E_ARG, "tlog-proof: extra or proof too long");
	err = buf_addf(out, "%s\n", PROOF_HEADER);
	if (err == PL_OK && extra != NULL) {
		cr_b64_encode(b64, sizeof(b64), extra, extra_len);
		err = buf_addf(out, "extra %s\n", b64);
	}
	if (err == PL_OK)
		err = buf_addf(out, "index %llu\n", (unsigned long long)index);
	for (i = 0; err == PL_OK && i < n_hashes; i++) {
		cr_b64_encode(b64, sizeof(b64), hashes[i], HASH_LEN);
		err = buf_addf(out, "%s\n", b64);
	}
	if (err == PL_OK)
		err = buf_add_u8(out, '\n');
	if (err == PL_OK)
		err = buf_add(out, checkpoint, checkpoint_len);
	if (err != PL_OK)
		out->len = start;
	return err;
}

void
policy_init(struct policy *pol)
{
	memset(pol, 0, sizeof(*pol));
}

enum pl_err
policy_line(struct policy *pol, const char *l, size_t lineno)
{
	char val[1024];
	const char *sp;
	size_t klen;
	uint64_t q;

	while (*l == ' ' || *l == '\t')
		l++;
	if (*l == '\0' || *l == '#')
		return PL_OK;
	if ((sp = strchr(l, ' ')) == NULL)
		return pl_errf(PL_E_PROTO,
		               "policy line %zu: want 'log', 'witness' or 'quorum' "
		               "and a value",
		               lineno);
	klen = (size_t)(sp - l);
	if ((size_t)snprintf(val, sizeof(val), "%s", sp + 1) >= sizeof(val))
		return pl_errf(PL_E_PROTO, "policy line %zu: too long", lineno);
	if (klen == 3 && memcmp(l, "log", 3) == 0) {
		if (pol->has_log)
			return pl_errf(PL_E_PROTO, "policy line %zu: a second log key", lineno);
		if (note_key_parse(&pol->log, val) != PL_OK)
			return pl_errf(PL_E_PROTO, "policy line %zu: %s", lineno, pl_err_msg());
		if (pol->log.type != NOTE_TYPE_ED25519)
			return pl_errf(PL_E_PROTO,
			               "policy line %zu: the log key must be an "
			               "Ed25519 (0x01) vkey",
			               lineno);
		pol->has_log = 1;
	} else if (klen == 7 && memcmp(l, "witness", 7) == 0) {
		struct note_key *w = &pol->witnesses[pol->n_witnesses];

		if (pol->n_witnesses == POLICY_WITNESSES_MAX)
			return pl_errf(PL_E_PROTO, "policy line %zu: more than %d witnesses",
			               lineno, POLICY_WITNESSES_MAX);
		if (note_key_parse(w, val) != PL_OK)
			return pl_errf(PL_E_PROTO, "policy line %zu: %s", lineno, pl_err_msg());
		if (w->type != NOTE_TYPE_COSIG)
			return pl_errf(PL_E_PROTO,
			               "policy line %zu: a witness key must be a "
			               "cosignature (0x04) vkey",
			               lineno);
		pol->n_witnesses++;
	} else if (klen == 6 && memcmp(l, "quorum", 6) == 0) {
		if (pol->quorum_set || !codec_dec_parse(val, strlen(val), &q) ||
		    q > POLICY_WITNESSES_MAX)
			return pl_errf(PL_E_PROTO, "policy line %zu: bad or repeated quorum",
			               lineno);
		pol->quorum = (size_t)q;
		pol->quorum_set = 1;
	} else {
		return pl_errf(PL_E_PROTO, "policy line %zu: unknown key '%.*s'", lineno, (int)klen,
		               l);
	}
	return PL_OK;
}

enum pl_err
policy_finish(struct policy *pol)
{
	if (!pol->has_log)
		return pl_errf(PL_E_PROTO, "policy: no log key");
	if (!pol->quorum_set)
		pol->quorum = pol->n_witnesses;
	if (pol->quorum > pol->n_witnesses)
		return pl_errf(PL_E_PROTO, "policy: quorum %zu but only %zu witnesses", pol->quorum,
		               pol->n_witnesses);
	return PL_OK;
}

enum pl_err
policy_check_checkpoint(struct proof_result *res, const struct policy *pol, const char *note,
                        size_t note_len)
{
	static _Thread_local struct note n;
	size_t i;

	memset(res, 0, sizeof(*res));
	if (!pol->has_log)
		return pl_errf(PL_E_ARG, "policy: no log key");
	PL_TRY(checkpoint_open(&res->cp, &n, note, note_len, &pol->log, pol->witnesses,
	                       pol->n_witnesses, res->seen));
	if (strcmp(res->cp.origin, pol->log.name) != 0)
		return pl_errf(PL_E_CRYPTO, "checkpoint: origin '%s' is not the log '%s'",
		               res->cp.origin, pol->log.name);
	for (i = 0; i < pol->n_witnesses; i++)
		res->n_cosigned += res->seen[1 + i].verified != 0;
	if (res->n_cosigned < pol->quorum)
		return pl_errf(PL_E_CRYPTO,
		               "checkpoint: cosigned by %zu of %zu witnesses, the "
		               "policy needs %zu",
		               res->n_cosigned, pol->n_witnesses, pol->quorum);
	return PL_OK;
}

enum pl_err
proof_verify(struct proof_result *res, const struct tlog_proof *pr, const struct policy *pol,
             const uint8_t leaf_hash[static HASH_LEN])
{
	PL_TRY(policy_check_checkpoint(res, pol, pr->checkpoint, pr->checkpoint_len));
	if (merkle_verify_inclusion(leaf_hash, pr->index, res->cp.size,
	                            (const uint8_t(*)[HASH_LEN])pr->hashes, pr->n_hashes,
	                            res->cp.root) != PL_OK)
		return pl_errf(PL_E_CRYPTO,
		               "tlog-proof: entry %llu is not in the tree of size "
		               "%llu (%s)",
		               (unsigned long long)pr->index, (unsigned long long)res->cp.size,
		               pl_err_msg());
	return PL_OK;
}
