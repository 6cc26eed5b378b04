"""Events on the shipped corpus: one row per happening, its sources, and the ACLED-style CSV.

The shipped corpus is built once; the Kidal events of October to December
2023 must come out one row each, in date order, with every source's figures;
``kg export --format acled-csv`` must open in pandas with ACLED's columns.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from kg.acled import ACLED_COLUMNS, COLUMNS
from kg.cli import app
from kg.model import QueryResult
from kg.pipeline import build
from kg.queries import run_query

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 1, 1)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("events") / "build"
    build(ROOT / "corpus", out, today=TODAY)
    return out


def table(result: QueryResult) -> list[dict[str, str]]:
    return [
        {v: (t.value if t else "") for v, t in zip(result.variables, row, strict=True)}
        for row in result.rows
    ]


@pytest.fixture(scope="module")
def kidal_autumn(built: Path) -> list[dict[str, str]]:
    params = {"place": "Kidal", "from": "2023-10-01", "to": "2023-12-31"}
    return table(run_query("events", params, build_dir=built))


def test_the_capture_of_kidal_is_one_row_with_its_five_articles(
    kidal_autumn: list[dict[str, str]],
) -> None:
    captures = [r for r in kidal_autumn if r["start"] == "2023-11-14"]
    assert len(captures) == 1
    [capture] = captures
    assert (capture["kind"], capture["whereLabel"]) == ("capture", "Kidal")
    assert capture["sources"] == "5"
    assert int(capture["claims"]) >= 9  # every capture claim and the rebels' withdrawal
    assert "Malian Armed Forces" in capture["sideA"]
    assert "Permanent Strategic Framework for Peace, Security, and Development" in capture["sideB"]


def test_drone_strikes_and_the_minusma_departure_are_their_own_rows_in_date_order(
    kidal_autumn: list[dict[str, str]],
) -> None:
    starts = [r["start"] for r in kidal_autumn]
    assert starts == sorted(starts)
    assert len(set(zip(starts, (r["kind"] for r in kidal_autumn), strict=True))) == len(starts)
    strikes = [r["start"] for r in kidal_autumn if r["kind"] == "drone strike"]
    assert strikes == ["2023-11-03", "2023-11-07", "2023-11-09"]
    [departure] = [r for r in kidal_autumn if r["start"] == "2023-10-31"]
    assert departure["whereLabel"] == "MINUSMA camp in Kidal"
    assert "United Nations Multidimensional Integrated Stabilization Mission in Mali" in (
        departure["sideB"]
    )
    assert int(departure["sources"]) == 3  # the rebels took the base, MINUSMA withdrew


def test_each_source_keeps_its_figure_and_the_disagreement_shows(
    kidal_autumn: list[dict[str, str]],
) -> None:
    [strike] = [r for r in kidal_autumn if r["start"] == "2023-11-07"]
    figures = strike["casualties"].split("; ")
    assert "fourteen civilians killed (Wikipedia)" in figures
    assert "ten people killed (Radio France Internationale)" in figures
    assert (strike["disputed"], strike["disagreements"]) == ("true", "figures")


def test_the_clashes_in_the_alkit_valley_are_rows_of_the_kidal_region(built: Path) -> None:
    params = {"place": "Kidal Region", "from": "2023-11-01", "to": "2023-11-30"}
    rows = table(run_query("events", params, build_dir=built))
    clashes = [(r["start"], r["whereLabel"]) for r in rows if r["kind"] == "clash"]
    assert clashes == [("2023-11-11", "Alkit Valley"), ("2023-11-12", "Alkit Valley")]


def test_event_sources_lists_every_claim_and_quote_behind_the_capture(
    built: Path, kidal_autumn: list[dict[str, str]]
) -> None:
    [capture] = [r for r in kidal_autumn if r["start"] == "2023-11-14"]
    rows = table(run_query("event-sources", {"event": capture["event"]}, build_dir=built))
    event_claims = [r for r in rows if r["kind"] in ("capture", "withdrawal")]
    assert len(event_claims) == int(capture["claims"])
    assert {r["document"][:3] for r in rows} == {"000", "001", "002", "003", "004"}
    assert all(r["quote"] and int(r["quoteStart"]) < int(r["quoteEnd"]) for r in rows)


def test_control_timeline_and_casualty_claims_link_to_events(
    built: Path, kidal_autumn: list[dict[str, str]]
) -> None:
    [capture] = [r for r in kidal_autumn if r["start"] == "2023-11-14"]
    local = "event:" + capture["event"].rsplit("/", 1)[-1]
    periods = table(run_query("control-timeline", {"place": "Kidal"}, build_dir=built))
    [army] = [p for p in periods if p["start"] == "2023-11-14"]
    assert local in army["events"].split()
    figures = table(run_query("casualty-claims", {"place": "Kidal"}, build_dir=built))
    [strike] = [r for r in kidal_autumn if r["start"] == "2023-11-07"]
    assert {f["countText"] for f in figures if f["reportsEvent"] == strike["event"]} >= {
        "fourteen", "ten",
    }  # fmt: skip


def test_the_acled_export_opens_in_pandas_with_the_documented_columns(
    built: Path, tmp_path: Path
) -> None:
    out = tmp_path / "events.csv"
    result = CliRunner().invoke(app, ["export", "--format", "acled-csv", "-o", str(out),
                                      "--build", str(built)])  # fmt: skip
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert tuple(frame.columns) == COLUMNS
    assert set(ACLED_COLUMNS) >= {
        "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
        "assoc_actor_1", "actor2", "location", "admin1", "latitude", "longitude", "source",
        "notes", "fatalities",
    }  # fmt: skip
    manifest_events = pd.read_json(built / "manifest.json", typ="series")["events"]["events"]
    assert len(frame) == manifest_events  # one row per resolved event
    [capture] = frame[(frame.location == "Kidal") & (frame.event_date == "2023-11-14")].to_dict(
        "records"
    )
    assert capture["event_type"] == "Battles"
    assert capture["sub_event_type"] == "Government regains territory"
    assert capture["actor1"] == "Malian Armed Forces"
    assert (capture["admin1"], capture["country"]) == ("Kidal Region", "Mali")
    assert (capture["latitude"], capture["longitude"]) == ("18.4411", "1.4078")
    assert capture["source_count"] == "5"
    assert capture["event_iri"].startswith("https://w3id.org/sahel-kg/event/")
    [strike] = frame[frame.event_date == "2023-11-07"].to_dict("records")
    assert strike["fatalities"] == "10"  # ACLED's lowest reported figure; all of them beside:
    assert "fourteen civilians killed (Wikipedia)" in strike["fatalities_reported"]
    assert pd.to_datetime(frame.event_date[frame.event_date != ""]).is_monotonic_increasing


def test_the_acled_export_is_the_same_bytes_on_every_run(built: Path) -> None:
    runs = [CliRunner().invoke(app, ["export", "--format", "acled", "--build", str(built)])
            for _ in range(2)]  # fmt: skip
    assert runs[0].exit_code == 0, runs[0].output
    assert runs[0].stdout_bytes == runs[1].stdout_bytes
    assert pd.read_csv(io.BytesIO(runs[0].stdout_bytes)).shape[1] == len(COLUMNS)
