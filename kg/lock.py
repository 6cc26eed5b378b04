"""One writer at a time per build folder: an OS file lock (``flock``) on the folder itself.

``kg build``, ``kg add`` and ``kg remove`` each take :func:`build_lock` on their
output folder before they read the previous build and hold it until the new
one is published. A second writer does not wait: it stops at once with a
:class:`~kg.errors.BuildBusyError` naming the folder, so it never reports
success for work the first one would overwrite (or that would overwrite the
first one's). Readers (``kg query`` ...) take no lock: a build is published
by an atomic folder swap, so they see the old build or the new one.

The lock is on the folder's inode, not on a file inside it or beside it: the
build swaps the folder for a new one (``kg.pipeline.publish``), so a writer
that got the lock checks afterwards that the path still names the folder it
locked, and locks the new one when it does not. The kernel drops the lock
when the process ends, however it ends: a killed build leaves no stale lock.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> with build_lock(folder):
...     try:
...         with build_lock(folder):
...             pass
...     except BuildBusyError as error:
...         print(str(error).split(":")[0])
Another kg command is writing this build
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.errors import BuildBusyError, KgError

__all__ = ["build_lock"]


@contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """Hold the write lock of build folder ``out`` (made if missing; removed again on failure
    when this call made it and it is still empty)."""
    made = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise KgError(f"Cannot write the build in {out}: {error.strerror or error}") from None
    fd = _locked(out)
    try:
        yield
    except BaseException:
        if made:
            _remove_if_empty(out)
        raise
    finally:
        os.close(fd)


def _locked(out: Path) -> int:
    """A descriptor of ``out`` holding its exclusive lock; BuildBusyError when another has it."""
    while True:
        fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise BuildBusyError(
                f"Another kg command is writing this build: {out} is locked by a kg build, "
                "add or remove still running; wait for it to finish, or give another --out"
            ) from None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(out))
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the folder was swapped while we waited: lock the one there now
        out.mkdir(parents=True, exist_ok=True)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass
