"""``kg serve``: a real read-only oxigraph server over a copy of the build's store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from conftest import MakeBuild, cell, free_port

from kg.endpoint import select_remote
from kg.errors import BuildMissingError, StoreError
from kg.serve import serve, serve_command
from kg.store import open_store, select

ROOT = Path(__file__).resolve().parents[1]
QUERY = (
    "PREFIX sk: <https://w3id.org/sahel-kg/ontology#> SELECT ?controller ?start WHERE { "
    "?p a sk:ControlPeriod ; sk:controller ?controller ; sk:startDate ?start } ORDER BY ?start"
)
SERVE = (
    "import sys; from pathlib import Path; from kg.serve import serve; "
    "serve(Path(sys.argv[1]), port=int(sys.argv[2]), announce=print); print('returned', flush=True)"
)


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    port: int
    announced: str


def start(build: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-u", "-c", SERVE, str(build), str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.fixture
def served(tiny_build: Path) -> Iterator[Served]:
    """``serve()`` running in a child Python, as ``kg serve`` runs it."""
    port = free_port()
    process = start(tiny_build, port)
    assert process.stdout is not None
    announced = process.stdout.readline().strip()
    try:
        yield Served(process, f"http://127.0.0.1:{port}", port, announced)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=15)


def children_of(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in found.read_text().split()] if found.exists() else []


def listening_addresses(pid: int) -> set[str]:
    """The "ip:port" pairs the process listens on (TCP, IPv4), read from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    addresses = set()
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, inode = fields[1], fields[3], fields[9]
        if state == "0A" and inode in inodes:  # LISTEN
            ip_hex, port_hex = local.split(":")
            ip = ".".join(str(int(ip_hex[i : i + 2], 16)) for i in (6, 4, 2, 0))
            addresses.add(f"{ip}:{int(port_hex, 16)}")
    return addresses


def test_served_endpoint_answers_a_select(served: Served, tiny_build: Path) -> None:
    assert served.announced == (
        f"Serving the build read-only at {served.url}/query (SPARQL 1.1); Ctrl-C stops."
    )
    assert select_remote(f"{served.url}/query", QUERY) == select(open_store(tiny_build), QUERY)


def test_served_endpoint_refuses_updates(served: Served, tiny_build: Path) -> None:
    insert = "INSERT DATA { <http://e/s> <http://e/p> <http://e/o> }"
    response = requests.post(f"{served.url}/update", data={"update": insert}, timeout=10)
    assert response.status_code >= 400
    put = requests.put(
        f"{served.url}/store", params={"graph": "http://e/g"}, timeout=10,
        data=b"<http://e/s> <http://e/p> <http://e/o> .",
        headers={"Content-Type": "application/n-triples"},
    )  # fmt: skip
    assert put.status_code >= 400
    ask = "ASK { <http://e/s> ?p ?o }"
    assert cell(select_remote(f"{served.url}/query", ask)) == "false"


def test_binds_loopback_by_default(served: Served) -> None:
    (server,) = children_of(served.process.pid)
    assert listening_addresses(server) == {f"127.0.0.1:{served.port}"}
    assert "--bind" in serve_command(Path("build"))
    assert serve_command(Path("build"))[serve_command(Path("build")).index("--bind") + 1] == (
        "127.0.0.1:7878"
    )


def test_ctrl_c_stops_the_server_and_returns(served: Served, tiny_build: Path) -> None:
    (server,) = children_of(served.process.pid)
    argv = Path(f"/proc/{server}/cmdline").read_bytes().split(b"\0")
    copy = Path(argv[argv.index(b"--location") + 1].decode())
    assert copy.is_dir() and copy != tiny_build / "store"
    served.process.send_signal(signal.SIGINT)
    out, err = served.process.communicate(timeout=15)
    assert served.process.returncode == 0, err
    assert out.strip() == "returned"
    assert not Path(f"/proc/{server}").exists() or _is_zombie(server)
    assert not copy.exists() and not copy.parent.exists()  # the private copy is removed
    with pytest.raises(StoreError):
        select_remote(f"{served.url}/query", "ASK {}", timeout=2)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except FileNotFoundError:
        return True


def test_serves_a_copy_so_a_rebuild_does_not_disturb_it(make_build: MakeBuild) -> None:
    build = make_build()
    port = free_port()
    process = start(build, port)
    try:
        assert process.stdout is not None
        process.stdout.readline()
        make_build("<http://e/g> { <http://e/s> <http://e/p> 1 . }")
        url = f"http://127.0.0.1:{port}/query"
        assert len(select_remote(url, QUERY).rows) == 2
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)


def test_busy_port_is_one_clear_error(served: Served, tiny_build: Path) -> None:
    with pytest.raises(StoreError) as error:
        serve(tiny_build, port=served.port)
    message = str(error.value)
    assert message.startswith(f"The oxigraph server could not serve on 127.0.0.1:{served.port}: ")
    assert message.endswith("; choose another --port or stop what uses it.")
    assert "\n" not in message


def test_serve_without_build(tmp_path: Path) -> None:
    with pytest.raises(BuildMissingError, match="run `kg build` first"):
        serve(tmp_path / "build", port=free_port())


def test_serve_command_shape() -> None:
    command = serve_command(Path("build"), "::1", 9000)
    assert command[1:] == [
        "serve-read-only", "--location", "build/store", "--bind", "[::1]:9000",
        "--union-default-graph", "--timeout-s", "30",
    ]  # fmt: skip
    assert serve_command(Path("build"), timeout=2.4)[-2:] == ["--timeout-s", "2"]


def test_query_string_get(served: Served) -> None:
    url = f"{served.url}/query?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=10) as response:
        assert b'"boolean":true' in response.read().replace(b" ", b"")
    assert time.monotonic() - started < 5


def test_server_error_line_skips_the_backtrace(tmp_path: Path) -> None:
    from kg.serve import _last_line

    log = tmp_path / "server.log"
    log.write_text(
        "Error: Address already in use (os error 98)\n\n"
        "Stack backtrace:\n   0: main\n   7: _start\n"
    )
    assert _last_line(log) == "Address already in use (os error 98)"


def test_sigterm_stops_the_server_too(served: Served) -> None:
    (server,) = children_of(served.process.pid)
    served.process.send_signal(signal.SIGTERM)
    out, err = served.process.communicate(timeout=15)
    assert (served.process.returncode, out.strip()) == (0, "returned"), err
    assert not Path(f"/proc/{server}").exists() or _is_zombie(server)
