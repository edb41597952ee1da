#!/usr/bin/env python3
"""Starts `studycast play` on udp://127.0.0.1:PORT and sends it a transport
stream file over real UDP at the stream's mux rate, with pauses: the sender
goes silent for GAP seconds at each of the given offsets (seconds of sending),
then carries on where it stopped. Prints one JSON line: the monotonic times,
relative to the player's spawn (its process start), at which each gap began
and ended, and the player's exit status.

usage: udp_sender.py PORT TS_FILE MUXRATE_BPS GAP_S OFFSETS(comma) -- PLAYER ARGS...
"""
import json
import os
import socket
import subprocess
import sys
import time

PACKETS_PER_DATAGRAM = 7


def main():
    sep = sys.argv.index("--")
    port, path, muxrate, gap = sys.argv[1:5]
    offsets = [float(x) for x in sys.argv[5].split(",") if x]
    player_cmd = sys.argv[sep + 1:]
    data = open(path, "rb").read()
    datagram = 188 * PACKETS_PER_DATAGRAM
    interval = datagram * 8 / float(muxrate)
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    spawned = time.monotonic()
    player = subprocess.Popen(player_cmd, env=env)
    time.sleep(0.5)  # the player binds its socket
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    gaps = []
    pos = 0
    start = time.monotonic()
    next_send = start
    sent_time = 0.0  # seconds of sending, gaps excluded
    pending = list(offsets)
    while pos < len(data) and player.poll() is None:
        if pending and sent_time >= pending[0]:
            pending.pop(0)
            began = time.monotonic()
            time.sleep(float(gap))
            ended = time.monotonic()
            gaps.append({"start": began - spawned, "end": ended - spawned})
            next_send = ended
        sock.sendto(data[pos:pos + datagram], ("127.0.0.1", int(port)))
        pos += datagram
        sent_time += interval
        next_send += interval
        delay = next_send - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    finished = time.monotonic() - spawned
    status = player.wait(timeout=60)
    print(json.dumps({"gaps": gaps, "sent_until": finished, "status": status}))


if __name__ == "__main__":
    main()
