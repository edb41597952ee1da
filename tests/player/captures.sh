#!/bin/sh
# The real broadcast captures (see SOURCES.md beside them) play headless to the
# end without a crash: those with sound or pictures exit 0 having played them;
# those without any elementary stream data fail cleanly with one line.
studycast=$1 ffmpeg=$2 work=$3 media=$4
mkdir -p "$work"
. "$(dirname "$0")/lib.sh"
[ -d "$media" ] || fail "no captures in $media (STUDYCAST_MEDIA_DIR)"

play() { # FILE EXPECTED-STATUS CHECK-EXPR
  src="$media/$1"
  st="$work/$1.json"
  rm -f "$st"
  set +e
  headless "$studycast" play --window 320x240 --stats "$st" "$src" 2>"$work/$1.err"
  status=$?
  set -e
  [ $status -lt 128 ] || fail "$1: crashed (status $status)"
  [ $status -eq "$2" ] || fail "$1: exit $status, expected $2: $(cat "$work/$1.err")"
  if [ "$2" -eq 0 ]; then
    check "$st" "$3" "$1" \
      "s['frames_decoded'] == s['frames_presented'] + s['frames_dropped_early'] + s['frames_dropped_late']" \
      "$1: frames unaccounted for"
    echo "$1: $(tr -d '\n ' <"$st")"
  else
    [ "$(grep -c . "$work/$1.err")" -eq 1 ] || fail "$1: $(cat "$work/$1.err")"
    echo "$1: $(cat "$work/$1.err")"
  fi
}

# clean H.264 + AAC, 12 s
play tsduck_tsduck-test__input_test-072.ts 0 \
  "s['frames_presented'] >= 300 - 10 * slack and s['audio_frames_decoded'] >= 550 and s['audio_underruns'] == 0"
# SD MPEG-2 + MP2 with one damaged row
play tsduck_tsduck-test__input_test-025.ts 0 \
  "s['frames_decoded'] >= 60 and s['audio_frames_decoded'] >= 120"
# heavily damaged HD: one decodable picture, some sound
play tsduck_tsduck-test__input_test-143.ts 0 "s['audio_frames_decoded'] > 0"
# E-AC-3 sound only, last packet truncated
play google_ExoPlayer__testdata_src_test_assets_media_ts_sample_ait.ts 0 \
  "s['audio_frames_decoded'] >= 15 and s['frames_decoded'] == 0"
# 100 packets of SI: PMTs list streams, no PES: nothing decodes, nothing
# could be played (exit 1, one line)
play tsduck_tsduck-test__input_test-018.ts 1 ""
# SI only (PAT, CAT, EIT): no stream at all
play tsduck_tsduck-test__input_test-030.ts 1 ""
echo "ok"
