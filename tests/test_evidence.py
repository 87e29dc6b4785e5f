"""Evidence grounding on small texts written for the tests, so a clone without the articles tests it too."""

from __future__ import annotations

import hashlib
import random
import re
import sys
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from helpers import write_files

from kg import api
from kg import text as text_module
from kg.cli import cli
from kg.model import Repair
from kg.text import fold, normalise, source_text

TEXT = "Headline here\n\nThe  Unit’s chief said: āWe act now.ā\tMore  than 10 arrests were made, the Office says.\n"
REPAIR = Repair("ā", "\u2019", "a damaged character for quotation marks")


def dataset_files(text_sha: str, evidence: str, *, extra: str = "") -> dict[str, str]:
    return {
        "sources.yaml": f"""
sources:
  - id: s1
    kind: news-article
    title: "Headline here"
    publisher: unknown
    author: unknown
    undated: true
    text: {{file: s1.txt, sha256: {text_sha}}}
    repairs:
      - {{replace: "ā", with: "’", reason: "damaged quotation marks"}}
""",
        "facts.yaml": f"""
organisations:
  - id: the-office
    name: "The Office"
    sources:
      - source: s1
        evidence: {evidence}
{extra}""",
    }


@pytest.fixture
def texts(tmp_path: Path) -> Path:
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "s1.txt").write_text(TEXT, encoding="utf-8")
    return folder


def sha(folder: Path) -> str:
    return hashlib.sha256((folder / "s1.txt").read_bytes()).hexdigest()


def test_normalise_applies_repairs_then_collapses_white_space() -> None:
    assert normalise(TEXT, [REPAIR]) == (
        "Headline here The Unit’s chief said: ’We act now.’ More than 10 arrests were made, the Office says."
    )
    assert fold("‘a’ “b”") == "'a' \"b\""


def test_fold_turns_each_typographic_quote_into_its_ascii_one_and_leaves_the_rest() -> None:
    singles, doubles = "\u2018\u2019\u201a\u201b\u2032", "\u201c\u201d\u201e\u201f\u2033"
    table = {**dict.fromkeys(singles, "'"), **dict.fromkeys(doubles, '"')}
    chooser = random.Random(7)
    alphabet = [*singles, *doubles, "a", "é", "'", '"', "\u00ab", "\u00bb", "\u2039", "\u201d\u2019", " ", "東"]
    for _ in range(2_000):
        raw = "".join(chooser.choice(alphabet) for _ in range(chooser.randint(0, 10)))
        assert fold(raw) == "".join(table.get(c, c) for c in raw), repr(raw)


def test_offsets_are_counted_right_in_a_text_longer_than_the_copied_counting() -> None:
    """Offsets are copied from a counting kept for texts up to 2**20 characters; a longer text
    has its own, and its anchors point at the same code points."""
    raw = "x" * (1 << 20) + "\n\n“Quoted words” here"
    text = source_text("s1", Path("s1.txt"), "", raw, [])
    assert (len(text.normalised.starts), text.normalised.starts[-1], text.normalised.ends[-1]) == (len(raw) - 1, len(raw) - 1, len(raw))
    anchor = text.find('"Quoted words"', [])
    assert anchor is not None
    assert (anchor.start, anchor.end) == (raw.index("“"), raw.index(" here"))
    repaired = source_text("s1", Path("s1.txt"), "", raw, [REPAIR])
    assert repaired.find('"Quoted words"', [REPAIR]) == anchor


def test_anchor_offsets_count_code_points_of_the_raw_text() -> None:
    text = source_text("s1", Path("s1.txt"), "", TEXT, [REPAIR])
    anchor = text.find("the Unit's chief said: \"We act", [REPAIR])
    assert anchor is None  # "The" is capitalised in the text: matching is exact but for quotes and spaces
    anchor = text.find("Unit's chief said: ’We act now.ā", [REPAIR])
    assert anchor is not None
    assert (anchor.start, anchor.end) == (TEXT.index("Unit"), TEXT.index("\tMore"))
    assert anchor.exact == "Unit’s chief said: ’We act now.’"
    assert anchor.prefix == "Headline here The "
    assert anchor.suffix == " More than 10 arrests were made,"
    assert normalise(TEXT[anchor.start : anchor.end], [REPAIR]) == anchor.exact


def test_grounded_evidence_is_anchored_in_the_graph(tmp_path: Path, texts: Path) -> None:
    data = write_files(tmp_path / "data", dataset_files(sha(texts), '"the  Office\\n says"'))
    dataset, report = api.prepare(data, [texts])
    assert report.ok, [str(p) for p in report.problems]
    graph = api.build_graph(dataset, anchors=report.anchors)
    oa = rdflib.Namespace("http://www.w3.org/ns/oa#")
    starts = [int(o) for o in graph.objects(None, oa.start)]
    exacts = [str(o) for o in graph.objects(None, oa.exact)]
    assert exacts == ["the Office says"]
    assert starts == [TEXT.index("the Office says")]


def test_a_misquote_names_the_closest_passage(tmp_path: Path, texts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path / "data", dataset_files(sha(texts), '"More than 12 arrests were made"'))
    result = CliRunner().invoke(cli, ["check", "--data", "data", "--texts", str(texts), "--no-shacl"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "data/facts.yaml:7:19: sources[1].evidence: not found verbatim in s1 (the closest passage is"
        " 'More than 10 arrests were made'); copy the words exactly as the source has them"
    )


def test_a_changed_text_is_noticed_by_its_hash(tmp_path: Path, texts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path / "data", dataset_files("0" * 64, '"the Office says"'))
    result = CliRunner().invoke(cli, ["check", "--data", "data", "--texts", str(texts), "--no-shacl"])
    assert result.exit_code == 1
    assert f"text.sha256: the text at texts/s1.txt has changed since curation (its SHA-256 is {sha(texts)})" in result.stdout


def test_damaged_characters_never_reach_the_graph(tmp_path: Path, texts: Path) -> None:
    quote = """
quotes:
  - id: q1
    speaker: the-office
    text: "We act now.ā"
    sources:
      - source: s1
"""
    data = write_files(tmp_path / "data", dataset_files(sha(texts), '"the Office says"', extra=quote))
    dataset, report = api.prepare(data, [texts])
    assert report.ok, [str(p) for p in report.problems]
    graph = api.build_graph(dataset, anchors=report.anchors)
    assert "ā" not in "".join(str(o) for _, p, o in graph if not str(p).endswith("#replace"))
    kg = rdflib.Namespace("https://example.org/kg/ontology#")
    assert [str(o) for o in graph.objects(None, kg.text)] == ["We act now.\u2019"]


def _tidied_one_character_at_a_time(raw: str) -> tuple[str, list[int], list[int]]:
    """What tidying means, written plainly: a run of white space becomes one space standing
    for the whole run, and the ends are trimmed."""
    text, starts, ends = "", [], []
    at = 0
    while at < len(raw):
        stop = at + 1
        if raw[at].isspace():
            while stop < len(raw) and raw[stop].isspace():
                stop += 1
            text += " "
        else:
            text += raw[at]
        starts.append(at)
        ends.append(stop)
        at = stop
    lead = len(text) - len(text.lstrip(" "))
    trail = len(text.rstrip(" ")) if text.strip(" ") else lead
    return text[lead:trail], starts[lead:trail], ends[lead:trail]


def test_white_space_is_tidied_with_each_character_mapped_to_its_raw_span() -> None:
    """Lone spaces are left as they are (the fast path); every other run is one space for the run."""
    chooser = random.Random(5)
    alphabet = ["a", "é", " ", " ", "\n", "\t", "\u00a0", "\u2003", "\r\n"]
    for _ in range(3_000):
        raw = "".join(chooser.choice(alphabet) for _ in range(chooser.randint(0, 12)))
        mapped = text_module.normalise_mapped(raw)
        assert (mapped.text, list(mapped.starts), list(mapped.ends)) == _tidied_one_character_at_a_time(raw), repr(raw)
        assert mapped.text == normalise(raw)


def test_every_white_space_character_is_tidied_alike_by_both_tidies() -> None:
    """Quotes are tidied by ``tidy``, texts by the mapped tidy (a pattern's ``\\s``): both must
    count the same characters as white space, or a quote would not be found in its text."""
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace() or re.fullmatch(r"\s", chr(c))]
    assert len(spaces) > 20
    for space in [*spaces, "\u200b", "\ufeff", "\u180e"]:
        raw = f"{space}a{space}{space}b {space}c{space}"
        assert text_module.normalise_mapped(raw).text == normalise(raw), repr(space)


def test_a_misquote_in_a_long_text_is_shown_its_closest_passage_found_near_its_longest_words() -> None:
    """A text too long to compare whole with every misquote is compared around the places
    where the misquote's longest words occur."""
    from kg.check import _COMPARED_WHOLE, closest_passage

    chooser = random.Random(11)
    filler = " ".join("".join(chooser.choice("abcdefghij") for _ in range(5)) for _ in range(_COMPARED_WHOLE // 3))
    raw = f"{filler} The chief constable said more than 550 arrests were made in the last year. {filler}"
    assert len(raw) > _COMPARED_WHOLE
    text = source_text("s1", Path("s1.txt"), "", raw, [])
    assert text.find("more than 560 arrests were made", []) is None
    assert closest_passage(text, "more than 560 arrests were made", []) == "more than 550 arrests were made"
    no_shared_word = closest_passage(text, "zzzz qqqq", [])
    assert no_shared_word and raw.startswith(no_shared_word)  # the text's start, as for a short text


def test_a_misquote_of_megabytes_is_compared_by_its_start() -> None:
    """A quote of 7 MB not in its text took about a minute to compare whole, and one near the
    64 MiB file limit would have taken minutes: only its first characters are compared."""
    from kg.check import _NEEDLE_CHARS, closest_passage

    raw = "Officers said more than 550 arrests were made in the last year. " * 50
    text = source_text("s1", Path("s1.txt"), "", raw, [])
    start = "Officers said more than 560 arrests were made"
    huge = start + " and then" * 400_000
    assert len(huge) > 1000 * _NEEDLE_CHARS
    assert closest_passage(text, huge, []) == closest_passage(text, huge[:_NEEDLE_CHARS], [])
    assert closest_passage(text, huge, []).startswith("Officers said more than 550 arrests were made")
