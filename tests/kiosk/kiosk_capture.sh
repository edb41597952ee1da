#!/bin/sh
# "Capture at broadcast time, study in the evening", headless through the
# control socket. A two-program stream arrives over real UDP on 127.0.0.1 at
# its mux rate. A "capture" entry writes service 2's transport stream, as it
# arrives, into the course library (NAME.ts.part while it airs, NAME.ts once
# the slot is over); HOME shows the capture with the service's SDT name and
# its signal (status: capturing, capture_signal). A "replay" entry later plays
# that file as a study session.
#  - the file is a valid TS of service 2 only (ffprobe: one program, number 2,
#    with service 2's 320x240 video and its sound), about the slot long;
#  - the study record notes course_captured (complete) and holds the session
#    of the replay, with its course_started note of kind "replay".
# usage: kiosk_capture.sh STUDYCAST WORKDIR
set -eu
S=$1
W=$2
. "$(dirname "$0")/lib.sh"
test_workdir data

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

roster_csv "$W/roster.csv"
"$S" members import "$W/roster.csv" --data-dir "$W/data" > /dev/null || fail "import"
# the kiosk is up before the broadcast, also in a slow sanitizer build
SLACK=${STUDYCAST_TEST_SLACK:-1}
cap_start=$(($(date +%s) + 4 + 4 * SLACK))
local_at() { TZ=Asia/Shanghai date -d "@$1" +%Y-%m-%dT%H:%M:%S+08:00; }
cap_id=$("$S" schedule add --title "农业新闻（录制）" --source "service:2@udp://127.0.0.1:$PORT" \
  --start "$(local_at $cap_start)" --duration 1 --kind capture --data-dir "$W/data") ||
  fail "schedule add capture"
"$S" schedule add --title "农业新闻（回放）" --source "capture:$cap_id" \
  --start "$(local_at $((cap_start + 75)))" --duration 1 --kind replay \
  --data-dir "$W/data" > /dev/null || fail "schedule add replay"

kiosk_start "$W/data"
wait_for capturing '["农业新闻（录制）"]' $((10 + 5 * SLACK))
expect screen home
wait_for service_name "Two" 10
wait_for capture_signal good 5
# the library's file names keep their "rec-" prefix (existing libraries)
part=$(ls "$W/data/library/"rec-"$cap_id"-*.ts.part) || fail "no file being written"
sleep 3
size1=$(stat -c %s "$part")
sleep 2
size2=$(stat -c %s "$part")
[ "$size2" -gt "$size1" ] || fail "the capture does not grow as the broadcast arrives"

# the slot ends: the file is complete
wait_for capturing '[]' 70
ts=$(ls "$W/data/library/"rec-"$cap_id"-*.ts) || fail "no finished capture"
case "$ts" in *.partial.ts) fail "the capture was cut: $ts" ;; esac
ffprobe -v error -show_programs -show_streams -show_format -of json "$ts" > "$W/probe.json" ||
  fail "ffprobe cannot read $ts"
json_check "$W/probe.json" \
  "[p['program_num'] for p in d['programs']] == [2]" \
  "sorted(s['codec_type'] for s in d['streams']) == ['audio', 'video']" \
  "[(s['codec_name'], s['width'], s['height']) for s in d['streams'] if s['codec_type'] == 'video'] == [('mpeg2video', 320, 240)]" \
  "[s['codec_name'] for s in d['streams'] if s['codec_type'] == 'audio'] == ['mp2']" \
  "$((56 - 2 * SLACK)) <= float(d['format']['duration']) <= 62" \
  "d['format']['format_name'] == 'mpegts'"
# every packet of it is clean: probe counts no continuity error on any PID
"$S" probe "$ts" --json > "$W/probe_sc.json" || fail "studycast probe"
json_check "$W/probe_sc.json" \
  "[s['id'] for s in d['services']] == [2]" \
  "all(v['cc_errors'] == 0 for v in d['stats'].values())"

# study time: the capture plays as a session
wait_for screen rollcall 20
session=$(field session_id)
expect kind replay
expect source "$ts"
press 2 ok back
wait_for playback_started true $((5 + 5 * SLACK))
sleep 3
press stop
wait_for screen summary 5
press back
wait_for screen home 5
kiosk_stop
kill -TERM "$SENDER_PID" 2>/dev/null || true

"$S" record export --out "$W/export" --data-dir "$W/data" > /dev/null || fail "export"
"$S" verify "$W/export" > /dev/null || fail "verify"
month=$(TZ=Asia/Shanghai date -d "@$cap_start" +%Y-%m)
"$S" record report --month "$month" --json --data-dir "$W/data" > "$W/report.json"
json_check "$W/report.json" \
  "len(d['sessions']) == 1 and d['sessions'][0]['id'] == '$session'" \
  "d['sessions'][0]['course'] == '农业新闻（回放）'" \
  "d['sessions'][0]['status'] == 'complete'" \
  "3 <= d['sessions'][0]['played_seconds'] <= 60" \
  "[a['member'] for a in d['sessions'][0]['attendance']] == ['002']" \
  "2 <= d['sessions'][0]['attendance'][0]['seconds'] <= d['sessions'][0]['played_seconds']"
python3 - "$W/export/events.tsv" "$session" "$cap_id" <<'PY' || fail "the record's notes"
import json, sys
events = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")
          if not l.startswith("#")]
session, cap_id = sys.argv[2], int(sys.argv[3])
captured = [json.loads(e[7]) for e in events if e[1] == "course_captured"]
assert len(captured) == 1, captured
r = captured[0]
assert r["entry"] == cap_id and r["complete"] is True and r["outages"] == 0, r
assert r["bytes"] > 1000000, r
started = [json.loads(e[7]) for e in events if e[1] == "course_started"]
assert [s["kind"] for s in started] == ["replay"] and started[0]["session"] == session, started
print("course_captured:", r)
PY
echo "ok: captured $ts and studied it"
