/*
 * main.c - the parley command: dispatch to subcommands.
 */
#include <stdio.h>
#include <string.h>

#include "../crypto/cr.h"
#include "cli.h"

static const struct {
	const char *name;
	int (*main)(int, char **);
	const char *help;
} cmds[] = {
	{ "keygen", cmd_keygen_main, "make a party's keys and signed record, in a key file" },
	{ "key", cmd_key_main, "show, check or export a key file" },
	{ "log", cmd_log_main, "inspect, checkpoint and verify a transcript log" },
	{ "verify", cmd_verify_main, "check a signed checkpoint or a tlog-proof offline" },
};

static void
usage(FILE *f)
{
	size_t i;

	(void)fprintf(f, "usage: parley <command> [options]\n\ncommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		(void)fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	(void)fprintf(f, "\n'parley <command> --help' describes a command.\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		(void)printf("parley %s\n", CLI_VERSION);
		return 0;
	}
	if (cr_init() != PL_OK)
		return cli_fail_err("crypto", PL_E_STATE);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].main(argc - 1, argv + 1);
	(void)fprintf(stderr, "parley: unknown command '%.64s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
