"""Where the bundled dataset and the ontology are, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    installed = _PACKAGE / name  # a wheel carries data/ and ontology/ inside the package
    return installed if installed.is_dir() else _PACKAGE.parent / name


def bundled_data() -> Path:
    """The folder of the bundled curated dataset."""
    return _bundled("data")


def ontology_dir() -> Path:
    """The folder holding ``kg.ttl`` (the vocabulary) and ``shapes.ttl`` (its SHACL shapes)."""
    return _bundled("ontology")


def working_dataset() -> Path | None:
    """``./data`` when the working folder holds a dataset there (curated ``*.yaml`` files)."""
    folder = Path("data")
    try:
        if folder.is_dir() and any(p.suffix in (".yaml", ".yml") for p in folder.rglob("*")):
            return folder
    except OSError:
        return None
    return None


def dataset_folder(data: str | Path | None) -> tuple[Path, str]:
    """The dataset a command reads, and how to name it: the one given, else the working
    folder's ``./data``, else the bundled one."""
    if data is not None:
        return Path(data), str(data)
    here = working_dataset()
    if here is not None:
        return here, "./data (the working folder's dataset)"
    return bundled_data(), f"the bundled dataset ({bundled_data()})"
