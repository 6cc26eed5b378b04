"""Bad articles: each reported by file name with what to fix, on one line; the rest builds.

The same corpus of bad files goes through the real ``kg`` in a subprocess and
through typer's CliRunner; stderr must be exactly the expected lines, the exit
code 0 (warnings and skipped files) or 1 (``--strict``, or nothing readable),
and never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.corpus import MAX_BYTES, load_corpus, read_article, split_front_matter
from kg.errors import CorpusError

ROOT = Path(__file__).resolve().parents[1]
GOOD = (ROOT / "corpus" / "004_0f09193854b32b5a.txt").read_bytes()
OTHER = (ROOT / "tests" / "data" / "corpus" / "coup-2020.txt").read_text(encoding="utf-8")
KNOWN = "title, publisher, url, published, language, original_language, date_note"
SHORT = "The Malian army entered Kidal on Tuesday, the FAMa said.\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"
TODAY = date.today()


def article(body: str = SHORT, **meta: str) -> bytes:
    head = "".join(f"{k}: {v}\n" for k, v in ({"published": "2023-11-15"} | meta).items())
    return f"---\n{head}---\n{body}".encode()


def latin1() -> bytes:
    return article("Les FAMa sont entrées à Kidal mardi.\n").decode().encode("latin-1")


def big() -> bytes:
    line = "The Malian army entered Kidal on Tuesday. "
    return article(line * (50 * 2**20 // len(line)))


#: file name -> (content, expected problem line without the "name: " prefix, or None: builds)
CASES: dict[str, tuple[bytes, str | None]] = {
    "good.txt": (GOOD, None),
    "empty.txt": (b"", "error: empty file; write a front matter block and the article text"),
    "blank.txt": (b" \n\n\t\n", "error: empty file; write a front matter block and the article "
                  "text"),
    "binary.txt": (PNG, "error: binary file (NUL byte at byte 8), not a UTF-8 article; remove it "
                   "from the corpus (or re-save it as UTF-8 if it is UTF-16 without a BOM)"),
    "latin1.txt": (latin1(), f"error: not UTF-8 (bad byte 0xe9 at byte {latin1().index(0xE9)}); "
                   "re-save the file as UTF-8 (it may be Latin-1 or Windows-1252)"),
    "utf16.txt": (OTHER.encode("utf-16"),
                  "warning: file is UTF-16; it was read, but save it as UTF-8"),
    "utf16-no-bom.txt": (OTHER.encode("utf-16-le"), "error: binary file (NUL byte at byte 1), not "
                         "a UTF-8 article; remove it from the corpus (or re-save it as UTF-8 if it "
                         "is UTF-16 without a BOM)"),
    "utf32.txt": (OTHER.encode("utf-32"), "error: file is UTF-32; save it as UTF-8"),
    "big.txt": (big(), None),  # message computed below: it names the size
    "no-front-matter.txt": (SHORT.encode(), "error: no front matter: the file must start with a "
                            "'---' line, then 'published: YYYY-MM-DD' and the other keys, then "
                            "'---' (see README, 'Corpus')"),
    "broken-front-matter.txt": (b"---\ntitle: Kidal\npublished 2023-11-14\n---\n" + SHORT.encode(),
                                "error: line 3: expected 'key: value' in the front matter, got "
                                "'published 2023-11-14'"),
    "unclosed.txt": (b"---\npublished: 2023-11-14\n" + SHORT.encode(),
                     "error: the front matter is not closed: add a '---' line after the last key"),
    "unbalanced-quote.txt": (article(title='"Kidal'),
                             "error: line 3: unbalanced quote in '\"Kidal'"),
    "twice.txt": (b"---\npublished: 2023-11-15\npublished: 2023-11-16\n---\n" + SHORT.encode(),
                  "error: line 3: 'published' given twice (also line 2); keep one"),
    "no-date.txt": (b"---\ntitle: Kidal\n---\n" + SHORT.encode(),
                    "error: no 'published' in the front matter; add 'published: YYYY-MM-DD'"),
    "impossible-date.txt": (article().replace(b"2023-11-15", b"2023-02-30"),
                            "error: published '2023-02-30' is impossible (day is out of range for "
                            "month); fix the date"),
    "us-date.txt": (article().replace(b"2023-11-15", b"11/15/2023"),
                    "error: published '11/15/2023' is not a date; write it as YYYY-MM-DD"),
    "future-date.txt": (article().replace(b"2023-11-15", b"2999-01-01"),
                        f"error: published 2999-01-01 is in the future (today is {TODAY}); fix "
                        "the date"),
    "bad-language.txt": (article(language="English"), "error: language 'English' is not a "
                         "language tag; write e.g. 'en' or 'fr'"),
    "bad-original-language.txt": (article(original_language="French"), "error: "
                                  "original_language 'French' is not a language tag; write e.g. "
                                  "'en' or 'fr'"),
    "bad-url.txt": (article(url="javascript:alert(1)"), "warning: url 'javascript:alert(1)' is not "
                    "an http(s) URL; it is kept as text, fix it"),
    "no-text.txt": (article(""), "error: the article has no text after its front matter; add "
                    "the text"),
    "unknown-key.txt": (article(author="Jane Doe"), "warning: unknown front matter key 'author' "
                        f"ignored (known: {KNOWN})"),
    "no-entity.txt": (article("The weather was pleasant and nothing else happened that day.\n"),
                      "warning: no known entity recognised, so nothing was extracted: check that it is the article's text in English, or add its names to ontology/registry.ttl"),
    "new\nline.txt": (article(language="x"), "error: language 'x' is not a language tag; write "
                      "e.g. 'en' or 'fr'"),
}
SIZE = len(CASES["big.txt"][0])
CASES["big.txt"] = (CASES["big.txt"][0], f"error: file is {SIZE / 1e6:.1f} MB, over the "
                    f"{MAX_BYTES // 2**20} MB limit for one article; split it into articles or "
                    "remove it")  # fmt: skip
BUILT = ("good", "unknown-key", "utf16", "no-entity", "bad-url")  # the readable ones (warnings only)
#: Problems found while extracting come after those found while reading.
LATE = ("no-entity.txt",)


def expected_lines() -> list[str]:
    """stderr of a non-strict build: one line per problem, file name first, escaped."""
    lines = [(name, problem) for name, (_, problem) in sorted(CASES.items()) if problem]
    early = [f"{n.replace(chr(10), chr(92) + 'n')}: {p}" for n, p in lines if n not in LATE]
    return early + [f"{n}: {p}" for n, p in lines if n in LATE]


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad") / "corpus"
    folder.mkdir()
    for name, (content, _) in CASES.items():
        (folder / name).write_bytes(content)
    (folder / "README.md").write_text("not an article: ignored")
    (folder / "folder.txt").mkdir()  # not a file: ignored
    return folder


def kg_command() -> list[str]:
    script = Path(sys.executable).parent / "kg"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kg"]


def run_kg(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The real console script, in a subprocess."""
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run([*kg_command(), *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, env=env)  # fmt: skip


def run_in_process(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The same command through typer's CliRunner, shaped like a subprocess result."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


RUNNERS = {"subprocess": run_kg, "clirunner": run_in_process}
Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(params=sorted(RUNNERS))
def kg(request: pytest.FixtureRequest) -> Runner:
    return RUNNERS[request.param]


# --- the library: one exact message per bad file ---------------------------------


ERRORS = sorted(n for n, (_, p) in CASES.items() if p and p.startswith("error") and "\n" not in n)


@pytest.mark.parametrize("name", ERRORS)
def test_read_article_says_what_to_fix(bad_corpus: Path, name: str) -> None:
    with pytest.raises(CorpusError) as error:
        read_article(bad_corpus / name, today=TODAY)
    assert f"error: {error.value}" == CASES[name][1]
    assert "\n" not in str(error.value)


def test_load_corpus_keeps_the_readable_articles(bad_corpus: Path) -> None:
    loaded = load_corpus(bad_corpus, today=TODAY)
    assert sorted(d.doc_id for d in loaded.documents) == sorted(BUILT)
    assert [str(p) for p in loaded.problems] == [
        f"{name}: {problem}" for name, (_, problem) in sorted(CASES.items())
        if problem and name not in LATE
    ]  # fmt: skip
    utf16 = next(d for d in loaded.documents if d.doc_id == "utf16")
    assert utf16.text == split_front_matter(OTHER, "x")[1]  # decoded, BOM dropped, text intact


def test_clashing_document_ids_are_reported(tmp_path: Path) -> None:
    (tmp_path / "a b.txt").write_bytes(article())
    (tmp_path / "a-b.txt").write_bytes(article())
    loaded = load_corpus(tmp_path, today=TODAY)
    assert [d.path for d in loaded.documents] == ["a b.txt"]
    assert [str(p) for p in loaded.problems] == [
        "a-b.txt: error: document id 'a-b' also used by a b.txt; rename one"
    ]


def test_a_dangling_link_is_reported(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_bytes(article())
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    loaded = load_corpus(tmp_path, today=TODAY)
    assert [str(p) for p in loaded.problems] == [
        "gone.txt: error: cannot read the file (No such file or directory); check its permissions"
    ]


def test_crlf_and_utf8_bom_are_fine(tmp_path: Path) -> None:
    (tmp_path / "crlf.txt").write_bytes(b"\xef\xbb\xbf" + article().replace(b"\n", b"\r\n"))
    loaded = load_corpus(tmp_path, today=TODAY)
    assert loaded.problems == () and loaded.documents[0].published == date(2023, 11, 15)


# --- the CLI: subprocess and CliRunner --------------------------------------------


def test_build_reports_each_bad_file_and_builds_the_rest(
    kg: Runner, bad_corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "build"
    done = kg("build", bad_corpus, "--out", out, "--quiet")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == expected_lines()
    assert "Traceback" not in done.stderr + done.stdout
    # unknown-key and bad-url have one text: one document with two file names (issue 15)
    assert done.stdout.splitlines()[0].startswith(f"Built {out}/ from {len(BUILT) - 1} documents in ")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["copies"]["same_text"] == {"bad-url": ["unknown-key.txt"]}
    assert sorted(manifest["documents"]) == sorted(set(BUILT) - {"unknown-key"})
    asked = kg("query", "control-timeline", "-p", "place=Kidal", "--build", out, "-f", "csv")
    assert asked.returncode == 0 and asked.stderr == ""
    assert asked.stdout.startswith("period,controller,")


def test_strict_turns_warnings_into_a_failure(kg: Runner, bad_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    done = kg("build", bad_corpus, "--out", out, "--strict", "--quiet")
    lines = expected_lines()
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        f"Error: --strict: {len(lines)} problem(s) in the corpus: {'; '.join(lines)}\n"
    )
    assert not out.exists()


def test_strict_fails_on_a_warning_alone(tmp_path: Path) -> None:
    kg = run_in_process
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_bytes(GOOD)
    (corpus / "unknown-key.txt").write_bytes(CASES["unknown-key.txt"][0])
    strict = kg("build", corpus, "--out", tmp_path / "build", "--strict", "-q")
    assert (strict.returncode, strict.stdout) == (1, "")
    assert strict.stderr == (
        "Error: --strict: 1 problem(s) in the corpus: unknown-key.txt: warning: unknown front "
        f"matter key 'author' ignored (known: {KNOWN})\n"
    )
    (corpus / "unknown-key.txt").unlink()
    assert kg("build", corpus, "--out", tmp_path / "build", "--strict", "-q").returncode == 0


def test_nothing_readable_is_an_error(tmp_path: Path) -> None:
    kg = run_in_process
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    done = kg("build", corpus, "--out", tmp_path / "build")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "Error: no article could be read, nothing built (empty.txt: error: empty file; write a "
        "front matter block and the article text)\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "{tmp}/missing"], "Error: {tmp}/missing: not a folder. Give the folder that "
         "holds the articles.\n"),
        (["build", "{tmp}/emptydir"], "Error: {tmp}/emptydir: no .txt articles found. Add "
         "articles (see README, 'Corpus').\n"),
        (["build", "{tmp}/emptydir", "--out", "{tmp}/file"], "Error: {tmp}/file is a file, not a "
         "folder: give another --out\n"),
        (["query", "control-timeline", "--build", "{tmp}/nobuild"], "Error: No build in "
         "{tmp}/nobuild/: run `kg build` first.\n"),
        (["sparql", "--file", "{tmp}/missing.rq"], "Error: {tmp}/missing.rq: cannot read the "
         "query file (No such file or directory)\n"),
        (["sparql", "--file", "{tmp}/latin1.rq"], "Error: {tmp}/latin1.rq: not UTF-8 text; save "
         "the query as UTF-8\n"),
        (["sparql", "ASK {}", "--file", "{tmp}/latin1.rq"], "Error: give the query either as an "
         "argument or with --file, not both\n"),
        (["query", "control-timeline", "-p", "place"], "Error: parameter 'place' is not "
         "key=value; write e.g. -p place=Kidal\n"),
        (["load", "--store", "notaurl", "--build", "{tmp}/nobuild"], "Error: The Graph Store "
         "'notaurl' is not an http(s) URL; give e.g. http://127.0.0.1:7878/query (queries) or "
         "http://127.0.0.1:7878/store (loads).\n"),
        (["sparql", "ASK {}", "--endpoint", "ftp://example.org/sparql"], "Error: The endpoint "
         "'ftp://example.org/sparql' is not an http(s) URL; give e.g. http://127.0.0.1:7878/query "
         "(queries) or http://127.0.0.1:7878/store (loads).\n"),
        (["export", "--build", "{tmp}/nobuild"], "Error: No build in {tmp}/nobuild/: run `kg "
         "build` first.\n"),
    ],
)
def test_bad_arguments_give_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    """In process (each case); the subprocess runs of these are in the test below."""
    kg = run_in_process
    (tmp_path / "emptydir").mkdir()
    (tmp_path / "file").write_text("x")
    (tmp_path / "latin1.rq").write_bytes("SELECT * WHERE { ?s ?p \"é\" }".encode("latin-1"))
    done = kg(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert (done.returncode, done.stdout) == (3 if "http(s) URL" in message else 1, "")
    assert done.stderr == message.replace("{tmp}", str(tmp_path))


def test_bad_arguments_in_a_subprocess(tmp_path: Path) -> None:
    """The light commands (no pipeline import) through the real console script."""
    done = run_kg("query", "control-timeline", "--build", tmp_path / "nobuild")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"Error: No build in {tmp_path}/nobuild/: run `kg build` first.\n"
    done = run_kg("sparql", "--file", tmp_path / "missing.rq")
    assert (done.returncode, done.stderr) == (
        1, f"Error: {tmp_path}/missing.rq: cannot read the query file (No such file or directory)\n"
    )  # fmt: skip
    done = run_kg("load", "--store", "notaurl", "--build", tmp_path)
    assert done.returncode == 3 and done.stderr.startswith("Error: The Graph Store 'notaurl' is")


def test_bad_port_is_a_usage_error(kg: Runner) -> None:
    done = kg("serve", "--port", "99999")
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--port': 99999 is not in the range 1<=x<=65535."
    )
