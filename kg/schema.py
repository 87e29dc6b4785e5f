"""The data format, derived from :mod:`kg.load`'s field specifications and never written by hand:
a JSON Schema for YAML editors, and the README's table of fields per record kind.

Each field parser in ``load`` maps to a JSON Schema and a few words; parsers of nested values
carry their own specification (``spec`` for a mapping, ``item_spec`` for a list of mappings)
and controlled lists carry their ``choices``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from kg import curated
from kg.curated import CHOICE_LISTS, CHOICES, ID_PATTERN, LIST_SPECS, MAPPING_SPECS, MAX_ID_LENGTH, SPECS, Spec

SCHEMA_ID = "https://example.org/kg/schema/dataset.json"
_DATE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
_ID: dict[str, Any] = {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$", "maxLength": MAX_ID_LENGTH}
_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}

#: Leaf parsers: their JSON Schema and what the README says they take.
_LEAVES: dict[Callable[..., Any], tuple[dict[str, Any], str]] = {
    curated.p_id: (_ID, "id"),
    curated.p_text: (_TEXT, "text"),
    curated.p_repair_text: (
        {"type": "string", "minLength": 1, "maxLength": curated.MAX_REPAIR_CHARS},
        f"text of at most {curated.MAX_REPAIR_CHARS} characters",
    ),
    curated.p_ids: ({"anyOf": [_ID, {"type": "array", "items": _ID, "minItems": 1}]}, "id or list of ids"),
    curated.p_texts: ({"type": "array", "items": _TEXT}, "list of texts"),
    curated.p_text_or_texts: ({"anyOf": [_TEXT, {"type": "array", "items": _TEXT}]}, "text or list of texts"),
    curated.p_number: ({"type": "number"}, "number (no quotes, no separators)"),
    curated.p_date: ({"type": "string", "pattern": _DATE}, "date YYYY-MM-DD, YYYY-MM or YYYY"),
    curated.p_date_or_unknown: ({"type": "string", "pattern": f"{_DATE[:-1]}|^unknown$"}, "date, or unknown"),
    curated.p_text_or_unknown: (_TEXT, "text, or unknown"),
    curated.p_bool: ({"type": "boolean"}, "true or false"),
    curated.p_iri: ({"type": "string", "format": "iri", "pattern": "^https?://"}, "http(s) IRI"),
    curated.p_base: ({"type": "string", "format": "iri", "pattern": "^https?://.*[/#]$"}, "http(s) IRI ending in / or #"),
    curated.p_sha256: ({"type": "string", "pattern": "^[0-9a-f]{64}$"}, "SHA-256 (64 hex digits)"),
    curated.p_duration: ({"type": "string", "pattern": "^P"}, "ISO 8601 duration, canonical (P1Y, P6M)"),
}


def _object(spec: Spec) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: field_schema(parser) for name, (_, parser) in spec.items()},
        "required": [name for name, (required, _) in spec.items() if required],
        "additionalProperties": False,
    }


def field_schema(parser: Callable[..., Any]) -> dict[str, Any]:
    """The JSON Schema of one field, from its parser."""
    if parser in _LEAVES:
        return dict(_LEAVES[parser][0])
    if parser in CHOICES:
        return {"enum": list(CHOICES[parser])}
    if parser in CHOICE_LISTS:
        one = {"enum": list(CHOICE_LISTS[parser])}
        return {"anyOf": [one, {"type": "array", "items": one, "minItems": 1}]}
    if parser in MAPPING_SPECS:
        return _object(MAPPING_SPECS[parser])
    if parser in LIST_SPECS:
        return {"type": "array", "items": _object(LIST_SPECS[parser]), "minItems": 1}
    raise KeyError(f"kg.schema knows no JSON Schema for the parser {parser.__name__}: add it to _LEAVES")


def field_words(parser: Callable[..., Any]) -> str:
    """What a field takes, in a few words, from its parser."""
    if parser in _LEAVES:
        return _LEAVES[parser][1]
    if parser in CHOICES:
        return " \\| ".join(f"`{choice}`" for choice in CHOICES[parser])
    if parser in CHOICE_LISTS:
        return "one or a list of " + " \\| ".join(f"`{choice}`" for choice in CHOICE_LISTS[parser])
    if parser in MAPPING_SPECS:
        return "mapping, below"
    if parser in LIST_SPECS:
        return "list of mappings, below"
    raise KeyError(f"kg.schema knows no words for the parser {parser.__name__}: add it to _LEAVES")


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one curated file."""
    sections = {name: {"type": "array", "items": _object(spec)} for name, spec in SPECS.items()}
    sections["dataset"] = _object(curated.DATASET_SPEC)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "kg curated data file",
        "description": "A curated YAML file of the kg exporter: sections of records. Generated from kg/curated.py by `kg schema`.",
        "type": "object",
        "properties": sections,
        "additionalProperties": False,
    }


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def field_tables() -> str:
    """The README's tables: per section, each field, whether it is required, and what it takes."""
    out = []
    for section, spec in [("dataset", curated.DATASET_SPEC), *SPECS.items()]:
        out.append(f"**`{section}`**\n")
        out.append("| field | required | takes |")
        out.append("| --- | --- | --- |")
        for name, (required, parser) in spec.items():
            out.append(f"| `{name}` | {'yes' if required else 'no'} | {field_words(parser)} |")
            nested = LIST_SPECS.get(parser) or MAPPING_SPECS.get(parser)
            if nested:
                for inner, (inner_required, inner_parser) in nested.items():
                    out.append(f"| `{name}.{inner}` | {'yes' if inner_required else 'no'} | {field_words(inner_parser)} |")
        out.append("")
    return "\n".join(out)
