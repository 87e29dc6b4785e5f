"""A safe, position-keeping YAML reader for curated files.

It builds its own small node tree from the parser's events, so that every value
remembers its line and column, every scalar stays the text the curator typed (no
YAML 1.1 guessing: ``0550`` is not octal, ``no`` is not ``False``, ``2024-05-21``
is not a date object), and unsafe input is refused at once: anchors and aliases
(the "billion laughs"), tags, duplicate keys, several documents, deep nesting and
oversized files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

import yaml

from kg.model import Pos
from kg.problems import Problem

#: The largest curated file read, in bytes; split larger sets over several files.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: The deepest nesting of lists and mappings accepted (curated records need about six).
MAX_DEPTH = 32

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


Node = Union[Scalar, Mapping, Sequence]


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


def decode(path: str, data: bytes) -> tuple[str | None, Problem | None]:
    """Curated bytes as text, or the position of the first byte that is not UTF-8."""
    if len(data) > MAX_FILE_BYTES:
        return None, Problem(
            Pos(path, 1, 1),
            "file",
            f"the file is {len(data):,} bytes, more than the {MAX_FILE_BYTES:,} a curated file may have",
            "split it into several files in the same folder",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        return None, Problem(
            Pos(path, line, column),
            "file",
            f"the file is not UTF-8 (byte 0x{data[err.start]:02x} cannot be decoded)",
            "save the file as UTF-8",
        )
    return text.removeprefix("\ufeff"), None


def parse(path: str, text: str) -> tuple[Node | None, list[Problem]]:
    """Parse one curated file into nodes; problems that stop reading end the list."""
    problems: list[Problem] = []
    try:
        return _build(path, text, problems), problems
    except _Refused as refused:
        problems.append(refused.problem)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        pos = Pos(path, mark.line + 1, mark.column + 1) if mark else Pos(path, 1, 1)
        what = " ".join(str(part) for part in (err.context, err.problem) if part)
        problems.append(
            Problem(pos, "yaml", f"the file is not valid YAML: {what}", "fix the syntax at this position")
        )
    except yaml.YAMLError as err:  # errors without a position, e.g. from the reader
        problems.append(Problem(Pos(path, 1, 1), "yaml", f"the file is not valid YAML: {err}"))
    return None, problems


def _pos(path: str, mark: yaml.Mark) -> Pos:
    return Pos(path, mark.line + 1, mark.column + 1)


def _refuse(pos: Pos, message: str, hint: str) -> _Refused:
    return _Refused(Problem(pos, "yaml", message, hint))


def _build(path: str, text: str, problems: list[Problem]) -> Node | None:
    stack: list[Mapping | Sequence] = []
    pending_key: list[tuple[Pos, str] | None] = []
    root: Node | None = None
    documents = 0

    def attach(node: Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent = stack[-1]
        if isinstance(parent, Sequence):
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
                    f"duplicate key {name!r} (first at line {first.line}); YAML would keep only the last one",
                    "remove or rename one of them",
                )
            )
            return
        parent.items[name] = (key_pos, node)

    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _refuse(
                    _pos(path, event.start_mark),
                    "the file holds more than one YAML document",
                    "remove the '---' line, or split the file",
                )
            continue
        if isinstance(event, yaml.AliasEvent):
            raise _refuse(
                _pos(path, event.start_mark),
                "YAML aliases (*name) are not allowed in curated files",
                "write the value out in full",
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _refuse(
                _pos(path, event.start_mark),
                f"YAML anchors (&{anchor}) are not allowed in curated files",
                "remove the anchor and write values out in full",
            )
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!" and isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
            raise _refuse(
                _pos(path, event.start_mark),
                f"YAML tags ({tag}) are not allowed in curated files",
                "remove the tag; write plain values",
            )
        if isinstance(event, yaml.ScalarEvent):
            attach(Scalar(event.value, event.style in (None, ""), _pos(path, event.start_mark)))
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(stack) >= MAX_DEPTH:
                raise _refuse(
                    _pos(path, event.start_mark),
                    f"the file nests lists and mappings more than {MAX_DEPTH} deep",
                    "curated records need only a few levels; flatten the structure",
                )
            pos = _pos(path, event.start_mark)
            container: Mapping | Sequence = Mapping(pos) if isinstance(event, yaml.MappingStartEvent) else Sequence(pos)
            attach(container)
            stack.append(container)
            pending_key.append(None)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()
            pending_key.pop()
    return root
