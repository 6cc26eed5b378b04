"""Stage 1: read a corpus folder into :class:`~kg.model.Document` objects.

An article is a UTF-8 ``.txt`` file: a front matter block of ``key: value``
lines between two ``---`` lines, then the article text exactly as collected::

    ---
    title: "Mali: the army takes Kidal"
    publisher: "France 24"
    url: "https://www.france24.com/..."
    published: "2023-11-14"
    language: "en"
    original_language: "fr"
    date_note: "'on Tuesday (November 14th)'"
    ---
    The Malian army announced on Tuesday ...

``published`` is required (YYYY-MM-DD): relative dates in the text are
resolved against it. Offsets in the graph point into the text after the
closing ``---`` line. A file that cannot be read is reported as a
:class:`CorpusProblem` naming the file and what to fix; the other files
still load.

>>> split_front_matter('---\\ntitle: "A"\\npublished: 2023-11-14\\n---\\nBody.', "a.txt")
({'title': 'A', 'published': '2023-11-14'}, 'Body.')
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from kg.errors import CorpusError
from kg.iris import slugify
from kg.language import Language, article_language
from kg.language import warning as language_warning
from kg.model import Document

STAGE = "corpus.v1"
MAX_BYTES = 5 * 1024 * 1024  # a news article is a few kB; 5 MB is surely not one
KNOWN_KEYS = (
    "title", "publisher", "url", "published", "language", "original_language", "date_note",
)  # fmt: skip
REQUIRED_KEYS = ("published",)
_KEY_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*:\s*(.*?)\s*$")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]+$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_URL = re.compile(r"https?://[^\s/?#<>\"{}|\\^`]+[^\s<>\"{}|\\^`]*", re.IGNORECASE)


@dataclass(frozen=True)
class CorpusProblem:
    """Something wrong with one file: an error skips it, a warning does not."""

    path: str
    severity: Literal["error", "warning"]
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class CorpusLoad:
    documents: tuple[Document, ...]
    problems: tuple[CorpusProblem, ...]


def load_corpus(folder: Path, *, today: date | None = None) -> CorpusLoad:
    """Read every ``*.txt`` article of folder, in name order.

    ``today`` bounds publication dates (a future date is an error); the CLI
    passes the real date, tests a fixed one.
    """
    if not folder.is_dir():
        raise CorpusError(f"{folder}: not a folder. Give the folder that holds the articles.")
    # a dangling link is read (and reported); folders, FIFOs and devices are not articles
    paths = sorted(p for p in folder.iterdir() if p.suffix == ".txt" and
                   (p.is_file() or (p.is_symlink() and not p.exists())))  # fmt: skip
    if not paths:
        raise CorpusError(f"{folder}: no .txt articles found. Add articles (see README, 'Corpus').")
    documents: list[Document] = []
    problems: list[CorpusProblem] = []
    seen_ids: dict[str, str] = {}
    for path in paths:
        try:
            doc, warnings = read_article(path, today=today)
        except CorpusError as error:
            problems.append(CorpusProblem(path.name, "error", str(error)))
            continue
        problems.extend(CorpusProblem(path.name, "warning", w) for w in warnings)
        if doc.doc_id in seen_ids:
            message = f"document id {doc.doc_id!r} also used by {seen_ids[doc.doc_id]}; rename one"
            problems.append(CorpusProblem(path.name, "error", message))
            continue
        seen_ids[doc.doc_id] = path.name
        documents.append(doc)
    return CorpusLoad(tuple(documents), tuple(problems))


def read_article(path: Path, *, today: date | None = None) -> tuple[Document, list[str]]:
    """One article file -> (Document, warnings); raises CorpusError with what to fix."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise CorpusError(
                f"file is {size / 1e6:.1f} MB, over the {MAX_BYTES // 2**20} MB limit for one "
                "article; split it into articles or remove it"
            )
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise CorpusError(f"cannot read the file ({reason}); check its permissions") from None
    text, warnings = decode_article(data)
    meta, body = split_front_matter(text, path.name)
    if not body.strip():
        raise CorpusError("the article has no text after its front matter; add the text")
    warnings += [
        f"unknown front matter key {k!r} ignored (known: {', '.join(KNOWN_KEYS)})"
        for k in meta
        if k not in KNOWN_KEYS
    ]
    url = meta.get("url", "")
    if url and not _URL.fullmatch(url):
        warnings.append(f"url {url!r} is not an http(s) URL; it is kept as text, fix it")
    doc = document_from(path, meta, body, today=today)
    source = "front matter" if meta.get("language") else "detected"
    unread = language_warning(Language(doc.language, source))
    return doc, warnings + ([unread] if unread else [])


def decode_article(data: bytes) -> tuple[str, list[str]]:
    """Bytes -> text. UTF-8 (with or without BOM); UTF-16 only with its BOM."""
    if not data.strip():
        raise CorpusError("empty file; write a front matter block and the article text")
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise CorpusError("file is UTF-32; save it as UTF-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise CorpusError(f"broken UTF-16 at byte {error.start}; save it as UTF-8") from None
        if "\x00" in text:
            raise CorpusError("NUL characters in the UTF-16 text; save it as UTF-8 text")
        return text, ["file is UTF-16; it was read, but save it as UTF-8"]
    if b"\x00" in data:
        raise CorpusError(
            f"binary file (NUL byte at byte {data.index(0)}), not a UTF-8 article; remove it "
            "from the corpus (or re-save it as UTF-8 if it is UTF-16 without a BOM)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CorpusError(
            f"not UTF-8 (bad byte 0x{data[error.start]:02x} at byte {error.start}); "
            "re-save the file as UTF-8 (it may be Latin-1 or Windows-1252)"
        ) from None
    return text.removeprefix("\ufeff"), []


def split_front_matter(text: str, name: str) -> tuple[dict[str, str], str]:
    """Split ``---`` front matter from the body; CorpusError names the bad line."""
    lines = text.split("\n")
    if lines[0].rstrip("\r") != "---":
        raise CorpusError(
            "no front matter: the file must start with a '---' line, then 'published: "
            "YYYY-MM-DD' and the other keys, then '---' (see README, 'Corpus')"
        )
    closing = next((i for i, raw in enumerate(lines[1:], 1) if raw.rstrip("\r") == "---"), None)
    if closing is None:
        raise CorpusError("the front matter is not closed: add a '---' line after the last key")
    meta: dict[str, str] = {}
    seen: dict[str, int] = {}
    for number, raw in enumerate(lines[1:closing], start=2):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY_LINE.match(line)
        if not match:
            raise CorpusError(
                f"line {number}: expected 'key: value' in the front matter, got {line!r}"
            )
        key = match.group(1).lower()
        if key in seen:
            raise CorpusError(
                f"line {number}: '{key}' given twice (also line {seen[key]}); keep one"
            )
        seen[key] = number
        meta[key] = unquote(match.group(2), number)
    return meta, "\n".join(lines[closing + 1 :])


def unquote(value: str, line: int) -> str:
    """Strip matching quotes; ``\\"`` inside double quotes is a quote."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        return inner.replace('\\"', '"') if value[0] == '"' else inner
    if value[:1] in "\"'":
        raise CorpusError(f"line {line}: unbalanced quote in {value!r}")
    return value


def document_from(path: Path, meta: dict[str, str], body: str, *, today: date | None) -> Document:
    """Check the metadata and make the Document."""
    for key in REQUIRED_KEYS:
        if not meta.get(key):
            raise CorpusError(f"no '{key}' in the front matter; add '{key}: YYYY-MM-DD'")
    published = parse_published(meta["published"], today=today)
    for key in ("language", "original_language"):
        tag = meta.get(key)
        if tag and not _LANGUAGE.match(tag):
            raise CorpusError(f"{key} {tag!r} is not a language tag; write e.g. 'en' or 'fr'")
    language = article_language(meta.get("language"), body).tag
    stem = path.stem
    return Document(
        doc_id=stem if _SAFE_ID.match(stem) else slugify(stem),
        path=path.name,
        text=body,
        title=meta.get("title") or first_line(body),
        publisher=meta.get("publisher", ""),
        published=published,
        language=language,
        url=meta.get("url") or None,
        original_language=meta.get("original_language") or None,
        date_note=meta.get("date_note", ""),
        content_hash=hashlib.sha256(body.encode("utf-8")).hexdigest(),
    )


def parse_published(value: str, *, today: date | None) -> date:
    """A publication date: a real day, not in the future."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise CorpusError(f"published {value!r} is not a date; write it as YYYY-MM-DD")
    try:
        published = date.fromisoformat(value)
    except ValueError as error:
        raise CorpusError(f"published {value!r} is impossible ({error}); fix the date") from None
    if today is not None and published > today:
        raise CorpusError(f"published {value} is in the future (today is {today}); fix the date")
    return published


def first_line(body: str) -> str:
    """The first non-blank line, as a fallback title."""
    return next((line.strip() for line in body.splitlines() if line.strip()), "")[:200]
