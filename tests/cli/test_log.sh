#!/bin/sh
# tests/cli/test_log.sh - parley log end to end: append, checkpoint with the
# party key, proofs that parley verify accepts, and tampering found.  TAP.
set -u
. tests/cli/lib.sh

K="$T/us.key"
DB="$T/log.db"
"$P" keygen --party us-nrrc --out "$K" --no-passphrase >/dev/null 2>&1
i=0
while [ $i -lt 13 ]; do
	printf 'receipt %d\n' $i >"$T/e$i"
	i=$((i + 1))
done

expect "append creates the log" 0 "appended 5 entries at 0..4" -- \
	"$P" log append --db "$DB" "$T/e0" "$T/e1" "$T/e2" "$T/e3" "$T/e4"
expect "append continues" 0 "appended 8 entries at 5..12" -- \
	"$P" log append --db "$DB" "$T/e5" "$T/e6" "$T/e7" "$T/e8" "$T/e9" "$T/e10" "$T/e11" "$T/e12"
expect "size" 0 "^13$" -- "$P" log size --db "$DB"
expect "no checkpoint yet" 1 "none stored yet" -- "$P" log checkpoint --db "$DB"
expect "checkpoint signed with the party key" 0 "^parley.transcript/us-nrrc$" -- \
	"$P" log checkpoint --db "$DB" --key "$K"
expect "the checkpoint has size 13" 0 "^13$" -- "$P" log checkpoint --db "$DB"
"$P" log vkey --key "$K" >"$T/vkey" 2>"$T/err"
grep -q '^parley.transcript/us-nrrc+[0-9a-f]\{8\}+' "$T/vkey" && ok "vkey" || nok "vkey"
VK=$(cat "$T/vkey")
"$P" log checkpoint --db "$DB" >"$T/cp"
expect "parley verify accepts the checkpoint" 0 "PROVEN: parley.transcript/us-nrrc had 13 entries" -- \
	"$P" verify "$T/cp" --log "$VK"
expect "proof of entry 7" 0 "wrote the proof of entry 7" -- "$P" log proof 7 --db "$DB" --out "$T/p7"
expect "parley verify proves entry 7" 0 "PROVEN: entry 7 is in parley.transcript/us-nrrc at size 13" -- \
	"$P" verify "$T/p7" --log "$VK" --entry "$T/e7"
expect "the proof does not prove another entry" 1 "NOT PROVEN" -- \
	"$P" verify "$T/p7" --log "$VK" --entry "$T/e8"
expect "no proof beyond the checkpoint" 1 "not under the latest checkpoint" -- "$P" log proof 13 --db "$DB"
expect "log verify: intact" 0 "intact: 13 entries" -- "$P" log verify --db "$DB" --key "$K"
expect "log verify with a vkey" 0 "intact" -- "$P" log verify --db "$DB" --log "$VK"

# Rewrite history in the database: entry 6 and its leaf hash, consistently.
$PY - "$DB" <<'PYEOF'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
data = b"forged receipt\n"
db.execute("UPDATE leaf SET data = ? WHERE idx = 6", (data,))
# node(0, 6) is slot 6 of tile 0 (the layout in src/store/logstore.c).
(tile,) = db.execute("SELECT hashes FROM tile WHERE id = 0").fetchone()
h = hashlib.sha256(b"\0" + data).digest()
db.execute("UPDATE tile SET hashes = ? WHERE id = 0", (tile[:6 * 32] + h + tile[7 * 32:],))
db.commit()
PYEOF
expect "a rewritten entry is found and located" 1 "level 1 index 3 (entries 6..7) is altered" -- \
	"$P" log verify --db "$DB" --key "$K"
expect "a missing log is refused" 1 "no such log" -- "$P" log size --db "$T/none.db"
expect "unknown action" 2 "unknown action" -- "$P" log frob --db "$DB"
expect "parley log --help" 0 "usage: parley log" -- "$P" log --help
exit $failed
