"""Namespaces, the one prefix table, and the vocabulary terms the graph uses.

Every ``kg:`` term named here is defined, with a label and a comment, in
``ontology/kg.ttl``; a test keeps the two in step.
"""

from __future__ import annotations

from typing import Final

RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
DCTERMS: Final = "http://purl.org/dc/terms/"
PROV: Final = "http://www.w3.org/ns/prov#"
ORG: Final = "http://www.w3.org/ns/org#"
SCHEMA: Final = "https://schema.org/"
FOAF: Final = "http://xmlns.com/foaf/0.1/"
OA: Final = "http://www.w3.org/ns/oa#"
SH: Final = "http://www.w3.org/ns/shacl#"

#: The vocabulary's own namespace (fixed: it names the terms, not the data).
KG: Final = "https://example.org/kg/ontology#"
#: The default namespace of the data's IRIs; a dataset or ``--base`` may change it.
DEFAULT_BASE: Final = "https://example.org/kg/id/"

#: The prefix table used by every serialiser that writes prefixes, sorted by prefix.
PREFIXES: Final[dict[str, str]] = {
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "kg": KG,
    "oa": OA,
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": SCHEMA,
    "skos": SKOS,
    "xsd": XSD,
}
#: The prefix the data namespace is written with.
DATA_PREFIX: Final = "kgd"

TYPE: Final = RDF + "type"
LABEL: Final = RDFS + "label"
ALT_LABEL: Final = SKOS + "altLabel"
DERIVED_FROM: Final = PROV + "wasDerivedFrom"
RDF_STATEMENT: Final = RDF + "Statement"
RDF_SUBJECT: Final = RDF + "subject"
RDF_PREDICATE: Final = RDF + "predicate"
RDF_OBJECT: Final = RDF + "object"

XSD_STRING: Final = XSD + "string"
XSD_INTEGER: Final = XSD + "integer"
XSD_DECIMAL: Final = XSD + "decimal"
XSD_DATE: Final = XSD + "date"
XSD_GYEARMONTH: Final = XSD + "gYearMonth"
XSD_GYEAR: Final = XSD + "gYear"
XSD_DURATION: Final = XSD + "duration"

OA_ANNOTATION: Final = OA + "Annotation"
OA_SPECIFIC_RESOURCE: Final = OA + "SpecificResource"
OA_TEXT_QUOTE_SELECTOR: Final = OA + "TextQuoteSelector"
OA_TEXT_POSITION_SELECTOR: Final = OA + "TextPositionSelector"
OA_HAS_BODY: Final = OA + "hasBody"
OA_HAS_TARGET: Final = OA + "hasTarget"
OA_HAS_SOURCE: Final = OA + "hasSource"
OA_HAS_SELECTOR: Final = OA + "hasSelector"
OA_MOTIVATED_BY: Final = OA + "motivatedBy"
OA_DESCRIBING: Final = OA + "describing"
OA_EXACT: Final = OA + "exact"
OA_PREFIX: Final = OA + "prefix"
OA_SUFFIX: Final = OA + "suffix"
OA_START: Final = OA + "start"
OA_END: Final = OA + "end"


class K:
    """The ``kg:`` terms, one attribute each (``K.Statistic`` is a full IRI)."""

    # classes
    Organisation = KG + "Organisation"
    Person = KG + "Person"
    Post = KG + "Post"
    Place = KG + "Place"
    Initiative = KG + "Initiative"
    Measure = KG + "Measure"
    Statistic = KG + "Statistic"
    Period = KG + "Period"
    Quotation = KG + "Quotation"
    Claim = KG + "Claim"
    Statement = KG + "Statement"
    Citation = KG + "Citation"
    Source = KG + "Source"
    TextRepair = KG + "TextRepair"
    Event = KG + "Event"

    # relations between entities (the ``predicate`` of a statement record)
    ledBy = KG + "ledBy"
    supportedBy = KG + "supportedBy"
    fundedBy = KG + "fundedBy"
    establishedBy = KG + "establishedBy"
    establishedIn = KG + "establishedIn"
    announcedBy = KG + "announcedBy"
    partOf = KG + "partOf"
    partner = KG + "partner"
    holdsPost = KG + "holdsPost"
    postIn = KG + "postIn"
    visited = KG + "visited"
    spokeTo = KG + "spokeTo"
    purpose = KG + "purpose"
    description = KG + "description"
    staffedBy = KG + "staffedBy"
    worksThrough = KG + "worksThrough"
    when = KG + "when"
    kind = KG + "kind"

    # statistics
    counts = KG + "counts"
    value = KG + "value"
    comparator = KG + "comparator"
    unit = KG + "unit"
    period = KG + "period"
    place = KG + "place"
    about = KG + "about"
    duration = KG + "duration"
    anchor = KG + "anchor"
    start = KG + "start"
    end = KG + "end"

    # quotations and claims
    speaker = KG + "speaker"
    text = KG + "text"
    spokenTo = KG + "spokenTo"

    # provenance
    citation = KG + "citation"
    sourceCount = KG + "sourceCount"
    claimStatus = KG + "claimStatus"
    attributedTo = KG + "attributedTo"
    evidence = KG + "evidence"
    source = KG + "source"
    asserted = KG + "asserted"
    citedWhen = KG + "citedWhen"
    citedDate = KG + "citedDate"
    partial = KG + "partial"

    # time: when a fact held, in each source's account
    held = KG + "held"
    during = KG + "during"
    resolvedAgainst = KG + "resolvedAgainst"
    timeStatus = KG + "timeStatus"
    fromOutsideText = KG + "fromOutsideText"
    singleHolder = KG + "singleHolder"
    moreSpecificAccount = KG + "moreSpecificAccount"

    # comparing what sources say
    FigureComparison = KG + "FigureComparison"
    comparedFigure = KG + "comparedFigure"
    verdict = KG + "verdict"
    comparisonRule = KG + "comparisonRule"
    differingAccount = KG + "differingAccount"

    # sources
    title = KG + "title"
    subtitle = KG + "subtitle"
    url = KG + "url"
    publisherName = KG + "publisherName"
    publisherStatus = KG + "publisherStatus"
    authorName = KG + "authorName"
    authorStatus = KG + "authorStatus"
    published = KG + "published"
    modified = KG + "modified"
    dateStatus = KG + "dateStatus"
    language = KG + "language"
    textFile = KG + "textFile"
    textSha256 = KG + "textSha256"
    textRepair = KG + "textRepair"
    replace = KG + "replace"
    replacement = KG + "replacement"
    precededBy = KG + "precededBy"
    followedBy = KG + "followedBy"
    ruleOrder = KG + "ruleOrder"
    positionBasis = KG + "positionBasis"
    quoteBasis = KG + "quoteBasis"

    # concept schemes and their concepts
    ClaimStatuses = KG + "ClaimStatuses"
    Comparators = KG + "Comparators"
    InitiativeKinds = KG + "InitiativeKinds"
    PeriodAnchors = KG + "PeriodAnchors"
    Units = KG + "Units"
    SourceKinds = KG + "SourceKinds"
    MetadataStatuses = KG + "MetadataStatuses"
    RepairContexts = KG + "RepairContexts"
    TextBases = KG + "TextBases"
    rawCodePoints = KG + "rawCodePoints"
    repairedNfcSpaced = KG + "repairedNfcSpaced"
    notStated = KG + "notStated"
    undated = KG + "undated"
    Verdicts = KG + "Verdicts"
    agree = KG + "agree"
    conflict = KG + "conflict"
    HeldTimes = KG + "HeldTimes"
    EventKinds = KG + "EventKinds"
    unresolved = KG + "unresolved"


def concept(key: str) -> str:
    """The ``kg:`` concept IRI for a curated list key: ``more-than`` -> ``kg:moreThan``."""
    head, *rest = key.split("-")
    return KG + head + "".join(part.capitalize() for part in rest)


#: The controlled lists a curator picks from, key -> (concept scheme, allowed keys).
CONTROLLED_LISTS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "status": (
        K.ClaimStatuses,
        ("stated", "attributed", "quoted", "hedged", "unattributed"),
    ),
    "comparator": (
        K.Comparators,
        (
            "exactly",
            "more-than",
            "at-least",
            "fewer-than",
            "at-most",
            "approximately",
            "multiples-of",
            "unqualified",
        ),
    ),
    "initiative-kind": (
        K.InitiativeKinds,
        ("taskforce", "operation", "database", "legislation", "legal-provision", "programme", "activity"),
    ),
    "held": (K.HeldTimes, ("as-of", "then", "from", "until")),
    "event-kind": (K.EventKinds, ("meeting", "launch", "visit", "announcement", "interview", "speech")),
    "anchor": (K.PeriodAnchors, ("from-establishment", "to-publication")),
    "unit": (K.Units, ("count", "percent")),
    "source-kind": (K.SourceKinds, ("news-article", "government-statement", "report")),
    "repair-context": (K.RepairContexts, ("letter", "digit", "space", "punctuation", "line-start", "line-end")),
}


def concept_label(key: str) -> str:
    """A concept's label: its key in words (``more-than`` -> ``more than``)."""
    return key.replace("-", " ")


#: Every concept of the controlled lists: IRI -> (scheme, label).
CONCEPTS: Final[dict[str, tuple[str, str]]] = {
    **{concept(key): (scheme, concept_label(key)) for scheme, keys in CONTROLLED_LISTS.values() for key in keys},
    K.notStated: (K.MetadataStatuses, "not stated"),
    K.undated: (K.MetadataStatuses, "undated"),
    K.unresolved: (K.MetadataStatuses, "time words not resolved to a date"),
    K.agree: (K.Verdicts, "agree"),
    K.conflict: (K.Verdicts, "conflict"),
    K.rawCodePoints: (K.TextBases, "code points of the raw text file"),
    K.repairedNfcSpaced: (K.TextBases, "repaired, NFC, white space collapsed"),
}


#: The predicates a statement record may use:
#: key -> (property IRI, subject kinds, object kinds or a literal type "text"/"date").
STATEMENT_PREDICATES: Final[dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    "led-by": (K.ledBy, ("initiative",), ("organisation", "person")),
    "supported-by": (K.supportedBy, ("initiative", "organisation"), ("organisation", "initiative")),
    "funded-by": (K.fundedBy, ("initiative",), ("organisation",)),
    "established-by": (K.establishedBy, ("initiative",), ("person", "organisation")),
    "established-in": (K.establishedIn, ("initiative",), ("date",)),
    "announced-by": (K.announcedBy, ("initiative",), ("person", "organisation")),
    "part-of": (K.partOf, ("initiative", "organisation"), ("initiative", "organisation")),
    "partner": (K.partner, ("initiative", "organisation"), ("organisation", "initiative")),
    "holds-post": (K.holdsPost, ("person",), ("post",)),
    "post-in": (K.postIn, ("post",), ("organisation",)),
    "visited": (K.visited, ("person",), ("organisation",)),
    "spoke-to": (K.spokeTo, ("person",), ("organisation", "person")),
    "purpose": (K.purpose, ("initiative",), ("text",)),
    "description": (K.description, ("initiative", "organisation"), ("text",)),
    "staffed-by": (K.staffedBy, ("initiative",), ("text",)),
    "works-through": (K.worksThrough, ("initiative", "organisation"), ("initiative",)),
}

#: Predicates on which sources can give differing accounts (who founded or leads a thing, and
#: when it was founded). Every predicate may hold several values: two objects one source gives
#: are both stated; only objects that no one source gives together can differ.
COMPARED_PREDICATES: Final = ("established-by", "established-in", "led-by")
#: Source metadata a curator may take from outside the text (where it is published).
OUTSIDE_TEXT_FIELDS: Final = ("publisher", "author")


def date_datatype(lexical: str) -> str:
    """The XSD datatype of a checked date: ``2024`` gYear, ``2024-05`` gYearMonth, else date."""
    return {4: XSD_GYEAR, 7: XSD_GYEARMONTH}.get(len(lexical), XSD_DATE)
