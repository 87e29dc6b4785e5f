"""Finding and reading the sources' full texts, where evidence is grounded."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from kg.model import Dataset, Source
from kg.text import SourceText, fold, normalise


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
