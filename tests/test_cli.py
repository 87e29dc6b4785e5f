"""The command line: help everywhere, version, exit codes, stdout and files, docs for every command."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from helpers import PERSON_WITHOUT_POST

from kg import __version__
from kg.cli import cli
from kg.resources import bundled_data

README = Path(__file__).resolve().parents[1] / "README.md"


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def commands() -> list[str]:
    return sorted(cli.commands)


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output == f"kg, version {__version__}\n"


def test_python_dash_m_runs_the_same_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "kg", "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("kg, version ")


@pytest.mark.parametrize("command", [None, *commands()])
def test_every_command_has_help(command: str | None) -> None:
    result = run(*([command] if command else []), "--help")
    assert result.exit_code == 0
    assert "Usage: kg" in result.output
    target = cli if command is None else cli.commands[command]
    assert target.help and len(target.help.strip()) > 40
    for param in target.params:
        if isinstance(param, click.Option) and param.name not in ("help", "version"):
            assert param.help, f"{command} {param.opts} has no help text"


@pytest.mark.parametrize("command", commands())
def test_every_command_is_documented_in_the_readme(command: str) -> None:
    text = README.read_text(encoding="utf-8")
    assert re.search(rf"^#+ .*`kg {command}", text, re.MULTILINE), f"README has no section for kg {command}"


def test_export_writes_turtle_to_standard_output_by_default() -> None:
    result = CliRunner().invoke(cli, ["export"])
    assert result.exit_code == 0
    assert result.stdout.startswith("@prefix ")
    assert "kgd:grooming-gangs-taskforce a kg:Initiative" in result.stdout
    assert re.search(r"kg: wrote \d+ triples \(turtle\) to standard output", result.stderr)


def test_export_dash_is_standard_output_and_o_writes_a_file(tmp_path: Path) -> None:
    to_stdout = CliRunner().invoke(cli, ["export", "-o", "-", "--format", "ntriples"])
    out = tmp_path / "kg.nt"
    to_file = CliRunner().invoke(cli, ["export", "-o", str(out), "--format", "ntriples"])
    assert to_stdout.exit_code == to_file.exit_code == 0
    assert out.read_text(encoding="utf-8") == to_stdout.stdout


def test_an_unknown_format_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["export", "--format", "xml"])
    assert result.exit_code == 2
    assert "Invalid value for '-f' / '--format'" in result.output


def test_a_bad_base_iri_exits_2_with_one_line() -> None:
    result = CliRunner().invoke(cli, ["export", "--data", str(bundled_data()), "--base", "not an iri"])
    assert result.exit_code == 2
    assert result.output == "Error: --base 'not an iri' must be an http(s) IRI ending in '/' or '#'\n"


def test_check_on_the_bundled_data_grounds_every_quote(texts_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--texts", str(texts_dir)])
    assert result.exit_code == 0, result.output
    last = result.stdout.splitlines()[-1]
    assert last == "0 errors, 0 warnings; 128 records; 156 of 156 evidence quotes grounded in their sources"


def test_a_declared_text_not_found_is_an_error_unless_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong texts path once exited 0 and quietly wrote a graph without offsets."""
    shutil.copytree(bundled_data(), tmp_path / "data", ignore=shutil.ignore_patterns("texts"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KG_TEXTS", raising=False)
    result = CliRunner().invoke(cli, ["check", "--no-shacl", "--notes", "none"])
    assert result.exit_code == 1
    assert result.stderr == "kg: dataset ./data (the working folder's dataset)\n"
    problems = result.stdout.splitlines()[:-1]
    missing_folder = (
        "data/dataset.yaml:5:10: warning: dataset.texts: data/texts does not exist; correct the setting"
        " (a folder inside the dataset's folder), or create the folder and put the sources' texts in it"
    )
    assert problems == [missing_folder] + [
        f"data/sources.yaml:{line}:13: text.file: {name} was not found;"
        " searched data/texts (the dataset's texts setting 'texts', relative to its folder);"
        " give --texts FOLDER (or set KG_TEXTS) where the source texts are,"
        " or --allow-ungrounded to go on without checking this source's evidence"
        for line, name in ((16, "000_5629415f7da9fc23.txt"), (50, "003_47ebf0990ab5a67e.txt"))
    ]
    exported = CliRunner().invoke(cli, ["export", "-o", "kg.ttl"])
    assert exported.exit_code == 1 and not (tmp_path / "kg.ttl").exists()
    allowed = CliRunner().invoke(cli, ["check", "--no-shacl", "--notes", "none", "--allow-ungrounded"])
    assert allowed.exit_code == 0
    warned = [line.split(": warning: ")[0] for line in allowed.stdout.splitlines()[:-1]]
    assert warned == ["data/dataset.yaml:5:10", "data/sources.yaml:16:13", "data/sources.yaml:50:13"]
    assert allowed.stdout.splitlines()[-1].startswith("0 errors, 3 warnings; 128 records; 0 of 156")


def test_check_reports_whether_differing_figures_agree(texts_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--texts", str(texts_dir), "--no-shacl"])
    notes = [line for line in result.stdout.splitlines() if ": note: value: " in line]  # the figures' notes
    assert notes == [
        "data/statistics.yaml:53:12: note: value: arrests about grooming-gangs-taskforce, no place given, over P1Y: 1 pair conflict:"
        " stat-arrests-550-first-year-headline (550) and stat-arrests-more-than-550-within-first-year-no-weak-links (more than 550)"
        " conflict; both stay in the graph, each with its sources, linked as conflicting"
    ]


def test_export_refuses_a_person_without_a_public_post(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "all.yaml").write_text(PERSON_WITHOUT_POST, encoding="utf-8")
    result = CliRunner().invoke(cli, ["export", "--data", "data", "-o", "out.ttl"])
    assert result.exit_code == 1
    assert not (tmp_path / "out.ttl").exists()
    assert result.stderr.splitlines()[1] == (
        "data/all.yaml:5:5: id: the person 'a-person' holds no public post that a source states;"
        " add a statement 'subject: a-person, predicate: holds-post, object: POST-ID', citing where the source names the post"
    )
    assert result.stderr.splitlines()[-1] == "1 error, 1 warning: nothing was written"  # the warning: s1 names no text


def test_export_with_shacl_validates_against_the_shapes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With --shacl, a shape the record checks know nothing of stops the export."""
    import rdflib

    from kg import shapes

    stricter = shapes.shapes_graph() + rdflib.Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix kg: <https://example.org/kg/ontology#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <urn:test:AltLabelShape> a sh:NodeShape ; sh:targetClass kg:Organisation ;
            sh:property [ sh:path skos:altLabel ; sh:minCount 1 ; sh:message "an organisation needs an alternative name" ] .
        """,
        format="turtle",
    )
    monkeypatch.setattr(shapes, "shapes_graph", lambda path=None: stricter)
    out = tmp_path / "kg.ttl"
    refused = CliRunner().invoke(cli, ["export", "--shacl", "-o", str(out)])
    assert refused.exit_code == 1
    assert not out.exists()
    violations = [line for line in refused.stderr.splitlines() if ": shacl " in line]
    assert violations[0].endswith("shacl skos:altLabel: home-office (Home Office): an organisation needs an alternative name")
    assert "organisations.yaml:" in violations[0]
    assert CliRunner().invoke(cli, ["export", "-o", str(out)]).exit_code == 0


def test_no_command_modifies_the_curated_files(tmp_path: Path) -> None:
    from kg.resources import bundled_data

    before = {p: p.read_bytes() for p in sorted(bundled_data().glob("*.yaml"))}
    for args in (["check"], ["export", "-o", str(tmp_path / "kg.ttl")], ["export", "--format", "ntriples"]):
        assert CliRunner().invoke(cli, args).exit_code == 0
    assert {p: p.read_bytes() for p in sorted(bundled_data().glob("*.yaml"))} == before


def test_the_bundled_data_is_found_from_any_working_directory(tmp_path: Path) -> None:
    """Run as an installed command would be, from a folder with no data/ beside it."""
    result = subprocess.run(
        [sys.executable, "-m", "kg", "export", "-o", "kg.ttl", "--no-shacl"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "kgd:grooming-gangs-taskforce a kg:Initiative" in (tmp_path / "kg.ttl").read_text(encoding="utf-8")
