"""The ontology: where its files are, its sk: terms, and OWL consistency with HermiT.

owlready2 does not read Turtle, so the files are merged with rdflib and handed
to it as N-Triples in a temporary folder; HermiT then runs through
``sync_reasoner`` (owlready2's bundled Pellet needs a newer Java than 17).
Reason over the ontology and a small ABox (the registry); instance data of a
build is checked with SHACL instead (kg/validate.py).

>>> ontology_file().name
'sahel.ttl'
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import OntologyError
from kg.resources import resource_path
from kg.vocab import OWL, RDFS, SK, SKOS

if TYPE_CHECKING:  # pragma: no cover - typing only
    import rdflib

STAGE = "ontology.v1"
ONTOLOGY_IRI = "https://w3id.org/sahel-kg/ontology"
LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class ReasonerResult:
    """What HermiT said about a set of files."""

    consistent: bool
    inconsistent_classes: tuple[str, ...]  # IRIs of unsatisfiable named classes
    seconds: float
    files: tuple[str, ...] = ()
    triples: int = 0

    @property
    def ok(self) -> bool:
        return self.consistent and not self.inconsistent_classes


def ontology_file() -> Path:
    """``ontology/sahel.ttl``."""
    return resource_path("ontology") / "sahel.ttl"


def registry_file() -> Path:
    """``ontology/registry.ttl`` (the curated ABox; may not exist in a bare checkout)."""
    return resource_path("ontology") / "registry.ttl"


def shapes_file() -> Path:
    """``ontology/shapes.ttl``."""
    return resource_path("ontology") / "shapes.ttl"


def load_turtle(paths: Iterable[Path]) -> rdflib.Graph:
    """Parse Turtle files into one rdflib graph; a broken file raises OntologyError."""
    import rdflib

    graph = rdflib.Graph()
    for path in paths:
        if not path.is_file():
            raise OntologyError(f"{path}: file not found. Restore it from the repository.")
        try:
            graph.parse(path, format="turtle")
        except Exception as error:  # rdflib raises several unrelated types
            raise OntologyError(f"{path}: not valid Turtle: {error}") from None
    return graph


def sk_terms(graph: rdflib.Graph) -> set[str]:
    """Local names of every sk: IRI that is the subject of a triple in ``graph``."""
    import rdflib

    return {
        str(s)[len(SK) :]
        for s in graph.subjects()
        if isinstance(s, rdflib.URIRef) and str(s).startswith(SK)
    }


def missing_annotations(graph: rdflib.Graph) -> list[tuple[str, str]]:
    """``(term, what)`` for every sk: term lacking an en or fr label or definition.

    ``what`` reads like ``"rdfs:label@fr"``.
    """
    import rdflib

    wanted = (("rdfs:label", rdflib.URIRef(RDFS + "label")),
              ("skos:definition", rdflib.URIRef(SKOS + "definition")))  # fmt: skip
    missing = []
    for term in sorted(sk_terms(graph)):
        node = rdflib.URIRef(SK + term)
        for name, prop in wanted:
            langs = {getattr(o, "language", None) for o in graph.objects(node, prop)}
            missing += [(term, f"{name}@{lang}") for lang in LANGUAGES if lang not in langs]
    return missing


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise OntologyError(
            "HermiT needs Java, and no `java` is on PATH. "
            "Install a Java runtime (17 or later) or skip reasoning (kg validate --no-reason)."
        )
    return java


def _owl_input(graph: rdflib.Graph) -> rdflib.Graph:
    """The graph without owl:imports, so owlready2 never fetches anything."""
    import rdflib

    imports = rdflib.URIRef(OWL + "imports")
    clean = rdflib.Graph()
    for triple in graph:
        if triple[1] != imports:
            clean.add(triple)
    return clean


def _unsatisfiable(world: object) -> tuple[str, ...]:
    """IRIs of the named classes HermiT found equivalent to owl:Nothing."""
    nothing = OWL + "Nothing"
    iris = {c.iri for c in world.inconsistent_classes()}  # type: ignore[attr-defined]
    return tuple(sorted(iri for iri in iris if iri != nothing))


def check_consistency(
    ontology: Path | None = None, *, abox: Sequence[Path] = ()
) -> ReasonerResult:
    """Run HermiT on the ontology (default ``ontology/sahel.ttl``) plus ABox files.

    Raises OntologyError when a file is missing or broken, or Java cannot run.
    xsd:date and other types outside the OWL 2 datatype map are treated as
    opaque (HermiT's --ignoreUnsupportedDatatypes).
    """
    import owlready2

    files = (ontology or ontology_file(), *abox)
    graph = _owl_input(load_turtle(files))
    owlready2.JAVA_EXE = _java()
    with tempfile.TemporaryDirectory(prefix="kg-hermit-") as tmp:
        source = Path(tmp) / "input.nt"
        graph.serialize(source, format="nt", encoding="utf-8")
        world = owlready2.World()
        try:
            with source.open("rb") as handle:
                world.get_ontology(ONTOLOGY_IRI + "/reasoning-input").load(
                    fileobj=handle, format="ntriples"
                )
            started = time.perf_counter()
            try:
                owlready2.sync_reasoner(world, debug=0, ignore_unsupported_datatypes=True)
                consistent = True
            except owlready2.OwlReadyInconsistentOntologyError:
                consistent = False
            except owlready2.OwlReadyJavaError as error:
                detail = str(error).strip().splitlines()
                raise OntologyError(
                    f"HermiT failed on {', '.join(str(f) for f in files)}: "
                    f"{detail[-1] if detail else 'no message'}"
                ) from None
            seconds = time.perf_counter() - started
            unsatisfiable = _unsatisfiable(world) if consistent else ()
        finally:
            world.close()
    return ReasonerResult(
        consistent=consistent,
        inconsistent_classes=unsatisfiable,
        seconds=round(seconds, 2),
        files=tuple(str(f) for f in files),
        triples=len(graph),
    )


# --- HTML documentation ---------------------------------------------------
# pyLODE 3.4.1 (the release on PyPI) fails at import (RDFLib/pyLODE#256: its
# version.py reads a pyproject.toml that the wheel does not ship), takes ~5 s,
# and orders union members differently from run to run. This page is small,
# bilingual and byte-identical across runs.

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_KINDS = (
    ("classes", "Classes", OWL + "Class"),
    ("object-properties", "Object properties", OWL + "ObjectProperty"),
    ("datatype-properties", "Datatype properties", OWL + "DatatypeProperty"),
    ("individuals", "Named individuals", OWL + "NamedIndividual"),
)
_FACTS = (
    ("Subclass of", RDFS + "subClassOf"),
    ("Equivalent to", OWL + "equivalentClass"),
    ("Disjoint with", OWL + "disjointWith"),
    ("Subproperty of", RDFS + "subPropertyOf"),
    ("Domain", RDFS + "domain"),
    ("Range", RDFS + "range"),
    ("Type", _RDF_TYPE),
)
_STYLE = (
    "body{font-family:sans-serif;max-width:60em;margin:auto;padding:0 1em}"
    "dt{font-weight:bold}section.term{border-top:1px solid #ccc}"
)


def _curie(iri: str) -> str:
    from kg.vocab import PREFIXES

    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def _show(graph: rdflib.Graph, node: object) -> str:
    """An IRI or a union/enumeration class expression as short HTML."""
    import html

    import rdflib
    from rdflib.collection import Collection

    if isinstance(node, rdflib.BNode):
        for key, joiner, left, right in ((OWL + "unionOf", " or ", "(", ")"),
                                         (OWL + "oneOf", ", ", "{", "}")):  # fmt: skip
            members = graph.value(node, rdflib.URIRef(key))
            if members is not None:
                shown = joiner.join(_show(graph, m) for m in Collection(graph, members))
                return f"{left}{shown}{right}"
        return "(anonymous class)"
    text = html.escape(_curie(str(node)))
    if str(node).startswith(SK):
        return f'<a href="#{str(node)[len(SK) :]}">{text}</a>'
    return f"<code>{text}</code>"


def _term_html(graph: rdflib.Graph, term: str) -> list[str]:
    import html

    import rdflib

    node = rdflib.URIRef(SK + term)
    declarations = {kind for _, _, kind in _KINDS}
    out = [f'<section class="term" id="{term}">', f"<h3>sk:{term}</h3>", "<dl>"]
    for prop, name in ((RDFS + "label", "Label"), (SKOS + "definition", "Definition")):
        values = graph.objects(node, rdflib.URIRef(prop))
        for value in sorted(values, key=lambda v: (getattr(v, "language", "") or "", str(v))):
            lang = getattr(value, "language", "") or ""
            out.append(f'<dt>{name} ({lang})</dt><dd lang="{lang}">{html.escape(str(value))}</dd>')
    for name, prop in _FACTS:
        objects = graph.objects(node, rdflib.URIRef(prop))
        values = sorted(_show(graph, v) for v in objects if str(v) not in declarations)
        if values:
            out.append(f"<dt>{name}</dt><dd>{', '.join(values)}</dd>")
    return out + ["</dl>", "</section>"]


def _literal(graph: rdflib.Graph, prop: str, lang: str = "en") -> str:
    import rdflib

    ontology = rdflib.URIRef(ONTOLOGY_IRI)
    values = sorted(graph.objects(ontology, rdflib.URIRef(prop)), key=str)
    chosen = [v for v in values if getattr(v, "language", None) in (lang, None)]
    return str(chosen[0]) if chosen else ""


def render_html(graph: rdflib.Graph) -> str:
    """A deterministic HTML page documenting every sk: term, in English and French."""
    import html

    import rdflib

    title = html.escape(_literal(graph, RDFS + "label") or "Ontology")
    version = html.escape(_literal(graph, OWL + "versionInfo"))
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{title}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
           f"<h1>{title}</h1>",
           f"<p>IRI: <code>{ONTOLOGY_IRI}</code>, version {version}</p>"]  # fmt: skip
    for lang in LANGUAGES:
        text = html.escape(_literal(graph, "http://purl.org/dc/terms/description", lang))
        out.append(f'<p lang="{lang}">{text}</p>')
    terms = sk_terms(graph)
    out.append("<ul>" + "".join(f'<li><a href="#{a}">{h}</a></li>' for a, h, _ in _KINDS) + "</ul>")
    for anchor, heading, kind in _KINDS:
        typed = set(graph.subjects(rdflib.RDF.type, rdflib.URIRef(kind)))
        members = sorted(t for t in terms if rdflib.URIRef(SK + t) in typed)
        out.append(f'<h2 id="{anchor}">{heading} ({len(members)})</h2>')
        for term in members:
            out += _term_html(graph, term)
    return "\n".join([*out, "</body>", "</html>", ""])
