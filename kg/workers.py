"""Queries in processes that can be stopped: ``kg serve`` runs each query in a process of
its own and kills it at the time limit, since pyoxigraph cannot interrupt a query.

At start, before the server has threads, one process is forked (the *nursery*): it holds
the graph and does nothing but fork, on request, a process for one query, whose socket it
passes back. Forking from the nursery, which has a single thread, never copies a lock that
another thread held. A query process shares the graph's memory pages with the nursery,
answers one query (the answer bounded in rows and bytes, its memory in a budget) and ends;
at the time limit the server kills it, and what it used is given back at once. All of them
die with the server, even when it is killed with SIGKILL (see :func:`kg.parts.die_with_parent`).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import resource
import signal
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg import query
from kg.parts import die_with_parent
from kg.problems import KgError

#: Rows an answer may have, and bytes it may take written, unless ``kg serve`` is told otherwise.
DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_BYTES = 64 << 20
#: Memory a query process may take beyond the graph it shares (more makes its query fail).
MEMORY_BUDGET = 2 << 30
#: Bytes a chunk of an answer is sent in.
CHUNK = 64 << 10
#: Seconds the server waits for each chunk of an answer already made.
SEND_TIMEOUT = 60.0


class AnswerTooLarge(KgError):
    """The answer has more rows or bytes than the server sends."""


class QueryCrashed(KgError):
    """The process running the query ended without an answer (out of its memory budget)."""


@dataclass(frozen=True, slots=True)
class Job:
    """What a query process is asked: a prepared query, and how its answer comes back:
    ``fmt`` names a result or RDF format to write it in, or is None for the answer itself
    (the query page shows it as a table)."""

    prepared: query.Prepared
    fmt: str | None
    prefixes: Mapping[str, str]
    max_rows: int
    max_bytes: int


@dataclass(slots=True)
class Written:
    """An answer written in its format, coming in chunks from the process that wrote it;
    iterate it once (it can be sent as it comes), or close it."""

    size: int
    _channel: socket.socket
    _done: Any

    def __iter__(self) -> Iterator[bytes]:
        left = self.size
        try:
            while left:
                chunk = self._channel.recv(min(CHUNK, left))
                if not chunk:
                    raise QueryCrashed("the query process ended before its whole answer was sent")
                left -= len(chunk)
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        self._done()


class Workers:
    """The nursery and the query processes it forks; at most ``slots`` queries run at once,
    and a query waits up to ``wait`` seconds for a free slot."""

    def __init__(self, graph: query.Graph, *, slots: int, wait: float):
        self.slots = slots
        self.wait = wait
        self._free = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the nursery
            try:
                self._control.close()
                die_with_parent(parent)
                _nursery(theirs, graph.store)
            finally:
                os._exit(0)
        theirs.close()
        self._nursery = pid

    def close(self) -> None:
        """Stop the nursery (its query processes die with it)."""
        self._control.close()
        with contextlib.suppress(OSError):
            os.kill(self._nursery, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._nursery, 0)

    def run(self, job: Job, timeout: float) -> query.Answer | Written:
        """Run the job within ``timeout`` seconds: the answer (``job.fmt`` None) or the answer
        written (a :class:`Written` to send and close). Raises :class:`query.QueryBusy` when no
        slot came free in time, :class:`query.QueryTimeout` (the process killed) past the limit,
        :class:`AnswerTooLarge`, or the query's own problem."""
        if not self._free.acquire(timeout=self.wait):
            raise query.QueryBusy(
                f"busy: {self.slots} queries are running and none ended within {self.wait:g} s; try again in a moment"
            )
        released = False

        def done() -> None:
            nonlocal released
            if not released:
                released = True
                _stop(process, channel)
                self._free.release()

        try:
            process, channel = self._fork()
            channel.settimeout(timeout)
            deadline = time.monotonic() + timeout
            request = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
            channel.sendall(len(request).to_bytes(8, "big") + request)
            kind, value = _receive(channel, deadline)
        except BaseException:
            if "process" in locals():
                done()
            else:
                self._free.release()
            raise
        if kind == "written":
            channel.settimeout(SEND_TIMEOUT)  # the answer is made: what is left is sending it on
            return Written(value, channel, done)
        done()
        if kind == "answer":
            answer: query.Answer = value
            return answer
        raise value

    def _fork(self) -> tuple[int | tuple[int, int], socket.socket]:
        """A new query process, waiting for its job: its pid (with a pidfd where the system
        has them, so that a kill can never reach another process that took the pid later) and
        its socket."""
        with self._lock:
            try:
                self._control.sendall(b"F")
                message, fds, _flags, _address = socket.recv_fds(self._control, 8, 1)
            except OSError as err:
                raise KgError(f"cannot start a process for the query: {err}") from None
        if len(message) != 8 or not fds:
            raise KgError("cannot start a process for the query: the server's query processes have stopped; restart kg serve")
        pid, channel = int.from_bytes(message, "big"), socket.socket(fileno=fds[0])
        try:
            return (pid, os.pidfd_open(pid)), channel  # it is alive: it waits for its job
        except (AttributeError, OSError):
            return pid, channel


def _receive(channel: socket.socket, deadline: float) -> tuple[str, Any]:
    """The query process's outcome: its size-prefixed pickle, or a timeout or crash raised."""
    try:
        head = _exactly(channel, 8, deadline)
        return pickle.loads(_exactly(channel, int.from_bytes(head, "big"), deadline))  # type: ignore[no-any-return]
    except TimeoutError:
        raise query.QueryTimeout("") from None


def _exactly(channel: socket.socket, size: int, deadline: float) -> bytes:
    chunks, wanted = [], size
    while wanted:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        channel.settimeout(left)
        chunk = channel.recv(min(wanted, 1 << 20))
        if not chunk:
            raise QueryCrashed("the query stopped: it needed more memory than kg serve gives a query; ask a narrower question")
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


def _stop(process: int | tuple[int, int], channel: socket.socket) -> None:
    """Kill a query process (it may have ended already: the nursery reaps it)."""
    with contextlib.suppress(OSError):
        if isinstance(process, tuple):
            try:
                signal.pidfd_send_signal(process[1], signal.SIGKILL)
            finally:
                os.close(process[1])
        else:
            os.kill(process, signal.SIGKILL)
    channel.close()


# --- in the nursery and the query processes ------------------------------------------------


def _nursery(control: socket.socket, store: ox.Store) -> None:
    """Fork a query process each time the server asks, until the server goes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to report
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # ended query processes are reaped at once
    me = os.getpid()
    while control.recv(1):
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            try:
                control.close()
                mine.close()
                die_with_parent(me)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _answer(theirs, store)
            finally:
                os._exit(0)
        theirs.close()
        socket.send_fds(control, [pid.to_bytes(8, "big")], [mine.fileno()])
        mine.close()


def _answer(channel: socket.socket, store: ox.Store) -> None:
    """In a query process: read the job, run it, send the outcome back."""
    used = _address_space()
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if used and (hard == resource.RLIM_INFINITY or used + MEMORY_BUDGET < hard):
            resource.setrlimit(resource.RLIMIT_AS, (used + MEMORY_BUDGET, hard))
    size = int.from_bytes(_exactly(channel, 8, time.monotonic() + 60), "big")
    job: Job = pickle.loads(_exactly(channel, size, time.monotonic() + 60))
    try:
        answer = query.evaluate(store, job.prepared, max_rows=job.max_rows)
        if answer is None:
            raise AnswerTooLarge(f"the answer has more than {job.max_rows:,} rows")
        if job.fmt is None:
            outcome: tuple[str, Any] = ("answer", answer)
            body = b""
        else:
            body = query.render(answer, job.fmt, job.prefixes)
            if len(body) > job.max_bytes:
                raise AnswerTooLarge(f"the answer takes more than {job.max_bytes:,} bytes")
            outcome = ("written", len(body))
    except MemoryError:
        raise SystemExit(1) from None
    except Exception as err:  # the query's own problem, raised again in the server
        outcome, body = ("error", err), b""
    message = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    channel.sendall(len(message).to_bytes(8, "big") + message)
    channel.sendall(body)


def _address_space() -> int:
    """This process's virtual memory size in bytes (Linux), 0 where unknown."""
    try:
        with open(f"/proc/{os.getpid()}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
