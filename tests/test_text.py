"""kg.text: offset-keeping folding, sentence splitting, page furniture."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.text import fold, is_furniture, sentences

# fmt: off
FOLDS = [
    ("Goïta", "goita"),
    ("Abeïbara", "abeibara"),
    ("Léré", "lere"),
    ("Tidermène", "tidermene"),
    ("FAMa", "fama"),
    ("Mali’s army", "mali's army"),
    ("‘quoted’ “twice” «guillemets»", "'quoted' \"twice\" \"guillemets\""),
    ("CSP–PSD — 10‑14", "csp-psd - 10-14"),
    ("a\u00a0b\u202fc", "a b c"),
    ("İSTANBUL", "istanbul"),
    ("Goi\u0308ta", "goi\u0308ta"),  # decomposed accent: kept, one character per character
    ("", ""),
]
# fmt: on


@pytest.mark.parametrize(("text", "expected"), FOLDS)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@settings(max_examples=500)
@given(st.text())
def test_fold_keeps_length_and_is_idempotent(text: str) -> None:
    folded = fold(text)
    assert len(folded) == len(text)
    assert fold(folded) == folded


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(list('Ab .!?\n"”[]1Col.U.N.Oct '))))
def test_sentences_are_true_slices_in_order(text: str) -> None:
    previous_stop = 0
    for sentence in sentences(text):
        assert text[sentence.begin : sentence.stop] == sentence.text
        assert sentence.text == sentence.text.strip() and sentence.text
        assert sentence.begin >= previous_stop
        previous_stop = sentence.stop


# fmt: off
SPLITS = [
    ("Col. Goita called it a turning point. He said so.",
     ["Col. Goita called it a turning point.", "He said so."]),
    ("Dr. Guichaoua said it. Mr. Smith and Gen. Lee agreed. Lt. Diallo left.",
     ["Dr. Guichaoua said it.", "Mr. Smith and Gen. Lee agreed.", "Lt. Diallo left."]),
    ("The U.N. Security Council met. It voted.", ["The U.N. Security Council met.", "It voted."]),
    ("They left on Oct. 31. The rebels took it on Nov. 1. Fine.",
     ["They left on Oct. 31.", "The rebels took it on Nov. 1.", "Fine."]),
    ("In Bamako, on Feb. 19, 2022. Soldiers came.", ["In Bamako, on Feb. 19, 2022.", "Soldiers came."]),  # noqa: E501
    ("See resolution No. 5 of the council. Then vote.", ["See resolution No. 5 of the council.", "Then vote."]),  # noqa: E501
    ("He said \"no.\" Then he left.", ["He said \"no.\"", "Then he left."]),
    ("“Our mission is not complete.” He left!  Why? Because.",
     ["“Our mission is not complete.”", "He left!", "Why?", "Because."]),
    ("No casualties were reported. [11] [12] The camp was hit.",
     ["No casualties were reported. [11] [12]", "The camp was hit."]),
    ("Kidal, 14 November 2023. pic.twitter.com/Fxg8WSbBoZ",
     ["Kidal, 14 November 2023.", "pic.twitter.com/Fxg8WSbBoZ"]),
    ("Headline without a stop\n\nBody starts here. And ends.",
     ["Headline without a stop", "Body starts here.", "And ends."]),
    ("Belligerents\nFlag of Mali.svg Mali\nCSP-PSD", ["Belligerents", "Flag of Mali.svg Mali", "CSP-PSD"]),  # noqa: E501
    ("a sentence broken\nacross two lines. Next one.", ["a sentence broken\nacross two lines.", "Next one."]),  # noqa: E501
    ("the Malian armed forces have just retaken Kidal", ["the Malian armed forces have just retaken Kidal"]),  # noqa: E501
    ("  3. \"Mali: Kidal aux mains des rebelles\". ladepeche.fr (in French). Retrieved 2024-06-01.",
     ["3. \"Mali: Kidal aux mains des rebelles\". ladepeche.fr (in French). Retrieved 2024-06-01."]),  # noqa: E501
    ("", []),
]
# fmt: on


@pytest.mark.parametrize(("text", "expected"), SPLITS)
def test_sentences(text: str, expected: list[str]) -> None:
    found = sentences(text)
    assert [s.text for s in found] == expected
    assert all(text[s.begin : s.stop] == s.text for s in found)


# fmt: off
FURNITURE = [
    ("Skip to main content", True),
    ("Open this photo in gallery:", True),
    ("Download the France 24 app", True),
    ("Download our news app for free", True),
    ("Subscribe now", True),
    ("Sign up for our newsletter", True),
    ("Follow the author of this article:", True),
    ("Follow topics related to this article:", True),
    ("Check Following for new articles", True),
    ("Interact with The Globe", True),
    ("Build your personal news feed", True),
    ("Your Globe", True),
    ("source site-28", True),
    ("pic.twitter.com/Fxg8WSbBoZ", True),
    ("https://example.org/a/b", True),
    ("Related Research Articles", True),
    ("See alsoMalian army operation near Kidal: war of images and fake news", True),
    ("Read more: Mali's junta expels the French ambassador", True),
    ("Contents", True),
    ("References", True),
    ("Last updated", True),
    ("Updated Nov. 14, 2023 at 10:00", True),
    ("Advertisement", True),
    ("© 2023 Some Media. All rights reserved.", True),
    ('  12. 1 2 "Mali: au moins une dizaine de morts". RFI (in French). 2023-11-07. Retrieved 2024-06-01.', True),  # noqa: E501
    ("7. Agency, Ecofin. \"Mali: Azawad Salvation Movement exits CSP-PSD\". Ecofin Agency. Retrieved 2024-04-29.", True),  # noqa: E501
    ('<span class="x"></span>', True),
    ("Take international news with you wherever you go!", True),
    ("This week's recapFrance 24 invites you to look back on the news that marked the week", True),
    # real content, even when it starts like furniture
    ("The army took Kidal on Tuesday.", False),
    ("Following the capture, residents fled the city.", False),
    ("Sources said 14 civilians were killed in Kidal on November 7.", False),
    ("Published reports said 14 civilians died.", False),
    ("Updated figures showed dozens of civilians killed in drone strikes around the city of Kidal.", False),  # noqa: E501
    ("See the army advance, analysts said.", False),
    ("Contents of the agreement were not released by the junta.", False),
    ("With AFP", False),
    ("Battle of Kidal (2023)", False),
    ("— Malian Armed Forces (@FAMa_DIRPA) November 14, 2023", False),
    ('<span class="mw-page-title-main">High Council for the Unity of Azawad</span>', False),
    ("Flag of Mali.svg Mali", False),
]
# fmt: on


@pytest.mark.parametrize(("text", "expected"), FURNITURE)
def test_is_furniture(text: str, expected: bool) -> None:
    assert is_furniture(text) is expected
