"""Shared fixtures: a tiny build, and real SPARQL servers on loopback.

- ``tiny_build``: a build folder (kg.trig, kg.ttl, store/) made from
  :data:`TINY_TRIG`, shaped as ontology/README.md says. Session-wide: do not
  modify it; use ``make_build(trig)`` for a private, writable one.
- ``oxigraph_server``: ``oxigraph serve`` (PyPI ``oxigraph``) on
  127.0.0.1 and a free port, over a temporary folder, default graph = union
  of the named graphs. Stopped by its PID at the end of the session.
- ``virtuoso_server``: Debian's Virtuoso (``.ci/virtuoso.sh`` installs it) on
  127.0.0.1, from a copy of its stock virtuoso.ini with every file in a
  temporary folder; Graph Store at /sparql-graph-crud-auth, digest auth
  dba/dba. Stopped by its PID. Where Virtuoso is not installed its tests are
  skipped with the reason (``pytest -q`` lists it), unless
  ``KG_REQUIRE_VIRTUOSO=1`` (set by ``.ci/run``): then they fail.

Both server fixtures yield a :class:`Server` (``.url``, ``.query_url``,
``.store_url``, ``.user``, ``.password``, ``.auth``). They are shared by the
whole session: a test that needs an empty store calls ``server.clear()``.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import pytest

from kg.model import QueryResult

# Several tests stop a `kg` subprocess with SIGINT (Ctrl-C). A shell starts a background
# job (`pytest ... &`, nohup) with SIGINT ignored, which its children inherit, and Python
# then leaves it ignored: those tests would hang. Give the children the default again.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

TINY_TRIG = """\
@prefix sk: <https://w3id.org/sahel-kg/ontology#> .
@prefix id: <https://w3id.org/sahel-kg/id/> .
@prefix doc: <https://w3id.org/sahel-kg/doc/> .
@prefix claim: <https://w3id.org/sahel-kg/claim/> .
@prefix period: <https://w3id.org/sahel-kg/period/> .
@prefix g: <https://w3id.org/sahel-kg/graph/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .

g:ontology {
  <https://w3id.org/sahel-kg/ontology> a owl:Ontology ; rdfs:label "Sahel KG ontology"@en .
  sk:TerritorialControl a owl:Class ;
      rdfs:label "territorial control"@en, "contrôle territorial"@fr .
  sk:controller a owl:ObjectProperty ; rdfs:label "controller"@en .
}

g:registry {
  id:kidal a sk:Settlement ; skos:prefLabel "Kidal"@en, "Kidal"@fr ;
      sk:locatedIn id:kidal-region ; geo:hasGeometry <https://w3id.org/sahel-kg/id/kidal/geometry> .
  <https://w3id.org/sahel-kg/id/kidal/geometry> geo:asWKT "POINT(1.4078 18.4411)"^^geo:wktLiteral .
  id:kidal-region a sk:Region ; skos:prefLabel "Kidal Region"@en, "Région de Kidal"@fr .
  id:fama a sk:NationalArmedForces ; skos:prefLabel "Malian Armed Forces"@en ;
      skos:altLabel "FAMa"@en, "Forces armées maliennes"@fr .
  id:csp-psd a sk:Alliance ; skos:prefLabel "CSP-PSD"@en ;
      skos:altLabel "Permanent Strategic Framework"@en .
}

g:doc\\/002_test {
  doc:002_test a sk:NewsArticle ; dcterms:title "Mali's army \\"takes\\" Kidal\\nback" ;
      dcterms:publisher id:france-24 ; dcterms:issued "2023-11-14"^^xsd:date ;
      dcterms:language "en" ; sk:originalLanguage "fr" ; sk:fileName "002_test.txt" .
  claim:c1 a sk:TerritorialControl, sk:Claim ; sk:controller id:fama ; sk:territory id:kidal ;
      sk:change sk:Gain ; sk:startDate "2023-11-14"^^xsd:date ; sk:startPrecision sk:Day ;
      time:hasTime <https://w3id.org/sahel-kg/claim/c1/interval> ;
      prov:wasDerivedFrom doc:002_test ; sem:accordingTo id:fama ; sk:polarity sk:Asserted ;
      sk:extractionRule "control.gain.v1" ; sk:quote "the FAMa took up positions in Kidal" ;
      sk:quoteStart 12 ; sk:quoteEnd 47 .
  <https://w3id.org/sahel-kg/claim/c1/interval> a time:ProperInterval ;
      time:hasBeginning <https://w3id.org/sahel-kg/claim/c1/start> .
  <https://w3id.org/sahel-kg/claim/c1/start> a time:Instant ;
      time:inXSDDate "2023-11-14"^^xsd:date .
  claim:c2 a sk:TerritorialControl, sk:Claim ; sk:controller id:csp-psd ; sk:territory id:kidal ;
      sk:change sk:State ; sk:startDate "2014-01-01"^^xsd:date ; sk:startPrecision sk:Year ;
      time:hasTime <https://w3id.org/sahel-kg/claim/c2/interval> ;
      prov:wasDerivedFrom doc:002_test ; sem:accordingTo id:france-24 ; sk:polarity sk:Asserted ;
      sk:extractionRule "control.state.v1" ; sk:quote "held by the rebels since 2014" ;
      sk:quoteStart 60 ; sk:quoteEnd 89 .
  <https://w3id.org/sahel-kg/claim/c2/interval> a time:ProperInterval ;
      time:hasBeginning <https://w3id.org/sahel-kg/claim/c2/start> .
  <https://w3id.org/sahel-kg/claim/c2/start> a time:Instant ; time:inXSDgYear "2014"^^xsd:gYear .
}

g:derived {
  period:p1 a sk:ControlPeriod, sk:TerritorialControl ; sk:controller id:csp-psd ;
      sk:territory id:kidal ; sk:startDate "2014-01-01"^^xsd:date ; sk:startPrecision sk:Year ;
      sk:endDate "2023-11-14"^^xsd:date ; sk:endPrecision sk:Day ; sk:supportedBy claim:c2 ;
      prov:wasDerivedFrom doc:002_test .
  period:p2 a sk:ControlPeriod, sk:TerritorialControl ; sk:controller id:fama ;
      sk:territory id:kidal ; sk:startDate "2023-11-14"^^xsd:date ; sk:startPrecision sk:Day ;
      sk:ongoing true ; sk:asOf "2023-11-14"^^xsd:date ; sk:supportedBy claim:c1 ;
      prov:wasDerivedFrom doc:002_test .
}
"""

#: The named graphs of TINY_TRIG.
TINY_GRAPHS = tuple(
    "https://w3id.org/sahel-kg/graph/" + name
    for name in ("derived", "doc/002_test", "ontology", "registry")
)


MakeBuild = Callable[..., Path]  # the type of the make_build fixture


def cell(result: QueryResult) -> str:
    """The value of the first cell of a result (e.g. an ASK or a COUNT)."""
    term = result.rows[0][0]
    assert term is not None
    return term.value


def write_build(directory: Path, trig: str = TINY_TRIG) -> Path:
    """Write a build folder (kg.trig, kg.ttl, store/) from a TriG text; return it."""
    import pyoxigraph as ox

    from kg.store import write_store

    directory.mkdir(parents=True, exist_ok=True)
    trig_path = directory / "kg.trig"
    trig_path.write_text(trig, encoding="utf-8")
    write_store(directory, trig_path)
    triples = sorted({q.triple for q in ox.parse(trig.encode(), format=ox.RdfFormat.TRIG)}, key=str)
    (directory / "kg.ttl").write_bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE))
    return directory


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build folder from TINY_TRIG, shared by the session (read it, never change it)."""
    return write_build(tmp_path_factory.mktemp("tiny") / "build")


@pytest.fixture
def make_build(tmp_path: Path) -> Callable[..., Path]:
    """``make_build(trig=TINY_TRIG, name="build")`` writes a private build folder."""

    def make(trig: str = TINY_TRIG, name: str = "build") -> Path:
        return write_build(tmp_path / name, trig)

    return make


# --- servers -----------------------------------------------------------------


def free_port() -> int:
    """A TCP port nothing listens on at the moment, on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A SPARQL server started for the tests."""

    url: str  # http://127.0.0.1:PORT
    query_url: str  # SPARQL query endpoint
    store_url: str  # Graph Store Protocol endpoint
    update_url: str  # SPARQL Update endpoint (for clear())
    process: subprocess.Popen[bytes]
    user: str | None = None
    password: str | None = None
    auth: str = "basic"
    graphs: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    def clear(self) -> None:
        """Drop every named graph the tests may have loaded (``DROP ALL`` on oxigraph)."""
        import requests
        from requests.auth import HTTPDigestAuth

        if self.user is None:
            requests.post(self.update_url, data={"update": "DROP ALL"}, timeout=30)
            return
        for graph in self.loaded_graphs():
            requests.delete(
                self.store_url, params={"graph": graph}, timeout=30,
                auth=HTTPDigestAuth(self.user, self.password or ""),
            )  # fmt: skip

    def loaded_graphs(self) -> list[str]:
        """The named graphs in the project's namespace that hold triples."""
        from kg.endpoint import select_remote

        result = select_remote(
            self.query_url,
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            'FILTER(STRSTARTS(STR(?g), "https://w3id.org/sahel-kg/")) }',
        )
        return sorted(row[0].value for row in result.rows if row[0] is not None)


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float, log: Path) -> None:
    """Poll ``url`` until it answers 200; fail the fixture with the server's log otherwise."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    stop(process)
    tail = log.read_text("utf-8", "replace")[-2000:] if log.exists() else ""
    pytest.fail(f"server did not answer at {url} within {seconds} s; log:\n{tail}")


def stop(process: subprocess.Popen[bytes], grace: float = 30) -> None:
    """SIGTERM the server by its PID, then SIGKILL if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real read-write ``oxigraph serve`` on 127.0.0.1 (union default graph)."""
    from kg.serve import oxigraph_binary

    folder = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    log = folder / "server.log"
    command = [
        oxigraph_binary(), "serve", "--location", str(folder / "data"),
        "--bind", f"127.0.0.1:{port}", "--union-default-graph",
    ]  # fmt: skip
    with open(log, "wb") as stream:
        process = subprocess.Popen(command, stdout=stream, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/query?query=ASK%7B%7D", process, 30, log)
    try:
        yield Server(url, f"{url}/query", f"{url}/store", f"{url}/update", process)
    finally:
        stop(process)


def virtuoso_ini() -> Path:
    """The stock virtuoso.ini of Debian's virtuoso-opensource package."""
    patterns = (
        "/etc/virtuoso-opensource-*/virtuoso.ini",
        "/var/lib/virtuoso-opensource-*/db/virtuoso.ini",
        "/usr/share/virtuoso-opensource-*/virtuoso.ini",  # the template the package copies
    )
    for pattern in patterns:
        found = sorted(glob.glob(pattern))
        if found:
            return Path(found[-1])
    virtuoso_missing("no virtuoso.ini of Debian's virtuoso-opensource")


#: Set to 1 (CI does, in .ci/run) to make a missing Virtuoso a failure rather than a skip.
REQUIRE_VIRTUOSO = "KG_REQUIRE_VIRTUOSO"


def missing_tool(reason: str, require: str) -> NoReturn:
    """Skip a test whose external tool is missing, saying why; fail it instead when the
    environment variable ``require`` is set (CI sets it: a skip in CI is a failure)."""
    reason = f"{reason}; {require}=1 makes this a failure"
    if os.environ.get(require, "") not in ("", "0"):
        pytest.fail(f"{reason} ({require} is set)", pytrace=False)
    pytest.skip(reason)


def virtuoso_missing(what: str) -> NoReturn:
    """Skip the test, saying why and how to run it; fail it under KG_REQUIRE_VIRTUOSO=1."""
    missing_tool(
        f"Virtuoso is not installed ({what}): its tests need `bash .ci/virtuoso.sh` "
        "(Debian virtuoso-opensource)",
        REQUIRE_VIRTUOSO,
    )


def loopback_ini(stock: str, folder: Path, sql_port: int, http_port: int) -> str:
    """The stock ini with its files in ``folder`` and both ServerPort lines on 127.0.0.1."""
    lines, section = [], ""
    for line in stock.splitlines():
        header = re.match(r"\s*\[(.+?)\]", line)
        if header:
            section = header.group(1)
        key = (
            line.split("=", 1)[0].strip()
            if "=" in line and not line.lstrip().startswith(";")
            else ""
        )
        if key == "ServerPort":
            port = sql_port if section == "Parameters" else http_port
            line = f"ServerPort = 127.0.0.1:{port}"
        elif key in (
            "DatabaseFile",
            "ErrorLogFile",
            "LockFile",
            "TransactionFile",
            "xa_persistent_file",
        ):
            name = Path(line.split("=", 1)[1].split(";")[0].strip()).name
            line = f"{key} = {folder / name}"
        elif key == "DefaultHost":
            line = f"DefaultHost = 127.0.0.1:{http_port}"
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real Virtuoso on 127.0.0.1 from a copy of its stock ini; digest auth dba/dba."""
    binary = shutil.which("virtuoso-t")
    if binary is None:
        virtuoso_missing("no virtuoso-t on PATH")
    folder = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(loopback_ini(virtuoso_ini().read_text(), folder, sql_port, http_port))
    log = folder / "server.out"
    with open(log, "wb") as stream:
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)],
            cwd=folder, stdout=stream, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{http_port}"
    query = urllib.parse.urlencode({"query": "ASK {}"})
    wait_for(f"{url}/sparql?{query}", process, 90, log)
    try:
        yield Server(
            url, f"{url}/sparql", f"{url}/sparql-graph-crud-auth", f"{url}/sparql", process,
            user="dba", password="dba", auth="digest",
        )  # fmt: skip
    finally:
        stop(process)


# --- golden files --------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-golden``: rewrite the golden files instead of comparing with them."""
    parser.addoption(
        "--update-golden", action="store_true", default=False,
        help="rewrite tests/golden/ from the current output instead of comparing with it",
    )  # fmt: skip


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True under ``pytest --update-golden``: golden tests write their files."""
    return bool(request.config.getoption("--update-golden"))
