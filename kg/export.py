"""Serialising a triple stream: one registry of formats, canonical sorted output, atomic writes.

Output is made by pyoxigraph, whose term constructors refuse invalid IRIs and
language tags (so nothing invalid reaches a file) and whose writers are strict and
fast. Triples are sorted first, so the same data always gives the same bytes.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg import vocab
from kg.problems import KgError
from kg.terms import Lit, Triple, sort_key


@dataclass(frozen=True, slots=True)
class Format:
    """An output format: its name, file suffix, media type and how to write it."""

    name: str
    suffix: str
    media_type: str
    write: Callable[[list[Triple], BinaryIO, dict[str, str]], None]
    description: str


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add a format to the registry (one entry per format)."""
    FORMATS[fmt.name] = fmt
    return fmt


def get_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise KgError(f"unknown format {name!r}; known: {', '.join(sorted(FORMATS))}") from None


def _ox_term(term: str | Lit) -> ox.NamedNode | ox.Literal:
    if isinstance(term, Lit):
        if term.language:
            return ox.Literal(term.lexical, language=term.language)
        return ox.Literal(term.lexical, datatype=ox.NamedNode(term.datatype))
    return ox.NamedNode(term)


def to_oxigraph(triple: Triple) -> ox.Triple:
    """One triple as pyoxigraph's, which refuses an invalid IRI or language tag."""
    s, p, o = triple
    try:
        return ox.Triple(ox.NamedNode(s), ox.NamedNode(p), _ox_term(o))
    except (ValueError, SyntaxError) as err:
        raise KgError(f"refusing to write an invalid RDF term in {triple!r}: {err}") from err


def canonical(stream: Iterable[Triple]) -> list[Triple]:
    """The triples without duplicates, in the one canonical order."""
    return sorted(set(stream), key=sort_key)


def _oxigraph_writer(rdf_format: ox.RdfFormat, with_prefixes: bool) -> Callable[[list[Triple], BinaryIO, dict[str, str]], None]:
    def write(triples: list[Triple], out: BinaryIO, prefixes: dict[str, str]) -> None:
        ox.serialize(
            (to_oxigraph(t) for t in triples),
            out,
            rdf_format,
            prefixes=prefixes if with_prefixes else None,
        )

    return write


register(Format("turtle", ".ttl", "text/turtle", _oxigraph_writer(ox.RdfFormat.TURTLE, True), "Turtle with prefixes"))
register(
    Format(
        "ntriples",
        ".nt",
        "application/n-triples",
        _oxigraph_writer(ox.RdfFormat.N_TRIPLES, False),
        "N-Triples, one triple a line, sorted",
    )
)


def prefixes_for(base: str) -> dict[str, str]:
    """The prefix table for output: the vocabulary's prefixes and the data's."""
    return {**vocab.PREFIXES, vocab.DATA_PREFIX: base}


def serialise(stream: Iterable[Triple], fmt: str = "turtle", *, base: str = vocab.DEFAULT_BASE) -> bytes:
    """The canonical serialisation of a triple stream, as bytes."""
    buffer = io.BytesIO()
    get_format(fmt).write(canonical(stream), buffer, prefixes_for(base))
    return buffer.getvalue()


def write_atomically(path: Path, data_writer: Callable[[BinaryIO], None]) -> None:
    """Write a file so that it is either wholly new or untouched: a temporary file in the
    same folder, flushed to disk, then renamed over the target."""
    folder = path.parent if str(path.parent) else Path(".")
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            data_writer(out)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(temp_name, path.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp_name, 0o666 & ~umask)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def write(stream: Iterable[Triple], output: str | Path, fmt: str = "turtle", *, base: str = vocab.DEFAULT_BASE) -> int:
    """Write the canonical serialisation to ``output`` (``-`` for standard output) and
    return the number of triples. Nothing is written unless all of it can be: a file is
    replaced atomically, standard output gets the whole text at once."""
    chosen = get_format(fmt)
    triples = canonical(stream)
    prefixes = prefixes_for(base)
    if str(output) == "-":
        buffer = io.BytesIO()
        chosen.write(triples, buffer, prefixes)
        sys.stdout.buffer.write(buffer.getvalue())
        sys.stdout.buffer.flush()
    else:
        write_atomically(Path(output), lambda out: chosen.write(triples, out, prefixes))
    return len(triples)
