"""Event resolution on hand-made claim sets: one event per happening, with all its sources."""

from __future__ import annotations

from datetime import date

from kg.emit import claim_iri
from kg.events import Reported, ResolvedEvent, World, event_iri, resolve_events
from kg.model import CasualtyClaim, Claim, EventClaim, Evidence, TimeSpan

#: A small world: a camp inside Kidal, Kidal and Gao inside Mali; the army and the junta
#: are Malian, Barkhane French; "rebels" is a vague collective.
PARENTS = {"minusma-camp": ("kidal", "mali"), "kidal": ("mali",), "gao": ("mali",)}
COUNTRIES = {"fama": "mali", "malian-junta": "mali", "barkhane": "france"}
WORLD = World(
    located_in=lambda key: PARENTS.get(key, ()),
    country_of=COUNTRIES.get,
    is_vague=lambda key: key == "rebels",
)


def day(iso: str) -> TimeSpan:
    d = date.fromisoformat(iso)
    return TimeSpan(d, d, "day")


def month(y: int, m: int) -> TimeSpan:
    last = date(y + (m == 12), m % 12 + 1, 1) - date.resolution
    return TimeSpan(date(y, m, 1), last, "month")


def year(y: int) -> TimeSpan:
    return TimeSpan(date(y, 1, 1), date(y, 12, 31), "year")


def event(doc_id: str, begin: int, kind: str, place: str | None, start: TimeSpan | None,
          side_a: tuple[str, ...] = (), side_b: tuple[str, ...] = (), *,
          end: TimeSpan | None = None, rule: str = "event.test.v1", polarity: str = "asserted",
          event_key: str | None = None) -> EventClaim:  # fmt: skip
    return EventClaim(rule, Evidence(doc_id, begin, begin + 10, "x" * 10), "pub", polarity,  # type: ignore[arg-type]
                      event_type=kind, side_a=side_a, side_b=side_b, place=place, start=start,
                      end=end, event_key=event_key)  # fmt: skip


def figure(doc_id: str, begin: int, count: int, place: str, when: TimeSpan | None,
           claimant: str = "pub") -> CasualtyClaim:  # fmt: skip
    return CasualtyClaim("casualty.test.v1", Evidence(doc_id, begin, begin + 10, "x" * 10),
                         claimant, count_min=count, count_max=count, count_text=str(count),
                         victims="civilians", place=place, date=when)  # fmt: skip


def resolve(*claims: Claim, disputes: tuple[tuple[str, str], ...] = ()) -> list[ResolvedEvent]:
    return resolve_events([Reported(c, claim_iri(c), c.evidence.doc_id) for c in claims], WORLD,
                          disputes)  # fmt: skip


def iris(*claims: Claim) -> tuple[str, ...]:
    return tuple(sorted(claim_iri(c) for c in claims))


# --- merged ----------------------------------------------------------------------


def test_one_capture_told_by_three_articles_is_one_event_with_every_claim() -> None:
    claims = (
        event("a", 0, "Capture", "kidal", day("2023-11-14"), ("fama",)),
        event("a", 50, "Capture", "kidal", day("2023-11-14"), ("fama", "wagner")),
        event("b", 0, "Capture", "kidal", day("2023-11-14"), ("malian-junta",)),
        event("c", 0, "Capture", "kidal", day("2023-11-14"), ("fama",)),
    )
    [capture] = resolve(*claims)
    assert (capture.kind, capture.place, capture.start) == ("Capture", "kidal", day("2023-11-14"))
    assert capture.claims == iris(*claims)
    assert capture.documents == ("a", "b", "c")
    assert capture.side_a == ("fama", "malian-junta", "wagner")  # most named first
    assert capture.disagreements == ()


def test_a_capture_and_the_other_sides_withdrawal_the_same_day_are_one_event() -> None:
    capture = event("a", 0, "Capture", "kidal", day("2023-11-14"), ("fama",))
    withdrawal = event("b", 0, "Withdrawal", "kidal", day("2023-11-14"), ("csp-psd",))
    [merged] = resolve(capture, withdrawal)
    assert merged.kind == "Capture"  # the family's first kind names the event
    assert merged.side_a == ("fama",) and merged.side_b == ("csp-psd",)  # withdrawer loses
    assert merged.claims == iris(capture, withdrawal)


def test_a_withdrawal_from_a_camp_inside_the_town_joins_the_towns_capture() -> None:
    capture = event("a", 0, "Capture", "minusma-camp", day("2023-10-31"), ("rebels",))
    withdrawal = event("b", 0, "Withdrawal", "kidal", day("2023-10-31"), ("minusma",))
    [merged] = resolve(capture, withdrawal)
    assert merged.claims == iris(capture, withdrawal)


def test_a_day_inside_a_month_is_merged_when_nothing_contradicts() -> None:
    fine = event("a", 0, "DroneStrike", "kidal", day("2023-11-07"))
    coarse = event("b", 0, "DroneStrike", "kidal", month(2023, 11))
    [strike] = resolve(fine, coarse)
    assert strike.start == day("2023-11-07")  # the finest date the claims give
    assert strike.claims == iris(fine, coarse)


def test_a_month_that_fits_two_different_days_joins_neither() -> None:
    first = event("a", 0, "DroneStrike", "kidal", day("2023-11-07"), ("fama",))
    second = event("b", 0, "DroneStrike", "kidal", day("2023-11-21"), ("fama",))
    coarse = event("c", 0, "DroneStrike", "kidal", month(2023, 11), ("fama",))
    events = resolve(first, second, coarse)
    assert sorted(len(e.claims) for e in events) == [1, 1, 1]
    assert [e.start for e in events] == [month(2023, 11), day("2023-11-07"), day("2023-11-21")]


def test_a_day_inside_a_month_with_reversed_sides_is_not_merged() -> None:
    fine = event("a", 0, "Capture", "kidal", day("2023-11-14"), ("fama",), ("csp-psd",))
    coarse = event("b", 0, "Capture", "kidal", month(2023, 11), ("csp-psd",), ("fama",))
    assert len(resolve(fine, coarse)) == 2


# --- not merged --------------------------------------------------------------------


def test_the_same_place_in_another_year_is_another_event() -> None:
    battle_2012 = event("a", 0, "Battle", "kidal", day("2012-03-30"))
    battle_2023 = event("b", 0, "Battle", "kidal", day("2023-11-14"))
    battle_2012_year = event("c", 0, "Battle", "kidal", year(2012))
    events = resolve(battle_2012, battle_2023, battle_2012_year)
    assert [e.claims for e in events] == [iris(battle_2012, battle_2012_year), iris(battle_2023)]


def test_different_kinds_places_and_days_stay_apart() -> None:
    claims = (
        event("a", 0, "Capture", "kidal", day("2023-11-14"), ("fama",)),
        event("a", 20, "DroneStrike", "kidal", day("2023-11-14")),  # another family
        event("a", 40, "Capture", "gao", day("2023-11-14"), ("fama",)),  # another place
        event("a", 60, "Capture", "kidal", day("2023-11-15"), ("fama",)),  # another day
    )
    assert len(resolve(*claims)) == 4


def test_strikes_by_forces_of_two_countries_the_same_day_are_two_events() -> None:
    malian = event("a", 0, "DroneStrike", "kidal", day("2023-11-07"), ("fama",))
    french = event("b", 0, "DroneStrike", "kidal", day("2023-11-07"), ("barkhane",))
    assert len(resolve(malian, french)) == 2


def test_an_undated_claim_joins_only_an_event_of_its_own_article() -> None:
    dated = event("a", 0, "Withdrawal", "kidal", day("2023-11-14"), ("csp-psd",))
    same_article = event("a", 80, "Withdrawal", "kidal", None, ("csp-psd",))
    other_article = event("b", 0, "Withdrawal", "kidal", None, ("csp-psd",))
    events = resolve(dated, same_article, other_article)
    assert [e.claims for e in events] == [iris(dated, same_article), iris(other_article)]


# --- what the event carries --------------------------------------------------------


def test_casualty_figures_attach_to_the_event_they_report_and_their_differences_show() -> None:
    strike = event("a", 0, "DroneStrike", "minusma-camp", day("2023-11-07"))
    fourteen = figure("a", 100, 14, "minusma-camp", day("2023-11-07"), "wikipedia")
    ten = figure("b", 0, 10, "kidal", day("2023-11-07"), "rfi")
    elsewhere = figure("c", 0, 3, "gao", day("2023-11-07"))
    [resolved] = resolve(strike, fourteen, ten, elsewhere,
                         disputes=((claim_iri(fourteen), claim_iri(ten)),))  # fmt: skip
    assert resolved.casualties == iris(fourteen, ten)  # each figure kept, none summed
    assert resolved.disagreements == ("figures",)
    assert resolved.claimants == ("pub", "rfi", "wikipedia")


def test_an_undated_figure_attaches_only_to_an_event_told_in_its_own_sentence() -> None:
    strike = event("a", 0, "DroneStrike", "kidal", day("2023-11-07"))
    in_sentence = figure("a", 5, 14, "kidal", None)
    elsewhere_in_article = figure("a", 300, 39, "kidal", None)
    [resolved] = resolve(strike, in_sentence, elsewhere_in_article)
    assert resolved.casualties == iris(in_sentence)


def test_an_article_about_a_battle_links_its_events_to_the_battle() -> None:
    battle = event("w", 0, "Battle", "kidal", day("2023-11-10"), end=day("2023-11-14"),
                   rule="infobox.subject.v1")  # fmt: skip
    ambush = event("w", 100, "Ambush", "kidal", day("2023-11-13"))
    later = event("w", 200, "DroneStrike", "kidal", day("2023-12-02"))
    by_kind = {e.kind: e for e in resolve(battle, ambush, later)}
    assert by_kind["Ambush"].part_of == by_kind["Battle"].iri
    assert by_kind["DroneStrike"].part_of is None  # outside the battle's dates


def test_a_denial_beside_an_assertion_makes_the_event_disputed_on_polarity() -> None:
    said = event("a", 0, "DroneStrike", "kidal", day("2023-11-07"), ("fama",))
    denied = event("b", 0, "DroneStrike", "kidal", day("2023-11-07"), ("fama",),
                   polarity="denied")  # fmt: skip
    [resolved] = resolve(said, denied)
    assert resolved.disagreements == ("polarity",)


# --- IRIs ----------------------------------------------------------------------------


def test_the_event_iri_is_unchanged_when_a_new_source_adds_a_claim() -> None:
    first = event("a", 0, "Capture", "kidal", day("2023-11-14"), ("fama",))
    [before] = resolve(first)
    [after] = resolve(first, event("z", 0, "Withdrawal", "kidal", day("2023-11-14"), ("cma",)))
    assert before.iri == after.iri == event_iri("Capture", "kidal", day("2023-11-14"), None)
    assert len(after.claims) == 2


def test_two_events_with_the_same_kind_place_and_date_get_different_iris() -> None:
    malian = event("a", 0, "DroneStrike", "kidal", day("2023-11-07"), ("fama",))
    french = event("b", 0, "DroneStrike", "kidal", day("2023-11-07"), ("barkhane",))
    first, second = resolve(malian, french)
    assert first.iri != second.iri


def test_resolution_does_not_depend_on_the_order_of_the_claims() -> None:
    claims = [
        event("a", 0, "Capture", "kidal", day("2023-11-14"), ("fama",)),
        event("b", 0, "Withdrawal", "kidal", day("2023-11-14"), ("csp-psd",)),
        event("c", 0, "Capture", "kidal", month(2023, 11), ("fama",)),
        event("d", 0, "Battle", "kidal", day("2012-03-30")),
        figure("a", 100, 14, "kidal", day("2023-11-14")),
    ]
    assert resolve(*claims) == resolve(*reversed(claims))


# --- evaluation: events scored as events ------------------------------------------------


def test_eval_counts_a_capture_told_many_times_once_on_each_side() -> None:
    from kg.evaluate import Fact, Gold, Tally, score_happenings
    from kg.model import Document, Extraction

    def gold_event(doc_id: str, kind: str, when: str) -> Fact:
        return Fact(doc_id, "event", (kind, "kidal", when, False))

    def extraction(doc_id: str, *claims: Claim) -> Extraction:
        document = Document(doc_id, doc_id + ".txt", "x" * 500, doc_id, "pub",
                            date(2023, 11, 15), "en")  # fmt: skip
        return Extraction(document, (), (), claims)

    gold = {
        "a": Gold("a", frozenset(), (gold_event("a", "Capture", "2023-11-14"),)),
        "b": Gold("b", frozenset(), (gold_event("b", "Capture", "2023-11-14"),
                                     gold_event("b", "Withdrawal", "2023-11-14"),
                                     gold_event("b", "Battle", "2012-03-30"))),  # fmt: skip
    }
    predicted = [
        extraction("a", *(event("a", 20 * i, "Capture", "kidal", day("2023-11-14"), ("fama",))
                          for i in range(9))),  # fmt: skip
        extraction("b", event("b", 0, "Withdrawal", "kidal", day("2023-11-14"), ("csp-psd",)),
                   event("b", 40, "DroneStrike", "kidal", day("2023-11-07"))),  # fmt: skip
    ]
    tally, merged = score_happenings(predicted, gold, WORLD)
    # one capture (ten claims) found; the strike is not in the gold; the 2012 battle is missed
    assert tally == Tally(tp=1, fp=1, fn=1)
    assert merged == (11, 2)


def test_every_ontology_event_class_has_a_kind_row_and_an_acled_type() -> None:
    from kg.events import event_kinds
    from kg.vocab import EVENT_CLASSES

    kinds = event_kinds()
    assert sorted(kinds) == sorted(EVENT_CLASSES)
    acled_types = {"Battles", "Explosions/Remote violence", "Strategic developments"}
    assert {k.event_type for k in kinds.values()} <= acled_types
    assert {k.side_a for k in kinds.values()} == {"initiator", "loser"}
