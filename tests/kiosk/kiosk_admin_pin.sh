#!/bin/sh
# The administrator's menu behind its PIN, through the control socket: the
# first use chooses a PIN (typed twice), a wrong PIN is refused, five wrong
# PINs lock the menu, the lock-out survives a restart of the kiosk, the right
# PIN is refused while locked, `studycast pin set` ends it, a damaged PIN
# file keeps the menu shut with a clear message, a lock-out's end far ahead
# (a clock set back) is cut to 15 minutes, and an unreadable PIN file is said
# to be unreadable, never a wrong PIN.
set -eu
S=$1 W=$2
. "$(dirname "$0")/lib.sh"
test_workdir data
D=$W/data


# a real station (not the demo): one course planned for tomorrow
make_fixture "$W/course.ts" 4
"$S" schedule add --title "明天的课" --source "$W/course.ts" --start "$(local_time +86400)" \
  --duration 30 --data-dir "$D" > /dev/null || fail "schedule add"

kiosk_start "$D" --lead-minutes 0
expect demo false
expect screen home
expect menu null

# no PIN yet: the menu asks for a new one, twice
press menu
expect screen menu
expect menu.page pin
expect menu.pin_mode new
press 1 2 3 ok
expect menu.pin_mode new
[ "$(mfield message_error)" = true ] || fail "a 3-digit PIN was not refused"
press 1 2 3 4 ok
expect menu.pin_mode repeat
press 1 2 3 5 ok
expect menu.pin_mode new
case "$(mfield message)" in *differ*|*不一致*) ;; *) fail "no 'PINs differ' message: $(mfield message)" ;; esac
press 2 4 6 8 ok 2 4 6 8 ok
expect menu.page root
[ "$(mfield message_error)" = false ] || fail "saving the PIN gave an error"
[ -f "$D/admin-pin.json" ] || fail "no PIN file in the station's data dir"
grep -q 2468 "$D/admin-pin.json" && fail "the PIN is stored in clear"
grep -q '\$argon2id\$' "$D/admin-pin.json" || fail "the PIN is not an Argon2id hash"
press menu
expect screen home
expect menu null

# the right PIN opens the menu; BACK on an empty PIN leaves it
press menu
expect menu.pin_mode enter
press 2 4 6 8
expect menu.pin_entered 4
press back back back back
expect menu.pin_entered 0
press back
expect screen home
press menu 2 4 6 8 ok
expect menu.page root
press back
expect screen home

# four wrong PINs: refused, counted
press menu
for i in 1 2 3 4; do press 1 1 1 1 ok; done
expect menu.page pin
expect menu.pin_failures 4
case "$(mfield message)" in *1*) ;; *) fail "no tries-left message: $(mfield message)" ;; esac
# the fifth locks the menu, and a restart does not unlock it
press 1 1 1 1 ok
expect menu.pin_failures 5
locked=$(mfield pin_locked_s)
[ "$locked" -gt 800 ] || fail "not locked after five wrong PINs ($locked s)"
kiosk_stop
"$S" pin status --data-dir "$D" | grep -q locked || fail "pin status does not say locked"
kiosk_start "$D" --lead-minutes 0
press menu
expect menu.page pin
[ "$(mfield pin_locked_s)" -gt 800 ] || fail "the lock-out did not survive the restart"
press 2 4 6 8 ok
expect menu.page pin
[ "$(mfield message_error)" = true ] || fail "no lock-out message"
press back
expect screen home

# the technician sets a new PIN: the lock-out ends
echo 13579 | "$S" pin set --data-dir "$D" > /dev/null || fail "pin set"
echo 12 | "$S" pin set --data-dir "$D" 2> "$W/short.err" && fail "pin set took a 2-digit PIN"
grep -q "4 to 8 digits" "$W/short.err" || fail "no clear message for a short PIN"
press menu 1 3 5 7 9 ok
expect menu.page root

# change the PIN from the root page
press menu
press menu 1 3 5 7 9 ok
focus=$(mfield focus)
n=$(field menu.items | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
i=0
until field menu.items | python3 -c 'import json,sys; f=int(sys.argv[1]); it=json.load(sys.stdin); sys.exit(0 if "PIN" in it[f]["label"] or "修改密码" in it[f]["label"] else 1)' "$(mfield focus)"; do
  press down; i=$((i + 1)); [ $i -le "$n" ] || fail "no 'Change the PIN' entry on the root page"
done
press ok
expect menu.pin_mode new
press 8 6 4 2 ok 8 6 4 2 ok
expect menu.page root
press menu
press menu 1 3 5 7 9 ok
expect menu.page pin
press 8 6 4 2 ok
expect menu.page root
press menu

# a damaged PIN file: the menu stays shut and says why
kiosk_stop
echo 'not json' > "$D/admin-pin.json"
kiosk_start "$D" --lead-minutes 0
press menu
expect menu.page pin
[ "$(mfield message_error)" = true ] || fail "no message for a damaged PIN file"
press 8 6 4 2 ok
expect menu.page pin
press back
echo 8642 | "$S" pin set --data-dir "$D" > /dev/null || fail "pin set"

# the clock set back after a lock-out began leaves its end far ahead (here
# 30 days): the menu and pin status shorten it to 15 minutes
far_lock() {
  python3 - "$D/admin-pin.json" <<'PY'
import json, sys, time
d = json.load(open(sys.argv[1]))
d["failures"], d["locked_until"] = 5, int(time.time()) + 30 * 86400
json.dump(d, open(sys.argv[1], "w"))
PY
}
far_lock
press menu
expect menu.page pin
locked=$(mfield pin_locked_s)
[ "$locked" -gt 800 ] && [ "$locked" -le 900 ] || fail "the lock-out was not clamped: $locked s"
press back
far_lock
"$S" pin status --data-dir "$D" > "$W/status.out" || fail "pin status"
left=$(sed -n 's/.*locked for \([0-9]*\) more seconds.*/\1/p' "$W/status.out")
[ -n "$left" ] && [ "$left" -le 900 ] || fail "pin status: not clamped: $(cat "$W/status.out")"
echo 8642 | "$S" pin set --data-dir "$D" > /dev/null || fail "pin set"

# a PIN file that cannot be read (a directory in its place; a root test
# cannot take the read permission away): the right PIN is not called wrong,
# the menu and pin status say the file cannot be read and how to reset it
rm "$D/admin-pin.json"
mkdir "$D/admin-pin.json"
press menu
expect menu.page pin
case "$(mfield message)" in *"pin set"*) ;; *) fail "unreadable: $(mfield message)" ;; esac
press 8 6 4 2 ok
expect menu.page pin
case "$(mfield message)" in
  *Wrong*|*错误*) fail "an unreadable PIN file called the right PIN wrong" ;;
  *"pin set"*) ;;
  *) fail "unreadable, after a PIN: $(mfield message)" ;;
esac
press back
status=0
"$S" pin status --data-dir "$D" > "$W/status.out" || status=$?
[ "$status" = 1 ] && grep -q "cannot be read.*studycast pin set" "$W/status.out" ||
  fail "pin status on an unreadable file: exit $status: $(cat "$W/status.out")"
rmdir "$D/admin-pin.json"
echo 8642 | "$S" pin set --data-dir "$D" > /dev/null || fail "pin set"

# a course starting closes the menu: the course has the TV
"$S" schedule add --title "马上开始" --source "$W/course.ts" --start "$(local_time +20)" \
  --duration 1 --data-dir "$D" > /dev/null || fail "schedule add"
press menu 8 6 4 2 ok
expect menu.page root
wait_for screen rollcall 40
expect menu null

kiosk_stop
trap - EXIT
echo "PASS: PIN, lock-out across a restart, change, damaged file, a course closing the menu"
