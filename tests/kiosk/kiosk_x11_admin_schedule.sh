#!/bin/sh
# The Schedule and Guide sections on a real X server with real key events
# (xdotool), at 1920x1080 and on a 4:3 screen (1024x768): the month's list
# (a conflict in the error colour), the editor with the date picker and the
# weekday picker open, the conflict page before saving, the calendar (grid,
# then the day's courses), the guide grid of a stream with a Chinese SDT/EIT,
# the "live or capture" choice and the editor prefilled from the event, which
# is then saved and marked in the grid. Screenshots in WORKDIR/shots (look at
# them: Chinese must render, legible across a room).
# usage: kiosk_x11_admin_schedule.sh STUDYCAST WORKDIR STUDYCAST_DEMO_SI
set -eu
S=$1
W=$2
SI=$3
. "$(dirname "$0")/lib.sh"
test_workdir shots
need_tools Xvfb xdotool import

goto_field() {
  i=0
  until [ "$(mfield field)" = "$1" ]; do
    key Down; i=$((i + 1)); [ $i -le 12 ] || fail "no row '$1' in the editor"
  done
}

make_fixture "$W/plain.ts" 6
NOW=$(date +%s)
"$SI" "$W/plain.ts" "$W/eit.ts" "$NOW" || fail "demo SI tool" # its first event airs now

run_size() { # run_size NAME WxH
  SIZE=$1
  SHOT_PREFIX=$SIZE-
  D=$W/$SIZE/data
  mkdir -p "$D"
  xvfb_start "$2" "$SIZE"

  # the month: a daily course, a weekly one, two that overlap tomorrow
  tomorrow=$(TZ=Asia/Shanghai date -d "+1 day" +%Y-%m-%d)
  add() { "$S" schedule add --data-dir "$D" "$@" > /dev/null || fail "schedule add $*"; }
  add --title "每日新闻学习" --source service:1 --start "$(local_time +7200)" --duration 30 --repeat daily
  add --title "党的建设理论学习" --source service:1 --start "$(local_time +10800)" --duration 120 \
    --repeat mon,wed,fri
  # --force: at some hours of the day the daily course (2 h from now) or the
  # weekly one falls on tomorrow's 19:00 too; the list warns all the same
  add --title "现代农业技术讲座" --source service:1 --start "${tomorrow}T19:00:00+08:00" --duration 90 \
    --force
  add --title "乡村法律知识" --source "udp://239.1.1.1:5000" --start "${tomorrow}T20:00:00+08:00" \
    --duration 60 --force
  echo 2468 | "$S" pin set --data-dir "$D" > /dev/null || fail "pin set"
  kiosk_start_x "$D" --lead-minutes 0 --source "$W/eit.ts"
  key Home 2 4 6 8 Return
  expect menu.page root

  # Schedule: the month's list
  down_to Schedule 课程安排
  key Return
  expect menu.page schedule
  field menu.items | python3 -c 'import json,sys; it=json.load(sys.stdin); sys.exit(0 if any(i.get("warning") for i in it) else 1)' ||
    fail "the overlapping courses are not marked"
  shot 01-schedule-list

  # the editor: the date picker, then the weekday picker
  key Return
  expect menu.page schedule_edit
  goto_field date
  key Return Right
  expect menu.editing true
  expect menu.part 1
  shot 02-editor-date-picker
  key Escape
  goto_field repeat
  key Return Up Right Right Up Right
  expect menu.entry_repeat "mon,wed"
  shot 03-editor-weekday-picker
  key Escape
  # the new course (tomorrow 19:30, live, 120 min) overlaps 19:00-20:30
  goto_field save
  key Return
  expect menu.page schedule_conflict
  shot 04-conflict
  key Return Escape
  expect menu.page schedule

  # the calendar: the grid, then the day's courses
  down_to Calendar 日历
  key Return
  expect menu.page calendar
  shot 05-calendar
  if [ "$(mfield day)" = "$(TZ=Asia/Shanghai date +%-d)" ] &&
    [ "$(TZ=Asia/Shanghai date -d '+1 day' +%m)" = "$(TZ=Asia/Shanghai date +%m)" ]; then
    key Right # tomorrow, with its two overlapping courses
  fi
  key Return
  expect menu.in_day true
  shot 06-calendar-day
  key Escape Escape Escape
  expect menu.page root

  # the guide: the grid, the choice, the prefilled editor, saved and marked
  down_to Guide 节目单
  key Return
  expect menu.page guide
  wait_for menu.scan done 30
  shot 07-guide
  first=$(mfield event.title)
  key Right
  next=$(mfield event.title)
  [ -n "$next" ] && [ "$next" != "$first" ] || fail "Right did not move to the next event"
  key Return
  expect menu.page guide_choose
  shot 08-guide-choose
  key Down Return
  expect menu.page schedule_edit
  expect menu.entry_title "$next"
  shot 09-guide-editor
  goto_field save
  key Return
  expect menu.page guide
  expect menu.event.scheduled true
  shot 10-guide-scheduled
  kiosk_stop
  xvfb_stop
}

run_size 1080p 1920x1080
run_size 4x3 1024x768
trap - EXIT
echo "PASS: schedule and guide screens at 1080p and 4:3 in $W/shots"
