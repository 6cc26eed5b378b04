"""Copies: the same article under two file names, and one wire report run by several outlets.

Two kinds (issue 15):

- **exact duplicates**: the same text (the same content hash of the body).
  They are one document: the first file by name is read, the others are
  listed as its other file names (``manifest.json``, ``"copies"``) and
  never extracted a second time.
- **near duplicates**: the same dispatch with another headline, other page
  furniture ("Read more", a byline, a share bar) or a paragraph more. Each
  is a document of its own (its publisher and date are its own), and the
  derived graph links it to the earliest of its group with
  ``prov:wasDerivedFrom`` (PROV-O's "an entity transformed into another":
  the copy was made from the report). A claim that copies of one report
  repeat counts once among the claims supporting a period
  (``sk:supportedBy``): the earliest copy's claim is kept; every copy
  still appears among the period's documents (``prov:wasDerivedFrom``).

Near duplicates are found by the Jaccard similarity of the texts' sets of
word 5-grams (shingles, lower-cased, punctuation dropped): two texts are
copies when it is at least :data:`THRESHOLD` (0.5). Candidates come from
MinHash locality-sensitive hashing (128 hash functions in 32 bands of 4:
a pair at 0.5 becomes a candidate with probability 0.88, at 0.6 with 0.99,
at 0.2 with 0.05), and each candidate pair is then checked with the exact
Jaccard of its shingle sets, so the threshold is exact, not estimated.
Wire copies in this press share most of their text; distinct articles on
the same event share a few phrases (0.006 at most between the five shipped
articles; 0.09 between distinct generated benchmark articles, which are
built from shared templates; a shipped article with a new headline,
publisher, share bar and newsletter line: 0.97).
The MinHash is a small numpy implementation (multiply-shift hashing of
64-bit BLAKE2b shingle digests, fixed seeds: the same on every run) rather
than datasketch, which would add scipy to the install for a few lines.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace

import numpy as np

from kg.model import Claim, Document, Period

__all__ = [
    "THRESHOLD", "SHINGLE", "Copies", "exact_duplicates", "shingles", "signature", "jaccard",
    "near_copies", "claim_content", "count_once",
]  # fmt: skip

THRESHOLD = 0.5
SHINGLE = 5
PERMUTATIONS = 128
BANDS = 32
_ROWS = PERMUTATIONS // BANDS
_SEEDS = np.random.default_rng(20231114).integers(1, 2**63, size=(2, PERMUTATIONS), dtype=np.uint64)
_MASKS, _MULTIPLIERS = _SEEDS[0], _SEEDS[1] | np.uint64(1)  # odd multipliers
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Copies:
    """Exact duplicates (doc id kept -> the other file names) and near copies (copy -> the
    earliest document of its group)."""

    exact: Mapping[str, tuple[str, ...]]
    near: Mapping[str, str]

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.exact.values()) + len(self.near)


def exact_duplicates(documents: Sequence[Document]) -> tuple[list[Document], list[Document]]:
    """(documents kept, duplicates): of documents with the same text, the first one (by file
    name, the order given) is kept."""
    seen: set[str] = set()
    kept, dropped = [], []
    for doc in documents:
        (dropped if doc.content_hash in seen else kept).append(doc)
        seen.add(doc.content_hash)
    return kept, dropped


def shingles(text: str) -> set[bytes]:
    """The text's word 5-grams, lower-cased, as 8-byte digests.

    >>> len(shingles("One two three four five six")), len(shingles("Too short"))
    (2, 1)
    """
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE:
        return {hashlib.blake2b(" ".join(words).encode(), digest_size=8).digest()}
    return {
        hashlib.blake2b(" ".join(words[i : i + SHINGLE]).encode(), digest_size=8).digest()
        for i in range(len(words) - SHINGLE + 1)
    }


def signature(text: str) -> bytes:
    """The MinHash signature of a text (PERMUTATIONS 64-bit minima), as bytes for the cache."""
    values = np.frombuffer(b"".join(sorted(shingles(text))), dtype=np.uint64)
    with np.errstate(over="ignore"):
        hashed = (values[None, :] ^ _MASKS[:, None]) * _MULTIPLIERS[:, None]
    return hashed.min(axis=1).tobytes()


def jaccard(a: set[bytes], b: set[bytes]) -> float:
    """|a & b| / |a | b|.

    >>> jaccard(shingles("a b c d e f"), shingles("a b c d e g"))
    0.3333333333333333
    """
    return len(a & b) / len(a | b) if a or b else 1.0


def near_copies(documents: Sequence[Document], signatures: Mapping[str, bytes]) -> dict[str, str]:
    """copy doc id -> the earliest document (by publication date, then id) of its group of
    near duplicates (exact Jaccard of shingles >= THRESHOLD, candidates by LSH)."""
    buckets: dict[tuple[int, bytes], list[str]] = defaultdict(list)
    for doc in documents:
        sig = signatures[doc.doc_id]
        for band in range(BANDS):
            buckets[(band, sig[band * _ROWS * 8 : (band + 1) * _ROWS * 8])].append(doc.doc_id)
    pairs = {(a, b) for ids in buckets.values() for i, a in enumerate(ids) for b in ids[i + 1 :]}
    if not pairs:
        return {}
    by_id = {d.doc_id: d for d in documents}
    sets: dict[str, set[bytes]] = {}

    def of(doc_id: str) -> set[bytes]:
        if doc_id not in sets:
            sets[doc_id] = shingles(by_id[doc_id].text)
        return sets[doc_id]

    parent = {d: d for pair in pairs for d in pair}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in sorted(pairs):
        if jaccard(of(a), of(b)) >= THRESHOLD:
            parent[root(a)] = root(b)
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id in parent:
        groups[root(doc_id)].append(doc_id)
    links: dict[str, str] = {}
    for members in groups.values():
        first = min(members, key=lambda d: (by_id[d].published, d))
        links.update({d: first for d in members if d != first})
    return dict(sorted(links.items()))


def claim_content(claim: Claim) -> tuple[object, ...]:
    """What a claim says, whoever's copy says it: kind, rule and content, without the
    evidence (offsets differ between copies) or the claimant (the publisher, when the text
    names nobody)."""
    skip = ("evidence", "claimant")
    return (claim.kind, *(repr(getattr(claim, f.name)) for f in fields(claim) if f.name not in skip))


def count_once(periods: Iterable[Period], claims: Mapping[str, tuple[Claim, str]],
               near: Mapping[str, str]) -> list[Period]:  # fmt: skip
    """Periods whose supporting claims count a claim repeated by copies of one report once.

    ``claims``: claim IRI -> (claim, doc id). Of the claims of one period that say the same
    (:func:`claim_content`) from documents of one group, the first by (group's original
    first, then IRI) stays; the period's documents are left as they are.
    """
    if not near:
        return list(periods)
    grouped = set(near) | set(near.values())
    result = []
    for period in periods:
        seen: set[tuple[object, ...]] = set()
        occurrences: dict[tuple[object, ...], int] = defaultdict(int)
        keep = []
        ordered = sorted(period.claims, key=lambda i: (claims[i][1] in near, claims[i][1], i))
        for iri in ordered:
            claim, doc_id = claims[iri]
            if doc_id not in grouped:
                keep.append(iri)
                continue
            content = (doc_id, *claim_content(claim))
            occurrences[content] += 1  # the n-th such claim of its document
            key = (near.get(doc_id, doc_id), occurrences[content], *content[1:])
            if key not in seen:
                seen.add(key)
                keep.append(iri)
        result.append(period if len(keep) == len(period.claims) else
                      replace(period, claims=tuple(sorted(keep))))  # fmt: skip
    return result
