#!/bin/sh
# `studycast probe udp://...` on a live stream for --duration seconds of wall
# time, with the sender pausing for 3 s: the outage appears in the JSON.
set -eu
. "$(dirname "$0")/../lib.sh"
studycast=$1
media=$2
dir=$(mktemp -d)
probe=
cleanup() { [ -n "$probe" ] && kill "$probe" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
port=$(free_port)
"$studycast" probe "udp://127.0.0.1:$port" --duration 6.5 --json > "$dir/out.json" &
probe=$!
sleep 0.3
python3 - "$media/tsduck_tsduck-test__input_test-018.ts" "$port" <<'PY'
import socket, sys, time
data = open(sys.argv[1], "rb").read()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def send(seconds):
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        off = (i * 7 * 188) % len(data)
        s.sendto(data[off:off + 7 * 188], ("127.0.0.1", int(sys.argv[2])))
        i += 1
        time.sleep(0.005)
send(1.0)
time.sleep(3.0)
send(1.5)
PY
wait "$probe"
probe=
python3 - "$dir/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
names = {s["id"]: s["name"] for s in d["services"]}
assert names.get(1) == "Italia 1", names
o = d["outages"]
assert len(o) == 1, o
assert o[0]["cause"] == "no_data", o
assert o[0]["end"] is not None and 2.6 <= o[0]["end"] - o[0]["start"] <= 3.6, o
print("live probe: outage", o[0])
PY
