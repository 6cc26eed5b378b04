"""``kg report``: the HTML report of the shipped corpus, checked in Python and in a real browser.

The browser is Debian's ``chromium`` driven by Selenium through Debian's
``chromedriver`` (no browser is downloaded), started headless with a fresh
profile and no background networking. Where chromium is not installed the
browser tests are skipped with the reason, unless ``KG_REQUIRE_CHROMIUM=1``
(set by ``.ci/run``): then they fail.

The expected Kidal periods are the README's ``kg query control-timeline -p
place=Kidal`` table; the CSP-PSD members are the README's ("CMA, and Platform
until 2023-09").
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import missing_tool

from kg import queries
from kg.endpoint import load_build
from kg.errors import KgError
from kg.pipeline import build
from kg.report import make_report
from kg.report.data import end_bound, period_bounds, start_bound, with_items

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
TODAY = date(2026, 1, 1)
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REQUIRE_CHROMIUM = "KG_REQUIRE_CHROMIUM"

#: README, "A tour": who controlled Kidal when (controller, joint controllers, start, end).
KIDAL = [
    ("Ansar Dine", "al-Qaeda in the Islamic Maghreb", "2012-03", "2013-01"),
    ("National Movement for the Liberation of Azawad", "", "2013-01", "2014"),
    ("Tuareg rebels", "", "2014", "2023-11-14"),
    ("Malian Armed Forces", "Wagner Group, Malian junta", "2023-11-14",
     "ongoing (as of 2024-06-01)"),
]  # fmt: skip
#: README: "kg query alliance-members -p alliance=CSP-PSD  # CMA, and Platform until 2023-09".
CSP_PSD = {("Platform", "2023-09"), ("Coordination of Azawad Movements",
                                     "ongoing (as of 2024-06-01)")}  # fmt: skip
ID = "https://w3id.org/sahel-kg/id/"


# --- fixtures ------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "build"
    build(CORPUS, out, today=TODAY)
    return out


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An empty cache folder: the first report of the module builds the Vega bundle."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield folder


@pytest.fixture(scope="module")
def report(corpus_build: Path, cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("html")
    return make_report(out / "report.html", build_dir=corpus_build, png=out / "kidal.png")


def payload(html: str) -> dict[str, Any]:
    """The page's data: the gzip + base64 JSON of its ``kg-data`` script element."""
    match = re.search(r'<script type="application/gzip" id="kg-data">([^<]*)</script>', html)
    assert match, "no kg-data element"
    return json.loads(gzip.decompress(base64.b64decode(match.group(1))))


def section(data: dict[str, Any], iri: str, kind: str) -> dict[str, Any]:
    found = [s for s in data["sections"] if s["iri"] == iri and s["kind"] == kind]
    assert len(found) == 1, f"{kind} section of {iri}: {len(found)}"
    return found[0]


def cells(data: dict[str, Any], sec: dict[str, Any]) -> list[list[str]]:
    return [data["marks"][k][1] for k in sec["marks"]]


# --- bounds ----------------------------------------------------------------------


def test_bounds_span_their_precision() -> None:
    assert start_bound(date(2012, 3, 1), "month").hi == date(2012, 3, 31)
    assert start_bound(date(2024, 2, 1), "month").hi == date(2024, 2, 29)
    assert end_bound(date(2014, 12, 31), "year").lo == date(2014, 1, 1)
    assert end_bound(date(2023, 11, 14), "day").lo == date(2023, 11, 14)
    start, end = period_bounds(date(2023, 11, 14), "day", None, "day", date(2024, 6, 1))
    assert (end.kind, end.lo) == ("open", date(2024, 6, 1))
    start, end = period_bounds(None, "day", None, "day", date(2023, 11, 15))
    assert start.kind == end.kind == "open" and start.lo == end.lo == date(2023, 11, 15)
    assert period_bounds(None, "day", None, "day", None) is None


def test_iris_from_a_store_cannot_break_out_of_a_values_block() -> None:
    text = "SELECT ?c WHERE {\n  #ITEMS\n  ?c ?p ?o }"
    assert "VALUES ?c { <https://w3id.org/sahel-kg/claim/a1> }" in with_items(
        text, "c", ["https://w3id.org/sahel-kg/claim/a1"])  # fmt: skip
    for bad in ("https://x/a> } DROP ALL { <x:y", "https://x/a b", "no-scheme", "https://x/\\"):
        with pytest.raises(KgError, match="not an IRI"):
            with_items(text, "c", [bad])


# --- the file ------------------------------------------------------------------------


def test_report_is_one_file_that_loads_nothing(report: Any) -> None:
    html = report.path.read_text(encoding="utf-8")
    assert report.size == len(html.encode("utf-8")) < 5_000_000
    assert not re.search(r"<script[^>]*\ssrc=", html, re.IGNORECASE)
    markup = re.sub(r"(<script[^>]*>).*?</script>", r"\1</script>", html, flags=re.DOTALL)
    assert markup.count("<script") == 3  # the data, the Vega bundle, the page's script
    assert not re.search(r"<(link|img|iframe|object|embed|source|base)\b", markup, re.IGNORECASE)
    style = re.search(r"<style>(.*?)</style>", html, re.DOTALL)
    assert style and "url(" not in style.group(1) and "@import" not in style.group(1)
    assert "vegaEmbed" in html and report.bundle_cached is False  # built, from vl-convert


def test_report_shows_the_kidal_periods_and_the_csp_psd_members(report: Any) -> None:
    data = payload(report.path.read_text(encoding="utf-8"))
    kidal = section(data, ID + "kidal", "control")
    assert data["sections"][0]["iri"] == ID + "kidal"
    assert [(c[0], c[1], c[2], c[3]) for c in cells(data, kidal)] == KIDAL
    members = section(data, ID + "csp-psd", "membership")
    assert {(c[0], c[2]) for c in cells(data, members)} == CSP_PSD
    assert kidal["spec"]["datasets"]["segments"] and members["spec"]["datasets"]["segments"]


def test_every_mark_leads_to_claims_with_quote_document_and_offsets(
    report: Any, corpus_build: Path
) -> None:
    data = payload(report.path.read_text(encoding="utf-8"))
    kinds = {s["kind"] for s in data["sections"]}
    assert {"control", "membership", "office", "events", "casualties", "map"} <= kinds
    texts = {p.stem: p.read_text(encoding="utf-8").split("\n---\n", 1)[1]
             for p in CORPUS.glob("*.txt")}  # fmt: skip
    for s in data["sections"]:
        for key in s["marks"]:
            claims = data["marks"][key][2]
            if s["kind"] != "map":
                assert claims, f"{s['title']}: {data['marks'][key][0]} has no claim"
            for index in claims:
                quote, doc, start, end, claimant, polarity, iri = data["claims"][index]
                document = data["documents"][doc]
                assert texts[document[0]][start:end] == quote, (document[0], start, end)
                assert document[2] and document[3] and claimant and polarity and iri
    # a period's claims are exactly those it rests on
    kidal = section(data, ID + "kidal", "control")
    for key in kidal["marks"]:
        title, _, claims, period, _ = data["marks"][key]
        rows = queries.run_sparql(
            "PREFIX sk: <https://w3id.org/sahel-kg/ontology#> SELECT ?c WHERE { GRAPH "
            f"<https://w3id.org/sahel-kg/graph/derived> {{ <{period}> sk:supportedBy ?c }} }}",
            build_dir=corpus_build).rows  # fmt: skip
        assert sorted(data["claims"][i][6] for i in claims) == sorted(r[0].value for r in rows)


def test_every_chart_is_valid_vega_lite(corpus_build: Path, cache: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """The charts written with Altair pass its Vega-Lite 6 schema (checked here, not in use)."""
    from kg.report import charts, specs_for
    from kg.report.data import read_report

    monkeypatch.setattr(charts, "VALIDATE", True)
    data = read_report(
        lambda name, params: queries.run_query(name, params, build_dir=corpus_build),
        lambda text: queries.run_sparql(text, build_dir=corpus_build),
        source="test", build_dir=corpus_build,
    )  # fmt: skip
    specs = specs_for(data)  # raises altair's SchemaValidationError on a bad one
    assert {s.kind for s in data.sections if s.id in specs} == {
        "control", "membership", "office", "events", "casualties", "map"}  # fmt: skip


def test_the_png_is_the_kidal_timeline_and_not_blank(report: Any) -> None:
    assert report.png is not None and report.png.name == "kidal.png"
    width, height, pixels = decode_png(report.png.read_bytes())
    assert width > 800 and height > 100
    assert len(set(pixels)) > 20  # bars, text, axes: many colours
    background = max(set(pixels), key=pixels.count)
    assert sum(1 for p in pixels if p != background) > 0.05 * len(pixels)


def test_report_names_the_file_or_option_on_errors(corpus_build: Path, tmp_path: Path,
                                                   cache: Path) -> None:  # fmt: skip
    with pytest.raises(KgError, match=r"^-o .*nowhere.*does not exist"):
        make_report(tmp_path / "nowhere" / "r.html", build_dir=corpus_build)
    with pytest.raises(KgError, match=r"^--place 'Atlantis': Unknown place"):
        make_report(tmp_path / "r.html", build_dir=corpus_build, places=["Atlantis"])
    with pytest.raises(KgError, match=r"^--png .*Gao has no control period"):
        make_report(tmp_path / "r.html", build_dir=corpus_build, places=["Gao"],
                    png=tmp_path / "g.png")  # fmt: skip
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "g.png").exists()


def test_cli_report_one_line_errors_and_exit_codes(corpus_build: Path, tmp_path: Path,
                                                   cache: Path) -> None:  # fmt: skip
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    kg = [sys.executable, "-m", "kg"]
    done = subprocess.run([*kg, "report", "-b", str(corpus_build), "-o", str(tmp_path / "r.html"),
                           "--place", "Kidal", "--place", "Gao"], capture_output=True, text=True,
                          env=env, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Wrote {tmp_path / 'r.html'} (") and done.stderr == ""
    data = payload((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert data["focus"] == ["Kidal", "Gao"]
    assert [s["title"] for s in data["sections"] if s["kind"] == "control"] == [
        "Who controlled Kidal", "Who controlled Gao"]  # fmt: skip
    for args, where in (
        (["-o", str(tmp_path / "no" / "r.html")], "-o "),
        (["--place", "Atlantis"], "--place 'Atlantis'"),
        (["-b", str(tmp_path / "nobuild")], "No build in"),
    ):
        done = subprocess.run([*kg, "report", "-b", str(corpus_build), *args], capture_output=True,
                              text=True, env=env, timeout=120, cwd=tmp_path)  # fmt: skip
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.startswith("Error: ") and where in done.stderr
        assert done.stderr.count("\n") == 1


def test_report_module_prints_nothing(corpus_build: Path, tmp_path: Path, cache: Path,
                                      capfd: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    make_report(tmp_path / "r.html", build_dir=corpus_build, places=["Kidal"])
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_report_from_an_endpoint_shows_the_same(
    report: Any, corpus_build: Path, oxigraph_server: Any, tmp_path: Path
) -> None:
    oxigraph_server.clear()
    queries.clear_entity_cache()
    try:
        load_build(corpus_build, oxigraph_server.store_url)
        remote = make_report(tmp_path / "r.html", endpoint=oxigraph_server.query_url)
    finally:
        queries.clear_entity_cache()
        oxigraph_server.clear()
    here = payload(report.path.read_text(encoding="utf-8"))
    there = payload(remote.path.read_text(encoding="utf-8"))
    assert there["source"] == oxigraph_server.query_url
    here.pop("source"), there.pop("source")
    assert there == here


# --- in a real browser -------------------------------------------------------------


def chromium_missing() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return
    missing_tool(
        f"{' and '.join(missing)} not installed: the browser tests need Debian's chromium "
        "and chromium-driver (.ci/run installs them)",
        REQUIRE_CHROMIUM,
    )


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    chromium_missing()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}",
                 "--window-size=1400,1000"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def page(browser: Any, report: Any) -> Any:
    browser.get(report.path.as_uri())
    deadline = time.monotonic() + 60
    state = None
    while time.monotonic() < deadline:
        state = browser.execute_script("return document.body.getAttribute('data-rendered')")
        if state:
            break
        time.sleep(0.1)
    status = browser.execute_script("return document.getElementById('status').textContent")
    assert state == "true", f"not drawn: {status!r}"
    return browser


def test_browser_draws_the_report_with_no_network(page: Any) -> None:
    resources = page.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources == []
    errors = [e for e in page.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    charts = page.execute_script("return document.querySelectorAll('.chart svg').length")
    sections = page.execute_script("return document.querySelectorAll('article.section').length")
    assert charts >= sections > 10


def test_browser_screenshot_is_not_blank(page: Any) -> None:
    page.execute_script("window.scrollTo(0, 0)")
    width, height, pixels = decode_png(page.get_screenshot_as_png())
    assert width >= 1000 and height >= 700
    background = max(set(pixels), key=pixels.count)
    assert len(set(pixels)) > 50
    assert sum(1 for p in pixels if p != background) > 0.05 * len(pixels)


def test_browser_dom_holds_the_kidal_periods(page: Any) -> None:
    rows = page.execute_script(
        "return [...document.querySelectorAll(`article[data-iri='${arguments[0]}'].control "
        "tbody tr`)].map(tr => [...tr.cells].slice(0, 4).map(td => td.textContent))", ID + "kidal")
    assert [tuple(r) for r in rows] == KIDAL
    first = page.execute_script("return document.querySelector('article.section').dataset.iri")
    assert first == ID + "kidal"
    labels = page.execute_script(
        "return [...document.querySelectorAll(`article[data-iri='${arguments[0]}'].control "
        "svg [aria-label]`)].map(e => e.getAttribute('aria-label'))", ID + "kidal")
    for controller, _, start, end in KIDAL:
        assert any(f"{controller}: {start} to {end}" in label for label in labels), controller


def test_browser_dom_holds_the_csp_psd_members(page: Any) -> None:
    rows = page.execute_script(
        "return [...document.querySelectorAll(`article[data-iri='${arguments[0]}'].membership "
        "tbody tr`)].map(tr => [tr.cells[0].textContent, tr.cells[2].textContent])",
        ID + "csp-psd")
    assert {tuple(r) for r in rows} == CSP_PSD


def test_browser_clicking_a_bar_shows_its_quote(page: Any, report: Any) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    data = payload(report.path.read_text(encoding="utf-8"))
    kidal = section(data, ID + "kidal", "control")
    key = next(k for k in kidal["marks"] if data["marks"][k][1][0] == "Ansar Dine")
    quotes = {data["claims"][i][0] for i in data["marks"][key][2]}
    assert quotes
    bar = page.find_element(
        By.CSS_SELECTOR, f"article[data-iri='{ID}kidal'] svg [aria-label^='Ansar Dine: 2012-03']")
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", bar)
    ActionChains(page).move_to_element(bar).click().perform()
    panel = page.find_element(By.ID, "claims")
    assert panel.is_displayed()
    assert panel.find_element(By.TAG_NAME, "h3").text == "Ansar Dine controls Kidal"
    shown = {e.text for e in panel.find_elements(By.CSS_SELECTOR, ".claim blockquote")}
    assert shown == quotes
    meta = panel.find_element(By.CSS_SELECTOR, ".claim").text
    assert re.search(r"document \S+, characters \d+–\d+", meta)


def test_browser_clicking_a_row_and_a_map_point_shows_claims(page: Any) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    row = page.find_element(By.CSS_SELECTOR, "article.events tbody tr")
    page.execute_script("arguments[0].closest('details').open = true;"
                        "arguments[0].scrollIntoView({block: 'center'})", row)  # fmt: skip
    row.click()
    panel = page.find_element(By.ID, "claims")
    assert panel.find_elements(By.CSS_SELECTOR, ".claim blockquote")
    point = page.find_element(By.CSS_SELECTOR, "#map svg [aria-label='Kidal']")
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", point)
    ActionChains(page).move_to_element(point).click().perform()
    assert panel.find_element(By.TAG_NAME, "h3").text == "Kidal"
    assert panel.find_elements(By.CSS_SELECTOR, ".claim blockquote")


# --- a PNG reader (no imaging library needed) --------------------------------------------


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the pixels (as bytes) of an 8-bit non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and interlace == 0
    size = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    raw, stride = zlib.decompress(b"".join(chunks)), width * size
    previous, pixels, at = bytearray(stride), [], 0
    for _ in range(height):
        kind, line = raw[at], bytearray(raw[at + 1 : at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            left = line[i - size] if i >= size else 0
            up, corner = previous[i], previous[i - size] if i >= size else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + best) & 0xFF
        pixels += [bytes(line[i : i + size]) for i in range(0, stride, size * 4)]  # every 4th
        previous = line
    return width, height, pixels
