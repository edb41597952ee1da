# Helpers of the county's report tests (sourced after tests/lib.sh and pg.sh):
#   county_db NAME DB                   create database DB in cluster NAME, county init
#   county_station DB_CONNINFO DIR INDEX MONTHS NAME TOWNSHIP
#                                       make a station's record (county_fleet), register it,
#                                       sync it; sets STATION_ID and STATION_DB
#   same_as_station JSON STATION_DIR KIND PERIOD
#                                       the county report's row for the station equals the
#                                       station's own `record report`
# Uses: SC (studycast), FLEET (county_fleet), W.

county_db() {
  pg_psql "$1" postgres -c "CREATE DATABASE $2" || fail "create database $2"
  "$SC" county init --db "$(pg_conninfo "$1" "$2")" > /dev/null || fail "county init on $1/$2"
}

county_station() {
  STATION_ID=$("$FLEET" "$2" "$3" "$4") || fail "county_fleet $2"
  _type=village
  [ $(($3 % 3)) = 0 ] && _type=township
  "$SC" county add-station --db "$1" --key "$2/station.pub" --station-id "$STATION_ID" \
    --name "$5" --township "$6" --type "$_type" --json > "$2.added.json" ||
    fail "add-station $2"
  STATION_DB=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["conninfo"])' \
    "$2.added.json")
  "$SC" sync --db "$STATION_DB" --data-dir "$2" --json > "$2.sync.json" || fail "sync $2"
}

same_as_station() {
  "$SC" record report "--$3" "$4" --data-dir "$2" --json > "$2.report.json" ||
    fail "record report $2"
  "$python" - "$1" "$2.report.json" "$4" << 'PY' || fail "county report $4 differs from $2's own report"
import json, sys
county = json.load(open(sys.argv[1]))
own = json.load(open(sys.argv[2]))
sid = own["station"]["id"]
rows = [s for s in county["stations"] if s["station_id"] == sid]
assert len(rows) == 1, "station %s not in the county report" % sid
row, req = rows[0], own["requirement"]
want = {
    "sessions": len(own["sessions"]),
    "sessions_held": req["sessions_held"],
    "sessions_required": req["sessions_required"],
    "met": req["met"],
    "members": len(own["members"]),
    "member_seconds": sum(m["seconds"] for m in own["members"]),
    "type": req["station_type"],
    "verified": True,
}
got = {k: row[k] for k in want}
if got != want:
    sys.exit("%s %s: county %s, station %s" % (sid, sys.argv[3], got, want))
assert county["period"] == sys.argv[3]
print("  %s %s: %d sessions, %d held of %d, met %s" % (sid[:8], sys.argv[3], want["sessions"],
      want["sessions_held"], want["sessions_required"], want["met"]))
PY
}
