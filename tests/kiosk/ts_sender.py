#!/usr/bin/env python3
"""Sends a constant-rate transport stream file (ffmpeg -muxrate) over real UDP
to 127.0.0.1:PORT at that rate, 7 packets a datagram, as a head-end or the
telecom's multicast does, with every PID as it is in the file (all programs
and their SI, which an ffmpeg remux would not keep). Ends at the file's end.

usage: ts_sender.py PORT TS_FILE MUXRATE_BPS
"""
import socket
import sys
import time

DATAGRAM = 188 * 7


def main():
    port, path, muxrate = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    data = open(path, "rb").read()
    interval = DATAGRAM * 8 / muxrate
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    next_send = time.monotonic()
    for pos in range(0, len(data), DATAGRAM):
        sock.sendto(data[pos:pos + DATAGRAM], ("127.0.0.1", port))
        next_send += interval
        delay = next_send - time.monotonic()
        if delay > 0:
            time.sleep(delay)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
