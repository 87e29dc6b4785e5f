"""Records remember where each field stands, compactly, and say so like a plain mapping."""

from __future__ import annotations

import gc
import pickle
from pathlib import Path

import pytest

from kg.load import load_dataset
from kg.model import Pos, Where


def _positions() -> dict[str, Pos]:
    return {"id": Pos("data/a.yaml", 3, 5), "name": Pos("data/a.yaml", 4, 11), "sources.[1]": Pos("data/a.yaml", 70_000, 1)}


def test_where_reads_as_the_mapping_it_was_made_from() -> None:
    positions = _positions()
    where = Where(positions)
    assert where == positions
    assert list(where) == list(positions)
    assert len(where) == 3
    assert where["sources.[1]"] == Pos("data/a.yaml", 70_000, 1)
    assert where.get("name") == Pos("data/a.yaml", 4, 11)
    assert where.get("missing") is None
    assert "id" in where and "missing" not in where
    with pytest.raises(KeyError):
        where["missing"]
    assert Where() == {} and len(Where()) == 0


def test_where_is_read_only_and_survives_pickling() -> None:
    where = Where(_positions())
    with pytest.raises(TypeError):
        where["id"] = Pos("x", 1, 1)  # type: ignore[index]
    assert pickle.loads(pickle.dumps(where)) == where


def test_where_holds_numbers_not_position_objects() -> None:
    """The point of the class: a large dataset's many positions cost bytes, not objects."""
    where = Where(_positions())
    assert not [ref for ref in gc.get_referents(where) if isinstance(ref, Pos)]


def test_where_refuses_fields_from_two_files() -> None:
    with pytest.raises(ValueError, match="one file"):
        Where({"id": Pos("a.yaml", 1, 1), "name": Pos("b.yaml", 2, 1)})


def test_loaded_records_point_at_their_fields(tmp_path: Path) -> None:
    (tmp_path / "organisations.yaml").write_text(
        "organisations:\n"
        "  - id: first-org\n"
        "    name: First\n"
        "    sources:\n"
        "      - source: s\n"
        "        evidence: First\n"
        "  - name: Second\n"
        "    id: second-org\n"
        "    sources:\n"
        "      - source: s\n"
        "        evidence: Second\n",
        encoding="utf-8",
    )
    dataset, _problems = load_dataset(tmp_path)
    first, second = dataset.entities
    assert (first.where["id"].line, first.where["name"].line) == (2, 3)
    assert (second.where["name"].line, second.where["id"].line) == (7, 8)
    assert list(second.where)[:2] == ["name", "id"]  # the curator's order
    assert first.citations[0].where["evidence"] == Pos(first.pos.path, 6, 19)


def test_a_value_written_many_times_is_held_once(tmp_path: Path) -> None:
    """Ids, statuses and quotes repeat across records and files: each value is one object."""
    for name, first in (("a.yaml", "one-org"), ("b.yaml", "two-org")):
        (tmp_path / name).write_text(
            f"organisations:\n  - id: {first}\n    name: Shared name\n    sources:\n      - source: s\n        evidence: Shared name\n",
            encoding="utf-8",
        )
    dataset, _problems = load_dataset(tmp_path)
    one, two = dataset.entities
    assert one.name == two.name == "Shared name"
    assert one.name is two.name
    assert one.citations[0].source is two.citations[0].source
