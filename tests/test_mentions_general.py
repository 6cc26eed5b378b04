"""kg.mentions composes names from registry data, on phrasings no shipped article uses.

The registry lists names ("Tuareg rebels", "French forces", "Wagner", "UN"); the
mention finder reads the descriptors around them, a country's possessive or
demonym before a national noun, an organisation before a peacekeeping noun, and
"<kind> in <place>" for a registered site. None of the texts below is in the
corpus, and none of their phrases is a registry label.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from kg.mentions import find_mentions
from kg.model import Document
from kg.registry import Registry, load_registry, ontology_dir


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def found(text: str, registry: Registry) -> list[tuple[str, str]]:
    doc = Document("t", "t.txt", text, "", "", date(2024, 3, 1), "en")
    return [(m.text, m.key) for m in find_mentions(doc, registry).mentions]


def phrases(registry: Registry) -> set[str]:
    return {
        name.lower()
        for entity in registry.entities.values()
        for name in (entity.label, *entity.labels_fr, *entity.aliases)
    }


# fmt: off
ROWS = [
    # descriptors before a name
    ("Kidal fell to secessionist Tuareg rebels in 2012.",
     [("Kidal", "kidal"), ("secessionist Tuareg rebels", "tuareg-rebels")]),
    ("the former MNLA announced", [("former MNLA", "mnla")]),
    ("an attack by armed Islamist militias near Gao", [("armed Islamist militias", "jihadists"), ("Gao", "gao")]),  # noqa: E501
    ("the separatist Arab Movement of Azawad said", [("separatist Arab Movement of Azawad", "maa")]),  # noqa: E501
    ("backed by the private military company Wagner", [("private military company Wagner", "wagner-group")]),  # noqa: E501
    ("the jihadist group JNIM claimed it", [("jihadist group JNIM", "jnim")]),
    # a descriptor inside a name
    ("the Tuareg secessionist rebels withdrew", [("Tuareg secessionist rebels", "tuareg-rebels")]),
    ("French counterterrorism forces left Gao", [("French counterterrorism forces", "french-armed-forces"), ("Gao", "gao")]),  # noqa: E501
    ("the French special forces landed", [("French special forces", "french-armed-forces")]),
    # the members are the group
    ("Wagner mercenaries and CMA fighters", [("Wagner mercenaries", "wagner-group"), ("CMA fighters", "cma")]),  # noqa: E501
    ("HCUA combatants entered the town", [("HCUA combatants", "hcua")]),
    # a country's possessive or demonym before a national noun
    ("Niger's army took the town.", [("Niger's army", "niger-armed-forces")]),
    ("Nigerien troops and Malian officials met", [("Nigerien troops", "niger-armed-forces"), ("Malian officials", "malian-government")]),  # noqa: E501
    ("Mali’s government and Mali's ruling junta", [("Mali’s government", "malian-government"), ("Mali's ruling junta", "malian-junta")]),  # noqa: E501
    ("the Malian state and Mali's security forces", [("Malian state", "malian-government"), ("Mali's security forces", "fama")]),  # noqa: E501
    ("Mali's south is calm, and Mali's Kidal Interim Authority met",
     [("Mali", "mali"), ("Mali's Kidal Interim Authority", "kidal-interim-authority")]),
    ("Mali's north fell.", [("Mali's north", "northern-mali")]),
    # an organisation before a peacekeeping noun
    ("U.N. peacekeepers left, then UN blue helmets came back",
     [("U.N. peacekeepers", "minusma"), ("UN blue helmets", "minusma")]),
    ("the United Nations peacekeeping mission closed", [("United Nations peacekeeping mission", "minusma")]),  # noqa: E501
    # a registered site by its kind and place
    ("Rebels shelled the UN camp in Kidal. The camp was empty; the UN camp burned.",
     [("Rebels", "tuareg-rebels"), ("UN camp in Kidal", "minusma-camp-kidal"), ("The camp", "minusma-camp-kidal"),  # noqa: E501
      ("UN camp", "minusma-camp-kidal")]),
    ("a drone hit the Minusma base at Kidal", [("Minusma base at Kidal", "minusma-camp-kidal")]),
    ("They reached Kidal's airport and the fort of Kidal.",
     [("Kidal's airport", "kidal-airport"), ("fort of Kidal", "kidal-fort")]),
    ("a rally on Bamako's Independence Square", [("Bamako's Independence Square", "independence-square-bamako")]),  # noqa: E501
]

ABSENT = [  # (text, keys that must not be found)
    ("the UN camp in Gao", {"minusma-camp-kidal"}),  # no camp registered in Gao
    ("the French base in Kidal and the army camp at Kidal", {"minusma-camp-kidal"}),  # other camps  # noqa: E501
    ("the Wagner camp in Kidal", {"minusma-camp-kidal"}),  # not the owner its name gives
    ("Canadian soldiers and Algerian officials", {"fama", "malian-government"}),  # no such institutions  # noqa: E501
    ("Malian state television and Mali's military leaders", {"malian-government", "fama"}),  # adjectives  # noqa: E501
    ("the separatist rebels of another country", {"mnla"}),
    ("Burkinabe troops crossed", {"fama", "niger-armed-forces"}),
    ("Malian rebel forces and Malian separatist soldiers", {"fama"}),  # a side changes who it is
]
# fmt: on


@pytest.mark.parametrize(("text", "expected"), ROWS)
def test_composed_mentions(registry: Registry, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text, registry) == expected


@pytest.mark.parametrize(("text", "keys"), ABSENT)
def test_not_composed(registry: Registry, text: str, keys: set[str]) -> None:
    assert not {key for _, key in found(text, registry)} & keys


def registry_with(tmp_path: Path, turtle: str) -> Registry:
    """The shipped registry plus ``turtle`` (its prefixes), loaded from a copy in tmp_path."""
    text = (ontology_dir() / "registry.ttl").read_text(encoding="utf-8") + "\n" + turtle
    (tmp_path / "registry.ttl").write_text(text, encoding="utf-8")
    shutil.copy(ontology_dir() / "sahel.ttl", tmp_path / "sahel.ttl")
    return load_registry(tmp_path / "registry.ttl")


def test_the_composed_phrases_are_not_registry_names(registry: Registry) -> None:
    """The rows above test the mechanism, not a listed alias."""
    names = phrases(registry)
    for _, expected in ROWS:
        for surface, _ in expected:
            if " " in surface and surface not in ("Kidal Interim Authority",):
                assert surface.lower() not in names, surface


def test_the_other_mission_is_not_taken_for_the_un_one(registry: Registry) -> None:
    """Only a mission named after the organisation: "French peacekeepers" is no MINUSMA."""
    assert ("French", "france") in found("French peacekeepers arrived", registry)
    assert "minusma" not in {k for _, k in found("African Union peacekeepers arrived", registry)}
    assert "minusma" not in {k for _, k in found("AU blue helmets arrived", registry)}
    assert ("UN peacekeepers", "minusma") in found("UN peacekeepers arrived", registry)


def test_national_noun_needs_a_single_institution(tmp_path: Path) -> None:
    """With two armies of Niger in the registry, "Niger's army" is neither (only Niger)."""
    two = registry_with(
        tmp_path,
        "id:niger-second-army a sk:NationalArmedForces ;\n"
        '    skos:prefLabel "Second Army of Niger"@en ;\n'
        "    dcterms:spatial id:niger .\n",
    )
    assert found("Niger's army advanced.", two) == [("Niger", "niger")]


def test_a_new_site_is_found_by_its_kind_and_place(tmp_path: Path) -> None:
    """A site added to the registry is found in "<kind> in <place>" with no alias for it."""
    extended = registry_with(
        tmp_path,
        "id:gao-airport a sk:Site ;\n"
        '    skos:prefLabel "Gao Airport"@en, "aéroport de Gao"@fr ;\n'
        "    sk:locatedIn id:gao .\n",
    )
    assert found("Drones struck the airfield at Gao; the airport was closed.", extended) == [
        ("airfield at Gao", "gao-airport"),
        ("the airport", "gao-airport"),
    ]
    assert found("the airport in Kidal and the airport in Gao", extended) == [
        ("airport in Kidal", "kidal-airport"),
        ("airport in Gao", "gao-airport"),
    ]


def test_another_base_is_not_the_one_named(registry: Registry) -> None:
    mentions = found("Rebels took the UN base at Kidal. Another UN base in Gao held.", registry)
    assert [t for t, k in mentions if k == "minusma-camp-kidal"] == ["UN base at Kidal"]
    assert ("UN", "united-nations") in mentions and ("Gao", "gao") in mentions


def test_a_short_form_follows_the_last_site_of_its_kind(registry: Registry) -> None:
    text = "They took Kidal's airport. Later Gao's airport was shelled; the airport closed."
    assert [t for t, k in found(text, registry) if k == "kidal-airport"] == ["Kidal's airport"]
    text = "They took Kidal's airport. Then the airport was shelled."
    assert [t for t, k in found(text, registry) if k == "kidal-airport"] == [
        "Kidal's airport",
        "the airport",
    ]
