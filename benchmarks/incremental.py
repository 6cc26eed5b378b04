"""Adding articles to a build against building it all again (issue 15).

    python benchmarks/incremental.py                 # 1,000 articles + 10, in a temporary folder
    python benchmarks/incremental.py -n 200 --add 5 --work /tmp/inc --keep

Generates ``n + add`` articles (benchmarks/generate.py), builds the first
``n`` with ``kg build``, then times, each in a fresh child process running
the console script as a user would:

1. ``kg add`` of the ``add`` new articles to that build;
2. ``kg build`` of all ``n + add`` articles into an empty folder (the full rebuild);
3. ``kg build`` of the same folder again with nothing changed (cache hits only);
4. ``kg remove`` of the ``add`` articles, then ``kg add`` of them again.

It checks that 1, 2 and 4 give the same kg.trig, kg.ttl and manifest.json
bytes, and prints wall and CPU seconds of each and the ratio full / add.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
KG = str(Path(sys.executable).parent / "kg")
FILES = ("kg.trig", "kg.ttl", "manifest.json")


def timed(*args: str) -> tuple[float, float]:
    """Wall and CPU seconds (children's) of one kg command; it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([KG, *args, "--quiet"], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def same(a: Path, b: Path) -> bool:
    return all(filecmp.cmp(a / f, b / f, shallow=False) for f in FILES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="articles in the first build")
    parser.add_argument("--add", type=int, default=10, help="articles added to it")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-incremental-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        run(work, args.n, args.add)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def run(work: Path, n: int, add: int) -> None:
    every, first = work / "all", work / "first"
    for folder in (every, first):
        shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(every), "-n", str(n + add)],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    names = sorted(p.name for p in every.glob("*.txt"))
    first.mkdir()
    for name in names[:n]:
        os.link(every / name, first / name)
    added = [str(every / name) for name in names[n:]]
    grown, full = work / "grown", work / "full"
    for folder in (grown, full):
        shutil.rmtree(folder, ignore_errors=True)
    print(f"building {n} articles ...", file=sys.stderr)
    base = timed("build", str(first), "-o", str(grown))
    print(f"adding {add} ...", file=sys.stderr)
    add_t = timed("add", *added, "-o", str(grown))
    print(f"full rebuild of {n + add} ...", file=sys.stderr)
    full_t = timed("build", str(every), "-o", str(full))
    again = timed("build", str(every), "-o", str(full))
    identical = same(grown, full)
    ids = [Path(a).stem for a in added]
    remove_t = timed("remove", *ids, "-o", str(grown))
    readd_t = timed("add", *added, "-o", str(grown))
    restored = same(grown, full)
    rows = [
        (f"kg build, {n} articles (first build)", base),
        (f"kg add, {add} articles to it", add_t),
        (f"kg build, all {n + add} from scratch", full_t),
        (f"kg build, all {n + add} again, nothing changed", again),
        (f"kg remove, the {add}", remove_t),
        (f"kg add, the {add} again", readd_t),
    ]
    print(f"| step | wall s | CPU s |\n|---|---|---|")
    for label, (wall, cpu) in rows:
        print(f"| {label} | {wall:.2f} | {cpu:.2f} |")
    print(f"\nfull rebuild / add: {full_t[0] / add_t[0]:.1f}x wall, {full_t[1] / add_t[1]:.1f}x CPU")
    print(f"add = full rebuild (kg.trig, kg.ttl, manifest.json bytes): {identical}")
    print(f"remove then add = full rebuild: {restored}")


if __name__ == "__main__":
    main()
