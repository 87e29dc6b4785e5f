"""Output is never half-written.

``kg export -o FILE`` either replaces FILE with a complete graph or leaves it byte for
byte as it was: when the data has an error, when the writer fails part-way, and when
the process is killed part-way (even by SIGKILL, which no code can catch). Standard
output gets the whole text or nothing, and a failure to write it is reported, never a
silently short output.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from helpers import signals_as_at_a_shell

import kg.export
from kg import api
from kg.build import triples
from kg.cli import cli
from kg.problems import DataProblems, KgError
from kg.terms import Lit, Triple

#: How many organisations the large dataset holds: enough that an export takes
#: seconds, so that it can be killed while it writes. (The kill tests export with
#: --no-shacl: they are about writing, and SHACL validation would take far longer.)
BIG_RECORDS = 12_000
#: Bytes an existing output holds before each test (not a graph: any bytes at all).
OLD = b"# the previous export\n\x00\xff binary and not UTF-8 \xfe\n" * 50

POSIX = pytest.mark.skipif(os.name != "posix", reason="signals and FIFOs are POSIX")

SOURCES = """\
sources:
  - id: source-1
    kind: report
    title: "A report"
    publisher: unknown
    author: unknown
    undated: true
"""


def organisations(count: int, start: int = 0) -> str:
    lines = ["organisations:"]
    for n in range(start, start + count):
        lines += [
            f"  - id: org-{n}",
            f'    name: "Organisation number {n}, called \\"the {n}th\\""',
            f'    alt_names: ["Org {n}"]',
            "    sources:",
            "      - source: source-1",
            f'        evidence: "said to be organisation {n}"',
        ]
    return "\n".join(lines) + "\n"


def write_dataset(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (folder / "organisations.yaml").write_text(organisations(count), encoding="utf-8")
    return folder


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "small", 5)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A dataset with errors: a load error (no sources) and a check error (an unknown source)."""
    folder = write_dataset(tmp_path / "broken", 5)
    (folder / "more.yaml").write_text(
        "organisations:\n"
        "  - id: no-sources\n    name: Nobody cites this\n"
        "  - id: unknown-source\n    name: Cites nothing real\n"
        "    sources:\n      - source: no-such-source\n        evidence: words\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Output of about a megabyte: far more than a pipe holds."""
    return write_dataset(tmp_path_factory.mktemp("medium") / "data", 1_500)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("big") / "data", BIG_RECORDS)


def parts(folder: Path) -> set[str]:
    """The temporary files of writes into ``folder``."""
    return {p.name for p in folder.iterdir() if re.fullmatch(r"\..+\.part", p.name)}


def kg_export(*args: str, cwd: Path | None = None, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "kg", "export", *args],
        capture_output=True,
        cwd=cwd,
        timeout=300,
        **kwargs,  # type: ignore[call-overload]
    )


def start_export(*args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # type: ignore[call-overload]
        [sys.executable, "-m", "kg", "export", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=signals_as_at_a_shell,
        **kwargs,
    )


def graph_of(data: bytes | Path, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> set[ox.Triple]:
    if isinstance(data, Path):
        return {q.triple for q in ox.parse(path=data, format=fmt)}
    return {q.triple for q in ox.parse(data, format=fmt)}


def reported_count(stderr: bytes) -> int:
    match = re.search(rb"kg: wrote (\d+) triples", stderr)
    assert match, stderr.decode("utf-8", "replace")
    return int(match.group(1))


# --- (a) data with an error writes nothing --------------------------------------------------


def test_data_error_leaves_existing_output_unchanged(tmp_path: Path, broken: Path) -> None:
    out = tmp_path / "out.ttl"
    out.write_bytes(OLD)
    before = out.stat()
    run = kg_export("-o", str(out), "--data", str(broken))
    assert run.returncode == 1, run.stderr.decode()
    assert out.read_bytes() == OLD
    assert out.stat().st_mtime_ns == before.st_mtime_ns and out.stat().st_ino == before.st_ino
    assert parts(tmp_path) == set()
    assert b"nothing was written" in run.stderr
    assert run.stdout == b""


def test_data_error_creates_no_output(tmp_path: Path, broken: Path) -> None:
    out = tmp_path / "new.ttl"
    run = kg_export("-o", str(out), "--data", str(broken))
    assert run.returncode == 1
    assert not out.exists()
    assert parts(tmp_path) == set()


def test_data_error_writes_nothing_to_standard_output(broken: Path) -> None:
    run = kg_export("-o", "-", "--data", str(broken))
    assert run.returncode == 1
    assert run.stdout == b""


# --- (b) a real kill part-way -----------------------------------------------------------------


def kill_while_writing(proc: subprocess.Popen[bytes], folder: Path, signum: int) -> bool:
    """Send ``signum`` once the export's temporary file has bytes in it: the target is
    then being replaced, the moment a half-written file could appear. False if the
    export ended before that was seen."""
    deadline = time.monotonic() + 240
    while proc.poll() is None and time.monotonic() < deadline:
        for name in parts(folder):
            try:
                if (folder / name).stat().st_size > 0:
                    proc.send_signal(signum)
                    return True
            except FileNotFoundError:
                pass
        time.sleep(0.002)
    return False


@POSIX
def test_sigkill_part_way_leaves_old_bytes_then_a_full_run_completes(tmp_path: Path, big: Path) -> None:
    out = tmp_path / "out.ttl"
    out.write_bytes(OLD)
    proc = start_export("-o", str(out), "--data", str(big), "--no-shacl")
    killed = kill_while_writing(proc, tmp_path, signal.SIGKILL)
    proc.communicate(timeout=60)
    if not killed:
        pytest.skip("the export finished before it could be killed; raise BIG_RECORDS")
    assert proc.returncode == -signal.SIGKILL
    assert out.read_bytes() == OLD, "a killed export must leave the old file exactly as it was"
    stale = parts(tmp_path)
    # SIGKILL cannot be caught: its temporary file stays (hidden, beside the target)
    assert len(stale) <= 1
    if stale:  # named after the killed process, so that the next write knows it is stale
        assert re.fullmatch(rf"\.out\.ttl\.[A-Za-z0-9-]+\.{proc.pid}\.[a-z0-9_]{{8}}\.part", next(iter(stale)))

    done = kg_export("-o", str(out), "--data", str(big), "--no-shacl")
    assert done.returncode == 0, done.stderr.decode()
    graph = graph_of(out)
    assert len(graph) == reported_count(done.stderr)
    assert ox.NamedNode(f"https://example.org/kg/id/org-{BIG_RECORDS - 1}") in {t.subject for t in graph}
    assert out.read_bytes().endswith(b" .\n")
    assert parts(tmp_path) == set(), "the next export removes the killed one's temporary file, and leaves none of its own"


@POSIX
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["TERM", "INT", "HUP"])
def test_catchable_signal_part_way_leaves_old_bytes_and_no_temporary_file(tmp_path: Path, big: Path, signum: signal.Signals) -> None:
    out = tmp_path / "out.ttl"
    out.write_bytes(OLD)
    proc = start_export("-o", str(out), "--data", str(big), "--no-shacl")
    killed = kill_while_writing(proc, tmp_path, signum)
    _, stderr = proc.communicate(timeout=60)
    if not killed:
        pytest.skip("the export finished before it could be interrupted; raise BIG_RECORDS")
    if signum == signal.SIGINT:
        assert proc.returncode == 130, "Ctrl-C exits 130, as shells expect"
        assert stderr.decode() == "kg: interrupted\n", "one short line (no empty one before it into a pipe), no traceback"
    else:
        assert proc.returncode == -signum, "the export ends as the signal would have ended it"
    assert out.read_bytes() == OLD
    assert parts(tmp_path) == set(), "the temporary file is removed"


# --- (c) an exception in the middle of writing --------------------------------------------------


class Boom(Exception):
    pass


def failing_writer(exc: BaseException, after: int = 4096):
    """A format writer that writes the real output's first ``after`` bytes, then raises."""
    real = kg.export.FORMATS["turtle"].write

    def write(triples: list[Triple], out: BinaryIO, prefixes: dict[str, str]) -> None:
        buffer = io.BytesIO()
        real(triples, buffer, prefixes)
        out.write(buffer.getvalue()[:after])
        out.flush()
        raise exc

    return write


@pytest.fixture
def failing_turtle(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    fmt = kg.export.FORMATS["turtle"]
    monkeypatch.setitem(kg.export.FORMATS, "turtle", dataclasses.replace(fmt, write=failing_writer(Boom("disk on fire"))))
    yield


@pytest.mark.usefixtures("failing_turtle")
def test_exception_mid_write_leaves_old_file_and_no_temporary_file(tmp_path: Path, small: Path) -> None:
    out = tmp_path / "out.ttl"
    out.write_bytes(OLD)
    with pytest.raises(Boom):
        api.export_dataset(out, data=small)
    assert out.read_bytes() == OLD
    assert parts(tmp_path) == set()


@pytest.mark.usefixtures("failing_turtle")
def test_exception_mid_write_creates_no_file(tmp_path: Path, small: Path) -> None:
    out = tmp_path / "out.ttl"
    with pytest.raises(Boom):
        kg.export.write(triples(api.load(small)), out, "turtle")
    assert sorted(tmp_path.iterdir()) == [small]


@pytest.mark.usefixtures("failing_turtle")
def test_exception_mid_write_puts_nothing_on_standard_output(small: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    with pytest.raises(Boom):
        kg.export.write(triples(api.load(small)), "-", "turtle")
    assert capsysbinary.readouterr().out == b""


@pytest.mark.parametrize(
    "exc",
    [KeyboardInterrupt(), SystemExit(3), OSError(28, "No space left on device"), MemoryError()],
    ids=["KeyboardInterrupt", "SystemExit", "ENOSPC", "MemoryError"],
)
def test_any_exception_mid_write_cleans_up(tmp_path: Path, small: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    fmt = kg.export.FORMATS["turtle"]
    monkeypatch.setitem(kg.export.FORMATS, "turtle", dataclasses.replace(fmt, write=failing_writer(exc, after=100)))
    out = tmp_path / "out.ttl"
    out.write_bytes(OLD)
    expected = KgError if isinstance(exc, OSError) else type(exc)  # a failing disk is the tool's error, exit 2
    with pytest.raises(expected):
        kg.export.write(triples(api.load(small)), out, "turtle")
    assert out.read_bytes() == OLD
    assert parts(tmp_path) == set()


@pytest.mark.parametrize("fmt", sorted(kg.export.FORMATS))
def test_invalid_term_late_in_the_output_leaves_old_file(tmp_path: Path, fmt: str) -> None:
    """The real writers refuse a bad term when they reach it, after writing the triples
    before it into the temporary file: the target is still untouched."""
    good = [(f"https://example.org/s{n:05d}", "https://example.org/p", Lit(f"text {n}")) for n in range(5000)]
    bad = ("https://example.org/zzz bad", "https://example.org/p", Lit("x"))  # sorts last
    out = tmp_path / "out.ttl"
    out.write_bytes(OLD)
    with pytest.raises(KgError, match="invalid RDF term"):
        kg.export.write([*good, bad], out, fmt)
    assert out.read_bytes() == OLD
    assert parts(tmp_path) == set()


def test_cli_failure_while_writing_exits_2_and_keeps_old_file(tmp_path: Path, small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fmt = kg.export.FORMATS["turtle"]
    monkeypatch.setitem(kg.export.FORMATS, "turtle", dataclasses.replace(fmt, write=failing_writer(OSError(28, "No space left on device"))))
    out = tmp_path / "out.ttl"
    out.write_bytes(OLD)
    result = CliRunner().invoke(cli, ["export", "--data", str(small), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "No space left on device" in result.stderr
    assert out.read_bytes() == OLD
    assert parts(tmp_path) == set()


# --- a successful write -----------------------------------------------------------------------


def test_successful_write_replaces_the_file_and_keeps_its_mode(tmp_path: Path, small: Path) -> None:
    out = tmp_path / "out.ttl"
    out.write_bytes(OLD)
    out.chmod(0o640)
    run = kg_export("-o", str(out), "--data", str(small))
    assert run.returncode == 0, run.stderr.decode()
    assert len(graph_of(out)) == reported_count(run.stderr)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert parts(tmp_path) == set()


@POSIX
def test_new_file_gets_the_usual_mode(tmp_path: Path, small: Path) -> None:
    out = tmp_path / "new.ttl"
    run = kg_export("-o", str(out), "--data", str(small), preexec_fn=lambda: os.umask(0o027))
    assert run.returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640  # 0666 less the umask, not mkstemp's 0600


def test_relative_output_in_the_working_folder(tmp_path: Path, small: Path) -> None:
    run = kg_export("-o", "out.nt", "-f", "ntriples", "--data", str(small), cwd=tmp_path)
    assert run.returncode == 0
    assert len(graph_of(tmp_path / "out.nt", ox.RdfFormat.N_TRIPLES)) == reported_count(run.stderr)
    assert parts(tmp_path) == set()


@POSIX
def test_symbolic_link_is_kept_and_its_target_replaced(tmp_path: Path, small: Path) -> None:
    real = tmp_path / "real.ttl"
    real.write_bytes(OLD)
    link = tmp_path / "link.ttl"
    link.symlink_to(real.name)
    run = kg_export("-o", str(link), "--data", str(small))
    assert run.returncode == 0, run.stderr.decode()
    assert link.is_symlink() and os.readlink(link) == real.name
    assert len(graph_of(real)) == reported_count(run.stderr)
    assert parts(tmp_path) == set()


@POSIX
def test_named_pipe_is_written_not_replaced(tmp_path: Path, small: Path) -> None:
    """A FIFO (like /dev/null or /dev/stdout) cannot be renamed over: it gets the text."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    run = kg_export("-o", str(fifo), "--data", str(small))
    reader.join(timeout=60)
    assert run.returncode == 0, run.stderr.decode()
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert len(graph_of(received[0])) == reported_count(run.stderr)
    assert parts(tmp_path) == set()


def test_dev_null_stays_a_device(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Renaming a temporary file over /dev/null would replace the device (as root). Run in
    the test's own process with renaming and temporary files in /dev refused, so that a
    regression fails here instead of breaking the machine's /dev/null."""
    if not stat.S_ISCHR(os.stat(os.devnull).st_mode):
        pytest.skip("/dev/null is not a character device here")
    devices = os.path.dirname(os.path.realpath(os.devnull))
    real_replace, real_mkstemp = os.replace, kg.export.tempfile.mkstemp

    def guarded_replace(src: object, dst: object, *args: object, **kwargs: object) -> None:
        assert os.path.dirname(os.path.realpath(str(dst))) != devices, f"renaming over {dst}"
        real_replace(src, dst, *args, **kwargs)  # type: ignore[arg-type]

    def guarded_mkstemp(*args: object, dir: object = None, **kwargs: object) -> tuple[int, str]:
        assert dir is None or os.path.realpath(str(dir)) != devices, f"a temporary file in {dir}"
        return real_mkstemp(*args, dir=dir, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", guarded_replace)
    monkeypatch.setattr(kg.export.tempfile, "mkstemp", guarded_mkstemp)
    count = kg.export.write(triples(api.load(small)), os.devnull, "turtle")
    assert count > 0
    assert stat.S_ISCHR(os.lstat(os.devnull).st_mode)


@pytest.mark.parametrize("where", ["folder", "missing-folder"])
def test_unwritable_target_exits_2_with_a_message(tmp_path: Path, small: Path, where: str) -> None:
    target = tmp_path / "a-folder" if where == "folder" else tmp_path / "no" / "such" / "out.ttl"
    if where == "folder":
        target.mkdir()
    run = kg_export("-o", str(target), "--data", str(small))
    assert run.returncode == 2, run.stderr.decode()
    assert b"Traceback" not in run.stderr
    assert b"cannot write" in run.stderr
    assert parts(tmp_path) == set()
    if where == "folder":
        assert list(target.iterdir()) == []


# --- standard output --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(kg.export.FORMATS))
def test_dash_writes_the_graph_to_standard_output(tmp_path: Path, small: Path, fmt: str) -> None:
    run = kg_export("-f", fmt, "-o", "-", "--data", str(small))
    assert run.returncode == 0, run.stderr.decode()
    out = tmp_path / "out"
    kg_export("-f", fmt, "-o", str(out), "--data", str(small))
    assert run.stdout == out.read_bytes(), "standard output gets exactly what a file gets"
    syntax = {
        "turtle": ox.RdfFormat.TURTLE,
        "ntriples": ox.RdfFormat.N_TRIPLES,
        "nquads": ox.RdfFormat.N_QUADS,
        "trig": ox.RdfFormat.TRIG,
        "jsonld": ox.RdfFormat.JSON_LD,
        "rdfxml": ox.RdfFormat.RDF_XML,
    }.get(fmt)
    if syntax is None:  # GraphML and GEXF hold the entity graph, read by networkx in test_formats.py
        assert run.stdout.startswith(b"<?xml") and re.search(rb"kg: wrote the entity graph of \d+ triples", run.stderr)
    else:
        assert len(graph_of(run.stdout, syntax)) == reported_count(run.stderr)
    assert b"to standard output" in run.stderr


def test_standard_output_is_the_default(small: Path) -> None:
    run = kg_export("--data", str(small))
    assert run.returncode == 0
    assert run.stdout.startswith(b"@prefix ")
    assert run.stdout == kg_export("-o", "-", "--data", str(small)).stdout
    assert b"kg: wrote" not in run.stdout  # messages go to standard error


def test_dash_in_process(small: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    count = kg.export.write(triples(api.load(small)), "-", "ntriples")
    out = capsysbinary.readouterr().out
    assert len(out.splitlines()) == count
    assert len(graph_of(out, ox.RdfFormat.N_TRIPLES)) == count


@POSIX
def test_closed_pipe_is_reported_not_ignored(medium: Path) -> None:
    """A reader that stops early (``| head``) gets part of the graph: the export must say
    so and fail, not claim it wrote every triple."""
    proc = start_export("-o", "-", "--data", str(medium), "--no-shacl")
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(100)
    proc.stdout.close()
    stderr = proc.stderr.read()
    proc.wait(timeout=120)
    assert proc.returncode == 2, stderr.decode()
    assert b"standard output was closed" in stderr
    assert b"kg: wrote" not in stderr
    assert b"Traceback" not in stderr and b"Exception ignored" not in stderr


@POSIX
def test_closed_standard_output_is_reported(small: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "kg", "export", "-o", "-", "--data", str(small)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),
        timeout=120,
    )
    assert run.returncode == 2
    assert b"standard output is closed" in run.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_standard_output_is_reported(small: Path) -> None:
    with open("/dev/full", "wb") as full:
        run = subprocess.run(
            [sys.executable, "-m", "kg", "export", "-o", "-", "--data", str(small)], stdout=full, stderr=subprocess.PIPE, timeout=120
        )
    assert run.returncode == 2
    assert b"No space left on device" in run.stderr
    assert b"kg: wrote" not in run.stderr


def test_data_problems_exception_is_raised_before_any_output(broken: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    with pytest.raises(DataProblems):
        api.export_dataset("-", data=broken)
    assert capsysbinary.readouterr().out == b""


# --- temporary files that killed writes left behind ------------------------------------------------


def stale_part(folder: Path, pid: int, name: str = "out.ttl", host: str | None = None) -> Path:
    """A temporary file as a write by process ``pid`` names it."""
    part = folder / f".{name}.{host or kg.export._HOST}.{pid}.abcd1234.part"
    part.write_bytes(b"half a graph")
    return part


def dead_pid() -> int:
    """The id of a process that has ended."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    return int(done.stdout)


@POSIX
def test_stale_temporary_file_of_a_killed_export_is_removed_by_the_next(tmp_path: Path, small: Path) -> None:
    """Temporary files of killed exports were never removed, not even by the next successful export."""
    stale = stale_part(tmp_path, dead_pid())
    other_target = stale_part(tmp_path, dead_pid(), name="other.ttl")
    run = kg_export("-o", str(tmp_path / "out.ttl"), "--data", str(small), "--no-shacl")
    assert run.returncode == 0, run.stderr.decode()
    assert not stale.exists()
    assert other_target.exists(), "only temporary files of the target being written are looked at"


@POSIX
def test_live_process_temporary_file_is_kept(tmp_path: Path, small: Path) -> None:
    """A temporary file whose process still runs (another export writing now) is never removed."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = stale_part(tmp_path, sleeper.pid)
        run = kg_export("-o", str(tmp_path / "out.ttl"), "--data", str(small), "--no-shacl")
        assert run.returncode == 0, run.stderr.decode()
        assert live.read_bytes() == b"half a graph"
    finally:
        sleeper.kill()
        sleeper.wait()


@POSIX
def test_files_the_tool_did_not_make_are_kept(tmp_path: Path, small: Path) -> None:
    """Only names of the tool's own pattern, made on this machine, regular files, are removed."""
    pid = dead_pid()
    keep = [
        tmp_path / ".out.ttl.backup.part",  # a name of another pattern
        tmp_path / f".out.ttl.{pid}.abcd1234.part",  # no machine name (an older kg's, or not kg's at all)
        stale_part(tmp_path, pid, host="another-machine"),  # a shared folder: that pid means nothing here
    ]
    for path in keep[:2]:
        path.write_bytes(b"not ours")
    link = tmp_path / f".out.ttl.{kg.export._HOST}.{pid}.zzzz9999.part"
    link.symlink_to(tmp_path / "precious.txt")
    (tmp_path / "precious.txt").write_bytes(b"precious")
    run = kg_export("-o", str(tmp_path / "out.ttl"), "--data", str(small), "--no-shacl")
    assert run.returncode == 0, run.stderr.decode()
    assert all(path.exists() for path in keep)
    assert link.is_symlink() and (tmp_path / "precious.txt").read_bytes() == b"precious"


@POSIX
def test_temporary_file_names_say_whose_they_are(tmp_path: Path, small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The temporary file holds the machine's name and the writing process's id."""
    seen: list[str] = []
    real_replace = os.replace

    def spy(src: str, dst: object) -> None:
        seen.append(os.path.basename(src))
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(kg.export.os, "replace", spy)
    api.export_dataset(tmp_path / "out.ttl", data=small)
    assert len(seen) == 1
    assert re.fullmatch(rf"\.out\.ttl\.{re.escape(kg.export._HOST)}\.{os.getpid()}\.[a-z0-9_]{{8}}\.part", seen[0])


# --- --all is one write: the whole new set, or the old set untouched ------------------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in the folder (temporary ones too) with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@contextlib.contextmanager
def small_tmpfs(tmp_path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted for the block (skips the test where mounting is not allowed)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True, check=False)


def test_all_on_a_full_disk_leaves_the_old_set_whole(tmp_path: Path, medium: Path) -> None:
    """kg export --all on a full disk left 3 files from the new dataset and 5 from the old, exit 2."""
    with small_tmpfs(tmp_path, "48m") as disk:
        out = disk / "kg"
        assert kg_export("--data", str(medium), "--all", str(out)).returncode == 0
        old = snapshot(out)
        # Room for about half of a new set: some formats fit, the rest cannot.
        free = shutil.disk_usage(disk).free
        (disk / "filler").write_bytes(b"\0" * max(0, free - sum(map(len, old.values())) // 2))
        again = kg_export("--data", str(medium), "--base", "https://example.org/other/", "--all", str(out))
        assert again.returncode == 2
        lines = again.stderr.decode().splitlines()
        said = rf"Error: cannot write {re.escape(str(out))}/kg\.\w+: No space left on device"
        assert len(lines) == 1 and re.fullmatch(said, lines[0]), lines
        assert snapshot(out) == old  # every old file, byte for byte, and no temporary file left
        (disk / "filler").unlink()
        assert kg_export("--data", str(medium), "--base", "https://example.org/other/", "--all", str(out)).returncode == 0
        assert all(b"https://example.org/other/" in data for name, data in snapshot(out).items())


def test_all_that_cannot_write_one_of_its_files_leaves_the_old_set_whole(tmp_path: Path, medium: Path) -> None:
    """The same failure where no disk can be mounted: a file size limit stops the largest format."""
    out = tmp_path / "kg"
    assert kg_export("--data", str(medium), "--all", str(out)).returncode == 0
    old = snapshot(out)
    limit = max(map(len, old.values())) // 2

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    again = kg_export("--data", str(medium), "--base", "https://example.org/other/", "--all", str(out), preexec_fn=limited)
    assert again.returncode == 2
    lines = again.stderr.decode().splitlines()
    assert len(lines) == 1 and re.fullmatch(rf"Error: cannot write {re.escape(str(out))}/kg\.\w+: File too large", lines[0]), lines
    assert snapshot(out) == old
