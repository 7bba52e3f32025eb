/*
 * cmd_export.c - parley export: a channel as a bundle file, from the node's
 * officer API (POST /api/v1/export), for `parley verify` anywhere.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/buf.h"
#include "../common/file.h"
#include "../core/bundle.h"
#include "cli.h"
#include "client.h"

static const char export_usage[] =
        "usage: parley export --channel NAME [--from T] [--to T] [--disclose ID]...\n"
        "                     --out FILE\n"
        "\n"
        "Write one bundle file of a channel: the members' party records, the\n"
        "envelopes (whose sender's time is in [--from, --to], each sender's chain\n"
        "kept whole between), their receipts, this node's cosigned checkpoint and\n"
        "the proofs that put each envelope in its transcript.  Bodies stay sealed\n"
        "but for the envelopes named by --disclose, whose body keys go in.\n"
        "Check it anywhere with: parley verify FILE --policy POLICY\n"
        "\n"
        "  --channel NAME   the channel\n"
        "  --from T         from this time: YYYY-MM-DDTHH:MM:SSZ, or ms since 1970\n"
        "  --to T           up to this time, same forms\n"
        "  --disclose ID    reveal this envelope's body (repeatable)\n"
        "  --out FILE       where to write the bundle (mode 0600; refused if it exists)\n" CLI_NODE_HELP;

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* "YYYY-MM-DDTHH:MM:SSZ" or a decimal number of ms. */
static int
time_arg(const char *s, uint64_t *ms)
{
	unsigned y, mo, d, h, mi, se;
	char z, extra;
	uint64_t v;

	if (codec_dec_parse(s, strlen(s), &v) && v <= (uint64_t)1 << 53) {
		*ms = v;
		return 1;
	}
	if (sscanf(s, "%4u-%2u-%2uT%2u:%2u:%2u%c%c", &y, &mo, &d, &h, &mi, &se, &z, &extra) != 7 ||
	    z != 'Z' || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60)
		return 0;
	*ms = ((uint64_t)days_from_civil(y, mo, d) * 86400 + h * 3600u + mi * 60u + se) * 1000;
	return 1;
}

int
cmd_export_main(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "channel", required_argument, NULL, 'c' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "disclose", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
	};
	struct cli_node n = { 0 };
	const char *channel = NULL, *out = NULL;
	json_t *body = json_object(), *disclose = json_array();
	struct buf bundle;
	uint64_t t;
	enum pl_err err;
	int ch, rc;

	buf_init_secret(&bundle, BUNDLE_MAX);
	opterr = 0;
	optind = 1;
	while ((rc = cli_node_getopt(&n, argc, argv, "export", export_usage, extra, 5, &ch)) ==
	       -2) {
		if (ch == 'c') {
			channel = optarg;
		} else if (ch == 'o') {
			out = optarg;
		} else if (ch == 'd') {
			json_array_append_new(disclose, json_string(optarg));
		} else if (!time_arg(optarg, &t)) {
			rc = cli_usage("export", "--%s: want YYYY-MM-DDTHH:MM:SSZ or ms",
			               ch == 'f' ? "from" : "to");
			goto done;
		} else {
			json_object_set_new(body, ch == 'f' ? "from" : "to",
			                    json_integer((json_int_t)t));
		}
	}
	if (rc != -1)
		goto done;
	if (optind != argc || channel == NULL || out == NULL) {
		rc = cli_usage("export", "want --channel NAME and --out FILE, and no arguments");
		goto done;
	}
	json_object_set_new(body, "channel", json_string(channel));
	if (json_array_size(disclose) > 0)
		json_object_set(body, "disclose", disclose);
	(void)fprintf(stderr, "parley: exporting channel %s...\n", channel);
	if ((err = cli_call_raw(&n, "POST", "/api/v1/export", body, &bundle)) != PL_OK) {
		rc = cli_fail_err("export", err);
		goto done;
	}
	if ((err = file_write(out, bundle.data, bundle.len, 0600, 1)) != PL_OK) {
		rc = cli_fail_err(out, err);
		goto done;
	}
	printf("%s: bundle of channel %s, %zu bytes%s\n", out, channel, bundle.len,
	       json_array_size(disclose) > 0 ? ", with disclosed body keys: keep it as secret"
	                                     : "");
	rc = 0;
done:
	json_decref(body);
	json_decref(disclose);
	buf_reset(&bundle);
	return rc;
}
