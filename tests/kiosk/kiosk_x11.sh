#!/bin/sh
# The kiosk end to end on a real X server (Xvfb, 1280x720) with real key
# events (xdotool): a course scheduled a few seconds ahead starts by itself;
# members check in with the arrows + Return, by number (3, Return) and with a
# card reader (its id typed 5 ms a key, then Return); BACK shows the course,
# i its info overlay, Return the late check-in overlay; the course ends; the
# summary takes a rating and "needs repeating". The record then holds exactly
# that session, and its export verifies. Then a live broadcast over UDP with
# its SDT/EIT on a second station: PRETUNE, PLAYING's info (service and
# event names) and OUTAGE (sender stopped). A screenshot of each screen is
# saved in WORKDIR/shots (look at them: Chinese text must render).
# usage: kiosk_x11.sh STUDYCAST WORKDIR
set -eu
S=$1
W=$2
. "$(dirname "$0")/lib.sh"
test_workdir data shots

need_tools Xvfb xdotool import
xvfb_start 1280x720

COURSE_S=40
make_fixture "$W/course.ts" $COURSE_S
roster_csv "$W/roster.csv"
"$S" members import "$W/roster.csv" --data-dir "$W/data" > /dev/null || fail "import"
"$S" schedule add --title "乡村振兴课堂：现代农业种植技术" --source "$W/course.ts" \
  --start "$(local_time +10)" --duration 2 --data-dir "$W/data" > /dev/null || fail "schedule"

kiosk_start_x "$W/data"
shot 01-$(field screen)
wait_for screen rollcall 20
session=$(field session_id)
shot 02-rollcall
key Right Return                        # arrows + OK: 002
wait_for present '["002"]' 3
key 3; sleep 0.3; key Return            # a number, typed slowly: 003
wait_for present '["002", "003"]' 3
# a card reader: its id and Enter, 5 ms a key, in one burst (xdotool's
# `type` takes every later word as text, so the burst is keys: 8 0 0 1 ...)
xdotool key --delay 5 $(echo 80010004 | sed 's/./& /g') Return
wait_for present '["002", "003", "004"]' 3
grep -q "card 80010004 entered: 004" "$W/kiosk.log" || fail "the burst was not taken as a card"
key 3; sleep 0.3; key Return            # 003 again: a message only
expect present '["002", "003", "004"]'
shot 03-rollcall-checked-in
key Escape                              # BACK: the course fullscreen
wait_for screen playing 3
shot 04-playing
key i
expect info true
shot 05-playing-info
key i Return                            # the late check-in overlay
expect roster_overlay true
shot 06-late-checkin
key Escape
wait_for screen summary $((COURSE_S + 15))
shot 07-summary
key 4 Down Return
expect rating 4
expect needs_repeat true
shot 08-summary-rated
key Down Return
wait_for screen home 5
shot 09-home-after
latency=$(field input_latency_ms)
kiosk_stop

month=$(TZ=Asia/Shanghai date +%Y-%m)
"$S" record report --month "$month" --json --data-dir "$W/data" > "$W/report.json"
json_check "$W/report.json" \
  "len(d['sessions']) == 1 and d['sessions'][0]['id'] == '$session'" \
  "d['sessions'][0]['status'] == 'complete'" \
  "$((COURSE_S - 2)) <= d['sessions'][0]['played_seconds'] <= $((COURSE_S + 3))" \
  "sorted(a['member'] for a in d['sessions'][0]['attendance']) == ['002', '003', '004']"
"$S" record export --out "$W/export" --data-dir "$W/data" > /dev/null || fail "export"
"$S" verify "$W/export" > /dev/null || fail "verify"
[ "$(grep -c "member_checked_in" "$W/export/events.tsv")" = 3 ] || fail "check-ins in the record"

# A live broadcast (UDP on 127.0.0.1, with the SDT/EIT a head-end sends, see
# si_relay.py) on a second station: PRETUNE with the service and the event,
# PLAYING's info overlay with them, and OUTAGE while the sender is stopped.
IN_PORT=$(free_port)
PORT=$(free_port)
now=$(date +%s)
python3 "$(dirname "$0")/si_relay.py" "$IN_PORT" "$PORT" --service "1:乡村教育频道:县农业局" \
  --event "1:$((now - 600)):3600:果树修剪与病虫害防治" > "$W/relay.log" 2>&1 &
RELAY_PID=$!
send() {
  ffmpeg -loglevel error -re -stream_loop -1 -i "$W/course.ts" -c copy -f mpegts \
    "udp://127.0.0.1:$IN_PORT?pkt_size=1316" &
  SENDER_PID=$!
}
send
mkdir -p "$W/live"
"$S" members import "$W/roster.csv" --data-dir "$W/live" > /dev/null || fail "import"
"$S" schedule add --title "直播：果树管理" --source "service:1@udp://127.0.0.1:$PORT" \
  --start "$(local_time +25)" --duration 1 --data-dir "$W/live" > /dev/null || fail "schedule"
kiosk_start_x "$W/live"
wait_for screen pretune 10
wait_for signal good 15
wait_for event_title "果树修剪与病虫害防治" 10
expect service_name "乡村教育频道"
shot 10-pretune
wait_for screen rollcall 35
key Escape
wait_for screen playing 3
key i
expect info true
shot 11-playing-info-broadcast
kill -TERM "$SENDER_PID"
wait "$SENDER_PID" 2>/dev/null || true
wait_for screen outage 8
sleep 1
shot 12-outage
send
wait_for screen playing 20
key s
wait_for screen summary 5
key Escape
wait_for screen home 5
kiosk_stop
kill -TERM "$SENDER_PID" "$RELAY_PID" 2>/dev/null || true
for name in 10-pretune 11-playing-info-broadcast 12-outage; do
  [ -s "$W/shots/$name.png" ] || fail "no screenshot $name"
done
echo "ok: screenshots in $W/shots; key to screen (X event to flip): $latency"
