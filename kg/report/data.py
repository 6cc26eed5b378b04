"""What the report draws, read from the built graph (embedded store or endpoint).

The canned questions give the rows people already know from ``kg query``:
``control-timeline`` per place, ``alliance-members`` per alliance, ``events``
and ``casualty-claims`` per place. The report's own queries
(``kg/report/sparql/``) say which places and alliances to ask about, give
every office period at once, the claims each period rests on, the claims'
quotes and offsets, the articles' titles and publishers, and the places'
points. Nothing here prints or draws; :mod:`kg.report.charts` draws.

Every clickable thing is a :class:`Mark`: the claims behind it are indexes
into :attr:`ReportData.claims`, whose articles are indexes into
:attr:`ReportData.documents`.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kg.errors import QueryError
from kg.model import QueryResult, Term
from kg.vocab import DOC

SPARQL_DIR = Path(__file__).resolve().parent / "sparql"
#: Claims looked up per query (a VALUES block of this many IRIs).
CHUNK = 1000
#: Places shown with their events and casualty figures when none is given.
DEFAULT_FOCUS = ("Kidal",)
#: Map points: the latest event claims listed for a place outside the focus.
MAP_CLAIMS_PER_PLACE = 10
_SAFE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\\\]*")
_ITEMS = re.compile(r"^[ \t]*#ITEMS[ \t]*$", re.MULTILINE)
_POINT = re.compile(r"\s*POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)\s*", re.IGNORECASE)

Runner = Callable[[str], QueryResult]
CannedRunner = Callable[[str, Mapping[str, str]], QueryResult]


# --- the model ---------------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    """One end of a period: the days it may fall on and how it is known.

    ``kind`` is ``day``, ``month`` or ``year`` (the precision it was written
    at: ``lo``..``hi`` spans that day, month or year), or ``open`` (no date:
    an ongoing period's end, at ``lo == hi ==`` the date it is stated as of,
    or an unknown start, at the first date known of the period).
    """

    lo: date
    hi: date
    kind: str
    text: str  # as written: 2012-03, 2014, 2023-11-14, or "" when open


@dataclass
class Period:
    """A time-bounded fact drawn as a bar: control, membership or office."""

    key: str
    lane: str  # the row it is drawn in (controller, member, holder and role)
    actor: str  # whose colour it takes
    start: Bound
    end: Bound
    ongoing: bool = False
    as_of: str = ""
    joint: str = ""  # joint controllers, "A, B"
    disputed: bool = False
    claims: int = 0
    documents: tuple[str, ...] = ()


@dataclass
class Mark:
    """One clickable bar, point or row: a title, its table cells, its claims."""

    key: str
    title: str
    cells: list[str]
    claims: list[int] = field(default_factory=list)
    iri: str = ""
    note: str = ""


@dataclass
class Section:
    """One chart (or map) with its table."""

    id: str
    kind: str  # control | membership | office | events | casualties | map
    title: str
    columns: list[str]
    marks: list[str] = field(default_factory=list)  # keys, in table order
    periods: list[Period] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # chart data besides periods
    note: str = ""
    group: str = ""  # the heading it sits under
    iri: str = ""  # the place, alliance or organisation it is about


@dataclass
class Claim:
    iri: str
    quote: str
    start: int
    end: int
    document: int  # index into ReportData.documents
    claimant: str
    polarity: str


@dataclass
class Document:
    id: str
    title: str
    issued: str
    publisher: str


@dataclass
class ReportData:
    source: str
    focus: list[str]  # English labels of the focus places
    sections: list[Section] = field(default_factory=list)
    marks: dict[str, Mark] = field(default_factory=dict)
    claims: list[Claim] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(len(s.marks) for s in self.sections if s.kind == kind)


# --- dates -----------------------------------------------------------------


def _precision(term: Term | None) -> str:
    """``sk:Month`` -> ``month``; no precision is a day."""
    if term is None:
        return "day"
    return term.value.rsplit("#", 1)[-1].lower()


def _day(term: Term | None) -> date | None:
    if term is None or not term.value:
        return None
    try:
        return date.fromisoformat(term.value[:10])
    except ValueError:
        return None


def as_written(day: date, precision: str) -> str:
    """A date at its precision: ``2012-03``, ``2014``, ``2023-11-14``.

    >>> as_written(date(2012, 3, 1), "month"), as_written(date(2014, 1, 1), "year")
    ('2012-03', '2014')
    """
    text = day.isoformat()
    return {"month": text[:7], "year": text[:4]}.get(precision, text)


def start_bound(start: date, precision: str) -> Bound:
    """The days a start written at ``precision`` may fall on (``start`` is the earliest).

    >>> start_bound(date(2012, 3, 1), "month")
    Bound(lo=datetime.date(2012, 3, 1), hi=datetime.date(2012, 3, 31), kind='month', text='2012-03')
    """
    if precision == "month":
        last = calendar.monthrange(start.year, start.month)[1]
        return Bound(start, start.replace(day=last), "month", as_written(start, "month"))
    if precision == "year":
        return Bound(start, date(start.year, 12, 31), "year", as_written(start, "year"))
    return Bound(start, start, "day", start.isoformat())


def end_bound(end: date, precision: str) -> Bound:
    """The days an end written at ``precision`` may fall on (``end`` is the latest).

    >>> end_bound(date(2014, 12, 31), "year").lo
    datetime.date(2014, 1, 1)
    """
    if precision == "month":
        return Bound(end.replace(day=1), end, "month", as_written(end, "month"))
    if precision == "year":
        return Bound(date(end.year, 1, 1), end, "year", as_written(end, "year"))
    return Bound(end, end, "day", end.isoformat())


def period_bounds(
    start: date | None, start_precision: str, end: date | None, end_precision: str,
    as_of: date | None,
) -> tuple[Bound, Bound] | None:  # fmt: skip
    """Both ends of a period; None when it has no date at all to draw it at."""
    s = start_bound(start, start_precision) if start else None
    e = end_bound(end, end_precision) if end else None
    if e is None:
        at = as_of or (s.hi if s else None)
        if at is None:
            return None
        if s is not None and at < s.hi:
            at = s.hi
        e = Bound(at, at, "open", "")
    if s is None:
        s = Bound(e.lo, e.lo, "open", "")
    return s, e


# --- reading the graph ---------------------------------------------------------


def read_sparql(name: str) -> str:
    return (SPARQL_DIR / f"{name}.rq").read_text(encoding="utf-8")


def with_items(text: str, variable: str, iris: Sequence[str]) -> str:
    """The query with its ``#ITEMS`` line replaced by ``VALUES ?variable { <iri> ... }``.

    Each IRI must be an absolute IRI of the characters SPARQL's IRIREF allows
    (no space, control character, ``<>"{}|^`\\``), else QueryError, so nothing
    read from a store or an endpoint can break out of its ``<...>``.
    """
    bad = next((iri for iri in iris if not _SAFE_IRI.fullmatch(iri)), None)
    if bad is not None:
        raise QueryError(f"The store returned {bad!r}, which is not an IRI a query can hold.")
    values = " ".join(f"<{iri}>" for iri in iris)
    block = f"VALUES ?{variable} {{ {values} }}"
    result, count = _ITEMS.subn(lambda _: block, text, count=1)
    if count != 1:
        raise QueryError("A report query has no '#ITEMS' line for its VALUES block (a bug).")
    return result


def _v(row: Mapping[str, Term | None], name: str) -> str:
    term = row.get(name)
    return term.value if term is not None else ""


def rows(result: QueryResult) -> list[dict[str, Term | None]]:
    return [dict(zip(result.variables, row, strict=True)) for row in result.rows]


def _key(name: str, params: Mapping[str, str] | None) -> tuple[str, Any]:
    return name, None if params is None else tuple(sorted(params.items()))


class Reader:
    """Collects marks, claims and documents while the sections are read."""

    def __init__(self, canned: CannedRunner, sparql: Runner, source: str) -> None:
        self.canned = canned
        self.sparql = sparql
        self.data = ReportData(source=source, focus=[])
        self.labels: dict[str, str] = {}
        self.wanted: dict[str, list[str]] = {}  # mark key -> claim IRIs
        self.period_claims: dict[str, list[str]] | None = None
        self.disputed: set[str] | None = None
        self._next = 0
        self.pool: Executor | None = None
        self.pending: dict[tuple[str, Any], Future[QueryResult]] = {}

    # -- queries: started ahead in the pool (two at a time), taken in order

    def prefetch(self, name: str, params: Mapping[str, str] | None = None) -> None:
        """Start canned query ``name`` with ``params`` (or, with no params, the SPARQL text
        ``name``) in the pool, for :meth:`ask` or :meth:`run` to take later."""
        key = _key(name, params)
        if self.pool is None or key in self.pending:
            return
        if params is None:
            self.pending[key] = self.pool.submit(self.sparql, name)
        else:
            self.pending[key] = self.pool.submit(self.canned, name, dict(params))

    def ask(self, name: str, params: Mapping[str, str]) -> QueryResult:
        future = self.pending.pop(_key(name, params), None)
        return future.result() if future is not None else self.canned(name, params)

    def run(self, text: str) -> QueryResult:
        future = self.pending.pop(_key(text, None), None)
        return future.result() if future is not None else self.sparql(text)

    # -- helpers

    def label(self, iri: str) -> str:
        if iri in self.labels:
            return self.labels[iri]
        tail = iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        return tail

    def key(self) -> str:
        self._next += 1
        return f"m{self._next}"

    def claims_of_period(self, period: str) -> list[str]:
        if self.period_claims is None:
            table: dict[str, list[str]] = defaultdict(list)
            for row in rows(self.run(read_sparql("period-claims"))):
                table[_v(row, "period")].append(_v(row, "claim"))
            self.period_claims = table
        return sorted(self.period_claims.get(period, ()))

    def is_disputed(self, iri: str) -> bool:
        if self.disputed is None:
            text = (
                "PREFIX sk: <https://w3id.org/sahel-kg/ontology#>\n"
                "SELECT DISTINCT ?x WHERE { GRAPH ?g { { ?x sk:disputedBy ?y } "
                "UNION { ?y sk:disputedBy ?x } } } ORDER BY ?x"
            )
            self.disputed = {_v(r, "x") for r in rows(self.run(text))}
        return iri in self.disputed

    def add_mark(self, mark: Mark, claims: Iterable[str]) -> str:
        self.data.marks[mark.key] = mark
        self.wanted[mark.key] = list(claims)
        return mark.key

    # -- reading

    def load_labels(self) -> None:
        for row in rows(self.run(read_sparql("labels"))):
            self.labels[_v(row, "x")] = _v(row, "label")

    def period_from(self, row: Mapping[str, Term | None], lane: str, actor: str) -> Period | None:
        bounds = period_bounds(
            _day(row.get("start")), _precision(row.get("startPrecision")),
            _day(row.get("end")), _precision(row.get("endPrecision")), _day(row.get("asOf")),
        )  # fmt: skip
        if bounds is None:
            return None
        start, end = bounds
        docs = tuple(_v(row, "documents").split()) if row.get("documents") else ()
        claims = row.get("claims")
        return Period(
            key="", lane=lane, actor=actor, start=start, end=end,
            ongoing=_v(row, "ongoing") in ("true", "1"), as_of=_v(row, "asOf")[:10],
            joint=_v(row, "jointControllers"), disputed=_v(row, "disputed") in ("true", "1"),
            claims=int(claims.value) if claims is not None else 0, documents=docs,
        )  # fmt: skip


def _span_text(period: Period) -> tuple[str, str]:
    """(from, to) as written; an ongoing end reads ``ongoing (as of ...)``."""
    start = period.start.text or "unknown"
    if period.end.kind == "open":
        end = f"ongoing (as of {period.as_of})" if period.ongoing and period.as_of else "unknown"
    else:
        end = period.end.text
    return start, end


def _lane_order(periods: list[Period]) -> None:
    periods.sort(key=lambda p: (p.start.lo, p.end.hi, p.lane))


# --- the sections ------------------------------------------------------------


class Sections(Reader):
    """Reads each part of the report into sections, marks and wanted claims."""

    def control(self, places: Sequence[tuple[str, str]]) -> None:
        for iri, name in places:
            result = rows(self.ask("control-timeline", {"place": iri}))
            section = Section(
                id=f"control-{len(self.data.sections)}", kind="control", group="control",
                title=f"Who controlled {name}", iri=iri,
                columns=["controller", "joint controllers", "from", "to", "claims", "documents",
                         "disputed"],
            )  # fmt: skip
            for row in result:
                controller = _v(row, "controllerLabel") or self.label(_v(row, "controller"))
                period = self.period_from(row, controller, controller)
                if period is None:
                    continue
                start, end = _span_text(period)
                key = self.add_mark(
                    Mark(self.key(), f"{controller} controls {name}",
                         [controller, period.joint, start, end, str(period.claims),
                          " ".join(period.documents), "disputed" if period.disputed else ""],
                         iri=_v(row, "period")),
                    self.claims_of_period(_v(row, "period")),
                )  # fmt: skip
                period.key = key
                section.periods.append(period)
                section.marks.append(key)
            if not section.periods:
                section.note = f"No control period of {name} in this build."
            self.data.sections.append(section)

    def membership(self) -> None:
        alliances = [(_v(r, "alliance"), self.label(_v(r, "alliance")))
                     for r in rows(self.run(read_sparql("alliances")))]  # fmt: skip
        alliances.sort(key=lambda a: a[1].casefold())
        for iri, _ in alliances:
            self.prefetch("alliance-members", {"alliance": iri})
        for iri, name in alliances:
            result = rows(self.ask("alliance-members", {"alliance": iri}))
            section = Section(
                id=f"members-{len(self.data.sections)}", kind="membership", group="membership",
                title=f"Members of {name}", iri=iri,
                columns=["member", "from", "to", "claims", "documents", "disputed"],
            )  # fmt: skip
            for row in result:
                member = _v(row, "memberLabel") or self.label(_v(row, "member"))
                period = self.period_from(row, member, member)
                if period is None:
                    continue
                period.disputed = self.is_disputed(_v(row, "period"))
                start, end = _span_text(period)
                key = self.add_mark(
                    Mark(self.key(), f"{member} in {name}",
                         [member, start, end, str(period.claims), " ".join(period.documents),
                          "disputed" if period.disputed else ""], iri=_v(row, "period")),
                    self.claims_of_period(_v(row, "period")),
                )  # fmt: skip
                period.key = key
                section.periods.append(period)
                section.marks.append(key)
            self.data.sections.append(section)

    def offices(self) -> None:
        groups: dict[str, list[dict[str, Term | None]]] = defaultdict(list)
        for row in rows(self.run(read_sparql("offices"))):
            groups[_v(row, "within")].append(row)
        order = sorted(groups, key=lambda w: (w == "", self.label(w).casefold() if w else ""))
        for within in order:
            name = self.label(within) if within else ""
            section = Section(
                id=f"offices-{len(self.data.sections)}", kind="office", group="office",
                title=f"Offices in {name}" if name else "Offices not tied to an organisation",
                iri=within,
                columns=["holder", "office", "from", "to", "claims", "disputed"],
            )  # fmt: skip
            for row in groups[within]:
                holder = self.label(_v(row, "holder"))
                role = self.label(_v(row, "role"))
                lane = f"{role}: {holder}"
                period = self.period_from(row, lane, holder)
                if period is None:
                    continue
                claims = self.claims_of_period(_v(row, "period"))
                period.claims = len(claims)
                start, end = _span_text(period)
                where = f" of {name}" if name else ""
                key = self.add_mark(
                    Mark(self.key(), f"{holder}, {role}{where}",
                         [holder, role, start, end, str(len(claims)),
                          "disputed" if period.disputed else ""], iri=_v(row, "period")),
                    claims,
                )  # fmt: skip
                period.key = key
                section.periods.append(period)
            _lane_order(section.periods)
            section.marks = [p.key for p in section.periods]
            self.data.sections.append(section)

    def events(self, places: Sequence[tuple[str, str]]) -> None:
        """One mark per resolved event (``kg query events``), its claims behind it."""
        behind: dict[str, list[dict[str, Term | None]]] = defaultdict(list)
        for row in rows(self.run(read_sparql("event-claims"))):
            behind[_v(row, "event")].append(row)
        for iri, name in places:
            section = Section(
                id=f"events-{len(self.data.sections)}", kind="events", group="events",
                title=f"Events in and around {name}", iri=iri,
                columns=["date", "event", "type", "where", "side A", "side B", "claims",
                         "documents"],
            )  # fmt: skip
            for row in rows(self.ask("events", {"place": iri})):
                start, end, kind = _v(row, "start"), _v(row, "end"), _v(row, "kind")
                when = as_written(date.fromisoformat(start[:10]), _precision(
                    row.get("startPrecision"))) if start else "undated"  # fmt: skip
                if end and end[:10] != start[:10]:
                    when += " to " + as_written(date.fromisoformat(end[:10]),
                                                _precision(row.get("endPrecision")))
                members = behind.get(_v(row, "event"), [])
                told = [m for m in members if not _v(m, "casualty")]
                claimants = sorted({self.label(_v(m, "claimant")) for m in told} - {""})
                docs = sorted({_v(m, "document") for m in members} - {""})
                denied = sum(1 for m in told if _v(m, "polarity").endswith("Denied"))
                label = f"{kind} at {_v(row, 'whereLabel')}" if _v(row, "whereLabel") else kind
                side_a, side_b = _v(row, "sideA"), _v(row, "sideB")
                mark = Mark(self.key(), label,
                            [when, label, kind, _v(row, "whereLabel"), side_a, side_b,
                             str(len(told)) + (f" ({denied} denied)" if denied else ""),
                             " ".join(docs)],
                            iri=_v(row, "event"))  # fmt: skip
                key = self.add_mark(mark, sorted(_v(m, "claim") for m in members))
                section.marks.append(key)
                section.rows.append({
                    "k": key, "start": start[:10], "end": (end or start)[:10], "when": when,
                    "type": kind, "label": label, "where": _v(row, "whereLabel"),
                    "sources": len(told), "claimants": ", ".join(claimants),
                    "sides": " vs ".join(s for s in (side_a, side_b) if s),
                    "denied": denied,
                })  # fmt: skip
            if not section.rows:
                section.note = f"No event at {name} or within it in this build."
            self.data.sections.append(section)

    def casualties(self, places: Sequence[tuple[str, str]]) -> None:
        for iri, name in places:
            section = Section(
                id=f"casualties-{len(self.data.sections)}", kind="casualties", group="casualties",
                title=f"Casualty figures in and around {name}, by source", iri=iri,
                columns=["date", "where", "type", "figure", "victims", "according to",
                         "polarity", "document"],
            )  # fmt: skip
            for row in rows(self.ask("casualty-claims", {"place": iri})):
                day = _v(row, "date")
                when = as_written(date.fromisoformat(day[:10]), _precision(
                    row.get("datePrecision"))) if day else "undated"  # fmt: skip
                claimant = _v(row, "claimantLabel") or self.label(_v(row, "claimant"))
                polarity = _v(row, "polarity").rsplit("#", 1)[-1].lower()
                low, high = _v(row, "countMin"), _v(row, "countMax")
                incident = " · ".join(x for x in (when, _v(row, "whereLabel"), _v(row, "type"))
                                      if x)  # fmt: skip
                mark = Mark(self.key(), f"{_v(row, 'countText')} {_v(row, 'type').lower()}, "
                            f"according to {claimant}",
                            [when, _v(row, "whereLabel"), _v(row, "type"), _v(row, "countText"),
                             _v(row, "victims"), claimant, polarity, _v(row, "document")],
                            iri=_v(row, "claim"))  # fmt: skip
                key = self.add_mark(mark, [_v(row, "claim")])
                section.marks.append(key)
                section.rows.append({
                    "k": key, "incident": incident, "date": day[:10], "claimant": claimant,
                    "low": float(low) if low else None, "high": float(high or low) if (
                        high or low) else None, "text": _v(row, "countText"),
                    "victims": _v(row, "victims"), "polarity": polarity,
                })  # fmt: skip
            if not section.rows:
                section.note = f"No casualty figure at {name} or within it in this build."
            self.data.sections.append(section)

    def places_map(self, focus: Sequence[str]) -> None:
        events: dict[str, list[tuple[str, str]]] = defaultdict(list)
        casualty: set[str] = set()
        placed: list[tuple[str, str, str]] = []
        for row in rows(self.run(read_sparql("place-events"))):
            if row.get("casualty") is not None:
                casualty.add(_v(row, "claim"))
            else:
                placed.append((_v(row, "place"), _v(row, "claim"), _v(row, "start")))
        for place, claim, start in placed:
            if claim not in casualty:
                events[place].append((start, claim))
        section = Section(id="map", kind="map", group="map", title="Where it happened",
                          columns=["place", "type", "event claims", "in focus"])  # fmt: skip
        points = []
        for row in rows(self.run(read_sparql("map-places"))):
            match = _POINT.fullmatch(_v(row, "point"))
            kind = _v(row, "type").rsplit("#", 1)[-1]
            if match is None or kind == "Country":
                continue  # a country is drawn as its outline, not a point
            place = _v(row, "place")
            lon, lat = float(match.group(1)), float(match.group(2))
            found = sorted(events.get(place, ()), reverse=True)
            latest = [claim for _, claim in found[:MAP_CLAIMS_PER_PLACE]]
            name = self.label(place)
            note = (f"The latest {len(latest)} of {len(found)} event claims; "
                    f"kg query events -p place=\"{name}\" lists them all."
                    if len(found) > len(latest) else "")  # fmt: skip
            key = self.add_mark(
                Mark(self.key(), name, [name, kind, str(len(found)),
                                        "yes" if place in focus else ""],
                     iri=place, note=note), latest)  # fmt: skip
            points.append({"k": key, "name": name, "lon": lon, "lat": lat, "type": kind,
                           "events": len(found), "focus": place in focus})  # fmt: skip
        points.sort(key=lambda p: (-p["events"], p["name"]))
        section.marks = [p["k"] for p in points]
        section.rows = points
        self.data.sections.append(section)

    # -- claims and documents

    def fetch_claims(self) -> None:
        wanted = sorted({c for claims in self.wanted.values() for c in claims})
        found: dict[str, dict[str, Term | None]] = {}
        texts = [with_items(read_sparql("claims"), "claim", wanted[i : i + CHUNK])
                 for i in range(0, len(wanted), CHUNK)]  # fmt: skip
        for text in texts:
            self.prefetch(text)
        for text in texts:
            for row in rows(self.run(text)):
                found.setdefault(_v(row, "claim"), row)
        docs = sorted({_v(r, "doc") for r in found.values()})
        info: dict[str, dict[str, Term | None]] = {}
        for i in range(0, len(docs), CHUNK):
            for row in rows(self.run(with_items(read_sparql("documents"), "doc",
                                                   docs[i : i + CHUNK]))):  # fmt: skip
                info[_v(row, "doc")] = row
        doc_index: dict[str, int] = {}
        for iri in sorted(docs, key=lambda d: (_v(info.get(d, {}), "issued"), d)):
            row = info.get(iri, {})
            doc_index[iri] = len(self.data.documents)
            self.data.documents.append(Document(
                id=iri.removeprefix(DOC), title=_v(row, "title"), issued=_v(row, "issued")[:10],
                publisher=self.label(_v(row, "publisher")) if row.get("publisher") else "",
            ))  # fmt: skip
        claim_index: dict[str, int] = {}
        order = sorted(found, key=lambda c: (doc_index[_v(found[c], "doc")],
                                             int(_v(found[c], "quoteStart") or 0), c))  # fmt: skip
        for iri in order:
            row = found[iri]
            claim_index[iri] = len(self.data.claims)
            self.data.claims.append(Claim(
                iri=iri, quote=_v(row, "quote"), start=int(_v(row, "quoteStart") or 0),
                end=int(_v(row, "quoteEnd") or 0), document=doc_index[_v(row, "doc")],
                claimant=self.label(_v(row, "claimant")),
                polarity=_v(row, "polarity").rsplit("#", 1)[-1].lower(),
            ))  # fmt: skip
        for key, claims in self.wanted.items():
            self.data.marks[key].claims = sorted(claim_index[c] for c in claims
                                                 if c in claim_index)  # fmt: skip


# --- entry point -------------------------------------------------------------


def read_report(
    canned: CannedRunner, sparql: Runner, *, source: str,
    places: Sequence[str] = (), build_dir: Path | None = None,
) -> ReportData:  # fmt: skip
    """Everything the report shows, read with ``canned`` (name, params) and ``sparql`` (text).

    ``places``: the places to focus on (labels, aliases or IRIs): their control
    timelines come first and the event and casualty timelines are theirs. None
    given: Kidal, then every other place with control periods (events and
    casualties of Kidal only). An unknown place is a QueryError naming it.
    """
    reader = Sections(canned, sparql, source)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="kg-report") as pool:
        reader.pool = pool
        try:
            return _read(reader, places, build_dir)
        finally:
            for future in reader.pending.values():  # left by an error: not worth running
                future.cancel()


def _read(reader: Sections, places: Sequence[str], build_dir: Path | None) -> ReportData:
    """:func:`read_report` with the queries started ahead, two at a time, in ``reader.pool``:
    the store (or endpoint) answers one while the other's rows are read."""
    from kg.queries import LOOKUP, EntityIndex, Param, read_entity_index

    sparql = reader.sparql
    index = (read_entity_index(build_dir) if build_dir is not None else None) or \
        EntityIndex.from_result(sparql(LOOKUP))  # fmt: skip
    param = Param("place", "entity")
    names = list(places) or list(DEFAULT_FOCUS)
    focus: list[tuple[str, str]] = []
    for name in names:
        try:
            iri = index.resolve(param, name).value
        except QueryError as error:
            raise QueryError(f"--place {name!r}: {error}") from None
        if iri not in {f[0] for f in focus}:
            focus.append((iri, index.name(iri)))
    reader.load_labels()
    reader.data.focus = [label for _, label in focus]
    control = list(focus)
    if not places:
        others = [(_v(r, "place"), reader.label(_v(r, "place")))
                  for r in rows(sparql(read_sparql("control-places")))]  # fmt: skip
        others.sort(key=lambda p: p[1].casefold())
        control += [p for p in others if p[0] not in {f[0] for f in focus}]
    for iri, _ in control:
        reader.prefetch("control-timeline", {"place": iri})
    for name in ("period-claims", "alliances", "offices"):
        reader.prefetch(read_sparql(name))
    for iri, _ in focus:
        reader.prefetch("events", {"place": iri})
        reader.prefetch("casualty-claims", {"place": iri})
    reader.prefetch(read_sparql("place-events"))
    reader.prefetch(read_sparql("event-claims"))
    reader.prefetch(read_sparql("map-places"))
    reader.control(control)
    reader.membership()
    reader.offices()
    reader.events(focus)
    reader.casualties(focus)
    reader.places_map({iri for iri, _ in focus})
    reader.fetch_claims()
    return reader.data
