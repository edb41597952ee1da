#!/bin/sh
# The administrator's menu on a real X server with real key events
# (xdotool), at 1920x1080 and on a 4:3 screen (1024x768): the PIN page while
# typing and locked out after five wrong PINs, the root page, Settings with a
# picker open, the on-screen keyboard holding an imported Chinese name and
# then typing a Latin one, About with the station key, Services with the
# demo stream's service chosen and the address picker. Screenshots
# in WORKDIR/shots (look at them: Chinese must render, legible across a room).
# usage: kiosk_x11_admin_settings.sh STUDYCAST WORKDIR STREAM.ts (the demo course: its SDT)
set -eu
S=$1
W=$2
STREAM=$3
. "$(dirname "$0")/lib.sh"
test_workdir shots
need_tools Xvfb xdotool import

run_size() { # run_size NAME WxH
  SIZE=$1
  SHOT_PREFIX=$SIZE-
  D=$W/$SIZE/data
  mkdir -p "$D"
  xvfb_start "$2" "$SIZE"

  "$S" schedule add --title "明天的课" --source "$W/course.ts" --start "$(local_time +86400)" \
    --duration 30 --data-dir "$D" > /dev/null || fail "schedule add"
  echo 2468 | "$S" pin set --data-dir "$D" > /dev/null || fail "pin set"
  "$S" record settings --station-name "张家村学习站" --data-dir "$D" > /dev/null ||
    fail "record settings"
  kiosk_start_x "$D" --lead-minutes 0 --source "$STREAM"

  # the PIN page: typing, then five wrong PINs lock it
  key Home
  expect menu.page pin
  key 2 4 6
  expect menu.pin_entered 3
  shot 01-pin-typing
  for i in 1 2 3 4 5; do key 1 1 1 1 Return; done
  expect menu.pin_failures 5
  [ "$(mfield pin_locked_s)" -gt 800 ] || fail "not locked"
  shot 02-pin-locked
  # the countdown moves by itself (the ui redraws every second)
  sleep 2
  shot 02-pin-locked-later
  cmp -s "$W/shots/$SIZE-02-pin-locked.png" "$W/shots/$SIZE-02-pin-locked-later.png" &&
    fail "the lock-out countdown did not move"
  key Escape
  echo 2468 | "$S" pin set --data-dir "$D" > /dev/null || fail "pin set"
  key Home 2 4 6 8 Return
  expect menu.page root
  shot 03-root

  # Settings with the station type picker open
  down_to Settings 设置
  key Return
  expect menu.page settings
  shot 04-settings
  down_to "Station type" 站点类型
  key Return Up
  shot 05-settings-picker
  key Return
  expect menu.sessions_required 4

  # the keyboard: the imported Chinese name, then a Latin one typed
  down_to "Station name" 站点名称
  key Return
  expect menu.page keyboard
  expect menu.text "张家村学习站"
  shot 06-keyboard-chinese
  key Escape Escape Escape Escape Escape Escape
  expect menu.text ""
  kb_type_x "Zhangjia 2"
  expect menu.text "Zhangjia 2"
  shot 07-keyboard-typed
  kb_type_x "{done}"
  expect menu.page settings
  expect menu.station_name "Zhangjia 2"
  shot 08-settings-saved

  # About
  key Escape
  expect menu.page root
  down_to About 关于
  key Return
  expect menu.page about
  shot 09-about
  key Escape
  # Services: the demo stream's service found by the scan, chosen
  down_to Services 节目与信号
  key Return
  expect menu.page services
  deadline=$(($(date +%s) + 60))
  until field menu.services | grep -q "乡村振兴课堂"; do
    [ "$(date +%s)" -gt "$deadline" ] && fail "no service found on $STREAM"
    sleep 0.5
  done
  down_to "乡村振兴课堂" "乡村振兴课堂"
  key Return
  expect menu.service 1
  shot 10-services
  down_to Stream 信号源
  key Return
  expect menu.page source
  down_to "Multicast address" 组播地址
  key Return Right 2 0
  shot 11-source-picker
  key Escape Escape
  expect menu.page services
  key Escape
  key Home
  expect screen home
  kiosk_stop
  xvfb_stop
}

make_fixture "$W/course.ts" 4
run_size 1080p 1920x1080
run_size 4x3 1024x768
for f in "$W"/shots/*.png; do
  [ -s "$f" ] || fail "empty screenshot $f"
done
trap - EXIT
echo "ok: screenshots in $W/shots"
