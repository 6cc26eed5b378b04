"""Tests for kg/emit.py: the RDF shape of claims, determinism, atomic writes."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.emit import (
    claim_iri, derived_quads, document_quads, ontology_quads, period_iri, registry_quads,
    write_build,
)  # fmt: skip
from kg.errors import OntologyError
from kg.iris import doc_iri, entity_iri, graph_iri, mention_iri
from kg.model import (
    CasualtyClaim, Claim, ControlClaim, Document, Entity, EventClaim, Evidence, Extraction,
    MembershipClaim, Mention, Period, RoleClaim, TimeSpan,
)  # fmt: skip
from kg.vocab import CLASSES, INDIVIDUALS, OA, PROPERTIES, PROV, RDF, SK, TIME, XSD

HERE = Path(__file__).resolve().parent
DOC_ID = "001_test"
TEXT = (
    "On Tuesday, November 14, 2023, the Malian army (FAMa) took Kidal from the CSP-PSD. "
    "The CMA joined the CSP-PSD in March 2023. "
    "Assimi Goita has led the junta since 2021. "
    "The rebels held Kidal from March 2012 to January 2013. "
    "Ouguenat Ag Telele said 14 civilians were killed in Kidal."
)
SENTENCES = [s + "." for s in TEXT.removesuffix(".").split(". ")]

DAY = TimeSpan(date(2023, 11, 14), date(2023, 11, 14), "day")
MONTH = TimeSpan(date(2023, 3, 1), date(2023, 3, 31), "month")
YEAR = TimeSpan(date(2021, 1, 1), date(2021, 12, 31), "year")
MARCH_2012 = TimeSpan(date(2012, 3, 1), date(2012, 3, 31), "month")
JANUARY_2013 = TimeSpan(date(2013, 1, 1), date(2013, 1, 31), "month")

REGISTRY = {
    "france-24": Entity("france-24", "France 24", ("NewsOutlet",)),
    "globe-and-mail": Entity("globe-and-mail", "Globe and Mail", ("NewsOutlet",),
                             aliases=("The Globe and Mail",)),  # fmt: skip
}


def evidence(sentence: int) -> Evidence:
    quote = SENTENCES[sentence]
    begin = TEXT.index(quote)
    stop = begin + len(quote)
    prefix, suffix = TEXT[max(0, begin - 32) : begin], TEXT[stop : stop + 32]
    return Evidence(DOC_ID, begin, stop, quote, prefix, suffix)


def mention(text: str, key: str, occurrence: int = 0) -> Mention:
    begin = -1
    for _ in range(occurrence + 1):
        begin = TEXT.index(text, begin + 1)
    return Mention(begin, begin + len(text), text, key)


def document(publisher: str = "France 24") -> Document:
    return Document(
        doc_id=DOC_ID, path=DOC_ID + ".txt", text=TEXT, title="Mali: the army takes Kidal",
        publisher=publisher, published=date(2023, 11, 15), language="en",
        url="https://example.org/kidal", original_language="fr", date_note="'on Tuesday'",
        content_hash="ab" * 32,
    )  # fmt: skip


# fmt: off
CLAIMS: tuple[Claim, ...] = (
    ControlClaim("control.gain.v1", evidence(0), "fama", controller="fama", territory="kidal",
                 change="gain", start=DAY),
    MembershipClaim("membership.join.v1", evidence(1), "france-24", member="cma",
                    organisation="csp-psd", change="join", start=MONTH),
    RoleClaim("role.lead.v1", evidence(2), "france-24", holder="assimi-goita", role="JuntaLeader",
              within="mali", start=YEAR),
    ControlClaim("control.state.v1", evidence(3), "france-24", controller="tuareg-rebels",
                 territory="kidal", change="state", start=MARCH_2012, end=JANUARY_2013),
    EventClaim("event.capture.v1", evidence(0), "fama", event_type="Capture",
               label="Capture of Kidal", side_a=("fama", "wagner-group"), side_b=("csp-psd",),
               place="kidal", start=DAY, end=DAY, part_of="kidal-offensive-2023"),
    CasualtyClaim("casualty.killed.v1", evidence(4), "ouguenat-ag-telele", polarity="hedged",
                  casualty="killed", count_min=14, count_max=14, count_text="14",
                  victims="civilians", place="kidal", date=DAY),
)
# fmt: on
MENTIONS = (
    mention("Malian army", "fama"), mention("FAMa", "fama"), mention("Kidal", "kidal"),
    mention("CSP-PSD", "csp-psd"), mention("CMA", "cma"), mention("Assimi Goita", "assimi-goita"),
    mention("Ouguenat Ag Telele", "ouguenat-ag-telele"), mention("Kidal", "kidal", 2),
)  # fmt: skip
DISCOVERED = Entity("ouguenat-ag-telele", "Ouguenat Ag Telele", ("Person",), discovered=True,
                    first_seen=DOC_ID)  # fmt: skip


def extraction(publisher: str = "France 24") -> Extraction:
    return Extraction(document(publisher), MENTIONS, (DISCOVERED,), CLAIMS)


PERIOD = Period(
    "control", "fama", "kidal", DAY, None, ongoing=True, as_of=date(2023, 11, 15),
    claims=(claim_iri(CLAIMS[0]),), documents=(DOC_ID,), disputed=True,
    co_subjects=("wagner-group",),
)  # fmt: skip
ROLE_PERIOD = Period("role", "assimi-goita", "JuntaLeader", YEAR, None, within="mali",
                     claims=(claim_iri(CLAIMS[2]),), documents=(DOC_ID,))  # fmt: skip
DISPUTES = ((period_iri(PERIOD), claim_iri(CLAIMS[3])),)

ONTOLOGY_TTL = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sk: <https://w3id.org/sahel-kg/ontology#> .
<https://w3id.org/sahel-kg/ontology> a owl:Ontology .
sk:Agent a owl:Class ; owl:unionOf ( sk:Person sk:Organisation ) .
sk:Capture rdfs:subClassOf [ a owl:Restriction ;
    owl:onProperty sk:sideA ; owl:someValuesFrom sk:Agent ] .
sk:Withdrawal rdfs:subClassOf [ a owl:Restriction ;
    owl:onProperty sk:sideA ; owl:someValuesFrom sk:Agent ] .
"""
REGISTRY_TTL = """@prefix sk: <https://w3id.org/sahel-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/sahel-kg/id/kidal> a sk:Settlement ; skos:prefLabel "Kidal"@en .
"""


def all_quads(folder: Path) -> list[ox.Quad]:
    """Every graph of a small build; the two Turtle inputs are written into folder."""
    (folder / "sahel.ttl").write_text(ONTOLOGY_TTL, encoding="utf-8")
    (folder / "registry.ttl").write_text(REGISTRY_TTL, encoding="utf-8")
    return [
        *document_quads(extraction(), REGISTRY, stages=("claims.v1",)),
        *registry_quads(folder / "registry.ttl"),
        *ontology_quads(folder / "sahel.ttl"),
        *derived_quads([PERIOD, ROLE_PERIOD], DISPUTES, stages=("temporal.v1",)),
    ]


def build_to(folder: Path) -> None:
    """Build into folder (run in a subprocess by the determinism test)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_build(folder / "build", all_quads(folder))


def graphs(quads: list[ox.Quad]) -> set[str]:
    return {str(q.graph_name) for q in quads}


def objects(quads: list[ox.Quad], subject: str, predicate: str) -> list[ox.NamedNode | ox.Literal]:
    return sorted(
        (q.object for q in quads if q.subject.value == subject and q.predicate.value == predicate),
        key=str,
    )  # type: ignore[return-value]


def values(quads: list[ox.Quad], subject: str, predicate: str) -> list[str]:
    return [o.value for o in objects(quads, subject, predicate)]


@pytest.fixture(scope="module")
def quads() -> list[ox.Quad]:
    return document_quads(extraction(), REGISTRY)


# --- the shape of one document graph ----------------------------------------


def test_all_quads_are_in_the_document_graph(quads: list[ox.Quad]) -> None:
    assert graphs(quads) == {f"<{graph_iri('doc/' + DOC_ID)}>"}


def test_article_node(quads: list[ox.Quad]) -> None:
    node = doc_iri(DOC_ID)
    assert values(quads, node, RDF + "type") == [SK + "NewsArticle"]
    assert values(quads, node, "http://purl.org/dc/terms/publisher") == [entity_iri("france-24")]
    assert objects(quads, node, "http://purl.org/dc/terms/issued") == [
        ox.Literal("2023-11-15", datatype=ox.NamedNode(XSD + "date"))
    ]
    assert values(quads, node, SK + "fileName") == [DOC_ID + ".txt"]
    assert values(quads, node, SK + "originalLanguage") == ["fr"]


@pytest.mark.parametrize(
    ("publisher", "key", "discovered"),
    [
        ("france-24", "france-24", False),
        ("France 24", "france-24", False),
        ("The Globe and Mail", "globe-and-mail", False),
        ("Unknown French-language outlet", "unknown-french-language-outlet", True),
    ],
)
def test_publisher(publisher: str, key: str, discovered: bool) -> None:
    quads = document_quads(extraction(publisher), REGISTRY)
    assert values(quads, doc_iri(DOC_ID), "http://purl.org/dc/terms/publisher") == [entity_iri(key)]
    outlet_types = values(quads, entity_iri(key), RDF + "type")
    assert outlet_types == ([SK + "NewsOutlet"] if discovered else [])


def test_every_claim_has_its_evidence(quads: list[ox.Quad]) -> None:
    for claim in CLAIMS:
        node, ev = claim_iri(claim), claim.evidence
        assert ev.quote == TEXT[ev.begin : ev.stop]
        assert values(quads, node, SK + "quote") == [ev.quote]
        assert values(quads, node, SK + "quoteStart") == [str(ev.begin)]
        assert values(quads, node, SK + "quoteEnd") == [str(ev.stop)]
        assert values(quads, node, SK + "hasEvidence") == [node + "/evidence"]
        assert values(quads, node, PROV + "wasDerivedFrom") == [doc_iri(DOC_ID)]
        assert values(quads, node, "http://semanticweb.cs.vu.nl/2009/11/sem/accordingTo") == [
            entity_iri(claim.claimant)
        ]
        assert values(quads, node + "/evidence", OA + "hasTarget") == [node + "/target"]
        assert values(quads, node + "/target", OA + "hasSource") == [doc_iri(DOC_ID)]
        assert values(quads, node + "/target", OA + "hasSelector") == [
            node + "/position-selector", node + "/quote-selector"
        ]  # fmt: skip
        selector = node + "/quote-selector"
        assert values(quads, selector, RDF + "type") == [OA + "TextQuoteSelector"]
        assert values(quads, selector, OA + "exact") == [TEXT[ev.begin : ev.stop]]
        assert values(quads, selector, OA + "prefix") == [ev.prefix]
        position = node + "/position-selector"
        assert values(quads, position, OA + "start") == [str(ev.begin)]
        assert values(quads, position, OA + "end") == [str(ev.stop)]


def test_claim_types(quads: list[ox.Quad]) -> None:
    types = [values(quads, claim_iri(c), RDF + "type") for c in CLAIMS]
    assert types == [
        [SK + "Claim", SK + "TerritorialControl"],
        [SK + "Claim", SK + "GroupMembership"],
        [SK + "Claim", SK + "RoleHolding"],
        [SK + "Claim", SK + "TerritorialControl"],
        [SK + "Capture", SK + "Claim"],
        [SK + "CasualtyReport", SK + "Claim"],
    ]


def test_claim_roles(quads: list[ox.Quad]) -> None:
    control, membership, role, _, event, casualty = (claim_iri(c) for c in CLAIMS)
    assert values(quads, control, SK + "controller") == [entity_iri("fama")]
    assert values(quads, control, SK + "change") == [SK + "Gain"]
    assert values(quads, membership, "http://www.w3.org/ns/org#organization") == [
        entity_iri("csp-psd")
    ]
    assert values(quads, role, "http://www.w3.org/ns/org#role") == [SK + "JuntaLeader"]
    assert values(quads, role, SK + "roleWithin") == [entity_iri("mali")]
    assert values(quads, event, SK + "sideA") == [entity_iri("fama"), entity_iri("wagner-group")]
    assert values(quads, event, SK + "partOf") == [entity_iri("kidal-offensive-2023")]
    assert objects(quads, event, "http://www.w3.org/2000/01/rdf-schema#label") == [
        ox.Literal("Capture of Kidal", language="en")
    ]
    assert objects(quads, casualty, SK + "countMin") == [ox.Literal(14)]
    assert values(quads, casualty, SK + "polarity") == [SK + "Hedged"]
    assert values(quads, casualty, SK + "victims") == ["civilians"]


def test_month_precision(quads: list[ox.Quad]) -> None:
    node = claim_iri(CLAIMS[3])
    assert objects(quads, node, SK + "startDate") == [
        ox.Literal("2012-03-01", datatype=ox.NamedNode(XSD + "date"))
    ]
    assert objects(quads, node, SK + "endDate") == [
        ox.Literal("2013-01-31", datatype=ox.NamedNode(XSD + "date"))
    ]
    assert values(quads, node, SK + "startPrecision") == [SK + "Month"]
    assert values(quads, node, TIME + "hasTime") == [node + "/interval"]
    assert values(quads, node + "/interval", TIME + "hasEnd") == [node + "/end"]
    assert objects(quads, node + "/start", TIME + "inXSDgYearMonth") == [
        ox.Literal("2012-03", datatype=ox.NamedNode(XSD + "gYearMonth"))
    ]
    assert objects(quads, node + "/end", TIME + "inXSDgYearMonth") == [
        ox.Literal("2013-01", datatype=ox.NamedNode(XSD + "gYearMonth"))
    ]
    assert values(quads, node, SK + "date") == []  # a state, not a point event


def test_day_and_year_precision(quads: list[ox.Quad]) -> None:
    event, role = claim_iri(CLAIMS[4]), claim_iri(CLAIMS[2])
    assert values(quads, event + "/start", TIME + "inXSDDate") == ["2023-11-14"]
    assert values(quads, event, SK + "date") == ["2023-11-14"]  # start == end: a point
    assert values(quads, role + "/start", TIME + "inXSDgYear") == ["2021"]
    assert values(quads, role, SK + "startDate") == ["2021-01-01"]
    assert values(quads, role, SK + "endDate") == []  # unknown end


def test_membership_uses_member_during(quads: list[ox.Quad]) -> None:
    node = claim_iri(CLAIMS[1])
    assert values(quads, node, "http://www.w3.org/ns/org#memberDuring") == [node + "/interval"]
    assert values(quads, node, TIME + "hasTime") == []


def test_mentions_and_discovered_entity(quads: list[ox.Quad]) -> None:
    for m in MENTIONS:
        node = mention_iri(DOC_ID, m.begin, m.stop)
        assert values(quads, node, OA + "hasBody") == [entity_iri(m.key)]
        assert values(quads, node, SK + "quote") == [TEXT[m.begin : m.stop]]
    person = entity_iri("ouguenat-ag-telele")
    assert values(quads, person, RDF + "type") == [SK + "Person"]
    assert objects(quads, person, SK + "discovered") == [ox.Literal(True)]
    assert values(quads, person, PROV + "wasDerivedFrom") == [doc_iri(DOC_ID)]


def test_graph_provenance() -> None:
    quads = document_quads(extraction(), REGISTRY, stages=("claims.v1",))
    graph = graph_iri("doc/" + DOC_ID)
    assert values(quads, graph, SK + "stage") == ["claims.v1", "emit.v1"]
    assert values(quads, graph, PROV + "wasDerivedFrom") == [doc_iri(DOC_ID)]


def test_a_wrong_quote_is_refused() -> None:
    bad = replace(CLAIMS[0], evidence=replace(CLAIMS[0].evidence, quote="something else"))
    with pytest.raises(ValueError, match="is not the text at"):
        document_quads(replace(extraction(), claims=(bad,)), REGISTRY)


def test_an_unknown_event_type_is_refused() -> None:
    bad = replace(CLAIMS[4], event_type="Picnic")
    with pytest.raises(OntologyError, match="event type 'Picnic' is not in the ontology"):
        document_quads(replace(extraction(), claims=(bad,)), REGISTRY)


# --- derived, registry and ontology graphs ------------------------------------


def test_derived_periods() -> None:
    quads = derived_quads([PERIOD, ROLE_PERIOD], DISPUTES)
    node = period_iri(PERIOD)
    assert graphs(quads) == {f"<{graph_iri('derived')}>"}
    assert values(quads, node, RDF + "type") == [SK + "ControlPeriod", SK + "TerritorialControl"]
    assert values(quads, node, SK + "jointController") == [entity_iri("wagner-group")]
    assert objects(quads, node, SK + "ongoing") == [ox.Literal(True)]
    assert values(quads, node, SK + "asOf") == ["2023-11-15"]
    assert values(quads, node, SK + "supportedBy") == [claim_iri(CLAIMS[0])]
    assert values(quads, node, SK + "disputedBy") == [claim_iri(CLAIMS[3])]
    assert values(quads, claim_iri(CLAIMS[3]), SK + "disputedBy") == [node]
    role = period_iri(ROLE_PERIOD)
    assert values(quads, role, RDF + "type") == [SK + "RoleHolding", SK + "RolePeriod"]
    assert values(quads, role, "http://www.w3.org/ns/org#role") == [SK + "JuntaLeader"]
    assert values(quads, graph_iri("derived"), PROV + "wasDerivedFrom") == [doc_iri(DOC_ID)]


def test_input_files_are_skolemized(tmp_path: Path) -> None:
    quads = all_quads(tmp_path)
    ontology = [q for q in quads if str(q.graph_name) == f"<{graph_iri('ontology')}>"]
    assert len(ontology) == 15 + 2  # 15 triples of the file, 2 of provenance
    restriction = ox.NamedNode("http://www.w3.org/2002/07/owl#Restriction")
    restrictions = {q.subject for q in ontology if q.object == restriction}
    assert len(restrictions) == 2  # twins are not merged
    assert ontology_quads(tmp_path / "sahel.ttl") == ontology_quads(tmp_path / "sahel.ttl")


def test_missing_registry(tmp_path: Path) -> None:
    with pytest.raises(OntologyError, match="registry.ttl: not found"):
        registry_quads(tmp_path / "registry.ttl")


def test_broken_registry(tmp_path: Path) -> None:
    (tmp_path / "registry.ttl").write_text("<a> <b> .", encoding="utf-8")
    with pytest.raises(OntologyError, match="registry.ttl: not valid Turtle"):
        registry_quads(tmp_path / "registry.ttl")


# --- the whole build ------------------------------------------------------------


def test_no_blank_nodes_and_only_known_terms(tmp_path: Path) -> None:
    known = {SK + name for name in (*CLASSES, *INDIVIDUALS)}
    known |= {SK + name for name in PROPERTIES}
    for q in all_quads(tmp_path):
        for term in (q.subject, q.predicate, q.object, q.graph_name):
            assert isinstance(term, ox.NamedNode | ox.Literal), q
            if isinstance(term, ox.NamedNode) and term.value.startswith(SK):
                assert term.value in known, term


def test_build_files(tmp_path: Path) -> None:
    files = write_build(tmp_path / "build", all_quads(tmp_path))
    assert files.graphs == 4
    assert sorted(p.name for p in (tmp_path / "build").iterdir()) == ["kg.trig", "kg.ttl"]
    trig = list(ox.parse(path=files.trig, format=ox.RdfFormat.TRIG))
    ttl = list(ox.parse(path=files.ttl, format=ox.RdfFormat.TURTLE))
    assert len(trig) == files.quads
    assert len(ttl) == files.triples == len({q.triple for q in trig})
    first_line = files.trig.read_bytes().split(b"\n")[0]
    assert first_line == b"@prefix sk: <https://w3id.org/sahel-kg/ontology#> ."


def test_write_is_deduplicated_and_sorted(tmp_path: Path) -> None:
    quads = document_quads(extraction(), REGISTRY)
    once = write_build(tmp_path / "a", quads)
    twice = write_build(tmp_path / "b", list(reversed(quads)) + quads)
    assert once.quads == twice.quads
    assert once.trig.read_bytes() == twice.trig.read_bytes()


def test_byte_identical_across_processes(tmp_path: Path) -> None:
    build_to(tmp_path / "here")
    outputs = [tmp_path / "here" / "build"]
    for seed in ("0", "4242"):
        folder = tmp_path / f"seed-{seed}"
        code = f"import sys; sys.path.insert(0, {str(HERE)!r}); import test_emit, pathlib; " \
               f"test_emit.build_to(pathlib.Path({str(folder)!r}))"  # fmt: skip
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=HERE.parent)
        outputs.append(folder / "build")
    for name in ("kg.trig", "kg.ttl"):
        contents = {(out / name).read_bytes() for out in outputs}
        assert len(contents) == 1, name


def _oxi_term(term: object) -> tuple[str | None, ...]:
    if isinstance(term, ox.Literal):
        datatype = None if term.language else term.datatype.value
        return ("literal", term.value, datatype, term.language)
    return ("iri", term.value)  # type: ignore[attr-defined]


def _rdflib_term(term: object) -> tuple[str | None, ...]:
    import rdflib

    if isinstance(term, rdflib.Literal):
        datatype = None if term.language else str(term.datatype or XSD + "string")
        return ("literal", str(term), datatype, term.language)
    return ("iri", str(term))


def test_trig_reparses_with_rdflib(tmp_path: Path) -> None:
    import rdflib

    files = write_build(tmp_path / "build", all_quads(tmp_path))
    dataset = rdflib.Dataset()
    dataset.parse(files.trig, format="trig")
    theirs = {tuple(_rdflib_term(t) for t in (s, p, o, g)) for s, p, o, g in dataset.quads()}
    ours = {
        tuple(_oxi_term(t) for t in (q.subject, q.predicate, q.object, q.graph_name))
        for q in ox.parse(path=files.trig, format=ox.RdfFormat.TRIG)
    }
    assert theirs == ours
    assert len(ours) == files.quads


def test_a_failed_build_keeps_the_previous_one(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_build(out, document_quads(extraction(), REGISTRY))
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken() -> object:
        yield from document_quads(extraction(), REGISTRY)
        raise RuntimeError("killed mid-build")

    with pytest.raises(RuntimeError, match="killed mid-build"):
        write_build(out, broken())  # type: ignore[arg-type]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


# --- claim IRIs -------------------------------------------------------------------

_KEYS = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)
_DAYS = st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def _spans(draw: st.DrawFn) -> TimeSpan:
    day = draw(_DAYS)
    precision = draw(st.sampled_from(["day", "month", "year"]))
    return TimeSpan(day, day, precision, draw(st.booleans()))


@st.composite
def _claims(draw: st.DrawFn) -> Claim:
    begin = draw(st.integers(0, 5000))
    stop = begin + draw(st.integers(0, 300))
    doc_id = draw(st.sampled_from(["000_a", "001_b"]))
    ev = Evidence(doc_id, begin, stop, f"quote {begin}:{stop}")
    base = {
        "rule": draw(st.sampled_from(["r.v1", "r.v2"])), "evidence": ev, "claimant": draw(_KEYS),
        "polarity": draw(st.sampled_from(["asserted", "denied", "hedged"])),
    }  # fmt: skip
    span = st.none() | _spans()
    kind = draw(st.sampled_from(["event", "control", "membership", "role", "casualty"]))
    if kind == "event":
        return EventClaim(**base, event_type=draw(st.sampled_from(["Capture", "Clash"])),
                          label=draw(st.text(max_size=20)),
                          side_a=tuple(draw(st.lists(_KEYS, max_size=2))),
                          place=draw(st.none() | _KEYS),
                          start=draw(span), end=draw(span))  # fmt: skip
    if kind == "control":
        return ControlClaim(**base, controller=draw(_KEYS), territory=draw(_KEYS),
                            change=draw(st.sampled_from(["gain", "loss", "state"])),
                            start=draw(span), end=draw(span))  # fmt: skip
    if kind == "membership":
        return MembershipClaim(**base, member=draw(_KEYS), organisation=draw(_KEYS),
                               start=draw(span))  # fmt: skip
    if kind == "role":
        return RoleClaim(**base, holder=draw(_KEYS),
                         role=draw(st.sampled_from(["Leader", "Founder"])),
                         within=draw(st.none() | _KEYS), end=draw(span))  # fmt: skip
    return CasualtyClaim(**base, count_min=draw(st.none() | st.integers(0, 10**6)),
                         count_text=draw(st.text(max_size=10)), date=draw(span))  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(_claims(), unique=True, max_size=20))
def test_claim_iri_is_stable_injective_and_valid(claims: list[Claim]) -> None:
    iris = [claim_iri(c) for c in claims]
    assert iris == [claim_iri(replace(c)) for c in claims]
    assert len(set(iris)) == len(claims)
    for value in iris:
        assert ox.NamedNode(value).value == value
