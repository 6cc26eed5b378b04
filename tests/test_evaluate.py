"""The scorer of kg/evaluate.py on hand-built extractions, and the gold files themselves."""

from __future__ import annotations

import calendar
import json
from datetime import date
from pathlib import Path

import pytest

from kg.corpus import read_article
from kg.errors import CorpusError
from kg.evaluate import (
    Gold,
    load_gold,
    miss_lines,
    parse_gold,
    score,
    score_lines,
)
from kg.model import (
    CasualtyClaim,
    CasualtyKind,
    Claim,
    ControlChange,
    ControlClaim,
    Document,
    Entity,
    EventClaim,
    Evidence,
    Extraction,
    MembershipClaim,
    Mention,
    Polarity,
    RoleClaim,
    TimeSpan,
)

ROOT = Path(__file__).resolve().parents[1]
DOC = "doc1"


# --- helpers -------------------------------------------------------------


def day(iso: str) -> TimeSpan:
    d = date.fromisoformat(iso)
    return TimeSpan(d, d, "day")


def month(y: int, m: int) -> TimeSpan:
    return TimeSpan(date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]), "month")


def year(y: int) -> TimeSpan:
    return TimeSpan(date(y, 1, 1), date(y, 12, 31), "year")


EV = Evidence(DOC, 0, 5, "quote")
DOCUMENT = Document(
    DOC, "doc1.txt", "quote and more text", "t", "france-24", date(2023, 11, 14), "en"
)


def extraction(
    *claims: Claim,
    keys: tuple[str, ...] = (),
    discovered: tuple[str, ...] = (),
    doc: Document = DOCUMENT,
) -> Extraction:
    mentions = tuple(Mention(0, 1, "x", k) for k in keys)
    entities = tuple(Entity(k, k, ("Person",), discovered=True) for k in discovered)
    return Extraction(doc, mentions, entities, tuple(claims))


def gold(
    *facts: dict[str, object], entities: tuple[str, ...] = (), doc_id: str = DOC
) -> dict[str, Gold]:
    raw = {
        "doc_id": doc_id,
        "entities": list(entities),
        "facts": [{"quote": "quote", **f} for f in facts],
    }
    return {doc_id: parse_gold(raw)}


def control(
    change: ControlChange = "gain",
    start: TimeSpan | None = None,
    end: TimeSpan | None = None,
    polarity: Polarity = "asserted",
) -> ControlClaim:
    return ControlClaim(
        "r", EV, "france-24", polarity, controller="fama", territory="kidal",
        change=change, start=start, end=end,
    )  # fmt: skip


def casualty(
    kind: CasualtyKind = "killed",
    n: int | None = 14,
    text: str = "fourteen",
    claimant: str = "wikipedia",
    polarity: Polarity = "asserted",
) -> CasualtyClaim:
    return CasualtyClaim(
        "r", EV, claimant, polarity, casualty=kind, count_min=n, count_max=n,
        count_text=text, victims="civilians",
    )  # fmt: skip


def event(
    kind: str = "Capture",
    place: str | None = "kidal",
    start: TimeSpan | None = None,
    polarity: Polarity = "asserted",
) -> EventClaim:
    return EventClaim("r", EV, "france-24", polarity, event_type=kind, place=place, start=start)


G_GAIN = {"kind": "control", "controller": "fama", "territory": "kidal", "change": "gain",
          "date": "2023-11-14"}  # fmt: skip
G_14 = {"kind": "casualty", "casualty": "killed", "count_text": "fourteen", "count_min": 14,
        "victims": "civilians", "claimant": "wikipedia"}  # fmt: skip


# --- matching ------------------------------------------------------------


def test_perfect_match_scores_one() -> None:
    claims = (
        control(start=day("2023-11-14")),
        event("Battle", "kidal", day("2023-11-10")),
        MembershipClaim("r", EV, "wikipedia", member="cma", organisation="csp-psd", change="state"),
        RoleClaim("r", EV, "wikipedia", holder="assimi-goita", role="JuntaLeader", within="mali"),
        casualty(),
    )
    facts = (
        G_GAIN,
        {"kind": "event", "event_type": "Battle", "place": "kidal", "date": "2023-11-10"},
        {"kind": "membership", "member": "cma", "organisation": "csp-psd", "change": "state"},
        {"kind": "role", "holder": "assimi-goita", "role": "JuntaLeader", "within": "mali"},
        G_14,
    )
    scores = score([extraction(*claims, keys=("kidal", "fama"), discovered=("x-y",))],
                   gold(*facts, entities=("kidal", "fama", "x-y")))  # fmt: skip
    for kind, tally in scores.by_kind.items():
        assert (kind, tally.precision, tally.recall, tally.f1) == (kind, 1.0, 1.0, 1.0)
    assert (scores.overall.tp, scores.overall.fp, scores.overall.fn) == (5, 0, 0)
    assert scores.false_positives == () and scores.false_negatives == ()
    assert scores.claimant.value == 1.0 and scores.polarity.value == 1.0


@pytest.mark.parametrize(
    ("predicted", "gold_date", "hit"),
    [
        (day("2023-11-14"), "2023-11-14", True),
        (month(2023, 11), "2023-11-14", False),  # a month where the gold has a day
        (day("2023-11-14"), "2023-11", False),  # a day where the gold has a month
        (month(2023, 11), "2023-11", True),
        (day("2014-05-01"), "2014", False),  # an invented day
        (year(2014), "2014", True),
        (day("2023-11-13"), "2023-11-14", False),
        (None, "2023-11-14", False),  # a missing date is a miss
        (None, None, True),
        (day("2013-01-01"), None, True),  # the gold gives no date: any date
    ],
)
def test_control_date_must_match_at_the_gold_precision(
    predicted: TimeSpan | None, gold_date: str | None, hit: bool
) -> None:
    scores = score([extraction(control(start=predicted))], gold({**G_GAIN, "date": gold_date}))
    assert scores.by_kind["control"].tp == int(hit)
    assert scores.by_kind["control"].fp == scores.by_kind["control"].fn == int(not hit)


def test_a_loss_is_dated_by_its_end() -> None:
    loss = {**G_GAIN, "change": "loss", "date": "2023-10-31"}
    by_end = control(change="loss", end=day("2023-10-31"))
    by_start = control(change="loss", start=day("2023-10-31"))  # no end: the start stands in
    assert score([extraction(by_end)], gold(loss)).overall.tp == 1
    assert score([extraction(by_start)], gold(loss)).overall.tp == 1
    wrong = control(change="loss", start=day("2023-10-01"), end=day("2023-11-02"))
    assert score([extraction(wrong)], gold(loss)).overall.tp == 0


def test_duplicates_count_once() -> None:
    same = [control(start=day("2023-11-14")) for _ in range(3)]
    scores = score([extraction(*same)], gold(G_GAIN))
    assert (scores.overall.tp, scores.overall.fp, scores.overall.fn) == (1, 0, 0)


def test_duplicate_gold_facts_are_one_item() -> None:
    scores = score([extraction(casualty())], gold(G_14, {**G_14, "count_text": "14+"}))
    assert (scores.overall.tp, scores.overall.fp, scores.overall.fn) == (1, 0, 0)


def test_each_gold_fact_is_matched_once() -> None:
    preds = [control(start=day("2023-11-14")), control(start=None)]
    scores = score([extraction(*preds)], gold(G_GAIN))
    assert (scores.overall.tp, scores.overall.fp, scores.overall.fn) == (1, 1, 0)


def test_matching_is_one_to_one_and_order_free() -> None:
    # the undated prediction could take either gold event; the dated one only the dated gold
    golds = gold(
        {"kind": "event", "event_type": "Withdrawal", "place": "kidal", "date": None},
        {"kind": "event", "event_type": "Withdrawal", "place": "kidal", "date": "2023-10-31"},
    )
    preds = [event("Withdrawal", "kidal", None), event("Withdrawal", "kidal", day("2023-10-31"))]
    for order in (preds, preds[::-1]):
        assert score([extraction(*order)], golds).overall.tp == 2


@pytest.mark.parametrize(
    ("predicted", "gold_polarity", "hit"),
    [
        ("asserted", "asserted", True),
        ("denied", "denied", True),
        ("denied", "asserted", False),
        ("asserted", "denied", False),
        ("hedged", "asserted", True),
        ("asserted", "hedged", True),
        ("hedged", "denied", False),
    ],
)
def test_denied_matches_only_denied(predicted: str, gold_polarity: str, hit: bool) -> None:
    scores = score([extraction(casualty(polarity=predicted))],
                   gold({**G_14, "polarity": gold_polarity}))  # fmt: skip
    assert scores.overall.tp == int(hit)


def test_asserted_and_denied_figures_are_two_facts() -> None:
    several = {**G_14, "count_min": None, "count_text": "Several"}
    golds = gold({**several, "claimant": "tuareg-rebels"},
                 {**several, "claimant": "fama", "polarity": "denied"})  # fmt: skip
    preds = [casualty(n=None, text="several", claimant="tuareg-rebels"),
             casualty(n=None, text="Several", claimant="fama", polarity="denied")]  # fmt: skip
    scores = score([extraction(*preds)], golds)
    assert (scores.overall.tp, scores.overall.fp, scores.overall.fn) == (2, 0, 0)
    assert scores.claimant.value == 1.0


def test_polarity_accuracy_counts_exact_agreement() -> None:
    scores = score([extraction(casualty(polarity="hedged"))], gold(G_14))
    assert scores.overall.tp == 1
    assert (scores.polarity.correct, scores.polarity.total) == (0, 1)


@pytest.mark.parametrize(
    ("n", "text", "gold_n", "gold_text", "hit"),
    [
        (14, "14", 14, "fourteen", True),  # count_min decides; the text may differ
        (10, "ten", 14, "fourteen", False),
        (None, "Around  Twenty", None, "around twenty", True),  # no count: the text, case-folded
        (20, "around twenty", None, "around twenty", True),
        (None, "dozens", None, "around twenty", False),
        (None, "", None, "around twenty", False),
    ],
)
def test_casualty_count(
    n: int | None, text: str, gold_n: int | None, gold_text: str, hit: bool
) -> None:
    scores = score([extraction(casualty(n=n, text=text))],
                   gold({**G_14, "count_min": gold_n, "count_text": gold_text}))  # fmt: skip
    assert scores.overall.tp == int(hit)


def test_casualty_type_must_match_and_claimant_is_scored_apart() -> None:
    assert score([extraction(casualty(kind="injured"))], gold(G_14)).overall.tp == 0
    scores = score([extraction(casualty(claimant="rfi"))], gold(G_14))
    assert scores.overall.tp == 1
    assert (scores.claimant.correct, scores.claimant.total) == (0, 1)


def test_role_within_is_ignored_when_the_gold_has_none() -> None:
    role = {"kind": "role", "holder": "el-hadj-ag-gamou", "role": "Commander", "within": None}
    pred = RoleClaim("r", EV, "x", holder="el-hadj-ag-gamou", role="Commander", within="fama")
    assert score([extraction(pred)], gold(role)).overall.tp == 1
    assert score([extraction(pred)], gold({**role, "within": "gatia"})).overall.tp == 0
    other = RoleClaim("r", EV, "x", holder="el-hadj-ag-gamou", role="Governor", within="fama")
    assert score([extraction(other)], gold(role)).overall.tp == 0


def test_membership_ignores_the_date_but_not_the_change() -> None:
    fact = {"kind": "membership", "member": "platform", "organisation": "csp-psd",
            "change": "leave", "date": "2023-09"}  # fmt: skip
    left = MembershipClaim("r", EV, "x", member="platform", organisation="csp-psd", change="leave")
    joined = MembershipClaim("r", EV, "x", member="platform", organisation="csp-psd", change="join")
    assert score([extraction(left)], gold(fact)).overall.tp == 1
    assert score([extraction(joined)], gold(fact)).overall.tp == 0


@pytest.mark.parametrize(
    ("place", "start", "gold_place", "gold_date", "hit"),
    [
        ("kidal", day("2023-11-14"), "kidal", "2023-11-14", True),
        ("kidal", None, "kidal", "2023-11-14", True),  # events: the date counts when both have one
        ("kidal", month(2023, 11), "kidal", "2023-11-14", False),
        ("kidal", day("2023-11-14"), None, "2023-11-14", False),  # null place matches only null
        (None, day("2023-11-14"), None, "2023-11-14", True),
        ("gao", day("2023-11-14"), "kidal", "2023-11-14", False),
    ],
)
def test_event_type_place_and_date(
    place: str | None, start: TimeSpan | None, gold_place: str | None, gold_date: str, hit: bool
) -> None:
    fact = {"kind": "event", "event_type": "Capture", "place": gold_place, "date": gold_date}
    assert score([extraction(event("Capture", place, start))], gold(fact)).overall.tp == int(hit)
    assert score([extraction(event("Withdrawal", place, start))], gold(fact)).overall.tp == 0


def test_entities_are_sets_per_document() -> None:
    keys = ("kidal", "kidal", "fama", "wikipedia")
    ext = extraction(keys=keys, discovered=("ouguenat-ag-telele",))
    scores = score([ext], gold(entities=("kidal", "fama", "ouguenat-ag-telele", "gao")))
    assert (scores.by_kind["entities"].tp, scores.by_kind["entities"].fp,
            scores.by_kind["entities"].fn) == (3, 1, 1)  # fmt: skip
    assert [f.key for f in scores.false_positives] == [("wikipedia",)]
    assert [f.key for f in scores.false_negatives] == [("gao",)]
    assert scores.overall.tp == 0  # entities are not part of the overall claim figure


def test_missing_and_extra_documents() -> None:
    other = Document("doc2", "doc2.txt", "x", "t", "p", date(2023, 1, 1), "en")
    golds = {**gold(G_GAIN), **gold(G_14, doc_id="doc3")}
    scores = score([extraction(control(start=day("2023-11-14"))), extraction(doc=other)], golds)
    assert scores.documents == ("doc1", "doc3")
    assert scores.unscored == ("doc2",)
    assert (scores.overall.tp, scores.overall.fp, scores.overall.fn) == (1, 0, 1)


def test_empty_rows_and_report() -> None:
    scores = score([extraction(casualty(kind="injured"))], gold(G_14))
    casualty_row = scores.by_kind["casualty"]
    assert (casualty_row.precision, casualty_row.recall, casualty_row.f1) == (0.0, 0.0, 0.0)
    assert scores.by_kind["role"].precision == 1.0  # nothing predicted, nothing expected
    assert scores.tally("roles") == scores.by_kind["role"]
    assert scores.tally("overall") == scores.overall
    lines = score_lines(scores)
    assert lines[0].split() == ["kind", "tp", "fp", "fn", "precision", "recall", "f1"]
    assert [line.split()[0] for line in lines[2:8]] == [
        "entities", "events", "control", "membership", "roles", "casualty",
    ]  # fmt: skip
    assert lines[9].split() == ["overall", "0", "1", "1", "0.000", "0.000", "0.000"]
    assert "claimant accuracy (casualty): 0/0 = 1.000" in lines
    assert miss_lines(scores) == [
        "FP doc1 casualty injured 14 -  << 'quote'",
        "FN doc1 casualty killed 14 -  << 'quote'",
    ]


# --- gold files ----------------------------------------------------------


@pytest.mark.parametrize(
    ("fact", "message"),
    [
        ({"kind": "rumour"}, "'kind' must be one of"),
        ({**G_GAIN, "date": "14/11/2023"}, "is not an ISO date"),
        ({**G_GAIN, "change": "won"}, "'won' is not one of gain, loss, state"),
        ({**G_GAIN, "controller": "FAMa"}, "is not an entity key"),
        ({**G_GAIN, "polarity": "maybe"}, "polarity must be one of"),
        ({**G_GAIN, "when": "x"}, "unknown field(s) when"),
        ({"kind": "event", "event_type": "Massacre", "place": None}, "'Massacre' is not one of"),
        ({**G_14, "count_min": "14"}, "is not an integer"),
        ({"kind": "role", "holder": "x", "role": "King"}, "'King' is not one of"),
    ],
)
def test_bad_gold_facts_are_named(fact: dict[str, object], message: str) -> None:
    with pytest.raises(CorpusError, match="x.json: facts\\[0\\]") as error:
        parse_gold({"doc_id": "x", "facts": [{"quote": "q", **fact}]}, "x.json")
    assert message in str(error.value)


def test_gold_needs_a_quote_and_its_own_file_name(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="'quote'"):
        parse_gold({"doc_id": "x", "facts": [{**G_GAIN}]}, "x.json")
    (tmp_path / "a.json").write_text(json.dumps({"doc_id": "b", "facts": []}))
    with pytest.raises(CorpusError, match="a.json: doc_id 'b' is not the file stem"):
        load_gold(tmp_path)


GOLD_SETS = [(ROOT / "corpus", ROOT / "tests" / "gold"),
             (ROOT / "tests" / "data" / "corpus", ROOT / "tests" / "data" / "gold")]  # fmt: skip


@pytest.mark.parametrize(("corpus", "gold_dir"), GOLD_SETS)
def test_gold_files_load_and_quote_their_articles(corpus: Path, gold_dir: Path) -> None:
    golds = load_gold(gold_dir)
    assert golds
    for doc_id, doc_gold in golds.items():
        document, _ = read_article(corpus / f"{doc_id}.txt")
        raw = json.loads((gold_dir / f"{doc_id}.json").read_text(encoding="utf-8"))
        for fact in raw["facts"]:
            assert fact["quote"] in document.text, (doc_id, fact["quote"])
        assert doc_gold.entities and doc_gold.facts


def test_every_shipped_article_has_gold() -> None:
    articles = {p.stem for p in (ROOT / "corpus").glob("*.txt")}
    assert articles == set(load_gold(ROOT / "tests" / "gold"))


def test_the_kidal_civilian_toll_stays_contradictory() -> None:
    """The four reported civilian death tolls near Kidal, each with its claimant."""
    golds = load_gold(ROOT / "tests" / "gold")
    tolls = {
        (f.key[1], f.key[2], claimant)
        for g in golds.values()
        for f in g.facts
        if f.kind == "casualty" and f.key[0] == "killed"
        for claimant in f.claimants
    }
    assert {
        (14, None, "wikipedia"),
        (10, None, "rfi"),
        (None, "around twenty", "unknown-french-language-african-outlet"),
        (None, "dozens", "tuareg-rebels"),
    } <= tolls
