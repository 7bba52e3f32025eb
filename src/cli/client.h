/*
 * client.h - the CLI's side of the officer API (docs/api.md): which node,
 * which token, one JSON request at a time over libcurl.
 *
 * The node is --node URL, else PARLEY_NODE; the token is read from
 * --token-file FILE, else PARLEY_TOKEN_FILE (parley init writes one).
 */
#ifndef PL_CLIENT_H
#define PL_CLIENT_H

#include <getopt.h>
#include <stddef.h>

#include <jansson.h>

#include "../common/err.h"

struct cli_node {
	const char *url;        /* --node */
	const char *token_file; /* --token-file */
	const char *ca_file;    /* --ca */
	int json;               /* --json: print the API's JSON */
	char token[128];
};

/* Long options every node command takes, and their handling in a getopt loop. */
#define CLI_NODE_OPTIONS                                                                           \
	{ "node", required_argument, NULL, 0x100 },                                                \
	        { "token-file", required_argument, NULL, 0x101 },                                  \
	        { "ca", required_argument, NULL, 0x102 },                                          \
	{                                                                                          \
		"json", no_argument, NULL, 0x103                                                   \
	}
#define CLI_NODE_HELP                                                                              \
	"  --node URL         the node's address (else PARLEY_NODE)\n"                             \
	"  --token-file FILE  the API token (else PARLEY_TOKEN_FILE)\n"                            \
	"  --ca FILE          CA bundle for an https node\n"                                       \
	"  --json             print the node's JSON answer\n"

/* 1 if ch was one of CLI_NODE_OPTIONS (and is now recorded), else 0. */
int cli_node_option(struct cli_node *n, int ch, const char *arg);

/*
 * getopt_long over CLI_NODE_OPTIONS, --help and a command's own options
 * (at most 26).  Returns -2 with *ch set for one of the command's own
 * options, -1 when the options are done, or the exit status to return
 * now: 0 after printing usage for --help, EXIT_USAGE for a bad option.
 * Callers set opterr = 0 and optind = 1 first.
 */
int cli_node_getopt(struct cli_node *n, int argc, char **argv, const char *cmd, const char *usage,
                    const struct option *extra, size_t n_extra, int *ch);

/*
 * One request: method, path ("/api/v1/..."), an optional JSON body.  On a
 * 2xx answer *out holds the parsed JSON (or NULL for an empty body); on
 * any other, PL_E_ARG "node URL: HTTP 409 inactive: <message>".
 */
PL_MUST_USE enum pl_err cli_call(struct cli_node *n, const char *method, const char *path,
                                 json_t *body, json_t **out);
/* The same, keeping a 2xx answer's bytes in out (bounded by out->max), whatever they are. */
PL_MUST_USE enum pl_err cli_call_raw(struct cli_node *n, const char *method, const char *path,
                                     json_t *body, struct buf *out);

/* Print j for --json (pretty, with a newline). */
void cli_print_json(const json_t *j);

#endif
