"""The curated registry (ontology/registry.ttl) as plain Python objects.

The registry holds identity and background only: labels and aliases, types,
Wikidata IDs, containment (``sk:locatedIn``), coordinates, and the country a
national institution belongs to (``dcterms:spatial``). It is parsed with
pyoxigraph (fast to import and to parse); the class hierarchy comes from
``sahel.ttl`` next to it when that file is there.

>>> registry = load_registry()
>>> registry.entities["kidal"].label
'Kidal'
>>> registry.located_in("kidal")
('kidal-region', 'mali', 'northern-mali')
>>> registry.is_a("fama", "Organisation"), registry.is_a("kidal", "Agent")
(True, False)
>>> registry.lookup("Forces armées maliennes")
'fama'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import OntologyError
from kg.model import Entity
from kg.text import fold
from kg.vocab import DCT, GEO, ID, RDF, RDFS, SK, SKOS, WD

__all__ = ["Registry", "load_registry", "ontology_dir"]

_TYPE = RDF + "type"
_SUBCLASS = RDFS + "subClassOf"
_PREF, _ALT, _HIDDEN = SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel"
_EXACT = SKOS + "exactMatch"
_LOCATED = SK + "locatedIn"
_SPATIAL = DCT + "spatial"
_GEOMETRY, _WKT = GEO + "hasGeometry", GEO + "asWKT"


@dataclass(frozen=True, slots=True, eq=False)
class Registry:
    """Known entities by key, with their places, classes and names."""

    entities: dict[str, Entity]
    parents: dict[str, tuple[str, ...]] = field(default_factory=dict)  # direct sk:locatedIn
    jurisdiction: dict[str, str] = field(default_factory=dict)  # key -> country key
    wikidata: dict[str, str] = field(default_factory=dict)  # key -> "Q912"
    geometry: dict[str, str] = field(default_factory=dict)  # key -> WKT
    superclasses: dict[str, frozenset[str]] = field(default_factory=dict)  # class -> ancestors
    names: dict[str, str] = field(default_factory=dict)  # folded label or alias -> key
    # tuple of classes -> the classes with their superclasses, filled as asked (is_a is hot)
    _expanded: dict[tuple[str, ...], frozenset[str]] = field(
        default_factory=dict, init=False, repr=False
    )

    def types(self, key: str) -> tuple[str, ...]:
        """The entity's classes with all their superclasses (sk: local names), sorted."""
        entity = self.entities.get(key)
        return tuple(sorted(self.expand_types(entity.types))) if entity else ()

    def expand_types(self, types: Iterable[str]) -> frozenset[str]:
        """Classes plus all their superclasses (as far as ``sahel.ttl`` says)."""
        if isinstance(types, tuple):
            known = self._expanded.get(types)
            if known is None:
                known = self._expanded[types] = self._expand(types)
            return known
        return self._expand(types)

    def _expand(self, types: Iterable[str]) -> frozenset[str]:
        found: set[str] = set()
        for cls in types:
            found.add(cls)
            found |= self.superclasses.get(cls, frozenset())
        return frozenset(found)

    def is_a(self, key: str, cls: str) -> bool:
        """Is the entity an instance of ``cls`` (directly or through a subclass)?"""
        entity = self.entities.get(key)
        return entity is not None and cls in self.expand_types(entity.types)

    def located_in(self, key: str) -> tuple[str, ...]:
        """Every place containing ``key``, nearest first (transitive ``sk:locatedIn``)."""
        result: list[str] = []
        frontier = list(self.parents.get(key, ()))
        while frontier:
            nxt: list[str] = []
            for place in frontier:
                if place not in result and place != key:
                    result.append(place)
                    nxt.extend(self.parents.get(place, ()))
            frontier = nxt
        return tuple(result)

    def by_type(self, cls: str) -> tuple[str, ...]:
        """Keys of the entities that are instances of ``cls``, sorted."""
        return tuple(k for k in sorted(self.entities) if self.is_a(k, cls))

    def lookup(self, name: str) -> str | None:
        """The key named by a key, a label or an alias (case and accents ignored)."""
        if name in self.entities:
            return name
        return self.names.get(" ".join(fold(name).split()))


def ontology_dir() -> Path:
    """The shipped ontology folder (through kg.resources when available)."""
    try:
        from kg.resources import resource_path
    except ImportError:  # pragma: no cover - kg.resources ships with the package
        return Path(__file__).resolve().parents[1] / "ontology"
    return Path(resource_path("ontology"))


def load_registry(path: Path | None = None) -> Registry:
    """Parse registry.ttl (default: the shipped one) and the class hierarchy beside it."""
    path = path or ontology_dir() / "registry.ttl"
    triples = _parse(path)
    subjects: dict[str, dict[str, list[tuple[str, str | None]]]] = {}
    for s, p, o, lang in triples:
        if s.startswith(ID) and "/" not in s[len(ID) :]:
            subjects.setdefault(s[len(ID) :], {}).setdefault(p, []).append((o, lang))
    geometries = {s: o for s, p, o, _ in triples if p == _WKT}
    entities: dict[str, Entity] = {}
    parents: dict[str, tuple[str, ...]] = {}
    jurisdiction: dict[str, str] = {}
    wikidata: dict[str, str] = {}
    geometry: dict[str, str] = {}
    for key in sorted(subjects):
        props = subjects[key]
        entities[key] = _entity(key, props)
        parents[key] = tuple(o[len(ID) :] for o, _ in props.get(_LOCATED, []) if o.startswith(ID))
        for o, _ in props.get(_SPATIAL, []):
            jurisdiction[key] = o[len(ID) :]
        for o, _ in props.get(_EXACT, []):
            if o.startswith(WD):
                wikidata[key] = o[len(WD) :]
        for o, _ in props.get(_GEOMETRY, []):
            if o in geometries:
                geometry[key] = geometries[o]
    _check_references(path, entities, parents, jurisdiction)
    return Registry(
        entities=entities,
        parents=parents,
        jurisdiction=jurisdiction,
        wikidata=wikidata,
        geometry=geometry,
        superclasses=_class_hierarchy(path.parent / "sahel.ttl"),
        names=_name_index(entities),
    )


def _parse(path: Path) -> list[tuple[str, str, str, str | None]]:
    """(subject, predicate, object, language) strings of a Turtle file."""
    import pyoxigraph as ox

    if not path.is_file():
        raise OntologyError(
            f"{path}: registry not found. Restore ontology/registry.ttl from the repository."
        )
    try:
        quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except SyntaxError as error:
        raise OntologyError(
            f"{path}: not valid Turtle ({error}). Fix the file at that position."
        ) from None
    return [
        (q.subject.value, q.predicate.value, q.object.value, getattr(q.object, "language", None))
        for q in quads
    ]


def _entity(key: str, props: dict[str, list[tuple[str, str | None]]]) -> Entity:
    """One registry Entity: English prefLabel as label, French prefLabels, all other names."""
    prefs = props.get(_PREF, [])
    label = next((v for v, lang in prefs if lang == "en"), None) or next((v for v, _ in prefs), key)
    labels_fr = tuple(sorted({v for v, lang in prefs if lang == "fr"}))
    others = {v for v, _ in props.get(_ALT, []) + props.get(_HIDDEN, [])}
    others |= {v for v, lang in prefs if lang not in ("en", "fr")}
    types = tuple(sorted(o[len(SK) :] for o, _ in props.get(_TYPE, []) if o.startswith(SK)))
    return Entity(key, label, types, labels_fr, tuple(sorted(others - {label})))


def _check_references(
    path: Path,
    entities: dict[str, Entity],
    parents: dict[str, tuple[str, ...]],
    jurisdiction: dict[str, str],
) -> None:
    """Every sk:locatedIn and dcterms:spatial target must be a registry entity."""
    targets = [(k, p) for k, ps in parents.items() for p in ps] + list(jurisdiction.items())
    missing = sorted({f"{k} -> {t}" for k, t in targets if t not in entities})
    if missing:
        raise OntologyError(
            f"{path}: unknown place or country in {', '.join(missing)}; "
            "add the entity or fix the key."
        )
    untyped = sorted(k for k, e in entities.items() if not e.types)
    if untyped:
        raise OntologyError(
            f"{path}: entities without an sk: type: {', '.join(untyped)}; add 'a sk:<Class>'."
        )


def _class_hierarchy(path: Path) -> dict[str, frozenset[str]]:
    """sk: class -> all its sk: superclasses, from sahel.ttl; empty when it is missing."""
    if not path.is_file():
        return {}
    direct: dict[str, set[str]] = {}
    for s, p, o, _ in _parse(path):
        if p == _SUBCLASS and s.startswith(SK) and o.startswith(SK):
            direct.setdefault(s[len(SK) :], set()).add(o[len(SK) :])
    closure: dict[str, frozenset[str]] = {}
    for cls in direct:
        seen: set[str] = set()
        stack = list(direct[cls])
        while stack:
            parent = stack.pop()
            if parent not in seen:
                seen.add(parent)
                stack.extend(direct.get(parent, ()))
        closure[cls] = frozenset(seen)
    return closure


def _name_index(entities: dict[str, Entity]) -> dict[str, str]:
    """Folded names -> key; a name two entities share is left out (ambiguous)."""
    owners: dict[str, set[str]] = {}
    for key, entity in entities.items():
        for name in (entity.label, *entity.labels_fr, *entity.aliases):
            owners.setdefault(" ".join(fold(name).split()), set()).add(key)
    return {name: next(iter(keys)) for name, keys in sorted(owners.items()) if len(keys) == 1}
