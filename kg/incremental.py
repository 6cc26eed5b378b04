"""Splice changed graphs into a previous build: the same bytes as writing it all anew.

A build is a set of named graphs: one per document, plus the ontology,
registry and derived graphs. ``kg.trig`` is those graphs one after another in
IRI order; ``kg.ttl`` is every subject's triples, merged over the graphs that
hold it, in subject order (``kg.emit.write_build``). When a few documents are
added, changed or removed, most of both files stays as it was, so this module
copies the unchanged byte ranges of the previous files and writes only:

- in kg.trig, the blocks of the graphs that changed;
- in kg.ttl, the blocks of the subjects whose triples changed in some graph
  that holds them. A subject that only gains triples is its previous block
  merged with the new ones; a subject that loses some (a graph removed, a
  derived summary changed) is merged again from the blocks of every graph
  still holding it, read from the cache. The merge is ``kg.emit``'s own, so
  the bytes are those a full write gives.

The store is a RocksDB checkpoint of the previous one (hard links: instant),
from which the changed graphs are dropped and into which their new versions
are loaded. The derived graph is computed in full on each build (a few
seconds at 1,000 articles; see README, "Adding articles") and spliced subject
by subject like any other graph, so only the periods and summaries that the
change touches are rewritten.
"""

from __future__ import annotations

import mmap
import os
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.buildcache import State
from kg.emit import GraphText, _merge_blocks
from kg.vocab import PREFIX_BLOCK

__all__ = ["Change", "SpliceResult", "changed_subjects", "splice", "index_full_build"]

Holders = str | tuple[str, ...]


@dataclass(frozen=True)
class Change:
    """What changed between two builds: graphs gone, graphs new or different (their new text),
    and the old text of every graph that is gone or different."""

    removed: frozenset[str]  # graphs of the previous build that are not in the new one
    new: Mapping[str, GraphText]  # graphs added or changed, as they are now
    old: Callable[[str], GraphText]  # a graph as the previous build had it
    current: Callable[[str], GraphText]  # an unchanged graph (for a merge)


@dataclass(frozen=True)
class SpliceResult:
    triples: int
    quads: int
    state: State


def changed_subjects(old: GraphText | None, new: GraphText | None) -> dict[str, bool]:
    """Subjects whose block differs between two versions of a graph -> whether the new
    version lost triples of it (False: the subject is new, so only gains).

    >>> from kg.emit import graph_texts
    >>> changed_subjects(None, None)
    {}
    """
    before = {s: b for s, _, b in old.blocks()} if old is not None else {}
    after = {s: b for s, _, b in new.blocks()} if new is not None else {}
    changed = {s: True for s, b in before.items() if after.get(s) != b}
    changed.update({s: False for s in after if s not in before})
    return changed


def splice(previous: Path, staging: Path, state: State, names: Sequence[str], change: Change,
           quads_of: Mapping[str, int]) -> SpliceResult:  # fmt: skip
    """Write staging/kg.trig, staging/kg.ttl and staging/store from ``previous`` and ``change``.

    ``names`` are the new build's graph IRIs (sorted); ``quads_of`` their quad counts.
    """
    graphs = _splice_trig(previous / "kg.trig", staging / "kg.trig", state, names, change)
    diffs = _diffs(change)
    ttl = _splice_ttl(previous / "kg.ttl", staging / "kg.ttl", state, change, diffs)
    _splice_store(previous / "store", staging / "store", change, diffs)
    quads = sum(quads_of[n] for n in names)
    graphs = {n: (*graphs[n], quads_of[n]) for n in names}  # type: ignore[misc]
    new_state = State(
        fingerprint=state.fingerprint, documents=state.documents, graphs=graphs,  # type: ignore[arg-type]
        fixed=state.fixed, subjects=ttl.subjects, offsets=ttl.offsets, counts=ttl.counts,
        holders=ttl.holders, ttl_size=ttl.ttl_size,
    )  # fmt: skip
    return SpliceResult(sum(ttl.counts), quads, new_state)


def _splice_trig(old_path: Path, new_path: Path, state: State, names: Sequence[str],
                 change: Change) -> dict[str, tuple[int, int]]:  # fmt: skip
    """kg.trig: the unchanged graphs' bytes copied, the new ones written; their offsets."""
    offsets: dict[str, tuple[int, int]] = {}
    with open(old_path, "rb") as old_file, open(new_path, "wb") as out:
        old = mmap.mmap(old_file.fileno(), 0, access=mmap.ACCESS_READ)
        out.write(PREFIX_BLOCK)
        position = len(PREFIX_BLOCK)
        for name in names:
            if name in change.new:
                data: bytes | memoryview = change.new[name].trig()
            else:
                begin, length, _ = state.graphs[name]
                data = memoryview(old)[begin : begin + length]
            out.write(data)
            offsets[name] = (position, len(data))
            position += len(data)
            del data
        old.close()
        _sync(out)
    return offsets


@dataclass
class _Index:
    subjects: list[str]
    offsets: list[int]
    counts: list[int]
    holders: list[Holders]
    ttl_size: int


def _diffs(change: Change) -> dict[str, tuple[GraphText | None, dict[str, bool]]]:
    """Each new or changed graph: its previous version (None when new) and its changed
    subjects (:func:`changed_subjects`)."""
    diffs = {}
    for name, graph in sorted(change.new.items()):
        try:
            before: GraphText | None = change.old(name)
        except KeyError:
            before = None
        diffs[name] = (before, changed_subjects(before, graph))
    return diffs


def _touched(
    change: Change, diffs: Mapping[str, tuple[GraphText | None, dict[str, bool]]]
) -> tuple[dict[str, set[str]], dict[str, list[tuple[str, int, bytes]]]]:
    """Per subject: the graphs whose block of it changed and lost triples (``lost``); the new
    blocks of the graphs whose block of it changed (``gained``)."""
    lost: dict[str, set[str]] = defaultdict(set)
    gained: dict[str, list[tuple[str, int, bytes]]] = defaultdict(list)
    for name in sorted(change.removed):
        for subject in change.old(name).subjects:
            lost[subject].add(name)
    for name, graph in sorted(change.new.items()):
        diff = diffs[name][1]
        for subject, losing in diff.items():
            if losing:
                lost[subject].add(name)
        for subject, count, block in graph.blocks():
            if subject in diff:
                gained[subject].append((name, count, block))
    return lost, gained


def _splice_ttl(old_path: Path, new_path: Path, state: State, change: Change,
                diffs: Mapping[str, tuple[GraphText | None, dict[str, bool]]]) -> _Index:  # fmt: skip
    lost, gained = _touched(change, diffs)
    subjects, offsets, counts, holders = state.subjects, state.offsets, state.counts, state.holders
    new = _Index([], [], [], [], 0)
    ends = [*offsets[1:], state.ttl_size]
    cursor = 0
    with open(old_path, "rb") as old_file, open(new_path, "wb") as out:
        old = mmap.mmap(old_file.fileno(), 0, access=mmap.ACCESS_READ)
        position = 0

        def copy_to(stop: int) -> None:
            nonlocal cursor, position
            if stop <= cursor:
                return
            begin = offsets[cursor]
            end = offsets[stop] if stop < len(offsets) else state.ttl_size
            out.write(memoryview(old)[begin:end])
            shift = position - begin
            new.subjects.extend(subjects[cursor:stop])
            new.offsets.extend(o + shift for o in offsets[cursor:stop])
            new.counts.extend(counts[cursor:stop])
            new.holders.extend(holders[cursor:stop])
            position += end - begin
            cursor = stop

        out.write(PREFIX_BLOCK)
        position = len(PREFIX_BLOCK)
        for subject in sorted({*lost, *gained}):
            at = bisect_left(subjects, subject, lo=cursor)
            copy_to(at)
            known = at < len(subjects) and subjects[at] == subject
            was: tuple[str, ...] = ()
            old_block = None
            if known:
                held = holders[at]
                was = (held,) if isinstance(held, str) else held
                old_block = ("", counts[at], bytes(old[offsets[at] : ends[at]]))
                cursor = at + 1
            parts = list(gained.get(subject, ()))
            changed = lost.get(subject, set()) | {name for name, _, _ in parts}
            others = [h for h in was if h not in changed]
            if others and old_block is not None and not (lost.get(subject, set()) & set(was)):
                parts.append(old_block)  # only gains: the old block is the others' merge
            else:
                parts += [(h, c, b) for h in others for s, c, b in _blocks_of(change, h, subject)]
            now = tuple(sorted({*others, *(name for name, _, _ in gained.get(subject, ()))}))
            if not parts:
                continue
            if len(parts) == 1:
                block, count = parts[0][2], parts[0][1]
            else:
                block, count = _merge_blocks(sorted(parts))
            new.subjects.append(subject)
            new.offsets.append(position)
            new.counts.append(count)
            new.holders.append(now[0] if len(now) == 1 else now)
            out.write(block)
            position += len(block)
        copy_to(len(subjects))
        old.close()
        _sync(out)
    new.ttl_size = position
    return new


def _blocks_of(change: Change, name: str, subject: str) -> list[tuple[str, int, bytes]]:
    """The block of ``subject`` in unchanged graph ``name`` (one, or none)."""
    graph = change.current(name)
    at = bisect_left(graph.subjects, subject)
    if at < len(graph.subjects) and graph.subjects[at] == subject:
        stop = graph.starts[at + 1] if at + 1 < len(graph.starts) else len(graph.body)
        return [(subject, graph.counts[at], graph.body[graph.starts[at] : stop])]
    return []


def _splice_store(old: Path, new: Path, change: Change,
                  diffs: Mapping[str, tuple[GraphText | None, dict[str, bool]]]) -> None:  # fmt: skip
    """A checkpoint of the old store; the graphs gone dropped; of a graph that changed, the
    quads of its changed subjects replaced (dropping a large graph whole is slow: seconds for
    the derived graph at 1,000 articles), a new graph loaded whole."""
    ox.Store.read_only(str(old)).backup(str(new))
    store = ox.Store(str(new))
    for name in sorted(change.removed):
        store.remove_graph(ox.NamedNode(name))
    pieces = [PREFIX_BLOCK]
    for name, graph in sorted(change.new.items()):
        before, diff = diffs[name]
        if before is None:
            pieces.append(graph.trig())
            continue
        node = ox.NamedNode(name)
        for subject, losing in sorted(diff.items()):
            if losing:
                for quad in list(store.quads_for_pattern(ox.NamedNode(subject), None, None, node)):
                    store.remove(quad)
        blocks = [block for subject, _, block in graph.blocks() if subject in diff]
        if blocks:
            pieces.append(graph.head + b"".join(blocks) + b"}\n")
    if len(pieces) > 1:
        store.bulk_load(b"".join(pieces), format=ox.RdfFormat.TRIG)
    store.flush()
    del store


def index_full_build(folder: Path, graphs: Sequence[tuple[str, int, int]],
                     holders: Mapping[str, Holders], counts: Mapping[str, int]) -> State:
    """The state of a build written in full: each graph's place in kg.trig from its size
    (``graphs``: name, bytes in kg.trig, quads, in order), each subject's block in kg.ttl
    found by its start (a line that is not a tab continuation), checked against the
    subject count. ``counts``: triples of the subjects one graph holds; the merged blocks
    of the others are counted here."""
    graph_index: dict[str, tuple[int, int, int]] = {}
    position = len(PREFIX_BLOCK)
    for name, size, quads in graphs:
        graph_index[name] = (position, size, quads)
        position += size
    subjects = sorted(holders)
    with open(folder / "kg.ttl", "rb") as file:
        data = file.read()
    starts = [len(PREFIX_BLOCK)] if len(data) > len(PREFIX_BLOCK) else []
    at = data.find(b"\n", len(PREFIX_BLOCK))
    while at != -1 and at + 1 < len(data):
        if data[at + 1] != 9:  # a line that is not a tab continuation: a new subject
            starts.append(at + 1)
        at = data.find(b"\n", at + 1)
    if len(starts) != len(subjects) or os.path.getsize(folder / "kg.trig") != position:
        raise ValueError("kg.ttl or kg.trig does not have the layout the cache expects")
    ends = [*starts[1:], len(data)]
    triples = [
        counts[s] if s in counts else _count(data[starts[i] : ends[i]])
        for i, s in enumerate(subjects)
    ]
    return State(
        fingerprint="", documents=[], graphs=graph_index, fixed=[], subjects=subjects,
        offsets=starts, counts=triples, holders=[holders[s] for s in subjects],
        ttl_size=len(data),
    )  # fmt: skip


def _count(block: bytes) -> int:
    return sum(1 for _ in ox.parse(PREFIX_BLOCK + block, format=ox.RdfFormat.TURTLE))


def _sync(file: object) -> None:
    file.flush()  # type: ignore[attr-defined]
    os.fsync(file.fileno())  # type: ignore[attr-defined]
