#!/bin/sh
# The clock source setting takes effect: with "system clock only" chosen in
# Settings, a station tuned to a broadcast whose TDT/TOT runs OFFSET s ahead
# keeps the system clock (kiosk_broadcast_si shows the automatic default
# following it); the guide's names still arrive, so the stream was read.
# usage: kiosk_admin_clock.sh STUDYCAST WORKDIR
set -eu
S=$1
W=$2
. "$(dirname "$0")/lib.sh"
test_workdir data
D=$W/data

OFFSET=75 # broadcast time - system time, s

# a station with a course tomorrow; the administrator chooses the system clock
make_fixture "$W/course.ts" 60
"$S" schedule add --title "明天的课" --source "$W/course.ts" --start "$(local_time +86400)" \
  --duration 30 --data-dir "$D" > /dev/null || fail "schedule add"
echo 2468 | "$S" pin set --data-dir "$D" > /dev/null || fail "pin set"
kiosk_start "$D" --lead-minutes 2
press menu 2 4 6 8 ok
focus_row Settings 设置
press ok
focus_row "Clock source" 时钟来源
press ok up ok
expect menu.clock_setting system
press menu
kiosk_stop

# a live broadcast with TDT/TOT OFFSET s ahead; a course on it a minute away
IN_PORT=$(free_port)
PORT=$(free_port)
bnow=$(($(date +%s) + OFFSET))
python3 "$(dirname "$0")/si_relay.py" "$IN_PORT" "$PORT" --clock-offset "$OFFSET" \
  --service "1:乡村教育频道:县农业局" \
  --event "1:$((bnow - 1200)):3600:水稻种植技术" > "$W/relay.log" 2>&1 &
RELAY_PID=$!
ffmpeg -loglevel error -re -i "$W/course.ts" -c copy -f mpegts \
  "udp://127.0.0.1:$IN_PORT?pkt_size=1316" > "$W/sender.log" 2>&1 &
SENDER_PID=$!
"$S" schedule add --title "水稻种植直播" --source "service:1@udp://127.0.0.1:$PORT" \
  --start "$(local_time +100)" --duration 10 --data-dir "$D" > /dev/null || fail "schedule add"
kiosk_start "$D" --lead-minutes 2
wait_for screen pretune 10
# the stream is read (its SDT/EIT names arrive) ...
wait_for service_name "乡村教育频道" 20
wait_for event_title "水稻种植技术" 10
sleep 3 # TDT/TOT come every few seconds: they have arrived by now
# ... but the clock stays the system's
case "$(field clock_source)" in system|ntp) ;; *) fail "clock source $(field clock_source)" ;; esac
python3 - "$(field now)" <<'PY' || fail "the station clock follows the broadcast"
import datetime, sys, time
diff = datetime.datetime.fromisoformat(sys.argv[1]).timestamp() - time.time()
assert abs(diff) <= 3, diff
print("station clock - system clock: %.0f s" % diff)
PY
grep -q "clock: broadcast" "$W/kiosk.log" && fail "the kiosk switched to the broadcast clock"
kiosk_stop
trap - EXIT
kill -TERM "$SENDER_PID" "$RELAY_PID" 2>/dev/null || true
echo "PASS: clock source 'system' keeps the system clock on a broadcast with TDT/TOT"
