"""Pure text utilities that keep offsets: folding, sentences, page furniture.

Every function here maps positions one to one: :func:`fold` returns a string
of the same length as its input, so a match on the folded text is a match on
the original at the same offsets; :func:`sentences` returns spans of the
original text.

>>> fold("Goïta’s army — Léré")
"goita's army - lere"
>>> [s.text for s in sentences("Col. Goita spoke on Oct. 31. The U.N. left.")]
['Col. Goita spoke on Oct. 31.', 'The U.N. left.']
>>> is_furniture("Skip to main content"), is_furniture("The army took Kidal.")
(True, False)
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kg.model import Sentence

__all__ = [
    "fold", "sentences", "is_furniture", "continues_line", "ABBREVIATIONS", "NUMBER_ABBREVIATIONS",
]  # fmt: skip

# --- folding ---------------------------------------------------------------

_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SPACES = (
    "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)


def _fold_char(char: str) -> str:
    """One character, folded to exactly one character."""
    if char in _SINGLE_QUOTES:
        return "'"
    if char in _DOUBLE_QUOTES:
        return '"'
    if char in _DASHES:
        return "-"
    if char in _SPACES:
        return " "
    lower = char.lower()
    if len(lower) != 1:  # e.g. U+0130 lowers to two characters
        lower = char
    base = unicodedata.normalize("NFD", lower)
    if base and base[0] != lower and all(unicodedata.combining(c) for c in base[1:]):
        folded = base[0].lower()
        return folded if len(folded) == 1 else base[0]
    return lower


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=4096)
def _fold_non_ascii(char: str) -> str:
    return _fold_char(char)


def fold(text: str) -> str:
    """Lower-case, accent-free, with plain quotes, dashes and spaces; SAME length.

    Each output character stands for the input character at the same index.

    >>> fold("Abeïbara, «Minusma», CSP–PSD\u00a0!")
    'abeibara, "minusma", csp-psd !'
    """
    lowered = text.lower()
    if len(lowered) != len(text):  # a character that lowers to two (U+0130): one by one
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    if lowered.isascii():
        return lowered
    return _NON_ASCII.sub(lambda m: _fold_non_ascii(m.group()), lowered)


# --- sentences -------------------------------------------------------------

ABBREVIATIONS = frozenset(
    """col lt gen maj capt cpt sgt cpl cmdr adm brig dr mr mrs ms mme mlle prof st jr sr
    gov sen rep pres rev fr mt vs etc al approx est dept univ inc ltd co corp
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)  # fmt: skip
NUMBER_ABBREVIATIONS = frozenset("no nos vol fig art p pp".split())  # only before a number: "No. 5"

_UPPER = "A-ZÀ-ÖØ-Þ"
_BOUNDARY = re.compile(
    r"[.!?]+[\"'”’»)\]]*(?:\s*\[\d+\])*"  # terminator, closing quotes, reference marks [12]
    rf"(?=\s+(?:[\"'“‘«(]?\s?[{_UPPER}0-9]|pic\.twitter\.com|https?://))"  # “ Several: spaced quotes
)
# A news dateline: a place in capitals, maybe its country and a date, maybe the agency, then a
# dash or colon ("NICE, France (AP) —", "DAKAR, July 23 (Reuters) –", "BAMAKO:").
DATELINE = re.compile(
    rf"(?!(?:UPDATE|UPDATED|BREAKING|WATCH|LIVE|EXCLUSIVE|ANALYSIS|OPINION|VIDEO|PHOTOS?|EDITOR)\b)"
    rf"[{_UPPER}]{{3}}[{_UPPER}' -]*(?:,\s*[A-Z][\w.'-]*(?:\s[A-Z0-9][\w.'-]*){{0,3}}){{0,2}}"
    r"\s*(?:\([A-Za-z .'-]{2,30}\))?\s*[-–—:]\s+"
)
_LAST_WORD = re.compile(r"([A-Za-zÀ-ÿ]+)\.?$")
_LINE = re.compile(r"[^\n]+")


def sentences(text: str) -> list[Sentence]:
    """Sentence spans of ``text``: lines are blocks, blocks split at sentence ends.

    A line is its own block (headlines, captions, list items) unless it
    continues a sentence broken by a single newline (next line in lower case).
    Page furniture lines are kept whole. A sentence ends at ``.``, ``!`` or
    ``?`` (after closing quotes and reference marks like ``[12]``) followed by
    a space and a capital, digit or opening quote, but not after a known
    abbreviation (``Col.``, ``Oct.``) or an initial (``U.N.``). A news dateline
    opening a line is a sentence of its own.

    >>> text = "Headline\\n\\nHe said \\"no.\\" Then Dr. Guichaoua left. [3] Next."
    >>> [s.text for s in sentences(text)]
    ['Headline', 'He said "no."', 'Then Dr. Guichaoua left. [3]', 'Next.']
    >>> [s.text for s in sentences("NICE, France (AP) — The unit left.")]
    ['NICE, France (AP) —', 'The unit left.']
    """
    result: list[Sentence] = []
    for begin, stop in _blocks(text):
        block = text[begin:stop]
        if is_furniture(block):
            _append(result, text, begin, stop)
            continue
        start = 0
        dateline = DATELINE.match(block)
        if dateline:  # "GAO, Mali, Jan 28 (Reuters) - ...": the dateline is no part of the lead
            _append(result, text, begin, begin + dateline.end())
            start = dateline.end()
        for match in _BOUNDARY.finditer(block, start):
            if block[match.start()] == "." and _is_abbreviation(block, match.start()):
                continue
            _append(result, text, begin + start, begin + match.end())
            start = match.end()
        _append(result, text, begin + start, stop)
    return result


def _blocks(text: str) -> list[tuple[int, int]]:
    """Line spans, a line merged into the previous one when it continues it."""
    blocks: list[tuple[int, int]] = []
    previous_end = -2
    for match in _LINE.finditer(text):
        line = match.group()
        if not line.strip():
            previous_end = -2
            continue
        continues = (
            blocks and previous_end == match.start() - 1 and continues_line(text, previous_end)
        )
        if continues:
            blocks[-1] = (blocks[-1][0], match.end())
        else:
            blocks.append((match.start(), match.end()))
        previous_end = match.end()
    return blocks


WRAP_WIDTH = 60  # a line at least this long that stops mid-sentence was hard-wrapped


BULLETS = frozenset("•·●▪◦‣*–")


def continues_line(text: str, newline: int) -> bool:
    """Does the line after the single newline at ``newline`` continue the sentence before it?

    Yes when the next line starts in lower case, or when the line before is
    long (hard-wrapped prose) and does not end a sentence; headlines, captions
    and list items are short or end with a mark.

    >>> continues_line("a sentence broken\\nacross two lines.", 17)
    True
    >>> continues_line("Belligerents\\nFlag of Mali.svg Mali", 12)
    False
    """
    before = text[text.rfind("\n", 0, newline) + 1 : newline].strip()
    after = text[newline + 1 : newline + 80].lstrip(" \t")
    if not before or not after or after[0] == "\n":
        return False
    if before.endswith((".", "!", "?", ":", '"', "”", "»")):
        return False
    if after[0] in BULLETS:
        return False  # a list item starts its own sentence
    return after[0].islower() or len(before) >= WRAP_WIDTH


def _is_abbreviation(block: str, dot: int) -> bool:
    """Is the period at ``dot`` the end of an abbreviation or an initial?"""
    word = _LAST_WORD.search(block, 0, dot)
    if not word or word.end() != dot:
        return False
    token = word.group(1)
    if len(token) == 1 and token.isupper():  # an initial: U.N., J. Smith
        return True
    if token.lower() in NUMBER_ABBREVIATIONS:
        return block[dot + 1 : dot + 3].strip()[:1].isdigit()
    return token.lower() in ABBREVIATIONS


def _append(result: list[Sentence], text: str, begin: int, stop: int) -> None:
    """Add the span trimmed of surrounding white space, if anything is left."""
    while begin < stop and text[begin].isspace():
        begin += 1
    while stop > begin and text[stop - 1].isspace():
        stop -= 1
    if begin < stop:
        result.append(Sentence(begin, stop, text[begin:stop]))


# --- page furniture --------------------------------------------------------

_FURNITURE_PATTERNS = (
    # navigation, sharing and subscription prompts
    r"skip to (?:the )?(?:main )?(?:content|navigation|search)\b",
    r"open this (?:photo|image|picture|video|gallery) in (?:the )?gallery\b",
    r"(?:download|get|install) (?:the|our) .{0,40}\bapps?\b",
    r"(?:subscribe|sign up|sign in|log in|login|register)\b.{0,60}$",
    r"follow\b.{0,60}$",
    r"check following\b",
    r"interact with\b.{0,40}$",
    r"build your (?:personal )?news\b",
    r"your \w+(?: \w+)?$",
    r"(?:share|print|email)(?: this)?(?: article| story| page)?(?: on \w+)?$",
    r"(?:read|see) (?:also|more|next)",  # also glued to a link title: "See alsoMalian army ..."
    r"related (?:research )?(?:articles|stories|content|topics|coverage|links|posts)\b",
    r"more (?:stories|on this|from)\b.{0,60}$",
    r"(?:advertisement|sponsored(?: content)?|comments?|newsletters?|most (?:read|popular))$",
    r"(?:contents|table of contents|references|notes|citations|sources|external links|further reading|bibliography)$",  # noqa: E501
    r"last updated\b.{0,40}$",
    r"updated:?\s+(?:on\s+)?(?:\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d)",
    # bylines and wire credits: "By Adama Diarra", "(Reporting by X in Bamako; Editing by Y)",
    # an author's blurb "I am X, a journalist ..."
    r"by\s+(?-i:[A-Z])[\w'’-]+(?:\s+(?-i:[A-Z])[\w'’-]+){0,3}\s*$",
    r"\(?\s*(?:additional\s+)?(?:reporting|writing|editing|compiled|written)\s+by\b",
    r"i\s+am\s+(?-i:[A-Z])[\w'’.-]+(?:\s+(?-i:[A-Z])[\w'’.-]+){0,3},\s+an?\s+(?:\w+\s+){0,3}"
    r"(?:journalist|reporter|writer|editor)\b",
    # scraped embeds, markup and signatures
    r"source:? site-\d+$",
    r"(?:pic\.twitter\.com|https?://)\S*$",
    r"(?:<[^>]*>\s*)+$",
    r"(?:©|\(c\) |copyright\b)",
    r".*\ball rights reserved\b",
    r".*\b(?:invites you to|wherever you go)\b",
    # reference lists: "12. 1 2 "Title". Site (in French). 2023-11-07. Retrieved 2024-06-01."
    r"\^?\d{1,3}\.\s.*\b(?:retrieved|archived|accessed|consulted)\b",
    r"\^\s",
)
_FURNITURE = re.compile("|".join(f"(?:{p})" for p in _FURNITURE_PATTERNS), re.IGNORECASE)


def is_furniture(sentence_text: str) -> bool:
    """Is this sentence or line page furniture (navigation, prompts, embeds, references)?

    >>> is_furniture("Download the France 24 app"), is_furniture("source site-28")
    (True, True)
    >>> is_furniture("  4. \\"L'accord\\". RFI (in French). 2015-06-20. Retrieved 2024-06-01.")
    True
    >>> is_furniture("Follow the army's advance, analysts said, as it moved on to Kidal and Gao.")
    False
    """
    return _FURNITURE.match(sentence_text.strip()) is not None
