"""Where the shipped resource folders (ontology, queries, corpus) live.

In a source checkout they are the top-level folders of the repository; in an
installed wheel, pyproject.toml force-includes them as ``kg/_resources/<name>``.

>>> resource_path("ontology").name
'ontology'
"""

from __future__ import annotations

from pathlib import Path

RESOURCES = ("ontology", "queries", "corpus")

_PACKAGE = Path(__file__).resolve().parent


def resource_path(name: str) -> Path:
    """The folder of resource ``name``: the repository's when running from a checkout."""
    if name not in RESOURCES:
        raise ValueError(f"Unknown resource {name!r}. Available: {', '.join(RESOURCES)}")
    in_repo = _PACKAGE.parent / name
    if in_repo.is_dir() and (_PACKAGE.parent / "pyproject.toml").is_file():
        return in_repo
    return _PACKAGE / "_resources" / name
