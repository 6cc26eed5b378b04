"""The embedded pyoxigraph store: write, open, select, update, time limits."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import TINY_GRAPHS, TINY_TRIG, MakeBuild, cell

from kg.errors import BuildMissingError, QueryError, StoreError
from kg.model import QueryResult, Term
from kg.store import open_store, query_form, select, store_path, update, write_store

XSD = "http://www.w3.org/2001/XMLSchema#"
ID = "https://w3id.org/sahel-kg/id/"
CONTROLLERS = """
PREFIX sk: <https://w3id.org/sahel-kg/ontology#>
SELECT ?controller ?start WHERE {
  ?period a sk:ControlPeriod ; sk:controller ?controller ; sk:startDate ?start .
} ORDER BY ?start
"""


def tiny_quad_count() -> int:
    return sum(1 for _ in ox.parse(TINY_TRIG.encode(), format=ox.RdfFormat.TRIG))


def test_write_store_counts_quads_and_keeps_graphs(make_build: MakeBuild, tmp_path: Path) -> None:
    trig = tmp_path / "kg.trig"
    trig.write_text(TINY_TRIG, encoding="utf-8")
    assert write_store(tmp_path, trig) == tiny_quad_count()
    store = open_store(tmp_path)
    assert sorted(g.value for g in store.named_graphs()) == list(TINY_GRAPHS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.trig", "store"]


def test_rewrite_replaces_the_store(tmp_path: Path) -> None:
    trig = tmp_path / "kg.trig"
    trig.write_text(TINY_TRIG, encoding="utf-8")
    write_store(tmp_path, trig)
    trig.write_text("<http://e/s> { <http://e/s> <http://e/p> 1 . }", encoding="utf-8")
    assert write_store(tmp_path, trig) == 1
    assert len(open_store(tmp_path)) == 1


def test_failed_load_keeps_the_previous_store(tmp_path: Path) -> None:
    trig = tmp_path / "kg.trig"
    trig.write_text(TINY_TRIG, encoding="utf-8")
    write_store(tmp_path, trig)
    trig.write_text("<http://e/g> { <http://e/s> <http://e/p> ", encoding="utf-8")
    with pytest.raises(StoreError, match=r"kg\.trig is not valid TriG: "):
        write_store(tmp_path, trig)
    assert len(open_store(tmp_path)) == tiny_quad_count()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.trig", "store"]


def test_open_store_without_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(BuildMissingError) as error:
        open_store(tmp_path / "build")
    assert str(error.value) == f"No build in {tmp_path / 'build'}/: run `kg build` first."
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BuildMissingError, match=r"^No build in build/: run `kg build` first\.$"):
        open_store(Path("build"))


def test_open_store_is_read_only(tiny_build: Path) -> None:
    store = open_store(tiny_build)
    with pytest.raises(StoreError, match="refused the update"):
        update(store, "INSERT DATA { <http://e/s> <http://e/p> <http://e/o> }", allow_update=True)


def test_select_rows_as_terms(tiny_build: Path) -> None:
    result = select(open_store(tiny_build), CONTROLLERS)
    day = XSD + "date"
    assert result == QueryResult(
        ("controller", "start"),
        (
            (Term("iri", ID + "csp-psd"), Term("literal", "2014-01-01", day)),
            (Term("iri", ID + "fama"), Term("literal", "2023-11-14", day)),
        ),
    )


def test_select_literals_keep_language_and_escapes(tiny_build: Path) -> None:
    store = open_store(tiny_build)
    labels = select(
        store, f"SELECT ?l WHERE {{ <{ID}fama> ?p ?l FILTER(isLiteral(?l)) }} ORDER BY ?l"
    )
    assert labels.rows == (
        (Term("literal", "FAMa", lang="en"),),
        (Term("literal", "Forces armées maliennes", lang="fr"),),
        (Term("literal", "Malian Armed Forces", lang="en"),),
    )
    title = select(store, "SELECT ?t WHERE { ?d <http://purl.org/dc/terms/title> ?t }")
    assert title.rows == ((Term("literal", 'Mali\'s army "takes" Kidal\nback'),),)


def test_unbound_values_are_none(tiny_build: Path) -> None:
    result = select(
        open_store(tiny_build),
        "PREFIX sk: <https://w3id.org/sahel-kg/ontology#> "
        "SELECT ?c ?end WHERE { ?p a sk:ControlPeriod ; sk:controller ?c "
        "OPTIONAL { ?p sk:endDate ?end } } ORDER BY ?c",
    )
    assert [row[1] for row in result.rows] == [Term("literal", "2023-11-14", XSD + "date"), None]


def test_substitutions_bind_safely(tiny_build: Path) -> None:
    store = open_store(tiny_build)
    query = (
        "PREFIX sk: <https://w3id.org/sahel-kg/ontology#> "
        "SELECT ?place ?controller WHERE { ?p a sk:ControlPeriod ; sk:territory ?place ; "
        "sk:controller ?controller } ORDER BY ?controller"
    )
    kidal = select(store, query, substitutions={"place": Term("iri", ID + "kidal")})
    assert [row[1].value for row in kidal.rows if row[1]] == [ID + "csp-psd", ID + "fama"]
    hostile = Term("literal", '" } ; DROP ALL ; SELECT * { "')
    assert select(store, query, substitutions={"place": hostile}).rows == ()


def test_substituted_variable_must_be_projected(tiny_build: Path) -> None:
    with pytest.raises(QueryError, match="must be a variable of the SELECT clause"):
        select(
            open_store(tiny_build),
            "SELECT ?s WHERE { ?s ?p ?o }",
            substitutions={"o": Term("literal", "x")},
        )


def test_ask_and_construct(tiny_build: Path) -> None:
    store = open_store(tiny_build)
    ask = select(store, f"ASK {{ <{ID}kidal> ?p ?o }}")
    assert ask.variables == ("ask",)
    assert ask.rows == ((Term("literal", "true", XSD + "boolean"),),)
    graph = select(store, f"CONSTRUCT {{ <{ID}kidal> ?p ?o }} WHERE {{ <{ID}kidal> ?p ?o }}")
    assert graph.variables == ("subject", "predicate", "object")
    assert len(graph.rows) == 5


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <http://e/s> <http://e/p> 1 }",
        "PREFIX a: <http://e/#> # DELETE\n delete where { ?s ?p ?o }",
        "DROP ALL",
        "LOAD <http://example.org/x.ttl>",
    ],
)
def test_select_refuses_updates(tiny_build: Path, text: str) -> None:
    with pytest.raises(QueryError, match=r"is SPARQL Update, which is not allowed here"):
        select(open_store(tiny_build), text)


def test_syntax_error_is_one_line(tiny_build: Path) -> None:
    with pytest.raises(QueryError) as error:
        select(open_store(tiny_build), "SELECT ?s WHERE {\n ?s ?p \n}")
    message = str(error.value)
    assert message.startswith("SPARQL syntax error: error at ")
    assert "\n" not in message


def test_update_needs_permission(make_build: MakeBuild) -> None:
    build = make_build()
    store = open_store(build, writable=True)
    insert = "INSERT DATA { GRAPH <http://e/g> { <http://e/s> <http://e/p> 1 } }"
    with pytest.raises(QueryError, match=r"refused unless allowed \(--allow-update\)"):
        update(store, insert)
    update(store, insert, allow_update=True)
    assert cell(select(store, "ASK { <http://e/s> <http://e/p> 1 }")) == "true"


def small_store(size: int) -> ox.Store:
    store = ox.Store()
    for i in range(size):
        subject = ox.NamedNode(f"http://e/{i}")
        store.add(ox.Quad(subject, ox.NamedNode("http://e/p"), ox.Literal(str(i))))
    return store


def query_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "kg-query"]


def wait_for_no_query_thread(seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while query_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not query_threads()


def test_timeout_stops_a_long_aggregate() -> None:
    # 200^3 combinations take about 2.5 s here: long enough to be stopped, short
    # enough that the abandoned worker finishes soon after.
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
    started = time.monotonic()
    with pytest.raises(QueryError) as error:
        select(small_store(200), slow, timeout=0.5)
    assert time.monotonic() - started < 1.5
    assert str(error.value) == (
        "Query stopped after 0.5 s (--timeout); add a LIMIT, narrow the patterns "
        "or give a larger --timeout."
    )
    assert wait_for_no_query_thread(30)


def test_timeout_stops_streaming_rows_at_once() -> None:
    endless = "SELECT ?a ?c ?e WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"  # 64 million rows
    with pytest.raises(QueryError, match=r"^Query stopped after 0.3 s \(--timeout\)"):
        select(small_store(400), endless, timeout=0.3)
    assert wait_for_no_query_thread(2)


def test_timeout_leaves_fast_queries_alone(tiny_build: Path) -> None:
    store = open_store(tiny_build)
    assert select(store, CONTROLLERS, timeout=10) == select(store, CONTROLLERS)


def test_query_form() -> None:
    assert (
        query_form("# c\nPREFIX x: <http://e/#>\nBASE <http://e/>\n  construct {}") == "CONSTRUCT"
    )
    assert query_form("{") == ""


def test_store_path() -> None:
    assert store_path(Path("build")) == Path("build/store")
