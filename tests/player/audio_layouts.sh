#!/bin/sh
# Sound in any layout and codec is resampled/downmixed to what the device gives
# and plays to the end without underruns: mono MP2, stereo AAC, 5.1 AC-3,
# 5.1 E-AC-3 (and 44.1 kHz, resampled).
studycast=$1 ffmpeg=$2 work=$3
mkdir -p "$work"
. "$(dirname "$0")/lib.sh"

video="testsrc2=size=320x240:rate=25"
fixture mono_mp2.ts -f lavfi -i "$video" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
  -t 2 -c:v mpeg2video -c:a mp2 -ac 1 -f mpegts
fixture stereo_aac_44k.ts -f lavfi -i "$video" -f lavfi -i "sine=frequency=440:sample_rate=44100" \
  -t 2 -c:v mpeg2video -c:a aac -ac 2 -f mpegts
fixture surround_ac3.ts -f lavfi -i "$video" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
  -t 2 -c:v mpeg2video -c:a ac3 -af "aformat=channel_layouts=5.1" -f mpegts
fixture surround_eac3.ts -f lavfi -i "$video" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
  -t 2 -c:v mpeg2video -c:a eac3 -af "aformat=channel_layouts=5.1(side)" -f mpegts

for f in mono_mp2 stereo_aac_44k surround_ac3 surround_eac3; do
  st="$work/$f.json"
  headless "$studycast" --log-level info play --window 320x240 --stats "$st" "$work/$f.ts" \
    2>"$work/$f.log" || fail "$f: exit $? ($(cat "$work/$f.log"))"
  check "$st" "s['audio_frames_decoded'] > 20" "$f: no sound decoded" \
    "s['audio_underruns'] == 0" "$f: underruns" \
    "s['frames_presented'] > 50 - 10 * slack" "$f: pictures missing" \
    "s['av_offset_ms']['mean'] < 30 * slack" "$f: picture and sound apart"
  grep -q "audio: .* device" "$work/$f.log" || fail "$f: no audio device opened"
  echo "$f: $(grep 'device' "$work/$f.log" | sed 's/.*audio: //')"
done

# a device asked for stereo at 44.1 kHz (as a TV's HDMI often is): 5.1 at
# 48 kHz is downmixed and resampled, and still keeps time with the pictures
for f in surround_ac3 surround_eac3 mono_mp2; do
  st="$work/$f.stereo.json"
  headless "$studycast" --log-level info play --audio-channels 2 --audio-rate 44100 \
    --window 320x240 --stats "$st" "$work/$f.ts" 2>"$work/$f.stereo.log" || fail "$f: exit $?"
  grep -q "device 44100 Hz 2 ch" "$work/$f.stereo.log" || fail "$f: $(cat "$work/$f.stereo.log")"
  check "$st" "s['audio_underruns'] == 0" "$f to stereo: underruns" \
    "s['av_offset_ms']['mean'] < 30 * slack" "$f to stereo: picture and sound apart" \
    "1.6 < s['seconds_played'] < 3" "$f to stereo: played at the wrong speed"
  echo "$f: $(grep 'device' "$work/$f.stereo.log" | sed 's/.*audio: //')"
done
echo "ok"
