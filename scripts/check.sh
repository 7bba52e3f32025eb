#!/bin/sh
# make check: formatting, banned functions, and the direction of includes
# between layers (docs/architecture.md).  Prints every breach as file:line.
set -u
fail=0

# 1. clang-format in diff mode on every tracked C file.
files=$(git ls-files '*.c' '*.h')
for f in $files; do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "$f: not clang-formatted (run: make format)"
		fail=1
	fi
done

# 2. Banned functions (curl's checksrc list, extended).
banned='\b(sprintf|vsprintf|strcpy|strcat|strncat|strncpy|gets|atoi|atol|strtok)[[:space:]]*\('
hits=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c' | xargs grep -nE "$banned" 2>/dev/null)
if [ -n "$hits" ]; then
	echo "$hits" | sed 's/$/   <- banned function/'
	fail=1
fi

# 3. Include direction: a layer includes only its own and lower layers.
rank() {
	case $1 in
	common) echo 0 ;; crypto) echo 1 ;; wire) echo 2 ;; tlog) echo 3 ;;
	store) echo 4 ;; core) echo 5 ;; api) echo 6 ;; sync) echo 7 ;;
	parleyd) echo 8 ;; cli) echo 9 ;; *) echo 99 ;;
	esac
}
for f in $(git ls-files 'src/*.c' 'src/*.h'); do
	layer=$(echo "$f" | cut -d/ -f2)
	mine=$(rank "$layer")
	grep -n '^#include "' "$f" | while IFS= read -r line; do
		n=${line%%:*}
		inc=$(echo "$line" | sed 's/.*#include "\(.*\)".*/\1/')
		case $inc in
		../*/*) dep=$(echo "$inc" | cut -d/ -f2) ;;
		*/*) dep=$(echo "$inc" | cut -d/ -f1) ;;
		*) dep=$layer ;;
		esac
		case $inc in *_int.h)
			[ "$dep" = "$layer" ] || echo "$f:$n: includes another module's internal header $inc" ;;
		esac
		if [ "$(rank "$dep")" -gt "$mine" ]; then
			echo "$f:$n: layer $layer includes $inc from higher layer $dep"
		fi
	done
	case $layer in crypto) ;; *)
		grep -n '#include <sodium' "$f" | sed "s|^|$f:|; s|$|   <- libsodium outside src/crypto|" ;;
	esac
	case $layer in store) ;; *)
		grep -nE '#include <(sqlite3|libpq-fe)\.h>' "$f" | sed "s|^|$f:|; s|$|   <- SQL outside src/store|" ;;
	esac
done >/tmp/parley-check.$$
if [ -s /tmp/parley-check.$$ ]; then
	cat /tmp/parley-check.$$
	fail=1
fi
rm -f /tmp/parley-check.$$

if [ $fail -ne 0 ]; then
	echo "check: FAILED"
	exit 1
fi
echo "check: $(echo "$files" | wc -w) files formatted, no banned functions, layers respected"
