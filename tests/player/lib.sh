# Shared by the player's script tests: sourced, with $studycast, $ffmpeg and
# $work (the test's own fixture directory) set by the caller.
# (fail, free_port, python and the rest shared by every folder: tests/lib.sh)
set -eu
. "$(dirname "$0")/../lib.sh"

# fixture NAME FFMPEG-ARGS...: makes $work/NAME once with the ffmpeg CLI
fixture() {
  name=$1
  shift
  [ -s "$work/$name" ] && return 0
  "$ffmpeg" -nostdin -loglevel error -y "$@" "$work/$name.tmp.ts" || fail "ffmpeg could not make $name"
  mv "$work/$name.tmp.ts" "$work/$name"
}

# check FILE EXPR MESSAGE [EXPR MESSAGE ...]: fails unless every Python
# expression over the stats object `s` read from FILE is true. Real-time
# quality bounds (drops, A/V offset) are multiplied by `slack`: 1, or
# STUDYCAST_TEST_SLACK in the sanitizer passes, whose builds run several
# times slower; what is counted and accounted for is never relaxed.
check() {
  "$python" - "$@" <<'PY' || fail "$(cat "$1")"
import json, os, sys
s = json.load(open(sys.argv[1]))
slack = float(os.environ.get("STUDYCAST_TEST_SLACK", "1"))
args = sys.argv[2:]
bad = [f"{args[i + 1]}: {args[i]}" for i in range(0, len(args), 2) if not eval(args[i])]
for b in bad:
    print("FAIL:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# The pattern the streams carry: testsrc2 moves, so every frame differs.
SRC_SD="testsrc2=size=720x576:rate=25"
TONE="sine=frequency=1000:sample_rate=48000"

headless() {
  SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy "$@"
}
