"""Export the built graph in an RDF format, written atomically or returned as bytes.

``acled-csv`` is the one table format: the resolved events, one row per event,
with ACLED's column names (:mod:`kg.acled`).

Dataset formats (TriG, N-Quads, JSON-LD) keep the named graphs; triple formats
(Turtle, N-Triples, RDF/XML) get the union of all graphs, each triple once.
Statements are sorted, so the same build always exports the same bytes.
pyoxigraph writes every format, RDF/XML and JSON-LD included. RDF/XML, the
format of OWL tools, gets the ontology's blank nodes back (the build keeps
them as skolem IRIs), so owlready2 and Protégé read its class expressions.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.store import open_store
from kg.vocab import PREFIXES, RDF

RDF_TYPE = RDF + "type"

__all__ = [
    "FORMATS", "FORMAT_ALIASES", "TABLE_FORMATS", "canonical_format", "export", "serialize_build",
]  # fmt: skip

#: CLI format name -> (pyoxigraph RdfFormat attribute, keeps named graphs)
FORMATS: dict[str, tuple[str, bool]] = {
    "turtle": ("TURTLE", False),
    "ntriples": ("N_TRIPLES", False),
    "nquads": ("N_QUADS", True),
    "trig": ("TRIG", True),
    "jsonld": ("JSON_LD", True),
    "xml": ("RDF_XML", False),
}

#: The other usual names of the formats (file extensions, media type and library names).
FORMAT_ALIASES: dict[str, str] = {
    "ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "nq": "nquads",
    "n-quads": "nquads", "json-ld": "jsonld", "rdfxml": "xml", "rdf/xml": "xml",
    "rdf-xml": "xml", "rdf": "xml", "owl": "xml",
}  # fmt: skip


#: Table formats: not RDF, one row per resolved event (kg/acled.py).
TABLE_FORMATS: tuple[str, ...] = ("acled-csv",)
TABLE_ALIASES: dict[str, str] = {"acled": "acled-csv", "acled_csv": "acled-csv"}


def canonical_format(name: str) -> str | None:
    """The format a name or alias stands for (case ignored), or None.

    >>> canonical_format("TTL"), canonical_format("rdfxml"), canonical_format("rdfa")
    ('turtle', 'xml', None)
    >>> canonical_format("ACLED")
    'acled-csv'
    """
    folded = name.strip().lower()
    found = FORMAT_ALIASES.get(folded, TABLE_ALIASES.get(folded, folded))
    return found if found in FORMATS or found in TABLE_FORMATS else None


def export(build_dir: Path, fmt: str, out: Path | None) -> bytes | None:
    """Serialize the build as ``fmt``; write it to ``out`` atomically, or return the bytes."""
    data = serialize_build(build_dir, fmt)
    if out is None:
        return data
    write_atomic(Path(out), data)
    return None


def serialize_build(build_dir: Path, fmt: str) -> bytes:
    """The build's store as bytes in one of :data:`FORMATS`."""
    import pyoxigraph as ox

    if canonical_format(fmt) is None:
        available = ", ".join((*FORMATS, *TABLE_FORMATS))
        raise KgError(f"Unknown export format {fmt!r}. Available: {available}.")
    fmt = canonical_format(fmt) or fmt
    if fmt == "acled-csv":
        from kg.acled import acled_csv

        return acled_csv(build_dir)
    name, keeps_graphs = FORMATS[fmt]
    rdf_format = getattr(ox.RdfFormat, name)
    store = open_store(build_dir)
    quads = list(store)
    if not quads:
        raise KgError(empty_store_message(build_dir, "export"))
    statements: list[Any]
    if keeps_graphs:
        statements = sorted(quads, key=_quad_key)
    else:
        triples = {q.triple for q in quads}
        if fmt == "xml":  # for OWL tools: the ontology's class expressions as blank nodes
            triples = {_unskolemized(t) for t in triples}
        statements = sorted(triples, key=_triple_key)
    prefixes = PREFIXES if fmt in ("turtle", "trig", "xml") else None  # JSON-LD: expanded
    data: bytes = ox.serialize(statements, format=rdf_format, prefixes=prefixes) or b""
    return data


def empty_store_message(build_dir: Path, what: str) -> str:
    """Why an empty store is not exported or loaded, and what to do."""
    from kg.store import changed_after_build, store_path

    why = ", emptied by a SPARQL Update after the build" if changed_after_build(build_dir) else ""
    return (f"{store_path(build_dir)} holds no triples{why}: nothing to {what}; run `kg build` "
            "to rebuild it")  # fmt: skip


def _unskolemized(triple: Any) -> Any:
    """The triple with the build's skolem IRIs (the ontology's OWL blank nodes, kept as
    ``.well-known/genid/`` IRIs in the store) turned back into blank nodes, which OWL
    parsers (owlready2, Protégé's OWL API) need for unions and restrictions."""
    from kg.reasoning import _unskolemized as unskolemized

    return unskolemized(triple)


def _triple_key(triple: Any) -> tuple[str, str, str]:
    """Sort by subject IRI, then rdf:type first, then predicate IRI, then object."""
    predicate = triple.predicate.value
    return (_text(triple.subject), "" if predicate == RDF_TYPE else predicate, str(triple.object))


def _text(node: Any) -> str:
    return str(getattr(node, "value", node))


def _quad_key(quad: Any) -> tuple[str, str, str, str]:
    return (_text(quad.graph_name), *_triple_key(quad.triple))


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and os.replace.

    The temporary file is ``.NAME.PID.XXXX.tmp``: one left by a killed process
    (SIGKILL) is removed by the next write of the same file.
    """
    temp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_dead_temporaries(path)
        handle, name = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp"
        )
        temp = Path(name)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(temp, path)
    except OSError as error:
        raise KgError(f"Cannot write {path}: {error.strerror or error}") from None
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)


def remove_dead_temporaries(path: Path) -> None:
    """Remove ``.NAME.PID.*.tmp`` files beside ``path`` whose process is gone."""
    pattern = re.compile(re.escape(f".{path.name}.") + r"(\d+)\.[^.]+\.tmp")
    for item in path.parent.iterdir():
        match = pattern.fullmatch(item.name)
        if match and not process_alive(int(match.group(1))):
            item.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    """Whether a process of that id runs (its temporary files are then its own business)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
