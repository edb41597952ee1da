#!/bin/sh
# `studycast probe --json` on the SI stream test_si builds: names and titles
# in GB2312, UTF-8 and UCS-2 must come back exactly, with the time and stats.
set -eu
studycast=$1
test_si=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$test_si" --write "$dir"
"$studycast" probe "$dir/si_main.ts" --json > "$dir/out.json"
python3 - "$dir/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
svc = {s["id"]: s for s in d["services"]}
assert svc[1]["name"] == "乡村教育频道", svc[1]["name"]
assert svc[1]["provider"] == "县农业局", svc[1]["provider"]
assert svc[1]["type"] == 1
assert [s["codec"] for s in svc[1]["streams"]] == ["mpeg2video", "mpeg1audio", "mpeg1audio"]
assert [s["language"] for s in svc[1]["streams"]] == ["", "chi", "eng"]
assert svc[2]["name"] == "学习频道", svc[2]["name"]
assert svc[3]["name"] == "课程三" and svc[3]["provider"] == "Łódź"
other = [(s["original_network_id"], s["transport_stream_id"], s["id"], s["name"])
         for s in d["other_services"]]
assert other == [(0x2000, 0x0202, 7, "Other One"), (0x2000, 0x0303, 8, "其他八"),
                 (0x2000, 0x0303, 9, "Other Nine"), (0x2001, 0x0404, 7, "Other Two")], other
assert all(s["original_network_id"] == 0x2000 and s["transport_stream_id"] == 0x0101
           for s in d["services"]), d["services"]
ev = {(e["service_id"], e["event_id"]): e for e in d["events"]}
assert len(ev) == 5, len(ev)
e = ev[(1, 100)]
assert e["title"] == "水稻种植技术 第一讲", e["title"]
assert e["description"] == "主讲：李教授，农业大学", e["description"]
assert e["extended"] == "内容: 水稻\n第二部分", e["extended"]
assert e["start"] == "2026-03-01T07:50:00Z" and e["duration"] == 2700
assert e["running_status"] == 4 and e["language"] == "chi" and e["genre"] == 0x90
assert ev[(1, 101)]["title"] == "果树修剪 (UTF-8)"
assert ev[(2, 200)]["title"] == "农业技术课堂"
assert ev[(1, 102)]["title"] == "果树"
assert d["time"] == {"utc": "2026-03-01T08:00:25Z", "local_offset_minutes": 480}, d["time"]
for pid, st in d["stats"].items():
    assert st["cc_errors"] == 0 and st["tei"] == 0, (pid, st)
assert d["stats"]["18"]["packets"] > 0  # the EIT PID, keyed in decimal
print("probe --json: SI exact")
PY

# a stream that sends GB2312 without the selector byte: --charset says so
"$studycast" probe "$dir/si_noselector.ts" --json --charset gb2312 > "$dir/gb.json"
"$studycast" probe "$dir/si_noselector.ts" --json > "$dir/default.json"
python3 - "$dir/gb.json" "$dir/default.json" <<'PY'
import json, sys
gb = {s["id"]: s["name"] for s in json.load(open(sys.argv[1]))["services"]}
default = {s["id"]: s["name"] for s in json.load(open(sys.argv[2]))["services"]}
assert gb[1] == "乡村教育频道", gb[1]
assert default[1] != gb[1], default[1]  # read as the default table it is not Chinese
print("--charset gb2312: ok")
PY
