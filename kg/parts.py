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

The helpers that write the later parts (:class:`Writer`) are forked *before* the dataset is
loaded (:func:`writers`), so they hold none of it: a process forked after loading ends up
with its own copy of most of the dataset's memory pages, as reference counts change on
either side. This process builds the triples once and turns each into its sort key
(:func:`kg.sort.packed_key`); the keys of its own part go to its own merge sort, the others
are sent to their helper in batches, each in an anonymous temporary file whose descriptor
passes over a Unix socket, so building never waits for a helper that is busy sorting. Each
helper sorts and writes its part into a temporary file that is copied after the first
part. Where processes cannot be forked, or with one job, nothing of this is used.
"""

from __future__ import annotations

import bisect
import contextlib
import ctypes
import multiprocessing
import os
import pickle
import shutil
import signal
import socket
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any, BinaryIO, TypeVar

from kg import progress
from kg.problems import KgError
from kg.sort import collector_paused

#: Curated bytes below which one process is simple and about as fast (about 1,600 records;
#: at 1,000 facts two processes save 0.05 s of 0.6).
AUTO_MIN_BYTES = 512 << 10
#: Processes used when ``--jobs`` is not given (and the dataset is large enough): more cores
#: would cost memory for little more speed, since this process builds every triple.
AUTO_MAX_JOBS = 2
#: How much larger the first part is than each helper's (:func:`bounds`): this process builds
#: every triple and sends the helpers their keys, yet a helper's work also waits on those
#: keys. At 100k facts 1.17 (the first part 54% of the records with one helper) finished
#: both processes together, where equal parts left this one waiting 1.4 s.
FIRST_PART = 1.17
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


def auto_jobs(curated_bytes: int) -> int:
    """The number of processes to use when none is asked for, by the size of the curated files."""
    if curated_bytes < AUTO_MIN_BYTES or not can_fork():
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, AUTO_MAX_JOBS))


def jobs_for(curated_bytes: int, asked: int | None) -> int:
    """The processes to use for a dataset of ``curated_bytes``: as asked (one where
    processes cannot be forked), else :func:`auto_jobs`."""
    if asked is None:
        return auto_jobs(curated_bytes)
    return asked if can_fork() else 1


def bounds(subjects: Iterable[str], jobs: int, first: float = 1.0) -> list[str]:
    """``jobs - 1`` subject IRIs that cut the sorted ``subjects`` (the records' own IRIs,
    which most triples have as their subject or as the start of it) into parts: the first
    ``first`` times as large as each of the others, which are equal. Part ``i`` takes the
    subjects from bound ``i - 1`` up to, not including, bound ``i``."""
    ordered = sorted(set(subjects))
    if jobs <= 1 or not ordered:
        return []
    share = first / (first + jobs - 1)
    ends = [share + (1 - share) * i / (jobs - 1) for i in range(jobs - 1)]
    cuts = {ordered[min(len(ordered) - 1, int(len(ordered) * end))] for end in ends}
    return sorted(cuts)


def part_of(subject: str, cuts: Sequence[str]) -> int:
    """Which part a subject (or a sort key, which starts with its subject) belongs to."""
    return bisect.bisect_right(cuts, subject)


T = TypeVar("T")

#: Sorts the packed keys it is given and writes their triples, in canonical order, to a binary
#: file; returns the number written. Called as ``write_keys(*args, keys, out)``; must be a
#: module-level function, as it is named to the helpers by pickling.
KeysWriter = Callable[..., int]

#: Keys sent to a helper at once (about 3 MiB).
_BATCH = 20_000
#: What a helper is sent, each one byte on a stream socket (which every Unix passes
#: descriptors over): a job, followed by its length in 4 bytes and then the pickled function
#: and arguments; a batch of keys, with the descriptor of the file that holds them; the end.
_JOB, _KEYS, _DONE = b"J", b"K", b"E"


class Writer:
    """A forked helper that waits to sort and write one part of the graph (see the module's
    notes): :meth:`begin` names its work, :meth:`send` gives it keys, :meth:`finish` waits
    for it and returns its count, and :attr:`spool` then holds what it wrote. :meth:`end`
    stops it, whatever it is doing."""

    def __init__(self) -> None:
        self._channel, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.spool: IO[bytes] = tempfile.TemporaryFile(prefix="kg-part-")  # noqa: SIM115 (closed by end)
        channel = self._channel
        try:
            self._process, self._outcome = _start(lambda: _serve(theirs, channel, self.spool))
        except BaseException:
            self._channel.close()
            self.spool.close()
            raise
        finally:
            theirs.close()

    def begin(self, write_keys: KeysWriter, *args: Any) -> None:
        with self._reported():
            job = pickle.dumps((write_keys, args), protocol=pickle.HIGHEST_PROTOCOL)
            self._channel.sendall(_JOB + len(job).to_bytes(4, "big") + job)

    def send(self, keys: list[str]) -> None:
        with tempfile.TemporaryFile(prefix="kg-keys-") as batch:
            pickle.dump(keys, batch, protocol=pickle.HIGHEST_PROTOCOL)
            batch.flush()
            with self._reported():
                socket.send_fds(self._channel, [_KEYS], [batch.fileno()])  # the helper holds the file from here

    def done(self) -> None:
        """No more keys: the helper can merge and write."""
        with self._reported():
            self._channel.sendall(_DONE)

    @contextlib.contextmanager
    def _reported(self) -> Iterator[None]:
        """A helper whose end of the socket has closed has stopped: say why (its error, or
        that it died). Any other failure to send is this process's, and said as such."""
        try:
            yield
        except (BrokenPipeError, ConnectionResetError):
            _collect(self._process, self._outcome)
            raise KgError("a helper process stopped taking its part; try --jobs 1") from None
        except OSError as err:
            raise KgError(f"cannot send a helper its part of the graph: {err.strerror or err}; try --jobs 1") from None

    def finish(self) -> int:
        """Wait for the helper; the number of triples it wrote (its error raised here)."""
        return int(_collect(self._process, self._outcome))

    def end(self) -> None:
        self._channel.close()
        _end(self._process, self._outcome)
        self.spool.close()


def _serve(channel: socket.socket, parents_end: socket.socket, spool: IO[bytes]) -> int:
    """In a helper: wait for a job, then run it on the keys as they come; 0 when none comes."""
    parents_end.close()  # so that the helper sees the end when the parent goes
    if _read_exactly(channel, 1) != _JOB:
        return 0
    size = int.from_bytes(_read_exactly(channel, 4), "big")
    write_keys, args = pickle.loads(_read_exactly(channel, size))
    with collector_paused():
        count: int = write_keys(*args, _received(channel), spool)
    spool.flush()
    return count


def _read_exactly(channel: socket.socket, size: int) -> bytes:
    """``size`` bytes from the socket, or fewer if it closes first."""
    chunks, wanted = [], size
    while wanted:
        chunk = channel.recv(wanted)
        if not chunk:
            break
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


def _received(channel: socket.socket) -> Iterator[str]:
    while True:
        message, fds, _flags, _address = socket.recv_fds(channel, len(_KEYS), 1)
        if message == _KEYS and fds:
            with os.fdopen(fds[0], "rb") as batch:
                batch.seek(0)
                keys: list[str] = pickle.load(batch)
            yield from keys
        elif message == _DONE:
            return
        else:
            for fd in fds:
                os.close(fd)
            raise KgError("the process sending a part's triples went away")


@contextlib.contextmanager
def writers(count: int) -> Iterator[list[Writer]]:
    """Up to ``count`` helpers started now, each waiting to write a part (fewer where the
    system will not start more: this process then writes more itself); all stopped when the
    block ends. Start them before loading the dataset (see the module's notes)."""
    started: list[Writer] = []
    try:
        for _ in range(count):
            try:
                started.append(Writer())
            except OSError:  # out of processes, descriptors or memory
                break
        yield started
    finally:
        for writer in started:
            writer.end()


def write(
    keys: Iterable[str], out: BinaryIO, cuts: Sequence[str], write_keys: KeysWriter, *args: Any, helpers: Sequence[Writer] = ()
) -> int:
    """Sort and write the triples of packed ``keys`` (see :func:`kg.sort.packed_key`) to
    ``out`` by ``write_keys(*args, keys, out)``, in ``len(cuts) + 1`` parts, all but the
    first by a helper of its own (``helpers``, one a cut, or started here); returns the
    number of triples."""
    if not cuts:
        return int(write_keys(*args, keys, out))
    if helpers:
        return _write_parts(keys, out, cuts, helpers[: len(cuts)], write_keys, args)
    with writers(len(cuts)) as started:
        return _write_parts(keys, out, cuts, started, write_keys, args)


def _write_parts(
    keys: Iterable[str], out: BinaryIO, cuts: Sequence[str], helpers: Sequence[Writer], write_keys: KeysWriter, args: tuple[Any, ...]
) -> int:
    if len(helpers) != len(cuts):
        raise ValueError(f"{len(cuts)} cuts need {len(cuts)} helpers, not {len(helpers)}")
    for helper in helpers:
        helper.begin(write_keys, *args)
    count = write_keys(*args, _route(keys, cuts, helpers), out)
    wrote_any = count > 0
    for helper in helpers:
        count += helper.finish()
        written = helper.spool
        written.seek(0)
        if wrote_any:
            _skip_header(written)
        shutil.copyfileobj(written, out, 1 << 20)
        wrote_any = wrote_any or written.tell() > 0
    return int(count)


def _route(keys: Iterable[str], cuts: Sequence[str], helpers: Sequence[Writer]) -> Iterator[str]:
    """The keys of the first part; the others sent to their helpers in batches. A key is its
    subject followed by NULs and more, and no cut (an IRI) holds a NUL, so a key falls
    between the same two cuts as its subject: :func:`part_of` takes either."""
    batches: list[list[str]] = [[] for _ in helpers]
    for key in keys:
        index = part_of(key, cuts)
        if index == 0:
            yield key
            continue
        batch = batches[index - 1]
        batch.append(key)
        if len(batch) >= _BATCH:
            helpers[index - 1].send(batch)
            batches[index - 1] = []
    for helper, batch in zip(helpers, batches, strict=True):
        if batch:
            helper.send(batch)
        helper.done()


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
    sizes = file_sizes(files)
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


def file_sizes(files: Iterable[Path]) -> list[int]:
    """Each file's size in bytes (0 for one that cannot be read: its reader says why)."""
    sizes = []
    for path in files:
        try:
            sizes.append(os.stat(path).st_size)
        except OSError:
            sizes.append(0)
    return sizes


def _start(work: Callable[[], object]) -> tuple[Any, Any]:
    """A forked process doing ``work``, and the end of the pipe its outcome comes through."""
    sys.stdout.flush()
    sys.stderr.flush()
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(work, sender, os.getpid()), daemon=True)
    process.start()
    sender.close()
    return process, receiver


def _child(work: Callable[[], object], sender: Any, parent: int) -> None:
    """In the forked process: the work's result, or its error, sent back."""
    die_with_parent(parent)
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


#: Linux's prctl option that sends the calling process a signal when its parent ends.
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a forked helper: be killed (SIGKILL) when ``parent``, the process that forked it,
    ends however it ends, kill -9 included; end at once if it has ended already. Without this,
    helpers left by a killed parent could wait for good on sockets that other helpers kept open."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it ended before the signal was asked for
        os._exit(1)


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
