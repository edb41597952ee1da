#!/bin/sh
# Runs the demux fuzzer: first every kept regression input (each must pass),
# then a bounded fuzzing session from seeds cut from the real captures.
# A crash found fails the test; keep its input in tests/demux/fuzz-corpus/.
#   fuzz_run.sh FUZZER MEDIA_DIR KEPT_CORPUS WORK_DIR SECONDS
set -eu
fuzzer=$1 media=$2 kept=$3 work=$4 seconds=$5
mkdir -p "$work/seeds" "$work/corpus" "$work/crashes"
# seeds: the start of each capture as raw TS (mode 0), and as text (mode 2)
i=0
for f in "$media"/*.ts; do
  i=$((i + 1))
  { printf '\000\273'; head -c 24064 "$f"; } > "$work/seeds/raw-$i"
  { printf '\000\007'; tail -c 9400 "$f"; } > "$work/seeds/tail-$i"
  { printf '\002\006'; head -c 300 "$f" | tail -c 120; } > "$work/seeds/text-$i"
done
dirs="$work/corpus $work/seeds"
if ls "$kept"/* > /dev/null 2>&1; then
  "$fuzzer" "$kept"/* # every kept input once: a regression fails here
  dirs="$dirs $kept"
fi
# shellcheck disable=SC2086
"$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$work/crashes/" -print_final_stats=1 $dirs
