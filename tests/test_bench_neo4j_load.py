"""The load benchmark's method, without a server: a tree's loader is the one its child imports, every round runs each
loader once and starts with the next one, and ratios pair the runs of one round."""

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import bench_neo4j_load as bench  # noqa: E402


def test_a_tree_child_imports_that_trees_kgraph(tmp_path: Path) -> None:
    """Run from this checkout (as pytest is), the child still imports the other tree's kgraph, not this one's."""
    (tmp_path / "kgraph").mkdir()
    (tmp_path / "kgraph" / "__init__.py").write_text("WHICH = 'other tree'\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", "import kgraph; print(kgraph.WHICH)"], **bench.in_tree(tmp_path),
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "other tree"


def test_rounds_run_each_loader_once_and_rotate_the_first() -> None:
    names = ["main", "branch", "rdflib-neo4j"]
    rs = list(bench.rounds(names, 7))
    assert len(rs) == 7
    assert all(sorted(r) == sorted(names) for r in rs)
    assert [r[0] for r in rs] == ["main", "branch", "rdflib-neo4j", "main", "branch", "rdflib-neo4j", "main"]
    # in the whole sequence, the load just before each loader's is not always the same loader's
    seq = [n for r in rs for n in r]
    before = {n: {seq[i - 1] for i in range(1, len(seq)) if seq[i] == n} for n in names}
    assert all(len(b) == 2 for b in before.values()), before


def test_ratios_pair_the_runs_of_a_round() -> None:
    figures = {"kg": {"median_seconds": 4.0, "runs": [{"seconds": 5.0}, {"seconds": 4.0}, {"seconds": 2.0}]},
               bench.RDFLIB: {"median_seconds": 40.0, "runs": [{"seconds": 50.0}, {"seconds": 40.0}, {"seconds": 30.0}]}}
    assert bench._ratios(figures) == "kg 10.00x rdflib-neo4j (per run 10.0, 10.0, 15.0)"
    assert bench._ratios({"kg": figures["kg"]}) == ""


def test_the_command_is_that_tree_s_kg_load_timed_with_its_own_cpu(tmp_path: Path) -> None:
    """kgraph's figure is the `kg load` command of the tree, in a process of its own: its report comes back, its wall
    time from start to exit and its CPU (this child's, not the bench's: no more than its wall time, one thread)."""
    import pytest

    (tmp_path / "kgraph").mkdir()
    (tmp_path / "kgraph" / "__init__.py").write_text("", encoding="utf-8")
    cli = tmp_path / "kgraph" / "cli.py"
    cli.write_text("import json, sys, time\n"
                   "def main():\n"
                   "    while time.process_time() < 0.3:\n"
                   "        pass\n"
                   "    print('Loaded ...', file=sys.stderr)\n"
                   "    print(json.dumps({'argv': sys.argv[1:]}))\n"
                   "    return 0\n", encoding="utf-8")
    report, seconds, cpu = bench.run_command(Path("/some/build"), tmp_path)
    assert report == {"argv": ["load", "/some/build", "--format", "json"]}
    assert 0.3 <= cpu <= seconds
    cli.write_text("import sys\ndef main():\n    print('refused', file=sys.stderr)\n    return 1\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="refused"):
        bench.run_command(Path("/some/build"), tmp_path)
