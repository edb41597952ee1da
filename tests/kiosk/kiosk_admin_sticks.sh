#!/bin/sh
# Exporting the record to sticks that refuse it, through the control socket:
# a full stick (a 16 kB tmpfs) and a read-only one (a tmpfs mounted ro; root
# ignores chmod, so a real read-only mount) in a private mount namespace,
# beside a good one, all under --media-dir. The full stick gets the "full"
# message and keeps no half export; the read-only one is shown as such and
# gets the "read-only" message; the record is untouched (record check, the
# same report) and the export then succeeds on the good stick and verifies.
# Needs a private mount namespace (root): otherwise skipped (77).
# usage: kiosk_admin_sticks.sh STUDYCAST WORKDIR RECORD_FIXTURE
set -eu
S=$1 W=$2 FIXTURE=$3
. "$(dirname "$0")/lib.sh"
in_private_mount_namespace "$@"
test_workdir media/FULL media/GOOD media/LOCKED
D=$W/data M=$W/media
mount -t tmpfs -o size=16k tmpfs "$M/FULL" || fail "mount the full stick"
mount -t tmpfs -o ro,size=1m tmpfs "$M/LOCKED" || fail "mount the read-only stick"
trap 'cleanup_procs; umount "$M/FULL" "$M/LOCKED" 2>/dev/null || true' EXIT


"$FIXTURE" "$D" || fail "record_fixture"
"$S" schedule add --title "明年的课" --source /dev/null --start "$(local_time +86400)" \
  --duration 30 --data-dir "$D" > /dev/null || fail "schedule add"
echo 2468 | "$S" pin set --data-dir "$D" > /dev/null
"$S" record report --month 2026-11 --json --data-dir "$D" > "$W/report-before.json"

kiosk_start "$D" --media-dir "$M" --lead-minutes 0
press menu 2 4 6 8 ok
open_section 'Records|学习记录'
expect menu.page records
press ok
expect menu.page records_export
expect menu.sticks 3
field menu.items > "$W/sticks.json"
json_check "$W/sticks.json" \
  "[x['label'] for x in d] == ['USB  FULL', 'USB  GOOD', 'USB  LOCKED']" \
  "d[2]['value'] in ('read-only', '只读')" \
  "d[0]['value'] not in ('read-only', '只读')"

# the full stick: "full", nothing half-written left on it
expect menu.focus 0
press ok
wait_for menu.export_state failed 60
[ "$(mfield message_error)" = true ] || fail "no error on the full stick"
case "$(mfield message)" in *full*|*已满*) ;; *) fail "not a 'full' message: $(mfield message)" ;; esac
[ -z "$(ls -A "$M/FULL")" ] || fail "the full stick keeps a half export: $(ls -A "$M/FULL")"
expect menu.export_partial_left false

# the read-only stick
press down down
expect menu.focus 2
press ok
wait_for menu.export_state failed 60
case "$(mfield message)" in *read-only*|*只读*) ;; *) fail "not a 'read-only' message: $(mfield message)" ;; esac
[ -z "$(ls -A "$M/LOCKED")" ] || fail "something on the read-only stick"

# nothing lost: the record is as before, and the good stick takes the export
"$S" record check --data-dir "$D" > /dev/null || fail "record check"
"$S" record report --month 2026-11 --json --data-dir "$D" > "$W/report-after.json"
cmp -s "$W/report-before.json" "$W/report-after.json" || fail "the record changed"
press up
expect menu.focus 1
press ok
wait_for menu.export_state done 60
folder=$(mfield export_folder)
"$S" verify "$M/GOOD/$folder" --key "$D/station.pub" > /dev/null || fail "verify on the good stick"
kiosk_stop
echo "PASS: full stick, read-only stick, then a good one"
