"""What a source's text says that no citation covers yet: a curator's to-do list.

For each source with a text, every figure (digits and number words such as "hundreds"), every
direct quotation and every sentence that no evidence quote touches, at ``text-file:line:col``,
and the share of those items that evidence covers. Coverage is measured on the evidence anchors
that :mod:`kg.check` grounded, whose start and end count code points of the raw text file.

The items are found in the text as the evidence check reads it (:mod:`kg.text`: the source's
repairs applied, Unicode NFC, white space tidied, quotation marks folded, though a double prime
″ opens no quotation), one paragraph a line, and placed back in the raw text through the
normalisation's map: a quotation whose marks the file has damaged is found as the check would
ground it, and where it stands in the file.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.check import Report
from kg.evidence import TextTooBig, find_text_file, read_text, text_folders
from kg.load import display_path
from kg.model import Dataset, Source
from kg.text import Mapped, SourceText, fold, normalise_mapped, printable

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen"
    "|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|dozens?|scores"
)
#: A figure: digits (grouped in threes by commas, with decimals, a per cent sign or a scale such
#: as bn) or a number word. A comma that ends a clause ("in April 2023, the") is not part of it.
FIGURE = re.compile(rf"(?<![\w.,])(?:(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?(?:%|bn|mn|m|k)?|(?i:{_NUMBER_WORDS}))(?![\w]|[.,]\d)")
#: A direct quotation, in the folded text (every double quotation mark a straight one), within one
#: paragraph: from its opening mark to its closing one, or to the end of a paragraph whose quotation
#: the next paragraph reopens (a quotation of several paragraphs opens each and closes the last).
#: ``words`` are what it quotes: without its marks, the spaces inside them and the punctuation
#: before the closing mark (which a quote record's text may leave out).
QUOTATION = re.compile(r'" *(?P<words>[^ "\n][^"\n]*?)[ ,.;:]*(?:"|(?=\n"))')
#: A sentence: up to a full stop, question or exclamation mark (with closing quotes) or a line end.
SENTENCE = re.compile(
    r"[^\s][^\n]*?(?:(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)[.!?][\"”’')\]]*(?=\s|$)|(?=\n)|$)",
    re.MULTILINE,
)
KINDS = ("figure", "quotation", "sentence")
#: ″, the double prime of inches and seconds (6′2″, 51°30′26″): folding makes it a straight
#: quotation mark, as evidence may quote it, but in a text it opens and closes no quotation.
DOUBLE_PRIME = "\u2033"


@dataclass(frozen=True, slots=True)
class Item:
    """A figure, quotation or sentence of a text: its span in the raw text (code points, as an
    evidence anchor's), where it starts (1-based line and column of the raw text), its words as
    the evidence check reads them, and the raw span evidence must hold for it to count as
    covered (a quotation's words without its marks; a figure whole)."""

    kind: str
    start: int
    end: int
    line: int
    column: int
    text: str
    held_start: int
    held_end: int


@dataclass
class SourceCoverage:
    """One source's items, and those no evidence touches."""

    source_id: str
    text_path: Path | None
    items: list[Item] = field(default_factory=list)
    uncovered: list[Item] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 if not self.items else 100.0 * (len(self.items) - len(self.uncovered)) / len(self.items)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [i + 1 for i, char in enumerate(text) if char == "\n"]
    return starts


def _paragraphs(raw: str, mapped: Mapped, folded: str) -> str:
    """``folded`` with each space that stands for a line break of ``raw`` a line break again,
    one character for one (so that ``mapped`` still places it): tidying made every run of white
    space one space, and a sentence or a quotation ends with its paragraph."""
    breaks: set[int] = set()
    for newline in re.finditer("\n", raw):
        at = bisect.bisect_right(mapped.starts, newline.start()) - 1
        if at >= 0 and folded[at] == " " and newline.start() < mapped.ends[at]:
            breaks.add(at)
    pieces: list[str] = []
    last = 0
    for at in sorted(breaks):
        pieces += (folded[last:at], "\n")
        last = at + 1
    pieces.append(folded[last:])
    return "".join(pieces)


def items_of(text: str | SourceText) -> list[Item]:
    """Every figure, quotation and sentence of a source's text (or of a text without repairs),
    in reading order: found in the text as the evidence check reads it, placed in the raw text."""
    if isinstance(text, str):
        raw, mapped = text, normalise_mapped(text)
        folded = fold(mapped.text)
    else:
        raw, mapped, folded = text.raw, text.normalised, text.folded
    searched = _paragraphs(raw, mapped, folded)
    if DOUBLE_PRIME in mapped.text:  # one character for one: put each back where folding took it
        chars = list(searched)
        for prime in re.finditer(DOUBLE_PRIME, mapped.text):
            chars[prime.start()] = DOUBLE_PRIME
        searched = "".join(chars)
    starts = _line_starts(raw)

    def at(kind: str, start: int, end: int, held: tuple[int, int] | None = None) -> Item:
        raw_start, raw_end = mapped.starts[start], mapped.ends[end - 1]
        held_start, held_end = (mapped.starts[held[0]], mapped.ends[held[1] - 1]) if held else (raw_start, raw_end)
        line = _bisect(starts, raw_start)
        column = raw_start - starts[line] + 1
        return Item(kind, raw_start, raw_end, line + 1, column, mapped.text[start:end], held_start, held_end)

    found = [at("figure", m.start(), m.end()) for m in FIGURE.finditer(searched)]
    found += [at("quotation", m.start(), m.end(), m.span("words")) for m in QUOTATION.finditer(searched)]
    found += [at("sentence", m.start(), m.end()) for m in SENTENCE.finditer(searched) if m.group().strip()]
    return sorted(found, key=lambda i: (i.start, KINDS.index(i.kind)))


def _bisect(starts: Sequence[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low


def covered(item: Item, spans: Sequence[tuple[int, int]]) -> bool:
    """A sentence is covered when evidence touches it; a figure when evidence holds it whole, a
    quotation when evidence holds its words whole (a quote record's words come without marks)."""
    if item.kind == "sentence":
        return any(start < item.end and item.start < end for start, end in spans)
    return any(start <= item.held_start and item.held_end <= end for start, end in spans)


def coverage(dataset: Dataset, report: Report, texts: Iterable[str | Path] = (), only: Sequence[str] = ()) -> list[SourceCoverage]:
    """Each source's coverage (those named in ``only``, else all), in dataset order."""
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for record in dataset.records():
        for index, citation in enumerate(record.citations):
            anchor = report.anchors.get((record.id, index))
            if anchor is not None:
                spans[citation.source].append((anchor.start, anchor.end))
    folders, _ = text_folders(dataset, texts)
    chosen: list[Source] = [s for s in dataset.sources if not only or s.id in only]
    results = []
    for source in chosen:
        path = find_text_file(source.text_file, folders).path if source.text_file else None
        result = SourceCoverage(source.id, path)
        if path is not None:
            try:
                text = read_text(source, path)  # the same limits, decoding and repairs as the check
            except (OSError, UnicodeDecodeError, TextTooBig):
                results.append(SourceCoverage(source.id, None))  # kg check says what is wrong with it
                continue
            result.items = items_of(text)
            result.uncovered = [item for item in result.items if not covered(item, spans[source.id])]
        results.append(result)
    return results


def _shown(text: str, width: int = 72) -> str:
    flat = printable(" ".join(text.split()))
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def render(results: Sequence[SourceCoverage]) -> str:
    """The to-do list: one ``text-file:line:col: kind: words`` line per uncovered item, then a summary per source."""
    lines = []
    for result in results:
        if result.text_path is None:
            continue
        shown = display_path(result.text_path)
        for item in result.uncovered:
            lines.append(f"{shown}:{item.line}:{item.column}: {item.kind} not covered: {_shown(item.text)}")
    for result in results:
        if result.text_path is None:
            lines.append(
                f"{result.source_id}: no text to read (kg check says why: give --texts FOLDER, add 'text:' to the source, or fix the text)"
            )
            continue
        left = ", ".join(
            f"{n} {kind}{'s' if n != 1 else ''}" for kind in KINDS if (n := sum(1 for i in result.uncovered if i.kind == kind))
        )
        done = len(result.items) - len(result.uncovered)
        lines.append(
            f"{result.source_id}: {result.percent:.0f}% covered ({done} of {len(result.items)} figures, quotations and sentences)"
            + (f"; not covered: {left}" if left else "")
        )
    return "\n".join(lines) + "\n"
