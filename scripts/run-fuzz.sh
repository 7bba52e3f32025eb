#!/bin/sh
# make fuzz: replay the crash regressions, then run every libFuzzer target
# for FUZZ_SECONDS from a copy of its seed corpus (new inputs are not
# written into the tree).  Prints TAP lines and "N passed, N failed".
set -u
secs=${FUZZ_SECONDS:-30}
art=build-fuzz/artifacts
mkdir -p "$art"
pass=0
fail=0
n=0
set -- build-fuzz/fuzz_*
if [ ! -x "$1" ]; then
	echo "no fuzz targets"
	exit 0
fi
for bin in "$@"; do
	[ -x "$bin" ] || continue
	name=${bin#build-fuzz/fuzz_}
	n=$((n + 1))
	reg=tests/fuzz/regressions/$name
	if [ -d "$reg" ] && [ -n "$(ls -A "$reg")" ]; then
		if "$bin" "$reg"/* >"$art/$name.replay.log" 2>&1; then
			echo "ok $n - fuzz_$name regressions replay"
			pass=$((pass + 1))
		else
			echo "not ok $n - fuzz_$name regressions replay (see $art/$name.replay.log)"
			tail -30 "$art/$name.replay.log"
			fail=$((fail + 1))
		fi
		n=$((n + 1))
	fi
	work=$(mktemp -d)
	[ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/"
	log="$art/$name.log"
	if "$bin" -max_total_time="$secs" -max_len=131072 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$art/$name-" "$work" >"$log" 2>&1; then
		execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
		echo "ok $n - fuzz_$name ${secs}s, ${execs:-?} execs"
		pass=$((pass + 1))
	else
		echo "not ok $n - fuzz_$name (see $log)"
		grep -A30 'ERROR:' "$log" | head -40
		fail=$((fail + 1))
	fi
	rm -rf "$work"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
