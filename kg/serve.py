"""A local, read-only SPARQL endpoint over the graph, with a small query page.

``/sparql`` speaks the SPARQL 1.1 Protocol (GET, POST form, POST ``application/sparql-query``)
with content negotiation for the result formats; updates and ``SERVICE`` get 403, a bad
query 400 with the parser's message, a query past its time limit 503. ``/`` is a query
page (the saved questions, a query box, results as a table) and ``/entity?iri=…`` shows
everything the graph holds about one entity, with its sources and evidence quotes. The
pages are Jinja2 templates with no scripts and nothing fetched from elsewhere.
"""

from __future__ import annotations

import os
import threading
import urllib.parse
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jinja2
import pyoxigraph as ox

from kg import export, query
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


class Server(ThreadingHTTPServer):
    """The HTTP server, holding the graph it answers from."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], graph: query.Graph, timeout: float):
        self.graph = graph
        self.query_timeout = timeout
        # Queries past their limit keep a core busy until they end: at most this many run at once.
        self.slots = threading.Semaphore(max(2, os.cpu_count() or 2))
        super().__init__(address, Handler)


def make_server(graph: query.Graph, host: str = "127.0.0.1", port: int = 8000, *, timeout: float = query.DEFAULT_TIMEOUT) -> Server:
    """A server bound to ``host:port`` (port 0: any free one), ready to ``serve_forever()``."""
    try:
        return Server((host, port), graph, timeout)
    except OSError as err:
        raise KgError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None


def url_of(server: Server) -> str:
    host, port = server.server_address[:2]
    name = host.decode() if isinstance(host, bytes) else str(host)
    shown = f"[{name}]" if ":" in name else name
    return f"http://{shown}:{port}/"


class Handler(BaseHTTPRequestHandler):
    """One request: the endpoint, the query page, the entity page or the style sheet."""

    server: Server
    server_version = "kg-serve"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the terminal shows the one line kg serve prints

    # --- routing ---------------------------------------------------------------------------

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        fields = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if url.path == "/sparql":
            self._protocol(fields)
        elif url.path == "/":
            self._page(fields)
        elif url.path == "/entity":
            self._entity(fields)
        elif url.path == "/style.css":
            self._send(HTTPStatus.OK, (TEMPLATES / "style.css").read_bytes(), "text/css; charset=utf-8")
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found: the endpoint is /sparql, the query page /\n", "text/plain; charset=utf-8")

    def do_HEAD(self) -> None:
        self.do_GET()  # the same status and headers; _send leaves out the body

    def do_PUT(self) -> None:
        self._not_allowed()

    do_DELETE = do_PATCH = do_OPTIONS = do_PUT

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/sparql":
            self.close_connection = True  # its body is not read: it must not be taken for a request
            self._send(HTTPStatus.NOT_FOUND, b"not found: POST queries to /sparql\n", "text/plain; charset=utf-8")
            return
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self._text(HTTPStatus.LENGTH_REQUIRED, "send the query with a Content-Length, not in chunks")
            return
        given = (self.headers.get("Content-Length") or "0").strip()
        if not given.isascii() or not given.isdigit():
            self.close_connection = True  # where the body ends is unknown
            self._text(HTTPStatus.BAD_REQUEST, f"Content-Length must be a number of bytes, not {given[:40]!r}")
            return
        length = int(given)
        if length > MAX_BODY:
            self.close_connection = True  # the body is not read
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"the query is larger than 1 MiB\n", "text/plain; charset=utf-8")
            return
        body = self.rfile.read(length).decode("utf-8", "replace")
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        fields = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if media == "application/sparql-query":
            fields["query"] = [body]
        elif media == "application/sparql-update":
            fields["update"] = [body]
        elif media == "application/x-www-form-urlencoded":
            for key, values in urllib.parse.parse_qs(body, keep_blank_values=True).items():
                fields.setdefault(key, []).extend(values)
        else:
            message = "send the query as application/sparql-query or as a form (application/x-www-form-urlencoded)\n"
            self._send(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, message.encode(), "text/plain; charset=utf-8")
            return
        self._protocol(fields)

    # --- the SPARQL 1.1 Protocol -------------------------------------------------------------

    def _protocol(self, fields: dict[str, list[str]]) -> None:
        if "update" in fields:
            self._text(HTTPStatus.FORBIDDEN, "refused: this endpoint is read-only; updates are not accepted")
            return
        texts = fields.get("query", [])
        if len(texts) != 1:
            if not texts and "text/html" in (self.headers.get("Accept") or ""):
                self._redirect("/")
                return
            self._text(HTTPStatus.BAD_REQUEST, "give exactly one query parameter")
            return
        try:
            answer = self._ask(texts[0], wording=query.ENDPOINT)
        except query.QueryRefused as refused:
            self._text(HTTPStatus.FORBIDDEN, str(refused))
            return
        except query.QueryProblem as problem:
            self._text(HTTPStatus.BAD_REQUEST, str(problem))
            return
        except (query.QueryTimeout, query.QueryBusy) as late:
            self._text(HTTPStatus.SERVICE_UNAVAILABLE, str(late))
            return
        is_graph = answer.triples is not None
        offered = _graph_types() if is_graph else _RESULT_TYPES
        fmt = negotiate(self.headers.get("Accept"), offered, None if is_graph else _RESULT_ALIASES)
        if fmt is None:
            kinds = ", ".join(media for media, _ in offered)
            self._text(HTTPStatus.NOT_ACCEPTABLE, f"this answer can be sent as {kinds}")
            return
        media = dict((name, media) for media, name in offered)[fmt]
        body = query.render(answer, fmt, self.server.graph.prefixes)
        charset = "; charset=utf-8" if media.startswith("text/") else ""
        self._send(HTTPStatus.OK, body, media + charset, vary=True)

    # --- pages ---------------------------------------------------------------------------------

    def _page(self, fields: dict[str, list[str]]) -> None:
        repeated = sorted(key for key in ("name", "query", "params") if len(fields.get(key, [])) > 1)
        if repeated:
            self._text(HTTPStatus.BAD_REQUEST, f"give at most one {repeated[0]} parameter")
            return
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
                self._html(HTTPStatus.NOT_FOUND, "page.html", context | {"chosen": "", "error": str(unknown)})
                return
            text = context["text"] = text or chosen.text
        if text.strip():
            try:
                lines = [line.strip() for line in params_text.splitlines() if line.strip()]
                bound = dict(query.parse_param(line, self.server.graph.prefixes, query.WEB) for line in lines)
                context["answer"] = self._table(self._ask(text, bound))
            except query.QueryRefused as refused:
                status, context["error"] = HTTPStatus.FORBIDDEN, str(refused)
            except query.QueryProblem as problem:
                status, context["error"] = HTTPStatus.BAD_REQUEST, str(problem)
            except (query.QueryTimeout, query.QueryBusy) as late:
                status, context["error"] = HTTPStatus.SERVICE_UNAVAILABLE, str(late)
        self._html(status, "page.html", context)

    def _entity(self, fields: dict[str, list[str]]) -> None:
        iri = (fields.get("iri") or [""])[0]
        try:
            entity = ox.NamedNode(iri)
        except ValueError:
            self._html(HTTPStatus.BAD_REQUEST, "entity.html", {"iri": iri, "error": f"not an IRI: {iri!r}", "label": iri, "sections": {}})
            return
        graph = self.server.graph
        sections = {}
        try:
            for name, text in ENTITY_QUERIES.items():
                answer = self._ask(text, {"entity": entity})
                answer.variables, answer.rows = answer.variables[1:], [row[1:] for row in answer.rows]
                sections[name] = self._table(answer)
        except (query.QueryTimeout, query.QueryBusy) as late:
            self._html(HTTPStatus.SERVICE_UNAVAILABLE, "entity.html", {"iri": iri, "error": str(late), "label": iri, "sections": {}})
            return
        label_rows = sections.pop("label")["rows"]
        label = label_rows[0][0]["text"] if label_rows else query.show(entity, graph.prefixes)
        found = any(sections[name]["rows"] for name in ("about", "mentions"))
        status = HTTPStatus.OK if found else HTTPStatus.NOT_FOUND
        error = None if found else "the graph holds nothing about this IRI"
        self._html(status, "entity.html", {"iri": iri, "label": label, "sections": sections, "error": error})

    def _ask(
        self, text: str, params: Mapping[str, ox.NamedNode | ox.Literal] | None = None, *, wording: query.Wording = query.WEB
    ) -> query.Answer:
        """Run a query on the served graph, within its time limit and query slots, its messages
        worded for the web (the pages, or with ``query.ENDPOINT`` the endpoint)."""
        server = self.server
        return query.run(server.graph, text, params, timeout=server.query_timeout, slots=server.slots, wording=wording)

    def _table(self, answer: query.Answer) -> dict[str, Any]:
        """An answer as the templates show it: each cell its text and, for an IRI, a link."""
        prefixes = self.server.graph.prefixes
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

    # --- responses -----------------------------------------------------------------------------

    def _html(self, status: HTTPStatus, template: str, context: dict[str, Any]) -> None:
        body = _environment.get_template(template).render(**context).encode("utf-8")
        self._send(status, body, "text/html; charset=utf-8")

    def _text(self, status: HTTPStatus, message: str) -> None:
        self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

    def _not_allowed(self) -> None:
        self.close_connection = True  # a body it may carry is not read: it must not be taken for a request
        message = f"{self.command} is not allowed: GET or POST a query to /sparql, GET the pages\n"
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, message.encode(), "text/plain; charset=utf-8", allow="GET, HEAD, POST")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The base class's own errors (a malformed request line, an unknown method) in plain
        text, as every other message here, not its HTML page."""
        status = HTTPStatus(code)
        self.close_connection = True
        self._text(status, message or status.phrase)

    def _redirect(self, where: str) -> None:
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, body: bytes, media: str, *, vary: bool = False, allow: str | None = None) -> None:
        self.send_response(status)
        if allow:
            self.send_header("Allow", allow)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        # Nothing from elsewhere, no scripts: the pages work offline and cannot be turned against the user.
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'")
        self.send_header("X-Content-Type-Options", "nosniff")
        if vary:
            self.send_header("Vary", "Accept")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
