"""Asking the graph: SPARQL from a saved name, a ``.rq`` file or text, run with pyoxigraph.

A query is parsed (with rdflib's SPARQL parser) before anything runs: updates and
``SERVICE`` are refused, so a query can neither change the graph nor reach the network.
Values for variables are bound as typed RDF terms (SEP-0007 substitution), never pasted
into the text. A query has a time limit. Results come in an aligned table for people or
the W3C SPARQL 1.1 result formats (CSV, TSV, JSON, XML) for programs; CONSTRUCT and
DESCRIBE give RDF in one of :mod:`kg.export`'s formats.
"""

from __future__ import annotations

import dataclasses
import difflib
import io
import itertools
import os
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import api, export, vocab
from kg.problems import KgError
from kg.resources import bundled_data
from kg.store import fingerprint, open_or_build
from kg.text import one_line, printable

QUERIES = Path(__file__).resolve().parent / "queries"

#: W3C SPARQL 1.1 result formats: name -> (pyoxigraph format, media type).
RESULT_FORMATS: dict[str, tuple[ox.QueryResultsFormat, str]] = {
    "csv": (ox.QueryResultsFormat.CSV, "text/csv"),
    "tsv": (ox.QueryResultsFormat.TSV, "text/tab-separated-values"),
    "json": (ox.QueryResultsFormat.JSON, "application/sparql-results+json"),
    "xml": (ox.QueryResultsFormat.XML, "application/sparql-results+xml"),
}
TABLE = "table"
#: The RDF format of a CONSTRUCT or DESCRIBE answer unless another is asked for.
GRAPH_DEFAULT = "turtle"
DEFAULT_TIMEOUT = 30.0

_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}
_UPDATES = {
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
    "InsertData": "INSERT DATA",
    "DeleteData": "DELETE DATA",
    "DeleteWhere": "DELETE WHERE",
    "Modify": "DELETE/INSERT",
}


@dataclass(frozen=True, slots=True)
class Wording:
    """How a message names what the asker can change: ``kg query``'s options on the command
    line, or, for ``kg serve``, the query page's fields (the ``params`` URL parameter is its
    Bound values box): a web user, or a program asking the endpoint, has no options to give.
    What only whoever runs ``kg serve`` can change is said apart, after it."""

    #: One bound value, before the text given for it.
    param: str
    #: How to write bound values, shown when one is malformed.
    param_example: str
    #: What the asker can do about a query past its time limit.
    late: str
    #: What whoever runs the tool can do about it, when that is not the asker.
    operator: str = ""


COMMAND_LINE = Wording(
    param="--param", param_example="fact=kgd:taskforce-led-by-npcc or fact='<https://…>'", late="narrow it or give --timeout SECONDS"
)
#: kg serve's query page (and its entity pages).
WEB = Wording(
    param="bound value",
    param_example="fact=kgd:taskforce-led-by-npcc or fact=<https://…>",
    late="ask a narrower question, e.g. give one of its variables a value under Bound values",
    operator="whoever runs kg serve can allow longer queries: kg serve --timeout SECONDS",
)
#: kg serve's SPARQL endpoint, asked by programs: no page, no Bound values box.
ENDPOINT = dataclasses.replace(WEB, late="ask a narrower question, e.g. with a value in place of one of its variables")


class QueryProblem(Exception):
    """The query cannot run as written (a syntax error, an update, SERVICE, a bad
    parameter): the user's to fix, exit status 1."""


class QueryRefused(QueryProblem):
    """The query would change the graph or reach the network: refused before it runs."""


class QueryTimeout(KgError):
    """The query ran past its time limit."""


class QueryBusy(KgError):
    """Every query slot is taken (kg serve): the query did not start."""


@dataclass(frozen=True, slots=True)
class SavedQuery:
    """A saved question in ``kg/queries``: its name, one-line description and text."""

    name: str
    description: str
    text: str


def saved_queries() -> list[SavedQuery]:
    """The saved questions, sorted by name."""
    return [_saved(path) for path in sorted(QUERIES.glob("*.rq"))]


def _saved(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0] if text else ""
    return SavedQuery(path.stem, first.lstrip("#").strip(), text)


def saved_query(name: str) -> SavedQuery:
    """The saved question of that name; raises :class:`QueryProblem` naming the saved ones
    when there is none."""
    saved = saved_queries()
    found = next((q for q in saved if q.name == name), None)
    if found is None:
        raise QueryProblem(f"no saved question named {name!r}; the saved questions are: {', '.join(q.name for q in saved)}")
    return found


def query_text(spec: str, stdin: Any = None) -> str:
    """The text of a query given as a saved name, a ``.rq`` file, ``-`` (standard input) or SPARQL text."""
    if spec == "-":
        if stdin is None:
            raise KgError("no standard input to read the query from")
        text: str = stdin.read()
        return text
    if spec.endswith(".rq"):
        try:
            return Path(spec).read_text(encoding="utf-8")
        except FileNotFoundError:
            hint = "give a saved question's name (kg query --list), a .rq file or SPARQL text"
            raise KgError(f"{spec}: no such query file; {hint}") from None
        except (OSError, UnicodeDecodeError) as err:
            raise KgError(f"{spec}: cannot read the query file: {getattr(err, 'strerror', None) or err}") from None
    if re.fullmatch(r"[a-z0-9-]+", spec):
        return saved_query(spec).text
    return spec


# --- safety: what the query is, from its parse --------------------------------------------


#: pyparsing, under rdflib's parser, is not safe to use from several threads at once (kg serve).
_PARSER_LOCK = threading.Lock()


def query_form(text: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``, from the parsed query. Raises
    :class:`QueryProblem` for a syntax error, an update or a query that uses ``SERVICE``."""
    return _form_and_variables(text)[0]


def _form_and_variables(text: str) -> tuple[str, set[str]]:
    from pyparsing import ParseException
    from rdflib.plugins.sparql import parser

    try:
        with _PARSER_LOCK:
            parsed = parser.parseQuery(text)
    except ParseException as query_err:
        try:
            with _PARSER_LOCK:
                update = parser.parseUpdate(text)
        except ParseException:
            raise QueryProblem(f"syntax error at line {query_err.lineno}, column {query_err.col}: {query_err.msg}") from None
        requests = getattr(update, "request", None) or []
        if not requests:  # parsed as an update of nothing: white space and comments only
            raise QueryProblem("the query is empty: write a SELECT, ASK, CONSTRUCT or DESCRIBE query") from None
        operations = [_UPDATES.get(getattr(op, "name", ""), "an update") for op in requests]
        raise QueryRefused(
            f"refused: {', '.join(dict.fromkeys(operations))} would change the graph; kg only answers read-only queries"
            " (SELECT, ASK, CONSTRUCT, DESCRIBE)"
        ) from None
    if _uses_service(parsed):
        raise QueryRefused("refused: SERVICE would send the query to another endpoint over the network; kg only queries its own graph")
    return _FORMS[parsed[1].name], _variables(parsed)


_ERROR_AT = re.compile(r"error at (\d+):(\d+)")


def _syntax_error(said: str, text: str, prefixes: Mapping[str, str]) -> str:
    """pyoxigraph's syntax error in one line; an undeclared prefix named, with its declaration.

    rdflib's parser, which reads every query first, takes any prefix; pyoxigraph's lists every
    character a name may hold, over several lines."""
    at = _ERROR_AT.search(said)
    if at and "Prefix not found" in said:
        line, column = int(at[1]), int(at[2])
        lines = text.splitlines()
        before = lines[line - 1][: column - 1] if 0 < line <= len(lines) else ""
        name = re.search(r"([A-Za-z][\w.-]*)?:[\w.%-]*$", before)
        if name:
            prefix = name[1] or ""
            where = f"syntax error at line {line}, column {column}"
            if prefix in prefixes:
                return f"{where}: the prefix {prefix}: is not declared; add 'PREFIX {prefix}: <{prefixes[prefix]}>' before the query"
            known = ", ".join(f"{p}:" for p in sorted(prefixes))
            return f"{where}: the prefix {prefix}: is not declared; declare it with PREFIX (the graph's prefixes: {known})"
    return f"syntax error: {one_line(said, 300)}"


def _children(node: object) -> list[object]:
    if type(node).__name__ == "ParseResults":  # pyparsing's results also pose as a mapping of their named parts
        items: list[object] = list(node)  # type: ignore[call-overload]
        return items
    if isinstance(node, Mapping):
        return list(node.values())
    if isinstance(node, list | tuple):
        return list(node)
    return []


def _variables(node: object) -> set[str]:
    from rdflib.term import Variable

    if isinstance(node, Variable):
        return {str(node)}
    return set().union(*(_variables(child) for child in _children(node)))


def _uses_service(node: object) -> bool:
    return getattr(node, "name", None) == "ServiceGraphPattern" or any(_uses_service(child) for child in _children(node))


_WHERE_PROBE: Any = None


def _where_start(text: str) -> int | None:
    """Where the outermost WHERE clause of a SELECT, ASK or CONSTRUCT starts, found by
    rdflib's own grammar (so comments, strings and subqueries cannot mislead it)."""
    global _WHERE_PROBE
    from pyparsing import Group, Keyword, Located, ParseException, ZeroOrMore, rest_of_line
    from rdflib.plugins.sparql import parser as p

    with _PARSER_LOCK:
        if _WHERE_PROBE is None:
            where = Group(Located(p.WhereClause))
            datasets = ZeroOrMore(p.DatasetClause)
            forms = (
                (p.SelectClause + datasets + where)
                | (Keyword("ASK") + datasets + where)
                | (Keyword("CONSTRUCT") + p.ConstructTemplate + datasets + where)
            )
            _WHERE_PROBE = (p.Prologue + forms).ignore("#" + rest_of_line)
        try:
            found = _WHERE_PROBE.parse_string(text)
        except ParseException:
            return None
    start: int = found[-1][0]
    return start


def _opening_brace(text: str, at: int) -> int | None:
    """The ``{`` of a WHERE clause starting at ``at``: past the keyword, spaces and comments."""
    found = re.compile(r"(?:\s|#[^\n]*)*(?:WHERE(?:\s|#[^\n]*)*)?\{", re.IGNORECASE).match(text, at)
    return found.end() - 1 if found else None


def bind(text: str, params: Mapping[str, ox.NamedNode | ox.Literal]) -> str | None:
    """The query with each parameter as a one-row ``VALUES`` block opening its outermost WHERE
    group, so that the bound value drives the joins; None where there is no such group.

    Only terms go in, written by pyoxigraph in their canonical N-Triples form (an IRI that
    pyoxigraph accepts, a literal with its quotes escaped): never the user's text."""
    start = _where_start(text)
    if start is None:
        return None
    brace = _opening_brace(text, start)
    if brace is None:
        return None
    rows = "".join(f"\n  VALUES ?{name} {{ {term} }}" for name, term in sorted(params.items()) if _VARIABLE.fullmatch(name))
    return text[: brace + 1] + rows + text[brace + 1 :]


# --- parameters: typed terms, never text ------------------------------------------------------

_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LITERAL = re.compile(
    r'"(?P<text>.*)"(?:@(?P<lang>[A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^(?P<datatype><[^<>"{}|^`\\\s]*>|[A-Za-z][\w.-]*:[\w.-]*))?', re.S
)
#: A prefixed name as Turtle writes one: its local part may hold ':', %-escapes and \-escapes.
_PREFIXED = re.compile(r"(?P<prefix>[A-Za-z][\w.-]*|):(?P<local>(?:[\w.:-]|%[0-9A-Fa-f]{2}|\\[_~.!$&'()*+,;=/?#@%-])*)")
_LOCAL_ESCAPE = re.compile(r"\\(.)")
_BRACKETED = re.compile(r"<[^<>]*>")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?\d*\.\d+")
_DOUBLE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+")


def parse_param(spec: str, prefixes: Mapping[str, str], wording: Wording = COMMAND_LINE) -> tuple[str, ox.NamedNode | ox.Literal]:
    """``name=value`` as a variable name and a typed term. The value reads as in Turtle:
    ``<IRI>``, ``prefix:name``, ``"text"``, ``"text"@en``, ``"text"^^xsd:date``, a number,
    ``true``/``false``; anything else is a plain string. A message names the value as
    ``wording`` says (``--param`` on the command line)."""
    name, sep, value = spec.partition("=")
    name = name.lstrip("?$")
    if not sep or not _VARIABLE.fullmatch(name):
        raise QueryProblem(f"{wording.param} {spec!r}: write it as NAME=VALUE, e.g. {wording.param_example}")
    try:
        return name, _term(value, prefixes)
    except ValueError as err:
        raise QueryProblem(f"{wording.param} {spec!r}: {err}") from None


def parse_params(
    specs: Iterable[str], prefixes: Mapping[str, str], wording: Wording = COMMAND_LINE
) -> dict[str, ox.NamedNode | ox.Literal]:
    """Each ``name=value`` as by :func:`parse_param`; a name given twice is refused, naming
    it, rather than one of its values silently kept."""
    bound: dict[str, ox.NamedNode | ox.Literal] = {}
    for spec in specs:
        name, term = parse_param(spec, prefixes, wording)
        if name in bound:
            raise QueryProblem(f"{wording.param} {name} is given twice; give each name one value (a query binds ?{name} to one term)")
        bound[name] = term
    return bound


def _iri(text: str, prefixes: Mapping[str, str]) -> ox.NamedNode:
    if text.startswith("<"):
        if ">" not in text:
            raise ValueError("an IRI is written <…>: this one has no closing '>'")
        if not _BRACKETED.fullmatch(text):
            raise ValueError("an IRI is written <…>, with nothing after its '>'")
        return ox.NamedNode(text[1:-1])
    found = _PREFIXED.fullmatch(text)
    if found and found["prefix"] in prefixes:
        return ox.NamedNode(prefixes[found["prefix"]] + _LOCAL_ESCAPE.sub(r"\1", found["local"]))
    prefix = found["prefix"] if found else text
    swapped = sorted(p for p in prefixes if sorted(p) == sorted(prefix))  # kdg: for kgd:
    close = swapped or difflib.get_close_matches(prefix, list(prefixes), n=1)
    known = f"did you mean {close[0] + ':'!r}? known" if close else "known"
    raise ValueError(f"unknown prefix {prefix + ':'!r}; {known}: {', '.join(f'{p}:' for p in sorted(prefixes))}")


def _term(value: str, prefixes: Mapping[str, str]) -> ox.NamedNode | ox.Literal:
    if value.startswith(("<", '"')):
        value = value.rstrip()  # spaces after a term written as in Turtle are not part of it
    if value.startswith("<"):
        return _iri(value, prefixes)
    literal = _LITERAL.fullmatch(value)
    if value.startswith('"') and not literal:
        if value.count('"') < 2:
            raise ValueError("a quoted text ends with a '\"': this one has no closing '\"'")
        raise ValueError("a quoted text ends at its closing '\"', with nothing after it but @LANGUAGE or ^^DATATYPE")
    if literal:
        if literal["lang"]:
            return ox.Literal(literal["text"], language=literal["lang"])
        if literal["datatype"]:
            return ox.Literal(literal["text"], datatype=_iri(literal["datatype"], prefixes))
        return ox.Literal(literal["text"])
    if value in ("true", "false"):
        return ox.Literal(value, datatype=ox.NamedNode(vocab.XSD + "boolean"))
    if _INTEGER.fullmatch(value):
        return ox.Literal(value, datatype=ox.NamedNode(vocab.XSD + "integer"))
    if _DECIMAL.fullmatch(value):
        return ox.Literal(value, datatype=ox.NamedNode(vocab.XSD + "decimal"))
    if _DOUBLE.fullmatch(value):
        return ox.Literal(value, datatype=ox.NamedNode(vocab.XSD + "double"))
    if _PREFIXED.fullmatch(value):  # kdg:x for kgd:x would otherwise be a string that matches nothing
        try:
            return _iri(value, prefixes)
        except ValueError as err:
            raise ValueError(f'{err}; or, for the text itself, quote it: "{value}"') from None
    return ox.Literal(value)


# --- the graph ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Graph:
    """A graph to ask: a pyoxigraph store, the data's base namespace and its size."""

    store: ox.Store
    base: str
    size: int

    @property
    def prefixes(self) -> dict[str, str]:
        return export.prefixes_for(self.base)


def dataset_graph(data: str | Path | None = None, texts: Iterable[str | Path] = (), base: str | None = None) -> Graph:
    """The graph of a curated dataset (the bundled one by default), checked first: raises
    :class:`DataProblems` when it has errors."""
    found, chosen = _dataset_quads(data, texts, base)
    store = ox.Store()
    store.extend(found)
    return Graph(store, chosen, len(store))


def _dataset_quads(data: str | Path | None, texts: Iterable[str | Path], base: str | None) -> tuple[Iterator[ox.Quad], str]:
    """The dataset's triples as default-graph quads, streamed in no order (a store keeps each
    once), and its base namespace."""
    stream, chosen, _ = api.checked_triples(data, texts, base)
    return (ox.Quad(t.subject, t.predicate, t.object) for t in map(export.to_oxigraph, stream)), chosen


def file_graph(path: str | Path) -> Graph:
    """A graph from an RDF file in any format pyoxigraph reads, chosen by its extension."""
    store = ox.Store()
    _load_graph_file(store, Path(path))
    size = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    return Graph(store, vocab.DEFAULT_BASE, size)


def _load_graph_file(store: ox.Store, path: Path, *, bulk: bool = False) -> None:
    rdf_format = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) if path.suffix else None
    if rdf_format is None:
        known = ".ttl, .nt, .nq, .trig, .rdf, .jsonld or .n3"
        raise KgError(f"{path}: cannot tell the RDF format from the extension {path.suffix!r}; use {known}")
    try:
        (store.bulk_load if bulk else store.load)(path=str(path), format=rdf_format)
    except FileNotFoundError:
        raise KgError(f"{path}: no such graph file") from None
    except OSError as err:
        raise KgError(f"{path}: cannot read the graph: {err.strerror or err}") from None
    except SyntaxError as err:
        raise KgError(f"{path}: not valid {rdf_format.name}: {err}") from None
    if rdf_format.supports_datasets:
        # A dataset (TriG, N-Quads) keeps parts in named graphs: the default graph gets their
        # merge (each triple once), so a query sees the whole graph; GRAPH still finds the parts.
        named = [q for q in store.quads_for_pattern(None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph)]
        store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in named)


def stored_graph(
    folder: str | Path, data: str | Path | None = None, texts: Iterable[str | Path] = (), graph_file: str | Path | None = None
) -> tuple[Graph, bool]:
    """The graph of a dataset or of a graph file, kept in a store on disk in ``folder`` and
    reused while its inputs are unchanged (see :mod:`kg.store`); also whether it was built now."""
    texts = list(texts)
    if graph_file is not None:
        inputs = [Path(graph_file)]
    else:
        environment = [Path(d) for d in os.environ.get("KG_TEXTS", "").split(os.pathsep) if d]
        inputs = [Path(data) if data else bundled_data(), *map(Path, texts), *environment]
    key = fingerprint(inputs)

    def build(target: ox.Store) -> tuple[str, str]:
        if graph_file is not None:
            _load_graph_file(target, Path(graph_file), bulk=True)
            return vocab.DEFAULT_BASE, f"the graph file {graph_file}"
        found, chosen = _dataset_quads(data, texts, None)
        target.bulk_extend(found)
        return chosen, f"the dataset {data or bundled_data()}"

    kept, stamp, built = open_or_build(folder, key, build)
    return Graph(kept, stamp.base, stamp.triples), built


# --- running a query --------------------------------------------------------------------------


@dataclass(slots=True)
class Answer:
    """A query's answer, complete: variables and rows (SELECT), a boolean (ASK) or triples."""

    form: str
    variables: list[str]
    rows: list[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None, ...]]
    boolean: bool | None = None
    triples: list[ox.Triple] | None = None


@dataclass(frozen=True, slots=True)
class Prepared:
    """A query checked and ready to run: the text that runs (bound values in it, or in
    ``substitutions`` where they cannot go into the text) and its form."""

    text: str
    form: str
    substitutions: dict[ox.Variable, Any]


def prepare(graph: Graph, text: str, params: Mapping[str, ox.NamedNode | ox.Literal] | None = None) -> Prepared:
    """Check a query and bind its parameters; raises :class:`QueryProblem` (refused, syntax,
    a parameter the query has no variable for)."""
    form, variables = _form_and_variables(text)
    substitutions: dict[ox.Variable, Any] = {}
    if params:
        for name in sorted(set(params) - variables):
            raise QueryProblem(f"cannot bind ?{name}: the query has no variable ?{name}")
        bound = bind(text, params)
        if bound is not None:
            try:
                query_form(bound)  # the same checks again on exactly what runs
                text = bound
            except QueryProblem:  # e.g. a WHERE group that is a subquery, which VALUES cannot join
                bound = None
        if bound is None:  # pyoxigraph substitutes the values instead: the same answer, slower on big graphs
            substitutions = {ox.Variable(name): term for name, term in params.items()}
    return Prepared(text, form, substitutions)


def run(
    graph: Graph,
    text: str,
    params: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    wording: Wording = COMMAND_LINE,
) -> Answer:
    """Run a read-only query with bound parameters; raises :class:`QueryProblem` (refused,
    syntax) or :class:`QueryTimeout` (its message worded by ``wording``). The answer is
    complete when returned.

    pyoxigraph cannot stop a query: past the limit the caller gets an error at once, and the
    query runs on in a daemon thread until it or the process ends (``kg query`` then ends).
    ``kg serve`` runs its queries in processes it kills instead (:mod:`kg.workers`)."""
    prepared = prepare(graph, text, params)
    outcome: list[Answer | Exception] = []

    def work() -> None:
        # pyoxigraph's result objects must be dropped on the thread that made them: only
        # plain values and messages leave this function.
        try:
            found = evaluate(graph.store, prepared, prefixes=graph.prefixes)
            assert found is not None  # no row limit was given
            outcome.append(found)
        except (QueryProblem, KgError) as err:
            outcome.append(err)

    worker = threading.Thread(target=work, name="kg-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise QueryTimeout(late_message(timeout, wording))
    found = outcome[0]
    if isinstance(found, Exception):
        raise found
    return found


def late_message(timeout: float, wording: Wording) -> str:
    """What is said of a query past its time limit of ``timeout`` seconds."""
    operator = f"; {wording.operator}" if wording.operator else ""
    return f"the query ran longer than its time limit of {timeout:g} s; {wording.late}{operator}"


def evaluate(
    store: ox.Store, prepared: Prepared, *, max_rows: int | None = None, prefixes: Mapping[str, str] | None = None
) -> Answer | None:
    """Run a prepared query to its complete answer; None when it has more than ``max_rows``
    rows (or triples). Raises :class:`QueryProblem` or :class:`KgError` when it fails."""
    try:
        return _evaluate(store, prepared.text, prepared.form, prepared.substitutions, max_rows)
    except RuntimeError as err:
        missing = re.search(r"does not contains? variable \?(\w+) in its SELECT projection", str(err))
        if missing:
            name = missing[1]
            raise QueryProblem(f"cannot bind ?{name}: the query does not select it; add ?{name} to its SELECT clause") from None
        raise KgError(f"the query failed: {err}") from None
    except SyntaxError as err:
        raise QueryProblem(_syntax_error(str(err), prepared.text, prefixes or {})) from None
    except OSError as err:
        raise KgError(f"the query failed: {err}") from None


def _evaluate(store: ox.Store, text: str, form: str, substitutions: dict[ox.Variable, Any], max_rows: int | None) -> Answer | None:
    result = store.query(text, substitutions=substitutions)
    if isinstance(result, ox.QueryBoolean):
        return Answer(form, [], [], boolean=bool(result))
    found = iter(result)
    taken = list(itertools.islice(found, max_rows)) if max_rows is not None else list(found)
    if max_rows is not None and next(found, None) is not None:
        return None
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return Answer(form, names, [tuple(solution[n] for n in names) for solution in taken])
    return Answer(form, [], [], triples=taken)


# --- writing answers --------------------------------------------------------------------------


def render(answer: Answer, fmt: str, prefixes: Mapping[str, str]) -> bytes:
    """The answer as bytes: ``table`` for people, csv/tsv/json/xml (SELECT, ASK) or an
    RDF format (CONSTRUCT, DESCRIBE; ``table`` is Turtle). A format of the other kind raises
    :class:`QueryProblem` naming the ones that fit."""
    is_graph = answer.triples is not None
    fitting = graph_formats() if is_graph else result_formats()
    if fmt not in fitting and fmt != TABLE:
        known = result_formats() + graph_formats()
        if fmt not in known:
            raise KgError(f"unknown format {fmt!r}; known: {', '.join(known)}")
        if is_graph:
            kinds, listed = "SELECT and ASK", f"RDF: {GRAPH_DEFAULT} (the default), {', '.join(f for f in fitting if f != GRAPH_DEFAULT)}"
        else:
            kinds, listed = "CONSTRUCT and DESCRIBE", ", ".join(fitting)
        raise QueryProblem(f"--format {fmt} is for {kinds}; {_article(answer.form)} {answer.form} answers as {listed}")
    if answer.triples is not None:
        return _ended(_render_graph(answer.triples, export.get_format(GRAPH_DEFAULT if fmt == TABLE else fmt), prefixes))
    if fmt == TABLE:
        if answer.boolean is not None:
            return b"true\n" if answer.boolean else b"false\n"
        return table(answer, prefixes).encode("utf-8")
    return _ended(_w3c(answer, RESULT_FORMATS[fmt][0]))


def _ended(written: bytes) -> bytes:
    """Text that ends its last line: pyoxigraph ends JSON, XML, JSON-LD, RDF/XML and an ASK's
    CSV or TSV without a newline. Nothing else changes, and nothing stays nothing."""
    return written + b"\n" if written and not written.endswith(b"\n") else written


def _article(word: str) -> str:
    """``a`` or ``an`` before a query form's name, by its first letter (``an ASK``)."""
    return "an" if word[:1].upper() in "AEIOU" else "a"


def result_formats() -> list[str]:
    """The formats a SELECT or ASK answer can be written in: the table and the W3C ones."""
    return [TABLE, *RESULT_FORMATS]


def graph_formats() -> list[str]:
    """The export formats a CONSTRUCT or DESCRIBE answer can be written in (the RDF ones)."""
    return sorted(name for name, fmt in export.FORMATS.items() if ox.RdfFormat.from_media_type(fmt.media_type) is not None)


def _w3c(answer: Answer, rdf_format: ox.QueryResultsFormat) -> bytes:
    # pyoxigraph writes the W3C formats from its own results: read our answer back as one.
    source = _json(answer)
    parsed = ox.parse_query_results(source, ox.QueryResultsFormat.JSON)
    written = parsed.serialize(format=rdf_format)
    assert written is not None  # with no output given, pyoxigraph returns the bytes
    return written


def _json(answer: Answer) -> bytes:
    import json

    if answer.boolean is not None:
        return json.dumps({"head": {}, "boolean": answer.boolean}).encode("utf-8")

    def term(value: Any) -> dict[str, str]:
        if isinstance(value, ox.NamedNode):
            return {"type": "uri", "value": value.value}
        if isinstance(value, ox.BlankNode):
            return {"type": "bnode", "value": value.value}
        if isinstance(value, ox.Literal):
            out = {"type": "literal", "value": value.value}
            if value.language:
                out["xml:lang"] = value.language
            elif value.datatype.value != vocab.XSD_STRING:
                out["datatype"] = value.datatype.value
            return out
        raise KgError(f"cannot write the result term {value!r}")

    bindings = [{name: term(value) for name, value in zip(answer.variables, row, strict=True) if value is not None} for row in answer.rows]
    return json.dumps({"head": {"vars": answer.variables}, "results": {"bindings": bindings}}, ensure_ascii=False).encode("utf-8")


def _render_graph(found: list[ox.Triple], chosen: export.Format, prefixes: Mapping[str, str]) -> bytes:
    rdf_format = ox.RdfFormat.from_media_type(chosen.media_type)
    if rdf_format is None:
        raise KgError(f"cannot write a query's triples as {chosen.name}")
    ordered = sorted(set(found), key=str)
    out = io.BytesIO()
    with_prefixes = dict(prefixes) if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3) else None
    ox.serialize(ordered, out, rdf_format, prefixes=with_prefixes)
    return out.getvalue()


def text_of(value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    """A result cell as plain text: an IRI's or literal's value, "" when unbound."""
    if value is None:
        return ""
    return str(value) if isinstance(value, ox.Triple) else value.value


def show(value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None, prefixes: Mapping[str, str]) -> str:
    """A term as people read it: an IRI in its shortest prefixed form, a literal's text
    (white space runs one space, control characters escaped: see :func:`kg.text.printable`)."""
    return printable(_shown_term(value, prefixes))


def _shown_term(value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None, prefixes: Mapping[str, str]) -> str:
    if value is None:
        return ""
    if isinstance(value, ox.NamedNode):
        best = max((ns for ns in prefixes.values() if value.value.startswith(ns)), key=len, default=None)
        if best is not None:
            name = next(p for p, ns in prefixes.items() if ns == best)
            local = value.value[len(best) :]
            if re.fullmatch(r"[\w.-]*", local) and not local.endswith("."):
                return f"{name}:{local}"
        return value.value
    if isinstance(value, ox.Literal):
        return " ".join(value.value.split())
    return str(value)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1 for ch in text)


def table(answer: Answer, prefixes: Mapping[str, str]) -> str:
    """An aligned table: a header, a rule, one line a row, and the row count."""
    cells = [[show(value, prefixes) for value in row] for row in answer.rows]
    header = answer.variables
    widths = [max([_width(h)] + [_width(row[i]) for row in cells]) for i, h in enumerate(header)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    lines = [line(header), line(["-" * w for w in widths])] + [line(row) for row in cells]
    count = len(cells)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(lines) + "\n"
