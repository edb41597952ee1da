# Shared by the kiosk tests (tests/kiosk, tests/packaging): start a kiosk on
# a data dir with a control socket, read its status, press keys through the
# socket, wait for states; on a real X server (tests/lib.sh's xvfb_start,
# key, shot) start it there and move through its menu with X keys.
# Needs: S (studycast), W (work dir), python3 (ctl.py: the control socket).
# What every folder's scripts share (fail, free_port, wait_socket,
# cleanup_procs, xvfb_start/xvfb_stop, key, shot, need_tools) is in tests/lib.sh.
. "$(dirname "$0")/../lib.sh"

# Debian's python3 (with jsonschema) before any per-user shim: a shim's
# start-up costs more than the control-socket round trip it wraps.
PATH=/usr/bin:$PATH
export PATH

# tests/lib.sh's fail, with the end of the kiosk's log
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

# in_private_mount_namespace "$@": runs the calling script again, with the
# same arguments, in a private mount namespace (where it may mount tmpfs
# without touching the host's mounts); needs root: skipped (77) otherwise.
# Already there, it returns at once.
in_private_mount_namespace() {
  [ "${KIOSK_IN_NAMESPACE:-}" = 1 ] && return 0
  if ! unshare -m --propagation private true 2>/dev/null; then
    echo "skipped: no private mount namespace (needs root)"
    exit 77
  fi
  KIOSK_IN_NAMESPACE=1 exec unshare -m --propagation private sh "$0" "$@"
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
  # 60 s: the slowest start-up seen (a sanitizer build, or under strace)
  wait_socket "$W/sock" "$KIOSK_PID" 60 "the kiosk"
}

# kiosk_start_x DATA_DIR [ARGS...]: kiosk_start on the X server of xvfb_start,
# the pointer over its window (no window manager: keys go to the window under
# the pointer), its first picture drawn
kiosk_start_x() {
  KIOSK_X=1 kiosk_start "$@"
  pointer_to_centre
  sleep 1
}

kiosk_stop() {
  kill -TERM "$KIOSK_PID" 2>/dev/null || true
  status=0
  wait "$KIOSK_PID" || status=$?
  KIOSK_PID=
  [ "$status" = 0 ] || fail "the kiosk exited with $status after SIGTERM"
}

# (tests/kiosk and tests/packaging: the kiosk folder is a sibling of the script's)
CTL="python3 $(dirname "$0")/../kiosk/ctl.py"

# field NAME: a status member (lists and objects as JSON, null as "null")
field() {
  $CTL "$W/sock" status "$1" || fail "status"
}

# mfield NAME: a member of the status's "menu" object (null: the menu is closed)
mfield() { field "menu.$1"; }

# On the menu's root page (the rows are numbered: digit N opens section N):
# section_digit REGEX   the digit of the section whose label matches REGEX (0: none)
section_digit() {
  field menu.items | python3 -c '
import json, re, sys
rows = [i for i, x in enumerate(json.load(sys.stdin)) if re.search(sys.argv[1], x["label"])]
print(rows[0] + 1 if rows else 0)' "$1"
}
# open_section REGEX   the section whose label matches REGEX
open_section() {
  n=$(section_digit "$1") || exit 1
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

# rows_down ENGLISH CHINESE: how many DOWNs from the menu's focus (none yet:
# the first row) to the row whose label contains either
rows_down() {
  field menu | python3 -c '
import json, sys
m = json.load(sys.stdin)
for i, it in enumerate(m["items"]):
    if sys.argv[1] in it["label"] or sys.argv[2] in it["label"]:
        print((i - max(m["focus"], 0)) % len(m["items"])); break
else:
    sys.exit("no row " + sys.argv[1])' "$1" "$2" || fail "no row '$1' on page $(mfield page)"
}
# focus_row ENGLISH CHINESE: DOWN (through the socket) until that row has the focus
focus_row() {
  n=$(rows_down "$1" "$2") || exit 1
  # shellcheck disable=SC2046
  [ "$n" = 0 ] || press $(yes down | head -n "$n")
}
# down_to ENGLISH CHINESE: the same with X key presses (Down), one at a time
down_to() {
  n=$(rows_down "$1" "$2") || exit 1
  while [ "$n" -gt 0 ]; do key Down; n=$((n - 1)); done
}

# kb_actions TEXT: the remote's actions that type TEXT on the on-screen
# keyboard from its focused key (kb_keys.py)
kb_actions() {
  field menu | python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["focus"], str(m["lower"]).lower())' |
    { read -r focus lower; python3 "$(dirname "$0")/../kiosk/kb_keys.py" "$focus" "$lower" "$1"; } ||
    fail "kb_keys"
}
# kb_type TEXT: those actions through the socket
kb_type() {
  actions=$(kb_actions "$1") || exit 1
  # shellcheck disable=SC2086
  press $actions
}
# kb_type_x TEXT: those actions as X key presses (arrows and Return)
kb_type_x() {
  actions=$(kb_actions "$1") || exit 1
  # shellcheck disable=SC2046,SC2086
  key $(echo $actions | sed 's/up/Up/g; s/down/Down/g; s/left/Left/g; s/right/Right/g; s/ok/Return/g')
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
