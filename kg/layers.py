"""The graph's two layers: the facts, and each source's provenance.

Wikidata publishes "truthy" facts beside statements with their references; the export
does the same. This module is the one place that decides which triple is a fact and
which is provenance, and which source a provenance triple belongs to. Every writer
(a facts-only export, TriG and N-Quads with a named graph per source, the entity
graph for graph tools) takes its split from here.

The facts layer holds the entities (their types, labels and descriptions), the plain
triples of asserted statements, the asserted statistics with their value, comparator,
unit, measure, place and period, and the labels of the list values those use. All the
rest (sources, citations, selectors, reified statements, quotations, claims, source
counts, ``kg:asserted``) is provenance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Final

from kg import vocab
from kg.iri import part_iri
from kg.terms import Lit, Triple, sort_key
from kg.vocab import DERIVED_FROM, TYPE, K

#: The layers a user can ask for.
LAYERS: Final = ("all", "facts")

#: The classes whose nodes belong to the facts layer.
FACT_CLASSES: Final = frozenset({K.Organisation, K.Person, K.Post, K.Place, K.Initiative, K.Event, K.Measure, K.Statistic, K.Period})

#: The entities: the nodes of the entity graph that graph tools draw, in the order of this tuple.
ENTITY_CLASSES: Final = (K.Initiative, K.Organisation, K.Person, K.Post, K.Place, K.Event)

#: Predicates that are provenance even on a fact node.
PROVENANCE_PREDICATES: Final = frozenset({K.citation, K.sourceCount, K.asserted, DERIVED_FROM, K.attributedTo})

#: Links from a node to a part that belongs to it (the part shares its owner's sources).
_PART_LINKS: Final = frozenset({vocab.OA_HAS_TARGET, vocab.OA_HAS_SELECTOR, K.textRepair, K.period})

_FALSE: Final = Lit("false", vocab.XSD + "boolean")

#: A quad: a triple and its graph (``None`` for the default graph).
Quad = tuple[str, str, str | Lit, str | None]


def provenance_graph(source: str) -> str:
    """The name of the graph that holds one source's provenance."""
    return part_iri(source, "provenance")


class _Index:
    """What the classification needs to know about the nodes of a triple list."""

    def __init__(self, triples: list[Triple]):
        self.types: defaultdict[str, set[str]] = defaultdict(set)
        self.parent: dict[str, str] = {}
        self.cited_source: defaultdict[str, set[str]] = defaultdict(set)
        self.derived_from: defaultdict[str, set[str]] = defaultdict(set)
        self.unasserted: set[str] = set()
        for s, p, o in triples:
            if p == TYPE and isinstance(o, str):
                self.types[s].add(o)
            elif p in _PART_LINKS and isinstance(o, str):
                self.parent[o] = s
            elif p == K.source and isinstance(o, str):
                self.cited_source[s].add(o)
            elif p == DERIVED_FROM and isinstance(o, str):
                self.derived_from[s].add(o)
            elif p == K.asserted and o == _FALSE:
                self.unasserted.add(s)
        self._sources: dict[str, frozenset[str]] = {}

    def is_fact_node(self, node: str) -> bool:
        if node in self.unasserted or not self.types[node] & FACT_CLASSES:
            return False
        owner = self.parent.get(node)  # a period is a fact when its statistic is
        return owner is None or self.is_fact_node(owner)

    def is_concept(self, node: str) -> bool:
        return node in vocab.CONCEPTS

    def sources_of(self, node: str) -> frozenset[str]:
        """The sources a node's provenance belongs to (none for a node of no source)."""
        if node not in self._sources:
            if K.Source in self.types[node]:
                found = frozenset({node})
            elif node in self.cited_source:
                found = frozenset(self.cited_source[node])
            elif node in self.derived_from:
                found = frozenset(self.derived_from[node])
            elif node in self.parent:
                found = self.sources_of(self.parent[node])
            else:
                found = frozenset()
            self._sources[node] = found
        return self._sources[node]


def _is_fact(index: _Index, triple: Triple) -> bool:
    s, p, _ = triple
    return p not in PROVENANCE_PREDICATES and index.is_fact_node(s)


def split(stream: Iterable[Triple]) -> tuple[list[Triple], dict[str, list[Triple]], list[Triple]]:
    """The facts, each source's provenance (graph name -> triples), and the triples of no
    source (none for a built graph). Each list is sorted; a provenance triple about a
    node several sources support is in each of their graphs."""
    triples = sorted(set(stream), key=sort_key)
    index = _Index(triples)
    facts: list[Triple] = []
    graphs: defaultdict[str, set[Triple]] = defaultdict(set)
    orphans: list[Triple] = []
    concept_triples: list[Triple] = []
    for triple in triples:
        s, p, o = triple
        if index.is_concept(s):
            concept_triples.append(triple)  # placed once every use of the concept is known
        elif _is_fact(index, triple):
            facts.append(triple)
        else:
            if p == K.citation and isinstance(o, str):
                owners = index.sources_of(o)
            elif p == DERIVED_FROM and isinstance(o, str):
                owners = frozenset({o})
            else:
                owners = index.sources_of(s)
            for source in owners:
                graphs[source].add(triple)
            if not owners:
                orphans.append(triple)
    used_in_facts = {o for _, _, o in facts if isinstance(o, str)}
    used_in: defaultdict[str, set[str]] = defaultdict(set)
    for source, members in graphs.items():
        for _, _, o in members:
            if isinstance(o, str) and index.is_concept(o):
                used_in[o].add(source)
    for triple in concept_triples:
        concept = triple[0]
        if concept in used_in_facts:
            facts.append(triple)
        elif concept in used_in:
            for source in used_in[concept]:
                graphs[source].add(triple)
        else:
            orphans.append(triple)
    named = {provenance_graph(source): sorted(members, key=sort_key) for source, members in graphs.items()}
    return sorted(facts, key=sort_key), dict(sorted(named.items())), sorted(orphans, key=sort_key)


def facts(stream: Iterable[Triple]) -> list[Triple]:
    """The facts layer, sorted."""
    return split(stream)[0]


def select(stream: Iterable[Triple], layer: str) -> list[Triple]:
    """The triples of one layer (``all`` or ``facts``), sorted and without duplicates."""
    if layer == "facts":
        return facts(stream)
    if layer == "all":
        return sorted(set(stream), key=sort_key)
    raise ValueError(f"unknown layer {layer!r}; known: {', '.join(LAYERS)}")


def quads(stream: Iterable[Triple]) -> list[Quad]:
    """The graph as a dataset: facts (and anything of no source) in the default graph,
    each source's provenance in its own named graph; default graph first, then by name."""
    fact_triples, named, orphans = split(stream)
    default = sorted([*fact_triples, *orphans], key=sort_key)
    result: list[Quad] = [(s, p, o, None) for s, p, o in default]
    for name, members in named.items():
        result += [(s, p, o, name) for s, p, o in members]
    return result
