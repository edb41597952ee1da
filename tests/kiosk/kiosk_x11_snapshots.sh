#!/bin/sh
# The Records page's viewing snapshots on a real X server with real keys:
# two sessions recorded by `play --session` (a moving picture, then a black
# one) show their count on the Records page; up and OK open the pictures,
# left/right step through them, each decoded and drawn (ctl status says
# which one and that it is shown), the black ones flagged. Screenshots in
# WORKDIR/shots (look at them: Chinese text must render).
# usage: kiosk_x11_snapshots.sh STUDYCAST WORKDIR FFMPEG
set -eu
S=$1 W=$2 FFMPEG=$3
. "$(dirname "$0")/lib.sh"
test_workdir shots
need_tools Xvfb xdotool import

D=$W/data
"$FFMPEG" -nostdin -loglevel error -f lavfi -i testsrc2=size=720x576:rate=25 \
  -f lavfi -i sine=frequency=440:sample_rate=48000 -t 3 -vf setdar=16/9 \
  -c:v mpeg2video -g 12 -c:a mp2 -f mpegts "$W/moving.ts"
"$FFMPEG" -nostdin -loglevel error -f lavfi -i color=c=black:size=720x576:rate=25 \
  -f lavfi -i sine=frequency=440:sample_rate=48000 -t 2 -vf setdar=16/9 \
  -c:v mpeg2video -g 12 -c:a mp2 -f mpegts "$W/black.ts"
for course in moving black; do
  SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy "$S" play "$W/$course.ts" --window 320x240 \
    --session "课程 $course" --data-dir "$D" --snapshot-interval 1 ||
    fail "play --session $course"
done
n=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
  "SELECT count(*) FROM events WHERE type = '"'snapshot_taken'"'").fetchone()[0])' "$D/record.sqlite")
[ "$n" -ge 5 ] || fail "only $n snapshots recorded"
"$S" schedule add --title "明天的课" --source /dev/null --start "$(local_time +86400)" \
  --duration 30 --data-dir "$D" > /dev/null || fail "schedule add"
echo 2468 | "$S" pin set --data-dir "$D" > /dev/null

xvfb_start 1280x720
kiosk_start_x "$D" --lead-minutes 0
key m 2 4 6 8 Return
wait_for menu.page root 5
key "$(section_digit 'Records|学习记录')"
wait_for menu.page records 3
expect menu.report.snapshots "$n"
key Up Return
wait_for menu.page records_snapshots 3
expect menu.snapshots.count "$n"
expect menu.snapshots.index 0
expect menu.snapshots.kind first
expect menu.snapshots.shown true
expect menu.snapshots.width 320
expect menu.snapshots.black false
shot 01-first-picture
# to the black session's pictures: the last ones of the month
i=1
while [ "$(field menu.snapshots.black)" = false ] && [ $i -lt "$n" ]; do
  key Right
  i=$((i + 1))
done
wait_for menu.snapshots.index $((i - 1)) 3
expect menu.snapshots.black true
expect menu.snapshots.shown true
shot 02-black-picture
key Left
wait_for menu.snapshots.index $((i - 2)) 3
expect menu.snapshots.kind last
expect menu.snapshots.black false
shot 03-last-of-moving
key Escape
wait_for menu.page records 3
kiosk_stop
echo "kiosk_x11_snapshots: ok"
