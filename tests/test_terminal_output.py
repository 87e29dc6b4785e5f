"""Text from a dataset or a graph reaches a terminal escaped: ``kg query``'s table, ``kg diff``
and ``kg coverage`` show control characters as escapes, so a hostile label or source text can
neither retitle the window, clear the screen, reorder a line nor forge a line of its own."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from kg import coverage
from kg.cli import cli
from kg.text import printable

HOSTILE = "evil \x1b]0;pwned\x07 \x1b[2J\u202eend\x9b"
SHOWN = "evil \\x1b]0;pwned\\x07 \\x1b[2J\\u202eend\\x9b"
KG = "https://example.org/kg/ontology#"


def nt_literal(text: str) -> str:
    return '"' + "".join(c if " " <= c < "\x7f" and c not in '"\\' else f"\\u{ord(c):04X}" for c in text) + '"'


def test_printable_escapes_controls_and_bidirectional_overrides_only() -> None:
    assert printable(HOSTILE) == SHOWN
    assert printable("line one\nline two\tand “quoted” café 東京") == "line one\\nline two\\tand “quoted” café 東京"


def test_the_query_table_escapes_a_hostile_label_and_csv_keeps_it(tmp_path: Path) -> None:
    graph = tmp_path / "evil.nt"
    graph.write_text(f"<http://a.example/x> <http://www.w3.org/2000/01/rdf-schema#label> {nt_literal(HOSTILE)} .\n", encoding="utf-8")
    question = "SELECT ?label WHERE { ?s ?p ?label }"
    table = CliRunner().invoke(cli, ["query", "--graph", str(graph), question])
    assert table.exit_code == 0, table.output
    assert table.output.splitlines()[2] == SHOWN
    assert "\x1b" not in table.output and "\u202e" not in table.output
    answer = CliRunner().invoke(cli, ["query", "--graph", str(graph), "--format", "csv", question])
    assert list(csv.reader(io.StringIO(answer.stdout))) == [["label"], [HOSTILE]]  # data formats keep the value as it is


def test_diff_escapes_a_hostile_label_and_value(tmp_path: Path) -> None:
    old, new = tmp_path / "old.nt", tmp_path / "new.nt"
    old.write_text("", encoding="utf-8")
    fact = "<https://example.org/kg/id/x>"
    new.write_text(
        f'{fact} <{KG}sourceCount> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        f"{fact} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{KG}Organisation> .\n"
        f"{fact} <http://www.w3.org/2000/01/rdf-schema#label> {nt_literal(HOSTILE + chr(10) + '+ organisation forged')} .\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["diff", str(old), str(new)])
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        f"+ organisation x: {SHOWN}\\n+ organisation forged (sources: )",
        "1 fact added, 0 removed, 0 changed",
    ]


def test_coverage_escapes_a_hostile_passage_of_a_source_text() -> None:
    item = coverage.items_of(f"Uncovered {HOSTILE} sentence here.\n")[0]
    result = coverage.SourceCoverage("s1", Path("s1.txt"), [item], [item])
    assert coverage.render([result]).splitlines()[0] == f"s1.txt:1:1: sentence not covered: Uncovered {SHOWN} sentence here."


def test_diff_of_a_file_that_is_not_rdf_says_why_in_one_escaped_line(tmp_path: Path) -> None:
    """rdflib's Turtle message spans three lines; its first ended in ':' and said nothing."""
    graph = tmp_path / "g.nt"
    graph.write_text('<http://a.example/x> <http://a.example/p> "x" .\n', encoding="utf-8")
    prose = tmp_path / "notes.ttl"
    prose.write_text("hello\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", str(prose), str(graph)])
    assert result.exit_code == 2
    assert result.output == f"Error: {prose}: cannot be read as turtle: line 1: Bad syntax (expected directive or statement)\n"
    binary = tmp_path / "junk.nt"
    binary.write_bytes(b"\x1b[2J\x07\n")
    result = CliRunner().invoke(cli, ["diff", str(binary), str(graph)])
    assert result.exit_code == 2
    assert result.output == f"Error: {binary}: cannot be read as nt: Invalid line: \\x1b[2J\\x07\n"
