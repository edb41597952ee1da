#!/usr/bin/python3
"""Checks a studycast export against the report of the same data, with tools
independent of studycast's own code: Python's csv module reads the CSV files
back, jsonschema validates the xAPI statements against the 1.0.3 schema, and
pdftoppm/pdftotext/pdffonts check the PDF record book.

usage: check_export.py EXPORT_DIR REPORT_JSON SCHEMA PNG_OUT"""
import csv
import io
import json
import re
import subprocess
import sys

import jsonschema

export, report_path, schema_path, png_out = sys.argv[1:5]
report = json.load(open(report_path, encoding="utf-8"))
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


# ---- CSV: BOM, RFC 4180, the same numbers as the report ----
def read_csv(name):
    raw = open(f"{export}/{name}", "rb").read()
    check(raw.startswith(b"\xef\xbb\xbf"), f"{name} has no UTF-8 BOM")
    check(b"\r\n" in raw, f"{name} does not use CRLF line ends")
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


sessions = {row["session_id"]: row for row in read_csv("sessions.csv")}
check(len(sessions) == len(report["sessions"]), "sessions.csv and the report differ in count")
for s in report["sessions"]:
    row = sessions.get(s["id"])
    check(row is not None, f"session {s['id']} missing from sessions.csv")
    if row:
        check(row["course"] == s["course"], f"course differs for {s['id']}")
        check(int(row["played_seconds"]) == s["played_seconds"], f"played differs {s['id']}")
        check(row["start_utc"] == s["start"] and row["end_utc"] == s["end"], "times differ")
        check(row["status"] == s["status"], f"status differs for {s['id']}")

attendance = read_csv("attendance.csv")
for s in report["sessions"]:
    got = {r["member_number"]: int(r["seconds"]) for r in attendance if r["session_id"] == s["id"]}
    want = {a["member"]: a["seconds"] for a in s["attendance"]}
    check(got == want, f"attendance differs for {s['id']}: {got} vs {want}")

hours = {r["member_number"]: r for r in read_csv("member_hours.csv")}
for m in report["members"]:
    row = hours.get(m["number"])
    check(row is not None and int(row["seconds"]) == m["seconds"],
          f"member hours differ for {m['number']}")
    check(row is not None and row["name"] == m["name"], f"name differs for {m['number']}")
check(any("," in r["name"] for r in hours.values()), "no quoted name with a comma came back")

# ---- xAPI: schema, ids, verbs, durations ----
statements = json.load(open(f"{export}/xapi-statements.json", encoding="utf-8"))
schema = json.load(open(schema_path, encoding="utf-8"))
validator = jsonschema.Draft7Validator(schema)
errors = sorted(validator.iter_errors(statements), key=lambda e: list(e.path))
for e in errors[:5]:
    failures.append(f"xAPI schema: {list(e.path)}: {e.message}")
check(len(statements) > 0, "no xAPI statements")
ids = [st["id"] for st in statements]
check(len(ids) == len(set(ids)), "duplicate statement ids")
check(all(i[14] == "5" for i in ids), "statement ids are not UUID v5")
station = report["station"]["id"]
check(all(st["actor"]["account"]["homePage"].endswith(station) for st in statements),
      "homePage does not name the station")


def seconds(duration):
    m = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", duration)
    return int(m.group(1) or 0) * 3600 + int(m.group(2) or 0) * 60 + int(m.group(3) or 0)


by_session = {s["id"]: s for s in report["sessions"]}
for st in statements:
    s = by_session.get(st["context"]["registration"])
    check(s is not None, "a statement's registration is no session")
    if not s:
        continue
    member = st["actor"]["account"]["name"]
    want = next(a["seconds"] for a in s["attendance"] if a["member"] == member)
    check(seconds(st["result"]["duration"]) == want, f"duration differs for {member}")
    verb = st["verb"]["id"]
    check(verb in ("http://adlnet.gov/expapi/verbs/attended",
                   "http://adlnet.gov/expapi/verbs/completed"), f"unexpected verb {verb}")
    if verb.endswith("completed"):
        check(want >= 7200, "completed without 120 minutes")
expected_attended = sum(1 for s in report["sessions"] if s["status"] != "open"
                        for a in s["attendance"] if a["seconds"] > 0)
check(sum(st["verb"]["id"].endswith("attended") for st in statements) == expected_attended,
      "one attended statement per attendance expected")
# the schema must be able to fail: a statement with two identifiers is rejected
bad = json.loads(json.dumps(statements[:1]))
bad[0]["actor"]["mbox"] = "mailto:x@example.org"
check(not validator.is_valid(bad), "the schema accepted an Agent with two identifiers")
bad = json.loads(json.dumps(statements[:1]))
bad[0]["result"]["duration"] = "2 hours"
check(not validator.is_valid(bad), "the schema accepted a non-ISO 8601 duration")

# ---- PDF: renders, embeds the CJK font, carries the Chinese text ----
pdf = f"{export}/record-book-{report['period']['label']}.pdf"
fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True, check=True).stdout
check("NotoSansCJK" in fonts, f"the PDF does not embed Noto Sans CJK:\n{fonts}")
text = subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, "-"], capture_output=True,
                      check=True).stdout.decode("utf-8")
for needle in ["学习记录簿", "2小时要求", "成员学时", report["sessions"][0]["course"]]:
    check(needle in text, f"'{needle}' is not in the PDF's text")
subprocess.run(["pdftoppm", "-r", "50", "-png", "-singlefile", pdf, png_out], check=True)
subprocess.run(["pdftoppm", "-r", "30", "-gray", "-singlefile", pdf, png_out + "-gray"],
               check=True)
pgm = open(png_out + "-gray.pgm", "rb").read()
header = pgm.split(b"\n", 3)
width, height = map(int, header[1].split())
pixels = header[3][: width * height]
dark = sum(1 for b in pixels if b < 128) / len(pixels)
check(0.01 < dark < 0.5, f"the rendered page is blank or black ({dark:.3f} dark)")

# ---- the signature and the chain, recomputed from docs/record.md alone ----
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # noqa: E402
import hashlib  # noqa: E402

manifest_bytes = open(f"{export}/manifest.json", "rb").read()
manifest = json.loads(manifest_bytes)
key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(open(f"{export}/station.pub").read().strip()))
signature = bytes.fromhex(open(f"{export}/manifest.sig").read().strip())
try:
    key.verify(signature, manifest_bytes)
except Exception:  # cryptography raises InvalidSignature
    failures.append("the manifest signature does not verify with cryptography's Ed25519")
for f in manifest["files"]:
    data = open(f"{export}/{f['name']}", "rb").read()
    check(hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["size"],
          f"{f['name']}: hash or size differs from the manifest")


def unescape(field):
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and i + 1 < len(field):
            out.append({"t": "\t", "n": "\n", "r": "\r"}.get(field[i + 1], field[i + 1]))
            i += 2
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


chain = manifest["chain"]
prev = bytes.fromhex(chain["prev_hash"])
expected_seq = chain["first_seq"]
for line in open(f"{export}/events.tsv", encoding="utf-8").read().split("\n"):
    if not line or line.startswith("#"):
        continue
    f = [unescape(x) for x in line.split("\t")]
    check(len(f) == 10, "an events.tsv line does not have 10 fields")
    seq = int(f[0])
    check(seq == expected_seq and bytes.fromhex(f[8]) == prev, f"event {seq} does not chain")
    h = hashlib.sha256(b"studycast-event-v1\n" + prev)
    for field in f[:8]:
        b = field.encode("utf-8")
        h.update(str(len(b)).encode() + b":" + b + b"\n")
    check(h.hexdigest() == f[9], f"event {seq}: SHA-256 differs from the documented encoding")
    prev = bytes.fromhex(f[9])
    expected_seq = seq + 1
check(expected_seq - 1 == chain["last_seq"] and prev.hex() == chain["last_hash"],
      "the chain does not end where the manifest says")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"export ok: {len(sessions)} sessions, {len(statements)} statements, page {dark:.3f} ink")
