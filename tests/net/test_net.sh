#!/bin/sh
# test_net.sh - real parleyd processes on loopback (TAP):
#   three nodes deliver to each other, with receipts and acknowledgements;
#   a receiver that was down gets everything, in order, once;
#   kill -9 of sender and receiver at random moments during a run of
#   NET_FLOOD envelopes (default 10000), then restart: every accepted
#   envelope delivered exactly once, in order, every one receipted, both
#   transcripts holding exactly one entry per envelope and receipt;
#   a channel the receiver refuses for good holds only itself, not the
#   sender's other channels to that receiver;
#   forged, replayed, oversize and malformed peer requests refused with the
#   store unchanged.
NAME=net
. tests/net/lib.sh
N=${NET_FLOOD:-10000}
set -- $PORTS
node_init us-nrrc "$1" && node_init ru-nrrc "$2" && node_init cn-cert "$3" || { echo "Bail out! init"; exit 1; }
for x in us-nrrc ru-nrrc cn-cert; do node_start $x || { echo "Bail out! start $x"; exit 1; }; done
check "three nodes pin each other" pin_all us-nrrc ru-nrrc cn-cert
check "a channel of three becomes active everywhere" channel_up trio us-nrrc us-nrrc ru-nrrc cn-cert
check "a bilateral channel becomes active" channel_up bulk us-nrrc us-nrrc ru-nrrc

# Rows in a node's store (read-only, for the invariants).
q() {
	$PY - "$ROOT/$1/node.db" "$2" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(db.execute(sys.argv[2]).fetchone()[0])
EOF
}

# ---- three nodes deliver to each other ---------------------------------------
for x in us-nrrc ru-nrrc cn-cert; do
	on $x send --channel trio --text "en=hello from $x" >/dev/null || nok "send from $x"
done
got_all() { [ "$(q "$1" "SELECT COUNT(*) FROM envelope WHERE channel='trio' AND kind=1 AND dir=2")" = 2 ]; }
for x in us-nrrc ru-nrrc cn-cert; do
	check "$x received both others' messages" wait_for 20 got_all $x
done
receipted() { [ "$(on "$1" status --json | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["pending"]))')" = 0 ]; }
for x in us-nrrc ru-nrrc cn-cert; do
	check "$x holds a receipt from every member" wait_for 20 receipted $x
done
id=$(q ru-nrrc "SELECT lower(hex(id)) FROM envelope WHERE sender='us-nrrc' AND channel='trio' AND kind=1")
on ru-nrrc ack "$id" >/dev/null
acked() { on us-nrrc show "$id" | grep -q '^ack .*ru-nrrc'; }
check "an acknowledgement travels back to the sender" wait_for 20 acked

# ---- a receiver that was down ---------------------------------------------------
node_stop ru-nrrc
for i in $(seq 1 20); do on us-nrrc send --channel bulk --text "en=while down $i" >/dev/null; done
node_start ru-nrrc
in_order() {
	[ "$(q ru-nrrc "SELECT COUNT(*) || '/' || COALESCE(MIN(seq),0) || '/' || COALESCE(MAX(seq),0) FROM envelope WHERE channel='bulk' AND sender='us-nrrc'")" = "21/1/21" ]
}
check "a receiver down for a while gets all 20, seqs 1..21 (charter included), once" wait_for 60 in_order

# ---- kill -9 during a flood ----------------------------------------------------------
: >"$ROOT/ids"
"$PWD/$B/tests/flood" --node "http://127.0.0.1:$(cat "$ROOT/us-nrrc/port")" \
	--token-file "$ROOT/us-nrrc/token" --channel bulk --count "$N" --threads 4 \
	--ids "$ROOT/ids" --patience 60 >"$ROOT/flood.out" 2>"$ROOT/flood.err" &
flood=$!
# While the flood runs: kill -9 the receiver or the sender at random moments.
kills=0
while kill -0 $flood 2>/dev/null && [ $kills -lt 12 ]; do
	sleep "$($PY -c 'import random; print(random.uniform(0.2, 1.0))')"
	if [ $((kills % 2)) -eq 0 ]; then victim=ru-nrrc; else victim=us-nrrc; fi
	node_kill $victim
	kills=$((kills + 1))
	sleep 0.2
	node_start $victim || nok "restart $victim after kill -9"
done
wait $flood
echo "# $kills kill -9 during the flood"
cat "$ROOT/flood.out" | sed 's/^/# flood: /'
accepted=$(sort -u "$ROOT/ids" | wc -l)
check "the flood got most of its sends accepted through $kills kills" [ "$accepted" -gt $((N / 2)) ] && [ "$kills" -ge 2 ]
sent_out() { q us-nrrc "SELECT COUNT(*) FROM envelope WHERE channel='bulk' AND dir=1"; }
all_in() { [ "$(q ru-nrrc "SELECT COUNT(*) FROM envelope WHERE channel='bulk' AND sender='us-nrrc'")" = "$(sent_out)" ]; }
check "after restarts, everything us-nrrc stored reaches ru-nrrc" wait_for 120 all_in
check "ru-nrrc's seqs from us-nrrc are 1..max with no gap and no duplicate" \
	[ "$(q ru-nrrc "SELECT MAX(seq) - COUNT(*) - COUNT(DISTINCT seq) + MAX(seq) FROM envelope WHERE channel='bulk' AND sender='us-nrrc'")" = 0 ]
missing=$($PY - "$ROOT/ids" "$ROOT/ru-nrrc/node.db" <<'EOF'
import sqlite3, sys
ids = set(l.strip() for l in open(sys.argv[1]) if l.strip())
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[2], uri=True)
have = set(r[0] for r in db.execute("SELECT lower(hex(id)) FROM envelope"))
print(len(ids - have))
EOF
)
check "every accepted id ($accepted) is at the receiver (missing: $missing)" [ "$missing" = 0 ]
check "every one of them is receipted at the sender" wait_for 60 receipted us-nrrc
# Transcripts: one entry per envelope stored and per receipt taken, nothing twice.
tx_ok() {
	x=$1
	entries=$(q $x "SELECT COUNT(*) FROM leaf")
	envs=$(q $x "SELECT COUNT(*) FROM envelope")
	rcpts=$(q $x "SELECT COUNT(*) FROM receipt WHERE receiver <> '$x'")
	[ "$entries" = $((envs + rcpts)) ] || { echo "# $x: $entries entries, $envs envelopes, $rcpts receipts"; return 1; }
}
check "us-nrrc's transcript: one entry per envelope and per receipt" tx_ok us-nrrc
check "ru-nrrc's transcript: one entry per envelope and per receipt" tx_ok ru-nrrc
check "ru-nrrc's log indexes are those of its envelopes, each once" \
	[ "$(q ru-nrrc "SELECT COUNT(DISTINCT log_index) - COUNT(*) FROM envelope")" = 0 ]

# ---- a channel the peer refuses holds only itself -------------------------------------
# ru-nrrc has a channel 'clash' already, with cn-cert and without us-nrrc: us-nrrc's
# charter for a 'clash' of its own is refused there for good (not a member).  That
# PRIORITY charter stays pending, and must not stop us-nrrc's ROUTINE traffic to
# ru-nrrc on other channels (the lane waited backoff-max, 60 s, per try before).
check "cn-cert and ru-nrrc share a channel 'clash'" channel_up clash cn-cert cn-cert ru-nrrc
on us-nrrc channel create clash --member us-nrrc --member ru-nrrc >/dev/null || nok "us-nrrc creates its own 'clash'"
held() { grep -q "ru-nrrc: channel clash held" "$ROOT/us-nrrc/parleyd.log"; }
check "ru-nrrc refuses us-nrrc's 'clash'; us-nrrc holds that channel alone" wait_for 20 held
on us-nrrc send --channel bulk --text "en=past the clash" >/dev/null || nok "send on bulk after the clash"
bulk_done() { [ "$(q us-nrrc "SELECT COUNT(*) FROM delivery WHERE channel='bulk' AND done=0")" = 0 ]; }
check "a message on another channel to the same peer is still delivered and receipted" wait_for 20 bulk_done

# ---- hostile peer requests ------------------------------------------------------------
RU="http://127.0.0.1:$(cat "$ROOT/ru-nrrc/port")/peer/v1/envelopes"
before=$(q ru-nrrc "SELECT COUNT(*) FROM leaf")
$PY - "$ROOT/us-nrrc/node.db" "$ROOT" <<'EOF'
import sqlite3, struct, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
raw = db.execute("SELECT raw FROM envelope WHERE channel='bulk' AND dir=1 ORDER BY seq DESC LIMIT 1").fetchone()[0]
frame = lambda b: struct.pack(">I", len(b)) + b
open(sys.argv[2] + "/replay", "wb").write(frame(raw))
forged = bytearray(raw); forged[-1] ^= 1
open(sys.argv[2] + "/forged", "wb").write(frame(bytes(forged)))
open(sys.argv[2] + "/garbage", "wb").write(frame(b"parley-envelope\0" + b"\x07" * 40))
open(sys.argv[2] + "/badframe", "wb").write(struct.pack(">I", len(raw) + 10) + raw)
open(sys.argv[2] + "/huge", "wb").write(b"\0" * (5 << 20))
EOF
post() { curl -s -o "$ROOT/answer" -w '%{http_code}' -H 'Content-Type: application/octet-stream' --data-binary "@$ROOT/$1" "$RU"; }
check "a replayed envelope is answered with its first receipt (200)" [ "$(post replay)" = 200 ]
check "a forged signature is refused (403 bad-signature)" sh -c "[ \"\$(curl -s -o '$ROOT/answer' -w '%{http_code}' -H 'Content-Type: application/octet-stream' --data-binary @'$ROOT/forged' '$RU')\" = 403 ] && grep -q bad-signature '$ROOT/answer'"
check "a malformed envelope is refused (400)" [ "$(post garbage)" = 400 ]
check "a frame longer than the body is refused (400)" [ "$(post badframe)" = 400 ]
check "a body over max-body is refused (413)" [ "$(post huge)" = 413 ]
check "none of it changed ru-nrrc's transcript" [ "$(q ru-nrrc "SELECT COUNT(*) FROM leaf")" = "$before" ]

nodes_cleanup
for x in us-nrrc ru-nrrc cn-cert; do
	check "$x stopped cleanly on SIGTERM" sh -c "tail -1 '$ROOT/$x/parleyd.log' | grep -q stopped"
done
echo "1..$n"
exit $failed
