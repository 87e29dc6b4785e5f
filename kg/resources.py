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
