"""Membership of alliances and organisations: joined, left, formed, member of.

"X, a coalition between A and B", "an alliance of A, B and C", "A joined B",
"A left B in September 2023", "A, a member militia of B", "members of B,
which they created with C", "A, B and C, who created the D coalition".
"""

from __future__ import annotations

import re

from kg.claims.attribution import Attribution
from kg.claims.context import SentenceContext, unique, words
from kg.claims.frames import as_actors, frame_date, heads_in, is_factual, subject_agents
from kg.model import DatedPhrase, MembershipChange, MembershipClaim, Mention, TimeSpan

RULE = "membership.{}.v1"

COALITION = re.compile(
    r"\b(?:a|an|the)\s+(?:[a-z-]+\s+){0,3}(?:coalition|alliance|union|grouping|federation|confederation|"
    r"bloc)\s+((?:formed|created|established|founded|set\s+up)\s+)?"
    r"(?:between|of|by|uniting|bringing\s+together|comprising|made\s+up\s+of)\s+"
)
MEMBER_OF = re.compile(
    r"\b(?:a\s+|the\s+)?(?:founding\s+)?member(?:s)?(?:\s+[a-z-]+)?\s+of\s+(?:the\s+)?"
)
JOINED = re.compile(words("joined", "joins", "rejoined", "integrated", "integrated into", "became a member of",
                          "pledged allegiance to", "pledges allegiance to", "swore allegiance to",
                          "sworn allegiance to", "pledged loyalty to", "merged into"))  # fmt: skip
STRONG_TIES = re.compile(r"(?:pledge[sd]?|swore|sworn)\s+(?:allegiance|loyalty)\s+to|integrated\s+into|"
                         r"merged\s+into|broke\s+with|breaking\s+with|defected\s+from")
LEFT = re.compile(words("left", "quit", "leaves", "withdrew from", "exited", "exits", "pulled out of",
                        "split from", "broke away from", "broke with", "breaking with",
                        "defected from"))  # fmt: skip
CREATED = re.compile(
    r"\b(?:who|which|that)\s+(?:they\s+)?(?:created|formed|founded|established)\b|"
    r"\b(?:created|formed|founded|established)\s+(?:the\s+)?"
)
APPOSITION = re.compile(
    r"^\s*(?:\([^)]*\))?\s*,?\s*(?:(?:is|was|are|were|has\s+been|became|remains)\s+)?(?:also\s+)?(?:still\s+)?"
    r"(?:(?:a|an|the)\s+)?(?:(?:former|ex-|founding)\s*)?$"
)
INCLUDES = re.compile(
    r"\b(?:which\s+|that\s+)?(?:includes|included|comprises|comprised|comprising|"
    r"(?:is|was)\s+made\s+up\s+of|brings\s+together|bringing\s+together|brought\s+together|"
    r"consists\s+of|(?:is|was)\s+composed\s+of|(?:whose|its)\s+members\s+(?:are|were)|"
    r"(?:the\s+)?remaining\s+members|member\s+(?:states|countries)\s+(?:are|were))\s*:?\s+"
)
WITHDRAWAL_FROM = re.compile(
    r"\b(?:its|their|his|the)\s+(?:[a-z]+\s+)?withdrawals?\s+from\s+(?:all\s+)?(?:the\s+)?"
)
GENERIC_ALLIANCE = re.compile(
    r"^(?:alliance|organi[sz]ation|bloc|coalition|group|grouping|regional\s+organi[sz]ation|"
    r"regional\s+body|body|force)\b"
)
GROUP_NAMED = re.compile(
    r"\b(?:these|those|the(?:se)?\s+(?:five|four|three|two|six))\s+(?:[a-z]+\s+)?"
    r"(?:countries|states|nations|groups|movements)\b[^.;]{0,40}?\b(?:are|were)?\s*"
    r"(?:(?:collectively\s+)?(?:referred\s+to|known)\s+as|form(?:ed)?|make\s+up|made\s+up|"
    r"constitute[sd]?)\s+(?:the\s+)?"
)
FOUNDED_BY_LIST = re.compile(
    r"\b(?:was|were)\s+(?:created|founded|established|formed|launched)\b[^.;]{0,120}?"
    r"\b(?:countries|states|nations|members|groups|movements)\s*(?::|,|by|including|of)\s*"
)
ALIGNED = re.compile(
    r"-(?:aligned|affiliated|allied|linked)\s+|\s+(?:affiliate|branch)\s+of\s+(?:the\s+)?|"
    r",\s+(?:which\s+is\s+)?affiliated\s+(?:to|with)\s+(?:the\s+)?"
)
# "al-Qaeda's local affiliate", "the Islamic State's newly organised Sahel Province"
POSSESSIVE = re.compile(r"^['’]s\s+((?:[a-z-]+\s+){0,3}?)(affiliates?|branch(?:es)?|franchises?|wings?|offshoots?)\b")
POSSESSIVE_NAME = re.compile(r"^['’]s\s+((?:[a-z-]+\s+){0,2}?)(?=[A-Z])")
FORMER = re.compile(r"\b(?:former|ex-)\s*(?:founding\s+)?members?(?:\s+[a-z-]+)?\s+of\s+(?:the\s+)?$")
BELONG_TO = re.compile(r"\b(?:now\s+|still\s+)?(?:belongs?|belonged|belonging)\s+to\s+(?:the\s+)?")
COUNT_SUBJECT = re.compile(  # "All three member states are former members of ECOWAS"
    r"^\W*(?:all\s+|the\s+)?(?:two|three|four|five|six|both)\s+(?:member\s+)?(?:countries|states|nations|groups|members)\b"
)
COUNT_ANTECEDENT = re.compile(
    r"\b(?:both|the\s+two|the\s+three|all\s+three)\s+(?:countries|states|groups|movements)\b"
)  # noqa: E501


def membership_claims(
    ctx: SentenceContext, attributions: list[Attribution], previous: list[Mention]
) -> list[MembershipClaim]:
    """Membership claims of a sentence; ``previous`` are the mentions of the sentence before."""
    found: list[tuple[str, str, MembershipChange, DatedPhrase | None]] = []
    found += coalition_of(ctx)
    found += member_of(ctx, previous)
    found += joined_or_left(ctx)
    found += created_by(ctx, previous)
    found += includes(ctx)
    found += group_named(ctx, previous)
    found += founded_by_list(ctx)
    found += aligned(ctx)
    found += belong_to(ctx)
    found += withdrawal_from(ctx)
    found += possessive_units(ctx)
    claims: list[MembershipClaim] = []
    for member, organisation, change, phrase in unique(found):
        if member == organisation or ctx.is_a(member, "CollectiveActor"):
            continue  # "Islamist fighters belonging to X" are X's fighters, not a member
        start, end = membership_bounds(change, phrase)
        for a in attributions:  # memberships are not what denials here deny
            claims.append(MembershipClaim(
                rule=RULE.format(change), evidence=ctx.evidence(), claimant=a.claimant,
                polarity=a.polarity, member=member, organisation=organisation, change=change,
                start=start, end=end,
            ))  # fmt: skip
    return claims


def membership_bounds(
    change: MembershipChange, phrase: DatedPhrase | None
) -> tuple[TimeSpan | None, TimeSpan | None]:
    if phrase is None:
        return None, None
    if change == "leave":
        return None, phrase.end or phrase.start
    if change == "state":
        return phrase.start, phrase.end if phrase.end != phrase.start else None
    return phrase.start, phrase.end if phrase.end != phrase.start else None


def _alliances(ctx: SentenceContext, mentions: list[Mention]) -> list[Mention]:
    return [m for m in mentions if ctx.is_a(m.key, "Organisation") and not ctx.is_a(m.key, "State")]


def _list_after(ctx: SentenceContext, local_at: int, window: int = 120) -> list[str]:
    """Agents listed right after local offset: "A, B and C" (stops at a clause break)."""
    rest = ctx.folded[local_at : local_at + window]
    cut = re.search(
        r"[.;:]|\b(?:which|who|that|due|because|since|in\s+(?:may|june|19|20))\b|,\s+(?!and\b|the\b|an?\b)(?=[a-z]+\s)",
        rest,
    )  # noqa: E501
    stop = ctx.absolute(local_at + (cut.start() if cut else len(rest)))
    agents = heads_in(ctx, ctx.agents(ctx.absolute(local_at), stop), ctx.doc.text)
    return list(unique(m.key for m in agents))


def coalition_of(
    ctx: SentenceContext,
) -> list[tuple[str, str, MembershipChange, DatedPhrase | None]]:
    """ "X (...), a coalition between A and B" / "X is an alliance between A and B"."""
    found = []
    for match in COALITION.finditer(ctx.folded):
        before = _alliances(ctx, ctx.between(ctx.sentence.begin, ctx.absolute(match.start())))
        if not before:
            continue
        organisation = before[-1].key
        change: MembershipChange = "found" if match.group(1) else "state"  # "formed between"
        for member in _list_after(ctx, match.end()):
            found.append((member, organisation, change, None))
    return found


def member_of(
    ctx: SentenceContext, previous: list[Mention]
) -> list[tuple[str, str, MembershipChange, DatedPhrase | None]]:
    """ "A, a member militia of B" / "Both countries, members of the AES"."""
    found = []
    for match in MEMBER_OF.finditer(ctx.folded):
        after = _alliances(
            ctx, ctx.between(ctx.absolute(match.end()), ctx.absolute(match.end() + 80))
        )
        if not after:
            continue
        organisation = after[0].key
        members = _members_before(ctx, match.start(), previous)
        phrase = frame_date(ctx, match.start())
        change: MembershipChange = "leave" if FORMER.search(ctx.folded[: match.end()]) else "state"
        found += [(m, organisation, change, phrase) for m in members]
    return found


def _members_before(ctx: SentenceContext, local_at: int, previous: list[Mention]) -> list[str]:
    """The agents a "member(s) of" phrase is about."""
    before = ctx.folded[:local_at]
    if COUNT_ANTECEDENT.search(before) or COUNT_SUBJECT.search(before):
        states = [m.key for m in previous if ctx.is_a(m.key, "State")]
        return list(unique(states))
    agents = heads_in(ctx, ctx.agents(ctx.sentence.begin, ctx.absolute(local_at)), ctx.doc.text)
    if not agents or ctx.is_a(agents[-1].key, "NewsOutlet"):
        return []
    gap = ctx.folded[ctx.local(agents[-1].stop) : local_at]
    return [agents[-1].key] if APPOSITION.match(gap) else []


def joined_or_left(
    ctx: SentenceContext,
) -> list[tuple[str, str, MembershipChange, DatedPhrase | None]]:
    """ "A joined B", "A left B": the subject and the first organisation after the verb."""
    found = []
    for pattern, change in ((JOINED, "join"), (LEFT, "leave")):
        for match in pattern.finditer(ctx.folded):
            if not is_factual(ctx, match.start()):
                continue
            window = [m for m in ctx.mentions if 0 <= m.begin - ctx.absolute(match.end()) <= 60]
            strong = STRONG_TIES.fullmatch(match.group(0))  # "pledged allegiance to": any group
            organisations = [m for m in _alliances(ctx, window) if ctx.is_a(m.key, "Alliance")
                             or (strong and ctx.is_a(m.key, "ArmedGroup")
                                 and not ctx.is_a(m.key, "CollectiveActor"))]  # fmt: skip
            if not organisations:
                continue
            members = subject_agents(ctx, match.start())
            phrase = frame_date(ctx, match.start())
            target = _in_target(ctx, match.end(), organisations)
            found += [(m, target, change, phrase) for m in members if m != target]  # type: ignore[misc]
    return found


def _in_target(ctx: SentenceContext, local_at: int, organisations: list[Mention]) -> str:
    """ "Platform joined the CMA in the CSP-PSD": the alliance after "in" is the one joined."""
    rest = ctx.folded[local_at : local_at + 80]
    inside = re.search(r"\bin\s+the\s+", rest)
    if inside:
        later = [o for o in organisations if ctx.local(o.begin) >= local_at + inside.end()]
        if later:
            return later[0].key
    return organisations[0].key


def created_by(
    ctx: SentenceContext, previous: list[Mention]
) -> list[tuple[str, str, MembershipChange, DatedPhrase | None]]:
    """ "A, B and C, who created the D coalition" / "the AES, which they created with Mali"."""
    found = []
    for match in CREATED.finditer(ctx.folded):
        after = _alliances(
            ctx, ctx.between(ctx.absolute(match.end()), ctx.absolute(match.end() + 60))
        )
        before = ctx.between(ctx.sentence.begin, ctx.absolute(match.start()))
        if match.group(0).startswith(("which", "that")) and "they" in match.group(0):
            alliance = [m for m in _alliances(ctx, before) if ctx.is_a(m.key, "Alliance")]
            if not alliance:
                continue
            members = _members_before(ctx, ctx.local(alliance[-1].begin), previous)
            members += _list_after(ctx, match.end() + _with_offset(ctx, match.end()))
            found += [(m, alliance[-1].key, "found", None) for m in unique(members)]
        elif after and ctx.is_a(after[0].key, "Alliance") and match.group(0).startswith("who"):
            members = [
                m.key
                for m in heads_in(
                    ctx, ctx.agents(ctx.sentence.begin, ctx.absolute(match.start())), ctx.doc.text
                )
            ]  # noqa: E501
            members = _trailing_list(ctx, members, match.start())
            found += [(m, after[0].key, "found", frame_date(ctx, match.start())) for m in members]
    return found


def _with_offset(ctx: SentenceContext, local_at: int) -> int:
    found = re.match(r"\s*with\s+", ctx.folded[local_at:])
    return found.end() if found else 10_000


def _trailing_list(ctx: SentenceContext, keys: list[str], local_at: int) -> list[str]:
    """The agents of the list that ends right before local offset (after 'by', 'the')."""
    agents = heads_in(ctx, ctx.agents(ctx.sentence.begin, ctx.absolute(local_at)), ctx.doc.text)
    if not agents:
        return []
    group = [agents[-1]]
    for prev in reversed(agents[:-1]):
        gap = re.sub(r"[()]", " ", ctx.folded[ctx.local(prev.stop) : ctx.local(group[0].begin)])
        if re.fullmatch(r"\s*(?:,|and|and\s+allied|,\s*and)?\s*", gap) or prev.key == group[0].key:
            group.insert(0, prev)
        else:
            break
    return list(unique(m.key for m in group))


def includes(ctx: SentenceContext) -> list[tuple[str, str, MembershipChange, DatedPhrase | None]]:
    """ "This regional organisation, which includes A, B and C", "the remaining members A
    and B": the organisation named before (or the document's alliance) has them as members."""
    return _listed_after(ctx, INCLUDES, "state", fallback=ctx.main_alliance)


def _listed_after(
    ctx: SentenceContext, pattern: re.Pattern[str], change: MembershipChange,
    fallback: str | None = None,
) -> list[tuple[str, str, MembershipChange, DatedPhrase | None]]:
    """The run of agents listed after each match, members of the organisation named before
    it in the sentence (else ``fallback``, then only for a list of two or more)."""
    found: list[tuple[str, str, MembershipChange, DatedPhrase | None]] = []
    for match in pattern.finditer(ctx.folded):
        before = _alliances(ctx, ctx.between(ctx.sentence.begin, ctx.absolute(match.start())))
        organisation = before[-1].key if before else fallback
        if organisation is None:
            continue
        members = [m for m in _run_after(ctx, match.end()) if m != organisation]
        if len(members) < 2 and not (before and change == "state"):
            continue
        found += [(m, organisation, change, None) for m in members]
    return found


def withdrawal_from(
    ctx: SentenceContext,
) -> list[tuple[str, str, MembershipChange, DatedPhrase | None]]:
    """ "Mali announced its withdrawal from the G5 Sahel (the alliance)": a leave, dated."""
    found = []
    for match in WITHDRAWAL_FROM.finditer(ctx.folded):
        rest = ctx.folded[match.end() :]
        after = _alliances_after(ctx, match.end())
        if after and ctx.local(after[0].begin) - match.end() <= 12:
            organisation: str | None = after[0].key
        elif GENERIC_ALLIANCE.match(rest):
            organisation = ctx.main_alliance
        else:
            organisation = None
        if organisation is None:
            continue
        members = subject_agents(ctx, match.start())
        phrase = frame_date(ctx, match.start())
        found += [(m, organisation, "leave", phrase) for m in members if m != organisation]
    return found


def _run_after(ctx: SentenceContext, local_at: int) -> list[str]:
    """The agents listed right after local offset, joined by commas and "and": "A, B, C and D"."""
    begin = ctx.absolute(local_at)
    agents = heads_in(ctx, ctx.agents(begin, ctx.sentence.stop), ctx.doc.text)
    if not agents or agents[0].begin - begin > 6:
        return []
    run = [agents[0]]
    for mention in agents[1:]:
        gap = ctx.folded[ctx.local(run[-1].stop) : ctx.local(mention.begin)]
        if not re.fullmatch(r"\s*(?:,|and|,\s*and|&|as\s+well\s+as)\s*(?:the\s+)?", gap):
            break
        run.append(mention)
    return list(unique(as_actors(ctx, run)))


def group_named(
    ctx: SentenceContext, previous: list[Mention]
) -> list[tuple[str, str, MembershipChange, DatedPhrase | None]]:
    """ "These countries are collectively referred to as the G5 Sahel": the states named in
    the sentence before are its members."""
    found = []
    for match in GROUP_NAMED.finditer(ctx.folded):
        after = _alliances_after(ctx, match.end())
        if not after:
            continue
        members = [
            m.key for m in previous if ctx.is_a(m.key, "State") or ctx.is_a(m.key, "ArmedGroup")
        ]
        found += [(m, after[0].key, "state", None) for m in unique(members) if m != after[0].key]
    return found


def founded_by_list(
    ctx: SentenceContext,
) -> list[tuple[str, str, MembershipChange, DatedPhrase | None]]:
    """ "X was created in 2014 at a summit of five countries: A, B, C": its founders."""
    return _listed_after(ctx, FOUNDED_BY_LIST, "found")


def aligned(ctx: SentenceContext) -> list[tuple[str, str, MembershipChange, DatedPhrase | None]]:
    """ "the al-Qaeda-aligned JNIM", "JNIM, al-Qaeda's branch of ...": an affiliation."""
    found = []
    for match in ALIGNED.finditer(ctx.folded):
        if match.group().startswith("-"):
            head = [m for m in ctx.mentions if m.stop == ctx.absolute(match.start())]
            window = ctx.agents(ctx.absolute(match.end()), ctx.absolute(match.end() + 50))
            after = heads_in(ctx, window, ctx.doc.text)
            close = after and after[0].begin - ctx.absolute(match.end()) <= 15
            if head and close and ctx.is_a(head[0].key, "Organisation"):
                found.append((after[0].key, head[0].key, "state", None))
        else:
            before = heads_in(ctx, ctx.agents(ctx.sentence.begin, ctx.absolute(match.start())),
                              ctx.doc.text)  # fmt: skip
            after = _alliances_after(ctx, match.end())
            gap = ctx.folded[ctx.local(before[-1].stop) : match.start()] if before else ""
            if before and after and APPOSITION.match(gap.replace(" is ", " ").replace(" an ", " ")):
                found.append((before[-1].key, after[0].key, "state", None))
    return found


def possessive_units(ctx: SentenceContext) -> list[tuple[str, str, MembershipChange, DatedPhrase | None]]:
    """ "JNIM, al-Qaeda's local affiliate", "al-Qaeda's affiliate in Mali, JNIM", "the Islamic
    State's newly organised Sahel Province": the group is part of the possessor."""
    found = []
    for owner in _alliances(ctx, list(ctx.mentions)):
        if ctx.is_a(owner.key, "CollectiveActor"):
            continue
        tail = ctx.doc.text[owner.stop : owner.stop + 80]
        match = POSSESSIVE.match(tail.lower()) or POSSESSIVE_NAME.match(tail)
        if not match:
            continue
        at = owner.stop + match.end()
        if match.re is POSSESSIVE:  # "X's affiliate": the group named beside it, in apposition
            after = [m for m in _alliances(ctx, ctx.between(at, at + 60))
                     if re.fullmatch(r"[\s,(]*(?:in\s+[\w\s]+?,\s*|the\s+)?", ctx.doc.text[at : m.begin])]  # fmt: skip
            before = [m for m in _alliances(ctx, ctx.between(ctx.sentence.begin, owner.begin))
                      if re.fullmatch(r"\s*,\s*(?:(?:is|was)\s+)?(?:the\s+|an?\s+)?", ctx.doc.text[m.stop : owner.begin].lower())]  # fmt: skip
            members = after[:1] or before[-1:]
        else:  # "X's newly organised Sahel Province": a group named right after
            members = [m for m in _alliances(ctx, ctx.between(at, at + 40)) if m.begin - at <= 2]
            if match.group(1).strip() == "":
                members = [m for m in members if ctx.is_a(m.key, "ArmedGroup")]
        for member in members[:1]:
            if member.key != owner.key and not ctx.is_a(member.key, "CollectiveActor"):
                found.append((member.key, owner.key, "state", None))
    return found


def belong_to(ctx: SentenceContext) -> list[tuple[str, str, MembershipChange, DatedPhrase | None]]:
    """ "Only Chad and Mauritania now belong to the G5 Sahel": the run of agents before."""
    found = []
    for match in BELONG_TO.finditer(ctx.folded):
        if not is_factual(ctx, match.start()):
            continue
        after = _alliances_after(ctx, match.end())
        if not after or ctx.local(after[0].begin) - match.end() > 12:
            continue
        members = [m for m in _trailing_list(ctx, [], match.start()) if m != after[0].key]
        found += [(m, after[0].key, "state", frame_date(ctx, match.start())) for m in members]
    return found


def _alliances_after(ctx: SentenceContext, local_at: int, window: int = 40) -> list[Mention]:
    """The organisations named within ``window`` characters after local offset."""
    return _alliances(
        ctx, ctx.between(ctx.absolute(local_at), ctx.absolute(local_at + window))
    )
