"""Problems found in curated data, and the exceptions that carry them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kg.model import Pos
from kg.text import printable

ERROR = "error"
WARNING = "warning"
NOTE = "note"
#: The rule of the line that counts a file's problems past those shown.
MORE_PROBLEMS = "more-problems"
#: The rule of the problem that stopped a file being read: it is shown whatever the count.
STOPPED_READING = "stopped-reading"


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake (or remark) about curated data, rendered ``path:line:column: field: message``."""

    pos: Pos | None
    field: str
    message: str
    hint: str = ""
    severity: str = ERROR
    #: Which check found it, for notes that can be picked out (``figure-conflict``, ``merge``, ...).
    rule: str = ""
    #: For the line that stands for a file's problems past those shown: how many it stands for.
    more: int = 0

    def __str__(self) -> str:
        """One line for a terminal: a control character anywhere in it, such as a new line in
        a file's name, is written as an escape (``\\n``), so no name can start a line of its own."""
        where = str(self.pos) if self.pos else "(dataset)"
        tag = "" if self.severity == ERROR else f"{self.severity}: "
        text = f"{where}: {tag}{self.field}: {self.message}"
        return printable(f"{text}; {self.hint}" if self.hint else text)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        pos = self.pos or Pos("", 0, 0)
        return (pos.path, pos.line, pos.column, self.field, self.message)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """Only the problems that stop an export."""
    return [p for p in problems if p.severity == ERROR]


class KgError(Exception):
    """The tool could not do its job (a file cannot be read, a bug): exit status 2."""


class DataProblems(Exception):
    """The curated data has problems: exit status 1. ``problems`` says which."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        count = len(errors(self.problems))
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the curated data")
