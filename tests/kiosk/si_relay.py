#!/usr/bin/env python3
"""A broadcaster's service information on a live test stream: relays the
transport stream an ffmpeg sender writes to udp://127.0.0.1:IN_PORT on to
udp://127.0.0.1:OUT_PORT, drops ffmpeg's own SDT (PID 0x11) and every half
second adds, as a head-end does (EN 300 468):
  SDT actual  service names and providers (UTF-8, selector 0x15)
  EIT p/f     the present and following event of each service, taken from
              the --event list at the broadcast time now (version bumped
              when they change)
  TDT + TOT   the broadcast time: the system clock + --clock-offset seconds
              (TOT with a local_time_offset_descriptor for CHN, +08:00)
Runs until killed (SIGTERM).

usage: si_relay.py IN_PORT OUT_PORT [--clock-offset S] [--tsid N]
         [--service ID:NAME:PROVIDER]... [--event ID:START_UNIX:SECONDS:TITLE]...
"""
import argparse
import select
import socket
import time

TS = 188
SDT_PID, EIT_PID, TDT_PID = 0x11, 0x12, 0x14
ONID = 0xFF01


def crc32_mpeg(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else (crc << 1) & 0xFFFFFFFF
    return crc


def bcd(n):
    return (n // 10) << 4 | n % 10


def mjd_utc(t):
    t = int(t)
    mjd = t // 86400 + 40587
    s = t % 86400
    return bytes([mjd >> 8, mjd & 0xFF, bcd(s // 3600), bcd(s // 60 % 60), bcd(s % 60)])


def bcd_duration(seconds):
    return bytes([bcd(seconds // 3600), bcd(seconds // 60 % 60), bcd(seconds % 60)])


def dvb_text(text):
    return b"\x15" + text.encode("utf-8")


def long_section(table_id, extension, version, number, last, body):
    """A section with the syntax indicator: header, body and CRC."""
    length = 5 + len(body) + 4
    head = bytes([table_id, 0xF0 | length >> 8, length & 0xFF, extension >> 8, extension & 0xFF,
                  0xC1 | (version & 31) << 1, number, last])
    data = head + body
    return data + crc32_mpeg(data).to_bytes(4, "big")


def sdt(tsid, services):
    body = bytes([ONID >> 8, ONID & 0xFF, 0xFF])
    for sid, name, provider in services:
        p, n = dvb_text(provider), dvb_text(name)
        desc = bytes([0x48, 3 + len(p) + len(n), 0x01, len(p)]) + p + bytes([len(n)]) + n
        loop = 4 << 13 | len(desc)  # running, free to air
        body += bytes([sid >> 8, sid & 0xFF, 0xFD, loop >> 8, loop & 0xFF]) + desc
    return long_section(0x42, tsid, 0, 0, 0, body)


def eit_pf(tsid, sid, number, event, version):
    body = bytes([tsid >> 8, tsid & 0xFF, ONID >> 8, ONID & 0xFF, 1, 0x4E])
    if event:
        eid, start, seconds, title = event
        name = dvb_text(title)
        desc = bytes([0x4D, 5 + len(name)]) + b"chi" + bytes([len(name)]) + name + b"\x00"
        loop = (4 if number == 0 else 1) << 13 | len(desc)
        body += bytes([eid >> 8, eid & 0xFF]) + mjd_utc(start) + bcd_duration(seconds)
        body += bytes([loop >> 8, loop & 0xFF]) + desc
    return long_section(0x4E, sid, version, number, 1, body)


def tdt(now):
    return bytes([0x70, 0x70, 5]) + mjd_utc(now)


def tot(now):
    # CHN, region 0, polarity + ; +08:00, no change planned
    lto = b"CHN" + bytes([0x02, 0x08, 0x00]) + mjd_utc(now + 86400 * 365) + bytes([0x08, 0x00])
    desc = bytes([0x58, len(lto)]) + lto
    length = 5 + 2 + len(desc) + 4
    data = bytes([0x73, 0x70 | length >> 8, length & 0xFF]) + mjd_utc(now)
    data += bytes([0xF0 | len(desc) >> 8, len(desc) & 0xFF]) + desc
    return data + crc32_mpeg(data).to_bytes(4, "big")


class Packetizer:
    def __init__(self):
        self.cc = {}

    def packets(self, pid, section):
        out, pos, first = b"", 0, True
        while first or pos < len(section):
            cc = self.cc.get(pid, 0)
            self.cc[pid] = (cc + 1) & 15
            head = bytes([0x47, (0x40 if first else 0) | pid >> 8, pid & 0xFF, 0x10 | cc])
            payload = (b"\x00" if first else b"") + section[pos:pos + TS - 4 - (1 if first else 0)]
            pos += len(payload) - (1 if first else 0)
            out += head + payload + b"\xFF" * (TS - 4 - len(payload))
            first = False
        return out


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("in_port", type=int)
    ap.add_argument("out_port", type=int)
    ap.add_argument("--clock-offset", type=float, default=0.0)
    ap.add_argument("--tsid", type=int, default=1)
    ap.add_argument("--service", action="append", default=[])
    ap.add_argument("--event", action="append", default=[])
    return ap.parse_args()


def main():
    args = parse_args()
    services = []
    for s in args.service:
        sid, name, provider = s.split(":", 2)
        services.append((int(sid), name, provider))
    events = {}
    for i, e in enumerate(args.event):
        sid, start, seconds, title = e.split(":", 3)
        events.setdefault(int(sid), []).append((0x100 + i, int(start), int(seconds), title))
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", args.in_port))
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dest = ("127.0.0.1", args.out_port)
    pk = Packetizer()
    versions = {}
    next_si = 0.0
    while True:
        ready, _, _ = select.select([rx], [], [], 0.1)
        if ready:
            data = rx.recv(65536)
            kept = b"".join(data[i:i + TS] for i in range(0, len(data) - TS + 1, TS)
                            if ((data[i + 1] & 0x1F) << 8 | data[i + 2]) != SDT_PID)
            if kept:
                tx.sendto(kept, dest)
        if time.monotonic() < next_si:
            continue
        next_si = time.monotonic() + 0.5
        now = int(time.time() + args.clock_offset)
        si = pk.packets(SDT_PID, sdt(args.tsid, services))
        for sid, _, _ in services:
            evs = sorted(events.get(sid, []), key=lambda e: e[1])
            present = next((e for e in evs if e[1] <= now < e[1] + e[2]), None)
            following = next((e for e in evs if e[1] > now), None)
            key = (present and present[0], following and following[0])
            old = versions.get(sid)
            if old is None or old[0] != key:
                versions[sid] = (key, 0 if old is None else (old[1] + 1) & 31)
            version = versions[sid][1]
            si += pk.packets(EIT_PID, eit_pf(args.tsid, sid, 0, present, version))
            si += pk.packets(EIT_PID, eit_pf(args.tsid, sid, 1, following, version))
        si += pk.packets(TDT_PID, tdt(now)) + pk.packets(TDT_PID, tot(now))
        for i in range(0, len(si), TS * 7):
            tx.sendto(si[i:i + TS * 7], dest)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
