"""Print a pip constraints file that pins every dependency pyproject.toml declares to the
lowest release its range allows, so the tests can prove the bottom of each range.

    python3 .ci/lowest_constraints.py > lowest.txt && pip install -c lowest.txt '.[test]'

Every declared dependency must have a lower bound (``>=`` or ``==``): a range with no
bottom makes a promise no test can check, so the script refuses it.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)")


def lowest(requirement: str) -> str:
    """``name==lowest`` for one requirement string such as ``rdflib>=7.1,<8``."""
    match = _NAME.match(requirement)
    if not match:
        raise SystemExit(f"pyproject.toml: cannot read the requirement {requirement!r}")
    name, specifiers = match.group(1), match.group(2)
    for specifier in (part.strip() for part in specifiers.split(",")):
        for operator in (">=", "==", "~="):
            if specifier.startswith(operator):
                return f"{name}=={specifier[len(operator):].strip()}"
    raise SystemExit(f"pyproject.toml: {requirement!r} has no lower bound; give it one ('>=X') so it can be tested")


def main() -> None:
    project = tomllib.loads(Path(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    for extra in sorted(project.get("optional-dependencies", {})):
        requirements += project["optional-dependencies"][extra]
    print("\n".join(sorted({lowest(r) for r in requirements}, key=str.lower)))


if __name__ == "__main__":
    main()
