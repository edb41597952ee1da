# Set-up shared by the script tests of every folder (sourced as
# ". "$(dirname "$0")/../lib.sh"", directly or through tests/kiosk/lib.sh and
# tests/player/lib.sh): failing, free ports, waiting for a socket, the test's
# background processes ended at exit, an X server of its own (Xvfb) with
# screenshots and real key presses.
# Uses: W (the test's work dir) where a helper writes a file.

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# the system's Python (a user's pyenv shim costs a second per call)
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3

# need_tools TOOL...: fails unless each is installed
need_tools() {
  for tool in "$@"; do
    command -v "$tool" > /dev/null || fail "$tool is not installed (packaging/deps.sh test installs it)"
  done
}

# free_port [udp|tcp]: a port on 127.0.0.1 the kernel has just handed out (UDP unless told)
free_port() {
  "$python" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' "${1:-udp}" || fail "no free ${1:-udp} port"
}

# wait_socket PATH PID SECONDS WHAT: until the Unix socket PATH exists; fails
# at once if PID (the process that is to make it) exits, or after SECONDS of
# wall-clock time however slow the polling
wait_socket() {
  deadline=$(($(date +%s) + $3))
  while [ ! -S "$1" ]; do
    kill -0 "$2" 2> /dev/null || fail "$4 exited at start-up"
    [ "$(date +%s)" -gt "$deadline" ] && fail "$4: no socket $1 after $3 s"
    sleep 0.1
  done
}

# test_workdir [SUBDIR...]: the test's work dir $W made anew (with those
# subdirectories), no background process recorded yet, cleanup_procs at exit
# (a test that needs more at exit sets its own trap after this, calling it)
test_workdir() {
  rm -rf "$W"
  mkdir -p "$W"
  for sub in "$@"; do mkdir -p "$W/$sub"; done
  KIOSK_PID= SENDER_PID= RELAY_PID= STRACE_PID= LISTEN_PID= XVFB_PID= EXTRA_PIDS=
  trap cleanup_procs EXIT
}

# The test's background processes, ended at exit whichever way it goes:
#   trap cleanup_procs EXIT                 (or: trap 'cleanup_procs; umount ...' EXIT)
# KILLs the kiosk and the helpers (KIOSK_PID, SENDER_PID, RELAY_PID, STRACE_PID,
# LISTEN_PID and any in EXTRA_PIDS, where set), TERMs the X server (XVFB_PID),
# then reaps them, so that no process outlives the test.
cleanup_procs() {
  for pid in ${KIOSK_PID:-} ${SENDER_PID:-} ${RELAY_PID:-} ${STRACE_PID:-} ${LISTEN_PID:-} \
    ${EXTRA_PIDS:-}; do
    kill -KILL "$pid" 2> /dev/null || true
  done
  [ -z "${XVFB_PID:-}" ] || kill -TERM "$XVFB_PID" 2> /dev/null || true
  for pid in ${KIOSK_PID:-} ${SENDER_PID:-} ${RELAY_PID:-} ${STRACE_PID:-} ${LISTEN_PID:-} \
    ${EXTRA_PIDS:-} ${XVFB_PID:-}; do
    wait "$pid" 2> /dev/null || true
  done
}

# xvfb_start WxH [TAG]: an X server of its own at WxHx24 (-displayfd: the
# server picks a free display and says which once it accepts clients),
# DISPLAY exported; XVFB_PID, XVFB_W and XVFB_H set. Its log and display
# number in $W/[TAG.]xvfb.log and $W/[TAG.]display.
xvfb_start() {
  need_tools Xvfb xdotool
  XVFB_W=${1%x*}
  XVFB_H=${1#*x}
  xvfb_display=$W/${2:+$2.}display
  rm -f "$xvfb_display"
  Xvfb -displayfd 5 -screen 0 "${1}x24" -nolisten tcp 5> "$xvfb_display" \
    > "$W/${2:+$2.}xvfb.log" 2>&1 &
  XVFB_PID=$!
  deadline=$(($(date +%s) + 20))
  while [ ! -s "$xvfb_display" ]; do
    kill -0 "$XVFB_PID" 2> /dev/null || fail "Xvfb exited: $(cat "$W/${2:+$2.}xvfb.log")"
    [ "$(date +%s)" -gt "$deadline" ] && fail "Xvfb did not start in 20 s"
    sleep 0.1
  done
  DISPLAY=:$(cat "$xvfb_display")
  export DISPLAY
}

# xvfb_stop: the X server of xvfb_start ended and reaped
xvfb_stop() {
  [ -z "${XVFB_PID:-}" ] && return 0
  kill -TERM "$XVFB_PID" 2> /dev/null || true
  wait "$XVFB_PID" 2> /dev/null || true
  XVFB_PID=
}

# pointer_to_centre: no window manager, so keys go to the window under the pointer
pointer_to_centre() {
  xdotool mousemove $((XVFB_W / 2)) $((XVFB_H / 2))
}

# key KEYSYM...: real X key presses (xdotool), 150 ms apart, then time for the
# screen to take the last one
key() {
  xdotool key --delay 150 "$@"
  sleep 0.3
}

# shot NAME: the whole screen as the TV shows it, in $SHOTS/$SHOT_PREFIX$NAME.png
# (SHOTS: $W/shots unless set; SHOT_PREFIX: e.g. the screen size, empty unless set)
shot() {
  sleep 0.5 # the flip after the last key
  need_tools import
  mkdir -p "${SHOTS:-$W/shots}"
  import -window root "${SHOTS:-$W/shots}/${SHOT_PREFIX:-}$1.png" || fail "screenshot $1"
}
