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
