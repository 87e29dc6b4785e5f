"""The ``kg`` command: each command a few lines over one library call.

Exit status: 0 done, 1 the curated data has problems, 2 the tool could not work
(a file it cannot read, a bad option).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import click

from kg import __version__, api, shapes
from kg.export import FORMATS
from kg.problems import ERROR, NOTE, WARNING, DataProblems, KgError, Problem


def data_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--data`` and ``--texts``, shared by every command that reads a dataset."""
    command = click.option(
        "--texts",
        "texts",
        multiple=True,
        type=click.Path(exists=True, file_okay=False),
        help="Folder of the sources' full texts, for evidence checks (repeatable; also $KG_TEXTS).",
    )(command)
    return click.option(
        "--data",
        type=click.Path(file_okay=False),
        default=None,
        help="Folder of curated *.yaml files.  [default: the bundled dataset]",
    )(command)


def summary(problems: Sequence[Problem]) -> str:
    """``2 errors, 1 warning``."""
    n_errors = sum(1 for p in problems if p.severity == ERROR)
    n_warnings = sum(1 for p in problems if p.severity == WARNING)
    return f"{n_errors} error{'s' if n_errors != 1 else ''}, {n_warnings} warning{'s' if n_warnings != 1 else ''}"


def report_problems(problems: Sequence[Problem], *, notes: bool = False, err: bool = True) -> None:
    """Print problems, one line each (notes only when asked)."""
    for problem in problems:
        if problem.severity != NOTE or notes:
            click.echo(str(problem), err=err)


class ToolFailed(click.ClickException):
    """The tool could not do its job: exit status 2."""

    exit_code = 2


def translate_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library exceptions into messages and exit codes."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DataProblems as found:
            report_problems(found.problems)
            click.echo(f"{summary(found.problems)}: nothing was written", err=True)
            raise SystemExit(1) from None
        except KgError as err:
            raise ToolFailed(str(err)) from None

    return wrapper


@click.group(name="kg", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="kg")
def cli() -> None:
    """Export curated facts from public reporting as an RDF knowledge graph.

    Facts live in YAML files (see the README); every fact names its sources and
    a verbatim evidence quote. `kg check` finds mistakes, `kg export` writes the graph.
    """


@cli.command()
@data_options
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default="turtle",
    show_default=True,
    help="Output format.",
)
@click.option("-o", "--output", default="-", show_default=True, help="Output file, or - for standard output.")
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
@translate_errors
def export(data: str | None, texts: tuple[str, ...], fmt: str, output: str, shacl: bool, base: str | None) -> None:
    """Check the dataset and write its knowledge graph.

    Nothing is written when the check finds an error; an existing output file is
    replaced only once the new one is complete.
    """
    count, report = api.export_dataset(output, data=data, texts=texts, fmt=fmt, base=base, shacl=shacl)
    report_problems([p for p in report.problems if p.severity == WARNING])
    where = "standard output" if output == "-" else output
    click.echo(f"kg: wrote {count} triples ({fmt}) to {where}", err=True)


@cli.command("check")
@data_options
@click.option("--shacl/--no-shacl", default=True, show_default=True, help="Also validate the built graph against ontology/shapes.ttl.")
@click.option("--notes/--no-notes", default=True, show_default=True, help="Show notes, e.g. whether figures for the same measure agree.")
@translate_errors
def check_command(data: str | None, texts: tuple[str, ...], shacl: bool, notes: bool) -> None:
    """Check a curated dataset and list every problem as file:line:column: field: message.

    Exit status 0 when there is no error, 1 when the data has errors, 2 when the
    tool itself failed.
    """
    dataset, report = api.prepare(data, texts)
    problems = list(report.problems)
    if shacl and report.ok:
        problems += shapes.validate_dataset(dataset, report)
    report_problems(problems, notes=notes, err=False)
    records = len(dataset)
    click.echo(
        f"{summary(problems)}; {records} record{'s' if records != 1 else ''};"
        f" {len(report.anchors)} of {report.evidence_total} evidence quotes grounded in their sources"
    )
    if any(p.severity == ERROR for p in problems):
        raise SystemExit(1)


def main() -> None:
    cli(prog_name="kg")
