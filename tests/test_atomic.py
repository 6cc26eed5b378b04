"""Atomic outputs: a build or export that fails or is killed leaves the previous one usable.

``kg build`` runs in a subprocess on a big corpus (300 copies of the shipped
articles) and is stopped midway by SIGINT, SIGTERM or SIGKILL; it is also
killed while it writes (its staging folder exists) and at several moments up
to the swap. Each time ``build/`` must be byte for byte the previous build (or,
after the swap, the complete new one: never a mix), and still answer
``kg query control-timeline -p place=Kidal``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.pipeline import build, prepare_output, publish, staging_dir

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = sorted((ROOT / "corpus").glob("*.txt"))
TODAY = date(2026, 1, 1)
COPIES = 300


def kg_command() -> list[str]:
    script = Path(sys.executable).parent / "kg"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kg"]


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under folder (hidden ones included)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def timeline(build_dir: Path) -> subprocess.CompletedProcess[str]:
    """``kg query control-timeline -p place=Kidal --build DIR`` (in process: it is fast)."""
    args = ["query", "control-timeline", "-p", "place=Kidal", "--build", str(build_dir),
            "--format", "csv"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def start_build(corpus: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*kg_command(), "build", str(corpus), "--out", str(out), "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def wait_for_cpu(process: subprocess.Popen[str], seconds: float) -> None:
    """Wait until the process has used that much CPU time: past its imports, at work."""
    ticks = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        if (int(fields[11]) + int(fields[12])) / ticks >= seconds:  # utime + stime
            return
        time.sleep(0.05)


def staging_of(out: Path, pid: int) -> Path:
    return out.parent / f".{out.name}.staging-{pid}"


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``old``: four shipped articles; ``new``: all five; ``big``: 300 copies of the five."""
    root = tmp_path_factory.mktemp("corpora")
    folders = {name: root / name for name in ("old", "new", "big")}
    for folder in folders.values():
        folder.mkdir()
    for article in ARTICLES[:4]:
        shutil.copy(article, folders["old"] / article.name)
    for article in ARTICLES:
        shutil.copy(article, folders["new"] / article.name)
        for copy in range(COPIES):
            shutil.copy(article, folders["big"] / f"{article.stem}_{copy:03d}.txt")
    return folders


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, corpora: dict[str, Path]) -> Path:
    """The previous build: made once, copied for each test."""
    out = tmp_path_factory.mktemp("reference") / "build"
    build(corpora["old"], out, today=TODAY)
    return out


@pytest.fixture
def previous(tmp_path: Path, reference: Path) -> Path:
    out = tmp_path / "build"
    shutil.copytree(reference, out)
    return out


@pytest.fixture(scope="module")
def expected_timeline(reference: Path) -> str:
    done = timeline(reference)
    assert done.returncode == 0, done.stderr
    assert "Kidal" in done.stdout or done.stdout.count("\n") > 1
    return done.stdout


def assert_intact(out: Path, before: dict[str, str], expected_timeline: str) -> None:
    assert snapshot(out) == before
    assert set(before) >= {"kg.trig", "kg.ttl", "manifest.json"}
    assert any(name.startswith("store/") for name in before)
    done = timeline(out)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == expected_timeline


STOPS = {
    signal.SIGINT: (130, "Interrupted: stopped before the end; earlier outputs are intact.\n"),
    signal.SIGTERM: (143, "Terminated: stopped before the end; earlier outputs are intact.\n"),
    signal.SIGKILL: (-signal.SIGKILL, ""),
}


def test_a_build_stopped_midway_leaves_the_previous_build(
    corpora: dict[str, Path], reference: Path, tmp_path: Path, expected_timeline: str
) -> None:
    """Ctrl-C, SIGTERM and SIGKILL, each on its own copy of the build, at the same time."""
    before = snapshot(reference)
    outs = {sig: tmp_path / sig.name / "build" for sig in STOPS}
    for out in outs.values():
        shutil.copytree(reference, out)
    processes = {sig: start_build(corpora["big"], out) for sig, out in outs.items()}
    for process in processes.values():  # reading 1,500 articles and extracting them: minutes
        wait_for_cpu(process, 1.5)
    for sig, process in processes.items():
        assert process.poll() is None, process.communicate()
        process.send_signal(sig)
    for sig, process in processes.items():
        out, err = process.communicate(timeout=60)
        assert (process.returncode, out, err) == (*STOPS[sig][:1], "", STOPS[sig][1]), sig
        # The staging folder exists from the start (the store loads beside the extraction):
        # SIGINT and SIGTERM remove it; SIGKILL cannot, the next build does.
        left = {p.name for p in outs[sig].parent.iterdir()} - {"build"}
        assert left == ({staging_of(outs[sig], process.pid).name} if sig == signal.SIGKILL
                        else set()), sig  # fmt: skip
        assert_intact(outs[sig], before, expected_timeline)


def store_quads(build_dir: Path) -> list[str]:
    from kg.store import open_store

    return sorted(str(q) for q in open_store(build_dir))


def test_a_build_terminated_while_writing_cleans_up(
    corpora: dict[str, Path], previous: Path, expected_timeline: str
) -> None:
    before = snapshot(previous)
    process = start_build(corpora["new"], previous)
    staging = staging_of(previous, process.pid)
    while not staging.exists() and process.poll() is None:
        time.sleep(0.002)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out) == (143, ""), err
    assert err == "Terminated: stopped before the end; earlier outputs are intact.\n"
    assert_intact(previous, before, expected_timeline)
    assert [p.name for p in previous.parent.iterdir()] == ["build"]  # staging removed


def test_a_build_killed_while_writing_leaves_old_or_new_never_a_mix(
    corpora: dict[str, Path], previous: Path, expected_timeline: str
) -> None:
    """SIGKILL as the staging folder appears, then later; the next build cleans up."""
    old_files = snapshot(previous)
    seen = []  # (files, quads) after each kill
    for delay in (0.0, 0.5):
        process = start_build(corpora["new"], previous)
        staging = staging_of(previous, process.pid)
        while not staging.exists() and process.poll() is None:
            time.sleep(0.002)
        time.sleep(delay)
        process.kill()
        process.communicate(timeout=60)
        seen.append((snapshot(previous), store_quads(previous)))
        if seen[-1][0] == old_files:
            assert staging.exists()  # SIGKILL leaves it: the next build removes it
            assert timeline(previous).stdout == expected_timeline
    build(corpora["new"], previous, today=TODAY)
    new_files, new_quads = snapshot(previous), store_quads(previous)
    top = {k: v for k, v in new_files.items() if "/" not in k}
    outcomes = [
        "old" if files == old_files
        else "new" if quads == new_quads and {k: v for k, v in files.items() if "/" not in k} == top
        else "mixed"
        for files, quads in seen
    ]  # fmt: skip
    assert outcomes[0] == "old" and "mixed" not in outcomes, outcomes
    assert [p.name for p in previous.parent.iterdir()] == ["build"]
    assert sorted(p.name for p in previous.iterdir()) == ["cache", "kg.trig", "kg.ttl", "manifest.json",
                                                         "store"]  # fmt: skip


def test_leftovers_of_dead_builds_are_removed_live_ones_kept(previous: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    pid = int(dead.stdout)
    leftovers = [staging_of(previous, pid), previous.parent / f".build.old-{pid}",
                 previous / f".store.old-{pid}"]  # fmt: skip
    for folder in leftovers:
        (folder / "store").mkdir(parents=True)
    alive = previous.parent / f".build.staging-{os.getppid()}"  # a running process: kept
    alive.mkdir()
    other = previous.parent / f".other.staging-{pid}"  # another output's: not ours to remove
    other.mkdir()
    prepare_output(previous)  # what `kg build` does first
    assert [f for f in leftovers if f.exists()] == []
    assert alive.exists() and other.exists()
    assert staging_dir(previous) == staging_of(previous, os.getpid())


def fake_build(folder: Path, tag: str) -> Path:
    for name in ("kg.trig", "kg.ttl", "manifest.json", "store/CURRENT"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(f"{tag} {name}")
    return folder


def test_publish_swaps_the_whole_build_and_keeps_docs(tmp_path: Path) -> None:
    out = fake_build(tmp_path / "build", "old")
    (out / "docs").mkdir()
    (out / "docs" / "ontology.html").write_text("<html/>")
    staging = fake_build(staging_dir(out), "new")
    publish(staging, out)
    assert snapshot(out) == {**snapshot(fake_build(tmp_path / "expected", "new")),
                             "docs/ontology.html": snapshot(out)["docs/ontology.html"]}  # fmt: skip
    assert (out / "docs" / "ontology.html").read_text() == "<html/>"
    assert (staging / "kg.trig").read_text() == "old kg.trig"  # the caller removes it


def test_publish_into_a_folder_with_user_files_replaces_only_the_outputs(tmp_path: Path) -> None:
    out = fake_build(tmp_path / "here", "old")
    (out / "notes.txt").write_text("mine")
    publish(fake_build(staging_dir(out), "new"), out)
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "kg.trig").read_text() == "new kg.trig"
    assert (out / "store" / "CURRENT").read_text() == "new store/CURRENT"


def test_publish_through_a_link_replaces_the_folder_it_points_to(tmp_path: Path) -> None:
    real = fake_build(tmp_path / "real", "old")
    link = tmp_path / "link"
    link.symlink_to(real)
    staging = fake_build(staging_dir(link), "new")
    assert staging.parent == tmp_path and staging.name.startswith(".real.staging-")
    publish(staging, link)
    assert link.is_symlink() and (real / "kg.trig").read_text() == "new kg.trig"


def test_publish_into_a_new_folder(tmp_path: Path) -> None:
    out = tmp_path / "fresh" / "build"
    out.parent.mkdir()
    publish(fake_build(staging_dir(out), "new"), out)
    assert (out / "kg.trig").read_text() == "new kg.trig"
    assert [p.name for p in out.parent.iterdir()] == ["build"]


def test_a_failed_build_leaves_the_previous_build(
    previous: Path, tmp_path: Path, expected_timeline: str
) -> None:
    before = snapshot(previous)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "bad.txt").write_text("no front matter")
    done = subprocess.run([*kg_command(), "build", str(empty), "--out", str(previous)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 1 and done.stderr.startswith("Error: no article could be read")
    assert_intact(previous, before, expected_timeline)


# --- export ------------------------------------------------------------------------


def test_an_export_killed_midway_leaves_the_previous_file(reference: Path, tmp_path: Path) -> None:
    target = tmp_path / "kg.nq"
    target.write_bytes(b"previous export\n")
    for sig in (signal.SIGKILL, signal.SIGTERM):
        process = subprocess.Popen(
            [*kg_command(), "export", "--format", "nquads", "-o", str(target),
             "--build", str(reference)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        temporary = f".kg.nq.{process.pid}."
        while process.poll() is None and not any(
            p.name.startswith(temporary) for p in tmp_path.iterdir()
        ):
            time.sleep(0.001)
        process.send_signal(sig)
        process.communicate(timeout=60)
        if process.returncode == 0:  # the write beat the poll: the export is complete
            assert target.read_bytes() != b"previous export\n"
            target.write_bytes(b"previous export\n")
            continue
        assert target.read_bytes() == b"previous export\n"
    done = subprocess.run([*kg_command(), "export", "--format", "nquads", "-o", str(target),
                           "--build", str(reference)], capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["kg.nq"]  # a dead export's temp file is gone
    assert target.read_bytes().count(b"\n") > 1000


def test_an_export_that_fails_leaves_the_previous_file(reference: Path, tmp_path: Path) -> None:
    target = tmp_path / "kg.ttl"
    target.write_bytes(b"previous export\n")
    done = subprocess.run([*kg_command(), "export", "-o", str(target), "--build",
                           str(tmp_path / "missing")], capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == f"Error: No build in {tmp_path / 'missing'}/: run `kg build` first.\n"
    assert target.read_bytes() == b"previous export\n"
