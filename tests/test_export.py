"""The export: the reviewed golden graph, byte-identical output, strict parsers, the formats."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import yaml
from helpers import assert_same_graph

from kg import api, export
from kg.build import triples
from kg.resources import bundled_data

GOLDEN = Path(__file__).parent / "golden" / "bundled.ttl"


def test_export_matches_the_reviewed_golden_graph(tmp_path: Path, texts_dir: Path) -> None:
    out = tmp_path / "kg.ttl"
    api.export_dataset(out, texts=[texts_dir])
    assert_same_graph(rdflib.Graph().parse(GOLDEN), rdflib.Graph().parse(out))


def test_the_default_turtle_is_byte_identical_to_the_golden_file(tmp_path: Path, texts_dir: Path) -> None:
    """The new formats and layers leave the default export as it was, byte for byte."""
    out = tmp_path / "kg.ttl"
    api.export_dataset(out, texts=[texts_dir])
    assert out.read_bytes() == GOLDEN.read_bytes()


def test_every_evidence_offset_points_at_its_exact_words(bundled, texts_dir: Path) -> None:
    """Offsets once counted in the normalised text: 60 of 145 did not select their words in the file."""
    from kg.evidence import read_text
    from kg.text import repair_within, tidy

    dataset, report = bundled
    sources = {s.id: s for s in dataset.sources}
    texts = {s.id: read_text(s, texts_dir / s.text_file) for s in dataset.sources}
    records = {r.id: r for r in dataset.records()}
    assert len(report.anchors) == report.evidence_total == 156
    for (record_id, index), anchor in report.anchors.items():
        source_id = records[record_id].citations[index].source
        raw = (texts_dir / sources[source_id].text_file).read_text(encoding="utf-8")
        assert tidy(repair_within(raw, sources[source_id].repairs, anchor.start, anchor.end)) == anchor.exact
        text = texts[source_id].text
        assert anchor.prefix + anchor.exact + anchor.suffix in text


def _shuffled_copy(source: Path, target: Path, seed: int) -> None:
    """The dataset with every section's records, and the files' sections, in another order."""
    rng = random.Random(seed)
    target.mkdir()
    for path in sorted(source.glob("*.yaml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        sections = list(content.items())
        rng.shuffle(sections)
        for _, records in sections:
            if isinstance(records, list):
                rng.shuffle(records)
        (target / f"{rng.randrange(10**6):06d}-{path.name}").write_text(
            yaml.safe_dump(dict(sections), allow_unicode=True, sort_keys=False), encoding="utf-8"
        )


def test_shuffled_records_give_byte_identical_output(tmp_path: Path) -> None:
    """Record order, file order and file names do not change one byte of the output."""
    reference = export.serialise(triples(api.load()), "turtle")
    for seed in (1234, 99):
        copy = tmp_path / f"shuffled-{seed}"
        _shuffled_copy(bundled_data(), copy, seed)
        assert export.serialise(triples(api.load(copy)), "turtle") == reference


@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
def test_output_is_identical_across_hash_seeds(tmp_path: Path, fmt: str) -> None:
    outputs = set()
    for seed in ("0", "1", "4242"):
        out = tmp_path / f"kg-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "kg", "export", "--format", fmt, "-o", str(out)],
            check=True,
            env=env,
            capture_output=True,
        )
        outputs.add(out.read_bytes())
    assert len(outputs) == 1


def _parse_with_serdi(path: Path, syntax: str) -> int:
    result = subprocess.run(["serdi", "-i", syntax, "-o", "ntriples", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return len(result.stdout.splitlines())


def _parse_with_rapper(path: Path, syntax: str) -> int:
    result = subprocess.run(["rapper", "-i", syntax, "-c", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return int(result.stderr.split("returned")[1].split()[0])


@pytest.mark.parametrize(("fmt", "serdi_syntax", "rapper_syntax"), [("turtle", "turtle", "turtle"), ("ntriples", "ntriples", "ntriples")])
def test_strict_parsers_read_the_export(tmp_path: Path, fmt: str, serdi_syntax: str, rapper_syntax: str) -> None:
    """serdi, rapper and pyoxigraph all accept the output and count the same triples."""
    dataset, report = api.prepare(bundled_data())
    assert dataset is not None
    out = tmp_path / f"kg{export.FORMATS[fmt].suffix}"
    count = export.write(triples(dataset, anchors=report.anchors), out, fmt)
    parsed = ox.parse(path=str(out), format=ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.N_TRIPLES)
    assert len(list(parsed)) == count
    assert _parse_with_serdi(out, serdi_syntax) == count
    assert _parse_with_rapper(out, rapper_syntax) == count


def test_turtle_uses_readable_prefixes_and_no_blank_nodes() -> None:
    text = export.serialise(triples(api.load()), "turtle").decode("utf-8")
    assert "@prefix kgd: <https://example.org/kg/id/> ." in text
    assert "kgd:taskforce-led-by-npcc a " in text
    assert "_:" not in text


def test_base_option_changes_every_data_iri() -> None:
    text = export.serialise(triples(api.load(), base="http://data.example.net/gg#"), "ntriples").decode()
    assert "https://example.org/kg/id/" not in text
    assert "<http://data.example.net/gg#grooming-gangs-taskforce>" in text


def test_export_without_texts_keeps_quote_selectors_but_no_offsets() -> None:
    graph = api.build_graph(api.load(), anchors={})
    oa = rdflib.Namespace("http://www.w3.org/ns/oa#")
    assert len(set(graph.subjects(rdflib.RDF.type, oa.TextPositionSelector))) == 0
    assert len(set(graph.subjects(rdflib.RDF.type, oa.TextQuoteSelector))) == 156
