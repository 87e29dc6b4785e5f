"""`kg docs`: the vocabulary page, its Markdown and class diagram, made from ontology/kg.ttl."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg import docs, vocab
from kg.cli import cli
from kg.resources import ontology_dir

REPO = Path(__file__).resolve().parents[1]


class _Page(HTMLParser):
    """The ids, internal links and element nesting of an HTML page."""

    VOID = frozenset({"meta", "br", "link", "img", "input", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.open: list[str] = []
        self.in_svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "svg":
            self.in_svg += 1
        if not self.in_svg and found.get("id"):
            self.ids.append(str(found["id"]))
        if found.get("href", "").startswith("#"):  # type: ignore[union-attr]
            self.links.append(str(found["href"])[1:])
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if dict(attrs).get("href", "").startswith("#"):  # type: ignore[union-attr]
            self.links.append(str(dict(attrs)["href"])[1:])

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.in_svg -= 1
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("docs")
    return {p.name: p for p in docs.write_docs(folder)}


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_dir() / "kg.ttl")


def _terms(ontology: rdflib.Graph) -> list[rdflib.URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.ConceptScheme, SKOS.Concept)
    return sorted(
        {s for k in kinds for s in ontology.subjects(RDF.type, k) if isinstance(s, rdflib.URIRef) and str(s).startswith(vocab.KG)}
    )


def test_docs_writes_the_page_the_markdown_and_the_diagram(written: dict[str, Path]) -> None:
    assert sorted(written) == ["classes.svg", "vocabulary.html", "vocabulary.md"]
    assert written["classes.svg"].read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_the_page_is_well_formed_and_every_link_inside_it_resolves(written: dict[str, Path]) -> None:
    page = _Page()
    page.feed(written["vocabulary.html"].read_text(encoding="utf-8"))
    assert page.open == []
    assert len(page.ids) == len(set(page.ids)), "ids are unique"
    assert set(page.links) - set(page.ids) == set()


def test_the_page_documents_every_term_with_its_domain_range_and_alignments(written: dict[str, Path], ontology: rdflib.Graph) -> None:
    html = written["vocabulary.html"].read_text(encoding="utf-8")
    text = unescape(html)
    terms = _terms(ontology)
    assert len(terms) > 100
    for term in terms:
        local = str(term)[len(vocab.KG) :]
        assert f'id="{local}"' in html, local
        assert f">{ontology.value(term, RDFS.label)}" in text, local
        assert str(ontology.value(term, RDFS.comment)) in text, local
    section = html.split('id="partOf"', 1)[1].split("</section>", 1)[0]
    assert '<a class="ext" href="http://purl.org/dc/terms/isPartOf">dcterms:isPartOf</a>' in section
    assert '<th>Domain</th><td><a class="term" href="#Initiative">kg:Initiative</a>, <a class="term" href="#Organisation">' in section
    ledby = html.split('id="ledBy"', 1)[1].split("</section>", 1)[0]
    assert (
        '<th>Range</th><td><a class="term" href="#Organisation">kg:Organisation</a>, <a class="term" href="#Person">kg:Person</a>' in ledby
    )
    assert "<svg" in html.split('id="diagram"', 1)[1].split("</section>", 1)[0]
    for row in ("Version IRI", "Licence", "Creator", "Preferred prefix", "Preferred namespace"):
        assert f"<th>{row}</th>" in html


def test_the_markdown_has_a_section_for_every_term(written: dict[str, Path], ontology: rdflib.Graph) -> None:
    markdown = written["vocabulary.md"].read_text(encoding="utf-8")
    headings = set(re.findall(r"^### (\w+)$", markdown, re.MULTILINE))
    properties_and_classes = {
        str(s)[len(vocab.KG) :]
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.ConceptScheme)
        for s in ontology.subjects(RDF.type, kind)
        if str(s).startswith(vocab.KG)
    }
    assert headings == properties_and_classes
    assert "![The kg: classes and the object properties between them](classes.svg)" in markdown
    for concept in vocab.CONCEPTS:
        assert f"`kg:{concept[len(vocab.KG) :]}`" in markdown


def test_the_class_diagram_draws_every_class_and_the_relations_between_them() -> None:
    source = docs.class_diagram(docs.read_vocabulary())
    for cls in ("Initiative", "Organisation", "Person", "Post", "Statistic", "Citation", "Source"):
        assert f"  {cls} [label=<" in source
    assert re.search(r'  Initiative -> Person \[label="kg:announcedBy\\nkg:establishedBy\\nkg:ledBy"\]', source)
    assert "kg:citation" not in source


def test_docs_are_the_same_bytes_every_time(written: dict[str, Path], tmp_path: Path) -> None:
    again = {p.name: p for p in docs.write_docs(tmp_path)}
    for name, path in written.items():
        assert again[name].read_bytes() == path.read_bytes(), name


def _without_svg(html: str) -> str:
    return re.sub(r"<svg.*</svg>", "<svg/>", html, flags=re.DOTALL)


def test_the_committed_docs_are_up_to_date(written: dict[str, Path]) -> None:
    """If this fails after a vocabulary change: kg docs -o docs (the diagram may differ by Graphviz version, so it is not compared)."""
    committed = REPO / "docs"
    assert (committed / "vocabulary.md").read_text(encoding="utf-8") == written["vocabulary.md"].read_text(encoding="utf-8")
    assert _without_svg((committed / "vocabulary.html").read_text(encoding="utf-8")) == _without_svg(
        written["vocabulary.html"].read_text(encoding="utf-8")
    )


def test_the_docs_command_says_what_it_wrote(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["docs", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"kg: wrote {tmp_path / 'vocabulary.html'}, {tmp_path / 'vocabulary.md'}, {tmp_path / 'classes.svg'}\n"


def test_without_graphviz_docs_fails_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    result = subprocess.run([sys.executable, "-m", "kg", "docs", "-o", str(out)], capture_output=True, text=True, env=env)
    assert result.returncode == 2
    assert result.stderr == (
        "Error: Graphviz's dot program is not installed: apt-get install graphviz (or see https://graphviz.org/download/)\n"
    )
    assert not out.exists()


NO_ONTOLOGY = "no owl:Ontology in it: give the vocabulary file, such as ontology/kg.ttl"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("garbage", "cannot be read as turtle: line 1: Bad syntax (expected directive or statement)"),
        ("", NO_ONTOLOGY),
        ("<https://example.org/a> a <https://example.org/B> .\n", NO_ONTOLOGY),
    ],
    ids=["not-turtle", "empty", "no-ontology"],
)
def test_an_ontology_that_is_not_a_vocabulary_is_one_line_and_writes_nothing(tmp_path: Path, text: str, said: str) -> None:
    given = tmp_path / "vocabulary.ttl"
    given.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["docs", "-o", str(out), "--ontology", str(given)])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"Error: {given}: {said}\n"
    assert not out.exists()


def test_a_file_name_in_a_tool_failure_cannot_start_a_line_of_its_own(tmp_path: Path) -> None:
    given = tmp_path / "evil\nkg: wrote x.ttl"
    given.write_text("garbage", encoding="utf-8")
    result = CliRunner().invoke(cli, ["docs", "-o", str(tmp_path / "out"), "--ontology", str(given)])
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"Error: {tmp_path}/evil\\nkg: wrote x.ttl: cannot be read as turtle: line 1: Bad syntax (expected directive or statement)\n"
    )
