"""The streaming writer of kg.trig / kg.ttl: the same bytes as pyoxigraph over all quads at once.

``kg.emit`` writes the Turtle of the plain terms a build makes itself and
merges kg.ttl from per-graph blocks; these tests hold it to what
``pyoxigraph.serialize`` writes for the whole sorted dataset, on random terms.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import emit
from kg.vocab import PREFIX_BLOCK, PREFIXES, RDF, XSD

GRAPH = "https://w3id.org/sahel-kg/graph/"
NAMESPACES = [*PREFIXES.values(), "https://w3id.org/sahel-kg/graph/", "http://example.org/x#"]
LOCAL = st.one_of(
    st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,8}(/[a-z0-9-]{1,6}){0,2}", fullmatch=True),
    st.text(alphabet="ab1-_./:~%#?'é", min_size=0, max_size=6),
)
IRIS = st.builds(lambda ns, local: ns + local, st.sampled_from(NAMESPACES), LOCAL).filter(
    lambda value: _valid_iri(value)
)
PREDICATES = st.one_of(st.just(RDF + "type"), IRIS)
LITERALS = st.one_of(
    st.builds(ox.Literal, st.text(max_size=12)),
    st.builds(lambda v, lang: ox.Literal(v, language=lang), st.text(max_size=5),
              st.sampled_from(["en", "fr", "en-GB"])),  # fmt: skip
    st.builds(lambda v, dt: ox.Literal(v, datatype=ox.NamedNode(XSD + dt)),
              st.one_of(st.from_regex(r"[+-]?[0-9]{1,4}", fullmatch=True),
                        st.sampled_from(["true", "false", "1.5", "x", "2012-03"])),
              st.sampled_from(["integer", "boolean", "decimal", "double", "date", "gYear"])),
)  # fmt: skip


def _valid_iri(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


def _key(quad: ox.Quad) -> tuple[str, str, str, str]:
    """Sort key and identity of a quad: graph, subject, predicate (rdf:type first), object."""
    predicate = "" if quad.predicate.value == RDF + "type" else quad.predicate.value
    return (emit._order(quad.graph_name), emit._order(quad.subject), predicate,
            emit._order(quad.object))  # fmt: skip


def _serialize(terms: list[ox.Quad] | list[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    """pyoxigraph's serialization, with kg.vocab's prefix lines in their declared order."""
    return PREFIX_BLOCK + emit._body(terms, fmt)


def _reference(quads: list[ox.Quad]) -> tuple[bytes, bytes]:
    """kg.trig and kg.ttl as the one-sort writer made them (every quad sorted at once)."""
    unique = {_key(q): q for q in quads}
    keys = sorted(unique)
    first: dict[tuple[str, str, str], ox.Quad] = {}
    for k in keys:
        first.setdefault(k[1:], unique[k])
    merged = [first[k].triple for k in sorted(first)]
    trig = _serialize([unique[k] for k in keys], ox.RdfFormat.TRIG)
    return trig, _serialize(merged, ox.RdfFormat.TURTLE)


@st.composite
def datasets(draw: st.DrawFn) -> list[ox.Quad]:
    subjects = draw(st.lists(IRIS, min_size=1, max_size=4))
    graphs = draw(st.lists(st.sampled_from(["a", "b", "doc/x", "doc/y"]), min_size=1, max_size=3))
    quads = []
    for _ in range(draw(st.integers(1, 25))):
        obj = draw(
            st.one_of(IRIS.map(ox.NamedNode), LITERALS, st.sampled_from(subjects).map(ox.NamedNode))
        )
        graph = ox.NamedNode(GRAPH + draw(st.sampled_from(graphs)))
        subject = ox.NamedNode(draw(st.sampled_from(subjects)))
        quads.append(ox.Quad(subject, ox.NamedNode(draw(PREDICATES)), obj, graph))
    return quads


@settings(max_examples=60, deadline=None)
@given(datasets())
def test_streamed_files_are_the_one_sort_files(
    tmp_path_factory: object, quads: list[ox.Quad]
) -> None:
    out = tmp_path_factory.mktemp("w")  # type: ignore[attr-defined]
    files = emit.write_build(out, quads)
    trig, ttl = _reference(quads)
    assert files.trig.read_bytes() == trig
    assert files.ttl.read_bytes() == ttl
    assert files.quads == len({_key(q) for q in quads})
    assert files.triples == len({q.triple for q in quads})


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=20), min_size=1, max_size=5))
def test_plain_literals_are_written_as_pyoxigraph_writes_them(texts: list[str]) -> None:
    subject = ox.NamedNode("https://w3id.org/sahel-kg/id/x")
    predicate = ox.NamedNode("https://w3id.org/sahel-kg/ontology#quote")
    g = emit._Graph("doc/x")
    for text in texts:
        g.add(subject.value, predicate, emit._str(text))
        assert emit._str(text) == str(ox.Literal(text))
    ours = g.text()
    theirs = emit._body([ox.Triple(subject, predicate, ox.Literal(t)) for t in sorted(set(texts),
                        key=lambda t: str(ox.Literal(t)))], ox.RdfFormat.TURTLE)  # fmt: skip
    assert ours.body == theirs


def test_every_character_is_escaped_as_pyoxigraph_does() -> None:
    for code in (*range(0x0, 0xD800), *range(0xE000, 0x10000), 0x1FFFE, 0x10FFFF):
        char = chr(code)
        assert emit._str(char) == str(ox.Literal(char)), hex(code)


def test_graphs_out_of_order_are_refused(tmp_path: Path) -> None:
    def quad(graph: str) -> ox.Quad:
        s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
        return ox.Quad(s, p, ox.Literal("o"), ox.NamedNode(GRAPH + graph))

    b, a = emit.graph_texts([quad("b")])[0], emit.graph_texts([quad("a")])[0]
    try:
        emit.write_build(tmp_path / "out", [b, a])
    except ValueError as error:
        assert "not in IRI order" in str(error)
    else:  # pragma: no cover
        raise AssertionError("accepted graphs out of order")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []


def test_kg_ttl_merges_through_runs_on_disk(tmp_path: Path, monkeypatch: object) -> None:
    """With a tiny memory budget every graph spills a run; the files do not change."""
    quads = [
        ox.Quad(ox.NamedNode(f"https://w3id.org/sahel-kg/id/e{i % 7}"),
                ox.NamedNode(f"http://example.org/p{i % 3}"), ox.Literal(f"v{i % 11}"),
                ox.NamedNode(f"https://w3id.org/sahel-kg/graph/doc/d{i % 5}"))
        for i in range(200)
    ]  # fmt: skip
    whole = emit.write_build(tmp_path / "whole", quads)
    monkeypatch.setattr(emit._SubjectRuns, "__init__",  # type: ignore[attr-defined]
                        lambda self, folder, limit=1: _init_runs(self, folder, limit))  # fmt: skip
    spilled = emit.write_build(tmp_path / "spilled", quads)
    assert spilled.ttl.read_bytes() == whole.ttl.read_bytes() == _reference(quads)[1]
    assert spilled.triples == whole.triples


_ORIGINAL_INIT = emit._SubjectRuns.__init__


def _init_runs(self: emit._SubjectRuns, folder: Path, limit: int) -> None:
    _ORIGINAL_INIT(self, folder, limit)
