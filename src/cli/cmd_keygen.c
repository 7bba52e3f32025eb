/*
 * cmd_keygen.c - parley keygen: a party's keys and its signed first record,
 * in a new key file (mode 0600), the secrets locked under a passphrase.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/alloc.h"
#include "../common/file.h"
#include "../core/identity.h"
#include "../core/keyring.h"
#include "../crypto/cr.h"
#include "cli.h"

static const char keygen_usage[] =
        "usage: parley keygen --party ID --out FILE [--endpoint URL]...\n"
        "                     [--contact ROLE:NAME:LANGS:HOURS:REACH]...\n"
        "                     [--kdf interactive|moderate|sensitive]\n"
        "                     [--passphrase-file FILE | --no-passphrase]\n"
        "\n"
        "Make a party's Ed25519 and X25519 keys and its signed party record, and\n"
        "write them to a new key file (mode 0600; an existing file is never replaced).\n"
        "\n"
        "  --party ID             the party's id, e.g. us-nrrc (a-z 0-9 . -, at most 63)\n"
        "  --out FILE             the key file to create\n"
        "  --endpoint URL         where the party's node listens, http:// or https://\n"
        "                         (repeatable, primary first; at most 8)\n"
        "  --contact ROLE:NAME:LANGS:HOURS:REACH\n"
        "                         a point of contact (repeatable; at most 16), e.g.\n"
        "                         'duty:Duty desk:en,ru:24/7:tel:+1 202 555 0100'\n"
        "                         (REACH takes the rest; separate the fields with '|'\n"
        "                         instead when another field holds a ':')\n"
        "  --kdf STRENGTH         Argon2id preset: interactive, moderate (default), sensitive\n"
        "  --passphrase-file FILE read the passphrase from the first line of FILE\n"
        "                         (otherwise PARLEY_PASSPHRASE, otherwise asked twice on\n"
        "                         the terminal)\n"
        "  --no-passphrase        store the secret keys unencrypted (only for tests and demos)\n"
        "  --help                 this text\n";

/*
 * Split 'ROLE:NAME:LANGS:HOURS:REACH' into c.  REACH takes the rest, so it may
 * hold colons ("tel:+1..."); when another field needs a colon ("08:00-18:00"),
 * '|' separates the fields instead.  PL_E_ARG naming what is wrong.
 */
static enum pl_err
contact_parse(struct party_contact *c, const char *arg)
{
	static const char *const names[5] = { "ROLE", "NAME", "LANGS", "HOURS", "REACH" };
	char *fields[5] = { c->role, c->name, c->languages, c->hours, c->reach };
	size_t caps[5] = { sizeof(c->role), sizeof(c->name), sizeof(c->languages), sizeof(c->hours),
		           sizeof(c->reach) };
	const char sep = strchr(arg, '|') != NULL ? '|' : ':';
	const char *p = arg, *end;
	size_t i, n;

	for (i = 0; i < 5; i++) {
		end = i < 4 || sep == '|' ? strchr(p, sep) : NULL;
		if ((end == NULL) != (i == 4))
			return pl_errf(
			        PL_E_ARG,
			        "--contact '%.80s': want 5 fields ROLE:NAME:LANGS:HOURS:REACH "
			        "(or separated by '|' when a field holds ':')",
			        arg);
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n >= caps[i])
			return pl_errf(PL_E_ARG, "--contact '%.80s': %s longer than %zu bytes", arg,
			               names[i], caps[i] - 1);
		memcpy(fields[i], p, n);
		fields[i][n] = '\0';
		if (end != NULL)
			p = end + 1;
	}
	PL_TRY(codec_id_check("--contact ROLE", c->role));
	if (*c->name == '\0')
		return pl_errf(PL_E_ARG, "--contact '%.80s': NAME is empty", arg);
	if (!party_languages_ok(c->languages))
		return pl_errf(
		        PL_E_ARG,
		        "--contact '%.80s': LANGS '%s' is not a list of languages like en,ru "
		        "(tags of 2..35 letters, digits, '-')",
		        arg, c->languages);
	for (i = 1; i < 5; i++)
		if (!codec_text_ok((const uint8_t *)fields[i], strlen(fields[i]), 0))
			return pl_errf(PL_E_ARG,
			               "--contact: %s is not UTF-8 or holds control characters",
			               names[i]);
	return PL_OK;
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
	const char *party = NULL, *out = NULL, *kdf = NULL, *passfile = NULL;
	struct keys_kdf_params kdf_params;
	struct stat st;
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
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			if (party != NULL) {
				rc = cli_usage("keygen", "--party given twice");
				goto done;
			}
			party = optarg;
			break;
		case 'o':
			if (out != NULL) {
				rc = cli_usage("keygen", "--out given twice");
				goto done;
			}
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
			rc = cli_bad_option("keygen", ch, argv);
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
	if (nopass && (passfile != NULL || kdf != NULL)) {
		rc = cli_usage("keygen", "--no-passphrase excludes %s",
		               passfile != NULL ? "--passphrase-file" : "--kdf");
		goto done;
	}
	if (kdf == NULL)
		kdf = "moderate";
	if (keys_kdf_choose(&kdf_params, kdf) != PL_OK) {
		rc = cli_usage("keygen", "--kdf '%.32s': want interactive, moderate or sensitive",
		               kdf);
		goto done;
	}
	/* Say so now, not after the passphrase and the Argon2id wait (file_write checks again). */
	if (lstat(out, &st) == 0) {
		rc = cli_fail("key file: %s: already exists; refusing to overwrite", out);
		goto done;
	}
	if (!nopass) {
		if ((err = cli_passphrase(&pass, passfile, 1)) != PL_OK) {
			rc = cli_fail_err("passphrase", err);
			goto done;
		}
		if (pass.data[0] == '\0') {
			rc = cli_fail("passphrase: empty; choose one, or give --no-passphrase to "
			              "store the secret keys unencrypted");
			goto done;
		}
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
	(void)printf("created %s\n", out);
	cli_party_print(r, !nopass);
	(void)printf("Give the fingerprint to your peers out of band: they pin your record with "
	             "it.\n");
	rc = 0;
done:
	keys_free(k);
	buf_reset(&pass);
	buf_reset(&file);
	buf_reset(&rec);
	pl_free(r);
	return rc;
}
