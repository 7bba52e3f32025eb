/*
 * config.c - read parleyd's configuration (config.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../common/buf.h"
#include "../common/file.h"
#include "config.h"

enum kind { K_ID, K_PATH, K_ADDR, K_BOOL, K_SIZE, K_UINT, K_LEVEL };

struct key {
	const char *name;
	enum kind kind;
	size_t off, cap; /* where in struct config, and its size for strings */
	unsigned long long min, max;
	int required;
};

static const struct key keys[] = {
	{ "party", K_ID, offsetof(struct config, party), CODEC_ID_MAX + 1, 0, 0, 1 },
	{ "keys", K_PATH, offsetof(struct config, keys), CONFIG_PATH_MAX, 0, 0, 1 },
	{ "passphrase-file", K_PATH, offsetof(struct config, passphrase_file), CONFIG_PATH_MAX, 0,
	  0, 0 },
	{ "store", K_PATH, offsetof(struct config, store), CONFIG_PATH_MAX, 0, 0, 1 },
	{ "listen", K_ADDR, offsetof(struct config, listen), 256, 0, 0, 0 },
	{ "tls-cert", K_PATH, offsetof(struct config, tls_cert), CONFIG_PATH_MAX, 0, 0, 0 },
	{ "tls-key", K_PATH, offsetof(struct config, tls_key), CONFIG_PATH_MAX, 0, 0, 0 },
	{ "tls-ca", K_PATH, offsetof(struct config, tls_ca), CONFIG_PATH_MAX, 0, 0, 0 },
	{ "plain-http", K_BOOL, offsetof(struct config, plain_http), 0, 0, 1, 0 },
	{ "max-body", K_SIZE, offsetof(struct config, max_body), 0, 1024, 64ull << 20, 0 },
	{ "max-connections", K_UINT, offsetof(struct config, max_connections), 0, 1, 65536, 0 },
	{ "timeout", K_UINT, offsetof(struct config, timeout_s), 0, 1, 3600, 0 },
	{ "threads", K_UINT, offsetof(struct config, threads), 0, 1, 256, 0 },
	{ "log-level", K_LEVEL, offsetof(struct config, log_level), 0, 0, 3, 0 },
	{ "console", K_PATH, offsetof(struct config, console), CONFIG_PATH_MAX, 0, 0, 0 },
	{ "witness-only", K_BOOL, offsetof(struct config, witness_only), 0, 0, 1, 0 },
	{ "checkpoint-interval", K_UINT, offsetof(struct config, checkpoint_interval), 0, 10, 60000,
	  0 },
	{ "witness-rate", K_UINT, offsetof(struct config, witness_rate), 0, 1, 100000, 0 },
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static void
defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	(void)snprintf(c->listen, sizeof(c->listen), "127.0.0.1:7400");
	c->max_body = 4u << 20;
	c->max_connections = 256;
	c->timeout_s = 30;
	c->threads = 4;
	c->log_level = 2;
	c->checkpoint_interval = 250;
	c->witness_rate = 50;
}

/* "HOST:PORT" or "[V6]:PORT", port 1..65535 (0 allowed: pick one). */
static int
addr_ok(const char *v)
{
	const char *colon = strrchr(v, ':');
	uint64_t port;

	if (colon == NULL || colon == v || colon[1] == '\0')
		return 0;
	if (v[0] == '[' && colon[-1] != ']')
		return 0;
	return codec_dec_parse(colon + 1, strlen(colon + 1), &port) && port <= 65535;
}

static enum pl_err
set(struct config *c, const struct key *k, const char *v, const char *file, unsigned line)
{
	char *base = (char *)c + k->off;
	uint64_t num;
	static const char *const levels[] = { "error", "warn", "info", "debug" };
	unsigned i;

	switch (k->kind) {
	case K_ID:
		if (codec_id_check("party", v) != PL_OK)
			return pl_errf(PL_E_ARG,
			               "%s:%u: key '%s': '%s' is not a party id (a-z, 0-9, "
			               "'-', '.'; 1..63)",
			               file, line, k->name, v);
		/* FALLTHROUGH */
	case K_PATH:
	case K_ADDR:
		if (*v == '\0')
			return pl_errf(PL_E_ARG, "%s:%u: key '%s': empty value", file, line,
			               k->name);
		if (strlen(v) >= k->cap)
			return pl_errf(PL_E_ARG, "%s:%u: key '%s': longer than %zu bytes", file,
			               line, k->name, k->cap - 1);
		if (k->kind == K_ADDR && !addr_ok(v))
			return pl_errf(PL_E_ARG, "%s:%u: key '%s': want HOST:PORT, not '%s'", file,
			               line, k->name, v);
		memcpy(base, v, strlen(v) + 1);
		return PL_OK;
	case K_BOOL:
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return pl_errf(PL_E_ARG, "%s:%u: key '%s': want yes or no", file, line,
			               k->name);
		*(int *)(void *)base = strcmp(v, "yes") == 0;
		return PL_OK;
	case K_LEVEL:
		for (i = 0; i < 4 && strcmp(v, levels[i]) != 0; i++)
			;
		if (i == 4)
			return pl_errf(PL_E_ARG, "%s:%u: key '%s': want error, warn, info or debug",
			               file, line, k->name);
		*(int *)(void *)base = (int)i;
		return PL_OK;
	case K_SIZE:
	case K_UINT:
		if (!codec_dec_parse(v, strlen(v), &num) || num < k->min || num > k->max)
			return pl_errf(PL_E_ARG, "%s:%u: key '%s': want a number %llu..%llu", file,
			               line, k->name, k->min, k->max);
		if (k->kind == K_SIZE)
			*(size_t *)(void *)base = (size_t)num;
		else
			*(unsigned *)(void *)base = (unsigned)num;
		return PL_OK;
	}
	return PL_E_STATE;
}

enum pl_err
config_parse(struct config *out, const char *text, size_t n, const char *file)
{
	char line[CONFIG_LINE_MAX + 1];
	int seen[N_KEYS] = { 0 };
	size_t pos = 0, len, i, j;
	unsigned lineno = 0;

	defaults(out);
	if (memchr(text, '\0', n) != NULL)
		return pl_errf(PL_E_ARG, "%s: holds a NUL byte", file);
	if (!codec_utf8_ok((const uint8_t *)text, n, CODEC_ALLOW_NL | CODEC_ALLOW_TAB))
		return pl_errf(PL_E_ARG, "%s: not UTF-8 text, or holds control characters", file);
	while (pos < n) {
		const char *nl = memchr(text + pos, '\n', n - pos);
		char *k, *v, *end;

		len = nl != NULL ? (size_t)(nl - (text + pos)) : n - pos;
		lineno++;
		if (len > CONFIG_LINE_MAX)
			return pl_errf(PL_E_ARG, "%s:%u: line longer than %d bytes", file, lineno,
			               CONFIG_LINE_MAX);
		memcpy(line, text + pos, len);
		line[len] = '\0';
		pos += len + (nl != NULL);
		if ((k = strchr(line, '#')) != NULL)
			*k = '\0';
		for (k = line; *k == ' ' || *k == '\t'; k++)
			;
		for (end = k + strlen(k); end > k && (end[-1] == ' ' || end[-1] == '\t');)
			*--end = '\0';
		if (*k == '\0')
			continue;
		for (v = k; *v != '\0' && *v != ' ' && *v != '\t'; v++)
			;
		if (*v != '\0')
			*v++ = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		for (i = 0; i < N_KEYS && strcmp(keys[i].name, k) != 0; i++)
			;
		if (i == N_KEYS)
			return pl_errf(PL_E_ARG, "%s:%u: unknown key '%.40s'", file, lineno, k);
		if (seen[i])
			return pl_errf(PL_E_ARG, "%s:%u: key '%s' given twice (first on line %d)",
			               file, lineno, k, seen[i]);
		seen[i] = (int)lineno;
		PL_TRY(set(out, &keys[i], v, file, lineno));
	}
	for (j = 0; j < N_KEYS; j++)
		if (keys[j].required && !seen[j])
			return pl_errf(PL_E_ARG, "%s: key '%s' is required", file, keys[j].name);
	if ((out->tls_cert[0] != '\0') != (out->tls_key[0] != '\0'))
		return pl_errf(PL_E_ARG, "%s: tls-cert and tls-key go together", file);
	if (out->tls_cert[0] == '\0' && !out->plain_http)
		return pl_errf(PL_E_ARG,
		               "%s: no tls-cert and tls-key; plain HTTP needs "
		               "'plain-http yes' (loopback demos and tests only)",
		               file);
	return PL_OK;
}

enum pl_err
config_load(struct config *out, const char *path)
{
	struct buf b;
	enum pl_err err;

	buf_init(&b, CONFIG_SIZE_MAX);
	if ((err = file_read(&b, path)) == PL_OK)
		err = config_parse(out, (const char *)b.data, b.len, path);
	buf_reset(&b);
	return err;
}
