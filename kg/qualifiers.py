"""Reading a statistic's figure in its evidence: where the number stands, and the words that qualify it.

Pure functions over text (no I/O, no RDF). :mod:`kg.check` warns where a statistic's value or
comparator says something its evidence does not: ``value: 13000, comparator: fewer-than`` beside
"more than 12,000". The reading is deliberately narrow, and where it cannot tell what words mean
it says nothing (every comparator fits): a false warning is worse than a missed one.

It reads a number in digits (``4,000``, ``12.5``, ``1.2 million``, ``£3bn``), in words
(``forty-three``, ``a dozen``, ``half a million``), a plural of magnitude or a vague count of a
scale (``hundreds of``, ``a few hundred``), a share (``a third``, ``one in five``: a per cent),
the ends of a range (``between 400 and 500``, ``1-2 million``), and the qualifier written just
before (``more than``, ``~``, ``>``, ``not over``) or just after it (``or more``). A year, a date or
a time beside the figure is incidental: it is not offered as the figure.

The reading runs in two steps. First a table of readers finds the numbers, each reader a pattern,
a function and the words that cue it; where two readers claim the same words the earlier match,
then the earlier reader, wins. Then the words around each number, and the number beside it,
say which comparators it allows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import NamedTuple

from kg.vocab import CONTROLLED_LISTS

#: Every comparator: what a number allows where the reader cannot tell how its words qualify it.
ANY = frozenset(CONTROLLED_LISTS["comparator"][1])
#: The comparators a bare number (no qualifying words) may be curated as.
BARE = frozenset({"unqualified", "exactly"})
MULTIPLES = frozenset({"multiples-of"})
#: The ends of a range ("between 400 and 500", "400-500", "400 to 500"): each bounds the figure
#: from its side.
LOW_END = frozenset({"at-least", "more-than"})
HIGH_END = frozenset({"at-most", "fewer-than"})
#: A share with no qualifying words: in per cent it is rounded ("a third": 33), so approximately too.
SHARED = BARE | {"approximately"}

#: What a number is, as its reader found it.
FIGURE = "figure"
#: A plural of magnitude: ``hundreds``, ``tens of thousands``, ``a few hundred``.
MAGNITUDE = "magnitude"
#: A number that is most likely not a figure: a year (``in 2023``), a date, a time of day. It backs
#: a record that gives its value, whatever the comparator, but is never offered as the figure.
INCIDENTAL = "incidental"
#: A share in per cent: ``a third`` (33.3…), ``one in five`` (20), ``40 out of 43`` (93.0…).
SHARE = "share"

#: Words just before a number, and the comparators a curator may record for them. A negation
#: before them (``not``, ``no``, ``never``) turns one bound into the other, below.
_BEFORE: dict[str, frozenset[str]] = {}
for _words, _comparators in (
    (("more than", "over", "above", "in excess of", "exceeding", "upwards of", "greater than", ">"), {"more-than"}),
    (("at least", "a minimum of", "a minimum", "≥", ">="), {"at-least"}),
    (("fewer than", "less than", "under", "below", "<"), {"fewer-than"}),
    (("at most", "up to", "a maximum of", "a maximum", "≤", "<="), {"at-most"}),
    (
        ("about", "around", "approximately", "approx.", "roughly", "some", "circa", "c.", "ca.", "~", "≈"),
        {"approximately"},
    ),
    (("an estimated", "estimated", "an approximate"), {"approximately"}),
    (("nearly", "almost", "close to", "just under", "not quite", "just short of"), {"approximately", "fewer-than"}),
    (("just over", "just above", "slightly more than", "a little over"), {"approximately", "more-than"}),
    (("as many as", "as much as"), {"at-most", "approximately"}),
    (("as few as", "as little as"), {"at-least", "approximately"}),
    (("exactly", "precisely", "all", "all of the", "all of", "a total of", "in total"), BARE),
    # A negation this reading cannot turn ('not 550 but 600', 'not even 550'): it says nothing.
    (("not", "no", "never", "not even", "nowhere near", "far from"), ANY),
):
    for _w in _words:
        _BEFORE[_w] = frozenset(_comparators)

#: A negated bound: "not more than" is at most, "no fewer than" at least, "not over" at most.
#: Any other negated wording ("not all", "not nearly") allows every comparator.
_NEGATED = {"more-than": "at-most", "at-most": "more-than", "at-least": "fewer-than", "fewer-than": "at-least"}

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
#: The parts of a whole that a share names ("two-thirds"), and how many make the whole.
_PARTS = {"half": 2, "third": 3, "quarter": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
_PARTS |= {"halves": 2} | {f"{part}s": whole for part, whole in _PARTS.items() if part != "half"}
_NUMERATOR = "a|one|two|three|four|five|six|seven|eight|nine"

#: Money between a qualifier and its number: "over £30m", "about US$550".
_MONEY = r"(?:\s|[£$€¥₹]|\b(?:US|AU|A|C|NZ|HK)(?=\$)|\b(?:USD|GBP|EUR)\b)*"
_SCALE = r"(?:\s?(?P<scale>hundred|thousand|million|billion|mn|bn|k|m)\b)"
#: Digits that stand alone: not inside a longer number or a name (A550, 12.5's 5, 24/7), but after
#: "c." (c.550). The pattern starts with a digit, and looks behind it, so that the search skips
#: quickly to the next digit.
_DIGITS = re.compile(
    r"(?P<int>\d(?<![\w,/]\d)(?<!\d\.\d)(?:\d{0,2}(?:[,\u00a0\u202f\u2009]\d{3})+|\d*))(?:\.(?P<frac>\d+))?"
    r"(?:" + _SCALE + r"|(?!\w|[.,/]\d))",
    re.IGNORECASE,
)
_FIRST_WORD = "|".join([*sorted(_UNITS, key=len, reverse=True), *_TENS])
#: A scale in words, which multiplies what comes before it.
_SCALE_WORD = "hundred|thousand|million|billion|dozen"
_WORD = f"{_FIRST_WORD}|{_SCALE_WORD}"
#: A number in words: a run of number words that starts with one ("one hundred and fifty",
#: "two dozen", "forty-three") or with "a" and a scale ("a thousand"); 'and' only after
#: hundred, thousand, million or billion.
_WORDS = re.compile(
    rf"\b(?P<word>(?:a\s+(?:{_SCALE_WORD})|{_FIRST_WORD})"
    rf"(?:(?:(?:(?<=hundred)|(?<=thousand)|(?<=million)|(?<=billion))\s+and\s+|[\s-]+)(?:{_WORD}))*)\b",
    re.IGNORECASE,
)
_PLURALS = re.compile(
    r"\b(?:(?P<outer>tens|hundreds) of )?(?P<plural>" + "|".join(_MULTIPLES) + r")\b(?!\s+of\s+(?:thousands|millions|billions)\b)",
    re.IGNORECASE,
)
#: A vague count of a scale, read as its plural: "a few hundred", "several thousand", "a few dozen".
_VAGUE = re.compile(
    r"\b(?:a\s+few|few|several|many|a\s+couple\s+of|a\s+number\s+of)\s+"
    rf"(?P<scale>(?:{_SCALE_WORD})(?:\s+(?:thousand|million|billion))?)\b",
    re.IGNORECASE,
)
_NOT_DIGIT = re.compile(r"\D")
_YEAR = re.compile(r"1[89]\d\d|20\d\d")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTHS += "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
#: The numbers of a date: 24 November, 1st of May, November 24.
_DATE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?-i:{_MONTHS})\b|\b(?-i:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?![.,]\d|\s*%)",
    re.IGNORECASE,
)
#: The numbers of a date or a time in digits: 2023-11-24, 2023-24 (a year), 10am, 10.30 p.m., 14:00.
_CLOCK = re.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}\b|(?<![\w,/])(?:1[89]|20)\d\d[-–]\d\d\b(?![-–]\d)"
    r"|\b\d{1,2}(?:[:.]\d{2})?\s?[ap]\.?m\b\.?|\b\d{1,2}:\d{2}\b",
    re.IGNORECASE,
)
#: A share in words: "a third", "two-thirds", "three quarters", "one-fifth".
_FRACTION = re.compile(rf"\b(?P<count>{_NUMERATOR})[\s-]+(?P<part>{'|'.join(sorted(_PARTS, key=len, reverse=True))})\b", re.IGNORECASE)
#: "half" alone is a share only before what it halves ("half of", "half the", "by half"); not "the first half of 2023".
_HALF = re.compile(
    r"(?<!\bfirst\s)(?<!\bsecond\s)(?<!\bother\s)(?<!\blast\s)\bhalf\b(?=\s+(?:of|the|its|their|all|his|her|our|those|these|them)\b)"
    r"|(?<=\bby\s)half\b",
    re.IGNORECASE,
)
#: A part of a scale: "half a million", "a quarter of a million", "three quarters of a billion", "half a dozen".
_PORTION = re.compile(
    r"\b(?:(?P<count>a|one|two|three)[\s-]+)?(?P<part>half|quarters?|thirds?)\s+(?:of\s+)?an?\s+"
    rf"(?P<scale>{_SCALE_WORD})\b",
    re.IGNORECASE,
)
#: A number and a half: "one and a half million", "2 and a half thousand", "two and a half years".
_AND_A_HALF = re.compile(
    rf"\b(?P<count>\d{{1,3}}|{_FIRST_WORD})\s+and\s+a\s+half\b(?:\s+(?P<scale>{_SCALE_WORD})\b)?",
    re.IGNORECASE,
)
#: A rate: "one in five", "1 in 4", "nine out of ten", "40 out of 43", "one in every three".
_RATE = re.compile(
    rf"(?<![\w,/])(?<!\d\.)(?P<count>\d{{1,3}}|{_FIRST_WORD})\s+(?P<how>in|out\s+of)\s+(?:every\s+)?"
    rf"(?P<whole>\d{{1,4}}|(?:a|one)\s+(?:hundred|thousand)|{_FIRST_WORD})\b(?![.,]\d)",
    re.IGNORECASE,
)
#: "3 in 10 days" is a count and a span of time, not a rate.
_TIME_SPAN = re.compile(r"\s+(?:years?|months?|weeks?|days?|hours?|minutes?|decades?)\b", re.IGNORECASE)
#: Numbers in a name, not figures: No 10, No. 10 (Downing Street), Covid-19, mid-2023; not the
#: second end of "1 million-2 million".
_NAMED = re.compile(r"(?-i:\bNo\b)\.?\s?\d+\b|\b(?P<name>[^\W\d_]+)-\d+\b")


def _phrases(phrases: Iterable[str]) -> str:
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))


_QUALIFIED_BEFORE = re.compile(
    r"(?<!\w)(?:(?P<negation>not|no|never)\s+)?(?P<words>" + _phrases(_BEFORE) + r")" + _MONEY + r"\Z", re.IGNORECASE
)
#: After a number (and its per cent sign, if any): "12% or more", "550-plus"; not "550 plus 20".
_QUALIFIED_AFTER = re.compile(r"(?:\s*(?:%|per\s+cent|percent))?(?:(?=[+-])|\s*)(" + _phrases(_AFTER) + r")(?!\w)(?!\s*\d)", re.IGNORECASE)


_PER_CENT = r"(?:\s*(?:%|per\s*cent|percent))"
_PER_CENT_SIGN = re.compile(_PER_CENT, re.IGNORECASE)
#: What joins the two ends of a range, after the first end (and its per cent sign).
_BETWEEN = re.compile(r"\bbetween" + _MONEY + r"\Z", re.IGNORECASE)
_AND = re.compile(_PER_CENT + r"?\s+and" + _MONEY, re.IGNORECASE)
_DASH = re.compile(_PER_CENT + r"?\s*[-–—]" + _MONEY)
_TO = re.compile(_PER_CENT + r"?\s+to" + _MONEY, re.IGNORECASE)
#: Longer than any join (" per cent and US$ "): a quick way to tell two numbers are no range.
_LONGEST_JOIN = 24
#: Not a range but part of a longer run (0800-555-0123, 2023-11-24).
_CHAIN_BEFORE = re.compile(r"\d\s?[-–—]\s?\Z")
_CHAIN_AFTER = re.compile(r"\s?[-–—]\s?\d")
#: "X to Y" after words of change, in the same clause, is a change, not a range: "rose by 50 to 550".
_CHANGE = re.compile(
    r"\b(?:up|down|rose|risen|rises?|rising|fell|fallen|falls?|falling|increased?|increases|increasing|decreased?|decreases"
    r"|decreasing|grew|grown|grows?|growing|dropped|drops?|dropping|jumped|climbed|cut|reduced|doubled|halved)\b[^.,;:!?]*\Z",
    re.IGNORECASE,
)
#: "from X to Y" may be a change ("from 400 to 500") or a range ("ranged from 4 to 10"), and so may
#: "by X to Y" and "of X to Y" whatever the verb ("soared by 50 to 550", "a jump of 50 to 550",
#: "a range of 400 to 500"): it says nothing.
_FROM = re.compile(r"\b(?:from|by|of)" + _MONEY + r"\Z", re.IGNORECASE)
#: A dash with a space on each side may join a range ("400 – 500") or two things ("Level 3 - 550 arrests").
_SPACED_DASH = re.compile(_PER_CENT + r"?\s+[-–—]\s+")


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
    #: Where the figure begins in the evidence, and where it ends.
    start: int
    end: int
    #: What its reader took it for: :data:`FIGURE`, :data:`MAGNITUDE`, :data:`SHARE` or :data:`INCIDENTAL`.
    kind: str = FIGURE

    def gives(self, value: Decimal) -> bool:
        """Whether a record's ``value`` is this figure; a share's, to the record's precision
        (a third: 33, 33.3 or 33.33; 30 or 34 is not)."""
        return _near(value, self.value) if self.kind == SHARE else value == self.value

    def fits(self, value: Decimal, comparator: str) -> bool:
        """Whether a record of ``value`` with ``comparator`` says what this figure's words say."""
        return self.gives(value) and comparator in self.allows


class _Number(NamedTuple):
    """A number a reader found, before the words around it are weighed (a tuple: most evidence
    holds a few, and a check reads every citation's)."""

    start: int
    end: int
    value: Decimal
    kind: str = FIGURE
    #: The multiplier of its own scale word ("2 million", "three hundred"), which the bare first
    #: end of a range borrows ("1-2 million").
    scale: int | None = None
    #: Four digits that could be a year (1800 to 2099): unless words qualify it, it is incidental.
    year: bool = False


def _near(value: Decimal, share: Decimal) -> bool:
    """Whether ``value`` is ``share`` rounded to the precision ``value`` is written to."""
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and abs(value - share) <= Decimal(5).scaleb(exponent - 1)


def _value(integer: str, fraction: str | None, scale: int | None) -> Decimal:
    number = Decimal((integer if integer.isdigit() else _NOT_DIGIT.sub("", integer)) + (f".{fraction}" if fraction else ""))
    return number * scale if scale else number


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


def _read_digits(m: re.Match[str]) -> list[_Number]:
    integer, fraction, scale_word = m.group("int", "frac", "scale")
    scale = _SCALES[scale_word.lower()] if scale_word else None
    year = len(integer) == 4 and not (fraction or scale) and bool(_YEAR.fullmatch(integer))
    return [_Number(m.start(), m.end(), _value(integer, fraction, scale), FIGURE, scale, year)]


def _read_words(m: re.Match[str]) -> list[_Number]:
    last = re.split(r"[\s-]+", m["word"].lower())[-1]
    scale = _word_value(last) if last in {"hundred", "dozen", *_WORD_SCALES} else None
    return [_Number(m.start(), m.end(), Decimal(_word_value(m["word"])), scale=scale)]


def _read_plural(m: re.Match[str]) -> list[_Number]:
    value = _MULTIPLES[m["plural"].lower()] * (_MULTIPLES[m["outer"].lower()] if m["outer"] else 1)
    return [_Number(m.start(), m.end(), Decimal(value), MAGNITUDE)]


def _per_cent(count: Decimal, whole: Decimal) -> Decimal:
    return count * 100 / whole


def _count(words: str) -> Decimal:
    """A number written in digits or words: ``40``, ``nine``, ``a hundred``."""
    return Decimal(words) if words.isdigit() else Decimal(_word_value(words))


def _read_fraction(m: re.Match[str]) -> list[_Number]:
    return [_Number(m.start(), m.end(), _per_cent(_count(m["count"]), Decimal(_PARTS[m["part"].lower()])), SHARE)]


def _read_half(m: re.Match[str]) -> list[_Number]:
    return [_Number(m.start(), m.end(), Decimal(50), SHARE)]


def _read_portion(m: re.Match[str]) -> list[_Number]:
    count = _count(m["count"]) if m["count"] else Decimal(1)
    return [_Number(m.start(), m.end(), count * _word_value(m["scale"]) / _PARTS[m["part"].lower()])]


def _read_and_a_half(m: re.Match[str]) -> list[_Number]:
    return [_Number(m.start(), m.end(), (_count(m["count"]) + Decimal("0.5")) * (_word_value(m["scale"]) if m["scale"] else 1))]


def _read_rate(m: re.Match[str]) -> list[_Number] | None:
    """A rate is a share; its numbers written in digits are figures too ('40 out of 43 forces')."""
    count, whole = _count(m["count"]), _count(m["whole"])
    if not 0 < count < whole <= 1000 or (m["how"].lower() == "in" and _TIME_SPAN.match(m.string, m.end())):
        return None
    numbers = [_Number(m.start(), m.end(), _per_cent(count, whole), SHARE)]
    for side in ("count", "whole"):
        if m[side].isdigit():
            numbers.append(_Number(m.start(side), m.end(side), Decimal(m[side])))
    return numbers


def _read_vague(m: re.Match[str]) -> list[_Number]:
    return [_Number(m.start(), m.end(), Decimal(_word_value(m["scale"])), MAGNITUDE)]


def _read_incidental(m: re.Match[str]) -> list[_Number]:
    return [_Number(m.start() + d.start(), m.start() + d.end(), Decimal(d[0]), INCIDENTAL) for d in re.finditer(r"\d+", m[0])]


def _read_named(m: re.Match[str]) -> list[_Number] | None:
    return None if m["name"] and m["name"].lower() in _SCALES else []


class _Reader(NamedTuple):
    """One kind of number: its pattern, what a match gives (``None``: the reader declines, and
    the words are left to the readers below it), and the words or marks (lower case), one of
    which the evidence must hold for the pattern to be tried (``None``: always tried)."""

    pattern: re.Pattern[str]
    read: Callable[[re.Match[str]], list[_Number] | None]
    cues: set[str] | None


#: A word or mark that may cue a reader (in lower case; the cues are all ASCII).
_CUE = re.compile(r"[a-z]+|[-–:]")


#: The readers, in the order they win a tie.
_READERS: tuple[_Reader, ...] = (
    _Reader(_NAMED, _read_named, {"no", "-"}),
    _Reader(_DATE, _read_incidental, set(_MONTHS.lower().split("|"))),
    _Reader(_CLOCK, _read_incidental, {"-", "–", ":", "am", "pm", "m"}),
    _Reader(_PORTION, _read_portion, {"half", "quarter", "quarters", "third", "thirds"}),
    _Reader(_AND_A_HALF, _read_and_a_half, {"half"}),
    _Reader(_RATE, _read_rate, {"in", "out"}),
    _Reader(_FRACTION, _read_fraction, set(_PARTS)),
    _Reader(_HALF, _read_half, {"half"}),
    _Reader(_VAGUE, _read_vague, {"few", "several", "many", "couple", "number"}),
    _Reader(_PLURALS, _read_plural, set(_MULTIPLES)),
    _Reader(_WORDS, _read_words, {*_UNITS, *_TENS, "hundred", "thousand", "million", "billion", "dozen"}),
    _Reader(_DIGITS, _read_digits, None),
)
_CUED = frozenset().union(*(reader.cues for reader in _READERS if reader.cues))
_UNCUED = [reader for reader in _READERS if reader.cues is None]


def _numbers(evidence: str) -> list[_Number]:
    """Every number the readers find, in the order written; where two readers claim the same
    words, the match that starts first wins, then the reader listed first."""
    cued = _CUED.intersection(_CUE.findall(evidence.lower()))
    readers = [reader for reader in _READERS if reader.cues is None or not reader.cues.isdisjoint(cued)] if cued else _UNCUED
    if len(readers) == 1:  # most evidence: digits alone, whose matches do not overlap
        return [number for m in readers[0].pattern.finditer(evidence) for number in readers[0].read(m) or ()]
    claims: list[tuple[int, int, int, list[_Number]]] = []
    for rank, reader in enumerate(readers):
        for m in reader.pattern.finditer(evidence):
            numbers = reader.read(m)
            if numbers is not None:
                claims.append((m.start(), rank, m.end(), numbers))
    claims.sort(key=lambda claim: claim[:2])
    found: list[_Number] = []
    reach = 0
    for start, _, end, numbers in claims:
        if start >= reach:
            found += numbers
            reach = end
    return found


def _negated(allows: frozenset[str]) -> frozenset[str]:
    turned = [_NEGATED[c] for c in allows if c in _NEGATED]
    return frozenset(turned) if len(allows) == 1 and turned else ANY


def _qualified(evidence: str, number: _Number) -> tuple[int, int, frozenset[str]]:
    """Where the qualified figure begins and ends, and the comparators it allows."""
    start, end = number.start, number.end
    if number.kind == MAGNITUDE:
        return start, end, MULTIPLES
    if number.kind == INCIDENTAL:
        return start, end, ANY
    before = _QUALIFIED_BEFORE.search(evidence, max(0, start - 40), start)
    if before:
        allows = _BEFORE[" ".join(before["words"].lower().split())]
        return before.start(), end, _negated(allows) if before["negation"] else allows
    after = _QUALIFIED_AFTER.match(evidence, end, end + 20)
    if after:
        return start, after.end(), _AFTER[" ".join(after[1].lower().split())]
    return start, end, SHARED if number.kind == SHARE else BARE


def _mention(evidence: str, number: _Number) -> Mention:
    begin, finish, allows = _qualified(evidence, number)
    worded = number.kind == MAGNITUDE or (begin, finish) != (number.start, number.end)
    return Mention(" ".join(evidence[begin:finish].split()), number.value, allows, worded, begin, finish, number.kind)


def _joined(evidence: str, low: _Number, high: _Number) -> tuple[bool, int] | None:
    """Whether two numbers are the ends of a range (True) or may be (False: "from 400 to 500"),
    and where the range's words begin; None where they are two figures."""
    gap = evidence[low.end : high.start]
    if len(gap) > _LONGEST_JOIN or not any(join in gap.lower() for join in ("-", "–", "—", "to", "and")):
        return None  # quickly: most numbers stand apart
    if _PER_CENT_SIGN.search(gap) and not _PER_CENT_SIGN.match(evidence, high.end):
        return None  # "up 20% to 550"
    if _AND.fullmatch(gap):
        between = _BETWEEN.search(evidence, max(0, low.start - 30), low.start)
        return (True, between.start()) if between else None
    if _DASH.fullmatch(gap):
        chained = _CHAIN_BEFORE.search(evidence, max(0, low.start - 3), low.start) or _CHAIN_AFTER.match(evidence, high.end)
        return None if chained else (not _SPACED_DASH.fullmatch(gap), low.start)
    if _TO.fullmatch(gap) and not _CHANGE.search(evidence, max(0, low.start - 60), low.start):
        since = _FROM.search(evidence, max(0, low.start - 10), low.start)
        return (False, since.start()) if since else (True, low.start)
    return None


def _borrowed(low: _Number, high: _Number) -> Decimal:
    """A range's first end, with the second end's scale if it has none and is the smaller
    number without it: "1-2 million" is 1000000 to 2000000, "between 500 and 2 million" 500 to 2000000."""
    if low.scale is None and high.scale and low.value < high.value / high.scale:
        return low.value * high.scale
    return low.value


def _range(evidence: str, low: _Number, high: _Number) -> tuple[Mention, Mention] | None:
    """The two ends of a range ("between 400 and 500", "400-500", "400 to 500", "1-2 million"),
    each allowing the comparators that bound the figure from its side, and any words that
    qualify the range ("about 400 to 500"); or None where the two numbers are no range."""
    joined = _joined(evidence, low, high) if low.kind == high.kind == FIGURE else None
    if joined is None or (low.year and high.year):
        return None
    sure, begin = joined
    value = _borrowed(low, high)
    if sure and not value < high.value:
        return None
    said = _mention(evidence, low), _mention(evidence, high)
    qualified = frozenset().union(*(m.allows for m in said if m.worded))
    # A year beside a count ("in 2020 to 2500") may be either: say nothing of both.
    low_allows, high_allows = (LOW_END | qualified, HIGH_END | qualified) if sure and not (low.year or high.year) else (ANY, ANY)
    begin, end = min(begin, said[0].start), said[1].end
    text = " ".join(evidence[begin:end].split())
    return Mention(text, value, low_allows, True, begin, end), Mention(text, high.value, high_allows, True, begin, end)


def _mention_at(evidence: str, numbers: list[_Number], i: int) -> Mention:
    """``numbers[i]`` as the evidence gives it: an end of a range with the number before or after
    it, or alone with its own qualifying words; a year-like number with none is incidental."""
    for low in (i - 1, i):
        if 0 <= low < len(numbers) - 1:
            ends = _range(evidence, numbers[low], numbers[low + 1])
            if ends:
                return ends[i - low]
    said = _mention(evidence, numbers[i])
    return replace(said, allows=ANY, kind=INCIDENTAL) if numbers[i].year and not said.worded else said


def _may_give(numbers: list[_Number], i: int, value: Decimal) -> bool:
    """Whether ``numbers[i]`` might be read as ``value``: a quick test, before its words are weighed."""
    number = numbers[i]
    if number.kind == SHARE:
        return _near(value, number.value)
    return value == number.value or (i + 1 < len(numbers) and value == _borrowed(number, numbers[i + 1]))


def readings(evidence: str) -> list[Mention]:
    """Every number the evidence gives, in the order written, with its qualifier; with the
    years, dates and times beside the figures (:data:`INCIDENTAL`)."""
    numbers = _numbers(evidence)
    return sorted((_mention_at(evidence, numbers, i) for i in range(len(numbers))), key=lambda m: m.start)


def mentions(evidence: str) -> list[Mention]:
    """Every figure the evidence gives, in the order written, with its qualifier; not the years,
    dates and times beside them."""
    return [m for m in readings(evidence) if m.kind != INCIDENTAL]


def supports(evidence: str, value: Decimal, comparator: str) -> bool:
    """Whether the evidence gives ``value`` in words that fit ``comparator``: whether any of its
    :func:`readings` fits. It weighs the words only of the numbers that may give ``value``."""
    numbers = _numbers(evidence)
    return any(_mention_at(evidence, numbers, i).fits(value, comparator) for i in range(len(numbers)) if _may_give(numbers, i, value))
