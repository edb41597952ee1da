#!/bin/sh
# Proof of viewing through `play --session`: the first, periodic and last
# snapshots of the presented picture exist as 320-pixel JPEGs beside the
# record, their SHA-256 is in each snapshot_taken event; a black stream is
# flagged black, a still picture frozen, a moving one neither; the export
# carries them (and their record book shows them), `verify` fails after one
# byte of a snapshot is changed and after one is deleted.
# usage: snapshots.sh STUDYCAST FFMPEG WORKDIR
set -eu
studycast=$1 ffmpeg=$2 W=$3
. "$(dirname "$0")/../lib.sh"
test_workdir
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
need_tools pdfimages

# 576i-sized 16:9 streams: moving, black, a still picture
make_stream() { # NAME SECONDS FILTER
  "$ffmpeg" -nostdin -loglevel error -f lavfi -i "$3" \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t "$2" \
    -vf setdar=16/9 -c:v mpeg2video -g 12 -b:v 2M -c:a mp2 -f mpegts "$W/$1.ts"
}
make_stream moving 4 testsrc2=size=720x576:rate=25
make_stream black 2 color=c=black:size=720x576:rate=25
make_stream still 3 "testsrc2=size=720x576:rate=25,trim=end_frame=1,loop=loop=-1:size=1"

data=$W/data
play() { # NAME TITLE INTERVAL
  "$studycast" play "$W/$1.ts" --window 320x240 --session "$2" --data-dir "$data" \
    --snapshot-interval "$3" || fail "play --session $1 failed"
}
play moving "移动画面" 1
play black "黑屏" 1
play still "静止画面" 1

# every snapshot against its event, read from the record itself
"$python" - "$data" <<'PY'
import hashlib, json, os, sqlite3, sys
data = sys.argv[1]
db = sqlite3.connect(f"file:{data}/record.sqlite?mode=ro", uri=True)
courses = {s: json.loads(p)["course"] for s, p in
           db.execute("SELECT session, payload FROM events WHERE type = 'session_opened'")}
by_course = {}
for seq, session, payload in db.execute(
        "SELECT seq, session, payload FROM events WHERE type = 'snapshot_taken' ORDER BY seq"):
    p = json.loads(payload)
    path = os.path.join(data, p["file"])
    blob = open(path, "rb").read()
    assert blob[:2] == b"\xff\xd8", (path, "not a JPEG")
    assert hashlib.sha256(blob).hexdigest() == p["sha256"], (seq, "hash differs")
    assert p["bytes"] == len(blob), p
    assert os.stat(path).st_mode & 0o777 == 0o640, oct(os.stat(path).st_mode)
    assert (p["width"], p["height"]) == (320, 180), p
    by_course.setdefault(courses[session], []).append(p)
for course, snaps in by_course.items():
    kinds = [s["kind"] for s in snaps]
    assert kinds[0] == "first" and kinds[-1] == "last", (course, kinds)
    assert "periodic" in kinds, (course, kinds)
    assert kinds.count("first") == 1 and kinds.count("last") == 1, (course, kinds)
    assert [s["seq"] for s in snaps] == list(range(1, len(snaps) + 1)), (course, snaps)
    print(course, [(s["kind"], s["mean_luma"], s["black"], s["frozen"], s.get("diff_previous"))
                   for s in snaps])
moving, black, still = by_course["移动画面"], by_course["黑屏"], by_course["静止画面"]
assert len(moving) >= 4, moving  # 4 s at one a second: first, >= 2 periodic, last
assert all(not s["black"] and s["mean_luma"] > 60 for s in moving), moving
assert all(not s["frozen"] for s in moving), moving
assert all(s["black"] and s["mean_luma"] < 20 for s in black), black
assert all(not s["black"] for s in still), still
assert not still[0]["frozen"] and all(s["frozen"] for s in still[1:]), still
PY
[ $? -eq 0 ] || fail "the snapshots do not match their events"

# the export carries them, and its record book shows them
"$studycast" record export --out "$W/export" --data-dir "$data" > /dev/null || fail "export failed"
n_snaps=$(ls "$W/export" | grep -c '^snapshot-.*\.jpg$')
n_events=$(grep -c '	snapshot_taken	' "$W/export/events.tsv")
[ "$n_snaps" -eq "$n_events" ] && [ "$n_snaps" -ge 9 ] ||
  fail "the export holds $n_snaps snapshots for $n_events events"
"$studycast" verify "$W/export" > /dev/null 2>&1 || fail "the fresh export does not verify"
book=$(ls "$W"/export/record-book-*.pdf | head -1)
n_images=$(pdfimages -list "$book" | grep -c ' jpeg ')
[ "$n_images" -eq "$n_snaps" ] || fail "the record book shows $n_images of $n_snaps snapshots"

# one byte of one snapshot changed: verify fails and names it
cp -r "$W/export" "$W/changed"
victim=$(ls "$W/changed" | grep '^snapshot-' | sed -n 2p)
printf '\001' | dd of="$W/changed/$victim" bs=1 seek=700 conv=notrunc 2> /dev/null
if "$studycast" verify "$W/changed" > "$W/changed.out" 2>&1; then
  fail "a changed snapshot verified"
fi
grep -q "$victim is not the picture its snapshot_taken event" "$W/changed.out" ||
  fail "verify did not say which snapshot was changed: $(cat "$W/changed.out")"

# one deleted: verify fails too
cp -r "$W/export" "$W/deleted"
rm "$W/deleted/$victim"
if "$studycast" verify "$W/deleted" > "$W/deleted.out" 2>&1; then
  fail "an export without one snapshot verified"
fi
grep -q "$victim is missing" "$W/deleted.out" || fail "verify did not name the deleted snapshot"
echo "snapshots: ok"
