#!/bin/sh
# tests/cli/test_bundle.sh - parley verify on bundles written by the unit
# test (build/tests/test_bundle --write DIR): a real exchange between
# us-nrrc and ru-nrrc, witnessed by osce-witness, checked by a parley that
# never ran a node, with and without a policy, and damaged.  TAP output.
set -u
. tests/cli/lib.sh

GEN=$(dirname "$P")/tests/test_bundle
if ! "$GEN" --write "$T" >"$T/err" 2>&1; then
	nok "test_bundle --write"
	exit 1
fi
ok "test_bundle --write wrote the bundles"

expect "a bundle with a policy pinning every party verifies" 0 \
	"good.bundle: VERIFIED: 5 envelopes, 5 receipts, 1 disclosed; every party pinned" -- \
	"$P" verify "$T/good.bundle" --policy "$T/policy"
expect "the report names sender, time and transcript proof" 0 \
	"sent          2026-01-01T00:00:00.000Z by us-nrrc (sender's clock); signature verified" -- \
	"$P" verify "$T/good.bundle" --policy "$T/policy"
expect "receipts are shown with the receiver's time" 0 \
	"received      by ru-nrrc at 2026-01-01T00:00:05.000Z" -- \
	"$P" verify "$T/good.bundle" --policy "$T/policy"
expect "acknowledgements are shown" 0 "acknowledged  by ru-nrrc at 2026-01-01T00:01:00.000Z" -- \
	"$P" verify "$T/good.bundle" --policy "$T/policy"
if "$P" verify "$T/good.bundle" --policy "$T/policy" >"$T/out" 2>"$T/err" &&
	grep -A1 "acknowledged  by ru-nrrc" "$T/out" | grep -q "proven: entry 1 of ru-nrrc's transcript"; then
	ok "an acknowledgement's own transcript proof is shown"
else
	nok "an acknowledgement's own transcript proof is shown"
fi
expect "the disclosed body's texts are shown" 0 "Request for assistance: hospital network" -- \
	"$P" verify "$T/good.bundle" --policy "$T/policy"
expect "witness cosignatures are shown" 0 \
	"under its checkpoint at size 7 cosigned by osce-witness at 2026-01-01T01:00:00.000Z" -- \
	"$P" verify "$T/good.bundle" --policy "$T/policy"
expect "without a policy: consistent, but not anchored (exit 3)" 3 \
	"VERIFIED, BUT NOT ANCHORED: no policy given; the keys of all 3 parties" -- \
	"$P" verify "$T/good.bundle"
grep -v '^party ru-nrrc' "$T/policy" >"$T/policy-no-ru"
expect "a party the policy does not pin: not anchored (exit 3)" 3 \
	"VERIFIED, BUT NOT ANCHORED: 1 of 3 parties are not pinned by the policy" -- \
	"$P" verify "$T/good.bundle" --policy "$T/policy-no-ru"
expect "without a policy the report says so first" 3 "policy       NONE: no party is pinned" -- \
	"$P" verify "$T/good.bundle"
expect "a wrong fingerprint is a failure naming the party record" 1 \
	"record 1 (party) at offset 253: party 'us-nrrc': fingerprint" -- \
	"$P" verify "$T/good.bundle" --policy "$T/policy-wrong-fp"
expect "a missing envelope is a gap in the chain" 1 \
	"seq 3 follows seq 1 (seq 2 missing)" -- \
	"$P" verify "$T/gap.bundle" --policy "$T/policy"
expect "an altered body fails the sender's signature" 1 \
	"NOT VERIFIED: 8 failures; the first: record 5 (envelope)" -- \
	"$P" verify "$T/altered.bundle" --policy "$T/policy"
expect "a bundle without transcripts says what is not proven" 0 \
	"not proven in a transcript (no inclusion proof here)" -- \
	"$P" verify "$T/no-proofs.bundle" --policy "$T/policy"
printf 'parley-bundle\0\0\0\001\377\0\0\0\004\0\0\0\0' >"$T/empty.bundle"
expect "an empty bundle without a policy is not anchored either" 3 "NOT ANCHORED: no policy given; the keys of all 0 parties" -- \
	"$P" verify "$T/empty.bundle"
head -c 5000 "$T/good.bundle" >"$T/cut.bundle"
expect "a truncated bundle names the record that is cut" 1 \
	"NOT VERIFIED: bundle: record 17 (inclusion) at offset 4790: length 358 but 205 bytes left" -- \
	"$P" verify "$T/cut.bundle" --policy "$T/policy"
cp "$T/good.bundle" "$T/trail.bundle"
printf 'x' >>"$T/trail.bundle"
expect "trailing bytes are refused" 1 "1 trailing bytes after the END record" -- \
	"$P" verify "$T/trail.bundle" --policy "$T/policy"
expect "--json gives the report as JSON" 0 '"verified": true' -- \
	"$P" verify "$T/good.bundle" --policy "$T/policy" --json
if "$P" verify "$T/good.bundle" --policy "$T/policy" --json >"$T/json" 2>"$T/err" &&
	$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["verified"] and len(d["envelopes"]) == 5 and d["envelopes"][2]["body"]["format"] == "rfa", d' "$T/json" 2>>"$T/err"; then
	ok "the JSON report parses and holds the envelopes and the disclosed body"
else
	nok "the JSON report parses and holds the envelopes and the disclosed body"
fi
printf 'party us-nrrc 12\n' >"$T/badpolicy"
expect "a bad party line names its line" 1 "policy line 1: the fingerprint of 'us-nrrc' is not 32 hex digits" -- \
	"$P" verify "$T/good.bundle" --policy "$T/badpolicy"
expect "--json is for bundles only" 2 "--json is for bundles" -- \
	"$P" verify "$T/policy" --json
expect "parley verify --help documents bundles" 0 "party ID FINGERPRINT" -- "$P" verify --help
exit $failed
