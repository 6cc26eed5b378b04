"""Stage 3: find the date expressions of a text and resolve them (``dates.v1``).

An exact, dependency-free grammar (no dateparser): English, with French month
names. Relative expressions ("Tuesday", "last year", "for a decade") are
resolved against the *anchor*, the article's publication date, which is always
an argument: no clock is read.

What a phrase covers: the date and the words that change its meaning --
"since 2014" (a start), "until 2023" / "by the end of 2023" (an end),
"from 2012 to 2014", "between November 9 and 10", "the night of ...",
"for a decade" -- but not the plain prepositions "on", "in", "at" and
"during": in "on Tuesday" the phrase is "Tuesday".

Precision is honest: a day only where the text gives a day. ``earliest`` and
``latest`` are the first and last day covered ("March 2012" is 2012-03-01 to
2012-03-31 at month precision). Vague parts ("the end of October", "early
2023", "last week", "for a decade") keep the precision of their unit, narrow
``earliest``/``latest`` to the part meant, and are ``approximate``. Phrases
whose date depends on the story, not on the anchor ("the next day", "that same
day", "since then") are not returned: :func:`resolve_relative_day` resolves the
first kind against the previous date of the text.

>>> [(d.text, d.start.iso) for d in find_dates("Kidal fell on Tuesday (November 14th).",
...                                             date(2023, 11, 15))]
[('Tuesday', '2023-11-14'), ('November 14th', '2023-11-14')]
"""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from kg.model import DatedPhrase, Precision, TimeSpan

STAGE = "dates.v1"
SLACK = timedelta(days=7)  # "November 17" in an article of November 14 is this year's
BARE_YEAR_MIN = 1900  # a bare "1850" in the news is more often a number than a year
BARE_YEAR_AHEAD = 5  # ... and so is one more than five years after the anchor

_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
       "September", "October", "November", "December")  # fmt: skip
_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
       "septembre", "octobre", "novembre", "décembre")  # fmt: skip
_MONTH_NUMBER = {
    **{m.lower(): i for i, m in enumerate(_EN, 1)},
    **{m[:3].lower(): i for i, m in enumerate(_EN, 1)},
    **{m: i for i, m in enumerate(_FR, 1)},
    "sept": 9, "fevrier": 2, "aout": 8, "decembre": 12,
}  # fmt: skip
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NUMBERS = {w: i for i, w in enumerate(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split(), 1)}  # fmt: skip
_NUMBERS |= {"a": 1, "an": 1, "thirty": 30, "forty": 40, "fifty": 50}
_VAGUE = {"a few": (2, 4), "few": (2, 4), "a couple of": (2, 3), "several": (3, 7), "many": (5, 20)}
_PLURAL = (2, 9)  # "for years", "decades ago": no count given
_RELATIVE = {"the day before yesterday": -2, "the day after tomorrow": 2, "yesterday": -1,
             "today": 0, "tomorrow": 1, "tonight": 0, "this morning": 0,
             "this afternoon": 0, "this evening": 0, "last night": -1}  # fmt: skip
_PARTS = {  # the part of a year (months), a month (days), a week or decade (offsets) meant
    "year": {"early": (1, 4), "mid": (5, 8), "late": (9, 12), "h1": (1, 6), "h2": (7, 12)},
    "month": {"early": (1, 10), "mid": (11, 20), "late": (21, 31), "h1": (1, 15), "h2": (16, 31)},
    "week": {"early": (0, 3), "mid": (2, 4), "late": (3, 6), "h1": (0, 3), "h2": (3, 6)},
    "decade": {"early": (0, 3), "mid": (3, 6), "late": (6, 9), "h1": (0, 4), "h2": (5, 9)},
}
_UNITS = ("km kms km² kilometres kilometers kilometre kilometer miles metres meters m kg tonnes "
          "tons people persons soldiers troops fighters men women children civilians refugees "
          "displaced peacekeepers militants rebels jihadists mercenaries combatants officers "
          "police policemen vehicles trucks dead deaths killed casualties victims wounded injured "
          "residents inhabitants families households members hostages prisoners hours hrs "
          "minutes seconds dollars euros francs CFA FCFA USD EUR percent times votes").split()


_Trie = dict[str, "_Trie"]


def _alt(words: Iterable[str]) -> str:
    """A regex matching any of the words, longest first, as a trie: fails fast, which matters
    because the patterns are tried at every word of the text."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie(trie)


def _trie(node: _Trie) -> str:
    branches = [re.escape(char) + _trie(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    if "" in node:
        return "(?:" + "|".join(branches) + ")?"
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _spaced(words: Iterable[str]) -> str:
    return _alt(words).replace(r"\ ", _S)


_S = r"(?:[^\S\n]+\n?[^\S\n]*|\n[^\S\n]*)"  # spaces, at most one line break
_LB = r"(?:(?<![\w@#$€£&/])(?<![0-9][.,])|(?<=[a-z])(?=[A-Z]))"  # "DateNovember 10" too
_EN_SHORT = ("Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec")
_FR_ALL = (*_FR, "fevrier", "aout", "decembre")
_MON = (rf"(?:{_alt((*_EN, *(m.upper() for m in _EN)))}"
        rf"|(?:{_alt((*_EN_SHORT, *(m.upper() for m in _EN_SHORT)))})\.?"
        rf"|(?i:{_alt(_FR_ALL)}))(?![^\W\d_])")  # fmt: skip
_MON_BARE = rf"(?:{_alt(_EN)}|{_alt(_FR_ALL)})(?![^\W\d_])"  # no "Mars", "may", "Nov" alone
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th|er)?(?!\w)"
_YEAR = r"[0-9]{4}(?!\w)"
_WD = _alt(_WEEKDAYS)
_WDQ = r"[Tt]his|[Ll]ast|[Nn]ext|[Pp]ast"
_WDP = rf"(?:(?:{_WDQ}){_S})?(?:{_WD}),?{_S}(?:the{_S})?"  # "this Tuesday, " before a date
_MOD = (rf"(?:[Tt]he{_S}(?:very{_S})?(?:end|beginning|start|middle|first{_S}half|second{_S}half)"
        rf"{_S}of{_S}|(?:[Ee]arly|[Ll]ate){_S}|[Mm]id(?:-|{_S})|(?i:fin|d[ée]but){_S}|mi-)")
_NUM = rf"(?:(?i:{_spaced([*_NUMBERS, *_VAGUE])})|[0-9]{{1,3}})(?!\w)"
_UNIT = r"(?:decade|year|month|week|day)"
_SEP = rf"(?:{_S}?[–—-]{_S}?|{_S}(?:to|until|till|through|and|or|&|au|à|et){_S})"
_NIGHT = rf"(?P<night>[Tt]he{_S}night{_S}(?:of{_S})?)"
_KW = rf"(?P<kw>[Ff]rom|[Bb]etween|[Dd]u|[Dd]e|[Ee]ntre(?:{_S}le)?)"


def _core(p: str) -> str:
    """One date, relative or absolute; group names are prefixed with ``p``."""

    def g(name: str, body: str) -> str:
        return f"(?P<{p}_{name}>{body})"

    s, wdp, mod = _S, f"(?:{_WDP})?", f"(?:{_MOD})"
    time_of_day = rf"(?:{s}(?:morning|afternoon|evening|night))?(?!\w)"
    forms = (  # tried in order: the first that fits wins, so longer readings come first
        rf"{wdp}(?:{g('a1m', _MON)}{s}{g('a1d', _DAY)}(?:,?{s}{g('a1y', _YEAR)})?"  # Nov. 14, 2023
        rf"|(?:the{s})?{g('a2d', _DAY)}(?:{s}of)?{s}{g('a2m', _MON)}(?:,?{s}{g('a2y', _YEAR)})?)",
        g("iso", r"[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?(?!\w|-[0-9])"),
        rf"{g('mod', mod)}?(?:{g('a5m', _MON)},?{s}{g('a5y', _YEAR)}"  # (early) May 2014
        rf"|(?:the{s}year{s})?{g('a8y', _YEAR)}"  # (the end of) 2023
        rf"|{g('rq', '[Ll]ast|[Tt]his|[Nn]ext')}{s}{g('ru', 'year|month|week')}(?!\w)"
        rf"|(?:{g('a7q', '[Ll]ast|[Tt]his|[Nn]ext')}{s})?{g('a7m', _MON_BARE)})",  # in October
        rf"(?:the{s})?(?:{g('dmod', '[Ee]arly|[Ll]ate|[Mm]id')}(?:-|{s}))?"
        rf"{g('dec', '[0-9]{3}0')}s(?!\w)",  # the (early) 1990s
        rf"(?:{g('agon', _NUM)}{s})?{g('agou', _UNIT)}{g('agos', 's')}?{s}ago(?!\w)",
        rf"{g('rd', f'(?i:{_spaced(_RELATIVE)})')}{time_of_day}",  # yesterday (morning)
        rf"(?:{g('wq', _WDQ)}{s})?{g('wd', _WD)}{time_of_day}",  # (last) Tuesday (night)
    )
    return f"(?P<{p}>" + "|".join(forms) + ")"


_SINGLE = re.compile(
    rf"{_LB}(?:(?:(?P<since>[Ss]ince|[Ee]ver{_S}since|[Dd]epuis(?:{_S}le)?)"
    rf"|(?P<until>[Uu]ntil|[Tt]ill|[Uu]p{_S}until|[Jj]usqu['’](?:en|au|à)(?:{_S}le)?)"
    rf"|(?P<by>[Bb]y|[Nn]o{_S}later{_S}than)){_S})?"
    rf"(?P<night>[Tt]he{_S}night{_S}of{_S}(?:the{_S})?)?{_core('a')}"
)
_RANGE = re.compile(rf"{_LB}{_NIGHT}?(?:{_KW}{_S})?{_core('a')}(?P<sep>{_SEP}){_core('b')}")
_MONTH_DAYS = re.compile(  # November 10–14, 2023; between July 21 and 22, 2016
    rf"{_LB}{_NIGHT}?(?:{_KW}{_S})?(?:{_WDP})?(?P<m>{_MON}){_S}(?P<d1>{_DAY})(?P<sep>{_SEP})"
    rf"(?P<d2>{_DAY})(?:,?{_S}(?P<y>{_YEAR}))?"
)
_DAYS_MONTH = re.compile(  # 10–14 November 2023; between 9 and 10 November
    rf"{_LB}{_NIGHT}?(?:{_KW}{_S})?(?:the{_S})?(?P<d1>{_DAY})(?P<sep>{_SEP})(?:(?:the|le){_S})?"
    rf"(?P<d2>{_DAY})(?:{_S}of)?{_S}(?P<m>{_MON})(?:,?{_S}(?P<y>{_YEAR}))?"
)
_MONTH_DAY = re.compile(  # November 14 / 14 November: a fallback when a longer reading fails
    rf"{_LB}(?:(?P<m>{_MON}){_S}(?P<d>{_DAY})|(?P<d2>{_DAY}){_S}(?P<m2>{_MON}))"
)
_DURATION = re.compile(
    rf"{_LB}(?P<kw>[Ff]or|[Ii]n|[Oo]ver|[Dd]uring){_S}"
    rf"(?:(?P<most>most|much|part|the{_S}better{_S}part){_S}of{_S})?"
    rf"(?:the{_S}(?P<past>past|last|previous){_S})?(?:(?P<n>{_NUM}){_S})?"
    rf"(?P<u>{_UNIT})(?P<pl>s)?(?!\w)(?!['’]s?{_S}time|{_S}of(?!\w))"
)
_BAD_BEFORE = re.compile(  # before a year: part of a number, a reference, a quantity word
    r"(?:[0-9][.,]|\w[-–]|[\[#№$€£]\s*|\b(?:[Nn]o\.|n°|at least|more than|less than|"
    r"fewer than|over|nearly|almost|some|pp?\.)\s*)$"
)
_BAD_AFTER = re.compile(  # after a year: a bigger number, a range of numbers, a unit
    rf"(?:[.,][0-9]|[-–/][0-9]|-[^\W\d_]|\s*[%°+]|\]|{_S}(?:{_alt(_UNITS)})(?!\w))"
)
_TRIGGER = re.compile(r"(?:\b(?:[Ii]n|[Dd]uring|[Oo]f|[Ss]ince|[Uu]ntil|[Tt]ill|[Bb]y|[Ff]rom|"
                      r"[Bb]efore|[Aa]fter|[Bb]etween|[Tt]hrough(?:out)?|[Aa]round|[Ee]n|"
                      r"[Dd]epuis|[Dd]e)\s+|\b[Dd]['’])$")  # fmt: skip
_ISO = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_PREFIX = re.compile(r"\s*(?:(?:[Oo]n|[Ii]n|[Aa]t|[Dd]uring|[Ll]e|[Ee]n)\s+)?[(\[]?\s*")
_SUFFIX = re.compile(r"\s*[)\].,;:!?]*\s*")


@dataclass(frozen=True)
class _Partial:
    """A month, or a month and day, whose year the context must give."""

    month: int
    day: int | None = None
    mod: str | None = None


@dataclass(frozen=True)
class _Ctx:
    text: str
    anchor: date
    limit: date  # the latest date a year-less "November 14" may resolve to
    standalone: bool  # normalise_date: the whole text is known to be a date


Value = TimeSpan | _Partial | None
Found = tuple[int, int, list[DatedPhrase]]  # extent of the match, its phrases


def find_dates(text: str, anchor: date) -> list[DatedPhrase]:
    """Every date expression of text, resolved against anchor; sorted, never overlapping.

    >>> [(d.text, d.start and d.start.iso, d.end and d.end.iso)
    ...  for d in find_dates("Held since 2014, lost between November 10 and 14.",
    ...                      date(2023, 11, 15))]
    [('since 2014', '2014', None), ('between November 10 and 14', '2023-11-10', '2023-11-14')]
    """
    return _find(text, anchor, standalone=False)


def normalise_date(phrase: str, *, anchor: date) -> DatedPhrase | None:
    """The one date of a short phrase ("on Tuesday", "2023-11-14"), or None.

    >>> span = normalise_date("on the end of October", anchor=date(2023, 11, 14)).start
    >>> span.iso, span.earliest.day, span.latest.day, span.approximate
    ('2023-10', 21, 31, True)
    >>> normalise_date("next to nothing", anchor=date(2023, 11, 14)) is None
    True
    """
    found = _find(phrase, anchor, standalone=True)
    if len(found) != 1:
        return None
    only = found[0]
    if not _PREFIX.fullmatch(phrase[: only.begin]) or not _SUFFIX.fullmatch(phrase[only.stop :]):
        return None
    return only


def parse_iso_date(value: str) -> TimeSpan:
    """A ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` date at its precision.

    >>> parse_iso_date("2012-03")  # doctest: +NORMALIZE_WHITESPACE
    TimeSpan(earliest=datetime.date(2012, 3, 1), latest=datetime.date(2012, 3, 31),
             precision='month', approximate=False)
    >>> parse_iso_date("2023-02-30")
    Traceback (most recent call last):
    ValueError: '2023-02-30': day 30 is out of range for 2023-02 (01-28)
    """
    m = _ISO.fullmatch(value.strip())
    if m is None:
        raise ValueError(f"{value!r} is not an ISO date: write YYYY-MM-DD, YYYY-MM or YYYY")
    year = int(m.group(1))
    if year == 0:
        raise ValueError(f"{value!r}: there is no year 0000 (years start at 0001)")
    if m.group(2) is None:
        return _year(year)
    month = int(m.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"{value!r}: month {m.group(2)} is out of range (01-12)")
    if m.group(3) is None:
        return _month_span(year, month)
    day, last = int(m.group(3)), _month_end(year, month).day
    if not 1 <= day <= last:
        raise ValueError(f"{value!r}: day {m.group(3)} is out of range for "
                         f"{year:04d}-{month:02d} (01-{last:02d})")  # fmt: skip
    return _day(date(year, month, day))


_STORY_DAYS = {"the next day": 1, "the following day": 1, "the day after": 1, "a day later": 1,
               "the next morning": 1, "the following morning": 1, "that same day": 0,
               "the same day": 0, "that day": 0, "later that day": 0, "earlier that day": 0,
               "that night": 0, "that same night": 0, "the same night": 0, "that evening": 0,
               "that morning": 0, "that afternoon": 0, "the day before": -1,
               "the previous day": -1, "the preceding day": -1, "the night before": -1,
               "the previous night": -1}  # fmt: skip
_N_DAYS = re.compile(rf"({_NUM}) days? (later|after|afterwards|earlier|before)")


def resolve_relative_day(phrase: str, previous: TimeSpan) -> TimeSpan | None:
    """The day that "the next day", "that same day", "that night" ... mean after previous.

    A shift needs a day to shift from: after a month or a year it is None.

    >>> resolve_relative_day("The next day", parse_iso_date("2023-11-10")).iso
    '2023-11-11'
    >>> resolve_relative_day("that same day", parse_iso_date("2023-11")).iso
    '2023-11'
    >>> resolve_relative_day("the next day", parse_iso_date("2023-11")) is None
    True
    """
    key = re.sub(r"^on ", "", " ".join(phrase.lower().split()))
    offset = _STORY_DAYS.get(key)
    if offset is None and (m := _N_DAYS.fullmatch(key)) is not None:
        n = _count(m.group(1))
        if n[0] == n[1]:
            offset = n[0] if m.group(2).startswith(("later", "after")) else -n[0]
    if offset is None:
        return None
    if offset == 0:
        return previous
    if previous.precision != "day":
        return None
    shifted = previous.earliest + timedelta(days=offset)
    return TimeSpan(shifted, shifted, "day", previous.approximate)


# --- finding ---------------------------------------------------------------------------------


def _find(text: str, anchor: date, *, standalone: bool) -> list[DatedPhrase]:
    try:
        limit = anchor + SLACK
    except OverflowError:
        limit = date.max
    ctx = _Ctx(text, anchor, limit, standalone)
    found: list[Found] = []
    for match in _WORD.finditer(text):
        word = match.group()
        key = "#" if word[0].isdigit() else word.lower()
        if key in _BY_FIRST_WORD:
            _try_rules(match.start(), key, ctx, found)
        if not word[1:].islower() and (camel := _CAMEL.search(word, 1)):  # "DateNovember"
            if (key := camel.group().lower()) in _BY_FIRST_WORD:
                _try_rules(match.start() + camel.start(), key, ctx, found)
    starts: list[int] = []  # the extents chosen so far, sorted and disjoint
    stops: list[int] = []
    phrases: list[DatedPhrase] = []
    for begin, stop, inside in sorted(found, key=lambda f: (f[0] - f[1], f[0])):  # longest first
        i = bisect.bisect_right(starts, begin)
        if (i == 0 or stops[i - 1] <= begin) and (i == len(starts) or stop <= starts[i]):
            starts.insert(i, begin)
            stops.insert(i, stop)
            phrases += inside
    return sorted(phrases, key=lambda d: d.begin)


def _try_rules(at: int, key: str, ctx: _Ctx, found: list[Found]) -> None:
    """Every rule that may start with this word, here: all readings are kept, the longest wins.

    A range ("2012 to 2014") is tried only where a single date is followed by a separator,
    or after "from", "between", "the night": that keeps the text scan fast.
    """
    single_end = -1
    for rule, handle in _BY_FIRST_WORD[key]:
        if rule is _RANGE and not (key in _RANGE_WORDS or single_end >= 0
                                   or (key == "the" and _NIGHT_AT.match(ctx.text, at))):
            continue
        if (m := rule.match(ctx.text, at)) is None:
            continue
        if rule is _SINGLE and _SEP_AT.match(ctx.text, m.end()):
            single_end = m.end()
        try:
            phrases = handle(m, ctx)
        except (ValueError, OverflowError):  # a date out of the calendar's range
            continue
        if phrases:
            found.append((min(p.begin for p in phrases), max(p.stop for p in phrases), phrases))


def _phrase(ctx: _Ctx, begin: int, stop: int, start: TimeSpan | None,
            end: TimeSpan | None) -> DatedPhrase:  # fmt: skip
    return DatedPhrase(begin, stop, ctx.text[begin:stop], start, end)


def _on_single(m: re.Match[str], ctx: _Ctx) -> list[DatedPhrase] | None:
    """One date, perhaps after "since", "until" or "by"."""
    keyword = m.group("since") or m.group("until") or m.group("by")
    if not _context_ok(m, "a", ctx, left=True, right=True, bare_month=bool(keyword)):
        return None
    span = _resolve(_value(m, "a", ctx), ctx.limit)
    if span is None:
        return None
    start = None if m.group("until") or m.group("by") else span
    end = None if m.group("since") else span
    return [_phrase(ctx, m.start(), m.end(), start, end)]


def _on_month_day(m: re.Match[str], ctx: _Ctx) -> list[DatedPhrase] | None:
    """A year-less "November 14" (kept when a longer reading of it was refused)."""
    month, day = _month(m.group("m") or m.group("m2")), _int(m.group("d") or m.group("d2"))
    span = _resolve(_Partial(month, day), ctx.limit)
    return [_phrase(ctx, m.start(), m.end(), span, span)] if span else None


def _on_range(m: re.Match[str], ctx: _Ctx) -> list[DatedPhrase] | None:
    """"from 2012 to 2014", "between 2012 and 2014"; "2020 and 2021" are two dates."""
    sep, kw = _squash(m.group("sep")), _squash(m.group("kw") or "")
    between = kw.startswith(("between", "entre")) or m.group("night") is not None
    a, b = _value(m, "a", ctx), _value(m, "b", ctx)
    bare = [v is not None and m.group(f"{p}_a7m") and not m.group(f"{p}_mod")
            and not m.group(f"{p}_a7q") for p, v in (("a", a), ("b", b))]  # fmt: skip
    month_ok = bool(kw) or not all(bare)
    if not (_context_ok(m, "a", ctx, left=True, right=False, bare_month=month_ok)
            and _context_ok(m, "b", ctx, left=False, right=True, bare_month=True)):  # fmt: skip
        return None
    last = _resolve(b, ctx.limit)
    first = _resolve(a, last.latest) if last else None
    if first is None or last is None:
        return None
    if sep in {"and", "or", "&", "et"} and not between:
        if kw:
            return None
        return [_phrase(ctx, *m.span("a"), first, first), _phrase(ctx, *m.span("b"), last, last)]
    if sep == "or" or first.earliest > last.earliest or first == last:
        return None
    return [_phrase(ctx, m.start(), m.end(), first, last)]


def _on_day_pair(m: re.Match[str], ctx: _Ctx) -> list[DatedPhrase] | None:
    """Two days of one month: a range ("10–14", "between 9 and 10") or two dates."""
    sep, kw = _squash(m.group("sep")), _squash(m.group("kw") or "")
    between = kw.startswith(("between", "entre")) or m.group("night") is not None
    month, d1, d2 = _month(m.group("m")), _int(m.group("d1")), _int(m.group("d2"))
    if m.group("y") is not None and not ctx.standalone and _BAD_AFTER.match(ctx.text, m.end()):
        return None
    if m.group("y") is not None:
        year = int(m.group("y"))
    elif (resolved := _resolve(_Partial(month, d2), ctx.limit)) is not None:
        year = resolved.earliest.year
    else:
        return None
    first, last = _day(date(year, month, d1)), _day(date(year, month, d2))
    if sep in {"and", "or", "&", "et"} and not between:
        if kw or m.group("y") is None:
            return None
        month_first = m.start("m") < m.start("d1")
        one = (m.start("m"), m.end("d1")) if month_first else m.span("d1")
        return [_phrase(ctx, *one, first, first), _phrase(ctx, m.start("d2"), m.end(), last, last)]
    if sep == "or" or d1 >= d2:
        return None
    return [_phrase(ctx, m.start(), m.end(), first, last)]


def _on_duration(m: re.Match[str], ctx: _Ctx) -> list[DatedPhrase] | None:
    """"for a decade", "in nine years", "over the past two weeks": an approximate start."""
    unit, plural, past = m.group("u"), m.group("pl") is not None, m.group("past") is not None
    if m.group("n") is None:
        if not (plural or past):
            return None
        lo, hi = _PLURAL if plural else (1, 1)
    else:
        lo, hi = _count(m.group("n"))
        if (hi == 1) == plural:  # "for a years", "for two year"
            return None
    if m.group("kw").lower() == "in" and not past and unit != "decade" and not plural:
        return None  # "in a year" is more often the future
    if m.group("kw").lower() == "in" and not past and unit not in {"decade", "year"}:
        return None  # and so is "in two days"
    if unit == "decade":
        lo, hi, unit = lo * 10, hi * 10, "year"
    if m.group("most"):  # most of the past decade: more than half of it
        lo = hi // 2 + 1
    start = _ago(ctx.anchor, lo, hi, unit, approximate=True)
    return [_phrase(ctx, m.start(), m.end(), start, None)]


Handler = Callable[[re.Match[str], _Ctx], list[DatedPhrase] | None]
_WORD = re.compile(r"[0-9]+|[^\W\d_]+")
_CAMEL = re.compile(r"(?<=[a-z])[A-Z][^\W\d_]*")
_SEP_AT = re.compile(_SEP)
_NIGHT_AT = re.compile(_NIGHT)
_MONTH_WORDS = {*_MONTH_NUMBER, *(m.lower() for m in _FR_ALL)}
_CORE_WORDS = {"#", *_MONTH_WORDS, *(d.lower() for d in _WEEKDAYS), *_NUMBERS, "few", "several",
               "many", "the", "this", "last", "next", "past", "early", "late", "mid", "mi", "fin",
               "début", "debut", "yesterday", "today", "tomorrow", "tonight",
               *(u + s for u in ("decade", "year", "month", "week", "day") for s in ("", "s"))}
_RANGE_WORDS = {"from", "between", "du", "de", "entre"}
_RULES: tuple[tuple[re.Pattern[str], Handler, set[str]], ...] = (
    (_SINGLE, _on_single,
     _CORE_WORDS | {"since", "ever", "depuis", "until", "till", "up", "jusqu", "by", "no"}),
    (_MONTH_DAY, _on_month_day, {"#", *_MONTH_WORDS}),
    (_RANGE, _on_range, _CORE_WORDS | _RANGE_WORDS | {"the"}),
    (_MONTH_DAYS, _on_day_pair, {*_MONTH_WORDS, *(d.lower() for d in _WEEKDAYS), "this", "last",
                                 "next", "past", "the", *_RANGE_WORDS}),
    (_DAYS_MONTH, _on_day_pair, {"#", "the", *_RANGE_WORDS}),
    (_DURATION, _on_duration, {"for", "in", "over", "during"}),
)  # fmt: skip
_BY_FIRST_WORD: dict[str, tuple[tuple[re.Pattern[str], Handler], ...]] = {
    word: tuple((rule, handle) for rule, handle, words in _RULES if word in words)
    for word in set().union(*(words for _, _, words in _RULES))
}


def _context_ok(m: re.Match[str], p: str, ctx: _Ctx, *, left: bool, right: bool,
                bare_month: bool) -> bool:  # fmt: skip
    """Is this core a date here? Bare years must not be quantities, bare months need a cue."""
    if ctx.standalone:
        return True
    text, (begin, stop) = ctx.text, m.span(p)
    year = m.group(f"{p}_a8y")
    if year is not None and not m.group(f"{p}_mod") and m.start(f"{p}_a8y") == begin and left:
        if _BAD_BEFORE.search(text, max(0, begin - 16), begin):
            return False
    if right and any(m.group(f"{p}_{g}") for g in ("a1y", "a2y", "a5y", "a8y", "dec")):
        if _BAD_AFTER.match(text, stop):
            return False
    if m.group(f"{p}_a7m") and not (m.group(f"{p}_mod") or m.group(f"{p}_a7q") or bare_month):
        return _TRIGGER.search(text, max(0, begin - 24), begin) is not None
    return True


# --- resolving -------------------------------------------------------------------------------


def _value(m: re.Match[str], p: str, ctx: _Ctx) -> Value:
    """What one core means: a span, or a month/day that still needs its year."""

    def g(name: str) -> str | None:
        return m.group(f"{p}_{name}")

    anchor = ctx.anchor
    for form in ("a1", "a2"):
        if (month := g(f"{form}m")) is not None:
            day, year = _int(g(f"{form}d") or ""), g(f"{form}y")
            if year is None:
                return _Partial(_month(month), day)
            return _day(date(int(year), _month(month), day))
    if (iso := g("iso")) is not None:
        return parse_iso_date(iso)
    if (month := g("a5m")) is not None:
        return _part("month", date(int(g("a5y") or 0), _month(month), 1), g("mod"))
    if (number := g("dec") or g("a8y")) is not None:
        if not _bare(number, anchor):
            return None
        kind, mod = ("decade", g("dmod")) if g("dec") else ("year", g("mod"))
        return _part(kind, date(int(number), 1, 1), mod)
    if (unit := g("ru")) is not None:
        return _relative_period(anchor, _shift(g("rq") or ""), unit, g("mod"))
    if (month := g("a7m")) is not None:
        return _named_month(anchor, _month(month), (g("a7q") or "").lower(), g("mod"))
    if (unit := g("agou")) is not None:
        lo, hi = _count(g("agon")) if g("agon") else _PLURAL
        exact = lo == hi and unit != "decade" and unit != "week"
        return _ago(anchor, lo, hi, unit, approximate=not exact)
    if (word := g("rd")) is not None:
        return _day(anchor + timedelta(days=_RELATIVE[" ".join(word.lower().split())]))
    if (weekday := g("wd")) is not None:
        return _day(_weekday(anchor, _WEEKDAYS.index(weekday), (g("wq") or "").lower()))
    return None


def _resolve(value: Value, limit: date) -> TimeSpan | None:
    """A year-less month or day: the latest one that starts on or before limit."""
    if not isinstance(value, _Partial):
        return value
    if value.day is None:
        year = limit.year if value.month <= limit.month else limit.year - 1
        return _part("month", date(year, value.month, 1), value.mod)
    for year in range(limit.year, max(limit.year - 8, 0), -1):  # February 29: a leap year
        if value.day <= _month_end(year, value.month).day:
            if (day := date(year, value.month, value.day)) <= limit:
                return _day(day)
    return None


def _named_month(anchor: date, month: int, qualifier: str, mod: str | None) -> Value:
    """"October" (year from the context), "last March", "next May"."""
    if qualifier in {"", "this"}:
        return _Partial(month, None, mod)
    if qualifier == "last":
        year = anchor.year - (month >= anchor.month)
    else:
        year = anchor.year + (month <= anchor.month)
    return _part("month", date(year, month, 1), mod)


def _relative_period(anchor: date, shift: int, unit: str, mod: str | None) -> TimeSpan:
    """"last year", "this month", "the end of last week"."""
    if unit == "year":
        return _part("year", date(anchor.year + shift, 1, 1), mod)
    if unit == "month":
        return _part("month", _add_months(anchor.replace(day=1), shift), mod)
    monday = anchor - timedelta(days=anchor.weekday()) + timedelta(weeks=shift)
    return _part("week", monday, mod)


def _ago(anchor: date, lo: int, hi: int, unit: str, *, approximate: bool) -> TimeSpan:
    """Between hi and lo units before anchor, at the unit's precision at best."""
    if unit in {"year", "decade"}:
        scale = 10 if unit == "decade" else 1
        first, last = anchor.year - hi * scale, anchor.year - lo * scale
        return TimeSpan(date(first, 1, 1), date(last, 12, 31), "year", approximate)
    if unit == "month":
        first = anchor.replace(day=1)
        last = _add_months(first, -lo)
        return _cover(_add_months(first, -hi), _month_end(last.year, last.month), approximate)
    if unit == "week":  # a week ago is a day give or take three
        earliest = anchor - timedelta(days=7 * hi + 3)
        return _cover(earliest, anchor - timedelta(days=max(7 * lo - 3, 0)), True)
    return _cover(anchor - timedelta(days=hi), anchor - timedelta(days=lo), approximate)


def _part(kind: str, first: date, mod: str | None) -> TimeSpan:
    """A year, month, week (from its Monday) or decade, or the part of it mod names."""
    if kind == "year":
        span = (first, date(first.year, 12, 31))
    elif kind == "month":
        span = (first, _month_end(first.year, first.month))
    elif kind == "week":
        span = (first, first + timedelta(days=6))
    else:
        span = (first, date(first.year + 9, 12, 31))
    if mod is not None:
        a, b = _PARTS[kind][_mod_kind(mod)]
        if kind == "year":
            span = (date(first.year, a, 1), _month_end(first.year, b))
        elif kind == "month":
            span = (first.replace(day=a), first.replace(day=min(b, span[1].day)))
        elif kind == "week":
            span = (first + timedelta(days=a), first + timedelta(days=b))
        else:
            span = (date(first.year + a, 1, 1), date(first.year + b, 12, 31))
    if kind == "week":
        return _cover(*span, True)
    precision: Precision = "month" if kind == "month" else "year"
    return TimeSpan(span[0], span[1], precision, mod is not None)


def _mod_kind(mod: str) -> str:
    words = " ".join(mod.lower().split())
    if "half" in words:
        return "h1" if "first" in words else "h2"
    if "end" in words or "late" in words or "fin" in words:
        return "late"
    if "mid" in words or words.startswith("mi-"):
        return "mid"
    return "early"


def _weekday(anchor: date, weekday: int, qualifier: str) -> date:
    """The latest such weekday on or before anchor; strictly before for "last"."""
    if qualifier == "next":
        return anchor + timedelta(days=(weekday - anchor.weekday() - 1) % 7 + 1)
    if qualifier in {"last", "past"}:
        return anchor - timedelta(days=(anchor.weekday() - weekday - 1) % 7 + 1)
    return anchor - timedelta(days=(anchor.weekday() - weekday) % 7)


# --- small helpers ---------------------------------------------------------------------------


def _cover(earliest: date, latest: date, approximate: bool) -> TimeSpan:
    """The finest precision that covers earliest..latest."""
    if earliest == latest:
        return TimeSpan(earliest, latest, "day", approximate)
    if (earliest.year, earliest.month) == (latest.year, latest.month):
        return TimeSpan(earliest, latest, "month", approximate)
    return TimeSpan(earliest, latest, "year", approximate)


def _day(day: date) -> TimeSpan:
    return TimeSpan(day, day, "day")


def _year(year: int) -> TimeSpan:
    return TimeSpan(date(year, 1, 1), date(year, 12, 31), "year")


def _month_span(year: int, month: int) -> TimeSpan:
    return TimeSpan(date(year, month, 1), _month_end(year, month), "month")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _bare(year: str, anchor: date) -> bool:
    """Is this bare number a year? Only between 1900 and five years after the anchor."""
    return BARE_YEAR_MIN <= int(year) <= anchor.year + BARE_YEAR_AHEAD


def _month(name: str) -> int:
    return _MONTH_NUMBER[name.lower().rstrip(".")]


def _int(digits: str) -> int:
    return int(re.sub(r"[^0-9]", "", digits))


def _count(words: str) -> tuple[int, int]:
    key = " ".join(words.lower().split())
    if key in _VAGUE:
        return _VAGUE[key]
    n = _NUMBERS[key] if key in _NUMBERS else int(key)
    return n, n


def _shift(word: str) -> int:
    return {"last": -1, "this": 0, "next": 1}[word.lower()]


def _squash(words: str) -> str:
    return " ".join(words.lower().split()).replace("—", "-").replace("–", "-")
