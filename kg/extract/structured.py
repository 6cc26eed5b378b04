"""Structured text: the "Key: value" blocks of a page (encyclopedia infoboxes as
scrapers render them), read as the fields they are, with offsets into the text.

Four renderings are read, all common in scraped pages:

- ``Key: value`` on one line, the key maybe numbered by side
  (``Combatant1: Mali``, ``Commander2: Iyad Ag Ghaly``);
- the key glued to its value (``Date10-18 January 2013``, ``LocationKonna``);
- the key alone on its line, its value on the lines below, up to the next key
  (``Result`` / blank / ``Malian victory``);
- a table row of pipes (``Belligerents | |||``, then ``France | Ansar Dine``),
  each cell a side.

Keys are a word list (``wordlists/infobox_keys.tsv``) mapped to field names
(``date``, ``place``, ``sides``, ``commanders``, ``casualties``, ...). A
value's offsets point into the document text, so claims built from a field
quote the text exactly.

>>> text = "Date: 10 January 2013\\nCommander1: Dioncounda Traoré\\nThe battle began."
>>> [(f.name, f.side, f.value) for f in fields(text)]
[('date', None, '10 January 2013'), ('commanders', 1, 'Dioncounda Traoré')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extract.wordlists import table
from kg.text import fold

__all__ = ["Field", "fields", "cells"]

_MAX_BLOCK_LINES = 14  # a key's value never runs longer than this
_PROSE_WORDS = 12  # a line of this many words, mostly lower case, is prose, not a value
_LINE = re.compile(r"[^\n]*")
_BULLET = r"^[ \t]*(?:[-*•][ \t]+)?"
_KEYED = re.compile(_BULLET + r"([A-Za-z][A-Za-z ()'-]{1,30}?)[ \t]*(\d)?[ \t]*[:|][ \t]*(.*)$")
_BARE = re.compile(_BULLET + r"([A-Za-z][A-Za-z ()'-]{1,30}?)[ \t]*(\d)?[ \t|]*$")
_GLUED = re.compile(r"^[ \t]*([A-Z][a-z]+(?: [a-z]+)*)()(?=[A-Z0-9])(.+)$")  # "Date17 May": no side
_SPACED = re.compile(r"^[ \t]*([A-Z][a-z]+(?: [a-z]+)*?)(\d)?[ \t]+(\S.*)$")
_SPACED_NEAR = 3  # "Result Malian victory" is a field only this close to another field


@dataclass(frozen=True)
class Field:
    """One field of a block: its name (a field of infobox_keys.tsv), side and value span."""

    name: str
    side: int | None  # 1, 2, ... for numbered keys or table cells; None otherwise
    begin: int
    stop: int
    value: str  # == text[begin:stop]


def _field_name(key: str) -> str | None:
    return table("infobox_keys").get(" ".join(fold(key).split()))


def fields(text: str) -> list[Field]:
    """The fields of every "Key: value" block of ``text``, in text order."""
    lines = [(m.start(), m.end()) for m in _LINE.finditer(text)]
    found: list[Field] = []
    i = 0
    while i < len(lines):
        begin, stop = lines[i]
        line = text[begin:stop]
        keyed = _KEYED.match(line)
        if keyed and _field_name(keyed.group(1)) and keyed.group(3).strip(" |"):
            name = _field_name(keyed.group(1))
            side = int(keyed.group(2)) if keyed.group(2) else None
            found.append(_span(text, name, side, begin + keyed.start(3), stop))  # type: ignore[arg-type]
            i += 1
            continue
        glued = _GLUED.match(line)
        if glued and _field_name(glued.group(1)) and len(line) < 100:
            name = _field_name(glued.group(1))
            side = int(glued.group(2)) if glued.group(2) else None
            found.append(_span(text, name, side, begin + glued.start(3), stop))  # type: ignore[arg-type]
            i += 1
            continue
        bare = _BARE.match(line) or (keyed if keyed and not keyed.group(3).strip(" |") else None)
        name = _field_name(bare.group(1)) if bare else None
        if bare and name:
            side = int(bare.group(2)) if bare.group(2) else None
            j, block = _value_lines(text, lines, i + 1)
            found += _block_fields(text, name, side, block)
            i = j
            continue
        spaced = _SPACED.match(line)
        if (
            spaced
            and _field_name(spaced.group(1))
            and len(line) < 80
            and found
            and _line_of(lines, found[-1].stop) >= i - _SPACED_NEAR
        ):
            name = _field_name(spaced.group(1))
            side = int(spaced.group(2)) if spaced.group(2) else None
            found.append(_span(text, name, side, begin + spaced.start(3), stop))  # type: ignore[arg-type]
            i += 1
            continue
        i += 1
    return found


def _line_of(lines: list[tuple[int, int]], offset: int) -> int:
    return next((n for n, (b, e) in enumerate(lines) if b <= offset <= e), -1)


def _value_lines(
    text: str, lines: list[tuple[int, int]], i: int
) -> tuple[int, list[tuple[int, int]]]:
    """The lines of a bare key's value: up to the next key, a prose line or the limit."""
    block: list[tuple[int, int]] = []
    while i < len(lines) and len(block) < _MAX_BLOCK_LINES:
        begin, stop = lines[i]
        line = text[begin:stop]
        spaced = _SPACED.match(line)
        if (
            _starts_field(line)
            or (spaced and _field_name(spaced.group(1)) and len(line) < 80)
            or _is_prose(line)
        ):
            break
        if line.strip(" \t|"):
            block.append((begin, stop))
        i += 1
    return i, block


def _is_prose(line: str) -> bool:
    """A long line of mostly lower-case words: the article's text, not a value (a list of
    names and flags is long too, but capitalised)."""
    words = line.split()
    lower = sum(1 for w in words if w[:1].islower())
    return len(words) >= _PROSE_WORDS and lower * 2 > len(words)


def _starts_field(line: str) -> bool:
    for pattern in (_KEYED, _BARE, _GLUED):
        match = pattern.match(line)
        if match and _field_name(match.group(1)):
            return True
    return False


def _block_fields(
    text: str, name: str, side: int | None, block: list[tuple[int, int]]
) -> list[Field]:
    """A bare key's value lines: table rows give one field per cell (its side), other lines
    one field each."""
    result: list[Field] = []
    for begin, stop in block:
        line = text[begin:stop]
        if " | " in line or line.rstrip().endswith("|"):
            for number, (b, e) in enumerate(cells(line), start=1):
                result.append(_span(text, name, number, begin + b, begin + e))
        else:
            result.append(_span(text, name, side, begin, stop))
    return [f for f in result if f.value]


def cells(line: str) -> list[tuple[int, int]]:
    """The non-empty cells of a pipe-table row, as (begin, stop) within the line.

    >>> line = "France | Ansar Dine | |||"
    >>> [line[b:e] for b, e in cells(line)]
    ['France', 'Ansar Dine']
    """
    spans = []
    for match in re.finditer(r"[^|]+", line):
        value = match.group()
        if value.strip():
            lead = len(value) - len(value.lstrip())
            spans.append((match.start() + lead, match.start() + len(value.rstrip())))
    return spans


def _span(text: str, name: str, side: int | None, begin: int, stop: int) -> Field:
    """A field over text[begin:stop], trimmed of blanks and table pipes."""
    while begin < stop and text[begin] in " \t|":
        begin += 1
    while stop > begin and text[stop - 1] in " \t|\r":
        stop -= 1
    return Field(name, side, begin, stop, text[begin:stop])
