#!/bin/sh
# Service changes on a live multiplex: make_multiplex.sh's stream arrives
# over real UDP on 127.0.0.1 at its 24 Mbit/s mux rate, and test_mux_zap
# switches round-robin through its four services with pictures (MPEG-2 720
# and 704 wide, H.264 960, HEVC Main10 1280), timing each first picture.
# usage: mux_zap_live.sh TEST_BINARY MULTIPLEX_TS
set -eu
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3
port=$((20000 + $$ % 20000))
out=$("$python" "$(dirname "$0")/udp_sender.py" "$port" "$2" 24000000 0 "" -- \
  "$1" "udp://127.0.0.1:$port" 1:720 2:704 3:960 4:1280)
echo "$out"
"$python" -c 'import json, sys; sys.exit(json.loads(sys.argv[1])["status"])' "$(echo "$out" | tail -n 1)"
