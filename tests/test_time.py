"""Facts in time: post-holdings with the time each source gives, events, relations with several
values, accounts one more specific than another, and time words resolved against a source's date."""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path

import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import api, timeline
from kg.check import Report
from kg.model import Dataset, TypedValue
from kg.resources import bundled_data
from kg.vocab import SCHEMA, K

QUERIES = Path(__file__).resolve().parents[1] / "kg" / "queries"
KGD = "https://example.org/kg/id/"


def rows(graph: rdflib.Graph, name: str, **bindings: rdflib.term.Identifier) -> list[tuple[str, ...]]:
    result = graph.query((QUERIES / f"{name}.rq").read_text(encoding="utf-8"), initBindings=bindings)
    return [tuple("" if value is None else str(value) for value in row) for row in result]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the bundled data, texts included, for a test to add to."""
    folder = tmp_path / "data"
    shutil.copytree(bundled_data(), folder)
    return folder


def add(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def prepared(folder: Path) -> tuple[Dataset, Report]:
    dataset, report = api.prepare(folder, [])
    assert dataset is not None
    return dataset, report


def lines(report: Report, rule: str) -> list[str]:
    return [str(p) for p in report.problems if p.rule == rule]


# --- relative dates ----------------------------------------------------------------------------

TUESDAY = TypedValue("2024-05-21", "http://www.w3.org/2001/XMLSchema#date")


@pytest.mark.parametrize(
    ("words", "start", "end"),
    [
        ("On Monday", "2024-05-20", "2024-05-20"),
        ("on Tuesday", "2024-05-21", "2024-05-21"),
        ("last Tuesday", "2024-05-14", "2024-05-14"),
        ("Yesterday (Monday 20 May)", "2024-05-20", "2024-05-20"),
        ("today", "2024-05-21", "2024-05-21"),
        ("in the last 12 months", "2023-05-21", "2024-05-21"),
        ("in the last year", "2023-05-21", "2024-05-21"),
        ("over the past two weeks", "2024-05-07", "2024-05-21"),
        ("last year", "2023", "2023"),
        ("this year", "2024", "2024"),
        ("last month", "2024-04", "2024-04"),
        ("To date", None, "2024-05-21"),
    ],
)
def test_time_words_are_resolved_against_the_source_date(words: str, start: str | None, end: str | None) -> None:
    span = timeline.resolve(words, TUESDAY)
    assert span is not None
    assert (span.start.lexical if span.start else None, span.end.lexical if span.end else None) == (start, end)
    assert span.basis == TUESDAY and span.how == timeline.RESOLVED


@pytest.mark.parametrize("words", ["just over a year ago", "in its first year", "in the last few months", "soon"])
def test_words_that_fix_no_date_are_not_resolved(words: str) -> None:
    assert timeline.resolve(words, TUESDAY) is None


def test_a_day_word_needs_a_source_dated_to_the_day() -> None:
    """'On Monday' in a source dated only to a month fixes no day: nothing is guessed."""
    assert timeline.resolve("On Monday", TypedValue("2024-05", "http://www.w3.org/2001/XMLSchema#gYearMonth")) is None


def test_the_bundled_visit_on_monday_is_20_may_2024(graph: rdflib.Graph) -> None:
    visit = rdflib.URIRef(KGD + "cleverly-visit-to-essex-police")
    assert str(graph.value(visit, rdflib.URIRef(SCHEMA + "startDate"))) == "2024-05-20"
    assert str(graph.value(visit, rdflib.URIRef(K.resolvedAgainst))) == "2024-05-21"
    assert str(graph.value(visit, rdflib.URIRef(K.when))) == "On Monday"  # the words stay as stated


def test_time_words_in_an_undated_source_are_kept_and_flagged(bundled: tuple[Dataset, Report], graph: rdflib.Graph) -> None:
    _, report = bundled
    noted = (
        "statistics.yaml:132:9: note: sources[2]: 'To date' is relative, and article-no-weak-links gives no date:"
        " the words are kept, no date is given; give the citation 'date:' only if the source states one elsewhere"
    )
    assert [str(p) for p in report.problems if str(p).endswith(noted)], [str(p) for p in report.problems]
    citation = rdflib.URIRef(KGD + "stat-officers-trained-more-than-400.cite.article-no-weak-links")
    assert graph.value(citation, rdflib.URIRef(K.timeStatus)) == rdflib.URIRef(K.undated)
    assert graph.value(citation, rdflib.URIRef(SCHEMA + "endDate")) is None  # no date guessed
    assert str(graph.value(citation, rdflib.URIRef(K.citedWhen))) == "To date"


def test_words_that_fix_no_date_are_marked_unresolved(graph: rdflib.Graph) -> None:
    citation = rdflib.URIRef(KGD + "measures-announcement.cite.article-550-arrests")
    assert graph.value(citation, rdflib.URIRef(K.timeStatus)) == rdflib.URIRef(K.unresolved)


def test_a_period_up_to_publication_spans_its_duration(graph: rdflib.Graph) -> None:
    citation = rdflib.URIRef(KGD + "stat-arrests-more-than-550-last-year-home-office.cite.article-550-arrests")
    start, end = (str(graph.value(citation, rdflib.URIRef(SCHEMA + p))) for p in ("startDate", "endDate"))
    assert (start, end) == ("2023-05-21", "2024-05-21")


# --- posts in time ------------------------------------------------------------------------------


def test_who_was_home_secretary_on_20_may_2024(graph: rdflib.Graph) -> None:
    found = rows(
        graph,
        "post-holders",
        post=rdflib.URIRef(KGD + "home-secretary"),
        date=rdflib.Literal("2024-05-20", datatype=rdflib.XSD.date),
    )
    assert [row[:5] for row in found] == [("Home Secretary", "James Cleverly", "2024-05-20", "2024-05-20", "then")]


def test_the_prime_minister_is_held_at_the_launch_not_as_of_the_articles(graph: rdflib.Graph) -> None:
    on_launch = rows(graph, "post-holders", post=rdflib.URIRef(KGD + "prime-minister"), date=rdflib.Literal("2023-04-12"))
    assert {row[1] for row in on_launch} == {"Rishi Sunak"} and len(on_launch) == 2  # both sources
    assert rows(graph, "post-holders", post=rdflib.URIRef(KGD + "prime-minister"), date=rdflib.Literal("2024-05-21")) == []


def test_the_posts_a_person_held_over_time(graph: rdflib.Graph) -> None:
    found = rows(graph, "posts-over-time", person=rdflib.URIRef(KGD + "james-cleverly"))
    assert [(row[2], row[3], row[4], row[5]) for row in found] == [
        ("", "", "as of", "undated"),  # the undated article: no date is guessed
        ("2024-05-20", "2024-05-20", "then", ""),
        ("2024-05-21", "2024-05-21", "as of", ""),
    ]


def test_the_label_of_a_post_holding_carries_its_times(graph: rdflib.Graph) -> None:
    label = graph.value(rdflib.URIRef(KGD + "cleverly-holds-post-home-secretary"), rdflib.RDFS.label)
    assert str(label) == "James Cleverly holds post Home Secretary (2024-05-20, 2024-05-21)"


HOLDER = """
people:
  - id: suella-braverman
    name: "Suella Braverman"
    sources: [{{source: article-550-arrests, evidence: "Home Secretary"}}]
statements:
  - id: braverman-holds-post-home-secretary
    subject: suella-braverman
    predicate: holds-post
    object: home-secretary
    sources:
      - source: article-550-arrests
        evidence: "Home Secretary"
{time}
"""


def test_two_holders_of_a_single_holder_post_at_one_time_are_warned_about(data: Path) -> None:
    add(data, "extra.yaml", HOLDER.format(time="        held: as-of"))
    _, report = prepared(data)
    warned = lines(report, "post-overlap")
    assert len(warned) == 1, warned
    assert warned[0].endswith(
        "warning: id: home-secretary is held by one person at a time, but cleverly-holds-post-home-secretary"
        " (james-cleverly, 2024-05-21) overlaps braverman-holds-post-home-secretary (suella-braverman, 2024-05-21,"
        f" {data}/extra.yaml:7:5); check each source's time: 'held: then' with 'during:' for a post held at an event,"
        " 'held: until' where it ended"
    ), warned[0]
    assert report.ok  # a warning: both records stay


def test_holders_at_different_times_are_not_warned_about(data: Path) -> None:
    add(data, "extra.yaml", HOLDER.format(time="        held: then\n        during: taskforce-launch"))
    _, report = prepared(data)
    assert lines(report, "post-overlap") == []
    assert report.ok


def test_a_post_not_declared_single_holder_may_have_several_holders(data: Path) -> None:
    text = HOLDER.replace("home-secretary", "npcc-national-police-lead-child-protection-and-abuse").format(time="")
    add(data, "extra.yaml", text)
    _, report = prepared(data)
    assert lines(report, "post-overlap") == []


def test_held_from_and_until_together_cover_the_time_between(data: Path) -> None:
    text = HOLDER.format(time="        held: from\n        date: 2022-09-06")
    text += '      - source: article-no-weak-links\n        evidence: "the Home Secretary"\n        held: until\n        date: 2023-11\n'
    add(data, "extra.yaml", text)
    dataset, report = prepared(data)
    assert report.ok, [str(p) for p in report.errors]
    graph = api.build_graph(dataset, anchors=report.anchors)
    holders = rows(graph, "post-holders", post=rdflib.URIRef(KGD + "home-secretary"), date=rdflib.Literal("2023-04-01"))
    assert [(row[1], row[2], row[3]) for row in holders] == [("Suella Braverman", "2022-09-06", "2023-11")]
    assert rows(graph, "post-holders", post=rdflib.URIRef(KGD + "home-secretary"), date=rdflib.Literal("2023-12-01")) == []


@pytest.mark.parametrize(
    ("time", "message"),
    [
        ("        held: then", "sources[1].held: held: then needs 'during:', the event at whose time the post was held"),
        ("        held: from", "sources[1].held: held: from needs 'date:', the date the source gives"),
        ("        during: taskforce-launch", "sources[1].during: during names the event a post was held at, and goes with 'held: then'"),
        (
            "        held: then\n        during: home-office",
            "sources[1].during: 'home-office' is an organisation, but sources[1].during needs an event",
        ),
    ],
)
def test_a_wrong_time_on_a_holding_is_one_precise_error(data: Path, time: str, message: str) -> None:
    add(data, "extra.yaml", HOLDER.format(time=time))
    _, report = prepared(data)
    errors = [str(p) for p in report.errors]
    assert len(errors) == 1 and message in errors[0] and errors[0].startswith(f"{data}/extra.yaml:"), errors


def test_held_goes_only_on_post_holdings(data: Path) -> None:
    add(
        data,
        "extra.yaml",
        "statements:\n  - id: x-funded\n    subject: grooming-gangs-taskforce\n    predicate: funded-by\n    object: home-office\n"
        '    sources:\n      - source: article-550-arrests\n        evidence: "funded by the Home Office"\n        held: as-of\n',
    )
    _, report = prepared(data)
    assert [p.message for p in report.errors] == ["held says when a post was held, so it goes only on holds-post statements"]


# --- events ---------------------------------------------------------------------------------------


def test_the_bundled_events_are_in_the_graph_with_their_participants(graph: rdflib.Graph) -> None:
    events = sorted(str(e).removeprefix(KGD) for e in graph.subjects(rdflib.RDF.type, rdflib.URIRef(K.Event)))
    assert events == ["cleverly-interview-daily-express", "cleverly-visit-to-essex-police", "measures-announcement", "taskforce-launch"]
    launch = rdflib.URIRef(KGD + "taskforce-launch")
    assert graph.value(launch, rdflib.URIRef(SCHEMA + "startDate")) == rdflib.Literal("2023-04", datatype=rdflib.XSD.gYearMonth)
    assert set(graph.objects(launch, rdflib.URIRef(SCHEMA + "organizer"))) == {rdflib.URIRef(KGD + "rishi-sunak")}
    assert rdflib.URIRef(SCHEMA + "Event") in set(graph.objects(launch, rdflib.RDF.type))
    visit = rdflib.URIRef(KGD + "cleverly-visit-to-essex-police")
    assert {str(a).removeprefix(KGD) for a in graph.objects(visit, rdflib.URIRef(SCHEMA + "attendee"))} == {
        "james-cleverly",
        "essex-police",
        "essex-police-cse-teams",
    }


def test_events_are_in_the_facts_layer_and_the_entity_graph(bundled: tuple[Dataset, Report]) -> None:
    from kg import build, layers
    from kg.formats import network

    dataset, report = bundled
    triples = list(build.triples(dataset, anchors=report.anchors))
    facts = layers.facts(triples)
    visit = KGD + "cleverly-visit-to-essex-police"
    assert (visit, SCHEMA + "attendee", KGD + "james-cleverly") in facts
    entity = network.entity_graph(triples)
    assert entity.node(visit).cls == "Event" and entity.node(visit).attributes["startDate"] == "2024-05-20"
    assert (visit, KGD + "james-cleverly", "attended by") in {(e.source, e.target, e.label) for e in entity.edges}


def test_an_event_names_only_people_and_organisations_as_participants(data: Path) -> None:
    add(
        data,
        "extra.yaml",
        'events:\n  - id: e\n    kind: meeting\n    name: "A meeting"\n    participants: [england-and-wales]\n'
        '    sources: [{source: article-550-arrests, evidence: "Home Secretary"}]\n',
    )
    _, report = prepared(data)
    assert [p.message for p in report.errors] == ["'england-and-wales' is a place, but participants needs a person or organisation"]


# --- several values, and accounts one more specific than another -------------------------------

FOUNDER = """
statements:
  - id: taskforce-established-by-james-cleverly
    subject: grooming-gangs-taskforce
    predicate: established-by
    object: james-cleverly
    sources:
      - source: {source}
        evidence: "James Cleverly"
"""


def test_two_founders_from_one_source_are_both_stated(data: Path) -> None:
    add(data, "extra.yaml", FOUNDER.format(source="article-550-arrests"))
    dataset, report = prepared(data)
    assert lines(report, "differing-accounts") == []
    graph = api.build_graph(dataset, anchors=report.anchors)
    assert not list(graph.triples((None, rdflib.URIRef(K.differingAccount), None)))


def test_founders_no_one_source_gives_together_are_differing_accounts() -> None:
    from kg import compare
    from kg.model import Citation, Pos, Statement

    def statement(object_id: str, *sources: str) -> Statement:
        at = Pos("s.yaml", 1, 1)
        citations = tuple(Citation(s, "words", "stated", None, at) for s in sources)
        return Statement(f"by-{object_id}", "t", "established-by", object_id, None, None, citations, at)

    sunak, cleverly, both = statement("sunak", "a", "b"), statement("cleverly", "c"), statement("farris", "a", "c")
    found = compare.compare_accounts([sunak, cleverly, both]).differing
    assert [(a.id, b.id) for one in found for a, b in one.pairs] == [("by-cleverly", "by-sunak")]


POLICE = """
organisations:
  - id: police
    name: "police"
    sources: [{source: article-no-weak-links, evidence: "police"}]
statements:
  - id: npcc-part-of-police
    subject: npcc
    predicate: part-of
    object: police
    sources: [{source: article-no-weak-links, evidence: "police"}]
  - id: taskforce-led-by-police
    subject: grooming-gangs-taskforce
    predicate: led-by
    object: police
    sources: [{source: article-other, evidence: "police"}]
sources:
  - id: article-other
    kind: news-article
    title: "Another account"
    publisher: unknown
    author: unknown
    undated: true
"""


def test_a_broader_account_is_compatible_not_differing(data: Path) -> None:
    add(data, "extra.yaml", POLICE)
    dataset, report = prepared(data)
    assert lines(report, "differing-accounts") == []
    noted = lines(report, "more-specific-account")
    assert len(noted) == 1 and noted[0].endswith(
        "note: object: compatible accounts of grooming-gangs-taskforce led-by, one more specific:"
        " npcc (taskforce-led-by-npcc) is part of police (taskforce-led-by-police);"
        " both stay in the graph, linked by kg:moreSpecificAccount; they do not differ"
    ), noted
    graph = api.build_graph(dataset, anchors=report.anchors)
    assert (
        rdflib.URIRef(KGD + "taskforce-led-by-npcc"),
        rdflib.URIRef(K.moreSpecificAccount),
        rdflib.URIRef(KGD + "taskforce-led-by-police"),
    ) in graph
    kinds = {row[0] for row in rows(graph, "disagreements")}
    assert "compatible, one more specific" in kinds and "differing accounts" not in kinds


def test_a_date_within_another_is_more_specific() -> None:
    from kg import compare
    from kg.model import Citation, Pos, Statement

    at = Pos("s.yaml", 1, 1)

    def founded(value: str, source: str) -> Statement:
        return Statement(f"in-{value}", "t", "established-in", None, value, None, (Citation(source, "w", "stated", None, at),), at)

    assert [(a.id, b.id) for a, b in compare.compare_accounts([founded("2023", "a"), founded("2023-04", "b")]).more_specific] == [
        ("in-2023-04", "in-2023")
    ]
    assert compare.compare_accounts([founded("2023-04", "a"), founded("2022", "b")]).differing[0].predicate == "established-in"


def test_kg_query_asks_who_held_a_post_on_a_date() -> None:
    """The question as a user asks it, through kg query's engine (pyoxigraph), with bound parameters."""
    from click.testing import CliRunner

    from kg.cli import cli

    args = ["query", "post-holders", "--param", "post=kgd:home-secretary", "--param", "date=2024-05-20", "-f", "csv"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "office,holder,start,end,held,source,evidence",
        "Home Secretary,James Cleverly,2024-05-20,2024-05-20,then,Grooming Gangs Taskforce makes 550 arrests in its first year,"
        '"the Home Secretary, James Cleverly, visited Essex Police"',
    ]


def test_kg_diff_lists_accounts_that_become_compatible_or_differ(data: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    before = data.parent / "before"
    shutil.copytree(data, before)
    add(data, "extra.yaml", POLICE)
    result = CliRunner().invoke(cli, ["diff", str(before), str(data)])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert (
        "+ compatible accounts, one more specific: Grooming Gangs Taskforce led by National Police Chiefs’ Council"
        " (taskforce-led-by-npcc) is more specific than Grooming Gangs Taskforce led by police (taskforce-led-by-police)"
    ) in lines
    assert lines[-1] == "3 facts added, 0 removed, 2 changed; 1 account comparison changed"
    again = CliRunner().invoke(cli, ["diff", str(data), str(before)])
    assert any(line.startswith("- compatible accounts, one more specific: ") for line in again.stdout.splitlines())


WORDS = ["on", "last", "Monday", "Sunday", "yesterday", "today", "now", "to date", "this year", "last year", "last month",
         "in the last", "over the past", "12", "999", "two", "a", "few", "days", "weeks", "months", "year", "ago"]  # fmt: skip


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join),
    day=st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)),
    precision=st.sampled_from([4, 7, 10]),
)
def test_any_time_words_against_any_date_give_a_valid_span_or_none(words: str, day: datetime.date, precision: int) -> None:
    """Never a traceback (a span that would reach before the year 1 is none), and every end is a
    date of its own precision, the start not after the end."""
    lexical = day.isoformat()[:precision]
    span = timeline.resolve(words, timeline.typed(lexical))
    if span is None:
        return
    for end in (span.start, span.end):
        if end is not None:
            assert re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", end.lexical), end
            assert end.datatype == timeline.typed(end.lexical).datatype and int(end.lexical[:4]) >= 1
    if span.start is not None and span.end is not None:
        assert timeline.first_day(span.start.lexical) <= timeline.last_day(span.end.lexical)


def test_last_year_is_written_with_four_digits() -> None:
    span = timeline.resolve("last year", timeline.typed("0005-01-01"))
    assert span is not None and span.start == timeline.typed("0004") and span.start.datatype.endswith("gYear")
    assert timeline.resolve("last year", timeline.typed("0001")) is None  # there is no year 0
    assert timeline.resolve("in the last 10 years", timeline.typed("0005-01-01")) is None
