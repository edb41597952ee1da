#!/usr/bin/env python3
"""The house rules a newcomer relies on, checked on every build:
no folder holds more than 20% of the product's C lines, no two C files share
a basename, no product function is longer than 80 lines, no struct has more
than 35 members, and every project include is written from the repository
root ("demux/demux.h"). Usage: check_structure.py REPO_ROOT"""
import os
import re
import sys
from collections import Counter, defaultdict

PRODUCT = ("base", "demux", "player", "ui", "kiosk")
MAX_FOLDER_SHARE = 0.20
MAX_FUNCTION_LINES = 80
MAX_STRUCT_MEMBERS = 35


def c_files(root, tops):
    for top in tops:
        for folder, dirs, files in os.walk(os.path.join(root, top)):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "build")))
            for name in sorted(files):
                if name.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(folder, name), root)


def read(root, path):
    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
        return f.read()


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(\\.|[^"\\\n])*"', '""', text)


def folder_shares(root, product):
    lines = Counter()
    for path in product:
        lines[os.path.dirname(path)] += read(root, path).count("\n")
    total = sum(lines.values())
    return [f"{folder}/ holds {n * 100 / total:.1f}% of the product's C lines (at most "
            f"{MAX_FOLDER_SHARE * 100:.0f}%)"
            for folder, n in sorted(lines.items()) if n > MAX_FOLDER_SHARE * total]


def shared_basenames(everything):
    seen = defaultdict(list)
    for path in everything:
        if path.endswith(".c"):
            seen[os.path.basename(path)].append(path)
    return [f"{name} is used by {', '.join(paths)}" for name, paths in sorted(seen.items())
            if len(paths) > 1]


def long_functions(root, product):
    # clang-format (BreakBeforeBraces: Linux) puts a function's braces alone in column 0
    problems = []
    for path in product:
        if not path.endswith(".c"):
            continue
        lines = read(root, path).split("\n")
        start = None
        for i, line in enumerate(lines):
            if line == "{":
                start = i
            elif line == "}" and start is not None:
                length = i - start - 1
                if length > MAX_FUNCTION_LINES:
                    problems.append(f"{path}:{start}: {lines[start - 1].strip()} is {length} "
                                    f"lines long (at most {MAX_FUNCTION_LINES})")
                start = None
    return problems


def count_members(body):
    depth, count, current = 0, 0, ""
    for ch in body:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == ";" and depth == 0:
            declarators = re.sub(r"\([^()]*\)", "", current)  # function pointer arguments
            declarators = re.sub(r"\[[^\]]*\]", "", declarators)
            count += declarators.count(",") + 1 if declarators.strip() else 0
            current = ""
            continue
        if depth == 0:
            current += ch
    return count


def big_structs(root, everything):
    problems = []
    for path in everything:
        text = strip_comments(read(root, path))
        for m in re.finditer(r"\bstruct\s+(\w+)\s*\{", text):
            depth, i = 1, m.end()
            while i < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
            members = count_members(text[m.end():i - 1])
            if members > MAX_STRUCT_MEMBERS:
                problems.append(f"{path}: struct {m.group(1)} has {members} members (at most "
                                f"{MAX_STRUCT_MEMBERS})")
    return problems


def relative_includes(root, everything):
    problems = []
    for path in everything:
        for n, line in enumerate(read(root, path).split("\n"), 1):
            m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
            if m and not os.path.isfile(os.path.join(root, m.group(1))):
                problems.append(f'{path}:{n}: #include "{m.group(1)}" is not written from the '
                                f"repository root")
    return problems


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    product = list(c_files(root, PRODUCT))
    everything = product + list(c_files(root, ("tests",)))
    if len(product) < 50:
        print(f"check_structure: only {len(product)} product files under {root}: wrong root?")
        return 1
    problems = (folder_shares(root, product) + shared_basenames(everything) +
                long_functions(root, product) + big_structs(root, everything) +
                relative_includes(root, everything))
    for p in problems:
        print(p)
    print(f"check_structure: {len(product)} product files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
