#!/bin/sh
# The administrator's Schedule section through the control socket: a course
# added with the pickers (date, time and duration typed, weekdays toggled with
# the arrows, kind capture) is in `studycast schedule list --json`; a course
# overlapping another shows its conflict before saving (go back, change the
# time, saved); a capture over a live course on another stream cannot be
# saved anyway (one receiver); editing and deleting (with its confirmation);
# the calendar's per-day counts match the CLI's occurrences and its
# navigation (days, weeks, months, the day's list) works.
set -eu
S=$1 W=$2
. "$(dirname "$0")/lib.sh"
test_workdir data
D=$W/data

# json of the schedule
listing() { "$S" schedule list --json --data-dir "$D" > "$W/list.json" || fail "schedule list"; }

# goto_field NAME: as many downs as the editor's row NAME is below the focus
goto_field() {
  n=$(field menu | python3 -c '
import json, sys
m = json.load(sys.stdin)
print((m["rows"].index(sys.argv[1]) - m["focus"]) % len(m["rows"]))' "$1") || fail "no row '$1' in the editor"
  [ "$n" -gt 0 ] && press $(yes down | head -n "$n")
  expect menu.field "$1"
}
# goto_month YYYY-MM with right (list) or channel_up (calendar)
goto_month() {
  i=0
  until [ "$(mfield month)" = "$1" ]; do
    press "$2"; i=$((i + 1)); [ $i -le 30 ] || fail "month $1 not reached ($(mfield month))"
  done
}
# open_entry ID: the list row of entry ID, opened
open_entry() {
  n=$(field menu | python3 -c '
import json, sys
m = json.load(sys.stdin)
print((m["entry_ids"].index(int(sys.argv[1])) + 2 - m["focus"]) % len(m["items"]))' "$1") \
    || fail "entry $1 is not listed"
  [ "$n" -gt 0 ] && press $(yes down | head -n "$n")
  press ok
  expect menu.page schedule_edit
  expect menu.entry_id "$1"
}

Y=$(($(date +%Y) + 1)) # next year: nothing here is due while the test runs
# the first Monday of March: the weekly course starts on one of its days
MD=$(python3 -c "import datetime; d = datetime.date($Y, 3, 1); print('%02d' % (1 + (7 - d.weekday()) % 7))")
make_fixture "$W/course.ts" 4
"$S" schedule add --title "已有的课" --source service:1 --start "$Y-03-20T19:00:00+08:00" \
  --duration 120 --data-dir "$D" > /dev/null || fail "schedule add"
"$S" schedule add --title "网络直播" --source "udp://239.9.9.9:5000" \
  --start "$Y-03-23T08:00:00+08:00" --duration 60 --data-dir "$D" > /dev/null || fail "add udp"
echo 2468 | "$S" pin set --data-dir "$D" > /dev/null || fail "pin set"
kiosk_start "$D" --lead-minutes 0 --source "$W/course.ts"
expect demo false
press menu 2 4 6 8 ok
expect menu.page root
open_section_page schedule

# ---- a new course with the pickers ----
expect menu.focus 0
press ok
expect menu.page schedule_edit
expect menu.entry_id 0
goto_field date
press ok
expect menu.editing true
# the year, month and day typed: each part moves on by itself when full
press $(echo "${Y}03$MD" | sed 's/./& /g')
expect menu.part 2
press ok
expect menu.editing false
goto_field time
press 2 0 1 5 # digits on a row start its picker
press ok
goto_field duration
press ok 9 0 ok
goto_field repeat
press ok up right right up # Monday on, Wednesday on
expect menu.entry_repeat "mon,wed"
press ok
goto_field kind
press ok up # live -> capture
expect menu.entry_kind capture
press ok
# an undone picker: BACK restores the value it had
goto_field time
press ok 0 7 back
# the title typed on the on-screen keyboard: the title picker's last choice
goto_field title
press ok down ok # down from the first choice: the last
expect menu.page keyboard
kb_type "FARM-1 A"
kb_type "{done}"
expect menu.page schedule_edit
expect menu.entry_title "FARM-1 A"
goto_field save
press ok
expect menu.page schedule
case "$(mfield message)" in *"FARM-1 A"*) ;; *) fail "no 'added' message: $(mfield message)" ;; esac
listing
json_check "$W/list.json" "len(d) == 3" \
  "[e for e in d if e['start'] == '$Y-03-${MD}T20:15:00+08:00' and e['duration_minutes'] == 90
    and e['repeat'] == 'mon,wed' and e['kind'] == 'capture' and e['source'] == 'service:1'
    and not e['counts'] and e['title'] == 'FARM-1 A']"
CAP=$(python3 -c 'import json,sys; print([e["id"] for e in json.load(open(sys.argv[1])) if e["kind"] == "capture"][0])' "$W/list.json")

# ---- a conflict, shown before saving ----
press ok
goto_field date
press ok $(echo "$Y" | sed 's/./& /g') 0 3 2 0 ok
goto_field time
press 1 9 3 0 ok
goto_field duration
press ok 6 0 ok
goto_field save
press ok
expect menu.page schedule_conflict
expect menu.conflicts 1
expect menu.save_allowed true
expect menu.conflict_types '["screen"]'
field menu.items | python3 -c 'import json,sys; it=json.load(sys.stdin); sys.exit(0 if it[0].get("warning") and "已有的课" in it[0]["label"] else 1)' \
  || fail "the conflict row does not name the other course in the warning colour"
listing
json_check "$W/list.json" "len(d) == 3" # nothing saved yet
press ok # the focus is on "go back and change it"
expect menu.page schedule_edit
goto_field time
press 2 2 0 0 ok
goto_field save
press ok
expect menu.page schedule
listing
json_check "$W/list.json" "len(d) == 4" \
  "[e for e in d if e['start'] == '$Y-03-20T22:00:00+08:00' and e['duration_minutes'] == 60
    and e['kind'] == 'live' and e['repeat'] == 'once']"

# ---- one receiver: a capture over a live course on another stream ----
press ok
goto_field date
press ok $(echo "$Y" | sed 's/./& /g') 0 3 2 3 ok
goto_field time
press 0 8 3 0 ok
goto_field kind
press ok up ok
goto_field save
press ok
expect menu.page schedule_conflict
expect menu.save_allowed false
expect menu.conflict_types '["tuner"]'
press down ok # "save anyway": refused, with a message
expect menu.page schedule_conflict
[ "$(mfield message_error)" = true ] || fail "no message refusing 'save anyway'"
press up ok
expect menu.page schedule_edit
press back # leave the editor without saving
expect menu.page schedule
listing
json_check "$W/list.json" "len(d) == 4"

# ---- the same conflict as before, saved anyway: the calendar marks it ----
press ok
goto_field date
press ok $(echo "$Y" | sed 's/./& /g') 0 3 2 0 ok
goto_field time
press 2 0 0 0 ok
goto_field save
press ok
expect menu.page schedule_conflict
press down ok
expect menu.page schedule
listing
json_check "$W/list.json" "len(d) == 5"
OVER=$(python3 -c 'import json,sys; print([e["id"] for e in json.load(open(sys.argv[1])) if e["start"].endswith("-03-20T20:00:00+08:00")][0])' "$W/list.json")

# ---- edit, then delete ----
goto_month "$Y-03" right
open_entry "$CAP"
goto_field duration
press ok 4 5 ok
goto_field save
press ok
expect menu.page schedule
listing
json_check "$W/list.json" "[e for e in d if e['id'] == $CAP and e['duration_minutes'] == 45]"

# ---- the calendar: counts per day as the CLI's occurrences ----
press up # to the top, then "Calendar"
until [ "$(mfield focus)" = 1 ]; do press up; done
press ok
expect menu.page calendar
goto_month "$Y-03" channel_up
"$S" schedule list --json --from "$Y-03-01" --to "$Y-03-31" --data-dir "$D" > "$W/occ.json" \
  || fail "schedule list --from"
field menu.day_courses > "$W/days.json"
python3 - "$W/occ.json" "$W/days.json" <<'PY' || fail "calendar counts differ from the occurrences"
import json, sys
occ = json.load(open(sys.argv[1]))["occurrences"]
days = json.load(open(sys.argv[2]))
want = [0] * 31
for o in occ:
    want[int(o["start"][8:10]) - 1] += 1
if days != want[:len(days)] or sum(days) == 0:
    print("calendar", days, "\noccurrences", want, file=sys.stderr)
    sys.exit(1)
PY
expect menu.conflict_days '[20]'
expect menu.day 1
press right
expect menu.day 2
press down
expect menu.day 9
press up left
expect menu.day 1
press left # back into February
expect menu.month "$Y-02"
press right # 03-01
expect menu.month "$Y-03"
i=1; while [ $i -lt "${MD#0}" ]; do press right; i=$((i + 1)); done
expect menu.day "${MD#0}"
press ok # the day's list
expect menu.in_day true
n=$(field menu.items | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 2 ] || fail "03-$MD lists $n rows, expected its course and 'add'"
press ok
expect menu.page schedule_edit
expect menu.entry_id "$CAP"
press back
expect menu.page calendar
press back
expect menu.in_day false
press back
expect menu.page schedule

# delete the overlapping course: asked first
open_entry "$OVER"
goto_field delete
press ok
expect menu.page schedule_delete
press ok # "no, keep it"
expect menu.page schedule_edit
press ok
press down ok
expect menu.page schedule
listing
json_check "$W/list.json" "len(d) == 4" "not [e for e in d if e['id'] == $OVER]"
kiosk_stop
trap - EXIT
echo "PASS: schedule list, pickers, conflicts, edit, delete, calendar"
