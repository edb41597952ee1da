#!/bin/sh
# A key that reaches the kiosk twice, from an input device it reads directly
# (here a FIFO given with --input) and as an SDL key event (X, xdotool), acts
# once when the two arrive within 100 ms, in either order; the same key
# pressed twice half a second apart acts twice. On roll-call's guest card,
# each right arrow that acts adds a guest.
# usage: kiosk_x11_input.sh STUDYCAST WORKDIR
set -eu
S=$1
W=$2
. "$(dirname "$0")/lib.sh"
rm -rf "$W"
mkdir -p "$W/data"
KIOSK_PID=
XVFB_PID=
trap 'kill -KILL $KIOSK_PID 2>/dev/null || true; kill -TERM $XVFB_PID 2>/dev/null || true' EXIT
for tool in Xvfb xdotool; do
  command -v $tool > /dev/null || fail "$tool is not installed (packaging/deps.sh test)"
done
exec 5> "$W/display"
Xvfb -displayfd 5 -screen 0 1280x720x24 -nolisten tcp > "$W/xvfb.log" 2>&1 &
XVFB_PID=$!
i=0
while [ ! -s "$W/display" ]; do
  i=$((i + 1)); [ $i -gt 100 ] && fail "Xvfb did not start"
  sleep 0.1
done
DISPLAY=:$(cat "$W/display")
export DISPLAY
KEYS="python3 $(dirname "$0")/evdev_keys.py"

make_fixture "$W/course.ts" 60
roster_csv "$W/roster.csv"
"$S" members import "$W/roster.csv" --data-dir "$W/data" > /dev/null || fail "import"
"$S" schedule add --title "两路按键" --source "$W/course.ts" --start "$(local_time +10)" \
  --duration 1 --data-dir "$W/data" > /dev/null || fail "schedule"
mkfifo "$W/remote"
KIOSK_X=1 kiosk_start "$W/data" --input "$W/remote"
xdotool mousemove 640 360 # no window manager: keys go to the window under the pointer
wait_for screen rollcall 25
press down down down down down down
expect focus 6
expect guests 0
# both sources, device first, then SDL first: one guest each
# (one helper does both, so that no process start-up comes between them)
$KEYS "$W/remote" KEY_RIGHT "run:xdotool key Right"
sleep 0.5
expect guests 1
$KEYS "$W/remote" "run:xdotool key Right" KEY_RIGHT
sleep 0.5
expect guests 2
# which of the two the kiosk sees first depends on the threads' scheduling
grep -q "key right from .* already came from" "$W/kiosk.log" || fail "no log line for a twin"
# the same key from either source half a second apart: two presses
$KEYS "$W/remote" KEY_RIGHT
sleep 0.5
xdotool key Right
sleep 0.5
expect guests 4
kiosk_stop
echo "kiosk_x11_input: ok"
