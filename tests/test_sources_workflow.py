"""Adding a source end to end: add-source, coverage, curation, check, export, diff; the schema
and the README's field tables derived from the loader's specifications."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from helpers import write_files

from kg import api
from kg.cli import cli
from kg.coverage import coverage, items_of
from kg.curated import MAX_ID_LENGTH, SPECS, id_suggestion
from kg.resources import bundled_data
from kg.schema import field_tables, json_schema
from kg.yamlnodes import Mapping, Node, Scalar, Sequence, parse

README = Path(__file__).resolve().parents[1] / "README.md"

REPORT_A = "Taskforce report\nThe Taskforce, set up by the Home Office, has worked with all 43 forces.\n"
REPORT_C = (
    "Taskforce passes a milestone\n"
    "The Taskforce has worked with all 43 forces, the Home Office said.\n"
    "It made over 550 arrests in the last 12 months, and hundreds more are expected.\n"
    '"We are coming for you," the minister said.\n'
)
DATA = """
dataset:
  texts: texts
sources:
  - {id: report-a, kind: report, title: "Taskforce report", publisher: unknown, author: unknown, undated: true,
     text: {file: a.txt, sha256: HASH_A}}
organisations:
  - {id: home-office, name: Home Office, sources: [{source: report-a, evidence: "set up by the Home Office"}]}
initiatives:
  - {id: taskforce, name: Taskforce, kind: taskforce, sources: [{source: report-a, evidence: "The Taskforce"}]}
measures:
  - {id: forces, name: police forces worked with}
statistics:
  - id: forces-43
    counts: forces
    value: 43
    comparator: exactly
    about: taskforce
    sources:
      - {source: report-a, evidence: "has worked with all 43 forces"}
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with a one-source dataset (data/) and its text (texts/), as the working folder."""
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path / "data" / "texts", {"a.txt": REPORT_A})
    sha = hashlib.sha256(REPORT_A.encode()).hexdigest()
    write_files(tmp_path / "data", {"all.yaml": DATA.replace("HASH_A", sha)})
    write_files(tmp_path / "inbox", {"c.txt": REPORT_C})
    return tmp_path


def test_a_third_source_curated_end_to_end(project: Path) -> None:
    """Issue 10's "done means": add-source, coverage, curation, check, export, diff."""
    assert invoke("export", "--data", "data", "-o", "before.ttl")[0] == 0

    code, out, err = invoke("add-source", "inbox/c.txt", "--data", "data")
    sha = hashlib.sha256(REPORT_C.encode()).hexdigest()
    assert code == 0, err
    assert err == (
        f"kg: copied the text to data/texts/c.txt (sha256 {sha}); wrote the source taskforce-passes-a-milestone"
        " to data/taskforce-passes-a-milestone.yaml: fill in its TODOs, then run kg check\n"
    )
    assert (project / "data" / "texts" / "c.txt").read_text(encoding="utf-8") == REPORT_C
    skeleton = (project / "data" / "taskforce-passes-a-milestone.yaml").read_text(encoding="utf-8")
    assert f'text: {{file: "c.txt", sha256: {sha}}}' in skeleton
    assert 'title_evidence: "Taskforce passes a milestone"' in skeleton

    code, out, _ = invoke("check", "--data", "data", "--no-shacl")
    assert code == 1
    todo = [line for line in out.splitlines() if "still to fill in" in line]
    assert todo[0] == (
        "data/taskforce-passes-a-milestone.yaml:4:11: kind: still to fill in (TODO);"
        " fill it in from the source (kg add-source left it for you)"
    )
    assert [line.split(": ")[1] for line in todo] == ["kind", "url", "publisher", "author", "published", "language"]

    code, out, _ = invoke("coverage", "--data", "data", "taskforce-passes-a-milestone")
    assert code == 0
    assert out.splitlines() == [
        "data/texts/c.txt:2:1: sentence not covered: The Taskforce has worked with all 43 forces, the Home Office said.",
        "data/texts/c.txt:2:35: figure not covered: 43",
        "data/texts/c.txt:3:1: sentence not covered: It made over 550 arrests in the last 12 months, and hundreds more are e…",
        "data/texts/c.txt:3:14: figure not covered: 550",
        "data/texts/c.txt:3:38: figure not covered: 12",
        "data/texts/c.txt:3:53: figure not covered: hundreds",
        'data/texts/c.txt:4:1: quotation not covered: "We are coming for you,"',
        'data/texts/c.txt:4:1: sentence not covered: "We are coming for you," the minister said.',
        "taskforce-passes-a-milestone: 11% covered (1 of 9 figures, quotations and sentences);"
        " not covered: 4 figures, 1 quotation, 3 sentences",
    ]

    # Curation: fill in the TODOs, and cite the new source for the figure it shares with report-a.
    filled = (
        skeleton.replace("kind: TODO", "kind: report")
        .replace("    url: TODO", "    # no url")
        .replace("publisher: TODO", "publisher: unknown")
        .replace("author: TODO", "author: unknown")
        .replace("published: TODO", "undated: true")
        .replace("language: TODO", "language: en")
    )
    (project / "data" / "taskforce-passes-a-milestone.yaml").write_text(filled, encoding="utf-8")
    data = (project / "data" / "all.yaml").read_text(encoding="utf-8")
    data = data.replace(
        '      - {source: report-a, evidence: "has worked with all 43 forces"}\n',
        '      - {source: report-a, evidence: "has worked with all 43 forces"}\n'
        '      - {source: taskforce-passes-a-milestone, evidence: "has worked with all 43 forces, the Home Office said",'
        " status: attributed, attributed_to: home-office}\n",
    )
    (project / "data" / "all.yaml").write_text(data, encoding="utf-8")

    code, out, _ = invoke("check", "--data", "data")
    assert code == 0, out
    assert out.splitlines()[-1] == "0 errors, 0 warnings; 6 records; 5 of 5 evidence quotes grounded in their sources"
    code, out, _ = invoke("coverage", "--data", "data", "taskforce-passes-a-milestone")
    assert out.splitlines()[-1] == (
        "taskforce-passes-a-milestone: 33% covered (3 of 9 figures, quotations and sentences);"
        " not covered: 3 figures, 1 quotation, 2 sentences"
    )
    assert "data/texts/c.txt:2:35: figure not covered: 43" not in out

    assert invoke("export", "--data", "data", "-o", "after.ttl")[0] == 0
    code, out, _ = invoke("diff", "before.ttl", "after.ttl")
    assert code == 1
    assert out.splitlines() == [
        "~ statistic forces-43: exactly 43 police forces worked with",
        "    kg:attributedTo: (none) -> home-office",
        "    sources gained: taskforce-passes-a-milestone",
        "    citations: 1 -> 2",
        "    corroborated: 1 -> 2 sources",
        "0 facts added, 0 removed, 1 changed",
    ]
    assert invoke("diff", "after.ttl", "after.ttl")[:2] == (0, "0 facts added, 0 removed, 0 changed\n")


def test_diff_compares_dataset_folders_too(project: Path) -> None:
    write_files(
        project / "data2",
        {
            "all.yaml": (project / "data" / "all.yaml")
            .read_text(encoding="utf-8")
            .replace("{id: forces, name: police forces worked with}", "{id: forces, name: forces}")
        },
    )
    write_files(project / "data2" / "texts", {"a.txt": REPORT_A})
    code, out, _ = invoke("diff", "data", "data2")
    assert code == 1
    assert out.splitlines() == [
        "~ statistic forces-43: exactly 43 forces",
        '    rdfs:label: "exactly 43 police forces worked with" -> "exactly 43 forces"',
        "0 facts added, 0 removed, 1 changed",
    ]


def test_diff_of_a_missing_file_is_a_tool_failure(project: Path) -> None:
    code, _, err = invoke("diff", "data", "nothere.ttl")
    assert (code, err) == (2, "Error: nothere.ttl: no such file or folder\n")


def test_diff_of_an_entity_graph_says_it_is_not_rdf(project: Path) -> None:
    """A GraphML export gave rdflib's warnings, then 'cannot be read as turtle'."""
    assert invoke("export", "--data", "data", "-o", "kg.graphml")[0] == 0
    code, _, err = invoke("diff", "data", "kg.graphml")
    assert (code, err) == (
        2,
        "Error: kg.graphml: an entity graph for graph tools, not RDF: give kg diff two RDF exports (kg.ttl, kg.nt...)"
        " or two dataset folders\n",
    )


def test_add_source_refuses_a_text_the_dataset_has(project: Path) -> None:
    code, _, err = invoke("add-source", "data/texts/a.txt", "--data", "data", "-o", "-")
    assert code == 2
    assert err == "Error: the source report-a (data/all.yaml:5:5) already has this text\n"


def test_add_source_needs_a_texts_folder(project: Path) -> None:
    write_files(project / "bare", {"all.yaml": "organisations:\n"})
    code, _, err = invoke("add-source", "inbox/c.txt", "--data", "bare")
    assert code == 2
    assert err == "Error: the dataset names no texts folder inside it: give --texts FOLDER, or add 'texts: FOLDER' to its dataset section\n"


def test_coverage_counts_number_words_and_quotations() -> None:
    found = [(i.kind, i.text) for i in items_of("Thousands of children, 4,000 victims and 12.5% more. “Enough,” she said.\n")]
    assert found == [
        ("figure", "Thousands"),
        ("sentence", "Thousands of children, 4,000 victims and 12.5% more."),
        ("figure", "4,000"),
        ("figure", "12.5%"),
        ("quotation", "“Enough,”"),
        ("sentence", "“Enough,” she said."),
    ]


def test_a_figure_ends_before_the_comma_that_ends_its_clause() -> None:
    """'2023,' was the figure, so evidence quoting 'in April 2023' did not cover it."""
    found = [i.text for i in items_of("Set up in April 2023, it made 1,550 arrests and spent £1.2bn.\n") if i.kind == "figure"]
    assert found == ["2023", "1,550", "1.2bn"]


def test_a_double_prime_is_not_a_quotation_mark() -> None:
    """″ (inches, seconds) was folded to a straight quotation mark, so 6′2″ opened a quotation."""
    text = "The man, 6′2″ tall, was seen at 51°30′26″ N. The officer said “we will find him” at noon.\n"
    found = [i.text for i in items_of(text) if i.kind == "quotation"]
    assert found == ["“we will find him”"]


#: A text whose quotation marks are damaged (each written as two apostrophes), with a wide gap
#: after the first quotation; the repairs below restore the marks from their context.
REPORT_D = (
    "Minister visits Essex\n"
    "The minister said: ''We are coming for you,''  and thanked 400 officers.\n"
    "''They will be caught.\n"
    "''They will face the law.''\n"
)
DATA_D = """
dataset:
  texts: texts
sources:
  - id: report-d
    kind: report
    title: "Minister visits Essex"
    publisher: unknown
    author: unknown
    undated: true
    text: {file: d.txt, sha256: HASH_D}
    repairs:
      - {replace: "''", with: "“", preceded_by: [line-start, space], followed_by: letter, reason: "opens a quotation"}
      - {replace: "''", with: "”", preceded_by: punctuation, reason: "closes a quotation"}
organisations:
  - {id: home-office, name: Home Office, sources: [{source: report-d, evidence: "said: “We are coming for you,”"}]}
"""


def coverage_of_report_d(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: str, checked: str) -> list[str]:
    """``kg coverage``'s lines for a dataset of report-d (``data``, its hash filled in) and its
    damaged text, once ``kg check`` has passed with ``checked`` as its last line."""
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path / "data" / "texts", {"d.txt": REPORT_D})
    write_files(tmp_path / "data", {"all.yaml": data.replace("HASH_D", hashlib.sha256(REPORT_D.encode()).hexdigest())})
    code, out, _ = invoke("check", "--data", "data", "--no-shacl")
    assert (code, out.splitlines()[-1]) == (0, checked)
    code, out, _ = invoke("coverage", "--data", "data")
    assert code == 0
    return out.splitlines()


def test_coverage_finds_quotations_as_the_repairs_restore_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Coverage read the raw text, where damaged marks hide every quotation; it reads the text as the
    evidence check does (repaired, tidied, marks folded) and places what it reports in the raw file."""
    checked = "0 errors, 0 warnings; 2 records; 1 of 1 evidence quotes grounded in their sources"
    assert coverage_of_report_d(tmp_path, monkeypatch, DATA_D, checked) == [
        "data/texts/d.txt:1:1: sentence not covered: Minister visits Essex",
        "data/texts/d.txt:2:60: figure not covered: 400",
        "data/texts/d.txt:3:1: quotation not covered: “They will be caught.",
        "data/texts/d.txt:3:1: sentence not covered: “They will be caught.",
        "data/texts/d.txt:4:1: quotation not covered: “They will face the law.”",
        "data/texts/d.txt:4:1: sentence not covered: “They will face the law.”",
        "report-d: 25% covered (2 of 8 figures, quotations and sentences); not covered: 1 figure, 2 quotations, 3 sentences",
    ]


def test_a_quote_record_covers_its_quotation_without_the_marks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A quote record's evidence is its words, without the marks (and here without the full stop
    before the closing mark): coverage wanted the marks held too, so no quote record ever covered
    its quotation."""
    quotes = (
        "quotes:\n"
        '  - {id: quote-caught, speaker: home-office, text: "They will be caught.", sources: [{source: report-d}]}\n'
        '  - {id: quote-the-law, speaker: home-office, text: "They will face the law", sources: [{source: report-d}]}\n'
    )
    checked = "0 errors, 0 warnings; 4 records; 3 of 3 evidence quotes grounded in their sources"
    assert coverage_of_report_d(tmp_path, monkeypatch, DATA_D + quotes, checked) == [
        "data/texts/d.txt:1:1: sentence not covered: Minister visits Essex",
        "data/texts/d.txt:2:60: figure not covered: 400",
        "report-d: 75% covered (6 of 8 figures, quotations and sentences); not covered: 1 figure, 1 sentence",
    ]


def test_the_bundled_quote_records_cover_every_quotation_of_their_texts() -> None:
    """Each quoted paragraph of the bundled articles is a quote record; in 000_…, whose marks only
    the repairs restore, coverage found no quotation, and in both texts it counted none covered."""
    dataset, report = api.prepare()
    found = {result.source_id: result for result in coverage(dataset, report)}
    quotations = {source: [(i.line, i.column) for i in result.items if i.kind == "quotation"] for source, result in found.items()}
    assert quotations == {
        "article-550-arrests": [(10, 38), (11, 1), (12, 1), (16, 59), (17, 1), (18, 1), (22, 79), (23, 1)],
        "article-no-weak-links": [(5, 96), (5, 209), (5, 305), (7, 332), (9, 47), (11, 57), (19, 1)],
    }
    assert [(i.line, i.text) for result in found.values() for i in result.uncovered if i.kind == "quotation"] == []


def test_an_over_long_id_is_cut_after_a_whole_word() -> None:
    """Issue 10: an over-long id was "fixed" by cutting it mid-word."""
    title = "Grooming Gangs Taskforce makes 550 arrests in its first year across England and Wales police forces"
    suggestion = id_suggestion(title)
    assert suggestion == "grooming-gangs-taskforce-makes-550-arrests-in-its-first-year"
    assert len(suggestion) <= MAX_ID_LENGTH


def test_the_schema_follows_the_loaders_specifications() -> None:
    schema = json_schema()
    assert set(schema["properties"]) == {*SPECS, "dataset"}
    for section, spec in SPECS.items():
        record = schema["properties"][section]["items"]
        assert list(record["properties"]) == list(spec)
        assert record["required"] == [name for name, (required, _) in spec.items() if required]
    citation = schema["properties"]["statements"]["items"]["properties"]["sources"]["items"]
    assert citation["required"] == ["source", "evidence"]
    assert schema["properties"]["quotes"]["items"]["properties"]["sources"]["items"]["required"] == ["source"]
    assert citation["properties"]["status"] == {"enum": ["stated", "attributed", "quoted", "hedged", "unattributed"]}


def test_kg_schema_writes_the_json_schema(tmp_path: Path) -> None:
    code, _, err = invoke("schema", "-o", str(tmp_path / "kg.schema.json"))
    assert (code, err) == (0, f"kg: wrote the JSON Schema to {tmp_path / 'kg.schema.json'}\n")
    assert json.loads((tmp_path / "kg.schema.json").read_text(encoding="utf-8")) == json_schema()


def test_the_readme_field_tables_are_the_generated_ones() -> None:
    readme = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- fields: generated by `kg schema --format markdown` -->\n(.*?)<!-- /fields -->", readme, re.S)
    assert found, "the README has no generated field tables"
    assert found.group(1) == field_tables()


def test_diff_shows_a_new_conflict_and_reads_standard_input(project: Path) -> None:
    assert invoke("export", "--data", "data", "-o", "before.ttl")[0] == 0
    data = (project / "data" / "all.yaml").read_text(encoding="utf-8")
    data += (
        "  - {id: forces-42, counts: forces, value: 42, comparator: exactly, about: taskforce,"
        ' sources: [{source: report-a, evidence: "all 43 forces", status: hedged}]}\n'
    )
    (project / "data" / "all.yaml").write_text(data, encoding="utf-8")
    assert invoke("export", "--data", "data", "-o", "after.ttl")[0] == 0
    result = CliRunner().invoke(cli, ["diff", "before.ttl", "-"], input=(project / "after.ttl").read_bytes())
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "+ statistic forces-42: exactly 42 police forces worked with (sources: report-a)",
        "+ figures compared: exactly 42 and exactly 43 police forces worked with: conflict",
        "1 fact added, 0 removed, 0 changed; 1 figure comparison changed",
    ]


def test_add_source_writes_to_standard_output_with_a_given_id(project: Path) -> None:
    result = CliRunner().invoke(cli, ["add-source", "inbox/c.txt", "--data", "data", "--id", "report-c", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:4] == [
        "# Written by `kg add-source`: fill in every TODO from the source, then run `kg check`.",
        "sources:",
        "  - id: report-c",
        "    kind: TODO          # news-article | government-statement | report",
    ]
    assert not (project / "data" / "report-c.yaml").exists()
    assert result.stderr.endswith("wrote the source report-c to standard output: fill in its TODOs, then run kg check\n")


def test_sources_can_be_added_one_after_another_before_their_todos_are_filled_in(project: Path) -> None:
    """A second kg add-source was refused, printing the first one's TODOs and no reason."""
    write_files(project / "inbox", {"d.txt": "Another report\n\nIt says something else.\n"})
    assert invoke("add-source", "inbox/c.txt", "--data", "data", "--id", "report-c")[0] == 0
    (project / "data" / "all.yaml").write_text(
        (project / "data" / "all.yaml").read_text(encoding="utf-8").replace("name: Home Office", "name: TODO"), encoding="utf-8"
    )
    code, _, err = invoke("add-source", "inbox/d.txt", "--data", "data", "--id", "home-office")
    taken = "Error: --id 'home-office' is the id of a record already: give the new source another\n"
    assert (code, err) == (2, taken)  # the record cannot be read, and its id is still taken
    code, _, err = invoke("add-source", "inbox/d.txt", "--data", "data", "--id", "report-d")
    assert code == 0, err
    assert (project / "data" / "report-d.yaml").exists()
    assert invoke("check", "--data", "data", "--no-shacl")[1].count("still to fill in") == 13


def test_add_source_refuses_a_dataset_with_errors_other_than_todos_and_says_why(project: Path) -> None:
    assert invoke("add-source", "inbox/c.txt", "--data", "data", "--id", "report-c")[0] == 0
    with (project / "data" / "all.yaml").open("a", encoding="utf-8") as out:
        out.write("claims: [\n")
    write_files(project / "inbox", {"d.txt": "Another report\n"})
    code, _, err = invoke("add-source", "inbox/d.txt", "--data", "data")
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 2 and lines[0].startswith("data/all.yaml:"), err  # the TODOs of report-c are not why it stops
    assert lines[1] == (
        "1 error, 0 warnings: nothing was written: a source is added to a dataset that reads without errors (values still TODO may wait)"
    )
    assert not (project / "data" / "texts" / "d.txt").exists()


def test_a_todo_outside_a_source_makes_its_record_unreadable(project: Path) -> None:
    data = (project / "data" / "all.yaml").read_text(encoding="utf-8").replace("name: Home Office", "name: TODO")
    (project / "data" / "all.yaml").write_text(data, encoding="utf-8")
    code, out, _ = invoke("check", "--data", "data", "--no-shacl")
    assert code == 1
    assert out.splitlines()[0] == (
        "data/all.yaml:8:29: name: still to fill in (TODO); fill it in from the source (kg add-source left it for you)"
    )
    assert out.splitlines()[-1] == "1 error, 0 warnings; 4 records; 2 of 2 evidence quotes grounded in their sources"


def _plain(node: Node) -> object:
    """A parsed YAML node as an editor's YAML 1.2 core schema types it (what the schema is checked against)."""
    if isinstance(node, Mapping):
        return {key: _plain(value) for key, (_, value) in node.items.items()}
    if isinstance(node, Sequence):
        return [_plain(item) for item in node.items]
    assert isinstance(node, Scalar)
    if not node.plain:
        return node.value
    if node.value in ("true", "false"):
        return node.value == "true"
    if node.value in ("", "~", "null"):
        return None
    if re.fullmatch(r"-?[0-9]+", node.value):
        return int(node.value)
    if re.fullmatch(r"-?[0-9]+\.[0-9]+", node.value):
        return float(node.value)
    return node.value


def test_every_bundled_file_conforms_to_the_schema() -> None:
    validator = jsonschema.Draft202012Validator(json_schema())
    files = sorted(bundled_data().glob("*.yaml"))
    assert len(files) == 13
    for path in files:
        root, problems = parse(path.name, path.read_text(encoding="utf-8"))
        assert root is not None and not problems
        errors = [f"{path.name}: {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(_plain(root))]
        assert errors == []


def test_the_schema_flags_what_the_loader_refuses() -> None:
    validator = jsonschema.Draft202012Validator(json_schema())
    record = {"id": "Home Office", "kind": "report", "title": "T", "publisher": "unknown", "author": "unknown", "colour": "red"}
    messages = sorted(e.message for e in validator.iter_errors({"sources": [record]}))
    assert messages == [
        "'Home Office' does not match '^[a-z0-9]+(?:-[a-z0-9]+)*$'",
        "Additional properties are not allowed ('colour' was unexpected)",
    ]


def test_the_over_long_id_message_suggests_whole_words(tmp_path: Path) -> None:
    long_id = "operation-" + "-".join(["safeguarding"] * 6)  # 87 characters; 64 would end in "-sa"
    data = write_files(tmp_path / "data", {"all.yaml": f"measures:\n  - {{id: {long_id}, name: x}}\n"})
    code, out, _ = invoke("check", "--data", str(data), "--no-shacl")
    assert code == 1
    assert out.splitlines()[0] == (
        f"{data / 'all.yaml'}:2:10: id: '{long_id[:40]}…{long_id[-10:]}' breaks the id rule"
        " (lowercase letters and digits joined by single hyphens,"
        " at most 64 characters); write it as 'operation-safeguarding-safeguarding-safeguarding-safeguarding'"
    )


def test_coverage_of_an_unknown_source_is_a_tool_failure(project: Path) -> None:
    code, _, err = invoke("coverage", "--data", "data", "report-z")
    assert (code, err) == (2, "Error: no source has the id 'report-z'; sources: report-a\n")


def test_add_source_never_writes_into_the_bundled_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.txt").write_text(REPORT_C, encoding="utf-8")
    code, _, err = invoke("add-source", "c.txt")
    assert (code, err) == (
        2,
        "Error: no ./data folder here: give --data DIR, the dataset the new source joins (the bundled one is read-only)\n",
    )


def test_coverage_says_when_a_source_has_no_text_to_read(project: Path) -> None:
    data = (project / "data" / "all.yaml").read_text(encoding="utf-8")
    data = data.replace(
        "sources:\n", "sources:\n  - {id: report-b, kind: report, title: B, publisher: unknown, author: unknown, undated: true}\n", 1
    )
    (project / "data" / "all.yaml").write_text(data, encoding="utf-8")
    code, out, _ = invoke("coverage", "--data", "data", "report-b")
    assert (code, out) == (
        0,
        "report-b: no text to read (kg check says why: give --texts FOLDER, add 'text:' to the source, or fix the text)\n",
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            "../../escape",
            "Error: --id '../../escape' breaks the id rule (lowercase letters and digits joined by single hyphens,"
            " at most 64 characters): give --id escape\n",
        ),
        (
            "Bad Id",
            "Error: --id 'Bad Id' breaks the id rule (lowercase letters and digits joined by single hyphens,"
            " at most 64 characters): give --id bad-id\n",
        ),
        ("report-a", "Error: --id 'report-a' is the id of a record already: give the new source another\n"),
    ],
)
def test_add_source_refuses_an_id_that_breaks_the_rule_or_is_taken_and_writes_nothing(project: Path, given: str, message: str) -> None:
    """The id also names the skeleton's file: '../../escape' would have written outside the dataset."""
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    code, out, err = invoke("add-source", "inbox/c.txt", "--data", "data", "--id", given)
    assert (code, out, err) == (2, "", message)
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


def test_diff_reads_every_graph_of_a_trig_or_n_quads_export(project: Path) -> None:
    """Their facts sit in the default graph and each source's provenance in a graph of its own:
    a review read only the default graph, and saw no fact at all."""
    for fmt, name in [("turtle", "a.ttl"), ("trig", "a.trig"), ("nquads", "a.nq")]:
        assert invoke("export", "--data", "data", "-f", fmt, "-o", name)[0] == 0
    (project / "empty.nq").write_text("", encoding="utf-8")
    code, from_turtle, _ = invoke("diff", "empty.nq", "a.ttl")
    assert code == 1 and from_turtle.splitlines()[-1] == "3 facts added, 0 removed, 0 changed"
    for name in ("a.trig", "a.nq"):
        assert invoke("diff", name, "a.ttl") == (0, "0 facts added, 0 removed, 0 changed\n", "")
        assert invoke("diff", "empty.nq", name) == (1, from_turtle, "")


def readme_output(command: str) -> list[str]:
    """The lines the README shows after its first ``$ command``, up to the next command or block end."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == f"$ {command}") + 1
    shown = []
    for line in lines[start:]:
        if line.strip().startswith(("$ ", "```")):
            return shown
        shown.append(line.strip())
    return shown


def test_the_readme_walkthrough_runs_on_its_shipped_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The walkthrough's third text ships in docs/walkthrough/, and gives the output the README shows."""
    report = README.parent / "docs" / "walkthrough" / "report.txt"
    shutil.copytree(bundled_data(), tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("add-source", str(report), "--data", "data")
    assert code == 0, err
    assert err.splitlines() == readme_output("kg add-source ../docs/walkthrough/report.txt --data data")
    code, out, _ = invoke("coverage", "--data", "data", "taskforce-support-reaches-every-force")
    assert out.splitlines() == readme_output("kg coverage --data data taskforce-support-reaches-every-force")


def test_diff_of_a_dataset_with_one_error_counts_it_in_the_singular(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "all.yaml").write_text("organisations:\n  - {id: office, name: Office}\n", encoding="utf-8")  # no sources: one error
    result = CliRunner().invoke(cli, ["diff", str(data), str(data)])
    assert result.exit_code == 2
    assert result.output == f"Error: {data}: the dataset has 1 error; run kg check --data {data}\n"
