#!/bin/sh
# The county report's figures for docs/performance.md (section "County
# report"); not in CI (minutes to an hour on the 2-core build machine):
#   sh tests/county/county_report_bench.sh BUILD_DIR WORK_DIR [BUSY=100] [FLEET=100] [TOTAL=1000]
# (tests/county/county_bench.sh is the ingest benchmark of its own.)
# 1. Ingest: BUSY stations, each a busy township's year (record_bench year:
#    60 members, 96 sessions, ~85,000 events), synced by `studycast sync`
#    (signed batches; the county checks nothing at upload: signatures and the
#    chain are checked by `county verify`, timed too), half one station at a
#    time and half two at once; against a plain COPY of the same rows into
#    the same table of a second county database.
# 2. Report: FLEET more stations of a quarter each (county_fleet, MONTHS:
#    2025-07,2025-08,2025-09 unless told), synced; `county report --quarter
#    2025-Q3`: the first run derives every station (the first refresh). Then
#    SQL copies of those stations (caches included) up to TOTAL stations, and
#    warm runs. BUSY=0 skips part 1.
# The cluster runs with fsync on (pg.sh turns it off for the tests).
set -eu
BUILD=$(cd "$1" && pwd) W=$2 BUSY=${3:-100} FLEET=${4:-100} TOTAL=${5:-1000}
MONTHS=${MONTHS:-2025-07,2025-08,2025-09}
SC=$BUILD/studycast
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/pg.sh"
mkdir -p "$W"
W=$(cd "$W" && pwd)
log() { echo "$*" | tee -a "$W/results.txt"; }
now() { date +%s.%N; }
elapsed() { "$python" -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

pg_start bench
pg_psql bench postgres -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET full_page_writes = on" \
  -c "ALTER SYSTEM SET shared_buffers = '512MB'" -c "ALTER SYSTEM SET max_wal_size = '4GB'"
pg_restart bench
pg_psql bench postgres -c "CREATE DATABASE county" -c "CREATE DATABASE plain"
DB=$(pg_conninfo bench county)
"$SC" county init --db "$DB" > /dev/null
"$SC" county init --db "$(pg_conninfo bench plain)" > /dev/null
log "county bench $(date -u +%FT%TZ): $BUSY busy stations, $FLEET stations ($MONTHS), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# register DIR INDEX TYPE: add-station, the station's conninfo in DIR.conninfo
register() {
  id=$(sqlite3 "$1/record.sqlite" "SELECT json_extract(payload, '\$.station_id') FROM events WHERE type = 'station_created'")
  "$SC" county add-station --db "$DB" --key "$1/station.pub" --station-id "$id" \
    --name "站$2" --township "乡镇$(($2 % 20))" --type "$3" --json > "$1.added.json"
  "$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["conninfo"])' "$1.added.json" > "$1.conninfo"
}

if [ "$BUSY" -gt 0 ]; then
echo "-- making $BUSY busy years"
t0=$(now)
seq 0 $((BUSY - 1)) | xargs -P 2 -I{} sh -c \
  "[ -f '$W/busy{}/record.sqlite' ] || '$BUILD/tests/record/record_bench' year '$W/busy{}' > /dev/null"
log "generated $BUSY busy years in $(elapsed "$t0" "$(now)") s"
for i in $(seq 0 $((BUSY - 1))); do register "$W/busy$i" "$i" township; done

echo "-- ingest"
half=$((BUSY / 2))
t0=$(now)
for i in $(seq 0 $((half - 1))); do
  "$SC" sync --db "$(cat "$W/busy$i.conninfo")" --data-dir "$W/busy$i" > /dev/null
done
t1=$(now)
seq $half $((BUSY - 1)) | xargs -P 2 -I{} sh -c \
  "'$SC' sync --db \"\$(cat '$W/busy{}.conninfo')\" --data-dir '$W/busy{}' > /dev/null"
t2=$(now)
n1=$(pg_psql bench county -At -c "SELECT count(*) FROM studycast.events WHERE station_id IN (SELECT station_id FROM studycast.stations WHERE name IN ($(seq -s, 0 $((half - 1)) | sed "s/\([0-9]*\)/'站\1'/g")))")
nall=$(pg_psql bench county -At -c "SELECT count(*) FROM studycast.events")
s1=$(elapsed "$t0" "$t1") s2=$(elapsed "$t1" "$t2")
log "sync, one station at a time: $n1 events in $s1 s: $("$python" -c "print(round($n1/$s1))") events/s"
log "sync, two stations at once:  $((nall - n1)) events in $s2 s: $("$python" -c "print(round(($nall-$n1)/$s2))") events/s"
t0=$(now)
"$SC" county verify --db "$DB" > /dev/null
t1=$(now)
s=$(elapsed "$t0" "$t1")
log "county verify (signatures, chain, gaps) of $nall events: $s s: $("$python" -c "print(round($nall/$s))") events/s"

echo "-- plain COPY of the same rows"
pg_psql bench county -c "\\copy studycast.stations TO '$W/stations.copy'" \
  -c "\\copy studycast.batches TO '$W/batches.copy'" \
  -c "\\copy (SELECT * FROM studycast.events) TO '$W/events.copy'"
pg_psql bench plain -c "\\copy studycast.stations FROM '$W/stations.copy'" \
  -c "\\copy studycast.batches FROM '$W/batches.copy'"
t0=$(now)
pg_psql bench plain -c "\\copy studycast.events FROM '$W/events.copy'"
t1=$(now)
s=$(elapsed "$t0" "$t1")
log "plain COPY of the same $nall rows into studycast.events: $s s: $("$python" -c "print(round($nall/$s))") events/s"
rm -f "$W/events.copy"
pg_psql bench postgres -c "DROP DATABASE plain"
fi

echo "-- making $FLEET stations with sessions in $MONTHS"
t0=$(now)
seq 0 $((FLEET - 1)) | xargs -P 2 -I{} sh -c \
  "[ -f '$W/q{}/record.sqlite' ] || '$BUILD/tests/county/county_fleet' '$W/q{}' {} $MONTHS > /dev/null"
log "generated $FLEET stations ($MONTHS) in $(elapsed "$t0" "$(now)") s"
for i in $(seq 0 $((FLEET - 1))); do
  type=village
  [ $((i % 3)) = 0 ] && type=township
  register "$W/q$i" "$((BUSY + i))" "$type"
done
before=$(pg_psql bench county -At -c "SELECT count(*) FROM studycast.events")
t0=$(now)
seq 0 $((FLEET - 1)) | xargs -P 2 -I{} sh -c \
  "'$SC' sync --db \"\$(cat '$W/q{}.conninfo')\" --data-dir '$W/q{}' > /dev/null"
t1=$(now)
nq=$(($(pg_psql bench county -At -c "SELECT count(*) FROM studycast.events") - before))
log "sync of $FLEET stations ($MONTHS), two at once: $nq events in $(elapsed "$t0" "$t1") s"

echo "-- report: the first refresh"
stations=$(pg_psql bench county -At -c "SELECT count(*) FROM studycast.stations")
total=$(pg_psql bench county -At -c "SELECT count(*) FROM studycast.events")
t0=$(now)
"$SC" county report --db "$DB" --quarter 2025-Q3 --json > "$W/report-first.json" 2> /dev/null || true
t1=$(now)
log "county report --quarter over $stations stations ($total events), first run deriving every station: $(elapsed "$t0" "$t1") s"
pg_psql bench county -At -c "SELECT 'derivation per station (verify, read, derive, store): ' || coalesce('busy year ' || round(avg(seconds) FILTER (WHERE events > 50000)::numeric, 2) || ' s, ', '') || 'quarter station (' || round(avg(events) FILTER (WHERE events < 50000)) || ' events) ' || round(avg(seconds) FILTER (WHERE events < 50000)::numeric, 2) || ' s' FROM studycast.derived_state" | tee -a "$W/results.txt"

# The warm report reads the caches, the stations and their batches' highest
# seq, never the events: the stations up to TOTAL are SQL copies of the
# quarter stations (other ids and keys, their batches and caches copied, no
# events), which the report treats as derived and unchanged.
echo "-- report: warm caches over $TOTAL stations"
pg_psql bench county -c "
SET session_replication_role = replica;
CREATE TEMP TABLE originals AS SELECT s.station_id, row_number() OVER (ORDER BY s.station_id) AS k
  FROM studycast.stations s JOIN studycast.derived_state d USING (station_id) WHERE d.events < 50000;
CREATE TEMP TABLE copies AS SELECT o.station_id AS original, o.station_id || '-c' || n AS station_id
  FROM originals o, generate_series(1, ($TOTAL - $stations) / (SELECT count(*) FROM originals) + 1) n
  ORDER BY n, o.k LIMIT $TOTAL - $stations;
INSERT INTO studycast.stations SELECT c.station_id,
  decode(md5(random()::text) || md5(random()::text), 'hex'), s.name || c.station_id, s.township,
  s.type, s.role_name || substr(c.station_id, 37), s.registered_at
  FROM copies c JOIN studycast.stations s ON s.station_id = c.original;
INSERT INTO studycast.batches SELECT c.station_id, first_seq, last_seq, month, prev_hash, last_hash,
  signature, source, evidence, received_at FROM copies c JOIN studycast.batches b ON b.station_id = c.original;
INSERT INTO studycast.station_status SELECT c.station_id, last_seen, version, name, type, playing, next,
  free_disk_bytes, record_check_ok, record_check_message, pending, last_seq
  FROM copies c JOIN studycast.station_status t ON t.station_id = c.original;
INSERT INTO studycast.derived_state SELECT c.station_id, through_seq, events, verified, problems,
  station_type, required_each_month, members, last_received, derived_at, seconds
  FROM copies c JOIN studycast.derived_state d ON d.station_id = c.original;
INSERT INTO studycast.derived_months SELECT c.station_id, month, events, sessions, sessions_held,
  sessions_required, met, member_seconds FROM copies c JOIN studycast.derived_months m ON m.station_id = c.original;
ANALYZE;" > /dev/null
stations=$(pg_psql bench county -At -c "SELECT count(*) FROM studycast.stations")
for run in 1 2 3 4 5; do
  t0=$(now)
  "$SC" county report --db "$DB" --quarter 2025-Q3 --json > "$W/report-warm.json" 2> "$W/report-warm.err"
  t1=$(now)
  grep -q deriving "$W/report-warm.err" && fail "the warm report derived: $(cat "$W/report-warm.err")"
  log "county report --quarter over $stations stations, warm caches, run $run: $(elapsed "$t0" "$t1") s"
done
t0=$(now)
"$SC" county report --db "$DB" --quarter 2025-Q3 --pdf "$W/report.pdf" --csv "$W/report.csv" > /dev/null
log "the same with --pdf and --csv: $(elapsed "$t0" "$(now)") s ($(pdfinfo "$W/report.pdf" 2> /dev/null | sed -n 's/Pages: *//p') pages)"
t0=$(now)
"$SC" county stations --db "$DB" --json > /dev/null
log "county stations over $stations stations: $(elapsed "$t0" "$(now)") s"
log "database size: $(pg_psql bench county -At -c "SELECT pg_size_pretty(pg_database_size('county'))"), load $(cut -d' ' -f1-3 /proc/loadavg)"
