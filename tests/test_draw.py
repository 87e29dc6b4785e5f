"""`kg draw`: the facts as a Graphviz picture, coloured by class, edges labelled with their sources."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg import api, draw, export, layers, vocab
from kg.build import triples
from kg.cli import cli
from kg.formats.network import entity_graph
from kg.problems import KgError
from kg.resources import bundled_data
from kg.terms import Lit, Triple

REPO = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"
TASKFORCE = vocab.DEFAULT_BASE + "grooming-gangs-taskforce"


@pytest.fixture(scope="module")
def built() -> list[Triple]:
    return list(triples(api.load()))


def _labels(built: list[Triple]) -> dict[str, str]:
    return {s: o.lexical for s, p, o in built if p == vocab.LABEL and isinstance(o, Lit)}


def _svg_shapes(svg: bytes) -> tuple[list[str], list[str]]:
    """The titles of the drawn nodes and edges (Graphviz titles each group)."""
    root = ET.fromstring(svg)
    groups = root.iter(f"{SVG}g")
    nodes, edges = [], []
    for g in groups:
        title = g.find(f"{SVG}title")
        if g.get("class") == "node" and title is not None:
            nodes.append(title.text or "")
        elif g.get("class") == "edge" and title is not None:
            edges.append(title.text or "")
    return nodes, edges


def test_the_picture_draws_every_entity_and_relation_with_its_sources(built: list[Triple]) -> None:
    source = draw.draw(built, fmt="dot").decode("utf-8")
    graph = entity_graph(built)
    for node in graph.nodes:
        fill, _, shape = draw.STYLES[node.cls]
        assert re.search(rf'label="[^"]*", shape={shape}, fillcolor="{fill}"', source)
        assert "".join(node.label.split()) in "".join(source.replace("\\n", " ").split())
    labels = re.findall(r' -> n\d+ \[label="([^"]+)"', source)
    assert len(labels) == len(graph.edges) == 32
    assert all(re.fullmatch(r"[a-z ]+ \(\d\)", label) for label in labels), labels
    assert "established by (2)" in labels


def test_the_svg_has_a_shape_for_every_entity_and_relation(built: list[Triple]) -> None:
    nodes, edges = _svg_shapes(draw.draw(built, fmt="svg"))
    entities = [n for n in nodes if not n.startswith("legend_")]
    assert len(entities) == 32
    assert sorted(n for n in nodes if n.startswith("legend_")) == [f"legend_{c}" for c in sorted(draw.STYLES) if c != "Source"]
    assert len([e for e in edges if "legend" not in e]) == 32


def test_a_neighbourhood_is_what_networkx_finds_around_the_entity(built: list[Triple], tmp_path: Path) -> None:
    """Compared with networkx's ego graph of the GraphML export, an independent count."""
    out = tmp_path / "kg.graphml"
    export.write(built, out, "graphml")
    whole = nx.read_graphml(out)
    for depth in (0, 1, 2):
        expected = nx.ego_graph(whole.to_undirected(), TASKFORCE, radius=depth)
        graph = draw.neighbourhood(entity_graph(built), TASKFORCE, depth)
        assert {n.id for n in graph.nodes} == set(expected.nodes)
        assert len(graph.edges) == whole.subgraph(expected.nodes).number_of_edges()
    nodes, _ = _svg_shapes(draw.draw(built, fmt="svg", around="grooming-gangs-taskforce", depth=1, base=vocab.DEFAULT_BASE))
    assert (
        len([n for n in nodes if not n.startswith("legend_")]) == nx.ego_graph(whole.to_undirected(), TASKFORCE, radius=1).number_of_nodes()
    )


def test_the_picture_is_the_same_bytes_every_time(built: list[Triple]) -> None:
    assert draw.draw(built, fmt="svg") == draw.draw(list(reversed(built)), fmt="svg")
    png = draw.draw(built, fmt="png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_the_facts_layer_draws_without_source_counts(built: list[Triple]) -> None:
    source = draw.draw(layers.facts(built), fmt="dot").decode("utf-8")
    labels = re.findall(r' -> n\d+ \[label="([^"]+)"', source)
    assert len(labels) == 32 and not any("(" in label for label in labels)


def test_draw_writes_the_format_of_the_suffix(tmp_path: Path) -> None:
    out = tmp_path / "graph.png"
    result = CliRunner().invoke(cli, ["draw", "--data", str(bundled_data()), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")
    assert result.stderr == f"kg: drew the entity graph (png) to {out}\n"


def test_a_suffix_that_names_no_picture_format_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    """kg draw -o graph.jpg wrote SVG into graph.jpg, which no viewer opens as a JPEG."""
    out = tmp_path / "graph.jpg"
    result = CliRunner().invoke(cli, ["draw", "--data", str(bundled_data()), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {out}: kg draw writes svg, png or dot, not .jpg; end the name in .svg, .png or .dot,"
        " or give -f svg|png|dot to write one of them under this name\n"
    )
    assert not out.exists()
    out.write_bytes(b"an old picture")
    assert CliRunner().invoke(cli, ["draw", "--data", str(bundled_data()), "-o", str(out)]).exit_code == 2
    assert out.read_bytes() == b"an old picture"
    chosen = CliRunner().invoke(cli, ["draw", "--data", str(bundled_data()), "-o", str(out), "-f", "png"])
    assert chosen.exit_code == 0, chosen.output
    assert out.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("output", "fmt", "chosen"),
    [("-", None, "svg"), ("graph", None, "svg"), ("graph.PNG", None, "png"), ("graph.dot", None, "dot"), ("graph.gv", "dot", "dot")],
)
def test_the_format_is_the_option_else_the_suffix_else_svg(output: str, fmt: str | None, chosen: str) -> None:
    assert draw.picture_format(output, fmt) == chosen


def test_a_suffix_that_names_no_picture_format_is_named_as_written() -> None:
    with pytest.raises(KgError) as refused:
        draw.picture_format("graph.JPG")
    assert str(refused.value) == (
        "graph.JPG: kg draw writes svg, png or dot, not .JPG; end the name in .svg, .png or .dot,"
        " or give -f svg|png|dot to write one of them under this name"
    )


def test_draw_around_an_unknown_id_names_the_entities() -> None:
    result = CliRunner().invoke(cli, ["draw", "--data", str(bundled_data()), "--around", "nobody", "-f", "dot"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: no entity 'nobody' to draw around; the entities are: cjb-ban-sex-offenders-changing-names, ")
    assert result.stdout == ""


def test_a_negative_depth_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["draw", "--around", "npcc", "--depth", "-1"])
    assert result.exit_code == 2
    assert "Invalid value for '--depth': -1 is not in the range x>=0." in result.stderr


def test_the_committed_picture_shows_every_entity(built: list[Triple]) -> None:
    """docs/graph.svg is the picture the README shows: kg draw -o docs/graph.svg (and .png)."""
    nodes, _ = _svg_shapes((REPO / "docs" / "graph.svg").read_bytes())
    assert len([n for n in nodes if not n.startswith("legend_")]) == 32
    text = (REPO / "docs" / "graph.svg").read_text(encoding="utf-8")
    for label in ("Grooming Gangs Taskforce", "Home Office", "James Cleverly", "led by (2)", "Launch of the Grooming", "attended by (1)"):
        assert f">{label}<" in text
    assert (REPO / "docs" / "graph.png").read_bytes().startswith(b"\x89PNG")
