"""A build of about N triples in the builder's own shape, for the query and load benchmarks.

The data is real output: generated articles (benchmarks/generate.py) built by
``kg.pipeline.build``, so periods, memberships, claims, evidence and mentions
have exactly the shape and proportions the builder emits. A probe build of a
few articles measures triples per article; the corpus is then sized to reach
the target.

    python benchmarks/shape.py /tmp/kg-1m --triples 1000000 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for entry in (ROOT, ROOT / "benchmarks"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from generate import WORDS, generate_corpus  # noqa: E402

__all__ = ["Dataset", "base_triples", "triples_per_article", "build_dataset"]

PROBE = 12  # articles in the probe build
MARKER = "benchmark-dataset.json"


@dataclass(frozen=True)
class Dataset:
    """A finished build: its folder, how many articles and triples, how long it took."""

    build_dir: Path
    articles: int
    triples: int  # kg.ttl triples (graphs merged)
    quads: int  # kg.trig / store quads
    seconds: float
    reused: bool = False


def base_triples() -> int:
    """Quads a build holds before any article: the ontology and registry graphs."""
    from kg import emit
    from kg.resources import resource_path

    folder = resource_path("ontology")
    return len(emit.ontology_quads(folder / "sahel.ttl")) + len(
        emit.registry_quads(folder / "registry.ttl")
    )


def triples_per_article(work: Path, *, seed: int = 7, words: int = WORDS) -> float:
    """Quads per generated article, from a probe build of :data:`PROBE` articles."""
    from kg import pipeline

    corpus, out = work / "probe-corpus", work / "probe-build"
    generate_corpus(corpus, PROBE, seed=seed, words=words)
    report = pipeline.build(corpus, out)
    shutil.rmtree(out, ignore_errors=True)
    return max(1.0, (report.quads - base_triples()) / PROBE)


def build_dataset(
    work: Path,
    triples: int,
    *,
    seed: int = 7,
    words: int = WORDS,
    jobs: int = 1,
    reuse: bool = False,
) -> Dataset:
    """Generate and build a corpus of about ``triples`` quads under ``work/dataset``.

    With ``reuse``, a dataset already built there for the same target, seed
    and article length is returned as it is.
    """
    from kg import pipeline

    work.mkdir(parents=True, exist_ok=True)
    out = work / "dataset"
    wanted = {"triples": triples, "seed": seed, "words": words}
    marker = out / MARKER
    if reuse and marker.exists():
        found = json.loads(marker.read_text())
        if found.get("wanted") == wanted:
            return Dataset(
                out, found["articles"], found["triples"], found["quads"], found["seconds"], True
            )
    per_article = triples_per_article(work, seed=seed, words=words)
    articles = max(
        1, math.ceil((triples - base_triples()) / per_article * 1.03)
    )  # reach the target
    corpus = work / "dataset-corpus"
    generate_corpus(corpus, articles, seed=seed, words=words)
    started = time.perf_counter()
    report = pipeline.build(corpus, out, jobs=jobs)
    seconds = time.perf_counter() - started
    shutil.rmtree(corpus, ignore_errors=True)
    marker.write_text(
        json.dumps(
            {
                "wanted": wanted,
                "articles": articles,
                "triples": report.triples,
                "quads": report.quads,
                "seconds": seconds,
            }
        )
    )
    return Dataset(out, articles, report.triples, report.quads, seconds)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("work", type=Path, help="work folder; the build goes to WORK/dataset")
    parser.add_argument("--triples", type=float, default=1e6, help="target size (default 1e6)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--words", type=int, default=WORDS)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="keep a matching earlier dataset")
    args = parser.parse_args(argv)
    data = build_dataset(
        args.work,
        int(args.triples),
        seed=args.seed,
        words=args.words,
        jobs=args.jobs,
        reuse=args.reuse,
    )
    print(
        f"{data.build_dir}: {data.articles} articles, {data.triples} triples, {data.quads} quads, "
        f"built in {data.seconds:.1f} s{' (reused)' if data.reused else ''}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
