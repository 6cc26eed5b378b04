"""The README's test command on a machine without Virtuoso (issue 13, point 1).

Virtuoso is a second, optional triple store: where it is not installed, its
tests are skipped and the summary says why; under ``KG_REQUIRE_VIRTUOSO=1``
(``.ci/run`` sets it, and CI installs Virtuoso) the same tests fail instead,
so a CI run can never pass by skipping them. Checked with a real pytest in a
subprocess whose PATH has no ``virtuoso-t``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIRTUOSO_TEST = "tests/test_endpoint.py::test_virtuoso_reload_replaces"


def pytest_without_virtuoso(**env: str) -> subprocess.CompletedProcess[str]:
    """pytest on one Virtuoso test, with only the venv's bin folder on PATH."""
    environment = {k: v for k, v in os.environ.items() if k != "KG_REQUIRE_VIRTUOSO"}
    environment |= {"PATH": str(Path(sys.executable).parent), **env}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", VIRTUOSO_TEST],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_without_virtuoso_its_tests_skip_with_the_reason() -> None:
    run = pytest_without_virtuoso()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 skipped" in run.stdout
    assert "SKIPPED" in run.stdout  # -rs in the addopts: the reason is in the summary
    assert "Virtuoso is not installed (no virtuoso-t on PATH)" in run.stdout
    assert "bash .ci/virtuoso.sh" in run.stdout


def test_ci_requires_virtuoso_so_a_missing_one_fails() -> None:
    run = pytest_without_virtuoso(KG_REQUIRE_VIRTUOSO="1")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 error" in run.stdout
    assert "Virtuoso is not installed (no virtuoso-t on PATH)" in run.stdout
    assert "KG_REQUIRE_VIRTUOSO is set" in run.stdout
    assert "skipped" not in run.stdout


def test_ci_sets_the_requirement_before_the_readme_command() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    lines = [line.strip() for line in script.splitlines()]
    command = next(i for i, line in enumerate(lines) if "-m pytest" in line)
    for tool in ("VIRTUOSO", "CHROMIUM"):  # a missing store or browser fails in CI
        assert lines.index(f"export KG_REQUIRE_{tool}=1") < command
    readme = (ROOT / "README.md").read_text()
    assert lines[command] in readme  # .ci/run runs the README's command, exactly
