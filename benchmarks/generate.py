"""A seeded generator of synthetic curated data in the project's own input format.

Every record kind is made (sources with full texts, organisations, people, posts, places,
initiatives, measures, statements, statistics, quotes, claims), each fact cites one or two
sources with an evidence quote that is in the source's text, so evidence is grounded;
statistics carry every qualifier; names and quotes hold awkward characters (typographic
quotes, accents, emoji, YAML's own punctuation, backslashes). The same seed and size give
the same files, byte for byte.

    python benchmarks/generate.py 10k OUT      # writes OUT/data/*.yaml and OUT/data/texts/*.txt
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

#: Facts (records other than sources) per source: one "block" of related records.
BLOCK = 44
#: Records per curated file, so that a large dataset is many files, as curators keep it.
PER_FILE = 5000

_AWKWARD = [
    "Ñandú & Søn",
    "“Quoted” Council",
    "O’Brien-Šimić",
    "Zoë: #1 Trust",
    "東京 Office",
    "Back\\slash Ltd",
    "Émile’s — Agency",
    "“Safe” 🙂 Homes",
    "Crèche - Unit [A]",
    "Tab{le} & Co, 100%",
]
_COMPARATORS = ["exactly", "more-than", "at-least", "fewer-than", "at-most", "approximately", "multiples-of", "unqualified"]
#: How a source words each comparator before its figure (kg check warns where they differ).
_WORDED = {"exactly": "exactly ", "more-than": "more than ", "at-least": "at least ", "fewer-than": "fewer than ", "at-most": "up to "}
_WORDED |= {"approximately": "about ", "unqualified": ""}
_MAGNITUDES = {10: "tens of", 100: "hundreds of", 1000: "thousands of"}
_ANY_OF = ["led-by", "supported-by", "funded-by", "announced-by", "part-of", "partner", "established-by"]


def parse_size(text: str) -> int:
    """``1k`` -> 1000, ``2.5M`` -> 2500000, ``300`` -> 300."""
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if scale != 1 else text
    return int(float(number) * scale)


def q(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


@dataclass
class _Source:
    id: str
    sentences: list[str] = field(default_factory=list)
    repaired: bool = False

    def say(self, sentence: str) -> str:
        """Add ``sentence`` to the text and return it as evidence."""
        self.sentences.append(sentence)
        return sentence


@dataclass
class Generated:
    """What was written: counts that the benchmark reports."""

    facts: int
    sources: int
    files: int
    data: Path
    texts: Path


def _cite(source: _Source, evidence: str, status: str = "stated", attributed_to: str | None = None) -> str:
    parts = [f"source: {source.id}", f"evidence: {q(evidence)}"]
    if status != "stated":
        parts.append(f"status: {status}")
    if attributed_to:
        parts.append(f"attributed_to: {attributed_to}")
    return "{" + ", ".join(parts) + "}"


def _sources_field(cites: list[str]) -> str:
    return "    sources:\n" + "".join(f"      - {c}\n" for c in cites)


def _block(b: int, rng: random.Random, src: _Source, prev: _Source | None, out: dict[str, list[str]]) -> int:
    """Write one block of facts citing ``src`` (and sometimes ``prev``); returns how many."""
    awk = _AWKWARD[b % len(_AWKWARD)]
    made = 0

    def add(section: str, text: str) -> None:
        nonlocal made
        out.setdefault(section, []).append(text)
        made += 1

    orgs = [f"org-{b}-{i}" for i in range(4)]
    org_names = [f"{awk} Organisation {b}.{i}" for i in range(4)]
    for oid, name in zip(orgs, org_names, strict=True):
        alt = f"    alt_names: [{q(f'ORG{b}X{oid[-1]}')}]\n" if oid.endswith("0") else ""
        add("organisations", f"  - id: {oid}\n    name: {q(name)}\n{alt}" + _sources_field([_cite(src, src.say(f"{name} was named."))]))
    people = [f"person-{b}-{i}" for i in range(2)]
    posts = [f"post-{b}-{i}" for i in range(2)]
    for i in range(2):
        pname, post_name = f"Dr {awk} Person {b}.{i}", f"Chief Officer {b}.{i} of {org_names[i]}"
        add("people", f"  - id: {people[i]}\n    name: {q(pname)}\n" + _sources_field([_cite(src, src.say(f"{pname} said so."))]))
        add("posts", f"  - id: {posts[i]}\n    name: {q(post_name)}\n" + _sources_field([_cite(src, src.say(f"the {post_name} spoke."))]))
    place = f"place-{b}"
    pl_name = f"Place {b} of {awk}"
    add("places", f"  - id: {place}\n    name: {q(pl_name)}\n" + _sources_field([_cite(src, src.say(f"in {pl_name} today"))]))
    inits = [f"initiative-{b}-{i}" for i in range(2)]
    kinds = ["taskforce", "operation", "database", "legislation", "legal-provision", "programme"]
    for i, iid in enumerate(inits):
        name = f"Operation {awk} {b}.{i}"
        add(
            "initiatives",
            f"  - id: {iid}\n    name: {q(name)}\n    kind: {kinds[(b + i) % len(kinds)]}\n"
            + _sources_field([_cite(src, src.say(f"{name} began work."))]),
        )
    measure = f"measure-{b // 5}"
    if b % 5 == 0:
        described = q("Arrests made, as counted.")
        add("measures", f"  - id: {measure}\n    name: {q(f'arrests of kind {b // 5}')}\n    description: {described}\n")

    def statement(sid: str, subject: str, predicate: str, obj: str | None, value: str | None, sentence: str, **extra: str) -> None:
        cites = [_cite(src, src.say(sentence), extra.get("status", "stated"), extra.get("by"))]
        if prev is not None and rng.random() < 0.3:
            cites.append(_cite(prev, prev.say(sentence + " (earlier report)")))
        target = f"    object: {obj}\n" if obj else f"    value: {q(value or '')}\n"
        when = f"    when: {q('On Monday, ‘early’')}\n" if rng.random() < 0.2 else ""
        add("statements", f"  - id: {sid}\n    subject: {subject}\n    predicate: {predicate}\n{target}{when}" + _sources_field(cites))

    for i in range(2):
        statement(f"st-{b}-holds-{i}", people[i], "holds-post", posts[i], None, f"{posts[i]} is held by {people[i]}, we hear.")
        statement(f"st-{b}-postin-{i}", posts[i], "post-in", orgs[i], None, f"{posts[i]} sits in {org_names[i]}.")
    for i in range(7):
        predicate = _ANY_OF[(b + i) % len(_ANY_OF)]
        subject, obj = inits[i % 2], orgs[(i + 1) % 4]
        status, by = ("attributed", orgs[0]) if i == 3 else ("hedged", None) if i == 5 else ("stated", None)
        sentence = f"{subject} is {predicate} {obj} (#{i})."
        statement(f"st-{b}-rel-{i}", subject, predicate, obj, None, sentence, status=status, **({"by": by} if by else {}))
    month = f"{2000 + b % 25}-{1 + b % 12:02d}"
    statement(f"st-{b}-est", inits[0], "established-in", None, month, f"{inits[0]} was set up in month {b % 12 + 1}.")
    purpose = f"to tackle {awk} \\ crime: “now”"
    statement(f"st-{b}-purpose", inits[1], "purpose", None, purpose, f"{inits[1]} aims to tackle crime: “now”, {b}.")
    statement(f"st-{b}-visited", people[0], "visited", orgs[2], None, f"{people[0]} visited {orgs[2]}.")
    statement(f"st-{b}-through", orgs[2], "works-through", inits[1], None, f"{orgs[2]} works through {inits[1]}.")
    statement(f"st-{b}-spoke", people[1], "spoke-to", people[0], None, f"{people[1]} spoke to {people[0]}.")
    statement(f"st-{b}-desc", orgs[3], "description", None, f"a body for {awk}", f"{orgs[3]} is a body for {awk}.")
    statement(f"st-{b}-staff", inits[0], "staffed-by", None, "officers & “analysts”", f"{inits[0]} is staffed by officers & “analysts”.")
    for i in range(10):
        comparator = _COMPARATORS[(b + i) % len(_COMPARATORS)]
        value = rng.randint(1, 5000) if i % 3 else f"{rng.randint(1, 999)}.{rng.randint(1, 9)}"
        unit = "percent" if i == 4 else "count"
        if i % 2:
            period = f"    period: {{label: {q(f'in the last {i} years')}, duration: P{i}Y, anchor: to-publication}}\n"
        else:
            period = f'    period: {{label: {q(f"from {2001 + i} to {2010 + i}")}, start: "{2001 + i}-01", end: "{2010 + i}-06-30"}}\n'
        place_line = f"    place: {place}\n" if i % 4 else ""
        status, by = ("attributed", orgs[1]) if i % 3 == 0 else ("stated", None)
        if comparator == "multiples-of":
            value = list(_MAGNITUDES)[(b + i) % len(_MAGNITUDES)]
            figure = _MAGNITUDES[value]
        else:
            figure = f"{_WORDED[comparator]}{value}"
        sentence = f"{figure} arrests (figure {b}.{i}) were recorded"
        add(
            "statistics",
            f"  - id: stat-{b}-{i}\n    counts: {measure}\n    value: {value}\n    comparator: {comparator}\n    unit: {unit}\n"
            f"    about: {inits[i % 2]}\n{period}{place_line}" + _sources_field([_cite(src, src.say(sentence), status, by)]),
        )
    for i in range(3):
        text = f"We will not rest, {awk}: “every case” counts ({b}.{i})."
        src.say(f"{people[i % 2]} told reporters: {text}")
        spoken = f"    spoken_to: {orgs[3]}\n" if i == 0 else ""
        head = f"  - id: quote-{b}-{i}\n    speaker: {people[i % 2]}\n    text: {q(text)}\n"
        add("quotes", f"{head}{spoken}    sources:\n      - source: {src.id}\n")
    for i in range(3):
        status = ["hedged", "unattributed", "attributed"][i]
        by = people[0] if status == "attributed" else None
        sentence = f"Awareness work on {awk} is likely to be central ({b}.{i})"
        add(
            "claims",
            f"  - id: claim-{b}-{i}\n    about: [{inits[0]}, {orgs[i]}]\n    summary: {q(sentence)}\n"
            + _sources_field([_cite(src, src.say(sentence), status, by)]),
        )
    return made


def _source_record(s: _Source, b: int, file_name: str, sha: str) -> str:
    dated = f'    published: "{2010 + b % 15}-{1 + b % 12:02d}-{1 + b % 28:02d}"\n' if b % 7 else "    undated: true\n"
    repairs = '    repairs:\n      - {replace: "ā", with: "’", reason: "U+0101 stands where apostrophes belong"}\n' if s.repaired else ""
    return (
        f"  - id: {s.id}\n    kind: {['news-article', 'government-statement', 'report'][b % 3]}\n"
        f"    title: {q(f'Report {b}: “arrests” rise — {_AWKWARD[b % len(_AWKWARD)]}')}\n"
        f'    url: "https://example.org/news/{b}?a=1&b=2"\n'
        f"    publisher: {q('The Daily ‘News’') if b % 2 else 'unknown'}\n    author: {'unknown' if b % 3 else q('A. Writer')}\n"
        f"{dated}    language: en\n    text: {{file: {file_name}, sha256: {sha}}}\n{repairs}"
    )


def generate(folder: Path, facts: int, seed: int = 11) -> Generated:
    """Write a dataset of about ``facts`` facts into ``folder/data``, its texts into ``folder/data/texts``."""
    rng = random.Random(seed)
    data = folder / "data"
    texts = data / "texts"  # the dataset's texts setting is relative to the dataset folder
    data.mkdir(parents=True, exist_ok=True)
    texts.mkdir(parents=True, exist_ok=True)
    blocks = max(1, round(facts / BLOCK))
    sources = [_Source(f"source-{b}", repaired=(b % 10 == 3)) for b in range(blocks)]
    sections: dict[str, list[str]] = {}
    made = 0
    for b, src in enumerate(sources):
        made += _block(b, rng, src, sources[b - 1] if b else None, sections)
    source_records = []
    for b, s in enumerate(sources):
        body = f"Report {b}.\n\n" + "\n".join(f"{sentence} " for sentence in s.sentences) + "\nEnd of report.\n"
        if s.repaired:  # a damaged text: its apostrophes became ā, and its repair puts them back
            body = "The Chiefsā Council agreed.\n" + body
        raw = body.encode("utf-8")
        name = f"{b:07d}.txt"
        (texts / name).write_bytes(raw)
        source_records.append(_source_record(s, b, name, hashlib.sha256(raw).hexdigest()))
    sections = {"sources": source_records, **sections}
    (data / "dataset.yaml").write_text(
        f"dataset:\n  title: {q(f'Synthetic benchmark data: {facts} facts, seed {seed}')}\n  texts: texts\n", encoding="utf-8"
    )
    files = 1
    for section, records in sections.items():
        for part in range(0, len(records), PER_FILE):
            chunk = records[part : part + PER_FILE]
            name = f"{section}-{part // PER_FILE:04d}.yaml"
            (data / name).write_text(f"# generated (seed {seed})\n{section}:\n" + "".join(chunk), encoding="utf-8")
            files += 1
    return Generated(made, len(sources), files, data, texts)


def main(argv: list[str]) -> None:
    if len(argv) not in (2, 3):
        raise SystemExit("usage: python benchmarks/generate.py SIZE OUT_FOLDER [SEED]")
    made = generate(Path(argv[1]), parse_size(argv[0]), int(argv[2]) if len(argv) == 3 else 11)
    print(f"{made.facts} facts, {made.sources} sources, {made.files} files in {argv[1]}")


if __name__ == "__main__":
    main(sys.argv[1:])
