#!/bin/sh
# A full disk during a course: the record's writes fail, the kiosk says so on
# screen (a toast) and in the log, playback goes on; once space is back the
# heartbeats are recorded again, the session closes, and everything recorded
# before stays valid (record check, export verify). The data dir is a small
# tmpfs in a private mount namespace (root), or the test is skipped (77).
# usage: kiosk_disk_full.sh STUDYCAST WORKDIR
set -eu
S=$1
W=$2
. "$(dirname "$0")/lib.sh"
in_private_mount_namespace "$@"
test_workdir data
mount -t tmpfs -o size=8m tmpfs "$W/data" || fail "mount tmpfs"

make_fixture "$W/course.ts" 120
roster_csv "$W/roster.csv"
"$S" members import "$W/roster.csv" --data-dir "$W/data" > /dev/null || fail "import"
"$S" schedule add --title "满盘测试" --source "$W/course.ts" --start "$(local_time +4)" \
  --duration 3 --data-dir "$W/data" > /dev/null || fail "schedule add"
kiosk_start "$W/data"
wait_for screen rollcall 12
session=$(field session_id)
press 1 ok back
wait_for playback_started true 5
# fill the disk: the next heartbeat (every 10 s) cannot be written
dd if=/dev/zero of="$W/data/filler" bs=64k 2> /dev/null || true
i=0
until grep -q "study record: recording a heartbeat: the disk is full" "$W/kiosk.log"; do
  i=$((i + 1))
  [ $i -le 150 ] || fail "no record error in the log"
  sleep 0.1
done
# a member who comes while the record cannot be written is kept, with the
# time they came, and recorded once there is space again
press 2 ok
grep -q "warn  \[kiosk\] message: " "$W/kiosk.log" || fail "no error message on screen"
# the failure may come at once (the first snapshot) or at the first
# heartbeat: the course plays on, 10 s at least, with the disk full
i=0
until [ "$(field played_seconds)" -ge 10 ]; do
  i=$((i + 1))
  [ $i -le 300 ] || fail "the course did not play on with the disk full"
  sleep 0.1
done
wait_for screen playing 15
p1=$(field played_seconds)
sleep 2
p2=$(field played_seconds)
[ "$p2" -gt "$p1" ] || fail "playback stopped with the disk full ($p1 -> $p2)"
# space again: the heartbeats are recorded again, with 002's check-in that
# could not be written (from the time 002 came), and the session closes
rm -f "$W/data/filler"
sleep 11
press stop
wait_for screen summary 5
press back
wait_for screen home 5
kiosk_stop
"$S" record check --data-dir "$W/data" > /dev/null || fail "record check after the full disk"
month=$(TZ=Asia/Shanghai date +%Y-%m)
"$S" record report --month "$month" --json --data-dir "$W/data" > "$W/report.json"
json_check "$W/report.json" \
  "[s['id'] for s in d['sessions']] == ['$session']" \
  "d['sessions'][0]['status'] == 'complete'" \
  "d['sessions'][0]['played_seconds'] >= 20" \
  "'001' in [a['member'] for a in d['sessions'][0]['attendance']]" \
  "'002' in [a['member'] for a in d['sessions'][0]['attendance']]" \
  "[a['seconds'] for a in d['sessions'][0]['attendance'] if a['member'] == '002'][0] >= 12"
umount "$W/data" 2>/dev/null || true
echo "ok: disk full"
