#!/bin/sh
# Makes a multiplex that looks like a real one (issue 14): five programs at
# 24 Mbit/s: MPEG-2 720x576 interlaced, MPEG-2 704x576, H.264 960x540p50,
# HEVC Main10 1280x720p50 (GOPs of 0.4 s), sound for each, a radio, a private
# PID; the PAT every 100 ms and each PMT every 500 ms; cut mid-GOP at 1.13 s.
# Each service has its own picture size, so a test can tell them apart.
# usage: make_multiplex.sh FFMPEG OUT SECONDS
set -eu
ffmpeg=$1 out=$2 seconds=$3
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3
tone="sine=frequency=1000:sample_rate=48000"
# the tables every 20 ms here; mux_tables.py thins them to a broadcaster's
"$ffmpeg" -nostdin -loglevel error -y \
  -f lavfi -i "testsrc2=size=720x576:rate=50" -f lavfi -i "testsrc=size=704x576:rate=25" \
  -f lavfi -i "testsrc2=size=960x540:rate=50" -f lavfi -i "testsrc=size=1280x720:rate=50" \
  -f lavfi -i "$tone" -f lavfi -i "sine=frequency=500:sample_rate=48000" -t "$seconds" \
  -map 0:v -map 1:v -map 2:v -map 3:v -map 4:a -map 5:a -map 4:a -map 5:a -map 4:a \
  -filter:v:0 "tinterlace=mode=interleave_top" \
  -c:v:0 mpeg2video -b:v:0 5M -g:v:0 10 -bf:v:0 2 -flags:v:0 +ilme+ildct \
  -c:v:1 mpeg2video -b:v:1 4M -g:v:1 10 -bf:v:1 2 \
  -c:v:2 libx264 -preset:v:2 ultrafast -g:v:2 20 -bf:v:2 3 -b:v:2 4M \
  -c:v:3 libx265 -preset:v:3 ultrafast -pix_fmt:v:3 yuv420p10le -g:v:3 20 -b:v:3 5M \
  -x265-params log-level=error:bframes=4 -c:a mp2 -c:a:2 aac -c:a:3 aac \
  -program program_num=1:title=One:st=0:st=4 -program program_num=2:title=Two:st=1:st=5 \
  -program program_num=3:title=Three:st=2:st=6 -program program_num=4:title=Four:st=3:st=7 \
  -program program_num=5:title=Radio:st=8 -muxrate 24M -pat_period 0.02 -sdt_period 0.5 \
  -f mpegts "$out.full.ts"
"$python" "$(dirname "$0")/mux_tables.py" "$out.full.ts" "$out.tmp" 24000000 100 500 1.13
rm -f "$out.full.ts"
mv "$out.tmp" "$out"
