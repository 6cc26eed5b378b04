"""The command line itself: every command listed with a one-line summary; usage errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app, one_line

COMMANDS = {
    "build": "Build the graph from a folder of articles into build/.",
    "add": "Add articles to an existing build (only they are extracted).",
    "remove": "Remove documents from an existing build.",
    "eval": "Score the extraction against gold annotations.",
    "validate": "Check the ontology (OWL) and the build (SHACL).",
    "queries": "List the canned questions with their parameters.",
    "query": "Run a canned question by name (see `kg queries`).",
    "sparql": "Run ad-hoc SPARQL on the build or an endpoint.",
    "export": "Write the graph in an RDF format, or its events as ACLED CSV.",
    "load": "Load the build into a triple store (Graph Store).",
    "serve": "Serve the build as a local read-only SPARQL endpoint.",
    "report": "Draw the graph as one self-contained HTML report (timelines, map).",
}


def kg(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "kg"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "kg"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "80"})  # fmt: skip


def test_help_lists_every_command_with_a_one_line_summary() -> None:
    done = kg("--help")
    assert (done.returncode, done.stderr) == (0, "")
    listed = done.stdout.split("Commands:\n", 1)[1].splitlines()
    assert listed == [f"  {name:<8}  {summary}" for name, summary in COMMANDS.items()]
    registered = {c.name or c.callback.__name__ for c in app.registered_commands}  # type: ignore[union-attr]
    assert registered == set(COMMANDS)


def test_no_arguments_shows_the_help() -> None:
    result = CliRunner().invoke(app, [])
    assert result.exit_code == 2 and "Commands:" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "last_line"),
    [
        (["biuld"], "Error: No such command 'biuld'. Did you mean 'build'?"),
        (["queris"], "Error: No such command 'queris'. Did you mean 'queries', 'query'?"),
        (["exprot"], "Error: No such command 'exprot'. Did you mean 'export'?"),
        (["build", "--strcit"],
         "Error: No such option: --strcit (Possible options: --no-strict, --strict)"),
        (["query", "control-timeline", "--parm", "place=Kidal"],
         "Error: No such option: --parm (Possible options: --param)"),
        (["export", "--format", "turtel"],
         "Error: Invalid value for '--format' / '-f': 'turtel' is not one of "
         "'turtle', 'ntriples', 'nquads', 'trig', 'jsonld', 'xml', 'acled-csv'."),
        (["query"], "Error: Missing argument 'name'."),
    ],
)
def test_a_wrong_word_is_a_usage_error_naming_it(args: list[str], last_line: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == last_line
    assert result.stderr.startswith("Usage: kg")


def test_a_usage_error_in_a_subprocess() -> None:
    done = kg("biuld")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "Usage: kg [OPTIONS] COMMAND [ARGS]...\nTry 'kg -h' for help.\n\n"
        "Error: No such command 'biuld'. Did you mean 'build'?\n"
    )


def test_messages_are_one_terminal_line() -> None:
    assert one_line("a\nb\r\tc\x1b[2J\x85\u2028") == "a\\nb\\r\\tc\\x1b[2J\\x85\\u2028"
    assert one_line("Kidal, Gao — «Mali»") == "Kidal, Gao — «Mali»"
