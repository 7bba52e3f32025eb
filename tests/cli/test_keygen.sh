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

expect "a bad party id is refused, naming --party" 2 "--party 'US_NRRC' is not an id" -- \
	"$P" keygen --party US_NRRC --out "$T/x" --no-passphrase
expect "a bad URL is refused" 2 "--endpoint" -- \
	"$P" keygen --party x --out "$T/x" --endpoint ftp://x --no-passphrase
expect "a bad contact is refused" 2 "5 fields" -- \
	"$P" keygen --party x --out "$T/x" --contact 'duty|desk' --no-passphrase
expect "a bad contact with ':' is refused" 2 "--contact 'duty:desk'" -- \
	"$P" keygen --party x --out "$T/x" --contact 'duty:desk' --no-passphrase
expect "a bad contact role is refused" 2 "ROLE 'Duty Desk' is not an id" -- \
	"$P" keygen --party x --out "$T/x" --contact 'Duty Desk:d:en:24/7:x' --no-passphrase
expect "too many endpoints are refused" 2 "at most 8 endpoints" -- \
	"$P" keygen --party x --out "$T/x" --no-passphrase $(for i in 1 2 3 4 5 6 7 8 9; do
		printf ' --endpoint https://e%d.example' $i; done)
expect "--party twice is refused" 2 "--party given twice" -- \
	"$P" keygen --party x --party y --out "$T/x" --no-passphrase
expect "--no-passphrase with --kdf is refused" 2 "excludes --kdf" -- \
	"$P" keygen --party x --out "$T/x" --no-passphrase --kdf interactive
: >"$T/empty"
expect "an empty passphrase is refused" 1 "passphrase: empty" -- \
	"$P" keygen --party x --out "$T/x" --kdf interactive --passphrase-file "$T/empty"
expect "a missing passphrase file is refused" 1 "passphrase-file $T/none" -- \
	"$P" keygen --party x --out "$T/x" --kdf interactive --passphrase-file "$T/none"
if command -v setsid >/dev/null 2>&1; then
	expect "no passphrase source and no terminal: a clear error" 1 "no terminal to ask on" -- \
		setsid "$P" keygen --party x --out "$T/x" --kdf interactive
fi
expect "an unknown option is refused, naming it" 2 "unknown option '--frob'" -- \
	"$P" keygen --party x --out "$T/x" --frob
expect "an option without its argument is refused" 2 "'--out' needs an argument" -- \
	"$P" keygen --party x --out
expect "bad contact languages are refused" 2 "languages" -- \
	"$P" keygen --party x --out "$T/x" --contact 'duty|desk|e n|24/7|x' --no-passphrase
expect "missing --out is refused" 2 "required" -- "$P" keygen --party x --no-passphrase
expect "an unknown kdf is refused" 2 "--kdf" -- \
	"$P" keygen --party x --out "$T/x" --kdf fast --passphrase-file "$T/pw"
[ ! -e "$T/x" ] && ok "refused keygens created no file" || nok "refused keygens created no file"

# Contacts as the issue writes them: ROLE:NAME:LANGS:HOURS:REACH, REACH taking the rest.
expect "keygen with ':' contacts and two endpoints" 0 "contact      duty: Duty desk \[en,ru\] 24/7; tel:+7 495 000 0000" -- \
	"$P" keygen --party ru-nrrc.alt --out "$T/c.key" --no-passphrase \
	--endpoint https://a.example/p --endpoint http://b.example:8080/p \
	--contact 'duty:Duty desk:en,ru:24/7:tel:+7 495 000 0000' \
	--contact 'admin|Admin|en|Mon-Fri 08:00-18:00 UTC|mailto:admin@example.org'
"$P" key show "$T/c.key" --json >"$T/c.json" 2>"$T/err"
if $PY - "$T/c.json" >>"$T/err" 2>&1 <<'EOF'
import json, re, sys
o = json.load(open(sys.argv[1]))
assert sorted(o) == sorted(["party", "revision", "time", "sign_pk", "box_pk", "endpoints",
                            "contacts", "encrypted", "fingerprint"]), sorted(o)
assert o["party"] == "ru-nrrc.alt" and o["revision"] == 1 and o["encrypted"] is False
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", o["time"]), o["time"]
assert re.fullmatch(r"[0-9a-f]{64}", o["sign_pk"]) and re.fullmatch(r"[0-9a-f]{64}", o["box_pk"])
assert o["endpoints"] == ["https://a.example/p", "http://b.example:8080/p"], o["endpoints"]
assert o["contacts"] == [
    {"role": "duty", "name": "Duty desk", "languages": "en,ru", "hours": "24/7",
     "reach": "tel:+7 495 000 0000"},
    {"role": "admin", "name": "Admin", "languages": "en", "hours": "Mon-Fri 08:00-18:00 UTC",
     "reach": "mailto:admin@example.org"}], o["contacts"]
EOF
then
	ok "--json has every member, endpoints and contacts in order"
else
	nok "--json has every member, endpoints and contacts in order"
fi

# The exported record is the key file's record, byte for byte (offset 78, length at 74).
mode=$(stat -c %a "$T/us.rec" 2>/dev/null)
[ "$mode" = 644 ] && ok "the exported record has mode 644" || { echo "mode $mode" >"$T/err"; nok "the exported record has mode 644"; }
if $PY -c '
import sys
k = open(sys.argv[1], "rb").read(); r = open(sys.argv[2], "rb").read()
n = int.from_bytes(k[74:78], "big")
sys.exit(0 if r == k[78:78 + n] and r.startswith(b"parley-party") else 1)' "$K" "$T/us.rec" 2>"$T/err"; then
	ok "the exported record is the key file's record"
else
	nok "the exported record is the key file's record"
fi
expect "key export refuses to overwrite" 1 "already exists" -- "$P" key export "$K" --out "$T/us.rec"
expect "key export needs --out" 2 "export needs --out" -- "$P" key export "$K"
expect "--json is only for show" 2 "--json is for show only" -- "$P" key check "$K" --json
expect "key without an action" 2 "want an action" -- "$P" key
expect "key with an unknown action" 2 "unknown action 'frob'" -- "$P" key frob "$K"

head -c 50 "$K" >"$T/trunc.key" && chmod 600 "$T/trunc.key"
expect "a truncated key file is refused" 1 "truncated" -- "$P" key show "$T/trunc.key"
cp "$K" "$T/flip.key" && chmod 600 "$T/flip.key"
# Byte 120 lies inside the record (which starts at offset 78).
printf '\377' | dd of="$T/flip.key" bs=1 seek=120 conv=notrunc 2>/dev/null
# (a byte that was 0xff already is changed to 0xfe instead)
cmp -s "$K" "$T/flip.key" && printf '\376' | dd of="$T/flip.key" bs=1 seek=120 conv=notrunc 2>/dev/null
expect "a key file with a flipped record byte is refused" 1 "party record" -- "$P" key show "$T/flip.key"
expect "a missing key file is refused" 1 "No such file" -- "$P" key show "$T/none.key"
# The last byte is in the encrypted secret's tag: show still works, check must refuse.
cp "$K" "$T/tag.key" && chmod 600 "$T/tag.key"
size=$(wc -c <"$K")
printf '\001' | dd of="$T/tag.key" bs=1 seek=$((size - 1)) conv=notrunc 2>/dev/null
cmp -s "$K" "$T/tag.key" && printf '\002' | dd of="$T/tag.key" bs=1 seek=$((size - 1)) conv=notrunc 2>/dev/null
expect "a key file with an altered secret is refused by check" 1 "altered" -- \
	"$P" key check "$T/tag.key" --passphrase-file "$T/pw"
if [ -w /dev/full ]; then
	expect "output that cannot be written is an error" 1 "standard output" -- \
		sh -c '"$1" key show "$2" >/dev/full' sh "$P" "$K"
fi

expect "an unknown command exits 2" 2 "unknown command" -- "$P" frobnicate
for c in keygen key log verify; do
	expect "parley $c --help" 0 "usage: parley $c" -- "$P" "$c" --help
	expect "parley help $c" 0 "usage: parley $c" -- "$P" help "$c"
done
for a in show check export; do
	expect "parley key $a --help" 0 "usage: parley key" -- "$P" key "$a" --help
done
expect "parley --help" 0 "commands:" -- "$P" --help
expect "parley help" 0 "commands:" -- "$P" help
expect "parley with no command exits 2" 2 "usage: parley" -- "$P"
expect "parley --version" 0 "^parley 0.1.0$" -- "$P" --version

exit $failed
