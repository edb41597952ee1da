#!/bin/sh
# An outage during a live UDP course: a sender on 127.0.0.1 stops and starts
# again. The kiosk shows OUTAGE, records signal_lost / signal_back, does not
# credit the outage, and returns to the course by itself.
# usage: kiosk_outage.sh STUDYCAST WORKDIR
set -eu
S=$1
W=$2
. "$(dirname "$0")/lib.sh"
test_workdir data

PORT=$(free_port)
make_fixture "$W/course.ts" 20
send() {
  ffmpeg -loglevel error -re -stream_loop -1 -i "$W/course.ts" -c copy -f mpegts \
    "udp://127.0.0.1:$PORT?pkt_size=1316" &
  SENDER_PID=$!
}
roster_csv "$W/roster.csv"
"$S" members import "$W/roster.csv" --data-dir "$W/data" > /dev/null || fail "import"
"$S" schedule add --title "直播课" --source "udp://127.0.0.1:$PORT" --start "$(local_time +3)" \
  --duration 3 --data-dir "$W/data" > /dev/null || fail "schedule add"
send
kiosk_start "$W/data"
wait_for screen rollcall 12
session=$(field session_id)
press 1 ok back
wait_for signal good 10
expect screen playing
sleep 3
kill -TERM "$SENDER_PID"
wait "$SENDER_PID" 2>/dev/null || true
lost_at=$(date +%s)
wait_for screen outage 6
expect signal none
sleep 4
restart_at=$(date +%s)
send
wait_for screen playing 20
wait_for signal good 10
sleep 3
expect screen playing
press stop
wait_for screen summary 5
press back
wait_for screen home 5
kiosk_stop
kill -TERM "$SENDER_PID" 2>/dev/null || true

month=$(TZ=Asia/Shanghai date +%Y-%m)
"$S" record report --month "$month" --json --data-dir "$W/data" > "$W/report.json"
"$S" record export --out "$W/export" --data-dir "$W/data" > /dev/null || fail "export"
"$S" verify "$W/export" > /dev/null || fail "verify"
# From the record's own events: the outage is recorded within 5 s of the
# sender stopping (2 s without a picture, the demux's outage_ms, after the last
# buffered one) and dated back to the last data (since_mono_ns, within 2 s of
# the stop), ends only once the sender is back, lasts >= 2 s in all, and none
# of it is credited: played <= the session's span - the outages + 1 (whole
# seconds).
python3 - "$W/export/events.tsv" "$W/report.json" "$session" "$lost_at" "$restart_at" <<'PY' ||
import json, sys
events = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")
          if not l.startswith("#")]
report = json.load(open(sys.argv[2]))
session, lost_at, restart_at = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
mine = [e for e in events if e[6] == session]
lost = [e for e in mine if e[1] in ("signal_lost", "signal_back")]
assert lost and lost[0][1] == "signal_lost", lost
assert lost_at <= int(lost[0][2]) // 10**9 <= lost_at + 5, (lost_at, lost[0])
assert lost[-1][1] == "signal_back" and int(lost[-1][2]) // 10**9 >= restart_at, lost[-1]
# The outage is noticed 2 s after the last data; signal_lost says when that
# was (since_mono_ns), so the outage counts from the sender's stop.
first = json.loads(lost[0][7])
since_utc = (int(lost[0][2]) - (int(lost[0][4]) - first["since_mono_ns"])) / 1e9
assert lost_at - 2 <= since_utc <= lost_at + 1, (lost_at, since_utc)
total = 0
for a, b in zip(lost[0::2], lost[1::2]):
    assert a[1] == "signal_lost" and b[1] == "signal_back", (a, b)
    since = json.loads(a[7]).get("since_mono_ns", int(a[4]))
    assert int(a[4]) - 3 * 10**9 <= since <= int(a[4]), (a, since)
    total += (int(b[4]) - since) / 1e9
span = (int(mine[-1][4]) - int(mine[0][4])) / 1e9
s = report["sessions"][0]
assert s["id"] == session and len(report["sessions"]) == 1
assert total >= 2, total
assert 4 <= s["played_seconds"] <= span - total + 1, (s["played_seconds"], span, total)
print("outages %.1f s of %.1f s, played %d s" % (total, span, s["played_seconds"]))
PY
  fail "the outage in the record"
echo "ok: outage"
