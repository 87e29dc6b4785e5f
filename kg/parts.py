"""Work on several cores: curated files read by two processes, and the graph sorted and
written by one process per range of subjects.

Reading: curated files are independent until their ids are resolved, so a large dataset's
later files are read by a forked process while this one reads the first ones, and the
records sent back (:func:`read_files`).

Writing (:func:`write`):
the canonical order is subject first, and pyoxigraph's Turtle and N-Triples writers keep no
state from one subject to the next but the prefix table they write first. So the sorted
graph can be cut at subject boundaries into parts that separate processes sort and write
at once, and the parts joined, each part's copy of the prefix table left out but the
first's, are byte for byte what one process writes.

Each process is forked from the one that loaded and checked the dataset, so it shares the
dataset and builds the triples itself (building is cheap; sorting, converting and writing
are not), keeping those whose subject is in its range. The first part is written by the
calling process straight to the output; the others into anonymous temporary files that
are copied after it. Where processes cannot be forked, or with one job, nothing of this
is used.
"""

from __future__ import annotations

import bisect
import contextlib
import multiprocessing
import os
import shutil
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any, BinaryIO, TypeVar

from kg import progress
from kg.problems import KgError
from kg.terms import Triple

#: Below this many records one process is simple and about as fast (at 1,000 facts two save 0.05 s of 0.6).
AUTO_MIN_RECORDS = 2_000
#: Processes used when ``--jobs`` is not given (and the dataset is large enough): each holds
#: what it touches of the dataset, so more cores would cost memory for little more speed.
AUTO_MAX_JOBS = 2
#: Where a part's header ends: pyoxigraph writes a Turtle prefix table as these lines first.
_PREFIX_LINE = b"@prefix "


#: At most this many processes (one: no helper at all), set by :func:`limited`; None: as :func:`auto_jobs` and :func:`read_files` choose.
_LIMIT: ContextVar[int | None] = ContextVar("kg_jobs", default=None)


@contextlib.contextmanager
def limited(jobs: int | None) -> Iterator[None]:
    """Within the block, use at most ``jobs`` processes (``--jobs``); None: choose."""
    token = _LIMIT.set(jobs)
    try:
        yield
    finally:
        _LIMIT.reset(token)


def can_fork() -> bool:
    """Whether this system can fork processes that share the loaded dataset."""
    return "fork" in multiprocessing.get_all_start_methods()


def auto_jobs(records: int) -> int:
    """The number of processes to use when none is asked for."""
    if records < AUTO_MIN_RECORDS or not can_fork():
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, AUTO_MAX_JOBS))


def jobs_for(records: int, asked: int | None) -> int:
    """The processes to use for a dataset of ``records``: as asked (one where processes
    cannot be forked), else :func:`auto_jobs`."""
    if asked is None:
        return auto_jobs(records)
    return asked if can_fork() else 1


def bounds(subjects: Iterable[str], jobs: int) -> list[str]:
    """``jobs - 1`` subject IRIs that cut the sorted ``subjects`` (the records' own IRIs,
    which most triples have as their subject or as the start of it) into parts of about
    equal size; part ``i`` takes the subjects from bound ``i - 1`` up to, not including,
    bound ``i``."""
    ordered = sorted(set(subjects))
    if jobs <= 1 or not ordered:
        return []
    cuts = {ordered[len(ordered) * i // jobs] for i in range(1, jobs)}
    return sorted(cuts)


def part_of(subject: str, cuts: Sequence[str]) -> int:
    """Which part a subject belongs to."""
    return bisect.bisect_right(cuts, subject)


def _in_part(stream: Iterable[Triple], cuts: Sequence[str], index: int) -> Iterator[Triple]:
    return (triple for triple in stream if part_of(triple[0], cuts) == index)


T = TypeVar("T")

#: Writes the canonical (sorted, de-duplicated) serialisation of a stream to a binary file; returns the count.
PartWriter = Callable[[Iterable[Triple], BinaryIO], int]


def write(stream: Iterable[Triple], out: BinaryIO, cuts: Sequence[str], write_part: PartWriter) -> int:
    """Write ``stream`` to ``out`` in ``len(cuts) + 1`` parts, all but the first in processes
    of their own; returns the number of triples. ``stream`` must not have been started: each
    process iterates its own copy of it."""
    if not cuts:
        return write_part(stream, out)
    children: list[tuple[Any, Any, IO[bytes]]] = []  # (process, the end its outcome comes through, its part's file)
    try:
        for index in range(1, len(cuts) + 1):
            spool = tempfile.TemporaryFile(prefix="kg-part-")  # noqa: SIM115 (closed below)
            children.append((*_start(_part_writer(stream, cuts, index, write_part, spool)), spool))
        count = write_part(_in_part(stream, cuts, 0), out)
        wrote_any = count > 0
        for process, outcome, written in children:
            count += _collect(process, outcome)
            written.seek(0)
            if wrote_any:
                _skip_header(written)
            shutil.copyfileobj(written, out, 1 << 20)
            wrote_any = wrote_any or written.tell() > 0
        return count
    finally:
        for process, outcome, written in children:
            _end(process, outcome)
            written.close()


def _part_writer(stream: Iterable[Triple], cuts: Sequence[str], index: int, write_part: PartWriter, spool: IO[bytes]) -> Callable[[], int]:
    def work() -> int:
        count = write_part(_in_part(stream, cuts, index), spool)  # type: ignore[arg-type]
        spool.flush()
        return count

    return work


#: Curated bytes below which one process reads every file (a fork and sending the records
#: back cost more than reading half of them).
READ_MIN_BYTES = 4 << 20
#: The share of the bytes this process reads itself: the helper also pickles what it read,
#: and this process unpickles it, so the helper gets less.
_READ_SHARE = 0.58


def read_files(files: list[Path], read: Callable[[list[Path], Callable[[], object]], list[T]], advance: Callable[[], object]) -> list[T]:
    """``read(files, advance)``: each file's outcome, in file order. When there is much to read
    and the system can fork, the later files (about two fifths of the bytes) are read at
    once by a second process, which sends its outcomes back; curated files are independent until
    their ids are resolved, after reading. ``advance`` counts only this process's records."""
    if len(files) < 2 or not can_fork() or _LIMIT.get() == 1:
        return read(files, advance)
    sizes = []
    for path in files:
        try:
            sizes.append(os.stat(path).st_size)
        except OSError:
            sizes.append(0)  # the reader reports it
    total, running, first = sum(sizes), 0, len(files)
    for index, size in enumerate(sizes):
        running += size
        if running >= total * _READ_SHARE:
            first = index + 1
            break
    if total < READ_MIN_BYTES or first >= len(files):
        return read(files, advance)
    later = files[first:]
    process, outcome = _start(lambda: read(later, lambda: None))
    try:
        mine = read(files[:first], advance)
        theirs: list[T] = _collect(process, outcome)
    finally:
        _end(process, outcome)
    return mine + theirs


def _start(work: Callable[[], object]) -> tuple[Any, Any]:
    """A forked process doing ``work``, and the end of the pipe its outcome comes through."""
    sys.stdout.flush()
    sys.stderr.flush()
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(work, sender), daemon=True)
    process.start()
    sender.close()
    return process, receiver


def _child(work: Callable[[], object], sender: Any) -> None:
    """In the forked process: the work's result, or its error, sent back."""
    try:
        with progress.quiet():
            result = work()
        sender.send(("ok", result))
    except KgError as err:
        sender.send(("refused", str(err)))
    except KeyboardInterrupt:
        os._exit(130)  # the parent was interrupted too, and says so
    except BaseException:
        sender.send(("failed", traceback.format_exc()))
    finally:
        sender.close()


def _collect(process: Any, receiver: Any) -> Any:
    """A child's result, once it has finished; its error raised here."""
    try:
        outcome, value = receiver.recv()
    except EOFError:
        process.join()
        raise KgError(f"a helper process ended unexpectedly (exit status {process.exitcode}); try --jobs 1") from None
    process.join()
    if outcome == "ok":
        return value
    if outcome == "refused":
        raise KgError(value)
    raise RuntimeError(f"a helper process failed:\n{value}")


def _end(process: Any, receiver: Any) -> None:
    if process.is_alive():
        process.kill()
    process.join()
    receiver.close()


def _skip_header(spool: IO[bytes]) -> None:
    """Move past the prefix table at the start of a part (the first part wrote it)."""
    while True:
        start = spool.tell()
        line = spool.readline()
        if not line.startswith(_PREFIX_LINE):
            spool.seek(start)
            return
