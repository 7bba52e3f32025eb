#!/bin/sh
# test_split.sh - a sender that shows two members two different histories
# (TAP), with real parleyd processes on loopback: three states on one
# channel.  us-nrrc gives ru-nrrc one envelope and fr-cert another under
# the same seq (its database put back in between, the other member down
# each time), so that neither member ever receives both.  Each reads the
# other's published transcript, finds the other envelope under that seq,
# fetches the other member's copy, and raises an equivocation alert about
# us-nrrc with both signed envelopes as evidence.  Then a member that
# missed an envelope, its sender down, fetches it from a member whose
# transcript names it.
NAME=split
. tests/net/lib.sh
set -- $PORTS
node_init us-nrrc "$1" && node_init ru-nrrc "$2" && node_init fr-cert "$3" ||
	{ echo "Bail out! init"; exit 1; }
for x in us-nrrc ru-nrrc fr-cert; do
	echo "checkpoint-interval 100" >>"$ROOT/$x/parleyd.conf"
	node_start $x || { echo "Bail out! start $x"; exit 1; }
done
check "the three states pin each other" pin_all us-nrrc ru-nrrc fr-cert
check "a channel of the three becomes active" channel_up trio us-nrrc us-nrrc ru-nrrc fr-cert
check "and a second one" channel_up relay us-nrrc us-nrrc ru-nrrc fr-cert

q() {
	$PY - "$ROOT/$1/node.db" "$2" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(db.execute(sys.argv[2]).fetchone()[0])
PYEOF
}
msgs() { q "$1" "SELECT COUNT(*) FROM envelope WHERE channel='trio' AND sender='us-nrrc' AND kind=1"; }
has() { [ "$(msgs "$1")" = "$2" ]; }

on us-nrrc send --channel trio --text "en=before" >/dev/null
both_have_one() { has ru-nrrc 1 && has fr-cert 1; }
check "both members get the first message" wait_for 20 both_have_one

# us-nrrc's state before the split.
node_stop us-nrrc
mkdir "$ROOT/snapshot"
cp "$ROOT/us-nrrc"/node.db* "$ROOT/snapshot/"
node_start us-nrrc

# E1, while fr-cert is down: only ru-nrrc gets it.
node_stop fr-cert
on us-nrrc send --channel trio --text "en=the version for ru-nrrc" >/dev/null
check "ru-nrrc gets the message meant for it" wait_for 20 has ru-nrrc 2

# us-nrrc put back to before E1; E2 under the same seq while ru-nrrc is down: only fr-cert gets it.
node_stop us-nrrc
node_stop ru-nrrc
rm -f "$ROOT/us-nrrc"/node.db*
cp "$ROOT/snapshot"/node.db* "$ROOT/us-nrrc/"
node_start fr-cert
node_start us-nrrc
on us-nrrc send --channel trio --text "en=the version for fr-cert" >/dev/null
check "fr-cert gets the other message" wait_for 20 has fr-cert 2
node_stop us-nrrc

last_id() { q "$1" "SELECT lower(hex(id)) FROM envelope WHERE channel='trio' AND sender='us-nrrc' ORDER BY seq DESC LIMIT 1"; }
last_seq() { q "$1" "SELECT MAX(seq) FROM envelope WHERE channel='trio' AND sender='us-nrrc'"; }
check "the two members hold the same seq of us-nrrc" [ "$(last_seq ru-nrrc)" = "$(last_seq fr-cert)" ]
check "with two different envelopes" [ "$(last_id ru-nrrc)" != "$(last_id fr-cert)" ]

# ru-nrrc comes back (us-nrrc stays down, its queue with it); fr-cert restarts to cosign at once.
node_start ru-nrrc
node_stop fr-cert
node_start fr-cert
# has_alert NODE KIND PARTY TEXT
has_alert() { on "$1" status --json | $PY -c '
import json, sys
a = [x for x in json.load(sys.stdin)["alerts"]
     if x["kind"] == sys.argv[1] and x["party"] == sys.argv[2] and sys.argv[3] in x["detail"]]
sys.exit(0 if a else 1)' "$2" "$3" "$4"; }
short_ru=$(last_id ru-nrrc | cut -c1-12)
short_fr=$(last_id fr-cert | cut -c1-12)
check "ru-nrrc finds fr-cert's envelope in its transcript: an equivocation alert about us-nrrc" \
	wait_for 30 has_alert ru-nrrc equivocation us-nrrc "$short_fr"
check "fr-cert finds ru-nrrc's: the same alert" \
	wait_for 30 has_alert fr-cert equivocation us-nrrc "$short_ru"
# The alert came from the transcripts, not from a delivery of the other envelope.
stored() { q "$1" "SELECT COUNT(*) FROM envelope WHERE lower(hex(id)) LIKE '$2%'"; }
apart() { [ "$(stored ru-nrrc "$short_fr")" = 0 ] && [ "$(stored fr-cert "$short_ru")" = 0 ]; }
check "ru-nrrc never stored fr-cert's envelope, nor fr-cert ru-nrrc's" apart
evidence() { q ru-nrrc "SELECT length(evidence) FROM alert WHERE kind='equivocation'"; }
both=$(( $(q ru-nrrc "SELECT length(raw) FROM envelope WHERE channel='trio' AND sender='us-nrrc' ORDER BY seq DESC LIMIT 1") + $(q fr-cert "SELECT length(raw) FROM envelope WHERE channel='trio' AND sender='us-nrrc' ORDER BY seq DESC LIMIT 1") + 8 ))
check "the evidence is both signed envelopes ($both bytes)" [ "$(evidence)" = "$both" ]
check "ru-nrrc's log says where the other envelope came from" \
	grep -q "monitor: fr-cert's transcript has another envelope of trio/us-nrrc" "$ROOT/ru-nrrc/parleyd.log"
flagged() { on ru-nrrc inbox --json | $PY -c '
import json, sys
rows = [r for r in json.load(sys.stdin) if r["sender"] == "us-nrrc"]
sys.exit(0 if rows and all(r["flagged"] for r in rows) else 1)'; }
check "ru-nrrc lists us-nrrc's envelopes as flagged" flagged

# ---- a member that missed an envelope fetches it from another member -----------------------
# fr-cert sends on relay while us-nrrc is down, then goes down itself: us-nrrc reads
# in ru-nrrc's transcript of an envelope it never got, and fetches it from ru-nrrc.
on fr-cert send --channel relay --text "en=sent while us-nrrc was away" >/dev/null
relay_id() { q "$1" "SELECT lower(hex(id)) FROM envelope WHERE channel='relay' AND kind=1"; }
at_ru() { [ -n "$(relay_id ru-nrrc)" ]; }
check "ru-nrrc gets it" wait_for 20 at_ru
node_stop fr-cert
node_start us-nrrc
# ru-nrrc has been backing off from us-nrrc: a restart sends its checkpoint at once.
node_stop ru-nrrc
node_start ru-nrrc
same() { [ -n "$(relay_id us-nrrc)" ] && [ "$(relay_id us-nrrc)" = "$(relay_id ru-nrrc)" ]; }
check "us-nrrc gets the same envelope from ru-nrrc, its sender down" wait_for 40 same
check "us-nrrc's log says where it came from" \
	grep -q "relay/fr-cert from seq .*, fetched from ru-nrrc: 1 accepted" "$ROOT/us-nrrc/parleyd.log"

nodes_cleanup
for x in us-nrrc ru-nrrc fr-cert; do
	check "$x stopped cleanly on SIGTERM" sh -c "tail -1 '$ROOT/$x/parleyd.log' | grep -q stopped"
done
echo "1..$n"
exit $failed
