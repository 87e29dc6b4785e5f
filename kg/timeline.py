"""When facts held, in each source's account: dates as precise as stated, time words resolved
against the source's own date, and the spans they cover.

Pure functions over records (no I/O, no RDF). A span keeps the precision its source gives it: a
post held "in April 2023" spans ``2023-04`` to ``2023-04``, never a made-up day. Words that
cannot be resolved ("just over a year ago"), or a source with no date, give no span: the words
stay, as stated, and nothing is guessed.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from kg import vocab
from kg.model import Citation, Dataset, Event, Record, Source, Statement, Statistic, TypedValue

#: How a span came to be: stated as a date, resolved from words or the source's date, or neither.
STATED = "stated"
RESOLVED = "resolved"
#: Time words (or "as of the source's date") in a source that gives no date.
UNDATED = "undated"
#: Time words the reader does not resolve ("just over a year ago"): kept as words only.
UNRESOLVED = "unresolved"
#: The words of a post held as of its source's date (the default way a source speaks of a post).
AS_OF = "as of the source's date"


def typed(lexical: str) -> TypedValue:
    """A date's lexical form with the XSD type of its precision (gYear, gYearMonth, date)."""
    return TypedValue(lexical, vocab.date_datatype(lexical))


@dataclass(frozen=True, slots=True)
class Span:
    """A time a fact held: from the start of ``start`` to the end of ``end`` (None: open)."""

    start: TypedValue | None
    end: TypedValue | None
    how: str = STATED
    #: The source's date the span was resolved against, when it was resolved.
    basis: TypedValue | None = None

    def text(self) -> str:
        """``2024-05-20``, ``2023-04-21 to 2024-05-21``, ``from 2023-11``, ``until 2024-07``."""
        start, end = (self.start.lexical if self.start else None), (self.end.lexical if self.end else None)
        if start and end:
            return start if start == end else f"{start} to {end}"
        return f"from {start}" if start else f"until {end}" if end else "time not stated"


@dataclass(frozen=True, slots=True)
class Timing:
    """What one citation says of when its fact held: a span, or why there is none."""

    span: Span | None
    #: STATED, RESOLVED, UNDATED, UNRESOLVED, or "" when the citation says nothing of time.
    how: str
    #: The words the time was read from, as stated (time words, or "as of" for the source's date).
    words: str | None = None


def first_day(lexical: str) -> date:
    parts = [int(part) for part in lexical.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def last_day(lexical: str) -> date:
    parts = [int(part) for part in lexical.split("-")]
    if len(parts) == 3:
        return date(*parts)
    month = parts[1] if len(parts) > 1 else 12
    return date(parts[0], month, calendar.monthrange(parts[0], month)[1])


def overlap(a: Span, b: Span) -> bool:
    """Whether two spans can share a day, at the precision they are stated (an open end runs on)."""
    a_start, a_end = (first_day(a.start.lexical) if a.start else date.min), (last_day(a.end.lexical) if a.end else date.max)
    b_start, b_end = (first_day(b.start.lexical) if b.start else date.min), (last_day(b.end.lexical) if b.end else date.max)
    return a_start <= b_end and b_start <= a_end


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


_NUMBERS = {
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_LAST_N = re.compile(r"\b(?:in|over|during|within)?\s*the\s+(?:last|past)\s+(?:(\d{1,3}|[a-z]+)\s+)?(day|week|month|year)s?\b")
_WEEKDAY = re.compile(r"\b(last\s+|on\s+)?(" + "|".join(_WEEKDAYS) + r")\b")


def resolve(words: str, basis: TypedValue) -> Span | None:
    """A span for time words relative to ``basis`` (the source's date), or None when the words
    are not ones this reads, need a more precise date than the source gives, or would reach
    before the year 1.

    Read: today, yesterday, (on|last) Monday…, now, to date, this year, last year, last month,
    and (in|over) the last|past [N] days|weeks|months|years."""
    try:
        return _resolve(" ".join(words.lower().split()), basis)
    except (ValueError, OverflowError):  # before the year 1: no date to give
        return None


def _year(year: int) -> TypedValue:
    if year < 1:
        raise ValueError(f"year {year} is out of range")
    return typed(f"{year:04d}")


def _resolve(said: str, basis: TypedValue) -> Span | None:
    day = basis.lexical if len(basis.lexical) == 10 else None
    year = int(basis.lexical[:4])
    found = _LAST_N.search(said)
    if found:
        count = found.group(1)
        number = int(count) if count and count.isdigit() else _NUMBERS.get(count or "a")
        if number is None or day is None:
            return None
        end = first_day(day)
        unit = found.group(2)
        start = (
            _months_before(end, number * (12 if unit == "year" else 1))
            if unit in ("month", "year")
            else end - timedelta(days=number * (7 if unit == "week" else 1))
        )
        return Span(typed(start.isoformat()), typed(day), RESOLVED, basis)
    if re.search(r"\b(today|this morning|tonight)\b", said):
        return Span(typed(day), typed(day), RESOLVED, basis) if day else None
    if re.search(r"\byesterday\b", said):
        return _day(first_day(day) - timedelta(days=1), basis) if day else None
    weekday = _WEEKDAY.search(said)
    if weekday:
        if day is None:
            return None
        today = first_day(day)
        back = (today.weekday() - _WEEKDAYS.index(weekday.group(2))) % 7
        if back == 0 and weekday.group(1) and weekday.group(1).startswith("last"):
            back = 7
        return _day(today - timedelta(days=back), basis)
    if re.search(r"\b(now|to date|currently|so far)\b", said):
        return Span(None, basis, RESOLVED, basis)
    if re.search(r"\bthis year\b", said):
        return Span(_year(year), _year(year), RESOLVED, basis)
    if re.search(r"\blast year\b", said):
        return Span(_year(year - 1), _year(year - 1), RESOLVED, basis)
    if re.search(r"\blast month\b", said) and len(basis.lexical) >= 7:
        previous = _months_before(first_day(basis.lexical[:7]), 1)
        return Span(typed(previous.isoformat()[:7]), typed(previous.isoformat()[:7]), RESOLVED, basis)
    return None


def _day(day: date, basis: TypedValue) -> Span:
    return Span(typed(day.isoformat()), typed(day.isoformat()), RESOLVED, basis)


def _from_words(words: str, source: Source | None) -> Timing:
    basis = source.date if source else None
    if basis is None:
        return Timing(None, UNDATED, words)
    span = resolve(words, basis)
    return Timing(span, RESOLVED if span else UNRESOLVED, words)


class Timeline:
    """The time each citation of a dataset gives its fact, worked out once per dataset."""

    def __init__(self, dataset: Dataset):
        self.sources = {source.id: source for source in dataset.sources}
        self.events = {event.id: event for event in dataset.events}

    def event_span(self, event: Event) -> Span | None:
        """An event's date as stated, else its time words resolved against its first dated source."""
        if event.date is not None:
            return Span(event.date, event.date)
        for citation in event.citations:
            timing = self.citation(event, citation)
            if timing.span is not None:
                return timing.span
        return None

    def citation(self, record: Record, citation: Citation) -> Timing:
        """When the fact of ``record`` held, as ``citation``'s source tells it."""
        source = self.sources.get(citation.source)
        if isinstance(record, Statement) and record.predicate == "holds-post":
            return self._holding(record, citation, source)
        if citation.date is not None:
            return Timing(Span(citation.date, citation.date), STATED, citation.when)
        words = citation.when or getattr(record, "when", None)
        if words:
            return _from_words(words, source)
        if isinstance(record, Statistic) and record.period is not None:
            return self._period(record, source)
        return Timing(None, "")

    def _holding(self, record: Statement, citation: Citation, source: Source | None) -> Timing:
        held = citation.held or "as-of"
        if held in ("from", "until"):
            if citation.date is None:
                return Timing(None, "")  # kg check reports the missing date
            span = Span(citation.date, None) if held == "from" else Span(None, citation.date)
            return Timing(span, STATED, citation.when)
        if held == "then":
            event = self.events.get(citation.during or "")
            at = self.event_span(event) if event else None
            if at is None:
                return Timing(None, UNDATED if event else "", citation.when)
            return Timing(at, at.how, citation.when)
        if citation.date is not None:
            return Timing(Span(citation.date, citation.date), STATED, citation.when)
        if citation.when or record.when:
            return _from_words(citation.when or record.when or "", source)
        basis = source.date if source else None
        if basis is None:
            return Timing(None, UNDATED, AS_OF)
        return Timing(Span(basis, basis, RESOLVED, basis), RESOLVED, AS_OF)

    def _period(self, record: Statistic, source: Source | None) -> Timing:
        period = record.period
        assert period is not None
        if period.start or period.end:
            return Timing(Span(period.start, period.end), STATED, period.label)
        if period.anchor != "to-publication":
            return Timing(None, "")
        basis = source.date if source else None
        if basis is None:
            return Timing(None, UNDATED, period.label)
        if period.duration and len(basis.lexical) == 10:
            months = _duration_months(period.duration)
            if months is not None:
                try:
                    start = _months_before(first_day(basis.lexical), months)
                except ValueError:  # the period would start before the year 1
                    return Timing(None, UNRESOLVED, period.label)
                return Timing(Span(typed(start.isoformat()), basis, RESOLVED, basis), RESOLVED, period.label)
        span = resolve(period.label, basis)
        return Timing(span, RESOLVED if span else UNRESOLVED, period.label)


def _duration_months(duration: str) -> int | None:
    """Whole years and months of a duration (``P1Y`` 12, ``P6M`` 6); None when it holds days or time."""
    found = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?", duration)
    if not found or not any(found.groups()):
        return None
    return int(found.group(1) or 0) * 12 + int(found.group(2) or 0)


def holding_spans(timeline: Timeline, statement: Statement) -> list[Span]:
    """The spans a post-holding covers, from all its accounts: each account's own span, and a
    "from" account with an "until" account together (held from one date until the other)."""
    spans: list[Span] = []
    starts: list[TypedValue] = []
    ends: list[TypedValue] = []
    for citation in statement.citations:
        span = timeline.citation(statement, citation).span
        if span is None:
            continue
        if span.start is not None and span.end is None:
            starts.append(span.start)
        elif span.end is not None and span.start is None:
            ends.append(span.end)
        else:
            spans.append(span)
    spans += [Span(start, end) for start in starts for end in ends if first_day(start.lexical) <= last_day(end.lexical)]
    if not spans:  # only open-ended accounts: each runs on (held from, with no end known)
        spans = [Span(start, None) for start in starts] + [Span(None, end) for end in ends]
    return spans


def single_holder_overlaps(dataset: Dataset) -> Iterator[tuple[str, Statement, Statement, Span, Span]]:
    """Two people holding one single-holder post at times that overlap: (post, a, b, a's span, b's span)."""
    timeline = Timeline(dataset)
    single = {entity.id for entity in dataset.entities if entity.kind == "post" and entity.single_holder}
    by_post: dict[str, list[Statement]] = {}
    for statement in dataset.statements:
        if statement.predicate == "holds-post" and statement.object in single:
            by_post.setdefault(statement.object, []).append(statement)
    for post in sorted(by_post):
        holdings = sorted(by_post[post], key=lambda s: s.id)
        spans = {s.id: holding_spans(timeline, s) for s in holdings}
        for index, a in enumerate(holdings):
            for b in holdings[index + 1 :]:
                if a.subject == b.subject:
                    continue
                pair = next(((x, y) for x in spans[a.id] for y in spans[b.id] if overlap(x, y)), None)
                if pair:
                    yield post, a, b, pair[0], pair[1]
