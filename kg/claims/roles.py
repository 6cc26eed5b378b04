"""Offices and roles: "Malian president Assimi Goïta", "X, the leader of the junta",
"Gamou was installed as governor of Kidal Region", "GATIA founder El Hadj Ag Gamou".

A role word next to a person mention makes a claim; the organisation or place
it is held in is the agent or place named with it ("Mali's foreign minister",
"governor of Kidal Region", "the Malian junta leader").
"""

from __future__ import annotations

import re

from kg.claims.attribution import Attribution, applicable
from kg.claims.context import SentenceContext, clause_bounds, words
from kg.claims.frames import frame_date
from kg.extract.wordlists import grouped
from kg.model import DatedPhrase, Mention, RoleClaim, TimeSpan
from kg.text import fold

RULE = "role.{}.v1"

# The role words by role, as data (kg/extract/wordlists/role_words.tsv).
ROLE_WORDS: tuple[tuple[str, str], ...] = tuple(
    (role, words(*phrases)) for role, phrases in grouped("role_words")
)
COMPILED = tuple((role, re.compile(pattern)) for role, pattern in ROLE_WORDS)
# Person before role: "X, the leader of", "X is currently the governor of", "X was installed as governor".
PERSON_THEN_ROLE = re.compile(
    r"^\s*(?:,\s*|\s+(?:is|was|has\s+been|had\s+been|became|becomes|served\s+as|serves\s+as|"
    r"(?:was\s+)?installed\s+as|(?:was\s+)?appointed(?:\s+as)?|(?:was\s+)?named(?:\s+as)?|"
    r"(?:was\s+)?sworn\s+in\s+as|who\s+has\s+served\s+as|has\s+served\s+as|took\s+over\s+as|"
    r"(?:declares?|declared|named|proclaimed|proclaims)\s+(?:himself|herself)(?:\s+as)?|"
    r"(?:was\s+)?(?:announced|proclaimed|confirmed|elected)\s+as)\s+)"
    r"(?:currently\s+|now\s+|also\s+)?(?:the\s+|a\s+|an\s+|its\s+|their\s+)?"
    r"(?:[a-z'-]+\s+){0,8}?$"
)
# Role before person: "Malian president Assimi Goita", "junta leader and interim president, Colonel X".
TITLES = (
    r"(?:colonel|col\.?|general|gen\.?|lieutenant|lt\.?|major|maj\.?|captain|capt\.?|commander|"
    r"sergeant|sgt\.?|imam|sheikh|bishop|dr\.?|mr\.?|mrs\.?|ms\.?|division\s+general|"
    r"brigadier(?:\s+general)?|brig\.?(?:\s+gen\.?)?|field\s+marshal|marshal)(?:-[a-z]+)?"
)
ROLE_THEN_PERSON = re.compile(
    r"^\]?(?:\s+and\s+(?:[a-z'-]+\s+){0,4}?[a-z'-]+)?(?:\s+of\s+(?:the\s+)?[\w' -]{2,40}?)?\s*,?\s*"
    rf"(?:the\s+)?(?:{TITLES}\s+)*$"
)
DEMONYMS = {
    "malian": "mali", "mali's": "mali", "burkinabe": "burkina-faso", "nigerien": "niger",
    "french": "france", "russian": "russia", "algerian": "algeria",
}  # fmt: skip
NOT_A_HOLDER_BEFORE = re.compile(r"\b(?:deputy|vice)[\s-]*$")
# Offices of a state: held "in" the country even when the text says "the junta's leader".
STATE_ROLES = ("InterimPresident", "JuntaLeader", "HeadOfState", "PrimeMinister", "ForeignMinister",
               "DefenceMinister", "President", "Minister")  # fmt: skip
# "X is the governor of Y ..., and has also been the head of Z": a second predicate of X.
SECOND_PREDICATE = re.compile(
    r"^\s+(?:is|was|has\s+been)\b[^.;]{0,120},?\s+and\s+(?:has\s+|had\s+)?(?:also\s+)?"
    r"(?:been|served\s+as|is|was)\s+(?:the\s+|a\s+|an\s+)?(?:[a-z'-]+\s+){0,2}$"
)


def role_claims(ctx: SentenceContext, attributions: list[Attribution]) -> list[RoleClaim]:
    """Role claims for each role word joined to a person in the sentence."""
    claims: list[RoleClaim] = []
    taken: list[tuple[int, int]] = []
    seen: set[tuple[str, str, str | None]] = set()
    persons = [m for m in ctx.mentions if ctx.is_a(m.key, "Person")]
    if not persons:
        return claims
    for role, pattern in COMPILED:
        for match in pattern.finditer(ctx.folded):
            if any(b <= match.start() < e for b, e in taken):
                continue
            holder = holder_of(ctx, match, persons)
            if holder is None:
                continue
            taken.append((match.start(), match.end()))
            places = within_of(ctx, match, holder)
            role, places = led_by(ctx, match, role, places)
            role = military_head(ctx, match, role, places)
            if role in STATE_ROLES:
                places = state_of(ctx, match, places)
            for within in places or [None]:
                if (holder.key, role, within) in seen:
                    continue
                seen.add((holder.key, role, within))
                start, end = role_dates(ctx, match, frame_date(ctx, match.start()))
                for a in applicable(attributions, match.start()):
                    claims.append(RoleClaim(
                        rule=RULE.format(role.lower()), evidence=ctx.evidence(), claimant=a.claimant,
                        polarity=a.polarity, holder=holder.key, role=role, within=within,
                        start=start, end=end,
                    ))  # fmt: skip
    return claims


LED_COUP = re.compile(r"\b(?:coup|putsch|mutiny|junta|takeover)\b[^,.;]{0,25}$")
LED_FIGHT = re.compile(
    r"\b(?:attacks?|assaults?|offensive|raids?|operations?|ambush|battle|column|convoy|forces|"
    r"troops|fighters|soldiers|elements|units?|mission|campaign|(?:army|armed|military)\s+wing)\b[^,.;]{0,25}$"
)


def led_by(
    ctx: SentenceContext, match: re.Match[str], role: str, places: list[str]
) -> tuple[str, list[str]]:
    """ "A coup led by X": X is the junta leader of the country; "the attack led by X",
    "forces led by X": X is their commander."""
    if match.group(0) != "led by":
        return role, places
    before = ctx.folded[max(0, match.start() - 60) : match.start()]
    if LED_COUP.search(before):
        return "JuntaLeader", [ctx.main_country] if ctx.main_country else []
    if LED_FIGHT.search(before):
        return "Commander", places
    return role, places


MILITARY_UNIT = re.compile(
    r"^\s+of\s+(?:the\s+)?(?:[\w'-]+\s+){0,4}?(?:base|garrison|camp|unit|brigade|battalion|"
    r"regiment|guard|corps|division|squadron|company|special\s+forces|operation)\b"
)


def military_head(ctx: SentenceContext, match: re.Match[str], role: str, places: list[str]) -> str:
    """The head of a base, a unit or armed forces commands it: "the head of the Presidential
    Guard", "head of the Sevare military base" are commanders, not leaders."""
    if role != "Leader":
        return role
    if MILITARY_UNIT.match(ctx.folded[match.end() : match.end() + 80]):
        return "Commander"
    if places and all(ctx.is_a(p, "NationalArmedForces") for p in places):
        return "Commander"
    return role


BEGINS = re.compile(
    r"\b(?:installed|appointed|named|sworn\s+in|became|elected|promoted|took\s+office)\b"
)


def role_dates(
    ctx: SentenceContext, match: re.Match[str], phrase: DatedPhrase | None
) -> tuple[TimeSpan | None, TimeSpan | None]:
    """ "since May 2021" and "was appointed governor on 22 November" date the start; any other
    date ("the junta leader said on Tuesday") is when the role was seen held: start == end."""
    if phrase is None:
        return None, None
    if phrase.start is not None and phrase.end is None:
        return phrase.start, None  # since ...
    if phrase.start is None:
        return None, phrase.end  # until ...
    if BEGINS.search(ctx.folded[max(0, match.start() - 40) : match.start()]):
        return phrase.start, None
    lead = ctx.folded[max(0, ctx.local(phrase.begin) - 50) : ctx.local(phrase.begin)]
    if re.search(r"\bsince\b[^,.;]*$", lead):
        return phrase.start, None  # "since he came to power in May 2021"
    return phrase.start, phrase.end


def holder_of(ctx: SentenceContext, match: re.Match[str], persons: list[Mention]) -> Mention | None:
    """The person the role word is joined to, before or after it."""
    role_begin, role_end = ctx.absolute(match.start()), ctx.absolute(match.end())
    if NOT_A_HOLDER_BEFORE.search(ctx.folded[max(0, match.start() - 8) : match.start()]):
        return None
    after = [p for p in persons if p.begin >= role_end and p.begin - role_end <= 60]
    for person in after[:1]:
        gap = ctx.folded[ctx.local(role_end) : ctx.local(person.begin)]
        own_title = any(p.search(gap) for _, p in COMPILED) and re.search(
            r"\b(?:his|her|its|their|the)\b", gap
        )
        if ROLE_THEN_PERSON.match(gap) and not own_title:
            return person
    before = [p for p in persons if p.stop <= role_begin and role_begin - p.stop <= 70]
    for person in before[-1:]:
        gap = ctx.folded[ctx.local(person.stop) : ctx.local(role_begin)]
        if PERSON_THEN_ROLE.match(gap):
            return person
    far = [p for p in persons if p.stop <= role_begin and role_begin - p.stop <= 200]
    for person in far[-1:]:
        gap = ctx.folded[ctx.local(person.stop) : ctx.local(role_begin)]
        if SECOND_PREDICATE.match(gap):
            return person
    return None


def state_of(ctx: SentenceContext, match: re.Match[str], found: list[str]) -> list[str]:
    """A state office is held in a state: the one named with it, else the document's country."""
    inside = [m.key for m in ctx.between(ctx.absolute(match.start()), ctx.absolute(match.end()))]
    found = found + inside
    international = [k for k in found if ctx.is_a(k, "Organisation") and not ctx.is_a(k, "State")
                     and not ctx.country_of(k)]  # fmt: skip
    if international and re.match(r"\s+of\s+", ctx.folded[match.end() : match.end() + 6]):
        return international[:1]  # "the current president of the G5 Sahel"
    states = [k for k in found if ctx.is_a(k, "State")] + [
        c for k in found if (c := ctx.country_of(k))
    ]
    if states:
        return states[:1]
    lead = max(0, match.start() - 30)
    for word in list(re.finditer(r"[a-z']+", ctx.folded[lead : match.start()]))[::-1][:5]:
        if not ctx.sentence.text[lead + word.start()].isupper():
            continue  # "us", "chad", "turkey" in lower case name no country
        country = _demonym_country(ctx, word.group())
        if country:
            return [country]
    told = _sentence_countries(ctx)
    if len(told) == 1:
        return told  # "French troops ..., Foreign Minister Laurent Fabius said"
    return [ctx.main_country] if ctx.main_country else found


def _sentence_countries(ctx: SentenceContext) -> list[str]:
    """The distinct countries the sentence names, by name or by demonym."""
    keys = [m.key for m in ctx.mentions if ctx.is_a(m.key, "Country")]
    keys += [c for m in ctx.mentions if (c := ctx.country_of(m.key))]
    for word in re.finditer(r"\b[A-Z][a-z]+(?:['’]s)?", ctx.sentence.text):
        country = _demonym_country(ctx, fold(word.group()))
        if country:
            keys.append(country)
    return list(dict.fromkeys(keys))


def _demonym_country(ctx: SentenceContext, word: str) -> str | None:
    """The country a demonym or possessive names ("sudanese", "mali's"): the registry's
    demonyms, then the short list kept here."""
    name = word[:-2] if word.endswith("'s") else word
    key = ctx.lookup(name)
    if key and ctx.is_a(key, "Country"):
        return key
    return DEMONYMS.get(word)


_GENERIC_CLASS = {"government": "Government", "junta": "Junta", "army": "NationalArmedForces",
                  "military": "NationalArmedForces"}  # fmt: skip
GROUP_REFERENCE = re.compile(r"\b(?:its|the\s+(?:group|movement|organi[sz]ation)['’]s)\s+(?:[a-z-]+\s+){0,2}$")
GROUP_OF = re.compile(r"\s+of\s+the\s+(?:group|movement|organi[sz]ation)\b")
_GENERIC_BEFORE = re.compile(r"\b(government|junta|army|military)\s+$")


def within_of(ctx: SentenceContext, match: re.Match[str], holder: Mention) -> list[str]:
    """Where the role is held: "of X" / "for X" after it, or an agent, place or demonym right
    before it."""
    rest = ctx.folded[match.end() : match.end() + 160]
    of = re.match(r"\s+(?:of|for|at|within)\s+(?:the\s+)?", rest)
    if of:
        stop = re.search(r"[,.;]|\bsince\b|\bon\b|\bin\s+\d", rest[of.end() :])
        end = match.end() + of.end() + (stop.start() if stop else len(rest) - of.end())
        found = [m.key for m in ctx.between(ctx.absolute(match.end()), ctx.absolute(end))
                 if m.key != holder.key and not ctx.is_a(m.key, "Person")]  # fmt: skip
        if found:
            return found
    before = ctx.folded[max(0, match.start() - 30) : match.start()]
    adjacent = [m for m in ctx.between(ctx.absolute(max(0, match.start() - 30)), ctx.absolute(match.start()))
                if not ctx.is_a(m.key, "Person")
                and not ctx.folded[ctx.local(m.stop) : match.start()].strip(" 's")]  # fmt: skip
    if adjacent:
        return [adjacent[-1].key]
    demonym = re.search(r"([a-z']+)\s+(?:[a-z-]+\s+)?$", before)
    capital = demonym and ctx.sentence.text[max(0, match.start() - 30) + demonym.start(1)].isupper()
    country = _demonym_country(ctx, demonym.group(1)) if capital else None
    if country:
        return [country]
    if match.group(0) == "led by":  # "The RSF is led by Gen X": the clause's subject
        begin, _ = clause_bounds(ctx, match.start())
        subject = [m for m in ctx.agents(begin, ctx.absolute(match.start()))
                   if not ctx.is_a(m.key, "Person") and not ctx.is_a(m.key, "State")]  # fmt: skip
        if subject:
            return [subject[-1].key]
    if GROUP_REFERENCE.search(before) or GROUP_OF.match(rest):
        told = [k for k in ctx.previous_subjects
                if ctx.is_a(k, "Organisation") and not ctx.is_a(k, "State")]  # fmt: skip
        if told or ctx.main_group:  # "The movement ... Its de facto leader X", "the group's chairman"
            return told[:1] or [ctx.main_group]  # type: ignore[list-item]
    generic = _GENERIC_BEFORE.search(before)
    if generic and ctx.main_country:  # "a government spokesman": the country's government
        institution = ctx.institution_of(ctx.main_country, _GENERIC_CLASS[generic.group(1)])
        if institution:
            return [institution]
    return []
