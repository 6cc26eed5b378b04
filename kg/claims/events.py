"""Events of the ontology's types, from trigger words and their frames.

A trigger ("captured", "drone strikes", "clashes broke out", "was installed
as governor") gives the event type; the frame gives the initiating side
(subject), the opposing side ("against X", "from X", "between X and Y"), the
place ("in", "at", "near" a place, or the trigger's object), the date or
date range, and the enclosing named event ("during the Kidal offensive").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kg.claims.attribution import Attribution
from kg.claims.context import SentenceContext, clause_bounds, unique, words
from kg.claims.frames import co_agents, frame_date, heads, is_factual, subject_agents
from kg.model import EventClaim, Mention

RULE = "event.{}.v1"

# (event type, trigger pattern). Order matters only for the label.
TRIGGERS: tuple[tuple[str, str], ...] = (
    ("DroneStrike", words("drone strike", "drone strikes", "drone attack", "drone attacks",
                          "targeted by drones", "drones targeted", "by malian bayraktar tb2 drones")),
    ("Airstrike", words("airstrike", "airstrikes", "air strike", "air strikes", "air raid",
                        "air raids", "bombing", "bombed", "targeted by malian armed forces planes")),
    ("Clash", words("clashes broke out", "clashes resumed", "fighting broke out", "clashed",
                    "clashes", "fighting resumed", "skirmishes", "exchanged fire")),
    ("Battle", words("battle of", "took place between", "the battle")),
    ("Offensive", words("launched an offensive", "offensive launched", "an offensive",
                        "offensive towards", "offensive against", "the offensive")),
    ("Ambush", words("ambushed", "ambush", "ambushes")),
    ("Capture", words("captured", "seized control of", "seized", "took control of",
                      "taken control of", "took up positions in", "took up position in",
                      "taken over", "took over", "retook", "retaken", "recaptured",
                      "the capture of", "capture of", "recapture of")),
    ("Withdrawal", words("withdrew from", "withdrawn from", "withdrawing from", "withdrawal from",
                         "pulled out of", "pullout", "retreated from", "departure from",
                         "withdrawal of")),
    ("Evacuation", words("evacuated", "evacuation of")),
    ("Deployment", words("were deployed", "was deployed", "deployed", "were stationed",
                         "stationed in", "been stationed", "were flown into")),
    ("Expulsion", words("expelled", "ordered the un peacekeepers to depart",
                        "ordered the mission to leave", "pushed out by")),
    ("Coup", words("coup", "coups", "coup d'etat", "seized power", "took power",
                   "came to power", "took power in")),
    ("AgreementSigning", words("was signed", "were signed", "signed in", "signing of",
                               "agreement was signed", "accords were signed")),
    ("Ceasefire", words("agreed to a ceasefire", "ceasefire was agreed", "enacted a ceasefire",
                        "established a ceasefire")),
    ("Founding", words("was formed", "were formed", "formed on", "was founded", "founded in",
                       "was created", "who created", "which they created", "was established")),
    ("LeavingGroup", words("left the", "quit the", "withdrew from the coalition",
                           "exits", "exited")),
    ("Appointment", words("was installed as", "installed as", "was appointed", "appointed",
                          "was named", "sworn in as")),
    ("Statement", words("in a statement", "said in a statement", "press release",
                        "declared war", "in a message")),
    ("AircraftCrash", words("crashed", "crash", "shot down")),
)
COMPILED = tuple((kind, re.compile(pattern)) for kind, pattern in TRIGGERS)
PLACE_PREPOSITION = re.compile(r"\b(?:in|at|near|around|on|of|into|towards?|from|outside)\s+$")
AGAINST = re.compile(r"\b(?:against|on|targeting|between|from|repulsed|repelled)\b")
DURING = re.compile(r"\b(?:during|part\s+of|in\s+the\s+context\s+of|as\s+part\s+of)\b")
MILITARY = ("Capture", "Withdrawal", "Clash", "Battle", "Offensive", "Ambush", "DroneStrike",
            "Airstrike", "Deployment")  # fmt: skip


def event_claims(
    ctx: SentenceContext, attributions: list[Attribution], named_event: Callable[[str], bool]
) -> list[EventClaim]:
    """One claim per event trigger of the sentence (and attribution)."""
    claims: list[EventClaim] = []
    taken: list[tuple[int, int]] = []
    seen: set[tuple[str, str | None]] = set()
    for kind, pattern in COMPILED:
        for match in pattern.finditer(ctx.folded):
            if any(b <= match.start() < e for b, e in taken) or not is_factual(ctx, match.start()):
                continue
            claim = event_frame(ctx, kind, match, attributions[0], named_event)
            if claim is None or (kind, claim.place) in seen:
                continue
            taken.append((match.start(), match.end()))
            seen.add((kind, claim.place))
            claims.extend(
                EventClaim(**{**claim.__dict__, "claimant": a.claimant, "polarity": a.polarity})
                for a in attributions
            )
    return claims


def event_frame(
    ctx: SentenceContext,
    kind: str,
    match: re.Match[str],
    attribution: Attribution,
    named_event: Callable[[str], bool],
) -> EventClaim | None:
    """The event of one trigger, or None when the frame has neither place nor date nor actor."""
    place = event_place(ctx, match)
    side_a = tuple(subject_agents(ctx, match.start()))
    if kind == "Capture":
        side_a += tuple(k for k in co_agents(ctx) if k not in side_a)
    side_b = opposing_side(ctx, match, side_a)
    phrase = frame_date(ctx, match.start())
    start = phrase.start if phrase else None
    end = phrase.end if phrase and phrase.end != phrase.start else None
    if start is None and phrase is not None:
        start = phrase.end
    named = named_event_mention(ctx, match, named_event)
    if place is None and start is None and not side_a and named is None:
        return None
    if kind in MILITARY and place is None and not (side_a or side_b):
        return None
    part_of = enclosing_event(ctx, match, named_event, exclude=named)
    place_key = place.key if place else None
    label = event_label(kind, ctx, place)
    return EventClaim(
        rule=RULE.format(kind.lower()), evidence=ctx.evidence(), claimant=attribution.claimant,
        polarity=attribution.polarity, event_type=kind, label=label, side_a=side_a,
        side_b=side_b, place=place_key, start=start, end=end, part_of=part_of, event_key=named,
    )  # fmt: skip


def event_place(ctx: SentenceContext, match: re.Match[str]) -> Mention | None:
    """The place of the event: after a locative preposition near the trigger, in its clause."""
    begin, stop = clause_bounds(ctx, match.start())
    places = ctx.places(begin, stop)
    if not places:
        return None
    trigger_at = ctx.absolute(match.start())
    located = [p for p in places
               if PLACE_PREPOSITION.search(ctx.folded[max(0, ctx.local(p.begin) - 12) : ctx.local(p.begin)])]  # fmt: skip # noqa: E501
    pool = located or places
    return min(pool, key=lambda p: abs(p.begin - trigger_at))


def opposing_side(ctx: SentenceContext, match: re.Match[str], side_a: tuple[str, ...]) -> tuple[str, ...]:
    """Agents after "against", "from", "targeting" in the clause: the other side."""
    _, stop = clause_bounds(ctx, match.start())
    rest = ctx.folded[match.end() : ctx.local(stop)]
    found = AGAINST.search(rest)
    if not found:
        return ()
    begin = ctx.absolute(match.end() + found.end())
    agents = heads(ctx.agents(begin, stop), ctx.doc.text)
    return tuple(k for k in unique(m.key for m in agents) if k not in side_a)[:4]


def named_event_mention(ctx: SentenceContext, match: re.Match[str], named_event: Callable[[str], bool]) -> str | None:
    """A registry event named at the trigger ("The battle of Kidal took place ...")."""
    at = ctx.absolute(match.start())
    for mention in ctx.mentions:
        if named_event(mention.key) and mention.begin <= at < mention.stop + 3:
            return mention.key
    return None


def enclosing_event(
    ctx: SentenceContext, match: re.Match[str], named_event: Callable[[str], bool], exclude: str | None
) -> str | None:
    """A named event after "during" / "part of" in the sentence: the enclosing one."""
    for found in DURING.finditer(ctx.folded):
        after = [m for m in ctx.mentions if m.begin >= ctx.absolute(found.end())
                 and named_event(m.key) and m.key != exclude]  # fmt: skip
        if after:
            return after[0].key
    return None


def event_label(kind: str, ctx: SentenceContext, place: Mention | None) -> str:
    """A readable label: "Capture at Kidal"."""
    words_ = re.sub(r"(?<!^)([A-Z])", r" \1", kind).lower().capitalize()
    return f"{words_} at {ctx.doc.text[place.begin:place.stop]}" if place else words_
