"""GEXF 1.2 (Gephi's own format): the entity graph of :mod:`kg.formats.network`.

Nodes carry ``label`` and their attributes (``class`` first), edges ``label`` and a
``weight`` equal to the number of sources, so Gephi draws better-sourced relations
thicker. No date is written, so the same data always gives the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kg import __version__
from kg.formats.network import EntityGraph, Value, xml_writer

NS = "http://www.gexf.net/1.2draft"


def _declare(parent: ET.Element, domain: str, rows: list[dict[str, Value]]) -> dict[str, str]:
    names = sorted({name for row in rows for name in row}, key=lambda n: (n != "class", n))
    block = ET.SubElement(parent, "attributes", {"class": domain, "mode": "static"})
    ids: dict[str, str] = {}
    for number, name in enumerate(names):
        ids[name] = f"{domain[0]}{number}"
        values = [row[name] for row in rows if name in row]
        kind = "integer" if values and all(isinstance(v, int) for v in values) else "string"
        ET.SubElement(block, "attribute", {"id": ids[name], "title": name, "type": kind})
    return ids


def _values(element: ET.Element, ids: dict[str, str], row: dict[str, Value]) -> None:
    if row:
        block = ET.SubElement(element, "attvalues")
        for name, value in row.items():
            ET.SubElement(block, "attvalue", {"for": ids[name], "value": str(value)})


def document(graph: EntityGraph) -> ET.Element:
    """The GEXF document of an entity graph."""
    root = ET.Element("gexf", {"xmlns": NS, "version": "1.2"})
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "creator").text = f"kg {__version__}"
    ET.SubElement(meta, "description").text = "Entities and the relations between them; sources only with --with-sources"
    body = ET.SubElement(root, "graph", {"defaultedgetype": "directed", "mode": "static"})
    node_rows = [{"class": n.cls, **n.attributes} for n in graph.nodes]
    edge_rows = [dict(e.attributes) for e in graph.edges]
    node_ids, edge_ids = _declare(body, "node", node_rows), _declare(body, "edge", edge_rows)
    nodes = ET.SubElement(body, "nodes")
    for node, row in zip(graph.nodes, node_rows, strict=True):
        _values(ET.SubElement(nodes, "node", {"id": node.id, "label": node.label}), node_ids, row)
    edges = ET.SubElement(body, "edges")
    for number, (edge, row) in enumerate(zip(graph.edges, edge_rows, strict=True)):
        attributes = {"id": str(number), "source": edge.source, "target": edge.target, "label": edge.label}
        if edge.source_count is not None:
            attributes["weight"] = str(edge.source_count)
        _values(ET.SubElement(edges, "edge", attributes), edge_ids, row)
    return root


#: The entity graph of the triples as this document, indented, in UTF-8.
write = xml_writer(document)
