"""Optical character recognition of page images with Tesseract (Debian: tesseract-ocr, tesseract-ocr-vie).

Tesseract runs as a program (Apache-2.0), fed a greyscale PGM on stdin, so no Python binding or
image library is needed. Without it (or without its Vietnamese data) a scan is refused with a
message that says what to install.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

#: What to tell a user whose machine cannot read scans.
INSTALL_HINT = "install Tesseract with its Vietnamese data (Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-vie)"

#: Seconds one page may take before OCR gives up on it.
PAGE_TIMEOUT = float(os.environ.get("KGRAPH_OCR_TIMEOUT", "300"))

#: Resolution pages are rendered at for OCR: Tesseract reads best at ~300 dpi.
DPI = 300


@functools.lru_cache(maxsize=1)
def tesseract() -> tuple[str | None, str | None]:
    """(path of tesseract, None) when Vietnamese OCR is possible, else (None, why not)."""
    if os.environ.get("KGRAPH_OCR", "1") == "0":
        return None, "OCR is turned off (KGRAPH_OCR=0)"
    exe = shutil.which("tesseract")
    if not exe:
        return None, f"no OCR engine: {INSTALL_HINT}"
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as e:
        return None, f"tesseract does not run ({e}): {INSTALL_HINT}"
    if "vie" not in out.stdout.split():
        return None, f"Tesseract has no Vietnamese data: {INSTALL_HINT}"
    return exe, None


def pgm(width: int, height: int, stride: int, pixels: bytes | memoryview) -> bytes:
    """A binary PGM image of 8-bit grey rows (`stride` bytes apart in `pixels`)."""
    header = b"P5 %d %d 255\n" % (width, height)
    if stride == width:
        return header + bytes(pixels[: width * height])
    rows = b"".join(bytes(pixels[r * stride : r * stride + width]) for r in range(height))
    return header + rows


def recognise(image: bytes) -> str:
    """Vietnamese text of one page image (PGM/PNG bytes); raises RuntimeError on failure."""
    exe, why = tesseract()
    if exe is None:
        raise RuntimeError(why)
    env = dict(os.environ, OMP_THREAD_LIMIT=os.environ.get("OMP_THREAD_LIMIT", "1"))
    try:
        run = subprocess.run([exe, "stdin", "stdout", "-l", "vie", "--psm", "3"], input=image,
                             capture_output=True, timeout=PAGE_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"OCR of a page took longer than {PAGE_TIMEOUT:.0f} s") from None
    if run.returncode != 0:
        raise RuntimeError(f"tesseract failed: {run.stderr.decode(errors='replace').strip()[-200:]}")
    return run.stdout.decode("utf-8", errors="replace")
