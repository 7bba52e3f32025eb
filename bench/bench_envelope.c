/*
 * bench_envelope.c - what the envelope layer costs on top of its
 * cryptography.
 *
 * For 1 KiB bodies to 2 and to 10 recipients it measures
 *
 *   seal+sign         envelope_seal(), against the raw libsodium operations
 *                     it consists of: one random body key and nonce, N
 *                     crypto_box_seal of the 32-byte key, one
 *                     XChaCha20-Poly1305 encryption of the body with the
 *                     real header as associated data, and one
 *                     crypto_sign_detached over the real signed length;
 *   read+verify+open  env_read() + envelope_verify() + envelope_open() for
 *                     one recipient, against crypto_sign_verify_detached
 *                     over the same length, one crypto_box_seal_open and
 *                     one XChaCha20-Poly1305 decryption of the body.
 *
 * The ratio parley/raw is what is reported: 1.0 means the encoding, checks
 * and memory handling cost nothing measurable.  Each side runs for
 * ROUND_SECS at a time in the same loop; ROUNDS rounds of the two are
 * interleaved (alternating which goes first, so drift in clock speed hits
 * both alike) and the median rate of each side is taken, because the
 * machines this runs on are shared and noisy.  About 10 s in all.
 *
 * Only this baseline calls libsodium directly; the parley side goes through
 * the library's own API.  Benchmarks report, they do not fail on a missed
 * target: the program exits non-zero only if an operation fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/envelope.h"
#include "bench.h"
#include "crypto/cr.h"

#define BODY       1024 /* plaintext bytes */
#define N_TO_MAX   10   /* largest recipient count measured */
#define ROUNDS     5
#define ROUND_SECS 0.25
#define TARGET     0.90

struct ctx {
	size_t n_to;
	/* parley side */
	struct keys *sender, *rcpt[N_TO_MAX];
	struct envelope_to to[N_TO_MAX];
	char names[N_TO_MAX][8];
	uint8_t plain[BODY];
	struct buf enc;       /* one sealed envelope, for the receive side */
	struct buf out;       /* seal output, emptied before each seal */
	struct buf plain_out; /* open output, emptied before each open */
	struct env e;
	/* raw side: the same lengths as the real envelope */
	size_t hdr_len; /* the real header's length: the body's associated data */
	size_t msg_len; /* header + body ciphertext: what the signature covers */
	uint8_t pk[N_TO_MAX][crypto_box_PUBLICKEYBYTES], sk[N_TO_MAX][crypto_box_SECRETKEYBYTES];
	uint8_t spk[crypto_sign_PUBLICKEYBYTES], ssk[crypto_sign_SECRETKEYBYTES];
	uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	uint8_t sealed[N_TO_MAX]
	              [crypto_box_SEALBYTES + crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	uint8_t msg[ENV_ENCODED_MAX]; /* header, then body ciphertext */
	uint8_t sig[crypto_sign_BYTES];
	uint8_t opened[BODY];
};

static void
fail(const char *what)
{
	(void)fprintf(stderr, "bench: %s failed\n", what);
	exit(1);
}

static void
op_seal(struct ctx *c)
{
	struct envelope_draft d = {
		.channel = "cyber",
		.sender = "p0",
		.seq = 1,
		.kind = ENV_KIND_MESSAGE,
		.prec = ENV_PREC_ROUTINE,
		.time_ms = 1767225600000ULL,
		.n_to = c->n_to,
		.to = c->to,
		.plain = c->plain,
		.plain_len = BODY,
	};
	uint8_t id[HASH_LEN];

	c->out.len = 0;
	must(envelope_seal(&c->out, id, &d, c->sender), "envelope_seal");
}

static void
raw_seal(struct ctx *c)
{
	size_t i;

	randombytes_buf(c->key, sizeof(c->key));
	randombytes_buf(c->nonce, sizeof(c->nonce));
	for (i = 0; i < c->n_to; i++)
		if (crypto_box_seal(c->sealed[i], c->key, sizeof(c->key), c->pk[i]) != 0)
			fail("crypto_box_seal");
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(c->msg + c->hdr_len, NULL, c->plain, BODY,
	                                               c->msg, c->hdr_len, NULL, c->nonce,
	                                               c->key) != 0)
		fail("crypto_aead_xchacha20poly1305_ietf_encrypt");
	if (crypto_sign_detached(c->sig, NULL, c->msg, c->msg_len, c->ssk) != 0)
		fail("crypto_sign_detached");
}

static void
op_open(struct ctx *c)
{
	must(env_read(&c->e, c->enc.data, c->enc.len), "env_read");
	must(envelope_verify(&c->e, keys_sign_pk(c->sender)), "envelope_verify");
	c->plain_out.len = 0;
	must(envelope_open(&c->plain_out, &c->e, c->names[1], c->rcpt[1]), "envelope_open");
}

static void
raw_open(struct ctx *c)
{
	uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];

	if (crypto_sign_verify_detached(c->sig, c->msg, c->msg_len, c->spk) != 0)
		fail("crypto_sign_verify_detached");
	if (crypto_box_seal_open(key, c->sealed[1], sizeof(c->sealed[1]), c->pk[1], c->sk[1]) != 0)
		fail("crypto_box_seal_open");
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(c->opened, NULL, NULL, c->msg + c->hdr_len,
	                                               BODY + AEAD_TAG_LEN, c->msg, c->hdr_len,
	                                               c->nonce, key) != 0)
		fail("crypto_aead_xchacha20poly1305_ietf_decrypt");
}

/* Operations per second of f over about ROUND_SECS. */
static double
rate(void (*f)(struct ctx *), struct ctx *c)
{
	double t0 = now(), t;
	unsigned long n = 0;

	do {
		f(c);
		n++;
	} while ((t = now() - t0) < ROUND_SECS);
	return (double)n / t;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
measure(const char *name, void (*mine)(struct ctx *), void (*raw)(struct ctx *), struct ctx *c)
{
	double a[ROUNDS], b[ROUNDS], ra, rb;
	int i;

	/* Warm up both sides (caches, branch predictors, lazily mapped pages). */
	mine(c);
	raw(c);
	for (i = 0; i < ROUNDS; i++) {
		if (i % 2 == 0) {
			a[i] = rate(mine, c);
			b[i] = rate(raw, c);
		} else {
			b[i] = rate(raw, c);
			a[i] = rate(mine, c);
		}
	}
	qsort(a, ROUNDS, sizeof(a[0]), cmp_double);
	qsort(b, ROUNDS, sizeof(b[0]), cmp_double);
	ra = a[ROUNDS / 2];
	rb = b[ROUNDS / 2];
	(void)printf("%-34s %12.0f %12.0f %7.3f %7.2f  %s\n", name, ra, rb, ra / rb, TARGET,
	             ra / rb >= TARGET ? "PASS" : "BELOW");
	(void)fflush(stdout);
}

static struct keys *
new_keys(void)
{
	struct keys *k;

	if ((k = keys_new()) == NULL)
		fail("keys_new");
	return k;
}

static void
setup(struct ctx *c, size_t n_to)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->n_to = n_to;
	/* The sender is recipient p0; the receive side opens as p1. */
	c->sender = new_keys();
	for (i = 0; i < n_to; i++) {
		(void)snprintf(c->names[i], sizeof(c->names[i]), "p%zu", i);
		c->rcpt[i] = i == 0 ? c->sender : new_keys();
		c->to[i].party = c->names[i];
		c->to[i].box_pk = keys_box_pk(c->rcpt[i]);
		if (crypto_box_keypair(c->pk[i], c->sk[i]) != 0)
			fail("crypto_box_keypair");
	}
	if (crypto_sign_keypair(c->spk, c->ssk) != 0)
		fail("crypto_sign_keypair");
	randombytes_buf(c->plain, sizeof(c->plain));
	buf_init(&c->enc, ENV_ENCODED_MAX);
	buf_init(&c->out, ENV_ENCODED_MAX);
	buf_init_secret(&c->plain_out, ENV_PLAIN_MAX);

	/* One real envelope: the receive side's input and the raw side's lengths. */
	op_seal(c);
	must(buf_add(&c->enc, c->out.data, c->out.len), "buf_add");
	must(env_read(&c->e, c->enc.data, c->enc.len), "env_read");
	c->hdr_len = c->e.ad_len;
	c->msg_len = c->hdr_len + BODY + AEAD_TAG_LEN;
	if (c->msg_len + SIG_LEN != c->enc.len || c->msg_len > sizeof(c->msg))
		fail("length bookkeeping");
	/* The raw side's associated data is the real header, byte for byte. */
	memcpy(c->msg, c->enc.data, c->hdr_len);

	/* Both sides must really round-trip before they are timed. */
	op_open(c);
	if (c->plain_out.len != BODY || memcmp(c->plain_out.data, c->plain, BODY) != 0)
		fail("envelope_open round trip");
	raw_seal(c);
	raw_open(c);
	if (memcmp(c->opened, c->plain, BODY) != 0)
		fail("raw round trip");
}

static void
teardown(struct ctx *c)
{
	size_t i;

	for (i = 1; i < c->n_to; i++)
		keys_free(c->rcpt[i]);
	keys_free(c->sender);
	buf_reset(&c->enc);
	buf_reset(&c->out);
	buf_reset(&c->plain_out);
	sodium_memzero(c, sizeof(*c));
}

int
main(void)
{
	static struct ctx c;
	const size_t sizes[] = { 2, N_TO_MAX };
	char name[64];
	size_t i;

	must(cr_init(), "cr_init");
	(void)printf("envelope benchmark, 1 KiB bodies: ratio = parley ops/s / ops/s of the raw "
	             "libsodium calls it consists of (same run, median of %d interleaved rounds "
	             "of %.2f s; 1.0 = no overhead)\n\n",
	             ROUNDS, ROUND_SECS);
	(void)printf("%-34s %12s %12s %7s %7s  %s\n", "case", "parley op/s", "raw op/s", "ratio",
	             "target", "result");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		setup(&c, sizes[i]);
		(void)snprintf(name, sizeof(name), "seal+sign, %zu recipients", sizes[i]);
		measure(name, op_seal, raw_seal, &c);
		(void)snprintf(name, sizeof(name), "read+verify+open, %zu recipients", sizes[i]);
		measure(name, op_open, raw_open, &c);
		teardown(&c);
	}
	return 0;
}
