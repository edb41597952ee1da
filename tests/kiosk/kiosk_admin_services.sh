#!/bin/sh
# The administrator's Services page through the control socket: the scan of
# the station's stream (the demo course with its SDT) lists the service by its
# Chinese name, OK makes it the station's service (kept in the record); the
# stream is changed with the address pickers (digits and arrows) to a
# multicast address, then to a channel of a DVB channel file; a DVB source
# that cannot open says so on the page; the chosen stream is the station's
# after a restart.
# usage: kiosk_admin_services.sh STUDYCAST WORKDIR STREAM.ts
set -eu
S=$1 W=$2 STREAM=$3
. "$(dirname "$0")/lib.sh"
test_workdir data
D=$W/data
[ -s "$STREAM" ] || fail "no stream $STREAM"

setting() { "$S" record settings --data-dir "$D" | sed -n "s/^$1 *//p"; }

make_fixture "$W/course.ts" 4
"$S" schedule add --title "明天的课" --source "$W/course.ts" --start "$(local_time +86400)" \
  --duration 30 --data-dir "$D" > /dev/null || fail "schedule add"
echo 2468 | "$S" pin set --data-dir "$D" > /dev/null || fail "pin set"
kiosk_start "$D" --lead-minutes 0 --source "$STREAM"
press menu 2 4 6 8 ok
expect menu.page root
focus_row Services 节目与信号
press ok
expect menu.page services
# the scan finds the demo's service by its SDT name
deadline=$(($(date +%s) + 60))
until field menu.services | grep -q "乡村振兴课堂"; do
  [ "$(date +%s)" -gt "$deadline" ] && fail "no service found: $(field menu)"
  sleep 0.5
done
case "$(mfield scan)" in receiving|done) ;; *) fail "scan state $(mfield scan)" ;; esac
id=$(field menu.services | python3 -c 'import json,sys; print([s["id"] for s in json.load(sys.stdin) if s["name"] == "乡村振兴课堂"][0])')
focus_row "乡村振兴课堂" "乡村振兴课堂"
press ok
expect menu.service "$id"
[ "$(mfield message_error)" = false ] || fail "choosing the service: $(mfield message)"
[ "$(setting service)" = "$id" ] || fail "the service is not in the record"
field menu.items | grep -q "✓ $id  乡村振兴课堂" || fail "the chosen service is not marked"

# the stream: a multicast address with the pickers
focus_row Stream 信号源
press ok
expect menu.page source
focus_row "Multicast address" 组播地址
press ok 2 3 9 right 1 0 right 2 0 right 2 9 up right 5 0 0 4 ok
expect menu.url "udp://239.10.20.30:5004"
# BACK while editing leaves it as it was
press ok right 9 back
expect menu.url "udp://239.10.20.30:5004"
focus_row "Save" 保存
press ok
expect menu.page services
[ "$(setting source)" = "udp://239.10.20.30:5004" ] || fail "source not in the record"
field menu.items | grep -q "udp://239.10.20.30:5004" || fail "the page does not show the new stream"

# a DVB channel from the data dir's channel file; no tuner here: the page says so
cat > "$D/channels.conf" <<'EOF'
[CCTV-1 综合]
	DELIVERY_SYSTEM = DTMB
	FREQUENCY = 538000000
	SERVICE_ID = 101

[乡村频道]
	DELIVERY_SYSTEM = DTMB
	FREQUENCY = 546000000
	SERVICE_ID = 102
EOF
focus_row Stream 信号源
press ok
expect menu.page source
expect menu.channels 2
focus_row Kind 类型
press ok up up ok
focus_row Channel 频道
press ok down ok
focus_row "Save" 保存
press ok
expect menu.page services
dvb=$(setting source)
case "$dvb" in "dvb://%E4%B9%A1%E6%9D%91%E9%A2%91%E9%81%93?channels=$D/channels.conf") ;;
  *) fail "DVB source '$dvb'" ;; esac
deadline=$(($(date +%s) + 30))
until [ "$(mfield scan)" = failed ]; do
  [ "$(date +%s)" -gt "$deadline" ] && fail "no tuner, yet the scan is $(mfield scan)"
  sleep 0.5
done
[ "$(field menu.items | python3 -c 'import json,sys; print(json.load(sys.stdin)[1].get("warning", False))')" = True ] ||
  fail "the failed scan is not shown as a warning"
press menu

# after a restart (no --source): the kept stream and service
kiosk_stop
kiosk_start "$D" --lead-minutes 0
press menu 2 4 6 8 ok
focus_row Services 节目与信号
press ok
expect menu.page services
expect menu.service "$id"
field menu.items | grep -q "channels=$D/channels.conf" || fail "the stream was not kept"
press menu
kiosk_stop
trap - EXIT
echo "PASS: services scanned and chosen, stream set by pickers and DVB channel, kept"
