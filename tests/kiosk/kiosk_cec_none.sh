#!/bin/sh
# HDMI-CEC with no adapter present (the machines CI runs on): the kiosk built
# against libcec starts, logs one info line about it, and works: About says
# "no adapter", the standby setting is kept in the record (Settings), a
# course plays to its summary and home, nothing is sent anywhere. With
# --no-cec the kiosk says CEC is off.
# usage: kiosk_cec_none.sh STUDYCAST WORKDIR
set -eu
S=$1 W=$2
. "$(dirname "$0")/lib.sh"
test_workdir data
D=$W/data
row_value() { # row_value ENGLISH CHINESE: the value of that menu row
  field menu.items | python3 -c '
import json, sys
for it in json.load(sys.stdin):
    if sys.argv[1] in it["label"] or sys.argv[2] in it["label"]:
        print(it.get("value", "")); break
else:
    sys.exit("no row " + sys.argv[1])' "$1" "$2" || fail "no row '$1'"
}
enter_section() {
  press menu 2 4 6 8 ok
  expect menu.page root
  focus_row "$1" "$2"
  press ok
}

make_fixture "$W/course.ts" 5
SLACK=${STUDYCAST_TEST_SLACK:-1}
"$S" schedule add --title "明天的课" --source "$W/course.ts" --start "$(local_time +86400)" \
  --duration 1 --data-dir "$D" > /dev/null || fail "schedule add"
echo 2468 | "$S" pin set --data-dir "$D" > /dev/null || fail "pin set"
kiosk_start "$D" --lead-minutes 0 --language en
expect screen home
# the adapter is looked for on a thread of its own: its line comes within seconds
i=0
while ! grep -q "HDMI-CEC" "$W/kiosk.log"; do
  i=$((i + 1)); [ $i -gt 100 ] && fail "no HDMI-CEC line in 10 s"
  sleep 0.1
done
[ "$(grep -c "HDMI-CEC" "$W/kiosk.log")" = 1 ] || fail "not one HDMI-CEC line: $(grep HDMI-CEC "$W/kiosk.log")"
grep -q "info  \[kiosk\] no HDMI-CEC adapter (none found): the TV is left as it is" "$W/kiosk.log" ||
  fail "no info line for the missing adapter"

enter_section About 关于
expect menu.page about
expect menu.tv_adapter false
expect menu.cec true
[ "$(row_value "TV (HDMI-CEC)" 电视)" = "no adapter" ] || fail "About: $(row_value "TV (HDMI-CEC)" 电视)"
press back
focus_row Settings 设置
press ok
focus_row "TV standby" 电视待机
[ "$(row_value "TV standby" 电视待机)" = "Off: the TV stays as it is" ] || fail "standby is not off by default"
expect menu.tv_standby off
press ok up ok
expect menu.tv_standby on
grep -q "menu: Saved; no HDMI-CEC adapter is connected now" "$W/kiosk.log" || fail "no word on the adapter"
press menu
wait_for screen home 3

# a course (planned while the kiosk runs) plays and ends as ever
"$S" schedule add --title "电视课" --source "$W/course.ts" --start "$(local_time $((3 + SLACK)))" \
  --duration 1 --data-dir "$D" > /dev/null || fail "schedule add"
wait_for screen rollcall $((15 + 5 * SLACK))
press back
wait_for screen summary $((15 + 5 * SLACK))
press back
wait_for screen home 3
grep -q "the TV goes to standby" "$W/kiosk.log" && fail "standby sent with no adapter"
kiosk_stop
"$S" record settings --data-dir "$D" | grep -qx "tv_standby *on" || fail "the setting is not in the record"

kiosk_start "$D" --lead-minutes 0 --language en --no-cec
grep -q "HDMI-CEC is switched off (--no-cec)" "$W/kiosk.log" || fail "--no-cec not said"
enter_section About 关于
expect menu.cec false
[ "$(row_value "TV (HDMI-CEC)" 电视)" = "switched off (--no-cec)" ] || fail "About with --no-cec"
press menu
kiosk_stop
echo "kiosk_cec_none: ok"
