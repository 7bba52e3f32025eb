/*
 * cmd_verify.c - parley verify: check a signed checkpoint, a tlog-proof or
 * a bundle offline, against a trust policy given on the command line or in
 * a file, and say what is proven.
 *
 * One policy format serves all three (core/bundle.h): "log", "witness" and
 * "quorum" lines as in tlog/proof.h, and "party ID FINGERPRINT" lines that
 * pin a bundle's parties.  A checkpoint or proof ignores party lines; a
 * bundle uses a "log" line only to check the party whose transcript it
 * names.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/file.h"
#include "../core/bundle.h"
#include "../crypto/cr.h"
#include "../tlog/merkle.h"
#include "../core/receipt.h"
#include "../tlog/proof.h"
#include "../wire/entry.h"
#include "../wire/rcpt.h"
#include "cli.h"

static const char verify_usage[] =
        "usage: parley verify FILE [--policy FILE] [--log VKEY] [--witness VKEY]...\n"
        "                          [--quorum K] [--entry FILE | --leaf-hash HEX] [--json]\n"
        "\n"
        "Check FILE offline, with no node: a signed checkpoint (C2SP tlog-checkpoint),\n"
        "a proof that an entry is in a log (C2SP tlog-proof@v1), or a parley bundle\n"
        "(an exported channel: parties, envelopes, receipts, disclosed bodies,\n"
        "transcript checkpoints and proofs), and print what is proven.\n"
        "\n"
        "  --policy FILE      trust policy: lines 'party ID FINGERPRINT', 'witness VKEY',\n"
        "                     'quorum K', 'log VKEY'\n"
        "  --log VKEY         the log's Ed25519 verifier key (name+id+key)\n"
        "  --witness VKEY     a witness's cosignature verifier key (repeatable)\n"
        "  --quorum K         how many witnesses must have cosigned (default: all given)\n"
        "  --entry FILE       for a proof: the entry's bytes (its RFC 9162 leaf hash is checked);\n"
        "                     by default, the entry the proof carries as its extra data\n"
        "  --leaf-hash HEX    for a proof: the entry's leaf hash, if you only have that\n"
        "  --json             for a bundle: the report as JSON on stdout\n"
        "\n"
        "A parley transcript entry is described: which envelope it records and, for a\n"
        "'received' entry (GET /log/proof/ID from the receiver), the receiver's signed\n"
        "receipt, checked with the log's key: proof that it received the envelope.\n"
        "\n"
        "A bundle needs no policy to be checked for internal consistency, but only\n"
        "parties pinned by 'party' lines (fingerprints compared out of band) anchor\n"
        "it; without a policy every party is reported as unpinned.\n"
        "\n"
        "Exit status: 0 proven (for a bundle: verified and every party pinned),\n"
        "1 not proven (the reasons are printed), 2 usage, 3 a bundle that verified\n"
        "but has parties the policy does not pin (trusted from the bundle only).\n";

/* Checkpoints and proofs are small; a bundle may be large (BUNDLE_MAX). */
#define VERIFY_FILE_MAX BUNDLE_MAX
#define POLICY_FILE_MAX 65536
#define EXIT_UNPINNED   3

static enum pl_err
load_policy(struct bundle_policy *pol, const char *path)
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
			err = bundle_policy_line(pol, (const char *)b.data + start, ++lineno);
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

/* ------------------------------------------------------------------ */
/* Bundles: a report a diplomat can read. */

/* A cosigner's name without the witness prefix: "osce-witness". */
static const char *
witness_short(const char *name)
{
	size_t n = strlen(ENTRY_WITNESS_PREFIX);

	return strncmp(name, ENTRY_WITNESS_PREFIX, n) == 0 ? name + n : name;
}

/* "3f2a9c1b" */
static const char *
hex8(char out[static 9], const uint8_t *id)
{
	cr_hex(out, id, 4);
	return out;
}

/* Who cosigned checkpoint c: "osce-witness at 2026-01-01T01:00:00.000Z, ..." into out. */
static void
cosigners_fmt(char *out, size_t n, const struct bundle_report *rep, size_t c)
{
	const struct bundle_cp_report *cr = &rep->cps[c];
	size_t i, o = 0;
	char t[40];

	out[0] = '\0';
	for (i = 0; i < cr->n_cosigners && o < n; i++) {
		const struct bundle_cosigner *w = &rep->cosigners[cr->first_cosigner + i];
		int k;

		cli_time_fmt(t, sizeof(t), w->timestamp * 1000);
		k = snprintf(out + o, n - o, "%s%s at %s%s", i > 0 ? ", " : "",
		             witness_short(w->name), t,
		             w->trusted ? "" : " (not a policy witness)");
		if (k < 0)
			break;
		o += (size_t)k;
	}
}

/* What inclusion i proves, as a phrase: "in us-nrrc's transcript, entry 0 of 8, cosigned by ...". */
static void
proof_fmt(char *out, size_t n, const struct bundle *b, const struct bundle_report *rep, size_t i)
{
	char cos[512];
	size_t c;

	if (i == BUNDLE_NONE) {
		(void)snprintf(out, n, "not proven in a transcript (no inclusion proof here)");
		return;
	}
	c = rep->incls[i].cp;
	if (!rep->incls[i].ok || c == BUNDLE_NONE || !rep->cps[c].ok) {
		(void)snprintf(out, n, "NOT PROVEN: the proof in record %zu failed",
		               b->incls[i].at.rec);
		return;
	}
	cosigners_fmt(cos, sizeof(cos), rep, c);
	(void)snprintf(out, n,
	               "proven: entry %llu of %s's transcript, under its checkpoint at size "
	               "%llu %s%s",
	               (unsigned long long)b->incls[i].index, b->incls[i].party,
	               (unsigned long long)b->cps[c].size,
	               cos[0] != '\0' ? "cosigned by " : "signed by the log only, no witness", cos);
}

/* Print text indented, each of its lines on a line of its own. */
static void
print_text(const char *indent, const char *text)
{
	const char *nl;

	while ((nl = strchr(text, '\n')) != NULL) {
		(void)printf("%s%.*s\n", indent, (int)(nl - text), text);
		text = nl + 1;
	}
	if (*text != '\0')
		(void)printf("%s%s\n", indent, text);
}

static void
print_body(const struct bundle_disc_report *dr)
{
	struct body body;
	char *data;
	size_t i;

	if (!dr->ok || body_read(&body, dr->plain.data, dr->plain.len) != PL_OK) {
		(void)printf("    disclosed     NOT VERIFIED: its body key is in the bundle but "
		             "failed (see the failures)\n");
		return;
	}
	(void)printf("    disclosed     body format %s version %u (the body key is in the bundle; "
	             "the body is the one the sender signed)\n",
	             body.format, (unsigned)body.version);
	if ((data = json_dumps(body.data, JSON_COMPACT | JSON_SORT_KEYS)) != NULL) {
		(void)printf("      data        %s\n", data);
		free(data);
	}
	for (i = 0; i < body.n_texts; i++) {
		(void)printf("      text [%s]%s\n", body.texts[i].lang,
		             strcmp(body.texts[i].lang, body.authoritative) == 0
		                     ? " (authoritative)"
		                     : "");
		print_text("        ", body.texts[i].text);
	}
	for (i = 0; i < body.n_attachments; i++) {
		char h[2 * HASH_LEN + 1];

		cr_hex(h, body.attachments[i].sha256, HASH_LEN);
		(void)printf("      attachment  %s, %llu bytes, %s, sha256 %s\n",
		             body.attachments[i].name[0] != '\0' ? body.attachments[i].name
		                                                 : "(no name)",
		             (unsigned long long)body.attachments[i].size, body.attachments[i].type,
		             h);
	}
	body_free(&body);
}

static void
print_env(const struct bundle *b, const struct bundle_report *rep, size_t i)
{
	const struct bundle_env *e = &b->envs[i];
	const struct bundle_env_report *er = &rep->envs[i];
	char t[40], h[9], ph[1024];
	size_t k;

	(void)printf("  %s seq %llu: %s, %s, TLP:%s%s, envelope %s%s\n", e->sender,
	             (unsigned long long)e->seq, env_kind_name(e->kind), env_prec_name(e->prec),
	             env_tlp_name(e->tlp), e->flags & ENV_FLAG_EXERCISE ? ", EXERCISE" : "",
	             hex8(h, e->id), er->ok ? "" : "  [FAILED: see the failures]");
	cli_time_fmt(t, sizeof(t), e->time_ms);
	proof_fmt(ph, sizeof(ph), b, rep, er->sent_proof);
	(void)printf("    sent          %s by %s (sender's clock); signature %s\n", t, e->sender,
	             er->ok ? "verified" : "NOT verified");
	(void)printf("                  %s\n", ph);
	(void)printf("    to           ");
	for (k = 0; k < e->n_recipients; k++)
		(void)printf(" %s", b->to[e->first_to + k]);
	(void)printf("\n");
	for (k = 0; k < e->n_refs; k++) {
		const uint8_t *ref = b->refs[e->first_ref + k];
		size_t j = bundle_env_find(b, ref);

		if (j == BUNDLE_NONE)
			(void)printf("    %-13s envelope %s (not in this bundle)\n",
			             e->kind == ENV_KIND_ACK ? "acknowledges" : "refers to",
			             hex8(h, ref));
		else
			(void)printf("    %-13s envelope %s, %s seq %llu\n",
			             e->kind == ENV_KIND_ACK ? "acknowledges" : "refers to",
			             hex8(h, ref), b->envs[j].sender,
			             (unsigned long long)b->envs[j].seq);
	}
	for (k = 0; k < er->n_rcpts; k++) {
		size_t r = er->first_rcpt + k;
		const struct bundle_rcpt *rc = &b->rcpts[r];
		const struct bundle_rcpt_report *rr = &rep->rcpts[r];

		cli_time_fmt(t, sizeof(t), rc->r.stored_ms);
		(void)printf("    received      by %s at %s (receiver's clock); receipt %s\n",
		             rc->r.receiver, t, rr->ok ? "verified" : "NOT verified");
		proof_fmt(ph, sizeof(ph), b, rep, rr->received_proof);
		(void)printf("                  receiver's record: %s\n", ph);
		proof_fmt(ph, sizeof(ph), b, rep, rr->receipt_proof);
		(void)printf("                  sender's record: %s\n", ph);
	}
	for (k = 0; k < e->n_recipients; k++) {
		const char *to = b->to[e->first_to + k];
		size_t r;
		int got = strcmp(to, e->sender) == 0;

		for (r = 0; r < er->n_rcpts && !got; r++)
			got = strcmp(b->rcpts[er->first_rcpt + r].r.receiver, to) == 0;
		if (!got)
			(void)printf("    no receipt    from %s in this bundle\n", to);
	}
	for (k = 0; k < er->n_acks; k++) {
		size_t ai = rep->acks[er->first_ack + k].ack;
		const struct bundle_env *a = &b->envs[ai];

		cli_time_fmt(t, sizeof(t), a->time_ms);
		(void)printf("    acknowledged  by %s at %s (its ack: %s seq %llu, envelope %s)\n",
		             a->sender, t, a->sender, (unsigned long long)a->seq, hex8(h, a->id));
		proof_fmt(ph, sizeof(ph), b, rep, rep->envs[ai].sent_proof);
		(void)printf("                  %s\n", ph);
	}
	if (er->disclosure != BUNDLE_NONE)
		print_body(&rep->discs[er->disclosure]);
}

struct env_order {
	const struct bundle_env *e;
	size_t i;
};

/* By channel, then sender's time, then the bundle's order. */
static int
env_order_cmp(const void *a, const void *b)
{
	const struct env_order *x = a, *y = b;
	int c = strcmp(x->e->channel, y->e->channel);

	if (c != 0)
		return c;
	if (x->e->time_ms != y->e->time_ms)
		return x->e->time_ms < y->e->time_ms ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int
print_bundle(const char *path, const struct bundle *b, const struct bundle_report *rep,
             const char *policy_file)
{
	struct env_order *ord = NULL;
	char cos[512], root[9];
	size_t i, k;

	(void)printf("bundle       %s: %zu parties, %zu envelopes, %zu receipts, %zu disclosed, "
	             "%zu checkpoints, %zu inclusion and %zu consistency proofs\n",
	             path, b->n_parties, b->n_envs, b->n_rcpts, b->n_discs, b->n_cps, b->n_incls,
	             b->n_cons);
	if (rep->has_policy)
		(void)printf("policy       %s: witnesses %zu, quorum %zu\n",
		             policy_file != NULL ? policy_file : "(command line)", rep->n_witnesses,
		             rep->quorum);
	else
		(void)printf(
		        "policy       NONE: no party is pinned and no witness is trusted; what "
		        "follows is only consistent with itself\n");

	(void)printf("\nPARTIES\n");
	for (i = 0; i < b->n_parties; i++) {
		const struct bundle_party_report *pr = &rep->parties[i];

		(void)printf("  %-14s %s  %s\n", b->parties[i].p.id, pr->fp,
		             !pr->ok && pr->pin != BUNDLE_MISMATCH ? "record does NOT verify"
		             : pr->pin == BUNDLE_PINNED            ? "pinned by the policy"
		             : pr->pin == BUNDLE_MISMATCH
		                     ? "FINGERPRINT DIFFERS from the policy's"
		                     : "NOT PINNED: trusted from this bundle only");
	}

	if (b->n_cps > 0)
		(void)printf("\nTRANSCRIPTS\n");
	for (i = 0; i < b->n_cps; i++) {
		const struct bundle_checkpoint *c = &b->cps[i];
		const struct bundle_cp_report *cr = &rep->cps[i];

		cosigners_fmt(cos, sizeof(cos), rep, i);
		(void)printf("  %s%s at size %llu, root %s...: %s\n", ENTRY_LOG_PREFIX, c->party,
		             (unsigned long long)c->size, hex8(root, c->root),
		             cr->ok ? "signed by its party" : "NOT VERIFIED (see the failures)");
		(void)printf("    %s%s; %zu of the policy's witnesses (quorum %zu)\n",
		             cos[0] != '\0' ? "cosigned by " : "no witness cosignature", cos,
		             cr->n_cosigned, rep->quorum);
	}
	for (i = 0; i < b->n_cons; i++)
		(void)printf("  %s%s: size %llu is a prefix of size %llu: %s\n", ENTRY_LOG_PREFIX,
		             b->cons[i].party, (unsigned long long)b->cons[i].old_size,
		             (unsigned long long)b->cons[i].new_size,
		             rep->cons_ok[i] ? "proven (consistency proof)" : "NOT PROVEN");

	if (b->n_envs > 0 && (ord = pl_calloc(b->n_envs, sizeof(*ord))) == NULL)
		return cli_fail("out of memory");
	for (i = 0; i < b->n_envs; i++) {
		ord[i].e = &b->envs[i];
		ord[i].i = i;
	}
	if (b->n_envs > 1)
		qsort(ord, b->n_envs, sizeof(*ord), env_order_cmp);
	for (i = 0; i < b->n_envs; i++) {
		if (i == 0 || strcmp(ord[i - 1].e->channel, ord[i].e->channel) != 0)
			(void)printf("\nCHANNEL %s (in order of the senders' clocks)\n",
			             ord[i].e->channel);
		print_env(b, rep, ord[i].i);
	}
	pl_free(ord);

	if (rep->n_failures > 0) {
		(void)printf("\nFAILURES (%zu)\n", rep->n_failures);
		for (k = 0; k < rep->n_kept; k++)
			(void)printf("  %s\n", rep->failures[k].msg);
		if (rep->n_kept < rep->n_failures)
			(void)printf("  ... and %zu more\n", rep->n_failures - rep->n_kept);
		(void)fflush(stdout);
		return cli_fail("%s: NOT VERIFIED: %zu failures; the first: %s", path,
		                rep->n_failures, rep->n_kept > 0 ? rep->failures[0].msg : "");
	}
	if (!rep->has_policy) {
		(void)printf("\n%s: VERIFIED, BUT NOT ANCHORED: no policy given; the keys of all "
		             "%zu parties are trusted from this bundle only\n",
		             path, b->n_parties);
		return EXIT_UNPINNED;
	}
	if (rep->n_unpinned > 0) {
		(void)printf("\n%s: VERIFIED, BUT NOT ANCHORED: %zu of %zu parties are not pinned "
		             "by the policy; their keys are trusted from this bundle only\n",
		             path, rep->n_unpinned, b->n_parties);
		return EXIT_UNPINNED;
	}
	(void)printf("\n%s: VERIFIED: %zu envelopes, %zu receipts, %zu disclosed; every party "
	             "pinned by the policy\n",
	             path, b->n_envs, b->n_rcpts, b->n_discs);
	return 0;
}

/* The report as JSON: what print_bundle says, for programs. */
static json_t *
proof_json(const struct bundle *b, const struct bundle_report *rep, size_t i)
{
	json_t *o, *ws;
	size_t c, k;

	if (i == BUNDLE_NONE)
		return json_null();
	c = rep->incls[i].cp;
	o = json_pack("{s:s, s:I, s:b, s:i}", "log", b->incls[i].party, "index",
	              (json_int_t)b->incls[i].index, "ok",
	              rep->incls[i].ok && c != BUNDLE_NONE && rep->cps[c].ok, "record",
	              (int)b->incls[i].at.rec);
	if (o == NULL || c == BUNDLE_NONE)
		return o;
	(void)json_object_set_new(o, "size", json_integer((json_int_t)b->cps[c].size));
	ws = json_array();
	for (k = 0; ws != NULL && k < rep->cps[c].n_cosigners; k++) {
		const struct bundle_cosigner *w = &rep->cosigners[rep->cps[c].first_cosigner + k];

		(void)json_array_append_new(ws, json_pack("{s:s, s:I, s:b}", "name", w->name,
		                                          "time", (json_int_t)w->timestamp,
		                                          "policy_witness", w->trusted));
	}
	(void)json_object_set_new(o, "cosigned_by", ws);
	return o;
}

static int
print_bundle_json(const char *path, const struct bundle *b, const struct bundle_report *rep)
{
	json_t *root, *parties, *envs, *fails;
	char hex[2 * HASH_LEN + 1];
	size_t i, k;
	int rc;

	root = json_object();
	parties = json_array();
	envs = json_array();
	fails = json_array();
	if (root == NULL || parties == NULL || envs == NULL || fails == NULL) {
		json_decref(root);
		json_decref(parties);
		json_decref(envs);
		json_decref(fails);
		return cli_fail("out of memory");
	}
	for (i = 0; i < b->n_parties; i++)
		(void)json_array_append_new(
		        parties,
		        json_pack("{s:s, s:s, s:b, s:s}", "id", b->parties[i].p.id, "fingerprint",
		                  rep->parties[i].fp, "ok", rep->parties[i].ok, "pin",
		                  rep->parties[i].pin == BUNDLE_PINNED     ? "pinned"
		                  : rep->parties[i].pin == BUNDLE_MISMATCH ? "mismatch"
		                                                           : "unpinned"));
	for (i = 0; i < b->n_envs; i++) {
		const struct bundle_env *e = &b->envs[i];
		const struct bundle_env_report *er = &rep->envs[i];
		json_t *o, *rs = json_array(), *as = json_array();

		cr_hex(hex, e->id, HASH_LEN);
		o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:b, s:I, s:b, s:o}", "id", hex,
		              "channel", e->channel, "sender", e->sender, "seq", (json_int_t)e->seq,
		              "kind", env_kind_name(e->kind), "precedence", env_prec_name(e->prec),
		              "tlp", env_tlp_name(e->tlp), "exercise",
		              (e->flags & ENV_FLAG_EXERCISE) != 0, "time_ms",
		              (json_int_t)e->time_ms, "ok", er->ok, "sent_proof",
		              proof_json(b, rep, er->sent_proof));
		for (k = 0; rs != NULL && k < er->n_rcpts; k++) {
			size_t r = er->first_rcpt + k;

			(void)json_array_append_new(
			        rs, json_pack("{s:s, s:I, s:b, s:o, s:o}", "receiver",
			                      b->rcpts[r].r.receiver, "stored_ms",
			                      (json_int_t)b->rcpts[r].r.stored_ms, "ok",
			                      rep->rcpts[r].ok, "received_proof",
			                      proof_json(b, rep, rep->rcpts[r].received_proof),
			                      "receipt_proof",
			                      proof_json(b, rep, rep->rcpts[r].receipt_proof)));
		}
		for (k = 0; as != NULL && k < er->n_acks; k++) {
			const struct bundle_env *a = &b->envs[rep->acks[er->first_ack + k].ack];

			cr_hex(hex, a->id, HASH_LEN);
			(void)json_array_append_new(
			        as, json_pack("{s:s, s:I, s:s}", "by", a->sender, "time_ms",
			                      (json_int_t)a->time_ms, "ack", hex));
		}
		if (o != NULL) {
			(void)json_object_set_new(o, "receipts", rs != NULL ? rs : json_null());
			(void)json_object_set_new(o, "acks", as != NULL ? as : json_null());
			if (er->disclosure != BUNDLE_NONE && rep->discs[er->disclosure].ok)
				(void)json_object_set_new(
				        o, "body",
				        json_loadb(
				                (const char *)rep->discs[er->disclosure].plain.data,
				                rep->discs[er->disclosure].plain.len, 0, NULL));
		} else {
			json_decref(rs);
			json_decref(as);
		}
		(void)json_array_append_new(envs, o);
	}
	for (i = 0; i < rep->n_kept; i++)
		(void)json_array_append_new(fails, json_string(rep->failures[i].msg));
	(void)json_object_set_new(root, "file", json_string(path));
	(void)json_object_set_new(root, "verified", json_boolean(rep->n_failures == 0));
	(void)json_object_set_new(root, "policy", json_boolean(rep->has_policy));
	(void)json_object_set_new(root, "unpinned", json_integer((json_int_t)rep->n_unpinned));
	(void)json_object_set_new(root, "n_failures", json_integer((json_int_t)rep->n_failures));
	(void)json_object_set_new(root, "failures", fails);
	(void)json_object_set_new(root, "parties", parties);
	(void)json_object_set_new(root, "envelopes", envs);
	rc = json_dumpf(root, stdout, JSON_INDENT(1) | JSON_ENSURE_ASCII) != 0 ? 1 : 0;
	(void)fputc('\n', stdout);
	json_decref(root);
	if (rc != 0)
		return cli_fail("verify: cannot write the JSON report");
	if (rep->n_failures > 0)
		return cli_fail("%s: NOT VERIFIED: %zu failures; the first: %s", path,
		                rep->n_failures, rep->n_kept > 0 ? rep->failures[0].msg : "");
	return rep->n_unpinned > 0 || !rep->has_policy ? EXIT_UNPINNED : 0;
}

static int
verify_bundle(const char *path, const struct buf *file, struct bundle_policy *bp, int has_policy,
              const char *policy_file, int json)
{
	struct bundle b;
	struct bundle_report rep;
	enum pl_err err;
	int rc;

	memset(&rep, 0, sizeof(rep));
	if (bundle_policy_finish(bp) != PL_OK)
		return cli_usage("verify", "%s", pl_err_msg());
	if ((err = bundle_read(&b, file->data, file->len)) != PL_OK) {
		bundle_reset(&b);
		return cli_fail("%s: NOT VERIFIED: %s", path, pl_err_msg());
	}
	err = bundle_verify(&b, has_policy ? bp : NULL, &rep);
	if (err != PL_OK && err != PL_E_CRYPTO)
		rc = cli_fail_err("verify", err);
	else if (json)
		rc = print_bundle_json(path, &b, &rep);
	else
		rc = print_bundle(path, &b, &rep, policy_file);
	bundle_report_reset(&rep);
	bundle_reset(&b);
	return rc;
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
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *policy_file = NULL, *entry = NULL, *leaf_hex = NULL, *path;
	struct bundle_policy *bp = pl_calloc(1, sizeof(*bp));
	struct proof_result *res = pl_calloc(1, sizeof(*res));
	struct tlog_proof *pr = pl_calloc(1, sizeof(*pr));
	struct policy *pol = bp != NULL ? &bp->tlog : NULL;
	uint8_t leaf[HASH_LEN];
	char line[1100];
	struct buf file, ent;
	size_t lineno = 0;
	int ch, rc = 1, json = 0;
	enum pl_err err;

	/* A bundle may hold disclosed body keys: keep the file in a secret buffer. */
	buf_init_secret(&file, VERIFY_FILE_MAX);
	buf_init(&ent, 64 << 20);
	if (bp == NULL || res == NULL || pr == NULL) {
		rc = cli_fail("out of memory");
		goto done;
	}
	bundle_policy_init(bp);
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
			if (bundle_policy_line(bp, line, ++lineno) != PL_OK) {
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
		case 'j':
			json = 1;
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
	if (policy_file != NULL && (err = load_policy(bp, policy_file)) != PL_OK) {
		rc = cli_fail_err(policy_file, err);
		goto done;
	}
	if ((err = file_read(&file, path)) != PL_OK) {
		rc = cli_fail_err("verify", err);
		goto done;
	}
	if (file.len >= CODEC_LABEL_LEN && memcmp(file.data, BUNDLE_LABEL, CODEC_LABEL_LEN) == 0) {
		rc = verify_bundle(path, &file, bp, policy_file != NULL || lineno > 0, policy_file,
		                   json);
		goto done;
	}
	if (json) {
		rc = cli_usage("verify", "--json is for bundles; %s is not one", path);
		goto done;
	}
	if (policy_finish(pol) != PL_OK) {
		rc = cli_usage("verify", "%s (give --policy FILE or --log VKEY)", pl_err_msg());
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
	pl_free(bp);
	pl_free(res);
	pl_free(pr);
	return rc;
}
