"""The README's examples, run as written (issue 13, point 7), so that it cannot drift.

In a folder holding nothing, ``kg build`` builds the shipped corpus into
``build/`` as the README shows; then every ``$ kg ...`` line of the tour that
needs no server runs with exit 0, and what the README states is compared with
what comes out: the build summary's figures, the Kidal timeline's rows, the
members of CSP-PSD and AES, the casualty figures for Kidal. A change to the
extraction that changes these must change the README with it.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
TOUR = README[README.index("## A tour") : README.index("## The flow")]
#: Tour lines that need a server, a file of one's own, or are tested at length elsewhere.
NOT_HERE = ("--endpoint", "kg load", "kg serve", "kg report", "kg validate", "kg eval")


def kg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "kg"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "kg"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd, env={**os.environ, "COLUMNS": "250"})  # fmt: skip


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where `kg build` ran as the README says (its summary in build.out)."""
    here = tmp_path_factory.mktemp("readme")
    done = kg("build", cwd=here)
    assert done.returncode == 0, done.stderr
    (here / "build.out").write_text(done.stdout)
    return here


def tour_commands() -> list[str]:
    """The ``$ kg ...`` lines of the tour's console blocks, comments cut."""
    lines = re.findall(r"^\$ (kg .*?)(?:\s+#.*)?$", TOUR, flags=re.MULTILINE)
    return [line for line in lines
            if line != "kg build" and not any(word in line for word in NOT_HERE)]  # fmt: skip


def test_the_tour_has_its_commands() -> None:
    assert len(tour_commands()) >= 12


@pytest.mark.parametrize("command", tour_commands())
def test_each_tour_command_runs(folder: Path, command: str) -> None:
    words = shlex.split(command)[1:]
    done = kg(*words, cwd=folder)
    assert done.returncode == 0, done.stderr
    if "-o" in words:  # a command that writes a file says nothing: the file is its answer
        assert (folder / words[words.index("-o") + 1]).stat().st_size > 0
    else:
        assert done.stdout


def test_the_build_summary_is_the_readmes(folder: Path) -> None:
    block = re.search(r"```console\n\$ kg build\n(.*?)```", TOUR, flags=re.DOTALL)
    assert block is not None
    shown = [re.sub(r"in [\d.]+ s$", "in S s", line) for line in block.group(1).splitlines()]
    built = [re.sub(r"in [\d.]+ s$", "in S s", line)
             for line in (folder / "build.out").read_text().splitlines()]  # fmt: skip
    assert built == shown, "update the `kg build` block of README.md, 'A tour'"


def rows(table: str) -> list[list[str]]:
    """The cells of a text table (columns at least two spaces apart), rule lines left out."""
    return [re.split(r"\s{2,}", line.strip()) for line in table.strip().splitlines()
            if line.strip() and not line.startswith("-")]  # fmt: skip


def test_the_kidal_timeline_is_the_readmes(folder: Path) -> None:
    start = TOUR.index("IRI column left out here")
    block = TOUR[TOUR.index("```\n", start) + 4 : TOUR.index("\n```", start + 40)]
    done = kg("query", "control-timeline", "-p", "place=Kidal", cwd=folder)
    assert done.returncode == 0, done.stderr
    table = [row[1:] for row in rows(done.stdout)[1:-1]]  # no header, IRI or row count
    shown = rows(block)[1:]
    assert len(table) == len(shown)
    for got, want in zip(table, shown, strict=True):
        # the README cuts the documents column; compare all it shows
        assert [c for c in got if not c.startswith("0")] == [c for c in want if
                                                            not c.startswith("0")], got
        documents = " ".join(c for c in want if c.startswith("0")).rstrip("…")
        assert " ".join(c for c in got if c.startswith("0")).startswith(documents)


def members(folder: Path, alliance: str) -> dict[str, str]:
    done = kg("query", "alliance-members", "-p", f"alliance={alliance}", "-f", "csv",
              cwd=folder)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return {row["memberLabel"]: row["end"][:7] for row in csv.DictReader(io.StringIO(done.stdout))}


def test_the_alliance_members_are_the_readmes(folder: Path) -> None:
    assert "alliance=CSP-PSD  # CMA, and Platform until 2023-09" in TOUR
    assert members(folder, "CSP-PSD") == {
        "Coordination of Azawad Movements": "", "Platform": "2023-09",
    }  # fmt: skip
    assert "alliance=AES      # Mali, Burkina Faso, Niger" in TOUR
    assert sorted(members(folder, "AES")) == ["Burkina Faso", "Mali", "Niger"]


def test_the_kidal_casualty_figures_are_the_readmes(folder: Path) -> None:
    line = re.search(r"casualty-claims -p place=Kidal\s+# (.*?), each with its claimant", TOUR)
    assert line is not None
    figures = line.group(1).split(" / ")
    done = kg("query", "casualty-claims", "-p", "place=Kidal", "-f", "csv", cwd=folder)
    assert done.returncode == 0, done.stderr
    texts = {row["countText"].lower() for row in csv.DictReader(io.StringIO(done.stdout))}
    assert {f.lower() for f in figures} <= texts, texts


def test_the_kidal_events_are_the_readmes(folder: Path) -> None:
    """The events table of 'Events: one row per happening': date, kind, place, sources,
    claims and disputed of each row, as the query gives them."""
    start = TOUR.index("```\n", TOUR.index("### Events: one row per happening")) + 4
    block = TOUR[start : TOUR.index("\n```", start)]
    done = kg("query", "events", "-p", "place=Kidal", "-p", "from=2023-10-01", "-p",
              "to=2023-12-31", "-f", "csv", cwd=folder)  # fmt: skip
    assert done.returncode == 0, done.stderr
    got = [(r["start"][:10], r["end"][:10], r["kind"], r["whereLabel"], r["sources"], r["claims"],
            r["disputed"]) for r in csv.DictReader(io.StringIO(done.stdout))]  # fmt: skip
    shown = []
    for line in block.splitlines()[1:]:
        cells = re.split(r"\s{2,}", line.strip())
        dated = re.match(r"(\S+)(?:\s+(\d{4}-\d\d-\d\d))?\s{2,}", line)
        assert dated is not None, line
        numbers = [i for i, c in enumerate(cells) if re.fullmatch(r"\d+", c)]
        kind_at = 2 if dated.group(2) else 1
        shown.append((dated.group(1), dated.group(2) or "", cells[kind_at], cells[kind_at + 1],
                      cells[numbers[0]], cells[numbers[1]], cells[numbers[1] + 1]))  # fmt: skip
    assert got == shown
