"""Control periods, intervals and disputes derived from hand-built claims."""

from __future__ import annotations

from datetime import date

from kg.model import (
    CasualtyClaim,
    ControlClaim,
    Document,
    EventClaim,
    Evidence,
    Extraction,
    MembershipClaim,
    RoleClaim,
    TimeSpan,
)
from kg.temporal import derive, most_precise


def day(iso: str) -> TimeSpan:
    d = date.fromisoformat(iso)
    return TimeSpan(d, d, "day")


def month(year: int, m: int) -> TimeSpan:
    last = date(year + (m == 12), m % 12 + 1, 1) - date.resolution
    return TimeSpan(date(year, m, 1), last, "month")


def year(y: int, approximate: bool = False) -> TimeSpan:
    return TimeSpan(date(y, 1, 1), date(y, 12, 31), "year", approximate)


def doc(doc_id: str, published: str) -> Document:
    return Document(
        doc_id, doc_id + ".txt", "x" * 400, doc_id, "pub", date.fromisoformat(published), "en"
    )


def ev(doc_id: str, begin: int) -> Evidence:
    return Evidence(doc_id, begin, begin + 1, "x")


def control(doc_id, begin, controller, change, start=None, end=None, polarity="asserted"):
    return ControlClaim(
        rule="t",
        evidence=ev(doc_id, begin),
        claimant="pub",
        polarity=polarity,
        controller=controller,
        territory="kidal",
        change=change,
        start=start,
        end=end,
    )


def extraction(doc_id: str, published: str, *claims) -> Extraction:
    return Extraction(doc(doc_id, published), (), (), tuple(claims))


KIDAL = [
    extraction("a", "2024-06-01",
               control("a", 1, "ansar-dine", "gain", start=month(2012, 3)),
               control("a", 1, "aqim", "gain", start=month(2012, 3)),
               control("a", 2, "jihadists", "loss", end=month(2013, 1)),
               control("a", 2, "mnla", "gain", start=month(2013, 1)),
               control("a", 3, "tuareg-rebels", "state", start=year(2014)),
               control("a", 4, "fama", "gain", start=day("2023-11-14")),
               control("a", 4, "wagner-group", "gain", start=day("2023-11-14"))),
    extraction("b", "2023-11-14",
               control("b", 1, "tuareg-rebels", "state", start=year(2013, approximate=True),
                       end=day("2023-11-14")),
               control("b", 2, "fama", "gain", start=day("2023-11-14"))),
]  # fmt: skip


def test_control_timeline_of_kidal() -> None:
    periods, _ = derive(KIDAL)
    rows = [(p.subject, p.co_subjects, p.start.iso if p.start else None, p.end.iso if p.end else None,
             p.ongoing) for p in periods if p.kind == "control"]  # fmt: skip
    assert rows == [
        ("ansar-dine", ("aqim",), "2012-03", "2013-01", False),
        ("mnla", (), "2013-01", "2014", False),
        ("tuareg-rebels", (), "2014", "2023-11-14", False),
        ("fama", ("wagner-group",), "2023-11-14", None, True),
    ]


def test_ongoing_period_is_as_of_latest_source_and_cites_both_documents() -> None:
    periods, _ = derive(KIDAL)
    last = [p for p in periods if p.kind == "control"][-1]
    assert last.as_of == date(2024, 6, 1)
    assert last.documents == ("a", "b")
    assert len(last.claims) == 3


def test_approximate_start_supports_but_does_not_open_a_period() -> None:
    periods, _ = derive(KIDAL)
    rebels = next(p for p in periods if p.subject == "tuareg-rebels")
    assert rebels.documents == ("a", "b")


def test_loss_ends_a_period_before_the_next_gain() -> None:
    claims = extraction("c", "2023-12-01",
                        control("c", 1, "minusma", "gain", start=year(2014)),
                        control("c", 2, "minusma", "loss", end=day("2023-10-31")),
                        control("c", 3, "fama", "gain", start=day("2023-11-14")))  # fmt: skip
    periods, _ = derive([claims])
    assert [(p.subject, p.end.iso if p.end else None) for p in periods] == [
        ("minusma", "2023-10-31"), ("fama", None)]  # fmt: skip


def test_denied_control_claim_opens_nothing() -> None:
    claims = extraction(
        "d",
        "2023-12-01",
        control("d", 1, "fama", "gain", start=day("2023-11-14"), polarity="denied"),
    )
    assert derive([claims])[0] == []


def test_membership_interval_takes_founding_date_and_leaving_date() -> None:
    founding = EventClaim(rule="t", evidence=ev("e", 1), claimant="pub", event_type="Founding",
                          side_a=("csp-psd",), start=day("2021-05-06"))  # fmt: skip

    def member(begin, who, change, start=None, end=None):
        return MembershipClaim(
            rule="t",
            evidence=ev("e", begin),
            claimant="pub",
            member=who,
            organisation="csp-psd",
            change=change,
            start=start,
            end=end,
        )

    periods, _ = derive(
        [
            extraction(
                "e",
                "2024-06-01",
                founding,
                member(2, "cma", "state"),
                member(2, "platform", "state"),
                member(3, "platform", "leave", end=month(2023, 9)),
                member(4, "platform", "join", start=year(2021), end=year(2023)),
            )
        ]
    )
    rows = {p.subject: (p.start.iso, p.end.iso if p.end else None, p.ongoing) for p in periods}
    assert rows == {"cma": ("2021-05-06", None, True), "platform": ("2021", "2023-09", False)}


def test_role_interval() -> None:
    role = RoleClaim(
        rule="t",
        evidence=ev("f", 1),
        claimant="pub",
        holder="el-hadj-ag-gamou",
        role="Governor",
        within="kidal-region",
        start=day("2023-11-22"),
    )
    (period,), _ = derive([extraction("f", "2024-06-01", role)])
    assert (period.kind, period.within, period.start.iso, period.ongoing) == (
        "role", "kidal-region", "2023-11-22", True)  # fmt: skip


def test_different_figures_are_disputed_and_both_kept() -> None:
    def killed(doc_id, begin, n, text):
        return CasualtyClaim(rule="t", evidence=ev(doc_id, begin), claimant=doc_id, casualty="killed",
                             count_min=n, count_max=n, count_text=text, victims="civilians",
                             place="kidal")  # fmt: skip

    _, disputes = derive([extraction("g", "2024-06-01", killed("g", 1, 14, "fourteen"), killed("g", 2, 10, "ten")),
                          extraction("h", "2024-06-15", killed("h", 1, 20, "around twenty"))])  # fmt: skip
    assert len(disputes) == 3


def test_undated_figures_are_about_their_articles_month() -> None:
    """Undated tolls published months apart are not the same toll: no pair, so the pairs
    grow with the reports of a month, not with the square of the corpus."""
    def killed(doc_id, n, when=None):
        return CasualtyClaim(rule="t", evidence=ev(doc_id, n), claimant=doc_id, casualty="killed",
                             count_min=n, count_max=n, count_text=str(n), victims="civilians",
                             place="kidal", date=when)  # fmt: skip

    _, disputes = derive([extraction("g", "2024-06-01", killed("g", 14), killed("g", 10)),
                          extraction("h", "2023-11-15", killed("h", 20)),
                          extraction("i", "2025-01-02", killed("i", 30, month(2023, 11)))])  # fmt: skip
    assert len(disputes) == 2  # g's two figures; h's undated one and i's dated to its month
    # A page published later about a battle: its undated figure is about the month of its
    # events as well, so it meets h's and i's (and, published in June 2024, g's) figures.
    battle = EventClaim(rule="t", evidence=ev("w", 9), claimant="w", event_type="Capture",
                        side_a=("fama",), start=day("2023-11-14"))  # fmt: skip
    _, more = derive([extraction("g", "2024-06-01", killed("g", 14), killed("g", 10)),
                      extraction("h", "2023-11-15", killed("h", 20)),
                      extraction("i", "2025-01-02", killed("i", 30, month(2023, 11))),
                      extraction("w", "2024-06-20", killed("w", 25), battle)])  # fmt: skip
    assert len(more) == 2 + 4


def test_most_precise_prefers_day_over_month_over_year() -> None:
    assert most_precise([year(2021), day("2021-05-06"), month(2021, 5)]) == day("2021-05-06")
    assert most_precise([]) is None
