"""kg.queries: the canned .rq files, parameter binding, entity resolution, formats.

The queries run on a real pyoxigraph store filled from
tests/data/queries_fixture.trig (shaped as ontology/README.md says) plus the
real ontology/sahel.ttl, on a real ``oxigraph serve`` (conftest) for the
endpoint path, and on the conftest ``tiny_build`` through kg.store.open_store.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import queries
from kg.endpoint import bind_values
from kg.errors import QueryError
from kg.model import QueryResult, Term
from kg.queries import CannedQuery, EntityIndex, Param
from kg.store import select
from kg.vocab import ID, SK, SKOS, XSD

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "data" / "queries_fixture.trig"
ONTOLOGY_GRAPH = "https://w3id.org/sahel-kg/graph/ontology"
NAMES = [
    "alliance-members", "casualty-claims", "contested", "control-timeline", "controller-at",
    "event-sources", "events", "evidence", "roles",
]  # fmt: skip
HOSTILE = [
    'kidal" } ; DROP ALL ; #',
    "kidal' } ; DROP ALL ; #",
    "} ; DROP ALL",
    '"',
    "{ }",
    "<https://w3id.org/sahel-kg/id/kidal> } ; DROP ALL ; #",
    "kidal\n} ; DROP ALL ; #",
    '2023-11-14" } ; DROP ALL ; #',
]


def load_fixture(store: ox.Store) -> ox.Store:
    store.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    store.load(path=str(ROOT / "ontology" / "sahel.ttl"), format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode(ONTOLOGY_GRAPH))  # fmt: skip
    return store


@pytest.fixture(scope="module")
def store() -> Iterator[ox.Store]:
    yield load_fixture(ox.Store())
    queries.clear_entity_cache()


def run(store: ox.Store, name: str, **params: str) -> list[dict[str, str | None]]:
    """Rows of a canned query as {variable: lexical value or None}."""
    return as_dicts(queries.run_query(name, params, store=store))


def as_dicts(result: QueryResult) -> list[dict[str, str | None]]:
    return [
        {
            v: (t.value if t is not None else None)
            for v, t in zip(result.variables, row, strict=True)
        }
        for row in result.rows
    ]


def column(rows: list[dict[str, str | None]], name: str) -> list[str | None]:
    return [row[name] for row in rows]


def key(iri: str | None) -> str | None:
    return None if iri is None else iri.rsplit("/", 1)[-1]


# --- the files ------------------------------------------------------------------


def test_the_canned_questions_are_listed_by_name() -> None:
    assert [q.name for q in queries.list_queries()] == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_every_query_parses_in_both_engines_and_is_ordered(name: str) -> None:
    from rdflib.plugins.sparql import prepareQuery

    query = queries.get_query(name)
    assert query.summary and len(query.summary) < 140
    assert re.search(r"^ORDER BY ", query.text, re.MULTILINE)
    prepareQuery(query.text)  # rdflib's parser
    result = ox.Store().query(query.text)  # pyoxigraph's parser, on an empty store
    assert isinstance(result, ox.QuerySolutions)
    for given in ({p.name for p in query.params}, set()):  # each text the runner may send
        text = query.text_for(given)
        prepareQuery(text)
        assert isinstance(ox.Store().query(text), ox.QuerySolutions)
    if query.bind == "values":
        return  # the parameters come as a VALUES block: they need not be projected
    projection = query.text[query.text.index("SELECT") : query.text.index("WHERE {")]
    for variable in query.param_variables():  # SEP-0007: bound variables are projected
        if re.search(rf"\?{variable}\b", queries._code(query.text)):
            assert re.search(rf"\?{variable}\b", projection), variable


def test_the_parameters_are_read_from_the_header() -> None:
    got = {q.name: [queries.describe_param(p) for p in q.params] for q in queries.list_queries()}
    assert got == {
        "alliance-members": ["alliance (entity)", "date (date, optional)"],
        "casualty-claims": ["place (entity, optional)", "event (entity, optional)"],
        "contested": ["about (entity, optional)"],
        "control-timeline": ["place (entity, default kidal)"],
        "controller-at": ["place (entity, default kidal)", "date (date)"],
        "event-sources": ["event (entity)"],
        "events": ["place (entity)", "from (date, optional)", "to (date, optional)"],
        "evidence": ["entity (entity)"],
        "roles": ["entity (entity)"],
    }
    assert queries.get_query("control-timeline").tags == ("control", "timeline", "places")


def test_no_query_walks_an_unbounded_path() -> None:
    for query in queries.list_queries():
        code = queries._code(query.text)
        assert not re.search(r"(sk:\w+|\))[+*]", code), query.name


# --- header errors ----------------------------------------------------------------

GOOD_BODY = "SELECT ?place ?x WHERE { ?x ?p ?place } ORDER BY ?x\n"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "#+ params: place:entity\n",
            "bad.rq:1: missing '#+ summary: ...' line (kg queries shows it)",
        ),
        (
            "#+ summary: s\n#+ params: place:entty\n",
            "bad.rq:2: parameter 'place' has unknown type 'entty'; types: entity, date, string",
        ),
        (
            "#+ summary: s\n#+ params: place=entity\n",
            "bad.rq:2: parameter 'place=entity' is not name:type[=default] or name?:type",
        ),
        (
            "#+ summary: s\n#+ endpoint: http://x\n",
            "bad.rq:2: unknown header key 'endpoint'; use one of summary, description, "
            "params, tags, bind",
        ),
        (
            "#+ summary: s\n#+ bind: splice\n",
            "bad.rq:2: bind is 'splice'; use one of substitutions, values",
        ),
        ("#+ summary: s\n#+ summary: t\n", "bad.rq:2: header key 'summary' given twice"),
        ("#+ summary s\n", "bad.rq:1: header line is not '#+ key: value': '#+ summary s'"),
        (
            "#+ summary: s\n#+ params: other:string\n",
            "bad.rq:2: parameter 'other' is not used as ?other in the query",
        ),
        (
            "#+ summary: s\n#+ params: place:entity, place:date\n",
            "bad.rq:2: parameter 'place' declared twice",
        ),
        (
            "#+ summary: s\n#+ params: place?:entity=kidal\n",
            "bad.rq:2: parameter 'place' is optional and has a default; give one or the other",
        ),
        (
            "#+ summary: s\n#+ params: place:date=2023-02-30\n",
            "bad.rq:2: default of parameter 'place': '2023-02-30' is not a valid date "
            "(no such day in the calendar)",
        ),
    ],
)
def test_a_malformed_header_names_the_file_and_line(
    tmp_path: Path, header: str, message: str
) -> None:
    (tmp_path / "bad.rq").write_text(header + GOOD_BODY, encoding="utf-8")
    with pytest.raises(QueryError) as error:
        queries.list_queries(tmp_path)
    assert str(error.value) == f"{tmp_path}/{message}"


def test_a_query_without_order_by_is_refused(tmp_path: Path) -> None:
    (tmp_path / "loose.rq").write_text("#+ summary: s\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(QueryError, match=r"loose.rq: no ORDER BY; every canned query orders"):
        queries.list_queries(tmp_path)


def test_brackets_and_empty_lists_in_the_header(tmp_path: Path) -> None:
    (tmp_path / "ok.rq").write_text(
        "#+ summary: s\n#+ params: [place:entity, when?:date]\n#+ tags: [a, b]\n"
        "# free comment\nSELECT ?place ?whenEnd ?x WHERE { ?x ?p ?place } ORDER BY ?x\n"
    )
    (query,) = queries.list_queries(tmp_path)
    assert query.params == (Param("place", "entity"), Param("when", "date", None, True))
    assert query.tags == ("a", "b")


# --- unknown names ------------------------------------------------------------------


def test_an_unknown_query_lists_the_available_ones_and_suggests() -> None:
    with pytest.raises(QueryError) as error:
        queries.get_query("aliance-members")
    assert str(error.value) == (
        "Unknown query 'aliance-members'. Available: alliance-members, casualty-claims, "
        "contested, control-timeline, controller-at, event-sources, events, evidence, roles. "
        "Did you mean 'alliance-members'?"
    )


def test_an_unknown_parameter_lists_the_valid_ones(store: ox.Store) -> None:
    with pytest.raises(QueryError) as error:
        queries.run_query("controller-at", {"plce": "Kidal", "date": "2020"}, store=store)
    assert str(error.value) == (
        "Unknown parameter 'plce' for query 'controller-at'. Valid parameters: place, date. "
        "Did you mean 'place'?"
    )
    with pytest.raises(QueryError, match=r"for query 'contested'. Valid parameters: about\."):
        queries.run_query("contested", {"place": "Kidal"}, store=store)


def test_a_missing_required_parameter_is_an_error(store: ox.Store) -> None:
    with pytest.raises(QueryError) as error:
        queries.run_query("controller-at", {}, store=store)
    assert str(error.value) == (
        "Query 'controller-at' needs parameter 'date' (date): give it as date=VALUE"
    )


# --- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision"),
    [
        ("2023-11-14", "2023-11-14", "2023-11-14", "day"),
        ("2012-03", "2012-03-01", "2012-03-31", "month"),
        ("2024-02", "2024-02-01", "2024-02-29", "month"),
        ("2014", "2014-01-01", "2014-12-31", "year"),
        (" 2014 ", "2014-01-01", "2014-12-31", "year"),
    ],
)
def test_dates_are_parsed_at_their_precision(text: str, earliest: str, latest: str,
                                             precision: str) -> None:  # fmt: skip
    span = queries.parse_date(text, "date")
    assert (span.earliest.isoformat(), span.latest.isoformat(), span.precision) == (
        earliest, latest, precision)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2023-02-30", "no such day in the calendar"),
        ("2023-13", "no such day in the calendar"),
        ("2023-00-10", "no such day in the calendar"),
        ("2023/11/14", "use YYYY-MM-DD, YYYY-MM or YYYY"),
        ("14 November 2023", "use YYYY-MM-DD, YYYY-MM or YYYY"),
        ("20231114", "use YYYY-MM-DD, YYYY-MM or YYYY"),
        ("2023-1-4", "use YYYY-MM-DD, YYYY-MM or YYYY"),
        ("yesterday", "use YYYY-MM-DD, YYYY-MM or YYYY"),
    ],
)
def test_an_impossible_date_names_the_parameter(store: ox.Store, text: str, why: str) -> None:
    with pytest.raises(QueryError) as error:
        queries.run_query("controller-at", {"date": text}, store=store)
    assert str(error.value) == f"parameter 'date': {text!r} is not a valid date ({why})"


def test_a_date_binds_its_first_and_last_day_as_xsd_date() -> None:
    query = queries.get_query("controller-at")
    terms = queries.bind_params(query, {"place": "id:kidal", "date": "2013"}, _no_lookup)
    assert terms == {
        "place": Term("iri", ID + "kidal"),
        "date": Term("literal", "2013-01-01", XSD + "date"),
        "dateEnd": Term("literal", "2013-12-31", XSD + "date"),
    }
    events = queries.get_query("events")
    terms = queries.bind_params(events, {"place": "id:kidal", "from": "2021", "to": "2022-06"},
                                _no_lookup)  # fmt: skip
    assert sorted(terms) == ["from", "place", "toEnd"]  # only what the query uses
    assert terms["toEnd"] == Term("literal", "2022-06-30", XSD + "date")


def _no_lookup(param: Param, value: str) -> Term:
    iri = queries._as_iri(value)
    assert iri is not None, "only IRIs here"
    return Term("iri", iri)


# --- entity resolution -------------------------------------------------------------


@pytest.fixture(scope="module")
def index(store: ox.Store) -> EntityIndex:
    return EntityIndex.from_result(select(store, queries.LOOKUP))


@pytest.mark.parametrize(
    ("param", "value", "expected"),
    [
        ("place", "kidal", "kidal"),
        ("place", "KIDAL", "kidal"),
        ("place", "  Kidal  ", "kidal"),
        ("place", "Kidal Region", "kidal-region"),
        ("place", "région de kidal", "kidal-region"),
        ("place", "ABEÏBARA", "abeibara"),
        ("place", "abeibara", "abeibara"),
        ("place", "Anéfis", "anefis"),
        ("place", "timbuktu region", "tombouctou-region"),
        ("place", "kidal-airport", "kidal-airport"),  # the registry key
        ("alliance", "csp", "csp-psd"),
        ("alliance", "CSP-PSD", "csp-psd"),
        ("alliance", "cadre strategique permanent", "csp-psd"),
        ("alliance", "Cadre Stratégique Permanent", "csp-psd"),
        ("alliance", "Alliance of Sahel States", "aes"),
        ("alliance", "alliance des etats du sahel", "aes"),
        ("entity", "FAMA", "fama"),
        ("entity", "malian army", "fama"),
        ("entity", "Assimi Goita", "assimi-goita"),
        ("entity", "assimi goïta", "assimi-goita"),
        ("entity", "aqmi", "aqim"),  # a hidden label
        ("entity", "Mohamed Elmaouloud Ramadane", "mohamed-elmaouloud-ramadane"),  # discovered
        ("entity", "id:kidal", "kidal"),
        ("entity", "<https://w3id.org/sahel-kg/id/gao>", "gao"),
        ("event", "battle of kidal (2023)", "battle-of-kidal-2023"),
    ],
)
def test_entities_resolve_by_label_alias_case_and_accents(
    index: EntityIndex, param: str, value: str, expected: str
) -> None:
    assert index.resolve(Param(param, "entity"), value) == Term("iri", ID + expected)


def test_an_unknown_place_lists_the_places_and_close_matches(index: EntityIndex) -> None:
    with pytest.raises(QueryError) as error:
        index.resolve(Param("place", "entity"), "Kidall")
    assert str(error.value) == (
        "Unknown place 'Kidall' for parameter 'place'. Did you mean: Kidal? "
        "Valid choices: Abeibara, Anefis, Ber, Burkina Faso, Kidal, Kidal airport, "
        "Kidal Region, Mali, Niger, Tessalit, Tombouctou Region "
        "(or any of their aliases, or an IRI)."
    )


def test_an_entity_of_the_wrong_type_is_refused_with_the_choices(index: EntityIndex) -> None:
    with pytest.raises(QueryError) as error:
        index.resolve(Param("alliance", "entity"), "FAMa")
    assert str(error.value) == (
        "'FAMa' for parameter 'alliance' names Malian Armed Forces (NationalArmedForces); "
        "'alliance' takes: Alliance. Valid choices: Alliance of Sahel States, "
        "Coordination of Azawad Movements, CSP-PSD, Platform "
        "(or any of their aliases, or an IRI)."
    )


def test_an_unknown_entity_of_any_type_gets_close_matches(index: EntityIndex) -> None:
    with pytest.raises(QueryError) as error:
        index.resolve(Param("entity", "entity"), "Wagnr Group")
    assert str(error.value) == (
        "Unknown entity 'Wagnr Group' for parameter 'entity'. Did you mean: Wagner Group? "
        "30 entities known (or any of their aliases, or an IRI)."
    )


def test_an_ambiguous_label_asks_for_the_iri() -> None:
    rows = tuple(
        (Term("iri", ID + k), Term("iri", SKOS + "altLabel"),
         Term("literal", "Ber", lang="en"), Term("iri", SK + "Settlement"))
        for k in ("ber-a", "ber-b")
    )  # fmt: skip
    index = EntityIndex.from_result(QueryResult(("entity", "kind", "label", "type"), rows))
    with pytest.raises(QueryError) as error:
        index.resolve(Param("place", "entity"), "ber")
    assert str(error.value) == (
        f"'ber' for parameter 'place' is ambiguous: ber-a <{ID}ber-a>; ber-b <{ID}ber-b>. "
        "Give the IRI or a more precise label."
    )


def test_the_preferred_label_wins_over_an_alias_of_another_entity() -> None:
    rows = (
        (Term("iri", ID + "gao"), Term("iri", SKOS + "prefLabel"),
         Term("literal", "Gao", lang="en"), Term("iri", SK + "Settlement")),
        (Term("iri", ID + "gao-region"), Term("iri", SKOS + "altLabel"),
         Term("literal", "Gao", lang="en"), Term("iri", SK + "Region")),
    )  # fmt: skip
    index = EntityIndex.from_result(QueryResult(("entity", "kind", "label", "type"), rows))
    assert index.resolve(Param("place", "entity"), "gao") == Term("iri", ID + "gao")


def test_the_label_index_is_looked_up_once_per_store(store: ox.Store) -> None:
    calls = []

    def counting(sparql: str, substitutions: object) -> QueryResult:
        calls.append(sparql)
        return select(store, sparql)

    resolve = queries.entity_resolver(counting, ("test-once", id(store)), store)
    for value in ("Kidal", "kidal", "Kidal Region", "id:gao"):
        resolve(Param("place", "entity"), value)
    assert calls == [queries.LOOKUP]


# --- the answers on the fixture -----------------------------------------------------


def test_control_timeline_of_kidal(store: ox.Store) -> None:
    rows = run(store, "control-timeline")  # place defaults to kidal
    assert [key(r["controller"]) for r in rows] == ["ansar-dine", "mnla", "tuareg-rebels", "fama"]
    assert column(rows, "controllerLabel") == [
        "Ansar Dine", "National Movement for the Liberation of Azawad", "Tuareg rebels",
        "Malian Armed Forces",
    ]  # fmt: skip
    assert column(rows, "jointControllers") == [  # an empty GROUP_CONCAT is unbound here
        "al-Qaeda in the Islamic Maghreb", None, None, "Wagner Group"]  # fmt: skip
    assert column(rows, "start") == ["2012-03-01", "2013-01-01", "2014-01-01", "2023-11-14"]
    assert [key(p) for p in column(rows, "startPrecision")] == [
        "ontology#Month", "ontology#Month", "ontology#Year", "ontology#Day"]  # fmt: skip
    assert column(rows, "end") == ["2013-01-31", "2014-12-31", "2023-11-14", None]
    assert column(rows, "ongoing") == [None, None, None, "true"]
    assert column(rows, "asOf") == [None, None, None, "2024-06-01"]
    assert [sorted((d or "").split()) for d in column(rows, "documents")] == [
        ["004_wiki"], ["004_wiki"], ["001_f24", "004_wiki"], ["001_f24", "003_lemonde"],
    ]  # fmt: skip
    assert column(rows, "claims") == ["1", "1", "2", "2"]
    assert column(rows, "disputed") == ["true", "false", "false", "false"]
    assert "place" not in rows[0]  # bound parameters are not echoed


def test_control_timeline_resolves_the_place_by_label(store: ox.Store) -> None:
    assert run(store, "control-timeline", place="KIDAL") == run(store, "control-timeline")
    assert run(store, "control-timeline", place="Tessalit") == []


@pytest.mark.parametrize(
    ("when", "controllers"),
    [
        ("2012-06", ["ansar-dine"]),
        ("2013-01-15", ["ansar-dine", "mnla"]),
        ("2013", ["ansar-dine", "mnla"]),
        ("2014-06-01", ["mnla", "tuareg-rebels"]),
        ("2019-06-01", ["tuareg-rebels"]),
        ("2023-11-14", ["tuareg-rebels", "fama"]),
        ("2024-01-01", ["fama"]),
        ("2010", []),
    ],
)
def test_controller_at_a_date(store: ox.Store, when: str, controllers: list[str]) -> None:
    rows = run(store, "controller-at", place="Kidal", date=when)
    assert [key(r["controller"]) for r in rows] == controllers
    assert "date" not in (rows[0] if rows else {}) and "dateEnd" not in (rows[0] if rows else {})


def test_controller_at_gives_the_sources(store: ox.Store) -> None:
    (row,) = run(store, "controller-at", date="2024-03-01")
    assert (row["jointControllers"], row["ongoing"], row["asOf"], row["claims"]) == (
        "Wagner Group", "true", "2024-06-01", "2")  # fmt: skip
    assert sorted((row["documents"] or "").split()) == ["001_f24", "003_lemonde"]


@pytest.mark.parametrize(
    ("alliance", "when", "members"),
    [
        (
            "csp",
            None,
            [("cma", "2021-05-01", None, "true"), ("platform", "2021-05-01", "2023-09-30", None)],
        ),
        ("CSP", "2024-01-01", [("cma", "2021-05-01", None, "true")]),
        (
            "csp",
            "2023-09",
            [("cma", "2021-05-01", None, "true"), ("platform", "2021-05-01", "2023-09-30", None)],
        ),
        ("csp", "2020", []),
        (
            "Alliance of Sahel States",
            None,
            [
                ("burkina-faso", "2023-09-16", None, "true"),
                ("mali", "2023-09-16", None, "true"),
                ("niger", "2023-09-16", None, "true"),
            ],
        ),
        ("AES", "2023-01-01", []),
    ],
)
def test_alliance_members(
    store: ox.Store, alliance: str, when: str | None,
    members: list[tuple[str, str, str | None, str | None]],
) -> None:  # fmt: skip
    params = {"alliance": alliance} | ({"date": when} if when else {})
    rows = run(store, "alliance-members", **params)
    assert [(key(r["member"]), r["start"], r["end"], r["ongoing"]) for r in rows] == members


def test_roles_of_a_person_an_organisation_and_a_place(store: ox.Store) -> None:
    (goita,) = run(store, "roles", entity="Assimi Goïta")
    assert (goita["basis"], goita["roleLabel"], goita["withinLabel"], goita["start"],
            goita["ongoing"], goita["asOf"]) == (
        "period", "junta leader", "Mali", "2021-05-24", "true", "2024-06-01")  # fmt: skip
    assert run(store, "roles", entity="mali") == [goita | {}]
    (gamou,) = run(store, "roles", entity="Kidal Region")
    assert (key(gamou["holder"]), gamou["roleLabel"], gamou["start"], gamou["end"]) == (
        "el-hadj-ag-gamou", "governor", "2014-01-01", "2016-12-31")  # fmt: skip
    (spokesman,) = run(store, "roles", entity="CSP")
    assert (spokesman["basis"], spokesman["holderLabel"], spokesman["roleLabel"],
            key(spokesman["polarity"]), spokesman["documents"]) == (
        "claim", "Mohamed Elmaouloud Ramadane", "spokesperson", "ontology#Asserted",
        "003_lemonde")  # fmt: skip


def test_events_at_kidal_and_within_it(store: ox.Store) -> None:
    rows = run(store, "events", place="Kidal")
    assert [(key(r["event"]), r["start"], r["kind"], r["whereLabel"]) for r in rows] == [
        ("ev-rebels-capture", "2012-03-30", "capture", "Kidal"),
        ("ev-drone", "2023-10-01", "drone strike", "Kidal airport"),
        ("ev-shootdown", "2023-10-06", "aircraft crash", "Kidal"),
        ("ev-capture", "2023-11-14", "capture", "Kidal"),
    ]
    capture = rows[-1]
    assert (capture["sideA"], capture["sideB"]) == ("Malian Armed Forces, Wagner Group", "CSP-PSD")
    assert (capture["sources"], capture["claims"], capture["disputed"]) == ("2", "1", "false")
    assert capture["casualties"] == "10 terrorists killed (Malian Armed Forces)"
    drone = rows[1]
    assert key(drone["startPrecision"]) == "ontology#Month" and drone["end"] == "2023-10-31"
    assert (drone["disputed"], drone["disagreements"]) == ("true", "figures")
    assert drone["casualties"] == (
        "14 civilians killed (CSP-PSD); around twenty civilians killed (AFP)"
    )
    assert key(rows[2]["partOf"]) == "ev-drone"


def test_events_in_a_region_between_two_dates(store: ox.Store) -> None:
    everything = run(store, "events", place="kidal region")
    assert [key(r["event"]) for r in everything] == [
        "ev-rebels-capture", "ev-tessalit", "ev-drone", "ev-shootdown", "ev-capture"]  # fmt: skip
    window = run(store, "events", place="kidal region", **{"from": "2021", "to": "2023-10"})
    assert [key(r["event"]) for r in window] == ["ev-tessalit", "ev-drone", "ev-shootdown"]
    assert window[0]["sideA"] is None and window[0]["start"] == "2021-01-01"
    assert [key(r["event"]) for r in run(store, "events", place="Mali", to="2012")] == [
        "ev-rebels-capture"]  # fmt: skip
    assert [key(r["event"]) for r in run(store, "events", place="Ber")] == ["ev-clash-ber"]


def test_event_sources_lists_the_claims_and_figures_behind_an_event(store: ox.Store) -> None:
    rows = run(store, "event-sources", event="event:ev-drone")
    assert [(key(r["claim"]), r["kind"], r["figure"], r["claimantLabel"], r["document"])
            for r in rows] == [
        ("k-14", "casualty report", "14 civilians", "CSP-PSD", "001_f24"),
        ("e-drone", "drone strike", "", "AFP", "002_afp"),
        ("k-20", "casualty report", "around twenty civilians", "AFP", "002_afp"),
    ]  # fmt: skip
    assert rows[1]["quote"] == "drone strikes hit the airport area of Kidal in October"
    named = run(store, "event-sources", event="Battle of Kidal (2023)")  # a registry event
    assert [key(r["claim"]) for r in named] == ["e-capture", "k-10"]


def test_casualty_claims_keep_every_figure_with_its_claimant(store: ox.Store) -> None:
    rows = run(store, "casualty-claims")
    assert [(key(r["claim"]), r["countText"], r["victims"], r["claimantLabel"], r["type"])
            for r in rows] == [
        ("k-14", "14", "civilians", "CSP-PSD", "killed"),
        ("k-20", "around twenty", "civilians", "AFP", "killed"),
        ("k-10", "10", "terrorists", "Malian Armed Forces", "killed"),
        ("k-dozens", "dozens", "fighters", "CSP-PSD", "killed"),
    ]  # fmt: skip
    k20 = rows[1]
    assert (k20["countMin"], k20["countMax"], k20["whereLabel"], k20["document"]) == (
        "18",
        "22",
        "Kidal airport",
        "002_afp",
    )  # its place is the place of the event it is about
    assert k20["quote"] == "around twenty civilians, according to local sources, were killed"
    assert (rows[3]["date"], key(rows[3]["datePrecision"]), rows[3]["countMax"]) == (
        "2024-05-01", "ontology#Month", None)  # fmt: skip


@pytest.mark.parametrize(
    ("params", "claims"),
    [
        ({"place": "Kidal"}, ["k-14", "k-20", "k-10"]),
        ({"place": "kidal region"}, ["k-14", "k-20", "k-10", "k-dozens"]),
        ({"place": "Anefis"}, ["k-dozens"]),
        ({"place": "Ber"}, []),
        ({"event": "Battle of Kidal (2023)"}, ["k-10"]),
        ({"event": "kidal offensive (2023)"}, ["k-14", "k-20", "k-10"]),
        ({"event": "https://w3id.org/sahel-kg/claim/e-drone"}, ["k-14", "k-20"]),
        ({"place": "Kidal", "event": "battle of kidal (2023)"}, ["k-10"]),
    ],
)
def test_casualty_claims_by_place_or_event(store: ox.Store, params: dict[str, str],
                                           claims: list[str]) -> None:  # fmt: skip
    assert [key(r["claim"]) for r in run(store, "casualty-claims", **params)] == claims


def test_contested_pairs_and_denials_with_both_sides_sources(store: ox.Store) -> None:
    rows = run(store, "contested")
    assert [(r["issue"], key(r["a"]), key(r["b"])) for r in rows] == [
        ("denied", "c-anefis-denied", None),
        ("disputed", "c-mnla-2012", "cp-ad"),
        ("hedged", "e-shootdown", None),
    ]
    denied, disputed, hedged = rows
    assert (denied["aType"], denied["aWhat"], denied["aClaimants"], denied["aDocuments"]) == (
        "TerritorialControl",
        "Malian Armed Forces / Anefis",
        "CSP-PSD",
        "003_lemonde",
    )
    assert denied["aQuote"] == "the CSP denied that the army had entered Anefis"
    assert (disputed["aClaimants"], disputed["aDocuments"], disputed["aStart"]) == (
        "National Movement for the Liberation of Azawad",
        "004_wiki",
        "2012-04-01",
    )
    assert (
        disputed["bType"],
        disputed["bWhat"],
        disputed["bClaimants"],
        disputed["bDocuments"],
        disputed["bStart"],
        disputed["bEnd"],
    ) == (
        "ControlPeriod",
        "Ansar Dine / Kidal",
        "Wikipedia",
        "004_wiki",
        "2012-03-01",
        "2013-01-31",
    )
    assert (hedged["aType"], hedged["aWhat"], key(hedged["aPolarity"])) == (
        "AircraftCrash", "Rebels say they downed a drone", "ontology#Hedged")  # fmt: skip


def test_evidence_lists_the_mentions_in_publication_order(store: ox.Store) -> None:
    rows = run(store, "evidence", entity="FAMa")
    assert [(r["document"], r["issued"], r["publisherLabel"], r["quote"], r["quoteStart"],
             r["quoteEnd"]) for r in rows] == [
        ("001_f24", "2023-11-14", "France 24", "FAMa", "20", "24"),
        ("001_f24", "2023-11-14", "France 24", "Malian army", "100", "112"),
        ("003_lemonde", "2024-06-01", "Le Monde", "army", "50", "54"),
    ]  # fmt: skip
    assert rows[0]["title"] == "Malian army retakes Kidal"
    assert [r["document"] for r in run(store, "evidence", entity="Kidal")] == [
        "002_afp", "001_f24", "004_wiki", "003_lemonde"]  # fmt: skip


# --- binding: native substitution and VALUES injection agree -----------------------

CASES = [
    ("control-timeline", {}),
    ("controller-at", {"date": "2013"}),
    ("controller-at", {"date": "2024-01-01"}),
    ("alliance-members", {"alliance": "csp", "date": "2024-01-01"}),
    ("alliance-members", {"alliance": "aes"}),
    ("roles", {"entity": "csp"}),
    ("roles", {"entity": "mali"}),
    ("events", {"place": "Kidal Region", "from": "2021", "to": "2023-10"}),
    ("events", {"place": "Kidal"}),
    ("casualty-claims", {}),
    ("casualty-claims", {"place": "Kidal"}),
    ("casualty-claims", {"event": "kidal offensive (2023)"}),
    ("contested", {}),
    ("evidence", {"entity": "Kidal"}),
]


@pytest.mark.parametrize(("name", "params"), CASES)
def test_values_injection_gives_the_same_rows_as_native_binding(
    store: ox.Store, index: EntityIndex, name: str, params: dict[str, str]
) -> None:
    query = queries.get_query(name)
    terms = queries.bind_params(query, params, index.resolve)
    sent = query.text_for(queries.given_params(query, params))
    injected = select(store, bind_values(sent, terms))
    if query.bind == "values":  # no native binding; the sections must not change the answer
        assert injected == select(store, bind_values(query.text, terms))
    else:
        assert injected == select(store, sent, substitutions=terms)
    assert injected.rows


# --- hostile values ------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(("name", "param"), [
    ("control-timeline", "place"), ("controller-at", "date"), ("alliance-members", "alliance"),
    ("events", "from"), ("evidence", "entity"), ("casualty-claims", "event"),
])  # fmt: skip
def test_a_hostile_value_is_refused_or_matches_nothing(store: ox.Store, name: str, param: str,
                                                       value: str) -> None:  # fmt: skip
    before = len(store)
    params = {"controller-at": {"date": "2020"}, "alliance-members": {"alliance": "csp"},
              "events": {"place": "Kidal"}}.get(name, {}) | {param: value}  # fmt: skip
    try:
        result = queries.run_query(name, params, store=store)
    except QueryError:
        pass
    else:
        assert result.rows == ()
    assert len(store) == before


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_string_parameter_is_bound_as_a_literal(tmp_path: Path, store: ox.Store,
                                                          value: str) -> None:  # fmt: skip
    (tmp_path / "by-quote.rq").write_text(
        "#+ summary: claims with this exact quote\n#+ params: text:string\n"
        "PREFIX sk: <https://w3id.org/sahel-kg/ontology#>\n"
        "SELECT ?text ?claim WHERE { GRAPH ?g { ?claim sk:quote ?text } } ORDER BY ?claim\n"
    )
    before = len(store)
    result = queries.run_query("by-quote", {"text": value}, store=store, queries_dir=tmp_path)
    assert result.rows == () and result.variables == ("claim",)
    query = queries.get_query("by-quote", tmp_path)
    terms = queries.bind_params(query, {"text": value}, _no_lookup)
    assert select(store, bind_values(query.text, terms)).rows == ()
    assert len(store) == before
    found = queries.run_query("by-quote", {"text": "Mali, Burkina Faso and Niger"}, store=store,
                              queries_dir=tmp_path)  # fmt: skip
    assert len(found.rows) == 3


# --- stores: a build folder and a real endpoint --------------------------------------


def test_run_query_opens_a_build_folder(tiny_build: Path) -> None:
    result = queries.run_query("control-timeline", {"place": "Kidal"}, build_dir=tiny_build)
    rows = as_dicts(result)
    assert [(key(r["controller"]), r["start"], r["end"], r["ongoing"]) for r in rows] == [
        ("csp-psd", "2014-01-01", "2023-11-14", None),
        ("fama", "2023-11-14", None, "true"),
    ]
    table = queries.render(result, "table")
    assert "CSP-PSD" in table and "2014 " in table


@pytest.fixture(scope="module")
def endpoint(oxigraph_server: object) -> Iterator[str]:
    import requests

    server = oxigraph_server
    server.clear()  # type: ignore[attr-defined]
    store_url = server.store_url  # type: ignore[attr-defined]
    response = requests.post(store_url, data=FIXTURE.read_bytes(),
                             headers={"Content-Type": "application/trig"}, timeout=30)  # fmt: skip
    response.raise_for_status()
    response = requests.put(store_url, params={"graph": ONTOLOGY_GRAPH},
                            data=(ROOT / "ontology" / "sahel.ttl").read_bytes(),
                            headers={"Content-Type": "text/turtle"}, timeout=30)  # fmt: skip
    response.raise_for_status()
    queries.clear_entity_cache()
    yield server.query_url  # type: ignore[attr-defined]
    queries.clear_entity_cache()
    server.clear()  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "params"), CASES)
def test_the_endpoint_answers_like_the_embedded_store(store: ox.Store, endpoint: str, name: str,
                                                      params: dict[str, str]) -> None:  # fmt: skip
    remote = queries.run_query(name, params, endpoint=endpoint, timeout=30)
    local = queries.run_query(name, params, store=store)
    assert remote.variables == local.variables
    assert _unordered_lists(remote) == _unordered_lists(local)


def _unordered_lists(result: QueryResult) -> list[list[object]]:
    """Rows with the GROUP_CONCAT lists sorted (their order is up to the engine)."""
    lists = {"documents", "jointControllers", "sideA", "sideB", "type", "aDocuments",
             "bDocuments", "aClaimants", "bClaimants"}  # fmt: skip
    return [
        [
            sorted(re.split(r", | ", t.value)) if t is not None and v in lists else t
            for v, t in zip(result.variables, row, strict=True)
        ]
        for row in result.rows
    ]


@pytest.mark.parametrize("value", HOSTILE[:4])
def test_a_hostile_value_changes_nothing_on_the_endpoint(tmp_path: Path, endpoint: str,
                                                         value: str) -> None:  # fmt: skip
    from kg.endpoint import select_remote

    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = select_remote(endpoint, count).rows
    (tmp_path / "by-quote.rq").write_text(
        "#+ summary: claims with this exact quote\n#+ params: text:string\n"
        "PREFIX sk: <https://w3id.org/sahel-kg/ontology#>\n"
        "SELECT ?text ?claim WHERE { GRAPH ?g { ?claim sk:quote ?text } } ORDER BY ?claim\n"
    )
    result = queries.run_query("by-quote", {"text": value}, endpoint=endpoint, queries_dir=tmp_path)
    assert result.rows == ()
    with pytest.raises(QueryError):
        queries.run_query("control-timeline", {"place": value}, endpoint=endpoint)
    assert select_remote(endpoint, count).rows == before


def test_entity_errors_come_from_the_endpoint_labels_too(endpoint: str) -> None:
    expected = r"Unknown place 'Kidall' .* Did you mean: Kidal\? Valid choices: Abeibara, "
    with pytest.raises(QueryError, match=expected):
        queries.run_query("control-timeline", {"place": "Kidall"}, endpoint=endpoint)
    params = {"alliance": "cadre stratégique permanent"}
    rows = as_dicts(queries.run_query("alliance-members", params, endpoint=endpoint))
    assert [key(r["member"]) for r in rows] == ["cma", "platform"]


# --- formats ----------------------------------------------------------------------------

SAMPLE = QueryResult(
    ("s", "sLabel", "n", "when", "whenPrecision", "note"),
    (
        (Term("iri", ID + "kidal"), Term("literal", "Kidal", lang="en"),
         Term("literal", "14", XSD + "integer"), Term("literal", "2012-03-01", XSD + "date"),
         Term("iri", SK + "Month"), Term("literal", 'He said "yes",\tthen\nleft\\')),
        (Term("bnode", "b0"), None, Term("literal", "1.5", XSD + "decimal"), None, None,
         Term("literal", "plain")),
    ),
)  # fmt: skip


def test_json_follows_the_sparql_results_json_format() -> None:
    text = queries.render(SAMPLE, "json")
    assert text == queries.render(SAMPLE, "json") and text.endswith("}\n")
    document = json.loads(text)
    assert document["head"] == {"vars": list(SAMPLE.variables)}
    first, second = document["results"]["bindings"]
    assert first["s"] == {"type": "uri", "value": ID + "kidal"}
    assert first["sLabel"] == {"type": "literal", "value": "Kidal", "xml:lang": "en"}
    assert first["n"] == {"type": "literal", "value": "14", "datatype": XSD + "integer"}
    assert first["note"] == {"type": "literal", "value": 'He said "yes",\tthen\nleft\\'}
    assert second["s"] == {"type": "bnode", "value": "b0"}
    assert "sLabel" not in second and "when" not in second  # unbound: left out


def test_csv_follows_the_sparql_results_csv_format() -> None:
    text = queries.render(SAMPLE, "csv")
    lines = text.split("\r\n")
    assert lines[0] == "s,sLabel,n,when,whenPrecision,note"
    assert lines[1].startswith(f'{ID}kidal,Kidal,14,2012-03-01,{SK}Month,"He said ""yes"",')
    assert text.endswith("\r\n")
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed[1][5] == 'He said "yes",\tthen\nleft\\'
    assert parsed[2] == ["_:b0", "", "1.5", "", "", "plain"]


def test_tsv_follows_the_sparql_results_tsv_format() -> None:
    text = queries.render(SAMPLE, "tsv")
    header, first, second, end = text.split("\n")
    assert header == "?s\t?sLabel\t?n\t?when\t?whenPrecision\t?note"
    assert first.split("\t") == [
        f"<{ID}kidal>", '"Kidal"@en', "14", f'"2012-03-01"^^<{XSD}date>', f"<{SK}Month>",
        '"He said \\"yes\\",\\tthen\\nleft\\\\"',
    ]  # fmt: skip
    assert second.split("\t") == ["_:b0", "", "1.5", "", "", '"plain"'] and end == ""


def test_tsv_terms_read_back_as_turtle(store: ox.Store) -> None:
    result = queries.run_query("casualty-claims", {}, store=store)
    rows = queries.render(result, "tsv").splitlines()[1:]
    prefix = "@prefix x: <http://x/> .\n"
    for row in rows:
        for cell in row.split("\t"):
            if cell:
                turtle = (prefix + f"x:s x:p {cell} .").encode()
                assert len(list(ox.parse(turtle, format=ox.RdfFormat.TURTLE))) == 1, cell


def test_the_table_shows_labels_and_dates_as_written(store: ox.Store) -> None:
    table = queries.render(queries.run_query("control-timeline", {}, store=store), "table")
    lines = table.splitlines()
    assert re.match(r"period +controller +joint controllers +start +end +ongoing +as of +"
                    r"documents +claims +disputed +events$", lines[0])  # fmt: skip
    assert re.fullmatch(r"[- ]+", lines[1])
    assert re.match(r"period:cp-ad +Ansar Dine +al-Qaeda in the Islamic Maghreb +2012-03 +2013-01 ",
                    lines[2])  # fmt: skip
    assert re.match(r"period:cp-mnla +National Movement .* +2013-01 +2014 ", lines[3])
    assert "start precision" not in lines[0] and "controller label" not in lines[0]
    assert lines[-1] == "(4 rows)"
    sample = queries.render(SAMPLE, "table").splitlines()
    assert sample[0].split() == ["s", "n", "when", "note"]
    assert sample[2] == 'Kidal   14  2012-03  He said "yes", then left\\'
    assert sample[3] == "_:b0   1.5           plain"


def test_an_empty_result_and_an_unknown_format() -> None:
    empty = QueryResult(("a",), ())
    assert queries.render(empty, "table") == "a\n-\n(no results)\n"
    assert queries.render(empty, "csv") == "a\r\n"
    assert queries.render(empty, "tsv") == "?a\n"
    with pytest.raises(QueryError) as error:
        queries.render(empty, "xml")
    assert str(error.value) == "Unknown format 'xml'. Available: table, csv, tsv, json"


def test_importing_the_query_runner_loads_neither_rich_nor_rdflib() -> None:
    code = (
        "import sys, kg.queries; "
        "bad = [m for m in ('rich', 'rdflib', 'SPARQLWrapper') if m in sys.modules]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)  # fmt: skip
    assert out.stdout.strip() == "[]"


def test_a_canned_query_record_is_frozen() -> None:
    query = queries.get_query("roles")
    assert isinstance(query, CannedQuery) and query.path.name == "roles.rq"
    with pytest.raises(AttributeError):
        query.name = "other"  # type: ignore[misc]
