#!/bin/sh
# The broadcast clock at idle: a station whose system clock is off (here the
# broadcast runs OFFSET s ahead of it) learns the time from its stream while
# nothing plays. The stream arrives over real UDP on 127.0.0.1 (ffmpeg at its
# rate, si_relay.py adding TDT/TOT); the kiosk's station stream is set with
# --source and the only schedule entry is tomorrow's, so no course tunes in.
#  - on HOME the status says clock_source "broadcast" and `now` reads the
#    broadcast time, the screen staying HOME (the scan is in the background);
#  - the clock scan stops once it has the time (the log says so);
#  - a course then planned by broadcast time starts at that time (by the
#    system clock it would start OFFSET s later);
#  - the record's session events carry clock_source broadcast.
# usage: kiosk_idle_clock.sh STUDYCAST WORKDIR
set -eu
S=$1
W=$2
. "$(dirname "$0")/lib.sh"
test_workdir data

OFFSET=75 # broadcast time - system time, s
LEAD=25   # the course starts this long after the time was learned (broadcast time)
IN_PORT=$(free_port)
PORT=$(free_port)
make_fixture "$W/stream.ts" 240
make_fixture "$W/course.ts" 60

python3 "$(dirname "$0")/si_relay.py" "$IN_PORT" "$PORT" --clock-offset "$OFFSET" \
  --service "1:乡村教育频道:县农业局" > "$W/relay.log" 2>&1 &
RELAY_PID=$!
ffmpeg -loglevel error -re -i "$W/stream.ts" -c copy -f mpegts \
  "udp://127.0.0.1:$IN_PORT?pkt_size=1316" > "$W/sender.log" 2>&1 &
SENDER_PID=$!

roster_csv "$W/roster.csv"
"$S" members import "$W/roster.csv" --data-dir "$W/data" > /dev/null || fail "import"
# tomorrow's live course: a real station, not the demo; nothing tunes in today
"$S" schedule add --title "明天的直播" --source "service:1" --start "$(local_time +86400)" \
  --duration 60 --data-dir "$W/data" > /dev/null || fail "schedule add"

kiosk_start "$W/data" --source "udp://127.0.0.1:$PORT"
expect screen home
wait_for clock_source broadcast 20
expect screen home
# the kiosk's clock is the broadcast's, not the system's
python3 - "$(field now)" "$OFFSET" <<'PY' || fail "the station clock does not follow the broadcast"
import datetime, sys, time
now = datetime.datetime.fromisoformat(sys.argv[1]).timestamp()
diff = now - time.time()
assert abs(diff - int(sys.argv[2])) <= 3, diff
print("station clock - system clock at idle: %.0f s" % diff)
PY
grep -q "clock scan: broadcast time learned" "$W/kiosk.log" || fail "no 'time learned' in the log"
grep -q "clock scan: stopped (time learned)" "$W/kiosk.log" || fail "the clock scan did not stop"

# a course by broadcast time: it starts LEAD s from now on the broadcast clock
bnow=$(($(date +%s) + OFFSET))
start=$((bnow + LEAD))
"$S" schedule add --title "果树修剪" --source "$W/course.ts" \
  --start "$(TZ=Asia/Shanghai date -d "@$start" +%Y-%m-%dT%H:%M:%S+08:00)" --duration 1 \
  --data-dir "$W/data" > /dev/null || fail "schedule add course"
# not before its broadcast-time start
while [ "$(date +%s)" -lt $((start - OFFSET - 2)) ]; do
  [ "$(field screen)" = home ] || fail "the course started early: $(field screen)"
  sleep 1
done
wait_for screen rollcall 15
started_sys=$(date +%s)
[ "$started_sys" -le $((start - OFFSET + 10)) ] ||
  fail "the course started at $started_sys, not at its broadcast-time start $((start - OFFSET))"
session=$(field session_id)
expect clock_source broadcast
press 1 ok back
expect screen playing
kiosk_stop
kill -TERM "$SENDER_PID" "$RELAY_PID" 2>/dev/null || true

"$S" record export --out "$W/export" --data-dir "$W/data" > /dev/null || fail "export"
"$S" verify "$W/export" > /dev/null || fail "verify"
python3 - "$W/export/events.tsv" "$session" "$start" <<'PY' || fail "the record's clock"
import sys
events = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")
          if not l.startswith("#")]
session, start = sys.argv[2], int(sys.argv[3])
mine = [e for e in events if e[6] == session]
assert mine and all(e[3] == "broadcast" for e in mine), [(e[1], e[3]) for e in mine]
opened = [e for e in mine if e[1] == "session_opened"][0]
assert abs(int(opened[2]) / 1e9 - start) <= 3, (opened[2], start)
print("record: %d events of the session on the broadcast clock" % len(mine))
PY
echo "ok: broadcast clock learned at idle, course on broadcast time"
