"""The frozen dataclasses the pipeline stages hand to each other.

Stages never pass rdflib objects around: ``corpus`` makes :class:`Document`,
``mentions`` makes :class:`Mention`, ``dates`` makes :class:`TimeSpan`,
``claims`` makes the :class:`Claim` subclasses, ``temporal`` makes
:class:`Period`; only ``emit`` turns them into RDF.

Entities are referred to by *key*: the local name of their IRI in the
``id/`` namespace (``"kidal"``, ``"fama"``, ``"assimi-goita"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Precision = Literal["day", "month", "year"]
Polarity = Literal["asserted", "denied", "hedged"]
ControlChange = Literal["gain", "loss", "state"]
MembershipChange = Literal["join", "leave", "found", "state"]
CasualtyKind = Literal["killed", "injured", "destroyed", "captured", "losses"]


@dataclass(frozen=True, order=True)
class TimeSpan:
    """A date at its native precision, as the earliest and latest day it covers.

    ``March 2012`` is ``TimeSpan(date(2012, 3, 1), date(2012, 3, 31), "month")``;
    ``November 10-14, 2023`` is a range of two day-precision ends, so it is two
    TimeSpans (an event's start and end), never one fabricated day.
    ``approximate`` marks spans inferred from vague durations ("for a decade").
    """

    earliest: date
    latest: date
    precision: Precision
    approximate: bool = False

    @property
    def iso(self) -> str:
        """The date as written at its precision: ``2023-11-14``, ``2012-03`` or ``2014``."""
        if self.precision == "day":
            return self.earliest.isoformat()
        if self.precision == "month":
            return self.earliest.isoformat()[:7]
        return f"{self.earliest.year:04d}"  # xsd:gYear wants four digits


@dataclass(frozen=True)
class DatedPhrase:
    """A date expression found in a text, with its offsets and what it resolves to.

    ``start``/``end`` are the resolved bounds: a single date has ``start == end``;
    a range ("between November 9 and 10") has both; "since 2014" has only
    ``start``; "until May" only ``end``.
    """

    begin: int
    stop: int
    text: str
    start: TimeSpan | None
    end: TimeSpan | None


@dataclass(frozen=True)
class Document:
    """One article: its original text and the metadata from its front matter."""

    doc_id: str  # stable id: file stem (e.g. "000_ca75d0cc00064998")
    path: str  # file name relative to the corpus folder
    text: str  # the article body, exactly as in the file (offsets point here)
    title: str
    publisher: str  # registry key or free name of the outlet
    published: date
    language: str  # BCP 47 of this text, e.g. "en"
    url: str | None = None
    original_language: str | None = None  # when the text is a translation
    date_note: str = ""
    content_hash: str = ""  # sha256 of the body, hex


@dataclass(frozen=True)
class Sentence:
    """A sentence span of a document's text (offsets into Document.text)."""

    begin: int
    stop: int
    text: str


@dataclass(frozen=True)
class Mention:
    """A span of text that names an entity, linked to its key."""

    begin: int
    stop: int
    text: str
    key: str  # entity key
    how: str = "alias"  # alias | acronym | title | pattern | coref


@dataclass(frozen=True)
class Entity:
    """An entity of the registry, or one discovered in the text (``discovered=True``)."""

    key: str
    label: str
    types: tuple[str, ...]  # ontology class local names, e.g. ("ArmedGroup",)
    labels_fr: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    discovered: bool = False
    first_seen: str | None = None  # doc_id where a discovered entity was first found


@dataclass(frozen=True)
class Evidence:
    """Where a claim comes from: an exact quote of a document, with its offsets."""

    doc_id: str
    begin: int
    stop: int
    quote: str  # == document.text[begin:stop]
    prefix: str = ""  # up to 32 characters before, for oa:TextQuoteSelector
    suffix: str = ""


@dataclass(frozen=True)
class Claim:
    """One assertion from one source. Subclasses carry what is asserted."""

    rule: str  # id of the rule that produced it, e.g. "control.capture.v1"
    evidence: Evidence
    claimant: str  # entity key of whoever asserts it (the publisher when unattributed)
    polarity: Polarity = "asserted"

    @property
    def kind(self) -> str:
        raise NotImplementedError  # pragma: no cover - every subclass defines it


@dataclass(frozen=True)
class EventClaim(Claim):
    """An event of an ontology event type (``Capture``, ``DroneStrike``, ...)."""

    event_type: str = "Event"
    label: str = ""
    side_a: tuple[str, ...] = ()  # initiating side: attacker, capturer, signatory, ...
    side_b: tuple[str, ...] = ()  # opposing side: defender, target, ...
    place: str | None = None
    start: TimeSpan | None = None
    end: TimeSpan | None = None
    part_of: str | None = None  # key of an enclosing named event (e.g. "kidal-offensive")
    event_key: str | None = None  # key when the event is a named registry event

    @property
    def kind(self) -> str:
        return "event"


@dataclass(frozen=True)
class ControlClaim(Claim):
    """Who controls a territory: a gain (capture), a loss (withdrawal) or a state."""

    controller: str = ""
    territory: str = ""
    change: ControlChange = "state"
    start: TimeSpan | None = None
    end: TimeSpan | None = None

    @property
    def kind(self) -> str:
        return "control"


@dataclass(frozen=True)
class MembershipClaim(Claim):
    """An agent's membership of an organisation or alliance."""

    member: str = ""
    organisation: str = ""
    change: MembershipChange = "state"
    start: TimeSpan | None = None
    end: TimeSpan | None = None

    @property
    def kind(self) -> str:
        return "membership"


@dataclass(frozen=True)
class RoleClaim(Claim):
    """A person holding an office or role, in an organisation or a place."""

    holder: str = ""
    role: str = ""  # Role individual local name: "President", "Governor", ...
    within: str | None = None  # organisation or place key
    start: TimeSpan | None = None
    end: TimeSpan | None = None

    @property
    def kind(self) -> str:
        return "role"


@dataclass(frozen=True)
class CasualtyClaim(Claim):
    """One reported figure (never merged with other reports of the same toll)."""

    casualty: CasualtyKind = "killed"
    count_min: int | None = None
    count_max: int | None = None
    count_text: str = ""  # the figure as written: "14", "about twenty", "dozens"
    victims: str = ""  # "civilians", "peacekeepers", "vehicles", ...
    place: str | None = None
    date: TimeSpan | None = None

    @property
    def kind(self) -> str:
        return "casualty"


CLAIM_KINDS = ("event", "control", "membership", "role", "casualty")


@dataclass(frozen=True)
class Extraction:
    """Everything one document yields: its mentions, discovered entities and claims."""

    document: Document
    mentions: tuple[Mention, ...]
    entities: tuple[Entity, ...]  # discovered entities minted in this document
    claims: tuple[Claim, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Period:
    """A derived interval (control, membership or role) resting on claims."""

    kind: Literal["control", "membership", "role"]
    subject: str  # controller / member / holder
    object: str  # territory / organisation / role
    start: TimeSpan | None
    end: TimeSpan | None
    ongoing: bool = False  # no end, and the latest source still states it
    as_of: date | None = None  # the latest source date, for an ongoing period
    within: str | None = None  # for roles: the organisation or place
    claims: tuple[str, ...] = ()  # IRIs of the supporting claims
    documents: tuple[str, ...] = ()  # doc_ids
    disputed: bool = False
    co_subjects: tuple[str, ...] = field(default=())  # allies holding it together


@dataclass(frozen=True)
class Term:
    """One RDF term of a query result, independent of the store that produced it."""

    kind: Literal["iri", "literal", "bnode"]
    value: str
    datatype: str | None = None  # literals only; None for plain strings
    lang: str | None = None


@dataclass(frozen=True)
class QueryResult:
    """A SPARQL SELECT result: variable names and rows (None = unbound)."""

    variables: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]
