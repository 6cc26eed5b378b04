"""Shared pieces of the claim rules: verb frames, subjects, objects and dates.

A *frame* is a trigger match in a sentence; the helpers here find its
subject (the agents before it in its clause, or after "by" in the passive),
its object (the first place after it), its co-agents ("alongside X", "with
the support of X"), and the date phrase that dates it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from kg.claims.context import SIMULTANEOUS, SUBORDINATE, SentenceContext, clause_bounds, unique
from kg.model import DatedPhrase, Mention, TimeSpan

# Words that make a verb not a plain statement of fact: intent, attempt, negation.
NOT_FACTUAL = re.compile(
    r"\b(?:attempt(?:ed|s)?|tr(?:y|ied|ying)|fail(?:ed|s)?|aim(?:ed|s)?|intent(?:ion)?|"
    r"plan(?:ned|s)?|determination|objective|would|will|could|can|not|never|barely|"
    r"unable|order(?:ed)?|want(?:ed|s)?|sought|seek(?:s|ing)?|threaten(?:ed|s)?|to|"
    r"expect(?:ed|ing|s)?|fear(?:ed|ing|s)?|risk(?:ed|ing|s)?)\b"
    r"[^,;.]{0,25}$"
)
PRONOUN_BEFORE = re.compile(r"\b(?:it|they|he|she|we)\s+(?:had\s+|have\s+|has\s+)?$")
RELATIVE_BEFORE = re.compile(r"\b(?:who|which|that)\s+(?:had\s+|have\s+|has\s+)?$")
_CO_AGENT = re.compile(
    r"\b(?:alongside|with\s+the\s+(?:support|help|backing)\s+of|backed\s+by|supported\s+by|"
    r"together\s+with|and\s+(?:allied|their)|with\s+(?:significant\s+)?support\s+from)\b"
)


def is_factual(ctx: SentenceContext, local_at: int) -> bool:
    """False when intent, attempt or negation words stand right before the trigger
    ("attempted to capture"), true for achievement ("managed to seize")."""
    before = ctx.folded[max(0, local_at - 40) : local_at]
    if ACHIEVED.search(before):
        return True
    return not NOT_FACTUAL.search(before)


ACHIEVED = re.compile(r"\b(?:managed|succeeded|went\s+on)\s+(?:to|in)\s+$")


def heads(
    mentions: list[Mention], text: str, is_a: Callable[[str, str], bool] | None = None
) -> list[Mention]:
    """Drop a mention that only modifies the next one ("United Nations peacekeepers");
    but a generic head keeps its specific modifier ("AQIM jihadists" is AQIM)."""
    kept: list[Mention] = []
    for i, mention in enumerate(mentions):
        if re.match(r"-[a-z]", text[mention.stop : mention.stop + 2]):
            continue  # "the US-trained Bancroft", "French-led forces": a modifier, not an actor
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        if nxt and not text[mention.stop : nxt.begin].strip(" '’s"):
            if is_a is None or not is_a(nxt.key, "CollectiveActor"):
                continue
        if (
            kept
            and is_a is not None
            and is_a(mention.key, "CollectiveActor")
            and not text[kept[-1].stop : mention.begin].strip(" '’s")
        ):
            continue
        kept.append(mention)
    return kept


def subject_agents(ctx: SentenceContext, local_at: int) -> list[str]:
    """Agents that are the subject of the trigger at local offset ``local_at``.

    The agents of the trigger's clause before it; through a pronoun ("it had
    withdrawn") or relative ("separatists who had held") to the nearest
    agents before it in the sentence.
    """
    begin, _ = clause_bounds(ctx, local_at)
    trigger_at = ctx.absolute(local_at)
    before = ctx.folded[:local_at]
    if RELATIVE_BEFORE.search(before):
        earlier = heads_in(ctx, ctx.agents(ctx.sentence.begin, trigger_at), ctx.doc.text)
        return _last_group(earlier, ctx) if earlier else []
    found = heads_in(ctx, ctx.agents(begin, trigger_at), ctx.doc.text)
    found = [m for m in found if not _after_preposition(ctx, m)]
    joined = list(re.finditer(r",\s+and\s+", ctx.folded[ctx.local(begin) : local_at]))
    if joined:  # "X evacuated the camp by 31 October, and the CSP seized control": the CSP
        second = ctx.absolute(ctx.local(begin) + joined[-1].end())
        first = [m for m in found if m.begin < second]
        tail = ctx.folded[ctx.local(first[-1].stop) : ctx.local(second)] if first else ""
        if len(re.findall(r"[a-z]{2,}", tail)) >= 3:  # a clause before, not a list of names
            found = [m for m in found if m.begin >= second] or found
    if found:
        return as_actors(ctx, found)
    if PRONOUN_BEFORE.search(before):
        earlier = heads_in(ctx, ctx.agents(ctx.sentence.begin, trigger_at), ctx.doc.text)
        earlier = [m for m in earlier if not _after_preposition(ctx, m)]
        if earlier:
            return [earlier[-1].key]
        if ctx.local(begin) == 0 or not ctx.folded[: ctx.local(begin)].strip():
            return list(ctx.previous_subjects)
    gerund = re.match(r"\s*by\s+[a-z]+ing\b[^,]*,\s*", ctx.folded)
    if gerund and local_at < gerund.end():
        after = heads_in(
            ctx,
            ctx.agents(ctx.absolute(gerund.end()), ctx.absolute(gerund.end() + 40)),
            ctx.doc.text,
        )
        return [after[0].key] if after else []
    return []


def heads_in(ctx: SentenceContext, mentions: list[Mention], text: str) -> list[Mention]:
    """:func:`heads` with the sentence's type test."""
    return heads(mentions, text, ctx.is_a)


def as_actors(ctx: SentenceContext, mentions: list[Mention]) -> list[str]:
    """Subject mentions as actors: "Malian and Wagner forces" -> the Malian armed forces and
    Wagner; a bare nationality beside a named actor ("Russian soldiers from Wagner") is dropped."""
    keys: list[str] = []
    for mention in mentions:
        if ctx.is_demonym(mention):
            forces = ctx.forces_of(mention.key)
            if forces and _FORCES_AFTER.match(ctx.folded[ctx.local(mention.stop) :]):
                keys.append(forces)
                continue
            if len(mentions) > 1:
                continue
        keys.append(mention.key)
    return list(unique(keys))


_FORCES_AFTER = re.compile(
    r"(?:\s+and\s+[\w'-]+(?:\s+[\w'-]+)?)?\s+(?:armed\s+)?(?:forces|troops|soldiers|army|military)\b"
)


def _last_group(mentions: list[Mention], ctx: SentenceContext) -> list[str]:
    """The last run of agents joined by 'and' / commas."""
    group = [mentions[-1]]
    for prev in reversed(mentions[:-1]):
        gap = ctx.doc.text[prev.stop : group[0].begin].strip().lower()
        if gap in {"and", ",", ", and", "&"} or gap == "":
            group.insert(0, prev)
        else:
            break
    return list(unique(m.key for m in group))


_PREPOSITIONS = re.compile(
    r"\b(?:from|against|of|by|for|to|with|on|over|alongside|backed\s+by|between|"
    r"in|at|near|around|toward|towards|into)\s+(?:the\s+)?(?:[\w'-]+\s+){0,2}$"
)


_PEOPLE_FROM = re.compile(  # "combatants of the Islamist movement Ansar Dine" are Ansar Dine
    r"\b(?:soldiers|troops|fighters|mercenaries|members|elements|forces|rebels|men|combatants|"
    r"militants|units?|commandos)\s+(?:from|of)\s+(?:the\s+)?(?:[a-z'-]+\s+){0,2}$"
)


def _after_preposition(ctx: SentenceContext, mention: Mention) -> bool:
    """True for an agent inside a prepositional phrase ("backed by Russian troops"), but not
    for the group people belong to ("soldiers from the Wagner Group" are Wagner)."""
    local = ctx.local(mention.begin)
    before = ctx.folded[max(0, local - 30) : local]
    found = _PREPOSITIONS.search(before)
    if not found or _PEOPLE_FROM.search(before):
        return False
    # "On Monday the MNLA took Gao": the preposition's object is the date, the agent opens
    # the clause
    at = mention.begin - len(before) + found.start()
    return not any(at <= d.begin and d.stop <= mention.begin for d in ctx.dates)


def by_agents(ctx: SentenceContext, local_at: int, window: int = 80) -> list[str]:
    """Agents after "by" following the trigger (the passive's agent)."""
    rest = ctx.folded[local_at : local_at + window]
    match = re.search(r"\bby\b", rest)
    if not match:
        return []
    begin = ctx.absolute(local_at + match.end())
    _, clause_end = clause_bounds(ctx, local_at + match.end())
    stop = min(clause_end, ctx.absolute(min(len(ctx.folded), local_at + window)))
    agents = heads_in(ctx, ctx.agents(begin, stop), ctx.doc.text)
    group = agents[:1]
    for mention in agents[1:]:
        gap = re.sub(r"[()]", " ", ctx.folded[ctx.local(group[-1].stop) : ctx.local(mention.begin)])
        if not re.fullmatch(r"\s*(?:,|and|,\s*and|and\s+allied|&)?\s*(?:the\s+)?", gap):
            break
        group.append(mention)
    return as_actors(ctx, group)[:4]


def co_agents(ctx: SentenceContext) -> list[str]:
    """Allies named with "alongside", "backed by", "with the support of" in the sentence."""
    found: list[str] = []
    for match in _CO_AGENT.finditer(ctx.folded):
        stop = ctx.absolute(min(len(ctx.folded), match.end() + 70))
        agents = heads_in(ctx, ctx.agents(ctx.absolute(match.end()), stop), ctx.doc.text)
        # the ally is the phrase right after the marker ("and allied Wagner fighters"), not a
        # name further on ("Malian and allied troops captured ... its MINUSMA base")
        agents = [m for m in agents[:1]
                  if re.fullmatch(r"[\s,]*(?:the\s+|an?\s+)?(?:[a-z'-]+\s+){0,3}",
                                  ctx.folded[match.end() : ctx.local(m.begin)])
                  and not re.search(r"\b(?:its|their|his|her)\b|[,;]",
                                    ctx.folded[match.end() : ctx.local(m.begin)])]  # fmt: skip
        actors = as_actors(ctx, agents[:2]) if agents else []
        found += actors[:1]
    return found


def object_place(ctx: SentenceContext, local_at: int, window: int = 90) -> Mention | None:
    """The first place mentioned after the trigger, within its clause; for a definite
    "the town" / "the village" right after it, the town told last before it."""
    _, clause_end = clause_bounds(ctx, local_at)
    stop = min(clause_end, ctx.absolute(local_at + window))
    places = ctx.places(ctx.absolute(local_at), stop)
    anaphor = ANAPHORIC_PLACE.match(ctx.folded[local_at:])
    if anaphor and (not places or places[0].begin >= ctx.absolute(local_at + anaphor.end())):
        return told_town(ctx, local_at) or (places[0] if places else None)
    return places[0] if places else None


def place_before(ctx: SentenceContext, local_at: int) -> Mention | None:
    """The last place mentioned before the trigger in its clause (passive subjects); for a
    clause that opens on "the town" / "the village", the town told last before it."""
    begin, _ = clause_bounds(ctx, local_at)
    places = ctx.places(begin, ctx.absolute(local_at))
    if places:
        return places[-1]
    lead = ANAPHORIC_SUBJECT.match(ctx.folded[ctx.local(begin) : local_at])
    return told_town(ctx, ctx.local(begin)) if lead else None


# "the town", "the strategic northern city" (not "the town of X", which names it)
ANAPHORIC_PLACE = re.compile(
    r"\s*(?:(?:control|hold)\s+of\s+)?the\s+(?:[a-z-]+\s+){0,2}?(?:town|city|village|locality)\b"
    r"(?!\s+(?:of|hall|council)\b)(?!-)"
)
ANAPHORIC_SUBJECT = re.compile(
    r"\s*(?:[a-z]+\s*,\s*)?the\s+(?:[a-z-]+\s+){0,2}?(?:town|city|village|locality)\b"
    r"(?!\s+of\b)[^,;]{0,10}$"
)


def told_town(ctx: SentenceContext, local_at: int) -> Mention | None:
    """The town a definite "the town" refers to: the last one named before it in the
    sentence, else in the document."""
    before = [m for m in ctx.places(ctx.sentence.begin, ctx.absolute(local_at))
              if ctx.is_a(m.key, "Settlement")]  # fmt: skip
    if before:
        return before[-1]
    if ctx.last_town:
        at = ctx.absolute(local_at)
        return Mention(at, at, "", ctx.last_town, "anaphora")
    return None


def frame_date(ctx: SentenceContext, local_at: int) -> DatedPhrase | None:
    """The date phrase of the trigger: in its clause, after it first, else before it."""
    begin, stop = clause_bounds(ctx, local_at)
    at = ctx.absolute(local_at)
    in_clause = ctx.dates_between(begin, stop)
    after = [d for d in in_clause if d.begin >= at]
    before = [d for d in in_clause if d.begin < at]
    if after:
        return after[0]
    if before:
        return before[-1]
    lead = ctx.folded[: ctx.local(begin)]
    if SIMULTANEOUS.search(lead):
        earlier = [d for d in ctx.dates if d.stop <= begin]
        if earlier:
            return earlier[-1]  # "The fighting began on 25 July, when a convoy was ambushed"
    shifted = _shifted_day(ctx, lead, begin)
    if shifted is not None:
        return shifted  # "Yesterday, the army took Konna three days after jets drove out ..."
    if SUBORDINATE.search(lead):
        initial = [d for d in ctx.dates if ctx.local(d.begin) < 25 and d.stop <= begin]
        # "In January, after the rebels seized X": the sentence's opening date frames both
        return initial[0] if initial else None
    everywhere = [d for d in ctx.dates if d.start is not None and d.end is not None
                  and not d.start.approximate and not _in_relative_clause(ctx, d)]  # fmt: skip
    if everywhere and len({(d.start, d.end) for d in everywhere}) == 1:
        return everywhere[0]  # the sentence's one date, however often it is written
    return ctx.paragraph_date if not everywhere else None


_OFFSET = re.compile(r"\b(a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+"
                     r"(days?|weeks?)\s+(after|before)\s*$")
_COUNTS = {w: i for i, w in enumerate("one two three four five six seven eight nine ten".split(), 1)}


def _shifted_day(ctx: SentenceContext, lead: str, begin: int) -> DatedPhrase | None:
    """ "X on Tuesday, three days after Y": Y is dated three days before X's day."""
    found = _OFFSET.search(lead)
    if not found:
        return None
    days = [d for d in ctx.dates if d.stop <= begin and d.start is not None
            and d.start == d.end and d.start.precision == "day"]  # fmt: skip
    if not days:
        return None
    word = found.group(1)
    count = int(word) if word.isdigit() else _COUNTS.get(word, 1)
    count *= 7 if found.group(2).startswith("week") else 1
    sign = -1 if found.group(3) == "after" else 1
    day = days[-1].start.earliest + timedelta(days=sign * count)
    span = TimeSpan(day, day, "day")
    at = ctx.absolute(found.start())
    return DatedPhrase(at, ctx.absolute(found.end()), found.group(0), span, span)


def _in_relative_clause(ctx: SentenceContext, phrase: DatedPhrase) -> bool:
    """ "the junta, which in 2020 seized power": that date belongs to the relative clause."""
    begin, _ = clause_bounds(ctx, ctx.local(phrase.begin))
    return bool(re.search(r"\b(?:which|who|where)\s*$", ctx.folded[: ctx.local(begin)]))


def point(phrase: DatedPhrase | None) -> TimeSpan | None:
    """A single date for a point event: the phrase's start, or its end for "until"."""
    if phrase is None:
        return None
    return phrase.start or phrase.end
