#!/bin/sh
# Service change on a live source: the two-program stream arrives over real
# UDP on 127.0.0.1 at its mux rate, and test_service_change switches services
# on it (each first picture waits for the new service's PMT and an I-frame).
# usage: service_change_live.sh TEST_BINARY TWO_PROGRAM_TS
set -eu
. "$(dirname "$0")/../lib.sh"
port=$(free_port)
out=$("$python" "$(dirname "$0")/udp_sender.py" "$port" "$2" 4000000 0 "" -- \
  "$1" "udp://127.0.0.1:$port")
echo "$out"
"$python" -c 'import json, sys; sys.exit(json.loads(sys.argv[1])["status"])' "$(echo "$out" | tail -n 1)"
