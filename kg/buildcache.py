"""The build's memory of itself: ``build/cache/``, so a build re-extracts only what changed.

Each document's extraction is kept under a key made of the document (its
file name, front matter and content hash) and the **fingerprint** of the
extractor: the stage versions plus a digest of the code, word lists,
ontology and registry it runs with, so an edit to any of them (even one that
forgot to bump a stage version) misses the cache instead of serving stale
claims. An entry is two files:

- ``docs/KEY.x``: the lean extraction (the document with its text, the
  claims without quotes, the discovered entities) and whether anything was
  found: what the derivation needs, and the text, so a build can be made
  again from the cache alone (``kg add``/``kg remove`` have no corpus folder);
- ``docs/KEY.g``: the document's named graph, serialized (``GraphText``);
- ``docs/KEY.m``: the MinHash signature of its text (``kg.dedup``).

``state.pickle`` describes the build the cache belongs to (see
:class:`State`): its documents, where each graph lies in ``kg.trig``, where
each subject lies in ``kg.ttl`` and which graphs hold it. ``kg.incremental``
uses it to splice a few changed graphs into the files instead of writing
them anew. The cache is outside what is compared between builds: ``kg.trig``,
``kg.ttl`` and ``manifest.json`` are the same bytes with or without it.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from kg.emit import GraphText
from kg.model import Document, Extraction

__all__ = [
    "CACHE_DIR", "STATE_FORMAT", "State", "Entry", "fingerprint", "document_key",
    "read_state", "write_state", "DocumentCache",
]  # fmt: skip

CACHE_DIR = "cache"
STATE_FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent
#: Files whose content decides what the extraction and the graphs are.
_INPUT_SUFFIXES = (".py", ".txt", ".json", ".ttl", ".tsv", ".csv", ".yaml", ".yml")


@dataclass(frozen=True)
class Entry:
    """One document's cached extraction: lean (no mentions, no quotes) but with its text."""

    extraction: Extraction
    found: bool  # any mention at all (a document with none gets a warning)
    iris: tuple[str, ...] = ()  # the claims' IRIs (kg.emit.claim_iri), in order


@dataclass
class State:
    """The previous build, as ``kg.incremental`` needs it to splice a new one.

    ``documents``: (doc_id, file name, cache key, graph IRI) in file-name order.
    ``graphs``: graph IRI -> (offset, length) of its block in kg.trig, quads.
    ``fixed``: the graphs not made from one document (ontology, registry,
    derived), each serialized in ``graphs/`` under the digest of its name.
    ``subjects``/``offsets``/``counts``/``holders``: kg.ttl's subject blocks in
    order (IRI, byte offset, triples, and the graph IRI or IRIs holding it).
    """

    fingerprint: str
    documents: list[tuple[str, str, str, str]]
    graphs: dict[str, tuple[int, int, int]]
    fixed: list[str]
    subjects: list[str] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    holders: list[str | tuple[str, ...]] = field(default_factory=list)
    ttl_size: int = 0
    copies: list[Document] = field(default_factory=list)  # files with another's text
    format: int = STATE_FORMAT


def fingerprint(stages: tuple[str, ...], resources: tuple[Path, ...]) -> str:
    """The extractor's identity: stage versions, and the bytes of the package's code and data
    and of the ``resources`` folders (ontology, registry)."""
    digest = hashlib.sha256(json.dumps(list(stages)).encode())
    for root in (_PACKAGE, *resources):
        for path in sorted(root.rglob("*")):
            if path.suffix in _INPUT_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def document_key(doc: Document, print_: str) -> str:
    """The cache key of a document: its metadata, content hash and the extractor fingerprint.

    >>> from datetime import date
    >>> doc = Document("a", "a.txt", "Text.", "T", "", date(2024, 1, 1), "en", content_hash="h")
    >>> document_key(doc, "f") == document_key(doc, "f") != document_key(doc, "g")
    True
    """
    meta = {f.name: str(getattr(doc, f.name)) for f in fields(doc) if f.name != "text"}
    blob = json.dumps([print_, meta], sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:40]


def graph_file(name: str) -> str:
    """The file name of a fixed graph in ``graphs/``."""
    return hashlib.sha256(name.encode()).hexdigest()[:32] + ".g"


def read_state(build: Path) -> State | None:
    """The state of the build in ``build``, or None (no cache, another format, unreadable)."""
    try:
        with open(build / CACHE_DIR / "state.pickle", "rb") as file:
            state = pickle.load(file)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    if not isinstance(state, State) or state.format != STATE_FORMAT:
        return None
    return state


def write_state(folder: Path, state: State) -> None:
    """``folder/cache/state.pickle``."""
    _dump(folder / CACHE_DIR / "state.pickle", state)


def _dump(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)


def _load(path: Path) -> Any:
    with open(path, "rb") as file:
        return pickle.load(file)


class DocumentCache:
    """Entries read from the previous build's cache (``old``), written to the new one (``new``).

    An entry the new build keeps is hard-linked (copied where links fail), so
    the new cache holds exactly the entries of the documents it was built from.
    """

    def __init__(self, old: Path | None, new: Path) -> None:
        self.old = old / CACHE_DIR if old is not None else None
        self.new = new / CACHE_DIR
        (self.new / "docs").mkdir(parents=True, exist_ok=True)
        (self.new / "graphs").mkdir(parents=True, exist_ok=True)

    def _old_path(self, name: str) -> Path | None:
        for base in (self.new, self.old):
            if base is not None and (base / name).is_file():
                return base / name
        return None

    def has(self, key: str) -> bool:
        return self._old_path(f"docs/{key}.x") is not None and \
            self._old_path(f"docs/{key}.g") is not None  # fmt: skip

    def entry(self, key: str) -> Entry:
        value: Entry = self._cached(key, "x")
        return value

    def graph(self, key: str) -> GraphText:
        value: GraphText = self._cached(key, "g")
        return value

    def _cached(self, key: str, suffix: str) -> Any:
        """The cached object of document ``key`` ("x": its extraction, "g": its graph)."""
        path = self._old_path(f"docs/{key}.{suffix}")
        if path is None:
            raise KeyError(key)
        return _load(path)

    def signature(self, key: str, text: str) -> bytes:
        """The MinHash signature of a document's text (kg.dedup), cached as ``docs/KEY.m``."""
        from kg.dedup import signature

        path = self._old_path(f"docs/{key}.m")
        target = self.new / "docs" / f"{key}.m"
        if path is not None:
            if path != target:
                _link(path, target)
            return path.read_bytes()
        value = signature(text)
        target.write_bytes(value)
        return value

    def keep(self, key: str) -> None:
        """Carry an entry of the old cache into the new one."""
        for suffix in (".x", ".g"):
            target = self.new / "docs" / f"{key}{suffix}"
            if target.exists():
                continue
            source = self._old_path(f"docs/{key}{suffix}")
            if source is None:
                raise KeyError(key)
            _link(source, target)

    def put(self, key: str, entry: Entry, graph: GraphText) -> None:
        _dump(self.new / "docs" / f"{key}.x", entry)
        _dump(self.new / "docs" / f"{key}.g", graph)

    def fixed(self, name: str) -> GraphText | None:
        """A fixed graph (ontology, registry, derived) of the previous build."""
        path = self._old_path(f"graphs/{graph_file(name)}")
        return _load(path) if path is not None else None

    def put_fixed(self, graph: GraphText) -> None:
        _dump(self.new / "graphs" / graph_file(graph.name), graph)


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
