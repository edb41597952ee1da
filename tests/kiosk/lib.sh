# Shared by the kiosk tests: start a kiosk on a data dir with a control
# socket, read its status, press keys through the socket, wait for states.
# Needs: S (studycast), W (work dir), python3 (ctl.py: the control socket).

# Debian's python3 (with jsonschema) before any per-user shim: a shim's
# start-up costs more than the control-socket round trip it wraps.
PATH=/usr/bin:$PATH
export PATH

fail() {
  echo "FAIL: $*" >&2
  [ -f "$W/kiosk.log" ] && tail -n 40 "$W/kiosk.log" >&2
  exit 1
}

# A TS course fixture: $1 path, $2 seconds (MPEG-2 320x240 + MP2 tone).
make_fixture() {
  ffmpeg -loglevel error -y -f lavfi -i "testsrc2=size=320x240:rate=25" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t "$2" \
    -c:v mpeg2video -b:v 1M -g 12 -c:a mp2 -b:a 128k -f mpegts "$1" || fail "ffmpeg fixture"
}

# The station's local time (record default +08:00) $1 seconds from now.
local_time() {
  TZ=Asia/Shanghai date -d "$1 sec" +%Y-%m-%dT%H:%M:%S+08:00
}

roster_csv() {
  cat > "$1" <<'CSV'
number,name,category,card
001,王建国,党员,80010001
002,李秀英,党员,80010002
003,张伟,干部,80010003
004,刘芳,群众,80010004
005,陈明,党员,80010005
006,杨丽,群众,80010006
CSV
}

# kiosk_start DATA_DIR [ARGS...]: headless unless DISPLAY is meant (KIOSK_X=1).
kiosk_start() {
  data=$1; shift
  rm -f "$W/sock"
  if [ "${KIOSK_X:-0}" = 1 ]; then
    SDL_AUDIODRIVER=dummy "$S" --log-level debug kiosk --data-dir "$data" --ipc "$W/sock" "$@" \
      >> "$W/kiosk.log" 2>&1 &
  else
    SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy "$S" --log-level debug kiosk --data-dir "$data" \
      --ipc "$W/sock" "$@" >> "$W/kiosk.log" 2>&1 &
  fi
  KIOSK_PID=$!
  i=0
  while [ ! -S "$W/sock" ]; do
    kill -0 "$KIOSK_PID" 2>/dev/null || fail "the kiosk exited at start-up"
    i=$((i + 1)); [ $i -gt 200 ] && fail "no control socket after 20 s"
    sleep 0.1
  done
}

kiosk_stop() {
  kill -TERM "$KIOSK_PID" 2>/dev/null || true
  status=0
  wait "$KIOSK_PID" || status=$?
  [ "$status" = 0 ] || fail "the kiosk exited with $status after SIGTERM"
}

CTL="python3 $(dirname "$0")/ctl.py"

# field NAME: a status member (lists and objects as JSON, null as "null")
field() {
  $CTL "$W/sock" status "$1" || fail "status"
}

# mfield NAME: a member of the status's "menu" object (null: the menu is closed)
mfield() { field "menu.$1"; }

# On the menu's root page (the rows are numbered: digit N opens section N):
# open_section REGEX   the section whose label matches REGEX
open_section() {
  n=$(field menu.items | python3 -c '
import json, re, sys
rows = [i for i, x in enumerate(json.load(sys.stdin)) if re.search(sys.argv[1], x["label"])]
print(rows[0] + 1 if rows else 0)' "$1")
  [ "$n" -gt 0 ] || fail "no section matching '$1' on the root page"
  press "$n"
}
# open_section_page PAGE   the section that opens the page named PAGE (status menu.page)
open_section_page() {
  for n in 1 2 3 4 5 6 7 8 9; do
    press "$n"
    [ "$(mfield page)" = "$1" ] && return 0
    [ "$(mfield page)" = root ] || press back
  done
  fail "no section opens page '$1'"
}

press() {
  $CTL "$W/sock" press "$@" || fail "press $* refused"
}

# wait_for NAME VALUE SECONDS (wall-clock seconds, however slow the polling)
wait_for() {
  deadline=$(($(date +%s) + $3))
  while [ "$(field "$1")" != "$2" ]; do
    [ "$(date +%s)" -gt "$deadline" ] && fail "$1 is '$(field "$1")', not '$2' after $3 s"
    sleep 0.05
  done
}

expect() { # expect NAME VALUE
  v=$(field "$1")
  [ "$v" = "$2" ] || fail "$1 is '$v', expected '$2'"
}

# json_check FILE PYTHON-EXPRESSIONS...: each must be true of d = the parsed file
json_check() {
  f=$1; shift
  python3 - "$f" "$@" <<'PY' || fail "check on $f"
import json, sys
d = json.load(open(sys.argv[1]))
for expr in sys.argv[2:]:
    if not eval(expr):
        print("not true: " + expr, file=sys.stderr)
        print(json.dumps(d, ensure_ascii=False, indent=1)[:3000], file=sys.stderr)
        sys.exit(1)
PY
}
