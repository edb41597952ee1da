#!/bin/sh
# No screen at all (no X, no Wayland, no driver asked for): SDL would fall
# back to its invisible offscreen driver; the kiosk must instead say how to
# run it and exit non-zero, and play must say it has no window.
# usage: kiosk_no_display.sh STUDYCAST WORKDIR
set -eu
studycast=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
nodisplay() { env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER SDL_AUDIODRIVER=dummy "$@"; }

if nodisplay timeout 20 "$studycast" --data-dir "$work/data" 2> "$work/kiosk.err"; then
  fail "the kiosk ran with no display"
fi
grep -q "xvfb-run -a studycast" "$work/kiosk.err" || fail "no how-to: $(cat "$work/kiosk.err")"
grep -q "SDL_VIDEODRIVER=dummy" "$work/kiosk.err" || fail "no headless how-to"

if nodisplay timeout 20 "$studycast" play 2> "$work/play.err"; then
  fail "play ran with no display"
fi
grep -q "cannot open a window (no display?)" "$work/play.err" || fail "play: $(cat "$work/play.err")"
echo "kiosk_no_display: ok"
