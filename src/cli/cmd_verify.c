/*
 * cmd_verify.c - parley verify: check a signed checkpoint or a tlog-proof
 * offline, against a trust policy given on the command line or in a file,
 * and say what is proven.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/file.h"
#include "../crypto/cr.h"
#include "../tlog/merkle.h"
#include "../core/receipt.h"
#include "../tlog/proof.h"
#include "../wire/entry.h"
#include "../wire/rcpt.h"
#include "cli.h"

static const char verify_usage[] =
        "usage: parley verify FILE [--policy FILE] [--log VKEY] [--witness VKEY]...\n"
        "                          [--quorum K] [--entry FILE | --leaf-hash HEX]\n"
        "\n"
        "Check FILE offline: a signed checkpoint (C2SP tlog-checkpoint), or a proof\n"
        "that an entry is in a log (C2SP tlog-proof@v1), and print what is proven.\n"
        "\n"
        "  --policy FILE      trust policy: lines 'log VKEY', 'witness VKEY', 'quorum K'\n"
        "  --log VKEY         the log's Ed25519 verifier key (name+id+key)\n"
        "  --witness VKEY     a witness's cosignature verifier key (repeatable)\n"
        "  --quorum K         how many witnesses must have cosigned (default: all given)\n"
        "  --entry FILE       for a proof: the entry's bytes (its RFC 9162 leaf hash is checked);\n"
        "                     by default, the entry the proof carries as its extra data\n"
        "  --leaf-hash HEX    for a proof: the entry's leaf hash, if you only have that\n"
        "\n"
        "A parley transcript entry is described: which envelope it records and, for a\n"
        "'received' entry (GET /log/proof/ID from the receiver), the receiver's signed\n"
        "receipt, checked with the log's key: proof that it received the envelope.\n"
        "\n"
        "Exit status: 0 proven, 1 not proven (the reason is printed), 2 usage.\n";

/* Files to check are checkpoints or proofs; both are small. */
#define VERIFY_FILE_MAX (PROOF_MAX + 1024)
#define POLICY_FILE_MAX 65536

static enum pl_err
load_policy(struct policy *pol, const char *path)
{
	struct buf b;
	enum pl_err err;
	size_t start = 0, i, lineno = 0;

	buf_init(&b, POLICY_FILE_MAX);
	if ((err = file_read(&b, path)) == PL_OK && (err = buf_add_u8(&b, '\n')) == PL_OK) {
		for (i = 0; i < b.len && err == PL_OK; i++) {
			if (b.data[i] != '\n')
				continue;
			b.data[i] = '\0';
			err = policy_line(pol, (const char *)b.data + start, ++lineno);
			start = i + 1;
		}
	}
	buf_reset(&b);
	return err;
}

static void
print_checkpoint(const struct proof_result *res, const struct policy *pol)
{
	char root[2 * HASH_LEN + 1];
	size_t i;

	cr_hex(root, res->cp.root, HASH_LEN);
	(void)printf("log          %s\n", res->cp.origin);
	(void)printf("tree size    %llu\n", (unsigned long long)res->cp.size);
	(void)printf("root hash    %s\n", root);
	(void)printf("signed by    the log key %s+%08x\n", pol->log.name, pol->log.id);
	for (i = 0; i < pol->n_witnesses; i++) {
		if (res->seen[1 + i].verified) {
			char t[40];

			cli_time_fmt(t, sizeof(t), res->seen[1 + i].timestamp * 1000);
			(void)printf("cosigned by  %s at %s\n", pol->witnesses[i].name, t);
		} else {
			(void)printf("not cosigned by %s\n", pol->witnesses[i].name);
		}
	}
	(void)printf("quorum       %zu of %zu witnesses (policy needs %zu)\n", res->n_cosigned,
	             pol->n_witnesses, pol->quorum);
}

/*
 * What a parley transcript entry says; a receipt in it must be signed by
 * the log's party (its log key is its identity key).  -1 if it is not.
 */
static int
describe_entry(const uint8_t *p, size_t n, const struct policy *pol)
{
	static const char *const types[] = { "", "sent", "received", "receipt" };
	struct entry e;
	struct rcpt r;
	char id[2 * HASH_LEN + 1], t[40];

	if (entry_read(&e, p, n) != PL_OK)
		return 0; /* not a parley entry: the proof is about its bytes only */
	if (e.type != ENTRY_RECEIPT) {
		cr_hex(id, e.env_id, HASH_LEN);
		(void)printf("which says   %s: envelope %s, channel %s, from %s, seq %llu\n",
		             types[e.type], id, e.channel, e.sender, (unsigned long long)e.seq);
	}
	if (e.receipt_len == 0)
		return 0;
	if (rcpt_read(&r, e.receipt, e.receipt_len) != PL_OK ||
	    receipt_verify(&r, e.receipt, e.receipt_len, r.env_id, pol->log.pk) != PL_OK) {
		(void)printf("receipt      does NOT verify with the log's key\n");
		return e.type == ENTRY_RECEIVED ? -1 : 0;
	}
	cr_hex(id, r.env_id, HASH_LEN);
	cli_time_fmt(t, sizeof(t), r.stored_ms);
	if (e.type == ENTRY_RECEIVED)
		(void)printf("receipt      %s received envelope %s at %s (its signature)\n",
		             r.receiver, id, t);
	else
		(void)printf("receipt      %s's receipt for envelope %s at %s, kept in this log\n",
		             r.receiver, id, t);
	return 0;
}

int
cmd_verify_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "log", required_argument, NULL, 'l' },
		{ "witness", required_argument, NULL, 'w' },
		{ "quorum", required_argument, NULL, 'q' },
		{ "entry", required_argument, NULL, 'e' },
		{ "leaf-hash", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *policy_file = NULL, *entry = NULL, *leaf_hex = NULL, *path;
	struct policy *pol = pl_calloc(1, sizeof(*pol));
	struct proof_result *res = pl_calloc(1, sizeof(*res));
	struct tlog_proof *pr = pl_calloc(1, sizeof(*pr));
	uint8_t leaf[HASH_LEN];
	char line[1100];
	struct buf file, ent;
	size_t lineno = 0;
	int ch, rc = 1;
	enum pl_err err;

	buf_init(&file, VERIFY_FILE_MAX);
	buf_init(&ent, 64 << 20);
	if (pol == NULL || res == NULL || pr == NULL) {
		rc = cli_fail("out of memory");
		goto done;
	}
	policy_init(pol);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		const char *key = ch == 'l' ? "log" : ch == 'w' ? "witness" : "quorum";

		switch (ch) {
		case 'p':
			policy_file = optarg;
			break;
		case 'l':
		case 'w':
		case 'q':
			(void)snprintf(line, sizeof(line), "%s %s", key, optarg);
			if (policy_line(pol, line, ++lineno) != PL_OK) {
				rc = cli_usage("verify", "--%s: %s", key, pl_err_msg());
				goto done;
			}
			break;
		case 'e':
			entry = optarg;
			break;
		case 'H':
			leaf_hex = optarg;
			break;
		case 'h':
			(void)fputs(verify_usage, stdout);
			rc = 0;
			goto done;
		default:
			rc = cli_bad_option("verify", ch, argv);
			goto done;
		}
	}
	if (argc - optind != 1) {
		rc = cli_usage("verify", "want exactly one FILE to verify");
		goto done;
	}
	path = argv[optind];
	if (policy_file != NULL && (err = load_policy(pol, policy_file)) != PL_OK) {
		rc = cli_fail_err(policy_file, err);
		goto done;
	}
	if (policy_finish(pol) != PL_OK) {
		rc = cli_usage("verify", "%s (give --policy FILE or --log VKEY)", pl_err_msg());
		goto done;
	}
	if ((err = file_read(&file, path)) != PL_OK) {
		rc = cli_fail_err("verify", err);
		goto done;
	}
	if (file.len >= strlen(PROOF_HEADER) &&
	    memcmp(file.data, PROOF_HEADER, strlen(PROOF_HEADER)) == 0) {
		if ((err = proof_read(pr, (const char *)file.data, file.len)) != PL_OK) {
			rc = cli_fail("%s: NOT PROVEN: %s", path, pl_err_msg());
			goto done;
		}
		if (entry == NULL && leaf_hex == NULL && pr->extra_len == 0) {
			rc = cli_usage("verify",
			               "%s is a proof without its entry: give --entry FILE or "
			               "--leaf-hash HEX",
			               path);
			goto done;
		}
		if (entry == NULL && leaf_hex == NULL &&
		    (err = buf_add(&ent, pr->extra, pr->extra_len)) == PL_OK)
			merkle_leaf_hash(leaf, ent.data, ent.len);
		if (leaf_hex != NULL && cr_unhex(leaf, HASH_LEN, leaf_hex) != PL_OK) {
			rc = cli_usage("verify", "--leaf-hash: want 64 hex digits");
			goto done;
		}
		if (entry != NULL) {
			if ((err = file_read(&ent, entry)) != PL_OK) {
				rc = cli_fail_err("entry", err);
				goto done;
			}
			merkle_leaf_hash(leaf, ent.data, ent.len);
		}
		if ((err = proof_verify(res, pr, pol, leaf)) != PL_OK) {
			rc = cli_fail("%s: NOT PROVEN: %s", path, pl_err_msg());
			goto done;
		}
		print_checkpoint(res, pol);
		(void)printf("entry        %llu is in this tree (inclusion proof of %zu hashes)\n",
		             (unsigned long long)pr->index, pr->n_hashes);
		if (leaf_hex == NULL && describe_entry(ent.data, ent.len, pol) != 0) {
			rc = cli_fail("%s: NOT PROVEN: the receipt in entry %llu is not signed by "
			              "the log's party",
			              path, (unsigned long long)pr->index);
			goto done;
		}
		(void)printf("%s: PROVEN: entry %llu is in %s at size %llu\n", path,
		             (unsigned long long)pr->index, res->cp.origin,
		             (unsigned long long)res->cp.size);
	} else {
		if ((err = policy_check_checkpoint(res, pol, (const char *)file.data, file.len)) !=
		    PL_OK) {
			rc = cli_fail("%s: NOT PROVEN: %s", path, pl_err_msg());
			goto done;
		}
		print_checkpoint(res, pol);
		(void)printf("%s: PROVEN: %s had %llu entries with this root\n", path,
		             res->cp.origin, (unsigned long long)res->cp.size);
	}
	rc = 0;
done:
	buf_reset(&file);
	buf_reset(&ent);
	pl_free(pol);
	pl_free(res);
	pl_free(pr);
	return rc;
}
