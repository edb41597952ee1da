#!/bin/sh
# Headless play to the end (dummy video and audio drivers, the same pipeline):
# every decoded frame is presented or counted as dropped, a clean file never
# underruns, the picture stays with the sound, exit 0. Also --duration, SIGTERM
# (stats still written), standard input as a live source, and the demo stream.
studycast=$1 ffmpeg=$2 work=$3
mkdir -p "$work"
. "$(dirname "$0")/lib.sh"

fixture sd_interlaced.ts -f lavfi -i "testsrc2=size=720x576:rate=50" -f lavfi -i "$TONE" -t 3 \
  -vf "tinterlace=mode=interleave_top,setdar=16/9" -c:v mpeg2video -flags +ilme+ildct -top 1 \
  -b:v 3M -g 12 -c:a mp2 -f mpegts
fixture h264.ts -f lavfi -i "testsrc2=size=640x360:rate=25" -f lavfi -i "$TONE" -t 3 \
  -c:v libx264 -preset veryfast -g 25 -pix_fmt yuv420p -c:a aac -f mpegts

play_to_end() { # FIXTURE [ARGS...]
  src=$1
  shift
  st="$work/$(basename "$src").json"
  rm -f "$st"
  headless "$studycast" play --window 640x360 --stats "$st" "$@" "$src" 2>"$st.err" ||
    fail "play $src exited $?: $(cat "$st.err")"
  check "$st" "s['frames_decoded'] > 0" "nothing decoded from $src" \
    "s['frames_decoded'] == s['frames_presented'] + s['frames_dropped_early'] + s['frames_dropped_late']" \
    "$src: frames unaccounted for" \
    "s['frames_dropped_early'] + s['frames_dropped_late'] <= s['frames_decoded'] * slack // 20" \
    "$src: more than 5 % dropped" \
    "s['audio_underruns'] == 0" "$src: underruns on a clean file" \
    "s['decode_errors'] == 0" "$src: decode errors on a clean file" \
    "s['av_offset_ms']['mean'] < 40 * slack and s['av_offset_ms']['p99'] < 200 * slack" \
    "$src: picture and sound apart" \
    "2.5 < s['seconds_played'] < 5" "$src: played for the wrong time" \
    "s['first_picture_ms'] is not None and 0 < s['first_picture_ms'] < 3000" \
    "$src: first picture time"
  echo "$src: $(cat "$st" | tr -d '\n ')"
}

play_to_end "$work/sd_interlaced.ts"
check "$work/sd_interlaced.ts.json" "s['video_width'] == 720 and s['live'] == False" "SD stream"
play_to_end "$work/h264.ts"
play_to_end "$work/sd_interlaced.ts" --deinterlace frame --volume 50
play_to_end "$work/h264.ts" --no-audio
check "$work/h264.ts.json" "s['audio_frames_decoded'] == 0" "--no-audio decoded sound"

# --duration stops early, exit 0
st="$work/duration.json"
headless "$studycast" play --window 320x240 --duration 1.5 --stats "$st" "$work/h264.ts" ||
  fail "--duration: exit $?"
# (the 1.5 s count from the window; a sanitizer build's slower start leaves less of it playing)
check "$st" "1.0 / slack < s['seconds_played'] < 2.5 and s['frames_presented'] > 10" "--duration 1.5"

# SIGTERM: a clean stop, stats written, exit 0
st="$work/sigterm.json"
rm -f "$st" "$st.log" # (a stale log would be read before the new one is created)
# (not through the shell function: $! must be studycast itself)
# The signal comes 0.8 s after the first picture (the debug log says
# when), not at a fixed time: a loaded machine or a sanitizer build may take
# longer than that to start.
SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy "$studycast" --log-level debug play --window 320x240 \
  --stats "$st" "$work/sd_interlaced.ts" 2>"$st.log" &
pid=$!
waited=0
until grep -q "first picture presented" "$st.log" 2>/dev/null; do
  sleep 0.1
  waited=$((waited + 1))
  [ $waited -lt 300 ] || fail "SIGTERM: no picture within 30 s: $(cat "$st.log")"
done
sleep 0.8
kill -TERM $pid
wait $pid || fail "SIGTERM: exit $?"
[ -s "$st" ] || fail "SIGTERM: no stats written"
check "$st" "s['frames_presented'] > 5 and s['seconds_played'] < 2.8" "SIGTERM stopped playback"

# standard input: a live source, slaved to the incoming stream
st="$work/stdin.json"
headless "$studycast" play --window 320x240 --stats "$st" - <"$work/h264.ts" ||
  fail "stdin: exit $?"
check "$st" "s['live'] == True and s['frames_presented'] > 50" "playing standard input"

# the built-in demo stream (no SOURCE) plays
st="$work/demo.json"
# 2 s: an interlaced stream loads the deinterlacer before its clock runs, which
# a sanitizer build on a loaded machine takes most of a second for
headless "$studycast" play --window 320x240 --duration 2 --stats "$st" || fail "demo: exit $?"
check "$st" "s['frames_presented'] > 5 and s['source'].endswith('demo.ts')" "the demo stream"
echo "ok"
