"""``kg export`` and ``kg check``: the dataset's graph, and every mistake in it."""

from __future__ import annotations

from typing import Any

import click

from kg import api, parts, reporting, shapes
from kg.check import CONFLICT_RULES
from kg.commands.common import (
    ToolFailed,
    allow_ungrounded_option,
    chosen_dataset,
    data_options,
    quiet_option,
    report_problems,
    summary,
    translate_errors,
)
from kg.export import FORMATS, format_for
from kg.layers import LAYERS
from kg.problems import ERROR, WARNING


@click.command()
@data_options
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default=None,
    help="Output format.  [default: the one -o's suffix names (.ttl, .nt, .nq, .trig, .jsonld, .rdf, .graphml, .gexf), else turtle]",
)
@click.option("-o", "--output", default=None, help="Output file, or - for standard output.  [default: -]")
@click.option(
    "--all",
    "folder",
    default=None,
    metavar="DIR",
    help="Write every format into DIR (kg.ttl, kg.nt, kg.nq, kg.trig, kg.jsonld, kg.rdf, kg.graphml, kg.gexf).",
)
@click.option(
    "--layer",
    type=click.Choice(LAYERS),
    default="all",
    show_default=True,
    help="facts: the entities, their relations and the statistics, without provenance; all: everything.",
)
@click.option(
    "--with-sources",
    is_flag=True,
    default=False,
    help="GraphML and GEXF: also draw the sources, as nodes linked to what they support.",
)
@click.option(
    "--shacl/--no-shacl",
    default=False,
    show_default=True,
    help="Also validate the graph against ontology/shapes.ttl first (the record checks always run; kg check runs both).",
)
@click.option(
    "--base",
    default=None,
    help="Namespace for the data's IRIs (ends in / or #).  [default: the dataset's, else https://example.org/kg/id/]",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 256),
    default=None,
    help=f"Processes that sort and write Turtle or N-Triples at once (same bytes); 1: one process for everything.  "
    f"[default: {parts.AUTO_MAX_JOBS} for {parts.AUTO_MIN_BYTES >> 10:,} KiB of curated files or more where there are the cores, else 1]",
)
@allow_ungrounded_option
@quiet_option
@translate_errors
def export(
    data: str | None,
    texts: tuple[str, ...],
    fmt: str | None,
    output: str | None,
    folder: str | None,
    layer: str,
    with_sources: bool,
    shacl: bool,
    base: str | None,
    jobs: int | None,
    allow_ungrounded: bool,
) -> None:
    """Check the dataset and write its knowledge graph.

    Nothing is written when the check finds an error; an existing output file is
    replaced only once the new one is complete. GraphML and GEXF hold the entity
    graph (entities as nodes, their relations as edges) for graph tools.
    """
    if folder is not None and (fmt is not None or output is not None):
        raise ToolFailed("give either --all DIR or -f/-o, not both")
    output = output or "-"
    fmt = format_for(output, fmt)  # a suffix naming no format is refused before any work
    settings: dict[str, Any] = dict(
        data=chosen_dataset(data),
        texts=texts,
        base=base,
        shacl=shacl,
        layer=layer,
        with_sources=with_sources,
        allow_ungrounded=allow_ungrounded,
    )
    if folder is not None:
        paths, report = api.export_all(folder, **settings)
        report_problems([p for p in report.problems if p.severity == WARNING])
        click.echo(f"kg: wrote {len(paths)} files ({layer} layer) to {folder}: {', '.join(p.name for p in paths)}", err=True)
        return
    count, report = api.export_dataset(output, fmt=fmt, jobs=jobs, **settings)
    report_problems([p for p in report.problems if p.severity == WARNING])
    where = "standard output" if output == "-" else output
    what = f"{count} triples" if FORMATS[fmt].kind == "rdf" else f"the entity graph of {count} triples"
    click.echo(f"kg: wrote {what} ({fmt}) to {where}", err=True)


@click.command("check")
@data_options
@click.option(
    "--shacl/--no-shacl",
    default=None,
    help=f"Also validate the built graph against ontology/shapes.ttl with pySHACL.  [default: for up to {shapes.AUTO_LIMIT} records]",
)
@click.option(
    "--notes",
    type=click.Choice(["all", "none", "conflicts"]),
    default="all",
    show_default=True,
    help="Which notes to show: all (figures compared, merging hints, partial quotations), none, or only the disagreements.",
)
@click.option(
    "--no-notes", "no_notes", is_flag=True, help="The same as --notes none (kept for scripts written before --notes took a value)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(reporting.FORMATS),
    default="text",
    show_default=True,
    help="text: one line per problem; json: a document; sarif: SARIF 2.1.0 for code-review tools.",
)
@allow_ungrounded_option
@quiet_option
@translate_errors
def check_command(
    data: str | None, texts: tuple[str, ...], shacl: bool | None, notes: str, no_notes: bool, fmt: str, allow_ungrounded: bool
) -> None:
    """Check a curated dataset and list every problem as file:line:column: field: message.

    Exit status 0 when there is no error, 1 when the data has errors, 2 when the
    tool itself failed.
    """
    dataset, report = api.prepare(chosen_dataset(data), texts, allow_ungrounded=allow_ungrounded)
    problems = list(report.problems)
    if report.ok and shapes.wanted(shacl, dataset):
        problems += shapes.validate_dataset(dataset, report)
    elif report.ok and shacl is None:
        problems.append(shapes.skipped(dataset))
    shown = reporting.select_notes(problems, "none" if no_notes else notes, CONFLICT_RULES)
    records = len(dataset)
    if fmt == "json":
        extra = {"records": records, "evidence_grounded": len(report.anchors), "evidence_total": report.evidence_total}
        click.echo(reporting.to_json(shown, extra), nl=False)
    elif fmt == "sarif":
        click.echo(reporting.to_sarif(shown), nl=False)
    else:
        report_problems(shown, notes=True, err=False)
        click.echo(
            f"{summary(problems)}; {records} record{'s' if records != 1 else ''};"
            f" {len(report.anchors)} of {report.evidence_total} evidence quotes grounded in their sources"
        )
    if any(p.severity == ERROR for p in problems):
        raise SystemExit(1)
