"""The RDF syntaxes pyoxigraph writes: Turtle, N-Triples, RDF/XML, TriG and N-Quads.

pyoxigraph's term constructors refuse invalid IRIs and language tags (so nothing
invalid reaches a file) and its writers keep the order they are given, so sorted
input gives the same bytes every time. TriG and N-Quads take the dataset view of
:func:`kg.layers.quads`: facts in the default graph, each source's provenance in a
named graph of its own.
"""

from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox

from kg import layers, vocab
from kg.formats import WriteOptions, Writer
from kg.problems import KgError
from kg.terms import Lit, Triple

_LANG_STRING = vocab.RDF + "langString"


def _ox_term(term: str | Lit) -> ox.NamedNode | ox.Literal:
    if isinstance(term, Lit):
        if term.language:
            if term.datatype not in (vocab.XSD_STRING, _LANG_STRING):
                raise ValueError(f"a literal with a language tag cannot have the datatype {term.datatype}")
            return ox.Literal(term.lexical, language=term.language)
        if term.datatype == _LANG_STRING:
            raise ValueError("an rdf:langString literal needs a language tag")
        return ox.Literal(term.lexical, datatype=ox.NamedNode(term.datatype))
    return ox.NamedNode(term)


def to_oxigraph(triple: Triple) -> ox.Triple:
    """One triple as pyoxigraph's, which refuses an invalid IRI or language tag (and text
    that is not Unicode, such as a lone surrogate)."""
    s, p, o = triple
    try:
        return ox.Triple(ox.NamedNode(s), ox.NamedNode(p), _ox_term(o))
    except (ValueError, SyntaxError, TypeError) as err:  # UnicodeEncodeError is a ValueError
        raise KgError(f"refusing to write an invalid RDF term in {triple!r}: {err}") from err


class _Converter:
    """:func:`to_oxigraph` for a sorted stream, reusing terms that repeat (the previous
    subject, predicates, IRIs and datatypes seen lately); each is still made, and so
    checked, by pyoxigraph's constructors the first time."""

    def __init__(self) -> None:
        self.subject: tuple[str, ox.NamedNode] | None = None
        self.iris: dict[str, ox.NamedNode] = {}
        self.datatypes: dict[str, ox.NamedNode] = {}

    def iri(self, iri: str) -> ox.NamedNode:
        node = self.iris.get(iri)
        if node is None:
            if len(self.iris) > 50_000:  # objects such as part IRIs rarely repeat: keep the cache small
                self.iris.clear()
            node = self.iris[iri] = ox.NamedNode(iri)
        return node

    def __call__(self, triple: Triple) -> ox.Triple:
        s, p, o = triple
        try:
            if self.subject is None or self.subject[0] != s:
                self.subject = (s, ox.NamedNode(s))
            if isinstance(o, Lit):
                if o.language or o.datatype == _LANG_STRING:
                    obj: ox.NamedNode | ox.Literal = _ox_term(o)
                else:
                    datatype = self.datatypes.get(o.datatype)
                    if datatype is None:
                        datatype = self.datatypes[o.datatype] = ox.NamedNode(o.datatype)
                    obj = ox.Literal(o.lexical, datatype=datatype)
            else:
                obj = self.iri(o)
            return ox.Triple(self.subject[1], self.iri(p), obj)
        except (ValueError, SyntaxError, TypeError):
            self.subject = None
            return to_oxigraph(triple)  # raises the one message for an invalid term


def _to_quad(quad: layers.Quad) -> ox.Quad:
    s, p, o, g = quad
    triple = to_oxigraph((s, p, o))
    try:
        graph: ox.NamedNode | ox.DefaultGraph = ox.DefaultGraph() if g is None else ox.NamedNode(g)
    except ValueError as err:
        raise KgError(f"refusing to write an invalid graph name <{g}>: {err}") from err
    return ox.Quad(triple.subject, triple.predicate, triple.object, graph)


def _checked_prefixes(prefixes: dict[str, str]) -> dict[str, str]:
    for name, iri in prefixes.items():
        try:
            ox.NamedNode(iri)
        except ValueError as err:
            raise KgError(f"refusing to write the prefix {name}: <{iri}>, not a valid IRI: {err}") from err
    return prefixes


def writer(rdf_format: ox.RdfFormat, *, with_prefixes: bool, dataset: bool = False) -> Writer:
    """A writer for one of pyoxigraph's syntaxes; ``dataset`` ones get the quads of :mod:`kg.layers`."""

    def write(triples: list[Triple], out: BinaryIO, options: WriteOptions) -> None:
        prefixes = _checked_prefixes(options.prefixes) if with_prefixes else None
        if prefixes and rdf_format == ox.RdfFormat.RDF_XML:
            # An XML namespace name is a URI, ASCII only (XML parsers such as libxml2 refuse
            # <https://example.org/ü/>); IRIs in such a namespace are written whole instead.
            prefixes = {name: iri for name, iri in prefixes.items() if iri.isascii()}
        statements = [_to_quad(q) for q in layers.quads(triples)] if dataset else map(_Converter(), triples)  # a stream
        try:
            ox.serialize(statements, out, rdf_format, prefixes=prefixes)
        except (ValueError, SyntaxError) as err:  # the terms are checked above: this is the prefix table
            raise KgError(f"cannot write {rdf_format.name}: {err}") from err
        if rdf_format == ox.RdfFormat.RDF_XML:
            out.write(b"\n")  # pyoxigraph ends RDF/XML at '</rdf:RDF>'; a text file ends with a line break

    return write
