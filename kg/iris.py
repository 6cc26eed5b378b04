"""Deterministic IRIs: minted from content, never random, never blank nodes.

>>> entity_iri("kidal")
'https://w3id.org/sahel-kg/id/kidal'
>>> slugify("El Hadj Ag Gamou")
'el-hadj-ag-gamou'
>>> slugify("Abeïbara") == slugify("Abeibara")
True
>>> mint(CLAIM, "control", "doc1", 10, 20) == mint(CLAIM, "control", "doc1", 10, 20)
True
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from kg.vocab import CLAIM, DOC, GRAPH, ID, MENTION, PERIOD

__all__ = [
    "CLAIM", "PERIOD", "entity_iri", "doc_iri", "graph_iri", "mention_iri", "mint", "slugify",
    "digest",
]  # fmt: skip

_NON_SLUG = re.compile(r"[^a-z0-9]+")


_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens; accents folded, other marks dropped."""
    folded = unicodedata.normalize("NFKD", text.translate(_QUOTES))  # N’Djamena = N'Djamena
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    return _NON_SLUG.sub("-", ascii_text).strip("-") or "x"


def digest(*parts: object) -> str:
    """A 16-hex-digit SHA-256 digest of the parts, joined unambiguously."""
    joined = "\x1f".join(repr(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def mint(namespace: str, *parts: object) -> str:
    """An IRI in namespace whose local name is a digest of the parts."""
    return namespace + digest(*parts)


def entity_iri(key: str) -> str:
    return ID + key


def doc_iri(doc_id: str) -> str:
    return DOC + doc_id


def graph_iri(name: str) -> str:
    """``graph_iri("registry")``, ``graph_iri("doc/000_x")``."""
    return GRAPH + name


def mention_iri(doc_id: str, begin: int, stop: int) -> str:
    return f"{MENTION}{doc_id}-{begin}-{stop}"
