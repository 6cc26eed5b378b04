"""The word lists of the extraction, read from the data files beside this module.

Word lists are data, not code: ``kg/extract/wordlists/*.tsv`` hold one entry
per line (``#`` starts a comment, fields are tab-separated), and each is read
once per process.

>>> table("infobox_keys")["commanders and leaders"]
'commanders'
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """The rows of ``wordlists/<name>.tsv``: tab-separated fields, comments and blanks skipped."""
    text = resources.files("kg.extract").joinpath("wordlists", f"{name}.tsv").read_text("utf-8")
    found = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        found.append(tuple(field.strip() for field in line.split("\t")))
    return tuple(found)


@cache
def table(name: str) -> dict[str, str]:
    """A two-column list as a mapping, first column to second."""
    return {row[0]: row[1] for row in rows(name) if len(row) >= 2}


@cache
def grouped(name: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A two-column list grouped by its first column, groups in order of first appearance:
    ``(("Coup", ("coup", "putsch", ...)), ("DroneStrike", (...)), ...)``."""
    groups: dict[str, list[str]] = {}
    for row in rows(name):
        groups.setdefault(row[0], []).append(row[1])
    return tuple((key, tuple(values)) for key, values in groups.items())


@cache
def words(name: str) -> frozenset[str]:
    """A one-column list as a set."""
    return frozenset(row[0] for row in rows(name))
