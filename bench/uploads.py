#!/usr/bin/env python
"""Benchmark: what one upload costs the web worker (time and peak memory), issue 9 and 12.

    .venv/bin/python bench/uploads.py

Each case runs in a fresh process; its peak resident memory above the starting point (VmHWM after
clear_refs) is what the upload itself needed: a 13000×13000
PNG bomb, a 12 MB camera JPEG, a 50 Mpx JPEG, a 100 Mpx JPEG header, and a 340,000-row XLSX import.
A script, not a test: numbers depend on the machine.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CASE = r"""
import io, json, os, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
import django
django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from core.images import image_reencode
from core.tabular import Column, read_table
data = open({path!r}, "rb").read()
def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])
open("/proc/self/clear_refs", "w").write("5")  # resets the peak (VmHWM) to the current size
base = status("VmRSS")
start = time.perf_counter()
try:
    if {path!r}.endswith(".xlsx"):
        read_table(SimpleUploadedFile("t.xlsx", data), [Column("name", "name"), Column("note", "note")])
    else:
        out = image_reencode(SimpleUploadedFile("p", data))
    outcome = "accepted"
except ValidationError as exc:
    outcome = "refused: " + exc.messages[0]
elapsed = time.perf_counter() - start
peak = status("VmHWM")
extra = round((peak - base) / 1024, 1)
print(json.dumps({{"seconds": round(elapsed, 3), "extra_mb": extra, "outcome": outcome}}))
"""


def make_cases(folder: Path) -> dict[str, Path]:
    from PIL import Image

    cases = {}
    path = folder / "bomb.png"
    Image.new("1", (13000, 13000)).save(path, format="PNG")
    cases["PNG bomb 13000×13000"] = path

    grain = Image.frombytes("RGB", (4000, 3000), os.urandom(4000 * 3000 * 3))
    photo = Image.blend(Image.linear_gradient("L").resize((4000, 3000)).convert("RGB"), grain, 0.2)
    path = folder / "camera.jpg"
    photo.save(path, format="JPEG", quality=95, subsampling=0)
    cases["camera JPEG 12 Mpx"] = path
    del grain, photo

    path = folder / "50mpx.jpg"
    Image.linear_gradient("L").resize((8660, 5780)).convert("RGB").save(path, format="JPEG", quality=85)
    cases["JPEG 50 Mpx"] = path

    small = folder / "small.jpg"
    Image.new("RGB", (64, 48), "red").save(small, format="JPEG")
    data = bytearray(small.read_bytes())
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = (9000).to_bytes(2, "big") + (12000).to_bytes(2, "big")
    path = folder / "100mpx-header.jpg"
    path.write_bytes(bytes(data))
    cases["JPEG header 108 Mpx"] = path

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    sheet = wb.create_sheet()
    sheet.append(["name", "note"])
    for i in range(340_000):
        sheet.append([f"行{i}", "x"])
    path = folder / "rows.xlsx"
    wb.save(path)
    cases["XLSX 340,000 rows"] = path
    return cases


def main():
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        cases = make_cases(Path(tmp))
        print(f"{'case':24} {'size':>9} {'seconds':>8} {'extra MB':>9}  outcome")
        for name, path in cases.items():
            code = CASE.format(root=str(ROOT), path=str(path))
            result = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
            )
            row = json.loads(result.stdout.strip().splitlines()[-1])
            size = f"{path.stat().st_size / 1024 / 1024:.1f} MB"
            print(f"{name:24} {size:>9} {row['seconds']:>8} {row['extra_mb']:>9}  {row['outcome']}")


if __name__ == "__main__":
    main()
