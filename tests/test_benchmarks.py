"""Smoke test of benchmarks/: the generator, and every benchmark at tiny sizes.

No benchmark runs inside the test suite; this only keeps benchmarks/run.py
from rotting: ``run.py --quick`` must print a table with every expected row.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from kg.corpus import load_corpus
from kg.queries import list_queries

ROOT = Path(__file__).resolve().parents[1]


def load_module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_generator_is_deterministic_and_writes_readable_articles(tmp_path: Path) -> None:
    generate = load_module("generate")
    first = generate.generate_corpus(tmp_path / "a", 6, seed=3, words=300)
    again = generate.generate_corpus(tmp_path / "b", 4, seed=3, words=300)
    assert [p.name for p in again] == [p.name for p in first[:4]]  # a smaller corpus is a prefix
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, again, strict=False))
    other = generate.generate_corpus(tmp_path / "c", 1, seed=4, words=300)
    assert other[0].read_bytes() != first[0].read_bytes()
    loaded = load_corpus(tmp_path / "a")
    assert loaded.problems == ()
    assert len(loaded.documents) == 6
    for doc in loaded.documents:
        assert 250 <= len(doc.text.split()) <= 400
        assert doc.publisher and doc.language == "en"


def test_quick_run_prints_every_row(tmp_path: Path) -> None:
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "run.py"),
        "--quick",
        "--work",
        str(tmp_path),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("code: ") and lines[1].startswith("machine: ")
    rows = [line for line in lines if line.split("  ")[0] in ("build", "query", "cli", "load")]
    expected = [
        "build    3 articles of ~",
        "build    3 articles: claims/s, triples/s",
        "build    3 articles: peak memory",
        "build    3 articles: CPU by stage",
        "build    6 articles of ~",
        "build    6 articles: --jobs 2 against --jobs 1",
        "build    growth 3 -> 6 articles",
        "query    dataset: generated articles",
        "query    rdflib: parse",
        *(f"query    {q.name}" for q in list_queries()),
        'cli      python -c "import rdflib" (floor)',
        "cli      kg query control-timeline -p place=Kidal",
        "cli      kg --help",
        "load     curl PUT per graph",
        "load     curl PUT of the whole dataset",
        "load     kg load",
        "load     oxigraph load",
    ]
    for prefix in expected:
        assert any(row.startswith(prefix) for row in rows), f"no row {prefix!r} in:\n{done.stdout}"
    assert not any("embedded: error" in row for row in rows), done.stdout
