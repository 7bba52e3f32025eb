/*
 * cmd_msg.c - messages through a node's officer API: parley send, inbox,
 * show and ack.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/buf.h"
#include "../common/file.h"
#include "cli.h"
#include "client.h"

#define TEXT_MAX 65536

static const char *
str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* "@FILE" reads the file; anything else is the text itself. */
static enum pl_err
text_arg(const char *arg, char **out)
{
	struct buf b;
	enum pl_err err;

	*out = NULL;
	if (arg[0] != '@') {
		*out = strdup(arg);
		return *out != NULL ? PL_OK : pl_errf(PL_E_NOMEM, "out of memory");
	}
	buf_init(&b, TEXT_MAX);
	if ((err = file_read(&b, arg + 1)) == PL_OK && (err = buf_add_u8(&b, 0)) == PL_OK &&
	    (*out = strdup((const char *)b.data)) == NULL)
		err = pl_errf(PL_E_NOMEM, "out of memory");
	buf_reset(&b);
	return err;
}

/* ---- send ----------------------------------------------------------------------------- */

static const char send_usage[] =
        "usage: parley send --channel C [--precedence P] [--format F] [--version N]\n"
        "                   [--data JSON|@FILE] [--text LANG=TEXT|LANG=@FILE]...\n"
        "                   [--authoritative LANG] [--ref ID]... [--tlp T] [--exercise]\n"
        "\n"
        "Seal, sign and send a message to every member of the channel.  The node\n"
        "answers once it is on its disk and queued; delivery and receipts follow.\n"
        "\n"
        "  --channel C          the channel\n"
        "  --precedence P       FLASH, IMMEDIATE, PRIORITY or ROUTINE (default)\n"
        "  --format F           the body's format (default: message)\n"
        "  --version N          the format's version (default 1)\n"
        "  --data JSON|@FILE    the format's structured data, a JSON object\n"
        "  --text LANG=TEXT     a text in one language; @FILE reads it (repeatable)\n"
        "  --authoritative LANG which text is authoritative (needed with several)\n"
        "  --ref ID             an envelope this one answers or cites (repeatable)\n"
        "  --tlp T              clear, green, amber (default), amber+strict, red\n"
        "  --exercise           mark it as an exercise\n" CLI_NODE_HELP;

int
cmd_send_main(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "channel", required_argument, NULL, 'c' },
		{ "precedence", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'f' },
		{ "version", required_argument, NULL, 'v' },
		{ "data", required_argument, NULL, 'd' },
		{ "text", required_argument, NULL, 't' },
		{ "authoritative", required_argument, NULL, 'a' },
		{ "ref", required_argument, NULL, 'r' },
		{ "tlp", required_argument, NULL, 'l' },
		{ "exercise", no_argument, NULL, 'x' },
	};
	struct cli_node n = { 0 };
	json_t *body = json_object(), *texts = json_object(), *refs = json_array(), *ans = NULL;
	enum pl_err err;
	char *text;
	int ch, rc;

	opterr = 0;
	optind = 1;
	json_object_set_new(body, "format", json_string("message"));
	while ((rc = cli_node_getopt(&n, argc, argv, "send", send_usage, extra, 10, &ch)) == -2) {
		switch (ch) {
		case 'c':
			json_object_set_new(body, "channel", json_string(optarg));
			break;
		case 'p':
			json_object_set_new(body, "precedence", json_string(optarg));
			break;
		case 'f':
			json_object_set_new(body, "format", json_string(optarg));
			break;
		case 'v':
			json_object_set_new(body, "version",
			                    json_integer(strtoll(optarg, NULL, 10)));
			break;
		case 'a':
			json_object_set_new(body, "authoritative", json_string(optarg));
			break;
		case 'r':
			json_array_append_new(refs, json_string(optarg));
			break;
		case 'l':
			json_object_set_new(body, "tlp", json_string(optarg));
			break;
		case 'x':
			json_object_set_new(body, "exercise", json_true());
			break;
		case 'd': {
			json_error_t je;
			json_t *d;

			if ((err = text_arg(optarg, &text)) != PL_OK) {
				rc = cli_fail_err("send: --data", err);
				goto out;
			}
			d = json_loads(text, JSON_REJECT_DUPLICATES, &je);
			free(text);
			if (!json_is_object(d)) {
				json_decref(d);
				rc = cli_usage("send", "--data: want a JSON object (%s)", je.text);
				goto out;
			}
			json_object_set_new(body, "data", d);
			break;
		}
		case 't': {
			const char *eq = strchr(optarg, '=');
			char lang[64];

			if (eq == NULL || eq == optarg || (size_t)(eq - optarg) >= sizeof(lang)) {
				rc = cli_usage("send", "--text: want LANG=TEXT, e.g. en=Hello");
				goto out;
			}
			(void)snprintf(lang, sizeof(lang), "%.*s", (int)(eq - optarg), optarg);
			if ((err = text_arg(eq + 1, &text)) != PL_OK) {
				rc = cli_fail_err("send: --text", err);
				goto out;
			}
			json_object_set_new(texts, lang, json_string(text));
			free(text);
			break;
		}
		}
	}
	if (rc != -1)
		goto out;
	if (optind != argc || json_object_get(body, "channel") == NULL) {
		rc = cli_usage("send", "--channel is required, and no other arguments");
		goto out;
	}
	if (json_object_size(texts) > 0)
		json_object_set(body, "texts", texts);
	if (json_object_size(texts) == 1 && json_object_get(body, "authoritative") == NULL)
		json_object_set_new(body, "authoritative",
		                    json_string(json_object_iter_key(json_object_iter(texts))));
	if (json_array_size(refs) > 0)
		json_object_set(body, "refs", refs);
	if ((err = cli_call(&n, "POST", "/api/v1/envelopes", body, &ans)) != PL_OK) {
		rc = cli_fail_err("send", err);
		goto out;
	}
	if (n.json)
		cli_print_json(ans);
	else
		printf("%s\n", str(ans, "id"));
	rc = 0;
out:
	json_decref(body);
	json_decref(texts);
	json_decref(refs);
	json_decref(ans);
	return rc;
}

/* ---- inbox ---------------------------------------------------------------------------- */

static const char inbox_usage[] =
        "usage: parley inbox [--channel C] [--unacked] [--all] [--limit N]\n"
        "\n"
        "Messages received, newest first, with when they arrived and whether an\n"
        "officer here acknowledged them.  --all lists every envelope, sent ones too.\n"
        "\n" CLI_NODE_HELP;

int
cmd_inbox_main(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "channel", required_argument, NULL, 'c' },
		{ "unacked", no_argument, NULL, 'u' },
		{ "all", no_argument, NULL, 'a' },
		{ "limit", required_argument, NULL, 'n' },
	};
	struct cli_node n = { 0 };
	const char *channel = NULL, *limit = "100";
	int unacked = 0, all = 0, ch, rc;
	char path[256];
	json_t *ans = NULL;
	enum pl_err err;
	size_t i;

	opterr = 0;
	optind = 1;
	while ((rc = cli_node_getopt(&n, argc, argv, "inbox", inbox_usage, extra, 4, &ch)) == -2) {
		if (ch == 'c')
			channel = optarg;
		else if (ch == 'u')
			unacked = 1;
		else if (ch == 'a')
			all = 1;
		else if (ch == 'n')
			limit = optarg;
	}
	if (rc != -1)
		return rc;
	if (optind != argc)
		return cli_usage("inbox", "no arguments expected");
	(void)snprintf(path, sizeof(path),
	               "/api/v1/envelopes?inbox=%d&unacked=%d&limit=%.10s%s%.63s", !all, unacked,
	               limit, channel ? "&channel=" : "", channel ? channel : "");
	if ((err = cli_call(&n, "GET", path, NULL, &ans)) != PL_OK)
		return cli_fail_err("inbox", err);
	if (n.json) {
		cli_print_json(ans);
		json_decref(ans);
		return 0;
	}
	printf("%-12s %-16s %-12s %5s %-9s %-8s %-24s %s\n", "ID", "CHANNEL", "SENDER", "SEQ",
	       "PREC", "KIND", "STORED", "ACK");
	for (i = 0; i < json_array_size(ans); i++) {
		json_t *e = json_array_get(ans, i), *acks = json_object_get(e, "acks");

		printf("%-12.12s %-16s %-12s %5lld %-9s %-8s %-24s %s\n", str(e, "id"),
		       str(e, "channel"), str(e, "sender"),
		       (long long)json_integer_value(json_object_get(e, "seq")),
		       str(e, "precedence"), str(e, "kind"), str(e, "stored"),
		       json_array_size(acks) > 0 ? str(json_array_get(acks, 0), "officer") : "-");
	}
	if (json_array_size(ans) == 0)
		printf("(nothing)\n");
	json_decref(ans);
	return 0;
}

/* ---- show ---------------------------------------------------------------------------- */

static const char show_usage[] = "usage: parley show ID\n"
                                 "\n"
                                 "One envelope: header, decrypted body, deliveries, receipts and\n"
                                 "acknowledgements.\n"
                                 "\n" CLI_NODE_HELP;

int
cmd_show_main(int argc, char **argv)
{
	struct cli_node n = { 0 };
	json_t *e = NULL, *body, *texts, *v, *list;
	char path[128], *data;
	const char *key;
	enum pl_err err;
	size_t i;
	int ch, rc;

	opterr = 0;
	optind = 1;
	if ((rc = cli_node_getopt(&n, argc, argv, "show", show_usage, NULL, 0, &ch)) != -1)
		return rc == -2 ? cli_bad_option("show", ch, argv) : rc;
	if (optind + 1 != argc)
		return cli_usage("show", "want one envelope ID");
	(void)snprintf(path, sizeof(path), "/api/v1/envelopes/%.64s", argv[optind]);
	if ((err = cli_call(&n, "GET", path, NULL, &e)) != PL_OK)
		return cli_fail_err("show", err);
	if (n.json) {
		cli_print_json(e);
		json_decref(e);
		return 0;
	}
	printf("id          %s\n", str(e, "id"));
	printf("channel     %s, seq %lld from %s (%s)\n", str(e, "channel"),
	       (long long)json_integer_value(json_object_get(e, "seq")), str(e, "sender"),
	       str(e, "direction"));
	printf("kind        %s, %s, TLP:%s%s\n", str(e, "kind"), str(e, "precedence"),
	       str(e, "tlp"), json_is_true(json_object_get(e, "exercise")) ? ", EXERCISE" : "");
	if (json_is_true(json_object_get(e, "flagged")))
		printf("FLAGGED     %s is under an alert (parley status): weigh this with it\n",
		       str(e, "sender"));
	printf("sent        %s (sender's clock)\n", str(e, "time"));
	printf("stored      %s\n", str(e, "stored"));
	body = json_object_get(e, "body");
	printf("format      %s v%lld\n", str(body, "format"),
	       (long long)json_integer_value(json_object_get(body, "version")));
	if ((data = json_dumps(json_object_get(body, "data"), JSON_COMPACT | JSON_SORT_KEYS)) !=
	    NULL) {
		printf("data        %s\n", data);
		free(data);
	}
	texts = json_object_get(body, "texts");
	json_object_foreach(texts, key, v)
	        printf("text [%s]%s %s\n", key,
	               strcmp(key, str(body, "authoritative")) == 0 ? " (authoritative)" : "",
	               json_string_value(v));
	list = json_object_get(e, "receipts");
	for (i = 0; i < json_array_size(list); i++)
		printf("receipt     %s at %s\n", str(json_array_get(list, i), "receiver"),
		       str(json_array_get(list, i), "time"));
	list = json_object_get(e, "deliveries");
	for (i = 0; i < json_array_size(list); i++)
		if (json_is_null(json_object_get(json_array_get(list, i), "receipt")))
			printf("pending     %s (no receipt yet)\n",
			       str(json_array_get(list, i), "peer"));
	list = json_object_get(e, "acks");
	for (i = 0; i < json_array_size(list); i++)
		printf("ack         %s of %s at %s\n", str(json_array_get(list, i), "officer"),
		       str(json_array_get(list, i), "party"), str(json_array_get(list, i), "time"));
	json_decref(e);
	return 0;
}

/* ---- ack ------------------------------------------------------------------------------- */

static const char ack_usage[] = "usage: parley ack ID\n"
                                "\n"
                                "Acknowledge a received message: an acknowledgement naming you\n"
                                "goes back to the sender and every member.\n"
                                "\n" CLI_NODE_HELP;

int
cmd_ack_main(int argc, char **argv)
{
	struct cli_node n = { 0 };
	json_t *ans = NULL;
	char path[128];
	enum pl_err err;
	int ch, rc;

	opterr = 0;
	optind = 1;
	if ((rc = cli_node_getopt(&n, argc, argv, "ack", ack_usage, NULL, 0, &ch)) != -1)
		return rc == -2 ? cli_bad_option("ack", ch, argv) : rc;
	if (optind + 1 != argc)
		return cli_usage("ack", "want one envelope ID");
	(void)snprintf(path, sizeof(path), "/api/v1/envelopes/%.64s/ack", argv[optind]);
	if ((err = cli_call(&n, "POST", path, NULL, &ans)) != PL_OK)
		return cli_fail_err("ack", err);
	if (n.json)
		cli_print_json(ans);
	else
		printf("acknowledged %.12s: %s\n", argv[optind], str(ans, "id"));
	json_decref(ans);
	return 0;
}
