#!/bin/sh
# Signal loss on a live source: `studycast play` receives a stream over real
# UDP on 127.0.0.1; the sender goes silent for 3 s and then carries on. The
# player must list exactly one outage matching the gap (start and end within
# 0.5 s, cause no_data), present pictures again after it by itself (the first
# within one GOP + 0.5 s, with a margin for loaded machines), and keep running
# as the same process to the end of the stream.
studycast=$1 ffmpeg=$2 work=$3
mkdir -p "$work"
. "$(dirname "$0")/../player/lib.sh"

# 12 s of 25 fps MPEG-2 (GOP 12 = 0.48 s) + MP2 at a constant 2 Mbit/s
fixture live.ts -f lavfi -i "testsrc2=size=352x288:rate=25" -f lavfi -i "$TONE" -t 12 \
  -c:v mpeg2video -b:v 1M -g 12 -c:a mp2 -f mpegts -muxrate 2M

port=$(free_port)
st="$work/outage.json"
rm -f "$st"
"$python" "$(dirname "$0")/udp_sender.py" "$port" "$work/live.ts" 2000000 3 4 -- \
  "$studycast" play --window 320x240 --duration 16 --stats "$st" "udp://127.0.0.1:$port" \
  >"$work/sender.json" 2>"$work/play.err" || fail "sender: $(cat "$work/play.err")"
echo "sender: $(cat "$work/sender.json")"
echo "stats: $(tr -d '\n ' <"$st")"
"$python" - "$work/sender.json" "$st" <<'PY' || fail "outage: see above"
import json, sys
sender = json.load(open(sys.argv[1]))
s = json.load(open(sys.argv[2]))
gap = sender["gaps"][0]
bad = []
def expect(cond, msg):
    if not cond:
        bad.append(msg)
expect(sender["status"] == 0, f"player exit status {sender['status']}")
expect(len(s["outages"]) == 1, f"{len(s['outages'])} outages listed, expected 1")
if s["outages"]:
    o = s["outages"][0]
    expect(abs(o["start"] - gap["start"]) < 0.5, f"outage start {o['start']:.2f} vs gap {gap['start']:.2f}")
    expect(o["end"] is not None and abs(o["end"] - gap["end"]) < 0.5,
           f"outage end {o['end']} vs gap end {gap['end']:.2f}")
    expect(o["cause"] == "no_data", f"cause {o['cause']}")
    # resumed by itself: a picture after the end, within GOP (0.48 s) + 0.5 s
    # (+ 1 s of margin for sanitizer builds on a loaded machine)
    expect(o["picture"] is not None and o["end"] is not None and
           0 <= o["picture"] - o["end"] < 2.0,
           f"first picture after the outage at {o['picture']} (end {o['end']})")
    print(f"signal back to picture: {(o['picture'] - o['end']) * 1000:.0f} ms")
# 12 s of pictures were sent; 4 s came before the gap: most of the rest must
# have been presented after it
expect(s["frames_presented"] > 4 * 25 + 5 * 25, f"only {s['frames_presented']} pictures presented")
expect(s["cc_errors"] == 0, f"cc_errors {s['cc_errors']} (the sender lost nothing)")
expect(s["live"], "not live")
for b in bad:
    print("FAIL:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
echo "ok"
