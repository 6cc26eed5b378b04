"""Remote stores: Graph Store Protocol loads and SPARQL queries on real servers."""

from __future__ import annotations

import http.server
import socket
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from conftest import TINY_GRAPHS, TINY_TRIG, MakeBuild, Server, cell, free_port

import kg.endpoint
from kg.endpoint import (
    LoadReport,
    bind_values,
    guess_query_url,
    load_build,
    load_report_lines,
    safe_url,
    select_remote,
    sparql_term,
)  # fmt: skip
from kg.errors import BuildMissingError, QueryError, StoreError
from kg.model import Term
from kg.store import open_store, select

ID = "https://w3id.org/sahel-kg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIX = "PREFIX sk: <https://w3id.org/sahel-kg/ontology#>\n"
QUERIES = [
    PREFIX + "SELECT ?controller ?start ?end WHERE { ?p a sk:ControlPeriod ; "
    "sk:controller ?controller ; sk:startDate ?start OPTIONAL { ?p sk:endDate ?end } } "
    "ORDER BY ?start",
    "SELECT DISTINCT ?label WHERE { ?x <http://www.w3.org/2004/02/skos/core#altLabel> ?label } "
    "ORDER BY STR(?label)",  # Virtuoso orders tagged literals by language first
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
    'FILTER(STRSTARTS(STR(?g), "https://w3id.org/sahel-kg/")) } GROUP BY ?g ORDER BY ?g',
    "SELECT ?title WHERE { ?d <http://purl.org/dc/terms/title> ?title }",
    PREFIX + "SELECT ?p ?ongoing WHERE { ?p sk:ongoing ?ongoing }",  # Virtuoso says "1"
]
PLACE_QUERY = (
    PREFIX + "SELECT ?place ?controller WHERE { ?p a sk:ControlPeriod ; sk:territory ?place ; "
    "sk:controller ?controller FILTER(?place = ?place) } ORDER BY ?controller"
)


def graph_triples(server: Server, graph: str) -> set[str]:
    """All triples of one graph, as N-Triples lines, read back by the Graph Store Protocol."""
    auth = requests.auth.HTTPDigestAuth(server.user, server.password) if server.user else None
    response = requests.get(
        server.store_url, params={"graph": graph}, auth=auth, timeout=30,
        headers={"Accept": "application/n-triples"},
    )  # fmt: skip
    response.raise_for_status()
    media = response.headers["Content-Type"].split(";")[0]
    triples = ox.parse(response.content, format=ox.RdfFormat.from_media_type(media))
    return {str(t) for t in triples}


def build_triples(build: Path, graph: str) -> set[str]:
    store = open_store(build)
    return {str(q.triple) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))}


def load(server: Server, build: Path) -> LoadReport:
    return load_build(
        build, server.store_url, user=server.user, password=server.password,
        auth=server.auth,  # type: ignore[arg-type]
    )  # fmt: skip


# --- oxigraph server ------------------------------------------------------------


def test_load_into_oxigraph_gives_the_same_rows(oxigraph_server: Server, tiny_build: Path) -> None:
    oxigraph_server.clear()
    calls: list[tuple[int, int]] = []
    report = load_build(
        tiny_build, oxigraph_server.store_url, progress=lambda d, t: calls.append((d, t))
    )
    assert report.graphs == TINY_GRAPHS
    assert report.triples == len(open_store(tiny_build))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    store = open_store(tiny_build)
    for query in QUERIES:
        assert select_remote(oxigraph_server.query_url, query) == select(store, query)


def test_reload_replaces_instead_of_duplicating(
    oxigraph_server: Server, make_build: MakeBuild
) -> None:
    build = make_build()
    oxigraph_server.clear()
    load_build(build, oxigraph_server.store_url)
    once = {g: graph_triples(oxigraph_server, g) for g in TINY_GRAPHS}
    load_build(build, oxigraph_server.store_url)
    twice = {g: graph_triples(oxigraph_server, g) for g in TINY_GRAPHS}
    assert once == twice == {g: build_triples(build, g) for g in TINY_GRAPHS}
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert select_remote(oxigraph_server.query_url, count).rows[0][0] == Term(
        "literal", str(len(open_store(build))), XSD + "integer"
    )


def test_reload_after_a_graph_shrank(oxigraph_server: Server, make_build: MakeBuild) -> None:
    oxigraph_server.clear()
    load_build(make_build(name="full"), oxigraph_server.store_url)
    small = "<%sgraph/registry> { <%skidal> a <https://w3id.org/sahel-kg/ontology#Settlement> . }"
    base = "https://w3id.org/sahel-kg/"
    smaller = make_build(small % (base, ID), name="small")
    load_build(smaller, oxigraph_server.store_url)
    assert graph_triples(oxigraph_server, base + "graph/registry") == {
        f"<{ID}kidal> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/sahel-kg/ontology#Settlement>"
    }


def test_remote_substitutions_match_embedded(oxigraph_server: Server, tiny_build: Path) -> None:
    oxigraph_server.clear()
    load_build(tiny_build, oxigraph_server.store_url)
    store = open_store(tiny_build)
    for place in (Term("iri", ID + "kidal"), Term("iri", ID + "gao"), Term("literal", '"}')):
        binding = {"place": place}
        remote = select_remote(oxigraph_server.query_url, PLACE_QUERY, substitutions=binding)
        assert remote == select(store, PLACE_QUERY, substitutions=binding)
    assert (
        len(select(store, PLACE_QUERY, substitutions={"place": Term("iri", ID + "kidal")}).rows)
        == 2
    )


def test_remote_ask_and_construct(oxigraph_server: Server, tiny_build: Path) -> None:
    oxigraph_server.clear()
    load_build(tiny_build, oxigraph_server.store_url)
    store = open_store(tiny_build)
    ask = f"ASK {{ <{ID}kidal> ?p ?o }}"
    assert select_remote(oxigraph_server.query_url, ask) == select(store, ask)
    construct = f"CONSTRUCT {{ <{ID}kidal> ?p ?o }} WHERE {{ <{ID}kidal> ?p ?o }}"
    remote = select_remote(oxigraph_server.query_url, construct)
    assert sorted(map(repr, remote.rows)) == sorted(map(repr, select(store, construct).rows))


def test_remote_refuses_updates_before_sending(oxigraph_server: Server) -> None:
    with pytest.raises(QueryError, match="is SPARQL Update, which is not allowed here"):
        select_remote(oxigraph_server.query_url, "DROP ALL")


def test_remote_syntax_error(oxigraph_server: Server) -> None:
    with pytest.raises(QueryError) as error:
        select_remote(oxigraph_server.query_url, "SELECT ?s WHERE { ?s ?p }")
    assert str(error.value) == (
        f"The endpoint {oxigraph_server.query_url} rejected the query: "
        "error at 1:26: expected one of LATERAL, SERVICE, [_]"
    )


def test_remote_wrong_path(oxigraph_server: Server) -> None:
    with pytest.raises(StoreError) as error:
        select_remote(oxigraph_server.url + "/nothing", "SELECT * WHERE { ?s ?p ?o }")
    assert str(error.value) == (
        f"No SPARQL endpoint at {oxigraph_server.url}/nothing (HTTP 404): give the query URL "
        "(oxigraph: /query, Virtuoso: /sparql)."
    )


class HtmlPage(http.server.BaseHTTPRequestHandler):
    """A web page where a SPARQL endpoint was expected."""

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        body = b"<html><body>Welcome</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_remote_non_sparql_answer() -> None:
    with http.server.HTTPServer(("127.0.0.1", 0), HtmlPage) as page:
        worker = threading.Thread(target=page.handle_request, daemon=True)
        worker.start()
        url = f"http://127.0.0.1:{page.server_address[1]}/"
        with pytest.raises(StoreError) as error:
            select_remote(url, "SELECT * WHERE { ?s ?p ?o }")
        worker.join(5)
    assert str(error.value) == (
        f"{url} did not answer with SPARQL JSON results (got text/html): is it a SPARQL "
        "query endpoint (oxigraph: /query, Virtuoso: /sparql)?"
    )


# --- the bodies: kg.trig in one pass, checked against the build's store ---------------


def loaded_as_built(server: Server, build: Path) -> bool:
    return all(graph_triples(server, g) == build_triples(build, g) for g in TINY_GRAPHS)


def test_a_graph_split_over_kg_trig_is_loaded_whole(
    oxigraph_server: Server, make_build: MakeBuild
) -> None:
    # kg build writes each graph in one block, in IRI order; any other TriG loads the same
    more = (
        TINY_TRIG + "g:registry { id:gao a sk:Settlement . }\ng:derived { id:gao a sk:Place . }\n"
    )
    build = make_build(more)
    oxigraph_server.clear()
    report = load_build(build, oxigraph_server.store_url)
    assert report.graphs == TINY_GRAPHS
    assert report.triples == len(open_store(build))
    assert loaded_as_built(oxigraph_server, build)


def test_without_kg_trig_the_graphs_come_from_the_store(
    oxigraph_server: Server, make_build: MakeBuild
) -> None:
    build = make_build()
    (build / "kg.trig").unlink()
    oxigraph_server.clear()
    report = load_build(build, oxigraph_server.store_url)
    assert (report.graphs, report.triples) == (TINY_GRAPHS, len(open_store(build)))
    assert loaded_as_built(oxigraph_server, build)


@pytest.mark.parametrize(
    ("change", "found", "held"),
    [
        (lambda t: t.replace("prov:wasDerivedFrom doc:002_test .\n}", "\n}"), 19, 20),
        (lambda t: t + "g:derived { id:gao a sk:Place . }\n", 21, 20),
    ],
)
def test_a_kg_trig_changed_since_the_build_is_refused(
    oxigraph_server: Server, make_build: MakeBuild, change: Any, found: int, held: int
) -> None:
    build = make_build()
    trig = build / "kg.trig"
    trig.write_text(change(trig.read_text("utf-8")), encoding="utf-8")
    oxigraph_server.clear()
    with pytest.raises(BuildMissingError) as error:
        load_build(build, oxigraph_server.store_url)
    url = oxigraph_server.store_url
    assert str(error.value) == (
        f"{trig} holds {found} triples in graph derived where the build's store holds {held}: "
        f"run `kg build` again. Loaded 0 of 4 graphs into {url} (none); not loaded: derived, "
        "doc/002_test, ontology, registry."
    )
    assert oxigraph_server.loaded_graphs() == []  # refused before anything was sent


class SlowReader(http.server.ThreadingHTTPServer):
    """A Graph Store that stops reading a PUT's body for a while (as a store does while
    it ingests what it has read), with a small receive buffer so the sender waits."""

    daemon_threads = True

    def __init__(self, pause: float) -> None:
        super().__init__(("127.0.0.1", 0), SlowHandler)
        self.pause = pause
        self.graphs: dict[str, bytes] = {}

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        super().server_bind()


class SlowHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SlowReader

    def log_message(self, *args: object) -> None:
        pass

    def graph(self) -> str:
        query = urllib.parse.urlsplit(self.path).query
        return urllib.parse.parse_qs(query).get("graph", [""])[0]

    def answer(self, code: int, body: bytes = b"") -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/n-triples")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.answer(200)

    def do_PUT(self) -> None:  # noqa: N802
        length = int(self.headers["Content-Length"])
        body = self.rfile.read(min(length, 65536))
        time.sleep(self.server.pause)  # ingesting what it has read; the rest waits
        self.server.graphs[self.graph()] = body + self.rfile.read(length - len(body))
        self.answer(204)

    def do_GET(self) -> None:  # noqa: N802
        self.answer(200, self.server.graphs.get(self.graph(), b""))


def test_a_store_slower_to_read_a_graph_than_the_connect_timeout(
    make_build: MakeBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    # urllib3 sends a request body under the *connect* timeout: a large graph that the
    # store reads more slowly than that used to fail as "closed the connection".
    monkeypatch.setattr(kg.endpoint, "CONNECT_TIMEOUT", 0.2)
    graph = "https://w3id.org/sahel-kg/graph/big"
    triples = "".join(f"<http://e/s{i}> <http://e/p> {i} .\n" for i in range(200_000))
    build = make_build(f"<{graph}> {{\n{triples}}}\n")  # 8.7 MB: more than the socket buffers
    server = SlowReader(pause=1.0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/gsp"
        report = load_build(build, url, timeout=10)
        assert (report.graphs, report.triples) == ((graph,), 200_000)
        assert server.graphs[graph].count(b"\n") == 200_000
    finally:
        server.shutdown()
        server.server_close()


# --- failures --------------------------------------------------------------------


def test_load_to_a_closed_port_fails_fast(tiny_build: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/store"
    started = time.monotonic()
    with pytest.raises(StoreError) as error:
        load_build(tiny_build, url)
    assert time.monotonic() - started < 5
    assert str(error.value) == (
        f"Cannot reach the Graph Store at {url}: connection refused. Loaded 0 of 4 graphs into "
        f"{url} (none); not loaded: derived, doc/002_test, ontology, registry."
    )


def test_query_a_closed_port_fails_fast() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    started = time.monotonic()
    with pytest.raises(
        StoreError, match=r"^Cannot reach the endpoint .*: .*Is the store running\?$"
    ):
        select_remote(url, "ASK {}")
    assert time.monotonic() - started < 5


def test_query_timeout_on_a_silent_server() -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        started = time.monotonic()
        with pytest.raises(StoreError, match=r"^No answer from .* within 1 s \(--timeout\)"):
            select_remote(url, "ASK {}", timeout=1)
        assert time.monotonic() - started < 5


def test_load_stops_on_the_first_refused_graph(oxigraph_server: Server, tiny_build: Path) -> None:
    # oxigraph's read-only /query endpoint refuses a PUT: nothing is half-loaded silently.
    with pytest.raises(StoreError) as error:
        load_build(tiny_build, oxigraph_server.query_url)
    message = str(error.value)
    assert message.startswith(f"{oxigraph_server.query_url} answered HTTP ")
    assert message.endswith(
        "Loaded 0 of 4 graphs into "
        + oxigraph_server.query_url
        + " (none); not loaded: derived, doc/002_test, ontology, registry."
    )


# --- Virtuoso ----------------------------------------------------------------------


def test_load_into_virtuoso_same_counts_and_rows(virtuoso_server: Server, tiny_build: Path) -> None:
    report = load(virtuoso_server, tiny_build)
    assert report.graphs == TINY_GRAPHS
    for graph in TINY_GRAPHS:
        assert len(graph_triples(virtuoso_server, graph)) == len(build_triples(tiny_build, graph))
    store = open_store(tiny_build)
    for query in QUERIES:
        assert select_remote(virtuoso_server.query_url, query) == select(store, query), query
    binding = {"place": Term("iri", ID + "kidal")}
    remote = select_remote(virtuoso_server.query_url, PLACE_QUERY, substitutions=binding)
    assert remote == select(store, PLACE_QUERY, substitutions=binding)


def test_virtuoso_reload_replaces(virtuoso_server: Server, tiny_build: Path) -> None:
    load(virtuoso_server, tiny_build)
    once = {g: graph_triples(virtuoso_server, g) for g in TINY_GRAPHS}
    # the default auth="auto" answers Virtuoso's digest challenge by itself
    load_build(tiny_build, virtuoso_server.store_url, user="dba", password="dba")
    assert {g: graph_triples(virtuoso_server, g) for g in TINY_GRAPHS} == once


def test_virtuoso_counts_graphs_beyond_its_row_limit(
    virtuoso_server: Server, make_build: MakeBuild
) -> None:
    # Virtuoso cuts a graph read back at ResultSetMaxRows (10,000 in the stock ini):
    # the load checks counts with a COUNT query on /sparql instead.
    graph = "https://w3id.org/sahel-kg/graph/big"
    triples = "".join(f"<http://e/s{i}> <http://e/p> {i} .\n" for i in range(12000))
    build = make_build(f"<{graph}> {{\n{triples}}}\n")
    report = load(virtuoso_server, build)
    assert report.triples == 12000
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    assert cell(select_remote(virtuoso_server.query_url, count)) == "12000"


@pytest.mark.parametrize("name", ["oxigraph_server", "virtuoso_server"])
def test_server_clear(name: str, tiny_build: Path, request: pytest.FixtureRequest) -> None:
    server: Server = request.getfixturevalue(name)
    server.clear()
    load(server, tiny_build)
    assert server.loaded_graphs() == list(TINY_GRAPHS)
    server.clear()
    assert server.loaded_graphs() == []


def test_virtuoso_wrong_password_is_reported_without_it(
    virtuoso_server: Server, tiny_build: Path
) -> None:
    secret = "s3cret-Pa55word"
    with pytest.raises(StoreError) as error:
        load_build(tiny_build, virtuoso_server.store_url, user="dba", password=secret)
    message = str(error.value)
    assert secret not in message and secret not in repr(error.value)
    assert message == (
        f"{virtuoso_server.store_url} refused PUT of graph derived with user 'dba' (HTTP 401): "
        "check --user and --password (or KG_STORE_PASSWORD). Loaded 0 of 4 graphs into "
        f"{virtuoso_server.store_url} (none); not loaded: "
        "derived, doc/002_test, ontology, registry."
    )


def test_virtuoso_without_credentials(virtuoso_server: Server, tiny_build: Path) -> None:
    with pytest.raises(
        StoreError, match=r"refused PUT of graph derived with no credentials \(HTTP 401\)"
    ):
        load_build(tiny_build, virtuoso_server.store_url)


# --- pieces --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("store", "query"),
    [
        ("http://127.0.0.1:7878/store", "http://127.0.0.1:7878/query"),
        ("http://h:8890/sparql-graph-crud-auth", "http://h:8890/sparql"),
        ("http://h:3030/ds/data", "http://h:3030/ds/query"),
        ("http://h/rdf-graphs/service", None),
    ],
)
def test_guess_query_url(store: str, query: str | None) -> None:
    assert guess_query_url(store) == query


def test_safe_url_hides_credentials() -> None:
    assert (
        safe_url("http://dba:secret@127.0.0.1:8890/sparql?x=1#f")
        == "http://127.0.0.1:8890/sparql?x=1"
    )


def test_report_lines() -> None:
    report = LoadReport("http://127.0.0.1:7878/store", TINY_GRAPHS, 61, 0.42)
    assert load_report_lines(report) == [
        "Loaded 4 graphs (61 triples) into http://127.0.0.1:7878/store in 0.4 s "
        "(each graph replaced by HTTP PUT)."
    ]


@pytest.mark.parametrize(
    ("term", "text"),
    [
        (Term("iri", "https://w3id.org/sahel-kg/id/kidal"), "<https://w3id.org/sahel-kg/id/kidal>"),
        (
            Term("iri", "http://fr.wikipedia.org/wiki/Abeïbara"),
            "<http://fr.wikipedia.org/wiki/Abeïbara>",
        ),
        (Term("literal", "Kidal"), '"Kidal"'),
        (Term("literal", "Kidal", XSD + "string"), '"Kidal"'),
        (Term("literal", "Région", lang="fr"), '"Région"@fr'),
        (Term("literal", "2014", XSD + "gYear"), f'"2014"^^<{XSD}gYear>'),
        (Term("literal", 'a "b"\\c\n\r\t\x01'), '"a \\"b\\"\\\\c\\n\\r\\t\\u0001"'),
    ],
)
def test_sparql_term(term: Term, text: str) -> None:
    assert sparql_term(term) == text


@pytest.mark.parametrize(
    "term",
    [
        Term("iri", "http://e/a> } ; DROP ALL ; <x"),
        Term("iri", "http://e/a b"),
        Term("iri", "kidal"),
        Term("iri", "http://e/%G1"),
        Term("iri", 'http://e/"'),
        Term("literal", "x", XSD + "string> . <y"),
        Term("literal", "x", lang="en } DROP ALL"),
        Term("bnode", "b0"),
    ],
)
def test_sparql_term_refuses(term: Term) -> None:
    with pytest.raises(QueryError):
        sparql_term(term)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT ?x WHERE { ?x ?p ?o }", "SELECT ?x WHERE { VALUES (?x) { (1) } ?x ?p ?o }"),
        ("SELECT ?x { ?x ?p ?o }", "SELECT ?x { VALUES (?x) { (1) } ?x ?p ?o }"),
        (
            'PREFIX a: <http://e/#>\n# { in a comment\nSELECT ?x ("{" AS ?y) FROM <http://e/g> '
            "WHERE { ?x ?p ?o }",
            'PREFIX a: <http://e/#>\n# { in a comment\nSELECT ?x ("{" AS ?y) FROM <http://e/g> '
            "WHERE { VALUES (?x) { (1) } ?x ?p ?o }",
        ),
        (
            "CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }",
            "CONSTRUCT { ?x ?p ?o } WHERE { VALUES (?x) { (1) } ?x ?p ?o }",
        ),
        ("ASK { ?x ?p ?o }", "ASK { VALUES (?x) { (1) } ?x ?p ?o }"),
    ],
)
def test_bind_values(query: str, expected: str) -> None:
    one = Term("literal", "1", XSD + "integer")
    assert bind_values(query, {"x": one}) == expected.replace("(1)", f'("1"^^<{XSD}integer>)')


def test_bind_values_refuses_what_it_cannot_place() -> None:
    one = {"x": Term("literal", "1")}
    with pytest.raises(QueryError, match="CONSTRUCT WHERE"):
        bind_values("CONSTRUCT WHERE { ?x ?p ?o }", one)
    with pytest.raises(QueryError, match="no WHERE"):
        bind_values("DESCRIBE <http://e/x>", one)
    with pytest.raises(QueryError, match="not a SPARQL variable name"):
        bind_values("SELECT ?x { }", {"x) { } DROP": Term("literal", "1")})
