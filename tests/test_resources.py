"""Tests for kg/resources.py: resource folders resolve to the checkout's folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.resources import RESOURCES, resource_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", RESOURCES)
def test_resources_resolve_to_the_checkout(name: str) -> None:
    assert resource_path(name) == ROOT / ("tests/gold" if name == "gold" else name)
    assert resource_path(name).is_dir()


def test_unknown_resource_lists_the_choices() -> None:
    expected = "Unknown resource 'ontologies'. Available: ontology, queries, corpus, gold"
    with pytest.raises(ValueError, match=expected):
        resource_path("ontologies")
