"""Stage 5: timelines. Control periods per place, membership and office intervals,
and the claims that other sources dispute.

Control: the dated gains ("captured on 14 November") and stated starts
("under rebel control since 2014") of a place are sorted; each one opens a
period for its controllers (allies that gained the place on the same date hold
it jointly) and closes the period before it, unless that period's controllers
are the same. A loss ("withdrew from X on 31 October") closes its
controllers' period early. The last period is ongoing, as of the latest source
that speaks of the place. Approximate starts ("for a decade") never open a
period; they support the one they fall in. Each period names the claims and
documents it rests on.

Memberships and roles: one interval per (member, organisation) or (holder,
role, within), from joining / founding / appointment dates to leaving dates,
the organisation's founding date standing in for the start of a membership
stated without one.

Disputes: figures that differ for the same casualty type and place, claims a
source denies, and periods whose sources give different start years.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from kg.emit import claim_iri, period_iri
from kg.model import (
    CasualtyClaim,
    Claim,
    ControlClaim,
    EventClaim,
    Extraction,
    MembershipClaim,
    Period,
    RoleClaim,
    TimeSpan,
)

STAGE = "temporal.v1"
Dispute = tuple[str, str]


@dataclass(frozen=True)
class Sourced:
    """A claim with the IRI and publication date of its source."""

    claim: Claim
    iri: str
    doc_id: str
    published: date


def derive(
    extractions: Sequence[Extraction], town_of: Callable[[str], str | None] = lambda key: None
) -> tuple[list[Period], list[Dispute]]:
    """All periods and dispute pairs of a corpus, in a stable order. ``town_of`` gives the
    town a site lies in, so that figures for a camp and for its town are compared."""
    sourced = [
        Sourced(c, claim_iri(c), x.document.doc_id, x.document.published)
        for x in extractions
        for c in x.claims
    ]
    periods = control_periods([s for s in sourced if isinstance(s.claim, ControlClaim)])
    periods += membership_periods(sourced)
    periods += role_periods([s for s in sourced if isinstance(s.claim, RoleClaim)])
    disputes = casualty_disputes(
        [s for s in sourced if isinstance(s.claim, CasualtyClaim)], town_of, main_months(sourced)
    )
    disputes += denial_disputes(sourced)
    disputed = {iri for pair in disputes for iri in pair}
    periods = [p if not disputed.intersection(p.claims) else _mark_disputed(p) for p in periods]
    disputes += start_disputes(periods, {s.iri: s.claim for s in sourced})
    periods.sort(key=lambda p: (p.kind, p.object, _key(p.start), p.subject, _key(p.end)))
    return periods, sorted(set(disputes))


def _key(span: TimeSpan | None) -> tuple[date, date]:
    return (span.earliest, span.latest) if span else (date.min, date.min)


def _mark_disputed(period: Period) -> Period:
    return Period(**{**period.__dict__, "disputed": True})


# --- control -------------------------------------------------------------


@dataclass
class Change:
    """Controllers gaining a place at one date, with the claims that say so."""

    when: TimeSpan
    controllers: dict[str, int]  # key -> number of claims
    support: list[Sourced]


def control_periods(claims: Sequence[Sourced]) -> list[Period]:
    """Control periods of every place."""
    by_place: dict[str, list[Sourced]] = defaultdict(list)
    for s in claims:
        if s.claim.polarity != "denied":
            by_place[s.claim.territory].append(s)  # type: ignore[attr-defined]
    periods: list[Period] = []
    for place in sorted(by_place):
        periods += place_periods(place, by_place[place])
    return periods


def place_periods(place: str, claims: Sequence[Sourced]) -> list[Period]:
    """The succession of controllers of one place."""
    changes = opening_changes(claims)
    losses = [s for s in claims if s.claim.change == "loss" and s.claim.end]  # type: ignore[attr-defined]
    used = {x.iri for c in changes for x in c.support} | {x.iri for x in losses}
    supports = [s for s in claims if s.iri not in used]
    latest = max(s.published for s in claims)
    periods: list[Period] = []
    for i, change in enumerate(changes):
        following = changes[i + 1].when if i + 1 < len(changes) else None
        own_losses = [
            s
            for s in losses
            if s.claim.controller in change.controllers  # type: ignore[attr-defined]
            and s.claim.end.latest >= change.when.earliest  # type: ignore[attr-defined]
            and (following is None or s.claim.end.earliest <= following.latest)
        ]  # type: ignore[attr-defined]  # noqa: E501
        end = min((s.claim.end for s in own_losses), default=following)  # type: ignore[attr-defined]
        backing = (
            list(change.support)
            + own_losses
            + [
                s
                for s in supports
                if s.claim.controller in change.controllers  # type: ignore[attr-defined]
                and _overlaps(s.claim, change.when, end)
            ]
        )
        primary, *allies = sorted(change.controllers, key=lambda k: (-change.controllers[k], k))
        periods.append(Period(
            kind="control", subject=primary, object=place, start=change.when, end=end,
            ongoing=end is None, as_of=latest if end is None else None,
            claims=tuple(sorted({s.iri for s in backing})),
            documents=tuple(sorted({s.doc_id for s in backing})),
            disputed=_start_years_differ(backing), co_subjects=tuple(sorted(allies)),
        ))  # fmt: skip
    return periods


def opening_changes(claims: Sequence[Sourced]) -> list[Change]:
    """Gains and exact stated starts, grouped by date, merged while the controllers stay."""
    openings = [s for s in claims if opens(s.claim)]
    by_date: dict[TimeSpan, Change] = {}
    for s in sorted(openings, key=lambda s: (_key(s.claim.start), s.iri)):  # type: ignore[attr-defined]
        change = by_date.setdefault(s.claim.start, Change(s.claim.start, {}, []))  # type: ignore[attr-defined]
        change.controllers[s.claim.controller] = change.controllers.get(s.claim.controller, 0) + 1  # type: ignore[attr-defined]  # noqa: E501
        change.support.append(s)
    merged: list[Change] = []
    for change in sorted(by_date.values(), key=lambda c: _key(c.when)):
        if merged and set(change.controllers) <= set(merged[-1].controllers):
            merged[-1].support.extend(change.support)
            continue
        if merged and _same_day_or_finer(merged[-1].when, change.when):
            for key, n in change.controllers.items():
                merged[-1].controllers[key] = merged[-1].controllers.get(key, 0) + n
            merged[-1].support.extend(change.support)
            continue
        merged.append(change)
    return merged


def opens(claim: Claim) -> bool:
    """A gain, or a state with a stated start ("since 2014"), opens a period; a state observed
    at a date ("controlled it in 2015", start == end) or from a vague duration does not."""
    c: ControlClaim = claim  # type: ignore[assignment]
    if c.start is None or c.start.approximate:
        return False
    return c.change == "gain" or (c.change == "state" and c.end != c.start)


def _same_day_or_finer(a: TimeSpan, b: TimeSpan) -> bool:
    """True when b lies within a coarser-or-equal a (e.g. "November 2023" and "2023-11-14")."""
    return a.earliest <= b.earliest and b.latest <= a.latest and a.precision != "year"


def _overlaps(claim: Claim, start: TimeSpan, end: TimeSpan | None) -> bool:
    """Does a state claim's span fall within [start, end]?"""
    first = getattr(claim, "start", None) or getattr(claim, "end", None)
    if first is None:
        return False
    upper = end.latest if end else date.max
    return start.earliest <= first.latest and first.earliest <= upper or bool(first.approximate)


def _stated_start_year(claim: Claim) -> int | None:
    start = getattr(claim, "start", None)
    if start is None or start.approximate or getattr(claim, "change", None) != "state":
        return None
    return int(start.earliest.year)


def _start_years_differ(backing: Iterable[Sourced]) -> bool:
    """Sources that date the same period's start to different years (vague ones aside)."""
    return len({y for s in backing if (y := _stated_start_year(s.claim)) is not None}) > 1


def start_disputes(periods: Sequence[Period], claims: dict[str, Claim]) -> list[Dispute]:
    """A period whose sources date its start differently is disputed by the claims that
    disagree with the start it was given."""
    pairs: list[Dispute] = []
    for period in periods:
        if period.kind != "control" or period.start is None:
            continue
        for iri in period.claims:
            year = _stated_start_year(claims[iri])
            if year is not None and year != period.start.earliest.year:
                pairs.append((period_iri(period), iri))
    return pairs


# --- membership and roles -----------------------------------------------


def founding_dates(claims: Sequence[Sourced]) -> dict[str, TimeSpan]:
    """Organisation -> its founding date, from Founding events with a single founder side."""
    found: dict[str, TimeSpan] = {}
    for s in claims:
        claim = s.claim
        if isinstance(claim, EventClaim) and claim.event_type == "Founding" and claim.start:
            subject = claim.side_a[0] if len(claim.side_a) == 1 else None
            if subject and (subject not in found or claim.start.precision == "day"):
                found[subject] = claim.start
    return found


def membership_periods(sourced: Sequence[Sourced]) -> list[Period]:
    """One interval per (member, organisation)."""
    founded = founding_dates(sourced)
    groups: dict[tuple[str, str], list[Sourced]] = defaultdict(list)
    for s in sourced:
        if isinstance(s.claim, MembershipClaim) and s.claim.polarity != "denied":
            groups[(s.claim.member, s.claim.organisation)].append(s)
    periods = []
    for (member, organisation), group in sorted(groups.items()):
        start, end = bounds_of([s.claim for s in group if s.claim.change != "leave"])  # type: ignore[attr-defined]
        _, left = bounds_of([s.claim for s in group if s.claim.change == "leave"])  # type: ignore[attr-defined]
        start = start or founded.get(organisation)
        periods.append(interval("membership", member, organisation, start, left or end, group))
    return periods


def role_periods(claims: Sequence[Sourced]) -> list[Period]:
    """One interval per (holder, role, within)."""
    groups: dict[tuple[str, str, str | None], list[Sourced]] = defaultdict(list)
    for s in claims:
        c: RoleClaim = s.claim  # type: ignore[assignment]
        if c.polarity != "denied":
            groups[(c.holder, c.role, c.within)].append(s)
    periods = []
    for (holder, role, within), group in sorted(
        groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "")
    ):  # noqa: E501
        start, end = bounds_of([s.claim for s in group])
        period = interval("role", holder, role, start, end, group)
        periods.append(Period(**{**period.__dict__, "within": within}))
    return periods


def interval(kind: str, subject: str, obj: str, start: TimeSpan | None, end: TimeSpan | None,
             group: Sequence[Sourced]) -> Period:  # fmt: skip
    """A period over a group of claims; open ones are ongoing as of their latest source."""
    latest = max(s.published for s in group)
    return Period(
        kind=kind,
        subject=subject,
        object=obj,
        start=start,
        end=end,  # type: ignore[arg-type]
        ongoing=end is None,
        as_of=latest if end is None else None,
        claims=tuple(sorted({s.iri for s in group})),
        documents=tuple(sorted({s.doc_id for s in group})),
    )


def bounds_of(claims: Sequence[Claim]) -> tuple[TimeSpan | None, TimeSpan | None]:
    """Start and end of an interval from its claims: only stated starts ("since", "appointed
    on") and ends count; a sighting ("the junta leader said on Tuesday") dates neither."""
    stated_starts = [c.start for c in claims if c.start and c.end != c.start]  # type: ignore[attr-defined]
    stated_ends = [c.end for c in claims if c.end and c.end != c.start]  # type: ignore[attr-defined]
    return most_precise(stated_starts), most_precise(stated_ends)


def most_precise(spans: Sequence[TimeSpan]) -> TimeSpan | None:
    """The finest of several dates for the same boundary (day over month over year)."""
    rank = {"day": 0, "month": 1, "year": 2}
    exact = [s for s in spans if not s.approximate] or list(spans)
    return min(exact, key=lambda s: (rank[s.precision], s.earliest)) if exact else None


# --- disputes ------------------------------------------------------------


PEOPLE = {
    "civilians",
    "people",
    "persons",
    "children",
    "women",
    "residents",
    "villagers",
    "inhabitants",
}


def main_months(sourced: Iterable[Sourced]) -> dict[str, str]:
    """Each document's main month (``YYYY-MM``): the month most of its dated events fall in
    (day or month precision; the earliest month on a tie). Documents without one are left out.
    """
    months: dict[str, Counter[str]] = defaultdict(Counter)
    for s in sourced:
        start = s.claim.start if isinstance(s.claim, EventClaim) else None
        if start is not None and start.precision in ("day", "month"):
            months[s.doc_id][start.earliest.strftime("%Y-%m")] += 1
    return {doc: min(counts, key=lambda m: (-counts[m], m)) for doc, counts in months.items()}


def casualty_disputes(
    claims: Sequence[Sourced],
    town_of: Callable[[str], str | None] = lambda k: None,
    main_month: Mapping[str, str] | None = None,
) -> list[Dispute]:
    """Pairs of figures that disagree about the same toll: same kind, same kind of victims,
    the same town (a camp in Kidal is Kidal) within the same month; vague words aside.

    A figure the text does not date is compared with the figures of two months:
    its article's month of publication (news reports the latest toll) and its
    article's main month (``main_month``: that of most of its dated events; a
    page written later about a battle). Compared with every figure of the
    corpus, as before, undated figures made the pairs grow with the square of
    the corpus (15,758 casualty pairs at 383 generated articles).
    """
    main_month = main_month or {}
    groups: dict[tuple[object, ...], list[Sourced]] = defaultdict(list)
    for s in claims:
        c: CasualtyClaim = s.claim  # type: ignore[assignment]
        victims = "people" if c.victims in PEOPLE else c.victims
        place = town_of(c.place) or c.place if c.place else None
        if c.date:
            months = {c.date.earliest.strftime("%Y-%m")}
        else:
            months = {s.published.strftime("%Y-%m"), main_month.get(s.doc_id)} - {None}
        for month in months:
            groups[(c.casualty, victims, place, month)].append(s)
    pairs = set()
    for group in groups.values():
        for a, b in combinations(sorted(group, key=lambda s: s.iri), 2):
            if _disagree(a.claim, b.claim):
                pairs.add((a.iri, b.iri))
    return sorted(pairs)


def _disagree(a: Claim, b: Claim) -> bool:
    """Two figures of one group (same toll, same month: see casualty_disputes) that cannot
    both be right: different, at least one a number, both asserted."""
    x: CasualtyClaim = a  # type: ignore[assignment]
    y: CasualtyClaim = b  # type: ignore[assignment]
    if "denied" in (x.polarity, y.polarity) or _figure(x) == _figure(y):
        return False
    if x.count_min is None and y.count_min is None:
        return False
    return x.casualty != "losses"


def _figure(claim: Claim) -> tuple[object, object, str]:
    c: CasualtyClaim = claim  # type: ignore[assignment]
    return (c.count_min, c.count_max, c.count_text.lower() if c.count_min is None else "")


def denial_disputes(sourced: Sequence[Sourced]) -> list[Dispute]:
    """A denied claim disputes the asserted claims of the same sentence."""
    by_quote: dict[tuple[str, int, str], list[Sourced]] = defaultdict(list)
    for s in sourced:
        by_quote[(s.doc_id, s.claim.evidence.begin, s.claim.kind)].append(s)
    pairs = []
    for group in by_quote.values():
        denied = [s for s in group if s.claim.polarity == "denied"]
        asserted = [s for s in group if s.claim.polarity != "denied"]
        pairs += [
            tuple(sorted((d.iri, a.iri)))
            for d in denied
            for a in asserted
            if _content(d.claim) == _content(a.claim)
        ]
    return pairs  # type: ignore[return-value]


def _content(claim: Claim) -> dict[str, object]:
    """What a claim asserts, whoever asserts it and however."""
    return {k: v for k, v in claim.__dict__.items() if k not in ("claimant", "polarity", "rule")}
