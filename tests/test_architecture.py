"""The flow runs one way: load never touches rdflib, build never reads files."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "kg"


def imported_modules(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_loading_curated_files_does_not_load_rdflib() -> None:
    code = "import sys, kg.load, kg.check; print('rdflib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_builder_reads_no_files() -> None:
    imported = imported_modules("build")
    assert not imported & {"kg.evidence", "kg.load", "kg.export", "os", "pathlib", "io"}, imported


def test_the_model_knows_no_yaml_or_rdf() -> None:
    imported = imported_modules("model")
    assert not imported & {"yaml", "rdflib", "pyoxigraph"}, imported
