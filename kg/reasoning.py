"""HermiT over a build's data: is the whole graph consistent, and if not, which claims.

``kg validate`` classifies the ontology and the registry with HermiT through
owlready2 (kg/ontology.py). This module checks the *data* of a build, the
ontology, registry, articles and derived graphs of ``kg.trig`` together:

- **How.** HermiT (the jar owlready2 bundles) runs as its own command-line
  consistency check (``-k``: is owl:Thing satisfiable), which is what a
  consistency verdict needs; owlready2's ``sync_reasoner`` also classifies
  and realises every individual, 49 s instead of ~3 s on the shipped build.
- **Datatypes.** Dates are ``xsd:date``, ``xsd:gYearMonth`` and ``xsd:gYear``
  (OWL-Time's ``inXSDDate``/``inXSDgYearMonth``/``inXSDgYear``, and the flat
  ``sk:startDate``), which are outside the OWL 2 datatype map; HermiT is told
  ``--ignoreUnsupportedDatatypes`` and treats their values as opaque. They
  stay: SPARQL compares them at their precision and SHACL checks them, and
  turning them into ``xsd:dateTime`` would claim a time of day no source gave.
- **Blank nodes.** The build keeps the ontology's OWL blank nodes as RDF 1.1
  skolem IRIs (``.well-known/genid/``); they are turned back into blank nodes
  here, so OWL class expressions (unions, restrictions) parse as OWL.
- **At scale.** Up to :data:`SAMPLE` article graphs, all of them; past that, a
  sample of :data:`SAMPLE` articles chosen by the SHA-256 of their graph IRI
  (the same sample on every run), with the ontology, registry and derived
  graphs whole.
- **Which claims.** When the data is inconsistent, the triples about each node
  of the articles and derived graphs (a claim or period with the
  ``/interval``, ``/evidence``... nodes under it, a mention, an article, a
  discovered entity) are units; HermiT runs on the ontology and registry
  plus halves of the units, down to a smallest set of nodes inconsistent
  with them (each halving halves the input, so a set costs about twice the
  whole run; at most :data:`MAX_CULPRITS` sets).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import OntologyError
from kg.vocab import BASE, GENID, GRAPH, OWL, PROV, RDF, SK

#: Article graphs reasoned over at most (a deterministic sample past that; None: all).
SAMPLE = 200
#: Inconsistent sets of claims reported at most (each costs ~2 log2(n) HermiT runs).
MAX_CULPRITS = 5
JAVA_MEMORY_MB = 4000
_IMPORTS = OWL + "imports"
_DOC_GRAPH = GRAPH + "doc/"


@dataclass(frozen=True)
class DataReasoning:
    """What HermiT said about a build's data."""

    consistent: bool
    culprits: tuple[tuple[str, ...], ...]  # sets of nodes (claims ...) inconsistent together
    documents: int  # article graphs reasoned over
    total_documents: int  # article graphs in the build
    triples: int  # triples given to HermiT (the whole input)
    seconds: float  # the first, whole run
    runs: int  # HermiT runs, including those that looked for the culprits
    context_inconsistent: bool = False  # the ontology and registry alone are inconsistent
    evidence: tuple[tuple[str, str], ...] = ()  # (culprit IRI, its quote and article)

    def described(self, iri: str) -> str:
        """``"the quote" (doc/002_test)`` for a culprit claim, "" when unknown."""
        return dict(self.evidence).get(iri, "")


def check_build_data(
    trig: Path, *, sample: int | None = SAMPLE, java: str | None = None
) -> DataReasoning:
    """HermiT's consistency verdict on the data of a build's ``kg.trig`` (see module doc)."""
    import pyoxigraph as ox

    try:
        quads = list(ox.parse(path=str(trig), format=ox.RdfFormat.TRIG))
    except (SyntaxError, ValueError, OSError) as error:
        raise OntologyError(f"{trig}: not valid TriG: {error}. Rebuild with `kg build`.") from None
    documents = sorted({q.graph_name.value for q in quads
                        if getattr(q.graph_name, "value", "").startswith(_DOC_GRAPH)})  # fmt: skip
    kept = set(sampled(documents, sample))
    fixed = {GRAPH + "ontology", GRAPH + "registry"}
    chosen = [q for q in quads if q.predicate.value != _IMPORTS and (
        not q.graph_name.value.startswith(_DOC_GRAPH) or q.graph_name.value in kept)]  # fmt: skip
    triples = [_unskolemized(q.triple) for q in chosen]
    context, units = split_units(
        (_unskolemized(q.triple), q.graph_name.value in fixed) for q in chosen
    )
    hermit = _Hermit(java or _java())
    with tempfile.TemporaryDirectory(prefix="kg-hermit-data-") as folder:
        base = _ntriples(context)
        serialized = {unit: _ntriples(unit_triples) for unit, unit_triples in units.items()}

        def consistent(chosen: Sequence[str]) -> bool:
            body = base + b"".join(serialized[u] for u in chosen)
            return hermit.consistent(body, Path(folder))

        started = time.perf_counter()
        whole = consistent(sorted(units))
        seconds = time.perf_counter() - started
        culprits: list[tuple[str, ...]] = []
        context_bad = False
        if not whole:
            if not consistent([]):
                context_bad = True
            else:
                culprits = find_culprits(sorted(units), consistent)
    evidence = tuple((iri, describe(units[iri])) for found in culprits for iri in found)
    return DataReasoning(
        consistent=whole, culprits=tuple(culprits), documents=len(kept),
        total_documents=len(documents), triples=len(set(triples)), seconds=round(seconds, 2),
        runs=hermit.runs, context_inconsistent=context_bad, evidence=evidence,
    )  # fmt: skip


_QUOTE = SK + "quote"
_SOURCE = PROV + "wasDerivedFrom"


_TYPE = RDF + "type"


def describe(triples: Sequence[Any]) -> str:
    """A node as its own triples tell it: a claim's quote and article (``"..." in
    002_test``), else its types (``a Person, Settlement``)."""
    quote = next((t.object.value for t in triples if t.predicate.value == _QUOTE), "")
    sources = sorted({t.object.value.rsplit("/", 1)[-1] for t in triples
                      if t.predicate.value == _SOURCE})  # fmt: skip
    where = f"in {', '.join(sources[:3])}{' ...' if len(sources) > 3 else ''}" if sources else ""
    if quote:
        return f'"{quote[:120]}" {where}'.strip()
    types = sorted({re.split(r"[#/]", t.object.value)[-1] for t in triples
                    if t.predicate.value == _TYPE and hasattr(t.object, "value")})  # fmt: skip
    return " ".join(p for p in (f"a {', '.join(types)}" if types else "", where) if p)


def sampled(documents: Sequence[str], sample: int | None) -> list[str]:
    """All graphs, or the ``sample`` whose IRI has the smallest SHA-256 (stable per build).

    >>> sampled(["a", "b", "c"], None)
    ['a', 'b', 'c']
    >>> len(sampled([str(i) for i in range(10)], 3))
    3
    """
    if sample is None or len(documents) <= sample:
        return list(documents)
    ranked = sorted(documents, key=lambda g: hashlib.sha256(g.encode()).hexdigest())
    return sorted(ranked[:sample])


def unit_of(iri: str) -> str | None:
    """The node of the build a node belongs to: ``claim/X/evidence`` -> ``claim/X``,
    ``id/kidal/geometry`` -> ``id/kidal``; None outside the build's namespace.

    >>> unit_of("https://w3id.org/sahel-kg/claim/3f2a/interval")
    'https://w3id.org/sahel-kg/claim/3f2a'
    >>> unit_of("https://w3id.org/sahel-kg/id/kidal/geometry")
    'https://w3id.org/sahel-kg/id/kidal'
    >>> unit_of("http://www.w3.org/2006/time#Instant") is None
    True
    """
    if not iri.startswith(BASE):
        return None
    parts = iri[len(BASE) :].split("/")
    if len(parts) < 2 or parts[0] in ("ontology", ".well-known"):
        return None
    if parts[0] == "graph" and parts[1] == "doc" and len(parts) > 2:
        return BASE + "/".join(parts[:3])
    return BASE + "/".join(parts[:2])


def split_units(triples: Iterable[tuple[Any, bool]]) -> tuple[list[Any], dict[str, list[Any]]]:
    """(context triples, node -> its triples): the triples of the ontology and registry
    graphs (flagged True) are the context; the others go to their subject's node
    (claim, period, mention, article, discovered entity), or to the context when the
    subject is outside the build's namespace."""
    context: list[Any] = []
    units: dict[str, list[Any]] = {}
    for triple, fixed in sorted(set(triples), key=lambda item: str(item[0])):
        unit = None if fixed else unit_of(getattr(triple.subject, "value", ""))
        if unit is None:
            context.append(triple)
        else:
            units.setdefault(unit, []).append(triple)
    return context, units


def find_culprits(
    units: list[str], consistent: Callable[[Sequence[str]], bool], limit: int = MAX_CULPRITS
) -> list[tuple[str, ...]]:
    """Smallest sets of units each inconsistent with the rest, given that all of ``units``
    together are inconsistent and none of them is (the context alone is consistent).

    >>> bad = {"c", "f"}  # inconsistent when both are there
    >>> find_culprits(list("abcdefgh"), lambda chosen: not bad <= set(chosen))
    [('c', 'f')]
    >>> find_culprits(list("abcdefgh"), lambda chosen: "e" not in chosen and "b" not in chosen)
    [('b',), ('e',)]
    """
    found: list[tuple[str, ...]] = []
    remaining = list(units)
    while len(found) < limit:
        culprit = _minimal(remaining, [], consistent)
        found.append(tuple(sorted(culprit)))
        remaining = [u for u in remaining if u not in culprit]
        if not remaining or consistent(remaining):
            break
    return sorted(found)


def _minimal(
    candidates: list[str], fixed: list[str], consistent: Callable[[Sequence[str]], bool]
) -> list[str]:
    """A smallest part of ``candidates`` that with ``fixed`` is inconsistent (the whole is;
    ``fixed`` alone is not)."""
    if len(candidates) == 1:
        return candidates
    half = len(candidates) // 2
    first, second = candidates[:half], candidates[half:]
    if not consistent(fixed + first):
        return _minimal(first, fixed, consistent)
    if not consistent(fixed + second):
        return _minimal(second, fixed, consistent)
    needed_first = _minimal(first, fixed + second, consistent)
    return needed_first + _minimal(second, fixed + needed_first, consistent)


def _unskolemized(triple: Any) -> Any:
    """The triple with the build's skolem IRIs turned back into blank nodes."""
    import pyoxigraph as ox

    def node(term: Any) -> Any:
        value = getattr(term, "value", None)
        if isinstance(term, ox.NamedNode) and value and value.startswith(GENID):
            return ox.BlankNode("g" + hashlib.sha256(value.encode()).hexdigest()[:24])
        return term

    return ox.Triple(node(triple.subject), triple.predicate, node(triple.object))


def _ntriples(triples: Sequence[Any]) -> bytes:
    import pyoxigraph as ox

    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"" if triples else b""


def _java() -> str:
    from kg.ontology import _java as java

    return java()


class _Hermit:
    """HermiT's command line (the jar owlready2 ships), consistency only."""

    def __init__(self, java: str) -> None:
        import owlready2.reasoning

        self.java, self.runs = java, 0
        self.classpath = owlready2.reasoning._HERMIT_CLASSPATH

    def consistent(self, ntriples: bytes, folder: Path) -> bool:
        self.runs += 1
        source = folder / f"input-{self.runs}.nt"
        source.write_bytes(ntriples)
        command = [
            self.java, f"-Xmx{JAVA_MEMORY_MB}M", "-cp", self.classpath,
            "org.semanticweb.HermiT.cli.CommandLine", "-k", "--ignoreUnsupportedDatatypes",
            source.resolve().as_uri(),
        ]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False,
                                  env={**os.environ, "LC_ALL": "C"})  # fmt: skip
        finally:
            source.unlink(missing_ok=True)
        output = done.stdout + done.stderr
        if "InconsistentOntologyException" in output:
            return False
        if done.returncode == 0 and "is satisfiable" in output:
            return True
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        reason = next((line for line in lines if "Exception" in line), lines[-1] if lines else "")
        raise OntologyError(f"HermiT failed on the build's data: {reason[:300] or 'no message'}")
