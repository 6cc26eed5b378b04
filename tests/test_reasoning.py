"""HermiT over a build's data (issue 13, point 3): real HermiT, real owlready2, real CLI.

The build below is the tests' tiny build with the real ontology (sahel.ttl,
OWL blank nodes and all) as one more graph, so the disjointness axioms apply.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import owlready2
import pyoxigraph as ox
import pytest
from conftest import TINY_TRIG, write_build

from kg.export import export
from kg.ontology import ontology_file
from kg.reasoning import check_build_data, sampled

#: A claim that makes an article its controller: an sk:Agent that is an sk:NewsArticle,
#: two disjoint classes (the claim, and the article's node that types it, are named).
BAD_CLAIM = """
g:doc\\/002_test {
  claim:c3 a sk:TerritorialControl, sk:Claim ; sk:controller doc:002_test ;
      sk:territory id:kidal ; prov:wasDerivedFrom doc:002_test ;
      sk:quote "the newspaper took Kidal" ; sk:quoteStart 100 ; sk:quoteEnd 124 .
}
"""


def with_ontology(trig: str) -> str:
    """The TriG plus the real ontology as graph g:owl (N-Triples lines inside a block)."""
    triples = ox.parse(path=str(ontology_file()), format=ox.RdfFormat.TURTLE)
    lines = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES).decode()
    return trig + "\ng:owl {\n" + lines + "}\n"


@pytest.fixture(scope="module")
def owl_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_build(tmp_path_factory.mktemp("owl") / "build", with_ontology(TINY_TRIG))


def test_the_data_is_consistent_and_the_sample_is_stable(owl_build: Path) -> None:
    result = check_build_data(owl_build / "kg.trig")
    assert result.consistent and result.culprits == () and result.runs == 1
    assert (result.documents, result.total_documents) == (1, 1)
    graphs = [f"g{i}" for i in range(300)]
    assert sampled(graphs, 200) == sampled(list(reversed(graphs)), 200)  # stable
    assert len(sampled(graphs, 200)) == 200


def kg(*args: str | Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "kg"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "kg"]
    return subprocess.run([*command, *map(str, args)], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "COLUMNS": "200"})  # fmt: skip


def test_validate_names_the_inconsistent_claim(tmp_path: Path) -> None:
    build = write_build(tmp_path / "build", with_ontology(TINY_TRIG + BAD_CLAIM))
    files = {p.name: p.read_bytes() for p in build.iterdir() if p.is_file()}
    done = kg("validate", "--build", build)
    assert done.returncode == 1, done.stdout + done.stderr
    errors = [line for line in done.stdout.splitlines() if line.startswith("error   reasoner")]
    why = "(e.g. a node in two disjoint classes, or a value outside a property's range)"
    assert errors == [
        "error   reasoner    claim:c3: HermiT: inconsistent with the ontology and the registry, "
        f"together with doc:002_test {why}: \"the newspaper took Kidal\" in 002_test",
        "error   reasoner    doc:002_test: HermiT: inconsistent with the ontology and the "
        f"registry, together with claim:c3 {why}: a NewsArticle",
    ]
    assert {p.name: p.read_bytes() for p in build.iterdir() if p.is_file()} == files


def test_the_rdfxml_export_reasons_in_owlready2(owl_build: Path, tmp_path: Path) -> None:
    rdfxml = tmp_path / "kg.rdf"
    export(owl_build, "xml", rdfxml)
    assert b".well-known/genid" not in rdfxml.read_bytes()  # OWL blank nodes, not skolem IRIs
    owlready2.JAVA_EXE = "java"
    world = owlready2.World()
    try:
        world.get_ontology(rdfxml.as_uri()).load()
        owlready2.sync_reasoner(world, debug=0, ignore_unsupported_datatypes=True)  # consistent
        unsupported = "XMLSchema#date' is not part of the OWL 2 datatype map"
        with pytest.raises(owlready2.OwlReadyJavaError, match=unsupported):
            owlready2.sync_reasoner(world, debug=0)  # why the option is needed
    finally:
        world.close()
