#!/bin/sh
# The playing service's pictures stop while the stream goes on (PAT, PMT and
# the sound still arrive): over real UDP, the video PID's packets are replaced
# by null packets for 3 s. The player must list one outage with cause
# no_service_data matching the gap, and resume by itself.
studycast=$1 ffmpeg=$2 work=$3
mkdir -p "$work"
. "$(dirname "$0")/../player/lib.sh"

fixture live.ts -f lavfi -i "testsrc2=size=352x288:rate=25" -f lavfi -i "$TONE" -t 10 \
  -c:v mpeg2video -b:v 1M -g 12 -c:a mp2 -f mpegts -muxrate 2M

# seconds 4..7 of the stream (by packet position at 2 Mbit/s) lose their video
"$python" - "$work/live.ts" "$work/novideo.ts" 2000000 4 7 <<'PY' || fail "could not cut"
import sys
data = bytearray(open(sys.argv[1], "rb").read())
rate, t0, t1 = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
pid = lambda i: ((data[i + 1] & 0x1F) << 8) | data[i + 2]
counts = {}
for i in range(0, len(data), 188):
    counts[pid(i)] = counts.get(pid(i), 0) + 1
video = max((p for p in counts if p != 0x1FFF), key=counts.get)
null = bytes([0x47, 0x1F, 0xFF, 0x10]) + bytes([0xFF] * 184)
first, last = int(t0 * rate / 8 / 188), int(t1 * rate / 8 / 188)
for k in range(first, last):
    if pid(k * 188) == video:
        data[k * 188:(k + 1) * 188] = null
open(sys.argv[2], "wb").write(bytes(data))
PY

port=$(free_port)
st="$work/novideo.json"
rm -f "$st"
"$python" "$(dirname "$0")/udp_sender.py" "$port" "$work/novideo.ts" 2000000 0 "" -- \
  "$studycast" play --window 320x240 --duration 10.5 --stats "$st" "udp://127.0.0.1:$port" \
  >"$work/sender.json" 2>"$work/play.err" || fail "sender: $(cat "$work/play.err")"
echo "stats: $(tr -d '\n ' <"$st")"
# the gap, in seconds since the player's start: 0.5 s before sending + 4..7 s
check "$st" "len(s['outages']) == 1" "one outage expected" \
  "s['outages'][0]['cause'] == 'no_service_data'" "cause" \
  "abs(s['outages'][0]['start'] - 4.5) < 0.6 and abs(s['outages'][0]['end'] - 7.5) < 0.6" \
  "outage interval vs the 4.5..7.5 s gap" \
  "s['outages'][0]['picture'] is not None and s['outages'][0]['picture'] - s['outages'][0]['end'] < 2" \
  "no picture soon after the video came back"
echo "ok"
