/*
 * bench_envelope.c - what the envelope layer costs on top of its
 * cryptography.
 *
 * For 1 KiB bodies to 2 and to 10 recipients it measures sealing
 * (envelope_seal) and receiving (env_read + envelope_verify + envelope_open),
 * and, in the same run and the same loop, the raw libsodium operations each
 * consists of.  The ratio parley/raw is what is reported: 1.0 means the
 * encoding, checks and memory handling cost nothing measurable.  Rounds of
 * parley and raw are interleaved and the median taken, because the machines
 * this runs on are noisy.
 *
 * Benchmarks report; they do not fail on a missed target.  The program
 * exits non-zero only if an operation fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/envelope.h"
#include "crypto/cr.h"

#define BODY       1024
#define ROUNDS     5
#define ROUND_SECS 0.25
#define TARGET     0.90

struct ctx {
	size_t n_to;
	struct keys *sender, *rcpt[10];
	struct envelope_to to[10];
	char names[10][8];
	uint8_t plain[BODY];
	struct buf enc; /* one sealed envelope, for the receive side */
	struct buf out; /* scratch */
	struct buf plain_out;
	struct env e;
	size_t hdr_len;
	/* raw baseline material */
	uint8_t pk[10][32], sk[10][32];
	uint8_t ssk[64], spk[32];
	uint8_t sealed[10][80];
	uint8_t raw_nonce[24]; /* of the last raw_seal, so raw_open really decrypts */
	uint8_t scratch[2 * BODY + 4096];
};

static double
now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
must(enum pl_err err, const char *what)
{
	if (err != PL_OK) {
		(void)fprintf(stderr, "bench: %s failed: %s\n", what, pl_err_msg());
		exit(1);
	}
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
	uint8_t key[32], nonce[24];
	size_t i, n = c->hdr_len + BODY + 16;

	randombytes_buf(key, sizeof(key));
	randombytes_buf(nonce, sizeof(nonce));
	memcpy(c->raw_nonce, nonce, sizeof(nonce));
	for (i = 0; i < c->n_to; i++)
		if (crypto_box_seal(c->sealed[i], key, 32, c->pk[i]) != 0)
			exit(1);
	(void)crypto_aead_xchacha20poly1305_ietf_encrypt(c->scratch + c->hdr_len, NULL, c->plain,
	                                                 BODY, c->scratch, c->hdr_len, NULL, nonce,
	                                                 key);
	(void)crypto_sign_detached(c->scratch + n, NULL, c->scratch, n, c->ssk);
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
	uint8_t key[32];
	size_t n = c->hdr_len + BODY + 16;

	if (crypto_sign_verify_detached(c->scratch + n, c->scratch, n, c->spk) != 0 ||
	    crypto_box_seal_open(key, c->sealed[1], 80, c->pk[1], c->sk[1]) != 0 ||
	    crypto_aead_xchacha20poly1305_ietf_decrypt(
	            c->scratch + 2048, NULL, NULL, c->scratch + c->hdr_len, BODY + 16, c->scratch,
	            c->hdr_len, c->raw_nonce, key) != 0) {
		(void)fprintf(stderr, "bench: raw open failed\n");
		exit(1);
	}
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

	for (i = 0; i < ROUNDS; i++) {
		a[i] = rate(mine, c);
		b[i] = rate(raw, c);
	}
	qsort(a, ROUNDS, sizeof(a[0]), cmp_double);
	qsort(b, ROUNDS, sizeof(b[0]), cmp_double);
	ra = a[ROUNDS / 2];
	rb = b[ROUNDS / 2];
	(void)printf("%-34s %12.0f %12.0f %7.3f %7.2f  %s\n", name, ra, rb, ra / rb, TARGET,
	             ra / rb >= TARGET ? "PASS" : "BELOW");
}

static void
setup(struct ctx *c, size_t n_to)
{
	uint8_t id[HASH_LEN];
	size_t i;

	memset(c, 0, sizeof(*c));
	c->n_to = n_to;
	c->sender = keys_new();
	for (i = 0; i < n_to; i++) {
		(void)snprintf(c->names[i], sizeof(c->names[i]), "p%zu", i);
		c->rcpt[i] = i == 0 ? c->sender : keys_new();
		c->to[i].party = c->names[i];
		c->to[i].box_pk = keys_box_pk(c->rcpt[i]);
		crypto_box_keypair(c->pk[i], c->sk[i]);
	}
	crypto_sign_keypair(c->spk, c->ssk);
	randombytes_buf(c->plain, sizeof(c->plain));
	buf_init(&c->enc, ENV_ENCODED_MAX);
	buf_init(&c->out, ENV_ENCODED_MAX);
	buf_init_secret(&c->plain_out, ENV_PLAIN_MAX);
	op_seal(c);
	must(buf_add(&c->enc, c->out.data, c->out.len), "copy");
	(void)id;
	must(env_read(&c->e, c->enc.data, c->enc.len), "env_read");
	c->hdr_len = c->e.ad_len;
	/* The raw side signs and encrypts a message of the same length as the real one. */
	raw_seal(c);
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
}

int
main(void)
{
	static struct ctx c;
	size_t sizes[] = { 2, 10 }, i;
	char name[64];

	if (cr_init() != PL_OK)
		return 1;
	(void)printf("envelope benchmark: 1 KiB bodies; ratio = parley rate / rate of the raw "
	             "libsodium operations it consists of (same run, median of %d rounds)\n\n",
	             ROUNDS);
	(void)printf("%-34s %12s %12s %7s %7s\n", "case", "parley op/s", "raw op/s", "ratio",
	             "target");
	for (i = 0; i < 2; i++) {
		setup(&c, sizes[i]);
		(void)snprintf(name, sizeof(name), "seal+sign, %zu recipients", sizes[i]);
		measure(name, op_seal, raw_seal, &c);
		(void)snprintf(name, sizeof(name), "read+verify+open, %zu recipients", sizes[i]);
		measure(name, op_open, raw_open, &c);
		teardown(&c);
	}
	return 0;
}
