#!/bin/sh
# Keys read from Linux input devices directly (kiosk/input), headless: raw
# input_event records written into FIFOs given with --input and appearing in
# the --input-dir directory. KEY_MENU opens the menu's PIN page; a set-top
# remote's KEY_NUMERIC_n and KEY_OK check a member in on roll-call, KEY_n
# too; a card reader's number checks its member in (on roll-call and while
# the course plays); a held KEY_RIGHT repeats (on the guest card each repeat
# adds a guest), a press without a release stops repeating; a device file
# appearing in the watched directory is read, and one removed mid-press
# leaves nothing stuck.
# KEY_CHANNELUP while playing: kiosk_channel.sh.
# usage: kiosk_input.sh STUDYCAST WORKDIR
set -eu
S=$1
W=$2
. "$(dirname "$0")/lib.sh"
rm -rf "$W"
mkdir -p "$W/data" "$W/devs"
trap 'kill -KILL $KIOSK_PID 2>/dev/null || true' EXIT
KIOSK_PID=
KEYS="python3 $(dirname "$0")/evdev_keys.py"

make_fixture "$W/course.ts" 90
roster_csv "$W/roster.csv"
"$S" members import "$W/roster.csv" --data-dir "$W/data" > /dev/null || fail "import"
"$S" schedule add --title "遥控器" --source "$W/course.ts" --start "$(local_time +12)" \
  --duration 1 --data-dir "$W/data" > /dev/null || fail "schedule add"
mkfifo "$W/remote" "$W/card-reader"

kiosk_start "$W/data" --input "$W/remote" --input "$W/card-reader" --input-dir "$W/devs"
expect input_devices 2
grep -q "reading $W/card-reader (card-reader, a card reader)" "$W/kiosk.log" ||
  fail "the card reader was not recognised by its name"

# HOME: the remote's menu key opens the menu's PIN page, its exit key leaves
expect screen home
$KEYS "$W/remote" KEY_MENU
wait_for menu.page pin 3
$KEYS "$W/remote" KEY_EXIT
wait_for screen home 3

wait_for screen rollcall 25
# the remote's digits and OK, then a keyboard's
$KEYS "$W/remote" KEY_NUMERIC_2 KEY_OK
wait_for present '["002"]' 3
$KEYS "$W/remote" KEY_3 KEY_OK
wait_for present '["002", "003"]' 3
# a card reader's burst: member 005's card
$KEYS "$W/card-reader" text:80010005
wait_for present '["002", "003", "005"]' 3

# to the guest card; a held right arrow repeats (kernel repeats, then a release)
press down down down down down down
expect focus 6
expect guests 0
$KEYS "$W/remote" KEY_RIGHT:1 sleep:0.1 KEY_RIGHT:2 sleep:0.1 KEY_RIGHT:2 sleep:0.1 \
  KEY_RIGHT:2 sleep:0.1 KEY_RIGHT:2 sleep:0.1 KEY_RIGHT:2 sleep:0.1 KEY_RIGHT:2 sleep:0.1 \
  KEY_RIGHT:2 sleep:0.1 KEY_RIGHT:2 sleep:0.1 KEY_RIGHT:2 sleep:0.1 KEY_RIGHT:2 sleep:0.1 \
  KEY_RIGHT:2 sleep:0.1 KEY_RIGHT:0
sleep 0.3
held=$(field guests)
[ "$held" -ge 4 ] && [ "$held" -le 10 ] || fail "a held arrow for 1.2 s gave $held guests"
sleep 0.5
expect guests "$held"
# a press that is never released: repeats, then stops (the release timeout)
$KEYS "$W/remote" KEY_RIGHT:1
sleep 2.5
stuck=$(field guests)
[ "$stuck" -ge $((held + 2)) ] && [ "$stuck" -le $((held + 8)) ] ||
  fail "a press without release went from $held to $stuck guests"
sleep 1
expect guests "$stuck"
$KEYS "$W/remote" KEY_RIGHT:0 # the late release changes nothing
sleep 0.3
expect guests "$stuck"

# a device appearing in the watched directory is read
mkfifo "$W/devs/event-remote2"
wait_for input_devices 3 5
$KEYS "$W/devs/event-remote2" KEY_RIGHT
wait_for guests $((stuck + 1)) 3
# removed mid-press: the press acts once, nothing repeats afterwards
$KEYS "$W/devs/event-remote2" KEY_RIGHT:1
rm "$W/devs/event-remote2"
wait_for input_devices 2 5
moved=$(field guests)
sleep 1.5
expect guests "$moved"
[ "$moved" -le $((stuck + 2)) ] || fail "removed mid-press: $moved guests after $stuck"

# back to the course; a card checks its member in while the course plays
$KEYS "$W/remote" KEY_BACK
wait_for screen playing 3
$KEYS "$W/card-reader" text:80010006
wait_for present '["002", "003", "005", "006"]' 3
expect screen playing
grep -q "card 80010006 read: 006" "$W/kiosk.log" || fail "no log line for the card"
kiosk_stop
echo "kiosk_input: ok"
