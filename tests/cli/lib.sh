# tests/cli/lib.sh - shared by the CLI test scripts (sourced, not run).
# Sets P (the parley binary), PY, a temporary directory T removed on exit,
# and TAP helpers: ok DESC, nok DESC, and
#   expect DESC CODE PATTERN -- command...
# which passes when the command exits CODE and PATTERN (grep) appears in its
# stdout or stderr.  Scripts end with "exit $failed".
P=${PARLEY:-./build/parley}
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

nok() {
	n=$((n + 1))
	failed=1
	echo "not ok $n - $1"
	sed 's/^/# /' "$T/err" 2>/dev/null | head -8
}

expect() {
	desc=$1 code=$2 pat=$3
	shift 4
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	cat "$T/out" >>"$T/err"
	if [ "$rc" -eq "$code" ] && grep -q -- "$pat" "$T/err"; then
		ok "$desc"
	else
		echo "exit $rc, want $code and '$pat'" >>"$T/err"
		nok "$desc"
	fi
}
