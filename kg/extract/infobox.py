"""Claims from the fields of a page's infobox (see :mod:`kg.extract.structured`).

What the fields say, read as an analyst reads them:

- the page's **subject event**: its type from the title's head word
  (``wordlists/event_titles.tsv``: "Battle of Konna" is a Battle), its place
  (the ``place`` field, else the place the title names), its date (the
  ``date`` field's first date), its sides (the numbered ``sides`` fields);
- **commanders** of each side (role ``Commander`` within the side's first
  agent when the side is known); names the registry does not know are
  discovered as persons, split by the parse's PERSON spans when a rendering
  glued them together;
- **leaders** by title (``President: X, Vice-President: Y``), within the
  page's subject organisation;
- **members** of the subject organisation, with their end dates
  (``Mali (until May 2022)`` is a leave).

Every claim quotes the field value it comes from (offsets into the text) and
is the publisher's claim. Casualty and result fields are prose-like and left
to the sentence rules, which read them like any other sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kg.claims import within
from kg.claims.context import make_evidence
from kg.dates import find_dates
from kg.extract.structured import Field, fields
from kg.extract.wordlists import rows, table
from kg.iris import slugify
from kg.mentions import TITLE_WORDS, guess_types
from kg.model import (
    Claim,
    DatedPhrase,
    Document,
    Entity,
    EventClaim,
    MembershipClaim,
    Mention,
    RoleClaim,
    Sentence,
)
from kg.text import fold

__all__ = ["InfoboxResult", "infobox_claims"]

RULE = "infobox.{}.v1"
_NAME_WORD = re.compile(
    r"[A-ZÀ-Ý][\w'’.-]*|(?:al|el|ad|ag)-[A-ZÀ-Ý][\w'’-]*|(?:ag|ould|ben|bin|al|el|ibn|de|du|le)\b"
)
_IMAGE = (
    r"(?:Flag of |Drapeau (?:de |du |de la )?|Bandiera (?:del |della )?)?"
    r"((?:[\w'()-]+ ?){1,6}?)(?:[ _]flag)?\.(?:svg|jpe?g|png|gif)\b"
)
_RESIDUE = re.compile(r"\[\d+\]|†|\bKIA\b|\bPOW\b|\(POW\)|\(WIA\)|\bWIA\b|[*•]|" + _IMAGE, re.I)
_FLAG = re.compile(_IMAGE, re.I)  # an image file name: a flag names the side of the name after it
_UNTIL = re.compile(r"\(\s*(?:until|till|to|left(?:\s+in)?)\s+([^)]+)\)", re.I)
_SINCE = re.compile(r"\(\s*(?:since|from|joined(?:\s+in)?)\s+([^)]+)\)", re.I)


@dataclass
class InfoboxResult:
    """The claims of a page's infobox, with the mentions and persons it added."""

    claims: list[Claim] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    """What the infobox rules read of the document."""

    doc: Document
    mentions: Sequence[Mention]
    dates: Sequence[DatedPhrase]
    is_a: Callable[[str, str], bool]
    publisher: str
    lookup: Callable[[str], str | None] = lambda name: None


def infobox_claims(
    doc: Document,
    mentions: Sequence[Mention],
    dates: Sequence[DatedPhrase],
    is_a: Callable[[str, str], bool],
    publisher: str,
    lookup: Callable[[str], str | None] = lambda name: None,
) -> InfoboxResult:
    """The claims of every infobox field of ``doc`` (nothing when it has none);
    ``lookup`` finds a registry key by name (the place a title names)."""
    found = fields(doc.text)
    result = InfoboxResult()
    if not found:
        return result
    page = Page(doc, mentions, dates, is_a, publisher, lookup)
    sides = _sides(page, found, result)
    _subject_event(page, found, sides, result)
    for item in found:
        if item.name == "commanders":
            _commanders(page, item, sides, result)
        elif item.name == "leaders":
            _leaders(page, item, result)
        elif item.name == "members":
            _members(page, item, result)
    from kg.extract.profile import profile_claims  # it builds on this module's readers

    profile_claims(page, found, result)
    return result


# --- the page's subject ----------------------------------------------------


def _title_line(doc: Document) -> tuple[int, int] | None:
    """The span of the page's title in its text: the first line when it is the title."""
    first = doc.text.split("\n", 1)[0]
    lead = len(first) - len(first.lstrip())
    title = first.strip()
    if title and (not doc.title or fold(doc.title).startswith(fold(title)[:20])):
        return lead, lead + len(title)
    return None


def subject_type(title: str) -> str | None:
    """The event type a page title names by its head word, or None.

    >>> subject_type("Battle of Konna"), subject_type("2020 Malian coup d'état")
    ('Battle', 'Coup')
    >>> subject_type("Kidal") is None
    True
    """
    folded = fold(title)
    for row in rows("event_titles"):
        if re.search(rf"(?<![\w-]){re.escape(row[0])}(?![\w-])", folded):
            return row[1]
    return None


def _inside(spans: Sequence[Mention], begin: int, stop: int) -> list[Mention]:
    """The mentions (sorted by offset) wholly inside [begin, stop), by bisection."""
    return within(spans, Sentence(begin, stop, ""))


def _places(page: Page, begin: int, stop: int) -> list[Mention]:
    return [m for m in _inside(page.mentions, begin, stop) if page.is_a(m.key, "Place")]


def _agents(page: Page, begin: int, stop: int) -> list[str]:
    keys: list[str] = []
    for m in _inside(page.mentions, begin, stop):
        if page.is_a(m.key, "Agent") and not page.is_a(m.key, "Person") and m.key not in keys:
            keys.append(m.key)
    return keys


_SUPPORT = re.compile(r"-{2,}|\bsupported by\b|\bbacked by\b|\bwith support\b|[,;\n]", re.I)


def _sides(page: Page, found: list[Field], result: InfoboxResult) -> dict[int, list[str]]:
    """Each numbered side's agents: the side's own name first (its first segment, before
    "Supported by" and its allies), then the agents named in the cell."""
    sides: dict[int, list[str]] = {}
    for item in found:
        if item.name != "sides" or item.side is None:
            continue
        keys = sides.setdefault(item.side, [])
        head = _side_name(page, item, result)
        for key in ([head] if head else []) + _agents(page, item.begin, item.stop):
            if key not in keys:
                keys.append(key)
    return sides


def _side_name(page: Page, item: Field, result: InfoboxResult) -> str | None:
    """The agent a side cell names first: a mention covering its first segment, a
    registry name, or a new organisation named by that segment ("Government of Mali")."""
    cut = _SUPPORT.search(item.value)
    head = item.value[: cut.start()] if cut else item.value
    blanked = _RESIDUE.sub(lambda m: " " * len(m.group()), head)  # offsets stay the text's
    lead = len(blanked) - len(blanked.lstrip())
    begin, stop = item.begin + lead, item.begin + len(blanked.rstrip())
    segment = " ".join(blanked.split())
    if not segment:
        return None
    whole = [m for m in _inside(page.mentions, begin, stop) if (m.begin, m.stop) == (begin, stop)]
    if whole:
        return whole[0].key if page.is_a(whole[0].key, "Agent") else None
    known = page.lookup(segment)
    if known:
        return known if page.is_a(known, "Agent") else None
    words = segment.split()
    if not 2 <= len(words) <= 8 or not words[0][:1].isupper():
        return None
    key = slugify(segment)
    if key == "x":  # nothing left of the name in ASCII
        return None
    if key not in {e.key for e in result.entities}:
        result.entities.append(Entity(
            key=key, label=segment, types=guess_types(segment), discovered=True,
            first_seen=page.doc.doc_id,
        ))  # fmt: skip
    result.mentions.append(Mention(begin, stop, page.doc.text[begin:stop], key, "infobox"))
    return key


def _subject_event(
    page: Page, found: list[Field], sides: dict[int, list[str]], result: InfoboxResult
) -> None:
    title = page.doc.title or page.doc.text.split("\n", 1)[0]
    event_type = subject_type(title)
    dated = next((f for f in found if f.name == "date"), None)
    if event_type is None or dated is None:
        return
    # the field's own dates: a glued key ("Date17-25 January") hides the first day from the
    # document's date finder
    phrases = find_dates(dated.value, page.doc.published)
    start = next((d.start or d.end for d in phrases if d.start or d.end), None)
    end = next((d.end for d in phrases if d.end and d.end != start), None)
    place_field = next((f for f in found if f.name == "place"), None)
    places = _places(page, place_field.begin, place_field.stop) if place_field else []
    title_span = _title_line(page.doc)
    if not places and title_span:
        places = _places(page, *title_span)
    place = _most_specific(page, places) or _title_place(page, title)
    result.claims.append(EventClaim(
        rule=RULE.format("subject"), evidence=make_evidence(page.doc, dated.begin, dated.stop),
        claimant=page.publisher, event_type=event_type, label=title.strip(),
        side_a=tuple(sides.get(1, ())), side_b=tuple(sides.get(2, ())),
        place=place, start=start, end=end,
    ))  # fmt: skip


_TITLE_PLACE = re.compile(r"\b(?:of|in|at|for|on)\s+((?:[A-ZÀ-Ý][\w'’-]*\s?){1,3})")


def _title_place(page: Page, title: str) -> str | None:
    """The place a title names after "of" / "in" ("Siege of Xtown (1999)": Xtown)."""
    for match in _TITLE_PLACE.finditer(title):
        key = page.lookup(match.group(1).strip())
        if key and page.is_a(key, "Place"):
            return key
    return None


def _most_specific(page: Page, places: list[Mention]) -> str | None:
    """The first town or site of the places, else the first place."""
    for cls in ("Settlement", "Site", "Region", "Place"):
        for mention in places:
            if page.is_a(mention.key, cls):
                return mention.key
    return None


# --- people ------------------------------------------------------------------


def _commanders(
    page: Page, item: Field, sides: dict[int, list[str]], result: InfoboxResult
) -> None:
    side = sides.get(item.side, []) if item.side is not None else []
    own = None if sides or subject_type(page.doc.title or "") else _subject_organisation(page)
    for key, at in _persons(page, item, result, with_offsets=True):
        within = side[0] if side else (_flag_before(page, item.begin, at) or own)
        result.claims.append(RoleClaim(
            rule=RULE.format("commander"), evidence=make_evidence(page.doc, item.begin, item.stop),
            claimant=page.publisher, holder=key, role="Commander", within=within,
        ))  # fmt: skip


def _flag_before(page: Page, begin: int, at: int) -> str | None:
    """The side a flag image before a name stands for ("Flag of Mali.svg Cpt. X": Mali)."""
    flags = list(_FLAG.finditer(page.doc.text, begin, at))
    if not flags:
        return None
    name = re.sub(r"[ _]flag$", "", flags[-1].group(1).replace("_", " ").strip(), flags=re.I)
    key = page.lookup(name)
    return key if key and page.is_a(key, "Agent") else None


def _persons(page: Page, item: Field, result: InfoboxResult, with_offsets: bool = False) -> list:  # type: ignore[type-arg]
    """The persons a field names: known ones by their mentions, others discovered
    (with their offsets when asked)."""
    keys: list[tuple[str, int]] = []
    covered: list[tuple[int, int]] = []
    for mention in _inside(page.mentions, item.begin, item.stop):
        covered.append((mention.begin, mention.stop))
        if page.is_a(mention.key, "Person") and mention.key not in {k for k, _ in keys}:
            keys.append((mention.key, mention.begin))
    for begin, stop in _name_spans(page.doc.text, item.begin, item.stop):
        if any(b < stop and begin < e for b, e in covered):
            continue
        key = _discover_person(page, begin, stop, result)
        if key and key not in {k for k, _ in keys}:
            keys.append((key, begin))
    keys.sort(key=lambda pair: pair[1])
    return keys if with_offsets else [k for k, _ in keys]


def _name_spans(text: str, begin: int, stop: int) -> list[tuple[int, int]]:
    """Runs of two to five name words between separators and rendering residue; a run of
    more words (names glued by a rendering) is split by the parse's PERSON spans."""
    value = _RESIDUE.sub(lambda m: " " * len(m.group()), text[begin:stop])
    spans: list[tuple[int, int]] = []
    for chunk in re.finditer(r"(?:[^,;\n()\t ]| (?! ))+", value):  # two spaces part names
        words = list(_NAME_WORD.finditer(chunk.group()))
        if not words:
            continue
        run = [w for w in words if w.group()[0].isupper()]
        if len(words) != len(chunk.group().split()) or not 2 <= len(run) <= 5:
            if len(run) > 5:
                spans += _split_by_parse(text, begin + chunk.start(), begin + chunk.end())
            continue
        while words and (
            fold(words[0].group().rstrip(".")) in TITLE_WORDS
            or re.fullmatch(r"[A-Z][a-z]{1,3}\.", words[0].group())  # Cpt., Col., Lt.
        ):
            words.pop(0)
        if len(words) < 2:
            continue
        first, last = words[0], words[-1]
        spans.append((begin + chunk.start() + first.start(), begin + chunk.start() + last.end()))
    return spans


def _split_by_parse(text: str, begin: int, stop: int) -> list[tuple[int, int]]:
    from kg.extract.analysis import entity_spans

    return [
        (begin + b, begin + e)
        for b, e, _ in entity_spans(text[begin:stop], frozenset({"PERSON"}))
        if len(text[begin + b : begin + e].split()) >= 2
    ]


def _discover_person(page: Page, begin: int, stop: int, result: InfoboxResult) -> str | None:
    name = page.doc.text[begin:stop]
    key = slugify(name)
    if not key or key == "x":
        return None
    if key not in {e.key for e in result.entities}:
        result.entities.append(Entity(
            key=key, label=name, types=("Person",), discovered=True,
            first_seen=page.doc.doc_id,
        ))  # fmt: skip
    result.mentions.append(Mention(begin, stop, name, key, "infobox"))
    return key


# --- organisations -------------------------------------------------------------


def _subject_organisation(page: Page) -> str | None:
    """The organisation the page is about: named by its title line, or by its title."""
    title_span = _title_line(page.doc)
    agents = _agents(page, *title_span) if title_span else []
    if agents:
        return agents[0]
    key = page.lookup(page.doc.title.strip()) if page.doc.title else None
    if key and page.is_a(key, "Agent") and not page.is_a(key, "Person"):
        return key
    wanted = fold(page.doc.title.strip()) if page.doc.title else None
    for mention in page.mentions:
        if (
            wanted
            and fold(mention.text) == wanted
            and page.is_a(mention.key, "Agent")
            and not page.is_a(mention.key, "Person")
        ):
            return mention.key
    return None


def _leaders(page: Page, item: Field, result: InfoboxResult) -> None:
    """ "President: X, Vice-President: Y": each title before a name gives that role."""
    organisation = _subject_organisation(page)
    titles = table("role_titles")
    text = page.doc.text
    titled = False
    for match in re.finditer(
        r"([A-Za-z][A-Za-z -]{1,40}?)\s*:\s*([^,;:\n]+)", text[item.begin : item.stop]
    ):
        role = titles.get(" ".join(fold(match.group(1)).split()))
        if role is None:
            continue
        titled = True
        begin, stop = item.begin + match.start(2), item.begin + match.end(2)
        sub = Field(item.name, item.side, begin, stop, text[begin:stop])
        for key in _persons(page, sub, result):
            result.claims.append(RoleClaim(
                rule=RULE.format("leader"),
                evidence=make_evidence(page.doc, item.begin + match.start(), stop),
                claimant=page.publisher, holder=key, role=role, within=organisation,
            ))  # fmt: skip
    if not titled:
        from kg.extract.profile import untitled_leaders

        untitled_leaders(page, item, result)


def _members(page: Page, item: Field, result: InfoboxResult) -> None:
    """Members of the page's organisation; "(until May 2022)" after one is its leave."""
    organisation = _subject_organisation(page)
    if organisation is None:
        return
    text = page.doc.text
    for part in re.finditer(r"[^,;\n]+", text[item.begin : item.stop]):
        begin, stop = item.begin + part.start(), item.begin + part.end()
        members = _agents(page, begin, stop)
        if not members or members[0] == organisation:
            continue
        until = _UNTIL.search(part.group())
        since = _SINCE.search(part.group())
        phrases = [d for d in page.dates if begin <= d.begin and d.stop <= stop]
        end = next((d.start or d.end for d in phrases), None) if until else None
        start = next((d.start for d in phrases if d.start), None) if since else None
        change = "leave" if until and end else "state"
        result.claims.append(MembershipClaim(
            rule=RULE.format("member"), evidence=make_evidence(page.doc, begin, stop),
            claimant=page.publisher, member=members[0], organisation=organisation,
            change=change, start=start if change == "state" else None,
            end=end if change == "leave" else None,
        ))  # fmt: skip
