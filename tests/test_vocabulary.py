"""The vocabulary and its shapes: every term documented, strict parsers accept them, the data conforms."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import OWL, RDFS, SKOS

from kg import api, vocab
from kg.resources import ontology_dir
from kg.shapes import shapes_graph, validate, validate_dataset

KG = rdflib.Namespace(vocab.KG)


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_dir() / "kg.ttl")


@pytest.mark.parametrize("name", ["kg.ttl", "shapes.ttl"])
def test_strict_parsers_accept_the_ontology_files(name: str) -> None:
    path = ontology_dir() / name
    assert list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    assert subprocess.run(["serdi", "-i", "turtle", "-o", "ntriples", str(path)], capture_output=True).returncode == 0
    assert subprocess.run(["rapper", "-i", "turtle", "-c", str(path)], capture_output=True).returncode == 0


def test_every_term_the_graph_uses_is_documented(ontology: rdflib.Graph, graph: rdflib.Graph) -> None:
    used = {t for triple in graph for t in triple if isinstance(t, rdflib.URIRef) and str(t).startswith(vocab.KG)}
    assert used
    for term in sorted(used):
        assert ontology.value(term, RDFS.label), f"{term} has no rdfs:label"
        assert ontology.value(term, RDFS.comment), f"{term} has no rdfs:comment"


def test_the_ontology_defines_no_term_the_code_does_not_know(ontology: rdflib.Graph) -> None:
    known = {value for name, value in vars(vocab.K).items() if not name.startswith("_")} | set(vocab.CONCEPTS)
    defined = {str(s) for s in ontology.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(vocab.KG)}
    assert defined - known == set()
    assert known - defined == set()


def test_concept_labels_in_the_graph_match_the_ontology(ontology: rdflib.Graph) -> None:
    for iri, (scheme, label) in vocab.CONCEPTS.items():
        assert str(ontology.value(rdflib.URIRef(iri), RDFS.label)) == label
        assert (rdflib.URIRef(iri), SKOS.inScheme, rdflib.URIRef(scheme)) in ontology


def test_alignment_is_by_subclass_and_subproperty_never_equivalence(ontology: rdflib.Graph) -> None:
    assert not list(ontology.triples((None, OWL.equivalentClass, None)))
    assert not list(ontology.triples((None, OWL.equivalentProperty, None)))
    assert (KG.Organisation, RDFS.subClassOf, rdflib.URIRef("http://www.w3.org/ns/org#Organization")) in ontology
    assert (KG.Statistic, RDFS.subClassOf, rdflib.URIRef("https://schema.org/Observation")) in ontology
    assert (KG.Citation, RDFS.subClassOf, rdflib.URIRef("http://www.w3.org/ns/oa#Annotation")) in ontology
    assert ontology.value(rdflib.URIRef("https://example.org/kg/ontology"), OWL.versionInfo)


def test_the_bundled_graph_conforms_to_the_shapes(bundled) -> None:
    dataset, report = bundled
    assert validate_dataset(dataset, report) == []


def test_a_broken_graph_gets_readable_violations(graph: rdflib.Graph) -> None:
    broken = rdflib.Graph()
    for triple in graph:
        broken.add(triple)
    stat = rdflib.URIRef("https://example.org/kg/id/stat-arrests-hundreds-farris")
    broken.remove((stat, KG.comparator, None))
    conforms, results = validate(broken, shapes_graph())
    assert not conforms
    messages = [str(m) for m in results.objects(None, rdflib.URIRef("http://www.w3.org/ns/shacl#resultMessage"))]
    assert any("comparator" in m for m in messages), messages


def test_shacl_violations_point_at_the_data_file(tmp_path: Path) -> None:
    """The shapes catch a person with no public post too (as the record checks do), at its line."""
    from helpers import PERSON_WITHOUT_POST, write_files

    data = write_files(tmp_path / "data", {"all.yaml": PERSON_WITHOUT_POST})
    dataset, report = api.prepare(data)
    assert dataset is not None
    assert [p.field for p in report.errors] == ["id"]  # the record check
    problems = validate_dataset(dataset, report)
    assert problems, "a person without a post must violate a shape"
    for problem in problems:
        assert problem.pos is not None and problem.pos.path.endswith("all.yaml") and problem.pos.line == 5
    assert any("a-person (A Person)" in p.message and "post" in p.message for p in problems), [str(p) for p in problems]
