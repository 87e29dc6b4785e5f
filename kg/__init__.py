"""kg: curated facts from public reporting, exported as a documented RDF knowledge graph."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kg-exporter")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from kg.api import build_graph, export_dataset, load, prepare

__all__ = ["__version__", "build_graph", "export_dataset", "load", "prepare"]
