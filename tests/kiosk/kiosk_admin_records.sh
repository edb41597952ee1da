#!/bin/sh
# The administrator's Records section through the control socket, with
# --media-dir standing in for the mounted USB sticks, on a data dir with a
# known month of study (record_fixture: November 2026):
#   - the month's report on screen (sessions, minutes, attendance, the
#     requirement, the chart's bars) matches `studycast record report --json`
#     for November and, one month back with LEFT, October;
#   - export to a stick: a new folder named by station and month, verified on
#     screen ("N files, signature good") and by `studycast verify --key`;
#     a second export makes a second folder;
#   - the stick pulled out mid-export (the stick's directory moved away as
#     soon as the export's folder appears): "pulled out" on screen, nothing
#     on the stick pretends to be a whole export, the record is untouched
#     (record check, the same report), and after re-inserting it the export
#     is retried and verifies.
# usage: kiosk_admin_records.sh STUDYCAST WORKDIR RECORD_FIXTURE
set -eu
S=$1 W=$2 FIXTURE=$3
. "$(dirname "$0")/lib.sh"
test_workdir media/STICK
D=$W/data M=$W/media


"$FIXTURE" "$D" || fail "record_fixture"
"$S" schedule add --title "明年的课" --source /dev/null --start "$(local_time +86400)" \
  --duration 30 --data-dir "$D" > /dev/null || fail "schedule add"
echo 2468 | "$S" pin set --data-dir "$D" > /dev/null
for month in 2026-11 2026-10; do
  "$S" record report --month $month --json --data-dir "$D" > "$W/report-$month.json" ||
    fail "record report $month"
done

# report_matches MONTH: the page's figures against `record report --json`
report_matches() {
  field menu > "$W/page-$1.json"
  python3 - "$W/page-$1.json" "$W/report-$1.json" <<'PY' || fail "the report on screen differs from record report for $1"
import json, sys
page, report = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
p, s, req = page["report"], report["sessions"], report["requirement"]
checks = {
    "period": (p["period"], sys.argv[2].split("report-")[1][:7]),
    "sessions": (p["sessions"], len(s)),
    "played_seconds": (p["played_seconds"], sum(x["played_seconds"] for x in s)),
    "attendances": (p["attendances"], sum(1 for x in s for a in x["attendance"] if a["seconds"] > 0)),
    "sessions_held": (p["sessions_held"], req["sessions_held"]),
    "sessions_required": (p["sessions_required"], req["sessions_required"]),
    "minutes_required_each": (p["minutes_required_each"], req["minutes_required_each"]),
    "met": (p["met"], req["met"]),
    "chart": (p["chart_minutes"], [x["played_seconds"] // 60 for x in s if x["status"] != "open"]),
}
bad = {k: v for k, v in checks.items() if v[0] != v[1]}
if bad:
    print("differs (page, report):", bad, file=sys.stderr)
    sys.exit(1)
# the figures are on screen, not only in the status
values = " ".join(str(i.get("value", "")) for i in page["items"])
minutes = p["played_seconds"] // 60
assert str(minutes) in values, (minutes, values)
assert str(len(s)) in values, values
assert page["kind"] == "report"
assert any(i.get("warning") for i in page["items"]) == (not req["met"])
PY
}

kiosk_start "$D" --media-dir "$M" --lead-minutes 0
expect demo false
press menu 2 4 6 8 ok
open_section 'Records|学习记录'
expect menu.page records
# from this month back to November 2026 (station time +08:00)
now=$(TZ=Asia/Shanghai date +%Y-%m)
back=$(( ($(echo "$now" | cut -c1-4) - 2026) * 12 + $(echo "$now" | cut -c6-7 | sed 's/^0//') - 11 ))
[ "$back" -ge 0 ] || fail "the clock is before November 2026"
i=0
while [ $i -lt "$back" ]; do press left; i=$((i + 1)); done
expect menu.report.period 2026-11
report_matches 2026-11
expect menu.report.met true
press left
expect menu.report.period 2026-10
report_matches 2026-10
expect menu.report.met false
press right
expect menu.report.period 2026-11

# export November to the stick and verify it
press ok
expect menu.page records_export
expect menu.sticks 1
press ok
wait_for menu.export_state done 60
[ "$(mfield message_error)" = false ] || fail "export error: $(mfield message)"
folder=$(mfield export_folder)
case "$folder" in studycast-????????-2026-11) ;; *) fail "folder name '$folder'" ;; esac
files=$(mfield export_files)
[ "$files" -ge 7 ] || fail "only $files files exported"
case "$(mfield message)" in *"$files"*) ;; *) fail "no verified file count on screen: $(mfield message)" ;; esac
"$S" verify "$M/STICK/$folder" --key "$D/station.pub" > "$W/verify1.txt" || fail "verify $folder"
[ "$(ls "$M/STICK/$folder" | wc -l)" = "$files" ] || fail "file count on screen differs from the folder"
ls "$M/STICK/$folder" | grep -q '^record-book-2026-11.pdf$' || fail "no PDF record book"
ls "$M/STICK/$folder" | grep -q '^xapi-statements.json$' || fail "no xAPI statements"
ls "$M/STICK/$folder" | grep -q '^sessions.csv$' || fail "no sessions CSV"
ls "$M/STICK/$folder" | grep -q '^manifest.sig$' || fail "no signed manifest"
ls "$M/STICK" | grep -q incomplete && fail "an .incomplete folder was left"

# a second export: a new folder beside the first
press ok
wait_for menu.export_state done 60
[ "$(mfield export_folder)" = "$folder-2" ] || fail "second folder '$(mfield export_folder)'"
"$S" verify "$M/STICK/$folder-2" --key "$D/station.pub" > /dev/null || fail "verify $folder-2"

# pulled out mid-export: the stick's directory goes as soon as the export's
# folder appears on it
"$S" record report --month 2026-11 --json --data-dir "$D" > "$W/report-before-pull.json"
python3 - "$M/STICK" "$W/pulled" > "$W/puller.log" 2>&1 <<'PY' &
import os, sys, time
stick, away = sys.argv[1], sys.argv[2]
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    if any(n.endswith(".incomplete") for n in os.listdir(stick)):
        os.rename(stick, away)  # the stick is gone from its mount point
        print("pulled")
        sys.exit(0)
    time.sleep(0.0005)
sys.exit("the export's folder never appeared")
PY
PULLER=$!
press ok
wait "$PULLER" || fail "the stick was not pulled: $(cat "$W/puller.log")"
wait_for menu.export_state failed 60
[ "$(mfield message_error)" = true ] || fail "no error after the stick was pulled out"
case "$(mfield message)" in *"pulled out"*|*拔出*) ;; *) fail "not a pulled-out message: $(mfield message)" ;; esac
expect menu.sticks 0
# what reached the stick is an .incomplete folder, never a whole-looking one
for d in "$W/pulled"/studycast-*; do
  case "$d" in
    *.incomplete) ;;
    */"$folder"|*/"$folder-2") ;;
    *) fail "a half export pretends to be whole: $d" ;;
  esac
done
ls "$W/pulled" | grep -q "^$folder-3.incomplete$" || fail "the unfinished folder is not marked (.incomplete)"
"$S" record check --data-dir "$D" > /dev/null || fail "record check after the pulled-out export"
"$S" record report --month 2026-11 --json --data-dir "$D" > "$W/report-after-pull.json"
cmp -s "$W/report-before-pull.json" "$W/report-after-pull.json" || fail "the record changed"

# the stick back in: the retry replaces the unfinished folder and verifies
mv "$W/pulled" "$M/STICK"
wait_for menu.sticks 1 5
press ok
wait_for menu.export_state done 60
[ "$(mfield export_folder)" = "$folder-3" ] || fail "retry folder '$(mfield export_folder)'"
"$S" verify "$M/STICK/$folder-3" --key "$D/station.pub" > /dev/null || fail "verify the retry"
ls "$M/STICK" | grep -q incomplete && fail "the unfinished folder was not replaced by the retry"
press back
expect menu.page records
kiosk_stop
trap - EXIT
echo "PASS: report = record report, export verified, stick pulled out mid-export, retry"
