#!/usr/bin/env python3
"""Makes an ffmpeg-made multiplex look like a broadcaster's, as a receiver
tuning in mid-stream sees it: cut at SKIP_S seconds (mid-GOP), the PAT every
PAT_MS, each PMT every PMT_MS at its own phase (late in the period, so each
service's first keyframe comes before its first PMT, as it does for about
half of the services of a real multiplex), and a private PID (a data
carousel) in part of the padding. Dropped table packets become null packets
so the rate stays; the continuity counters of the kept ones are renumbered.
The input must carry its tables often (ffmpeg -pat_period 0.02).

usage: mux_tables.py IN OUT MUXRATE_BPS PAT_MS PMT_MS SKIP_S"""
import sys

PRIVATE_PID = 0x1F00


def main():
    src, dst, rate, pat_ms, pmt_ms, skip = sys.argv[1:7]
    pps = float(rate) / (188 * 8)
    data = open(src, "rb").read()
    n = len(data) // 188
    pmts = []
    for i in range(n):  # the PMT PIDs, from the first PAT
        p = data[i * 188:(i + 1) * 188]
        if (p[1] & 0x1F) << 8 | p[2] == 0 and p[1] & 0x40:
            s = p[5 + p[4]:]
            length = (s[1] & 0x0F) << 8 | s[2]
            for k in range(8, 3 + length - 4, 4):
                if s[k] << 8 | s[k + 1]:
                    pmts.append((s[k + 2] & 0x1F) << 8 | s[k + 3])
            break
    pmts.sort()
    period = {0: float(pat_ms)}
    phase = {0: 0.0}
    for k, pid in enumerate(pmts):
        period[pid] = float(pmt_ms)
        phase[pid] = float(pmt_ms) * (0.84 + 0.15 * k / max(1, len(pmts)))
    out = bytearray()
    cc = {}
    sent = set()
    first = int(float(skip) * pps)
    nulls = 0
    for i in range(first, n):
        p = data[i * 188:(i + 1) * 188]
        pid = (p[1] & 0x1F) << 8 | p[2]
        t = (i - first) / pps * 1000.0
        if pid == 0x1FFF:
            nulls += 1
            if nulls % 16 == 0:  # a private PID (a data carousel) in part of the padding
                c = cc[PRIVATE_PID] = (cc.get(PRIVATE_PID, -1) + 1) & 15
                p = bytes([0x47, 0x40 | PRIVATE_PID >> 8, PRIVATE_PID & 0xFF, 0x10 | c]) + bytes(
                    (i + k) & 0xFF for k in range(184))
            out += p
            continue
        if pid in period:
            slot = (t - phase[pid]) // period[pid]
            if t < phase[pid] or p[1] & 0x40 == 0 or (pid, slot) in sent:
                out += b"\x47\x1f\xff\x10" + b"\xff" * 184
                continue
            sent.add((pid, slot))
            c = cc[pid] = (cc.get(pid, -1) + 1) & 15
            p = p[:3] + bytes([(p[3] & 0xF0) | c]) + p[4:]
        out += p
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main()
