#!/bin/sh
# The same capture through other sources: standard input, HTTP (a local
# python3 http.server) and a file cut short by --duration of stream time.
set -eu
. "$(dirname "$0")/../lib.sh"
studycast=$1
media=$2
dir=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
cap="$media/tsduck_tsduck-test__input_test-018.ts"
check='import json, sys
d = json.load(open(sys.argv[1]))
names = {s["id"]: s["name"] for s in d["services"]}
assert len(names) == 20 and names[1] == "Italia 1" and names[899] == "Infinity", names
assert d["time"]["utc"] == "2018-02-13T12:35:08Z", d["time"]
assert d["stats"]["20"]["packets"] == 7'

# standard input
"$studycast" probe - --json < "$cap" > "$dir/stdin.json"
python3 -c "$check" "$dir/stdin.json"

# HTTP
cp "$cap" "$dir/cap.ts"
port=$(free_port tcp)
(cd "$dir" && exec python3 -m http.server "$port" --bind 127.0.0.1 > /dev/null 2>&1) &
server=$!
i=0
until python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/cap.ts')" 2>/dev/null; do
  i=$((i + 1)); [ $i -gt 50 ] && fail "the http server did not start"
  sleep 0.1
done
"$studycast" probe "http://127.0.0.1:$port/cap.ts" --json > "$dir/http.json"
python3 -c "$check" "$dir/http.json"

# --duration: 4 s of stream time out of the 12 s file, measured by the PCR
"$studycast" probe "$media/tsduck_tsduck-test__input_test-072.ts" --duration 4 --json > "$dir/d.json"
python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))["transport"]
assert 4.0 <= t["stream_seconds"] < 4.5, t
assert t["packets"] < 9692 * 0.5, t' "$dir/d.json"
echo "stdin, http and --duration: ok"
