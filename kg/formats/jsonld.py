"""JSON-LD, compacted with the vocabulary's own context, so that keys read like the
vocabulary (``ledBy``, ``sourceCount``, ``label``) and IRIs are prefixed names.

The context is the file ``ontology/context.jsonld`` in the repository (made by
:func:`make_context` from ``ontology/kg.ttl``; a test keeps the two in step). Each
output embeds it, with ``kgd:`` set to the data namespace, so a reader needs no
network. Nodes are sorted by IRI, keys by name and values in the canonical order,
so the same data always gives the same bytes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from kg import vocab
from kg.formats import WriteOptions
from kg.resources import ontology_dir
from kg.terms import Lit, Triple

CONTEXT_FILE = "context.jsonld"

#: Terms of other vocabularies the graph uses: name -> (IRI, whether its values are IRIs).
#: (``oa:start`` and ``oa:end`` keep their prefixed names: ``start`` and ``end`` are kg's.)
EXTERNAL_TERMS: dict[str, tuple[str, bool]] = {
    "label": (vocab.LABEL, False),
    "comment": (vocab.RDFS + "comment", False),
    "altLabel": (vocab.ALT_LABEL, False),
    "inScheme": (vocab.SKOS + "inScheme", True),
    "wasDerivedFrom": (vocab.DERIVED_FROM, True),
    "subject": (vocab.RDF_SUBJECT, True),
    "predicate": (vocab.RDF_PREDICATE, True),
    "object": (vocab.RDF_OBJECT, False),
    "motivatedBy": (vocab.OA_MOTIVATED_BY, True),
    "hasBody": (vocab.OA_HAS_BODY, True),
    "hasTarget": (vocab.OA_HAS_TARGET, True),
    "hasSource": (vocab.OA_HAS_SOURCE, True),
    "hasSelector": (vocab.OA_HAS_SELECTOR, True),
    "exact": (vocab.OA_EXACT, False),
    "prefix": (vocab.OA_PREFIX, False),
    "suffix": (vocab.OA_SUFFIX, False),
}


def make_context(ontology: Path | None = None) -> dict[str, Any]:
    """The JSON-LD context of the vocabulary: the prefixes, one term per ``kg:`` property
    (named by its local name; object properties take IRIs) and the other terms the graph uses."""
    import rdflib  # only to make the context file, never to write an export

    graph = rdflib.Graph().parse(ontology or ontology_dir() / "kg.ttl")
    owl = rdflib.Namespace(vocab.OWL)
    kinds = {owl.ObjectProperty: True, owl.DatatypeProperty: False}
    terms: dict[str, Any] = {}
    for kind, takes_iris in kinds.items():
        for prop in graph.subjects(rdflib.RDF.type, kind):
            if str(prop).startswith(vocab.KG):
                name = str(prop)[len(vocab.KG) :]
                terms[name] = {"@id": f"kg:{name}", "@type": "@id"} if takes_iris else {"@id": f"kg:{name}"}
    for name, (iri, takes_iris) in EXTERNAL_TERMS.items():
        if name in terms:
            raise ValueError(f"the JSON-LD term {name!r} names both kg:{name} and <{iri}>")
        short = compact(iri, vocab.PREFIXES)
        terms[name] = {"@id": short, "@type": "@id"} if takes_iris else {"@id": short}
    prefixes: dict[str, Any] = {**vocab.PREFIXES, vocab.DATA_PREFIX: vocab.DEFAULT_BASE}
    return {**dict(sorted(prefixes.items())), **dict(sorted(terms.items()))}


def context_text(context: dict[str, Any]) -> str:
    """The context file's text."""
    return json.dumps({"@context": context}, indent=2, ensure_ascii=False) + "\n"


@cache
def _repository_context() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ontology_dir() / CONTEXT_FILE).read_text(encoding="utf-8"))["@context"]
    return loaded


def compact(iri: str, prefixes: dict[str, str]) -> str:
    """``prefix:local`` for an IRI in one of the namespaces (the longest that fits), else the IRI."""
    best = ""
    for name, namespace in prefixes.items():
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and local and not local.startswith("//") and len(namespace) > len(prefixes.get(best, "")):
            best = name
    return f"{best}:{iri[len(prefixes[best]) :]}" if best else iri


def document(triples: list[Triple], base: str) -> dict[str, Any]:
    """The compacted JSON-LD document of a sorted triple list."""
    context = {**_repository_context(), vocab.DATA_PREFIX: base or vocab.DEFAULT_BASE}
    prefixes = {k: v for k, v in context.items() if isinstance(v, str)}
    names: dict[str, tuple[str, bool]] = {}
    for name, definition in context.items():
        if isinstance(definition, dict):
            names[_expand(definition["@id"], prefixes)] = (name, definition.get("@type") == "@id")
    nodes: defaultdict[str, dict[str, list[Any]]] = defaultdict(dict)
    for s, p, o in triples:
        node = nodes[s]
        if p == vocab.TYPE and isinstance(o, str):
            node.setdefault("@type", []).append(compact(o, prefixes))
            continue
        key, takes_iris = names.get(p, (compact(p, prefixes), False))
        node.setdefault(key, []).append(_value(o, takes_iris, prefixes))
    graph = []
    for s in sorted(nodes):
        body: dict[str, Any] = {"@id": compact(s, prefixes)}
        for key in sorted(nodes[s], key=lambda k: (k != "@type", k)):
            values = nodes[s][key]
            body[key] = values[0] if len(values) == 1 else values
        graph.append(body)
    return {"@context": context, "@graph": graph}


def _expand(short: str, prefixes: dict[str, str]) -> str:
    head, _, local = short.partition(":")
    return prefixes[head] + local if head in prefixes else short


def _value(term: str | Lit, takes_iris: bool, prefixes: dict[str, str]) -> Any:
    if not isinstance(term, Lit):
        short = compact(term, prefixes)
        return short if takes_iris else {"@id": short}
    if term.language:
        return {"@value": term.lexical, "@language": term.language}
    if term.datatype == vocab.XSD_STRING:
        return {"@value": term.lexical} if takes_iris else term.lexical
    return {"@value": term.lexical, "@type": compact(term.datatype, prefixes)}


def write(triples: list[Triple], out: BinaryIO, options: WriteOptions) -> None:
    text = json.dumps(document(triples, options.base), indent=2, ensure_ascii=False) + "\n"
    out.write(text.encode("utf-8"))


if __name__ == "__main__":  # python -m kg.formats.jsonld > ontology/context.jsonld
    import sys

    sys.stdout.write(context_text(make_context()))
