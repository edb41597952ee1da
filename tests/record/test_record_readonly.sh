#!/bin/sh
# Issue 12 #6: a read-only or full data disk must not block the commands that
# only read. record report (table and JSON), record export --out elsewhere,
# record settings (reading), record check and members list open the record
# read-only and print exactly what they printed on the healthy disk; the
# writing commands (members import, record settings --station-name) fail
# and say that the disk is read-only/full and what still works. Cases: a
# clean record (no -wal) on a read-only mount, a record with a left-over WAL
# holding committed events (and its -shm) on a read-only mount, the same two
# on a full disk. The disks are tmpfs in a private mount namespace (as root,
# or in a user namespace with `unshare -rm`); without namespaces the test is
# skipped (77).
# usage: test_record_readonly.sh STUDYCAST RECORD_FIXTURE
set -eu
S=$1 F=$2
if [ "${RO_IN_NAMESPACE:-}" != 1 ]; then
  ns=-m
  [ "$(id -u)" = 0 ] || ns=-rm
  if ! unshare $ns --propagation private true 2> /dev/null; then
    echo "skipped: no private mount namespace (unshare $ns failed)"
    exit 77
  fi
  RO_IN_NAMESPACE=1 exec unshare $ns --propagation private sh "$0" "$@"
fi
W=$(mktemp -d "$PWD/readonly-XXXXXX")
fail() { echo "FAIL: $*" >&2; exit 1; }

# what the reading commands print, one file per command, for data dir $1
read_all() { # data-dir out-prefix
  "$S" record report --month 2026-11 --data-dir "$1" > "$2.report" 2> "$2.err" ||
    fail "report on $1: $(cat "$2.err")"
  "$S" record report --month 2026-11 --json --data-dir "$1" > "$2.json" 2> "$2.err" ||
    fail "report --json on $1: $(cat "$2.err")"
  "$S" record settings --data-dir "$1" > "$2.settings" 2> "$2.err" ||
    fail "settings on $1: $(cat "$2.err")"
  "$S" record check --data-dir "$1" > "$2.check" 2> "$2.err" ||
    fail "check on $1: $(cat "$2.err")"
  "$S" members list --data-dir "$1" > "$2.members" 2> "$2.err" ||
    fail "members list on $1: $(cat "$2.err")"
  "$S" members list --json --data-dir "$1" > "$2.members-json" 2> "$2.err" ||
    fail "members list --json on $1: $(cat "$2.err")"
  rm -rf "$2.export"
  "$S" record export --out "$2.export" --from 2026-11-01 --to 2026-11-30 --data-dir "$1" \
    > /dev/null 2> "$2.err" || fail "export from $1: $(cat "$2.err")"
  "$S" verify "$2.export" --key "$1/station.pub" > /dev/null || fail "export from $1 does not verify"
}
same_as() { # prefix reference-prefix what
  for k in report json settings check members members-json; do
    cmp -s "$1.$k" "$2.$k" || fail "$3: $k differs: $(diff "$2.$k" "$1.$k" | head -5)"
  done
  for f in sessions.csv attendance.csv member_hours.csv events.tsv xapi-statements.json; do
    cmp -s "$1.export/$f" "$2.export/$f" || fail "$3: exported $f differs"
  done
}
# a writing command fails, naming the disk's state and what still works
refuses() { # data-dir word what
  # the roster as it is plus one new member: only the disk stands in the way
  /usr/bin/python3 - "$W/ref.members-json" "$W/roster.csv" <<'PY'
import csv, json, sys
rows = [[m["number"], m["name"], m["category"], m["card"] or ""]
        for m in json.load(open(sys.argv[1], encoding="utf-8"))]
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
    csv.writer(f).writerows([["number", "name", "category", "card"]] + rows + [["900", "新人", "villager", ""]])
PY
  for cmd in "members import $W/roster.csv" "record settings --station-name 新名字"; do
    # shellcheck disable=SC2086
    if "$S" $cmd --data-dir "$1" > /dev/null 2> "$W/err"; then fail "$3: '$cmd' succeeded"; fi
    grep -q "$2" "$W/err" || fail "$3: '$cmd' does not say '$2': $(cat "$W/err")"
    grep -q "these still work: studycast record report, record export" "$W/err" ||
      fail "$3: '$cmd' does not say what still works: $(cat "$W/err")"
  done
}

"$F" "$W/data" > /dev/null
read_all "$W/data" "$W/ref"
grep -q "record sound" "$W/ref.check" || fail "reference check"

# 1. a clean record (closed normally: no -wal, no -shm) on a read-only mount
mkdir "$W/ro"
mount -t tmpfs -o size=16m tmpfs "$W/ro"
cp -a "$W/data" "$W/ro/data"
# the reading commands above may leave an empty -wal and the -shm (a read-only
# connection cannot remove them); a clean record has neither
test ! -s "$W/ro/data/record.sqlite-wal" || fail "a WAL with content was left"
rm -f "$W/ro/data/record.sqlite-wal" "$W/ro/data/record.sqlite-shm"
mount -o remount,ro "$W/ro"
read_all "$W/ro/data" "$W/ro-clean"
same_as "$W/ro-clean" "$W/ref" "read-only, clean"
refuses "$W/ro/data" "read-only" "read-only, clean"
echo "ok: read-only mount, clean record"

# 2. a left-over WAL with committed events: a settings change recorded while
# another connection keeps the WAL from being checkpointed, then that
# connection dies (as in a power cut); record.sqlite-wal and -shm remain
mkdir "$W/wal"
mount -t tmpfs -o size=16m tmpfs "$W/wal"
cp -a "$W/data" "$W/wal/data"
/usr/bin/python3 - "$S" "$W/wal/data" <<'PY'
import os, sqlite3, subprocess, sys
s, data = sys.argv[1], sys.argv[2]
c = sqlite3.connect(os.path.join(data, "record.sqlite"))
c.execute("SELECT count(*) FROM events").fetchall()
subprocess.run([s, "record", "settings", "--station-name", "预写日志站", "--data-dir", data],
               check=True, stdout=subprocess.DEVNULL)
os._exit(0)
PY
test -s "$W/wal/data/record.sqlite-wal" || fail "no WAL with content was left"
test -e "$W/wal/data/record.sqlite-shm" || fail "no -shm was left"
# the reference from a copy: on a writable disk a reading command opens the
# record as the kiosk does (closing an interrupted session, checkpointing)
cp -a "$W/wal/data" "$W/wal-copy"
read_all "$W/wal-copy" "$W/wal-rw"
grep -q "预写日志站" "$W/wal-rw.settings" || fail "the change is not in the reference"
test -s "$W/wal/data/record.sqlite-wal" || fail "the WAL went before the read-only mount"
mount -o remount,ro "$W/wal"
read_all "$W/wal/data" "$W/wal-ro"
same_as "$W/wal-ro" "$W/wal-rw" "read-only, left-over WAL"
grep -q "预写日志站" "$W/wal-ro.report" || fail "the report lacks the WAL's event"
refuses "$W/wal/data" "read-only" "read-only, left-over WAL"
echo "ok: read-only mount, left-over WAL"

# 2b. the WAL without its -shm on a read-only mount: SQLite cannot read it
# there, and the record is never shown without the WAL's events
mkdir "$W/noshm"
mount -t tmpfs -o size=16m tmpfs "$W/noshm"
cp -a "$W/wal/data" "$W/noshm/data"
rm "$W/noshm/data/record.sqlite-shm"
mount -o remount,ro "$W/noshm"
if "$S" record settings --data-dir "$W/noshm/data" > "$W/out" 2> "$W/err"; then
  fail "a WAL without -shm was read: $(cat "$W/out")"
fi
grep -q "record.sqlite-wal holds events that cannot be read on this disk" "$W/err" ||
  fail "WAL without -shm: $(cat "$W/err")"
umount "$W/noshm"
echo "ok: read-only mount, WAL without its -shm refused clearly"

# 3. the same two on a full disk
full_case() { # source-dir reference-prefix name
  mkdir -p "$W/full-$3"
  kib=$(( $(du -sk "$1" | cut -f1) + 512 ))
  mount -t tmpfs -o size=${kib}k tmpfs "$W/full-$3"
  cp -a "$1" "$W/full-$3/data"
  if [ "$3" = clean ]; then # no -wal, no -shm: SQLite cannot make them on the full disk
    rm -f "$W/full-$3/data/record.sqlite-wal" "$W/full-$3/data/record.sqlite-shm"
  fi
  dd if=/dev/zero of="$W/full-$3/filler" bs=4k 2> /dev/null || true
  read_all "$W/full-$3/data" "$W/full-$3-out"
  same_as "$W/full-$3-out" "$2" "full disk, $3"
  # (with a left-over WAL a small write may still fit: SQLite reuses the
  # checkpointed WAL's space, so only the clean case must refuse)
  [ "$3" != clean ] || refuses "$W/full-$3/data" "is full" "full disk, $3"
  # space again: the record opens for writing and is sound
  rm -f "$W/full-$3/filler"
  "$S" record settings --station-name "有空间了" --data-dir "$W/full-$3/data" > /dev/null ||
    fail "full disk, $3: no write once space is back"
  "$S" record check --data-dir "$W/full-$3/data" > /dev/null || fail "full disk, $3: check"
  umount "$W/full-$3"
  echo "ok: full disk, $3"
}
full_case "$W/data" "$W/ref" clean
full_case "$W/wal/data" "$W/wal-rw" wal

umount "$W/ro" "$W/wal"
rm -rf "$W"
echo "PASS: reading commands work on read-only and full disks; writing ones say why not"
