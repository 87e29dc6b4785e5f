"""Every curator mistake gives one precise line ``path:line:column: field: message; hint``.

Each test starts from a small valid dataset (written by the ``data`` fixture), makes one
mistake in it, and asserts the whole problem line that ``kg check`` prints, its exit
status 1, and that ``kg export`` on the same data exits 1 without writing anything.
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

import kg.check
import kg.yamlnodes
from kg.cli import cli

TEXT = (
    "The Grooming Gangs Taskforce, funded by the Home Office, has made more than 550 arrests "
    "in the last year, according to the Home Office. A spokesperson said: "
    '"We must do more to protect children."\n'
)
OTHER_TEXT = "Ministers visited Essex Police on Monday to thank the officers.\n"

BASE = {
    "sources.yaml": """\
sources:
  - id: article-one
    kind: news-article
    title: "Taskforce makes 550 arrests"
    publisher: "Example News"
    author: unknown
    published: "2024-05-21"
    text:
      file: article-one.txt
      sha256: {sha256}
""",
    "organisations.yaml": """\
organisations:
  - id: home-office
    name: "Home Office"
    sources:
      - source: article-one
        evidence: "according to the Home Office"
""",
    "initiatives.yaml": """\
initiatives:
  - id: grooming-gangs-taskforce
    name: "Grooming Gangs Taskforce"
    kind: taskforce
    sources:
      - source: article-one
        evidence: "The Grooming Gangs Taskforce"
""",
    "measures.yaml": """\
measures:
  - id: arrests
    name: "arrests"
""",
    "statements.yaml": """\
statements:
  - id: taskforce-funded-by-home-office
    subject: grooming-gangs-taskforce
    predicate: funded-by
    object: home-office
    sources:
      - source: article-one
        evidence: "funded by the Home Office"
""",
    "statistics.yaml": """\
statistics:
  - id: stat-arrests-more-than-550
    counts: arrests
    value: 550
    comparator: more-than
    unit: count
    about: grooming-gangs-taskforce
    period:
      label: "in the last year"
      duration: P1Y
      start: "2023-05"
      end: "2024-05"
    sources:
      - source: article-one
        evidence: "more than 550 arrests in the last year"
        status: attributed
        attributed_to: home-office
""",
    "quotes.yaml": """\
quotes:
  - id: quote-we-must-do-more
    speaker: home-office
    text: "We must do more to protect children."
    sources:
      - source: article-one
""",
}
SUMMARY = re.compile(r"(\d+) errors?, (\d+) warnings?; \d+ records?; \d+ of \d+ evidence quotes grounded in their sources")
OLD_GRAPH = b"# the graph exported before the mistake\n"
#: Syntax errors are worded by the parser; these tests assert libyaml's words.
libyaml_words = pytest.mark.skipif(
    not getattr(yaml, "__with_libyaml__", False), reason="PyYAML without libyaml words syntax errors differently"
)


class Data:
    """A curated dataset in a temporary folder: ``data/*.yaml`` and ``texts/*.txt``."""

    def __init__(self, root: Path):
        self.root = root
        self.folder = root / "data"
        self.texts = root / "texts"

    def write_text(self, name: str, text: str) -> str:
        """Save a source text; its SHA-256."""
        data = text.encode("utf-8")
        (self.texts / name).write_bytes(data)
        return hashlib.sha256(data).hexdigest()

    def edit(self, name: str, old: str, new: str) -> None:
        """Replace the one occurrence of ``old`` in a curated file."""
        path = self.folder / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def append(self, name: str, text: str) -> None:
        with (self.folder / name).open("a", encoding="utf-8") as out:
            out.write(text)

    def add_source(self, source_id: str, file: str, text: str) -> None:
        """Save ``text`` as ``file`` and append a second source, published a day later, that names it."""
        sha256 = self.write_text(file, text)
        self.append(
            "sources.yaml",
            f"""\
  - id: {source_id}
    kind: news-article
    title: "Ministers visit Essex Police"
    publisher: "Example News"
    author: unknown
    published: "2024-05-22"
    text:
      file: {file}
      sha256: {sha256}
""",
        )

    def run(self, command: str, *extra: str) -> Result:
        args = [command, "--data", str(self.folder), "--texts", str(self.texts), *extra]
        result = CliRunner().invoke(cli, args)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # a crash, not a report
        return result

    def check(self) -> Result:
        return self.run("check", "--no-shacl")

    def assert_problems(self, *expected: str, warnings: int = 0) -> None:
        """``kg check`` prints exactly these problem lines and a summary, and exits 1;
        ``kg export`` exits 1 and leaves the output file as it was."""
        result = self.check()
        lines = result.stdout.splitlines()
        assert lines[:-1] == list(expected), result.stdout
        summary = SUMMARY.fullmatch(lines[-1])
        assert summary, lines[-1]
        assert (int(summary[1]), int(summary[2])) == (len(expected) - warnings, warnings)
        assert result.exit_code == 1
        self.assert_export_refused(*expected)

    def assert_export_refused(self, *expected: str) -> None:
        output = self.root / "graph.ttl"
        output.write_bytes(OLD_GRAPH)
        before = sorted(self.root.iterdir())
        result = self.run("export", "-o", str(output))
        assert result.exit_code == 1, result.output
        assert output.read_bytes() == OLD_GRAPH
        assert sorted(self.root.iterdir()) == before  # no half-written file left behind
        assert result.stdout == ""
        n_warnings = sum(": warning: " in line for line in expected)
        n_errors = len(expected) - n_warnings
        counts = f"{n_errors} error{'s' * (n_errors != 1)}, {n_warnings} warning{'s' * (n_warnings != 1)}"
        assert result.stderr.endswith(f"{counts}: nothing was written\n"), result.stderr
        for line in expected:
            assert line in result.stderr.splitlines()


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Data:
    """The small valid dataset every test spoils in one way."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KG_TEXTS", raising=False)
    dataset = Data(tmp_path)
    dataset.folder.mkdir()
    dataset.texts.mkdir()
    sha256 = dataset.write_text("article-one.txt", TEXT)
    for name, text in BASE.items():
        (dataset.folder / name).write_text(text.replace("{sha256}", sha256), encoding="utf-8")
    return dataset


def test_the_valid_base_dataset_checks_clean_and_exports(data: Data) -> None:
    result = data.check()
    assert result.stdout == "0 errors, 0 warnings; 7 records; 5 of 5 evidence quotes grounded in their sources\n"
    assert result.exit_code == 0
    exported = data.run("export", "-o", "graph.ttl")
    assert exported.exit_code == 0, exported.output
    assert (data.root / "graph.ttl").read_bytes().startswith(b"@prefix")


# --- files that cannot be read as YAML --------------------------------------------------------


@libyaml_words
def test_malformed_yaml_gives_the_parsers_position(data: Data) -> None:
    data.edit("statistics.yaml", "    counts: arrests\n", "    counts: [arrests\n")
    data.assert_problems(
        "data/statistics.yaml:4:10: yaml: the file is not valid YAML: did not find expected ',' or ']'"
        " (while parsing a flow sequence at line 3, column 13); close the list with ']'"
    )


@libyaml_words
def test_indenting_with_a_tab_is_malformed_yaml(data: Data) -> None:
    data.edit("organisations.yaml", "    name:", "\tname:")
    data.assert_problems(
        "data/organisations.yaml:3:1: yaml: the file is not valid YAML: found a tab character that violates indentation"
        " (while scanning a plain scalar at line 2, column 9); indent with spaces, not tabs"
    )


@libyaml_words
def test_text_with_an_unquoted_colon_is_malformed_yaml(data: Data) -> None:
    data.edit("sources.yaml", 'title: "Taskforce makes 550 arrests"', "title: Taskforce: 550 arrests")
    data.assert_problems(
        "data/sources.yaml:4:21: yaml: the file is not valid YAML: mapping values are not allowed in this context;"
        " put text that holds ': ' in double quotes, or fix the indentation"
    )


def test_a_file_that_is_not_utf8(data: Data) -> None:
    (data.folder / "measures.yaml").write_bytes(b'measures:\n  - id: arrests\n    name: "arr\xe9sts"\n')
    # the measure cannot be read, but the statistic that counts it is not blamed for that
    data.assert_problems("data/measures.yaml:3:15: file: the file is not UTF-8 (byte 0xe9 cannot be decoded); save the file as UTF-8")


def test_a_duplicate_key_in_a_mapping(data: Data) -> None:
    data.edit("statistics.yaml", "    unit: count\n", "    unit: count\n    counts: arrests\n")
    data.assert_problems(
        "data/statistics.yaml:7:5: counts: duplicate key 'counts' (the first is at line 3, column 5);"
        " remove one of them: YAML would silently keep only the last"
    )


def test_an_alias_bomb_is_refused_quickly(data: Data) -> None:
    lol = ", ".join(['"lol"'] * 9)
    lines = [f"a: &a [{lol}]"]
    for name, previous in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    (data.folder / "laughs.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    data.assert_problems(
        "data/laughs.yaml:1:4: yaml: YAML anchors (&a) are not allowed in curated files; remove the anchor and write values out in full"
    )
    assert time.perf_counter() - started < 5


def test_an_alias_alone_is_refused(data: Data) -> None:
    data.edit("organisations.yaml", '    name: "Home Office"', "    name: *home")
    data.assert_problems(
        "data/organisations.yaml:3:11: yaml: YAML aliases (*name) are not allowed in curated files; write the value out in full"
    )


#: The YAML parsers the reader may run on: libyaml's (where PyYAML was built with it) and
#: PyYAML's own. libyaml 0.2.6 and later stop at 1,000 levels of their own, reading ahead.
PARSERS = [pytest.param(getattr(yaml, "CSafeLoader", None), id="libyaml"), pytest.param(yaml.SafeLoader, id="pure")]

DEEP_NESTING = {
    "flow-closed": "claims: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "flow-unclosed": "claims: " + "[" * 10_000 + "\n",
    "flow-mappings": "claims: " + "{a: " * 10_000 + "\n",
    "block": "claims:\n" + "".join("  " * depth + "-\n" for depth in range(1, 3_000)),
}


@pytest.mark.parametrize("loader", PARSERS)
@pytest.mark.parametrize(
    ("text", "position"),
    [
        (DEEP_NESTING["flow-closed"], "1:40"),
        (DEEP_NESTING["flow-unclosed"], "1:40"),
        (DEEP_NESTING["flow-mappings"], "1:133"),
        (DEEP_NESTING["block"], "33:65"),
    ],
    ids=["closed", "unclosed", "mappings", "block"],
)
def test_very_deep_nesting_is_refused_without_a_crash(
    data: Data, monkeypatch: pytest.MonkeyPatch, loader: type | None, text: str, position: str
) -> None:
    """The project's own message, at the 33rd level, whatever nesting limit the parser has of its own."""
    if loader is None:
        pytest.skip("this PyYAML was built without libyaml")
    monkeypatch.setattr(kg.yamlnodes, "_Loader", loader)
    (data.folder / "deep.yaml").write_text(text, encoding="utf-8")
    data.assert_problems(
        f"data/deep.yaml:{position}: yaml: the file nests lists and mappings more than 32 deep;"
        " curated records need only a few levels: flatten the structure"
    )


@pytest.mark.parametrize("loader", PARSERS)
def test_nesting_past_the_parsers_own_limit_still_gets_the_projects_message(
    data: Data, monkeypatch: pytest.MonkeyPatch, loader: type | None
) -> None:
    """With the reader's limit above libyaml's 1,000, libyaml's refusal is told in the reader's words."""
    if loader is None:
        pytest.skip("this PyYAML was built without libyaml")
    monkeypatch.setattr(kg.yamlnodes, "_Loader", loader)
    monkeypatch.setattr(kg.yamlnodes, "MAX_DEPTH", 5_000)
    (data.folder / "deep.yaml").write_text(DEEP_NESTING["flow-closed"], encoding="utf-8")
    result = data.check()
    problems = result.stdout.splitlines()[:-1]
    assert [re.sub(r"^data/deep.yaml:1:\d+: ", "", line) for line in problems] == [
        "yaml: the file nests lists and mappings more than 5000 deep; curated records need only a few levels: flatten the structure"
    ], result.stdout
    assert result.exit_code == 1


def test_a_file_over_the_size_limit(data: Data, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kg.yamlnodes, "MAX_FILE_BYTES", 1000)
    (data.folder / "big.yaml").write_text("# padding\n" * 150 + "claims: []\n", encoding="utf-8")
    data.assert_problems(
        "data/big.yaml:1:1: file: the file is 1,511 bytes, more than the 1,000 a curated file may have;"
        " split it into several files in the same folder"
    )


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('!!python/object:os.system "Home Office"', "!!python/object:os.system"),
        ('!!python/object/apply:os.system ["echo owned"]', "!!python/object/apply:os.system"),
        ('!!str "Home Office"', "!!str"),
        ('!custom "Home Office"', "!custom"),
    ],
)
def test_yaml_tags_are_refused(data: Data, value: str, written: str) -> None:
    data.edit("organisations.yaml", '"Home Office"', value)
    data.assert_problems(
        f"data/organisations.yaml:3:11: yaml: YAML tags ({written}) are not allowed in curated files;"
        " remove the tag and write the plain value"
    )


# --- fields --------------------------------------------------------------------------------------


def test_an_unknown_field_suggests_the_closest_known_one(data: Data) -> None:
    data.edit("statistics.yaml", "    unit: count\n", "    unit: count\n    plase: england\n")
    data.assert_problems("data/statistics.yaml:7:5: plase: unknown field 'plase'; did you mean 'place'?")


def test_a_missing_required_field(data: Data) -> None:
    data.edit("statistics.yaml", "    counts: arrests\n", "")
    data.assert_problems("data/statistics.yaml:2:5: counts: missing required field 'counts'; add 'counts:' to this record")


def test_a_list_where_text_belongs(data: Data) -> None:
    data.edit("organisations.yaml", 'name: "Home Office"', 'name: ["Home Office"]')
    # the organisation is not read, but nothing that refers to it is blamed for that
    data.assert_problems(
        "data/organisations.yaml:3:11: name: must be text, not a list; write a single value, not a '- item' list or [brackets]"
    )


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2024-13-45", "'2024-13-45': month 13 does not exist; months run from 01 to 12"),
        ("2024-02-30", "'2024-02-30': day 30 does not exist (2024-02 has 29 days); check the date in the source"),
        (
            "21/05/2024",
            "'21/05/2024' is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY;"
            " write e.g. 2024-05-21 (day), 2023-04 (month) or 2023 (year)",
        ),
    ],
)
def test_impossible_and_badly_formatted_dates(data: Data, date: str, message: str) -> None:
    data.edit("sources.yaml", '"2024-05-21"', f'"{date}"')
    data.assert_problems(f"data/sources.yaml:7:16: published: {message}")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"550"', "'550' is written as text (in quotes); write the number without quotes: 550"),
        ("4,000", "'4,000' has thousands separators; write the number as 4000, without separators or quotes"),
        ("1 234 567.5", "'1 234 567.5' has thousands separators; write the number as 1234567.5, without separators or quotes"),
        (
            "1,5",
            "'1,5' is unclear: its separators do not group the digits in threes;"
            " write 1.5 if the comma is a decimal point, else the number as the source gives it, without separators (e.g. 15)",
        ),
        (
            "12,00,000",
            "'12,00,000' is unclear: its separators do not group the digits in threes;"
            " write the number as the source gives it, without separators (e.g. 1200000)",
        ),
        ("0550", "'0550' has a leading zero; write it as 550"),
        (
            "five hundred",
            "'five hundred' is not a number; write digits only, e.g. 550 or 12.5, and put words such as 'more than' in comparator",
        ),
    ],
)
def test_numbers_written_as_text_or_with_separators_or_leading_zeros(data: Data, value: str, message: str) -> None:
    data.edit("statistics.yaml", "value: 550", f"value: {value}")
    data.assert_problems(f"data/statistics.yaml:4:12: value: {message}")


def test_a_misspelt_required_field_is_one_mistake_not_two(data: Data) -> None:
    """The misspelling is reported with its correction, and the field it stands for not also as missing."""
    data.edit("statistics.yaml", "comparator: more-than", "comparitor: more-than")
    data.assert_problems("data/statistics.yaml:5:5: comparitor: unknown field 'comparitor'; did you mean 'comparator'?")


def test_an_unknown_comparator_suggests_the_closest(data: Data) -> None:
    data.edit("statistics.yaml", "comparator: more-than", "comparator: more than")
    data.assert_problems(
        "data/statistics.yaml:5:17: comparator: unknown comparator 'more than'; did you mean 'more-than'?"
        " allowed: exactly, more-than, at-least, fewer-than, at-most, approximately, multiples-of, unqualified"
    )


def test_an_unknown_unit(data: Data) -> None:
    data.edit("statistics.yaml", "unit: count", "unit: people")
    data.assert_problems("data/statistics.yaml:6:11: unit: unknown unit 'people'; allowed: count, percent")


@pytest.mark.parametrize(
    ("written", "character"),
    [
        ('"Home\\0 Office"', "a control character (U+0000)"),
        ('"Home\x00 Office"', "a control character (U+0000)"),
        ("Home\x07 Office", "a control character (U+0007)"),
        ('"Home\\e Office"', "a control character (U+001B)"),
    ],
    ids=["nul-escape", "raw-nul", "raw-bell", "escape-escape"],
)
def test_control_characters_are_refused_naming_the_field(data: Data, written: str, character: str) -> None:
    data.edit("organisations.yaml", '"Home Office"', written)
    data.assert_problems(
        f"data/organisations.yaml:3:11: name: holds {character} at character 5;"
        " remove it: curated text may hold tabs and newlines but no other control characters"
    )


def test_a_control_character_after_todo_is_refused_as_a_control_character(data: Data) -> None:
    """'TODO\\0' was taken for a placeholder: the character, which no text may hold, went unnamed."""
    data.edit("organisations.yaml", '"Home Office"', '"TODO\\0"')
    data.assert_problems(
        "data/organisations.yaml:3:11: name: holds a control character (U+0000) at character 5;"
        " remove it: curated text may hold tabs and newlines but no other control characters"
    )


@pytest.mark.parametrize(("escape", "code"), [("\\ud800", "D800"), ("\\U0000DC00", "DC00")])
def test_a_lone_surrogate_is_refused_naming_the_field(data: Data, escape: str, code: str) -> None:
    data.edit("organisations.yaml", '"Home Office"', f'"Home{escape} Office"')
    data.assert_problems(
        f"data/organisations.yaml:3:11: name: holds a lone surrogate (U+{code}) at character 5;"
        " remove it: half of a character pair is no character and cannot be saved as UTF-8"
    )


def test_a_json_style_surrogate_pair_is_refused_with_the_right_escape(data: Data) -> None:
    data.edit("organisations.yaml", '"Home Office"', '"Home\\ud83d\\ude00 Office"')
    data.assert_problems(
        "data/organisations.yaml:3:11: name: holds a surrogate pair (U+D83D U+DE00) at character 5;"
        " write the character itself, or as one escape: \\U0001F600"
    )


def test_a_control_character_outside_any_text(data: Data) -> None:
    data.edit("organisations.yaml", 'name: "Home Office"', 'name: "Home Office"\x00')
    data.assert_problems("data/organisations.yaml:3:24: yaml: the file holds a control character (U+0000) outside any text; remove it")


def test_a_control_character_in_a_field_name(data: Data) -> None:
    data.edit("organisations.yaml", "    name:", "    na\x00me:")
    data.assert_problems("data/organisations.yaml:3:5: name: the field name 'na\\x00me' holds a control character (U+0000); remove it")


# --- ids and references --------------------------------------------------------------------------


def test_a_duplicate_id_names_the_first_place(data: Data) -> None:
    data.edit("statements.yaml", "id: taskforce-funded-by-home-office", "id: home-office")
    data.assert_problems(
        "data/statements.yaml:2:9: id: duplicate id 'home-office' (first at data/organisations.yaml:2:9);"
        " ids must be unique across the whole dataset: rename one"
    )


def test_a_duplicate_source_id_is_one_error_and_the_first_source_keeps_its_evidence(data: Data) -> None:
    """A second source with an existing id is one mistake: the first source's quotes are still
    checked against the first source's text, not against the second one's."""
    data.add_source("article-one", "other.txt", OTHER_TEXT)
    data.assert_problems(
        "data/sources.yaml:11:9: id: duplicate id 'article-one' (first at data/sources.yaml:2:9);"
        " ids must be unique across the whole dataset: rename one"
    )
    assert data.check().stdout.endswith("; 5 of 5 evidence quotes grounded in their sources\n")


def test_a_copied_file_of_records_counts_each_quote_once(data: Data) -> None:
    """Records whose ids are taken are reported as duplicates; their quotes are neither
    checked nor counted until they are renamed, so every counted quote is accounted for."""
    (data.folder / "statistics-copy.yaml").write_text((data.folder / "statistics.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = data.check()
    summary = "1 error, 0 warnings; 8 records; 5 of 5 evidence quotes grounded in their sources"
    assert result.stdout.splitlines()[1:] == [summary], result.stdout  # the duplicate id, then this: no note of a copy


def test_an_id_that_breaks_the_id_rule(data: Data) -> None:
    data.edit("organisations.yaml", "id: home-office", "id: Home Office")
    # references to home-office are not blamed: the one mistake is the id
    data.assert_problems(
        "data/organisations.yaml:2:9: id: 'Home Office' breaks the id rule (lowercase letters and digits joined by"
        " single hyphens, at most 64 characters); write it as 'home-office'"
    )


def test_a_reference_to_a_missing_id_suggests_the_closest(data: Data) -> None:
    data.edit("statements.yaml", "object: home-office", "object: home-ofice")
    data.assert_problems("data/statements.yaml:5:13: object: no organisation has the id 'home-ofice'; did you mean 'home-office'?")


def test_a_reference_to_a_record_of_the_wrong_kind(data: Data) -> None:
    data.edit("statements.yaml", "object: home-office", "object: arrests")
    data.assert_problems(
        "data/statements.yaml:5:13: object: 'arrests' is a measure, but object needs an organisation; point it at an organisation"
    )


# --- sources and evidence --------------------------------------------------------------------------

CITATION = """\
    sources:
      - source: article-one
        evidence: "funded by the Home Office"
"""


@pytest.mark.parametrize(
    ("replacement", "expected"),
    [
        (
            "    sources: []\n",
            "data/statements.yaml:6:14: sources: must list at least one source;"
            " every fact needs a source: add '- source: ID' with its 'evidence:' quote",
        ),
        (
            "",
            "data/statements.yaml:2:5: sources: missing required field 'sources';"
            " every fact needs a source: add 'sources:' with '- source: ID' and its 'evidence:' quote",
        ),
    ],
    ids=["empty", "missing"],
)
def test_a_fact_with_no_source(data: Data, replacement: str, expected: str) -> None:
    data.edit("statements.yaml", CITATION, replacement)
    data.assert_problems(expected)


def test_a_citation_with_no_evidence(data: Data) -> None:
    data.edit("statements.yaml", '        evidence: "funded by the Home Office"\n', "")
    data.assert_problems(
        "data/statements.yaml:7:9: sources[1].evidence: missing required field 'evidence';"
        " add 'evidence:' with the words of the source that support the fact, copied exactly"
    )


def test_attributed_status_without_attributed_to(data: Data) -> None:
    data.edit("statistics.yaml", "        attributed_to: home-office\n", "")
    data.assert_problems(
        "data/statistics.yaml:14:9: sources[1].attributed_to: status 'attributed' needs attributed_to:"
        " who the source attributes it to; add 'attributed_to: ID' of the person or organisation"
    )


def test_a_period_that_ends_before_it_starts(data: Data) -> None:
    data.edit("statistics.yaml", 'end: "2024-05"', 'end: "2022-05"')
    data.assert_problems(
        "data/statistics.yaml:12:12: period.end: the period ends (2022-05) before it starts (2023-05); swap start and end, or fix the dates"
    )


def test_evidence_not_in_the_source_names_the_closest_passage(data: Data) -> None:
    data.edit("statements.yaml", '"funded by the Home Office"', '"paid for by the Home Office"')
    data.assert_problems(
        "data/statements.yaml:8:19: sources[1].evidence: not found verbatim in article-one"
        " (the closest passage is 'Taskforce, funded by the Home Office');"
        " copy the words exactly as the source has them"
    )


def test_a_quote_with_one_word_changed(data: Data) -> None:
    data.edit("statistics.yaml", "arrests in the last year", "arrests in the past year")
    data.assert_problems(
        "data/statistics.yaml:15:19: sources[1].evidence: not found verbatim in article-one"
        " (the closest passage is 'more than 550 arrests in the last year');"
        " copy the words exactly as the source has them"
    )


def test_a_misquoted_figure_is_not_also_read_for_its_wording(data: Data) -> None:
    """Words that are not the source's ("more then") are no guide to the comparator: the one
    message is the misquote, not advice to change a correct record."""
    data.edit("statistics.yaml", '"more than 550 arrests', '"more then 550 arrests')
    data.assert_problems(
        "data/statistics.yaml:15:19: sources[1].evidence: not found verbatim in article-one"
        " (the closest passage is 'more than 550 arrests in the last year');"
        " copy the words exactly as the source has them"
    )


def test_a_quotation_not_in_its_source(data: Data) -> None:
    data.edit("quotes.yaml", "We must do more to protect children.", "We must do more to protect our children.")
    data.assert_problems(
        "data/quotes.yaml:4:11: text: not found verbatim in article-one"
        " (the closest passage is '\"We must do more to protect children.\"');"
        " copy the words exactly as the source has them"
    )


def cite_article_two_for_words_of_article_one(data: Data) -> None:
    data.add_source("article-two", "article-two.txt", OTHER_TEXT)
    data.edit("organisations.yaml", "source: article-one", "source: article-two")


def test_evidence_attributed_to_the_wrong_source(data: Data) -> None:
    cite_article_two_for_words_of_article_one(data)
    data.assert_problems(
        "data/organisations.yaml:6:19: sources[1].evidence: not found verbatim in article-two"
        " (the closest passage is 'on Monday to thank the officers.'); the words are in article-one:"
        " cite that source, or copy the words exactly as article-two has them"
    )


def test_misquotes_past_the_hinted_ones_are_reported_without_a_search(data: Data, monkeypatch: pytest.MonkeyPatch) -> None:
    """The closest passage and the other texts are searched for a check's first misquotes
    only, so that a dataset of misquotes cannot make a check take hours."""
    monkeypatch.setattr(kg.check, "HINTED_MISQUOTES", 1)
    data.edit("organisations.yaml", '"according to the Home Office"', '"according to the Home Offices"')
    data.edit("statements.yaml", '"funded by the Home Office"', '"paid for by the Home Office"')
    data.assert_problems(
        "data/organisations.yaml:6:19: sources[1].evidence: not found verbatim in article-one"
        " (the closest passage is 'according to the Home Office.'); copy the words exactly as the source has them",
        "data/statements.yaml:8:19: sources[1].evidence: not found verbatim in article-one"
        " (past the first 1 misquotes, no closest passage is looked for); copy the words exactly as the source has them",
    )


def test_other_texts_are_searched_for_a_misquote_within_a_budget(data: Data, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kg.check, "ELSEWHERE_BUDGET", len(TEXT) // 2)  # not the whole of article-one
    cite_article_two_for_words_of_article_one(data)
    data.assert_problems(
        "data/organisations.yaml:6:19: sources[1].evidence: not found verbatim in article-two"
        " (the closest passage is 'on Monday to thank the officers.'); copy the words exactly as the source has them"
    )


def test_a_source_text_whose_sha256_no_longer_matches(data: Data) -> None:
    changed = data.write_text("article-one.txt", TEXT.replace("550", "551"))
    data.assert_problems(
        f"data/sources.yaml:10:15: text.sha256: the text at texts/article-one.txt has changed since curation"
        f" (its SHA-256 is {changed});"
        " re-check every evidence quote of this source against the new text, then record the new hash"
    )


# --- the data folder, and many mistakes at once -----------------------------------------------------


@pytest.mark.parametrize("command", [["check", "--no-shacl"], ["export", "-o", "graph.ttl"]])
def test_an_unreadable_data_folder_exits_2_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [command[0], "--data", "/nonexistent", *command[1:]])
    assert result.exit_code == 2
    assert result.output == "Error: /nonexistent: no such data folder; give --data a folder of curated *.yaml files\n"
    assert not (tmp_path / "graph.ttl").exists()


@libyaml_words
def test_several_mistakes_are_all_reported(data: Data) -> None:
    data.edit("statistics.yaml", "value: 550", 'value: "550"')
    data.edit("statistics.yaml", "comparator: more-than", "comparator: more than")
    data.edit("statements.yaml", "object: home-office", "object: home-ofice")
    data.edit("organisations.yaml", 'name: "Home Office"', 'name: "Home Office"\n    nmae: "HO"')
    data.edit("initiatives.yaml", '"The Grooming Gangs Taskforce"', '"The Grooming Gang Taskforce"')
    data.append(
        "sources.yaml",
        """\
  - id: article-two
    kind: news-article
    title: "Ministers visit Essex Police"
    publisher: "Example News"
    author: unknown
    published: "2024-05-22"
""",
    )
    data.edit("quotes.yaml", "source: article-one", "source: article-two")
    (data.folder / "claims.yaml").write_text("claims:\n  - id: [claim\n", encoding="utf-8")
    data.assert_problems(
        "data/claims.yaml:3:1: yaml: the file is not valid YAML: did not find expected ',' or ']'"
        " (while parsing a flow sequence at line 2, column 9); close the list with ']'",
        "data/initiatives.yaml:7:19: sources[1].evidence: not found verbatim in article-one"
        " (the closest passage is 'The Grooming Gangs Taskforce'); copy the words exactly as the source has them",
        "data/organisations.yaml:4:5: nmae: unknown field 'nmae'; did you mean 'name'?",
        "data/sources.yaml:11:5: warning: text: 1 evidence quote of article-two not checked: it names no text;"
        " add 'text: {file: NAME, sha256: HASH}' to the source to check its evidence",
        "data/statements.yaml:5:13: object: no organisation has the id 'home-ofice'; did you mean 'home-office'?",
        "data/statistics.yaml:4:12: value: '550' is written as text (in quotes); write the number without quotes: 550",
        "data/statistics.yaml:5:17: comparator: unknown comparator 'more than'; did you mean 'more-than'?"
        " allowed: exactly, more-than, at-least, fewer-than, at-most, approximately, multiples-of, unqualified",
        warnings=1,
    )


def test_a_nested_mapping_written_as_a_plain_value_is_named_by_its_field(data: Data) -> None:
    data.edit("sources.yaml", "    text:\n      file: article-one.txt\n      sha256:", "    text: article-one.txt\n    # sha256:")
    data.assert_problems(
        "data/sources.yaml:8:11: text: must be a mapping of fields, not 'article-one.txt';"
        " write 'field: value' lines, each field on its own line"
    )


# --- a figure its evidence does not give (warnings: the export goes on) ----------------------


def assert_warnings(data: Data, *expected: str) -> None:
    """``kg check`` prints exactly these warning lines and exits 0; ``kg export`` still writes."""
    result = data.check()
    lines = result.stdout.splitlines()
    assert lines[:-1] == list(expected), result.stdout
    summary = SUMMARY.fullmatch(lines[-1])
    assert summary and (int(summary[1]), int(summary[2])) == (0, len(expected)), lines[-1]
    assert result.exit_code == 0
    assert data.run("export", "-o", str(data.root / "graph.ttl")).exit_code == 0


def test_a_value_the_evidence_does_not_give(data: Data) -> None:
    data.edit("statistics.yaml", "value: 550", "value: 600")
    assert_warnings(
        data,
        "data/statistics.yaml:4:12: warning: value: 600 is not in the evidence of sources[1] (article-one):"
        " it gives 'more than 550'; write the figure the evidence gives (digits only, its qualifying words"
        " in comparator), or quote the passage that gives this one",
    )


@pytest.mark.parametrize("comparator", ["fewer-than", "unqualified", "approximately"])
def test_a_comparator_the_evidence_contradicts(data: Data, comparator: str) -> None:
    data.edit("statistics.yaml", "comparator: more-than", f"comparator: {comparator}")
    assert_warnings(
        data,
        f"data/statistics.yaml:5:17: warning: comparator: the evidence of sources[1] (article-one) says"
        f" 'more than 550', not {comparator}; write comparator: more-than",
    )


def test_a_qualifier_the_evidence_leaves_out(data: Data) -> None:
    """Evidence quoting the bare number cannot back 'more than': the qualifier must be quoted too."""
    data.edit("statistics.yaml", 'evidence: "more than 550 arrests', 'evidence: "550 arrests')
    assert_warnings(
        data,
        "data/statistics.yaml:5:17: warning: comparator: the evidence of sources[1] (article-one) gives 550"
        " with no qualifying words, not more-than; write comparator: unqualified, or quote the words that"
        " qualify the figure",
    )


def figure_said_as(data: Data, words: str) -> None:
    """The source text and the statistic's evidence give the figure as ``words``, not "more than 550"."""
    sha256 = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    data.edit("sources.yaml", sha256, data.write_text("article-one.txt", TEXT.replace("more than 550", words)))
    data.edit("statistics.yaml", 'evidence: "more than 550', f'evidence: "{words}')


def test_a_range_in_the_evidence(data: Data) -> None:
    """'between 400 and 500 arrests' backs 400 at least; not 400 unqualified, nor the midpoint 450."""
    figure_said_as(data, "between 400 and 500")
    data.edit("statistics.yaml", "value: 550\n    comparator: more-than", "value: 400\n    comparator: at-least")
    assert_warnings(data)
    data.edit("statistics.yaml", "comparator: at-least", "comparator: unqualified")
    assert_warnings(
        data,
        "data/statistics.yaml:5:17: warning: comparator: the evidence of sources[1] (article-one) says"
        " 'between 400 and 500', not unqualified; write comparator: at-least or more-than",
    )
    data.edit("statistics.yaml", "value: 400", "value: 450")
    assert_warnings(
        data,
        "data/statistics.yaml:4:12: warning: value: 450 is not in the evidence of sources[1] (article-one):"
        " it gives 'between 400 and 500'; write the figure the evidence gives (digits only, its qualifying words"
        " in comparator), or quote the passage that gives this one",
    )


def test_a_value_not_in_evidence_whose_only_number_looks_like_a_year_names_that_number(data: Data) -> None:
    """'it gives no figure' was said of evidence that gives '2000', a number a year could be."""
    figure_said_as(data, "2000")
    data.edit("statistics.yaml", "value: 550\n    comparator: more-than", "value: 1999\n    comparator: unqualified")
    assert_warnings(
        data,
        "data/statistics.yaml:4:12: warning: value: 1999 is not in the evidence of sources[1] (article-one):"
        " it gives '2000'; write the figure the evidence gives (digits only, its qualifying words"
        " in comparator), or quote the passage that gives this one",
    )


def test_a_text_hash_still_to_fill_in_is_given_where_the_text_is_found(data: Data) -> None:
    sha256 = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    data.edit("sources.yaml", f"sha256: {sha256}", "sha256: TODO")
    data.assert_problems(
        f"data/sources.yaml:10:15: text.sha256: still to fill in: the text at texts/article-one.txt has the SHA-256 {sha256};"
        f" write 'sha256: {sha256}' once you have checked that it is the source's text"
    )


@pytest.mark.parametrize("placeholder", ["todo", "Todo", "TODO: check the file first", "todo-later"])
def test_a_text_hash_still_to_fill_in_is_a_placeholder_in_any_case(data: Data, placeholder: str) -> None:
    """'sha256: todo' was refused as a malformed hash, without the text's real hash to copy."""
    sha256 = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    data.edit("sources.yaml", f"sha256: {sha256}", f"sha256: '{placeholder}'")
    data.assert_problems(
        f"data/sources.yaml:10:15: text.sha256: still to fill in: the text at texts/article-one.txt has the SHA-256 {sha256};"
        f" write 'sha256: {sha256}' once you have checked that it is the source's text"
    )


@pytest.mark.parametrize("placeholder", ["todo", "ToDo", "todo: ask the press office", "TODO-check", "TODO 2", "TODO find it"])
def test_a_placeholder_is_todo_in_any_case_alone_or_before_a_non_letter(data: Data, placeholder: str) -> None:
    """Only 'TODO…' in capitals was taken for a placeholder: 'todo: ask the press office' became a name."""
    data.edit("organisations.yaml", 'name: "Home Office"', f'name: "{placeholder}"')
    data.assert_problems(
        f"data/organisations.yaml:3:11: name: still to fill in ({placeholder}); fill it in from the source (kg add-source left it for you)"
    )


@pytest.mark.parametrize("title", ["TODOS los días", "Todos juntos", "todoist", "Todo por la patria", "Todo list apps compared"])
def test_a_word_that_starts_with_todo_is_not_a_placeholder(data: Data, title: str) -> None:
    """Any value starting with TODO was refused as still to fill in: a title "TODOS los días" could not be curated."""
    data.edit("sources.yaml", 'title: "Taskforce makes 550 arrests"', f'title: "{title}"')
    result = data.check()
    assert result.stdout == "0 errors, 0 warnings; 7 records; 5 of 5 evidence quotes grounded in their sources\n"
    assert result.exit_code == 0


def test_a_text_hash_still_to_fill_in_of_a_text_not_found(data: Data) -> None:
    sha256 = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    data.edit("sources.yaml", f"file: article-one.txt\n      sha256: {sha256}", "file: article-0.txt\n      sha256: TODO")
    result = data.check()
    assert result.exit_code == 1
    assert (
        "data/sources.yaml:10:15: text.sha256: still to fill in; write the 64 hex digits that `sha256sum FILE` prints for the source's text"
    ) in result.stdout.splitlines()


@pytest.mark.parametrize(
    "content",
    [
        "",
        "# to do: the second article's people\n",
        "people:\n",
        "people: []\n",
        "people: NULL\n",
        "---\n...\n",
        "---\n",
        "# to do: the second article's people\n---\n# and their posts\n",
        "--- ~\n",
    ],
)
def test_a_curated_file_that_holds_no_records(data: Data, content: str) -> None:
    """An emptied file is said to be empty, not only seen through the references that break
    (an empty YAML document, '---' alone, was an error: "must be a mapping of sections, not ''")."""
    (data.folder / "people.yaml").write_text(content, encoding="utf-8")
    assert_warnings(
        data,
        "data/people.yaml:1:1: warning: file: holds no records; add records under a section (e.g. 'organisations:'), or delete the file",
    )
