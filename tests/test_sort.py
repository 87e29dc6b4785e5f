"""The external merge sort gives exactly the in-memory canonical order, in bounded memory."""

from __future__ import annotations

import gc
import random
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import api, export, layers, sort
from kg.api import prepare
from kg.build import triples
from kg.terms import Lit, Triple, sort_key

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from generate import generate  # a script folder, not a package


@pytest.fixture(scope="module")
def generated_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated dataset: every record kind, grounded evidence."""
    return generate(tmp_path_factory.mktemp("generated"), 300).data


@pytest.fixture(scope="module")
def generated(generated_data: Path) -> list[Triple]:
    """The triples of the generated dataset, as built."""
    dataset, report = prepare(generated_data)
    assert report.ok, report.errors[:3]
    return list(triples(dataset, anchors=report.anchors))


def _reference_bytes(stream: list[Triple], fmt: ox.RdfFormat, prefixes: dict[str, str] | None) -> bytes:
    """Today's path before the merge sort: everything in one set, sorted in memory, converted one by one."""
    return ox.serialize([export.to_oxigraph(t) for t in sorted(set(stream), key=sort_key)], format=fmt, prefixes=prefixes)


@pytest.mark.parametrize("chunk_size", [40, 1000, 10**9])
def test_merge_sort_equals_the_in_memory_sort(generated: list[Triple], chunk_size: int) -> None:
    """Shuffled, with every triple twice: the same distinct triples in the same order, spilled or not."""
    doubled = generated + generated[::3] + generated
    random.Random(1234).shuffle(doubled)
    expected = sorted(set(generated), key=sort_key)
    assert list(sort.sorted_unique(doubled, chunk_size)) == expected
    assert len(expected) < len(doubled)


@pytest.mark.parametrize(
    ("fmt", "rdf_format", "with_prefixes"), [("turtle", ox.RdfFormat.TURTLE, True), ("ntriples", ox.RdfFormat.N_TRIPLES, False)]
)
def test_streamed_export_is_byte_identical_with_a_tiny_chunk(
    generated: list[Triple], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, rdf_format: ox.RdfFormat, with_prefixes: bool
) -> None:
    """A file and standard output written through many spilled runs have the old path's exact bytes and count."""
    prefixes = export.prefixes_for("https://example.org/kg/id/")
    expected = _reference_bytes(generated, rdf_format, prefixes if with_prefixes else None)
    monkeypatch.setattr(sort, "CHUNK_SIZE", 97)
    shuffled = generated[::-1] + generated[:50]
    count = export.write(iter(shuffled), tmp_path / "out", fmt)
    assert (tmp_path / "out").read_bytes() == expected
    assert count == len(set(generated))
    assert export.serialise(iter(shuffled), fmt) == expected


@pytest.mark.parametrize(("fmt", "rdf_format"), [("turtle", ox.RdfFormat.TURTLE), ("ntriples", ox.RdfFormat.N_TRIPLES)])
def test_kg_export_streams_the_whole_graph_into_the_merge_sort(
    generated_data: Path, generated: list[Triple], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, rdf_format: ox.RdfFormat
) -> None:
    """From the data to the file, the whole graph is never sorted in memory (a list of every
    triple, sorted, held beside the dataset doubled the export's peak memory at 100k facts)."""

    def in_memory(stream: object, layer: str) -> list[Triple]:
        raise AssertionError(f"the {layer} layer was sorted in memory")

    monkeypatch.setattr(layers, "select", in_memory)
    monkeypatch.setattr(sort, "CHUNK_SIZE", 97)
    count, _ = api.export_dataset(tmp_path / "out", data=generated_data, fmt=fmt)
    prefixes = export.prefixes_for("https://example.org/kg/id/") if fmt == "turtle" else None
    assert (tmp_path / "out").read_bytes() == _reference_bytes(generated, rdf_format, prefixes)
    assert count == len(set(generated))


def test_literal_keys_rebuild_the_same_triples() -> None:
    """Language tags, datatypes and IRIs survive the trip through a sort key."""
    stream: list[Triple] = [
        ("http://a/s", "http://a/p", Lit("x", language="en-GB")),
        ("http://a/s", "http://a/p", Lit("x")),
        ("http://a/s", "http://a/p", Lit("1", "http://www.w3.org/2001/XMLSchema#integer")),
        ("http://a/s", "http://a/p", "http://a/o"),
        ("http://a/s", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://a/C"),
    ]
    assert list(sort.sorted_unique(stream, 2)) == sorted(stream, key=sort_key)
    assert list(sort.sorted_unique([], 2)) == []
    with pytest.raises(ValueError, match="chunk_size must be at least 1"):
        list(sort.sorted_unique(stream, 0))


def test_packed_keys_sort_as_the_tuple_keys_and_rebuild_their_triples() -> None:
    """Parts that are prefixes of one another, NULs, the escape's own characters, empty
    parts: the packed string order is the tuple order, and every triple comes back whole."""
    rng = random.Random(5)
    pieces = ["\x00", "\x01", "\x00\x00", "\x00\x01", "a", "b", ""]

    def text() -> str:
        return "".join(rng.choice(pieces) for _ in range(rng.randrange(4)))

    stream: list[Triple] = []
    for _ in range(5_000):
        predicate = rng.choice(["http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "p", "p" + text()])
        obj = text() if rng.random() < 0.5 else Lit(text(), "d" + text(), rng.choice([None, "en", "e" + text()]))
        stream.append(("s" + text(), predicate, obj))
    assert [sort.triple_of(sort.packed_key(t)) for t in stream] == stream
    assert sorted(set(stream), key=sort.packed_key) == sorted(set(stream), key=sort_key)
    assert list(sort.sorted_unique(stream, 300)) == sorted(set(stream), key=sort_key)


def _many(n: int) -> Iterator[Triple]:
    rng = random.Random(7)
    for i in range(n):
        yield f"https://example.org/kg/id/s-{rng.randrange(10**9)}", "https://example.org/kg/ontology#p", Lit(f"value {i} " * 4)


def _peak(chunk_size: int, n: int) -> int:
    tracemalloc.start()
    try:
        count = sum(1 for _ in sort.sorted_keys(_many(n), chunk_size))
        return tracemalloc.get_traced_memory()[1] if count == n else -1
    finally:
        tracemalloc.stop()


def test_memory_is_bounded_by_the_chunk_not_the_graph() -> None:
    """Sorting 60,000 triples in chunks of 2,000 holds a small fraction of what one chunk of all of them holds."""
    bounded, whole = _peak(2_000, 60_000), _peak(10**9, 60_000)
    assert bounded > 0 and whole > 0
    assert bounded * 5 < whole, (bounded, whole)


def test_collector_is_restored_after_writing(tmp_path: Path, generated: list[Triple]) -> None:
    """The collector, paused while sorting and writing, is on again afterwards (and stays off if it was off)."""
    export.write(iter(generated), tmp_path / "a.nt", "ntriples")
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        export.write(iter(generated), tmp_path / "b.nt", "ntriples")
        assert not gc.isenabled()
    finally:
        gc.enable()
