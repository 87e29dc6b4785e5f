"""Every export format: round trips, independent parsers, byte-identical output, the layers,
the named graphs of TriG and N-Quads, JSON-LD's context, and the entity graph of GraphML and GEXF."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from helpers import assert_same_graph
from test_export import _shuffled_copy

from kg import api, export, layers, vocab
from kg.build import triples
from kg.cli import cli
from kg.formats import format_by_suffix, jsonld, network
from kg.problems import KgError
from kg.resources import bundled_data, ontology_dir
from kg.terms import Lit, Triple
from kg.vocab import K

RDF_FORMATS = sorted(name for name, f in export.FORMATS.items() if f.kind == "rdf")
NETWORK_FORMATS = sorted(name for name, f in export.FORMATS.items() if f.kind == "network")
RDFLIB_NAMES = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig", "jsonld": "json-ld", "rdfxml": "xml"}
OXIGRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
RAPPER_NAMES = {"turtle": "turtle", "ntriples": "ntriples", "rdfxml": "rdfxml"}
#: The bundled data's entities (organisations, people, posts, places, initiatives) and the relations between them.
ENTITIES, RELATIONS = 32, 32  # with paedophile-gangs, local policing efforts and the 4 events; works-through, partner, part-of, event links


@pytest.fixture(scope="module")
def built(bundled) -> list[Triple]:
    dataset, report = bundled
    return list(triples(dataset, anchors=report.anchors))


def _parse_rdflib(data: bytes, fmt: str) -> rdflib.Graph:
    """Any RDF format as one graph (the union of a dataset's graphs)."""
    if fmt in ("nquads", "trig"):
        dataset = rdflib.Dataset()
        dataset.parse(data=data, format=RDFLIB_NAMES[fmt])
        union = rdflib.Graph()
        for s, p, o, _ in dataset.quads():
            union.add((s, p, o))
        return union
    return rdflib.Graph().parse(data=data, format=RDFLIB_NAMES[fmt])


def test_the_registry_has_every_format_the_issue_asks_for() -> None:
    assert sorted(export.FORMATS) == ["gexf", "graphml", "jsonld", "nquads", "ntriples", "rdfxml", "trig", "turtle"]
    assert set(RDF_FORMATS) == set(RDFLIB_NAMES) == set(OXIGRAPH_FORMATS)


@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_every_rdf_format_round_trips_to_an_isomorphic_graph(fmt: str, built: list[Triple], graph: rdflib.Graph) -> None:
    assert_same_graph(graph, _parse_rdflib(export.serialise(built, fmt), fmt))


@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_pyoxigraph_reads_every_rdf_format(fmt: str, built: list[Triple]) -> None:
    data = export.serialise(built, fmt)
    parsed = {q.triple for q in ox.parse(data, format=OXIGRAPH_FORMATS[fmt])}
    assert parsed == {export.to_oxigraph(t) for t in built}


@pytest.mark.parametrize("fmt", sorted(RAPPER_NAMES))
def test_rapper_reads_turtle_ntriples_and_rdfxml(fmt: str, built: list[Triple], tmp_path: Path) -> None:
    out = tmp_path / f"kg{export.FORMATS[fmt].suffix}"
    count = export.write(built, out, fmt)
    result = subprocess.run(["rapper", "-i", RAPPER_NAMES[fmt], "-c", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert int(result.stderr.split("returned")[1].split()[0]) == count == len(set(built))


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_rapper_reads_every_quad_of_nquads_and_trig(fmt: str, built: list[Triple], tmp_path: Path) -> None:
    out = tmp_path / f"kg{export.FORMATS[fmt].suffix}"
    export.write(built, out, fmt)
    quads = list(ox.parse(path=str(out), format=OXIGRAPH_FORMATS[fmt]))
    result = subprocess.run(["rapper", "-i", fmt, "-c", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert int(result.stderr.split("returned")[1].split()[0]) == len(quads) == len(layers.quads(built))


def test_every_format_is_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    """`kg export --all` under three PYTHONHASHSEEDs writes the same bytes in every format."""
    outputs: dict[str, set[bytes]] = {}
    for seed in ("0", "1", "4242"):
        folder = tmp_path / f"all-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "kg", "export", "--all", str(folder)], check=True, env=env, capture_output=True)
        for path in folder.iterdir():
            outputs.setdefault(path.name, set()).add(path.read_bytes())
    assert sorted(outputs) == sorted(f"kg{f.suffix}" for f in export.FORMATS.values())
    assert {name: len(found) for name, found in outputs.items()} == dict.fromkeys(outputs, 1)


@pytest.mark.parametrize("layer", layers.LAYERS)
def test_every_format_is_byte_identical_whatever_the_input_order(tmp_path: Path, layer: str) -> None:
    """Records shuffled in the files, and the triple stream shuffled, give the same bytes."""
    copy = tmp_path / "shuffled"
    _shuffled_copy(bundled_data(), copy, 1234)
    reference = list(triples(api.load()))
    shuffled = list(triples(api.load(copy)))
    random.Random(1234).shuffle(shuffled)
    for fmt in sorted(export.FORMATS):
        expected = export.serialise(reference, fmt, layer=layer, with_sources=True)
        assert export.serialise(shuffled, fmt, layer=layer, with_sources=True) == expected, fmt


# -- the facts layer ---------------------------------------------------------------------------


def test_the_facts_layer_keeps_entities_relations_and_statistics_and_no_provenance(built: list[Triple]) -> None:
    facts = layers.facts(built)
    graph = rdflib.Graph()
    for s, p, o in facts:
        graph.add((rdflib.URIRef(s), rdflib.URIRef(p), rdflib.URIRef(o) if isinstance(o, str) else rdflib.Literal(o.lexical)))
    kg = rdflib.Namespace(vocab.KG)
    types = set(graph.objects(None, rdflib.RDF.type))
    for gone in (K.Citation, K.Source, K.Statement, K.Quotation, K.Claim, K.TextRepair, vocab.OA_ANNOTATION):
        assert rdflib.URIRef(gone) not in types
    predicates = {str(p) for p in graph.predicates()}
    assert not predicates & layers.PROVENANCE_PREDICATES
    assert not predicates & {vocab.OA_HAS_TARGET, vocab.OA_EXACT, vocab.RDF_SUBJECT}
    entities = {s for cls in layers.ENTITY_CLASSES for s in graph.subjects(rdflib.RDF.type, rdflib.URIRef(cls))}
    assert len(entities) == ENTITIES
    assert all(graph.value(e, rdflib.RDFS.label) for e in entities)
    taskforce = rdflib.URIRef(vocab.DEFAULT_BASE + "grooming-gangs-taskforce")
    assert (taskforce, kg.ledBy, rdflib.URIRef(vocab.DEFAULT_BASE + "npcc")) in graph
    statistics = set(graph.subjects(rdflib.RDF.type, kg.Statistic))
    assert len(statistics) == 12  # the officers trained are one figure with two sources
    for stat in statistics:
        assert {kg.value, kg.comparator, kg.unit, kg.counts, kg.about} <= set(graph.predicates(stat))
    assert len(set(graph.subjects(rdflib.RDF.type, kg.Period))) == 7  # one per statistic with a period
    used = {o for o in graph.objects() if str(o) in vocab.CONCEPTS}
    labelled = {s for s in graph.subjects(rdflib.RDF.type, rdflib.URIRef(vocab.SKOS + "Concept")) if str(s) in vocab.CONCEPTS}
    assert used == labelled, "the facts layer labels exactly the list values it uses"
    assert set(facts) < set(built)


def test_an_unasserted_statistic_is_not_a_fact(built: list[Triple]) -> None:
    stat = next(s for s, p, o in built if p == vocab.TYPE and o == K.Statistic)
    period = next(o for s, p, o in built if s == stat and p == K.period)
    false = Lit("false", vocab.XSD + "boolean")
    hedged = [(s, p, false) if (s == stat and p == K.asserted) else (s, p, o) for s, p, o in built]
    facts = layers.facts(hedged)
    assert not [t for t in facts if t[0] in (stat, period)]
    assert [t for t in layers.facts(built) if t[0] == stat]
    assert layers.facts(layers.facts(built)) == layers.facts(built), "the facts of the facts layer are itself"


def test_export_layer_facts_writes_only_the_facts(tmp_path: Path, built: list[Triple]) -> None:
    out = tmp_path / "facts.ttl"
    result = CliRunner().invoke(cli, ["export", "--data", str(bundled_data()), "--layer", "facts", "-o", str(out)])
    assert result.exit_code == 0, result.output
    parsed = rdflib.Graph().parse(out)
    assert len(parsed) == len(layers.facts(triples(api.load())))
    assert "kg: wrote 386 triples (turtle) to" in result.stderr


# -- TriG and N-Quads: facts in the default graph, a named graph per source ---------------------


@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_datasets_put_facts_in_the_default_graph_and_each_source_in_its_own(fmt: str, built: list[Triple]) -> None:
    quads = list(ox.parse(export.serialise(built, fmt), format=OXIGRAPH_FORMATS[fmt]))
    default = {q.triple for q in quads if q.graph_name == ox.DefaultGraph()}
    assert default == {export.to_oxigraph(t) for t in layers.facts(built)}
    sources = sorted(s for s, p, o in built if p == vocab.TYPE and o == K.Source)
    names = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    assert names == {layers.provenance_graph(s) for s in sources}
    for source in sources:
        graph = {q.triple for q in quads if q.graph_name == ox.NamedNode(layers.provenance_graph(source))}
        citations = {t.subject for t in graph if t.predicate == ox.NamedNode(K.source)}
        assert citations, source
        assert all(t.object == ox.NamedNode(source) for t in graph if t.predicate == ox.NamedNode(K.source))
        # Each graph is whole on its own: every citation's target and selectors come with it.
        targets = {t.object for t in graph if t.subject in citations and t.predicate == ox.NamedNode(vocab.OA_HAS_TARGET)}
        assert len(targets) == len(citations)
        for target in targets:
            assert any(t.subject == target and t.predicate == ox.NamedNode(vocab.OA_HAS_SELECTOR) for t in graph)
    assert {q.triple for q in quads} == {export.to_oxigraph(t) for t in built}


# -- JSON-LD ----------------------------------------------------------------------------------


def test_the_jsonld_context_file_is_made_from_the_vocabulary() -> None:
    """If this fails after a vocabulary change: python -m kg.formats.jsonld > ontology/context.jsonld"""
    committed = (ontology_dir() / jsonld.CONTEXT_FILE).read_text(encoding="utf-8")
    assert committed == jsonld.context_text(jsonld.make_context())


def test_jsonld_keys_read_like_the_vocabulary() -> None:
    base = "https://data.example.net/gg/"
    doc = json.loads(export.serialise(triples(api.load(), base=base), "jsonld", base=base))
    context = json.loads((ontology_dir() / jsonld.CONTEXT_FILE).read_text(encoding="utf-8"))["@context"]
    assert doc["@context"] == {**context, "kgd": "https://data.example.net/gg/"}
    nodes = {node["@id"]: node for node in doc["@graph"]}
    taskforce = nodes["kgd:grooming-gangs-taskforce"]
    assert taskforce["@type"] == "kg:Initiative"
    assert taskforce["ledBy"] == "kgd:npcc"
    assert taskforce["label"] == "Grooming Gangs Taskforce"
    assert isinstance(taskforce["sourceCount"], dict) and taskforce["sourceCount"]["@type"] == "xsd:integer"


# -- GraphML and GEXF: the entity graph -----------------------------------------------------------


def _read_network(path: Path, fmt: str) -> nx.DiGraph:
    return nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)


@pytest.mark.parametrize("fmt", NETWORK_FORMATS)
@pytest.mark.parametrize("layer", layers.LAYERS)
def test_networkx_reads_the_entity_graph_with_every_label(fmt: str, layer: str, built: list[Triple], tmp_path: Path) -> None:
    out = tmp_path / f"kg{export.FORMATS[fmt].suffix}"
    export.write(built, out, fmt, layer=layer)
    read = _read_network(out, fmt)
    assert (read.number_of_nodes(), read.number_of_edges()) == (ENTITIES, RELATIONS)
    labels = {str(s): o.lexical for s, p, o in built if p == vocab.LABEL and isinstance(o, Lit)}
    classes = {cls.rsplit("#", 1)[1] for cls in layers.ENTITY_CLASSES}
    for node, data in read.nodes(data=True):
        assert data["label"] == labels[node]
        assert data["class"] in classes
    relation_labels = set(network.RELATION_LABELS.values())
    for source, target, data in read.edges(data=True):
        assert data["label"] in relation_labels
        assert (source, data["property"], target) in {(s, p, o) for s, p, o in built}
        if layer == "all":
            assert isinstance(data["sourceCount"], int) and data["sourceCount"] >= 1
            assert data["evidence"]
        else:
            assert "sourceCount" not in data and "evidence" not in data
    led = read.edges[vocab.DEFAULT_BASE + "grooming-gangs-taskforce", vocab.DEFAULT_BASE + "npcc"]
    assert led["label"] == "led by"


@pytest.mark.parametrize("fmt", NETWORK_FORMATS)
def test_each_evidence_line_names_the_source_it_quotes(fmt: str, built: list[Triple], tmp_path: Path) -> None:
    """The sources and the quotes were two lists sorted apart: line 1 of one beside line 1 of the
    other credited a quote of one article to another."""
    out = tmp_path / f"kg{export.FORMATS[fmt].suffix}"
    export.write(built, out, fmt)
    titles = {s: o.lexical for s, p, o in built if p == vocab.LABEL and isinstance(o, Lit)}
    cited = {s: o for s, p, o in built if p == K.source}
    said = {(titles[str(cited[s])], o.lexical) for s, p, o in built if p == K.evidence and isinstance(o, Lit)}
    read = _read_network(out, fmt)
    lines = [line for _, data in read.nodes(data=True) if "evidence" in data for line in data["evidence"].split("\n")]
    lines += [line for _, _, data in read.edges(data=True) if "evidence" in data for line in data["evidence"].split("\n")]
    assert len(lines) > 50
    for line in lines:
        title, _, quoted = line.partition(': "')
        assert (title, quoted.removesuffix('"')) in said, line


@pytest.mark.parametrize("fmt", NETWORK_FORMATS)
def test_sources_become_nodes_only_when_asked(fmt: str, built: list[Triple], tmp_path: Path) -> None:
    out = tmp_path / f"kg{export.FORMATS[fmt].suffix}"
    export.write(built, out, fmt, with_sources=True)
    read = _read_network(out, fmt)
    sources = [n for n, data in read.nodes(data=True) if data["class"] == "Source"]
    assert len(sources) == 2 and read.number_of_nodes() == ENTITIES + 2
    for source in sources:
        assert read.out_degree(source) > 0
        assert {data["label"] for _, _, data in read.out_edges(source, data=True)} == {"supports"}
        assert read.nodes[source]["label"].startswith(("Grooming Gangs Taskforce", "There Must Be No Weak Links\u2019"))


def test_gexf_edges_are_weighted_by_their_number_of_sources(built: list[Triple], tmp_path: Path) -> None:
    out = tmp_path / "kg.gexf"
    export.write(built, out, "gexf")
    read = nx.read_gexf(out)
    assert all(data["weight"] == data["sourceCount"] for _, _, data in read.edges(data=True))


# -- the command ------------------------------------------------------------------------------


def test_export_all_writes_every_format(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    result = CliRunner().invoke(cli, ["export", "--data", str(bundled_data()), "--all", str(folder), "--layer", "facts"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["kg.gexf", "kg.graphml", "kg.jsonld", "kg.nq", "kg.nt", "kg.rdf", "kg.trig", "kg.ttl"]
    assert result.stderr == f"kg: wrote 8 files (facts layer) to {folder}: {', '.join(names)}\n"


def test_export_all_with_a_format_or_output_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--all", str(tmp_path), "-f", "trig"])
    assert result.exit_code == 2
    assert result.stderr == "Error: give either --all DIR or -f/-o, not both\n"
    assert list(tmp_path.iterdir()) == []


def test_export_of_a_graph_format_says_what_it_wrote(tmp_path: Path) -> None:
    out = tmp_path / "kg.graphml"
    result = CliRunner().invoke(cli, ["export", "--data", str(bundled_data()), "-f", "graphml", "-o", str(out)])
    assert result.exit_code == 0
    assert re.fullmatch(rf"kg: wrote the entity graph of \d+ triples \(graphml\) to {re.escape(str(out))}\n", result.stderr)


@pytest.mark.parametrize("fmt", sorted(export.FORMATS))
def test_the_output_suffix_names_the_format_when_f_is_not_given(tmp_path: Path, fmt: str) -> None:
    """`kg export -o kg.nt` once wrote Turtle into kg.nt."""
    out = tmp_path / f"KG{export.FORMATS[fmt].suffix.upper()}"  # a suffix is matched in any case
    result = CliRunner().invoke(cli, ["export", "--data", str(bundled_data()), "--layer", "facts", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"({fmt}) to {out}" in result.stderr
    expected = tmp_path / "expected"
    CliRunner().invoke(cli, ["export", "--data", str(bundled_data()), "--layer", "facts", "-f", fmt, "-o", str(expected)])
    assert out.read_bytes() == expected.read_bytes()


SUFFIXES = {".ttl": "turtle", ".nt": "ntriples"}


@pytest.mark.parametrize(
    ("output", "fmt", "chosen"),
    [
        ("-", None, "turtle"),
        ("kg", None, "turtle"),
        ("kg.NT", None, "ntriples"),
        ("out.d/kg.nt", None, "ntriples"),
        ("kg.xml", "rdfxml", "rdfxml"),
    ],
)
def test_one_helper_picks_a_format_by_option_else_suffix_else_default(output: str, fmt: str | None, chosen: str) -> None:
    """kg export and kg draw each picked a format from a file's suffix, with twin logic: both use this."""
    assert format_by_suffix(output, fmt, SUFFIXES, "turtle", lambda suffix: f"not {suffix}") == chosen


def test_one_helper_refuses_a_suffix_that_names_no_format_in_the_callers_words() -> None:
    with pytest.raises(KgError) as refused:
        format_by_suffix("kg.XML", None, SUFFIXES, "turtle", lambda suffix: f"no format is written as {suffix}")
    assert str(refused.value) == "no format is written as .XML"  # as written: the caller words it


def test_an_upper_case_suffix_naming_no_format_is_named_in_lower_case(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--data", str(bundled_data()), "-o", str(tmp_path / "kg.XML")])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {tmp_path / 'kg.XML'}: no export format is written as .xml; end the name in one of")


def test_a_suffix_naming_no_format_is_refused_unless_f_says(tmp_path: Path) -> None:
    out = tmp_path / "kg.xml"
    out.write_bytes(b"old")
    result = CliRunner().invoke(cli, ["export", "--data", str(bundled_data()), "-o", str(out)])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {out}: no export format is written as .xml; end the name in one of"
        " .ttl, .nt, .nq, .trig, .jsonld, .rdf, .graphml, .gexf, or give -f FORMAT\n"
    )
    assert out.read_bytes() == b"old"
    told = CliRunner().invoke(cli, ["export", "--data", str(bundled_data()), "--layer", "facts", "-f", "rdfxml", "-o", str(out)])
    assert told.exit_code == 0 and out.read_bytes().startswith(b"<?xml")
    named = CliRunner().invoke(
        cli, ["export", "--data", str(bundled_data()), "--layer", "facts", "-f", "ntriples", "-o", str(tmp_path / "a.ttl")]
    )
    assert named.exit_code == 0 and (tmp_path / "a.ttl").read_bytes().startswith(b"<")  # -f wins over the suffix


@pytest.mark.parametrize("fmt", sorted(export.FORMATS))
def test_every_format_ends_with_one_line_break(built: list[Triple], fmt: str, tmp_path: Path) -> None:
    """RDF/XML ended at '</rdf:RDF>', so `cat` left the prompt on its last line."""
    out = tmp_path / f"kg{export.FORMATS[fmt].suffix}"
    export.write(built, out, fmt)
    assert out.read_bytes().endswith(b"\n") and not out.read_bytes().endswith(b"\n\n")


def test_a_non_ascii_base_is_written_as_a_valid_iri_in_every_format(tmp_path: Path) -> None:
    """With base https://example.org/ü/, RDF/XML declared it as an XML namespace, which lxml
    (libxml2) refuses: a namespace name is an ASCII URI. Every format now reads back, the IRIs whole."""
    from lxml import etree

    base = "https://example.org/ü/"
    result = CliRunner().invoke(cli, ["export", "-q", "--base", base, "--all", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for name in ("kg.rdf", "kg.graphml", "kg.gexf"):
        etree.parse(str(tmp_path / name))  # raises XMLSyntaxError on an invalid namespace
    read = {}
    for path in sorted(tmp_path.iterdir()):
        rdf_format = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
        if rdf_format is not None:
            read[path.name] = {q.triple for q in ox.parse(path=str(path), format=rdf_format)}
    assert len(read) == 6 and all(found == read["kg.nt"] for found in read.values())
    assert any(t.subject.value.startswith(base) for t in read["kg.rdf"] if isinstance(t.subject, ox.NamedNode))
