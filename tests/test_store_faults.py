"""Store faults: unreachable, slow, refusing or failing stores; a retry converges; no secret shown.

A tiny Graph Store on 127.0.0.1 (``http.server``) accepts the first graphs of
a load, then fails the way it is told to: HTTP 401, 403 or 500 (echoing the
request's Authorization header and URL back, as careless servers do), a
connection closed after part of the body, or no answer at all. ``kg load``
must say which graphs were loaded and which were not, on one line, without
the password; a second ``kg load`` against a real oxigraph server must leave
exactly what one clean load leaves.
"""

from __future__ import annotations

import base64
import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from conftest import TINY_GRAPHS, Server, free_port
from typer.testing import CliRunner

from kg.cli import app
from kg.endpoint import load_build, select_remote
from kg.errors import StoreError
from kg.store import open_store

SECRET = "s3cret-Pa55:w@rd/%"
USER = "bob"
BASIC = base64.b64encode(f"{USER}:{SECRET}".encode()).decode()
QUOTED = urllib.parse.quote(SECRET, safe="")
NAMES = [g.removeprefix("https://w3id.org/sahel-kg/graph/") for g in TINY_GRAPHS]


class FaultyStore(http.server.ThreadingHTTPServer):
    """A Graph Store (PUT and GET per ``?graph=``) that fails from the ``after``-th PUT on."""

    daemon_threads = True

    def __init__(self, fault: str, after: int = 2, upstream: str | None = None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.fault, self.after, self.upstream = fault, after, upstream
        self.graphs: dict[str, bytes] = {}
        self.puts = 0
        self.release = threading.Event()  # lets a hanging request go at shutdown

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/gsp"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FaultyStore

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def graph(self) -> str:
        query = urllib.parse.urlsplit(self.path).query
        return urllib.parse.parse_qs(query).get("graph", [""])[0]

    def answer(self, code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self) -> None:  # noqa: N802 - http.server's naming
        store, length = self.server, int(self.headers.get("Content-Length", 0))
        store.puts += 1
        if store.puts <= store.after:
            body = self.rfile.read(length)
            if store.upstream:  # forward to a real store
                headers = {"Content-Type": "application/n-triples"}
                requests.put(store.upstream, params={"graph": self.graph()}, data=body,
                             headers=headers, timeout=30)  # fmt: skip
            store.graphs[self.graph()] = body
            return self.answer(204)
        fault = store.fault
        if fault == "close":
            self.rfile.read(min(length, 64))  # part of the body, then hang up
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return None
        self.rfile.read(length)
        if fault == "hang":
            store.release.wait(30)
            self.close_connection = True
            return None
        if "Authorization" not in self.headers:  # ask for credentials first, then refuse
            return self.answer(401, headers={"WWW-Authenticate": 'Basic realm="kg"'})
        echoed = f"refused {self.headers.get('Authorization')} for {self.path}".encode()
        return self.answer(int(fault), echoed)

    def do_GET(self) -> None:  # noqa: N802
        body = self.server.graphs.get(self.graph())
        if body is None:
            return self.answer(404)
        return self.answer(200, body, {"Content-Type": "application/n-triples"})


@pytest.fixture
def faulty(request: pytest.FixtureRequest) -> Iterator[FaultyStore]:
    fault, after, *upstream = request.param
    server = FaultyStore(fault, after, *upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def kg_command() -> list[str]:
    script = Path(sys.executable).parent / "kg"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kg"]


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in (SECRET, BASIC, QUOTED):
            assert secret not in text, text


def tail(url: str, loaded: int) -> str:
    """The end of a load failure message: which graphs went in, which did not."""
    done = ", ".join(NAMES[:loaded]) or "none"
    return f" Loaded {loaded} of 4 graphs into {url} ({done}); not loaded: " \
        f"{', '.join(NAMES[loaded:])}.\n"  # fmt: skip


# --- one clear line for each fault, without the password ---------------------------


@pytest.mark.parametrize(
    ("faulty", "reason"),
    [
        (("401", 2), "{url} refused PUT of graph ontology with user 'bob' (HTTP 401): check "
         "--user and --password (or KG_STORE_PASSWORD)."),
        (("403", 2), "{url} refused PUT of graph ontology with user 'bob' (HTTP 403): check "
         "--user and --password (or KG_STORE_PASSWORD)."),
        (("500", 2), "{url} answered HTTP 500 to PUT of graph ontology (\"refused Basic *** "
         "for /gsp?graph=https%3A%2F%2Fw3id.org%2Fsahel-kg%2Fgraph%2Fontology\")."),
        (("close", 2), "The Graph Store at {url} closed the connection during the PUT of graph "
         "ontology."),
        (("hang", 2), "The Graph Store at {url} did not answer the PUT of graph ontology within "
         "1 s (--timeout)."),
        (("500", 0), "{url} answered HTTP 500 to PUT of graph derived (\"refused Basic *** "
         "for /gsp?graph=https%3A%2F%2Fw3id.org%2Fsahel-kg%2Fgraph%2Fderived\")."),
    ],
    indirect=["faulty"],
)
def test_a_failed_load_names_what_was_loaded(
    faulty: FaultyStore, reason: str, tiny_build: Path
) -> None:
    code, out, err = invoke("load", "--store", faulty.url, "--user", USER, "--password", SECRET,
                            "--build", tiny_build, "--timeout", "1")  # fmt: skip
    assert (code, out) == (3, "")
    assert err == "Error: " + reason.format(url=faulty.url) + tail(faulty.url, faulty.after)
    assert_no_secret(out, err)
    assert sorted(faulty.graphs) == sorted(TINY_GRAPHS[: faulty.after])


def test_an_unreachable_store(tiny_build: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/gsp"
    started = time.monotonic()
    code, out, err = invoke("load", "--store", url, "--password", SECRET, "--build", tiny_build)
    assert (code, out) == (3, "")
    refused = f"Error: Cannot reach the Graph Store at {url}: connection refused."
    assert err == refused + tail(url, 0)
    assert time.monotonic() - started < 10
    assert_no_secret(err)


@pytest.mark.parametrize("faulty", [("500", 1)], indirect=True)
def test_credentials_in_the_url_are_used_and_never_shown(
    faulty: FaultyStore, tiny_build: Path
) -> None:
    host = faulty.url.removeprefix("http://")
    secret_url = f"http://{USER}:{QUOTED}@{host}"
    logging = ("import logging, sys; logging.basicConfig(level=logging.DEBUG); "
               "from kg.cli import main; sys.argv[0] = 'kg'; main()")  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", logging, "load", "--store", secret_url, "--build", str(tiny_build)],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "KG_STORE_PASSWORD": "unused-" + SECRET},
    )  # fmt: skip
    assert done.returncode == 3
    assert "DEBUG:urllib3" in done.stderr  # the HTTP library logged its requests ...
    assert_no_secret(done.stdout, done.stderr)  # ... without the password
    assert done.stderr.splitlines()[-1] == (
        f"Error: {faulty.url} answered HTTP 500 to PUT of graph doc/002_test (\"refused Basic "
        "*** for /gsp?graph=https%3A%2F%2Fw3id.org%2Fsahel-kg%2Fgraph%2Fdoc%2F002_test\"). Loaded "
        f"1 of 4 graphs into {faulty.url} (derived); not loaded: doc/002_test, ontology, registry."
    )


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("faulty", [("hang", 2)], indirect=True)
def test_an_interrupted_load_says_where_it_stopped(
    faulty: FaultyStore, tiny_build: Path, sig: signal.Signals
) -> None:
    files = sorted((p.name, p.stat().st_mtime_ns) for p in tiny_build.rglob("*"))
    process = subprocess.Popen(
        [*kg_command(), "load", "--store", faulty.url, "--build", str(tiny_build)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while faulty.puts < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(sig)
    out, err = process.communicate(timeout=30)
    how, code = ("Interrupted", 130) if sig == signal.SIGINT else ("Terminated", 143)
    assert (process.returncode, out) == (code, "")
    assert err == f"{how}: stopped during graph ontology." + tail(faulty.url, 2)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in tiny_build.rglob("*")) == files


# --- queries on a failing endpoint --------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "Error: {url} refused the credentials (HTTP 401): check --user/--password.\n"),
        (403, "Error: The endpoint {url} answered HTTP 403: forbidden\n"),
        (500, "Error: The endpoint {url} failed (HTTP 500): forbidden\n"),
    ],
)
def test_a_failing_query_endpoint(status: int, message: str) -> None:
    class Refuse(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(status)
            self.send_header("Content-Length", "9")
            self.end_headers()
            self.wfile.write(b"forbidden")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/query"
        secret_url = url.replace("http://", f"http://{USER}:{QUOTED}@")
        code, out, err = invoke("sparql", "ASK {}", "--endpoint", secret_url)
        assert (code, out, err) == (3, "", message.format(url=url))
        assert_no_secret(err)
    finally:
        server.shutdown()
        server.server_close()


def test_an_endpoint_that_hangs_is_given_up() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        started = time.monotonic()
        code, out, err = invoke("query", "control-timeline", "--endpoint", url, "--timeout", "1")
        assert (code, out) == (3, "")
        assert err == (
            f"Error: No answer from {url} within 1 s (--timeout): the query is too slow or the "
            "endpoint is down.\n"
        )
        assert time.monotonic() - started < 10


def test_an_unreachable_query_endpoint() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    code, out, err = invoke("sparql", "ASK {}", "--endpoint", url)
    assert (code, out) == (3, "")
    assert err == (
        f"Error: Cannot reach the endpoint {url}: [Errno 111] Connection refused. Is the store "
        "running?\n"
    )


# --- a retry converges ------------------------------------------------------------------


def server_quads(server: Server) -> list[str]:
    rows = select_remote(server.query_url, "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return sorted(repr(row) for row in rows.rows)


@pytest.fixture
def proxy(oxigraph_server: Server) -> Iterator[FaultyStore]:
    """Forwards the first two graphs to the real oxigraph server, then hangs up mid-body."""
    server = FaultyStore("close", 2, oxigraph_server.store_url)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_a_retry_after_a_failed_load_converges(
    oxigraph_server: Server, proxy: FaultyStore, tiny_build: Path
) -> None:
    oxigraph_server.clear()
    load_build(tiny_build, oxigraph_server.store_url)
    clean = server_quads(oxigraph_server)
    assert len(clean) == len(open_store(tiny_build))

    oxigraph_server.clear()
    stale = b'<https://w3id.org/sahel-kg/id/kidal> <http://e/stale> "1" .\n'
    for graph in TINY_GRAPHS:  # a previous, different load of every graph
        put = requests.put(oxigraph_server.store_url, params={"graph": graph}, data=stale,
                           headers={"Content-Type": "application/n-triples"},
                           timeout=30)  # fmt: skip
        assert put.status_code in (201, 204)
    code, out, err = invoke("load", "--store", proxy.url, "--build", tiny_build)
    assert (code, out) == (3, "")
    assert err == (f"Error: The Graph Store at {proxy.url} closed the connection during the PUT "
                   "of graph ontology." + tail(proxy.url, 2))  # fmt: skip
    half = server_quads(oxigraph_server)
    assert half != clean and any("stale" in q for q in half)

    code, out, err = invoke("load", "--store", oxigraph_server.store_url, "--build", tiny_build)
    assert (code, err) == (0, "")
    assert out.startswith(f"Loaded 4 graphs ({len(clean)} triples) into ")
    assert server_quads(oxigraph_server) == clean
    code, _, _ = invoke("load", "--store", oxigraph_server.store_url, "--build", tiny_build)
    assert code == 0 and server_quads(oxigraph_server) == clean  # and again: idempotent
    oxigraph_server.clear()


def test_the_loaded_graphs_are_the_builds(oxigraph_server: Server, tiny_build: Path) -> None:
    """What 'the right state' means: each graph holds exactly the build's triples."""
    oxigraph_server.clear()
    load_build(tiny_build, oxigraph_server.store_url)
    store = open_store(tiny_build)
    for graph in TINY_GRAPHS:
        node = ox.NamedNode(graph)
        mine = {str(q.triple) for q in store.quads_for_pattern(None, None, None, node)}
        count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        theirs = select_remote(oxigraph_server.query_url, count)
        assert theirs.rows[0][0] is not None and int(theirs.rows[0][0].value) == len(mine)
    oxigraph_server.clear()
    with pytest.raises(StoreError):
        load_build(tiny_build, f"http://127.0.0.1:{free_port()}/store")
