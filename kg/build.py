"""Records -> triples (one pure step, a stream any serialiser can take) -> ``rdflib.Graph``.

Nothing here reads files: the evidence anchors come in from :mod:`kg.check`.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator, Mapping

import rdflib

from kg import timeline, vocab
from kg.compare import AGREE, compare_accounts, figure_groups, is_partial
from kg.iri import citation_iri, mint, part_iri, repair_iri
from kg.model import Citation, Claim, Dataset, Entity, Event, Quote, Record, Repair, Source, Statement, Statistic, TypedValue, asserted
from kg.terms import Lit, Triple
from kg.text import Anchor, citation_key, clean, evidence_of
from kg.vocab import (
    DERIVED_FROM,
    LABEL,
    RDF_OBJECT,
    RDF_PREDICATE,
    RDF_STATEMENT,
    RDF_SUBJECT,
    SCHEMA,
    TYPE,
    XSD,
    K,
    concept,
)

_ENTITY_TYPES = {
    "organisation": (K.Organisation, SCHEMA + "Organization"),
    "person": (K.Person, SCHEMA + "Person"),
    "post": (K.Post, vocab.ORG + "Post"),
    "place": (K.Place, SCHEMA + "Place"),
    "initiative": (K.Initiative,),
    "measure": (K.Measure, vocab.SKOS + "Concept"),
}
_SOURCE_TYPES = {"news-article": SCHEMA + "NewsArticle", "report": SCHEMA + "Report"}
_TRUE, _FALSE = Lit("true", XSD + "boolean"), Lit("false", XSD + "boolean")
#: Where a source's metadata taken from outside its text is said so.
_OUTSIDE_TEXT = {"publisher": K.publisherName, "author": K.authorName}
_TIME_STATUS = {timeline.UNDATED: K.undated, timeline.UNRESOLVED: K.unresolved}


def _int(n: int) -> Lit:
    return Lit(str(n), vocab.XSD_INTEGER)


class _Builder:
    def __init__(self, dataset: Dataset, base: str, anchors: Mapping[tuple[str, int], Anchor]):
        self.base = base
        self.anchors = anchors
        self.sources = {s.id: s for s in dataset.sources}
        self.names = {e.id: e.name for e in dataset.entities} | {e.id: e.name for e in dataset.events}
        self.timeline = timeline.Timeline(dataset)
        self.statistic_labels = _statistic_labels(dataset, self.names)

    def iri(self, record_id: str) -> str:
        return mint(self.base, record_id)

    def repairs_of(self, record: Record) -> tuple[Repair, ...]:
        seen = dict.fromkeys(c.source for c in record.citations)
        return tuple(r for sid in seen if sid in self.sources for r in self.sources[sid].repairs)

    # -- provenance, shared by every fact ------------------------------------------------------

    def provenance(self, node: str, record: Record, default_agent: str | None = None) -> Iterator[Triple]:
        citations = record.citations
        if not isinstance(record, Source):
            source_ids = sorted({c.source for c in citations})
            full = {c.source for c in citations if not (isinstance(record, Quote) and is_partial(record, c))}
            yield node, K.sourceCount, _int(len(full) or len(source_ids))  # partial quotations do not corroborate
            yield node, K.asserted, _TRUE if asserted(record) else _FALSE
            for source_id in source_ids:
                yield node, DERIVED_FROM, self.iri(source_id)
        per_source: Counter[str] = Counter(c.source for c in citations)
        seen: Counter[str] = Counter()
        record_text = record.text if isinstance(record, Quote) else None
        for index, citation in enumerate(citations):
            seen[citation.source] += 1
            number = seen[citation.source] if per_source[citation.source] > 1 else None
            cnode = citation_iri(node, citation.source, number)
            yield node, K.citation, cnode
            yield from self.citation(cnode, node, record, index, citation, record_text, default_agent)

    def citation(
        self,
        cnode: str,
        body: str,
        record: Record,
        index: int,
        citation: Citation,
        record_text: str | None,
        default_agent: str | None,
    ) -> Iterator[Triple]:
        source = self.sources.get(citation.source)
        repairs = source.repairs if source else ()
        evidence = clean(evidence_of(record_text, citation), repairs)
        source_iri = self.iri(citation.source)
        yield cnode, TYPE, K.Citation
        yield cnode, TYPE, vocab.OA_ANNOTATION
        yield cnode, vocab.OA_MOTIVATED_BY, vocab.OA_DESCRIBING
        yield cnode, vocab.OA_HAS_BODY, body
        yield cnode, K.source, source_iri
        yield cnode, K.claimStatus, concept(citation.status)
        agent = citation.attributed_to or (default_agent if citation.status in ("quoted", "attributed") else None)
        if agent:
            yield cnode, K.attributedTo, self.iri(agent)
        yield cnode, K.evidence, Lit(evidence)
        if citation.when:
            yield cnode, K.citedWhen, Lit(clean(citation.when, repairs))
        if citation.date:
            yield cnode, K.citedDate, _date(citation.date)
        yield from self.timing(cnode, record, citation)
        if isinstance(record, Quote) and is_partial(record, citation):
            yield cnode, K.partial, _TRUE
        target = part_iri(cnode, "target")
        yield cnode, vocab.OA_HAS_TARGET, target
        yield target, TYPE, vocab.OA_SPECIFIC_RESOURCE
        yield target, vocab.OA_HAS_SOURCE, source_iri
        anchor = self.anchors.get(citation_key(record.id, index))
        quote = part_iri(cnode, "quote")
        yield target, vocab.OA_HAS_SELECTOR, quote
        yield quote, TYPE, vocab.OA_TEXT_QUOTE_SELECTOR
        yield quote, vocab.OA_EXACT, Lit(anchor.exact if anchor else evidence)
        if anchor is not None:
            if anchor.prefix:
                yield quote, vocab.OA_PREFIX, Lit(anchor.prefix)
            if anchor.suffix:
                yield quote, vocab.OA_SUFFIX, Lit(anchor.suffix)
            position = part_iri(cnode, "position")
            yield target, vocab.OA_HAS_SELECTOR, position
            yield position, TYPE, vocab.OA_TEXT_POSITION_SELECTOR
            yield position, vocab.OA_START, _int(anchor.start)
            yield position, vocab.OA_END, _int(anchor.end)

    def timing(self, cnode: str, record: Record, citation: Citation) -> Iterator[Triple]:
        """When the fact held in this source's account: its span, how it was found, and for a
        post-holding how the source speaks of the time (as of its date, then, from, until)."""
        if isinstance(record, Statement) and record.predicate == "holds-post":
            # each source's account of a post-holding is the holding as schema.org qualifies one: a Role with its dates
            yield cnode, TYPE, SCHEMA + "Role"
            yield cnode, SCHEMA + "roleName", Lit(self.names.get(record.object or "", record.object or ""))
            yield cnode, K.held, concept(citation.held or "as-of")
        if citation.during:
            yield cnode, K.during, self.iri(citation.during)
        found = self.timeline.citation(record, citation)
        if found.how in _TIME_STATUS:
            yield cnode, K.timeStatus, _TIME_STATUS[found.how]
        if found.span is not None:
            yield from _span(cnode, found.span)

    # -- records ---------------------------------------------------------------------------------

    def source(self, s: Source) -> Iterator[Triple]:
        node = self.iri(s.id)
        yield node, TYPE, K.Source
        if s.kind in _SOURCE_TYPES:
            yield node, TYPE, _SOURCE_TYPES[s.kind]
        yield node, K.kind, concept(s.kind)
        yield node, LABEL, Lit(s.title)
        yield node, K.title, Lit(s.title)
        if s.subtitle:
            yield node, K.subtitle, Lit(clean(s.subtitle, s.repairs))
        if s.url:
            yield node, K.url, s.url
        if s.publisher is None:
            yield node, K.publisherStatus, K.notStated
        else:
            yield node, K.publisherName, Lit(s.publisher)
        if s.author is None:
            yield node, K.authorStatus, K.notStated
        else:
            yield node, K.authorName, Lit(s.author)
        for prop, date in ((K.published, s.published), (K.modified, s.modified)):
            if date is not None:
                yield node, prop, _date(date)
        if s.undated:
            yield node, K.dateStatus, K.undated
        for name in s.outside_text:
            yield node, K.fromOutsideText, _OUTSIDE_TEXT[name]
        if s.language:
            yield node, K.language, Lit(s.language)
        if s.text_file:
            yield node, K.textFile, Lit(s.text_file)
        if s.text_sha256:
            yield node, K.textSha256, Lit(s.text_sha256)
            yield node, K.positionBasis, K.rawCodePoints
            yield node, K.quoteBasis, K.repairedNfcSpaced
        for number, fix in enumerate(s.repairs, 1):
            rnode = repair_iri(node, number)
            yield node, K.textRepair, rnode
            yield rnode, TYPE, K.TextRepair
            yield rnode, K.ruleOrder, _int(number)
            yield rnode, K.replace, Lit(fix.replace)
            yield rnode, K.replacement, Lit(fix.with_)
            for context in fix.preceded_by:
                yield rnode, K.precededBy, concept(context)
            for context in fix.followed_by:
                yield rnode, K.followedBy, concept(context)
            yield rnode, vocab.RDFS + "comment", Lit(fix.reason)
        yield from self.provenance(node, s)

    def entity(self, e: Entity) -> Iterator[Triple]:
        node = self.iri(e.id)
        for rdf_type in _ENTITY_TYPES[e.kind]:
            yield node, TYPE, rdf_type
        yield node, LABEL, Lit(e.name)
        for alt in e.alt_names:
            yield node, vocab.ALT_LABEL, Lit(alt)
        if e.initiative_kind:
            yield node, K.kind, concept(e.initiative_kind)
        if e.description:
            yield node, vocab.RDFS + "comment", Lit(e.description)
        if e.single_holder:
            yield node, K.singleHolder, _TRUE
        if e.kind != "measure":
            yield from self.provenance(node, e)

    def statement(self, st: Statement) -> Iterator[Triple]:
        node = self.iri(st.id)
        prop, _, object_kinds = vocab.STATEMENT_PREDICATES[st.predicate]
        obj: str | Lit
        if st.object is not None:
            obj, said = self.iri(st.object), self.names.get(st.object, st.object)
        else:
            lexical = str(st.value) if object_kinds[0] == "date" else clean(str(st.value), self.repairs_of(st))
            obj = Lit(lexical, vocab.date_datatype(lexical) if object_kinds[0] == "date" else vocab.XSD_STRING)
            said = lexical
        yield node, TYPE, K.Statement
        yield node, TYPE, RDF_STATEMENT
        label = f"{self.names.get(st.subject, st.subject)} {vocab.concept_label(st.predicate)} {said}"
        if st.predicate == "holds-post":  # a post is held at a time: the label never reads as "holds it now"
            spans = sorted({span.text() for span in timeline.holding_spans(self.timeline, st)})
            label += f" ({', '.join(spans) if spans else 'time not stated'})"
        yield node, LABEL, Lit(label)
        yield node, RDF_SUBJECT, self.iri(st.subject)
        yield node, RDF_PREDICATE, prop
        yield node, RDF_OBJECT, obj
        if st.when:
            yield node, K.when, Lit(clean(st.when, self.repairs_of(st)))
        if asserted(st):
            yield self.iri(st.subject), prop, obj
        yield from self.provenance(node, st)

    def statistic(self, s: Statistic) -> Iterator[Triple]:
        node = self.iri(s.id)
        yield node, TYPE, K.Statistic
        yield node, TYPE, SCHEMA + "Observation"
        yield node, LABEL, Lit(self.statistic_labels[s.id])
        yield node, K.counts, self.iri(s.counts)
        yield node, K.value, Lit(s.value.lexical, s.value.datatype)
        yield node, K.comparator, concept(s.comparator)
        yield node, K.unit, concept(s.unit)
        for about in s.about:
            yield node, K.about, self.iri(about)
        if s.place:
            yield node, K.place, self.iri(s.place)
        for agent in sorted({c.attributed_to for c in s.citations if c.attributed_to}):
            yield node, K.attributedTo, self.iri(agent)
        if s.period:
            period = part_iri(node, "period")
            yield node, K.period, period
            yield period, TYPE, K.Period
            yield period, LABEL, Lit(s.period.label)
            if s.period.duration:
                yield period, K.duration, Lit(s.period.duration, vocab.XSD_DURATION)
            if s.period.anchor:
                yield period, K.anchor, concept(s.period.anchor)
            for prop, date in ((K.start, s.period.start), (K.end, s.period.end)):
                if date is not None:
                    yield period, prop, _date(date)
        yield from self.provenance(node, s)

    def quote(self, q: Quote) -> Iterator[Triple]:
        node = self.iri(q.id)
        text = clean(q.text, self.repairs_of(q))
        short = text if len(text) <= 60 else text[:59].rstrip() + "…"
        yield node, TYPE, K.Quotation
        yield node, TYPE, SCHEMA + "Quotation"
        yield node, LABEL, Lit(f"{self.names.get(q.speaker, q.speaker)}: \u201c{short}\u201d")
        yield node, K.text, Lit(text)
        yield node, K.speaker, self.iri(q.speaker)
        if q.spoken_to:
            yield node, K.spokenTo, self.iri(q.spoken_to)
        yield from self.provenance(node, q, default_agent=q.speaker)

    def claim(self, c: Claim) -> Iterator[Triple]:
        node = self.iri(c.id)
        yield node, TYPE, K.Claim
        yield node, LABEL, Lit(c.summary)
        for ref in c.about:
            yield node, K.about, self.iri(ref)
        yield from self.provenance(node, c)

    def event(self, e: Event) -> Iterator[Triple]:
        node = self.iri(e.id)
        yield node, TYPE, K.Event
        yield node, TYPE, SCHEMA + "Event"
        yield node, TYPE, vocab.PROV + "Activity"
        yield node, LABEL, Lit(e.name)
        yield node, K.kind, concept(e.kind)
        if e.when:
            yield node, K.when, Lit(clean(e.when, self.repairs_of(e)))
        span = self.timeline.event_span(e)
        if span is not None:
            yield from _span(node, span)
        if e.place:
            yield node, SCHEMA + "location", self.iri(e.place)
        for organiser in e.organisers:
            yield node, SCHEMA + "organizer", self.iri(organiser)
        for participant in e.participants:
            yield node, SCHEMA + "attendee", self.iri(participant)
        for agent in sorted({*e.organisers, *e.participants}):
            yield node, vocab.PROV + "wasAssociatedWith", self.iri(agent)
        for about in e.about:
            yield node, SCHEMA + "about", self.iri(about)
        yield from self.provenance(node, e)

    # -- what sources say, compared ------------------------------------------------------------

    def comparisons(self, dataset: Dataset) -> Iterator[Triple]:
        for group in figure_groups(dataset.statistics):
            for comparison in group.comparisons:
                a, b = comparison.a, comparison.b
                node = part_iri(self.iri(a.id), f"compared.{b.id}")
                yield node, TYPE, K.FigureComparison
                yield node, LABEL, Lit(f"{a.figure} and {b.figure} {self.names.get(a.counts, a.counts)}: {comparison.verdict}")
                yield node, K.comparedFigure, self.iri(a.id)
                yield node, K.comparedFigure, self.iri(b.id)
                yield node, K.verdict, K.agree if comparison.verdict == AGREE else K.conflict
                yield node, K.comparisonRule, Lit(comparison.rule)
                for source_id in sorted({c.source for c in (*a.citations, *b.citations)}):  # both figures' sources
                    yield node, DERIVED_FROM, self.iri(source_id)
        accounts = compare_accounts(dataset.statements)
        for differing in accounts.differing:
            for one, other in differing.pairs:
                yield self.iri(one.id), K.differingAccount, self.iri(other.id)
                yield self.iri(other.id), K.differingAccount, self.iri(one.id)
        for specific, general in accounts.more_specific:
            yield self.iri(specific.id), K.moreSpecificAccount, self.iri(general.id)


def _date(value: TypedValue) -> Lit:
    return Lit(value.lexical, value.datatype)


def _span(node: str, span: timeline.Span) -> Iterator[Triple]:
    """A span's ends (schema.org's startDate and endDate, as precise as known), and the source's
    date it was resolved against, where it was."""
    if span.start is not None:
        yield node, SCHEMA + "startDate", _date(span.start)
    if span.end is not None:
        yield node, SCHEMA + "endDate", _date(span.end)
    if span.basis is not None:
        yield node, K.resolvedAgainst, _date(span.basis)


def _statistic_labels(dataset: Dataset, names: Mapping[str, str]) -> dict[str, str]:
    """Each statistic's label: its figure, measure and period; where two would read the same,
    what each is about, then its id, so that a label tells its record apart."""
    labels = {}
    for s in dataset.statistics:
        label = f"{s.figure} {names.get(s.counts, s.counts)}"
        labels[s.id] = label + (f" ({s.period.label})" if s.period else "")
    for extra in (lambda s: " and ".join(names.get(a, a) for a in s.about), lambda s: s.id):
        counts = Counter(labels.values())
        for s in dataset.statistics:
            if counts[labels[s.id]] > 1:
                labels[s.id] += f" [{extra(s)}]"
    return labels


def base_of(dataset: Dataset, base: str | None = None) -> str:
    """The namespace for the data's IRIs: given, else the dataset's, else the default."""
    return base or dataset.info.base or vocab.DEFAULT_BASE


def triples(dataset: Dataset, *, base: str | None = None, anchors: Mapping[tuple[str, int], Anchor] | None = None) -> Iterator[Triple]:
    """Every triple of the graph, record by record (not sorted: see :mod:`kg.export`)."""
    builder = _Builder(dataset, base_of(dataset, base), anchors or {})
    used: set[str] = set()
    for triple in itertools.chain(_records(builder, dataset), builder.comparisons(dataset)):
        if triple[2] in vocab.CONCEPTS:
            used.add(triple[2])
        yield triple
    for iri in sorted(used):  # the graph carries the labels of the list values it uses
        scheme, label = vocab.CONCEPTS[iri]
        yield iri, TYPE, vocab.SKOS + "Concept"
        yield iri, LABEL, Lit(label)
        yield iri, vocab.SKOS + "inScheme", scheme


def record_iris(dataset: Dataset, base: str | None = None) -> Iterator[str]:
    """The IRI of every record: most triples have one as their subject, or as its start."""
    chosen = base_of(dataset, base)
    return (mint(chosen, record.id) for record in dataset.records())


def _records(builder: _Builder, dataset: Dataset) -> Iterator[Triple]:
    for record in dataset.records():
        if isinstance(record, Source):
            yield from builder.source(record)
        elif isinstance(record, Entity):
            yield from builder.entity(record)
        elif isinstance(record, Statement):
            yield from builder.statement(record)
        elif isinstance(record, Statistic):
            yield from builder.statistic(record)
        elif isinstance(record, Quote):
            yield from builder.quote(record)
        elif isinstance(record, Event):
            yield from builder.event(record)
        else:
            yield from builder.claim(record)


def to_rdflib(term: str | Lit) -> rdflib.term.Identifier:
    """One term as rdflib's."""
    if isinstance(term, Lit):
        if term.language:
            return rdflib.Literal(term.lexical, lang=term.language)
        if term.datatype == vocab.XSD_STRING:
            return rdflib.Literal(term.lexical)
        return rdflib.Literal(term.lexical, datatype=rdflib.URIRef(term.datatype), normalize=False)
    return rdflib.URIRef(term)


def graph_of(stream: Iterator[Triple], base: str) -> rdflib.Graph:
    """An ``rdflib.Graph`` of a triple stream, with the project's prefixes bound."""
    graph = rdflib.Graph(bind_namespaces="none")
    for prefix, namespace in vocab.PREFIXES.items():
        graph.bind(prefix, rdflib.Namespace(namespace))
    graph.bind(vocab.DATA_PREFIX, rdflib.Namespace(base))
    for s, p, o in stream:
        graph.add((rdflib.URIRef(s), rdflib.URIRef(p), to_rdflib(o)))
    return graph


def build_graph(dataset: Dataset, *, base: str | None = None, anchors: Mapping[tuple[str, int], Anchor] | None = None) -> rdflib.Graph:
    """The dataset's knowledge graph as an ``rdflib.Graph``."""
    return graph_of(triples(dataset, base=base, anchors=anchors), base_of(dataset, base))
