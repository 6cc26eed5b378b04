"""Sahel KG benchmarks: build throughput, query latency, CLI start-up, loading.

Prints one table of figures and ratios, each ratio measured side by side in
the same run (the machine is shared and noisy: medians of several runs, and
ratios rather than absolute times). See benchmarks/README.md.

    python benchmarks/run.py                      # the full run (see README for its time)
    python benchmarks/run.py --quick              # tiny sizes, seconds (the smoke test runs this)
    python benchmarks/run.py --sizes 100,1000 --skip-load --format markdown

Sections (each can be skipped): build (articles/s, claims/s, triples/s, peak
memory per corpus size, growth with size, --jobs speed-up), query (every
queries/*.rq on the embedded store and on rdflib's SPARQL engine over the same
data), cli (`kg query`, `kg --help` against `python -c "import rdflib"`), load
(`kg load` into `oxigraph serve` against a bare curl PUT and `oxigraph load`).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
for entry in (ROOT, HERE):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

BIN = Path(sys.executable).parent
KG = str(BIN / "kg") if (BIN / "kg").exists() else None  # the console script (pip install -e .)
SECTIONS = ("build", "query", "cli", "load")
GB = 1024**3

# Parameters of each canned query on generated data (registry names the generator uses).
QUERY_PARAMS: dict[str, dict[str, str]] = {
    "alliance-members": {"alliance": "CSP-PSD"},
    "casualty-claims": {"place": "Kidal"},
    "contested": {},
    "control-timeline": {"place": "Kidal"},
    "controller-at": {"place": "Kidal", "date": "2019-06-01"},
    "event-sources": {"event": "Battle of Kidal (2023)"},
    "events": {"place": "Kidal", "from": "2018", "to": "2020"},
    "evidence": {"entity": "Kidal"},
    "roles": {"entity": "FAMa"},
}
#: Further cases of a query, each timed as a row of its own (after the one above).
EXTRA_QUERY_PARAMS: dict[str, list[dict[str, str]]] = {"contested": [{"about": "Kidal"}]}
DEFAULT_BY_TYPE = {"entity": "Kidal", "date": "2020-01-01", "string": "Kidal"}


# --- the table ---------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: a measure, its value, a ratio, the target and whether it is met."""

    section: str
    measure: str
    value: str
    ratio: str = ""
    target: str = ""
    met: str = ""  # "yes", "NO", or "" when there is no target
    runs: int = 0
    data: dict[str, Any] = field(default_factory=dict)


HEADERS = ("section", "measure", "value", "ratio", "target", "met", "runs")


def table_lines(rows: Sequence[Row], fmt: str = "text") -> list[str]:
    """The rows as an aligned text table or a Markdown table."""
    cells = [
        [r.section, r.measure, r.value, r.ratio, r.target, r.met, str(r.runs or "")] for r in rows
    ]
    if fmt == "markdown":
        lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in cells]
        return lines
    widths = [
        max(len(h), *(len(row[i]) for row in cells)) if cells else len(h)
        for i, h in enumerate(HEADERS)
    ]

    def line(items: Sequence[str]) -> str:
        return "  ".join(item.ljust(w) for item, w in zip(items, widths, strict=True)).rstrip()

    return [line(HEADERS), line(["-" * w for w in widths])] + [line(row) for row in cells]


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("yes" if ok else "NO")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def secs(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def mb(kib: float) -> str:
    return f"{kib / 1024:.0f} MB" if kib < 1024 * 1024 else f"{kib / 1024 / 1024:.2f} GB"


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def log(message: str) -> None:
    """Progress on stderr (the table goes to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- 1. build throughput ---------------------------------------------------------------


STAGE_FUNCTIONS = (  # (module, function, stage): what the child build times
    ("kg.pipeline", "load_corpus", "corpus"),
    ("kg.mentions", "find_mentions", "mentions"),
    ("kg.dates", "find_dates", "dates"),
    ("kg.claims", "extract_claims", "claims"),
    ("kg.temporal", "derive", "temporal"),
    ("kg.emit", "ontology_quads", "emit"),
    ("kg.emit", "registry_quads", "emit"),
    ("kg.emit", "document_quads", "emit"),
    ("kg.emit", "derived_quads", "emit"),
    ("kg.emit", "graph_texts", "emit"),
    ("kg.emit", "document_graph", "emit"),
    ("kg.emit", "derived_graph", "emit"),
    ("kg.emit", "write_build", "files"),
)
#: The stage of the CPU spent outside the main thread: the store's loader thread and
#: pyoxigraph's own threads (kg.store.StoreWriter loads beside the extraction).
BACKGROUND_STAGE = "store"


def instrument(totals: dict[str, list[float]]) -> None:
    """Wrap the stage functions so each call adds its wall and CPU seconds to ``totals``.

    The CPU is the calling thread's (``time.thread_time``): the store loads in
    a thread of its own beside these stages, and its CPU is counted apart
    (:data:`BACKGROUND_STAGE`). Only what runs in this process is seen: with
    ``--jobs`` > 1 the per-article stages run in worker processes and are not
    split out.
    """
    import importlib

    for module_name, name, stage in STAGE_FUNCTIONS:
        module = importlib.import_module(module_name)
        original = getattr(module, name, None)
        if original is None:
            continue

        def timed(
            *args: Any, __f: Callable[..., Any] = original, __s: str = stage, **kwargs: Any
        ) -> Any:
            wall, cpu = time.perf_counter(), time.thread_time()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            try:
                return __f(*args, **kwargs)
            finally:
                spent = totals.setdefault(__s, [0.0, 0.0, 0.0])
                spent[0] += time.perf_counter() - wall
                spent[1] += time.thread_time() - cpu
                spent[2] += (
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak
                )  # KiB the peak grew

        setattr(module, name, timed)


def child_build(corpus: Path, out: Path, jobs: int) -> dict[str, Any]:
    """Run one ``kg.pipeline.build`` in this (fresh) process and report what it cost."""
    from datetime import date

    from kg import pipeline

    stages: dict[str, list[float]] = {}
    if jobs == 1:
        instrument(stages)
    before = resource.getrusage(resource.RUSAGE_SELF)
    wall, main_thread = time.perf_counter(), time.thread_time()
    report = pipeline.build(corpus, out, jobs=jobs, today=date(2026, 1, 1))
    wall, main_thread = time.perf_counter() - wall, time.thread_time() - main_thread
    after, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if jobs == 1:
        stages[BACKGROUND_STAGE] = [0.0, max(0.0, cpu - main_thread), 0.0]
    cpu += children.ru_utime + children.ru_stime
    words = sum(
        len(p.read_text(encoding="utf-8").split("\n---\n", 1)[-1].split())
        for p in corpus.glob("*.txt")
    )
    return {
        "articles": report.documents,
        "words": words,
        "jobs": jobs,
        "wall": wall,
        "cpu": cpu,
        "claims": sum(report.claims.values()),
        "periods": sum(report.periods.values()),
        "triples": report.triples,
        "quads": report.quads,
        "peak_rss_kib": after.ru_maxrss,
        "worker_peak_rss_kib": children.ru_maxrss,
        "stages": stages,
    }


def run_child_build(corpus: Path, out: Path, jobs: int) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child-build",
        str(corpus),
        str(out),
        str(jobs),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"build of {corpus} failed:\n{done.stderr[-3000:]}")
    shutil.rmtree(out, ignore_errors=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def build_section(args: argparse.Namespace, work: Path) -> list[Row]:
    from generate import generate_corpus

    rows: list[Row] = []
    results: dict[int, list[dict[str, Any]]] = {}
    sizes = sorted(args.sizes)
    for n in sizes:
        skip = too_big(n, results, args)
        if skip is not None:
            rows.append(skip)
            continue
        corpus = work / f"corpus-{n}"
        started = time.perf_counter()
        generate_corpus(corpus, n, seed=args.seed, words=args.words)
        log(f"build: generated {n} articles in {time.perf_counter() - started:.1f} s")
        runs = args.repeat if n < args.many else 1
        results[n] = []
        for run in range(runs):
            results[n].append(run_child_build(corpus, work / f"build-{n}", 1))
            r = results[n][-1]
            log(
                f"build: {n} articles, run {run + 1}/{runs}: {r['wall']:.1f} s wall, "
                f"{r['cpu']:.1f} s CPU, "
                f"peak {mb(r['peak_rss_kib'])}"
            )
        rows += size_rows(n, results[n], args)
        if n == args.jobs_size:
            rows += jobs_rows(n, corpus, results[n], args, work)
        if not args.keep:
            shutil.rmtree(corpus, ignore_errors=True)
    built = sorted(results)
    if len(built) >= 2:
        rows += growth_rows(built, results)
    return rows


def available_kib() -> float:
    """MemAvailable of /proc/meminfo, in KiB (infinite where unknown)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return float(line.split()[1])
    except OSError:
        pass
    return math.inf


def too_big(
    n: int, results: dict[int, list[dict[str, Any]]], args: argparse.Namespace
) -> Row | None:
    """A row saying why size ``n`` is skipped, when a linear projection from the largest
    size built so far needs more than 70% of the available memory or more than
    ``--max-build-minutes`` of CPU; None when it may run."""
    if not results:
        return None
    m = max(results)
    peak = max(_med(results[m], "peak_rss_kib"), _med(results[m], "worker_peak_rss_kib")) * n / m
    minutes = _med(results[m], "cpu") * n / m / 60
    avail = available_kib()
    reasons = []
    if peak > 0.7 * avail:
        reasons.append(f"memory > 70% of the {mb(avail)} available")
    if minutes > args.max_build_minutes:
        reasons.append(f"time > --max-build-minutes {args.max_build_minutes:g}")
    if not reasons:
        return None
    log(f"build: {n} articles skipped: {'; '.join(reasons)}")
    memory_target = n == args.memory_size
    return Row(
        "build",
        f"{n} articles: not run, projected linearly from {m}",
        f"peak {mb(peak)}, {minutes:.0f} min CPU",
        "skipped: " + "; ".join(reasons),
        "< 2 GB at 10,000" if memory_target else "",
        verdict(peak < 2 * 1024 * 1024) if memory_target else "",
        0,
    )


def _med(results: list[dict[str, Any]], key: str) -> float:
    return median([r[key] for r in results])


def size_rows(n: int, results: list[dict[str, Any]], args: argparse.Namespace) -> list[Row]:
    wall, cpu = _med(results, "wall"), _med(results, "cpu")
    r = results[0]
    words = r["words"] / max(1, r["articles"])
    per_s_cpu, per_s_wall = n / cpu, n / wall
    aim = n == args.target_size
    runs = len(results)
    stages = r["stages"]
    grew = ", ".join(
        f"{k} +{mb(v[2])}"
        for k, v in sorted(stages.items(), key=lambda kv: -kv[1][2])
        if v[2] > 10240
    )
    if stages:
        stages = dict(
            stages, other=[0.0, max(0.0, r["cpu"] - sum(s[1] for s in stages.values())), 0.0]
        )
    split = ", ".join(
        f"{k} {v[1] / r['cpu']:.0%}" for k, v in sorted(stages.items(), key=lambda kv: -kv[1][1])
    )
    peak = max(_med(results, "peak_rss_kib"), _med(results, "worker_peak_rss_kib"))
    mem_target = args.memory_size == n
    return [
        Row(
            "build",
            f"{n} articles of ~{words:.0f} words: articles/s (1 job)",
            f"{per_s_cpu:.1f} /CPU-s ({per_s_wall:.1f} /wall-s)",
            f"{cpu / n * 1000:.0f} ms CPU/article",
            ">= 20 /s at 1,000" if aim else "",
            verdict(per_s_cpu >= 20) if aim else "",
            runs,
            {"wall": wall, "cpu": cpu, "results": results},
        ),
        Row(
            "build",
            f"{n} articles: claims/s, triples/s",
            f"{r['claims'] / cpu:.0f} claims/s, {r['triples'] / cpu:,.0f} triples/s",
            f"{r['claims'] / n:.0f} claims, {r['triples'] / n:,.0f} triples /article",
            "",
            "",
            runs,
        ),
        Row(
            "build",
            f"{n} articles: peak memory",
            mb(peak) + (f" (peak grew in: {grew})" if grew else ""),
            f"{peak / n:,.0f} KiB /article",
            "< 2 GB at 10,000" if mem_target else "",
            verdict(peak < 2 * 1024 * 1024) if mem_target else "",
            runs,
        ),
        Row("build", f"{n} articles: CPU by stage", split or "(not split)", "", "", "", 1),
    ]


def growth_rows(sizes: list[int], results: dict[int, list[dict[str, Any]]]) -> list[Row]:
    small, large = sizes[0], sizes[-1]
    t_small, t_large = _med(results[small], "cpu"), _med(results[large], "cpu")
    exponent = math.log(t_large / t_small) / math.log(large / small)
    per_article = (t_large / large) / (t_small / small)
    memory = max(_med(results[large], "peak_rss_kib"), 1) / max(
        _med(results[small], "peak_rss_kib"), 1
    )
    linear = exponent <= 1.15
    rows = [
        Row(
            "build",
            f"growth {small} -> {large} articles (CPU time)",
            f"time ~ n^{exponent:.2f}",
            f"x{per_article:.2f} CPU per article, x{memory:.1f} peak memory",
            "linear (exponent <= 1.15)",
            verdict(linear),
            1,
        ),
    ]
    return rows


def jobs_rows(
    n: int, corpus: Path, single: list[dict[str, Any]], args: argparse.Namespace, work: Path
) -> list[Row]:
    """``--jobs 2`` against ``--jobs 1`` on the same corpus, runs interleaved."""
    runs = args.repeat if n < args.many else 1
    one, two = list(single[:1]), []
    for run in range(runs):
        if run:
            one.append(run_child_build(corpus, work / f"build-{n}", 1))
        two.append(run_child_build(corpus, work / f"build-{n}-j2", args.jobs))
        log(
            f"build: {n} articles --jobs {args.jobs}, run {run + 1}/{runs}: "
            f"{two[-1]['wall']:.1f} s wall"
        )
    speedup = _med(one, "wall") / _med(two, "wall")
    cpus = os.cpu_count() or 1
    return [
        Row(
            "build",
            f"{n} articles: --jobs {args.jobs} against --jobs 1 (wall)",
            f"{secs(_med(two, 'wall'))} vs {secs(_med(one, 'wall'))}",
            f"x{speedup:.2f} speed-up",
            f"up to x{min(args.jobs, cpus)} on {cpus} cores",
            "",
            runs,
            {"one": one, "two": two},
        )
    ]


# --- 2. query latency --------------------------------------------------------------


def query_params(query: Any) -> dict[str, str]:
    """The benchmark's parameters for a canned query: known ones, else a default per type."""
    if query.name in QUERY_PARAMS:
        return dict(QUERY_PARAMS[query.name])
    return {
        p.name: DEFAULT_BY_TYPE[p.type]
        for p in query.params
        if not p.optional and p.default is None
    }


class QueryTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt pure-Python work (rdflib's SPARQL engine) after ``seconds``."""

    def expire(signum: int, frame: Any) -> None:
        raise QueryTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def timed_runs(run: Callable[[], Any], repeat: int, budget: float) -> tuple[list[float], Any]:
    """Time ``run`` up to ``repeat`` times (stop after a run over ``budget`` s): times, result."""
    times: list[float] = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
        if times[-1] > budget:
            break
    return times, result


def query_section(args: argparse.Namespace, work: Path) -> tuple[list[Row], Any]:
    import pyoxigraph as ox
    from shape import build_dataset

    from kg import queries
    from kg import store as embedded
    from kg.endpoint import bind_values

    log(f"query: building a dataset of ~{args.triples:,} triples")
    data = build_dataset(
        work, args.triples, seed=args.seed, words=args.words, jobs=args.jobs, reuse=args.reuse
    )
    log(
        f"query: {data.build_dir}: {data.articles} articles, {data.quads:,} quads "
        f"({data.seconds:.0f} s)"
    )
    rows = [
        Row(
            "query",
            "dataset: generated articles, real kg build",
            f"{data.quads:,} quads, {data.triples:,} triples",
            f"{data.articles} articles",
            "",
            "",
            1,
        )
    ]
    store = embedded.open_store(data.build_dir)
    nquads = work / "dataset.nq"
    store.dump(output=str(nquads), format=ox.RdfFormat.N_QUADS)
    rdf = load_rdflib(nquads)
    log(f"query: rdflib parsed {rdf[2]:,} triples in {rdf[1]:.0f} s")
    rows.append(
        Row(
            "query",
            "rdflib: parse the same N-Quads into memory",
            secs(rdf[1]),
            f"{rdf[2]:,} triples",
            "",
            "",
            1,
        )
    )
    for query in queries.list_queries():
        for params in [query_params(query), *EXTRA_QUERY_PARAMS.get(query.name, [])]:
            rows.append(one_query(query, params, store, rdf[0], args, bind_values))
    return rows, data


def load_rdflib(path: Path) -> tuple[Any, float, int]:
    import rdflib

    started = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)  # as the embedded store: union default graph
    dataset.parse(str(path), format="nquads")
    return dataset, time.perf_counter() - started, len(dataset)


def one_query(
    query: Any,
    params: dict[str, str],
    store: Any,
    rdf: Any,
    args: argparse.Namespace,
    bind_values: Callable[..., str],
) -> Row:
    """Median latency of a canned query on the embedded store and on rdflib, and their ratio."""
    from kg import queries

    name = f"{query.name} {' '.join(f'{k}={v}' for k, v in params.items())}".strip()
    try:
        first = time.perf_counter()
        queries.run_query(query.name, params, store=store)  # loads the entity index once
        cold = time.perf_counter() - first
        times, result = timed_runs(
            lambda: queries.run_query(query.name, params, store=store), args.repeat_query, 10.0
        )
    except Exception as error:  # noqa: BLE001 - the table says what failed
        return Row(
            "query",
            name,
            f"embedded: error {type(error).__name__}: {str(error)[:80]}",
            "",
            "< 100 ms; >= 20x rdflib",
            "NO",
            0,
        )
    embedded = median(times)
    run, key, keep = queries._runner(store, None, None, None, None, None)
    terms = queries.bind_params(query, params, queries.entity_resolver(run, key, keep))
    text = bind_values(query.text, terms)  # the same question, parameters as a VALUES block
    rdf_times: list[float] = []
    note = ""
    try:
        for _ in range(args.repeat_rdflib):
            with time_limit(args.rdflib_timeout):
                started = time.perf_counter()
                rdf_rows = len(list(rdf.query(text)))
                rdf_times.append(time.perf_counter() - started)
            if rdf_rows != len(result.rows):
                note = f"; rdflib: {rdf_rows} rows"
            if rdf_times[-1] > 2.0:
                break
    except QueryTimeout:
        note = f"; rdflib stopped at {args.rdflib_timeout:g} s"
    except Exception as error:  # noqa: BLE001 - rdflib bugs are part of the comparison
        note = f"; rdflib fails: {type(error).__name__}: {str(error)[:50]}"
    log(
        f"query: {query.name}: embedded {ms(embedded)}, rdflib "
        + (ms(median(rdf_times)) if rdf_times else note.strip("; ").removeprefix("rdflib "))
    )
    fast = embedded < 0.1
    if rdf_times:
        ratio = median(rdf_times) / embedded
        ratio_text = f"rdflib {ms(median(rdf_times))} = x{ratio:,.0f}"
        ok = fast and ratio >= 20
    elif "stopped" in note and embedded < args.rdflib_timeout:
        ratio = args.rdflib_timeout / embedded
        ratio_text = f"rdflib > {args.rdflib_timeout:g} s = > x{ratio:,.0f}"
        ok = fast and ratio >= 20
    elif "stopped" in note:
        ratio_text, ok = f"rdflib > {args.rdflib_timeout:g} s: no ratio", False
    else:
        ratio_text, ok = "rdflib: n/a", fast
    value = f"{ms(embedded)}, {len(result.rows)} rows (1st call {ms(cold)}){note}"
    return Row(
        "query",
        name,
        value,
        ratio_text,
        "< 100 ms; >= 20x rdflib",
        verdict(ok),
        len(times),
        {"embedded": times, "cold": cold, "rdflib": rdf_times, "rows": len(result.rows)},
    )


# --- 3. CLI responsiveness -------------------------------------------------------------


def run_quiet(command: Sequence[str], **kwargs: Any) -> float:
    """Wall seconds from process start to exit; raises when the command fails."""
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.decode()[-2000:]}")
    return seconds


def cli_section(args: argparse.Namespace, work: Path) -> list[Row]:
    if KG is None:
        raise RuntimeError(f"no `kg` script beside {sys.executable}: pip install -e {ROOT}")
    shipped = work / "shipped-build"
    log("cli: building the shipped corpus")
    run_quiet([KG, "build", "--out", str(shipped), "--quiet"], cwd=work)
    commands = {
        "floor": [sys.executable, "-c", "import rdflib"],
        "bare": [sys.executable, "-c", "pass"],
        "query": [KG, "query", "control-timeline", "-p", "place=Kidal", "--build", str(shipped)],
        "help": [KG, "--help"],
    }
    for command in commands.values():  # warm the file cache and .pyc files once
        run_quiet(command, cwd=work)
    times: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(args.repeat_cli):  # round robin: each run of each command sees the same load
        for key, command in commands.items():
            times[key].append(run_quiet(command, cwd=work))
    floor = median(times["floor"])
    q, h = median(times["query"]) / floor, median(times["help"]) / floor
    runs = args.repeat_cli
    return [
        Row("cli", 'python -c "import rdflib" (floor)', ms(floor), "x1.00", "", "", runs),
        Row(
            "cli",
            'python -c "pass" (interpreter alone)',
            ms(median(times["bare"])),
            f"x{median(times['bare']) / floor:.2f}",
            "",
            "",
            runs,
        ),
        Row(
            "cli",
            "kg query control-timeline -p place=Kidal",
            ms(median(times["query"])),
            f"x{q:.2f}",
            "<= x1.5",
            verdict(q <= 1.5),
            runs,
        ),
        Row(
            "cli",
            "kg --help",
            ms(median(times["help"])),
            f"x{h:.2f}",
            "<= x1.2",
            verdict(h <= 1.2),
            runs,
            dict(times),
        ),
    ]


# --- 4. loading ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def oxigraph_server(location: Path) -> Iterator[str]:
    """``oxigraph serve`` on a fresh folder and a free loopback port; stopped by its PID."""
    port = free_port()
    binary = str(BIN / "oxigraph") if (BIN / "oxigraph").exists() else "oxigraph"
    shutil.rmtree(location, ignore_errors=True)
    process = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("oxigraph serve did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(location, ignore_errors=True)


def count_quads(url: str) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    request = urllib.request.Request(
        f"{url}/query?{urllib.parse.urlencode({'query': query})}", headers={"Accept": "text/csv"}
    )
    with urllib.request.urlopen(request, timeout=600) as response:
        return int(response.read().decode().split()[-1])


def graph_files(store_dir: Path, folder: Path) -> list[tuple[str, Path]]:
    """Each named graph of the build as N-Triples in its own file (the bodies `kg load` PUTs)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_dir))
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for number, graph in enumerate(sorted(store.named_graphs(), key=lambda g: g.value)):
        path = folder / f"{number:05d}.nt"
        store.dump(output=str(path), format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        files.append((graph.value, path))
    return files


def load_section(args: argparse.Namespace, work: Path, data: Any) -> list[Row]:
    import pyoxigraph as ox

    if data is None:
        from shape import build_dataset

        data = build_dataset(
            work, args.triples, seed=args.seed, words=args.words, jobs=args.jobs, reuse=args.reuse
        )
    nquads = work / "dataset.nq"
    if not nquads.exists():
        ox.Store.read_only(str(data.build_dir / "store")).dump(
            output=str(nquads), format=ox.RdfFormat.N_QUADS
        )
    graphs = graph_files(data.build_dir / "store", work / "graphs")
    config = work / "graphs.curl"
    config.write_text(
        "".join(
            f'url = "/store?graph={urllib.parse.quote(iri, safe="")}"\nupload-file = "{path}"\n'
            for iri, path in graphs
        )
    )
    curl = shutil.which("curl")
    oxigraph = str(BIN / "oxigraph") if (BIN / "oxigraph").exists() else "oxigraph"
    times: dict[str, list[float]] = {"kg": [], "curl": [], "curl-graphs": [], "oxigraph": []}
    expected = data.quads
    for run in range(args.repeat_load):
        with oxigraph_server(work / "server") as url:
            times["kg"].append(
                run_quiet(
                    [KG or "kg", "load", "--store", f"{url}/store", "--build", str(data.build_dir)]
                )
            )
            check(count_quads(url), expected, "kg load")
        if curl:
            with oxigraph_server(work / "server") as url:
                times["curl"].append(
                    run_quiet(
                        [
                            curl,
                            "-sSf",
                            "-X",
                            "PUT",
                            "-H",
                            "Content-Type: application/n-quads",
                            "--data-binary",
                            f"@{nquads}",
                            f"{url}/store",
                        ]
                    )
                )
                check(count_quads(url), expected, "curl PUT")
            with oxigraph_server(work / "server") as url:
                text = config.read_text().replace('url = "/store', f'url = "{url}/store')
                (work / "graphs-url.curl").write_text(text)
                times["curl-graphs"].append(
                    run_quiet(
                        [
                            curl,
                            "-sSf",
                            "-H",
                            "Content-Type: application/n-triples",
                            "-K",
                            str(work / "graphs-url.curl"),
                        ]
                    )
                )
                check(count_quads(url), expected, "curl PUT per graph")
        shutil.rmtree(work / "offline", ignore_errors=True)
        times["oxigraph"].append(
            run_quiet(
                [oxigraph, "load", "--location", str(work / "offline"), "--file", str(nquads)]
            )
        )
        shutil.rmtree(work / "offline", ignore_errors=True)
        log(
            f"load: run {run + 1}/{args.repeat_load}: "
            + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items() if v)
        )
    kg_load = median(times["kg"])
    runs = args.repeat_load
    what = f"{data.quads:,} quads, {len(graphs)} graphs"
    rows = []
    if times["curl"]:
        curl_one, curl_graphs = median(times["curl"]), median(times["curl-graphs"])
        floor = min(curl_one, curl_graphs)  # the faster way to send the same data is the floor
        rows += [
            Row(
                "load",
                f"curl PUT per graph: the requests kg load makes (N-Triples); {what}",
                secs(curl_graphs),
                f"x{curl_graphs / floor:.2f}",
                "",
                "",
                runs,
            ),
            Row(
                "load",
                "curl PUT of the whole dataset in one request (N-Quads)",
                secs(curl_one),
                f"x{curl_one / floor:.2f}",
                "",
                "",
                runs,
            ),
            Row(
                "load",
                "kg load (PUT per graph + count check)",
                secs(kg_load),
                f"x{kg_load / floor:.2f} fastest curl (x{kg_load / curl_one:.2f} one-request PUT)",
                "<= x1.2 curl PUT",
                verdict(kg_load / floor <= 1.2),
                runs,
            ),
        ]
    offline = median(times["oxigraph"])
    rows.append(
        Row(
            "load",
            "oxigraph load (offline bulk loader, same N-Quads)",
            secs(offline),
            f"kg load = x{kg_load / offline:.2f}",
            "report",
            "",
            runs,
            {"times": times},
        )
    )
    return rows


def check(found: int, expected: int, what: str) -> None:
    if found != expected:
        raise RuntimeError(f"{what}: the store holds {found} quads, expected {expected}")


# --- the run ----------------------------------------------------------------------------


def machine_lines() -> list[str]:
    """Where the figures come from: CPU, cores, memory, Python and library versions."""
    from importlib.metadata import PackageNotFoundError, version

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GB
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    versions = []
    for package in ("pyoxigraph", "oxigraph", "rdflib", "typer", "requests"):
        try:
            versions.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            pass
    try:
        revision = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        revision = ""
    return [
        f"code: {revision or 'unknown revision'} ({ROOT})",
        f"machine: {model or 'unknown CPU'}, {len(os.sched_getaffinity(0))} cores (nproc), "
        f"{memory:.1f} GiB RAM, load average {load}",
        f"python {sys.version.split()[0]}; " + ", ".join(versions),
    ]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes: a smoke run of every benchmark"
    )
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        help="corpus sizes for the build benchmark (default 100,1000,10000)",
    )
    parser.add_argument("--words", type=int, help="words per generated article (default 700)")
    parser.add_argument(
        "--triples", type=float, help="size of the query/load dataset (default 1e6)"
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="processes for the --jobs run (default 2)"
    )
    parser.add_argument(
        "--jobs-size", type=int, help="corpus size of the --jobs comparison (default 100)"
    )
    parser.add_argument("--repeat", type=int, help="runs per build size below --many (default 3)")
    parser.add_argument("--many", type=int, default=1000, help="sizes from here on are built once")
    parser.add_argument(
        "--max-build-minutes",
        type=float,
        default=30.0,
        help="skip a size whose build is projected to need more CPU minutes (default 30)",
    )
    parser.add_argument(
        "--repeat-query", type=int, help="runs per query on the embedded store (default 7)"
    )
    parser.add_argument(
        "--repeat-rdflib", type=int, help="runs per query on rdflib (default 3; 1 if > 2 s)"
    )
    parser.add_argument(
        "--rdflib-timeout", type=float, help="stop an rdflib query after this (default 20 s)"
    )
    parser.add_argument("--repeat-cli", type=int, help="runs per CLI command (default 9)")
    parser.add_argument(
        "--repeat-load", type=int, help="runs per load method (default 1: minutes each)"
    )
    parser.add_argument("--seed", type=int, default=7)
    for section in SECTIONS:
        parser.add_argument(
            f"--skip-{section}", action="store_true", help=f"skip the {section} benchmark"
        )
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one, removed)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a dataset already built in --work"
    )
    parser.add_argument("--format", choices=("text", "markdown"), default="text")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    parser.add_argument(
        "--child-build", nargs=3, metavar=("CORPUS", "OUT", "JOBS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "sizes": [3, 6] if quick else [100, 1000, 10_000],
        "words": 250 if quick else 700,
        "triples": 20_000 if quick else 1_000_000,
        "jobs_size": 6 if quick else 100,
        "repeat": 1 if quick else 3,
        "repeat_query": 2 if quick else 7,
        "repeat_rdflib": 1 if quick else 3,
        "rdflib_timeout": 5.0 if quick else 20.0,
        "repeat_cli": 2 if quick else 9,
        "repeat_load": 1,
    }
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.triples = int(args.triples)
    args.target_size = 1000  # where the articles/s target applies
    args.memory_size = 10_000  # where the memory target applies
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child_build:
        corpus, out, jobs = args.child_build
        print(json.dumps(child_build(Path(corpus), Path(out), int(jobs))))
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    data = None
    started = time.perf_counter()
    try:
        if not args.skip_build:
            rows += build_section(args, work)
        if not args.skip_query:
            query_rows, data = query_section(args, work)
            rows += query_rows
        if not args.skip_cli:
            rows += cli_section(args, work)
        if not args.skip_load:
            rows += load_section(args, work, data)
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    lines = machine_lines() + [f"total benchmark time: {time.perf_counter() - started:.0f} s", ""]
    print("\n".join(lines + table_lines(rows, args.format)))
    if args.json:
        args.json.write_text(
            json.dumps(
                {"machine": machine_lines(), "rows": [asdict(r) for r in rows]},
                indent=1,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
