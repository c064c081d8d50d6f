"""Instructions per MB of `extract()` on the bait families of bench_adversarial.py, counted by callgrind.

The machine's load moves CPU seconds by up to 2x between runs; the count of instructions does not move. Only the
`extract()` call is counted: a small C helper (built here with gcc and valgrind's callgrind.h) turns callgrind's
instrumentation on around one Python callable, so imports and warm-ups cost nothing and no run at size 0 has to
be subtracted (that subtraction carried the noise of two processes' hash seeds). Runs under valgrind are ~50x
slower: bait at 0.25 MB and real text at 1 MB (the bench's reference size; real text's cost per MB falls with
size, the bait's does not) take a few minutes each.

    python bench/bench_adversarial_instructions.py [--bait-mb 0.25] [--real-mb 1] [--families a,b] [--root DIR] [--passes]

`--root` measures another checkout's package with the same helper (an A/B against the code before a change).
`--passes` counts each pass of `citations.PASSES` alone, after the passes before it have run (where a family's
instructions go), in place of the whole call.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

_HELPER = r"""
#include <valgrind/callgrind.h>
void kgraph_count(void (*cb)(void)) {
    CALLGRIND_ZERO_STATS;
    CALLGRIND_START_INSTRUMENTATION;
    CALLGRIND_TOGGLE_COLLECT;
    cb();
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_STOP_INSTRUMENTATION;
}
/* one pass counted: its own dump, named after it */
void kgraph_on(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; CALLGRIND_TOGGLE_COLLECT; }
void kgraph_off(const char *name) { CALLGRIND_TOGGLE_COLLECT; CALLGRIND_DUMP_STATS_AT(name); }
/* what ran since the last dump, named */
void kgraph_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
"""

_CHILD = """
import ctypes, sys
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
from bench_adversarial import FAMILIES
from kgraph.extract import extract
extract(FAMILIES["real gazette text"](1 << 16)); extract(FAMILIES[{family!r}](1 << 16))
text = FAMILIES[{family!r}]({size})
out = []
cb = ctypes.CFUNCTYPE(None)(lambda: out.append(extract(text)))
ctypes.CDLL({helper!r}).kgraph_count(cb)
print(len(text.encode()), len(out[0].references))
"""

#: `--passes`: `extract()`'s reading of the references, pass by pass (as `find_references` runs them), each counted
_CHILD_PASSES = """
import ctypes, gc, sys
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
from bench_adversarial import FAMILIES
from kgraph.extract import citations, extract
from kgraph.extract.finders import anchors
from kgraph.extract.header import read_header
from kgraph.extract.normalize import OffsetText
from kgraph.knowledge import load
extract(FAMILIES["real gazette text"](1 << 16)); extract(FAMILIES[{family!r}](1 << 16))
text = FAMILIES[{family!r}]({size})
lib = ctypes.CDLL({helper!r})
gc.disable()  # as `extract` reads a text
ot = OffsetText(text)
header = read_header(text, ot)
scan = citations._Scan(t=ot.text, k=load(), document=header.document, anchors=anchors(ot.text))
for step in citations.PASSES:
    lib.kgraph_on(); step(scan); lib.kgraph_off(step.__name__.encode())
print(len(text.encode()))
"""


def build_helper(folder: Path) -> Path:
    """The helper's shared library (gcc and valgrind's headers are needed)."""
    src, lib = folder / "count.c", folder / "count.so"
    src.write_text(_HELPER)
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(lib), str(src)], check=True)
    return lib


def count(root: Path, family: str, mb: float, helper: Path, folder: Path) -> tuple[int, int, int]:
    """(instructions of the extract() call, bytes, references) for one family at `mb` MB."""
    code = _CHILD.format(root=str(root), bench=str(Path(__file__).resolve().parent), family=family,
                         size=int(mb * 1_000_000), helper=str(helper))
    out = folder / "cg.out"
    env = {**os.environ, "PYTHONHASHSEED": "0"}  # sets and dicts laid out alike in every run
    p = subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no",
                        f"--callgrind-out-file={out}", sys.executable, "-c", code],
                       capture_output=True, text=True, env=env)
    m = re.search(r"Collected : (\d+)", p.stderr)
    if p.returncode != 0 or not m:
        raise SystemExit(f"{family}: callgrind failed\n{p.stderr[-2000:]}")
    size, refs = map(int, p.stdout.split())
    return int(m.group(1)), size, refs


def dumps(code: str, out: Path, what: str) -> tuple[dict[str, int], str]:
    """(instructions by dump name, the child's stdout) of `code` run under callgrind with nothing counted until the
    helper says so; each `CALLGRIND_DUMP_STATS_AT(name)` is one dump, the dumps of one name summed."""
    for old in out.parent.glob(out.name + "*"):
        old.unlink()
    p = subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no",
                        f"--callgrind-out-file={out}", sys.executable, "-c", code],
                       capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    if p.returncode != 0:
        raise SystemExit(f"{what}: callgrind failed\n{p.stderr[-2000:]}")
    counts: dict[str, int] = {}
    for dump in out.parent.glob(out.name + ".*"):
        body = dump.read_text(errors="replace")
        name = re.search(r"^desc: Trigger: Client Request: (.*)$", body, re.M)
        total = re.search(r"^(?:summary|totals): (\d+)", body, re.M)
        if name and total:
            counts[name.group(1)] = counts.get(name.group(1), 0) + int(total.group(1))
        dump.unlink()
    return counts, p.stdout


def count_passes(root: Path, family: str, mb: float, helper: Path, folder: Path) -> tuple[dict[str, int], int]:
    """(pass -> instructions of that pass alone, bytes) for one family at `mb` MB."""
    code = _CHILD_PASSES.format(root=str(root), bench=str(Path(__file__).resolve().parent), family=family,
                                size=int(mb * 1_000_000), helper=str(helper))
    passes, stdout = dumps(code, folder / "cgp.out", family)
    return passes, int(stdout.split()[0])


def main() -> None:
    from bench_adversarial import FAMILIES

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bait-mb", type=float, default=0.25)
    ap.add_argument("--real-mb", type=float, default=1.0)
    ap.add_argument("--families", default="aliases: distinct,aliases: bare,named laws, distinct,named laws repeated,"
                    "short forms by ordinal,enumeration", help="substrings of family names (default: the six over 3x)")
    ap.add_argument("--root", default=str(Path(__file__).resolve().parents[1]), help="the checkout whose package runs")
    ap.add_argument("--passes", action="store_true", help="count each pass of citations.PASSES alone")
    args = ap.parse_args()
    wanted = [f for f in FAMILIES if f != "real gazette text" and any(w in f for w in args.families.split(","))]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        helper = build_helper(folder)
        if args.passes:
            print("G instructions a MB, each pass alone (after the passes before it)")
            for fam in ["real gazette text", *wanted]:
                passes, size = count_passes(Path(args.root), fam, args.real_mb if fam == "real gazette text"
                                            else args.bait_mb, helper, folder)
                print(f"{fam} ({size / 1e6:.2f} MB): " + ", ".join(
                    f"{name.lstrip('_')} {n / (size / 1e6) / 1e9:.3f}" for name, n in sorted(passes.items(), key=lambda x: -x[1])),
                    flush=True)
            return
        ir, size, refs = count(Path(args.root), "real gazette text", args.real_mb, helper, folder)
        real = ir / (size / 1e6)
        print(f"real gazette text, {size / 1e6:.2f} MB: {real / 1e9:.3f}G instructions a MB, {refs} references")
        print("| family | MB | G instructions / MB | x real | references |\n|---|---|---|---|---|")
        for fam in wanted:
            ir, size, refs = count(Path(args.root), fam, args.bait_mb, helper, folder)
            per = ir / (size / 1e6)
            print(f"| {fam} | {size / 1e6:.2f} | {per / 1e9:.3f} | {per / real:.2f} | {refs} |", flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
