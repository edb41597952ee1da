#!/bin/sh
# The administrator's Guide through the control socket: the station's stream
# (a TS with a Chinese SDT and an EIT schedule for tomorrow, written by the
# demo's SI tool) is scanned while no course plays; the grid lists its
# service and events; right moves to the next event; OK -> "capture it for
# later" opens the editor prefilled from the event (title, start, duration),
# saved: `studycast schedule list --json` has it and the guide marks it
# scheduled; "schedule it live" likewise, lasting until the event ends. A
# service of another multiplex (SDT other + EIT other added to the stream)
# has its row, named from the SDT other, and its event cannot be scheduled
# here. A stream without an EIT says so.
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
# another multiplex: SDT other (TS 0x0202, service 9) and an EIT schedule
# other event of it, one packet each before every SDT / EIT section start
python3 - "$W/eit.ts" "$W/other.ts" "$T0" "$(dirname "$0")" <<'PY' || fail "SDT/EIT other"
import sys
sys.path.insert(0, sys.argv[4])
from si_relay import ONID, bcd_duration, dvb_text, long_section, mjd_utc
t0 = int(sys.argv[3])
name, title = dvb_text("外地农业频道"), dvb_text("外地的农业课")
desc = bytes([0x48, 3 + 1 + len(name), 0x01, 1]) + b"\x15" + bytes([len(name)]) + name
body = bytes([ONID >> 8, ONID & 0xFF, 0xFF, 0, 9, 0xFD, 4 << 5 | len(desc) >> 8, len(desc) & 0xFF])
sdt_other = long_section(0x46, 0x0202, 0, 0, 0, body + desc)
ev = bytes([0x4D, 5 + len(title)]) + b"chi" + bytes([len(title)]) + title + b"\x00"
body = bytes([0x02, 0x02, ONID >> 8, ONID & 0xFF, 0, 0x60, 0x12, 0x34]) + mjd_utc(t0 + 1800)
body += bcd_duration(3600) + bytes([1 << 5 | len(ev) >> 8, len(ev) & 0xFF]) + ev
eit_other = long_section(0x60, 9, 0, 0, 0, body)
data = open(sys.argv[1], "rb").read()
out, cc = [], {}
def packet(pid, section):
    pkt = bytes([0x47, 0x40 | pid >> 8, pid & 0xFF, 0x10, 0]) + section
    assert len(pkt) <= 188
    return bytearray(pkt + b"\xff" * (188 - len(pkt)))
for i in range(0, len(data) - 187, 188):
    p = bytearray(data[i:i + 188])
    pid = (p[1] & 0x1F) << 8 | p[2]
    if pid in (0x11, 0x12) and p[1] & 0x40:
        out.append(packet(pid, sdt_other if pid == 0x11 else eit_other))
    out.append(p)
for p in out:  # continuity counters renumbered on the two PIDs
    pid = (p[1] & 0x1F) << 8 | p[2]
    if pid in (0x11, 0x12):
        p[3] = p[3] & 0xF0 | cc.get(pid, 0)
        cc[pid] = (cc.get(pid, 0) + 1) & 15
open(sys.argv[2], "wb").write(b"".join(out))
PY
iso() { python3 -c 'import sys, datetime; tz = datetime.timezone(datetime.timedelta(hours=8)); print(datetime.datetime.fromtimestamp(int(sys.argv[1]), tz).isoformat())' "$1"; }

# a real station (one course next year) whose stream is the EIT fixture
"$S" schedule add --title "明年的课" --source service:1 --start "$(($(date +%Y) + 1))-06-01T19:00:00+08:00" \
  --duration 60 --data-dir "$D" > /dev/null || fail "schedule add"
echo 2468 | "$S" pin set --data-dir "$D" > /dev/null || fail "pin set"
kiosk_start "$D" --lead-minutes 0 --source "$W/other.ts"
press menu 2 4 6 8 ok
open_section_page guide
wait_for menu.scan done 30
[ "$(mfield guide_events)" -ge 7 ] || fail "the guide has $(mfield guide_events) events, expected 7"
expect menu.services '[1, 9]'
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
expect menu.event.other_multiplex false

# the other multiplex's service: its row is named, its event not schedulable
press down
expect menu.event.service 9
expect menu.event.service_name "外地农业频道"
expect menu.event.other_multiplex true
expect menu.event.title "外地的农业课"
press ok
expect menu.page guide
[ "$(mfield message_error)" = true ] || fail "no refusal for another multiplex's event"
"$S" schedule list --json --data-dir "$D" > "$W/list.json" || fail "schedule list"
json_check "$W/list.json" "len(d) == 3"
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
