"""``kg report``: the built graph as one self-contained HTML page of pictures.

>>> from pathlib import Path
>>> result = make_report(Path("build/report.html"))  # doctest: +SKIP
>>> result.lines()[0]  # doctest: +SKIP
'Wrote build/report.html (1.3 MB) in 2.1 s'

The page opens with no network: its styles, its data, the Vega libraries (from
the vl-convert-python package, :mod:`kg.report.bundle`) and the map's country
outlines (Natural Earth, from a pip package, :mod:`kg.report.geo`) are all
inside it. What it shows is read by :mod:`kg.report.data` with the canned
questions and the report's own queries, drawn by :mod:`kg.report.charts` with
Altair, and laid out by :mod:`kg.report.page`. Nothing here prints: the CLI
prints the lines of the returned :class:`ReportResult`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import KgError

__all__ = ["ReportResult", "make_report", "control_png"]


@dataclass
class ReportResult:
    path: Path
    size: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    png: Path | None = None
    png_size: int = 0
    bundle_cached: bool = True

    def lines(self) -> list[str]:
        c = self.counts
        out = [
            f"Wrote {self.path} ({_size(self.size)}) in {self.seconds:.1f} s",
            f"  control:    {c.get('control', 0)} periods of {c.get('places', 0)} places",
            f"  alliances:  {c.get('membership', 0)} membership periods of "
            f"{c.get('alliances', 0)} alliances",
            f"  offices:    {c.get('office', 0)} periods",
            f"  events:     {c.get('events', 0)} events, {c.get('casualties', 0)} casualty figures"
            f" (focus: {c.get('focus', '')})",
            f"  map:        {c.get('map', 0)} places",
            f"  claims:     {c.get('claims', 0)} from {c.get('documents', 0)} articles",
        ]
        if not self.bundle_cached:
            out.append("  (the Vega bundle was made from vl-convert-python, cached for next time)")
        if self.png is not None:
            out.append(f"Wrote {self.png} ({_size(self.png_size)})")
        return out


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n / 1000:.0f} kB"


def _check_target(path: Path, option: str) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise KgError(f"{option} {path}: is a folder; give a file name")
    if not folder.is_dir():
        raise KgError(f"{option} {path}: the folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK):
        raise KgError(f"{option} {path}: the folder {folder} is not writable")


def _write(path: Path, data: bytes, option: str) -> None:
    """Write atomically: a temporary file beside ``path``, then a rename."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise KgError(f"{option} {path}: cannot write it ({error.strerror})") from None


def _runners(
    build_dir: Path, endpoint: str | None, timeout: float, user: str | None, password: str | None
) -> tuple[Any, Any, str, Path | None]:
    from kg import queries

    if endpoint is not None:
        def canned(name: str, params: Any) -> Any:
            return queries.run_query(name, params, endpoint=endpoint, timeout=timeout,
                                     user=user, password=password)  # fmt: skip

        def sparql(text: str) -> Any:
            return queries.run_sparql(text, endpoint=endpoint, timeout=timeout, user=user,
                                      password=password)  # fmt: skip

        from kg.endpoint import safe_url

        return canned, sparql, safe_url(endpoint), None
    from kg import store as embedded

    store = embedded.open_store(build_dir)

    def canned_local(name: str, params: Any) -> Any:
        return queries.run_query(name, params, store=store, timeout=timeout)

    def sparql_local(text: str) -> Any:
        return queries.run_sparql(text, store=store, timeout=timeout)

    return canned_local, sparql_local, str(build_dir), build_dir


def specs_for(data: Any) -> dict[str, dict[str, Any]]:
    """Every chart's Vega-Lite specification, by section id (and ``legend``)."""
    from kg.report import charts, geo

    actors = [p.actor for s in data.sections for p in s.periods]
    palette = charts.colors(actors)
    specs: dict[str, dict[str, Any]] = {"legend": charts.legend_spec()}
    for section in data.sections:
        if section.periods:
            specs[section.id] = charts.period_spec(section, palette)
        elif section.kind == "events" and any(r["start"] for r in section.rows):
            specs[section.id] = charts.events_spec(section)
        elif section.kind == "casualties" and any(r["low"] is not None for r in section.rows):
            specs[section.id] = charts.casualties_spec(section, palette)
        elif section.kind == "map":
            frame = geo.map_frame([(p["lon"], p["lat"]) for p in section.rows
                                   if p["events"] or p["focus"]])  # fmt: skip
            far = [p["name"] for p in section.rows
                   if p["events"] and not frame.holds(p["lon"], p["lat"])]  # fmt: skip
            if far:
                section.note = "Off the map (too far from the rest): " + ", ".join(far) + "."
            specs[section.id] = charts.map_spec(section, geo.outlines(frame), frame)
    return specs


def control_png(spec: dict[str, Any], scale: float = 2.0) -> bytes:
    """A PNG of one chart, rendered by vl-convert-python (no browser)."""
    import vl_convert as vlc

    from kg.report.bundle import vegalite_version

    return vlc.vegalite_to_png(spec, vl_version=vegalite_version(), scale=scale)


def make_report(
    output: Path | None = None, *, build_dir: Path = Path("build"),
    endpoint: str | None = None, places: Sequence[str] = (), png: Path | None = None,
    timeout: float = 60.0, user: str | None = None, password: str | None = None,
) -> ReportResult:  # fmt: skip
    """Write the report of the build (or endpoint) to ``output`` (default: ``report.html`` in
    the build folder); ``png``: the first place's control timeline as a PNG too. Raises
    KgError (one line, naming the file or option)."""
    from kg.report import bundle, page
    from kg.report.data import read_report

    began = time.perf_counter()
    canned, sparql, source, local = _runners(build_dir, endpoint, timeout, user, password)
    output = output if output is not None else Path(build_dir) / "report.html"
    _check_target(output, "-o")
    if png is not None:
        _check_target(png, "--png")
    pending = bundle.start()
    try:
        data = read_report(canned, sparql, source=source, places=places, build_dir=local)
        specs = specs_for(data)
        vega_js, cached = bundle.finish(pending)
    finally:
        bundle.stop(pending)
    image = b""
    if png is not None:
        first = next((s for s in data.sections if s.kind == "control"), None)
        if first is None or first.id not in specs:
            raise KgError(f"--png {png}: {data.focus[0]} has no control period to draw; "
                          "give a place that has (--place)")  # fmt: skip
        image = control_png(specs[first.id])
    text = page.render(data, specs, vega_js).encode("utf-8")
    _write(output, text, "-o")
    result = ReportResult(output, len(text), 0.0, _counts(data), bundle_cached=cached)
    if png is not None:
        _write(png, image, "--png")
        result.png, result.png_size = png, len(image)
    result.seconds = time.perf_counter() - began
    return result


def _counts(data: Any) -> dict[str, Any]:
    sections = data.sections
    return {
        "control": data.count("control"),
        "places": sum(1 for s in sections if s.kind == "control"),
        "membership": data.count("membership"),
        "alliances": sum(1 for s in sections if s.kind == "membership"),
        "office": data.count("office"),
        "events": data.count("events"),
        "casualties": data.count("casualties"),
        "map": data.count("map"),
        "claims": len(data.claims),
        "documents": len(data.documents),
        "focus": ", ".join(data.focus),
    }
