"""A fact-level review of a change: two exported graphs, or two dataset folders, compared.

A *fact* is a node the exporter gives a ``kg:sourceCount`` (an entity, statement, statistic,
quotation or claim). For each fact the review says whether it was added or removed, which of
its values changed, which sources it gained or lost, and how its corroboration changed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.util import guess_format

from kg import api, vocab
from kg.problems import KgError
from kg.text import parser_said, printable
from kg.vocab import DERIVED_FROM, LABEL, K

#: Properties that say where a fact comes from, not what it says: compared apart.
_PROVENANCE = {K.citation, K.sourceCount, DERIVED_FROM, K.asserted, K.differingAccount, K.moreSpecificAccount}
#: How two accounts of one thing stand, as the review names them: differing, or one more specific.
_ACCOUNT_LINKS = {K.differingAccount: "differing accounts", K.moreSpecificAccount: "compatible accounts, one more specific"}


@dataclass(frozen=True, slots=True)
class Fact:
    """What a fact says (property -> values, in short form) and who says it."""

    iri: str
    kind: str
    label: str
    values: dict[str, frozenset[str]]
    sources: frozenset[str]
    source_count: int
    citations: int


def short(term: rdflib.term.Node) -> str:
    """A term as a reader wants it: ``kg:value``, ``"550"``, an id for a data IRI (control
    characters escaped: see :func:`kg.text.printable`)."""
    if isinstance(term, rdflib.Literal):
        return f'"{printable(str(term))}"'
    text = printable(str(term))
    for prefix, namespace in vocab.PREFIXES.items():
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


#: Formats that hold named graphs: a TriG or N-Quads export keeps each source's provenance in
#: a graph of its own, so a review reads them all.
_QUAD_FORMATS = frozenset({"trig", "nquads", "trix"})
#: The entity graphs kg export writes for graph tools: they hold no RDF to compare.
_NETWORK_SUFFIXES = frozenset({".graphml", ".gexf"})


def read_graph(where: Path, texts: Iterable[str | Path] = ()) -> rdflib.Graph:
    """An exported graph file (its format from its suffix; ``-``: Turtle on standard input),
    or a dataset folder built here."""
    if str(where) == "-":
        try:
            return rdflib.Graph().parse(data=sys.stdin.buffer.read(), format="turtle")
        except Exception as err:  # the parser's own message says what is wrong
            raise KgError(f"standard input cannot be read as turtle: {parser_said(err)}") from None
    if where.is_dir():
        dataset, report = api.prepare(where, texts)
        if report.errors:
            count = len(report.errors)
            raise KgError(f"{where}: the dataset has {count} error{'s' if count != 1 else ''}; run kg check --data {where}")
        return api.build_graph(dataset, anchors=report.anchors)
    if where.suffix.lower() in _NETWORK_SUFFIXES:
        hint = "give kg diff two RDF exports (kg.ttl, kg.nt...) or two dataset folders"
        raise KgError(f"{where}: an entity graph for graph tools, not RDF: {hint}")
    fmt = guess_format(str(where)) or "turtle"
    try:
        if fmt not in _QUAD_FORMATS:
            return rdflib.Graph().parse(where, format=fmt)
        graphs = rdflib.Dataset()
        graphs.parse(where, format=fmt)
        union = rdflib.Graph()  # every graph's triples: the facts and each source's provenance graph
        for s, p, o, _ in graphs.quads((None, None, None, None)):
            union.add((s, p, o))
        return union
    except FileNotFoundError:
        raise KgError(f"{where}: no such file or folder") from None
    except Exception as err:  # a parser's own message says what is wrong with the file
        raise KgError(f"{where}: cannot be read as {fmt}: {parser_said(err)}") from None


def facts_of(graph: rdflib.Graph) -> dict[str, Fact]:
    """Every fact of a graph, by IRI."""
    facts = {}
    for node, count in graph.subject_objects(rdflib.URIRef(K.sourceCount)):
        iri = str(node)
        values: dict[str, set[str]] = {}
        for p, o in graph.predicate_objects(node):
            if str(p) in _PROVENANCE:
                continue
            if isinstance(o, rdflib.URIRef) and str(o).startswith(iri + "."):  # a part of the fact (its period)
                for pp, oo in graph.predicate_objects(o):
                    values.setdefault(f"{short(p)}/{short(pp)}", set()).add(short(oo))
                continue
            values.setdefault(short(p), set()).add(short(o))
        kinds = sorted(short(t) for t in graph.objects(node, rdflib.RDF.type) if str(t).startswith(vocab.KG))
        sources = frozenset(short(s) for s in graph.objects(node, rdflib.URIRef(DERIVED_FROM)))
        label = graph.value(node, rdflib.URIRef(LABEL))
        facts[iri] = Fact(
            iri,
            kinds[0].removeprefix("kg:").lower() if kinds else "fact",
            printable(str(label)) if label is not None else short(node),
            {k: frozenset(v) for k, v in values.items()},
            sources,
            int(str(count)),
            len(set(graph.objects(node, rdflib.URIRef(K.citation)))),
        )
    return facts


@dataclass
class Review:
    """The lines of a review and its counts."""

    lines: list[str]
    added: int = 0
    removed: int = 0
    changed: int = 0
    comparisons: int = 0
    accounts: int = 0

    @property
    def differs(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.comparisons or self.accounts)


def _sources(fact: Fact) -> str:
    return ", ".join(sorted(fact.sources))


def comparisons_of(graph: rdflib.Graph) -> dict[str, str]:
    """Each figure comparison of a graph, by IRI, with its label (the figures and the verdict)."""
    found = {}
    for node in graph.subjects(rdflib.RDF.type, rdflib.URIRef(K.FigureComparison)):
        label = graph.value(node, rdflib.URIRef(LABEL))
        found[str(node)] = str(label) if label is not None else short(node)
    return found


def _comparisons(old: rdflib.Graph, new: rdflib.Graph, result: Review) -> list[str]:
    """Figure comparisons that appeared or went, or whose verdict changed (counted as changes)."""
    before, after = comparisons_of(old), comparisons_of(new)
    lines = []
    for iri in sorted(before.keys() | after.keys()):
        was, now = before.get(iri), after.get(iri)
        if was != now:
            result.comparisons += 1
            if was is None:
                lines.append(f"+ figures compared: {now}")
            elif now is None:
                lines.append(f"- figures compared: {was}")
            else:
                lines.append(f"~ figures compared: {was} -> {now}")
    return lines


def accounts_of(graph: rdflib.Graph) -> set[tuple[str, str]]:
    """How accounts stand to each other: (kind, "label (id) / label (id)"), a differing pair once."""
    found = set()
    for link, kind in _ACCOUNT_LINKS.items():
        for a, b in graph.subject_objects(rdflib.URIRef(link)):
            if link == K.differingAccount and str(a) > str(b):
                continue  # each differing pair is linked both ways
            named = [f"{printable(str(graph.value(n, rdflib.URIRef(LABEL)) or short(n)))} ({short(n)})" for n in (a, b)]
            found.add((kind, " / ".join(named) if link == K.differingAccount else " is more specific than ".join(named)))
    return found


def _accounts(old: rdflib.Graph, new: rdflib.Graph, result: Review) -> list[str]:
    """Differing accounts, and accounts one more specific than another, that appeared or went."""
    before, after = accounts_of(old), accounts_of(new)
    lines = [f"+ {kind}: {pair}" for kind, pair in sorted(after - before)]
    lines += [f"- {kind}: {pair}" for kind, pair in sorted(before - after)]
    result.accounts += len(lines)
    return lines


def review(old: rdflib.Graph, new: rdflib.Graph) -> Review:
    """Facts added, removed and changed (values, sources, corroboration), sorted by fact."""
    before, after = facts_of(old), facts_of(new)
    result = Review([])
    for iri in sorted(before.keys() | after.keys(), key=lambda i: short(rdflib.URIRef(i))):
        a, b = before.get(iri), after.get(iri)
        if a is None and b is not None:
            result.added += 1
            result.lines.append(f"+ {b.kind} {short(rdflib.URIRef(iri))}: {b.label} (sources: {_sources(b)})")
        elif b is None and a is not None:
            result.removed += 1
            result.lines.append(f"- {a.kind} {short(rdflib.URIRef(iri))}: {a.label} (sources: {_sources(a)})")
        elif a is not None and b is not None:
            details = []
            for prop in sorted(a.values.keys() | b.values.keys()):
                was, now = a.values.get(prop, frozenset()), b.values.get(prop, frozenset())
                if was != now:
                    details.append(f"    {prop}: {', '.join(sorted(was)) or '(none)'} -> {', '.join(sorted(now)) or '(none)'}")
            if b.sources - a.sources:
                details.append(f"    sources gained: {', '.join(sorted(b.sources - a.sources))}")
            if a.sources - b.sources:
                details.append(f"    sources lost: {', '.join(sorted(a.sources - b.sources))}")
            if a.citations != b.citations:
                details.append(f"    citations: {a.citations} -> {b.citations}")
            if a.source_count != b.source_count:
                more = "corroborated" if b.source_count > a.source_count else "less corroborated"
                details.append(f"    {more}: {a.source_count} -> {b.source_count} sources")
            if details:
                result.changed += 1
                result.lines.append(f"~ {b.kind} {short(rdflib.URIRef(iri))}: {b.label}")
                result.lines += details
    result.lines += _comparisons(old, new, result)
    result.lines += _accounts(old, new, result)
    summary = f"{result.added} fact{'s' if result.added != 1 else ''} added, {result.removed} removed, {result.changed} changed"
    if result.comparisons:
        summary += f"; {result.comparisons} figure comparison{'s' if result.comparisons != 1 else ''} changed"
    if result.accounts:
        summary += f"; {result.accounts} account comparison{'s' if result.accounts != 1 else ''} changed"
    result.lines.append(summary)
    return result
