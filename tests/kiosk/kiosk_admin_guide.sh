#!/bin/sh
# The administrator's Guide through the control socket: the station's stream
# (a TS with a Chinese SDT and an EIT schedule for tomorrow, written by the
# demo's SI tool) is scanned while no course plays; the grid lists its
# service and events; right moves to the next event; OK -> "capture it for
# later" opens the editor prefilled from the event (title, start, duration),
# saved: `studycast schedule list --json` has it and the guide marks it
# scheduled; "schedule it live" likewise, lasting until the event ends. A
# stream without an EIT says so.
# usage: kiosk_admin_guide.sh STUDYCAST WORKDIR STUDYCAST_DEMO_SI
set -eu
S=$1 W=$2 SI=$3
. "$(dirname "$0")/lib.sh"
test_workdir data
D=$W/data

goto_field() {
  i=0
  until [ "$(mfield field)" = "$1" ]; do
    press down; i=$((i + 1)); [ $i -le 12 ] || fail "no row '$1' in the editor"
  done
}

make_fixture "$W/plain.ts" 6
T0=$(( ($(date +%s) + 86400) / 3600 * 3600 )) # the guide's day: tomorrow, on the hour
"$SI" "$W/plain.ts" "$W/eit.ts" "$T0" || fail "demo SI tool"
iso() { python3 -c 'import sys, datetime; tz = datetime.timezone(datetime.timedelta(hours=8)); print(datetime.datetime.fromtimestamp(int(sys.argv[1]), tz).isoformat())' "$1"; }

# a real station (one course next year) whose stream is the EIT fixture
"$S" schedule add --title "明年的课" --source service:1 --start "$(($(date +%Y) + 1))-06-01T19:00:00+08:00" \
  --duration 60 --data-dir "$D" > /dev/null || fail "schedule add"
echo 2468 | "$S" pin set --data-dir "$D" > /dev/null || fail "pin set"
kiosk_start "$D" --lead-minutes 0 --source "$W/eit.ts"
press menu 2 4 6 8 ok
open_section_page guide
wait_for menu.scan done 30
[ "$(mfield guide_events)" -ge 6 ] || fail "the guide has $(mfield guide_events) events, expected 6"
expect menu.services '[1]'
expect menu.kind guide
expect menu.event.title "现代农业种植技术"
expect menu.event.start "$(iso "$T0")"
expect menu.event.scheduled false
field menu.items > /dev/null

# the second event, captured for later
press right
expect menu.event.title "基层党建工作实务"
expect menu.event.start "$(iso $((T0 + 3600)))"
expect menu.event.end "$(iso $((T0 + 3600 + 45 * 60)))"
press ok
expect menu.page guide_choose
press down ok
expect menu.page schedule_edit
expect menu.entry_title "基层党建工作实务"
expect menu.entry_kind capture
expect menu.entry_source service:1
goto_field save
press ok
expect menu.page guide
expect menu.event.title "基层党建工作实务"
expect menu.event.scheduled true
"$S" schedule list --json --data-dir "$D" > "$W/list.json" || fail "schedule list"
json_check "$W/list.json" "len(d) == 2" \
  "[e for e in d if e['title'] == '基层党建工作实务' and e['start'] == '$(iso $((T0 + 3600)))'
    and e['duration_minutes'] == 45 and e['kind'] == 'capture' and e['source'] == 'service:1'
    and e['repeat'] == 'once']"

# the first, live
press left
expect menu.event.scheduled false
press ok ok
expect menu.page schedule_edit
expect menu.entry_kind live
goto_field until_event_end # a broadcast service: it may last until its event ends
press ok
goto_field save
press ok
expect menu.page guide
expect menu.event.scheduled true
"$S" schedule list --json --data-dir "$D" > "$W/list.json" || fail "schedule list"
json_check "$W/list.json" "len(d) == 3" \
  "[e for e in d if e['title'] == '现代农业种植技术' and e['start'] == '$(iso "$T0")'
    and e.get('until_event_end') and e['kind'] == 'live' and e['counts']]"
press back
expect menu.page root
kiosk_stop

# a stream without a guide: said on the Guide page
kiosk_start "$D" --lead-minutes 0 --source "$W/plain.ts"
press menu 2 4 6 8 ok
open_section_page guide
wait_for menu.scan done 30
expect menu.guide_events 0
[ "$(mfield message_error)" = true ] || fail "no message for a stream without a guide"
press ok
expect menu.page guide
kiosk_stop
trap - EXIT
echo "PASS: guide from the stream's EIT, scheduled live and captured, marked"
