# tests/net/lib.sh - shared by the multi-process tests (sourced, not run).
# Before sourcing set NAME (for the node directory) ; it sets B, PY, ROOT
# (removed on exit, after every node is stopped), the TAP helpers
#   ok DESC, nok DESC [DETAIL], check DESC COMMAND...
# and PORTS: three free TCP ports on 127.0.0.1.  Scripts end with
# 'echo "1..$n"; exit $failed'.
set -u
B=${B:-build}
PY=/usr/bin/python3
ROOT=$(mktemp -d "/tmp/parley-$NAME-XXXXXX")
. scripts/nodes.sh
n=0
failed=0
trap 'nodes_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$ROOT"' EXIT

ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ $# -gt 1 ] && echo "# $2"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else nok "$desc"; fi; }

PORTS=$($PY -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
