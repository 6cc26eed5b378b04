"""Plain-text summaries of the contested nodes, for the derived graph.

A contested node is a claim or period that a dispute link names (either
side of ``sk:disputedBy``), or a claim whose polarity is denied or hedged.
Each one gets, in ``graph/derived``, the values a report about it needs,
computed here from the extractions and periods so that a query reads them
with plain triple patterns instead of aggregating over the whole graph
(``queries/contested.rq``):

- ``sk:summaryType``: its most specific class's local name (``Capture``,
  ``CasualtyReport``, ``ControlPeriod``; ``TerritorialControl``,
  ``GroupMembership`` or ``RoleHolding`` for a claim of that kind);
- ``sk:summaryText``: what it says: the event's label, else the figure with its
  victims ("14 civilians"), else "actors / objects" (controller, member or
  initiating side; territory, organisation, role or place), each by English
  preferred label or key;
- ``sk:summaryClaimants``: who says it, by English label or key (for a period,
  the claimants of the claims it rests on), ", "-separated; absent when nobody;
- ``sk:summaryDocuments``: the ids of the documents it comes from, " "-separated;
- copies of its own values, so that a report reads them from this graph alone
  rather than from every graph (pyoxigraph evaluates an OPTIONAL over every
  triple of its property): ``sk:summaryStart`` / ``sk:summaryStartPrecision``
  (the earliest ``sk:startDate``), ``sk:summaryEnd`` / ``sk:summaryEndPrecision``
  (the latest ``sk:endDate``), ``sk:summaryPolarity`` and ``sk:summaryQuote``
  (claims only), each when the node has one;
- ``sk:summaryRank``: the node's position (from 0) among the build's contested
  nodes in IRI order, so that a query compares and sorts them by a number
  instead of reading their IRIs back.

Lists are sorted and without repeats. The values are exactly what the
aggregates of the former whole-graph query gave (tests/test_summaries.py).

>>> summary_what(Facts(labels={"Battle of Kidal"}))
'Battle of Kidal'
>>> summary_what(Facts(figures={"14 civilians", "dozens civilians"}))
'14 civilians'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from kg.emit import PERIOD_CLASSES, claim_iri, period_iri, publisher_key
from kg.iris import entity_iri
from kg.model import (
    CasualtyClaim,
    Claim,
    ControlClaim,
    Entity,
    EventClaim,
    Extraction,
    MembershipClaim,
    Period,
    RoleClaim,
    TimeSpan,
)  # fmt: skip
from kg.vocab import POLARITIES, PRECISIONS, PROPERTIES, RDFS, SK, SKOS, XSD

__all__ = [
    "SUMMARY_PROPERTIES", "Facts", "Names", "contested_nodes", "summary_triples", "summary_type",
    "summary_what", "english_names",
]  # fmt: skip

#: sk: local names of the summary properties (declared in kg.vocab).
SUMMARY_PROPERTIES = tuple(p for p in PROPERTIES if p.startswith("summary"))
#: Types a claim of a situation kind carries beside ``sk:Claim``; the others are specific.
GENERAL_TYPES = tuple(general for _, general in PERIOD_CLASSES.values())
_CLAIM_TYPES = {
    ControlClaim: "TerritorialControl",
    MembershipClaim: "GroupMembership",
    RoleClaim: "RoleHolding",
    CasualtyClaim: "CasualtyReport",
}


@dataclass
class Names:
    """English names of IRIs: ``preferred`` (skos:prefLabel) and ``any`` (prefLabel or
    rdfs:label), each IRI -> every such label."""

    preferred: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    any: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, iri: str, label: str, preferred: bool) -> None:
        if preferred:
            self.preferred[iri].add(label)
        self.any[iri].add(label)


@dataclass
class Facts:
    """What the graph says of one node, as far as its summary goes (sets: a node may be
    written by several sources)."""

    types: set[str] = field(default_factory=set)  # sk: local names, sk:Claim aside
    labels: set[str] = field(default_factory=set)  # rdfs:label of an event
    figures: set[str] = field(default_factory=set)  # "count victims"
    actors: set[str] = field(default_factory=set)  # IRIs
    objects: set[str] = field(default_factory=set)  # IRIs
    claimants: set[str] = field(default_factory=set)  # IRIs
    documents: set[str] = field(default_factory=set)  # doc ids
    starts: set[tuple[date, str]] = field(default_factory=set)  # (sk:startDate, precision name)
    ends: set[tuple[date, str]] = field(default_factory=set)  # (sk:endDate, precision name)
    polarities: set[str] = field(default_factory=set)  # sk: local names
    quotes: set[str] = field(default_factory=set)


def _english(language: str | None) -> bool:
    tag = (language or "").lower()
    return tag == "en" or tag.startswith("en-")


def english_names(
    extractions: Sequence[Extraction], registry_entities: Mapping[str, Entity],
    label_files: Iterable[Path] | None = None,
) -> Names:  # fmt: skip
    """The English labels the build writes: those of the Turtle files (ontology, registry),
    of discovered entities and of discovered outlets (in their document's language)."""
    if label_files is None:
        from kg.resources import resource_path

        folder = resource_path("ontology")
        label_files = (folder / "sahel.ttl", folder / "registry.ttl")
    names = Names()
    wanted = {SKOS + "prefLabel": True, RDFS + "label": False}
    for path in label_files:
        for quad in parse(path=path, format=RdfFormat.TURTLE):
            preferred = wanted.get(quad.predicate.value)
            o = quad.object
            if (preferred is not None and isinstance(quad.subject, NamedNode)
                    and isinstance(o, Literal) and _english(o.language)):  # fmt: skip
                names.add(quad.subject.value, o.value, preferred)
    for x in extractions:
        doc = x.document
        if not _english(doc.language):
            continue
        for entity in x.entities:
            names.add(entity_iri(entity.key), entity.label, True)
        if doc.publisher.strip():
            key, discovered = publisher_key(doc.publisher, registry_entities)
            if discovered:
                names.add(entity_iri(key), doc.publisher.strip(), True)
    return names


def contested_nodes(
    extractions: Sequence[Extraction], disputes: Sequence[tuple[str, str]]
) -> set[str]:
    """Both sides of every dispute, and every denied or hedged claim."""
    nodes = {iri for pair in disputes for iri in pair}
    for x in extractions:
        nodes.update(claim_iri(c) for c in x.claims if c.polarity in ("denied", "hedged"))
    return nodes


def _dates(facts: Facts, start: TimeSpan | None, end: TimeSpan | None) -> None:
    """The flat dates emit writes: the start's earliest day, the end's latest day."""
    if start is not None:
        facts.starts.add((start.earliest, PRECISIONS[start.precision]))
    if end is not None:
        facts.ends.add((end.latest, PRECISIONS[end.precision]))


def _claim_facts(facts: Facts, claim: Claim, text: str) -> None:
    if isinstance(claim, EventClaim):
        facts.types.add(claim.event_type)
        if claim.label:
            facts.labels.add(claim.label)
        facts.actors.update(entity_iri(k) for k in claim.side_a if k)
        if claim.place:
            facts.objects.add(entity_iri(claim.place))
    else:
        facts.types.add(_CLAIM_TYPES[type(claim)])
    if isinstance(claim, ControlClaim):
        facts.actors.update(entity_iri(k) for k in (claim.controller,) if k)
        facts.objects.update(entity_iri(k) for k in (claim.territory,) if k)
    elif isinstance(claim, MembershipClaim):
        facts.actors.update(entity_iri(k) for k in (claim.member,) if k)
        facts.objects.update(entity_iri(k) for k in (claim.organisation,) if k)
    elif isinstance(claim, RoleClaim):
        facts.actors.update(entity_iri(k) for k in (claim.holder,) if k)
        facts.objects.add(SK + claim.role)
    elif isinstance(claim, CasualtyClaim):
        if claim.count_text:
            facts.figures.add(claim.count_text + (" " + claim.victims if claim.victims else ""))
        if claim.place:
            facts.objects.add(entity_iri(claim.place))
    if isinstance(claim, CasualtyClaim):
        _dates(facts, claim.date, None)
    else:
        _dates(facts, claim.start, claim.end)  # type: ignore[attr-defined]
    if claim.claimant:
        facts.claimants.add(entity_iri(claim.claimant))
    facts.documents.add(claim.evidence.doc_id)
    facts.polarities.add(POLARITIES[claim.polarity])
    facts.quotes.add(text[claim.evidence.begin : claim.evidence.stop])


def _period_facts(facts: Facts, period: Period, claimants: Mapping[str, set[str]]) -> None:
    facts.types.update(PERIOD_CLASSES[period.kind])
    facts.actors.add(entity_iri(period.subject))
    facts.objects.add(SK + period.object if period.kind == "role" else entity_iri(period.object))
    for claim in period.claims:
        facts.claimants.update(claimants.get(claim, ()))
    facts.documents.update(period.documents)
    _dates(facts, period.start, period.end)


def summary_type(facts: Facts) -> str:
    """The least specific-type name, else the least general one (as MIN over local names)."""
    specific = sorted(t for t in facts.types if t not in GENERAL_TYPES)
    general = sorted(t for t in facts.types if t in GENERAL_TYPES)
    return (specific or general or [""])[0]


def _name(iri: str, labels: Mapping[str, set[str]]) -> set[str]:
    """An entity's English labels, else what follows ``/id/`` in its IRI ("" if nothing)."""
    found = labels.get(iri)
    if found:
        return set(found)
    _, sep, rest = iri.partition("/id/")
    return {rest if sep else ""}


def summary_what(facts: Facts, names: Names | None = None) -> str:
    """The label, else the least figure, else "actors / objects" (names sorted, joined)."""
    if facts.labels:
        return min(facts.labels)
    if facts.figures:
        return min(facts.figures)
    names = names or Names()
    actors = {n for a in facts.actors for n in _name(a, names.preferred)}
    objects = {n for o in facts.objects for n in _name(o, names.any)}
    return ", ".join(sorted(actors)) + " / " + ", ".join(sorted(objects))


def summary_triples(
    extractions: Sequence[Extraction], periods: Sequence[Period],
    disputes: Sequence[tuple[str, str]], registry_entities: Mapping[str, Entity], *,
    label_files: Iterable[Path] | None = None,
) -> list[Triple]:  # fmt: skip
    """The summary triples of every contested node (for ``graph/derived``), sorted."""
    nodes = contested_nodes(extractions, disputes)
    if not nodes:
        return []
    names = english_names(extractions, registry_entities, label_files)
    facts: dict[str, Facts] = defaultdict(Facts)
    claimants: dict[str, set[str]] = defaultdict(set)
    for x in extractions:
        for claim in x.claims:
            iri = claim_iri(claim)
            if claim.claimant:
                claimants[iri].add(entity_iri(claim.claimant))
            if iri in nodes:
                _claim_facts(facts[iri], claim, x.document.text)
    for period in periods:
        iri = period_iri(period)
        if iri in nodes:
            _period_facts(facts[iri], period, claimants)
    triples = []
    for rank, iri in enumerate(sorted(nodes)):
        f = facts.get(iri)
        if f is None:
            continue  # a node this build does not describe (cannot happen with derive's pairs)
        node = NamedNode(iri)
        for name, value in _values(f, names, rank):
            triples.append(Triple(node, NamedNode(SK + name), value))
    return triples


def _values(f: Facts, names: Names, rank: int) -> list[tuple[str, Literal | NamedNode]]:
    """(property, value) of one node, as the aggregates of a query over its triples:
    MIN of the start, MAX of the end, the least of several polarities or quotes."""
    who = sorted({n for c in f.claimants for n in _name(c, names.preferred)})
    values: list[tuple[str, Literal | NamedNode]] = [
        ("summaryType", Literal(summary_type(f))),
        ("summaryText", Literal(summary_what(f, names))),
        ("summaryDocuments", Literal(" ".join(sorted(f.documents)))),
        ("summaryRank", Literal(str(rank), datatype=NamedNode(XSD + "integer"))),
    ]
    if who:
        values.append(("summaryClaimants", Literal(", ".join(who))))
    if f.starts:
        day, precision = min(f.starts)
        values += [("summaryStart", Literal(day.isoformat(), datatype=NamedNode(XSD + "date"))),
                   ("summaryStartPrecision", NamedNode(SK + precision))]  # fmt: skip
    if f.ends:
        day, precision = max(f.ends)
        values += [("summaryEnd", Literal(day.isoformat(), datatype=NamedNode(XSD + "date"))),
                   ("summaryEndPrecision", NamedNode(SK + precision))]  # fmt: skip
    if f.polarities:
        values.append(("summaryPolarity", NamedNode(SK + min(f.polarities))))
    if f.quotes:
        values.append(("summaryQuote", Literal(min(f.quotes))))
    return values
