"""A load test of ``kg serve`` on 127.0.0.1: clients at once, two pathological queries in flight,
a thousand idle connections. Bounded: each run lasts a fixed time, and every wait has a limit.

    python benchmarks/serve_load.py [SECONDS_PER_RUN]     # prints a Markdown table

Each client opens a connection per request (so the listen queue is exercised), sends the
headers and the body in separate packets, and reads the whole answer. A reset is any
connection refused, reset or closed without an answer; busy is a 503 whose text starts
"busy:". Peak memory is the largest sum of the proportional set sizes of the server and its
query processes (pages they share, the graph's, counted once), sampled every 50 ms. The
clients run on the same machine as the server, in this one Python process, so they take some
of its processor time.
"""

from __future__ import annotations

import contextlib
import re
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

TRIVIAL = "SELECT ?s WHERE { ?s a <http://www.w3.org/ns/org#Organization> } ORDER BY ?s LIMIT 20"
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    resets: int = 0
    busy: int = 0
    other: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def request(port: int, text: str) -> bytes:
    body = text.encode()
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/sparql-query\r\n"
        b"Accept: application/sparql-results+json\r\nContent-Length: %d\r\n\r\n" % len(body)
    )
    with socket.create_connection(("127.0.0.1", port), timeout=120) as connection:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection.sendall(head)
        connection.sendall(body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def client(port: int, text: str, until: float, tally: Tally) -> None:
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            answer = request(port, text)
        except (ConnectionError, TimeoutError, OSError):
            with tally.lock:
                tally.resets += 1
            continue
        took = time.monotonic() - started
        with tally.lock:
            if not answer:
                tally.resets += 1
            elif answer.startswith(b"HTTP/1.1 200 "):
                tally.latencies.append(took)
            elif b"\r\n\r\nbusy:" in answer:
                tally.busy += 1
            else:
                tally.other += 1


def pss(pid: int) -> int:
    """The process's proportional set size: pages it shares with others counted in part."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def family(pid: int) -> list[int]:
    found, todo = [pid], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            with contextlib.suppress(OSError):
                children = [int(c) for c in (task / "children").read_text().split()]
                found += children
                todo += children
    return found


@contextlib.contextmanager
def peak_memory(pid: int) -> Iterator[list[int]]:
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            peak[0] = max(peak[0], sum(pss(p) for p in family(pid)))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()


@contextlib.contextmanager
def server(*args: str) -> Iterator[tuple[int, int]]:
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", "0", *args], stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    line = process.stderr.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not found:
        process.kill()
        raise SystemExit(f"kg serve printed {line!r}")
    try:
        yield process.pid, int(found[1])
    finally:
        process.terminate()
        process.wait(timeout=30)


def run(port: int, pid: int, clients: int, seconds: float, *, endless: int = 0) -> dict[str, str]:
    tally, late = Tally(), Tally()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(port, TRIVIAL, until, tally)) for _ in range(clients)]
    threads += [threading.Thread(target=client, args=(port, ENDLESS, until, late)) for _ in range(endless)]
    with peak_memory(pid) as peak:
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + 180)
        took = time.monotonic() - started
    ordered = sorted(tally.latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")
    return {
        "clients": str(clients),
        "requests/s": f"{len(ordered) / took:.0f}",
        "p50 ms": f"{statistics.median(ordered) * 1000:.0f}" if ordered else "-",
        "p99 ms": f"{p99 * 1000:.0f}",
        "resets": str(tally.resets + late.resets),
        "busy": str(tally.busy),
        "other": str(tally.other),
        "peak MB": f"{peak[0] / 2**20:.0f}",
    }


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard) if hard != resource.RLIM_INFINITY else 4096, hard))
    rows: list[tuple[str, dict[str, str]]] = []
    with server("--timeout", "3") as (pid, port):
        request(port, TRIVIAL)  # warm
        for clients in (1, 10, 100, 200):
            rows.append(("trivial query", run(port, pid, clients, seconds)))
        rows.append(("2 pathological queries in flight (3 s limit)", run(port, pid, 10, seconds, endless=2)))
        idle = []
        for _ in range(1000):
            connection = socket.create_connection(("127.0.0.1", port), timeout=10)
            connection.sendall(b"GET / HTTP/1.1\r\n")
            idle.append(connection)
        rows.append(("1,000 idle connections open", run(port, pid, 10, seconds)))
        for connection in idle:
            connection.close()
    names = ["run", *rows[0][1]]
    print("| " + " | ".join(names) + " |")
    print("|" + "---|" * len(names))
    for label, row in rows:
        print("| " + " | ".join([label, *row.values()]) + " |")


if __name__ == "__main__":
    main()
