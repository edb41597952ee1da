#!/bin/sh
# A source that cannot be opened or holds nothing playable (zeros, noise, a
# stream of tables without any picture or sound): one clear line on
# standard error, exit 1. Damaged and truncated streams: play what they can,
# exit 0. Never a crash (a signal would give an exit status above 128).
studycast=$1 ffmpeg=$2 work=$3
mkdir -p "$work"
. "$(dirname "$0")/lib.sh"

fixture clean.ts -f lavfi -i "testsrc2=size=352x288:rate=25" -f lavfi -i "$TONE" -t 3 \
  -c:v mpeg2video -b:v 1M -g 12 -c:a mp2 -f mpegts
size=$(wc -c <"$work/clean.ts")
# truncated in the middle of a packet, two thirds in
head -c $((size * 2 / 3 + 77)) "$work/clean.ts" >"$work/truncated.ts"
# corrupt: 20 runs of 2 KB garbage written over the stream (sync bytes included)
cp "$work/clean.ts" "$work/corrupt.ts"
i=1
while [ $i -le 20 ]; do
  dd if=/dev/urandom of="$work/corrupt.ts" bs=2048 count=1 seek=$((i * size / 2048 / 22)) \
    conv=notrunc status=none
  i=$((i + 1))
done
printf 'this is not a transport stream\n' >"$work/text.ts"
head -c 200000 /dev/zero >"$work/zeros.ts"
head -c 200000 /dev/urandom >"$work/noise.ts"
# only the tables (PAT, PMT, SDT) of the clean stream, again and again: a
# service is announced, but nothing of it ever comes
python3 - "$work/clean.ts" "$work/tables.ts" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
out = b"".join(d[i:i + 188] for i in range(0, len(d), 188)
               if ((d[i + 1] & 0x1f) << 8 | d[i + 2]) in (0, 0x11, 0x1000))
open(sys.argv[2], "wb").write(out * 20)
PY
: >"$work/empty.ts"

expect_failure() { # NAME SOURCE
  out="$work/$1.err"
  set +e
  headless "$studycast" play --window 320x240 "$2" 2>"$out" >/dev/null
  status=$?
  set -e
  [ $status -eq 1 ] || fail "$1: exit $status, expected 1 ($(cat "$out"))"
  [ "$(grep -c . "$out")" -eq 1 ] || fail "$1: expected one line on stderr, got: $(cat "$out")"
  grep -q "$2" "$out" || fail "$1: the message does not name the source: $(cat "$out")"
  echo "$1: $(cat "$out")"
}

expect_playable() { # NAME SOURCE
  st="$work/$1.json"
  set +e
  headless "$studycast" play --window 320x240 --stats "$st" "$2" 2>"$work/$1.err"
  status=$?
  set -e
  [ $status -eq 0 ] || fail "$1: exit $status, expected 0 ($(cat "$work/$1.err"))"
  check "$st" "s['frames_presented'] > 10" "$1: played nothing" \
    "s['frames_decoded'] == s['frames_presented'] + s['frames_dropped_early'] + s['frames_dropped_late']" \
    "$1: frames unaccounted for"
  echo "$1: $(tr -d '\n ' <"$st")"
}

expect_failure missing "$work/no-such-file.ts"
expect_failure text "$work/text.ts"
expect_failure empty "$work/empty.ts"
expect_failure zeros "$work/zeros.ts"
expect_failure noise "$work/noise.ts"
expect_failure tables "$work/tables.ts"
expect_failure directory "$work"
expect_playable truncated "$work/truncated.ts"
expect_playable corrupt "$work/corrupt.ts"
check "$work/corrupt.json" "s['decode_errors'] > 0" "corrupt: damage not counted"

# bench reports the same way
set +e
"$studycast" bench "$work/no-such-file.ts" 2>"$work/bench.err" >/dev/null
status=$?
set -e
[ $status -eq 1 ] || fail "bench on a missing file: exit $status"
"$studycast" bench "$work/corrupt.ts" >/dev/null 2>&1 || fail "bench on a corrupt file: exit $?"
# bad arguments: exit 2
set +e
"$studycast" play --window 10 "$work/clean.ts" 2>/dev/null
[ $? -eq 2 ] || fail "a bad --window must exit 2"
"$studycast" play --service 1 --bogus "$work/clean.ts" 2>/dev/null
[ $? -eq 2 ] || fail "an unknown option must exit 2"
set -e
# a service that is not there
expect_failure_service() {
  set +e
  headless "$studycast" play --window 320x240 --service 4242 "$work/clean.ts" 2>"$work/svc.err"
  status=$?
  set -e
  [ $status -eq 1 ] && grep -q "no service 4242" "$work/svc.err" ||
    fail "--service 4242: exit $status: $(cat "$work/svc.err")"
}
expect_failure_service
echo "ok"
