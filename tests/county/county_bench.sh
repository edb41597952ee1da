#!/bin/sh
# county_bench.sh STUDYCAST RECORD_BENCH WORKDIR [STATIONS]: figures for
# docs/performance.md (not a CI test). STATIONS (default 3) busy township
# years (record_bench year, ~85,000 events each, a station of its own each)
# synced one after the other into one county database with the default
# batches, then `county verify` (every signature and hash), then a plain
# COPY of the same rows into the same table of a second database.
set -eu
studycast=$1 bench=$2 W=$3 stations=${4:-3}
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/lib.sh"
test_workdir
county_setup
now() { date +%s.%N; }
total=0 sync_s=0
for k in $(seq 1 "$stations"); do
  "$bench" year "$W/st$k" > /dev/null
  CS=$(add_station "$W/st$k" "st$k")
  n=$(record_events "$W/st$k")
  t0=$(now)
  "$studycast" sync --db "$CS" --data-dir "$W/st$k" > /dev/null || fail "sync st$k"
  t1=$(now)
  total=$((total + n))
  sync_s=$(echo "$sync_s + $t1 - $t0" | bc -l)
  printf 'station %d: %d events synced in %.2f s\n' "$k" "$n" "$(echo "$t1 - $t0" | bc -l)"
done
printf 'sync: %d events in %.2f s: %.0f events/s\n' "$total" "$sync_s" "$(echo "$total / $sync_s" | bc -l)"
t0=$(now)
"$studycast" county verify --db "$CDB" > /dev/null || fail "verify"
t1=$(now)
printf 'verify: %d events in %.2f s: %.0f events/s\n' "$total" "$(echo "$t1 - $t0" | bc -l)" \
  "$(echo "$total / ($t1 - $t0)" | bc -l)"
# the same rows by COPY into a fresh county database (batches first: every event names its batch)
pg_psql c postgres -c "CREATE DATABASE plain"
"$studycast" county init --db "$(pg_conninfo c plain)" > /dev/null
pg_psql c county -c "\\copy studycast.stations TO '$W/stations.copy'" \
  -c "\\copy studycast.batches TO '$W/batches.copy'" \
  -c "\\copy (SELECT * FROM studycast.events) TO '$W/events.copy'"
pg_psql c plain -c "\\copy studycast.stations FROM '$W/stations.copy'" \
  -c "\\copy studycast.batches FROM '$W/batches.copy'"
t0=$(now)
pg_psql c plain -c "\\copy studycast.events FROM '$W/events.copy'"
t1=$(now)
printf 'COPY: %d events in %.2f s: %.0f events/s\n' "$total" "$(echo "$t1 - $t0" | bc -l)" \
  "$(echo "$total / ($t1 - $t0)" | bc -l)"
