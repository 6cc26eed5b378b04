"""The language of an article: its front matter's ``language:`` when given, else detected.

Detection uses py3langid (a maintained fork of langid.py: a naive Bayes
classifier over byte n-grams, 97 languages, BSD licence), whose model ships
inside the pip package, so nothing is downloaded at run time. It is loaded
once per process, and only when an article has no ``language:`` key (the
load takes ~2 s). Its answer is deterministic, so builds stay byte for byte
the same. A text too short or too mixed to tell (the detector's normalised
probability under :data:`CONFIDENT`) keeps the default, English.

The extractor reads English only (:data:`EXTRACTED`): for an article in any
other language the corpus reader warns, naming the file and the language.

>>> language_name("fr"), language_name("en-GB"), language_name("xx")
('French', 'English', 'xx')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

#: Languages the extraction rules read (primary subtags).
EXTRACTED = ("en",)
DEFAULT = "en"
#: The least normalised probability at which a detected language is believed.
CONFIDENT = 0.9

#: Names of the languages a Sahel press corpus is likely to hold (others show their code).
NAMES = {
    "en": "English", "fr": "French", "ar": "Arabic", "es": "Spanish", "pt": "Portuguese",
    "de": "German", "it": "Italian", "ru": "Russian", "zh": "Chinese", "tr": "Turkish",
    "nl": "Dutch", "ha": "Hausa", "wo": "Wolof", "bm": "Bambara", "ff": "Fula",
    "ber": "Berber", "tmh": "Tamashek", "son": "Songhay", "sw": "Swahili", "fa": "Persian",
    "uk": "Ukrainian", "pl": "Polish", "ja": "Japanese", "ko": "Korean",
}  # fmt: skip

Source = Literal["front matter", "detected", "default"]


@dataclass(frozen=True)
class Language:
    """An article's language tag and how it was found."""

    tag: str
    source: Source

    @property
    def extracted(self) -> bool:
        """Whether the extractor reads this language."""
        return primary(self.tag) in EXTRACTED


def primary(tag: str) -> str:
    """The primary subtag, lower-cased: ``en-GB`` -> ``en``."""
    return tag.split("-")[0].lower()


def language_name(tag: str) -> str:
    """``French`` for ``fr``; the tag itself when the name is not known here."""
    return NAMES.get(primary(tag), tag)


def article_language(given: str | None, text: str) -> Language:
    """The front matter's language when given, else the detected one, else the default."""
    if given:
        return Language(given, "front matter")
    detected = detect(text)
    return Language(detected, "detected") if detected else Language(DEFAULT, "default")


def detect(text: str) -> str | None:
    """The language of ``text`` as an ISO 639-1 code, or None when the detector is unsure."""
    if not any(c.isalpha() for c in text):
        return None
    tag, probability = _identifier().classify(text)
    return str(tag) if probability >= CONFIDENT else None


def warning(language: Language) -> str | None:
    """The corpus warning for an article the extractor cannot read, or None."""
    if language.extracted:
        return None
    how = "from its front matter" if language.source == "front matter" else "detected"
    return (
        f"the article is in {language_name(language.tag)} ({language.tag}, {how}), and the "
        "extractor reads English only: few or no facts will be extracted from it (names the "
        "registry knows are still found); translate it, or leave it out"
    )


_IDENTIFIER: Any = None


def _identifier() -> Any:
    """py3langid's identifier with normalised probabilities, loaded once."""
    global _IDENTIFIER
    if _IDENTIFIER is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _IDENTIFIER
