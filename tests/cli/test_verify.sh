#!/bin/sh
# tests/cli/test_verify.sh - parley verify on checkpoints and tlog-proofs
# made from tests/vectors/signed-note/generated-vectors.json.  TAP output.
set -u
. tests/cli/lib.sh

# Files from the vectors: a policy, the size-8 checkpoint with and without
# its cosignature, a proof for leaf 5 and the entry itself.
$PY - "$T" <<'PYEOF' || { echo "not ok 1 - vectors"; exit 1; }
import base64, json, sys
t = sys.argv[1]
g = json.load(open("tests/vectors/signed-note/generated-vectors.json"))
cp = g["checkpoints"][1]
open(t + "/policy", "w").write("# test log, one witness\nlog %s\nwitness %s\nquorum 1\n" % (g["log"]["vkey"], g["witness"]["vkey"]))
open(t + "/cp8", "w").write(cp["signed_note"])
open(t + "/cp8-log-only", "w").write(cp["note_text"] + "\n" + cp["log_signature_line"] + "\n")
rt = g["reference_tree"]
hashes = "".join(base64.b64encode(bytes.fromhex(h)).decode() + "\n" for h in rt["inclusion_proofs"]["5/8"])
open(t + "/p5", "w").write("c2sp.org/tlog-proof@v1\nindex 5\n" + hashes + "\n" + cp["signed_note"])
open(t + "/entry5", "wb").write(bytes.fromhex(rt["leaves_hex"][5]))
open(t + "/entry6", "wb").write(bytes.fromhex(rt["leaves_hex"][6]))
open(t + "/leaf5", "w").write(rt["leaf_hashes_hex"][5])
open(t + "/logvkey", "w").write(g["log"]["vkey"])
open(t + "/witvkey", "w").write(g["witness"]["vkey"])
PYEOF
LOG=$(cat "$T/logvkey")
WIT=$(cat "$T/witvkey")

expect "a cosigned checkpoint is proven" 0 "PROVEN: example.org/test-log had 8 entries" -- \
	"$P" verify "$T/cp8" --policy "$T/policy"
expect "the cosigning witness and its time are shown" 0 "cosigned by  example.org/test-witness at 2023-11-14T22:13:28" -- \
	"$P" verify "$T/cp8" --policy "$T/policy"
expect "keys on the command line work too" 0 "PROVEN" -- \
	"$P" verify "$T/cp8" --log "$LOG" --witness "$WIT" --quorum 1
expect "without a witness cosignature the quorum fails" 1 "cosigned by 0 of 1 witnesses" -- \
	"$P" verify "$T/cp8-log-only" --policy "$T/policy"
expect "log key alone, no witnesses required" 0 "PROVEN" -- \
	"$P" verify "$T/cp8-log-only" --log "$LOG"
expect "a proof of entry 5 is proven" 0 "PROVEN: entry 5 is in example.org/test-log at size 8" -- \
	"$P" verify "$T/p5" --policy "$T/policy" --entry "$T/entry5"
expect "the proof with a leaf hash" 0 "PROVEN" -- \
	"$P" verify "$T/p5" --policy "$T/policy" --leaf-hash "$(cat "$T/leaf5")"
expect "the proof does not prove another entry" 1 "NOT PROVEN: tlog-proof: entry 5 is not in the tree" -- \
	"$P" verify "$T/p5" --policy "$T/policy" --entry "$T/entry6"
sed 's/^8$/9/' "$T/cp8" >"$T/cp9"
expect "an altered checkpoint is refused" 1 "NOT PROVEN" -- "$P" verify "$T/cp9" --policy "$T/policy"
expect "a proof without an entry is a usage error" 2 "--entry" -- "$P" verify "$T/p5" --policy "$T/policy"
expect "no policy is a usage error" 2 "no log key" -- "$P" verify "$T/cp8"
expect "a witness key given as the log key is refused" 2 "Ed25519" -- "$P" verify "$T/cp8" --log "$WIT"
printf 'log %s\nfrob 1\n' "$LOG" >"$T/badpolicy"
expect "an unknown policy line names its line" 1 "policy line 2: unknown key 'frob'" -- \
	"$P" verify "$T/cp8" --policy "$T/badpolicy"
printf 'garbage\n' >"$T/junk"
expect "garbage is refused" 1 "NOT PROVEN" -- "$P" verify "$T/junk" --policy "$T/policy"
expect "parley verify --help" 0 "usage: parley verify" -- "$P" verify --help
exit $failed
