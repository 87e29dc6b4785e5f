"""Option values a hostile or unlucky user gives: numbers that are no limit (nan, inf, 1e308)
and a query parameter given twice, on the command line and on the query page."""

from __future__ import annotations

import urllib.parse

import pytest
from click.testing import CliRunner
from markupsafe import escape

from kg.cli import cli

COMMANDS = [
    ["query", "ASK {}"],
    ["serve", "--port", "0"],
    ["push", "--endpoint", "http://127.0.0.1:9/store"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "0", "-1", "ten"])
def test_a_timeout_that_is_no_number_of_seconds_is_refused_in_one_line(command: list[str], value: str) -> None:
    """--timeout nan|inf|1e308 gave a traceback in kg push and kg query; kg serve --timeout nan
    started, then answered every query with an empty reply."""
    result = CliRunner().invoke(cli, [*command, "--timeout", value], catch_exceptions=False)
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    reason = "is not a number of seconds" + ("" if value == "ten" else " from 0.001 to 86400 (a day)")
    assert errors == [f"Error: Invalid value for '--timeout': {value!r} {reason}"]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("option", "value"),
    [("--max-rows", "nan"), ("--max-rows", "1e308"), ("--max-bytes", "inf"), ("--idle-timeout", "nan"), ("--port", "1e308")],
)
def test_every_number_kg_serve_takes_refuses_nan_inf_and_huge(option: str, value: str) -> None:
    result = CliRunner().invoke(cli, ["serve", "--port", "0", option, value], catch_exceptions=False)
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1
    assert errors[0].startswith(f"Error: Invalid value for '{option}': {value!r} is not a valid integer")  # click words the end by version


def test_jobs_has_a_ceiling() -> None:
    result = CliRunner().invoke(cli, ["export", "--jobs", "1" + "0" * 30], catch_exceptions=False)
    assert result.exit_code == 2
    assert "Error: Invalid value for '-j' / '--jobs': 1000000000000000000000000000000 is not in the range 1<=x<=256." in result.output


def test_a_param_given_twice_is_refused_naming_it() -> None:
    """--param label=a --param label=b silently kept the last value."""
    text = 'SELECT ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }'
    result = CliRunner().invoke(cli, ["query", text, "--param", 'label="a"', "--param", 'label="b"'], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output == "Error: --param label is given twice; give each name one value (a query binds ?label to one term)\n"


def test_a_bound_value_given_twice_on_the_page_is_refused_naming_it() -> None:
    from test_serve import fetch, serving

    text = 'SELECT ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }'
    with serving() as base:
        page = fetch(base + "?" + urllib.parse.urlencode({"query": text, "params": 'label="a"\nlabel="b"'}))
    assert page.status == 400
    message = "bound value label is given twice; give each name one value (a query binds ?label to one term)"
    assert f'<p class="error" id="error">{escape(message)}</p>' in page.text
