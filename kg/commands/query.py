"""``kg query``, ``kg serve`` and ``kg push``: ask the graph, serve it, send it to a triplestore."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from kg import addresses, push, query, serve, workers
from kg.commands.common import Seconds, chosen_dataset, data_options, translate_errors_saying


def query_problems(command: Callable[..., Any]) -> Callable[..., Any]:
    """A query that cannot run as written: one line and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except query.QueryProblem as problem:
            click.echo(f"Error: {problem}", err=True)
            raise SystemExit(1) from None

    return wrapper


def _graph(data: str | None, texts: tuple[str, ...], graph_file: str | None, store: str | None) -> query.Graph:
    if graph_file is not None and data is not None:
        raise click.UsageError("give --graph or --data, not both")
    if graph_file is None:
        data = chosen_dataset(data, say=False)
    if store is not None:
        graph, built = query.stored_graph(store, data, texts, graph_file)
        done = "loaded into" if built else "read from"
        click.echo(f"kg: {graph.size} triples {done} the store {store}", err=True)
        return graph
    if graph_file is not None:
        return query.file_graph(graph_file)
    return query.dataset_graph(data, texts)


def graph_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--graph FILE`` and ``--store DIR`` beside ``--data`` and ``--texts``."""
    command = click.option(
        "--store",
        type=click.Path(file_okay=False),
        default=None,
        help="Keep the graph in a store on disk in this folder: built on the first run, "
        "reopened at once by later ones while the data (or --graph file) is unchanged.",
    )(command)
    command = click.option(
        "--graph", "graph_file", type=click.Path(dir_okay=False), default=None, help="Ask this RDF file (any format) instead of a dataset."
    )(command)
    return data_options(command)


def timeout_option(command: Callable[..., Any], what: str = "Query") -> Callable[..., Any]:
    limit = Seconds()
    return click.option("--timeout", type=limit, default=query.DEFAULT_TIMEOUT, show_default=True, help=f"{what} time limit, seconds.")(
        command
    )


@click.command("query")
@click.argument("spec", metavar="NAME|FILE.rq|SPARQL|-", required=False)
@graph_options
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(query.result_formats() + query.graph_formats()),
    default=query.TABLE,
    show_default=True,
    help="table for people; csv, tsv, json, xml (W3C SPARQL results) for programs; an RDF format for CONSTRUCT and DESCRIBE.",
)
@click.option(
    "-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help='Bind ?NAME to a term: <IRI>, kgd:id, "text", 42 (repeatable).'
)
@click.option("--list", "list_saved", is_flag=True, help="List the saved questions with their descriptions.")
@timeout_option
@query_problems
@translate_errors_saying("the query was not run")
def query_command(
    spec: str | None,
    data: str | None,
    texts: tuple[str, ...],
    graph_file: str | None,
    store: str | None,
    fmt: str,
    params: tuple[str, ...],
    list_saved: bool,
    timeout: float,
) -> None:
    """Ask the graph a SPARQL question: a saved question's NAME, a FILE.rq, SPARQL text, or - for standard input.

    Read-only: updates and SERVICE are refused. Exit status 1 when the query is wrong, 2 when the tool failed.
    """
    if list_saved:
        saved = query.saved_queries()
        width = max(len(q.name) for q in saved)
        for q in saved:
            click.echo(f"{q.name:<{width}}  {q.description}")
        return
    if spec is None:
        raise click.UsageError("give a saved question's name, a .rq file or SPARQL text (kg query --list shows the saved questions)")
    text = query.query_text(spec, sys.stdin)
    graph = _graph(data, texts, graph_file, store)
    bound = query.parse_params(params, graph.prefixes)
    answer = query.run(graph, text, bound, timeout=timeout)
    click.echo(query.render(answer, fmt, graph.prefixes), nl=False)


@click.command("serve")
@graph_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on, IPv4 or IPv6 (only this machine by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on (0: any free port).")
@timeout_option
@click.option(
    "--max-rows",
    type=click.IntRange(1, 10**9),
    default=workers.DEFAULT_MAX_ROWS,
    show_default=True,
    help="Rows (or triples) an answer may hold.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(1, 1 << 40),
    default=workers.DEFAULT_MAX_BYTES,
    show_default=True,
    help="Bytes an answer may take, written in its format.",
)
@click.option(
    "--idle-timeout",
    type=click.IntRange(1, 3600),
    default=serve.IDLE_TIMEOUT,
    show_default=True,
    help="Seconds a connection may sit idle, or take to send one request whole, before it is closed.",
)
@query_problems
@translate_errors_saying("the server was not started")
def serve_command(
    data: str | None,
    texts: tuple[str, ...],
    graph_file: str | None,
    store: str | None,
    host: str,
    port: int,
    timeout: float,
    max_rows: int,
    max_bytes: int,
    idle_timeout: int,
) -> None:
    """Serve the graph read-only over the SPARQL 1.1 Protocol at /sparql, with a query page at /.

    Updates and SERVICE get 403, a bad query 400; a query is stopped at its time limit. Stop with Ctrl-C.
    """
    graph = _graph(data, texts, graph_file, store)
    server = serve.make_server(graph, host, port, timeout=timeout, max_rows=max_rows, max_bytes=max_bytes, idle_timeout=idle_timeout)
    try:
        url = serve.url_of(server)
        if not addresses.is_loopback(server.server_address[0]):
            click.echo(f"kg: warning: listening on {host}: other machines can reach this endpoint", err=True)
        click.echo(f"kg: serving {graph.size} triples at {url} (SPARQL endpoint {url}sparql); Ctrl-C stops", err=True)
        server.serve_forever()  # until Ctrl-C, which kg.cli.run reports: "kg: interrupted", exit status 130
    finally:
        server.server_close()


@click.command("push")
@data_options
@click.option("--endpoint", required=True, help="The store's SPARQL 1.1 Graph Store endpoint, e.g. http://127.0.0.1:7878/store.")
@click.option("--graph", "graph_iri", default=None, help="Named graph to write into.  [default: the default graph]")
@click.option("--replace", is_flag=True, help="Replace what the graph holds (HTTP PUT) instead of adding to it (POST).")
@functools.partial(timeout_option, what="Request")
@translate_errors_saying("nothing was sent")
def push_command(data: str | None, texts: tuple[str, ...], endpoint: str, graph_iri: str | None, replace: bool, timeout: float) -> None:
    """Send the graph to a triplestore with the SPARQL 1.1 Graph Store HTTP Protocol.

    Credentials come from the environment only: KG_PUSH_USER and KG_PUSH_PASSWORD (HTTP Basic)
    or KG_PUSH_TOKEN (Bearer).
    """
    count = push.push_dataset(
        endpoint, data=chosen_dataset(data, say=False), texts=texts, graph=graph_iri, replace=replace, timeout=timeout
    )
    target = f"graph <{graph_iri}>" if graph_iri else "the default graph"
    # Added beside an earlier push, a fact whose sources changed would have two kg:sourceCount values.
    update = "" if replace else " (beside what it held: to update an earlier push, give --replace)"
    click.echo(f"kg: {'replaced' if replace else 'added'} {count} triples in {target} at {endpoint}{update}", err=True)
