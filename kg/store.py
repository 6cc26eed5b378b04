"""The embedded store: a pyoxigraph database persisted in ``build/store``.

``write_store`` bulk-loads the build's TriG into a fresh directory and swaps
it in by rename, so a failed load never destroys the previous store.
:class:`StoreWriter` does the same from graphs handed over one by one, in a
background thread: ``kg build`` gives it each document's graph as soon as it
is extracted, and pyoxigraph loads (without holding the GIL) while the
extraction goes on, so on two cores the load costs little wall time.
``open_store`` opens it read-only; ``select`` runs a read query with safe
variable bindings (pyoxigraph ``substitutions=``, never text splicing) and an
optional time limit; ``update`` runs SPARQL Update only when asked to.

Queries see the union of all named graphs as their default graph, as Virtuoso
does and as ``kg serve`` does (``--union-default-graph``), so the same canned
query answers the same on every store.

>>> import pyoxigraph
>>> store = pyoxigraph.Store()
>>> store.add(pyoxigraph.Quad(pyoxigraph.NamedNode("https://w3id.org/sahel-kg/id/kidal"),
...     pyoxigraph.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
...     pyoxigraph.Literal("Kidal", language="fr"),
...     pyoxigraph.NamedNode("https://w3id.org/sahel-kg/graph/registry")))
>>> select(store, "SELECT ?label WHERE { ?place ?p ?label }").rows
((Term(kind='literal', value='Kidal', datatype=None, lang='fr'),),)
>>> query_form("PREFIX sk: <https://w3id.org/sahel-kg/ontology#> # comment\\n ask { }")
'ASK'
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import BuildMissingError, QueryError, StoreError
from kg.model import QueryResult, Term
from kg.vocab import PREFIX_BLOCK

__all__ = [
    "STORE_DIR", "store_path", "write_store", "StoreWriter", "open_store", "select", "update",
    "query_form", "to_term", "from_term", "TRIPLE_VARIABLES", "ASK_VARIABLE", "CHANGED_MARK",
    "mark_changed", "changed_after_build", "changed_warning",
]  # fmt: skip

STORE_DIR = "store"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
UPDATE_FORMS = (
    "INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH",
)  # fmt: skip
#: Column names of a CONSTRUCT or DESCRIBE result turned into a QueryResult.
TRIPLE_VARIABLES = ("subject", "predicate", "object")
#: Column name of an ASK result turned into a QueryResult (one row, an xsd:boolean).
ASK_VARIABLE = "ask"

# Whitespace, comments and PREFIX/BASE declarations (their IRIs may hold '#').
_PROLOGUE = re.compile(r"\s+|#[^\n]*|(?i:PREFIX)\s*[^\s:]*:\s*<[^>]*>|(?i:BASE)\s*<[^>]*>")
_KEYWORD = re.compile(r"[A-Za-z]+")


def store_path(build_dir: Path) -> Path:
    """Where the persisted store of a build lives: ``build/store``."""
    return Path(build_dir) / STORE_DIR


def write_store(build_dir: Path, trig_path: Path) -> int:
    """Bulk-load ``trig_path`` into a new ``build_dir/store``; return its quad count.

    The load goes to a sibling directory first and replaces the old store by
    rename only once it succeeded.
    """
    fresh = _fresh_dir(Path(build_dir))
    try:
        count = _bulk_load(fresh, Path(trig_path))
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    _swap_in(fresh, Path(build_dir))
    return count


def _fresh_dir(build_dir: Path) -> Path:
    """An empty sibling directory of ``build_dir/store`` for a new store."""
    fresh = build_dir / f".{STORE_DIR}-new-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    return fresh


def _swap_in(fresh: Path, build_dir: Path) -> None:
    """Replace ``build_dir/store`` by the complete store in ``fresh`` (renames only)."""
    target = store_path(build_dir)
    old = build_dir / f".{STORE_DIR}-old-{os.getpid()}"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.rename(target, old)
    os.rename(fresh, target)
    shutil.rmtree(old, ignore_errors=True)


class StoreWriter:
    """A new ``build_dir/store`` loaded in a background thread from graphs handed over one by one.

    :meth:`add` takes one graph's TriG as kg.trig has it (``<g> {`` ... ``}``,
    no prefix lines); graphs go to the loader in pieces of about
    :data:`LOAD_CHUNK` bytes, at most two waiting, so memory stays bounded
    and ``add`` waits when the loader falls behind. :meth:`finish` waits for
    the load, closes the store, swaps it in and returns its quad count; on an
    exception inside ``with StoreWriter(...)`` the new store is dropped and
    the old one stays. A load error is raised (as :class:`StoreError`) by the
    next ``add`` or by ``finish``.
    """

    def __init__(self, build_dir: Path, *, chunk: int | None = None) -> None:
        self.build_dir = Path(build_dir)
        self.chunk = LOAD_CHUNK if chunk is None else chunk
        self._fresh = _fresh_dir(self.build_dir)
        self._header = PREFIX_BLOCK
        self._buffer: list[bytes] = []
        self._size = 0
        self._pieces: queue.Queue[bytes | None] = queue.Queue(maxsize=2)
        self._error: StoreError | None = None
        self._cancelled = False
        try:
            self._store: ox.Store | None = ox.Store(str(self._fresh))
        except OSError as error:
            raise StoreError(
                f"Cannot write the store in {self._fresh}: {_one_line(error)}"
            ) from None
        self._thread = threading.Thread(target=self._load, name="kg-store-load", daemon=True)
        self._thread.start()

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is not None:
            self.discard()

    def add(self, trig: bytes) -> None:
        """Queue one graph (whole) for loading."""
        self._buffer.append(trig)
        self._size += len(trig)
        if self._size >= self.chunk:
            self._send()

    def finish(self) -> int:
        """Wait for the load; swap the new store in; its quad count."""
        self._send()
        self._stop()
        if self._error is not None:
            self.discard()
            raise self._error
        assert self._store is not None
        try:
            self._store.flush()
            count = len(self._store)
        except OSError as error:
            self.discard()
            raise StoreError(
                f"Cannot write the store in {self._fresh}: {_one_line(error)}"
            ) from None
        self._store = None  # closes the database before the directory is renamed
        _swap_in(self._fresh, self.build_dir)
        return count

    def discard(self) -> None:
        """Stop loading and remove the new store (the old one, if any, stays).

        Waits only for the piece being loaded (pyoxigraph cannot be stopped
        midway), not for the pieces waiting: Ctrl-C on a build returns soon.
        """
        self._buffer, self._size = [], 0
        self._cancelled = True
        try:
            while True:
                self._pieces.get_nowait()
        except queue.Empty:
            pass
        self._stop()
        self._store = None
        shutil.rmtree(self._fresh, ignore_errors=True)

    def _send(self) -> None:
        if self._error is not None:
            raise self._error
        if self._buffer:
            piece = self._header + b"".join(self._buffer)
            self._buffer, self._size = [], 0
            self._pieces.put(piece)

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._pieces.put(None)
            self._thread.join()

    def _load(self) -> None:
        """The loader thread: bulk-load each piece; after an error, only drain the queue."""
        while (piece := self._pieces.get()) is not None:
            if self._error is not None or self._cancelled or self._store is None:
                continue
            try:
                self._store.bulk_load(input=piece, format=ox.RdfFormat.TRIG)
            except SyntaxError as error:
                self._error = StoreError(
                    f"A graph handed to the store is not valid TriG: {_one_line(error)}"
                )
            except (OSError, ValueError) as error:
                self._error = StoreError(
                    f"Cannot write the store in {self._fresh}: {_one_line(error)}"
                )


#: TriG bytes handed to one bulk load: the loader holds ~0.5 KB per quad of a load in memory,
#: so a build's kg.trig goes in pieces of whole graphs and the peak does not grow with it.
LOAD_CHUNK = 32 << 20


def _bulk_load(directory: Path, trig_path: Path) -> int:
    """Load a TriG file into a new on-disk store at ``directory``; close it; count quads."""
    try:
        store = ox.Store(str(directory))
        for piece in _pieces(trig_path):
            store.bulk_load(input=piece, format=ox.RdfFormat.TRIG)
        store.flush()
        count = len(store)
    except SyntaxError as error:
        raise StoreError(f"{trig_path} is not valid TriG: {_one_line(error)}") from None
    except (OSError, ValueError) as error:
        raise StoreError(f"Cannot write the store in {directory}: {_one_line(error)}") from None
    del store  # closes the database before the directory is renamed
    return count


def _pieces(trig_path: Path, size: int = LOAD_CHUNK) -> Iterator[bytes]:
    """The TriG file in pieces of whole graphs, each with the prefix lines.

    Only a file as ``kg build`` writes it (the kg.vocab prefix lines, then one
    ``<graph> {`` ... ``}`` after the other, literals on one line) is cut, at
    its ``\\n}\\n`` lines; any other file is one piece.
    """
    header = PREFIX_BLOCK
    with open(trig_path, "rb") as file:
        start = file.read(len(header))
        if start != header:
            yield start + file.read()
            return
        rest = b""
        while True:
            data = file.read(size)
            if not data:
                if rest:
                    yield header + rest
                return
            buffer = rest + data
            cut = buffer.rfind(b"\n}\n")
            if cut < 0:
                rest = buffer
                continue
            yield header + buffer[: cut + 3]
            rest = buffer[cut + 3 :]


#: Written into ``store/`` before a SPARQL Update changes a build's store: from then on the
#: store no longer holds what kg.trig and kg.ttl hold, and every command reading the build
#: says so, until ``kg build`` replaces the store (and this file with it).
CHANGED_MARK = "CHANGED-BY-UPDATE.txt"


def mark_changed(build_dir: Path, sparql: str) -> None:
    """Record in ``store/`` that a SPARQL Update is applied to the store (before it runs)."""
    note = " ".join(sparql.split())
    with (store_path(build_dir) / CHANGED_MARK).open("a", encoding="utf-8") as stream:
        stream.write(f"SPARQL Update (kg sparql --allow-update): {note[:500]}\n")


def changed_after_build(build_dir: Path) -> bool:
    """Whether a SPARQL Update changed the build's store after ``kg build`` wrote it."""
    return (store_path(build_dir) / CHANGED_MARK).is_file()


def changed_warning(build_dir: Path) -> str | None:
    """What to tell whoever reads a build whose store an update changed, or None."""
    if not changed_after_build(build_dir):
        return None
    return (
        f"{store_path(build_dir)} was changed by SPARQL Update after the build (kg sparql "
        "--allow-update): queries, export, load and serve see the changed store, kg.trig and "
        "kg.ttl do not; `kg build` rebuilds it from the corpus"
    )


def open_store(build_dir: Path, *, writable: bool = False) -> ox.Store:
    """Open ``build_dir/store`` (read-only unless ``writable``)."""
    path = store_path(build_dir)
    if not (path.is_dir() and any(path.iterdir())):
        raise BuildMissingError(f"No build in {Path(build_dir)}/: run `kg build` first.")
    try:
        return ox.Store(str(path)) if writable else ox.Store.read_only(str(path))
    except OSError as error:
        raise StoreError(
            f"Cannot open the store in {path}: {_one_line(error)}; run `kg build` again."
        ) from None


def query_form(sparql: str) -> str:
    """The first keyword after the prologue, upper-cased ("SELECT", "INSERT", ...).

    Returns "" when the text does not start with a keyword.
    """
    pos = 0
    while (match := _PROLOGUE.match(sparql, pos)) and match.end() > pos:
        pos = match.end()
    keyword = _KEYWORD.match(sparql, pos)
    return keyword.group(0).upper() if keyword else ""


def check_read_query(sparql: str) -> str:
    """Refuse SPARQL Update where only a query is allowed; return the query form."""
    form = query_form(sparql)
    if form in UPDATE_FORMS:
        raise QueryError(
            f"{form} is SPARQL Update, which is not allowed here: only SELECT, ASK, "
            "CONSTRUCT and DESCRIBE queries run (use --allow-update on the embedded store)."
        )
    return form


def select(
    store: ox.Store,
    sparql: str,
    *,
    substitutions: Mapping[str, Term] | None = None,
    timeout: float | None = None,
) -> QueryResult:
    """Run a read query; variables in ``substitutions`` are bound to those terms.

    ASK gives one column ``ask``; CONSTRUCT/DESCRIBE give ``subject, predicate,
    object`` rows. A substituted variable must be in the SELECT projection
    (pyoxigraph's rule, after SPARQL SEP-0007).
    """
    check_read_query(sparql)
    bindings = {ox.Variable(_var_name(k)): from_term(t) for k, t in (substitutions or {}).items()}
    if timeout is None:
        return _evaluate(store, sparql, bindings, threading.Event())
    return _with_timeout(store, sparql, bindings, timeout)


def update(store: ox.Store, sparql: str, *, allow_update: bool = False) -> None:
    """Run SPARQL Update on a writable store, only when ``allow_update`` is true."""
    if not allow_update:
        raise QueryError("SPARQL Update is refused unless allowed (--allow-update).")
    try:
        store.update(sparql)
    except SyntaxError as error:
        raise QueryError(f"SPARQL syntax error: {_one_line(error)}") from None
    except (OSError, RuntimeError) as error:
        raise StoreError(f"The store refused the update: {_one_line(error)}.") from None


def _with_timeout(
    store: ox.Store, sparql: str, bindings: dict[ox.Variable, Any], timeout: float
) -> QueryResult:
    """Evaluate in a daemon thread; abandon it (and stop its row loop) after ``timeout``."""
    cancel = threading.Event()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = _evaluate(store, sparql, bindings, cancel)
        except BaseException as error:  # handed to the caller's thread below
            # pyoxigraph results may only be dropped on the thread that made them:
            # cut the traceback (and its frames) loose here, in the worker.
            error.__traceback__ = error.__context__ = error.__cause__ = None
            outcome["error"] = error

    worker = threading.Thread(target=work, name="kg-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        cancel.set()
        raise QueryError(
            f"Query stopped after {timeout:g} s (--timeout); add a LIMIT, narrow the "
            "patterns or give a larger --timeout."
        )
    if "error" in outcome:
        raise outcome["error"]
    result: QueryResult = outcome["result"]
    return result


class _Cancelled(Exception):
    """The caller stopped waiting; the worker quits its row loop."""


def _evaluate(
    store: ox.Store, sparql: str, bindings: dict[ox.Variable, Any], cancel: threading.Event
) -> QueryResult:
    try:
        answer = store.query(
            sparql, substitutions=bindings or None, use_default_graph_as_union=True
        )
        return _to_result(answer, cancel)
    except SyntaxError as error:
        raise QueryError(f"SPARQL syntax error: {_one_line(error)}") from None
    except RuntimeError as error:
        text = _one_line(error)
        if "projection" in text:
            text += "; a bound parameter must be a variable of the SELECT clause"
        raise QueryError(f"Cannot run the query: {text}") from None
    except OSError as error:
        raise StoreError(f"The store failed during the query: {_one_line(error)}") from None


def _to_result(answer: Any, cancel: threading.Event) -> QueryResult:
    if isinstance(answer, ox.QueryBoolean):
        value = Term("literal", "true" if bool(answer) else "false", XSD_BOOLEAN)
        return QueryResult((ASK_VARIABLE,), ((value,),))
    if isinstance(answer, ox.QuerySolutions):
        names = tuple(v.value for v in answer.variables)
        return QueryResult(names, tuple(_rows(answer, len(names), cancel)))
    triples = ((t.subject, t.predicate, t.object) for t in answer)
    return QueryResult(TRIPLE_VARIABLES, tuple(_rows(triples, 3, cancel)))


def _rows(
    solutions: Iterable[Any], width: int, cancel: threading.Event
) -> Iterable[tuple[Term | None, ...]]:
    for solution in solutions:
        if cancel.is_set():
            raise _Cancelled
        yield tuple(None if solution[i] is None else to_term(solution[i]) for i in range(width))


def to_term(node: Any) -> Term:
    """A pyoxigraph term as a store-independent :class:`~kg.model.Term`."""
    if isinstance(node, ox.NamedNode):
        return Term("iri", node.value)
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value)
    if isinstance(node, ox.Literal):
        datatype = node.datatype.value
        plain = node.language is not None or datatype in (XSD_STRING, RDF_LANG_STRING)
        return Term("literal", node.value, None if plain else datatype, node.language)
    return Term("literal", str(node))  # an RDF-star triple: shown as its N-Triples text


def from_term(term: Term) -> Any:
    """A :class:`~kg.model.Term` as a pyoxigraph term; bad IRIs raise QueryError."""
    try:
        if term.kind == "iri":
            return ox.NamedNode(term.value)
        if term.kind == "bnode":
            return ox.BlankNode(term.value)
        if term.lang:
            return ox.Literal(term.value, language=term.lang)
        datatype = ox.NamedNode(term.datatype) if term.datatype else None
        return ox.Literal(term.value, datatype=datatype)
    except ValueError as error:
        raise QueryError(f"Cannot bind {term.value!r}: {_one_line(error)}") from None


def _var_name(name: str) -> str:
    bare = name.lstrip("?$")
    if not re.fullmatch(r"[A-Za-z0-9_]+", bare):
        raise QueryError(f"{name!r} is not a SPARQL variable name (letters, digits, _).")
    return bare


def _one_line(error: BaseException) -> str:
    """An exception message on one line (parsers report over several)."""
    return " ".join(str(error).split()) or type(error).__name__
