"""As-of questions: what the press had said by a date (``-p asof=2023-11-13`` on any query).

The build's cache (``kg.buildcache``) keeps every document's extraction and
graph, so the graph of the documents published on or before a date is
assembled at query time: their named graphs as built, the ontology and the
registry, and a derived graph computed again over their claims alone (the
periods, disputes, summaries and copy links that those sources support;
"ongoing, as of" is then the latest of them). It goes into an in-memory
store, where the canned question runs as it would on the build. Nothing is
written: the build stays as it is.

It needs the build folder (not ``--endpoint``: a remote store has the whole
graph only). The cost is that of loading the subset: a fraction of a second
on the shipped corpus, seconds on thousands of articles.
"""

from __future__ import annotations

import pickle
import re
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from kg.buildcache import CACHE_DIR, read_state
from kg.errors import BuildMissingError, QueryError
from kg.vocab import PREFIX_BLOCK

__all__ = ["ASOF", "parse_asof", "store_as_of"]

#: The parameter every canned query takes besides its own.
ASOF = "asof"


def parse_asof(value: str) -> date:
    """The ``asof`` parameter: a day, YYYY-MM-DD.

    >>> parse_asof("2023-11-13")
    datetime.date(2023, 11, 13)
    """
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise QueryError(
        f"Parameter asof={value!r} is not a date: write the day as YYYY-MM-DD (e.g. asof=2023-11-13)"
    )


def store_as_of(build: Path, day: date) -> ox.Store:
    """An in-memory store of the build as its documents published on or before ``day`` make it."""
    from kg import dedup
    from kg.pipeline import derive_graphs
    from kg.registry import load_registry

    state = read_state(build)
    if state is None:
        raise BuildMissingError(
            f"{build} has no {CACHE_DIR}/ folder, which asof needs (the documents of the "
            "build and their dates): run kg build"
        )
    entries, graphs, signatures = [], [], {}
    for _, _, key, _ in state.documents:
        entry = _load(build, f"{key}.x")
        if entry.extraction.document.published <= day:
            entries.append(entry.extraction)
            graphs.append(_load(build, f"{key}.g"))
            signatures[entry.extraction.document.doc_id] = (
                build / CACHE_DIR / "docs" / f"{key}.m"
            ).read_bytes()
    if not entries:
        first = min(_load(build, f"{k}.x").extraction.document.published
                    for _, _, k, _ in state.documents)  # fmt: skip
        raise QueryError(f"No document of {build} was published on or before asof={day} "
                         f"(the first is from {first}); give a later date")  # fmt: skip
    near = dedup.near_copies([x.document for x in entries], signatures)
    fixed, _, _ = derive_graphs(entries, load_registry(), near)
    store = ox.Store()
    data = PREFIX_BLOCK + b"".join(g.trig() for g in sorted([*graphs, *fixed], key=lambda g: g.name))
    store.bulk_load(data, format=ox.RdfFormat.TRIG)
    return store


def _load(build: Path, name: str) -> object:
    try:
        with open(build / CACHE_DIR / "docs" / name, "rb") as file:
            return pickle.load(file)
    except OSError:
        raise BuildMissingError(f"{build}/{CACHE_DIR} is incomplete: run kg build again") from None
