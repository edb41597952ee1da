#!/bin/sh
# A real multiplex, service by service (issue 14): make_multiplex.sh's five
# programs at 24 Mbit/s (MPEG-2 SD, H.264, HEVC Main10 720p50, a radio; the
# PAT every 100 ms, each PMT every 500 ms), cut mid-GOP so that each
# service's first keyframe arrives before its first PMT. For every program,
# `bench --service N` on the multiplex decodes the same video frames
# (framemd5, in order) and as many sound frames as the program remuxed alone
# by ffmpeg (which starts at its first keyframe). Then the same for what a
# recording of each service writes (test_mux_record: the pipeline's output,
# PAT and PMT first, video from a keyframe).
# usage: mux_services.sh STUDYCAST FFMPEG WORKDIR MULTIPLEX TEST_MUX_RECORD
studycast=$1 ffmpeg=$2 work=$3 multiplex=$4 recorder=$5
mkdir -p "$work"
. "$(dirname "$0")/../player/lib.sh"

[ -s "$multiplex" ] || fail "no multiplex $multiplex"

# bench_frames SOURCE OUT [ARGS]: the video hashes to OUT.md5, "video audio" counts on stdout
bench_frames() {
  src=$1 out=$2
  shift 2
  "$studycast" bench "$src" --json --framemd5 "$out.framemd5" "$@" >"$out.json" 2>"$out.log" ||
    fail "bench failed on $src $* ($(tail -n 3 "$out.log"))"
  grep -v '^#' "$out.framemd5" | awk -F', *' '{print $6}' >"$out.md5"
  "$python" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["video_frames"], d["audio_frames"])' "$out.json"
}

status=0
for n in 1 2 3 4 5; do
  "$ffmpeg" -nostdin -loglevel error -y -i "$multiplex" -map "0:p:$n" \
    -c copy -f mpegts "$work/alone$n.ts" || fail "ffmpeg could not remux program $n"
  mux=$(bench_frames "$multiplex" "$work/mux$n" --service "$n")
  alone=$(bench_frames "$work/alone$n.ts" "$work/alone$n")
  echo "service $n: video/audio frames from the multiplex $mux, alone $alone"
  set -- $alone
  [ "$n" = 5 ] || [ "$1" -ge 20 ] || fail "service $n alone: only $1 pictures"
  [ "$2" -ge 40 ] || fail "service $n alone: only $2 sound frames"
  if [ "$mux" != "$alone" ] || ! cmp -s "$work/mux$n.md5" "$work/alone$n.md5"; then
    echo "FAIL: service $n: the multiplex does not decode what the service alone decodes" >&2
    status=1
  fi
done
"$recorder" "$multiplex" "$work" 1 2 3 4 5 || fail "the recordings are not what they should be"
for n in 1 2 3 4 5; do
  rec=$(bench_frames "$work/record$n.ts" "$work/record$n")
  alone=$("$python" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["video_frames"], d["audio_frames"])' "$work/alone$n.json")
  echo "recording of service $n: video/audio frames $rec, alone $alone"
  if [ "$rec" != "$alone" ] || ! cmp -s "$work/record$n.md5" "$work/alone$n.md5"; then
    echo "FAIL: the recording of service $n does not decode what the service alone decodes" >&2
    status=1
  fi
done
exit $status
