"""The record checks enforce every SHACL shape, so pySHACL can be left out on large data.

Each shape in ontology/shapes.ttl is listed in ``kg.shapes.COVERED_BY`` with what guarantees
it; each data mistake a shape can see is shown here to be caught by the record checks too
(with pySHACL run on the same graph as the witness); and data that passes the record checks,
with every record kind and predicate, conforms.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import PERSON_WITHOUT_POST, write_files
from rdflib.namespace import RDF, SH

from kg import api, shapes
from kg.cli import cli

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from generate import generate  # a script folder, not a package

KGSH = "https://example.org/kg/shapes#"

_BASE = """
sources:
  - {id: s1, kind: report, title: "A report", publisher: unknown, author: unknown, undated: true}
organisations:
  - {id: org, name: "An Org", sources: [{source: s1, evidence: "An Org"}]}
people:
  - {id: pat, name: "Pat", sources: [{source: s1, evidence: "Pat"}]}
posts:
  - {id: chief, name: "Chief", sources: [{source: s1, evidence: "Chief"}]}
places:
  - {id: town, name: "Town", sources: [{source: s1, evidence: "Town"}]}
initiatives:
  - {id: op, name: "Op", kind: operation, sources: [{source: s1, evidence: "Op"}]}
measures:
  - {id: arrests, name: "arrests"}
"""
_HOLDS = """
  - {id: pat-chief, subject: pat, predicate: holds-post, object: chief, sources: [{source: s1, evidence: "Pat, Chief"}]}
"""

#: name -> (extra YAML, the record check's field, a shape that sees the same mistake)
MISTAKES = {
    "person without a post": (PERSON_WITHOUT_POST, "id", "PersonShape-holdsPost"),
    "led by a place": (
        "statements:" + _HOLDS + '  - {id: x, subject: op, predicate: led-by, object: town, sources: [{source: s1, evidence: "Op"}]}\n',
        "object",
        "LedByShape",
    ),
    "a post held by an organisation": (
        "statements:"
        + _HOLDS
        + '  - {id: x, subject: org, predicate: holds-post, object: chief, sources: [{source: s1, evidence: "Op"}]}\n',
        "subject",
        "HoldsPostShape",
    ),
    "a statistic counting an organisation": (
        "statements:"
        + _HOLDS
        + "statistics:\n  - {id: st, counts: org, value: 5, comparator: exactly, about: op,"
        + ' sources: [{source: s1, evidence: "5"}]}\n',
        "counts",
        "StatisticShape-counts",
    ),
    "attributed to nobody": (
        "statements:"
        + _HOLDS
        + '  - {id: x, subject: op, predicate: led-by, object: org, sources: [{source: s1, evidence: "Op", status: attributed}]}\n',
        "sources[1].attributed_to",
        "AttributionShape",
    ),
    "an undated source with a date": (
        _BASE.replace("undated: true}", 'undated: true, published: "2024"}') + "statements:" + _HOLDS,
        "undated",
        "UndatedSourceShape",
    ),
    "a quotation spoken by a place": (
        "statements:" + _HOLDS + 'quotes:\n  - {id: q, speaker: town, text: "Hello", sources: [{source: s1}]}\n',
        "speaker",
        "QuotationShape-speaker",
    ),
}


def test_every_shape_says_what_enforces_it() -> None:
    """A new shape without a record check (or builder guarantee) behind it fails here."""
    graph = shapes.shapes_graph()
    node_shapes = {str(s).removeprefix(KGSH) for s in graph.subjects(RDF.type, SH.NodeShape)}
    assert node_shapes == set(shapes.COVERED_BY)
    assert all(reason.strip() for reason in shapes.COVERED_BY.values())


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_a_mistake_a_shape_sees_is_caught_by_the_record_checks(tmp_path: Path, name: str) -> None:
    extra, field, shape = MISTAKES[name]
    text = extra if extra.lstrip().startswith("sources:") else _BASE + extra  # a whole file, or additions to _BASE
    dataset, report = api.prepare(write_files(tmp_path / "data", {"all.yaml": text}))
    assert field in [p.field for p in report.errors], [str(p) for p in report.problems]
    graph_shapes = shapes.shapes_graph()
    from kg.build import build_graph

    conforms, results = shapes.validate(build_graph(dataset, anchors=report.anchors), graph_shapes)
    assert not conforms
    violated = set()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        source = results.value(result, SH.sourceShape)
        parents = list(graph_shapes.subjects(SH.property, source)) or [source]
        violated |= {str(source), *map(str, parents)}
    assert KGSH + shape in violated, sorted(violated)


def test_data_that_passes_the_record_checks_conforms_to_every_shape(tmp_path: Path) -> None:
    """Generated data with every record kind, statement predicate, status and qualifier."""
    made = generate(tmp_path, 250)
    dataset, report = api.prepare(made.data)
    assert report.errors == []
    predicates = {st.predicate for st in dataset.statements}
    from kg.vocab import STATEMENT_PREDICATES

    assert predicates == set(STATEMENT_PREDICATES)
    assert shapes.validate_dataset(dataset, report) == []


def test_check_leaves_pyshacl_out_on_large_data_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = write_files(tmp_path / "data", {"all.yaml": _BASE + "statements:" + _HOLDS})
    monkeypatch.setattr(shapes, "AUTO_LIMIT", 3)
    auto = CliRunner().invoke(cli, ["check", "--data", str(data)])
    assert auto.exit_code == 0, auto.output
    assert auto.stdout.splitlines()[-2] == (
        "(dataset): note: shacl: the SHACL shapes were not run through pySHACL: 8 records is over 3, and the record checks"
        " above enforce every shape (see the README's Performance section); give --shacl to run pySHACL too"
    )
    for asked in (["--shacl"], ["--no-shacl"], ["--no-notes"]):
        result = CliRunner().invoke(cli, ["check", "--data", str(data), *asked])
        assert result.exit_code == 0 and "note: shacl" not in result.stdout, result.output


def test_check_runs_pyshacl_by_itself_on_small_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Below the limit the shapes run: a stricter shape shows as a violation without --shacl."""
    import rdflib

    data = write_files(tmp_path / "data", {"all.yaml": _BASE + "statements:" + _HOLDS})
    stricter = shapes.shapes_graph() + rdflib.Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix kg: <https://example.org/kg/ontology#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <urn:test:AltLabelShape> a sh:NodeShape ; sh:targetClass kg:Place ;
            sh:property [ sh:path skos:altLabel ; sh:minCount 1 ; sh:message "a place needs an alternative name" ] .
        """,
        format="turtle",
    )
    monkeypatch.setattr(shapes, "shapes_graph", lambda path=None: stricter)
    result = CliRunner().invoke(cli, ["check", "--data", str(data)])
    assert result.exit_code == 1
    assert "shacl skos:altLabel: town (Town): a place needs an alternative name" in result.stdout
    monkeypatch.setattr(shapes, "AUTO_LIMIT", 3)
    assert CliRunner().invoke(cli, ["check", "--data", str(data)]).exit_code == 0
