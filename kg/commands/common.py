"""What every command shares: dataset options, problem reports, errors to exit codes."""

from __future__ import annotations

import contextlib
import functools
import math
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from kg import progress
from kg.problems import ERROR, NOTE, WARNING, DataProblems, KgError, Problem
from kg.resources import dataset_folder
from kg.sort import collector_paused
from kg.text import printable


class Seconds(click.ParamType):
    """A number of seconds from ``low`` to ``high``: nan, inf and numbers out of range are
    refused here, as a usage error (exit status 2), before they reach a timer that would
    take them as no limit, or fail with a traceback."""

    name = "seconds"

    def __init__(self, low: float = 0.001, high: float = 86400.0):
        self.low, self.high = low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        else:
            try:
                number = float(str(value).strip())
            except ValueError:
                self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(number) or not self.low <= number <= self.high:
            self.fail(f"{value!r} is not a number of seconds from {self.low:g} to {self.high:g} (a day)", param, ctx)
        return number


def data_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--data`` and ``--texts``, shared by every command that reads a dataset."""
    command = click.option(
        "--texts",
        "texts",
        multiple=True,
        type=click.Path(exists=True, file_okay=False),
        help="Folder of the sources' full texts, for evidence checks (repeatable; also $KG_TEXTS).",
    )(command)
    return click.option(
        "--data",
        type=click.Path(file_okay=False),
        default=None,
        help="Folder of curated *.yaml files.  [default: ./data if it holds *.yaml files, else the bundled dataset]",
    )(command)


def quiet_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--quiet``: no progress bars (they are shown only when standard error is a terminal).
    The command also runs with the cyclic garbage collector paused (see
    :func:`kg.sort.collector_paused`): it would otherwise rescan the loaded dataset again and again."""

    @functools.wraps(command)
    def wrapper(*args: Any, quiet: bool = False, **kwargs: Any) -> Any:
        with progress.quiet(quiet), collector_paused():
            return command(*args, **kwargs)

    return click.option("-q", "--quiet", is_flag=True, default=False, help="Show no progress bars on standard error.")(wrapper)


def allow_ungrounded_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--allow-ungrounded``: go on when a source's declared text is not found."""
    return click.option(
        "--allow-ungrounded",
        is_flag=True,
        help="Go on when a source's declared text is not found (its evidence is then unchecked and has no offsets).",
    )(command)


def chosen_dataset(data: str | None, *, say: bool = True) -> str:
    """The dataset folder a command reads: given, else ./data, else the bundled one; a
    chosen default is said on standard error (unless not ``say``: ``kg query``'s standard
    error is kept for its own errors), so that nobody reads another dataset unawares."""
    folder, named = dataset_folder(data)
    if data is None and say:
        click.echo(f"kg: dataset {named}", err=True)
    return str(folder)


def summary(problems: Sequence[Problem]) -> str:
    """``2 errors, 1 warning``."""
    n_errors = sum(1 for p in problems if p.severity == ERROR)
    n_warnings = sum(1 for p in problems if p.severity == WARNING)
    return f"{n_errors} error{'s' if n_errors != 1 else ''}, {n_warnings} warning{'s' if n_warnings != 1 else ''}"


def report_problems(problems: Sequence[Problem], *, notes: bool = False, err: bool = True) -> None:
    """Print problems, one line each (notes only when asked)."""
    for problem in problems:
        if problem.severity != NOTE or notes:
            click.echo(str(problem), err=err)


class ToolFailed(click.ClickException):
    """The tool could not do its job: exit status 2. The message is one line for a terminal: a
    control character in it (a file's name may hold a new line) is written as an escape."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(printable(message))


def translate_errors_saying(stopped: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Turn library exceptions into messages and exit codes; data with errors is reported,
    then ``2 errors, 0 warnings: STOPPED``, where ``stopped`` says what the command did not do
    (``nothing was written``, ``nothing was sent``)."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return command(*args, **kwargs)
            except DataProblems as found:
                report_problems(found.problems)
                click.echo(f"{summary(found.problems)}: {stopped}", err=True)
                raise SystemExit(1) from None
            except KgError as err:
                raise ToolFailed(str(err)) from None
            except BrokenPipeError:  # click would exit 1, the status of data errors
                stop("Error: standard output was closed before everything was written", silence_stdout=True)
                raise SystemExit(2) from None

        return wrapper

    return decorate


#: For the commands that write what they make (kg export, kg draw, kg add-source...).
translate_errors = translate_errors_saying("nothing was written")


def stop(message: str, *, silence_stdout: bool = False) -> None:
    """Say on standard error why the command stops, in plain ASCII (the stream may take
    nothing else), ignoring a standard error that cannot be written. With
    ``silence_stdout``, standard output (which failed) is pointed at the null device, so
    that Python's last flush at exit does not fail again with a traceback."""
    if silence_stdout:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.flush()
    with contextlib.suppress(OSError):
        os.write(2, message.encode("ascii", "backslashreplace") + b"\n")
