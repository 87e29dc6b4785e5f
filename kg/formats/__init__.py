"""The writers of the export formats, one module each; :mod:`kg.export` registers them.

A writer takes the canonical (sorted, de-duplicated) triples and writes bytes; what it
needs beyond the triples comes in :class:`WriteOptions`. :func:`format_by_suffix` picks what
to write from an output file's name, for ``kg export`` and ``kg draw`` alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

from kg.problems import KgError
from kg.terms import Triple


@dataclass(frozen=True, slots=True)
class WriteOptions:
    """What a writer may need besides the triples."""

    prefixes: dict[str, str] = field(default_factory=dict)
    #: The data namespace (``kgd:``), for writers that shorten IRIs with it.
    base: str = ""
    #: Graph formats: also draw the sources as nodes linked to what they support.
    with_sources: bool = False


Writer = Callable[[list[Triple], BinaryIO, WriteOptions], None]


@dataclass(frozen=True, slots=True)
class Format:
    """An output format: its name, file suffix, media type, how to write it, and whether it
    is RDF (every triple) or a graph for graph tools (the entities and their relations)."""

    name: str
    suffix: str
    media_type: str
    write: Writer
    description: str
    kind: Literal["rdf", "network"] = "rdf"


def format_by_suffix(output: str, fmt: str | None, suffixes: Mapping[str, str], default: str, refuse: Callable[[str], str]) -> str:
    """The format to write into ``output``: ``fmt`` when given, else the one ``suffixes`` (by
    lower-case suffix) names for its suffix in any case, else ``default`` (``-``, standard
    output, or a name without a suffix). Another suffix raises :class:`KgError` with the message
    ``refuse`` makes of it (as written): the default under a name that says otherwise reads as nothing.
    """
    if fmt is not None:
        return fmt
    suffix = "" if output == "-" else Path(output).suffix
    if not suffix:
        return default
    chosen = suffixes.get(suffix.lower())
    if chosen is None:
        raise KgError(refuse(suffix))
    return chosen
