"""Figures for the ID photo: peak memory of uploading and saving a large, small-file image.

Run: .venv/bin/python bench/bench_photos.py [--width 6000] [--height 6600] [--format PNG]
It makes its own SQLite database in a temporary folder, then measures in a fresh child
process the growth of the peak resident set size (/proc/self/status VmHWM, reset before
each step) over stage_photo (the upload check) and save_photo (crop and store). Pillow
allocates pixels outside Python's allocator, so tracemalloc would not see them. It prints
figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _status_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak since the last reset) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: peak


def _reset_peak() -> float:
    """Reset the peak resident set size (Linux: clear_refs 5); return the current size."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return _status_mb("VmRSS")


def make_image(width: int, height: int, fmt: str) -> bytes:
    """A mostly flat picture with a face-like ellipse: compresses to a small file."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (70, 130, 180))
    ImageDraw.Draw(image).ellipse(
        [width // 4, height // 5, width * 3 // 4, height * 3 // 5], fill=(240, 200, 170)
    )
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"optimize": True} if fmt == "PNG" else {"quality": 85}))
    return buffer.getvalue()


def measure(image_path: str) -> None:
    """In the child: stage and save the photo as 李明, printing the peak growth of each step."""
    from sqlmodel import select

    from ahportal.db import session_scope
    from ahportal.models import Account
    from ahportal.services import photos
    from ahportal.services.permissions import actor_for_account

    data = Path(image_path).read_bytes()
    with session_scope() as session:
        account = session.exec(select(Account).where(Account.display_name == "李明")).one()
        actor = actor_for_account(session, account)
        base = _reset_peak()
        start = time.perf_counter()
        staged = photos.stage_photo(actor=actor, data=data)
        stage_ms = (time.perf_counter() - start) * 1000
        stage_peak = _status_mb("VmHWM") - base
        base_save = _reset_peak()
        start = time.perf_counter()
        photos.save_photo(
            session, actor=actor, token=str(staged["token"]), zoom=1.0, center_x=0.5, center_y=0.5
        )
        save_ms = (time.perf_counter() - start) * 1000
        save_peak = _status_mb("VmHWM") - base_save
    print(f"resident set before             {base:8.1f} MB")
    print(f"stage_photo (upload check)  peak +{stage_peak:7.1f} MB   {stage_ms:7.1f} ms")
    print(f"save_photo (crop and store) peak +{save_peak:7.1f} MB   {save_ms:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", type=int, default=6000)
    parser.add_argument("--height", type=int, default=6600)
    parser.add_argument("--format", default="PNG", choices=["PNG", "JPEG"])
    parser.add_argument("--measure", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return
    folder = tempfile.mkdtemp(prefix="ahportal-bench-")
    env = {
        "AHPORTAL_MODE": "test",
        "AHPORTAL_DATABASE_URL": f"sqlite:///{folder}/bench.db",
        "AHPORTAL_STORAGE_ROOT": f"{folder}/storage",
    }
    os.environ.update(env)
    from ahportal.cli import load_reference, migrate, seed_demo

    migrate()
    load_reference()
    seed_demo()
    image = Path(folder) / f"photo.{args.format.lower()}"
    image.write_bytes(make_image(args.width, args.height, args.format))
    size_kb = image.stat().st_size / 1024
    print(f"{args.format} {args.width}×{args.height}, {size_kb:.0f} KB")
    subprocess.run([sys.executable, __file__, "--measure", str(image)], check=True)


if __name__ == "__main__":
    main()
