"""Casualty figures: each reported number is its own claim, never merged.

"fourteen civilians killed", "killing fourteen civilians ... and injuring over
thirty others", "At least 39 peacekeepers were injured", "around twenty
civilians ... were killed", "Dozens of civilians ... have been killed", "Ten
CSP-PSD vehicles were destroyed", "14+ civilians killed", "heavy losses".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.claims.attribution import Attribution, applicable
from kg.claims.context import SentenceContext
from kg.claims.frames import frame_date, point
from kg.model import CasualtyClaim, CasualtyKind, DatedPhrase

RULE = "casualty.{}.v1"

UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "a hundred": 100, "one hundred": 100, "a dozen": 12,
}  # fmt: skip
VAGUE = (
    r"(?:several|a\s+few|many)\s+(?:hundred|thousand|dozen)",
    "dozens",
    "scores",
    "hundreds",
    "several",
    "many",
    "a handful",
    "numerous",
    r"an?\s+(?:important|large|significant|great|high|unknown)?\s*number",
)
_NUMBER_WORD = "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))
QUALIFIER = r"(?:at\s+least|about|around|some|approximately|nearly|almost|over|more\s+than|up\s+to|roughly|an\s+estimated)"  # noqa: E501
NUMBER = (
    rf"(?:between\s+\d{{1,3}}(?:,\d{{3}})*\s+and\s+\d{{1,3}}(?:,\d{{3}})*|"
    rf"(?:{QUALIFIER}\s+)?(?:\d{{1,3}}(?:,\d{{3}})*\+?|(?:{_NUMBER_WORD})(?:-(?:{_NUMBER_WORD}))?"
    rf"|{'|'.join(VAGUE)}))"
)
Q = r"[\"'“”‘’]?"  # figures and verbs are often quoted: killed "about fifty", "neutralised" 203
VICTIM = r"(?:[a-z][a-z'-]*\s+){0,3}?(?:soldier|civilian|person|officer|peacekeeper|fighter|pilot|child|woman|man|civilians|people|persons|peacekeepers|soldiers|troops|children|women|fighters|rebels|combatants|militants|vehicles|residents|villagers|officers|policemen|members|jihadists|terrorists|mercenaries|assailants|attackers|men|others|dead|wounded|[a-z]{3,}(?:ians|ese|s))"  # noqa: E501
KILL_WORDS = {"killed": "killed", "dead": "killed", "died": "killed", "killing": "killed",
              "injured": "injured", "wounded": "injured", "injuring": "injured", "wounding": "injured",
              "destroyed": "destroyed", "destroying": "destroyed", "captured": "captured",
              "taken prisoner": "captured", "kidnapped": "captured", "executed": "killed",
              "executing": "killed", "massacred": "killed", "neutralised": "killed",
              "neutralized": "killed", "slaughtered": "killed", "arrested": "captured",
              "lost": "killed", "losing": "killed", "murdered": "killed", "assassinated": "killed",
              "slain": "killed", "perished": "killed",
              "detained": "captured", "abducted": "captured", "rounded up": "captured",
              "deaths": "killed", "killed or captured": "losses", "killed or wounded": "losses",
              "killed or injured": "losses", "dead or wounded": "losses"}  # fmt: skip
_KILL = "|".join(sorted(map(re.escape, KILL_WORDS), key=len, reverse=True))
# "N victims (, including ...,) were killed" / "N+ civilians killed"
PASSIVE = re.compile(
    rf"\b(?P<num>{NUMBER})\s+(?:of\s+)?(?:the\s+)?(?P<victims>{VICTIM})\b(?:\s*,\s*(?:including|mainly|mostly|most\s+of\s+them|among\s+them)[^,.;]{{0,60}},)?"
    rf"(?:\s+(?:were|have\s+been|had\s+been|was|are|reportedly|been|being)){{0,3}}\s+(?P<verb>{_KILL})\b"
)
SHORT = re.compile(
    rf"(?:^|,\s*|\b)(?P<num>\d{{1,4}}\+|{NUMBER})\s+(?P<verb>(?:killed|dead)\s+or\s+(?:captured|wounded|injured)|"
    rf"dead|killed|wounded|injured|captured|deaths)\b"
)
ACTIVE = re.compile(
    rf"\b{Q}(?P<verb>killing|injuring|wounding|destroying|killed|injured|wounded|destroyed|executed|"
    rf"executing|massacred|neutrali[sz]ed|slaughtered|arrested|captured|lost|losing|murdered|"
    rf"assassinated|detained|abducted|rounded\s+up){Q}\s+{Q}(?P<num>{NUMBER}){Q}\s+"
    rf"(?:of\s+)?(?:the\s+)?{Q}(?P<victims>{VICTIM})\b"
)
# "... and 84 Wagner mercenaries", "... and arrested 51 others": the next figure of a list
FOLLOWING = re.compile(
    rf"^\s*(?:,\s*|\s+and\s+)(?:(?:we\s+)?(?:have\s+)?(?P<verb>{_KILL})\s+)?{Q}(?P<num>{NUMBER}){Q}\s+"
    rf"(?:of\s+)?(?:the\s+)?(?P<victims>{VICTIM})\b"
)
OF_DEAD = re.compile(rf"\b(?P<num>{NUMBER})\s+of\s+(?P<verb>dead|wounded|injured)\b")
LOSSES = re.compile(
    r"\b(?P<num>heavy|significant|fairly\s+significant|great|considerable|huge|serious)\s+"
    r"(?:(?:human\s+and\s+material|human|material)\s+)?(?P<victims>losses|casualties)\b"
)


ANY_TOLL = re.compile(rf"\b(?:{_KILL}|dead|losses|casualties|neutrali[sz]ed|massacred|rounded\s+up)\b")


@dataclass(frozen=True)
class Figure:
    casualty: CasualtyKind
    count_min: int | None
    count_max: int | None
    count_text: str
    victims: str
    local_at: int


def casualty_claims(ctx: SentenceContext, attributions: list[Attribution]) -> list[CasualtyClaim]:
    """One claim per figure per claimant."""
    claims: list[CasualtyClaim] = []
    if not ANY_TOLL.search(ctx.folded):
        return claims
    places = [m for m in ctx.places(ctx.sentence.begin, ctx.sentence.stop)
              if not ctx.is_a(m.key, "Country")]  # fmt: skip
    for figure in figures(ctx):
        phrase = frame_date(ctx, figure.local_at)
        for a in applicable(attributions, figure.local_at):
            claims.append(CasualtyClaim(
                rule=RULE.format(figure.casualty), evidence=ctx.evidence(), claimant=a.claimant,
                polarity=a.polarity, casualty=figure.casualty, count_min=figure.count_min,
                count_max=figure.count_max, count_text=figure.count_text, victims=figure.victims,
                place=places[0].key if places else ctx.paragraph_place,
                date=None if phrase and _vague(phrase) else point(phrase),
            ))  # fmt: skip
    return claims


@dataclass(frozen=True)
class Hit:
    """A figure found by a pattern: the count's span, its verb and its victims."""

    num_begin: int
    num_end: int
    verb: str
    victims: str | None


def hits(folded: str) -> list[Hit]:
    """Every figure pattern's matches, with the figures listed after an active one
    ("killed 47 soldiers and 84 mercenaries") sharing its verb."""
    found = []
    for pattern in (PASSIVE, ACTIVE, OF_DEAD, SHORT):
        for match in pattern.finditer(folded):
            verb, victims = match.group("verb"), match.groupdict().get("victims")
            if pattern is ACTIVE and victims in ("dead", "wounded"):
                continue  # "4 killed 10 wounded": 10 is the wounded's own figure
            verb = " ".join(verb.split())
            found.append(Hit(match.start("num"), match.end("num"), verb, victims))
            at = match.end()
            while pattern is ACTIVE and (nxt := FOLLOWING.match(folded, at)) is not None:
                found.append(
                    Hit(
                        nxt.start("num"),
                        nxt.end("num"),
                        nxt.group("verb") or verb,
                        nxt.group("victims"),
                    )
                )
                at = nxt.end()
    return found


def figures(ctx: SentenceContext) -> list[Figure]:
    """Every figure of the sentence, in text order, one per (number, kind)."""
    found: dict[tuple[int, str], Figure] = {}
    text = ctx.sentence.text
    for hit in hits(ctx.folded):
        if any(k[0] == hit.num_begin for k in found):
            continue
        casualty: CasualtyKind = KILL_WORDS[hit.verb]  # type: ignore[assignment]
        victims = hit.victims
        if victims is None or victims.endswith("others"):
            victims = _previous_victims(found) or "people"
        if victims in ("dead", "wounded"):
            victims = "people"
        low, high = parse_count(ctx.folded[hit.num_begin : hit.num_end])
        written = text[hit.num_begin : hit.num_end]
        found[(hit.num_begin, casualty)] = Figure(
            casualty, low, high, written, _head(victims), hit.num_begin
        )
    for match in LOSSES.finditer(ctx.folded):
        found[(match.start(), "losses")] = Figure(
            "losses", None, None, text[match.start("num") : match.end("num")], "", match.start()
        )
    return [found[k] for k in sorted(found)]


def _previous_victims(found: dict[tuple[int, str], Figure]) -> str | None:
    return next((f.victims for f in reversed(list(found.values())) if f.victims), None)


def _head(victims: str) -> str:
    """The noun of the victims phrase, with a kept modifier ("CSP-PSD vehicles" -> vehicles)."""
    return victims.split()[-1] if victims else ""


def _vague(phrase: DatedPhrase) -> bool:
    """"over the past two weeks": too vague to date a toll."""
    return any(t is not None and t.approximate for t in (phrase.start, phrase.end))


def parse_count(phrase: str) -> tuple[int | None, int | None]:
    """``"at least 39"`` -> (39, None); ``"fourteen"`` -> (14, 14); ``"dozens"`` -> (None, None).

    >>> parse_count("around twenty")
    (20, 20)
    >>> parse_count("over thirty")
    (30, None)
    >>> parse_count("14+")
    (14, None)
    """
    phrase = phrase.lower().strip()
    between = re.fullmatch(r"between\s+([\d,]+)\s+and\s+([\d,]+)", phrase)
    if between:  # "between 153 and 176"
        return _number_value(between.group(1)), _number_value(between.group(2))
    open_ended = bool(re.match(r"(?:at\s+least|over|more\s+than)\b", phrase)) or phrase.endswith(
        "+"
    )
    number = re.sub(rf"^{QUALIFIER}\s+", "", phrase).rstrip("+")
    value = _number_value(number)
    if value is None:
        return None, None
    if re.match(r"up\s+to\b", phrase):
        return None, value
    return value, None if open_ended else value


def _number_value(word: str) -> int | None:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})*", word):
        return int(word.replace(",", ""))
    if word in UNITS:
        return UNITS[word]
    if "-" in word:
        tens, _, unit = word.partition("-")
        if tens in UNITS and unit in UNITS:
            return UNITS[tens] + UNITS[unit]
    return None
