/*
 * parleyd.c - a party's node: read the configuration, unlock the keys,
 * open the store, serve the APIs, deliver to peers; SIGTERM drains and
 * exits, SIGHUP reloads what can change without a restart
 * (docs/node.md, docs/operator.md).
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../api/api.h"
#include "../common/buf.h"
#include "../common/file.h"
#include "../common/log.h"
#include "../core/keyring.h"
#include "../core/node.h"
#include "../crypto/cr.h"
#include "../sync/cosign.h"
#include "../sync/monitor.h"
#include "../sync/sync.h"
#include "../wire/keyfile.h"
#include "config.h"

#define PASSPHRASE_MAX 1024

static const char usage[] =
        "usage: parleyd -c FILE [-n]\n"
        "\n"
        "Run a parley node: the officer and peer APIs, delivery to peers, the\n"
        "transcript.  See docs/operator.md.\n"
        "\n"
        "  -c FILE    configuration file (docs/node.md#configuration)\n"
        "  -n         check the configuration and the key file, then exit\n"
        "  -h         this help\n"
        "\n"
        "The key file's passphrase comes from passphrase-file in the\n"
        "configuration, else from PARLEY_PASSPHRASE; a key file stored in clear\n"
        "needs neither.  SIGTERM or SIGINT: finish what is in flight and exit.\n"
        "SIGHUP: reload log-level.\n";

struct services {
	struct sync *sync;
	struct cosign *cosign;
};

/* New envelopes: deliver them, and get the grown transcript cosigned. */
static void
sync_notify(void *ctx, const char *peer, int urgent)
{
	struct services *sv = ctx;

	sync_kick(sv->sync, peer, urgent);
	if (sv->cosign != NULL)
		cosign_kick(sv->cosign);
}

/* The passphrase: from the file, else the environment, else none (a clear key file). */
static enum pl_err
passphrase(struct buf *out, const struct config *c, int *given)
{
	const char *env = getenv("PARLEY_PASSPHRASE");
	size_t n;

	*given = 0;
	if (c->passphrase_file[0] != '\0') {
		PL_TRY(file_read_private(out, c->passphrase_file));
		n = strcspn((const char *)out->data, "\r\n");
		if (n > out->len)
			n = out->len;
		out->len = n;
		*given = 1;
	} else if (env != NULL) {
		PL_TRY(buf_add_str(out, env));
		*given = 1;
	}
	return buf_add_u8(out, 0);
}

/* Unlock the key file: keys and our signed record. */
static enum pl_err
unlock(const struct config *c, struct keys **k, struct buf *record)
{
	struct buf file, pass;
	struct keyfile kf;
	struct party rec;
	enum pl_err err;
	int given;

	buf_init(&file, 65536);
	buf_init_secret(&pass, PASSPHRASE_MAX + 2);
	if ((err = file_read_private(&file, c->keys)) != PL_OK ||
	    (err = passphrase(&pass, c, &given)) != PL_OK ||
	    (err = keyring_unlock(k, &rec, file.data, file.len,
	                          given ? (const char *)pass.data : NULL)) != PL_OK ||
	    (err = keyfile_read(&kf, file.data, file.len)) != PL_OK ||
	    (err = buf_add(record, kf.record, kf.record_len)) != PL_OK)
		goto out;
	if (strcmp(rec.id, c->party) != 0)
		err = pl_errf(PL_E_ARG, "%s holds the keys of '%s', not of party '%s'", c->keys,
		              rec.id, c->party);
out:
	if (err != PL_OK && *k != NULL) {
		keys_free(*k);
		*k = NULL;
	}
	buf_reset(&pass);
	buf_reset(&file);
	return err;
}

static int
verbosity(int level)
{
	return level <= 1 ? 0 : level - 1;
}

int
main(int argc, char **argv)
{
	const char *conf_path = NULL;
	struct api_conf ac = { 0 };
	struct sync_conf sc = { 0 };
	struct node_conf nc = { 0 };
	struct config c;
	struct buf record;
	struct keys *k = NULL;
	struct node *n = NULL;
	struct api *api = NULL;
	struct sync *sync = NULL;
	struct cosign *cosign = NULL;
	struct cosign_conf cc = { 0 };
	struct monitor *monitor = NULL;
	struct monitor_conf mc = { 0 };
	static struct services sv;
	enum pl_err err;
	sigset_t sigs;
	int ch, check = 0, sig = 0, rc = 1;

	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	while ((ch = getopt_long(argc, argv, "c:nfh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'f':
			break; /* always in the foreground; a supervisor runs us */
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (conf_path == NULL || optind != argc) {
		fputs(usage, stderr);
		return 2;
	}
	log_init("parleyd", 1, 1);
	(void)umask(077); /* the store and its journal files are ours alone */
	if (cr_init() != PL_OK) {
		log_warnx("%s", pl_err_msg());
		return 1;
	}
	if ((err = config_load(&c, conf_path)) != PL_OK) {
		log_warnx("%s", pl_err_msg());
		return 1;
	}
	log_init("parleyd", 1, verbosity(c.log_level));
	buf_init(&record, 65536);
	if ((err = unlock(&c, &k, &record)) != PL_OK) {
		log_warnx("%s", pl_err_msg());
		buf_reset(&record);
		return 1;
	}
	if (check) {
		printf("parleyd: %s: configuration and key file of '%s' are good\n", conf_path,
		       c.party);
		keys_free(k);
		buf_reset(&record);
		return 0;
	}

	/* Signals are taken by sigwait below, in this thread only. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	nc.store = c.store;
	nc.keys = k;
	nc.record = record.data;
	nc.record_len = record.len;
	nc.witness_only = c.witness_only;
	if ((err = node_open(&n, &nc)) != PL_OK) {
		log_warnx("store %s: %s", c.store, pl_err_msg());
		goto out;
	}
	sc.timeout_s = c.timeout_s;
	sc.plain_ok = c.plain_http;
	sc.ca_file = c.tls_ca[0] ? c.tls_ca : NULL;
	cc.interval_ms = c.checkpoint_interval;
	cc.timeout_s = c.timeout_s;
	cc.plain_ok = c.plain_http;
	cc.ca_file = sc.ca_file;
	mc.timeout_s = c.timeout_s;
	mc.plain_ok = c.plain_http;
	mc.ca_file = sc.ca_file;
	if (!c.witness_only) {
		if ((err = sync_start(&sync, &sc, n)) != PL_OK) {
			log_warnx("delivery: %s", pl_err_msg());
			goto out;
		}
		if ((err = cosign_start(&cosign, &cc, n)) != PL_OK) {
			log_warnx("cosigning: %s", pl_err_msg());
			goto out;
		}
		if ((err = monitor_start(&monitor, &mc, n)) != PL_OK) {
			log_warnx("monitoring: %s", pl_err_msg());
			goto out;
		}
		sv.sync = sync;
		sv.cosign = cosign;
		node_set_notify(n, sync_notify, &sv);
	}
	ac.listen = c.listen;
	ac.tls_cert = c.tls_cert[0] ? c.tls_cert : NULL;
	ac.tls_key = c.tls_key[0] ? c.tls_key : NULL;
	ac.plain_ok = c.plain_http;
	ac.max_body = c.max_body;
	ac.max_conns = c.max_connections;
	ac.timeout_s = c.timeout_s;
	ac.threads = c.threads;
	ac.console_dir = c.console[0] ? c.console : NULL;
	ac.witness_rate = c.witness_rate;
	if ((err = api_start(&api, &ac, n)) != PL_OK) {
		log_warnx("listen %s: %s", c.listen, pl_err_msg());
		goto out;
	}
	log_info("%s%s listening on %s://%s (port %u), store %s", c.party,
	         c.witness_only ? " (witness only)" : "", ac.tls_cert ? "https" : "http", c.listen,
	         api_port(api), c.store);
	for (;;) {
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			struct config fresh;

			if (config_load(&fresh, conf_path) != PL_OK) {
				log_warnx("reload: %s; keeping the running configuration",
				          pl_err_msg());
				continue;
			}
			log_init("parleyd", 1, verbosity(fresh.log_level));
			log_info("reload: log-level applied; other changes need a restart");
			continue;
		}
		log_info("signal %d: finishing what is in flight", sig);
		break;
	}
	rc = 0;
out:
	api_stop(api);
	monitor_stop(monitor);
	cosign_stop(cosign);
	sync_stop(sync);
	if (n != NULL)
		node_close(n);
	else if (nc.keys == NULL)
		keys_free(k);
	buf_reset(&record);
	if (rc == 0)
		log_info("stopped");
	return rc;
}
