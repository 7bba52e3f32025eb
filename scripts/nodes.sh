# scripts/nodes.sh - run real parleyd nodes on loopback (sourced, not run).
# Shared by make demo (scripts/demo.sh) and the multi-process tests
# (tests/net/test_*.sh).
#
# Set before sourcing: B (build dir), ROOT (a directory for the nodes).
# Every node NAME lives in $ROOT/NAME; its port is in $ROOT/NAME/port.
#
#   node_init NAME PORT        parley init, with a password and no passphrase
#   node_start NAME            start parleyd, wait until it answers
#   node_stop NAME             SIGTERM and wait for a clean exit
#   node_kill NAME             SIGKILL (a crash)
#   on NAME ARGS...            run parley against node NAME
#   pin_all NAME...            every node pins every other one
#   channel_up NAME CREATOR MEMBER...   create, accept everywhere, wait until active
#   wait_for SECONDS CMD...    retry CMD every 0.2 s until it succeeds
#   nodes_cleanup              stop every node started here (trap it on EXIT)

PARLEY=${PARLEY:-$PWD/$B/parley}
PARLEYD=${PARLEYD:-$PWD/$B/parleyd}
NODES_STARTED=""

node_init() {
	mkdir -p "$ROOT"
	[ -f "$ROOT/password" ] || { echo 'correct horse battery staple' >"$ROOT/password"; chmod 600 "$ROOT/password"; }
	"$PARLEY" init --party "$1" --dir "$ROOT/$1" --listen "127.0.0.1:$2" \
		--endpoint "http://127.0.0.1:$2" --plain-http --officer duty \
		--password-file "$ROOT/password" --no-passphrase >"$ROOT/$1.init" 2>&1 || {
		cat "$ROOT/$1.init" >&2
		return 1
	}
	echo "$2" >"$ROOT/$1/port"
	sed -n 's/^fingerprint  *//p' "$ROOT/$1.init" | tail -1 >"$ROOT/$1/fingerprint"
}

# Helpers' variables start with _nd_: scripts that source this keep theirs.
on() {
	_nd_node=$1
	shift
	"$PARLEY" "$@" --node "http://127.0.0.1:$(cat "$ROOT/$_nd_node/port")" \
		--token-file "$ROOT/$_nd_node/token"
}

wait_for() {
	_nd_limit=$1
	shift
	_nd_i=0
	while ! "$@" >/dev/null 2>&1; do
		_nd_i=$((_nd_i + 1))
		[ "$_nd_i" -ge $((_nd_limit * 5)) ] && return 1
		sleep 0.2
	done
}

node_start() {
	"$PARLEYD" -c "$ROOT/$1/parleyd.conf" >>"$ROOT/$1/parleyd.log" 2>&1 &
	echo $! >"$ROOT/$1/pid"
	NODES_STARTED="$NODES_STARTED $1"
	wait_for 20 on "$1" status || {
		echo "node $1 did not start; its log:" >&2
		tail -20 "$ROOT/$1/parleyd.log" >&2
		return 1
	}
}

node_stop() {
	[ -f "$ROOT/$1/pid" ] || return 0
	_nd_pid=$(cat "$ROOT/$1/pid")
	kill -TERM "$_nd_pid" 2>/dev/null
	wait "$_nd_pid" 2>/dev/null
	rm -f "$ROOT/$1/pid"
}

node_kill() {
	[ -f "$ROOT/$1/pid" ] || return 0
	_nd_pid=$(cat "$ROOT/$1/pid")
	kill -KILL "$_nd_pid" 2>/dev/null
	wait "$_nd_pid" 2>/dev/null
	rm -f "$ROOT/$1/pid"
}

nodes_cleanup() {
	for _nd_x in $NODES_STARTED; do
		node_stop "$_nd_x"
	done
	NODES_STARTED=""
}

pin_all() {
	for _nd_a in "$@"; do
		for _nd_b in "$@"; do
			[ "$_nd_a" = "$_nd_b" ] && continue
			on "$_nd_a" peer add "$ROOT/$_nd_b/record" \
				--fingerprint "$(cat "$ROOT/$_nd_b/fingerprint")" >/dev/null || return 1
		done
	done
}

# The channel's state at node NAME.
channel_state() {
	on "$1" channel list --json | /usr/bin/python3 -c '
import json, sys
for c in json.load(sys.stdin):
    if c["name"] == sys.argv[1]:
        print(c["state"])' "$2"
}

channel_is() {
	[ "$(channel_state "$1" "$2")" = "$3" ]
}

channel_up() {
	_nd_name=$1 _nd_creator=$2
	shift 2
	_nd_args=""
	for _nd_m in "$@"; do
		_nd_args="$_nd_args --member $_nd_m"
	done
	# shellcheck disable=SC2086
	on "$_nd_creator" channel create "$_nd_name" $_nd_args >/dev/null || return 1
	for _nd_m in "$@"; do
		[ "$_nd_m" = "$_nd_creator" ] && continue
		wait_for 20 channel_is "$_nd_m" "$_nd_name" proposed || return 1
		on "$_nd_m" channel accept "$_nd_name" >/dev/null || return 1
	done
	for _nd_m in "$_nd_creator" "$@"; do
		wait_for 20 channel_is "$_nd_m" "$_nd_name" active || return 1
	done
}
