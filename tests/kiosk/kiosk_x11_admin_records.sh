#!/bin/sh
# The administrator's Members and Records sections on a real X server with
# real key events (xdotool), at 1920x1080 (16:9) and 1024x768 (4:3): the
# roster, importing a roster with bad rows from a stick (--media-dir) and its
# errors, then a good one; the month's report with its chart (November 2026
# from record_fixture: met; October: not met); the export to the stick and
# its verified result. A screenshot of each screen is saved in
# WORKDIR/<size>/shots (look at them: Chinese text must render).
# usage: kiosk_x11_admin_records.sh STUDYCAST WORKDIR RECORD_FIXTURE
set -eu
S=$1 W0=$2 FIXTURE=$3
W=$W0
. "$(dirname "$0")/lib.sh"
test_workdir
need_tools Xvfb xdotool import

run_size() { # run_size WIDTH HEIGHT
  W=$W0/${1}x$2
  mkdir -p "$W/shots" "$W/media/KINGSTON"
  D=$W/data
  "$FIXTURE" "$D" || fail "record_fixture"
  "$S" schedule add --title "明年的课" --source /dev/null --start "$(local_time +86400)" \
    --duration 30 --data-dir "$D" > /dev/null || fail "schedule add"
  echo 2468 | "$S" pin set --data-dir "$D" > /dev/null
  cat > "$W/media/KINGSTON/花名册-有错.csv" <<'CSV'
number,name,category,card
001,张三,党员,C001
002,,党员,C002
003,王五,工人,
001,重复的人,群众,
005,钱七,群众,C005,多余
CSV
  printf 'number,name,category,card\n001,张三,党员,C001\n002,李四,党员,C002\n003,王五,干部,\n004,赵六,群众,\n005,"钱七, 小",群众,\n006,孙八,群众,\n007,周九,群众,C007\n' \
    > "$W/media/KINGSTON/花名册.csv"

  xvfb_start "${1}x$2"
  kiosk_start_x "$D" --media-dir "$W/media" --lead-minutes 0
  key m 2 4 6 8 Return
  wait_for menu.page root 5

  # Members: the roster, the import's errors, the good import
  key "$(section_digit 'Members|成员')"
  wait_for menu.page members 3
  shot 01-members-roster
  key Return
  wait_for menu.page members_import 3
  wait_for menu.sticks 1 5
  key Return
  wait_for menu.stick "$W/media/KINGSTON" 3
  shot 02-import-files
  key Return # 花名册-有错.csv sorts first (bytes: '-' < '.')
  wait_for menu.page members_problems 3
  [ "$(field menu.problems | python3 -c 'import json,sys; print([p["line"] for p in json.load(sys.stdin)])')" = "[3, 4, 5, 6]" ] ||
    fail "problems: $(field menu.problems)"
  shot 03-import-errors
  key Escape Down Return
  wait_for menu.page members 3
  expect menu.members 7
  shot 04-import-done
  key Escape
  wait_for menu.page root 3

  # Records: November 2026 and October, then the export
  key "$(section_digit 'Records|学习记录')"
  wait_for menu.page records 3
  now=$(TZ=Asia/Shanghai date +%Y-%m)
  back=$(( ($(echo "$now" | cut -c1-4) - 2026) * 12 + $(echo "$now" | cut -c6-7 | sed 's/^0//') - 11 ))
  i=0
  while [ $i -lt "$back" ]; do key Left; i=$((i + 1)); done
  wait_for menu.report.period 2026-11 3
  expect menu.report.met true
  shot 05-report-2026-11
  key Left
  wait_for menu.report.period 2026-10 3
  expect menu.report.met false
  shot 06-report-2026-10
  key Right Return
  wait_for menu.page records_export 3
  shot 07-export-sticks
  key Return
  wait_for menu.export_state done 60
  shot 08-export-verified
  folder=$(field menu.export_folder)
  "$S" verify "$W/media/KINGSTON/$folder" --key "$D/station.pub" > /dev/null ||
    fail "verify $folder"
  kiosk_stop
  xvfb_stop
  for name in 01-members-roster 02-import-files 03-import-errors 04-import-done \
    05-report-2026-11 06-report-2026-10 07-export-sticks 08-export-verified; do
    [ -s "$W/shots/$name.png" ] || fail "no screenshot $name"
  done
}

run_size 1920 1080
run_size 1024 768
trap - EXIT
echo "ok: screenshots in $W0/1920x1080/shots and $W0/1024x768/shots"
