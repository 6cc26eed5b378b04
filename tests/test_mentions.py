"""kg.mentions: aliases, definitions, patterns and references, on rows and on the shipped corpus."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.corpus import load_corpus
from kg.mentions import MentionResult, find_mentions, guess_types
from kg.model import Document
from kg.registry import Registry, load_registry
from kg.resources import resource_path
from kg.text import is_furniture, sentences

CORPUS = resource_path("corpus")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="module")
def corpus(registry: Registry) -> list[tuple[Document, MentionResult]]:
    docs = load_corpus(CORPUS).documents
    assert len(docs) == 5
    return [(doc, find_mentions(doc, registry)) for doc in docs]


def doc_of(text: str, doc_id: str = "t") -> Document:
    return Document(doc_id, f"{doc_id}.txt", text, "", "", date(2023, 11, 14), "en")


def found(text: str, registry: Registry) -> list[tuple[str, str]]:
    return [(m.text, m.key) for m in find_mentions(doc_of(text), registry).mentions]


# fmt: off
ROWS = [
    # aliases: case, accents, hyphens, possessives
    ("Mali's army took Kidal.", [("Mali's army", "fama"), ("Kidal", "kidal")]),
    ("Mali’s army and the Malian military", [("Mali’s army", "fama"), ("Malian military", "fama")]),
    ("the FAMa, the FAMA and the armée malienne", [("FAMa", "fama"), ("FAMA", "fama"), ("armée malienne", "fama")]),  # noqa: E501
    ("Their drones hurt CSP’s morale.", [("CSP", "csp-psd")]),
    ("the CSP-PSD, the CSP PSD and the PSC", [("CSP-PSD", "csp-psd"), ("CSP PSD", "csp-psd"), ("PSC", "csp-psd")]),  # noqa: E501
    ("the Cadre strategique permanent", [("Cadre strategique permanent", "csp-psd")]),
    ("It's difficult to ignore Wagner's fighters.", [("Wagner", "wagner-group")]),
    ("the Russian paramilitary group Wagner", [("Russian", "russia"), ("paramilitary group Wagner", "wagner-group")]),  # noqa: E501
    ("MINUSMA left; Minusma was a stabilizing force.", [("MINUSMA", "minusma"), ("Minusma", "minusma")]),  # noqa: E501
    ("They fled to Abeïbara, Abeibara and Léré, then Lere.",
     [("Abeïbara", "abeibara"), ("Abeibara", "abeibara"), ("Léré", "lere"), ("Lere", "lere")]),
    ("Goita and Goïta", [("Goita", "assimi-goita"), ("Goïta", "assimi-goita")]),
    ("the Coordination of Azawad Movements (CMA)", [("Coordination of Azawad Movements", "cma"), ("CMA", "cma")]),  # noqa: E501
    ("the Permanent Strategic Framework for Peace, Security and Development",
     [("Permanent Strategic Framework for Peace, Security and Development", "csp-psd")]),
    ("Jama'at Nasr al-Islam wal Muslimin (JNIM)", [("Jama'at Nasr al-Islam wal Muslimin", "jnim"), ("JNIM", "jnim")]),  # noqa: E501
    ("Platform joined the CSP-PSD.", [("Platform", "platform"), ("CSP-PSD", "csp-psd")]),
    ("Battle of Kidal (2023)", [("Battle of Kidal (2023)", "battle-of-kidal-2023")]),
    ("The battle of Kidal took place between November 10 and 14, 2023.",
     [("battle of Kidal", "battle-of-kidal-2023")]),
    ("The battle of Kidal took place between July 21 and 22, 2016.", [("Kidal", "kidal")]),  # another battle  # noqa: E501
    ("the #FAMa took up positions in the city of #Kidal", [("FAMa", "fama"), ("Kidal", "kidal")]),
    ("— Malian Armed Forces (@FAMa_DIRPA) November 14, 2023", [("Malian Armed Forces", "fama")]),
    ("Flag of Mali.svg Mali", [("Mali", "mali")]),
    ("members of theAlliance of Sahel States (AES) which",
     [("Alliance of Sahel States", "aes"), ("AES", "aes")]),
    ("the Malian Armed Forces (the FAMA) are", [("Malian Armed Forces", "fama"), ("FAMA", "fama")]),
    ("250 Canadian soldiers and the Russians", [("Canadian", "canada"), ("Russians", "russia")]),
    ("a Sahel region expert at the Brussels School of International Studies",
     [("Sahel region", "sahel"),
      ("Brussels School of International Studies", "brussels-school-of-international-studies")]),
    ("(French: Haut conseil de l'Azawad)", [("Haut conseil de l'Azawad", "hcua")]),  # a language: no France  # noqa: E501
    ("Malian and Wagner forces captured the city.", [("Malian", "fama"), ("Wagner forces", "wagner-group")]),  # noqa: E501
    ("Malian and French forces attacked.", [("Malian", "fama"), ("French forces", "french-armed-forces")]),  # noqa: E501
    # titles, roles and names
    ("“Today, our armed and security forces have taken over Kidal,” the Malian junta leader and interim "  # noqa: E501
     "president, Colonel Assimi Goita, said.",
     [("our armed and security forces", "fama"), ("Kidal", "kidal"), ("Malian junta", "malian-junta"),
      ("Assimi Goita", "assimi-goita")]),
    ("Col. Goita called it a turning point.", [("Goita", "assimi-goita")]),
    ("“The Russians have been instrumental,” Dr. Guichaoua said.",
     [("Russians", "russia"), ("Guichaoua", "yvan-guichaoua")]),
    ("Mali's foreign minister, Abdoulaye Diop, spoke.", [("Mali", "mali"), ("Abdoulaye Diop", "abdoulaye-diop")]),  # noqa: E501
    ("Malian president Assimi Goïta stated it.", [("Malian", "mali"), ("Assimi Goïta", "assimi-goita")]),  # noqa: E501
    ("then-Prime Minister Moussa Mara came. Later Mara left.",
     [("Moussa Mara", "moussa-mara"), ("Mara", "moussa-mara")]),
    ("Mara left before Moussa Mara came.", [("Moussa Mara", "moussa-mara")]),  # no surname before the name  # noqa: E501
    ("citing a trader named Ouguenat Ag Telele and a student named Awinane Ag Achkounine",
     [("Ouguenat Ag Telele", "ouguenat-ag-telele"), ("Awinane Ag Achkounine", "awinane-ag-achkounine")]),  # noqa: E501
    ("El Hadj Ag Gamou was installed. Gamou is the governor of Kidal Region.",
     [("El Hadj Ag Gamou", "el-hadj-ag-gamou"), ("Gamou", "el-hadj-ag-gamou"), ("Kidal Region", "kidal-region")]),  # noqa: E501
    ("the president of Mali, Amadou Toumani Touré, whom they accused",
     [("Mali", "mali"), ("Amadou Toumani Touré", "amadou-toumani-toure")]),
    ("combatants of Ansar Dine, of Iyad Ag Ghaly, entered",
     [("Ansar Dine", "ansar-dine"), ("Iyad Ag Ghaly", "iyad-ag-ghaly")]),
    ("In Mali, the Chief of the General Staff of the Armed Forces informs",
     [("Mali", "mali"), ("the Armed Forces", "fama")]),
    # places
    ("stationed in Anefis, about 110 km to the south", [("Anefis", "anefis")]),
    ("rebels fled north towards the towns of Abeïbara and Aguelhok.",
     [("rebels", "tuareg-rebels"), ("Abeïbara", "abeibara"), ("Aguelhok", "aguelhok")]),
    ("the capture of the rebel-held region of Kidal", [("Kidal", "kidal-region")]),
    ("the town of Anderamboukane and the village of Inekar",
     [("Anderamboukane", "anderamboukane"), ("Inekar", "inekar")]),
    ("fighting in Ménaka Region, then in Ménaka Region again",
     [("Ménaka Region", "menaka-region"), ("Ménaka Region", "menaka-region")]),
    ("civilians were killed at Moura, in central Mali", [("Moura", "moura"), ("central Mali", "central-mali")]),  # noqa: E501
    ("near Tinzaouaten, a locality of the Kidal region", [("Tinzaouaten", "tinzaouaten"), ("Kidal region", "kidal-region")]),  # noqa: E501
    ("the public television ORTM announced", [("ORTM", "ortm")]),
    ("a village named Intahaka was empty", [("Intahaka", "intahaka")]),
    ("the MINUSMA camp in Kidal was hit. The MINUSMA camp burned; the camp was empty.",
     [("MINUSMA camp in Kidal", "minusma-camp-kidal"), ("MINUSMA camp", "minusma-camp-kidal"),
      ("the camp", "minusma-camp-kidal")]),
    ("The rebels took the UN base at Kidal. Troops went to another UN base in Gao.",
     [("The rebels", "tuareg-rebels"), ("UN base at Kidal", "minusma-camp-kidal"), ("UN", "united-nations"),  # noqa: E501
      ("Gao", "gao")]),
]
# fmt: on


@pytest.mark.parametrize(("text", "expected"), ROWS)
def test_rows(registry: Registry, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text, registry) == expected


# fmt: off
ABSENT = [  # (text, keys that must not be found)
    ("the cma, the aes and the psc met", {"cma", "aes", "csp-psd"}),  # short acronyms: capitals only  # noqa: E501
    ("a platform for dialogue", {"platform"}),
    ("il y a un soldat", {"united-nations"}),
    ("The ladepeche.fr story (in French) and Mali.svg", {"mali", "france"}),
    ("the Russian forces and French-language radio", {"fama", "france"}),
    ("In Mali, the military camp of Kati was attacked.", {"fama"}),
    ("In Mali, local authorities and Malian rebels met.", {"malian-government", "tuareg-rebels"}),
    ("In Mali, the Russian army and the other junta left.", {"fama", "malian-junta"}),
]
# fmt: on


@pytest.mark.parametrize(("text", "keys"), ABSENT)
def test_absent(registry: Registry, text: str, keys: set[str]) -> None:
    assert not {key for _, key in found(text, registry)} & keys


# fmt: off
REFERENCES = [  # (text, [(surface, key)] of how="coref" mentions)
    ("The Malian army took Kidal on Tuesday. The city was calm. The army said the junta had won.",
     [("The city", "kidal"), ("The army", "fama"), ("the junta", "malian-junta")]),
    ("Tuareg rebels held Kidal in Mali. The rebels withdrew, according to rebels and the separatists.",  # noqa: E501
     [("The rebels", "tuareg-rebels"), ("rebels", "tuareg-rebels"), ("the separatists", "tuareg-rebels")]),  # noqa: E501
    ("The ruling junta announced from Bamako that it had captured the town of Kidal in the north of the country.",  # noqa: E501
     [("The ruling junta", "malian-junta"), ("the north of the country", "northern-mali")]),
    ("Authorities have not released an image of Kidal, Mali, where the government fights.",
     [("Authorities", "malian-government"), ("the government", "malian-government")]),
    ("France sent troops. France said the army would stay in France.", [("the army", "french-armed-forces")]),  # noqa: E501
    ("Kidal and Gao were attacked in Mali. The city was calm.", []),  # no dominant city
    ("Niger's junta met in Niger. The junta said so.", [("The junta", "cnsp-niger")]),
    ("Mali, Mali, Mali. The junta leader spoke; the military camp of Kati fell; the other town burned.", []),  # noqa: E501
    ("Mali and Kidal. The UN was obliged to destroy much of its military equipment.", []),
]
# fmt: on


@pytest.mark.parametrize(("text", "expected"), REFERENCES)
def test_references(registry: Registry, text: str, expected: list[tuple[str, str]]) -> None:
    mentions = find_mentions(doc_of(text), registry).mentions
    assert [(m.text, m.key) for m in mentions if m.how == "coref"] == expected


# The names of UNSEEN that the registry knows today, taken out again: these tests are about
# how names nobody registered are found.
UNREGISTERED = ("isgs", "inekar", "anderamboukane", "menaka-region", "menaka", "iyad-ag-ghaly", "msa",
                "moussa-ag-acharatoumane")  # fmt: skip


def registry_without(registry: Registry, keys: tuple[str, ...]) -> Registry:
    from dataclasses import replace

    from kg.registry import _name_index

    entities = {k: e for k, e in registry.entities.items() if k not in keys}
    return replace(registry, entities=entities, names=_name_index(entities))


def test_how_the_mentions_were_found(registry: Registry) -> None:
    text = "Col. Goita said the Islamic State in the Greater Sahara (ISGS) hit the town of Inekar. The city fell."  # noqa: E501
    registry = registry_without(registry, UNREGISTERED)
    hows = {m.text: m.how for m in find_mentions(doc_of(text), registry).mentions}
    assert hows == {"Goita": "title", "Islamic State in the Greater Sahara": "acronym", "ISGS": "acronym",  # noqa: E501
                    "Inekar": "pattern", "The city": "coref"}  # fmt: skip


UNSEEN = """Jihadists attack Ménaka as Ansar Dine regroups

Fighters of the Islamic State in the Greater Sahara (ISGS) attacked the town of Anderamboukane
on Sunday, according to Lt. Col. Souleymane Dembélé, the army spokesman. The ISGS has been
active in Ménaka Region since 2017. In Timbuktu, the Ansar Dine commander Iyad Ag Ghaly was not
seen. Dembélé said the army had repelled the assault, while the Movement for the Salvation of
Azawad (MSA) said its fighters helped. Residents of the village of Inekar fled to Tin-Hama, Mali,
and a herder named Moussa Ag Acharatoumane said the town was empty. Ag Acharatoumane later spoke
to RFI.
"""


def test_unseen_names_are_discovered(registry: Registry) -> None:
    result = find_mentions(doc_of(UNSEEN, "unseen"), registry_without(registry, UNREGISTERED))
    discovered = {e.key: e for e in result.discovered}
    assert {key: e.types for key, e in discovered.items()} == {
        "islamic-state-in-the-greater-sahara": ("JihadistArmedGroup",),
        "anderamboukane": ("Settlement",),
        "souleymane-dembele": ("Person",),
        "menaka-region": ("Region",),
        "iyad-ag-ghaly": ("Person",),
        "movement-for-the-salvation-of-azawad": ("ArmedGroup",),
        "inekar": ("Settlement",),
        "tin-hama": ("Settlement",),
        "moussa-ag-acharatoumane": ("Person",),
    }
    assert all(e.discovered and e.first_seen == "unseen" for e in result.discovered)
    assert discovered["islamic-state-in-the-greater-sahara"].aliases == ("ISGS",)
    pairs = [(m.text, m.key) for m in result.mentions]
    for pair in [("ISGS", "islamic-state-in-the-greater-sahara"), ("Dembélé", "souleymane-dembele"),
                 ("MSA", "movement-for-the-salvation-of-azawad"), ("the army", "fama"),
                 ("Ag Acharatoumane", "moussa-ag-acharatoumane"), ("Timbuktu", "tombouctou"),
                 ("Jihadists", "jihadists"), ("RFI", "rfi")]:  # fmt: skip
        assert pair in pairs
    assert ("the army", "fama") in pairs and pairs.count(
        ("the army", "fama")
    ) == 1  # not "the army spokesman"
    assert not any(m.text == "the town" for m in result.mentions)  # four settlements: none dominant


@pytest.mark.parametrize(
    ("name", "types"),
    [("National Movement for the Liberation of Azawad", ("ArmedGroup",)),
     ("Movement for Oneness and Jihad in West Africa", ("JihadistArmedGroup",)),
     ("Alliance of Sahel States", ("Alliance",)), ("Permanent Strategic Framework", ("Alliance",)),
     ("United Nations Mission in Mali", ("InternationalMission",)),
     ("Malian Armed Forces", ("NationalArmedForces",)), ("High Council of Azawad", ("Organisation",)),  # noqa: E501
     ("Human Rights Watch", ("Organisation",))],
)  # fmt: skip
def test_guess_types(name: str, types: tuple[str, ...]) -> None:
    assert guess_types(name) == types


# --- the shipped corpus -----------------------------------------------------


def test_mentions_are_true_sorted_non_overlapping_slices(
    corpus: list[tuple[Document, MentionResult]],
) -> None:
    for doc, result in corpus:
        previous_stop = 0
        for mention in result.mentions:
            assert doc.text[mention.begin : mention.stop] == mention.text
            assert mention.begin >= previous_stop and mention.begin < mention.stop
            previous_stop = mention.stop


def test_no_mention_in_page_furniture(corpus: list[tuple[Document, MentionResult]]) -> None:
    for doc, result in corpus:
        for sentence in sentences(doc.text):
            if is_furniture(sentence.text):
                inside = [m for m in result.mentions if sentence.begin <= m.begin < sentence.stop]
                assert inside == [], (doc.doc_id, sentence.text)


@pytest.mark.parametrize(
    ("surfaces", "key"),
    [({"Goita", "Goïta", "Assimi Goita", "Assimi Goïta"}, "assimi-goita"),
     ({"FAMa", "FAMA", "Malian Armed Forces", "Malian army", "Mali's army", "Mali’s army"}, "fama"),
     ({"CSP", "PSC", "CSP-PSD", "Permanent Strategic Framework"}, "csp-psd"),
     ({"MINUSMA", "Minusma"}, "minusma"), ({"Wagner", "Wagner Group", "Wagner group"}, "wagner-group")],  # noqa: E501
)  # fmt: skip
def test_one_key_per_entity_across_the_corpus(
    corpus: list[tuple[Document, MentionResult]], surfaces: set[str], key: str
) -> None:
    keys = {m.key for _, result in corpus for m in result.mentions if m.text in surfaces}
    seen = {m.text for _, result in corpus for m in result.mentions if m.text in surfaces}
    assert keys == {key}
    assert len(seen) >= 2  # the variants really occur in the corpus


def test_corpus_highlights(corpus: list[tuple[Document, MentionResult]]) -> None:
    by_id = {doc.doc_id[:3]: (doc, result) for doc, result in corpus}
    discovered = {e.key for e in by_id["004"][1].discovered}
    assert {"ouguenat-ag-telele", "awinane-ag-achkounine"} <= discovered
    keys_003 = {m.key for m in by_id["003"][1].mentions}
    assert {"battle-of-kidal-2023", "kidal-offensive-2023", "alkit-valley", "kidal-fort", "tidermene",  # noqa: E501
            "algiers-agreement-2015", "tuareg-rebellion-2012", "minusma-camp-kidal"} <= keys_003  # fmt: skip  # noqa: E501
    doc, result = by_id["002"]
    tweet = doc.text.index("the #FAMa took up positions")
    assert any(m.key == "fama" and m.begin > tweet for m in result.mentions)
    assert not any(m.key == "france-24" for m in result.mentions)  # only in the app advert
    corefs = {(m.text, m.key) for _, r in corpus for m in r.mentions if m.how == "coref"}
    assert {("the junta", "malian-junta"), ("the army", "fama"), ("the city", "kidal"),
            ("the rebels", "tuareg-rebels")} <= corefs  # fmt: skip


def test_deterministic(registry: Registry, corpus: list[tuple[Document, MentionResult]]) -> None:
    for doc, result in corpus:
        assert find_mentions(doc, registry) == result
        assert find_mentions(doc, load_registry()) == result


# --- properties ---------------------------------------------------------------

_REGISTRY = load_registry()  # hypothesis runs the test many times: parse once

FRAGMENTS = [
    "Kidal", "Mali's army", "FAMa", "CSP’s", "the town of ", "Col. ", "Goïta", "named ", "Ag ", "Telele",  # noqa: E501
    " (", ")", "ISGS", "Islamic State in the Greater Sahara", "the city", "the rebels", ". ", ", ", "\n",  # noqa: E501
    "\n\n", "Skip to main content", "Region", "of ", "the ", "and ", "UN base at Kidal", "the camp",
    "Malian and Wagner forces", "é", "’", "-", "#", "@", "_", "Mali.svg", "X", "in ", "a trader ",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=30))
def test_every_mention_is_the_slice_it_claims(parts: list[str]) -> None:
    text = "".join(parts)
    registry = _REGISTRY
    result = find_mentions(doc_of(text), registry)
    previous_stop = 0
    for mention in result.mentions:
        assert text[mention.begin : mention.stop] == mention.text
        assert previous_stop <= mention.begin < mention.stop
        previous_stop = mention.stop
    keys = {e.key for e in result.discovered}
    assert len(keys) == len(result.discovered)
    assert not keys & set(registry.entities)
