"""kg.queries: the build's entity index file (``entities.json``) and when it is trusted.

Real builds (the shipped corpus and tests/data/corpus through
``kg.pipeline.build``), their real on-disk stores, real SPARQL Update.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import queries
from kg.errors import QueryError
from kg.pipeline import build
from kg.queries import FITTING_CLASSES, EntityIndex, Param
from kg.store import open_store, select

ROOT = Path(__file__).resolve().parents[1]
CORPORA = {"shipped": ROOT / "corpus", "tests": ROOT / "tests" / "data" / "corpus"}
TODAY = date(2026, 1, 1)
PARAMS = [Param(name, "entity") for name in ("entity", *FITTING_CLASSES)]


@pytest.fixture(scope="module", params=sorted(CORPORA))
def corpus_build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("index") / "build"
    build(CORPORA[request.param], out, today=TODAY)  # writes the index: no extra call here
    return out


def outcome(index: EntityIndex, param: Param, value: str) -> str:
    """The IRI a value resolves to, or the whole error message."""
    try:
        return index.resolve(param, value).value
    except QueryError as error:
        return f"error: {error}"


def lookup_index(build_dir: Path) -> EntityIndex:
    return EntityIndex.from_result(select(open_store(build_dir), queries.LOOKUP))


def test_the_build_writes_a_fresh_index_in_its_store_folder(tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(CORPORA["tests"], out, today=TODAY)
    assert queries.entity_index_path(out) == out / "store" / "entities.json"
    assert queries.read_entity_index(out) == lookup_index(out)
    assert queries.read_entity_index(out) is not None  # opening read-only changed nothing


def test_the_file_resolves_every_label_alias_and_key_as_lookup_does(corpus_build: Path) -> None:
    from_file = queries.read_entity_index(corpus_build)
    assert from_file is not None
    from_lookup = lookup_index(corpus_build)
    assert from_file == from_lookup
    rows = select(open_store(corpus_build), queries.LOOKUP).rows
    values = {r[2].value for r in rows if r[2] is not None}
    values |= {r[0].value.rsplit("/", 1)[-1] for r in rows if r[0] is not None}
    assert len(values) > 100
    # equal indexes resolve alike: a sample, with the cases that end in an error
    sample = sorted(values)[::25] + ["KIDAL", "nowhere at all", "Kidl", "id:kidal"]
    for value in sample:
        for param in PARAMS:
            assert outcome(from_file, param, value) == outcome(from_lookup, param, value), value


def test_the_file_is_sorted_json_with_the_same_bytes_each_time(
    corpus_build: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    path = queries.entity_index_path(corpus_build)
    first = path.read_bytes()
    document = json.loads(first)
    assert document["format"] == "sahel-kg entity index 1"
    assert list(document) == sorted(document)
    assert list(document["by_label"]) == sorted(document["by_label"])
    queries.write_entity_index(corpus_build)
    assert path.read_bytes() == first
    again = tmp_path / "again"
    build(CORPORA[request.node.callspec.params["corpus_build"]], again, today=TODAY)
    assert queries.entity_index_path(again).read_bytes() == first


def test_a_query_on_the_build_folder_resolves_from_the_file(tmp_path: Path) -> None:
    out = tmp_path / "kidal"
    build(CORPORA["shipped"], out, today=TODAY)
    path = queries.entity_index_path(out)
    document = json.loads(path.read_text(encoding="utf-8"))
    region = "https://w3id.org/sahel-kg/id/kidal-region"
    document["by_label"]["kidal"] = [[0, region]]  # a file that says otherwise, to see it read
    path.write_text(json.dumps(document), encoding="utf-8")
    queries.clear_entity_cache()
    as_file = queries.run_query("control-timeline", {"place": "Kidal"}, build_dir=out)
    queries.clear_entity_cache()
    as_region = queries.run_query("control-timeline", {"place": region}, build_dir=out)
    assert as_file == as_region
    path.unlink()  # absent: LOOKUP again
    queries.clear_entity_cache()
    kidal = queries.run_query("control-timeline", {"place": "Kidal"}, build_dir=out)
    assert kidal.rows and kidal != as_region
    queries.clear_entity_cache()


def test_an_update_through_kg_retires_the_file(tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(CORPORA["tests"], out, today=TODAY)
    assert queries.read_entity_index(out) is not None
    insert = ('INSERT DATA { GRAPH <https://w3id.org/sahel-kg/graph/registry> { '
              '<https://w3id.org/sahel-kg/id/kidal> '
              '<http://www.w3.org/2004/02/skos/core#altLabel> "Zzkidal"@en } }')  # fmt: skip
    queries.run_sparql(insert, build_dir=out, allow_update=True)
    assert not queries.entity_index_path(out).exists()
    assert queries.read_entity_index(out) is None
    resolved = queries.entity_resolver(lambda q, s: select(open_store(out), q), "upd", None, out)
    assert resolved(Param("place", "entity"), "zzkidal").value.endswith("/id/kidal")
    queries.clear_entity_cache()


def test_a_store_changed_behind_kg_makes_the_file_stale(tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(CORPORA["tests"], out, today=TODAY)
    read_only = open_store(out)
    assert len(read_only) > 0
    del read_only  # a read-only opening writes nothing: still fresh
    assert queries.read_entity_index(out) is not None
    store = ox.Store(str(out / "store"))
    store.update('INSERT DATA { GRAPH <urn:x> { <https://w3id.org/sahel-kg/id/kidal> '
                 '<http://www.w3.org/2004/02/skos/core#altLabel> "Elsewhere"@en } }')  # fmt: skip
    del store
    assert queries.entity_index_path(out).exists()
    assert queries.read_entity_index(out) is None  # stale: LOOKUP will run
    queries.clear_entity_cache()
    result = queries.run_query("control-timeline", {"place": "Elsewhere"}, build_dir=out)
    kidal = queries.run_query("control-timeline", {"place": "Kidal"}, build_dir=out)
    assert result.rows == kidal.rows
    queries.clear_entity_cache()


def test_a_damaged_or_foreign_file_is_ignored(tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(CORPORA["tests"], out, today=TODAY)
    path = queries.entity_index_path(out)
    for text in (
        "{",
        "[]",
        '{"format": "something else"}',
        '{"format": "sahel-kg entity index 1"}',
    ):
        path.write_text(text, encoding="utf-8")
        assert queries.read_entity_index(out) is None, text
    queries.write_entity_index(out)
    later = path.stat().st_mtime_ns
    os.utime(out / "store" / "CURRENT", ns=(later, later))  # a store file as new as the index
    assert queries.read_entity_index(out) is None
