"""Documentation of the vocabulary: a static HTML page in the style of pyLODE and Widoco,
Markdown for the repository, and a class diagram, all made from ``ontology/kg.ttl``.

The vocabulary is read into plain records here (:class:`Vocabulary`); the page and the
Markdown are Jinja2 templates under ``kg/templates/docs/`` filled with them, and the
diagram is drawn by Graphviz.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg import graphviz, vocab
from kg.export import write_bytes
from kg.problems import KgError
from kg.resources import ontology_dir
from kg.text import parser_said

SCHEMA = rdflib.Namespace(vocab.SCHEMA)
DCTERMS = rdflib.Namespace(vocab.DCTERMS)
VANN = rdflib.Namespace("http://purl.org/vocab/vann/")
TEMPLATES = Path(__file__).resolve().parent / "templates" / "docs"
#: Prefixes for showing IRIs (the ontology's own, and the output's).
SHOWN_PREFIXES = {**vocab.PREFIXES, "time": "http://www.w3.org/2006/time#", "vann": str(VANN)}
#: Properties left out of the class diagram: every fact class has them, so they would only add clutter.
DIAGRAM_SKIPS = frozenset({vocab.K.citation})


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to a term: its IRI, how it is shown (``kg:Person``) and, for a kg: term, its anchor."""

    iri: str
    curie: str
    anchor: str | None


@dataclass(frozen=True, slots=True)
class Term:
    """A class, property or concept scheme, with what the page says about it."""

    ref: Ref
    kind: str
    label: str
    comment: str
    parents: list[Ref] = field(default_factory=list)
    domains: list[Ref] = field(default_factory=list)
    ranges: list[Ref] = field(default_factory=list)
    #: For a class: the properties whose domain or range it is.
    in_domain_of: list[Ref] = field(default_factory=list)
    in_range_of: list[Ref] = field(default_factory=list)
    #: For a concept scheme: its concepts (notation, label, comment).
    concepts: list[tuple[str, str, str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The vocabulary as the page shows it."""

    iri: str
    title: str
    description: str
    comment: str
    metadata: list[tuple[str, str, str | None]]
    classes: list[Term]
    object_properties: list[Term]
    datatype_properties: list[Term]
    schemes: list[Term]
    namespaces: list[tuple[str, str]]


def _ref(iri: rdflib.term.Node) -> Ref:
    text = str(iri)
    if text.startswith(vocab.KG):
        local = text[len(vocab.KG) :]
        return Ref(text, f"kg:{local}", local)
    for prefix, namespace in sorted(SHOWN_PREFIXES.items(), key=lambda item: -len(item[1])):
        if text.startswith(namespace) and len(text) > len(namespace):
            return Ref(text, f"{prefix}:{text[len(namespace) :]}", None)
    return Ref(text, text, None)


def _refs(nodes: Iterable[rdflib.term.Node]) -> list[Ref]:
    return sorted({_ref(n) for n in nodes if isinstance(n, rdflib.URIRef)}, key=lambda r: r.curie)


def _text(graph: rdflib.Graph, node: rdflib.term.Node, prop: rdflib.URIRef) -> str:
    value = graph.value(node, prop)
    return str(value) if value is not None else ""


def read_vocabulary(path: Path | None = None) -> Vocabulary:
    """The vocabulary of ``ontology/kg.ttl`` (or another file), as the page shows it."""
    where = path or ontology_dir() / "kg.ttl"
    try:
        graph = rdflib.Graph().parse(where, format=rdflib.util.guess_format(str(where)) or "turtle")
    except Exception as err:  # rdflib's parsers raise many kinds
        raise KgError(f"{where}: cannot be read as {rdflib.util.guess_format(str(where)) or 'turtle'}: {parser_said(err)}") from None
    ontology = next(graph.subjects(RDF.type, OWL.Ontology), None)
    if ontology is None:
        raise KgError(f"{where}: no owl:Ontology in it: give the vocabulary file, such as ontology/kg.ttl")

    def kg_subjects(kind: rdflib.URIRef) -> list[rdflib.URIRef]:
        return sorted((s for s in graph.subjects(RDF.type, kind) if isinstance(s, rdflib.URIRef) and str(s).startswith(vocab.KG)), key=str)

    def domains(prop: rdflib.URIRef) -> list[Ref]:
        return _refs([*graph.objects(prop, RDFS.domain), *graph.objects(prop, SCHEMA.domainIncludes)])

    def ranges(prop: rdflib.URIRef) -> list[Ref]:
        return _refs([*graph.objects(prop, RDFS.range), *graph.objects(prop, SCHEMA.rangeIncludes)])

    properties = {kind: kg_subjects(kind) for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)}

    def prop_term(prop: rdflib.URIRef, kind: str) -> Term:
        return Term(
            _ref(prop),
            kind,
            _text(graph, prop, RDFS.label),
            _text(graph, prop, RDFS.comment),
            _refs(graph.objects(prop, RDFS.subPropertyOf)),
            domains(prop),
            ranges(prop),
        )

    object_properties = [prop_term(p, "object property") for p in properties[OWL.ObjectProperty]]
    datatype_properties = [prop_term(p, "datatype property") for p in properties[OWL.DatatypeProperty]]
    every_property = [*object_properties, *datatype_properties]
    classes = []
    for cls in kg_subjects(OWL.Class):
        ref = _ref(cls)
        classes.append(
            Term(
                ref,
                "class",
                _text(graph, cls, RDFS.label),
                _text(graph, cls, RDFS.comment),
                _refs(graph.objects(cls, RDFS.subClassOf)),
                in_domain_of=sorted((p.ref for p in every_property if ref in p.domains), key=lambda r: r.curie),
                in_range_of=sorted((p.ref for p in every_property if ref in p.ranges), key=lambda r: r.curie),
            )
        )
    order = list(vocab.CONCEPTS)
    schemes = []
    for scheme in kg_subjects(SKOS.ConceptScheme):
        members = sorted(graph.subjects(SKOS.inScheme, scheme), key=lambda c: order.index(str(c)) if str(c) in order else len(order))
        concepts = [
            (_ref(c).anchor or "", _text(graph, c, SKOS.notation), _text(graph, c, RDFS.label), _text(graph, c, RDFS.comment))
            for c in members
        ]
        label, comment = _text(graph, scheme, RDFS.label), _text(graph, scheme, RDFS.comment)
        schemes.append(Term(_ref(scheme), "concept scheme", label, comment, concepts=concepts))
    licence = graph.value(ontology, DCTERMS.license)
    version_iri = graph.value(ontology, OWL.versionIRI)
    metadata: list[tuple[str, str, str | None]] = [
        ("IRI", str(ontology), str(ontology)),
        ("Version IRI", str(version_iri or ""), str(version_iri) if version_iri else None),
        ("Version", _text(graph, ontology, OWL.versionInfo), None),
        ("Licence", str(licence or ""), str(licence) if licence else None),
        ("Creator", _text(graph, ontology, DCTERMS.creator), None),
        ("Preferred prefix", _text(graph, ontology, VANN.preferredNamespacePrefix), None),
        ("Preferred namespace", _text(graph, ontology, VANN.preferredNamespaceUri), None),
    ]
    used = {r.curie.split(":", 1)[0] for t in [*classes, *every_property] for r in [*t.parents, *t.domains, *t.ranges]}
    return Vocabulary(
        iri=str(ontology),
        title=_text(graph, ontology, DCTERMS.title) or _text(graph, ontology, RDFS.label),
        description=_text(graph, ontology, DCTERMS.description),
        comment=_text(graph, ontology, RDFS.comment),
        metadata=[row for row in metadata if row[1]],
        classes=classes,
        object_properties=object_properties,
        datatype_properties=datatype_properties,
        schemes=schemes,
        namespaces=sorted((p, n) for p, n in SHOWN_PREFIXES.items() if p in used | {"kg"}),
    )


def class_diagram(vocabulary: Vocabulary) -> str:
    """The DOT source of the class diagram: the kg: classes, their alignments, and the
    object properties between them (one arrow per pair of classes, naming every property)."""
    classes = {t.ref.iri: t for t in vocabulary.classes}
    arrows: dict[tuple[str, str], list[str]] = {}
    for prop in vocabulary.object_properties:
        if prop.ref.iri in DIAGRAM_SKIPS:
            continue
        for domain in prop.domains:
            for range_ in prop.ranges:
                if domain.iri in classes and range_.iri in classes:
                    arrows.setdefault((domain.anchor or "", range_.anchor or ""), []).append(prop.ref.curie)
    lines = [
        "digraph classes {",
        '  graph [rankdir=TB, fontname="Helvetica", nodesep=0.4, ranksep=0.8, bgcolor="white"];',
        '  node [shape=plain, fontname="Helvetica", fontsize=13];',
        '  edge [fontname="Helvetica", fontsize=11, color="#5b6b7a", fontcolor="#33414e", arrowsize=0.7];',
    ]
    for _, term in sorted(classes.items()):
        parents = "<br/>".join(f"⊑ {_escape(p.curie)}" for p in term.parents)
        label = (
            '<<table border="1" cellborder="0" cellspacing="0" cellpadding="3" color="#2f6f9f" bgcolor="#eaf2fa">'
            f'<tr><td href="#{term.ref.anchor}"><b>{term.ref.curie}</b></td></tr>'
            f'<tr><td><font point-size="10" color="#55606b">{parents}</font></td></tr></table>>'
        )
        lines.append(f"  {term.ref.anchor} [label={label}, tooltip={graphviz.quote(term.label)}];")
    for (tail, head), names in sorted(arrows.items()):
        lines.append(f"  {tail} -> {head} [label={graphviz.quote(chr(10).join(sorted(names)))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def render_html(vocabulary: Vocabulary, diagram_svg: str) -> str:
    """The HTML page, with the class diagram inline."""
    return _environment().get_template("vocabulary.html.j2").render(v=vocabulary, diagram=diagram_svg)


def render_markdown(vocabulary: Vocabulary, diagram_file: str) -> str:
    """The Markdown page, pointing at the class diagram file."""
    return _environment().get_template("vocabulary.md.j2").render(v=vocabulary, diagram=diagram_file)


#: The files ``kg docs`` writes.
HTML, MARKDOWN, DIAGRAM = "vocabulary.html", "vocabulary.md", "classes.svg"


def write_docs(folder: str | Path, ontology: Path | None = None) -> list[Path]:
    """Write the HTML page, the Markdown and the class diagram into ``folder`` (made if
    missing); returns the files, each replaced atomically."""
    vocabulary = read_vocabulary(ontology)
    svg = graphviz.render(class_diagram(vocabulary), "svg")
    pages = {
        HTML: render_html(vocabulary, graphviz.inline_svg(svg)).encode("utf-8"),
        MARKDOWN: render_markdown(vocabulary, DIAGRAM).encode("utf-8"),
        DIAGRAM: svg,
    }
    where = Path(folder)
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise KgError(f"cannot make the folder {where}: {err.strerror or err}") from None
    written = []
    for name, data in pages.items():
        write_bytes(where / name, data)
        written.append(where / name)
    return written
