"""The ``kg`` command: a group of thin commands, each a few lines over one library call.

Each group of commands lives in its own module under :mod:`kg.commands`.
Exit status: 0 done, 1 the curated data has problems, 2 the tool could not work
(a file it cannot read, a bad option, output it cannot write), 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from kg import __version__
from kg.commands import common, core, curate, graph, query, trust


class _Interrupted(BaseException):
    """Ctrl-C, carried past click to :func:`run`: click would first write an empty line to
    standard error, which ends a terminal's ^C line but stands alone in a pipe or a log."""


class _Group(click.Group):
    """click's group, passing Ctrl-C on as :class:`_Interrupted`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted from None


@click.group(name="kg", cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="kg")
def cli() -> None:
    """Export curated facts from public reporting as an RDF knowledge graph.

    Facts live in YAML files (see the README); every fact names its sources and
    a verbatim evidence quote. `kg check` finds mistakes, `kg export` writes the graph,
    `kg draw` draws it, `kg docs` documents the vocabulary.
    """


cli.add_command(core.export)
cli.add_command(core.check_command)
cli.add_command(curate.add_source)
cli.add_command(curate.coverage)
cli.add_command(curate.diff)
cli.add_command(curate.schema)
cli.add_command(trust.verify)
cli.add_command(graph.docs_command)
cli.add_command(graph.draw_command)
cli.add_command(query.query_command)
cli.add_command(query.serve_command)
cli.add_command(query.push_command)


def main(args: Sequence[str] | None = None) -> None:
    """Run ``kg`` and exit: 0 done, 1 the data has problems, 2 the tool could not work
    (output that cannot be written included), 130 interrupted (Ctrl-C)."""
    sys.exit(run(args))


def run(args: Sequence[str] | None = None) -> int:
    """Run ``kg`` with ``args`` and return its exit status, never a traceback for an
    output that cannot be written or an interruption."""
    try:
        try:
            result = cli.main(args=list(args) if args is not None else None, prog_name="kg", standalone_mode=False)
            status = result if isinstance(result, int) else 0  # an int is --help's or --version's exit status
        except click.ClickException as err:
            err.show()
            status = err.exit_code
        except click.exceptions.Exit as done:
            status = done.exit_code
        except SystemExit as done:
            status = done.code if isinstance(done.code, int) else int(done.code is not None)
        if sys.stdout is not None:  # None when started with standard output closed
            sys.stdout.flush()
        return status
    except (KeyboardInterrupt, _Interrupted, click.Abort) as stopped:
        # At a terminal, the line it echoed ^C on is ended first (click ended it before its Abort).
        ends_line = not isinstance(stopped, click.Abort) and os.isatty(2)
        common.stop("\n" * ends_line + "kg: interrupted")
        return 130
    except BrokenPipeError:
        common.stop("Error: standard output was closed before everything was written", silence_stdout=True)
        return 2
    except OSError as err:
        common.stop(f"Error: cannot write the output: {err.strerror or err}", silence_stdout=True)
        return 2
    except UnicodeEncodeError as err:
        char = err.object[err.start : err.end]
        code = f"U+{ord(char[0]):04X}" if char else "a character"
        common.stop(
            f"Error: the output's encoding ({err.encoding}) cannot write {code};"
            " set PYTHONIOENCODING=utf-8 or use a UTF-8 locale (e.g. LANG=C.UTF-8)"
        )
        return 2
