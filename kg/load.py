"""Curated YAML files -> records, each remembering its file and line.

Finding and reading the files of a dataset folder, safely; what each record may hold, and how
each value is read, is :mod:`kg.curated`'s. Whether references resolve, ids are unique or
evidence is in the source is for :mod:`kg.check`.
"""

from __future__ import annotations

import difflib
import itertools
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg import parts, progress
from kg.curated import (
    DATASET_SPEC,
    ID_PATTERN,
    RECORD_KIND,
    SECTION_KIND,
    SPECS,
    _fields,
    _is_null,
    _record,
    id_suggestion,
)
from kg.model import Dataset, DatasetInfo, Pos
from kg.problems import WARNING, KgError, Problem
from kg.yamlnodes import MAX_FILE_BYTES, Mapping, Node, ProblemList, Scalar, Sequence, decode, describe, parse, too_big


def _remember(unreadable: dict[str, str], raw: str, kind: str) -> None:
    """Note the id of a record that could not be read (and the id it was likely meant to be)."""
    raw = raw.strip()
    if raw in unreadable:
        return  # already noted (a file may hold millions of the same mistake)
    for candidate in (raw, id_suggestion(raw)):
        if candidate:
            unreadable.setdefault(candidate, kind)


_SECTION_LINE = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:[ \t]*(?:#.*)?")
_ID_LINE = re.compile(r"[ \t]*(?:-[ \t]+)?id[ \t]*:[ \t]*(?:\"([^\"]*)\"|'([^']*)'|([^\s#]+))[ \t]*(?:#.*)?")


def salvage_ids(text: str) -> dict[str, str]:
    """The record ids (id -> kind) written in a file that cannot be read as YAML, found
    line by line: ``- id: ...`` lines under a top-level section."""
    ids: dict[str, str] = {}
    kind = None
    for line in text.splitlines():
        section = _SECTION_LINE.fullmatch(line)
        if section:
            kind = RECORD_KIND.get(section.group(1))
            continue
        found = _ID_LINE.fullmatch(line) if kind else None
        if found and kind:
            _remember(ids, next(group for group in found.groups() if group is not None), kind)
    return ids


def display_path(path: Path) -> str:
    """A path as messages show it: relative to the working folder when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


#: The most curated files one dataset may hold, and the most folder entries looked at to
#: find them: a folder of a million files is refused at once, not read for minutes.
MAX_DATA_FILES = 10_000
MAX_FOLDER_ENTRIES = 200_000
CURATED_SUFFIXES = (".yaml", ".yml")
_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _not_regular(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _path_problem(path: Path, message: str, hint: str) -> Problem:
    return Problem(Pos(display_path(path), 1, 1), "path", message, hint)


def _link_problem(path: Path, real_root: str, curated: bool) -> tuple[Path | None, Problem | None]:
    """A link met in the dataset folder: the path to read (a curated file inside the
    folder), or the problem with it (None for both when it is to be passed over)."""
    written = os.readlink(path)
    try:
        real = os.path.realpath(path, strict=True)
        info = os.stat(real)
    except FileNotFoundError:
        if not curated:
            return None, None
        hint = "restore the file it points to, or remove the link"
        return None, _path_problem(path, f"is a link to {written!r}, which does not exist", hint)
    except (OSError, RuntimeError):  # a loop of links, or one that cannot be followed
        if not curated:
            return None, None
        return None, _path_problem(path, f"is a link to {written!r} that cannot be followed (a loop of links?)", "remove the link")
    folder = stat.S_ISDIR(info.st_mode)
    if not _inside(real, real_root):
        if not curated and not folder:
            return None, None
        what, copy = ("a folder", "copy its files in") if folder else ("a file", "copy the file in")
        return None, _path_problem(
            path,
            f"is a link to {what} outside the dataset folder ({written!r}); it was not read",
            f"a dataset reads only what is inside its folder: {copy}, or give that folder as --data",
        )
    if curated and not folder:
        return path, None
    return None, None  # a folder inside the dataset is walked under its own name


def scan_data(root: Path) -> tuple[list[Path], list[Problem]]:
    """The curated files of a dataset folder, in a stable order, and the problems with what
    the folder holds: links that leave it, dangling links, files that are not regular files.

    Links are not followed out of the folder, and a file reached by a link and by its own
    name is read once."""
    if not root.is_dir():
        raise KgError(f"{display_path(root)}: no such data folder; give --data a folder of curated *.yaml files")
    real_root = os.path.realpath(root)
    found: list[Path] = []
    problems: list[Problem] = []
    folders = [root]
    looked = 0
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(itertools.islice(listing, MAX_FOLDER_ENTRIES - looked + 1))
        except OSError as err:
            raise KgError(f"{display_path(folder)}: cannot read the folder: {err.strerror or err}") from err
        looked += len(entries)
        if looked > MAX_FOLDER_ENTRIES:
            message = f"the dataset folder holds more than {MAX_FOLDER_ENTRIES:,} files and folders; nothing was read"
            return [], [Problem(None, "data", message, "give --data the folder that holds only the curated files")]
        for entry in entries:
            path = Path(entry.path)
            curated = entry.name.endswith(CURATED_SUFFIXES)
            try:
                if entry.is_symlink():
                    target, problem = _link_problem(path, real_root, curated)
                    if problem:
                        problems.append(problem)
                    if target:
                        found.append(target)
                    continue
                info = entry.stat(follow_symlinks=False)
            except OSError as err:
                raise KgError(f"{display_path(path)}: cannot read: {err.strerror or err}") from err
            if stat.S_ISDIR(info.st_mode):
                folders.append(path)
            elif curated and stat.S_ISREG(info.st_mode):
                found.append(path)
            elif curated:
                problems.append(
                    _path_problem(
                        path, f"is {_not_regular(info.st_mode)}, not a regular file; it was not read", "curated files must be regular files"
                    )
                )
    if len(found) > MAX_DATA_FILES:
        message = f"the dataset holds {len(found):,} curated files, more than the {MAX_DATA_FILES:,} allowed; nothing was read"
        return [], [Problem(None, "data", message, "merge records into fewer files")]
    chosen: dict[str, Path] = {}
    for path in sorted(found, key=lambda p: (p.is_symlink(), p)):  # a file's own name before a link's
        chosen.setdefault(os.path.realpath(path), path)
    return sorted(chosen.values()), sorted(problems, key=lambda p: p.sort_key)


def data_files(root: Path) -> list[Path]:
    """The curated files of a dataset folder that can be read, in a stable order."""
    return scan_data(root)[0]


def read_curated(path: Path, shown: str, root: Path | None = None) -> tuple[bytes | None, Problem | None]:
    """The bytes of one curated file, or the problem that kept it unread: a link out of
    ``root``, something other than a regular file (opened without blocking, so a named
    pipe cannot hang the reader), a file over the size limit."""
    real = os.path.realpath(path)
    if root is not None and not _inside(real, os.path.realpath(root)):
        message = "is a link to a file outside the dataset folder; it was not read"
        return None, Problem(Pos(shown, 1, 1), "path", message, "copy the file into the dataset folder")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(real, flags)
    except OSError as err:
        raise KgError(f"{shown}: cannot read the file: {err.strerror or err}") from err
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            message = f"is {_not_regular(info.st_mode)}, not a regular file; it was not read"
            return None, Problem(Pos(shown, 1, 1), "path", message, "curated files must be regular files")
        oversized = too_big(shown, info.st_size)
        if oversized:
            return None, oversized
        try:
            data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as err:
            raise KgError(f"{shown}: cannot read the file: {err.strerror or err}") from err
    return data, too_big(shown, len(data))


class _FileRecords:
    """A file's records, made one by one as the reader hands over each item of a section
    list (the reader's :class:`~kg.yamlnodes.Sink`), so that no node tree of the whole
    file is ever held."""

    def __init__(self, problems: list[Problem], advance: Callable[[], object] = lambda: None):
        self.problems = problems
        self.advance = advance
        self.records: dict[str, list[Any]] = {section: [] for section in SPECS}
        self.unreadable: dict[str, str] = {}

    def reset(self) -> None:
        self.records = {section: [] for section in SPECS}
        self.unreadable = {}

    def item(self, section: str, item: Node) -> None:
        self.advance()
        spec = SPECS.get(section)
        if spec is None:
            return  # not a section of records: reported once, as a section
        values = _fields(item, spec, "", self.problems)
        if values is not None:
            self.records[section].append(_record(section, values))
        elif isinstance(item, Mapping) and "id" in item.items:
            id_node = item.items["id"][1]
            if isinstance(id_node, Scalar):
                _remember(self.unreadable, id_node.value, RECORD_KIND[section])
        elif isinstance(item, Scalar) and ID_PATTERN.fullmatch(item.value):
            _remember(self.unreadable, item.value, RECORD_KIND[section])  # '- ID' written for '- id: ID'?


def load_file(
    path: Path,
    shown: str,
    collected: dict[str, list[Any]],
    problems: list[Problem],
    unreadable: dict[str, str] | None = None,
    root: Path | None = None,
    advance: Callable[[], object] = lambda: None,
) -> DatasetInfo | None:
    """Read one curated file's records into ``collected`` (section -> records); the ids
    of records that cannot be read go into ``unreadable`` (id -> kind). With ``root``, a
    file whose real place is outside that folder is not read. ``advance`` is called once
    per record read (a progress count). At most
    :data:`~kg.yamlnodes.MAX_PROBLEMS_PER_FILE` problems are reported per file, then one
    line that counts the rest."""
    file_problems = ProblemList(shown)
    try:
        return _load_file(path, shown, collected, file_problems, {} if unreadable is None else unreadable, root, advance)
    finally:
        problems.extend(file_problems.shown())


def _load_file(
    path: Path,
    shown: str,
    collected: dict[str, list[Any]],
    problems: ProblemList,
    unreadable: dict[str, str],
    root: Path | None,
    advance: Callable[[], object],
) -> DatasetInfo | None:
    data, unread = read_curated(path, shown, root)
    if unread:
        problems.append(unread)
        return None
    assert data is not None
    text, problem = decode(shown, data)
    if problem:
        problems.append(problem)
        for record_id, kind in salvage_ids(data.decode("utf-8", "replace")).items():
            unreadable.setdefault(record_id, kind)
        return None
    assert text is not None
    del data  # the text is all that is needed now
    records = _FileRecords(problems, advance)
    reported = len(problems) + problems.more
    tree, _ = parse(shown, text, records, problems)
    if tree is None:
        if len(problems) + problems.more == reported:  # nothing but comments, or nothing at all
            problems.append(_holds_nothing(Pos(shown, 1, 1)))
        for record_id, kind in salvage_ids(text).items():
            unreadable.setdefault(record_id, kind)
        return None
    for section, found in records.records.items():
        collected[section] += found
    for record_id, kind in records.unreadable.items():
        unreadable.setdefault(record_id, kind)
    if _is_null(tree):  # an empty document ('---' alone): as empty as a file of comments
        problems.append(_holds_nothing(Pos(shown, 1, 1)))
        return None
    if not isinstance(tree, Mapping):
        problems.append(
            Problem(tree.pos, "file", f"must be a mapping of sections, not {describe(tree)}", "start with e.g. 'organisations:'")
        )
        return None
    info = None
    for section, (key_pos, node) in tree.items.items():
        if section == "dataset":
            values = _fields(node, DATASET_SPEC, "dataset.", problems)
            if values is not None:
                title, description, base = values.get("title"), values.get("description"), values.get("base")
                info = DatasetInfo(title, description, base, values.get("texts", ()), key_pos, values["_where"].get("texts"))
            continue
        spec = SPECS.get(section)
        if spec is None:
            known = [*SPECS, "dataset"]
            close = difflib.get_close_matches(section, known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"sections: {', '.join(known)}"
            problems.append(Problem(key_pos, section, f"unknown section {section!r}", hint))
            continue
        if not isinstance(node, Sequence):
            if _is_null(node):
                continue  # an empty section
            problems.append(
                Problem(node.pos, section, f"must be a list of records, not {describe(node)}", "start each record with '- id:'")
            )
            continue
        for item in node.items:  # none when read through the sink; kept for a tree read whole
            records.item(section, item)
    nothing = not any(records.records.values()) and not records.unreadable
    if nothing and info is None and len(problems) + problems.more == reported:
        problems.append(_holds_nothing(tree.pos))
    return info


def _holds_nothing(pos: Pos) -> Problem:
    return Problem(pos, "file", "holds no records", "add records under a section (e.g. 'organisations:'), or delete the file", WARNING)


@dataclass
class _FileOutcome:
    """What reading one curated file gave: its records by section, its problems, the ids of
    its records that could not be read, its ``dataset`` settings."""

    collected: dict[str, list[Any]]
    problems: list[Problem]
    unreadable: dict[str, str]
    info: DatasetInfo | None


def _read_files(files: list[Path], root: Path, advance: Callable[[], object]) -> list[_FileOutcome]:
    outcomes = []
    for path in files:
        collected: dict[str, list[Any]] = {section: [] for section in SPECS}
        problems: list[Problem] = []
        unreadable: dict[str, str] = {}
        info = load_file(path, display_path(path), collected, problems, unreadable, root, advance)
        outcomes.append(_FileOutcome(collected, problems, unreadable, info))
    return outcomes


def load_dataset(root: Path | str) -> tuple[Dataset, list[Problem]]:
    """Every curated file under ``root`` as one dataset, with the problems found reading it.
    A large dataset's later files are read by a second process at once (see
    :func:`kg.parts.read_files`), with the same result."""
    root = Path(root)
    problems: list[Problem] = []
    collected: dict[str, list[Any]] = {section: [] for section in SPECS}
    info = DatasetInfo()
    info_seen: Pos | None = None
    unreadable: dict[str, str] = {}
    files, found_problems = scan_data(root)
    problems += found_problems
    if not files and not found_problems:
        problems.append(
            Problem(None, "data", f"{display_path(root)} holds no curated *.yaml files", "give --data the folder that holds them")
        )
    with progress.counter("kg: reading", unit=" records") as advance:
        outcomes = parts.read_files(files, lambda chosen, tick: _read_files(chosen, root, tick), advance)
    for outcome in outcomes:
        for section, found in outcome.collected.items():
            collected[section] += found
        problems += outcome.problems
        for record_id, kind in outcome.unreadable.items():
            unreadable.setdefault(record_id, kind)
        found_info = outcome.info
        if found_info is not None:
            if info_seen is not None and found_info.pos is not None:
                problems.append(Problem(found_info.pos, "dataset", f"a second 'dataset' section (the first is at {info_seen})", "keep one"))
            else:
                info, info_seen = found_info, found_info.pos
    entities = [record for section in SECTION_KIND for record in collected[section]]
    dataset = Dataset(
        root=str(root),
        info=info,
        sources=tuple(collected["sources"]),
        entities=tuple(entities),
        statements=tuple(collected["statements"]),
        statistics=tuple(collected["statistics"]),
        quotes=tuple(collected["quotes"]),
        claims=tuple(collected["claims"]),
        events=tuple(collected["events"]),
        unreadable=tuple(unreadable.items()),
    )
    return dataset, problems
