# Shared by the county tests (sourced after tests/lib.sh and pg.sh): a county
# database in cluster `c` and its stations.
#   county_setup               cluster c, database county, `county init`; sets CDB
#   station_id DIR             the record's station id
#   add_station DIR NAME       registers DIR's station; prints its conninfo
#   json_get FILE KEY          a top-level member of a JSON file
#   sql QUERY                  one value, as the county's superuser

county_setup() {
  pg_start c
  pg_psql c postgres -c "CREATE DATABASE county"
  CDB=$(pg_conninfo c county)
  "$studycast" county init --db "$CDB" > "$W/init.out" || fail "county init failed"
}

station_id() {
  "$studycast" record settings --data-dir "$1" | awk '/station_id/ {print $NF}'
}

add_station() {
  "$studycast" county add-station --db "$CDB" --key "$1/station.pub" \
    --station-id "$(station_id "$1")" --name "$2" --township 城关镇 --json > "$W/$2.add.json" ||
    fail "add-station $2 failed"
  json_get "$W/$2.add.json" conninfo
}

json_get() {
  "$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

sql() {
  pg_psql c county -At -c "$1"
}

# record_events DIR: how many events the station's record holds
record_events() {
  sqlite3 "file:$1/record.sqlite?mode=ro" "SELECT count(*) FROM events"
}
