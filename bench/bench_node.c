/*
 * bench_node.c - two nodes on loopback, end to end.
 *
 * Two real nodes in one process, each with its own SQLite store (WAL,
 * synchronous=FULL), its HTTP service on 127.0.0.1 and its delivery
 * workers: what parleyd runs, minus the process boundary.
 *
 *   throughput  N envelopes with 1 KiB bodies sent on one channel by NS (16)
 *               threads at node A, as many officers or scripts would
 *               (node_send: sealed, signed, stored, queued), delivered over
 *               HTTP to B (verified, stored, receipted), receipts verified
 *               and stored at A; from the first send to the last receipt
 *               stored.  Baseline, measured in the same run: the crypto-bound
 *               ceiling, i.e. seal+sign, read+verify+open, receipt sign and
 *               receipt verify of one such envelope through the library,
 *               run on every core at once, once before and once after the
 *               throughput run (the mean).  Target: ratio >= 0.5.
 *   FLASH       while R ROUTINE envelopes are queued on one channel, FLASH
 *               envelopes sent one at a time on another channel: time from
 *               node_send returning to the receipt stored at A, p50 and p99.
 *               Target: p99 < 20 ms.
 *
 *   audit       a third node, a witness-only one, and cosigning on A and B:
 *               from node_send returning (the sent entry appended) to A
 *               serving a checkpoint that covers it, cosigned by B and the
 *               witness; p50 and p99 of 100.  Target: p99 < 1 s.
 *
 *   memory      BENCH_NODE_STORED envelopes (default 1000000; 0 skips it)
 *               stored by a node whose peer is away, then the node closed,
 *               opened again and asked for its status, a list and the next
 *               delivery batch: the process's resident memory (VmRSS)
 *               before opening and after, in MiB.
 *
 * BENCH_NODE_N (default 10000) and BENCH_NODE_ROUTINE (default 100000) set
 * the other sizes; BENCH_NODE_THROUGHPUT_ONLY, when set, stops after the
 * first row (for profiling it alone).  Reports; fails only if an operation fails.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "common/log.h"
#include "core/envelope.h"
#include "core/identity.h"
#include "core/node.h"
#include "core/receipt.h"
#include "bench.h"
#include "crypto/cr.h"
#include "sync/cosign.h"
#include "sync/sync.h"

#define BODY 1024
#define NS   16

static void
die(const char *what)
{
	fprintf(stderr, "bench_node: %s: %s\n", what, pl_err_msg());
	exit(1);
}

static unsigned
free_port(void)
{
	struct sockaddr_in a = { 0 };
	socklen_t n = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(s, (struct sockaddr *)&a, &n) != 0)
		die("free port");
	close(s);
	return ntohs(a.sin_port);
}

struct side {
	const char *id;
	uint8_t secret[KEYS_SECRET_LEN];
	struct buf rec;
	unsigned port;
	struct node *n;
	struct api *api;
	struct sync *sync;
	struct cosign *cosign;
	int witness_only;
};

static struct node_officer duty = { "bench", STORE_ROLE_DUTY | STORE_ROLE_ADMIN };
static char dir[64];

static void
notify(void *ctx, const char *peer, int urgent)
{
	struct side *s = ctx;

	sync_kick(s->sync, peer, urgent);
	if (s->cosign != NULL)
		cosign_kick(s->cosign);
}

static void
start(struct side *s, int seed)
{
	struct node_conf nc = { 0 };
	struct api_conf ac = { 0 };
	struct sync_conf sc = { 0 };
	struct party r;
	struct keys *k;
	char path[128], listen[64];

	memset(s->secret, seed, sizeof(s->secret));
	k = keys_from_secret(s->secret);
	s->port = free_port();
	memset(&r, 0, sizeof(r));
	r.version = PARTY_VERSION;
	(void)snprintf(r.id, sizeof(r.id), "%s", s->id);
	r.revision = 1;
	r.time_ms = 1;
	memcpy(r.sign_pk, keys_sign_pk(k), SIG_PK_LEN);
	memcpy(r.box_pk, keys_box_pk(k), BOX_PK_LEN);
	r.n_endpoints = 1;
	(void)snprintf(r.endpoints[0], sizeof(r.endpoints[0]), "http://127.0.0.1:%u", s->port);
	buf_init(&s->rec, PARTY_ENCODED_MAX);
	if (identity_sign(&s->rec, &r, k, NULL) != PL_OK)
		die("record");
	(void)snprintf(path, sizeof(path), "sqlite:%s/%s.db", dir, s->id);
	nc.store = path;
	nc.keys = k;
	nc.record = s->rec.data;
	nc.record_len = s->rec.len;
	nc.witness_only = s->witness_only;
	if (node_open(&s->n, &nc) != PL_OK)
		die("node_open");
	sc.plain_ok = 1;
	sc.backoff_min_ms = 50;
	sc.backoff_max_ms = 1000;
	if (sync_start(&s->sync, &sc, s->n) != PL_OK)
		die("sync_start");
	node_set_notify(s->n, notify, s);
	(void)snprintf(listen, sizeof(listen), "127.0.0.1:%u", s->port);
	ac.listen = listen;
	ac.plain_ok = 1;
	ac.threads = 4;
	ac.max_body = 64u << 20;
	if (api_start(&s->api, &ac, s->n) != PL_OK)
		die("api_start");
}

static void
pin(struct side *at, struct side *who)
{
	char fp[PARTY_FP_STR_LEN + 1];
	struct party p;
	struct keys *k = keys_from_secret(who->secret);

	identity_fingerprint(fp, who->id, keys_sign_pk(k));
	keys_free(k);
	if (node_peer_add(at->n, &duty, who->rec.data, who->rec.len, fp, &p) != PL_OK)
		die("pin");
}

static long long
pending(struct node *n)
{
	json_t *s, *p;
	long long total = 0;
	size_t i;

	if (node_status(n, &s) != PL_OK)
		die("status");
	p = json_object_get(s, "pending");
	for (i = 0; i < json_array_size(p); i++)
		total += json_integer_value(json_object_get(json_array_get(p, i), "envelopes"));
	json_decref(s);
	return total;
}

static int
channel_active(struct node *n, const char *name)
{
	json_t *l;
	size_t i;
	int active = 0;

	if (node_channel_list(n, &l) != PL_OK)
		die("channels");
	for (i = 0; i < json_array_size(l); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(l, i), "name")),
		           name) == 0 &&
		    strcmp(json_string_value(json_object_get(json_array_get(l, i), "state")),
		           "active") == 0)
			active = 1;
	json_decref(l);
	return active;
}

static void
channel(struct side *a, struct side *b, const char *name)
{
	const char *members[2] = { a->id, b->id };
	uint8_t id[HASH_LEN];
	int tries;

	if (node_channel_create(a->n, &duty, name, members, 2, NULL, id) != PL_OK)
		die("create");
	for (tries = 0; node_channel_accept(b->n, &duty, name, id) != PL_OK; tries++) {
		if (tries > 500)
			die("accept");
		usleep(10000);
	}
	for (tries = 0; !channel_active(a->n, name); tries++) {
		if (tries > 500)
			die("activate");
		usleep(10000);
	}
}

static char text[BODY + 1];
static json_t *texts;

static void
send_one(struct side *a, const char *channel_name, uint8_t prec, uint8_t id[HASH_LEN])
{
	struct node_send s = { 0 };

	s.channel = channel_name;
	s.prec = prec;
	s.format = "bench";
	s.version = 1;
	s.texts = texts;
	s.authoritative = "en";
	if (node_send(a->n, &duty, &s, id) != PL_OK)
		die("send");
}

struct sender {
	struct side *a;
	long count;
	uint8_t last[HASH_LEN]; /* the id of its last envelope */
};

static void *
sender(void *arg)
{
	struct sender *s = arg;
	long i;

	for (i = 0; i < s->count; i++)
		send_one(s->a, "bulk", ENV_PREC_ROUTINE, s->last);
	return NULL;
}

/* Seconds per envelope for the crypto alone, on one thread, through the library. */
static double
crypto_cost(void)
{
	uint8_t sa[KEYS_SECRET_LEN], sb[KEYS_SECRET_LEN], id[HASH_LEN], plain[BODY];
	struct keys *ka, *kb;
	struct envelope_to to[2];
	struct envelope_draft d = { 0 };
	struct buf enc, out, rc;
	struct rcpt r;
	struct env e;
	double t0, t;
	int i, n = 0;

	memset(sa, 1, sizeof(sa));
	memset(sb, 2, sizeof(sb));
	ka = keys_from_secret(sa);
	kb = keys_from_secret(sb);
	memset(plain, 'x', sizeof(plain));
	to[0] = (struct envelope_to){ "us-nrrc", keys_box_pk(ka) };
	to[1] = (struct envelope_to){ "ru-nrrc", keys_box_pk(kb) };
	d.channel = "bulk";
	d.sender = "us-nrrc";
	d.seq = 1;
	d.kind = ENV_KIND_MESSAGE;
	d.prec = ENV_PREC_ROUTINE;
	d.n_to = 2;
	d.to = to;
	d.plain = plain;
	d.plain_len = sizeof(plain);
	buf_init(&enc, ENV_ENCODED_MAX);
	buf_init_secret(&out, ENV_PLAIN_MAX);
	buf_init(&rc, RCPT_ENCODED_MAX);
	t0 = now();
	do {
		for (i = 0; i < 100; i++, n++) {
			enc.len = out.len = rc.len = 0;
			if (envelope_seal(&enc, id, &d, ka) != PL_OK ||
			    env_read(&e, enc.data, enc.len) != PL_OK ||
			    envelope_verify(&e, keys_sign_pk(ka)) != PL_OK ||
			    envelope_open(&out, &e, "ru-nrrc", kb) != PL_OK ||
			    receipt_sign(&rc, id, "ru-nrrc", 1, kb) != PL_OK ||
			    receipt_verify(&r, rc.data, rc.len, id, keys_sign_pk(kb)) != PL_OK)
				die("crypto baseline");
		}
		t = now() - t0;
	} while (t < 1.0);
	keys_free(ka);
	keys_free(kb);
	buf_reset(&enc);
	buf_reset(&out);
	buf_reset(&rc);
	return t / n;
}

static void *
crypto_thread(void *arg)
{
	*(double *)arg = crypto_cost();
	return NULL;
}

/*
 * The crypto-bound ceiling in envelopes per second: crypto_cost run on
 * every core at once, the rates added up.  What the cores really give
 * together, which on a shared or hyperthreaded machine is less than
 * cores times one core's rate.
 */
static double
crypto_ceiling(long cores, double *one)
{
	pthread_t th[64];
	double cost[64], rate = 0;
	long i;

	if (cores < 1)
		cores = 1;
	if (cores > 64)
		cores = 64;
	for (i = 0; i < cores; i++)
		if (pthread_create(&th[i], NULL, crypto_thread, &cost[i]) != 0)
			die("crypto ceiling thread");
	for (i = 0; i < cores; i++) {
		pthread_join(th[i], NULL);
		rate += 1 / cost[i];
	}
	*one = crypto_cost();
	return rate;
}

/* Median time of one small write + fsync in the stores' directory: the floor of any commit. */
static double
fsync_ms(void)
{
	char p[96], block[128] = { 0 };
	double t[21];
	int fd, i;

	(void)snprintf(p, sizeof(p), "%s/fsync-probe", dir);
	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		die("fsync probe");
	for (i = 0; i < 21; i++) {
		double t0 = now();

		if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block) || fsync(fd) != 0)
			die("fsync probe");
		t[i] = (now() - t0) * 1e3;
	}
	close(fd);
	(void)unlink(p);
	for (i = 1; i < 21; i++) { /* insertion sort: 21 values */
		double x = t[i];
		int k = i - 1;

		while (k >= 0 && t[k] > x) {
			t[k + 1] = t[k];
			k--;
		}
		t[k + 1] = x;
	}
	return t[10];
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Has A stored a receipt for id? */
static int
receipted(struct side *a, const uint8_t id[HASH_LEN])
{
	json_t *o;
	int done;

	if (node_show(a->n, &duty, id, &o) != PL_OK)
		die("show");
	done = json_array_size(json_object_get(o, "receipts")) > 0;
	json_decref(o);
	return done;
}

/* VmRSS of this process in MiB. */
static double
rss_mib(void)
{
	char line[256];
	double kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtod(line + 6, NULL);
	if (f != NULL)
		fclose(f);
	return kb / 1024;
}

/* A node with many envelopes stored: what it holds in memory once reopened. */
static void
memory_row(struct side *a, long stored)
{
	struct node_list_filter lf = { NULL, 0, 0, 100 };
	struct node_conf nc = { 0 };
	struct node_batch nb;
	struct sender s[16];
	pthread_t th[16];
	double before, after, t0;
	char path[128];
	json_t *j;
	int i;

	t0 = now();
	for (i = 0; i < 4; i++) {
		s[i] = (struct sender){ .a = a, .count = stored / 4 };
		pthread_create(&th[i], NULL, sender, &s[i]);
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	api_stop(a->api);
	sync_stop(a->sync);
	node_close(a->n);
	before = rss_mib();
	(void)snprintf(path, sizeof(path), "sqlite:%s/%s.db", dir, a->id);
	nc.store = path;
	nc.keys = keys_from_secret(a->secret);
	nc.record = a->rec.data;
	nc.record_len = a->rec.len;
	if (node_open(&a->n, &nc) != PL_OK)
		die("reopen");
	if (node_status(a->n, &j) != PL_OK)
		die("status");
	json_decref(j);
	if (node_list(a->n, &duty, &lf, &j) != PL_OK)
		die("list");
	json_decref(j);
	if (node_next_batch(a->n, "ru-nrrc", ENV_PREC_ROUTINE, NULL, 32, &nb) != PL_OK)
		die("batch");
	buf_reset(&nb.raw);
	after = rss_mib();
	printf("%-44s %.1f MiB before opening, %.1f MiB open (%ld envelopes stored in %.0f s)\n",
	       "resident memory, node reopened", before, after, stored / 4 * 4, now() - t0);
	node_close(a->n);
	a->n = NULL;
	a->api = NULL;
	a->sync = NULL;
}

/* A's checkpoint covers size entries and carries both cosignatures. */
static int
cosigned(struct side *a, uint64_t size, const char *w1, const char *w2)
{
	struct buf note;
	uint64_t have = 0;
	int ok;

	buf_init(&note, 1 << 16);
	ok = node_checkpoint_get(a->n, &note, &have) == PL_OK && have >= size &&
	     buf_add_u8(&note, 0) == PL_OK && strstr((const char *)note.data, w1) != NULL &&
	     strstr((const char *)note.data, w2) != NULL;
	buf_reset(&note);
	return ok;
}

static void
audit_row(struct side *a, struct side *b)
{
	struct side w = { .id = "osce-witness", .witness_only = 1 };
	struct cosign_conf cc = { 0 };
	double lat[100];
	uint8_t id[HASH_LEN];
	char w1[64], w2[64];
	int i;

	start(&w, 0x63);
	pin(a, &w);
	pin(b, &w);
	pin(&w, a);
	pin(&w, b);
	channel(a, b, "audit");
	cc.plain_ok = 1;
	if (cosign_start(&a->cosign, &cc, a->n) != PL_OK ||
	    cosign_start(&b->cosign, &cc, b->n) != PL_OK)
		die("cosign_start");
	(void)snprintf(w1, sizeof(w1), "parley.witness/%s ", b->id);
	(void)snprintf(w2, sizeof(w2), "parley.witness/%s ", w.id);
	for (i = 0; i < 100; i++) {
		json_t *st;
		uint64_t size;
		double t1;

		send_one(a, "audit", ENV_PREC_ROUTINE, id);
		t1 = now();
		if (node_status(a->n, &st) != PL_OK)
			die("status");
		size = (uint64_t)json_integer_value(
		        json_object_get(json_object_get(st, "transcript"), "size"));
		json_decref(st);
		while (!cosigned(a, size, w1, w2)) {
			if (now() - t1 > 30)
				die("no cosigned checkpoint within 30 s");
			usleep(500);
		}
		lat[i] = (now() - t1) * 1e3;
		/* Appends at uneven moments: a round may have just started, or be due. */
		usleep((useconds_t)(((unsigned)i * 7919u) % 150u) * 1000u);
	}
	qsort(lat, 100, sizeof(lat[0]), cmp_d);
	printf("%-44s p50 %.1f ms   p99 %.1f ms   (target p99 < 1 s; a peer and a witness "
	       "cosign; rounds >= 100 ms apart)\n",
	       "append -> cosigned checkpoint", lat[49], lat[98]);
	fflush(stdout);
	cosign_stop(a->cosign);
	cosign_stop(b->cosign);
	a->cosign = b->cosign = NULL;
	api_stop(w.api);
	sync_stop(w.sync);
	node_close(w.n);
	buf_reset(&w.rec);
}

static long
env_long(const char *name, long def)
{
	const char *v = getenv(name);
	char *end;
	long x;

	if (v == NULL)
		return def;
	x = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || x < 0 || x > 10000000) {
		fprintf(stderr, "bench_node: %s: want a number 0..10000000\n", name);
		exit(2);
	}
	return x;
}

/* The benchmark's directory and both stores in it. */
static void
remove_dir(void)
{
	char cmd[128];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_node: could not remove %s\n", dir);
}

/* User and system CPU time of the whole process so far, in seconds. */
static double
cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		die("getrusage");
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int
main(void)
{
	struct side a = { .id = "us-nrrc" }, b = { .id = "ru-nrrc" };
	long n = env_long("BENCH_NODE_N", 10000);
	long routine = env_long("BENCH_NODE_ROUTINE", 100000);
	long stored = env_long("BENCH_NODE_STORED", 1000000);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	struct sender s[16];
	pthread_t th[16];
	double cost, t0, t, t_sent, lat[50], ceiling, cpu0, cpu;
	uint8_t id[HASH_LEN];
	int i;

	if (cr_init() != PL_OK)
		die("cr_init");
	log_init("bench_node", 1, 0);
	(void)snprintf(dir, sizeof(dir), "/tmp/parley-bench-node-XXXXXX");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp");
	memset(text, 'x', BODY);
	texts = json_pack("{ss}", "en", text);
	start(&a, 0x21);
	start(&b, 0x42);
	pin(&a, &b);
	pin(&b, &a);
	channel(&a, &b, "bulk");
	channel(&a, &b, "hot");

	/*
	 * Throughput, between two measures of the ceiling (their mean is the
	 * baseline: the machine's speed drifts within a run).
	 */
	ceiling = crypto_ceiling(cores, &cost);
	cpu0 = cpu_seconds();
	t0 = now();
	for (i = 0; i < NS; i++) {
		s[i] = (struct sender){ .a = &a, .count = n / NS };
		pthread_create(&th[i], NULL, sender, &s[i]);
	}
	for (i = 0; i < NS; i++)
		pthread_join(th[i], NULL);
	t_sent = now() - t0;
	/*
	 * Done when each sender's last envelope has its receipt: delivery is
	 * in order on the channel, so all the others have theirs.  One cheap
	 * look every 2 ms (a status, which counts every pending delivery,
	 * would take CPU from what is measured).
	 */
	for (i = 0; i < NS; i++)
		while (!receipted(&a, s[i].last))
			usleep(2000);
	t = now() - t0;
	cpu = cpu_seconds() - cpu0;
	if (pending(a.n) != 0)
		die("throughput: receipts stored but deliveries pending");
	{
		double one;

		ceiling = (ceiling + crypto_ceiling(cores, &one)) / 2;
		cost = (cost + one) / 2;
	}

	printf("%-44s %12s %12s %8s\n", "end to end, 1 KiB bodies, A -> B", "parley/s", "ceiling/s",
	       "ratio");
	printf("%-44s %12.0f %12.0f %8.2f   (target >= 0.5; %ld cores; crypto %.0f us/envelope "
	       "on one core, ceiling %.2f x one core)\n",
	       "signed, sealed, stored, receipted", (double)(n / NS * NS) / t, ceiling,
	       (double)(n / NS * NS) / t / ceiling, cores, cost * 1e6, ceiling * cost);
	{
		unsigned long long ga, ja, gb, jb;

		node_commit_stats(a.n, &ga, &ja);
		node_commit_stats(b.n, &gb, &jb);
		printf("%-44s A %.1f, B %.1f writes per fsync (a write: one send, or a batch of "
		       "envelopes or of receipts); %.0f envelopes per batch delivered\n",
		       "group commit", (double)ja / (double)ga, (double)jb / (double)gb,
		       (double)(n / NS * NS) / (double)jb);
	}
	printf("%-44s %.0f %% of %ld cores busy during the run; crypto %.0f %% of that; all sent "
	       "at %.0f %% of the run\n",
	       "CPU", 100 * cpu / (t * (double)cores), cores,
	       100 * (double)(n / NS * NS) * cost / cpu, 100 * t_sent / t);
	fflush(stdout);
	if (getenv("BENCH_NODE_THROUGHPUT_ONLY") != NULL) {
		api_stop(b.api);
		sync_stop(b.sync);
		node_close(b.n);
		api_stop(a.api);
		sync_stop(a.sync);
		node_close(a.n);
		goto out;
	}
	audit_row(&a, &b);

	/*
	 * FLASH under a ROUTINE backlog on another channel: B is unreachable
	 * while the backlog is queued (an outage), then comes back; the FLASH
	 * envelopes are sent while the backlog drains.
	 */
	api_stop(b.api);
	for (i = 0; i < 4; i++) {
		s[i] = (struct sender){ .a = &a, .count = routine / 4 };
		pthread_create(&th[i], NULL, sender, &s[i]);
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	{
		struct api_conf ac = { 0 };
		char listen[64];

		(void)snprintf(listen, sizeof(listen), "127.0.0.1:%u", b.port);
		ac.listen = listen;
		ac.plain_ok = 1;
		ac.threads = 4;
		ac.max_body = 64u << 20;
		if (api_start(&b.api, &ac, b.n) != PL_OK)
			die("api_start again");
	}
	printf("%-44s %lld queued when B came back\n", "ROUTINE backlog", pending(a.n));
	for (i = 0; i < 50; i++) {
		double t1;

		send_one(&a, "hot", ENV_PREC_FLASH, id);
		t1 = now();
		while (!receipted(&a, id))
			usleep(200);
		lat[i] = (now() - t1) * 1e3;
	}
	qsort(lat, 50, sizeof(lat[0]), cmp_d);
	{
		double f = fsync_ms();

		printf("%-44s p50 %.1f ms   p99 %.1f ms   (target p99 < 20 ms; %lld ROUTINE still "
		       "pending)\n",
		       "FLASH send -> receipt stored", lat[24], lat[49], pending(a.n));
		printf("%-44s %.2f ms (FLASH p50 = %.0f of these; a FLASH needs 3 commits "
		       "and the commits under way at both ends)\n",
		       "baseline: one small write + fsync, median", f, lat[24] / f);
	}

	api_stop(b.api);
	sync_stop(b.sync);
	node_close(b.n); /* B is away from now on */
	if (stored > 0) {
		memory_row(&a, stored);
	} else {
		api_stop(a.api);
		sync_stop(a.sync);
		node_close(a.n);
	}
out:
	remove_dir();
	json_decref(texts);
	return 0;
}
