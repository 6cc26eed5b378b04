"""Fuzzing: random and mutated input never crashes a stage, and every quote is its text.

- dates: any phrase, any anchor -> sorted, non-overlapping phrases that are
  their own text, with well-formed spans; ``parse_iso_date`` raises only
  ValueError.
- metadata: random bytes and mutated front matter -> a Document or a
  CorpusError, nothing else.
- IRIs: stable, injective, always a valid IRI for pyoxigraph.
- parameter binding: any value is bound as exactly that value (embedded
  substitution and the VALUES text sent to endpoints), or refused with a
  QueryError.
- the per-document pipeline (mentions, dates, claims, RDF) on shuffled,
  truncated, bracketed and random text: no exception, and every mention and
  every claim's evidence is ``text[begin:stop]`` of its document.

``MAX_EXAMPLES`` sums what one run tries (the figure in the issue report).
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import emit
from kg.corpus import decode_article, document_from, read_article, split_front_matter
from kg.dates import find_dates, normalise_date, parse_iso_date, resolve_relative_day
from kg.endpoint import bind_values, check_iri, sparql_term
from kg.errors import CorpusError, QueryError
from kg.iris import CLAIM, doc_iri, entity_iri, graph_iri, mention_iri, mint, slugify
from kg.model import Document, Term, TimeSpan
from kg.pipeline import extract_document
from kg.queries import EntityIndex, Param, bind_params, parse_query_file, run_query
from kg.registry import load_registry
from kg.store import select
from kg.text import sentences

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = load_registry()  # parsed once: hypothesis calls each test many times
ARTICLES = [read_article(p)[0] for p in sorted((ROOT / "corpus").glob("*.txt"))]
SENTENCES = [s.text for doc in ARTICLES for s in sentences(doc.text)]
MAX_EXAMPLES = {
    "dates": 300, "iso": 150, "relative": 150, "front_matter": 300, "mutated_front_matter": 300,
    "bytes": 300, "slug": 300, "mint": 200, "mention": 150, "doc_ids": 200, "literal": 200,
    "iri": 300, "entity": 200, "pipeline": 150,
}  # fmt: skip
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def examples(name: str) -> settings:
    return settings(FUZZ, max_examples=MAX_EXAMPLES[name])


# --- dates ---------------------------------------------------------------------------

DATE_WORDS = (
    "since until by from to between and the of night early late mid end beginning last next "
    "this year years month months week weeks day days ago decade decades century Tuesday Sunday "
    "January February March November December novembre 14 14th 1st 29 30 31 0 1999 2012 2014 "
    "2023 9999 0001 10000 - – / , . ( ) a few several for about around in on same that following "
    "previous later earlier morning yesterday today tomorrow 2023-11-14 2023-02-30 mid-2023 1990s"
).split()
ANCHORS = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.sampled_from([date(1, 1, 1), date(9999, 12, 31), date(2000, 2, 29), date(2023, 11, 14)]),
)
PHRASES = st.one_of(
    st.lists(st.sampled_from(DATE_WORDS), max_size=10).map(" ".join),
    st.text(max_size=40),
)


def well_formed(span: TimeSpan | None) -> bool:
    return span is None or (
        span.earliest <= span.latest and span.precision in ("day", "month", "year")
    )


@examples("dates")
@given(PHRASES, ANCHORS)
def test_dates_never_crash_and_quote_themselves(text: str, anchor: date) -> None:
    found = find_dates(text, anchor)
    stop = 0
    for phrase in found:
        assert text[phrase.begin : phrase.stop] == phrase.text
        assert stop <= phrase.begin < phrase.stop
        stop = phrase.stop
        assert well_formed(phrase.start) and well_formed(phrase.end)
    single = normalise_date(text, anchor=anchor)
    assert single is None or (well_formed(single.start) and well_formed(single.end))


@examples("iso")
@given(st.one_of(st.text(max_size=12), st.from_regex(r"\d{4}(-\d{2}(-\d{2})?)?", fullmatch=True)))
def test_parse_iso_date_raises_only_value_error(text: str) -> None:
    try:
        span = parse_iso_date(text)
    except ValueError as error:
        assert str(error)
        return
    assert well_formed(span)
    # (not span.iso: TimeSpan.iso writes the year 1 as "1", see the issue report)
    assert span.earliest.isoformat()[: len(text.strip())] == text.strip()


@examples("relative")
@given(st.lists(st.sampled_from(DATE_WORDS), max_size=5).map(" ".join), ANCHORS,
       st.sampled_from(["day", "month", "year"]))  # fmt: skip
def test_resolve_relative_day_never_crashes(phrase: str, anchor: date, precision: str) -> None:
    previous = TimeSpan(anchor, anchor, precision)  # type: ignore[arg-type]
    assert well_formed(resolve_relative_day(phrase, previous))


# --- metadata -------------------------------------------------------------------------

GOOD_HEAD = (
    '---\ntitle: "Kidal"\npublisher: "France 24"\nurl: "https://example.org/a"\n'
    'published: "2023-11-14"\nlanguage: "en"\noriginal_language: "fr"\n---\n'
)
NOISE = st.sampled_from(["-", "---", ":", '"', "'", "\n", "\r", "#", " ", "\\", "\ufeff", "é",
                         "published", "2023-02-30", "\x00", "\t"])  # fmt: skip


@examples("front_matter")
@given(st.one_of(st.text(max_size=200), st.lists(NOISE, max_size=40).map("".join)))
def test_split_front_matter_raises_only_corpus_error(text: str) -> None:
    try:
        meta, body = split_front_matter(text, "x.txt")
    except CorpusError as error:
        assert str(error) and "\n" not in str(error).replace("\\n", "")
        return
    assert text.endswith(body) and all(k == k.lower() for k in meta)


@st.composite
def mutated_articles(draw: st.DrawFn) -> bytes:
    """A good front matter with characters inserted, deleted or replaced, then a body."""
    head = list(GOOD_HEAD)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(head)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        if action == "insert":
            head.insert(at, draw(NOISE))
        elif head and at < len(head):
            if action == "delete":
                del head[at]
            else:
                head[at] = draw(NOISE)
    body = draw(st.sampled_from(SENTENCES))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return ("".join(head) + body).encode(encoding, errors="replace")


def read_bytes(data: bytes) -> tuple[Document, list[str]] | CorpusError:
    """read_article on the bytes, from a file in a temporary folder removed at once."""
    with tempfile.TemporaryDirectory(prefix="kg-fuzz-") as folder:
        path = Path(folder) / "article.txt"
        path.write_bytes(data)
        try:
            return read_article(path, today=date(2026, 1, 1))
        except CorpusError as error:
            return error


@examples("mutated_front_matter")
@given(mutated_articles())
def test_mutated_front_matter_gives_a_document_or_a_corpus_error(data: bytes) -> None:
    outcome = read_bytes(data)
    if isinstance(outcome, CorpusError):
        return
    doc, warnings = outcome
    assert doc.text.strip() and doc.published <= date(2026, 1, 1)
    assert all(isinstance(w, str) for w in warnings)


@examples("bytes")
@given(st.one_of(st.binary(max_size=300),
                 st.binary(max_size=200).map(lambda b: GOOD_HEAD.encode() + b)))  # fmt: skip
def test_random_bytes_give_a_document_or_a_corpus_error(data: bytes) -> None:
    outcome = read_bytes(data)
    if not isinstance(outcome, CorpusError):
        assert outcome[0].text.strip()
    try:
        decode_article(data)
    except CorpusError:
        pass


# --- IRIs -------------------------------------------------------------------------------


def valid_iri(iri: str) -> bool:
    ox.NamedNode(iri)  # raises ValueError when it is not an IRI
    return True


@examples("slug")
@given(st.text(max_size=60))
def test_slugs_are_stable_and_make_valid_iris(text: str) -> None:
    slug = slugify(text)
    assert slug == slugify(text) and slug == slugify(slug)
    assert slug == "x" or all(part for part in slug.split("-"))
    assert slug.replace("-", "").isalnum() and slug.isascii() and slug == slug.lower()
    assert valid_iri(entity_iri(slug))


PARTS = st.lists(st.one_of(st.text(max_size=20), st.integers()), max_size=5)


@examples("mint")
@given(PARTS, PARTS)
def test_mint_is_stable_injective_and_valid(one: list[object], two: list[object]) -> None:
    first, second = mint(CLAIM, *one), mint(CLAIM, *two)
    assert first == mint(CLAIM, *one) and valid_iri(first)
    assert (first == second) == (one == two)


STEMS = st.text(min_size=1, max_size=40).filter(lambda s: "/" not in s and "\x00" not in s)


def doc_id_of(stem: str) -> str:
    return document_from(Path(stem + ".txt"), {"published": "2023-11-14"}, "x", today=None).doc_id


@examples("mention")
@given(st.tuples(STEMS, st.integers(0, 10**6), st.integers(0, 10**6)),
       st.tuples(STEMS, st.integers(0, 10**6), st.integers(0, 10**6)))  # fmt: skip
def test_mention_iris_are_injective_and_valid(
    one: tuple[str, int, int], two: tuple[str, int, int]
) -> None:
    (stem_a, *span_a), (stem_b, *span_b) = one, two
    a, b = (doc_id_of(stem_a), *span_a), (doc_id_of(stem_b), *span_b)
    assert valid_iri(mention_iri(*a)) and valid_iri(mention_iri(*b))
    assert (mention_iri(*a) == mention_iri(*b)) == (a == b)


@examples("doc_ids")
@given(STEMS)
def test_any_file_name_makes_valid_document_iris(stem: str) -> None:
    doc_id = doc_id_of(stem)
    assert doc_id == doc_id_of(stem)
    for iri in (doc_iri(doc_id), graph_iri("doc/" + doc_id), mention_iri(doc_id, 0, 1)):
        assert valid_iri(iri)


# --- parameter binding ---------------------------------------------------------------

ECHO = """#+ summary: The value given, and its length
#+ params: text:string
SELECT ?text ?length WHERE { BIND(STRLEN(?text) AS ?length) } ORDER BY ?text
"""
HOSTILE_BITS = st.sampled_from(['"', "'", "\\", "{", "}", "<", ">", "\n", "\r", "#", "?x", "$x",
                                "} ; DROP ALL ; {", '"""', "'''", "\\u0022", "\x00", "\u2028",
                                "<http://e/x>", " . ?s ?p ?o . ", "é", "𝔘"])  # fmt: skip
VALUES = st.one_of(st.text(max_size=40), st.lists(HOSTILE_BITS, max_size=12).map("".join))
STORE = ox.Store()


@pytest.fixture(scope="module")
def echo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("queries")
    (folder / "echo.rq").write_text(ECHO, encoding="utf-8")
    return folder


@examples("literal")
@given(value=VALUES)
def test_a_string_parameter_is_bound_as_exactly_that_value(echo_dir: Path, value: str) -> None:
    query = parse_query_file(echo_dir / "echo.rq")
    try:
        terms = bind_params(query, {"text": value}, lambda p, v: Term("iri", v))
    except QueryError:
        assert not value.strip()  # a blank value is a missing parameter
        return
    assert terms == {"text": Term("literal", value)}
    native = run_query("echo", {"text": value}, store=STORE, queries_dir=echo_dir)
    length = Term("literal", str(len(value)), "http://www.w3.org/2001/XMLSchema#integer")
    assert native.rows == ((length,),)
    sent = bind_values(query.text, terms)  # the text an endpoint would receive
    assert select(STORE, sent).rows == ((Term("literal", value), length),)
    assert sparql_term(Term("literal", value)).count("\n") == 0


@examples("iri")
@given(st.sampled_from(["http://e/", "https://w3id.org/sahel-kg/id/", "urn:x:", "mailto:", ""]),
       VALUES)  # fmt: skip
def test_an_iri_is_bound_exactly_or_refused(scheme: str, rest: str) -> None:
    iri = scheme + rest
    try:
        check_iri(iri)
    except QueryError as error:
        assert str(error).endswith("is not a valid IRI (RFC 3987); check the parameter.")
        with pytest.raises(ValueError):  # the embedded store refuses it too
            ox.NamedNode(iri)
        return
    sent = bind_values("SELECT ?v WHERE { }", {"v": Term("iri", iri)})
    assert select(STORE, sent).rows == ((Term("iri", iri),),)
    native = select(STORE, "SELECT ?v WHERE { }", substitutions={"v": Term("iri", iri)})
    assert native.rows == ((Term("iri", iri),),)


INDEX = EntityIndex(
    by_label={"kidal": {(0, "https://w3id.org/sahel-kg/id/kidal")}},
    by_slug={"kidal": {(0, "https://w3id.org/sahel-kg/id/kidal")}},
    names={"https://w3id.org/sahel-kg/id/kidal": "Kidal"},
    types={"https://w3id.org/sahel-kg/id/kidal": {"Settlement"}},
)


@examples("entity")
@given(VALUES)
def test_entity_values_resolve_to_an_iri_or_a_query_error(value: str) -> None:
    try:
        term = INDEX.resolve(Param("place", "entity"), value)
    except QueryError as error:
        assert str(error)
        return
    assert term.kind == "iri"
    try:
        ox.NamedNode(term.value)
    except ValueError:
        with pytest.raises(QueryError):  # refused when bound, never spliced
            select(STORE, "SELECT ?v WHERE { }", substitutions={"v": term})


# --- the whole per-document pipeline ------------------------------------------------------

BRACKETS = ['"', "'", "(", ")", "[", "]", "{", "}", "“", "”", "‘", "’", "«", "»", "\n", "\n\n",
            " — ", ".", "...", "\u200b", "\ufeff", "🙂", "Kidal", "FAMa", "(MNLA)", "CSP-PSD",
            "\t", "\r\n", "Mr.", "on Tuesday", "since 2014", ", ", "\x01"]  # fmt: skip


@st.composite
def article_texts(draw: st.DrawFn) -> str:
    base = draw(st.sampled_from(ARTICLES)).text
    kind = draw(st.sampled_from(["shuffle", "truncate", "insert", "random", "mix"]))
    if kind == "shuffle":
        picked = draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=12))
        return draw(st.sampled_from([" ", "\n", "\n\n", ""])).join(picked)
    if kind == "truncate":
        return base[draw(st.integers(0, len(base) // 2)) : draw(st.integers(0, len(base)))]
    if kind == "insert":
        text = base[: draw(st.integers(200, 3000))]
        seed = draw(st.integers(0, 2**32))
        rng = random.Random(seed)
        for _ in range(draw(st.integers(1, 40))):
            at = rng.randint(0, len(text))
            text = text[:at] + rng.choice(BRACKETS) + text[at:]
        return text
    if kind == "random":
        return draw(st.text(max_size=400))
    return "".join(draw(st.lists(st.one_of(st.sampled_from(SENTENCES + BRACKETS),
                                           st.text(max_size=10)), max_size=25)))  # fmt: skip


@examples("pipeline")
@given(article_texts(), st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)))
def test_the_pipeline_never_crashes_and_quotes_exactly(text: str, published: date) -> None:
    doc = replace(ARTICLES[0], text=text, doc_id="fuzz", path="fuzz.txt", published=published,
                  content_hash="0")  # fmt: skip
    extraction = extract_document(doc, REGISTRY)
    for mention in extraction.mentions:
        assert text[mention.begin : mention.stop] == mention.text
    for claim in extraction.claims:
        evidence = claim.evidence
        assert evidence.doc_id == "fuzz"
        assert 0 <= evidence.begin <= evidence.stop <= len(text)
        assert text[evidence.begin : evidence.stop] == evidence.quote, claim.rule
        assert text[: evidence.begin].endswith(evidence.prefix)
        assert text[evidence.stop :].startswith(evidence.suffix)
    emit.document_quads(extraction, REGISTRY.entities)  # and it makes RDF

