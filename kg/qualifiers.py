"""Reading a statistic's figure in its evidence: where the number stands, and the words that qualify it.

Pure functions over text (no I/O, no RDF). :mod:`kg.check` warns where a statistic's value or
comparator says something its evidence does not: ``value: 13000, comparator: fewer-than`` beside
"more than 12,000". The reading is deliberately narrow: a number in digits (``4,000``, ``12.5``,
``1.2 million``, ``£3bn``), in words (``forty-three``, ``a dozen``) or a plural of magnitude
(``hundreds of``), and the qualifier written just before or just after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

#: The comparators a bare number (no qualifying words) may be curated as.
BARE = frozenset({"unqualified", "exactly"})

#: Words just before a number, and the comparators a curator may record for them.
_BEFORE: dict[str, frozenset[str]] = {}
for _words, _comparators in (
    (("more than", "over", "above", "in excess of", "exceeding", "upwards of", "greater than"), {"more-than"}),
    (("at least", "no fewer than", "no less than", "not less than", "a minimum of", "a minimum"), {"at-least"}),
    (("fewer than", "less than", "under", "below"), {"fewer-than"}),
    (("at most", "up to", "no more than", "not more than", "a maximum of", "a maximum"), {"at-most"}),
    (
        ("about", "around", "approximately", "approx.", "roughly", "some", "circa", "c.", "an estimated", "estimated", "an approximate"),
        {"approximately"},
    ),
    (("nearly", "almost", "close to", "just under", "not quite", "just short of"), {"approximately", "fewer-than"}),
    (("just over", "just above", "slightly more than", "a little over"), {"approximately", "more-than"}),
    (("exactly", "precisely", "all", "all of the", "all of", "a total of", "in total"), BARE),
):
    for _w in _words:
        _BEFORE[_w] = frozenset(_comparators)

#: Words just after a number that qualify it.
_AFTER: dict[str, frozenset[str]] = {
    "or more": frozenset({"at-least"}),
    "and more": frozenset({"at-least"}),
    "and over": frozenset({"at-least"}),
    "or over": frozenset({"at-least"}),
    "plus": frozenset({"at-least", "more-than"}),
    "-plus": frozenset({"at-least", "more-than"}),
    "+": frozenset({"at-least", "more-than"}),
    "or fewer": frozenset({"at-most"}),
    "or less": frozenset({"at-most"}),
    "or under": frozenset({"at-most"}),
    "or so": frozenset({"approximately"}),
    "odd": frozenset({"approximately"}),
    "-odd": frozenset({"approximately"}),
}

_MULTIPLES = {
    "tens": 10,
    "dozens": 12,
    "hundreds": 100,
    "thousands": 1000,
    "millions": 10**6,
    "billions": 10**9,
}
_SCALES = {"hundred": 100, "thousand": 1000, "k": 1000, "million": 10**6, "m": 10**6, "mn": 10**6, "billion": 10**9, "bn": 10**9}
_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_UNITS += ["eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORD_VALUES = {w: i for i, w in enumerate(_UNITS)} | _TENS | {"a": 1}
_WORD_SCALES = {"thousand": 1000, "million": 10**6, "billion": 10**9}

_SCALE = r"(?:\s?(?P<scale>hundred|thousand|million|billion|mn|bn|k|m)\b)"
_DIGITS = re.compile(
    r"(?<![\w.,])(?P<int>\d{1,3}(?:[,\u00a0\u202f\u2009]\d{3})+|\d+)(?:\.(?P<frac>\d+))?(?:" + _SCALE + r"|(?!\w|[.,]\d))",
    re.IGNORECASE,
)
_FIRST_WORD = "|".join([*sorted(_UNITS, key=len, reverse=True), *_TENS])
_WORD = "|".join([_FIRST_WORD, "hundred", "thousand", "million", "billion", "dozen"])
#: A number in words: a run of number words that starts with one ("one hundred and fifty",
#: "two dozen", "forty-three") or with "a" and a scale ("a thousand"); 'and' only after
#: hundred, thousand, million or billion.
_WORDS = re.compile(
    rf"\b(?P<word>(?:a\s+(?:hundred|thousand|million|billion|dozen)|{_FIRST_WORD})"
    rf"(?:(?:(?:(?<=hundred)|(?<=thousand)|(?<=million)|(?<=billion))\s+and\s+|[\s-]+)(?:{_WORD}))*)\b",
    re.IGNORECASE,
)
_PLURALS = re.compile(
    r"\b(?:(?P<outer>tens|hundreds) of )?(?P<plural>" + "|".join(_MULTIPLES) + r")\b(?!\s+of\s+(?:thousands|millions|billions)\b)",
    re.IGNORECASE,
)
_NOT_DIGIT = re.compile(r"\D")


def _phrases(phrases: Iterable[str]) -> str:
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))


_QUALIFIED_BEFORE = re.compile(r"(?<!\w)(" + _phrases(_BEFORE) + r")[\s£$€¥]*\Z", re.IGNORECASE)
#: After a number (and its per cent sign, if any): "12% or more", "550-plus"; not "550 plus 20".
_QUALIFIED_AFTER = re.compile(r"(?:\s*(?:%|per\s+cent|percent))?(?:(?=[+-])|\s*)(" + _phrases(_AFTER) + r")(?!\w)(?!\s*\d)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Mention:
    """A number found in an evidence quote, with the comparators its wording allows."""

    #: The figure as written, with its qualifying words: ``more than 4,000``, ``hundreds``, ``550+``.
    text: str
    value: Decimal
    #: The comparators a curator may record for it.
    allows: frozenset[str]
    #: Whether words around the number qualify it (``all 43``, ``over 550``, ``hundreds``).
    worded: bool
    #: Where the figure begins in the evidence.
    start: int


def _value(integer: str, fraction: str | None, scale: str | None) -> Decimal:
    number = Decimal(_NOT_DIGIT.sub("", integer) + (f".{fraction}" if fraction else ""))
    return number * _SCALES[scale.lower()] if scale else number


def _word_value(words: str) -> int:
    """``one hundred and fifty`` -> 150, ``two dozen`` -> 24, ``forty-three`` -> 43."""
    total = current = 0
    for word in re.findall(r"[a-z]+", words.lower()):
        if word in _WORD_VALUES:
            current += _WORD_VALUES[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word == "dozen":
            current = (current or 1) * 12
        elif word in _WORD_SCALES:
            total, current = total + (current or 1) * _WORD_SCALES[word], 0
    return total + current


def _qualified(evidence: str, start: int, end: int, plural: bool) -> tuple[int, int, frozenset[str]]:
    """Where the qualified figure at ``evidence[start:end]`` begins and ends, and the comparators it allows."""
    if plural:
        return start, end, frozenset({"multiples-of"})
    before = _QUALIFIED_BEFORE.search(evidence, max(0, start - 40), start)
    if before:
        return before.start(), end, _BEFORE[" ".join(before[1].lower().split())]
    after = _QUALIFIED_AFTER.match(evidence, end, end + 20)
    if after:
        return start, after.end(), _AFTER[" ".join(after[1].lower().split())]
    return start, end, BARE


def _numbers(evidence: str) -> Iterator[tuple[int, int, Decimal, bool]]:
    """Where each number stands, its value and whether it is a plural of magnitude: digits first,
    then words, then plurals."""
    for m in _DIGITS.finditer(evidence):
        yield m.start(), m.end(), _value(m["int"], m["frac"], m["scale"]), False
    for m in _WORDS.finditer(evidence):
        yield m.start(), m.end(), Decimal(_word_value(m["word"])), False
    for m in _PLURALS.finditer(evidence):
        yield m.start(), m.end(), Decimal(_MULTIPLES[m["plural"].lower()] * (_MULTIPLES[m["outer"].lower()] if m["outer"] else 1)), True


def _mention(evidence: str, start: int, end: int, value: Decimal, plural: bool) -> Mention:
    begin, finish, allows = _qualified(evidence, start, end, plural)
    return Mention(" ".join(evidence[begin:finish].split()), value, allows, plural or (begin, finish) != (start, end), begin)


def mentions(evidence: str) -> list[Mention]:
    """Every number the evidence gives, in the order written, with its qualifier."""
    return sorted((_mention(evidence, *number) for number in _numbers(evidence)), key=lambda m: m.start)


def supports(evidence: str, value: Decimal, comparator: str) -> bool:
    """Whether the evidence gives ``value`` in words that fit ``comparator`` (read no further than needed)."""
    return any(
        comparator in _qualified(evidence, start, end, plural)[2] for start, end, given, plural in _numbers(evidence) if given == value
    )
