"""``kg serve``: the build as a local, read-only SPARQL endpoint.

Runs the ``oxigraph`` server (PyPI package ``oxigraph``) in
``serve-read-only`` mode over a private copy of ``build/store``, so a
``kg build`` that swaps the store meanwhile cannot disturb it. Queries see
the union of the named graphs as default graph, like ``kg query``. SPARQL
Update is refused by the server. Ctrl-C stops the server and removes the copy.

>>> serve_command(Path("build"), location=Path("/tmp/copy"))[1:]
['serve-read-only', '--location', '/tmp/copy', '--bind', '127.0.0.1:7878', '--union-default-graph', '--timeout-s', '30']
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kg.errors import StoreError
from kg.store import open_store, store_path

__all__ = ["oxigraph_binary", "serve_command", "serve", "wait_until_up"]

STARTUP_SECONDS = 20.0


def oxigraph_binary() -> str:
    """The ``oxigraph`` executable: next to this Python (the venv's bin) or on PATH."""
    local = Path(sys.executable).parent / "oxigraph"
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    found = shutil.which("oxigraph")
    if found is None:
        raise StoreError(
            "The `oxigraph` server is not installed: run `pip install oxigraph` "
            "in the environment of kg."
        )
    return found


DEFAULT_TIMEOUT = 30.0  # seconds a served query may run
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve_command(
    build_dir: Path,
    host: str = "127.0.0.1",
    port: int = 7878,
    *,
    location: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[str]:
    """The server's command line (``location`` defaults to ``build_dir/store``); every query
    is stopped after ``timeout`` seconds, so one runaway query cannot hold a core."""
    where = location if location is not None else store_path(build_dir)
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return [oxigraph_binary(), "serve-read-only", "--location", str(where), "--bind", bind,
            "--union-default-graph", "--timeout-s", str(max(1, round(timeout)))]  # fmt: skip



def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float) -> bool:
    """Poll ``url`` until it answers 200; False if the process died or time ran out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    return False


def serve(
    build_dir: Path,
    host: str = "127.0.0.1",
    port: int = 7878,
    *,
    announce: Callable[[str], None] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Serve the build read-only at ``http://host:port/query`` until Ctrl-C or SIGTERM.

    The oxigraph server evaluates SPARQL ``SERVICE`` clauses (it fetches the
    URLs a query names): bound to loopback, as by default, only local users can
    make it do so; on another address anyone who reaches it can.
    """
    open_store(build_dir)  # a clear BuildMissingError before anything starts
    oxigraph_binary()  # fail before copying when the server is not installed
    _check_port(host, port)
    with tempfile.TemporaryDirectory(prefix="kg-serve-") as scratch:
        copy = Path(scratch) / "store"
        shutil.copytree(store_path(build_dir), copy)
        command = serve_command(build_dir, host, port, location=copy, timeout=timeout)
        log = Path(scratch) / "server.log"
        with open(log, "wb") as log_stream:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log_stream)
        previous = _on_sigterm(_raise_interrupt)
        try:
            _run(process, host, port, log, announce)
        except KeyboardInterrupt:
            pass  # Ctrl-C (or SIGTERM) at any moment, even during start-up: stop cleanly
        finally:
            _stop(process)
            _on_sigterm(previous)


def _run(
    process: subprocess.Popen[bytes],
    host: str,
    port: int,
    log: Path,
    announce: Callable[[str], None] | None,
) -> None:
    shown = f"[{host}]" if ":" in host else host
    probe_host = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else shown)
    base = f"http://{shown}:{port}"
    probe = f"http://{probe_host}:{port}/query?query=ASK%7B%7D"
    if not wait_until_up(probe, process, STARTUP_SECONDS):
        reason = _last_line(log) or "it did not answer"
        raise StoreError(
            f"The oxigraph server could not serve on {host}:{port}: {reason}; "
            "choose another --port or stop what uses it."
        )
    if announce is not None:
        announce(f"Serving the build read-only at {base}/query (SPARQL 1.1); Ctrl-C stops.")
        if host not in LOOPBACK:
            announce(f"Warning: {host} is not a loopback address: anyone who reaches it can query, "
                     "and SPARQL SERVICE lets a query make this machine fetch other URLs.")
    process.wait()
    if process.returncode not in (0, -signal.SIGINT, -signal.SIGTERM):
        raise StoreError(f"The oxigraph server stopped: {_last_line(log) or process.returncode}")


def _check_port(host: str, port: int) -> None:
    """Fail clearly when something already listens there (else our probe would reach it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind((host, port))
        except OSError as error:
            raise StoreError(
                f"The oxigraph server could not serve on {host}:{port}: "
                f"{error.strerror or error}; choose another --port or stop what uses it."
            ) from None


def _on_sigterm(handler: Any) -> Any:
    """Install a SIGTERM handler (main thread only); return the previous one."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, handler) if handler is not None else None


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server by its PID; kill it if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _last_line(log: Path) -> str:
    """The server's error line (``Error: ...``; a Rust backtrace may follow it)."""
    lines = [line.strip() for line in log.read_text("utf-8", "replace").splitlines()]
    errors = [line.removeprefix("Error:").strip() for line in lines if line.startswith("Error:")]
    return errors[0] if errors else next((line for line in reversed(lines) if line), "")
