"""The linguistic analysis: the pinned spaCy model, loaded from its package (no download),
and the parse-based rules on real sentence shapes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kg.extract.analysis import parse, pipeline
from kg.pipeline import extract_corpus


def test_the_pinned_model_is_the_one_loaded() -> None:
    nlp = pipeline()
    assert nlp.meta["name"].startswith("core_web_sm") and nlp.meta["version"] == "3.8.0"
    assert {"parser", "ner", "tagger"} <= set(nlp.pipe_names)
    assert "lemmatizer" not in nlp.pipe_names  # not run: no rule reads lemmas


def test_an_elliptical_second_object_is_a_conjunct_of_the_capture() -> None:
    (doc,) = parse(["The army took Gao on 3 May, and Ménaka on 9 June."])
    menaka = next(t for t in doc if t.text == "Ménaka")
    assert menaka.dep_ == "conj" and menaka.head.text == "took"


def test_coordinated_places_get_their_own_claims_and_dates(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        '---\npublished: "2013-07-01"\npublisher: "Reuters"\n---\n'
        "The Malian army took Gao on 3 May 2013, and Kidal on 9 June 2013.\n",
        encoding="utf-8",
    )
    (extraction,) = extract_corpus(tmp_path, today=date(2026, 1, 1)).extractions
    gains = {(c.territory, c.start.iso) for c in extraction.claims if c.kind == "control"}
    assert gains == {("gao", "2013-05-03"), ("kidal", "2013-06-09")}
    quote = next(c for c in extraction.claims if c.kind == "control").evidence.quote
    assert quote in extraction.document.text


def _extract(tmp_path: Path, body: str):
    (tmp_path / "a.txt").write_text(
        f'---\npublished: "2013-07-01"\npublisher: "Reuters"\n---\n{body}\n', encoding="utf-8"
    )
    (extraction,) = extract_corpus(tmp_path, today=date(2026, 1, 1)).extractions
    return extraction


def test_a_sentence_opening_with_as_is_parsed(tmp_path: Path) -> None:
    """The 'such as' test looked at the token before the first one (a crash, found in review)."""
    extraction = _extract(tmp_path, "As the army took Gao and Kidal, the rebels fled.")
    gains = {c.territory for c in extraction.claims if c.kind == "control" and c.change == "gain"}
    assert gains == {"gao", "kidal"}


def test_bylines_are_furniture_but_by_then_is_not(tmp_path: Path) -> None:
    extraction = _extract(tmp_path, "By Adama Diarra\n\nBy Monday the MNLA had taken Gao.")
    assert "adama-diarra" not in {m.key for m in extraction.mentions}
    assert any(c.kind == "control" and c.territory == "gao" for c in extraction.claims)


def test_a_title_case_headline_keeps_its_town_names(tmp_path: Path) -> None:
    extraction = _extract(tmp_path, "Islamist Rebels Seize Gao After Heavy Fighting\n\nText.")
    assert "gao" in {m.key for m in extraction.mentions}


def test_a_dateline_is_no_subject(tmp_path: Path) -> None:
    extraction = _extract(tmp_path, "GAO, Mali, Jan 28 (Reuters) - French troops took Timbuktu.")
    controllers = {c.controller for c in extraction.claims if c.kind == "control"}
    assert controllers == {"french-armed-forces"}


def test_a_fronted_date_is_no_preposition_of_the_subject(tmp_path: Path) -> None:
    extraction = _extract(tmp_path, "On Monday the MNLA took Gao.")
    assert {(c.controller, c.territory) for c in extraction.claims if c.kind == "control"} == {
        ("mnla", "gao")
    }
