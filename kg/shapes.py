"""Validating the built graph against the SHACL shapes in ``ontology/shapes.ttl``.

Violations are reported like any other problem: the record's file and line, the
focus node's id and label, and the rule's own message.
"""

from __future__ import annotations

from pathlib import Path

import rdflib
from rdflib.namespace import RDFS, SH

from kg.build import base_of, build_graph
from kg.check import Report
from kg.model import Dataset, Pos
from kg.problems import ERROR, WARNING, Problem
from kg.resources import ontology_dir


def shapes_graph(path: Path | None = None) -> rdflib.Graph:
    """The SHACL shapes graph (the bundled one by default)."""
    return rdflib.Graph().parse(path or ontology_dir() / "shapes.ttl", format="turtle")


def validate(graph: rdflib.Graph, shapes: rdflib.Graph | None = None) -> tuple[bool, rdflib.Graph]:
    """pySHACL's verdict on ``graph``: whether it conforms, and the results graph."""
    import pyshacl  # imported here: loading it takes a moment that export never needs

    conforms, results, _ = pyshacl.validate(graph, shacl_graph=shapes or shapes_graph(), inference="none")
    return bool(conforms), results


def _short(node: rdflib.term.Node, graph: rdflib.Graph) -> str:
    try:
        return graph.namespace_manager.normalizeUri(node) if isinstance(node, rdflib.URIRef) else str(node)
    except Exception:
        return str(node)


def _rule(path: rdflib.term.Node | None, name: rdflib.term.Node | None, graph: rdflib.Graph) -> str:
    """How a violated rule is named: its property, else the shape's own name."""
    if isinstance(path, rdflib.URIRef):
        return _short(path, graph)
    return str(name) if name is not None else "shape"


def validate_dataset(dataset: Dataset, report: Report, shapes: rdflib.Graph | None = None) -> list[Problem]:
    """SHACL violations of a dataset's graph, each placed at the record it came from."""
    base = base_of(dataset)
    graph = build_graph(dataset, anchors=report.anchors)
    conforms, results = validate(graph, shapes)
    if conforms:
        return []
    positions: dict[str, Pos] = {record.id: record.pos for record in dataset.records()}
    problems = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        shape = results.value(result, SH.sourceShape)
        name = results.value(shape, SH.name) if shape is not None else None
        message = results.value(result, SH.resultMessage) or "violates a shape"
        severity = results.value(result, SH.resultSeverity)
        local = str(focus)[len(base) :] if str(focus).startswith(base) else str(focus)
        record_id = local.split(".", 1)[0]
        label = graph.value(focus, RDFS.label) if focus is not None else None
        named = f"{local} ({label})" if label else local
        problems.append(
            Problem(
                positions.get(record_id),
                f"shacl {_rule(path, name, graph)}",
                f"{named}: {message}",
                severity=ERROR if severity in (None, SH.Violation) else WARNING,
            )
        )
    return sorted(problems, key=lambda p: p.sort_key)
