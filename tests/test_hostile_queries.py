"""Hostile queries: parameters are bound, never spliced; ad-hoc SPARQL cannot write; slow
queries stop.

Every hostile parameter value either fails with a one-line QueryError or
matches nothing, on the embedded store and on a real oxigraph server, and
neither store changes (files byte for byte, quads one by one).
"""

from __future__ import annotations

import hashlib
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import Server, free_port
from typer.testing import CliRunner

from kg.cli import app
from kg.endpoint import load_build, select_remote
from kg.errors import QueryError
from kg.pipeline import build
from kg.queries import clear_entity_cache, run_query, run_sparql
from kg.store import open_store

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 1, 1)
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
CROSS_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CROSS_ROWS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
STOPPED = (
    "Error: Query stopped after 1 s (--timeout); add a LIMIT, narrow the patterns or give a "
    "larger --timeout.\n"
)
UPDATE_REFUSED = (
    "Error: {form} is SPARQL Update, which is not allowed here: only SELECT, ASK, CONSTRUCT and "
    "DESCRIBE queries run (use --allow-update on the embedded store).\n"
)

#: Values an attacker (or a careless script) might pass as a parameter.
HOSTILE = [
    'Kidal" } ; DROP ALL ; {',
    "Kidal' } ; DROP ALL #",
    "} ; DROP ALL",
    "Kidal }\nDROP ALL",
    "Kidal\n} ; DELETE WHERE { ?s ?p ?o } #",
    'Kidal" . ?x ?y ?z . FILTER("1"="1',
    "<https://w3id.org/sahel-kg/id/kidal> } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o",
    "<https://w3id.org/sahel-kg/id/kidal>} INSERT DATA { <http://e/s> <http://e/p> 1 }",
    "http://evil.example/x> . ?s ?p ?o . <http://a",
    "<http://evil.example/x>",
    "urn:x:y",
    "id:kidal> } DROP ALL {",
    "id:nobody",
    "{}",
    "{ ?s ?p ?o }",
    "?place",
    "$place",
    "*",
    '"',
    "'",
    "\\",
    '"""',
    "Kidal\x00",
    "Kidal\u2028DROP ALL",
    "\x1b[2J\x1b[31mKidal",
    "%3E%20DROP%20ALL",
    "<>",
    'urn:x" ; DROP ALL',
    "Kidal'; DROP TABLE articles; --",
    "${place}",
    "Kidal" + "\u0301" * 50 + "\u202e",
    "x" * 5000,
]
DATES = ["2019-06-01\" } ; DROP ALL ; {", "2019-06-01'", "2019-13-01", "2019-02-30", "0000",
         "2019-06-01T00:00:00", "-2019", "2019\n-06", "2019-06-01 ; DROP ALL"]  # fmt: skip


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def quads(build_dir: Path) -> list[str]:
    return sorted(str(q) for q in open_store(build_dir))


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shipped") / "build"
    build(ROOT / "corpus", out, today=TODAY)
    return out


@pytest.fixture(scope="module")
def remote(oxigraph_server: Server, shipped: Path) -> Iterator[Server]:
    """The shared oxigraph server holding the shipped build, emptied again afterwards."""
    oxigraph_server.clear()
    clear_entity_cache()
    load_build(shipped, oxigraph_server.store_url)
    yield oxigraph_server
    oxigraph_server.clear()
    clear_entity_cache()


def remote_state(server: Server) -> list[str]:
    rows = select_remote(server.query_url, "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return sorted(repr(row) for row in rows.rows)


def invoke(*args: str | Path) -> subprocess.CompletedProcess[str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def kg_command() -> list[str]:
    script = Path(sys.executable).parent / "kg"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kg"]


# --- parameters are bound, never spliced ------------------------------------------


def test_the_sane_value_answers(shipped: Path, remote: Server) -> None:
    local = run_query("control-timeline", {"place": "Kidal"}, build_dir=shipped)
    assert local.rows
    assert run_query("control-timeline", {"place": "Kidal"}, endpoint=remote.query_url) == local


def outcome(name: str, params: dict[str, str], **where: Any) -> str:
    """"error" (a QueryError), "empty", or the rows found (a test failure)."""
    try:
        result = run_query(name, params, timeout=10, **where)
    except QueryError:
        return "error"
    return "empty" if not result.rows else f"rows: {result.rows[:2]}"


def test_hostile_values_match_nothing_and_change_nothing(shipped: Path, remote: Server) -> None:
    files, before, served = snapshot(shipped), quads(shipped), remote_state(remote)
    store = open_store(shipped)  # opened once: its entity index is built once
    endpoint = remote.query_url
    tried = 0
    for value in HOSTILE:
        asked = [("control-timeline", {"place": value}), ("evidence", {"entity": value}),
                 ("controller-at", {"place": value, "date": "2019-06-01"})]  # fmt: skip
        for name, params in asked:
            local = outcome(name, params, store=store)
            assert local in ("error", "empty"), (name, value, local)
            assert outcome(name, params, endpoint=endpoint) == local, (name, value)
            tried += 2
    for value in DATES:
        params = {"place": "Kidal", "date": value}
        assert outcome("controller-at", params, store=store) == "error"
        assert outcome("controller-at", params, endpoint=endpoint) == "error"
        tried += 2
    assert tried == 2 * 3 * len(HOSTILE) + 2 * len(DATES)
    del store
    assert snapshot(shipped) == files and quads(shipped) == before
    assert remote_state(remote) == served


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("Kidal }\nDROP ALL", "Kidal }\\nDROP ALL"),
        ("\x1b[2J\x1b[31mKidal", "\\x1b[2J\\x1b[31mKidal"),
        ('Kidal" } ; DROP ALL ; {', 'Kidal" } ; DROP ALL ; {'),
    ],
)
def test_a_hostile_value_is_one_escaped_line_on_the_cli(
    shipped: Path, value: str, shown: str
) -> None:
    done = invoke("query", "control-timeline", "-p", f"place={value}", "--build", shipped)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith(f"Error: Unknown place '{shown}' for parameter 'place'. ")
    assert done.stderr.count("\n") == 1 and "\x1b" not in done.stderr


def test_a_hostile_date_names_the_parameter(shipped: Path) -> None:
    done = invoke("query", "controller-at", "-p", "date=2019-06-01\" } ; DROP ALL ; {",
                  "--build", shipped)  # fmt: skip
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "Error: parameter 'date': '2019-06-01\" } ; DROP ALL ; {' is not a valid date "
        "(use YYYY-MM-DD, YYYY-MM or YYYY)\n"
    )


# --- ad-hoc SPARQL is read-only unless --allow-update ------------------------------

UPDATES = [
    ("INSERT", "INSERT DATA { <http://e/s> <http://e/p> <http://e/o> }"),
    ("INSERT", "insert data { graph <http://e/g> { <http://e/s> <http://e/p> 1 } }"),
    ("DELETE", "DELETE WHERE { ?s ?p ?o }"),
    ("DELETE", "PREFIX sk: <https://w3id.org/sahel-kg/ontology#> # comment {\n"
               "DELETE { ?s ?p ?o } WHERE { ?s a sk:ControlPeriod ; ?p ?o }"),
    ("DROP", "DROP ALL"),
    ("DROP", "  # leading comment\n  drop graph <https://w3id.org/sahel-kg/graph/registry>"),
    ("CLEAR", "CLEAR DEFAULT"),
    ("LOAD", "LOAD <http://127.0.0.1:9/x.ttl>"),
    ("CREATE", "CREATE GRAPH <http://e/g>"),
    ("COPY", "COPY DEFAULT TO <http://e/g>"),
    ("MOVE", "MOVE <https://w3id.org/sahel-kg/graph/registry> TO <http://e/g>"),
    ("ADD", "ADD DEFAULT TO <http://e/g>"),
    ("WITH", "WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"),
    ("BASE", None),  # placeholder, replaced below
]
UPDATES[-1] = ("INSERT", "BASE <http://e/> PREFIX x: <http://e/#> INSERT DATA { x:s x:p x:o }")


def test_updates_are_refused_with_a_clear_message(shipped: Path) -> None:
    files, before = snapshot(shipped), quads(shipped)
    for form, update in UPDATES:
        done = invoke("sparql", update, "--build", shipped)
        assert (done.returncode, done.stdout, done.stderr) == (
            1, "", UPDATE_REFUSED.format(form=form)
        ), update  # fmt: skip
    assert snapshot(shipped) == files and quads(shipped) == before


SNEAKY = [
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
    "SELECT * WHERE { ?s ?p ?o } DROP ALL",
    "\\u0049NSERT DATA { <http://e/s> <http://e/p> 1 }",
    "ASK {} ; INSERT DATA { <http://e/s> <http://e/p> 1 }",
    "SELECT * WHERE { ?s ?p ?o } # \nINSERT DATA { <http://e/s> <http://e/p> 1 }",
]


def test_updates_hidden_in_a_query_do_not_run(shipped: Path) -> None:
    files, before = snapshot(shipped), quads(shipped)
    for sneaky in SNEAKY:
        done = invoke("sparql", sneaky, "--build", shipped)
        assert (done.returncode, done.stdout) == (1, ""), sneaky
        assert done.stderr.startswith("Error: SPARQL syntax error: "), sneaky
        assert done.stderr.count("\n") == 1
    assert snapshot(shipped) == files and quads(shipped) == before


def test_allow_update_writes_only_when_asked(shipped: Path, tmp_path: Path) -> None:
    copy = tmp_path / "build"
    shutil.copytree(shipped, copy)
    insert = "INSERT DATA { GRAPH <http://e/g> { <http://e/s> <http://e/p> 1 } }"
    done = invoke("sparql", insert, "--build", copy, "--allow-update")
    assert done.returncode == 0
    assert done.stderr.startswith(f"Warning: {copy / 'store'} was changed by SPARQL Update")
    assert done.stderr.count("\n") == 1
    ask = invoke("sparql", "ASK { <http://e/s> <http://e/p> 1 }", "--build", copy, "--format",
                 "csv")  # fmt: skip
    assert ask.stdout.splitlines() == ["ask", "true"]
    assert len(quads(copy)) == len(quads(shipped)) + 1


def graph_counts(server: Server) -> list[str]:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    return [repr(row) for row in select_remote(server.query_url, query).rows]


def test_updates_are_refused_on_an_endpoint_even_when_allowed(remote: Server) -> None:
    served = graph_counts(remote)
    with pytest.raises(QueryError, match="^SPARQL Update runs only on the embedded store"):
        run_sparql("DROP ALL", endpoint=remote.query_url, allow_update=True)
    with pytest.raises(QueryError, match="^DROP is SPARQL Update, which is not allowed here"):
        run_sparql("DROP ALL", endpoint=remote.query_url)
    assert graph_counts(remote) == served


# --- a query that runs too long is stopped ------------------------------------------


def test_an_expensive_query_is_stopped_in_a_subprocess(shipped: Path) -> None:
    """A cross product aggregated in one step: the real CLI gives up and exits anyway."""
    started = time.monotonic()
    done = subprocess.run(
        [*kg_command(), "sparql", CROSS_COUNT, "--timeout", "1", "--build", str(shipped)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (1, "", STOPPED)
    assert time.monotonic() - started < 15


def test_an_expensive_query_is_stopped_in_process(shipped: Path) -> None:
    """A streaming cross product (10^12 rows): stopped, and its worker thread quits too."""
    import threading

    started = time.monotonic()
    done = invoke("sparql", CROSS_ROWS, "--timeout", "1", "--build", shipped)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", STOPPED)
    assert time.monotonic() - started < 10
    deadline = time.monotonic() + 10
    while any(t.name == "kg-query" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the query thread still runs"
        time.sleep(0.05)


def test_an_expensive_canned_query_on_an_endpoint_times_out(remote: Server) -> None:
    started = time.monotonic()
    with pytest.raises(Exception) as error:
        select_remote(remote.query_url, CROSS_COUNT, timeout=1)
    assert type(error.value).__name__ == "StoreError"
    assert str(error.value).startswith(f"No answer from {remote.query_url} within 1 s (--timeout)")
    assert time.monotonic() - started < 10


# --- the served endpoint: read-only, loopback ---------------------------------------


def test_serve_defaults_to_loopback() -> None:
    command = next(c for c in app.registered_commands if c.callback.__name__ == "serve")
    assert command.callback.__defaults__[0] == "127.0.0.1"  # type: ignore[union-attr]
    done = invoke("serve", "--help")
    host_line = next(line for line in done.stdout.splitlines() if line.lstrip().startswith("--host"))
    assert host_line.split()[-1] == "127.0.0.1]" and "[default:" in host_line


def test_served_endpoint_refuses_every_write(shipped: Path) -> None:
    """What tests/test_serve.py does not try: DELETE and POST on /store, update by GET."""
    port = free_port()
    process = subprocess.Popen(
        [*kg_command(), "serve", "--port", str(port), "--build", str(shipped)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("Serving the build read-only at http://127")
        base = f"http://127.0.0.1:{port}"
        registry = {"graph": "https://w3id.org/sahel-kg/graph/registry"}
        triple = b"<http://e/s> <http://e/p> <http://e/o> ."
        headers = {"Content-Type": "application/n-triples"}
        answers = [
            requests.delete(f"{base}/store", params=registry, timeout=10),
            requests.post(f"{base}/store", params=registry, data=triple, headers=headers,
                          timeout=10),
            requests.post(f"{base}/store?default", data=triple, headers=headers, timeout=10),
            requests.get(f"{base}/update", params={"update": "DROP ALL"}, timeout=10),
            requests.post(f"{base}/update", data="DROP ALL",
                          headers={"Content-Type": "application/sparql-update"}, timeout=10),
        ]  # fmt: skip
        assert all(a.status_code >= 400 for a in answers), [a.status_code for a in answers]
        count = select_remote(f"{base}/query", COUNT_ALL).rows[0][0]
        assert count is not None and int(count.value) == len(quads(shipped))
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert process.returncode == 0
