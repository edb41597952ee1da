#!/usr/bin/env python3
"""Writes raw x86-64 `struct input_event` records (24 bytes: struct timeval,
u16 type, u16 code, s32 value) into a FIFO or file the kiosk reads (--input).

usage: evdev_keys.py PATH STEP...
  KEY_OK        press and release (each followed by a SYN_REPORT)
  KEY_RIGHT:1   press only; :0 release; :2 a kernel repeat
  sleep:0.1     wait
  text:80010005 the digit keys of the text, pressed and released, then Enter
  run:CMD       runs CMD (split at spaces) and waits for it: another source of
                the same key right before or after (xdotool key Right)
"""
import os
import struct
import subprocess
import sys
import time

CODES = {"KEY_ENTER": 28, "KEY_UP": 103, "KEY_LEFT": 105, "KEY_RIGHT": 106,
         "KEY_DOWN": 108, "KEY_MENU": 139, "KEY_BACK": 158, "KEY_EXIT": 174,
         "KEY_OK": 0x160, "KEY_INFO": 0x166, "KEY_CHANNELUP": 0x192,
         "KEY_CHANNELDOWN": 0x193, "KEY_RED": 0x18e, "KEY_GREEN": 0x18f,
         "KEY_YELLOW": 0x190, "KEY_BLUE": 0x191}
for d in range(10):
    CODES["KEY_%d" % d] = 11 if d == 0 else d + 1
    CODES["KEY_NUMERIC_%d" % d] = 0x200 + d
EV_SYN, EV_KEY = 0, 1


def record(fd, code, value):
    now = time.time()
    sec, usec = int(now), int((now % 1) * 1e6)
    os.write(fd, struct.pack("llHHi", sec, usec, EV_KEY, code, value) +
             struct.pack("llHHi", sec, usec, EV_SYN, 0, 0))


def main():
    fd = os.open(sys.argv[1], os.O_WRONLY)
    for step in sys.argv[2:]:
        name, _, arg = step.partition(":")
        if name == "run":
            subprocess.run(arg.split(), check=True)
        elif name == "sleep":
            time.sleep(float(arg))
        elif name == "text":
            for ch in arg:
                record(fd, CODES["KEY_" + ch], 1)
                record(fd, CODES["KEY_" + ch], 0)
            record(fd, CODES["KEY_ENTER"], 1)
            record(fd, CODES["KEY_ENTER"], 0)
        elif arg:
            record(fd, CODES[name], int(arg))
        else:
            record(fd, CODES[name], 1)
            record(fd, CODES[name], 0)
    os.close(fd)


if __name__ == "__main__":
    main()
