/*
 * cmd_keygen.c - parley keygen: a party's keys and its signed first record,
 * in a new key file (mode 0600), the secrets locked under a passphrase.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/file.h"
#include "../core/identity.h"
#include "../core/keyring.h"
#include "../crypto/cr.h"
#include "cli.h"

static const char keygen_usage[] =
        "usage: parley keygen --party ID --out FILE [options]\n"
        "\n"
        "Make a party's Ed25519 and X25519 keys and its signed party record, and\n"
        "write them to a new key file (mode 0600; an existing file is never replaced).\n"
        "\n"
        "  --party ID             the party's id, e.g. us-nrrc (a-z 0-9 . -, at most 63)\n"
        "  --out FILE             the key file to create\n"
        "  --endpoint URL         where the party's node listens (repeat: primary first)\n"
        "  --contact 'ROLE|NAME|LANGS|HOURS|REACH'\n"
        "                         a point of contact, e.g. 'duty|Duty desk|en,ru|24/7|+1 202 555 0100'\n"
        "                         (repeatable)\n"
        "  --kdf STRENGTH         Argon2id preset: interactive, moderate (default), sensitive\n"
        "  --passphrase-file FILE read the passphrase from the first line of FILE\n"
        "                         (otherwise PARLEY_PASSPHRASE, otherwise asked twice on the terminal)\n"
        "  --no-passphrase        store the secret keys unencrypted (only for tests and demos)\n"
        "  --help                 this text\n";

/* Split 'ROLE|NAME|LANGS|HOURS|REACH' into c; PL_E_ARG naming what is wrong. */
static enum pl_err
contact_parse(struct party_contact *c, const char *arg)
{
	char *fields[5] = { c->role, c->name, c->languages, c->hours, c->reach };
	size_t caps[5] = { sizeof(c->role), sizeof(c->name), sizeof(c->languages), sizeof(c->hours),
		           sizeof(c->reach) };
	const char *p = arg, *bar;
	size_t i, n;

	for (i = 0; i < 5; i++) {
		bar = strchr(p, '|');
		if ((bar == NULL) != (i == 4))
			return pl_errf(
			        PL_E_ARG,
			        "--contact '%.80s': want 5 fields ROLE|NAME|LANGS|HOURS|REACH",
			        arg);
		n = bar != NULL ? (size_t)(bar - p) : strlen(p);
		if (n >= caps[i])
			return pl_errf(PL_E_ARG, "--contact: field %zu longer than %zu bytes",
			               i + 1, caps[i] - 1);
		memcpy(fields[i], p, n);
		fields[i][n] = '\0';
		if (bar != NULL)
			p = bar + 1;
	}
	PL_TRY(codec_id_check("--contact role", c->role));
	if (!party_languages_ok(c->languages))
		return pl_errf(PL_E_ARG, "--contact: languages '%s' is not a list like en,ru",
		               c->languages);
	if (!codec_text_ok((const uint8_t *)c->name, strlen(c->name), 0) ||
	    !codec_text_ok((const uint8_t *)c->hours, strlen(c->hours), 0) ||
	    !codec_text_ok((const uint8_t *)c->reach, strlen(c->reach), 0))
		return pl_errf(PL_E_ARG, "--contact: text is not UTF-8 or has control characters");
	return PL_OK;
}

static void
print_summary(const struct party *r, const char *path, int encrypted)
{
	char fp[PARTY_FP_STR_LEN + 1];

	identity_fingerprint(fp, r->id, r->sign_pk);
	(void)printf("created %s for party %s (%s)\n", path, r->id,
	             encrypted ? "secret keys locked with the passphrase"
	                       : "secret keys NOT encrypted");
	(void)printf("fingerprint %s\n", fp);
	(void)printf(
	        "Give this fingerprint to your peers out of band; they pin your record with it.\n");
}

int
cmd_keygen_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "party", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "contact", required_argument, NULL, 'c' },
		{ "kdf", required_argument, NULL, 'k' },
		{ "passphrase-file", required_argument, NULL, 'f' },
		{ "no-passphrase", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *party = NULL, *out = NULL, *kdf = "moderate", *passfile = NULL;
	struct buf rec, file, pass;
	struct keys *k = NULL;
	struct party *r;
	int ch, nopass = 0, rc = 1;
	enum pl_err err;

	if ((r = pl_calloc(1, sizeof(*r))) == NULL)
		return cli_fail("out of memory");
	buf_init(&rec, PARTY_ENCODED_MAX);
	buf_init_secret(&file, PARTY_ENCODED_MAX + 256);
	buf_init_secret(&pass, 1);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			party = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'e':
			if (r->n_endpoints == PARTY_ENDPOINTS_MAX) {
				rc = cli_usage("keygen", "at most %d endpoints",
				               PARTY_ENDPOINTS_MAX);
				goto done;
			}
			if (!party_url_ok(optarg)) {
				rc = cli_usage(
				        "keygen",
				        "--endpoint '%.80s' is not an http:// or https:// URL "
				        "(printable, at most %d bytes)",
				        optarg, PARTY_URL_MAX);
				goto done;
			}
			memcpy(r->endpoints[r->n_endpoints++], optarg, strlen(optarg) + 1);
			break;
		case 'c':
			if (r->n_contacts == PARTY_CONTACTS_MAX) {
				rc = cli_usage("keygen", "at most %d contacts", PARTY_CONTACTS_MAX);
				goto done;
			}
			if ((err = contact_parse(&r->contacts[r->n_contacts], optarg)) != PL_OK) {
				rc = cli_usage("keygen", "%s", pl_err_msg());
				goto done;
			}
			r->n_contacts++;
			break;
		case 'k':
			kdf = optarg;
			break;
		case 'f':
			passfile = optarg;
			break;
		case 'n':
			nopass = 1;
			break;
		case 'h':
			(void)fputs(keygen_usage, stdout);
			rc = 0;
			goto done;
		default:
			rc = cli_usage("keygen", "bad option");
			goto done;
		}
	}
	if (optind != argc) {
		rc = cli_usage("keygen", "unexpected argument '%.64s'", argv[optind]);
		goto done;
	}
	if (party == NULL || out == NULL) {
		rc = cli_usage("keygen", "--party ID and --out FILE are required");
		goto done;
	}
	if (codec_id_check("--party", party) != PL_OK) {
		rc = cli_usage("keygen", "%s", pl_err_msg());
		goto done;
	}
	if (nopass && passfile != NULL) {
		rc = cli_usage("keygen",
		               "--no-passphrase and --passphrase-file exclude each other");
		goto done;
	}
	if (strcmp(kdf, "interactive") != 0 && strcmp(kdf, "moderate") != 0 &&
	    strcmp(kdf, "sensitive") != 0) {
		rc = cli_usage("keygen", "--kdf '%.32s': want interactive, moderate or sensitive",
		               kdf);
		goto done;
	}
	if (!nopass && (err = cli_passphrase(&pass, passfile, 1)) != PL_OK) {
		rc = cli_fail_err("passphrase", err);
		goto done;
	}
	if ((k = keys_new()) == NULL) {
		rc = cli_fail("keys: no secure memory available");
		goto done;
	}
	r->version = PARTY_VERSION;
	memcpy(r->id, party, strlen(party) + 1);
	r->revision = 1;
	r->time_ms = cli_now_ms();
	memcpy(r->sign_pk, keys_sign_pk(k), SIG_PK_LEN);
	memcpy(r->box_pk, keys_box_pk(k), BOX_PK_LEN);
	if ((err = identity_sign(&rec, r, k, NULL)) != PL_OK) {
		rc = cli_fail_err("party record", err);
		goto done;
	}
	if (!nopass)
		(void)fprintf(stderr, "parley: deriving the file key with Argon2id (%s)...\n", kdf);
	if ((err = keyring_lock(&file, k, rec.data, rec.len,
	                        nopass ? NULL : (const char *)pass.data, kdf)) != PL_OK) {
		rc = cli_fail_err("key file", err);
		goto done;
	}
	if ((err = file_write(out, file.data, file.len, 0600, 1)) != PL_OK) {
		rc = cli_fail_err("key file", err);
		goto done;
	}
	print_summary(r, out, !nopass);
	rc = 0;
done:
	keys_free(k);
	buf_reset(&pass);
	buf_reset(&file);
	buf_reset(&rec);
	pl_free(r);
	return rc;
}
