#!/bin/sh
# The record CLI end to end: roster import/list, report (table and JSON),
# export in every format checked by independent tools (check_export.py),
# verify, and clear failures for bad input and bad export targets.
# usage: test_record_cli.sh STUDYCAST RECORD_FIXTURE SOURCE_DIR
set -eu
studycast=$1 fixture=$2 src=$3
work=$(mktemp -d "$PWD/cli-XXXXXX")
data=$work/data
fail() { echo "FAIL: $*" >&2; exit 1; }

"$fixture" "$data"
cp -a "$data" "$work/pristine" # for the tamper cases below

# members list --json: exactly the documented names
"$studycast" members list --json --data-dir "$data" > "$work/members.json"
/usr/bin/python3 - "$work/members.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
assert len(m) == 6, m
assert all(set(x) == {"number", "name", "category", "card"} for x in m), m
assert m[0] == {"number": "001", "name": "张三", "category": "party_member", "card": "C001"}, m[0]
assert m[3]["card"] is None
PY

# a bad roster: each problem by line, exit 1, roster unchanged
printf 'number,name,category,card\n101,甲,党员,\n101,乙,群众,\n102,丙,农民,\n' > "$work/bad.csv"
if "$studycast" members import "$work/bad.csv" --data-dir "$data" 2> "$work/err"; then
  fail "a bad roster was accepted"
fi
grep -q "bad.csv:3: duplicate member number 101" "$work/err" || fail "no line 3 report"
grep -q "bad.csv:4: unknown category" "$work/err" || fail "no line 4 report"
grep -q "nothing was imported" "$work/err" || fail "no summary"
test "$("$studycast" members list --json --data-dir "$data" | grep -c '"number"')" = 6 ||
  fail "the bad roster changed the members"

# report: JSON with the documented names, and the table
"$studycast" record report --month 2026-11 --json --data-dir "$data" > "$work/report.json"
/usr/bin/python3 - "$work/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
assert {"sessions", "members", "requirement"} <= set(r), r.keys()
assert r["record_check"] == {"ok": True}, r["record_check"]
s = r["sessions"]
assert len(s) == 4, len(s)
for x in s:
    assert {"id", "course", "start", "end", "played_seconds", "status", "attendance"} <= set(x)
    for a in x["attendance"]:
        assert set(a) == {"member", "seconds"}
assert [x["status"] for x in s] == ["complete", "complete", "interrupted", "complete"]
assert s[0]["played_seconds"] == 130 * 60 and s[2]["played_seconds"] == 70 * 60
assert s[3]["start"] == "2026-11-30T15:00:00Z" and s[3]["end"] == "2026-11-30T17:30:00Z"
req = r["requirement"]
assert req == {"station_type": "village", "sessions_required": 3, "sessions_held": 3,
               "minutes_required_each": 120, "met": True}, req
PY
"$studycast" record report --month 2026-11 --data-dir "$data" > "$work/report.txt"
grep -q "停电的一次" "$work/report.txt" || fail "table lacks a session"
grep -q "interrupted" "$work/report.txt" || fail "table lacks the status"
grep -q "2026-11: village station, 3 sessions of >= 120 minutes required, 3 held: MET" \
  "$work/report.txt" || fail "table lacks the requirement"
"$studycast" record report --quarter 2026-Q4 --json --data-dir "$data" > "$work/q4.json"
/usr/bin/python3 -c "
import json,sys; r=json.load(open('$work/q4.json'))
m=r['requirement']['months']; assert [x['month'] for x in m]==['2026-10','2026-11','2026-12'], m
assert [x['sessions_held'] for x in m]==[1,3,0] and r['requirement']['met'] is False, m"
"$studycast" record report --month 2026-13 --data-dir "$data" 2>/dev/null && fail "bad month accepted"

# export for November and check it with independent tools
"$studycast" record export --out "$work/usb" --from 2026-11-01 --to 2026-11-30 \
  --data-dir "$data" > /dev/null
/usr/bin/python3 "$src/check_export.py" "$work/usb" "$work/report.json" \
  "$src/xapi-statement.schema.json" "$PWD/record-book-2026-11"
"$studycast" verify "$work/usb" --key "$data/station.pub" > "$work/verify.out"
grep -q "export verified" "$work/verify.out" || fail "verify did not pass"

# tampering makes verify fail with a reason
printf 'x' >> "$work/usb/sessions.csv"
if "$studycast" verify "$work/usb" > "$work/verify.out" 2>&1; then fail "tampering passed"; fi
grep -q "sessions.csv was altered" "$work/verify.out" || fail "no reason given"

# only csv, and a bad format name
"$studycast" record export --out "$work/csv-only" --format csv --data-dir "$data" > /dev/null
test -f "$work/csv-only/sessions.csv" && ! test -e "$work/csv-only/xapi-statements.json" ||
  fail "--format csv wrote other formats"
"$studycast" verify "$work/csv-only" > /dev/null || fail "csv-only export does not verify"
"$studycast" record export --out "$work/x" --format doc --data-dir "$data" 2>/dev/null &&
  fail "bad format accepted"

# a target that cannot be written: clear message, exit 1, record untouched
before=$("$studycast" record check --data-dir "$data")
if "$studycast" record export --out "$work/gone/deeper/usb" --data-dir "$data" 2> "$work/err"
then fail "export to a missing directory succeeded"; fi
grep -q "export to $work/gone/deeper/usb failed: No such file or directory" "$work/err" ||
  fail "unclear message: $(cat "$work/err")"
test "$("$studycast" record check --data-dir "$data")" = "$before" || fail "record changed"

# a full and a read-only target, and a read-only record: clear message, exit 1,
# nothing half-written (tmpfs if this machine lets us mount; else the
# read-only case as an unprivileged user; the API test covers full disks
# with RLIMIT_FSIZE everywhere)
mnt=$work/mnt
mkdir -p "$mnt"
trap 'umount "$mnt" 2>/dev/null || true' EXIT
# room for a copy of the record (its size varies with WAL checkpoints) plus some
tmpfs_kib=$(( $(du -sk "$data" | cut -f1) + 256 ))
if mount -t tmpfs -o size=${tmpfs_kib}k tmpfs "$mnt" 2>/dev/null; then
  echo "disk cases: tmpfs"
  dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null || true
  if "$studycast" record export --out "$mnt/usb" --data-dir "$data" 2> "$work/err"; then
    umount "$mnt"; fail "export to a full disk succeeded"
  fi
  grep -q "failed: the disk is full" "$work/err" || { umount "$mnt"; fail "$(cat "$work/err")"; }
  rm -f "$mnt/filler"
  cp -a "$data" "$mnt/data"
  mount -o remount,ro "$mnt"
  if "$studycast" record export --out "$mnt/usb2" --data-dir "$data" 2> "$work/err"; then
    umount "$mnt"; fail "export to a read-only disk succeeded"
  fi
  grep -q "failed: the file system is read-only" "$work/err" || { umount "$mnt"; fail "ro: $(cat "$work/err")"; }
  # a read-only record: listing works (read-only open), importing says why not
  "$studycast" members list --data-dir "$mnt/data" > "$work/ro-list" 2> "$work/err" ||
    { umount "$mnt"; fail "members list on a read-only record: $(cat "$work/err")"; }
  "$studycast" members list --data-dir "$data" | cmp -s - "$work/ro-list" ||
    { umount "$mnt"; fail "members list differs on a read-only record"; }
  if "$studycast" members import "$work/bad.csv" --data-dir "$mnt/data" 2> "$work/err"; then
    umount "$mnt"; fail "a read-only record opened for writing"
  fi
  grep -q "cannot open the study record in $mnt/data: the file system is read-only" "$work/err" ||
    { umount "$mnt"; fail "ro record: $(cat "$work/err")"; }
  grep -q "these still work: studycast record report" "$work/err" ||
    { umount "$mnt"; fail "ro record: no word on what still works: $(cat "$work/err")"; }
  umount "$mnt"
elif [ "$(id -u)" != 0 ] || command -v setpriv > /dev/null; then
  echo "disk cases: unprivileged user"
  chmod 0555 "$mnt"
  as_user="" user_data=$data
  if [ "$(id -u)" = 0 ]; then
    as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
    user_data=$work/data-user
    cp -a "$data" "$user_data" && chown -R 65534:65534 "$user_data" && chmod o+x "$work"
  fi
  if $as_user "$studycast" record export --out "$mnt/usb" --data-dir "$user_data" 2> "$work/err"
  then fail "export to a read-only folder succeeded"; fi
  grep -q "export to $mnt/usb failed: Permission denied" "$work/err" ||
    fail "unclear: $(cat "$work/err")"
else
  fail "neither mount nor setpriv: cannot make a read-only target"
fi
test "$("$studycast" record check --data-dir "$data")" = "$before" || fail "record changed"

# settings
"$studycast" record settings --station-type township --data-dir "$data" | grep -q "township"
"$studycast" record settings --station-type city --data-dir "$data" 2>/dev/null &&
  fail "bad station type accepted"
# a station name with control characters (ESC, DEL, C1 CSI) is refused with
# a clear line; the name stays as it was
for name in "$(printf 'Bad\033[2JName')" "$(printf 'Bad\177')" "$(printf 'Bad\302\233')"; do
  if "$studycast" record settings --station-name "$name" --data-dir "$data" > /dev/null \
    2> "$work/err"; then
    fail "a station name with control characters was accepted"
  fi
  grep -q "no control characters" "$work/err" || fail "no clear message: $(cat "$work/err")"
  grep -q "$(printf '\033')" "$work/err" && fail "the refusal printed the control character"
done
"$studycast" record settings --data-dir "$data" | grep -q "Bad" && fail "a bad name was stored"
"$studycast" record report --month 2026-11 --json --data-dir "$data" | grep -q '"met": false' ||
  fail "township requirement not applied"
# An altered record (the trigger dropped, then an edit SQL compares but the
# old chain check did not see, or one before the export's range): check names
# the event, report still shows the record under a warning and exits 1, export
# refuses and writes nothing, so there is nothing for verify to call intact.
tamper_case() { # name where set type
  t=$work/t-$1
  cp -a "$work/pristine" "$t"
  seq=$(/usr/bin/python3 - "$t/record.sqlite" "$2" "$3" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
seq = c.execute("SELECT min(seq) FROM events WHERE " + sys.argv[2]).fetchone()[0]
c.execute("DROP TRIGGER events_no_update")
c.execute("UPDATE events SET " + sys.argv[3] + " WHERE seq = ?", (seq,))
c.commit()
print(seq)
PY
)
  line="the study record has been altered: event $seq ($4)"
  if "$studycast" record check --data-dir "$t" > /dev/null 2> "$work/err"; then
    fail "$1: record check passed"
  fi
  grep -qF "studycast record check: $line" "$work/err" || fail "$1: check: $(cat "$work/err")"
  if "$studycast" record report --month 2026-11 --data-dir "$t" > "$work/out" 2> "$work/err"; then
    fail "$1: report exited 0"
  fi
  head -n 1 "$work/out" | grep -qF "WARNING: $line" || fail "$1: no warning: $(head -n 2 "$work/out")"
  grep -q "^2026-11: village station" "$work/out" || fail "$1: the report was not shown"
  grep -qF "$line" "$work/err" || fail "$1: report stderr: $(cat "$work/err")"
  if "$studycast" record report --month 2026-11 --json --data-dir "$t" > "$work/out" 2> /dev/null
  then fail "$1: report --json exited 0"; fi
  /usr/bin/python3 -c "
import json,sys; c=json.load(open('$work/out'))['record_check']
assert c['ok'] is False and c['first_bad_seq'] == $seq and c['type'] == '$4', c" ||
    fail "$1: report --json record_check"
  if "$studycast" record export --out "$t/usb" --from 2026-11-01 --to 2026-11-30 \
    --data-dir "$t" > /dev/null 2> "$work/err"; then fail "$1: export succeeded"; fi
  grep -qF "studycast record export: $line" "$work/err" || fail "$1: export: $(cat "$work/err")"
  grep -q "Nothing was exported" "$work/err" || fail "$1: export: $(cat "$work/err")"
  test ! -e "$t/usb" || fail "$1: export wrote $t/usb"
  if "$studycast" verify "$t/usb" > /dev/null 2>&1; then fail "$1: verify passed"; fi
}
tamper_case session-blob "type = 'member_checked_out'" "session = CAST(session AS BLOB)" \
  member_checked_out
tamper_case session-nul "type = 'member_checked_out'" "session = session || char(0)" \
  member_checked_out
tamper_case type-blob "type = 'member_checked_out'" "type = CAST(type AS BLOB)" \
  member_checked_out
tamper_case int-as-text "type = 'session_opened' AND payload LIKE '%乡村振兴%'" \
  "utc_ns = utc_ns || 'x'" session_opened
tamper_case before-range "type = 'session_opened' AND payload LIKE '%十月课程%'" \
  "payload = replace(payload, '十月课程', '九月课程')" session_opened

# issue 12 #8: an import that would remove members is refused without
# --replace (listing them), a header-only roster is always refused, and
# neither changes the roster
r=$work/roster
cp -a "$work/pristine" "$r"
"$studycast" members list --json --data-dir "$r" > "$work/m-before.json"
printf 'number,name,category,card\n' > "$work/header-only.csv"
for flag in "" --replace; do
  if "$studycast" members import "$work/header-only.csv" $flag --data-dir "$r" \
    > "$work/out" 2> "$work/err"; then fail "a header-only roster was accepted ($flag)"; fi
  grep -q "header-only.csv: the roster lists no members (only the header)" "$work/err" ||
    fail "header-only ($flag): $(cat "$work/err")"
  grep -q "nothing was imported" "$work/err" || fail "header-only: no summary"
  ! grep -q removed "$work/out" || fail "header-only: $(cat "$work/out")"
  "$studycast" members list --json --data-dir "$r" | cmp -s - "$work/m-before.json" ||
    fail "the header-only roster changed the members ($flag)"
done
# the same roster without its last member (the file written from the list)
/usr/bin/python3 - "$work/m-before.json" "$work/drop-one.csv" <<'PY'
import csv, json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["number", "name", "category", "card"])
    for x in m[:-1]:
        w.writerow([x["number"], x["name"], x["category"], x["card"] or ""])
PY
last=$(/usr/bin/python3 -c "import json; print(json.load(open('$work/m-before.json'))[-1]['number'])")
if "$studycast" members import "$work/drop-one.csv" --data-dir "$r" 2> "$work/err"; then
  fail "a roster dropping a member was imported without --replace"
fi
grep -q "drop-one.csv would remove 1 member(s) who are not in it" "$work/err" ||
  fail "drop one: $(cat "$work/err")"
grep -q "^  $last " "$work/err" || fail "drop one: the member is not named: $(cat "$work/err")"
grep -q "with --replace" "$work/err" || fail "drop one: no hint: $(cat "$work/err")"
"$studycast" members list --json --data-dir "$r" | cmp -s - "$work/m-before.json" ||
  fail "the refused import changed the members"
"$studycast" members import "$work/drop-one.csv" --replace --data-dir "$r" > "$work/out" ||
  fail "--replace refused"
grep -q "0 added, 0 updated, 1 removed, 5 unchanged" "$work/out" || fail "replace: $(cat "$work/out")"
test "$("$studycast" members list --json --data-dir "$r" | grep -c '"number"')" = 5 ||
  fail "--replace did not remove the member"
"$studycast" record check --data-dir "$r" > /dev/null || fail "record check after --replace"

rm -rf "$work"
echo "record CLI ok"
