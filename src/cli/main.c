/*
 * main.c - the parley command: dispatch to subcommands (one table, as in
 * wg.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../crypto/cr.h"
#include "cli.h"

static const struct {
	const char *name;
	int (*main)(int, char **);
	const char *help;
} cmds[] = {
	{ "init", cmd_init_main, "make a new node: keys, configuration, store, first officer" },
	{ "login", cmd_login_main, "log in to a node and keep an API token" },
	{ "status", cmd_status_main, "the node's party, transcript and pending deliveries" },
	{ "peer", cmd_peer_main, "pin a party's record (add) or list the pinned ones" },
	{ "channel", cmd_channel_main, "create, accept or list channels" },
	{ "send", cmd_send_main, "send a message on a channel" },
	{ "inbox", cmd_inbox_main, "list the messages received" },
	{ "show", cmd_show_main, "one envelope, its body, receipts and acknowledgements" },
	{ "ack", cmd_ack_main, "acknowledge a received message" },
	{ "keygen", cmd_keygen_main, "make a party's keys and signed record, in a key file" },
	{ "key", cmd_key_main, "show, check or export a key file" },
	{ "log", cmd_log_main, "inspect, checkpoint and verify a transcript log" },
	{ "export", cmd_export_main, "a channel as one bundle file, for offline verification" },
	{ "verify", cmd_verify_main, "check a checkpoint, a tlog-proof or a bundle offline" },
};
#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void
usage(FILE *f)
{
	size_t i;

	(void)fprintf(f, "usage: parley <command> [options]\n"
	                 "       parley help [command] | --help | --version\n\ncommands:\n");
	for (i = 0; i < N_CMDS; i++)
		(void)fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	(void)fprintf(f, "\n'parley <command> --help' describes a command.\n");
}

static int
run(int argc, char **argv)
{
	char help[] = "--help";
	char *help_argv[] = { NULL, NULL, help, NULL };
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    (strcmp(argv[1], "help") == 0 && argc == 2)) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		(void)printf("parley %s\n", CLI_VERSION);
		return 0;
	}
	/* "parley help CMD" is "parley CMD --help". */
	if (strcmp(argv[1], "help") == 0) {
		if (argc > 3)
			return cli_usage("help", "want at most one command name");
		help_argv[0] = argv[0];
		help_argv[1] = argv[2];
		argc = 3;
		argv = help_argv;
	}
	for (i = 0; i < N_CMDS; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].main(argc - 1, argv + 1);
	(void)fprintf(stderr, "parley: unknown command '%.64s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	enum pl_err err;
	int rc;

	if ((err = cr_init()) != PL_OK)
		return cli_fail_err("crypto", err);
	rc = run(argc, argv);
	/* Output that never arrived (a full disk, a closed pipe) is a failure. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		(void)fprintf(stderr, "parley: standard output: %s\n",
		              errno != 0 ? strerror(errno) : "write error");
		if (rc == 0)
			rc = 1;
	}
	return rc;
}
