"""IRI minting: every node's IRI comes from a curated id, so the same id always
gives the same IRI.

Ids follow the rule in :data:`kg.curated.ID_PATTERN` (lowercase words joined by single
hyphens), so ``base + id`` is a valid IRI and, with a prefix for the base, a valid
Turtle prefixed name. Nodes that belong to a record extend the record's IRI with
dot-separated parts, which ids cannot contain, so they never collide with another
record; and the part after the record's id is always a fixed word saying what the
node is (``cite``, ``period``, ``repair``), with any id after it, so that no id can
make one generated node's IRI equal another's:

- ``fact.cite.SOURCE`` (``fact.cite.SOURCE.2`` for a second citation of one source),
  and its ``….target``, ``….quote`` and ``….position``;
- ``statistic.period``;
- ``source.repair.N``.
"""

from __future__ import annotations

import re

from kg import vocab

_BASE = re.compile(r"https?://[^\s<>\"{}|^`\\#]+[/#]")
NOT_A_NAMESPACE = "must be an http(s) IRI ending in '/' or '#'"
#: The vocabularies the graph uses, by prefix: a base may not overlap any of them.
_VOCABULARIES = sorted({**vocab.PREFIXES, "kg": vocab.KG, "sh": vocab.SH}.items())


def base_problem(base: str) -> str | None:
    """What keeps ``base`` from prefixing ids (None when nothing does): it must be an
    http(s) IRI ending in ``/`` or ``#``, and neither be, lie inside, nor hold a vocabulary
    namespace, whose terms the data's IRIs could then collide with."""
    if not _BASE.fullmatch(base):
        return NOT_A_NAMESPACE
    for prefix, namespace in _VOCABULARIES:
        if base == namespace:
            overlap = "is"
        elif base.startswith(namespace):
            overlap = "lies inside"
        elif namespace.startswith(base):
            overlap = "holds"
        else:
            continue
        return f"{overlap} the vocabulary namespace {prefix}: <{namespace}>, so data IRIs could collide with its terms"
    return None


def valid_base(base: str) -> bool:
    """Whether ``base`` can prefix ids (see :func:`base_problem`)."""
    return base_problem(base) is None


def mint(base: str, record_id: str) -> str:
    """The IRI of a record."""
    return base + record_id


def part_iri(owner: str, part: str) -> str:
    """The IRI of a node that belongs to ``owner``: ``owner.part``."""
    return f"{owner}.{part}"


def citation_iri(fact: str, source_id: str, number: int | None = None) -> str:
    """The IRI of a fact's citation of a source; ``number`` tells apart several of one source."""
    return part_iri(fact, f"cite.{source_id}" if number is None else f"cite.{source_id}.{number}")


def repair_iri(source: str, number: int) -> str:
    """The IRI of a source's ``number``-th text repair."""
    return part_iri(source, f"repair.{number}")
