/*
 * cmd_key.c - parley key show|check|export: read a key file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../common/alloc.h"
#include "../common/file.h"
#include "../core/identity.h"
#include "../core/keyring.h"
#include "../crypto/cr.h"
#include "../wire/keyfile.h"
#include "cli.h"

/* A key file is a record plus a few hundred bytes. */
#define KEY_FILE_MAX (PARTY_ENCODED_MAX + 256)

static const char key_usage[] =
        "usage: parley key show FILE [--json]\n"
        "       parley key check FILE [--passphrase-file FILE]\n"
        "       parley key export FILE --out RECORD\n"
        "\n"
        "  show     print the party record in the key file and its fingerprint\n"
        "           (no passphrase needed)\n"
        "  check    unlock the secret keys with the passphrase and report whether it works\n"
        "  export   write the signed party record alone (mode 0644, never replacing a\n"
        "           file), for peers to pin\n"
        "\n"
        "  --json                  show: one JSON object instead of text\n"
        "  --passphrase-file FILE  check: the passphrase is the first line of FILE\n"
        "                          (otherwise PARLEY_PASSPHRASE, otherwise asked on the terminal)\n"
        "  --out RECORD            export: the file to create\n"
        "\n"
        "Key files must not be readable by group or others (chmod 600).\n";

static int
show_json(const struct party *r, int encrypted)
{
	char fp[PARTY_FP_STR_LEN + 1], t[40], spk[2 * SIG_PK_LEN + 1], bpk[2 * BOX_PK_LEN + 1];
	json_t *o, *eps, *cs;
	char *s;
	size_t i;

	identity_fingerprint(fp, r->id, r->sign_pk);
	cli_time_fmt(t, sizeof(t), r->time_ms);
	cr_hex(spk, r->sign_pk, SIG_PK_LEN);
	cr_hex(bpk, r->box_pk, BOX_PK_LEN);
	eps = json_array();
	cs = json_array();
	for (i = 0; i < r->n_endpoints; i++)
		(void)json_array_append_new(eps, json_string(r->endpoints[i]));
	for (i = 0; i < r->n_contacts; i++) {
		const struct party_contact *c = &r->contacts[i];

		(void)json_array_append_new(cs,
		                            json_pack("{s:s, s:s, s:s, s:s, s:s}", "role", c->role,
		                                      "name", c->name, "languages", c->languages,
		                                      "hours", c->hours, "reach", c->reach));
	}
	o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:o, s:o, s:b, s:s}", "party", r->id, "revision",
	              (json_int_t)r->revision, "time", t, "sign_pk", spk, "box_pk", bpk,
	              "endpoints", eps, "contacts", cs, "encrypted", encrypted, "fingerprint", fp);
	if (o == NULL || (s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS)) == NULL) {
		json_decref(o);
		return cli_fail("show: cannot encode JSON");
	}
	(void)printf("%s\n", s);
	free(s);
	json_decref(o);
	return 0;
}

/* Write the signed record alone, as peers pin it. */
static int
do_export(const struct buf *file, const struct party *r, const char *out)
{
	struct keyfile kf;
	enum pl_err err;

	/* keyring_peek has read the same bytes already; this cannot fail unless it changed. */
	if ((err = keyfile_read(&kf, file->data, file->len)) != PL_OK)
		return cli_fail_err("key file", err);
	if ((err = file_write(out, kf.record, kf.record_len, 0644, 1)) != PL_OK)
		return cli_fail_err("export", err);
	(void)printf("wrote the signed record of %s (%lu bytes) to %s\n", r->id,
	             (unsigned long)kf.record_len, out);
	return 0;
}

static int
do_check(const struct buf *file, struct party *r, int encrypted, const char *path,
         const char *passfile)
{
	struct keys *k = NULL;
	struct buf pass;
	enum pl_err err;
	int rc = 1;

	buf_init_secret(&pass, 1);
	if (encrypted) {
		if ((err = cli_passphrase(&pass, passfile, 0)) != PL_OK) {
			rc = cli_fail_err("passphrase", err);
			goto done;
		}
		(void)fprintf(stderr, "parley: deriving the file key with Argon2id...\n");
	}
	if ((err = keyring_unlock(&k, r, file->data, file->len,
	                          encrypted ? (const char *)pass.data : NULL)) != PL_OK) {
		rc = cli_fail_err(path, err);
		goto done;
	}
	(void)printf("%s: OK: the secret keys of %s unlock and match the record\n", path, r->id);
	rc = 0;
done:
	keys_free(k);
	buf_reset(&pass);
	return rc;
}

int
cmd_key_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "out", required_argument, NULL, 'o' },
		{ "passphrase-file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *verb, *path, *out = NULL, *passfile = NULL;
	struct buf file;
	struct party *r = NULL;
	int ch, json = 0, encrypted = 0, rc = 1;
	enum pl_err err;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'o':
			out = optarg;
			break;
		case 'f':
			passfile = optarg;
			break;
		case 'h':
			(void)fputs(key_usage, stdout);
			return 0;
		default:
			return cli_bad_option("key", ch, argv);
		}
	}
	if (optind == argc)
		return cli_usage("key", "want an action: show, check or export");
	verb = argv[optind];
	if (strcmp(verb, "show") != 0 && strcmp(verb, "check") != 0 && strcmp(verb, "export") != 0)
		return cli_usage("key", "unknown action '%.32s' (show, check, export)", verb);
	if (argc - optind != 2)
		return cli_usage("key", "want: parley key %s FILE", verb);
	path = argv[optind + 1];
	if (json && strcmp(verb, "show") != 0)
		return cli_usage("key", "--json is for show only");
	if (passfile != NULL && strcmp(verb, "check") != 0)
		return cli_usage("key", "--passphrase-file is for check only");
	if (out != NULL && strcmp(verb, "export") != 0)
		return cli_usage("key", "--out is for export only");
	if (strcmp(verb, "export") == 0 && out == NULL)
		return cli_usage("key", "export needs --out RECORD");

	buf_init_secret(&file, KEY_FILE_MAX);
	if ((r = pl_calloc(1, sizeof(*r))) == NULL) {
		rc = cli_fail("out of memory");
		goto done;
	}
	if ((err = file_read_private(&file, path)) != PL_OK) {
		rc = cli_fail_err("key file", err);
		goto done;
	}
	if ((err = keyring_peek(r, &encrypted, file.data, file.len)) != PL_OK) {
		rc = cli_fail_err(path, err);
		goto done;
	}
	if (strcmp(verb, "show") == 0) {
		if (json) {
			rc = show_json(r, encrypted);
		} else {
			cli_party_print(r, encrypted);
			rc = 0;
		}
	} else if (strcmp(verb, "export") == 0) {
		rc = do_export(&file, r, out);
	} else {
		rc = do_check(&file, r, encrypted, path, passfile);
	}
done:
	buf_reset(&file);
	pl_free(r);
	return rc;
}
