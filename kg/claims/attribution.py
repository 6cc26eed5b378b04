"""Who asserts what a sentence says, and whether it is asserted, denied or hedged.

"according to rebel leaders", "X said", "X claimed", "which the army denied",
"reportedly": each sentence gets a list of :class:`Attribution` (the first is
the main one). A claimant named by a registry entity is linked to it; any other
("medical sources", "local officials") becomes a discovered collective actor.
Unattributed sentences are claimed by the article's publisher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.claims.context import SentenceContext, words
from kg.iris import slugify
from kg.model import Entity, Polarity

REPORTING = words(
    "said", "says", "stated", "states", "claimed", "claims", "announced", "announces",
    "reported", "reports", "confirmed", "confirms", "admitted", "acknowledged", "told",
    "indicated", "indicates", "declared", "insisted", "insists", "vowed", "denounced",
    "informs", "added", "explained", "estimated", "noted", "warned", "indicate", "indicates",
    "indicated", "affirmed", "affirms", "recognised", "recognized", "counted", "asserted",
    "spoke of", "speaking of",
)  # fmt: skip
DENYING = words("denied", "denies", "deny", "rejected", "rejects", "disputed", "disputes")
HEDGES = words(
    "reportedly", "allegedly", "claimed to have", "claimed to", "claims to", "may have",
    "might have", "is unclear", "unconfirmed", "it is feared", "purportedly", "apparently",
)  # fmt: skip
ACCORDING = re.compile(r"\baccording\s+to\s+")
_PHRASE_END = re.compile(r"[,.;:)\"']|\bwhich\b|\bwho\b|\bthat\b|\band\s+other\b|$")
_REPORTED_SUBJECT = re.compile(
    r"\b(?:the\s+|a\s+|several\s+|two\s+|some\s+)?((?:[a-z-]+\s+){0,3}(?:sources|officials|residents|witnesses|analysts|activists|officers|leaders|rebels|journalists|authorities|spokesm[ae]n))\b"
)  # noqa: E501
COLLECTIVE_HEADS = {
    "sources", "source", "officials", "official", "residents", "witnesses", "analysts", "activists",
    "officers", "leaders", "rebels", "journalists", "authorities", "spokesmen", "spokesman",
    "experts", "diplomats", "observers", "survivors", "relatives", "inhabitants", "doctors",
    "villagers", "militants", "elders", "soldiers", "fighters", "organisations", "organizations",
}  # fmt: skip
DENIAL_CLAUSE = re.compile(
    r"\bwhich\s+(.{2,60}?)\s+(?:has\s+|have\s+|had\s+)?(?:always\s+|since\s+|firmly\s+|categorically\s+)?(?:denied|denies|disputed|rejected)\b"
)


@dataclass(frozen=True)
class Attribution:
    claimant: str  # entity key
    polarity: Polarity
    scope: tuple[int, int] | None = None  # local span it covers; None: the whole sentence

    def covers(self, local_at: int) -> bool:
        return self.scope is None or self.scope[0] <= local_at < self.scope[1]


def applicable(attributions: list[Attribution], local_at: int) -> list[Attribution]:
    """The attributions that speak of the words at local offset ``local_at``."""
    return [a for a in attributions if a.covers(local_at)]


def denial_scope(ctx: SentenceContext, which_at: int) -> tuple[int, int]:
    """What "..., which the army denied" denies: the clause before "which" (through an
    "according to" aside, to the assertion it qualifies)."""
    head = ctx.folded[:which_at].rstrip(" ,")
    start = head.rfind(",") + 1
    while start > 0 and NO_SUBJECT.match(ctx.folded[start:which_at].lstrip()):
        start = head.rfind(",", 0, start - 1) + 1
    return start, which_at


# A comma segment that cannot stand alone: an aside, or a predicate whose subject came before.
NO_SUBJECT = re.compile(r"(?:according\s+to|including|were|was|had|have|has|is|are|been)\b")


def attribute(
    ctx: SentenceContext, publisher: str, carry: str | None
) -> tuple[list[Attribution], list[Entity]]:
    """The sentence's attributions (main one first) and any collective claimants minted.

    ``carry`` is the previous explicit claimant of the document, used by
    "according to the same source".
    """
    minted: list[Entity] = []
    hedged = bool(re.search(HEDGES, ctx.folded))
    main: str | None = None
    match = ACCORDING.search(ctx.folded)
    if match:
        main = claimant_after(ctx, match.end(), minted, carry)
    if main is None:
        main = reporting_subject(ctx, minted)
    verb_hedge = bool(re.search(words("claimed", "claims"), ctx.folded))
    polarity: Polarity = "hedged" if hedged or verb_hedge else "asserted"
    result = [Attribution(main or publisher, polarity)]
    denial = DENIAL_CLAUSE.search(ctx.folded)
    if denial:
        denier = claimant_in(ctx, denial.start(1), denial.end(1), minted)
        if denier:
            result.append(Attribution(denier, "denied", denial_scope(ctx, denial.start())))
    elif main and _denying_verb(ctx.folded) and not match:
        result[0] = Attribution(main, "denied")
    if not match and not denial:
        result = contrasted(ctx, result, publisher, minted)
    return result, minted


_DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an|this|that|its|their|his|her|long)\s+$")


def _denying_verb(folded: str) -> bool:
    """A denying verb, not an adjective ("the disputed region" denies nothing)."""
    return any(
        not _DETERMINER_BEFORE.search(folded[max(0, m.start() - 12) : m.start()])
        for m in re.finditer(DENYING, folded)
    )


CONTRAST = re.compile(r",?\s*\b(?:while|whereas|but)\b")


def contrasted(
    ctx: SentenceContext, result: list[Attribution], publisher: str, minted: list[Entity]
) -> list[Attribution]:
    """"Officials claimed X, while the rebels claimed Y": each side's words are its own."""
    for cut in CONTRAST.finditer(ctx.folded):
        second = reporting_subject(ctx, minted, start=cut.end())
        first = reporting_subject(ctx, minted, stop=cut.start())
        if second is None or second == first:
            continue
        end = len(ctx.folded)
        return [
            Attribution(first or publisher, _polarity(ctx.folded[: cut.start()]), (0, cut.start())),
            Attribution(second, _polarity(ctx.folded[cut.start() :]), (cut.start(), end)),
        ]
    return result


def _polarity(text: str) -> Polarity:
    hedged = re.search(HEDGES, text) or re.search(words("claimed", "claims"), text)
    return "hedged" if hedged else "asserted"


def claimant_after(
    ctx: SentenceContext, at: int, minted: list[Entity], carry: str | None
) -> str | None:
    """The claimant named right after "according to" (local offset ``at``)."""
    rest = ctx.folded[at:]
    if rest.startswith("the same source") and carry:
        return carry
    end = at + (_PHRASE_END.search(rest).start() if _PHRASE_END.search(rest) else len(rest))
    return claimant_in(ctx, at, end, minted)


def claimant_in(ctx: SentenceContext, begin: int, stop: int, minted: list[Entity]) -> str | None:
    """An agent mentioned in local span [begin, stop), else a collective minted from its words."""
    agents = ctx.agents(ctx.absolute(begin), ctx.absolute(stop))
    if agents:
        return agents[0].key
    phrase = ctx.folded[begin:stop].strip()
    phrase = re.sub(r"^(?:the|a|an|several|many|some|two|three|other)\s+", "", phrase)
    if not phrase or len(phrase.split()) > 6 or phrase.split()[-1] not in COLLECTIVE_HEADS:
        return None  # "these bloggers", "the report of the NGO": not a source we can name
    original = ctx.sentence.text[begin:stop].strip()
    key = slugify(phrase)
    minted.append(
        Entity(
            key=key,
            label=original,
            types=("CollectiveActor",),
            discovered=True,
            first_seen=ctx.doc.doc_id,
        )
    )
    return key


# "X took Y, the army said": the reporting verb has its own subject after the comma
_OWN_SUBJECT = re.compile(r",\s*(?:the|a|an)\s+[a-z-]+(?:\s+[a-z-]+)?\s*$")


def reporting_subject(
    ctx: SentenceContext, minted: list[Entity], start: int = 0, stop: int | None = None
) -> str | None:
    """The subject of a reporting verb ("X said", "said X", "X told AFP", "He said" for the
    actor of the sentence before), among the verbs in local span [start, stop)."""
    stop = len(ctx.folded) if stop is None else stop
    for match in re.compile(REPORTING).finditer(ctx.folded, start, stop):
        verb_at = ctx.absolute(match.start())
        floor = ctx.absolute(start)
        before = [m for m in ctx.agents(floor, verb_at) if verb_at - m.stop < 60]
        gap = ctx.folded[ctx.local(before[-1].stop) : match.start()] if before else ""
        if before and not _OWN_SUBJECT.search(gap):
            return before[-1].key
        if re.search(r"\b(?:he|she|they)\s+(?:also\s+)?$", ctx.folded[start : match.start()]) and ctx.previous_subjects:
            return ctx.previous_subjects[0]
        after = [
            m
            for m in ctx.agents(ctx.absolute(match.end()), ctx.sentence.stop)
            if m.begin - ctx.absolute(match.end()) < 25
        ]
        if after:
            return after[0].key
        window = ctx.folded[max(0, match.start() - 60) : match.start()]
        subject = _REPORTED_SUBJECT.search(window)
        if subject:
            offset = max(0, match.start() - 60)
            return claimant_in(ctx, offset + subject.start(1), offset + subject.end(1), minted)
    return None
