"""Problems as people and machines read them: text lines, JSON, and SARIF 2.1.0 for code review.

SARIF (the Static Analysis Results Interchange Format) is what code-review tools such as
GitHub code scanning show inline on a pull request: one result per problem, at its file,
line and column.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from kg import __version__
from kg.problems import ERROR, NOTE, WARNING, Problem

FORMATS = ("text", "json", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {ERROR: "error", WARNING: "warning", NOTE: "note"}
#: What the named checks look for, for a code-review tool's rule list.
RULE_DESCRIPTIONS = {
    "figure-conflict": "Figures that count the same thing (measure, unit, about, place, period length) and cannot both be true",
    "figure-agree": "Differing figures that count the same thing and can both be true",
    "differing-accounts": "Sources give one thing different founders, founding dates or leaders",
    "more-specific-account": "Two accounts of a founder, founding date or leader that agree, one more specific (a part, a date within)",
    "post-overlap": "Two people holding one single-holder post at times that overlap",
    "time-undated": "Time words (or a post held as of the source's date) in a source that gives no date: kept as words",
    "time-unresolved": "Time words that fix no date: kept as words",
    "merge": "One fact told by two records that could be one record with a citation per source",
    "partial-quotation": "A citation that quotes only part of a quotation",
    "figure-wording": "A statistic's value or comparator that its evidence quote does not say",
    "todo": "A value still to fill in from the source (TODO)",
    "more-problems": "A file's problems past the first 100, counted but not shown",
    "stopped-reading": "The problem that stopped a curated file being read",
}


def problem_dict(problem: Problem) -> dict[str, Any]:
    """One problem as plain data: file, line, column, field, severity, rule (as SARIF's
    ``ruleId``), message, hint."""
    pos = problem.pos
    return {
        "file": pos.path if pos else None,
        "line": pos.line if pos else None,
        "column": pos.column if pos else None,
        "field": problem.field,
        "severity": problem.severity,
        "rule": rule_id(problem),
        "message": problem.message,
        "hint": problem.hint or None,
    }


def counts(problems: Sequence[Problem]) -> dict[str, int]:
    return {f"{severity}s": sum(1 for p in problems if p.severity == severity) for severity in (ERROR, WARNING, NOTE)}


def to_json(problems: Sequence[Problem], extra: dict[str, Any] | None = None) -> str:
    """``{"problems": [...], "summary": {...}}``, keys sorted, one trailing newline."""
    summary = {**counts(problems), **(extra or {})}
    return json.dumps({"problems": [problem_dict(p) for p in problems], "summary": summary}, indent=2, ensure_ascii=False) + "\n"


def rule_id(problem: Problem) -> str:
    """A stable rule id: the check's own name, else the field's name without list indexes."""
    if problem.rule:
        return problem.rule
    bare = "".join(part.split("]")[-1] for part in problem.field.split("["))
    return f"{problem.severity}/{bare.lstrip('.') or 'record'}"


def artifact_uri(path: str) -> str:
    """A file as SARIF names it: a relative URI reference (``data/all.yaml``), or a ``file:`` URI."""
    pure = PurePath(path)
    if pure.is_absolute():
        return pure.as_uri()
    return quote(pure.as_posix())


def to_sarif(problems: Sequence[Problem]) -> str:
    """A SARIF 2.1.0 log with one run of ``kg`` and one result per problem."""
    rules = sorted({rule_id(p) for p in problems})
    results = []
    for problem in problems:
        text = f"{problem.field}: {problem.message}" + (f"; {problem.hint}" if problem.hint else "")
        result: dict[str, Any] = {
            "ruleId": rule_id(problem),
            "ruleIndex": rules.index(rule_id(problem)),
            "level": _SARIF_LEVEL[problem.severity],
            "message": {"text": text},
            "properties": {"field": problem.field, "hint": problem.hint},
        }
        if problem.pos is not None:
            result["locations"] = [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": artifact_uri(problem.pos.path)},
                        "region": {"startLine": max(problem.pos.line, 1), "startColumn": max(problem.pos.column, 1)},
                    }
                }
            ]
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kg",
                        "version": __version__,
                        "rules": [{"id": rule, "shortDescription": {"text": RULE_DESCRIPTIONS.get(rule, rule)}} for rule in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def select_notes(problems: Sequence[Problem], notes: str, conflict_rules: frozenset[str]) -> list[Problem]:
    """Errors and warnings, with all notes, none, or only the disagreements (``conflicts``)."""
    if notes == "all":
        return list(problems)
    if notes == "none":
        return [p for p in problems if p.severity != NOTE]
    return [p for p in problems if p.severity != NOTE or p.rule in conflict_rules]
