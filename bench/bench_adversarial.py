"""Is the extractor linear on hostile text? Families of bait at 1, 4 and 16 MB against real gazette text.

Each family repeats one pattern that a part of the extractor could handle in more than linear time: every
regex with nested or adjacent repetition (pinpoint lists, code chains, number blanks, spaces, "của" chains,
amending phrases, dates, signature lines) and every pass that pairs references with each other (aliases
repeated and distinct, back references, short forms by ordinal, long enumerations in one sentence, self
references). Each (family, size) runs `extract()` on one document in a fresh process with a timeout; the
report is CPU seconds per MB (the process's own time: on a shared machine wall time mostly measures the others) and its ratio to real gazette text (../shared/corpus/congbao, concatenated to 1 MB,
the linear reference). The target of issue 14: no family worse than 3x.

    [KGRAPH_SHARED=/path/to/shared] python bench/bench_adversarial.py [--sizes 1,4,16] [--families a,b] [--timeout 300]

A (family, size) that runs out of time is reported as ">T" and its larger sizes are skipped. Besides s/MB,
the table gives the growth of s/MB from the smallest to the largest size (about 1 when linear) and the time
per reference found: bait is denser in references than real text, so a linear family can exceed 3x per MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

#: ../shared from the project's root, or $KGRAPH_SHARED (a worktree elsewhere)
SHARED = Path(os.environ.get("KGRAPH_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
MB = 1_000_000


def _fill(unit: Callable[[int], str], size: int, head: str = "", tail: str = "") -> str:
    """`head` + unit(0) + unit(1) + ... up to `size` bytes of UTF-8 + `tail`."""
    parts, n, i = [head], len(head.encode()), 0
    while n < size:
        u = unit(i)
        parts.append(u)
        n += len(u.encode())
        i += 1
    parts.append(tail)
    return "".join(parts)


def _word(i: int) -> str:
    """A distinct Vietnamese-looking word for each i (no digits: aliases with numbers are not aliases)."""
    syll = ["an", "bình", "cao", "dương", "giang", "hà", "khánh", "lâm", "minh", "nam", "phú", "quang", "sơn", "thanh", "vĩnh", "xuân"]
    out = []
    while True:
        out.append(syll[i % 16])
        i //= 16
        if not i:
            return " ".join(w.capitalize() for w in out)


def real_gazette(size: int) -> str:
    files = sorted((SHARED / "corpus" / "congbao").glob("*/*.txt"))
    if not files:
        sys.exit(f"no corpus under {SHARED}: ../shared is required")
    texts = [f.read_text("utf-8") for f in files]
    return _fill(lambda i: texts[i % len(texts)] + "\n", size)


HEAD = "CHÍNH PHỦ\nSố: 1/2020/NĐ-CP\nHà Nội, ngày 01 tháng 01 năm 2020\nNGHỊ ĐỊNH\nVề thử nghiệm\n"

FAMILIES: dict[str, Callable[[int], str]] = {
    "real gazette text": real_gazette,
    # pinpoint grammar (pinpoint.py): the line, space-separated lists, long lists that fail late
    "pinpoint: issue-14 line": lambda s: _fill(
        lambda i: "Căn cứ Điều 1" + "   1" * 16 + "a1 Nghị định số 163/2016/NĐ-CP của Chính phủ.\n", s, HEAD),
    "pinpoint: long lists": lambda s: _fill(
        lambda i: "Căn cứ điểm " + ", ".join("abcdeghiklmnopqrstuvxy") + " khoản " + ", ".join(map(str, range(1, 31)))
        + " Điều " + " và ".join(map(str, range(1, 31))) + f" Nghị định số {i % 900 + 1}/2016/NĐ-CP;\n", s, HEAD),
    "pinpoint: lists failing late": lambda s: _fill(
        lambda i: "khoản" + "  1 ," * 30 + " Điều 5" + "  2  và" * 20 + "x Nghị định số 163/2016/NĐ-CP\n", s, HEAD),
    "self refs: khoản ... Điều này": lambda s: _fill(
        lambda i: "theo điểm a, b và c khoản " + ", ".join(map(str, range(1, 31))) + " Điều này; ", s, HEAD),
    # numbers (numbers.py): long code chains, blanks, loose numbers after a type word
    "numbers: long code chains": lambda s: _fill(
        lambda i: f"số {i % 999 + 1}/2016/NĐ-CP" + "-A" * 40 + "/" + "B-" * 40 + " ", s, HEAD),
    "numbers: blanks": lambda s: _fill(lambda i: "số ......./......./......" + "…" * 30 + "/ ", s, HEAD),
    "numbers: loose after type": lambda s: _fill(
        lambda i: "Nghị định " + " ".join(str(n) for n in range(20)) + " - ABC - DEF / " * 3 + "\n", s, HEAD),
    # spaces and lines (header.py, context.py)
    "spaces: long runs": lambda s: _fill(lambda i: " " * 5000 + "\t" * 100 + "\n" * 50, s, HEAD),
    "one line, no line breaks": lambda s: _fill(lambda i: "của Bộ Tài chính về việc quản lý thuế " * 20, s, HEAD),
    "của chains": lambda s: _fill(lambda i: "Nghị định số 1/2016/NĐ-CP của " + "của " * 50 + "\n", s, HEAD),
    "signature lines": lambda s: _fill(lambda i: "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\n(đã ký)\nNguyễn Văn An\n", s, HEAD),
    "dates": lambda s: _fill(lambda i: f"ngày {i % 28 + 1} tháng {i % 12 + 1} năm 20{i % 30:02d}, ", s, HEAD),
    "amending phrases": lambda s: _fill(
        lambda i: "sửa đổi, bổ sung một số điều " + ", ".join(map(str, range(1, 12))) + " của các Luật Đất đai; ", s, HEAD),
    # passes that pair references (shortforms.py, relation.py, citations.py)
    "aliases: one repeated": lambda s: _fill(
        lambda i: "Nghị định Ngân sách được áp dụng. ", s,
        HEAD + "Căn cứ Nghị định số 163/2016/NĐ-CP (sau đây gọi là Nghị định Ngân sách);\n"),
    "aliases: distinct": lambda s: _fill(
        lambda i: f"Luật số {i % 99 + 1}/2013/QH13 (sau đây gọi là Luật {_word(i)}); Luật {_word(i)} áp dụng.\n", s, HEAD),
    "aliases: one defined again and again": lambda s: _fill(
        lambda i: f"Nghị định số {i % 900 + 1}/2016/NĐ-CP (sau đây gọi là Nghị định Ngân sách); Nghị định Ngân sách áp dụng.\n", s, HEAD),
    "aliases: bare, repeated": lambda s: _fill(
        lambda i: f"Luật số {i % 90 + 1}/2013/QH13 (Luật Đất đai); Luật Đất đai áp dụng.\n", s, HEAD),
    # many first words, each defined once and the definitions spread over the whole text: each word is looked for
    # from its definition on, and no stretch's scan may run on to the text's end
    "aliases: many first words, far apart": lambda s: _fill(
        lambda i, k=max(1, s // (60 * 90)): (
            f"Căn cứ Nghị định số {i % 900 + 1}/2016/NĐ-CP (sau đây gọi là "
            f"{_word(i // k % 60 + 16).replace(' ', '').capitalize()}x Nghị định);\n" if i % k == 0
            else "Các cơ quan thực hiện nhiệm vụ được giao theo quy định của pháp luật. "), s, HEAD),
    "back references: nêu trên": lambda s: _fill(
        lambda i: f"Nghị định số {i % 999 + 1}/20{i % 20 + 10}/NĐ-CP. Nghị định nêu trên có hiệu lực.\n", s, HEAD),
    "back references: no candidate": lambda s: _fill(
        lambda i: f"Nghị định số {i % 999 + 1}/2016/NĐ-CP. Thông tư nêu trên áp dụng.\n", s, HEAD),
    "short forms by ordinal": lambda s: _fill(
        lambda i: f"Nghị định số {i % 999 + 1}/2016/NĐ-CP; Nghị định {i % 999 + 1} quy định.\n", s, HEAD),
    "enumeration, one sentence": lambda s: _fill(
        lambda i: f"Nghị định số {i % 999 + 1}/20{i % 20 + 10}/NĐ-CP, ", s, HEAD + "Bãi bỏ các văn bản: ", "."),
    "named laws repeated": lambda s: _fill(lambda i: "Luật Đất đai, Bộ luật Dân sự và Luật Ngân sách nhà nước; ", s, HEAD),
    # distinct laws cited in full, each repeated by name: cutting and extending names looked up every name per name
    "named laws, distinct, repeated": lambda s: _fill(
        lambda i: f"Căn cứ Luật Thi hành tạm giữ, tạm giam và cấm đi khỏi nơi {_word(i)} số {i % 900 + 1}/2025/QH15; "
                  f"theo Luật Thi hành tạm giữ, tạm giam và cấm đi khỏi nơi {_word(i)}; Luật Chứng khoán {_word(i)} "
                  f"năm 2019 và Luật Chứng khoán {_word(i)} Ngân hàng.\n", s, HEAD),
}

_CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
from bench_adversarial import FAMILIES
from kgraph.extract import extract
# warm-up on 64 KB of real text and of the family: every pattern compiled and every table loaded before the
# timed run (a one-time cost paid inside it would add the same seconds to every family and flatten the ratios)
extract(FAMILIES["real gazette text"](1 << 16))
extract(FAMILIES[{family!r}](1 << 16))
text = FAMILIES[{family!r}]({size})
t, c = time.perf_counter(), time.process_time()
ex = extract(text)
print(json.dumps({{"wall": time.perf_counter() - t, "seconds": time.process_time() - c, "bytes": len(text.encode()),
                  "refs": len(ex.references)}}))
"""


def run_one(family: str, size: int, timeout: float) -> dict | None:
    code = _CHILD.format(root=str(Path(__file__).resolve().parents[1]), bench=str(Path(__file__).resolve().parent),
                         family=family, size=size)
    try:
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if p.returncode != 0:
        raise SystemExit(f"{family} at {size / MB:g} MB failed:\n{p.stderr}")
    return json.loads(p.stdout)


def render(ref: dict, results: dict[str, list], sizes: list[float], timeout: float) -> str:
    """The table: s/MB and its ratio to real text of the same size, growth (s/MB at the largest size over the
    smallest: about 1 when linear), and microseconds per reference found (dense bait finds more per MB)."""
    ref_s_per_mb = ref["seconds"] / (ref["bytes"] / MB)
    ref_us = 1e6 * ref["seconds"] / max(ref["refs"], 1)
    lines = [f"reference: real gazette text, {ref['bytes'] / MB:.2f} MB, {ref_s_per_mb:.3f} s/MB, "
             f"{ref_us:.0f} µs per reference\n",
             "| family | " + " | ".join(f"{s:g} MB: s/MB (x real)" for s in sizes) + " | growth | µs/ref (x real) |",
             "|---|" + "---|" * (len(sizes) + 2)]
    # each size against real text of the same size when it ran there (its own s/MB grows a little with size)
    real = results.get("real gazette text") or []
    per_size = [r["seconds"] / (r["bytes"] / MB) if r else ref_s_per_mb for r in real] + [ref_s_per_mb] * len(sizes)
    for fam, row in results.items():
        cells = []
        for i, r in enumerate(row):
            if r is None:
                cells.append("skipped" if i and row[i - 1] is None else f">{timeout:g} s")
            else:
                spm = r["seconds"] / (r["bytes"] / MB)
                cells.append(f"{spm:.3f} ({spm / per_size[i]:.1f}x)")
        done = [r for r in row if r is not None]
        growth = "-"
        if len(done) > 1:
            growth = f"{(done[-1]['seconds'] / done[-1]['bytes']) / (done[0]['seconds'] / done[0]['bytes']):.1f}"
        if len(done) < len(row):
            growth = "superlinear"
        us = "-"
        if done and done[-1]["refs"] >= 100:
            per = 1e6 * done[-1]["seconds"] / done[-1]["refs"]
            us = f"{per:.0f} ({per / ref_us:.1f}x)"
        lines.append(f"| {fam} | " + " | ".join(cells) + f" | {growth} | {us} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,4,16", help="MB, comma-separated")
    ap.add_argument("--families", default="", help="substrings of family names to run (default: all)")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per (family, size)")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--render", help="print the table of a --json file written earlier, run nothing")
    args = ap.parse_args()
    sizes = [float(x) for x in args.sizes.split(",")]
    if args.render:
        d = json.loads(Path(args.render).read_text())
        ref = d.get("reference") or d["results"]["real gazette text"][0]  # older files: the first real run
        print(render(ref, d["results"], d.get("sizes", sizes), d.get("timeout", args.timeout)))
        return
    wanted = [f for f in FAMILIES if not args.families or f == "real gazette text"
              or any(w in f for w in args.families.split(","))]
    ref = run_one("real gazette text", int(sizes[0] * MB), args.timeout)
    assert ref is not None, "real text ran out of time"
    results: dict[str, list] = {}
    for fam in wanted:
        row: list = []
        for s in sizes:
            row.append(None if row and row[-1] is None else run_one(fam, int(s * MB), args.timeout))
        results[fam] = row
        print(f"{fam}: " + ", ".join("timeout" if r is None else f"{r['seconds']:.2f} s" for r in row), file=sys.stderr, flush=True)
        if args.json:  # after each family: a long run cut short still leaves its figures (--render them)
            Path(args.json).write_text(json.dumps({"reference": ref, "results": results, "sizes": sizes,
                                                   "timeout": args.timeout}, ensure_ascii=False, indent=1))
    print(render(ref, results, sizes, args.timeout))
    if args.json:
        Path(args.json).write_text(json.dumps({"reference": ref, "results": results, "sizes": sizes, "timeout": args.timeout},
                                              ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
