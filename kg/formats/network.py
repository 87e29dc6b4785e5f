"""The entity graph that graph tools draw: the entities as nodes, their relations as edges.

Through a plain RDF-to-graph conversion the bundled graph is some 1500 nodes, most of
them literals and citation parts, with the sources as hubs. Here the nodes are only the
entities (with id, label and class), the edges only the asserted relations between them
(with the property's label and the number of sources), and the evidence is folded into
attributes. The facts come from :func:`kg.layers.split`; the source counts and evidence
from the provenance beside them, when the triples have it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from kg import layers, vocab
from kg.formats import WriteOptions
from kg.terms import Lit, Triple
from kg.vocab import LABEL, RDF_OBJECT, RDF_PREDICATE, RDF_SUBJECT, TYPE, K

#: Attribute values: text or a whole number.
Value = str | int

#: The property IRI of each relation a statement may make -> its label ("led by").
RELATION_LABELS: dict[str, str] = {
    **{prop: vocab.concept_label(key) for key, (prop, _, _) in vocab.STATEMENT_PREDICATES.items()},
    # an event's links: where it took place, who organised and who took part, what it concerned
    vocab.SCHEMA + "location": "took place at",
    vocab.SCHEMA + "organizer": "organised by",
    vocab.SCHEMA + "attendee": "attended by",
    vocab.SCHEMA + "about": "about",
}

#: Literal-valued facts folded into a node's attributes, by attribute name.
_NODE_TEXT = {
    "description": (vocab.RDFS + "comment", K.description),
    "purpose": (K.purpose,),
    "staffedBy": (K.staffedBy,),
    "establishedIn": (K.establishedIn,),
    "startDate": (vocab.SCHEMA + "startDate",),
    "endDate": (vocab.SCHEMA + "endDate",),
    "when": (K.when,),
    "altLabels": (vocab.ALT_LABEL,),
}
SOURCE_CLASS = "Source"


@dataclass(frozen=True, slots=True)
class Node:
    """An entity (or, with sources, a source): its IRI, label, class name and attributes."""

    id: str
    label: str
    cls: str
    attributes: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Edge:
    """A relation between two nodes: the predicate IRI, its label, and attributes."""

    source: str
    target: str
    predicate: str
    label: str
    attributes: dict[str, Value] = field(default_factory=dict)

    @property
    def source_count(self) -> int | None:
        count = self.attributes.get("sourceCount")
        return count if isinstance(count, int) else None


@dataclass(frozen=True, slots=True)
class EntityGraph:
    """Nodes and edges, sorted: nodes by id, edges by (source, target, property)."""

    nodes: list[Node]
    edges: list[Edge]

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _joined(values: list[str]) -> str:
    return "\n".join(sorted(set(values)))


def entity_graph(triples: list[Triple], *, with_sources: bool = False) -> EntityGraph:
    """The entity graph of a triple list (the whole graph, or only its facts layer)."""
    facts, named, _ = layers.split(triples)
    provenance = [t for members in named.values() for t in members]
    by_subject: defaultdict[str, list[Triple]] = defaultdict(list)
    for triple in [*facts, *provenance]:
        by_subject[triple[0]].append(triple)

    def values(node: str, prop: str) -> list[str | Lit]:
        return [o for _, p, o in by_subject.get(node, []) if p == prop]

    def text(node: str, prop: str) -> list[str]:
        return [o.lexical for o in values(node, prop) if isinstance(o, Lit)]

    def source_count(node: str) -> int | None:
        counts = text(node, K.sourceCount)
        return int(counts[0]) if counts else None

    def title(source: str) -> str:
        return next(iter(text(source, LABEL)), _local(source))

    def evidence(node: str) -> tuple[list[str], list[str]]:
        """The titles of a fact node's sources, and the words each citation quotes with the
        title of the source it quotes (``Title: "words"``): two lists sorted apart would pair
        a quote with another source's title, line by line."""
        titles = [title(s) for s in values(node, vocab.DERIVED_FROM) if isinstance(s, str)]
        quotes = [
            f'{title(cited)}: "{quote}"'
            for citation in values(node, K.citation)
            if isinstance(citation, str)
            for cited in values(citation, K.source)
            if isinstance(cited, str)
            for quote in text(citation, K.evidence)
        ]
        return titles, quotes

    classes = {s: cls for s, p, cls in facts if p == TYPE and cls in layers.ENTITY_CLASSES}
    entity_ids = sorted(classes)
    # The reified statement behind each plain triple, for its sources and evidence.
    statement_of: dict[tuple[str, str, str], str] = {}
    for node, members in by_subject.items():
        parts = {p: o for _, p, o in members if p in (RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT)}
        if len(parts) == 3 and all(isinstance(v, str) for v in parts.values()):
            statement_of[(str(parts[RDF_SUBJECT]), str(parts[RDF_PREDICATE]), str(parts[RDF_OBJECT]))] = node

    nodes: list[Node] = []
    for node in entity_ids:
        attributes: dict[str, Value] = {"iri": node}
        for name, props in _NODE_TEXT.items():
            found = [t for prop in props for t in text(node, prop)]
            if found:
                attributes[name] = _joined(found)
        statistics = [t for s, p, o in facts if p == K.about and o == node for t in text(s, LABEL)]
        if statistics:
            attributes["statistics"] = _joined(statistics)
        count = source_count(node)
        if count is not None:
            attributes["sourceCount"] = count
            titles, quotes = evidence(node)
            attributes["sources"], attributes["evidence"] = _joined(titles), _joined(quotes)
        labels = text(node, LABEL)
        nodes.append(Node(node, labels[0] if labels else _local(node), _local(classes[node]), attributes))

    edges: list[Edge] = []
    supported: defaultdict[str, set[str]] = defaultdict(set)
    for node in entity_ids:
        for source in values(node, vocab.DERIVED_FROM):
            supported[str(source)].add(node)
    for s, p, o in facts:
        if p not in RELATION_LABELS or s not in classes or not isinstance(o, str) or o not in classes:
            continue
        attributes = {"property": p}
        # a relation's sources are its statement's; an event's links are the event's own
        statement = statement_of.get((s, p, o)) or (s if classes[s] == K.Event and source_count(s) is not None else None)
        if statement is not None:
            count = source_count(statement)
            if count is not None:
                attributes["sourceCount"] = count
            titles, quotes = evidence(statement)
            attributes["sources"], attributes["evidence"] = _joined(titles), _joined(quotes)
            for source in values(statement, vocab.DERIVED_FROM):
                supported[str(source)] |= {s, o}
        edges.append(Edge(s, o, p, RELATION_LABELS[p], attributes))

    if with_sources:
        for source in sorted(supported):
            titles = text(source, LABEL)
            attributes = {"iri": source}
            urls = [str(u) for u in values(source, K.url)]
            if urls:
                attributes["url"] = _joined(urls)
            nodes.append(Node(source, titles[0] if titles else _local(source), SOURCE_CLASS, attributes))
            for target in sorted(supported[source]):
                edges.append(Edge(source, target, vocab.DERIVED_FROM, "supports", {"inverseOf": vocab.DERIVED_FROM}))
    nodes.sort(key=lambda n: n.id)
    edges.sort(key=lambda e: (e.source, e.target, e.predicate))
    return EntityGraph(nodes, edges)


def xml_writer(document: Callable[[EntityGraph], ET.Element]) -> Callable[[list[Triple], BinaryIO, WriteOptions], None]:
    """A format's writer from its function that makes the XML document of an entity graph."""

    def write(triples: list[Triple], out: BinaryIO, options: WriteOptions) -> None:
        root = document(entity_graph(triples, with_sources=options.with_sources))
        ET.indent(root)
        ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
        out.write(b"\n")

    return write
