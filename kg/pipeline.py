"""The build: corpus -> documents -> mentions -> dates -> claims -> periods -> RDF -> store.

>>> from pathlib import Path
>>> report = build(Path("corpus"), Path("/tmp/kg-doctest-build"), today=date(2026, 1, 1))  # doctest: +SKIP

Each stage is a function of its own module; this one composes them, runs the
per-document part over several processes when asked (``jobs``), and
publishes the outputs: everything is written into a staging folder first and
moved into place only once complete, so a failed or interrupted build leaves
the previous ``build/`` as it was.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import TypeVar

from pyoxigraph import NamedNode, Triple

from kg import claims as claims_stage
from kg import dedup
from kg import dates as dates_stage
from kg import emit
from kg import events as events_stage
from kg import mentions as mentions_stage
from kg.corpus import CorpusProblem, load_corpus
from kg.emit import GraphText, publisher_key
from kg.errors import CorpusError, KgError
from kg.iris import doc_iri
from kg.vocab import PROV
from kg.extract.infobox import infobox_claims
from kg.extract.names import discover_names
from kg.extract.implied import (
    coups_in_countries,
    capture_dates,
    finest_dates,
    implied_claims,
    leaving_events,
    placed,
)
from kg.extract.parsed import coordinated_claims, gerund_subjects
from kg.buildcache import DocumentCache, Entry, State, write_state
from kg.lock import build_lock
from kg.model import Claim, Document, Extraction
from kg.registry import Registry, load_registry

STAGES = ("corpus.v1", mentions_stage.STAGE, dates_stage.STAGE, claims_stage.STAGE)
#: ``progress(stage, done, total)``: what the build is doing ("extracting 003.txt: claims",
#: "deriving periods" ...) and how far it is, in characters of article text extracted.
Progress = Callable[[str, int, int], None]
T = TypeVar("T")


@dataclass(frozen=True)
class CorpusExtraction:
    extractions: tuple[Extraction, ...]
    problems: tuple[CorpusProblem, ...]


@dataclass(frozen=True)
class BuildReport:
    out: Path
    documents: int
    entities: int
    discovered: int
    claims: Counter[str]
    periods: Counter[str]
    triples: int
    quads: int
    seconds: float
    events: tuple[int, int] = (0, 0)  # (event claims, resolved events): kg.events.merge_counts
    problems: tuple[CorpusProblem, ...] = field(default=())
    exact_copies: int = 0  # files with the text of another file (one document: kg.dedup)
    near_copies: int = 0  # documents linked as copies of an earlier one's report
    extracted: int = 0  # documents extracted by this build (the others came from its cache)


def extract_document(
    doc: Document, registry: Registry, step: Callable[[str], None] | None = None
) -> Extraction:
    """Mentions, dates and claims of one document; ``step(name)`` as each stage starts."""
    say = step or _silent
    say("mentions")
    registered = mentions_stage.find_mentions(doc, registry)
    say("names")
    found = with_names(doc, registered, registry)
    say("dates")
    dated = dates_stage.find_dates(doc.text, doc.published)
    say("claims")
    local_types = {e.key: e.types for e in found.discovered}

    answers: dict[tuple[str, str], bool] = {}

    def is_a(key: str, cls: str) -> bool:
        answer = answers.get((key, cls))
        if answer is None:
            if key in local_types:
                answer = cls in registry.expand_types(local_types[key])
            else:
                answer = registry.is_a(key, cls)
            answers[(key, cls)] = answer
        return answer

    publisher = publisher_key(doc.publisher or "unknown publisher", registry.entities)[0]
    knowledge = claims_stage.Knowledge(
        is_a=is_a, lookup=registry.lookup, country_of=registry.jurisdiction.get,
        forces_of=lambda country: armed_forces(registry).get(country),
        institution_of=lambda country, cls: institutions(registry).get((country, cls)),
        town_of=town_lookup(registry),
        label_of=lambda key: registry.entities[key].label if key in registry.entities else None,
    )  # fmt: skip
    claims, minted = claims_stage.extract_claims(doc, found.mentions, dated, knowledge, publisher)
    infobox = infobox_claims(doc, found.mentions, dated, is_a, publisher, registry.lookup)
    claims = coordinated_claims(doc.text, claims, found.mentions, dated, is_a)
    claims = gerund_subjects(doc.text, claims, found.mentions, is_a)
    claims += infobox.claims
    country = claims_stage.main_country(found.mentions, is_a)
    claims += implied_claims(claims, is_a, registry.jurisdiction.get, country)
    claims = coups_in_countries(leaving_events(claims, is_a), is_a, registry.located_in)
    claims = capture_dates(finest_dates(placed(claims, is_a)))
    entities = {e.key: e for e in (*found.discovered, *minted) if e.key not in registry.entities}
    for entity in infobox.entities:  # a name the registry knows stays the registry's
        if entity.key not in registry.entities:
            entities.setdefault(entity.key, entity)
    mentions = sorted((*found.mentions, *infobox.mentions), key=lambda m: (m.begin, m.stop))
    return Extraction(doc, tuple(mentions), tuple(entities[k] for k in sorted(entities)),
                      tuple(claims))  # fmt: skip


def with_names(
    doc: Document, found: mentions_stage.MentionResult, registry: Registry
) -> mentions_stage.MentionResult:
    """The mentions plus the names the parse found that no mention covers."""
    names = discover_names(doc, found.mentions, registry)
    if not names.mentions:
        return found
    known = {e.key for e in found.discovered}
    mentions = sorted((*found.mentions, *names.mentions), key=lambda m: (m.begin, m.stop))
    entities = (*found.discovered, *(e for e in names.entities if e.key not in known))
    return mentions_stage.MentionResult(tuple(mentions), tuple(sorted(entities, key=lambda e: e.key)))


def town_lookup(registry: Registry) -> Callable[[str], str | None]:
    """A site -> the town it lies in ("MINUSMA camp in Kidal" -> Kidal)."""
    return lambda key: next(
        (t for t in registry.located_in(key) if registry.is_a(t, "Settlement")), None
    )


def world_of(registry: Registry) -> events_stage.World:
    """What event resolution needs of the registry: containment, countries, vague actors."""
    return events_stage.World(
        located_in=registry.located_in, country_of=registry.jurisdiction.get,
        is_vague=lambda key: registry.is_a(key, "CollectiveActor"),
    )  # fmt: skip


def armed_forces(registry: Registry) -> dict[str, str]:
    """Country -> its national armed forces, from the registry's dcterms:spatial links."""
    cached = _FORCES.get(id(registry))
    if cached is None:
        cached = {country: key for key, country in sorted(registry.jurisdiction.items())
                  if registry.is_a(key, "NationalArmedForces")}  # fmt: skip
        _FORCES[id(registry)] = cached
    return cached


_FORCES: dict[int, dict[str, str]] = {}
_INSTITUTIONS: dict[int, dict[tuple[str, str], str]] = {}
_INSTITUTION_CLASSES = ("Government", "Junta", "NationalArmedForces")


def institutions(registry: Registry) -> dict[tuple[str, str], str]:
    """(country, class) -> the one registry institution of that class whose dcterms:spatial
    is the country ("the government" of Mali); left out where two share it."""
    cached = _INSTITUTIONS.get(id(registry))
    if cached is None:
        owners: dict[tuple[str, str], list[str]] = {}
        for key, country in sorted(registry.jurisdiction.items()):
            for cls in _INSTITUTION_CLASSES:  # by direct class: a junta is a government too
                if cls in registry.entities[key].types:
                    owners.setdefault((country, cls), []).append(key)
        cached = {pair: keys[0] for pair, keys in owners.items() if len(keys) == 1}
        _INSTITUTIONS[id(registry)] = cached
    return cached
_WORKER_REGISTRY: Registry | None = None


def _init_worker() -> None:
    global _WORKER_REGISTRY
    _WORKER_REGISTRY = load_registry()


def _in_worker(work: Callable[[Document, Registry], T], doc: Document) -> T:
    assert _WORKER_REGISTRY is not None
    return work(doc, _WORKER_REGISTRY)


def _over_documents(
    documents: Sequence[Document],
    registry: Registry,
    work: Callable[[Document, Registry], T],
    jobs: int,
    progress: Progress | None,
) -> Iterator[T]:
    """``work(doc, registry)`` on every document, in order; over ``jobs`` processes (each
    loads its own registry) when more than one. ``work`` is a module-level function; in
    one process it is also given ``step=`` (the stage within the document, for progress)."""
    sizes = [len(doc.text) for doc in documents]
    total, done = sum(sizes), 0
    if jobs <= 1 or len(documents) < 2 * jobs:
        for doc, size in zip(documents, sizes, strict=True):
            if progress:
                where = f"extracting {_short(doc.path)}"
                progress(where, done, total)
                step = partial(_step, progress, where, done, total)
                yield work(doc, registry, step=step)  # type: ignore[call-arg]
            else:
                yield work(doc, registry)
            done += size
        if progress:
            progress("extracted", done, total)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker) as pool:
        chunk = max(1, min(16, len(documents) // (jobs * 8)))
        results = pool.map(partial(_in_worker, work), documents, chunksize=chunk)
        for index, result in enumerate(results):
            yield result
            done += sizes[index]
            if progress:
                progress(f"extracting on {jobs} processes", done, total)


def _silent(stage: str) -> None:
    """No progress to show."""


def _step(progress: Progress, where: str, done: int, total: int, stage: str) -> None:
    progress(f"{where}: {stage}", done, total)


def _short(name: str, width: int = 24) -> str:
    """A file name cut to ``width`` characters for a progress line, its end kept.

    >>> _short("003_d5d5875c3ab1f7f8.txt", 16)
    '003_d5d…f7f8.txt'
    """
    if len(name) <= width:
        return name
    keep = width - 9
    return name[:keep] + "…" + name[-8:]


def extract_all(
    documents: Sequence[Document],
    registry: Registry,
    *,
    jobs: int = 1,
    progress: Progress | None = None,
) -> list[Extraction]:
    """Extract every document, in order; over ``jobs`` processes when more than one."""
    return list(_over_documents(documents, registry, extract_document, jobs, progress))


def extract_corpus(
    corpus_dir: Path,
    *,
    today: date | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    registry: Registry | None = None,
) -> CorpusExtraction:
    """Load a corpus folder and extract every readable document."""
    loaded = load_corpus(corpus_dir, today=today)
    registry = registry or load_registry()
    extractions = extract_all(loaded.documents, registry, jobs=jobs, progress=progress)
    problems = list(loaded.problems)
    for extraction in extractions:
        if not extraction.mentions:
            problems.append(_nothing_found(extraction))
    return CorpusExtraction(tuple(extractions), tuple(problems))


def build(
    corpus_dir: Path,
    out: Path,
    *,
    strict: bool = False,
    jobs: int = 1,
    today: date | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Build the graph of a corpus into ``out`` (TriG, Turtle, store, manifest).

    Only documents the previous build in ``out`` did not extract with the
    same extractor are extracted (``kg.buildcache``); when few changed, the
    files and the store are spliced rather than written anew
    (``kg.incremental``). Either way the bytes are those of a build from
    scratch. Memory stays bounded: each document's graph is serialized as
    soon as it is extracted (in the worker process with ``jobs`` > 1) and
    kept in a spool file, and handed to the store loader, which runs in a
    thread beside the extraction; only the claims (for the derived periods)
    stay in memory. The output does not depend on ``jobs``. Another kg
    command writing ``out`` at the same time makes this one stop at once
    (``kg.lock``).
    """
    started = time.perf_counter()
    prepare_output(out)
    with build_lock(_absolute(out)):
        loaded = load_corpus(corpus_dir, today=today)
        return build_documents(loaded.documents, loaded.problems, out, strict=strict,
                               jobs=jobs, progress=progress, started=started)  # fmt: skip


def build_documents(
    documents: Sequence[Document],
    problems: Sequence[CorpusProblem],
    out: Path,
    *,
    strict: bool = False,
    jobs: int = 1,
    progress: Progress | None = None,
    started: float | None = None,
) -> BuildReport:
    """Build ``documents`` (in file-name order) into ``out``; the caller holds its lock."""
    from kg import buildcache
    from kg.resources import resource_path
    from kg.store import changed_after_build

    started = time.perf_counter() if started is None else started
    registry = load_registry()
    fingerprint = buildcache.fingerprint(STAGES, (resource_path("ontology"),))
    documents, duplicates = dedup.exact_duplicates(documents)
    keys = [buildcache.document_key(doc, fingerprint) for doc in documents]
    usable = (out / "kg.trig").is_file() and not changed_after_build(out)
    previous = buildcache.read_state(out) if usable else None
    staging = staging_dir(out)
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        cache = buildcache.DocumentCache(out if (out / buildcache.CACHE_DIR).is_dir() else None,
                                         staging)  # fmt: skip
        todo = {k for k in keys if not cache.has(k)}
        gone = {d[2] for d in previous.documents} - set(keys) if previous else set()
        small = len(todo) + len(gone) <= max(1, len(documents) // 2)
        build = _Build(documents, keys, todo, list(problems), out, staging, cache, registry,
                       strict, jobs, progress, fingerprint, duplicates)  # fmt: skip
        if previous is not None and previous.fingerprint == fingerprint and small:
            summary, files = build.spliced(previous)
        else:
            summary, files = build.full()
        stage = _stages(progress)
        stage("indexing the entities")
        from kg.queries import write_entity_index

        write_entity_index(staging)  # after the store is closed: see read_entity_index
        report = BuildReport(
            out=out,
            documents=len(summary.documents),
            entities=len(registry.entities),
            discovered=summary.discovered,
            claims=summary.claims,
            periods=summary.periods,
            triples=files[0],
            quads=files[1],
            events=summary.events,
            seconds=round(time.perf_counter() - started, 2),
            problems=summary.problems,
            exact_copies=len(duplicates),
            extracted=len(todo),
            near_copies=len(build.near),
        )
        _write_manifest(staging, report, summary.documents, summary.languages,
                        _copies(documents, duplicates, build.near))  # fmt: skip
        publish(staging, out)
    except OSError as error:
        raise KgError(f"Cannot write the build in {out}: {error.strerror or error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def derive_graphs(
    extractions: Sequence[Extraction], registry: Registry, near: Mapping[str, str] | None = None,
    iris: Mapping[Claim, str] | None = None,
) -> tuple[list[GraphText], Counter[str], tuple[int, int]]:
    """The graphs not made from one document (ontology, registry, derived: periods,
    resolved events, disputes, summaries, the links of near copies ``near``: copy ->
    original), in IRI order, the periods by kind, and (event claims, events) resolved
    (:func:`kg.events.merge_counts`). ``iris``: claim IRIs already known (the cache's)."""
    emit.KNOWN_CLAIM_IRIS.update(iris or {})
    try:
        return _derive_graphs(extractions, registry, near)
    finally:
        emit.KNOWN_CLAIM_IRIS.clear()


def _derive_graphs(
    extractions: Sequence[Extraction], registry: Registry, near: Mapping[str, str] | None
) -> tuple[list[GraphText], Counter[str], tuple[int, int]]:
    from kg import summaries, temporal
    from kg.resources import resource_path

    periods, disputes = temporal.derive(extractions, town_of=town_lookup(registry))
    links: list[Triple] = []
    if near:
        claims = {emit.claim_iri(c): (c, x.document.doc_id) for x in extractions for c in x.claims}
        periods = dedup.count_once(periods, claims, near)
        derived_from = NamedNode(PROV + "wasDerivedFrom")
        links = [Triple(NamedNode(doc_iri(copy)), derived_from, NamedNode(doc_iri(original)))
                 for copy, original in sorted(near.items())]  # fmt: skip
    resolved = events_stage.resolve_events(
        events_stage.reported(extractions), world_of(registry), disputes
    )
    ontology_dir = resource_path("ontology")
    fixed = emit.graph_texts(
        emit.ontology_quads(ontology_dir / "sahel.ttl")
        + emit.registry_quads(ontology_dir / "registry.ttl")
    )
    shortcuts = summaries.summary_triples(extractions, periods, disputes, registry.entities)
    fixed.append(emit.derived_graph(
        periods, disputes, stages=(*STAGES, temporal.STAGE, events_stage.STAGE),
        extra=[*shortcuts, *links], events=resolved,
    ))  # fmt: skip
    counts = Counter(p.kind for p in periods)
    return sorted(fixed, key=lambda g: g.name), counts, events_stage.merge_counts(resolved)


Holders = str | tuple[str, ...]


def _hold(holders: dict[str, Holders], counts: dict[str, int], graph: GraphText) -> None:
    """Record which graphs hold each subject (and its triples while one graph does)."""
    name = graph.name
    for subject, count in zip(graph.subjects, graph.counts, strict=True):
        held = holders.get(subject)
        if held is None:
            holders[subject] = name
            counts[subject] = count
        else:
            holders[subject] = tuple(sorted({*((held,) if isinstance(held, str) else held), name}))
            counts.pop(subject, None)


@dataclass
class _Build:
    """One build's inputs and helpers: the full way and the spliced way."""

    documents: Sequence[Document]
    keys: list[str]
    todo: set[str]
    problems: list[CorpusProblem]
    out: Path
    staging: Path
    cache: DocumentCache
    registry: Registry
    strict: bool
    jobs: int
    progress: Progress | None
    fingerprint: str
    duplicates: list[Document]
    near: dict[str, str] = field(default_factory=dict)
    iris: dict[Claim, str] = field(default_factory=dict)  # from the cache: see derive_graphs

    def find_near(self) -> None:
        """The near copies among the documents (MinHash signatures cached with each entry)."""
        signatures = {}
        for doc, key in zip(self.documents, self.keys, strict=True):
            signatures[doc.doc_id] = self.cache.signature(key, doc.text)
        self.near = dedup.near_copies(self.documents, signatures)

    def work(self, graphs: bool) -> Iterator[tuple[str, Extraction, bool, GraphText | None]]:
        """(key, lean extraction, found, graph) of every document in order: from the cache,
        or extracted (and cached); the graph of a cached one only when ``graphs``."""
        cache = self.cache
        missing = [d for d, k in zip(self.documents, self.keys, strict=True) if k in self.todo]
        fresh = _over_documents(missing, self.registry, _document_work, self.jobs, self.progress)
        for doc, key in zip(self.documents, self.keys, strict=True):
            if key in self.todo:
                extraction, found, graph = next(fresh)
                iris = tuple(emit.claim_iri(c) for c in extraction.claims)
                cache.put(key, Entry(extraction, found, iris), graph)
                self.iris.update(zip(extraction.claims, iris, strict=True))
                yield key, extraction, found, graph
            else:
                entry = cache.entry(key)
                cache.keep(key)
                if len(entry.iris) == len(entry.extraction.claims):
                    self.iris.update(zip(entry.extraction.claims, entry.iris, strict=True))
                yield key, entry.extraction, entry.found, cache.graph(key) if graphs else None

    def _summary(self, extractions: Sequence[Extraction], periods: Counter[str],
                 events: tuple[int, int]) -> _Summary:  # fmt: skip
        return _Summary(
            documents={x.document.doc_id: x.document.content_hash for x in extractions},
            languages={x.document.doc_id: x.document.language for x in extractions},
            discovered=len({e.key for x in extractions for e in x.entities}),
            claims=Counter(c.kind for x in extractions for c in x.claims),
            periods=periods,
            problems=tuple(self.problems),
            events=events,
        )

    def _state(self, state: State, names: dict[str, str], fixed: Sequence[GraphText]) -> None:
        for graph in fixed:
            self.cache.put_fixed(graph)
        state.fingerprint = self.fingerprint
        state.documents = [(d.doc_id, d.path, k, names[k])
                           for d, k in zip(self.documents, self.keys, strict=True)]  # fmt: skip
        state.fixed = [g.name for g in fixed]
        state.copies = list(self.duplicates)
        write_state(self.staging, state)

    def full(self) -> tuple[_Summary, tuple[int, int]]:
        """Every graph written anew (the store too); extraction only where the cache misses."""
        from kg.incremental import index_full_build
        from kg.store import StoreWriter

        stage = _stages(self.progress)
        holders: dict[str, Holders] = {}
        counts: dict[str, int] = {}
        sizes: dict[str, tuple[int, int]] = {}
        names: dict[str, str] = {}
        # The store loads in a thread from the graphs as they come (pyoxigraph does not hold
        # the GIL while it loads); kg.trig and kg.ttl are written from the spool at the end.
        with _GraphSpool(_absolute(self.out).parent) as spool, StoreWriter(self.staging) as loader:
            kept: list[Extraction] = []
            for key, extraction, found, graph in self.work(graphs=True):
                assert graph is not None
                if not found:
                    self.problems.append(_nothing_found(extraction))
                kept.append(extraction)
                spool.add(graph)
                trig = graph.trig()
                loader.add(trig)
                sizes[graph.name] = (len(trig), graph.quads)
                names[key] = graph.name
                _hold(holders, counts, graph)
            check_problems(CorpusExtraction(tuple(kept), tuple(self.problems)), strict=self.strict)
            stage("deriving periods")
            self.find_near()
            fixed, periods, events = derive_graphs(kept, self.registry, self.near, self.iris)
            for graph in fixed:
                trig = graph.trig()
                loader.add(trig)
                sizes[graph.name] = (len(trig), graph.quads)
                _hold(holders, counts, graph)
            summary = self._summary(kept, periods, events)
            del kept  # the files need the room
            # the store first: its memory is let go before the kg.ttl merge takes its own
            stage("finishing the store")
            stored = loader.finish()
            stage("writing kg.trig and kg.ttl")
            files = emit.write_build(self.staging, spool.merged_with(fixed))
        state = index_full_build(self.staging, [(n, *sizes[n]) for n in sorted(sizes)],
                                 holders, counts)  # fmt: skip
        self._state(state, names, fixed)
        return summary, (files.triples, stored)

    def spliced(self, previous: State) -> tuple[_Summary, tuple[int, int]]:
        """Only the changed graphs written (kg.incremental); the rest copied from ``out``."""
        from kg.incremental import Change, splice

        stage = _stages(self.progress)
        kept: list[Extraction] = []
        new: dict[str, GraphText] = {}
        names: dict[str, str] = {}
        old_names = {d[2]: d[3] for d in previous.documents}
        for key, extraction, found, graph in self.work(graphs=False):
            if not found and key in self.todo:
                self.problems.append(_nothing_found(extraction))
            kept.append(extraction)
            if key not in old_names:
                graph = graph or self.cache.graph(key)
                new[graph.name] = graph
                names[key] = graph.name
            else:
                names[key] = old_names[key]
        check_problems(CorpusExtraction(tuple(kept), tuple(self.problems)), strict=self.strict)
        stage("deriving periods")
        self.find_near()
        fixed, periods, events = derive_graphs(kept, self.registry, self.near, self.iris)
        summary = self._summary(kept, periods, events)
        del kept
        old_fixed = {}
        for graph in fixed:
            before = self.cache.fixed(graph.name)
            old_fixed[graph.name] = before
            if before is None or before.body != graph.body or before.head != graph.head:
                new[graph.name] = graph
        kept_names = set(names.values()) | {g.name for g in fixed}
        by_name = {d[3]: d[2] for d in previous.documents}
        current_keys = {n: k for k, n in names.items()}
        fixed_now = {g.name: g for g in fixed}

        def old(name: str) -> GraphText:
            if name in old_fixed and old_fixed[name] is not None:
                return old_fixed[name]
            if name in by_name:
                return self.cache.graph(by_name[name])
            raise KeyError(name)

        def current(name: str) -> GraphText:
            if name in fixed_now:
                return fixed_now[name]
            return self.cache.graph(current_keys[name])

        removed = frozenset(set(previous.graphs) - kept_names)
        change = Change(removed, new, old, current)
        quads_of = {n: (new[n].quads if n in new else previous.graphs[n][2]) for n in kept_names}
        stage("splicing kg.trig, kg.ttl and the store")
        result = splice(self.out, self.staging, previous, sorted(kept_names), change, quads_of)
        self._state(result.state, names, fixed)
        return summary, (result.triples, result.quads)


def _stages(progress: Progress | None) -> Callable[[str], None]:
    """``stage(name)``: a build-wide stage after the extraction (the bar stays full)."""
    if progress is None:
        return _silent
    return lambda name: progress(name, 1, 1)


@dataclass(frozen=True)
class _Summary:
    """What the report and the manifest need of the extractions (which are let go before
    the files are written)."""

    documents: dict[str, str]  # doc_id -> content hash
    languages: dict[str, str]  # doc_id -> language tag (front matter, or detected)
    discovered: int
    claims: Counter[str]
    periods: Counter[str]
    problems: tuple[CorpusProblem, ...]
    events: tuple[int, int] = (0, 0)


def _nothing_found(extraction: Extraction) -> CorpusProblem:
    return CorpusProblem(extraction.document.path, "warning",
                         "no known entity recognised, so nothing was extracted: check that it is the article's text in English, or add its names to ontology/registry.ttl")  # fmt: skip


def _document_work(
    doc: Document, registry: Registry, step: Callable[[str], None] | None = None
) -> tuple[Extraction, bool, GraphText]:
    """One document extracted and its graph serialized; the mentions are dropped (they are
    in the graph), keeping only whether there were any."""
    extraction = extract_document(doc, registry, step)
    if step:
        step("graph")
    graph = emit.document_graph(extraction, registry.entities, stages=STAGES)  # (looked up
    # on the module: the benchmarks time it by wrapping kg.emit.document_graph)
    return _lean(extraction), bool(extraction.mentions), graph


def _lean(extraction: Extraction) -> Extraction:
    """What the rest of the build needs of an extraction (the graph has the rest): no
    mentions, no quotes (claim IRIs and periods use the offsets only)."""
    claims = tuple(
        replace(c, evidence=replace(c.evidence, quote="", prefix="", suffix=""))
        for c in extraction.claims
    )
    return replace(extraction, mentions=(), claims=claims)


class _GraphSpool:
    """The documents' serialized graphs, in an anonymous temporary file (nothing is left
    behind, even by a killed build), read back in graph IRI order."""

    def __init__(self, folder: Path) -> None:
        self.file = tempfile.TemporaryFile(dir=folder, prefix=".kg-graphs-")
        self.index: dict[str, tuple[int, int]] = {}

    def __enter__(self) -> _GraphSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def add(self, graph: GraphText) -> None:
        data = pickle.dumps(graph, protocol=pickle.HIGHEST_PROTOCOL)
        self.file.seek(0, os.SEEK_END)
        self.index[graph.name] = (self.file.tell(), len(data))
        self.file.write(data)

    def merged_with(self, others: Sequence[GraphText]) -> Iterator[GraphText]:
        """The spooled graphs and ``others``, in graph IRI order."""
        extra = {g.name: g for g in others}
        for name in sorted({*self.index, *extra}):
            if name in extra:
                yield extra[name]
            else:
                offset, size = self.index[name]
                self.file.seek(offset)
                yield pickle.loads(self.file.read(size))


def check_problems(extracted: CorpusExtraction, *, strict: bool) -> None:
    """Stop the build when nothing is left to build, or on any problem under --strict."""
    if strict and extracted.problems:
        listed = "; ".join(str(p) for p in extracted.problems)
        raise CorpusError(f"--strict: {len(extracted.problems)} problem(s) in the corpus: {listed}")
    if not extracted.extractions:
        listed = "; ".join(str(p) for p in extracted.problems)
        raise CorpusError(f"no article could be read, nothing built ({listed})")


def _copies(documents: Sequence[Document], duplicates: Sequence[Document],
            near: Mapping[str, str]) -> dict[str, object]:  # fmt: skip
    """The manifest's "copies": each document's other file names (same text), and the near
    copies with the document each was linked to."""
    by_hash = {d.content_hash: d.doc_id for d in documents}
    files: dict[str, list[str]] = {}
    for dup in duplicates:
        files.setdefault(by_hash[dup.content_hash], []).append(dup.path)
    return {"same_text": {k: sorted(v) for k, v in sorted(files.items())}, "near": dict(near)}


def _write_manifest(
    folder: Path, report: BuildReport, documents: dict[str, str], languages: dict[str, str],
    copies: dict[str, object] | None = None,
) -> None:
    """build/manifest.json: what was built from what (no timestamps: builds are reproducible)."""
    manifest = {
        "stages": list(STAGES),
        "documents": documents,
        "languages": languages,
        "claims": dict(sorted(report.claims.items())),
        "periods": dict(sorted(report.periods.items())),
        "events": {"claims": report.events[0], "events": report.events[1]},
        "triples": report.triples,
        "quads": report.quads,
    }
    if copies and any(copies.values()):
        manifest["copies"] = copies
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


#: What ``kg build`` writes into its output folder; other items there are left alone.
BUILD_ITEMS = frozenset({"kg.trig", "kg.ttl", "manifest.json", "store", "cache"})
#: Items other commands add to a build folder (``kg validate``): carried over on a rebuild.
KEPT_ITEMS = frozenset({"docs"})
_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?:staging|old)-(?P<pid>\d+)")


def staging_dir(out: Path) -> Path:
    """``.build.staging-PID`` beside ``out``: where this process stages its build."""
    out = _absolute(out)
    return out.parent / f".{out.name}.staging-{os.getpid()}"


def prepare_output(out: Path) -> None:
    """Fail early on an output path that is not a folder; remove dead builds' leftovers.

    A build killed by SIGKILL (or a power cut) leaves its ``.build.staging-PID``
    (or ``.store.old-PID``) behind; any whose process is gone is removed here.
    """
    from kg.export import process_alive

    out = _absolute(out)
    if out.exists() and not out.is_dir():
        raise KgError(f"{out} is a file, not a folder: give another --out")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise KgError(f"Cannot write the build in {out}: {error.strerror or error}") from None
    leftovers = [(out.parent, out.name)] + ([(out, "store")] if out.is_dir() else [])
    for folder, name in leftovers:
        for item in folder.iterdir():
            match = _LEFTOVER.fullmatch(item.name)
            if match and match["name"] == name and not process_alive(int(match["pid"])):
                _remove(item)


def _remove(item: Path) -> None:
    if item.is_dir() and not item.is_symlink():
        shutil.rmtree(item, ignore_errors=True)
    else:
        item.unlink(missing_ok=True)


def _absolute(path: Path) -> Path:
    """The path made absolute (``.`` has a name then); a link to a folder is followed, so
    the folder it points to is replaced, not the link."""
    return Path(os.path.realpath(path) if os.path.islink(path) else os.path.abspath(path))


def publish(staging: Path, out: Path) -> None:
    """Put the staged build in place of ``out`` in one step, so readers see old or new.

    When ``out`` holds only build outputs, the two folders are swapped by one
    atomic ``renameat2(RENAME_EXCHANGE)`` (Linux) or two renames elsewhere; the
    old build ends up in ``staging``, which the caller removes. ``docs/`` (from
    ``kg validate``) is carried over. A folder holding anything else gets each
    output replaced on its own, so nothing of the user's is ever moved.
    """
    out = _absolute(out)
    if not out.exists():
        staging.rename(out)
        return
    if any(i.name not in BUILD_ITEMS | KEPT_ITEMS and not _LEFTOVER.fullmatch(i.name)
           for i in out.iterdir()):  # fmt: skip
        _publish_items(staging, out)
        return
    if not _exchange(staging, out):
        aside = out.parent / f".{out.name}.old-{os.getpid()}"
        out.rename(aside)
        staging.rename(out)
        aside.rename(staging)  # the caller removes it
    for name in sorted(KEPT_ITEMS):
        if (staging / name).exists() and not (out / name).exists():
            (staging / name).rename(out / name)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically (Linux renameat2); False where unsupported."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    if done == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: this file system cannot swap
        return False
    raise OSError(errno, os.strerror(errno), str(second))


def _publish_items(staging: Path, out: Path) -> None:
    """Replace each output of ``out`` on its own: files by rename, the store by swap."""
    for item in sorted(staging.iterdir()):
        target = out / item.name
        if item.is_dir():
            old = out / f".{item.name}.old-{os.getpid()}"
            if target.exists():
                target.rename(old)
            item.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(item, target)


def report_lines(report: BuildReport) -> list[str]:
    """What a build did, for people."""
    claims = ", ".join(f"{kind} {n}" for kind, n in sorted(report.claims.items())) or "none"
    periods = ", ".join(f"{kind} {n}" for kind, n in sorted(report.periods.items())) or "none"
    return [
        f"Built {report.out}/ from {report.documents} document{'s' * (report.documents != 1)} "
        f"in {report.seconds:.2f} s",
        f"  entities: {report.entities} in the registry, {report.discovered} discovered",
        f"  claims:   {sum(report.claims.values())} ({claims})",
        f"  periods:  {sum(report.periods.values())} ({periods})",
        f"  events:   {report.events[1]} (from {report.events[0]} event claims)",
        f"  triples:  {report.triples} (kg.ttl), quads: {report.quads} (kg.trig, store/)",
        f"  copies:   {report.exact_copies + report.near_copies} ({report.exact_copies} "
        f"file{'s' * (report.exact_copies != 1)} with the text of another, {report.near_copies} "
        f"near cop{'ies' if report.near_copies != 1 else 'y'} of an earlier article)",
        f"  extracted: {report.extracted} of {report.documents} (the others unchanged since "
        "the last build: from its cache)",
    ]
