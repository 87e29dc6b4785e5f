"""``--store DIR``: the graph kept on disk, built once, reopened while its inputs are unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from test_serve import get_query, kg_query_rows, rows_of, serving

from kg import query
from kg.cli import cli
from kg.resources import bundled_data
from kg.store import STAMP

PEOPLE = query.query_text("people-posts")


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, ["query", *args], catch_exceptions=False)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the bundled dataset (with its source texts), free to edit."""
    return Path(shutil.copytree(bundled_data(), tmp_path / "data"))


def stores(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("store-"))


def test_the_first_run_builds_the_store_and_the_next_reads_it_with_the_same_answer(data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    plain = run("people-posts", "--data", str(data), "-f", "csv")
    first = run("people-posts", "--data", str(data), "-f", "csv", "--store", str(folder))
    second = run("people-posts", "--data", str(data), "-f", "csv", "--store", str(folder))
    assert plain.exit_code == first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout == plain.stdout
    triples = query.dataset_graph(data).size
    assert first.stderr == f"kg: {triples} triples loaded into the store {folder}\n"
    assert second.stderr == f"kg: {triples} triples read from the store {folder}\n"
    stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    assert stamp["triples"] == triples and stamp["loaded_from"] == f"the dataset {data}"
    assert stores(folder) == [stamp["store"]]


def test_a_changed_data_file_rebuilds_the_store_and_drops_the_old_one(data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    assert run("people-posts", "--data", str(data), "--store", str(folder)).exit_code == 0
    before = stores(folder)
    people = data / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8").replace('name: "Rishi Sunak"', 'name: "Rishi Sunak (renamed)"'), encoding="utf-8")
    changed = run("people-posts", "--data", str(data), "-f", "csv", "--store", str(folder))
    assert changed.exit_code == 0, changed.output
    assert "loaded into the store" in changed.stderr
    assert "Rishi Sunak (renamed),Prime Minister" in changed.stdout
    after = stores(folder)
    assert len(after) == 1 and after != before


def test_a_changed_source_text_rebuilds_the_store(data: Path, tmp_path: Path) -> None:
    """The texts give the offsets: a store built before a text changed would answer with old ones."""
    folder = tmp_path / "store"
    assert run("sources", "--data", str(data), "--store", str(folder)).exit_code == 0
    readme = data / "texts" / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nA note.\n", encoding="utf-8")
    again = run("sources", "--data", str(data), "--store", str(folder))
    assert "loaded into the store" in again.stderr


def test_a_graph_file_is_stored_and_a_new_one_rebuilds(tmp_path: Path) -> None:
    graph_file = tmp_path / "kg.nq"
    assert CliRunner().invoke(cli, ["export", "--data", str(bundled_data()), "-f", "nquads", "-o", str(graph_file)]).exit_code == 0
    folder = tmp_path / "store"
    first = run("people-posts", "--graph", str(graph_file), "--store", str(folder), "-f", "csv")
    second = run("people-posts", "--graph", str(graph_file), "--store", str(folder), "-f", "csv")
    assert "loaded into" in first.stderr and "read from" in second.stderr
    assert first.stdout == second.stdout == run("people-posts", "--graph", str(graph_file), "-f", "csv").stdout
    graph_file.write_text("", encoding="utf-8")
    emptied = run("people-posts", "--graph", str(graph_file), "--store", str(folder), "-f", "csv")
    assert emptied.stderr == f"kg: 0 triples loaded into the store {folder}\n"
    assert emptied.stdout == "person,post,organisation,sources\n"


def test_a_folder_that_is_not_a_store_is_never_written_into(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    result = run("people-posts", "--store", str(folder))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {folder}: not a kg store (no kg-store.json), and kg writes only into a new or empty folder; give another --store\n"
    )
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_a_damaged_stamp_says_to_remove_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    assert run("people-posts", "--store", str(folder)).exit_code == 0
    (folder / STAMP).write_text("{not json", encoding="utf-8")
    result = run("people-posts", "--store", str(folder))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {folder / STAMP}: not a kg store's stamp (")
    assert result.stderr.endswith(f"); remove the folder {folder} and it is built again\n")


def test_a_build_stopped_part_way_leaves_the_old_store_in_use(data: Path, tmp_path: Path) -> None:
    """The stamp is replaced only once the new store is complete: a half-built folder is ignored and built again."""
    folder = tmp_path / "store"
    assert run("people-posts", "--data", str(data), "--store", str(folder)).exit_code == 0
    stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    (folder / "store-0123456789abcdef").mkdir()  # what a stopped rebuild leaves
    (folder / "store-0123456789abcdef" / "junk").write_text("x", encoding="utf-8")
    again = run("people-posts", "--data", str(data), "--store", str(folder))
    assert "read from the store" in again.stderr
    assert json.loads((folder / STAMP).read_text(encoding="utf-8")) == stamp


def test_serve_answers_from_a_store(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    assert run("people-posts", "--store", str(folder)).exit_code == 0
    with serving("--store", str(folder)) as base:
        assert rows_of(get_query(base, PEOPLE)) == kg_query_rows(PEOPLE)
