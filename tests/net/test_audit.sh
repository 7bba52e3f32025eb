#!/bin/sh
# test_audit.sh - the audit across the network, with real parleyd processes
# on loopback (TAP): two states and a neutral witness (witness-only).
#   every node's checkpoints get cosigned by its peer and the witness, and
#   the cosigned checkpoint verifies with `parley verify` against a 2-of-2
#   policy; a receiver's proof of its receipt verifies offline; the published tiles and entries rebuild the checkpoint's root
#   with code of their own (Python); the witness holds no channel content;
#   a node whose database is put back to an earlier state (its history
#   rewritten) is caught: its peer sees the same seq twice (equivocation),
#   its peer and the witness refuse the new history (fork), and the node
#   itself learns that they saw more than it has.
NAME=audit
. tests/net/lib.sh
set -- $PORTS
node_init us-nrrc "$1" && node_init ru-nrrc "$2" && node_init osce-witness "$3" ||
	{ echo "Bail out! init"; exit 1; }
echo "witness-only yes" >>"$ROOT/osce-witness/parleyd.conf"
for x in us-nrrc ru-nrrc; do echo "checkpoint-interval 100" >>"$ROOT/$x/parleyd.conf"; done
for x in us-nrrc ru-nrrc osce-witness; do node_start $x || { echo "Bail out! start $x"; exit 1; }; done
check "the states and the witness pin each other" pin_all us-nrrc ru-nrrc osce-witness
check "a bilateral channel becomes active" channel_up pair us-nrrc us-nrrc ru-nrrc

url() { echo "http://127.0.0.1:$(cat "$ROOT/$1/port")"; }
q() {
	$PY - "$ROOT/$1/node.db" "$2" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(db.execute(sys.argv[2]).fetchone()[0])
EOF
}

# ---- the witness holds no channel content -----------------------------------------
check "the witness refuses to create a channel" sh -c "! '$PARLEY' channel create x --member osce-witness --member us-nrrc --node '$(url osce-witness)' --token-file '$ROOT/osce-witness/token' >/dev/null 2>&1"
raw=$(q us-nrrc "SELECT lower(hex(raw)) FROM envelope WHERE channel='pair' LIMIT 1")
$PY -c 'import struct,sys; b=bytes.fromhex(sys.argv[1]); sys.stdout.buffer.write(struct.pack(">I", len(b)) + b)' "$raw" >"$ROOT/one"
code=$(curl -s -o "$ROOT/answer" -w '%{http_code}' -H 'Content-Type: application/octet-stream' --data-binary "@$ROOT/one" "$(url osce-witness)/peer/v1/envelopes")
check "the witness refuses envelopes (403 not-member)" sh -c "[ '$code' = 403 ] && grep -q not-member '$ROOT/answer'"
check "the witness stores no envelope" [ "$(q osce-witness "SELECT COUNT(*) FROM envelope")" = 0 ]

# ---- cosigned checkpoints -------------------------------------------------------------
for i in 1 2 3; do on us-nrrc send --channel pair --text "en=report $i" >/dev/null; done
for x in us-nrrc ru-nrrc osce-witness; do
	"$PARLEY" log vkey --record "$ROOT/$x/record" >"$ROOT/$x/vkey" || nok "vkey of $x"
	"$PARLEY" log vkey --record "$ROOT/$x/record" --witness >"$ROOT/$x/wkey" || nok "witness key of $x"
done
{
	echo "log $(cat "$ROOT/us-nrrc/vkey")"
	echo "witness $(cat "$ROOT/ru-nrrc/wkey")"
	echo "witness $(cat "$ROOT/osce-witness/wkey")"
	echo "quorum 2"
} >"$ROOT/policy-us"
log_size() { q "$1" "SELECT COUNT(*) FROM leaf"; }
# The served checkpoint covers the whole transcript and carries both cosignatures.
cosigned_all() {
	curl -sf "$(url us-nrrc)/log/checkpoint" >"$ROOT/cp" || return 1
	[ "$(sed -n 2p "$ROOT/cp")" = "$(log_size us-nrrc)" ] || return 1
	"$PARLEY" verify "$ROOT/cp" --policy "$ROOT/policy-us" >"$ROOT/verify.out" 2>&1
}
check "us-nrrc's checkpoint of its whole transcript is cosigned by ru-nrrc and the witness" wait_for 20 cosigned_all
check "parley verify says so" grep -q "2 of 2" "$ROOT/verify.out"
start=$($PY -c 'import time; print(time.time())')
on us-nrrc send --channel pair --text "en=timed" >/dev/null
wait_for 20 cosigned_all
took=$($PY -c "import time; print('%.2f' % (time.time() - $start))")
echo "# append to cosigned checkpoint (send, deliver, receipt, cosign): $took s"
check "a new message is under a cosigned checkpoint within 5 s ($took s)" $PY -c "import sys; sys.exit(0 if $took < 5 else 1)"
check "the checkpoint is served as no-cache" sh -c "curl -sI '$(url us-nrrc)/log/checkpoint' | grep -qi '^cache-control: no-cache'"

# ---- the published tiles rebuild the root ------------------------------------------------
tiles_ok() {
	$PY - "$(url us-nrrc)" <<'EOF'
import base64, hashlib, sys, urllib.request
base = sys.argv[1]
cp = urllib.request.urlopen(base + "/log/checkpoint").read().decode()
lines = cp.split("\n")
size, root = int(lines[1]), base64.b64decode(lines[2])
assert 0 < size < 256, size
leaves = urllib.request.urlopen("%s/log/tile/0/000.p/%d" % (base, size)).read()
assert len(leaves) == 32 * size
bundle = urllib.request.urlopen("%s/log/tile/entries/000.p/%d" % (base, size)).read()
hashes, off = [], 0
while off < len(bundle):
    n = int.from_bytes(bundle[off:off + 2], "big")
    e = bundle[off + 2:off + 2 + n]
    assert e.startswith(b"parley-entry\0\0\0\0"), e[:16]
    hashes.append(hashlib.sha256(b"\0" + e).digest())
    off += 2 + n
assert hashes == [leaves[i:i + 32] for i in range(0, len(leaves), 32)]
def mth(h):
    if len(h) == 1:
        return h[0]
    k = 1
    while k * 2 < len(h):
        k *= 2
    return hashlib.sha256(b"\1" + mth(h[:k]) + mth(h[k:])).digest()
assert mth(hashes) == root
try:
    urllib.request.urlopen("%s/log/tile/0/000.p/%d" % (base, size + 1))
    sys.exit("a tile beyond the checkpoint was served")
except urllib.error.HTTPError as e:
    assert e.code == 404, e.code
EOF
}
check "the tiles and entry bundle rebuild the checkpoint's root (RFC 9162, in Python)" tiles_ok
check "a tile is served immutable" sh -c "curl -sI '$(url us-nrrc)/log/tile/0/000.p/1' | grep -qi 'immutable'"
check "a malformed tile path is 404" [ "$(curl -s -o /dev/null -w '%{http_code}' "$(url us-nrrc)/log/tile/0/01")" = 404 ]
witnessed() { curl -sf "$(url osce-witness)/witness/v1/logs" | $PY -c '
import json, sys
logs = {l["origin"]: l for l in json.load(sys.stdin)}
l = logs["parley.transcript/" + sys.argv[1]]
sys.exit(0 if l["size"] > 0 and l["fork"] == "none" else 1)' "$1"; }
both_witnessed() { witnessed us-nrrc && witnessed ru-nrrc; }
check "the witness publishes what it cosigned of both states" wait_for 10 both_witnessed
bad=$(printf 'old 0\n\nnot a checkpoint\n' | curl -s -o /dev/null -w '%{http_code}' --data-binary @- "$(url osce-witness)/witness/v1/add-checkpoint")
check "a malformed add-checkpoint is 400" [ "$bad" = 400 ]

# ---- proof of receipt -------------------------------------------------------------------------
sent=$(q us-nrrc "SELECT lower(hex(id)) FROM envelope WHERE channel='pair' AND dir=1 AND kind=1 ORDER BY seq DESC LIMIT 1")
{
	echo "log $(cat "$ROOT/ru-nrrc/vkey")"
	echo "witness $(cat "$ROOT/us-nrrc/wkey")"
	echo "witness $(cat "$ROOT/osce-witness/wkey")"
	echo "quorum 2"
} >"$ROOT/policy-ru"
fetch_proof() {
	curl -sf "$(url ru-nrrc)/log/proof/$sent" >"$ROOT/proof" &&
		"$PARLEY" verify "$ROOT/proof" --policy "$ROOT/policy-ru" >"$ROOT/proof.out" 2>&1
}
check "the receiver serves a proof that its receipt is in its cosigned transcript" wait_for 20 fetch_proof
check "parley verify names the receiver, the envelope and the time" grep -q "ru-nrrc received envelope $sent at" "$ROOT/proof.out"
$PY - "$ROOT/proof" <<'EOF2'
import sys
lines = open(sys.argv[1]).read().split("\n")
i = next(k for k, l in enumerate(lines) if l.startswith("index "))
h = lines[i + 1]
lines[i + 1] = ("B" if h[0] != "B" else "C") + h[1:]
open(sys.argv[1] + ".bad", "w").write("\n".join(lines))
EOF2
check "a proof with an altered hash is NOT PROVEN" sh -c "! '$PARLEY' verify '$ROOT/proof.bad' --policy '$ROOT/policy-ru' >/dev/null 2>&1"
check "the proof of an envelope unknown to the node is 404" [ "$(curl -s -o /dev/null -w '%{http_code}' "$(url ru-nrrc)/log/proof/$(printf '%064d' 0)")" = 404 ]

# ---- export and offline verification ----------------------------------------------------------
{
	for x in us-nrrc ru-nrrc; do echo "party $x $(cat "$ROOT/$x/fingerprint")"; done
	echo "witness $(cat "$ROOT/ru-nrrc/wkey")"
	echo "witness $(cat "$ROOT/osce-witness/wkey")"
	echo "quorum 1"
} >"$ROOT/policy-bundle"
exported() {
	rm -f "$ROOT/pair.bundle"
	on us-nrrc export --channel pair --disclose "$sent" --out "$ROOT/pair.bundle" >/dev/null 2>&1 &&
		"$PARLEY" verify "$ROOT/pair.bundle" --policy "$ROOT/policy-bundle" >"$ROOT/bundle.out" 2>&1
}
check "us-nrrc exports channel pair, and the bundle verifies offline against the pins" wait_for 20 exported
shows_body() { grep -A4 "^    disclosed" "$ROOT/bundle.out" | grep -q "timed"; }
check "the report shows the disclosed body of the envelope" shows_body
check "the bundle file is private (0600)" [ "$(stat -c %a "$ROOT/pair.bundle")" = 600 ]
$PY - "$ROOT/pair.bundle" <<'EOF2'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) // 2] ^= 0x01
open(sys.argv[1] + ".bad", "wb").write(bytes(b))
EOF2
check "a bundle with one byte changed fails verification" sh -c "! '$PARLEY' verify '$ROOT/pair.bundle.bad' --policy '$ROOT/policy-bundle' >'$ROOT/bad.out' 2>&1"
grep '^parley: ' "$ROOT/bad.out" | sed 's/^/# /'
check "the failure names the record and the envelope" grep -q "NOT VERIFIED: .*record .* (envelope)" "$ROOT/bad.out"
# A time window: per sender, the seqs from its first to its last envelope in it.
from=$(q us-nrrc "SELECT MIN(time_ms) FROM envelope WHERE channel='pair' AND kind=1")
want=$($PY - "$ROOT/us-nrrc/node.db" "$from" <<'EOF2'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
rows = db.execute("SELECT sender, seq, time_ms FROM envelope WHERE channel='pair'").fetchall()
n = 0
for s in set(r[0] for r in rows):
    seqs = [r[1] for r in rows if r[0] == s and r[2] >= int(sys.argv[2])]
    if seqs:
        n += len([r for r in rows if r[0] == s and min(seqs) <= r[1] <= max(seqs)])
print(n)
EOF2
)
on us-nrrc export --channel pair --from "$from" --out "$ROOT/window.bundle" >/dev/null 2>&1
"$PARLEY" verify "$ROOT/window.bundle" --policy "$ROOT/policy-bundle" >"$ROOT/window.out" 2>&1
check "an export from a time verifies and holds the $want envelopes of that window" \
	grep -q "2 parties, $want envelopes" "$ROOT/window.out"
check "export refuses to disclose an envelope of another channel" sh -c "! '$PARLEY' export --channel pair --disclose $(printf '%064d' 0) --out '$ROOT/x.bundle' --node '$(url us-nrrc)' --token-file '$ROOT/us-nrrc/token' >/dev/null 2>&1"

# ---- a history rewritten --------------------------------------------------------------------
node_stop us-nrrc
mkdir "$ROOT/snapshot"
cp "$ROOT/us-nrrc"/node.db* "$ROOT/snapshot/"
node_start us-nrrc
for i in 1 2 3 4 5; do on us-nrrc send --channel pair --text "en=on the record $i" >/dev/null; done
check "the later history is cosigned" wait_for 20 cosigned_all
seen=$(log_size us-nrrc)
node_stop us-nrrc
rm -f "$ROOT/us-nrrc"/node.db*
cp "$ROOT/snapshot"/node.db* "$ROOT/us-nrrc/"
node_start us-nrrc
check "us-nrrc was put back to fewer entries than were cosigned" [ "$(log_size us-nrrc)" -lt "$seen" ]
# Other messages under the same seqs: a second history.
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do on us-nrrc send --channel pair --text "en=rewritten $i" >/dev/null; done
# has_alert NODE KIND-REGEX PARTY
has_alert() { on "$1" status --json | $PY -c '
import json, re, sys
a = [x for x in json.load(sys.stdin)["alerts"]
     if re.fullmatch(sys.argv[1], x["kind"]) and x["party"] == sys.argv[2]]
sys.exit(0 if a else 1)' "$2" "$3"; }
check "ru-nrrc raises an equivocation alert about us-nrrc" wait_for 30 has_alert ru-nrrc equivocation us-nrrc
check "us-nrrc learns that its transcript went back (its own rollback or fork alert)" \
	wait_for 30 has_alert us-nrrc 'rollback|fork' us-nrrc
grown() { [ "$(log_size us-nrrc)" -gt "$seen" ]; }
check "the rewritten transcript grows past what was cosigned" wait_for 30 grown
forked() { curl -sf "$(url osce-witness)/witness/v1/logs" | $PY -c '
import json, sys
l = {l["origin"]: l for l in json.load(sys.stdin)}["parley.transcript/us-nrrc"]
sys.exit(0 if l["fork"] in ("suspected", "proven") and l["fork_checkpoint"] else 1)'; }
check "the witness keeps both checkpoints as evidence of the fork" wait_for 30 forked
check "the witness raises a fork alert about us-nrrc" wait_for 30 has_alert osce-witness 'fork|fork-suspected' us-nrrc
check "ru-nrrc, witnessing too, raises a fork alert about us-nrrc" wait_for 30 has_alert ru-nrrc 'fork|fork-suspected' us-nrrc
flagged() { on ru-nrrc inbox --json | $PY -c '
import json, sys
rows = [r for r in json.load(sys.stdin) if r["sender"] == "us-nrrc"]
sys.exit(0 if rows and all(r["flagged"] for r in rows) else 1)'; }
check "ru-nrrc still lists us-nrrc's envelopes, flagged" flagged
check "parley status shows the alerts to a person" sh -c "'$PARLEY' status --node '$(url ru-nrrc)' --token-file '$ROOT/ru-nrrc/token' | grep -q '^ALERT .*equivocation: us-nrrc'"

nodes_cleanup
for x in us-nrrc ru-nrrc osce-witness; do
	check "$x stopped cleanly on SIGTERM" sh -c "tail -1 '$ROOT/$x/parleyd.log' | grep -q stopped"
done
echo "1..$n"
exit $failed
