"""Provenance a third party can check: offsets in the raw file, repairs in context, shipped
texts, confined text folders, inputs never overwritten, IRIs that cannot collide, shapes that
survive a triplestore, and `kg verify`."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner, Result
from helpers import write_files
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import api, shapes, vocab
from kg.cli import cli
from kg.model import Repair
from kg.resources import bundled_data
from kg.text import normalise, repair_within, source_text, tidy

OA = rdflib.Namespace(vocab.OA)
KG = rdflib.Namespace(vocab.KG)
REPO = Path(__file__).resolve().parents[1]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def exported(tmp_path: Path, *extra: str) -> Path:
    out = tmp_path / "kg.ttl"
    result = run("export", "--data", str(bundled_data()), "-o", str(out), *extra)
    assert result.exit_code == 0, result.output
    return out


# --- offsets count code points of the raw file ------------------------------------------------


def test_every_offset_selects_its_exact_words_in_the_raw_file(tmp_path: Path) -> None:
    """60 of 145 selectors once counted in the normalised text, not in the file the graph hashes."""
    graph = rdflib.Graph().parse(exported(tmp_path))
    texts = {}
    for source in graph.subjects(rdflib.RDF.type, KG.Source):
        raw = (bundled_data() / "texts" / str(graph.value(source, KG.textFile))).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == str(graph.value(source, KG.textSha256))
        assert graph.value(source, KG.positionBasis) == KG.rawCodePoints
        texts[source] = raw.decode("utf-8")
    repairs = {s.id: s.repairs for s in api.load().sources}
    checked = 0
    for target in set(graph.subjects(OA.hasSelector, None)):
        source = graph.value(target, OA.hasSource)
        position = next(s for s in graph.objects(target, OA.hasSelector) if (s, rdflib.RDF.type, OA.TextPositionSelector) in graph)
        quote = next(s for s in graph.objects(target, OA.hasSelector) if (s, rdflib.RDF.type, OA.TextQuoteSelector) in graph)
        start, end = int(graph.value(position, OA.start)), int(graph.value(position, OA.end))
        raw = texts[source]
        selected = tidy(repair_within(raw, repairs[str(source).rsplit("/", 1)[1]], start, end))
        assert selected == str(graph.value(quote, OA.exact))
        checked += 1
    assert checked == 156


def test_offsets_are_typed_integers_the_shapes_accept_after_a_triplestore_round_trip(tmp_path: Path) -> None:
    """Oxigraph stores xsd:nonNegativeInteger as xsd:integer: 290 shape violations after a load and dump."""
    store = ox.Store()
    store.load(path=str(exported(tmp_path)), format=ox.RdfFormat.TURTLE)
    dumped = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    graph = rdflib.Graph().parse(data=dumped, format="nt")
    assert {o.datatype for o in graph.objects(None, OA.start)} == {rdflib.XSD.integer}
    conforms, results = shapes.validate(graph)
    assert conforms, results.serialize(format="turtle")


# --- repairs follow context --------------------------------------------------------------------


def test_repairs_restore_each_mark_as_the_source_had_it() -> None:
    """One rule 'ā → ’' made all nine quotation marks of source 000 apostrophes."""
    source = next(s for s in api.load().sources if s.id == "article-550-arrests")
    text = normalise((bundled_data() / "texts" / str(source.text_file)).read_text(encoding="utf-8"), source.repairs)
    assert "ā" not in text
    assert re.findall(r"\w’\w|\w’ |“\w|[.]”", text) == [
        "s’ ",  # Police Chiefs’ Council
        "“W",
        "“T",
        "d’s",
        "e’s",
        "“B",
        ".”",
        "e’s",
        "“I",
        "“W",
        ".”",
        "e’s",
        "“S",
        "“S",
    ]
    assert "said: “Where a child" in text and "evade justice.” Grooming" in text


def test_repair_rules_are_tried_in_order_once_per_place() -> None:
    rules = [
        Repair("a", "X", "only between letters", ("letter",), ("letter",)),
        Repair("a", "Y", "at a line's start", ("line-start",), ()),
        Repair("a", "Z", "anywhere else"),
    ]
    assert normalise("a cat\nsat a", rules) == "Y cXt sXt Z"


def test_repairs_cannot_blow_up_memory(tmp_path: Path) -> None:
    """28 '{replace: a, with: aa}' rules once took about 4 GB: rules now apply in one pass."""
    raw = "a" * 1300
    doubled = [Repair("a", "aa", f"rule {n}") for n in range(28)]
    assert len(normalise(raw, doubled)) == 2600
    text = "a" * 10_000
    sha = hashlib.sha256(text.encode()).hexdigest()
    data = write_files(
        tmp_path / "data",
        {
            "all.yaml": f"""
dataset: {{texts: texts}}
sources:
  - id: s1
    kind: report
    title: A report
    publisher: unknown
    author: unknown
    undated: true
    text: {{file: t.txt, sha256: {sha}}}
    repairs: [{{replace: a, with: aaaaaaaaaaaaaaaa, reason: grows}}]
""",
        },
    )
    write_files(data / "texts", {"t.txt": text})
    result = run("check", "--data", str(data), "--no-shacl")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].endswith(
        "text.file: " + str(data / "texts" / "t.txt") + " would grow from 10,000 to 160,000 characters by its repairs;"
        " check that the file is the source's text, and check its repairs"
    )


# --- quote context holds no character a strict parser refuses ------------------------------------


def test_quote_context_stops_at_characters_no_literal_may_hold() -> None:
    """NUL, ESC and U+FFFE in a source text once reached oa:prefix/oa:suffix; rapper refused the file."""
    raw = "Before\x00 the \x1bstart: the words here\ufffe after \x7f end"
    anchor = source_text("s", Path("t"), "", raw, ()).find("the words here", ())
    assert anchor is not None
    assert anchor.prefix == "start: "
    assert anchor.suffix == ""
    assert raw[anchor.start : anchor.end] == "the words here"


def test_an_export_from_a_text_with_control_characters_parses_in_strict_parsers(tmp_path: Path) -> None:
    text = "Head\x00line. The \x1b[31mUnit\x1b[0m acts now, said\ufffe the Office.\x07\n"
    sha = hashlib.sha256(text.encode()).hexdigest()
    data = write_files(
        tmp_path / "data",
        {
            "all.yaml": f"""
dataset: {{texts: texts}}
sources:
  - {{id: s1, kind: report, title: Headline, publisher: unknown, author: unknown, undated: true,
      text: {{file: t.txt, sha256: {sha}}}}}
organisations:
  - id: office
    name: The Office
    sources: [{{source: s1, evidence: "acts now, said"}}, {{source: s1, evidence: "the Office."}}]
""",
        },
    )
    write_files(data / "texts", {"t.txt": text})
    out = tmp_path / "kg.ttl"
    result = run("export", "--data", str(data), "-o", str(out))
    assert result.exit_code == 0, result.output
    for command in (["rapper", "-q", "-i", "turtle", "-c", str(out)], ["serdi", "-i", "turtle", str(out)]):
        checked = subprocess.run(command, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
    graph = rdflib.Graph().parse(out)
    contexts = [str(o) for p in (OA.prefix, OA.suffix) for o in graph.objects(None, p)]
    assert contexts and not any(re.search("[\x00-\x1f\x7f\ufffe]", c) for c in contexts)


# --- the texts ship with the dataset ----------------------------------------------------------------


def test_the_quick_start_anchors_every_quote_with_nothing_beside_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh clone once wrote 3220 triples, two warnings and no offsets."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KG_TEXTS", raising=False)
    result = run("export", "-o", "kg.ttl")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"kg: dataset the bundled dataset ({bundled_data()})",
        "kg: wrote 4546 triples (turtle) to kg.ttl",
    ]
    graph = rdflib.Graph().parse(tmp_path / "kg.ttl")
    assert len(list(graph.subjects(rdflib.RDF.type, OA.TextPositionSelector))) == 156


def test_the_wheel_carries_the_source_texts_beside_the_data(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("000_5629415f7da9fc23.txt", "003_47ebf0990ab5a67e.txt", "README.md"):
        assert f"kg/data/texts/{name}" in names


# --- a dataset names texts only inside its own folder ------------------------------------------


@pytest.mark.parametrize("setting", ["/etc", "/proc/self", "../outside", "texts/../../outside"])
def test_a_dataset_cannot_name_texts_outside_its_folder(tmp_path: Path, setting: str) -> None:
    """`texts: /etc` once read any folder, and leaked the file's SHA-256 and content in messages."""
    secret = "root:x:0:0:the secret line\n"
    write_files(tmp_path / "outside", {"passwd": secret})
    data = write_files(
        tmp_path / "data",
        {
            "all.yaml": f"""
dataset: {{texts: "{setting}"}}
sources:
  - {{id: s1, kind: report, title: A report, publisher: unknown, author: unknown, undated: true,
      text: {{file: passwd, sha256: {"0" * 64}}}}}
organisations:
  - {{id: office, name: Office, sources: [{{source: s1, evidence: "the secret"}}]}}
""",
        },
    )
    result = run("check", "--data", str(data), "--no-shacl")
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first == (
        f"{data / 'all.yaml'}:2:18: dataset.texts: {setting!r} is outside the dataset's folder: a dataset may only name text folders"
        " inside its own folder; move the texts into the dataset's folder (e.g. texts/), or give their folder with --texts or KG_TEXTS"
    )
    assert "secret" not in result.output and hashlib.sha256(secret.encode()).hexdigest() not in result.output


def test_a_texts_setting_naming_no_folder_is_reported_at_the_setting(tmp_path: Path) -> None:
    """Said once where the setting is, beside each source whose text was then not found."""
    data = write_files(
        tmp_path / "data",
        {
            "dataset.yaml": "dataset:\n  title: A dataset\n  texts: txets\n",
            "all.yaml": f"""
sources:
  - {{id: s1, kind: report, title: A report, publisher: unknown, author: unknown, undated: true,
      text: {{file: a.txt, sha256: {"0" * 64}}}}}
organisations:
  - {{id: office, name: Office, sources: [{{source: s1, evidence: "the office"}}]}}
""",
        },
    )
    result = run("check", "--data", str(data), "--no-shacl")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        f"{data / 'all.yaml'}:4:20: text.file: a.txt was not found; searched {data / 'txets'} (the dataset's texts setting 'txets',"
        " relative to its folder); give --texts FOLDER (or set KG_TEXTS) where the source texts are, or --allow-ungrounded to go"
        " on without checking this source's evidence",
        f"{data / 'dataset.yaml'}:3:10: warning: dataset.texts: {data / 'txets'} does not exist; correct the setting"
        " (a folder inside the dataset's folder), or create the folder and put the sources' texts in it",
    ]


def test_a_text_linked_out_of_the_dataset_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret words\n", encoding="utf-8")
    data = write_files(
        tmp_path / "data",
        {
            "all.yaml": f"""
dataset: {{texts: texts}}
sources:
  - {{id: s1, kind: report, title: A report, publisher: unknown, author: unknown, undated: true,
      text: {{file: t.txt, sha256: {"0" * 64}}}}}
organisations:
  - {{id: office, name: Office, sources: [{{source: s1, evidence: "the secret"}}]}}
""",
        },
    )
    (data / "texts").mkdir()
    (data / "texts" / "t.txt").symlink_to(secret)
    result = run("check", "--data", str(data), "--no-shacl")
    assert result.exit_code == 1
    assert f"text.file: {data / 'texts' / 't.txt'} is a link that leads outside the dataset's folder: it was not read" in result.stdout
    assert "secret words" not in result.output and hashlib.sha256(secret.read_bytes()).hexdigest() not in result.output


def test_texts_outside_the_dataset_come_from_the_person_running_the_command(tmp_path: Path) -> None:
    shutil.copytree(bundled_data(), tmp_path / "data", ignore=shutil.ignore_patterns("texts"))
    shutil.copytree(bundled_data() / "texts", tmp_path / "elsewhere")
    assert run("check", "--data", str(tmp_path / "data"), "--no-shacl").exit_code == 1
    given = run("check", "--data", str(tmp_path / "data"), "--no-shacl", "--texts", str(tmp_path / "elsewhere"))
    assert given.exit_code == 0
    assert given.stdout.splitlines()[-1].endswith("156 of 156 evidence quotes grounded in their sources")


# --- the working folder's dataset ------------------------------------------------------------------


def test_a_checkout_reads_its_own_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After `pip install .`, edits to ./data were once ignored in favour of site-packages."""
    shutil.copytree(bundled_data(), tmp_path / "data")
    people = tmp_path / "data" / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8").replace('name: "James Cleverly"', 'name: "James Cleverly MP"'), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("export", "-o", "kg.ttl")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == "kg: dataset ./data (the working folder's dataset)"
    assert '"James Cleverly MP"' in (tmp_path / "kg.ttl").read_text(encoding="utf-8")


# --- output never replaces an input ----------------------------------------------------------------


def test_export_refuses_to_overwrite_what_it_reads(tmp_path: Path) -> None:
    """`-o` naming a curated file or a source text once replaced it, with exit 0."""
    data = shutil.copytree(bundled_data(), tmp_path / "data")
    (tmp_path / "link.ttl").symlink_to(data / "people.yaml")
    cases = {
        data / "sources.yaml": data / "sources.yaml",
        data / "texts" / "000_5629415f7da9fc23.txt": data / "texts" / "000_5629415f7da9fc23.txt",
        tmp_path / "link.ttl": data / "people.yaml",
    }
    for target, read in cases.items():
        before = read.read_bytes()
        result = run("export", "--data", str(data), "-f", "turtle", "-o", str(target))  # -f: past the suffix rule
        assert result.exit_code == 2
        assert result.output == f"Error: refusing to write {target}: it is {read}, which the export reads; give -o another file\n"
        assert read.read_bytes() == before


# --- generated nodes never collide with records ----------------------------------------------------------


def test_a_source_called_period_gets_its_own_citation_node(tmp_path: Path) -> None:
    """A source with the id 'period' once merged a statistic's citation with its period node."""
    data = write_files(
        tmp_path / "data",
        {
            "all.yaml": """
sources:
  - {id: period, kind: report, title: A report, publisher: unknown, author: unknown, undated: true}
measures:
  - {id: arrests, name: arrests}
organisations:
  - {id: office, name: Office, sources: [{source: period, evidence: "Office"}]}
statistics:
  - id: stat
    counts: arrests
    value: 5
    comparator: exactly
    about: office
    period: {label: "last year", duration: P1Y}
    sources: [{source: period, evidence: "5 arrests"}]
""",
        },
    )
    dataset, report = api.prepare(data, allow_ungrounded=True)
    assert report.ok, [str(p) for p in report.errors]
    graph = api.build_graph(dataset, anchors=report.anchors)
    base = vocab.DEFAULT_BASE
    period, citation = rdflib.URIRef(base + "stat.period"), rdflib.URIRef(base + "stat.cite.period")
    assert set(graph.objects(period, rdflib.RDF.type)) == {KG.Period}
    assert set(graph.objects(citation, rdflib.RDF.type)) == {KG.Citation, OA.Annotation}
    typed = {}
    for node, kind in graph.subject_objects(rdflib.RDF.type):
        typed.setdefault(node, set()).add(kind)
    assert not [n for n, kinds in typed.items() if len(kinds & {KG.Period, KG.Citation, KG.Statistic, KG.Source, KG.TextRepair}) > 1]


# --- kg verify ----------------------------------------------------------------------------------------


def test_verify_passes_on_the_bundled_export_reading_nothing_but_graph_and_texts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = exported(tmp_path)
    texts = shutil.copytree(bundled_data() / "texts", tmp_path / "texts")
    alone = tmp_path / "alone"
    alone.mkdir()
    monkeypatch.chdir(alone)  # no dataset anywhere near
    result = run("verify", str(graph), "--texts", str(texts))
    assert result.exit_code == 0, result.output
    assert result.output == "0 errors; 156 quotes checked against 2 texts; 116 facts checked for citations\n"


def tampered(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = exported(tmp_path).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "tampered.ttl"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def verify_lines(graph: Path) -> tuple[int, list[str]]:
    result = run("verify", str(graph), "--texts", str(bundled_data() / "texts"))
    return result.exit_code, result.output.splitlines()


def test_verify_fails_precisely_on_a_moved_offset(tmp_path: Path) -> None:
    selector = "kgd:npcc.cite.article-550-arrests.1.position a oa:TextPositionSelector ;\n\toa:end 797 ;\n\toa:start "
    graph = tampered(tmp_path, selector + "755 .", selector + "756 .")
    code, lines = verify_lines(graph)
    assert code == 1
    assert lines == [
        f"{graph}: npcc.cite.article-550-arrests.1.position: oa:exact: the text at 756..797 reads 'ed by the National Police Chiefs’"
        " Council', not 'Led by the National Police Chiefs’ Council'; the offsets or the quote were changed",
        "1 error; 156 quotes checked against 2 texts; 116 facts checked for citations",
    ]


def test_verify_fails_on_an_edited_quote_and_an_edited_text(tmp_path: Path) -> None:
    graph = tampered(tmp_path, 'oa:exact "Led by the National Police Chiefs’ Council"', 'oa:exact "Led by the National Crime Agency"')
    code, lines = verify_lines(graph)
    assert code == 1
    assert all(
        "oa:exact: the text at 755..797 reads 'Led by the National Police Chiefs’ Council', not 'Led by the National Crime Agency'" in line
        for line in lines[:-1]
    )
    texts = shutil.copytree(bundled_data() / "texts", tmp_path / "texts")
    with open(texts / "000_5629415f7da9fc23.txt", "a", encoding="utf-8") as handle:
        handle.write(" ")
    result = run("verify", str(exported(tmp_path)), "--texts", str(texts))
    assert result.exit_code == 1
    assert "article-550-arrests: kg:textSha256: " in result.output and "the text is not the one the graph was made from" in result.output


def test_verify_finds_a_fact_without_a_citation_and_a_wrong_source_count(tmp_path: Path) -> None:
    graph_path = exported(tmp_path)
    graph = rdflib.Graph().parse(graph_path)
    node = rdflib.URIRef(vocab.DEFAULT_BASE + "taskforce-led-by-npcc")
    for citation in list(graph.objects(node, KG.citation)):
        graph.remove((node, KG.citation, citation))
        graph.remove((citation, OA.hasBody, node))
    other = rdflib.URIRef(vocab.DEFAULT_BASE + "home-office")
    count = int(graph.value(other, KG.sourceCount))
    graph.set((other, KG.sourceCount, rdflib.Literal(count + 3)))
    broken = tmp_path / "broken.nt"
    graph.serialize(broken, format="nt", encoding="utf-8")
    code, lines = verify_lines(broken)
    assert code == 1
    assert f"{broken}: home-office: kg:sourceCount: the fact says {count + 3} sources, but its citations name {count}" in lines
    assert f"{broken}: taskforce-led-by-npcc: kg:citation: the fact has no citation" in lines
    assert (
        f"{broken}: grooming-gangs-taskforce: kg:ledBy: the fact 'grooming-gangs-taskforce kg:ledBy npcc' has no statement with a citation"
        in lines
    )


def test_verify_of_a_facts_only_export_says_so_once(tmp_path: Path) -> None:
    """A graph with no provenance at all gave one 'no citation' line per fact (87 lines)."""
    facts = tmp_path / "facts.ttl"
    assert run("export", "--layer", "facts", "-o", str(facts), "--texts", str(bundled_data() / "texts")).exit_code == 0
    code, lines = verify_lines(facts)
    assert code == 1
    assert lines == [
        f"{facts}: (graph): kg:citation: none of its 40 facts has a citation: the graph holds no provenance (as an export of the"
        " facts layer alone); verify the whole export (kg export --layer all), whose facts carry their citations",
        "1 error; 0 quotes checked against 0 texts; 40 facts checked for citations",
    ]


def test_verify_says_when_it_cannot_work(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    result = run("verify", str(bad), "--texts", str(tmp_path))
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {bad}: not a valid Turtle graph: ")
    missing = run("verify", str(bad), "--texts", str(tmp_path / "nope"))
    assert missing.exit_code == 2


@pytest.mark.parametrize("fmt", ["ntriples", "nt", "application/n-triples", "N-Triples"])
def test_verify_takes_a_format_by_the_name_kg_export_gives_it_its_suffix_or_media_type(tmp_path: Path, fmt: str) -> None:
    graph = exported(tmp_path, "--format", "ntriples")
    renamed = graph.rename(tmp_path / "graph.data")  # a name that says nothing
    result = run("verify", str(renamed), "--texts", str(bundled_data() / "texts"), "--format", fmt)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("0 errors; 156 quotes checked")


def test_verify_names_the_formats_it_takes_for_one_it_does_not(tmp_path: Path) -> None:
    result = run("verify", str(exported(tmp_path)), "--texts", str(tmp_path), "--format", "csv")
    assert result.exit_code == 2
    assert result.output == (
        "Error: unknown graph format 'csv': give one of jsonld, n3, nquads, ntriples, rdfxml, trig, turtle,"
        " a suffix such as nt, or a media type\n"
    )


# --- the mapping holds for any text -------------------------------------------------------------------

_PIECES = st.sampled_from(
    ["a", "b", "ā", " ", "  ", "\n", "\t\n ", "e\u0301", "\u00e9", "’", '"', ".", "\u1100\u1161", "x\u0327\u0301", "Ω"]
)
_RULES = [
    Repair("ā", "’", "", ("letter",), ("letter",)),
    Repair("ā", "“", "", ("line-start", "space"), ()),
    Repair("ā", "--", "", (), ()),
]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(pieces=st.lists(_PIECES, min_size=1, max_size=40), cut=st.tuples(st.integers(0, 60), st.integers(1, 20)))
def test_any_found_evidence_maps_back_to_its_raw_span(pieces: list[str], cut: tuple[int, int]) -> None:
    raw = "".join(pieces)
    text = source_text("s", Path("t"), "", raw, _RULES)
    normalised = text.text
    assert normalised == normalise(raw, _RULES)
    start = min(cut[0], max(0, len(normalised) - 1))
    evidence = normalised[start : start + cut[1]].strip()
    if not evidence or tidy(evidence) != evidence:
        return
    anchor = text.find(evidence, ())
    assert anchor is not None
    assert tidy(repair_within(raw, _RULES, anchor.start, anchor.end)) == anchor.exact


def test_verify_of_a_graph_with_nothing_to_verify_fails(tmp_path: Path) -> None:
    """An empty or unrelated graph passed with '0 errors', though nothing was checked."""
    for name, content in (("empty.ttl", ""), ("junk.nt", "<http://a.example/x> <http://a.example/p> <http://a.example/y> .\n")):
        graph = tmp_path / name
        graph.write_text(content, encoding="utf-8")
        code, lines = verify_lines(graph)
        assert code == 1
        assert lines[0] == (
            f"{graph}: (graph): kg:citation: the graph holds no facts, sources or citations of kg's vocabulary:"
            " nothing was verified; give the graph kg export wrote"
        )
