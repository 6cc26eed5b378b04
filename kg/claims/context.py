"""What every claim rule sees of a sentence: its text, entity mentions and dates.

A :class:`SentenceContext` is built once per sentence; the rules in the
sibling modules read it and never touch the raw document again. Offsets are
always into ``Document.text``; ``folded`` is the sentence in
:func:`kg.text.fold` form (same length), so a regex match on it gives true
offsets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from kg.model import DatedPhrase, Document, Evidence, Mention, Sentence

QUOTE_CONTEXT = 32  # characters of prefix / suffix kept for oa:TextQuoteSelector


@dataclass(frozen=True)
class SentenceContext:
    """One sentence with its mentions and dates, plus the document it comes from."""

    doc: Document
    sentence: Sentence
    folded: str  # fold(sentence.text): lower-case, accent-free, same length
    mentions: tuple[Mention, ...]
    dates: tuple[DatedPhrase, ...]
    is_a: Callable[[str, str], bool]  # registry type test: is_a(key, "Place")
    previous_subjects: tuple[str, ...] = ()  # actors of the sentence before, for "They ..."
    paragraph_date: DatedPhrase | None = None  # the last date of the paragraph so far
    paragraph_place: str | None = None  # the last town or site the paragraph named before
    last_town: str | None = None  # the last town the document named before ("the town" later)
    last_country: str | None = None  # the last country named before ("the country" later)
    lookup: Callable[[str], str | None] = lambda name: None  # a name -> its registry key
    main_country: str | None = None  # the country the document mentions most
    main_alliance: str | None = None  # the alliance or organisation it mentions most
    main_group: str | None = None  # the armed group or movement it mentions most ("the group")
    country_of: Callable[[str], str | None] = lambda key: None  # a national body's country
    forces_of: Callable[[str], str | None] = lambda key: None  # a country's armed forces
    # a country's institution of a class (Government, Junta, NationalArmedForces), if one
    institution_of: Callable[[str, str], str | None] = lambda key, cls: None
    label_of: Callable[[str], str | None] = lambda key: None  # an entity's English label

    @cached_property
    def cuts(self) -> tuple[tuple[int, int], ...]:
        """Spans of the clause-cutting words and marks of the sentence, in order."""
        return tuple(m.span() for m in _CLAUSE_CUT.finditer(self.folded))

    @property
    def begin(self) -> int:
        return self.sentence.begin

    def local(self, offset: int) -> int:
        """Document offset -> offset within the sentence."""
        return offset - self.sentence.begin

    def absolute(self, offset: int) -> int:
        """Offset within the sentence -> document offset."""
        return offset + self.sentence.begin

    def between(self, begin: int, stop: int) -> list[Mention]:
        """Mentions wholly inside document offsets [begin, stop)."""
        return [m for m in self.mentions if m.begin >= begin and m.stop <= stop]

    def of_type(self, mentions: Iterable[Mention], cls: str) -> list[Mention]:
        return [m for m in mentions if self.is_a(m.key, cls)]

    def agents(self, begin: int, stop: int) -> list[Mention]:
        return self.of_type(self.between(begin, stop), "Agent")

    def places(self, begin: int, stop: int) -> list[Mention]:
        """Places named in [begin, stop), not counting demonyms ("Malian" is not a place)."""
        return [
            m for m in self.of_type(self.between(begin, stop), "Place") if not self.is_demonym(m)
        ]

    def is_demonym(self, mention: Mention) -> bool:
        """ "Malian", "Russian", "French": a nationality adjective, not the state's name."""
        text = self.folded[self.local(mention.begin) : self.local(mention.stop)]
        return bool(_DEMONYM.search(text)) and self.is_a(mention.key, "State")

    def dates_between(self, begin: int, stop: int) -> list[DatedPhrase]:
        return [d for d in self.dates if d.begin >= begin and d.stop <= stop]

    def evidence(self) -> Evidence:
        """The whole sentence as the claim's quote (an exact slice of the document)."""
        return make_evidence(self.doc, self.sentence.begin, self.sentence.stop)


_DEMONYM = re.compile(r"(?:ian|ese|ish|ench|abe|be|ien|ine|ois|ais)s?$")


def make_evidence(doc: Document, begin: int, stop: int) -> Evidence:
    """Evidence for doc.text[begin:stop], trimmed of surrounding white space."""
    text = doc.text
    while begin < stop and text[begin].isspace():
        begin += 1
    while stop > begin and text[stop - 1].isspace():
        stop -= 1
    return Evidence(
        doc_id=doc.doc_id,
        begin=begin,
        stop=stop,
        quote=text[begin:stop],
        prefix=text[max(0, begin - QUOTE_CONTEXT) : begin],
        suffix=text[stop : stop + QUOTE_CONTEXT],
    )


def unique(keys: Iterable[str]) -> tuple[str, ...]:
    """Keys in first-seen order, without repeats."""
    return tuple(dict.fromkeys(keys))


def words(*alternatives: str) -> str:
    """A regex group matching any of the phrases as whole words (spaces flexible)."""
    parts = sorted(
        (re.escape(a).replace(r"\ ", r"\s+") for a in alternatives), key=len, reverse=True
    )
    return r"\b(?:" + "|".join(parts) + r")\b"


def clause_bounds(ctx: SentenceContext, at: int) -> tuple[int, int]:
    """Document offsets of the clause around local offset ``at``.

    Clauses are cut at ';', quotes, 'but', 'while', 'after', 'when', 'which', 'that' ...;
    commas are kept, since appositions ("Mali's army, backed by ...,") are part
    of the clause.
    """
    left, right = 0, len(ctx.folded)
    for start, end in ctx.cuts:
        cut = start if start >= at else end
        if cut <= at:
            left = max(left, cut)
        else:
            right = min(right, cut)
    return ctx.absolute(left), ctx.absolute(right)


_CLAUSE_CUT = re.compile(
    r";|\"|\bbut\b|\bwhile\b|\bwhereas\b|\bafter\b|\bbefore\b|\bwhen\b|\buntil\b|\bwhich\b|\bwho\b|"
    r"\bthat\b|\bwhere\b"
)
SUBORDINATE = re.compile(
    r"(?:\bafter|\bbefore|\buntil|\bsince)\s*$"
)  # another time than the main clause
SIMULTANEOUS = re.compile(r"(?:\bwhen|\bwhile|\bas)\s*$")  # the same time as the clause before
