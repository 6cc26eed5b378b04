"""Golden results of every canned query over the shipped corpus, on both kinds of store.

The shipped corpus is built once (``kg.pipeline.build``, today = 2026-01-01);
each case below runs on the embedded store and its SPARQL JSON
(``kg.queries.render(result, "json")``) must equal
``tests/golden/queries/<query>[--<case>].json`` byte for byte. The same build
is loaded into a real ``oxigraph serve`` (conftest ``oxigraph_server``) by
``kg.endpoint.load_build``, and every case must give the same rows there.
Hostile parameter values are refused or match nothing, and change neither
store.

Refresh the goldens after a deliberate change, then read the diff:

    .venv/bin/python -m pytest tests/test_golden_queries.py --update-golden
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg import queries
from kg.endpoint import load_build, select_remote
from kg.errors import QueryError
from kg.iris import slugify
from kg.model import QueryResult, Term
from kg.pipeline import build
from kg.store import open_store
from kg.vocab import PREFIXES

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
GOLDEN = ROOT / "tests" / "golden" / "queries"
TODAY = date(2026, 1, 1)
REFRESH = "pytest tests/test_golden_queries.py --update-golden"

# fmt: off
#: (query, parameters): at least one representative case per canned query.
CASES: list[tuple[str, dict[str, str]]] = [
    ("control-timeline", {"place": "Kidal"}),
    ("controller-at", {"place": "Kidal", "date": "2019-06-01"}),
    ("controller-at", {"place": "Kidal", "date": "2023-12-01"}),
    ("alliance-members", {"alliance": "CSP-PSD"}),
    ("alliance-members", {"alliance": "AES"}),
    ("roles", {"entity": "Goita"}),
    ("roles", {"entity": "El Hadj Ag Gamou"}),
    ("events", {"place": "Kidal", "from": "2023-11-01", "to": "2023-11-30"}),
    ("events", {"place": "Kidal", "from": "2023-10-01", "to": "2023-12-31"}),
    ("event-sources", {"event": "Battle of Kidal (2023)"}),
    ("casualty-claims", {}),
    ("casualty-claims", {"place": "Kidal"}),
    ("contested", {}),
    ("contested", {"about": "Kidal"}),
    ("evidence", {"entity": "Wagner"}),
]
#: Columns holding a GROUP_CONCAT list, and its separator: the order of the
#: items is up to the engine, so the server comparison sorts them.
LISTS = {
    "documents": " ", "aDocuments": " ", "bDocuments": " ",
    "jointControllers": ", ", "sideA": ", ", "sideB": ", ", "type": ", ",
    "aClaimants": ", ", "bClaimants": ", ", "casualties": "; ", "disagreements": ", ",
    "events": " ",
}
#: A valid value for each parameter name, used beside a hostile one.
BENIGN = {
    "place": "Kidal", "date": "2023-12-01", "alliance": "CSP-PSD", "entity": "Wagner",
    "from": "2023-11-01", "to": "2023-11-30", "event": "Battle of Kidal (2023)",
    "about": "Kidal",
}
HOSTILE = [
    'kidal" } ; DROP ALL ; #',
    "kidal' } ; DROP ALL ; #",
    "} ; DROP ALL",
    "<http://x> } INSERT DATA { <a> <b> <c> }",
    "<https://w3id.org/sahel-kg/id/kidal> } ; DROP ALL ; #",
    '"',
    "'",
    '""" ; DROP ALL ; """',
    "{ }",
    "}",
    "kidal\n} ; DROP ALL ; #",
    '2023-11-14" } ; DROP ALL ; #',
    "2023-11-14\n} INSERT DATA { <a> <b> <c> }",
    "<https://w3id.org/sahel-kg/id/nowhere>",
    "https://w3id.org/sahel-kg/id/kidal;DROP'ALL",
]
# fmt: on
#: Every entity or date parameter of every canned query (checked against the .rq files).
HOSTILE_TARGETS = [
    (q.name, p.name)
    for q in queries.list_queries()
    for p in q.params
    if p.type in ("entity", "date")
]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def case_id(name: str, params: dict[str, str]) -> str:
    """``controller-at--kidal-2019-06-01``: the query and its parameter values."""
    return name + ("--" + slugify("-".join(params.values())) if params else "")


def golden_path(name: str, params: dict[str, str]) -> Path:
    return GOLDEN / f"{case_id(name, params)}.json"


IDS = [case_id(n, p) for n, p in CASES]


# --- fixtures ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped corpus, built once for the module."""
    out = tmp_path_factory.mktemp("golden") / "build"
    build(CORPUS, out, today=TODAY)
    return out


@pytest.fixture(scope="module")
def store(corpus_build: Path) -> Iterator[ox.Store]:
    """The build's on-disk store, opened writable: a query that could write would."""
    queries.clear_entity_cache()
    yield open_store(corpus_build, writable=True)
    queries.clear_entity_cache()


@pytest.fixture(scope="module")
def quads(store: ox.Store) -> int:
    return len(store)


@pytest.fixture(scope="module")
def endpoint(oxigraph_server: Any, corpus_build: Path, quads: int) -> Iterator[str]:
    """The same build loaded into the real oxigraph server; yields its query URL."""
    oxigraph_server.clear()
    queries.clear_entity_cache()
    report = load_build(corpus_build, oxigraph_server.store_url)
    assert report.triples == quads
    yield oxigraph_server.query_url
    queries.clear_entity_cache()
    oxigraph_server.clear()


def server_count(url: str) -> int:
    (row,) = select_remote(url, COUNT, timeout=30).rows
    assert row[0] is not None
    return int(row[0].value)


# --- goldens --------------------------------------------------------------------------


def test_every_canned_query_has_a_golden_case() -> None:
    assert {q.name for q in queries.list_queries()} == {name for name, _ in CASES}
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_the_embedded_store_gives_the_golden_rows(
    store: ox.Store, update_golden: bool, name: str, params: dict[str, str]
) -> None:
    result = queries.run_query(name, params, store=store)
    assert result.rows, f"{case_id(name, params)}: a golden case should have rows"
    actual = queries.render(result, "json")
    path = golden_path(name, params)
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"No golden file {path.relative_to(ROOT)}; create it with `{REFRESH}`.")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        pytest.fail(f"{case_id(name, params)} differs from {path.relative_to(ROOT)}:\n"
                    f"{rows_diff(expected, actual)}\nIf the change is right: `{REFRESH}`.",
                    pytrace=False)  # fmt: skip


def test_no_stray_golden_files(update_golden: bool) -> None:
    wanted = {f"{i}.json" for i in IDS}
    stray = sorted(p.name for p in GOLDEN.glob("*.json") if p.name not in wanted)
    if update_golden:
        for name in stray:
            (GOLDEN / name).unlink()
        return
    assert stray == [], f"golden files of no case (remove them or `{REFRESH}`)"


def test_rendering_is_deterministic(store: ox.Store) -> None:
    name, params = CASES[0]
    first = queries.render(queries.run_query(name, params, store=store), "json")
    queries.clear_entity_cache()
    assert queries.render(queries.run_query(name, params, store=store), "json") == first


# --- the same rows on a real server --------------------------------------------------


def test_the_server_holds_every_quad_of_the_build(endpoint: str, quads: int) -> None:
    assert server_count(endpoint) == quads


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_the_server_answers_like_the_embedded_store(
    store: ox.Store, endpoint: str, name: str, params: dict[str, str]
) -> None:
    local = queries.run_query(name, params, store=store)
    remote = queries.run_query(name, params, endpoint=endpoint, timeout=60)
    assert remote.variables == local.variables
    assert comparable(remote) == comparable(local)


def comparable(result: QueryResult) -> list[tuple[object, ...]]:
    """Rows as tuples of term values, each GROUP_CONCAT list sorted (engines order them freely)."""
    return [
        tuple(
            _comparable(variable, term)
            for variable, term in zip(result.variables, row, strict=True)
        )
        for row in result.rows
    ]


def _comparable(variable: str, term: Term | None) -> object:
    if term is None:
        return None
    if variable in LISTS:
        return (term.kind, tuple(sorted(term.value.split(LISTS[variable]))))
    return (term.kind, term.value, term.datatype, term.lang)


# --- hostile values on the real build --------------------------------------------------


def test_hostile_values_reach_every_entity_and_date_parameter() -> None:
    assert HOSTILE_TARGETS == [
        ("alliance-members", "alliance"), ("alliance-members", "date"),
        ("casualty-claims", "place"), ("casualty-claims", "event"), ("contested", "about"),
        ("control-timeline", "place"), ("controller-at", "place"), ("controller-at", "date"),
        ("event-sources", "event"), ("events", "place"), ("events", "from"), ("events", "to"), ("evidence", "entity"),
        ("roles", "entity"),
    ]  # fmt: skip
    assert {p for _, p in HOSTILE_TARGETS} <= set(BENIGN)


@pytest.mark.parametrize("value", HOSTILE, ids=[repr(v)[1:-1][:24] for v in HOSTILE])
@pytest.mark.parametrize(
    ("name", "param"), HOSTILE_TARGETS, ids=[f"{n}.{p}" for n, p in HOSTILE_TARGETS]
)
def test_a_hostile_value_is_refused_or_matches_nothing_and_changes_nothing(
    store: ox.Store, endpoint: str, quads: int, name: str, param: str, value: str
) -> None:
    query = queries.get_query(name)
    params = {p.name: BENIGN[p.name] for p in query.params if not p.optional} | {param: value}
    for where in ({"store": store}, {"endpoint": endpoint, "timeout": 60}):
        try:
            result = queries.run_query(name, params, **where)
        except QueryError:
            pass
        else:
            assert result.rows == (), f"{name} {param}={value!r} on {sorted(where)[0]}"
    assert len(store) == quads
    assert server_count(endpoint) == quads


def test_the_answers_are_intact_after_the_hostile_values(store: ox.Store, endpoint: str) -> None:
    for name, params in CASES:
        local = queries.run_query(name, params, store=store)
        assert local.rows, name
        assert comparable(queries.run_query(name, params, endpoint=endpoint)) == comparable(local)


# --- a readable diff ------------------------------------------------------------------------


def rows_diff(expected: str, actual: str) -> str:
    """The differing rows of two SPARQL JSON texts, one line per row, changed cells spelled out."""
    try:
        old_vars, old = _rows(expected)
        new_vars, new = _rows(actual)
    except (ValueError, KeyError, TypeError):
        return "\n".join(difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                              "golden", "actual", lineterm=""))  # fmt: skip
    out = []
    if old_vars != new_vars:
        out.append(f"columns: {' '.join(old_vars)}\n      -> {' '.join(new_vars)}")
    old_lines, new_lines = [_line(r) for r in old], [_line(r) for r in new]
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        out.append(f"@@ golden {_span(i1, i2)}, actual {_span(j1, j2)}")
        out += _block(old[i1:i2], new[j1:j2])
    out.append(f"({len(old)} golden rows, {len(new)} actual rows)")
    return "\n".join(out)


def _block(old: list[dict[str, str]], new: list[dict[str, str]]) -> list[str]:
    """A changed stretch: rows sharing most cells are paired and their changed cells listed;
    the others are shown whole, ``-`` for golden and ``+`` for actual."""
    out, free = [], list(range(len(old)))
    for b in new:
        scores = [(_alike(old[i], b), -i) for i in free]
        best = max(scores, default=(0.0, 0))
        if best[0] < 0.5:
            out.append("+ " + _line(b))
            continue
        a = old[-best[1]]
        free.remove(-best[1])
        out.append("  " + _line(a, only=_changed(a, b)))
        out += [f"    {k}: {a.get(k)!r} -> {b.get(k)!r}" for k in _changed(a, b)]
    return [*("- " + _line(old[i]) for i in free), *out]


def _alike(a: dict[str, str], b: dict[str, str]) -> float:
    keys = set(a) | set(b)
    return sum(a.get(k) == b.get(k) for k in keys) / max(len(keys), 1)


def _span(begin: int, end: int) -> str:
    if end == begin:
        return f"none (before row {begin + 1})"
    return f"row {begin + 1}" if end == begin + 1 else f"rows {begin + 1}-{end}"


def _rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    document = json.loads(text)
    names = list(document["head"]["vars"])
    rows = [{k: _show(v) for k, v in b.items()} for b in document["results"]["bindings"]]
    return names, rows


def _show(term: dict[str, str]) -> str:
    value = term["value"]
    if term["type"] == "uri":
        best = max((ns for ns in PREFIXES.values() if value.startswith(ns)), key=len, default="")
        prefix = next((p for p, ns in PREFIXES.items() if ns == best), None)
        return f"{prefix}:{value[len(best) :]}" if prefix else f"<{value}>"
    if "xml:lang" in term:
        return f"{value}@{term['xml:lang']}"
    return value


def _changed(a: dict[str, str], b: dict[str, str]) -> list[str]:
    return [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def _line(row: dict[str, str], only: list[str] | None = None) -> str:
    """``controller=id:fama start=2023-11-14 …``; with ``only``, the identifying cells first."""
    keys = [k for k in row if only is None or k not in only]
    text = " ".join(f"{k}={' '.join(row[k].split())}" for k in keys)
    return text if len(text) <= 400 else text[:399] + "…"


def test_the_diff_names_the_changed_cells() -> None:
    def doc(rows: list[dict[str, str]]) -> str:
        bindings = [{k: {"type": "literal", "value": v} for k, v in r.items()} for r in rows]
        return json.dumps({"head": {"vars": ["who", "start"]}, "results": {"bindings": bindings}})

    old = doc([{"who": "MNLA", "start": "2013"}, {"who": "FAMa", "start": "2023"}])
    new = doc([{"who": "MNLA", "start": "2012"}, {"who": "FAMa", "start": "2023"},
               {"who": "Wagner", "start": "2023"}])  # fmt: skip
    assert rows_diff(old, new).splitlines() == [
        "@@ golden row 1, actual row 1",
        "  who=MNLA",
        "    start: '2013' -> '2012'",
        "@@ golden none (before row 3), actual row 3",
        "+ who=Wagner start=2023",
        "(2 golden rows, 3 actual rows)",
    ]
