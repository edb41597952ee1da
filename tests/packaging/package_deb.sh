#!/bin/sh
# The Debian package end to end: cpack builds it from the build directory;
# its control fields name every library the binary links (found through the
# host's dpkg database, not a fixed list) plus the CJK font and what SDL opens
# at run time; apt would install it; dpkg installs it for real into a scratch
# root laid out as Debian 12 (merged /usr, the host's package database so
# dependencies are checked, not forced), running its maintainer scripts there
# (DPKG_ROOT), after which the files are where the binary and systemd look
# for them, the user studycast exists with its groups, and
# `systemd-analyze verify` passes on the unit with nothing to say. Removal and
# purge keep the study record. Needs root (dpkg --root, chown).
# usage: package_deb.sh BUILD_DIR WORKDIR
set -eu
B=$1
W=$2
# (Debian's python3 first on PATH, fail with the end of $W/kiosk.log, kiosk_start/kiosk_stop)
. "$(dirname "$0")/../kiosk/lib.sh"
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: installing a package into a scratch root needs root" >&2
  exit 77
fi
rm -rf "$W"
mkdir -p "$W/out"
KIOSK_PID=
trap cleanup_procs EXIT

# ---- build ----
cpack --config "$B/CPackConfig.cmake" -G DEB -B "$W/out" > "$W/cpack.log" 2>&1 ||
  fail "cpack: $(tail -n 20 "$W/cpack.log")"
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$B/CMakeCache.txt")
arch=$(dpkg --print-architecture)
deb="$W/out/studycast_${version}-1_${arch}.deb"
[ -f "$deb" ] || fail "no $deb: $(ls "$W/out")"
[ "$(ls "$W/out"/*.deb | wc -l)" = 1 ] || fail "more than one package"

# ---- control fields ----
field() { dpkg-deb -f "$deb" "$1"; } # (the package's, not kiosk/lib.sh's status field)
[ "$(field Package)" = studycast ] || fail "Package: $(field Package)"
[ "$(field Version)" = "${version}-1" ] || fail "Version: $(field Version)"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture: $(field Architecture)"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
depends=$(field Depends)
has_dep() { echo "$depends" | tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -qx "$1"; }
# what SDL opens at run time on KMS/DRM, the font, the postinst's tools
for p in fonts-noto-cjk systemd libgbm1 libegl1 libgles2 libgl1 libgl1-mesa-dri; do
  has_dep "$p" || fail "Depends lacks $p: $depends"
done
# every library the binary links, by the package that holds it here (merged
# /usr: dpkg may know a file by its /lib or its /usr/lib name)
package_of() {
  real=$(readlink -f "$1")
  for f in "$1" "$real" "${real#/usr}" "/usr${1#/usr}"; do
    out=$(dpkg -S "$f" 2> /dev/null) && { echo "$out" | head -n 1 | cut -d: -f1; return 0; }
  done
  return 1
}
# every library the binary links, by the package that holds it here
dpkg-deb -x "$deb" "$W/extract"
readelf -d "$W/extract/usr/bin/studycast" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' > "$W/needed"
[ "$(wc -l < "$W/needed")" -gt 10 ] || fail "readelf found only: $(cat "$W/needed")"
while read -r lib; do
  path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64|64bit|AArch64/ {print $NF; exit}')
  [ -n "$path" ] || path=$(ldconfig -p | awk -v l="$lib" '$1 == l {print $NF; exit}')
  [ -n "$path" ] || fail "$lib: not found by ldconfig"
  owner=$(package_of "$path") || fail "$lib ($path) belongs to no package"
  has_dep "$owner" || fail "the binary links $lib ($owner) but Depends lacks it: $depends"
done < "$W/needed"
for libpkg in libsdl2-2.0-0 libsdl2-ttf-2.0-0 libsqlite3-0 libsodium23 libsystemd0 libdvbv5-0; do
  has_dep "$libpkg" || fail "Depends lacks $libpkg"
done
has_dep "$(package_of "$(ldconfig -p | awk '$1 ~ /^libavcodec\.so/ {print $NF; exit}')")" ||
  fail "Depends lacks libavcodec"
dpkg-deb -I "$deb" conffiles > "$W/conffiles" || fail "no conffiles"
[ "$(sort "$W/conffiles" | tr '\n' ' ')" = "/etc/studycast/keymap.conf /etc/studycast/kiosk.conf " ] ||
  fail "conffiles: $(cat "$W/conffiles")"
for script in postinst prerm postrm; do
  dpkg-deb -I "$deb" "$script" > "$W/$script" || fail "no $script"
  sh -n "$W/$script" || fail "$script: syntax"
done

# `apt install ./studycast_*.deb` finds every dependency (simulated: this
# machine's packages are not to be changed by a test)
apt-get install -s "$deb" > "$W/apt.log" 2>&1 || fail "apt-get install -s: $(tail "$W/apt.log")"
grep -q "^Inst studycast " "$W/apt.log" || fail "apt would not install it: $(cat "$W/apt.log")"

# ---- a scratch root as a Debian 12 system: merged /usr, base accounts, the
# host's package database (Depends checked for real), systemd's own units ----
R=$W/root
mkdir -p "$R/usr/bin" "$R/usr/sbin" "$R/usr/lib/systemd" "$R/etc" "$R/var/lib/dpkg/info" \
  "$R/var/lib/dpkg/updates"
ln -s usr/bin "$R/bin"
ln -s usr/sbin "$R/sbin"
ln -s usr/lib "$R/lib"
cp /etc/passwd /etc/group "$R/etc/"
cp /var/lib/dpkg/status "$R/var/lib/dpkg/status"
cp -a /lib/systemd/system "$R/usr/lib/systemd/"
dpkg --root="$R" --force-script-chrootless -i "$deb" > "$W/dpkg-install.log" 2>&1 ||
  fail "dpkg -i: $(cat "$W/dpkg-install.log")"
[ "$(dpkg-query --root="$R" -W -f='${Status}' studycast)" = "install ok installed" ] ||
  fail "not installed: $(dpkg-query --root="$R" -W -f='${Status}' studycast)"

# the files, where the binary and systemd look for them
S=$R/usr/bin/studycast
[ -x "$S" ] || fail "no /usr/bin/studycast"
[ "$("$S" --version)" = "studycast $version" ] || fail "--version: $("$S" --version)"
"$S" --help | grep -q "kiosk" || fail "--help lists no kiosk"
"$S" kiosk --help | grep -q -- "--data-dir" || fail "kiosk --help"
unit=$R/lib/systemd/system/studycast.service
[ -f "$R/usr/lib/systemd/system/studycast.service" ] || fail "no unit"
grep -q "^ExecStart=/usr/bin/studycast kiosk " "$unit" || fail "ExecStart: $(grep ExecStart "$unit")"
mo=$R/usr/share/locale/zh_CN/LC_MESSAGES/studycast.mo
[ -f "$mo" ] || fail "no catalog"
msgunfmt "$mo" | grep -q '"学习站"\|学习站' || fail "the catalog has no Chinese"
for ts in demo-course.ts demo.ts; do
  [ -s "$R/usr/share/studycast/$ts" ] || fail "no /usr/share/studycast/$ts"
done
# the demo course the package ships probes as the Chinese demo service
"$S" probe "$R/usr/share/studycast/demo-course.ts" --json > "$W/probe.json" ||
  fail "probe of the installed demo course"
python3 - "$W/probe.json" <<'PY' || fail "the installed demo course: $(head -c 600 "$W/probe.json")"
import json, sys
d = json.load(open(sys.argv[1]))
services = d["services"]
assert services and any(s.get("name") for s in services), services
assert any(any("\u4e00" <= c <= "\u9fff" for c in s.get("name", "")) for s in services), services
PY
# the binary looks for its data where the package put it
for p in /usr/share/studycast/demo-course.ts /usr/share/locale; do
  strings "$S" | grep -qx "$p" || fail "the binary does not look in $p"
done
grep -qx "/etc/studycast/keymap.conf" "$R/var/lib/dpkg/info/studycast.conffiles" ||
  fail "keymap.conf is not a conffile"
dpkg-query --root="$R" -W -f='${Conffiles}\n' studycast | grep -q "/etc/studycast/kiosk.conf [0-9a-f]\{32\}" ||
  fail "kiosk.conf is not registered as a conffile"
[ -f "$R/etc/studycast/keymap.conf" ] && [ -f "$R/etc/studycast/kiosk.conf" ] || fail "no /etc/studycast"
[ -f "$R/usr/lib/sysusers.d/studycast.conf" ] && [ -f "$R/usr/lib/tmpfiles.d/studycast.conf" ] ||
  fail "no sysusers.d/tmpfiles.d"

# the postinst's user: unprivileged, no login, in video, audio, input and dialout (CEC)
line=$(grep "^studycast:" "$R/etc/passwd") || fail "no user studycast"
uid=$(echo "$line" | cut -d: -f3)
[ "$uid" -gt 0 ] && [ "$uid" -lt 1000 ] || fail "studycast is not a system user: $line"
echo "$line" | grep -q ":/var/lib/studycast:/usr/sbin/nologin$" || fail "home/shell: $line"
for g in video audio input dialout; do
  grep "^$g:" "$R/etc/group" | cut -d: -f4 | tr ',' '\n' | grep -qx studycast ||
    fail "studycast is not in group $g: $(grep "^$g:" "$R/etc/group")"
done
[ "$(stat -c '%u %a' "$R/var/lib/studycast")" = "$uid 750" ] ||
  fail "/var/lib/studycast: $(stat -c '%u %a' "$R/var/lib/studycast")"

# the shipped keymap is read without a complaint, its examples too
sed -n '/^# Examples:/,$p' "$R/etc/studycast/keymap.conf" | sed -n 's/^# \(.* = .*\)$/\1/p' \
  > "$W/keymap-examples.conf"
[ "$(wc -l < "$W/keymap-examples.conf")" -ge 3 ] || fail "no keymap examples"
for km in "$R/etc/studycast/keymap.conf" "$W/keymap-examples.conf"; do
  rm -f "$W/kiosk.log" && mkdir -p "$W/data"
  kiosk_start "$W/data" --keymap "$km"
  kiosk_stop
  # a bad line is logged as "FILE:LINE: why; line ignored", an unreadable file as "keymap FILE: ..."
  if grep -q "line ignored\|keymap $km" "$W/kiosk.log"; then
    fail "$km: $(grep "line ignored\|keymap" "$W/kiosk.log")"
  fi
done

# the unit's SDL_VIDEODRIVER=kmsdrm: the SDL the package depends on draws on
# KMS/DRM, and a machine without X and Wayland reaches it before SDL's
# invisible offscreen driver (which the kiosk refuses)
python3 - <<'PY' || fail "SDL: no KMSDRM before offscreen"
import ctypes
sdl = ctypes.CDLL("libSDL2-2.0.so.0")
sdl.SDL_GetVideoDriver.restype = ctypes.c_char_p
drivers = [sdl.SDL_GetVideoDriver(i).decode().lower() for i in range(sdl.SDL_GetNumVideoDrivers())]
print("SDL video drivers:", drivers)
assert "kmsdrm" in drivers and drivers.index("kmsdrm") < drivers.index("offscreen"), drivers
PY

# ---- the unit: systemd's own check, on the installed system ----
systemd-analyze verify --root="$R" studycast.service > "$W/verify.log" 2>&1 ||
  fail "systemd-analyze verify: $(cat "$W/verify.log")"
[ ! -s "$W/verify.log" ] || fail "systemd-analyze verify has remarks: $(cat "$W/verify.log")"
# the hardening stays where it is (an exposure of 3.8 when written; 10 is none)
systemd-analyze security --offline=true --root="$R" --threshold=45 studycast.service \
  > "$W/security.log" 2>&1 || fail "exposure above 4.5: $(tail -n 3 "$W/security.log")"

# ---- remove and purge: the program goes, the study record stays ----
echo "record" > "$R/var/lib/studycast/record.db"
dpkg --root="$R" --force-script-chrootless -r studycast > "$W/dpkg-remove.log" 2>&1 ||
  fail "dpkg -r: $(cat "$W/dpkg-remove.log")"
[ ! -e "$S" ] && [ ! -e "$unit" ] || fail "files left after removal"
[ -f "$R/etc/studycast/keymap.conf" ] || fail "removal took the configuration (purge does)"
dpkg --root="$R" --force-script-chrootless -P studycast > "$W/dpkg-purge.log" 2>&1 ||
  fail "dpkg -P: $(cat "$W/dpkg-purge.log")"
[ ! -e "$R/etc/studycast/keymap.conf" ] || fail "purge left the conffiles"
[ "$(cat "$R/var/lib/studycast/record.db")" = record ] || fail "purge destroyed the study record"
grep -q "study record in /var/lib/studycast is kept" "$W/dpkg-purge.log" || fail "purge said nothing"
echo "ok: $(basename "$deb") ($(stat -c %s "$deb") bytes) installs, verifies, removes"
