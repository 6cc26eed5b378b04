"""The report as one HTML file: styles, data, Vega and the page's script all inline.

The data (chart specifications, marks, claims, articles) is one JSON document,
gzip-compressed and base64-encoded in a ``<script type="application/gzip">``
element; the page unpacks it with the browser's ``DecompressionStream`` (Chrome
80, Firefox 113, Safari 16.4 and later) and draws each chart with Vega-Embed
(SVG). The same bytes come out for the same graph (gzip's timestamp is zero).
"""

from __future__ import annotations

import base64
import gzip
import html
import json
from pathlib import Path
from typing import Any

from kg.report.data import ReportData

STATIC = Path(__file__).resolve().parent / "static"

GROUPS = (
    ("control", "Control of places",
     "Who held each place, and when: one row per controller, one bar per period."),
    ("membership", "Alliances and coalitions", "Who belonged to each alliance, and when."),
    ("office", "Offices", "Who held which office, grouped by the organisation or country."),
    ("events", "Events", "Each point is an event as the sources tell it: claims of the same "
     "type, place and dates are one point, sized by how many claims tell it."),
    ("casualties", "Casualty figures", "Every figure as its source gave it, never merged: "
     "the sources of one incident side by side."),
    ("map", "Map", "Places with coordinates in the registry; a circle grows with the number "
     "of event claims placed there. Focus places are red."),
)  # fmt: skip


def payload(data: ReportData, specs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The JSON document the page's script reads."""
    return {
        "source": data.source,
        "focus": data.focus,
        "sections": [
            {"id": s.id, "kind": s.kind, "group": s.group, "title": s.title, "iri": s.iri,
             "columns": s.columns, "marks": s.marks, "note": s.note,
             "spec": specs.get(s.id)}
            for s in data.sections
        ],
        "legend": specs.get("legend"),
        "marks": {k: [m.title, m.cells, m.claims, m.iri, m.note] for k, m in data.marks.items()},
        "claims": [[c.quote, c.document, c.start, c.end, c.claimant, c.polarity, c.iri]
                   for c in data.claims],
        "documents": [[d.id, d.title, d.issued, d.publisher] for d in data.documents],
    }  # fmt: skip


def packed(document: dict[str, Any]) -> str:
    """JSON -> gzip (no timestamp) -> base64 text."""
    raw = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=6, mtime=0)).decode("ascii")


def render(data: ReportData, specs: dict[str, dict[str, Any]], vega_js: str) -> str:
    """The whole page."""
    css = (STATIC / "report.css").read_text(encoding="utf-8")
    script = (STATIC / "report.js").read_text(encoding="utf-8")
    for text, name in ((vega_js, "the Vega bundle"), (script, "report.js")):
        if "</script" in text.lower():
            raise ValueError(f"{name} holds '</script', which would end its element early")
    counts = {g: sum(len(s.marks) for s in data.sections if s.group == g) for g, _, _ in GROUPS}
    toc = "".join(
        f'<li><a href="#group-{g}">{html.escape(title)}</a> <span class="count">'
        f"{counts[g]}</span></li>"
        for g, title, _ in GROUPS
    )
    groups = "".join(
        f'<section class="group" id="group-{g}"><h2>{html.escape(title)}</h2>'
        f'<p class="about">{html.escape(about)}</p>'
        + ('<div class="chart legend" id="legend"></div>' if g == "control" else "")
        + f'<div class="sections" data-group="{g}"></div></section>'
        for g, title, about in GROUPS
    )
    focus = ", ".join(data.focus)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sahel KG report: {html.escape(focus)}</title>
<style>
{css}
</style>
</head>
<body>
<header>
<h1>Sahel KG: who held what, when, and who says so</h1>
<p class="source">From <code>{html.escape(data.source)}</code>. Focus: {html.escape(focus)}.
{len(data.claims)} claims from {len(data.documents)} articles behind the marks below.
Click any bar, point or row to read its claims: the quote, the article, its publisher and
date, and where in the article the quote is.</p>
<nav><ul>{toc}</ul></nav>
<p id="status" class="status">Drawing the charts…</p>
<noscript><p class="status">This report draws its charts with JavaScript; allow scripts
for this file (it loads nothing from the network).</p></noscript>
</header>
<main>
{groups}
</main>
<aside id="claims" aria-live="polite" hidden>
<button type="button" id="claims-close" aria-label="Close">×</button>
<div id="claims-body"></div>
</aside>
<script type="application/gzip" id="kg-data">{packed(payload(data, specs))}</script>
<script>
{vega_js}
</script>
<script>
{script}
</script>
</body>
</html>
"""
