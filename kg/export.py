"""Serialising a triple stream: one registry of formats, canonical sorted output, atomic writes.

The writers live in :mod:`kg.formats`, one module per kind; this module registers them
(adding a format is one ``register`` line), picks the layer (:mod:`kg.layers`), and
writes files atomically. Triples are sorted first and every writer keeps that order,
so the same data always gives the same bytes.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import socket
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, cast

import pyoxigraph as ox

from kg import layers, parts, vocab
from kg.formats import Format, WriteOptions, format_by_suffix, gexf, graphml, jsonld, rdf
from kg.formats.rdf import to_oxigraph
from kg.problems import KgError
from kg.progress import track
from kg.sort import collector_paused, packed_key, sort_keys, sorted_unique, triple_of
from kg.terms import Triple

__all__ = ["FORMATS", "Format", "canonical", "get_format", "register", "serialise", "to_oxigraph", "write", "write_all", "write_bytes"]


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


def format_for(output: str, fmt: str | None = None) -> str:
    """The format to write into ``output``: ``fmt`` when given, else the one its suffix names
    (``kg.nt``: N-Triples), else Turtle (standard output, a name without a suffix). Another
    suffix is refused unless ``fmt`` says what to write: Turtle in ``kg.xml`` reads as nothing."""
    known = ", ".join(f.suffix for f in FORMATS.values())
    return format_by_suffix(
        output,
        fmt,
        {f.suffix: f.name for f in FORMATS.values()},
        "turtle",
        lambda suffix: f"{output}: no export format is written as {suffix.lower()}; end the name in one of {known}, or give -f FORMAT",
    )


def canonical(stream: Iterable[Triple]) -> list[Triple]:
    """The triples without duplicates, in the one canonical order (see :mod:`kg.sort`)."""
    return list(sorted_unique(stream))


#: pyoxigraph's triple writers: they check every term as they convert it and take the sorted
#: triples as a stream, so the whole graph of the ``all`` layer is never held (see :mod:`kg.sort`).
_STREAMED = frozenset({"turtle", "ntriples"})


class _Counted:
    """An iterable that counts what passes through it."""

    def __init__(self, triples: Iterable[Triple]):
        self.triples = triples
        self.count = 0

    def __iter__(self) -> Iterator[Triple]:
        for triple in self.triples:
            self.count += 1
            yield triple


register(Format("turtle", ".ttl", "text/turtle", rdf.writer(ox.RdfFormat.TURTLE, with_prefixes=True), "Turtle with prefixes"))
register(
    Format(
        "ntriples",
        ".nt",
        "application/n-triples",
        rdf.writer(ox.RdfFormat.N_TRIPLES, with_prefixes=False),
        "N-Triples, one triple a line, sorted",
    )
)
register(
    Format(
        "nquads",
        ".nq",
        "application/n-quads",
        rdf.writer(ox.RdfFormat.N_QUADS, with_prefixes=False, dataset=True),
        "N-Quads: facts in the default graph, each source's provenance in a named graph",
    )
)
register(
    Format(
        "trig",
        ".trig",
        "application/trig",
        rdf.writer(ox.RdfFormat.TRIG, with_prefixes=True, dataset=True),
        "TriG: facts in the default graph, each source's provenance in a named graph",
    )
)
register(Format("jsonld", ".jsonld", "application/ld+json", jsonld.write, "JSON-LD compacted with ontology/context.jsonld"))
register(
    Format(
        "rdfxml",
        ".rdf",
        "application/rdf+xml",
        rdf.writer(ox.RdfFormat.RDF_XML, with_prefixes=True),
        "RDF/XML, for Protégé and older tools",
    )
)
register(Format("graphml", ".graphml", "application/graphml+xml", graphml.write, "GraphML entity graph (yEd, Cytoscape)", "network"))
register(Format("gexf", ".gexf", "application/gexf+xml", gexf.write, "GEXF entity graph (Gephi)", "network"))


def prefixes_for(base: str) -> dict[str, str]:
    """The prefix table for output: the vocabulary's prefixes and the data's."""
    return {**vocab.PREFIXES, vocab.DATA_PREFIX: base}


def _options(base: str, with_sources: bool) -> WriteOptions:
    return WriteOptions(prefixes=prefixes_for(base), base=base, with_sources=with_sources)


def serialise(
    stream: Iterable[Triple], fmt: str = "turtle", *, base: str = vocab.DEFAULT_BASE, layer: str = "all", with_sources: bool = False
) -> bytes:
    """The canonical serialisation of a triple stream (or of one of its layers), as bytes."""
    return _render(get_format(fmt), _layer(stream, layer), _options(base, with_sources))


def _layer(stream: Iterable[Triple], layer: str) -> list[Triple]:
    """The triples of a layer, each checked by pyoxigraph's term constructors (every writer,
    not only pyoxigraph's own, then refuses an invalid IRI or language tag)."""
    try:
        chosen = layers.select(stream, layer)
    except ValueError as err:
        raise KgError(str(err)) from None
    for triple in chosen:
        to_oxigraph(triple)
    return chosen


def _render(chosen: Format, triples: list[Triple], options: WriteOptions) -> bytes:
    buffer = io.BytesIO()
    chosen.write(triples, buffer, options)
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


#: This machine's name as temporary file names hold it: a folder shared between
#: machines holds other machines' process ids, which say nothing here.
_HOST = re.sub(r"[^A-Za-z0-9-]+", "-", socket.gethostname()).strip("-")[:40] or "host"


def _temporary_prefix(name: str) -> str:
    """``.NAME.HOST.PID.``: whose temporary file it is, so that a later write can tell a
    stale one (its process gone) from one being written."""
    return f".{name}.{_HOST}.{os.getpid()}."


def _process_gone(pid: int) -> bool:
    """Whether no process ``pid`` runs on this machine (one that cannot be signalled runs)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists (another user's), or cannot be asked about: keep its file
    return False


def remove_stale_temporary_files(path: Path) -> list[Path]:
    """Remove the temporary files that earlier writes to ``path`` left when killed
    (SIGKILL, a power cut) and return them. Only files this tool names so
    (``.NAME.HOST.PID.XXXXXXXX.part``), made on this machine by a process that is gone,
    regular and owned by this user, are removed: never another process's live one."""
    folder = path.parent if str(path.parent) else Path(".")
    pattern = re.compile(rf"\.{re.escape(path.name)}\.{re.escape(_HOST)}\.([0-9]{{1,10}})\.[a-z0-9_]{{8}}\.part")
    removed: list[Path] = []
    try:
        names = [entry.name for entry in os.scandir(folder) if entry.name.endswith(".part")]
    except OSError:
        return removed
    for name in sorted(names):
        match = pattern.fullmatch(name)
        if not match or int(match.group(1)) == os.getpid() or not _process_gone(int(match.group(1))):
            continue
        stale = folder / name
        try:
            info = os.lstat(stale)
            if not stat.S_ISREG(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
                continue
            os.unlink(stale)
        except OSError:
            continue  # gone already, or not ours to remove
        removed.append(stale)
    return removed


def _target_info(path: Path) -> os.stat_result | None:
    """What the target of a write is now (None: nothing yet)."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise _os_error(path, err) from err


def write_atomically(path: Path, data_writer: Callable[[BinaryIO], None]) -> None:
    """Write a file so that it is either wholly new or untouched: a temporary file in the
    same folder, flushed to disk, then renamed over the target.

    Temporary files that killed writes to the same target left behind are removed first
    (see :func:`remove_stale_temporary_files`).
    A symbolic link is followed, so the file it points to is replaced and the link kept.
    A target that is not a regular file (``/dev/null``, a named pipe) cannot be replaced
    by renaming, and is written in place once the whole text is made; a folder is refused."""
    info = _target_info(path)
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise KgError(f"cannot write {path}: it is a folder; give a file name")
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_in_place(path, data_writer)
        return
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    with _cleanup_on_termination():
        temp_name = _write_temporary(path, info, data_writer)
        try:
            os.replace(temp_name, path)
        except OSError as err:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise _os_error(path, err) from err
    _fsync_folder(folder)


def _write_temporary(path: Path, info: os.stat_result | None, data_writer: Callable[[BinaryIO], None]) -> str:
    """The new text of ``path`` in a temporary file beside it, flushed to disk and given the
    target's permissions; removed again if anything fails. Stale temporary files of earlier,
    killed writes to ``path`` are removed first."""
    folder = path.parent if str(path.parent) else Path(".")
    remove_stale_temporary_files(path)
    try:
        handle, temp_name = tempfile.mkstemp(prefix=_temporary_prefix(path.name), suffix=".part", dir=folder)
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
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(err, OSError):
            raise _os_error(path, err) from err
        raise
    return temp_name


def write_set(files: Sequence[tuple[Path, Callable[[BinaryIO], None]]]) -> None:
    """Write several files as one: all are new, or (whatever fails: a full disk, a signal)
    all are as they were. Each new text is written whole beside its target first; only then
    are they moved in, and should a move fail, the ones already moved are put back. The
    targets must be regular files or missing."""
    temporaries: list[str] = []
    kept: dict[Path, str] = {}  # each replaced target's old text, linked under a temporary name
    moved: list[Path] = []
    with _cleanup_on_termination():
        try:
            for path, data_writer in files:
                info = _target_info(path)
                if info is not None and not stat.S_ISREG(info.st_mode):
                    raise KgError(f"cannot write {path}: it is not a regular file; --all writes only regular files")
                temporaries.append(_write_temporary(path, info, data_writer))
            for path, _writer in files:
                if path.exists():
                    old = f"{path.parent / _temporary_prefix(path.name)}{os.urandom(4).hex()}.part"
                    try:
                        os.link(path, old)
                    except OSError as err:
                        raise _os_error(path, err) from err
                    kept[path] = old
            for (path, _writer), temp_name in zip(files, temporaries, strict=True):
                try:
                    os.replace(temp_name, path)
                except OSError as err:
                    raise _os_error(path, err) from err
                moved.append(path)
        except BaseException:
            for path in reversed(moved):  # put the old set back
                with contextlib.suppress(OSError):
                    if path in kept:
                        os.replace(kept.pop(path), path)
                    else:
                        os.unlink(path)
            raise
        finally:
            for name in [*temporaries, *kept.values()]:
                with contextlib.suppress(OSError):
                    os.unlink(name)
    for folder in sorted({path.parent for path, _writer in files}):
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


def write_bytes(output: str | Path, data: bytes) -> None:
    """Write finished bytes (a picture, a page) to ``output`` (``-`` for standard output), atomically."""

    def put(out: BinaryIO) -> None:
        out.write(data)

    if str(output) == "-":
        _write_stdout(data)
    else:
        write_atomically(Path(output), put)


def write(
    stream: Iterable[Triple],
    output: str | Path,
    fmt: str = "turtle",
    *,
    base: str = vocab.DEFAULT_BASE,
    layer: str = "all",
    with_sources: bool = False,
    cuts: Sequence[str] = (),
    helpers: Sequence[parts.Writer] = (),
) -> int:
    """Write the canonical serialisation of a layer (``all`` or ``facts``) to ``output``
    (``-`` for standard output) and return the number of triples. Nothing is written
    unless all of it can be: a file is replaced atomically, standard output gets the
    whole text at once. With ``cuts`` (subject IRIs, see :mod:`kg.parts`), Turtle and
    N-Triples of the whole graph are sorted and written by that many more processes at
    once, with the same bytes: ``helpers`` started before the data was loaded, else
    started here."""
    chosen = get_format(fmt)
    options = _options(base, with_sources)
    if not streams(fmt, layer):
        triples = _layer(stream, layer)
        if str(output) == "-":
            _write_stdout(_render(chosen, triples, options))
        else:
            write_atomically(Path(output), _data_writer(chosen, triples, options))
        return len(triples)

    count = 0

    def write_parts(out: BinaryIO) -> None:
        nonlocal count
        keys = map(packed_key, track(stream, "kg: building and sorting", unit=" triples"))
        shown = f"kg: writing part 1 of {len(cuts) + 1}" if cuts else "kg: writing"  # the helpers show none
        count = parts.write(keys, out, cuts, write_sorted, fmt, options, shown, helpers=helpers)

    with collector_paused():
        if str(output) == "-":
            buffer = io.BytesIO()
            write_parts(buffer)
            _write_stdout(buffer.getvalue())
        else:
            write_atomically(Path(output), write_parts)
    return count


def streams(fmt: str, layer: str) -> bool:
    """Whether a format and layer are written as a stream from the merge sort, in bounded
    memory and in parts if asked (see :func:`write`); the others are built whole."""
    return layer == "all" and fmt in _STREAMED


def write_sorted(fmt: str, options: WriteOptions, shown: str, keys: Iterable[str], out: BinaryIO) -> int:
    """Sort packed keys (:func:`kg.sort.packed_key`) and write their triples to ``out`` in a
    streamed format, counted on a progress bar named ``shown``; returns how many (in a
    helper too: see :mod:`kg.parts`)."""
    ordered = map(triple_of, sort_keys(keys))
    counted = _Counted(track(ordered, shown, unit=" triples"))  # streamed from the merge sort into the writer
    get_format(fmt).write(cast(list[Triple], counted), out, options)  # the writer iterates its triples once
    return counted.count


def _data_writer(chosen: Format, triples: list[Triple], options: WriteOptions) -> Callable[[BinaryIO], None]:
    return lambda out: chosen.write(triples, out, options)


def file_name(fmt: str, stem: str = "kg") -> str:
    """The file ``--all`` writes a format to: ``kg.ttl``, ``kg.nt`` and so on."""
    return f"{stem}{get_format(fmt).suffix}"


def write_all(
    stream: Iterable[Triple],
    folder: str | Path,
    *,
    base: str = vocab.DEFAULT_BASE,
    layer: str = "all",
    with_sources: bool = False,
    stem: str = "kg",
) -> list[Path]:
    """Write every format into ``folder`` (made if missing) as ``kg.ttl``, ``kg.nt`` and so
    on; returns the files written. All are replaced together or none is (see :func:`write_set`)."""
    where = Path(folder)
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise KgError(f"cannot make the folder {where}: {err.strerror or err}") from None
    triples = _layer(stream, layer)
    options = _options(base, with_sources)
    files = [(_real(where / file_name(name, stem)), _data_writer(FORMATS[name], triples, options)) for name in sorted(FORMATS)]
    write_set(files)
    return [where / file_name(name, stem) for name in sorted(FORMATS)]


def _real(path: Path) -> Path:
    """The file a symbolic link points to (it is replaced, the link kept), else ``path``."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path
