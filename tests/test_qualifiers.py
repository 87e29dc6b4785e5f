"""Reading a statistic's figure and its qualifying words in an evidence quote (kg.qualifiers)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.qualifiers import mentions, readings, supports

BARE = ["exactly", "unqualified"]
LOW = ["at-least", "more-than"]
HIGH = ["at-most", "fewer-than"]
SHARED = ["approximately", "exactly", "unqualified"]
NEARLY = ["approximately", "fewer-than"]
ANY = ["approximately", "at-least", "at-most", "exactly", "fewer-than", "more-than", "multiples-of", "unqualified"]


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        ("has made more than 550 arrests", [("more than 550", "550", ["more-than"])]),
        ("the arrest of over 550 suspected", [("over 550", "550", ["more-than"])]),
        ("Grooming Gangs Taskforce makes 550 arrests", [("550", "550", BARE)]),
        ("with all 43 police forces", [("all 43", "43", BARE)]),
        (
            "hundreds of arrests, and the protection of over 4,000 victims",
            [("hundreds", "100", ["multiples-of"]), ("over 4,000", "4000", ["more-than"])],
        ),
        ("helped keep thousands more children safe", [("thousands", "1000", ["multiples-of"])]),
        ("tens of thousands of people", [("tens of thousands", "10000", ["multiples-of"])]),
        # A vague count of a scale is its plural.
        (
            "a few hundred arrests, several thousand officers, a few dozen forces, a couple of hundred cases",
            [
                ("a few hundred", "100", ["multiples-of"]),
                ("several thousand", "1000", ["multiples-of"]),
                ("a few dozen", "12", ["multiples-of"]),
                ("a couple of hundred", "100", ["multiples-of"]),
            ],
        ),
        (
            "many hundreds, a few hundred thousand",
            [("hundreds", "100", ["multiples-of"]), ("a few hundred thousand", "100000", ["multiples-of"])],
        ),
        ("£1.2bn, 3.5 million and 12k", [("1.2bn", "1200000000", BARE), ("3.5 million", "3500000", BARE), ("12k", "12000", BARE)]),
        ("up to £30m", [("up to £30m", "30000000", ["at-most"])]),
        ("12.5% of cases", [("12.5", "12.5", BARE)]),
        ("forty-three forces and a dozen officers", [("forty-three", "43", BARE), ("a dozen", "12", BARE)]),
        ("nearly 600 cases", [("nearly 600", "600", ["approximately", "fewer-than"])]),
        ("just over 600 cases", [("just over 600", "600", ["approximately", "more-than"])]),
        ("at least 8, no fewer than 9", [("at least 8", "8", ["at-least"]), ("no fewer than 9", "9", ["at-least"])]),
        (
            "5 or more, 6 or fewer, 550+ and 40-odd",
            [
                ("5 or more", "5", ["at-least"]),
                ("6 or fewer", "6", ["at-most"]),
                ("550+", "550", ["at-least", "more-than"]),
                ("40-odd", "40", ["approximately"]),
            ],
        ),
        ("about 20 and some 30, etc. 9", [("about 20", "20", ["approximately"]), ("some 30", "30", ["approximately"]), ("9", "9", BARE)]),
        ("More  than\n400 officers", [("More than 400", "400", ["more-than"])]),
        ("two dozen forces, one hundred and fifty officers", [("two dozen", "24", BARE), ("one hundred and fifty", "150", BARE)]),
        ("two thousand five hundred, and a thousand", [("two thousand five hundred", "2500", BARE), ("a thousand", "1000", BARE)]),
        # A range: each end bounds the figure from its side.
        ("between one and two", [("between one and two", "1", LOW), ("between one and two", "2", HIGH)]),
        (
            "between 400 and 500 arrests, 400-500, 400–500 and 400 to 500",
            [
                (text, value, ends)
                for text in ("between 400 and 500", "400-500", "400–500", "400 to 500")
                for value, ends in (("400", LOW), ("500", HIGH))
            ],
        ),
        # A bare first end borrows the second's scale; money and per cent signs may stand at either end.
        (
            "1-2 million people, between £1m and £2m, 10-20% of them, between 500 and 2 million",
            [
                ("1-2 million", "1000000", LOW),
                ("1-2 million", "2000000", HIGH),
                ("between £1m and £2m", "1000000", LOW),
                ("between £1m and £2m", "2000000", HIGH),
                ("10-20", "10", LOW),
                ("10-20", "20", HIGH),
                ("between 500 and 2 million", "500", LOW),
                ("between 500 and 2 million", "2000000", HIGH),
            ],
        ),
        # A scale before the dash does not make the second end part of a name (as Covid-19 is).
        (
            "550m-600m, 1 million-2 million",
            [
                ("550m-600m", "550000000", LOW),
                ("550m-600m", "600000000", HIGH),
                ("1 million-2 million", "1000000", LOW),
                ("1 million-2 million", "2000000", HIGH),
            ],
        ),
        ("about 400 to 500", [("about 400 to 500", "400", ["approximately", *LOW]), ("about 400 to 500", "500", ["approximately", *HIGH])]),
        # Not ranges: a change, a score, a run of numbers, years, and per cent beside a count.
        (
            "rose from 400 to 500, rose by 50 to 550, up 20% to 600; a 3-1 win; 10-12-14",
            [(v, v, BARE) for v in ("400", "500", "50", "550", "20", "600", "3", "1", "10", "12", "14")],
        ),
        ("between 2019 and 2023, 550 arrests", [("550", "550", BARE)]),
        # Unsure: "from 4 to 10" may be a change or a range; a year beside a count may be either.
        ("ranged from 4 to 10 years", [("from 4 to 10", "4", ANY), ("from 4 to 10", "10", ANY)]),
        ("in 2020 to 2500 arrests", [("2020 to 2500", "2020", ANY), ("2020 to 2500", "2500", ANY)]),
        # "by X to Y" and "of X to Y" may be a change, whatever the verb; a spaced dash may join two things.
        ("arrests soared by 50 to 550", [("by 50 to 550", "50", ANY), ("by 50 to 550", "550", ANY)]),
        ("a jump of 50 to 550", [("of 50 to 550", "50", ANY), ("of 50 to 550", "550", ANY)]),
        ("Level 3 - 550 arrests", [("3 - 550", "3", ANY), ("3 - 550", "550", ANY)]),
        ("Year 1 – 550 arrests", [("1 – 550", "1", ANY), ("1 – 550", "550", ANY)]),
        ("rose 12% or more, 3 per cent or more", [("12% or more", "12", ["at-least"]), ("3 per cent or more", "3", ["at-least"])]),
        (
            "550-plus arrests; 550 plus 20 charges",
            [("550-plus", "550", ["at-least", "more-than"]), ("550", "550", BARE), ("20", "20", BARE)],
        ),
        # Symbols, and money between a qualifier and its number.
        (
            "~550, c.60, c. 70, ca. 80 and ≈90",
            [(w, v, ["approximately"]) for w, v in [("~550", "550"), ("c.60", "60"), ("c. 70", "70"), ("ca. 80", "80"), ("≈90", "90")]],
        ),
        (
            ">550, <60, ≥70, ≤80 and >=90",
            [
                (">550", "550", ["more-than"]),
                ("<60", "60", ["fewer-than"]),
                ("≥70", "70", ["at-least"]),
                ("≤80", "80", ["at-most"]),
                (">=90", "90", ["at-least"]),
            ],
        ),
        (
            "over US$550m, about €12bn and some USD 30",
            [
                ("over US$550m", "550000000", ["more-than"]),
                ("about €12bn", "12000000000", ["approximately"]),
                ("some USD 30", "30", ["approximately"]),
            ],
        ),
        # A negation turns one bound into the other.
        (
            "not more than 5, not over 6, no fewer than 7, not under 8, never more than 9, no less than 10",
            [
                ("not more than 5", "5", ["at-most"]),
                ("not over 6", "6", ["at-most"]),
                ("no fewer than 7", "7", ["at-least"]),
                ("not under 8", "8", ["at-least"]),
                ("never more than 9", "9", ["at-most"]),
                ("no less than 10", "10", ["at-least"]),
            ],
        ),
        # A negation it cannot turn says nothing: every comparator fits.
        ("not all 43, not even 20, not nearly 30", [("not all 43", "43", ANY), ("not even 20", "20", ANY), ("not nearly 30", "30", ANY)]),
        ("not quite 30", [("not quite 30", "30", ["approximately", "fewer-than"])]),
        (
            "as many as 1,000, as few as 10",
            [("as many as 1,000", "1000", ["approximately", "at-most"]), ("as few as 10", "10", ["approximately", "at-least"])],
        ),
        # Not numbers of their own: a number inside a longer one or a word, an unclear grouping,
        # a name (Covid-19), and numbers either side of a slash (24/7, 2/3, 24/11/2023).
        ("route A550 and 12,34", []),
        ("Covid-19 rules, G7, M25, A-550, mid-2023, 24/7 help, 2/3 of them, on 24/11/2023", []),
        # Beside the figure but not it: a name (No 10), years, dates and times.
        ("No 10 said 550 arrests; No. 10 and No10 agree", [("550", "550", BARE)]),
        (
            "in 2023, 550 arrests; by 24 November 2023 600; on the 1st of May 70; since March 12, 80",
            [("550", "550", BARE), ("600", "600", BARE), ("70", "70", BARE), ("80", "80", BARE)],
        ),
        ("at 10am, 10.30 p.m., 14:00 and 9 pm, in 2023-24 and on 2023-11-24: 550 arrests", [("550", "550", BARE)]),
        # A part of a scale is a count.
        (
            "half a million, a quarter of a million, three quarters of a billion and half a dozen",
            [
                ("half a million", "500000", BARE),
                ("a quarter of a million", "250000", BARE),
                ("three quarters of a billion", "750000000", BARE),
                ("half a dozen", "6", BARE),
            ],
        ),
        (
            "one and a half million, 2 and a half thousand, two and a half years",
            [("one and a half million", "1500000", BARE), ("2 and a half thousand", "2500", BARE), ("two and a half", "2.5", BARE)],
        ),
        # A share is a per cent; in words its numbers are not figures, in digits they are too.
        ("one in five children, nine out of ten", [("one in five", "20", SHARED), ("nine out of ten", "90", SHARED)]),
        ("40 out of 50 forces", [("40 out of 50", "80", SHARED), ("40", "40", BARE), ("50", "50", BARE)]),
        ("half of all forces, cut by half, in the first half of 2023", [("half", "50", SHARED), ("half", "50", SHARED)]),
        ("more than a quarter, nearly half of them", [("more than a quarter", "25", ["more-than"]), ("nearly half", "50", NEARLY)]),
        # "3 in 10 days" is no rate; nor is "5 in 2023".
        ("3 in 10 days, 5 in 2023", [("3", "3", BARE), ("10", "10", BARE), ("5", "5", BARE)]),
        # A year-like number with qualifying words is a figure.
        ("more than 2000 officers, 1999 or more", [("more than 2000", "2000", ["more-than"]), ("1999 or more", "1999", ["at-least"])]),
    ],
)
def test_mentions_read_the_figure_and_its_qualifier(evidence: str, expected: list[tuple[str, str, list[str]]]) -> None:
    found = [(m.text, m.value, sorted(m.allows)) for m in mentions(evidence)]
    assert found == [(text, Decimal(value), allows) for text, value, allows in expected]


def test_a_qualifier_belongs_only_to_the_number_it_stands_beside() -> None:
    evidence = "more than 550 arrests and 4,000 victims"
    assert supports(evidence, Decimal(550), "more-than")
    assert not supports(evidence, Decimal(4000), "more-than")
    assert supports(evidence, Decimal(4000), "unqualified")


@pytest.mark.parametrize(
    ("evidence", "right", "wrong"),
    [
        ("not over 550 arrests", "at-most", "more-than"),
        ("no fewer than 550 arrests", "at-least", "fewer-than"),
        ("not more than 550 arrests", "at-most", "more-than"),
        ("~550 arrests", "approximately", "unqualified"),
        ("c.550 arrests", "approximately", "exactly"),
        (">550 arrests", "more-than", "fewer-than"),
        ("≤550 arrests", "at-most", "unqualified"),
        ("spent US$550 on it", "unqualified", "more-than"),
    ],
)
def test_a_symbol_or_a_negation_is_read_as_its_words(evidence: str, right: str, wrong: str) -> None:
    assert supports(evidence, Decimal(550), right)
    assert not supports(evidence, Decimal(550), wrong)


def test_a_negation_it_cannot_read_says_nothing() -> None:
    """'not 550 but 600': the reader cannot tell what was meant of 550, so no comparator is wrong."""
    for comparator in ANY:
        assert supports("not 550 but 600 arrests", Decimal(550), comparator)
    assert not supports("not 550 but 600 arrests", Decimal(600), "more-than")


def test_a_year_or_a_date_beside_the_figure_is_not_taken_for_it() -> None:
    evidence = "In 2023, more than 550 arrests; on 24 November, 12 more"
    assert supports(evidence, Decimal(550), "more-than")
    assert not supports(evidence, Decimal(550), "unqualified")
    assert supports(evidence, Decimal(12), "unqualified")
    assert not supports(evidence, Decimal(12), "more-than")
    # A year or a day of the month could, rarely, be a count: it backs any record of its value.
    assert supports(evidence, Decimal(2023), "more-than")
    assert supports(evidence, Decimal(24), "exactly")


@pytest.mark.parametrize(
    ("evidence", "comparator", "right", "wrong"),
    [
        ("a third of victims", "unqualified", ["33", "33.3", "33.33", "33.333"], ["30", "34", "33.4", "1", "3"]),
        ("two-thirds of cases", "approximately", ["67", "66.7", "66.67"], ["66", "66.6", "2", "3"]),
        ("one in five children", "exactly", ["20", "20.0"], ["19", "20.4", "1", "5"]),
        ("one in every three", "unqualified", ["33"], ["1", "3"]),
        ("more than a third", "more-than", ["33", "33.3"], ["30"]),
        ("40 out of 43 forces", "unqualified", ["93", "93.0", "40", "43"], ["94", "92"]),
    ],
)
def test_a_share_is_given_as_its_per_cent_to_the_record_s_precision(
    evidence: str, comparator: str, right: list[str], wrong: list[str]
) -> None:
    for value in right:
        assert supports(evidence, Decimal(value), comparator), value
    for value in wrong:
        assert not supports(evidence, Decimal(value), comparator), value


def test_a_share_s_words_qualify_it() -> None:
    assert supports("more than a third of victims", Decimal(33), "more-than")
    assert not supports("more than a third of victims", Decimal(33), "unqualified")
    assert supports("nearly half of them", Decimal(50), "fewer-than")
    assert not supports("a third of victims", Decimal(33), "more-than")


def test_a_vague_count_is_a_plural_of_magnitude() -> None:
    assert supports("made a few hundred arrests", Decimal(100), "multiples-of")
    assert not supports("made a few hundred arrests", Decimal(100), "unqualified")
    assert supports("dozens of arrests", Decimal(12), "multiples-of")
    assert supports("several thousand officers", Decimal(1000), "multiples-of")
    assert not supports("several thousand officers", Decimal(1000), "at-least")


@pytest.mark.parametrize("evidence", ["between 400 and 500 arrests", "400-500 arrests", "400 to 500 arrests", "400–500 arrests"])
def test_a_range_s_ends_bound_the_figure(evidence: str) -> None:
    for comparator in LOW:
        assert supports(evidence, Decimal(400), comparator)
    for comparator in HIGH:
        assert supports(evidence, Decimal(500), comparator)
    for comparator in [*BARE, "approximately", *HIGH]:
        assert not supports(evidence, Decimal(400), comparator)
    for comparator in [*BARE, "approximately", *LOW]:
        assert not supports(evidence, Decimal(500), comparator)
    assert not any(supports(evidence, Decimal(450), comparator) for comparator in ANY), "the midpoint is not in the evidence"


def test_a_range_s_bare_end_borrows_the_other_s_scale() -> None:
    assert supports("1-2 million people", Decimal(1_000_000), "at-least")
    assert not supports("1-2 million people", Decimal(1), "at-least")


def test_a_figure_given_twice_is_supported_by_either_wording() -> None:
    evidence = "550 arrests: more than 550 in all"
    assert supports(evidence, Decimal(550), "unqualified")
    assert supports(evidence, Decimal(550), "more-than")
    assert not supports(evidence, Decimal(550), "fewer-than")


#: Words and marks the reader weighs, to be put together in any order.
PIECES = [
    *("between", "and", "to", "from", "rose", "by", "not", "no", "more than", "up to", "about", "over", "nearly", "c.", "~", ">"),
    *("400", "500", "2023", "1,200", "12.5", "2", "million", "£", "US$", "%", "per cent", "-", "–", "/", ":", ",", ".", " "),
    *("one", "in", "five", "out of", "a third", "two-thirds", "half", "of", "a few", "hundred", "hundreds", "dozen", "or more"),
    *("No", "Covid-19", "24", "November", "10am", "plus", "odd", "every", "days", "all", "some", "several", "thousand", "-plus"),
]


@settings(max_examples=500, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14).map(" ".join))
def test_supports_says_what_the_whole_reading_says(evidence: str) -> None:
    """supports() weighs only the numbers that may give a value: for every number read, and every
    comparator, it says what the whole reading says."""
    read = readings(evidence)
    for value in {m.value for m in read} | {Decimal(20), Decimal(33)}:
        for comparator in ANY:
            assert supports(evidence, value, comparator) == any(m.fits(value, comparator) for m in read), (value, comparator)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789٣,.-–/:%£$ abcdefhilmnorstuvwNOT\u00a0"), max_size=60) | st.text(max_size=60))
def test_any_text_is_read_without_failing(evidence: str) -> None:
    for mention in readings(evidence):
        assert evidence[mention.start : mention.end].strip()
