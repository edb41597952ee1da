#!/bin/sh
# `record export --out` and `verify` on hostile folders, and an export that
# fails midway:
#   - --out naming a link to the data dir: refused with a clear message;
#   - --out whose unfinished-folder name (OUT.incomplete) is a link to the
#     data dir: refused, the link left alone;
#   - in both the data dir keeps record.sqlite, station.key, station.pub;
#   - links in an export (events.tsv -> /etc/passwd, an extra link to the
#     data dir): verify reports them and does not follow them;
#   - a good export at DIR, then an export to DIR that fails midway (file
#     size limit): DIR still verifies with the station's key and holds the
#     old files, and no unfinished folder is left;
#   - without renameat2's flags (strace): the fallbacks still replace it.
# usage: test_record_export_links.sh STUDYCAST RECORD_FIXTURE
set -eu
studycast=$1 fixture=$2
work=$(mktemp -d "$PWD/links-XXXXXX")
data=$work/data
fail() { echo "FAIL: $*" >&2; exit 1; }

"$fixture" "$data"
sha256sum "$data/station.key" "$data/station.pub" "$data/record.sqlite" > "$work/data.sha256"
before=$("$studycast" record check --data-dir "$data")
data_intact() {
  sha256sum -c --quiet "$work/data.sha256" || fail "$1: the data dir changed"
  test "$("$studycast" record check --data-dir "$data")" = "$before" || fail "$1: record changed"
}

# --out is a link to the data dir
ln -s "$data" "$work/link"
if "$studycast" record export --out "$work/link" --data-dir "$data" > /dev/null 2> "$work/err"
then fail "an export through a link succeeded"; fi
grep -q "export to $work/link refused: it is a symbolic link" "$work/err" ||
  fail "unclear message: $(cat "$work/err")"
data_intact "--out LINK"
test "$(readlink "$work/link")" = "$data" || fail "the link was touched"

# --out's unfinished-folder name is a link to the data dir
mkdir "$work/stick"
ln -s "$data" "$work/stick/export.incomplete"
if "$studycast" record export --out "$work/stick/export" --data-dir "$data" > /dev/null \
  2> "$work/err"; then fail "an export with a link in the way succeeded"; fi
grep -q "export.incomplete is in the way and was not made by studycast" "$work/err" ||
  fail "unclear message: $(cat "$work/err")"
data_intact "--out beside a link"
test "$(readlink "$work/stick/export.incomplete")" = "$data" || fail "the link was touched"
test ! -e "$work/stick/export" || fail "an export was made anyway"

# links inside an export: reported, not followed
"$studycast" record export --out "$work/linked" --format csv --data-dir "$data" > /dev/null
rm "$work/linked/events.tsv"
ln -s /etc/passwd "$work/linked/events.tsv"
ln -s "$data" "$work/linked/more"
if "$studycast" verify "$work/linked" --key "$data/station.pub" > "$work/verify.out" 2>&1
then fail "an export with links verified"; fi
grep -q "events.tsv is a symbolic link (not followed" "$work/verify.out" ||
  fail "the events.tsv link was not reported: $(cat "$work/verify.out")"
grep -q "more is not part of the export (extra symbolic link, not followed)" "$work/verify.out" ||
  fail "the extra link was not reported: $(cat "$work/verify.out")"
grep -q "root:" "$work/verify.out" && fail "verify read through the link"
data_intact "verify"

# a good export at DIR, then one that fails midway: DIR is as it was
"$studycast" record export --out "$work/usb" --from 2026-11-01 --to 2026-11-30 \
  --data-dir "$data" > /dev/null
cp -a "$work/usb" "$work/usb.saved"
# everything (October too) does not fit under a 64 KiB file size limit: the
# record books fail after the CSVs and the xAPI statements were written
if (trap '' XFSZ; ulimit -f 128; "$studycast" record export --out "$work/usb" \
    --data-dir "$data") > /dev/null 2> "$work/err"; then
  fail "the export under a file size limit succeeded"
fi
grep -q "export to $work/usb failed: File too large" "$work/err" ||
  fail "unclear message: $(cat "$work/err")"
"$studycast" verify "$work/usb" --key "$data/station.pub" > /dev/null ||
  fail "the previous export no longer verifies"
diff -r "$work/usb.saved" "$work/usb" > /dev/null || fail "the previous export's files changed"
test ! -e "$work/usb.incomplete" || fail "the unfinished export was left"
# and the same export without the limit replaces it, October included
"$studycast" record export --out "$work/usb" --data-dir "$data" > /dev/null
"$studycast" verify "$work/usb" --key "$data/station.pub" > /dev/null || fail "verify the new one"
test -f "$work/usb/record-book-2026-10.pdf" || fail "the new export was not put in place"
test ! -e "$work/usb.incomplete" || fail "the previous export was left beside the new one"
# a file system without renameat2's flags (vfat before Linux 6.0, some FUSE
# ones; strace makes it EINVAL): a new export is renamed, a previous one has
# the new files moved into it, and both verify
if command -v strace > /dev/null && strace -f -qq -o /dev/null -e trace=renameat2 true 2>/dev/null
then
  for format in csv xapi; do
    # LeakSanitizer cannot run under ptrace: the other exports here check leaks
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -o /dev/null -e trace=renameat2 -e inject=renameat2:error=EINVAL \
      "$studycast" record export --out "$work/old-fs" --format $format --data-dir "$data" \
      > /dev/null || fail "export without renameat2 flags ($format)"
    "$studycast" verify "$work/old-fs" --key "$data/station.pub" > /dev/null ||
      fail "verify the export made without renameat2 flags ($format)"
    test ! -e "$work/old-fs.incomplete" || fail "the staging folder was left ($format)"
  done
  test ! -e "$work/old-fs/sessions.csv" || fail "the previous export's CSV was left"
else
  echo "no strace here: the file system without renameat2 flags is not tried"
fi
data_intact "the end"
rm -rf "$work"
echo "record export and verify on links ok"
