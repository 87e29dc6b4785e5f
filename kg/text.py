"""Source texts as evidence is matched in them: repairs, normalisation, anchors.

Pure functions and values only; reading texts from disk is :mod:`kg.evidence`.

A text is *normalised* in three steps: the source's recorded repairs are applied (in
one pass, each rule in its context), then Unicode NFC, then every run of white space
becomes one space and the ends are trimmed. Matching also folds typographic quotes
(‘ ’ “ ” …) to ASCII ones, one character for one.

Evidence is found in the normalised text, but the offsets the graph records count
code points of the *raw* text, the file as read (UTF-8) whose SHA-256 the graph
records: the normalisation keeps, for every character it makes, the raw span it came
from, so that ``raw[start:end]``, repaired and normalised, is the quoted ``exact``.
"""

from __future__ import annotations

import functools
import itertools
import re
import sys
import unicodedata
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.model import Citation, Repair

#: The runs of white space that tidying changes: all but a lone plain space (most of them, in
#: prose), which already stands for itself.
_SPACE_TO_TIDY = re.compile(r"\s{2,}|[^\S ]")
#: Typographic quotes and what each folds to. Folding replaces them one at a time: each
#: ``str.replace`` is a fast scan, where ``str.translate`` looks every character of a
#: non-ASCII text up in a table (10 to 20 times slower here).
_QUOTE_FOLD = (
    ("\u2018", "'"),
    ("\u2019", "'"),
    ("\u201a", "'"),
    ("\u201b", "'"),
    ("\u2032", "'"),
    ("\u201c", '"'),
    ("\u201d", '"'),
    ("\u201e", '"'),
    ("\u201f", '"'),
    ("\u2033", '"'),
)
#: How many characters of context a TextQuoteSelector keeps on each side.
CONTEXT_CHARS = 32
#: Characters a literal in the graph may not hold (as curated text may not): C0 and C1
#: controls, DEL, lone surrogates and U+FFFE/U+FFFF. Quote context stops at them.
UNWRITABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: Characters a terminal acts on instead of showing: C0 and C1 controls (escape and bell among
#: them), DEL, and the bidirectional overrides and isolates, which reorder what follows them;
#: and the lone surrogates that stand for a file name's undecodable bytes.
_TERMINAL_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: How much repairs may grow a text: a repair mends damaged characters, it does not write text.
MAX_GROWTH = 2

# What each repair context matches, as a look-behind (before) and a look-ahead (after) of
# one character. "line-start" also matches the start of the text, "line-end" its end.
_BEFORE = {
    "letter": r"(?<=[^\W\d_])",
    "digit": r"(?<=\d)",
    "space": r"(?<=\s)",
    "punctuation": r"(?<=[^\w\s])",
    "line-start": r"(?<![^\n\r])",
}
_AFTER = {
    "letter": r"(?=[^\W\d_])",
    "digit": r"(?=\d)",
    "space": r"(?=\s)",
    "punctuation": r"(?=[^\w\s])",
    "line-end": r"(?![^\n\r])",
}


def _either(fragments: dict[str, str], names: Sequence[str]) -> str:
    return "(?:" + "|".join(fragments[name] for name in names) + ")" if names else ""


@functools.lru_cache(maxsize=256)
def _rules(repairs: tuple[Repair, ...]) -> re.Pattern[str] | None:
    """One pattern for a source's repairs: an alternative (a group) per rule, in order, so
    that at each place the first rule that fits wins. Built from escaped literals and fixed
    fragments only, so no curated text becomes a regular expression."""
    if not repairs:
        return None
    alternatives = [f"({_either(_BEFORE, r.preceded_by)}{re.escape(r.replace)}{_either(_AFTER, r.followed_by)})" for r in repairs]
    return re.compile("|".join(alternatives))


def _matches(text: str, repairs: Sequence[Repair], start: int = 0) -> Iterator[tuple[int, int, str]]:
    """Each repair in ``text`` from ``start`` on: (start, end, replacement)."""
    pattern = _rules(tuple(repairs))
    if pattern is None:
        return
    for match in pattern.finditer(text, start):
        yield match.start(), match.end(), repairs[(match.lastindex or 1) - 1].with_


def repaired_length(text: str, repairs: Sequence[Repair]) -> int:
    """How long ``text`` is once repaired (without making the repaired text)."""
    return len(text) + sum(len(with_) - (end - start) for start, end, with_ in _matches(text, repairs))


def repair(text: str, repairs: Sequence[Repair]) -> str:
    """Apply a source's recorded repairs in one pass: at each place the first rule whose
    damaged text and context fit is applied; the replacement is not repaired again."""
    return repair_within(text, repairs, 0, len(text)) if repairs else text


def repair_within(text: str, repairs: Sequence[Repair], start: int, end: int) -> str:
    """``text[start:end]`` repaired, each rule's context read in the whole of ``text``."""
    pieces: list[str] = []
    at = start
    for m_start, m_end, with_ in _matches(text, repairs, start):
        if m_end > end:
            break
        pieces += (text[at:m_start], with_)
        at = m_end
    pieces.append(text[at:end])
    return "".join(pieces)


def tidy(text: str) -> str:
    """Unicode NFC, each run of white space one space, ends trimmed. (``str.split`` and
    ``\\s`` in a pattern know the same 29 white-space characters.)"""
    return " ".join(unicodedata.normalize("NFC", text).split())


def normalise(text: str, repairs: Sequence[Repair] = ()) -> str:
    """The normalised form of a text: repaired, then tidied."""
    return tidy(repair(text, repairs))


def fold(text: str) -> str:
    """Typographic quotes folded to ASCII, one character for one."""
    for typographic, plain in _QUOTE_FOLD:
        if typographic in text:
            text = text.replace(typographic, plain)
    return text


# --- normalisation that remembers where each character came from -------------------------


@dataclass(frozen=True, slots=True)
class Mapped:
    """A text and, for each of its characters, the span of the raw text it came from."""

    text: str
    starts: array[int]
    ends: array[int]


#: Offsets 0, 1, 2, … kept to be copied: slicing them is a copy of memory, where building an
#: array from a range makes a Python integer of each (20 times slower for a source's text).
_COUNTING = array("q", range(1 << 20))


def _counting(start: int, stop: int) -> array[int]:
    """The offsets ``start`` to ``stop - 1``."""
    if stop < len(_COUNTING):
        return _COUNTING[start:stop]
    return array("q", range(start, stop))


def _identity(text: str, offset: int = 0) -> Mapped:
    return Mapped(text, _counting(offset, offset + len(text)), _counting(offset + 1, offset + len(text) + 1))


def _repair_mapped(raw: str, repairs: Sequence[Repair]) -> Mapped:
    pieces: list[str] = []
    starts, ends = array("q"), array("q")
    at = 0
    for m_start, m_end, with_ in _matches(raw, repairs):
        pieces += (raw[at:m_start], with_)
        starts.extend(_counting(at, m_start))
        ends.extend(_counting(at + 1, m_start + 1))
        if len(with_) == m_end - m_start:  # one for one: each character keeps its place
            starts.extend(_counting(m_start, m_end))
            ends.extend(_counting(m_start + 1, m_end + 1))
        else:  # every character of the replacement stands for the whole damaged span
            starts.extend([m_start] * len(with_))
            ends.extend([m_end] * len(with_))
        at = m_end
    pieces.append(raw[at:])
    starts.extend(_counting(at, len(raw)))
    ends.extend(_counting(at + 1, len(raw) + 1))
    return Mapped("".join(pieces), starts, ends)


@functools.cache
def _composes_with_previous() -> frozenset[str]:
    """Starters that NFC may join to the character before them (the second character of a
    canonical composition, e.g. Hangul vowels and trailing consonants)."""
    found = {chr(c) for c in range(0x1161, 0x1176)} | {chr(c) for c in range(0x11A8, 0x11C3)}
    for code in range(sys.maxunicode + 1):
        decomposition = unicodedata.decomposition(chr(code))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                found.add(chr(int(parts[1], 16)))
    return frozenset(c for c in found if unicodedata.combining(c) == 0)


def _nfc_mapped(mapped: Mapped) -> Mapped:
    """NFC, segment by segment: a segment starts at a character NFC never joins to the one
    before it. A segment NFC leaves alone keeps its map; a changed one maps each of its
    characters to the whole segment's raw span."""
    text = mapped.text
    if unicodedata.is_normalized("NFC", text):
        return mapped
    joiners = _composes_with_previous()
    bounds = [0] + [i for i in range(1, len(text)) if unicodedata.combining(text[i]) == 0 and text[i] not in joiners] + [len(text)]
    pieces: list[str] = []
    starts, ends = array("q"), array("q")
    for a, b in itertools.pairwise(bounds):
        segment = text[a:b]
        composed = unicodedata.normalize("NFC", segment)
        pieces.append(composed)
        if composed == segment:
            starts.extend(mapped.starts[a:b])
            ends.extend(mapped.ends[a:b])
        else:
            starts.extend([mapped.starts[a]] * len(composed))
            ends.extend([mapped.ends[b - 1]] * len(composed))
    return Mapped("".join(pieces), starts, ends)


def _tidy_mapped(mapped: Mapped) -> Mapped:
    """Each run of white space one space (standing for the whole run), ends trimmed."""
    text = mapped.text
    pieces: list[str] = []
    starts, ends = array("q"), array("q")
    at = 0
    for run in _SPACE_TO_TIDY.finditer(text):
        pieces += (text[at : run.start()], " ")
        starts.extend(mapped.starts[at : run.start()])
        ends.extend(mapped.ends[at : run.start()])
        starts.append(mapped.starts[run.start()])
        ends.append(mapped.ends[run.end() - 1])
        at = run.end()
    pieces.append(text[at:])
    starts.extend(mapped.starts[at:])
    ends.extend(mapped.ends[at:])
    joined = "".join(pieces)
    lead = len(joined) - len(joined.lstrip(" "))
    stop = len(joined.rstrip(" ")) if joined.strip(" ") else lead
    return Mapped(joined[lead:stop], starts[lead:stop], ends[lead:stop])


def normalise_mapped(raw: str, repairs: Sequence[Repair] = ()) -> Mapped:
    """The normalised text (equal to ``normalise(raw, repairs)``) with its map to ``raw``."""
    return _tidy_mapped(_nfc_mapped(_repair_mapped(raw, repairs) if repairs else _identity(raw)))


def _context(text: str, start: int, end: int, *, before: bool) -> str:
    """Up to :data:`CONTEXT_CHARS` characters beside a quote, stopping at a character no
    literal may hold, so the context stays a true neighbour of the quote."""
    if before:
        window = text[max(0, start - CONTEXT_CHARS) : start]
        cut = [m.end() for m in UNWRITABLE.finditer(window)]
        return window[cut[-1] :] if cut else window
    window = text[end : end + CONTEXT_CHARS]
    first = UNWRITABLE.search(window)
    return window[: first.start()] if first else window


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where an evidence quote stands: ``exact`` with its context in the normalised text,
    and ``start``/``end``, code points of the raw text (0-based, end exclusive)."""

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SourceText:
    """A source's full text, read and normalised once."""

    source_id: str
    path: Path
    sha256: str
    raw: str
    normalised: Mapped
    folded: str

    @property
    def text(self) -> str:
        """The normalised text."""
        return self.normalised.text

    def find(self, evidence: str, repairs: Sequence[Repair]) -> Anchor | None:
        """The anchor of ``evidence`` in this text, or None when it is not there verbatim."""
        needle = fold(normalise(evidence, repairs))
        if not needle:
            return None
        start = self.folded.find(needle)
        if start < 0:
            return None
        end = start + len(needle)
        starts, ends = self.normalised.starts, self.normalised.ends
        # A quote that begins or ends inside a replacement (or NFC segment) takes all of it,
        # so that the raw span it selects normalises to exactly the quote.
        while start > 0 and starts[start - 1] == starts[start] and ends[start - 1] == ends[start]:
            start -= 1
        while end < len(starts) and starts[end] == starts[end - 1] and ends[end] == ends[end - 1]:
            end += 1
        text = self.text
        return Anchor(
            exact=text[start:end],
            prefix=_context(text, start, end, before=True),
            suffix=_context(text, start, end, before=False),
            start=starts[start],
            end=ends[end - 1],
        )


def source_text(source_id: str, path: Path, sha256: str, raw: str, repairs: Sequence[Repair]) -> SourceText:
    """A source's text, normalised with its map to the raw text."""
    mapped = normalise_mapped(raw, repairs)
    return SourceText(source_id, path, sha256, raw, mapped, fold(mapped.text))


def citation_key(record_id: str, index: int) -> tuple[str, int]:
    """How an anchor is looked up: the citing record's id and the citation's place in it."""
    return (record_id, index)


def clean(text: str, repairs: Sequence[Repair] = ()) -> str:
    """Evidence or quoted words as the graph holds them: repaired, in Unicode NFC."""
    return unicodedata.normalize("NFC", repair(text, repairs))


def evidence_of(record_text: str | None, citation: Citation) -> str:
    """A citation's evidence, which for a quotation defaults to the quoted words."""
    return citation.evidence or (record_text or "")


def printable(text: str) -> str:
    """Text from a dataset or a graph as a terminal should show it: each control character
    written as an escape (``\\x1b``, ``\\n``, ``\\u202e``), so that it can neither move the
    cursor, retitle the window, reorder the line nor start a line of its own."""
    return _TERMINAL_CONTROL.sub(_escaped, text)


def one_line(said: str, width: int = 200) -> str:
    """A parser's or engine's message on one line for a terminal: white space runs made one
    space, control characters escaped, cut to ``width`` characters."""
    said = " ".join(said.split())
    return printable(said if len(said) <= width else said[: width - 1] + "…")


#: rdflib's Turtle error: ``at line 1 of <>:\nBad syntax (expected …) at ^ in:\n"…"``.
_TURTLE_ERROR = re.compile(r"at line (\d+) of <[^>]*>:\s*(.*?)(?:\s+at \^ in:.*)?", re.S)


def parser_said(err: Exception) -> str:
    """A parser's complaint in one line, fit for a terminal: ``line 1: Bad syntax (…)``."""
    said = str(err)
    found = _TURTLE_ERROR.fullmatch(said)
    if found:
        said = f"line {found[1]}: {found[2]}"
    return one_line(said) or type(err).__name__


def _escaped(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")
