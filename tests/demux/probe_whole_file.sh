#!/bin/sh
# `studycast probe FILE` reads the whole file by default (issue 12, #11): a
# 20 s stream made with the ffmpeg CLI, 12 continuity errors injected (3 in
# the first 8 s, 9 after 13 s) and TDTs at 1, 2, 17 and 18 s (a time is taken
# once two tables agree). probe must count all 12 and report the late time;
# --duration 5 still stops early (early errors only, the early time).
set -eu
studycast=$1 ffmpeg=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3
"$ffmpeg" -nostdin -loglevel error -y -f lavfi -i "testsrc2=size=176x144:rate=25" -t 20 \
  -c:v mpeg2video -b:v 300k -g 12 -muxrate 600k -f mpegts "$dir/clean.ts"

"$python" - "$dir/clean.ts" "$dir/late.ts" <<'PY'
import datetime, sys
data = open(sys.argv[1], "rb").read()
pkts = [bytearray(data[i:i + 188]) for i in range(0, len(data) - len(data) % 188, 188)]
assert all(p[0] == 0x47 for p in pkts)
pid = lambda p: ((p[1] & 0x1F) << 8) | p[2]
n = len(pkts)
counts = {}
for p in pkts:
    counts[pid(p)] = counts.get(pid(p), 0) + 1
video = max((k for k in counts if k != 0x1FFF), key=counts.get)

def tdt(when, cc):
    mjd = (when.date() - datetime.date(1858, 11, 17)).days
    bcd = lambda v: (v // 10) << 4 | v % 10
    section = bytes([0x70, 0x70, 0x05, mjd >> 8, mjd & 0xFF,
                     bcd(when.hour), bcd(when.minute), bcd(when.second)])
    pkt = bytes([0x47, 0x40, 0x14, 0x10 | cc, 0x00]) + section
    return bytearray(pkt + b"\xff" * (188 - len(pkt)))

# The mux is CBR (-muxrate), so a packet's place is its time: replace the
# null packet nearest 1, 2, 17 and 18 s by a TDT.
base = datetime.datetime(2026, 3, 1, 8, 0, 0)
for k, (at, secs) in enumerate(((1 / 20, 0), (2 / 20, 1), (17 / 20, 16), (18 / 20, 17))):
    i = next(j for j in range(int(n * at), n) if pid(pkts[j]) == 0x1FFF)
    pkts[i] = tdt(base + datetime.timedelta(seconds=secs), k)

# 12 payload-carrying video packets dropped, far apart: 3 early, 9 late
cand = [i for i, p in enumerate(pkts) if pid(p) == video and (p[3] & 0x10)]
early = [i for i in cand if 0.1 * n < i < 0.4 * n]
late = [i for i in cand if 0.65 * n < i < 0.95 * n]
drop = {early[len(early) * (k + 1) // 4] for k in range(3)}
drop |= {late[len(late) * (k + 1) // 10] for k in range(9)}
assert len(drop) == 12
open(sys.argv[2], "wb").write(b"".join(p for i, p in enumerate(pkts) if i not in drop))
print(f"{n} packets, video PID {video}: dropped {len(drop)}")
PY

"$studycast" probe "$dir/late.ts" --json > "$dir/whole.json"
"$studycast" probe "$dir/late.ts" --json --duration 5 > "$dir/short.json"
"$studycast" probe --help > "$dir/help.txt"
"$python" - "$dir/whole.json" "$dir/short.json" "$dir/help.txt" <<'PY'
import json, sys
whole, short = (json.load(open(f)) for f in sys.argv[1:3])
cc = lambda d: sum(v["cc_errors"] for v in d["stats"].values())
print("whole: cc_errors", cc(whole), "time", whole["time"]["utc"],
      "stream_seconds", whole["transport"]["stream_seconds"])
print("--duration 5: cc_errors", cc(short), "time", short["time"]["utc"])
assert cc(whole) == 12, cc(whole)
assert whole["transport"]["cc_errors"] == 12, whole["transport"]
assert whole["time"]["utc"] == "2026-03-01T08:00:17Z", whole["time"]
assert whole["transport"]["stream_seconds"] > 19, whole["transport"]
assert cc(short) <= 3, cc(short)
assert short["time"]["utc"] == "2026-03-01T08:00:01Z", short["time"]
assert "a file to its end" in open(sys.argv[3]).read()
PY
echo "probe reads a whole file: ok"
