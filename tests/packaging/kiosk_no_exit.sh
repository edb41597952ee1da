#!/bin/sh
# The appliance's screen on a real X server (Xvfb 1280x720, no window
# manager, as a receiver's X would be): the kiosk's window covers the whole
# screen from its corner, no mouse pointer shows over it, and no key a
# keyboard offers quits it (Escape, q, Ctrl+Q/C/W, Alt+F4, Ctrl+Alt+Backspace,
# F11 ...): after each it is still running, still answering, on its screen.
# Only SIGTERM stops it (cleanly).
# usage: kiosk_no_exit.sh STUDYCAST WORKDIR
set -eu
S=$1
W=$2
. "$(dirname "$0")/../kiosk/lib.sh"
test_workdir data
need_tools Xvfb xdotool
xvfb_start 1280x720
CURSOR="python3 $(dirname "$0")/cursor_pixels.py"

make_fixture "$W/course.ts" 5
"$S" schedule add --title "明天的课" --source "$W/course.ts" --start "$(local_time +86400)" \
  --duration 2 --data-dir "$W/data" > /dev/null || fail "schedule add"

pointer_to_centre
before=$($CURSOR) || fail "cursor image"
[ "$before" -gt 0 ] || fail "the X server's own pointer has no pixels: the check below proves nothing"

KIOSK_X=1 kiosk_start "$W/data" # fullscreen: no --window
wait_for screen home 20
win=$(xdotool search --sync --name '^studycast$' | head -n 1) || fail "no kiosk window"
geometry=$(xdotool getwindowgeometry "$win")
echo "$geometry" | grep -q "Position: 0,0" || fail "not at the screen's corner: $geometry"
echo "$geometry" | grep -q "Geometry: 1280x720" || fail "not the whole screen: $geometry"
# (decorations are a window manager's; a receiver's X has none, and SDL's
# borderless request cannot be seen without one: a --window kiosk differs
# here by its size and its pointer)
xdotool mousemove 640 360 mousemove 641 361
sleep 0.5
shown=$($CURSOR) || fail "cursor image"
[ "$shown" = 0 ] || fail "a mouse pointer shows over the kiosk ($shown pixels; $before without it)"

for keys in Escape q ctrl+q ctrl+c ctrl+w alt+F4 ctrl+alt+BackSpace F11 super+d ctrl+alt+Delete; do
  xdotool key --window "$win" --clearmodifiers "$keys" 2> /dev/null || xdotool key "$keys"
  sleep 0.4
  kill -0 "$KIOSK_PID" 2> /dev/null || fail "the key $keys ended the kiosk"
  [ "$(field screen)" = home ] || fail "after $keys the screen is $(field screen)"
done
grep -q "action back on home" "$W/kiosk.log" || fail "Escape did not arrive as BACK: the keys went nowhere"
kiosk_stop
echo "ok: kiosk_no_exit"
