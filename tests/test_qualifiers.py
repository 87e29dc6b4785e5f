"""Reading a statistic's figure and its qualifying words in an evidence quote (kg.qualifiers)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.qualifiers import mentions, supports

BARE = ["exactly", "unqualified"]


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
        ("between one and two", [("one", "1", BARE), ("two", "2", BARE)]),
        ("rose 12% or more, 3 per cent or more", [("12% or more", "12", ["at-least"]), ("3 per cent or more", "3", ["at-least"])]),
        (
            "550-plus arrests; 550 plus 20 charges",
            [("550-plus", "550", ["at-least", "more-than"]), ("550", "550", BARE), ("20", "20", BARE)],
        ),
        # Not numbers of their own: a number inside a longer one or a word, and an unclear grouping.
        ("route A550 and 12,34", []),
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


def test_a_figure_given_twice_is_supported_by_either_wording() -> None:
    evidence = "550 arrests: more than 550 in all"
    assert supports(evidence, Decimal(550), "unqualified")
    assert supports(evidence, Decimal(550), "more-than")
    assert not supports(evidence, Decimal(550), "fewer-than")
