"""Territorial control: captures (gain), withdrawals (loss) and states of control.

Active ("the army captured Kidal"), passive ("Kidal was seized by the MNLA"),
"took control of", "took up positions in", "withdrew from", "were driven
out", "held since 2014", "under rebel control since 2014", "the stronghold of X".
Every claim needs a controller and a place; one without a date holds as of
its article's publication date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg.claims.attribution import Attribution, applicable
from kg.claims.context import SentenceContext, clause_bounds, words
from kg.claims.frames import (
    by_agents,
    co_agents,
    frame_date,
    heads_in,
    is_factual,
    object_place,
    place_before,
    point,
    told_town,
    subject_agents,
)
from kg.extract.wordlists import grouped
from kg.model import ControlChange, ControlClaim, DatedPhrase, Mention, TimeSpan
from kg.text import fold

RULE = "control.{}.v1"
NOT_CONTROLLERS = ("Person", "NewsOutlet")  # groups, forces and states hold territory
# The control verbs by frame, as data (kg/extract/wordlists/control_verbs.tsv).
_VERBS = dict(grouped("control_verbs"))

GAIN_ACTIVE = words(*_VERBS["gain_active"])
LOSS_ACTIVE = words(*_VERBS["loss_active"])
LOSS_PASSIVE = words(*_VERBS["loss_passive"])
STATE_ACTIVE = words(*_VERBS["state_active"])
ALLOWED_TO = re.compile(
    r"\b(?:allowing|allowed|letting|let|enabling)\s+(?:the\s+)?(?:[\w-]+\s+){1,6}to\s+(?:control|hold|run)\b"
)
STRONGHOLD = re.compile(r"\b(?:stronghold|bastion|fief|heartland)\s+of\s+(?:the\s+)?")
UNDER_CONTROL = re.compile(  # "under rebel control", "under the control of X", "in Islamist hands"
    r"\b(?:under|in)\s+(?:the\s+)?(?:(?:de\s+facto\s+|full\s+|total\s+)?(?:control|hands)\s+of\s+|"
    r"([a-z-]+(?:\s+[a-z-]+)?)\s+(?:control|hands)\b)"
)
# "X handed over the base of Ménaka to Y", "the handover of Gossi to the Malian army"
HANDOVER = re.compile(r"\b(?:hand(?:ed|s|ing)?\s+over|handover\s+of|handing-over\s+of|retroceded|retrocession\s+of)\b")
# "X drove out Y", "X expelled Y from P", "X dislodged Y from P": Y loses P
EXPELLED = re.compile(
    r"\b(?:drove|drives|drive|driving|chased|chasing|pushed|pushing|expelled|expelling|dislodged|"
    r"dislodging|ousted|ousting|routed)\b"
)
HELD_BY = re.compile(r"\b([a-z]+)-(?:held|controlled|occupied)\s+")  # "the rebel-held town of Anefis", "MNLA-held Kidal"
FELL = re.compile(r"\b(?:had\s+)?(?:fallen|fell)\s+(?:to|into\s+the\s+hands\s+of)\s+")
PASSED_UNDER = re.compile(r"\b(?:passed|fell|came|come|returned|went)\b[^,.;]{0,20}$")
NOMINAL_GAIN = re.compile(r"\b(?:seizure|capture|takeover|conquest|fall)\s+of\s+")
GAIN_PASSIVE = re.compile(
    r"\b(?:was|were|is|are|been|being)\s+(?:(?:de\s+facto|[a-z]+ly|also|again|now|then|later|soon)\s+)*"
    r"(captured|seized|taken|retaken|recaptured|occupied|held|controlled|overrun)\b"
)
# Adjectives of "under X control": what they name.
CONTROL_ADJECTIVES = {
    "rebel": "tuareg-rebels", "separatist": "tuareg-rebels", "tuareg": "tuareg-rebels",
    "jihadist": "jihadists", "islamist": "jihadists", "malian": "mali", "government": "mali",
    "malian government": "mali", "army": "fama", "military": "fama",
}  # fmt: skip


ANY_FRAME = re.compile("|".join(
    p if isinstance(p, str) else p.pattern
    for p in (GAIN_ACTIVE, LOSS_ACTIVE, LOSS_PASSIVE, STATE_ACTIVE, UNDER_CONTROL, NOMINAL_GAIN, GAIN_PASSIVE,
              ALLOWED_TO, STRONGHOLD, FELL, HANDOVER, EXPELLED, HELD_BY)
))  # fmt: skip


@dataclass(frozen=True)
class Frame:
    change: ControlChange
    controllers: tuple[str, ...]
    territory: str
    date: DatedPhrase | None
    local_at: int
    gerund: bool = False  # "..., seizing Gao": its subject is the main clause's (read by the parse)


def control_claims(ctx: SentenceContext, attributions: list[Attribution]) -> list[ControlClaim]:
    """Every control claim of the sentence, one per controller and attribution."""
    claims: list[ControlClaim] = []
    seen: set[tuple[str, str, str]] = set()
    for frame in frames(ctx):
        start, end = bounds(frame)
        for controller in frame.controllers:
            if (controller, frame.territory, frame.change) in seen or controller == frame.territory:
                continue
            if any(ctx.is_a(controller, cls) for cls in NOT_CONTROLLERS):
                continue  # "FRANCE 24 correspondent X said soldiers took ...": the teller
            seen.add((controller, frame.territory, frame.change))
            for attribution in applicable(attributions, frame.local_at):
                claims.append(ControlClaim(
                    rule=RULE.format(frame.change + (".gerund" if frame.gerund else "")),
                    evidence=ctx.evidence(),
                    claimant=attribution.claimant, polarity=attribution.polarity,
                    controller=controller, territory=frame.territory, change=frame.change,
                    start=start, end=end,
                ))  # fmt: skip
    return claims


def bounds(frame: Frame) -> tuple[TimeSpan | None, TimeSpan | None]:
    """Start and end of what a frame asserts."""
    phrase = frame.date
    if phrase is None:
        return None, None
    if frame.change == "gain":
        return (phrase.end if phrase.start and phrase.end and phrase.start != phrase.end
                else point(phrase)), None  # fmt: skip
    if frame.change == "loss":
        return None, phrase.end or phrase.start
    # A state: "since 2014" is a start; "in 2015" an observation over that span (start == end);
    # "by 28 June" too: held as of that day (unlike "until May", which ends it).
    if phrase.start is None and phrase.end is not None and fold(phrase.text).startswith("by "):
        return phrase.end, phrase.end
    return phrase.start, phrase.end


def frames(ctx: SentenceContext) -> Iterator[Frame]:
    """Control frames: active gains and losses, passives, nominals, states."""
    if not ANY_FRAME.search(ctx.folded):
        return
    for pattern, change in ((GAIN_ACTIVE, "gain"), (LOSS_ACTIVE, "loss")):
        for match in re.finditer(pattern, ctx.folded):
            frame = active_frame(ctx, match, change)  # type: ignore[arg-type]
            if frame:
                yield frame
                if change == "gain":
                    yield from taken_from(ctx, match, frame)
                yield from listed(ctx, match, frame)
    finders = (
        (LOSS_PASSIVE, passive_loss_frame), (GAIN_PASSIVE, passive_frame),
        (NOMINAL_GAIN, nominal_frame), (UNDER_CONTROL, under_control_frame),
        (STATE_ACTIVE, state_frame), (ALLOWED_TO, allowed_frame), (STRONGHOLD, stronghold_frame),
        (FELL, fell_frame), (HELD_BY, held_by_frame),
    )  # fmt: skip
    for pattern, finder in finders:
        for match in re.finditer(pattern, ctx.folded):
            frame = finder(ctx, match)
            if frame:
                yield frame
    for match in HANDOVER.finditer(ctx.folded):
        yield from handover_frames(ctx, match)
    for match in EXPELLED.finditer(ctx.folded):
        frame = expelled_frame(ctx, match)
        if frame:
            yield frame


def handover_frames(ctx: SentenceContext, match: re.Match[str]) -> Iterator[Frame]:
    """ "The French handed over the Ménaka base to the Malian army": the giver loses the
    place, the receiver (after "to") gains it, on the same date."""
    if not is_factual(ctx, match.start()):
        return
    _, clause_end = clause_bounds(ctx, match.start())
    rest = ctx.folded[match.end() : ctx.local(clause_end)]
    to = re.search(r"\bto\s+", rest)
    if not to:
        return
    to_at = ctx.absolute(match.end() + to.end())
    receivers = heads_in(ctx, ctx.agents(to_at, min(clause_end, to_at + 50)), ctx.doc.text)
    receivers = [m for m in receivers if m.begin - to_at <= 12]
    place = object_place(ctx, match.end(), window=140)
    if place is not None and receivers and place.begin > receivers[0].begin:
        place = object_place(ctx, ctx.local(receivers[0].stop), window=80)
    if place is None or not receivers or not _settlement_like(ctx, place.key):
        return
    date = frame_date(ctx, match.start())
    givers = [] if match.group(0).startswith(("handover", "handing-over", "retrocession")) else (
        subject_agents(ctx, match.start()))
    for giver in givers:
        if giver != receivers[0].key:
            yield Frame("loss", (giver,), place.key, date, match.start())
    yield Frame("gain", (receivers[0].key,), place.key, date, match.start())


def expelled_frame(ctx: SentenceContext, match: re.Match[str]) -> Frame | None:
    """ "French jets drove out Islamist rebels", "expelled the jihadists from Konna": the
    expelled lose the place named after "of" / "from", else the town the sentence names."""
    if not is_factual(ctx, match.start()) or _is_passive(ctx, match.start()):
        return None
    rest = ctx.folded[match.end() : match.end() + 80]
    if match.group(0).startswith(("drov", "driv", "chas", "push")) and not re.match(
        r"(?:\s+out\b|\s+(?:[\w'-]+\s+){1,5}out\b)", rest
    ):
        return None  # "drove to Gao", "pushed for talks"
    begin = ctx.absolute(match.end())
    losers = heads_in(ctx, ctx.agents(begin, begin + 50), ctx.doc.text)
    if not losers or ctx.is_a(losers[0].key, "State") or losers[0].begin - begin > 30:
        return None
    found = re.search(r"\b(?:out\s+of|from|of)\s+", ctx.folded[ctx.local(losers[0].stop) :][:50])
    place = (object_place(ctx, ctx.local(losers[0].stop) + found.end(), window=40) if found
             else None) or _told_place(ctx, match.start())  # fmt: skip
    if place is None or not _settlement_like(ctx, place.key):
        return None
    return Frame("loss", (losers[0].key,), place.key, frame_date(ctx, match.start()), match.start())


def taken_from(ctx: SentenceContext, match: re.Match[str], gain: Frame) -> Iterator[Frame]:
    """ "X took Kidal from the separatists": the separatists lose it on the same date."""
    rest = ctx.folded[match.end() : match.end() + 90]
    found = re.search(r"\bfrom\s+", rest)
    if not found or re.search(r"[,;.]", rest[: found.start()]):
        return
    begin = ctx.absolute(match.end() + found.end())
    losers = [m for m in heads_in(ctx, ctx.agents(begin, begin + 50), ctx.doc.text)[:1]
              if m.key not in gain.controllers]  # fmt: skip
    for loser in losers:
        yield Frame("loss", (loser.key,), gain.territory, gain.date, match.start())




def held_by_frame(ctx: SentenceContext, match: re.Match[str]) -> Frame | None:
    """ "the rebel-held town of Anefis", "MNLA-held Kidal": a state, as of the sentence."""
    word = match.group(1)
    named = [m for m in ctx.agents(ctx.sentence.begin, ctx.absolute(match.start(1) + len(word)))
             if m.stop == ctx.absolute(match.start(1) + len(word))]  # fmt: skip
    controller = named[0].key if named else CONTROL_ADJECTIVES.get(word)
    place = object_place(ctx, match.end(), window=40)
    if controller is None or place is None or not _settlement_like(ctx, place.key):
        return None
    gap = ctx.folded[match.end() : ctx.local(place.begin)]
    if not re.fullmatch(r"(?:[a-z]+\s+){0,3}?(?:of\s+(?:the\s+)?)?", gap):
        return None
    return Frame("state", (controller,), place.key, frame_date(ctx, match.start()), match.start())


LISTING = re.compile(r"^\s*,?\s*(?:including|notably|such\s+as|among\s+them|especially|namely)\s+")


def listed(ctx: SentenceContext, match: re.Match[str], frame: Frame) -> Iterator[Frame]:
    """ "captured most of Kidal Region, including Kidal, Tessalit and Anefis from the CSP":
    each listed town the same way (and "from X" after the list loses them)."""
    place = object_place(ctx, match.end(), window=60)
    if place is None or place.key != frame.territory:
        return
    found = LISTING.match(ctx.folded[ctx.local(place.stop) :])
    if not found:
        return
    at = place.stop + found.end()
    towns: list[Mention] = []
    for mention in ctx.places(at, ctx.sentence.stop):
        gap = ctx.folded[ctx.local(towns[-1].stop if towns else at) : ctx.local(mention.begin)]
        if not re.fullmatch(r"\s*(?:,|and|,\s*and|or)?\s*", gap):
            break
        towns.append(mention)
    losers: list[str] = []
    if towns and frame.change == "gain":
        rest = re.match(r"^\s+from\s+(?:the\s+)?", ctx.folded[ctx.local(towns[-1].stop) :])
        if rest:
            begin = towns[-1].stop + rest.end()
            losers = [m.key for m in heads_in(ctx, ctx.agents(begin, begin + 40), ctx.doc.text)[:1]]
    for town in towns:
        if _settlement_like(ctx, town.key):
            yield Frame(frame.change, frame.controllers, town.key, frame.date, frame.local_at)
            for loser in losers:
                if loser not in frame.controllers:
                    yield Frame("loss", (loser,), town.key, frame.date, frame.local_at)


def nominal_frame(ctx: SentenceContext, match: re.Match[str]) -> Frame | None:
    """ "The first seizure of the city was in March 2012 by Ansar Dine and AQIM"."""
    place = object_place(ctx, match.end(), window=40)
    controllers = by_agents(ctx, match.end(), window=120)
    if place is None or not controllers or not _settlement_like(ctx, place.key):
        return None
    return Frame(
        "gain", tuple(controllers), place.key, frame_date(ctx, match.start()), match.start()
    )


def fell_frame(ctx: SentenceContext, match: re.Match[str]) -> Frame | None:
    """ "Gao fell to the rebels on 31 March": the place's new holders follow "to"."""
    place = place_before(ctx, match.start())
    agents = heads_in(
        ctx, ctx.agents(ctx.absolute(match.end()), ctx.absolute(match.end() + 60)), ctx.doc.text
    )
    if place is None or not agents or not _settlement_like(ctx, place.key):
        return None
    return Frame("gain", (agents[0].key,), place.key, frame_date(ctx, match.start()), match.start())


def allowed_frame(ctx: SentenceContext, match: re.Match[str]) -> Frame | None:
    """ "... allowing the CMA to control Kidal": a state granted by an agreement."""
    agents = ctx.agents(ctx.absolute(match.start()), ctx.absolute(match.end()))
    place = object_place(ctx, match.end(), window=40)
    if not agents or place is None or not _settlement_like(ctx, place.key):
        return None
    return Frame(
        "state", (agents[0].key,), place.key, frame_date(ctx, match.start()), match.start()
    )


def stronghold_frame(ctx: SentenceContext, match: re.Match[str]) -> Frame | None:
    """ "Kidal, (the) stronghold of the Tuareg rebels": held by them, as of the article."""
    agents = heads_in(
        ctx, ctx.agents(ctx.absolute(match.end()), ctx.absolute(match.end() + 60)), ctx.doc.text
    )
    place = place_before(ctx, match.start())
    gap = ctx.folded[ctx.local(place.stop) : match.start()] if place else ""
    if not agents or place is None or len(gap) > 40 or not _settlement_like(ctx, place.key):
        return None
    return Frame("state", (agents[0].key,), place.key, None, match.start())


def active_frame(ctx: SentenceContext, match: re.Match[str], change: ControlChange) -> Frame | None:
    """ "X captured Y", "X withdrew from Y" (with allies "alongside Z")."""
    if not is_factual(ctx, match.start()) or _is_passive(ctx, match.start()):
        return None
    place = object_place(ctx, match.end(), window=60)
    gap = ctx.folded[match.end() : ctx.local(place.begin)] if place else ""
    entering = match.group(0) in ("entered", "enters", "penetrated", "stormed")
    if (
        place is not None
        and re.search(r"\b(?:towards?|to|north|south|east|west)\b", gap)
        and change == "loss"
    ):
        place = _told_place(
            ctx, match.start()
        )  # "withdrew with his men towards Niger": left the town told
    elif (
        place is not None
        and re.search(r"\b(?:in|at|near|towards?|to|into|north|south|east|west)\b", gap)
        and not (entering and re.fullmatch(r"[^,;]*\b(?:in|into)\s+(?:[a-z'-]+\s+){0,6}", gap))
    ):
        place = None  # "captured a stronghold in the north", "fled towards Abeibara"
    if place is None and match.group(0) != "left" and INTRANSITIVE.match(ctx.folded[match.end() :]):
        place = _told_place(
            ctx, match.start()
        )  # "the fighters withdrew.", "seized control not long after"
    if place is None or not _settlement_like(ctx, place.key):
        return None
    controllers = subject_agents(ctx, match.start())
    if not controllers:
        return None
    if change == "gain":
        controllers += [k for k in co_agents(ctx) if k not in controllers]
    gerund = match.group(0).split()[0].endswith("ing")
    return Frame(
        change, tuple(controllers), place.key, frame_date(ctx, match.start()), match.start(),
        gerund,
    )


def passive_frame(ctx: SentenceContext, match: re.Match[str]) -> Frame | None:
    """ "Kidal was captured by the MNLA", "was held by separatist Tuareg rebels"."""
    if not is_factual(ctx, match.start()):
        return None
    place = place_before(ctx, match.start()) or _relative_antecedent(ctx, match.start())
    controllers = by_agents(ctx, match.end())
    if place is None or not controllers or not _settlement_like(ctx, place.key):
        return None
    date = frame_date(ctx, match.start())
    since = date is not None and fold(date.text).startswith("since")
    change: ControlChange = (
        "state" if match.group(1) in {"held", "controlled"} or (match.group(1) == "occupied" and since)
        else "gain"
    )
    return Frame(
        change, tuple(controllers), place.key, frame_date(ctx, match.start()), match.start()
    )


def passive_loss_frame(ctx: SentenceContext, match: re.Match[str]) -> Frame | None:
    """ "Malian forces were driven out (of Kidal)": the subject loses the place."""
    if not is_factual(ctx, match.start()):
        return None
    losers = subject_agents(ctx, match.start())
    place = object_place(ctx, match.end(), window=40) or _sentence_place(ctx)
    if not losers or place is None:
        return None
    return Frame("loss", tuple(losers), place.key, frame_date(ctx, match.start()), match.start())


def under_control_frame(ctx: SentenceContext, match: re.Match[str]) -> Frame | None:
    """ "Kidal had been under rebel control since 2014", "under the control of X"."""
    change: ControlChange = (
        "gain"
        if PASSED_UNDER.search(ctx.folded[max(0, match.start() - 30) : match.start()])
        else "state"
    )
    if match.group(1):
        words = match.group(1).split()
        key = (CONTROL_ADJECTIVES.get(match.group(1)) or CONTROL_ADJECTIVES.get(words[-1])
               or CONTROL_ADJECTIVES.get(words[0]))  # fmt: skip
        controllers = [key] if key else []
        if not key:  # "under Islamic State control": a name, not an adjective
            named = ctx.agents(ctx.absolute(match.start(1)), ctx.absolute(match.end(1)))
            controllers = [named[0].key] if named else []
    else:
        stop = ctx.absolute(min(len(ctx.folded), match.end() + 60))
        agents = ctx.agents(ctx.absolute(match.end()), stop)
        controllers = [agents[0].key] if agents else []
    place = place_before(ctx, match.start())
    if not controllers or place is None or not _settlement_like(ctx, place.key):
        return None
    return Frame(
        change, tuple(controllers), place.key, frame_date(ctx, match.start()), match.start()
    )


def state_frame(ctx: SentenceContext, match: re.Match[str]) -> Frame | None:
    """ "separatists who had held the city for a decade": a state with a duration."""
    in_control = match.group(0).startswith("in ")  # "X is (already) in full control of Y"
    if (_is_passive(ctx, match.start()) and not in_control) or not is_factual(ctx, match.start()):
        return None
    if re.search(r"\b(?:took|seized|taken|gained|regained|lost)\s+$", ctx.folded[: match.start()]):
        return None
    date = frame_date(ctx, match.start())
    place = object_place(ctx, match.end(), window=50)
    controllers = subject_agents(ctx, match.start())
    if place is None or not controllers or not _settlement_like(ctx, place.key):
        return None
    if date is None or date.start is None:
        return Frame("state", tuple(controllers), place.key, date, match.start())
    end = _other_point(ctx, date)
    frame_phrase = DatedPhrase(date.begin, date.stop, date.text, date.start, end)
    return Frame("state", tuple(controllers), place.key, frame_phrase, match.start())


def _other_point(ctx: SentenceContext, duration: DatedPhrase) -> TimeSpan | None:
    """For "had held X for a decade" on a dated occasion: that occasion ends the state."""
    if not re.search(r"\bhad\s+(?:been\s+)?(?:held|controlled|ruled)\b", ctx.folded):
        return duration.end
    others = [d for d in ctx.dates if d is not duration and d.start and d.start == d.end]
    return others[0].start if others else duration.end


INTRANSITIVE = re.compile(
    r"\s*(?:[.,;]|$|\b(?:not\s+long|soon|shortly|quickly|north|south|east|west|towards?|"
    r"after|before|when|on|in\s+(?:january|february|march|april|may|june|july|august|"
    r"september|october|november|december|\d)))"
)


def _told_place(ctx: SentenceContext, local_at: int) -> Mention | None:
    """The town or site told earlier in the sentence, else in the paragraph."""
    before = [
        m
        for m in ctx.places(ctx.sentence.begin, ctx.absolute(local_at))
        if _settlement_like(ctx, m.key)
    ]
    if len(before) > 1 and re.fullmatch(
        r"\s*in\s+", ctx.folded[ctx.local(before[-2].stop) : ctx.local(before[-1].begin)]
    ):
        return before[-2]  # "the camp in Kidal": the camp
    if before:
        return before[-1]
    if ctx.paragraph_place:
        return Mention(ctx.sentence.begin, ctx.sentence.begin, "", ctx.paragraph_place, "paragraph")
    return None


def _relative_antecedent(ctx: SentenceContext, local_at: int) -> Mention | None:
    """ "Gao, another town ... that had been occupied by X", "the city, which was captured":
    the place the relative clause hangs from (the last one before "that" / "which")."""
    begin, _ = clause_bounds(ctx, local_at)
    if not re.search(r"\b(?:that|which)\s*$", ctx.folded[: ctx.local(begin)]):
        return None
    before = [m for m in ctx.places(ctx.sentence.begin, begin) if _settlement_like(ctx, m.key)]
    towns = [m for m in before if ctx.is_a(m.key, "Settlement")]  # "Gao, a town in Mali's north that"
    if towns or before:
        return (towns or before)[-1]
    lead = ctx.folded[: ctx.local(begin)]
    if re.search(r"\bthe\s+(?:town|city|village)\s*,?\s*(?:that|which)\s*$", lead):
        return told_town(ctx, ctx.local(begin))
    return None


def _is_passive(ctx: SentenceContext, local_at: int) -> bool:
    return bool(re.search(r"\b(?:was|were|is|are|been|being|be)\s+(?:\w+\s+)?$",
                          ctx.folded[max(0, local_at - 25) : local_at]))  # fmt: skip


def _settlement_like(ctx: SentenceContext, key: str) -> bool:
    """Control is over towns, sites, areas and regions, not whole countries."""
    return any(ctx.is_a(key, cls) for cls in ("Settlement", "Site", "Area", "Region"))


def _sentence_place(ctx: SentenceContext) -> Mention | None:
    places = [m for m in ctx.places(ctx.sentence.begin, ctx.sentence.stop)
              if _settlement_like(ctx, m.key)]  # fmt: skip
    return places[0] if len(places) == 1 else None
