"""``kg docs`` and ``kg draw``: the vocabulary as a page, the facts as a picture."""

from __future__ import annotations

from pathlib import Path

import click

from kg import api, docs, draw, export, layers
from kg.commands.common import allow_ungrounded_option, chosen_dataset, data_options, report_problems, translate_errors
from kg.problems import WARNING


@click.command("docs")
@click.option(
    "-o", "--output", "folder", required=True, metavar="DIR", help="Folder to write vocabulary.html, vocabulary.md and classes.svg into."
)
@click.option(
    "--ontology",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The vocabulary to document.  [default: the bundled ontology/kg.ttl]",
)
@translate_errors
def docs_command(folder: str, ontology: Path | None) -> None:
    """Write documentation of the vocabulary: an HTML page (every class, property and
    controlled list, with a class diagram), the same as Markdown, and the diagram as SVG.

    Needs Graphviz's dot for the diagram.
    """
    written = docs.write_docs(folder, ontology)
    click.echo(f"kg: wrote {', '.join(str(p) for p in written)}", err=True)


@click.command("draw")
@data_options
@click.option("-o", "--output", default="-", show_default=True, help="Picture file, or - for standard output.")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(draw.PICTURE_FORMATS),
    default=None,
    help="svg, png, or dot (the Graphviz source).  [default: from the output's suffix (.svg, .png, .dot; another is refused), else svg]",
)
@click.option("--around", metavar="ID", default=None, help="Draw only the entities near this one (its id or IRI).")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True, help="With --around: how many relations out to go.")
@click.option(
    "--base",
    default=None,
    help="Namespace for the data's IRIs (ends in / or #).  [default: the dataset's, else https://example.org/kg/id/]",
)
@allow_ungrounded_option
@translate_errors
def draw_command(
    data: str | None,
    texts: tuple[str, ...],
    output: str,
    fmt: str | None,
    around: str | None,
    depth: int,
    base: str | None,
    allow_ungrounded: bool,
) -> None:
    """Draw the facts with Graphviz: the entities coloured by class, each relation an arrow
    labelled with the property and, in brackets, its number of sources.

    Needs Graphviz's dot for SVG and PNG.
    """
    chosen = draw.picture_format(output, fmt)
    triples, namespace, report = api.checked_triples(chosen_dataset(data), texts, base, allow_ungrounded=allow_ungrounded, outputs=[output])
    report_problems([p for p in report.problems if p.severity == WARNING])
    picture = draw.draw(layers.select(triples, "all"), fmt=chosen, around=around, depth=depth, base=namespace)
    export.write_bytes(output, picture)
    where = "standard output" if output == "-" else output
    click.echo(f"kg: drew {'the neighbourhood of ' + around if around else 'the entity graph'} ({chosen}) to {where}", err=True)
