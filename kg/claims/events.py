"""Events of the ontology's types, from trigger words and their frames.

A trigger ("captured", "drone strikes", "clashes broke out", "announced")
gives the event type; the frame gives the initiating side (subject), the
opposing side ("against X", "from X"), the place, the date or date range, and
the enclosing named event ("during the Kidal offensive").

Where the place is looked for depends on the type: a capture's place is its
object ("captured Anefis"); a statement's or a founding's place must follow
the trigger ("announced from Bamako", "formed ... in Algiers"); other events
take a place introduced by "in", "at", "near" in their clause. Nationality
adjectives are never places, and a country only when nothing finer is named.
A trigger that only refers back to an earlier event ("since the signing of",
"the first spate of clashes") makes no event.
"""

from __future__ import annotations

import re

from kg.claims.attribution import Attribution, applicable
from kg.claims.context import SentenceContext, clause_bounds, unique, words
from kg.claims.frames import (
    as_actors,
    by_agents,
    co_agents,
    frame_date,
    heads_in,
    is_factual,
    subject_agents,
)
from kg.extract.wordlists import grouped
from kg.model import DatedPhrase, EventClaim, Mention

RULE = "event.{}.v1"

# The trigger words by event type, as data (kg/extract/wordlists/event_triggers.tsv).
TRIGGERS: tuple[tuple[str, str], ...] = tuple(
    (kind, words(*phrases)) for kind, phrases in grouped("event_triggers")
)
COMPILED = tuple((kind, re.compile(pattern)) for kind, pattern in TRIGGERS)
ANY_TRIGGER = re.compile("|".join(pattern for _, pattern in TRIGGERS))  # one pass rules a sentence out
LOCATIVE = re.compile(
    r"\b(?:in|at|near|around|outside|inside|on|into)\s+(?:and\s+around\s+)?(?:the\s+)?"
    r"(?:(?:town|city|village|locality|region|camp|base|fort|airport|valley|area|outskirts|vicinity|"
    r"north|south|east|west|centre|center|strategic\s+town|strategic\s+city)\s+of\s+(?:the\s+)?)?"
    r"(?:[a-z'-]+\s+){0,2}$"
)
FROM_PLACE = re.compile(r"\b(?:from|out\s+of)\s+(?:the\s+)?(?:[a-z'-]+\s+){0,3}$")
AGAINST = re.compile(r"\b(?:against|targeting|repulsed|repelled|with|from)\b")
DURING = re.compile(r"\b(?:during|part\s+of|in\s+the\s+context\s+of|as\s+part\s+of)\b")
ANAPHORIC_START = re.compile(r"^\s*(?:the|these|those|this|that)\s+$")
TITLE_LINE = re.compile(r"^[^.!?]{0,80}$")
BACK_REFERENCE = re.compile(
    r"\b(?:since\s+the|following\s+the|spate\s+of|wake\s+of|aftermath\s+of|first\s+major|"
    r"consisted\s+of\s+repelling\s+the|intent\s+to|aim\s+of|attempt\s+to)\s+(?:the\s+)?(?:[a-z-]+\s+){0,2}$"
)
MILITARY = ("Capture", "Withdrawal", "Clash", "Battle", "Offensive", "Ambush", "DroneStrike",
            "Airstrike", "Deployment", "Expulsion", "Evacuation")  # fmt: skip
OBJECT_PLACE = ("Capture", "Withdrawal", "Evacuation", "Expulsion", "Deployment")
DIRECT_TOO = ("Clash", "Battle", "Ambush")  # "attacked the town of Ber", "battle of Kidal"
PLACE_AFTER_ONLY = ("Statement", "Founding", "AgreementSigning", "Appointment", "LeavingGroup",
                    "Ceasefire")  # fmt: skip
COUNTRY_EVENTS = ("Coup",)  # take the document's country when none is named
STRIKES = ("DroneStrike", "Airstrike")
ATTRIBUTIVE = re.compile(r"\.?\s+[A-Z][a-z]|-[a-z]|\s+(?:rebels?|troops|forces|army|junta|soldiers|"
                         r"militants|government|officials|authorities|military)\b")  # "the U.S. State Department": not the coup's country
THE_COUNTRY = re.compile(r"\bthe\s+(?:[a-z-]+\s+){0,3}?(?:country|nation)\b")
CASUALTY_WORDS = re.compile(r"\b(?:killed|killing|injured|wounded|dead|victims|casualties)\b")


def event_claims(ctx: SentenceContext, attributions: list[Attribution]) -> list[EventClaim]:
    """One claim per event of the sentence (and attribution)."""
    claims: list[EventClaim] = []
    if not ANY_TRIGGER.search(ctx.folded):
        return claims
    taken: list[tuple[int, int]] = []
    seen: set[tuple[str, str | None, object]] = set()
    for kind, pattern in COMPILED:
        for match in pattern.finditer(ctx.folded):
            if any(b <= match.start() < e for b, e in taken) or not is_factual(ctx, match.start()):
                continue
            back = BACK_REFERENCE.search(ctx.folded[max(0, match.start() - 40) : match.start()])
            if back and not (back.group(0).startswith("since the") and _own_date(ctx, match)):
                continue  # "since the capture of Kidal in November 2023" tells a dated event
            if (
                kind in MILITARY
                and ANAPHORIC_START.match(ctx.folded[: match.start()])
                and not re.match(r"\s+of\b", ctx.folded[match.end() :])
                and "of" not in match.group(0)
            ):
                continue  # "The clashes lasted two hours": the clashes told before
            if TITLE_LINE.match(ctx.sentence.text) and len(ctx.sentence.text.split()) <= 6:
                continue  # a heading ("Battle of Kidal (2023)") names an event, it does not tell one
            for claim in event_frames(ctx, kind, match, attributions[0]):
                if (kind, claim.place, claim.start) in seen:
                    continue
                taken.append((match.start(), match.end()))
                seen.add((kind, claim.place, claim.start))
                claims.extend(
                    EventClaim(**{**claim.__dict__, "claimant": a.claimant, "polarity": a.polarity})
                    for a in applicable(attributions, match.start())
                )
    return claims


def event_frames(
    ctx: SentenceContext, kind: str, match: re.Match[str], attribution: Attribution
) -> list[EventClaim]:
    """The events of one trigger: one per place when places are coordinated ("in X and Y")."""
    named = named_event_mention(ctx, match)
    if kind == "War":
        return war_frames(ctx, match, attribution, named)
    places = event_places(ctx, kind, match, named)
    side_a = tuple(subject_agents(ctx, match.start()))
    if kind == "Capture":
        side_a += tuple(k for k in co_agents(ctx) if k not in side_a)
    side_b = opposing_side(ctx, match, side_a)
    if re.search(r"\b(?:was|were|been)\s+$", ctx.folded[: match.start()]) and kind in MILITARY:
        attackers = tuple(by_agents(ctx, match.end(), window=40))
        if attackers:  # "It was attacked by the rebels": the rebels are the initiating side
            side_a, side_b = attackers, side_a
    phrase = frame_date(ctx, match.start())
    start, end = span_of(phrase)
    if not places and kind in COUNTRY_EVENTS:
        named_here = [
            m.key
            for m in ctx.places(ctx.sentence.begin, ctx.sentence.stop)
            if ctx.is_a(m.key, "Country") and not ATTRIBUTIVE.match(ctx.doc.text, m.stop)
        ]
        national = [c for m in ctx.mentions if (c := ctx.country_of(m.key))  # the junta's, the army's
                    and any(ctx.is_a(m.key, k) for k in ("Junta", "NationalArmedForces"))]
        told = [ctx.last_country] if ctx.last_country and THE_COUNTRY.search(ctx.folded) else []
        at = ctx.absolute(match.start())
        demonym = [m for m in ctx.mentions  # "the 2021 Malian coup d'état", "the Burkina Faso coup"
                   if 0 <= at - m.stop <= 2 and ctx.is_a(m.key, "Country")]
        if demonym:  # its date is the one right before the country ("the September 2022 ...")
            own = [d for d in ctx.dates if 0 <= demonym[0].begin - d.stop <= 2]
            phrase = own[0] if own else phrase
            start, end = span_of(phrase)
        demonym = [m.key for m in demonym]
        places = (demonym[:1] or named_here[:1] or national[:1] or told
                  or ([ctx.main_country] if ctx.main_country else []))  # fmt: skip
    nominal = bool(
        re.search(r"(?:ion|ure|al)\s+of$|^(?:re)?capture\s+of", match.group(0))
    )
    if not keep(ctx, kind, places, start, side_a + side_b, named, nominal, match.start()):
        return []
    if kind == "LeavingGroup" and not _leaves_organisation(ctx, match):
        return []
    part_of = enclosing_event(ctx, match, exclude=named)
    dates = coordinated_dates(ctx, phrase) if phrase else [(start, end)]
    return [
        EventClaim(
            rule=RULE.format(kind.lower()),
            evidence=ctx.evidence(),
            claimant=attribution.claimant,
            polarity=attribution.polarity,
            event_type=kind,
            label=event_label(kind, ctx, place),
            side_a=side_a,
            side_b=side_b,
            place=place,
            start=start,
            end=end,
            part_of=part_of,
            event_key=named,
        )  # fmt: skip
        for place in (places or [None])
        for start, end in dates
    ]


WAR_OWNER = re.compile(r"['’]s\s+(?:[\w-]+\s+){0,4}$")  # "Mali's decade-long", "the country's second Tuareg"
ENCLOSING = re.compile(r"\b(?:part\s+of|during|amid|in\s+the\s+course\s+of)\s+(?:the\s+|an?\s+)?(?:[\w-]+\s+){0,3}$")
WAR_IN = re.compile(r"^\s+in\s+(?:the\s+)?$")


def war_frames(ctx: SentenceContext, match: re.Match[str], attribution: Attribution,
               named: str | None) -> list[EventClaim]:  # fmt: skip
    """A war, insurgency or rebellion: its country only when the phrase names it ("Mali's
    decade-long insurgency", "the country's second rebellion", "an insurgency in Niger"),
    its date only when the phrase has one ("rebellions in 2007-2009"); a lower-case
    mention with neither is talk of war, not a war told."""
    at, stop = ctx.absolute(match.start()), ctx.absolute(match.end())
    if ENCLOSING.search(ctx.folded[max(0, match.start() - 40) : match.start()]):
        return []  # "Part of the Mali War", "during the Tuareg rebellion": the frame of another
    place = None
    for mention in ctx.places(ctx.sentence.begin, at):
        if ctx.is_a(mention.key, "Country") and WAR_OWNER.match(ctx.doc.text[mention.stop : at]):
            place = mention.key
    if place is None and re.search(r"\bthe\s+country['’]s\s+(?:[\w-]+\s+){0,4}$", ctx.folded[: match.start()]):
        place = ctx.last_country or ctx.main_country
    after = [m for m in ctx.places(stop, stop + 40) if ctx.is_a(m.key, "Country")]
    if place is None and after and WAR_IN.match(ctx.doc.text[stop : after[0].begin]):
        place = after[0].key
    own = [d for d in ctx.dates if 0 <= d.begin - stop <= 25 and d.start is not None]
    start, end = span_of(own[0]) if own else (None, None)
    titled = ctx.doc.text[at].isupper()
    if not (named or place or start or titled):
        return []
    return [EventClaim(
        rule=RULE.format("war"), evidence=ctx.evidence(), claimant=attribution.claimant,
        polarity=attribution.polarity, event_type="War", label=event_label("War", ctx, place),
        side_a=(), side_b=(), place=place, start=start, end=end, part_of=None, event_key=named,
    )]  # fmt: skip


def coordinated_dates(ctx: SentenceContext, phrase: DatedPhrase) -> list[tuple[object, object]]:
    """ "in two coups in 2020 and 2021": one event per coordinated date."""
    spans = [span_of(phrase)]
    for other in ctx.dates:
        gap = ctx.doc.text[phrase.stop : other.begin] if other.begin >= phrase.stop else None
        if (
            gap is not None
            and gap.strip().lower() in ("and", ", and")
            and span_of(other) not in spans
        ):
            spans.append(span_of(other))
    return spans


def _leaves_organisation(ctx: SentenceContext, match: re.Match[str]) -> bool:
    after = [m for m in ctx.mentions if 0 <= m.begin - ctx.absolute(match.end()) <= 12]
    return (
        bool(after)
        and ctx.is_a(after[0].key, "Organisation")
        and not ctx.is_a(after[0].key, "State")
    )


def keep(ctx: SentenceContext, kind: str, places: list[str], start: object, sides: tuple[str, ...],
         named: str | None, nominal: bool = False, at: int | None = None) -> bool:  # fmt: skip
    """Is there enough to say an event happened, rather than a word used in passing?
    (A statement needs a speaker: an agent, or a person named before it in its clause.)"""
    if kind in ("Capture", "Withdrawal") and not places and start is None:
        return False  # a capture or withdrawal is of a place, at a time
    if kind in ("Capture", "Withdrawal") and not places and nominal:
        return False  # "the withdrawal of its soldiers": a noun, no place: talk about it, not it
    if named or places or start is not None:
        return True
    if kind in STRIKES:
        return bool(CASUALTY_WORDS.search(ctx.folded))
    if kind == "Statement" and at is not None and not sides:
        begin, _ = clause_bounds(ctx, at)
        return any(ctx.is_a(m.key, "Person") for m in ctx.between(begin, ctx.absolute(at)))
    return (kind in MILITARY or kind == "Statement") and bool(sides)


def span_of(phrase: DatedPhrase | None) -> tuple[object, object]:
    """An event's start and end; a vague phrase ("over the past two weeks") dates nothing."""
    if phrase is None or any(t is not None and t.approximate for t in (phrase.start, phrase.end)):
        return None, None
    start = phrase.start or phrase.end
    end = phrase.end if phrase.start and phrase.end and phrase.end != phrase.start else None
    return start, end


def event_places(
    ctx: SentenceContext, kind: str, match: re.Match[str], named: str | None
) -> list[str]:
    """The place(s) of the event of one trigger, by the rules of its type."""
    if named:
        place = named_place(ctx, named, match)
        if place:
            return [place]
    begin, stop = clause_bounds(ctx, match.start())
    trigger_end = ctx.absolute(match.end())
    after = [p for p in ctx.places(trigger_end, stop)]
    if kind in OBJECT_PLACE or kind in STRIKES or kind in DIRECT_TOO:
        direct = direct_object_place(ctx, match, after) or passive_subject_place(ctx, match, begin)
        if direct:
            return [direct]
    window = 45 if kind in PLACE_AFTER_ONLY else 200
    candidates = [p for p in after if p.begin - trigger_end <= window and _introduced(ctx, p, kind)]
    if kind not in PLACE_AFTER_ONLY:
        candidates += [
            p for p in ctx.places(begin, ctx.absolute(match.start())) if _introduced(ctx, p, kind)
        ]
    found = _finest(ctx, coordinated(ctx, candidates))
    if not found and re.search(r"\bwhere\s*$", ctx.folded[: ctx.local(begin)]):
        before = ctx.places(ctx.sentence.begin, begin)
        found = (
            [before[-1].key] if before else []
        )  # "the town of Gao, ... where soldiers were deployed"
    if not found and kind in OBJECT_PLACE:
        found = [k for k in [earlier_place(ctx, match) or ctx.paragraph_place] if k]
    elif not found and kind in MILITARY:
        found = [
            k for k in [earlier_place(ctx, match)] if k
        ]  # "tried to take the town ..., but were repelled"
    return found


def earlier_place(ctx: SentenceContext, match: re.Match[str]) -> str | None:
    """The place told earlier in the sentence ("evacuated the camp in Kidal ..., and the CSP-PSD
    seized control"): the first of an "X in Y" pair."""
    before = [p for p in ctx.places(ctx.sentence.begin, ctx.absolute(match.start()))
              if any(ctx.is_a(p.key, c) for c in ("Settlement", "Site", "Area"))]  # fmt: skip
    if not before:
        return None
    last = before[-1]
    if len(before) > 1 and re.fullmatch(
        r"\s*in\s+", ctx.folded[ctx.local(before[-2].stop) : ctx.local(last.begin)]
    ):
        return before[-2].key
    return last.key


DIRECT_GAP = re.compile(
    r"^\s*(?:(?:again|also|back)\s+)?(?:(?:the|a|an|its|their)\s+)?(?:[a-z'-]+\s+){0,3}?(?:of\s+(?:the\s+)?)?$"
)
PASSIVE_AFTER_PLACE = re.compile(
    r"^\s*(?:was|were|had\s+been|has\s+been|is)\s+(?:again\s+|also\s+)?"
    r"(?:targeted\s+by\s+(?:[a-z0-9'-]+\s+){0,4})?$"
)


def direct_object_place(
    ctx: SentenceContext, match: re.Match[str], after: list[Mention]
) -> str | None:
    """ "captured Anefis", "took control of the town of Kidal", "targeted Kidal"."""
    if not after:
        return None
    gap = ctx.folded[match.end() : ctx.local(after[0].begin)]
    if DIRECT_GAP.match(gap.replace("#", " ")) and not re.search(
        r"\b(?:in|at|near|towards?|to|into)\b", gap
    ):
        if len(after) > 1 and re.fullmatch(
            r"\s*(?:town|city|village|locality|camp|base)\s+of\s+",
            ctx.folded[ctx.local(after[0].stop) : ctx.local(after[1].begin)],
        ):
            return after[1].key  # "the northern Mali town of Tessalit"
        return after[0].key
    return None


def passive_subject_place(ctx: SentenceContext, match: re.Match[str], begin: int) -> str | None:
    """ "The MINUSMA camp was targeted by drones", "the city ... was captured by the MNLA"."""
    before = ctx.places(begin, ctx.absolute(match.start()))
    if not before:
        return None
    gap = ctx.folded[ctx.local(before[-1].stop) : match.start()]
    if PASSIVE_AFTER_PLACE.match(gap) or (re.match(r"^[^.;]{0,60}\band\s+(?:was|were)\s+$", gap)):
        return before[-1].key
    return None


def _introduced(ctx: SentenceContext, place: Mention, kind: str) -> bool:
    if ctx.is_a(place.key, "Country") and ATTRIBUTIVE.match(ctx.doc.text, place.stop):
        return False  # "air strikes on Mali rebels": the rebels' country, not the place
    before = ctx.folded[max(0, ctx.local(place.begin) - 30) : ctx.local(place.begin)]
    if re.search(r"\bwith\s+$", before):
        return False
    if kind == "Offensive" and re.search(
        r"\b(?:towards?|against|on)\s+(?:the\s+)?(?:[a-z'-]+\s+){0,2}$", before
    ):
        return True  # an offensive's place is its objective
    from_ok = kind in OBJECT_PLACE or kind == "Statement"
    of_ok = kind in PLACE_AFTER_ONLY and re.search(
        r"\b(?:governor|mayor|prefect)\s+of\s+(?:the\s+)?$", before
    )
    return bool(LOCATIVE.search(before) or (from_ok and FROM_PLACE.search(before)) or of_ok)


def coordinated(ctx: SentenceContext, places: list[Mention]) -> list[Mention]:
    """The first place and those coordinated with it ("in Bourem and Léré")."""
    if not places:
        return []
    ordered = sorted(places, key=lambda p: p.begin)
    group = [ordered[0]]
    for place in ordered[1:]:
        gap = ctx.folded[ctx.local(group[-1].stop) : ctx.local(place.begin)].strip()
        if gap in ("and", ",", ", and", "or"):
            group.append(place)
        else:
            break
    return group


def _finest(ctx: SentenceContext, places: list[Mention]) -> list[str]:
    """Drop countries and regions when a town or site of the same group is named."""
    keys = list(unique(p.key for p in places))
    fine = [k for k in keys if not ctx.is_a(k, "Country")]
    return fine or keys


def named_event_mention(ctx: SentenceContext, match: re.Match[str]) -> str | None:
    """A registry event named at the trigger ("The battle of Kidal took place ...")."""
    at = ctx.absolute(match.start())
    for mention in ctx.mentions:
        if ctx.is_a(mention.key, "Event") and mention.begin <= at < mention.stop:
            return mention.key
    return None


def named_place(ctx: SentenceContext, named: str, match: re.Match[str]) -> str | None:
    """The place in a named event's own words: "battle of Ber" -> Ber."""
    mention = next(
        m
        for m in ctx.mentions
        if m.key == named and m.begin <= ctx.absolute(match.start()) < m.stop
    )
    name = ctx.doc.text[mention.begin : mention.stop]
    found = re.search(r"\b(?:of|for)\s+(.+?)(?:\s*\(\d{4}\))?$", name)
    key = ctx.lookup(found.group(1)) if found else None
    return key if key and ctx.is_a(key, "Place") else None


def opposing_side(
    ctx: SentenceContext, match: re.Match[str], side_a: tuple[str, ...]
) -> tuple[str, ...]:
    """Agents after "against", "from", "targeting" in the clause: the other side."""
    _, stop = clause_bounds(ctx, match.start())
    rest = ctx.folded[match.end() : ctx.local(stop)]
    found = AGAINST.search(rest)
    if not found:
        return ()
    begin = ctx.absolute(match.end() + found.end())
    agents = heads_in(ctx, ctx.agents(begin, stop), ctx.doc.text)
    return tuple(k for k in as_actors(ctx, agents) if k not in side_a)[:4]


def enclosing_event(ctx: SentenceContext, match: re.Match[str], exclude: str | None) -> str | None:
    """A war, offensive or battle named after "during" / "part of": the enclosing event."""
    for found in DURING.finditer(ctx.folded):
        after = [m for m in ctx.mentions if m.begin >= ctx.absolute(found.end()) and m.key != exclude
                 and any(ctx.is_a(m.key, c) for c in ("War", "Offensive", "Battle"))]  # fmt: skip
        if after:
            return after[0].key
    return None


def event_label(kind: str, ctx: SentenceContext, place: str | None) -> str:
    """A readable label: "Capture at Kidal"."""
    name = re.sub(r"(?<!^)([A-Z])", r" \1", kind).lower().capitalize()
    if place is None:
        return name
    label = ctx.label_of(place)
    if label is None:
        mention = next((m for m in ctx.mentions if m.key == place), None)
        label = ctx.doc.text[mention.begin : mention.stop] if mention else None
    return f"{name} at {label}" if label else name


def _own_date(ctx: SentenceContext, match: re.Match[str]) -> bool:
    """A date right after the trigger's phrase ("the capture of Kidal ... in November 2023")."""
    after = ctx.absolute(match.end())
    return any(0 <= d.begin - after <= 60 and d.start is not None for d in ctx.dates)
