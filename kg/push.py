"""Sending the graph to a triplestore with the SPARQL 1.1 Graph Store HTTP Protocol.

The graph goes as N-Triples in one request: ``PUT`` replaces what the target graph
holds, ``POST`` adds to it. Credentials come from the environment only, never from
the command line (where the process list would show them): ``KG_PUSH_TOKEN`` for a
Bearer token, or ``KG_PUSH_USER`` and ``KG_PUSH_PASSWORD`` for HTTP Basic.
"""

from __future__ import annotations

import base64
import os
import urllib.error
import urllib.parse
import urllib.request
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


def push_ntriples(body: bytes, endpoint: str, *, graph: str | None = None, replace: bool = False, timeout: float = 60.0) -> int:
    """Send N-Triples to the store; returns the HTTP status. Raises :class:`KgError` with
    the store's answer when it refuses."""
    url = target_url(endpoint, graph)
    headers = {"Content-Type": NTRIPLES, **credentials()}
    request = urllib.request.Request(url, data=body, method="PUT" if replace else "POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as err:
        detail = " ".join(err.read(500).decode("utf-8", "replace").split())
        raise KgError(f"the store at {endpoint} refused the graph: HTTP {err.code} {err.reason}{': ' + detail if detail else ''}") from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise KgError(f"cannot reach the store at {endpoint}: {reason}") from None


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
