"""Starting a new source: copy its text beside the others and write a record skeleton to fill in.

The skeleton holds what can be known without reading the article (the file name, its SHA-256,
a proposed id, the first line as title and title evidence) and ``TODO`` where a person must
read it; ``kg check`` reports each ``TODO`` until it is filled in.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from kg.curated import MAX_ID_LENGTH, TODO, id_suggestion, is_id
from kg.evidence import MAX_TEXT_BYTES, text_folders
from kg.load import display_path
from kg.model import Dataset
from kg.problems import KgError

#: Words a proposed id keeps from the title, so ids stay readable.
ID_WORDS = 6


@dataclass(frozen=True, slots=True)
class NewSource:
    """What ``add-source`` did: the text's new home, its hash, the proposed id and the skeleton."""

    text_path: Path
    sha256: str
    source_id: str
    skeleton: str


def texts_folder(dataset: Dataset, given: Path | None) -> Path:
    """Where new texts go: the given folder, else the first of the dataset's own ``texts`` folders."""
    if given is not None:
        return given
    folders, _ = text_folders(dataset)
    own = [folder.path for folder in folders if folder.confined_to is not None]
    if own:
        return own[0]
    raise KgError("the dataset names no texts folder inside it: give --texts FOLDER, or add 'texts: FOLDER' to its dataset section")


def title_line(text: str) -> str:
    """The text's first non-empty line, which in a saved article is its headline."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def propose_id(title: str, taken: set[str]) -> str:
    """An id from the title's first words, unique in the dataset (``-2``, ``-3`` … added if needed)."""
    words = id_suggestion(title).split("-")[:ID_WORDS]
    base = "-".join(w for w in words if w) or "source"
    base = id_suggestion(base)[: MAX_ID_LENGTH - 3].rstrip("-")
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def skeleton(source_id: str, file_name: str, sha256: str, title: str) -> str:
    """The YAML of a source record to fill in."""
    title_value = _quoted(title) if title else TODO
    return f"""# Written by `kg add-source`: fill in every {TODO} from the source, then run `kg check`.
sources:
  - id: {source_id}
    kind: {TODO}          # news-article | government-statement | report
    title: {title_value}
    title_evidence: {title_value}   # the title as the text has it; remove if the text has none
    url: {TODO}           # the address it was read at, or remove the line
    publisher: {TODO}     # as the source names it, or unknown
    author: {TODO}        # as the source names it, or unknown
    published: {TODO}     # YYYY-MM-DD, YYYY-MM or YYYY as the source dates it; if it gives no date: undated: true
    language: {TODO}      # e.g. en
    text: {{file: {_quoted(file_name)}, sha256: {sha256}}}
"""


def _check_new_id(source_id: str, taken: set[str]) -> None:
    """Refuse an ``--id`` that breaks the id rule (it also names the skeleton's file) or is taken."""
    if not is_id(source_id):
        suggestion = id_suggestion(source_id)
        raise KgError(
            f"--id {source_id!r} breaks the id rule (lowercase letters and digits joined by single hyphens,"
            f" at most {MAX_ID_LENGTH} characters): " + (f"give --id {suggestion}" if suggestion else "give an id such as home-office")
        )
    if source_id in taken:
        raise KgError(f"--id {source_id!r} is the id of a record already: give the new source another")


def add_source(dataset: Dataset, text_file: Path, texts: Path | None = None, source_id: str | None = None) -> NewSource:
    """Copy ``text_file`` into the texts folder (unless the same file is there) and make its skeleton."""
    taken = {record.id for record in dataset.records()} | {record_id for record_id, _ in dataset.unreadable}
    if source_id is not None:
        _check_new_id(source_id, taken)
    try:
        with open(text_file, "rb") as handle:
            data = handle.read(MAX_TEXT_BYTES + 1)
    except OSError as err:
        raise KgError(f"cannot read {display_path(text_file)}: {err.strerror or err}") from err
    if len(data) > MAX_TEXT_BYTES:
        raise KgError(f"{display_path(text_file)} is larger than the {MAX_TEXT_BYTES:,} bytes a source text may have")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise KgError(f"{display_path(text_file)} is not UTF-8 (byte {err.start + 1} cannot be decoded): save it as UTF-8 first") from err
    sha256 = hashlib.sha256(data).hexdigest()
    folder = texts_folder(dataset, texts)
    target = folder / text_file.name
    for source in dataset.sources:
        if source.text_sha256 == sha256:
            raise KgError(f"the source {source.id} ({source.pos}) already has this text")
    if target.exists() and target.read_bytes() != data:
        raise KgError(f"{display_path(target)} exists with other content: rename the new text first")
    if not target.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(text_file, target)
        except OSError as err:
            raise KgError(f"cannot copy the text to {display_path(target)}: {err.strerror or err}") from err
    title = title_line(text)
    chosen = source_id or propose_id(title or text_file.stem, taken)
    return NewSource(target, sha256, chosen, skeleton(chosen, text_file.name, sha256, title))
