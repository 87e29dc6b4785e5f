"""Plain records of a curated dataset; each remembers the file and line it came from.

Nothing here knows about YAML or RDF: the loader fills these, the checks read
them, and the builder maps them to triples.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar


def _by_fields(record: Any) -> tuple[type, tuple[Any, ...]]:
    """Pickle a slotted dataclass as its class and its fields' values in order: a third
    faster both ways than the default, which matters when a helper process sends back the
    records of the files it read (see :func:`kg.parts.read_files`)."""
    return type(record), tuple(getattr(record, name) for name in type(record).__slots__)


@dataclass(frozen=True, slots=True, order=True)
class Pos:
    """Where something stands in a curated file (1-based line and column)."""

    __reduce__ = _by_fields

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


_LINE_COLUMN = struct.Struct("<II")


class Where(Mapping[str, Pos]):
    """Where each field of a record stands: a read-only mapping of field name to :class:`Pos`,
    kept compact because every record of a large dataset holds one. The field names are
    shared by every record written with the same fields, the lines and columns are packed
    in one string of bytes, and the positions are made when asked for. Equal to any mapping with the
    same items."""

    __slots__ = ("_index", "_numbers", "_path")

    #: One shared name-to-slot table for each sequence of field names seen.
    _layouts: ClassVar[dict[tuple[str, ...], dict[str, int]]] = {}

    def __init__(self, positions: Mapping[str, Pos] | None = None):
        positions = positions or {}
        paths = {pos.path for pos in positions.values()}
        if len(paths) > 1:
            raise ValueError("a record's fields are in one file")
        self._index = _layout(tuple(positions))
        self._path = paths.pop() if paths else ""
        numbers = [n for pos in positions.values() for n in (pos.line, pos.column)]
        self._numbers = struct.pack(f"<{len(numbers)}I", *numbers)

    def __getitem__(self, name: str) -> Pos:
        line, column = _LINE_COLUMN.unpack_from(self._numbers, self._index[name] * _LINE_COLUMN.size)
        return Pos(self._path, line, column)

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __repr__(self) -> str:
        return f"Where({dict(self)!r})"

    def __reduce__(self) -> tuple[Callable[[tuple[str, ...], str, bytes], Where], tuple[tuple[str, ...], str, bytes]]:
        return _where_of, (tuple(self._index), self._path, self._numbers)


def _where_of(names: tuple[str, ...], path: str, numbers: bytes) -> Where:
    """A :class:`Where` from its pickled parts (records sent between processes)."""
    where = Where.__new__(Where)
    where._index, where._path, where._numbers = _layout(names), path, numbers
    return where


def _layout(names: tuple[str, ...]) -> dict[str, int]:
    """The one name-to-slot table shared by every :class:`Where` with these field names."""
    index = Where._layouts.get(names)
    if index is None:
        index = Where._layouts.setdefault(names, {name: slot for slot, name in enumerate(names)})
    return index


@dataclass(frozen=True, slots=True)
class TypedValue:
    """A literal in its checked lexical form with its XSD datatype (full IRI)."""

    __reduce__ = _by_fields

    lexical: str
    datatype: str


@dataclass(frozen=True, slots=True)
class Number:
    """A statistic's figure: the canonical lexical form, its datatype and its value."""

    __reduce__ = _by_fields

    lexical: str
    datatype: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class Citation:
    """One source's support for a fact: where it says so, in which words, and how."""

    __reduce__ = _by_fields

    source: str
    evidence: str
    status: str
    attributed_to: str | None
    pos: Pos
    where: Mapping[str, Pos] = field(default_factory=Where, compare=False, hash=False)
    #: When the fact held or happened, in this source's words, and as a date where the source fixes one.
    when: str | None = None
    date: TypedValue | None = None
    #: For a post-holding, what this source says of its time: ``as-of`` its own date (the
    #: default), ``then`` (at the time of the event ``during`` names), ``from`` or ``until``
    #: the citation's ``date``.
    held: str | None = None
    during: str | None = None


@dataclass(frozen=True, slots=True)
class Repair:
    """A text repair for a damaged source: ``replace`` becomes ``with_`` where it stands
    between the contexts named (none named: everywhere). A source's repairs are rules
    tried in order at each place of its text, in one pass: the first that fits wins."""

    __reduce__ = _by_fields

    replace: str
    with_: str
    reason: str
    #: What may stand right before the damaged text (any of them; the list ``repair-context``
    #: in :mod:`kg.vocab`); empty: anything.
    preceded_by: tuple[str, ...] = ()
    #: What may stand right after it.
    followed_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Period:
    """The period a statistic covers, in the source's words and as far as they fix it."""

    __reduce__ = _by_fields

    label: str
    duration: str | None = None
    anchor: str | None = None
    start: TypedValue | None = None
    end: TypedValue | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """A published text that states facts (a news article, a government statement)."""

    __reduce__ = _by_fields

    id: str
    kind: str
    title: str
    title_evidence: str | None
    subtitle: str | None
    url: str | None
    publisher: str | None  # None: not stated
    author: str | None  # None: not stated
    published: TypedValue | None
    modified: TypedValue | None
    undated: bool
    language: str | None
    text_file: str | None
    text_sha256: str | None
    repairs: tuple[Repair, ...]
    pos: Pos
    where: Mapping[str, Pos] = field(default_factory=Where, compare=False, hash=False)
    #: Metadata fields taken from outside the text (where it is published), not from its words.
    outside_text: tuple[str, ...] = ()

    kind_name = "source"

    @property
    def date(self) -> TypedValue | None:
        """The date the source speaks from: when it was published, else last updated."""
        return self.published or self.modified

    @property
    def citations(self) -> tuple[Citation, ...]:
        """The source's own title, cited from itself when evidence for it is given."""
        if self.title_evidence is None:
            return ()
        at = self.where.get("title_evidence", self.pos)
        return (Citation(self.id, self.title_evidence, "stated", None, at, Where({"evidence": at})),)


@dataclass(frozen=True, slots=True)
class Entity:
    """An organisation, person, post, place, initiative or measure."""

    __reduce__ = _by_fields

    kind: str
    id: str
    name: str
    alt_names: tuple[str, ...]
    citations: tuple[Citation, ...]
    pos: Pos
    where: Mapping[str, Pos] = field(default_factory=Where, compare=False, hash=False)
    initiative_kind: str | None = None
    description: str | None = None
    #: A post that one person holds at a time (Prime Minister): overlapping holders are warned about.
    single_holder: bool = False

    @property
    def kind_name(self) -> str:
        return self.kind


@dataclass(frozen=True, slots=True)
class Statement:
    """A fact about an entity: ``subject predicate object`` or ``subject predicate value``."""

    __reduce__ = _by_fields

    id: str
    subject: str
    predicate: str
    object: str | None
    value: str | TypedValue | None
    when: str | None
    citations: tuple[Citation, ...]
    pos: Pos
    where: Mapping[str, Pos] = field(default_factory=Where, compare=False, hash=False)

    kind_name = "statement"


@dataclass(frozen=True, slots=True)
class Statistic:
    """A figure as a source gives it, with every qualifier the source attaches."""

    __reduce__ = _by_fields

    id: str
    counts: str
    value: Number
    comparator: str
    unit: str
    #: What the figure is credited to: one thing, or several together ("the Taskforce's work alongside local policing").
    about: tuple[str, ...]
    period: Period | None
    place: str | None
    citations: tuple[Citation, ...]
    pos: Pos
    where: Mapping[str, Pos] = field(default_factory=Where, compare=False, hash=False)

    kind_name = "statistic"

    @property
    def figure(self) -> str:
        """The figure in words: ``more than 550``, ``hundreds of``, ``550`` (unqualified)."""
        if self.comparator == "unqualified":
            return self.value.lexical
        if self.comparator == "multiples-of" and self.value.lexical in _PLURALS:
            return _PLURALS[self.value.lexical]
        return f"{self.comparator.replace('-', ' ')} {self.value.lexical}"


_PLURALS = {"10": "tens of", "100": "hundreds of", "1000": "thousands of", "1000000": "millions of"}


@dataclass(frozen=True, slots=True)
class Quote:
    """Words a person or organisation said, as a source quotes them."""

    __reduce__ = _by_fields

    id: str
    speaker: str
    text: str
    spoken_to: str | None
    citations: tuple[Citation, ...]
    pos: Pos
    where: Mapping[str, Pos] = field(default_factory=Where, compare=False, hash=False)

    kind_name = "quote"


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim that fits no structure, often hedged or unattributed, kept as the source's."""

    __reduce__ = _by_fields

    id: str
    about: tuple[str, ...]
    summary: str
    citations: tuple[Citation, ...]
    pos: Pos
    where: Mapping[str, Pos] = field(default_factory=Where, compare=False, hash=False)

    kind_name = "claim"


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened at a time: a meeting, a launch, a visit, an announcement."""

    __reduce__ = _by_fields

    id: str
    kind: str
    name: str
    date: TypedValue | None
    when: str | None
    place: str | None
    participants: tuple[str, ...]
    organisers: tuple[str, ...]
    about: tuple[str, ...]
    citations: tuple[Citation, ...]
    pos: Pos
    where: Mapping[str, Pos] = field(default_factory=Where, compare=False, hash=False)

    kind_name = "event"


Record = Source | Entity | Statement | Statistic | Quote | Claim | Event


#: Claim statuses whose facts the graph asserts as plain triples; the others stay claims.
ASSERTING_STATUSES = frozenset({"stated", "attributed", "quoted"})


def asserted(record: Record) -> bool:
    """Whether any source states, attributes or quotes the fact (not only hedges it)."""
    return any(c.status in ASSERTING_STATUSES for c in record.citations)


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    """Settings of a curated dataset: its title, base IRI and where its source texts are."""

    title: str | None = None
    description: str | None = None
    base: str | None = None
    texts: tuple[str, ...] = ()
    pos: Pos | None = None
    #: Where the ``texts`` setting stands.
    texts_pos: Pos | None = None


@dataclass(frozen=True, slots=True)
class Dataset:
    """A whole curated dataset, records in file order."""

    root: str
    info: DatasetInfo
    sources: tuple[Source, ...] = ()
    entities: tuple[Entity, ...] = ()
    statements: tuple[Statement, ...] = ()
    statistics: tuple[Statistic, ...] = ()
    quotes: tuple[Quote, ...] = ()
    claims: tuple[Claim, ...] = ()
    events: tuple[Event, ...] = ()
    #: (id, kind) of records that could not be read: their own problem is reported, and
    #: references to them are not reported again on top of it.
    unreadable: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def records(self) -> Iterator[Record]:
        """Every record, sources first, in a fixed order of kinds."""
        yield from self.sources
        yield from self.entities
        yield from self.statements
        yield from self.statistics
        yield from self.quotes
        yield from self.claims
        yield from self.events

    def __len__(self) -> int:
        kinds = (self.sources, self.entities, self.statements, self.statistics, self.quotes, self.claims, self.events)
        return sum(map(len, kinds))
