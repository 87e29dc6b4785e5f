"""A query store kept on disk (``kg query --store DIR``, ``kg serve --store DIR``).

The graph is loaded once into a pyoxigraph store (RocksDB) inside DIR; later runs open it
at once while what it was loaded from is unchanged. What it was loaded from is told by a
fingerprint: the SHA-256 of every input's path and bytes (the curated files and the source
texts, or the graph file), and of kg's own code and ontology, so that
any change rebuilds the store and a stale answer is never given.

DIR holds ``kg-store.json`` (the stamp: fingerprint, triples, base, what was loaded) and one
``store-HASH`` folder. A rebuild makes a new folder, then replaces the stamp in one rename,
then removes the old folder: a run stopped part-way leaves the old store in use. A folder
that is not empty and has no stamp is not kg's and is never written into.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.problems import KgError
from kg.resources import ontology_dir

STAMP = "kg-store.json"
FORMAT = "kg-store 1"
_STORE_NAME = re.compile(r"store-[0-9a-f]{16}")


@dataclass(frozen=True, slots=True)
class Stamp:
    """What a store folder holds: written beside the store, read before it is opened."""

    format: str
    fingerprint: str
    store: str
    triples: int
    base: str
    loaded_from: str


def fingerprint(inputs: Iterable[Path]) -> str:
    """SHA-256 over the inputs (each regular file under a folder, or a file) and kg's own code
    and ontology: equal fingerprints build equal graphs."""
    digest = hashlib.sha256()
    digest.update(f"{FORMAT}\0".encode())
    package = Path(__file__).resolve().parent
    own = [*sorted(package.rglob("*.py")), *sorted(package.rglob("*.rq")), *sorted(ontology_dir().glob("*.ttl"))]
    for path in [*own, *(file for place in inputs for file in _files(Path(place)))]:
        digest.update(os.fsencode(path.resolve()) + b"\0")
        with open(path, "rb") as f:
            digest.update(hashlib.file_digest(f, "sha256").digest())
    return digest.hexdigest()


def _files(place: Path) -> list[Path]:
    if place.is_file():
        return [place]
    found: list[Path] = []
    for folder, folders, names in os.walk(place):  # links to folders are not followed
        folders.sort()
        found += [Path(folder, name) for name in sorted(names) if Path(folder, name).is_file()]
    return found


def read_stamp(folder: Path) -> Stamp | None:
    """The folder's stamp; None for a new or empty folder. Raises :class:`KgError` for a
    folder that is not a kg store."""
    stamp = folder / STAMP
    if not stamp.exists():
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise KgError(f"{folder}: not a kg store (no {STAMP}), and kg writes only into a new or empty folder; give another --store")
        return None
    try:
        found = Stamp(**json.loads(stamp.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as err:
        raise KgError(f"{stamp}: not a kg store's stamp ({err}); remove the folder {folder} and it is built again") from None
    if found.format != FORMAT or not _STORE_NAME.fullmatch(found.store):
        raise KgError(f"{stamp}: a store of another kind ({found.format!r}); remove the folder {folder} and it is built again")
    return found


def open_or_build(folder: str | Path, key: str, build: Callable[[ox.Store], tuple[str, str]]) -> tuple[ox.Store, Stamp, bool]:
    """The store in ``folder`` if its stamp has the fingerprint ``key``, opened read-only;
    else a new one that ``build(store)`` fills (returning the base and a description of what
    it loaded), replacing the old. Returns the store, its stamp and whether it was built now."""
    folder = Path(folder)
    old = read_stamp(folder)
    if old is not None and old.fingerprint == key and (folder / old.store).is_dir():
        try:
            return ox.Store.read_only(str(folder / old.store)), old, False
        except OSError as err:
            raise KgError(
                f"{folder / old.store}: cannot open the store ({err}); remove the folder {folder} and it is built again"
            ) from None
    name = f"store-{key[:16]}"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder / name, ignore_errors=True)  # a build stopped part-way
    store = ox.Store(str(folder / name))
    base, loaded_from = build(store)
    store.flush()
    triples = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    stamp = Stamp(FORMAT, key, name, triples, base, loaded_from)
    part = folder / f".{STAMP}.part"
    part.write_text(json.dumps(asdict(stamp), indent=2) + "\n", encoding="utf-8")
    os.replace(part, folder / STAMP)
    if old is not None and old.store != name:
        shutil.rmtree(folder / old.store, ignore_errors=True)
    return store, stamp, True
