#!/bin/sh
# The administrator's Members section through the control socket, with
# --media-dir standing in for the mounted USB sticks: the roster on screen;
# no stick, then one plugged in while the page is open; a roster with bad rows
# (every problem on screen with its line, nothing imported: `members list
# --json` unchanged); the stick pulled out while its files are listed; a
# header-only roster (refused with a message, nothing removed); a good roster
# that drops a member (issue 12 #8: the member listed and OK asked for; BACK
# cancels and nothing changes; OK imports: counts on screen, `members list
# --json` and the roll-call follow: a member added by the import checks in at
# the next course).
set -eu
S=$1 W=$2
. "$(dirname "$0")/lib.sh"
test_workdir data media
D=$W/data M=$W/media

members_json() { "$S" members list --json --data-dir "$D"; }

make_fixture "$W/course.ts" 30
roster_csv "$W/roster.csv"
"$S" members import "$W/roster.csv" --data-dir "$D" > /dev/null || fail "members import"
"$S" schedule add --title "明天的课" --source "$W/course.ts" --start "$(local_time +86400)" \
  --duration 30 --data-dir "$D" > /dev/null || fail "schedule add"
echo 2468 | "$S" pin set --data-dir "$D" > /dev/null
members_json > "$W/before.json"

kiosk_start "$D" --media-dir "$M" --lead-minutes 0
expect demo false
expect roster_size 6
press menu 2 4 6 8 ok
expect menu.page root
open_section 'Members|成员'
expect menu.page members
expect menu.members 6
field menu.items > "$W/roster-items.json"
json_check "$W/roster-items.json" "len(d) == 7" \
  "d[1]['label'] == '001  王建国'" "'80010001' in d[1]['value']" \
  "d[6]['label'] == '006  杨丽'"
# the roster scrolls: down to the last member and around to the import row
press up
expect menu.focus 6
press down
expect menu.focus 0

# no stick yet: said so; a stick plugged in while the page is open shows up
press ok
expect menu.page members_import
expect menu.sticks 0
field menu.items > "$W/nostick.json"
json_check "$W/nostick.json" "len(d) == 1" "d[0].get('disabled') is True" \
  "'USB' in d[0]['label'] or 'U盘' in d[0]['label']"
mkdir "$M/KINGSTON"
cat > "$M/KINGSTON/bad.csv" <<'CSV'
number,name,category,card
001,王建国,党员,80010001
002,,党员,80010002
003,张伟,工人,80010003
001,重复,群众,80010009
004,刘芳,群众,80010004,多余
CSV
printf 'number,name,category,card\n' > "$M/KINGSTON/empty.csv"
# the good roster: 002 renamed, 006 gone, 007 new (GB18030, as WPS saves it)
printf 'number,name,category,card\n001,王建国,党员,80010001\n002,李秀英（组长）,干部,80010002\n003,张伟,干部,80010003\n004,刘芳,群众,80010004\n005,陈明,党员,80010005\n007,赵新,群众,80010007\n' |
  iconv -f UTF-8 -t GB18030 > "$M/KINGSTON/good.csv"
echo "not a roster" > "$M/KINGSTON/notes.txt"
wait_for menu.sticks 1 5
field menu.items > "$W/stick.json"
json_check "$W/stick.json" "len(d) == 1" "'KINGSTON' in d[0]['label']" "not d[0].get('disabled')"
press ok
expect menu.stick "$M/KINGSTON"
field menu.items > "$W/files.json"
json_check "$W/files.json" "[x['label'] for x in d] == ['bad.csv', 'empty.csv', 'good.csv']"

# bad rows: every problem with its line, nothing imported
press ok
expect menu.page members_problems
[ "$(mfield message_error)" = true ] || fail "no error message for the bad roster"
field menu > "$W/problems.json"
json_check "$W/problems.json" \
  "[p['line'] for p in d['problems']] == [3, 4, 5, 6]" \
  "all(x.get('warning') for x in d['items'])" \
  "len(d['items']) == 4" \
  "'3' in d['items'][0]['label']" \
  "'4' in d['message']"
press down down down
expect menu.focus 3
members_json > "$W/after-bad.json"
cmp -s "$W/before.json" "$W/after-bad.json" || fail "the bad roster changed the members"
expect roster_size 6

# back to the files; the stick pulled out while they are listed
press back
expect menu.page members_import
mv "$M/KINGSTON" "$W/KINGSTON.out"
wait_for menu.stick "" 5
[ "$(mfield message_error)" = true ] || fail "no message when the stick was pulled out"
expect menu.sticks 0
mv "$W/KINGSTON.out" "$M/KINGSTON"
wait_for menu.sticks 1 5

# a header-only roster: refused with a message, nobody removed
press ok down ok
expect menu.page members_problems
[ "$(mfield message_error)" = true ] || fail "no error message for the empty roster"
field menu > "$W/empty.json"
json_check "$W/empty.json" "len(d['problems']) == 1" "d['problems'][0]['line'] == 0" \
  "'no members' in d['problems'][0]['message']"
members_json > "$W/after-empty.json"
cmp -s "$W/before.json" "$W/after-empty.json" || fail "the empty roster changed the members"
expect roster_size 6
press back
expect menu.page members_import

# the good roster drops 006: listed, and OK asked for; BACK cancels
press down ok
expect menu.page members_confirm
expect menu.removing 1
expect menu.adding 1
expect menu.updating 1
[ "$(mfield message_error)" = true ] || fail "the removal is not shown as a warning"
field menu.items > "$W/confirm.json"
json_check "$W/confirm.json" "[x['label'] for x in d] == ['006  杨丽']" "d[0].get('warning')"
press back
expect menu.page members_import
members_json > "$W/after-cancel.json"
cmp -s "$W/before.json" "$W/after-cancel.json" || fail "the cancelled import changed the members"
expect roster_size 6

# OK: imported; counts on screen, the roster and the roll-call follow it
press ok
expect menu.page members_confirm
press ok
expect menu.page members
[ "$(mfield message_error)" = false ] || fail "the good roster gave an error: $(mfield message)"
msg=$(mfield message)
case "$msg" in *1*1*1*) ;; *) fail "no added/updated/removed counts: $msg" ;; esac
expect menu.members 6
members_json > "$W/after-good.json"
json_check "$W/after-good.json" \
  "[m['number'] for m in d] == ['001', '002', '003', '004', '005', '007']" \
  "d[1]['name'] == '李秀英（组长）' and d[1]['category'] == 'cadre'" \
  "d[5]['name'] == '赵新' and d[5]['card'] == '80010007'"
field menu.items > "$W/roster-after.json"
json_check "$W/roster-after.json" "d[6]['label'] == '007  赵新'"
expect roster_size 6

# a course: the new member checks in on the roll-call, the removed one is gone
"$S" schedule add --title "导入后的课" --source "$W/course.ts" --start "$(local_time +5)" \
  --duration 1 --data-dir "$D" > /dev/null || fail "schedule add"
wait_for screen rollcall 30
press 7 ok
wait_for present '["007"]' 5
press 6 ok
expect present '["007"]'
kiosk_stop
trap - EXIT
echo "PASS: roster, stick plugged in and pulled out, bad rows listed and nothing imported, good roster imported and used"
