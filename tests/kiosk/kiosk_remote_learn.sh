#!/bin/sh
# Settings -> Remote through the control socket and a FIFO of kernel key
# events (--input): a new remote's green key learnt for OK, a keyboard's F6
# (an SDL name, the socket's "key" command) for BACK; a key already bound to
# another action is pointed out (BACK skips, OK moves it); BACK and a key that
# means BACK cancel the wait; the keymap file given with --keymap is written
# at once (the technician's own line kept) and the learnt keys work at once
# and after a restart; "restore the built-in keys" empties the file. A keymap
# file that cannot be written: the map goes to the data dir, used from then on.
# usage: kiosk_remote_learn.sh STUDYCAST WORKDIR
set -eu
S=$1 W=$2
. "$(dirname "$0")/lib.sh"
test_workdir data
D=$W/data
KEYS="python3 $(dirname "$0")/evdev_keys.py"
ctl_key() { $CTL "$W/sock" key "$@" || fail "key $* refused"; }
# keys_of ACTION: the keys bound to it, as the Remote page's status lists them
keys_of() { field "menu.keys.$1"; }
has_key() { # has_key ACTION KEY
  keys_of "$1" | python3 -c 'import json,sys; sys.exit(sys.argv[1] not in json.load(sys.stdin))' "$2"
}
open_remote_page() {
  press menu 2 4 6 8 ok
  expect menu.page root
  focus_row Settings 设置
  press ok
  expect menu.page settings
  focus_row Remote 遥控器
  press ok
  expect menu.page remote
}

make_fixture "$W/course.ts" 4
"$S" schedule add --title "明天的课" --source "$W/course.ts" --start "$(local_time +86400)" \
  --duration 30 --data-dir "$D" > /dev/null || fail "schedule add"
echo 2468 | "$S" pin set --data-dir "$D" > /dev/null || fail "pin set"
printf '# the technician'"'"'s line\nKEY_RED = info\n' > "$W/keymap.conf"
mkfifo "$W/remote"
kiosk_start "$D" --keymap "$W/keymap.conf" --input "$W/remote" --lead-minutes 0 --language en

# the green key means nothing yet
$KEYS "$W/remote" KEY_GREEN
sleep 0.3
expect screen home
open_remote_page
expect menu.learn idle
expect menu.learn_action ok
expect menu.keymap_file "$W/keymap.conf"
has_key ok Return || fail "Return is not shown as a key for OK"

# OK: waiting for the key for OK; the remote's green key is learnt
press ok
expect menu.learn wait
$KEYS "$W/remote" KEY_GREEN
wait_for menu.learn idle 3
has_key ok KEY_GREEN || fail "KEY_GREEN was not learnt for ok"
has_key ok Return || fail "the keyboard's Return no longer means ok"
expect menu.learn_action back # the focus moved on to the next action
grep -qx "KEY_GREEN = ok" "$W/keymap.conf" || fail "the keymap file does not have KEY_GREEN"
grep -qx "KEY_RED = info" "$W/keymap.conf" || fail "the technician's line was lost"
grep -q "menu: Saved: KEY_GREEN is a key for OK" "$W/kiosk.log" || fail "no message for the learnt key"

# the control socket's key command: F6 (an SDL name) for BACK
press ok
expect menu.learn wait
ctl_key F6
wait_for menu.learn idle 3
has_key back F6 || fail "F6 was not learnt for back"
expect menu.learn_action menu

# MENU: KEY_GREEN is OK's now: pointed out; BACK skips, nothing changes
cp "$W/keymap.conf" "$W/before.conf"
press ok
ctl_key KEY_GREEN
expect menu.learn conflict
expect menu.conflict_key KEY_GREEN
press back
expect menu.learn idle
has_key ok KEY_GREEN || fail "skipping moved the key"
cmp -s "$W/keymap.conf" "$W/before.conf" || fail "skipping changed the keymap file"
# BACK while waiting cancels; so does a key that means BACK (Escape)
press ok
expect menu.learn wait
press back
expect menu.learn idle
press ok
ctl_key Escape
expect menu.learn idle
has_key back Escape || fail "Escape lost its meaning"
cmp -s "$W/keymap.conf" "$W/before.conf" || fail "cancelling changed the keymap file"
# again, and OK moves it: KEY_GREEN is MENU's, no longer OK's
press ok
ctl_key key_green # kernel names in any case
expect menu.learn conflict
press ok
expect menu.learn idle
has_key menu KEY_GREEN || fail "KEY_GREEN was not moved to menu"
has_key ok KEY_GREEN && fail "KEY_GREEN still means ok"
grep -qx "KEY_GREEN = menu" "$W/keymap.conf" || fail "the move is not in the keymap file"

# used at once: MENU closes the menu; the green key opens it again, F6 backs out
press menu
wait_for screen home 3
$KEYS "$W/remote" KEY_GREEN
wait_for menu.page pin 3
ctl_key F6
wait_for screen home 3

# kept across a restart
kiosk_stop
kiosk_start "$D" --keymap "$W/keymap.conf" --input "$W/remote" --lead-minutes 0 --language en
$KEYS "$W/remote" KEY_GREEN
wait_for menu.page pin 3
ctl_key F6
wait_for screen home 3

# restore the built-in keys: the technician's line goes too
open_remote_page
focus_row "Restore the built-in keys" 恢复
press ok
expect menu.learn reset
press ok
expect menu.learn idle
has_key menu KEY_GREEN && fail "KEY_GREEN still means menu"
has_key back Escape || fail "the built-in keys are not back"
grep -v "^#" "$W/keymap.conf" | grep -q . && fail "the keymap file still binds keys: $(cat "$W/keymap.conf")"
press menu
kiosk_stop

# a keymap file that cannot be written (its folder is gone): the data dir's
mkdir "$W/etc"
printf 'KEY_RED = info\n' > "$W/etc/keymap.conf"
kiosk_start "$D" --keymap "$W/etc/keymap.conf" --input "$W/remote" --lead-minutes 0 --language en
mv "$W/etc" "$W/etc-gone"
open_remote_page
focus_row Info 信息
press ok
$KEYS "$W/remote" KEY_YELLOW
wait_for menu.learn idle 3
expect menu.keymap_file "$D/keymap.conf"
grep -qx "KEY_YELLOW = info" "$D/keymap.conf" || fail "no keymap in the data dir"
grep -qx "KEY_RED = info" "$D/keymap.conf" || fail "the loaded line is not kept"
press menu
kiosk_stop
mv "$W/etc-gone" "$W/etc"
# the next start loads the data dir's, and says so
kiosk_start "$D" --keymap "$W/etc/keymap.conf" --input "$W/remote" --lead-minutes 0 --language en
grep -q "keymap: $D/keymap.conf (written by the menu" "$W/kiosk.log" ||
  fail "the start does not say which keymap it uses"
open_remote_page
has_key info KEY_YELLOW || fail "the data dir's keymap was not loaded"
press menu
kiosk_stop
echo "kiosk_remote_learn: ok"
