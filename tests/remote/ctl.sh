#!/bin/sh
# `studycast ctl` against a stand-in kiosk (ctl_server) on a real Unix
# socket: status prints the JSON object, press acts, bad actions are refused
# locally with exit 2, and a missing socket, a stale socket and a kiosk that
# does not answer each give exit 1 with a clear message.
set -eu
. "$(dirname "$0")/../lib.sh"
studycast=$1
server=$2
dir=$(mktemp -d /tmp/sc_ctl.XXXXXX)
sock="$dir/kiosk.sock"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
ctl() { "$studycast" ctl --ipc "$sock" "$@"; }
expect() { # expect STATUS PATTERN CMD...
  want=$1 pattern=$2; shift 2
  set +e; "$@" >"$dir/out" 2>"$dir/err"; got=$?; set -e
  [ "$got" = "$want" ] || fail "$* exited $got, expected $want: $(cat "$dir/err")"
  grep -q -- "$pattern" "$dir/err" || fail "$*: stderr lacks '$pattern': $(cat "$dir/err")"
}

# No kiosk yet.
expect 1 "no kiosk at $sock" ctl status

"$server" "$sock" & pid=$!
wait_socket "$sock" "$pid" 10 "the server"
ctl status >"$dir/status.json"
python3 - "$dir/status.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["screen"] == "home" and s["course"] is None and s["session_id"] is None, s
assert s["present"] == [] and s["signal"] == "none" and s["presses"] == 0, s
assert "error" not in s and "request_id" not in s, s
PY
ctl press ok
ctl press 7
ctl press DIGIT_3
ctl --timeout 2000 press menu
ctl status | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["presses"] == 4 and s["last_action"] == "menu" and s["present"] == [7, 3], s
assert s["handled_on_core_thread"] is True, s'
ctl actions | python3 -c '
import json, sys
a = json.load(sys.stdin)["actions"]
assert "ok" in a and "volume_down" in a and "9" in a and len(a) == 27, a'

# Refused locally: nothing is sent.
expect 2 "press needs an action" ctl press warp
expect 2 "press needs an action" ctl press
expect 2 "unknown command" ctl reboot
expect 2 "usage" "$studycast" ctl status
expect 2 "timeout" ctl --timeout 0 status
ctl status | python3 -c 'import json,sys; assert json.load(sys.stdin)["presses"] == 4'

# On the wire: success carries no "error" member; a failure carries a real
# message, never "success". ctl press says nothing on success and the
# kiosk's reason on a refusal.
ctl press ok >"$dir/out" 2>"$dir/err"
[ ! -s "$dir/out" ] && [ ! -s "$dir/err" ] || fail "press ok printed: $(cat "$dir/out" "$dir/err")"
expect 1 "the kiosk refused: action not possible now" ctl press stop
python3 - "$sock" <<'PY'
import json, socket, sys
conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
conn.settimeout(5)
conn.connect(sys.argv[1])
reader = conn.makefile("r", encoding="utf-8")
def ask(body):
    conn.sendall((json.dumps(body) + "\n").encode())
    return json.loads(reader.readline())
for body in ({"command": "press", "action": "ok"}, {"command": "status"}, {"command": "actions"}):
    r = ask(body)
    assert "error" not in r, (body, r)
r = ask({"command": "press", "action": "ok", "request_id": 9})
assert r == {"action": "ok", "request_id": 9}, r
for body, why in (({"command": "press", "action": "stop"}, "action not possible now"),
                  ({"command": "press", "action": "warp"}, "unknown action"),
                  ({"command": "press"}, 'missing "action"'),
                  ({"command": "reboot"}, "unknown command")):
    r = ask(body)
    assert r.get("error") == why, (body, r)
PY
ctl status | python3 -c 'import json,sys; assert json.load(sys.stdin)["presses"] == 7'

# The kiosk stops: its socket is removed and ctl says so.
kill "$pid"; wait "$pid" || true; pid=""
[ ! -e "$sock" ] || fail "socket left behind"
expect 1 "no kiosk at" ctl status

# A kiosk killed hard leaves a stale socket: "no kiosk listening".
"$server" "$sock" & pid=$!
wait_socket "$sock" "$pid" 10 "the server"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""
[ -S "$sock" ] || fail "kill -9 should leave the socket file"
expect 1 "no kiosk listening" ctl status
# ...and the next kiosk replaces it (until it has, connecting is refused).
"$server" "$sock" & pid=$!
i=0
until ctl --timeout 5000 press back 2>/dev/null; do
  i=$((i + 1)); [ $i -lt 100 ] || fail "the stale socket was not replaced"; sleep 0.05
done
kill "$pid"; wait "$pid" || true; pid=""

# A kiosk that accepts but never answers: a timeout, on time.
"$server" "$sock" --mute & pid=$!
wait_socket "$sock" "$pid" 10 "the server"
start=$(date +%s%N)
expect 1 "did not answer within 400 ms" ctl --timeout 400 status
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed_ms" -lt 3000 ] || fail "timeout took ${elapsed_ms} ms"
echo "ctl ok"
