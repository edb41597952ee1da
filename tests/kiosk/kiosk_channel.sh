#!/bin/sh
# CH+/CH- while a live course plays: a two-service stream over real UDP on
# 127.0.0.1, the course scheduled on service 1. KEY_CHANNELUP (a FIFO of
# input_event records through --input) changes to service 2: `ctl status`
# shows the service and its SDT name, the screen names it, and the record
# notes service_changed (from 1 to 2 in the course's session); CH- (the
# control socket) goes back to service 1, noted as the scheduled service. The
# session goes on throughout.
# usage: kiosk_channel.sh STUDYCAST WORKDIR
set -eu
S=$1
W=$2
. "$(dirname "$0")/lib.sh"
test_workdir data
KEYS="python3 $(dirname "$0")/evdev_keys.py"

PORT=$(free_port)
# service 1: 352x288, service 2: 320x240, each with its own sound
ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=352x288:rate=25 \
  -f lavfi -i testsrc=size=320x240:rate=25 -f lavfi -i sine=frequency=1000:sample_rate=48000 \
  -f lavfi -i sine=frequency=440:sample_rate=48000 -t 90 \
  -map 0:v -map 1:v -map 2:a -map 3:a -c:v mpeg2video -b:v 1M -g 12 -c:a mp2 \
  -program program_num=1:title=One:st=0:st=2 -program program_num=2:title=Two:st=1:st=3 \
  -muxrate 4M -f mpegts "$W/two.ts" || fail "ffmpeg fixture"
python3 "$(dirname "$0")/ts_sender.py" "$PORT" "$W/two.ts" 4000000 &
SENDER_PID=$!

SLACK=${STUDYCAST_TEST_SLACK:-1}
"$S" schedule add --title "频道课" --source "service:1@udp://127.0.0.1:$PORT" \
  --start "$(local_time $((3 + 2 * SLACK)))" --duration 2 --data-dir "$W/data" > /dev/null ||
  fail "schedule add"
mkfifo "$W/remote"
kiosk_start "$W/data" --input "$W/remote" --language en
wait_for screen rollcall $((15 + 5 * SLACK))
session=$(field session_id)
press back
wait_for screen playing 3
wait_for signal good $((10 * SLACK))
expect service 1
expect scheduled_service 1
wait_for service_name One $((10 * SLACK))

$KEYS "$W/remote" KEY_CHANNELUP
wait_for service 2 3
wait_for service_name Two $((10 * SLACK))
expect session_id "$session"
grep -q "message: Service 2 Two" "$W/kiosk.log" || fail "the new service was not named on screen"
# pictures of service 2 arrive: the signal is good on it
sleep 2
wait_for signal good $((5 * SLACK))
wait_for screen playing $((5 * SLACK))

press channel_down
wait_for service 1 3
wait_for service_name One $((10 * SLACK))
grep -q "message: Back to the course's service 1 One" "$W/kiosk.log" ||
  fail "the way back was not named"
press stop
wait_for screen summary 5
press back
wait_for screen home 5
kiosk_stop

"$S" record export --out "$W/export" --data-dir "$W/data" > /dev/null || fail "export"
python3 - "$W/export/events.tsv" "$session" <<'PY' || fail "service_changed in the record"
import json, sys
events = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")
          if not l.startswith("#")]
changes = [json.loads(e[7]) for e in events if e[1] == "service_changed"]
assert len(changes) == 2, changes
a, b = changes
assert a["session"] == sys.argv[2] and b["session"] == sys.argv[2], changes
assert (a["from"], a["to"], a["to_name"], a["scheduled_service"]) == (1, 2, "Two", False), a
assert (b["from"], b["to"], b["to_name"], b["scheduled_service"]) == (2, 1, "One", True), b
PY
echo "kiosk_channel: ok"
