#!/bin/sh
# An unopenable source: exactly one clear line on stderr and exit status 1;
# a damaged file still probes (exit 0) and reports its damage; a file with
# no transport stream in it (zeros, noise) exits 1.
set -u
studycast=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
expect_one_line() { # expect_one_line SOURCE WORDS
  "$studycast" probe "$1" --json > "$dir/out" 2> "$dir/err"
  status=$?
  lines=$(wc -l < "$dir/err")
  if [ "$status" -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -q "$2" "$dir/err"; then
    echo "FAIL: probe $1: status $status, stderr:"; cat "$dir/err"; fail=1
  fi
  [ -s "$dir/out" ] && { echo "FAIL: probe $1 wrote to stdout"; fail=1; }
}
expect_one_line "$dir/no-such-file.ts" "No such file"
expect_one_line "$dir" "Is a directory"
expect_one_line "gopher://example/x" "unknown or malformed source address"
expect_one_line "udp://1.2.3.4.5:99999" "unknown or malformed source address"
printf '[Ch]\n\tFREQUENCY = 578000000\n\tDELIVERY_SYSTEM = DVBT\n' > "$dir/ch.conf"
expect_one_line "dvb://Ch?channels=$dir/ch.conf&adapter=97" "no such DVB adapter"
expect_one_line "dvb://Other?channels=$dir/ch.conf" "channel"

# random bytes and zeros hold no transport stream: the report (nothing in
# it) and one line on stderr, exit 1
head -c 100000 /dev/urandom > "$dir/noise.ts"
head -c 100000 /dev/zero > "$dir/zeros.ts"
for f in noise zeros; do
  status=0
  "$studycast" probe "$dir/$f.ts" --json > "$dir/out" 2> "$dir/err" || status=$?
  if [ "$status" -ne 1 ] || [ "$(wc -l < "$dir/err")" -ne 1 ] ||
    ! grep -q "no MPEG transport stream found" "$dir/err"; then
    echo "FAIL: $f: status $status, stderr:"; cat "$dir/err"; fail=1
  fi
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['services']==[]" \
    "$dir/out" || { echo "FAIL: $f output"; fail=1; }
done
exit $fail
