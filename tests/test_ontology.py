"""Tests for ontology/sahel.ttl and kg/ontology.py: parsing, terms, labels, HermiT."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, URIRef

from kg import ontology as onto
from kg import vocab
from kg.errors import OntologyError
from kg.validate import load_build, union_graph

SK = rdflib.Namespace(vocab.SK)

HERE = Path(__file__).resolve().parent
SAMPLE_BUILD = HERE / "data" / "validate" / "kg.trig"

# Added to the sample build (README-shaped data, where a state is also typed
# sk:Country): an OWL-Time instant at year precision (xsd:gYear is outside
# OWL's datatype map) and one class that no individual can belong to.
EXTRA = """\
@prefix sk: <https://w3id.org/sahel-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/sahel-kg/claim/x/start> a time:Instant ; time:inXSDgYear "2014"^^xsd:gYear .
sk:PersonAndOrganisation rdfs:subClassOf sk:Person, sk:Organisation .
"""

# A place that is also an event: Place and Event are disjoint.
INCONSISTENT = """\
@prefix sk: <https://w3id.org/sahel-kg/ontology#> .
@prefix id: <https://w3id.org/sahel-kg/id/> .
id:kidal a sk:Settlement, sk:Capture .
"""


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    return onto.load_turtle([onto.ontology_file()])


@pytest.fixture(scope="module")
def hermit_alone() -> onto.ReasonerResult:
    return onto.check_consistency()


@pytest.fixture(scope="module")
def hermit_abox(tmp_path_factory: pytest.TempPathFactory) -> onto.ReasonerResult:
    """HermiT over the sample build's data (all its graphs) plus EXTRA."""
    abox = union_graph(load_build(SAMPLE_BUILD), rdflib.Graph())
    abox.parse(data=EXTRA, format="turtle")
    path = tmp_path_factory.mktemp("abox") / "abox.ttl"
    abox.serialize(path, format="turtle", encoding="utf-8")
    return onto.check_consistency(abox=[path])


def test_ontology_parses_with_rdflib_and_pyoxigraph(graph: rdflib.Graph) -> None:
    quads = list(ox.parse(path=str(onto.ontology_file()), format=ox.RdfFormat.TURTLE))
    assert len(quads) == len(graph) > 1000


def test_ontology_header(graph: rdflib.Graph) -> None:
    ontology = URIRef(onto.ONTOLOGY_IRI)
    assert (ontology, RDF.type, OWL.Ontology) in graph
    assert str(graph.value(ontology, OWL.versionInfo)) == "0.1.0"


@pytest.mark.parametrize(
    ("terms", "kind"),
    [
        (vocab.CLASSES, OWL.Class),
        (vocab.OBJECT_PROPERTIES, OWL.ObjectProperty),
        (vocab.DATATYPE_PROPERTIES, OWL.DatatypeProperty),
        (vocab.INDIVIDUALS, OWL.NamedIndividual),
    ],
)
def test_every_vocab_term_is_declared_with_its_kind(
    graph: rdflib.Graph, terms: tuple[str, ...], kind: URIRef
) -> None:
    undeclared = [t for t in terms if (SK[t], RDF.type, kind) not in graph]
    assert undeclared == []


def test_no_sk_term_is_missing_from_vocab(graph: rdflib.Graph) -> None:
    listed = set(vocab.CLASSES + vocab.PROPERTIES + vocab.INDIVIDUALS)
    assert onto.sk_terms(graph) == listed


def test_every_sk_term_has_en_and_fr_labels_and_definitions(graph: rdflib.Graph) -> None:
    assert onto.missing_annotations(graph) == []


def test_missing_annotations_names_term_and_language() -> None:
    g = rdflib.Graph()
    g.add((SK.Foo, RDF.type, OWL.Class))
    g.add((SK.Foo, RDFS.label, rdflib.Literal("foo", lang="en")))
    assert onto.missing_annotations(g) == [
        ("Foo", "rdfs:label@fr"), ("Foo", "skos:definition@en"), ("Foo", "skos:definition@fr"),
    ]  # fmt: skip


# fmt: off
@pytest.mark.parametrize(("values", "value_class"), [
    (vocab.PRECISIONS.values(), "Precision"),
    (vocab.POLARITIES.values(), "Polarity"),
    (vocab.CHANGES.values(), "Change"),
    (vocab.CASUALTY_TYPES.values(), "CasualtyType"),
    (vocab.ROLES, "Role"),
])
# fmt: on
def test_individuals_are_typed_with_their_value_class(
    graph: rdflib.Graph, values: tuple[str, ...], value_class: str
) -> None:
    assert all((SK[v], RDF.type, SK[value_class]) in graph for v in values)


# fmt: off
@pytest.mark.parametrize(("sub", "sup"), [
    (SK.Person, SK.Agent), (SK.Junta, SK.Government), (SK.Government, SK.Organisation),
    (SK.Organisation, SK.Agent), (SK.JihadistArmedGroup, SK.ArmedGroup),
    (SK.Agent, URIRef(vocab.PROV + "Agent")), (SK.Agent, URIRef(vocab.SEM + "Actor")),
    (SK.Settlement, SK.Place), (SK.Place, URIRef(vocab.GEO + "Feature")),
    (SK.DroneStrike, SK.Airstrike), (SK.Airstrike, SK.Event),
    (SK.Event, URIRef(vocab.SEM + "Event")),
    (SK.ControlPeriod, SK.TerritorialControl), (SK.TerritorialControl, SK.Situation),
    (SK.GroupMembership, URIRef(vocab.ORG + "Membership")),
    (SK.Mention, URIRef(vocab.OA + "Annotation")),
    (SK.Claim, URIRef(vocab.PROV + "Entity")), (SK.Role, URIRef(vocab.ORG + "Role")),
])
# fmt: on
def test_class_hierarchy(graph: rdflib.Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subClassOf, sup) in graph


def test_property_characteristics(graph: rdflib.Graph) -> None:
    assert (SK.locatedIn, RDF.type, OWL.TransitiveProperty) in graph
    assert (SK.disputedBy, RDF.type, OWL.SymmetricProperty) in graph
    assert (SK.sideA, RDFS.subPropertyOf, URIRef(vocab.SEM + "hasActor")) in graph
    assert (SK.partOf, RDFS.subPropertyOf, URIRef(vocab.SEM + "subEventOf")) in graph
    assert (SK.startDate, RDFS.range, rdflib.XSD.date) in graph


def test_agent_and_place_are_not_disjoint(graph: rdflib.Graph) -> None:
    assert (SK.Agent, OWL.disjointWith, SK.Place) not in graph
    assert (SK.Place, OWL.disjointWith, SK.Agent) not in graph


def test_external_terms_are_declared_once(graph: rdflib.Graph) -> None:
    """No punning: an external IRI has one OWL kind."""
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    external = {s for s in graph.subjects(RDF.type, None)
                if isinstance(s, URIRef) and not str(s).startswith(vocab.SK)}  # fmt: skip
    punned = [s for s in external if sum((s, RDF.type, k) in graph for k in kinds) > 1]
    assert punned == []


def test_owlready2_loads_the_ontology(graph: rdflib.Graph, tmp_path: Path) -> None:
    import owlready2

    source = tmp_path / "sahel.nt"
    graph.serialize(source, format="nt", encoding="utf-8")
    world = owlready2.World()
    with source.open("rb") as handle:
        world.get_ontology(onto.ONTOLOGY_IRI).load(fileobj=handle, format="ntriples")
    junta = world[vocab.SK + "Junta"]
    assert world[vocab.SK + "Government"] in junta.is_a
    assert world[vocab.SK + "Day"] in world[vocab.SK + "Precision"].instances()
    world.close()


def test_hermit_finds_the_ontology_consistent(hermit_alone: onto.ReasonerResult) -> None:
    assert hermit_alone.consistent
    assert hermit_alone.inconsistent_classes == ()
    assert hermit_alone.ok
    assert hermit_alone.files == (str(onto.ontology_file()),)


def test_hermit_with_abox_reports_unsatisfiable_class(hermit_abox: onto.ReasonerResult) -> None:
    assert hermit_abox.consistent  # README-shaped data fits the domains, ranges, disjointness
    assert hermit_abox.inconsistent_classes == (vocab.SK + "PersonAndOrganisation",)
    assert not hermit_abox.ok


def test_hermit_finds_disjoint_types_inconsistent(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text(INCONSISTENT, encoding="utf-8")
    result = onto.check_consistency(abox=[path])
    assert not result.consistent
    assert not result.ok


def test_broken_turtle_is_an_ontology_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text("@prefix sk: <x> .\nsk:a sk:b", encoding="utf-8")
    with pytest.raises(OntologyError, match="broken.ttl: not valid Turtle"):
        onto.load_turtle([path])


def test_missing_file_is_an_ontology_error(tmp_path: Path) -> None:
    with pytest.raises(OntologyError, match="missing.ttl: file not found"):
        onto.check_consistency(abox=[tmp_path / "missing.ttl"])


def test_render_html_is_deterministic_and_bilingual(graph: rdflib.Graph) -> None:
    page = onto.render_html(graph)
    assert page == onto.render_html(onto.load_turtle([onto.ontology_file()]))
    assert '<section class="term" id="Junta">' in page
    assert "junte militaire" in page
    assert "(<a href=\"#Agent\">sk:Agent</a> or <a href=\"#Place\">sk:Place</a>)" in page
    assert f"Classes ({len(vocab.CLASSES)})" in page
