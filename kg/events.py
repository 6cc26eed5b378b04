"""Event resolution: the claims that report one real happening, grouped into one event.

An event claim is one source's report ("the army took Kidal on Tuesday");
wire copies and follow-ups repeat a happening many times. Here the event
claims of a corpus are grouped into :class:`ResolvedEvent` records, one per
happening, each naming the claims (and so the sources) behind it:

- claims of one *family* of kinds (``kg/data/event_kinds.tsv``): a capture by
  one side and the withdrawal or evacuation of the other are one event;
- at the same place, or one inside the other (a camp in a town);
- whose dates overlap at their precision (a day inside a month), every claim
  of a group with every other: a 2012 capture and a 2023 capture of one town
  never meet;
- with compatible sides: no side reversed (X takes from Y, Y takes from X), and
  no two sets of named initiators with nothing in common whose countries differ
  (an army and its junta are one side; "rebels", a vague collective, fits any).

A claim without a date or a place joins a group only when a claim of its own
article is in that group and no other group fits. A coarse date (a month)
joins a finer group only when exactly one fits: when two fit, something
contradicts, and it stays its own event. Casualty figures attach to the
violent event at their place and date, and an article whose subject is a
named event (its infobox) links the other events it reports in that event's
dates to it (``part_of``). Nothing is overwritten: the event carries what its
claims agree on (kind, place, date, sides) and names where they disagree
(``dates``, ``sides``, ``figures``, ``polarity``, ``claims`` when a source
disputes one of them).

Event IRIs are minted from the kind, place and date (and a rank among
events sharing those), so a new source adding a claim leaves the IRI as it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from kg.iris import mint
from kg.model import CasualtyClaim, Claim, EventClaim, Extraction, TimeSpan
from kg.vocab import EVENT

STAGE = "events.v1"

__all__ = [
    "STAGE", "KindInfo", "ResolvedEvent", "World", "event_kinds", "resolve_events",
    "event_iri", "merge_counts", "reported", "Reported",
]  # fmt: skip

_RANK = {"day": 0, "month": 1, "year": 2}


@dataclass(frozen=True)
class KindInfo:
    """One row of ``kg/data/event_kinds.tsv``."""

    kind: str
    family: str
    side_a: str  # "initiator" or "loser"
    violent: bool
    event_type: str  # ACLED's
    sub_event_type: str  # ACLED's; "A|B": A for a state actor 1, else B


@cache
def event_kinds() -> dict[str, KindInfo]:
    """The event kinds table, kind -> row (``kg/data/event_kinds.tsv``)."""
    text = (Path(__file__).parent / "data" / "event_kinds.tsv").read_text("utf-8")
    table: dict[str, KindInfo] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            kind, family, side_a, violent, etype, sub = line.split("\t")
            table[kind] = KindInfo(kind, family, side_a, violent == "yes", etype, sub)
    return table


def _info(kind: str) -> KindInfo:
    return event_kinds().get(kind) or event_kinds()["Event"]


@dataclass(frozen=True)
class World:
    """What resolution needs to know of the registry: place containment, an actor's
    country, and whether an actor is a vague collective ("rebels", "jihadists")."""

    located_in: Callable[[str], Iterable[str]] = lambda key: ()
    country_of: Callable[[str], str | None] = lambda key: None
    is_vague: Callable[[str], bool] = lambda key: False


@dataclass(frozen=True)
class Reported:
    """A claim with its IRI and document, as resolution sees it."""

    claim: Claim
    iri: str
    doc_id: str


@dataclass(frozen=True)
class ResolvedEvent:
    """One happening and every claim that reports it.

    ``side_a`` initiates (captures, attacks); ``side_b`` loses or is targeted
    (a withdrawal's side A is the event's side B). ``claims`` are the event
    claims, ``casualties`` the casualty figures attached, both IRIs.
    """

    kind: str
    place: str | None
    start: TimeSpan | None
    end: TimeSpan | None
    side_a: tuple[str, ...]
    side_b: tuple[str, ...]
    claims: tuple[str, ...]
    documents: tuple[str, ...]
    casualties: tuple[str, ...] = ()
    claimants: tuple[str, ...] = ()
    disagreements: tuple[str, ...] = ()
    rank: int = 0  # among events of the same kind, place and date, in claim IRI order
    part_of: str | None = None  # IRI of the enclosing resolved event
    about: tuple[str, ...] = ()  # registry keys of named events its claims refer to

    @property
    def iri(self) -> str:
        return event_iri(self.kind, self.place, self.start, self.end, self.rank)


def event_iri(kind: str, place: str | None, start: TimeSpan | None, end: TimeSpan | None,
              rank: int = 0) -> str:  # fmt: skip
    """An event's IRI from its content: kind, place, date as written (and rank).

    >>> from datetime import date
    >>> day = TimeSpan(date(2023, 11, 14), date(2023, 11, 14), "day")
    >>> event_iri("Capture", "kidal", day, None) == event_iri("Capture", "kidal", day, None)
    True
    """
    return mint(EVENT, kind, place or "", start.iso if start else "", end.iso if end else "",
                rank)  # fmt: skip


# --- one claim, as resolution compares it ---------------------------------------


def _span(claim: EventClaim | CasualtyClaim) -> tuple[date, date] | None:
    """The days a claim's date allows: from the start's first to the end's last."""
    start = claim.date if isinstance(claim, CasualtyClaim) else claim.start
    end = None if isinstance(claim, CasualtyClaim) else claim.end
    first = start or end
    if first is None:
        return None
    return first.earliest, (end or start or first).latest


def _roles(claim: EventClaim) -> tuple[frozenset[str], frozenset[str]]:
    """(initiators, losers) of a claim: a withdrawal's side A is the losing side."""
    a, b = frozenset(claim.side_a), frozenset(claim.side_b)
    return (b, a) if _info(claim.event_type).side_a == "loser" else (a, b)


def _precision(claim: EventClaim) -> int:
    span = claim.start or claim.end
    return _RANK[span.precision] if span else 3


@dataclass
class _Group:
    """A growing event: its claims, and the window of days all of them allow."""

    members: list[Reported]
    window: tuple[date, date] | None
    places: set[str]
    family: str = ""
    initiators: set[str] = field(default_factory=set)
    losers: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)


def _nested(a: str, b: str, world: World) -> bool:
    return a == b or b in world.located_in(a) or a in world.located_in(b)


def _fits(claim: Reported, group: _Group, world: World) -> bool:
    """Can the claim report the group's happening? Dates, place and sides."""
    c: EventClaim = claim.claim  # type: ignore[assignment]
    if _info(c.event_type).family != group.family:
        return False
    span, own_article = _span(c), claim.doc_id in group.documents
    if span is None or group.window is None:
        if not own_article:
            return False
    elif span[0] > group.window[1] or span[1] < group.window[0]:
        return False
    if c.place is None or not group.places:
        if (c.place is None) != (not group.places) and not own_article:
            return False
    elif not all(_nested(c.place, p, world) for p in group.places):
        return False
    return _sides_fit(c, group, world)


def _sides_fit(claim: EventClaim, group: _Group, world: World) -> bool:
    """No reversal (each side on the other's side) and no competing specific initiators."""
    initiators, losers = _roles(claim)
    if initiators & group.losers and losers & group.initiators:
        return False
    mine = {k for k in initiators if not world.is_vague(k)}
    theirs = {k for k in group.initiators if not world.is_vague(k)}
    if mine and theirs and not mine & theirs:
        ours = {world.country_of(k) for k in mine} - {None}
        others = {world.country_of(k) for k in theirs} - {None}
        if ours and others and not ours & others:
            return False
    return True


def _join(claim: Reported, group: _Group) -> None:
    c: EventClaim = claim.claim  # type: ignore[assignment]
    group.members.append(claim)
    group.documents.add(claim.doc_id)
    group.family = _info(c.event_type).family
    span = _span(c)
    if span is not None:
        w = group.window
        group.window = span if w is None else (max(w[0], span[0]), min(w[1], span[1]))
    if c.place:
        group.places.add(c.place)
    initiators, losers = _roles(c)
    group.initiators |= initiators
    group.losers |= losers


def _new_group(claim: Reported) -> _Group:
    group = _Group([], None, set())
    _join(claim, group)
    return group


def group_claims(claims: Sequence[Reported], world: World) -> list[list[Reported]]:
    """Event claims grouped by happening (finest dates first, so coarse ones find a home)."""
    order = sorted(claims, key=lambda r: (_precision(r.claim), r.claim.polarity == "denied",  # type: ignore[arg-type]
                                          r.iri))  # fmt: skip
    groups: list[_Group] = []
    index = _GroupIndex()
    for reported in order:
        fitting = [g for g in index.candidates(reported) if _fits(reported, g, world)]
        if len(fitting) > 1:  # fine claims: the group sharing its article, else the first
            same = [g for g in fitting if reported.doc_id in g.documents]
            coarse = _precision(reported.claim) > 0  # type: ignore[arg-type]
            fitting = [] if coarse else (same or fitting)[:1]
        if fitting:
            _join(reported, fitting[0])
            index.add(fitting[0], reported)
        else:
            groups.append(_new_group(reported))
            index.add(groups[-1], reported, number=len(groups) - 1)
    return [g.members for g in groups]


class _GroupIndex:
    """The groups a claim can join, found without scanning them all: by family and month
    (a group's window only narrows, so the months it was filed under still cover it), and
    by family and article for claims without a date (which join only their article's)."""

    def __init__(self) -> None:
        self.by_month: dict[tuple[str, int], list[_Group]] = {}
        self.by_document: dict[tuple[str, str], list[_Group]] = {}
        self.number: dict[int, int] = {}  # id(group) -> creation order

    def add(self, group: _Group, claim: Reported, number: int | None = None) -> None:
        if number is not None:
            self.number[id(group)] = number
            for month in _months(group.window):
                self.by_month.setdefault((group.family, month), []).append(group)
        filed = self.by_document.setdefault((group.family, claim.doc_id), [])
        if all(g is not group for g in filed):
            filed.append(group)

    def candidates(self, claim: Reported) -> list[_Group]:
        family = _info(claim.claim.event_type).family  # type: ignore[attr-defined]
        span = _span(claim.claim)  # type: ignore[arg-type]
        found = {id(g): g for g in self.by_document.get((family, claim.doc_id), ())}
        if span is not None:
            for month in _months(span):
                found.update((id(g), g) for g in self.by_month.get((family, month), ()))
        return sorted(found.values(), key=lambda g: self.number[id(g)])


def _months(window: tuple[date, date] | None) -> range:
    """The months a window touches, as year * 12 + month - 1."""
    if window is None:
        return range(0)
    return range(window[0].year * 12 + window[0].month - 1, window[1].year * 12 + window[1].month)


# --- what a group says --------------------------------------------------------------


def _kind(members: Sequence[Reported]) -> str:
    """The family's first kind among the claims' kinds (Capture over Withdrawal), else the
    most specific: the kind most claims give."""
    kinds = Counter(m.claim.event_type for m in members)  # type: ignore[attr-defined]
    order = list(event_kinds())
    return min(kinds, key=lambda k: (order.index(k) if k in order else len(order), -kinds[k], k))


def _place(members: Sequence[Reported], world: World) -> str | None:
    """The place most claims give; on a tie the innermost."""
    places = Counter(m.claim.place for m in members if m.claim.place)  # type: ignore[attr-defined]
    if not places:
        return None
    return min(places, key=lambda p: (-places[p], -len(tuple(world.located_in(p))), p))


def _dates(members: Sequence[Reported]) -> tuple[TimeSpan | None, TimeSpan | None]:
    """The finest date the claims give; among equally fine ones, the one most claims give."""
    dated = Counter(
        (m.claim.start, m.claim.end) for m in members if m.claim.start or m.claim.end  # type: ignore[attr-defined]
    )
    if not dated:
        return None, None

    def fineness(pair: tuple[TimeSpan | None, TimeSpan | None]) -> tuple[object, ...]:
        span = pair[0] or pair[1]
        return (_RANK[span.precision], -dated[pair], span.earliest)  # type: ignore[union-attr]

    return min(dated, key=fineness)


def _sides(members: Sequence[Reported]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Each side's actors, the most named first."""
    a: Counter[str] = Counter()
    b: Counter[str] = Counter()
    for m in members:
        initiators, losers = _roles(m.claim)  # type: ignore[arg-type]
        a.update(initiators)
        b.update(losers)
    return tuple(sorted(a, key=lambda k: (-a[k], k))), tuple(sorted(b, key=lambda k: (-b[k], k)))


def _disagreements(members: Sequence[Reported], side_a: Sequence[str], side_b: Sequence[str],
                   figures_differ: bool, disputed_claims: bool) -> tuple[str, ...]:  # fmt: skip
    """Where the claims of one event disagree."""
    found = []
    days = {(m.claim.start, m.claim.end) for m in members  # type: ignore[attr-defined]
            if m.claim.start and m.claim.start.precision == "day"}  # type: ignore[attr-defined]  # fmt: skip
    if len(days) > 1:
        found.append("dates")
    if set(side_a) & set(side_b):
        found.append("sides")
    if figures_differ:
        found.append("figures")
    if len({m.claim.polarity == "denied" for m in members}) > 1:
        found.append("polarity")
    if disputed_claims:
        found.append("claims")
    return tuple(found)


# --- casualties and the article's subject ------------------------------------------


def _attach_casualties(
    events: Sequence[tuple[_Group | None, list[Reported]]], casualties: Sequence[Reported],
    world: World,
) -> dict[int, list[Reported]]:  # fmt: skip
    """Event index -> the casualty figures that belong to it: a violent event whose place
    nests with the figure's and whose dates allow the figure's; the figure's own article
    first, then the narrowest dates. An undated figure only to an event told in its own
    sentence ("killed in the attack on ..."), never to whatever its article reports."""
    attached: dict[int, list[Reported]] = {}
    violent = [
        (index, members, _window(members), {m.doc_id for m in members},
         {m.claim.place for m in members if m.claim.place})  # type: ignore[attr-defined]
        for index, (_, members) in enumerate(events)
        if _info(members[0].claim.event_type).violent  # type: ignore[attr-defined]
    ]  # fmt: skip
    by_month: dict[int, list[int]] = {}  # month -> positions in violent (dated events)
    by_document: dict[str, list[int]] = {}
    for position, (_, _, window, documents, _) in enumerate(violent):
        for month in _months(window):
            by_month.setdefault(month, []).append(position)
        for doc_id in documents:
            by_document.setdefault(doc_id, []).append(position)
    for figure in casualties:
        c: CasualtyClaim = figure.claim  # type: ignore[assignment]
        span = _span(c)
        best: tuple[object, ...] | None = None
        chosen = None
        near = set(by_document.get(figure.doc_id, ()))
        for month in _months(span):
            near.update(by_month.get(month, ()))
        for index, members, window, documents, places in (violent[i] for i in sorted(near)):
            own = figure.doc_id in documents
            if span is not None and window is not None and (
                span[0] > window[1] or span[1] < window[0]
            ):
                continue
            if c.place is None or not places or not all(_nested(c.place, p, world) for p in places):
                continue
            if span is None or window is None:
                if not any(_same_sentence(figure, m) for m in members):
                    continue
            elif span[0] > window[1] or span[1] < window[0]:
                continue
            width = (window[1] - window[0]).days if window else 10**6
            score = (not own, width, index)
            if best is None or score < best:
                best, chosen = score, index
        if chosen is not None:
            attached.setdefault(chosen, []).append(figure)
    return attached


def _same_sentence(a: Reported, b: Reported) -> bool:
    """Do two claims rest on overlapping quotes of one article?"""
    x, y = a.claim.evidence, b.claim.evidence
    return a.doc_id == b.doc_id and x.begin < y.stop and y.begin < x.stop


def _window(members: Sequence[Reported]) -> tuple[date, date] | None:
    spans = [s for m in members if (s := _span(m.claim)) is not None]  # type: ignore[arg-type]
    if not spans:
        return None
    return max(s[0] for s in spans), min(s[1] for s in spans)


def _subjects(groups: Sequence[list[Reported]]) -> dict[str, int]:
    """Document -> index of the event its infobox names as the page's subject."""
    found: dict[str, int] = {}
    for index, members in enumerate(groups):
        for m in members:
            if m.claim.rule.startswith("infobox.subject"):
                found.setdefault(m.doc_id, index)
    return found


def _parent(index: int, groups: Sequence[list[Reported]], subjects: Mapping[str, int],
            named: Mapping[str, int]) -> int | None:  # fmt: skip
    """The event this one is part of: the named event its claims say (``part_of``), else the
    subject of its article when its dates lie within the subject's."""
    members = groups[index]
    for m in members:
        key = m.claim.part_of  # type: ignore[attr-defined]
        if key in named and named[key] != index:
            return named[key]
    window = _window(members)
    for m in members:
        parent = subjects.get(m.doc_id)
        if parent is None or parent == index or window is None:
            continue
        outer = _window(groups[parent])
        if outer and outer[0] <= window[0] and window[1] <= outer[1]:
            if _info(m.claim.event_type).family not in ("war", "offensive"):  # type: ignore[attr-defined]
                return parent
    return None


# --- the corpus -----------------------------------------------------------------------


def resolve_events(
    claims: Sequence[Reported], world: World, disputes: Iterable[tuple[str, str]] = ()
) -> list[ResolvedEvent]:
    """Every happening the event claims report, in date order, with its claims and figures.

    ``disputes`` are the pairs of claim IRIs that sources dispute (:mod:`kg.temporal`):
    an event whose figures or claims are among them says so.
    """
    events = [r for r in claims if isinstance(r.claim, EventClaim)]
    figures = [r for r in claims if isinstance(r.claim, CasualtyClaim)]
    groups = group_claims(events, world)
    attached = _attach_casualties([(None, g) for g in groups], figures, world)
    disputed = {iri for pair in disputes for iri in pair}
    pairs = {frozenset(p) for p in disputes}
    subjects = _subjects(groups)
    named = {m.claim.event_key: i for i, g in enumerate(groups) for m in g  # type: ignore[attr-defined]
             if m.claim.event_key}  # type: ignore[attr-defined]  # fmt: skip
    drafts = []
    for index, members in enumerate(groups):
        side_a, side_b = _sides(members)
        start, end = _dates(members)
        figs = attached.get(index, [])
        figure_iris = sorted(f.iri for f in figs)
        differ = any(frozenset((x, y)) in pairs for x in figure_iris for y in figure_iris)
        drafts.append(ResolvedEvent(
            kind=_kind(members), place=_place(members, world), start=start, end=end,
            side_a=side_a, side_b=side_b, claims=tuple(sorted(m.iri for m in members)),
            documents=tuple(sorted({m.doc_id for m in (*members, *figs)})),
            casualties=tuple(figure_iris),
            claimants=tuple(sorted({m.claim.claimant for m in (*members, *figs)})),
            disagreements=_disagreements(members, side_a, side_b, differ,
                                         any(m.iri in disputed for m in members)),
            about=tuple(sorted({k for m in members for k in (m.claim.event_key, m.claim.part_of)  # type: ignore[attr-defined]
                                if k})),
        ))  # fmt: skip
    ranked = _ranked(drafts)
    parents = [_parent(i, groups, subjects, named) for i in range(len(groups))]
    resolved = [
        ResolvedEvent(**{**e.__dict__, "part_of": ranked[p].iri if p is not None else None})
        for e, p in zip(ranked, parents, strict=True)
    ]
    return sorted(resolved, key=_order)


def _ranked(drafts: Sequence[ResolvedEvent]) -> list[ResolvedEvent]:
    """Events sharing kind, place and date numbered 0, 1, ... in the order of their first
    claim IRI, so each has its own IRI."""
    seen: Counter[tuple[object, ...]] = Counter()
    ranked = []
    for e in sorted(drafts, key=lambda e: e.claims[0]):
        key = (e.kind, e.place, e.start, e.end)
        ranked.append((e.claims[0], ResolvedEvent(**{**e.__dict__, "rank": seen[key]})))
        seen[key] += 1
    by_first = dict(ranked)
    return [by_first[e.claims[0]] for e in drafts]


def _order(e: ResolvedEvent) -> tuple[object, ...]:
    span = e.start or e.end
    return (span is None, span.earliest if span else date.min, e.kind, e.place or "", e.iri)


def reported(extractions: Iterable[Extraction]) -> list[Reported]:
    """Every claim of the extractions with its IRI and document."""
    from kg.emit import claim_iri  # emit imports pyoxigraph: only when a build resolves

    return [Reported(c, claim_iri(c), x.document.doc_id) for x in extractions for c in x.claims]


def merge_counts(events: Sequence[ResolvedEvent]) -> tuple[int, int]:
    """(event claims, events): how many claims were merged into how many events."""
    return sum(len(e.claims) for e in events), len(events)
