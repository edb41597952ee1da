#!/usr/bin/env python3
"""The remote's presses that type a text on the kiosk's on-screen keyboard
(kiosk/station/admin_keyboard.c), the way a person would: arrows to each key,
OK on it; the shift key for lower case (and for '_', the lower case of ',').
  kb_keys.py FOCUS LOWER TEXT   prints the actions, one per line
FOCUS is the focused key now (ctl status menu.focus), LOWER 'true'/'false'.
Special keys are written {shift} {space} {delete} {done} {cancel}."""
import collections
import re
import sys

COLUMNS = 10
ROWS = ["1234567890", "ABCDEFGHIJ", "KLMNOPQRST", "UVWXYZ-.,/"]
CHAR_KEYS = len(ROWS) * COLUMNS
SPECIALS = ["shift", "space", "delete", "done", "cancel"]


def move(focus, action):
    """admin_keyboard.c's move(), key for key."""
    in_specials = focus >= CHAR_KEYS
    col = (focus - CHAR_KEYS) * COLUMNS // len(SPECIALS) if in_specials else focus % COLUMNS
    row = len(ROWS) if in_specials else focus // COLUMNS
    if action in ("left", "right"):
        step = -1 if action == "left" else 1
        if in_specials:
            return CHAR_KEYS + (focus - CHAR_KEYS + step) % len(SPECIALS)
        return row * COLUMNS + (col + step) % COLUMNS
    row = (row + (-1 if action == "up" else 1)) % (len(ROWS) + 1)
    if row == len(ROWS):
        return CHAR_KEYS + col * len(SPECIALS) // COLUMNS
    return row * COLUMNS + col


def path(start, goal):
    seen = {start: []}
    queue = collections.deque([start])
    while queue:
        f = queue.popleft()
        if f == goal:
            return seen[f]
        for a in ("up", "down", "left", "right"):
            g = move(f, a)
            if g not in seen:
                seen[g] = seen[f] + [a]
                queue.append(g)
    raise SystemExit("no way to key %d" % goal)


def key_of(token):
    if token.startswith("{"):
        return CHAR_KEYS + SPECIALS.index(token[1:-1])
    c = "," if token == "_" else token.upper()
    for r, row in enumerate(ROWS):
        if c in row:
            return r * COLUMNS + row.index(c)
    raise SystemExit("no key for %r" % token)


def main():
    focus, lower, text = int(sys.argv[1]), sys.argv[2] == "true", sys.argv[3]
    out = []
    for token in re.findall(r"\{[a-z]+\}|.", text):
        if token == " ":
            token = "{space}"
        wants_lower = token.islower() or token == "_"
        layered = token.isalpha() or token in ",_"
        if not token.startswith("{") and layered and wants_lower != lower:
            out += path(focus, key_of("{shift}")) + ["ok"]
            focus, lower = key_of("{shift}"), not lower
        goal = key_of(token)
        out += path(focus, goal) + ["ok"]
        focus = goal
        if token == "{shift}":
            lower = not lower
    print("\n".join(out))


main()
