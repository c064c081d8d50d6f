"""Instructions of each pass of one `extract()` call, counted by callgrind, per MB of text at several sizes.

Made to find which pass costs more per MB as one text grows (issue 14: real gazette text's s/MB was x1.3 from
1 to 16 MB). Each stretch of the call is dumped on its own: the NFC view (`OffsetText`), `read_header`,
`anchors`, each of `citations.PASSES`, and what follows them (`_references`, the result). A pass whose
instructions per MB grow with the size is doing more than linear work, or meets other text (the bench's real
text is the corpus's files in order: a larger size is also other documents).

    python bench/bench_pass_instructions.py [--sizes 1,2,4] [--family "real gazette text"] [--root DIR]

Under valgrind a MB takes ~1 min; the count does not move with the machine's load (PYTHONHASHSEED=0).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench_adversarial_instructions import build_helper, dumps

_CHILD = """
import ctypes, sys
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
from bench_adversarial import FAMILIES
from kgraph.extract import extract, citations
X = sys.modules["kgraph.extract"]
extract(FAMILIES["real gazette text"](1 << 16)); extract(FAMILIES[{family!r}](1 << 16))
text = FAMILIES[{family!r}]({size})
h = ctypes.CDLL({helper!r}); h.kgraph_dump.argtypes = h.kgraph_off.argtypes = [ctypes.c_char_p]
def counted(f, name):
    def g(*a, **k):
        h.kgraph_dump(b"-")  # what ran since the last stretch: counted apart
        r = f(*a, **k)
        h.kgraph_dump(name.encode())
        return r
    return g
X.OffsetText = counted(X.OffsetText, "OffsetText")
X.read_header = counted(X.read_header, "read_header")
citations.anchors = counted(citations.anchors, "anchors")
citations.PASSES = tuple(counted(s, s.__name__) for s in citations.PASSES)
h.kgraph_on(); ex = extract(text); h.kgraph_off(b"after the passes")
print(len(text.encode()), len(ex.references))
"""

ORDER = ["OffsetText", "read_header", "anchors"]


def per_stretch(root: Path, family: str, mb: float, helper: Path, folder: Path) -> tuple[dict[str, int], int, int]:
    """(instructions by stretch, bytes, references) of one extract() call on `family` at `mb` MB."""
    code = _CHILD.format(root=str(root), bench=str(Path(__file__).resolve().parent), family=family,
                         size=int(mb * 1_000_000), helper=str(helper))
    counts, stdout = dumps(code, folder / f"cg-{mb}", family)
    size, refs = map(int, stdout.split())
    return counts, size, refs


def main() -> None:
    from kgraph.extract.citations import PASSES

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,2,4", help="MB, comma-separated")
    ap.add_argument("--family", default="real gazette text", help="a family of bench_adversarial.py")
    ap.add_argument("--root", default=str(Path(__file__).resolve().parents[1]), help="the checkout whose package runs")
    args = ap.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        helper = build_helper(folder)
        cols = [per_stretch(Path(args.root), args.family, mb, helper, folder) for mb in sizes]
    names = ORDER + [s.__name__ for s in PASSES] + ["after the passes", "-"]
    print(f"{args.family}: M instructions per MB of text")
    print("| stretch | " + " | ".join(f"{b / 1e6:.2f} MB" for _, b, _ in cols) + " |")
    print("|---|" + "---|" * len(cols))
    print("| references per MB | " + " | ".join(f"{r / b * 1e6:.0f}" for _, b, r in cols) + " |")
    for n in names:
        label = "between the stretches" if n == "-" else n
        print(f"| {label} | " + " | ".join(f"{c.get(n, 0) / b:.1f}" for c, b, _ in cols) + " |")
    print("| all | " + " | ".join(f"{sum(c.values()) / b:.1f}" for c, b, _ in cols) + " |")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
