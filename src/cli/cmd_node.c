/*
 * cmd_node.c - the commands that talk to a running node through its
 * officer API (docs/api.md): login, status, peer, channel, send, inbox,
 * show, ack.  Tables for people, --json for scripts.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/buf.h"
#include "../common/file.h"
#include "../crypto/cr.h"
#include "../wire/party.h"
#include "cli.h"
#include "client.h"

/* Parse the options every node command shares plus extra; returns -1 to go on. */
struct cmd {
	const char *name, *usage;
	struct cli_node node;
};

static int
fail(struct cmd *c, enum pl_err err)
{
	return cli_fail_err(c->name, err);
}

static const char *
str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* Run one request, print JSON when asked; *out for the caller to render. */
static int
call(struct cmd *c, const char *method, const char *path, json_t *body, json_t **out)
{
	enum pl_err err = cli_call(&c->node, method, path, body, out);

	json_decref(body);
	if (err != PL_OK)
		return fail(c, err);
	if (c->node.json) {
		cli_print_json(*out);
		json_decref(*out);
		*out = NULL;
	}
	return 0;
}

/* The shared options, then handle(ctx, ch, arg) for the command's own (-1 to go on). */
static int
parse(struct cmd *c, int argc, char **argv, const struct option *extra, size_t n_extra,
      int (*handle)(void *ctx, int ch, const char *arg), void *ctx)
{
	int ch, rc;

	opterr = 0;
	optind = 1;
	while ((rc = cli_node_getopt(&c->node, argc, argv, c->name, c->usage, extra, n_extra,
	                             &ch)) == -2)
		if (handle == NULL || (rc = handle(ctx, ch, optarg)) != -1)
			return handle == NULL ? cli_bad_option(c->name, ch, argv) : rc;
	return rc;
}

/* ---- login --------------------------------------------------------------------------- */

static const char login_usage[] =
        "usage: parley login --name NAME --out FILE [--password-file FILE]\n"
        "\n"
        "Log in to the node and write an API token to FILE (mode 0600).\n"
        "\n"
        "  --name NAME            the officer\n"
        "  --out FILE             where to write the token\n"
        "  --password-file FILE   the password (else PARLEY_PASSWORD, else asked)\n" CLI_NODE_HELP;

struct login_ctx {
	const char *name, *out, *pwfile;
};

static int
login_opt(void *ctx, int ch, const char *arg)
{
	struct login_ctx *l = ctx;

	if (ch == 'n')
		l->name = arg;
	else if (ch == 'o')
		l->out = arg;
	else if (ch == 'w')
		l->pwfile = arg;
	else
		return EXIT_USAGE;
	return -1;
}

int
cmd_login_main(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
		{ "password-file", required_argument, NULL, 'w' },
	};
	struct cmd c = { "login", login_usage, { 0 } };
	struct login_ctx l = { 0 };
	json_t *ans = NULL, *tok = NULL;
	struct buf pw;
	const char *env = getenv("PARLEY_PASSWORD");
	enum pl_err err;
	int rc;

	if ((rc = parse(&c, argc, argv, extra, 3, login_opt, &l)) != -1)
		return rc;
	if (l.name == NULL || l.out == NULL)
		return cli_usage("login", "--name and --out are required");
	buf_init_secret(&pw, 2048);
	err = l.pwfile == NULL && env != NULL ? buf_add_str(&pw, env)
	                                      : cli_passphrase(&pw, l.pwfile, 0);
	if (err == PL_OK)
		err = buf_add_u8(&pw, 0);
	if (err != PL_OK) {
		buf_reset(&pw);
		return fail(&c, err);
	}
	err = cli_call(&c.node, "POST", "/api/v1/login",
	               json_pack("{ssss}", "name", l.name, "password", (const char *)pw.data),
	               &ans);
	buf_reset(&pw);
	if (err == PL_OK)
		err = cli_call(&c.node, "POST", "/api/v1/tokens", json_pack("{ss}", "label", "cli"),
		               &tok);
	if (err != PL_OK) {
		json_decref(ans);
		return fail(&c, err);
	}
	{
		char line[200];

		(void)snprintf(line, sizeof(line), "%s\n", str(tok, "token"));
		(void)unlink(l.out);
		err = file_write(l.out, line, strlen(line), 0600, 1);
		cr_wipe(line, sizeof(line));
	}
	json_decref(ans);
	json_decref(tok);
	if (err != PL_OK)
		return fail(&c, err);
	printf("logged in as %s; token in %s\n", l.name, l.out);
	return 0;
}

/* ---- status ---------------------------------------------------------------------------- */

static const char status_usage[] =
        "usage: parley status [--node URL] [--token-file FILE] [--json]\n"
        "\n"
        "The node's party, transcript, channels, what waits for delivery, and\n"
        "alerts: evidence that a party forked its transcript or equivocated.\n"
        "\n" CLI_NODE_HELP;

int
cmd_status_main(int argc, char **argv)
{
	struct cmd c = { "status", status_usage, { 0 } };
	json_t *s = NULL, *p;
	size_t i;
	int rc;

	if ((rc = parse(&c, argc, argv, NULL, 0, NULL, NULL)) != -1)
		return rc;
	if (optind != argc)
		return cli_usage("status", "no arguments expected");
	if ((rc = call(&c, "GET", "/api/v1/status", NULL, &s)) != 0 || s == NULL)
		return rc;
	printf("party           %s\n", str(s, "party"));
	printf("fingerprint     %s\n", str(s, "fingerprint"));
	p = json_object_get(s, "transcript");
	printf("transcript      %lld entries, root %.16s...\n",
	       (long long)json_integer_value(json_object_get(p, "size")), str(p, "root"));
	printf("channels        %lld\n",
	       (long long)json_integer_value(json_object_get(s, "channels")));
	printf("inbox unacked   %lld\n",
	       (long long)json_integer_value(json_object_get(s, "inbox_unacked")));
	printf("missing         %lld (envelopes other members' transcripts name, not here)\n",
	       (long long)json_integer_value(json_object_get(s, "missing")));
	p = json_object_get(s, "pending");
	if (json_array_size(p) == 0)
		printf("pending         none\n");
	for (i = 0; i < json_array_size(p); i++)
		printf("pending         %lld to %s\n",
		       (long long)json_integer_value(
		               json_object_get(json_array_get(p, i), "envelopes")),
		       str(json_array_get(p, i), "peer"));
	p = json_object_get(s, "alerts");
	if (json_array_size(p) == 0)
		printf("alerts          none\n");
	for (i = 0; i < json_array_size(p); i++) {
		json_t *a = json_array_get(p, i);

		printf("ALERT           %s: %s: %s\n", str(a, "kind"), str(a, "party"),
		       str(a, "detail"));
	}
	json_decref(s);
	return 0;
}

/* ---- peer ------------------------------------------------------------------------------- */

static const char peer_usage[] =
        "usage: parley peer add RECORD --fingerprint FP\n"
        "       parley peer list\n"
        "\n"
        "add   pin a party's record (the file its 'parley init' wrote), checked\n"
        "      against the fingerprint it read out to you; or accept its next\n"
        "      revision (a key rotation), which its old key must have signed\n"
        "list  the pinned parties\n"
        "\n"
        "  --fingerprint FP   the fingerprint, as exchanged out of band\n" CLI_NODE_HELP;

static int
fp_opt(void *ctx, int ch, const char *arg)
{
	if (ch != 'f')
		return EXIT_USAGE;
	*(const char **)ctx = arg;
	return -1;
}

int
cmd_peer_main(int argc, char **argv)
{
	static const struct option extra[] = { { "fingerprint", required_argument, NULL, 'f' } };
	struct cmd c = { "peer", peer_usage, { 0 } };
	const char *fp = NULL;
	json_t *ans = NULL;
	size_t i;
	int rc;

	if ((rc = parse(&c, argc, argv, extra, 1, fp_opt, &fp)) != -1)
		return rc;
	if (optind >= argc)
		return cli_usage("peer", "add or list?");
	if (strcmp(argv[optind], "list") == 0 && optind + 1 == argc) {
		if ((rc = call(&c, "GET", "/api/v1/peers", NULL, &ans)) != 0 || ans == NULL)
			return rc;
		printf("%-20s %-4s %-40s %s\n", "PARTY", "REV", "FINGERPRINT", "ENDPOINT");
		for (i = 0; i < json_array_size(ans); i++) {
			json_t *p = json_array_get(ans, i);

			printf("%-20s %-4lld %-40s %s%s\n", str(p, "id"),
			       (long long)json_integer_value(json_object_get(p, "revision")),
			       str(p, "fingerprint"),
			       json_array_size(json_object_get(p, "endpoints")) > 0
			               ? json_string_value(
			                         json_array_get(json_object_get(p, "endpoints"), 0))
			               : "-",
			       json_is_true(json_object_get(p, "self")) ? "  (this node)" : "");
		}
		json_decref(ans);
		return 0;
	}
	if (strcmp(argv[optind], "add") == 0 && optind + 2 == argc) {
		struct buf rec;
		char *b64;
		enum pl_err err;

		if (fp == NULL)
			return cli_usage("peer",
			                 "add needs --fingerprint FP, read out by the party");
		buf_init(&rec, PARTY_ENCODED_MAX);
		if ((err = file_read(&rec, argv[optind + 1])) != PL_OK) {
			buf_reset(&rec);
			return fail(&c, err);
		}
		b64 = malloc(CR_B64_LEN(rec.len));
		if (b64 == NULL) {
			buf_reset(&rec);
			return cli_fail("peer: out of memory");
		}
		cr_b64_encode(b64, CR_B64_LEN(rec.len), rec.data, rec.len);
		buf_reset(&rec);
		rc = call(&c, "POST", "/api/v1/peers",
		          json_pack("{ssss}", "record", b64, "fingerprint", fp), &ans);
		free(b64);
		if (rc == 0 && ans != NULL)
			printf("pinned %s at revision %lld\n", str(ans, "id"),
			       (long long)json_integer_value(json_object_get(ans, "revision")));
		json_decref(ans);
		return rc;
	}
	return cli_usage("peer", "want 'add RECORD --fingerprint FP' or 'list'");
}

/* ---- channel ----------------------------------------------------------------------------- */

static const char channel_usage[] =
        "usage: parley channel create NAME --member ID... [--title T] [--charter FILE]\n"
        "       parley channel accept NAME\n"
        "       parley channel list\n"
        "\n"
        "create  propose a channel: its charter goes to every member (this node\n"
        "        included in --member or not: it is added)\n"
        "accept  sign a charter proposed to this node\n"
        "list    channels, their state and who has signed\n"
        "\n"
        "  --member ID     a member (repeatable)\n"
        "  --title T       the charter's title\n"
        "  --charter FILE  the charter's data as JSON (docs/node.md#channels-and-charters)\n" CLI_NODE_HELP;

struct chan_ctx {
	json_t *members;
	const char *title, *charter;
};

static int
chan_opt(void *ctx, int ch, const char *arg)
{
	struct chan_ctx *x = ctx;

	if (ch == 'm')
		json_array_append_new(x->members, json_string(arg));
	else if (ch == 't')
		x->title = arg;
	else if (ch == 'c')
		x->charter = arg;
	else
		return EXIT_USAGE;
	return -1;
}

int
cmd_channel_main(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "member", required_argument, NULL, 'm' },
		{ "title", required_argument, NULL, 't' },
		{ "charter", required_argument, NULL, 'c' },
	};
	struct cmd c = { "channel", channel_usage, { 0 } };
	struct chan_ctx x = { json_array(), NULL, NULL };
	json_t *ans = NULL, *status = NULL, *charter = NULL;
	char path[256];
	size_t i;
	int rc;

	if ((rc = parse(&c, argc, argv, extra, 3, chan_opt, &x)) != -1)
		goto out;
	rc = EXIT_USAGE;
	if (optind >= argc) {
		rc = cli_usage("channel", "create, accept or list?");
	} else if (strcmp(argv[optind], "list") == 0 && optind + 1 == argc) {
		if ((rc = call(&c, "GET", "/api/v1/channels", NULL, &ans)) != 0 || ans == NULL)
			goto out;
		printf("%-24s %-10s %-14s %s\n", "CHANNEL", "STATE", "CREATOR", "MEMBERS (signed)");
		for (i = 0; i < json_array_size(ans); i++) {
			json_t *ch = json_array_get(ans, i), *m = json_object_get(ch, "members");
			size_t j;

			printf("%-24s %-10s %-14s", str(ch, "name"), str(ch, "state"),
			       str(ch, "creator"));
			for (j = 0; j < json_array_size(m); j++) {
				const char *id = json_string_value(json_array_get(m, j));
				json_t *acc = json_object_get(ch, "accepted");
				size_t k;
				int signed_ = 0;

				for (k = 0; k < json_array_size(acc); k++)
					if (strcmp(json_string_value(json_array_get(acc, k)), id) ==
					    0)
						signed_ = 1;
				printf(" %s%s", id, signed_ ? "" : "(pending)");
			}
			printf("\n");
		}
	} else if (strcmp(argv[optind], "accept") == 0 && optind + 2 == argc) {
		(void)snprintf(path, sizeof(path), "/api/v1/channels/%.63s/accept",
		               argv[optind + 1]);
		if ((rc = call(&c, "POST", path, NULL, &ans)) == 0 && ans != NULL)
			printf("signed the charter of %s\n", argv[optind + 1]);
	} else if (strcmp(argv[optind], "create") == 0 && optind + 2 == argc) {
		if (json_array_size(x.members) == 0) {
			rc = cli_usage("channel", "create needs --member ID (repeatable)");
			goto out;
		}
		if (x.charter != NULL) {
			json_error_t je;

			if ((charter = json_load_file(x.charter, JSON_REJECT_DUPLICATES, &je)) ==
			    NULL) {
				rc = cli_fail("channel: %s:%d: %s", x.charter, je.line, je.text);
				goto out;
			}
		} else {
			charter = json_object();
		}
		if (x.title != NULL)
			json_object_set_new(charter, "title", json_string(x.title));
		/* This node is a member of what it proposes. */
		{
			struct cmd quiet = c;

			quiet.node.json = 0;
			if ((rc = call(&quiet, "GET", "/api/v1/status", NULL, &status)) != 0)
				goto out;
		}
		if (status != NULL) {
			const char *self = str(status, "party");
			int have = 0;

			for (i = 0; i < json_array_size(x.members); i++)
				if (strcmp(json_string_value(json_array_get(x.members, i)), self) ==
				    0)
					have = 1;
			if (!have)
				json_array_append_new(x.members, json_string(self));
		}
		rc = call(&c, "POST", "/api/v1/channels",
		          json_pack("{sssOsO}", "name", argv[optind + 1], "members", x.members,
		                    "charter", charter),
		          &ans);
		if (rc == 0 && ans != NULL)
			printf("proposed %s; it is active once every member has accepted\n",
			       argv[optind + 1]);
	} else {
		rc = cli_usage("channel", "want create NAME, accept NAME or list");
	}
out:
	json_decref(x.members);
	json_decref(charter);
	json_decref(status);
	json_decref(ans);
	return rc;
}
