"""One benchmark stage, run in its own process so that its peak memory is its own.

    python benchmarks/stages.py STAGE DATA_FOLDER [OUTPUT]

prints one JSON line: ``{"seconds": …, "triples": …, "detail": …}``. The parent reads the
process's peak memory from ``os.wait4``. Stages that run a ``kg`` command are timed by the
parent instead (see ``run.py``); these are the library steps and the two baselines.
"""

from __future__ import annotations

import glob
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

BASE = "https://example.org/kg/id/"
ONT = "https://example.org/kg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _files(data: Path) -> list[str]:
    return sorted(glob.glob(str(data / "**" / "*.yaml"), recursive=True))


Plain = tuple[str, str, str | tuple[str, str]]


def generic_triples(docs: Iterator[dict[str, Any]]) -> Iterator[Plain]:
    """A plain mapping of curated YAML to triples of about the same number and shape as
    ``kg``'s (a node per record with its fields, a citation node per source with a target
    and a selector), with no checks, no anchors and no canonical order: what a minimal
    exporter has to do at least. Literals are ``("lit", text)``, IRIs plain strings."""
    for doc in docs:
        for section, records in doc.items():
            if not isinstance(records, list):
                continue
            for record in records:
                node = BASE + str(record["id"])
                yield node, RDF_TYPE, ONT + section
                yield node, RDF_TYPE, ONT + section + "-aligned"
                yield node, ONT + "sourceCount", ("lit", str(len(record.get("sources") or ())))
                for key, value in record.items():
                    if key in ("id", "sources"):
                        continue
                    if isinstance(value, dict):
                        part = f"{node}.{key}"
                        yield node, ONT + key, part
                        for k, v in value.items():
                            yield part, ONT + k, ("lit", str(v))
                    elif isinstance(value, list):
                        for v in value:
                            yield node, ONT + key, ("lit", str(v))
                    else:
                        yield node, ONT + key, ("lit", str(value))
                for n, cite in enumerate(record.get("sources") or ()):
                    c = f"{node}.citation-{n}"
                    yield node, ONT + "citation", c
                    yield node, ONT + "derivedFrom", BASE + cite["source"]
                    yield c, RDF_TYPE, ONT + "Citation"
                    yield c, ONT + "source", BASE + cite["source"]
                    yield c, ONT + "status", ("lit", cite.get("status", "stated"))
                    yield c, ONT + "evidence", ("lit", cite.get("evidence") or str(record.get("text", "")))
                    target, selector = c + ".target", c + ".quote"
                    yield c, ONT + "hasTarget", target
                    yield target, RDF_TYPE, ONT + "SpecificResource"
                    yield target, ONT + "hasSelector", selector
                    yield selector, RDF_TYPE, ONT + "TextQuoteSelector"
                    yield selector, ONT + "exact", ("lit", cite.get("evidence") or str(record.get("text", "")))
                    yield c, RDF_TYPE, ONT + "Annotation"
                    yield c, ONT + "hasBody", node
                    yield c, ONT + "motivatedBy", ONT + "describing"
                    yield target, ONT + "hasSource", BASE + cite["source"]
                    position = c + ".position"
                    yield target, ONT + "hasSelector", position
                    yield position, RDF_TYPE, ONT + "TextPositionSelector"
                    yield position, ONT + "start", ("lit", str(n))
                    yield position, ONT + "end", ("lit", str(n + 1))


def floor(data: Path, output: Path) -> dict[str, Any]:
    """libyaml's CSafeLoader and ``pyoxigraph.serialize`` from a generator."""
    import pyoxigraph as ox
    import yaml

    def docs() -> Iterator[dict[str, Any]]:
        for name in _files(data):
            with open(name, "rb") as handle:
                yield yaml.load(handle, Loader=yaml.CSafeLoader)

    count = 0

    def ox_triples() -> Iterator[ox.Triple]:
        nonlocal count
        for s, p, o in generic_triples(docs()):
            count += 1
            obj = ox.Literal(o[1]) if isinstance(o, tuple) else ox.NamedNode(str(o))
            yield ox.Triple(ox.NamedNode(s), ox.NamedNode(p), obj)

    start = time.perf_counter()
    with open(output, "wb") as out:
        ox.serialize(ox_triples(), out, ox.RdfFormat.TURTLE, prefixes={"kgd": BASE, "kg": ONT})
    return {"seconds": time.perf_counter() - start, "triples": count}


def naive(data: Path, output: Path) -> dict[str, Any]:
    """What a first exporter does: ``yaml.safe_load``, ``Graph.add``, ``Graph.serialize``."""
    import rdflib
    import yaml

    start = time.perf_counter()
    graph = rdflib.Graph()
    graph.bind("kgd", BASE)
    graph.bind("kg", ONT)

    def docs() -> Iterator[dict[str, Any]]:
        for name in _files(data):
            with open(name, encoding="utf-8") as handle:
                yield yaml.safe_load(handle)

    for s, p, o in generic_triples(docs()):
        obj: rdflib.term.Identifier = rdflib.Literal(o[1]) if isinstance(o, tuple) else rdflib.URIRef(str(o))
        graph.add((rdflib.URIRef(s), rdflib.URIRef(p), obj))
    graph.serialize(output, format="turtle")
    return {"seconds": time.perf_counter() - start, "triples": len(graph)}


def load(data: Path) -> dict[str, Any]:
    from kg.load import load_dataset

    start, cpu = time.perf_counter(), time.process_time()
    dataset, problems = load_dataset(data)
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "detail": f"{len(dataset)} records, {len(problems)} problems",
    }


def check(data: Path) -> dict[str, Any]:
    """The record checks alone (loading is its own stage, not counted here)."""
    from kg.check import check as run_checks
    from kg.load import load_dataset

    dataset, problems = load_dataset(data)
    start, cpu = time.perf_counter(), time.process_time()
    report = run_checks(dataset, (), problems)
    seconds = time.perf_counter() - start
    detail = f"{len(report.errors)} errors, {len(report.anchors)} of {report.evidence_total} grounded"
    return {"seconds": seconds, "cpu": time.process_time() - cpu, "detail": detail}


def build(data: Path) -> dict[str, Any]:
    """Records to the triple stream (consumed, not kept): loading and checking not counted."""
    from kg.build import triples
    from kg.check import check as run_checks
    from kg.load import load_dataset

    dataset, problems = load_dataset(data)
    report = run_checks(dataset, (), problems)
    start, cpu = time.perf_counter(), time.process_time()
    count = sum(1 for _ in triples(dataset, anchors=report.anchors))
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, "triples": count}


def _timed(store: Any, text: str) -> float:
    """Seconds to run a query and read every row of its answer."""
    began = time.perf_counter()
    for _ in store.query(text):
        pass
    return time.perf_counter() - began


def queries(data: Path, graph_file: Path) -> dict[str, Any]:
    """Every saved question over a pyoxigraph store loaded from the exported N-Triples."""
    import pyoxigraph as ox

    import kg
    from kg import query

    start, cpu = time.perf_counter(), time.process_time()
    store = ox.Store()
    store.bulk_load(path=str(graph_file), format=ox.RdfFormat.N_TRIPLES)
    loaded = time.perf_counter() - start
    one_fact = ox.NamedNode(BASE + "st-0-rel-0")
    timings = []
    for path in sorted((Path(kg.__file__).parent / "queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        if path.stem == "fact-provenance":  # bound as `kg query --param fact=…` binds it
            text = query.bind(text, {"fact": one_fact}) or text
        began = time.perf_counter()
        result = store.query(text)
        rows = sum(1 for _ in result) if isinstance(result, ox.QuerySolutions) else 1
        timings.append((time.perf_counter() - began, path.stem, rows))
    slowest = sorted(timings, reverse=True)[:3]
    bound = statistics.median(_timed(store, query.bind(query.query_text("fact-provenance"), {"fact": one_fact}) or "") for _ in range(5))
    listings = [(seconds, rows) for seconds, _, rows in timings if rows >= 1000]  # whole-graph listings
    rate = sum(rows for _, rows in listings) / sum(seconds for seconds, _ in listings) if listings else 0
    detail = (
        f"store load {loaded:.1f} s; one fact (fact-provenance) {bound * 1000:.0f} ms; "
        f"listings of 1000+ rows {rate:,.0f} rows/s; slowest: " + ", ".join(f"{name} {s:.2f} s ({rows} rows)" for s, name, rows in slowest)
    )
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, "detail": detail}


def main(argv: list[str]) -> None:
    stage, data = argv[0], Path(argv[1])
    extra = [Path(a) for a in argv[2:]]
    stages: dict[str, Callable[..., dict[str, Any]]] = {
        "load": load,
        "check": check,
        "build": build,
        "floor": floor,
        "naive": naive,
        "queries": queries,
    }
    result = stages[stage](data, *extra)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
