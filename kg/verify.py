"""An independent check of an exported graph against its sources' texts.

It reads only the graph and the text files, never the curated YAML: anyone holding a
copy of the graph and the texts can run it. For every source it checks the text's
SHA-256; for every citation it slices the raw text at the recorded offsets, applies
the repairs the graph records and the documented normalisation, and compares the
result with the selector's ``oa:exact`` (and the quote's context and the citation's
evidence); for every fact it checks that a citation supports it, and that the fact's
source count and ``prov:wasDerivedFrom`` agree with its citations.
"""

from __future__ import annotations

import bisect
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import vocab
from kg.evidence import MAX_TEXT_BYTES
from kg.model import Repair
from kg.problems import ERROR, KgError
from kg.text import Mapped, fold, normalise_mapped, repair_within, tidy
from kg.vocab import K

_CONTEXTS = {vocab.concept(key): key for key in vocab.CONTROLLED_LISTS["repair-context"][1]}
_FACT_CLASSES = (K.Statement, K.Statistic, K.Quotation, K.Claim, K.Organisation, K.Person, K.Post, K.Place, K.Initiative)
_RELATIONS = sorted({prop for prop, _, _ in vocab.STATEMENT_PREDICATES.values()})
_Node = ox.NamedNode | ox.BlankNode
_Term = ox.NamedNode | ox.BlankNode | ox.Literal
_Text = tuple[str, Mapped, tuple[Repair, ...]]


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with a graph, rendered ``GRAPH: node: field: message; hint``."""

    graph: str
    node: str
    field: str
    message: str
    hint: str = ""
    severity: str = ERROR

    def __str__(self) -> str:
        text = f"{self.graph}: {self.node}: {self.field}: {self.message}"
        return f"{text}; {self.hint}" if self.hint else text


@dataclass
class Verdict:
    """What verifying a graph found, and how much it checked."""

    findings: list[Finding] = field(default_factory=list)
    texts: int = 0
    selectors: int = 0
    facts: int = 0

    @property
    def ok(self) -> bool:
        return not any(f.severity == ERROR for f in self.findings)


class _Graph:
    """A parsed graph with the few look-ups verifying needs (no SPARQL text is built)."""

    def __init__(self, store: ox.Store):
        self.store = store

    def objects(self, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        quads = self.store.quads_for_pattern(subject, ox.NamedNode(predicate), None, None)
        return sorted((q.object for q in quads if not isinstance(q.object, ox.Triple)), key=str)

    def value(self, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def subjects(self, predicate: str, obj: str | None = None) -> list[ox.NamedNode | ox.BlankNode]:
        target = ox.NamedNode(obj) if obj is not None else None
        return sorted({q.subject for q in self.store.quads_for_pattern(None, ox.NamedNode(predicate), target, None)}, key=str)  # type: ignore[misc]

    def triples(self, predicate: str) -> Iterator[ox.Triple]:
        for quad in self.store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
            yield quad.triple


#: The formats read, by the names ``kg export --format`` gives them (``turtle``, ``ntriples``,
#: ``nquads``, ``trig``, ``rdfxml``, ``jsonld``, and ``n3``): each one's name without punctuation.
def _bare(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


_BY_NAME = {
    _bare(f.name): f
    for f in (
        ox.RdfFormat.TURTLE,
        ox.RdfFormat.N_TRIPLES,
        ox.RdfFormat.N_QUADS,
        ox.RdfFormat.TRIG,
        ox.RdfFormat.RDF_XML,
        ox.RdfFormat.JSON_LD,
        ox.RdfFormat.N3,
    )
}


def rdf_format_named(fmt: str) -> ox.RdfFormat | None:
    """The RDF format ``fmt`` names: as ``kg export`` does (``ntriples``) or as it is written
    (``N-Triples``), as a suffix (``nt``) or as a media type (``application/n-triples``)."""
    return _BY_NAME.get(_bare(fmt)) or ox.RdfFormat.from_extension(fmt.lower()) or ox.RdfFormat.from_media_type(fmt)


def read_graph(path: str, fmt: str | None = None) -> _Graph:
    """Parse a graph file (``-`` for standard input) in any RDF format pyoxigraph reads."""
    import sys

    if fmt is not None:
        rdf_format = rdf_format_named(fmt)
        if rdf_format is None:
            raise KgError(f"unknown graph format {fmt!r}: give one of {', '.join(sorted(_BY_NAME))}, a suffix such as nt, or a media type")
    elif path == "-":
        rdf_format = ox.RdfFormat.TURTLE
    else:
        rdf_format = ox.RdfFormat.from_extension(Path(path).suffix.lstrip("."))
    if rdf_format is None:
        raise KgError(f"{path}: cannot tell the graph's format from its name; give --format (e.g. turtle, ntriples, nquads, trig)")
    store = ox.Store()
    try:
        if path == "-":
            store.bulk_load(sys.stdin.buffer.read(), format=rdf_format)
        else:
            store.bulk_load(path=path, format=rdf_format)
    except OSError as err:
        raise KgError(f"{path}: cannot read the graph: {err.strerror or err}") from None
    except SyntaxError as err:
        raise KgError(f"{path}: not a valid {rdf_format.name} graph: {err}") from None
    return _Graph(store)


class _Verifier:
    def __init__(self, graph: _Graph, name: str, folders: Sequence[Path]):
        self.graph = graph
        self.name = name
        self.folders = folders
        self.verdict = Verdict()
        sources = graph.subjects(vocab.TYPE, K.Source)
        self.base = _namespace(sources[0].value) if sources and isinstance(sources[0], ox.NamedNode) else ""

    def short(self, node: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
        value = node.value
        if isinstance(node, ox.NamedNode):
            if self.base and value.startswith(self.base):
                return value[len(self.base) :]
            for prefix, namespace in vocab.PREFIXES.items():
                if value.startswith(namespace):
                    return f"{prefix}:{value[len(namespace) :]}"
            return f"<{value}>"
        return str(node)

    def said(self, triple: ox.Triple) -> str:
        return " ".join(self.short(term) for term in (triple.subject, triple.predicate, triple.object))  # type: ignore[arg-type]

    def fail(self, node: ox.NamedNode | ox.BlankNode, name: str, message: str, hint: str = "") -> None:
        self.verdict.findings.append(Finding(self.name, self.short(node), name, message, hint))

    # -- sources and their texts ------------------------------------------------------------

    def repairs(self, source: ox.NamedNode | ox.BlankNode) -> tuple[Repair, ...]:
        found: list[tuple[int, Repair]] = []
        for node in self.graph.objects(source, K.textRepair):
            assert not isinstance(node, ox.Literal)
            order = self.graph.value(node, K.ruleOrder)
            replace = self.graph.value(node, K.replace)
            with_ = self.graph.value(node, K.replacement)
            if order is None or replace is None or with_ is None:
                self.fail(node, "kg:textRepair", "a text repair needs kg:ruleOrder, kg:replace and kg:replacement")
                continue
            contexts = []
            for prop in (K.precededBy, K.followedBy):
                keys = []
                for context in self.graph.objects(node, prop):
                    if context.value not in _CONTEXTS:
                        self.fail(node, self.short(ox.NamedNode(prop)), f"unknown repair context {self.short(context)}")
                        continue
                    keys.append(_CONTEXTS[context.value])
                contexts.append(tuple(keys))
            found.append((int(order.value), Repair(replace.value, with_.value, "", contexts[0], contexts[1])))
        return tuple(repair for _, repair in sorted(found, key=lambda item: item[0]))

    def text_of(self, source: _Node) -> _Text | None:
        """The raw text of a source that records one, checked against its SHA-256."""
        file_name = self.graph.value(source, K.textFile)
        sha256 = self.graph.value(source, K.textSha256)
        if file_name is None:
            return None
        if sha256 is None:
            self.fail(source, "kg:textSha256", "the source names a text file but records no SHA-256 of it")
            return None
        basis = self.graph.value(source, K.positionBasis)
        if basis is None or basis.value != K.rawCodePoints:
            self.fail(
                source, "kg:positionBasis", "the source does not say its offsets count code points of the raw text (kg:rawCodePoints)"
            )
            return None
        name = file_name.value
        if Path(name).name != name:
            self.fail(source, "kg:textFile", f"{name!r} is not a plain file name")
            return None
        path = next((folder / name for folder in self.folders if (folder / name).is_file()), None)
        if path is None:
            searched = ", ".join(str(f) for f in self.folders)
            self.fail(source, "kg:textFile", f"{name} was not found in {searched}", "give --texts the folder that holds the source texts")
            return None
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_TEXT_BYTES + 1)
        except OSError as err:
            self.fail(source, "kg:textFile", f"cannot read {path}: {err.strerror or err}")
            return None
        digest = hashlib.sha256(data).hexdigest()
        if digest != sha256.value:
            self.fail(
                source,
                "kg:textSha256",
                f"{path} has the SHA-256 {digest}, not the {sha256.value} the graph records",
                "the text is not the one the graph was made from",
            )
            return None
        try:
            raw = data.decode("utf-8")
        except UnicodeDecodeError as err:
            self.fail(source, "kg:textFile", f"{path} is not UTF-8 (byte {err.start + 1})")
            return None
        repairs = self.repairs(source)
        self.verdict.texts += 1
        return raw, normalise_mapped(raw, repairs), repairs

    # -- citations --------------------------------------------------------------------------

    def citations(self) -> None:
        texts: dict[str, _Text | None] = {}
        for described in self.graph.subjects(vocab.TYPE, K.Source):
            texts[described.value] = self.text_of(described)
        for citation in self.graph.subjects(vocab.TYPE, K.Citation):
            source = self.graph.value(citation, K.source)
            if source is None or source.value not in texts:
                self.fail(citation, "kg:source", "the citation names no source the graph describes")
                continue
            text = texts[source.value]
            for target in self.graph.objects(citation, vocab.OA_HAS_TARGET):
                assert not isinstance(target, ox.Literal)
                target_source = self.graph.value(target, vocab.OA_HAS_SOURCE)
                if target_source is None or target_source.value != source.value:
                    self.fail(target, "oa:hasSource", "the citation's target is not the source it names")
                if text is not None:
                    self.selectors(citation, target, text)

    def selectors(
        self, citation: ox.NamedNode | ox.BlankNode, target: ox.NamedNode | ox.BlankNode, text: tuple[str, Mapped, tuple[Repair, ...]]
    ) -> None:
        raw, mapped, repairs = text
        quote = position = None
        for selector in self.graph.objects(target, vocab.OA_HAS_SELECTOR):
            assert not isinstance(selector, ox.Literal)
            kinds = {node.value for node in self.graph.objects(selector, vocab.TYPE)}
            if vocab.OA_TEXT_QUOTE_SELECTOR in kinds:
                quote = selector
            if vocab.OA_TEXT_POSITION_SELECTOR in kinds:
                position = selector
        if quote is None or position is None:
            self.fail(
                target,
                "oa:hasSelector",
                "the citation has no text-position selector (or no text-quote selector) to check",
                "export with the source texts at hand",
            )
            return
        exact = self.graph.value(quote, vocab.OA_EXACT)
        start = self.graph.value(position, vocab.OA_START)
        end = self.graph.value(position, vocab.OA_END)
        if exact is None or start is None or end is None:
            self.fail(position, "oa:start", "a selector lacks oa:exact, oa:start or oa:end")
            return
        try:
            first, last = int(start.value), int(end.value)
        except ValueError:
            self.fail(position, "oa:start", f"the offsets {start.value!r} and {end.value!r} are not integers")
            return
        self.verdict.selectors += 1
        if not 0 <= first < last <= len(raw):
            self.fail(position, "oa:start", f"the offsets {first}..{last} are outside the text ({len(raw)} code points)")
            return
        selected = tidy(repair_within(raw, repairs, first, last))
        if selected != exact.value:
            self.fail(
                position,
                "oa:exact",
                f"the text at {first}..{last} reads {_clip(selected)!r}, not {_clip(exact.value)!r}",
                "the offsets or the quote were changed",
            )
            return
        self.context(quote, mapped, first, exact.value)
        evidence = self.graph.value(citation, K.evidence)
        if evidence is not None and fold(tidy(evidence.value)) not in fold(exact.value):
            self.fail(citation, "kg:evidence", f"the evidence {_clip(evidence.value)!r} is not the selected text {_clip(exact.value)!r}")

    def context(self, quote: ox.NamedNode | ox.BlankNode, mapped: Mapped, first: int, exact: str) -> None:
        at = bisect.bisect_left(mapped.starts, first)
        for prop, before in ((vocab.OA_PREFIX, True), (vocab.OA_SUFFIX, False)):
            found = self.graph.value(quote, prop)
            if found is None:
                continue
            words = found.value
            ok = mapped.text[at - len(words) : at] == words if before else mapped.text[at + len(exact) :].startswith(words)
            if not ok or (before and len(words) > at):
                self.fail(
                    quote,
                    self.short(ox.NamedNode(prop)),
                    f"{_clip(words)!r} does not stand {'before' if before else 'after'} the quote in the text",
                )

    # -- facts ------------------------------------------------------------------------------

    def facts(self) -> None:
        cited: dict[str, set[str]] = defaultdict(set)
        citations = self.graph.subjects(vocab.TYPE, K.Citation)
        if not citations:
            self.verdict.facts = sum(len(self.graph.subjects(vocab.TYPE, cls)) for cls in _FACT_CLASSES)
            if self.verdict.facts:  # one finding, not one per fact
                self.verdict.findings.append(
                    Finding(
                        self.name,
                        "(graph)",
                        "kg:citation",
                        f"none of its {self.verdict.facts} facts has a citation: the graph holds no provenance"
                        " (as an export of the facts layer alone)",
                        "verify the whole export (kg export --layer all), whose facts carry their citations",
                    )
                )
            return
        for citation in citations:
            source = self.graph.value(citation, K.source)
            for body in self.graph.objects(citation, vocab.OA_HAS_BODY):
                if source is not None:
                    cited[body.value].add(source.value)
        for cls in _FACT_CLASSES:
            for node in self.graph.subjects(vocab.TYPE, cls):
                self.verdict.facts += 1
                self.fact(node, cited.get(node.value, set()))
        statements: set[tuple[str, str, str]] = set()
        for node in self.graph.subjects(vocab.TYPE, K.Statement):
            parts = [self.graph.value(node, p) for p in (vocab.RDF_SUBJECT, vocab.RDF_PREDICATE, vocab.RDF_OBJECT)]
            if None not in parts and cited.get(node.value):
                statements.add(tuple(str(part) for part in parts))  # type: ignore[arg-type]
        for relation in _RELATIONS:
            for triple in self.graph.triples(relation):
                if (str(triple.subject), str(triple.predicate), str(triple.object)) not in statements:
                    self.fail(
                        triple.subject,  # type: ignore[arg-type]
                        self.short(triple.predicate),
                        f"the fact '{self.said(triple)}' has no statement with a citation",
                    )

    def fact(self, node: ox.NamedNode | ox.BlankNode, sources: set[str]) -> None:
        citations = self.graph.objects(node, K.citation)
        if not citations or not sources:
            self.fail(node, "kg:citation", "the fact has no citation")
            return
        count = self.graph.value(node, K.sourceCount)
        if count is not None and count.value != str(len(sources)):
            self.fail(node, "kg:sourceCount", f"the fact says {count.value} sources, but its citations name {len(sources)}")
        derived = {n.value for n in self.graph.objects(node, vocab.DERIVED_FROM)}
        if count is not None and derived != sources:
            self.fail(node, "prov:wasDerivedFrom", "the sources the fact is derived from are not the sources its citations name")


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("/"), iri.rfind("#"))
    return iri[: cut + 1]


def _clip(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def verify(path: str, texts: Iterable[str | Path], *, fmt: str | None = None) -> Verdict:
    """Verify the graph at ``path`` against the source texts in ``texts`` (folders)."""
    folders = [Path(t) for t in texts]
    for folder in folders:
        if not folder.is_dir():
            raise KgError(f"{folder}: no such folder of source texts")
    verifier = _Verifier(read_graph(path, fmt), path, folders)
    verifier.citations()
    verifier.facts()
    verdict = verifier.verdict
    if not (verdict.facts or verdict.selectors or verdict.texts or verdict.findings):
        verdict.findings.append(
            Finding(
                path,
                "(graph)",
                "kg:citation",
                "the graph holds no facts, sources or citations of kg's vocabulary: nothing was verified",
                "give the graph kg export wrote",
            )
        )
    verifier.verdict.findings.sort(key=lambda f: (f.node, f.field, f.message))
    return verifier.verdict
