#!/bin/sh
# The province (issue 10): two county clusters and a province cluster. Each
# county's stations sync into their county; the province database (county
# init, then `county subscribe` to each county's publication) receives their
# rows by logical replication; its `county report` covers both counties with
# the same figures as each county's own report and each station's own; a
# later sync into a county streams to the province and is reported there.
# Args: STUDYCAST COUNTY_FLEET WORKDIR
set -eu
SC=$1 FLEET=$2 W=$3
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/county_lib.sh"
need_tools psql
test_workdir
pg_start a
pg_start b
pg_start p
county_db a county
county_db b county
county_db p province
A=$(pg_conninfo a county) B=$(pg_conninfo b county) P=$(pg_conninfo p province)

echo "-- stations sync into their counties"
county_station "$A" "$W/a0" 0 2026-07,2026-08,2026-09 "城关镇学习站" "城关镇"
county_station "$A" "$W/a1" 1 2026-07,2026-08 "东山村学习站" "城关镇"
A1_DB=$STATION_DB
county_station "$B" "$W/b0" 2 2026-07,2026-08,2026-09 "石门村学习站" "石门乡"

echo "-- the province subscribes to both"
"$SC" county subscribe --db "$P" --from "$A" --name county_a --json > "$W/sub_a.json" ||
  fail "subscribe to county a: $(cat "$W/sub_a.json")"
"$SC" county subscribe --db "$P" --from "$B" --name county_b --json > "$W/sub_b.json" ||
  fail "subscribe to county b"
grep -q '"ready": true' "$W/sub_a.json" || fail "county a's first copy not done"
if "$SC" county subscribe --db "$P" --from "$B" --name county_b 2> "$W/again.err"; then
  fail "a second subscription under the same name"
fi
grep -q "already" "$W/again.err" || fail "no message for the repeated subscription"

# caught_up: the province holds as many events as both counties
caught_up() {
  want=$(($(pg_psql a county -At -c "SELECT count(*) FROM studycast.events") +
    $(pg_psql b county -At -c "SELECT count(*) FROM studycast.events")))
  deadline=$(($(date +%s) + 60))
  while :; do
    got=$(pg_psql p province -At -c "SELECT count(*) FROM studycast.events")
    [ "$got" = "$want" ] && [ "$(pg_psql p province -At -c "SELECT count(*) FROM studycast.station_status WHERE last_seq IS NOT NULL")" = 3 ] && return 0
    [ "$(date +%s)" -gt "$deadline" ] && fail "province holds $got events of $want after 60 s"
    sleep 0.3
  done
}
caught_up

echo "-- the province's report covers both counties with their figures"
"$SC" county report --db "$A" --quarter 2026-Q3 --json > "$W/a.json" || fail "county a report"
"$SC" county report --db "$B" --quarter 2026-Q3 --json > "$W/b.json" || fail "county b report"
"$SC" county report --db "$P" --quarter 2026-Q3 --json > "$W/p.json" || fail "province report"
"$python" - "$W/a.json" "$W/b.json" "$W/p.json" << 'PY' || fail "province report differs"
import json, sys
a, b, p = (json.load(open(f)) for f in sys.argv[1:4])
counties = {s["station_id"]: s for s in a["stations"] + b["stations"]}
province = {s["station_id"]: s for s in p["stations"]}
assert len(counties) == 3 and province.keys() == counties.keys(), (province.keys(), counties.keys())
for sid, row in counties.items():
    assert province[sid] == row, (province[sid], row)
for k in ("met", "not_met", "silent", "unverified"):
    assert p["totals"][k] == a["totals"][k] + b["totals"][k], (k, p["totals"])
assert p["totals"]["stations"] == 3 and p["totals"]["unverified"] == 0, p["totals"]
PY
for s in a0 a1 b0; do same_as_station "$W/p.json" "$W/$s" quarter 2026-Q3; done
"$SC" county verify --db "$P" > "$W/verify.txt" || fail "verify on the province: $(cat "$W/verify.txt")"

echo "-- a later sync into county a streams to the province"
"$FLEET" "$W/a1" 1 2026-09 > /dev/null || fail "more sessions at a1"
"$SC" sync --db "$A1_DB" --data-dir "$W/a1" > /dev/null || fail "second sync of a1"
caught_up
"$SC" county report --db "$P" --quarter 2026-Q3 --json > "$W/p2.json" 2> "$W/p2.err" ||
  fail "province report after the stream"
grep -q "deriving 1 station " "$W/p2.err" || fail "expected one station derived: $(cat "$W/p2.err")"
same_as_station "$W/p2.json" "$W/a1" quarter 2026-Q3
echo "test_county_province: OK"
