#!/bin/sh
# `play` takes its keys through the remote's keymap, as the kiosk does: under
# Xvfb, real X key presses through xdotool on a two-program stream.
#  1. A keymap file (--keymap) rebinds: N = channel_down, PageDown = none,
#     X = quit. Page Down does nothing, n switches to service 2, x quits.
#  2. Without a file, the keys the README lists: m, -, =, Space and i (the
#     info line shows "vol 80 muted paused"), f (the 320x240 window fills the
#     640x480 screen), Page Up (service 2), Esc quits.
#  3. q quits.  4. A --keymap file that does not exist stops play (status 1).
studycast=$1 two=$2 work=$3
mkdir -p "$work"
. "$(dirname "$0")/../player/lib.sh"
for tool in xvfb-run xdotool; do
  command -v $tool >/dev/null || fail "$tool is missing (packaging/deps.sh installs it)"
done

# play_keys NAME WINDOW PLAY-ARGS -- KEY... : plays $two for at most 20 s under
# Xvfb; each KEY word is an xdotool key (after 2.5 s, then 0.7 s apart), or
# "geometry" to note the window's size in $work/NAME.geometry.
play_keys() {
  name=$1 window=$2
  shift 2
  rm -f "$work/$name.json" "$work/$name.geometry"
  xvfb-run -a -s "-screen 0 640x480x24 -nolisten tcp" sh -c '
    studycast=$1 two=$2 out=$3 window=$4
    shift 4
    args=""
    while [ "$1" != "--" ]; do args="$args $1"; shift; done
    shift
    SDL_AUDIODRIVER=dummy "$studycast" play --window "$window" --no-audio --duration 20 \
      --stats "$out.json" $args "$two" >"$out.out" 2>"$out.err" &
    pid=$!
    sleep 2.5
    xdotool mousemove 50 50 # no window manager: keys go to the window under the pointer
    for key in "$@"; do
      if [ "$key" = geometry ]; then
        xdotool search --name "^studycast\$" getwindowgeometry >>"$out.geometry"
      else
        xdotool key "$key"
      fi
      sleep 0.7
    done
    wait $pid' sh "$studycast" "$two" "$work/$name" "$window" "$@" ||
    fail "$name: play under Xvfb: $(cat "$work/$name.err")"
  echo "$name stdout: $(cat "$work/$name.out")"
}

# 1. the keymap file
printf '# a remote set up for the kiosk\nN = channel_down\nPageDown = none\nX = quit\n' \
  >"$work/keymap.conf"
play_keys rebound 640x480 --keymap "$work/keymap.conf" -- Next n x
[ "$(grep -c '^service ' "$work/rebound.out")" = 1 ] && grep -q "^service 2$" "$work/rebound.out" ||
  fail "rebound: Page Down should do nothing and n switch to service 2"
check "$work/rebound.json" "s['service'] == 2" "not playing service 2 at the end" \
  "s['exit_status'] == 0" "exit status" \
  "s['seconds_played'] < 12" "x did not quit (played {s['seconds_played']} s)"

# 2. the built-in keys the README lists
play_keys defaults 320x240 -- m minus minus minus equal space i space i geometry f geometry \
  Prior Escape
grep -q "vol 80 muted paused$" "$work/defaults.out" ||
  fail "defaults: m, -, = or Space did not act (the info line should end 'vol 80 muted paused')"
grep -q "vol 80 muted$" "$work/defaults.out" || fail "defaults: Space did not resume"
grep -q "^service 2$" "$work/defaults.out" || fail "defaults: Page Up did not ask for service 2"
grep -q "Geometry: 320x240" "$work/defaults.geometry" || fail "defaults: $(cat "$work/defaults.geometry")"
[ "$(grep -c "Geometry: 640x480" "$work/defaults.geometry")" = 1 ] ||
  fail "defaults: f did not fill the screen: $(cat "$work/defaults.geometry")"
check "$work/defaults.json" "s['service'] == 2" "not playing service 2 at the end" \
  "s['seconds_played'] < 15" "Esc did not quit (played {s['seconds_played']} s)"

# 3. q
play_keys q 640x480 -- q
check "$work/q.json" "s['seconds_played'] < 8" "q did not quit (played {s['seconds_played']} s)"

# 4. a keymap file named but missing
status=0
SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy "$studycast" play --keymap "$work/absent.conf" \
  --no-audio --duration 1 "$two" >/dev/null 2>"$work/absent.err" || status=$?
[ $status = 1 ] || fail "a missing --keymap file: status $status, not 1"
grep -q "keymap $work/absent.conf" "$work/absent.err" || fail "no reason given: $(cat "$work/absent.err")"
echo "ok"
