"""A local, read-only SPARQL endpoint over the graph, with a small query page.

``/sparql`` speaks the SPARQL 1.1 Protocol (GET, POST form, POST ``application/sparql-query``)
with content negotiation for the result formats; updates and ``SERVICE`` get 403, a bad
query 400 with the parser's message, a query past its time limit or too large an answer 503.
``/`` is a query page (the saved questions, a query box, results as a table) and
``/entity?iri=…`` shows everything the graph holds about one entity, with its sources and
evidence quotes. The pages are Jinja2 templates with no scripts and nothing fetched from elsewhere.

The HTTP side is waitress (a deep listen queue, idle connections closed, requests read whole
and bounded before the application sees them); this module is the WSGI application over it.
Each query runs in a process of its own that is killed at the time limit (:mod:`kg.workers`).
A request must name this server in its Host header (a page elsewhere cannot reach it through a
name of its own, as in DNS rebinding) and a POST from a page must come from this server's own
origin (no cross-site requests); no page of it can be framed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import resource
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Any, cast

import jinja2
import pyoxigraph as ox
import waitress.channel
import waitress.parser
import waitress.server

from kg import addresses, export, query, workers
from kg.problems import KgError

TEMPLATES = Path(__file__).resolve().parent / "templates" / "serve"
MAX_BODY = 1 << 20

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["html"]), undefined=jinja2.StrictUndefined
)

#: What the entity page shows, with ?entity bound as a term (selected, as binding needs; not shown).
ENTITY_QUERIES = {
    "about": """
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?entity ?property ?value WHERE { ?entity ?property ?value } ORDER BY ?property ?value""",
    "mentions": """
        SELECT ?entity ?subject ?property WHERE { ?subject ?property ?entity } ORDER BY ?property ?subject""",
    "sources": """
        PREFIX kg: <https://example.org/kg/ontology#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?entity ?fact ?source ?status ?evidence WHERE {
          { ?entity kg:citation ?citation . BIND(?entity AS ?fact) }
          UNION { ?fact rdf:subject ?entity ; kg:citation ?citation }
          UNION { ?fact rdf:object ?entity ; kg:citation ?citation }
          ?citation kg:source/kg:title ?source ; kg:claimStatus/rdfs:label ?status ; kg:evidence ?evidence .
        } ORDER BY ?fact ?source ?evidence""",
    "label": """
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?entity ?label WHERE { ?entity rdfs:label ?label } ORDER BY ?label LIMIT 1""",
}

#: Media types for SELECT and ASK answers, then for graphs; the first is the default.
_RESULT_TYPES = [(media, name) for name, (_fmt, media) in query.RESULT_FORMATS.items()]
_RESULT_TYPES.sort(key=lambda pair: pair[1] != "json")
_RESULT_ALIASES = {"application/json": "json", "application/xml": "xml", "text/plain": "tsv"}


def _graph_types() -> list[tuple[str, str]]:
    found = [(export.FORMATS[name].media_type, name) for name in query.graph_formats()]
    return sorted(found, key=lambda pair: pair[1] != "turtle")


def negotiate(accept: str | None, offered: list[tuple[str, str]], aliases: Mapping[str, str] | None = None) -> str | None:
    """The format name the Accept header prefers among those offered (the first offered
    when it accepts anything, None when it accepts none of them)."""
    if not accept:
        return offered[0][1]
    choices: list[tuple[float, int, str]] = []
    known = {media: name for media, name in offered} | dict(aliases or {})
    for order, part in enumerate(accept.split(",")):
        media, *options = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for option in options:
            key, _, value = option.partition("=")
            if key.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight <= 0:
            continue
        media = media.lower()
        if media in known:
            choices.append((-weight, order, known[media]))
        elif media in ("*/*", "application/*", "text/*"):
            family = media.split("/")[0]
            match = next((name for m, name in offered if family == "*" or m.startswith(family + "/")), None)
            if match:
                choices.append((-weight + 0.0001, order, match))
    return min(choices)[2] if choices else None


#: Seconds a query waits for a free query process before it is told the server is busy.
QUEUE_WAIT = 10.0
#: Seconds a connection may stay idle (nothing received, nothing sent), or take to send one
#: request whole, before it is closed.
IDLE_TIMEOUT = 20
#: Connections held open at most (more wait in the listen queue), when the system allows as many files.
MAX_CONNECTIONS = 4000
#: The listen queue: connections the system holds until the server takes them.
BACKLOG = 2048
_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'"
_TEXT = "text/plain; charset=utf-8"
#: Methods HTTP defines; any other is one this server does not know (501).
_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"}


class Server:
    """The running server: waitress listening on ``host:port``, the application, and the
    query processes; :meth:`serve_forever` until Ctrl-C, then :meth:`server_close`."""

    def __init__(self, graph: query.Graph, host: str, port: int, limits: Limits, idle_timeout: int = IDLE_TIMEOUT):
        # Twice the cores: two queries past any use still leave room for quick ones beside them.
        slots = max(4, 2 * (os.cpu_count() or 2))
        # The query processes' nursery is forked first, while this process has one thread.
        self.workers = workers.Workers(graph, slots=slots, wait=QUEUE_WAIT)
        connections = _raise_file_limit(MAX_CONNECTIONS + 64) - 64
        try:
            self.app = App(graph, self.workers, limits, addresses.host_names(host))
            self._waitress = waitress.server.create_server(
                self.app,
                listen=addresses.listen_spec(host, port),
                ident="kg-serve",
                threads=slots * 2 + 2,
                backlog=BACKLOG,
                connection_limit=max(connections, 16),
                channel_timeout=idle_timeout,
                cleanup_interval=max(1, idle_timeout // 4),
                max_request_header_size=64 << 10,
                max_request_body_size=MAX_BODY,
                asyncore_use_poll=True,  # select() stops at 1,024 descriptors
                clear_untrusted_proxy_headers=True,
            )
        except BaseException:
            self.workers.close()
            raise
        for listener in _listeners(self._waitress):
            listener.channel_class = _deadline_channel(idle_timeout)
        one = self._waitress
        listening = getattr(one, "effective_listen", None) or [(getattr(one, "effective_host", ""), getattr(one, "effective_port", 0))]
        self.server_address: tuple[str, int] = (str(listening[0][0]), int(listening[0][1]))
        self.app.port = self.server_address[1]

    def serve_forever(self) -> None:
        """Answer requests until Ctrl-C, which is raised again here as KeyboardInterrupt
        (waitress ends its loop quietly on it)."""
        self._waitress.run()
        raise KeyboardInterrupt

    def server_close(self) -> None:
        with contextlib.suppress(Exception):
            self._waitress.close()
        self.workers.close()


def _listeners(server: Any) -> list[waitress.server.BaseWSGIServer]:
    """The listening sockets' servers of what waitress's create_server returned (one, or several
    for a name with several addresses)."""
    found = getattr(server, "map", None) or getattr(server, "_map", {})
    return [d for d in found.values() if isinstance(d, waitress.server.BaseWSGIServer)]


#: The WSGI environment's mark of a request whose body came in chunks (see :class:`_ChunkNoting`).
_CHUNKED = "HTTP_X_KG_CHUNKED"


class _ChunkNoting(waitress.parser.HTTPRequestParser):
    """waitress's request parser, noting a chunked body: waitress joins the chunks and drops
    the Transfer-Encoding header, and the endpoint answers such a query 411, as it always has."""

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        if self.chunked:
            cast(dict[str, str], self.headers)[_CHUNKED.removeprefix("HTTP_")] = "1"


def _deadline_channel(seconds: float) -> type[waitress.channel.HTTPChannel]:
    """waitress's connection, with a deadline for each request to arrive whole: its idle
    timeout alone lets a client that sends a byte now and then (slowloris) hold a connection
    for good. Checked each turn of the server's loop (at least once a second)."""

    class DeadlineChannel(waitress.channel.HTTPChannel):
        parser_class = _ChunkNoting
        request_started = 0.0

        def received(self, data: bytes) -> bool:
            if self.request is None:
                self.request_started = time.monotonic()
            return bool(super().received(data))

        def readable(self) -> bool:
            if self.request is not None and not self.will_close and time.monotonic() - self.request_started > seconds:
                self.will_close = True  # closed at the next turn, as waitress closes idle ones
            return bool(super().readable())

    return DeadlineChannel


def _raise_file_limit(wanted: int) -> int:
    """Raise this process's open-file limit towards ``wanted`` (as far as the hard limit
    allows): each connection is a descriptor. Returns the limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    return wanted if soft == resource.RLIM_INFINITY else min(soft, wanted)


# waitress says on standard error how deep its queue of requests is: load shows in the figures, not as warnings.
logging.getLogger("waitress.queue").setLevel(logging.ERROR)


class Limits:
    """What one query may take: seconds, rows and bytes of its answer."""

    def __init__(self, timeout: float, max_rows: int = workers.DEFAULT_MAX_ROWS, max_bytes: int = workers.DEFAULT_MAX_BYTES):
        self.timeout, self.max_rows, self.max_bytes = timeout, max_rows, max_bytes


def make_server(
    graph: query.Graph,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    timeout: float = query.DEFAULT_TIMEOUT,
    max_rows: int = workers.DEFAULT_MAX_ROWS,
    max_bytes: int = workers.DEFAULT_MAX_BYTES,
    idle_timeout: int = IDLE_TIMEOUT,
) -> Server:
    """A server bound to ``host:port`` (port 0: any free one), ready to ``serve_forever()``."""
    try:
        return Server(graph, host, port, Limits(timeout, max_rows, max_bytes), idle_timeout)
    except OSError as err:
        raise KgError(f"cannot listen on {addresses.shown(host)}:{port}: {err.strerror or err}") from None


def url_of(server: Server) -> str:
    host, port = server.server_address
    return f"http://{addresses.shown(host)}:{port}/"


class Response:
    """An answer to send: status, body (bytes, or chunks as they come) and headers."""

    def __init__(
        self,
        status: HTTPStatus,
        body: bytes | workers.Written,
        media: str,
        *,
        vary: bool = False,
        headers: Iterable[tuple[str, str]] = (),
    ):
        self.status, self.body, self.media, self.vary, self.headers = status, body, media, vary, list(headers)

    @classmethod
    def text(cls, status: HTTPStatus, message: str, **options: Any) -> Response:
        return cls(status, (message + "\n").encode("utf-8"), _TEXT, **options)


class Request:
    """One request as the application reads it from the WSGI environment."""

    def __init__(self, environ: Mapping[str, Any]):
        self.environ = environ
        self.method: str = environ["REQUEST_METHOD"]
        self.path = _wsgi_text(environ.get("PATH_INFO", ""))
        self.fields = urllib.parse.parse_qs(_wsgi_text(environ.get("QUERY_STRING", "")), keep_blank_values=True)

    def header(self, name: str) -> str | None:
        key = name.upper().replace("-", "_")
        value = self.environ.get(key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key)
        return None if value is None else str(value)

    def body(self) -> bytes:
        length = int(self.environ.get("CONTENT_LENGTH") or 0)  # waitress has checked it and read the body whole
        data: bytes = self.environ["wsgi.input"].read(length)
        return data


def _wsgi_text(value: str) -> str:
    """WSGI gives the URL's bytes as Latin-1 text: read them as UTF-8."""
    return value.encode("latin-1").decode("utf-8", "replace")


class App:
    """The WSGI application: the endpoint, the query page, the entity page and the style sheet."""

    def __init__(self, graph: query.Graph, runner: workers.Workers, limits: Limits, names: frozenset[str]):
        self.graph, self.runner, self.limits, self.names = graph, runner, limits, names
        self.port = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.respond(request)
        except KgError as err:  # the tool failed (a query process could not start, the engine failed): said, not a traceback
            response = Response.text(HTTPStatus.INTERNAL_SERVER_ERROR, str(err))
        headers = [
            ("Content-Type", response.media),
            # Nothing from elsewhere, no scripts, no framing: the pages work offline and cannot be turned against the user.
            ("Content-Security-Policy", _CSP),
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
            *response.headers,
        ]
        if response.vary:
            headers.append(("Vary", "Accept"))
        body = response.body
        size = body.size if isinstance(body, workers.Written) else len(body)
        headers.append(("Content-Length", str(size)))
        start_response(f"{response.status.value} {response.status.phrase}", headers)
        if request.method == "HEAD":
            if isinstance(body, workers.Written):
                body.close()
            return [b""]
        return body if isinstance(body, workers.Written) else [body]

    # --- routing ---------------------------------------------------------------------------

    def respond(self, request: Request) -> Response:
        refused = self._unsafe(request)
        if refused:
            return refused
        method, path = request.method, request.path
        if method not in _METHODS:
            message = f"{method[:40]} is not an HTTP method this server knows: GET or POST a query to /sparql"
            return Response.text(HTTPStatus.NOT_IMPLEMENTED, message)
        if method not in ("GET", "HEAD", "POST"):
            message = f"{method} is not allowed: GET or POST a query to /sparql, GET the pages"
            return Response.text(HTTPStatus.METHOD_NOT_ALLOWED, message, headers=[("Allow", "GET, HEAD, POST")])
        if method == "POST":
            if path != "/sparql":
                return Response.text(HTTPStatus.NOT_FOUND, "not found: POST queries to /sparql")
            return self._posted(request)
        if path == "/sparql":
            return self._protocol(request, request.fields)
        if path == "/":
            return self._page(request.fields)
        if path == "/entity":
            return self._entity(request.fields)
        if path == "/style.css":
            return Response(HTTPStatus.OK, (TEMPLATES / "style.css").read_bytes(), "text/css; charset=utf-8")
        return Response.text(HTTPStatus.NOT_FOUND, "not found: the endpoint is /sparql, the query page /")

    def _unsafe(self, request: Request) -> Response | None:
        """A refusal for a request whose Host is not this server's (DNS rebinding) or a POST
        from another origin (a cross-site request from a page elsewhere); else None."""
        host = request.header("Host")
        if not host or not addresses.names_this_server(host, self.names):
            shown = ", ".join(sorted(self.names))
            return Response.text(
                HTTPStatus.MISDIRECTED_REQUEST,
                f"refused: the Host header {host!r} does not name this server; ask it by its address or as {shown}",
            )
        origin = request.header("Origin")
        if request.method == "POST" and origin is not None and origin.lower() != f"http://{host.lower()}":
            return Response.text(
                HTTPStatus.FORBIDDEN,
                f"refused: a query posted from another site ({origin[:100]}); post from this server's own page, or from a program",
            )
        return None

    def _posted(self, request: Request) -> Response:
        if request.environ.get(_CHUNKED):
            return Response.text(HTTPStatus.LENGTH_REQUIRED, "send the query with a Content-Length, not in chunks")
        body = request.body().decode("utf-8", "replace")
        media = (request.header("Content-Type") or "").split(";")[0].strip().lower()
        fields = {key: list(values) for key, values in request.fields.items()}
        if media == "application/sparql-query":
            fields["query"] = [body]
        elif media == "application/sparql-update":
            fields["update"] = [body]
        elif media == "application/x-www-form-urlencoded":
            for key, values in urllib.parse.parse_qs(body, keep_blank_values=True).items():
                fields.setdefault(key, []).extend(values)
        else:
            message = "send the query as application/sparql-query or as a form (application/x-www-form-urlencoded)"
            return Response.text(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, message)
        return self._protocol(request, fields)

    # --- the SPARQL 1.1 Protocol -------------------------------------------------------------

    def _protocol(self, request: Request, fields: Mapping[str, list[str]]) -> Response:
        if "update" in fields:
            return Response.text(HTTPStatus.FORBIDDEN, "refused: this endpoint is read-only; updates are not accepted")
        texts = fields.get("query", [])
        if len(texts) != 1:
            if not texts and "text/html" in (request.header("Accept") or ""):
                return Response(HTTPStatus.SEE_OTHER, b"", _TEXT, headers=[("Location", "/")])
            return Response.text(HTTPStatus.BAD_REQUEST, "give exactly one query parameter")
        try:
            prepared = query.prepare(self.graph, texts[0])
        except query.QueryRefused as refused:
            return Response.text(HTTPStatus.FORBIDDEN, str(refused))
        except query.QueryProblem as problem:
            return Response.text(HTTPStatus.BAD_REQUEST, str(problem))
        is_graph = prepared.form in ("CONSTRUCT", "DESCRIBE")
        offered = _graph_types() if is_graph else _RESULT_TYPES
        fmt = negotiate(request.header("Accept"), offered, None if is_graph else _RESULT_ALIASES)
        if fmt is None:
            kinds = ", ".join(media for media, _ in offered)
            return Response.text(HTTPStatus.NOT_ACCEPTABLE, f"this answer can be sent as {kinds}")
        media = dict((name, media) for media, name in offered)[fmt]
        try:
            written = self._ask(prepared, query.ENDPOINT, fmt)
        except query.QueryProblem as problem:
            return Response.text(HTTPStatus.BAD_REQUEST, str(problem))
        except (query.QueryTimeout, query.QueryBusy, workers.AnswerTooLarge, workers.QueryCrashed) as late:
            return Response.text(HTTPStatus.SERVICE_UNAVAILABLE, str(late))
        assert isinstance(written, workers.Written)
        charset = "; charset=utf-8" if media.startswith("text/") else ""
        return Response(HTTPStatus.OK, written, media + charset, vary=True)

    # --- pages ---------------------------------------------------------------------------------

    def _page(self, fields: Mapping[str, list[str]]) -> Response:
        repeated = sorted(key for key in ("name", "query", "params") if len(fields.get(key, [])) > 1)
        if repeated:
            return Response.text(HTTPStatus.BAD_REQUEST, f"give at most one {repeated[0]} parameter")
        name = (fields.get("name") or [""])[0]
        text = (fields.get("query") or [""])[0]
        params_text = (fields.get("params") or [""])[0]
        context: dict[str, Any] = {
            "saved": query.saved_queries(),
            "chosen": name,
            "text": text,
            "params": params_text,
            "error": None,
            "answer": None,
        }
        status = HTTPStatus.OK
        if name:
            try:
                chosen = query.saved_query(name)
            except query.QueryProblem as unknown:  # the page still lists (and links) the saved questions
                return self._html(HTTPStatus.NOT_FOUND, "page.html", context | {"chosen": "", "error": str(unknown)})
            text = context["text"] = text or chosen.text
        if text.strip():
            try:
                lines = [line.strip() for line in params_text.splitlines() if line.strip()]
                bound = query.parse_params(lines, self.graph.prefixes, query.WEB)
                context["answer"] = self._table(self._answer(text, bound))
            except query.QueryRefused as refused:
                status, context["error"] = HTTPStatus.FORBIDDEN, str(refused)
            except query.QueryProblem as problem:
                status, context["error"] = HTTPStatus.BAD_REQUEST, str(problem)
            except (query.QueryTimeout, query.QueryBusy, workers.AnswerTooLarge, workers.QueryCrashed) as late:
                status, context["error"] = HTTPStatus.SERVICE_UNAVAILABLE, str(late)
        return self._html(status, "page.html", context)

    def _entity(self, fields: Mapping[str, list[str]]) -> Response:
        iri = (fields.get("iri") or [""])[0]
        try:
            entity = ox.NamedNode(iri)
        except ValueError:
            context = {"iri": iri, "error": f"not an IRI: {iri!r}", "label": iri, "sections": {}}
            return self._html(HTTPStatus.BAD_REQUEST, "entity.html", context)
        sections = {}
        try:
            for name, text in ENTITY_QUERIES.items():
                answer = self._answer(text, {"entity": entity})
                answer.variables, answer.rows = answer.variables[1:], [row[1:] for row in answer.rows]
                sections[name] = self._table(answer)
        except (query.QueryTimeout, query.QueryBusy, workers.AnswerTooLarge, workers.QueryCrashed) as late:
            return self._html(HTTPStatus.SERVICE_UNAVAILABLE, "entity.html", {"iri": iri, "error": str(late), "label": iri, "sections": {}})
        label_rows = sections.pop("label")["rows"]
        label = label_rows[0][0]["text"] if label_rows else query.show(entity, self.graph.prefixes)
        found = any(sections[name]["rows"] for name in ("about", "mentions"))
        status = HTTPStatus.OK if found else HTTPStatus.NOT_FOUND
        error = None if found else "the graph holds nothing about this IRI"
        return self._html(status, "entity.html", {"iri": iri, "label": label, "sections": sections, "error": error})

    def _answer(self, text: str, params: Mapping[str, ox.NamedNode | ox.Literal]) -> query.Answer:
        """A query's answer for a page (its messages worded for the page)."""
        answer = self._ask(query.prepare(self.graph, text, params), query.WEB, None)
        assert isinstance(answer, query.Answer)
        return answer

    def _ask(self, prepared: query.Prepared, wording: query.Wording, fmt: str | None) -> query.Answer | workers.Written:
        """Run a prepared query in a query process, within the limits: the answer, or (``fmt``
        given) the answer written in that format, its messages worded by ``wording``."""
        limits = self.limits
        job = workers.Job(prepared, fmt, self.graph.prefixes, limits.max_rows, limits.max_bytes)
        try:
            return self.runner.run(job, limits.timeout)
        except query.QueryTimeout:
            raise query.QueryTimeout(query.late_message(limits.timeout, wording)) from None
        except workers.AnswerTooLarge as large:
            raise workers.AnswerTooLarge(
                f"{large}; ask for less (LIMIT, or a narrower question); whoever runs kg serve can allow more:"
                " kg serve --max-rows ROWS --max-bytes BYTES"
            ) from None

    def _table(self, answer: query.Answer) -> dict[str, Any]:
        """An answer as the templates show it: each cell its text and, for an IRI, a link."""
        prefixes = self.graph.prefixes
        if answer.boolean is not None:
            return {"boolean": answer.boolean, "variables": [], "rows": []}
        if answer.triples is not None:
            variables = ["subject", "predicate", "object"]
            rows: list[tuple[Any, ...]] = [(t.subject, t.predicate, t.object) for t in sorted(set(answer.triples), key=str)]
        else:
            variables, rows = answer.variables, list(answer.rows)

        def cell(value: Any) -> dict[str, str | None]:
            link = "/entity?" + urllib.parse.urlencode({"iri": value.value}) if isinstance(value, ox.NamedNode) else None
            return {"text": query.show(value, prefixes), "link": link}

        return {"boolean": None, "variables": variables, "rows": [[cell(v) for v in row] for row in rows]}

    def _html(self, status: HTTPStatus, template: str, context: dict[str, Any]) -> Response:
        body = _environment.get_template(template).render(**context).encode("utf-8")
        return Response(status, body, "text/html; charset=utf-8")
