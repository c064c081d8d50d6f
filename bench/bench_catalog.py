#!/usr/bin/env python
"""Catalogue lookups at scale: name resolutions per second on one core and memory, on a synthetic catalogue.

    python bench/bench_catalog.py [--rows 500000] [--queries 200000] [--keep /tmp/synthetic.sqlite] [--python-only]

Builds a catalogue of ROWS synthetic laws with the real schema and writer (names made of Vietnamese
subject words; one name in five recurs in two to four years, as Luật Đất đai 2003/2013/2024 does), then,
in a fresh process so the figures are the lookup's own, resolves cited names as a corpus writes them:
"Luật X ngày D tháng M năm Y", "Luật x năm Y", and bare "Luật X" with a citing date. Three workloads:
`corpus` (names drawn with a Zipf law: a corpus cites few laws often), `distinct` (every query a name
not asked before: no cache helps) and `absent` (every query a new name the catalogue does not hold: the miss
path). Reports resolutions/s and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = ("đất đai nhà ở xây dựng đầu tư công doanh nghiệp thuế thu nhập giá trị gia tăng bảo hiểm xã hội y tế "
         "lao động việc làm giáo dục đại học nghề nghiệp khoa học công nghệ môi trường tài nguyên nước khoáng sản "
         "lâm nghiệp thủy sản chăn nuôi trồng trọt giao thông đường bộ sắt thủy nội địa hàng không dân dụng biển "
         "đảo quốc phòng an ninh công an nhân dân cảnh sát cơ động biên phòng dân quân tự vệ tài chính ngân sách "
         "ngân hàng tín dụng chứng khoán kế toán kiểm toán thống kê quy hoạch đô thị điện lực năng lượng nguyên tử "
         "hóa chất dược phẩm thực phẩm an toàn vệ sinh phòng chống tham nhũng rửa tiền ma túy thiên tai cháy nổ "
         "trẻ em thanh niên người cao tuổi khuyết tật bình đẳng giới dân tộc tôn giáo tín ngưỡng báo chí xuất bản "
         "thư viện di sản văn hóa du lịch thể dục thể thao điện ảnh quảng cáo cạnh tranh thương mại điện tử").split()


def make_names(n: int, rng: random.Random) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        k = rng.choice((2, 3, 3, 4, 4, 5))
        words = rng.sample(WORDS, k)
        name = "Luật " + " ".join(words)
        if rng.random() < 0.3:
            i = rng.randrange(1, k)
            name = "Luật " + " ".join(words[:i]) + ", " + " ".join(words[i:])
        key = name.replace(",", "")
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


def build(path: Path, rows: int, seed: int = 7) -> list[dict]:
    """Write ROWS synthetic instruments; return a sample of them (for the queries)."""
    from kgraph.catalog.write import Entry, create, write_entry, write_lookup

    rng = random.Random(seed)
    names = make_names(int(rows / 1.4) + 1, rng)
    made: list[dict] = []
    con = create(path, {"catalog_version": "synthetic", "kind": "bench"})
    seq: dict[int, int] = {}
    i = 0
    for name in names:
        years = [rng.randrange(1990, 2026)]
        if rng.random() < 0.2:
            years += rng.sample(range(1990, 2026), rng.randrange(1, 4))
        for y in sorted(set(years)):
            if i >= rows:
                break
            seq[y] = seq.get(y, 0) + 1
            date = f"{y}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
            eff = f"{y + 1}-01-01"
            e = Entry(number=f"{seq[y]}/{y}/QH{(y - 1946) // 5}", type="Luật", title=name, issuer="Quốc hội",
                      date=date, effective=eff, status="in_force", src="synthetic")
            e.prov = {"title": "synthetic", "date": "synthetic"}
            write_entry(con, e, index_names=True)
            if len(made) < 200_000:
                made.append({"name": name, "date": date, "year": y})
            i += 1
        if i >= rows:
            break
    con.commit()
    write_lookup(con)  # as scripts/build_catalog.py does for a large catalogue
    con.commit()
    con.execute("VACUUM")
    con.close()
    return made


#: Distinct laws a corpus cites by name in the `corpus` workload (the shared corpus's 642 files cite a few
#: hundred; a national collection a few thousand): 20,000 is generous.
CITED = 20_000


def queries(made: list[dict], n: int, workload: str, seed: int = 11) -> list[tuple[str, str | None]]:
    rng = random.Random(seed)
    out = []
    if workload == "absent":  # names the catalogue does not hold (a province's own documents, laws it lacks)
        known = {m["name"] for m in made}
        picks = []
        while len(picks) < n:
            name = "Luật " + " ".join(rng.sample(WORDS, rng.choice((3, 4, 5))))
            if name not in known:
                picks.append({"name": name, "date": f"{rng.randrange(1990, 2026)}-{rng.randrange(1, 13):02d}-"
                                                    f"{rng.randrange(1, 29):02d}"})
    elif workload == "corpus":
        cited = rng.sample(made, min(CITED, len(made)))
        weights = [1 / (r + 1) for r in range(len(cited))]  # Zipf: the tenth most cited law, a tenth as often
        picks = rng.choices(cited, weights=weights, k=n)
    else:
        picks = [made[i % len(made)] for i in range(n)]
    for j, m in enumerate(picks):
        y, mo, d = m["date"].split("-")
        form = j % 3 if workload != "distinct" else rng.randrange(3)
        if form == 0:
            out.append((f"{m['name']} ngày {int(d)} tháng {int(mo)} năm {y}", None))
        elif form == 1:
            out.append((f"{m['name'].upper() if j % 7 == 0 else m['name']} năm {y}", None))
        else:
            out.append((m["name"], f"{int(y) + 2}-06-30"))
    return out


def _hwm() -> float:
    """This process's peak resident memory in MB (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: str, qfile: str, workload: str, python_only: bool = False) -> dict:
    """Run in a fresh process: open the catalogue, resolve every query, report speed and peak memory."""
    from kgraph.catalog import namekey
    from kgraph.catalog.resolve import Ambiguous, Match, resolve_name
    from kgraph.catalog.store import Catalog

    if python_only:
        namekey._namekey = None  # as where the C probe could not be built

    rss0 = _hwm()
    # Opening is timed apart: the index is read at the first lookup, once per process (once per build), and
    # would otherwise be charged to however many lookups the run happens to make.
    o_wall, o_cpu = time.perf_counter(), time.process_time()
    cat = Catalog(shipped=path, user=False)
    resolve_name("Luật Không có trong danh mục năm 1900", at=None, catalog=cat)
    open_wall, open_cpu = time.perf_counter() - o_wall, time.process_time() - o_cpu
    counts = {"match": 0, "ambiguous": 0, "none": 0}
    n = 0
    t = time.perf_counter()
    cpu0 = time.process_time()
    with open(qfile, encoding="utf-8") as f:  # streamed: the figure is the lookups' memory, not the queries'
        for line in f:
            name, _, at = line.rstrip("\n").partition("\t")
            r = resolve_name(name, at=at or None, catalog=cat)
            counts["match" if isinstance(r, Match) else "ambiguous" if isinstance(r, Ambiguous) else "none"] += 1
            n += 1
    secs = time.perf_counter() - t
    cpu = time.process_time() - cpu0
    qs = range(n)
    rss = _hwm()
    return {"workload": workload, "queries": len(qs), "seconds": round(secs, 2),
            "per_second": int(len(qs) / secs), "cpu_seconds": round(cpu, 2), "per_cpu_second": int(len(qs) / cpu), "peak_rss_mb": round(rss, 1),
            "rss_before_open_mb": round(rss0, 1), "open_seconds": round(open_wall, 3),
            "open_cpu_seconds": round(open_cpu, 3),
            "per_cpu_second_with_open": int(len(qs) / (cpu + open_cpu)), "compiled": namekey.compiled(), **counts}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--queries", type=int, default=200_000)
    ap.add_argument("--keep", default=None, help="reuse/keep the synthetic catalogue at this path")
    ap.add_argument("--workloads", default="corpus,distinct,absent", help="comma-separated: corpus, distinct, absent")
    ap.add_argument("--python-only", action="store_true",
                    help="resolve without the compiled probe, as where no C compiler built it")
    ap.add_argument("--measure", nargs=3, metavar=("DB", "QUERIES", "WORKLOAD"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure, python_only=args.python_only)))
        return 0
    with tempfile.TemporaryDirectory(prefix="kg-bench-catalog-") as t:  # removed after the run, kept catalogue aside
        return _run(args, Path(t))


def _run(args: argparse.Namespace, tmp: Path) -> int:
    """Build (or reuse) the synthetic catalogue, write each workload's queries into `tmp`, measure each apart."""
    db = Path(args.keep) if args.keep else tmp / "synthetic.sqlite"
    sample_file = db.with_suffix(".sample.json")
    if not db.exists() or not sample_file.exists():
        t = time.perf_counter()
        made = build(db, args.rows)
        sample_file.write_text(json.dumps(made, ensure_ascii=False), encoding="utf-8")
        print(f"built {args.rows} rows in {time.perf_counter() - t:.0f} s: {db} ({db.stat().st_size / 1e6:.0f} MB)")
    made = json.loads(sample_file.read_text(encoding="utf-8"))
    for workload in args.workloads.split(","):
        qfile = tmp / f"q-{workload}.tsv"
        qfile.write_text("".join(f"{q}\t{at or ''}\n" for q, at in queries(made, args.queries, workload)),
                         encoding="utf-8")
        env = dict(os.environ, OMP_NUM_THREADS="1")
        cmd = ["taskset", "-c", "0"] if os.path.exists("/usr/bin/taskset") else []
        out = subprocess.run([*cmd, sys.executable, __file__, "--measure", str(db), str(qfile), workload,
                              *(["--python-only"] if args.python_only else [])],
                             capture_output=True, text=True, env=env, check=True).stdout
        r = json.loads(out)
        print(f"{r['workload']:<9} {r['queries']} resolutions in {r['seconds']} s wall = {r['per_second']:,}/s; "
              f"{r['cpu_seconds']} s CPU on one core = {r['per_cpu_second']:,}/CPU-s "
              f"(opening apart: {r['open_cpu_seconds']} CPU s; with it {r['per_cpu_second_with_open']:,}/CPU-s); peak RSS {r['peak_rss_mb']} MB (interpreter + imports {r['rss_before_open_mb']} MB); "
              f"match {r['match']}, ambiguous {r['ambiguous']}, none {r['none']}; "
              f"compiled probe {'yes' if r.get('compiled') else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
