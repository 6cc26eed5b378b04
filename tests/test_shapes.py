"""Tests for ontology/shapes.ttl with real pyshacl, on a README-shaped sample build.

Each bad case edits the good sample (tests/data/validate/kg.trig) in one
place and expects the shape's message on the edited node.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib.namespace import SH

from kg import ontology as onto
from kg.validate import union_graph

HERE = Path(__file__).resolve().parent
SAMPLE = (HERE / "data" / "validate" / "kg.trig").read_text(encoding="utf-8")
CLAIM = "https://w3id.org/sahel-kg/claim/"


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return onto.load_turtle([onto.ontology_file()])


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return onto.load_turtle([onto.shapes_file()])


def results(trig: str, ontology: rdflib.Graph, shapes: rdflib.Graph) -> set[tuple[str, str]]:
    """(focus node, message) of every violation pyshacl reports on the data plus ontology."""
    data = union_graph(ox.parse(trig.encode("utf-8"), format=ox.RdfFormat.TRIG), ontology)
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    found = {
        (str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultMessage)))
        for r in report.subjects(rdflib.RDF.type, SH.ValidationResult)
    }
    assert conforms == (not found)
    return found


def edit(old: str, new: str) -> str:
    assert SAMPLE.count(old) == 1, old
    return SAMPLE.replace(old, new)


def test_every_shape_has_a_message(shapes: rdflib.Graph) -> None:
    property_shapes = set(shapes.objects(None, SH.property))
    node_shapes = set(shapes.subjects(rdflib.RDF.type, SH.NodeShape))
    constrained = {s for s in node_shapes if (s, SH["or"], None) in shapes}
    silent = [s for s in property_shapes | constrained if (s, SH.message, None) not in shapes]
    assert property_shapes and silent == []


def test_the_sample_build_conforms(ontology: rdflib.Graph, shapes: rdflib.Graph) -> None:
    assert results(SAMPLE, ontology, shapes) == set()


# fmt: off
BAD = [
    ("control claim with no source",
     "        prov:wasDerivedFrom doc:002_50c56f432d7d8496 ; sem:accordingTo id:fama ;\n"
     "        sk:polarity sk:Asserted ; sk:extractionRule \"control.gain.v1\" ;",
     "        sem:accordingTo id:fama ;\n"
     "        sk:polarity sk:Asserted ; sk:extractionRule \"control.gain.v1\" ;",
     "control1", "A time-bounded situation must cite at least one source (prov:wasDerivedFrom)."),
    ("end before start",
     'sk:endDate "2023-12-31"^^xsd:date', 'sk:endDate "2020-12-31"^^xsd:date',
     "role1", "sk:startDate must not be after sk:endDate."),
    ("claim without evidence",
     "        sk:hasEvidence <https://w3id.org/sahel-kg/claim/casualty1/evidence> .",
     "        .",
     "casualty1", "A claim has exactly one sk:hasEvidence annotation."),
    ("control with no date at all",
     '        sk:startDate "2023-11-14"^^xsd:date ; sk:startPrecision sk:Day ;\n'
     "        time:hasTime",
     "        time:hasTime",
     "control1", "A time-bounded situation needs a sk:startDate, a sk:endDate or the sk:asOf date it is stated for."),
    ("two controllers",
     "sk:controller id:fama ; sk:territory id:kidal ; sk:change sk:Gain ;",
     "sk:controller id:fama, id:csp-psd ; sk:territory id:kidal ; sk:change sk:Gain ;",
     "control1", "A territorial control has exactly one sk:controller."),
    ("a class where a change individual belongs",
     "sk:change sk:Gain", "sk:change sk:State",
     "control1",
     "A territorial control's sk:change is at most one of sk:Gain, sk:Loss, sk:Standing."),
    ("membership without organisation",
     "org:member id:cma ; org:organization id:csp-psd ;", "org:member id:cma ;",
     "member1", "A group membership has exactly one org:organization."),
    ("role that is not an sk:Role",
     "org:role sk:JuntaLeader", "org:role sk:Junta",
     "role1", "org:role must be an sk:Role individual of the ontology."),
    ("quote offsets reversed",
     "sk:quoteStart 300 ; sk:quoteEnd 322", "sk:quoteStart 322 ; sk:quoteEnd 300",
     "member1", "sk:quoteStart must be less than sk:quoteEnd."),
    ("claim without polarity",
     "sk:polarity sk:Hedged ; ", "",
     "member1", "A claim has exactly one sk:polarity: sk:Asserted, sk:Denied or sk:Hedged."),
    ("claim without claimant",
     "sem:accordingTo id:csp-psd ;\n", "\n",
     "casualty1", "A claim names at least one claimant (sem:accordingTo), an IRI."),
    ("casualty report without the figure as written",
     'sk:countText "fourteen" ;', "",
     "casualty1", "A casualty report has exactly one sk:countText: the figure as written."),
    ("casualty range upside down",
     "sk:countMin 14 ; sk:countMax 14", "sk:countMin 20 ; sk:countMax 14",
     "casualty1", "sk:countMin must not exceed sk:countMax."),
    ("event side that is a place",
     "sk:sideB id:csp-psd", "sk:sideB id:kidal-region",
     "event1", "sk:sideB must be an sk:Agent."),
]
# fmt: on


@pytest.mark.parametrize(("case", "old", "new", "focus", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_data_fails_with_the_shape_message(
    ontology: rdflib.Graph, shapes: rdflib.Graph,
    case: str, old: str, new: str, focus: str, message: str,
) -> None:  # fmt: skip
    assert (CLAIM + focus, message) in results(edit(old, new), ontology, shapes)


def test_mention_without_body_or_document_fails(
    ontology: rdflib.Graph, shapes: rdflib.Graph
) -> None:
    trig = edit("        oa:hasBody id:kidal ; sk:inDocument doc:002_50c56f432d7d8496 ;\n", "")
    mention = "https://w3id.org/sahel-kg/mention/002_50c56f432d7d8496-10-15"
    assert results(trig, ontology, shapes) == {
        (mention, "A mention has exactly one oa:hasBody: the IRI of the entity it names."),
        (mention, "A mention has exactly one sk:inDocument."),
    }


def test_discovered_entity_must_cite_its_article(
    ontology: rdflib.Graph, shapes: rdflib.Graph
) -> None:
    trig = edit("sk:discovered true ; prov:wasDerivedFrom doc:002_50c56f432d7d8496 .",
                "sk:discovered true .")  # fmt: skip
    assert results(trig, ontology, shapes) == {(
        "https://w3id.org/sahel-kg/id/ouguenat-ag-telele",
        "A discovered entity must cite the article it was found in (prov:wasDerivedFrom).",
    )}  # fmt: skip


def test_derived_period_is_checked_through_the_class_hierarchy(
    ontology: rdflib.Graph, shapes: rdflib.Graph
) -> None:
    """sk:ControlPeriod is only typed sk:TerritorialControl through the ontology."""
    trig = edit("period:kidal-fama a sk:ControlPeriod, sk:TerritorialControl ;",
                "period:kidal-fama a sk:ControlPeriod ;")  # fmt: skip
    trig = trig.replace("        sk:supportedBy claim:control1 ;\n"
                        "        prov:wasDerivedFrom doc:002_50c56f432d7d8496 .",
                        "        sk:supportedBy claim:control1 .")  # fmt: skip
    assert results(trig, ontology, shapes) == {(
        "https://w3id.org/sahel-kg/period/kidal-fama",
        "A time-bounded situation must cite at least one source (prov:wasDerivedFrom).",
    )}  # fmt: skip


def test_a_resolved_event_rests_on_claims_and_names_its_articles(
    ontology: rdflib.Graph, shapes: rdflib.Graph
) -> None:
    event = "https://w3id.org/sahel-kg/event/e1"
    derived = "<https://w3id.org/sahel-kg/graph/derived>"
    good = (SAMPLE + f"\n{derived} {{ <{event}> a sk:ResolvedEvent, sk:Capture ;"
            " prov:wasDerivedFrom doc:002_50c56f432d7d8496 ; sk:disagreement \"figures\" .\n"
            f"  claim:event1 sk:reportsEvent <{event}> . }}\n")  # fmt: skip
    assert results(good, ontology, shapes) == set()
    bad = (SAMPLE + f"\n{derived} {{ <{event}> a sk:ResolvedEvent, sk:Capture ;"
           " sk:disagreement \"mood\" . }\n")  # fmt: skip
    assert results(bad, ontology, shapes) == {
        (event, "A resolved event must be reported by at least one sk:Claim (sk:reportsEvent)."),
        (event, "A resolved event must name the articles behind it (prov:wasDerivedFrom)."),
        (event, "sk:disagreement is one of dates, sides, figures, polarity, claims."),
    }
