"""Where the shipped resource folders (ontology, queries, corpus, gold) live.

In a source checkout they are the top-level folders of the repository (the
gold annotations: ``tests/gold``); in an installed wheel, pyproject.toml
force-includes them as ``kg/_resources/<name>``.

>>> resource_path("ontology").name
'ontology'
"""

from __future__ import annotations

from pathlib import Path

RESOURCES = ("ontology", "queries", "corpus", "gold")
#: Where a resource lives in a checkout, when not in a top-level folder of its name.
_IN_REPO = {"gold": "tests/gold"}  # the gold annotations of the shipped corpus (kg eval)

_PACKAGE = Path(__file__).resolve().parent


def resource_path(name: str) -> Path:
    """The folder of resource ``name``: the repository's when running from a checkout."""
    if name not in RESOURCES:
        raise ValueError(f"Unknown resource {name!r}. Available: {', '.join(RESOURCES)}")
    in_repo = _PACKAGE.parent / _IN_REPO.get(name, name)
    if in_repo.is_dir() and (_PACKAGE.parent / "pyproject.toml").is_file():
        return in_repo
    return _PACKAGE / "_resources" / name
