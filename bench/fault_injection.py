"""Fault injection (issue 14): kill `kg build` at random points, fill its disk, stop Neo4j during `kg load`;
each time check that a rerun gives the clean result and that nothing outside the output folder changed.

    [KGRAPH_SHARED=/path/to/shared] python bench/fault_injection.py [--kills 30] [--files 12] [--seed 1]

- kill: `kg build` (2 workers) is sent SIGKILL (the main process only, as `kill -9 PID` would) after a random
  delay in [0, 1.2 x a clean build's time], into a fresh folder or over an older build of the same inputs
  with one file missing; the rerun must exit 0 and give graph.nt byte for byte equal to a clean build's,
  a store holding as many triples as a clean build's, no worker left behind, and every file outside the folder as it was.
- full disk: the folder on a 2 MB tmpfs (root and mount(8) needed, else reported as skipped): the build
  must fail with one clear line (no traceback), and after the tmpfs is grown a rerun gives the clean result.
  Also over an older complete build: the failed rebuild leaves the old graph.nt as it was.

tests/test_fault_injection.py runs the same trials with small counts; this script reports larger runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

SHARED = Path(os.environ.get("KGRAPH_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
KG = str(Path(sys.executable).with_name("kg"))


def snapshot(root: Path, skip: Path) -> dict[str, tuple[int, str]]:
    """Every file under `root` but outside `skip`: its size and SHA-256 (links by their target)."""
    out: dict[str, tuple[int, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        d = Path(dirpath)
        if d == skip or skip in d.parents:
            dirnames.clear()
            continue
        dirnames[:] = [n for n in dirnames if d / n != skip]
        for n in filenames:
            p = d / n
            if p.is_symlink():
                out[str(p)] = (-1, os.readlink(p))
            else:
                out[str(p)] = (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
    return out


def corpus(dest: Path, n: int) -> Path:
    """`n` gazette texts of ../shared copied into `dest` (a temporary folder: the trials' inputs)."""
    files = sorted((SHARED / "corpus" / "congbao").glob("*/*.txt"))
    if not files:
        raise FileNotFoundError(f"no corpus under {SHARED}")
    step = max(1, len(files) // n)
    dest.mkdir(parents=True, exist_ok=True)
    for f in files[::step][:n]:
        shutil.copyfile(f, dest / f.name)
    return dest


def build(inputs: Path, out: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([KG, "build", str(inputs), "--out", str(out), "-q", "-j", "2"], capture_output=True,
                          text=True, timeout=timeout)


def store_triples(out: Path) -> int | None:
    """How many triples the folder's current store holds (in a child: the store is opened read-only there)."""
    code = ("import sys; from kgraph.sinks.oxigraph_store import open_store; "
            "print(len(open_store(sys.argv[1])))")
    p = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, timeout=120)
    return int(p.stdout) if p.returncode == 0 else None


def _session_pids(sid: int) -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[3]) == sid and stat[0] != "Z":  # field 6 of stat: the session
                pids.append(int(d.name))
    return pids


@dataclass
class Clean:
    inputs: Path
    graph: bytes
    triples: int | None  # in its store (the graph and the ontology)
    seconds: float
    rebuild_seconds: float  # a rebuild over an older build that lacked one file (what odd trials kill)


def build_without(inputs: Path, out: Path, victim: Path, work: Path) -> None:
    """An older build of `inputs` into `out`, made while `victim` is set aside in `work`; the file is put back."""
    aside = work / f"aside-{victim.name}"
    victim.rename(aside)
    try:
        assert build(inputs, out).returncode == 0
    finally:
        aside.rename(victim)


def clean_build(inputs: Path, work: Path) -> Clean:
    out = work / "clean"
    t = time.monotonic()
    p = build(inputs, out)
    assert p.returncode == 0, p.stderr
    seconds = time.monotonic() - t
    graph, triples = (out / "graph.nt").read_bytes(), store_triples(out)
    # Time the kind of rebuild the odd trials interrupt, so their kill delays scale with it and not with
    # a whole build's (which it is far shorter than: the other files come from the cache).
    build_without(inputs, out, sorted(inputs.iterdir())[0], work)
    t = time.monotonic()
    p = build(inputs, out)
    assert p.returncode == 0, p.stderr
    rebuild_seconds = time.monotonic() - t
    assert (out / "graph.nt").read_bytes() == graph, "a rebuild with a file back differs from the clean build"
    return Clean(inputs, graph, triples, seconds, rebuild_seconds)


@dataclass
class KillTrial:
    trial: int
    over: str  # "nothing" (a fresh folder) or "older build" (one file missing from it)
    delay: float
    killed: bool  # False: the build finished before the signal
    workers_left: int
    rerun_exit: int
    graph_identical: bool
    store_ok: bool
    outside_untouched: bool

    @property
    def ok(self) -> bool:
        return (self.workers_left == 0 and self.rerun_exit == 0 and self.graph_identical and self.store_ok
                and self.outside_untouched)


def kill_trial(clean: Clean, work: Path, trial: int, rnd: random.Random, span: tuple[float, float] = (0, 1.2),
               retries: int = 0) -> KillTrial:
    """One build killed after a delay drawn from `span` x a clean build's time, then rerun. A build that finishes
    before its signal is tried again up to `retries` times, the delay drawn against the time that build took: the
    machine's speed swings 2-3x between the clean build's timing and a trial (a test that wants most trials to die
    mid-build failed when the machine sped up)."""
    out = work / f"out-{trial}"
    (work / f"beside-{trial}.txt").write_text("a file next to the output folder", "utf-8")
    over = "older build" if trial % 2 else "nothing"
    base = clean.rebuild_seconds if over == "older build" else clean.seconds
    for attempt in range(retries + 1):
        shutil.rmtree(out, ignore_errors=True)
        if over == "older build":  # an older build of the same inputs with one file missing, then the file back
            files = sorted(clean.inputs.iterdir())
            build_without(clean.inputs, out, files[trial % len(files)], work)
        before = snapshot(work, out)
        delay = rnd.uniform(span[0] * base, span[1] * base)
        started = time.monotonic()
        proc = subprocess.Popen([KG, "build", str(clean.inputs), "--out", str(out), "-q", "-j", "2"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout=delay)
            killed = False
        except subprocess.TimeoutExpired:
            killed = True
        if killed or attempt == retries:
            break
        base = min(base, time.monotonic() - started)  # finished first: this build's own time
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 15
    while _session_pids(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _session_pids(proc.pid)
    for pid in left:  # only this trial's own processes (its session)
        os.kill(pid, signal.SIGKILL)
    p = build(clean.inputs, out)
    graph = (out / "graph.nt").read_bytes() if (out / "graph.nt").exists() else b""
    after = snapshot(work, out)
    result = KillTrial(trial, over, round(delay, 2), killed, len(left), p.returncode, graph == clean.graph,
                       store_triples(out) == clean.triples, before == after)
    shutil.rmtree(out, ignore_errors=True)
    return result


@dataclass
class DiskTrial:
    case: str
    failed_clearly: bool
    message: str
    old_graph_kept: bool | None
    rerun_exit: int
    graph_identical: bool
    outside_untouched: bool

    @property
    def ok(self) -> bool:
        return (self.failed_clearly and self.old_graph_kept is not False and self.rerun_exit == 0
                and self.graph_identical and self.outside_untouched)


def can_mount() -> str | None:
    """None when a tmpfs can be mounted here, else why not."""
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root"
    if not shutil.which("mount"):
        return "no mount(8)"
    d = Path(tempfile.mkdtemp(prefix="kg-mount-"))
    try:
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(d)], capture_output=True, text=True)
        if p.returncode != 0:
            return f"mount refused: {p.stderr.strip()}"
        subprocess.run(["umount", str(d)], check=True)
        return None
    finally:
        d.rmdir()


def disk_trial(clean: Clean, work: Path, over_older: bool) -> DiskTrial:
    """The output folder on a tmpfs too small for the build; then the tmpfs grown and the build rerun."""
    mnt = work / ("full-older" if over_older else "full")
    mnt.mkdir()
    (work / "beside-full.txt").write_text("a file next to the full disk", "utf-8")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mnt)], check=True)
    try:
        out = mnt / "out"
        (mnt / "kept.txt").write_text("a file of someone else's on the same disk", "utf-8")
        old = None
        if over_older:  # a complete build of all but one file, then the disk filled and the file back
            build_without(clean.inputs, out, sorted(clean.inputs.iterdir())[0], work)
            old = (out / "graph.nt").read_bytes()
            used = shutil.disk_usage(mnt).used
            subprocess.run(["mount", "-o", f"remount,size={used + 256 * 1024}", str(mnt)], check=True)
        else:
            subprocess.run(["mount", "-o", "remount,size=2m", str(mnt)], check=True)
        before = snapshot(work, out)
        p = build(clean.inputs, out)
        message = (p.stderr.strip().splitlines() or [""])[-1]
        clear = p.returncode != 0 and "Traceback" not in p.stderr and message.startswith("Error: no space left on the device")
        kept = None if old is None else (out / "graph.nt").read_bytes() == old
        subprocess.run(["mount", "-o", "remount,size=256m", str(mnt)], check=True)
        r = build(clean.inputs, out)
        graph = (out / "graph.nt").read_bytes() if (out / "graph.nt").exists() else b""
        return DiskTrial("over an older build" if over_older else "fresh folder", clear, message, kept,
                         r.returncode, graph == clean.graph, before == snapshot(work, out))
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=30)
    ap.add_argument("--files", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="also write every trial to this file")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="kg-faults-"))
    try:
        clean = clean_build(corpus(work / "in", args.files), work)
        lines = clean.graph.count(b"\n")
        print(f"clean build: {args.files} files, {lines} triples in graph.nt, {clean.seconds:.1f} s", flush=True)
        kills = []
        for i in range(args.kills):
            k = kill_trial(clean, work, i, rnd)
            kills.append(k)
            print(("ok  " if k.ok else "FAIL") + f" kill {i}: {asdict(k)}", flush=True)
        disks: list[DiskTrial] = []
        why = can_mount()
        if why:
            print(f"full disk: skipped ({why})")
        else:
            for older in (False, True):
                d = disk_trial(clean, work, older)
                disks.append(d)
                print(("ok  " if d.ok else "FAIL") + f" full disk: {asdict(d)}", flush=True)
        n_killed = sum(k.killed for k in kills)
        print(f"\nkills: {len(kills)} trials ({n_killed} killed mid-build, {len(kills) - n_killed} finished first), "
              f"{sum(k.ok for k in kills)} reran to the clean result with nothing else changed")
        if disks:
            print(f"full disk: {len(disks)} trials, {sum(d.ok for d in disks)} failed clearly and reran to the clean result")
        if args.json:
            Path(args.json).write_text(json.dumps({"kills": [asdict(k) for k in kills], "disk": [asdict(d) for d in disks]},
                                                  ensure_ascii=False, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
