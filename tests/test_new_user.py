"""What a new user trips on (issue 13): inputs once accepted without a word, and small things.

Every check runs the real ``kg`` command in a subprocess (or the real library
on a real build, oxigraph server or wheel) and asserts the one line it says,
its exit code, and that nothing built was changed.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MakeBuild, Server, free_port

from kg import cli, export
from kg.store import CHANGED_MARK

ROOT = Path(__file__).resolve().parents[1]


def kg(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed ``kg`` command, as a user runs it (no terminal: no progress bar)."""
    script = Path(sys.executable).parent / "kg"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "kg"]
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("KG_DEBUG", None)
    return subprocess.run([*command, *map(str, args)], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env=env)  # fmt: skip


def fingerprint(build: Path) -> dict[str, str]:
    """sha256 of every file of a build folder: equal before and after = nothing changed."""
    return {str(p.relative_to(build)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(build.rglob("*")) if p.is_file() and "LOG" not in p.name}  # fmt: skip


def one_error(done: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """The single ``Error: ...`` line of a failed command (and nothing on stdout)."""
    assert (done.returncode, done.stdout) == (code, ""), done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr
    return lines[0]


# --- point 5: inputs accepted without a word ------------------------------------------


def test_an_empty_parameter_is_an_error_not_the_default(tiny_build: Path) -> None:
    before = fingerprint(tiny_build)
    line = one_error(kg("query", "controller-at", "-p", "place=", "-p", "date=2019",
                        "--build", tiny_build))  # fmt: skip
    assert line == (
        "Error: Parameter 'place' of query 'controller-at' is empty: give it a value "
        "(place=VALUE) or leave it out for its default (kidal)."
    )
    optional = one_error(kg("query", "events", "-p", "place=Kidal", "-p", "from= ",
                            "--build", tiny_build))  # fmt: skip
    assert optional == (
        "Error: Parameter 'from' of query 'events' is empty: give it a value (from=VALUE) "
        "or leave it out for no value."
    )
    assert fingerprint(tiny_build) == before


def test_from_after_to_is_an_error_not_an_empty_answer(tiny_build: Path) -> None:
    line = one_error(kg("query", "events", "-p", "place=Kidal", "-p", "from=2023-12",
                        "-p", "to=2023-11-30", "--build", tiny_build))  # fmt: skip
    assert line == (
        "Error: Query 'events': 'from' (2023-12) is after 'to' (2023-11-30), so no date can "
        "be in the range; swap the two."
    )
    same_month = kg("query", "events", "-p", "place=Kidal", "-p", "from=2023-11",
                    "-p", "to=2023-11-01", "--build", tiny_build)  # fmt: skip
    assert same_month.returncode == 0, same_month.stderr  # the month overlaps its first day


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("Atlantis", ""),  # shares letters with 'Malians', 'Italians': no suggestion
        ("Paris", ""),
        ("Kidl", "Did you mean: Kidal? "),
        ("kidal regoin", "Did you mean: Kidal, Kidal Region? "),
        ("Kidal town", "Did you mean: Kidal? "),
    ],
)
def test_only_close_names_are_suggested(tiny_build: Path, value: str, hint: str) -> None:
    line = one_error(kg("query", "control-timeline", "-p", f"place={value}",
                        "--build", tiny_build))  # fmt: skip
    assert line == (
        f"Error: Unknown place '{value}' for parameter 'place'. {hint}Valid choices: Kidal, "
        "Kidal Region (or any of their aliases, or an IRI)."
    )


# --- point 8: small things --------------------------------------------------------------


def test_a_wrong_graph_store_url_is_one_sentence_then_the_next(
    oxigraph_server: Server, tiny_build: Path
) -> None:
    url = f"{oxigraph_server.url}/no-such-path"
    line = one_error(kg("load", "--store", url, "--build", tiny_build), code=3)
    assert re.fullmatch(
        rf"Error: {re.escape(url)} answered HTTP 404 to PUT of graph derived( \(\"[^\"]*\"\))?: "
        r"is it a Graph Store URL\? \(oxigraph: /store, Fuseki: /DATASET/data, Virtuoso: "
        r"/sparql-graph-crud-auth\)\. Loaded 0 of 4 graphs into "
        rf"{re.escape(url)} \(none\); not loaded: derived, doc/002_test, ontology, registry\.",
        line,
    ), line


class SilentServer:
    """Accepts connections and never answers; counts the connections."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.socket.getsockname()[1]}/store"

    def accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        self.socket.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    try:
        yield server
    finally:
        server.close()


def test_load_gives_up_within_its_timeout_on_a_silent_store(
    silent: SilentServer, tiny_build: Path
) -> None:
    line = one_error(kg("load", "--store", silent.url, "--build", tiny_build,
                        "--timeout", "0.5"), code=3)  # fmt: skip
    assert line == (
        f"Error: The Graph Store at {silent.url} did not answer a first request within 0.5 s "
        f"(--timeout). Loaded 0 of 4 graphs into {silent.url} (none); not loaded: derived, "
        "doc/002_test, ontology, registry."
    )
    # One connection, given up after --timeout: no second wait for a PUT after a 3 s HEAD.
    assert len(silent.connections) == 1


def test_one_document_is_singular(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    source = sorted((ROOT / "corpus").glob("*.txt"))[0]
    (corpus / source.name).write_bytes(source.read_bytes())
    done = kg("build", corpus, "--out", tmp_path / "build", "--quiet")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Built {tmp_path / 'build'}/ from 1 document in ")


@pytest.mark.parametrize(
    ("alias", "name"),
    [("ttl", "turtle"), ("TTL", "turtle"), ("nt", "ntriples"), ("nq", "nquads"),
     ("json-ld", "jsonld"), ("rdfxml", "xml"), ("rdf", "xml"), ("owl", "xml")],
)  # fmt: skip
def test_the_usual_format_names_are_accepted(
    tiny_build: Path, tmp_path: Path, alias: str, name: str
) -> None:
    done = kg("export", "--format", alias, "-o", tmp_path / "out", "--build", tiny_build)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out").read_bytes() == export.export(tiny_build, name, None)


def test_the_cli_takes_every_alias_the_library_knows() -> None:
    assert {alias: cli.rdf_format(alias) for alias in export.FORMAT_ALIASES} == (
        export.FORMAT_ALIASES
    )


def test_a_wrong_format_is_still_a_usage_error(tiny_build: Path) -> None:
    done = kg("export", "--format", "rdfa", "--build", tiny_build)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--format' / '-f': 'rdfa' is not one of 'turtle', "
        "'ntriples', 'nquads', 'trig', 'jsonld', 'xml', 'acled-csv'."
    )


def test_the_fuzz_tests_leave_no_folder_behind(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--basetemp", str(tmp_path / "base"),
         "tests/test_fuzz.py::test_mutated_front_matter_gives_a_document_or_a_corpus_error"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in scratch.iterdir()) == []


def test_no_test_names_one_machines_path() -> None:
    machine_path = re.compile(r"(?<![\w.])/(?:work|home|root|opt|usr/local)/\S*pytest")
    for path in sorted((ROOT / "tests").glob("*.py")):
        assert not machine_path.search(path.read_text()), path.name


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built offline (hatchling from the test extras), unpacked."""
    folder = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(folder), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (built,) = folder.glob("sahel_kg-*.whl")
    site = folder / "site"
    with zipfile.ZipFile(built) as archive:
        archive.extractall(site)
    return site


def test_an_installed_wheel_finds_its_default_gold(wheel: Path, tmp_path: Path) -> None:
    probe = (
        "from kg.cli import _default_gold; import kg.cli; "
        "gold = _default_gold(None); print(kg.cli.__file__); print(gold); "
        "print(sorted(p.name for p in gold.glob('*.json')))"
    )
    env = {**os.environ, "PYTHONPATH": str(wheel)}
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    module, gold, files = done.stdout.splitlines()
    assert module == str(wheel / "kg" / "cli.py")  # the wheel's copy, not the checkout
    assert gold == str(wheel / "kg" / "_resources" / "gold")
    assert files == str(sorted(p.name for p in (ROOT / "tests" / "gold").glob("*.json")))


# --- point 4: an update splits the build, and every reader says so -------------------------

CHANGED = "Warning: {store} was changed by SPARQL Update after the build (kg sparql " \
    "--allow-update): queries, export, load and serve see the changed store, kg.trig and " \
    "kg.ttl do not; `kg build` rebuilds it from the corpus"  # fmt: skip


def test_a_refused_update_marks_nothing(make_build: MakeBuild) -> None:
    build = make_build()
    done = kg("sparql", "DROP ALLL", "--allow-update", "--build", build)
    assert one_error(done).startswith("Error: SPARQL syntax error")
    assert not (build / "store" / CHANGED_MARK).exists()
    validated = kg("validate", "--no-reason", "--build", build).stdout
    assert "no SPARQL Update since the build: queries see what kg.trig holds" in validated


def test_after_drop_all_every_command_says_the_store_changed(
    make_build: MakeBuild, tmp_path: Path
) -> None:
    build = make_build()
    files = {name: (build / name).read_bytes() for name in ("kg.trig", "kg.ttl")}
    warning = CHANGED.format(store=build / "store")

    done = kg("sparql", "DROP ALL", "--allow-update", "--build", build)
    assert done.returncode == 0 and "true" in done.stdout
    assert done.stderr.splitlines() == [warning]
    assert {name: (build / name).read_bytes() for name in files} == files  # the files are kept

    asked = kg("query", "control-timeline", "-p", "place=Kidal", "--build", build)
    assert asked.returncode == 1
    assert asked.stderr.splitlines() == [
        warning,
        "Error: Unknown place 'Kidal' for parameter 'place'. The store holds no entities at "
        "all: it is empty (emptied by a SPARQL Update?); run `kg build`.",
    ]

    kept = tmp_path / "kg.ttl"
    kept.write_text("an earlier export")
    exported = kg("export", "-o", kept, "--build", build)
    assert exported.returncode == 1
    assert exported.stderr.splitlines() == [
        warning,
        f"Error: {build / 'store'} holds no triples, emptied by a SPARQL Update after the "
        "build: nothing to export; run `kg build` to rebuild it",
    ]
    assert kept.read_text() == "an earlier export"  # never a silent 0-byte file
    assert kg("export", "--build", build).stdout == ""

    loaded = kg("load", "--store", f"http://127.0.0.1:{free_port()}/store", "--build", build)
    assert loaded.returncode == 1
    assert loaded.stderr.splitlines()[-1].endswith("nothing to load; run `kg build` to rebuild it")

    validated = kg("validate", "--no-reason", "--build", build)
    assert validated.returncode == 1
    assert (f"error   store       {build / 'store'}: changed by SPARQL Update after the build"
            in validated.stdout)  # fmt: skip
    assert validated.stdout.splitlines()[-1].startswith("FAILED: ")


def test_an_insert_is_queried_with_the_warning(make_build: MakeBuild) -> None:
    build = make_build()
    insert = ('INSERT DATA { GRAPH <https://w3id.org/sahel-kg/graph/registry> { '
              '<https://w3id.org/sahel-kg/id/kidal> '
              '<http://www.w3.org/2004/02/skos/core#altLabel> "Zzkidal"@en } }')  # fmt: skip
    assert kg("sparql", insert, "--allow-update", "--build", build).returncode == 0
    asked = kg("query", "control-timeline", "-p", "place=zzkidal", "--build", build, "-f", "csv")
    assert asked.returncode == 0
    assert asked.stderr.splitlines() == [CHANGED.format(store=build / "store")]
    assert len(asked.stdout.splitlines()) == 3  # header and Kidal's two periods


# --- point 6: progress on long work ------------------------------------------------------


def test_a_terminal_sees_the_stage_and_the_time_left(tmp_path: Path) -> None:
    import pty

    script = Path(sys.executable).parent / "kg"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "kg"]
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "160", "LINES": "40"}
    with subprocess.Popen([*command, "build", ROOT / "corpus", "--out", tmp_path / "build"],
                          stdout=subprocess.PIPE, stderr=slave, env=env) as process:  # fmt: skip
        os.close(slave)
        drawn = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal is closed: the command ended
                break
            if not chunk:
                break
            drawn += chunk
        stdout = process.stdout.read() if process.stdout else b""
    os.close(master)
    assert process.returncode == 0
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn.decode("utf-8", "replace"))
    for stage in ("extracting 000_ca75d0cc00064998.txt", "deriving periods",
                  "writing kg.trig and kg.ttl", "indexing the entities"):  # fmt: skip
        assert stage in screen, stage
    assert re.search(r"\d+% eta [-:0-9]+ elapsed \d:\d\d:\d\d", screen), screen[-2000:]
    assert stdout.decode().startswith(f"Built {tmp_path / 'build'}/ from 5 documents")


def test_no_terminal_no_progress(tmp_path: Path) -> None:
    done = kg("build", ROOT / "corpus", "--out", tmp_path / "build")
    assert done.returncode == 0
    assert done.stderr == ""  # the shipped corpus has nothing to warn about, and no bar
    assert done.stdout.startswith(f"Built {tmp_path / 'build'}/ from 5 documents")
