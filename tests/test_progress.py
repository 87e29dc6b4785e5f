"""Progress bars: on a terminal for long runs, never in a pipe, never with --quiet."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from generate import generate  # a script folder, not a package


@pytest.fixture(scope="module")
def long_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dataset whose export takes a few seconds: long enough for a bar."""
    return generate(tmp_path_factory.mktemp("long"), 8000).data


def _export(data: Path, out: Path, *extra: str, terminal: bool) -> tuple[int, str]:
    """Run `kg export`, its standard error a pseudo-terminal or a pipe; exit status and what it wrote there."""
    command = [sys.executable, "-m", "kg", "export", "--data", str(data), "-o", str(out), *extra]
    if not terminal:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        return done.returncode, done.stderr
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closes when the process ends
                break
            if not chunk:
                break
            chunks.append(chunk)
        return process.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")
    finally:
        os.close(leader)


def test_a_terminal_gets_a_progress_bar_and_quiet_silences_it(long_data: Path, tmp_path: Path) -> None:
    code, shown = _export(long_data, tmp_path / "a.ttl", terminal=True)
    assert code == 0
    assert re.search(r"\rkg: (building and sorting|writing): [0-9.]+k? triples \[", shown), shown[-500:]
    code, silenced = _export(long_data, tmp_path / "b.ttl", "--quiet", terminal=True)
    assert code == 0
    assert re.fullmatch(rf"kg: wrote \d+ triples \(turtle\) to {re.escape(str(tmp_path / 'b.ttl'))}\s*", silenced), silenced[-500:]
    assert (tmp_path / "a.ttl").read_bytes() == (tmp_path / "b.ttl").read_bytes()


def test_a_pipe_gets_no_progress(long_data: Path, tmp_path: Path) -> None:
    code, err = _export(long_data, tmp_path / "c.ttl", terminal=False)
    assert code == 0
    assert re.fullmatch(rf"kg: wrote \d+ triples \(turtle\) to {re.escape(str(tmp_path / 'c.ttl'))}\n", err), err[-500:]
