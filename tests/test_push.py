"""``kg push`` into a real Oxigraph server (PyPI's ``oxigraph``) on 127.0.0.1: the server then
answers every saved question with the same rows, in the same order, as ``kg query``."""

from __future__ import annotations

import base64
import contextlib
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import click
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import push, query
from kg.cli import cli

QUERIES = Path(__file__).resolve().parents[1] / "kg" / "queries"
LED_BY = "https://example.org/kg/id/taskforce-led-by-npcc"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def oxigraph_binary() -> str:
    """The Oxigraph server that ``pip install oxigraph`` (the test extra) put beside this Python."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if found is None:
        raise pytest.UsageError("the Oxigraph server is missing: pip install '.[test]' installs it (PyPI package oxigraph)")
    return found


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server ended at start: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    """A fresh Oxigraph server on a free 127.0.0.1 port, stopped after the test; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(tmp_path / "store"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/query?query=" + urllib.parse.quote("ASK {}"), process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def server_rows(base: str, text: str) -> list[tuple[str, ...]]:
    request = urllib.request.Request(
        base + "/query",
        data=text.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        parsed = ox.parse_query_results(response.read(), ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QuerySolutions)
    names = [v.value for v in parsed.variables]
    return [tuple(query.text_of(s[n]) for n in names) for s in parsed]


def push_cli(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, ["push", *args], catch_exceptions=False)


def test_push_then_the_server_answers_every_saved_question_as_kg_query_does(oxigraph_server: str) -> None:
    result = push_cli("--endpoint", oxigraph_server + "/store")
    graph = query.dataset_graph()
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"kg: added {graph.size} triples in the default graph at {oxigraph_server}/store"
        " (beside what it held: to update an earlier push, give --replace)\n"
    )
    assert server_rows(oxigraph_server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == [(str(graph.size),)]
    for saved in query.saved_queries():
        text, params = saved.text, {}
        if "bind ?fact" in text:
            # the server has no parameters: the same binding as a VALUES row, made from the term itself
            params = {"fact": ox.NamedNode(LED_BY)}
            text = text.replace("WHERE {", f"WHERE {{\n  VALUES ?fact {{ {params['fact']} }}", 1)
        expected = [tuple(query.text_of(v) for v in row) for row in query.run(graph, saved.text, params).rows]
        assert server_rows(oxigraph_server, text) == expected, saved.name
        assert expected, saved.name


def test_replace_puts_the_graph_into_a_named_graph_once(oxigraph_server: str) -> None:
    name = "https://example.org/kg/graph"
    size = query.dataset_graph().size
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
    assert push_cli("--endpoint", oxigraph_server + "/store", "--graph", name).exit_code == 0
    assert push_cli("--endpoint", oxigraph_server + "/store", "--graph", name).exit_code == 0
    assert server_rows(oxigraph_server, count) == [(str(size),)]  # the same triples twice: still one copy
    urllib.request.urlopen(
        urllib.request.Request(
            oxigraph_server + "/store?" + urllib.parse.urlencode({"graph": name}),
            data=b"<http://a/s> <http://a/p> <http://a/o> .\n",
            method="POST",
            headers={"Content-Type": "application/n-triples"},
        ),
        timeout=10,
    ).close()
    assert server_rows(oxigraph_server, count) == [(str(size + 1),)]
    result = push_cli("--endpoint", oxigraph_server + "/store", "--graph", name, "--replace")
    assert result.output == f"kg: replaced {size} triples in graph <{name}> at {oxigraph_server}/store\n"
    assert server_rows(oxigraph_server, count) == [(str(size),)]  # the stray triple is gone
    assert server_rows(oxigraph_server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == [("0",)]  # default graph untouched


def test_the_bulk_path_ntriples_into_the_stores_own_loader(tmp_path: Path) -> None:
    """The README's bulk path: kg export -f ntriples, then `oxigraph load`, then the server answers."""
    nt = tmp_path / "kg.nt"
    assert CliRunner().invoke(cli, ["export", "-f", "ntriples", "-o", str(nt)]).exit_code == 0
    store = tmp_path / "bulk"
    subprocess.run([oxigraph_binary(), "load", "--location", str(store), "--file", str(nt)], check=True, capture_output=True, timeout=120)
    port = free_port()
    process = subprocess.Popen(
        [oxigraph_binary(), "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}"], stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/query?query=" + urllib.parse.quote("ASK {}"), process)
        graph = query.dataset_graph()
        expected = [tuple(query.text_of(v) for v in row) for row in query.run(graph, query.query_text("people-posts")).rows]
        assert server_rows(base, query.query_text("people-posts")) == expected
        assert server_rows(base, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == [(str(graph.size),)]
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


class Recorder(BaseHTTPRequestHandler):
    """A Graph Store that records what it was sent (for the credentials test)."""

    seen: ClassVar[list[tuple[str, str, str | None, bytes]]] = []

    def do_POST(self) -> None:
        self._record()

    def do_PUT(self) -> None:
        self._record()

    def _record(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Recorder.seen.append((self.command, self.path, self.headers.get("Authorization"), body))
        status = 401 if self.headers.get("Authorization") is None else 204
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def local_store(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A small HTTP server on a free 127.0.0.1 port answering with ``handler``; its /store URL."""
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/store"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def recorder() -> Iterator[str]:
    Recorder.seen = []
    with local_store(Recorder) as url:
        yield url


def test_credentials_come_from_the_environment(recorder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_PUSH_USER", "curator")
    monkeypatch.setenv("KG_PUSH_PASSWORD", "s3cret:pass")
    assert push_cli("--endpoint", recorder, "--graph", "https://example.org/g", "--replace").exit_code == 0
    method, path, authorization, body = Recorder.seen[0]
    assert (method, path) == ("PUT", "/store?graph=https%3A%2F%2Fexample.org%2Fg")
    assert authorization == "Basic " + base64.b64encode(b"curator:s3cret:pass").decode()
    assert len(body.splitlines()) == query.dataset_graph().size
    monkeypatch.setenv("KG_PUSH_TOKEN", "abc123")
    assert push_cli("--endpoint", recorder).exit_code == 0
    assert Recorder.seen[1][:3] == ("POST", "/store?default", "Bearer abc123")


def test_data_with_errors_is_reported_and_not_sent(recorder: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers import PERSON_WITHOUT_POST, write_files

    monkeypatch.setenv("KG_PUSH_TOKEN", "abc123")
    folder = write_files(tmp_path / "data", {"all.yaml": PERSON_WITHOUT_POST})
    result = push_cli("--endpoint", recorder, "--data", str(folder))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "1 error, 1 warning: nothing was sent"  # it said "nothing was written"
    assert Recorder.seen == []


def test_no_option_takes_a_secret() -> None:
    """Secrets on the command line show in the process list: kg push has no such option."""
    names = {name for param in cli.commands["push"].params for name in param.opts}
    assert not {n for n in names if any(word in n for word in ("user", "password", "token", "secret", "auth"))}


def test_a_refusal_is_one_line_with_the_store_answer(recorder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KG_PUSH_USER", "KG_PUSH_PASSWORD", "KG_PUSH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = push_cli("--endpoint", recorder)
    assert result.exit_code == 2
    assert result.output == f"Error: the store at {recorder} refused the graph: HTTP 401 Unauthorized\n"
    monkeypatch.setenv("KG_PUSH_USER", "only-a-user")
    result = push_cli("--endpoint", recorder)
    assert result.exit_code == 2
    assert (
        result.output == "Error: set both KG_PUSH_USER and KG_PUSH_PASSWORD for HTTP Basic authentication, or KG_PUSH_TOKEN for a token\n"
    )


def test_an_unreachable_or_malformed_endpoint() -> None:
    port = free_port()
    result = push_cli("--endpoint", f"http://127.0.0.1:{port}/store")
    assert result.exit_code == 2
    assert result.output == f"Error: cannot connect to the store at http://127.0.0.1:{port}/store: Connection refused; nothing was sent\n"
    result = push_cli("--endpoint", "ftp://example.org/store")
    assert result.exit_code == 2
    assert result.output == (
        "Error: --endpoint 'ftp://example.org/store' is not an http(s) URL; give the store's Graph Store endpoint, e.g. http://127.0.0.1:7878/store\n"
    )
    assert push.target_url("http://h/store?x=1", "urn:g") == "http://h/store?x=1&graph=urn%3Ag"


# --- a store that misbehaves: redirects, silence, slowness, no HTTP -------------------------------


class Redirector(BaseHTTPRequestHandler):
    """A store whose ``/store`` answers with ``Redirector.answer`` (a status and a Location);
    every other path takes the graph. Every request is recorded with its Host and Authorization."""

    answer: ClassVar[tuple[int, str]] = (302, "/moved")
    seen: ClassVar[list[tuple[str, str, str | None, str | None, int]]] = []

    def do_POST(self) -> None:
        self._answer()

    do_PUT = do_GET = do_POST

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Redirector.seen.append((self.command, self.path, self.headers.get("Host"), self.headers.get("Authorization"), len(body)))
        status, location = Redirector.answer if self.path.startswith("/store") else (204, "")
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def redirector(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("KG_PUSH_TOKEN", "abc123")
    Redirector.seen = []
    with local_store(Redirector) as url:
        yield url


@pytest.mark.parametrize("status", [301, 302, 303])
@pytest.mark.parametrize("replace", [False, True])
def test_a_redirect_that_would_turn_a_write_into_a_read_is_an_error_naming_it(redirector: str, status: int, replace: bool) -> None:
    """urllib turned the POST into a GET with no body at a 302, and kg said 'added 4316 triples'."""
    Redirector.answer = (status, "/moved")
    result = push_cli("--endpoint", redirector, *(["--replace"] if replace else []))
    assert result.exit_code == 2
    moved = redirector.replace("/store", "/moved")
    method = "PUT" if replace else "POST"
    assert result.output.startswith(f"Error: the store at {redirector} answered HTTP {status} ")
    assert result.output.endswith(
        f" to {moved}: a {method} is not re-sent elsewhere as a read, so the graph was not stored;"
        " give the endpoint it names as --endpoint\n"
    )
    assert [seen[:2] for seen in Redirector.seen] == [(method, "/store?default")]  # nothing went to /moved


@pytest.mark.parametrize("status", [307, 308])
def test_a_307_or_308_to_the_same_origin_is_followed_with_the_body(redirector: str, status: int) -> None:
    Redirector.answer = (status, "/moved?default")
    result = push_cli("--endpoint", redirector)
    assert result.exit_code == 0, result.output
    size = len(export_body())
    host = urllib.parse.urlsplit(redirector).netloc
    assert Redirector.seen == [
        ("POST", "/store?default", host, "Bearer abc123", size),
        ("POST", "/moved?default", host, "Bearer abc123", size),
    ]


@pytest.mark.parametrize("status", [307, 308])
def test_credentials_never_go_to_another_origin_after_a_redirect(redirector: str, status: int) -> None:
    """The Bearer token arrived at localhost after a redirect from 127.0.0.1."""
    port = urllib.parse.urlsplit(redirector).port
    elsewhere = f"http://localhost:{port}/moved?default"
    Redirector.answer = (status, elsewhere)
    result = push_cli("--endpoint", redirector)
    assert result.exit_code == 2
    assert result.output == (
        f"Error: the store at {redirector} redirected the graph to {elsewhere}, another origin: it was not sent there"
        f" (credentials go only to the endpoint's own origin); if you trust it, give --endpoint http://localhost:{port}/moved\n"
    )
    assert [seen[:3] for seen in Redirector.seen] == [("POST", "/store?default", f"127.0.0.1:{port}")]


def export_body() -> bytes:
    from kg import api, export

    stream, _, _ = api.checked_triples(None, ())
    return export.serialise(stream, "ntriples")


@contextlib.contextmanager
def raw_store(reply: Callable[[socket.socket], None]) -> Iterator[tuple[str, list[int]]]:
    """A TCP server on 127.0.0.1 that reads a request's headers and body, then calls ``reply``
    with the connection; yields its endpoint and the sizes of the bodies it read whole."""
    listener = socket.create_server(("127.0.0.1", 0))
    bodies: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(10)
                data = b""
                while b"\r\n\r\n" not in data:
                    data += connection.recv(65536)
                head, _, rest = data.partition(b"\r\n\r\n")
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
                while len(rest) < length:
                    rest += connection.recv(65536)
                bodies.append(len(rest))
                with contextlib.suppress(OSError):
                    reply(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/store", bodies
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def silent(connection: socket.socket) -> None:
    connection.recv(1)  # until the client gives up and closes


def a_byte_a_second(connection: socket.socket) -> None:
    for byte in b"HTTP/1.1 204 No Content\r\nX-Slow: " + b"y" * 100:
        connection.sendall(bytes([byte]))
        time.sleep(0.5)


def not_http(connection: socket.socket) -> None:
    connection.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")


def test_a_store_that_takes_the_graph_and_never_answers_is_not_called_unreachable() -> None:
    """'cannot reach the store' was said after the store had the whole body: a retry added it twice."""
    with raw_store(silent) as (endpoint, bodies):
        started = time.monotonic()
        result = push_cli("--endpoint", endpoint, "--timeout", "1")
        took = time.monotonic() - started
    assert result.exit_code == 2
    assert result.output == (
        f"Error: the graph was sent to {endpoint}, but no answer came within the time limit of 1 s;"
        " the store may hold the graph: check it before you push again\n"
    )
    assert bodies == [len(export_body())]
    assert took < 10


def test_the_timeout_is_a_deadline_for_the_whole_push_not_for_each_wait() -> None:
    """A store sending a byte a second kept push running past 60 s with --timeout 3."""
    with raw_store(a_byte_a_second) as (endpoint, _bodies):
        started = time.monotonic()
        result = push_cli("--endpoint", endpoint, "--timeout", "2")
        took = time.monotonic() - started
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: the graph was sent to {endpoint}, but no answer came within the time limit of 2 s;")
    assert took < 2 + 5  # the graph is checked and serialised first; the deadline covers the rest


def test_a_reply_that_is_not_http_is_one_line() -> None:
    """It was a BadStatusLine traceback."""
    with raw_store(not_http) as (endpoint, _bodies):
        result = push_cli("--endpoint", endpoint)
    assert result.exit_code == 2
    assert result.output == (
        f"Error: the store at {endpoint} did not answer in HTTP (it said 'SSH-2.0-OpenSSH_9.2'); the store may hold the graph:"
        " check it before you push again\n"
    )
