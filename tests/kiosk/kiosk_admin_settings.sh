#!/bin/sh
# The administrator's Settings and About pages through the control socket:
# the station name typed on the on-screen keyboard (an imported Chinese name
# shown and deleted a character at a time), village/township changing the
# month's requirement, volume, language and clock source applied at once,
# kept in the record and still there after a restart; About shows the same
# public key as `studycast record settings` and checks the record.
set -eu
S=$1 W=$2
. "$(dirname "$0")/lib.sh"
test_workdir data
D=$W/data

# the value of the menu row whose label contains $1 (English or Chinese: $2)
row_value() {
  field menu.items | python3 -c '
import json, sys
for it in json.load(sys.stdin):
    if sys.argv[1] in it["label"] or sys.argv[2] in it["label"]:
        print(it.get("value", "")); break
else:
    sys.exit("no row " + sys.argv[1])' "$1" "$2" || fail "no row '$1' on page $(mfield page)"
}
# enter_section ENGLISH CHINESE: MENU, the PIN, then the root page's section
enter_section() {
  press menu 2 4 6 8 ok
  expect menu.page root
  focus_row "$1" "$2"
  press ok
}
setting() { # setting KEY: as `studycast record settings` prints it
  "$S" record settings --data-dir "$D" | sed -n "s/^$1 *//p"
}

# a real station (not the demo): one course planned for tomorrow; a Chinese
# station name as an import would bring it
make_fixture "$W/course.ts" 4
"$S" schedule add --title "明天的课" --source "$W/course.ts" --start "$(local_time +86400)" \
  --duration 30 --data-dir "$D" > /dev/null || fail "schedule add"
echo 2468 | "$S" pin set --data-dir "$D" > /dev/null || fail "pin set"
"$S" record settings --station-name "张家村学习站" --data-dir "$D" > /dev/null || fail "record settings"
KEY=$(setting public_key)
ID=$(setting station_id)
[ ${#KEY} = 64 ] || fail "no public key from record settings: '$KEY'"

kiosk_start "$D" --lead-minutes 0
expect language zh_CN
expect volume 100
enter_section Settings 设置
expect menu.page settings
[ "$(row_value "Station name" 站点名称)" = "张家村学习站" ] || fail "the station name is not shown"
[ "$(row_value "Station id" 站点编号)" = "$ID" ] || fail "the station id is not the record's"
expect menu.sessions_required 3

# the keyboard: the imported Chinese name, deleted one character at a time
focus_row "Station name" 站点名称
press ok
expect menu.page keyboard
expect menu.text "张家村学习站"
press back
expect menu.text "张家村学习"
kb_type "{cancel}"
expect menu.page settings
[ "$(row_value "Station name" 站点名称)" = "张家村学习站" ] || fail "cancel changed the name"
press ok
expect menu.page keyboard
press back back back back back back
expect menu.text ""
# remote digits type themselves; the keys type letters, space, marks
kb_type "Zhangjia Village-2"
expect menu.text "Zhangjia Village-2"
press back 7
expect menu.text "Zhangjia Village-7"
kb_type "{done}"
expect menu.page settings
[ "$(row_value "Station name" 站点名称)" = "Zhangjia Village-7" ] || fail "name not saved"
[ "$(setting station_name)" = "Zhangjia Village-7" ] || fail "name not in the record"
# an empty name is refused and the keyboard stays
press ok
press back back back back back back back back back back back back back back back back back back
expect menu.text ""
kb_type "{done}"
expect menu.page keyboard
[ "$(mfield message_error)" = true ] || fail "an empty name was not refused"
kb_type "{cancel}"
[ "$(setting station_name)" = "Zhangjia Village-7" ] || fail "cancel changed the record"

# village -> township: 4 sessions a month; BACK leaves a picker unchanged
focus_row "Station type" 站点类型
press ok
[ "$(field menu.items | python3 -c 'import json,sys; print(sum(1 for i in json.load(sys.stdin) if i.get("editing")))')" = 1 ] ||
  fail "no picker open"
press up ok
expect menu.sessions_required 4
expect menu.station_type township
[ "$(setting station_type)" = township ] || fail "station type not in the record"
press ok up back
expect menu.station_type township

# volume 100 -> 70, applied now
focus_row Volume 音量
press ok down down down ok
expect volume 70
[ "$(setting volume)" = 70 ] || fail "volume not in the record"

# language: English now
focus_row Language 语言
press ok up ok
expect language en
expect menu.title Settings
[ "$(setting language)" = en ] || fail "language not in the record"

# clock source: the system clock only
focus_row "Clock source" 时钟来源
press ok up ok
expect menu.clock_setting system
case "$(field clock_source)" in system|ntp) ;; *) fail "clock source $(field clock_source)" ;; esac
[ "$(setting clock_source)" = system ] || fail "clock source not in the record"

# About: the same key as the record prints, grouped by 4; the record check
press back
expect menu.page root
focus_row About 关于
press ok
expect menu.page about
expect menu.public_key "$KEY"
shown=$(field menu.items | python3 -c '
import json, sys
print("".join(i.get("value", "").replace(" ", "") for i in json.load(sys.stdin) if "key" in i["label"]))')
[ "$shown" = "$KEY" ] || fail "About shows key '$shown', the record has '$KEY'"
field menu.items | python3 -c '
import json, re, sys
rows = [i["value"] for i in json.load(sys.stdin) if "key" in i["label"]]
assert len(rows) == 4 and all(re.fullmatch(r"[0-9a-f]{4}( [0-9a-f]{4}){3}", r) for r in rows), rows' ||
  fail "the key is not in 4 rows of 4 groups"
case "$(row_value Version 版本)" in "studycast "[0-9]*) ;; *) fail "no version" ;; esac
press up ok
case "$(mfield message)" in *sound*) ;; *) fail "record check: $(mfield message)" ;; esac
press menu

# everything is still there after a restart
kiosk_stop
kiosk_start "$D" --lead-minutes 0
expect language en
expect volume 70
enter_section Settings 设置
expect menu.sessions_required 4
expect menu.clock_setting system
[ "$(row_value "Station name" 站点名称)" = "Zhangjia Village-7" ] || fail "name lost at restart"
[ "$(row_value Volume 音量)" = 70 ] || fail "volume row after restart"
[ "$(row_value Language 语言)" = English ] || fail "language row after restart"
# and back to Chinese, the default
focus_row Language 语言
press ok down ok
expect language zh_CN
kiosk_stop
trap - EXIT
echo "PASS: settings typed and picked, applied, kept across a restart; About's key"
