"""Extraction quality against the hand-made gold (issue 3 targets), on the shipped corpus
and on test articles written for the purpose, phrased unlike the seeds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kg.evaluate import load_gold, score
from kg.pipeline import extract_corpus

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shipped():
    extractions = extract_corpus(ROOT / "corpus", today=date(2026, 1, 1)).extractions
    return score(extractions, load_gold(ROOT / "tests" / "gold"))


@pytest.fixture(scope="module")
def own():
    extractions = extract_corpus(
        ROOT / "tests" / "data" / "corpus", today=date(2026, 1, 1)
    ).extractions
    return score(extractions, load_gold(ROOT / "tests" / "data" / "gold"))


def test_shipped_corpus_meets_precision_and_recall_targets(shipped) -> None:
    overall = shipped.tally("overall")
    assert overall.precision >= 0.90, overall
    assert overall.recall >= 0.80, overall


def test_own_articles_meet_the_precision_target(own) -> None:
    overall = own.tally("overall")
    assert overall.precision >= 0.80, overall
    assert overall.tp >= 15  # it finds things, not just avoids mistakes


@pytest.mark.parametrize(
    "kind", ["entities", "events", "control", "membership", "roles", "casualty"]
)
def test_no_fact_kind_collapses_on_the_shipped_corpus(shipped, kind: str) -> None:
    tally = shipped.tally(kind)
    assert tally.precision >= 0.8 and tally.recall >= 0.6, (kind, tally)
