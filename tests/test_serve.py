"""``kg serve`` started for real on 127.0.0.1 and asked over HTTP: the SPARQL 1.1 Protocol
(GET, POST, content negotiation, 403 for updates, 400 for bad queries) and the pages."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import rest_of_terminal, signals_as_at_a_shell
from markupsafe import escape

from kg import query

LED_BY = "https://example.org/kg/id/taskforce-led-by-npcc"
PEOPLE = query.query_text("people-posts")


@dataclass
class Reply:
    status: int
    media: str
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def start_serve(*args: str) -> tuple[subprocess.Popen[str], str]:
    """``kg serve --port 0`` in its own process; returns it and the base URL it printed."""
    command = [sys.executable, "-m", "kg", "serve", "--port", "0", *args]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, preexec_fn=signals_as_at_a_shell)
    assert process.stderr is not None
    line = process.stderr.readline()
    if " the store " in line:  # --store says first where the graph came from
        line = process.stderr.readline()
    found = re.match(r"kg: serving (\d+) triples at (http://127\.0\.0\.1:\d+/) \(SPARQL endpoint \2sparql\); Ctrl-C stops$", line)
    if not found:
        process.kill()
        raise AssertionError(f"kg serve printed {line!r}")
    return process, found[2]


@contextlib.contextmanager
def serving(*args: str) -> Iterator[str]:
    """A running ``kg serve`` (see :func:`start_serve`) for the block: its base URL."""
    process, base = start_serve(*args)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving() as base:
        yield base


def fetch(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None) -> Reply:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(response.status, response.headers.get("Content-Type", ""), response.read(), dict(response.headers))
    except urllib.error.HTTPError as err:
        return Reply(err.code, err.headers.get("Content-Type", ""), err.read(), dict(err.headers))


def get_query(base: str, text: str, accept: str | None = None) -> Reply:
    return fetch(base + "sparql?" + urllib.parse.urlencode({"query": text}), headers={"Accept": accept} if accept else {})


def rows_of(reply: Reply, results_format: ox.QueryResultsFormat = ox.QueryResultsFormat.JSON) -> list[tuple[str, ...]]:
    parsed = ox.parse_query_results(reply.body, results_format)
    assert isinstance(parsed, ox.QuerySolutions)
    names = [v.value for v in parsed.variables]
    return [tuple(query.text_of(s[n]) for n in names) for s in parsed]


def kg_query_rows(text: str, params: dict[str, ox.NamedNode] | None = None) -> list[tuple[str, ...]]:
    answer = query.run(query.dataset_graph(), text, params or {})
    return [tuple(query.text_of(v) for v in row) for row in answer.rows]


def test_every_saved_question_gives_the_rows_kg_query_gives(server: str) -> None:
    for saved in query.saved_queries():
        text, params = saved.text, {}
        if "bind ?fact" in text:  # the protocol has no parameters: the same binding as a VALUES row
            params = {"fact": ox.NamedNode(LED_BY)}
            text = text.replace("WHERE {", f"WHERE {{\n  VALUES ?fact {{ {params['fact']} }}", 1)
        reply = get_query(server, text)
        assert reply.status == 200, (saved.name, reply.text)
        assert reply.media == "application/sparql-results+json"
        assert rows_of(reply) == kg_query_rows(saved.text, params), saved.name


def test_post_as_a_form_and_as_a_query_body(server: str) -> None:
    expected = kg_query_rows(PEOPLE)
    form = fetch(
        server + "sparql",
        data=urllib.parse.urlencode({"query": PEOPLE}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (form.status, rows_of(form)) == (200, expected)
    body = fetch(server + "sparql", data=PEOPLE.encode(), headers={"Content-Type": "application/sparql-query"})
    assert (body.status, rows_of(body)) == (200, expected)
    odd = fetch(server + "sparql", data=PEOPLE.encode(), headers={"Content-Type": "text/plain"})
    assert odd.status == 415


@pytest.mark.parametrize(
    ("accept", "media", "results_format"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", ox.QueryResultsFormat.TSV),
        ("text/html;q=0.9, application/sparql-results+xml;q=0.8, */*;q=0.1", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("*/*", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ],
)
def test_content_negotiation_for_results(server: str, accept: str, media: str, results_format: ox.QueryResultsFormat) -> None:
    reply = get_query(server, PEOPLE, accept)
    assert reply.status == 200
    assert reply.media == media
    assert reply.headers["Vary"] == "Accept"
    assert rows_of(reply, results_format) == kg_query_rows(PEOPLE)


def test_csv_results(server: str) -> None:
    reply = get_query(server, PEOPLE, "text/csv")
    assert reply.media == "text/csv; charset=utf-8"
    assert [tuple(r) for r in csv.reader(io.StringIO(reply.text, newline=""))][1:] == kg_query_rows(PEOPLE)


def test_construct_is_negotiated_as_rdf(server: str) -> None:
    text = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"
        " CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a <https://example.org/kg/ontology#Person> ; rdfs:label ?l }"
    )
    turtle = get_query(server, text, "text/turtle")
    assert turtle.media == "text/turtle; charset=utf-8"
    assert len(list(ox.parse(turtle.body, ox.RdfFormat.TURTLE))) == 4
    nt = get_query(server, text, "application/n-triples")
    assert nt.media == "application/n-triples"
    assert len(nt.text.splitlines()) == 4
    assert get_query(server, text, "image/png").status == 406


def test_ask(server: str) -> None:
    reply = get_query(server, "ASK { ?s a <https://example.org/kg/ontology#Person> }")
    parsed = ox.parse_query_results(reply.body, ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QueryBoolean) and bool(parsed)
    assert reply.body == b'{"head":{},"boolean":true}\n'  # as kg query prints it: text ends its line


UPDATE_REFUSED = "refused: INSERT DATA would change the graph; kg only answers read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE)\n"


def test_updates_get_403(server: str) -> None:
    insert = "INSERT DATA { <http://a/s> <http://a/p> <http://a/o> }"
    as_update = fetch(
        server + "sparql",
        data=urllib.parse.urlencode({"update": insert}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (as_update.status, as_update.text) == (403, "refused: this endpoint is read-only; updates are not accepted\n")
    as_body = fetch(server + "sparql", data=insert.encode(), headers={"Content-Type": "application/sparql-update"})
    assert as_body.status == 403
    as_query = get_query(server, insert)
    assert (as_query.status, as_query.text) == (403, UPDATE_REFUSED)
    service = get_query(server, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert service.status == 403
    assert rows_of(get_query(server, "SELECT (COUNT(*) AS ?n) WHERE { <http://a/s> ?p ?o }")) == [("0",)]


def test_a_bad_query_gets_400_with_the_message(server: str) -> None:
    reply = get_query(server, "SELECT ?s WHERE {\n  ?s ?p\n}")
    assert (reply.status, reply.media) == (400, "text/plain; charset=utf-8")
    assert reply.text == "syntax error at line 2, column 3: Expected SelectQuery\n"
    assert fetch(server + "sparql", headers={"Accept": "application/json"}).status == 400
    empty = get_query(server, "# only a comment")
    assert (empty.status, empty.text) == (400, "the query is empty: write a SELECT, ASK, CONSTRUCT or DESCRIBE query\n")


def test_the_query_page_lists_the_saved_questions_and_runs_one(server: str) -> None:
    page = fetch(server)
    assert page.status == 200 and page.media == "text/html; charset=utf-8"
    for saved in query.saved_queries():
        assert f'href="/?name={saved.name}"' in page.text
        assert escape(saved.description) in page.text
    assert "<script" not in page.text and "http://" not in page.text.replace(server, "")
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    answered = fetch(server + "?name=people-posts")
    for person, post, _org, _sources in kg_query_rows(PEOPLE):
        assert f"<td>{escape(person)}</td>" in answered.text
        assert f"<td>{escape(post)}</td>" in answered.text
    assert '<p class="count" id="count">4 rows</p>' in answered.text


def test_an_unknown_saved_question_is_404_with_the_saved_ones_linked(server: str) -> None:
    """/?name=nosuch was 200 with an empty page."""
    page = fetch(server + "?name=nosuch")
    assert (page.status, page.media) == (404, "text/html; charset=utf-8")
    names = ", ".join(q.name for q in query.saved_queries())
    error = f"no saved question named 'nosuch'; the saved questions are: {names}"
    assert f'<p class="error" id="error">{escape(error)}</p>' in page.text
    for saved in query.saved_queries():
        assert f'<a id="saved-{saved.name}" href="/?name={saved.name}">{saved.name}</a>' in page.text
    assert "<title>query · kg serve</title>" in page.text and 'name="name"' not in page.text  # the unknown name is not carried on
    assert fetch(server + "?name=").status == 200  # no name: the plain page


def test_the_page_shows_errors_and_refusals(server: str) -> None:
    bad = fetch(server + "?" + urllib.parse.urlencode({"query": "SELECT ?s WHERE {"}))
    assert bad.status == 400 and '<p class="error" id="error">syntax error' in bad.text
    refused = fetch(server + "?" + urllib.parse.urlencode({"query": "CLEAR ALL"}))
    assert refused.status == 403 and "refused: CLEAR would change the graph" in refused.text


def test_the_page_names_a_bad_bound_value_as_its_box_does_not_as_an_option(server: str) -> None:
    """The page said "--param 'nothing': …", an option of kg query that a web user cannot give,
    and suggested fact='<https://…>', quotes a shell needs and the box does not."""
    for params, error in [
        ("nothing", "bound value 'nothing': write it as NAME=VALUE, e.g. fact=kgd:taskforce-led-by-npcc or fact=<https://…>"),
        ("fact=<not an iri>", "bound value 'fact=<not an iri>': Invalid IRI code point ' '"),
    ]:
        page = fetch(server + "?" + urllib.parse.urlencode({"query": query.query_text("fact-provenance"), "params": params}))
        assert page.status == 400
        assert f'<p class="error" id="error">{escape(error)}</p>' in page.text
    bound = fetch(server + "?" + urllib.parse.urlencode({"query": query.query_text("fact-provenance"), "params": "fact=<" + LED_BY + ">"}))
    assert bound.status == 200 and '<p class="count" id="count">2 rows</p>' in bound.text  # as the example writes it, it binds


def test_the_saved_questions_say_how_to_bind_a_value_as_the_page_takes_it(server: str) -> None:
    """fact-provenance's description said "--param fact=…", an option of kg query that a web user cannot give."""
    page = fetch(server)
    for saved in query.saved_queries():
        assert "--" not in saved.description, saved.name
    provenance = query.saved_query("fact-provenance").description
    assert provenance.startswith("For one fact (bind ?fact, e.g. fact=kgd:taskforce-led-by-npcc): ")
    assert f'<span class="description">{escape(provenance)}</span>' in page.text
    assert "one NAME=VALUE a line, e.g. <code>fact=kgd:taskforce-led-by-npcc</code>" in page.text  # as the Bound values box takes it


def test_an_entity_page_shows_its_sources_and_evidence(server: str) -> None:
    page = fetch(server + "entity?" + urllib.parse.urlencode({"iri": "https://example.org/kg/id/npcc"}))
    assert page.status == 200
    assert "<h1>National Police Chiefs’ Council</h1>" in page.text
    evidence = [row[4] for row in kg_query_rows(query.query_text("fact-provenance"), {"fact": ox.NamedNode(LED_BY)})]
    for quote in evidence:  # the statement naming the NPCC as leader, with each source's words
        assert escape(quote) in page.text
    assert 'href="/entity?iri=https%3A%2F%2Fexample.org%2Fkg%2Fid%2Ftaskforce-led-by-npcc"' in page.text
    missing = fetch(server + "entity?" + urllib.parse.urlencode({"iri": "https://example.org/kg/id/nobody"}))
    assert missing.status == 404 and "the graph holds nothing about this IRI" in missing.text


#: kg serve's words for a query past its limit: first what the asker can do, with no command-line
#: option (which the asker over the web cannot give), then what whoever runs the server can do.
PAST_THE_LIMIT = "the query ran longer than its time limit of 0.5 s"
FOR_THE_OPERATOR = "whoever runs kg serve can allow longer queries: kg serve --timeout SECONDS"
TOO_LONG_ON_THE_PAGE = (
    f"{PAST_THE_LIMIT}; ask a narrower question, e.g. give one of its variables a value under Bound values; {FOR_THE_OPERATOR}"
)
TOO_LONG = f"{PAST_THE_LIMIT}; ask a narrower question, e.g. with a value in place of one of its variables; {FOR_THE_OPERATOR}"
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_the_page_says_a_query_is_past_the_limit_without_a_command_line_option() -> None:
    """The page and the endpoint said "narrow it or give --timeout SECONDS", kg query's option;
    then "narrow it, or restart kg serve with a longer time limit", which only the operator can do:
    the web user is told what they can do (a narrower question, a bound value), the operator apart."""
    with serving("--timeout", "0.5") as base:
        page = fetch(base + "?" + urllib.parse.urlencode({"query": ENDLESS}))
        assert page.status == 503
        assert f'<p class="error" id="error">{escape(TOO_LONG_ON_THE_PAGE)}</p>' in page.text


@pytest.mark.parametrize("name", ["WEB", "ENDPOINT"])
def test_the_web_user_is_told_what_they_can_do_without_an_option_and_the_operator_apart(name: str) -> None:
    wording = getattr(query, name)
    assert "--" not in wording.late and "narrower question" in wording.late
    assert wording.operator == FOR_THE_OPERATOR


def test_a_query_past_the_time_limit_gets_503_and_the_server_still_answers() -> None:
    with serving("--timeout", "0.5") as base:
        assert base.startswith("http://127.0.0.1:")  # this machine only, by default
        late = get_query(base, ENDLESS)
        assert (late.status, late.text) == (503, TOO_LONG + "\n")
        assert rows_of(get_query(base, PEOPLE)) == kg_query_rows(PEOPLE)


def test_data_with_errors_is_reported_and_not_served(tmp_path: Path) -> None:
    from helpers import PERSON_WITHOUT_POST, write_files

    folder = write_files(tmp_path / "data", {"all.yaml": PERSON_WITHOUT_POST})
    command = [sys.executable, "-m", "kg", "serve", "--port", "0", "--data", str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == "1 error, 1 warning: the server was not started"  # it said "nothing was written"
    assert "kg: serving" not in done.stderr


@pytest.mark.skipif(os.name != "posix", reason="signals are POSIX")
def test_ctrl_c_stops_the_server_with_exit_status_130() -> None:
    """Ctrl-C ended kg serve with status 0, as if it had done its work; shells expect 130."""
    process, base = start_serve()
    try:
        assert fetch(base).status == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130
        assert process.stderr is not None
        assert process.stderr.read() == "kg: interrupted\n"  # one short line: no traceback
    finally:
        if process.poll() is None:
            process.kill()
        if process.stderr:
            process.stderr.close()


@pytest.mark.skipif(os.name != "posix", reason="signals and terminals are POSIX")
def test_ctrl_c_at_a_terminal_ends_the_line_the_terminal_echoed_it_on() -> None:
    """Into a pipe, 'kg: interrupted' came after an empty line (click's, which ends a terminal's
    ^C line); at a terminal that line is still ended, and the message is on its own line."""
    terminal, stderr_end = pty.openpty()
    command = [sys.executable, "-m", "kg", "serve", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr_end, preexec_fn=signals_as_at_a_shell)
    os.close(stderr_end)
    shown = b""
    try:
        while b"Ctrl-C stops\r\n" not in shown and select.select([terminal], [], [], 60)[0]:
            shown += os.read(terminal, 4096)
        assert shown.endswith(b"Ctrl-C stops\r\n"), shown
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130
        said = rest_of_terminal(terminal)
    finally:
        os.close(terminal)
        if process.poll() is None:
            process.kill()
    assert said == b"\r\nkg: interrupted\r\n"  # the terminal writes each line break as \r\n


def test_the_server_is_built_on_the_query_module_not_the_command_line() -> None:
    import ast

    package = Path(query.__file__).parent
    for module in ("serve", "query", "push"):
        tree = ast.parse((package / f"{module}.py").read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not {m for m in imported if m == "kg.cli" or m.startswith("kg.commands") or m == "click"}, module


def raw_request(base: str, request: bytes) -> bytes:
    """Send bytes as they are (no client tidies them) and read the whole answer."""
    host, port = urllib.parse.urlsplit(base).netloc.rsplit(":", 1)
    with socket.create_connection((host.strip("[]"), int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_head_gets_what_get_gets_without_the_body(server: str) -> None:
    got, head = fetch(server), fetch(server, method="HEAD")
    assert (head.status, head.media, head.body) == (200, got.media, b"")
    assert head.headers["Content-Length"] == str(len(got.body))


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_get_405_in_plain_text_saying_what_is_allowed(server: str, method: str) -> None:
    reply = fetch(server + "sparql", method=method)
    assert (reply.status, reply.media) == (405, "text/plain; charset=utf-8")
    assert reply.headers["Allow"] == "GET, HEAD, POST"
    assert reply.text == f"{method} is not allowed: GET or POST a query to /sparql, GET the pages\n"


@pytest.mark.parametrize("length", ["-5", "abc", "1e3"])
def test_a_bad_content_length_gets_400_and_the_server_still_answers(server: str, length: str) -> None:
    """It was a traceback on the server's terminal and no answer at all."""
    answer = raw_request(
        server,
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        + f"Content-Length: {length}\r\n\r\nASK {{}}".encode(),
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"\r\nContent-Type: text/plain; charset=utf-8\r\n" in head
    assert b"Content-Length is invalid" in body
    assert fetch(server).status == 200


def test_the_servers_own_errors_are_plain_text_not_an_html_page(server: str) -> None:
    for request, status in [
        (b"GET / HTTP/one\r\n\r\n", b"400"),
        (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + b"y" * (70 << 10) + b"\r\n\r\n", b"431"),
    ]:
        with contextlib.suppress(ConnectionResetError):  # the server may close before it has read all that was sent
            head, _, body = raw_request(server, request).partition(b"\r\n\r\n")
            assert re.match(rb"HTTP/1\.[01] " + status + b" ", head), head
            assert b"\r\nContent-Type: text/plain; charset=utf-8\r\n" in head
            assert b"<" not in body
    unknown = fetch(server, method="FOO")
    assert (unknown.status, unknown.media) == (501, "text/plain; charset=utf-8")
    assert unknown.text == "FOO is not an HTTP method this server knows: GET or POST a query to /sparql\n"


def test_the_page_refuses_a_repeated_parameter_instead_of_picking_one(server: str) -> None:
    reply = fetch(server + "?name=people-posts&name=quotes")
    assert (reply.status, reply.text) == (400, "give at most one name parameter\n")


@pytest.mark.parametrize(
    "request_line",
    ["PUT /sparql HTTP/1.1", "DELETE / HTTP/1.1", "POST /nowhere HTTP/1.1"],
)
def test_a_body_the_server_does_not_read_is_never_taken_for_a_second_request(server: str, request_line: str) -> None:
    """A PUT whose body was a whole GET request got its 405, then the GET's 200 as well."""
    smuggled = b"GET /style.css HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    answer = raw_request(
        server,
        f"{request_line}\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {len(smuggled)}\r\n\r\n".encode() + smuggled,
    )
    assert answer.count(b"HTTP/1.1 ") == 1, answer


def test_a_chunked_query_gets_411_and_no_second_answer(server: str) -> None:
    answer = raw_request(
        server,
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/sparql-query\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n6\r\nASK {}\r\n0\r\n\r\nGET /style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    )
    assert answer.count(b"HTTP/1.1 ") == 1, answer
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 411 ")
    assert body == b"send the query with a Content-Length, not in chunks\n"
