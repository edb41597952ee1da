#!/usr/bin/env python3
"""A fast control-socket client for the kiosk tests (the kiosk's JSON-lines
protocol, as `studycast ctl` speaks it), so that a sanitizer build's slow
process start does not slow every step down.
  ctl.py SOCK status [FIELD]   the status object, or one member of it
                               (menu.page: a member of a member)
  ctl.py SOCK press A [B ...]  presses, in order, on one connection
  ctl.py SOCK key K [L ...]    keys by name (KEY_OK, Return), likewise
Exit status 1 when the kiosk refuses or does not answer."""
import json
import socket
import sys


def request(conn, reader, body, request_id):
    body["request_id"] = request_id
    conn.sendall((json.dumps(body) + "\n").encode())
    while True:
        line = reader.readline()
        if not line:
            raise SystemExit("no answer")
        msg = json.loads(line)
        if msg.get("request_id") == request_id:  # events have none
            return msg


def main():
    path, command, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(10)
    conn.connect(path)
    reader = conn.makefile("r", encoding="utf-8")
    if command == "status":
        msg = request(conn, reader, {"command": "status"}, 1)
        if "error" in msg:  # present only when the request failed
            raise SystemExit(msg["error"])
        if args:
            v = msg
            for key in args[0].split("."):
                v = v.get(key) if isinstance(v, dict) else None
            if isinstance(v, (list, dict)) or v is None:
                print(json.dumps(v, ensure_ascii=False))
            elif isinstance(v, bool):
                print(str(v).lower())
            else:
                print(v)
        else:
            print(json.dumps(msg, ensure_ascii=False))
    elif command == "press":
        for i, action in enumerate(args):
            msg = request(conn, reader, {"command": "press", "action": action}, i + 1)
            if "error" in msg:
                raise SystemExit("press %s: %s" % (action, msg["error"]))
    elif command == "key":
        for i, name in enumerate(args):
            msg = request(conn, reader, {"command": "key", "name": name}, i + 1)
            if "error" in msg:
                raise SystemExit("key %s: %s" % (name, msg["error"]))
    else:
        raise SystemExit("unknown command " + command)


main()
