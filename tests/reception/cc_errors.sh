#!/bin/sh
# Continuity errors: a clean stream with exactly 7 packets of its video PID
# removed (each a payload-carrying packet, far apart) is played; `play
# --stats` must report cc_errors == 7, play the rest, and the damaged PES must
# not reach the decoder as good data (no more than one picture lost per cut,
# nothing crashes). The clean original reports 0. Then the real captures: the
# player's count equals what `probe` counts on the same file.
studycast=$1 ffmpeg=$2 work=$3 media=$4
mkdir -p "$work"
. "$(dirname "$0")/../player/lib.sh"

fixture clean.ts -f lavfi -i "testsrc2=size=352x288:rate=25" -f lavfi -i "$TONE" -t 4 \
  -c:v mpeg2video -b:v 1M -g 12 -c:a mp2 -f mpegts

"$python" - "$work/clean.ts" "$work/cut.ts" 7 <<'PY' || fail "could not cut the stream"
import sys
data = open(sys.argv[1], "rb").read()
want = int(sys.argv[3])
pkts = [data[i:i + 188] for i in range(0, len(data) - len(data) % 188, 188)]
assert all(p[0] == 0x47 for p in pkts)
pid = lambda p: ((p[1] & 0x1F) << 8) | p[2]
# the video PID: the one with the most packets
counts = {}
for p in pkts:
    counts[pid(p)] = counts.get(pid(p), 0) + 1
video = max(counts, key=counts.get)
candidates = [i for i, p in enumerate(pkts) if pid(p) == video and (p[3] & 0x10)]
# evenly spread, never the first or last few, never two in a row
step = len(candidates) // (want + 1)
drop = {candidates[step * (k + 1)] for k in range(want)}
open(sys.argv[2], "wb").write(b"".join(p for i, p in enumerate(pkts) if i not in drop))
print(f"video PID {video}: dropped {len(drop)} of {len(candidates)} packets")
PY

for f in clean cut; do
  headless "$studycast" play --window 320x240 --no-audio --stats "$work/$f.json" "$work/$f.ts" \
    2>"$work/$f.err" || fail "$f: exit $? ($(cat "$work/$f.err"))"
  echo "$f: $(tr -d '\n ' <"$work/$f.json")"
done
check "$work/clean.json" "s['cc_errors'] == 0" "clean: continuity errors reported" \
  "s['outages'] == []" "clean: outages in a file"
check "$work/cut.json" "s['cc_errors'] == 7" "cut: cc_errors is not the 7 injected" \
  "s['frames_presented'] >= 100 - 7 * 13" "cut: too few pictures" \
  "s['frames_decoded'] == s['frames_presented'] + s['frames_dropped_early'] + s['frames_dropped_late']" \
  "cut: pictures unaccounted for"

# the damaged real capture (128 continuity errors): the player's count is the
# TS reader's, as probe reports it
for f in tsduck_tsduck-test__input_test-143.ts; do
  headless "$studycast" play --window 320x240 --no-audio --stats "$work/$f.json" "$media/$f" \
    2>"$work/$f.err" || fail "$f: exit $? ($(cat "$work/$f.err"))"
  "$studycast" probe --json "$media/$f" >"$work/$f.probe.json" || fail "$f: probe failed"
  "$python" - "$work/$f.json" "$work/$f.probe.json" "$f" <<'PY' || fail "$f: counts differ"
import json, sys
s = json.load(open(sys.argv[1]))
probe = json.load(open(sys.argv[2]))
total = sum(v["cc_errors"] for v in probe["stats"].values())
print(f"{sys.argv[3]}: play cc_errors {s['cc_errors']}, probe {total}")
sys.exit(0 if s["cc_errors"] == total and total > 0 else 1)
PY
done
echo "ok"
