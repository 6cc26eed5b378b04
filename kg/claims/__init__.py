"""Stage 4: claims, each with its evidence, claimant and polarity.

For each sentence that is not page furniture, the rules of the sibling
modules read a :class:`~kg.claims.context.SentenceContext` (text, linked
mentions, dates) and return claims:

- :mod:`kg.claims.events` -- events of the ontology's types;
- :mod:`kg.claims.control` -- gains, losses and states of territorial control;
- :mod:`kg.claims.membership` -- joined, left, formed, member of;
- :mod:`kg.claims.roles` -- offices and roles;
- :mod:`kg.claims.casualties` -- each reported figure.

:mod:`kg.claims.attribution` says who asserts each sentence and how.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from kg.claims.attribution import attribute
from kg.claims.casualties import casualty_claims
from kg.claims.context import SentenceContext
from kg.claims.control import control_claims
from kg.claims.events import event_claims
from kg.claims.membership import membership_claims
from kg.claims.roles import role_claims
from kg.dates import resolve_relative_day
from kg.model import Claim, DatedPhrase, Document, Entity, Mention, Sentence, TimeSpan
from kg.text import fold, is_furniture, sentences

STAGE = "claims.v1"
_Span = TypeVar("_Span", Mention, DatedPhrase)
RELATIVE_DAY = re.compile(
    r"\b(?:the\s+next\s+day|that\s+same\s+day|the\s+same\s+day|that\s+night|the\s+following\s+day)\b"
)  # noqa: E501


SITE_AFTER = re.compile(r"\s+(?:military\s+|army\s+|air\s+)?(?:base|camp|airport|garrison)\b", re.I)


@dataclass(frozen=True)
class Knowledge:
    """What the rules may ask of the registry: types and names."""

    is_a: Callable[[str, str], bool]
    lookup: Callable[[str], str | None]
    country_of: Callable[[str], str | None] = lambda key: None  # a national body's country
    forces_of: Callable[[str], str | None] = lambda key: None  # a country's armed forces
    institution_of: Callable[[str, str], str | None] = lambda key, cls: None
    town_of: Callable[[str], str | None] = lambda key: None  # the town a site is in
    label_of: Callable[[str], str | None] = lambda key: None  # an entity's English label


def extract_claims(
    doc: Document,
    mentions: Sequence[Mention],
    dates: Sequence[DatedPhrase],
    knowledge: Knowledge,
    publisher: str,
) -> tuple[list[Claim], list[Entity]]:
    """All claims of a document, and the collective claimants minted on the way."""
    claims: list[Claim] = []
    minted: list[Entity] = []
    previous_mentions: list[Mention] = []
    last_day: TimeSpan | None = None
    carry: str | None = None
    subjects: tuple[str, ...] = ()
    paragraph_date: DatedPhrase | None = None
    paragraph_place: str | None = None
    last_town: str | None = None
    last_country: str | None = None
    previous_stop = 0
    country = main_country(mentions, knowledge.is_a)
    alliance = main_alliance(mentions, knowledge.is_a)
    group = main_group(mentions, knowledge.is_a)
    for sentence in sentences(doc.text):
        if is_furniture(sentence.text):
            continue
        if "\n" in doc.text[previous_stop : sentence.begin]:
            paragraph_date, paragraph_place = None, None
        previous_stop = sentence.stop
        ctx = sentence_context(doc, sentence, mentions, dates, knowledge.is_a, last_day, subjects)
        ctx = replace(
            ctx,
            paragraph_date=paragraph_date,
            paragraph_place=paragraph_place,
            last_town=last_town,
            last_country=last_country,
            lookup=knowledge.lookup,
            main_country=country,
            main_alliance=alliance,
            main_group=group,
            country_of=knowledge.country_of,
            forces_of=knowledge.forces_of,
            institution_of=knowledge.institution_of,
            label_of=knowledge.label_of,
        )
        attributions, new = attribute(ctx, publisher, carry)
        minted += new
        if attributions[0].claimant != publisher:
            carry = attributions[0].claimant
        claims += event_claims(ctx, attributions)
        claims += control_claims(ctx, attributions)
        claims += membership_claims(ctx, attributions, previous_mentions)
        claims += role_claims(ctx, attributions)
        claims += casualty_claims(ctx, attributions)
        previous_mentions = list(ctx.mentions) or previous_mentions
        subjects = first_actors(ctx) or subjects
        last_day = last_day_of(ctx) or last_day
        points = [d for d in ctx.dates if d.start is not None and d.end is not None]
        paragraph_date = (
            points[-1] if points else paragraph_date
        )  # "since 2015" dates nothing after
        towns = [
            t
            for m in ctx.mentions
            if (t := m.key if knowledge.is_a(m.key, "Settlement") else knowledge.town_of(m.key))
        ]
        paragraph_place = towns[-1] if towns else paragraph_place
        last_town = next((m.key for m in reversed(ctx.mentions) if knowledge.is_a(m.key, "Settlement")
                          and not SITE_AFTER.match(doc.text, m.stop)), last_town)  # fmt: skip
        last_country = next((m.key for m in reversed(ctx.places(sentence.begin, sentence.stop))
                             if knowledge.is_a(m.key, "Country")), last_country)  # fmt: skip
    return fold_undated_repeats(claims), minted


_DATE_FIELDS = ("start", "end", "date")
_NOT_CONTENT = (
    "rule",
    "evidence",
    "claimant",
    "polarity",
    "label",
    "side_a",
    "side_b",
    "part_of",
) + _DATE_FIELDS


def fold_undated_repeats(claims: list[Claim]) -> list[Claim]:
    """Drop an undated claim when the same document states the same thing with a date:
    "the army retook Kidal" beside "the army took Kidal on Tuesday" is one fact, told twice."""

    def content(claim: Claim) -> tuple[object, ...]:
        speaker = claim.side_a if getattr(claim, "event_type", None) == "Statement" else ()
        return (  # statements by different speakers are different statements
            claim.kind,
            claim.polarity == "denied",
            speaker,
            *(v for k, v in sorted(claim.__dict__.items()) if k not in _NOT_CONTENT),
        )

    dated = {content(c) for c in claims if any(getattr(c, f, None) for f in _DATE_FIELDS)}
    return [
        c
        for c in claims
        if any(getattr(c, f, None) for f in _DATE_FIELDS) or content(c) not in dated
    ]


def main_country(mentions: Sequence[Mention], is_a: Callable[[str, str], bool]) -> str | None:
    """The country a document mentions most (ties: the first mentioned)."""
    counts = Counter(
        m.key
        for m in mentions
        if is_a(m.key, "Country")
        and not re.search(r"(?:ian|ese|ish|ench|abe|ien|ine)s?$", m.text.lower())
    )
    return max(counts, key=lambda k: counts[k]) if counts else None


def main_group(mentions: Sequence[Mention], is_a: Callable[[str, str], bool]) -> str | None:
    """The armed group or movement a document mentions most: what "the group", "its
    leader" refer to (ties: the first mentioned)."""
    counts = Counter(
        m.key for m in mentions
        if is_a(m.key, "ArmedGroup") and not is_a(m.key, "CollectiveActor")
    )  # fmt: skip
    return max(counts, key=lambda k: counts[k]) if counts else None


def main_alliance(mentions: Sequence[Mention], is_a: Callable[[str, str], bool]) -> str | None:
    """The alliance or international organisation a document mentions most: what "the
    alliance", "the organisation" refer to (ties: the first mentioned)."""
    counts = Counter(
        m.key for m in mentions
        if is_a(m.key, "Organisation") and not is_a(m.key, "State")
        and (is_a(m.key, "Alliance") or is_a(m.key, "InternationalOrganisation"))
    )  # fmt: skip
    return max(counts, key=lambda k: counts[k]) if counts else None


def within(spans: Sequence[_Span], sentence: Sentence) -> list[_Span]:
    """The spans (sorted by begin) wholly inside the sentence, found by bisection."""
    first = bisect_left(spans, sentence.begin, key=lambda x: x.begin)
    last = bisect_left(spans, sentence.stop, lo=first, key=lambda x: x.begin)
    return [x for x in spans[first:last] if x.stop <= sentence.stop]


def sentence_context(
    doc: Document,
    sentence: Sentence,
    mentions: Sequence[Mention],
    dates: Sequence[DatedPhrase],
    is_a: Callable[[str, str], bool],
    last_day: TimeSpan | None,
    subjects: tuple[str, ...] = (),
) -> SentenceContext:
    """The sentence's mentions and dates; "the next day" resolved against the last day seen,
    "today" inside a quotation against the date the sentence gives the statement."""
    inside = tuple(within(mentions, sentence))
    own = list(within(dates, sentence))
    folded = fold(sentence.text)
    if last_day is not None:
        for match in RELATIVE_DAY.finditer(folded):
            resolved = resolve_relative_day(match.group(0), last_day)
            if resolved is not None:
                begin, stop = sentence.begin + match.start(), sentence.begin + match.end()
                own.append(DatedPhrase(begin, stop, doc.text[begin:stop], resolved, resolved))
    own = quoted_relative_dates(sentence, folded, own)
    own.sort(key=lambda d: d.begin)
    return SentenceContext(
        doc, sentence, folded, inside, tuple(own), is_a, previous_subjects=subjects
    )


RELATIVE_WORD = re.compile(
    r"^(?:today|yesterday|tonight|this\s+(?:morning|evening|week)|now)$", re.I
)


def quoted_relative_dates(
    sentence: Sentence, folded: str, dates: list[DatedPhrase]
) -> list[DatedPhrase]:
    """ "Today" inside quotation marks is the day of the statement: the date the sentence gives
    outside the quotes ("... said in a statement on Tuesday"), or unknown."""
    quoted = [(m.start(), m.end()) for m in re.finditer(r'"[^"]*"', folded)]
    if folded.count('"') % 2:  # a quotation that runs on into the next sentence
        quoted.append((folded.rfind('"'), len(folded)))

    def inside(d: DatedPhrase) -> bool:
        local = d.begin - sentence.begin
        return any(b < local < e for b, e in quoted)

    outside = [d for d in dates if not inside(d)]
    result = []
    for d in dates:
        if inside(d) and RELATIVE_WORD.match(d.text.strip()):
            if outside:
                result.append(
                    DatedPhrase(d.begin, d.stop, d.text, outside[0].start, outside[0].end)
                )
            continue
        result.append(d)
    return result


def first_actors(ctx: SentenceContext) -> tuple[str, ...]:
    """The actors named first in a sentence: what a following "They ..." refers to."""
    from kg.claims.frames import as_actors, heads_in

    agents = heads_in(ctx, ctx.agents(ctx.sentence.begin, ctx.sentence.stop), ctx.doc.text)
    if not agents:
        return ()
    first = agents[:1]
    for mention in agents[1:]:
        gap = ctx.doc.text[first[-1].stop : mention.begin].strip().lower()
        if gap not in ("and", ",", ", and"):
            break
        first.append(mention)
    return tuple(as_actors(ctx, first))


def last_day_of(ctx: SentenceContext) -> TimeSpan | None:
    """The last day-precision date of the sentence (for "the next day" after it)."""
    days = [
        d.end or d.start
        for d in ctx.dates
        if (d.end or d.start) and (d.end or d.start).precision == "day"
    ]  # type: ignore[union-attr] # noqa: E501
    return days[-1] if days else None
