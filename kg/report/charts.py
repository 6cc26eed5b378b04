"""The report's charts as Vega-Lite specifications, drawn with Altair.

Every mark's datum carries ``k``, the key of its :class:`~kg.report.data.Mark`:
the page's script shows that mark's claims when it is clicked.

How a period bar is drawn (the legend chart, :func:`legend_spec`, shows each):

- a bound known to the **day** is a sharp edge of the solid bar;
- a bound known to the **month** or the **year** is a band as wide as that
  month or year, lighter the coarser it is, outlined dashed (month) or
  dotted (year): the bound lies somewhere in it;
- an **open** bound (an ongoing period's end, stated as of a date, or a start
  no source gives) is a faint dashed stub ending in an arrow;
- a **disputed** period is outlined in red and labelled so;
- joint controllers are named after the bar ("with ..."), as is "ongoing, as of"
  (after the last bar of a row only: the others' notes would cover the bars; the
  tooltip and the table say it of every bar).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from kg.report.data import Bound, Period, Section

WIDTH = 760
LANE = 24  # pixels per row of a period chart
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
PARTS = ("core", "month", "year", "open")
FILL = (1.0, 0.45, 0.22, 0.08)
DASH = ([1, 0], [5, 2], [1, 2], [4, 3])
DISPUTED = "#c0122c"


def colors(actors: Sequence[str]) -> dict[str, str]:
    """One colour per actor, in order of first appearance, the same in every chart."""
    table: dict[str, str] = {}
    for actor in actors:
        if actor not in table:
            table[actor] = PALETTE[len(table) % len(PALETTE)]
    return table


def _iso(day: date) -> str:
    return day.isoformat()


def _extent(periods: Sequence[Period]) -> tuple[date, date, timedelta]:
    known = [d for p in periods for d in (p.start.lo, p.start.hi, p.end.lo, p.end.hi)]
    lo, hi = min(known), max(known)
    stub = max(timedelta(days=90), (hi - lo) / 30)
    return lo, hi, stub


def period_rows(
    periods: Sequence[Period], stub: timedelta
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(segments, edges, periods) rows: bar pieces, bound ticks and arrows, one row per period."""
    segments: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    whole: list[dict[str, Any]] = []
    latest: dict[str, Period] = {}
    for p in periods:
        if p.lane not in latest or (p.end.hi, p.start.lo) >= (latest[p.lane].end.hi,
                                                               latest[p.lane].start.lo):
            latest[p.lane] = p
    last = {p.key for p in latest.values()}
    for p in periods:
        start, end = p.start, p.end
        x0, x1 = start.lo, end.hi
        if end.hi > start.hi and end.lo > start.hi:
            segments.append({"k": p.key, "x": _iso(start.hi), "x2": _iso(end.lo), "part": "core"})
        elif start.kind == end.kind == "day" or start.hi >= end.lo:
            # no solid stretch between the bounds (a day, or bands that overlap)
            if start.kind == "day" and end.kind in ("day", "open"):
                segments.append({"k": p.key, "x": _iso(start.hi),
                                 "x2": _iso(max(end.lo, start.hi + timedelta(days=1))),
                                 "part": "core"})  # fmt: skip
        for bound, side in ((start, "start"), (end, "end")):
            if bound.kind in ("month", "year"):
                segments.append({"k": p.key, "x": _iso(bound.lo), "x2": _iso(bound.hi),
                                 "part": bound.kind})  # fmt: skip
            if bound.kind == "open":
                if side == "end":
                    x1 = bound.hi + stub
                    segments.append({"k": p.key, "x": _iso(bound.hi), "x2": _iso(x1),
                                     "part": "open"})  # fmt: skip
                    edges.append({"k": p.key, "x": _iso(x1), "shape": "triangle-right"})
                else:
                    x0 = bound.lo - stub
                    segments.append({"k": p.key, "x": _iso(x0), "x2": _iso(bound.lo),
                                     "part": "open"})  # fmt: skip
                    edges.append({"k": p.key, "x": _iso(x0), "shape": "triangle-left"})
        notes = []
        if p.key not in last:  # a lane's earlier periods: their notes would overlap the bars
            pass
        elif p.joint:
            notes.append(f"with {p.joint}")
        if p.key in last and p.end.kind == "open" and p.ongoing and p.as_of:
            notes.append(f"ongoing, as of {p.as_of}")
        if p.key in last and p.disputed:
            notes.append("⚠ disputed")
        whole.append({
            "k": p.key, "lane": p.lane, "actor": p.actor, "x0": _iso(x0), "x1": _iso(x1),
            "from": _written(start), "to": _to_text(p), "joint": p.joint,
            "claims": p.claims, "disputed": p.disputed, "note": "; ".join(notes),
            "desc": _describe(p),
        })  # fmt: skip
    return segments, edges, whole


def _written(bound: Bound) -> str:
    return bound.text or "unknown"


def _to_text(p: Period) -> str:
    if p.end.kind != "open":
        return p.end.text
    return f"ongoing (as of {p.as_of})" if p.ongoing and p.as_of else "unknown"


def _describe(p: Period) -> str:
    text = f"{p.lane}: {_written(p.start)} to {_to_text(p)}"
    if p.joint:
        text += f", with {p.joint}"
    if p.disputed:
        text += ", disputed"
    return text + f" ({p.claims} claim{'s' if p.claims != 1 else ''})"


#: Placeholders in the period chart template, replaced per chart (see :func:`_fill`).
_LANES, _ACTORS, _COLORS, _TITLE = "__lanes__", "__actors__", "__colors__", "__title__"
_LO, _HI, _HEIGHT = -1_000_001, -1_000_002, 1_000_003


#: Whether Altair checks each specification against the Vega-Lite schema (about 0.1 s a
#: chart): off when writing a report, on in tests/test_report.py.
VALIDATE = False


@functools.lru_cache(maxsize=8)
def _period_template(width: int, axis: bool, validate: bool = False) -> str:
    """The period chart drawn once with Altair, with placeholders for what varies.

    Building the chart with Altair costs about 0.15 s (its objects validate
    themselves); a page can hold a hundred such charts, so each is this
    template with its own lanes, colours, dates, title and data filled in.
    """
    import altair as alt

    x_scale = alt.Scale(domain=[_LO, _HI])
    y = alt.Y("lane:N", sort=[_LANES], title=None, axis=alt.Axis(labelLimit=260))
    color = alt.Color("actor:N", scale=alt.Scale(domain=[_ACTORS], range=[_COLORS]), legend=None)
    tooltip = [
        alt.Tooltip("lane:N", title="who"), alt.Tooltip("from:N"), alt.Tooltip("to:N"),
        alt.Tooltip("joint:N", title="with"), alt.Tooltip("claims:Q"),
        alt.Tooltip("disputed:N"),
    ]  # fmt: skip
    bars = (
        alt.Chart(alt.NamedData("segments"))
        .mark_bar(height=LANE - 8, strokeWidth=1.2, cursor="pointer")
        .encode(
            x=alt.X("x:T", title=None, scale=x_scale, axis=alt.Axis(labelFlush=True) if axis
                    else None),
            x2="x2:T", y=y, color=color, stroke=color,
            fillOpacity=alt.FillOpacity("part:O", scale=alt.Scale(domain=list(PARTS),
                                        range=list(FILL)), legend=None),
            strokeDash=alt.StrokeDash("part:O", scale=alt.Scale(domain=list(PARTS),
                                      range=list(DASH)), legend=None),
            tooltip=tooltip, description="desc:N",
        )
    )  # fmt: skip
    arrows = (
        alt.Chart(alt.NamedData("edges"))
        .mark_point(filled=True, size=70, cursor="pointer")
        .encode(x="x:T", y=y, color=color, shape=alt.Shape("shape:N", scale=None),
                tooltip=tooltip)  # fmt: skip
    )
    disputed = (
        alt.Chart(alt.NamedData("periods"))
        .transform_filter("datum.disputed")
        .mark_bar(height=LANE - 3, fillOpacity=0, stroke=DISPUTED, strokeWidth=2,
                  cursor="pointer")  # fmt: skip
        .encode(x="x0:T", x2="x1:T", y=y, tooltip=tooltip)
    )
    notes = (
        alt.Chart(alt.NamedData("periods"))
        .mark_text(align="left", dx=5, fontSize=11, color="#333", cursor="pointer")
        .encode(x="x1:T", y=y, text="note:N", tooltip=tooltip)
    )
    chart = alt.layer(bars, arrows, disputed, notes).properties(
        width=width, height=_HEIGHT, title=_TITLE)
    return json.dumps(chart.to_dict(validate=validate))


def _fill(value: Any, table: dict[Any, Any]) -> Any:
    """``value`` with every placeholder replaced; a list holding only a placeholder list-valued
    placeholder becomes that list."""
    if isinstance(value, dict):
        return {k: _fill(v, table) for k, v in value.items()}
    if isinstance(value, list):
        if len(value) == 1 and isinstance(value[0], str) and value[0] in table:
            return list(table[value[0]])
        return [_fill(v, table) for v in value]
    if isinstance(value, (str, int)) and not isinstance(value, bool) and value in table:
        return table[value]
    return value


def _epoch_ms(day: date) -> int:
    """A day as epoch milliseconds (UTC): given as dates, a layered chart's domain is parsed
    once per layer by Vega-Lite, which then warns that the copies conflict."""
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def period_spec(
    section: Section, palette: dict[str, str], *, width: int = WIDTH, title: str | None = None,
    axis: bool = True,
) -> dict[str, Any]:  # fmt: skip
    """A timeline of the section's periods: one row per lane, bars drawn as the module says."""
    periods = section.periods
    lo, hi, stub = _extent(periods)
    segments, edges, whole = period_rows(periods, stub)
    # each bar piece and arrow carries its period's fields (tooltip, description): Vega-Lite's
    # lookup transform from a named dataset fails to compile in a layered chart
    by_key = {w["k"]: w for w in whole}
    shared = ("lane", "actor", "from", "to", "joint", "claims", "disputed", "desc")
    segments = [{**row, **{f: by_key[row["k"]][f] for f in shared}} for row in segments]
    edges = [{**row, **{f: by_key[row["k"]][f] for f in shared}} for row in edges]
    lanes = list(dict.fromkeys(p.lane for p in periods))
    actors = list(dict.fromkeys(p.actor for p in periods))
    span = hi - lo + 2 * stub
    # no room is kept for the notes after the last bars: they run past the plot into the
    # chart's padding (Vega sizes the view to fit them), and the axis shows no empty years
    first, last = lo - stub - span / 50, hi + stub + span / 50
    spec = _fill(json.loads(_period_template(width, axis, VALIDATE)), {
        _LANES: lanes, _ACTORS: actors, _COLORS: [palette[a] for a in actors],
        _TITLE: title if title is not None else section.title,
        _LO: _epoch_ms(first), _HI: _epoch_ms(last),
        _HEIGHT: max(LANE * len(lanes), 2 * LANE),
    })  # fmt: skip
    spec["datasets"] = {"segments": segments, "edges": edges, "periods": whole}
    return spec


def legend_spec(width: int = WIDTH) -> dict[str, Any]:
    """The period chart of made-up bars, one per way a bound can be drawn."""
    def b(day: date, kind: str, side: str) -> Bound:
        from kg.report.data import end_bound, start_bound

        if kind == "open":
            return Bound(day, day, "open", "")
        return start_bound(day, kind) if side == "start" else end_bound(day, kind)

    samples = [
        ("Known to the day", b(date(2015, 3, 9), "day", "start"),
         b(date(2018, 6, 20), "day", "end"), False, ""),
        ("Known to the month", b(date(2015, 3, 1), "month", "start"),
         b(date(2018, 6, 30), "month", "end"), False, ""),
        ("Known to the year", b(date(2015, 1, 1), "year", "start"),
         b(date(2018, 12, 31), "year", "end"), False, ""),
        ("Start unknown, ongoing as of a date", b(date(2016, 5, 1), "open", "start"),
         b(date(2019, 5, 1), "open", "end"), False, ""),
        ("Held jointly", b(date(2015, 3, 9), "day", "start"),
         b(date(2017, 1, 1), "year", "end"), False, "Ally"),
        ("Disputed by another source", b(date(2016, 1, 1), "year", "start"),
         b(date(2018, 6, 30), "month", "end"), True, ""),
    ]  # fmt: skip
    periods = []
    for i, (lane, start, end, disputed, joint) in enumerate(samples):
        ongoing = end.kind == "open"
        periods.append(Period(key=f"legend{i}", lane=lane, actor="legend", start=start, end=end,
                              ongoing=ongoing, as_of=end.lo.isoformat() if ongoing else "",
                              joint=joint, disputed=disputed))  # fmt: skip
    section = Section(id="legend", kind="legend", title="", columns=[], periods=periods)
    return period_spec(section, {"legend": "#6b7c93"}, width=width, axis=False,
                       title="How to read the bars")  # fmt: skip


def events_spec(section: Section, width: int = WIDTH) -> dict[str, Any]:
    """Events over time, one row per event type; size = number of claims (sources)."""
    import altair as alt

    dated = [r for r in section.rows if r["start"]]
    kinds = sorted({r["type"] for r in dated})
    tooltip = [alt.Tooltip("when:N"), alt.Tooltip("label:N", title="event"),
               alt.Tooltip("where:N"), alt.Tooltip("sides:N"),
               alt.Tooltip("sources:Q", title="claims"), alt.Tooltip("claimants:N"),
               alt.Tooltip("denied:Q")]  # fmt: skip
    y = alt.Y("type:N", sort=kinds, title=None)
    base = alt.Chart(alt.NamedData("events"))
    span = (base.transform_filter("datum.end > datum.start")
            .mark_rule(strokeWidth=3, opacity=0.5)
            .encode(x=alt.X("start:T", title=None), x2="end:T", y=y,
                    color=alt.Color("type:N", legend=None)))  # fmt: skip
    points = base.mark_circle(opacity=0.8, stroke="#333", strokeWidth=0.5, cursor="pointer").encode(
        x=alt.X("start:T", title=None), y=y,
        color=alt.Color("type:N", legend=None),
        size=alt.Size("sources:Q", scale=alt.Scale(range=[40, 400]), title="claims"),
        tooltip=tooltip, description="label:N",
    )  # fmt: skip
    chart = alt.layer(span, points).properties(
        width=width, height=max(28 * len(kinds), 60), title=section.title)
    spec = chart.to_dict(validate=VALIDATE)
    spec["datasets"] = {"events": dated}
    return spec


def casualties_spec(
    section: Section, palette: dict[str, str], width: int = WIDTH
) -> dict[str, Any]:
    """Each reported figure as a bar from its low to its high count, sources side by side."""
    import altair as alt

    numeric = [r for r in section.rows if r["low"] is not None]
    incidents = sorted({(r["date"], r["incident"]) for r in numeric}, reverse=True)
    order = [i for _, i in incidents]
    claimants = sorted({r["claimant"] for r in numeric})
    table = colors(list(palette) + claimants)
    tooltip = [alt.Tooltip("incident:N"), alt.Tooltip("claimant:N", title="according to"),
               alt.Tooltip("text:N", title="figure"), alt.Tooltip("victims:N"),
               alt.Tooltip("polarity:N")]  # fmt: skip
    y = alt.Y("incident:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    color = alt.Color("claimant:N", scale=alt.Scale(domain=claimants,
                      range=[table[c] for c in claimants]), title="according to")  # fmt: skip
    base = alt.Chart(alt.NamedData("figures"))
    bars = base.mark_bar(height={"band": 0.9}, cursor="pointer").encode(
        x=alt.X("low:Q", title="reported count (low to high)"), x2="high:Q", y=y,
        yOffset=alt.YOffset("claimant:N", sort=claimants), color=color, tooltip=tooltip,
        description="text:N")  # fmt: skip
    ticks = base.mark_tick(thickness=2, cursor="pointer").encode(
        x="high:Q", y=y, yOffset=alt.YOffset("claimant:N", sort=claimants), color=color,
        tooltip=tooltip)  # fmt: skip
    text = base.mark_text(align="left", dx=4, fontSize=10, cursor="pointer").encode(
        x="high:Q", y=y, yOffset=alt.YOffset("claimant:N", sort=claimants),
        text=alt.Text("label:N"), tooltip=tooltip)  # fmt: skip
    rows = [{**r, "label": f"{r['text']} ({r['claimant']})"} for r in numeric]
    per = max((sum(1 for r in numeric if r["incident"] == i) for i in order), default=1)
    chart = alt.layer(bars, ticks, text).properties(
        width=width - 200, height=max(len(order) * (12 * per + 8), 60), title=section.title)
    spec = chart.to_dict(validate=VALIDATE)
    spec["datasets"] = {"figures": rows}
    return spec


def map_spec(section: Section, features: list[dict[str, Any]], frame: Any,
             width: int = WIDTH) -> dict[str, Any]:  # fmt: skip
    """Places on country outlines; a circle's area grows with the place's event claims."""
    import altair as alt

    points = [p for p in section.rows if frame.holds(p["lon"], p["lat"])]
    tooltip = [alt.Tooltip("name:N", title="place"), alt.Tooltip("type:N"),
               alt.Tooltip("events:Q", title="event claims")]  # fmt: skip
    projection = "equirectangular"
    land = alt.Chart(alt.NamedData("countries")).mark_geoshape(
        fill="#f1eee8", stroke="#9a958c", strokeWidth=0.8).encode(
        tooltip=alt.Tooltip("properties.name:N", title="country")).project(projection)
    names = alt.Chart(alt.NamedData("countries")).transform_filter(
        "datum.properties.area > 2").mark_text(
        fontSize=13, color="#9a958c", fontStyle="italic").encode(
        longitude="properties.lon:Q", latitude="properties.lat:Q",
        text="properties.name:N").project(projection)  # fmt: skip
    dots = alt.Chart(alt.NamedData("places")).mark_circle(
        stroke="#333", strokeWidth=0.6, opacity=0.75, cursor="pointer").encode(
        longitude="lon:Q", latitude="lat:Q",
        size=alt.Size("events:Q", scale=alt.Scale(type="sqrt", range=[12, 900]),
                      title="event claims"),
        color=alt.Color("focus:N", scale=alt.Scale(domain=[True, False],
                        range=["#d62728", "#4e79a7"]), legend=None),
        tooltip=tooltip, description="name:N").project(projection)  # fmt: skip
    labels = alt.Chart(alt.NamedData("places")).transform_filter(
        "datum.events > 0 || datum.focus").mark_text(
        align="left", dx=7, fontSize=11, cursor="pointer").encode(
        longitude="lon:Q", latitude="lat:Q", text="name:N", tooltip=tooltip).project(projection)
    chart = alt.layer(land, names, dots, labels).properties(
        width=width, height=int(width * 0.62), title=section.title)  # fmt: skip
    spec = chart.to_dict(validate=VALIDATE)
    spec["datasets"] = {"countries": features, "places": points}
    return spec
