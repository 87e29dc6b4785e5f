"""Source texts as evidence is matched in them: repairs, normalisation, anchors.

Pure functions and values only; reading texts from disk is :mod:`kg.evidence`.

The text is first *normalised* — the source's recorded repairs applied, Unicode NFC,
every run of white space made one space, ends trimmed. Offsets in the graph count
code points of that normalised text. Matching also folds typographic quotes
(‘ ’ “ ” …) to ASCII ones; the fold maps one character to one, so offsets hold.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.model import Citation, Repair

_SPACE = re.compile(r"\s+")
_QUOTE_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
    }
)
#: How many characters of context a TextQuoteSelector keeps on each side.
CONTEXT_CHARS = 32


def repair(text: str, repairs: Sequence[Repair]) -> str:
    """Apply a source's recorded text repairs, in order."""
    for fix in repairs:
        text = text.replace(fix.replace, fix.with_)
    return text


def normalise(text: str, repairs: Sequence[Repair] = ()) -> str:
    """The normalised form of a text, the one evidence offsets count in."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", repair(text, repairs))).strip()


def fold(text: str) -> str:
    """Typographic quotes folded to ASCII, one character for one."""
    return text.translate(_QUOTE_FOLD)


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where an evidence quote stands in its source's normalised text."""

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
    normalised: str
    folded: str

    def find(self, evidence: str, repairs: Sequence[Repair]) -> Anchor | None:
        """The anchor of ``evidence`` in this text, or None when it is not there verbatim."""
        needle = fold(normalise(evidence, repairs))
        if not needle:
            return None
        start = self.folded.find(needle)
        if start < 0:
            return None
        end = start + len(needle)
        text = self.normalised
        return Anchor(
            exact=text[start:end],
            prefix=text[max(0, start - CONTEXT_CHARS) : start],
            suffix=text[end : end + CONTEXT_CHARS],
            start=start,
            end=end,
        )


def citation_key(record_id: str, index: int) -> tuple[str, int]:
    """How an anchor is looked up: the citing record's id and the citation's place in it."""
    return (record_id, index)


def clean(text: str, repairs: Sequence[Repair] = ()) -> str:
    """Evidence or quoted words as the graph holds them: repaired, in Unicode NFC."""
    return unicodedata.normalize("NFC", repair(text, repairs))


def evidence_of(record_text: str | None, citation: Citation) -> str:
    """A citation's evidence, which for a quotation defaults to the quoted words."""
    return citation.evidence or (record_text or "")
