"""The benchmark runs at its smallest size, so that it cannot rot (see benchmarks/run.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402  (a script folder, not a package)

from kg.api import prepare  # noqa: E402


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_generated_data_is_seeded_valid_and_fully_grounded(tmp_path: Path) -> None:
    """Same seed, same bytes; the data passes every record check with every evidence quote found in its text."""
    first, again, _other = generate(tmp_path / "a", 400), generate(tmp_path / "b", 400), generate(tmp_path / "c", 400, seed=12)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert _tree(tmp_path / "a") != _tree(tmp_path / "c")
    dataset, report = prepare(first.data)
    assert report.errors == []
    assert report.evidence_total > first.facts
    assert len(report.anchors) == report.evidence_total
    kinds = {record.kind_name for record in dataset.records()} | {e.kind for e in dataset.entities}
    every = {"source", "statement", "statistic", "quote", "claim", "organisation", "person", "post", "place", "initiative", "measure"}
    assert every <= kinds
    assert again.facts == first.facts == len(dataset) - first.sources


def test_benchmark_runs_every_stage_at_1k(tmp_path: Path) -> None:
    """`benchmarks/run.py --sizes 1k` prints a row with numbers for every stage, and ratios to the floor."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "1k", "--work", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    table = [line.split("|") for line in done.stdout.splitlines() if line.startswith("| ")]
    rows = {cells[1].strip(): [c.strip() for c in cells[2:-1]] for cells in table}
    stages = ["load", "check", "build", "export-turtle", "export-ntriples", "kg-check", "queries", "naive", "floor"]
    assert [s for s in rows if s not in ("stage", "---")] == stages
    for stage in stages:
        seconds, cpu, rate, peak, together, time_ratio, cpu_ratio, memory_ratio, _notes = rows[stage]
        for number in (seconds, cpu, peak, time_ratio, cpu_ratio, memory_ratio):
            assert float(number) > 0, (stage, rows[stage])
        assert float(rate.replace(",", "")) > 0, (stage, rows[stage])
        assert float(together) >= float(peak), (stage, rows[stage])
    assert rows["floor"][5] == rows["floor"][6] == "1.00"
    assert re.match(r"0 errors, 0 warnings; \d+ records; (\d+) of \1 evidence quotes grounded", rows["kg-check"][8]), rows["kg-check"]
    assert (tmp_path / "1k" / "kg.ttl").stat().st_size > 0
