"""Evidence grounding: find each evidence quote in its source's full text.

The text is first *normalised* — the source's recorded repairs applied, Unicode NFC,
every run of white space made one space, ends trimmed. Offsets in the graph count
code points of that normalised text. Matching also folds typographic quotes
(‘ ’ “ ” …) to ASCII ones; the fold maps one character to one, so offsets hold.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.model import Citation, Dataset, Repair, Source

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


def text_dirs(dataset: Dataset, given: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
    """Where source texts are looked for: given folders, then ``$KG_TEXTS``, then the
    dataset's ``texts`` setting (relative to the folder holding the dataset, then to
    the working folder)."""
    dirs = [Path(d) for d in given]
    dirs += [Path(d) for d in os.environ.get("KG_TEXTS", "").split(os.pathsep) if d]
    project = Path(dataset.root).resolve().parent
    for setting in dataset.info.texts:
        path = Path(setting)
        dirs += [path] if path.is_absolute() else [project / path, Path.cwd() / path]
    return dirs


def find_text_file(name: str, dirs: Sequence[Path]) -> Path | None:
    """The first readable file called ``name`` in ``dirs``."""
    for folder in dirs:
        candidate = folder / name
        try:
            if candidate.is_file():
                return candidate
        except OSError:  # a folder that cannot be searched is passed over, like a missing one
            continue
    return None


def read_text(source: Source, path: Path) -> SourceText:
    """A source's text from ``path`` (UTF-8), normalised with the source's repairs."""
    data = path.read_bytes()
    raw = data.decode("utf-8")
    normalised = normalise(raw, source.repairs)
    return SourceText(source.id, path, hashlib.sha256(data).hexdigest(), normalised, fold(normalised))


def citation_key(record_id: str, index: int) -> tuple[str, int]:
    """How an anchor is looked up: the citing record's id and the citation's place in it."""
    return (record_id, index)


def clean(text: str, repairs: Sequence[Repair] = ()) -> str:
    """Evidence or quoted words as the graph holds them: repaired, in Unicode NFC."""
    return unicodedata.normalize("NFC", repair(text, repairs))


def evidence_of(record_text: str | None, citation: Citation) -> str:
    """A citation's evidence, which for a quotation defaults to the quoted words."""
    return citation.evidence or (record_text or "")
