"""`kg build` streams its graphs: the output does not depend on --jobs, nothing is left behind,
and the store loaded in pieces holds what the whole file holds."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import store as store_module
from kg.errors import StoreError
from kg.pipeline import build
from kg.store import open_store, write_store
from kg.vocab import PREFIX_BLOCK

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
TODAY = date(2026, 1, 1)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    outs = {}
    for jobs in (1, 2):
        out = tmp_path_factory.mktemp(f"jobs{jobs}") / "build"
        build(CORPUS, out, jobs=jobs, today=TODAY)
        outs[jobs] = out
    return outs


def quads(build_dir: Path) -> list[str]:
    return sorted(str(q) for q in open_store(build_dir))


def test_the_output_does_not_depend_on_jobs(builds: dict[int, Path]) -> None:
    for name in ("kg.trig", "kg.ttl", "manifest.json"):
        assert (builds[1] / name).read_bytes() == (builds[2] / name).read_bytes(), name
    assert quads(builds[1]) == quads(builds[2])


def test_nothing_is_left_beside_or_in_the_build(builds: dict[int, Path]) -> None:
    for out in builds.values():
        assert [p.name for p in out.parent.iterdir()] == ["build"]
        assert sorted(p.name for p in out.iterdir()) == ["cache", "kg.trig", "kg.ttl", "manifest.json",
                                                         "store"]  # fmt: skip


def test_the_store_loaded_in_pieces_is_the_store_loaded_whole(
    builds: dict[int, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trig = builds[1] / "kg.trig"
    pieces = list(store_module._pieces(trig, size=4096))
    assert len(pieces) > 3
    header = PREFIX_BLOCK
    assert all(p.startswith(header) and p.endswith(b"}\n") for p in pieces)
    assert b"".join(p[len(header) :] for p in pieces) == trig.read_bytes()[len(header) :]
    monkeypatch.setattr(store_module, "LOAD_CHUNK", 4096)
    monkeypatch.setattr(store_module._pieces, "__defaults__", (4096,))
    assert write_store(tmp_path, trig) == len(quads(builds[1]))
    assert quads(tmp_path) == quads(builds[1])


def test_a_trig_file_of_another_shape_is_loaded_whole(tmp_path: Path) -> None:
    trig = tmp_path / "other.trig"
    trig.write_text(
        '@prefix ex: <http://example.org/> .\nex:g { ex:s ex:p """two\n}\nlines""" . }\n'
    )
    assert len(list(store_module._pieces(trig, size=1))) == 1
    assert write_store(tmp_path, trig) == 1
    (quad,) = list(ox.Store.read_only(str(tmp_path / "store")))
    assert quad.object.value == "two\n}\nlines"


def graph_texts_of(build_dir: Path) -> list[bytes]:
    """kg.trig cut into its graphs, each as the build hands it to the StoreWriter."""
    header = PREFIX_BLOCK
    body = (build_dir / "kg.trig").read_bytes()[len(header) :]
    return [g + b"}\n" for g in body.split(b"\n}\n") if g.strip()]


def test_the_store_writer_loads_graphs_in_the_background_like_write_store(
    builds: dict[int, Path], tmp_path: Path
) -> None:
    graphs = graph_texts_of(builds[1])
    assert len(graphs) == 8  # ontology, registry, derived, five articles
    with store_module.StoreWriter(tmp_path, chunk=4096) as writer:
        for graph in reversed(graphs):  # the order of the graphs does not matter
            writer.add(graph)
        count = writer.finish()
    assert count == len(quads(builds[1]))
    assert quads(tmp_path) == quads(builds[1])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_a_failed_background_load_keeps_the_old_store(
    builds: dict[int, Path], tmp_path: Path
) -> None:
    shutil.copytree(builds[1] / "store", tmp_path / "store")
    before = quads(tmp_path)
    with pytest.raises(StoreError, match="not valid TriG"):
        with store_module.StoreWriter(tmp_path, chunk=1) as writer:
            writer.add(b"<http://example.org/g> { <http://example.org/s> broken . }\n")
            for graph in graph_texts_of(builds[1]):
                writer.add(graph)
            writer.finish()
    assert quads(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_an_abandoned_store_writer_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        with store_module.StoreWriter(tmp_path) as writer:
            writer.add(
                b"<http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 . }\n"
            )
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
