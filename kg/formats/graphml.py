"""GraphML (for yEd, Cytoscape, Gephi and networkx): the entity graph of :mod:`kg.formats.network`.

Written with the standard library's XML writer, so networkx is needed only to read it
back in the tests. Every attribute is declared as a ``<key>`` with its name and type,
nodes carry ``label`` and ``class``, edges ``label``, ``property`` and ``sourceCount``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kg.formats.network import Edge, EntityGraph, Node, Value, xml_writer

NS = "http://graphml.graphdrawing.org/xmlns"


def _type(values: list[Value]) -> str:
    return "int" if values and all(isinstance(v, int) for v in values) else "string"


def _node_attributes(node: Node) -> dict[str, Value]:
    return {"label": node.label, "class": node.cls, **node.attributes}


def _edge_attributes(edge: Edge) -> dict[str, Value]:
    return {"label": edge.label, **edge.attributes}


def document(graph: EntityGraph) -> ET.Element:
    """The GraphML document of an entity graph."""
    root = ET.Element("graphml", {"xmlns": NS})
    rows = {"node": [_node_attributes(n) for n in graph.nodes], "edge": [_edge_attributes(e) for e in graph.edges]}
    keys: dict[tuple[str, str], str] = {}
    for domain, attribute_rows in rows.items():
        names = sorted({name for row in attribute_rows for name in row}, key=lambda n: (n not in ("label", "class"), n))
        for name in names:
            key = f"{domain}-{name}"
            keys[(domain, name)] = key
            kind = _type([row[name] for row in attribute_rows if name in row])
            ET.SubElement(root, "key", {"id": key, "for": domain, "attr.name": name, "attr.type": kind})
    body = ET.SubElement(root, "graph", {"id": "kg", "edgedefault": "directed"})
    for node, attributes in zip(graph.nodes, rows["node"], strict=True):
        element = ET.SubElement(body, "node", {"id": node.id})
        for name, value in attributes.items():
            ET.SubElement(element, "data", {"key": keys[("node", name)]}).text = str(value)
    for number, (edge, attributes) in enumerate(zip(graph.edges, rows["edge"], strict=True)):
        element = ET.SubElement(body, "edge", {"id": f"e{number}", "source": edge.source, "target": edge.target})
        for name, value in attributes.items():
            ET.SubElement(element, "data", {"key": keys[("edge", name)]}).text = str(value)
    return root


#: The entity graph of the triples as this document, indented, in UTF-8.
write = xml_writer(document)
