"""Progress bars on standard error for long runs (tqdm).

A bar is shown only when standard error is a terminal, only once a step has taken half a
second, and never inside :func:`quiet` (the commands' ``--quiet``). Otherwise the
iterable is passed through untouched, so pipes, files and logs get no control characters.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

# a bar shows once a step has run half a second, and is erased at its end
_BAR: dict[str, Any] = {"unit_scale": True, "leave": False, "delay": 0.5, "mininterval": 0.25, "dynamic_ncols": True}

_QUIET: ContextVar[bool] = ContextVar("kg_progress_quiet", default=False)


@contextlib.contextmanager
def quiet(silenced: bool = True) -> Iterator[None]:
    """No progress bars while the block runs (when ``silenced``)."""
    token = _QUIET.set(silenced or _QUIET.get())
    try:
        yield
    finally:
        _QUIET.reset(token)


def shown() -> bool:
    """Whether a progress bar would be shown now."""
    stream = sys.stderr
    if _QUIET.get() or stream is None:
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


def track(items: Iterable[T], description: str, *, unit: str = "it", total: int | None = None) -> Iterable[T]:
    """``items``, counted on a progress bar when one is shown (see :func:`shown`)."""
    if not shown():
        return items
    from tqdm import tqdm  # imported only for a terminal

    return tqdm(items, desc=description, unit=unit, total=total, file=sys.stderr, **_BAR)


@contextlib.contextmanager
def counter(description: str, *, unit: str = "it") -> Iterator[Callable[[], object]]:
    """A function to call once per item of work whose items are not an iterable (a
    parser's callbacks), counted on a progress bar when one is shown (see :func:`shown`)."""
    if not shown():
        yield _nothing
        return
    from tqdm import tqdm

    bar = tqdm(desc=description, unit=unit, file=sys.stderr, **_BAR)
    try:
        yield bar.update
    finally:
        bar.close()


def _nothing() -> None:
    pass
