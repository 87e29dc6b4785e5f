"""Reading, sorting and writing in several processes gives what one process gives: the same records, bytes or error."""

from __future__ import annotations

import bisect
import contextlib
import errno
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg import api, export, load, parts, sort
from kg.cli import cli
from kg.load import load_dataset
from kg.model import Dataset
from kg.problems import Problem
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
    assert parts.auto_jobs(parts.AUTO_MIN_BYTES - 1) == 1
    assert 1 <= parts.auto_jobs(parts.AUTO_MIN_BYTES) <= parts.AUTO_MAX_JOBS


def test_jobs_must_be_positive() -> None:
    result = CliRunner().invoke(cli, ["export", "--jobs", "0"])
    assert result.exit_code == 2
    assert "--jobs" in result.output and "0" in result.output


def _loaded_both_ways(data: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[tuple[Dataset, list[Problem]], tuple[Dataset, list[Problem]]]:
    monkeypatch.setattr(parts, "READ_MIN_BYTES", 1 << 60)
    alone = load_dataset(data)
    monkeypatch.setattr(parts, "READ_MIN_BYTES", 0)
    return alone, load_dataset(data)


def _wheres(dataset: Dataset) -> list[dict[str, object]]:
    return [dict(record.where) for record in dataset.records()] + [dict(c.where) for r in dataset.records() for c in r.citations]


def test_two_readers_give_the_one_reader_dataset(generated_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Records, their positions and their order are the same when a helper reads the later files."""
    (alone, alone_problems), (split, split_problems) = _loaded_both_ways(generated_data, monkeypatch)
    assert split == alone and split_problems == alone_problems == []
    assert _wheres(split) == _wheres(alone)
    assert not multiprocessing.active_children()


def test_two_readers_report_the_same_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A mistake in a file the helper reads, an unreadable record and a second dataset section: the same report."""
    (tmp_path / "a.yaml").write_text(
        "dataset:\n  title: First\norganisations:\n  - id: org-a\n    name: A\n    sources: [{source: s, evidence: A}]\n"
    )
    (tmp_path / "b.yaml").write_text("organisations:\n  - id: org-b\n    nmae: B\n")
    (tmp_path / "c.yaml").write_text(
        "dataset:\n  title: Second\norganisations:\n  - id: org-c\n    name: C\n    sources: [{source: s, evidence: C}]\n"
    )
    (alone, alone_problems), (split, split_problems) = _loaded_both_ways(tmp_path, monkeypatch)
    assert split_problems == alone_problems
    found = [(Path(p.pos.path).name, p.field) for p in split_problems if p.pos]
    assert found == [("b.yaml", "nmae"), ("b.yaml", "sources"), ("c.yaml", "dataset")]
    assert split == alone and split.unreadable == alone.unreadable == (("org-b", "organisation"),)


def test_a_helper_that_cannot_read_is_reported_here(generated_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read = load.read_curated

    def refusing(path: Path, shown: str, root: Path | None = None) -> tuple[bytes | None, Problem | None]:
        if path.name.startswith("statistics"):  # a later file: the helper reads it
            raise load.KgError(f"{shown}: cannot read the file: Input/output error")
        return read(path, shown, root)

    monkeypatch.setattr(load, "read_curated", refusing)
    monkeypatch.setattr(parts, "READ_MIN_BYTES", 0)
    with pytest.raises(load.KgError, match=r"statistics-0000\.yaml: cannot read the file: Input/output error"):
        load_dataset(generated_data)
    assert not multiprocessing.active_children()


def test_a_helper_that_dies_is_reported_here(generated_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read = load.read_curated

    def dying(path: Path, shown: str, root: Path | None = None) -> tuple[bytes | None, Problem | None]:
        if path.name.startswith("statistics"):
            os._exit(3)
        return read(path, shown, root)

    monkeypatch.setattr(load, "read_curated", dying)
    monkeypatch.setattr(parts, "READ_MIN_BYTES", 0)
    with pytest.raises(load.KgError, match=r"a helper process ended unexpectedly \(exit status 3\)"):
        load_dataset(generated_data)


def test_one_job_is_one_process(generated_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--jobs 1 starts no helper, for reading or writing; without it, a large enough dataset gets both."""
    started: list[object] = []
    start = parts._start

    def counted(work: Callable[[], object]) -> tuple[Any, Any]:
        started.append(work)
        return start(work)

    monkeypatch.setattr(parts, "_start", counted)
    monkeypatch.setattr(parts, "READ_MIN_BYTES", 0)
    monkeypatch.setattr(parts, "AUTO_MIN_BYTES", 0)
    api.export_dataset(tmp_path / "one.ttl", data=generated_data, jobs=1)
    assert started == []
    api.export_dataset(tmp_path / "two.ttl", data=generated_data)
    assert len(started) == (2 if parts.auto_jobs(10**9) > 1 else 1)
    assert (tmp_path / "two.ttl").read_bytes() == (tmp_path / "one.ttl").read_bytes()


def test_writing_helpers_start_before_the_dataset_is_loaded(generated_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """So that they share none of its memory: forked after loading, a helper ends up with its own copy."""
    events: list[str] = []
    writer, loader = parts.Writer.__init__, api.load_dataset

    def starting(self: parts.Writer) -> None:
        events.append("writer")
        writer(self)

    def loading(root: Path | str) -> tuple[Dataset, list[Problem]]:
        events.append("load")
        return loader(root)

    monkeypatch.setattr(parts.Writer, "__init__", starting)
    monkeypatch.setattr(api, "load_dataset", loading)
    api.export_dataset(tmp_path / "out.ttl", data=generated_data, jobs=3)
    assert events == ["writer", "writer", "load"]
    events.clear()
    api.export_dataset(tmp_path / "out.jsonld", data=generated_data, fmt="jsonld", jobs=3)  # written whole, by this process
    assert events == ["load"]
    assert not multiprocessing.active_children()


def test_a_helper_left_without_work_ends_when_its_channel_closes() -> None:
    """As when kg stops before giving it a part, or dies: the helper does not wait for ever."""
    with parts.writers(1) as (helper,):
        helper._channel.close()
        helper._process.join(10)
        assert helper._process.exitcode == 0


def test_a_helper_that_dies_while_taking_keys_is_reported(tmp_path: Path) -> None:
    keys = [f"https://example.org/id/{i:06d}\x00\x001https://example.org/p\x00\x000https://example.org/o" for i in range(100_000)]
    with parts.writers(1) as (helper,):
        helper._process.kill()
        helper._process.join()
        with pytest.raises(api.KgError, match="a helper process ended unexpectedly"), (tmp_path / "out.nt").open("wb") as out:
            parts.write(
                iter(keys),
                out,
                ["https://example.org/id/050000"],
                export.write_sorted,
                "ntriples",
                export._options("https://example.org/id/", False),
                "kg: writing",
                helpers=[helper],
            )
    assert not multiprocessing.active_children()


def test_data_with_errors_stops_the_helpers_and_writes_nothing(generated_data: Path, tmp_path: Path) -> None:
    """The helpers were started before loading found the mistake: none is left, and no file."""
    data = shutil.copytree(generated_data, tmp_path / "data")
    (data / "broken.yaml").write_text("organisations:\n  - id: broken-org\n    nmae: Broken\n", encoding="utf-8")
    with pytest.raises(api.DataProblems):
        api.export_dataset(tmp_path / "out.ttl", data=data, jobs=2)
    assert not (tmp_path / "out.ttl").exists()
    assert not multiprocessing.active_children()


def test_a_batch_that_cannot_be_sent_is_reported_without_waiting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure on this side (here: too many descriptors in flight) is said as such; the helper, still waiting, is stopped."""

    def refusing(*_args: object) -> int:
        raise OSError(errno.ETOOMANYREFS, os.strerror(errno.ETOOMANYREFS))

    monkeypatch.setattr(parts.socket, "send_fds", refusing)
    with pytest.raises(api.KgError, match="cannot send a helper its part of the graph: Too many references"):
        export.write(iter(_graph() * 2000), tmp_path / "parts.nt", "ntriples", cuts=["https://example.org/id/c"])
    assert not list(tmp_path.iterdir())
    assert not multiprocessing.active_children()


def test_a_key_goes_to_the_part_of_its_subject() -> None:
    """Routing compares whole sort keys with the cuts; the part must be the subject's own,
    or one subject's triples would be split between two processes."""
    chooser = random.Random(11)
    alphabet = "ab/:#-é\U0001f600"
    for _ in range(2_000):
        subject = "".join(chooser.choice(alphabet) for _ in range(chooser.randint(0, 6)))
        cuts = sorted({"".join(chooser.choice(alphabet) for _ in range(chooser.randint(0, 6))) for _ in range(3)} | {subject[:3]})
        obj = Lit("".join(chooser.choice(alphabet + "\x00") for _ in range(3)))
        key = sort.packed_key((subject, "https://example.org/p", obj))
        assert bisect.bisect_right(cuts, key) == parts.part_of(subject, cuts), (subject, cuts)


def test_the_writing_bar_says_which_part_it_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With helpers, this process's bar counts its own part only, and says so."""
    named: list[str] = []

    def tracked(items: Any, description: str, **_options: Any) -> Any:
        named.append(description)
        return items

    monkeypatch.setattr(export, "track", tracked)
    export.write(iter(_graph()), tmp_path / "one.ttl", "turtle")
    export.write(iter(_graph()), tmp_path / "parts.ttl", "turtle", cuts=["https://example.org/id/c"])
    assert named == ["kg: building and sorting", "kg: writing", "kg: building and sorting", "kg: writing part 1 of 2"]


def test_helpers_the_system_will_not_start_leave_the_work_to_this_process(
    generated_data: Path, one_process: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = parts.Writer.__init__
    made: list[object] = []

    def after_one(self: parts.Writer) -> None:
        if made:
            raise OSError(errno.EMFILE, os.strerror(errno.EMFILE))
        made.append(self)
        started(self)

    monkeypatch.setattr(parts.Writer, "__init__", after_one)
    api.export_dataset(tmp_path / "out", data=generated_data, fmt="turtle", jobs=3)  # two processes, not three
    assert (tmp_path / "out").read_bytes() == one_process["turtle"]
    assert len(made) == 1
    assert not multiprocessing.active_children()


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found |= set(map(int, (task / "children").read_text().split()))
    return found


def _running(pid: int) -> bool:
    """Whether the process still runs (a zombie, ended but not reaped, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def larger_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough curated bytes (over 4 MiB) that a second process reads files and helpers write parts."""
    return generate(tmp_path_factory.mktemp("larger"), 17000).data


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; helpers die with their parent by Linux's PR_SET_PDEATHSIG")
@pytest.mark.parametrize("moment", [0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
def test_kill_9_of_export_at_any_moment_leaves_no_helper_behind(larger_data: Path, tmp_path: Path, moment: float) -> None:
    """kill -9 of kg export -j 2 while loading left both helpers deadlocked for good in 9 of 20 kills.
    ``moment``: seconds after the first helper appears (0: as soon as it does)."""
    command = [sys.executable, "-m", "kg", "export", "-q", "--data", str(larger_data), "-j", "2", "-o", str(tmp_path / "kg.ttl")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    helpers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while not helpers and process.poll() is None and time.monotonic() < deadline:
            helpers |= _children(process.pid)
        assert helpers, "no helper was started"
        until = time.monotonic() + moment
        while time.monotonic() < until and process.poll() is None:
            helpers |= _children(process.pid)
            time.sleep(0.01)
        helpers |= _children(process.pid)
    finally:
        process.kill()
        process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(map(_running, helpers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in helpers if _running(pid)]
    for pid in left:  # not to leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert not left, f"helpers {left} outlived their parent"
