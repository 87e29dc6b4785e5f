"""The curated data format, stated once: what each record kind may hold and how each value
is read from a YAML node into a typed value (or a :class:`Bad` naming what is wrong).

:mod:`kg.load` applies it to files, :mod:`kg.schema` derives the JSON Schema from it, and the
README's field tables are checked against it. Parsing only: whether references resolve, ids
are unique or evidence is in the source is for :mod:`kg.check`.
"""

from __future__ import annotations

import calendar
import decimal
import difflib
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox

from kg import vocab
from kg.iri import NOT_A_NAMESPACE, base_problem
from kg.model import (
    Citation,
    Claim,
    Entity,
    Event,
    Number,
    Period,
    Pos,
    Quote,
    Repair,
    Source,
    Statement,
    Statistic,
    TypedValue,
    Where,
)
from kg.problems import Problem
from kg.yamlnodes import Mapping, Node, Scalar, Sequence, describe

#: The id rule: lowercase letters and digits in words joined by single hyphens.
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_ID_LENGTH = 64
#: Characters no curated text may hold: C0 and C1 controls but tab and newline, DEL,
#: lone surrogates and the two non-characters U+FFFE and U+FFFF.
FORBIDDEN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_LOOKS_NUMERIC = re.compile(r"[-+]?[0-9][0-9,._ ]*")
#: Digits grouped in threes by one kind of separator: 12,000 or 1 234 567.5.
_GROUPED = re.compile(r"-?[0-9]{1,3}(?:(?:,[0-9]{3})+|(?: [0-9]{3})+|(?:_[0-9]{3})+)(?:\.[0-9]+)?")
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_DURATION = re.compile(r"P(?=[0-9T])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_IRI_FORBIDDEN = re.compile(r"[\x00-\x20<>\"{}|^`\\\x7f-\x9f]")
UNKNOWN = "unknown"
#: What ``kg add-source`` writes where the curator still has to fill a field in.
TODO = "TODO"
#: Where a source's field still says TODO: ``where["todo:published"]``.
TODO_MARK = "todo:"
#: The rule of the problems that say a value is still to fill in.
TODO_RULE = "todo"
_TODO_HINT = "fill it in from the source (kg add-source left it for you)"
#: The most digits a statistic's figure may have (before and after the point): beyond
#: it, tools disagree (Python's int() refuses more than 4300 digits) and no count needs it.
MAX_NUMBER_DIGITS = 30
#: The most digits of one number in a duration (``P999999D``): RDF tools hold days and
#: seconds in fixed-size fields (Python's timedelta stops at 999,999,999 days).
MAX_DURATION_DIGITS = 6
#: How much of a wrong value a message repeats.
SHOWN_VALUE_CHARS = 60


def is_placeholder(value: str) -> bool:
    """Whether a curated value is still to fill in: TODO in any case, alone or followed by a
    mark ("todo", "todo: find the date", "Todo-check"), or TODO in capitals followed by
    anything but a letter ("TODO find the date"). A word that only starts with those letters
    ("Todos", "TODOS los días"), and the word "todo" in a sentence ("Todo por la patria",
    "Todo list"), are values. A value holding a character no text may hold ("TODO\\x00") is
    refused for that character instead."""
    if value[:4].upper() != TODO or FORBIDDEN_TEXT.search(value):
        return False
    after = value[4:5]
    return not after or (not after.isalpha() and (value[:4] == TODO or not after.isspace()))


def _shorten(value: str) -> str:
    """A value as a message repeats it: cut to its first characters when long."""
    if len(value) <= SHOWN_VALUE_CHARS:
        return value
    return f"{value[: SHOWN_VALUE_CHARS - 20]}…{value[-10:]}"


class Bad(Exception):
    """A field's value is wrong: what, a hint how to fix it, and where (if not the field).

    ``part`` names the wrong part of a nested value after the field's name (``[2]``,
    ``.end``, ``[1].evidence``); ``problems`` holds several such, fields likewise relative.
    """

    def __init__(
        self,
        message: str = "",
        hint: str = "",
        pos: Pos | None = None,
        part: str = "",
        problems: list[Problem] | None = None,
    ):
        super().__init__(message or (problems[0].message if problems else ""))
        self.message = message
        self.hint = hint
        self.pos = pos
        self.part = part
        self.problems = problems or []

    def under(self, name: str, pos: Pos) -> list[Problem]:
        """The problems this names, as problems of field ``name`` (whose value is at ``pos``)."""
        if self.problems:
            return [Problem(p.pos or pos, f"{name}{p.field}", p.message, p.hint, p.severity) for p in self.problems]
        return [Problem(self.pos or pos, f"{name}{self.part}", self.message, self.hint)]


_NOT_ONE = {
    Sequence: "write a single value, not a '- item' list or [brackets]",
    Mapping: "write a single value, not 'key: value' lines (put text holding ': ' in double quotes)",
}


# --- field parsers: node -> value, or raise Bad -------------------------------------------


def _is_null(node: Node) -> bool:
    """Whether a node is YAML 1.2's null: nothing written, ``~``, or ``null`` unquoted."""
    return isinstance(node, Scalar) and node.plain and node.value in ("", "~", "null", "Null", "NULL")


def p_text(node: Node) -> str:
    if not isinstance(node, Scalar):
        raise Bad(f"must be text, not {describe(node)}", _NOT_ONE[type(node)])
    value = node.value
    if _is_null(node):
        raise Bad("is empty", "write a value or remove the field")
    bad = FORBIDDEN_TEXT.search(value)
    if bad:
        char = bad.group()
        pair = value[bad.start() : bad.start() + 2]
        if len(pair) == 2 and "\ud800" <= pair[0] <= "\udbff" and "\udc00" <= pair[1] <= "\udfff":
            joined = pair.encode("utf-16", "surrogatepass").decode("utf-16")
            raise Bad(
                f"holds a surrogate pair (U+{ord(pair[0]):04X} U+{ord(pair[1]):04X}) at character {bad.start() + 1}",
                f"write the character itself, or as one escape: \\U{ord(joined):08X}",
            )
        if "\ud800" <= char <= "\udfff":
            kind, hint = "a lone surrogate", "remove it: half of a character pair is no character and cannot be saved as UTF-8"
        elif char in "\ufffe\uffff":
            kind, hint = "a non-character", "remove it: U+FFFE and U+FFFF are no characters"
        else:
            kind, hint = "a control character", "remove it: curated text may hold tabs and newlines but no other control characters"
        raise Bad(f"holds {kind} (U+{ord(char):04X}) at character {bad.start() + 1}", hint)
    if not value.strip():
        raise Bad("is empty", "write a value or remove the field")
    return value


def id_suggestion(value: str) -> str:
    """The nearest id that keeps the id rule ('' when there is none): ``Home Office`` -> ``home-office``.

    An id longer than the limit is cut after its last whole word that fits, never mid-word."""
    words = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
    if len(words) <= MAX_ID_LENGTH:
        return words
    cut = words[: MAX_ID_LENGTH + 1]
    return cut[: cut.rfind("-")] if "-" in cut else words[:MAX_ID_LENGTH]


def is_id(value: str) -> bool:
    """Whether ``value`` keeps the id rule: lowercase letters and digits joined by single
    hyphens, at most :data:`MAX_ID_LENGTH` characters."""
    return len(value) <= MAX_ID_LENGTH and ID_PATTERN.fullmatch(value) is not None


def p_id(node: Node) -> str:
    value = p_text(node)
    if not is_id(value):
        suggestion = id_suggestion(value)
        raise Bad(
            f"{_shorten(value)!r} breaks the id rule"
            f" (lowercase letters and digits joined by single hyphens, at most {MAX_ID_LENGTH} characters)",
            f"write it as {suggestion!r}" if suggestion else "use words such as home-office",
        )
    return value


def p_ids(node: Node) -> tuple[str, ...]:
    if isinstance(node, Scalar):
        return (p_id(node),)
    return tuple(_each(node, p_id))


def p_texts(node: Node) -> tuple[str, ...]:
    return tuple(_each(node, p_text))


def _each(node: Node, parse_item: Callable[[Node], Any]) -> list[Any]:
    """Each item of a list parsed; every wrong item is reported, as ``[N]`` of the field."""
    if not isinstance(node, Sequence):
        raise Bad(f"must be a list, not {describe(node)}", "write one '- item' per line")
    values = []
    problems: list[Problem] = []
    for index, item in enumerate(node.items):
        try:
            values.append(parse_item(item))
        except Bad as bad:
            problems += bad.under(f"[{index + 1}]", item.pos)
    if problems:
        raise Bad(problems=problems)
    return values


def p_number(node: Node) -> Number:
    if not isinstance(node, Scalar):
        raise Bad(f"must be a number, not {describe(node)}", "write one number, e.g. 550")
    value = node.value.strip()
    plain_digits = value.replace(",", "").replace("_", "").replace(" ", "")
    if not node.plain and _NUMBER.fullmatch(value):
        raise Bad(f"{value!r} is written as text (in quotes)", f"write the number without quotes: {value}")
    if value == "-0":
        raise Bad("'-0' is not a whole number's usual form", "write 0")
    digits = sum(char.isdigit() for char in value)
    if digits > MAX_NUMBER_DIGITS and _LOOKS_NUMERIC.fullmatch(value):
        raise Bad(
            f"{_shorten(value)!r} has {digits:,} digits, more than the {MAX_NUMBER_DIGITS} a figure may have",
            "check the figure in the source: no reported count needs so many",
        )
    if _NUMBER.fullmatch(value):
        datatype = vocab.XSD_DECIMAL if "." in value else vocab.XSD_INTEGER
        return Number(value, datatype, Decimal(value))
    if _LOOKS_NUMERIC.fullmatch(value) and _NUMBER.fullmatch(plain_digits):
        if _GROUPED.fullmatch(value):
            raise Bad(
                f"{value!r} has thousands separators",
                f"write the number as {plain_digits}, without separators or quotes",
            )
        decimal = value.replace(",", ".") if value.count(",") == 1 and _NUMBER.fullmatch(value.replace(",", ".")) else None
        raise Bad(
            f"{value!r} is unclear: its separators do not group the digits in threes",
            (f"write {decimal} if the comma is a decimal point, else " if decimal else "write ")
            + f"the number as the source gives it, without separators (e.g. {plain_digits})",
        )
    if re.fullmatch(r"-?0[0-9]+(?:\.[0-9]+)?", value):
        raise Bad(f"{value!r} has a leading zero", f"write it as {Decimal(value)}")
    raise Bad(
        f"{_shorten(value)!r} is not a number",
        "write digits only, e.g. 550 or 12.5, and put words such as 'more than' in comparator",
    )


def p_date(node: Node) -> TypedValue:
    value = p_text(node).strip()
    match = _DATE.fullmatch(value)
    if not match:
        raise Bad(
            f"{_shorten(value)!r} is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY",
            "write e.g. 2024-05-21 (day), 2023-04 (month) or 2023 (year)",
        )
    year, month, day = match.groups()
    if int(year) == 0:
        raise Bad(f"{value!r}: there is no year 0000", "write a year from 0001")
    if month is not None and not 1 <= int(month) <= 12:
        raise Bad(f"{value!r}: month {month} does not exist", "months run from 01 to 12")
    if day is not None:
        days = calendar.monthrange(int(year), int(month or 1))[1]
        if not 1 <= int(day) <= days:
            raise Bad(
                f"{value!r}: day {day} does not exist ({year}-{month} has {days} days)",
                "check the date in the source",
            )
        return TypedValue(value, vocab.XSD_DATE)
    return TypedValue(value, vocab.XSD_GYEARMONTH if month else vocab.XSD_GYEAR)


def p_date_or_unknown(node: Node) -> TypedValue | None:
    if isinstance(node, Scalar) and node.value == UNKNOWN:
        return None
    return p_date(node)


def p_text_or_unknown(node: Node) -> str | None:
    value = p_text(node)
    return None if value == UNKNOWN else value


def p_bool(node: Node) -> bool:
    if isinstance(node, Scalar) and node.plain and node.value in ("true", "false"):
        return node.value == "true"
    raise Bad(f"must be true or false, not {describe(node)}", "write true or false, without quotes")


#: What the parsers of nested or listed values take, so that kg.schema can describe them:
#: a controlled list's values, a nested mapping's spec, a list of mappings' item spec.
CHOICES: dict[Callable[[Node], Any], tuple[str, ...]] = {}
MAPPING_SPECS: dict[Callable[[Node], Any], dict[str, tuple[bool, Callable[[Node], Any]]]] = {}
LIST_SPECS: dict[Callable[[Node], Any], dict[str, tuple[bool, Callable[[Node], Any]]]] = {}
#: Parsers that take one value of a controlled list or a list of them.
CHOICE_LISTS: dict[Callable[[Node], Any], tuple[str, ...]] = {}


def p_choice(list_name: str) -> Callable[[Node], str]:
    allowed = vocab.CONTROLLED_LISTS[list_name][1]

    def parse_choice(node: Node) -> str:
        value = p_text(node)
        if value in allowed:
            return value
        close = difflib.get_close_matches(value.lower().replace(" ", "-"), allowed, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise Bad(f"unknown {list_name} {_shorten(value)!r}", f"{hint}allowed: {', '.join(allowed)}")

    CHOICES[parse_choice] = allowed
    return parse_choice


def canonical_duration(value: str) -> str:
    """The canonical form of a checked ISO 8601 duration: months carried into years,
    seconds into minutes, hours into days, zero parts left out (``P18M`` -> ``P1Y6M``).
    Each number has at most :data:`MAX_DURATION_DIGITS` digits, so the sums are exact."""
    with decimal.localcontext() as context:
        context.prec = 4 * MAX_DURATION_DIGITS + 20
        return _canonical_duration(value)


def _canonical_duration(value: str) -> str:
    parts = dict.fromkeys("YMDHmS", Decimal(0))
    date_part, _, time_part = value[1:].partition("T")
    for part, units in ((date_part, "YMD"), (time_part, "HmS")):
        for number, unit in re.findall(r"([0-9.]+)([YMDHS])", part):
            parts["m" if units == "HmS" and unit == "M" else unit] = Decimal(number)
    months = parts["Y"] * 12 + parts["M"]
    seconds = ((parts["D"] * 24 + parts["H"]) * 60 + parts["m"]) * 60 + parts["S"]
    years, months = divmod(months, 12)
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    date = "".join(f"{n.normalize():f}{u}" for n, u in ((years, "Y"), (months, "M"), (days, "D")) if n)
    time = "".join(f"{n.normalize():f}{u}" for n, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    return "P" + date + (f"T{time}" if time else "") if date or time else "P0D"


def p_duration(node: Node) -> str:
    value = p_text(node).strip()
    if not _DURATION.fullmatch(value):
        raise Bad(
            f"{_shorten(value)!r} is not an ISO 8601 duration",
            "write e.g. P1Y (a year), P6M (six months), P30D (thirty days), PT12H (twelve hours)",
        )
    longest = max(len(number) for number in re.findall(r"[0-9]+", value))
    if longest > MAX_DURATION_DIGITS:
        raise Bad(
            f"{_shorten(value)!r} has a number of {longest:,} digits, more than the {MAX_DURATION_DIGITS} a duration's part may have",
            "check the period in the source: no period needs so many digits",
        )
    canonical = canonical_duration(value)
    if canonical != value:
        raise Bad(
            f"{value!r} is not in canonical form, which RDF tools would rewrite",
            f"write {canonical!r} (the period's label keeps the source's own words)",
        )
    return value


def p_iri(node: Node) -> str:
    value = p_text(node)
    try:
        parts = urlsplit(value)
        ox.NamedNode(value)  # pyoxigraph's strict IRI parser: what it refuses no writer could write
    except ValueError:
        parts = None
    if parts is None or _IRI_FORBIDDEN.search(value) or parts.scheme not in ("http", "https") or not parts.netloc:
        raise Bad(
            f"{_shorten(value)!r} is not a valid http(s) IRI",
            "write the full address, e.g. https://example.org/page, with no spaces, quotes or angle brackets,"
            " and %-escapes of two hex digits",
        )
    return value


def p_base(node: Node) -> str:
    value = p_iri(node)
    wrong = base_problem(value)
    if wrong == NOT_A_NAMESPACE:
        raise Bad(f"{_shorten(value)!r} cannot prefix ids", "end the namespace with '/' or '#', e.g. https://example.org/id/")
    if wrong:
        raise Bad(f"{_shorten(value)!r} {wrong}", "choose a namespace of your own, e.g. https://example.org/id/")
    return value


def p_sha256(node: Node) -> str:
    value = p_text(node).strip()
    if not _SHA256.fullmatch(value):
        raise Bad(f"{_shorten(value)!r} is not a SHA-256 hash", "write the 64 lowercase hex digits that `sha256sum FILE` prints")
    return value


# --- records -------------------------------------------------------------------------------

Spec = dict[str, tuple[bool, Callable[[Node], Any]]]


#: How to add a required field that is missing, where ``add 'NAME:'`` says too little.
_MISSING_HINTS = {
    "sources": "every fact needs a source: add 'sources:' with '- source: ID' and its 'evidence:' quote",
    "evidence": "add 'evidence:' with the words of the source that support the fact, copied exactly",
    "source": "add 'source: ID' naming the source",
}


def _fields(node: Node, spec: Spec, prefix: str, problems: list[Problem]) -> dict[str, Any] | None:
    """The parsed fields of one mapping, or None (with problems) when any is wrong.

    Field names in problems start with ``prefix`` (``"[2]."`` for a nested record, whose
    problems its parent reports under its own field's name)."""
    if not isinstance(node, Mapping):
        problems.append(
            Problem(
                node.pos,
                prefix.removesuffix(".") if prefix else "record",  # a nested mapping ("."): its field's name alone
                f"must be a mapping of fields, not {describe(node)}",
                "write 'field: value' lines, each field on its own line",
            )
        )
        return None
    values: dict[str, Any] = {"_pos": node.pos, "_where": {}}
    ok = True
    misspelt: set[str] = set()  # fields an unknown one was taken for: not also reported missing
    for written, (key_pos, value_node) in node.items.items():
        name = written
        field_name = f"{prefix}{name}"
        bad_char = FORBIDDEN_TEXT.search(written)
        if bad_char:
            name = FORBIDDEN_TEXT.sub("", written)
            field_name = f"{prefix}{name}"
            problems.append(
                Problem(
                    key_pos,
                    field_name,
                    f"the field name {written!r} holds a control character (U+{ord(bad_char.group()):04X})",
                    "remove it",
                )
            )
            ok = False
        if name not in spec:
            close = difflib.get_close_matches(name, list(spec), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(spec)}"
            problems.append(Problem(key_pos, field_name, f"unknown field {_shorten(name)!r}", hint))
            misspelt.update(close)
            ok = False
            continue
        if isinstance(value_node, Scalar) and is_placeholder(value_node.value):
            optional = "" if spec[name][0] else ", or remove the line: the field is optional"
            if spec is TEXT_REF_SPEC and name == "sha256":
                values[name] = None  # kg check reports it, with the hash of the text where it finds it
                continue
            still = f"still to fill in ({value_node.value})"
            problems.append(Problem(value_node.pos, field_name, still, _TODO_HINT + optional, rule=TODO_RULE))
            if spec is SPECS["sources"] and name != "id":  # a new source's skeleton still names its text (for kg coverage)
                values[name] = None
                values["_where"][TODO_MARK + name] = value_node.pos
            else:
                ok = False
            continue
        try:
            values[name] = spec[name][1](value_node)
        except Bad as bad:
            problems.extend(bad.under(field_name, value_node.pos))
            ok = False
            continue
        values["_where"][name] = value_node.pos
        if isinstance(value_node, Mapping):
            for key, (_, inner) in value_node.items.items():
                values["_where"][f"{name}.{key}"] = inner.pos
    for name, (required, _) in spec.items():
        if required and name not in values and name not in misspelt and not any(FORBIDDEN_TEXT.sub("", key) == name for key in node.items):
            hint = _MISSING_HINTS.get(name, f"add '{name}:' to this record")
            problems.append(Problem(node.pos, f"{prefix}{name}", f"missing required field {name!r}", hint))
            ok = False
    return values if ok else None


def _nested(node: Node, spec: Spec, part: str = ".") -> dict[str, Any]:
    """The fields of a mapping inside a field; its problems are raised for the field to report."""
    inner: list[Problem] = []
    values = _fields(node, spec, part, inner)
    if values is None:
        raise Bad(problems=inner)
    return values


def _where(values: dict[str, Any]) -> Where:
    return Where(values["_where"])


def _citations(default_status: str) -> Callable[[Node], tuple[Citation, ...]]:
    spec: Spec = {
        "source": (True, p_id),
        "evidence": (default_status != "quoted", p_text),
        "status": (False, p_choice("status")),
        "attributed_to": (False, p_id),
        "when": (False, p_text),
        "date": (False, p_date),
        "held": (False, p_choice("held")),
        "during": (False, p_id),
    }

    def parse_citations(node: Node) -> tuple[Citation, ...]:
        if not isinstance(node, Sequence) or not node.items:
            raise Bad(
                "must list at least one source" if isinstance(node, Sequence) else f"must be a list, not {describe(node)}",
                "every fact needs a source: add '- source: ID' with its 'evidence:' quote",
            )
        citations = []
        problems: list[Problem] = []
        for index, item in enumerate(node.items):
            values = _fields(item, spec, f"[{index + 1}].", problems)
            if values is None:
                continue
            citations.append(
                Citation(
                    source=values["source"],
                    evidence=values.get("evidence", ""),
                    status=values.get("status", default_status),
                    attributed_to=values.get("attributed_to"),
                    pos=values["_pos"],
                    where=_where(values),
                    when=values.get("when"),
                    date=values.get("date"),
                    held=values.get("held"),
                    during=values.get("during"),
                )
            )
        if problems:
            raise Bad(problems=problems)
        return tuple(citations)

    LIST_SPECS[parse_citations] = spec
    return parse_citations


PERIOD_SPEC: Spec = {
    "label": (True, p_text),
    "duration": (False, p_duration),
    "anchor": (False, p_choice("anchor")),
    "start": (False, p_date),
    "end": (False, p_date),
}
TEXT_REF_SPEC: Spec = {"file": (True, p_text), "sha256": (True, p_sha256)}


def p_period(node: Node) -> Period:
    values = _nested(node, PERIOD_SPEC)
    return Period(
        label=values["label"],
        duration=values.get("duration"),
        anchor=values.get("anchor"),
        start=values.get("start"),
        end=values.get("end"),
    )


#: Repairs mend damaged characters: a few short rules per source.
MAX_REPAIRS = 64
MAX_REPAIR_CHARS = 16


def p_repair_text(node: Node) -> str:
    value = p_text(node)
    if len(value) > MAX_REPAIR_CHARS:
        raise Bad(
            f"is {len(value)} characters long; a repair replaces at most {MAX_REPAIR_CHARS}",
            "a repair mends damaged characters: name the damaged characters and what they stand for",
        )
    return value


def p_context(side: str) -> Callable[[Node], tuple[str, ...]]:
    """``preceded_by``/``followed_by``: one context or a list of them."""
    allowed = [c for c in vocab.CONTROLLED_LISTS["repair-context"][1] if c != ("line-end" if side == "before" else "line-start")]

    def parse_one(node: Node) -> str:
        value = p_text(node)
        if value in allowed:
            return value
        close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise Bad(f"unknown context {_shorten(value)!r}", f"{hint}allowed: {', '.join(allowed)}")

    def parse_context(node: Node) -> tuple[str, ...]:
        return (parse_one(node),) if isinstance(node, Scalar) else tuple(_each(node, parse_one))

    CHOICE_LISTS[parse_context] = tuple(allowed)
    return parse_context


REPAIR_SPEC: Spec = {
    "replace": (True, p_repair_text),
    "with": (True, p_repair_text),
    "preceded_by": (False, p_context("before")),
    "followed_by": (False, p_context("after")),
    "reason": (True, p_text),
}


def p_repairs(node: Node) -> tuple[Repair, ...]:
    def one(item: Node) -> Repair:
        values = _nested(item, REPAIR_SPEC)
        return Repair(values["replace"], values["with"], values["reason"], values.get("preceded_by", ()), values.get("followed_by", ()))

    if isinstance(node, Sequence) and len(node.items) > MAX_REPAIRS:
        raise Bad(
            f"has {len(node.items)} repairs; a source may have at most {MAX_REPAIRS}", "a repair mends damaged characters: keep a few rules"
        )
    return tuple(_each(node, one))


MAPPING_SPECS[p_period] = PERIOD_SPEC


def p_outside_text(node: Node) -> tuple[str, ...]:
    """The source's metadata fields taken from outside its text: one name or a list."""
    allowed = vocab.OUTSIDE_TEXT_FIELDS

    def one(item: Node) -> str:
        value = p_text(item)
        if value not in allowed:
            raise Bad(f"{_shorten(value)!r} is not a metadata field", f"name one of: {', '.join(allowed)}")
        return value

    return (one(node),) if isinstance(node, Scalar) else tuple(_each(node, one))


CHOICE_LISTS[p_outside_text] = vocab.OUTSIDE_TEXT_FIELDS
LIST_SPECS[p_repairs] = REPAIR_SPEC


def p_text_ref(node: Node) -> tuple[str, str | None]:
    """The text's file name and SHA-256 (None while it says TODO: kg check reports it)."""
    values = _nested(node, TEXT_REF_SPEC)
    name = values["file"]
    if Path(name).is_absolute() or ".." in Path(name).parts:
        raise Bad(
            f"{name!r} must be a file name relative to the texts folder",
            "write just the file's name",
            values["_where"]["file"],
            ".file",
        )
    return name, values["sha256"]


MAPPING_SPECS[p_text_ref] = TEXT_REF_SPEC

_ENTITY: Spec = {
    "id": (True, p_id),
    "name": (True, p_text),
    "alt_names": (False, p_texts),
    "sources": (True, _citations("stated")),
}

SPECS: dict[str, Spec] = {
    "sources": {
        "id": (True, p_id),
        "kind": (True, p_choice("source-kind")),
        "title": (True, p_text),
        "title_evidence": (False, p_text),
        "subtitle": (False, p_text),
        "url": (False, p_iri),
        "publisher": (True, p_text_or_unknown),
        "author": (True, p_text_or_unknown),
        "published": (False, p_date_or_unknown),
        "modified": (False, p_date_or_unknown),
        "undated": (False, p_bool),
        "language": (False, p_text),
        "text": (False, p_text_ref),
        "repairs": (False, p_repairs),
        "outside_text": (False, p_outside_text),
    },
    "organisations": _ENTITY,
    "people": _ENTITY,
    "posts": {**_ENTITY, "single_holder": (False, p_bool)},
    "places": _ENTITY,
    "initiatives": {**_ENTITY, "kind": (True, p_choice("initiative-kind"))},
    "measures": {"id": (True, p_id), "name": (True, p_text), "description": (False, p_text)},
    "statements": {
        "id": (True, p_id),
        "subject": (True, p_id),
        "predicate": (True, p_text),
        "object": (False, p_id),
        "value": (False, p_text),
        "when": (False, p_text),
        "sources": (True, _citations("stated")),
    },
    "statistics": {
        "id": (True, p_id),
        "counts": (True, p_id),
        "value": (True, p_number),
        "comparator": (True, p_choice("comparator")),
        "unit": (False, p_choice("unit")),
        "about": (True, p_ids),
        "period": (False, p_period),
        "place": (False, p_id),
        "sources": (True, _citations("stated")),
    },
    "quotes": {
        "id": (True, p_id),
        "speaker": (True, p_id),
        "text": (True, p_text),
        "spoken_to": (False, p_id),
        "sources": (True, _citations("quoted")),
    },
    "claims": {
        "id": (True, p_id),
        "about": (True, p_ids),
        "summary": (True, p_text),
        "sources": (True, _citations("stated")),
    },
    "events": {
        "id": (True, p_id),
        "kind": (True, p_choice("event-kind")),
        "name": (True, p_text),
        "date": (False, p_date),
        "when": (False, p_text),
        "place": (False, p_id),
        "participants": (False, p_ids),
        "organisers": (False, p_ids),
        "about": (False, p_ids),
        "sources": (True, _citations("stated")),
    },
}


def p_text_or_texts(node: Node) -> tuple[str, ...]:
    return p_texts(node) if isinstance(node, Sequence) else (p_text(node),)


DATASET_SPEC: Spec = {
    "title": (False, p_text),
    "description": (False, p_text),
    "base": (False, p_base),
    "texts": (False, p_text_or_texts),
}
SECTION_KIND = {
    "organisations": "organisation",
    "people": "person",
    "posts": "post",
    "places": "place",
    "initiatives": "initiative",
    "measures": "measure",
}
#: The kind of record each section holds.
RECORD_KIND = {
    **SECTION_KIND,
    "sources": "source",
    "statements": "statement",
    "statistics": "statistic",
    "quotes": "quote",
    "claims": "claim",
    "events": "event",
}


def _record(section: str, v: dict[str, Any]) -> Any:
    pos, where = v["_pos"], _where(v)
    if section == "sources":
        text = v.get("text")
        return Source(
            id=v["id"],
            kind=v["kind"],
            title=v["title"],
            title_evidence=v.get("title_evidence"),
            subtitle=v.get("subtitle"),
            url=v.get("url"),
            publisher=v["publisher"],
            author=v["author"],
            published=v.get("published"),
            modified=v.get("modified"),
            undated=v.get("undated", False),
            language=v.get("language"),
            text_file=text[0] if text else None,
            text_sha256=text[1] if text else None,
            repairs=v.get("repairs", ()),
            pos=pos,
            where=where,
            outside_text=v.get("outside_text", ()),
        )
    if section in SECTION_KIND:
        return Entity(
            kind=SECTION_KIND[section],
            id=v["id"],
            name=v["name"],
            alt_names=v.get("alt_names", ()),
            citations=v.get("sources", ()),
            pos=pos,
            where=where,
            initiative_kind=v.get("kind"),
            description=v.get("description"),
            single_holder=v.get("single_holder", False),
        )
    if section == "statements":
        return Statement(
            id=v["id"],
            subject=v["subject"],
            predicate=v["predicate"],
            object=v.get("object"),
            value=v.get("value"),
            when=v.get("when"),
            citations=v["sources"],
            pos=pos,
            where=where,
        )
    if section == "statistics":
        return Statistic(
            id=v["id"],
            counts=v["counts"],
            value=v["value"],
            comparator=v["comparator"],
            unit=v.get("unit", "count"),
            about=v["about"],
            period=v.get("period"),
            place=v.get("place"),
            citations=v["sources"],
            pos=pos,
            where=where,
        )
    if section == "quotes":
        return Quote(
            id=v["id"],
            speaker=v["speaker"],
            text=v["text"],
            spoken_to=v.get("spoken_to"),
            citations=v["sources"],
            pos=pos,
            where=where,
        )
    if section == "events":
        return Event(
            id=v["id"],
            kind=v["kind"],
            name=v["name"],
            date=v.get("date"),
            when=v.get("when"),
            place=v.get("place"),
            participants=v.get("participants", ()),
            organisers=v.get("organisers", ()),
            about=v.get("about", ()),
            citations=v["sources"],
            pos=pos,
            where=where,
        )
    return Claim(id=v["id"], about=v["about"], summary=v["summary"], citations=v["sources"], pos=pos, where=where)
