#!/usr/bin/env python3
"""Sends a constant-rate transport stream read from standard input (ffmpeg
-muxrate into a pipe) over UDP to 127.0.0.1:PORT, 7 packets a datagram, with
the sender's clock running FAST times real time (1.003: 0.3 % fast), as a
head-end whose clock drifts. Every OUTAGE_EVERY seconds the signal is lost for
OUTAGE_LEN seconds: the stream goes on (it is read and paced) but nothing
reaches the receiver, as when the dish loses the satellite. Stops after
DURATION seconds. Each outage is logged as "outage FROM TO" (seconds since
the start, CLOCK_MONOTONIC) on standard error. A negative OUTAGE_EVERY makes
one outage only, at -OUTAGE_EVERY seconds.

usage: udp_pacer.py PORT MUXRATE_BPS FAST DURATION OUTAGE_EVERY OUTAGE_LEN
"""
import socket
import sys
import time

DATAGRAM = 188 * 7


def read_datagram(stream):
    data = stream.read(DATAGRAM)
    return data if data and len(data) == DATAGRAM else None


def main():
    port, muxrate, fast = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    duration, every, length = (float(a) for a in sys.argv[4:7])
    once = every < 0
    every = abs(every)
    interval = DATAGRAM * 8 / (muxrate * fast)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    stream = sys.stdin.buffer
    start = time.monotonic()
    next_send = start
    in_outage = False
    while True:
        now = time.monotonic() - start
        if now >= duration:
            break
        data = read_datagram(stream)
        if data is None:
            break
        phase = now % every if every > 0 else every
        lost = every > 0 and now >= every and phase < length and (not once or now < 2 * every)
        if lost and not in_outage:
            sys.stderr.write("outage %.3f" % now)
        if in_outage and not lost:
            sys.stderr.write(" %.3f\n" % now)
            sys.stderr.flush()
        in_outage = lost
        if not lost:
            try:
                sock.sendto(data, ("127.0.0.1", port))
            except ConnectionRefusedError:
                pass  # nobody listening (yet, or any more): UDP goes on
        next_send += interval
        delay = next_send - time.monotonic()
        if delay > 0.002:  # sleep in steps of a few datagrams: less CPU
            time.sleep(delay)
    if in_outage:
        sys.stderr.write(" %.3f\n" % (time.monotonic() - start))


if __name__ == "__main__":
    try:
        main()
    except (KeyboardInterrupt, BrokenPipeError):
        pass
