"""CPU seconds of one `kg` process per command: what the tests' many `kg` subprocesses each pay to start.

    .venv/bin/python bench/bench_cli_startup.py [--rounds 5]

Runs each command as the tests do (`python -c "from kgraph.cli import main; ..."`, this interpreter, the
kgraph it imports: set PYTHONPATH to measure another checkout) and reports the median user+system CPU of
the child process over the rounds, plus the bare interpreter's (`python -c pass`) for reference. The
commands need no server: `--help` pages, `kg extract` and `kg build` of one small file, the same build again
(nothing changed), `kg validate` and `kg query` on that build.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

KG = [sys.executable, "-c", "import sys; from kgraph.cli import main; sys.exit(main())"]
DOC = (
    "ỦY BAN NHÂN DÂN\nTỈNH LẠNG SƠN\n\nSố: 12/KH-UBND\n\nLạng Sơn, ngày 02 tháng 3 năm 2020\n\nKẾ HOẠCH\n"
    "Triển khai Chỉ thị số 16/CT-TTg\n\nThực hiện Chỉ thị số 16/CT-TTg ngày 31/3/2020 của Thủ tướng Chính phủ; "
    "căn cứ điểm c khoản 6 Điều 4 Nghị định số 163/2016/NĐ-CP, Ủy ban nhân dân tỉnh ban hành Kế hoạch này.\n"
)


def child_cpu(cmd: list[str], cwd: Path) -> float:
    """User+system CPU seconds of one child process running `cmd` (which must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    import kgraph

    print(f"kgraph from {Path(kgraph.__file__).parent}; load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="kg-startup-") as tmp:
        base = Path(tmp)
        (base / "in").mkdir()
        (base / "in" / "kh.txt").write_text(DOC, encoding="utf-8")
        subprocess.run([*KG, "build", "in", "--out", "out", "-q"], cwd=base, check=True, capture_output=True)
        cases: list[tuple[str, list[str]]] = [
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("kg --help", [*KG, "--help"]),
            ("kg serve --help", [*KG, "serve", "--help"]),
            ("kg load --help", [*KG, "load", "--help"]),
            ("kg extract FILE", [*KG, "extract", "in/kh.txt", "--format", "json"]),
            ("kg build (1 new file)", [*KG, "build", "in", "--out", "fresh", "-q", "--force"]),
            ("kg build (unchanged)", [*KG, "build", "in", "--out", "out", "-q"]),
            ("kg validate --store", [*KG, "validate", "--store", "out"]),
            ("kg query cites", [*KG, "query", "cites", "163/2016/NĐ-CP", "--store", "out"]),
        ]
        seen: dict[str, list[float]] = {name: [] for name, _ in cases}
        for _ in range(args.rounds):
            for name, cmd in cases:
                seen[name].append(child_cpu(cmd, base))
    for name, values in seen.items():
        print(f"{name:<24} median {statistics.median(values):.3f} CPU s  (min {min(values):.3f}, n={len(values)})")
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
