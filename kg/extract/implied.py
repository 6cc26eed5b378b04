"""Claims that follow from a claim and the ontology, quoted from the same evidence,
and repeats that a finer claim makes redundant.

- The leader of a junta is its country's junta leader: "Assimi Goïta, leader of
  the CNSP" is also JuntaLeader within Mali (the junta's ``dcterms:spatial``,
  else the document's main country).
- Leaving an organisation is a LeavingGroup event: "Mali announced its
  withdrawal from the alliance" is no withdrawal from a place, so a placeless
  Withdrawal event of that sentence gives way to it.
- A capture or withdrawal names the place taken or left: without one ("took over
  as interim leader", "seized power") it is no capture, nor is the capture of a
  whole country.
- A coup is an event of a country: "seized power in Bamako" is a coup in Mali
  (the country the registry places the town in).
- A capture told without a date ("the rebels confirmed they had taken control of
  Gao") is the capture the same document dates ("seized Gao on Saturday"), when
  it dates exactly one capture of that place: the undated gains and losses of the
  place take that date.
- A fact told twice in a document, once at a coarser date ("September 2022"
  in a heading, "30 September 2022" in the text), is kept at its finer date.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from kg.model import Claim, ControlClaim, EventClaim, MembershipClaim, RoleClaim, TimeSpan

__all__ = [
    "capture_dates",
    "coups_in_countries",
    "finest_dates",
    "implied_claims",
    "leaving_events",
    "placed",
]


def implied_claims(
    claims: Sequence[Claim],
    is_a: Callable[[str, str], bool],
    country_of: Callable[[str], str | None],
    main_country: str | None,
) -> list[Claim]:
    """The claims the given ones imply, not already among them."""
    have = {(c.holder, c.role, c.within) for c in claims if isinstance(c, RoleClaim)}
    added: list[Claim] = []
    for claim in claims:
        if not isinstance(claim, RoleClaim) or claim.role != "Leader" or claim.within is None:
            continue
        if not is_a(claim.within, "Junta"):
            continue
        country = country_of(claim.within) or main_country
        content = (claim.holder, "JuntaLeader", country)
        if country is None or content in have:
            continue
        have.add(content)
        added.append(replace(claim, role="JuntaLeader", within=country,
                             rule=claim.rule.replace(".v1", ".junta.v1")))  # fmt: skip
    return added


def leaving_events(
    claims: Sequence[Claim], is_a: Callable[[str, str], bool] = lambda key, cls: False
) -> list[Claim]:
    """LeavingGroup events for the leaves of the claims, replacing the Withdrawal events
    quoted from the same sentence that left no town or site ("withdrew from the group of
    Sahel states" left no place: the Sahel there is part of a name)."""
    leaves = [c for c in claims if isinstance(c, MembershipClaim) and c.change == "leave"]
    if not leaves:
        return list(claims)
    spans = {(c.evidence.begin, c.evidence.stop) for c in leaves}

    def no_town(place: str | None) -> bool:
        return place is None or not (is_a(place, "Settlement") or is_a(place, "Site"))

    kept = [
        c for c in claims
        if not (isinstance(c, EventClaim) and c.event_type == "Withdrawal" and no_town(c.place)
                and (c.evidence.begin, c.evidence.stop) in spans)
    ]  # fmt: skip
    have = {(c.evidence.begin, c.event_type) for c in kept if isinstance(c, EventClaim)}
    for leave in leaves:
        if (leave.evidence.begin, "LeavingGroup") in have:
            continue
        have.add((leave.evidence.begin, "LeavingGroup"))
        kept.append(EventClaim(
            rule="event.leaving." + leave.rule, evidence=leave.evidence,
            claimant=leave.claimant, polarity=leave.polarity, event_type="LeavingGroup",
            side_a=(leave.member,), side_b=(leave.organisation,), start=leave.end,
        ))  # fmt: skip
    return kept


def _date_of(claim: Claim) -> TimeSpan | None:
    if isinstance(claim, ControlClaim):
        return claim.end if claim.change == "loss" and claim.end else claim.start
    if isinstance(claim, EventClaim):
        return claim.start
    return None


def _content(claim: Claim) -> tuple[object, ...] | None:
    if isinstance(claim, EventClaim):
        return ("event", claim.event_type, claim.place, claim.polarity == "denied")
    if isinstance(claim, ControlClaim):
        return ("control", claim.controller, claim.territory, claim.change,
                claim.polarity == "denied")  # fmt: skip
    return None


def finest_dates(claims: Sequence[Claim]) -> list[Claim]:
    """Drop a claim whose date is a coarser reading of another's date of the same fact."""
    dated: dict[tuple[object, ...], list[TimeSpan]] = {}
    for claim in claims:
        content, when = _content(claim), _date_of(claim)
        if content is not None and when is not None:
            dated.setdefault(content, []).append(when)

    def coarser(claim: Claim) -> bool:
        content, when = _content(claim), _date_of(claim)
        if content is None or when is None:
            return False
        return any(_finer(other, when) for other in dated.get(content, ()) if other != when)

    return [c for c in claims if not coarser(c)]


_RANK = {"day": 0, "month": 1, "year": 2}


def _finer(other: TimeSpan, when: TimeSpan) -> bool:
    """Is ``other`` a finer date inside ``when`` (a day of that month, a month of that year)?"""
    return (
        _RANK[other.precision] < _RANK[when.precision]
        and when.earliest <= other.earliest
        and other.latest <= when.latest
    )


def coups_in_countries(
    claims: Sequence[Claim],
    is_a: Callable[[str, str], bool],
    located_in: Callable[[str], Sequence[str]],
) -> list[Claim]:
    """Coups placed in a town or region are placed in the town's country."""
    result: list[Claim] = []
    for claim in claims:
        if isinstance(claim, EventClaim) and claim.event_type == "Coup" and claim.place:
            if not is_a(claim.place, "Country"):
                country = next((p for p in located_in(claim.place) if is_a(p, "Country")), None)
                if country:
                    claim = replace(claim, place=country)
        result.append(claim)
    return result


PLACED_EVENTS = ("Capture", "Withdrawal")


def placed(claims: Sequence[Claim], is_a: Callable[[str, str], bool]) -> list[Claim]:
    """Drop captures and withdrawals that name no place, and captures of a whole country
    (taking control of a country is a coup, told as such)."""
    return [
        c for c in claims
        if not (isinstance(c, EventClaim) and c.event_type in PLACED_EVENTS and c.place is None)
        and not (isinstance(c, EventClaim) and c.event_type == "Capture" and c.place
                 and is_a(c.place, "Country"))
    ]  # fmt: skip


def capture_dates(claims: Sequence[Claim]) -> list[Claim]:
    """Undated gains and losses of a place take the date of the one dated capture of that
    place in the document (its Capture events and dated gains); none when there are several."""
    dated: dict[str, set[TimeSpan]] = {}
    for claim in claims:
        if isinstance(claim, EventClaim) and claim.event_type == "Capture" and claim.place and claim.start:
            dated.setdefault(claim.place, set()).add(claim.start)
        elif isinstance(claim, ControlClaim) and claim.change == "gain" and claim.start:
            dated.setdefault(claim.territory, set()).add(claim.start)
    out: list[Claim] = []
    for claim in claims:
        when = dated.get(claim.territory, set()) if isinstance(claim, ControlClaim) else set()
        if (isinstance(claim, ControlClaim) and claim.change in ("gain", "loss")
                and claim.start is None and claim.end is None and len(when) == 1):  # fmt: skip
            day = next(iter(when))
            claim = replace(claim, start=day) if claim.change == "gain" else replace(claim, end=day)
        out.append(claim)
    return out
