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


#: The kind of each property outside kg: that a kg: property is aligned under: object,
#: datatype, or either (schema.org lets some take a text or a thing).
ALIGNMENT_KINDS = {
    "http://purl.org/dc/terms/description": "datatype",
    "http://purl.org/dc/terms/isPartOf": "object",
    "http://purl.org/dc/terms/issued": "datatype",
    "http://purl.org/dc/terms/modified": "datatype",
    "http://purl.org/dc/terms/source": "object",
    "http://purl.org/dc/terms/spatial": "object",
    "http://purl.org/dc/terms/temporal": "object",
    "http://purl.org/dc/terms/title": "datatype",
    "http://www.w3.org/ns/org#holds": "object",
    "http://www.w3.org/ns/org#postIn": "object",
    "http://www.w3.org/2006/time#hasXSDDuration": "datatype",
    "https://schema.org/about": "object",
    "https://schema.org/alternativeHeadline": "datatype",
    "https://schema.org/creator": "object",
    "https://schema.org/description": "datatype",
    "https://schema.org/endDate": "datatype",
    "https://schema.org/founder": "object",
    "https://schema.org/foundingDate": "datatype",
    "https://schema.org/funder": "object",
    "https://schema.org/inLanguage": "either",
    "https://schema.org/spatialCoverage": "object",
    "https://schema.org/startDate": "datatype",
    "https://schema.org/text": "datatype",
    "https://schema.org/value": "either",
}


def _kind(ontology: rdflib.Graph, prop: rdflib.term.Node) -> str:
    types = set(ontology.objects(prop, rdflib.RDF.type))
    return "object" if OWL.ObjectProperty in types else "datatype" if OWL.DatatypeProperty in types else "?"


def test_every_alignment_matches_the_kind_of_property(ontology: rdflib.Graph) -> None:
    """A datatype property sits only under a datatype (or either) property, an object property under an object one."""
    aligned = [(s, o) for s, o in ontology.subject_objects(RDFS.subPropertyOf) if str(s).startswith(vocab.KG)]
    assert len(aligned) >= 20
    for prop, parent in aligned:
        assert str(parent) in ALIGNMENT_KINDS, f"{prop} is aligned under {parent}: add its kind to ALIGNMENT_KINDS after checking it"
        assert ALIGNMENT_KINDS[str(parent)] in (_kind(ontology, prop), "either"), f"{prop} ({_kind(ontology, prop)}) under {parent}"


@pytest.mark.parametrize(
    ("term", "parent"),
    [
        ("language", "http://purl.org/dc/terms/language"),
        ("url", "https://schema.org/url"),
        ("duration", "https://schema.org/duration"),
        ("partner", "http://www.w3.org/ns/org#linkedTo"),
        ("attributedTo", "http://www.w3.org/ns/prov#wasAttributedTo"),
    ],
)
def test_the_mismatched_alignments_of_issue_9_are_gone(ontology: rdflib.Graph, term: str, parent: str) -> None:
    """kg:language, kg:url, kg:duration, kg:partner and kg:attributedTo sat under properties of another kind or meaning."""
    assert (KG[term], RDFS.subPropertyOf, rdflib.URIRef(parent)) not in ontology


def test_every_property_has_a_domain(ontology: rdflib.Graph) -> None:
    """kg:citation, kg:sourceCount and kg:asserted had none."""
    domain_includes = rdflib.URIRef("https://schema.org/domainIncludes")
    properties = [p for kind in (OWL.ObjectProperty, OWL.DatatypeProperty) for p in ontology.subjects(rdflib.RDF.type, kind)]
    assert len(properties) > 50
    for prop in properties:
        domains = set(ontology.objects(prop, RDFS.domain)) | set(ontology.objects(prop, domain_includes))
        assert domains, f"{prop} has no domain"
        assert all((d, rdflib.RDF.type, OWL.Class) in ontology for d in domains), prop
    for prop in ("citation", "sourceCount", "asserted"):
        assert KG.Statistic in set(ontology.objects(KG[prop], domain_includes))


def test_the_ontology_states_its_licence_creator_version_and_preferred_prefix(ontology: rdflib.Graph) -> None:
    dcterms = rdflib.Namespace(vocab.DCTERMS)
    vann = rdflib.Namespace("http://purl.org/vocab/vann/")
    node = rdflib.URIRef("https://example.org/kg/ontology")
    assert ontology.value(node, dcterms.license) == rdflib.URIRef("https://spdx.org/licenses/MIT")
    assert ontology.value(node, dcterms.creator)
    version = ontology.value(node, OWL.versionInfo)
    assert ontology.value(node, OWL.versionIRI) == rdflib.URIRef(f"https://example.org/kg/ontology/{version}")
    assert str(ontology.value(node, vann.preferredNamespacePrefix)) == "kg"
    assert str(ontology.value(node, vann.preferredNamespaceUri)) == vocab.KG


def test_the_w3id_redirects_cover_every_published_file() -> None:
    text = (ontology_dir() / "w3id" / ".htaccess").read_text(encoding="utf-8")
    rules = [line.split()[1:3] for line in text.splitlines() if line.startswith("RewriteRule")]
    patterns = {pattern for pattern, _ in rules}
    assert patterns == {"^ontology$", "^ontology/([0-9]+\\.[0-9]+\\.[0-9]+)$", "^shapes$", "^context\\.jsonld$", "^id/.*$"}
    targets = {target.rsplit("/", 1)[1] for _, target in rules}
    assert {"kg.ttl", "vocabulary.html", "shapes.ttl", "context.jsonld", "graph.svg"} <= targets
    for name in ("kg.ttl", "shapes.ttl", "context.jsonld"):
        assert (ontology_dir() / name).is_file()
