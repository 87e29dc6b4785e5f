"""Sending the graph to a triplestore with the SPARQL 1.1 Graph Store HTTP Protocol.

The graph goes as N-Triples in one request: ``PUT`` replaces what the target graph
holds, ``POST`` adds to it. Credentials come from the environment only, never from
the command line (where the process list would show them): ``KG_PUSH_TOKEN`` for a
Bearer token, or ``KG_PUSH_USER`` and ``KG_PUSH_PASSWORD`` for HTTP Basic.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterable, Mapping
from pathlib import Path

from kg import api, export
from kg.problems import KgError

NTRIPLES = "application/n-triples"


def target_url(endpoint: str, graph: str | None) -> str:
    """The Graph Store URL of a named graph (``?graph=IRI``) or the default graph (``?default``)."""
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise KgError(
            f"--endpoint {endpoint!r} is not an http(s) URL; give the store's Graph Store endpoint, e.g. http://127.0.0.1:7878/store"
        )
    if graph is not None:
        graph_parts = urllib.parse.urlsplit(graph)
        if not graph_parts.scheme or any(c in graph for c in '<>"{}|^`\\ '):
            raise KgError(f"--graph {graph!r} is not an absolute IRI; give e.g. https://example.org/kg/graph")
    extra = urllib.parse.urlencode({"graph": graph}) if graph is not None else "default"
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def credentials(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The Authorization header from the environment, if credentials are set there."""
    env = os.environ if environ is None else environ
    token = env.get("KG_PUSH_TOKEN")
    if token:
        return {"Authorization": f"Bearer {token}"}
    user, password = env.get("KG_PUSH_USER"), env.get("KG_PUSH_PASSWORD")
    if user is not None or password is not None:
        if user is None or password is None:
            raise KgError("set both KG_PUSH_USER and KG_PUSH_PASSWORD for HTTP Basic authentication, or KG_PUSH_TOKEN for a token")
        pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}
    return {}


def _origin(url: str) -> tuple[str, str, int]:
    """An URL's origin (scheme, host, port), as the Fetch standard compares them."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, (parts.hostname or "").lower(), port


class _Unsent(OSError):
    """The connection failed before any of the request was sent."""


def _exchange(url: str, method: str, body: bytes, headers: Mapping[str, str], deadline: float) -> tuple[int, str, str | None, bytes]:
    """One request, all within ``deadline`` (a :func:`time.monotonic` time): the status, its
    reason, the Location header and the start of the answer's body. Raises :class:`_Unsent`
    when nothing was sent, another :class:`OSError` or an :class:`http.client.HTTPException` after."""
    parts = urllib.parse.urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Unsent("no time left")
    connection = kind(parts.netloc, timeout=left)
    # The socket timeout bounds each wait; this timer bounds them all (a store that sends a
    # byte a second would otherwise keep every single wait short).
    timer = threading.Timer(left, _cut, (connection,))
    timer.daemon = True
    timer.start()
    try:
        try:
            connection.connect()
        except OSError as err:
            raise _Unsent(getattr(err, "strerror", None) or str(err)) from err
        target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        connection.request(method, target, body=body, headers={**headers, "Content-Length": str(len(body))})
        response = connection.getresponse()
        detail = response.read(500)
        return response.status, response.reason, response.getheader("Location"), detail
    finally:
        timer.cancel()
        connection.close()


def _cut(connection: http.client.HTTPConnection) -> None:
    """Past the deadline: end the connection's waits at once."""
    with contextlib.suppress(OSError, AttributeError):
        if connection.sock is not None:
            connection.sock.shutdown(socket.SHUT_RDWR)


def _endpoint_of(url: str) -> str:
    """A redirect's target as --endpoint takes it: without the ``graph`` or ``default`` parameter kg adds."""
    parts = urllib.parse.urlsplit(url)
    kept = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True) if k not in ("graph", "default")]
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, urllib.parse.urlencode(kept), ""))


#: Redirects followed (307 and 308, to the same origin) before giving up.
MAX_REDIRECTS = 5


def push_ntriples(body: bytes, endpoint: str, *, graph: str | None = None, replace: bool = False, timeout: float = 60.0) -> int:
    """Send N-Triples to the store within ``timeout`` seconds in all; returns the HTTP status.
    Raises :class:`KgError` with the store's answer when it refuses, redirects elsewhere or
    does not answer in HTTP, and says whether anything was sent when it cannot be reached."""
    url = target_url(endpoint, graph)
    method = "PUT" if replace else "POST"
    home = _origin(url)
    headers = {"Content-Type": NTRIPLES, **credentials()}
    deadline = time.monotonic() + timeout
    unsure = "the store may hold the graph: check it before you push again"
    for _ in range(MAX_REDIRECTS + 1):
        try:
            status, reason, location, detail = _exchange(url, method, body, headers, deadline)
        except _Unsent as err:
            raise KgError(f"cannot connect to the store at {endpoint}: {err}; nothing was sent") from None
        except (OSError, http.client.HTTPException) as err:
            if time.monotonic() >= deadline - 0.01 or isinstance(err, TimeoutError):
                why = f"no answer came within the time limit of {timeout:g} s"
            elif isinstance(err, http.client.BadStatusLine) and not isinstance(err, ConnectionError):
                said = " ".join(str(err.args[0] if err.args else "").split())[:60]
                raise KgError(f"the store at {endpoint} did not answer in HTTP (it said {said!r}); {unsure}") from None
            else:
                why = f"the connection ended without an answer ({getattr(err, 'strerror', None) or err or type(err).__name__})"
            raise KgError(f"the graph was sent to {endpoint}, but {why}; {unsure}") from None
        if status in (307, 308) and location:
            moved = urllib.parse.urljoin(url, location)
            if _origin(moved) != home:
                raise KgError(
                    f"the store at {endpoint} redirected the graph to {moved}, another origin: it was not sent there"
                    f" (credentials go only to the endpoint's own origin); if you trust it, give --endpoint {_endpoint_of(moved)}"
                )
            url = moved
            continue
        if 300 <= status < 400:
            where = f" to {_endpoint_of(urllib.parse.urljoin(url, location))}" if location else ""
            raise KgError(
                f"the store at {endpoint} answered HTTP {status} {reason}{where}: a {method} is not re-sent elsewhere as a read,"
                f" so the graph was not stored; give the endpoint it names as --endpoint"
            )
        if status >= 400 or status < 200:
            text = " ".join(detail.decode("utf-8", "replace").split())
            raise KgError(f"the store at {endpoint} refused the graph: HTTP {status} {reason}{': ' + text if text else ''}")
        return status
    raise KgError(f"the store at {endpoint} redirected the graph more than {MAX_REDIRECTS} times; nothing was stored")


def push_dataset(
    endpoint: str,
    *,
    data: str | Path | None = None,
    texts: Iterable[str | Path] = (),
    graph: str | None = None,
    replace: bool = False,
    timeout: float = 60.0,
) -> int:
    """Check a dataset and send its graph; returns the number of triples sent. Raises
    :class:`DataProblems` (nothing sent) when the data has errors."""
    target_url(endpoint, graph)  # a bad endpoint fails before the work
    stream, _, _ = api.checked_triples(data, texts)
    body = export.serialise(stream, "ntriples")  # sorted and de-duplicated once, one triple a line
    push_ntriples(body, endpoint, graph=graph, replace=replace, timeout=timeout)
    return body.count(b"\n")
