#!/bin/sh
# make demo: three parley nodes on loopback, a channel, and a short
# exchange: a request for assistance about a ransomware incident, its
# receipt, an acknowledgement and the answer.  Then it waits: explore with
# the commands it prints; Ctrl-C stops every node.
#
#   us-nrrc   a state's risk-reduction centre          127.0.0.1:7401
#   ru-nrrc   another state's risk-reduction centre    127.0.0.1:7402
#   osce-cpc  a neutral witness (witness-only):        127.0.0.1:7403
#             cosigns both states' transcripts, holds no content
#
# Ports: PARLEY_DEMO_PORT (default 7401) and the next two.  Directory:
# PARLEY_DEMO_DIR (default /tmp/parley-demo), wiped at start.
set -u
B=${B:-build}
ROOT=${PARLEY_DEMO_DIR:-/tmp/parley-demo}
BASE=${PARLEY_DEMO_PORT:-7401}
. scripts/nodes.sh

say() {
	printf '\n== %s\n' "$*"
}

stop_all() {
	trap - INT TERM EXIT
	printf '\nstopping the nodes...\n'
	nodes_cleanup
	exit 0
}
trap stop_all INT TERM EXIT

for p in $BASE $((BASE + 1)) $((BASE + 2)); do
	if /usr/bin/python3 -c 'import socket,sys; s=socket.socket(); s.connect(("127.0.0.1", int(sys.argv[1])))' "$p" 2>/dev/null; then
		echo "demo: port $p is in use (another demo running?); set PARLEY_DEMO_PORT" >&2
		trap - EXIT
		exit 1
	fi
done
case "$ROOT" in /tmp/*) rm -rf "$ROOT" ;; esac
mkdir -p "$ROOT"

say "three nodes: keys, stores, first officers"
node_init us-nrrc "$BASE" && node_init ru-nrrc $((BASE + 1)) && node_init osce-cpc $((BASE + 2)) || exit 1
echo "witness-only yes" >>"$ROOT/osce-cpc/parleyd.conf"
for n in us-nrrc ru-nrrc osce-cpc; do
	node_start "$n" || exit 1
	echo "$n  http://127.0.0.1:$(cat "$ROOT/$n/port")  fingerprint $(cat "$ROOT/$n/fingerprint")"
done

say "each pins the others' records, checked against their fingerprints"
pin_all us-nrrc ru-nrrc osce-cpc || exit 1
on us-nrrc peer list

say "us-nrrc proposes channel 'cyber' to ru-nrrc; ru-nrrc signs the charter"
channel_up cyber us-nrrc us-nrrc ru-nrrc || exit 1
on us-nrrc channel list

say "us-nrrc sends a request for assistance (IMMEDIATE)"
RFA=$(on us-nrrc send --channel cyber --precedence IMMEDIATE --format rfa \
	--data '{"incident":"INC-2026-0042","type":"ransomware","sector":"energy"}' \
	--text 'en=Request for assistance: ransomware at a power utility; indicators attached by hash.' \
	--text 'ru=Запрос о помощи: программа-вымогатель на энергокомпании.' \
	--authoritative en) || exit 1
echo "envelope $RFA"
wait_for 20 sh -c "'$PARLEY' inbox --node http://127.0.0.1:$((BASE + 1)) --token-file '$ROOT/ru-nrrc/token' | grep -q '${RFA%"${RFA#????????????}"}'" || exit 1
on ru-nrrc inbox

say "ru-nrrc's officer acknowledges it and answers"
on ru-nrrc ack "$RFA" || exit 1
ANS=$(on ru-nrrc send --channel cyber --precedence IMMEDIATE --format response --ref "$RFA" \
	--data '{"incident":"INC-2026-0042","status":"in-progress"}' \
	--text 'en=Received. Our CERT is examining the indicators; first findings within 24 hours.' \
	--authoritative en) || exit 1
echo "answer $ANS"
wait_for 20 sh -c "'$PARLEY' show '$RFA' --node http://127.0.0.1:$BASE --token-file '$ROOT/us-nrrc/token' | grep -q '^ack'" || exit 1

say "what us-nrrc knows of its request: receipt and acknowledgement"
on us-nrrc show "$RFA"
say "status"
on us-nrrc status

say "us-nrrc's transcript checkpoint, cosigned by ru-nrrc and the witness osce-cpc"
"$PARLEY" log vkey --record "$ROOT/us-nrrc/record" >"$ROOT/us.vkey"
for w in ru-nrrc osce-cpc; do "$PARLEY" log vkey --record "$ROOT/$w/record" --witness >"$ROOT/$w.wkey"; done
cosigned() {
	curl -sf "http://127.0.0.1:$BASE/log/checkpoint" >"$ROOT/checkpoint" &&
		"$PARLEY" verify "$ROOT/checkpoint" --log "$(cat "$ROOT/us.vkey")" \
			--witness "$(cat "$ROOT/ru-nrrc.wkey")" --witness "$(cat "$ROOT/osce-cpc.wkey")"
}
wait_for 20 cosigned || exit 1
cat "$ROOT/checkpoint"
cosigned

cat <<EOF

The nodes keep running.  Explore (in another terminal):

  export PARLEY_NODE=http://127.0.0.1:$BASE PARLEY_TOKEN_FILE=$ROOT/us-nrrc/token
  $PARLEY inbox            # what us-nrrc received
  $PARLEY show $ANS
  $PARLEY send --channel cyber --text 'en=Thank you.'
  $PARLEY channel list
  $PARLEY status
  curl http://127.0.0.1:$BASE/log/checkpoint        # the cosigned checkpoint
  curl http://127.0.0.1:$((BASE + 2))/witness/v1/logs  # what the witness cosigned

  ru-nrrc:  PARLEY_NODE=http://127.0.0.1:$((BASE + 1)) PARLEY_TOKEN_FILE=$ROOT/ru-nrrc/token
  osce-cpc: PARLEY_NODE=http://127.0.0.1:$((BASE + 2)) PARLEY_TOKEN_FILE=$ROOT/osce-cpc/token
  officer 'duty', password in $ROOT/password; logs in $ROOT/*/parleyd.log
  the API with curl: docs/api.md

Ctrl-C stops every node.
EOF
while :; do
	sleep 3600 &
	wait $!
done
