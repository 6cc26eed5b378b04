"""Remote stores: SPARQL 1.1 queries over HTTP, and loads by the Graph Store Protocol.

``select_remote`` sends a read query with SPARQLWrapper. The SPARQL protocol
has no way to bind variables, so substitutions become a ``VALUES`` block put
first in the query's outermost WHERE group, each term written by a strict
serializer (IRIs checked against RFC 3987's characters, literals escaped).

``load_build`` sends one HTTP PUT per named graph of the build (``?graph=``),
so a reload replaces each graph instead of appending to it, then reads the
graph back and checks its triple count (Virtuoso has been seen to lose
triples silently). Passwords never appear in messages.

>>> sparql_term(Term("literal", 'say "hi"\\n', lang="en"))
'"say \\\\"hi\\\\"\\\\n"@en'
>>> sparql_term(Term("iri", "https://w3id.org/sahel-kg/id/kidal"))
'<https://w3id.org/sahel-kg/id/kidal>'
>>> bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"s": Term("iri", "http://e/a")})
'SELECT ?s WHERE { VALUES (?s) { (<http://e/a>) } ?s ?p ?o }'
"""

from __future__ import annotations

import ast
import itertools
import json
import math
import queue
import re
import threading
import time
import urllib.error
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from kg.errors import BuildMissingError, KgError, QueryError, StoreError
from kg.model import QueryResult, Term
from kg.store import (
    ASK_VARIABLE,
    RDF_LANG_STRING,
    TRIPLE_VARIABLES,
    XSD_BOOLEAN,
    XSD_STRING,
    check_read_query,
    open_store,
    to_term,
)  # fmt: skip

__all__ = [
    "select_remote", "load_build", "load_report_lines", "LoadReport", "sparql_term",
    "bind_values", "safe_url", "guess_query_url",
]  # fmt: skip

Auth = Literal["basic", "digest", "auto"]
CONNECT_TIMEOUT = 3.05  # seconds to open a connection before giving up
GRAPH_PREFIX = "https://w3id.org/sahel-kg/graph/"

# RFC 3987 IRI characters: ASCII unreserved, reserved and '%' (checked apart),
# plus the ucschar and iprivate ranges.
_IRI_ASCII = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_PCT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_UCS_RANGES = (
    (0xA0, 0xD7FF), (0xE000, 0xF8FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFEF),
    *((0x10000 * n, 0x10000 * n + 0xFFFD) for n in range(1, 17)),
)  # fmt: skip
_LANG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_VAR = re.compile(r"[A-Za-z0-9_]+")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\b": "\\b", "\f": "\\f"}  # fmt: skip


# --- strict term serializer ------------------------------------------------


def check_iri(iri: str) -> str:
    """Return ``iri`` if it is an absolute IRI made of RFC 3987 characters; else QueryError."""
    ascii_part = "".join(c for c in iri if ord(c) < 0x80)
    others_ok = all(
        any(lo <= ord(c) <= hi for lo, hi in _UCS_RANGES) for c in iri if ord(c) >= 0x80
    )
    if (
        not _SCHEME.match(iri)
        or not _IRI_ASCII.fullmatch(ascii_part)
        or _PCT.search(iri)
        or not others_ok
        or not _parses_as_iri(iri)
    ):
        raise QueryError(f"{iri!r} is not a valid IRI (RFC 3987); check the parameter.")
    return iri


def _parses_as_iri(iri: str) -> bool:
    """pyoxigraph's full RFC 3987 check (where each character may go: '[' only in a host,
    private-use characters only in a query), as the embedded store does."""
    import pyoxigraph as ox

    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def _escape(text: str) -> str:
    return "".join(
        _ESCAPES.get(c) or (f"\\u{ord(c):04X}" if ord(c) < 0x20 or ord(c) == 0x7F else c)
        for c in text
    )


def sparql_term(term: Term) -> str:
    """One term as SPARQL text, safe to place in a query."""
    if term.kind == "iri":
        return f"<{check_iri(term.value)}>"
    if term.kind != "literal":
        raise QueryError("Blank nodes cannot be bound on a remote endpoint.")
    text = f'"{_escape(term.value)}"'
    if term.lang:
        if not _LANG.fullmatch(term.lang):
            raise QueryError(f"{term.lang!r} is not a language tag (BCP 47).")
        return f"{text}@{term.lang}"
    if term.datatype and term.datatype != XSD_STRING:
        return f"{text}^^<{check_iri(term.datatype)}>"
    return text


# --- VALUES injection --------------------------------------------------------

_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_STRING = re.compile(
    r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\""
    r"|'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\"",
    re.DOTALL,
)


def _code(sparql: str) -> Iterator[tuple[int, str]]:
    """(index, char) of the query text outside comments, strings and IRIs."""
    i = 0
    while i < len(sparql):
        c = sparql[i]
        match = (
            _STRING.match(sparql, i) if c in "'\"" else _IRIREF.match(sparql, i) if c == "<"
            else None
        )  # fmt: skip
        if match:
            i = match.end()
        elif c == "#":
            newline = sparql.find("\n", i)
            i = len(sparql) if newline < 0 else newline
        else:
            yield i, c
            i += 1


def _where_brace(sparql: str, form: str) -> int:
    """Index of the '{' opening the outermost WHERE group (after a CONSTRUCT template)."""
    braces = parens = 0
    template = form == "CONSTRUCT"
    outside: list[str] = []  # code at the top level, to spot `CONSTRUCT WHERE {`
    for i, c in _code(sparql):
        if c == "{" and braces == 0 and parens == 0:
            if not template:
                return i
            if re.search(r"\bWHERE\s*$", "".join(outside), re.IGNORECASE):
                raise QueryError("Parameters cannot be bound in a `CONSTRUCT WHERE { }` query.")
            template = False
        braces += {"{": 1, "}": -1}.get(c, 0)
        parens += {"(": 1, ")": -1}.get(c, 0)
        if braces == 0:
            outside.append(c)
    raise QueryError("The query has no WHERE { } group to bind parameters in.")


def bind_values(sparql: str, substitutions: Mapping[str, Term]) -> str:
    """The query with a VALUES block binding the substitutions first in its WHERE group."""
    if not substitutions:
        return sparql
    names = []
    for name in substitutions:
        bare = name.lstrip("?$")
        if not _VAR.fullmatch(bare):
            raise QueryError(f"{name!r} is not a SPARQL variable name (letters, digits, _).")
        names.append(bare)
    values = " ".join(sparql_term(t) for t in substitutions.values())
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({values}) }}"
    at = _where_brace(sparql, check_read_query(sparql)) + 1
    return sparql[:at] + block + sparql[at:]


# --- queries -------------------------------------------------------------------


def safe_url(url: str) -> str:
    """The URL without any user:password@ part, for messages.

    >>> safe_url("http://bob:s3cret@127.0.0.1:7878/store?x=1")
    'http://127.0.0.1:7878/store?x=1'
    """
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.rpartition("@")[2]
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    except ValueError:
        return "<a malformed URL>"


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``http://user:pw@host/x`` -> (``http://host/x``, user, pw); a URL without them as is.

    >>> split_credentials("http://bob:p%40ss@127.0.0.1:7878/store")
    ('http://127.0.0.1:7878/store', 'bob', 'p@ss')
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, None, None
    if "@" not in parts.netloc:
        return url, None, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, colon, password = userinfo.partition(":")
    clean = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return clean, unquote(user), unquote(password) if colon else None


def check_url(url: str, what: str) -> str:
    """``url`` if it is an http(s) URL with a host; else a StoreError saying what to give."""
    try:
        parts = urlsplit(url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        ok = False
    if not ok:
        raise StoreError(
            f"{what} {safe_url(url)!r} is not an http(s) URL; give e.g. "
            "http://127.0.0.1:7878/query (queries) or http://127.0.0.1:7878/store (loads)."
        )
    return url


def select_remote(
    url: str,
    sparql: str,
    *,
    substitutions: Mapping[str, Term] | None = None,
    timeout: float = 30,
    user: str | None = None,
    password: str | None = None,
    auth: Literal["basic", "digest"] = "basic",
) -> QueryResult:
    """Run a read query on a SPARQL 1.1 endpoint; same result shape as kg.store.select.

    Credentials may come in the URL (``http://user:pw@host/query``); they are
    sent as HTTP authentication and never shown.
    """
    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

    url, url_user, url_password = split_credentials(url)
    if user is None and url_user is not None:
        user, password = url_user, url_password if password is None else password
    check_url(url, "The endpoint")
    form = check_read_query(sparql)
    text = bind_values(sparql, substitutions or {})
    wrapper = SPARQLWrapper(url)
    wrapper.setQuery(text)
    wrapper.setMethod(POST)
    wrapper.setTimeout(max(1, math.ceil(timeout)))
    wrapper.setReturnFormat(TURTLE if form in ("CONSTRUCT", "DESCRIBE") else JSON)
    if user is not None:
        wrapper.setHTTPAuth(auth.upper())
        wrapper.setCredentials(user, password or "")
    where = safe_url(url)
    try:
        response = wrapper.query().response
        body = response.read()
        ctype = response.headers.get("Content-Type", "") or ""
    except Exception as error:  # noqa: BLE001 - every failure becomes one clear line
        raise _query_error(error, where, timeout, user, password) from None
    if form in ("CONSTRUCT", "DESCRIBE"):
        return _graph_result(body, ctype, where)
    return _json_result(body, ctype, where)


def _query_error(
    error: Exception, where: str, timeout: float, user: str | None, password: str | None
) -> KgErr:
    from SPARQLWrapper.SPARQLExceptions import (
        EndPointInternalError,
        EndPointNotFound,
        QueryBadFormed,
        Unauthorized,
    )  # fmt: skip

    detail = _hide(_short(_server_answer(error)), user, password)
    if isinstance(error, QueryBadFormed):
        return QueryError(f"The endpoint {where} rejected the query: {detail}")
    if isinstance(error, Unauthorized):
        return StoreError(f"{where} refused the credentials (HTTP 401): check --user/--password.")
    if isinstance(error, EndPointNotFound):
        return StoreError(
            f"No SPARQL endpoint at {where} (HTTP 404): give the query URL "
            "(oxigraph: /query, Virtuoso: /sparql)."
        )
    if isinstance(error, EndPointInternalError):
        return StoreError(f"The endpoint {where} failed (HTTP 500): {detail}")
    if isinstance(error, urllib.error.HTTPError):
        detail = _hide(_short(_body(error) or str(error)), user, password)
        return StoreError(f"The endpoint {where} answered HTTP {error.code}: {detail}")
    if isinstance(error, TimeoutError) or "timed out" in str(error):
        return StoreError(
            f"No answer from {where} within {timeout:g} s (--timeout): the query is too slow "
            "or the endpoint is down."
        )
    if isinstance(error, urllib.error.URLError):
        reason = _hide(_short(str(error.reason)), user, password)
        return StoreError(f"Cannot reach the endpoint {where}: {reason}. Is the store running?")
    return StoreError(f"Query on {where} failed: {detail}")


KgErr = QueryError | StoreError


def _server_answer(error: Exception) -> str:
    """The server's own words from a SPARQLWrapper error (it keeps only their repr)."""
    text = str(error)
    _, found, answer = text.partition("Response:\n")
    if not found:
        return text
    try:
        raw = ast.literal_eval(answer.strip())
    except (ValueError, SyntaxError):
        return answer
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _body(error: urllib.error.HTTPError) -> str:
    """The server's answer to a refused request (its words say why)."""
    try:
        return error.read().decode("utf-8", "replace")
    except (OSError, ValueError):
        return ""


def _json_result(body: bytes, ctype: str, where: str) -> QueryResult:
    try:
        data = json.loads(body.decode("utf-8"))
        if "boolean" in data:
            value = "true" if data["boolean"] else "false"
            return QueryResult((ASK_VARIABLE,), ((Term("literal", value, XSD_BOOLEAN),),))
        names = tuple(data["head"]["vars"])
        rows = tuple(
            tuple(_json_term(b[n]) if n in b else None for n in names)
            for b in data["results"]["bindings"]
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        raise StoreError(
            f"{where} did not answer with SPARQL JSON results (got {ctype or 'no type'}): "
            "is it a SPARQL query endpoint (oxigraph: /query, Virtuoso: /sparql)?"
        ) from None
    return QueryResult(names, rows)


def _json_term(value: Mapping[str, Any]) -> Term:
    kind = value["type"]
    if kind == "uri":
        return Term("iri", value["value"])
    if kind == "bnode":
        return Term("bnode", value["value"])
    if kind in ("literal", "typed-literal"):
        lang = value.get("xml:lang")
        datatype = value.get("datatype")
        plain = lang is not None or datatype in (None, XSD_STRING, RDF_LANG_STRING)
        text = value["value"]
        if datatype == XSD_BOOLEAN:  # Virtuoso answers "1"/"0"; use the canonical form
            text = {"1": "true", "0": "false"}.get(text, text)
        return Term("literal", text, None if plain else datatype, lang)
    return Term("literal", json.dumps(value.get("value"), sort_keys=True))  # RDF-star triple


def _graph_result(body: bytes, ctype: str, where: str) -> QueryResult:
    import pyoxigraph as ox

    media = ctype.split(";")[0].strip()
    fmt = ox.RdfFormat.from_media_type(media) if media else ox.RdfFormat.TURTLE
    try:
        rows = tuple(
            (to_term(t.subject), to_term(t.predicate), to_term(t.object))
            for t in ox.parse(body, format=fmt or ox.RdfFormat.TURTLE)
        )
    except (SyntaxError, ValueError):
        raise StoreError(f"{where} did not answer with RDF (got {ctype or 'no type'}).") from None
    return QueryResult(TRIPLE_VARIABLES, rows)


def _short(text: str, limit: int = 200) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _hide(text: str, user: str | None, password: str | None) -> str:
    """The text without the password, plain, URL-quoted or in a Basic credential."""
    if not password:
        return text
    import base64
    from urllib.parse import quote

    basic = base64.b64encode(f"{user or ''}:{password}".encode()).decode()
    for secret in sorted({password, quote(password, safe=""), basic}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


# --- Graph Store Protocol loads ------------------------------------------------


@dataclass(frozen=True)
class LoadReport:
    """What ``load_build`` sent: graph IRIs replaced, triples, seconds taken."""

    store_url: str  # without credentials
    graphs: tuple[str, ...]
    triples: int
    seconds: float


def load_report_lines(report: LoadReport) -> list[str]:
    """The summary lines ``kg load`` prints."""
    return [
        f"Loaded {len(report.graphs)} graphs ({report.triples} triples) into "
        f"{report.store_url} in {report.seconds:.1f} s (each graph replaced by HTTP PUT)."
    ]


def load_build(
    build_dir: Path,
    store_url: str,
    *,
    user: str | None = None,
    password: str | None = None,
    auth: Auth = "auto",
    progress: Callable[[int, int], None] | None = None,
    timeout: float = 300,
    verify: bool = True,
    query_url: str | None = None,
) -> LoadReport:
    """PUT each named graph of the build to a Graph Store (``store_url?graph=<iri>``).

    Graphs go one at a time, in IRI order, on one keep-alive connection; the
    N-Triples body of the next graph is prepared by a thread while the server
    ingests the current one (from one pass over ``kg.trig``; each body's
    triple count is checked against the build's store before it is sent).
    ``progress(done, total)`` is called after each graph. ``timeout`` bounds
    sending each graph and waiting for the answer (connecting gives up after
    3 s). With ``verify``, each graph's triple count in the store is compared
    with what was sent: by a COUNT query on ``query_url`` (guessed for
    oxigraph's /store and Virtuoso's /sparql-graph-crud[-auth]), else by
    reading the graph back.
    """
    import requests

    store_url, url_user, url_password = split_credentials(store_url)
    if user is None and url_user is not None:
        user, password = url_user, url_password if password is None else password
    check_url(store_url, "The Graph Store")
    if query_url is not None:
        check_url(query_url, "The query endpoint")
    store = open_store(build_dir)
    graphs = sorted(g.value for g in store.named_graphs())
    if not graphs:
        from kg.export import empty_store_message

        raise KgError(empty_store_message(build_dir, "load"))
    where = safe_url(store_url)
    session = requests.Session()
    sender = _Sender(session, store_url, user, password, auth, timeout)
    sender.query_url = query_url or guess_query_url(store_url)
    start = time.monotonic()
    done: list[str] = []
    triples = 0
    bodies = _Bodies(_graph_bodies(Path(build_dir), store, graphs))
    try:
        if graphs:
            sender.open()
        for graph in graphs:
            body, count = bodies.next(graph)
            sender.put(graph, body)
            del body  # only the next graph's body waits in memory
            if verify:
                _check_count(sender, graph, count)
            done.append(graph)
            triples += count
            if progress is not None:
                progress(len(done), len(graphs))
    except KgError as error:
        raise type(error)(_load_failure(str(error), where, graphs, done)) from None
    except KeyboardInterrupt as interrupt:  # Ctrl-C or SIGTERM: say where it stopped
        if len(done) < len(graphs):
            stopped = f"stopped during graph {graphs[len(done)].removeprefix(GRAPH_PREFIX)}."
        else:  # no graph at all, or all sent and being counted
            stopped = "stopped after the last graph." if graphs else "stopped before any graph."
        raise type(interrupt)(_load_failure(stopped, where, graphs, done)) from None
    finally:
        bodies.close()
        session.close()
    return LoadReport(where, tuple(done), triples, time.monotonic() - start)


# --- the bodies: one pass over kg.trig, one graph ahead -------------------------------


def _graph_bodies(
    build_dir: Path, store: Any, graphs: list[str]
) -> Iterator[tuple[str, bytes, int]]:
    """(graph, N-Triples body, triples) for each of ``graphs``, in that order.

    Read from ``kg.trig`` in one pass (parsing it is ~5x faster than dumping
    each graph from the on-disk store), and checked against the store: each
    body must hold as many triples as the store has in that graph, so a
    kg.trig changed since the build is refused before anything of it is sent.
    Without kg.trig, each graph is dumped from the store.
    """
    import pyoxigraph as ox

    trig = build_dir / "kg.trig"
    if not trig.is_file():
        for graph in graphs:
            body = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
            body = body or b""
            yield graph, body, body.count(b"\n")  # N-Triples: one triple a line
        return
    expected = _LocalCounts(store)
    wanted = set(graphs)
    pieces: dict[str, list[bytes]] = {}
    counts: dict[str, int] = {}
    waiting = iter(graphs)
    graph: str | None = next(waiting, None)
    try:
        runs = itertools.groupby(
            ox.parse(path=str(trig), format=ox.RdfFormat.TRIG), key=lambda q: q.graph_name
        )  # fmt: skip
        for name, quads in runs:  # a run: the triples of one graph block
            if isinstance(name, ox.DefaultGraph) or name.value not in wanted:
                continue
            run = [q.triple for q in quads]
            pieces.setdefault(name.value, []).append(
                ox.serialize(run, format=ox.RdfFormat.N_TRIPLES) or b""
            )
            counts[name.value] = counts.get(name.value, 0) + len(run)
            # kg.trig holds each graph in one block, in IRI order: each graph is complete,
            # and sent, at the end of its block. Other orders wait here until complete.
            while graph is not None and counts.get(graph, 0) == expected[graph]:
                yield graph, b"".join(pieces.pop(graph, [])), counts[graph]
                graph = next(waiting, None)
    except (SyntaxError, ValueError, OSError) as error:
        raise BuildMissingError(
            f"Cannot read {trig}: {_short(str(error))}; run `kg build` again."
        ) from None
    while graph is not None:  # graphs empty in the store, or missing from kg.trig
        if counts.get(graph, 0) != expected[graph]:
            raise BuildMissingError(
                f"{trig} holds {counts.get(graph, 0)} triples in graph "
                f"{graph.removeprefix(GRAPH_PREFIX)} where the build's store holds "
                f"{expected[graph]}: run `kg build` again."
            )
        yield graph, b"".join(pieces.pop(graph, [])), counts.get(graph, 0)
        graph = next(waiting, None)


class _LocalCounts(dict):  # type: ignore[type-arg]
    """Triples per graph in the build's store, counted on first use (COUNT: a few ms)."""

    def __init__(self, store: Any) -> None:
        super().__init__()
        self.store = store

    def __missing__(self, graph: str) -> int:
        import pyoxigraph as ox

        node = ox.NamedNode(graph)  # its str() is the IRI in <>, escaped
        rows = self.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}")
        count = int(next(iter(rows))[0].value)
        self[graph] = count
        return count


class _Bodies:
    """Runs a body generator one graph ahead in a thread (the server ingests meanwhile)."""

    _END = object()

    def __init__(self, source: Iterator[tuple[str, bytes, int]]) -> None:
        self._source = source
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kg-load-bodies", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for item in self._source:
                if not self._offer(item):
                    return
            self._offer(self._END)
        except BaseException as error:  # noqa: BLE001 - handed to the loading thread
            self._offer(error)

    def _offer(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def next(self, graph: str) -> tuple[bytes, int]:
        """The body and triple count of ``graph``, the next graph to send."""
        item = self._queue.get()
        if isinstance(item, BaseException):
            raise item
        if item is self._END or item[0] != graph:  # pragma: no cover - a bug, not a fault
            raise RuntimeError(f"kg load: expected the body of {graph}, got {item!r:.80}")
        return item[1], item[2]

    def close(self) -> None:
        """Stop the thread (it may be parsing; it stops at its next body)."""
        self._stop.set()
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass


def _load_failure(reason: str, where: str, graphs: list[str], done: list[str]) -> str:
    loaded = set(done)
    missing = [g for g in graphs if g not in loaded]
    if reason and reason[-1] not in ".?!":
        reason += "."  # the reason is a sentence: the next one must not run into it
    return (
        f"{reason} Loaded {len(done)} of {len(graphs)} graphs into {where}"
        f" ({_names(done) or 'none'}); not loaded: {_names(missing)}."
    )


def _names(iris: list[str], limit: int = 10) -> str:
    """Graph names, the first ``limit`` of a long list and how many more."""
    names = [i.removeprefix(GRAPH_PREFIX) for i in iris]
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"


class _Sender:
    """PUT and GET one graph, with basic, digest or automatic authentication."""

    def __init__(
        self, session: Any, url: str, user: str | None, password: str | None, auth: Auth,
        timeout: float,
    ) -> None:  # fmt: skip
        self.session, self.url, self.user, self.password = session, url, user, password
        self.where = safe_url(url)
        self.timeout = (CONNECT_TIMEOUT, timeout)
        self.scheme = auth if user is not None else "none"
        self.query_url: str | None = None
        self.auth = self._auth(self.scheme)

    def _auth(self, scheme: str) -> Any:
        from requests.auth import HTTPBasicAuth, HTTPDigestAuth

        user, password = self.user or "", self.password or ""
        if scheme == "basic":
            return HTTPBasicAuth(user, password)
        if scheme in ("digest", "auto"):
            return HTTPDigestAuth(user, password)
        return None

    def request(self, method: str, graph: str, **kwargs: Any) -> Any:
        response = self._send(method, graph, **kwargs)
        challenge = response.headers.get("WWW-Authenticate", "").lower()
        if response.status_code == 401 and self.scheme == "auto" and challenge.startswith("basic"):
            self.scheme, self.auth = "basic", self._auth("basic")
            response = self._send(method, graph, **kwargs)
        return response

    def open(self) -> None:
        """Connect, giving up after CONNECT_TIMEOUT, so that an unreachable store fails fast.

        The PUTs then send their bodies under ``--timeout``: urllib3 applies the
        connect timeout to sending the request body too, and a server that
        ingests while it reads (oxigraph) may take more than 3 s to read the
        rest of a large body. A HEAD on the store URL opens the keep-alive
        connection the PUTs reuse; its answer, whatever it is, is not used.
        """
        import requests
        from urllib3.exceptions import NewConnectionError

        wait = min(CONNECT_TIMEOUT, self.timeout[1])  # never longer than --timeout
        try:
            self.session.head(self.url, timeout=(wait, wait))
        except requests.ConnectTimeout as error:
            raise StoreError(self._failure(error, "HEAD", "", wait)) from None
        except requests.ReadTimeout as error:
            if wait >= self.timeout[1]:  # silent for all of --timeout: the PUT would wait again
                raise StoreError(self._failure(error, "HEAD", "")) from None
        except requests.RequestException as error:
            reason = getattr(error.args[0], "reason", None) if error.args else None
            if isinstance(reason, NewConnectionError):  # refused, or no such host
                raise StoreError(self._failure(error, "HEAD", "")) from None
            # connected, then something else: the PUT will say what the store does

    def _send(self, method: str, graph: str, **kwargs: Any) -> Any:
        import requests

        # a body is sent under the read timeout (see ``open``), a bare request under both
        timeout = (self.timeout[1],) * 2 if "data" in kwargs else self.timeout
        try:
            return self.session.request(
                method, self.url, params={"graph": graph}, auth=self.auth,
                timeout=timeout, **kwargs,
            )  # fmt: skip
        except requests.RequestException as error:
            raise StoreError(self._failure(error, method, graph, timeout[0])) from None

    def _failure(
        self, error: Exception, method: str, graph: str, connect: float = CONNECT_TIMEOUT
    ) -> str:
        """What went wrong with a request, in words (never the exception text: it may
        hold the URL's credentials)."""
        import requests

        name = graph.removeprefix(GRAPH_PREFIX)
        text = str(error).lower()
        if isinstance(error, requests.ConnectTimeout):
            return (f"Cannot reach the Graph Store at {self.where}: no connection within "
                    f"{connect:.2g} s.")  # fmt: skip
        if isinstance(error, requests.ReadTimeout):
            what = f"the {method} of graph {name}" if name else "a first request"
            return (f"The Graph Store at {self.where} did not answer {what} within "
                    f"{self.timeout[1]:g} s (--timeout).")  # fmt: skip
        if isinstance(error, requests.ConnectionError) and "refused" in text:
            return f"Cannot reach the Graph Store at {self.where}: connection refused."
        if isinstance(error, requests.ConnectionError) and any(
            word in text for word in ("aborted", "reset", "broken pipe", "disconnected")
        ):
            return (f"The Graph Store at {self.where} closed the connection during the "
                    f"{method} of graph {name}.")  # fmt: skip
        if isinstance(error, requests.ConnectionError):
            return f"Cannot reach the Graph Store at {self.where}: connection failed."
        return (f"Cannot send the {method} of graph {name} to {self.where}: "
                f"{type(error).__name__}.")  # fmt: skip

    def put(self, graph: str, body: bytes) -> None:
        headers = {"Content-Type": "application/n-triples"}
        response = self.request("PUT", graph, data=body, headers=headers)
        if response.status_code not in (200, 201, 204):
            raise StoreError(self._refusal(response, "PUT", graph))

    def get(self, graph: str) -> tuple[bytes, str]:
        headers = {"Accept": "application/n-triples, text/turtle;q=0.9"}
        response = self.request("GET", graph, headers=headers)
        if response.status_code != 200:
            raise StoreError(self._refusal(response, "GET", graph))
        return response.content, response.headers.get("Content-Type", "")

    def _refusal(self, response: Any, method: str, graph: str) -> str:
        code = response.status_code
        name = graph.removeprefix(GRAPH_PREFIX)
        if code in (401, 403):
            who = f"user {self.user!r}" if self.user is not None else "no credentials"
            return (
                f"{self.where} refused {method} of graph {name} with {who} (HTTP {code}): "
                "check --user and --password (or KG_STORE_PASSWORD)."
            )
        detail = _hide(_short(" ".join(response.text.split())), self.user, self.password)
        said = f' ("{detail}")' if detail else ""
        if code in (404, 405):
            return (f"{self.where} answered HTTP {code} to {method} of graph {name}{said}: is it "
                    "a Graph Store URL? (oxigraph: /store, Fuseki: /DATASET/data, Virtuoso: "
                    "/sparql-graph-crud-auth)")  # fmt: skip
        return f"{self.where} answered HTTP {code} to {method} of graph {name}{said}."


def guess_query_url(store_url: str) -> str | None:
    """The SPARQL query endpoint beside a known Graph Store endpoint, or None.

    >>> guess_query_url("http://127.0.0.1:7878/store")
    'http://127.0.0.1:7878/query'
    >>> guess_query_url("http://127.0.0.1:8890/sparql-graph-crud-auth")
    'http://127.0.0.1:8890/sparql'
    """
    parts = urlsplit(store_url)
    head, _, last = parts.path.rpartition("/")
    known = {"store": "query", "data": "query", "sparql-graph-crud": "sparql",
             "sparql-graph-crud-auth": "sparql"}  # oxigraph, Fuseki, Virtuoso  # fmt: skip
    if last not in known:
        return None
    return urlunsplit((parts.scheme, parts.netloc, f"{head}/{known[last]}", "", ""))


def _check_count(sender: _Sender, graph: str, expected: int) -> None:
    """Compare the graph's triple count in the store with what was sent."""
    found = _count_by_query(sender, graph) if sender.query_url else _count_by_get(sender, graph)
    if found != expected:
        raise StoreError(
            f"{sender.where} holds {found} triples in graph "
            f"{graph.removeprefix(GRAPH_PREFIX)} after a PUT of {expected}."
        )


def _count_by_query(sender: _Sender, graph: str) -> int:
    """COUNT on the query endpoint (reading a graph back may be cut at a row limit)."""
    assert sender.query_url is not None
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{check_iri(graph)}> {{ ?s ?p ?o }} }}"
    try:
        result = select_remote(sender.query_url, count, timeout=sender.timeout[1])
    except StoreError:
        scheme = "digest" if sender.scheme in ("digest", "auto") else "basic"
        if sender.user is None:
            raise
        result = select_remote(
            sender.query_url, count, timeout=sender.timeout[1], user=sender.user,
            password=sender.password, auth=scheme,  # type: ignore[arg-type]
        )  # fmt: skip
    cell = result.rows[0][0] if result.rows and result.rows[0] else None
    if cell is None or not cell.value.isdigit():
        raise StoreError(f"{sender.query_url} did not count the triples of graph {graph}.")
    return int(cell.value)


def _count_by_get(sender: _Sender, graph: str) -> int:
    """Read the graph back by the Graph Store Protocol and count its triples."""
    import pyoxigraph as ox

    body, ctype = sender.get(graph)
    media = ctype.split(";")[0].strip()
    fmt = (ox.RdfFormat.from_media_type(media) if media else None) or ox.RdfFormat.N_TRIPLES
    try:
        return len(set(ox.parse(body, format=fmt)))
    except (SyntaxError, ValueError) as error:
        raise StoreError(
            f"Cannot read graph {graph} back from {sender.where}: {_short(str(error))}"
        ) from None
