"""Stage 5: the pipeline's dataclasses as RDF quads, and the build files.

Each article's facts go into its own named graph ``graph/doc/<doc_id>``; the
curated registry, the ontology and the derived periods get one graph each.
Every node has an IRI from :mod:`kg.iris` (claims, their intervals, instants
and evidence annotations hang off the claim IRI), so the output holds no
blank node. The data shape is the contract in ``ontology/README.md``.
pyoxigraph parses; plain terms are written by a small Turtle writer of its
own (same bytes as pyoxigraph's, checked by the tests): rdflib is far too
slow for thousands of articles. Graphs are serialized one at a time, so a
build holds one graph and the extractions, never every quad. In short::

    graphs = [document_graph(x, registry) for x in extractions]   # GraphText each
    graphs += graph_texts(ontology_quads(sahel_ttl) + registry_quads(registry_ttl))
    graphs.append(derived_graph(periods, disputes, extra=summary_triples(...)))
    files = write_build(Path("build"), sorted(graphs, key=lambda g: g.name))
    # build/kg.trig: the graphs one after another; build/kg.ttl: every triple
    # once, merged by subject from sorted runs on disk

(:mod:`kg.pipeline` spools the document graphs to disk as workers make them
and streams them back in IRI order.) The same input always gives
byte-identical files (sorted, fixed prefixes, no timestamps), and a build
that fails never leaves a half-written file.

>>> from datetime import date
>>> from kg.model import TimeSpan
>>> instant_value(TimeSpan(date(2012, 3, 1), date(2012, 3, 31), "month"))[1:]
('2012-03', 'http://www.w3.org/2001/XMLSchema#gYearMonth')
"""

from __future__ import annotations

import heapq
import itertools
import os
import pickle
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple, parse, serialize

from kg.errors import OntologyError
from kg.iris import (
    CLAIM,
    PERIOD,
    digest,
    doc_iri,
    entity_iri,
    graph_iri,
    mention_iri,
    mint,
    slugify,
)  # fmt: skip
from kg.model import (
    CasualtyClaim,
    Claim,
    ControlClaim,
    Document,
    Entity,
    EventClaim,
    Extraction,
    MembershipClaim,
    Mention,
    Period,
    RoleClaim,
    TimeSpan,
)  # fmt: skip
from kg.vocab import (
    CASUALTY_TYPES,
    CHANGES,
    CLASSES,
    DCT,
    EVENT_CLASSES,
    GENID,
    OA,
    ORG,
    POLARITIES,
    PRECISIONS,
    PREFIX_BLOCK,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    ROLES,
    SCHEMA,
    SEM,
    SK,
    SKOS,
    TIME,
    XSD,
)  # fmt: skip

if TYPE_CHECKING:
    from kg.events import ResolvedEvent

STAGE = "emit.v1"

__all__ = [
    "STAGE", "BuildFiles", "GraphText", "claim_iri", "period_iri", "document_quads",
    "document_graph", "registry_quads", "ontology_quads", "derived_quads", "derived_graph",
    "graph_texts", "write_build", "instant_value", "publisher_key",
]  # fmt: skip


@lru_cache(maxsize=1 << 16)
def iri(value: str) -> NamedNode:
    """A NamedNode, cached: the same few thousand IRIs recur in every graph."""
    return NamedNode(value)


def _sk(name: str) -> NamedNode:
    return iri(SK + name)


A = iri(RDF + "type")
TRUE = f'"true"^^<{XSD}boolean>'

# A literal is handed to _Graph.add in its N-Triples form (a str starting with '"'; an IRI
# never does): the form pyoxigraph prints (str(Literal)), which is also the sort key.
_ESCAPES = {i: f"\\u{i:04X}" for i in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF)}
_ESCAPES.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r",
                 0x22: '\\"', 0x5C: "\\\\"})  # fmt: skip


def _str(value: str) -> str:
    """A plain literal, as N-Triples writes it (same as ``str(Literal(value))``)."""
    return '"' + value.translate(_ESCAPES) + '"'


def _int(value: int) -> str:
    return f'"{int(value)}"^^<{XSD}integer>'


def _date(value: date) -> str:
    return f'"{value.isoformat()}"^^<{XSD}date>'


def _label(value: str, language: str) -> Literal:
    return Literal(value, language=language)


class _Graph:
    """Collects the triples of one named graph as sort keys.

    A key is subject, predicate (rdf:type as "") and object (an IRI's value, a
    literal's N-Triples form) joined by NUL: as a string it sorts exactly as
    the tuple of the three would (no part holds a NUL: N-Triples escapes it),
    and it is all the serializers need.
    """

    def __init__(self, name: str) -> None:
        self.name = iri(graph_iri(name))
        self.keys: list[str] = []

    def add(self, subject: str, predicate: NamedNode, obj: NamedNode | Literal | str) -> None:
        """Add one triple; a str object is an IRI, or a literal in N-Triples form (``_str``)."""
        if not isinstance(obj, str):
            obj = obj.value if isinstance(obj, NamedNode) else str(obj)
        self.keys.append(f"{subject}\0{_predicate_key(predicate)}\0{obj}")

    def add_triple(self, triple: Triple) -> None:
        """Add a parsed triple (IRI or literal terms only)."""
        s, p, o = triple.subject, triple.predicate, triple.object
        self.keys.append(f"{_order(s)}\0{_predicate_key(p)}\0{_order(o)}")

    @property
    def quads(self) -> list[Quad]:
        """The graph's quads, in the order they were added."""
        return _parse_keys(self.keys, self.name)

    def text(self) -> GraphText:
        """The graph serialized (sorted, deduplicated): see :class:`GraphText`."""
        return _graph_text(self.name.value, sorted(set(self.keys)))

    def provenance(self, stages: Sequence[str], sources: Iterable[str]) -> None:
        """The graph IRI as a prov:Entity: which stages wrote it, from which documents."""
        node = self.name.value
        self.add(node, A, iri(PROV + "Entity"))
        for stage in sorted({STAGE, *stages}):
            self.add(node, _sk("stage"), _str(stage))
        for source in sorted(set(sources)):
            self.add(node, iri(PROV + "wasDerivedFrom"), source)


_RDF_TYPE = RDF + "type"


def _parse_keys(keys: Sequence[str], graph: NamedNode | None = None) -> list[Quad]:
    """Sort keys back into pyoxigraph quads (through N-Triples); a bad IRI raises ValueError."""
    lines = []
    for key in keys:
        s, p, o = key.split("\0")
        obj = o if o.startswith('"') else f"<{o}>"
        lines.append(f"<{s}> <{p or _RDF_TYPE}> {obj} .\n")
    try:
        triples = parse("".join(lines).encode(), format=RdfFormat.N_TRIPLES)
        if graph is None:
            return list(triples)
        return [Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    except SyntaxError as error:
        raise ValueError(f"not valid RDF: {error}") from None


@lru_cache(maxsize=1024)
def _predicate_key(predicate: NamedNode) -> str:
    """A predicate's part of the sort key: rdf:type sorts first."""
    return "" if predicate == A else predicate.value


# --- IRIs ----------------------------------------------------------------


def _plain(value: object) -> object:
    """A value as plain, repr-stable data for minting (TimeSpan -> tuple)."""
    if isinstance(value, TimeSpan):
        return (value.earliest.isoformat(), value.latest.isoformat(), value.precision,
                value.approximate)  # fmt: skip
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


#: Claim -> IRI, lent by the pipeline while it derives (``kg.pipeline.derive_graphs``): the
#: IRIs of the claims of unchanged documents come from the build cache, not a new digest.
KNOWN_CLAIM_IRIS: dict[Claim, str] = {}


def claim_iri(claim: Claim) -> str:
    """The claim's IRI: a digest of document, kind, rule, offsets and every content field.

    Claimant and polarity count as content: "the army says X" and "the rebels
    deny X" over one span are two claims.

    >>> from kg.model import Evidence
    >>> ev = Evidence("d1", 0, 5, "Kidal")
    >>> claim = ControlClaim("control.gain.v1", ev, "fama", controller="fama", territory="kidal")
    >>> claim_iri(claim).startswith(CLAIM), claim_iri(claim) == claim_iri(claim)
    (True, True)
    """
    known = KNOWN_CLAIM_IRIS.get(claim) if KNOWN_CLAIM_IRIS else None
    if known is not None:
        return known
    content = tuple(
        (f.name, _plain(getattr(claim, f.name)))
        for f in fields(claim)
        if f.name not in ("rule", "evidence")
    )
    ev = claim.evidence
    return mint(CLAIM, ev.doc_id, claim.kind, claim.rule, ev.begin, ev.stop, *content)


def period_iri(period: Period) -> str:
    """A derived period's IRI, from (kind, subject, object, start, end) (+ ``within`` for roles)."""
    parts = [period.kind, period.subject, period.object, _plain(period.start), _plain(period.end)]
    if period.within is not None:
        parts.append(period.within)
    return mint(PERIOD, *parts)


# --- checks: only ontology terms, only true quotes ---------------------------


def _term(name: str, allowed: Sequence[str], what: str, where: str) -> NamedNode:
    if name not in allowed:
        raise OntologyError(
            f"{where}: {what} {name!r} is not in the ontology; use one of {', '.join(allowed)} "
            "or add it to kg/vocab.py and ontology/sahel.ttl"
        )
    return _sk(name)


def _quote(doc: Document, begin: int, stop: int, quote: str, where: str) -> str:
    if not 0 <= begin <= stop <= len(doc.text) or doc.text[begin:stop] != quote:
        raise ValueError(f"{where}: quote {quote!r} is not the text at [{begin}:{stop}]")
    return quote


# --- time ----------------------------------------------------------------

_INSTANT = {
    "day": ("inXSDDate", "date"),
    "month": ("inXSDgYearMonth", "gYearMonth"),
    "year": ("inXSDgYear", "gYear"),
}


def instant_value(span: TimeSpan) -> tuple[str, str, str]:
    """(OWL-Time property, lexical value, datatype) of a span at its native precision."""
    prop, datatype = _INSTANT[span.precision]
    return TIME + prop, span.iso, XSD + datatype


def _instant(g: _Graph, interval: str, link: str, node: str, span: TimeSpan) -> None:
    prop, value, datatype = instant_value(span)
    g.add(interval, iri(TIME + link), node)
    g.add(node, A, iri(TIME + "Instant"))
    g.add(node, iri(prop), f'"{value}"^^<{datatype}>')


def _time(g: _Graph, node: str, start: TimeSpan | None, end: TimeSpan | None, *,
          link: str = TIME + "hasTime", point: bool = False) -> None:  # fmt: skip
    """Flat xsd:date bounds and precisions, sk:date for a point, and the OWL-Time interval."""
    if start is None and end is None:
        return
    if start is not None:
        g.add(node, _sk("startDate"), _date(start.earliest))
        g.add(node, _sk("startPrecision"), _sk(PRECISIONS[start.precision]))
        if point:
            g.add(node, _sk("date"), _date(start.earliest))
            g.add(node, _sk("precision"), _sk(PRECISIONS[start.precision]))
    if end is not None:
        g.add(node, _sk("endDate"), _date(end.latest))
        g.add(node, _sk("endPrecision"), _sk(PRECISIONS[end.precision]))
    interval = node + "/interval"
    g.add(node, iri(link), interval)
    g.add(interval, A, iri(TIME + "ProperInterval"))
    if start is not None:
        _instant(g, interval, "hasBeginning", node + "/start", start)
    if end is not None:
        _instant(g, interval, "hasEnd", node + "/end", end)


# --- documents -----------------------------------------------------------


def publisher_key(name: str, registry: Mapping[str, Entity]) -> tuple[str, bool]:
    """(entity key, is discovered) of an outlet named in front matter.

    A registry key, a name whose slug is a key, or a registry label or alias
    (any case) finds the registry entity; anything else is a discovered outlet.
    """
    slug = slugify(name)
    if name in registry or slug in registry:
        return (name if name in registry else slug), False
    wanted = name.casefold().strip()
    for key in sorted(registry):
        entity = registry[key]
        if wanted in (n.casefold() for n in (entity.label, *entity.labels_fr, *entity.aliases)):
            return key, False
    return slug, True


def _article(g: _Graph, doc: Document, registry: Mapping[str, Entity]) -> None:
    node = doc_iri(doc.doc_id)
    g.add(node, A, _sk("NewsArticle"))
    g.add(node, iri(DCT + "title"), _str(doc.title))
    g.add(node, iri(DCT + "issued"), _date(doc.published))
    g.add(node, iri(DCT + "language"), _str(doc.language))
    optional = [
        (_sk("originalLanguage"), doc.original_language), (iri(SCHEMA + "url"), doc.url),
        (_sk("contentHash"), doc.content_hash), (_sk("fileName"), doc.path),
        (_sk("dateNote"), doc.date_note),
    ]  # fmt: skip
    for predicate, value in optional:
        if value:
            g.add(node, predicate, _str(value))
    if doc.publisher.strip():
        key, discovered = publisher_key(doc.publisher, registry)
        g.add(node, iri(DCT + "publisher"), entity_iri(key))
        if discovered:
            outlet = Entity(key, doc.publisher.strip(), ("NewsOutlet",), discovered=True)
            _entity(g, outlet, doc)


def _entity(g: _Graph, entity: Entity, doc: Document) -> None:
    """A discovered entity: types, labels in the document's language, where it was found."""
    node = entity_iri(entity.key)
    where = f"{doc.doc_id}: entity {entity.key}"
    for cls in entity.types:
        g.add(node, A, _term(cls, CLASSES, "class", where))
    g.add(node, iri(SKOS + "prefLabel"), _label(entity.label, doc.language))
    for alias in entity.aliases:
        if alias != entity.label:
            g.add(node, iri(SKOS + "altLabel"), _label(alias, doc.language))
    for i, label in enumerate(entity.labels_fr):
        same_language = doc.language == "fr"
        pref = i == 0 and not same_language
        if not (same_language and label == entity.label):
            g.add(node, iri(SKOS + ("prefLabel" if pref else "altLabel")), _label(label, "fr"))
    g.add(node, _sk("discovered"), TRUE)
    g.add(node, iri(PROV + "wasDerivedFrom"), doc_iri(doc.doc_id))


def _mention(g: _Graph, mention: Mention, doc: Document) -> None:
    node = mention_iri(doc.doc_id, mention.begin, mention.stop)
    where = f"mention {mention.key}"
    g.add(node, A, _sk("Mention"))
    g.add(node, iri(OA + "hasBody"), entity_iri(mention.key))
    g.add(node, _sk("inDocument"), doc_iri(doc.doc_id))
    g.add(node, _sk("quote"), _str(_quote(doc, mention.begin, mention.stop, mention.text, where)))
    g.add(node, _sk("quoteStart"), _int(mention.begin))
    g.add(node, _sk("quoteEnd"), _int(mention.stop))


# --- claims --------------------------------------------------------------


def _agent(g: _Graph, node: str, predicate: NamedNode, key: str | None) -> None:
    """A link to an entity, skipped when the rule left the slot empty."""
    if key:
        g.add(node, predicate, entity_iri(key))


def _control(g: _Graph, node: str, c: ControlClaim, published: date) -> None:
    g.add(node, A, _sk("TerritorialControl"))
    _agent(g, node, _sk("controller"), c.controller)
    _agent(g, node, _sk("territory"), c.territory)
    g.add(node, _sk("change"), _sk(CHANGES[c.change]))
    _time(g, node, c.start, c.end)
    _as_of(g, node, c.start, c.end, published)


def _membership(g: _Graph, node: str, c: MembershipClaim, published: date) -> None:
    g.add(node, A, _sk("GroupMembership"))
    _agent(g, node, iri(ORG + "member"), c.member)
    _agent(g, node, iri(ORG + "organization"), c.organisation)
    g.add(node, _sk("change"), _sk(CHANGES[c.change]))
    _time(g, node, c.start, c.end, link=ORG + "memberDuring")
    _as_of(g, node, c.start, c.end, published)


def _role(g: _Graph, node: str, c: RoleClaim, where: str, published: date) -> None:
    g.add(node, A, _sk("RoleHolding"))
    _agent(g, node, iri(ORG + "member"), c.holder)
    g.add(node, iri(ORG + "role"), _term(c.role, ROLES, "role", where))
    _agent(g, node, _sk("roleWithin"), c.within)
    _time(g, node, c.start, c.end)
    _as_of(g, node, c.start, c.end, published)


def _as_of(
    g: _Graph, node: str, start: TimeSpan | None, end: TimeSpan | None, published: date
) -> None:
    """A situation reported without dates is stated as of its article's publication date."""
    if start is None and end is None:
        g.add(node, _sk("asOf"), _date(published))


def _event(g: _Graph, node: str, c: EventClaim, where: str, language: str) -> None:
    g.add(node, A, _term(c.event_type, EVENT_CLASSES, "event type", where))
    if c.label:
        g.add(node, iri(RDFS + "label"), _label(c.label, language))
    for key in c.side_a:
        _agent(g, node, _sk("sideA"), key)
    for key in c.side_b:
        _agent(g, node, _sk("sideB"), key)
    _agent(g, node, iri(SEM + "hasPlace"), c.place)
    _agent(g, node, _sk("partOf"), c.part_of)
    _agent(g, node, _sk("aboutEvent"), c.event_key)
    point = c.start is not None and (c.end is None or c.end == c.start)
    _time(g, node, c.start, c.end, point=point)


def _casualty(g: _Graph, node: str, c: CasualtyClaim) -> None:
    g.add(node, A, _sk("CasualtyReport"))
    g.add(node, _sk("casualtyType"), _sk(CASUALTY_TYPES[c.casualty]))
    for predicate, count in (("countMin", c.count_min), ("countMax", c.count_max)):
        if count is not None:
            g.add(node, _sk(predicate), _int(count))
    for predicate, text in (("countText", c.count_text), ("victims", c.victims)):
        if text:
            g.add(node, _sk(predicate), _str(text))
    _agent(g, node, iri(SEM + "hasPlace"), c.place)
    _time(g, node, c.date, None, point=True)


def _evidence(g: _Graph, node: str, claim: Claim, quote: str) -> None:
    """Provenance shortcuts on the claim, and the Web Annotation behind them."""
    ev = claim.evidence
    g.add(node, iri(PROV + "wasDerivedFrom"), doc_iri(ev.doc_id))
    _agent(g, node, iri(SEM + "accordingTo"), claim.claimant)
    g.add(node, _sk("polarity"), _sk(POLARITIES[claim.polarity]))
    g.add(node, _sk("extractionRule"), _str(claim.rule))
    g.add(node, _sk("quote"), _str(quote))
    g.add(node, _sk("quoteStart"), _int(ev.begin))
    g.add(node, _sk("quoteEnd"), _int(ev.stop))
    annotation, target = node + "/evidence", node + "/target"
    quote_sel, position_sel = node + "/quote-selector", node + "/position-selector"
    g.add(node, _sk("hasEvidence"), annotation)
    g.add(annotation, A, iri(OA + "Annotation"))
    g.add(annotation, iri(OA + "hasBody"), node)
    g.add(annotation, iri(OA + "hasTarget"), target)
    g.add(target, A, iri(OA + "SpecificResource"))
    g.add(target, iri(OA + "hasSource"), doc_iri(ev.doc_id))
    g.add(target, iri(OA + "hasSelector"), quote_sel)
    g.add(target, iri(OA + "hasSelector"), position_sel)
    g.add(quote_sel, A, iri(OA + "TextQuoteSelector"))
    g.add(quote_sel, iri(OA + "exact"), _str(quote))
    g.add(quote_sel, iri(OA + "prefix"), _str(ev.prefix))
    g.add(quote_sel, iri(OA + "suffix"), _str(ev.suffix))
    g.add(position_sel, A, iri(OA + "TextPositionSelector"))
    g.add(position_sel, iri(OA + "start"), _int(ev.begin))
    g.add(position_sel, iri(OA + "end"), _int(ev.stop))


def _claim(g: _Graph, claim: Claim, doc: Document) -> None:
    ev = claim.evidence
    where = f"{doc.doc_id}: claim {claim.rule} at [{ev.begin}:{ev.stop}]"
    if ev.doc_id != doc.doc_id:
        raise ValueError(f"{where}: its evidence cites document {ev.doc_id}")
    quote = _quote(doc, ev.begin, ev.stop, ev.quote, where)
    node = claim_iri(claim)
    g.add(node, A, _sk("Claim"))
    if isinstance(claim, EventClaim):
        _event(g, node, claim, where, doc.language)
    elif isinstance(claim, ControlClaim):
        _control(g, node, claim, doc.published)
    elif isinstance(claim, MembershipClaim):
        _membership(g, node, claim, doc.published)
    elif isinstance(claim, RoleClaim):
        _role(g, node, claim, where, doc.published)
    elif isinstance(claim, CasualtyClaim):
        _casualty(g, node, claim)
    else:
        raise TypeError(f"{where}: no RDF shape for {type(claim).__name__}")
    _evidence(g, node, claim, quote)


def _document_graph(
    extraction: Extraction, registry_entities: Mapping[str, Entity], stages: Sequence[str]
) -> _Graph:
    doc = extraction.document
    g = _Graph("doc/" + doc.doc_id)
    _article(g, doc, registry_entities)
    for entity in extraction.entities:
        _entity(g, entity, doc)
    for mention in extraction.mentions:
        _mention(g, mention, doc)
    for claim in extraction.claims:
        _claim(g, claim, doc)
    g.provenance(stages, [doc_iri(doc.doc_id)])
    return g


def document_quads(
    extraction: Extraction, registry_entities: Mapping[str, Entity], *, stages: Sequence[str] = ()
) -> list[Quad]:
    """One article's graph: the article, its discovered entities, mentions and claims.

    ``stages`` names the pipeline stages behind the extraction (e.g.
    ``"claims.v1"``), recorded with this stage's own name on the graph.
    """
    return _document_graph(extraction, registry_entities, stages).quads


def document_graph(
    extraction: Extraction, registry_entities: Mapping[str, Entity], *, stages: Sequence[str] = ()
) -> GraphText:
    """The graph of :func:`document_quads`, serialized for :func:`write_build`."""
    return _document_graph(extraction, registry_entities, stages).text()


# --- registry, ontology, derived -------------------------------------------


def _skolemize(triples: list[Triple], graph: str) -> list[Triple]:
    """Replace blank nodes by skolem IRIs made from what they describe (stable across runs)."""
    outgoing: dict[BlankNode, list[Triple]] = {}
    for t in triples:
        for term in (t.subject, t.object):
            if isinstance(term, BlankNode):
                outgoing.setdefault(term, [])
        if isinstance(t.subject, BlankNode):
            outgoing[t.subject].append(t)
    signatures: dict[BlankNode, str] = {}

    def signature(node: BlankNode, path: frozenset[BlankNode]) -> str:
        if node in path:
            return "cycle"
        if node not in signatures:
            inner = path | {node}
            parts = sorted(
                (
                    str(t.predicate),
                    signature(t.object, inner)
                    if isinstance(t.object, BlankNode)
                    else str(t.object),
                )  # fmt: skip
                for t in outgoing[node]
            )
            signatures[node] = digest(*parts)
        return signatures[node]

    names: dict[BlankNode, NamedNode] = {}
    seen: dict[str, int] = {}
    for node in outgoing:  # in parse order: twins with one signature get 0, 1, ...
        sig = signature(node, frozenset())
        seen[sig] = seen.get(sig, -1) + 1
        names[node] = iri(GENID + digest(graph, sig, seen[sig]))

    return [
        Triple(
            names[t.subject] if isinstance(t.subject, BlankNode) else t.subject,
            t.predicate,
            names[t.object] if isinstance(t.object, BlankNode) else t.object,
        )
        for t in triples
    ]


def _file_quads(path: Path, graph: str, stages: Sequence[str]) -> list[Quad]:
    try:
        triples = [q.triple for q in parse(path=path, format=RdfFormat.TURTLE)]
    except FileNotFoundError:
        raise OntologyError(f"{path}: not found; the {graph} Turtle file is needed") from None
    except OSError as error:
        raise OntologyError(f"{path}: cannot be read ({error.strerror}); fix the path") from None
    except SyntaxError as error:
        raise OntologyError(f"{path}: not valid Turtle: {error}; fix the file") from None
    g = _Graph(graph)
    for triple in _skolemize(triples, graph):
        g.add_triple(triple)
    g.provenance(stages, [])
    return g.quads


def registry_quads(registry_path: Path, *, stages: Sequence[str] = ()) -> list[Quad]:
    """The curated registry (Turtle) in graph ``graph/registry``."""
    return _file_quads(registry_path, "registry", stages)


def ontology_quads(ontology_path: Path, *, stages: Sequence[str] = ()) -> list[Quad]:
    """The ontology (Turtle) in graph ``graph/ontology``."""
    return _file_quads(ontology_path, "ontology", stages)


#: The classes of a derived period, by kind: its own, then the situation class it shares
#: with the claims it rests on.
PERIOD_CLASSES = {
    "control": ("ControlPeriod", "TerritorialControl"),
    "membership": ("MembershipPeriod", "GroupMembership"),
    "role": ("RolePeriod", "RoleHolding"),
}


def _period(g: _Graph, p: Period) -> None:
    node = period_iri(p)
    for cls in PERIOD_CLASSES[p.kind]:
        g.add(node, A, _sk(cls))
    if p.kind == "control":
        _agent(g, node, _sk("controller"), p.subject)
        for ally in p.co_subjects:
            _agent(g, node, _sk("jointController"), ally)
        _agent(g, node, _sk("territory"), p.object)
    else:
        _agent(g, node, iri(ORG + "member"), p.subject)
        if p.kind == "membership":
            _agent(g, node, iri(ORG + "organization"), p.object)
        else:
            g.add(node, iri(ORG + "role"), _term(p.object, ROLES, "role", f"period {node}"))
            _agent(g, node, _sk("roleWithin"), p.within)
    link = ORG + "memberDuring" if p.kind == "membership" else TIME + "hasTime"
    _time(g, node, p.start, p.end, link=link)
    if p.ongoing:
        g.add(node, _sk("ongoing"), TRUE)
        if p.as_of is not None:
            g.add(node, _sk("asOf"), _date(p.as_of))
    for claim in p.claims:
        g.add(node, _sk("supportedBy"), claim)
    for doc_id in p.documents:
        g.add(node, iri(PROV + "wasDerivedFrom"), doc_iri(doc_id))


def _resolved_event(g: _Graph, e: ResolvedEvent) -> None:
    """A resolved event (kg/events.py) and its claims' sk:reportsEvent links."""
    node = e.iri
    g.add(node, A, _sk("ResolvedEvent"))
    g.add(node, A, _term(e.kind, EVENT_CLASSES, "event type", f"event {node}"))
    for key in e.side_a:
        _agent(g, node, _sk("sideA"), key)
    for key in e.side_b:
        _agent(g, node, _sk("sideB"), key)
    _agent(g, node, iri(SEM + "hasPlace"), e.place)
    if e.part_of:
        g.add(node, _sk("partOf"), e.part_of)
    point = e.start is not None and (e.end is None or e.end == e.start)
    _time(g, node, e.start, e.end, point=point)
    for what in e.disagreements:
        g.add(node, _sk("disagreement"), _str(what))
    for claim in (*e.claims, *e.casualties):
        g.add(claim, _sk("reportsEvent"), node)
    for doc_id in e.documents:
        g.add(node, iri(PROV + "wasDerivedFrom"), doc_iri(doc_id))


def _derived_graph(
    periods: Sequence[Period], disputes: Sequence[tuple[str, str]], stages: Sequence[str],
    extra: Iterable[Triple] = (), events: Sequence[ResolvedEvent] = (),
) -> _Graph:  # fmt: skip
    g = _Graph("derived")
    for period in periods:
        _period(g, period)
    for event in events:
        _resolved_event(g, event)
    for a, b in disputes:
        g.add(a, _sk("disputedBy"), b)
        g.add(b, _sk("disputedBy"), a)
    for triple in extra:  # e.g. kg.summaries.summary_triples
        g.add_triple(triple)
    g.provenance(stages, [doc_iri(d) for p in periods for d in p.documents])
    return g


def derived_quads(
    periods: Sequence[Period], disputes: Sequence[tuple[str, str]], *, stages: Sequence[str] = (),
    extra: Iterable[Triple] = (), events: Sequence[ResolvedEvent] = (),
) -> list[Quad]:  # fmt: skip
    """The ``graph/derived`` graph: periods, resolved events (with their claims'
    sk:reportsEvent), sk:disputedBy both ways for each pair of IRIs, and the ``extra``
    triples (the contested nodes' shortcuts, :mod:`kg.summaries`)."""
    return _derived_graph(periods, disputes, stages, extra, events).quads


def derived_graph(
    periods: Sequence[Period], disputes: Sequence[tuple[str, str]], *, stages: Sequence[str] = (),
    extra: Iterable[Triple] = (), events: Sequence[ResolvedEvent] = (),
) -> GraphText:  # fmt: skip
    """The graph of :func:`derived_quads`, serialized for :func:`write_build`."""
    return _derived_graph(periods, disputes, stages, extra, events).text()


# --- writing ---------------------------------------------------------------


@dataclass(frozen=True)
class BuildFiles:
    """What :func:`write_build` wrote."""

    trig: Path  # all named graphs
    ttl: Path  # every graph's triples merged, without duplicates
    quads: int
    triples: int
    graphs: int


def _order(term: object) -> str:
    """An IRI sorts by its value (so ``claim:x`` comes before ``claim:x/interval``)."""
    return term.value if isinstance(term, NamedNode) else str(term)


_PREFIX_LINES = PREFIX_BLOCK.splitlines(keepends=True)


def _body(terms: Sequence[Quad] | Sequence[Triple], fmt: RdfFormat) -> bytes:
    """What pyoxigraph writes after the prefix lines (which it writes in any order)."""
    text = serialize(terms, format=fmt, prefixes=PREFIXES)
    header = len(PREFIX_BLOCK)
    if sorted(text[:header].splitlines(keepends=True)) != sorted(_PREFIX_LINES):  # pragma: no cover
        raise RuntimeError("unexpected prefix block from pyoxigraph.serialize")
    return text[header:]


_BLOCK_START = re.compile(rb"\n(?=[^\t])")  # a line that is not a continuation: a new subject


@dataclass(frozen=True)
class GraphText:
    """One named graph, serialized: the Turtle of its sorted, deduplicated triples.

    ``body`` has one block per subject (``subjects[i]`` starts at ``starts[i]``
    and holds ``counts[i]`` triples). kg.trig holds the graph as ``head``, the
    body indented by one tab, and ``}``; kg.ttl merges every graph's blocks
    by subject. It pickles, so a worker process can make it.
    """

    name: str  # the graph IRI
    head: bytes  # the TriG line opening the graph: b"<...> {\n"
    body: bytes
    subjects: tuple[str, ...]
    starts: tuple[int, ...]
    counts: tuple[int, ...]

    @property
    def quads(self) -> int:
        return sum(self.counts)

    def trig(self) -> bytes:
        """The graph as kg.trig has it."""
        return self.head + (b"\t" + self.body.replace(b"\n", b"\n\t"))[:-1] + b"}\n"

    def blocks(self) -> Iterator[tuple[str, int, bytes]]:
        """(subject IRI, triple count, Turtle of the subject's triples) in subject order."""
        ends = (*self.starts[1:], len(self.body))
        for subject, count, begin, stop in zip(
            self.subjects, self.counts, self.starts, ends, strict=True
        ):
            yield subject, count, self.body[begin:stop]


def _graph_text(name: str, keys: Sequence[str]) -> GraphText:
    """A graph's sorted unique sort keys as a GraphText.

    The Turtle is written here when every term is of the plain kinds a build
    makes (the bytes pyoxigraph writes: tests compare the two on random
    data); otherwise pyoxigraph writes it.
    """
    subjects: list[str] = []
    counts: list[int] = []
    last = None
    for key in keys:
        subject = key[: key.index("\0")]
        if subject == last:
            counts[-1] += 1
        else:
            subjects.append(subject)
            counts.append(1)
            last = subject
    try:
        head = f"{_plain_iri(name)} {{\n".encode()
        blocks = _turtle_blocks(keys)
    except _NotPlain:
        blocks = None
    if blocks is not None:
        starts = list(itertools.accumulate((len(b) for b in blocks[:-1]), initial=0))
        return GraphText(
            name, head, b"".join(blocks), tuple(subjects), tuple(starts), tuple(counts)
        )
    body = _body(_parse_keys(keys), RdfFormat.TURTLE)
    starts = [0, *(m.end() for m in _BLOCK_START.finditer(body))]
    quad = _parse_keys(keys[:1], iri(name))
    opening = _body(quad, RdfFormat.TRIG)
    head = opening[: opening.index(b"\n") + 1]
    if len(starts) != len(subjects) or not head.endswith(b" {\n"):  # pragma: no cover
        raise RuntimeError(f"unexpected Turtle layout from pyoxigraph.serialize for {name}")
    return GraphText(name, head, body, tuple(subjects), tuple(starts), tuple(counts))


class _NotPlain(Exception):
    """A term the fast Turtle writer leaves to pyoxigraph."""


def _turtle_blocks(keys: Sequence[str]) -> list[bytes]:
    """Turtle of sorted unique keys, one block per subject, as pyoxigraph lays it out:
    ``s p o1 , o2 ;\\n\\tp2 o3 .\\n``."""
    blocks: list[bytes] = []
    parts: list[str] = []
    last_s = last_p = None
    term = _turtle_iri
    for key in keys:
        s, p, o = key.split("\0")
        if o[0] == '"':
            obj = o if o[-1] == '"' else _turtle_literal(o)
        else:
            obj = term(o)  # type: ignore[assignment]
            if obj is None:
                raise _NotPlain(o)
        if s != last_s:
            if parts:
                parts.append(" .\n")
                blocks.append("".join(parts).encode())
            parts = [_plain_iri(s), " a " if not p else f" {_plain_iri(p)} ", obj]
            last_s, last_p = s, p
        elif p != last_p:
            parts += (" ;\n\ta " if not p else f" ;\n\t{_plain_iri(p)} ", obj)
            last_p = p
        else:
            parts += (" , ", obj)
    if parts:
        parts.append(" .\n")
        blocks.append("".join(parts).encode())
    return blocks


def _prefix_table() -> tuple[tuple[str, str], ...]:
    """(namespace, prefix) pairs; empty (so no fast path) when one namespace starts another."""
    pairs = tuple((ns, p) for p, ns in PREFIXES.items())
    nested = any(a != b and a.startswith(b) for a, _ in pairs for b, _ in pairs)
    return () if nested else pairs


_PREFIX_TABLE = _prefix_table()
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*(?:/[A-Za-z0-9_-]+)*")
_PLAIN_IRI = re.compile(r"[a-z][a-z0-9+.-]*:[A-Za-z0-9_\-./:#?=&%~+,;@!$*()']*")


@lru_cache(maxsize=1 << 16)
def _turtle_iri(value: str) -> str | None:
    """An IRI as pyoxigraph's Turtle writer prints it, or None when unsure."""
    for namespace, prefix in _PREFIX_TABLE:
        if value.startswith(namespace):
            local = value[len(namespace) :]
            if _PLAIN_LOCAL.fullmatch(local):
                return prefix + ":" + local.replace("/", "\\/")
            return None
    if _PLAIN_IRI.fullmatch(value):
        return f"<{value}>"
    return None


def _plain_iri(value: str) -> str:
    text = _turtle_iri(value)
    if text is None:
        raise _NotPlain(value)
    return text


_INTEGER = re.compile(r"[+-]?[0-9]+")
_LITERAL_SHORTHANDS = {XSD + "integer", XSD + "boolean", XSD + "decimal", XSD + "double"}


def _turtle_literal(term: str) -> str:
    """A literal's N-Triples form (not a plain string) as pyoxigraph's Turtle writer prints it."""
    at = term.rfind('"')
    if term[at + 1] == "@":
        return term  # a language-tagged string: as in N-Triples
    if not term.startswith("^^<", at + 1) or not term.endswith(">"):
        raise _NotPlain(term)
    lexical, datatype = term[1:at], term[at + 4 : -1]
    if datatype in _LITERAL_SHORTHANDS:
        if datatype == XSD + "integer" and _INTEGER.fullmatch(lexical):
            return lexical
        if datatype == XSD + "boolean" and lexical in ("true", "false"):
            return lexical
        raise _NotPlain(term)
    return f'"{lexical}"^^{_plain_iri(datatype)}'


def graph_texts(quads: Iterable[Quad]) -> list[GraphText]:
    """Quads of any graphs (unsorted, with repeats) as GraphTexts in graph order."""
    graphs: dict[str, _Graph] = {}
    for quad in quads:
        if not isinstance(quad.graph_name, NamedNode):
            raise ValueError(f"{quad}: every quad of the build must be in a named graph")
        name = quad.graph_name.value
        g = graphs.get(name)
        if g is None:
            g = graphs[name] = _Graph.__new__(_Graph)
            g.name, g.keys = quad.graph_name, []
        g.add_triple(quad.triple)
    return [graphs[name].text() for name in sorted(graphs)]


class _Temporary:
    """A file written in pieces next to ``path``, renamed over it by :meth:`publish` only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        fd, self.name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        self.file = os.fdopen(fd, "wb", buffering=1 << 20)

    def write(self, data: bytes) -> None:
        self.file.write(data)

    def finish(self) -> None:
        """Flush, sync and close: the file is complete on disk."""
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.chmod(self.name, 0o644)

    def discard(self) -> None:
        self.file.close()
        if os.path.exists(self.name):
            os.unlink(self.name)

    def publish(self) -> None:
        os.replace(self.name, self.path)


class _SubjectRuns:
    """The (subject, count, block) records of every graph, sorted by subject in bounded memory.

    Records are kept in memory up to ``limit`` bytes of Turtle, then sorted and
    spilled to an anonymous temporary file in ``folder`` (gone with the process,
    even when killed); :meth:`merged` merges the runs.
    """

    CHUNK = 4096  # records per pickle in a run file

    def __init__(self, folder: Path, limit: int = 64 << 20) -> None:
        self.folder, self.limit = folder, limit
        self.buffer: list[tuple[str, int, bytes]] = []
        self.size = 0
        self.runs: list[BinaryIO] = []

    def close(self) -> None:
        for run in self.runs:
            run.close()

    def add(self, graph: GraphText) -> None:
        self.buffer.extend(graph.blocks())
        self.size += len(graph.body) + 100 * len(graph.subjects)
        if self.size > self.limit:
            self._spill()

    def _spill(self) -> None:
        self.buffer.sort(key=itemgetter(0))
        run = tempfile.TemporaryFile(dir=self.folder, prefix=".kg-run-")
        self.runs.append(run)
        for i in range(0, len(self.buffer), self.CHUNK):
            pickle.dump(self.buffer[i : i + self.CHUNK], run, protocol=pickle.HIGHEST_PROTOCOL)
        self.buffer, self.size = [], 0

    @staticmethod
    def _read(run: BinaryIO) -> Iterator[tuple[str, int, bytes]]:
        run.seek(0)
        while True:
            try:
                chunk = pickle.load(run)
            except EOFError:
                return
            yield from chunk

    def merged(self) -> Iterator[list[tuple[str, int, bytes]]]:
        """The records grouped by subject, in subject order."""
        if self.runs:
            if self.buffer:
                self._spill()
            records: Iterable[tuple[str, int, bytes]] = heapq.merge(
                *(self._read(run) for run in self.runs), key=itemgetter(0)
            )
        else:
            self.buffer.sort(key=itemgetter(0))
            records = self.buffer
        group: list[tuple[str, int, bytes]] = []
        for record in records:
            if group and record[0] != group[0][0]:
                yield group
                group = []
            group.append(record)
        if group:
            yield group


def _merge_blocks(group: Sequence[tuple[str, int, bytes]]) -> tuple[bytes, int]:
    """One subject's blocks from several graphs as one Turtle block (and its triple count)."""
    keys: set[str] = set()
    for _, _, block in group:
        for quad in parse(PREFIX_BLOCK + block, format=RdfFormat.TURTLE):
            t = quad.triple
            keys.add(f"{_order(t.subject)}\0{_predicate_key(t.predicate)}\0{_order(t.object)}")
    ordered = sorted(keys)
    try:
        return b"".join(_turtle_blocks(ordered)), len(ordered)
    except _NotPlain:
        return _body(_parse_keys(ordered), RdfFormat.TURTLE), len(ordered)


def write_build(out_dir: Path, quads: Iterable[Quad] | Iterable[GraphText]) -> BuildFiles:
    """Write out_dir/kg.trig and out_dir/kg.ttl: sorted, deduplicated, byte-stable.

    ``quads`` are either quads (any order, repeats allowed) or the
    :class:`GraphText` of each graph in graph IRI order (what the pipeline
    streams, one graph at a time: memory stays bounded). kg.trig is the
    graphs one after another; kg.ttl every triple once, sorted by subject,
    predicate (rdf:type first) and object, merged from the graphs through
    sorted runs on disk. Both files are written in full to temporary files
    first and only then renamed over the old ones, so a failed or killed
    build leaves the previous build in place.
    """
    items = iter(quads)
    first = next(items, None)
    graphs: Iterable[GraphText]
    if first is None or isinstance(first, GraphText):
        graphs = items if first is None else itertools.chain([first], items)
    else:
        graphs = graph_texts(itertools.chain([first], items))  # type: ignore[list-item]
    out_dir.mkdir(parents=True, exist_ok=True)
    trig, ttl = _Temporary(out_dir / "kg.trig"), _Temporary(out_dir / "kg.ttl")
    count_quads = count_triples = count_graphs = 0
    runs = _SubjectRuns(out_dir)
    try:
        trig.write(PREFIX_BLOCK)
        last = ""
        for graph in graphs:
            if graph.name <= last:
                raise ValueError(f"graph {graph.name} comes after {last}: not in IRI order")
            last = graph.name
            trig.write(graph.trig())
            runs.add(graph)
            count_quads += graph.quads
            count_graphs += 1
        trig.finish()
        ttl.write(PREFIX_BLOCK)
        for group in runs.merged():
            if len(group) == 1:
                ttl.write(group[0][2])
                count_triples += group[0][1]
            else:
                block, count = _merge_blocks(group)
                ttl.write(block)
                count_triples += count
        ttl.finish()
    except BaseException:
        trig.discard()
        ttl.discard()
        raise
    finally:
        runs.close()
    trig.publish()
    ttl.publish()
    _sync_folder(out_dir)
    return BuildFiles(trig.path, ttl.path, count_quads, count_triples, count_graphs)


def _sync_folder(folder: Path) -> None:
    """Make the renames durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(fd)
