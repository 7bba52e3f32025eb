/*
 * config.h - parleyd's configuration file (docs/node.md#configuration):
 * one "key value" per line, '#' comments, every key at most once.
 */
#ifndef PL_CONFIG_H
#define PL_CONFIG_H

#include <stddef.h>

#include "../common/err.h"
#include "../wire/codec.h"

#define CONFIG_PATH_MAX 1024
#define CONFIG_LINE_MAX 2048
#define CONFIG_SIZE_MAX 65536

struct config {
	char party[CODEC_ID_MAX + 1];
	char keys[CONFIG_PATH_MAX];
	char passphrase_file[CONFIG_PATH_MAX]; /* "" if not set */
	char store[CONFIG_PATH_MAX];
	char listen[256];
	char tls_cert[CONFIG_PATH_MAX], tls_key[CONFIG_PATH_MAX], tls_ca[CONFIG_PATH_MAX];
	int plain_http;
	size_t max_body;
	unsigned max_connections;
	unsigned timeout_s;
	unsigned threads;
	int log_level; /* 0 error, 1 warn, 2 info, 3 debug */
	char console[CONFIG_PATH_MAX];
	int witness_only; /* a neutral witness: no channel content (docs/node.md#audit) */
	unsigned checkpoint_interval; /* ms between looks at the transcript for a new checkpoint */
	unsigned witness_rate;        /* add-checkpoint requests per second per client */
};

/*
 * Parse text (n bytes, need not be NUL-terminated) into out, with the
 * defaults for keys not given.  PL_E_ARG "FILE:LINE: key 'x': what".
 */
PL_MUST_USE enum pl_err config_parse(struct config *out, const char *text, size_t n,
                                     const char *filename);

/* Read and parse a file (at most CONFIG_SIZE_MAX bytes). */
PL_MUST_USE enum pl_err config_load(struct config *out, const char *path);

#endif
