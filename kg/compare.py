"""Comparing what sources say: figures that can disagree, facts told twice, accounts that differ.

Pure functions over records (no I/O, no RDF): :mod:`kg.check` turns the findings into notes and
:mod:`kg.build` into links in the graph, so both say the same thing.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from kg.model import Citation, Dataset, Quote, Statement, Statistic
from kg.text import fold, normalise

_INF = Decimal("Infinity")

#: Predicates a thing should have once: two different objects are differing accounts.
SINGLE_VALUED = ("established-by", "established-in", "led-by")
#: Above this many statistics in one group, figures are summarised, not compared pair by pair.
MAX_COMPARED = 40

AGREE = "agree"
CONFLICT = "conflict"
#: The rule every figure comparison uses (the ranges each comparator admits, see README).
RANGE_RULE = "range-overlap"


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


def range_text(statistic: Statistic) -> str:
    """The range a figure admits, in interval notation: ``more than 550`` -> ``(550, ∞)``."""
    lo, lo_open, hi, hi_open = interval(statistic)

    def show(n: Decimal) -> str:
        return "∞" if n == _INF else "-∞" if n == -_INF else f"{n.normalize():f}"

    return f"{'(' if lo_open else '['}{show(lo)}, {show(hi)}{')' if hi_open else ']'}"


def compatible(a: Statistic, b: Statistic) -> bool:
    """Whether two figures for the same measure can both be true (their ranges overlap)."""
    lo1, lo1_open, hi1, hi1_open = interval(a)
    lo2, lo2_open, hi2, hi2_open = interval(b)
    lo, lo_open = max((lo1, lo1_open), (lo2, lo2_open), key=lambda x: (x[0], x[1]))
    hi, hi_open = min((hi1, hi1_open), (hi2, hi2_open), key=lambda x: (x[0], not x[1]))
    return lo < hi or (lo == hi and not lo_open and not hi_open)


GroupKey = tuple[str, str, str, str | None, str | None]


def group_key(statistic: Statistic) -> GroupKey:
    """What two figures must share to be able to disagree: measure, unit, about, place, period duration."""
    duration = statistic.period.duration if statistic.period else None
    return (statistic.counts, statistic.unit, statistic.about, statistic.place, duration)


def describe_group(key: GroupKey) -> str:
    """``arrests about grooming-gangs-taskforce, in england-and-wales, over P1Y``."""
    counts, unit, about, place, duration = key
    text = f"{counts}{' (percent)' if unit == 'percent' else ''} about {about}"
    text += f", in {place}" if place else ", no place given"
    text += f", over {duration}" if duration else ", no period length given"
    return text


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two figures of one group compared: whether their ranges overlap."""

    a: Statistic
    b: Statistic
    verdict: str  # AGREE or CONFLICT

    @property
    def rule(self) -> str:
        """The rule used, with the two ranges it compared."""
        return f"{RANGE_RULE}: {self.a.figure} is {range_text(self.a)}, {self.b.figure} is {range_text(self.b)}"


@dataclass(frozen=True, slots=True)
class FigureGroup:
    """Statistics that can disagree, and what comparing them found."""

    key: GroupKey
    members: tuple[Statistic, ...]
    comparisons: tuple[Comparison, ...]
    #: Whether every figure's range shares one common value (in one dimension, pairwise overlap says the same).
    all_agree: bool
    #: False when the group is too big to compare pair by pair (see MAX_COMPARED).
    pairwise: bool


def figure_groups(statistics: Iterable[Statistic]) -> list[FigureGroup]:
    """Groups of two or more statistics with differing figures, in a stable order."""
    groups: dict[GroupKey, list[Statistic]] = defaultdict(list)
    for statistic in statistics:
        groups[group_key(statistic)].append(statistic)
    found = []
    for key in sorted(groups, key=lambda k: tuple(part or "" for part in k)):
        members = sorted(groups[key], key=lambda s: s.id)
        if len({(s.value.value, s.comparator) for s in members}) < 2:
            continue
        pairwise = len(members) <= MAX_COMPARED
        comparisons: tuple[Comparison, ...] = ()
        if pairwise:
            comparisons = tuple(
                Comparison(a, b, AGREE if compatible(a, b) else CONFLICT)
                for a, b in itertools.combinations(members, 2)
                if (a.value.value, a.comparator) != (b.value.value, b.comparator)
            )
        found.append(FigureGroup(key, tuple(members), comparisons, _common_value(members), pairwise))
    return found


def _common_value(members: Sequence[Statistic]) -> bool:
    """Whether all ranges share a value: the highest low end lies below the lowest high end."""
    lows = [(lo, lo_open) for lo, lo_open, _, _ in map(interval, members)]
    highs = [(hi, hi_open) for _, _, hi, hi_open in map(interval, members)]
    lo, lo_open = max(lows, key=lambda x: (x[0], x[1]))
    hi, hi_open = min(highs, key=lambda x: (x[0], not x[1]))
    return lo < hi or (lo == hi and not lo_open and not hi_open)


# --- the same fact twice ------------------------------------------------------------------------


def statement_key(statement: Statement) -> tuple[str, str, str]:
    value = statement.value if isinstance(statement.value, str) or statement.value is None else statement.value.lexical
    return (statement.subject, statement.predicate, statement.object or f"value:{value}")


def same_statements(statements: Iterable[Statement]) -> list[tuple[Statement, ...]]:
    """Statements with the same subject, predicate and object (or value): one fact, told twice."""
    seen: dict[tuple[str, str, str], list[Statement]] = defaultdict(list)
    for statement in statements:
        seen[statement_key(statement)].append(statement)
    return [tuple(group) for _, group in sorted(seen.items()) if len(group) > 1]


def figure_key(statistic: Statistic) -> tuple[object, ...]:
    return (*group_key(statistic), statistic.value.value, statistic.comparator)


def same_figures(statistics: Iterable[Statistic]) -> list[tuple[Statistic, ...]]:
    """Statistics agreeing on measure, value, comparator, about, place and period duration."""
    seen: dict[tuple[object, ...], list[Statistic]] = defaultdict(list)
    for statistic in statistics:
        seen[figure_key(statistic)].append(statistic)
    groups = [tuple(group) for group in seen.values() if len(group) > 1]
    return sorted(groups, key=lambda g: g[0].id)


# --- differing accounts -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DifferingAccounts:
    """Statements giving one thing different objects for a predicate it should have once."""

    subject: str
    predicate: str
    statements: tuple[Statement, ...]


def _sources(statement: Statement) -> frozenset[str]:
    return frozenset(c.source for c in statement.citations)


def differing_accounts(statements: Iterable[Statement]) -> list[DifferingAccounts]:
    """Where sources differ on a single-valued predicate (who founded, when, who leads).

    Two objects that every source gives together are one account of two things (two
    founders named side by side); they differ only when the sources behind them differ."""
    grouped: dict[tuple[str, str], list[Statement]] = defaultdict(list)
    for statement in statements:
        if statement.predicate in SINGLE_VALUED:
            grouped[(statement.subject, statement.predicate)].append(statement)
    found = []
    for (subject, predicate), members in sorted(grouped.items()):
        objects = {statement_key(s)[2] for s in members}
        if len(objects) > 1 and len({_sources(s) for s in members}) > 1:
            found.append(DifferingAccounts(subject, predicate, tuple(sorted(members, key=lambda s: s.id))))
    return found


# --- partial quotations -------------------------------------------------------------------------

_ENDS = " .,;:!?\"'"


def is_partial(quote: Quote, citation: Citation) -> bool:
    """Whether a citation's evidence holds only part of the quotation (so it cannot vouch for all of it)."""
    if not citation.evidence:
        return False
    whole = fold(normalise(quote.text)).strip(_ENDS)
    return bool(whole) and whole not in fold(normalise(citation.evidence))


def partial_citations(dataset: Dataset) -> Iterator[tuple[Quote, int, Citation]]:
    """Every quotation's partial citations, with their 0-based place in the record."""
    for quote in dataset.quotes:
        for index, citation in enumerate(quote.citations):
            if is_partial(quote, citation):
                yield quote, index, citation
