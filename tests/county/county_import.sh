#!/bin/sh
# USB exports into the county: verified against the registered key before
# anything is stored (an altered export or an unregistered station's stores
# nothing), and the same events arriving by USB and by sync are stored once,
# in either order; `county verify` rechecks an import's manifest signature and
# events.tsv from the rows, so an edit there is found too. add-station takes
# an export folder as the key (its manifest names the station).
# usage: county_import.sh STUDYCAST RECORD_FIXTURE WORKDIR
set -eu
studycast=$1 fixture=$2 W=$3
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/lib.sh"
need_tools psql sqlite3
test_workdir
county_setup
for s in a b c; do "$fixture" "$W/$s" > /dev/null || fail "fixture $s"; done
A=$(station_id "$W/a") B=$(station_id "$W/b") C=$(station_id "$W/c")
n=$(record_events "$W/a")
for s in a b c; do
  "$studycast" record export --out "$W/usb-$s" --from 2026-11-01 --to 2026-11-30 --format csv \
    --data-dir "$W/$s" > /dev/null || fail "export $s"
done
range() { "$python" -c 'import json, sys; c = json.load(open(sys.argv[1]))["chain"];
print(c["last_seq"] - c["first_seq"] + 1)' "$1/manifest.json"; }
m=$(range "$W/usb-a")
held() { sql "SELECT count(*) || ' ' || count(DISTINCT seq) FROM studycast.events WHERE station_id = '$1'"; }

# an unregistered station's export: refused
"$studycast" county import "$W/usb-a" --db "$CDB" 2> "$W/err" && fail "imported an unregistered station"
grep -q "station $A is not registered" "$W/err" || fail "$(cat "$W/err")"

# add-station with the export folder as the key: the manifest names the station
"$studycast" county add-station --db "$CDB" --key "$W/usb-c" --name c --township t --json \
  > "$W/c.add.json" || fail "add-station from an export"
[ "$(json_get "$W/c.add.json" station_id)" = "$C" ] || fail "the export's station id"
CA=$(add_station "$W/a" a) CB=$(add_station "$W/b" b)

# an altered export: every problem listed, nothing stored
cp -r "$W/usb-a" "$W/bad"
sed -i '5s/member_checked_in/member_checked_iN/' "$W/bad/events.tsv"
cmp -s "$W/bad/events.tsv" "$W/usb-a/events.tsv" && fail "events.tsv not altered"
"$studycast" county import "$W/bad" --db "$CDB" > "$W/out" 2> "$W/err" && fail "imported an altered export"
grep -q "failed verification against station $A's registered key: nothing imported" "$W/err" ||
  fail "$(cat "$W/err")"
grep -q "events.tsv was altered" "$W/err" || fail "the problem is not listed: $(cat "$W/err")"
[ "$(held "$A")" = "0 0" ] || fail "an altered export stored rows"
# another station's export under a's name: not the registered key
"$python" - "$W/usb-b/manifest.json" "$A" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m["station_id"] = sys.argv[2]
open(sys.argv[1] + ".a", "w").write(json.dumps(m))
PY
cp -r "$W/usb-b" "$W/forged" && mv "$W/forged/manifest.json.a" "$W/forged/manifest.json"
rm -f "$W/usb-b/manifest.json.a"
"$studycast" county import "$W/forged" --db "$CDB" 2> /dev/null && fail "imported a forged export"
[ "$(held "$A")" = "0 0" ] || fail "a forged export stored rows"

# 1. a: USB first, then sync uploads only the rest
"$studycast" county import "$W/usb-a" --db "$CDB" --json > "$W/i1.json" || fail "import a"
[ "$(json_get "$W/i1.json" stored)" = "$m" ] || fail "import stored $(cat "$W/i1.json"), not $m"
"$studycast" county import "$W/usb-a" --db "$CDB" --json > "$W/i2.json" || fail "import a again"
[ "$(json_get "$W/i2.json" stored) $(json_get "$W/i2.json" already)" = "0 $m" ] ||
  fail "a second import: $(cat "$W/i2.json")"
"$studycast" sync --db "$CA" --data-dir "$W/a" --json > "$W/s1.json" || fail "sync a"
[ "$(json_get "$W/s1.json" uploaded)" = $((n - m)) ] || fail "sync after import: $(cat "$W/s1.json")"
[ "$(held "$A")" = "$n $n" ] || fail "a: $(held "$A"), not $n once each"

# 2. b: sync first, then the import stores nothing new
"$studycast" sync --db "$CB" --data-dir "$W/b" > /dev/null || fail "sync b"
"$studycast" county import "$W/usb-b" --db "$CDB" --json > "$W/i3.json" || fail "import b"
[ "$(json_get "$W/i3.json" stored) $(json_get "$W/i3.json" already)" = "0 $(range "$W/usb-b")" ] ||
  fail "import after sync: $(cat "$W/i3.json")"
[ "$(held "$B")" = "$n $n" ] || fail "b: $(held "$B")"
[ "$(sql "SELECT count(*) FROM studycast.batches WHERE source = 'usb' AND station_id = '$A'")" -ge 1 ] ||
  fail "no usb batch"
"$studycast" county verify --db "$CDB" > "$W/v1.out" || fail "verify: $(cat "$W/v1.out")"

# 3. an edit inside the imported range: the export's manifest no longer matches the rows
seq=$(sql "SELECT first_seq + 3 FROM studycast.batches WHERE source = 'usb' AND station_id = '$A'
  ORDER BY first_seq LIMIT 1")
pg_psql c county -c "SET session_replication_role = replica;
  UPDATE studycast.events SET utc_ns = utc_ns + 1 WHERE station_id = '$A' AND seq = $seq"
"$studycast" county verify --db "$CDB" --json > "$W/v2.json" && fail "verify missed the edit"
"$python" - "$W/v2.json" "$A" "$seq" <<'PY'
import json, sys
v = {s["station_id"]: s for s in json.load(open(sys.argv[1]))["stations"]}
a = v[sys.argv[2]]
assert not a["ok"], a
assert any("event %s " % sys.argv[3] in p and "edited" in p for p in a["problems"]), a
assert any("(usb)" in p and "events.tsv the export signed" in p for p in a["problems"]), a
assert all(s["ok"] for k, s in v.items() if k != sys.argv[2]), v
PY
echo "county_import: ok"
