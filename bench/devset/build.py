"""Turn the hand-written annotation sources (*.ann) into the JSONL gold sets, with character offsets.

Why a source format: annotating by reading is done in a compact, line-per-reference text that a person can
write and review; this script finds each span in the document (the occurrence index, or the next occurrence
after the previous reference) and fails loudly when a span is not in the text. See CONVENTIONS.md.

Source lines:
  === <path relative to ../shared>
  @ number | type | issuer | date | signer
  N: span | type | number | date | issuer | relation | pinpoint [| note]      numbered reference
  L: span | type | name | number | date | issuer | relation | pinpoint [| note]  named (kind numbered when it has a number)
     name: "A ~ B" gives accepted alternatives; number "=N": the instrument the text identifies elsewhere (kind named)
  A: span | type | target | relation | pinpoint [| note]                       short form / alias (target: number or name)
  S: span | type | pinpoint [| note]                                          the document itself
  O: span [| note]     optional: a doubtful mention; a prediction overlapping it is neither right nor wrong
  # comment
A span may end with "#k" (k-th occurrence in the whole text, from 0); "\\n" in a span is a line break.
Pinpoints: "a4.c6.pc" = điểm c khoản 6 Điều 4; "ch2" = Chương II (as an arabic number); several joined by ",".
Empty field = null.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
# ../shared beside the project root; KGRAPH_SHARED overrides it (a git worktree has no ../shared of its own)
SHARED = Path(os.environ.get("KGRAPH_SHARED") or HERE.parents[2] / "shared")


def pinpoints(s: str) -> list[dict]:
    out = []
    for part in filter(None, (p.strip() for p in s.split(","))):
        d = {"article": None, "clause": None, "point": None, "chapter": None}
        for bit in part.split("."):
            key = {"a": "article", "c": "clause", "p": "point"}.get(bit[0])
            if bit.startswith("ch"):
                d["chapter"] = bit[2:]
            elif key:
                d[key] = bit[1:]
            else:
                raise ValueError(f"bad pinpoint {part!r}")
        out.append(d)
    return out


def nul(s: str) -> str | None:
    s = s.strip()
    return s or None


def parse(src: Path) -> list[dict]:
    docs: list[dict] = []
    cur: dict | None = None
    text = ""
    pos = 0
    for ln, raw in enumerate(src.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            if line.startswith("=== "):
                path = line[4:].strip()
                text = (SHARED / path).read_text(encoding="utf-8", errors="replace")
                cur = {"path": path, "document": None, "references": []}
                docs.append(cur)
                pos = 0
                continue
            assert cur is not None, "reference before any === line"
            if line.startswith("@"):
                f = [nul(x) for x in line[1:].split("|")]
                f += [None] * (5 - len(f))
                cur["document"] = dict(zip(("number", "type", "issuer", "date", "signer"), f[:5]))
                continue
            tag, rest = line[:2], line[2:]
            f = [x.strip() for x in rest.split("|")]
            span = f[0].replace("\\n", "\n")
            occ = None
            if "#" in span and span.rsplit("#", 1)[1].isdigit():
                span, k = span.rsplit("#", 1)
                occ = int(k)
            ref: dict = {"text": span, "kind": None, "type": None, "number": None, "date": None, "issuer": None,
                         "name": None, "relation": None, "pinpoint": [], "target": None, "note": None}
            if tag == "N:":
                f += [""] * (8 - len(f))
                ref.update(kind="numbered", type=nul(f[1]), number=nul(f[2]), date=nul(f[3]), issuer=nul(f[4]),
                           relation=nul(f[5]), pinpoint=pinpoints(f[6]), note=nul(f[7]))
            elif tag == "L:":
                f += [""] * (9 - len(f))
                num = nul(f[3])
                names = [n.strip() for n in f[2].split("~") if n.strip()]
                ref.update(kind="numbered" if num and not num.startswith("=") else "named", type=nul(f[1]),
                           name=names[0] if names else None, number=num.lstrip("=") if num else None,
                           date=nul(f[4]), issuer=nul(f[5]), relation=nul(f[6]),
                           pinpoint=pinpoints(f[7]), note=nul(f[8]))
                if len(names) > 1:
                    ref["name_alternatives"] = names[1:]
            elif tag == "A:":
                f += [""] * (6 - len(f))
                ref.update(kind="short", type=nul(f[1]), target=nul(f[2]), relation=nul(f[3]),
                           pinpoint=pinpoints(f[4]), note=nul(f[5]))
            elif tag == "S:":
                f += [""] * (4 - len(f))
                ref.update(kind="self", type=nul(f[1]), target="self", pinpoint=pinpoints(f[2]), note=nul(f[3]))
            elif tag == "O:":
                f += [""] * (2 - len(f))
                ref.update(kind="optional", note=nul(f[1]))
            else:
                raise ValueError(f"unknown line tag {tag!r}")
            if occ is None:
                at = text.find(span, pos)
                if at < 0:
                    raise ValueError(f"span {span!r} not found after offset {pos}")
                occ = sum(1 for _ in _occurrences(text, span, at))
            else:
                at = _nth(text, span, occ)
            ref["occurrence"] = occ
            ref["start"], ref["end"] = at, at + len(span)
            assert text[at:at + len(span)] == span
            cur["references"].append(ref)
            pos = at + 1
        except Exception as e:  # fail loudly, with where
            sys.exit(f"{src}:{ln}: {e}\n  {raw}")
    return docs


def _occurrences(text: str, span: str, before: int):
    i = text.find(span)
    while 0 <= i < before:
        yield i
        i = text.find(span, i + 1)


def _nth(text: str, span: str, k: int) -> int:
    i = -1
    for _ in range(k + 1):
        i = text.find(span, i + 1)
        if i < 0:
            raise ValueError(f"span {span!r} has no occurrence #{k}")
    return i


def main() -> None:
    for name in sys.argv[1:] or ("central", "central-heldout", "local", "local-heldout"):
        src = HERE / f"{name}.ann"
        if not src.exists():
            continue
        docs = parse(src)
        for d in docs:
            for r in d["references"]:
                for key in ("number", "issuer", "name", "type"):
                    if r[key]:
                        r[key] = unicodedata.normalize("NFC", r[key])
        with open(HERE / f"{name}.jsonl", "w", encoding="utf-8") as out:
            for d in docs:
                out.write(json.dumps(d, ensure_ascii=False) + "\n")
        print(f"{name}: {len(docs)} documents, {sum(len(d['references']) for d in docs)} references")


if __name__ == "__main__":
    main()
