"""kg.dates: the date grammar, on a table of phrases, negatives and properties."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kg.dates import (
    STAGE,
    find_dates,
    normalise_date,
    parse_iso_date,
    resolve_relative_day,
)
from kg.model import DatedPhrase, TimeSpan

TUE = date(2023, 11, 14)  # a Tuesday: the day Kidal was taken
WED = date(2023, 11, 15)
WIKI = date(2024, 6, 1)
CORPUS = Path(__file__).resolve().parent.parent / "corpus"

Row = tuple[str, str | None, str | None, str | None, str | None]


def row(d: DatedPhrase) -> Row:
    """(phrase, start iso, start precision, end iso, end precision)."""
    start, end = d.start, d.end
    return (d.text, start and start.iso, start and start.precision,
            end and end.iso, end and end.precision)  # fmt: skip


def day(phrase: str, iso: str) -> Row:
    return (phrase, iso, "day", iso, "day")


def month(phrase: str, iso: str) -> Row:
    return (phrase, iso, "month", iso, "month")


def year(phrase: str, iso: str) -> Row:
    return (phrase, iso, "year", iso, "year")


# fmt: off
CASES: list[tuple[str, date, list[Row]]] = [
    # absolute days
    ("Kidal fell on November 14, 2023.", TUE, [day("November 14, 2023", "2023-11-14")]),
    ("Kidal fell on 14 November 2023.", TUE, [day("14 November 2023", "2023-11-14")]),
    ("Kidal fell on Nov. 14, 2023.", TUE, [day("Nov. 14, 2023", "2023-11-14")]),
    ("in Bamako, on Feb. 19, 2022. Soldiers", TUE, [day("Feb. 19, 2022", "2022-02-19")]),
    ("on the 14th of November, 2023", TUE, [day("the 14th of November, 2023", "2023-11-14")]),
    ("NOVEMBER 14, 2023", TUE, [day("NOVEMBER 14, 2023", "2023-11-14")]),
    ("Retrieved 2023-11-14.", TUE, [day("2023-11-14", "2023-11-14")]),
    ("Azawad Movements of June 14, 2014 in Algiers", TUE, [day("June 14, 2014", "2014-06-14")]),
    ("— Malian Armed Forces (@FAMa_DIRPA) November 14, 2023", TUE,
     [day("November 14, 2023", "2023-11-14")]),
    ("#Kidal this Tuesday, November 14, 2023. pic", TUE,
     [day("this Tuesday, November 14, 2023", "2023-11-14")]),
    ("On Tuesday, November 14, the army", WED, [day("Tuesday, November 14", "2023-11-14")]),
    ("On the night of October 2, 2023 a column", WIKI,
     [day("the night of October 2, 2023", "2023-10-02")]),
    # French month names
    ("le 14 novembre 2023", TUE, [day("14 novembre 2023", "2023-11-14")]),
    ("a repris ce 13 novembre", WIKI, [day("13 novembre", "2023-11-13")]),
    ("le 1er août 2014", TUE, [day("1er août 2014", "2014-08-01")]),
    ("en mars 2012", TUE, [month("mars 2012", "2012-03")]),
    # days without a year: the latest such day not after the anchor (+ a few days)
    ("announced on Tuesday (November 14th) that", TUE,
     [day("Tuesday", "2023-11-14"), day("November 14th", "2023-11-14")]),
    ("By withdrawing from Kidal on 31 October, MINUSMA", TUE, [day("31 October", "2023-10-31")]),
    ("the peacekeepers left on Oct. 31.", TUE, [day("Oct. 31", "2023-10-31")]),
    ("On November 22, Gamou was installed", WIKI, [day("November 22", "2023-11-22")]),
    ("a rally planned for November 17", TUE, [day("November 17", "2023-11-17")]),
    ("on December 25 the town", TUE, [day("December 25", "2022-12-25")]),
    # months and years
    ("attempted to capture the town in May 2014, but", TUE, [month("May 2014", "2014-05")]),
    ("The first seizure was in March 2012 by", TUE, [month("March 2012", "2012-03")]),
    ("recruited 1,000 Russian soldiers from Wagner in December, 2021.", TUE,
     [month("December, 2021", "2021-12")]),
    ("The separatists resumed hostilities in August.", TUE, [month("August", "2023-08")]),
    ("The dispute was settled in September.", WIKI, [month("September", "2023-09")]),
    ("In 2016, GATIA attempted", TUE, [year("2016", "2016")]),
    ("the 2015 Algiers Agreement", TUE, [year("2015", "2015")]),
    ("Battle of Kidal (2023)", WIKI, [year("2023", "2023")]),
    ("born around 1959 or 1966, in Kidal", WIKI, [year("1959", "1959"), year("1966", "1966")]),
    ("in two coups in 2020 and 2021.", TUE, [year("2020", "2020"), year("2021", "2021")]),
    ("signed on May 15 and June 20, 2015, in Bamako", WIKI,
     [day("May 15", "2015-05-15"), day("June 20, 2015", "2015-06-20")]),
    ("in March and April 2012", TUE, [month("March", "2012-03"), month("April 2012", "2012-04")]),
    ("the 1990s", TUE, [year("the 1990s", "1990")]),
    ("the year 2012", TUE, [year("the year 2012", "2012")]),
    # parts of months and years: the unit's precision
    ("had made it their main objective since the end of October.", WED,
     [("since the end of October", "2023-10", "month", None, None)]),
    ("stationed since the beginning of October in Anefis", TUE,
     [("since the beginning of October", "2023-10", "month", None, None)]),
    ("the end of October", TUE, [month("the end of October", "2023-10")]),
    ("mid-November 2022", TUE, [month("mid-November 2022", "2022-11")]),
    ("fin octobre", TUE, [month("fin octobre", "2023-10")]),
    ("tensions rose in early 2023", TUE, [year("early 2023", "2023")]),
    ("At the start of 2023, tensions had intensified", WIKI, [year("the start of 2023", "2023")]),
    ("in late 2023 and", WIKI, [year("late 2023", "2023")]),
    ("mid-2023", TUE, [year("mid-2023", "2023")]),
    ("by late 2023.", WIKI, [("by late 2023", None, None, "2023", "year")]),
    ("ordered the mission to leave by the end of 2023.", WIKI,
     [("by the end of 2023", None, None, "2023", "year")]),
    ("They will withdraw by the end of next month, officials say.", TUE,
     [("by the end of next month", None, None, "2023-12", "month")]),
    # ranges
    ("DateNovember 10–14, 2023\nLocation", WIKI,
     [("November 10–14, 2023", "2023-11-10", "day", "2023-11-14", "day")]),
    ("took place between November 10 and 14, 2023, during", WIKI,
     [("between November 10 and 14, 2023", "2023-11-10", "day", "2023-11-14", "day")]),
    ("Between November 9 and 10, new drone strikes", WIKI,
     [("Between November 9 and 10", "2023-11-09", "day", "2023-11-10", "day")]),
    ("between November 9 and 10", TUE,
     [("between November 9 and 10", "2023-11-09", "day", "2023-11-10", "day")]),
    ("The battle took place between July 21 and 22, 2016 between GATIA", WIKI,
     [("between July 21 and 22, 2016", "2016-07-21", "day", "2016-07-22", "day")]),
    ("Between January 16 and 20, 2015, Platform", WIKI,
     [("Between January 16 and 20, 2015", "2015-01-16", "day", "2015-01-20", "day")]),
    ("January 16 and 20, 2015", WIKI,
     [day("January 16", "2015-01-16"), day("20, 2015", "2015-01-20")]),
    ("targeted on the night between November 3 and 4. No casualties", WIKI,
     [("the night between November 3 and 4", "2023-11-03", "day", "2023-11-04", "day")]),
    ("from 10 to 14 November 2023", TUE,
     [("from 10 to 14 November 2023", "2023-11-10", "day", "2023-11-14", "day")]),
    ("suffered humiliating defeats in the city from 2012 to 2014.", TUE,
     [("from 2012 to 2014", "2012", "year", "2014", "year")]),
    ("where the army suffered defeats between 2012 and 2014, was", TUE,
     [("between 2012 and 2014", "2012", "year", "2014", "year")]),
    ("Between 2021 and 2023, Platform joined", WIKI,
     [("Between 2021 and 2023", "2021", "year", "2023", "year")]),
    ("the 2012–2014 defeats", TUE, [("2012–2014", "2012", "year", "2014", "year")]),
    ("between October 30 and November 2, 2023", date(2025, 1, 1),
     [("between October 30 and November 2, 2023", "2023-10-30", "day", "2023-11-02", "day")]),
    ("from March to May 2012", TUE,
     [("from March to May 2012", "2012-03", "month", "2012-05", "month")]),
    # relative to the anchor
    ("“Today, our armed forces have taken over Kidal,”", TUE, [day("Today", "2023-11-14")]),
    ("entered Kidal alongside Malian forces on Tuesday, just", TUE, [day("Tuesday", "2023-11-14")]),
    ("The ruling junta announced Tuesday from Bamako", WED, [day("Tuesday", "2023-11-14")]),
    ("this Tuesday", TUE, [day("this Tuesday", "2023-11-14")]),
    ("cut off the telephone network on Friday as", TUE, [day("Friday", "2023-11-10")]),
    ("last Tuesday", TUE, [day("last Tuesday", "2023-11-07")]),
    ("next Monday", TUE, [day("next Monday", "2023-11-20")]),
    ("Yesterday, members of the Council", WED, [day("Yesterday", "2023-11-14")]),
    ("the images shot yesterday, during the entry", WED, [day("yesterday", "2023-11-14")]),
    ("expelled French forces from Mali last year and", TUE, [year("last year", "2022")]),
    ("to depart this year, leaving", TUE, [year("this year", "2023")]),
    ("elections next year", TUE, [year("next year", "2024")]),
    ("flown into Tessalit last month after", TUE, [month("last month", "2023-10")]),
    ("this month", TUE, [month("this month", "2023-11")]),
    ("next month", TUE, [month("next month", "2023-12")]),
    ("the offensive launched at the end of last week.", TUE,
     [month("the end of last week", "2023-11")]),
    ("last week", TUE, [month("last week", "2023-11")]),
    ("two years ago", TUE, [year("two years ago", "2021")]),
    ("3 months ago", TUE, [month("3 months ago", "2023-08")]),
    ("five days ago", TUE, [day("five days ago", "2023-11-09")]),
    ("two weeks ago", TUE, [year("two weeks ago", "2023")]),  # Oct 28 - Nov 3: two months
    ("two weeks ago", date(2023, 11, 28), [month("two weeks ago", "2023-11")]),
    ("last March", TUE, [month("last March", "2023-03")]),
    # starts and ends
    ("held by the rebels since 2014, and", WIKI, [("since 2014", "2014", "year", None, None)]),
    ("had barely regained a foothold since May 2014.", TUE,
     [("since May 2014", "2014-05", "month", None, None)]),
    ("a crisis since 2012. It", TUE, [("since 2012", "2012", "year", None, None)]),
    ("governor of Kidal Region since November 22, 2023, and", WIKI,
     [("since November 22, 2023", "2023-11-22", "day", None, None)]),
    ("the UN force stayed until 2023.", TUE, [("until 2023", None, None, "2023", "year")]),
    ("evacuated the camp in Kidal by October 31, and", WIKI,
     [("by October 31", None, None, "2023-10-31", "day")]),
    # durations: an approximate start
    ("who had held the city for a decade.", TUE, [("for a decade", "2013", "year", None, None)]),
    ("held by separatist Tuareg rebels for most of the past decade.", TUE,
     [("for most of the past decade", "2013", "year", None, None)]),
    ("failed to do in ten years, Mali did in two", WED,
     [("in ten years", "2013", "year", None, None)]),
    ("for ten years", TUE, [("for ten years", "2013", "year", None, None)]),
    ("the first time in nine years that all", WIKI,
     [("in nine years", "2015", "year", None, None)]),
    ("fighting the rebels for many years.", TUE, [("for many years", "2003", "year", None, None)]),
    ("for several weeks", WED, [("for several weeks", "2023", "year", None, None)]),
]
# fmt: on


@pytest.mark.parametrize(("text", "anchor", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_find_dates(text: str, anchor: date, expected: list[Row]) -> None:
    assert [row(d) for d in find_dates(text, anchor)] == expected


# fmt: off
NEGATIVES = [
    "Mali's military junta recruited an estimated 1,000 Russian soldiers.",
    "another UN base where 250 Canadian soldiers were deployed",
    "a column of 800 Malian and Russian forces launched an offensive",
    "located more than 1,500 km and 24 hours by car from the capital",
    "About 350 kilometres south of Kidal",
    "a Malian L-39 Albatros crashed",
    "Malian Bayraktar TB2 drones",
    "source site-28",
    "No casualties were reported. [11] [12]",
    "a reference [2015] and item #2015",
    "his 4-year-old granddaughter",
    "(@FAMa_DIRPA)",
    "some 2000 soldiers and 2000 km and 1950 people",
    "in 1850 and in 2035",
    "14+ civilians killed, 30+ injured",
    "That same day, fighters cut phone lines. The next day, fighting broke out.",
    "They had been in charge of security since then.",
    "agreed to a ceasefire a few days later; a year later it ended; two years earlier",
    "killed in drone strikes in recent days",
    "Protesters may march on Bamako; Mars is a planet; Nov is short.",
    "Dr. Guichaoua and Col. Goita",
    "pic.twitter.com/Fxg8WSbBoZ",
    "https://example.org/2023/11/14/kidal",
    "the invalid date 2023-02-30 and month 2023-13",
    "1 2 3 4 5 6 7",
    "a 2000-strong force; 2,023 people; 2023.5 units",
]
# fmt: on


@pytest.mark.parametrize("text", NEGATIVES)
def test_not_dates(text: str) -> None:
    assert find_dates(text, TUE) == []


def body(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8").split("---\n", 2)[2]


def test_france24_article() -> None:
    found = find_dates(body("002_50c56f432d7d8496.txt"), TUE)
    assert [d.text for d in found] == [
        "Tuesday", "November 14th", "for a decade", "Today", "for several days", "2020",
        "since 2012", "the end of last week", "Friday", "this Tuesday, November 14, 2023",
        "November 14, 2023", "since May 2014", "August", "between 2012 and 2014", "31 October",
        "since the beginning of October", "the end of last week", "Tuesday", "This week",
    ]  # fmt: skip


def test_globe_and_mail_article() -> None:
    found = find_dates(body("000_ca75d0cc00064998.txt"), TUE)
    assert [row(d) for d in found] == [
        day("Feb. 19, 2022", "2022-02-19"), day("Tuesday", "2023-11-14"),
        month("December, 2021", "2021-12"), year("last year", "2022"), year("this year", "2023"),
        ("for most of the past decade", "2013", "year", None, None),
        ("for many years", "2003", "year", None, None),
        year("2020", "2020"), year("2021", "2021"), day("Today", "2023-11-14"),
        day("Tuesday", "2023-11-14"), ("from 2012 to 2014", "2012", "year", "2014", "year"),
        month("last month", "2023-10"), ("over the past two weeks", "2023", "year", None, None),
        day("Oct. 31", "2023-10-31"), ("for decades", "1933", "year", None, None),
        year("2018", "2018"), year("this year", "2023"),
        ("by the end of next month", None, None, "2023-12", "month"),
    ]  # fmt: skip


def test_whole_article_sentence() -> None:
    text = ("The junta expelled French counter-terrorism forces from Mali last year and ordered "
            "the UN peacekeepers to depart this year.")  # fmt: skip
    assert [d.text for d in find_dates(text, TUE)] == ["last year", "this year"]


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision", "approximate"),
    [
        ("March 2012", date(2012, 3, 1), date(2012, 3, 31), "month", False),
        ("2015", date(2015, 1, 1), date(2015, 12, 31), "year", False),
        ("the end of October", date(2023, 10, 21), date(2023, 10, 31), "month", True),
        ("the beginning of October", date(2023, 10, 1), date(2023, 10, 10), "month", True),
        ("mid-November 2022", date(2022, 11, 11), date(2022, 11, 20), "month", True),
        ("early 2023", date(2023, 1, 1), date(2023, 4, 30), "year", True),
        ("At the start of 2023", date(2023, 1, 1), date(2023, 4, 30), "year", True),
        ("late 2023", date(2023, 9, 1), date(2023, 12, 31), "year", True),
        ("the first half of 2023", date(2023, 1, 1), date(2023, 6, 30), "year", True),
        ("last week", date(2023, 11, 6), date(2023, 11, 12), "month", True),
        ("the end of last week", date(2023, 11, 9), date(2023, 11, 12), "month", True),
        ("this week", date(2023, 11, 13), date(2023, 11, 19), "month", True),
        ("for a decade", date(2013, 1, 1), date(2013, 12, 31), "year", True),
        ("for most of the past decade", date(2013, 1, 1), date(2017, 12, 31), "year", True),
        ("in nine years", date(2014, 1, 1), date(2014, 12, 31), "year", True),
        ("for many years", date(2003, 1, 1), date(2018, 12, 31), "year", True),
        ("two years ago", date(2021, 1, 1), date(2021, 12, 31), "year", False),
        ("the 1990s", date(1990, 1, 1), date(1999, 12, 31), "year", False),
    ],
)
def test_spans(text: str, earliest: date, latest: date, precision: str, approximate: bool) -> None:
    found = normalise_date(text, anchor=TUE)
    assert found is not None
    span = found.start or found.end
    assert span == TimeSpan(earliest, latest, precision, approximate)  # type: ignore[arg-type]


def test_week_across_months_is_year_precision() -> None:
    span = normalise_date("last week", anchor=date(2023, 11, 1))
    assert span is not None and span.start is not None
    assert (span.start.earliest, span.start.latest) == (date(2023, 10, 23), date(2023, 10, 29))
    span = normalise_date("this week", anchor=date(2023, 11, 1))
    assert span is not None and span.start == TimeSpan(
        date(2023, 10, 30), date(2023, 11, 5), "year", True
    )


@pytest.mark.parametrize(
    ("weekday", "anchor", "expected"),
    [
        ("Tuesday", TUE, TUE),  # the anchor is that weekday: the anchor itself
        ("Tuesday", WED, TUE),
        ("Wednesday", TUE, date(2023, 11, 8)),
        ("Monday", TUE, date(2023, 11, 13)),
        ("Sunday", TUE, date(2023, 11, 12)),
    ],
)
def test_weekday_is_latest_on_or_before_anchor(weekday: str, anchor: date, expected: date) -> None:
    for phrase in (weekday, f"on {weekday}", f"this {weekday}"):
        found = normalise_date(phrase, anchor=anchor)
        assert found is not None and found.start == TimeSpan(expected, expected, "day")


def test_normalise_date() -> None:
    found = normalise_date("on Tuesday", anchor=TUE)
    tuesday = TimeSpan(TUE, TUE, "day")
    assert found == DatedPhrase(3, 10, "Tuesday", tuesday, tuesday)
    assert normalise_date("(November 14th)", anchor=TUE) is not None
    assert normalise_date("October", anchor=TUE) is not None  # alone, a month needs no cue
    assert normalise_date("Tuesday and Wednesday", anchor=TUE) is None  # two dates
    assert normalise_date("Kidal fell on Tuesday", anchor=TUE) is None  # more than a date
    assert normalise_date("the next day", anchor=TUE) is None
    assert normalise_date("", anchor=TUE) is None


def test_parse_iso_date() -> None:
    assert parse_iso_date("2023-11-14") == TimeSpan(TUE, TUE, "day")
    assert parse_iso_date("2023-11") == TimeSpan(date(2023, 11, 1), date(2023, 11, 30), "month")
    assert parse_iso_date("2024-02").latest == date(2024, 2, 29)
    assert parse_iso_date("2023") == TimeSpan(date(2023, 1, 1), date(2023, 12, 31), "year")
    assert parse_iso_date("9999-12").latest == date(9999, 12, 31)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2023-02-30", "'2023-02-30': day 30 is out of range for 2023-02 (01-28)"),
        ("2023-13", "'2023-13': month 13 is out of range (01-12)"),
        ("2023-00-01", "'2023-00-01': month 00 is out of range (01-12)"),
        ("0000", "'0000': there is no year 0000 (years start at 0001)"),
        ("14/11/2023", "'14/11/2023' is not an ISO date: write YYYY-MM-DD, YYYY-MM or YYYY"),
        ("2023-1-5", "'2023-1-5' is not an ISO date: write YYYY-MM-DD, YYYY-MM or YYYY"),
        ("", "'' is not an ISO date: write YYYY-MM-DD, YYYY-MM or YYYY"),
    ],
)
def test_parse_iso_date_errors(value: str, message: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_iso_date(value)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("phrase", "previous", "expected"),
    [
        ("the next day", "2023-11-10", "2023-11-11"),
        ("The following day", "2023-11-30", "2023-12-01"),
        ("that same day", "2023-11-10", "2023-11-10"),
        ("That  night", "2023-11-10", "2023-11-10"),
        ("the day before", "2023-11-10", "2023-11-09"),
        ("two days later", "2023-11-10", "2023-11-12"),
        ("3 days earlier", "2023-11-10", "2023-11-07"),
        ("that same day", "2023-11", "2023-11"),  # the same (unknown) day of that month
        ("the next day", "2023-11", None),  # no day to shift from
        ("the next week", "2023-11-10", None),
        ("a few days later", "2023-11-10", None),
    ],
)
def test_resolve_relative_day(phrase: str, previous: str, expected: str | None) -> None:
    resolved = resolve_relative_day(phrase, parse_iso_date(previous))
    assert (resolved and resolved.iso) == expected


def test_stage_name() -> None:
    assert STAGE == "dates.v1"


# --- properties ----------------------------------------------------------------------------

EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
      "October", "November", "December"]  # fmt: skip
FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
      "octobre", "novembre", "décembre"]  # fmt: skip
SHORT = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "Jun.", "Jul.", "Aug.", "Sept.", "Oct.", "Nov.",
         "Dec."]  # fmt: skip


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


DAY_FORMATS = {
    "Month D, YYYY": lambda d: f"{EN[d.month - 1]} {d.day}, {d.year:04d}",
    "D Month YYYY": lambda d: f"{d.day} {EN[d.month - 1]} {d.year:04d}",
    "Mon. D, YYYY": lambda d: f"{SHORT[d.month - 1]} {d.day}, {d.year:04d}",
    "Month Dth, YYYY": lambda d: f"{EN[d.month - 1]} {ordinal(d.day)}, {d.year:04d}",
    "the Dth of Month YYYY": lambda d: f"the {ordinal(d.day)} of {EN[d.month - 1]} {d.year:04d}",
    "Weekday, Month D, YYYY": lambda d: f"{d:%A}, {EN[d.month - 1]} {d.day}, {d.year:04d}",
    "D mois YYYY": lambda d: f"{'1er' if d.day == 1 else d.day} {FR[d.month - 1]} {d.year:04d}",
    "ISO": lambda d: d.isoformat(),
}
YEARLESS_FORMATS = {
    "Month D": lambda d: f"{EN[d.month - 1]} {d.day}",
    "D Month": lambda d: f"{d.day} {EN[d.month - 1]}",
    "Month Dth": lambda d: f"{EN[d.month - 1]} {ordinal(d.day)}",
    "Mon. D": lambda d: f"{SHORT[d.month - 1]} {d.day}",
}
MONTH_FORMATS = {
    "Month YYYY": lambda d: f"{EN[d.month - 1]} {d.year:04d}",
    "Month, YYYY": lambda d: f"{EN[d.month - 1]}, {d.year:04d}",
    "mois YYYY": lambda d: f"{FR[d.month - 1]} {d.year:04d}",
    "YYYY-MM": lambda d: f"{d.year:04d}-{d.month:02d}",
}
anchors = st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31))


def only(text: str, anchor: date) -> DatedPhrase:
    """The single date of 'Reported on <text>, officials said.', checked against its slice."""
    sentence = f"Reported on {text}, officials said."
    found = find_dates(sentence, anchor)
    assert [d.text for d in found] == [text]
    assert sentence[found[0].begin : found[0].stop] == text
    return found[0]


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(2999, 12, 31)),
       st.sampled_from(sorted(DAY_FORMATS)), anchors)  # fmt: skip
def test_day_formats_round_trip(day_: date, fmt: str, anchor: date) -> None:
    found = only(DAY_FORMATS[fmt](day_), anchor)
    assert found.start == found.end == TimeSpan(day_, day_, "day")


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)),
       st.sampled_from(sorted(YEARLESS_FORMATS)), st.integers(-7, 350))  # fmt: skip
def test_yearless_days_take_the_anchors_year(day_: date, fmt: str, days_before: int) -> None:
    anchor = day_ + timedelta(days=days_before)  # the article is from up to 350 days later
    found = only(YEARLESS_FORMATS[fmt](day_), anchor)
    assert found.start == found.end == TimeSpan(day_, day_, "day")


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(2999, 12, 31)),
       st.sampled_from(sorted(MONTH_FORMATS)), anchors)  # fmt: skip
def test_month_formats_round_trip(day_: date, fmt: str, anchor: date) -> None:
    found = only(MONTH_FORMATS[fmt](day_), anchor)
    assert found.start == found.end == parse_iso_date(f"{day_.year:04d}-{day_.month:02d}")
    assert found.start is not None and found.start.precision == "month"


@given(anchors, st.integers(0, 200))
def test_bare_years_round_trip(anchor: date, back: int) -> None:
    y = anchor.year + 5 - back
    assume(y >= 1900)
    found = only(str(y), anchor)
    assert found.start == found.end == TimeSpan(date(y, 1, 1), date(y, 12, 31), "year")


@given(anchors, st.integers(6, 50))
def test_bare_years_out_of_range_are_not_dates(anchor: date, ahead: int) -> None:
    assert find_dates(f"in {anchor.year + ahead}", anchor) == []


@given(anchors, st.sampled_from(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                 "Saturday", "Sunday"]))  # fmt: skip
def test_weekdays(anchor: date, weekday: str) -> None:
    found = only(weekday, anchor)
    assert found.start is not None
    resolved = found.start.earliest
    assert f"{resolved:%A}" == weekday and timedelta(0) <= anchor - resolved < timedelta(days=7)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)), st.integers(1, 27),
       st.integers(1, 3), anchors)  # fmt: skip
def test_day_ranges(first: date, length: int, fmt: int, anchor: date) -> None:
    last_day = min(first.day + length, 28)
    assume(last_day > first.day)
    name = EN[first.month - 1]
    text = {1: f"{name} {first.day}–{last_day}, {first.year}",
            2: f"between {name} {first.day} and {last_day}, {first.year}",
            3: f"from {first.day} to {last_day} {name} {first.year}"}[fmt]  # fmt: skip
    found = only(text, anchor)
    assert found.start == TimeSpan(first, first, "day")
    assert found.end == TimeSpan(first.replace(day=last_day), first.replace(day=last_day), "day")


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(2999, 12, 31)),
       st.sampled_from(sorted(DAY_FORMATS)), st.sampled_from(["since", "until", "by"]), anchors)
def test_since_until_by(day_: date, fmt: str, keyword: str, anchor: date) -> None:
    text = f"{keyword} {DAY_FORMATS[fmt](day_)}"
    found = only(text, anchor)
    expected = TimeSpan(day_, day_, "day")
    assert (found.start, found.end) == ((expected, None) if keyword == "since" else (None, expected))


@given(anchors, st.integers(1, 20), st.sampled_from(["year", "month", "day"]))
def test_ago(anchor: date, n: int, unit: str) -> None:
    found = only(f"{n} {unit}{'s' if n > 1 else ''} ago", anchor)
    assert found.start is not None and not found.start.approximate
    assert found.start.precision == unit
    assert anchor - found.start.latest >= timedelta(0)


def check_invariants(text: str, found: list[DatedPhrase]) -> None:
    for d in found:
        assert text[d.begin : d.stop] == d.text and d.begin < d.stop
        assert d.start is not None or d.end is not None
        for span in (d.start, d.end):
            if span is not None:
                assert span.earliest <= span.latest
                assert span.precision in {"day", "month", "year"}
        if d.start is not None and d.end is not None:
            assert d.start.earliest <= d.end.latest
    for a, b in zip(found, found[1:], strict=False):
        assert a.stop <= b.begin  # sorted, never overlapping


@settings(max_examples=300)
@given(st.text(), anchors)
def test_never_raises_on_any_text(text: str, anchor: date) -> None:
    check_invariants(text, find_dates(text, anchor))


TOKENS = ("November Nov. 14 14th 1er 31 2023 2023-11-14 2023-02-30 1850 May mars Tuesday this "
          "last next the end beginning of early mid- since until by from to between and or – - , . "
          "for in a decade years weeks ago two several most past night today yesterday week month "
          "year km soldiers [12] 1990s DateNovember ( ) le et entre du au").split() + ["\n"]


@settings(max_examples=500)
@given(st.lists(st.sampled_from(TOKENS), max_size=14), st.sampled_from([" ", ""]), anchors)
def test_never_raises_on_date_like_text(tokens: list[str], joiner: str, anchor: date) -> None:
    text = joiner.join(tokens)
    check_invariants(text, find_dates(text, anchor))
