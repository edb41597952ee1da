#!/bin/sh
# The kiosk syncing its record to the county's PostgreSQL by itself (a real
# cluster the test starts, tests/county/pg.sh): the county server typed in
# with the remote (Settings > County server, the on-screen keyboard), the
# record synced at once; a session played and closed goes up after it; with
# the server stopped the kiosk plays on, answers the control socket and says
# "retrying", then catches up once the server is back; About tells it;
# `record settings --county-server` set and cleared while the kiosk runs; the
# kiosk stops promptly. MODE x11: the same on Xvfb, with screenshots of the
# county page and About (in WORKDIR/shots; look at them).
# usage: kiosk_county_sync.sh STUDYCAST WORKDIR headless|x11
set -eu
S=$1 W=$2 MODE=${3:-headless}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../county/pg.sh"
studycast=$S
. "$(dirname "$0")/../county/lib.sh"
need_tools psql sqlite3
test_workdir data
D=$W/data

row_value() { # row_value ENGLISH CHINESE: the value of that menu row
  field menu.items | python3 -c '
import json, sys
for it in json.load(sys.stdin):
    if sys.argv[1] in it["label"] or sys.argv[2] in it["label"]:
        print(it.get("value") or ""); break
else:
    sys.exit("no row " + sys.argv[1])' "$1" "$2" || fail "no row '$1' on page $(mfield page)"
}
type_field() { # type_field ENGLISH CHINESE TEXT: that row of the county page typed in
  focus_row "$1" "$2"
  press ok
  expect menu.page keyboard
  kb_type "$3{done}"
  expect menu.page county
}
county_events() { sql "SELECT count(*) FROM studycast.events WHERE station_id = '$ID'"; }
finish_course() { # STOP, the summary's rating and done: HOME
  press stop
  wait_for screen summary 10
  press 4 down ok down
  press ok
  wait_for screen home 5
}
open_about() {
  press menu 2 4 6 8 ok
  expect menu.page root
  focus_row About 关于
  press ok
  expect menu.page about
}
pg_stop() { pg_as_owner "$PG_BIN/pg_ctl" -D "$(pg_dir c)/data" -m fast -w stop > /dev/null; }
pg_up() {
  pg_as_owner "$PG_BIN/pg_ctl" -D "$(pg_dir c)/data" -l "$(pg_dir c)/server.log" -w start \
    > /dev/null || fail "PostgreSQL did not start again"
}

county_setup
make_fixture "$W/course.ts" 20
roster_csv "$W/roster.csv"
"$S" members import "$W/roster.csv" --data-dir "$D" > /dev/null || fail "import"
"$S" schedule add --title "明天的课" --source "$W/course.ts" --start "$(local_time +86400)" \
  --duration 30 --data-dir "$D" > /dev/null || fail "schedule add"
echo 2468 | "$S" pin set --data-dir "$D" > /dev/null || fail "pin set"
ID=$(station_id "$D")
add_station "$D" zhangjia > /dev/null
ROLE=$(json_get "$W/zhangjia.add.json" role)
PASS=$(json_get "$W/zhangjia.add.json" conninfo | sed -n "s/.*password='*\([^' ]*\).*/\1/p")
[ -n "$PASS" ] || fail "no password in $(cat "$W/zhangjia.add.json")"

if [ "$MODE" = x11 ]; then
  xvfb_start 1280x720
  kiosk_start_x "$D" --lead-minutes 0 --sync-every 2
else
  kiosk_start "$D" --lead-minutes 0 --sync-every 2
fi
expect sync.state off
expect sync.last_ok null

# Settings > County server: the county's sheet typed with the remote
press menu 2 4 6 8 ok
expect menu.page root
focus_row Settings 设置
press ok
focus_row "County server" 县级服务器
press ok
expect menu.page county
type_field "Server address" 服务器地址 127.0.0.1
type_field Port 端口 "$(pg_port c)"
type_field Database 数据库 county
type_field User 用户名 "$ROLE"
type_field Password 密码 "$PASS"
expect menu.host 127.0.0.1
expect menu.user "$ROLE"
expect menu.password_set true
[ "$(row_value Password 密码)" = "••••••••" ] || fail "the password is shown"
[ "$MODE" = x11 ] && shot 01-county-page
focus_row "Save and connect" 保存并连接
press ok
wait_for sync.state idle 30
wait_for sync.pending 0 10
[ "$(field sync.last_ok)" != null ] || fail "no last_ok after a sync"
[ "$(county_events)" = "$(record_events "$D")" ] || fail "county $(county_events) events"
[ "$(stat -c %a "$D/county.conninfo")" = 600 ] || fail "county.conninfo is not 0600"
grep -q "password='$PASS'" "$D/county.conninfo" || fail "no password in county.conninfo"
shown=$("$S" record settings --data-dir "$D" | sed -n 's/^county_server *//p')
case "$shown" in *"user=$ROLE"*) ;; *) fail "county_server setting: '$shown'" ;; esac
case "$shown" in *"$PASS"* | *password*) fail "the record holds the password" ;; esac
v=$(row_value "Last sync" 上次同步)
case "$v" in ????-??-??" "??:??) ;; *) fail "Last sync row: $v" ;; esac
focus_row "Sync status" 同步状态
[ "$MODE" = x11 ] && shot 02-county-synced
press menu
expect screen home

# a session played and closed: it reaches the county right after
"$S" schedule add --title "县级同步课" --source "$W/course.ts" --start "$(local_time +6)" \
  --duration 1 --data-dir "$D" > /dev/null || fail "schedule add"
wait_for screen rollcall 25
session=$(field session_id)
press 2 ok
wait_for present '["002"]' 3
finish_course
wait_for sync.pending 0 20
[ "$(sql "SELECT count(*) FROM studycast.events WHERE session = '$session' AND
  type IN ('session_closed', 'member_checked_in')")" = 2 ] || fail "the session is not in the county"
[ "$(county_events)" = "$(record_events "$D")" ] || fail "county $(county_events) events"
[ "$(sql "SELECT next FROM studycast.station_status WHERE station_id = '$ID'")" = "明天的课" ] ||
  fail "the status row has not the next course"

# the server stopped: the course plays on, ctl answers, the sync retries quietly
pg_stop
# (--force: the first course's minute is not over yet)
"$S" schedule add --title "断网时的课" --source "$W/course.ts" --start "$(local_time +5)" \
  --duration 1 --force --data-dir "$D" > /dev/null || fail "schedule add"
wait_for screen rollcall 25
press 3 ok back
wait_for screen playing 5
wait_for playback_started true 10
wait_for sync.state retrying 20
expect screen playing
[ "$(field sync.message)" != "" ] || fail "no message while retrying"
finish_course
[ "$(field sync.pending)" -gt 0 ] || fail "nothing pending after a session without the server"
open_about
focus_row "Sync status" 同步状态
v=$(row_value "Sync status" 同步状态)
case "$v" in *"条记录待上传"*"无法连接"*) ;; *) fail "About's sync row: $v" ;; esac
[ "$MODE" = x11 ] && shot 03-about-retrying
pg_up
wait_for sync.state idle 60
wait_for sync.pending 0 10
[ "$(county_events)" = "$(record_events "$D")" ] || fail "county $(county_events) events after"
[ "$MODE" = x11 ] && shot 04-about-synced
press menu

# from a shell while the kiosk runs: cleared (it stops), set again (it syncs)
"$S" record settings --county-server "" --data-dir "$D" > /dev/null || fail "clear"
wait_for sync.state off 10
[ ! -e "$D/county.conninfo" ] || fail "county.conninfo left after clearing"
"$S" record settings --county-server "bad'quote" --data-dir "$D" 2> "$W/err" &&
  fail "a broken conninfo was taken"
grep -q "not a conninfo" "$W/err" || fail "no message for a broken conninfo"
"$S" record settings --county-server "$(json_get "$W/zhangjia.add.json" conninfo)" \
  --data-dir "$D" > /dev/null || fail "set from the shell"
wait_for sync.state idle 20
[ "$(field sync.server)" != "" ] || fail "no server after the shell set it"

n=$(county_events)

# a wrong password: "error" (waiting will not cure it), said in the log
"$S" record settings --county-server "host=127.0.0.1 port=$(pg_port c) dbname=county \
user=$ROLE password=wrong$PASS" --data-dir "$D" > /dev/null || fail "set a wrong password"
wait_for sync.state error 20
case "$(field sync.message)" in *"refused the login"*) ;; *) fail "message: $(field sync.message)" ;; esac

# a server that takes the connection and never answers (a link gone quiet):
# the kiosk still stops within seconds, the sync left to time out on its own
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True); time.sleep(300)' > "$W/silent.port" &
EXTRA_PIDS=$!
while [ ! -s "$W/silent.port" ]; do sleep 0.05; done
"$S" record settings --county-server "host=127.0.0.1 port=$(cat "$W/silent.port") dbname=county \
user=$ROLE password=$PASS" --data-dir "$D" > /dev/null || fail "set the silent server"
wait_for sync.state syncing 10
sleep 0.5
t0=$(date +%s%N)
kiosk_stop
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 5000 ] || fail "the kiosk took $ms ms to stop"
grep -q "a county sync is still running: left to end on its own" "$W/kiosk.log" ||
  fail "the sync did not hang as meant"
echo "ok: synced $n events; stopped in $ms ms with a sync hanging"
