"""Finding and reading the sources' full texts, where evidence is grounded.

Texts are looked for in folders the person running the command names (``--texts``,
then ``$KG_TEXTS``), then in the folders the dataset's ``texts`` setting names. A dataset
may only name folders inside its own folder, and a text found there must not be a link
that leaves it: a dataset from someone else cannot make the tool read, hash or quote
any other file.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.model import Dataset, Source
from kg.text import MAX_GROWTH, SourceText, repaired_length, source_text

#: The largest source text read, in bytes (a long report is a few hundred kilobytes).
MAX_TEXT_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class TextFolder:
    """A folder texts are looked for in, and who named it."""

    path: Path
    origin: str
    #: For a folder the dataset names: the dataset's folder, which a text must stay inside.
    confined_to: Path | None = None


@dataclass(frozen=True, slots=True)
class Outside:
    """A folder the dataset's ``texts`` setting names outside the dataset's own folder."""

    setting: str


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def text_folders(dataset: Dataset, given: Iterable[str | os.PathLike[str]] = ()) -> tuple[list[TextFolder], list[Outside]]:
    """Where source texts are looked for, in order: given folders (``--texts``), then
    ``$KG_TEXTS``, then the dataset's ``texts`` setting, relative to the dataset's folder
    and only inside it (the settings that point outside are returned apart)."""
    folders = [TextFolder(Path(d), "--texts") for d in given]
    folders += [TextFolder(Path(d), "KG_TEXTS") for d in os.environ.get("KG_TEXTS", "").split(os.pathsep) if d]
    outside: list[Outside] = []
    root = Path(dataset.root).resolve()
    for setting in dataset.info.texts:
        folder = (root / setting).resolve()
        if Path(setting).is_absolute() or not _inside(folder, root):
            outside.append(Outside(setting))
        else:
            folders.append(
                TextFolder(Path(dataset.root) / setting, f"the dataset's texts setting {setting!r}, relative to its folder", root)
            )
    return folders, outside


@dataclass(slots=True)
class Located:
    """Where a text file was found (or not), and candidates refused on the way."""

    path: Path | None = None
    #: Files the dataset's folders hold under the name that are links leaving the dataset.
    escaping: list[Path] = field(default_factory=list)
    #: Files under the name that are not regular files (a folder, a pipe, a device).
    irregular: list[Path] = field(default_factory=list)


def find_text_file(name: str, folders: Sequence[TextFolder]) -> Located:
    """The first regular file called ``name`` in ``folders``."""
    found = Located()
    for folder in folders:
        candidate = folder.path / name
        try:
            info = candidate.stat()
        except OSError:  # missing, or a folder that cannot be searched: passed over
            continue
        if folder.confined_to is not None and not _inside(candidate.resolve(), folder.confined_to):
            found.escaping.append(candidate)
            continue
        if not stat.S_ISREG(info.st_mode):
            found.irregular.append(candidate)
            continue
        found.path = candidate
        return found
    return found


class TextTooBig(Exception):
    """A source text over :data:`MAX_TEXT_BYTES`, or one its repairs would grow too much."""


def read_text(source: Source, path: Path) -> SourceText:
    """A source's text from ``path`` (UTF-8), normalised with the source's repairs.

    Raises ``OSError``, ``UnicodeDecodeError`` or :class:`TextTooBig`."""
    with open(path, "rb") as handle:
        data = handle.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise TextTooBig(f"is larger than the {MAX_TEXT_BYTES:,} bytes a source text may have")
    raw = data.decode("utf-8")
    grown = repaired_length(raw, source.repairs)
    if grown > MAX_GROWTH * len(raw) + 1024:
        raise TextTooBig(f"would grow from {len(raw):,} to {grown:,} characters by its repairs")
    return source_text(source.id, path, hashlib.sha256(data).hexdigest(), raw, source.repairs)
