#!/bin/sh
# make fuzz: run every libFuzzer target in build-fuzz/ (SQLite's fuzzcheck
# stance: every crash ever found stays a test).
#
# For each build-fuzz/fuzz_NAME:
#   1. replay every file in tests/fuzz/regressions/NAME/ once; any crash
#      fails the target and it is not fuzzed further;
#   2. fuzz for FUZZ_SECONDS (default 30) starting from a temporary copy of
#      tests/fuzz/corpus/NAME/, so new inputs never land in the tree.
#      Crash, leak, timeout (10 s) and out-of-memory (2 GiB) inputs are
#      written to build-fuzz/artifacts/NAME-*.
#
# Output is TAP, one line per target ("ok N - fuzz_NAME 30s, X execs"),
# then "N passed, N failed"; the exit status is non-zero if a target
# failed.  FUZZ_JOBS targets run at once (default: the number of CPUs, at
# most 4); FUZZ_JOBS=1 runs them one after the other.
set -u
cd "$(dirname "$0")/.." || exit 2

dir=build-fuzz
art=$dir/artifacts
secs=${FUZZ_SECONDS:-30}
case $secs in
'' | *[!0-9]* | 0)
	# libFuzzer reads -max_total_time=0 as "forever".
	echo "run-fuzz: FUZZ_SECONDS must be a positive number of seconds, not '$secs'" >&2
	exit 2
	;;
esac
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
[ "$ncpu" -gt 4 ] && ncpu=4
jobs=${FUZZ_JOBS:-$ncpu}
case $jobs in '' | *[!0-9]* | 0) jobs=1 ;; esac

names=""
for bin in "$dir"/fuzz_*; do
	if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
		continue
	fi
	names="$names ${bin#"$dir"/fuzz_}"
done
if [ -z "$names" ]; then
	echo "no fuzz targets"
	exit 0
fi

mkdir -p "$art"
tmp=$(mktemp -d)
pids=""
# Background jobs of a non-interactive shell ignore SIGINT, so pass an
# interrupt on to the fuzzers ourselves.
trap 'rm -rf "$tmp"' EXIT
trap 'trap - EXIT; [ -n "$pids" ] && kill $pids 2>/dev/null; wait; rm -rf "$tmp"; exit 130' INT TERM

# Run a command so that a TERM sent to this (sub)shell stops it as well.
run_bg() {
	"$@" &
	child=$!
	trap 'kill "$child" 2>/dev/null; wait "$child"; exit 143' TERM
	wait "$child"
	rc=$?
	trap - TERM
	return $rc
}

# Fuzz one target; leave its TAP verdict (without the number) in $tmp/NAME.res.
fuzz_one() {
	name=$1
	bin=$dir/fuzz_$name
	log=$art/$name.log
	res=$tmp/$name.res
	reg=tests/fuzz/regressions/$name

	if [ -d "$reg" ]; then
		nreg=$(find "$reg" -type f | wc -l)
		# libFuzzer runs each file given as an argument once and stops at
		# the first crash.
		if ! run_bg find "$reg" -type f -exec "$bin" -timeout=10 -rss_limit_mb=2048 {} + \
			>"$art/$name.replay.log" 2>&1; then
			{
				echo "not ok - fuzz_$name: a regression input in $reg fails" \
					"(see $art/$name.replay.log)"
				grep -E '^(==[0-9]+== ?ERROR|SUMMARY|Running:)' "$art/$name.replay.log" |
					tail -5 | sed 's/^/#   /'
			} >"$res"
			return
		fi
		echo "# fuzz_$name: $nreg regression inputs replayed" >"$tmp/$name.note"
	fi

	mkdir -p "$tmp/corpus-$name"
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp -R "tests/fuzz/corpus/$name/." "$tmp/corpus-$name/"
	fi
	if run_bg "$bin" -max_total_time="$secs" -max_len=131072 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$art/$name-" "$tmp/corpus-$name" \
		>"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log")
		echo "ok - fuzz_$name ${secs}s, ${execs:-?} execs" >"$res"
	else
		{
			unit=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -1)
			echo "not ok - fuzz_$name: ${unit:-no input saved} (see $log)"
			grep -E '^(==[0-9]+== ?ERROR|SUMMARY)' "$log" | head -5 | sed 's/^/#   /'
		} >"$res"
	fi
	rm -rf "$tmp/corpus-$name"
}

# Target names are file names from build-fuzz/fuzz_*: split on blanks.
# shellcheck disable=SC2086
set -- $names
echo "1..$#"
n=0
pass=0
fail=0
while [ $# -gt 0 ]; do
	batch=""
	pids=""
	running=0
	while [ $# -gt 0 ] && [ "$running" -lt "$jobs" ]; do
		batch="$batch $1"
		fuzz_one "$1" &
		pids="$pids $!"
		running=$((running + 1))
		shift
	done
	wait
	pids=""
	for name in $batch; do
		n=$((n + 1))
		[ -f "$tmp/$name.note" ] && cat "$tmp/$name.note"
		if [ ! -f "$tmp/$name.res" ]; then
			echo "not ok $n - fuzz_$name: the runner itself failed"
			fail=$((fail + 1))
			continue
		fi
		# Number the verdict: "ok - x" -> "ok 3 - x".
		sed "1s/^\(\(not \)\{0,1\}ok\) -/\1 $n -/" "$tmp/$name.res"
		if head -1 "$tmp/$name.res" | grep -q '^ok '; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
		fi
	done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
