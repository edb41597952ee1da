#!/bin/sh
# A live course on a broadcast with service information, headless through the
# control socket. The stream arrives over real UDP on 127.0.0.1 (ffmpeg at its
# rate, then si_relay.py adding an SDT, an EIT present/following and TDT/TOT
# as a head-end does). Its broadcast time runs OFFSET s ahead of the system
# clock, and the course is planned "until the broadcast event ends".
#  - the kiosk tunes ahead (PRETUNE), takes the stream's time: status says
#    clock_source "broadcast" and its clock reads the broadcast time;
#  - the course starts at its start in broadcast time (by the system clock it
#    would start OFFSET s later);
#  - the screens get the SDT service name and the EIT event title;
#  - the slot ends when the EIT's present event ends (not after the 120 min
#    fallback);
#  - the record's events carry clock_source broadcast and broadcast times.
# usage: kiosk_broadcast.sh STUDYCAST WORKDIR
set -eu
S=$1
W=$2
. "$(dirname "$0")/lib.sh"
test_workdir data

OFFSET=75      # broadcast time - system time, s
LEAD=30        # the course starts this long after launch (broadcast time)
EVENT_LEFT=45  # the present event ends this long after the course's start
# a loaded (sanitizer) run notices the slot's end a loop turn or two late
SLACK=${STUDYCAST_TEST_SLACK:-1}
IN_PORT=$(free_port)
PORT=$(free_port)
make_fixture "$W/course.ts" 150

bnow=$(($(date +%s) + OFFSET))
start=$((bnow + LEAD))
event_end=$((start + EVENT_LEFT))
python3 "$(dirname "$0")/si_relay.py" "$IN_PORT" "$PORT" --clock-offset "$OFFSET" \
  --service "1:乡村教育频道:县农业局" \
  --event "1:$((bnow - 1200)):$((event_end - bnow + 1200)):水稻种植技术" \
  --event "1:$event_end:1800:果树修剪" > "$W/relay.log" 2>&1 &
RELAY_PID=$!
ffmpeg -loglevel error -re -i "$W/course.ts" -c copy -f mpegts \
  "udp://127.0.0.1:$IN_PORT?pkt_size=1316" > "$W/sender.log" 2>&1 &
SENDER_PID=$!

roster_csv "$W/roster.csv"
"$S" members import "$W/roster.csv" --data-dir "$W/data" > /dev/null || fail "import"
start_local=$(TZ=Asia/Shanghai date -d "@$start" +%Y-%m-%dT%H:%M:%S+08:00)
end_local=$(TZ=Asia/Shanghai date -d "@$event_end" +%Y-%m-%dT%H:%M:%S+08:00)
"$S" schedule add --title "水稻种植直播" --source "service:1@udp://127.0.0.1:$PORT" \
  --start "$start_local" --until-event-end --data-dir "$W/data" > /dev/null || fail "schedule add"

kiosk_start "$W/data"
# by the system clock the course is OFFSET+LEAD s away, within the 2 min lead
wait_for screen pretune 10
wait_for clock_source broadcast 15
wait_for service_name "乡村教育频道" 10
wait_for event_title "水稻种植技术" 5
# the kiosk's clock is the broadcast's, not the system's
python3 - "$(field now)" "$OFFSET" <<'PY' || fail "the station clock does not follow the broadcast"
import datetime, sys, time
now = datetime.datetime.fromisoformat(sys.argv[1]).timestamp()
diff = now - time.time()
assert abs(diff - int(sys.argv[2])) <= 3, diff
print("station clock - system clock: %.0f s" % diff)
PY
# until-event-end resolved through the guide while tuned ahead
wait_for end "$end_local" 5

wait_for screen rollcall $((LEAD + 10))
started_sys=$(date +%s)
[ "$started_sys" -lt $((start - OFFSET + 10)) ] ||
  fail "the course started at $started_sys, not at its broadcast-time start $((start - OFFSET))"
session=$(field session_id)
expect clock_source broadcast
expect end "$end_local"
press 1 ok back
expect screen playing
press info
expect info true
expect service_name "乡村教育频道"
expect event_title "水稻种植技术"

# the slot ends with the broadcast event (the fallback would be 120 min)
wait_for screen summary $((EVENT_LEFT + 15))
ended_sys=$(date +%s)
[ "$ended_sys" -ge $((event_end - OFFSET - 1)) ] && [ "$ended_sys" -le $((event_end - OFFSET + 8)) ] ||
  fail "the course ended at $ended_sys, the event at $((event_end - OFFSET)) (system time)"
press back
wait_for screen home 5
kiosk_stop
kill -TERM "$SENDER_PID" "$RELAY_PID" 2>/dev/null || true

"$S" record export --out "$W/export" --data-dir "$W/data" > /dev/null || fail "export"
"$S" verify "$W/export" > /dev/null || fail "verify"
month=$(TZ=Asia/Shanghai date -d "@$start" +%Y-%m)
"$S" record report --month "$month" --json --data-dir "$W/data" > "$W/report.json"
json_check "$W/report.json" \
  "len(d['sessions']) == 1 and d['sessions'][0]['id'] == '$session'" \
  "d['sessions'][0]['course'] == '水稻种植直播'" \
  "$((EVENT_LEFT - 8)) <= d['sessions'][0]['played_seconds'] <= $((EVENT_LEFT + SLACK))"
# the session's events: clock_source broadcast, UTC times on the broadcast clock
python3 - "$W/export/events.tsv" "$session" "$start" "$event_end" <<'PY' ||
import json, sys
events = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")
          if not l.startswith("#")]
session, start, end = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
mine = [e for e in events if e[6] == session]
assert mine and all(e[3] == "broadcast" for e in mine), [(e[1], e[3]) for e in mine]
opened = [e for e in mine if e[1] == "session_opened"][0]
assert abs(int(opened[2]) / 1e9 - start) <= 3, (opened[2], start)
closed = [e for e in mine if e[1] == "session_closed"][0]
assert int(closed[2]) / 1e9 >= end - 1, (closed[2], end)
note = [e for e in events if e[1] == "course_started" and session in e[7]][0]
payload = json.loads(note[7])
assert note[3] == "broadcast" and payload["clock_source"] == "broadcast", note
print("record: %d events of the session on the broadcast clock" % len(mine))
PY
  fail "the record's clock"
echo "ok: broadcast clock, service names, until-event-end"
