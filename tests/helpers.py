"""Test helpers: graph comparison with a readable diff, small datasets written to disk."""

from __future__ import annotations

import contextlib
import os
import select
import signal
from pathlib import Path

import rdflib
from rdflib.compare import graph_diff, to_isomorphic

#: A dataset whose one person holds no public post (a mistake both the record checks and
#: the SHACL shapes catch); the person's record starts at line 5.
PERSON_WITHOUT_POST = """
sources:
  - {id: s1, kind: report, title: "A report", publisher: unknown, author: unknown, undated: true}
people:
  - id: a-person
    name: "A Person"
    sources: [{source: s1, evidence: "A Person"}]
"""


def assert_same_graph(expected: rdflib.Graph, actual: rdflib.Graph, limit: int = 20) -> None:
    """Fail with the triples only in one graph, not a bare False."""
    iso_expected, iso_actual = to_isomorphic(expected), to_isomorphic(actual)
    if iso_expected == iso_actual:
        return
    _, only_expected, only_actual = graph_diff(iso_expected, iso_actual)
    lines = ["graphs differ"]
    for title, graph in (("only in expected", only_expected), ("only in actual", only_actual)):
        triples = sorted(graph.serialize(format="nt").splitlines())
        lines.append(f"{title} ({len(triples)}):")
        lines += [f"  {t}" for t in triples[:limit]]
    raise AssertionError("\n".join(lines))


def write_files(folder: Path, files: dict[str, str]) -> Path:
    """Write ``{name: text}`` into ``folder`` (made if needed); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def signals_as_at_a_shell() -> None:
    """For a child process that a test interrupts (``preexec_fn``): Ctrl-C, hang-up and
    terminate at their default actions, as for a command typed at a shell. Tests run in the
    background (``pytest &`` ignores SIGINT, ``nohup`` SIGHUP) would otherwise hand the
    child an ignored signal, and Python installs no Ctrl-C handler for an ignored SIGINT."""
    for signum in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


def rest_of_terminal(terminal: int) -> bytes:
    """What a child wrote to a pseudo-terminal (``terminal``, the end the test holds) and the
    test has not read yet, once the child has ended: read until it closes, or is quiet for 5 s."""
    said = b""
    with contextlib.suppress(OSError):  # the terminal's other end is closed once everything is read
        while select.select([terminal], [], [], 5)[0]:
            chunk = os.read(terminal, 4096)
            if not chunk:
                break
            said += chunk
    return said
