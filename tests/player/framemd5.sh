#!/bin/sh
# bench --framemd5 gives, frame for frame, the hashes ffmpeg's framemd5 muxer
# gives for the same decoded frames (native pixel format, before deinterlacing):
# H.264 progressive, MPEG-2 interlaced, and the undamaged real capture.
studycast=$1 ffmpeg=$2 work=$3 media=$4
mkdir -p "$work"
. "$(dirname "$0")/lib.sh"

fixture h264_progressive.ts -f lavfi -i "testsrc2=size=640x360:rate=25" -f lavfi -i "$TONE" -t 3 \
  -c:v libx264 -preset veryfast -g 25 -bf 2 -pix_fmt yuv420p -c:a aac -f mpegts
fixture mpeg2_interlaced.ts -f lavfi -i "testsrc2=size=720x576:rate=50" -f lavfi -i "$TONE" -t 2 \
  -vf "tinterlace=mode=interleave_top,setdar=16/9" -c:v mpeg2video -flags +ilme+ildct -top 1 \
  -b:v 4M -g 12 -bf 2 -c:a mp2 -f mpegts
fixture h264_interlaced.ts -f lavfi -i "testsrc2=size=720x576:rate=50" -t 2 \
  -vf "tinterlace=mode=interleave_top" -c:v libx264 -preset veryfast -flags +ilme+ildct \
  -x264-params tff=1 -g 25 -f mpegts

compare() { # SOURCE LABEL
  "$studycast" bench --framemd5 "$work/$2.ours" "$1" >/dev/null || fail "bench failed on $1"
  "$ffmpeg" -nostdin -loglevel error -i "$1" -map 0:v:0 -fps_mode passthrough -f framemd5 - \
    >"$work/$2.ffmpeg" 2>"$work/$2.ffmpeg.log" || fail "ffmpeg failed on $1"
  grep -v '^#' "$work/$2.ours" | awk -F', *' '{print $6}' >"$work/$2.ours.md5"
  grep -v '^#' "$work/$2.ffmpeg" | awk -F', *' '{print $6}' >"$work/$2.ffmpeg.md5"
  n=$(wc -l <"$work/$2.ffmpeg.md5")
  [ "$n" -gt 10 ] || fail "$2: ffmpeg hashed only $n frames"
  cmp -s "$work/$2.ours.md5" "$work/$2.ffmpeg.md5" ||
    fail "$2: frame hashes differ from ffmpeg's ($(wc -l <"$work/$2.ours.md5") vs $n lines)"
  echo "$2: $n frames, identical to ffmpeg's framemd5"
}

compare "$work/h264_progressive.ts" h264_progressive
compare "$work/mpeg2_interlaced.ts" mpeg2_interlaced
compare "$work/h264_interlaced.ts" h264_interlaced
# the real IPTV capture: undamaged, decodes identically
compare "$media/tsduck_tsduck-test__input_test-072.ts" capture_072
# the SD capture: one damaged macroblock row, which both decode the same way
compare "$media/tsduck_tsduck-test__input_test-025.ts" capture_025
