"""kg.summaries: the shortcuts of contested claims and periods in the derived graph.

The values must be what the aggregates of the former whole-graph contested
query gave (REFERENCE below, run on the real on-disk store of real builds of
the shipped corpus and of tests/data/corpus), node by node.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kg import temporal
from kg.emit import claim_iri, period_iri
from kg.iris import entity_iri
from kg.model import (
    CasualtyClaim,
    ControlClaim,
    Document,
    Entity,
    EventClaim,
    Evidence,
    Extraction,
    Period,
    RoleClaim,
)  # fmt: skip
from kg.pipeline import build, extract_corpus, town_lookup
from kg.registry import load_registry
from kg.store import open_store, select
from kg.summaries import (
    SUMMARY_PROPERTIES,
    Facts,
    Names,
    contested_nodes,
    summary_triples,
    summary_type,
    summary_what,
)  # fmt: skip
from kg.vocab import SK

ROOT = Path(__file__).resolve().parents[1]
CORPORA = {"shipped": ROOT / "corpus", "tests": ROOT / "tests" / "data" / "corpus"}
TODAY = date(2026, 1, 1)

#: Per contested node: type, what, claimants and documents, aggregated over the whole graph
#: (the side-a subqueries of queries/contested.rq before the shortcuts).
REFERENCE = """
PREFIX sk: <https://w3id.org/sahel-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?a ?aType ?aWhat ?aClaimants ?aDocuments ?aStart ?aStartPrecision ?aEnd ?aEndPrecision
       ?aPolarity ?aQuote WHERE {
  {
    SELECT ?a
           (COALESCE(MIN(?a_specific), MIN(?a_general)) AS ?aType)
           (COALESCE(MIN(STR(?a_label)),
                     MIN(CONCAT(?a_count, COALESCE(CONCAT(" ", ?a_victims), ""))),
                     CONCAT(GROUP_CONCAT(DISTINCT ?a_actorName; separator=", "), " / ",
                            GROUP_CONCAT(DISTINCT ?a_objectName; separator=", "))) AS ?aWhat)
           (MIN(?a_start) AS ?aStart) (SAMPLE(?a_startPrecision) AS ?aStartPrecision)
           (MAX(?a_end) AS ?aEnd) (SAMPLE(?a_endPrecision) AS ?aEndPrecision)
           (SAMPLE(?a_polarity) AS ?aPolarity) (MIN(?a_quote) AS ?aQuote)
    WHERE {
      { GRAPH ?a_g1 { ?a sk:disputedBy ?a_other } }
        UNION { GRAPH ?a_g2 { ?a_other sk:disputedBy ?a } }
        UNION { VALUES ?a_p { sk:Denied sk:Hedged } GRAPH ?a_g3 { ?a sk:polarity ?a_p } }
      OPTIONAL { GRAPH ?a_g4 { ?a a ?a_t1 }
                 FILTER(?a_t1 NOT IN (sk:Claim, sk:TerritorialControl, sk:GroupMembership,
                                      sk:RoleHolding)) }
      OPTIONAL { GRAPH ?a_g5 { ?a a ?a_t2 }
                 FILTER(?a_t2 IN (sk:TerritorialControl, sk:GroupMembership, sk:RoleHolding)) }
      BIND(STRAFTER(STR(?a_t1), "#") AS ?a_specific)
      BIND(STRAFTER(STR(?a_t2), "#") AS ?a_general)
      OPTIONAL { GRAPH ?a_g6 { ?a rdfs:label ?a_label } }
      OPTIONAL { GRAPH ?a_g7 { ?a sk:countText ?a_count OPTIONAL { ?a sk:victims ?a_victims } } }
      OPTIONAL {
        GRAPH ?a_g8 { ?a sk:controller|org:member|sk:sideA ?a_actor }
        OPTIONAL { GRAPH ?a_g9 { ?a_actor skos:prefLabel ?a_actorLabel }
                   FILTER(LANGMATCHES(LANG(?a_actorLabel), "en")) }
      }
      OPTIONAL {
        GRAPH ?a_g10 { ?a sk:territory|org:organization|org:role|sem:hasPlace ?a_object }
        OPTIONAL { GRAPH ?a_g11 { ?a_object skos:prefLabel|rdfs:label ?a_objectLabel }
                   FILTER(LANGMATCHES(LANG(?a_objectLabel), "en")) }
      }
      OPTIONAL { GRAPH ?a_g12 { ?a sk:startDate ?a_start } }
      OPTIONAL { GRAPH ?a_g13 { ?a sk:startPrecision ?a_startPrecision } }
      OPTIONAL { GRAPH ?a_g14 { ?a sk:endDate ?a_end } }
      OPTIONAL { GRAPH ?a_g15 { ?a sk:endPrecision ?a_endPrecision } }
      OPTIONAL { GRAPH ?a_g16 { ?a sk:polarity ?a_polarity } }
      OPTIONAL { GRAPH ?a_g17 { ?a sk:quote ?a_quote } }
      BIND(COALESCE(STR(?a_actorLabel), STRAFTER(STR(?a_actor), "/id/")) AS ?a_actorName)
      BIND(COALESCE(STR(?a_objectLabel), STRAFTER(STR(?a_object), "/id/"),
                    STRAFTER(STR(?a_object), "#")) AS ?a_objectName)
    }
    GROUP BY ?a
  }
  OPTIONAL {
    SELECT ?a (GROUP_CONCAT(DISTINCT ?a_docId; separator=" ") AS ?aDocuments)
    WHERE {
      { GRAPH ?a_g1 { ?a sk:disputedBy ?a_other } }
        UNION { GRAPH ?a_g2 { ?a_other sk:disputedBy ?a } }
        UNION { VALUES ?a_p { sk:Denied sk:Hedged } GRAPH ?a_g3 { ?a sk:polarity ?a_p } }
      OPTIONAL { GRAPH ?a_g18 { ?a prov:wasDerivedFrom ?a_doc } }
      BIND(STRAFTER(STR(?a_doc), "https://w3id.org/sahel-kg/doc/") AS ?a_docId)
    }
    GROUP BY ?a
  }
  OPTIONAL {
    SELECT ?a (GROUP_CONCAT(DISTINCT ?a_claimantName; separator=", ") AS ?aClaimants)
    WHERE {
      { GRAPH ?a_g1 { ?a sk:disputedBy ?a_other } }
        UNION { GRAPH ?a_g2 { ?a_other sk:disputedBy ?a } }
        UNION { VALUES ?a_p { sk:Denied sk:Hedged } GRAPH ?a_g3 { ?a sk:polarity ?a_p } }
      { GRAPH ?a_g19 { ?a sem:accordingTo ?a_claimant } }
      UNION
      { GRAPH <https://w3id.org/sahel-kg/graph/derived> { ?a sk:supportedBy ?a_support }
        GRAPH ?a_g20 { ?a_support sem:accordingTo ?a_claimant } }
      OPTIONAL { GRAPH ?a_g21 { ?a_claimant skos:prefLabel ?a_claimantLabel }
                 FILTER(LANGMATCHES(LANG(?a_claimantLabel), "en")) }
      BIND(COALESCE(STR(?a_claimantLabel), STRAFTER(STR(?a_claimant), "/id/"))
           AS ?a_claimantName)
    }
    GROUP BY ?a
  }
}
"""


def _sorted_list(value: str, separator: str) -> str:
    return separator.join(sorted(value.split(separator)))


def _sorted_what(value: str) -> str:
    """"b, a / d, c" -> "a, b / c, d": the engine orders a GROUP_CONCAT freely."""
    if " / " not in value:
        return value
    actors, _, objects = value.partition(" / ")
    return _sorted_list(actors, ", ") + " / " + _sorted_list(objects, ", ")


@pytest.fixture(scope="module", params=sorted(CORPORA))
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """(build folder, extractions, periods, disputes) of a real corpus."""
    out = tmp_path_factory.mktemp("summaries") / "build"
    build(CORPORA[request.param], out, today=TODAY)
    registry = load_registry()
    extractions = extract_corpus(CORPORA[request.param], today=TODAY, registry=registry)
    periods, disputes = temporal.derive(extractions.extractions, town_of=town_lookup(registry))
    return out, extractions.extractions, periods, disputes, registry


def test_the_summaries_are_what_the_whole_graph_aggregates_gave(corpus) -> None:  # noqa: ANN001
    out, extractions, periods, disputes, registry = corpus
    triples = summary_triples(extractions, periods, disputes, registry.entities)
    ours: dict[str, dict[str, str]] = {}
    for t in triples:
        ours.setdefault(t.subject.value, {})[t.predicate.value.removeprefix(SK)] = t.object.value
    ranks = [int(ours[node].pop("summaryRank")) for node in sorted(ours)]
    assert ranks == list(range(len(ours)))  # IRI order
    reference: dict[str, dict[str, str]] = {}
    copies = ("Start", "StartPrecision", "End", "EndPrecision", "Polarity", "Quote")
    result = select(open_store(out), REFERENCE)
    for row in result.rows:
        cell = {v: t for v, t in zip(result.variables, row, strict=True) if t is not None}
        values = {"summaryType": cell["aType"].value,
                  "summaryText": _sorted_what(cell["aWhat"].value),
                  "summaryDocuments": _sorted_list(cell["aDocuments"].value, " ")}  # fmt: skip
        if "aClaimants" in cell:
            values["summaryClaimants"] = _sorted_list(cell["aClaimants"].value, ", ")
        values |= {"summary" + c: cell["a" + c].value for c in copies if "a" + c in cell}
        reference[cell["a"].value] = values
    assert reference and ours == reference
    assert set(ours) == contested_nodes(extractions, disputes)


def test_the_build_writes_the_summaries_in_the_derived_graph(corpus) -> None:  # noqa: ANN001
    """kg.pipeline.build writes exactly these triples (and no other sk:summary* one)."""
    out, extractions, periods, disputes, registry = corpus
    triples = summary_triples(extractions, periods, disputes, registry.entities)
    wanted = {(t.subject.value, t.predicate.value, t.object.value) for t in triples}
    properties = " ".join(f"sk:{p}" for p in SUMMARY_PROPERTIES)
    rows = select(open_store(out), f"""PREFIX sk: <{SK}>
        SELECT ?s ?p ?o WHERE {{ GRAPH <https://w3id.org/sahel-kg/graph/derived> {{ ?s ?p ?o }}
        VALUES ?p {{ {properties} }} }}""").rows  # fmt: skip
    stored = {(s.value, p.value, o.value) for s, p, o in rows if s and p and o}
    assert stored == wanted and len(stored) > 20


# --- the rules on small cases ---------------------------------------------------------


DOC = Document("d1", "d1.txt", "The army took Kidal. Rebels deny it.", "t", "afp",
               date(2023, 11, 14), "en")  # fmt: skip


def ev(begin: int = 0, stop: int = 19) -> Evidence:
    return Evidence("d1", begin, stop, DOC.text[begin:stop])


def test_what_prefers_the_label_then_the_least_figure_then_actors_and_objects() -> None:
    names = Names()
    names.add(entity_iri("fama"), "Malian Armed Forces", True)
    names.add(SK + "President", "president", False)
    assert summary_what(Facts(labels={"B", "A"}, figures={"3 people"})) == "A"
    assert summary_what(Facts(figures={"dozens civilians", "14 civilians"})) == "14 civilians"
    both = Facts(actors={entity_iri("fama"), entity_iri("wagner-group")},
                 objects={entity_iri("kidal")})  # fmt: skip
    assert summary_what(both, names) == "Malian Armed Forces, wagner-group / kidal"
    assert summary_what(Facts(objects={entity_iri("kidal")}), names) == " / kidal"
    roles = Facts(objects={SK + "President", SK + "Governor"})
    assert summary_what(roles, names) == " / , president"  # no English label: "" (as STRAFTER)


def test_type_prefers_the_specific_class() -> None:
    assert summary_type(Facts(types={"TerritorialControl"})) == "TerritorialControl"
    assert summary_type(Facts(types={"ControlPeriod", "TerritorialControl"})) == "ControlPeriod"
    assert summary_type(Facts(types={"Capture"})) == "Capture"


def test_denied_and_hedged_claims_and_both_sides_of_a_dispute_are_contested() -> None:
    gain = ControlClaim("control.gain.v1", ev(), "fama", controller="fama", territory="kidal",
                        change="gain")  # fmt: skip
    denied = ControlClaim("control.gain.v1", ev(), "csp-psd", "denied", controller="fama",
                          territory="kidal", change="gain")  # fmt: skip
    hedged = EventClaim("event.v1", ev(21, 36), "tuareg-rebels", "hedged", event_type="Clash")
    role = RoleClaim("role.v1", ev(), "afp", holder="assimi-goita", role="President")
    toll = CasualtyClaim("casualty.v1", ev(), "afp", count_text="14", victims="civilians",
                         place="kidal")  # fmt: skip
    found = Entity("local-sources", "Local sources", ("CollectiveActor",), discovered=True)
    x = Extraction(DOC, (), (found,), (gain, denied, hedged, role, toll))
    period = Period("control", "fama", "kidal", None, None, claims=(claim_iri(gain),),
                    documents=("d1", "d0"))  # fmt: skip
    pairs = [(claim_iri(denied), claim_iri(gain)),
             (period_iri(period), claim_iri(toll))]  # fmt: skip
    nodes = contested_nodes([x], pairs)
    assert nodes == {claim_iri(c) for c in (gain, denied, hedged, toll)} | {
        period_iri(period)}  # fmt: skip
    label_file = ROOT / "ontology" / "registry.ttl"
    triples = summary_triples([x], [period], pairs, {}, label_files=[label_file])
    values = {(t.subject.value, t.predicate.value.removeprefix(SK)): t.object.value
              for t in triples}  # fmt: skip
    p = period_iri(period)
    assert values[(p, "summaryType")] == "ControlPeriod"
    assert values[(p, "summaryText")] == "Malian Armed Forces / Kidal"
    assert values[(p, "summaryClaimants")] == "Malian Armed Forces"  # its claim's claimant
    assert values[(p, "summaryDocuments")] == "d0 d1"
    t = claim_iri(toll)
    assert (values[(t, "summaryType")], values[(t, "summaryText")]) == (
        "CasualtyReport", "14 civilians")  # fmt: skip
    h = claim_iri(hedged)
    assert values[(h, "summaryText")] == " / "
    assert values[(h, "summaryClaimants")] == "Tuareg rebels"
    assert claim_iri(role) not in {s for s, _ in values}
    alone = {t.subject.value for t in summary_triples([x], [], [], {}, label_files=[])}
    assert alone == {claim_iri(denied), h}  # no dispute: the denied and hedged claims only
