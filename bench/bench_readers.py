"""Speed of each input reader: MB of text out per second, on the published files in ../shared.

    python bench/bench_readers.py [--files DIR] [--repeat 3] [--no-ocr]

Reads every file of ../shared/corpus/files (PDF, DOCX, DOC, RTF, Word-HTML; the encrypted one is
refused and not counted) plus the saved web pages of ../shared/corpus/vbpl-pages, groups them by the
reader that took them (pdf-text, pdf-ocr, docx, doc, rtf, html), and reports for each reader:
files, MB in (file bytes), MB of text out (UTF-8), seconds (best of --repeat; OCR once), MB/s of
text out, and ms per page for PDFs. The text-layer PDF figure includes the per-page layout work
(column splits, e-signature stamps).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("KGRAPH_SHARED") or ROOT.parent / "shared")

from kgraph.reader import InputError, read_source  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=Path, default=SHARED / "corpus" / "files")
    ap.add_argument("--pages", type=Path, default=SHARED / "corpus" / "vbpl-pages")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-ocr", action="store_true", help="skip scanned PDFs (they take seconds a page)")
    args = ap.parse_args()
    if args.no_ocr:
        os.environ["KGRAPH_OCR"] = "0"
    paths = sorted(p for p in args.files.rglob("*") if p.is_file() and p.suffix.lower() in (".pdf", ".docx", ".doc"))
    if args.pages.is_dir():
        paths += sorted(args.pages.glob("*.htm*"))
    if not paths:
        sys.exit(f"no files under {args.files}")
    rows: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    refused = []
    for p in paths:
        best, src = None, None
        for attempt in range(args.repeat):
            t = time.perf_counter()
            try:
                src = read_source(p)
            except InputError as e:
                refused.append(f"{p.name}: {e.problem}")
                break
            dt = time.perf_counter() - t
            best = dt if best is None else min(best, dt)
            if src.reader.endswith("ocr"):
                break  # seconds a page: once is enough
        if src is not None and best is not None:
            r = rows[src.reader]
            r["files"] += 1
            r["bytes_in"] += p.stat().st_size
            r["bytes_out"] += len(src.text.encode("utf-8"))
            r["seconds"] += best
            r["pages"] += len(src.pages or [])
    print(f"{'reader':<13}{'files':>6}{'MB in':>9}{'MB text':>9}{'seconds':>9}{'MB/s text':>11}{'ms/page':>9}")
    for name in sorted(rows):
        r = rows[name]
        per_page = f"{1000 * r['seconds'] / r['pages']:.1f}" if r["pages"] else "-"
        print(f"{name:<13}{int(r['files']):>6}{r['bytes_in'] / 1e6:>9.2f}{r['bytes_out'] / 1e6:>9.3f}"
              f"{r['seconds']:>9.3f}{r['bytes_out'] / 1e6 / r['seconds']:>11.2f}{per_page:>9}")
    for line in refused:
        print(f"refused: {line}")


if __name__ == "__main__":
    main()
