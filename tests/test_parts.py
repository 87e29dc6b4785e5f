"""Sorting and writing in several processes gives the one process's bytes, or its error."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import api, export, parts
from kg.cli import cli
from kg.terms import Lit, Triple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from generate import generate  # a script folder, not a package

pytestmark = pytest.mark.skipif(not parts.can_fork(), reason="this system cannot fork: kg export always uses one process")


@pytest.fixture(scope="module")
def generated_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("generated"), 300).data


@pytest.fixture(scope="module")
def one_process(generated_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("one")
    written = {}
    for fmt in ("turtle", "ntriples"):
        api.export_dataset(folder / fmt, data=generated_data, fmt=fmt, jobs=1)
        written[fmt] = (folder / fmt).read_bytes()
    return written


@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
@pytest.mark.parametrize("jobs", [2, 3, 7])
def test_parts_join_into_the_one_process_bytes(
    generated_data: Path, one_process: dict[str, bytes], tmp_path: Path, fmt: str, jobs: int
) -> None:
    count, _ = api.export_dataset(tmp_path / "out", data=generated_data, fmt=fmt, jobs=jobs)
    assert (tmp_path / "out").read_bytes() == one_process[fmt]
    assert count == one_process[fmt].count(b"\n") if fmt == "ntriples" else count > 0
    assert not multiprocessing.active_children()


def test_standard_output_gets_the_same_bytes(generated_data: Path, one_process: dict[str, bytes]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kg", "export", "--data", str(generated_data), "--jobs", "3"], capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == one_process["turtle"]
    assert done.stderr.decode().endswith("triples (turtle) to standard output\n")


def _graph() -> list[Triple]:
    return [
        (f"https://example.org/id/{name}", "https://example.org/p", Lit(f"{name} {i}"))
        for name in ("a", "b", "c", "d", "e")
        for i in range(3)
    ]


@pytest.mark.parametrize(
    "cuts", [[""], ["\U0010ffff"], ["https://example.org/id/b", "https://example.org/id/b0", "https://example.org/id/e"]]
)
def test_empty_parts_leave_one_prefix_table(tmp_path: Path, cuts: list[str]) -> None:
    """The first part empty, the last empty, one in the middle empty: the same file."""
    export.write(iter(_graph()), tmp_path / "one.ttl", "turtle")
    export.write(iter(_graph()), tmp_path / "parts.ttl", "turtle", cuts=cuts)
    assert (tmp_path / "parts.ttl").read_bytes() == (tmp_path / "one.ttl").read_bytes()
    assert (tmp_path / "one.ttl").read_bytes().count(b"@prefix kg:") == 1


def _with_a_bad_iri() -> Iterator[Triple]:
    yield from _graph()
    yield "https://example.org/id/d e", "https://example.org/p", Lit("a space in the subject")


def test_a_part_refused_in_another_process_is_refused_here(tmp_path: Path) -> None:
    """The invalid IRI falls in the last part, written by a child: its message, no file, no process left."""
    with pytest.raises(api.KgError) as alone:
        export.write(_with_a_bad_iri(), tmp_path / "one.ttl", "turtle")
    with pytest.raises(api.KgError) as split:
        export.write(_with_a_bad_iri(), tmp_path / "parts.ttl", "turtle", cuts=["https://example.org/id/b", "https://example.org/id/d"])
    assert str(split.value) == str(alone.value)
    assert "d e" in str(split.value)
    assert not list(tmp_path.iterdir())
    assert not multiprocessing.active_children()


def test_bounds_cut_the_records_evenly() -> None:
    subjects = [f"https://example.org/id/r{i:04d}" for i in range(1000)]
    cuts = parts.bounds(reversed(subjects), 4)
    assert cuts == ["https://example.org/id/r0250", "https://example.org/id/r0500", "https://example.org/id/r0750"]
    assert [parts.part_of(s, cuts) for s in subjects[249:252]] == [0, 1, 1]
    assert parts.bounds(subjects[:2], 5) == ["https://example.org/id/r0000", "https://example.org/id/r0001"]
    assert parts.bounds(subjects, 1) == [] and parts.bounds([], 3) == []


def test_small_datasets_use_one_process() -> None:
    assert parts.auto_jobs(parts.AUTO_MIN_RECORDS - 1) == 1
    assert 1 <= parts.auto_jobs(parts.AUTO_MIN_RECORDS) <= parts.AUTO_MAX_JOBS


def test_jobs_must_be_positive() -> None:
    result = CliRunner().invoke(cli, ["export", "--jobs", "0"])
    assert result.exit_code == 2
    assert "--jobs" in result.output and "0" in result.output
