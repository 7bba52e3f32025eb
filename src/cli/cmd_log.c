/*
 * cmd_log.c - parley log: an operator's view of a transcript log file.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/alloc.h"
#include "../common/file.h"
#include "../core/identity.h"
#include "../core/keyring.h"
#include "../crypto/cr.h"
#include "../store/logstore.h"
#include "../tlog/checkpoint.h"
#include "../tlog/proof.h"
#include "../wire/entry.h"
#include "cli.h"

static const char log_usage[] =
        "usage: parley log ACTION --db FILE [options]\n"
        "\n"
        "  size                          entries in the log\n"
        "  append FILE...                append each file as one entry (one transaction)\n"
        "  checkpoint [--key KEYFILE]    with --key: sign a checkpoint of the current size\n"
        "                                with the party's key and store it; then print the\n"
        "                                latest stored checkpoint\n"
        "  proof N [--out FILE]          a C2SP tlog-proof that entry N is in the log, under\n"
        "                                the latest stored checkpoint\n"
        "  vkey --key KEYFILE | --record FILE [--witness]\n"
        "                                the log's verifier key, for others' policies; with\n"
        "                                --witness, the party's key as a witness (cosignatures)\n"
        "  verify --key KEYFILE | --log VKEY\n"
        "                                check the latest checkpoint's signature and root, then\n"
        "                                recompute every stored hash, naming any altered one\n"
        "\n"
        "  --db FILE                     the log (SQLite; created by append)\n"
        "  --passphrase-file FILE        for --key (else PARLEY_PASSPHRASE, else asked)\n"
        "\n"
        "The log's origin and key name are 'parley.transcript/<party id>'.\n";

#define KEY_FILE_MAX (PARTY_ENCODED_MAX + 256)

/* The note key of the party's transcript; with k, also its unlocked keys. */
static enum pl_err
party_log_key(struct note_key *nk, struct keys **k, const char *keyfile, const char *passfile)
{
	struct party *r = pl_calloc(1, sizeof(*r));
	char origin[NOTE_NAME_MAX + 1];
	struct buf file, pass;
	enum pl_err err;
	int enc = 0;

	if (r == NULL)
		return pl_errf(PL_E_NOMEM, "out of memory");
	buf_init_secret(&file, KEY_FILE_MAX);
	buf_init_secret(&pass, 1);
	if ((err = file_read_private(&file, keyfile)) == PL_OK &&
	    (err = keyring_peek(r, &enc, file.data, file.len)) == PL_OK) {
		(void)snprintf(origin, sizeof(origin), "%s%s", ENTRY_LOG_PREFIX, r->id);
		err = note_key_make(nk, origin, NOTE_TYPE_ED25519, r->sign_pk);
	}
	if (err == PL_OK && k != NULL) {
		if (enc && (err = cli_passphrase(&pass, passfile, 0)) != PL_OK)
			goto out;
		if (enc)
			(void)fprintf(stderr, "parley: deriving the file key with Argon2id...\n");
		err = keyring_unlock(k, r, file.data, file.len,
		                     enc ? (const char *)pass.data : NULL);
	}
out:
	buf_reset(&file);
	buf_reset(&pass);
	pl_free(r);
	return err;
}

/* The note key of the transcript of the party whose signed record is in file. */
static enum pl_err
record_log_key(struct note_key *nk, const char *file)
{
	struct party *r = pl_calloc(1, sizeof(*r));
	char origin[NOTE_NAME_MAX + 1];
	struct buf rec;
	enum pl_err err;

	if (r == NULL)
		return pl_errf(PL_E_NOMEM, "out of memory");
	buf_init(&rec, PARTY_ENCODED_MAX);
	if ((err = file_read(&rec, file)) == PL_OK &&
	    (err = identity_verify(r, rec.data, rec.len, NULL, NULL)) == PL_OK) {
		(void)snprintf(origin, sizeof(origin), "%s%s", ENTRY_LOG_PREFIX, r->id);
		err = note_key_make(nk, origin, NOTE_TYPE_ED25519, r->sign_pk);
	}
	buf_reset(&rec);
	pl_free(r);
	return err;
}

static void
progress(uint64_t done, uint64_t total, void *ctx)
{
	(void)ctx;
	(void)fprintf(stderr, "\rparley: verified %llu of %llu entries", (unsigned long long)done,
	              (unsigned long long)total);
	if (done == total)
		(void)fputc('\n', stderr);
}

static int
do_append(struct logstore *ls, int argc, char **argv)
{
	const uint8_t **ptrs = pl_calloc((size_t)argc, sizeof(*ptrs));
	size_t *lens = pl_calloc((size_t)argc, sizeof(*lens));
	struct buf *bufs = pl_calloc((size_t)argc, sizeof(*bufs));
	uint64_t first = 0;
	int i, rc = 1;
	enum pl_err err = PL_OK;

	if (argc == 0) {
		rc = cli_usage("log", "append needs at least one FILE");
		goto out;
	}
	if (ptrs == NULL || lens == NULL || bufs == NULL) {
		rc = cli_fail("out of memory");
		goto out;
	}
	for (i = 0; i < argc && err == PL_OK; i++) {
		buf_init(&bufs[i], LOGSTORE_ENTRY_MAX);
		err = file_read(&bufs[i], argv[i]);
		ptrs[i] = bufs[i].data != NULL ? bufs[i].data : (const uint8_t *)"";
		lens[i] = bufs[i].len;
	}
	if (err != PL_OK ||
	    (err = logstore_append(ls, ptrs, lens, (size_t)argc, &first)) != PL_OK) {
		rc = cli_fail_err("append", err);
		goto out;
	}
	(void)printf("appended %d entries at %llu..%llu\n", argc, (unsigned long long)first,
	             (unsigned long long)(first + (uint64_t)argc - 1));
	rc = 0;
out:
	for (i = 0; bufs != NULL && i < argc; i++)
		buf_reset(&bufs[i]);
	pl_free(bufs);
	pl_free(lens);
	pl_free(ptrs);
	return rc;
}

static int
do_checkpoint(struct logstore *ls, const char *keyfile, const char *passfile)
{
	struct note_key nk;
	struct keys *k = NULL;
	struct checkpoint c;
	struct buf b;
	uint64_t size;
	enum pl_err err = PL_OK;
	int rc = 1;

	buf_init(&b, NOTE_MAX);
	if (keyfile != NULL) {
		if ((err = party_log_key(&nk, &k, keyfile, passfile)) != PL_OK) {
			rc = cli_fail_err(keyfile, err);
			goto out;
		}
		memset(&c, 0, sizeof(c));
		(void)snprintf(c.origin, sizeof(c.origin), "%s", nk.name);
		if ((err = logstore_size(ls, &c.size)) != PL_OK ||
		    (err = logstore_root(ls, c.size, c.root)) != PL_OK ||
		    (err = checkpoint_sign(&b, &c, k)) != PL_OK ||
		    (err = logstore_checkpoint_put(ls, (const char *)b.data, b.len, &nk)) !=
		            PL_OK) {
			rc = cli_fail_err("checkpoint", err);
			goto out;
		}
		b.len = 0;
	}
	if ((err = logstore_checkpoint_last(ls, &size, &b)) != PL_OK) {
		rc = cli_fail_err("checkpoint", err);
		goto out;
	}
	if (b.len == 0) {
		rc = cli_fail("checkpoint: none stored yet (sign one with --key KEYFILE)");
		goto out;
	}
	(void)fwrite(b.data, 1, b.len, stdout);
	rc = 0;
out:
	keys_free(k);
	buf_reset(&b);
	return rc;
}

static int
do_proof(struct logstore *ls, const char *arg, const char *out)
{
	static struct note nt;
	uint8_t hashes[MERKLE_PROOF_MAX + 1][HASH_LEN];
	struct checkpoint c;
	struct buf cp, pr;
	uint64_t size, index = 0;
	size_t n, i;
	enum pl_err err;
	int rc = 1;

	for (i = 0; arg[i] != '\0'; i++)
		if (arg[i] < '0' || arg[i] > '9' || i > 18)
			return cli_usage("log", "proof: '%.24s' is not an entry number", arg);
	for (i = 0; arg[i] != '\0'; i++)
		index = index * 10 + (uint64_t)(arg[i] - '0');
	buf_init(&cp, NOTE_MAX);
	buf_init(&pr, PROOF_MAX);
	if ((err = logstore_checkpoint_last(ls, &size, &cp)) != PL_OK || cp.len == 0 ||
	    (err = note_read(&nt, (const char *)cp.data, cp.len)) != PL_OK ||
	    (err = checkpoint_parse(&c, nt.text, nt.text_len)) != PL_OK) {
		rc = cp.len == 0 ? cli_fail("proof: no checkpoint stored yet")
		                 : cli_fail_err("proof", err);
		goto out;
	}
	if (index >= c.size) {
		rc = cli_fail("proof: entry %llu is not under the latest checkpoint (size %llu)",
		              (unsigned long long)index, (unsigned long long)c.size);
		goto out;
	}
	if ((err = logstore_inclusion(ls, index, c.size, hashes, &n)) != PL_OK ||
	    (err = proof_write(&pr, NULL, 0, index, (const uint8_t(*)[HASH_LEN])hashes, n,
	                       (const char *)cp.data, cp.len)) != PL_OK) {
		rc = cli_fail_err("proof", err);
		goto out;
	}
	if (out != NULL) {
		if ((err = file_write(out, pr.data, pr.len, 0644, 0)) != PL_OK) {
			rc = cli_fail_err("proof", err);
			goto out;
		}
		(void)printf("wrote the proof of entry %llu to %s\n", (unsigned long long)index,
		             out);
	} else {
		(void)fwrite(pr.data, 1, pr.len, stdout);
	}
	rc = 0;
out:
	buf_reset(&cp);
	buf_reset(&pr);
	return rc;
}

int
cmd_log_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "key", required_argument, NULL, 'k' },
		{ "log", required_argument, NULL, 'l' },
		{ "out", required_argument, NULL, 'o' },
		{ "passphrase-file", required_argument, NULL, 'f' },
		{ "record", required_argument, NULL, 'r' },
		{ "witness", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *keyfile = NULL, *vkey = NULL, *out = NULL, *passfile = NULL, *act;
	const char *recfile = NULL;
	int witness = 0;
	struct logstore *ls = NULL;
	struct note_key nk;
	enum pl_err err;
	uint64_t size;
	int ch, rc = 1;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'l':
			vkey = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'f':
			passfile = optarg;
			break;
		case 'r':
			recfile = optarg;
			break;
		case 'w':
			witness = 1;
			break;
		case 'h':
			(void)fputs(log_usage, stdout);
			return 0;
		default:
			return cli_bad_option("log", ch, argv);
		}
	}
	if (optind >= argc)
		return cli_usage("log",
		                 "want an action: size, append, checkpoint, proof, vkey, verify");
	act = argv[optind++];
	if (strcmp(act, "vkey") == 0) {
		struct buf b;

		if ((keyfile == NULL) == (recfile == NULL))
			return cli_usage("log", "vkey needs --key KEYFILE or --record FILE");
		if (keyfile != NULL && (err = party_log_key(&nk, NULL, keyfile, NULL)) != PL_OK)
			return cli_fail_err(keyfile, err);
		if (recfile != NULL && (err = record_log_key(&nk, recfile)) != PL_OK)
			return cli_fail_err(recfile, err);
		if (witness) {
			char name[NOTE_NAME_MAX + 1];

			(void)snprintf(name, sizeof(name), "%s%.*s", ENTRY_WITNESS_PREFIX,
			               CODEC_ID_MAX, nk.name + strlen(ENTRY_LOG_PREFIX));
			if ((err = note_key_make(&nk, name, NOTE_TYPE_COSIG, nk.pk)) != PL_OK)
				return cli_fail_err("vkey", err);
		}
		buf_init(&b, 512);
		if ((err = note_key_fmt(&b, &nk)) == PL_OK)
			(void)printf("%.*s\n", (int)b.len, (const char *)b.data);
		buf_reset(&b);
		return err == PL_OK ? 0 : cli_fail_err("vkey", err);
	}
	if (db == NULL)
		return cli_usage("log", "--db FILE is required");
	if (strcmp(act, "append") != 0 && access(db, F_OK) != 0)
		return cli_fail("%s: no such log", db);
	if ((err = logstore_open(&ls, db)) != PL_OK)
		return cli_fail_err(db, err);
	if (strcmp(act, "size") == 0) {
		if ((err = logstore_size(ls, &size)) == PL_OK)
			(void)printf("%llu\n", (unsigned long long)size);
		rc = err == PL_OK ? 0 : cli_fail_err("size", err);
	} else if (strcmp(act, "append") == 0) {
		rc = do_append(ls, argc - optind, argv + optind);
	} else if (strcmp(act, "checkpoint") == 0) {
		rc = do_checkpoint(ls, keyfile, passfile);
	} else if (strcmp(act, "proof") == 0) {
		rc = optind < argc ? do_proof(ls, argv[optind], out)
		                   : cli_usage("log", "proof needs an entry number");
	} else if (strcmp(act, "verify") == 0) {
		if (keyfile != NULL)
			err = party_log_key(&nk, NULL, keyfile, NULL);
		else if (vkey != NULL)
			err = note_key_parse(&nk, vkey);
		else
			err = pl_errf(PL_E_ARG, "verify needs --key KEYFILE or --log VKEY");
		if (err != PL_OK)
			rc = cli_fail_err("verify", err);
		else if ((err = logstore_check(ls, &nk)) != PL_OK ||
		         (err = logstore_verify_all(ls, progress, NULL)) != PL_OK)
			rc = cli_fail("%s: NOT INTACT: %s", db, pl_err_msg());
		else if (logstore_size(ls, &size) == PL_OK) {
			(void)printf("%s: intact: %llu entries, every hash recomputed, latest "
			             "checkpoint signed by %s\n",
			             db, (unsigned long long)size, nk.name);
			rc = 0;
		}
	} else {
		rc = cli_usage("log", "unknown action '%.32s'", act);
	}
	logstore_close(ls);
	return rc;
}
