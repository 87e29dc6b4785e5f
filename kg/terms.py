"""The RDF terms the builder emits: an IRI is a ``str``, a literal a :class:`Lit`.

Keeping terms this plain lets the mapping stay one pure, fast step that any
serialiser (rdflib, pyoxigraph) can consume as a stream.
"""

from __future__ import annotations

from typing import NamedTuple

from kg.vocab import TYPE, XSD_STRING


class Lit(NamedTuple):
    """A literal: its lexical form, datatype IRI, and language tag (then the datatype is unused)."""

    lexical: str
    datatype: str = XSD_STRING
    language: str | None = None


Term = str | Lit
Triple = tuple[str, str, Term]


def sort_key(triple: Triple) -> tuple[str, int, str, int, str, str, str]:
    """A total order for triples: by subject, ``rdf:type`` first, then predicate, then object."""
    s, p, o = triple
    if isinstance(o, Lit):
        return (s, p != TYPE, p, 1, o.lexical, o.datatype, o.language or "")
    return (s, p != TYPE, p, 0, o, "", "")
