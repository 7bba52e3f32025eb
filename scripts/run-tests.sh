#!/bin/sh
# Run every test and print one closing line: "N passed, N failed".
# UNIT_ONLY=1: the unit tests and vectors only, not the CLI and net tests.
#
# Each test program speaks TAP ("ok N - name" / "not ok N - name"): cmocka
# binaries through CMOCKA_MESSAGE_OUTPUT=tap, the Python vector checker and
# the CLI scripts by hand.  A program that exits non-zero without reporting a
# failure (a crash, a sanitizer report) counts as one failure of its own.
set -u
B=${B:-build}
export CMOCKA_MESSAGE_OUTPUT=tap
export PARLEY=$PWD/$B/parley
PY=/usr/bin/python3
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run() {
	name=$1
	shift
	"$@" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "FAIL $name: exited $rc without reporting a failed test"
	fi
	if [ "$f" -ne 0 ]; then
		echo "---- $name ----"
		cat "$log"
	fi
	printf '%-28s %4d passed, %d failed\n' "$name" "$p" "$f"
	pass=$((pass + p))
	fail=$((fail + f))
}

for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	run "$(basename "$t")" "$t"
done
if [ -x "$B/tests/gen_vectors" ]; then
	run gen_vectors--check "$B/tests/gen_vectors" --check tests/vectors
fi
if [ -f tests/vectors/check_vectors.py ]; then
	run check_vectors.py "$PY" tests/vectors/check_vectors.py tests/vectors
fi
if [ -n "${UNIT_ONLY:-}" ]; then
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
	exit
fi
for t in tests/cli/test_*.sh; do
	[ -f "$t" ] || continue
	run "$(basename "$t")" sh "$t"
done
# Multi-process tests: real parleyd nodes on loopback.
for t in tests/net/test_*.sh; do
	[ -f "$t" ] || continue
	run "$(basename "$t")" env B="$B" sh "$t"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
