"""kg: curated facts from public reporting, exported as a documented RDF knowledge graph.

The API (``load``, ``prepare``, ``build_graph``, ``export_dataset``) is imported on first
use, so that ``import kg.load`` stays light and free of RDF libraries.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("kg-exporter")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__", "build_graph", "export_dataset", "load", "prepare"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from kg import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
