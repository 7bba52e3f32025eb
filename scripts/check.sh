#!/bin/sh
# make check: the mechanical parts of docs/architecture.md and STYLE.md.
#
#   1. clang-format in diff mode on every tracked *.c and *.h;
#   2. no banned function (curl's checksrc list, extended) in src/ tests/ bench/;
#   3. includes point down the layers only, libsodium only in src/crypto/,
#      SQL client headers only in src/store/, and no file includes another
#      module's *_int.h.
#
# Every breach is printed as "file:line: what"; the exit status is non-zero
# if there was one.  Checks 2 and 3 also read files not yet added to git
# (but not ignored ones), so a breach shows up before it is committed.
set -u
cd "$(dirname "$0")/.." || exit 2

# Lowest first; a file in src/X/ may include headers of X and of layers
# before X.  cli sits on top of everything.
LAYERS="common crypto wire tlog store core api sync parleyd cli"
BANNED="sprintf vsprintf strcpy strcat strncat strncpy gets atoi atol strtok"

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	echo "check: not inside a git work tree (the file lists come from git ls-files)" >&2
	exit 2
fi
if ! command -v clang-format >/dev/null 2>&1; then
	echo "check: clang-format not found (scripts/deps.sh installs it)" >&2
	exit 2
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# 1. Formatting.  One clang-format run for all files; report each file:line
# once, not every column.
fmt_files=$(git ls-files -- '*.c' '*.h')
n_fmt=$(printf '%s\n' "$fmt_files" | grep -c .)
printf '%s\n' "$fmt_files" | grep . | xargs -r clang-format --dry-run --Werror 2>&1 |
	sed -n 's/^\(.*\):\([0-9][0-9]*\):[0-9][0-9]*: error: .*clang-format.*/\1:\2: not clang-formatted (make format)/p' |
	uniq >>"$out"

# 2 and 3 in one awk pass over the C sources.
src_files=$(git ls-files -co --exclude-standard -- \
	'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c' 'bench/*.h' |
	while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done)
n_src=$(printf '%s\n' "$src_files" | grep -c .)
if [ "$n_src" -gt 0 ]; then
	# shellcheck disable=SC2086
	awk -v layers="$LAYERS" -v banned="$BANNED" '
	BEGIN {
		n = split(layers, l, " ")
		for (i = 1; i <= n; i++)
			rank[l[i]] = i
		n = split(banned, b, " ")
		re = b[1]
		for (i = 2; i <= n; i++)
			re = re "|" b[i]
		banned_re = "(^|[^A-Za-z0-9_])(" re ")[ \t]*\\("
		hint["sprintf"] = hint["vsprintf"] = ": use snprintf or buf_addf"
		hint["strcpy"] = hint["strcat"] = hint["strncat"] = ": use buf_add or snprintf"
		hint["strncpy"] = ": use memcpy with a checked length or snprintf"
		hint["atoi"] = hint["atol"] = ": use parse_u64"
		hint["gets"] = ": use fgets"
		hint["strtok"] = ": walk the string with strchr or strcspn"
	}
	function breach(msg) {
		printf "%s:%d: %s\n", FILENAME, FNR, msg
	}
	FNR == 1 {
		np = split(FILENAME, part, "/")
		insrc = part[1] == "src"
		layer = insrc && np > 2 ? part[2] : ""
		dir = ""
		for (i = 1; i < np; i++)
			dir = dir part[i] "/"
		# The module a file belongs to: store_sqlite.c -> store_sqlite,
		# test_merkle.c -> merkle.
		mod = part[np]
		sub(/\.[ch]$/, "", mod)
		if (!insrc)
			sub(/^(test|fuzz|bench)_/, "", mod)
		if (insrc && !(layer in rank))
			breach("layer \"" layer "\" is not in the list in scripts/check.sh")
	}
	# Banned functions, outside comments on the same line.
	{
		line = $0
		gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, "", line)
		sub(/\/\/.*/, "", line)
		if (line ~ /^[ \t]*\*/)
			line = ""
		while (match(line, banned_re)) {
			name = substr(line, RSTART, RLENGTH)
			line = substr(line, RSTART + RLENGTH)
			sub(/^[^A-Za-z_]/, "", name)
			sub(/[ \t]*\($/, "", name)
			breach("banned function " name "()" hint[name])
		}
	}
	/^[ \t]*#[ \t]*include[ \t]*</ {
		hdr = $0
		sub(/^[^<]*</, "", hdr)
		sub(/>.*/, "", hdr)
		if (insrc && layer != "crypto" && hdr ~ /^sodium([.\/]|$)/)
			breach("<" hdr "> outside src/crypto/ (only crypto calls libsodium)")
		if (insrc && layer != "store" && (hdr == "sqlite3.h" || hdr == "libpq-fe.h"))
			breach("<" hdr "> outside src/store/ (SQL lives only in the store)")
	}
	/^[ \t]*#[ \t]*include[ \t]*"/ {
		inc = $0
		sub(/^[^"]*"/, "", inc)
		sub(/".*/, "", inc)
		# The directory the header lives in, as a path from the top.
		if (inc ~ /^\.\.\//) {
			rest = inc
			d = dir
			while (rest ~ /^\.\.\//) {
				sub(/^\.\.\//, "", rest)
				if (d == "")
					d = "../"
				else
					sub(/[^\/]*\/$/, "", d)
			}
			path = d rest
		} else if (inc ~ /\//) {
			path = "src/" inc	# -Isrc
		} else {
			path = dir inc
		}
		nq = split(path, q, "/")
		if (insrc) {
			dep = nq > 2 && q[1] == "src" ? q[2] : ""
			if (!(dep in rank))
				breach("includes \"" inc "\", which is not in a layer under src/")
			else if (layer in rank && rank[dep] > rank[layer])
				breach("layer " layer " includes \"" inc "\" from higher layer " dep)
		}
		hmod = q[nq]
		if (hmod ~ /_int\.h$/) {
			sub(/_int\.h$/, "", hmod)
			hdir = path
			sub(/[^\/]*$/, "", hdir)
			same = mod == hmod || index(mod, hmod "_") == 1
			if (!same || (insrc && hdir != dir))
				breach("includes \"" inc "\", the internal header of module " hmod)
		}
	}
	' $src_files >>"$out"
fi

if [ -s "$out" ]; then
	cat "$out"
	echo "check: FAILED, $(grep -c . "$out") breaches"
	exit 1
fi
echo "check: ok - $n_fmt files clang-formatted; $n_src files free of banned functions, include directions respected"
