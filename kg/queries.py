"""Canned questions: ``queries/*.rq`` with grlc-style headers, bound safely, rendered.

A query file starts with ``#+ key: value`` header lines (grlc's convention)::

    #+ summary: Who controlled a place on a date
    #+ params: place:entity=kidal, date:date, to?:date
    #+ tags: control, places
    #+ bind: values

A parameter is ``name:type[=default]``, or ``name?:type`` when optional; the
types are ``entity`` (a label, an alias or an IRI, resolved against the
store), ``date`` (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) and ``string``.
Values are never spliced into the text: the runner binds them as RDF terms
(pyoxigraph substitutions, or strictly serialized VALUES on an endpoint).
``#+ bind: values`` makes the embedded store get a VALUES block as well: its
query planner sees a VALUES block but not substitutions, which helps some
queries several-fold and slows others as much, so each query says which it
wants (default ``substitutions``). A ``bind: values`` query need not project
its parameters, and an optional parameter that is not given is bound to the
empty string (``?name`` and, for a date, ``?nameEnd``), on every store: a
branch of the query can then tell by a plain join (``VALUES ?name { "" }``)
that it was not given, where a test in a nested FILTER could not (VALUES
semantics); ``COALESCE(STR(?name), "") = ""`` tests it in both modes.

Sections: lines between ``#+ if: name`` and ``#+ end`` are sent only when the
optional parameter ``name`` is given, those between ``#+ if: -name`` and
``#+ end`` only when it is not; a ``UNION`` line right before or after a
section that is left out goes with it. So a query written as
``{ anchored on ?place } UNION { everything }``, both sections marked, is
correct as a whole (the file is plain SPARQL) and the runner sends only the
branch that can match: a union with a branch that ignores ``?place`` would
make pyoxigraph evaluate the anchored branch unbound.
A date binds ``?name`` to its first day and ``?nameEnd`` to its last day, both
``xsd:date``, so ``2013`` matches every period that overlaps the year.
A bound variable must be in the SELECT projection (SPARQL SEP-0007, which
pyoxigraph follows); :func:`run_query` drops those columns from the result.
Inside a query a parameter is used in triple patterns, in top-level FILTERs
or in EXISTS, never in a FILTER nested in a UNION branch or subquery, so that
native binding and VALUES injection give the same answers.

>>> span = parse_date("2012-03", "date")
>>> span.earliest.isoformat(), span.latest.isoformat(), span.precision
('2012-03-01', '2012-03-31', 'month')
>>> fold("  Cadre STRATÉGIQUE  permanent ")
'cadre strategique permanent'
"""

from __future__ import annotations

import calendar
import difflib
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kg.errors import KgError, QueryError
from kg.iris import slugify
from kg.model import QueryResult, Term, TimeSpan
from kg.vocab import AGENT_CLASSES, EVENT_CLASSES, ID, PLACE_CLASSES, PREFIXES, SK, SKOS, XSD

__all__ = [
    "Param", "CannedQuery", "PARAM_TYPES", "FORMATS", "list_queries", "get_query",
    "clear_entity_cache", "LOOKUP",
    "describe_param", "parse_date", "fold", "bind_params", "given_params", "EntityIndex",
    "entity_resolver", "ENTITY_INDEX", "entity_index_path", "write_entity_index",
    "read_entity_index", "drop_entity_index",
    "run_query", "run_sparql", "drop_columns", "render",
]  # fmt: skip

PARAM_TYPES = ("entity", "date", "string")
HEADER_KEYS = ("summary", "description", "params", "tags", "bind")
#: How the embedded store receives the parameters (``#+ bind:``); endpoints always get VALUES.
BIND_MODES = ("substitutions", "values")
FORMATS = ("table", "csv", "tsv", "json")
#: Entity parameters whose name says which classes fit (sk: local names); others take any entity.
FITTING_CLASSES: dict[str, tuple[str, ...]] = {
    "place": PLACE_CLASSES, "alliance": ("Alliance",), "event": EVENT_CLASSES,
    "actor": AGENT_CLASSES, "controller": AGENT_CLASSES,
}  # fmt: skip
XSD_STRING = XSD + "string"

_HEADER = re.compile(r"#\+\s*([A-Za-z][\w-]*)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(r"([a-z][A-Za-z0-9_]*)\s*(\?)?\s*:\s*([a-z]+)\s*(?:=\s*(.*))?")
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_TYPOGRAPHIC = str.maketrans("’‘–—", "''--")  # folded like their ASCII twins
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
_SECTION = re.compile(r"\s*#\+\s*if\s*:\s*(-?)\s*([a-z][A-Za-z0-9_]*)\s*")
_SECTION_END = re.compile(r"\s*#\+\s*end\s*")
_UNION_LINE = re.compile(r"\s*UNION\s*", re.IGNORECASE)


# --- query files -----------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """A declared parameter: ``place:entity=kidal`` or ``date?:date``."""

    name: str
    type: str
    default: str | None = None
    optional: bool = False


@dataclass(frozen=True)
class CannedQuery:
    """One ``queries/<name>.rq``: its header and its SPARQL text."""

    name: str
    summary: str
    params: tuple[Param, ...]
    path: Path
    text: str
    tags: tuple[str, ...] = ()
    description: str = ""
    bind: str = "substitutions"

    def text_for(self, given: set[str] | frozenset[str]) -> str:
        """The text to send when the parameters named in ``given`` have values (see Sections)."""
        return _select_sections(self.text, given)

    def param_variables(self) -> frozenset[str]:
        """Variables the runner may bind: each parameter, and ``<name>End`` for dates."""
        names = {p.name for p in self.params}
        return frozenset(names | {p.name + "End" for p in self.params if p.type == "date"})


def _queries_dir(directory: Path | str | None) -> Path:
    if directory is not None:
        return Path(directory)
    from kg.resources import resource_path

    return resource_path("queries")


def list_queries(dir: Path | str | None = None) -> list[CannedQuery]:  # noqa: A002
    """Every ``*.rq`` of the folder (default: the shipped queries/), sorted by name."""
    folder = _queries_dir(dir)
    if not folder.is_dir():
        raise QueryError(f"No query folder at {folder}: it should hold the canned *.rq files.")
    return [parse_query_file(path) for path in sorted(folder.glob("*.rq"))]


def get_query(name: str, dir: Path | str | None = None) -> CannedQuery:  # noqa: A002
    """The canned query called ``name``; an unknown name lists the available ones."""
    queries = {q.name: q for q in list_queries(dir)}
    if name in queries:
        return queries[name]
    hint = difflib.get_close_matches(name, list(queries), n=1)
    suggestion = f" Did you mean '{hint[0]}'?" if hint else ""
    raise QueryError(f"Unknown query '{name}'. Available: {', '.join(queries)}.{suggestion}")


def parse_query_file(path: Path) -> CannedQuery:
    """Read one .rq file; a malformed header raises QueryError naming ``file:line``."""
    text = path.read_text(encoding="utf-8")
    if not _NAME.fullmatch(path.stem):
        raise QueryError(f"{path}: a query file name is lower-case words joined by '-'.")
    header: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break  # the header is the leading block of comment lines
        if not stripped.startswith("#+"):
            continue
        match = _HEADER.fullmatch(stripped)
        if match is None:
            raise QueryError(f"{path}:{number}: header line is not '#+ key: value': {stripped!r}")
        key, value = match.group(1), match.group(2)
        if key not in HEADER_KEYS:
            raise QueryError(f"{path}:{number}: unknown header key '{key}'; use one of "
                             f"{', '.join(HEADER_KEYS)}")  # fmt: skip
        if key in header:
            raise QueryError(f"{path}:{number}: header key '{key}' given twice")
        header[key] = (number, value)
    return _canned(path, text, header)


def _canned(path: Path, text: str, header: dict[str, tuple[int, str]]) -> CannedQuery:
    summary = header.get("summary", (1, ""))[1]
    if not summary:
        raise QueryError(f"{path}:1: missing '#+ summary: ...' line (kg queries shows it)")
    body = _code(text)
    if not _ORDER_BY.search(body):
        raise QueryError(f"{path}: no ORDER BY; every canned query orders its rows")
    line, spec = header.get("params", (0, ""))
    params = _parse_params(spec, f"{path}:{line}")
    for p in params:
        if not any(_uses(body, v) for v in (p.name, p.name + "End")):
            raise QueryError(f"{path}:{line}: parameter '{p.name}' is not used as ?{p.name} "
                             "in the query")  # fmt: skip
    _check_sections(path, text, {p.name for p in params if p.optional})
    tags = tuple(t for t in (s.strip() for s in _unbracket(header.get("tags", (0, ""))[1])) if t)
    line, bind = header.get("bind", (0, BIND_MODES[0]))
    if bind not in BIND_MODES:
        raise QueryError(f"{path}:{line}: bind is '{bind}'; use one of {', '.join(BIND_MODES)}")
    return CannedQuery(path.stem, summary, params, path, text, tags,
                       header.get("description", (0, ""))[1], bind)  # fmt: skip


def _check_sections(path: Path, text: str, optional: set[str]) -> None:
    """``#+ if: [-]name`` / ``#+ end`` pairs, not nested, each naming an optional parameter."""
    opened = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _SECTION.fullmatch(line):
            if opened:
                raise QueryError(f"{path}:{number}: '#+ if:' inside the section of line {opened}")
            if match.group(2) not in optional:
                raise QueryError(f"{path}:{number}: section on '{match.group(2)}', which is not "
                                 "an optional parameter")  # fmt: skip
            opened = number
        elif _SECTION_END.fullmatch(line):
            if not opened:
                raise QueryError(f"{path}:{number}: '#+ end' without '#+ if:'")
            opened = 0
    if opened:
        raise QueryError(f"{path}:{opened}: '#+ if:' without '#+ end'")


def _select_sections(text: str, given: set[str] | frozenset[str]) -> str:
    lines = text.splitlines(keepends=True)
    keep = [True] * len(lines)
    start: int | None = None
    for i, line in enumerate(lines):
        if match := _SECTION.fullmatch(line.rstrip("\r\n")):
            start, wanted = i, (match.group(2) in given) != bool(match.group(1))
        elif _SECTION_END.fullmatch(line.rstrip("\r\n")) and start is not None:
            if not wanted:
                keep[start : i + 1] = [False] * (i + 1 - start)
                _drop_union(lines, keep, start, i)
            start = None
    return "".join(line for line, k in zip(lines, keep, strict=True) if k)


def _drop_union(lines: list[str], keep: list[bool], start: int, end: int) -> None:
    """Leave out the UNION line joining a left-out section to its neighbour (before, else after)."""
    for step, at in ((-1, start - 1), (1, end + 1)):
        while 0 <= at < len(lines) and keep[at] and not lines[at].strip():
            at += step
        if 0 <= at < len(lines) and keep[at] and _UNION_LINE.fullmatch(lines[at].rstrip("\r\n")):
            keep[at] = False
            return


def _unbracket(spec: str) -> list[str]:
    spec = spec.strip()
    if spec.startswith("[") and spec.endswith("]"):
        spec = spec[1:-1]
    return spec.split(",") if spec.strip() else []


def _parse_params(spec: str, where: str) -> tuple[Param, ...]:
    params: list[Param] = []
    for item in _unbracket(spec):
        match = _PARAM.fullmatch(item.strip())
        if match is None:
            raise QueryError(f"{where}: parameter {item.strip()!r} is not name:type[=default] "
                             "or name?:type")  # fmt: skip
        name, optional, kind, default = match.groups()
        if kind not in PARAM_TYPES:
            raise QueryError(f"{where}: parameter '{name}' has unknown type '{kind}'; types: "
                             f"{', '.join(PARAM_TYPES)}")  # fmt: skip
        if optional and default is not None:
            raise QueryError(f"{where}: parameter '{name}' is optional and has a default; "
                             "give one or the other")  # fmt: skip
        if any(p.name == name for p in params):
            raise QueryError(f"{where}: parameter '{name}' declared twice")
        default = default.strip() if default is not None else None
        if kind == "date" and default is not None:
            try:
                parse_date(default, name)
            except QueryError as error:
                raise QueryError(f"{where}: default of {error}") from None
        params.append(Param(name, kind, default, bool(optional)))
    return tuple(params)


def _code(text: str) -> str:
    """The query without its full-line comments (header included)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _uses(body: str, variable: str) -> bool:
    return re.search(rf"[?$]{re.escape(variable)}(?![A-Za-z0-9_])", body) is not None


def describe_param(param: Param) -> str:
    """``place (entity, default kidal)``, ``date (date, optional)``."""
    extra = ", optional" if param.optional else ""
    if param.default is not None:
        extra = f", default {param.default}"
    return f"{param.name} ({param.type}{extra})"


# --- parameter values ------------------------------------------------------


def parse_date(text: str, name: str) -> TimeSpan:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` as a span; anything else names the parameter."""
    match = _DATE.fullmatch(text.strip())
    problem = "use YYYY-MM-DD, YYYY-MM or YYYY"
    if match:
        year, month, day = match.groups()
        try:
            return _span(int(year), int(month) if month else None, int(day) if day else None)
        except (ValueError, calendar.IllegalMonthError):
            problem = "no such day in the calendar"
    raise QueryError(f"parameter '{name}': {text.strip()!r} is not a valid date ({problem})")


def _span(year: int, month: int | None, day: int | None) -> TimeSpan:
    if month is None:
        return TimeSpan(date(year, 1, 1), date(year, 12, 31), "year")
    if day is None:
        last = calendar.monthrange(year, month)[1]
        return TimeSpan(date(year, month, 1), date(year, month, last), "month")
    return TimeSpan(date(year, month, day), date(year, month, day), "day")


def fold(text: str) -> str:
    """Case, accents, typographic quotes and runs of spaces ignored."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.translate(_TYPOGRAPHIC)
    return " ".join(bare.casefold().split())


Resolver = Callable[[Param, str], Term]


def bind_params(
    query: CannedQuery, raw: Mapping[str, str], resolve_entity: Resolver
) -> dict[str, Term]:
    """Check and convert raw ``name=value`` strings into the terms to bind, by variable name.

    ``resolve_entity(param, value)`` turns an entity value into an IRI term (see
    :class:`EntityIndex`). Unknown or missing parameters and bad values raise
    QueryError listing what is valid.
    """
    declared = {p.name: p for p in query.params}
    for name in raw:
        if name not in declared:
            valid = ", ".join(declared) or "none (this query takes no parameters)"
            hint = difflib.get_close_matches(name, list(declared), n=1)
            tip = f" Did you mean '{hint[0]}'?" if hint else ""
            raise QueryError(f"Unknown parameter '{name}' for query '{query.name}'. "
                             f"Valid parameters: {valid}.{tip}")  # fmt: skip
    body, terms = _code(query.text), dict[str, Term]()
    for p in query.params:
        value = raw.get(p.name)
        if value is not None and not value.strip():
            instead = f"its default ({p.default})" if p.default else "no value"
            raise QueryError(f"Parameter '{p.name}' of query '{query.name}' is empty: give it a "
                             f"value ({p.name}=VALUE) or leave it out for {instead}.")  # fmt: skip
        if value is None:
            value = p.default
        if value is None:
            if p.optional:
                terms.update(_absent(p, body) if query.bind == "values" else {})
                continue
            raise QueryError(f"Query '{query.name}' needs parameter '{p.name}' ({p.type}): "
                             f"give it as {p.name}=VALUE")  # fmt: skip
        for variable, term in _terms(p, value, resolve_entity):
            if _uses(body, variable):
                terms[variable] = term
    _check_range(query, raw)
    return terms


#: Date parameters that bound a range: (start, end); a start after its end finds nothing.
DATE_RANGES = (("from", "to"),)


def _check_range(query: CannedQuery, raw: Mapping[str, str]) -> None:
    """A ``from`` later than its ``to`` is an error, not an empty answer."""
    kinds = {p.name: p.type for p in query.params}
    for start, end in DATE_RANGES:
        if kinds.get(start) == kinds.get(end) == "date" and raw.get(start) and raw.get(end):
            first, last = parse_date(raw[start], start), parse_date(raw[end], end)
            if first.earliest > last.latest:
                raise QueryError(
                    f"Query '{query.name}': '{start}' ({raw[start].strip()}) is after '{end}' "
                    f"({raw[end].strip()}), so no date can be in the range; swap the two."
                )


def given_params(query: CannedQuery, raw: Mapping[str, str]) -> set[str]:
    """The parameters that have a value: given in ``raw`` (not blank) or by default."""
    return {p.name for p in query.params if (raw.get(p.name) or "").strip() or p.default}


def _absent(p: Param, body: str) -> dict[str, Term]:
    """The empty-string binding of an optional parameter not given (``bind: values`` queries)."""
    names = (p.name, p.name + "End") if p.type == "date" else (p.name,)
    return {name: Term("literal", "") for name in names if _uses(body, name)}


def _terms(p: Param, value: str, resolve_entity: Resolver) -> list[tuple[str, Term]]:
    if p.type == "entity":
        return [(p.name, resolve_entity(p, value))]
    if p.type == "date":
        span = parse_date(value, p.name)
        first, last = span.earliest.isoformat(), span.latest.isoformat()
        return [(p.name, Term("literal", first, XSD + "date")),
                (p.name + "End", Term("literal", last, XSD + "date"))]  # fmt: skip
    return [(p.name, Term("literal", value))]


# --- entity resolution -----------------------------------------------------

LOOKUP = f"""PREFIX skos: <{SKOS}>
SELECT DISTINCT ?entity ?kind ?label ?type WHERE {{
  {{ GRAPH ?g {{ ?entity ?kind ?label }}
     VALUES ?kind {{ skos:prefLabel skos:altLabel skos:hiddenLabel }} }}
  UNION
  {{ GRAPH ?g {{ ?entity skos:prefLabel ?any }} GRAPH ?h {{ ?entity a ?type }} }}
}}
"""  # no ORDER BY or FILTER: on an on-disk store sorting strings costs ~100 ms; Python sorts
_RANK = {SKOS + "prefLabel": 0, SKOS + "altLabel": 1, SKOS + "hiddenLabel": 2}
_IRI = re.compile(r"<?((?:https?|urn):[^\s<>\"{}|\\^`]+)>?")
_PREFIXED = re.compile(r"([a-z][a-z0-9]*):([A-Za-z0-9_][A-Za-z0-9_.~-]*)")
_NAMELIKE = re.compile(r"[\w\s'’.()-]+")
Candidate = tuple[int, str]  # (label rank: pref 0, alt 1, hidden 2, key 3; IRI)


@dataclass
class EntityIndex:
    """Labels, aliases and types of the entities of one store, for resolving values."""

    by_label: dict[str, set[Candidate]] = field(default_factory=dict)
    by_slug: dict[str, set[Candidate]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # IRI -> display label
    types: dict[str, set[str]] = field(default_factory=dict)  # IRI -> sk: class local names

    @classmethod
    def from_result(cls, result: QueryResult) -> EntityIndex:
        """Build from the rows of :data:`LOOKUP` (entity, kind, label, type)."""
        index, english = cls(), dict[str, str]()
        for entity, kind, label, kls in sorted(result.rows, key=_row_key):
            if entity is None or entity.kind != "iri" or not entity.value.startswith(ID):
                continue
            iri = entity.value
            index.types.setdefault(iri, set())
            if kls is not None and kls.value.startswith(SK):
                index.types[iri].add(kls.value[len(SK) :])
            if kind is None or label is None:
                continue
            rank = _RANK.get(kind.value, 2)
            index.by_label.setdefault(fold(label.value), set()).add((rank, iri))
            index.by_slug.setdefault(slugify(label.value), set()).add((rank, iri))
            if rank == 0 and (label.lang or "en").startswith("en"):
                english.setdefault(iri, label.value)
            if rank == 0:
                index.names.setdefault(iri, label.value)
        index.names.update(english)
        return index

    def to_json(self) -> dict[str, Any]:
        """The index as plain JSON values, every list sorted (see :func:`write_entity_index`)."""
        return {
            "by_label": {k: sorted(map(list, v)) for k, v in sorted(self.by_label.items())},
            "by_slug": {k: sorted(map(list, v)) for k, v in sorted(self.by_slug.items())},
            "names": dict(sorted(self.names.items())),
            "types": {k: sorted(v) for k, v in sorted(self.types.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EntityIndex:
        """The inverse of :meth:`to_json`."""

        def candidates(table: Mapping[str, Any]) -> dict[str, set[Candidate]]:
            return {k: {(int(rank), str(iri)) for rank, iri in v} for k, v in table.items()}

        return cls(candidates(data["by_label"]), candidates(data["by_slug"]),
                   {str(k): str(v) for k, v in data["names"].items()},
                   {str(k): set(v) for k, v in data["types"].items()})  # fmt: skip

    def name(self, iri: str) -> str:
        return self.names.get(iri) or iri.removeprefix(ID)

    def resolve(self, param: Param, value: str) -> Term:
        """An IRI as given, or the entity labelled ``value`` (case and accents ignored)."""
        text = value.strip()
        iri = _as_iri(text)
        if iri is not None:
            return Term("iri", iri)
        candidates = self.by_label.get(fold(text), set())
        if not candidates and _NAMELIKE.fullmatch(text):
            slug = slugify(text)
            candidates = self.by_slug.get(slug, set()) or (
                {(3, ID + slug)} if ID + slug in self.types else set()
            )
        if not candidates:
            raise self._unknown(param, text)
        return Term("iri", self._choose(param, text, candidates))

    def _fits(self, param: Param, iri: str) -> bool:
        wanted = FITTING_CLASSES.get(param.name)
        return wanted is None or bool(self.types.get(iri, set()) & set(wanted))

    def _choose(self, param: Param, text: str, candidates: set[Candidate]) -> str:
        fitting = {c for c in candidates if self._fits(param, c[1])}
        if not fitting:
            found = ", ".join(f"{self.name(i)} ({_kinds(self.types.get(i))})"
                              for i in sorted({c[1] for c in candidates}))  # fmt: skip
            wanted = ", ".join(FITTING_CLASSES.get(param.name, ()))
            raise QueryError(f"'{text}' for parameter '{param.name}' names {found}; '{param.name}' "
                             f"takes: {wanted}. {self._choices(param, text)}")  # fmt: skip
        best = min(rank for rank, _ in fitting)
        top = sorted({iri for rank, iri in fitting if rank == best})
        if len(top) > 1 and ID + slugify(text) in top:
            top = [ID + slugify(text)]
        if len(top) > 1:
            options = "; ".join(f"{self.name(i)} <{i}>" for i in top)
            raise QueryError(f"'{text}' for parameter '{param.name}' is ambiguous: {options}. "
                             "Give the IRI or a more precise label.")  # fmt: skip
        return top[0]

    def _unknown(self, param: Param, text: str) -> QueryError:
        return QueryError(f"Unknown {param.name} '{text}' for parameter '{param.name}'. "
                          f"{self._choices(param, text)}")  # fmt: skip

    def _choices(self, param: Param, text: str) -> str:
        fitting = sorted({i for i in self.types if self._fits(param, i) and i in self.names},
                         key=lambda i: (fold(self.name(i)), i))  # fmt: skip
        fits = set(fitting)
        labels = {k: c for k, c in self.by_label.items() if any(i in fits for _, i in c)}
        close = close_labels(fold(text), labels)
        hinted = sorted({self.name(i) for k in close for _, i in labels[k] if i in fits})
        hint = f"Did you mean: {', '.join(hinted)}? " if hinted else ""
        if not self.types:
            return ("The store holds no entities at all: it is empty (emptied by a SPARQL "
                    "Update?); run `kg build`.")  # fmt: skip
        if param.name in FITTING_CLASSES and len(fitting) <= 60:
            listing = f"Valid choices: {', '.join(self.name(i) for i in fitting)}"
        else:
            listing = f"{len(fitting)} entities known"
        return f"{hint}{listing} (or any of their aliases, or an IRI)."


def close_labels(text: str, labels: Iterable[str], n: int = 5) -> list[str]:
    """Labels close enough to ``text`` (folded) to be what was meant: a typo (similarity
    0.75 or more: ``kidl`` -> ``kidal``, ``timbuctu`` -> ``timbuktu``) or a label whose
    words are all in ``text``, or all of ``text``'s in it (``bamako city`` -> ``bamako``,
    ``assimi`` -> ``assimi goita``). Mere shared letters are not enough (``atlantis`` is
    not ``malians``).

    >>> close_labels("atlantis", ["mali", "malians", "italians"])
    []
    >>> close_labels("bamako city", ["bamako", "bamako junta", "kidal"])
    ['bamako']
    """
    pool = sorted(labels)  # the answer must not depend on the order labels come in
    found = difflib.get_close_matches(text, pool, n=n, cutoff=0.75)
    words = {w for w in re.findall(r"\w+", text) if len(w) >= 3}
    for label in pool:
        theirs = {w for w in re.findall(r"\w+", label) if len(w) >= 3}
        if words and theirs and (words <= theirs or theirs <= words) and label not in found:
            found.append(label)
    return found[:n]


def _row_key(row: tuple[Term | None, ...]) -> tuple[tuple[str, str, str], ...]:
    return tuple((t.value, t.lang or "", t.datatype or "") if t else ("", "", "") for t in row)


def _kinds(types: set[str] | None) -> str:
    return ", ".join(sorted(types or ())) or "no type"


def _as_iri(text: str) -> str | None:
    """``<https://...>``, ``https://...``, ``urn:...`` or a known prefix (``id:kidal``)."""
    prefixed = _PREFIXED.fullmatch(text)
    if prefixed and prefixed.group(1) in PREFIXES:
        return PREFIXES[prefixed.group(1)] + prefixed.group(2)
    match = _IRI.fullmatch(text)
    if match and text.startswith("<") == text.endswith(">"):
        return match.group(1)
    return None


Runner = Callable[[str, Mapping[str, Term] | None], QueryResult]
_INDEXES: dict[Any, tuple[object, EntityIndex]] = {}  # cache key -> (store kept alive, index)


def entity_resolver(
    run: Runner, cache_key: Any, keep: object = None, build_dir: Path | str | None = None
) -> Resolver:
    """A resolver that loads the :class:`EntityIndex` once per store (lazily, on first use).

    With ``build_dir`` (the embedded store of a build) it reads the build's
    ``entities.json`` when that is fresh (:func:`read_entity_index`), and runs
    :data:`LOOKUP` otherwise.
    """

    def resolve(param: Param, value: str) -> Term:
        iri = _as_iri(value.strip())
        if iri is not None:
            return Term("iri", iri)
        if cache_key not in _INDEXES:
            if len(_INDEXES) >= 8:
                _INDEXES.pop(next(iter(_INDEXES)))
            index = read_entity_index(build_dir) if build_dir is not None else None
            _INDEXES[cache_key] = (keep, index or EntityIndex.from_result(run(LOOKUP, None)))
        return _INDEXES[cache_key][1].resolve(param, value)

    return resolve


# --- the entity index file of a build ----------------------------------------------

#: The build's entity index, in its store's folder (so it moves with the store, and the
#: build folder holds what it always held): what :class:`EntityIndex` holds, as JSON.
ENTITY_INDEX = "entities.json"
_INDEX_FORMAT = "sahel-kg entity index 1"
_STORE_LOGS = re.compile(r"LOG(?:\..*)?")  # RocksDB's info logs, not data


def entity_index_path(build_dir: Path | str) -> Path:
    """``build/store/entities.json``."""
    return Path(build_dir) / "store" / ENTITY_INDEX


def write_entity_index(build_dir: Path | str, store: Any = None) -> Path:
    """Write ``build_dir/store/entities.json``: the :class:`EntityIndex` of the build's store.

    It is made from the rows of :data:`LOOKUP` on that store, so it resolves
    exactly as LOOKUP does; the bytes depend on the store's content only (keys
    and lists sorted). Call it once the store is complete and closed: the file
    counts as fresh only while no file of ``store/`` is newer than it
    (:func:`read_entity_index`), so opening the store for writing (an update)
    retires it. ``store`` is the opened store, when the caller has it.
    """
    from kg import store as embedded

    opened = store if store is not None else embedded.open_store(Path(build_dir))
    index = EntityIndex.from_result(embedded.select(opened, LOOKUP))
    document = {"format": _INDEX_FORMAT, **index.to_json()}
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    path = entity_index_path(build_dir)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path


def read_entity_index(build_dir: Path | str) -> EntityIndex | None:
    """The build's entity index, or None when it is absent, unreadable or stale.

    Stale: some other file of ``store/`` (RocksDB's info logs aside) was written at or
    after the index, which any writable opening of the store does (a read-only
    one writes nothing). Costs a directory listing and the JSON parse.
    """
    path = entity_index_path(build_dir)
    try:
        written = path.stat().st_mtime_ns
        with os.scandir(Path(build_dir) / "store") as entries:
            if any(e.stat().st_mtime_ns >= written for e in entries
                   if not _STORE_LOGS.fullmatch(e.name) and e.name != path.name
                   and not e.name.startswith(".")):  # fmt: skip
                return None
        document = json.loads(path.read_bytes())
        if document.get("format") != _INDEX_FORMAT:
            return None
        return EntityIndex.from_json(document)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def drop_entity_index(build_dir: Path | str) -> None:
    """Remove the build's entity index (before its store is changed)."""
    entity_index_path(build_dir).unlink(missing_ok=True)


def clear_entity_cache() -> None:
    """Forget the cached entity indexes (after a store or an endpoint changed its data)."""
    _INDEXES.clear()


# --- running ---------------------------------------------------------------


def _runner(
    store: Any, endpoint: str | None, build_dir: Path | str | None,
    timeout: float | None, user: str | None, password: str | None,
) -> tuple[Runner, Any, object]:  # fmt: skip
    """A function running SPARQL with bindings on the endpoint or the (opened) store."""
    extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
    if endpoint is not None:
        from kg.endpoint import select_remote

        def remote(sparql: str, substitutions: Mapping[str, Term] | None) -> QueryResult:
            return select_remote(endpoint, sparql, substitutions=dict(substitutions or {}),
                                 user=user, password=password, **extra)  # fmt: skip

        return remote, ("endpoint", endpoint, user), None
    from kg import store as embedded

    if store is None:
        store = embedded.open_store(Path(build_dir or "build"))

    def local(sparql: str, substitutions: Mapping[str, Term] | None) -> QueryResult:
        return embedded.select(store, sparql, substitutions=dict(substitutions or {}), **extra)

    return local, ("store", id(store)), store


def run_query(
    name: str, params: Mapping[str, str] | None = None, *, store: Any = None,
    endpoint: str | None = None, build_dir: Path | str | None = None,
    timeout: float | None = None, user: str | None = None, password: str | None = None,
    queries_dir: Path | str | None = None,
) -> QueryResult:  # fmt: skip
    """Run canned query ``name`` with raw ``name=value`` params on a store or an endpoint.

    Without ``store`` or ``endpoint`` it opens ``build_dir`` (default ``build/``).
    The bound parameter columns are dropped from the result (the caller knows them).
    """
    query = get_query(name, queries_dir)
    raw = dict(params or {})
    if "asof" in raw:  # every query: answered from the documents published by then (kg.asof)
        from kg.asof import parse_asof, store_as_of

        day = parse_asof(raw.pop("asof"))
        if store is not None or endpoint is not None:
            raise QueryError("Parameter asof needs the build folder (-b), not an endpoint or a "
                             "store: only the build keeps its documents apart; drop --endpoint")
        store = store_as_of(Path(build_dir or "build"), day)
    run, key, keep = _runner(store, endpoint, build_dir, timeout, user, password)
    built = Path(build_dir or "build") if store is None and endpoint is None else None
    terms = bind_params(query, raw, entity_resolver(run, key, keep, built))
    text = query.text_for(given_params(query, raw))
    if query.bind == "values" and endpoint is None:
        from kg.endpoint import bind_values

        text, terms = bind_values(text, terms), {}
    return drop_columns(run(text, terms), query.param_variables())


def run_sparql(
    sparql: str, *, store: Any = None, endpoint: str | None = None,
    build_dir: Path | str | None = None, timeout: float | None = None,
    allow_update: bool = False, user: str | None = None, password: str | None = None,
) -> QueryResult:  # fmt: skip
    """Ad-hoc SPARQL: a query on the store or endpoint; Update only on the embedded store."""
    from kg import store as embedded

    if embedded.query_form(sparql) in embedded.UPDATE_FORMS and allow_update:
        if endpoint is not None:
            raise QueryError("SPARQL Update runs only on the embedded store, not on --endpoint.")
        target = store if store is not None else embedded.open_store(
            Path(build_dir or "build"), writable=True)  # fmt: skip
        marked = False
        if store is None:  # a build's store: it will differ from kg.trig, and say so
            built = Path(build_dir or "build")
            drop_entity_index(built)  # it would describe the old data
            marked = not embedded.changed_after_build(built)
            embedded.mark_changed(built, sparql)
        try:
            embedded.update(target, sparql, allow_update=True)
        except KgError:  # refused as a whole (syntax, store error): nothing was changed
            if marked:
                (embedded.store_path(built) / embedded.CHANGED_MARK).unlink(missing_ok=True)
            raise
        clear_entity_cache()
        return QueryResult(("updated",), ((Term("literal", "true", XSD + "boolean"),),))
    run, _, _ = _runner(store, endpoint, build_dir, timeout, user, password)
    return run(sparql, None)


def drop_columns(result: QueryResult, names: Sequence[str] | frozenset[str]) -> QueryResult:
    """The result without the named columns."""
    keep = [i for i, v in enumerate(result.variables) if v not in names]
    return QueryResult(tuple(result.variables[i] for i in keep),
                       tuple(tuple(row[i] for i in keep) for row in result.rows))  # fmt: skip


# --- formats ---------------------------------------------------------------


def render(result: QueryResult, fmt: str) -> str:
    """The result as ``table`` (for people), or ``csv``, ``tsv``, ``json`` (W3C SPARQL 1.1)."""
    renderers = {"table": render_table, "csv": render_csv, "tsv": render_tsv, "json": render_json}
    if fmt not in renderers:
        raise QueryError(f"Unknown format '{fmt}'. Available: {', '.join(FORMATS)}")
    return renderers[fmt](result)


def render_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON Format; deterministic (key order fixed, no timestamps)."""
    bindings = [
        {
            var: _json_term(term)
            for var, term in zip(result.variables, row, strict=True)
            if term is not None
        }
        for row in result.rows
    ]
    document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _json_term(term: Term) -> dict[str, str]:
    if term.kind == "iri":
        return {"type": "uri", "value": term.value}
    if term.kind == "bnode":
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.lang:
        out["xml:lang"] = term.lang
    elif term.datatype and term.datatype != XSD_STRING:
        out["datatype"] = term.datatype
    return out


def render_csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV: plain values, RFC 4180 quoting, CRLF line ends."""
    lines = [",".join(_csv_field(v) for v in result.variables)]
    for row in result.rows:
        lines.append(",".join(_csv_field(_csv_value(t)) for t in row))
    return "".join(line + "\r\n" for line in lines)


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    return "_:" + term.value if term.kind == "bnode" else term.value


def _csv_field(value: str) -> str:
    if any(c in value for c in '",\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


_TURTLE_NUMBER = {
    XSD + "integer": re.compile(r"[+-]?\d+"),
    XSD + "decimal": re.compile(r"[+-]?\d*\.\d+"),
    XSD + "double": re.compile(r"[+-]?(?:\d+\.\d*|\.?\d+)[eE][+-]?\d+"),
    XSD + "boolean": re.compile(r"true|false"),
}
_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def render_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV: ``?var`` header, RDF terms in Turtle syntax, LF line ends."""
    lines = ["\t".join("?" + v for v in result.variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in result.rows]
    return "".join(line + "\n" for line in lines)


def _tsv_term(term: Term | None) -> str:
    if term is None:
        return ""
    if term.kind == "iri":
        return f"<{term.value}>"
    if term.kind == "bnode":
        return "_:" + term.value
    shorthand = _TURTLE_NUMBER.get(term.datatype or "")
    if shorthand is not None and shorthand.fullmatch(term.value):
        return term.value
    quoted = '"' + term.value.translate(_TSV_ESCAPES) + '"'
    if term.lang:
        return f"{quoted}@{term.lang}"
    if term.datatype and term.datatype != XSD_STRING and not term.datatype.endswith("#langString"):
        return f"{quoted}^^<{term.datatype}>"
    return quoted


_CELL_WIDTH = 72


def render_table(result: QueryResult) -> str:
    """Aligned columns for people: labels for IRIs, dates as written, short prefixes.

    ``?x`` with a ``?xLabel`` column shows the label (else ``id:x``); a date
    ``?x`` with a ``?xPrecision`` column shows as written (``2012-03``, ``2014``).
    """
    variables = result.variables
    index = {v: i for i, v in enumerate(variables)}
    hidden = {v for v in variables if _companion(v) in index}
    shown = [v for v in variables if v not in hidden]
    cells = [[_cell(row, v, index) for v in shown] for row in result.rows]
    headers = [_words(v) for v in shown]
    numeric = [all(_is_number(row[index[v]]) for row in result.rows) for v in shown]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    count = len(result.rows)
    out.append("(no results)" if count == 0 else f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(out) + "\n"


def _companion(variable: str) -> str | None:
    """``startLabel`` / ``startPrecision`` -> ``start``: the column they describe."""
    for suffix in ("Label", "Precision"):
        if variable.endswith(suffix) and len(variable) > len(suffix):
            return variable[: -len(suffix)]
    return None


def _cell(row: tuple[Term | None, ...], var: str, index: dict[str, int]) -> str:
    term = row[index[var]]
    label = row[index[var + "Label"]] if var + "Label" in index else None
    if label is not None and label.value:
        text = label.value
    elif term is None:
        text = ""
    elif term.kind == "iri":
        text = _short(term.value)
    elif term.kind == "bnode":
        text = "_:" + term.value
    elif term.datatype == XSD + "date" and var + "Precision" in index:
        precision = row[index[var + "Precision"]]
        width = {"Month": 7, "Year": 4}.get(precision.value.rsplit("#", 1)[-1] if precision else "")
        text = term.value[:width] if width else term.value
    else:
        text = term.value
    text = " ".join(text.split())
    return text if len(text) <= _CELL_WIDTH else text[: _CELL_WIDTH - 1] + "…"


def _short(iri: str) -> str:
    if iri.startswith(SK):
        return iri[len(SK) :]
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return f"<{iri}>"
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best) :]}"


def _words(variable: str) -> str:
    """``jointControllers`` -> ``joint controllers``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", variable).lower()


def _is_number(term: Term | None) -> bool:
    return term is None or (term.kind == "literal" and term.datatype in (
        XSD + "integer", XSD + "decimal", XSD + "double", XSD + "int", XSD + "long"))  # fmt: skip
