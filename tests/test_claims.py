"""Claim rules on short texts, most of them phrased unlike the shipped articles."""

from __future__ import annotations

from datetime import date

import pytest

from kg.model import Document
from kg.pipeline import extract_document
from kg.registry import load_registry

REGISTRY = load_registry()


def claims_of(text: str, published: str = "2023-11-15"):
    doc = Document("t", "t.txt", text, "t", "Test Wire", date.fromisoformat(published), "en")
    extraction = extract_document(doc, REGISTRY)
    for claim in extraction.claims:  # every quote is the text at its offsets
        assert text[claim.evidence.begin : claim.evidence.stop] == claim.evidence.quote
    return extraction.claims


def facts(text: str, kind: str, published: str = "2023-11-15") -> set[tuple]:
    found = set()
    for c in claims_of(text, published):
        if c.kind != kind:
            continue
        if kind == "control":
            found.add(
                (
                    c.controller,
                    c.territory,
                    c.change,
                    (c.start or c.end).iso if (c.start or c.end) else None,
                    c.polarity,
                )
            )
        elif kind == "membership":
            found.add((c.member, c.organisation, c.change))
        elif kind == "role":
            found.add((c.holder, c.role, c.within))
        elif kind == "casualty":
            found.add((c.casualty, c.count_min, c.count_text, c.claimant, c.polarity))
        elif kind == "event":
            found.add((c.event_type, c.place, c.start.iso if c.start else None))
    return found


# fmt: off
CONTROL = [
    ("Jihadist fighters of Ansar Dine seized Gao on 31 March 2012.",
     ("ansar-dine", "gao", "gain", "2012-03-31", "asserted")),
    ("Timbuktu was captured by the MNLA in April 2012.",
     ("mnla", "tombouctou", "gain", "2012-04", "asserted")),
    ("The army withdrew from Tessalit on Friday.",
     ("fama", "tessalit", "loss", "2023-11-10", "asserted")),
    ("Bourem has been under rebel control since 2019.",
     ("tuareg-rebels", "bourem", "state", "2019", "asserted")),
    ("The town of Ber passed under the control of the CMA in August 2023.",
     ("cma", "ber", "gain", "2023-08", "asserted")),
]
# fmt: on


@pytest.mark.parametrize(("text", "expected"), CONTROL)
def test_control(text: str, expected: tuple) -> None:
    assert expected in facts(text, "control")


@pytest.mark.parametrize("text", [
    "The army attempted to capture Ber in August 2023.",
    "The junta vowed to retake Kidal before the end of the year.",
    "The MNLA did not capture Gao in 2012.",
])  # fmt: skip
def test_attempts_intentions_and_negations_are_not_control(text: str) -> None:
    assert facts(text, "control") == set()


def test_a_denial_is_its_own_claim_and_not_an_assertion() -> None:
    text = "Residents said that twelve civilians were killed near Ber, which the army denied."
    found = facts(text, "casualty")
    assert ("killed", 12, "twelve", "residents", "asserted") in found
    assert ("killed", 12, "twelve", "fama", "denied") in found


def test_each_figure_is_its_own_claim() -> None:
    text = ("The strike killed at least 12 people, according to medical sources. "
            "The rebels reported about thirty dead.")  # fmt: skip
    found = {(kind, n, t) for kind, n, t, *_ in facts(text, "casualty")}
    assert ("killed", 12, "at least 12") in found
    assert ("killed", 30, "about thirty") in found


def test_membership_from_an_alliance_description_and_a_departure() -> None:
    text = ("The Coordination of Azawad Movements (CMA) is an alliance of the MNLA, the HCUA and the MAA. "
            "In March 2024, the MAA left the CMA.")  # fmt: skip
    found = facts(text, "membership")
    assert {("mnla", "cma", "state"), ("hcua", "cma", "state"), ("maa", "cma", "leave")} <= found


def test_roles_with_titles_and_appositions() -> None:
    text = ("Mali's prime minister, Moussa Mara, visited the town. "
            "El Hadj Ag Gamou was appointed governor of Kidal Region in November 2023.")  # fmt: skip
    found = facts(text, "role")
    assert ("moussa-mara", "PrimeMinister", "mali") in found
    assert ("el-hadj-ag-gamou", "Governor", "kidal-region") in found


def test_events_with_place_and_date() -> None:
    text = "On 25 July 2024, rebels ambushed a convoy near Tinzaouaten. Drone strikes hit Kidal on 7 November 2023."
    found = facts(text, "event", published="2024-08-01")
    assert ("DroneStrike", "kidal", "2023-11-07") in found
    assert any(kind == "Ambush" and day == "2024-07-25" for kind, _, day in found)


def test_reported_speech_is_claimed_by_the_speaker() -> None:
    claims = claims_of("The army said it had retaken Anefis on Saturday.", "2023-10-09")
    control = [c for c in claims if c.kind == "control"]
    assert control and control[0].claimant == "fama" and control[0].start.iso == "2023-10-07"


def test_unattributed_claims_belong_to_the_publisher() -> None:
    claims = claims_of("The MNLA captured Kidal in January 2013.")
    assert {c.claimant for c in claims} == {"test-wire"}
