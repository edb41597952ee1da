#!/bin/sh
# `play` changes service with the remote's channel keys: under Xvfb, Page Down
# (X keysym Next) on a two-program stream switches from service 1 to service
# 2 mid-play (real X key presses through xdotool); pictures keep coming, and
# --stats names the service playing at the end.
studycast=$1 two=$2 work=$3
mkdir -p "$work"
. "$(dirname "$0")/../player/lib.sh"
for tool in xvfb-run xdotool; do
  command -v $tool >/dev/null || fail "$tool is missing (packaging/deps.sh installs it)"
done
st="$work/keys.json"
rm -f "$st"
xvfb-run -a -s "-screen 0 640x480x24 -nolisten tcp" sh -c '
  SDL_AUDIODRIVER=dummy "$1" play --window 640x480 --no-audio --duration 6 --stats "$2" "$3" \
    >"$4/keys.out" 2>"$4/keys.err" &
  pid=$!
  sleep 2.5
  xdotool mousemove 320 240 # no window manager: keys go to the window under the pointer
  xdotool key Next
  wait $pid' sh "$studycast" "$st" "$two" "$work" || fail "play under Xvfb: $(cat "$work/keys.err")"
echo "stdout: $(cat "$work/keys.out")"
echo "stats: $(tr -d '\n ' <"$st")"
grep -q "^service 2$" "$work/keys.out" || fail "Page Down did not ask for service 2"
check "$st" "s['service'] == 2" "not playing service 2 at the end" \
  "s['video_width'] == 320" "the last pictures are not service 2's (320x240)" \
  "s['frames_presented'] > 100" "too few pictures" \
  "[c['service'] for c in s['service_changes']] == [2]" "--stats does not list the change to 2" \
  "0 < s['service_changes'][0]['ms'] < 5000" "the time to the new picture is not in --stats"
echo "ok"
