/*
 * cmd_init.c - parley init: a new node in one directory: key file, party
 * record for peers, parleyd.conf, the store with its first officer, and an
 * API token for the CLI.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/file.h"
#include "../core/identity.h"
#include "../core/keyring.h"
#include "../core/node.h"
#include "../crypto/cr.h"
#include "../wire/keyfile.h"
#include "cli.h"

static const char init_usage[] =
        "usage: parley init --party ID --dir DIR --listen HOST:PORT --endpoint URL...\n"
        "                   [--plain-http] [--officer NAME] [--password-file FILE]\n"
        "                   [--passphrase-file FILE | --no-passphrase] [--kdf STRENGTH]\n"
        "\n"
        "Make a new node in DIR (created, mode 0700): the party's key file\n"
        "(DIR/keys), its signed record to give to peers (DIR/record), parleyd.conf,\n"
        "the store (DIR/node.db) with a first officer holding every role, and an\n"
        "API token for this CLI (DIR/token, mode 0600).  Prints the fingerprint to\n"
        "read out to peers and the command that starts the node.\n"
        "\n"
        "  --party ID             the party's id, e.g. us-nrrc\n"
        "  --dir DIR              where the node lives (must not exist yet)\n"
        "  --listen HOST:PORT     where parleyd listens\n"
        "  --endpoint URL         how peers reach it (repeatable, primary first)\n"
        "  --plain-http           serve and send plain HTTP (loopback demos and tests only)\n"
        "  --officer NAME         the first officer (default: admin)\n"
        "  --password-file FILE   the officer's password, first line (else PARLEY_PASSWORD,\n"
        "                         else asked on the terminal)\n"
        "  --passphrase-file FILE the key file's passphrase (else PARLEY_PASSPHRASE, else\n"
        "                         asked); the path is written to parleyd.conf\n"
        "  --no-passphrase        keep the secret keys in clear (tests and demos only)\n"
        "  --kdf STRENGTH         Argon2id preset for the key file (interactive, moderate,\n"
        "                         sensitive)\n"
        "  --help                 this text\n";

static int
write_text(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[4096];

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (file_write(path, text, strlen(text), mode, 1) != PL_OK)
		return cli_fail_err(name, PL_E_IO);
	return 0;
}

/* The officer's password: file, environment, or the terminal (twice). */
static enum pl_err
password(struct buf *out, const char *file)
{
	const char *env = getenv("PARLEY_PASSWORD");

	if (file == NULL && env != NULL)
		return buf_add_str(out, env);
	/* The same rules as a passphrase: first line of a private file, or asked twice. */
	return cli_passphrase(out, file, 1);
}

int
cmd_init_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "party", required_argument, NULL, 'p' },
		{ "dir", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "plain-http", no_argument, NULL, 'H' },
		{ "officer", required_argument, NULL, 'o' },
		{ "password-file", required_argument, NULL, 'w' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "no-passphrase", no_argument, NULL, 'N' },
		{ "kdf", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *party = NULL, *dir = NULL, *listen = NULL, *officer = "admin";
	const char *pwfile = NULL, *passfile = NULL, *kdf = NULL;
	const char *endpoints[PARTY_ENDPOINTS_MAX];
	char path[4096], conf[8192], keysarg[4200], fp[PARTY_FP_STR_LEN + 1];
	char token[NODE_TOKEN_STR_MAX + 1];
	char *kargv[40];
	size_t n_end = 0, i;
	int ch, plain = 0, clear = 0, kargc = 0, rc;
	struct node_conf nc = { 0 };
	struct node_officer who;
	struct buf file, pass, pw;
	struct keyfile kf;
	struct party rec;
	struct keys *k = NULL;
	struct node *node = NULL;
	enum pl_err err;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			party = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'l':
			listen = optarg;
			break;
		case 'e':
			if (n_end == PARTY_ENDPOINTS_MAX)
				return cli_usage("init", "at most %d endpoints",
				                 PARTY_ENDPOINTS_MAX);
			endpoints[n_end++] = optarg;
			break;
		case 'H':
			plain = 1;
			break;
		case 'o':
			officer = optarg;
			break;
		case 'w':
			pwfile = optarg;
			break;
		case 'P':
			passfile = optarg;
			break;
		case 'N':
			clear = 1;
			break;
		case 'k':
			kdf = optarg;
			break;
		case 'h':
			fputs(init_usage, stdout);
			return 0;
		default:
			return cli_bad_option("init", ch, argv);
		}
	}
	if (party == NULL || dir == NULL || listen == NULL || n_end == 0 || optind != argc)
		return cli_usage("init", "--party, --dir, --listen and --endpoint are required");
	if (clear && passfile != NULL)
		return cli_usage("init",
		                 "--passphrase-file and --no-passphrase exclude each other");
	/* The store holds password hashes and tokens' hashes: nobody else reads it. */
	(void)umask(077);
	if (mkdir(dir, 0700) != 0)
		return cli_fail("init: %s: %s", dir, strerror(errno));

	/* Keys and record, by keygen itself. */
	(void)snprintf(keysarg, sizeof(keysarg), "%s/keys", dir);
	kargv[kargc++] = "keygen";
	kargv[kargc++] = "--party";
	kargv[kargc++] = (char *)(uintptr_t)party;
	kargv[kargc++] = "--out";
	kargv[kargc++] = keysarg;
	for (i = 0; i < n_end; i++) {
		kargv[kargc++] = "--endpoint";
		kargv[kargc++] = (char *)(uintptr_t)endpoints[i];
	}
	if (clear)
		kargv[kargc++] = "--no-passphrase";
	if (passfile != NULL) {
		kargv[kargc++] = "--passphrase-file";
		kargv[kargc++] = (char *)(uintptr_t)passfile;
	}
	if (kdf != NULL) {
		kargv[kargc++] = "--kdf";
		kargv[kargc++] = (char *)(uintptr_t)kdf;
	}
	kargv[kargc] = NULL;
	optind = 1;
	if ((rc = cmd_keygen_main(kargc, kargv)) != 0) {
		(void)rmdir(dir);
		return rc;
	}

	/* Unlock it again, to open the store as this party. */
	buf_init(&file, 65536);
	buf_init_secret(&pass, 2048);
	buf_init_secret(&pw, 2048);
	if ((err = file_read_private(&file, keysarg)) != PL_OK ||
	    (err = keyfile_read(&kf, file.data, file.len)) != PL_OK) {
		rc = cli_fail_err("init: keys", err);
		goto out;
	}
	if (!clear && (err = cli_passphrase(&pass, passfile, 0)) != PL_OK) {
		rc = cli_fail_err("init: passphrase", err);
		goto out;
	}
	if (!clear && (err = buf_add_u8(&pass, 0)) != PL_OK) {
		rc = cli_fail_err("init", err);
		goto out;
	}
	if ((err = keyring_unlock(&k, &rec, file.data, file.len,
	                          clear ? NULL : (const char *)pass.data)) != PL_OK) {
		rc = cli_fail_err("init: unlock", err);
		goto out;
	}
	(void)snprintf(path, sizeof(path), "%s/record", dir);
	if ((err = file_write(path, kf.record, kf.record_len, 0644, 1)) != PL_OK) {
		keys_free(k);
		rc = cli_fail_err("init: record", err);
		goto out;
	}
	(void)snprintf(path, sizeof(path), "sqlite:%s/node.db", dir);
	nc.store = path;
	nc.keys = k;
	nc.record = kf.record;
	nc.record_len = kf.record_len;
	if ((err = node_open(&node, &nc)) != PL_OK) {
		rc = cli_fail_err("init: store", err);
		goto out;
	}
	if ((err = password(&pw, pwfile)) != PL_OK || (err = buf_add_u8(&pw, 0)) != PL_OK ||
	    (err = node_officer_add(node, officer, (const char *)pw.data,
	                            STORE_ROLE_DUTY | STORE_ROLE_APPROVER | STORE_ROLE_AUDITOR |
	                                    STORE_ROLE_ADMIN)) != PL_OK) {
		rc = cli_fail_err("init: officer", err);
		goto out;
	}
	(void)snprintf(who.name, sizeof(who.name), "%s", officer);
	who.roles = STORE_ROLE_DUTY | STORE_ROLE_APPROVER | STORE_ROLE_AUDITOR | STORE_ROLE_ADMIN;
	if ((err = node_token_new(node, &who, "cli (parley init)", token)) != PL_OK) {
		rc = cli_fail_err("init: token", err);
		goto out;
	}
	(void)snprintf(conf, sizeof(conf), "%s\n", token);
	cr_wipe(token, sizeof(token));
	if ((rc = write_text(dir, "token", conf, 0600)) != 0)
		goto out;
	(void)snprintf(conf, sizeof(conf),
	               "# parleyd configuration (docs/node.md#configuration)\n"
	               "party %s\n"
	               "keys %s/keys\n"
	               "%s%s%s"
	               "store sqlite:%s/node.db\n"
	               "listen %s\n"
	               "%s",
	               party, dir, passfile != NULL ? "passphrase-file " : "",
	               passfile != NULL ? passfile : "", passfile != NULL ? "\n" : "", dir, listen,
	               plain ? "plain-http yes\n" : "# tls-cert FILE\n# tls-key FILE\n");
	if ((rc = write_text(dir, "parleyd.conf", conf, 0644)) != 0)
		goto out;
	identity_fingerprint(fp, rec.id, rec.sign_pk);
	printf("party        %s\n", rec.id);
	printf("fingerprint  %s\n", fp);
	printf("record       %s/record   (give it to peers with the fingerprint)\n", dir);
	printf("officer      %s (every role); API token in %s/token\n", officer, dir);
	printf("start        parleyd -c %s/parleyd.conf\n", dir);
	rc = 0;
out:
	node_close(node);
	buf_reset(&file);
	buf_reset(&pass);
	buf_reset(&pw);
	return rc;
}
