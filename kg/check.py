"""Checks of a loaded dataset: ids, references, rules between fields, evidence in the texts.

Every check collects problems and goes on; nothing stops at the first.
"""

from __future__ import annotations

import difflib
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from kg import vocab
from kg.evidence import find_text_file, read_text, text_dirs
from kg.load import Bad, display_path, p_date
from kg.model import Citation, Claim, Dataset, Entity, Pos, Quote, Record, Repair, Source, Statement, Statistic, asserted
from kg.problems import ERROR, NOTE, WARNING, Problem
from kg.text import Anchor, SourceText, citation_key, evidence_of, fold, normalise
from kg.yamlnodes import Scalar

_AGENTS = ("person", "organisation")
_ANY = ("organisation", "person", "post", "place", "initiative", "measure", "statistic", "statement", "quote", "claim", "source")


@dataclass
class Report:
    """What checking a dataset found: problems, and the anchors of the evidence it grounded."""

    problems: list[Problem] = field(default_factory=list)
    anchors: dict[tuple[str, int], Anchor] = field(default_factory=dict)
    evidence_total: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors


def kinds_by_id(dataset: Dataset) -> dict[str, str]:
    """Each id's record kind (the first record wins where an id is duplicated)."""
    kinds: dict[str, str] = {}
    for record in dataset.records():
        kinds.setdefault(record.id, record.kind_name)
    return kinds


def check_ids(dataset: Dataset) -> Iterator[Problem]:
    first: dict[str, Pos] = {}
    for record in dataset.records():
        if record.id in first:
            yield Problem(
                record.where.get("id", record.pos),
                "id",
                f"duplicate id {record.id!r} (first at {first[record.id]})",
                "ids must be unique across the whole dataset: rename one",
            )
        else:
            first[record.id] = record.where.get("id", record.pos)


def _a(noun: str) -> str:
    """``a person``, ``an organisation``."""
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


class _Refs:
    """Resolves references, suggesting the closest existing id of the right kind."""

    def __init__(self, kinds: dict[str, str]):
        self.kinds = kinds
        self._by_kind: dict[str, list[str]] = defaultdict(list)
        for record_id, kind in kinds.items():
            self._by_kind[kind].append(record_id)

    def check(self, ref: str | None, allowed: Sequence[str], pos: Pos, name: str) -> Iterator[Problem]:
        if ref is None:
            return
        kind = self.kinds.get(ref)
        wanted = " or ".join(allowed)
        if kind is None:
            candidates = [i for k in allowed for i in self._by_kind.get(k, ())]
            close = difflib.get_close_matches(ref, candidates, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"add {_a(allowed[0])} with id {ref!r}, or fix the id"
            yield Problem(pos, name, f"no {wanted} has the id {ref!r}", hint)
        elif kind not in allowed:
            candidates = [i for k in allowed for i in self._by_kind.get(k, ())]
            close = difflib.get_close_matches(ref, candidates, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"point it at {_a(allowed[0])}"
            yield Problem(pos, name, f"{ref!r} is {_a(kind)}, but {name} needs {_a(wanted)}", hint)


def _at(record: Record | Citation, *names: str) -> Pos:
    """Where the first of ``names`` that the record has stands, else the record."""
    for name in names:
        if name in record.where:
            return record.where[name]
    return record.pos


def check_references(dataset: Dataset, kinds: dict[str, str]) -> Iterator[Problem]:
    refs = _Refs(kinds)
    for record in dataset.records():
        if isinstance(record, Statement):
            yield from _check_statement(record, refs)
        elif isinstance(record, Statistic):
            yield from refs.check(record.counts, ("measure",), _at(record, "counts"), "counts")
            yield from refs.check(record.about, _ANY, _at(record, "about"), "about")
            yield from refs.check(record.place, ("place",), _at(record, "place"), "place")
        elif isinstance(record, Quote):
            yield from refs.check(record.speaker, _AGENTS, _at(record, "speaker"), "speaker")
            yield from refs.check(record.spoken_to, _AGENTS, _at(record, "spoken_to"), "spoken_to")
        elif isinstance(record, Claim):
            for ref in record.about:
                yield from refs.check(ref, _ANY, _at(record, "about"), "about")
        for index, citation in enumerate(record.citations, 1):
            name = f"sources[{index}]"
            yield from refs.check(citation.source, ("source",), _at(citation, "source"), f"{name}.source")
            yield from refs.check(citation.attributed_to, _AGENTS, _at(citation, "attributed_to"), f"{name}.attributed_to")


def _check_statement(record: Statement, refs: _Refs) -> Iterator[Problem]:
    spec = vocab.STATEMENT_PREDICATES.get(record.predicate)
    if spec is None:
        known = list(vocab.STATEMENT_PREDICATES)
        close = difflib.get_close_matches(record.predicate, known, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else f"known predicates: {', '.join(known)}"
        yield Problem(_at(record, "predicate"), "predicate", f"unknown predicate {record.predicate!r}", hint)
        return
    _, subject_kinds, object_kinds = spec
    yield from refs.check(record.subject, subject_kinds, _at(record, "subject"), "subject")
    literal = object_kinds[0] in ("text", "date")
    if literal:
        if record.object is not None:
            yield Problem(
                _at(record, "object"),
                "object",
                f"{record.predicate} takes a value, not an object",
                f"write 'value:' ({object_kinds[0]})",
            )
        elif record.value is None:
            yield Problem(
                record.pos,
                "value",
                f"missing required field 'value' ({object_kinds[0]}) for {record.predicate}",
                "add 'value:'",
            )
        elif object_kinds[0] == "date" and isinstance(record.value, str):
            try:
                p_date(Scalar(record.value, False, _at(record, "value")))
            except Bad as bad:
                yield Problem(_at(record, "value"), "value", bad.message, bad.hint)
        return
    if record.value is not None:
        yield Problem(
            _at(record, "value"),
            "value",
            f"{record.predicate} links to a record, so it takes 'object:', not 'value:'",
            "write 'object: ID'",
        )
    elif record.object is None:
        yield Problem(record.pos, "object", f"missing required field 'object' for {record.predicate}", "add 'object: ID'")
    else:
        yield from refs.check(record.object, object_kinds, _at(record, "object"), "object")


def check_rules(dataset: Dataset) -> Iterator[Problem]:
    """Rules between fields of one record."""
    for record in dataset.records():
        for index, citation in enumerate(record.citations, 1):
            name = f"sources[{index}]"
            needs_agent = citation.status in ("attributed", "quoted")
            if needs_agent and citation.attributed_to is None and not isinstance(record, Quote):
                yield Problem(
                    citation.pos,
                    f"{name}.attributed_to",
                    f"status {citation.status!r} needs attributed_to: who the source attributes it to",
                    "add 'attributed_to: ID' of the person or organisation",
                )
            if citation.status in ("stated", "unattributed") and citation.attributed_to is not None:
                yield Problem(
                    _at(citation, "attributed_to"),
                    f"{name}.attributed_to",
                    f"status {citation.status!r} means nobody is credited, yet attributed_to is given",
                    "use status 'attributed' or 'quoted', or remove attributed_to",
                )
            if isinstance(record, Quote) and citation.status != "quoted":
                yield Problem(
                    _at(citation, "status"),
                    f"{name}.status",
                    "a quotation's sources must have status 'quoted'",
                    "remove the status line",
                )
        if isinstance(record, Entity) and record.kind == "measure":
            continue
        if isinstance(record, Statistic) and record.period is not None:
            period = record.period
            if period.start and period.end and _date_key(period.end.lexical) < _date_key(period.start.lexical):
                yield Problem(
                    _at(record, "period.end", "period"),
                    "period.end",
                    f"the period ends ({period.end.lexical}) before it starts ({period.start.lexical})",
                    "swap start and end, or fix the dates",
                )
        if isinstance(record, Source):
            yield from _check_source(record)


def _date_key(lexical: str) -> tuple[int, int, int]:
    parts = [int(p) for p in lexical.split("-")] + [0, 0]
    return parts[0], parts[1], parts[2]


def _check_source(source: Source) -> Iterator[Problem]:
    dated = source.published is not None or source.modified is not None
    if source.undated and dated:
        yield Problem(
            _at(source, "undated"),
            "undated",
            "the source is marked undated but has a date",
            "remove 'undated: true' or the date",
        )
    if not source.undated and not dated:
        yield Problem(
            source.pos,
            "published",
            "the source has no date and is not marked undated",
            "give 'published:' or 'modified:' as stated, or 'undated: true' when the source gives none",
        )
    if source.repairs and source.text_file is None:
        yield Problem(_at(source, "repairs"), "repairs", "repairs need the source's text", "add 'text: {file: …, sha256: …}'")


def check_evidence(dataset: Dataset, dirs: Sequence[Path], report: Report) -> Iterator[Problem]:
    """Ground every evidence quote in its source's text, where the text can be found."""
    sources = {s.id: s for s in dataset.sources}
    texts: dict[str, SourceText | None] = {}
    unchecked: dict[str, int] = defaultdict(int)
    broken: set[str] = set()  # texts found but unusable: reported once, at the source
    for source in dataset.sources:
        texts[source.id] = None
        if source.text_file is None:
            continue
        path = find_text_file(source.text_file, dirs)
        if path is None:
            continue
        try:
            text = read_text(source, path)
        except (UnicodeDecodeError, OSError) as err:
            broken.add(source.id)
            if isinstance(err, UnicodeDecodeError):
                trouble = f"{display_path(path)} is not UTF-8 (byte {err.start + 1} cannot be decoded)", "save the text as UTF-8"
            else:
                trouble = f"cannot read {display_path(path)}: {err.strerror or err}", "check the file's permissions"
            yield Problem(_at(source, "text.file", "text"), "text.file", *trouble)
            continue
        if text.sha256 != source.text_sha256:
            broken.add(source.id)
            yield Problem(
                _at(source, "text.sha256", "text"),
                "text.sha256",
                f"the text at {display_path(path)} has changed since curation (its SHA-256 is {text.sha256})",
                "re-check every evidence quote of this source against the new text, then record the new hash",
            )
            continue
        texts[source.id] = text
    for record in dataset.records():
        record_text = record.text if isinstance(record, Quote) else None
        for index, citation in enumerate(record.citations):
            report.evidence_total += 1
            cited = sources.get(citation.source)
            if cited is None:
                continue  # reported by check_references
            grounding = texts.get(cited.id)
            if grounding is None:
                if cited.id not in broken:
                    unchecked[cited.id] += 1
                continue
            evidence = evidence_of(record_text, citation)
            anchor = grounding.find(evidence, cited.repairs)
            name = f"sources[{index + 1}].evidence"
            if anchor is None:
                closest = closest_passage(grounding, evidence, cited.repairs)
                elsewhere = [
                    other_id
                    for other_id, other in texts.items()
                    if other is not None and other_id != cited.id and other.find(evidence, sources[other_id].repairs)
                ]
                hint = (
                    f"the words are in {elsewhere[0]}: cite that source, or copy the words exactly as {cited.id} has them"
                    if elsewhere
                    else "copy the words exactly as the source has them"
                )
                yield Problem(
                    _at(citation, "evidence") if citation.evidence else _at(record, "text"),
                    name if citation.evidence else "text",
                    f"not found verbatim in {cited.id} (the closest passage is {closest!r})",
                    hint,
                )
            else:
                report.anchors[citation_key(record.id, index)] = anchor
    for source_id, count in sorted(unchecked.items()):
        source = sources[source_id]
        if source.text_file is None:
            why, hint = "it names no text", "add 'text: {file: NAME, sha256: HASH}' to the source to check its evidence"
        else:
            why, hint = f"{source.text_file} was not found", "give --texts FOLDER (or set KG_TEXTS) where the source texts are"
        quotes = f"{count} evidence quote{'s' if count != 1 else ''}"
        yield Problem(source.pos, "text", f"{quotes} of {source_id} not checked: {why}", hint, WARNING)


def closest_passage(text: SourceText, evidence: str, repairs: Sequence[Repair], width: int = 100) -> str:
    """The passage of a source's text most like ``evidence``, in whole words, for a message."""
    needle = fold(normalise(evidence, repairs))
    haystack = text.folded
    if not needle or not haystack:
        return ""
    matcher = difflib.SequenceMatcher(None, haystack, needle, autojunk=False)
    block = matcher.find_longest_match(0, len(haystack), 0, len(needle))
    start = max(0, block.a - block.b)
    end = min(len(haystack), start + max(len(needle), 20))
    while start > 0 and not haystack[start - 1].isspace():
        start -= 1
    while end < len(haystack) and not haystack[end].isspace():
        end += 1
    passage = text.normalised[start:end].strip(" ,;:")
    return passage if len(passage) <= width else passage[: width - 1] + "…"


# --- figures that disagree ------------------------------------------------------------------

_INF = Decimal("Infinity")


def interval(statistic: Statistic) -> tuple[Decimal, bool, Decimal, bool]:
    """The range a figure admits: (low, low is open, high, high is open)."""
    v = statistic.value.value
    return {
        "exactly": (v, False, v, False),
        "unqualified": (v, False, v, False),
        "more-than": (v, True, _INF, True),
        "at-least": (v, False, _INF, True),
        "fewer-than": (-_INF, True, v, True),
        "at-most": (-_INF, True, v, False),
        "approximately": (v * Decimal("0.9"), False, v * Decimal("1.1"), False),
        "multiples-of": (v * 2, False, v * 10, True),
    }[statistic.comparator]


def compatible(a: Statistic, b: Statistic) -> bool:
    """Whether two figures for the same measure can both be true."""
    lo1, lo1_open, hi1, hi1_open = interval(a)
    lo2, lo2_open, hi2, hi2_open = interval(b)
    lo, lo_open = max((lo1, lo1_open), (lo2, lo2_open), key=lambda x: (x[0], x[1]))
    hi, hi_open = min((hi1, hi1_open), (hi2, hi2_open), key=lambda x: (x[0], not x[1]))
    return lo < hi or (lo == hi and not lo_open and not hi_open)


def check_figures(dataset: Dataset) -> Iterator[Problem]:
    """A note for every pair of figures that count the same thing, saying whether they agree."""
    groups: dict[str, list[Statistic]] = defaultdict(list)
    for statistic in dataset.statistics:
        groups[statistic.counts].append(statistic)
    for counts, members in sorted(groups.items()):
        for a, b in itertools.combinations(members, 2):
            if a.value == b.value and a.comparator == b.comparator:
                continue
            verdict = "compatible" if compatible(a, b) else "NOT compatible"
            yield Problem(
                b.pos,
                "value",
                f"{counts}: {b.id} ({b.figure}) and {a.id} ({a.figure}) are {verdict}",
                severity=NOTE,
            )


def check_people_hold_posts(dataset: Dataset) -> Iterator[Problem]:
    """People appear only in their public roles: each holds a post some source asserts."""
    holders = {st.subject for st in dataset.statements if st.predicate == "holds-post" and asserted(st)}
    for entity in dataset.entities:
        if entity.kind == "person" and entity.id not in holders:
            yield Problem(
                entity.pos,
                "id",
                f"the person {entity.id!r} holds no public post that a source states",
                "add a holds-post statement to a post record, citing where the source names the post",
            )


def check(dataset: Dataset, texts: Iterable[str | Path] = (), load_problems: Iterable[Problem] = ()) -> Report:
    """Run every record check on a loaded dataset; problems come sorted by file and line."""
    report = Report(list(load_problems))
    kinds = kinds_by_id(dataset)
    for record_id, kind in dataset.unreadable:
        kinds.setdefault(record_id, kind)  # its own problem is reported; references to it resolve
    found: list[Problem] = []
    found += check_ids(dataset)
    found += check_references(dataset, kinds)
    found += check_rules(dataset)
    found += check_people_hold_posts(dataset)
    found += check_evidence(dataset, text_dirs(dataset, texts), report)
    found += check_figures(dataset)
    report.problems = sorted(report.problems + found, key=lambda p: p.sort_key)
    return report
