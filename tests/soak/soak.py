#!/usr/bin/env python3
"""A long live course, measured (not in CI; docs/performance.md has figures).

Plays a live 1080p25 H.264 + AAC course over real UDP on 127.0.0.1 with
`studycast play udp://... --session TITLE --members 001,002`, the sender's
clock 0.3 % fast (udp_pacer.py) and a 10 s outage every 15 minutes. Every
minute it samples the player's RSS (/proc/PID/status), CPU time
(/proc/PID/stat), the load average and the player's --stats snapshot
(--stats-every). Per 15-minute window it appends a row (as it goes) to
OUT/summary.md: RSS, CPU per second of playback, dropped pictures, A/V
offset p99 over the window (from the histogram the snapshots carry) and the
load average. At the end it compares the credited minutes of
`studycast record report --json` with the expected: the playing time minus
the outages, to the heartbeat (10 s).

usage: soak.py STUDYCAST OUT_DIR [--duration 7200] [--window 900]
               [--outage-every 900] [--outage-len 10] [--fast 1.003]
Writes OUT/soak.log, OUT/samples.csv, OUT/stats.json, OUT/summary.md.
Exit 0 when every target held, 1 if not, 2 on a setup failure.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CLIP_SECONDS = 32  # 800 pictures = 1500 AAC frames: the loop stays continuous
MUXRATE = 6000000
HEARTBEAT_S = 10


def log(out, text):
    line = time.strftime("%H:%M:%S ") + text
    print(line, flush=True)
    with open(os.path.join(out, "soak.log"), "a") as f:
        f.write(line + "\n")


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def make_clip(out):
    clip = os.path.join(out, "clip-1080p25.ts")
    if os.path.exists(clip):
        return clip
    cmd = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y",
           "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25",
           "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
           "-t", str(CLIP_SECONDS), "-c:v", "libx264", "-preset", "veryfast",
           "-b:v", "4M", "-maxrate", "4M", "-bufsize", "4M", "-g", "50",
           "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-ac", "2",
           "-f", "mpegts", clip + ".part"]
    subprocess.run(cmd, check=True)
    os.rename(clip + ".part", clip)
    return clip


def setup_record(studycast, data):
    os.makedirs(data, exist_ok=True)
    roster = os.path.join(data, "..", "roster.csv")
    with open(roster, "w") as f:
        f.write("number,name,category,card\n001,Soak One,villager,\n002,Soak Two,cadre,\n")
    subprocess.run([studycast, "members", "import", roster, "--data-dir", data],
                   check=True, stdout=subprocess.DEVNULL)


def proc_sample(pid):
    rss_kib = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss_kib = int(line.split()[1])
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return rss_kib, cpu


def read_stats(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def bins_of(stats):
    if not stats or "av_offset_bins" not in stats:
        return {}
    return {int(i): int(c) for i, c in stats["av_offset_bins"]["counts"]}


def p99_between(first, last, bin_ms):
    """p99 of the offsets recorded between two snapshots (upper bin edge)."""
    diff = {i: last.get(i, 0) - first.get(i, 0) for i in last}
    total = sum(c for c in diff.values() if c > 0)
    if total == 0:
        return None
    wanted, seen = 0.99 * total, 0
    for i in sorted(diff):
        seen += max(diff[i], 0)
        if seen >= wanted:
            return (i + 1) * bin_ms
    return None


def dropped(stats):
    return stats["frames_dropped_early"] + stats["frames_dropped_late"] if stats else 0


class Windows:
    """Per-window rows of summary.md, appended as each window ends."""

    def __init__(self, out, args):
        self.out, self.args = out, args
        self.path = os.path.join(out, "summary.md")
        self.rows = []
        with open(self.path, "w") as f:
            f.write("Soak %s: %d s live UDP 1080p25 H.264+AAC, sender clock %.1f %% fast, "
                    "%d s outage every %d s (started %s UTC)\n\n"
                    % (time.strftime("%Y-%m-%d"), args.duration, (args.fast - 1) * 100,
                       args.outage_len, args.outage_every,
                       time.strftime("%H:%M", time.gmtime())))
            f.write("| window | RSS end MiB | CPU s per s | pictures | dropped | A/V p99 ms "
                    "| load avg (1 min) |\n|---|---|---|---|---|---|---|\n")

    def add(self, label, first, last):
        """first/last: (t, rss_kib, cpu, stats, load) samples."""
        span = last[0] - first[0]
        s0, s1 = first[3], last[3]
        pics = (s1["frames_presented"] - s0["frames_presented"]) if s0 and s1 else 0
        drops = dropped(s1) - dropped(s0)
        bin_ms = s1["av_offset_bins"]["bin_ms"] if s1 and "av_offset_bins" in s1 else 0.1
        p99 = p99_between(bins_of(s0), bins_of(s1), bin_ms)
        cpu = (last[2] - first[2]) / span if span > 0 else 0
        loads = [x[4] for x in self.samples_between(first[0], last[0])]
        load = sum(loads) / len(loads) if loads else last[4]
        row = dict(label=label, rss_mib=last[1] / 1024, cpu=cpu, pictures=pics,
                   drops=drops, p99=p99, load=load)
        self.rows.append(row)
        with open(self.path, "a") as f:
            f.write("| %s | %.1f | %.3f | %d | %d | %s | %.2f |\n"
                    % (label, row["rss_mib"], cpu, pics, drops,
                       "%.1f" % p99 if p99 is not None else "-", load))
        return row

    samples = []

    def samples_between(self, t0, t1):
        return [s for s in self.samples if t0 < s[0] <= t1]


def start_course(args, out, data, clip, port):
    stats = os.path.join(out, "stats.json")
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    player = subprocess.Popen(
        [args.studycast, "play", "udp://127.0.0.1:%d" % port, "--window", "640x360",
         "--duration", str(args.duration), "--session", "Soak course", "--members", "001,002",
         "--data-dir", data, "--stats", stats, "--stats-every", str(args.sample)],
        env=env, stdout=open(os.path.join(out, "player.out"), "w"),
        stderr=open(os.path.join(out, "player.err"), "w"))
    time.sleep(1.0)
    muxer = subprocess.Popen(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-stream_loop", "-1", "-i", clip,
         "-c", "copy", "-f", "mpegts", "-muxrate", str(MUXRATE), "pipe:1"],
        stdout=subprocess.PIPE, stderr=open(os.path.join(out, "muxer.err"), "w"))
    pacer = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "udp_pacer.py"), str(port), str(MUXRATE),
         str(args.fast), str(args.duration + 5), str(args.outage_every), str(args.outage_len)],
        stdin=muxer.stdout, stderr=open(os.path.join(out, "outages.txt"), "w"))
    muxer.stdout.close()
    return player, muxer, pacer, stats


def sample_loop(args, out, player, stats_path, windows):
    samples_csv = open(os.path.join(out, "samples.csv"), "w")
    samples_csv.write("t_s,rss_kib,cpu_s,load1,presented,dropped,av_p99_cum_ms,seconds_played\n")
    start = time.monotonic()
    first = None
    window_start = None
    n_window = 0
    while player.poll() is None:
        time.sleep(min(args.sample, 5) if first is None else args.sample)
        if player.poll() is not None:
            break
        t = time.monotonic() - start
        try:
            rss, cpu = proc_sample(player.pid)
        except OSError:
            break
        st = read_stats(stats_path)
        load = os.getloadavg()[0]
        sample = (t, rss, cpu, st, load)
        windows.samples.append(sample)
        samples_csv.write("%.0f,%d,%.2f,%.2f,%s,%d,%s,%s\n" % (
            t, rss, cpu, load, st["frames_presented"] if st else "", dropped(st),
            st["av_offset_ms"]["p99"] if st else "", st["seconds_played"] if st else ""))
        samples_csv.flush()
        if st is None:
            continue
        if first is None:
            first = window_start = sample
            log(out, "first sample: RSS %.1f MiB" % (rss / 1024))
            continue
        if t - window_start[0] >= args.window - args.sample / 2:
            n_window += 1
            row = windows.add("%d-%d min" % (round(window_start[0] / 60), round(t / 60)),
                              window_start, sample)
            log(out, "window %d: %s" % (n_window, row))
            window_start = sample
    return first, window_start, windows.samples[-1] if windows.samples else None


OUTAGE_DECLARED_S = 2  # the player declares an outage after 2 s without data


def outages(out):
    """(start, end or None) of each outage the sender made, in seconds."""
    found = []
    with open(os.path.join(out, "outages.txt")) as f:
        for line in f:
            parts = line.split()
            if parts and parts[0] == "outage" and len(parts) in (2, 3):
                found.append((float(parts[1]), float(parts[2]) if len(parts) == 3 else None))
    return found


def outages_sent(out, end_s):
    """Seconds without data before end_s (the sender runs a little longer)."""
    return sum(max(min(end if end is not None else end_s, end_s) - start, 0)
               for start, end in outages(out))


def outages_count(out, end_s):
    """Outages the player can have declared before it stopped at end_s."""
    return sum(1 for start, _ in outages(out) if start + OUTAGE_DECLARED_S < end_s)


def credit(args, out, data, playing_s):
    month = time.strftime("%Y-%m", time.gmtime(time.time() + 8 * 3600))
    rep = subprocess.run([args.studycast, "record", "report", "--month", month, "--json",
                          "--data-dir", data], capture_output=True, text=True)
    with open(os.path.join(out, "report.json"), "w") as f:
        f.write(rep.stdout + rep.stderr)
    sessions = json.loads(rep.stdout)["sessions"]
    s = sessions[-1]
    lost = outages_sent(out, args.duration - 1)
    expected = playing_s - lost
    seconds = {a["member"]: a["seconds"] for a in s["attendance"]}
    return s, seconds, expected, lost


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("studycast")
    ap.add_argument("out")
    ap.add_argument("--duration", type=int, default=7200)
    ap.add_argument("--window", type=int, default=900)
    ap.add_argument("--sample", type=int, default=60)
    ap.add_argument("--outage-every", type=int, default=900)
    ap.add_argument("--outage-len", type=int, default=10)
    ap.add_argument("--fast", type=float, default=1.003)
    args = ap.parse_args()
    args.studycast = os.path.abspath(args.studycast)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    data = os.path.join(out, "data")
    if os.path.exists(os.path.join(data, "record.sqlite")):
        print("soak: %s already holds a record; use a new OUT_DIR" % data, file=sys.stderr)
        return 2
    log(out, "soak: %s, %d s, pid %d" % (args.studycast, args.duration, os.getpid()))
    clip = make_clip(out)
    setup_record(args.studycast, data)
    port = free_port()
    player, muxer, pacer, stats_path = start_course(args, out, data, clip, port)
    windows = Windows(out, args)
    try:
        first, window_start, last = sample_loop(args, out, player, stats_path, windows)
    finally:
        for p in (pacer, muxer):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        player.wait()
        pacer.wait()
        muxer.wait()
    final = read_stats(stats_path)
    log(out, "player exit %d; stats %s" % (player.returncode,
        {k: final.get(k) for k in ("frames_presented", "frames_dropped_early",
                                   "frames_dropped_late", "av_offset_ms", "outages",
                                   "seconds_played")} if final else None))
    if last and window_start and last[0] - window_start[0] > args.sample / 2:
        windows.add("%d-%d min (last)" % (round(window_start[0] / 60), round(last[0] / 60)),
                    window_start, (last[0], last[1], last[2], final, last[4]))
    try:
        s, seconds, expected, lost = credit(args, out, data, s_played_wall(final))
    except (OSError, ValueError, KeyError, IndexError) as e:
        log(out, "no report: %s (see report.json)" % e)
        s, seconds, lost = {"played_seconds": 0}, {}, outages_sent(out, args.duration - 1)
        expected = s_played_wall(final) - lost
    return finish(args, out, windows, first, last, final, s, seconds, expected, lost,
                  player.returncode)


def s_played_wall(final):
    return final["seconds_played"] if final else 0.0


def finish(args, out, windows, first, last, final, s, seconds, expected, lost, status):
    rss0 = first[1] / 1024 if first else 0
    rss1 = last[1] / 1024 if last else 0
    cpu = last[2] / final["seconds_played"] if last and final and final["seconds_played"] else 0
    drops = dropped(final)
    worst = max((r["p99"] or 0) for r in windows.rows) if windows.rows else None
    lines = [
        "",
        "| figure | measured | target |",
        "|---|---|---|",
        "| RSS at first sample / end | %.1f / %.1f MiB (growth %+.1f MiB) | growth <= 5 MiB |"
        % (rss0, rss1, rss1 - rss0),
        "| dropped pictures (whole run) | %d of %d presented | 0 |"
        % (drops, final["frames_presented"] if final else 0),
        "| A/V p99, worst window | %s ms (whole run %.1f ms) | <= 20 ms every window |"
        % ("%.1f" % worst if worst is not None else "-",
           final["av_offset_ms"]["p99"] if final else 0),
        "| CPU per second of playback | %.3f s | - |" % cpu,
        "| played (player) / outages sent | %.0f s / %.0f s | - |"
        % (final["seconds_played"] if final else 0, lost),
        "| session played_seconds (record) | %d s | - |" % s["played_seconds"],
        "| credited 001 / 002 | %s | expected %.0f s +- %d s |"
        % (" / ".join("%d s (%.1f min)" % (seconds.get(m, 0), seconds.get(m, 0) / 60)
                      for m in ("001", "002")), expected, HEARTBEAT_S),
        "| outages recorded by the player | %s | %d |"
        % (len(final.get("outages") or []) if final else "-", outages_count(out, args.duration)),
        "| player exit status | %d | 0 |" % status,
        "",
    ]
    with open(os.path.join(out, "summary.md"), "a") as f:
        f.write("\n".join(lines))
    log(out, "summary: %s" % os.path.join(out, "summary.md"))
    ok = (rss1 - rss0 <= 5 and drops == 0 and worst is not None and worst <= 20
          and all(abs(seconds.get(m, 0) - expected) <= HEARTBEAT_S for m in ("001", "002"))
          and status == 0)
    print(open(os.path.join(out, "summary.md")).read())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
