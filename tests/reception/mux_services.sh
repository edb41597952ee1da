#!/bin/sh
# A real multiplex, service by service (issue 14): five programs at 24 Mbit/s
# (MPEG-2 SD interlaced and progressive, H.264 720p50, HEVC Main10 720p50, a
# radio), a private PID, the PAT every 100 ms and each PMT every 500 ms, cut
# mid-GOP so that each service's first keyframe arrives before its first PMT.
# For every program, `bench --service N` on the multiplex decodes the same
# video frames (framemd5, in order) and as many sound frames as the program
# remuxed alone by ffmpeg (which starts at its first keyframe).
studycast=$1 ffmpeg=$2 work=$3 media=$4
mkdir -p "$work"
. "$(dirname "$0")/../player/lib.sh"

# the tables come every 20 ms here; mux_tables.py thins them to a broadcaster's
fixture full.ts -f lavfi -i "testsrc2=size=720x576:rate=50" -f lavfi -i "testsrc=size=720x576:rate=25" \
  -f lavfi -i "testsrc2=size=1280x720:rate=50" -f lavfi -i "testsrc=size=1280x720:rate=50" \
  -f lavfi -i "$TONE" -f lavfi -i "sine=frequency=500:sample_rate=48000" -t 2.6 \
  -map 0:v -map 1:v -map 2:v -map 3:v -map 4:a -map 5:a -map 4:a -map 5:a -map 4:a \
  -filter:v:0 "tinterlace=mode=interleave_top" \
  -c:v:0 mpeg2video -b:v:0 5M -g:v:0 10 -bf:v:0 2 -flags:v:0 +ilme+ildct \
  -c:v:1 mpeg2video -b:v:1 4M -g:v:1 10 -bf:v:1 2 \
  -c:v:2 libx264 -preset:v:2 ultrafast -g:v:2 20 -bf:v:2 3 -b:v:2 5M \
  -c:v:3 libx265 -preset:v:3 ultrafast -pix_fmt:v:3 yuv420p10le -g:v:3 20 -b:v:3 5M \
  -x265-params log-level=error:bframes=4 -c:a mp2 -c:a:2 aac -c:a:3 aac \
  -program program_num=1:title=One:st=0:st=4 -program program_num=2:title=Two:st=1:st=5 \
  -program program_num=3:title=Three:st=2:st=6 -program program_num=4:title=Four:st=3:st=7 \
  -program program_num=5:title=Radio:st=8 -muxrate 24M -pat_period 0.02 -sdt_period 0.5 -f mpegts
[ -s "$work/mux.ts" ] ||
  "$python" "$(dirname "$0")/mux_tables.py" "$work/full.ts" "$work/mux.ts" 24000000 100 500 1.13 ||
  fail "could not make the multiplex"

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
  [ -s "$work/alone$n.ts" ] || "$ffmpeg" -nostdin -loglevel error -y -i "$work/mux.ts" -map "0:p:$n" \
    -c copy -f mpegts "$work/alone$n.ts" || fail "ffmpeg could not remux program $n"
  mux=$(bench_frames "$work/mux.ts" "$work/mux$n" --service "$n")
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
exit $status
