"""Shared fixtures: the bundled dataset, its source texts where present, and its graph."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import rdflib

from kg import api
from kg.check import Report
from kg.model import Dataset
from kg.resources import bundled_data

REPO = Path(__file__).resolve().parents[1]


def source_texts_dir() -> Path | None:
    """The folder of the bundled dataset's source texts: the copy that ships with it, else
    $KG_TEXTS."""
    for candidate in [bundled_data() / "texts", *os.environ.get("KG_TEXTS", "").split(os.pathsep)]:
        if candidate and (Path(candidate) / "000_5629415f7da9fc23.txt").is_file():
            return Path(candidate)
    return None


needs_texts = pytest.mark.skipif(source_texts_dir() is None, reason="the source articles (../shared/sources) are not beside this checkout")


@pytest.fixture(scope="session")
def texts_dir() -> Path:
    found = source_texts_dir()
    if found is None:
        pytest.skip("the source articles (../shared/sources) are not beside this checkout")
    return found


@pytest.fixture(scope="session")
def bundled() -> tuple[Dataset, Report]:
    """The bundled dataset, checked against its source texts where they are present."""
    found = source_texts_dir()
    dataset, report = api.prepare(bundled_data(), [found] if found else [])
    assert dataset is not None and report.ok, [str(p) for p in report.errors]
    return dataset, report


@pytest.fixture(scope="session")
def graph(bundled: tuple[Dataset, Report]) -> rdflib.Graph:
    dataset, report = bundled
    return api.build_graph(dataset, anchors=report.anchors)


#: Programs from Debian's packages that tests run (program: package): the strict RDF parsers,
#: Graphviz's dot (kg draw, kg docs) and headless Chromium with its driver (the query page).
DEBIAN_PROGRAMS = {
    "serdi": "serdi",
    "rapper": "raptor2-utils",
    "dot": "graphviz",
    "chromium": "chromium",
    "chromedriver": "chromium-driver",
}


def pytest_sessionstart(session: pytest.Session) -> None:
    """Say once, plainly, which of Debian's programs the tests need are missing."""
    import shutil

    missing = [package for program, package in DEBIAN_PROGRAMS.items() if shutil.which(program) is None]
    if missing:
        raise pytest.UsageError(
            f"programs the tests use are missing: install them with"
            f" `apt-get install {' '.join(missing)}` (.ci/run does this), then run pytest again"
        )
