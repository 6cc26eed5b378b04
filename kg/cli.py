"""The ``kg`` command: a thin typer layer over the library.

Each command parses its options, calls one library function, prints what it
returns, and turns a :class:`~kg.errors.KgError` into one line on stderr and
an exit code (see README, "Exit codes"). Heavy libraries are imported inside
the commands that need them, so ``kg --help`` and ``kg query`` start fast.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from kg.errors import CorpusError, KgError

if TYPE_CHECKING:
    from kg.pipeline import BuildReport
    from kg.update import UpdateReport

app = typer.Typer(
    name="kg",
    help="Sahel KG: a sourced, temporal knowledge graph of the war in Mali, from news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

BuildDir = Annotated[
    Path, typer.Option("--build", "-b", help="The build folder (made by `kg build`).")
]
EndpointOpt = Annotated[
    str | None,
    typer.Option("--endpoint", "-e", help="Run on this SPARQL 1.1 endpoint instead of the build."),
]
TimeoutOpt = Annotated[
    float,
    typer.Option("--timeout", min=0.01, help="Stop a query that runs longer than this (seconds)."),
]


class ResultFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"


class RdfFormat(str, Enum):
    turtle = "turtle"
    ntriples = "ntriples"
    nquads = "nquads"
    trig = "trig"
    jsonld = "jsonld"
    xml = "xml"


def rdf_format(value: str) -> str:
    """A --format value or alias (``ttl``, ``rdfxml``; case ignored) as its format
    (:func:`kg.export.canonical_format`); anything else is a usage error naming the formats."""
    from kg.export import TABLE_FORMATS, canonical_format  # only when kg export parses options

    name = canonical_format(value)
    if name is None or name not in (*RdfFormat.__members__, *TABLE_FORMATS):
        choices = ", ".join([*(repr(f.value) for f in RdfFormat), *map(repr, TABLE_FORMATS)])
        raise typer.BadParameter(f"{value!r} is not one of {choices}.")
    return name


#: Exit codes besides a KgError's own (1, or 3 for store errors) and click's 2 for usage.
EXIT_INTERNAL = 70  # a bug: an exception the library did not mean to raise (EX_SOFTWARE)
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
EXIT_TERMINATED = 143  # SIGTERM (128 + SIGTERM)

# C0 and C1 controls and Unicode line breaks: a value echoed in a message must not
# break the line or drive the terminal (ESC sequences).
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
_CONTROL |= {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def one_line(text: str) -> str:
    """Text made safe for one terminal line: control characters written as escapes.

    >>> one_line("Unknown place 'Kidal\\nDROP ALL\\x1b[2J'")
    "Unknown place 'Kidal\\\\nDROP ALL\\\\x1b[2J'"
    """
    return text.translate(_CONTROL)


def fail(error: KgError) -> NoReturn:
    """One line on stderr, then the error's exit code."""
    typer.echo(f"Error: {one_line(str(error))}", err=True)
    raise typer.Exit(error.exit_code)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every ``finally`` cleans up."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated


@contextmanager
def reported() -> Iterator[None]:
    """Turn library errors, Ctrl-C, SIGTERM and bugs into one line and an exit code."""
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    except KgError as error:
        fail(error)
    except KeyboardInterrupt as interrupt:
        how, code = (
            ("Terminated", EXIT_TERMINATED) if isinstance(interrupt, Terminated)
            else ("Interrupted", EXIT_INTERRUPTED)
        )  # fmt: skip
        detail = one_line(str(interrupt)) or "stopped before the end; earlier outputs are intact."
        typer.echo(f"{how}: {detail}", err=True)
        raise typer.Exit(code) from None
    except (typer.Exit, typer.Abort):
        raise
    except BrokenPipeError:  # `kg query ... | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None
    except Exception as error:  # noqa: BLE001 - a bug: still one line, and say so
        if os.environ.get("KG_DEBUG"):
            raise
        typer.echo(
            f"Error: internal error, {type(error).__name__}: {one_line(str(error))} "
            "(a bug: please report it; KG_DEBUG=1 shows the traceback)",
            err=True,
        )
        raise typer.Exit(EXIT_INTERNAL) from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def echo_lines(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line)


def warn_if_changed(build_dir: Path) -> bool:
    """One warning line when a SPARQL Update changed the build's store after the build."""
    from kg.store import changed_warning

    note = changed_warning(build_dir)
    if note:
        typer.echo(f"Warning: {one_line(note)}", err=True)
    return note is not None


@app.command(short_help="Build the graph from a folder of articles into build/.")
def build(
    corpus: Annotated[
        Path | None, typer.Argument(help="Folder of articles (default: the shipped corpus/).")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("build"),
    strict: Annotated[bool, typer.Option(help="Fail on any warning about the input.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes.")] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Build the graph from a folder of articles into build/ (TriG, Turtle, store)."""
    with reported():
        from kg import pipeline
        from kg.resources import resource_path

        with progress_display(not quiet and sys.stderr.isatty()) as progress:
            report = pipeline.build(
                corpus or resource_path("corpus"),
                out,
                strict=strict,
                jobs=jobs,
                today=date.today(),
                progress=progress,
            )
        for problem in report.problems:
            typer.echo(one_line(str(problem)), err=True)
        echo_lines(pipeline.report_lines(report))


@contextmanager
def progress_display(shown: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """``progress(stage, done, total)`` drawn on stderr by rich while the block runs: the
    stage, a bar, the share done, the time left (from the pace so far) and the time
    spent; a spinner shows life while one long stage runs. None when not ``shown`` (no
    terminal, or --quiet): nothing is drawn then."""
    if not shown:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    display = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
        TextColumn("eta"), TimeRemainingColumn(), TextColumn("elapsed"), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    )  # fmt: skip
    task = display.add_task("starting", total=None)
    shown_stage = [""]

    def show(stage: str, done: int, total: int) -> None:
        # a new build-wide stage is drawn at once; steps within a document at the next refresh
        new = stage.split(":")[0] != shown_stage[0].split(":")[0]
        display.update(task, description=one_line(stage), completed=done, total=total or None,
                       refresh=new)  # fmt: skip
        shown_stage[0] = stage

    with display:
        yield show


@app.command(short_help="Add articles to an existing build (only they are extracted).")
def add(
    articles: Annotated[list[Path], typer.Argument(help="Article files (.txt with front matter).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The build folder.")] = Path("build"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Add ARTICLES to the build in OUT: the same bytes as a build of the corpus with them."""
    _update(lambda update, progress: update.add_articles(articles, out, today=date.today(),
                                                         progress=progress),
            quiet, "added or replaced")  # fmt: skip


@app.command(short_help="Remove documents from an existing build.")
def remove(
    documents: Annotated[list[str], typer.Argument(help="Document ids (or file names).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The build folder.")] = Path("build"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Remove DOCUMENTS from the build in OUT: the same bytes as a build without them."""
    _update(lambda update, progress: update.remove_documents(documents, out, progress=progress),
            quiet, "removed")


def _update(run: Callable[[Any, Any], Any], quiet: bool, verb: str) -> None:
    """Run ``run(kg.update, progress)`` under the CLI's error reporting and print its report."""
    with reported():
        from kg import pipeline, update

        with progress_display(not quiet and sys.stderr.isatty()) as progress:
            done = run(update, progress)
        _echo_update(done, verb, pipeline.report_lines)


def _echo_update(done: UpdateReport, verb: str,
                 lines: Callable[[BuildReport], list[str]]) -> None:  # fmt: skip
    """What kg add / kg remove did: the documents left as they were, then the build's lines."""
    for doc_id in done.unchanged:
        typer.echo(f"Already in the build with the same content: {doc_id} (nothing to do)")
    if done.build is None:
        typer.echo("Nothing changed.")
        return
    for problem in done.build.problems:
        typer.echo(one_line(str(problem)), err=True)
    typer.echo(f"Documents {verb}: {', '.join(done.changed)}")
    echo_lines(lines(done.build))


@app.command(name="eval", short_help="Score the extraction against gold annotations.")
def evaluate(
    corpus: Annotated[
        Path | None, typer.Argument(help="Folder of articles (default: the shipped corpus/).")
    ] = None,
    gold: Annotated[
        Path | None,
        typer.Option(
            help="Folder of gold annotations, *.json or *.yaml (default: tests/gold for the "
            "shipped corpus, else the 'gold' folder beside CORPUS)."
        ),
    ] = None,
    details: Annotated[bool, typer.Option(help="List misses and false positives.")] = False,
) -> None:
    """Score the extraction against hand-made gold annotations (precision, recall)."""
    with reported():
        from kg import evaluate as evaluation
        from kg import pipeline
        from kg.registry import load_registry
        from kg.resources import resource_path

        corpus_dir = corpus or resource_path("corpus")
        gold_dir = gold or _default_gold(corpus)
        registry = load_registry()
        golds = evaluation.load_gold(gold_dir, evaluation.name_resolver(registry.lookup))
        extractions = pipeline.extract_corpus(
            corpus_dir, today=date.today(), registry=registry
        ).extractions
        scores = evaluation.score(extractions, golds, pipeline.world_of(registry))
        echo_lines(evaluation.score_lines(scores))
        if details:
            echo_lines(evaluation.miss_lines(scores))


def _default_gold(corpus: Path | None) -> Path:
    """tests/gold for the shipped corpus (a resource of the package, so an installed
    wheel has it too); the ``gold`` folder beside another corpus."""
    from kg.resources import resource_path

    if corpus is None:
        return resource_path("gold")
    beside = corpus.resolve().parent / "gold"
    if beside.is_dir():
        return beside
    raise CorpusError(f"--gold: no gold folder given and none beside {corpus}; give --gold DIR")


@app.command(short_help="Check the ontology (OWL) and the build (SHACL).")
def validate(
    build_dir: BuildDir = Path("build"),
    reason: Annotated[bool, typer.Option(help="Run the HermiT reasoner (needs Java).")] = True,
    sample: Annotated[
        int,
        typer.Option(
            "--sample", min=0,
            help="HermiT reasons over at most this many articles of the build, a sample chosen "
            "by hash past that (0: all of them).",
        ),
    ] = 200,
) -> None:
    """Check the ontology and the build's data (OWL consistency, labels, SHACL)."""
    with reported():
        from kg import validate as validation

        report = validation.validate(
            build_dir if build_dir.exists() else None, reason=reason, sample=sample or None
        )
        echo_lines(validation.report_lines(report))
        if not report.ok:
            raise typer.Exit(1)


@app.command(name="queries", short_help="List the canned questions with their parameters.")
def list_queries() -> None:
    """List the canned questions with their parameters."""
    with reported():
        from kg import queries

        for query in queries.list_queries():
            params = ", ".join(queries.describe_param(p) for p in query.params) or "no parameters"
            typer.echo(f"{query.name:<18} {query.summary}")
            typer.echo(f"{'':<18} parameters: {params}")
        typer.echo("Every query also takes asof (date, optional): answered from the documents "
                   "published on or before that day only.")


@app.command(short_help="Run a canned question by name (see `kg queries`).")
def query(
    name: Annotated[str, typer.Argument(help="A canned question (see `kg queries`).")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A parameter as key=value (repeatable)."),
    ] = None,
    fmt: Annotated[ResultFormat, typer.Option("--format", "-f")] = ResultFormat.table,
    endpoint: EndpointOpt = None,
    build_dir: BuildDir = Path("build"),
    timeout: TimeoutOpt = 30.0,
) -> None:
    """Run a canned question by name, e.g. kg query control-timeline -p place=Kidal."""
    with reported():
        from kg import queries

        params = parse_params(param or [])
        if endpoint is None:
            warn_if_changed(build_dir)
        result = queries.run_query(
            name, params, build_dir=build_dir, endpoint=endpoint, timeout=timeout
        )
        typer.echo(queries.render(result, fmt.value), nl=False)


def parse_params(raw: list[str]) -> dict[str, str]:
    """``["place=Kidal"]`` -> ``{"place": "Kidal"}``; a pair without '=' is an error."""
    from kg.errors import QueryError

    params: dict[str, str] = {}
    for item in raw:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"parameter {item!r} is not key=value; write e.g. -p place=Kidal")
        params[key.strip()] = value.strip()
    return params


@app.command(short_help="Run ad-hoc SPARQL on the build or an endpoint.")
def sparql(
    text: Annotated[str | None, typer.Argument(help="The SPARQL query text.")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the query here.")] = None,
    fmt: Annotated[ResultFormat, typer.Option("--format")] = ResultFormat.table,
    endpoint: EndpointOpt = None,
    build_dir: BuildDir = Path("build"),
    timeout: TimeoutOpt = 30.0,
    allow_update: Annotated[
        bool, typer.Option("--allow-update", help="Allow SPARQL Update on the embedded store.")
    ] = False,
) -> None:
    """Run ad-hoc SPARQL on the build (read-only unless --allow-update) or an endpoint."""
    with reported():
        from kg import queries
        from kg.errors import QueryError

        if (text is None) == (file is None):
            raise QueryError("give the query either as an argument or with --file, not both")
        query_text = read_query_file(file) if file else text
        assert query_text is not None
        warned = endpoint is None and warn_if_changed(build_dir)
        result = queries.run_sparql(
            query_text,
            build_dir=build_dir,
            endpoint=endpoint,
            timeout=timeout,
            allow_update=allow_update,
        )
        if endpoint is None and not warned:  # this very update changed the store
            warn_if_changed(build_dir)
        typer.echo(queries.render(result, fmt.value), nl=False)


def read_query_file(path: Path) -> str:
    """The text of a --file query; a missing or non-UTF-8 file is a QueryError."""
    from kg.errors import QueryError

    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise QueryError(f"{path}: not UTF-8 text; save the query as UTF-8") from None
    except OSError as error:
        raise QueryError(f"{path}: cannot read the query file ({error.strerror})") from None


@app.command(short_help="Write the graph in an RDF format, or its events as ACLED CSV.")
def export(
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", parser=rdf_format,
            metavar="[" + "|".join((*RdfFormat.__members__, "acled-csv")) + "]",
            help="turtle (ttl), ntriples (nt), nquads (nq), trig, jsonld (json-ld), "
            "xml (rdfxml, rdf, owl), or acled-csv (acled): the events, one row each, "
            "with ACLED's columns.",
        ),
    ] = "turtle",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default stdout).")
    ] = None,
    build_dir: BuildDir = Path("build"),
) -> None:
    """Write the built graph in an RDF format, or its events as ACLED-style CSV (to a file,
    atomically, or stdout)."""
    with reported():
        from kg import export as exporter

        warn_if_changed(build_dir)
        data = exporter.export(build_dir, fmt, output)
        if data is not None:
            sys.stdout.buffer.write(data)
        else:
            typer.echo(f"Wrote {output}", err=True)


@app.command(short_help="Load the build into a triple store (Graph Store).")
def load(
    store: Annotated[str, typer.Option("--store", help="Graph Store Protocol URL.")],
    user: Annotated[str | None, typer.Option(help="User name for the store.")] = None,
    password: Annotated[
        str | None,
        typer.Option(help="Password (or set KG_STORE_PASSWORD).", envvar="KG_STORE_PASSWORD"),
    ] = None,
    build_dir: BuildDir = Path("build"),
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.01, help="Give up on a graph after this (seconds).")
    ] = 300.0,
) -> None:
    """Load the build into a triple store: one HTTP PUT per named graph."""
    with reported():
        from kg import endpoint

        warn_if_changed(build_dir)
        with progress_display(sys.stderr.isatty()) as shown:
            progress = None if shown is None else (lambda d, t: shown("loading graphs", d, t))
            report = endpoint.load_build(
                build_dir, store, user=user, password=password, progress=progress,
                timeout=timeout,
            )  # fmt: skip
        echo_lines(endpoint.load_report_lines(report))


@app.command(short_help="Serve the build as a local read-only SPARQL endpoint.")
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 7878,
    build_dir: BuildDir = Path("build"),
    timeout: TimeoutOpt = 30.0,
) -> None:
    """Serve the build as a local read-only SPARQL endpoint (Ctrl-C stops it)."""
    with reported():
        from kg import serve as server

        warn_if_changed(build_dir)
        server.serve(build_dir, host, port, announce=typer.echo, timeout=timeout)


@app.command(short_help="Draw the graph as one self-contained HTML report (timelines, map).")
def report(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The HTML file to write [default: BUILD/report.html]."),
    ] = None,
    place: Annotated[
        list[str] | None,
        typer.Option("--place", help="A place to focus on (repeatable; default Kidal, "
                     "then every place with control periods)."),
    ] = None,
    png: Annotated[
        Path | None, typer.Option("--png", help="Also write the first place's control "
                                  "timeline as a PNG here.")
    ] = None,
    endpoint: EndpointOpt = None,
    build_dir: BuildDir = Path("build"),
    timeout: TimeoutOpt = 60.0,
) -> None:
    """Draw the graph as one HTML file that opens with no network: control, membership,
    office and event timelines, casualty figures per source, a map; every mark leads to
    its claims."""
    with reported():
        from kg.report import make_report

        result = make_report(output, build_dir=build_dir, endpoint=endpoint,
                             places=place or [], png=png, timeout=timeout)  # fmt: skip
        echo_lines(result.lines())


def main() -> None:
    """Console-script entry point."""
    app()
