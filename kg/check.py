"""Checks of a loaded dataset: ids, references, rules between fields, evidence in the texts.

Every check collects problems and goes on; nothing stops at the first.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from kg import compare, qualifiers, timeline, vocab
from kg.curated import TODO_MARK, TODO_RULE, Bad, p_date
from kg.evidence import Located, Outside, TextFolder, TextTooBig, find_text_file, read_text, text_folders
from kg.load import display_path
from kg.model import Citation, Claim, Dataset, Entity, Event, Pos, Quote, Record, Repair, Source, Statement, Statistic, asserted
from kg.problems import ERROR, MORE_PROBLEMS, NOTE, STOPPED_READING, WARNING, Problem
from kg.text import Anchor, SourceText, citation_key, evidence_of, fold, normalise
from kg.yamlnodes import MAX_PROBLEMS_PER_FILE, Scalar, more_problems

R = TypeVar("R", bound=Record)
_AGENTS = ("person", "organisation")
_ANY = ("organisation", "person", "post", "place", "initiative", "measure", "statistic", "statement", "quote", "claim", "source", "event")


@dataclass
class Report:
    """What checking a dataset found: problems, and the anchors of the evidence it grounded."""

    problems: list[Problem] = field(default_factory=list)
    anchors: dict[tuple[str, int], Anchor] = field(default_factory=dict)
    evidence_total: int = 0
    #: The citations whose evidence is not in their source's text.
    misquoted: set[tuple[str, int]] = field(default_factory=set)
    #: Each source's text file, where it was found.
    texts: dict[str, Path] = field(default_factory=dict)

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


def first_of_each_id(dataset: Dataset) -> Dataset:
    """The dataset without records whose id an earlier record already has.

    :func:`check_ids` reports each of those. Checked as well, a second source of one id would
    have the first one's quotes looked for in its text, and a copied record would be counted,
    compared and merged with itself."""
    seen: set[str] = set()

    def firsts(records: tuple[R, ...]) -> tuple[R, ...]:
        kept = []
        for record in records:
            if record.id not in seen:
                seen.add(record.id)
                kept.append(record)
        return records if len(kept) == len(records) else tuple(kept)

    unique = replace(
        dataset,
        sources=firsts(dataset.sources),
        entities=firsts(dataset.entities),
        statements=firsts(dataset.statements),
        statistics=firsts(dataset.statistics),
        quotes=firsts(dataset.quotes),
        claims=firsts(dataset.claims),
        events=firsts(dataset.events),
    )
    return dataset if len(unique) == len(dataset) else unique


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
            for ref in record.about:
                yield from refs.check(ref, _ANY, _at(record, "about"), "about")
            yield from refs.check(record.place, ("place",), _at(record, "place"), "place")
        elif isinstance(record, Event):
            yield from refs.check(record.place, ("place",), _at(record, "place"), "place")
            for name, allowed in (("participants", _AGENTS), ("organisers", _AGENTS), ("about", _ANY)):
                for ref in getattr(record, name):
                    yield from refs.check(ref, allowed, _at(record, name), name)
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
            yield from refs.check(citation.during, ("event",), _at(citation, "during"), f"{name}.during")


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
            yield from _check_held(record, citation, name)
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


def _check_held(record: Record, citation: Citation, name: str) -> Iterator[Problem]:
    """A citation's time of a post-holding: ``held`` only on holds-post, with what each kind needs."""
    holding = isinstance(record, Statement) and record.predicate == "holds-post"
    if citation.held is not None and not holding:
        yield Problem(
            _at(citation, "held"),
            f"{name}.held",
            "held says when a post was held, so it goes only on holds-post statements",
            "give the time with 'when:' (the source's words) and 'date:', or remove the line",
        )
    elif citation.held == "then" and citation.during is None:
        yield Problem(
            _at(citation, "held"),
            f"{name}.held",
            "held: then needs 'during:', the event at whose time the post was held",
            "add 'during: EVENT-ID' (an events record), or use 'held: as-of' for the source's own date",
        )
    elif citation.held in ("from", "until") and citation.date is None:
        yield Problem(
            _at(citation, "held"),
            f"{name}.held",
            f"held: {citation.held} needs 'date:', the date the source gives",
            "add 'date: YYYY-MM-DD' (or YYYY-MM, YYYY) as precise as the source states it",
        )
    if citation.during is not None and citation.held != "then":
        yield Problem(
            _at(citation, "during"),
            f"{name}.during",
            "during names the event a post was held at, and goes with 'held: then'",
            "add 'held: then', or remove the line",
        )


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
    if not source.undated and not dated and not any(key.startswith(TODO_MARK) for key in source.where):
        yield Problem(
            source.pos,
            "published",
            "the source has no date and is not marked undated",
            "give 'published:' or 'modified:' as stated, or 'undated: true' when the source gives none",
        )
    if source.repairs and source.text_file is None:
        yield Problem(_at(source, "repairs"), "repairs", "repairs need the source's text", "add 'text: {file: …, sha256: …}'")


def _searched(folders: Sequence[TextFolder]) -> str:
    """The folders searched, as a message names them (relative to the working folder where inside it)."""
    if not folders:
        return "no folder (none was given)"
    return ", ".join(f"{display_path(f.path)} ({f.origin})" for f in folders)


def _text_trouble(source: Source, located: Located, folders: Sequence[TextFolder], allow_ungrounded: bool) -> Problem:
    """The problem with a source whose declared text could not be used."""
    at = _at(source, "text.file", "text")
    if located.escaping:
        return Problem(
            at,
            "text.file",
            f"{display_path(located.escaping[0])} is a link that leads outside the dataset's folder: it was not read",
            "copy the text into the dataset's texts folder, or give its folder with --texts",
        )
    if located.irregular:
        return Problem(
            at, "text.file", f"{display_path(located.irregular[0])} is not a regular file: it was not read", "put the text there as a file"
        )
    return Problem(
        at,
        "text.file",
        f"{source.text_file} was not found; searched {_searched(folders)}",
        "give --texts FOLDER (or set KG_TEXTS) where the source texts are"
        + ("" if allow_ungrounded else ", or --allow-ungrounded to go on without checking this source's evidence"),
        WARNING if allow_ungrounded else ERROR,
    )


def _read_source_text(
    source: Source, folders: Sequence[TextFolder], report: Report, allow_ungrounded: bool
) -> tuple[SourceText | None, Problem | None]:
    """A source's text where it can be found and used, else the problem that keeps it out."""
    assert source.text_file is not None
    located = find_text_file(source.text_file, folders)
    path = located.path
    if path is None:
        return None, _text_trouble(source, located, folders, allow_ungrounded)
    at = _at(source, "text.file", "text")
    try:
        text = read_text(source, path)
    except UnicodeDecodeError as err:
        found = f"{display_path(path)} is not UTF-8 (byte {err.start + 1} cannot be decoded)"
        return None, Problem(at, "text.file", found, "save the text as UTF-8")
    except OSError as err:
        return None, Problem(at, "text.file", f"cannot read {display_path(path)}: {err.strerror or err}", "check the file's permissions")
    except TextTooBig as err:
        hint = "check that the file is the source's text, and check its repairs"
        return None, Problem(at, "text.file", f"{display_path(path)} {err}", hint)
    report.texts[source.id] = path
    if source.text_sha256 is None:  # still TODO: reported with the hash by check_evidence
        return text, None
    if text.sha256 != source.text_sha256:
        return None, Problem(
            _at(source, "text.sha256", "text"),
            "text.sha256",
            f"the text at {display_path(path)} has changed since curation (its SHA-256 is {text.sha256})",
            "re-check every evidence quote of this source against the new text, then record the new hash",
        )
    return text, None


def _sha256_to_fill_in(source: Source, path: Path | None, text: SourceText | None) -> Problem:
    """A text whose ``sha256:`` still says TODO: with the hash to write, where the text was read."""
    at = _at(source, "text.sha256", "text")
    if text is None or path is None:
        hint = "write the 64 hex digits that `sha256sum FILE` prints for the source's text"
        return Problem(at, "text.sha256", "still to fill in", hint, rule=TODO_RULE)
    return Problem(
        at,
        "text.sha256",
        f"still to fill in: the text at {display_path(path)} has the SHA-256 {text.sha256}",
        f"write 'sha256: {text.sha256}' once you have checked that it is the source's text",
        rule=TODO_RULE,
    )


def check_evidence(dataset: Dataset, folders: Sequence[TextFolder], report: Report, allow_ungrounded: bool = False) -> Iterator[Problem]:
    """Ground every evidence quote in its source's text, where the text can be found.

    The texts are read one at a time, each with the quotes that cite it, so that only one
    normalised text and its offset maps are held at once (at 100,000 facts all of them
    together were the largest thing in memory). A quote not found is looked for in the other
    texts afterwards, for the hint."""
    sources = {s.id: s for s in dataset.sources}
    citing: dict[str, list[tuple[Record, int, Citation]]] = defaultdict(list)
    for record in dataset.records():
        for index, citation in enumerate(record.citations):
            report.evidence_total += 1
            if citation.source in sources:  # else reported by check_references
                citing[citation.source].append((record, index, citation))
    unnamed: dict[str, int] = defaultdict(int)
    missing: list[tuple[Record, int, Citation, str, str]] = []  # (record, index, citation, evidence, closest)
    readable: list[Source] = []
    for source in sources.values():
        cited_here = citing.get(source.id, [])
        if source.text_file is None:
            if cited_here:
                unnamed[source.id] += len(cited_here)
            continue
        grounding, problem = _read_source_text(source, folders, report, allow_ungrounded)
        if problem is not None:
            yield problem
        if source.text_sha256 is None:
            yield _sha256_to_fill_in(source, report.texts.get(source.id), grounding)
        if grounding is None:
            continue
        readable.append(source)
        for record, index, citation in cited_here:
            evidence = evidence_of(record.text if isinstance(record, Quote) else None, citation)
            anchor = grounding.find(evidence, source.repairs)
            if anchor is None:
                report.misquoted.add(citation_key(record.id, index))
                hinted = len(missing) < HINTED_MISQUOTES
                missing.append((record, index, citation, evidence, closest_passage(grounding, evidence, source.repairs) if hinted else ""))
            else:
                report.anchors[citation_key(record.id, index)] = anchor
        del grounding
    elsewhere: dict[int, str] = {}
    searched = 0  # characters of text searched for misquotes, at most ELSEWHERE_BUDGET
    for other in readable if missing else ():
        if searched > ELSEWHERE_BUDGET:
            break  # not even read: nothing more would be searched
        text, _ = _read_source_text(other, folders, Report([]), allow_ungrounded)
        if text is None:
            continue
        for number, (_, _, citation, evidence, _) in enumerate(missing[:HINTED_MISQUOTES]):
            if number not in elsewhere and citation.source != other.id:
                searched += len(text.folded)
                if searched > ELSEWHERE_BUDGET:
                    break
                if text.find(evidence, other.repairs):
                    elsewhere[number] = other.id
    for number, (record, index, citation, _, closest) in enumerate(missing):
        cited = sources[citation.source]
        hint = (
            f"the words are in {elsewhere[number]}: cite that source, or copy the words exactly as {cited.id} has them"
            if number in elsewhere
            else "copy the words exactly as the source has them"
        )
        found = (
            f"not found verbatim in {cited.id} (the closest passage is {closest!r})"
            if number < HINTED_MISQUOTES
            else f"not found verbatim in {cited.id} (past the first {HINTED_MISQUOTES} misquotes, no closest passage is looked for)"
        )
        yield Problem(
            _at(citation, "evidence") if citation.evidence else _at(record, "text"),
            f"sources[{index + 1}].evidence" if citation.evidence else "text",
            found,
            hint,
        )
    for source_id, count in sorted(unnamed.items()):
        quotes = f"{count} evidence quote{'s' if count != 1 else ''}"
        yield Problem(
            sources[source_id].pos,
            "text",
            f"{quotes} of {source_id} not checked: it names no text",
            "add 'text: {file: NAME, sha256: HASH}' to the source to check its evidence",
            WARNING,
        )


def check_text_folders(dataset: Dataset, folders: Sequence[TextFolder], outside: Sequence[Outside]) -> Iterator[Problem]:
    """The dataset's ``texts`` settings that point outside its own folder, or at no folder."""
    at = dataset.info.texts_pos or dataset.info.pos
    for setting in outside:
        yield Problem(
            at,
            "dataset.texts",
            f"{setting.setting!r} is outside the dataset's folder: a dataset may only name text folders inside its own folder",
            "move the texts into the dataset's folder (e.g. texts/), or give their folder with --texts or KG_TEXTS",
        )
    for folder in folders:
        if folder.confined_to is not None and not folder.path.is_dir():
            what = "is not a folder" if folder.path.exists() else "does not exist"
            yield Problem(
                at,
                "dataset.texts",
                f"{display_path(folder.path)} {what}",
                "correct the setting (a folder inside the dataset's folder), or create the folder and put the sources' texts in it",
                WARNING,
            )


#: A text up to this long is compared with a misquote whole; a longer one only around the
#: places where the misquote's longest words occur (comparing an 8 MiB text whole took
#: seconds a misquote, so a dataset of misquotes could stall a check for hours).
_COMPARED_WHOLE = 50_000
#: How many of a misquote's words, longest first, and how many places of each, are looked at.
_WORDS_LOOKED_AT, _PLACES_LOOKED_AT = 8, 4
#: How much of a misquote is compared: the message shows 100 characters of the passage, and
#: comparing a quote of megabytes took minutes.
_NEEDLE_CHARS = 2_000
#: Misquotes given a closest passage and looked for in the other texts; the rest of a
#: check's misquotes are reported without, so the time they take stays bounded.
HINTED_MISQUOTES = 200
#: How many characters of other texts, in all, are searched for misquotes (a second or so).
ELSEWHERE_BUDGET = 1_000_000_000


def _longest_in(text: str, needle: str) -> difflib.Match:
    return difflib.SequenceMatcher(None, text, needle, autojunk=False).find_longest_match(0, len(text), 0, len(needle))


def _longest_match(haystack: str, needle: str) -> tuple[int, int]:
    """Where the longest run of ``needle``'s characters stands in ``haystack``: (start in
    haystack, start in needle); (0, 0) when no character is shared."""
    if len(haystack) <= _COMPARED_WHOLE:
        block = _longest_in(haystack, needle)
        return block.a, block.b
    best = (0, 0, 0)  # (size, start in haystack, start in needle)
    words = sorted(set(needle.split()), key=lambda w: (-len(w), w))[:_WORDS_LOOKED_AT]
    for word in words:
        at = haystack.find(word)
        for _ in range(_PLACES_LOOKED_AT):
            if at < 0:
                break
            low = max(0, at - len(needle))
            window = haystack[low : at + len(word) + len(needle)]
            block = _longest_in(window, needle)
            if block.size > best[0]:
                best = (block.size, low + block.a, block.b)
            at = haystack.find(word, at + 1)
    return best[1], best[2]


def closest_passage(text: SourceText, evidence: str, repairs: Sequence[Repair], width: int = 100) -> str:
    """The passage of a source's text most like ``evidence``, in whole words, for a message."""
    needle = fold(normalise(evidence, repairs))[:_NEEDLE_CHARS]
    haystack = text.folded
    if not needle or not haystack:
        return ""
    in_haystack, in_needle = _longest_match(haystack, needle)
    start = max(0, in_haystack - in_needle)
    end = min(len(haystack), start + max(len(needle), 20))
    while start > 0 and not haystack[start - 1].isspace():
        start -= 1
    while end < len(haystack) and not haystack[end].isspace():
        end += 1
    passage = text.text[start:end].strip(" ,;:")
    return passage if len(passage) <= width else passage[: width - 1] + "…"


# --- comparing what sources say -------------------------------------------------------------

#: Notes that report a disagreement (what ``kg check --notes conflicts`` lists).
CONFLICT_RULES = frozenset({"figure-conflict", "differing-accounts"})
_LISTED = 5


def _both_or_all(count: int) -> str:
    """``both stay``, ``all 3 stay``: of the records a note names."""
    return "both stay" if count == 2 else f"all {count} stay"


def _listed(items: Sequence[str]) -> str:
    shown = "; ".join(items[:_LISTED])
    return shown + (f"; and {len(items) - _LISTED} more" if len(items) > _LISTED else "")


def check_figures(dataset: Dataset) -> Iterator[Problem]:
    """One note per group of figures that can disagree, summarising which pairs agree or conflict."""
    for group in compare.figure_groups(dataset.statistics):
        where = compare.describe_group(group.key)
        first = group.members[0]
        if not group.pairwise:
            verdict = "share a common value" if group.all_agree else "share no common value: some conflict"
            yield Problem(
                _at(first, "value"),
                "value",
                f"{where}: {len(group.members)} figures, too many to compare pair by pair; their ranges {verdict}",
                severity=NOTE,
                rule="figure-agree" if group.all_agree else "figure-conflict",
            )
            continue
        for verdict, rule in ((compare.CONFLICT, "figure-conflict"), (compare.AGREE, "figure-agree")):
            pairs = [c for c in group.comparisons if c.verdict == verdict]
            if not pairs:
                continue
            said = "conflict" if verdict == compare.CONFLICT else "agree"
            listed = [f"{c.a.id} ({c.a.figure}) and {c.b.id} ({c.b.figure}) {said}" for c in pairs]
            count = f"{len(pairs)} pair{'s' if len(pairs) != 1 else ''}"
            stay = f"{_both_or_all(len({c.a.id for c in pairs} | {c.b.id for c in pairs}))} in the graph"
            hint = f"{stay}, each with its sources, linked as conflicting" if verdict == compare.CONFLICT else ""
            yield Problem(_at(pairs[0].b, "value"), "value", f"{where}: {count} {said}: {_listed(listed)}", hint, NOTE, rule)


def check_figure_wording(dataset: Dataset, misquoted: Container[tuple[str, int]] = ()) -> Iterator[Problem]:
    """A warning where a statistic's value, or its comparator, is not what its evidence says.

    Evidence that is not in its source (``misquoted``) is an error already, and its words are
    no guide to what the figure should be."""
    for statistic in dataset.statistics:
        for index, citation in enumerate(statistic.citations):
            if not citation.evidence or citation_key(statistic.id, index) in misquoted:
                continue
            if qualifiers.supports(citation.evidence, statistic.value.value, statistic.comparator):
                continue
            found = qualifiers.mentions(citation.evidence)
            same = [m for m in found if m.gives(statistic.value.value)]
            where = f"the evidence of sources[{index + 1}] ({citation.source})"
            if not same:
                found = found or qualifiers.readings(citation.evidence)  # a year-like number is better than "no figure"
                texts = list(dict.fromkeys(m.text for m in found))  # a range's two ends are one text
                gives = f"it gives {', '.join(repr(text) for text in texts[:_LISTED])}" if found else "it gives no figure"
                yield Problem(
                    _at(statistic, "value"),
                    "value",
                    f"{statistic.value.lexical} is not in {where}: {gives}",
                    "write the figure the evidence gives (digits only, its qualifying words in comparator),"
                    " or quote the passage that gives this one",
                    WARNING,
                    "figure-wording",
                )
            elif not any(statistic.comparator in m.allows for m in same):
                said = same[0]
                if not said.worded:
                    message = f"{where} gives {said.text} with no qualifying words, not {statistic.comparator}"
                    hint = "write comparator: unqualified, or quote the words that qualify the figure"
                else:
                    message = f"{where} says {said.text!r}, not {statistic.comparator}"
                    hint = f"write comparator: {' or '.join(sorted(said.allows))}"
                yield Problem(_at(statistic, "comparator"), "comparator", message, hint, WARNING, "figure-wording")


def check_accounts(dataset: Dataset) -> Iterator[Problem]:
    """A note where sources give one thing different founders, founding dates or leaders, and
    where one account of them is compatible with another, only more specific."""
    compared = compare.compare_accounts(dataset.statements)
    for found in compared.differing:
        accounts = []
        for statement in found.statements:
            said = statement.object or str(statement.value)
            accounts.append(f"{said} ({statement.id}, from {', '.join(sorted({c.source for c in statement.citations}))})")
        yield Problem(
            _at(found.statements[1], "object", "value"),
            "object" if found.statements[1].object else "value",
            f"differing accounts of {found.subject} {found.predicate}: {'; '.join(accounts)}",
            f"{_both_or_all(len(found.statements))} in the graph, each with its sources, linked as differing accounts",
            NOTE,
            "differing-accounts",
        )
    for specific, general in compared.more_specific:
        said_specific, said_general = specific.object or str(specific.value), general.object or str(general.value)
        yield Problem(
            _at(specific, "object", "value"),
            "object" if specific.object else "value",
            f"compatible accounts of {specific.subject} {specific.predicate}, one more specific: {said_specific} ({specific.id})"
            f" is {'within' if specific.object is None else 'part of'} {said_general} ({general.id})",
            "both stay in the graph, linked by kg:moreSpecificAccount; they do not differ",
            NOTE,
            "more-specific-account",
        )


def check_post_holders(dataset: Dataset) -> Iterator[Problem]:
    """A warning where two people hold one single-holder post at times that overlap."""
    for post, a, b, span_a, span_b in timeline.single_holder_overlaps(dataset):
        yield Problem(
            b.where.get("id", b.pos),
            "id",
            f"{post} is held by one person at a time, but {b.id} ({b.subject}, {span_b.text()}) overlaps"
            f" {a.id} ({a.subject}, {span_a.text()}, {a.pos})",
            "check each source's time: 'held: then' with 'during:' for a post held at an event, 'held: until' where it ended",
            WARNING,
            "post-overlap",
        )


def check_times(dataset: Dataset) -> Iterator[Problem]:
    """A note for each time a source gives in words that cannot be made a date: the source
    has no date to resolve them against, or the words are not ones the reader resolves."""
    times = timeline.Timeline(dataset)
    for record in dataset.records():
        for index, citation in enumerate(record.citations, 1):
            timing = times.citation(record, citation)
            if timing.how == timeline.UNDATED and timing.words == timeline.AS_OF:
                message = f"the post is held as of {citation.source}'s date, which it does not give: no date is given"
                hint = "give 'held: then' with 'during:' where the source ties the post to an event, or 'date:' where it states one"
            elif timing.how == timeline.UNDATED:
                message = f"{timing.words!r} is relative, and {citation.source} gives no date: the words are kept, no date is given"
                hint = "give the citation 'date:' only if the source states one elsewhere"
            elif timing.how == timeline.UNRESOLVED:
                message = f"{timing.words!r} is not resolved to a date: the words are kept as stated"
                hint = "give the citation 'date:' where the source fixes the time"
            else:
                continue
            yield Problem(citation.pos, f"sources[{index}]", message, hint, NOTE, "time-" + timing.how)


def check_same_facts(dataset: Dataset) -> Iterator[Problem]:
    """Merging hints: a fact told by two records that could be one record with two citations."""
    for group in compare.same_statements(dataset.statements):
        for other in group[1:]:
            yield Problem(
                other.where.get("id", other.pos),
                "id",
                f"{other.id} states the same fact as {group[0].id} ({group[0].pos})",
                "merge them into one statement with one citation per source; a citation's 'when:' keeps each source's time words",
                NOTE,
                "merge",
            )
    for figures in compare.same_figures(dataset.statistics):
        for twin in figures[1:]:
            yield Problem(
                twin.where.get("id", twin.pos),
                "id",
                f"{twin.id} gives the same figure as {figures[0].id} ({twin.figure} {twin.counts}, same about, place and period length)",
                "merge them into one statistic with one citation per source; each citation's evidence keeps the source's words",
                NOTE,
                "merge",
            )


def check_partial_quotations(dataset: Dataset) -> Iterator[Problem]:
    """A citation that quotes only part of a quotation is reported and marked partial."""
    for quote, index, citation in compare.partial_citations(dataset):
        yield Problem(
            _at(citation, "evidence"),
            f"sources[{index + 1}].evidence",
            f"{citation.source} quotes only part of {quote.id}: this citation is marked partial"
            " and does not count as a source of the whole quotation",
            "make the part its own quote record if it matters on its own",
            NOTE,
            "partial-quotation",
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
                f"add a statement 'subject: {entity.id}, predicate: holds-post, object: POST-ID', citing where the source names the post",
            )


def check(
    dataset: Dataset, texts: Iterable[str | Path] = (), load_problems: Iterable[Problem] = (), *, allow_ungrounded: bool = False
) -> Report:
    """Run every record check on a loaded dataset; problems come sorted by file and line.

    A source whose declared text is not found is an error, or with ``allow_ungrounded``
    a warning (its evidence then stays unchecked and without offsets)."""
    report = Report(list(load_problems))
    kinds = kinds_by_id(dataset)
    for record_id, kind in dataset.unreadable:
        kinds.setdefault(record_id, kind)  # its own problem is reported; references to it resolve
    found: list[Problem] = []
    found += check_ids(dataset)
    found += check_references(dataset, kinds)
    found += check_rules(dataset)
    unique = first_of_each_id(dataset)  # the checks between records see each id once
    found += check_people_hold_posts(unique)
    folders, outside = text_folders(dataset, texts)
    found += check_text_folders(unique, folders, outside)
    found += check_evidence(unique, folders, report, allow_ungrounded)
    found += check_figure_wording(unique, report.misquoted)
    found += check_figures(unique)
    found += check_accounts(unique)
    found += check_post_holders(unique)
    found += check_times(unique)
    found += check_same_facts(unique)
    found += check_partial_quotations(unique)
    report.problems = capped_per_file(report.problems + found)
    return report


def capped_per_file(problems: Sequence[Problem]) -> list[Problem]:
    """At most :data:`MAX_PROBLEMS_PER_FILE` errors and warnings a file, the first by position
    whether found reading the file or by the checks between records, then one line that counts
    the rest (an error if any of them is), after them. The problem that stopped a file being
    read is always shown; notes, most of them hidden, are not counted."""
    shown: Counter[str] = Counter()
    hidden: dict[str, tuple[Pos, int, bool]] = {}  # path: (first position, how many, any error)

    def hide(pos: Pos, count: int, error: bool) -> None:
        first, before, was_error = hidden.get(pos.path, (pos, 0, False))
        hidden[pos.path] = (min(first, pos, key=lambda p: (p.line, p.column)), before + count, was_error or error)

    kept: list[Problem] = []
    for problem in sorted(problems, key=lambda p: p.sort_key):
        pos = problem.pos
        if problem.rule == MORE_PROBLEMS and pos is not None:  # counted while reading
            hide(pos, problem.more, problem.severity == ERROR)
        elif problem.severity == NOTE or pos is None or problem.rule == STOPPED_READING or shown[pos.path] < MAX_PROBLEMS_PER_FILE:
            shown[pos.path if pos else ""] += problem.severity != NOTE
            kept.append(problem)
        else:
            hide(pos, 1, problem.severity == ERROR)
    kept += [more_problems(first, count, ERROR if error else WARNING) for first, count, error in hidden.values()]
    return sorted(kept, key=lambda p: p.sort_key)
