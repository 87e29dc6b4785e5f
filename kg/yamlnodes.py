"""A safe, position-keeping YAML reader for curated files.

It builds its own small node tree from the parser's events, so that every value
remembers its line and column, every scalar stays the text the curator typed (no
YAML 1.1 guessing: ``0550`` is not octal, ``no`` is not ``False``, ``2024-05-21``
is not a date object), and unsafe input is refused at once: anchors and aliases
(the "billion laughs"), tags, several documents, deep nesting and oversized files.
Duplicate keys are reported and reading goes on (the first value is kept); control
characters and lone surrogates reach the field that holds them, which refuses them
by name.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import yaml

from kg.model import Pos
from kg.problems import ERROR, MORE_PROBLEMS, STOPPED_READING, Problem

#: The largest curated file read, in bytes; split larger sets over several files.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: The deepest nesting of lists and mappings accepted (curated records need about six).
MAX_DEPTH = 32
#: The most values (texts, lists and mappings, keys included) one record may hold, and
#: the most a file may hold outside its records: a bound on the memory one record takes.
MAX_RECORD_VALUES = 10_000
#: The most problems reported for one file; the rest are counted in one line.
MAX_PROBLEMS_PER_FILE = 100

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(slots=True)
class Scalar:
    value: str
    plain: bool
    pos: Pos


@dataclass(slots=True)
class Mapping:
    pos: Pos
    items: dict[str, tuple[Pos, Node]] = field(default_factory=dict)


@dataclass(slots=True)
class Sequence:
    pos: Pos
    items: list[Node] = field(default_factory=list)
    #: How many items went to a reader's sink instead of ``items``.
    streamed: int = 0


Node = Scalar | Mapping | Sequence


class ProblemList(list[Problem]):
    """The problems of one file: the first :data:`MAX_PROBLEMS_PER_FILE` kept, the rest
    only counted, so that a file of millions of mistakes takes no more memory than a few."""

    def __init__(self, path: str, limit: int | None = None):
        super().__init__()
        self.path = path
        self.limit = MAX_PROBLEMS_PER_FILE if limit is None else limit
        self.more = 0
        self.first_unshown: Pos | None = None

    def append(self, problem: Problem) -> None:
        if len(self) < self.limit:
            super().append(problem)
            return
        self.more += 1
        if self.first_unshown is None:
            self.first_unshown = problem.pos

    def keep(self, problem: Problem) -> None:
        """Add a problem that is shown whatever the count (the one that stopped reading)."""
        super().append(replace(problem, rule=problem.rule or STOPPED_READING))

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)

    def __iadd__(self, problems: Iterable[Problem]) -> ProblemList:  # type: ignore[override,misc]
        self.extend(problems)
        return self

    def clear(self) -> None:
        super().clear()
        self.more = 0
        self.first_unshown = None

    def shown(self) -> list[Problem]:
        """The problems kept, and a last one that counts those left out."""
        if not self.more:
            return list(self)
        return [*self, more_problems(self.first_unshown or Pos(self.path, 1, 1), self.more)]


def more_problems(pos: Pos, count: int, severity: str = ERROR) -> Problem:
    """The line that stands for a file's problems past the first :data:`MAX_PROBLEMS_PER_FILE`."""
    more = f"... and {count:,} more problem{'s' if count != 1 else ''} in this file, from here on"
    return Problem(pos, "file", more, "fix the ones shown and check again", severity, MORE_PROBLEMS, count)


class Sink(Protocol):
    """Where the records of a file's section lists go as soon as each is read, so that
    the nodes of only one record are held at a time."""

    def item(self, section: str, node: Node) -> None:
        """One item of the top-level list ``section``, complete."""

    def reset(self) -> None:
        """Forget every item: reading starts again from the top."""


def describe(node: Node) -> str:
    """What a node is, in a curator's words."""
    if isinstance(node, Mapping):
        return "a mapping (key: value lines)"
    if isinstance(node, Sequence):
        return "a list"
    return f"the text {node.value!r}" if not node.plain else f"{node.value!r}"


class _Refused(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def too_big(path: str, size: int) -> Problem | None:
    """The problem with a curated file of ``size`` bytes, if it is over the limit."""
    if size <= MAX_FILE_BYTES:
        return None
    return Problem(
        Pos(path, 1, 1),
        "file",
        f"the file is {size:,} bytes, more than the {MAX_FILE_BYTES:,} a curated file may have",
        "split it into several files in the same folder",
    )


def decode(path: str, data: bytes) -> tuple[str | None, Problem | None]:
    """Curated bytes as text, or the position of the first byte that is not UTF-8."""
    problem = too_big(path, len(data))
    if problem:
        return None, problem
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line_start = data.rfind(b"\n", 0, err.start) + 1
        line = data.count(b"\n", 0, err.start) + 1
        column = len(data[line_start : err.start].decode("utf-8", "replace")) + 1
        return None, Problem(
            Pos(path, line, column),
            "file",
            f"the file is not UTF-8 (byte 0x{data[err.start]:02x} cannot be decoded)",
            "save the file as UTF-8",
        )
    return text.removeprefix("\ufeff"), None


#: Characters YAML refuses to read, but which the loader lets through to the field that
#: holds them, so the message names that field: C0 and C1 controls but tab, newline and
#: carriage return, and U+FFFE and U+FFFF.
_UNREADABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
#: A double-quoted escape of a lone surrogate, which libyaml refuses as a syntax error.
_SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)([dD][89a-fA-F][0-9a-fA-F]{2})")
#: Placeholders (in the private use area) stand in for both while YAML reads the file.
_CONTROL_BASE = 0xE800
_SURROGATE_BASE = 0xE000
#: How many surrogate escapes in one file are traced to their fields before giving up.
MAX_SURROGATE_ESCAPES = 100


_HIGH_SLOTS = {0xFFFE: 0xFE, 0xFFFF: 0xFF}
#: Raw line and paragraph separators: YAML 1.1 reads them as line breaks (dropping the
#: spaces beside them), YAML 1.2 as text, so a curated file may hold them only escaped.
_RAW_SEPARATOR = re.compile("[\u2028\u2029]")


def _placeholder(char: str) -> str:
    code = ord(char)
    return chr(_CONTROL_BASE + (code if code <= 0x9F else _HIGH_SLOTS[code]))


def _protect(text: str) -> tuple[str, dict[int, int]]:
    """``text`` with the characters YAML would refuse swapped for placeholders, and the
    table that turns the placeholders back (empty when a placeholder is taken)."""
    found = set(_UNREADABLE.findall(text))
    if not found:
        return text, {}
    table = {ord(_placeholder(char)): ord(char) for char in found}
    if any(chr(code) in text for code in table):
        return text, {}  # the file already holds a placeholder: let YAML refuse it
    return text.translate({original: placeholder for placeholder, original in table.items()}), table


def _protect_escape(text: str, index: int, table: dict[int, int]) -> str | None:
    """``text`` with the surrogate escape at ``index`` swapped for a placeholder escape
    of the same length (recorded in ``table``), or None when there is none."""
    for match in _SURROGATE_ESCAPE.finditer(text, max(0, index - 12), index + 12):
        if match.start() <= index < match.end():
            surrogate = int(match.group(1), 16)
            placeholder = _SURROGATE_BASE + surrogate - 0xD800
            lowered = text.lower()
            taken = chr(placeholder) in text or f"\\u{placeholder:04x}" in lowered or f"\\u0000{placeholder:04x}" in lowered
            if taken and table.get(placeholder) != surrogate:  # the file's own, not one put in for an earlier escape
                return None
            table[placeholder] = surrogate
            escape = match.group().replace(match.group(1), f"{placeholder:04X}")
            return text[: match.start()] + escape + text[match.end() :]
    return None


def _offset(text: str, mark: Any) -> int:
    """The character offset of a parser's mark (libyaml's own index may count bytes)."""
    lines = text.splitlines(keepends=True)
    return sum(len(line) for line in lines[: int(mark.line)]) + int(mark.column)


#: Hints for the syntax errors curators make most, keyed by words of the parser's message.
_SYNTAX_HINTS = (
    ("mapping values are not allowed", "put text that holds ': ' in double quotes, or fix the indentation"),
    ("found character '\\t'", "indent with spaces, not tabs"),
    ("tab character", "indent with spaces, not tabs"),
    ("cannot start any token", "put text that starts with this character in double quotes"),
    ("expected ',' or ']'", "close the list with ']'"),
    ("expected ',' or '}'", "close the mapping with '}'"),
    ("end of stream", "close the quotation mark"),
    ("expected '-' indicator", "line up every '- ' item of the list at the same indentation"),
    ("expected <block end>", "check the indentation: fields of one record line up under each other"),
)


def _syntax_problem(path: str, text: str, err: yaml.MarkedYAMLError, table: dict[int, int]) -> Problem:
    mark = err.problem_mark or err.context_mark
    pos = _pos(path, mark) if mark else Pos(path, 1, 1)
    if mark is not None and table:
        offset = _offset(text, mark)
        if offset < len(text) and ord(text[offset]) in table:
            code = table[ord(text[offset])]
            kind = "a lone surrogate" if 0xD800 <= code <= 0xDFFF else "a control character"
            return Problem(pos, "yaml", f"the file holds {kind} (U+{code:04X}) outside any text", "remove it")
    problem = str(err.problem or "")
    if mark is not None and "cannot start any token" in problem:
        offset = _offset(text, mark)
        if offset < len(text):
            problem = problem.replace("found character", f"found character {text[offset]!r}")
    what = problem
    if err.context:
        where = err.context_mark
        moved = where is not None and mark is not None and (where.line, where.column) != (mark.line, mark.column)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where is not None and moved else ""
        what = f"{problem} ({err.context}{at})" if problem else str(err.context)
    hint = next((h for words, h in _SYNTAX_HINTS if words in what), "fix the syntax at this position")
    return Problem(pos, "yaml", f"the file is not valid YAML: {' '.join(what.split())}", hint)


def _too_deep(path: str, text: str, err: yaml.MarkedYAMLError, table: dict[int, int]) -> Problem | None:
    """The project's own nesting refusal, where the parser stopped at a nesting limit of its own.

    libyaml (0.2.6 and later, bundled since PyYAML 6.0.3) refuses nesting past 1,000 levels, and
    its scanner reads ahead of the events, so its limit can trip before the reader has seen
    :data:`MAX_DEPTH` containers. The text up to where it tripped is within its limit; read
    again, it gives the reader's own message at the container that first goes too deep."""
    mark = err.problem_mark
    if mark is None or "nesting depth" not in str(err.problem):
        return None
    try:
        _build(path, text[: _offset(text, mark)], ProblemList(path), table)
    except _Refused as refused:
        if refused.problem == _nests_too_deep(refused.problem.pos):
            return refused.problem
    except yaml.YAMLError:
        pass
    return _nests_too_deep(_pos(path, mark))


def parse(path: str, text: str, sink: Sink | None = None, problems: ProblemList | None = None) -> tuple[Node | None, list[Problem]]:
    """Parse one curated file into nodes; problems that stop reading end the list.

    With a ``sink``, each item of a top-level section list goes to the sink as soon as it
    is read and is not kept in the tree (its list stays, empty): memory then holds one
    record's nodes at a time. Should reading start again, the sink is reset first.
    Problems go to ``problems`` when given (the sink's may go there too: both are
    forgotten if reading starts again).
    Control characters (raw, or a lone surrogate written as an escape) do not stop
    reading: they stay in the text of the field that holds them, for the field to refuse.
    """
    problems = ProblemList(path) if problems is None else problems
    separator = _RAW_SEPARATOR.search(text)
    if separator:
        line = text.count("\n", 0, separator.start()) + 1
        column = separator.start() - (text.rfind("\n", 0, separator.start()) + 1) + 1
        name = "LINE" if separator.group() == "\u2028" else "PARAGRAPH"
        escape = f"\\u{ord(separator.group()):04x}"
        problems.keep(
            Problem(
                Pos(path, line, column),
                "text",
                f"a raw U+{ord(separator.group()):04X} {name} SEPARATOR, which YAML readers disagree on"
                " (some read a line break and drop the spaces beside it)",
                f"write it as {escape} inside double quotes, or remove it",
            )
        )
        return None, problems.shown()
    original = text
    text, table = _protect(text)
    # Each escape found means reading again from the top: a budget of characters read
    # keeps a large file with many escapes from being read for hours.
    attempts = min(MAX_SURROGATE_ESCAPES, MAX_FILE_BYTES // max(len(text), 1)) + 1
    for attempt in range(attempts):
        if attempt:
            problems.clear()
            if sink is not None:
                sink.reset()
        try:
            return _build(path, text, problems, table, sink), problems.shown()
        except _Refused as refused:
            problems.keep(refused.problem)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark
            if mark is not None and "invalid Unicode character escape" in str(err.problem):
                protected = _protect_escape(text, _offset(text, mark), table)
                if protected is not None:
                    text = protected
                    continue
            problems.keep(_too_deep(path, text, err, table) or _syntax_problem(path, text, err, table))
        except yaml.YAMLError as err:  # errors without a mark, e.g. from the reader
            problems.keep(_reader_problem(path, original, err))
        return None, problems.shown()
    problems.keep(Problem(Pos(path, 1, 1), "yaml", "the file holds too many escapes of lone surrogates", "remove them"))
    return None, problems.shown()


def _reader_problem(path: str, text: str, err: yaml.YAMLError) -> Problem:
    position = getattr(err, "position", None)
    character = getattr(err, "character", None)
    if isinstance(position, int) and 0 <= position <= len(text):
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        code = ord(character) if isinstance(character, str) else character
        what = f"the character U+{code:04X} cannot be read" if isinstance(code, int) else "a character cannot be read"
        return Problem(Pos(path, line, column), "yaml", f"the file is not valid YAML: {what}", "remove the character")
    return Problem(Pos(path, 1, 1), "yaml", f"the file is not valid YAML: {' '.join(str(err).split())}", "check the file")


def _pos(path: str, mark: Any) -> Pos:  # a yaml.Mark, from libyaml or PyYAML
    return Pos(path, mark.line + 1, mark.column + 1)


def _written(tag: str) -> str:
    """A tag as a curator writes it: ``!!python/object`` for ``tag:yaml.org,2002:python/object``."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _refuse(pos: Pos, message: str, hint: str) -> _Refused:
    return _Refused(Problem(pos, "yaml", message, hint))


def _build(path: str, text: str, problems: list[Problem], table: dict[int, int], sink: Sink | None = None) -> Node | None:
    stack: list[Mapping | Sequence] = []
    pending_key: list[tuple[Pos, str] | None] = []
    root: Node | None = None
    documents = 0
    # The top-level section list being read (its items are records), and its name.
    records: Sequence | None = None
    section = ""
    # Values counted against MAX_RECORD_VALUES: in the record being read, and outside records.
    in_record = outside = 0
    record_pos = Pos(path, 1, 1)

    def attach(node: Node) -> None:
        nonlocal root, records, section
        if not stack:
            root = node
            return
        parent = stack[-1]
        if isinstance(parent, Sequence):
            if parent is records and sink is not None:
                if isinstance(node, Scalar):
                    parent.streamed += 1
                    sink.item(section, node)
                return  # a list or mapping goes to the sink once it is complete
            parent.items.append(node)
            return
        key = pending_key[-1]
        if key is None:
            if not isinstance(node, Scalar):
                raise _refuse(node.pos, "a mapping key must be plain text", "write the key as a word")
            pending_key[-1] = (node.pos, node.value)
            return
        key_pos, name = key
        pending_key[-1] = None
        if name in parent.items:
            first = parent.items[name][0]
            problems.append(
                Problem(
                    key_pos,
                    name,
                    f"duplicate key {name!r} (the first is at line {first.line}, column {first.column})",
                    "remove one of them: YAML would silently keep only the last",
                )
            )
            return
        parent.items[name] = (key_pos, node)
        if len(stack) == 1 and isinstance(node, Sequence):
            records, section = node, name

    def open_container(kind: type, pos: Pos) -> None:
        if len(stack) >= MAX_DEPTH:
            raise _Refused(_nests_too_deep(pos))
        container: Mapping | Sequence = Mapping(pos) if kind is yaml.MappingStartEvent else Sequence(pos)
        attach(container)
        stack.append(container)
        pending_key.append(None)

    loader = _Loader(text)
    try:
        event = loader.get_event()
        while event is not None:
            kind = type(event)
            if kind is yaml.ScalarEvent or kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.anchor is not None or (event.tag is not None and event.tag != "!"):
                    _refuse_event(path, event)
                mark = event.start_mark
                pos = Pos(path, mark.line + 1, mark.column + 1)
                # Count the value against the limit of its record (or of the file outside records).
                if records is not None and len(stack) >= 2 and stack[1] is records:
                    if len(stack) == 2:
                        in_record, record_pos = 0, pos
                    in_record += 1
                    if in_record > MAX_RECORD_VALUES:
                        raise _too_many(record_pos, "the record holds", "a record needs far fewer: split long lists into several records")
                else:
                    outside += 1
                    if outside > MAX_RECORD_VALUES:
                        raise _too_many(pos, "the file holds", "put records in section lists ('organisations:' then '- id: ...' items)")
                if kind is yaml.ScalarEvent:
                    # One object for every copy of a value (ids, statuses, quotes repeat): a fifth less memory.
                    value = sys.intern(event.value.translate(table) if table else event.value)
                    attach(Scalar(value, event.style in (None, ""), pos))
                else:
                    open_container(kind, pos)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                done = stack.pop()
                pending_key.pop()
                if done is records:
                    records = None
                elif records is not None and sink is not None and len(stack) == 2 and stack[1] is records:
                    records.streamed += 1
                    sink.item(section, done)
            elif kind is yaml.AliasEvent:
                raise _refuse(
                    _pos(path, event.start_mark),
                    "YAML aliases (*name) are not allowed in curated files",
                    "write the value out in full",
                )
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _refuse(
                        _pos(path, event.start_mark),
                        "the file holds more than one YAML document",
                        "remove the '---' line, or split the file",
                    )
            event = loader.get_event()
    finally:
        loader.dispose()
    return root


def _nests_too_deep(pos: Pos | None) -> Problem:
    message = f"the file nests lists and mappings more than {MAX_DEPTH} deep"
    return Problem(pos, "yaml", message, "curated records need only a few levels: flatten the structure")


def _too_many(pos: Pos, holder: str, hint: str) -> _Refused:
    return _refuse(pos, f"{holder} more than {MAX_RECORD_VALUES:,} values (texts, lists and mappings)", hint)


def _refuse_event(path: str, event: Any) -> None:
    """Refuse an anchor or a tag on a value."""
    if event.anchor is not None:
        raise _refuse(
            _pos(path, event.start_mark),
            f"YAML anchors (&{event.anchor}) are not allowed in curated files",
            "remove the anchor and write values out in full",
        )
    raise _refuse(
        _pos(path, event.start_mark),
        f"YAML tags ({_written(event.tag)}) are not allowed in curated files",
        "remove the tag and write the plain value",
    )
