"""Curating sources: ``kg add-source``, ``kg coverage``, ``kg diff`` and ``kg schema``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

import click

from kg import api, sourcing
from kg import coverage as coverage_module
from kg import diff as diff_module
from kg import schema as schema_module
from kg.commands.common import chosen_dataset, data_options, translate_errors, translate_errors_saying
from kg.curated import TODO_RULE
from kg.export import write_atomically
from kg.load import display_path, load_dataset
from kg.problems import DataProblems, KgError, errors


def write_bytes(data: bytes, output: str) -> None:
    """Write to standard output (``-``) or replace a file only once it is complete."""
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:

        def put(out: BinaryIO) -> None:
            out.write(data)

        write_atomically(Path(output), put)


@click.command("add-source")
@click.argument("text_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--data", type=click.Path(file_okay=False), default=None, help="Folder of curated *.yaml files.  [default: ./data]")
@click.option(
    "--texts",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to copy the text into.  [default: the dataset's first 'texts' folder]",
)
@click.option("--id", "source_id", default=None, help="The source's id.  [default: proposed from the text's first line]")
@click.option("-o", "--output", default=None, help="Where to write the skeleton, or - for standard output.  [default: DATA/ID.yaml]")
@translate_errors_saying("nothing was written: a source is added to a dataset that reads without errors (values still TODO may wait)")
def add_source(text_file: Path, data: str | None, texts: Path | None, source_id: str | None, output: str | None) -> None:
    """Start a new source: copy TEXT_FILE beside the other texts and write its record skeleton.

    The skeleton has the text's file name and SHA-256, a proposed id, the first line as title
    and title evidence, and TODO where you must read the source; kg check reports each TODO.
    """
    if data is None and not Path("data").is_dir():
        raise KgError("no ./data folder here: give --data DIR, the dataset the new source joins (the bundled one is read-only)")
    root = Path(chosen_dataset(data))
    dataset, problems = load_dataset(root)
    blocking = [p for p in errors(problems) if p.rule != TODO_RULE]  # an earlier new source's TODOs may wait
    if blocking:
        raise DataProblems(blocking)
    added = sourcing.add_source(dataset, text_file, texts, source_id)
    target = output or str(root / f"{added.source_id}.yaml")
    if target != "-" and Path(target).exists():
        raise KgError(f"{target} exists already: give -o another file")
    write_bytes(added.skeleton.encode("utf-8"), target)
    where = "standard output" if target == "-" else target
    click.echo(
        f"kg: copied the text to {display_path(added.text_path)} (sha256 {added.sha256}); wrote the source {added.source_id} to {where}:"
        " fill in its TODOs, then run kg check",
        err=True,
    )


@click.command("coverage")
@data_options
@click.argument("sources", nargs=-1)
@translate_errors
def coverage(data: str | None, texts: tuple[str, ...], sources: tuple[str, ...]) -> None:
    """List what each source's text says that no evidence covers yet: every figure, quotation and
    sentence, as text-file:line:col, then a coverage percentage per source (all sources, or SOURCES)."""
    dataset, report = api.prepare(chosen_dataset(data), texts)
    known = {s.id for s in dataset.sources}
    unknown = [s for s in sources if s not in known]
    if unknown:
        raise KgError(f"no source has the id {unknown[0]!r}; sources: {', '.join(sorted(known))}")
    click.echo(coverage_module.render(coverage_module.coverage(dataset, report, texts, sources)), nl=False)


@click.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--texts", multiple=True, type=click.Path(exists=True, file_okay=False), help="Folder of the sources' texts, for dataset folders."
)
@translate_errors
def diff(old: Path, new: Path, texts: tuple[str, ...]) -> None:
    """Review a change fact by fact: OLD and NEW are two exported graphs or two dataset folders.

    Prints facts added (+), removed (-) and changed (~: values, sources gained and lost,
    corroboration). Exit status 0 when they are the same, 1 when they differ, 2 on trouble.
    """
    result = diff_module.review(diff_module.read_graph(old, texts), diff_module.read_graph(new, texts))
    click.echo("\n".join(result.lines))
    sys.exit(1 if result.differs else 0)


@click.command("schema")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json-schema", "markdown"]),
    default="json-schema",
    show_default=True,
    help="json-schema for editors; markdown for the README's field tables.",
)
@click.option("-o", "--output", default="-", show_default=True, help="Output file, or - for standard output.")
@translate_errors
def schema(fmt: str, output: str) -> None:
    """Write the data format as a JSON Schema (for YAML editors) or as Markdown field tables,
    both derived from the loader's field specifications."""
    text = schema_module.schema_text() if fmt == "json-schema" else schema_module.field_tables()
    write_bytes(text.encode("utf-8"), output)
    if output != "-":
        click.echo(f"kg: wrote the {'JSON Schema' if fmt == 'json-schema' else 'field tables'} to {output}", err=True)
