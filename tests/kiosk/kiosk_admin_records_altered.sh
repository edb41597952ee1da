#!/bin/sh
# The administrator's Records section on an altered record (record_fixture,
# then an event's session turned into a blob with the update trigger dropped:
# the derivations lose a check-out while the text hashes as before):
#   - the report page shows the figures under a warning naming the event
#     (message, a warning row, menu.report.record_check), and OK refuses to
#     export without blaming the stick;
#   - a record altered after the page was opened: the export's own check
#     refuses it, the screen says the record (not the stick) is at fault and
#     nothing is left on the stick.
# usage: kiosk_admin_records_altered.sh STUDYCAST WORKDIR RECORD_FIXTURE
set -eu
S=$1 W=$2 FIXTURE=$3
rm -rf "$W" && mkdir -p "$W"
. "$(dirname "$0")/lib.sh"
D=$W/data M=$W/media
mkdir -p "$M/STICK"
KIOSK_PID=
trap 'kill "$KIOSK_PID" 2>/dev/null || true' EXIT

"$FIXTURE" "$D" || fail "record_fixture"
# a planned course, so the kiosk runs on this data dir and not the demo's
"$S" schedule add --title "明年的课" --source /dev/null --start "$(local_time +86400)" \
  --duration 30 --data-dir "$D" > /dev/null || fail "schedule add"
echo 2468 | "$S" pin set --data-dir "$D" > /dev/null

# alter DATA_DIR: the first check-out's session as a blob; prints its seq
alter() {
  python3 - "$1/record.sqlite" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=10)
seq = c.execute("SELECT min(seq) FROM events WHERE type = 'member_checked_out'").fetchone()[0]
c.execute("DROP TRIGGER events_no_update")
c.execute("UPDATE events SET session = CAST(session AS BLOB) WHERE seq = ?", (seq,))
c.commit()
print(seq)
PY
}

# not_the_stick: the message names the record and does not send anyone to
# another stick
not_the_stick() {
  msg=$(mfield message)
  [ "$(mfield message_error)" = true ] || fail "no error shown: $msg"
  case "$msg" in *"event $1"*|*"第 $1 条"*) ;; *) fail "the message does not name event $1: $msg" ;; esac
  case "$msg" in *altered*|*篡改*) ;; *) fail "the message does not say altered: $msg" ;; esac
  case "$msg" in *"another stick"*|*换一个U盘*) fail "the stick is blamed: $msg" ;; esac
}

# 1. altered before the page opens
cp -a "$D" "$W/sound"
seq=$(alter "$D") || fail "alter"
kiosk_start "$D" --media-dir "$M" --lead-minutes 0
press menu 2 4 6 8 ok
open_section 'Records|学习记录'
expect menu.page records
expect menu.report.record_check.ok false
expect menu.report.record_check.first_bad_seq "$seq"
expect menu.report.record_check.type member_checked_out
[ "$(mfield message_error)" = true ] || fail "no warning on the report page"
case "$(mfield message)" in *"event $seq"*|*"第 $seq 条"*) ;; *) fail "warning: $(mfield message)" ;; esac
field menu.items | python3 -c '
import json, sys
rows = [i for i in json.load(sys.stdin) if i.get("warning") and sys.argv[1] in str(i.get("value"))]
assert rows, "no warning row naming the event"' "$seq" || fail "no warning row"
press ok
expect menu.page records
not_the_stick "$seq"
ls "$M/STICK" | grep -q . && fail "something was written to the stick"
kiosk_stop

# 2. altered while the export page is open: the export's own check
rm -rf "$D" && mv "$W/sound" "$D"
kiosk_start "$D" --media-dir "$M" --lead-minutes 0
press menu 2 4 6 8 ok
open_section 'Records|学习记录'
expect menu.report.record_check.ok true
press ok
expect menu.page records_export
expect menu.sticks 1
seq=$(alter "$D") || fail "alter"
press ok
wait_for menu.export_state failed 60
not_the_stick "$seq"
ls "$M/STICK" | grep -q . && fail "something was left on the stick: $(ls "$M/STICK")"
press back
expect menu.page records
expect menu.report.record_check.ok false
kiosk_stop
trap - EXIT
echo "PASS: an altered record is reported under a warning and not exported"
