#!/bin/sh
# One-command set-up for a fresh Debian 12 machine, run as root from the
# repository root:
#   sh packaging/setup.sh run    install what is missing, build, run studycast
#   sh packaging/setup.sh test   install what is missing, build, run every test:
#                                the plain build, then ASan+UBSan, then TSan for
#                                the threaded player, then the fuzzers briefly
set -eu
cd "$(dirname "$0")/.."
mode=${1:-run}
jobs=$(nproc 2>/dev/null || echo 2)

target="" # build only this target ("": everything)
build() { # build DIR [CMAKE OPTIONS...]
  dir=$1; shift
  cmake -S . -B "$dir" -DSTUDYCAST_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs" ${target:+--target "$target"}
}

case "$mode" in
run)
  sh packaging/deps.sh build
  build build
  exec ./build/studycast
  ;;
test)
  sh packaging/deps.sh test
  # Every pass runs even when an earlier one failed, so one run shows all
  # that is wrong; the exit status says whether any failed.
  failed=""
  build build
  (cd build && ctest -j "$jobs" --output-on-failure) || failed="$failed plain"

  # Memory and undefined-behaviour errors fail the run. The libraries' own
  # one-off allocations are listed in tests/lsan.supp.
  build build-asan -DSTUDYCAST_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  (cd build-asan &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    LSAN_OPTIONS=suppressions=$PWD/../tests/lsan.supp:print_suppressions=0 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 STUDYCAST_TEST_SLACK=3 \
    ctest -j "$jobs" --output-on-failure -LE no-sanitizer) || failed="$failed asan"

  # Data races in the threaded parts (labelled "threads").
  build build-tsan -DSTUDYCAST_TSAN=ON -DCMAKE_BUILD_TYPE=Debug
  (cd build-tsan &&
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/../tests/tsan.supp \
    STUDYCAST_TEST_SLACK=4 ctest -j "$jobs" --output-on-failure -L threads) || failed="$failed tsan"

  # The fuzz targets (labelled "fuzz"), each for a bounded time.
  # (only the fuzz targets: the rest of a clang build would go unused)
  target=fuzzers
  build build-fuzz -DCMAKE_C_COMPILER=clang -DSTUDYCAST_WERROR=OFF -DSTUDYCAST_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
  (cd build-fuzz && ctest --output-on-failure -L fuzz) || failed="$failed fuzz"

  if [ -n "$failed" ]; then
    echo "studycast: test passes that failed:$failed" >&2
    exit 1
  fi
  echo "studycast: all test passes succeeded (plain, asan, tsan, fuzz)"
  ;;
*)
  echo "usage: sh packaging/setup.sh run|test" >&2
  exit 2
  ;;
esac
