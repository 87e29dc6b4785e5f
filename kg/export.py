"""Serialising a triple stream: one registry of formats, canonical sorted output, atomic writes.

Output is made by pyoxigraph, whose term constructors refuse invalid IRIs and
language tags (so nothing invalid reaches a file) and whose writers are strict and
fast. Triples are sorted first, so the same data always gives the same bytes.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
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


def canonical(stream: Iterable[Triple]) -> list[Triple]:
    """The triples without duplicates, in the one canonical order."""
    return sorted(set(stream), key=sort_key)


def _oxigraph_writer(rdf_format: ox.RdfFormat, with_prefixes: bool) -> Callable[[list[Triple], BinaryIO, dict[str, str]], None]:
    def write(triples: list[Triple], out: BinaryIO, prefixes: dict[str, str]) -> None:
        if with_prefixes:
            for name, iri in prefixes.items():
                try:
                    ox.NamedNode(iri)
                except ValueError as err:
                    raise KgError(f"refusing to write the prefix {name}: <{iri}>, not a valid IRI: {err}") from err
        try:
            ox.serialize(
                (to_oxigraph(t) for t in triples),
                out,
                rdf_format,
                prefixes=prefixes if with_prefixes else None,
            )
        except (ValueError, SyntaxError) as err:  # the terms are checked above: this is the prefix table
            raise KgError(f"cannot write {rdf_format.name}: {err}") from err

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
    return _render(get_format(fmt), canonical(stream), prefixes_for(base))


def _render(chosen: Format, triples: list[Triple], prefixes: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    chosen.write(triples, buffer, prefixes)
    return buffer.getvalue()


class _Terminated(BaseException):
    """SIGTERM or SIGHUP arrived while a temporary file existed."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _cleanup_on_termination() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise instead of ending the process at
    once, so that a temporary file is removed; the process then ends by the same signal.

    Only in the main thread and only for signals left at their default action: a
    program that handles them itself keeps its own handling. (SIGKILL cannot be caught:
    it leaves the temporary file, never a half-written target.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, object] = {}

    def raise_terminated(signum: int, _frame: object) -> None:
        raise _Terminated(signum)

    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) is signal.SIG_DFL:
            previous[signum] = signal.signal(signum, raise_terminated)
    try:
        yield
    except _Terminated as terminated:
        for signum in previous:
            signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), terminated.signum)  # end as the signal would have, the temporary file gone
        raise  # not reached where the signal ends the process
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


def _os_error(path: Path, err: OSError) -> KgError:
    return KgError(f"cannot write {path}: {err.strerror or err}")


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the system allows syncing a folder)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_in_place(path: Path, data_writer: Callable[[BinaryIO], None]) -> None:
    """Write to something that is not a regular file (``/dev/null``, a named pipe, a
    terminal): it cannot be replaced by renaming, so the whole text is made first and
    then written in one go."""
    buffer = io.BytesIO()
    data_writer(buffer)
    try:
        with open(path, "wb") as out:
            out.write(buffer.getbuffer())
    except OSError as err:
        raise _os_error(path, err) from err


def write_atomically(path: Path, data_writer: Callable[[BinaryIO], None]) -> None:
    """Write a file so that it is either wholly new or untouched: a temporary file in the
    same folder, flushed to disk, then renamed over the target.

    A symbolic link is followed, so the file it points to is replaced and the link kept.
    A target that is not a regular file (``/dev/null``, a named pipe) cannot be replaced
    by renaming, and is written in place once the whole text is made; a folder is refused."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise _os_error(path, err) from err
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise KgError(f"cannot write {path}: it is a folder; give a file name")
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_in_place(path, data_writer)
        return
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    with _cleanup_on_termination():
        try:
            handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
        except OSError as err:
            raise _os_error(path, err) from err
        try:
            with os.fdopen(handle, "wb") as out:
                data_writer(out)
                out.flush()
                os.fsync(out.fileno())
            if info is not None:
                with contextlib.suppress(OSError):
                    os.chmod(temp_name, info.st_mode & 0o777)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(temp_name, 0o666 & ~umask)
            os.replace(temp_name, path)
        except BaseException as err:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            if isinstance(err, OSError):
                raise _os_error(path, err) from err
            raise
    _fsync_folder(folder)


def _write_stdout(data: bytes) -> None:
    """Write all of ``data`` to standard output, or fail saying why (a closed pipe, a full
    disk): never a silently short output."""
    stdout = sys.stdout
    if stdout is None:
        raise KgError("standard output is closed; give -o FILE")
    stream = getattr(stdout, "buffer", None)
    try:
        stdout.flush()
        if stream is None:  # a text-only stream, e.g. io.StringIO in an embedding program
            stdout.write(data.decode("utf-8"))
            stdout.flush()
            return
        view = memoryview(data)
        while view:
            # A pipe whose reader goes away mid-write can take part of the data and
            # report it, without an error: keep writing until done or refused.
            written = stream.write(view)
            if written is None:  # a non-blocking stream that could take nothing now
                raise BlockingIOError("standard output is non-blocking and full")
            view = view[written:]
        stream.flush()
    except BrokenPipeError:
        # Nobody reads any more: say so once, and keep Python from failing again at exit.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stdout.fileno())
            os.close(devnull)
        raise KgError("standard output was closed before the whole graph was written") from None
    except OSError as err:
        raise KgError(f"cannot write to standard output: {err.strerror or err}") from None


def write(stream: Iterable[Triple], output: str | Path, fmt: str = "turtle", *, base: str = vocab.DEFAULT_BASE) -> int:
    """Write the canonical serialisation to ``output`` (``-`` for standard output) and
    return the number of triples. Nothing is written unless all of it can be: a file is
    replaced atomically, standard output gets the whole text at once."""
    chosen = get_format(fmt)
    triples = canonical(stream)
    prefixes = prefixes_for(base)
    if str(output) == "-":
        _write_stdout(_render(chosen, triples, prefixes))
    else:
        write_atomically(Path(output), lambda out: chosen.write(triples, out, prefixes))
    return len(triples)
