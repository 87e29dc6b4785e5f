"""Typed values are checked before they reach RDF, so no tool rewrites them on reading."""

from __future__ import annotations

import datetime

import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.curated import Bad, canonical_duration, p_date, p_duration, p_number
from kg.model import Pos
from kg.yamlnodes import Scalar

AT = Pos("data/x.yaml", 1, 1)


def rdflib_reads(lexical: str, datatype: str) -> str:
    """The lexical form rdflib gives back after parsing a literal from N-Triples."""
    data = f'<http://a/s> <http://a/p> "{lexical}"^^<http://www.w3.org/2001/XMLSchema#{datatype}> .'
    return str(next(rdflib.Graph().parse(data=data, format="nt").objects()))


def test_a_non_canonical_duration_is_refused_with_its_canonical_form() -> None:
    with pytest.raises(Bad) as refused:
        p_duration(Scalar("P12M", True, AT))
    assert refused.value.message == "'P12M' is not in canonical form, which RDF tools would rewrite"
    assert refused.value.hint == "write 'P1Y' (the period's label keeps the source's own words)"


durations = st.builds(
    lambda y, mo, d, h, mi, s: (
        "P"
        + "".join(f"{n}{u}" for n, u in ((y, "Y"), (mo, "M"), (d, "D")) if n)
        + ("T" + "".join(f"{n}{u}" for n, u in ((h, "H"), (mi, "M"), (s, "S")) if n) if h or mi or s else "")
    ),
    *[st.integers(0, 30)] * 6,
).filter(lambda v: v != "P")


@settings(max_examples=300, derandomize=True, deadline=None)
@given(durations)
def test_canonical_durations_survive_rdflib_unchanged(value: str) -> None:
    canonical = canonical_duration(value)
    assert p_duration(Scalar(canonical, True, AT)) == canonical
    assert rdflib_reads(canonical, "duration") == canonical


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.integers(-(10**12), 10**12))
def test_integers_survive_rdflib_unchanged(number: int) -> None:
    value = p_number(Scalar(str(number), True, AT))
    assert rdflib_reads(value.lexical, "integer") == value.lexical


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.dates(min_value=datetime.date(1000, 1, 1)))
def test_dates_survive_rdflib_unchanged(day: datetime.date) -> None:
    lexical = day.isoformat()
    value = p_date(Scalar(lexical, True, AT))
    assert rdflib_reads(value.lexical, "date") == lexical
    assert rdflib_reads(lexical[:7], "gYearMonth") == lexical[:7]


def test_minus_zero_is_refused_rather_than_rewritten() -> None:
    assert rdflib_reads("-0", "integer") == "0"  # what would happen to it
    with pytest.raises(Bad, match="'-0'"):
        p_number(Scalar("-0", True, AT))


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.decimals(min_value=-(10**27) + 1, max_value=10**27 - 1, places=3))  # kg.curated.MAX_NUMBER_DIGITS: at most 30 digits
def test_decimals_survive_rdflib_unchanged(number: object) -> None:
    text = f"{number:f}"
    if "." not in text:
        text += ".0"
    value = p_number(Scalar(text, True, AT))
    assert rdflib_reads(value.lexical, value.datatype.rsplit("#", 1)[1]) == value.lexical
