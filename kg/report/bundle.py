"""The Vega, Vega-Lite and Vega-Embed JavaScript, from the vl-convert-python package.

``vl_convert.javascript_bundle()`` builds one script holding the three
libraries (about 0.9 MB) from the copies inside the installed wheel; nothing is
fetched. Building it takes about 5 s of CPU, so it is kept in the user's cache
folder (``$XDG_CACHE_HOME/sahel-kg``, else ``~/.cache/sahel-kg``), one file
per vl-convert and Vega-Lite version. :func:`start` begins building it in a
child process when the cache lacks it (vl-convert holds the GIL while it
bundles, so a thread would stall the queries), and :func:`finish` takes the
result, building it here if the child failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError

#: Written by the child process: the bundle of the Vega-Lite version in argv[1] to argv[2].
_CHILD = """\
import os, sys, vl_convert
text = vl_convert.javascript_bundle(vl_version=sys.argv[1])
partial = sys.argv[2] + ".%d.partial" % os.getpid()
with open(partial, "w", encoding="utf-8") as out:
    out.write(text)
os.replace(partial, sys.argv[2])
"""


def vegalite_version() -> str:
    """The Vega-Lite version of Altair's schema, as vl-convert names it (``6.4``)."""
    import altair as alt
    import vl_convert as vlc

    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    known = vlc.get_vegalite_versions()
    if wanted in known:
        return wanted
    raise KgError(f"vl-convert-python {vlc.__version__} has no Vega-Lite {wanted} (it has "
                  f"{', '.join(known)}), which Altair {alt.__version__} writes: install the "
                  "versions pinned in pyproject.toml")  # fmt: skip


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sahel-kg"


def cache_path() -> Path:
    import vl_convert as vlc

    return cache_dir() / f"vega-bundle-vlconvert{vlc.__version__}-vl{vegalite_version()}.js"


@dataclass
class Pending:
    path: Path
    child: subprocess.Popen[bytes] | None


def start() -> Pending:
    """Begin making the bundle if the cache lacks it (in a child process)."""
    path = cache_path()
    if path.is_file():
        return Pending(path, None)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, vegalite_version(), str(path)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    except OSError:
        child = None
    return Pending(path, child)


def finish(pending: Pending) -> tuple[str, bool]:
    """The bundle's text, and whether it came from the cache."""
    if pending.child is None and pending.path.is_file():
        return pending.path.read_text(encoding="utf-8"), True
    if pending.child is not None:
        pending.child.wait()
        try:
            return pending.path.read_text(encoding="utf-8"), False
        except OSError:
            pass
    import vl_convert as vlc

    return vlc.javascript_bundle(vl_version=vegalite_version()), False


def stop(pending: Pending) -> None:
    """End the child process (after an error elsewhere): nothing is left running."""
    if pending.child is not None and pending.child.poll() is None:
        pending.child.kill()
        pending.child.wait()
