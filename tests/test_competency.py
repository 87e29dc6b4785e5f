"""Competency questions: the saved SPARQL queries answer what users ask, with the real answers.

Each query runs on the bundled graph in rdflib and, through ``kg query``'s engine, in
pyoxigraph; both must give the same rows in the same order (the ORDER BYs are total).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from kg import query
from kg.check import Report
from kg.model import Dataset

QUERIES = Path(__file__).resolve().parents[1] / "kg" / "queries"


def rows(graph: rdflib.Graph, name: str, **bindings: rdflib.term.Identifier) -> list[tuple[str, ...]]:
    result = graph.query((QUERIES / f"{name}.rq").read_text(encoding="utf-8"), initBindings=bindings)
    return [tuple("" if value is None else str(value) for value in row) for row in result]


def test_who_leads_supports_funds_and_partners_the_taskforce(graph: rdflib.Graph) -> None:
    assert rows(graph, "taskforce-backers") == [
        ("funded by", "Home Office", "2"),
        ("led by", "National Police Chiefs’ Council", "2"),
        ("partner", "Crown Prosecution Service", "1"),
        ("partner", "Essex Police", "1"),
        ("partner", "hotels", "1"),
        ("supported by", "National Crime Agency", "2"),
    ]


def test_every_statistic_keeps_its_qualifiers(graph: rdflib.Graph) -> None:
    found = rows(graph, "statistics")
    # figure and what it is about: 12 figures, two of them credited to two things together
    assert len({(row[0], row[6]) for row in found}) == 14
    by_label = {}
    for row in found:
        by_label.setdefault(row[0], []).append(row[1:])
    # "more than 550", in the last year, in England and Wales, according to the Home Office
    assert by_label["more than 550 arrests (in the last year)"] == [
        (
            "arrests",
            "more than",
            "550",
            "in the last year",
            "England and Wales",
            "Grooming Gangs Taskforce",
            "Grooming Gangs Taskforce makes 550 arrests in its first year",
            "attributed",
            "Home Office",
        ),
    ]
    # the headline's bare "550" is kept as it stands, not merged into "more than 550"
    assert by_label["550 arrests (in its first year)"][0][:3] == ("arrests", "unqualified", "550")
    # a minister's "hundreds of arrests" is a figure of its own, about the measures she names
    assert by_label["hundreds of arrests"] == [
        (
            "arrests",
            "multiples of",
            "100",
            "",
            "",
            "Measures to clamp down on crimes perpetrated by grooming gangs",
            "Grooming Gangs Taskforce makes 550 arrests in its first year",
            "quoted",
            "Laura Farris",
        ),
    ]
    # one figure, two sources: attributed to the Home Office by one, stated by the other
    assert [row[6:] for row in by_label["exactly 43 police forces worked with"]] == [
        ("Grooming Gangs Taskforce makes 550 arrests in its first year", "stated", ""),
        ("There Must Be No Weak Links\u2019: James Cleverly Vows to Pursue Evil Grooming Gangs", "attributed", "Home Office"),
    ]


def test_who_said_what_and_where(graph: rdflib.Graph) -> None:
    found = rows(graph, "quotes")
    speakers = {}
    for speaker, _text, _to, _source in found:
        speakers[speaker] = speakers.get(speaker, 0) + 1
    assert speakers == {"James Cleverly": 9, "Laura Farris": 3, "Ian Critchley": 2}
    to_express = [row for row in found if row[2] == "Daily Express"]
    assert [row[1][:40] for row in to_express] == ["Some of the most vulnerable children and"]
    # the damaged apostrophes of the first article are repaired in the graph
    assert any("a child\u2019s life" in row[1] for row in found)
    assert not any("\u0101" in row[1] for row in found)


def test_facts_only_one_source_states(graph: rdflib.Graph) -> None:
    found = rows(graph, "single-source-facts")
    facts = {row[2] for row in found}
    assert "Grooming Gangs Taskforce partner Crown Prosecution Service" in facts
    assert "Grooming Gangs Taskforce led by National Police Chiefs’ Council" not in facts
    by_fact = {row[2]: row for row in found}
    assert by_fact["hundreds of arrests"][3:5] == ("Grooming Gangs Taskforce makes 550 arrests in its first year", "quoted")


def test_facts_both_articles_agree_on(graph: rdflib.Graph) -> None:
    agreed = {row[1] for row in rows(graph, "agreed-facts")}
    assert {
        "Grooming Gangs Taskforce led by National Police Chiefs’ Council",
        "Grooming Gangs Taskforce supported by National Crime Agency",
        "Grooming Gangs Taskforce funded by Home Office",
        "Grooming Gangs Taskforce established by Rishi Sunak",
        "Grooming Gangs Taskforce established in 2023-04",
        "James Cleverly holds post Home Secretary (2024-05-20, 2024-05-21)",
        "exactly 43 police forces worked with",
    } <= agreed
    assert "Grooming Gangs Taskforce partner Crown Prosecution Service" not in agreed


def test_a_fact_with_its_sources_evidence_and_offsets(graph: rdflib.Graph, texts_dir: Path) -> None:
    fact = rdflib.URIRef("https://example.org/kg/id/taskforce-led-by-npcc")
    found = [row[1:] for row in rows(graph, "fact-provenance", fact=fact)]
    assert [(r[0], r[1], r[3]) for r in found] == [
        ("Grooming Gangs Taskforce makes 550 arrests in its first year", "stated", "Led by the National Police Chiefs\u2019 Council"),
        (
            "There Must Be No Weak Links\u2019: James Cleverly Vows to Pursue Evil Grooming Gangs",
            "stated",
            "spearheaded by the National Police Chiefs\u2019 Council",
        ),
    ]
    for row in found:
        assert 0 <= int(row[4]) < int(row[5])  # where the evidence stands in the source's text
        assert row[6] and row[7]  # the words before and after it


def test_people_hold_public_posts(graph: rdflib.Graph) -> None:
    assert rows(graph, "people-posts") == [
        ("Ian Critchley", "NPCC National Police Lead for Child Protection and Abuse", "National Police Chiefs’ Council", "1"),
        ("James Cleverly", "Home Secretary", "", "2"),
        ("Laura Farris", "Minister for Victims and Safeguarding", "", "1"),
        ("Rishi Sunak", "Prime Minister", "", "2"),
    ]


def test_parts_of_initiatives(graph: rdflib.Graph) -> None:
    assert rows(graph, "initiative-parts") == [
        ("Ban on sex offenders changing their names", "legal provision", "Criminal Justice Bill"),
        (
            "Requirement for all professionals to report to police where they fear abuse is taking place",
            "legal provision",
            "Criminal Justice Bill",
        ),
        ("Complex and Organised Child Abuse Database", "database", "Grooming Gangs Taskforce"),
    ]


def test_who_established_what_and_when_and_how_many_sources_say_so(graph: rdflib.Graph) -> None:
    assert rows(graph, "establishment") == [
        ("Grooming Gangs Taskforce", "established by", "Rishi Sunak", "2"),
        ("Grooming Gangs Taskforce", "established in", "2023-04", "2"),
        ("Measures to clamp down on crimes perpetrated by grooming gangs", "announced by", "the Government", "1"),
    ]


def test_source_metadata_only_as_stated(graph: rdflib.Graph) -> None:
    assert rows(graph, "sources") == [
        (
            "Grooming Gangs Taskforce makes 550 arrests in its first year",
            "Jazz FM",
            "not stated",
            "2024-05-21 (last updated)",
            "https://hellorayo.co.uk/jazz-fm/uk/news/grooming-gangs-arrests-made",
        ),
        (
            "There Must Be No Weak Links\u2019: James Cleverly Vows to Pursue Evil Grooming Gangs",
            "not stated",
            "not stated",
            "undated",
            "https://ukpostcode.org/content/there-must-be-no-weak-links-james-cleverly-vows-to-pursue-evil-grooming-gangs",
        ),
    ]


def test_hedged_and_unattributed_claims_are_not_plain_facts(graph: rdflib.Graph) -> None:
    found = rows(graph, "claims-not-asserted")
    statuses = {row[1] for row in found}
    assert statuses == {"hedged", "unattributed"}
    hedged = [row for row in found if row[1] == "hedged"]
    assert [row[3] for row in hedged] == ["Educational programs and awareness campaigns are likely to be integral to these efforts"]
    kg = rdflib.Namespace("https://example.org/kg/ontology#")
    not_asserted = set(graph.subjects(kg.asserted, rdflib.Literal(False)))
    statements = [node for node in not_asserted if (node, rdflib.RDF.type, kg.Statement) in graph]
    assert [str(node).rsplit("/", 1)[1] for node in statements] == ["taskforce-description-training-officers-across-the-country"]
    for node in statements:  # kept as the source's claim: no plain triple
        plain = (graph.value(node, rdflib.RDF.subject), graph.value(node, rdflib.RDF.predicate), graph.value(node, rdflib.RDF.object))
        assert plain not in graph


def test_figures_for_the_same_measure_side_by_side(graph: rdflib.Graph) -> None:
    pairs = {(row[1], row[2]) for row in rows(graph, "figures-compared")}
    assert ("hundreds of arrests", "more than 550 arrests (in the last year)") in pairs
    assert ("550 arrests (in its first year)", "more than 550 arrests (within its first year)") in pairs
    assert all(counts == "arrests" for counts, *_ in rows(graph, "figures-compared"))


@pytest.mark.parametrize("name", sorted(p.stem for p in QUERIES.glob("*.rq")))
def test_rdflib_and_oxigraph_give_the_same_rows_in_the_same_order(graph: rdflib.Graph, bundled: tuple[Dataset, Report], name: str) -> None:
    """Saved queries are standard, portable SPARQL: pyoxigraph (what kg query runs) agrees with rdflib, row for row."""
    dataset, report = bundled
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in graph_triples(dataset, report))
    ask = query.Graph(store, "https://example.org/kg/id/", len(store))
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    fact = "https://example.org/kg/id/taskforce-led-by-npcc"
    params = {"fact": ox.NamedNode(fact)} if "bind ?fact" in text else {}
    answer = query.run(ask, text, params)
    ox_rows = [tuple(query.text_of(v) for v in row) for row in answer.rows]
    assert ox_rows == rows(graph, name, **{k: rdflib.URIRef(v.value) for k, v in params.items()})
    assert ox_rows, f"{name} answers nothing"


def graph_triples(dataset: Dataset, report: Report) -> list[ox.Triple]:
    from kg import export
    from kg.build import triples

    return [export.to_oxigraph(t) for t in triples(dataset, anchors=report.anchors)]
