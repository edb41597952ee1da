#!/usr/bin/env python3
"""Stands in for systemd's notification socket: binds a Unix datagram socket
at PATH (what NOTIFY_SOCKET names) and appends every line of every message
to LOG as "MONOTONIC_SECONDS<TAB>LINE", flushed at once, until killed.
  notify_listen.py PATH LOG"""
import os
import socket
import sys
import time


def main():
    path, log = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    with open(log, "w", encoding="utf-8") as out:
        while True:
            data = sock.recv(65536)
            now = time.monotonic()
            for line in data.decode("utf-8", "replace").split("\n"):
                if line:
                    out.write("%.3f\t%s\n" % (now, line))
            out.flush()


if __name__ == "__main__":
    main()
