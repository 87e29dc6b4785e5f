"""Validating the built graph against the SHACL shapes in ``ontology/shapes.ttl``.

Violations are reported like any other problem: the record's file and line, the
focus node's id and label, and the rule's own message.

pySHACL takes about 4 ms a fact, far longer than the export itself on large data. The
record checks already enforce every shape (:data:`COVERED_BY` says how, shape by shape, and
``tests/test_shapes.py`` proves each data mistake a shape can see is also caught by a
record check), so ``kg check`` runs pySHACL on its own only for graphs of up to
:data:`AUTO_LIMIT` triples, and on any size with ``--shacl``.
"""

from __future__ import annotations

from pathlib import Path

import rdflib
from rdflib.namespace import RDFS, SH

from kg.build import base_of, build_graph
from kg.check import Report
from kg.model import Dataset, Pos
from kg.problems import ERROR, NOTE, WARNING, Problem
from kg.resources import ontology_dir

#: Records up to which ``kg check`` validates with pySHACL unless told otherwise (about 100,000 triples, a few seconds).
AUTO_LIMIT = 3_000

_LOADER = "kg/curated.py field specifications (types, allowed values, required fields, at least one source)"
_BUILT = "kg/build.py writes it so for every record"

#: For every node shape in ``ontology/shapes.ttl`` (by local name): what guarantees a graph
#: written by ``kg export`` from checked records satisfies it.
COVERED_BY: dict[str, str] = {
    "FactShape": f"{_BUILT} (citations, prov:wasDerivedFrom, kg:sourceCount, kg:asserted); {_LOADER} demand a source;"
    " check_references: every cited source exists",
    "EntityShape": f"{_LOADER}: one name, alternative names as text; {_BUILT} as plain strings",
    "OrganisationShape": _BUILT,
    "PersonShape": f"{_BUILT} (schema:Person); check_people_hold_posts: an asserted holds-post statement to a post",
    "PostShape": f"{_BUILT}; {_LOADER}: single_holder is true or false, written only when true",
    "EventShape": f"{_LOADER}: name and kind required, kind from its list, date a checked date;"
    " check_references: place a place, participants and organisers people or organisations",
    "PlaceShape": _BUILT,
    "InitiativeShape": f"{_LOADER}: kind is required and one of the initiative kinds",
    "MeasureShape": _BUILT,
    "StatementShape": f"{_LOADER}: one subject, one known predicate, one object or value; {_BUILT}",
    "LedByShape": "check_references (_check_statement): subject and object kinds of vocab.STATEMENT_PREDICATES",
    "SupportedByShape": "check_references (_check_statement)",
    "FundedByShape": "check_references (_check_statement)",
    "EstablishedByShape": "check_references (_check_statement)",
    "EstablishedInShape": "check_references (_check_statement): subject kind, and the value is a checked date",
    "AnnouncedByShape": "check_references (_check_statement)",
    "PartOfShape": "check_references (_check_statement)",
    "PartnerShape": "check_references (_check_statement)",
    "HoldsPostShape": "check_references (_check_statement)",
    "PostInShape": "check_references (_check_statement)",
    "VisitedShape": "check_references (_check_statement)",
    "SpokeToShape": "check_references (_check_statement)",
    "PurposeShape": "check_references (_check_statement): a text value, never an object",
    "DescriptionShape": "check_references (_check_statement): a text value, never an object",
    "StaffedByShape": "check_references (_check_statement): a text value, never an object",
    "StatisticShape": f"{_LOADER}: value a number, comparator and unit from their lists, about required;"
    " check_references: counts a measure, place a place, attributed_to a person or organisation",
    "PeriodShape": f"{_LOADER}: label required, duration canonical, anchor from its list, start and end dates",
    "QuotationShape": f"{_LOADER}: text required and not blank; check_references: speaker and spoken_to a person or organisation",
    "ClaimShape": f"{_LOADER}: summary and about required; check_references: about resolves",
    "SourceShape": f"{_LOADER}: title, kind, url, dates, language, text; check_rules (_check_source): dated or undated;"
    f" {_BUILT} (publisher and author stated or kg:notStated)",
    "CitationShape": f"{_BUILT} (one annotation per citation, its target and source); {_LOADER}: status from its list,"
    " evidence not blank; check_references: source a source, attributed_to a person or organisation",
    "UndatedSourceShape": "check_rules (_check_source): a source marked undated has no date",
    "TextRepairShape": f"{_LOADER}: replace, with and reason required, not empty",
    "FigureComparisonShape": f"{_BUILT}: comparisons are made by kg/check.py from statistics of the same measure",
    "TextRepairContextShape": f"{_LOADER}: a repair's order and contexts; {_BUILT}",
    "SourceTextBasisShape": f"{_BUILT}: a source with a text hash says what its offsets count and its quotes come from",
    "AttributionShape": "check_rules: status attributed or quoted needs attributed_to (a quotation's speaker by default)",
    "StatusNeedsNoAttribution": "part of AttributionShape",
    "HasAttribution": "part of AttributionShape",
    "SpecificResourceShape": f"{_BUILT}: one quote selector, and one position selector when the evidence is grounded",
    "TextQuoteSelectorShape": f"{_BUILT}: the exact words, with prefix and suffix only when found",
    "TextPositionSelectorShape": f"{_BUILT}: start and end offsets from check_evidence's anchors",
}


def wanted(shacl: bool | None, dataset: Dataset) -> bool:
    """Whether to validate with pySHACL: as asked, else (``None``) for datasets of up to :data:`AUTO_LIMIT` records."""
    return len(dataset) <= AUTO_LIMIT if shacl is None else shacl


def skipped(dataset: Dataset) -> Problem:
    """The note ``kg check`` gives when it leaves pySHACL out on a large dataset."""
    return Problem(
        None,
        "shacl",
        f"the SHACL shapes were not run through pySHACL: {len(dataset)} records is over {AUTO_LIMIT}, and the record checks"
        " above enforce every shape (see the README's Performance section)",
        "give --shacl to run pySHACL too",
        severity=NOTE,
    )


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
