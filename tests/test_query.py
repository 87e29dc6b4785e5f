"""``kg query``: saved questions, files and text; result formats; typed parameters; safety; time limit."""

from __future__ import annotations

import csv
import io
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import click
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from kg import export, query
from kg.cli import cli
from kg.problems import KgError

QUERIES = Path(__file__).resolve().parents[1] / "kg" / "queries"
PEOPLE = [
    ("Ian Critchley", "NPCC National Police Lead for Child Protection and Abuse", "National Police Chiefs’ Council", "1"),
    ("James Cleverly", "Home Secretary", "", "2"),
    ("Laura Farris", "Minister for Victims and Safeguarding", "", "1"),
    ("Rishi Sunak", "Prime Minister", "", "2"),
]
LED_BY = "https://example.org/kg/id/taskforce-led-by-npcc"


def run(*args: str, stdin: str | None = None) -> click.testing.Result:
    return CliRunner().invoke(cli, ["query", *args], input=stdin, catch_exceptions=False)


def values(data: bytes, results_format: ox.QueryResultsFormat) -> tuple[list[str], list[tuple[str, ...]]]:
    """The variables and rows of W3C results, read by pyoxigraph. Its result objects are read
    here and dropped on return: one left in a test's frame (held in a cycle by CliRunner's
    traceback) is freed by whichever thread next collects garbage, perhaps a query's worker,
    which pyoxigraph refuses with an unraisable error."""
    result = ox.parse_query_results(data, results_format)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return names, [tuple(query.text_of(s[n]) for n in names) for s in result]


def test_list_shows_every_saved_question_with_its_description() -> None:
    result = run("--list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    files = sorted(QUERIES.glob("*.rq"))
    assert [line.split()[0] for line in lines] == [path.stem for path in files]
    for line, path in zip(lines, files, strict=True):
        description = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# ")
        assert line.endswith("  " + description)
        assert len(description) > 30
    assert "people-posts         People and the public posts the sources give them" in result.output


def test_a_saved_question_prints_an_aligned_table() -> None:
    result = run("people-posts")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "person          post                                                      organisation                     sources\n"
        "--------------  --------------------------------------------------------  -------------------------------  -------\n"
        "Ian Critchley   NPCC National Police Lead for Child Protection and Abuse  National Police Chiefs’ Council  1\n"
        "James Cleverly  Home Secretary                                                                             2\n"
        "Laura Farris    Minister for Victims and Safeguarding                                                      1\n"
        "Rishi Sunak     Prime Minister                                                                             2\n"
        "(4 rows)\n"
    )


@pytest.mark.parametrize(("fmt", "results_format"), [("json", "JSON"), ("xml", "XML"), ("tsv", "TSV")])
def test_w3c_result_formats_read_back_as_the_same_rows(fmt: str, results_format: str) -> None:
    result = run("people-posts", "--format", fmt)
    assert result.exit_code == 0
    variables, rows = values(result.stdout_bytes, getattr(ox.QueryResultsFormat, results_format))
    assert variables == ["person", "post", "organisation", "sources"]
    assert rows == PEOPLE


def test_csv_is_the_w3c_csv_results() -> None:
    result = run("people-posts", "-f", "csv")
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"person,post,organisation,sources\r\n")
    rows = list(csv.reader(io.StringIO(result.output, newline="")))
    assert [tuple(row) for row in rows[1:]] == PEOPLE


def test_json_types_each_value() -> None:
    result = run(
        "SELECT ?n ?label WHERE { ?s <https://example.org/kg/ontology#sourceCount> ?n ;"
        " <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label LIMIT 1",
        "-f",
        "json",
    )
    document = json.loads(result.output)
    assert document["head"] == {"vars": ["n", "label"]}
    (binding,) = document["results"]["bindings"]
    assert binding["n"] == {"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    assert binding["label"]["type"] == "literal" and "datatype" not in binding["label"]


@pytest.mark.parametrize("text", [QUERIES.joinpath("people-posts.rq").read_text(encoding="utf-8"), "ASK { ?s ?p ?o }"])
@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_w3c_results_are_pyoxigraphs_bytes_ending_in_one_newline(text: str, fmt: str) -> None:
    """JSON, XML and an ASK's CSV and TSV ended without a newline (the shell prompt then
    followed on the same line); the bytes are otherwise pyoxigraph's own."""
    direct = query.dataset_graph().store.query(text).serialize(format=query.RESULT_FORMATS[fmt][0])
    assert direct is not None
    result = run(text, "-f", fmt)
    assert result.exit_code == 0
    assert result.stdout_bytes.endswith(b"\n") and not result.stdout_bytes.endswith(b"\n\n")
    assert result.stdout_bytes == (direct if direct.endswith(b"\n") else direct + b"\n")


@pytest.mark.parametrize(("fmt", "last"), [("jsonld", b"]\n"), ("rdfxml", b"</rdf:RDF>\n"), ("turtle", b" .\n"), ("ntriples", b" .\n")])
def test_a_graph_answer_ends_in_one_newline(fmt: str, last: bytes) -> None:
    text = "DESCRIBE <https://example.org/kg/id/npcc>"
    result = run(text, "-f", fmt)
    assert result.exit_code == 0
    assert result.stdout_bytes.endswith(last) and not result.stdout_bytes.endswith(b"\n\n")
    assert run("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 0", "-f", "ntriples").stdout_bytes == b""  # nothing stays nothing


def test_ask_prints_true_or_false() -> None:
    assert run("ASK { ?s a <https://example.org/kg/ontology#Person> }").output == "true\n"
    assert run("ASK { ?s a <https://example.org/kg/ontology#Nothing> }").output == "false\n"
    parsed = ox.parse_query_results(run("ASK { ?s ?p ?o }", "-f", "xml").stdout_bytes, ox.QueryResultsFormat.XML)
    assert isinstance(parsed, ox.QueryBoolean) and bool(parsed)


def test_construct_prints_rdf_that_strict_parsers_read() -> None:
    text = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"
        " CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a <https://example.org/kg/ontology#Person> ; rdfs:label ?l }"
    )
    turtle = run(text)
    assert turtle.exit_code == 0
    assert 'kgd:rishi-sunak rdfs:label "Rishi Sunak" .' in turtle.output
    graph = rdflib.Graph().parse(data=turtle.output, format="turtle")
    assert sorted(str(o) for o in graph.objects()) == ["Ian Critchley", "James Cleverly", "Laura Farris", "Rishi Sunak"]
    ntriples = run(text, "-f", "ntriples")
    strict = subprocess.run(
        ["serdi", "-i", "ntriples", "-o", "ntriples", "-"], input=ntriples.stdout_bytes, capture_output=True, check=True
    )
    assert sorted(strict.stdout.decode().splitlines()) == sorted(ntriples.output.splitlines())
    assert len(ntriples.output.splitlines()) == 4
    assert run(text, "-f", "ntriples").output == ntriples.output  # sorted: the same bytes each time


def test_describe_prints_what_the_graph_says_about_an_entity() -> None:
    result = run("DESCRIBE <https://example.org/kg/id/npcc>", "-f", "ntriples")
    assert result.exit_code == 0
    triples = list(ox.parse(result.stdout_bytes, ox.RdfFormat.N_TRIPLES))
    assert {t.subject.value for t in triples} == {"https://example.org/kg/id/npcc"}
    labels = [t.object.value for t in triples if t.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label"]
    assert labels == ["National Police Chiefs’ Council"]


def test_a_select_refuses_an_rdf_format() -> None:
    result = run("people-posts", "-f", "turtle")
    assert result.exit_code == 1
    assert result.output == "Error: --format turtle is for CONSTRUCT and DESCRIBE; a SELECT answers as table, csv, tsv, json, xml\n"
    ask = run("ASK { ?s ?p ?o }", "-f", "ntriples")
    assert ask.exit_code == 1
    assert ask.output == "Error: --format ntriples is for CONSTRUCT and DESCRIBE; an ASK answers as table, csv, tsv, json, xml\n"


@pytest.mark.parametrize(
    ("text", "form"),
    [("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "a CONSTRUCT"), ("DESCRIBE <https://example.org/kg/id/npcc>", "a DESCRIBE")],
)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_graph_answer_refuses_a_results_format_and_names_the_rdf_ones(text: str, form: str, fmt: str) -> None:
    """The message listed the export formats, GraphML and GEXF among them, which a query's triples cannot be written in."""
    result = run(text, "-f", fmt)
    assert result.exit_code == 1
    rdf_ones = "turtle (the default), jsonld, nquads, ntriples, rdfxml, trig"
    assert result.output == f"Error: --format {fmt} is for SELECT and ASK; {form} answers as RDF: {rdf_ones}\n"
    rdf = sorted(n for n, f in export.FORMATS.items() if ox.RdfFormat.from_media_type(f.media_type) is not None)
    assert sorted(query.graph_formats()) == rdf == ["jsonld", "nquads", "ntriples", "rdfxml", "trig", "turtle"]
    for each in rdf:  # every format the message names fits
        assert run(text, "-f", each).exit_code == 0, each


def test_render_names_only_the_formats_a_query_can_be_written_in() -> None:
    graph = query.dataset_graph()
    answer = query.run(graph, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1")
    with pytest.raises(KgError) as found:
        query.render(answer, "gexf", graph.prefixes)
    assert str(found.value) == "unknown format 'gexf'; known: table, csv, tsv, json, xml, jsonld, nquads, ntriples, rdfxml, trig, turtle"


def test_a_query_file_and_standard_input(tmp_path: Path) -> None:
    path = tmp_path / "mine.rq"
    path.write_text((QUERIES / "people-posts.rq").read_text(encoding="utf-8"), encoding="utf-8")
    assert run(str(path)).output == run("people-posts").output
    assert run("-", stdin=path.read_text(encoding="utf-8")).output == run("people-posts").output
    missing = run(str(tmp_path / "nope.rq"))
    assert missing.exit_code == 2
    assert (
        missing.output
        == f"Error: {tmp_path / 'nope.rq'}: no such query file; give a saved question's name (kg query --list), a .rq file or SPARQL text\n"
    )


def test_an_unknown_saved_question_lists_the_known_ones() -> None:
    result = run("people-post")
    assert result.exit_code == 1
    names = ", ".join(sorted(p.stem for p in QUERIES.glob("*.rq")))
    assert result.output == f"Error: no saved question named 'people-post'; the saved questions are: {names}\n"


def test_a_syntax_error_gives_the_parser_message_and_position() -> None:
    result = run("SELECT ?s WHERE {\n  ?s ?p\n}")
    assert result.exit_code == 1
    assert result.output == "Error: syntax error at line 2, column 3: Expected SelectQuery\n"


@pytest.mark.parametrize("text", ["   ", "# only a comment\n"])
def test_an_empty_query_is_a_one_line_error(text: str) -> None:
    """An empty text parses as an empty update: it was a traceback."""
    for result in (run(text), run("-", stdin=text)):
        assert (result.exit_code, result.output) == (1, "Error: the query is empty: write a SELECT, ASK, CONSTRUCT or DESCRIBE query\n")


@pytest.mark.parametrize(
    ("text", "operation"),
    [
        ("INSERT DATA { <http://a/s> <http://a/p> <http://a/o> }", "INSERT DATA"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
        ("DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", "DELETE/INSERT"),
        ("LOAD <http://127.0.0.1:9/x.ttl>", "LOAD"),
        ("CLEAR ALL", "CLEAR"),
        ("DROP DEFAULT", "DROP"),
        ("CREATE GRAPH <http://a/g>", "CREATE"),
        ("CLEAR DEFAULT ; DROP ALL", "CLEAR, DROP"),
    ],
)
def test_every_update_is_refused(text: str, operation: str) -> None:
    result = run(text)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: refused: {operation} would change the graph; kg only answers read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE)\n"
    )


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections: proof that nothing called out."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.socket.close()


@pytest.mark.parametrize(
    "pattern",
    [
        "SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }}",
        "?s ?p ?o OPTIONAL {{ SERVICE SILENT <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?x }} }}",
        "{{ SELECT ?s WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }} }}",
    ],
)
def test_service_is_refused_before_anything_reaches_the_network(pattern: str) -> None:
    listener = Listener()
    try:
        result = run("SELECT * WHERE { " + pattern.format(port=listener.port) + " }")
        time.sleep(0.3)
    finally:
        listener.close()
    assert result.exit_code == 1
    assert (
        result.output
        == "Error: refused: SERVICE would send the query to another endpoint over the network; kg only queries its own graph\n"
    )
    assert listener.connections == 0


def test_a_param_binds_a_typed_term() -> None:
    by_prefix = run("fact-provenance", "--param", "fact=kgd:taskforce-led-by-npcc", "-f", "csv")
    by_iri = run("fact-provenance", "--param", f"fact=<{LED_BY}>", "-f", "csv")
    assert by_prefix.exit_code == 0
    assert by_prefix.output == by_iri.output
    rows = list(csv.DictReader(io.StringIO(by_prefix.output)))
    assert [(r["fact"], r["source"], r["status"]) for r in rows] == [
        (LED_BY, "Grooming Gangs Taskforce makes 550 arrests in its first year", "stated"),
        (LED_BY, "There Must Be No Weak Links\u2019: James Cleverly Vows to Pursue Evil Grooming Gangs", "stated"),
    ]


def test_a_param_is_a_value_never_query_text() -> None:
    text = "SELECT ?thing ?label WHERE { ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
    found = run(text, "--param", "label=Rishi Sunak", "-f", "csv")
    assert found.output.splitlines()[1:] == ["https://example.org/kg/id/rishi-sunak,Rishi Sunak"]
    hostile = 'Rishi Sunak" } ?thing ?p ?label . FILTER(true) } #'
    injected = run(text, "--param", f"label={hostile}", "-f", "csv")
    assert injected.exit_code == 0
    assert injected.output.splitlines() == ["thing,label"]  # the whole text is one literal: no row has it


@pytest.mark.parametrize(
    ("value", "term"),
    [
        ("kgd:npcc", ox.NamedNode("https://example.org/kg/id/npcc")),
        ("<https://example.org/kg/id/npcc>", ox.NamedNode("https://example.org/kg/id/npcc")),
        ('"Home Office"', ox.Literal("Home Office")),
        ('"Home Office"@en', ox.Literal("Home Office", language="en")),
        ('"2023-04"^^xsd:gYearMonth', ox.Literal("2023-04", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth"))),
        ("550", ox.Literal("550", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        ("2.5", ox.Literal("2.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))),
        ("1e5", ox.Literal("1e5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double"))),
        ("-2.5E-3", ox.Literal("-2.5E-3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double"))),
        ("kgd:a%20b", ox.NamedNode("https://example.org/kg/id/a%20b")),
        ("kgd:a\\/b:c", ox.NamedNode("https://example.org/kg/id/a/b:c")),
        ("true", ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))),
        ("plain words", ox.Literal("plain words")),
        ('"nope:thing"', ox.Literal("nope:thing")),
        ('"say "this""', ox.Literal('say "this"')),
        ('"Home Office"  ', ox.Literal("Home Office")),
        ("<https://example.org/kg/id/npcc> ", ox.NamedNode("https://example.org/kg/id/npcc")),
    ],
)
def test_param_values_read_as_in_turtle(value: str, term: ox.NamedNode | ox.Literal) -> None:
    assert query.parse_param(f"x={value}", export.prefixes_for("https://example.org/kg/id/")) == ("x", term)


PREFIXES = "dcterms:, foaf:, kg:, kgd:, oa:, org:, owl:, prov:, rdf:, rdfs:, schema:, skos:, xsd:"


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("kdg:npcc", f"unknown prefix 'kdg:'; did you mean 'kgd:'? known: {PREFIXES}; or, for the text itself, quote it: \"kdg:npcc\""),
        ("nope:thing", f"unknown prefix 'nope:'; known: {PREFIXES}; or, for the text itself, quote it: \"nope:thing\""),
        ("<https://example.org/kg/id/npcc> junk", "an IRI is written <…>, with nothing after its '>'"),
        ('"a" junk', "a quoted text ends at its closing '\"', with nothing after it but @LANGUAGE or ^^DATATYPE"),
        ('"unterminated', "a quoted text ends with a '\"': this one has no closing '\"'"),
        ("<5 arrests", "an IRI is written <…>: this one has no closing '>'"),
    ],
)
def test_a_param_that_reads_as_a_mistyped_term_is_refused_not_taken_as_text(value: str, said: str) -> None:
    """'kdg:npcc' (for kgd:npcc) was the string "kdg:npcc", which matches nothing: 0 rows, exit 0."""
    result = run("fact-provenance", "--param", f"fact={value}")
    assert result.exit_code == 1
    assert result.output == f"Error: --param 'fact={value}': {said}\n"


def test_a_bad_param_says_how_to_write_one() -> None:
    result = run("people-posts", "--param", "nothing")
    assert result.exit_code == 1
    assert result.output == "Error: --param 'nothing': write it as NAME=VALUE, e.g. fact=kgd:taskforce-led-by-npcc or fact='<https://…>'\n"
    invalid = run("people-posts", "--param", "x=<not an iri>")
    assert invalid.exit_code == 1
    assert invalid.output.startswith("Error: --param 'x=<not an iri>': ")
    unknown = run("people-posts", "--param", "fact=kgd:npcc")
    assert unknown.exit_code == 1
    assert unknown.output == "Error: cannot bind ?fact: the query has no variable ?fact\n"


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?label WHERE { ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
        "# a comment with a { brace\nSELECT ?label # {\nWHERE # {\n{ ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
        "SELECT ?thing ?label { SELECT ?thing ?label { ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label } }",
        "SELECT (EXISTS { ?thing a ?type } AS ?typed) ?label WHERE { ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
    ],
)
def test_a_bound_value_gives_the_same_answer_however_the_query_is_written(text: str) -> None:
    """A bound IRI opens the WHERE group as VALUES (fast) or, where it cannot, is substituted."""
    graph = query.dataset_graph()
    answer = query.run(graph, text, {"thing": ox.NamedNode("https://example.org/kg/id/npcc")})
    assert [query.text_of(row[-1]) for row in answer.rows if row[-1] is not None] == ["National Police Chiefs’ Council"]


def test_binding_writes_only_the_terms_canonical_form() -> None:
    text = "SELECT ?x WHERE { ?s ?p ?x }"
    bound = query.bind(text, {"x": ox.Literal('a" } ; DROP ALL ; #\n')})
    assert bound == 'SELECT ?x WHERE {\n  VALUES ?x { "a\\" } ; DROP ALL ; #\\n" } ?s ?p ?x }'
    assert query.query_form(bound) == "SELECT"


def test_the_time_limit_stops_a_long_query() -> None:
    """A cross product of the graph with itself three times takes hours; the limit ends it."""
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "kg", "query", text, "--timeout", "0.5"], capture_output=True, text=True, timeout=60)
    took = time.monotonic() - started
    assert result.returncode == 2
    assert result.stderr == "Error: the query ran longer than its time limit of 0.5 s; narrow it or give --timeout SECONDS\n"
    assert result.stdout == ""
    assert took < 20


def test_graph_file_in_any_format(tmp_path: Path) -> None:
    for fmt, suffix in (("ntriples", ".nt"), ("turtle", ".ttl")):
        path = tmp_path / f"kg{suffix}"
        assert CliRunner().invoke(cli, ["export", "-f", fmt, "-o", str(path)]).exit_code == 0
        assert run("people-posts", "--graph", str(path)).output == run("people-posts").output
    # a dataset format keeps provenance in named graphs: a query sees them all as one graph
    trig = tmp_path / "kg.trig"
    assert CliRunner().invoke(cli, ["export", "-f", "trig", "-o", str(trig)]).exit_code == 0
    assert run("people-posts", "--graph", str(trig)).output == run("people-posts").output
    assert run("sources", "--graph", str(trig)).output == run("sources").output
    named = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    assert [line.split(",")[0] for line in run(named, "--graph", str(trig), "-f", "csv").output.splitlines()[1:]] == [
        "https://example.org/kg/id/article-550-arrests.provenance",
        "https://example.org/kg/id/article-no-weak-links.provenance",
    ]
    odd = tmp_path / "kg.data"
    odd.write_text("", encoding="utf-8")
    result = run("people-posts", "--graph", str(odd))
    assert result.exit_code == 2
    assert (
        result.output
        == f"Error: {odd}: cannot tell the RDF format from the extension '.data'; use .ttl, .nt, .nq, .trig, .rdf, .jsonld or .n3\n"
    )
    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://a/s> <http://a/p> .\n", encoding="utf-8")
    result = run("people-posts", "--graph", str(broken))
    assert result.exit_code == 2
    assert (
        result.output
        == f"Error: {broken}: not valid Turtle: Parser error at line 1 column 27: . is not a valid RDF object (broken.ttl, line 1)\n"
    )


def test_data_with_errors_is_reported_not_queried(tmp_path: Path) -> None:
    from helpers import PERSON_WITHOUT_POST, write_files

    folder = write_files(tmp_path / "data", {"all.yaml": PERSON_WITHOUT_POST})
    result = run("people-posts", "--data", str(folder))
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "1 error, 1 warning: the query was not run"  # it said "nothing was written"


def test_no_question_is_a_usage_error() -> None:
    result = run()
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: give a saved question's name, a .rq file or SPARQL text (kg query --list shows the saved questions)\n"
    )


def test_without_data_it_asks_the_working_folders_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As kg check and kg export do: a curator's edits in ./data are what kg query answers from,
    even when kg is installed with its own copy of the bundled data."""
    from kg.resources import bundled_data

    data = Path(shutil.copytree(bundled_data(), tmp_path / "data"))
    people = data / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8").replace('name: "Rishi Sunak"', 'name: "Rishi Sunak (edited)"'), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    edited = run("people-posts", "-f", "csv")
    assert edited.exit_code == 0, edited.output
    assert edited.stderr == ""  # standard error is kept for the query's own errors
    assert "Rishi Sunak (edited),Prime Minister" in edited.stdout
    monkeypatch.chdir(tmp_path / "data")  # no ./data here: the bundled dataset
    bundled = run("people-posts", "-f", "csv")
    assert (bundled.exit_code, bundled.stderr) == (0, "")
    assert "Rishi Sunak,Prime Minister" in bundled.stdout


def test_an_undeclared_prefix_is_named_with_its_declaration() -> None:
    """pyoxigraph listed every character a name may hold, over five lines."""
    result = run("DESCRIBE kgd:npcc")
    assert result.exit_code == 1
    assert result.output == (
        "Error: syntax error at line 1, column 18: the prefix kgd: is not declared;"
        " add 'PREFIX kgd: <https://example.org/kg/id/>' before the query\n"
    )
    unknown = run("SELECT * WHERE {\n  ?s foo:bar ?o }")
    assert unknown.exit_code == 1
    assert unknown.output.startswith("Error: syntax error at line 2, column 13: the prefix foo: is not declared; declare it with PREFIX")
