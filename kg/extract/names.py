"""Names nobody registered: the parse's named-entity spans, typed and minted as
discovered entities, where the registry and the mention patterns found nothing.

spaCy's small model finds the spans well and types Sahel names badly (towns as
persons, a Tuareg general as an organisation), so the spans are taken and the
types decided here: a span the registry knows is linked to it; a PERSON span
of two to five capitalised words is a person; an ORG span is typed from its
head words (:func:`kg.mentions.guess_types`); a GPE span the registry does not know
is a town (every country is registered), a LOC span an area;
a FAC span is a site. Only sentences with a capitalised word that no mention
covers are parsed, in one batch per document.

A name seen twice in a document is one entity (its slug is its key, as for
every discovered entity); a span that overlaps a mention is left to it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections.abc import Sequence
from dataclasses import dataclass

from kg.extract.wordlists import words as words_of
from kg.iris import slugify
from kg.mentions import ORG_HEADS, guess_types
from kg.model import Document, Entity, Mention
from kg.registry import Registry
from kg.text import DATELINE, fold, is_furniture, sentences

__all__ = ["NameResult", "discover_names"]

_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC"}
_CAPITAL = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZÀ-Ý][a-zà-ÿ]+")
_BAD = re.compile(r"\d|[\[\]{}|=@#/\\]|https?:|\.svg|\.jpg")
_NAME_WORD = re.compile(
    r"^(?:[A-ZÀ-Ý][\w'’.-]*|ag|ould|ben|bin|al|el|ibn|de|du|le|la|of|the|and|for|in)$"
)
_LOWER_OK = frozenset("ag ould ben bin al el ibn de du le la of the and for in".split())
_LEFT_WORD = re.compile(r"[A-ZÀ-Ý][a-zà-ÿ'’-]+ (?=\S*$)")
_LEADING = re.compile(r"^(?:the|a|an)\s+", re.I)


@dataclass(frozen=True)
class NameResult:
    """The mentions and entities the parse's names added."""

    mentions: tuple[Mention, ...]
    entities: tuple[Entity, ...]


def discover_names(doc: Document, mentions: Sequence[Mention], registry: Registry) -> NameResult:
    """Mentions of the named-entity spans no mention covers, linked or minted."""
    starts = [m.begin for m in mentions]
    todo = [
        s
        for s in sentences(doc.text)
        if not is_furniture(s.text) and _uncovered_capital(s.begin, s.text, mentions, starts)
    ]
    if not todo:
        return NameResult((), ())
    from kg.extract.analysis import names

    found: dict[str, Entity] = {}
    added: list[Mention] = []
    taken = sorted((m.begin, m.stop) for m in mentions)
    for sentence, parsed in zip(todo, names([s.text for s in todo]), strict=True):
        for ent in parsed.ents:
            if ent.label_ not in _LABELS:
                continue
            span = _clean(sentence.text, ent.start_char, ent.end_char)
            if span is None:
                continue
            begin, stop = sentence.begin + span[0], sentence.begin + span[1]
            if _overlaps(taken, begin, stop):
                continue
            name = doc.text[begin:stop]
            label = _context_label(sentence.text, span[0], ent.label_)
            key = registry.lookup(name) or _mint(name, label, found, doc.doc_id)
            if key is None:
                continue
            added.append(Mention(begin, stop, name, key, "parse"))
            insort(taken, (begin, stop))
    return NameResult(tuple(added), tuple(found[k] for k in sorted(found)))


_CALENDAR = frozenset(
    """January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday""".split()
)


_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|at|near|outside|around|into|towards?|the\s+(?:town|city|village|locality)\s+of|"
    r"captured|seized|retook|overran|entered|stormed|shelled|besieged)\s+$"
)


def _context_label(text: str, begin: int, label: str) -> str:
    """The model's label, corrected by the words around the span: a "person" right after
    "in" / "near" / "the town of" or the object of "captured" is a place; a name in a
    dateline ("KHARTOUM, Dec 19
    (Reuters) -") is a place."""
    if label in ("PERSON", "ORG") and _LOCATIVE_BEFORE.search(text[max(0, begin - 25) : begin]):
        return "GPE"
    if label in ("ORG", "PERSON") and begin == 0 and DATELINE.fullmatch(text + " "):
        return "GPE"
    return label


def _uncovered_capital(
    offset: int, text: str, mentions: Sequence[Mention], starts: list[int]
) -> bool:
    for match in _CAPITAL.finditer(text):
        if match.group() in _CALENDAR:
            continue
        at = offset + match.start()
        i = bisect_left(starts, at + 1) - 1
        covered = any(m.begin <= at < m.stop for m in mentions[max(0, i - 3) : i + 1])
        if not covered:
            return True
    return False


def _clean(text: str, begin: int, stop: int) -> tuple[int, int] | None:
    """The span trimmed of a leading article and possessive; None when it is no name."""
    value = text[begin:stop]
    gap = re.search(r"\s{2,}|\n", value)  # a name never spans a layout gap
    if gap:
        stop = begin + gap.start()
        value = text[begin:stop]
    lead = _LEADING.match(value)
    if lead:
        begin += lead.end()
    if text[begin:stop].endswith(("'s", "’s")):
        stop -= 2
    value = text[begin:stop]
    words = value.split()
    if not words or _BAD.search(value) or len(words) > 8:
        return None
    if not all(_NAME_WORD.match(w.strip(",")) for w in words) or not words[0][0].isupper():
        return None
    if words[-1].lower() in _LOWER_OK:
        return None
    if any(fold(w.strip(",")) in words_of("ethnonyms") for w in words):
        return None
    if len(text.split()) <= 5:  # a short line is one name: "Maman Sambo Sidikou" whole
        while begin > 0 and (left := _LEFT_WORD.search(text, 0, begin)) and left.end() == begin:
            begin = left.start()
    return begin, stop


def _overlaps(taken: list[tuple[int, int]], begin: int, stop: int) -> bool:
    """Does [begin, stop) overlap a span of ``taken`` (kept sorted, bisected)?"""
    at = bisect_left(taken, (begin, begin))
    before = taken[at - 1] if at else None
    return bool((before and before[1] > begin) or any(b < stop for b, _ in taken[at : at + 2]))


def _has_org_head(name: str) -> bool:
    """Does the name hold a word organisations are named by (council, party, union ...)?"""
    return any(fold(word) in ORG_HEADS for word in name.split())


def _mint(name: str, label: str, found: dict[str, Entity], doc_id: str) -> str | None:
    words = name.split()
    if label == "PERSON":
        if not 2 <= len(words) <= 5:
            return None
        types: tuple[str, ...] = ("Person",)
    elif label == "ORG":
        if len(words) == 1 and not (name.isupper() and len(name) >= 3):
            return None  # a lone capitalised word is too often a mistyped town or person
        types = guess_types(name)
        if types == ("Organisation",) and not name.isupper() and not _has_org_head(name):
            return None  # "Hamada Dicko" typed ORG here and PERSON elsewhere: no guess
    elif label == "FAC":
        types = ("Site",)
    elif label == "GPE":
        # countries are in the registry (every state of the world); an unknown GPE is a town
        types = ("Settlement",)
    else:
        types = ("Area",)
    key = slugify(name)
    if key not in found:
        found[key] = Entity(key=key, label=name, types=types, discovered=True, first_seen=doc_id)
    return key
