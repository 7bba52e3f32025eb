#!/bin/sh
# tests/cli/test_keygen.sh - parley keygen and parley key, as a user runs them.
# Prints TAP lines; exits 1 if any case failed.
set -u
. tests/cli/lib.sh
unset PARLEY_PASSPHRASE

printf 'correct horse battery staple\n' >"$T/pw"
printf 'wrong\n' >"$T/bad"
K="$T/us.key"

expect "keygen creates a key file" 0 "fingerprint" -- \
	"$P" keygen --party us-nrrc --out "$K" --endpoint https://nrrc.example/parley \
	--contact 'duty|Duty desk|en,ru|24/7|+1 202 555 0100' --kdf interactive --passphrase-file "$T/pw"
mode=$(stat -c %a "$K" 2>/dev/null)
[ "$mode" = 600 ] && ok "key file has mode 600" || { echo "mode $mode" >"$T/err"; nok "key file has mode 600"; }

expect "key show prints the party" 0 "party        us-nrrc" -- "$P" key show "$K"
fp_text=$("$P" key show "$K" | sed -n 's/^fingerprint  //p')
echo "$fp_text" | grep -Eq '^[0-9a-f]{4}(-[0-9a-f]{4}){7}$' && ok "fingerprint has 8 groups of 4 hex digits" ||
	{ echo "got '$fp_text'" >"$T/err"; nok "fingerprint has 8 groups of 4 hex digits"; }
fp_json=$("$P" key show "$K" --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["fingerprint"])' 2>"$T/err")
[ -n "$fp_json" ] && [ "$fp_json" = "$fp_text" ] && ok "--json parses and agrees with the text" ||
	nok "--json parses and agrees with the text"
expect "key show says the secret is locked" 0 "locked with a passphrase" -- "$P" key show "$K"
expect "keygen refuses to overwrite" 1 "already exists" -- \
	"$P" keygen --party us-nrrc --out "$K" --no-passphrase
expect "key check with the right passphrase" 0 "unlock and match" -- \
	"$P" key check "$K" --passphrase-file "$T/pw"
expect "key check with a wrong passphrase" 1 "wrong passphrase" -- \
	"$P" key check "$K" --passphrase-file "$T/bad"
PARLEY_PASSPHRASE='correct horse battery staple' \
	expect "passphrase from PARLEY_PASSPHRASE" 0 "unlock and match" -- "$P" key check "$K"
expect "key export writes the record" 0 "wrote the signed record" -- "$P" key export "$K" --out "$T/us.rec"
cp "$K" "$T/open.key" && chmod 644 "$T/open.key"
expect "a key file readable by others is refused" 1 "chmod 600" -- "$P" key show "$T/open.key"

expect "keygen --no-passphrase" 0 "NOT encrypted" -- \
	"$P" keygen --party ru-nrrc --out "$T/ru.key" --no-passphrase
expect "key show of an unencrypted file says so" 0 "NOT encrypted" -- "$P" key show "$T/ru.key"
expect "key check of an unencrypted file" 0 "unlock and match" -- "$P" key check "$T/ru.key"

expect "a bad party id is refused" 2 "is not an id" -- \
	"$P" keygen --party US_NRRC --out "$T/x" --no-passphrase
expect "a bad URL is refused" 2 "--endpoint" -- \
	"$P" keygen --party x --out "$T/x" --endpoint ftp://x --no-passphrase
expect "a bad contact is refused" 2 "5 fields" -- \
	"$P" keygen --party x --out "$T/x" --contact 'duty|desk' --no-passphrase
expect "bad contact languages are refused" 2 "languages" -- \
	"$P" keygen --party x --out "$T/x" --contact 'duty|desk|e n|24/7|x' --no-passphrase
expect "missing --out is refused" 2 "required" -- "$P" keygen --party x --no-passphrase
expect "an unknown kdf is refused" 2 "--kdf" -- \
	"$P" keygen --party x --out "$T/x" --kdf fast --passphrase-file "$T/pw"
[ ! -e "$T/x" ] && ok "refused keygens created no file" || nok "refused keygens created no file"

head -c 50 "$K" >"$T/trunc.key" && chmod 600 "$T/trunc.key"
expect "a truncated key file is refused" 1 "truncated" -- "$P" key show "$T/trunc.key"
cp "$K" "$T/flip.key" && chmod 600 "$T/flip.key"
# Byte 120 lies inside the record (which starts at offset 78).
printf '\377' | dd of="$T/flip.key" bs=1 seek=120 conv=notrunc 2>/dev/null
expect "a key file with a flipped record byte is refused" 1 "party record" -- "$P" key show "$T/flip.key"
expect "a missing key file is refused" 1 "No such file" -- "$P" key show "$T/none.key"

expect "an unknown command exits 2" 2 "unknown command" -- "$P" frobnicate
for c in keygen key; do
	expect "parley $c --help" 0 "usage: parley $c" -- "$P" "$c" --help
done
expect "parley --help" 0 "commands:" -- "$P" --help
expect "parley --version" 0 "parley 0" -- "$P" --version

exit $failed
