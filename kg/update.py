"""``kg add`` and ``kg remove``: change the documents of an existing build.

A build remembers its documents in its cache (``kg.buildcache``: each
document's text and metadata with its extraction), so adding articles or
removing documents needs no corpus folder: the new document set is the old
one plus or minus the change, built by ``kg.pipeline.build_documents``,
which extracts only the new articles and splices the files and the store.
The result is byte for byte the build of a corpus folder holding the same
files. An article already in the build with the same content is left alone
and reported; one with the same name and new content replaces the old one.

The corpus folder is not touched: keep the files you add in it, so that a
later ``kg build`` of the folder includes them (it then has nothing to
extract).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kg.buildcache import CACHE_DIR, read_state
from kg.corpus import CorpusProblem, read_article
from kg.errors import BuildMissingError, CorpusError, KgError
from kg.lock import build_lock
from kg.model import Document
from kg.pipeline import BuildReport, Progress, _absolute, build_documents, prepare_output

__all__ = ["UpdateReport", "add_articles", "remove_documents", "build_documents_of"]


@dataclass(frozen=True)
class UpdateReport:
    """What ``kg add`` / ``kg remove`` did: the build (None when nothing changed)."""

    build: BuildReport | None
    changed: tuple[str, ...] = ()  # doc ids added, replaced or removed
    unchanged: tuple[str, ...] = field(default=())  # doc ids already in the build as given


def build_documents_of(out: Path) -> list[Document]:
    """The documents of the build in ``out``, from its cache (texts and metadata)."""
    import pickle

    state = read_state(out)
    if state is None or not (out / "kg.trig").is_file():
        raise BuildMissingError(
            f"{out} holds no build that kg add/remove can change (it needs build/{CACHE_DIR}/, "
            "which kg build writes): run kg build first"
        )
    documents = []
    for _, _, key, _ in state.documents:
        try:
            with open(out / CACHE_DIR / "docs" / f"{key}.x", "rb") as file:
                documents.append(pickle.load(file).extraction.document)
        except OSError:
            raise BuildMissingError(
                f"{out}/{CACHE_DIR} is incomplete (no entry {key}): run kg build again"
            ) from None
    return documents


def add_articles(
    paths: Sequence[Path], out: Path, *, today: date | None = None,
    progress: Progress | None = None,
) -> UpdateReport:  # fmt: skip
    """Add article files to the build in ``out``; extract only those not in it already."""
    started = time.perf_counter()
    prepare_output(out)
    with build_lock(_absolute(out)):
        documents = {d.doc_id: d for d in build_documents_of(out)}
        new, problems = _read_all(paths, today)
        changed = [d for d in new if documents.get(d.doc_id) != d]
        unchanged = tuple(d.doc_id for d in new if documents.get(d.doc_id) == d)
        if not changed:
            return UpdateReport(None, (), unchanged)
        documents.update({d.doc_id: d for d in changed})
        ordered = sorted(documents.values(), key=lambda d: d.path)
        report = build_documents(ordered, problems, out, progress=progress, started=started)
        return UpdateReport(report, tuple(d.doc_id for d in changed), unchanged)


def _read_all(paths: Sequence[Path], today: date | None) -> tuple[list[Document], list[CorpusProblem]]:
    """The articles (one clear error naming the file that cannot be read), and warnings."""
    documents: dict[str, Document] = {}
    problems: list[CorpusProblem] = []
    for path in paths:
        if not path.is_file():
            raise CorpusError(f"{path}: no such article file; give the paths of .txt articles")
        try:
            doc, warnings = read_article(path, today=today)
        except CorpusError as error:
            raise CorpusError(f"{path}: {error}") from None
        if doc.doc_id in documents and documents[doc.doc_id] != doc:
            raise CorpusError(f"{path}: document id {doc.doc_id!r} given twice; rename one")
        documents[doc.doc_id] = doc
        problems += [CorpusProblem(path.name, "warning", w) for w in warnings]
    return list(documents.values()), problems


def remove_documents(
    ids: Sequence[str], out: Path, *, progress: Progress | None = None
) -> UpdateReport:
    """Remove documents (by id, or file name) from the build in ``out``."""
    started = time.perf_counter()
    with build_lock(_absolute(out)):
        documents = {d.doc_id: d for d in build_documents_of(out)}
        by_file = {d.path: d.doc_id for d in documents.values()}
        gone = []
        for given in ids:
            doc_id = given if given in documents else by_file.get(given)
            if doc_id is None:
                known = ", ".join(sorted(documents)[:5]) + (", ..." if len(documents) > 5 else "")
                raise KgError(
                    f"Unknown document {given!r} in {out}: give a document id as kg build "
                    f"reports it in manifest.json (e.g. {known}) or its file name"
                )
            gone.append(doc_id)
        left = [d for k, d in sorted(documents.items(), key=lambda i: i[1].path) if k not in gone]
        if not left:
            raise KgError(f"Removing {', '.join(gone)} would leave {out} with no document; "
                          "keep one, or delete the folder")  # fmt: skip
        report = build_documents(left, (), out, progress=progress, started=started)
        return UpdateReport(report, tuple(sorted(set(gone))))
