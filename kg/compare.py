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
from kg.vocab import COMPARED_PREDICATES

_INF = Decimal("Infinity")

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


GroupKey = tuple[str, str, tuple[str, ...], str | None, str | None]


def group_key(statistic: Statistic) -> GroupKey:
    """What two figures must share to be able to disagree: measure, unit, about, place, period duration."""
    duration = statistic.period.duration if statistic.period else None
    return (statistic.counts, statistic.unit, tuple(sorted(statistic.about)), statistic.place, duration)


def describe_group(key: GroupKey) -> str:
    """``arrests about grooming-gangs-taskforce, in england-and-wales, over P1Y``."""
    counts, unit, about, place, duration = key
    text = f"{counts}{' (percent)' if unit == 'percent' else ''} about {' and '.join(about)}"
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
    for key in sorted(groups, key=lambda k: (k[0], k[1], k[2], k[3] or "", k[4] or "")):
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

#: How two statements of one thing's founder, founding date or leader stand to each other.
BOTH_STATED = "both-stated"  # one source gives both: two values, not two accounts
MORE_SPECIFIC = "more-specific"  # compatible: one names a part of the other, or a date within it
DIFFER = "differ"  # no one source gives both, and neither contains the other


@dataclass(frozen=True, slots=True)
class DifferingAccounts:
    """Statements giving one thing objects that no one source gives together, for a predicate
    whose accounts can differ (who founded or leads it, when it was founded)."""

    subject: str
    predicate: str
    statements: tuple[Statement, ...]
    #: The pairs that differ (a, b), by id.
    pairs: tuple[tuple[Statement, Statement], ...] = ()


def _sources(statement: Statement) -> frozenset[str]:
    return frozenset(c.source for c in statement.citations)


class Broader:
    """What is broader than what, from the graph's own relations: a thing is narrower than
    what it is part of (transitively), and a date than the month or year that holds it."""

    def __init__(self, statements: Iterable[Statement]):
        self.parents: dict[str, set[str]] = defaultdict(set)
        for statement in statements:
            if statement.predicate == "part-of" and statement.object is not None:
                self.parents[statement.subject].add(statement.object)

    def narrower(self, a: str, b: str) -> bool:
        """Whether ``a`` is a part (or a part of a part) of ``b``, or a date within ``b``."""
        if a.startswith("value:") and b.startswith("value:"):
            inner, outer = a.removeprefix("value:"), b.removeprefix("value:")
            return len(inner) > len(outer) and inner.startswith(outer + "-")
        seen, todo = set(), [a]
        while todo:
            for parent in self.parents.get(todo.pop(), ()):
                if parent == b:
                    return True
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return False


def account_pairs(statements: Sequence[Statement]) -> Iterator[tuple[Statement, Statement, str]]:
    """Each pair of statements giving one thing different objects for a compared predicate,
    with how they stand: BOTH_STATED, MORE_SPECIFIC (the first is the more specific) or DIFFER."""
    broader = Broader(statements)
    grouped: dict[tuple[str, str], list[Statement]] = defaultdict(list)
    for statement in statements:
        if statement.predicate in COMPARED_PREDICATES:
            grouped[(statement.subject, statement.predicate)].append(statement)
    for _, members in sorted(grouped.items()):
        for a, b in itertools.combinations(sorted(members, key=lambda s: s.id), 2):
            object_a, object_b = statement_key(a)[2], statement_key(b)[2]
            if object_a == object_b:
                continue
            if _sources(a) & _sources(b):
                yield a, b, BOTH_STATED
            elif broader.narrower(object_a, object_b):
                yield a, b, MORE_SPECIFIC
            elif broader.narrower(object_b, object_a):
                yield b, a, MORE_SPECIFIC
            else:
                yield a, b, DIFFER


@dataclass(frozen=True, slots=True)
class Accounts:
    """How the accounts of founders, founding dates and leaders stand, compared once: those
    that differ, and the pairs that agree, one more specific (the specific, the general)."""

    differing: list[DifferingAccounts]
    more_specific: list[tuple[Statement, Statement]]


def compare_accounts(statements: Iterable[Statement]) -> Accounts:
    """Where sources differ on who founded or leads a thing, or when it was founded.

    Every predicate may hold several values: two objects that one source gives are both
    stated (two founders named side by side), and one that names a part of the other, or a
    date within it, is compatible, one more specific. Only the rest differ."""
    grouped: dict[tuple[str, str], list[tuple[Statement, Statement]]] = defaultdict(list)
    more_specific = []
    for a, b, how in account_pairs(list(statements)):
        if how == DIFFER:
            grouped[(a.subject, a.predicate)].append((a, b))
        elif how == MORE_SPECIFIC:
            more_specific.append((a, b))
    differing = []
    for (subject, predicate), pairs in sorted(grouped.items()):
        members = {s.id: s for pair in pairs for s in pair}
        differing.append(DifferingAccounts(subject, predicate, tuple(members[i] for i in sorted(members)), tuple(pairs)))
    return Accounts(differing, more_specific)


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
