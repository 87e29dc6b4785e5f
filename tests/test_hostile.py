"""A dataset from someone the user does not fully trust, and output that goes wrong.

Nothing here may read outside the dataset folder, hang, exhaust memory, print a
traceback or leave a damaged output: each test is one way a hostile or broken dataset,
or an unlucky run, tried to.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import rest_of_terminal, signals_as_at_a_shell
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import curated, load, yamlnodes
from kg.cli import cli
from kg.model import Pos

POSIX = pytest.mark.skipif(os.name != "posix", reason="links, named pipes and signals are POSIX")

VALID = {
    "sources.yaml": """\
sources:
  - id: s1
    kind: report
    title: "A report"
    publisher: unknown
    author: unknown
    undated: true
""",
    "organisations.yaml": """\
organisations:
  - id: home-office
    name: "Home Office"
    sources:
      - source: s1
        evidence: "the Home Office"
""",
}


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small valid dataset in ``data/`` under the working folder (so messages name ``data/...``)."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "data"
    folder.mkdir()
    for name, text in VALID.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


PIPE_REFUSED = "data/pipe.yaml:1:1: path: is a named pipe, not a regular file; it was not read; curated files must be regular files"


def check(*args: str) -> Result:
    return CliRunner().invoke(cli, ["check", "--no-shacl", "--no-notes", *args])


def problem_lines(result: Result) -> list[str]:
    """The problem lines of ``kg check`` (the summary and the unchecked-evidence warning left out)."""
    return [line for line in result.output.splitlines()[:-1] if "evidence quote of s1 not checked" not in line]


def kg(*args: str, timeout: float = 120, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload]
        [sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=timeout, **kwargs
    )


# --- links and special files in the dataset folder -----------------------------------------------


@POSIX
def test_link_to_a_file_outside_the_dataset_is_not_read(data: Path, tmp_path: Path) -> None:
    """A curated file linked to a file outside the folder (e.g. /etc/passwd) is refused, its content never echoed."""
    secret = tmp_path / "secret.txt"
    secret.write_text("organisations: [{id: leaked-secret-line}]\n", encoding="utf-8")
    (data / "passwd.yaml").symlink_to(secret)
    result = check("--data", "data")
    assert result.exit_code == 1
    assert problem_lines(result) == [
        f"data/passwd.yaml:1:1: path: is a link to a file outside the dataset folder ({str(secret)!r}); it was not read;"
        " a dataset reads only what is inside its folder: copy the file in, or give that folder as --data"
    ]
    assert "leaked-secret-line" not in result.output


@POSIX
def test_link_to_a_folder_outside_the_dataset_is_not_walked(data: Path, tmp_path: Path) -> None:
    """A folder linked out of the dataset is refused and none of its files read."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "more.yaml").write_text("organisations: [{id: from-outside}]\n", encoding="utf-8")
    (data / "more").symlink_to(outside)
    result = check("--data", "data")
    assert result.exit_code == 1
    assert problem_lines(result) == [
        f"data/more:1:1: path: is a link to a folder outside the dataset folder ({str(outside)!r}); it was not read;"
        " a dataset reads only what is inside its folder: copy its files in, or give that folder as --data"
    ]


@POSIX
def test_relative_link_climbing_out_of_the_dataset_is_refused(data: Path, tmp_path: Path) -> None:
    """A relative link with '..' that leaves the folder is refused like an absolute one."""
    (tmp_path / "elsewhere.yaml").write_text(VALID["organisations.yaml"], encoding="utf-8")
    (data / "elsewhere.yaml").symlink_to("../elsewhere.yaml")
    result = check("--data", "data")
    assert result.exit_code == 1
    expected = "data/elsewhere.yaml:1:1: path: is a link to a file outside the dataset folder ('../elsewhere.yaml')"
    assert problem_lines(result)[0].startswith(expected)


@POSIX
def test_dangling_yaml_link_is_reported_not_skipped(data: Path) -> None:
    """A dangling *.yaml link was skipped silently with exit 0; it is an error now."""
    (data / "gone.yaml").symlink_to("no-such-file.yaml")
    result = check("--data", "data")
    assert result.exit_code == 1
    assert problem_lines(result) == [
        "data/gone.yaml:1:1: path: is a link to 'no-such-file.yaml', which does not exist;"
        " restore the file it points to, or remove the link"
    ]


@POSIX
def test_link_loop_is_reported(data: Path) -> None:
    """A link that points at itself is reported, not followed for ever."""
    (data / "loop.yaml").symlink_to("loop.yaml")
    result = check("--data", "data")
    assert result.exit_code == 1
    assert problem_lines(result) == [
        "data/loop.yaml:1:1: path: is a link to 'loop.yaml' that cannot be followed (a loop of links?); remove the link"
    ]


@POSIX
def test_links_inside_the_dataset_are_read_once(data: Path) -> None:
    """A link to a file or folder inside the dataset is fine, and its file is read once (no duplicate ids)."""
    (data / "sub").mkdir()
    (data / "organisations.yaml").rename(data / "sub" / "organisations.yaml")
    (data / "orgs.yaml").symlink_to("sub/organisations.yaml")
    (data / "again").symlink_to("sub")
    result = check("--data", "data")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "0 errors, 1 warning; 2 records; 0 of 1 evidence quotes grounded in their sources"


@POSIX
def test_link_only_name_inside_the_dataset_is_read(data: Path) -> None:
    """A .yaml link to a differently named file inside the folder is read under the link's name."""
    (data / "organisations.yaml").rename(data / "organisations.txt")
    (data / "organisations.yaml").symlink_to("organisations.txt")
    result = check("--data", "data")
    assert result.exit_code == 0, result.output


@POSIX
def test_named_pipe_called_yaml_does_not_hang(data: Path) -> None:
    """A FIFO named x.yaml would block a reader for ever; it is refused without being opened for reading."""
    os.mkfifo(data / "pipe.yaml")
    run = kg("check", "--no-shacl", "--no-notes", "--data", "data", timeout=60)
    assert run.returncode == 1, run.stderr
    assert PIPE_REFUSED in run.stdout
    assert "Traceback" not in run.stderr


@POSIX
def test_link_to_a_named_pipe_inside_does_not_hang(data: Path) -> None:
    """A link inside the folder to a FIFO is refused when opened (without blocking), not read."""
    os.mkfifo(data / "pipe")
    (data / "pipe.yaml").symlink_to("pipe")
    run = kg("check", "--no-shacl", "--no-notes", "--data", "data", timeout=60)
    assert run.returncode == 1, run.stderr
    assert PIPE_REFUSED in run.stdout


@POSIX
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_link_to_a_device_is_not_read(data: Path) -> None:
    """A link to /dev/zero (endless bytes) leaves the folder and is refused before any read."""
    (data / "zero.yaml").symlink_to("/dev/zero")
    run = kg("check", "--no-shacl", "--no-notes", "--data", "data", timeout=60)
    assert run.returncode == 1, run.stderr
    assert "data/zero.yaml:1:1: path: is a link to a file outside the dataset folder ('/dev/zero'); it was not read" in run.stdout


def test_folder_named_yaml_is_walked_not_read(data: Path) -> None:
    """A folder called x.yaml is a folder: its files are read, it is not opened as a file."""
    (data / "more.yaml").mkdir()
    (data / "organisations.yaml").rename(data / "more.yaml" / "organisations.yaml")
    result = check("--data", "data")
    assert result.exit_code == 0, result.output


def test_too_many_files_are_refused_at_once(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder of very many curated files is refused with one line, not read for minutes."""
    monkeypatch.setattr("kg.load.MAX_DATA_FILES", 3)
    for n in range(3):
        (data / f"extra-{n}.yaml").write_text("", encoding="utf-8")
    result = check("--data", "data")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "(dataset): data: the dataset holds 5 curated files, more than the 3 allowed; nothing was read; merge records into fewer files"
    )


def test_too_many_folder_entries_are_refused_at_once(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder with a flood of entries (of any kind) stops the walk with one line."""
    monkeypatch.setattr("kg.load.MAX_FOLDER_ENTRIES", 10)
    for n in range(10):
        (data / f"note-{n}.txt").write_text("", encoding="utf-8")
    result = check("--data", "data")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "(dataset): data: the dataset folder holds more than 10 files and folders; nothing was read;"
        " give --data the folder that holds only the curated files"
    )


# --- extreme values ----------------------------------------------------------------------------------

STATISTIC = """\
measures:
  - {{id: arrests, name: "Arrests"}}
statistics:
  - id: arrests-made
    counts: arrests
    value: {value}
    comparator: exactly
    about: home-office
    period: {{label: "a while", duration: {duration}}}
    sources: [{{source: s1, evidence: "the Home Office"}}]
"""


def with_statistic(data: Path, value: str = "550", duration: str = "P1Y") -> Result:
    (data / "statistics.yaml").write_text(STATISTIC.format(value=value, duration=duration), encoding="utf-8")
    return check("--data", "data")


def test_28_digit_duration_is_a_problem_not_a_traceback(data: Path) -> None:
    """P<28 digits>Y raised decimal.InvalidOperation from the canonical-form check."""
    result = with_statistic(data, duration="P" + "9" * 28 + "Y")
    assert result.exit_code == 1, result.output
    assert problem_lines(result) == [
        "data/statistics.yaml:9:42: period.duration: 'P9999999999999999999999999999Y' has a number of 28 digits,"
        " more than the 6 a duration's part may have; check the period in the source: no period needs so many digits"
    ]


def test_largest_duration_parts_pass_check_and_export_alike(data: Path) -> None:
    """Six-digit parts, the limit, are exact in the canonical form and survive SHACL and export."""
    result = with_statistic(data, duration="P999999Y11M999999DT23H59M59.999999S")
    assert result.exit_code == 0, result.output
    full = CliRunner().invoke(cli, ["check", "--data", "data", "--no-notes"])
    assert full.exit_code == 0, full.output
    exported = CliRunner().invoke(cli, ["export", "--data", "data", "-f", "ntriples"])
    assert exported.exit_code == 0, exported.output
    assert '"P999999Y11M999999DT23H59M59.999999S"^^<http://www.w3.org/2001/XMLSchema#duration>' in exported.output


def test_4301_digit_figure_is_refused_by_check_and_export_alike(data: Path) -> None:
    """A 4301-digit integer passed the record checks but broke Python's int() in SHACL: check and export disagreed."""
    result = with_statistic(data, value="9" * 4301)
    assert result.exit_code == 1
    assert problem_lines(result) == [
        "data/statistics.yaml:6:12: value: '9999999999999999999999999999999999999999…9999999999' has 4,301 digits,"
        " more than the 30 a figure may have; check the figure in the source: no reported count needs so many"
    ]
    exported = CliRunner().invoke(cli, ["export", "--data", "data"])
    assert exported.exit_code == 1
    assert "has 4,301 digits" in exported.output


def test_30_digit_figure_passes_check_and_export(data: Path) -> None:
    """The limit itself is fine everywhere, SHACL included."""
    result = with_statistic(data, value="12345678901234567890.1234567891")
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(cli, ["check", "--data", "data", "--no-notes"]).exit_code == 0


def test_long_wrong_value_is_shortened_in_the_message(data: Path) -> None:
    """A megabyte of wrong text in a figure is not echoed whole."""
    result = with_statistic(data, value="x" * 1_000_000)
    assert result.exit_code == 1
    shortened = "'" + "x" * 40 + "…" + "x" * 10 + "'"
    assert problem_lines(result)[0].startswith(f"data/statistics.yaml:6:12: value: {shortened} is not a number;")
    assert len(result.output) < 2_000


# --- the field parsers and the YAML reader, fuzzed: a problem or a value, never a traceback --------

YAML_PIECES = [*"ab:-[]{},'\"#&*!|>%@` \n\t\\0123PYMDT.", "\x00", "\u2028", "\ud800", "é", "id", "organisations", "  - "]
#: Every field parser (p_choice and p_context make parsers, so are left out).
FIELD_PARSERS = {name: parser for name, parser in vars(curated).items() if name.startswith("p_") and name not in ("p_choice", "p_context")}


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(FIELD_PARSERS)),
    value=st.one_of(
        st.text(),
        st.from_regex(r"-?[0-9]{0,40}(\.[0-9]{0,40})?", fullmatch=True),
        st.from_regex(r"P([0-9]{1,30}[YMD])*(T([0-9.]{1,30}[HMS])*)?", fullmatch=True),
        st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
        st.from_regex(r"https?://[ -~]{0,30}", fullmatch=True),
    ),
    plain=st.booleans(),
)
def test_field_parsers_raise_only_their_own_problems(name: str, value: str, plain: bool) -> None:
    """Any text given to any field parser gives a value or a Bad (a curator's problem), nothing else."""
    node = yamlnodes.Scalar(value, plain, Pos("f.yaml", 1, 1))
    with contextlib.suppress(curated.Bad):
        FIELD_PARSERS[name](node)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(text=st.lists(st.sampled_from(YAML_PIECES), max_size=60).map("".join))
def test_yaml_reader_gives_records_or_problems_never_a_traceback(text: str) -> None:
    """Any text in a curated file gives records or problems (syntax, anchors, tags, control characters…)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.yaml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        collected: dict[str, list[object]] = {section: [] for section in curated.SPECS}
        load.load_file(path, "f.yaml", collected, [])


# --- a base that overlaps a vocabulary ------------------------------------------------------------

OWN = "; choose a namespace of your own, e.g. https://example.org/id/"


@pytest.mark.parametrize(
    ("base", "why"),
    [
        ("https://example.org/kg/ontology#", "is the vocabulary namespace kg: <https://example.org/kg/ontology#>"),
        ("https://schema.org/", "is the vocabulary namespace schema: <https://schema.org/>"),
        ("https://schema.org/people/", "lies inside the vocabulary namespace schema: <https://schema.org/>"),
        ("http://purl.org/dc/terms/mine/", "lies inside the vocabulary namespace dcterms: <http://purl.org/dc/terms/>"),
        ("https://example.org/kg/", "holds the vocabulary namespace kg: <https://example.org/kg/ontology#>"),
        ("http://www.w3.org/ns/", "holds the vocabulary namespace oa: <http://www.w3.org/ns/oa#>"),
    ],
)
def test_base_overlapping_a_vocabulary_is_refused(data: Path, base: str, why: str) -> None:
    """--base equal to the vocabulary namespace was accepted: data IRIs could become vocabulary terms."""
    result = CliRunner().invoke(cli, ["export", "--data", "data", "--base", base, "-o", "out.ttl"])
    assert result.exit_code == 2
    assert result.output == f"Error: --base {base!r} {why}, so data IRIs could collide with its terms{OWN}\n"
    assert not Path("out.ttl").exists()


def test_dataset_base_overlapping_a_vocabulary_is_a_data_problem(data: Path) -> None:
    """The dataset's own base: is refused the same way, at its line."""
    (data / "dataset.yaml").write_text("dataset:\n  base: https://example.org/kg/ontology#\n", encoding="utf-8")
    result = check("--data", "data")
    assert result.exit_code == 1
    assert problem_lines(result) == [
        "data/dataset.yaml:2:9: dataset.base: 'https://example.org/kg/ontology#' is the vocabulary namespace kg:"
        f" <https://example.org/kg/ontology#>, so data IRIs could collide with its terms{OWN}"
    ]


def test_base_beside_the_vocabulary_is_fine(data: Path) -> None:
    """A namespace that shares only a stem with a vocabulary (…/kg/id/ beside …/kg/ontology#) is accepted."""
    result = CliRunner().invoke(cli, ["export", "--data", "data", "--base", "https://example.org/kg/ids/", "-f", "ntriples"])
    assert result.exit_code == 0, result.output
    assert "<https://example.org/kg/ids/home-office>" in result.output


# --- flow lists and memory: problems capped per file, records read one at a time ---------------------


@POSIX
def test_a_file_name_cannot_forge_or_hide_a_line_of_the_report(data: Path) -> None:
    """A new line in a file's name started a line of its own ('forged.yaml:1:1: note: all good'),
    an escape sequence was silently dropped (naming a file that does not exist), and bytes that
    are not UTF-8 went out raw: each is now written as an escape."""
    for name in (b"x\nforged.yaml:1:1: note: all good\n.yaml", b"y\x1b[2J.yaml", b"z\xff.yaml"):
        (data / os.fsdecode(name)).write_text("claims: [1]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--no-shacl", "--no-notes", "--data", "data"])
    assert sorted(line.split(":1:10: ")[0] for line in problem_lines(result)) == [
        "data/x\\nforged.yaml:1:1: note: all good\\n.yaml",
        "data/y\\x1b[2J.yaml",
        "data/z\\udcff.yaml",
    ]


def test_flow_list_of_many_wrong_items_reports_100_problems_and_a_count(data: Path) -> None:
    """An 8 MB flow list printed 4 million lines (and took 1.8 GB): now 100 lines and one that counts the rest."""
    (data / "claims.yaml").write_text("claims: [" + "1, " * 2_000 + "1]\n", encoding="utf-8")
    result = check("--data", "data")
    assert result.exit_code == 1
    lines = problem_lines(result)
    assert len(lines) == 101
    assert lines[0] == (
        "data/claims.yaml:1:10: record: must be a mapping of fields, not '1'; write 'field: value' lines, each field on its own line"
    )
    more = "... and 1,901 more problems in this file, from here on; fix the ones shown and check again"
    assert lines[-1] == f"data/claims.yaml:1:310: file: {more}"


def test_problem_cap_is_per_file(data: Path) -> None:
    """Each file gets its own 100: the mistakes of one do not hide another's."""
    (data / "claims.yaml").write_text("claims: [" + "1, " * 150 + "1]\n", encoding="utf-8")
    (data / "quotes.yaml").write_text("quotes: [" + "1, " * 150 + "1]\n", encoding="utf-8")
    lines = problem_lines(check("--data", "data"))
    assert [line.split(":")[0] for line in lines].count("data/claims.yaml") == 101
    assert [line.split(":")[0] for line in lines].count("data/quotes.yaml") == 101


def test_problem_cap_holds_for_the_checks_between_records_too(data: Path) -> None:
    """150 statements naming an organisation that does not exist printed 150 lines: the cap
    held only while reading a file. Now 100, then one that counts the rest."""
    statement = "  - {{id: st-{n}, subject: home-office, predicate: part-of, object: nowhere, sources: [{{source: s1, evidence: x}}]}}\n"
    (data / "statements.yaml").write_text("statements:\n" + "".join(statement.format(n=n) for n in range(150)), encoding="utf-8")
    result = check("--data", "data")
    assert result.exit_code == 1
    lines = [line for line in problem_lines(result) if line.startswith("data/statements.yaml:")]
    assert len(lines) == 101
    assert lines[0].startswith("data/statements.yaml:2:66: object: no initiative or organisation has the id 'nowhere'")
    more = "... and 50 more problems in this file, from here on; fix the ones shown and check again"
    assert lines[-1] == f"data/statements.yaml:102:68: file: {more}"
    assert result.output.splitlines()[-1].startswith("101 errors, ")


def test_problem_cap_shows_a_files_first_problems_whoever_found_them_then_one_count(data: Path) -> None:
    """Problems found reading a file used up its 100 first: the checks' earlier ones were hidden
    while later ones showed, under two count lines, the first of them above 100 shown problems."""
    statement = "  - {{id: st-{n}, subject: home-office, predicate: part-of, object: nowhere, sources: [{{source: s1, evidence: x}}]}}\n"
    unknown = "  - {{id: st-x{n}, subject: home-office, predicate: part-of, object: home-office, colour: red, sources: [{{source: s1}}]}}\n"
    records = [statement.format(n=n) for n in range(60)] + [unknown.format(n=n) for n in range(120)]
    (data / "statements.yaml").write_text("statements:\n" + "".join(records), encoding="utf-8")
    lines = [line for line in problem_lines(check("--data", "data")) if line.startswith("data/statements.yaml:")]
    counts = [n for n, line in enumerate(lines) if ": file: ... and " in line]
    assert counts == [100], counts  # one count, after the 100 shown
    assert sum(": object: " in line for line in lines) == 60  # every problem of the first 60 records is shown
    rows = [int(line.split(":")[1]) for line in lines]
    assert rows == sorted(rows)
    assert lines[-1].startswith(f"data/statements.yaml:{rows[-1]}:")


def test_error_that_stops_reading_is_shown_after_the_cap(data: Path) -> None:
    """The syntax error that ended reading is always shown, even after 100 other problems."""
    (data / "claims.yaml").write_text("claims:\n" + "  - {a: 1, a: 2}\n" * 150 + "  - [\n", encoding="utf-8")
    lines = problem_lines(check("--data", "data"))
    assert len(lines) == 102
    assert lines[-1].startswith("data/claims.yaml:153:1: yaml: the file is not valid YAML:")


def test_record_with_a_huge_list_is_refused_whole(data: Path) -> None:
    """A list of a million items inside one record is refused at the record, not held and checked item by item."""
    (data / "organisations.yaml").write_text(
        "organisations:\n  - id: home-office\n    name: Home Office\n    alt_names: [" + "x, " * 20_000 + "x]\n", encoding="utf-8"
    )
    result = check("--data", "data")
    assert result.exit_code == 1
    assert problem_lines(result) == [
        "data/organisations.yaml:2:5: yaml: the record holds more than 10,000 values (texts, lists and mappings);"
        " a record needs far fewer: split long lists into several records"
    ]


def test_huge_mapping_outside_records_is_refused(data: Path) -> None:
    """A file of a million top-level keys is refused once, not held whole."""
    (data / "claims.yaml").write_text("".join(f"k{n}: 1\n" for n in range(6_000)), encoding="utf-8")
    result = check("--data", "data")
    assert result.exit_code == 1
    assert problem_lines(result) == [
        "data/claims.yaml:5000:8: yaml: the file holds more than 10,000 values (texts, lists and mappings);"
        " put records in section lists ('organisations:' then '- id: ...' items)"
    ]


def test_records_before_a_syntax_error_are_not_loaded(data: Path) -> None:
    """Streaming keeps the old rule: a file that cannot be read gives no records, only the ids it names (for references)."""
    (data / "organisations.yaml").write_text(VALID["organisations.yaml"] + "  - id: [\n", encoding="utf-8")
    result = check("--data", "data")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith("1 error, 0 warnings; 1 record;")


# The peak resident memory of this process alone (VmHWM): ru_maxrss would carry over the
# peak of the pytest process that forked it.
FLOW_LIST_MEMORY = """
import re, sys
from kg.load import load_dataset
dataset, problems = load_dataset(sys.argv[1])
status = open("/proc/self/status", encoding="ascii").read()
print(len(problems), re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM comes from Linux's /proc")
def test_memory_for_a_flow_list_stays_proportional_to_the_file(tmp_path: Path) -> None:
    """A 1 MB flow list of 500,000 wrong items took about 200 MB; now under 100 MB (the interpreter and libraries included)."""
    folder = tmp_path / "flow"
    folder.mkdir()
    (folder / "claims.yaml").write_text("claims: [" + "1," * 500_000 + "1]\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", FLOW_LIST_MEMORY, str(folder)], capture_output=True, text=True, timeout=300, check=True)
    problems, peak_kb = map(int, run.stdout.split())
    assert problems == 101
    assert peak_kb < 100_000, f"peak memory {peak_kb:,} kB"


# --- output that cannot be written, and Ctrl-C ---------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_check_to_a_full_disk_exits_2_with_one_line(data: Path) -> None:
    """`kg check > /dev/full` printed a traceback and exited 1, the status of data errors."""
    with open("/dev/full", "w") as full:
        command = [sys.executable, "-m", "kg", "check", "--data", "data"]
        run = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr == "Error: cannot write the output: No space left on device\n"


def test_output_encoding_that_cannot_hold_a_character_exits_2(data: Path) -> None:
    """A non-UTF-8 PYTHONIOENCODING gave a UnicodeEncodeError traceback; now one line saying what to set."""
    (data / "organisations.yaml").write_text(VALID["organisations.yaml"].replace("home-office", "home’office"), encoding="utf-8")
    run = kg("check", "--data", "data", "--no-shacl", env={**os.environ, "PYTHONIOENCODING": "latin-1"})
    assert run.returncode == 2
    assert run.stderr == (
        "Error: the output's encoding (latin-1) cannot write U+2019; set PYTHONIOENCODING=utf-8 or use a UTF-8 locale (e.g. LANG=C.UTF-8)\n"
    )


@POSIX
def test_check_whose_reader_goes_away_exits_2(data: Path) -> None:
    """`kg check | head -1` with a long report: the closed pipe is one line and exit 2, no traceback."""
    for n in range(12):
        (data / f"claims-{n}.yaml").write_text("claims: [" + "1, " * 150 + "1]\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "check", "--data", "data", "--no-shacl"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 2
    assert stderr == "Error: standard output was closed before everything was written\n"


@POSIX
def test_ctrl_c_during_check_exits_130_without_a_traceback(tmp_path: Path) -> None:
    """Ctrl-C exited 1 (click's 'Aborted!'), the status of data errors; shells expect 130.

    Standard error is a terminal (a pseudo-terminal), as for a user at a shell, so the check
    shows its progress bar once a step has run half a second: the interrupt is sent then, in
    the middle of the work, however fast or slow the machine is.
    """

    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "sources.yaml").write_text(VALID["sources.yaml"], encoding="utf-8")
    records = "".join(f'  - {{id: org-{n}, name: "Org {n}", sources: [{{source: s1, evidence: "Org {n}"}}]}}\n' for n in range(100_000))
    (folder / "organisations.yaml").write_text("organisations:\n" + records, encoding="utf-8")
    terminal, stderr_end = pty.openpty()
    fcntl.ioctl(stderr_end, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a new one is 0 columns wide: no bar fits
    command = [sys.executable, "-m", "kg", "check", "--data", str(folder)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr_end, preexec_fn=signals_as_at_a_shell)
    os.close(stderr_end)
    shown = b""
    try:
        while not shown and select.select([terminal], [], [], 120)[0]:
            shown = os.read(terminal, 4096)
        assert shown, "the check showed no progress within two minutes"
        assert proc.poll() is None, "the check ended before its progress bar could be interrupted"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=120) == 130
        shown += rest_of_terminal(terminal)
    finally:
        os.close(terminal)
        if proc.poll() is None:
            proc.kill()
    said = shown.decode(errors="replace")
    assert said.startswith("\rkg: reading: "), said[:200]  # the records read so far, counted
    assert "Traceback" not in said
    assert said.rstrip().endswith("kg: interrupted")


def test_many_surrogate_escapes_in_a_large_file_are_refused_not_reread_for_hours(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each lone-surrogate escape meant reading the file again: 100 escapes in a 64 MiB file meant 100 readings."""
    monkeypatch.setattr("kg.yamlnodes.MAX_FILE_BYTES", 1_000)  # the budget of characters read: here a 400-character file twice
    names = "".join(f'  - {{id: o{n}, name: "bad \\ud800 {n}", sources: [{{source: s1, evidence: x}}]}}\n' for n in range(5))
    (data / "organisations.yaml").write_text("organisations:\n" + names + "# " + "." * 40 + "\n", encoding="utf-8")
    result = check("--data", "data")
    assert result.exit_code == 1
    lines = problem_lines(result)
    assert lines[0] == "data/organisations.yaml:1:1: yaml: the file holds too many escapes of lone surrogates; remove them"
    assert len(lines) <= 3, "read at most three times (the escapes found so far are named at their fields)"


def test_a_few_surrogate_escapes_are_each_traced_to_their_field(data: Path) -> None:
    """Within the budget, each escape still reaches its field, which names it."""
    names = "".join(f'  - {{id: o{n}, name: "bad \\ud800 {n}", sources: [{{source: s1, evidence: x}}]}}\n' for n in range(3))
    (data / "organisations.yaml").write_text("organisations:\n" + names, encoding="utf-8")
    lines = problem_lines(check("--data", "data"))
    assert [line.split(": ", 2)[1] for line in lines] == ["name"] * 3
    assert lines[0].startswith("data/organisations.yaml:2:20: name: holds a lone surrogate (U+D800)")
