#!/bin/sh
# play --session records the playback in the study record: the session, its
# members and their minutes; unknown members are refused before anything
# plays; a title too long or a session the record cannot take exits
# non-zero with one line; a kill -9 mid-course leaves an interrupted session
# closed at its last heartbeat, which the next opening of the record closes.
# usage: play_session.sh STUDYCAST FFMPEG WORKDIR
set -eu
studycast=$1 ffmpeg=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
. "$(dirname "$0")/../lib.sh"
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
py=/usr/bin/python3

# a 6 s course and a 30 s one (the one that gets killed)
"$ffmpeg" -nostdin -loglevel error -f lavfi -i testsrc2=size=320x240:rate=25 \
  -f lavfi -i sine=frequency=440:sample_rate=48000 -t 6 \
  -c:v mpeg2video -g 12 -c:a mp2 -f mpegts "$work/course.ts"
"$ffmpeg" -nostdin -loglevel error -f lavfi -i testsrc2=size=320x240:rate=25 \
  -f lavfi -i sine=frequency=440:sample_rate=48000 -t 30 \
  -c:v mpeg2video -g 12 -c:a mp2 -f mpegts "$work/long.ts"

data=$work/data
printf 'number,name,category,card\n001,张三,党员,\n002,李四,群众,C002\n003,王五,干部,\n' \
  > "$work/roster.csv"
"$studycast" members import "$work/roster.csv" --data-dir "$data" >/dev/null

# 1. a complete session with two of the three members
"$studycast" play "$work/course.ts" --window 320x240 --session "测试课程：农业" \
  --members 001,002 --data-dir "$data" --stats "$work/stats.json" ||
  fail "play --session failed"
month=$(date -u -d '+8 hours' +%Y-%m)  # the station's local month (+08:00)
"$studycast" record report --month "$month" --json --data-dir "$data" > "$work/r1.json"
$py - "$work/r1.json" "$work/stats.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
stats = json.load(open(sys.argv[2]))
s = r["sessions"]
assert len(s) == 1, s
s = s[0]
assert s["course"] == "测试课程：农业", s["course"]
assert s["status"] == "complete", s["status"]
# played from the first picture to the end: the 6 s course, give or take
# the start-up and the last frame
assert 4.5 <= s["played_seconds"] <= 7.5, s["played_seconds"]
assert abs(s["played_seconds"] - stats["seconds_played"]) < 1.5, (s, stats["seconds_played"])
att = {a["member"]: a["seconds"] for a in s["attendance"]}
assert set(att) == {"001", "002"}, att
for m, sec in att.items():
    assert abs(sec - s["played_seconds"]) <= 1, (m, sec, s["played_seconds"])
PY

# 2. an unknown member: refused before playing, nothing recorded
if "$studycast" play "$work/course.ts" --window 320x240 --session "x" --members 001,999 \
  --data-dir "$data" 2> "$work/err"; then
  fail "an unknown member was accepted"
fi
grep -q "member 999 is not on the roster" "$work/err" || fail "no message for member 999"
"$studycast" record report --month "$month" --json --data-dir "$data" > "$work/r2.json"
$py -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len(r["sessions"]) == 1, r' \
  "$work/r2.json" || fail "a refused play recorded a session"

# 2b. nothing can be recorded: exit non-zero with one clear line, not 0.
# A title over 400 bytes is refused before playing (exit 2) ...
long_title=$(printf '%01000d' 0)
status=0
"$studycast" play "$work/course.ts" --window 320x240 --session "$long_title" \
  --data-dir "$data" 2> "$work/err" || status=$?
[ "$status" = 2 ] || fail "a 1000-byte title: exit $status, not 2"
grep -q "session TITLE must be 1 to 400 bytes" "$work/err" || fail "no message: $(cat "$work/err")"
# ... and a session the record cannot take (here another process holds the
# session lock, as a full disk refuses the write) ends play with exit 1
$py -c 'import fcntl, sys, time
f = open(sys.argv[1], "a"); fcntl.flock(f, fcntl.LOCK_EX); print(flush=True); time.sleep(60)' \
  "$data/session.lock" > "$work/holder" &
holder=$!
while [ ! -s "$work/holder" ]; do sleep 0.1; done
status=0
"$studycast" play "$work/course.ts" --window 320x240 --duration 2 --session "锁住的课" \
  --data-dir "$data" 2> "$work/err" || status=$?
kill "$holder"
wait "$holder" 2>/dev/null || true
[ "$status" = 1 ] || fail "a session that could not be recorded: exit $status, not 1"
grep -q "studycast play: the study session was not recorded (cannot open the study session" \
  "$work/err" || fail "no clear line: $(cat "$work/err")"
"$studycast" record report --month "$month" --json --data-dir "$data" > "$work/r2.json"
$py -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len(r["sessions"]) == 1, r' \
  "$work/r2.json" || fail "an unrecordable play recorded a session"

# 2c. a course played without its sound (--no-audio): the session closes
# when the pictures end, not at the next heartbeat (it did, 4 s late here,
# and credited those seconds)
"$studycast" play "$work/course.ts" --window 320x240 --no-audio --session "无声课程" \
  --members 003 --data-dir "$data" || fail "play --no-audio --session failed"
"$studycast" record report --month "$month" --json --data-dir "$data" > "$work/r2c.json"
$py - "$work/r2c.json" <<'PY' || fail "the silent course's session"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
s = [x for x in r["sessions"] if x["course"] == "无声课程"]
assert len(s) == 1 and s[0]["status"] == "complete", r["sessions"]
assert 4.5 <= s[0]["played_seconds"] <= 7.5, s[0]["played_seconds"]
att = {a["member"]: a["seconds"] for a in s[0]["attendance"]}
assert set(att) == {"003"} and att["003"] <= 7.5, att
PY

# bad option combinations
if "$studycast" play "$work/course.ts" --members 001 2> "$work/err"; then
  fail "--members without --session was accepted"
fi
if "$studycast" play "$work/course.ts" --session t --heartbeat 11 2> "$work/err"; then
  fail "a heartbeat over 10 s was accepted"
fi

# 3. kill -9 mid-course: the next opening closes it as interrupted at its
# last heartbeat (1 s here), so at most about a second is lost
"$studycast" play "$work/long.ts" --window 320x240 --session "停电课程" --members 003 \
  --heartbeat 1 --data-dir "$data" &
pid=$!
sleep 6
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
"$studycast" record report --month "$month" --json --data-dir "$data" > "$work/r3.json"
$py - "$work/r3.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
s = [x for x in r["sessions"] if x["course"] == "停电课程"]
assert len(s) == 1, r["sessions"]
s = s[0]
assert s["status"] == "interrupted", s["status"]
# killed 6 s after the start; the first picture comes within ~1 s of it and
# at most one 1 s heartbeat interval is lost
assert 3.0 <= s["played_seconds"] <= 6.5, s["played_seconds"]
att = {a["member"]: a["seconds"] for a in s["attendance"]}
assert set(att) == {"003"} and abs(att["003"] - s["played_seconds"]) <= 1, att
PY
# 4. a live course over real UDP whose sender goes silent for 6 s: the
# outage is not credited (from the last data, although it is declared only
# 2 s into the silence, to the signal's return), and the session is still
# one complete session
"$ffmpeg" -nostdin -loglevel error -f lavfi -i testsrc2=size=352x288:rate=25 \
  -f lavfi -i sine=frequency=440:sample_rate=48000 -t 12 \
  -c:v mpeg2video -b:v 1M -g 12 -c:a mp2 -f mpegts -muxrate 2M "$work/live.ts"
port=$(free_port)
/usr/bin/python3 "$(dirname "$0")/../reception/udp_sender.py" "$port" "$work/live.ts" \
  2000000 6 4 -- "$studycast" play --window 320x240 --duration 19 --stats "$work/live.json" \
  --session "直播课程" --members 001 --data-dir "$data" "udp://127.0.0.1:$port" \
  > "$work/sender.json" 2> "$work/live.err" || fail "live session: $(cat "$work/live.err")"
"$studycast" record report --month "$month" --json --data-dir "$data" > "$work/r4.json"
$py - "$work/r4.json" "$work/live.json" "$work/sender.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
stats = json.load(open(sys.argv[2]))
sender = json.load(open(sys.argv[3]))
assert sender["status"] == 0, sender
s = [x for x in r["sessions"] if x["course"] == "直播课程"]
assert len(s) == 1 and s[0]["status"] == "complete", r["sessions"]
s = s[0]
assert len(stats["outages"]) == 1, stats["outages"]
o = stats["outages"][0]
session = 19.0 - stats["first_picture_ms"] / 1000.0
expected = session - (o["end"] - o["start"])
print(f"played {s['played_seconds']} s, expected {expected:.1f} s "
      f"(session {session:.1f} s, outage {o['start']:.1f}..{o['end']:.1f})")
assert abs(s["played_seconds"] - expected) <= 1.0, (s["played_seconds"], expected)
assert s["played_seconds"] <= session - 5, "the outage was credited"
att = {a["member"]: a["seconds"] for a in s["attendance"]}
assert abs(att["001"] - s["played_seconds"]) <= 1, att
PY
"$studycast" record check --data-dir "$data" >/dev/null || fail "the record's chain is broken"
echo "play_session: ok"
