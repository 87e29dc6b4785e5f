"""The writers of the export formats, one module each; :mod:`kg.export` registers them.

A writer takes the canonical (sorted, de-duplicated) triples and writes bytes; what it
needs beyond the triples comes in :class:`WriteOptions`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO, Literal

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
