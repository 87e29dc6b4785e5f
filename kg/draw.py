"""A picture of the facts: the entity graph drawn by Graphviz.

Entities are coloured by class (one style table, :data:`STYLES`), each relation is an
arrow labelled with the property and, in brackets, the number of sources that support
it. ``around`` draws only the neighbourhood of one entity, ``depth`` steps out.
"""

from __future__ import annotations

import itertools
import textwrap
from collections import defaultdict, deque
from typing import Final

from kg import graphviz
from kg.formats import format_by_suffix
from kg.formats.network import EntityGraph, entity_graph
from kg.problems import KgError
from kg.terms import Triple

#: How each class is drawn: fill colour, border colour, shape. The one place for styling.
STYLES: Final[dict[str, tuple[str, str, str]]] = {
    "Initiative": ("#fde7b0", "#b8860b", "box"),
    "Organisation": ("#d4e6f7", "#2f6f9f", "box"),
    "Person": ("#d8f0d8", "#3c8d5a", "ellipse"),
    "Post": ("#ece3f5", "#7a5ba6", "note"),
    "Place": ("#f9dcdc", "#b04a4a", "hexagon"),
    "Event": ("#fff3d6", "#c0762c", "octagon"),
    "Source": ("#eeeeee", "#666666", "folder"),
}
#: Picture formats, by name: ``dot`` is the Graphviz source itself.
PICTURE_FORMATS: Final = ("svg", "png", "dot")


def picture_format(output: str, fmt: str | None = None) -> str:
    """The format to draw into ``output``: ``fmt`` when given, else the one its suffix names
    (``.svg``, ``.png``, ``.dot``), else SVG (standard output, a name without a suffix).
    Another suffix is refused unless ``fmt`` says what to write: SVG in ``graph.jpg`` opens
    nowhere as a JPEG."""
    return format_by_suffix(
        output,
        fmt,
        {f".{name}": name for name in PICTURE_FORMATS},
        "svg",
        lambda suffix: (
            f"{output}: kg draw writes svg, png or dot, not {suffix}; end the name in .svg, .png or .dot,"
            " or give -f svg|png|dot to write one of them under this name"
        ),
    )


def neighbourhood(graph: EntityGraph, centre: str, depth: int) -> EntityGraph:
    """The entities at most ``depth`` relations from ``centre`` (either direction), and the relations among them."""
    links: defaultdict[str, set[str]] = defaultdict(set)
    for edge in graph.edges:
        links[edge.source].add(edge.target)
        links[edge.target].add(edge.source)
    seen = {centre: 0}
    queue = deque([centre])
    while queue:
        node = queue.popleft()
        if seen[node] < depth:
            for other in sorted(links[node]):
                if other not in seen:
                    seen[other] = seen[node] + 1
                    queue.append(other)
    return EntityGraph(
        [n for n in graph.nodes if n.id in seen],
        [e for e in graph.edges if e.source in seen and e.target in seen],
    )


def find_entity(graph: EntityGraph, wanted: str, base: str) -> str:
    """The IRI of the entity named by an id (``grooming-gangs-taskforce``) or an IRI."""
    ids = {n.id for n in graph.nodes}
    for candidate in (wanted, base + wanted):
        if candidate in ids:
            return candidate
    known = sorted(i[len(base) :] if i.startswith(base) else i for i in ids)
    raise KgError(f"no entity {wanted!r} to draw around; the entities are: {', '.join(known)}")


def _wrap(text: str, width: int = 24) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def dot_source(graph: EntityGraph, *, title: str = "") -> str:
    """The DOT source of an entity graph, with a legend of the classes it shows."""
    lines = [
        "digraph kg {",
        f'  graph [rankdir=LR, fontname="Helvetica", fontsize=16, labelloc=t, label={graphviz.quote(title)},'
        ' nodesep=0.3, ranksep=0.7, pad=0.3, bgcolor="white"];',
        '  node [fontname="Helvetica", fontsize=11, style="filled", penwidth=1.2, margin="0.12,0.06"];',
        '  edge [fontname="Helvetica", fontsize=9, color="#5b6b7a", fontcolor="#33414e", arrowsize=0.7];',
    ]
    numbers = {node.id: f"n{i}" for i, node in enumerate(graph.nodes)}
    for node in graph.nodes:
        fill, border, shape = STYLES.get(node.cls, ("#ffffff", "#000000", "box"))
        tooltip = f"{node.label} ({node.cls})\n{node.id}"
        if "statistics" in node.attributes:
            tooltip += "\n" + str(node.attributes["statistics"])
        lines.append(
            f"  {numbers[node.id]} [label={graphviz.quote(_wrap(node.label))}, shape={shape}, fillcolor={graphviz.quote(fill)},"
            f" color={graphviz.quote(border)}, tooltip={graphviz.quote(tooltip)}];"
        )
    for edge in graph.edges:
        count = edge.source_count
        label = edge.label if count is None else f"{edge.label} ({count})"
        width = 1.0 if count is None else min(1.0 + 0.8 * (count - 1), 3.4)
        lines.append(f"  {numbers[edge.source]} -> {numbers[edge.target]} [label={graphviz.quote(label)}, penwidth={width:.1f}];")
    shown = sorted({n.cls for n in graph.nodes}, key=lambda c: list(STYLES).index(c) if c in STYLES else len(STYLES))
    if shown:
        legend = 'label="classes    (n) = number of sources"; fontsize=11; color="#cccccc"; style="rounded";'
        lines.append(f"  subgraph cluster_legend {{ {legend}")
        for cls in shown:
            fill, border, shape = STYLES.get(cls, ("#ffffff", "#000000", "box"))
            style = f"shape={shape}, fillcolor={graphviz.quote(fill)}, color={graphviz.quote(border)}"
            lines.append(f"    legend_{cls} [label={graphviz.quote(cls)}, {style}];")
        for left, right in itertools.pairwise(shown):  # in a row: successive ranks
            lines.append(f"    legend_{left} -> legend_{right} [style=invis];")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw(triples: list[Triple], *, fmt: str = "svg", around: str | None = None, depth: int = 1, base: str = "") -> bytes:
    """The picture of the facts in a triple list (SVG, PNG or the DOT source), whole or around one entity."""
    if fmt not in PICTURE_FORMATS:
        raise KgError(f"unknown picture format {fmt!r}; known: {', '.join(PICTURE_FORMATS)}")
    if depth < 0:
        raise KgError(f"--depth must be 0 or more, not {depth}")
    graph = entity_graph(triples)
    title = "Entities and relations"
    if around is not None:
        centre = find_entity(graph, around, base)
        graph = neighbourhood(graph, centre, depth)
        title = f"Around {graph.node(centre).label} (depth {depth})"
    source = dot_source(graph, title=title)
    return source.encode("utf-8") if fmt == "dot" else graphviz.render(source, fmt)
