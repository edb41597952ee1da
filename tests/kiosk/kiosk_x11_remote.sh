#!/bin/sh
# Settings -> Remote on a real X server with real key events (xdotool): a
# keyboard's F7 learnt for OK, pointed out when pressed again for BACK
# (Escape skips), then, after a restart in English, F7 is OK on the PIN page.
# Screenshots in WORKDIR/shots, Chinese and English (look at them).
# usage: kiosk_x11_remote.sh STUDYCAST WORKDIR
set -eu
S=$1
W=$2
. "$(dirname "$0")/lib.sh"
test_workdir shots data devs
need_tools Xvfb xdotool import
D=$W/data
xvfb_start 1280x720

make_fixture "$W/course.ts" 4
"$S" schedule add --title "明天的课" --source "$W/course.ts" --start "$(local_time +86400)" \
  --duration 30 --data-dir "$D" > /dev/null || fail "schedule add"
echo 2468 | "$S" pin set --data-dir "$D" > /dev/null || fail "pin set"
: > "$W/keymap.conf"
start() { # start LANGUAGE
  kiosk_start_x "$D" --lead-minutes 0 --keymap "$W/keymap.conf" --input-dir "$W/devs" \
    --window 1280x720 --language "$1"
}
to_remote_page() {
  key Home 2 4 6 8 Return
  expect menu.page root
  down_to Settings 设置
  key Return
  expect menu.page settings
  down_to Remote 遥控器
}

start zh_CN
to_remote_page
shot zh-01-settings
key Return
expect menu.page remote
shot zh-02-remote
key Return
expect menu.learn wait
shot zh-03-waiting
key F7
expect menu.learn idle
field menu.keys.ok | grep -q '"F7"' || fail "F7 was not learnt for ok"
grep -qx "F7 = ok" "$W/keymap.conf" || fail "F7 is not in the keymap file"
shot zh-04-learnt
# the focus is on BACK now: F7 again is pointed out, Escape (BACK) skips
key Return F7
expect menu.learn conflict
shot zh-05-conflict
key Escape
expect menu.learn idle
field menu.keys.ok | grep -q '"F7"' || fail "skipping moved F7"
kiosk_stop

# in English after a restart: F7 is OK on the PIN page
start en
key Home 2 4 6 8 F7
expect menu.page root
down_to Settings 设置
key F7
down_to Remote 遥控器
shot en-01-settings
key F7
expect menu.page remote
shot en-02-remote
key F7
expect menu.learn wait
shot en-03-waiting
key Escape
expect menu.learn idle
down_to "Restore the built-in keys" 恢复
key Return
shot en-04-restore
key Escape
kiosk_stop
echo "kiosk_x11_remote: ok"
