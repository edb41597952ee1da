#!/bin/sh
# Installs what studycast needs from Debian 12's packages (run as root).
#   deps.sh build   libraries, compilers and fonts to build and run studycast
#   deps.sh test    the above plus the tools the test suite drives
# Installs only what is missing, so a second run costs one dpkg query.
set -eu
mode=${1:-build}

build_pkgs="build-essential cmake pkg-config git
libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev libavfilter-dev
libsdl2-dev libsdl2-ttf-dev libfontconfig-dev
libdvbpsi-dev libdvbv5-dev
libsqlite3-dev libsodium-dev libcairo2-dev libpango1.0-dev libsystemd-dev libjansson-dev
libevdev-dev libpq-dev
fonts-noto-cjk gettext ffmpeg"
# the ffmpeg CLI makes the demo stream and test fixtures; Xvfb/xdotool drive the
# real window; clang + compiler-rt give libFuzzer and the sanitizer runtimes;
# dpkg-dev (dpkg-shlibdeps for CPack), binutils (readelf) and systemd
# (systemd-analyze, -sysusers, -tmpfiles) build and check the Debian package;
# strace delays fsync to play a slow USB stick (kiosk_admin_export_slow);
# postgresql-15 is the county database the county tests start (tests/county/pg.sh)
test_pkgs="xvfb xauth xdotool x11-apps imagemagick poppler-utils sqlite3
clang libclang-rt-14-dev python3 python3-jsonschema python3-cryptography iproute2 procps
dpkg-dev binutils systemd apt strace postgresql-15"

case "$mode" in
  build) want="$build_pkgs" ;;
  test) want="$build_pkgs $test_pkgs" ;;
  *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "studycast: missing packages:$missing -- run this script as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing
