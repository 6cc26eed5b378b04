"""kg.registry and ontology/registry.ttl: every agreed key, labels, types, places."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import OntologyError
from kg.registry import Registry, load_registry, ontology_dir
from kg.text import fold
from kg.vocab import CLASSES, DCT, GEO, RDF, RDFS, SK, SKOS

# The keys every module uses (HELPERS.md); the registry must hold them all.
KEYS = """
mali burkina-faso niger algeria france russia canada kidal kidal-region gao gao-region bamako
tessalit
aguelhok anefis anefif ber bourem lere abeibara dioura bamba tombouctou tombouctou-region tin-telout
tabankort tidermene algiers alkit-valley adrar-des-ifoghas azawad kidal-fort kidal-airport
minusma-camp-kidal independence-square-bamako northern-mali central-mali
malian-junta malian-government fama french-armed-forces national-transitional-council
un-security-council united-nations kidal-interim-authority
collective-for-the-defence-of-the-military
wagner-group csp-psd cma platform mnla hcua maa gatia ansar-dine aqim jnim aes minusma barkhane
operation-serval takuba tuareg-rebels jihadists
assimi-goita el-hadj-ag-gamou moussa-mara abdoulaye-diop yvan-guichaoua hassan-ag-fagaga
alghabass-ag-intalla mohamed-ag-intalla
globe-and-mail france-24 afp rfi wikipedia contrepoints le-monde le-figaro liberation jeune-afrique
ladepeche ecofin-agency
mali-war tuareg-rebellion-2012 kidal-offensive-2023 battle-of-kidal-2023 battle-of-ber-2023
algiers-agreement-2015
""".split()

REGISTRY_TTL = ontology_dir() / "registry.ttl"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def test_every_agreed_key_is_there(registry: Registry) -> None:
    assert sorted(set(KEYS) - set(registry.entities)) == []


# fmt: off
@pytest.mark.parametrize(("key", "expected"), [
    ("mali", {"State", "Country", "Organisation", "Agent", "Place"}),
    ("canada", {"State", "Country"}),
    ("malian-junta", {"Junta", "Government", "Organisation", "Agent"}),
    ("fama", {"NationalArmedForces", "Organisation"}),
    ("wagner-group", {"PrivateMilitaryCompany"}),
    ("csp-psd", {"Alliance", "Organisation"}),
    ("gatia", {"ProGovernmentMilitia", "ArmedGroup"}),
    ("jnim", {"JihadistArmedGroup", "ArmedGroup"}),
    ("tuareg-rebels", {"SeparatistArmedGroup", "CollectiveActor", "ArmedGroup", "Agent"}),
    ("jihadists", {"JihadistArmedGroup", "CollectiveActor"}),
    ("minusma", {"InternationalMission"}),
    ("assimi-goita", {"Person", "Agent"}),
    ("kidal", {"Settlement", "Place"}),
    ("kidal-region", {"Region", "Place"}),
    ("kidal-fort", {"Site", "Place"}),
    ("azawad", {"Area", "Place"}),
    ("rfi", {"NewsOutlet"}),
    ("battle-of-kidal-2023", {"Battle", "Event"}),
    ("algiers-agreement-2015", {"AgreementSigning", "Event"}),
])
# fmt: on
def test_types_include_superclasses(registry: Registry, key: str, expected: set[str]) -> None:
    assert expected <= set(registry.types(key))
    assert all(registry.is_a(key, cls) for cls in expected)


# fmt: off
@pytest.mark.parametrize(("key", "cls", "expected"), [
    ("mali", "Agent", True), ("mali", "Place", True), ("kidal", "Agent", False),
    ("fama", "ArmedGroup", False), ("malian-junta", "Government", True),
    ("assimi-goita", "Organisation", False), ("no-such-key", "Agent", False),
])
# fmt: on
def test_is_a(registry: Registry, key: str, cls: str, expected: bool) -> None:
    assert registry.is_a(key, cls) is expected


# fmt: off
@pytest.mark.parametrize(("key", "expected"), [
    ("kidal", ("kidal-region", "mali", "northern-mali")),
    ("kidal-region", ("mali", "northern-mali")),
    ("kidal-fort", ("kidal", "kidal-region", "mali", "northern-mali")),
    ("kidal-airport", ("kidal", "kidal-region", "mali", "northern-mali")),
    ("minusma-camp-kidal", ("kidal", "kidal-region", "mali", "northern-mali")),
    ("alkit-valley", ("kidal-region", "mali", "northern-mali")),
    ("tessalit", ("kidal-region", "mali", "northern-mali")),
    ("gao", ("gao-region", "mali", "northern-mali")),
    ("lere", ("tombouctou-region", "mali", "northern-mali")),
    ("independence-square-bamako", ("bamako", "mali")),
    ("algiers", ("algeria",)),
    ("mali", ()),
    ("fama", ()),
])
# fmt: on
def test_located_in_is_transitive(registry: Registry, key: str, expected: tuple[str, ...]) -> None:
    assert registry.located_in(key) == expected


@pytest.mark.parametrize(
    ("key", "qid"),
    [("mali", "Q912"), ("niger", "Q1032"), ("burkina-faso", "Q965"), ("algeria", "Q262"),
     ("france", "Q142"), ("russia", "Q159"), ("bamako", "Q3703"), ("wagner-group", "Q30600950")],
)  # fmt: skip
def test_wikidata(registry: Registry, key: str, qid: str) -> None:
    assert registry.wikidata[key] == qid


def test_geometry_is_a_plausible_point(registry: Registry) -> None:
    assert registry.geometry["kidal"] == "POINT(1.4078 18.4411)"
    for key, wkt in registry.geometry.items():
        match = re.fullmatch(r"POINT\((-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?)\)", wkt)
        assert match, (key, wkt)
        lon, lat = float(match.group(1)), float(match.group(2))
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert registry.is_a(key, "Place")
    mali_places = [k for k in registry.geometry if "mali" in registry.located_in(k)]
    for key in mali_places:  # inside Mali's bounding box
        lon, lat = map(float, registry.geometry[key][6:-1].split())
        assert -12.5 < lon < 4.5 and 10 < lat < 25.5, key


# fmt: off
@pytest.mark.parametrize(("key", "names"), [
    ("fama", ["FAMa", "FAMA", "Malian Armed Forces", "Malian army", "Malian military",
              "Malian forces", "Malian troops", "Malian soldiers",
              "armée malienne", "Forces armées maliennes"]),
    ("csp-psd", ["CSP", "PSC", "CSP-PSD", "Permanent Strategic Framework", "Cadre stratégique permanent",  # noqa: E501
                 "Permanent Strategic Framework for Peace, Security, and Development"]),
    ("assimi-goita", ["Goita", "Goïta", "Assimi Goïta", "Assimi Goita"]),
    ("minusma", ["MINUSMA", "Minusma"]),
    ("abeibara", ["Abeïbara", "Abeibara"]),
    ("lere", ["Léré", "Lere"]),
    ("wagner-group", ["Wagner", "Wagner Group", "Russian mercenaries", "PMC Wagner"]),
    ("cma", ["CMA", "Coordination of Azawad Movements", "Coordination des mouvements de l'Azawad"]),
    ("platform", ["Platform", "Platform coalition", "Platform Movements of June 14, 2014"]),
    ("gatia", ["GATIA", "Imghad Tuareg Self-Defense Group and Allies"]),
    ("aes", ["AES", "Alliance of Sahel States"]),
    ("barkhane", ["Operation Barkhane", "Barkhane"]),
    ("takuba", ["Task Force Takuba"]),
    ("tuareg-rebels", ["Tuareg rebels", "Tuareg separatists",
                       "Tuareg rebellion", "Tuareg fighters"]),
    ("jihadists", ["jihadists", "jihadist groups", "Islamist militias", "Salafists"]),
    ("algiers-agreement-2015", ["Algiers Agreement", "Algiers Accords", "Accord for Peace and Reconciliation in Mali"]),  # noqa: E501
    ("malian-government", ["Malian government", "Malian authorities", "Government of Mali"]),
])
# fmt: on
def test_names(registry: Registry, key: str, names: list[str]) -> None:
    entity = registry.entities[key]
    own = {entity.label, *entity.labels_fr, *entity.aliases}
    assert set(names) <= own
    assert all(registry.lookup(name) == key for name in names)


def test_no_alias_is_a_phrase_the_mention_finder_composes(registry: Registry) -> None:
    """Labels are names. Descriptors around a name ("separatist Tuareg rebels", "French
    counter-terrorism forces", "Wagner fighters") and a country's possessive ("Mali's army")
    are composed by kg/mentions.py from the name, so no alias spells them out."""
    from kg.mentions import GROUP_NOUNS, MODIFIERS
    from kg.text import fold

    countries = [fold(registry.entities[k].label) for k in registry.by_type("Country")]
    composed = []
    for key, entity in registry.entities.items():
        own = {fold(n) for n in (entity.label, *entity.labels_fr, *entity.aliases)}
        for name in entity.aliases:
            words = fold(name).replace("-", " ").replace("armed forces", "armed_forces").split()
            plain = [w for w in words if w not in MODIFIERS]
            if (
                any(fold(name).startswith(f"{country}'s ") for country in countries)
                or (len(words) > 1 and words[-1] in GROUP_NOUNS and " ".join(words[:-1]) in own)
                or (plain != words and " ".join(plain) in own)
            ):
                composed.append((key, name))
    assert composed == []


def test_sites_say_where_they_are_in_their_labels(registry: Registry) -> None:
    """A site's kind ("camp", "airport") is its label without its place: the label names both."""
    for key in registry.by_type("Site"):
        entity = registry.entities[key]
        places = [registry.entities[p] for p in registry.parents[key]]
        assert places, key
        assert any(
            name in entity.label for place in places for name in (place.label, *place.aliases)
        ), key


def test_lookup(registry: Registry) -> None:
    assert registry.lookup("kidal") == "kidal"  # a key
    assert registry.lookup("  ABEIBARA ") == "abeibara"
    assert registry.lookup("Forces armées maliennes") == "fama"
    assert registry.lookup("Atlantis") is None


def test_no_name_belongs_to_two_entities(registry: Registry) -> None:
    owners: dict[str, set[str]] = {}
    for key, entity in registry.entities.items():
        for name in (entity.label, *entity.labels_fr, *entity.aliases):
            owners.setdefault(" ".join(fold(name).split()), set()).add(key)
    assert {n: k for n, k in owners.items() if len(k) > 1} == {}


def test_every_entity_is_labelled_and_typed_with_ontology_classes(registry: Registry) -> None:
    for key, entity in registry.entities.items():
        assert entity.label and entity.labels_fr, key
        assert entity.types and set(entity.types) <= set(CLASSES), key
        assert not entity.discovered


def test_registry_holds_identity_and_background_only() -> None:
    allowed = {
        RDF + "type", SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel", SKOS + "exactMatch",  # noqa: E501
        SK + "locatedIn", DCT + "spatial", GEO + "hasGeometry", GEO + "asWKT", RDFS + "comment",
    }  # fmt: skip
    quads = list(ox.parse(path=str(REGISTRY_TTL), format=ox.RdfFormat.TURTLE))
    assert {q.predicate.value for q in quads} <= allowed
    assert not any(isinstance(term, ox.BlankNode) for q in quads for term in (q.subject, q.object))
    labels = [q.object for q in quads if q.predicate.value in (SKOS + "prefLabel", SKOS + "altLabel")]  # noqa: E501
    assert all(label.language in ("en", "fr") for label in labels)


def test_jurisdiction_of_national_institutions(registry: Registry) -> None:
    assert registry.jurisdiction["fama"] == "mali"
    assert registry.jurisdiction["malian-junta"] == "mali"
    assert registry.jurisdiction["french-armed-forces"] == "france"
    assert all(registry.is_a(country, "Country") for country in registry.jurisdiction.values())


def test_by_type(registry: Registry) -> None:
    assert "assimi-goita" in registry.by_type("Person")
    assert {
        "mali", "burkina-faso", "niger", "algeria", "france", "russia", "canada", "united-states",
        "chad", "mauritania", "senegal", "nigeria", "united-kingdom", "germany", "denmark",
    } <= set(registry.by_type("Country"))
    assert not {"kidal", "bamako", "sahel", "fama"} & set(registry.by_type("Country"))


def test_expand_types_without_entity(registry: Registry) -> None:
    assert {"Settlement", "Place"} <= registry.expand_types(("Settlement",))
    assert registry.expand_types(()) == frozenset()


def test_without_the_ontology_types_are_the_direct_ones(tmp_path: Path) -> None:
    shutil.copy(REGISTRY_TTL, tmp_path / "registry.ttl")
    alone = load_registry(tmp_path / "registry.ttl")
    assert alone.types("mali") == ("Country", "State")
    assert alone.located_in("kidal-fort") == ("kidal", "kidal-region", "mali", "northern-mali")


def test_missing_registry_is_an_ontology_error(tmp_path: Path) -> None:
    with pytest.raises(OntologyError, match="registry not found"):
        load_registry(tmp_path / "registry.ttl")


def test_broken_turtle_is_an_ontology_error(tmp_path: Path) -> None:
    path = tmp_path / "registry.ttl"
    path.write_text("@prefix id: <https://w3id.org/sahel-kg/id/> .\nid:x a .\n")
    with pytest.raises(OntologyError, match="not valid Turtle"):
        load_registry(path)


def test_dangling_place_is_an_ontology_error(tmp_path: Path) -> None:
    path = tmp_path / "registry.ttl"
    path.write_text(
        "@prefix id: <https://w3id.org/sahel-kg/id/> .\n@prefix sk: <https://w3id.org/sahel-kg/ontology#> .\n"  # noqa: E501
        'id:x a sk:Settlement ; sk:locatedIn id:nowhere .\n'
    )
    with pytest.raises(OntologyError, match="x -> nowhere"):
        load_registry(path)
