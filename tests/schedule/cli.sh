#!/bin/sh
# studycast schedule add/list/remove end to end on a real schedule.db in a
# temporary data dir: ids printed, JSON listing with occurrences, bad input
# refused with exit 2 and a message, conflicts refused with exit 3 unless
# --force, remove of a missing id, the file holding what was added, the
# kinds' old names (record, recording) read but never printed, and starts
# written with a zone (that instant, listed in station time). The data dir
# it makes is 0750 and its files 0640, also under a umask of 022.
set -eu
umask 022
studycast=$1
dir=$(mktemp -d /tmp/sc_sched_cli.XXXXXX)
trap 'rm -rf "$dir"' EXIT
data="$dir/data"
s() { "$studycast" schedule "$@" --data-dir "$data" --utc-offset +08:00; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect STATUS PATTERN CMD...: runs CMD, checks its exit status and that
# stderr matches PATTERN.
expect() {
  want=$1 pattern=$2; shift 2
  set +e
  "$@" >"$dir/out" 2>"$dir/err"
  got=$?
  set -e
  [ "$got" = "$want" ] || fail "$* exited $got, expected $want: $(cat "$dir/err")"
  grep -q -- "$pattern" "$dir/err" || fail "$*: stderr lacks '$pattern': $(cat "$dir/err")"
}

# An empty schedule lists as an empty array without creating a file.
[ "$(s list --json)" = "[]" ] || fail "empty list is not []"
[ ! -e "$data/schedule.db" ] || fail "list created a database"

id1=$(s add --title "农业技术 第1讲" --source service:101 --start 2026-12-01T19:30 \
  --duration 120 --repeat daily)
[ "$id1" = 1 ] || fail "first id is '$id1'"
id2=$(s add --title "新闻" --source service:5 --start 2026-12-02T10:00 --until-event-end \
  --kind capture --repeat mon,wed)
[ "$id2" = 2 ] || fail "second id is '$id2'"
[ -f "$data/schedule.db" ] || fail "no schedule.db"
# control characters in a title (ESC, DEL, the C1 CSI) are refused: listed
# on a terminal they would be commands
for t in "$(printf 'a\033[2Jb')" "$(printf 'a\177b')" "$(printf 'a\302\23331mb')"; do
  expect 2 "control characters" s add --title "$t" --source service:7 \
    --start 2026-12-09T10:00 --duration 30
done
mode() { stat -c %a "$1"; }
[ "$(mode "$data")" = 750 ] || fail "the data dir made by schedule add is $(mode "$data")"
for f in "$data"/schedule.db*; do
  [ "$(mode "$f")" = 640 ] || fail "$f is $(mode "$f"), not 640"
done
# the record, made by members import in a new data dir, likewise
printf 'number,name,category,card\n001,甲,党员,\n' > "$dir/roster.csv"
"$studycast" members import "$dir/roster.csv" --data-dir "$dir/rec/data" > /dev/null ||
  fail "members import"
for f in "$dir/rec" "$dir/rec/data"; do
  [ "$(mode "$f")" = 750 ] || fail "$f is $(mode "$f"), not 750"
done
for f in "$dir/rec/data"/record.sqlite*; do
  [ "$(mode "$f")" = 640 ] || fail "$f is $(mode "$f"), not 640"
done
[ "$(sqlite3 "$data/schedule.db" 'PRAGMA user_version')" = 2 ] || fail "schema version"
[ "$(sqlite3 "$data/schedule.db" 'SELECT count(*) FROM entries')" = 2 ] || fail "row count"

# Bad input: exit 2 with a message naming the problem; nothing stored.
expect 2 "needs exactly one of" s add --title t --source service:1 --start 2026-12-01T08:00
expect 2 "needs exactly one of" s add --title t --source service:1 --start 2026-12-01T08:00 \
  --duration 5 --until-event-end
expect 2 "not an ISO 8601" s add --title t --source service:1 --start 2026-02-30T08:00 --duration 5
expect 2 "--duration: 0 is out of range 1..1440" s add --title t --source service:1 --start 2026-12-01T08:00 --duration 0
expect 2 "--duration: '9x' is not a whole number" s add --title t --source service:1 --start 2026-12-01T08:00 --duration 9x
expect 2 "bad --source" s add --title t --source ftp://x --start 2026-12-01T08:00 --duration 5
expect 2 "repeat" s add --title t --source service:1 --start 2026-12-01T08:00 --duration 5 \
  --repeat mon,funday
expect 2 "kind" s add --title t --source service:1 --start 2026-12-01T08:00 --duration 5 --kind tv
expect 2 "replay entry plays" s add --title t --source service:1 --start 2026-12-01T08:00 \
  --duration 5 --kind replay
expect 2 "live, capture or replay" s add --title t --source service:1 --start 2026-12-01T08:00 \
  --duration 5 --kind recorded
expect 2 "needs --title" s add --source service:1 --start 2026-12-01T08:00 --duration 5
expect 2 "unknown option" s add --title t --source service:1 --start 2026-12-01T08:00 --duration 5 \
  --colour red
expect 2 "needs a value" s add --title
expect 2 "utc-offset" "$studycast" schedule list --data-dir "$data" --utc-offset 8
expect 2 "remove needs the id" s remove abc
expect 2 "unknown subcommand" s edit 1
expect 2 "go together" s list --from 2026-12-01
# A replay must name an existing capture entry.
expect 2 "no entry 9 to replay" s add --title t --source capture:9 --start 2026-12-01T08:00 \
  --duration 5 --kind replay
expect 2 "entry 1 is not a capture entry" s add --title t --source capture:1 \
  --start 2026-12-01T08:00 --duration 5 --kind replay
[ "$(sqlite3 "$data/schedule.db" 'SELECT count(*) FROM entries')" = 2 ] || fail "bad input stored"

# A replay during the daily live course: refused with exit 3, the conflict
# named; --force stores it.
expect 3 "overlaps entry 1" s add --title "回放" --source capture:2 --start 2026-12-04T20:00 \
  --duration 30 --repeat fri --kind replay
grep -q "both need the screen" "$dir/err" || fail "screen conflict not explained"
[ ! -s "$dir/out" ] || fail "a refused add printed an id"
# A live course on another service while service 5 is captured (Wednesday 2nd).
expect 3 "cannot capture one broadcast" s add --title "x" --source service:9 \
  --start 2026-12-02T10:30 --duration 20
grep -q '"新闻" (capture,' "$dir/err" || fail "the conflict does not name the kind capture"
# Written with the old words, as scripts in the field do: stored as replay.
id3=$(s add --title "回放" --source recording:2 --start 2026-12-04T20:00 --duration 30 \
  --repeat fri --kind recording --force 2>/dev/null)
[ "$id3" = 3 ] || fail "--force did not add: '$id3'"

# The JSON listing, with occurrences for the first days of December.
s list --json --from 2026-12-01 --to 2026-12-04 >"$dir/list.json"
python3 - "$dir/list.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
e = {x["id"]: x for x in doc["entries"]}
assert sorted(e) == [1, 2, 3], e
assert e[1] == {"id": 1, "title": "农业技术 第1讲", "source": "service:101",
                "start": "2026-12-01T19:30:00+08:00", "duration_minutes": 120,
                "repeat": "daily", "kind": "live", "counts": True}, e[1]
assert e[2]["until_event_end"] is True and "duration_minutes" not in e[2], e[2]
assert e[2]["repeat"] == "mon,wed" and e[2]["kind"] == "capture" and e[2]["counts"] is False
assert e[3]["kind"] == "replay" and e[3]["counts"] is True and e[3]["source"] == "capture:2"
occ = [(o["entry_id"], o["start"]) for o in doc["occurrences"]]
assert occ == [(1, "2026-12-01T19:30:00+08:00"), (2, "2026-12-02T10:00:00+08:00"),
               (1, "2026-12-02T19:30:00+08:00"), (1, "2026-12-03T19:30:00+08:00"),
               (1, "2026-12-04T19:30:00+08:00"), (3, "2026-12-04T20:00:00+08:00")], occ
o2 = doc["occurrences"][1]
assert o2["end_known"] is False and o2["end"] == "2026-12-02T12:00:00+08:00", o2
PY

# Without a range: a plain array of entries.
s list --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert [x["id"] for x in d]==[1,2,3], d'
s list | grep -q "农业技术 第1讲" || fail "text list lacks the title"
s list | grep -q "replay" || fail "text list lacks the kind replay"
! s list | grep -q "record" || fail "the text list prints an old kind name"
[ "$(sqlite3 "$data/schedule.db" 'SELECT group_concat(kind) FROM entries')" = live,capture,replay ] ||
  fail "the old kind names were stored"
s --help 2>&1 | grep -q -- "--kind live|capture|replay" || fail "help lacks the kinds"

# Remove: gone from the list (removing a capture entry warns about the
# replay entry that plays it); a second remove reports the missing id.
s remove 2 2>"$dir/err"
grep -q "entry 3 replays captures of entry 2" "$dir/err" || fail "no orphan warning"
expect 1 "no entry 2" s remove 2
s list --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert [x["id"]for x in d]==[1,3], d'
# A new entry never reuses a removed id.
id4=$(s add --title "d" --source file:intro.ts --start 2026-12-01T06:00 --duration 10)
[ "$id4" = 4 ] || fail "id reused: $id4"
# The other old word: --kind record is a capture.
id5=$(s add --title "e" --source service:6 --start 2026-12-20T06:00 --duration 10 --kind record)
s list --json | python3 -c '
import json, sys
e = {x["id"]: x for x in json.load(sys.stdin)}
assert e['"$id5"']["kind"] == "capture" and e['"$id5"']["counts"] is False, e'

# Planned from a machine in UTC with the zone in --start: the entry keeps
# the station's offset, so the daily course stays at 07:30 local.
other="$dir/zone"
TZ=UTC "$studycast" schedule add --title z --source service:4 --start 2026-12-01T07:30+08:00 \
  --duration 30 --repeat daily --data-dir "$other" >/dev/null
TZ=UTC "$studycast" schedule list --json --data-dir "$other" --utc-offset +08:00 \
  --from 2026-12-02 --to 2026-12-02 | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["entries"][0]["start"] == "2026-12-01T07:30:00+08:00", d
assert [o["start"] for o in d["occurrences"]] == ["2026-12-02T07:30:00+08:00"], d'

# No zone in --start and no --utc-offset: the station's time zone is the
# record's utc_offset (as the kiosk reads it), never the system TZ. A data dir
# without a record yet: the record's default, +08:00. TZ=UTC and TZ=America/
# New_York give the same instant.
fresh="$dir/fresh"
TZ=UTC "$studycast" schedule add --title f --source service:4 --start 2026-12-01T19:30 \
  --duration 30 --data-dir "$fresh" >/dev/null
TZ=America/New_York "$studycast" schedule add --title g --source service:4 \
  --start 2026-12-02T19:30 --duration 30 --data-dir "$fresh" >/dev/null
TZ=UTC "$studycast" schedule list --json --data-dir "$fresh" | python3 -c '
import json, sys
d = {e["title"]: e["start"] for e in json.load(sys.stdin)}
assert d == {"f": "2026-12-01T19:30:00+08:00", "g": "2026-12-02T19:30:00+08:00"}, d'
[ ! -e "$fresh/record.sqlite" ] || fail "schedule add created a record"
# A station whose record says +05:45: its local 19:30 is 13:45 UTC, whatever TZ says.
nepal="$dir/nepal"
"$studycast" record settings --utc-offset +05:45 --data-dir "$nepal" >/dev/null ||
  fail "record settings"
TZ=Asia/Shanghai "$studycast" schedule add --title n --source service:4 \
  --start 2026-12-01T19:30 --duration 30 --data-dir "$nepal" >/dev/null
TZ=UTC "$studycast" schedule list --json --data-dir "$nepal" | python3 -c '
import json, sys, datetime
e = json.load(sys.stdin)[0]
assert e["start"] == "2026-12-01T19:30:00+05:45", e
t = datetime.datetime.fromisoformat(e["start"]).astimezone(datetime.timezone.utc)
assert t.strftime("%H:%M") == "13:45", t'

# A zone in --start names an instant; it is listed (and played, and checked
# for conflicts) at that instant, shown in station time. The station here is
# at +03:00 by its record (not the default +08:00), and the machine's TZ is
# something else again.
zd="$dir/zones"
"$studycast" record settings --utc-offset +03:00 --data-dir "$zd" >/dev/null || fail "record settings"
z() { TZ=America/Sao_Paulo "$studycast" schedule "$@" --data-dir "$zd"; }
z add --title utc --source service:1 --start 2026-12-10T19:30Z --duration 60 >/dev/null
z add --title ist --source service:1 --start 2026-12-11T19:30+05:30 --duration 60 >/dev/null
z add --title brt --source service:1 --start 2026-12-12T19:30:00-03:00 --duration 60 >/dev/null
z add --title local --source service:1 --start 2026-12-13T19:30 --duration 60 >/dev/null
z add --title lower --source service:1 --start 2026-12-13t10:00:30z --duration 10 >/dev/null
z add --title short --source service:1 --start 2026-12-14T19:30+08 --duration 10 >/dev/null
z add --title basic --source service:1 --start 2026-12-14T19:30+0800 --duration 10 --force \
  >/dev/null 2>&1
# Mondays and Fridays at 22:00Z are Tuesdays and Saturdays at 01:00+03:00.
z add --title weekly --source service:1 --start 2026-12-14T22:00Z --duration 30 \
  --repeat mon,fri >/dev/null
z add --title daily --source service:1 --start 2026-12-15T08:00-05:00 --duration 30 \
  --repeat daily >/dev/null
z list --json --from 2026-12-10 --to 2026-12-19 >"$dir/zones.json"
python3 - "$dir/zones.json" <<'PY'
import json, sys, datetime
doc = json.load(open(sys.argv[1]))
def utc(text):
    t = datetime.datetime.fromisoformat(text)
    assert t.utcoffset() == datetime.timedelta(hours=3), text  # station time, explicit offset
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
e = {x["title"]: x for x in doc["entries"]}
assert e["utc"]["start"] == "2026-12-10T22:30:00+03:00", e["utc"]
assert e["weekly"]["repeat"] == "tue,sat", e["weekly"]
got = {}
for o in doc["occurrences"]:
    got.setdefault(o["title"], []).append(utc(o["start"]))
want = {
    "utc": ["2026-12-10T19:30:00Z"],
    "ist": ["2026-12-11T14:00:00Z"],
    "brt": ["2026-12-12T22:30:00Z"],
    "local": ["2026-12-13T16:30:00Z"],  # no zone: station time, +03:00
    "lower": ["2026-12-13T10:00:30Z"],
    "short": ["2026-12-14T11:30:00Z"],
    "basic": ["2026-12-14T11:30:00Z"],
    "weekly": ["2026-12-14T22:00:00Z", "2026-12-18T22:00:00Z"],
    "daily": ["2026-12-%02dT13:00:00Z" % d for d in range(15, 20)],
}
assert got == want, (got, want)
o = [x for x in doc["occurrences"] if x["title"] == "utc"][0]
assert o["start"] == "2026-12-10T22:30:00+03:00" and o["end"] == "2026-12-10T23:30:00+03:00", o
PY
# The same instant written in another zone conflicts (19:30Z is 03:30+08:00
# the next day); 19:30+08:00 on the 10th is eight hours earlier and does not.
expect 3 'overlaps entry 1 "utc"' z add --title x --source service:2 --start 2026-12-11T03:30+08:00 \
  --duration 10
expect 3 'overlaps entry 1 "utc"' z add --title x --source service:2 --start 2026-12-10T16:45-03:00 \
  --duration 30
z add --title early --source service:2 --start 2026-12-10T19:30+08:00 --duration 60 >/dev/null ||
  fail "19:30+08:00 refused"
# A malformed zone is refused with exit 2 and the reason, never read as local time.
n=$(sqlite3 "$zd/schedule.db" 'SELECT count(*) FROM entries')
for bad in "+25:00|the zone '+25:00' is out of range" "+14:30|the zone '+14:30' is out of range" \
  "+08:7|the zone '+08:7' is not Z, +hh:mm, +hhmm or +hh" "+08:70|the zone '+08:70' is not" \
  "+8|the zone '+8' is not" "Zjunk|the zone 'Zjunk' is not" "x|unexpected 'x' after the time" \
  " UTC|unexpected ' UTC' after the time"; do
  expect 2 "--start '2026-12-20T19:30${bad%%|*}' is not an ISO 8601 date and time: ${bad#*|}" \
    z add --title bad --source service:3 --start "2026-12-20T19:30${bad%%|*}" --duration 10
done
expect 2 "a zone needs a time of day" z add --title bad --source service:3 --start 2026-12-20Z \
  --duration 10
expect 2 "--from '2026-12-20T00:00+25:00' is not a date" z list --from 2026-12-20T00:00+25:00 \
  --to 2026-12-21
expect 2 "utc-offset" z list --utc-offset +08:7
[ "$(sqlite3 "$zd/schedule.db" 'SELECT count(*) FROM entries')" = "$n" ] || fail "bad zone stored"

# A damaged database file is reported, not trusted.
echo "not a database" >"$dir/bad.db"
mkdir "$dir/bad" && cp "$dir/bad.db" "$dir/bad/schedule.db"
expect 1 "cannot open" "$studycast" schedule list --data-dir "$dir/bad"
echo "schedule CLI ok"
