#!/usr/bin/env python3
"""Service change side by side: studycast, ffplay and mpv on the same live
multiplex, timed the same way from outside (a benchmark, not a CI test).

The multiplex: four services with the codecs of make_multiplex.sh (MPEG-2
720x576i and 704x576, H.264 960x540p50, HEVC Main10 1280x720p50, GOPs of
0.4 s, sound each) at 24 Mbit/s, tables thinned by mux_tables.py to the PAT
every 100 ms and each PMT every 500 ms; each service's picture is one solid
colour (a small moving pattern in a corner keeps the encoders honest), so the
screen's centre pixel says which service is shown (players cycle in their
own order; a switch ends at the first picture of any other service). It is sent over real UDP
on 127.0.0.1 at its mux rate. Each player runs in a 480x270 window filling
an Xvfb screen; xdotool presses the player's "next" key (studycast PageUp,
ffplay c; mpv has no program switch: c is bound to cycling its four video
tracks; its SDL window here took the keys in some runs only, and a run in
which no key took effect counts no switch) and
the time from the key to the first screenshot whose centre shows the next
service's colour is one switch. Screenshots are taken back to back with xwd
(about 5-10 ms each), which bounds the resolution.

usage: zap_compare.py STUDYCAST MUX_TABLES_PY [--switches N] [--runs R]
           [--players studycast,ffplay,mpv] [--keep DIR]
Prints one line per switch and a summary table (markdown)."""
import argparse
import os
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

MUXRATE = 24000000
COLOURS = ["red", "lime", "blue", "yellow"]
RGB = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
SIZE = (480, 270)


def make_multiplex(out, seconds, mux_tables):
    ins = []
    for i, (c, (w, h)) in enumerate(zip(COLOURS, [(720, 576), (704, 576), (960, 540), (1280, 720)])):
        rate = 25 if i == 1 else 50
        ins += ["-f", "lavfi", "-i",
                f"color=c={c}:size={w}x{h}:rate={rate}[bg];testsrc2=size=160x90:rate={rate}[fg];"
                f"[bg][fg]overlay=x='mod(t*200,{w - 160})':y=8"]
    tone = "sine=frequency=1000:sample_rate=48000"
    ins += ["-f", "lavfi", "-i", tone]
    tmp = out + ".full.ts"
    cmd = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y"] + ins + ["-t", str(seconds)]
    cmd += ["-map", "0:v", "-map", "1:v", "-map", "2:v", "-map", "3:v"] + ["-map", "4:a"] * 4
    cmd += ["-filter:v:0", "tinterlace=mode=interleave_top",
            "-c:v:0", "mpeg2video", "-b:v:0", "5M", "-g:v:0", "10", "-bf:v:0", "2",
            "-flags:v:0", "+ilme+ildct",
            "-c:v:1", "mpeg2video", "-b:v:1", "4M", "-g:v:1", "10", "-bf:v:1", "2",
            "-c:v:2", "libx264", "-preset:v:2", "ultrafast", "-g:v:2", "20", "-bf:v:2", "3",
            "-b:v:2", "4M",
            "-c:v:3", "libx265", "-preset:v:3", "ultrafast", "-pix_fmt:v:3", "yuv420p10le",
            "-g:v:3", "20", "-b:v:3", "5M", "-x265-params", "log-level=error:bframes=4",
            "-c:a", "mp2"]
    for p in range(4):
        cmd += ["-program", f"program_num={p + 1}:title=S{p + 1}:st={p}:st={p + 4}"]
    cmd += ["-muxrate", "24M", "-pat_period", "0.02", "-sdt_period", "0.5", "-f", "mpegts", tmp]
    subprocess.run(cmd, check=True)
    subprocess.run([sys.executable, mux_tables, tmp, out, str(MUXRATE), "100", "500", "1.13"],
                   check=True)
    os.unlink(tmp)


class Sender(threading.Thread):
    """Sends the file at its mux rate over UDP until stopped (once through)."""

    def __init__(self, path, port):
        super().__init__(daemon=True)
        self.data = open(path, "rb").read()
        self.port = port
        self.stop = threading.Event()

    def run(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        gram = 188 * 7
        interval = gram * 8 / MUXRATE
        t = time.monotonic()
        for pos in range(0, len(self.data), gram):
            if self.stop.is_set():
                return
            sock.sendto(self.data[pos:pos + gram], ("127.0.0.1", self.port))
            t += interval
            d = t - time.monotonic()
            if d > 0:
                time.sleep(d)


def centre_pixel(display):
    """The screen's centre pixel (r, g, b) from an xwd dump of the root."""
    raw = subprocess.run(["xwd", "-root", "-silent", "-display", display],
                         capture_output=True, check=True).stdout
    hdr = struct.unpack(">25I", raw[:100])
    header_size, width, height = hdr[0], hdr[4], hdr[5]
    byte_order, bpp, bpl, ncolors = hdr[7], hdr[11], hdr[12], hdr[19]
    off = header_size + ncolors * 12 + (height // 2) * bpl + (width // 2) * (bpp // 8)
    px = raw[off:off + 4]
    v = int.from_bytes(px, "little" if byte_order == 0 else "big")
    return ((v >> 16) & 255, (v >> 8) & 255, v & 255)


def service_shown(rgb):
    best, dist = None, 1e9
    for i, ref in enumerate(RGB):
        d = sum((a - b) ** 2 for a, b in zip(rgb, ref))
        if d < dist:
            best, dist = i, d
    return best if dist < 90 ** 2 else None


def wait_for(display, leave, timeout):
    """Waits for a picture of a service other than `leave` (None: any).
    Returns (time, service) or (None, None)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        shown = service_shown(centre_pixel(display))
        if shown is not None and shown != leave:
            return time.monotonic(), shown
    return None, None


def player_cmd(name, studycast, port):
    url = f"udp://127.0.0.1:{port}"
    w, h = SIZE
    if name == "studycast":
        return [studycast, "play", url, "--window", f"{w}x{h}", "--service", "1"]
    if name == "ffplay":
        return ["ffplay", "-hide_banner", "-loglevel", "error", "-x", str(w), "-y", str(h),
                "-left", "0", "-top", "0", "-noborder", url]
    # mpv's own "cycle video" (_) passes through "no video" after the last
    # track; this binding cycles the four video tracks only
    conf = os.path.join(tempfile.gettempdir(), "zap-mpv-input.conf")
    with open(conf, "w") as f:
        f.write('c cycle-values vid "1" "2" "3" "4"\n')
    return ["mpv", "--no-config", "--really-quiet", f"--geometry={w}x{h}+0+0", "--no-border",
            f"--input-conf={conf}", "--vid=1", url]


NEXT_KEY = {"studycast": "Prior", "ffplay": "c", "mpv": "c"}


def run_once(name, studycast, ts, switches, gap):
    """One player's run on an X server of its own (a server that dies ends
    only this run)."""
    display = ":%d" % (400 + os.getpid() % 100)  # clear of xvfb-run -a (:99 up)
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{SIZE[0]}x{SIZE[1]}x24",
                             "-nolisten", "tcp"], stderr=subprocess.DEVNULL)
    time.sleep(1)
    try:
        return switch_times(name, studycast, ts, display, switches, gap)
    except subprocess.CalledProcessError as e:
        print(f"{name}: run ended: {e}", file=sys.stderr)
        return []
    finally:
        xvfb.terminate()
        xvfb.wait()


def switch_times(name, studycast, ts, display, switches, gap):
    port = 20000 + os.getpid() % 20000
    env = dict(os.environ, DISPLAY=display, SDL_AUDIODRIVER="dummy")
    player = subprocess.Popen(player_cmd(name, studycast, port), env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.7)
    sender = Sender(ts, port)
    sender.start()
    times = []
    try:
        _, current = wait_for(display, None, 10)
        if current is None:
            print(f"{name}: no picture", file=sys.stderr)
            return times
        subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", ".",
                        "windowfocus"], env=env, capture_output=True, timeout=5)
        for _ in range(switches):
            time.sleep(gap)
            pressed = time.monotonic()
            subprocess.run(["xdotool", "key", NEXT_KEY[name]], env=env, check=True)
            shown, target = wait_for(display, current, 6)
            if shown is None:
                print(f"{name}: {current + 1} -> ?: no new picture in 6 s (centre "
                      f"{centre_pixel(display)})", file=sys.stderr)
                continue
            ms = (shown - pressed) * 1000
            times.append((current + 1, target + 1, ms))
            print(f"{name}: {current + 1} -> {target + 1}: {ms:.0f} ms", flush=True)
            current = target
    finally:
        sender.stop.set()
        player.terminate()
        try:
            player.wait(5)
        except subprocess.TimeoutExpired:
            player.kill()
    return times


def p95(values):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("studycast")
    ap.add_argument("mux_tables")
    ap.add_argument("--switches", type=int, default=8)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--gap", type=float, default=2.0)
    ap.add_argument("--players", default="studycast,ffplay,mpv")
    ap.add_argument("--keep")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="zap-")
    os.makedirs(work, exist_ok=True)
    ts = os.path.join(work, "colour-mux.ts")
    seconds = 2 + a.switches * (a.gap + 1.5)
    if not os.path.exists(ts):
        make_multiplex(ts, seconds, a.mux_tables)
    results = {}
    try:
        for r in range(a.runs):  # players alternate within each round
            for name in a.players.split(","):
                results.setdefault(name, []).extend(
                    run_once(name, a.studycast, ts, a.switches, a.gap))
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(f"\nload average at the end: {load}")
    print("| player | switches | median | p95 | min | max |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, t in results.items():
        ms = [x[2] for x in t]
        if not ms:
            print(f"| {name} | 0 | | | | |")
            continue
        print(f"| {name} | {len(ms)} | {statistics.median(ms):.0f} ms | {p95(ms):.0f} ms "
              f"| {min(ms):.0f} ms | {max(ms):.0f} ms |")
    for name, t in results.items():
        per = {}
        for frm, to, ms in t:
            per.setdefault(to, []).append(ms)
        print(name + " per target service (median): " +
              ", ".join(f"{k}: {statistics.median(v):.0f} ms" for k, v in sorted(per.items())))


if __name__ == "__main__":
    main()
