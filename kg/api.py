"""The Python API the command line is a thin skin over.

>>> from kg import prepare, build_graph
>>> dataset, report = prepare()           # the bundled dataset, loaded and checked
>>> graph = build_graph(dataset, anchors=report.anchors)
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from kg import check as checks
from kg import export, layers, parts, shapes
from kg.build import base_of, build_graph, record_iris, triples
from kg.iri import NOT_A_NAMESPACE, base_problem
from kg.layers import LAYERS
from kg.load import data_files, display_path, load_dataset
from kg.model import Dataset
from kg.problems import DataProblems, KgError, errors
from kg.resources import bundled_data, ontology_dir
from kg.terms import Triple

__all__ = ["build_graph", "check", "checked_triples", "export_all", "export_dataset", "load", "prepare"]


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


def prepare(
    data: str | Path | None = None, texts: Iterable[str | Path] = (), *, allow_ungrounded: bool = False
) -> tuple[Dataset, checks.Report]:
    """Load and check, collecting every problem of both steps in one report. A source
    whose declared text is not found is an error unless ``allow_ungrounded``."""
    dataset, problems = load_dataset(Path(data) if data else bundled_data())
    report = checks.check(dataset, texts, problems, allow_ungrounded=allow_ungrounded)
    return dataset, report


def inputs_of(dataset: Dataset, report: checks.Report) -> list[Path]:
    """The files an export reads: the curated files, the source texts it found, the ontology."""
    return [*data_files(Path(dataset.root)), *report.texts.values(), *sorted(ontology_dir().glob("*.ttl"))]


def refuse_overwriting_inputs(output: str | Path, inputs: Iterable[Path]) -> None:
    """Raise :class:`KgError` when ``output`` is one of ``inputs`` (also through a link)."""
    if str(output) == "-":
        return
    target = Path(output)
    for path in inputs:
        try:
            same = target.exists() and os.path.samefile(target, path)
        except OSError:
            same = False
        if same:
            raise KgError(f"refusing to write {output}: it is {display_path(path)}, which the export reads; give -o another file")


def export_dataset(
    output: str | Path,
    *,
    data: str | Path | None = None,
    texts: Iterable[str | Path] = (),
    fmt: str = "turtle",
    base: str | None = None,
    shacl: bool = False,
    layer: str = "all",
    with_sources: bool = False,
    allow_ungrounded: bool = False,
    jobs: int | None = None,
) -> tuple[int, checks.Report]:
    """Check a dataset (and validate it against the SHACL shapes when ``shacl``) and, when it
    has no errors, write its graph (or one layer of it, ``all`` or ``facts``); returns the
    triple count and the report. Raises :class:`DataProblems` (nothing written) on errors.
    ``jobs``: processes that sort and write Turtle or N-Triples at once (see :mod:`kg.parts`;
    default: two for a large dataset where the system has two cores, else one)."""
    export.get_format(fmt)
    if jobs is not None and jobs < 1:
        raise KgError(f"--jobs {jobs}: give 1 or more processes")
    root = Path(data) if data else bundled_data()
    processes = parts.jobs_for(curated_bytes(root), jobs) if export.streams(fmt, layer) else 1
    # The writing helpers are forked before the dataset is loaded, so they hold none of it.
    with parts.writers(processes - 1) as helpers, parts.limited(jobs):
        dataset, report, chosen = _checked(root, texts, base, shacl=shacl, layer=layer, allow_ungrounded=allow_ungrounded, outputs=[output])
        cuts = parts.bounds(record_iris(dataset, chosen), len(helpers) + 1, parts.FIRST_PART)
        stream = _layer_stream(dataset, report, chosen, layer)
        count = export.write(stream, output, fmt, base=chosen, layer=layer, with_sources=with_sources, cuts=cuts, helpers=helpers)
    return count, report


def curated_bytes(root: Path) -> int:
    """The size of a dataset folder's curated files (0 where it cannot be read: loading says why)."""
    try:
        return sum(parts.file_sizes(data_files(root)))
    except KgError:
        return 0


def export_all(
    folder: str | Path,
    *,
    data: str | Path | None = None,
    texts: Iterable[str | Path] = (),
    base: str | None = None,
    shacl: bool = False,
    layer: str = "all",
    with_sources: bool = False,
    allow_ungrounded: bool = False,
) -> tuple[list[Path], checks.Report]:
    """As :func:`export_dataset`, in every format at once: ``folder/kg.ttl``, ``kg.nt`` and so on."""
    outputs = [Path(folder) / export.file_name(fmt) for fmt in sorted(export.FORMATS)]
    stream, chosen, report = checked_triples(
        data, texts, base, shacl=shacl, layer=layer, allow_ungrounded=allow_ungrounded, outputs=outputs
    )
    return export.write_all(stream, folder, base=chosen, layer=layer, with_sources=with_sources), report


def checked_triples(
    data: str | Path | None = None,
    texts: Iterable[str | Path] = (),
    base: str | None = None,
    *,
    shacl: bool = False,
    layer: str = "all",
    allow_ungrounded: bool = False,
    outputs: Iterable[str | Path] = (),
) -> tuple[Iterable[Triple], str, checks.Report]:
    """The triples of a checked dataset (or of one layer), the data namespace and the report.
    The whole graph (layer ``all``) comes as a stream, unsorted and possibly with repeats, for
    the writers to order in bounded memory (:mod:`kg.sort`); one iteration only. Raises
    :class:`DataProblems` when the data has errors, :class:`KgError` when one of ``outputs``
    is a file the export reads."""
    dataset, report, chosen = _checked(data, texts, base, shacl=shacl, layer=layer, allow_ungrounded=allow_ungrounded, outputs=outputs)
    return _layer_stream(dataset, report, chosen, layer), chosen, report


def _layer_stream(dataset: Dataset, report: checks.Report, chosen: str, layer: str) -> Iterable[Triple]:
    """The whole graph as a stream (see :func:`checked_triples`), or one layer, sorted."""
    stream = triples(dataset, base=chosen, anchors=report.anchors)
    return stream if layer == "all" else layers.select(stream, layer)


def _checked(
    data: str | Path | None,
    texts: Iterable[str | Path],
    base: str | None,
    *,
    shacl: bool,
    layer: str,
    allow_ungrounded: bool,
    outputs: Iterable[str | Path],
) -> tuple[Dataset, checks.Report, str]:
    """A dataset with no errors, its report and its data namespace; see :func:`checked_triples`."""
    wrong = None if base is None else base_problem(base)
    if wrong:
        hint = "" if wrong == NOT_A_NAMESPACE else "; choose a namespace of your own, e.g. https://example.org/id/"
        raise KgError(f"--base {base!r} {wrong}{hint}")
    if layer not in LAYERS:
        raise KgError(f"unknown layer {layer!r}; known: {', '.join(LAYERS)}")
    dataset, report = prepare(data, texts, allow_ungrounded=allow_ungrounded)
    for output in outputs:
        refuse_overwriting_inputs(output, inputs_of(dataset, report))
    if report.errors:
        raise DataProblems(report.problems)
    if shacl:
        violations = shapes.validate_dataset(dataset, report)
        if errors(violations):
            raise DataProblems(report.problems + violations)
    return dataset, report, base_of(dataset, base)
