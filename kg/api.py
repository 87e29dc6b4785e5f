"""The Python API the command line is a thin skin over.

>>> from kg import prepare, build_graph
>>> dataset, report = prepare()           # the bundled dataset, loaded and checked
>>> graph = build_graph(dataset, anchors=report.anchors)
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kg import check as checks
from kg import export, shapes
from kg.build import base_of, build_graph, triples
from kg.iri import valid_base
from kg.load import load_dataset
from kg.model import Dataset
from kg.problems import DataProblems, KgError, errors
from kg.resources import bundled_data

__all__ = ["build_graph", "check", "export_dataset", "load", "prepare"]


def load(data: str | Path | None = None) -> Dataset:
    """Load a curated dataset (the bundled one by default); raises :class:`DataProblems`
    when a file cannot be parsed into records."""
    dataset, problems = load_dataset(Path(data) if data else bundled_data())
    if errors(problems):
        raise DataProblems(problems)
    return dataset


def check(dataset: Dataset, texts: Iterable[str | Path] = ()) -> checks.Report:
    """Check a loaded dataset; the report lists problems and carries evidence anchors."""
    return checks.check(dataset, texts)


def prepare(data: str | Path | None = None, texts: Iterable[str | Path] = ()) -> tuple[Dataset, checks.Report]:
    """Load and check, collecting every problem of both steps in one report."""
    dataset, problems = load_dataset(Path(data) if data else bundled_data())
    report = checks.check(dataset, texts, problems)
    return dataset, report


def export_dataset(
    output: str | Path,
    *,
    data: str | Path | None = None,
    texts: Iterable[str | Path] = (),
    fmt: str = "turtle",
    base: str | None = None,
    shacl: bool = False,
) -> tuple[int, checks.Report]:
    """Check a dataset (and validate it against the SHACL shapes when ``shacl``) and, when it
    has no errors, write its graph; returns the triple count and the report. Raises
    :class:`DataProblems` (nothing written) on errors."""
    export.get_format(fmt)
    if base is not None and not valid_base(base):
        raise KgError(f"--base {base!r} must be an http(s) IRI ending in '/' or '#'")
    dataset, report = prepare(data, texts)
    if report.errors:
        raise DataProblems(report.problems)
    if shacl:
        violations = shapes.validate_dataset(dataset, report)
        if errors(violations):
            raise DataProblems(report.problems + violations)
    chosen = base_of(dataset, base)
    count = export.write(triples(dataset, base=chosen, anchors=report.anchors), output, fmt, base=chosen)
    return count, report
