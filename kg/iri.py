"""IRI minting: every node's IRI comes from a curated id, so the same id always
gives the same IRI.

Ids follow the rule in :data:`kg.load.ID_PATTERN` (lowercase words joined by single
hyphens), so ``base + id`` is a valid IRI and, with a prefix for the base, a valid
Turtle prefixed name. Nodes that belong to a record (its citations, their
selectors, a statistic's period) extend the record's IRI with dot-separated parts,
which ids cannot contain, so they never collide with another record.
"""

from __future__ import annotations

import re

_BASE = re.compile(r"https?://[^\s<>\"{}|^`\\#]+[/#]")


def valid_base(base: str) -> bool:
    """Whether ``base`` can prefix ids: an http(s) IRI ending in ``/`` or ``#``."""
    return bool(_BASE.fullmatch(base))


def mint(base: str, record_id: str) -> str:
    """The IRI of a record."""
    return base + record_id


def part_iri(owner: str, part: str) -> str:
    """The IRI of a node that belongs to ``owner``: ``owner.part``."""
    return f"{owner}.{part}"


def citation_iri(fact: str, source_id: str, number: int | None = None) -> str:
    """The IRI of a fact's citation of a source; ``number`` tells apart several of one source."""
    return part_iri(fact, source_id if number is None else f"{source_id}.{number}")
