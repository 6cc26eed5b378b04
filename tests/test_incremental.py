"""Issue 15: add and remove articles without a rebuild, as-of questions, copies, the lock.

Every comparison is of bytes: a build changed by ``kg add`` / ``kg remove``
(or by ``kg build`` of a folder that changed) must be the build of the same
documents from nothing: kg.trig, kg.ttl, manifest.json, and the store's quads.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg import pipeline, update
from kg.cli import app
from kg.lock import build_lock
from kg.resources import resource_path
from kg.store import open_store, select

TODAY = date(2026, 1, 1)
FILES = ("kg.trig", "kg.ttl", "manifest.json")
KIDAL_002 = "002_50c56f432d7d8496"
ROOT = Path(__file__).resolve().parents[1]
EARLY = """---
title: "Mali: army column advances towards Kidal"
publisher: "Test Wire"
published: "2023-11-10"
language: "en"
---
A Malian army column is advancing towards Kidal. The town has been under the control of Tuareg rebels since 2014.

Tuareg rebels have held Kidal since 2014, according to residents.
"""


def files(build: Path) -> dict[str, bytes]:
    return {name: (build / name).read_bytes() for name in FILES}


def quads(build: Path) -> list[str]:
    result = select(open_store(build), "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return sorted(repr(row) for row in result.rows)


def build(corpus: Path, out: Path) -> pipeline.BuildReport:
    return pipeline.build(corpus, out, today=TODAY)


def corpus_without(tmp: Path, *left_out: str) -> Path:
    folder = tmp / ("corpus-" + "-".join(left_out) if left_out else "corpus")
    folder.mkdir()
    for path in sorted(resource_path("corpus").glob("*.txt")):
        if not path.name.startswith(left_out) or not left_out:
            shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped corpus built from nothing."""
    out = tmp_path_factory.mktemp("shipped") / "build"
    build(resource_path("corpus"), out)
    return out


def test_add_equals_a_rebuild_and_a_known_article_is_a_no_op(shipped: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(corpus_without(tmp_path, "002"), out)
    added = update.add_articles([resource_path("corpus") / f"{KIDAL_002}.txt"], out, today=TODAY)
    assert added.changed == (KIDAL_002,) and added.build is not None
    assert added.build.extracted == 1 and added.build.documents == 5
    assert files(out) == files(shipped)
    assert quads(out) == quads(shipped)

    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    again = CliRunner().invoke(app, ["add", str(resource_path("corpus") / f"{KIDAL_002}.txt"),
                                     "-o", str(out)])  # fmt: skip
    assert again.exit_code == 0
    assert again.stdout == (f"Already in the build with the same content: {KIDAL_002} "
                            "(nothing to do)\nNothing changed.\n")  # fmt: skip
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_remove_then_add_restores_the_bytes(shipped: Path, tmp_path: Path) -> None:
    without = tmp_path / "without"
    build(corpus_without(tmp_path, "002"), without)
    out = tmp_path / "build"
    shutil.copytree(shipped, out)
    done = CliRunner().invoke(app, ["remove", KIDAL_002, "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith(f"Documents removed: {KIDAL_002}\nBuilt ")
    assert files(out) == files(without)
    assert quads(out) == quads(without)
    update.add_articles([resource_path("corpus") / f"{KIDAL_002}.txt"], out, today=TODAY)
    assert files(out) == files(shipped)


def test_build_of_a_changed_folder_extracts_only_the_changed_documents(
    shipped: Path, tmp_path: Path
) -> None:
    out = tmp_path / "build"
    build(corpus_without(tmp_path, "002", "004"), out)
    report = build(resource_path("corpus"), out)
    assert report.extracted == 2
    assert files(out) == files(shipped)
    assert build(resource_path("corpus"), out).extracted == 0
    assert files(out) == files(shipped)


def test_add_equals_a_rebuild_on_a_generated_corpus(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    every = tmp_path / "all"
    generate.generate_corpus(every, 8, seed=15, words=250)
    names = sorted(p.name for p in every.glob("*.txt"))
    first = tmp_path / "first"
    first.mkdir()
    for name in names[:6]:
        shutil.copy(every / name, first / name)
    grown, full = tmp_path / "grown", tmp_path / "full"
    build(first, grown)
    update.add_articles([every / n for n in names[6:]], grown, today=TODAY)
    build(every, full)
    assert files(grown) == files(full)
    assert quads(grown) == quads(full)
    update.remove_documents([Path(names[1]).stem], grown)
    (every / names[1]).unlink()
    build(every, full)
    assert files(grown) == files(full)


def test_remove_of_an_unknown_document_says_what_to_give(shipped: Path) -> None:
    done = CliRunner().invoke(app, ["remove", "no-such-doc", "-o", str(shipped)])
    assert done.exit_code == 1
    assert done.stderr.startswith("Error: Unknown document 'no-such-doc' in ")
    assert len(done.stderr.splitlines()) == 1


def test_add_needs_a_build(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["add", str(resource_path("corpus") / f"{KIDAL_002}.txt"),
                                    "-o", str(tmp_path / "nothing")])  # fmt: skip
    assert done.exit_code == 1
    assert "holds no build that kg add/remove can change" in done.stderr
    assert not (tmp_path / "nothing").exists()


def kidal(build: Path, **params: str) -> list[dict[str, str]]:
    args = ["query", "control-timeline", "-p", "place=Kidal", "-b", str(build), "-f", "csv"]
    for key, value in params.items():
        args += ["-p", f"{key}={value}"]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    return list(csv.DictReader(io.StringIO(done.stdout)))


def test_copies_do_not_raise_corroboration(shipped: Path, tmp_path: Path) -> None:
    corpus = corpus_without(tmp_path)
    text = (corpus / f"{KIDAL_002}.txt").read_text()
    (corpus / "900_copy.txt").write_text(text)  # the same article under a new name
    head, body = text.split("\n---\n", 1)
    head = head.replace('title: "', 'title: "UPDATE - ', 1)
    head = head.replace('publisher: "', 'publisher: "Another Outlet ', 1)
    body = ("Advertisement\nShare this article on Facebook Twitter WhatsApp\n\n" + body +
            "\n\nRead more: Mali news, the latest from the Sahel.\nSubscribe to our newsletter.\n")
    (corpus / "901_near.txt").write_text(head + "\n---\n" + body)
    out = tmp_path / "build"
    report = build(corpus, out)
    assert (report.exact_copies, report.near_copies) == (1, 1)
    assert "  copies:   2 (1 file with the text of another, 1 near copy of an earlier article)" \
        in pipeline.report_lines(report)  # fmt: skip
    plain, copied = kidal(shipped)[-1], kidal(out)[-1]
    assert plain["controllerLabel"] == copied["controllerLabel"] == "Malian Armed Forces"
    assert copied["claims"] == plain["claims"]  # 13 on the shipped corpus today
    assert "901_near" in copied["documents"].split()
    assert "900_copy" not in copied["documents"].split()
    ask = select(open_store(out), "ASK { <https://w3id.org/sahel-kg/doc/901_near> "
                 f"<http://www.w3.org/ns/prov#wasDerivedFrom> <https://w3id.org/sahel-kg/doc/{KIDAL_002}> }}")  # fmt: skip  # noqa: E501
    assert ask.rows[0][0].value == "true"
    import json

    copies = json.loads((out / "manifest.json").read_text())["copies"]
    assert copies == {"near": {"901_near": KIDAL_002}, "same_text": {KIDAL_002: ["900_copy.txt"]}}


def test_asof_answers_from_the_documents_published_by_then(shipped: Path, tmp_path: Path) -> None:
    on_15 = kidal(shipped, asof="2023-11-15")
    assert [(r["controllerLabel"], r["ongoing"], r["asOf"]) for r in on_15] == [
        ("Malian Armed Forces", "true", "2023-11-15")]
    assert len(kidal(shipped)) == 4  # the 2024 article adds the earlier periods
    early = tmp_path / "early"
    early.mkdir()
    (early / "100_early.txt").write_text(EARLY)
    out = tmp_path / "build"
    shutil.copytree(shipped, out)
    update.add_articles([early / "100_early.txt"], out, today=TODAY)
    on_13 = kidal(out, asof="2023-11-13")
    assert [(r["controllerLabel"], r["ongoing"], r["asOf"]) for r in on_13] == [
        ("Tuareg rebels", "true", "2023-11-10")]
    assert kidal(out, asof="2023-11-15")[-1]["controllerLabel"] == "Malian Armed Forces"
    assert kidal(out, asof="2023-11-15")[-1]["ongoing"] == "true"


def test_asof_before_any_document_or_not_a_date(shipped: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["query", "control-timeline", "-p", "place=Kidal", "-p",
                               "asof=2023-11-13", "-b", str(shipped)])  # fmt: skip
    assert done.exit_code == 1
    assert done.stderr == (f"Error: No document of {shipped} was published on or before "
                           "asof=2023-11-13 (the first is from 2023-11-14); give a later date\n")  # fmt: skip
    done = runner.invoke(app, ["query", "events", "-p", "asof=13/11/2023", "-b", str(shipped)])
    assert done.exit_code == 1
    assert done.stderr.startswith("Error: Parameter asof='13/11/2023' is not a date")


def test_a_second_writer_stops_with_one_line(shipped: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    shutil.copytree(shipped, out)
    before = files(out)
    with build_lock(out):
        done = CliRunner().invoke(app, ["build", "-o", str(out), "--quiet"])
    assert done.exit_code == 1
    assert done.stdout == ""
    assert done.stderr == (f"Error: Another kg command is writing this build: {out} is locked "
                           "by a kg build, add or remove still running; wait for it to finish, "
                           "or give another --out\n")  # fmt: skip
    assert files(out) == before


def test_two_concurrent_builds_never_both_report_success(shipped: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    kg = [str(Path(sys.executable).parent / "kg"), "build", "-o", str(out), "--quiet"]
    first = subprocess.Popen(kg, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and first.poll() is None:  # until the first holds the lock
        if out.is_dir():
            fd = os.open(out, os.O_RDONLY)
            try:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
            except BlockingIOError:
                break
            finally:
                os.close(fd)
        time.sleep(0.01)
    second = subprocess.run(kg, capture_output=True, text=True)
    out_1, err_1 = first.communicate(timeout=300)
    assert first.returncode == 0, err_1
    assert out_1.startswith(f"Built {out}/ from 5 documents")
    assert second.returncode == 1 and second.stdout == ""
    assert "is locked by a kg build, add or remove still running" in second.stderr
    assert files(out) == files(shipped)
