/*
 * fuzz_bundle.c - bundle_read, then bundle_verify of whatever it accepts,
 * without a policy and under a fixed one; and the writer, fed every record
 * the reader found, gives back the same bytes (one encoding per bundle).
 *
 * Seed corpus (tests/fuzz/corpus/bundle/): the bundles test_bundle writes,
 * which are reproducible because it then draws from a deterministic random
 * source, and cuts of the valid one:
 *
 *   make build/tests/test_bundle
 *   build/tests/test_bundle --write /tmp/b
 *   cp /tmp/b/good.bundle /tmp/b/gap.bundle /tmp/b/no-proofs.bundle tests/fuzz/corpus/bundle/
 *   for n in 17 253 1625 4112 4790 9000; do
 *       head -c $n /tmp/b/good.bundle >tests/fuzz/corpus/bundle/good.trunc-$n; done
 */
#include "core/bundle.h"
#include "core/identity.h"
#include "fuzz.h"

static struct bundle_policy *
fuzz_policy(void)
{
	static struct bundle_policy pol;
	static int made;
	char fp[PARTY_FP_STR_LEN + 1], line[256];
	struct note_key wk;
	struct buf vk;

	if (made)
		return &pol;
	bundle_policy_init(&pol);
	identity_fingerprint(fp, "us-nrrc", keys_sign_pk(fuzz_keys()));
	(void)snprintf(line, sizeof(line), "party us-nrrc %s", fp);
	if (bundle_policy_line(&pol, line, 1) != PL_OK ||
	    note_key_make(&wk, ENTRY_WITNESS_PREFIX "osce-witness", NOTE_TYPE_COSIG,
	                  keys_sign_pk(fuzz_keys())) != PL_OK)
		abort();
	buf_init(&vk, 200);
	if (buf_add_str(&vk, "witness ") != PL_OK || note_key_fmt(&vk, &wk) != PL_OK ||
	    buf_add_u8(&vk, 0) != PL_OK || bundle_policy_line(&pol, (char *)vk.data, 2) != PL_OK ||
	    bundle_policy_finish(&pol) != PL_OK)
		abort();
	buf_reset(&vk);
	made = 1;
	return &pol;
}

/* Write every record of b again; the bundle must come out byte for byte. */
static void
rewrite(const struct bundle *b, const uint8_t *data, size_t size)
{
	struct bundle_writer w;
	struct buf out;
	size_t i;
	int ok = 1;

	bundle_writer_init(&w);
	for (i = 0; ok && i < b->n_parties; i++)
		ok = bundle_writer_add_party(&w, b->parties[i].raw, b->parties[i].raw_len) == PL_OK;
	for (i = 0; ok && i < b->n_envs; i++)
		ok = bundle_writer_add_envelope(&w, b->envs[i].raw, b->envs[i].raw_len) == PL_OK;
	for (i = 0; ok && i < b->n_rcpts; i++)
		ok = bundle_writer_add_receipt(&w, b->rcpts[i].raw, b->rcpts[i].raw_len) == PL_OK;
	for (i = 0; ok && i < b->n_discs; i++)
		ok = bundle_writer_add_disclosure(&w, b->discs[i].env_id, b->discs[i].key) == PL_OK;
	for (i = 0; ok && i < b->n_cps; i++)
		ok = bundle_writer_add_checkpoint(&w, b->cps[i].note, b->cps[i].note_len) == PL_OK;
	for (i = 0; ok && i < b->n_incls; i++) {
		const struct bundle_inclusion *in = &b->incls[i];

		ok = bundle_writer_add_inclusion(&w, in->party, in->size, in->index, in->entry,
		                                 in->entry_len, in->hashes, in->n_hashes) == PL_OK;
	}
	for (i = 0; ok && i < b->n_cons; i++) {
		const struct bundle_consistency *co = &b->cons[i];

		ok = bundle_writer_add_consistency(&w, co->party, co->old_size, co->new_size,
		                                   co->hashes, co->n_hashes) == PL_OK;
	}
	buf_init_secret(&out, BUNDLE_MAX);
	if (!ok || bundle_writer_finish(&w, &out) != PL_OK || out.len != size ||
	    memcmp(out.data, data, size) != 0)
		abort();
	buf_reset(&out);
	bundle_writer_reset(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle b;
	struct bundle_report rep;
	enum pl_err err;

	(void)fuzz_keys();
	if (bundle_read(&b, data, size) == PL_OK) {
		/* A failure is always reported, and only then. */
		err = bundle_verify(&b, NULL, &rep);
		if (err != PL_E_NOMEM && (err == PL_OK) != (rep.n_failures == 0))
			abort();
		bundle_report_reset(&rep);
		err = bundle_verify(&b, fuzz_policy(), &rep);
		if (err != PL_E_NOMEM && (err == PL_OK) != (rep.n_failures == 0))
			abort();
		bundle_report_reset(&rep);
		rewrite(&b, data, size);
	}
	bundle_reset(&b);
	return 0;
}
