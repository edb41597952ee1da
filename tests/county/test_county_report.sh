#!/bin/sh
# county report and county stations against a real PostgreSQL cluster (issue
# 10): three stations' records (a township, two villages; sessions of
# different lengths; one silent in September) synced into the county, and a
# fourth registered that never sent anything. The report's figures equal
# each station's own `record report` for a month and a quarter (one
# derivation: the county runs the record's code over its rows); a new sync
# re-derives that station only; --township, --csv (formulas neutralised) and
# --pdf; an event edited by a superuser makes `county verify` fail and the
# report and `county stations` mark that station unverified.
# Args: STUDYCAST COUNTY_FLEET WORKDIR
set -eu
SC=$1 FLEET=$2 W=$3
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/county_lib.sh"
need_tools psql pdftotext
test_workdir
pg_start c
county_db c county
DB=$(pg_conninfo c county)

echo "-- three stations synced, one registered only"
county_station "$DB" "$W/s0" 0 2026-07,2026-08,2026-09 "城关镇学习站" "城关镇"
county_station "$DB" "$W/s1" 1 2026-07,2026-08 "东山村学习站" "城关镇"
S1=$STATION_ID S1_DB=$STATION_DB
county_station "$DB" "$W/s2" 2 2026-07,2026-08,2026-09 "龙井村学习站" "龙井乡"
S2=$STATION_ID S2_DB=$STATION_DB
KEY=$("$python" -c 'import os; print(os.urandom(32).hex())')
"$SC" county add-station --db "$DB" --key "$KEY" --station-id silent-station \
  --name "=HYPERLINK(\"x\")站" --township "龙井乡" > /dev/null || fail "add-station silent"

echo "-- the report equals each station's own, for a quarter and a month"
"$SC" county report --db "$DB" --quarter 2026-Q3 --json > "$W/q3.json" 2> "$W/q3.err" ||
  fail "county report --quarter: $(cat "$W/q3.err")"
grep -q "deriving 4 stations" "$W/q3.err" || fail "the first report did not derive the 4 stations"
for s in s0 s1 s2; do same_as_station "$W/q3.json" "$W/$s" quarter 2026-Q3; done
"$SC" county report --db "$DB" --month 2026-09 --json > "$W/m9.json" || fail "county report --month"
for s in s0 s1 s2; do same_as_station "$W/m9.json" "$W/$s" month 2026-09; done
"$python" - "$W/q3.json" "$W/m9.json" << 'PY' || fail "silent station or totals wrong"
import json, sys
q, m = (json.load(open(p)) for p in sys.argv[1:3])
silent = [s for s in q["stations"] if s["station_id"] == "silent-station"][0]
assert (silent["sessions"], silent["sessions_required"], silent["met"], silent["silent"],
        silent["last_seen"], silent["verified"]) == (0, 9, False, True, None, True), silent
t = q["totals"]
assert t["stations"] == 4 and t["met"] + t["not_met"] == 4 and t["silent"] == 1, t
assert t["unverified"] == 0 and t["met"] == sum(s["met"] for s in q["stations"]), t
# s1 sent nothing in September: silent that month, not over the quarter
s1 = [s for s in m["stations"] if s["name"] == "东山村学习站"][0]
assert s1["silent"] and s1["sessions_required"] == 3 and not s1["met"], s1
assert m["totals"]["silent"] == 2, m["totals"]
assert [s["township"] for s in q["stations"]] == sorted(s["township"] for s in q["stations"])
PY

echo "-- warm caches: nothing derived; --township filters"
"$SC" county report --db "$DB" --quarter 2026-Q3 --township 龙井乡 --json > "$W/lj.json" \
  2> "$W/lj.err" || fail "report --township"
! grep -q deriving "$W/lj.err" || fail "a report with warm caches derived again"
"$python" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert sorted(s["township"] for s in d["stations"]) == ["龙井乡"]*2, d' \
  "$W/lj.json" || fail "--township"

echo "-- a new sync re-derives that station only, and it still equals its own report"
"$FLEET" "$W/s2" 2 2026-09 > /dev/null || fail "more sessions at s2"
"$SC" sync --db "$S2_DB" --data-dir "$W/s2" > /dev/null || fail "second sync of s2"
"$SC" county report --db "$DB" --quarter 2026-Q3 --json > "$W/q3b.json" 2> "$W/q3b.err" ||
  fail "report after the new sync"
grep -q "deriving 1 station " "$W/q3b.err" || fail "expected one station derived: $(cat "$W/q3b.err")"
same_as_station "$W/q3b.json" "$W/s2" quarter 2026-Q3

echo "-- CSV (formulas neutralised) and the inspection sheet"
"$SC" county report --db "$DB" --quarter 2026-Q3 --csv "$W/q3.csv" --pdf "$W/q3.pdf" \
  > "$W/q3.txt" || fail "report --csv --pdf"
grep -q "龙井村学习站" "$W/q3.txt" || fail "the table lacks a station"
head -c 3 "$W/q3.csv" | od -An -tx1 | grep -q "ef bb bf" || fail "CSV without BOM"
grep -q "\"'=HYPERLINK(\"\"x\"\")站\"" "$W/q3.csv" || fail "CSV formula not neutralised: $(cat "$W/q3.csv")"
[ "$(grep -c . "$W/q3.csv")" = 5 ] || fail "CSV rows"
pdftotext "$W/q3.pdf" "$W/q3.pdf.txt" || fail "pdftotext"
for word in 学习站点检查表 2026年第3季度 城关镇 龙井乡 龙井村学习站 未达标 静默; do
  grep -q "$word" "$W/q3.pdf.txt" || fail "the sheet lacks '$word'"
done

echo "-- an event edited by a superuser: verify fails, the station is unverified"
# (the append-only trigger refuses it; a superuser turns triggers off)
pg_psql c county -c "SET session_replication_role = replica;
  UPDATE studycast.events SET payload = '{\"member\":\"009\"}'
  WHERE station_id = '$S1' AND type = 'member_checked_out' AND seq = (SELECT min(seq)
  FROM studycast.events WHERE station_id = '$S1' AND type = 'member_checked_out')" ||
  fail "superuser edit"
if "$SC" county verify --db "$DB" > "$W/verify.txt" 2>&1; then fail "verify passed an edit"; fi
if "$SC" county report --db "$DB" --quarter 2026-Q3 --json --pdf "$W/q3c.pdf" > "$W/q3c.json" \
  2> "$W/q3c.err"; then
  fail "report exit 0 with an unverified station"
fi
grep -q "1 station unverified" "$W/q3c.err" || fail "no unverified line: $(cat "$W/q3c.err")"
pdftotext "$W/q3c.pdf" - | grep -q "未通过核验" || fail "the sheet does not mark the unverified station"
"$SC" county stations --db "$DB" --json > "$W/stations.json" || fail "county stations"
"$python" - "$W/q3c.json" "$W/stations.json" "$S1" << 'PY' || fail "unverified station not marked"
import json, sys
q, st, s1 = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
row = [s for s in q["stations"] if s["station_id"] == s1][0]
assert row["verified"] is False and row["problem"], row
assert q["totals"]["unverified"] == 1 and q["totals"]["met"] + q["totals"]["not_met"] == 3, q["totals"]
fleet = {s["station_id"]: s for s in st["stations"]}
assert fleet[s1]["verified"] is False, fleet[s1]
silent = fleet["silent-station"]
assert silent["silent"] and silent["last_seen"] is None and silent["pending"] is None, silent
for s in fleet.values():
    if s["station_id"] in ("silent-station", s1):
        continue
    assert not s["silent"] and s["verified"] and s["pending"] == 0 and s["version"], s
    assert s["record_check"]["ok"] is True, s
assert st["totals"] == {"stations": 4, "silent": 1, "record_check_failing": 0, "unverified": 1}, st["totals"]
PY
"$SC" county stations --db "$DB" > "$W/stations.txt" || fail "county stations table"
grep -q "SILENT" "$W/stations.txt" || fail "stations table lacks SILENT"

echo "-- a bad period is a usage error"
set +e
"$SC" county report --db "$DB" --quarter 2026-Q5 > /dev/null 2> "$W/bad.err"
[ $? = 2 ] || fail "--quarter 2026-Q5 not exit 2"
set -e
grep -q "not a quarter" "$W/bad.err" || fail "bad period message: $(cat "$W/bad.err")"
echo "test_county_report: OK"
