"""The language of each article (issue 13, point 2), with the real py3langid model.

A French article once built with 0 claims and no word. Now: the front
matter's ``language:`` when given, else the detector; an article in a
language the extractor does not read gets a warning naming the file and the
language, ``--strict`` fails on it (the previous build kept), and the
manifest records each document's language. Registry names are still found
in French text, and two builds are byte for byte the same.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from kg.corpus import read_article
from kg.language import Language, article_language, detect, language_name, warning
from kg.pipeline import build
from kg.queries import run_query

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 1, 1)
ENGLISH = sorted((ROOT / "corpus").glob("*.txt"))[0]

FRENCH_TEXT = """\
L'armée malienne a annoncé mardi avoir pris le contrôle de Kidal, bastion des rebelles \
touareg du Cadre stratégique permanent, après plusieurs jours de combats dans le nord du \
pays. Les Forces armées maliennes, appuyées par des mercenaires du groupe Wagner, sont \
entrées dans la ville dans l'après-midi, selon un communiqué de l'état-major. La \
Coordination des mouvements de l'Azawad contrôlait Kidal depuis 2014. Le colonel Assimi \
Goïta a salué une victoire historique.
"""


def article(text: str, language: str | None = None) -> str:
    lines = ["---", 'title: "Article"', 'publisher: "RFI"', 'published: "2023-11-14"']
    if language:
        lines.append(f'language: "{language}"')
    return "\n".join([*lines, "---", text])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One English article (shipped, without its language key) and one French, without."""
    folder = tmp_path_factory.mktemp("languages") / "corpus"
    folder.mkdir()
    english = ENGLISH.read_text(encoding="utf-8").replace('language: "en"\n', "")
    (folder / "en_article.txt").write_text(english, encoding="utf-8")
    (folder / "fr_article.txt").write_text(article(FRENCH_TEXT), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("languages-build") / "build"
    build(corpus, out, today=TODAY)
    return out


def kg(*args: str | Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "kg"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "kg"]
    return subprocess.run([*command, *map(str, args)], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "COLUMNS": "200"})  # fmt: skip


def test_the_detector_tells_french_from_english_and_says_when_unsure() -> None:
    assert detect(FRENCH_TEXT) == "fr"
    assert detect(ENGLISH.read_text(encoding="utf-8")) == "en"
    assert detect("Body.") is None  # too short to tell: the default (English) stands
    assert detect("2023-11-14 ...") is None
    assert article_language(None, "Body.") == Language("en", "default")
    assert article_language("fr", "The army took Kidal.") == Language("fr", "front matter")
    assert language_name("fr") == "French"


def test_a_french_article_is_read_with_a_warning(corpus: Path) -> None:
    doc, warnings = read_article(corpus / "fr_article.txt", today=TODAY)
    assert doc.language == "fr"
    assert warnings == [warning(Language("fr", "detected"))]
    assert warnings[0].startswith("the article is in French (fr, detected), and the extractor "
                                  "reads English only")  # fmt: skip
    english, quiet = read_article(corpus / "en_article.txt", today=TODAY)
    assert (english.language, quiet) == ("en", [])


def test_the_front_matter_language_wins(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(article(FRENCH_TEXT, language="fr"), encoding="utf-8")
    doc, warnings = read_article(path, today=TODAY)
    assert doc.language == "fr"
    assert "(fr, from its front matter)" in warnings[0]
    path.write_text(article("The Malian army took Kidal on Tuesday.", language="en-GB"))
    assert read_article(path, today=TODAY)[0].language == "en-GB"
    assert read_article(path, today=TODAY)[1] == []


def test_the_manifest_records_each_language(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text())
    assert manifest["languages"] == {"en_article": "en", "fr_article": "fr"}


def test_registry_names_are_still_found_in_french(built: Path) -> None:
    result = run_query("evidence", {"entity": "Kidal"}, build_dir=built)
    documents = {t.value for row in result.rows for t in row if t is not None}
    assert any(value.endswith("fr_article") for value in documents)


def test_the_build_says_which_file_and_language(corpus: Path, tmp_path: Path) -> None:
    done = kg("build", corpus, "--out", tmp_path / "build", "--quiet")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "fr_article.txt: warning: " + str(warning(Language("fr", "detected")))
    ]
    trig = (tmp_path / "build" / "kg.trig").read_text()
    assert 'dcterms:language "fr" ;' in trig  # the article's node says so too


def test_strict_fails_on_it_and_keeps_the_previous_build(
    corpus: Path, built: Path, tmp_path: Path
) -> None:
    out = tmp_path / "build"
    english_only = tmp_path / "english"
    english_only.mkdir()
    (english_only / "en_article.txt").write_bytes((corpus / "en_article.txt").read_bytes())
    assert kg("build", english_only, "--out", out, "--quiet", "--strict").returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    done = kg("build", corpus, "--out", out, "--quiet", "--strict")
    assert (done.returncode, done.stdout) == (1, "")
    (line,) = done.stderr.splitlines()
    assert line.startswith("Error: --strict: 1 problem(s) in the corpus: fr_article.txt: "
                           "warning: the article is in French (fr, detected)")  # fmt: skip
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_rebuilds_are_byte_for_byte_the_same(corpus: Path, built: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build(corpus, again, today=TODAY)
    for name in ("kg.trig", "kg.ttl", "manifest.json"):
        first = hashlib.sha256((built / name).read_bytes()).hexdigest()
        assert hashlib.sha256((again / name).read_bytes()).hexdigest() == first, name
