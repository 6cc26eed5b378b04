"""The resolved events of a build as an ACLED-style CSV: one row per event.

ACLED's column names where they apply (ACLED Codebook, 2023), so the rows
sit beside ACLED's in a spreadsheet or a pandas frame, then the project's
own columns (its IRIs, counts and disagreements). The mapping of this
ontology's event kinds to ACLED's event types is data
(``kg/data/event_kinds.tsv``) and is documented in the README.

- ``event_date`` is the first day the event's date allows; ``time_precision``
  is ACLED's (1 a day, 2 a range of days, 3 a month or a year), and
  ``date_as_written`` the date at its own precision (``2023-11``).
- ``actor1`` is the side A actor most of the event's claims name on that side
  (the capturer, the attacker; a withdrawal names the other side), and
  ``assoc_actor_1`` its other actors; ``actor2`` and
  ``assoc_actor_2`` the same for side B; several actors are joined by "; ",
  as ACLED does.
- ``location`` is the event's place; ``admin1`` the region and ``country``
  the country containing it (``sk:locatedIn``); ``latitude``/``longitude``
  the place's coordinates, or those of the nearest place containing it, with
  ``geo_precision`` 1 (its own), 2 (its town's) or 3 (a region's or
  country's).
- ``fatalities`` is ACLED's conservative figure: the lowest number of people
  killed any source gives (0 when none); ``fatalities_reported`` lists every
  figure with its claimant, as each source gave it.
- ``source`` names the outlets of the articles behind the event; ``notes``
  says how many claims report it and where they disagree.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.events import event_kinds
from kg.vocab import EVENT, ID, SK

__all__ = ["ACLED_COLUMNS", "PROJECT_COLUMNS", "COLUMNS", "acled_csv", "acled_rows"]

#: ACLED's columns, in ACLED's order, that this export fills.
ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "country", "admin1", "location",
    "latitude", "longitude", "geo_precision", "source", "notes", "fatalities",
)  # fmt: skip
#: The project's own columns, after ACLED's.
PROJECT_COLUMNS = (
    "event_iri", "event_kind", "date_as_written", "end_date_as_written", "claims",
    "source_count", "documents", "fatalities_reported", "disputed", "disagreements",
    "part_of",
)  # fmt: skip
COLUMNS = ACLED_COLUMNS + PROJECT_COLUMNS

_STATE_CLASSES = {"State", "Government", "Junta", "NationalArmedForces"}
_PEOPLE_KILLED = SK + "Killed"
_DERIVED = "<https://w3id.org/sahel-kg/graph/derived>"
_REGISTRY = "<https://w3id.org/sahel-kg/graph/registry>"
_PREFIXES = f"""PREFIX sk: <{SK}>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""
#: (event, property, value) of every resolved event: its own values in graph/derived.
EVENT_FACTS = _PREFIXES + f"""SELECT ?event ?p ?o WHERE {{
  GRAPH {_DERIVED} {{ ?event a sk:ResolvedEvent ; ?p ?o }}
}}"""
#: (event, claim, actor, side, kind) for every actor an event claim names ("" for none):
#: the event's claims, and how many name each actor on each side of the event.
CLAIM_ACTORS = _PREFIXES + f"""SELECT ?event ?claim ?actor ?side ?kind WHERE {{
  GRAPH {_DERIVED} {{ ?claim sk:reportsEvent ?event }}
  GRAPH ?g {{ ?claim a sk:Claim ; a ?kind
             FILTER(?kind != sk:Claim)
             FILTER NOT EXISTS {{ ?claim a sk:CasualtyReport }}
             OPTIONAL {{ ?claim ?side ?actor FILTER(?side IN (sk:sideA, sk:sideB)) }} }}
}}"""
#: Casualty figures attached to events: (event, type, min, text, victims, claimant).
FIGURES = _PREFIXES + f"""SELECT ?event ?claim ?type ?min ?text ?victims ?claimant WHERE {{
  GRAPH {_DERIVED} {{ ?claim sk:reportsEvent ?event }}
  GRAPH ?g {{ ?claim a sk:CasualtyReport ; sk:casualtyType ?type ; sk:countText ?text ;
                     sem:accordingTo ?claimant .
             OPTIONAL {{ ?claim sk:countMin ?min }} OPTIONAL {{ ?claim sk:victims ?victims }} }}
}}"""
#: Articles and their publishers.
PUBLISHERS = _PREFIXES + """SELECT ?doc ?publisher WHERE {
  GRAPH ?g { ?doc a sk:NewsArticle ; dcterms:publisher ?publisher }
}"""
#: Every named thing's English label, type, containing places and coordinates.
NAMES = _PREFIXES + """SELECT ?s ?p ?o WHERE {
  GRAPH ?g { ?s ?p ?o }
  FILTER(?p IN (skos:prefLabel, rdf:type, sk:locatedIn, geo:hasGeometry, geo:asWKT))
  FILTER(!isLiteral(?o) || LANGMATCHES(LANG(?o), "en") || LANG(?o) = "")
}"""


@dataclass
class World:
    """What the rows need of the entities: names, types, containment, coordinates."""

    labels: dict[str, str] = field(default_factory=dict)
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    parents: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    points: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (lat, lon)

    def name(self, iri: str) -> str:
        return self.labels.get(iri) or iri.removeprefix(ID)

    def ancestors(self, iri: str) -> list[str]:
        """Places containing ``iri``, nearest first."""
        found: list[str] = []
        frontier = list(self.parents.get(iri, ()))
        while frontier:
            place = frontier.pop(0)
            if place not in found and place != iri:
                found.append(place)
                frontier.extend(self.parents.get(place, ()))
        return found


def _world(names: Iterable[tuple[str, ...]]) -> World:
    world = World()
    geometry: dict[str, str] = {}
    wkt: dict[str, str] = {}
    for s, p, o in sorted(names):
        local = p.rsplit("#", 1)[-1]
        if local == "prefLabel":
            world.labels.setdefault(s, o)
        elif local == "type" and o.startswith(SK):
            world.types[s].add(o[len(SK):])
        elif local == "locatedIn":
            world.parents[s].append(o)
        elif local == "hasGeometry":
            geometry[s] = o
        elif local == "asWKT":
            wkt[s] = o
    for place, node in geometry.items():
        point = wkt.get(node, "")
        if point.startswith("POINT(") and point.endswith(")"):
            lon, lat = point[6:-1].split()
            world.points[place] = (lat, lon)
    return world


def acled_rows(
    facts: Sequence[tuple[str, ...]], claim_actors: Sequence[tuple[str, ...]],
    figures: Sequence[tuple[str, ...]], publishers: Mapping[str, str], world: World,
) -> list[dict[str, str]]:  # fmt: skip
    """One ACLED-style row per event, in date order (then IRI)."""
    events: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for event, p, o in facts:
        events[event][p.rsplit("#", 1)[-1].rsplit("/", 1)[-1]].append(o)
    named: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for event, claim, actor, side, kind in claim_actors:
        named[event][""].add(claim)
        if actor:
            info = event_kinds().get(kind.rsplit("#", 1)[-1]) or event_kinds()["Event"]
            role = "A" if side.endswith("sideA") != (info.side_a == "loser") else "B"
            named[event][role + actor].add(claim)
    told: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for row in figures:
        told[row[0]].append(row)
    rows = [
        _row(iri, values, named[iri], told[iri], publishers, world)
        for iri, values in events.items()
    ]
    return sorted(rows, key=lambda r: (r["event_date"] == "", r["event_date"], r["event_iri"]))


def _ranked(actors: Iterable[str], role: str, named: Mapping[str, set[str]],
            world: World) -> list[str]:  # fmt: skip
    """A side's actors, the one most claims name on that side first."""
    return sorted(actors, key=lambda a: (-len(named.get(role + a, ())), world.name(a), a))


def _row(iri: str, v: Mapping[str, list[str]], named: Mapping[str, set[str]],
         figures: Sequence[tuple[str, ...]], publishers: Mapping[str, str],
         world: World) -> dict[str, str]:  # fmt: skip
    kind = next((t[len(SK):] for t in sorted(v["type"]) if t != SK + "ResolvedEvent"), "Event")
    info = event_kinds().get(kind) or event_kinds()["Event"]
    side_a = _ranked(v["sideA"], "A", named, world)
    side_b = _ranked(v["sideB"], "B", named, world)
    sub = info.sub_event_type.split("|")
    if len(sub) > 1:
        state = side_a and world.types.get(side_a[0], set()) & _STATE_CLASSES
        sub = [sub[0] if state else sub[1]]
    place = (v.get("hasPlace") or [""])[0]
    start, end = _first(v, "startDate"), _first(v, "endDate")
    start_precision = _first(v, "startPrecision").rsplit("#", 1)[-1]
    docs = sorted(v["wasDerivedFrom"])
    claims = len(named.get("", ()))
    killed = [int(f[3]) for f in figures if f[2] == _PEOPLE_KILLED and f[3]]
    reported = sorted(
        f"{f[4]}{' ' + f[5] if f[5] else ''} {f[2].rsplit('#', 1)[-1].lower()} "
        f"({world.name(f[6])})" for f in figures
    )
    disagreements = sorted(v["disagreement"])
    return {
        "event_id_cnty": iri.removeprefix(EVENT),
        "event_date": start,
        "year": start[:4],
        "time_precision": _time_precision(start, end, start_precision),
        "event_type": info.event_type,
        "sub_event_type": sub[0],
        "actor1": world.name(side_a[0]) if side_a else "",
        "assoc_actor_1": "; ".join(world.name(a) for a in side_a[1:]),
        "actor2": world.name(side_b[0]) if side_b else "",
        "assoc_actor_2": "; ".join(world.name(a) for a in side_b[1:]),
        "country": _within(place, "Country", world),
        "admin1": _within(place, "Region", world),
        "location": world.name(place) if place else "",
        **_coordinates(place, world),
        "source": "; ".join(sorted({world.name(publishers[d]) for d in docs if d in publishers})),
        "notes": _notes(kind, place, claims, len(docs), disagreements, world),
        "fatalities": str(min(killed)) if killed else "0",
        "event_iri": iri,
        "event_kind": kind,
        "date_as_written": _as_written(start, start_precision),
        "end_date_as_written": _as_written(end, _first(v, "endPrecision").rsplit("#", 1)[-1]),
        "claims": str(claims),
        "source_count": str(len(docs)),
        "documents": " ".join(d.rsplit("/", 1)[-1] for d in docs),
        "fatalities_reported": "; ".join(reported),
        "disputed": "true" if disagreements else "false",
        "disagreements": ", ".join(disagreements),
        "part_of": _first(v, "partOf"),
    }


def _first(values: Mapping[str, list[str]], key: str) -> str:
    return sorted(values.get(key) or [""])[0]


def _time_precision(start: str, end: str, precision: str) -> str:
    """ACLED's: 1 a known day, 2 a range of days, 3 a month or a year; "" when undated."""
    if not start:
        return ""
    if precision != "Day":
        return "3"
    return "2" if end and end != start else "1"


def _as_written(day: str, precision: str) -> str:
    return day[: {"Month": 7, "Year": 4}.get(precision, 10)]


def _within(place: str, cls: str, world: World) -> str:
    """The place itself or the nearest place containing it of class ``cls``."""
    for candidate in ([place] if place else []) + world.ancestors(place):
        if cls in world.types.get(candidate, set()):
            return world.name(candidate)
    return ""


def _coordinates(place: str, world: World) -> dict[str, str]:
    """The place's point, else its nearest container's, with ACLED's geo_precision."""
    for depth, candidate in enumerate(([place] if place else []) + world.ancestors(place)):
        if candidate in world.points:
            lat, lon = world.points[candidate]
            town = "Settlement" in world.types.get(candidate, set())
            precision = "1" if depth == 0 else ("2" if town else "3")
            return {"latitude": lat, "longitude": lon, "geo_precision": precision}
    return {"latitude": "", "longitude": "", "geo_precision": ""}


def _notes(kind: str, place: str, claims: int, documents: int, disagreements: Sequence[str],
           world: World) -> str:  # fmt: skip
    where = f" at {world.name(place)}" if place else ""
    said = f"{claims} claim{'s' * (claims != 1)} in {documents} article{'s' * (documents != 1)}"
    differ = f"; sources disagree on {', '.join(disagreements)}" if disagreements else ""
    return f"{kind}{where}: {said}{differ}."


def _values(store: Any, sparql: str) -> list[tuple[str, ...]]:
    return [
        tuple("" if term is None else term.value for term in solution)
        for solution in store.query(sparql)
    ]


def acled_csv(build_dir: Path) -> bytes:
    """The build's events as ACLED-style CSV (UTF-8, a header row, ``\\n`` line ends)."""
    from kg.store import open_store

    store = open_store(build_dir)
    world = _world(_values(store, NAMES))
    publishers: dict[str, str] = dict(_values(store, PUBLISHERS))  # type: ignore[arg-type]
    rows = acled_rows(_values(store, EVENT_FACTS), _values(store, CLAIM_ACTORS),
                      _values(store, FIGURES), publishers, world)  # fmt: skip
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
