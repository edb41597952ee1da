#!/bin/sh
# A sync cut at any instant loses and duplicates nothing: syncs of a big
# record are SIGKILLed at random instants and the database is restarted
# (pg_ctl restart -m immediate) while batches are in flight; a final sync
# completes it, the county holds seqs 1..N once each and `county verify`
# passes.
# usage: county_kill.sh STUDYCAST RECORD_BENCH WORKDIR
set -eu
studycast=$1 bench=$2 W=$3
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/lib.sh"
need_tools psql sqlite3
test_workdir
county_setup
"$bench" events 40000 "$W/st" off > /dev/null || fail "record_bench"
n=$(record_events "$W/st")
CS=$(add_station "$W/st" st)
S=$(station_id "$W/st")

SLACK=${STUDYCAST_TEST_SLACK:-1} # a slower build (sanitizers) cuts later
# random seconds in [from, from + span) times the slack, with two decimals
rand_s() {
  r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
  awk -v r="$r" -v from="$1" -v span="$2" -v k="$SLACK" \
    'BEGIN { printf "%.2f", k * (from + span * r / 65536) }'
}
held() { sql "SELECT count(*) FROM studycast.events WHERE station_id = '$S'"; }

kills=0 restarts=0 progress=0 prev=0
i=0
while [ $i -lt 12 ] && [ "$(held)" -lt "$n" ]; do
  i=$((i + 1))
  "$studycast" sync --db "$CS" --data-dir "$W/st" --batch 10 > /dev/null 2> "$W/sync.err" &
  pid=$!
  EXTRA_PIDS=$pid
  # the first batches are in: then a random instant in the midst of the others
  while [ "$(held)" -le "$prev" ] && kill -0 $pid 2> /dev/null; do sleep 0.05; done
  sleep "$(rand_s 0 0.1)"
  if [ $((i % 3)) = 0 ]; then
    pg_restart c immediate
    restarts=$((restarts + 1))
    if wait $pid; then :; else
      grep -q "county database" "$W/sync.err" || fail "a restart gave no clear line: $(cat "$W/sync.err")"
    fi
  else
    kill -KILL $pid 2> /dev/null && kills=$((kills + 1))
    wait $pid 2> /dev/null || true
  fi
  EXTRA_PIDS=
  now=$(held)
  [ "$now" -ge "$prev" ] || fail "events went away: $prev then $now"
  [ "$now" -gt "$prev" ] && progress=$((progress + 1))
  prev=$now
done
[ $kills -ge 3 ] && [ $restarts -ge 2 ] || fail "too few cuts: $kills kills, $restarts restarts"
[ $progress -ge 3 ] || fail "the cut syncs made no progress to cut into"
echo "cut $kills times by SIGKILL and $restarts times by a restart; $prev of $n events held"

"$studycast" sync --db "$CS" --data-dir "$W/st" --json > "$W/final.json" || fail "final sync"
[ "$(json_get "$W/final.json" pending)" = 0 ] || fail "pending after the final sync"
echo "the final sync uploaded $(json_get "$W/final.json" uploaded)"
[ "$(sql "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || min(seq) || ' ' || max(seq)
  FROM studycast.events WHERE station_id = '$S'")" = "$n $n 1 $n" ] ||
  fail "not 1..$n once each: $(sql "SELECT count(*), count(DISTINCT seq), max(seq) FROM studycast.events")"
[ "$(sql "SELECT sum(last_seq - first_seq + 1) FROM studycast.batches WHERE station_id = '$S'")" = "$n" ] ||
  fail "batches overlap or leave a gap"
"$studycast" county verify --db "$CDB" > "$W/verify.out" || fail "verify: $(cat "$W/verify.out")"
echo "county_kill: ok"
