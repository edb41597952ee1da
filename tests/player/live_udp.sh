#!/bin/sh
# A live source over real UDP on 127.0.0.1: the player slaves its clock to the
# incoming stream. Senders whose clocks run 0.5 % fast and 0.5 % slow (ffmpeg
# -readrate) play without repeated underruns and without dropping pictures.
studycast=$1 ffmpeg=$2 work=$3
mkdir -p "$work"
. "$(dirname "$0")/lib.sh"

fixture live.ts -f lavfi -i "testsrc2=size=352x288:rate=25" -f lavfi -i "$TONE" -t 8 \
  -c:v mpeg2video -b:v 1M -g 12 -c:a mp2 -f mpegts -muxrate 2M

for rate in 1.005 0.995; do
  port=$(free_port)
  st="$work/udp-$rate.json"
  rm -f "$st"
  SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy "$studycast" play --window 320x240 --duration 7 \
    --stats "$st" "udp://127.0.0.1:$port" 2>"$work/udp-$rate.err" &
  player=$!
  sleep 0.5
  "$ffmpeg" -nostdin -loglevel error -readrate "$rate" -i "$work/live.ts" -c copy -f mpegts \
    "udp://127.0.0.1:$port?pkt_size=1316" 2>"$work/sender-$rate.err" &
  sender=$!
  wait $player || fail "udp at rate $rate: exit $? ($(cat "$work/udp-$rate.err"))"
  kill $sender 2>/dev/null || true
  wait $sender 2>/dev/null || true
  check "$st" "s['live'] == True" "udp: not treated as live" \
    "s['frames_presented'] > 120 / slack" "udp at $rate: too few pictures" \
    "s['audio_underruns'] <= 1" "udp at $rate: repeated underruns" \
    "s['frames_dropped_late'] + s['frames_dropped_early'] <= s['frames_decoded'] * slack // 20" \
    "udp at $rate: pictures dropped"
  echo "udp sender at ${rate}x: $(tr -d '\n ' <"$st")"
done
# An outage after which the video has no key frame for 5 s (a long GOP)
# while the sound flows: the sound starts without the picture, the reader
# keeps reading, and the picture returns at the key frame. The player used
# to wait for a wakeup that never came: the sound's queues filled, the
# reader stopped, and the picture did not come back at all.
fixture long-gop.ts -f lavfi -i "testsrc2=size=352x288:rate=25" -f lavfi -i "$TONE" -t 14 \
  -c:v libx264 -preset veryfast -g 275 -keyint_min 275 -x264-params scenecut=0 -bf 0 \
  -c:a aac -f mpegts -muxrate 2M
port=$(free_port)
st="$work/long-gop.json"
rm -f "$st"
SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy "$studycast" play --window 320x240 --duration 13 \
  --stats "$st" "udp://127.0.0.1:$port" 2>"$work/long-gop.err" &
player=$!
sleep 0.5
# one outage, from 3 s to 6 s of the stream; the next key frame is at 11 s
"$python" "$(dirname "$0")/../soak/udp_pacer.py" "$port" 2000000 1.0 13.5 -3 3 \
  <"$work/long-gop.ts" 2>"$work/long-gop.outages"
wait $player || fail "long GOP: exit $? ($(cat "$work/long-gop.err"))"
check "$st" "len(s['outages']) == 1" "long GOP: not one outage" \
  "(s['outages'][0]['picture'] or 99) - s['outages'][0]['end'] >= 4" \
  "long GOP: a picture before the key frame" \
  "(s['outages'][0]['picture'] or 99) - s['outages'][0]['end'] <= 5 + 2 * slack" \
  "long GOP: the picture did not return at the key frame 5 s after the data" \
  "s['audio_underruns'] <= 2" "long GOP: the sound did not play through"
echo "long GOP after an outage: $(tr -d '\n ' <"$st")"
# nobody sending: a clear message after the 5 s timeout, exit 1
port=$(free_port)
set +e
SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy "$studycast" play --window 320x240 \
  "udp://127.0.0.1:$port" 2>"$work/silent.err"
status=$?
set -e
[ $status -eq 1 ] && grep -q "nothing arrived" "$work/silent.err" ||
  fail "silent UDP: exit $status: $(cat "$work/silent.err")"
echo "silent UDP: $(cat "$work/silent.err")"
echo "ok"
