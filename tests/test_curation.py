"""Curating many sources: machine-readable problems, figures compared where they can disagree,
merging hints, differing accounts, partial quotations and per-citation time words."""

from __future__ import annotations

import hashlib
import json
import time
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from helpers import write_files

from kg import api, compare
from kg.check import check_figures
from kg.cli import cli
from kg.model import Citation, Dataset, DatasetInfo, Number, Period, Pos, Statistic
from kg.vocab import KG

QUERIES = Path(__file__).resolve().parents[1] / "kg" / "queries"
K = rdflib.Namespace(KG)
D = rdflib.Namespace("https://example.org/kg/id/")

TEXT_A = (
    "The Taskforce was set up by the Home Office. It has worked with all 43 forces and made more than 550 arrests"
    ' in the last year.\n"We are coming for you. There is nowhere to hide."\n'
)
TEXT_B = (
    "Set up by the Home Office and the Cabinet Office, the Taskforce has worked with all 42 forces.\n"
    'It made over 550 arrests in the last 12 months. The Home Office said: "We are coming for you".\n'
)

DATA = """
dataset:
  texts: texts
sources:
  - {id: s-a, kind: report, title: "Report A", publisher: unknown, author: unknown, undated: true, text: {file: a.txt, sha256: HASH_A}}
  - {id: s-b, kind: report, title: "Report B", publisher: unknown, author: unknown, undated: true, text: {file: b.txt, sha256: HASH_B}}
organisations:
  - {id: home-office, name: Home Office, sources: [{source: s-a, evidence: Home Office}]}
  - {id: cabinet-office, name: Cabinet Office, sources: [{source: s-b, evidence: Cabinet Office}]}
initiatives:
  - {id: taskforce, name: Taskforce, kind: taskforce, sources: [{source: s-a, evidence: Taskforce}]}
measures:
  - {id: arrests, name: arrests}
  - {id: forces, name: police forces worked with}
statements:
  - id: founded-by-ho
    subject: taskforce
    predicate: established-by
    object: home-office
    sources: [{source: s-a, evidence: "set up by the Home Office"}]
  - id: founded-by-ho-again
    subject: taskforce
    predicate: established-by
    object: home-office
    sources: [{source: s-b, evidence: "Set up by the Home Office"}]
  - id: founded-by-co
    subject: taskforce
    predicate: established-by
    object: cabinet-office
    sources: [{source: s-b, evidence: "and the Cabinet Office"}]
statistics:
  - {id: forces-43, counts: forces, value: 43, comparator: exactly, about: taskforce, sources: [{source: s-a, evidence: all 43 forces}]}
  - {id: forces-42, counts: forces, value: 42, comparator: exactly, about: taskforce, sources: [{source: s-b, evidence: all 42 forces}]}
  - id: arrests-a
    counts: arrests
    value: 550
    comparator: more-than
    about: taskforce
    period: {label: in the last year, duration: P1Y}
    sources: [{source: s-a, evidence: "more than 550 arrests in the last year"}]
  - id: arrests-b
    counts: arrests
    value: 550
    comparator: more-than
    about: taskforce
    period: {label: in the last 12 months, duration: P1Y}
    sources: [{source: s-b, evidence: "over 550 arrests in the last 12 months"}]
quotes:
  - id: q-coming
    speaker: home-office
    text: "We are coming for you. There is nowhere to hide."
    sources:
      - source: s-a
      - source: s-b
        evidence: "We are coming for you"
"""


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def two_reports(tmp_path: Path) -> Path:
    """A dataset of two reports that disagree, tell one fact twice and quote partly; returns the data folder."""
    write_files(tmp_path / "data" / "texts", {"a.txt": TEXT_A, "b.txt": TEXT_B})
    data = DATA.replace("HASH_A", sha(TEXT_A)).replace("HASH_B", sha(TEXT_B))
    return write_files(tmp_path / "data", {"all.yaml": data})


def run_check(data: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", "--data", str(data), "--no-shacl", *args])
    return result.exit_code, result.stdout


def notes_of(output: str, data: Path) -> list[str]:
    return [line.replace(str(data / "all.yaml"), "all.yaml") for line in output.splitlines() if ": note: " in line]


def test_check_lists_each_kind_of_note_with_its_whole_message(two_reports: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(two_reports.parent)
    code, output = run_check(Path("data"))
    assert code == 0, output
    assert notes_of(output, two_reports) == [
        # s-b gives both founders (founded-by-co and founded-by-ho-again): both stated, no difference between them
        "data/all.yaml:19:13: note: object: differing accounts of taskforce established-by: cabinet-office (founded-by-co, from s-b);"
        " home-office (founded-by-ho, from s-a);"
        " both stay in the graph, each with its sources, linked as differing accounts",
        "data/all.yaml:21:9: note: id: founded-by-ho-again states the same fact as founded-by-ho (data/all.yaml:16:5);"
        " merge them into one statement with one citation per source; a citation's 'when:' keeps each source's time words",
        "data/all.yaml:32:44: note: value: forces about taskforce, no place given, no period length given: 1 pair conflict:"
        " forces-42 (exactly 42) and forces-43 (exactly 43) conflict; both stay in the graph, each with its sources, linked as conflicting",
        "data/all.yaml:41:9: note: id: arrests-b gives the same figure as arrests-a"
        " (more than 550 arrests, same about, place and period length);"
        " merge them into one statistic with one citation per source; each citation's evidence keeps the source's words",
        "data/all.yaml:55:19: note: sources[2].evidence: s-b quotes only part of q-coming: this citation is marked partial"
        " and does not count as a source of the whole quotation; make the part its own quote record if it matters on its own",
    ]
    assert output.splitlines()[-1] == "0 errors, 0 warnings; 15 records; 12 of 12 evidence quotes grounded in their sources"


def test_notes_conflicts_lists_only_the_disagreements(two_reports: Path) -> None:
    _, output = run_check(two_reports, "--notes", "conflicts")
    found = [line.split(": note: ")[1].split(":")[0] for line in notes_of(output, two_reports)]
    assert found == ["object", "value"]  # the differing founders and the 42/43 forces
    _, output = run_check(two_reports, "--notes", "none")
    assert notes_of(output, two_reports) == []


def test_check_json_gives_every_field_of_every_problem(two_reports: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(two_reports.parent)
    (two_reports / "all.yaml").write_text(
        (two_reports / "all.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "comparator: exactly, about: taskforce, sources: [{source: s-b", "comparator: exact, about: taskforce, sources: [{source: s-b"
        ),
        encoding="utf-8",
    )
    code, output = run_check(Path("data"), "--format", "json", "--notes", "none")
    assert code == 1
    document = json.loads(output)
    assert document["problems"] == [
        {
            "file": "data/all.yaml",
            "line": 33,
            "column": 60,
            "field": "comparator",
            "severity": "error",
            "rule": "error/comparator",
            "message": "unknown comparator 'exact'",
            "hint": "did you mean 'exactly'? allowed: exactly, more-than, at-least, fewer-than, at-most, approximately,"
            " multiples-of, unqualified",
        }
    ]
    assert document["summary"] == {"errors": 1, "warnings": 0, "notes": 0, "records": 14, "evidence_grounded": 11, "evidence_total": 11}


def test_check_sarif_is_a_sarif_2_1_0_log_code_review_tools_can_place(two_reports: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(two_reports.parent)
    code, output = run_check(Path("data"), "--format", "sarif", "--notes", "conflicts")
    assert code == 0
    log = json.loads(output)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "kg"
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rules == ["differing-accounts", "figure-conflict"]
    assert run["tool"]["driver"]["rules"][0]["shortDescription"] == {
        "text": "Sources give one thing different founders, founding dates or leaders"
    }
    first = run["results"][0]
    assert first["ruleId"] == "differing-accounts" and rules[first["ruleIndex"]] == "differing-accounts"
    assert first["level"] == "note"
    assert first["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "data/all.yaml"}, "region": {"startLine": 19, "startColumn": 13}}}
    ]
    assert first["message"]["text"].startswith("object: differing accounts of taskforce established-by: cabinet-office")


def test_the_graph_links_compared_figures_and_differing_accounts(two_reports: Path, tmp_path: Path) -> None:
    dataset, report = api.prepare(two_reports)
    graph = api.build_graph(dataset, anchors=report.anchors)
    comparison = D["forces-42.compared.forces-43"]
    assert (comparison, rdflib.RDF.type, K.FigureComparison) in graph
    assert set(graph.objects(comparison, K.comparedFigure)) == {D["forces-42"], D["forces-43"]}
    assert graph.value(comparison, K.verdict) == K.conflict
    assert str(graph.value(comparison, K.comparisonRule)) == "range-overlap: exactly 42 is [42, 42], exactly 43 is [43, 43]"
    assert (D["founded-by-co"], K.differingAccount, D["founded-by-ho"]) in graph
    assert (D["founded-by-ho"], K.differingAccount, D["founded-by-co"]) in graph
    assert (D["founded-by-ho"], K.differingAccount, D["founded-by-ho-again"]) not in graph  # the same account twice
    assert (D["founded-by-co"], K.differingAccount, D["founded-by-ho-again"]) not in graph  # one source gives both
    rows = graph.query((QUERIES / "disagreements.rq").read_text(encoding="utf-8"))
    assert [tuple(str(v) for v in row) for row in rows] == [
        (
            "conflicting figures",
            "exactly 42 police forces worked with",
            "Report B",
            "exactly 43 police forces worked with",
            "Report A",
            "range-overlap: exactly 42 is [42, 42], exactly 43 is [43, 43]",
        ),
        (
            "differing accounts",
            "Taskforce established by Cabinet Office",
            "Report B",
            "Taskforce established by Home Office",
            "Report A",
            "",
        ),
    ]  # founded-by-ho-again shares its source with founded-by-co: both stated, not a disagreement


def test_a_partial_quotation_is_marked_and_does_not_corroborate_the_whole(two_reports: Path) -> None:
    dataset, report = api.prepare(two_reports)
    graph = api.build_graph(dataset, anchors=report.anchors)
    assert graph.value(D["q-coming.cite.s-b"], K.partial) == rdflib.Literal(True)
    assert graph.value(D["q-coming.cite.s-a"], K.partial) is None
    assert graph.value(D["q-coming"], K.sourceCount) == rdflib.Literal(1)
    assert set(graph.objects(D["q-coming"], rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))) == {D["s-a"], D["s-b"]}


PER_CITATION_WHEN = """
sources:
  - {id: s-a, kind: report, title: "A", publisher: unknown, author: unknown, undated: true}
  - {id: s-b, kind: report, title: "B", publisher: unknown, author: unknown, undated: true}
organisations:
  - {id: essex-police, name: Essex Police, sources: [{source: s-a, evidence: Essex Police}]}
initiatives:
  - {id: taskforce, name: Taskforce, kind: taskforce, sources: [{source: s-a, evidence: Taskforce}]}
statements:
  - id: taskforce-partner-essex
    subject: taskforce
    predicate: partner
    object: essex-police
    sources:
      - {source: s-a, evidence: "visited Essex", when: "Yesterday (Monday 20 May)", date: 2024-05-20}
      - {source: s-b, evidence: "went to Essex", when: "On Monday"}
"""


def test_two_sources_support_one_fact_each_with_its_own_time_words(tmp_path: Path) -> None:
    """Issue 10: one source said "Yesterday (Monday 20 May)", the other "On Monday"; one fact, two sources."""
    data = write_files(tmp_path / "data", {"all.yaml": PER_CITATION_WHEN})
    dataset, report = api.prepare(data)
    assert report.ok, [str(p) for p in report.errors]
    graph = api.build_graph(dataset, anchors=report.anchors)
    fact = D["taskforce-partner-essex"]
    assert graph.value(fact, K.sourceCount) == rdflib.Literal(2)
    assert str(graph.value(D["taskforce-partner-essex.cite.s-a"], K.citedWhen)) == "Yesterday (Monday 20 May)"
    assert graph.value(D["taskforce-partner-essex.cite.s-a"], K.citedDate) == rdflib.Literal("2024-05-20", datatype=rdflib.XSD.date)
    assert str(graph.value(D["taskforce-partner-essex.cite.s-b"], K.citedWhen)) == "On Monday"
    assert graph.value(D["taskforce-partner-essex.cite.s-b"], K.citedDate) is None


def test_a_citation_date_is_checked_like_every_date(tmp_path: Path) -> None:
    data = write_files(tmp_path / "data", {"all.yaml": PER_CITATION_WHEN.replace("date: 2024-05-20", "date: 2024-13-20")})
    result = CliRunner().invoke(cli, ["check", "--data", str(data), "--no-shacl"])
    assert result.exit_code == 1
    assert [line for line in result.stdout.splitlines() if "sources[1].date" in line] == [
        f"{data / 'all.yaml'}:15:91: sources[1].date: '2024-13-20': month 13 does not exist; months run from 01 to 12"
    ]


def _statistic(index: int, value: int, comparator: str) -> Statistic:
    pos = Pos("big.yaml", index + 1, 1)
    citation = Citation("s", "e", "stated", None, pos)
    return Statistic(
        f"s{index}",
        "arrests",
        Number(str(value), "", Decimal(value)),
        comparator,
        "count",
        "t",
        Period("a year", "P1Y"),
        None,
        (citation,),
        pos,
    )


def test_many_figures_on_one_measure_are_summarised_not_compared_pair_by_pair() -> None:
    """Issue 11: 2,273 statistics on one measure printed 3.1M notes; now a few notes, quickly."""
    statistics = [_statistic(i, 500 + i, "exactly") for i in range(2273)]
    statistics += [_statistic(10_000 + i, 40 + i, "exactly") for i in range(5)]  # a group of their own (other period)
    statistics[-5:] = [
        Statistic(s.id, s.counts, s.value, s.comparator, s.unit, s.about, None, s.place, s.citations, s.pos) for s in statistics[-5:]
    ]
    dataset = Dataset(root=".", info=DatasetInfo(), statistics=tuple(statistics))
    started = time.perf_counter()
    notes = [str(p) for p in check_figures(dataset)]
    assert time.perf_counter() - started < 5
    assert notes[1] == (
        "big.yaml:1:1: note: value: arrests about t, no place given, over P1Y: 2273 figures, too many to compare pair by pair;"
        " their ranges share no common value: some conflict"
    )
    assert notes[0].startswith("big.yaml:10002:1: note: value: arrests about t, no place given, no period length given: 10 pairs conflict:")
    assert notes[0].endswith("; and 5 more; all 5 stay in the graph, each with its sources, linked as conflicting")
    assert len(notes) == 2
    big = [group for group in compare.figure_groups(statistics) if len(group.members) == 2273]
    assert len(big) == 1 and big[0].comparisons == () and not big[0].pairwise


def test_figures_that_can_both_be_true_are_noted_as_agreeing(tmp_path: Path) -> None:
    data = write_files(
        tmp_path / "data",
        {
            "all.yaml": """
sources:
  - {id: s-a, kind: report, title: "A", publisher: unknown, author: unknown, undated: true}
initiatives:
  - {id: t, name: T, kind: taskforce, sources: [{source: s-a, evidence: T}]}
measures:
  - {id: arrests, name: arrests}
statistics:
  - {id: hundreds, counts: arrests, value: 100, comparator: multiples-of, about: t, sources: [{source: s-a, evidence: hundreds of arrests}]}
  - {id: over-550, counts: arrests, value: 550, comparator: more-than, about: t, sources: [{source: s-a, evidence: more than 550 arrests}]}
"""
        },
    )
    result = CliRunner().invoke(cli, ["check", "--data", str(data), "--no-shacl", "--allow-ungrounded"])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stdout.splitlines() if ": note: " in line]
    assert notes == [
        f"{data / 'all.yaml'}:10:44: note: value: arrests about t, no place given, no period length given: 1 pair agree:"
        " hundreds (hundreds of) and over-550 (more than 550) agree"
    ]
    dataset, report = api.prepare(data, allow_ungrounded=True)
    graph = api.build_graph(dataset, anchors=report.anchors)
    comparison = D["hundreds.compared.over-550"]
    assert graph.value(comparison, K.verdict) == K.agree
    assert str(graph.value(comparison, K.comparisonRule)) == "range-overlap: hundreds of is [200, 1000), more than 550 is (550, ∞)"


def test_comparisons_and_citation_dates_conform_to_the_shapes_and_a_broken_one_does_not(two_reports: Path, tmp_path: Path) -> None:
    from kg.shapes import validate, validate_dataset

    dataset, report = api.prepare(two_reports)
    assert validate_dataset(dataset, report) == []
    dated = write_files(tmp_path / "dated", {"all.yaml": PER_CITATION_WHEN})
    dataset_b, report_b = api.prepare(dated, allow_ungrounded=True)
    assert validate_dataset(dataset_b, report_b) == []
    graph = api.build_graph(dataset, anchors=report.anchors)
    graph.remove((D["forces-42.compared.forces-43"], K.verdict, None))
    conforms, results = validate(graph)
    assert not conforms
    messages = {str(m) for m in results.objects(None, rdflib.URIRef("http://www.w3.org/ns/shacl#resultMessage"))}
    assert messages == {
        "A figure comparison has exactly one verdict (kg:verdict), kg:agree or kg:conflict."
        " This is an exporter fault, not a curated-data one."
    }


def test_sarif_names_files_by_uri() -> None:
    from kg.reporting import artifact_uri

    assert artifact_uri("data/all.yaml") == "data/all.yaml"
    assert artifact_uri("my data/all.yaml") == "my%20data/all.yaml"
    assert artifact_uri("/tmp/my data/all.yaml") == "file:///tmp/my%20data/all.yaml"
