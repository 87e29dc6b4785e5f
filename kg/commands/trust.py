"""``kg verify``: check an exported graph against the source texts, trusting nothing else."""

from __future__ import annotations

import click

from kg import verify as verifying
from kg.commands.common import translate_errors


@click.command("verify")
@click.argument("graph", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--texts",
    "texts",
    multiple=True,
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="Folder of the sources' text files (repeatable).",
)
@click.option(
    "--format",
    "fmt",
    default=None,
    help="The graph's RDF format: turtle, ntriples, nquads, trig, rdfxml, jsonld, a suffix (nt) or a media type."
    "  [default: from the file name; Turtle for -]",
)
@translate_errors
def verify(graph: str, texts: tuple[str, ...], fmt: str | None) -> None:
    """Check an exported GRAPH against its sources' texts, reading nothing but the two.

    For every source: the text's SHA-256. For every citation: the raw text at its
    offsets, repaired and normalised as the graph says, equals the quoted words, with
    their context and evidence. For every fact: a citation supports it, and its source
    count agrees. Exit status 0 verified, 1 something does not hold, 2 the tool failed.
    """
    verdict = verifying.verify(graph, texts, fmt=fmt)
    for finding in verdict.findings:
        click.echo(str(finding))
    errors = sum(1 for f in verdict.findings if f.severity == "error")
    click.echo(
        f"{errors} error{'s' if errors != 1 else ''}; {verdict.selectors} quotes checked against"
        f" {verdict.texts} text{'s' if verdict.texts != 1 else ''}; {verdict.facts} facts checked for citations"
    )
    if not verdict.ok:
        raise SystemExit(1)
