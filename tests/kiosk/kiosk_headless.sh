#!/bin/sh
# The kiosk end to end, headless through the control socket (dummy SDL video
# and audio): a course scheduled a few seconds ahead starts by itself with
# roll-call; members check in with the arrows + OK and by number + OK; a
# second check-in of the same member only gives a message; guests are
# counted; the course plays to the end of its slot; the summary takes a
# rating and "needs repeating"; the record then holds exactly that session
# with the right members and minutes and its viewing snapshots (first,
# every 20 s here, last), and its export, which carries them, verifies. A second
# kiosk on the same data dir refuses to start.
# usage: kiosk_headless.sh STUDYCAST WORKDIR
set -eu
S=$1
W=$2
. "$(dirname "$0")/lib.sh"
test_workdir data

SLOT_S=60 # the schedule's 1 minute; the file is longer
make_fixture "$W/course.ts" 90
roster_csv "$W/roster.csv"
"$S" members import "$W/roster.csv" --data-dir "$W/data" > /dev/null || fail "import"
# tomorrow's course: the station is configured (no demo), nothing due yet
"$S" schedule add --title "明天的课" --source "$W/course.ts" --start "$(local_time +86400)" \
  --duration 2 --data-dir "$W/data" > /dev/null || fail "schedule add"

kiosk_start "$W/data" --snapshot-interval 20
# the CLI client once; the steps below use the faster ctl.py
"$S" ctl --ipc "$W/sock" status > "$W/status.json" || fail "studycast ctl status"
json_check "$W/status.json" "d['screen'] == 'home'" "d['session_id'] is None" \
  "d['present'] == []" "d['next_course'] == '明天的课'" "d['demo'] is False"

# A second kiosk on the same data dir (its own control socket) refuses to
# start: two kiosks would record the same courses twice.
status=0
SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy timeout 20 "$S" kiosk --data-dir "$W/data" \
  --ipc "$W/sock2" > "$W/second.log" 2>&1 || status=$?
[ "$status" = 1 ] || fail "a second kiosk on the same data dir: exit $status, not 1"
grep -q "another kiosk is already running on the data dir" "$W/second.log" ||
  fail "no clear message for a second kiosk: $(cat "$W/second.log")"
[ -S "$W/sock2" ] && fail "the second kiosk served a control socket"

# planned while the kiosk runs (it notices the schedule file change), a few
# seconds ahead: it comes up as the next course, then starts by itself
"$S" schedule add --title "乡村振兴课堂" --source "$W/course.ts" --start "$(local_time +10)" \
  --duration 1 --data-dir "$W/data" > /dev/null || fail "schedule add"
wait_for next_course "乡村振兴课堂" 8
expect session_id null
wait_for screen rollcall 20
session=$(field session_id)
[ "$session" != null ] || fail "no session opened"
expect present "[]"
expect late false

# arrows + OK: 001 -> right -> 002, OK checks 002 in
press right ok
wait_for present '["002"]' 3
checkin_played=$(field played_seconds)
# digits + OK: member 3 ("003" without the zeros)
press 3 ok
wait_for present '["002", "003"]' 3
# member 3 again: a message, no second record, still two present
press 3 ok
expect present '["002", "003"]'
grep -q "member 003 is already present" "$W/kiosk.log" || fail "no message for a second check-in"
# guests: down to the guest card, OK adds one, right adds one, left removes one
press down down down down down down ok right right left
expect guests 2
expect focus 6
# BACK: the course fullscreen; INFO toggles its overlay
press back
expect screen playing
press info
expect info true
press info
expect info false
# OK during playback: the late check-in overlay; 005 arrives late
press ok
expect roster_overlay true
press 5 ok back
expect present '["002", "003", "005"]'
expect roster_overlay false

# The slot ends: the summary; rating 4 and "needs repeating", then done.
wait_for screen summary $((SLOT_S + 10))
summary_played=$(field summary_played_seconds)
press 4 down ok down
expect rating 4
expect needs_repeat true
press ok
wait_for screen home 5
expect session_id null
kiosk_stop

# The record: exactly that session, complete, with the right members and time.
month=$(TZ=Asia/Shanghai date +%Y-%m)
"$S" record report --month "$month" --json --data-dir "$W/data" > "$W/report.json" ||
  fail "record report"
# Played time: the wall time from the first picture to the slot's end: the
# slot less the first picture's delay (up to 2 s on a loaded machine) and the
# rounding to whole seconds.
# Members: credited from their check-in to the end, so 002/003 get the
# played time less what had played at their check-in (with 2 s for the steps
# between that reading and the check-ins); 005, checked in later, less.
json_check "$W/report.json" \
  "len(d['sessions']) == 1" \
  "d['sessions'][0]['id'] == '$session'" \
  "d['sessions'][0]['course'] == '乡村振兴课堂'" \
  "d['sessions'][0]['status'] == 'complete'" \
  "$((SLOT_S - 3)) <= d['sessions'][0]['played_seconds'] <= $SLOT_S" \
  "d['sessions'][0]['played_seconds'] == $summary_played" \
  "d['sessions'][0]['guests'] == 2" \
  "sorted(a['member'] for a in d['sessions'][0]['attendance']) == ['002', '003', '005']" \
  "all(abs(a['seconds'] - (d['sessions'][0]['played_seconds'] - $checkin_played)) <= 3 \
       for a in d['sessions'][0]['attendance'] if a['member'] in ('002', '003'))" \
  "[a['seconds'] for a in d['sessions'][0]['attendance'] if a['member'] == '005'][0] < \
   [a['seconds'] for a in d['sessions'][0]['attendance'] if a['member'] == '002'][0]"

"$S" record export --out "$W/export" --data-dir "$W/data" > /dev/null || fail "record export"
"$S" verify "$W/export" --key "$W/data/station.pub" > /dev/null || fail "verify"
# the feedback and the course's start note are in the exported chain
grep -q "feedback_given.*\"rating\":4.*needs repeating" "$W/export/events.tsv" ||
  fail "no feedback in the record"
grep -q "course_started.*$session.*\"late\":false" "$W/export/events.tsv" ||
  fail "no course_started note"
[ "$(grep -c "member_checked_in" "$W/export/events.tsv")" = 3 ] ||
  fail "a member was checked in twice in the record"
# proof of viewing: the session's snapshots, in order, each file exported
kinds=$(grep "	snapshot_taken	.*$session" "$W/export/events.tsv" |
  sed 's/.*"kind":"\([a-z]*\)".*/\1/' | tr '\n' ' ')
case "$kinds" in
  "first periodic "*"last ") ;;
  *) fail "the session's snapshots are '$kinds', not first, periodic ..., last" ;;
esac
[ "$(ls "$W/export" | grep -c "^snapshot-$session-")" = "$(echo $kinds | wc -w)" ] ||
  fail "the export does not carry every snapshot"
echo "ok: session $session"
