#!/bin/sh
# Sticks that try to turn the export against the station, through the
# control socket with --media-dir standing in for the mounted sticks:
#   - LINKA holds a link studycast-<id8>-2026-11.incomplete -> the data dir
#     (the name of the export's unfinished folder);
#   - LINKB holds the final name studycast-<id8>-2026-11 -> the data dir, and
#     studycast-<id8>-2026-11-2.incomplete -> the data dir.
# On both the export goes to a folder of its own and verifies; the links are
# left as they were; nothing is written or removed in the data dir
# (record.sqlite, station.key, admin-pin.json, schedule.db), and after a
# restart the station has the same key, its PIN and its record.
# usage: kiosk_admin_stick_links.sh STUDYCAST WORKDIR RECORD_FIXTURE
set -eu
S=$1 W=$2 FIXTURE=$3
rm -rf "$W" && mkdir -p "$W"
. "$(dirname "$0")/lib.sh"
D=$W/data M=$W/media
mkdir -p "$M/LINKA" "$M/LINKB"
KIOSK_PID=
trap 'kill "$KIOSK_PID" 2>/dev/null || true' EXIT

"$FIXTURE" "$D" || fail "record_fixture"
"$S" schedule add --title "明年的课" --source /dev/null --start "$(local_time +86400)" \
  --duration 30 --data-dir "$D" > /dev/null || fail "schedule add"
echo 2468 | "$S" pin set --data-dir "$D" > /dev/null
for f in record.sqlite station.key admin-pin.json schedule.db; do
  [ -f "$D/$f" ] || fail "the fixture has no $f"
done
id8=$("$S" record settings --data-dir "$D" | awk '$1 == "station_id" { print substr($2, 1, 8) }')
name=studycast-$id8-2026-11
ln -s "$D" "$M/LINKA/$name.incomplete"
ln -s "$D" "$M/LINKB/$name"
ln -s "$D" "$M/LINKB/$name-2.incomplete"
"$S" record report --month 2026-11 --json --data-dir "$D" > "$W/report-before.json"
sha256sum "$D/station.key" "$D/station.pub" "$D/admin-pin.json" > "$W/keys.sha256"
ls "$D" > "$W/data-before.txt"

# data_intact WHEN: the station's files are all there, unchanged, nothing added
data_intact() {
  for f in record.sqlite station.key admin-pin.json schedule.db; do
    [ -f "$D/$f" ] || fail "$1: $f was removed from the data dir"
  done
  sha256sum -c --quiet "$W/keys.sha256" || fail "$1: the station's key or PIN changed"
  # the kiosk's own: SQLite's side files, its liveness file and its lock
  skip="-e -wal$ -e -shm$ -e -journal$ -e ^kiosk.alive$ -e ^kiosk.lock$"
  ls "$D" | grep -v $skip > "$W/data-now.txt"
  grep -v $skip "$W/data-before.txt" | cmp -s - "$W/data-now.txt" ||
    fail "$1: files appeared in or went from the data dir: $(ls "$D")"
}

kiosk_start "$D" --media-dir "$M" --lead-minutes 0
press menu 2 4 6 8 ok
open_section 'Records|学习记录'
expect menu.page records
# from this month back to November 2026 (station time +08:00)
now=$(TZ=Asia/Shanghai date +%Y-%m)
back=$(( ($(echo "$now" | cut -c1-4) - 2026) * 12 + $(echo "$now" | cut -c6-7 | sed 's/^0//') - 11 ))
i=0
while [ $i -lt "$back" ]; do press left; i=$((i + 1)); done
expect menu.report.period 2026-11
press ok
expect menu.page records_export
expect menu.sticks 2

# LINKA: the unfinished folder's name is a link to the data dir
expect menu.focus 0
press ok
wait_for menu.export_state done 60
[ "$(mfield message_error)" = false ] || fail "LINKA: export error: $(mfield message)"
[ "$(mfield export_folder)" = "$name-2" ] || fail "LINKA: folder '$(mfield export_folder)'"
data_intact LINKA
[ "$(readlink "$M/LINKA/$name.incomplete")" = "$D" ] || fail "LINKA: the link was touched"
"$S" verify "$M/LINKA/$name-2" --key "$D/station.pub" > /dev/null || fail "LINKA: verify"
grep -q "$name.incomplete is not an unfinished export of ours" "$W/kiosk.log" ||
  fail "LINKA: the link was not reported in the log"

# LINKB: the final name and the next unfinished name are links to the data dir
press down
expect menu.focus 2 # the row above the sticks says what was exported
press ok
wait_for menu.export_state done 60
[ "$(mfield message_error)" = false ] || fail "LINKB: export error: $(mfield message)"
[ "$(mfield export_folder)" = "$name-3" ] || fail "LINKB: folder '$(mfield export_folder)'"
data_intact LINKB
[ "$(readlink "$M/LINKB/$name")" = "$D" ] && [ "$(readlink "$M/LINKB/$name-2.incomplete")" = "$D" ] ||
  fail "LINKB: the links were touched"
"$S" verify "$M/LINKB/$name-3" --key "$D/station.pub" > /dev/null || fail "LINKB: verify"
kiosk_stop

# after a restart: the same key, the PIN, the record
data_intact restart
"$S" record check --data-dir "$D" > /dev/null || fail "record check"
"$S" record report --month 2026-11 --json --data-dir "$D" > "$W/report-after.json"
cmp -s "$W/report-before.json" "$W/report-after.json" || fail "the record changed"
kiosk_start "$D" --media-dir "$M" --lead-minutes 0
press menu 2 4 6 8 ok
wait_for menu.page root 10
kiosk_stop
data_intact "after the restart"
trap - EXIT
echo "PASS: links on sticks are not followed, the data dir is intact, exports verify"
