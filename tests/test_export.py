"""Export: every format re-parses with rdflib (the other library) into the build's graph."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import MakeBuild
from rdflib.compare import isomorphic

from kg.errors import BuildMissingError, KgError
from kg.export import FORMATS, export
from kg.store import open_store

RDFLIB_FORMATS = {
    "turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig",
    "jsonld": "json-ld", "xml": "xml",
}  # fmt: skip


def rdflib_term(node: object) -> rdflib.term.Node:
    """A pyoxigraph term as the rdflib term, to compare graphs across the two libraries."""
    if isinstance(node, ox.NamedNode):
        return rdflib.URIRef(node.value)
    assert isinstance(node, ox.Literal)
    if node.language:
        return rdflib.Literal(node.value, lang=node.language)
    if node.datatype.value == str(rdflib.XSD.string):
        return rdflib.Literal(node.value)  # rdflib tells "x" from "x"^^xsd:string apart
    return rdflib.Literal(node.value, datatype=rdflib.URIRef(node.datatype.value))


def expected_union(build: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    for quad in open_store(build):
        graph.add(
            (rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object))
        )
    return graph


def expected_quads(build: Path) -> set[tuple[rdflib.term.Node, ...]]:
    return {
        (
            *(rdflib_term(t) for t in (q.subject, q.predicate, q.object)),
            rdflib.URIRef(q.graph_name.value),
        )
        for q in open_store(build)
    }


def parsed_quads(data: bytes, fmt: str) -> set[tuple[rdflib.term.Node, ...]]:
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format=fmt)
    return {(s, p, o, g) for s, p, o, g in dataset.quads((None, None, None, None)) if g is not None}


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "xml"])
def test_triple_formats_hold_the_union(tiny_build: Path, fmt: str) -> None:
    data = export(tiny_build, fmt, None)
    assert data is not None
    parsed = rdflib.Graph().parse(data=data, format=RDFLIB_FORMATS[fmt])
    expected = expected_union(tiny_build)
    assert len(parsed) == len(expected) > 50
    assert isomorphic(parsed, expected)
    assert sorted(parsed) == sorted(expected)  # no blank nodes: the same triples


@pytest.mark.parametrize("fmt", ["nquads", "trig", "jsonld"])
def test_dataset_formats_keep_the_named_graphs(tiny_build: Path, fmt: str) -> None:
    data = export(tiny_build, fmt, None)
    assert data is not None
    assert parsed_quads(data, RDFLIB_FORMATS[fmt]) == expected_quads(tiny_build)


def test_union_has_each_triple_once(make_build: MakeBuild) -> None:
    triple = "<http://e/s> <http://e/p> <http://e/o> ."
    build = make_build(f"<http://e/g1> {{ {triple} }} <http://e/g2> {{ {triple} }}")
    assert export(build, "ntriples", None) == b"<http://e/s> <http://e/p> <http://e/o> .\n"
    assert export(build, "nquads", None) == (
        b"<http://e/s> <http://e/p> <http://e/o> <http://e/g1> .\n"
        b"<http://e/s> <http://e/p> <http://e/o> <http://e/g2> .\n"
    )


def test_turtle_uses_the_project_prefixes(tiny_build: Path) -> None:
    data = export(tiny_build, "turtle", None)
    assert data is not None
    text = data.decode()
    assert "@prefix sk: <https://w3id.org/sahel-kg/ontology#> ." in text
    assert "id:kidal a sk:Settlement ;" in text


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_is_deterministic(tiny_build: Path, make_build: MakeBuild, fmt: str) -> None:
    again = make_build()
    assert export(tiny_build, fmt, None) == export(again, fmt, None)


def test_export_bytes_do_not_depend_on_the_process(tiny_build: Path) -> None:
    run = (
        "import sys; from pathlib import Path; from kg.export import export; "
        "sys.stdout.buffer.write(export(Path(sys.argv[1]), sys.argv[2], None))"
    )
    root = Path(__file__).resolve().parents[1]
    for fmt in ("turtle", "xml", "jsonld"):
        outputs = {
            subprocess.run(
                [sys.executable, "-c", run, str(tiny_build), fmt], cwd=root, check=True,
                capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed},
            ).stdout
            for seed in ("1", "2")
        }  # fmt: skip
        assert outputs == {export(tiny_build, fmt, None)}


def test_write_to_a_file_atomically(tiny_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "kg.ttl"
    assert export(tiny_build, "turtle", out) is None
    assert out.read_bytes() == export(tiny_build, "turtle", None)
    assert sorted(p.name for p in out.parent.iterdir()) == ["kg.ttl"]  # no temp file left
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    out.write_text("old content")
    export(tiny_build, "ntriples", out)
    assert out.read_bytes() == export(tiny_build, "ntriples", None)


def test_failed_write_keeps_the_old_file(tiny_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "kg.ttl"
    out.write_text("old content")
    (tmp_path / "blocker").write_text("a file, not a folder")
    with pytest.raises(KgError, match=r"^Cannot write .*blocker/kg\.ttl: "):
        export(tiny_build, "turtle", tmp_path / "blocker" / "kg.ttl")
    assert out.read_text() == "old content"


def test_unknown_format(tiny_build: Path) -> None:
    with pytest.raises(KgError) as error:
        export(tiny_build, "rdfa", None)
    assert str(error.value) == (
        "Unknown export format 'rdfa'. Available: turtle, ntriples, nquads, trig, jsonld, xml, "
        "acled-csv."
    )


def test_export_without_build(tmp_path: Path) -> None:
    with pytest.raises(BuildMissingError, match="run `kg build` first"):
        export(tmp_path / "build", "turtle", None)
